//! A case of accountability (问责): loading it with its policy, its unit and parent, its acts
//! replayed by the rules, and who the viewer is to it; opening a case; the one place that checks
//! an act (typed in a form or sent as JSON) against the rules and stores it; the minutes of the
//! decision at fault with the allocation the rule suggests; the case as JSON.
//!
//! Who sees a case: the deciding body (an editor of the unit that holds it — grants cover the
//! subtree, so the units above it too), its investigators, each subject for their own part, and
//! once it is filed the parent it is filed with. Never a peer, never a reader of the unit.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use zeren_core::accountability::{
    appeal_closes, holders_on, suggest, Act, Answer, Case, Procedure, Refusal, Responsibility,
    Step, Subject, Suggestion,
};
use zeren_core::org::{PersonId, UnitId};
use zeren_policy::{Policy, RoleId};
use zeren_store::accountability::*;
use zeren_store::{Level, Read, Unit};

use crate::shared::clock::today;
use crate::shared::error::Problems;
use crate::shared::prelude::*;

/// At most this many characters in any text of a case.
pub const TEXT_MAX: usize = 20_000;
/// At most this many points in one statement.
pub const POINTS_MAX: usize = 50;

/// Who the viewer is to a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// An editor of the deciding unit: takes every step.
    Body,
    /// A member of the investigation team: shows the facts, hears statements, records minutes.
    Investigator,
    /// An editor of the unit the case was filed with (who is not the body): 签收.
    Parent,
    /// A subject (the person, or who acts for the unit) sees and appeals only these parts.
    Subject(Vec<Subject>),
}

pub struct Loaded {
    pub case: CaseRow,
    pub subjects: Vec<SubjectRow>,
    /// The policy's circumstances the case names: id, text, seed line.
    pub circumstances: Vec<(String, String, String)>,
    pub acts: Vec<ActRow>,
    pub minutes: Option<MinutesRow>,
    pub minutes_versions: i64,
    pub policy: Arc<Policy>,
    pub procedure: Procedure,
    pub unit: Unit,
    pub parent: Option<Unit>,
    pub state: Case,
    pub part: Part,
    /// The viewer may 签收 the filing once it is filed (an editor of the parent).
    pub receives: bool,
}

impl Loaded {
    pub fn seen(&self) -> i64 {
        self.acts.len() as i64
    }

    pub fn subject_name(&self, s: Subject) -> String {
        self.subjects
            .iter()
            .find(|x| x.subject == s)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    }

    /// The subjects the viewer sees: all of them, or a subject's own.
    pub fn visible_subjects(&self) -> Vec<&SubjectRow> {
        match &self.part {
            Part::Subject(mine) => self
                .subjects
                .iter()
                .filter(|s| mine.contains(&s.subject))
                .collect(),
            _ => self.subjects.iter().collect(),
        }
    }

    /// Whether the viewer sees the act (a subject sees the acts on the case as a whole and
    /// those on their own part).
    pub fn sees_act(&self, act: &Act) -> bool {
        match &self.part {
            Part::Subject(mine) => subject_of(act).is_none_or(|s| mine.contains(&s)),
            _ => true,
        }
    }

    /// The allocation the rule suggests from the latest minutes (empty without minutes).
    pub fn suggestions(&self) -> Vec<Suggestion> {
        self.minutes
            .as_ref()
            .map(|m| suggest(&m.minutes.decision()))
            .unwrap_or_default()
    }

    /// The suggestion for a person subject.
    pub fn suggested(&self, s: Subject) -> Option<Responsibility> {
        match s {
            Subject::Person(p) => self
                .suggestions()
                .into_iter()
                .find(|x| x.person == p)
                .map(|x| x.responsibility),
            Subject::Unit(_) => None,
        }
    }

    pub fn decided_on(&self, s: Subject) -> Option<(NaiveDate, &Act)> {
        self.acts.iter().rev().find_map(|a| match &a.act {
            act @ Act::Decide { subject, .. } if *subject == s => Some((a.on, act)),
            _ => None,
        })
    }

    /// The last day the subject may appeal, once served.
    pub fn appeal_until(&self, s: Subject) -> Option<NaiveDate> {
        self.state
            .subjects
            .iter()
            .find(|(x, _)| *x == s)
            .and_then(|(_, p)| p.served)
            .map(|served| appeal_closes(served, &self.procedure))
    }
}

pub fn subject_of(act: &Act) -> Option<Subject> {
    match act {
        Act::ShowFacts { subject }
        | Act::HearStatement { subject, .. }
        | Act::Decide { subject, .. }
        | Act::Serve { subject }
        | Act::CarryOut { subject }
        | Act::Appeal { subject, .. }
        | Act::DecideAppeal { subject, .. }
        | Act::Correct { subject, .. } => Some(*subject),
        _ => None,
    }
}

/// `unit:12` or `person:7`.
pub fn subject_key(s: Subject) -> String {
    match s {
        Subject::Unit(u) => format!("unit:{}", u.0),
        Subject::Person(p) => format!("person:{}", p.0),
    }
}

pub fn parse_subject(s: &str) -> Option<Subject> {
    let (kind, id) = s.trim().split_once(':')?;
    let id: i64 = id.parse().ok()?;
    match kind {
        "unit" => Some(Subject::Unit(UnitId(id))),
        "person" => Some(Subject::Person(PersonId(id))),
        _ => None,
    }
}

/// The case as the policy in force when it was opened governs it.
pub async fn load(state: &AppState, v: &Viewer, id: i64) -> Result<Loaded> {
    let mut r = state.store.reader().await?;
    let case = r.case(id).await?.ok_or(Error::NotFound)?;
    let subjects = r.case_subjects(id).await?;
    let circumstance_ids = r.case_circumstances(id).await?;
    let acts = r.case_acts(id).await?;
    let minutes = r.case_minutes(id).await?;
    let minutes_versions = r.case_minutes_versions(id).await?;
    let unit = r.unit(case.unit_id).await?.ok_or(Error::NotFound)?;
    let parent = match unit.parent_id {
        Some(p) => r.unit(p).await?,
        None => None,
    };
    drop(r);
    let policy = state.installed_policy(case.installed_policy_id).await?;
    let procedure = policy
        .accountability
        .as_ref()
        .map(Procedure::of)
        .unwrap_or_default();
    let circumstances = circumstance_ids
        .iter()
        .map(|cid| {
            let c = policy.accountability.as_ref().and_then(|a| {
                a.circumstances
                    .iter()
                    .find(|c| c.id.as_str() == cid.as_str())
            });
            (
                cid.clone(),
                c.map(|c| c.text.clone()).unwrap_or_else(|| cid.clone()),
                c.and_then(|c| c.source)
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let parent_id = parent.as_ref().map(|p| UnitId(p.id));
    let state_now = replay(&subjects, case.opened_on, &acts, &procedure, parent_id)?;
    let me = v.account.person_id;
    let edits = |l: Option<Level>| l.is_some_and(|l| l >= Level::Edit);
    let body = edits(access::level(&state.store, v, case.unit_id).await?);
    // An editor of the parent acknowledges the filing; they see the case once it is filed.
    let receives = match &parent {
        Some(p) => edits(access::level(&state.store, v, p.id).await?),
        None => false,
    };
    let part = if body {
        Part::Body
    } else if me.is_some_and(|p| state_now.team.contains(&PersonId(p))) {
        Part::Investigator
    } else if receives && state_now.filed.is_some() {
        Part::Parent
    } else {
        let mut mine = Vec::new();
        for s in &subjects {
            let is_mine = match s.subject {
                Subject::Person(p) => me == Some(p.0),
                Subject::Unit(u) => edits(access::level(&state.store, v, u.0).await?),
            };
            if is_mine {
                mine.push(s.subject);
            }
        }
        if mine.is_empty() {
            return Err(Error::Forbidden);
        }
        Part::Subject(mine)
    };
    Ok(Loaded {
        case,
        subjects,
        circumstances,
        acts,
        minutes,
        minutes_versions,
        policy,
        procedure,
        unit,
        parent,
        state: state_now,
        part,
        receives,
    })
}

/// Who held each of the policy's roles at the case's unit on the day of the failure (from the
/// assignment history, not today's holders): role title and the holders' names.
pub async fn holders(state: &AppState, l: &Loaded) -> Result<Vec<(String, Vec<(i64, String)>)>> {
    let org = zeren_store::materialise::ancestry_snapshot(&state.store, l.case.unit_id).await?;
    let roles: Vec<RoleId> = l.policy.roles.iter().map(|r| r.id.clone()).collect();
    let held = holders_on(&org, UnitId(l.case.unit_id), &roles, l.case.event_on);
    let mut r = state.store.reader().await?;
    let mut out = Vec::new();
    for (role, people) in held {
        if people.is_empty() {
            continue;
        }
        let title = l
            .policy
            .roles
            .iter()
            .find(|x| x.id == role)
            .map(|x| x.title.clone())
            .unwrap_or_else(|| role.as_str().to_string());
        let mut named = Vec::new();
        for p in people {
            let name = r.person(p.0).await?.map(|x| x.name).unwrap_or_default();
            named.push((p.0, name));
        }
        out.push((title, named));
    }
    Ok(out)
}

// ------------------------------------------------------------------------------ opening

/// A case as typed.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct NewCaseInput {
    pub unit_id: i64,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub source_id: Option<i64>,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub lead: String,
    /// YYYY-MM-DD: the day of the failure (responsibility is that day's holders').
    #[serde(default)]
    pub event_on: String,
    /// YYYY-MM-DD: the day the case was opened (立案), today by default — a case kept on paper
    /// until now is entered with its own dates.
    #[serde(default)]
    pub opened_on: String,
    /// `unit:ID` or `person:ID`.
    #[serde(default)]
    pub subjects: Vec<String>,
    #[serde(default)]
    pub circumstances: Vec<String>,
}

pub use crate::shared::accountability::may_open_at;

/// The subjects a case at `unit` may name: the unit, the units directly below it, the people of
/// the unit and of those units.
pub async fn subject_choices(state: &AppState, unit: &Unit) -> Result<Vec<(String, String)>> {
    let mut r = state.store.reader().await?;
    let mut out = vec![(
        subject_key(Subject::Unit(UnitId(unit.id))),
        unit.name.clone(),
    )];
    let children = r.children(unit.id).await?;
    for p in r.people_in_unit(unit.id).await? {
        out.push((subject_key(Subject::Person(PersonId(p.id))), p.name));
    }
    for c in children.iter().take(200) {
        out.push((subject_key(Subject::Unit(UnitId(c.id))), c.name.clone()));
        for p in r.people_in_unit(c.id).await?.into_iter().take(500) {
            out.push((
                subject_key(Subject::Person(PersonId(p.id))),
                format!("{}（{}）", p.name, c.name),
            ));
        }
    }
    Ok(out)
}

pub async fn open(state: &AppState, v: &Viewer, input: NewCaseInput) -> Result<CaseRow> {
    let Some(ip) = may_open_at(state, v, input.unit_id).await? else {
        // Not an editor there, or no policy governs accountability there.
        access::require(&state.store, v, input.unit_id, Level::Edit).await?;
        return Err(Error::Fields(Problems::one(
            "unit_id",
            "本单位适用的实施办法没有规定问责",
        )));
    };
    let (unit, _) = access::require(&state.store, v, input.unit_id, Level::Edit).await?;
    let policy = state.installed_policy(ip).await?;
    let mut p = Problems::new();
    for (field, text, what) in [
        ("title", &input.title, "案件名称"),
        ("lead", &input.lead, "问题线索"),
    ] {
        if text.trim().is_empty() {
            p.add(field, format!("请填写{what}"));
        } else if text.chars().count() > TEXT_MAX {
            p.add(field, format!("{what}不能超过{TEXT_MAX}字"));
        }
    }
    let source = if input.source.trim().is_empty() {
        "lead".to_string()
    } else {
        input.source.trim().to_string()
    };
    if !SOURCE_WORDS.contains(&source.as_str()) {
        p.add("source", "案件来源不正确");
    }
    let today = today();
    let event_on = NaiveDate::parse_from_str(input.event_on.trim(), "%Y-%m-%d").ok();
    match event_on {
        None => p.add("event_on", "请填写问题发生的日期（年-月-日）"),
        Some(d) if d > today => p.add("event_on", "问题发生的日期不能晚于今天"),
        _ => {}
    }
    let opened_on = if input.opened_on.trim().is_empty() {
        Some(today)
    } else {
        NaiveDate::parse_from_str(input.opened_on.trim(), "%Y-%m-%d").ok()
    };
    match opened_on {
        None => p.add("opened_on", "立案日期格式为 年-月-日"),
        Some(d) if d > today => p.add("opened_on", "立案日期不能晚于今天"),
        Some(d) if event_on.is_some_and(|e| e > d) => {
            p.add("opened_on", "立案日期不能早于问题发生的日期")
        }
        _ => {}
    }
    let choices = subject_choices(state, &unit).await?;
    let mut subjects = Vec::new();
    for key in &input.subjects {
        match parse_subject(key) {
            Some(s) if choices.iter().any(|(k, _)| *k == subject_key(s)) => subjects.push(s),
            _ => p.add("subjects", "问责对象须为本单位、下一级单位或其人员"),
        }
    }
    if subjects.is_empty() {
        p.add("subjects", "请选择至少一个问责对象");
    } else if subjects.len() > SUBJECTS_MAX {
        p.add("subjects", format!("一个案件最多{SUBJECTS_MAX}个问责对象"));
    }
    let known: Vec<&str> = policy
        .accountability
        .as_ref()
        .map(|a| a.circumstances.iter().map(|c| c.id.as_str()).collect())
        .unwrap_or_default();
    if input
        .circumstances
        .iter()
        .any(|c| !known.contains(&c.as_str()))
    {
        p.add("circumstances", "请从实施办法规定的问责情形中选择");
    }
    if input.circumstances.is_empty() && !known.is_empty() {
        p.add("circumstances", "请选择适用的问责情形");
    }
    p.check()?;
    let mut w = state.store.write(&v.actor()).await?;
    let case = w
        .open_case(&NewCase {
            unit_id: unit.id,
            installed_policy_id: ip,
            source,
            source_id: input.source_id,
            title: input.title.trim().into(),
            lead: input.lead.trim().into(),
            event_on,
            opened_on,
            subjects,
            circumstances: input.circumstances.clone(),
        })
        .await?;
    w.commit().await?;
    Ok(case)
}

// ------------------------------------------------------------------------------ acting

/// A point of a statement as typed.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PointInput {
    pub point: String,
    /// Adopted (采纳); otherwise not adopted with the reason.
    #[serde(default)]
    pub adopted: bool,
    #[serde(default)]
    pub reason: String,
}

/// An act as typed (a form, or JSON).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ActInput {
    pub action: String,
    /// The number of acts the actor saw (409 if the case moved on).
    #[serde(default)]
    pub seen: Option<i64>,
    /// YYYY-MM-DD, the day it happened; today when empty.
    #[serde(default)]
    pub on: String,
    /// `unit:ID` or `person:ID`, for the steps per subject.
    #[serde(default)]
    pub subject: String,
    /// check: the finding; correct: what is corrected.
    #[serde(default)]
    pub text: String,
    /// check: pursue the case.
    #[serde(default)]
    pub proceed: bool,
    /// team: the investigators' person ids.
    #[serde(default)]
    pub members: Vec<i64>,
    #[serde(default)]
    pub points: Vec<PointInput>,
    /// statement: the subject chose not to make one.
    #[serde(default)]
    pub declined: bool,
    /// discuss: the meeting's reference.
    #[serde(default)]
    pub meeting: String,
    /// decide: measures from the policy's list.
    #[serde(default)]
    pub measures: Vec<String>,
    /// decide: main, important or none (people only).
    #[serde(default)]
    pub responsibility: String,
    /// decide: why the allocation differs from the suggestion.
    #[serde(default)]
    pub reason: String,
    /// decide: also takes away the year's 评先评优.
    #[serde(default)]
    pub no_commendation: bool,
    /// appeal: the grounds.
    #[serde(default)]
    pub grounds: String,
    /// appeal_decision: the decision is kept.
    #[serde(default)]
    pub upheld: bool,
}

pub const ACTION_INPUTS: &[&str] = &[
    "check",
    "approve",
    "team",
    "facts",
    "statement",
    "discuss",
    "decide",
    "serve",
    "carry_out",
    "file",
    "receive",
    "appeal",
    "appeal_decision",
    "correct",
    "archive",
];

pub const RESPONSIBILITY_WORDS: &[&str] = &["main", "important", "none"];

pub fn responsibility_of(word: &str) -> Option<Responsibility> {
    match word {
        "main" => Some(Responsibility::Main),
        "important" => Some(Responsibility::Important),
        "none" => Some(Responsibility::None),
        _ => None,
    }
}

/// The form field a refusal concerns.
fn field_of(r: &Refusal) -> &'static str {
    match r {
        Refusal::TeamTooSmall | Refusal::SubjectInTeam { .. } => "members",
        Refusal::Unanswered => "points",
        Refusal::UnknownMeasure { .. } => "measures",
        Refusal::ReasonRequired => "reason",
        Refusal::Backdated { .. } => "on",
        Refusal::NotASubject { .. } => "subject",
        Refusal::Missing { what } => match *what {
            "初步核实情况" | "纠正内容" => "text",
            "集体研究的会议" => "meeting",
            "问责方式" => "measures",
            "申诉理由" => "grounds",
            "问责对象" => "subject",
            _ => "",
        },
        _ => "",
    }
}

fn refusal(r: Refusal, l: &Loaded) -> Error {
    let mut text = r.zh();
    if let Refusal::Needs {
        subject: Some(s), ..
    } = &r
    {
        text = format!("{text}（{}）", l.subject_name(*s));
    }
    Error::Fields(Problems::one(field_of(&r), text))
}

/// Whether the viewer's part may take `step`.
pub fn may_take(l: &Loaded, step: Step, subject: Option<Subject>) -> bool {
    match &l.part {
        Part::Body => step != Step::FilingReceived || l.receives,
        Part::Investigator => matches!(step, Step::FactsShown | Step::StatementHeard),
        Part::Parent => step == Step::FilingReceived,
        Part::Subject(mine) => step == Step::Appealed && subject.is_some_and(|s| mine.contains(&s)),
    }
}

fn too_long(p: &mut Problems, field: &str, text: &str) {
    if text.chars().count() > TEXT_MAX {
        p.add(field, format!("不能超过{TEXT_MAX}字"));
    }
}

/// Builds the act from what was typed, checks it against the case by the rules and stores it.
pub async fn act(state: &AppState, v: &Viewer, id: i64, input: ActInput) -> Result<()> {
    let l = load(state, v, id).await?;
    if input.seen.is_some_and(|s| s != l.seen()) {
        return Err(Error::Conflict(MOVED_ON.into()));
    }
    let mut p = Problems::new();
    let today = today();
    let on = if input.on.trim().is_empty() {
        today
    } else {
        match NaiveDate::parse_from_str(input.on.trim(), "%Y-%m-%d") {
            Ok(d) if d > today => {
                p.add("on", "日期不能晚于今天");
                today
            }
            Ok(d) => d,
            Err(_) => {
                p.add("on", "日期格式为 年-月-日");
                today
            }
        }
    };
    for (field, text) in [
        ("text", &input.text),
        ("meeting", &input.meeting),
        ("reason", &input.reason),
        ("grounds", &input.grounds),
    ] {
        too_long(&mut p, field, text);
    }
    let subject = if input.subject.trim().is_empty() {
        None
    } else {
        match parse_subject(&input.subject) {
            Some(s) if l.subjects.iter().any(|x| x.subject == s) => Some(s),
            _ => {
                p.add("subject", "不是本案的问责对象");
                None
            }
        }
    };
    let need_subject = |p: &mut Problems| -> Subject {
        match subject {
            Some(s) => s,
            None => {
                p.add("subject", "请选择问责对象");
                Subject::Unit(UnitId(0))
            }
        }
    };
    let act = match input.action.as_str() {
        "check" => Act::PreliminaryCheck {
            finding: input.text.trim().into(),
            proceed: input.proceed,
        },
        "approve" => {
            let me = v
                .account
                .person_id
                .ok_or_else(|| Error::Invalid("批准须由与人员关联的账号办理".into()))?;
            let holds_role = match l
                .policy
                .accountability
                .as_ref()
                .and_then(|a| a.approver.as_ref())
            {
                Some(role) => access::roles_at(&state.store, v, l.case.unit_id)
                    .await?
                    .iter()
                    .any(|r| r == role.as_str()),
                None => access::level(&state.store, v, l.case.unit_id)
                    .await?
                    .is_some_and(|x| x >= Level::Administer),
            };
            Act::ApproveStart {
                by: PersonId(me),
                holds_role,
            }
        }
        "team" => {
            let mut r = state.store.reader().await?;
            for m in &input.members {
                if r.person(*m).await?.is_none() {
                    p.add("members", "调查组成员须为系统中的人员");
                    break;
                }
            }
            if input.members.len() > 20 {
                p.add("members", "调查组最多20人");
            }
            Act::FormTeam {
                members: input.members.iter().copied().map(PersonId).collect(),
            }
        }
        "facts" => Act::ShowFacts {
            subject: need_subject(&mut p),
        },
        "statement" => {
            if input.points.len() > POINTS_MAX {
                p.add("points", format!("最多{POINTS_MAX}项意见"));
            }
            for x in &input.points {
                too_long(&mut p, "points", &x.point);
                too_long(&mut p, "points", &x.reason);
            }
            Act::HearStatement {
                subject: need_subject(&mut p),
                points: input
                    .points
                    .iter()
                    .map(|x| {
                        (
                            x.point.trim().to_string(),
                            if x.adopted {
                                Answer::Adopted
                            } else {
                                Answer::NotAdopted {
                                    reason: x.reason.trim().into(),
                                }
                            },
                        )
                    })
                    .collect(),
                declined: input.declined,
            }
        }
        "discuss" => Act::DiscussReport {
            meeting: input.meeting.trim().into(),
        },
        "decide" => {
            let s = need_subject(&mut p);
            let responsibility = match (s, input.responsibility.trim()) {
                (Subject::Person(_), "") => {
                    p.add("responsibility", "请认定责任");
                    None
                }
                (Subject::Person(_), w) => {
                    let r = responsibility_of(w);
                    if r.is_none() {
                        p.add("responsibility", "请认定责任");
                    }
                    r
                }
                (Subject::Unit(_), _) => None,
            };
            Act::Decide {
                subject: s,
                measures: input
                    .measures
                    .iter()
                    .map(|m| m.trim().to_string())
                    .collect(),
                responsibility,
                suggested: l.suggested(s),
                reason: input.reason.trim().into(),
                no_commendation: input.no_commendation,
            }
        }
        "serve" => Act::Serve {
            subject: need_subject(&mut p),
        },
        "carry_out" => Act::CarryOut {
            subject: need_subject(&mut p),
        },
        "file" => Act::File {
            to: UnitId(l.parent.as_ref().map(|u| u.id).unwrap_or(0)),
        },
        "receive" => Act::ReceiveFiling {
            by: UnitId(l.parent.as_ref().map(|u| u.id).unwrap_or(0)),
        },
        "appeal" => Act::Appeal {
            subject: need_subject(&mut p),
            grounds: input.grounds.trim().into(),
        },
        "appeal_decision" => Act::DecideAppeal {
            subject: need_subject(&mut p),
            upheld: input.upheld,
        },
        "correct" => Act::Correct {
            subject: need_subject(&mut p),
            text: input.text.trim().into(),
        },
        "archive" => Act::Archive,
        _ => {
            p.add("action", "无法识别的办理事项");
            return Err(Error::Fields(p));
        }
    };
    p.check()?;
    if !may_take(&l, act.step(), subject_of(&act)) {
        return Err(Error::Forbidden);
    }
    let parent = l.parent.as_ref().map(|u| UnitId(u.id));
    l.state
        .check(&l.procedure, parent, &act, on)
        .map_err(|r| refusal(r, &l))?;
    let mut w = state.store.write(&v.actor()).await?;
    w.act_on_case(id, l.seen(), &act, on, &l.procedure, parent)
        .await?;
    w.commit().await?;
    Ok(())
}

// ------------------------------------------------------------------------------ minutes

/// A participant as typed.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ParticipantInput {
    pub person_id: i64,
    /// head, in_charge or member.
    pub seat: String,
    /// agreed, opposed or reserved.
    pub position: String,
    #[serde(default)]
    pub words: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct MinutesInput {
    #[serde(default)]
    pub meeting: String,
    /// The person who took the decision alone.
    #[serde(default)]
    pub alone: Option<i64>,
    #[serde(default)]
    pub participants: Vec<ParticipantInput>,
    /// The versions the recorder saw (409 if another came first).
    #[serde(default)]
    pub seen: Option<i64>,
}

pub fn position_of(word: &str) -> Option<zeren_core::accountability::Position> {
    use zeren_core::accountability::Position;
    match word {
        "agreed" => Some(Position::Agreed),
        "opposed" => Some(Position::Opposed),
        "reserved" => Some(Position::Reserved),
        _ => None,
    }
}

pub const POSITION_WORDS: &[&str] = &["agreed", "opposed", "reserved"];

/// Records a new version of the minutes of the decision at fault (the body or an investigator,
/// before the case ends).
pub async fn record_minutes(
    state: &AppState,
    v: &Viewer,
    id: i64,
    input: MinutesInput,
) -> Result<MinutesRow> {
    let l = load(state, v, id).await?;
    if !matches!(l.part, Part::Body | Part::Investigator) {
        return Err(Error::Forbidden);
    }
    if l.state.ended() {
        return Err(Error::Invalid(Refusal::Ended.zh()));
    }
    let mut p = Problems::new();
    if input.meeting.trim().is_empty() {
        p.add("meeting", "请填写作出决策的会议（名称、日期或纪要编号）");
    } else if input.meeting.chars().count() > WORDS_MAX {
        p.add("meeting", format!("不能超过{WORDS_MAX}字"));
    }
    if input.participants.is_empty() {
        p.add("participants", "请至少填写一名参与决策的人员");
    }
    if input.participants.len() > PARTICIPANTS_MAX {
        p.add(
            "participants",
            format!("最多{PARTICIPANTS_MAX}名参与决策的人员"),
        );
    }
    let mut participants = Vec::new();
    let mut r = state.store.reader().await?;
    for x in input.participants.iter().take(PARTICIPANTS_MAX) {
        let (Some(seat), Some(position)) = (Seat::parse(&x.seat), position_of(&x.position)) else {
            p.add("participants", "请为每名人员选择身份和意见");
            continue;
        };
        if x.words.chars().count() > WORDS_MAX {
            p.add("participants", format!("发言不能超过{WORDS_MAX}字"));
        }
        let Some(person) = r.person(x.person_id).await? else {
            p.add("participants", "参与决策的人员须为系统中的人员");
            continue;
        };
        if participants
            .iter()
            .any(|q: &Participant| q.person_id == person.id)
        {
            p.add("participants", "同一人员不能重复填写");
        }
        participants.push(Participant {
            person_id: person.id,
            name: person.name,
            seat,
            position,
            words: x.words.trim().into(),
        });
    }
    drop(r);
    if input
        .alone
        .is_some_and(|a| !participants.iter().any(|q| q.person_id == a))
    {
        p.add("alone", "个人决定的人须在参与决策的人员中");
    }
    p.check()?;
    let seen = input.seen.unwrap_or(l.minutes_versions);
    let mut w = state.store.write(&v.actor()).await?;
    let row = w
        .record_minutes(
            id,
            seen,
            &Minutes {
                meeting: input.meeting.trim().into(),
                alone: input.alone,
                participants,
            },
        )
        .await?;
    w.commit().await?;
    Ok(row)
}

// ------------------------------------------------------------------------------ JSON

#[derive(Serialize)]
pub struct PartJson {
    pub subject: Subject,
    pub key: String,
    pub name: String,
    pub part: zeren_core::accountability::Part,
    /// The allocation the rule suggests from the minutes (people).
    pub suggested: Option<Responsibility>,
    pub appeal_until: Option<NaiveDate>,
}

#[derive(Serialize)]
pub struct CaseJson {
    pub case: CaseRow,
    pub unit_name: String,
    pub part: Part,
    pub seen: i64,
    pub circumstances: Vec<serde_json::Value>,
    pub subjects: Vec<PartJson>,
    pub next_steps: Vec<Step>,
    pub ended: bool,
    pub team: Vec<i64>,
    pub discussed: Option<NaiveDate>,
    pub filed_with: Option<i64>,
    pub filing_received: Option<NaiveDate>,
    pub archived: Option<NaiveDate>,
    pub acts: Vec<ActRow>,
    pub minutes: Option<MinutesRow>,
    pub suggestions: Vec<Suggestion>,
}

pub fn json(l: &Loaded) -> CaseJson {
    let full = !matches!(l.part, Part::Subject(_));
    CaseJson {
        case: l.case.clone(),
        unit_name: l.unit.name.clone(),
        part: l.part.clone(),
        seen: l.seen(),
        circumstances: l
            .circumstances
            .iter()
            .map(|(id, text, source)| serde_json::json!({ "id": id, "text": text, "source": source }))
            .collect(),
        subjects: l
            .visible_subjects()
            .into_iter()
            .map(|s| PartJson {
                subject: s.subject,
                key: subject_key(s.subject),
                name: s.name.clone(),
                part: l
                    .state
                    .subjects
                    .iter()
                    .find(|(x, _)| *x == s.subject)
                    .map(|(_, p)| p.clone())
                    .unwrap_or_default(),
                suggested: if full { l.suggested(s.subject) } else { None },
                appeal_until: l.appeal_until(s.subject),
            })
            .collect(),
        next_steps: if full {
            l.state.next_steps(&l.procedure)
        } else {
            Vec::new()
        },
        ended: l.state.ended(),
        team: if full {
            l.state.team.iter().map(|p| p.0).collect()
        } else {
            Vec::new()
        },
        discussed: l.state.discussed,
        filed_with: l.state.filed.map(|u| u.0),
        filing_received: l.state.filing_received,
        archived: l.state.archived,
        acts: l
            .acts
            .iter()
            .filter(|a| l.sees_act(&a.act))
            .cloned()
            .collect(),
        minutes: if full { l.minutes.clone() } else { None },
        suggestions: if full { l.suggestions() } else { Vec::new() },
    }
}
