//! Incidents (舆情 / 突发事件): the wall-clock deadlines a policy level sets, escalation up the tree,
//! the report series (初报 → 续报 … → 终报) with 签发 before a written report leaves the unit, 迟报
//! and 漏报 computed to the minute, the handling log and closure review.
//!
//! Every time is an instant ([`Instant`], UTC) and every duration wall-clock minutes, 24×7: the
//! working-day calendar (调休, weekends, holidays) that moves duties' due dates never applies here.
//! China time (UTC+8, no daylight saving) matters only for "by 16:00 every day". Pure: `now` is
//! passed in. An incident's history is a list of events; its state is derived by replaying them and
//! every action is checked against that state before its event is appended (as in `review`).

use chrono::{DateTime, Days, FixedOffset, NaiveDateTime, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use zeren_policy::{
    BodyId, ClosureReviewer, Duration, IncidentLevel, Incidents, LevelId, Policy, ReportTarget,
    ReportWithin, RoleId,
};

use crate::org::{Org, PersonId, UnitId};

/// A moment on the wall clock.
pub type Instant = DateTime<Utc>;

/// China Standard Time, UTC+8 all year.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The China wall-clock reading of an instant.
pub fn china_time(t: Instant) -> NaiveDateTime {
    t.with_timezone(&china()).naive_local()
}

/// The instant a China wall-clock reading names (UTC+8 is never ambiguous).
pub fn from_china_time(t: NaiveDateTime) -> Instant {
    china()
        .from_local_datetime(&t)
        .single()
        .expect("a fixed offset maps every local time once")
        .with_timezone(&Utc)
}

fn plus(t: Instant, d: Duration) -> Instant {
    t + chrono::Duration::minutes(d.minutes() as i64)
}

/// Whole minutes from `a` to `b`, rounded up: a report 20 seconds late is 1 minute late.
fn minutes_after(a: Instant, b: Instant) -> i64 {
    let secs = (b - a).num_seconds();
    if secs <= 0 {
        -((-secs) / 60)
    } else {
        (secs + 59) / 60
    }
}

// ------------------------------------------------------------------------------- deadlines

/// When something is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "due", rename_all = "snake_case")]
pub enum Due {
    /// By this instant.
    By { at: Instant },
    /// 第一时间: at once, counted from `since`. There is no fixed clock, so the time taken is shown,
    /// never a 迟报.
    AtOnce { since: Instant },
    /// No clock (及时, or the policy says nothing).
    NoClock,
}

impl Due {
    fn from_rule(rule: Option<ReportWithin>, since: Instant) -> Due {
        match rule {
            Some(ReportWithin::Within(d)) => Due::By { at: plus(since, d) },
            Some(ReportWithin::Immediately) => Due::AtOnce { since },
            None => Due::NoClock,
        }
    }

    pub fn at(self) -> Option<Instant> {
        match self {
            Due::By { at } => Some(at),
            _ => None,
        }
    }
}

/// Whether something due was done in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Timeliness {
    /// Not done; the deadline is `minutes_left` minutes ahead (a countdown).
    Pending { minutes_left: i64 },
    /// Done by the deadline.
    OnTime,
    /// 迟报: done `minutes` minutes after the deadline.
    Late { minutes: i64 },
    /// 漏报: not done, and the deadline passed `minutes` minutes ago.
    Missing { minutes: i64 },
    /// 第一时间: done `minutes` minutes after it became due.
    Took { minutes: i64 },
    /// 第一时间: not done yet, `minutes` minutes since it became due.
    Waiting { minutes: i64 },
    /// No clock: done or not, nothing is late.
    NoClock { done: bool },
}

impl Timeliness {
    pub fn is_late(self) -> bool {
        matches!(self, Timeliness::Late { .. })
    }
    pub fn is_missing(self) -> bool {
        matches!(self, Timeliness::Missing { .. })
    }

    /// 按时 / 迟报12分钟 / 漏报（已超时1小时5分钟）/ 剩余35分钟 …
    pub fn zh(self) -> String {
        match self {
            Timeliness::Pending { minutes_left } => format!("剩余{}", minutes_zh(minutes_left)),
            Timeliness::OnTime => "按时".into(),
            Timeliness::Late { minutes } => format!("迟报{}", minutes_zh(minutes)),
            Timeliness::Missing { minutes } => format!("漏报（已超时{}）", minutes_zh(minutes)),
            Timeliness::Took { minutes } => format!("用时{}", minutes_zh(minutes)),
            Timeliness::Waiting { minutes } => format!("已过{}", minutes_zh(minutes)),
            Timeliness::NoClock { done: true } => "已报".into(),
            Timeliness::NoClock { done: false } => "未报".into(),
        }
    }
}

/// 5分钟, 2小时, 1天3小时20分钟.
pub fn minutes_zh(m: i64) -> String {
    let (d, h, min) = (m / 1440, (m % 1440) / 60, m % 60);
    let mut s = String::new();
    if d > 0 {
        s.push_str(&format!("{d}天"));
    }
    if h > 0 {
        s.push_str(&format!("{h}小时"));
    }
    if min > 0 || s.is_empty() {
        s.push_str(&format!("{min}分钟"));
    }
    s
}

/// Judges `done` (when it was done, if it was) against `due` at `now`.
pub fn timeliness(due: Due, done: Option<Instant>, now: Instant) -> Timeliness {
    match (due, done) {
        (Due::By { at }, Some(t)) if t <= at => Timeliness::OnTime,
        (Due::By { at }, Some(t)) => Timeliness::Late {
            minutes: minutes_after(at, t),
        },
        (Due::By { at }, None) if now <= at => Timeliness::Pending {
            minutes_left: -minutes_after(at, now),
        },
        (Due::By { at }, None) => Timeliness::Missing {
            minutes: minutes_after(at, now),
        },
        (Due::AtOnce { since }, Some(t)) => Timeliness::Took {
            minutes: minutes_after(since, t).max(0),
        },
        (Due::AtOnce { since }, None) => Timeliness::Waiting {
            minutes: minutes_after(since, now).max(0),
        },
        (Due::NoClock, done) => Timeliness::NoClock {
            done: done.is_some(),
        },
    }
}

/// The 初报 deadline for a unit of `unit_kind` that learnt of an incident of `level` at `known_at`.
pub fn first_report_due(level: &IncidentLevel, unit_kind: &str, known_at: Instant) -> Due {
    Due::from_rule(level.report_within_for(unit_kind), known_at)
}

/// The written 初报's deadline when a phone report may come first (`written_within`).
pub fn written_report_due(level: &IncidentLevel, known_at: Instant) -> Option<Due> {
    level.written_within.map(|d| Due::By {
        at: plus(known_at, d),
    })
}

/// When the incident should be closed (`close_within`).
pub fn close_due(level: &IncidentLevel, known_at: Instant) -> Option<Instant> {
    level.close_within.map(|d| plus(known_at, d))
}

/// The 终报's deadline once handling ended (`final_within`).
pub fn final_report_due(level: &IncidentLevel, handling_ended: Instant) -> Option<Instant> {
    level.final_within.map(|d| plus(handling_ended, d))
}

/// The level the numeric facts suggest: the most severe level one of whose thresholds matches.
/// The reporter chooses; this is only a suggestion.
pub fn suggest_level<'p>(
    incidents: &'p Incidents,
    facts: &[(&str, i64)],
) -> Option<&'p IncidentLevel> {
    incidents.levels.iter().find(|l| {
        l.thresholds.iter().any(|t| {
            facts
                .iter()
                .any(|(m, v)| *m == t.measure.as_str() && t.matches(*v))
        })
    })
}

// ------------------------------------------------------------------------------ escalation

/// Who receives a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "recipient", rename_all = "snake_case")]
pub enum Recipient {
    Unit {
        unit: UnitId,
    },
    /// A body of the policy at the unit where it is installed (its members are found there).
    Body {
        body: BodyId,
    },
    /// The holders of a role in the reporting unit.
    Role {
        role: RoleId,
        unit: UnitId,
    },
    /// The tree ends before the level the policy names: `levels_up` above the reporting unit.
    /// A setup problem to show, not a report anyone can send.
    Missing {
        levels_up: u32,
    },
    /// The policy names no recipient (e.g. 第一时间迅速报告, to whom unsaid): the unit's own
    /// leadership, as the unit decides.
    Unnamed,
}

/// One report that must be made: who sends it to whom, and by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// The unit that must send (the reporting unit, or a recipient relaying it on).
    pub from: UnitId,
    pub to: Recipient,
    /// How far above the reporting unit the recipient is (0 for a body or role).
    pub levels_up: u32,
    pub due: Due,
    /// Whether this is a relay of a report received (逐级上报).
    pub relay: bool,
}

/// Everyone a report of `level` from `unit` must reach, and by when. `since` is when the clock
/// started (the incident became known, or the level was raised); `delivered(u)` says when a report
/// reached unit `u`, for relays, whose clock runs from delivery (or, before delivery, from the
/// latest moment it was due there).
pub fn escalation(
    org: &Org,
    unit: UnitId,
    unit_kind: &str,
    level: &IncidentLevel,
    since: Instant,
    delivered: &dyn Fn(UnitId) -> Option<Instant>,
) -> Vec<Hop> {
    let first = first_report_due(level, unit_kind, since);
    let ancestry = org.ancestry(unit);
    let up = level
        .report_to
        .iter()
        .map(ReportTarget::levels_up)
        .max()
        .unwrap_or(0);
    let mut hops = Vec::new();
    let relay = level.relay_within.filter(|_| up >= 2);
    for n in 1..=up {
        let to = match ancestry.get(n as usize) {
            Some(&u) => Recipient::Unit { unit: u },
            None => {
                hops.push(Hop {
                    from: unit,
                    to: Recipient::Missing { levels_up: n },
                    levels_up: n,
                    due: first,
                    relay: false,
                });
                break;
            }
        };
        let (from, due, is_relay) = match relay {
            Some(r) if n >= 2 => {
                let sender = ancestry[n as usize - 1];
                let base = delivered(sender).or_else(|| hops.last().and_then(|h: &Hop| h.due.at()));
                let due = match base {
                    Some(t) => Due::By { at: plus(t, r) },
                    None => Due::NoClock,
                };
                (sender, due, true)
            }
            _ => (unit, first, false),
        };
        hops.push(Hop {
            from,
            to,
            levels_up: n,
            due,
            relay: is_relay,
        });
    }
    for t in &level.report_to {
        match t {
            ReportTarget::Body(b) => hops.push(Hop {
                from: unit,
                to: Recipient::Body { body: b.clone() },
                levels_up: 0,
                due: first,
                relay: false,
            }),
            ReportTarget::Role(r) => hops.push(Hop {
                from: unit,
                to: Recipient::Role {
                    role: r.clone(),
                    unit,
                },
                levels_up: 0,
                due: first,
                relay: false,
            }),
            ReportTarget::Parent | ReportTarget::Up(_) => {}
        }
    }
    hops
}

// ------------------------------------------------------------------------- report series

/// Which report of the series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "report", content = "n", rename_all = "snake_case")]
pub enum ReportKind {
    /// 初报
    Initial,
    /// 续报 n (from 1)
    FollowUp(u32),
    /// 终报
    Final,
}

impl ReportKind {
    pub fn zh(self) -> String {
        match self {
            ReportKind::Initial => "初报".into(),
            ReportKind::FollowUp(n) => format!("续报{n}"),
            ReportKind::Final => "终报".into(),
        }
    }
}

/// How a report was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// By phone, recorded afterwards (only the 初报, before the written one).
    Phone,
    Written,
}

/// Something that happened to an incident. The store keeps these in order; nothing is edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A version of a written report was drafted (a new version replaces the unsent one).
    Drafted {
        report: ReportKind,
        by: PersonId,
        at: Instant,
        hash: String,
    },
    /// 签发: the named role's holder signs off the exact version.
    SignedOff {
        report: ReportKind,
        by: PersonId,
        at: Instant,
        hash: String,
    },
    /// The report left the unit.
    Sent {
        report: ReportKind,
        channel: Channel,
        by: PersonId,
        at: Instant,
        to: Vec<UnitId>,
        /// The version sent (written reports).
        hash: Option<String>,
    },
    /// A recipient passed a report on to the next level (逐级上报).
    Relayed {
        report: ReportKind,
        from: UnitId,
        to: UnitId,
        by: PersonId,
        at: Instant,
    },
    /// 签收 by a recipient unit.
    Received {
        report: ReportKind,
        unit: UnitId,
        by: PersonId,
        at: Instant,
    },
    /// A recipient asks for a 续报 by a time.
    FollowUpRequested {
        unit: UnitId,
        by: PersonId,
        at: Instant,
        due: Instant,
    },
    /// A recipient raises the level (e.g. 较大 → 重大).
    LevelRaised {
        unit: UnitId,
        by: PersonId,
        at: Instant,
        to: LevelId,
        reason: String,
    },
    /// 批示 by a recipient.
    Instructed {
        unit: UnitId,
        by: PersonId,
        at: Instant,
        text: String,
    },
    /// An entry of the handling log (处置记录); `handling` is the index of the level's required
    /// handling item it fulfils, if any.
    Logged {
        by: PersonId,
        at: Instant,
        text: String,
        handling: Option<usize>,
    },
    /// Handling ended (处置结束): the 终报 clock starts.
    HandlingEnded { by: PersonId, at: Instant },
    ClosureProposed {
        by: PersonId,
        at: Instant,
        summary: String,
        lessons: String,
    },
    ClosureAccepted {
        by: PersonId,
        at: Instant,
        comment: String,
    },
    ClosureReturned {
        by: PersonId,
        at: Instant,
        comment: String,
    },
}

impl Event {
    pub fn at(&self) -> Instant {
        match self {
            Event::Drafted { at, .. }
            | Event::SignedOff { at, .. }
            | Event::Sent { at, .. }
            | Event::Relayed { at, .. }
            | Event::Received { at, .. }
            | Event::FollowUpRequested { at, .. }
            | Event::LevelRaised { at, .. }
            | Event::Instructed { at, .. }
            | Event::Logged { at, .. }
            | Event::HandlingEnded { at, .. }
            | Event::ClosureProposed { at, .. }
            | Event::ClosureAccepted { at, .. }
            | Event::ClosureReturned { at, .. } => *at,
        }
    }
}

/// Where an incident stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Being handled and reported.
    Open,
    /// Closure proposed, waiting for the reviewer.
    ClosureInReview,
    Closed,
}

impl Stage {
    pub fn zh(self) -> &'static str {
        match self {
            Stage::Open => "处置中",
            Stage::ClosureInReview => "办结待审核",
            Stage::Closed => "已办结",
        }
    }
}

/// One report of the series as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub kind: ReportKind,
    /// The current written version, if drafted.
    pub hash: Option<String>,
    /// 签发 of the current version: who and when.
    pub signed_off: Option<(PersonId, Instant)>,
    /// When it was phoned through (初报 only).
    pub phoned_at: Option<Instant>,
    /// When the written report left the unit.
    pub sent_at: Option<Instant>,
    pub sent_to: Vec<UnitId>,
    /// 签收: which recipient unit acknowledged it, when.
    pub received: Vec<(UnitId, Instant)>,
    /// Relays: (from, to, when).
    pub relayed: Vec<(UnitId, UnitId, Instant)>,
}

impl Report {
    fn new(kind: ReportKind) -> Self {
        Report {
            kind,
            hash: None,
            signed_off: None,
            phoned_at: None,
            sent_at: None,
            sent_to: Vec::new(),
            received: Vec::new(),
            relayed: Vec::new(),
        }
    }
    /// When it first reached the recipients, by phone or in writing.
    pub fn first_made(&self) -> Option<Instant> {
        match (self.phoned_at, self.sent_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
    /// When it reached `unit`: sent there, or relayed there.
    pub fn delivered_to(&self, unit: UnitId) -> Option<Instant> {
        let direct = self
            .sent_to
            .contains(&unit)
            .then_some(self.first_made())
            .flatten();
        let relayed = self
            .relayed
            .iter()
            .filter(|(_, to, _)| *to == unit)
            .map(|(_, _, t)| *t)
            .min();
        match (direct, relayed) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// The facts of an incident the rules need, besides its events.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub policy: &'a Policy,
    /// The reporting unit and its kind.
    pub unit: UnitId,
    pub unit_kind: &'a str,
    /// The level chosen when it was reported.
    pub level: LevelId,
    /// When the unit learnt of it: every clock runs from here.
    pub known_at: Instant,
}

/// The state of an incident, derived from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentState {
    pub stage: Stage,
    pub level: LevelId,
    /// When the level was last raised (the added recipients' clocks run from here).
    pub level_raised_at: Option<Instant>,
    /// Reports in the order of the series.
    pub reports: Vec<Report>,
    /// The latest 续报 request not yet met: (by unit, asked at, due).
    pub follow_up_request: Option<(UnitId, Instant, Instant)>,
    /// All 续报 requests: (by unit, asked at, due, met at).
    pub requests: Vec<(UnitId, Instant, Instant, Option<Instant>)>,
    /// Which of the level's required handling items the log shows.
    pub handled: Vec<usize>,
    pub log_entries: usize,
    pub handling_ended_at: Option<Instant>,
    pub closed_at: Option<Instant>,
}

/// Who acts, and for which unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub person: PersonId,
    pub unit: UnitId,
}

/// What someone asks to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Draft {
        report: ReportKind,
        hash: String,
    },
    SignOff {
        report: ReportKind,
        hash: String,
    },
    Send {
        report: ReportKind,
        hash: String,
        to: Vec<UnitId>,
    },
    /// A phone report made at `at` (recorded afterwards).
    Phone {
        to: Vec<UnitId>,
        at: Instant,
    },
    Relay {
        report: ReportKind,
        to: UnitId,
    },
    Receive {
        report: ReportKind,
    },
    RequestFollowUp {
        due: Instant,
    },
    RaiseLevel {
        to: LevelId,
        reason: String,
    },
    Instruct {
        text: String,
    },
    Log {
        text: String,
        handling: Option<usize>,
    },
    EndHandling,
    ProposeClosure {
        summary: String,
        lessons: String,
    },
    AcceptClosure {
        comment: String,
    },
    ReturnClosure {
        comment: String,
    },
}

/// Why an action is refused; each names what it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum IncidentError {
    /// The incident is not in a stage that allows it.
    WrongStage {
        stage: Stage,
    },
    /// The next report of the series is another one.
    NotNextReport {
        expected: Vec<ReportKind>,
    },
    /// No report after the 终报.
    SeriesEnded,
    /// The report has not been drafted.
    NotDrafted {
        report: ReportKind,
    },
    /// The version is not the current draft.
    StaleVersion {
        current: String,
    },
    /// 签发 is by the holder of this role in the unit.
    NotSignOffRole {
        role: RoleId,
    },
    /// The level names no role to sign off.
    NoSignOff,
    /// The report must be signed off (签发) by this role before it leaves the unit.
    SignOffRequired {
        role: RoleId,
    },
    AlreadySent {
        report: ReportKind,
    },
    /// A phone report is only the first report, before the written one.
    PhoneOnlyFirst,
    NoRecipients,
    /// Only a unit the report was sent or relayed to may do this.
    NotARecipient,
    AlreadyReceived,
    /// A relay goes to the next unit up from the relaying one.
    NotTheNextLevel {
        expected: Option<UnitId>,
    },
    /// A deadline must be after now.
    DueInThePast,
    /// The new level must be more severe than the current one.
    NotMoreSevere {
        current: LevelId,
    },
    UnknownLevel,
    TextRequired,
    UnknownHandling {
        index: usize,
    },
    /// Only the reporting unit may do this.
    NotTheUnit,
    /// Closure needs these reports and handling items first.
    ClosureNeeds {
        final_report: bool,
        handling: Vec<String>,
    },
    /// Only the closure's reviewer may decide it.
    NotTheReviewer,
    /// A phone report's time is between when the incident became known and now.
    PhoneTime,
}

impl IncidentError {
    pub fn zh(&self) -> String {
        match self {
            IncidentError::WrongStage { stage } => {
                format!("事件当前为“{}”，不能进行此操作", stage.zh())
            }
            IncidentError::NotNextReport { expected } => {
                let e: Vec<String> = expected.iter().map(|k| k.zh()).collect();
                format!("下一份报告应为{}", e.join("或"))
            }
            IncidentError::SeriesEnded => "已报送终报，不能再报送报告".into(),
            IncidentError::NotDrafted { report } => format!("请先起草{}", report.zh()),
            IncidentError::StaleVersion { .. } => "报告已有新版本，请查看最新版本".into(),
            IncidentError::NotSignOffRole { .. } => "只有规定的签发人可以签发".into(),
            IncidentError::NoSignOff => "本级别事件不需要签发".into(),
            IncidentError::SignOffRequired { .. } => "报告须经签发后才能报出".into(),
            IncidentError::AlreadySent { report } => format!("{}已报出", report.zh()),
            IncidentError::PhoneOnlyFirst => "电话报告只用于书面初报之前的首次报告".into(),
            IncidentError::NoRecipients => "请选择报送单位".into(),
            IncidentError::NotARecipient => "只有收到报告的单位可以进行此操作".into(),
            IncidentError::AlreadyReceived => "本单位已签收".into(),
            IncidentError::NotTheNextLevel { .. } => "逐级上报只能报送上一级单位".into(),
            IncidentError::DueInThePast => "时限须晚于当前时间".into(),
            IncidentError::NotMoreSevere { .. } => "只能调高事件级别".into(),
            IncidentError::UnknownLevel => "实施办法中没有这个事件级别".into(),
            IncidentError::TextRequired => "请填写内容".into(),
            IncidentError::UnknownHandling { .. } => "实施办法中没有这项处置要求".into(),
            IncidentError::NotTheUnit => "只有事发单位可以进行此操作".into(),
            IncidentError::ClosureNeeds {
                final_report,
                handling,
            } => {
                let mut need = Vec::new();
                if *final_report {
                    need.push("报送终报".to_owned());
                }
                need.extend(handling.iter().map(|h| format!("记录“{h}”")));
                format!("办结前须{}", need.join("、"))
            }
            IncidentError::NotTheReviewer => "只有规定的审核方可以审核办结".into(),
            IncidentError::PhoneTime => "电话报告时间须在获知事件之后、当前时间之前".into(),
        }
    }
}

fn level_of<'p>(facts: &Facts<'p>, id: &LevelId) -> Option<&'p IncidentLevel> {
    facts.policy.incidents.as_ref()?.level(id)
}

impl IncidentState {
    pub fn new(facts: &Facts<'_>) -> Self {
        IncidentState {
            stage: Stage::Open,
            level: facts.level.clone(),
            level_raised_at: None,
            reports: Vec::new(),
            follow_up_request: None,
            requests: Vec::new(),
            handled: Vec::new(),
            log_entries: 0,
            handling_ended_at: None,
            closed_at: None,
        }
    }

    /// Replays the events of an incident.
    pub fn replay(facts: &Facts<'_>, events: &[Event]) -> Self {
        let mut s = IncidentState::new(facts);
        for e in events {
            s.push(facts, e);
        }
        s
    }

    pub fn report(&self, kind: ReportKind) -> Option<&Report> {
        self.reports.iter().find(|r| r.kind == kind)
    }

    fn report_mut(&mut self, kind: ReportKind) -> &mut Report {
        if let Some(i) = self.reports.iter().position(|r| r.kind == kind) {
            return &mut self.reports[i];
        }
        self.reports.push(Report::new(kind));
        self.reports.last_mut().expect("just pushed")
    }

    /// The level the incident is at now.
    pub fn current_level<'p>(&self, facts: &Facts<'p>) -> Option<&'p IncidentLevel> {
        level_of(facts, &self.level)
    }

    /// Written reports sent, in the order of the series.
    fn sent(&self) -> impl Iterator<Item = &Report> {
        self.reports.iter().filter(|r| r.sent_at.is_some())
    }

    /// The reports that may be drafted next.
    pub fn next_reports(&self) -> Vec<ReportKind> {
        if self
            .report(ReportKind::Final)
            .is_some_and(|r| r.sent_at.is_some())
        {
            return Vec::new();
        }
        if self
            .report(ReportKind::Initial)
            .is_none_or(|r| r.sent_at.is_none())
        {
            return vec![ReportKind::Initial];
        }
        let n = self
            .sent()
            .filter(|r| matches!(r.kind, ReportKind::FollowUp(_)))
            .count() as u32;
        vec![ReportKind::FollowUp(n + 1), ReportKind::Final]
    }

    /// Applies one accepted event.
    pub fn push(&mut self, facts: &Facts<'_>, event: &Event) {
        match event {
            Event::Drafted { report, hash, .. } => {
                // Another unsent draft (a 续报 after a 终报 draft, say) is dropped: one draft at a time.
                self.reports
                    .retain(|r| r.sent_at.is_some() || r.phoned_at.is_some() || r.kind == *report);
                let r = self.report_mut(*report);
                r.hash = Some(hash.clone());
                r.signed_off = None;
            }
            Event::SignedOff { report, by, at, .. } => {
                self.report_mut(*report).signed_off = Some((*by, *at))
            }
            Event::Sent {
                report,
                channel,
                at,
                to,
                ..
            } => {
                let r = self.report_mut(*report);
                match channel {
                    Channel::Phone => r.phoned_at = Some(*at),
                    Channel::Written => r.sent_at = Some(*at),
                }
                for u in to {
                    if !r.sent_to.contains(u) {
                        r.sent_to.push(*u);
                    }
                }
                if *channel == Channel::Written
                    && matches!(report, ReportKind::FollowUp(_) | ReportKind::Final)
                {
                    if let Some((u, asked, due)) = self.follow_up_request.take() {
                        if let Some(req) = self
                            .requests
                            .iter_mut()
                            .find(|q| q.0 == u && q.1 == asked && q.2 == due)
                        {
                            req.3 = Some(*at);
                        }
                    }
                }
            }
            Event::Relayed {
                report,
                from,
                to,
                at,
                ..
            } => self.report_mut(*report).relayed.push((*from, *to, *at)),
            Event::Received {
                report, unit, at, ..
            } => self.report_mut(*report).received.push((*unit, *at)),
            Event::FollowUpRequested { unit, at, due, .. } => {
                self.follow_up_request = Some((*unit, *at, *due));
                self.requests.push((*unit, *at, *due, None));
            }
            Event::LevelRaised { to, at, .. } => {
                self.level = to.clone();
                self.level_raised_at = Some(*at);
            }
            Event::Instructed { .. } => {}
            Event::Logged { handling, .. } => {
                self.log_entries += 1;
                if let Some(i) = handling {
                    if !self.handled.contains(i) {
                        self.handled.push(*i);
                    }
                }
            }
            Event::HandlingEnded { at, .. } => self.handling_ended_at = Some(*at),
            Event::ClosureProposed { at, .. } => {
                let needs_review = self
                    .current_level(facts)
                    .is_some_and(|l| l.close_review.is_some());
                if needs_review {
                    self.stage = Stage::ClosureInReview;
                } else {
                    self.stage = Stage::Closed;
                    self.closed_at = Some(*at);
                }
            }
            Event::ClosureAccepted { at, .. } => {
                self.stage = Stage::Closed;
                self.closed_at = Some(*at);
            }
            Event::ClosureReturned { .. } => self.stage = Stage::Open,
        }
    }

    /// Whether `unit` received (or was sent) any report of the incident.
    fn is_recipient(&self, unit: UnitId) -> bool {
        self.reports.iter().any(|r| r.delivered_to(unit).is_some())
    }

    /// Checks `action` by `actor` at `now`; on success returns the event to append.
    pub fn check(
        &self,
        facts: &Facts<'_>,
        org: &Org,
        actor: Actor,
        action: Action,
        now: Instant,
    ) -> Result<Event, IncidentError> {
        let me = actor.person;
        let level = self
            .current_level(facts)
            .ok_or(IncidentError::UnknownLevel)?;
        let open = || {
            if self.stage == Stage::Open {
                Ok(())
            } else {
                Err(IncidentError::WrongStage { stage: self.stage })
            }
        };
        let own_unit = || {
            if actor.unit == facts.unit {
                Ok(())
            } else {
                Err(IncidentError::NotTheUnit)
            }
        };
        let text = |s: &str| {
            if s.trim().is_empty() {
                Err(IncidentError::TextRequired)
            } else {
                Ok(())
            }
        };
        match action {
            Action::Draft { report, hash } => {
                open()?;
                own_unit()?;
                let next = self.next_reports();
                if next.is_empty() {
                    return Err(IncidentError::SeriesEnded);
                }
                if !next.contains(&report) {
                    return Err(IncidentError::NotNextReport { expected: next });
                }
                Ok(Event::Drafted {
                    report,
                    by: me,
                    at: now,
                    hash,
                })
            }
            Action::SignOff { report, hash } => {
                open()?;
                own_unit()?;
                let role = level.sign_off.clone().ok_or(IncidentError::NoSignOff)?;
                let r = self.drafted(report, &hash)?;
                if r.sent_at.is_some() {
                    return Err(IncidentError::AlreadySent { report });
                }
                let day = china_time(now).date();
                if !org.holders(&role, facts.unit, day, day).contains(&me) {
                    return Err(IncidentError::NotSignOffRole { role });
                }
                Ok(Event::SignedOff {
                    report,
                    by: me,
                    at: now,
                    hash,
                })
            }
            Action::Send { report, hash, to } => {
                open()?;
                own_unit()?;
                let r = self.drafted(report, &hash)?;
                if r.sent_at.is_some() {
                    return Err(IncidentError::AlreadySent { report });
                }
                if let Some(role) = &level.sign_off {
                    if r.signed_off.is_none() {
                        return Err(IncidentError::SignOffRequired { role: role.clone() });
                    }
                }
                if to.is_empty() && level.report_to.iter().any(|t| t.levels_up() > 0) {
                    return Err(IncidentError::NoRecipients);
                }
                Ok(Event::Sent {
                    report,
                    channel: Channel::Written,
                    by: me,
                    at: now,
                    to,
                    hash: Some(hash),
                })
            }
            Action::Phone { to, at } => {
                open()?;
                own_unit()?;
                if at < facts.known_at || at > now {
                    return Err(IncidentError::PhoneTime);
                }
                let initial = self.report(ReportKind::Initial);
                if initial.is_some_and(|r| r.sent_at.is_some() || r.phoned_at.is_some()) {
                    return Err(IncidentError::PhoneOnlyFirst);
                }
                if to.is_empty() {
                    return Err(IncidentError::NoRecipients);
                }
                Ok(Event::Sent {
                    report: ReportKind::Initial,
                    channel: Channel::Phone,
                    by: me,
                    at,
                    to,
                    hash: None,
                })
            }
            Action::Relay { report, to } => {
                let r = self
                    .report(report)
                    .filter(|r| r.delivered_to(actor.unit).is_some())
                    .ok_or(IncidentError::NotARecipient)?;
                let next = org.ancestry(actor.unit).get(1).copied();
                if next != Some(to) {
                    return Err(IncidentError::NotTheNextLevel { expected: next });
                }
                if r.delivered_to(to).is_some() {
                    return Err(IncidentError::AlreadyReceived);
                }
                Ok(Event::Relayed {
                    report,
                    from: actor.unit,
                    to,
                    by: me,
                    at: now,
                })
            }
            Action::Receive { report } => {
                let r = self
                    .report(report)
                    .filter(|r| r.delivered_to(actor.unit).is_some())
                    .ok_or(IncidentError::NotARecipient)?;
                if r.received.iter().any(|(u, _)| *u == actor.unit) {
                    return Err(IncidentError::AlreadyReceived);
                }
                Ok(Event::Received {
                    report,
                    unit: actor.unit,
                    by: me,
                    at: now,
                })
            }
            Action::RequestFollowUp { due } => {
                open()?;
                if !self.is_recipient(actor.unit) {
                    return Err(IncidentError::NotARecipient);
                }
                if self.next_reports().is_empty() {
                    return Err(IncidentError::SeriesEnded);
                }
                if due <= now {
                    return Err(IncidentError::DueInThePast);
                }
                Ok(Event::FollowUpRequested {
                    unit: actor.unit,
                    by: me,
                    at: now,
                    due,
                })
            }
            Action::RaiseLevel { to, reason } => {
                if self.stage == Stage::Closed {
                    return Err(IncidentError::WrongStage { stage: self.stage });
                }
                if !self.is_recipient(actor.unit) {
                    return Err(IncidentError::NotARecipient);
                }
                text(&reason)?;
                let inc = facts
                    .policy
                    .incidents
                    .as_ref()
                    .ok_or(IncidentError::UnknownLevel)?;
                let new = inc.severity_rank(&to).ok_or(IncidentError::UnknownLevel)?;
                let cur = inc.severity_rank(&self.level).unwrap_or(usize::MAX);
                if new >= cur {
                    return Err(IncidentError::NotMoreSevere {
                        current: self.level.clone(),
                    });
                }
                Ok(Event::LevelRaised {
                    unit: actor.unit,
                    by: me,
                    at: now,
                    to,
                    reason,
                })
            }
            Action::Instruct { text: t } => {
                if !self.is_recipient(actor.unit) {
                    return Err(IncidentError::NotARecipient);
                }
                text(&t)?;
                Ok(Event::Instructed {
                    unit: actor.unit,
                    by: me,
                    at: now,
                    text: t,
                })
            }
            Action::Log { text: t, handling } => {
                if self.stage == Stage::Closed {
                    return Err(IncidentError::WrongStage { stage: self.stage });
                }
                own_unit()?;
                text(&t)?;
                if let Some(i) = handling {
                    if i >= level.handling.len() {
                        return Err(IncidentError::UnknownHandling { index: i });
                    }
                }
                Ok(Event::Logged {
                    by: me,
                    at: now,
                    text: t,
                    handling,
                })
            }
            Action::EndHandling => {
                open()?;
                own_unit()?;
                if self.handling_ended_at.is_some() {
                    return Err(IncidentError::WrongStage { stage: self.stage });
                }
                Ok(Event::HandlingEnded { by: me, at: now })
            }
            Action::ProposeClosure { summary, lessons } => {
                open()?;
                own_unit()?;
                text(&summary)?;
                let reports = !level.report_to.is_empty()
                    || level.report_within.is_some()
                    || !level.report_within_by_kind.is_empty();
                let final_missing = reports
                    && self
                        .report(ReportKind::Final)
                        .is_none_or(|r| r.sent_at.is_none());
                let handling: Vec<String> = level
                    .handling
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !self.handled.contains(i))
                    .map(|(_, h)| h.clone())
                    .collect();
                if final_missing || !handling.is_empty() {
                    return Err(IncidentError::ClosureNeeds {
                        final_report: final_missing,
                        handling,
                    });
                }
                Ok(Event::ClosureProposed {
                    by: me,
                    at: now,
                    summary,
                    lessons,
                })
            }
            Action::AcceptClosure { .. } | Action::ReturnClosure { .. }
                if self.stage != Stage::ClosureInReview =>
            {
                Err(IncidentError::WrongStage { stage: self.stage })
            }
            Action::AcceptClosure { comment } => {
                self.check_reviewer(facts, org, level, actor, now)?;
                Ok(Event::ClosureAccepted {
                    by: me,
                    at: now,
                    comment,
                })
            }
            Action::ReturnClosure { comment } => {
                self.check_reviewer(facts, org, level, actor, now)?;
                text(&comment)?;
                Ok(Event::ClosureReturned {
                    by: me,
                    at: now,
                    comment,
                })
            }
        }
    }

    fn drafted(&self, report: ReportKind, hash: &str) -> Result<&Report, IncidentError> {
        let r = self
            .report(report)
            .filter(|r| r.hash.is_some())
            .ok_or(IncidentError::NotDrafted { report })?;
        let current = r.hash.as_deref().unwrap_or_default();
        if current != hash {
            return Err(IncidentError::StaleVersion {
                current: current.to_owned(),
            });
        }
        Ok(r)
    }

    fn check_reviewer(
        &self,
        facts: &Facts<'_>,
        org: &Org,
        level: &IncidentLevel,
        actor: Actor,
        now: Instant,
    ) -> Result<(), IncidentError> {
        let day = china_time(now).date();
        let holds = |role: &RoleId| {
            org.ancestry(facts.unit)
                .into_iter()
                .any(|u| u == actor.unit && org.holders(role, u, day, day).contains(&actor.person))
        };
        let ok = match &level.close_review {
            None => false,
            Some(ClosureReviewer::Parent) => org.ancestry(facts.unit).get(1) == Some(&actor.unit),
            Some(ClosureReviewer::Role(r)) => holds(r),
            Some(ClosureReviewer::Body(b)) => facts.policy.body(b).is_some_and(|b| {
                b.chair
                    .iter()
                    .chain(&b.deputies)
                    .chain(&b.members)
                    .any(holds)
            }),
        };
        if ok {
            Ok(())
        } else {
            Err(IncidentError::NotTheReviewer)
        }
    }
}

// ----------------------------------------------------------------------------------- clocks

/// What a clock is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "clock", rename_all = "snake_case")]
pub enum ClockKind {
    /// The first report, by phone or in writing, to each recipient.
    FirstReport { to: Recipient },
    /// The written 初报 after a phone report.
    WrittenReport,
    /// A recipient passing the report on (逐级上报).
    Relay { from: UnitId, to: Recipient },
    /// A 续报 a recipient asked for.
    RequestedFollowUp { by: UnitId },
    /// A 续报 the cadence (`follow_up_every`) requires.
    FollowUp,
    /// The daily report of the China-calendar day.
    Daily { day: chrono::NaiveDate },
    /// The 终报 after handling ended.
    FinalReport,
    /// Closing the incident.
    Closure,
}

impl ClockKind {
    pub fn zh(&self) -> String {
        match self {
            ClockKind::FirstReport { .. } => "初报".into(),
            ClockKind::WrittenReport => "书面报告".into(),
            ClockKind::Relay { .. } => "逐级上报".into(),
            ClockKind::RequestedFollowUp { .. } => "上级要求的续报".into(),
            ClockKind::FollowUp => "续报".into(),
            ClockKind::Daily { day } => format!("{}每日报告", day.format("%m月%d日")),
            ClockKind::FinalReport => "终报".into(),
            ClockKind::Closure => "办结".into(),
        }
    }
}

/// One deadline of an incident and how it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clock {
    pub kind: ClockKind,
    /// The unit that must act.
    pub unit: UnitId,
    pub due: Due,
    pub done_at: Option<Instant>,
    pub timeliness: Timeliness,
}

/// Every deadline of the incident at `now`, with 迟报 (`Late`) and 漏报 (`Missing`) computed.
pub fn clocks(facts: &Facts<'_>, org: &Org, state: &IncidentState, now: Instant) -> Vec<Clock> {
    let Some(level) = state.current_level(facts) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut push = |kind: ClockKind, unit: UnitId, due: Due, done_at: Option<Instant>| {
        out.push(Clock {
            timeliness: timeliness(due, done_at, now),
            kind,
            unit,
            due,
            done_at,
        })
    };
    let initial = state.report(ReportKind::Initial);
    let since = state.level_raised_at.unwrap_or(facts.known_at);
    let delivered = |u: UnitId| initial.and_then(|r| r.delivered_to(u));
    let mut hops = escalation(org, facts.unit, facts.unit_kind, level, since, &delivered);
    if state.level_raised_at.is_some() {
        // Recipients the original level already named keep its deadlines (from `known_at`);
        // only those the raise added count from the raise.
        if let Some(original) = level_of(facts, &facts.level) {
            let before = escalation(
                org,
                facts.unit,
                facts.unit_kind,
                original,
                facts.known_at,
                &delivered,
            );
            for h in &mut hops {
                if let Some(b) = before.iter().find(|b| b.to == h.to && b.from == h.from) {
                    h.due = b.due;
                }
            }
        }
    }
    let first_made = initial.and_then(Report::first_made);
    if hops.is_empty() {
        // No recipient outside the unit: the clock still says when it was due (第一时间 …).
        let due = first_report_due(level, facts.unit_kind, facts.known_at);
        if due != Due::NoClock {
            push(
                ClockKind::FirstReport {
                    to: Recipient::Unnamed,
                },
                facts.unit,
                due,
                first_made,
            );
        }
    }
    for h in hops {
        // Delivered by whatever path: relayed, or sent there directly (越级).
        let done = match &h.to {
            Recipient::Unit { unit } => initial.and_then(|r| r.delivered_to(*unit)),
            Recipient::Missing { .. } => None,
            Recipient::Body { .. } | Recipient::Role { .. } | Recipient::Unnamed => first_made,
        };
        let kind = if h.relay {
            ClockKind::Relay {
                from: h.from,
                to: h.to,
            }
        } else {
            ClockKind::FirstReport { to: h.to }
        };
        push(kind, h.from, h.due, done);
    }
    if let Some(due) = written_report_due(level, facts.known_at) {
        push(
            ClockKind::WrittenReport,
            facts.unit,
            due,
            initial.and_then(|r| r.sent_at),
        );
    }
    for (by, _, due, met) in &state.requests {
        push(
            ClockKind::RequestedFollowUp { by: *by },
            facts.unit,
            Due::By { at: *due },
            *met,
        );
    }
    // Later reports, in the order they were sent.
    let mut sent: Vec<Instant> = state.reports.iter().filter_map(|r| r.sent_at).collect();
    sent.sort();
    let final_sent = state.report(ReportKind::Final).and_then(|r| r.sent_at);
    let ended = final_sent.or(state.closed_at);
    if let Some(every) = level.follow_up_every {
        for w in sent.windows(2) {
            push(
                ClockKind::FollowUp,
                facts.unit,
                Due::By {
                    at: plus(w[0], every),
                },
                Some(w[1]),
            );
        }
        if let (Some(last), None) = (sent.last(), ended) {
            push(
                ClockKind::FollowUp,
                facts.unit,
                Due::By {
                    at: plus(*last, every),
                },
                None,
            );
        }
    }
    if let (Some(at), Some(first)) = (level.daily_report_at, sent.first()) {
        let time = NaiveTime::from_hms_opt(at.hour, at.minute, 0).expect("a valid time of day");
        let mut day = china_time(*first).date();
        let last_day = china_time(ended.unwrap_or(now)).date();
        while let Some(next) = day.checked_add_days(Days::new(1)) {
            day = next;
            if day > last_day {
                break;
            }
            let due = from_china_time(day.and_time(time));
            // The day's report is the first one sent on that China calendar day: on time by
            // the time of day, late after it, missing if the day passed without one.
            let done = sent
                .iter()
                .copied()
                .find(|t| china_time(*t).date() == day && *t != *first);
            push(
                ClockKind::Daily { day },
                facts.unit,
                Due::By { at: due },
                done,
            );
        }
    }
    if let Some(ended_at) = state.handling_ended_at {
        if let Some(at) = final_report_due(level, ended_at) {
            push(
                ClockKind::FinalReport,
                facts.unit,
                Due::By { at },
                final_sent,
            );
        }
    }
    if let Some(at) = close_due(level, facts.known_at) {
        push(
            ClockKind::Closure,
            facts.unit,
            Due::By { at },
            state.closed_at,
        );
    }
    out
}

// ------------------------------------------------------------------------------- statistics

/// Wall-clock minutes from when the unit learnt of the incident to its first report (by phone
/// or in writing, to anyone); `None` while nothing was reported.
pub fn minutes_to_first_report(facts: &Facts<'_>, state: &IncidentState) -> Option<i64> {
    let made = state.report(ReportKind::Initial)?.first_made()?;
    Some(minutes_after(facts.known_at, made).max(0))
}

/// The `p`-th percentile (0–100) of `values`, interpolated between the nearest ranks as
/// spreadsheets' PERCENTILE.INC does (the median is `p = 50`); `None` for no values.
pub fn percentile(values: &[i64], p: u32) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let rank = f64::from(p.min(100)) / 100.0 * (v.len() - 1) as f64;
    let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
    let frac = rank - lo as f64;
    Some(v[lo] as f64 + (v[hi] - v[lo]) as f64 * frac)
}

#[cfg(test)]
#[path = "incident_tests.rs"]
mod tests;
