//! Reviews and approvals in the browser (先审后发): submitting an item with its files (scanned on
//! every version), the item's page with findings, checklist, decision, trail and publication,
//! risk assessments for major decisions, "waiting for me", and the channel registry (阵地).
//! The rules are the review engine's (`zeren_core::review`); this module loads, checks, appends.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use zeren_core::org::{Org, PersonId, UnitId};
use zeren_core::review::{
    applicable_steps, Action, Actor, Approvers, Context, Event, Item, ReviewState, Stage,
};
use zeren_policy::{Policy, Workflow, WorkflowId, WorkflowKind};
use zeren_scan::{Limits, ScanConfig, Scanner};
use zeren_store::ledger::LedgerRead;
use zeren_store::reviews::*;
use zeren_store::{Level, Read, Unit};

use crate::auth::Viewer;
use crate::error::Error;
use crate::extract::{Form as FormBody, Path, Query};
use crate::i18n::Lang;
use crate::ledger::Form;
use crate::view::{render, Chrome};
use crate::{access, AppState};

type Result<T, E = Error> = std::result::Result<T, E>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reviews", get(list))
        .route("/reviews/waiting", get(waiting_badge))
        .route("/reviews/{id}", get(page))
        .route("/reviews/{id}/decide", post(decide))
        .route("/reviews/{id}/versions", post(new_version_form))
        .route("/reviews/{id}/withdraw", post(withdraw))
        .route("/reviews/{id}/publish", post(publish))
        .route("/reviews/{id}/reassign", post(reassign))
        .route("/reviews/{id}/risk", post(risk_form))
        .route("/reviews/{id}/files/{version}/{position}", get(download))
        .route("/reviews/{id}/registration.docx", get(registration_docx))
        .route("/units/{id}/reviews/new", get(new_form))
        .route("/units/{id}/reviews", post(create_form))
        .route("/units/{id}/channels", get(channels).post(create_channel))
        .route("/channels/{id}/status", post(channel_status))
}

// ------------------------------------------------------------------ loading and acting

/// An item with everything the engine and the pages need.
pub struct Loaded {
    pub item: ReviewItem,
    pub versions: Vec<ItemVersion>,
    pub events: Vec<StoredEvent>,
    pub risks: Vec<RiskAssessment>,
    pub policy: Policy,
    pub org: Org,
    pub unit: Unit,
}

impl Loaded {
    pub fn workflow(&self) -> Result<&Workflow> {
        WorkflowId::parse(&self.item.workflow_id)
            .and_then(|id| self.policy.workflow(&id))
            .ok_or_else(|| Error::Internal(format!("workflow {} is gone", self.item.workflow_id)))
    }

    pub fn current(&self) -> Option<&ItemVersion> {
        self.versions
            .iter()
            .find(|v| v.version == self.item.current_version)
    }

    fn core<'a>(&self, wf: &'a Workflow) -> Item<'a> {
        Item {
            workflow: wf,
            unit: UnitId(self.item.unit_id),
            submitter: PersonId(self.item.submitter_person_id),
            major: self.item.major,
        }
    }

    fn ctx(&self) -> Context<'_> {
        Context {
            org: &self.org,
            on: crate::org::today(),
            blocking_findings: self.current().map(|v| v.blocking as usize).unwrap_or(0),
            has_risk_assessment: !self.risks.is_empty(),
        }
    }

    pub fn state(&self) -> Result<ReviewState> {
        let wf = self.workflow()?;
        let events: Vec<Event> = self.events.iter().map(|e| e.event.clone()).collect();
        Ok(ReviewState::replay(&self.core(wf), &events))
    }

    pub fn waiting_for(&self) -> Result<Option<Approvers>> {
        let wf = self.workflow()?;
        Ok(self.state()?.waiting_for(&self.core(wf), &self.ctx()))
    }

    /// Whether `person` has a part in the item: submitter, awaited or past decider.
    fn involves(&self, person: i64) -> Result<bool> {
        if person == self.item.submitter_person_id {
            return Ok(true);
        }
        if self
            .waiting_for()?
            .is_some_and(|a| a.includes(PersonId(person)))
        {
            return Ok(true);
        }
        Ok(self.events.iter().any(|e| match &e.event {
            Event::Approved { by, .. }
            | Event::Returned { by, .. }
            | Event::Rejected { by, .. } => by.0 == person,
            Event::Reassigned { to, .. } => to.0 == person,
            _ => false,
        }))
    }
}

pub async fn load(state: &AppState, id: i64) -> Result<Loaded> {
    let mut r = state.store.reader().await?;
    let item = r.review_item(id).await?.ok_or(Error::NotFound)?;
    let versions = r.item_versions(id).await?;
    let events = r.item_events(id).await?;
    let risks = r.risk_assessments(id).await?;
    let ip = r
        .installed_policy(item.installed_policy_id)
        .await?
        .ok_or(Error::NotFound)?;
    let path = r.path(item.unit_id).await?;
    drop(r);
    let policy = crate::org::parse_installed(&ip)?;
    let root = path.first().map(|u| u.id).unwrap_or(item.unit_id);
    let unit = path.last().cloned().ok_or(Error::NotFound)?;
    let org = zeren_store::materialise::org_snapshot(&state.store, root).await?;
    Ok(Loaded {
        item,
        versions,
        events,
        risks,
        policy,
        org,
        unit,
    })
}

/// The item, if the viewer may see it: read permission at its unit, or a part in it (an
/// approver at a higher unit need not hold a grant below). Returns the viewer's level there.
pub async fn load_visible(
    state: &AppState,
    v: &Viewer,
    id: i64,
) -> Result<(Loaded, Option<Level>)> {
    let l = load(state, id).await?;
    let level = state
        .store
        .reader()
        .await?
        .level_at(v.account.id, l.item.unit_id)
        .await?;
    if level.is_some_and(|x| x >= Level::Read) {
        return Ok((l, level));
    }
    match v.account.person_id {
        Some(p) if l.involves(p)? => Ok((l, level)),
        _ => Err(Error::Forbidden),
    }
}

fn person_of(v: &Viewer) -> Result<PersonId> {
    v.account.person_id.map(PersonId).ok_or_else(|| {
        Error::Invalid("您的账号未关联人员，不能提交或审核事项（请安全管理员关联）".into())
    })
}

/// Checks `action` against the item's state and appends its event. `seen` is the number of
/// events the actor saw (the page or the API call carries it); if the item moved on since, or
/// another decision takes the same place at the same moment, the actor gets a conflict.
pub async fn act(
    state: &AppState,
    v: &Viewer,
    id: i64,
    action: Action,
    seen: Option<i64>,
) -> Result<Loaded> {
    let (l, level) = load_visible(state, v, id).await?;
    let me = person_of(v)?;
    if let Action::Reassign { to, .. } = &action {
        // 转交 only to a person of the same organisation: the reviewer gains sight of the item.
        let mut r = state.store.reader().await?;
        let person = r
            .person(to.0)
            .await?
            .ok_or_else(|| Error::Invalid("转交对象不存在".into()))?;
        let root = |path: Vec<zeren_store::Unit>| path.first().map(|u| u.id);
        let item_root = root(r.path(l.item.unit_id).await?);
        if root(r.path(person.unit_id).await?) != item_root {
            return Err(Error::Invalid("只能转交给本组织内的人员".into()));
        }
    }
    let seq = l.events.len() as i64;
    if seen.is_some_and(|s| s != seq) {
        return Err(Error::Conflict(DECIDED_BY_OTHERS.into()));
    }
    let wf = l.workflow()?;
    let item = l.core(wf);
    let ctx = l.ctx();
    let mut st = l.state()?;
    let actor = Actor {
        person: me,
        admin: level.is_some_and(|x| x >= Level::Administer),
    };
    let event = st
        .check(&item, &ctx, actor, action)
        .map_err(|e| Error::Invalid(e.zh()))?;
    st.push(&item, &event);
    let mut w = state.store.write(&v.actor()).await?;
    w.append_review_event(id, seq, &event, st.stage).await?;
    w.commit().await?;
    load(state, id).await
}

/// What someone submits as a version, from a form or from the API.
pub struct RawVersion {
    pub title: String,
    pub body: String,
    pub details: serde_json::Value,
    /// (file name, media type, bytes)
    pub files: Vec<(String, String, Vec<u8>)>,
}

/// Scans the title, body and every file; unreadable files are noted, not fatal.
pub fn scan(raw: &RawVersion) -> Vec<ScanFinding> {
    let scanner = Scanner::new(ScanConfig {
        custom_terms: Vec::new(),
    });
    let mut out = Vec::new();
    let conv = |f: zeren_scan::Finding, file: Option<String>| ScanFinding {
        file,
        kind: f.kind.as_str().into(),
        kind_zh: f.kind.name_zh().into(),
        confidence: f.confidence.name_zh().into(),
        location: f.location,
        masked: f.masked,
        context: f.context,
        blocks: f.confidence.blocks(),
    };
    let text = format!("{}\n{}", raw.title, raw.body);
    out.extend(scanner.scan_text(&text).into_iter().map(|f| conv(f, None)));
    for (name, _, bytes) in &raw.files {
        match scanner.scan_file(name, bytes, &Limits::default()) {
            Ok(report) => out.extend(
                report
                    .findings
                    .into_iter()
                    .map(|f| conv(f, Some(name.clone()))),
            ),
            Err(e) => out.push(ScanFinding {
                file: Some(name.clone()),
                kind: "unreadable".into(),
                kind_zh: "无法读取，请人工审查".into(),
                confidence: String::new(),
                location: String::new(),
                masked: String::new(),
                context: e.to_string(),
                blocks: false,
            }),
        }
    }
    out
}

/// Stores the files and returns the version to insert. `findings` were computed before the
/// write transaction began: scanning large files must not hold the database's write lock.
async fn stored_version(
    w: &mut zeren_store::Write,
    raw: &RawVersion,
    findings: Vec<ScanFinding>,
) -> Result<NewItemVersion> {
    let mut attachments = Vec::new();
    for (name, media, bytes) in &raw.files {
        let sha = w.put_attachment(bytes, media).await?;
        attachments.push((name.clone(), sha));
    }
    Ok(NewItemVersion {
        title: raw.title.clone(),
        body: raw.body.clone(),
        details: raw.details.clone(),
        findings,
        attachments,
    })
}

/// The scan's findings when the workflow scans (always for publications).
fn scan_for(wf: &Workflow, raw: &RawVersion) -> Vec<ScanFinding> {
    if wf.scan || wf.kind == WorkflowKind::Publication {
        scan(raw)
    } else {
        Vec::new()
    }
}

fn check_raw(raw: &RawVersion) -> Result<()> {
    if raw.title.trim().is_empty() {
        return Err(Error::Invalid("请填写标题".into()));
    }
    Ok(())
}

/// Creates an item at `unit_id` and submits its first version. Editors of the unit may submit.
pub async fn create(
    state: &AppState,
    v: &Viewer,
    unit_id: i64,
    workflow_id: &str,
    channel_id: Option<i64>,
    major: bool,
    raw: RawVersion,
) -> Result<i64> {
    access::require(&state.store, v, unit_id, Level::Edit).await?;
    let me = person_of(v)?;
    check_raw(&raw)?;
    let mut r = state.store.reader().await?;
    let ip = r
        .policy_in_force(unit_id)
        .await?
        .ok_or_else(|| Error::Invalid("本单位尚未实施制度，没有审核流程".into()))?;
    let policy = crate::org::parse_installed(&ip)?;
    let wf = WorkflowId::parse(workflow_id)
        .and_then(|id| policy.workflow(&id))
        .ok_or_else(|| Error::Invalid(format!("制度中没有审核流程“{workflow_id}”")))?
        .clone();
    if let Some(c) = channel_id {
        let ch = r.channel(c).await?.ok_or(Error::NotFound)?;
        let path = r.path(unit_id).await?;
        if !path.iter().any(|u| u.id == ch.unit_id) {
            return Err(Error::Invalid("所选阵地不属于本单位或上级单位".into()));
        }
    }
    drop(r);
    let findings = scan_for(&wf, &raw);
    let mut w = state.store.write(&v.actor()).await?;
    let version = stored_version(&mut w, &raw, findings).await?;
    let item = w
        .create_review_item(
            &NewItem {
                unit_id,
                installed_policy_id: ip.id,
                workflow_id: wf.id.to_string(),
                kind: wf.kind.to_string(),
                channel_id,
                major,
                submitter_person_id: me.0,
            },
            &version,
        )
        .await?;
    let core = Item {
        workflow: &wf,
        unit: UnitId(unit_id),
        submitter: me,
        major,
    };
    let mut st = ReviewState::replay(&core, &[]);
    let org = Org::new([], Vec::new());
    let ctx = Context {
        org: &org,
        on: crate::org::today(),
        blocking_findings: 0,
        has_risk_assessment: false,
    };
    let event = st
        .check(
            &core,
            &ctx,
            Actor {
                person: me,
                admin: false,
            },
            Action::Submit {
                version: 1,
                hash: version.hash(),
            },
        )
        .map_err(|e| Error::Invalid(e.zh()))?;
    st.push(&core, &event);
    w.append_review_event(item.id, 0, &event, st.stage).await?;
    w.commit().await?;
    Ok(item.id)
}

/// A new version by the submitter (after a return, or an edit): scanned, and the review starts
/// again at the first step (一事一审). `expected` is the version the submitter edited.
pub async fn add_version(
    state: &AppState,
    v: &Viewer,
    id: i64,
    expected: Option<i64>,
    raw: RawVersion,
) -> Result<()> {
    let (l, _) = load_visible(state, v, id).await?;
    let me = person_of(v)?;
    check_raw(&raw)?;
    let wf = l.workflow()?;
    let expected = expected.unwrap_or(l.item.current_version);
    if expected != l.item.current_version {
        return Err(Error::Conflict(format!(
            "事项已有第{}版，请刷新后在最新版本上修改",
            l.item.current_version
        )));
    }
    let mut st = l.state()?;
    let item = l.core(wf);
    let findings = scan_for(wf, &raw);
    let mut w = state.store.write(&v.actor()).await?;
    let version = stored_version(&mut w, &raw, findings).await?;
    let event = st
        .check(
            &item,
            &l.ctx(),
            Actor {
                person: me,
                admin: false,
            },
            Action::Submit {
                version: (expected + 1) as u32,
                hash: version.hash(),
            },
        )
        .map_err(|e| Error::Invalid(e.zh()))?;
    st.push(&item, &event);
    w.add_item_version(id, expected, &version).await?;
    w.append_review_event(id, l.events.len() as i64, &event, st.stage)
        .await?;
    w.commit().await?;
    Ok(())
}

/// Records a risk assessment (submitter, or an editor of the unit).
pub async fn add_risk(
    state: &AppState,
    v: &Viewer,
    id: i64,
    ra: NewRiskAssessment,
) -> Result<RiskAssessment> {
    let (l, level) = load_visible(state, v, id).await?;
    let mine = v.account.person_id == Some(l.item.submitter_person_id);
    if !mine && level.is_none_or(|x| x < Level::Edit) {
        return Err(Error::Forbidden);
    }
    if ra.consultations.is_empty() {
        return Err(Error::Invalid(
            "请至少记录一次论证会、座谈会或公开征求意见".into(),
        ));
    }
    if ra.contingency.trim().is_empty() {
        return Err(Error::Invalid("请填写工作预案".into()));
    }
    if !RISK_LEVELS.contains(&ra.risk_level.as_str()) {
        return Err(Error::Invalid("风险等级须为 low、medium 或 high".into()));
    }
    let mut w = state.store.write(&v.actor()).await?;
    let r = w.add_risk_assessment(id, &ra).await?;
    w.commit().await?;
    Ok(r)
}

/// Items the viewer's person must decide now, across every unit.
pub async fn waiting_for_me(state: &AppState, v: &Viewer) -> Result<Vec<ReviewItem>> {
    let Some(me) = v.account.person_id else {
        return Ok(Vec::new());
    };
    let candidates = state
        .store
        .reader()
        .await?
        .review_items(&ItemFilter {
            stage: Some("in_review".into()),
            limit: Some(10_000),
            ..ItemFilter::default()
        })
        .await?;
    let mut out = Vec::new();
    let mut orgs: HashMap<i64, Org> = HashMap::new();
    for item in candidates {
        let mut r = state.store.reader().await?;
        let events = r.item_events(item.id).await?;
        let blocking = r
            .item_versions(item.id)
            .await?
            .iter()
            .find(|x| x.version == item.current_version)
            .map(|x| x.blocking as usize)
            .unwrap_or(0);
        let has_risk = !r.risk_assessments(item.id).await?.is_empty();
        let Some(ip) = r.installed_policy(item.installed_policy_id).await? else {
            continue;
        };
        let root = r
            .path(item.unit_id)
            .await?
            .first()
            .map(|u| u.id)
            .unwrap_or(item.unit_id);
        drop(r);
        let Ok(policy) = crate::org::parse_installed(&ip) else {
            continue;
        };
        let Some(wf) = WorkflowId::parse(&item.workflow_id).and_then(|id| policy.workflow(&id))
        else {
            continue;
        };
        let org = match orgs.entry(root) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(zeren_store::materialise::org_snapshot(&state.store, root).await?)
            }
        };
        let core = Item {
            workflow: wf,
            unit: UnitId(item.unit_id),
            submitter: PersonId(item.submitter_person_id),
            major: item.major,
        };
        let evs: Vec<Event> = events.into_iter().map(|e| e.event).collect();
        let st = ReviewState::replay(&core, &evs);
        let ctx = Context {
            org,
            on: crate::org::today(),
            blocking_findings: blocking,
            has_risk_assessment: has_risk,
        };
        if st
            .waiting_for(&core, &ctx)
            .is_some_and(|a| a.includes(PersonId(me)))
        {
            out.push(item);
        }
    }
    Ok(out)
}

// ------------------------------------------------------------------ views

pub fn kind_zh(kind: &str) -> &'static str {
    match WorkflowKind::parse(kind) {
        Some(k) => k.zh(),
        None => "事项",
    }
}

pub fn stage_zh(word: &str) -> &'static str {
    match word {
        "draft" => "草稿",
        "in_review" => "待审核",
        "returned" => "已退回",
        "approved" => "已通过",
        "rejected" => "已驳回",
        "withdrawn" => "已撤回",
        _ => "已发布",
    }
}

pub struct ItemRow {
    pub item: ReviewItem,
    pub unit_name: String,
    pub submitter: String,
    pub kind_zh: &'static str,
    pub stage_zh: &'static str,
}

/// "Waiting for me" as the work page lists it.
pub async fn waiting_rows(state: &AppState, v: &Viewer) -> Result<Vec<ItemRow>> {
    rows(state, waiting_for_me(state, v).await?).await
}

async fn rows(state: &AppState, items: Vec<ReviewItem>) -> Result<Vec<ItemRow>> {
    let mut r = state.store.reader().await?;
    let mut out = Vec::new();
    for item in items {
        let unit_name = r
            .unit(item.unit_id)
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
        let submitter = r
            .person(item.submitter_person_id)
            .await?
            .map(|p| p.name)
            .unwrap_or_default();
        out.push(ItemRow {
            kind_zh: kind_zh(&item.kind),
            stage_zh: stage_zh(&item.stage),
            item,
            unit_name,
            submitter,
        });
    }
    Ok(out)
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
    let waiting = rows(&state, waiting_for_me(&state, &v).await?).await?;
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
        ev_rows.push((when, rows(&state, vec![it]).await?.remove(0)));
    }
    render(&ListPage {
        chrome: Chrome::new(lang, Some(&v)),
        waiting,
        items: rows(&state, items).await?,
        units,
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
    pub is_submitter: bool,
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
        is_submitter,
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
    Redirect::to(&format!("/reviews/{id}")).into_response()
}

/// Builds the engine's action from a decision word and its answers.
pub fn decision(
    word: &str,
    hash: String,
    checklist: Vec<bool>,
    lawful_basis: Option<String>,
    comment: String,
) -> Result<Action> {
    Ok(match word {
        "approve" => Action::Approve {
            hash,
            checklist,
            lawful_basis,
            comment,
        },
        "return" => Action::Return { hash, comment },
        "reject" => Action::Reject { hash, comment },
        _ => return Err(Error::Invalid("审核结论须为通过、退回或驳回".into())),
    })
}

pub async fn decide(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    FormBody(f): FormBody<Vec<(String, String)>>,
) -> Result<Response> {
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, x)| x.clone())
            .unwrap_or_default()
    };
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
    FormBody(f): FormBody<PublishForm>,
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
    FormBody(f): FormBody<ReassignForm>,
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
    FormBody(f): FormBody<Vec<(String, String)>>,
) -> Result<Response> {
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, x)| x.trim().to_string())
            .unwrap_or_default()
    };
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
fn raw_of(parts: &Form) -> RawVersion {
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
    let parts = Form::read(m).await?;
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
    let (unit, _) = access::require(&state.store, v, unit_id, Level::Edit).await?;
    let mut r = state.store.reader().await?;
    let workflows = match r.policy_in_force(unit_id).await? {
        Some(ip) => crate::org::parse_installed(&ip)?
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
    access::require(&state.store, &v, unit_id, Level::Edit).await?;
    let parts = Form::read(m).await?;
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
    let (media, bytes) = state
        .store
        .reader()
        .await?
        .attachment(&a.sha256)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(file_response(&a.file_name, &media, bytes))
}

fn file_response(name: &str, media: &str, bytes: Vec<u8>) -> Response {
    use axum::http::{header, HeaderValue};
    let mut enc = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            enc.push(b as char);
        } else {
            enc.push_str(&format!("%{b:02X}"));
        }
    }
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(media)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(x) = HeaderValue::from_str(&format!(
        "attachment; filename=\"download\"; filename*=UTF-8''{enc}"
    )) {
        h.insert(header::CONTENT_DISPOSITION, x);
    }
    resp
}

/// 《上网信息审核登记表》: the item, its channel, submitter, and each step's reviewer, checks,
/// opinion and time.
pub async fn registration_docx(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    let (l, _) = load_visible(&state, &v, id).await?;
    let names = names_below(&state, &l).await?;
    let wf = l.workflow()?;
    let channel = match l.item.channel_id {
        Some(c) => state
            .store
            .reader()
            .await?
            .channel(c)
            .await?
            .map(|c| format!("{}（{}）", c.name, c.locator)),
        None => None,
    };
    let cur = l.current().ok_or(Error::NotFound)?;
    let trail = trail(&l, &names)?;
    let form = zeren_export::Registration {
        title: if wf.kind == WorkflowKind::Publication {
            "上网信息审核登记表".into()
        } else {
            format!("{}登记表", wf.title)
        },
        unit: l.unit.name.clone(),
        item: cur.title.clone(),
        channel: channel.unwrap_or_default(),
        submitter: names
            .get(&l.item.submitter_person_id)
            .cloned()
            .unwrap_or_default(),
        version: format!(
            "第{}版（{}）",
            cur.version,
            &cur.hash[..12.min(cur.hash.len())]
        ),
        major: l.item.major,
        findings: cur
            .findings
            .iter()
            .map(|f| format!("{} {} {}", f.kind_zh, f.location, f.masked))
            .collect(),
        trail: trail
            .into_iter()
            .map(|t| zeren_export::RegistrationRow {
                at: t.at,
                who: t.who,
                what: t.what,
                step: t.step,
                detail: t.detail,
            })
            .collect(),
        stage: l.state()?.stage.zh(),
    };
    let bytes =
        zeren_export::docx::registration_docx(&form).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(file_response(
        &format!("{}-{}.docx", wf.title, cur.title),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        bytes,
    ))
}

// ------------------------------------------------------------------ channels (阵地)

/// The duty id of a channel's periodic review (the policy's `[channels] review_every`).
fn channel_review_duty_id(channel: i64) -> String {
    format!("channel_review_{channel}")
}

/// The duty behind a channel review obligation, which no policy file spells out: one record of
/// the review (its content) per period, due at the period's end.
pub fn channel_review_duty(o: &zeren_store::ledger::Obligation) -> Option<zeren_policy::Duty> {
    let rest = o.duty_id.strip_prefix("channel_review_")?;
    rest.parse::<i64>().ok()?;
    Some(zeren_policy::Duty {
        id: zeren_policy::DutyId::parse(&o.duty_id)?,
        title: o.title.clone(),
        description: None,
        every: zeren_policy::Frequency::parse(&o.every)?,
        times: 1,
        owner: None,
        per: zeren_policy::Per::Unit,
        role: None,
        evidence: vec![zeren_policy::Evidence::Minutes],
        report_to_parent: false,
        due: zeren_policy::DueRule::End,
        workday: zeren_policy::Workday::Before,
        lead: None,
        at: zeren_policy::At::SelfUnit,
        source: None,
    })
}

/// Creates the current period's review obligation of every channel in use whose unit's policy
/// says `review_every`, for the channel's responsible person (or the unit). Idempotent; the
/// ledger materialiser never removes current obligations, so the two live side by side.
pub async fn materialise_channel_reviews(
    store: &zeren_store::Store,
    today: NaiveDate,
) -> Result<usize> {
    let channels = store.reader().await?.active_channels().await?;
    let mut created = 0;
    for ch in channels {
        let mut r = store.reader().await?;
        let Some(ip) = r.policy_in_force(ch.unit_id).await? else {
            continue;
        };
        drop(r);
        let Ok(policy) = crate::org::parse_installed(&ip) else {
            continue;
        };
        let Some(every) = policy.channels.as_ref().and_then(|c| c.review_every) else {
            continue;
        };
        let period = zeren_policy::calendar::period_containing(every, today);
        let row = zeren_store::ledger::NewObligation {
            installed_policy_id: ip.id,
            policy_id: ip.policy_id.clone(),
            duty_id: channel_review_duty_id(ch.id),
            title: format!("阵地定期检查：{}", ch.name),
            unit_id: ch.unit_id,
            person_id: ch.responsible_person_id,
            every: every.word().into(),
            period_label: period.label(),
            period_start: period.start,
            period_end: period.end,
            due_on: period.end,
            times: 1,
            evidence: "minutes".into(),
            report_to_parent: false,
        };
        let mut w = store.write(&zeren_store::Actor::system()).await?;
        created += w.materialise_obligations(&[row]).await?.len();
        w.commit().await?;
    }
    Ok(created)
}

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
        Some(ip) => Some(crate::org::parse_installed(&ip)?),
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

pub async fn channels(
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
    materialise_channel_reviews(&state.store, crate::org::today()).await?;
    Ok(c)
}

pub async fn create_channel(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(unit_id): Path<i64>,
    FormBody(f): FormBody<ChannelForm>,
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
        Ok(_) => Ok(Redirect::to(&format!("/units/{unit_id}/channels")).into_response()),
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

pub async fn channel_status(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    FormBody(f): FormBody<StatusForm>,
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
    Ok(Redirect::to(&format!("/units/{}/channels", ch.unit_id)).into_response())
}

/// Items for JSON: the item with its state, who it waits for, versions, trail and assessments.
#[derive(Serialize)]
pub struct ItemJson {
    pub item: ReviewItem,
    pub stage: String,
    pub stage_zh: String,
    pub step: Option<usize>,
    pub waiting_for: Option<Approvers>,
    pub checklist: Vec<String>,
    pub seen: usize,
    pub versions: Vec<ItemVersion>,
    pub events: Vec<StoredEvent>,
    pub risk_assessments: Vec<RiskAssessment>,
}

pub fn item_json(l: Loaded) -> Result<ItemJson> {
    let st = l.state()?;
    let waiting_for = l.waiting_for()?;
    let checklist = l.workflow()?.checklist.clone();
    Ok(ItemJson {
        stage: stage_word(st.stage).into(),
        stage_zh: st.stage.zh(),
        step: match st.stage {
            Stage::InReview { step } => Some(step),
            _ => None,
        },
        waiting_for,
        checklist,
        seen: l.events.len(),
        item: l.item,
        versions: l.versions,
        events: l.events,
        risk_assessments: l.risks,
    })
}
