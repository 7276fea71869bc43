//! Channels (阵地): the registry of a unit's websites, accounts, screens, halls and clubs with their
//! responsible person and history; registering one, suspending or closing it; the same as JSON.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use zeren_store::reviews::*;
use zeren_store::{Level, Read, Unit};

use crate::shared::clock::today;
use crate::shared::error::Problems;
use crate::shared::extract::field;
use crate::shared::policies::parse_installed;
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;

pub fn channel_kind_zh(kind: &str) -> &'static str {
    zeren_policy::ChannelKind::parse(kind)
        .map(|k| k.zh())
        .unwrap_or("其他")
}

/// A channel with its responsible person's name and its history.
pub struct ChannelRow {
    pub c: Channel,
    pub who: String,
    pub history: Vec<ChannelChange>,
}

#[derive(Template)]
#[template(path = "pages/channels.html")]
pub struct ChannelsPage {
    pub chrome: Chrome,
    pub unit: Unit,
    pub channels: Vec<ChannelRow>,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub people: Vec<zeren_store::Person>,
    pub can_edit: bool,
    pub review_every: Option<&'static str>,
    pub refused: Refused,
}

impl ChannelsPage {
    fn kind_label(&self, kind: &str) -> &'static str {
        channel_kind_zh(kind)
    }
    fn status_label(&self, status: &str) -> &'static str {
        self.chrome.t.s(match status {
            "active" => "ch.active",
            "suspended" => "ch.suspended",
            _ => "ch.closed",
        })
    }
}

async fn channels_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    unit_id: i64,
    refused: Refused,
) -> Result<ChannelsPage> {
    let (unit, level) = access::require(&state.store, v, unit_id, Level::Read).await?;
    let mut r = state.store.reader().await?;
    let policy = match r.policy_in_force(unit_id).await? {
        Some(ip) => Some(parse_installed(&ip)?),
        None => None,
    };
    let kinds: Vec<(&'static str, &'static str)> =
        match policy.as_ref().and_then(|p| p.channels.as_ref()) {
            Some(c) if !c.kinds.is_empty() => c.kinds.iter().map(|k| (k.word(), k.zh())).collect(),
            _ => zeren_policy::ChannelKind::ALL
                .iter()
                .map(|k| (k.word(), k.zh()))
                .collect(),
        };
    let review_every = policy
        .as_ref()
        .and_then(|p| p.channels.as_ref())
        .and_then(|c| c.review_every)
        .map(|f| f.zh());
    let people = r.people_in_subtree(unit_id).await?;
    let mut channels = Vec::new();
    for c in r.channels_at(unit_id).await? {
        let who = match c.responsible_person_id {
            Some(p) => r.person(p).await?.map(|p| p.name).unwrap_or_default(),
            None => String::new(),
        };
        let history = r.channel_changes(c.id).await?;
        channels.push(ChannelRow { c, who, history });
    }
    Ok(ChannelsPage {
        chrome: Chrome::new(lang, Some(v)),
        unit,
        channels,
        kinds,
        people,
        can_edit: level >= Level::Edit,
        review_every,
        refused,
    })
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    render(&channels_page(&state, &v, lang, id, Refused::default()).await?)
}

/// Checks and stores a channel (edit at the unit).
pub async fn add_channel(
    state: &AppState,
    v: &Viewer,
    ch: NewChannel,
    lang: Lang,
) -> Result<Channel> {
    let t = Tr(lang);
    access::require(&state.store, v, ch.unit_id, Level::Edit).await?;
    let mut problems = Problems::new();
    if zeren_policy::ChannelKind::parse(&ch.kind).is_none() {
        problems.add("kind", t.s("ch.p.kind"));
    }
    let name = ch.name.trim().chars().count();
    if name == 0 || name > 100 {
        problems.add("name", t.s("ch.p.name"));
    }
    let locator = ch.locator.trim().chars().count();
    if locator == 0 || locator > 500 {
        problems.add("locator", t.s("ch.p.locator"));
    }
    if let Some(p) = ch.responsible_person_id {
        let mut r = state.store.reader().await?;
        let within = match r.person(p).await? {
            Some(person) => r
                .path(person.unit_id)
                .await?
                .iter()
                .any(|u| u.id == ch.unit_id),
            None => false,
        };
        if !within {
            problems.add("responsible_person_id", t.s("ch.p.responsible"));
        }
    }
    problems.check()?;
    let mut w = state.store.write(&v.actor()).await?;
    let c = w.create_channel(&ch).await?;
    w.commit().await?;
    zeren_store::channel_reviews::materialise_channel_reviews(&state.store, today()).await?;
    Ok(c)
}

pub async fn create_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(unit_id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let filed_on = field(&f, "filed_on");
    let outcome = match NaiveDate::parse_from_str(filed_on.trim(), "%Y-%m-%d") {
        Err(_) if !filed_on.trim().is_empty() => Err(Error::Fields(Problems::one(
            "filed_on",
            Tr(lang).s("ch.p.filed_on"),
        ))),
        date => {
            let ch = NewChannel {
                unit_id,
                kind: field(&f, "kind"),
                name: field(&f, "name").trim().into(),
                locator: field(&f, "locator").trim().into(),
                responsible_person_id: field(&f, "responsible_person_id").parse().ok(),
                filed_on: date.ok(),
            };
            add_channel(&state, &v, ch, lang).await
        }
    };
    match outcome {
        Ok(_) => Ok(see_other(&format!("/units/{unit_id}/channels"))),
        Err(e) => {
            let refused = Refused::of("channel", &f, e, lang)?;
            let status = refused.status;
            let page = channels_page(&state, &v, lang, unit_id, refused).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

pub async fn status_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<StatusForm>,
) -> Result<Response> {
    let ch = state
        .store
        .reader()
        .await?
        .channel(id)
        .await?
        .ok_or(Error::NotFound)?;
    access::require(&state.store, &v, ch.unit_id, Level::Edit).await?;
    if !CHANNEL_STATUSES.contains(&f.status.as_str()) {
        return Err(Error::Invalid(Tr(lang).s("ch.p.status").into()));
    }
    let mut w = state.store.write(&v.actor()).await?;
    w.set_channel_status(id, &f.status).await?;
    w.commit().await?;
    Ok(see_other(&format!("/units/{}/channels", ch.unit_id)))
}

/// Items for JSON: the item with its state, who it waits for, versions, trail and assessments.

#[derive(Deserialize)]
pub struct UnitQuery {
    unit: i64,
}

pub async fn list_json(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<UnitQuery>,
) -> Result<axum::Json<Vec<Channel>>> {
    access::require(&state.store, &v, q.unit, Level::Read).await?;
    Ok(axum::Json(
        state.store.reader().await?.channels_at(q.unit).await?,
    ))
}

pub async fn create_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    JsonBody(ch): JsonBody<NewChannel>,
) -> Result<Response> {
    Ok(created(add_channel(&state, &v, ch, lang).await?))
}
