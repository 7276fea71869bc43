//! Channels (阵地): the registry of a unit's websites, accounts, screens, halls and clubs with their
//! responsible person and history; registering one, suspending or closing it; the same as JSON.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use zeren_store::reviews::*;
use zeren_store::{Level, Read, Unit};

use crate::shared::clock::today;
use crate::shared::policies::parse_installed;
use crate::shared::prelude::*;

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
    pub error: Option<String>,
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
    error: Option<String>,
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
        error,
    })
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    render(&channels_page(&state, &v, lang, id, None).await?)
}

#[derive(Deserialize)]
pub struct ChannelForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    locator: String,
    #[serde(default)]
    responsible_person_id: String,
    #[serde(default)]
    filed_on: String,
}

/// Checks and stores a channel (edit at the unit).
pub async fn add_channel(state: &AppState, v: &Viewer, ch: NewChannel) -> Result<Channel> {
    access::require(&state.store, v, ch.unit_id, Level::Edit).await?;
    if zeren_policy::ChannelKind::parse(&ch.kind).is_none() {
        return Err(Error::Invalid("请选择阵地类型".into()));
    }
    if ch.name.trim().is_empty() || ch.locator.trim().is_empty() {
        return Err(Error::Invalid("请填写阵地名称和账号、网址或地点".into()));
    }
    if let Some(p) = ch.responsible_person_id {
        let mut r = state.store.reader().await?;
        let person = r
            .person(p)
            .await?
            .ok_or_else(|| Error::Invalid("负责人不存在".into()))?;
        let path = r.path(person.unit_id).await?;
        if !path.iter().any(|u| u.id == ch.unit_id) {
            return Err(Error::Invalid("负责人须为本单位人员".into()));
        }
    }
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
    Form(f): Form<ChannelForm>,
) -> Result<Response> {
    let ch = NewChannel {
        unit_id,
        kind: f.kind,
        name: f.name.trim().into(),
        locator: f.locator.trim().into(),
        responsible_person_id: f.responsible_person_id.parse().ok(),
        filed_on: NaiveDate::parse_from_str(&f.filed_on, "%Y-%m-%d").ok(),
    };
    match add_channel(&state, &v, ch).await {
        Ok(_) => Ok(see_other(&format!("/units/{unit_id}/channels"))),
        Err(Error::Invalid(m)) => {
            let page = channels_page(&state, &v, lang, unit_id, Some(m)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e),
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
        return Err(Error::Invalid("状态须为正常、暂停或已关闭".into()));
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
    JsonBody(ch): JsonBody<NewChannel>,
) -> Result<Response> {
    Ok(created(add_channel(&state, &v, ch).await?))
}
