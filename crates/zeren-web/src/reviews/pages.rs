//! Reviews in the browser: the list with "waiting for me" and approved events by date, submitting
//! an item with its files, an item's page with findings, checklist, decision, trail and
//! publication, new versions, withdrawal, 转交, risk assessments, and a version's files.

use std::collections::HashMap;

use askama::Template;
use axum::extract::Multipart;
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use zeren_core::org::{PersonId, UnitId};
use zeren_core::review::{applicable_steps, Action, Approvers, Event, Stage};
use zeren_policy::WorkflowKind;
use zeren_store::reviews::*;
use zeren_store::{Level, Read, Unit};

use super::items::*;
use crate::shared::clock::today;
use crate::shared::extract::field;
use crate::shared::multipart::Form as MultipartForm;
use crate::shared::policies::parse_installed;
use crate::shared::prelude::*;
use crate::shared::respond;
use crate::shared::rows::{item_rows, kind_zh, stage_zh, ItemRow};

/// Items the viewer's person must decide now, across every unit.
pub async fn waiting_for_me(state: &AppState, v: &Viewer) -> Result<Vec<ReviewItem>> {
    match v.account.person_id {
        Some(p) => Ok(zeren_store::waiting::reviews_waiting_for(&state.store, p, today()).await?),
        None => Ok(Vec::new()),
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub unit: Option<i64>,
    pub kind: Option<String>,
    pub stage: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

fn date(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref()
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.clone().filter(|s| !s.is_empty())
}

#[derive(Template)]
#[template(path = "pages/reviews.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub waiting: Vec<ItemRow>,
    pub items: Vec<ItemRow>,
    pub units: Vec<Unit>,
    /// The units the viewer acts for (an editor there, or a role held there): where they may
    /// submit items and register channels.
    pub my_units: Vec<Unit>,
    pub q: ListQuery,
    pub stages: Vec<(&'static str, &'static str)>,
    pub events: Vec<(String, ItemRow)>,
}

impl ListPage {
    fn selected(&self, v: &Option<String>, x: &str) -> bool {
        v.as_deref() == Some(x)
    }
    fn unit_selected(&self, id: &i64) -> bool {
        self.q.unit == Some(*id)
    }
}

pub async fn list(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>> {
    let waiting = item_rows(&state.store, waiting_for_me(&state, &v).await?).await?;
    let units = access::visible_units(&state.store, &v).await?;
    let roots: Vec<i64> = match q.unit {
        Some(u) => {
            access::require(&state.store, &v, u, Level::Read).await?;
            vec![u]
        }
        None => access::roots(&state.store, &v)
            .await?
            .into_iter()
            .map(|u| u.id)
            .collect(),
    };
    let mut items = Vec::new();
    let mut r = state.store.reader().await?;
    for root in roots {
        items.extend(
            r.review_items(&ItemFilter {
                subtree_of: Some(root),
                kind: nonempty(&q.kind),
                stage: nonempty(&q.stage),
                from: date(&q.from),
                to: date(&q.to),
                limit: Some(500),
            })
            .await?,
        );
    }
    // Approved and published events by date: the calendar of what may take place.
    let mut events = Vec::new();
    for it in items
        .iter()
        .filter(|i| i.kind == "event" && (i.stage == "approved" || i.stage == "published"))
    {
        let when = r
            .item_versions(it.id)
            .await?
            .into_iter()
            .find(|x| x.version == it.current_version)
            .and_then(|x| {
                x.details
                    .get("starts_at")
                    .and_then(|s| s.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_default();
        events.push((when, it.clone()));
    }
    drop(r);
    events.sort_by(|a, b| a.0.cmp(&b.0));
    let mut ev_rows = Vec::new();
    for (when, it) in events {
        ev_rows.push((when, item_rows(&state.store, vec![it]).await?.remove(0)));
    }
    render(&ListPage {
        chrome: Chrome::new(lang, Some(&v)),
        waiting,
        items: item_rows(&state.store, items).await?,
        units,
        my_units: crate::shared::mine::units(&state, &v, today()).await?,
        q,
        stages: STAGE_WORDS.iter().map(|w| (*w, stage_zh(w))).collect(),
        events: ev_rows,
    })
}

/// The navigation's count of steps waiting for me, fetched by the page once it has loaded (the
/// chrome itself is built without the database).
pub async fn waiting_badge(State(state): State<AppState>, v: Viewer) -> Result<Html<String>> {
    let n = waiting_for_me(&state, &v).await?.len();
    Ok(Html(if n == 0 {
        String::new()
    } else {
        format!("<b class=\"badge\" title=\"待我审核\">{n}</b>")
    }))
}

/// One line of an item's trail.
pub struct TrailRow {
    pub at: String,
    pub who: String,
    pub what: String,
    pub step: String,
    pub detail: String,
    pub hash: String,
}

pub fn trail(l: &Loaded, names: &HashMap<i64, String>) -> Result<Vec<TrailRow>> {
    let wf = l.workflow()?;
    let name = |p: &PersonId| names.get(&p.0).cloned().unwrap_or_else(|| p.0.to_string());
    let step_title = |s: &usize| {
        wf.steps
            .get(*s)
            .map(|x| x.title.clone())
            .unwrap_or_default()
    };
    let short = |h: &str| h.chars().take(12).collect::<String>();
    Ok(l.events
        .iter()
        .map(|e| {
            let at = (e.at + chrono::Duration::hours(8))
                .format("%Y-%m-%d %H:%M")
                .to_string();
            let (who, what, step, detail, hash) = match &e.event {
                Event::Submitted { by, version, hash } => (
                    name(by),
                    format!("提交第{version}版"),
                    String::new(),
                    String::new(),
                    short(hash),
                ),
                Event::Approved {
                    step,
                    by,
                    hash,
                    checklist,
                    lawful_basis,
                    comment,
                    ..
                } => {
                    let mut d = Vec::new();
                    if !checklist.is_empty() {
                        d.push(format!(
                            "审核要点：{}",
                            wf.checklist
                                .iter()
                                .zip(checklist)
                                .map(|(c, ok)| format!("{c}{}", if *ok { "✓" } else { "✗" }))
                                .collect::<Vec<_>>()
                                .join("；")
                        ));
                    }
                    if let Some(b) = lawful_basis {
                        d.push(format!("公开依据：{b}"));
                    }
                    if !comment.is_empty() {
                        d.push(format!("意见：{comment}"));
                    }
                    (
                        name(by),
                        "审核通过".into(),
                        step_title(step),
                        d.join("　"),
                        short(hash),
                    )
                }
                Event::Returned {
                    step,
                    by,
                    hash,
                    comment,
                } => (
                    name(by),
                    "退回修改".into(),
                    step_title(step),
                    format!("意见：{comment}"),
                    short(hash),
                ),
                Event::Rejected {
                    step,
                    by,
                    hash,
                    comment,
                } => (
                    name(by),
                    "驳回".into(),
                    step_title(step),
                    format!("意见：{comment}"),
                    short(hash),
                ),
                Event::Withdrawn { by } => (
                    name(by),
                    "撤回".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                ),
                Event::Reassigned {
                    step,
                    by,
                    to,
                    reason,
                } => (
                    if names.contains_key(&by.0) {
                        name(by)
                    } else {
                        e.by_name.clone()
                    },
                    format!("转交给{}", name(to)),
                    step_title(step),
                    reason.clone(),
                    String::new(),
                ),
                Event::Published { by, url } => (
                    name(by),
                    "已发布".into(),
                    String::new(),
                    url.clone(),
                    String::new(),
                ),
            };
            TrailRow {
                at,
                who,
                what,
                step,
                detail,
                hash,
            }
        })
        .collect())
}

pub async fn names_below(state: &AppState, l: &Loaded) -> Result<HashMap<i64, String>> {
    let root = l
        .org
        .ancestry(UnitId(l.item.unit_id))
        .last()
        .map(|u| u.0)
        .unwrap_or(l.item.unit_id);
    Ok(state
        .store
        .reader()
        .await?
        .people_in_subtree(root)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect())
}

pub struct StepRow {
    pub title: String,
    pub role: String,
    pub state: &'static str,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "pages/review.html")]
pub struct ItemPage {
    pub chrome: Chrome,
    pub l: Loaded,
    pub wf_title: String,
    pub kind_zh: &'static str,
    pub stage_zh: String,
    pub steps: Vec<StepRow>,
    pub waiting: String,
    pub trail: Vec<TrailRow>,
    pub submitter: String,
    pub channel: Option<Channel>,
    pub checklist: Vec<String>,
    pub can_decide: bool,
    pub can_admin: bool,
    pub can_risk: bool,
    pub needs_risk: bool,
    pub publishable: bool,
    pub resubmittable: bool,
    pub withdrawable: bool,
    pub in_review: bool,
    pub people: Vec<(i64, String)>,
    pub error: Option<String>,
    pub seq: usize,
    pub details: Vec<(&'static str, String)>,
    /// Where and when it was published (the URL or place, the time it was marked, and whether it
    /// is a web address to link to: a `javascript:` text must never become a link).
    pub published: Option<(String, String, bool)>,
}

impl ItemPage {
    fn version(&self) -> Option<&ItemVersion> {
        self.l.current()
    }
    fn short_hash(&self) -> String {
        self.version()
            .map(|v| v.hash.chars().take(12).collect())
            .unwrap_or_default()
    }
    fn risk_label(&self, level: &str) -> &'static str {
        self.chrome.t.s(match level {
            "low" => "rv.risk_low",
            "medium" => "rv.risk_medium",
            _ => "rv.risk_high",
        })
    }
}

const DETAIL_FIELDS: &[(&str, &str)] = &[
    ("speakers", "主讲人"),
    ("starts_at", "时间"),
    ("place", "地点"),
    ("audience", "预计规模及对象"),
];

async fn item_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    id: i64,
    error: Option<String>,
) -> Result<ItemPage> {
    let (l, level) = load_visible(state, v, id).await?;
    let wf = l.workflow()?.clone();
    let st = l.state()?;
    let names = names_below(state, &l).await?;
    let trail = trail(&l, &names)?;
    let waiting = match l.waiting_for()? {
        Some(Approvers::Holders { people, .. }) => people
            .iter()
            .map(|p| names.get(&p.0).cloned().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("、"),
        Some(Approvers::Reassigned { person }) => names.get(&person.0).cloned().unwrap_or_default(),
        Some(Approvers::Administrator) => "无人担任该角色，等待管理员转交".into(),
        None => String::new(),
    };
    let me = v.account.person_id;
    let can_decide = match (me, l.waiting_for()?) {
        (Some(p), Some(a)) => a.includes(PersonId(p)) && p != l.item.submitter_person_id,
        _ => false,
    };
    let is_submitter = me == Some(l.item.submitter_person_id);
    let applicable = applicable_steps(&wf, l.item.major);
    let current_step = match st.stage {
        Stage::InReview { step } => Some(step),
        _ => None,
    };
    let done_all = matches!(st.stage, Stage::Approved | Stage::Published);
    let steps = applicable
        .iter()
        .map(|&i| {
            let s = &wf.steps[i];
            let passed = done_all || current_step.is_some_and(|c| i < c);
            StepRow {
                title: s.title.clone(),
                role: l.policy.role_title(&s.role).to_string(),
                state: if passed {
                    "已通过"
                } else if current_step == Some(i) {
                    "审核中"
                } else {
                    "未开始"
                },
                current: current_step == Some(i),
            }
        })
        .collect();
    let channel = match l.item.channel_id {
        Some(c) => state.store.reader().await?.channel(c).await?,
        None => None,
    };
    let details = l
        .current()
        .map(|cur| {
            DETAIL_FIELDS
                .iter()
                .filter_map(|(k, zh)| {
                    cur.details
                        .get(*k)
                        .and_then(|x| x.as_str())
                        .filter(|x| !x.is_empty())
                        .map(|x| (*zh, x.to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut people: Vec<(i64, String)> = names.into_iter().collect();
    people.sort();
    let submitter = people
        .iter()
        .find(|p| p.0 == l.item.submitter_person_id)
        .map(|p| p.1.clone())
        .unwrap_or_default();
    let needs_risk = wf
        .requires
        .contains(&zeren_policy::Requirement::RiskAssessment);
    Ok(ItemPage {
        chrome: Chrome::new(lang, Some(v)),
        wf_title: wf.title.clone(),
        kind_zh: kind_zh(&l.item.kind),
        stage_zh: st.stage.zh(),
        steps,
        waiting,
        trail,
        submitter,
        channel,
        checklist: wf.checklist.clone(),
        can_decide,
        can_admin: level.is_some_and(|x| x >= Level::Administer),
        can_risk: needs_risk && (is_submitter || level.is_some_and(|x| x >= Level::Edit)),
        needs_risk,
        publishable: is_submitter
            && st.stage == Stage::Approved
            && wf.kind == WorkflowKind::Publication,
        resubmittable: is_submitter && !matches!(st.stage, Stage::Rejected | Stage::Published),
        withdrawable: is_submitter
            && matches!(st.stage, Stage::InReview { .. })
            && !st.decided_this_round,
        in_review: current_step.is_some(),
        people,
        error,
        seq: l.events.len(),
        details,
        published: l.events.iter().rev().find_map(|e| match &e.event {
            Event::Published { url, .. } => Some((
                url.clone(),
                (e.at + chrono::Duration::hours(8))
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
                url.starts_with("https://") || url.starts_with("http://"),
            )),
            _ => None,
        }),
        l,
    })
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    render(&item_page(&state, &v, lang, id, None).await?)
}

/// Shows the item again with the refusal, so the reviewer sees why.
async fn refused(state: &AppState, v: &Viewer, lang: Lang, id: i64, e: Error) -> Result<Response> {
    match e {
        Error::Invalid(m) | Error::Conflict(m) => {
            let status = if m == DECIDED_BY_OTHERS {
                axum::http::StatusCode::CONFLICT
            } else {
                axum::http::StatusCode::UNPROCESSABLE_ENTITY
            };
            let page = item_page(state, v, lang, id, Some(m)).await?;
            Ok((status, render(&page)?).into_response())
        }
        other => Err(other),
    }
}

fn back(id: i64) -> Response {
    see_other(&format!("/reviews/{id}"))
}

pub async fn decide(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let get = |k: &str| field(&f, k);
    let (l, _) = load_visible(&state, &v, id).await?;
    let n = l.workflow()?.checklist.len();
    // Each checklist item is a checkbox named check_N; unticked ones are not sent.
    let checklist: Vec<bool> = (0..n)
        .map(|i| {
            f.iter()
                .any(|(k, x)| k == &format!("check_{i}") && !x.is_empty())
        })
        .collect();
    let basis = Some(get("lawful_basis")).filter(|b| !b.trim().is_empty());
    let action = match decision(
        &get("decision"),
        get("hash"),
        checklist,
        basis,
        get("comment"),
    ) {
        Ok(a) => a,
        Err(e) => return refused(&state, &v, lang, id, e).await,
    };
    match act(&state, &v, id, action, get("seq").parse().ok()).await {
        Ok(_) => Ok(back(id)),
        Err(e) => refused(&state, &v, lang, id, e).await,
    }
}

pub async fn withdraw(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Response> {
    match act(&state, &v, id, Action::Withdraw, None).await {
        Ok(_) => Ok(back(id)),
        Err(e) => refused(&state, &v, lang, id, e).await,
    }
}

#[derive(Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    url: String,
}

pub async fn publish(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<PublishForm>,
) -> Result<Response> {
    match act(&state, &v, id, Action::Publish { url: f.url }, None).await {
        Ok(_) => Ok(back(id)),
        Err(e) => refused(&state, &v, lang, id, e).await,
    }
}

#[derive(Deserialize)]
pub struct ReassignForm {
    #[serde(default)]
    person_id: String,
    #[serde(default)]
    reason: String,
}

pub async fn reassign(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<ReassignForm>,
) -> Result<Response> {
    // 转交 is an administrator's act: refuse others before looking at the form.
    let unit = load(&state, id).await?.item.unit_id;
    access::require(&state.store, &v, unit, Level::Administer).await?;
    let Ok(to) = f.person_id.parse::<i64>() else {
        return refused(
            &state,
            &v,
            lang,
            id,
            Error::Invalid("请选择转交给谁".into()),
        )
        .await;
    };
    let action = Action::Reassign {
        to: PersonId(to),
        reason: f.reason,
    };
    match act(&state, &v, id, action, None).await {
        Ok(_) => Ok(back(id)),
        Err(e) => refused(&state, &v, lang, id, e).await,
    }
}

pub async fn risk_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let get = |k: &str| field(&f, k).trim().to_string();
    let mut consultations = Vec::new();
    for i in 0..3 {
        let summary = get(&format!("summary_{i}"));
        if summary.is_empty() {
            continue;
        }
        let Ok(date) = NaiveDate::parse_from_str(&get(&format!("date_{i}")), "%Y-%m-%d") else {
            return refused(
                &state,
                &v,
                lang,
                id,
                Error::Invalid("请填写每次征求意见的日期".into()),
            )
            .await;
        };
        consultations.push(Consultation {
            kind: get(&format!("kind_{i}")),
            date,
            summary,
        });
    }
    let ra = NewRiskAssessment {
        consultations,
        risk_level: get("risk_level"),
        contingency: get("contingency"),
    };
    match add_risk(&state, &v, id, ra).await {
        Ok(_) => Ok(back(id)),
        Err(e) => refused(&state, &v, lang, id, e).await,
    }
}

/// The version a multipart form submits.
fn raw_of(parts: &MultipartForm) -> RawVersion {
    let mut details = serde_json::Map::new();
    for (k, _) in DETAIL_FIELDS {
        let x = parts.text(k);
        if !x.is_empty() {
            details.insert((*k).into(), x.into());
        }
    }
    RawVersion {
        title: parts.text("title"),
        body: parts.text("body"),
        details: serde_json::Value::Object(details),
        files: parts
            .files("files")
            .into_iter()
            .map(|(name, media, bytes)| (name, media, bytes.to_vec()))
            .collect(),
    }
}

pub async fn new_version_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    m: Multipart,
) -> Result<Response> {
    let parts = MultipartForm::read(m).await?;
    let expected = parts.text("version").parse().ok();
    match add_version(&state, &v, id, expected, raw_of(&parts)).await {
        Ok(()) => Ok(back(id)),
        Err(e) => refused(&state, &v, lang, id, e).await,
    }
}

#[derive(Template)]
#[template(path = "pages/review_new.html")]
pub struct NewPage {
    pub chrome: Chrome,
    pub unit: Unit,
    pub workflows: Vec<(String, String, &'static str)>,
    pub channels: Vec<Channel>,
    pub error: Option<String>,
}

async fn new_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    unit_id: i64,
    error: Option<String>,
) -> Result<NewPage> {
    let unit = require_acts_for(state, v, unit_id).await?;
    let mut r = state.store.reader().await?;
    let workflows = match r.policy_in_force(unit_id).await? {
        Some(ip) => parse_installed(&ip)?
            .workflows
            .iter()
            .map(|w| (w.id.to_string(), w.title.clone(), w.kind.zh()))
            .collect(),
        None => Vec::new(),
    };
    let mut channels = Vec::new();
    for u in r.path(unit_id).await? {
        channels.extend(
            r.channels_at(u.id)
                .await?
                .into_iter()
                .filter(|c| c.status == "active"),
        );
    }
    Ok(NewPage {
        chrome: Chrome::new(lang, Some(v)),
        unit,
        workflows,
        channels,
        error,
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    render(&new_page(&state, &v, lang, id, None).await?)
}

pub async fn create_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(unit_id): Path<i64>,
    m: Multipart,
) -> Result<Response> {
    require_acts_for(&state, &v, unit_id).await?;
    let parts = MultipartForm::read(m).await?;
    let channel = parts.text("channel_id").parse().ok();
    let major = !parts.text("major").is_empty();
    match create(
        &state,
        &v,
        unit_id,
        &parts.text("workflow"),
        channel,
        major,
        raw_of(&parts),
    )
    .await
    {
        Ok(id) => Ok(back(id)),
        Err(Error::Invalid(m)) => {
            let page = new_page(&state, &v, lang, unit_id, Some(m)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn download(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, version, position)): Path<(i64, i64, i64)>,
) -> Result<Response> {
    let (l, _) = load_visible(&state, &v, id).await?;
    let a = l
        .versions
        .iter()
        .find(|x| x.version == version)
        .and_then(|x| x.attachments.iter().find(|a| a.position == position))
        .ok_or(Error::NotFound)?;
    respond::stored_file(&state.store, &a.sha256, &a.file_name).await
}
