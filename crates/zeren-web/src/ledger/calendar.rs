//! Each person's private calendar feed (iCalendar) of their open obligations, for the phone's or
//! the office's calendar app, behind an unguessable URL that can be renewed.

use askama::Template;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use zeren_store::ledger::*;
use zeren_store::Read;

use crate::shared::auth;
use crate::shared::clock::today;
use crate::shared::mine;
use crate::shared::prelude::*;
use crate::shared::rows::progress_status;

#[derive(Template)]
#[template(path = "pages/calendar.html")]
pub struct CalendarPage {
    pub chrome: Chrome,
    pub url: String,
}

/// Issues a new private feed URL (the old one stops working) and shows it once.
pub async fn renew_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    headers: axum::http::HeaderMap,
) -> Result<Html<String>> {
    let token = auth::random_token();
    let mut w = state.store.write(&v.actor()).await?;
    w.set_calendar_feed(v.account.id, &auth::sha256_hex(&token))
        .await?;
    w.commit().await?;
    render(&CalendarPage {
        chrome: Chrome::new(lang, Some(&v)),
        url: format!("{}/calendar/{token}.ics", state.config.base_url(&headers)),
    })
}

/// The setting that names this installation: a random id made the first time it is needed, so
/// two installations' feeds never share an event's UID.
const INSTALLATION_ID: &str = "installation_id";

async fn installation_id(state: &AppState) -> Result<String> {
    if let Some(id) = state.store.reader().await?.setting(INSTALLATION_ID).await? {
        return Ok(id);
    }
    let id: String = auth::random_token().chars().take(16).collect();
    let mut w = state.store.write(&zeren_store::Actor::system()).await?;
    match w.claim_setting(INSTALLATION_ID, &id).await {
        Ok(()) => {
            w.commit().await?;
            Ok(id)
        }
        // Another request made it first: theirs holds.
        Err(zeren_store::Error::Conflict(_)) => {
            drop(w);
            state
                .store
                .reader()
                .await?
                .setting(INSTALLATION_ID)
                .await?
                .ok_or(Error::NotFound)
        }
        Err(e) => Err(e.into()),
    }
}

/// The feed itself: no session (calendar apps have none); the unguessable token is the key.
pub async fn feed(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<Response> {
    let token = token.strip_suffix(".ics").unwrap_or(&token);
    let mut r = state.store.reader().await?;
    let account_id = r
        .calendar_feed_account(&auth::sha256_hex(token))
        .await?
        .ok_or(Error::NotFound)?;
    let account = r
        .account(account_id)
        .await?
        .filter(|a| a.active)
        .ok_or(Error::NotFound)?;
    drop(r);
    let viewer = Viewer {
        account,
        session: None,
        csrf: String::new(),
        person_name: None,
    };
    let today = today();
    let units = mine::units(&state, &viewer, today).await?;
    // Unique per installation (UIDs are global), with a link back to the obligation's page.
    let install = installation_id(&state).await?;
    let base = state.config.base_url(&headers);
    let mut r = state.store.reader().await?;
    let mut events = Vec::new();
    let from = today - chrono::Days::new(31);
    let mut push = |p: ObligationProgress, unit_name: &str| {
        let st = progress_status(&p, today);
        if st.is_done() {
            return;
        }
        let url = format!("{base}/obligations/{}", p.obligation.id);
        events.push(zeren_export::ical::CalEvent {
            uid: format!("obligation-{}-{install}@zeren", p.obligation.id),
            summary: format!("{}（{}）", p.obligation.title, p.obligation.period_label),
            due: p.obligation.due_on,
            description: format!("{unit_name}：{}，{}\n{url}", p.obligation.title, st.zh()),
            url: Some(url),
        });
    };
    for u in &units {
        for p in r
            .obligations(&ObligationFilter {
                unit: Some(u.id),
                due_from: Some(from),
                ..ObligationFilter::default()
            })
            .await?
        {
            if p.obligation.person_id.is_none()
                || p.obligation.person_id == viewer.account.person_id
            {
                push(p, &u.name);
            }
        }
    }
    if let Some(pid) = viewer.account.person_id {
        for p in r
            .obligations(&ObligationFilter {
                person: Some(pid),
                due_from: Some(from),
                ..ObligationFilter::default()
            })
            .await?
        {
            if !units.iter().any(|u| u.id == p.obligation.unit_id) {
                push(p, "");
            }
        }
    }
    let owner = match viewer.account.person_id {
        Some(p) => r.person(p).await?.map(|p| p.name),
        None => None,
    }
    .unwrap_or_else(|| viewer.account.username.clone());
    let ics = zeren_export::ical::icalendar(
        &format!("{owner}的待办"),
        &events,
        zeren_store::now().naive_utc(),
    );
    let mut resp = ics.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    Ok(resp)
}
