//! Inspections (督查) and the rectification loop (整改 → 销号): a finding the inspecting side sends
//! (immutable once sent — a correction is a new version with a reason), a rectification commitment
//! (立行立改 / 限期整改 / 持续整改, measures, responsible person, due date) that both sides must accept
//! in the same version — any edit, by either side, reopens acceptance on both — progress entries, the
//! unit's application for 销号 with evidence, and the inspecting side's 复查 that closes it with a
//! written justification or returns it. Overdue days and each inspection's completion rate are
//! computed. Pure: `today` is passed in. A finding's history is a list of events; its state is
//! derived by replaying them and every action is checked against it first (as in `review`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use zeren_policy::calendar::WorkCalendar;
use zeren_policy::{RectificationKind, Severity, SeverityId, SourceRef};

use crate::org::{PersonId, UnitId};

/// The two sides of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The inspected unit (被督查单位).
    Unit,
    /// The inspecting side (督查方).
    Inspector,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Unit => Side::Inspector,
            Side::Inspector => Side::Unit,
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Side::Unit => "被督查单位",
            Side::Inspector => "督查方",
        }
    }
    fn index(self) -> usize {
        match self {
            Side::Unit => 0,
            Side::Inspector => 1,
        }
    }
}

/// One version of a finding, as the inspecting side wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingText {
    pub unit: UnitId,
    pub severity: Option<SeverityId>,
    /// The policy clause it breaks, in words.
    pub clause: String,
    /// The seed line of that clause, if known.
    pub source: Option<SourceRef>,
    pub description: String,
    /// Evidence: attachment hashes or record references.
    pub evidence: Vec<String>,
    /// Rectify by this date (from the severity's rule, or set by the inspector).
    pub due: NaiveDate,
}

/// A rectification commitment (整改方案), one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commitment {
    pub kind: RectificationKind,
    pub measures: String,
    pub responsible: PersonId,
    pub due: NaiveDate,
}

/// Something that happened to a finding. The store keeps these in order; nothing is edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// Version 1 is the finding sent; later versions are corrections, each with its reason.
    FindingSent {
        version: u32,
        by: PersonId,
        on: NaiveDate,
        finding: FindingText,
        reason: Option<String>,
    },
    FindingWithdrawn {
        by: PersonId,
        on: NaiveDate,
        reason: String,
    },
    /// A version of the commitment, proposed (or edited) by one side, which thereby accepts it.
    CommitmentProposed {
        version: u32,
        side: Side,
        by: PersonId,
        on: NaiveDate,
        commitment: Commitment,
    },
    CommitmentAccepted {
        version: u32,
        side: Side,
        by: PersonId,
        on: NaiveDate,
    },
    CommitmentReturned {
        version: u32,
        side: Side,
        by: PersonId,
        on: NaiveDate,
        reason: String,
    },
    Progress {
        by: PersonId,
        on: NaiveDate,
        text: String,
        evidence: Vec<String>,
    },
    /// The unit applies for 销号.
    ClosureApplied {
        by: PersonId,
        on: NaiveDate,
        text: String,
        evidence: Vec<String>,
    },
    /// 复查 passed: 销号, with the written justification.
    Closed {
        by: PersonId,
        on: NaiveDate,
        justification: String,
    },
    /// 复查 did not pass: back to rectification.
    RecheckReturned {
        by: PersonId,
        on: NaiveDate,
        reason: String,
    },
}

/// Where a finding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Not sent yet.
    Draft,
    /// Sent; no commitment proposed.
    AwaitingCommitment,
    /// A commitment version waits for the other side (or was returned).
    Negotiating,
    /// Both sides accepted the current commitment.
    Rectifying,
    /// The unit applied for 销号; waiting for 复查.
    Applied,
    /// 销号.
    Closed,
    Withdrawn,
}

impl Stage {
    pub fn zh(self) -> &'static str {
        match self {
            Stage::Draft => "草稿",
            Stage::AwaitingCommitment => "待提出整改方案",
            Stage::Negotiating => "整改方案待确认",
            Stage::Rectifying => "整改中",
            Stage::Applied => "待复查",
            Stage::Closed => "已销号",
            Stage::Withdrawn => "已撤回",
        }
    }
}

/// What an action needs before it can be taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    /// The finding to be sent.
    SentFinding,
    /// A commitment proposed.
    Commitment,
    /// The current commitment accepted by both sides.
    AgreedCommitment,
    /// A new version of a returned commitment.
    NewVersion,
    /// The unit's application for 销号.
    ClosureApplication,
    /// A reason (corrections, withdrawals, returns).
    Reason,
    /// A written justification (销号).
    Justification,
    /// Evidence (the application for 销号).
    Evidence,
    /// Words: the description, the measures, the progress.
    Text,
    /// A due date on or after the day the finding was sent.
    DueDate,
    /// The other side's acceptance, not one's own again.
    OtherSide,
}

impl Need {
    pub fn zh(&self) -> &'static str {
        match self {
            Need::SentFinding => "先发出督查问题",
            Need::Commitment => "先提出整改方案",
            Need::AgreedCommitment => "整改方案须经双方确认",
            Need::NewVersion => "整改方案已退回，须提出新版本",
            Need::ClosureApplication => "先由被督查单位申请销号",
            Need::Reason => "须填写理由",
            Need::Justification => "须填写复查意见（销号依据）",
            Need::Evidence => "须附佐证材料",
            Need::Text => "须填写内容",
            Need::DueDate => "整改期限不能早于问题发出日期",
            Need::OtherSide => "须由另一方确认",
        }
    }
}

/// Why an action is refused: each says what it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum InspectionError {
    /// The action needs this first.
    Needs { need: Need, stage: Stage },
    /// Only this side may do it.
    WrongSide { needed: Side },
    /// The finding is closed or withdrawn: nothing more happens to it.
    Finished { stage: Stage },
    /// The version acted on is not the current one.
    StaleVersion { current: u32 },
}

impl InspectionError {
    pub fn zh(&self) -> String {
        match self {
            InspectionError::Needs { need, stage } => {
                format!("当前为“{}”：{}", stage.zh(), need.zh())
            }
            InspectionError::WrongSide { needed } => format!("只能由{}进行此操作", needed.zh()),
            InspectionError::Finished { stage } => format!("问题{}，不能再操作", stage.zh()),
            InspectionError::StaleVersion { current } => {
                format!("整改方案已有新版本（第{current}版），请查看后再确认")
            }
        }
    }
}

/// Who acts, and for which side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub person: PersonId,
    pub side: Side,
}

/// What someone asks to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Send {
        finding: FindingText,
    },
    Correct {
        finding: FindingText,
        reason: String,
    },
    Withdraw {
        reason: String,
    },
    Propose {
        commitment: Commitment,
    },
    Accept {
        version: u32,
    },
    Return {
        version: u32,
        reason: String,
    },
    Progress {
        text: String,
        evidence: Vec<String>,
    },
    ApplyForClosure {
        text: String,
        evidence: Vec<String>,
    },
    Close {
        justification: String,
    },
    ReturnRecheck {
        reason: String,
    },
}

/// The state of a finding, derived from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingState {
    pub stage: Stage,
    pub finding_version: u32,
    pub finding: Option<FindingText>,
    pub sent_on: Option<NaiveDate>,
    pub commitment_version: u32,
    pub commitment: Option<Commitment>,
    /// Which sides accepted the current commitment version: [unit, inspector].
    pub accepted: [bool; 2],
    /// Whether the current version was returned.
    pub returned: bool,
    /// The last commitment both sides accepted (its due date governs overdue).
    pub agreed: Option<Commitment>,
    pub progress: Vec<(NaiveDate, String)>,
    /// The pending (or last accepted) application for 销号.
    pub applied_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
}

impl Default for FindingState {
    fn default() -> Self {
        FindingState {
            stage: Stage::Draft,
            finding_version: 0,
            finding: None,
            sent_on: None,
            commitment_version: 0,
            commitment: None,
            accepted: [false, false],
            returned: false,
            agreed: None,
            progress: Vec::new(),
            applied_on: None,
            closed_on: None,
        }
    }
}

fn nonblank(s: &str) -> bool {
    !s.trim().is_empty()
}

impl FindingState {
    pub fn replay(events: &[Event]) -> Self {
        let mut s = FindingState::default();
        for e in events {
            s.push(e);
        }
        s
    }

    /// Applies one accepted event.
    pub fn push(&mut self, event: &Event) {
        match event {
            Event::FindingSent {
                version,
                on,
                finding,
                ..
            } => {
                self.finding_version = *version;
                self.finding = Some(finding.clone());
                self.sent_on.get_or_insert(*on);
                // A corrected finding reopens the commitment on both sides.
                self.accepted = [false, false];
                self.stage = if self.commitment.is_some() {
                    Stage::Negotiating
                } else {
                    Stage::AwaitingCommitment
                };
                self.applied_on = None;
            }
            Event::FindingWithdrawn { .. } => self.stage = Stage::Withdrawn,
            Event::CommitmentProposed {
                version,
                side,
                commitment,
                ..
            } => {
                self.commitment_version = *version;
                self.commitment = Some(commitment.clone());
                self.accepted = [false, false];
                self.accepted[side.index()] = true;
                self.returned = false;
                self.stage = Stage::Negotiating;
                self.applied_on = None;
            }
            Event::CommitmentAccepted { side, .. } => {
                self.accepted[side.index()] = true;
                if self.accepted == [true, true] {
                    self.stage = Stage::Rectifying;
                    self.agreed = self.commitment.clone();
                }
            }
            Event::CommitmentReturned { side, .. } => {
                self.accepted[side.index()] = false;
                self.returned = true;
            }
            Event::Progress { on, text, .. } => self.progress.push((*on, text.clone())),
            Event::ClosureApplied { on, .. } => {
                self.stage = Stage::Applied;
                self.applied_on = Some(*on);
            }
            Event::Closed { on, .. } => {
                self.stage = Stage::Closed;
                self.closed_on = Some(*on);
            }
            Event::RecheckReturned { .. } => {
                self.stage = Stage::Rectifying;
                self.applied_on = None;
            }
        }
    }

    fn needs(&self, need: Need) -> InspectionError {
        InspectionError::Needs {
            need,
            stage: self.stage,
        }
    }

    /// Checks `action` by `actor` on `today`; on success returns the event to append.
    pub fn check(
        &self,
        actor: Actor,
        action: Action,
        today: NaiveDate,
    ) -> Result<Event, InspectionError> {
        if matches!(self.stage, Stage::Closed | Stage::Withdrawn) {
            return Err(InspectionError::Finished { stage: self.stage });
        }
        let side = |needed: Side| {
            if actor.side == needed {
                Ok(())
            } else {
                Err(InspectionError::WrongSide { needed })
            }
        };
        let by = actor.person;
        match action {
            Action::Send { finding } => {
                side(Side::Inspector)?;
                if self.stage != Stage::Draft {
                    return Err(self.needs(Need::Reason));
                }
                self.check_finding(&finding, today)?;
                Ok(Event::FindingSent {
                    version: 1,
                    by,
                    on: today,
                    finding,
                    reason: None,
                })
            }
            Action::Correct { finding, reason } => {
                side(Side::Inspector)?;
                if self.stage == Stage::Draft {
                    return Err(self.needs(Need::SentFinding));
                }
                if !nonblank(&reason) {
                    return Err(self.needs(Need::Reason));
                }
                self.check_finding(&finding, self.sent_on.unwrap_or(today))?;
                Ok(Event::FindingSent {
                    version: self.finding_version + 1,
                    by,
                    on: today,
                    finding,
                    reason: Some(reason),
                })
            }
            Action::Withdraw { reason } => {
                side(Side::Inspector)?;
                if self.stage == Stage::Draft {
                    return Err(self.needs(Need::SentFinding));
                }
                if !nonblank(&reason) {
                    return Err(self.needs(Need::Reason));
                }
                Ok(Event::FindingWithdrawn {
                    by,
                    on: today,
                    reason,
                })
            }
            Action::Propose { commitment } => {
                match self.stage {
                    Stage::Draft => return Err(self.needs(Need::SentFinding)),
                    // Waiting for 复查: the inspecting side decides first.
                    Stage::Applied => return Err(self.needs(Need::ClosureApplication)),
                    _ => {}
                }
                if !nonblank(&commitment.measures) {
                    return Err(self.needs(Need::Text));
                }
                if self.sent_on.is_some_and(|s| commitment.due < s) {
                    return Err(self.needs(Need::DueDate));
                }
                Ok(Event::CommitmentProposed {
                    version: self.commitment_version + 1,
                    side: actor.side,
                    by,
                    on: today,
                    commitment,
                })
            }
            Action::Accept { .. } | Action::Return { .. } if self.commitment.is_none() => {
                Err(self.needs(Need::Commitment))
            }
            Action::Accept { version } => {
                self.check_version(version)?;
                if self.stage != Stage::Negotiating {
                    return Err(self.needs(Need::Commitment));
                }
                if self.returned {
                    return Err(self.needs(Need::NewVersion));
                }
                if self.accepted[actor.side.index()] {
                    return Err(self.needs(Need::OtherSide));
                }
                Ok(Event::CommitmentAccepted {
                    version,
                    side: actor.side,
                    by,
                    on: today,
                })
            }
            Action::Return { version, reason } => {
                self.check_version(version)?;
                if self.stage != Stage::Negotiating || self.returned {
                    return Err(self.needs(Need::Commitment));
                }
                if self.accepted[actor.side.index()] {
                    return Err(self.needs(Need::OtherSide));
                }
                if !nonblank(&reason) {
                    return Err(self.needs(Need::Reason));
                }
                Ok(Event::CommitmentReturned {
                    version,
                    side: actor.side,
                    by,
                    on: today,
                    reason,
                })
            }
            Action::Progress { text, evidence } => {
                side(Side::Unit)?;
                if self.stage != Stage::Rectifying {
                    return Err(self.needs(Need::AgreedCommitment));
                }
                if !nonblank(&text) {
                    return Err(self.needs(Need::Text));
                }
                Ok(Event::Progress {
                    by,
                    on: today,
                    text,
                    evidence,
                })
            }
            Action::ApplyForClosure { text, evidence } => {
                side(Side::Unit)?;
                if self.stage != Stage::Rectifying {
                    return Err(self.needs(Need::AgreedCommitment));
                }
                if !nonblank(&text) {
                    return Err(self.needs(Need::Text));
                }
                if evidence.iter().all(|e| !nonblank(e)) {
                    return Err(self.needs(Need::Evidence));
                }
                Ok(Event::ClosureApplied {
                    by,
                    on: today,
                    text,
                    evidence,
                })
            }
            Action::Close { justification } => {
                side(Side::Inspector)?;
                if self.stage != Stage::Applied {
                    return Err(self.needs(Need::ClosureApplication));
                }
                if !nonblank(&justification) {
                    return Err(self.needs(Need::Justification));
                }
                Ok(Event::Closed {
                    by,
                    on: today,
                    justification,
                })
            }
            Action::ReturnRecheck { reason } => {
                side(Side::Inspector)?;
                if self.stage != Stage::Applied {
                    return Err(self.needs(Need::ClosureApplication));
                }
                if !nonblank(&reason) {
                    return Err(self.needs(Need::Reason));
                }
                Ok(Event::RecheckReturned {
                    by,
                    on: today,
                    reason,
                })
            }
        }
    }

    fn check_finding(&self, f: &FindingText, sent_on: NaiveDate) -> Result<(), InspectionError> {
        if !nonblank(&f.description) || !nonblank(&f.clause) {
            return Err(self.needs(Need::Text));
        }
        if f.due < sent_on {
            return Err(self.needs(Need::DueDate));
        }
        Ok(())
    }

    fn check_version(&self, version: u32) -> Result<(), InspectionError> {
        if version != self.commitment_version {
            return Err(InspectionError::StaleVersion {
                current: self.commitment_version,
            });
        }
        Ok(())
    }

    /// The date that governs overdue: the last agreed commitment's, else the finding's.
    pub fn due(&self) -> Option<NaiveDate> {
        self.agreed
            .as_ref()
            .map(|c| c.due)
            .or(self.finding.as_ref().map(|f| f.due))
    }
}

/// How a finding stands against its due date on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "standing", rename_all = "snake_case")]
pub enum Standing {
    /// Not sent, or withdrawn: not counted.
    NotCounted,
    /// Open, due in `days_left` days (0: today).
    Open { due: NaiveDate, days_left: i64 },
    /// Open past its due date.
    Overdue { due: NaiveDate, days: i64 },
    /// 销号; the unit applied on or before the due date.
    ClosedOnTime { due: NaiveDate },
    /// 销号; the unit applied this many days after the due date.
    ClosedLate { due: NaiveDate, days: i64 },
}

impl Standing {
    pub fn zh(self) -> String {
        match self {
            Standing::NotCounted => "不计".into(),
            Standing::Open { days_left, .. } => format!("整改中（剩余{days_left}天）"),
            Standing::Overdue { days, .. } => format!("逾期{days}天"),
            Standing::ClosedOnTime { .. } => "按期销号".into(),
            Standing::ClosedLate { days, .. } => format!("逾期{days}天销号"),
        }
    }
}

/// The finding's standing on `today`. A finding counts as done on the day the unit applied for the
/// 销号 that was accepted (the 复查's own time is the inspecting side's); while an application
/// waits for 复查, the finding is not overdue.
pub fn standing(s: &FindingState, today: NaiveDate) -> Standing {
    let Some(due) = s.due() else {
        return Standing::NotCounted;
    };
    match s.stage {
        Stage::Draft | Stage::Withdrawn => Standing::NotCounted,
        Stage::Closed => {
            let done = s.applied_on.or(s.closed_on).unwrap_or(today);
            if done <= due {
                Standing::ClosedOnTime { due }
            } else {
                Standing::ClosedLate {
                    due,
                    days: (done - due).num_days(),
                }
            }
        }
        Stage::Applied if s.applied_on.is_some_and(|a| a <= due) => Standing::Open {
            due,
            days_left: (due - today).num_days().max(0),
        },
        _ if today > due => Standing::Overdue {
            due,
            days: (today - due).num_days(),
        },
        _ => Standing::Open {
            due,
            days_left: (due - today).num_days(),
        },
    }
}

/// An inspection's completion: of the findings sent (withdrawn ones excluded), how many are
/// closed, closed on time, open and overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Completion {
    pub findings: usize,
    pub closed: usize,
    pub closed_on_time: usize,
    pub open: usize,
    pub overdue: usize,
}

impl Completion {
    /// Closed findings as a share of all, in per cent; `None` without findings.
    pub fn rate_percent(&self) -> Option<f64> {
        (self.findings > 0).then(|| self.closed as f64 * 100.0 / self.findings as f64)
    }
    /// 共发现问题8个，已销号6个（按期5个），整改完成率75.0%，逾期未销号1个
    pub fn zh(&self) -> String {
        match self.rate_percent() {
            None => "未发现问题".into(),
            Some(r) => format!(
                "共发现问题{}个，已销号{}个（按期{}个），整改完成率{:.1}%，逾期未销号{}个",
                self.findings, self.closed, self.closed_on_time, r, self.overdue
            ),
        }
    }
}

pub fn completion<'a>(
    findings: impl IntoIterator<Item = &'a FindingState>,
    today: NaiveDate,
) -> Completion {
    let mut c = Completion::default();
    for f in findings {
        match standing(f, today) {
            Standing::NotCounted => continue,
            Standing::Open { .. } => c.open += 1,
            Standing::Overdue { .. } => {
                c.open += 1;
                c.overdue += 1
            }
            Standing::ClosedOnTime { .. } => {
                c.closed += 1;
                c.closed_on_time += 1
            }
            Standing::ClosedLate { .. } => c.closed += 1,
        }
        c.findings += 1;
    }
    c
}

/// The due date a severity sets for a finding sent on `sent_on`: 立行立改 the same day (or within
/// its days), 限期整改 within its days, 持续整改 within its days if given (else the inspector sets
/// it: `None`); then moved off a non-working day as the severity's `workday` says.
pub fn finding_due(
    severity: &Severity,
    sent_on: NaiveDate,
    cal: &WorkCalendar,
) -> Option<NaiveDate> {
    let days = severity.within.and_then(|d| d.whole_days());
    let raw = match (severity.kind, days) {
        (_, Some(n)) => sent_on.checked_add_days(chrono::Days::new(u64::from(n)))?,
        (RectificationKind::Immediate, None) => sent_on,
        (_, None) => return None,
    };
    Some(cal.adjust(raw, severity.workday))
}

/// For 持续整改 with `progress_every`: when the next progress entry is due.
pub fn next_progress_due(s: &FindingState, severity: &Severity) -> Option<NaiveDate> {
    let every = severity.progress_every?.whole_days()?;
    if s.stage != Stage::Rectifying {
        return None;
    }
    let last = s.progress.last().map(|(d, _)| *d).or(s.sent_on)?;
    last.checked_add_days(chrono::Days::new(u64::from(every)))
}

#[cfg(test)]
#[path = "inspection_tests.rs"]
mod tests;
