//! Reviews in the browser: the list with "waiting for me" and approved events by date, submitting
//! an item with its files, an item's page with findings, checklist, decision, trail and
//! publication, new versions, withdrawal, 转交, risk assessments, and a version's files.

use std::collections::HashMap;

use crate::shared::multipart::Multipart;
use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use zeren_core::org::{PersonId, UnitId};
use zeren_core::review::{applicable_steps, Action, Approvers, Event, Stage};
use zeren_policy::WorkflowKind;
use zeren_store::reviews::*;
use zeren_store::{Level, Read, Unit};

use super::items::*;
use crate::shared::clock::{today, zh_local, zh_time};
use crate::shared::extract::field;
use crate::shared::multipart::Form as MultipartForm;
use crate::shared::policies::parse_installed;
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;
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
    /// A stored time as people write it: 2026年12月10日 14:30.
    fn at(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        zh_local(t)
    }
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
                submitter: None,
                kind: nonempty(&q.kind),
                stage: nonempty(&q.stage),
                from: date(&q.from),
                to: date(&q.to),
                limit: Some(500),
                ..ItemFilter::default()
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
        // Sorted by the stored time (ISO), shown as people write it.
        let when = detail_text("starts_at", &when);
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
            let at = zh_local(&e.at);
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
                    manual_check,
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
                    if let Some(m) = manual_check {
                        d.push(format!("人工检查：{m}"));
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
                    match by {
                        Some(by) if names.contains_key(&by.0) => name(by),
                        _ => e.by_name.clone(),
                    },
                    format!("转交给{}", name(to)),
                    step_title(step),
                    reason.clone(),
                    String::new(),
                ),
                Event::MarkingCleared {
                    by,
                    hash,
                    decision,
                    document_no,
                } => (
                    name(by),
                    "确认解密".into(),
                    String::new(),
                    format!("{}，决定文号：{document_no}", decision.zh()),
                    short(hash),
                ),
                Event::Published {
                    by,
                    url,
                    published_at,
                } => (
                    name(by),
                    "已发布".into(),
                    String::new(),
                    match published_at {
                        Some(t) => format!("发布地址：{url}　发布时间：{}", zh_time(t)),
                        None => format!("发布地址：{url}"),
                    },
                    String::new(),
                ),
                Event::PublicationCorrected {
                    by,
                    url,
                    published_at,
                    reason,
                } => (
                    name(by),
                    "更正发布信息".into(),
                    String::new(),
                    format!(
                        "发布地址：{url}　发布时间：{}　更正原因：{reason}",
                        zh_time(published_at)
                    ),
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
    pub refused: Refused,
    pub seq: usize,
    pub details: Vec<(&'static str, String)>,
    /// The details as the new version's form fields: (name, label, current value as stored).
    pub detail_inputs: Vec<(&'static str, &'static str, String)>,
    /// Where and when it was published (the URL, the time it went online, and whether it is a
    /// web address to link to: a `javascript:` text stored before URLs were checked must never
    /// become a link).
    pub published: Option<(String, String, bool)>,
    /// The current version's blocking findings by what clears them.
    pub blocking: Blocking,
    /// Whether the viewer holds the role the workflow names for 解密/定密 confirmations and the
    /// version's markings wait for one.
    pub can_declassify: bool,
    /// Whether the markings of the current version were cleared, and by which decision.
    pub cleared: Option<String>,
    /// The role the workflow names for 解密/定密 confirmations, if any.
    pub declassifier: Option<String>,
    /// Whether the viewer may correct the published address and time.
    pub can_correct: bool,
    /// Whether a reviewer already recorded a manual check of this version's unreadable files.
    pub manual_checked: bool,
    /// Now in China time, for the published time's field.
    pub now_local: String,
}

impl ItemPage {
    /// A stored time as people write it: 2026年12月10日 14:30.
    fn at(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        zh_local(t)
    }
    /// A date as people write it: 2026年5月10日.
    fn day(&self, d: &NaiveDate) -> String {
        zeren_export::date_zh(*d)
    }
    fn version(&self) -> Option<&ItemVersion> {
        self.l.current()
    }
    fn short_hash(&self) -> String {
        self.version()
            .map(|v| v.hash.chars().take(12).collect())
            .unwrap_or_default()
    }
    /// Whether the refused form is on the page again (a decision that came second may leave
    /// the viewer nothing to decide: the refusal is then said at the top).
    fn form_shown(&self) -> bool {
        match self.refused.form.as_str() {
            "decide" => self.can_decide && self.version().is_some(),
            "risk" => self.can_risk,
            "publish" => self.publishable,
            "version" => self.resubmittable,
            "reassign" => self.can_admin && self.in_review,
            "declassify" => self.can_declassify,
            "correct" => self.can_correct,
            _ => false,
        }
    }

    /// Everything the refusal says, for the top of the page when its form is gone.
    fn refusal_text(&self) -> String {
        self.refused.problems.message()
    }

    fn risk_label(&self, level: &str) -> &'static str {
        self.chrome.t.s(match level {
            "low" => "rv.risk_low",
            "medium" => "rv.risk_medium",
            _ => "rv.risk_high",
        })
    }
}

/// A detail of a version as people read it, if it is there (the 境外 flag only when set).
pub fn detail_value(details: &serde_json::Value, key: &str) -> Option<String> {
    if key == "foreign_speaker" {
        return foreign_speaker(details).then(|| detail_text(key, "1"));
    }
    details
        .get(key)
        .and_then(|x| x.as_str())
        .filter(|x| !x.trim().is_empty())
        .map(|x| detail_text(key, x))
}

/// An event detail as people read it: times as 2026年12月10日 14:30, the 境外 flag as 是.
pub fn detail_text(key: &str, value: &str) -> String {
    match key {
        "starts_at" => local_time(value)
            .map(|t| zh_time(&t))
            .unwrap_or_else(|| value.to_string()),
        "foreign_speaker" => "是（境外人员，须从严审批）".into(),
        _ => value.to_string(),
    }
}

async fn item_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    id: i64,
    refused: Refused,
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
    let applicable = applicable_steps(&wf, l.item.major, l.foreign_speaker());
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
                .filter_map(|(k, zh)| detail_value(&cur.details, k).map(|x| (*zh, x)))
                .collect()
        })
        .unwrap_or_default();
    // A new version keeps what the current one says unless the submitter changes it.
    let detail_inputs = DETAIL_FIELDS
        .iter()
        .filter(|(k, _)| wf.kind == WorkflowKind::Event || matches!(*k, "column" | "author"))
        .map(|(k, zh)| {
            let v = l.current().map(|c| &c.details);
            let value = match (*k, v) {
                ("foreign_speaker", Some(d)) => {
                    if foreign_speaker(d) {
                        "1".to_string()
                    } else {
                        String::new()
                    }
                }
                (_, Some(d)) => d.get(*k).and_then(|x| x.as_str()).unwrap_or("").to_string(),
                _ => String::new(),
            };
            (*k, *zh, value)
        })
        .collect();
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
    let blocking = l.blocking();
    let cleared = l.events.iter().rev().find_map(|e| match &e.event {
        Event::MarkingCleared {
            hash,
            decision,
            document_no,
            ..
        } if Some(hash) == l.current().map(|c| &c.hash) => {
            Some(format!("{}（{document_no}）", decision.zh()))
        }
        _ => None,
    });
    let can_declassify = blocking.markings > 0
        && cleared.is_none()
        && current_step.is_some()
        && !is_submitter
        && match (me, &wf.declassified_by) {
            (Some(p), Some(role)) => zeren_core::review::resolve_approvers(
                &l.org,
                role,
                UnitId(l.item.unit_id),
                PersonId(l.item.submitter_person_id),
                today(),
            )
            .includes(PersonId(p)),
            _ => false,
        };
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
        can_admin: l.may_reassign(v, level),
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
        refused,
        seq: l.events.len(),
        details,
        detail_inputs,
        published: l.events.iter().rev().find_map(|e| {
            let (url, at) = match &e.event {
                Event::Published {
                    url, published_at, ..
                } => (url, published_at.map(|t| zh_time(&t))),
                Event::PublicationCorrected {
                    url, published_at, ..
                } => (url, Some(zh_time(published_at))),
                _ => return None,
            };
            Some((
                url.clone(),
                at.unwrap_or_else(|| zh_local(&e.at)),
                zeren_core::review::PublishedUrl::parse(url).is_some(),
            ))
        }),
        blocking,
        can_declassify,
        cleared,
        declassifier: wf
            .declassified_by
            .as_ref()
            .map(|r| l.policy.role_title(r).to_string()),
        manual_checked: st.manual_checked,
        can_correct: st.stage == Stage::Published
            && (is_submitter || level.is_some_and(|x| x >= Level::Administer)),
        now_local: (chrono::Utc::now() + chrono::Duration::hours(8))
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
        l,
    })
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    render(&item_page(&state, &v, lang, id, Refused::default()).await?)
}

/// The store's words for a decision that came second, in the viewer's language.
fn localised(e: Error, lang: Lang) -> Error {
    match e {
        Error::Conflict(m) if m == DECIDED_BY_OTHERS => {
            Error::Conflict(Tr(lang).s("rv.p.decided_by_others").into())
        }
        e => e,
    }
}

/// Shows the item again with the refused form as it was filled in and the reasons beside its
/// fields, so nothing typed is lost.
async fn refused(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    id: i64,
    form: &str,
    values: &[(String, String)],
    e: Error,
) -> Result<Response> {
    let r = Refused::of(form, values, localised(e, lang), lang)?;
    show_refused(state, v, lang, id, r).await
}

async fn show_refused(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    id: i64,
    r: Refused,
) -> Result<Response> {
    let status = r.status;
    let page = item_page(state, v, lang, id, r).await?;
    Ok((status, render(&page)?).into_response())
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
    let manual = Some(get("manual_check")).filter(|b| !b.trim().is_empty());
    let input = DecisionInput {
        decision: get("decision"),
        hash: get("hash"),
        checklist,
        lawful_basis: basis,
        manual_check: manual,
        comment: get("comment"),
    };
    let action = match decision(input, lang) {
        Ok(a) => a,
        Err(e) => return refused(&state, &v, lang, id, "decide", &f, e).await,
    };
    match act(&state, &v, id, action, get("seq").parse().ok(), lang).await {
        Ok(_) => Ok(back(id)),
        Err(e) => refused(&state, &v, lang, id, "decide", &f, e).await,
    }
}

pub async fn withdraw(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Response> {
    match act(&state, &v, id, Action::Withdraw, None, lang).await {
        Ok(_) => Ok(back(id)),
        Err(e) => refused(&state, &v, lang, id, "withdraw", &[], e).await,
    }
}

pub async fn publish(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let outcome = match publish_action(&field(&f, "url"), &field(&f, "published_at"), None, lang) {
        Ok(action) => act(&state, &v, id, action, None, lang).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => Ok(back(id)),
        Err(e) => refused(&state, &v, lang, id, "publish", &f, e).await,
    }
}

/// A correction of the published address or time: a new entry in the trail, never an edit.
pub async fn correct(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let outcome = match publish_action(
        &field(&f, "url"),
        &field(&f, "published_at"),
        Some(field(&f, "reason")),
        lang,
    ) {
        Ok(action) => act(&state, &v, id, action, None, lang).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => Ok(back(id)),
        Err(e) => refused(&state, &v, lang, id, "correct", &f, e).await,
    }
}

/// A 解密/定密 confirmation by the role the workflow names, with the decision's number.
pub async fn declassify(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let get = |k: &str| field(&f, k);
    let outcome =
        match clear_marking_action(get("hash"), &get("decision"), get("document_no"), lang) {
            Ok(action) => act(&state, &v, id, action, get("seq").parse().ok(), lang)
                .await
                .map(|_| ()),
            Err(e) => Err(e),
        };
    match outcome {
        Ok(()) => Ok(back(id)),
        Err(e) => refused(&state, &v, lang, id, "declassify", &f, e).await,
    }
}

pub async fn reassign(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    // 转交 is an administrator's act (or the role the workflow names): refuse others before
    // looking at the form.
    let (l, level) = load_visible(&state, &v, id).await?;
    if !l.may_reassign(&v, level) {
        return Err(Error::Forbidden);
    }
    let Ok(to) = field(&f, "person_id").parse::<i64>() else {
        let e = Error::Fields(crate::shared::error::Problems::one(
            "person_id",
            Tr(lang).s("rv.p.pick_reviewer"),
        ));
        return refused(&state, &v, lang, id, "reassign", &f, e).await;
    };
    let action = Action::Reassign {
        to: PersonId(to),
        reason: field(&f, "reason"),
    };
    match act(&state, &v, id, action, None, lang).await {
        Ok(_) => Ok(back(id)),
        Err(e) => refused(&state, &v, lang, id, "reassign", &f, e).await,
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
            let e = Error::Fields(crate::shared::error::Problems::one(
                &format!("date_{i}"),
                Tr(lang).s("rv.p.consultation_date"),
            ));
            return refused(&state, &v, lang, id, "risk", &f, e).await;
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
    match add_risk(&state, &v, id, ra, lang).await {
        Ok(_) => Ok(back(id)),
        Err(e) => refused(&state, &v, lang, id, "risk", &f, e).await,
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
    let parts = MultipartForm::read(m, state.config.upload_limit_bytes() as u64).await?;
    if let Some(limit) = parts.too_large() {
        let p = crate::shared::error::Problems::one("files", Error::TooLarge(limit).message(lang));
        return show_refused(
            &state,
            &v,
            lang,
            id,
            Refused::multipart("version", &parts, p),
        )
        .await;
    }
    let expected = parts.text("version").parse().ok();
    match add_version(&state, &v, id, expected, raw_of(&parts), lang).await {
        Ok(()) => Ok(back(id)),
        Err(e) => {
            let r = Refused::of_multipart("version", &parts, localised(e, lang), lang)?;
            show_refused(&state, &v, lang, id, r).await
        }
    }
}

#[derive(Template)]
#[template(path = "pages/review_new.html")]
pub struct NewPage {
    pub chrome: Chrome,
    pub unit: Unit,
    pub workflows: Vec<(String, String, &'static str)>,
    pub channels: Vec<Channel>,
    pub refused: Refused,
}

async fn new_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    unit_id: i64,
    refused: Refused,
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
        refused,
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    render(&new_page(&state, &v, lang, id, Refused::default()).await?)
}

pub async fn create_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(unit_id): Path<i64>,
    m: Multipart,
) -> Result<Response> {
    require_acts_for(&state, &v, unit_id).await?;
    let parts = MultipartForm::read(m, state.config.upload_limit_bytes() as u64).await?;
    let outcome = match parts.too_large() {
        Some(limit) => Err(Error::Fields(crate::shared::error::Problems::one(
            "files",
            Error::TooLarge(limit).message(lang),
        ))),
        None => {
            let channel = parts.text("channel_id").parse().ok();
            let major = !parts.text("major").is_empty();
            create(
                &state,
                &v,
                unit_id,
                &parts.text("workflow"),
                channel,
                major,
                raw_of(&parts),
                lang,
            )
            .await
        }
    };
    match outcome {
        Ok(id) => Ok(back(id)),
        Err(e) => {
            let too_large = parts.too_large().is_some();
            let mut r = Refused::of_multipart("new", &parts, e, lang)?;
            if too_large {
                r.status = axum::http::StatusCode::PAYLOAD_TOO_LARGE;
            }
            let status = r.status;
            let page = new_page(&state, &v, lang, unit_id, r).await?;
            Ok((status, render(&page)?).into_response())
        }
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
