//! Accountability (问责) as due process: a case's steps in the order the 《中国共产党问责条例》 (2019)
//! fixes — lead, preliminary check, start approved by the role the policy names, an investigation
//! team of at least two (none of them a subject), the facts shown to each subject, each subject's
//! statement (陈述申辩) heard with every point answered, the report discussed collectively, a
//! decision per subject, served, carried out, filed upward and its 签收, appeals within the window
//! (which do not suspend the decision), correction of a wrong decision, archiving. Each act is
//! checked against the case so far; a step out of order is refused naming the step it needs.
//! The product never decides: it records, checks the order and suggests.
//!
//! Who was responsible: the holders of the relevant roles **on the event date** (from the
//! assignment history, not today's holders), and a suggested allocation by the rule of the seed
//! texts (university L181): in a collective decision the head and the leader in charge bear the
//! main leadership responsibility (主要领导责任), the other members who took part the important one
//! (重要领导责任), and whoever stated clear opposition that was not adopted bears none; a decision
//! one person took alone is that person's. A final allocation may differ from the suggestion only
//! with a reason. Pure: dates are given.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use zeren_policy::RoleId;

use crate::org::{Org, PersonId, UnitId};

/// Who or what a case is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "subject", content = "id", rename_all = "snake_case")]
pub enum Subject {
    Unit(UnitId),
    Person(PersonId),
}

/// The steps of a case, in their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 问题线索: the case exists.
    Lead,
    /// 初步核实.
    PreliminaryCheck,
    /// 启动问责调查 approved by the role the policy names.
    StartApproved,
    /// 调查组 of at least two.
    TeamFormed,
    /// 听取陈述申辩前向被问责对象出示事实材料.
    FactsShown,
    /// 陈述申辩 recorded and answered.
    StatementHeard,
    /// 调查报告 discussed collectively (集体研究).
    ReportDiscussed,
    /// 问责决定.
    Decided,
    /// 送达.
    Served,
    /// 执行 (organisational measures within one month).
    CarriedOut,
    /// 报备 with the body the policy names.
    Filed,
    /// That body's 签收.
    FilingReceived,
    /// 申诉.
    Appealed,
    /// 申诉复查决定.
    AppealDecided,
    /// 纠正 of a wrong decision.
    Corrected,
    /// 归档.
    Archived,
}

impl Step {
    pub fn zh(self) -> &'static str {
        match self {
            Step::Lead => "问题线索",
            Step::PreliminaryCheck => "初步核实",
            Step::StartApproved => "批准启动问责调查",
            Step::TeamFormed => "组成调查组",
            Step::FactsShown => "出示事实材料",
            Step::StatementHeard => "听取陈述申辩",
            Step::ReportDiscussed => "集体研究调查报告",
            Step::Decided => "作出问责决定",
            Step::Served => "送达问责决定",
            Step::CarriedOut => "执行问责决定",
            Step::Filed => "报备",
            Step::FilingReceived => "报备签收",
            Step::Appealed => "申诉",
            Step::AppealDecided => "申诉复查决定",
            Step::Corrected => "纠正",
            Step::Archived => "归档",
        }
    }
}

/// How a point of a statement was answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Answer {
    /// 采纳.
    Adopted,
    /// 不予采纳, with the reason.
    NotAdopted { reason: String },
}

/// The leadership responsibility a person bears for a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Responsibility {
    /// 主要领导责任.
    Main,
    /// 重要领导责任.
    Important,
    /// 不承担责任 (e.g. stated clear opposition that was not adopted).
    None,
}

impl Responsibility {
    pub fn zh(self) -> &'static str {
        match self {
            Responsibility::Main => "主要领导责任",
            Responsibility::Important => "重要领导责任",
            Responsibility::None => "不承担责任",
        }
    }
}

/// A person's position on a decision as the meeting minutes record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// 同意.
    Agreed,
    /// 反对 — clearly stated, and not adopted.
    Opposed,
    /// 保留意见 (not a clear opposition).
    Reserved,
}

impl Position {
    pub fn zh(self) -> &'static str {
        match self {
            Position::Agreed => "同意",
            Position::Opposed => "反对",
            Position::Reserved => "保留",
        }
    }
}

/// What the case's rules come from: the policy and who the subjects are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Procedure {
    /// The measures the policy lists, mildest first.
    pub measures: Vec<String>,
    /// Whether decisions are filed with the parent (报备).
    pub filing: bool,
    /// How long after service a subject may appeal (the 条例: one month).
    pub appeal_months: u32,
    /// How long after the decision organisational measures must be carried out (one month).
    pub carry_out_months: u32,
}

impl Procedure {
    /// The procedure a policy's `[accountability]` sets: its measures, filing with the parent
    /// and the appeal window; organisational measures within one month, as the 条例 says.
    pub fn of(a: &zeren_policy::Accountability) -> Procedure {
        Procedure {
            measures: a.measures.clone(),
            filing: a.filing_to_parent,
            appeal_months: a.appeal_months,
            carry_out_months: 1,
        }
    }
}

impl Default for Procedure {
    fn default() -> Self {
        Procedure {
            measures: Vec::new(),
            filing: true,
            appeal_months: 1,
            carry_out_months: 1,
        }
    }
}

/// An act on a case, as a person asks for it. `on` is the day it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "act", rename_all = "snake_case")]
pub enum Act {
    /// The preliminary check's finding; without `proceed` the case ends here (了结).
    PreliminaryCheck {
        finding: String,
        proceed: bool,
    },
    /// The start of the investigation, approved by a holder of the role the policy names (the
    /// caller says whether `by` held it on the day).
    ApproveStart {
        by: PersonId,
        holds_role: bool,
    },
    FormTeam {
        members: Vec<PersonId>,
    },
    ShowFacts {
        subject: Subject,
    },
    /// A subject's statement: each point with its answer (`declined`: the subject chose not to
    /// make one, which is recorded instead).
    HearStatement {
        subject: Subject,
        points: Vec<(String, Answer)>,
        declined: bool,
    },
    /// The report discussed at a meeting (its reference: 会议名称和日期或纪要编号).
    DiscussReport {
        meeting: String,
    },
    /// The decision for one subject: the measures (from the policy's list) and, for a person,
    /// the responsibility allocated — with a reason when it differs from the suggestion.
    Decide {
        subject: Subject,
        measures: Vec<String>,
        responsibility: Option<Responsibility>,
        suggested: Option<Responsibility>,
        reason: String,
        /// The decision also takes away the year's 评先评优 (the policy's consequence, e.g.
        /// "取消当年考核评优和评先资格"): an [`Effect`] from the day of the decision to the year's end.
        #[serde(default)]
        no_commendation: bool,
    },
    Serve {
        subject: Subject,
    },
    CarryOut {
        subject: Subject,
    },
    File {
        to: UnitId,
    },
    ReceiveFiling {
        by: UnitId,
    },
    Appeal {
        subject: Subject,
        grounds: String,
    },
    /// The appeal's outcome: `upheld` keeps the decision; otherwise it is to be corrected.
    DecideAppeal {
        subject: Subject,
        upheld: bool,
    },
    Correct {
        subject: Subject,
        text: String,
    },
    Archive,
}

impl Act {
    /// The step this act performs.
    pub fn step(&self) -> Step {
        match self {
            Act::PreliminaryCheck { .. } => Step::PreliminaryCheck,
            Act::ApproveStart { .. } => Step::StartApproved,
            Act::FormTeam { .. } => Step::TeamFormed,
            Act::ShowFacts { .. } => Step::FactsShown,
            Act::HearStatement { .. } => Step::StatementHeard,
            Act::DiscussReport { .. } => Step::ReportDiscussed,
            Act::Decide { .. } => Step::Decided,
            Act::Serve { .. } => Step::Served,
            Act::CarryOut { .. } => Step::CarriedOut,
            Act::File { .. } => Step::Filed,
            Act::ReceiveFiling { .. } => Step::FilingReceived,
            Act::Appeal { .. } => Step::Appealed,
            Act::DecideAppeal { .. } => Step::AppealDecided,
            Act::Correct { .. } => Step::Corrected,
            Act::Archive => Step::Archived,
        }
    }

    fn subject(&self) -> Option<Subject> {
        match self {
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
}

/// Why an act is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum Refusal {
    /// A step must come first (for `subject` when it is per subject).
    Needs {
        step: Step,
        subject: Option<Subject>,
    },
    /// The step was already taken (for `subject`).
    Done {
        step: Step,
        subject: Option<Subject>,
    },
    /// The case ended at its preliminary check, or is archived.
    Ended,
    NotASubject {
        subject: Subject,
    },
    /// The approver does not hold the role the policy names.
    NotApprover,
    /// A team needs at least two members, distinct.
    TeamTooSmall,
    /// A subject cannot investigate their own case.
    SubjectInTeam {
        person: PersonId,
    },
    /// A point of a statement without an answer's reason, or no point at all.
    Unanswered,
    /// Text that must be written (finding, meeting reference, grounds, correction).
    Missing {
        what: &'static str,
    },
    /// A measure the policy does not list.
    UnknownMeasure {
        measure: String,
    },
    /// An allocation that differs from the suggestion needs its reason.
    ReasonRequired,
    /// Filing is not what this policy asks, or went to another body.
    NoFiling,
    /// The appeal came after its window closed (the last day it was open).
    AppealTooLate {
        closed: NaiveDate,
    },
    /// A day before the case's last act.
    Backdated {
        last: NaiveDate,
    },
}

impl Refusal {
    pub fn zh(&self) -> String {
        match self {
            Refusal::Needs { step, .. } => format!("须先完成“{}”", step.zh()),
            Refusal::Done { step, .. } => format!("已完成“{}”，不能重复", step.zh()),
            Refusal::Ended => "本案已了结或归档".into(),
            Refusal::NotASubject { .. } => "不是本案的问责对象".into(),
            Refusal::NotApprover => "批准人须为实施办法规定的负责人".into(),
            Refusal::TeamTooSmall => "调查组不得少于两人".into(),
            Refusal::SubjectInTeam { .. } => "问责对象不得参加调查组".into(),
            Refusal::Unanswered => "陈述申辩的每一项意见都须答复，不予采纳的须说明理由".into(),
            Refusal::Missing { what } => format!("须填写{what}"),
            Refusal::UnknownMeasure { measure } => {
                format!("“{measure}”不是实施办法规定的问责方式")
            }
            Refusal::ReasonRequired => "责任认定与系统建议不同的，须写明理由".into(),
            Refusal::NoFiling => "本实施办法未规定报备，或报备单位不符".into(),
            Refusal::AppealTooLate { closed } => {
                format!("申诉期限已于{}届满", closed.format("%Y年%m月%d日"))
            }
            Refusal::Backdated { last } => {
                format!("日期不能早于上一步骤（{}）", last.format("%Y年%m月%d日"))
            }
        }
    }
}

/// Where one subject's part of the case stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Part {
    pub facts_shown: Option<NaiveDate>,
    pub heard: Option<NaiveDate>,
    pub decided: Option<NaiveDate>,
    pub measures: Vec<String>,
    pub responsibility: Option<Responsibility>,
    pub served: Option<NaiveDate>,
    pub carried_out: Option<NaiveDate>,
    /// Carried out later than the procedure allows after the decision.
    pub carried_out_late: bool,
    pub appealed: Option<NaiveDate>,
    /// The appeal's outcome: `Some(true)` upheld, `Some(false)` to be corrected.
    pub appeal_upheld: Option<bool>,
    pub corrected: Option<NaiveDate>,
}

/// A case as its acts made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    pub subjects: Vec<(Subject, Part)>,
    pub opened: NaiveDate,
    pub last: NaiveDate,
    pub checked: Option<bool>,
    pub approved: Option<NaiveDate>,
    pub team: Vec<PersonId>,
    pub discussed: Option<NaiveDate>,
    pub filed: Option<UnitId>,
    pub filing_received: Option<NaiveDate>,
    pub archived: Option<NaiveDate>,
}

impl Case {
    /// A case opened on a lead about `subjects` (each once).
    pub fn open(subjects: &[Subject], on: NaiveDate) -> Case {
        let mut s: Vec<Subject> = subjects.to_vec();
        s.sort();
        s.dedup();
        Case {
            subjects: s.into_iter().map(|x| (x, Part::default())).collect(),
            opened: on,
            last: on,
            checked: None,
            approved: None,
            team: Vec::new(),
            discussed: None,
            filed: None,
            filing_received: None,
            archived: None,
        }
    }

    fn part(&self, s: Subject) -> Option<&Part> {
        self.subjects.iter().find(|(x, _)| *x == s).map(|(_, p)| p)
    }

    fn part_mut(&mut self, s: Subject) -> &mut Part {
        &mut self
            .subjects
            .iter_mut()
            .find(|(x, _)| *x == s)
            .expect("checked before")
            .1
    }

    /// The case ended: not pursued after the check, or archived.
    pub fn ended(&self) -> bool {
        self.checked == Some(false) || self.archived.is_some()
    }

    /// The steps the case could take next (for the page's buttons), each at most once.
    pub fn next_steps(&self, p: &Procedure) -> Vec<Step> {
        let mut out: Vec<Step> = Vec::new();
        let probes = [
            Step::PreliminaryCheck,
            Step::StartApproved,
            Step::TeamFormed,
            Step::FactsShown,
            Step::StatementHeard,
            Step::ReportDiscussed,
            Step::Decided,
            Step::Served,
            Step::CarriedOut,
            Step::Filed,
            Step::FilingReceived,
            Step::Appealed,
            Step::AppealDecided,
            Step::Corrected,
            Step::Archived,
        ];
        for step in probes {
            let per_subject = self
                .subjects
                .iter()
                .any(|(s, _)| self.order(p, step, Some(*s), self.last).is_ok());
            if per_subject || self.order(p, step, None, self.last).is_ok() {
                out.push(step);
            }
        }
        out
    }

    /// Whether `step` (for `subject`) may come now — the order alone.
    fn order(
        &self,
        p: &Procedure,
        step: Step,
        subject: Option<Subject>,
        on: NaiveDate,
    ) -> Result<(), Refusal> {
        if self.ended() {
            return Err(Refusal::Ended);
        }
        let needs = |step: Step, subject: Option<Subject>| Err(Refusal::Needs { step, subject });
        let done = |step: Step, subject: Option<Subject>| Err(Refusal::Done { step, subject });
        let part = match (step_is_per_subject(step), subject) {
            (true, Some(s)) => Some(self.part(s).ok_or(Refusal::NotASubject { subject: s })?),
            (true, None) => {
                return Err(Refusal::Missing {
                    what: "问责对象"
                })
            }
            (false, _) => None,
        };
        match step {
            Step::Lead => return done(Step::Lead, None),
            Step::PreliminaryCheck => {
                if self.checked.is_some() {
                    return done(step, None);
                }
            }
            Step::StartApproved => {
                if self.checked != Some(true) {
                    return needs(Step::PreliminaryCheck, None);
                }
                if self.approved.is_some() {
                    return done(step, None);
                }
            }
            Step::TeamFormed => {
                if self.approved.is_none() {
                    return needs(Step::StartApproved, None);
                }
                if !self.team.is_empty() {
                    return done(step, None);
                }
            }
            Step::FactsShown => {
                if self.team.is_empty() {
                    return needs(Step::TeamFormed, None);
                }
                if part.is_some_and(|x| x.facts_shown.is_some()) {
                    return done(step, subject);
                }
            }
            Step::StatementHeard => {
                let x = part.expect("per subject");
                if x.facts_shown.is_none() {
                    return needs(Step::FactsShown, subject);
                }
                if x.heard.is_some() {
                    return done(step, subject);
                }
            }
            Step::ReportDiscussed => {
                if let Some((s, _)) = self.subjects.iter().find(|(_, x)| x.heard.is_none()) {
                    return needs(Step::StatementHeard, Some(*s));
                }
                if self.discussed.is_some() {
                    return done(step, None);
                }
            }
            Step::Decided => {
                if self.discussed.is_none() {
                    return needs(Step::ReportDiscussed, None);
                }
                if part.is_some_and(|x| x.decided.is_some()) {
                    return done(step, subject);
                }
            }
            Step::Served => {
                let x = part.expect("per subject");
                if x.decided.is_none() {
                    return needs(Step::Decided, subject);
                }
                if x.served.is_some() {
                    return done(step, subject);
                }
            }
            Step::CarriedOut => {
                let x = part.expect("per subject");
                if x.served.is_none() {
                    return needs(Step::Served, subject);
                }
                if x.carried_out.is_some() {
                    return done(step, subject);
                }
            }
            Step::Filed => {
                if !p.filing {
                    return Err(Refusal::NoFiling);
                }
                if let Some((s, _)) = self.subjects.iter().find(|(_, x)| x.served.is_none()) {
                    let need = if self.part(*s).is_some_and(|x| x.decided.is_none()) {
                        Step::Decided
                    } else {
                        Step::Served
                    };
                    return needs(need, Some(*s));
                }
                if self.filed.is_some() {
                    return done(step, None);
                }
            }
            Step::FilingReceived => {
                if self.filed.is_none() {
                    return needs(Step::Filed, None);
                }
                if self.filing_received.is_some() {
                    return done(step, None);
                }
            }
            Step::Appealed => {
                let x = part.expect("per subject");
                let Some(served) = x.served else {
                    return needs(Step::Served, subject);
                };
                if x.appealed.is_some() {
                    return done(step, subject);
                }
                let closed = appeal_closes(served, p);
                if on > closed {
                    return Err(Refusal::AppealTooLate { closed });
                }
            }
            Step::AppealDecided => {
                let x = part.expect("per subject");
                if x.appealed.is_none() {
                    return needs(Step::Appealed, subject);
                }
                if x.appeal_upheld.is_some() {
                    return done(step, subject);
                }
            }
            Step::Corrected => {
                let x = part.expect("per subject");
                if x.appeal_upheld != Some(false) {
                    return needs(Step::AppealDecided, subject);
                }
                if x.corrected.is_some() {
                    return done(step, subject);
                }
            }
            Step::Archived => {
                for (s, x) in &self.subjects {
                    if x.carried_out.is_none() {
                        let need = if x.decided.is_none() {
                            Step::Decided
                        } else if x.served.is_none() {
                            Step::Served
                        } else {
                            Step::CarriedOut
                        };
                        return needs(need, Some(*s));
                    }
                    if x.appealed.is_some() && x.appeal_upheld.is_none() {
                        return needs(Step::AppealDecided, Some(*s));
                    }
                    if x.appeal_upheld == Some(false) && x.corrected.is_none() {
                        return needs(Step::Corrected, Some(*s));
                    }
                }
                if p.filing && self.filing_received.is_none() {
                    return needs(
                        if self.filed.is_none() {
                            Step::Filed
                        } else {
                            Step::FilingReceived
                        },
                        None,
                    );
                }
            }
        }
        Ok(())
    }

    /// Checks `act` on `on` against the case and the procedure; refused with the reason, else
    /// the case is changed.
    pub fn apply(
        &mut self,
        p: &Procedure,
        parent: Option<UnitId>,
        act: &Act,
        on: NaiveDate,
    ) -> Result<(), Refusal> {
        self.check(p, parent, act, on)?;
        self.last = on;
        match act {
            Act::PreliminaryCheck { proceed, .. } => self.checked = Some(*proceed),
            Act::ApproveStart { .. } => self.approved = Some(on),
            Act::FormTeam { members } => {
                let mut m = members.clone();
                m.sort();
                m.dedup();
                self.team = m;
            }
            Act::ShowFacts { subject } => self.part_mut(*subject).facts_shown = Some(on),
            Act::HearStatement { subject, .. } => self.part_mut(*subject).heard = Some(on),
            Act::DiscussReport { .. } => self.discussed = Some(on),
            Act::Decide {
                subject,
                measures,
                responsibility,
                ..
            } => {
                let x = self.part_mut(*subject);
                x.decided = Some(on);
                x.measures = measures.clone();
                x.responsibility = *responsibility;
            }
            Act::Serve { subject } => self.part_mut(*subject).served = Some(on),
            Act::CarryOut { subject } => {
                let months = p.carry_out_months;
                let x = self.part_mut(*subject);
                x.carried_out = Some(on);
                x.carried_out_late = x
                    .decided
                    .and_then(|d| d.checked_add_months(Months::new(months)))
                    .is_some_and(|limit| on > limit);
            }
            Act::File { to } => self.filed = Some(*to),
            Act::ReceiveFiling { .. } => self.filing_received = Some(on),
            Act::Appeal { subject, .. } => self.part_mut(*subject).appealed = Some(on),
            Act::DecideAppeal { subject, upheld } => {
                self.part_mut(*subject).appeal_upheld = Some(*upheld)
            }
            Act::Correct { subject, .. } => self.part_mut(*subject).corrected = Some(on),
            Act::Archive => self.archived = Some(on),
        }
        Ok(())
    }

    /// Whether `act` may be taken on `on`: the order first, then what the act itself must hold.
    pub fn check(
        &self,
        p: &Procedure,
        parent: Option<UnitId>,
        act: &Act,
        on: NaiveDate,
    ) -> Result<(), Refusal> {
        if let Err(mut refusal) = self.order(p, act.step(), act.subject(), on) {
            // Name the first step missing, not only the one right before.
            while let Refusal::Needs { step, subject } = refusal {
                match self.order(p, step, subject, on) {
                    Err(earlier @ Refusal::Needs { .. }) => refusal = earlier,
                    _ => break,
                }
            }
            return Err(refusal);
        }
        if on < self.last {
            return Err(Refusal::Backdated { last: self.last });
        }
        let blank = |s: &str| s.trim().is_empty();
        match act {
            Act::PreliminaryCheck { finding, .. } if blank(finding) => Err(Refusal::Missing {
                what: "初步核实情况",
            }),
            Act::ApproveStart { holds_role, .. } if !holds_role => Err(Refusal::NotApprover),
            Act::FormTeam { members } => {
                let mut m = members.clone();
                m.sort();
                m.dedup();
                if m.len() < 2 || m.len() != members.len() {
                    return Err(Refusal::TeamTooSmall);
                }
                for person in &m {
                    if self.part(Subject::Person(*person)).is_some() {
                        return Err(Refusal::SubjectInTeam { person: *person });
                    }
                }
                Ok(())
            }
            Act::HearStatement {
                points, declined, ..
            } => {
                let answered = points.iter().all(|(point, a)| {
                    !blank(point)
                        && match a {
                            Answer::Adopted => true,
                            Answer::NotAdopted { reason } => !blank(reason),
                        }
                });
                if !answered || (points.is_empty() && !declined) {
                    Err(Refusal::Unanswered)
                } else {
                    Ok(())
                }
            }
            Act::DiscussReport { meeting } if blank(meeting) => Err(Refusal::Missing {
                what: "集体研究的会议",
            }),
            Act::Decide {
                measures,
                responsibility,
                suggested,
                reason,
                ..
            } => {
                if measures.is_empty() {
                    return Err(Refusal::Missing {
                        what: "问责方式"
                    });
                }
                if let Some(m) = measures.iter().find(|m| !p.measures.contains(m)) {
                    return Err(Refusal::UnknownMeasure { measure: m.clone() });
                }
                if suggested.is_some() && responsibility != suggested && blank(reason) {
                    return Err(Refusal::ReasonRequired);
                }
                Ok(())
            }
            Act::File { to } if Some(*to) != parent => Err(Refusal::NoFiling),
            Act::ReceiveFiling { by } if Some(*by) != self.filed => Err(Refusal::NoFiling),
            Act::Appeal { grounds, .. } if blank(grounds) => Err(Refusal::Missing {
                what: "申诉理由",
            }),
            Act::Correct { text, .. } if blank(text) => Err(Refusal::Missing {
                what: "纠正内容"
            }),
            _ => Ok(()),
        }
    }
}

fn step_is_per_subject(step: Step) -> bool {
    matches!(
        step,
        Step::FactsShown
            | Step::StatementHeard
            | Step::Decided
            | Step::Served
            | Step::CarriedOut
            | Step::Appealed
            | Step::AppealDecided
            | Step::Corrected
    )
}

/// The last day a decision served on `served` may be appealed.
pub fn appeal_closes(served: NaiveDate, p: &Procedure) -> NaiveDate {
    served
        .checked_add_months(Months::new(p.appeal_months))
        .unwrap_or(NaiveDate::MAX)
}

// ------------------------------------------------------------------------ who was responsible

/// Who held each of `roles` in `unit` on `day` — the event date, not today.
pub fn holders_on(
    org: &Org,
    unit: UnitId,
    roles: &[RoleId],
    day: NaiveDate,
) -> Vec<(RoleId, Vec<PersonId>)> {
    roles
        .iter()
        .map(|r| (r.clone(), org.holders(r, unit, day, day)))
        .collect()
}

/// How the decision at fault was taken, as the record of its meeting shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    /// The head (主要负责人) on the day.
    pub head: Vec<PersonId>,
    /// The leaders in charge (分管领导) of the matter on the day.
    pub in_charge: Vec<PersonId>,
    /// Everyone who took part in the decision, with the position the minutes record.
    pub positions: Vec<(PersonId, Position)>,
    /// Set when one person took the decision alone (个人决定).
    pub alone: Option<PersonId>,
}

/// A suggested allocation for one person, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub person: PersonId,
    pub responsibility: Responsibility,
    pub why: String,
}

/// The allocation the rule suggests: for a decision taken alone, that person's main
/// responsibility and nobody else's; for a collective one, the head and the leaders in charge
/// main, other participants important — except whoever recorded clear opposition (反对), who
/// bears none. Each person once, in person order.
pub fn suggest(d: &Decision) -> Vec<Suggestion> {
    if let Some(p) = d.alone {
        return vec![Suggestion {
            person: p,
            responsibility: Responsibility::Main,
            why: "个人决定，由其本人承担责任".into(),
        }];
    }
    let mut people: Vec<PersonId> = d
        .head
        .iter()
        .chain(&d.in_charge)
        .copied()
        .chain(d.positions.iter().map(|(p, _)| *p))
        .collect();
    people.sort();
    people.dedup();
    people
        .into_iter()
        .map(|person| {
            let position = d
                .positions
                .iter()
                .find(|(p, _)| *p == person)
                .map(|(_, x)| *x);
            let (responsibility, why) = if position == Some(Position::Opposed) {
                (
                    Responsibility::None,
                    "在集体决策中明确提出反对意见且未被采纳，不承担责任".to_string(),
                )
            } else if d.head.contains(&person) {
                (Responsibility::Main, "主要负责人，承担主要领导责任".into())
            } else if d.in_charge.contains(&person) {
                (Responsibility::Main, "分管领导，承担主要领导责任".into())
            } else {
                (
                    Responsibility::Important,
                    format!(
                        "参与决策（{}），承担重要领导责任",
                        position.map_or("未记录意见", Position::zh)
                    ),
                )
            };
            Suggestion {
                person,
                responsibility,
                why,
            }
        })
        .collect()
}

// ------------------------------------------------------------------------------------ effects

/// An effect of a decision on later assessments (e.g. 取消当年评先评优资格).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Effect {
    pub subject: Subject,
    /// The first and last day it holds.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub text: String,
}

/// The effect "no 评先评优 in the year of the decision": it bars the commendation decided for
/// that year (whose assessment cycle closes after it).
pub fn no_commendation(subject: Subject, decided: NaiveDate) -> Effect {
    use chrono::Datelike;
    let year = decided.year();
    Effect {
        subject,
        from: decided,
        to: NaiveDate::from_ymd_opt(year, 12, 31).expect("a real day"),
        text: format!("取消{year}年度考核评优和评先资格"),
    }
}

/// The effects a case's acts (in order, with their days) leave: each decision that takes away
/// the year's 评先评优 bars it from its day to the year's end — unless that subject's decision was
/// corrected afterwards (纠正: a wrong decision's effect goes with it).
pub fn effects_of<'a>(acts: impl IntoIterator<Item = (&'a Act, NaiveDate)>) -> Vec<Effect> {
    let mut out: Vec<Effect> = Vec::new();
    for (act, on) in acts {
        match act {
            Act::Decide {
                subject,
                no_commendation: true,
                ..
            } => out.push(no_commendation(*subject, on)),
            Act::Correct { subject, .. } => out.retain(|e| e.subject != *subject),
            _ => {}
        }
    }
    out
}

/// Whether `subject` may be commended in an assessment of the period `[start, end]`: not while
/// an effect overlaps it.
pub fn may_be_commended(
    effects: &[Effect],
    subject: Subject,
    start: NaiveDate,
    end: NaiveDate,
) -> bool {
    !effects
        .iter()
        .any(|e| e.subject == subject && e.from <= end && e.to >= start)
}

#[cfg(test)]
#[path = "accountability_tests.rs"]
mod tests;
