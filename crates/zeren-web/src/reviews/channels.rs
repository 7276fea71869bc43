//! Channels (阵地): the registry of a unit's websites, accounts, screens, halls and clubs with their
//! responsible person and history; registering one (of a kind the policy lists), editing,
//! suspending or closing it (its managers only, with a reason the history keeps); the same as JSON.

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
    /// Whether the viewer manages it (edit, suspend, close).
    pub can_manage: bool,
}

#[derive(Template)]
#[template(path = "pages/channels.html")]
pub struct ChannelsPage {
    pub chrome: Chrome,
    pub unit: Unit,
    pub channels: Vec<ChannelRow>,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub people: Vec<zeren_store::Person>,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub can_edit: bool,
    pub review_every: Option<&'static str>,
    pub refused: Refused,
}

impl ChannelsPage {
    /// A stored time as people write it: 2026年12月10日 14:30.
    fn at(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        crate::shared::clock::zh_local(t)
    }
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
    fn form_of(&self, what: &str, id: &i64) -> String {
        format!("{what}_{id}")
    }
}

/// Whether the viewer manages a channel: an administrator of its unit, or its responsible person.
async fn manages(state: &AppState, v: &Viewer, c: &Channel) -> Result<bool> {
    if access::level(&state.store, v, c.unit_id)
        .await?
        .is_some_and(|l| l >= Level::Administer)
    {
        return Ok(true);
    }
    Ok(v.account.person_id.is_some() && v.account.person_id == c.responsible_person_id)
}

/// The kinds of channel the policy in force at `unit_id` lists (every kind when it lists none).
async fn kinds_at(state: &AppState, unit_id: i64) -> Result<Vec<zeren_policy::ChannelKind>> {
    let ip = state.store.reader().await?.policy_in_force(unit_id).await?;
    let policy = match ip {
        Some(ip) => Some(parse_installed(&ip)?),
        None => None,
    };
    Ok(match policy.as_ref().and_then(|p| p.channels.as_ref()) {
        Some(c) if !c.kinds.is_empty() => c.kinds.clone(),
        _ => zeren_policy::ChannelKind::ALL.to_vec(),
    })
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
    drop(r);
    let kinds: Vec<(&'static str, &'static str)> = kinds_at(state, unit_id)
        .await?
        .iter()
        .map(|k| (k.word(), k.zh()))
        .collect();
    let mut r = state.store.reader().await?;
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
        channels.push(ChannelRow {
            c,
            who,
            history,
            can_manage: false,
        });
    }
    drop(r);
    for row in &mut channels {
        row.can_manage = manages(state, v, &row.c).await?;
    }
    Ok(ChannelsPage {
        chrome: Chrome::new(lang, Some(v)),
        unit,
        channels,
        kinds,
        people,
        statuses: vec![
            ("active", t_status(lang, "ch.active")),
            ("suspended", t_status(lang, "ch.suspended")),
            ("closed", t_status(lang, "ch.closed")),
        ],
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
    let allowed = kinds_at(state, ch.unit_id).await?;
    if !zeren_policy::ChannelKind::parse(&ch.kind).is_some_and(|k| allowed.contains(&k)) {
        problems.add("kind", t.s("ch.p.kind"));
    }
    let edit = ChannelEdit {
        name: ch.name.clone(),
        locator: ch.locator.clone(),
        responsible_person_id: ch.responsible_person_id,
        filed_on: ch.filed_on,
    };
    check_fields(state, ch.unit_id, &edit, &mut problems, lang).await?;
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

fn t_status(lang: Lang, id: &'static str) -> &'static str {
    Tr(lang).s(id)
}

/// The checks a registration and an edit share: name, locator, responsible person.
async fn check_fields(
    state: &AppState,
    unit_id: i64,
    ch: &ChannelEdit,
    problems: &mut Problems,
    lang: Lang,
) -> Result<()> {
    let t = Tr(lang);
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
                .any(|u| u.id == unit_id),
            None => false,
        };
        if !within {
            problems.add("responsible_person_id", t.s("ch.p.responsible"));
        }
    }
    Ok(())
}

/// A channel the viewer manages; NotFound or Forbidden otherwise.
async fn load_managed(state: &AppState, v: &Viewer, id: i64) -> Result<Channel> {
    let ch = state
        .store
        .reader()
        .await?
        .channel(id)
        .await?
        .ok_or(Error::NotFound)?;
    if manages(state, v, &ch).await? {
        Ok(ch)
    } else {
        Err(Error::Forbidden)
    }
}

fn reason_problem(reason: &str, problems: &mut Problems, lang: Lang) {
    if reason.trim().chars().count() < 2 {
        problems.add("reason", Tr(lang).s("ch.p.reason"));
    }
}

/// Suspends, closes or reopens a channel, with the reason.
pub async fn change_status(
    state: &AppState,
    v: &Viewer,
    id: i64,
    status: &str,
    reason: &str,
    lang: Lang,
) -> Result<Channel> {
    load_managed(state, v, id).await?;
    let mut problems = Problems::new();
    if !CHANNEL_STATUSES.contains(&status) {
        problems.add("status", Tr(lang).s("ch.p.status"));
    }
    reason_problem(reason, &mut problems, lang);
    problems.check()?;
    let mut w = state.store.write(&v.actor()).await?;
    let c = w.set_channel_status(id, status, reason.trim()).await?;
    w.commit().await?;
    Ok(c)
}

/// Edits a channel, with the reason.
pub async fn edit_channel(
    state: &AppState,
    v: &Viewer,
    id: i64,
    e: ChannelEdit,
    reason: &str,
    lang: Lang,
) -> Result<Channel> {
    let ch = load_managed(state, v, id).await?;
    let mut problems = Problems::new();
    check_fields(state, ch.unit_id, &e, &mut problems, lang).await?;
    reason_problem(reason, &mut problems, lang);
    problems.check()?;
    let e = ChannelEdit {
        name: e.name.trim().into(),
        locator: e.locator.trim().into(),
        ..e
    };
    let mut w = state.store.write(&v.actor()).await?;
    let c = w.update_channel(id, &e, reason.trim()).await?;
    w.commit().await?;
    Ok(c)
}

/// The channels page again with a refused per-channel form.
async fn refused_on_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    unit_id: i64,
    form: &str,
    f: &[(String, String)],
    e: Error,
) -> Result<Response> {
    let refused = Refused::of(form, f, e, lang)?;
    let status = refused.status;
    let page = channels_page(state, v, lang, unit_id, refused).await?;
    Ok((status, render(&page)?).into_response())
}

pub async fn status_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let ch = load_managed(&state, &v, id).await?;
    match change_status(
        &state,
        &v,
        id,
        &field(&f, "status"),
        &field(&f, "reason"),
        lang,
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!("/units/{}/channels", ch.unit_id))),
        Err(e) => {
            refused_on_page(&state, &v, lang, ch.unit_id, &format!("status_{id}"), &f, e).await
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let ch = load_managed(&state, &v, id).await?;
    let filed_on = field(&f, "filed_on");
    let outcome = match NaiveDate::parse_from_str(filed_on.trim(), "%Y-%m-%d") {
        Err(_) if !filed_on.trim().is_empty() => Err(Error::Fields(Problems::one(
            "filed_on",
            Tr(lang).s("ch.p.filed_on"),
        ))),
        date => {
            let e = ChannelEdit {
                name: field(&f, "name"),
                locator: field(&f, "locator"),
                responsible_person_id: field(&f, "responsible_person_id").parse().ok(),
                filed_on: date.ok(),
            };
            edit_channel(&state, &v, id, e, &field(&f, "reason"), lang).await
        }
    };
    match outcome {
        Ok(_) => Ok(see_other(&format!("/units/{}/channels", ch.unit_id))),
        Err(e) => refused_on_page(&state, &v, lang, ch.unit_id, &format!("edit_{id}"), &f, e).await,
    }
}

#[derive(Deserialize)]
pub struct StatusJson {
    status: String,
    #[serde(default)]
    reason: String,
}

pub async fn status_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<StatusJson>,
) -> Result<axum::Json<Channel>> {
    Ok(axum::Json(
        change_status(&state, &v, id, &b.status, &b.reason, lang).await?,
    ))
}

#[derive(Deserialize)]
pub struct EditJson {
    name: String,
    locator: String,
    responsible_person_id: Option<i64>,
    filed_on: Option<NaiveDate>,
    #[serde(default)]
    reason: String,
}

pub async fn edit_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<EditJson>,
) -> Result<axum::Json<Channel>> {
    let e = ChannelEdit {
        name: b.name,
        locator: b.locator,
        responsible_person_id: b.responsible_person_id,
        filed_on: b.filed_on,
    };
    Ok(axum::Json(
        edit_channel(&state, &v, id, e, &b.reason, lang).await?,
    ))
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
