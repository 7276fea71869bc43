//! An incident (突发事件 / 舆情): loading it with its policy, organisation and replayed state,
//! who the viewer is to it (the reporting unit, a unit above it that receives its reports, or a
//! reader), the one place that checks an act against the rules and appends its event, reporting
//! a new incident with its 初报 drafted, new report versions, and the incident as JSON. The
//! pages and the API both act through here; the rules are `zeren_core::incident`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use zeren_core::incident::{
    clocks, escalation, Action, Actor, Clock, ClockKind, Event, Facts, IncidentError,
    IncidentState, Recipient, ReportKind, Timeliness,
};
use zeren_core::org::{Org, PersonId, UnitId};
use zeren_policy::{IncidentKindId, IncidentLevel, LevelId, Policy};
use zeren_store::incidents::*;
use zeren_store::{Read, Unit};

use crate::shared::error::Problems;
use crate::shared::prelude::*;

/// An incident with everything the rules and the pages need.
pub struct Loaded {
    pub incident: Incident,
    pub versions: Vec<ReportVersion>,
    pub events: Vec<StoredEvent>,
    pub policy: Arc<Policy>,
    pub org: Org,
    /// From the root of the tree down to the reporting unit.
    pub path: Vec<Unit>,
    pub state: IncidentState,
    /// Names of the units of the tree, for showing recipients.
    pub unit_names: HashMap<i64, String>,
}

/// Who the viewer is to an incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Acts for the reporting unit: drafts, signs off, sends, logs, closes.
    Reporter,
    /// Acts for this unit above the reporting one: 签收, 批示, asks for a 续报, reviews closure.
    Recipient(i64),
    /// Only reads.
    Reader,
}

impl Loaded {
    pub fn unit(&self) -> &Unit {
        self.path.last().expect("a path ends at its unit")
    }

    pub fn facts(&self) -> Facts<'_> {
        facts_of(&self.incident, &self.policy, &self.unit().kind)
    }

    /// The level the incident is at now.
    pub fn level(&self) -> Option<&IncidentLevel> {
        self.state.current_level(&self.facts())
    }

    pub fn clocks(&self, now: DateTime<Utc>) -> Vec<Clock> {
        clocks(&self.facts(), &self.org, &self.state, now)
    }

    pub fn unit_name(&self, id: i64) -> String {
        self.unit_names.get(&id).cloned().unwrap_or_default()
    }

    /// The units above the reporting one its reports go to directly (by the level in force);
    /// a 续报 or 终报 also goes wherever the 初报 went.
    pub fn default_recipients(&self) -> Vec<UnitId> {
        let Some(level) = self.level() else {
            return Vec::new();
        };
        let unit = UnitId(self.incident.unit_id);
        let mut out: Vec<UnitId> = escalation(
            &self.org,
            unit,
            &self.unit().kind,
            level,
            self.incident.known_at,
            &|_| None,
        )
        .into_iter()
        .filter(|h| !h.relay && h.from == unit)
        .filter_map(|h| match h.to {
            Recipient::Unit { unit } => Some(unit),
            _ => None,
        })
        .collect();
        if let Some(r) = self.state.report(ReportKind::Initial) {
            for u in &r.sent_to {
                if !out.contains(u) {
                    out.push(*u);
                }
            }
        }
        out
    }
}

pub async fn load(state: &AppState, id: i64) -> Result<Loaded> {
    let mut r = state.store.reader().await?;
    let incident = r.incident(id).await?.ok_or(Error::NotFound)?;
    let versions = r.incident_reports(id).await?;
    let events = r.incident_events(id).await?;
    let path = r.path(incident.unit_id).await?;
    let root = path.first().map(|u| u.id).unwrap_or(incident.unit_id);
    let unit_names = r
        .subtree(root)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    drop(r);
    if path.is_empty() {
        return Err(Error::NotFound);
    }
    let policy = state.installed_policy(incident.installed_policy_id).await?;
    // Every rule here walks the incident unit's ancestry: its path is the organisation it needs.
    let org = zeren_store::materialise::ancestry_snapshot(&state.store, incident.unit_id).await?;
    let evs: Vec<Event> = events.iter().map(|e| e.event.clone()).collect();
    let unit_kind = path.last().map(|u| u.kind.clone()).unwrap_or_default();
    let st = IncidentState::replay(&facts_of(&incident, &policy, &unit_kind), &evs);
    Ok(Loaded {
        incident,
        versions,
        events,
        policy,
        org,
        path,
        state: st,
        unit_names,
    })
}

/// The incident, if the viewer may see it — the reporting unit and the units above it (by grant
/// or role there), never a peer — with who the viewer is to it: the highest unit of the chain
/// they act for decides.
pub async fn load_visible(state: &AppState, v: &Viewer, id: i64) -> Result<(Loaded, Part)> {
    let l = load(state, id).await?;
    let level = access::level(&state.store, v, l.incident.unit_id).await?;
    if level.is_none() {
        return Err(Error::Forbidden);
    }
    let mut part = Part::Reader;
    for u in &l.path {
        if access::acts_for(&state.store, v, u.id).await? {
            part = if u.id == l.incident.unit_id {
                Part::Reporter
            } else {
                Part::Recipient(u.id)
            };
            break;
        }
    }
    Ok((l, part))
}

fn person_of(v: &Viewer, lang: Lang) -> Result<PersonId> {
    v.account
        .person_id
        .map(PersonId)
        .ok_or_else(|| Error::Invalid(Tr(lang).s("inc.p.no_person").into()))
}

/// A refusal of the rules, beside the field it concerns where there is one (in Chinese, the
/// words of the rules).
fn refusal(e: IncidentError) -> Error {
    let field = match &e {
        IncidentError::NoRecipients => "to",
        IncidentError::DueInThePast => "due",
        IncidentError::NotMoreSevere { .. } | IncidentError::UnknownLevel => "level",
        IncidentError::TextRequired => "text",
        IncidentError::UnknownHandling { .. } => "handling",
        IncidentError::PhoneTime => "at",
        _ => "",
    };
    Error::Fields(Problems::one(field, e.zh()))
}

/// Checks `action` by the viewer (who they are to the incident as loaded) against the incident's
/// state at the incident clock's now and appends its event. `seen` is the number of events the
/// viewer saw; if the incident moved on since, or another act takes the same place at the same
/// moment, the viewer gets a conflict.
async fn act(
    state: &AppState,
    v: &Viewer,
    (l, part): (Loaded, Part),
    action: Action,
    seen: Option<i64>,
    lang: Lang,
) -> Result<()> {
    let id = l.incident.id;
    let unit = match part {
        Part::Reporter => l.incident.unit_id,
        Part::Recipient(u) => u,
        Part::Reader => return Err(Error::Forbidden),
    };
    let me = person_of(v, lang)?;
    let seq = l.events.len() as i64;
    if seen.is_some_and(|s| s != seq) {
        return Err(Error::Conflict(MOVED_ON.into()));
    }
    let facts = l.facts();
    let mut st = l.state.clone();
    let event = st
        .check(
            &facts,
            &l.org,
            Actor {
                person: me,
                unit: UnitId(unit),
            },
            action,
            state.now(),
        )
        .map_err(refusal)?;
    st.push(&facts, &event);
    let mut w = state.store.write(&v.actor()).await?;
    w.append_incident_event(id, seq, &event, st.stage, &st.level)
        .await?;
    w.commit().await?;
    Ok(())
}

/// A report's text and files, from a form or from the API.
pub struct RawReport {
    pub body: String,
    pub measures: String,
    /// (file name, media type, bytes)
    pub files: Vec<(String, String, Vec<u8>)>,
}

fn check_report(raw: &RawReport, t: Tr, p: &mut Problems) {
    let n = raw.body.trim().chars().count();
    if n == 0 || n > 20_000 {
        p.add("body", t.s("inc.p.body"));
    }
    if raw.measures.chars().count() > 20_000 {
        p.add("measures", t.s("inc.p.measures"));
    }
}

/// Stores a new version of a report (its files first) and its `Drafted` event, after the rules
/// allowed it; the reporting unit only.
pub async fn draft(
    state: &AppState,
    v: &Viewer,
    id: i64,
    report: &str,
    raw: RawReport,
    seen: Option<i64>,
    lang: Lang,
) -> Result<()> {
    let t = Tr(lang);
    let (l, part) = load_visible(state, v, id).await?;
    if part != Part::Reporter {
        return Err(Error::Forbidden);
    }
    let me = person_of(v, lang)?;
    let mut p = Problems::new();
    let kind = parse_report_word(report);
    if kind.is_none() {
        p.add("report", t.s("inc.p.report"));
    }
    check_report(&raw, t, &mut p);
    p.check()?;
    let kind = kind.ok_or(Error::NotFound)?;
    let seq = l.events.len() as i64;
    if seen.is_some_and(|s| s != seq) {
        return Err(Error::Conflict(MOVED_ON.into()));
    }
    let mut w = state.store.write(&v.actor()).await?;
    let version = stored_report(&mut w, report, &raw).await?;
    let facts = l.facts();
    let mut st = l.state.clone();
    let event = st
        .check(
            &facts,
            &l.org,
            Actor {
                person: me,
                unit: UnitId(l.incident.unit_id),
            },
            Action::Draft {
                report: kind,
                hash: version.hash(id),
            },
            state.now(),
        )
        .map_err(refusal)?;
    st.push(&facts, &event);
    w.add_incident_report_version(id, &version).await?;
    w.append_incident_event(id, seq, &event, st.stage, &st.level)
        .await?;
    w.commit().await?;
    Ok(())
}

async fn stored_report(
    w: &mut zeren_store::Write,
    report: &str,
    raw: &RawReport,
) -> Result<NewReportVersion> {
    let mut attachments = Vec::new();
    for (name, media, bytes) in &raw.files {
        let sha = w.put_attachment(bytes, media).await?;
        attachments.push((name.clone(), sha));
    }
    Ok(NewReportVersion {
        report: report.into(),
        body: raw.body.clone(),
        measures: raw.measures.clone(),
        attachments,
    })
}

/// A new incident as typed: the facts, and its 初报.
pub struct NewReport {
    pub unit_id: i64,
    pub kind: String,
    pub level: String,
    pub title: String,
    pub place: String,
    pub occurred_at: String,
    pub known_at: String,
    /// Measure id → the number typed (empty when not given).
    pub facts: Vec<(String, String)>,
    pub report: RawReport,
}

/// The units the viewer may report for whose policy in force has incident levels.
pub async fn reporting_units(
    state: &AppState,
    v: &Viewer,
) -> Result<Vec<(Unit, zeren_store::InstalledPolicy)>> {
    let mut out = Vec::new();
    for u in crate::shared::mine::units(state, v, crate::shared::clock::today()).await? {
        if !access::acts_for(&state.store, v, u.id).await? || u.retired_on.is_some() {
            continue;
        }
        let ip = state.store.reader().await?.policy_in_force(u.id).await?;
        if let Some(ip) = ip {
            let p = state.installed_policy(ip.id).await?;
            if p.incidents.as_ref().is_some_and(|i| !i.levels.is_empty()) {
                out.push((u, ip));
            }
        }
    }
    Ok(out)
}

/// The level the typed numbers suggest (the most severe one whose threshold they meet).
pub fn suggestion(policy: &Policy, facts: &BTreeMap<String, i64>) -> Option<LevelId> {
    let inc = policy.incidents.as_ref()?;
    let pairs: Vec<(&str, i64)> = facts.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    zeren_core::incident::suggest_level(inc, &pairs).map(|l| l.id.clone())
}

/// Reports an incident: checks what was typed (every problem by its field), stores the incident
/// and its 初报 as the first version, drafted. Returns the new incident's id.
pub async fn create(state: &AppState, v: &Viewer, n: NewReport, lang: Lang) -> Result<i64> {
    let t = Tr(lang);
    let (unit, _) = access::require(&state.store, v, n.unit_id, zeren_store::Level::Read).await?;
    if !access::acts_for(&state.store, v, unit.id).await? {
        return Err(Error::Forbidden);
    }
    if unit.retired_on.is_some() {
        return Err(Error::Invalid(t.s("inc.p.retired").into()));
    }
    let me = person_of(v, lang)?;
    let ip = state
        .store
        .reader()
        .await?
        .policy_in_force(unit.id)
        .await?
        .ok_or_else(|| Error::Invalid(t.s("inc.p.no_policy").into()))?;
    let policy = state.installed_policy(ip.id).await?;
    let inc = policy
        .incidents
        .as_ref()
        .filter(|i| !i.levels.is_empty())
        .ok_or_else(|| Error::Invalid(t.s("inc.p.no_policy").into()))?;
    let now = state.now();
    let mut p = Problems::new();
    let kind = IncidentKindId::parse(&n.kind).filter(|k| inc.kind(k).is_some());
    if !inc.kinds.is_empty() && kind.is_none() {
        p.add("kind", t.s("inc.p.kind"));
    }
    let mut facts = BTreeMap::new();
    for (m, value) in &n.facts {
        if value.trim().is_empty() {
            continue;
        }
        match value.trim().parse::<i64>() {
            Ok(x) if x >= 0 => {
                facts.insert(m.clone(), x);
            }
            _ => p.add(&format!("fact_{m}"), t.s("inc.p.fact")),
        }
    }
    let suggested = suggestion(&policy, &facts);
    let level = LevelId::parse(&n.level)
        .and_then(|id| inc.level(&id))
        .filter(|l| l.kinds.is_empty() || kind.as_ref().is_some_and(|k| l.kinds.contains(k)));
    if level.is_none() {
        match suggested.as_ref().and_then(|s| inc.level(s)) {
            Some(s) => p.add(
                "level",
                t.f("inc.p.level_suggested", &[("level", &s.title)]),
            ),
            None => p.add("level", t.s("inc.p.level")),
        }
    }
    let title = n.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        p.add("title", t.s("inc.p.title"));
    }
    if n.place.chars().count() > 200 {
        p.add("place", t.s("inc.p.place"));
    }
    let occurred = if n.occurred_at.trim().is_empty() {
        None
    } else {
        match crate::shared::clock::parse_china_minute(&n.occurred_at) {
            Some(x) if x <= now => Some(x),
            _ => {
                p.add("occurred_at", t.s("inc.p.occurred_at"));
                None
            }
        }
    };
    let known = crate::shared::clock::parse_china_minute(&n.known_at);
    match known {
        Some(k) if k <= now && occurred.is_none_or(|o| o <= k) => {}
        _ => p.add("known_at", t.s("inc.p.known_at")),
    }
    check_report(&n.report, t, &mut p);
    p.check()?;
    let (Some(level), Some(known)) = (level, known) else {
        return Err(Error::Malformed);
    };
    let mut w = state.store.write(&v.actor()).await?;
    let incident = w
        .create_incident(&zeren_store::incidents::NewIncident {
            unit_id: unit.id,
            installed_policy_id: ip.id,
            kind_id: kind.map(|k| k.to_string()).unwrap_or_default(),
            level_id: level.id.to_string(),
            suggested_level_id: suggested.map(|s| s.to_string()),
            title: title.into(),
            place: n.place.trim().into(),
            occurred_at: occurred,
            known_at: known,
            facts,
            reporter_person_id: me.0,
        })
        .await?;
    let version = stored_report(&mut w, &report_word(ReportKind::Initial), &n.report).await?;
    let f = facts_of(&incident, &policy, &unit.kind);
    let mut st = IncidentState::new(&f);
    let event = st
        .check(
            &f,
            &Org::new([], Vec::new()),
            Actor {
                person: me,
                unit: UnitId(unit.id),
            },
            Action::Draft {
                report: ReportKind::Initial,
                hash: version.hash(incident.id),
            },
            now,
        )
        .map_err(refusal)?;
    st.push(&f, &event);
    w.add_incident_report_version(incident.id, &version).await?;
    w.append_incident_event(incident.id, 0, &event, st.stage, &st.level)
        .await?;
    w.commit().await?;
    Ok(incident.id)
}

// ------------------------------------------------------------------------------------ JSON

/// A deadline as the API gives it.
#[derive(Serialize)]
pub struct ClockJson {
    /// first_report, written_report, relay, requested_follow_up, follow_up, daily, final_report, closure
    pub clock: &'static str,
    pub what_zh: String,
    /// The unit that must act.
    pub unit_id: i64,
    /// The recipient, for a report to a unit.
    pub to_unit_id: Option<i64>,
    pub due_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    /// pending, on_time, late (迟报), missing (漏报), took, waiting, no_clock
    pub state: &'static str,
    /// Minutes left (pending), late (late, missing) or taken (took, waiting).
    pub minutes: Option<i64>,
    pub state_zh: String,
}

pub fn clock_word(k: &ClockKind) -> &'static str {
    match k {
        ClockKind::FirstReport { .. } => "first_report",
        ClockKind::WrittenReport => "written_report",
        ClockKind::Relay { .. } => "relay",
        ClockKind::RequestedFollowUp { .. } => "requested_follow_up",
        ClockKind::FollowUp => "follow_up",
        ClockKind::Daily { .. } => "daily",
        ClockKind::FinalReport => "final_report",
        ClockKind::Closure => "closure",
    }
}

pub fn timeliness_word(t: Timeliness) -> (&'static str, Option<i64>) {
    match t {
        Timeliness::Pending { minutes_left } => ("pending", Some(minutes_left)),
        Timeliness::OnTime => ("on_time", None),
        Timeliness::Late { minutes } => ("late", Some(minutes)),
        Timeliness::Missing { minutes } => ("missing", Some(minutes)),
        Timeliness::Took { minutes } => ("took", Some(minutes)),
        Timeliness::Waiting { minutes } => ("waiting", Some(minutes)),
        Timeliness::NoClock { .. } => ("no_clock", None),
    }
}

/// The unit a clock's report goes to, if it is a unit.
pub fn clock_recipient(k: &ClockKind) -> Option<i64> {
    match k {
        ClockKind::FirstReport {
            to: Recipient::Unit { unit },
        }
        | ClockKind::Relay {
            to: Recipient::Unit { unit },
            ..
        } => Some(unit.0),
        _ => None,
    }
}

pub const CLOCK_WORDS: &[&str] = &[
    "first_report",
    "written_report",
    "relay",
    "requested_follow_up",
    "follow_up",
    "daily",
    "final_report",
    "closure",
];
pub const TIMELINESS_WORDS: &[&str] = &[
    "pending", "on_time", "late", "missing", "took", "waiting", "no_clock",
];

#[derive(Serialize)]
pub struct IncidentJson {
    pub incident: Incident,
    pub unit_name: String,
    pub stage: String,
    pub stage_zh: String,
    /// The level now (raised or as reported).
    pub level_id: String,
    /// The reports that may be drafted next.
    pub next_reports: Vec<String>,
    /// The units a written report goes to directly.
    pub recipients: Vec<i64>,
    /// Events so far; send it back as `seen` with an act.
    pub seen: usize,
    pub reports: Vec<ReportVersion>,
    pub events: Vec<StoredEvent>,
    pub clocks: Vec<ClockJson>,
}

pub fn incident_json(l: Loaded, now: DateTime<Utc>) -> IncidentJson {
    let clocks = l
        .clocks(now)
        .into_iter()
        .map(|c| {
            let (state, minutes) = timeliness_word(c.timeliness);
            ClockJson {
                clock: clock_word(&c.kind),
                what_zh: c.kind.zh(),
                unit_id: c.unit.0,
                to_unit_id: clock_recipient(&c.kind),
                due_at: c.due.at(),
                done_at: c.done_at,
                state,
                minutes,
                state_zh: c.timeliness.zh(),
            }
        })
        .collect();
    IncidentJson {
        unit_name: l.unit().name.clone(),
        stage: stage_word(l.state.stage).into(),
        stage_zh: l.state.stage.zh().into(),
        level_id: l.state.level.to_string(),
        next_reports: l
            .state
            .next_reports()
            .into_iter()
            .map(report_word)
            .collect(),
        recipients: l.default_recipients().into_iter().map(|u| u.0).collect(),
        seen: l.events.len(),
        clocks,
        incident: l.incident,
        reports: l.versions,
        events: l.events,
    }
}

/// An act as sent by a form or the API, before it is an [`Action`].
#[derive(Default, serde::Deserialize)]
pub struct ActInput {
    /// sign_off, send, phone, relay, receive, request_follow_up, raise_level, instruct, log,
    /// end_handling, propose_closure, accept_closure, return_closure
    pub action: String,
    #[serde(default)]
    pub report: String,
    #[serde(default)]
    pub hash: String,
    #[serde(default)]
    pub to: Vec<i64>,
    /// A phone report's time; a 续报's deadline (`due`): RFC 3339, or China time as a form sends it.
    #[serde(default)]
    pub at: String,
    #[serde(default)]
    pub due: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub text: String,
    /// The index of the level's handling requirement a log entry fulfils.
    pub handling: Option<usize>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub lessons: String,
    pub seen: Option<i64>,
}

pub const ACTION_INPUTS: &[&str] = &[
    "sign_off",
    "send",
    "phone",
    "relay",
    "receive",
    "request_follow_up",
    "raise_level",
    "instruct",
    "log",
    "end_handling",
    "propose_closure",
    "accept_closure",
    "return_closure",
];

fn instant(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
        .or_else(|| crate::shared::clock::parse_china_minute(s))
}

impl ActInput {
    /// The act the input names, for `l`; every problem by its field.
    pub fn action(self, l: &Loaded, part: Part, lang: Lang) -> Result<Action> {
        let t = Tr(lang);
        let report = || {
            parse_report_word(&self.report)
                .ok_or_else(|| Error::Fields(Problems::one("report", t.s("inc.p.report"))))
        };
        let time = |field: &str, s: &str| {
            instant(s).ok_or_else(|| Error::Fields(Problems::one(field, t.s("inc.p.time"))))
        };
        Ok(match self.action.as_str() {
            "sign_off" => Action::SignOff {
                report: report()?,
                hash: self.hash,
            },
            "send" => Action::Send {
                report: report()?,
                hash: self.hash,
                to: self.to.into_iter().map(UnitId).collect(),
            },
            "phone" => Action::Phone {
                to: self.to.into_iter().map(UnitId).collect(),
                at: time("at", &self.at)?,
            },
            "relay" => {
                // To the next unit up from the relaying one.
                let from = match part {
                    Part::Recipient(u) => u,
                    _ => l.incident.unit_id,
                };
                let to = l
                    .org
                    .ancestry(UnitId(from))
                    .get(1)
                    .copied()
                    .ok_or_else(|| Error::Invalid(t.s("inc.p.no_parent").into()))?;
                Action::Relay {
                    report: report()?,
                    to,
                }
            }
            "receive" => Action::Receive { report: report()? },
            "request_follow_up" => Action::RequestFollowUp {
                due: time("due", &self.due)?,
            },
            "raise_level" => Action::RaiseLevel {
                to: LevelId::parse(&self.level)
                    .ok_or_else(|| Error::Fields(Problems::one("level", t.s("inc.p.level"))))?,
                reason: self.text,
            },
            "instruct" => Action::Instruct { text: self.text },
            "log" => Action::Log {
                text: self.text,
                handling: self.handling,
            },
            "end_handling" => Action::EndHandling,
            "propose_closure" => Action::ProposeClosure {
                summary: self.summary,
                lessons: self.lessons,
            },
            "accept_closure" => Action::AcceptClosure { comment: self.text },
            "return_closure" => Action::ReturnClosure { comment: self.text },
            _ => return Err(Error::Fields(Problems::one("action", t.s("inc.p.action")))),
        })
    }
}

/// Checks and appends the act the input names.
pub async fn act_input(
    state: &AppState,
    v: &Viewer,
    id: i64,
    input: ActInput,
    lang: Lang,
) -> Result<()> {
    let (l, part) = load_visible(state, v, id).await?;
    if part == Part::Reader {
        return Err(Error::Forbidden);
    }
    let seen = input.seen;
    let action = input.action(&l, part, lang)?;
    act(state, v, (l, part), action, seen, lang).await
}
