//! Review items (先审后发, 活动审批, 重大事项): loading an item with its policy and organisation,
//! the one place that checks an action against the review engine and appends its event, creating
//! items and versions (scanned before the write transaction), risk assessments, and the item as
//! JSON. The pages and the API both act through here.

use serde::Serialize;
use zeren_core::org::{Org, PersonId, UnitId};
use zeren_core::review::{Action, Actor, Approvers, Context, Event, Item, ReviewState, Stage};
use zeren_policy::{Policy, Workflow, WorkflowId, WorkflowKind};
use zeren_scan::{Limits, ScanConfig, Scanner};
use zeren_store::reviews::*;
use zeren_store::{Level, Read, Unit};

use crate::shared::clock::today;
use crate::shared::policies::parse_installed;
use crate::shared::prelude::*;

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
            on: today(),
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
    let policy = parse_installed(&ip)?;
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
    let level = access::level(&state.store, v, l.item.unit_id).await?;
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

/// The unit, if the viewer may submit items for it (an editor there or a holder of one of its
/// roles); NotFound or Forbidden otherwise.
pub async fn require_acts_for(state: &AppState, v: &Viewer, unit_id: i64) -> Result<Unit> {
    let (unit, _) = access::require(&state.store, v, unit_id, Level::Read).await?;
    if access::acts_for(&state.store, v, unit_id).await? {
        Ok(unit)
    } else {
        Err(Error::Forbidden)
    }
}

/// Creates an item at `unit_id` and submits its first version. Editors of the unit and the
/// holders of its roles may submit.
pub async fn create(
    state: &AppState,
    v: &Viewer,
    unit_id: i64,
    workflow_id: &str,
    channel_id: Option<i64>,
    major: bool,
    raw: RawVersion,
) -> Result<i64> {
    require_acts_for(state, v, unit_id).await?;
    let me = person_of(v)?;
    check_raw(&raw)?;
    let mut r = state.store.reader().await?;
    let ip = r
        .policy_in_force(unit_id)
        .await?
        .ok_or_else(|| Error::Invalid("本单位尚未实施制度，没有审核流程".into()))?;
    let policy = parse_installed(&ip)?;
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
        on: today(),
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
