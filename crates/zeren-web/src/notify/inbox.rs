//! The inbox: the viewer's own messages as a page and as JSON, the count in the navigation, and
//! marking read. Every handler reads only the viewer's person's messages (`mine`).

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use zeren_core::notify::{parse_clock, QuietHours};
use zeren_store::notify::{InboxMessage, NotifyPrefs, NotifyRead};

use crate::shared::error::Problems;
use crate::shared::extract::field;
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;

/// How many messages the page and the API list.
const SHOWN: i64 = 200;

#[derive(Template)]
#[template(path = "pages/notifications.html")]
pub struct NotificationsPage {
    pub chrome: Chrome,
    pub has_person: bool,
    /// The viewer's e-mail choice and quiet hours, when a mail server is configured (else
    /// e-mail is not offered, and quiet hours, which hold e-mail back, mean nothing).
    pub email: Option<NotifyPrefs>,
    /// The quiet hours' two ends as shown in the form ('' when none).
    pub quiet_from: String,
    pub quiet_to: String,
    /// The server's quiet hours for those who chose none.
    pub default_quiet: String,
    pub refused: Refused,
    pub unread: i64,
    pub messages: Vec<InboxMessage>,
}

#[derive(serde::Serialize)]
pub struct Inbox {
    pub unread: i64,
    pub messages: Vec<InboxMessage>,
}

/// The viewer's messages and how many are unread; none for an account linked to no person.
async fn mine(state: &AppState, v: &Viewer) -> Result<Inbox> {
    let Some(person) = v.account.person_id else {
        return Ok(Inbox {
            unread: 0,
            messages: Vec::new(),
        });
    };
    let mut r = state.store.reader().await?;
    Ok(Inbox {
        unread: r.unread_count(person).await?,
        messages: r.inbox(person, SHOWN).await?,
    })
}

/// One of the viewer's messages, marked read: not found when it is another person's.
async fn read_one(state: &AppState, v: &Viewer, id: i64) -> Result<InboxMessage> {
    let person = v.account.person_id.ok_or(Error::NotFound)?;
    let mut w = state.store.write(&v.actor()).await?;
    w.mark_inbox_read(person, id).await?;
    let m = w.inbox_message(person, id).await?.ok_or(Error::NotFound)?;
    w.commit().await?;
    Ok(m)
}

async fn page_model(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    refused: Refused,
) -> Result<NotificationsPage> {
    let inbox = mine(state, v).await?;
    let email = match (state.config.smtp(), v.account.person_id) {
        (Some(_), Some(p)) => Some(
            state
                .store
                .reader()
                .await?
                .notify_prefs(p)
                .await?
                .unwrap_or(NotifyPrefs {
                    person_id: p,
                    ..NotifyPrefs::default()
                }),
        ),
        _ => None,
    };
    let quiet = email
        .as_ref()
        .and_then(|e| QuietHours::parse(&e.quiet_hours));
    let clock = |t: chrono::NaiveTime| t.format("%H:%M").to_string();
    Ok(NotificationsPage {
        chrome: Chrome::new(lang, Some(v)),
        has_person: v.account.person_id.is_some(),
        email,
        quiet_from: quiet.map(|q| clock(q.from)).unwrap_or_default(),
        quiet_to: quiet.map(|q| clock(q.to)).unwrap_or_default(),
        default_quiet: QuietHours::parse(&state.config.quiet_hours)
            .map(|q| q.text())
            .unwrap_or_default(),
        refused,
        unread: inbox.unread,
        messages: inbox.messages,
    })
}

pub async fn page(State(state): State<AppState>, v: Viewer, lang: Lang) -> Result<Html<String>> {
    render(&page_model(&state, &v, lang, Refused::default()).await?)
}

/// The navigation's count of unread messages; nothing when none.
pub async fn count_badge(State(state): State<AppState>, v: Viewer) -> Result<Html<String>> {
    let n = match v.account.person_id {
        Some(p) => state.store.reader().await?.unread_count(p).await?,
        None => 0,
    };
    Ok(Html(if n == 0 {
        String::new()
    } else {
        format!("<span class=\"badge\">{n}</span>")
    }))
}

/// Marks the message read and goes to the page it is about.
pub async fn open(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    let m = read_one(&state, &v, id).await?;
    // Links are the server's own paths; anything else goes back to the inbox.
    let to = if m.link.starts_with('/') && !m.link.starts_with("//") {
        m.link
    } else {
        "/notifications".to_string()
    };
    Ok(see_other(&to))
}

pub async fn read_all(State(state): State<AppState>, v: Viewer) -> Result<Response> {
    if let Some(person) = v.account.person_id {
        let mut w = state.store.write(&v.actor()).await?;
        w.mark_inbox_all_read(person).await?;
        w.commit().await?;
    }
    Ok(see_other("/notifications"))
}

pub async fn list_json(State(state): State<AppState>, v: Viewer) -> Result<axum::Json<Inbox>> {
    Ok(axum::Json(mine(&state, &v).await?))
}

pub async fn read_json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    Ok(axum::Json(read_one(&state, &v, id).await?).into_response())
}

/// The viewer's choice of channels — e-mail besides the in-app inbox, to an address — and
/// quiet hours, in which e-mail waits unless urgent (an incident report). Not found when no mail
/// server is configured (e-mail is not offered then) or the account is linked to no person. A
/// refused form comes back with what was typed and the problem beside its field.
pub async fn set_email(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let person = match (state.config.smtp(), v.account.person_id) {
        (Some(_), Some(p)) => p,
        _ => return Err(Error::NotFound),
    };
    let saved = async {
        let t = Tr(lang);
        let mut p = Problems::new();
        let email = field(&f, "email").trim().to_string();
        let by_email = !field(&f, "by_email").is_empty();
        if (by_email || !email.is_empty())
            && (email.parse::<lettre::Address>().is_err() || email.len() > 254)
        {
            p.add("email", t.s("notify.bad_email"));
        }
        let (from, to) = (field(&f, "quiet_from"), field(&f, "quiet_to"));
        let quiet_hours = match (from.trim(), to.trim()) {
            ("", "") => String::new(),
            (a, b) => match (parse_clock(a), parse_clock(b)) {
                (Some(a), Some(b)) if a != b => QuietHours { from: a, to: b }.text(),
                _ => {
                    p.add("quiet_from", t.s("notify.bad_quiet"));
                    String::new()
                }
            },
        };
        p.check()?;
        let mut w = state.store.write(&v.actor()).await?;
        w.set_notify_prefs(&NotifyPrefs {
            person_id: person,
            email,
            by_email,
            quiet_hours,
        })
        .await?;
        w.commit().await?;
        Ok::<_, Error>(())
    }
    .await;
    match saved {
        Ok(()) => Ok(see_other("/notifications")),
        Err(e) => {
            let refused = Refused::of("email", &f, e, lang)?;
            let status = refused.status;
            let page = page_model(&state, &v, lang, refused).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}
