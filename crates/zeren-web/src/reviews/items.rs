//! Review items (先审后发, 活动审批, 重大事项): loading an item with its policy and organisation,
//! the one place that checks an action against the review engine and appends its event, creating
//! items and versions (scanned before the write transaction), risk assessments, and the item as
//! JSON. The pages and the API both act through here.

use serde::Serialize;
use zeren_core::org::{Org, PersonId, UnitId};
use zeren_core::review::{Action, Actor, Approvers, Context, Event, Item, ReviewState, Stage};
use zeren_policy::{Policy, Workflow, WorkflowId, WorkflowKind};
use zeren_scan::{Limits, Outcome, ScanConfig, Scanner, UnreadableCode};
use zeren_store::reviews::*;
use zeren_store::{Level, Read, Unit};

use crate::shared::clock::today;
use crate::shared::error::Problems;
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
    pub channel: Option<Channel>,
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
            foreign_speaker: self.foreign_speaker(),
        }
    }

    /// Whether the viewer may 转交 the current step: an administrator of the unit, the system
    /// administrator, or a holder of the role the workflow names in `reassigned_by`.
    pub fn may_reassign(&self, v: &Viewer, level: Option<Level>) -> bool {
        if level.is_some_and(|x| x >= Level::Administer)
            || v.duty() == zeren_store::AdminDuty::System
        {
            return true;
        }
        let role = self.workflow().ok().and_then(|w| w.reassigned_by.clone());
        match (v.account.person_id, role) {
            (Some(p), Some(role)) => zeren_core::review::resolve_approvers(
                &self.org,
                &role,
                UnitId(self.item.unit_id),
                PersonId(self.item.submitter_person_id),
                today(),
            )
            .includes(PersonId(p)),
            _ => false,
        }
    }

    /// Whether the current version's event has a speaker from outside the mainland.
    pub fn foreign_speaker(&self) -> bool {
        self.current().is_some_and(|v| v.foreign_speaker())
    }

    /// The hosts a published URL must be on: the channel's, when the policy restricts URLs.
    fn url_hosts(&self) -> Vec<String> {
        match (&self.channel, &self.policy.channels) {
            (Some(c), Some(p)) if p.restrict_urls => {
                zeren_core::channels::url_hosts(&c.kind, &c.locator)
            }
            _ => Vec::new(),
        }
    }

    /// The current version's blocking findings by what may clear them.
    pub fn blocking(&self) -> Blocking {
        self.current()
            .map(|v| Blocking::of(&v.findings))
            .unwrap_or_default()
    }

    fn ctx(&self) -> Context<'_> {
        let b = self.blocking();
        Context {
            org: &self.org,
            on: today(),
            blocking_findings: b.lawful,
            markings: b.markings,
            unreadable: b.unreadable,
            has_risk_assessment: !self.risks.is_empty(),
            url_hosts: self.url_hosts(),
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
            | Event::Rejected { by, .. }
            | Event::MarkingCleared { by, .. } => by.0 == person,
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
    let channel = match item.channel_id {
        Some(c) => r.channel(c).await?,
        None => None,
    };
    drop(r);
    let policy = parse_installed(&ip)?;
    let unit = path.last().cloned().ok_or(Error::NotFound)?;
    // The approvers' rules walk the item unit's ancestry: its path is the organisation they need.
    let org = zeren_store::materialise::ancestry_snapshot(&state.store, item.unit_id).await?;
    Ok(Loaded {
        item,
        versions,
        events,
        risks,
        policy,
        org,
        unit,
        channel,
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

fn person_of(v: &Viewer, lang: Lang) -> Result<PersonId> {
    v.account
        .person_id
        .map(PersonId)
        .ok_or_else(|| Error::Invalid(Tr(lang).s("rv.p.no_person").into()))
}

/// An engine refusal, beside the field it concerns where there is one.
fn refusal(e: zeren_core::review::ReviewError, lang: Lang) -> Error {
    use zeren_core::review::ReviewError as R;
    let t = Tr(lang);
    let (field, text) = match &e {
        R::ChecklistIncomplete { expected, answered } => (
            "checklist",
            t.f(
                "rv.p.checklist",
                &[
                    ("expected", &expected.to_string()),
                    ("answered", &answered.to_string()),
                ],
            ),
        ),
        R::LawfulBasisRequired { findings } => (
            "lawful_basis",
            t.f("rv.p.lawful_basis", &[("findings", &findings.to_string())]),
        ),
        R::CommentRequired => ("comment", t.s("rv.p.comment").into()),
        R::UrlRequired => ("url", t.s("rv.p.url").into()),
        R::UrlInvalid => ("url", t.s("rv.p.url_invalid").into()),
        R::UrlOutsideChannel { hosts } => (
            "url",
            t.f("rv.p.url_outside", &[("hosts", &hosts.join("、"))]),
        ),
        R::PublishedAtRequired => ("published_at", t.s("rv.p.published_at").into()),
        R::ReasonRequired => ("reason", t.s("rv.p.correction_reason").into()),
        R::MarkingNotCleared { markings } => (
            "lawful_basis",
            t.f("rv.p.marking", &[("markings", &markings.to_string())]),
        ),
        R::LawfulBasisCannotClearMarking => ("lawful_basis", t.s("rv.p.marking_basis").into()),
        R::NoDeclassifier => ("document_no", t.s("rv.p.no_declassifier").into()),
        R::NotADeclassifier => ("document_no", t.s("rv.p.not_declassifier").into()),
        R::DocumentNumberRequired => ("document_no", t.s("rv.p.document_no").into()),
        R::NothingToClear => ("document_no", t.s("rv.p.nothing_to_clear").into()),
        R::ManualCheckRequired { files } => (
            "manual_check",
            t.f("rv.p.manual_check", &[("files", &files.to_string())]),
        ),
        R::NoPerson => ("", t.s("rv.p.no_person").into()),
        R::WrongStage { stage } => ("", t.f("rv.p.wrong_stage", &[("stage", &stage.zh())])),
        R::NotSubmitter => ("", t.s("rv.p.not_submitter").into()),
        R::SelfApproval => ("", t.s("rv.p.self_approval").into()),
        R::NotAnApprover => ("", t.s("rv.p.not_approver").into()),
        R::AlreadyApproved => ("", t.s("rv.p.already_approved").into()),
        R::StaleVersion { .. } => ("", t.s("rv.p.stale_version").into()),
        R::RiskAssessmentMissing => ("", t.s("rv.p.risk_missing").into()),
        R::AlreadyDecided => ("", t.s("rv.p.already_decided").into()),
        R::NotAdministrator => ("", t.s("rv.p.not_admin").into()),
        R::ReassignToSubmitter => ("person_id", t.s("rv.p.reassign_submitter").into()),
        R::NotAPublication => ("", t.s("rv.p.not_publication").into()),
        R::OlderVersion { latest } => (
            "",
            t.f("rv.p.older_version", &[("latest", &latest.to_string())]),
        ),
    };
    Error::Fields(Problems::one(field, text))
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
    lang: Lang,
) -> Result<Loaded> {
    let t = Tr(lang);
    let (l, level) = load_visible(state, v, id).await?;
    // A system administrator without a person record may 转交; every other act needs a person.
    let me = match &action {
        Action::Reassign { .. } => v.account.person_id.map(PersonId),
        _ => Some(person_of(v, lang)?),
    };
    if let Action::Reassign { to, .. } = &action {
        // 转交 only to a person of the same organisation: the reviewer gains sight of the item.
        let mut r = state.store.reader().await?;
        let person = r
            .person(to.0)
            .await?
            .ok_or_else(|| Error::Fields(Problems::one("person_id", t.s("rv.p.pick_reviewer"))))?;
        let root = |path: Vec<zeren_store::Unit>| path.first().map(|u| u.id);
        let item_root = root(r.path(l.item.unit_id).await?);
        if root(r.path(person.unit_id).await?) != item_root {
            return Err(Error::Fields(Problems::one(
                "person_id",
                t.s("rv.p.reassign_outside"),
            )));
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
        admin: l.may_reassign(v, level),
    };
    let event = st
        .check(&item, &ctx, actor, action)
        .map_err(|e| refusal(e, lang))?;
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

/// Scans the title, body and every file, each file typed by its content (never by its name). A
/// file that cannot be read (damaged, encrypted, a picture, unknown binary) is a blocking finding
/// of its own: approval needs a manual check naming what was checked. Every value kept is masked.
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
        location: f.location.clone(),
        // A marking has no replacement: it must not go onto the network at all.
        masked: f.replacement().unwrap_or_default().to_string(),
        context: f.context.clone(),
        blocks: f.blocks(),
        code: None,
    };
    let text = format!("{}\n{}", raw.title, raw.body);
    out.extend(scanner.scan_text(&text).into_iter().map(|f| conv(f, None)));
    for (name, _, bytes) in &raw.files {
        let report = scanner.scan_bytes(name, bytes, &Limits::default());
        match report.outcome {
            Outcome::Scanned(r) => {
                out.extend(r.findings.into_iter().map(|f| conv(f, Some(name.clone()))))
            }
            Outcome::Unreadable(u) => out.push(ScanFinding {
                file: Some(name.clone()),
                kind: UNREADABLE.into(),
                kind_zh: if u.code == UnreadableCode::Image {
                    "图片，须人工查看".into()
                } else {
                    "无法自动检查".into()
                },
                confidence: String::new(),
                location: String::new(),
                masked: String::new(),
                context: u.zh.clone(),
                blocks: u.blocks(),
                code: Some(u.code.as_str().into()),
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

/// The details a version may carry (the form's fields), with their names.
pub const DETAIL_FIELDS: &[(&str, &str)] = &[
    ("column", "栏目/频道"),
    ("author", "撰稿人"),
    ("speakers", "主讲人"),
    ("speaker_background", "主讲人背景"),
    ("foreign_speaker", "境外主讲人"),
    ("starts_at", "时间"),
    ("place", "地点"),
    ("audience", "预计规模及对象"),
];

fn check_raw(raw: &RawVersion, lang: Lang) -> Result<()> {
    let t = Tr(lang);
    let mut p = Problems::new();
    let n = raw.title.trim().chars().count();
    if n == 0 || n > 200 {
        p.add("title", t.s("rv.p.title"));
    }
    // The API carries what the form carries: the known details, as text (the 境外 flag may be a
    // boolean), an event's time as a time.
    let known = |k: &str| DETAIL_FIELDS.iter().any(|(f, _)| *f == k);
    if let Some(map) = raw.details.as_object() {
        for (k, v) in map {
            let text_ok = match v {
                serde_json::Value::String(s) => s.chars().count() <= 500,
                serde_json::Value::Bool(_) => k == "foreign_speaker",
                serde_json::Value::Null => true,
                _ => false,
            };
            if !known(k) || !text_ok {
                p.add("details", t.s("rv.p.details"));
            }
        }
        if let Some(at) = map.get("starts_at").and_then(|v| v.as_str()) {
            if !at.trim().is_empty() && local_time(at).is_none() {
                p.add("starts_at", t.s("rv.p.starts_at"));
            }
        }
    } else {
        p.add("details", t.s("rv.p.details"));
    }
    p.check()
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
#[allow(clippy::too_many_arguments)]
pub async fn create(
    state: &AppState,
    v: &Viewer,
    unit_id: i64,
    workflow_id: &str,
    channel_id: Option<i64>,
    major: bool,
    raw: RawVersion,
    lang: Lang,
) -> Result<i64> {
    let t = Tr(lang);
    require_acts_for(state, v, unit_id).await?;
    let me = person_of(v, lang)?;
    let mut problems = Problems::new();
    if let Err(Error::Fields(p)) = check_raw(&raw, lang) {
        problems.0.extend(p.0);
    }
    let mut r = state.store.reader().await?;
    let ip = r
        .policy_in_force(unit_id)
        .await?
        .ok_or_else(|| Error::Invalid(t.s("rv.no_workflow").into()))?;
    let policy = parse_installed(&ip)?;
    let wf = WorkflowId::parse(workflow_id)
        .and_then(|id| policy.workflow(&id))
        .cloned();
    if wf.is_none() {
        problems.add("workflow", t.s("rv.p.pick_workflow"));
    }
    match channel_id {
        Some(c) => match r.channel(c).await? {
            Some(ch) if !r.path(unit_id).await?.iter().any(|u| u.id == ch.unit_id) => {
                problems.add("channel_id", t.s("rv.p.channel_outside"))
            }
            None => problems.add("channel_id", t.s("rv.p.channel_outside")),
            Some(ch) if ch.status != "active" => {
                problems.add("channel_id", t.s("rv.p.channel_inactive"))
            }
            Some(ch) if !channel_kind_allowed(&policy, &ch.kind) => {
                problems.add("channel_id", t.s("rv.p.channel_kind"))
            }
            Some(_) => {}
        },
        // A publication goes out on a registered channel when the policy keeps a registry.
        None if policy.channels.is_some()
            && wf
                .as_ref()
                .is_some_and(|w| w.kind == WorkflowKind::Publication) =>
        {
            problems.add("channel_id", t.s("rv.p.channel_required"))
        }
        None => {}
    }
    drop(r);
    problems.check()?;
    let Some(wf) = wf else {
        return Err(Error::NotFound);
    };
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
        foreign_speaker: foreign_speaker(&raw.details),
    };
    let mut st = ReviewState::replay(&core, &[]);
    let org = Org::new([], Vec::new());
    let ctx = Context {
        org: &org,
        on: today(),
        blocking_findings: 0,
        markings: 0,
        unreadable: 0,
        has_risk_assessment: false,
        url_hosts: Vec::new(),
    };
    let event = st
        .check(
            &core,
            &ctx,
            Actor {
                person: Some(me),
                admin: false,
            },
            Action::Submit {
                version: 1,
                hash: version.hash(),
            },
        )
        .map_err(|e| refusal(e, lang))?;
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
    lang: Lang,
) -> Result<()> {
    let (l, _) = load_visible(state, v, id).await?;
    let me = person_of(v, lang)?;
    check_raw(&raw, lang)?;
    let wf = l.workflow()?;
    let expected = expected.unwrap_or(l.item.current_version);
    if expected != l.item.current_version {
        return Err(Error::Conflict(Tr(lang).f(
            "rv.p.newer_version",
            &[("version", &l.item.current_version.to_string())],
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
                person: Some(me),
                admin: false,
            },
            Action::Submit {
                version: (expected + 1) as u32,
                hash: version.hash(),
            },
        )
        .map_err(|e| refusal(e, lang))?;
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
    lang: Lang,
) -> Result<RiskAssessment> {
    let t = Tr(lang);
    let (l, level) = load_visible(state, v, id).await?;
    let mine = v.account.person_id == Some(l.item.submitter_person_id);
    if !mine && level.is_none_or(|x| x < Level::Edit) {
        return Err(Error::Forbidden);
    }
    let mut problems = Problems::new();
    if ra.consultations.is_empty() {
        problems.add("summary_0", t.s("rv.p.consultation"));
    }
    let today = today();
    for (i, c) in ra.consultations.iter().enumerate() {
        if !CONSULTATION_KINDS.contains(&c.kind.trim()) {
            problems.add(&format!("kind_{i}"), t.s("rv.p.consultation_kind"));
        }
        // A consultation is held before the assessment records it, and within a few years.
        if c.date > today || c.date < today - chrono::Days::new(3 * 366) {
            problems.add(&format!("date_{i}"), t.s("rv.p.consultation_when"));
        }
        if c.summary.trim().chars().count() < MIN_SUMMARY {
            problems.add(&format!("summary_{i}"), t.s("rv.p.consultation_summary"));
        }
    }
    if ra.contingency.trim().chars().count() < MIN_SUMMARY {
        problems.add("contingency", t.s("rv.p.contingency"));
    }
    if !RISK_LEVELS.contains(&ra.risk_level.as_str()) {
        problems.add("risk_level", t.s("rv.p.risk_level"));
    }
    problems.check()?;
    let mut w = state.store.write(&v.actor()).await?;
    let r = w.add_risk_assessment(id, &ra).await?;
    w.commit().await?;
    Ok(r)
}

/// The forms of consultation a risk assessment records (the page offers these).
pub const CONSULTATION_KINDS: &[&str] = &["论证会", "座谈会", "公开征求意见"];
/// The fewest characters a consultation's summary or a contingency plan may have.
pub const MIN_SUMMARY: usize = 10;

/// Whether the policy in force allows channels of `kind` (every kind when it names none).
pub fn channel_kind_allowed(policy: &Policy, kind: &str) -> bool {
    match (&policy.channels, zeren_policy::ChannelKind::parse(kind)) {
        (_, None) => false,
        (Some(c), Some(k)) if !c.kinds.is_empty() => c.kinds.contains(&k),
        _ => true,
    }
}

/// A decision as the page or the API sends it.
pub struct DecisionInput {
    pub decision: String,
    pub hash: String,
    pub checklist: Vec<bool>,
    pub lawful_basis: Option<String>,
    pub manual_check: Option<String>,
    pub comment: String,
}

/// The engine's action for a decision.
pub fn decision(d: DecisionInput, lang: Lang) -> Result<Action> {
    let DecisionInput {
        decision: word,
        hash,
        checklist,
        lawful_basis,
        manual_check,
        comment,
    } = d;
    Ok(match word.as_str() {
        "approve" => Action::Approve {
            hash,
            checklist,
            lawful_basis,
            manual_check,
            comment,
        },
        "return" => Action::Return { hash, comment },
        "reject" => Action::Reject { hash, comment },
        _ => {
            return Err(Error::Fields(Problems::one(
                "decision",
                Tr(lang).s("rv.p.decision"),
            )))
        }
    })
}

/// A time as a `datetime-local` field or the API sends it (`2026-12-10T14:30`, seconds optional).
pub fn local_time(s: &str) -> Option<chrono::NaiveDateTime> {
    let s = s.trim();
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok())
}

/// The action marking an item published (or, with a reason, correcting its address and time).
pub fn publish_action(
    url: &str,
    published_at: &str,
    correction: Option<String>,
    lang: Lang,
) -> Result<Action> {
    let at = local_time(published_at);
    if at.is_none() && !published_at.trim().is_empty() {
        return Err(Error::Fields(Problems::one(
            "published_at",
            Tr(lang).s("rv.p.published_at"),
        )));
    }
    let url = url.trim().to_string();
    Ok(match correction {
        None => Action::Publish {
            url,
            published_at: at,
        },
        Some(reason) => Action::CorrectPublication {
            url,
            published_at: at,
            reason,
        },
    })
}

/// The action confirming a 解密/定密 decision for the version `hash`.
pub fn clear_marking_action(
    hash: String,
    decision: &str,
    document_no: String,
    lang: Lang,
) -> Result<Action> {
    let decision = zeren_core::review::MarkingDecision::parse(decision).ok_or_else(|| {
        Error::Fields(Problems::one(
            "decision",
            Tr(lang).s("rv.p.marking_decision"),
        ))
    })?;
    Ok(Action::ClearMarking {
        hash,
        decision,
        document_no,
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
