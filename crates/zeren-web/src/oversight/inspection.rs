//! Inspections (督查): a unit plans one over units of its subtree (chosen one by one or by kind),
//! with a team and a checklist drawn from the policies' duties, its programme's items and points
//! of its own; records visits with evidence; and sends findings — each naming the unit, the
//! severity, the clause it breaks, the evidence and the due date the severity sets. One loading
//! step ([`load`]) checks that the viewer reads the inspecting unit and says whether they may act
//! for the inspection (an editor there, or on its team). Pages and the API both act through here.

use std::collections::BTreeSet;
use std::sync::Arc;

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use zeren_core::inspection::{
    completion, finding_due, Action, Actor, Completion, FindingState, FindingText, Side,
};
use zeren_core::org::{PersonId, UnitId};
use zeren_policy::{CheckItem as PolicyItem, Inspector, Policy, SeverityId, SourceRef};
use zeren_store::inspections::*;
use zeren_store::{Level, Read, Unit};

use crate::shared::clock::today;
use crate::shared::error::Problems;
use crate::shared::multipart::{guess_media, Form as MultipartForm, Multipart};
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;
use crate::shared::respond;

/// How many units the planning form offers one by one (the rest are reached by kind).
const UNITS_OFFERED: usize = 300;
/// How many units a plan by kind may cover.
const UNITS_MAX: usize = 5000;
const TEXT_MAX: usize = 20_000;
const LINE_MAX: usize = 200;

// ------------------------------------------------------------------------------- loading

/// An inspection with everything its page, its JSON and its acts need.
pub struct Loaded {
    pub inspection: Inspection,
    /// The inspecting unit.
    pub unit: Unit,
    pub units: Vec<InspectedUnit>,
    pub team: Vec<TeamMember>,
    pub visits: Vec<Visit>,
    pub findings: Vec<(FindingRow, FindingState)>,
    /// The policy the plan was made under (its severities).
    pub policy: Option<Arc<Policy>>,
    /// The viewer may act for the inspecting side: record visits, send findings.
    pub can_act: bool,
}

impl Loaded {
    pub fn completion(&self) -> Completion {
        completion(self.findings.iter().map(|(_, s)| s), today())
    }
}

/// Whether the viewer acts for the inspecting side of an inspection: an editor at the inspecting
/// unit, or a member of its team.
pub async fn inspects(
    state: &AppState,
    v: &Viewer,
    inspection: &Inspection,
    team: &[TeamMember],
) -> Result<bool> {
    if access::level(&state.store, v, inspection.unit_id)
        .await?
        .is_some_and(|l| l >= Level::Edit)
    {
        return Ok(true);
    }
    Ok(v.account
        .person_id
        .is_some_and(|p| team.iter().any(|m| m.person_id == p)))
}

/// The inspection, if the viewer reads its inspecting unit.
pub async fn load(state: &AppState, v: &Viewer, id: i64) -> Result<Loaded> {
    let inspection = state
        .store
        .reader()
        .await?
        .inspection(id)
        .await?
        .ok_or(Error::NotFound)?;
    let (unit, _) = access::require(&state.store, v, inspection.unit_id, Level::Read).await?;
    let mut r = state.store.reader().await?;
    let units = r.inspected_units(id).await?;
    let team = r.inspection_team(id).await?;
    let visits = r.visits(id).await?;
    let rows = r.findings_of_inspection(id).await?;
    let mut findings = Vec::new();
    for f in rows {
        let events: Vec<_> = r
            .finding_events(f.id)
            .await?
            .into_iter()
            .map(|e| e.event)
            .collect();
        findings.push((f, FindingState::replay(&events)));
    }
    drop(r);
    let policy = match inspection.installed_policy_id {
        Some(ip) => Some(state.installed_policy(ip).await?),
        None => None,
    };
    let can_act = inspects(state, v, &inspection, &team).await?;
    Ok(Loaded {
        inspection,
        unit,
        units,
        team,
        visits,
        findings,
        policy,
        can_act,
    })
}

fn person_of(v: &Viewer, t: Tr) -> Result<PersonId> {
    v.account
        .person_id
        .map(PersonId)
        .ok_or_else(|| Error::Invalid(t.s("insp.p.no_person").into()))
}

fn date_of(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

fn text_ok(s: &str, max: usize) -> bool {
    let n = s.trim().chars().count();
    n > 0 && n <= max
}

// ------------------------------------------------------------------------------- planning

/// What a plan may draw on at a unit: the units below it, their kinds, the people of the unit
/// for the team, and the checklist items on offer.
pub struct Choices {
    pub units: Vec<Unit>,
    /// More units are below than offered one by one.
    pub more_units: bool,
    pub kinds: Vec<String>,
    pub people: Vec<(i64, String)>,
    /// (value, title, seed line) — `duty:POLICY:DUTY` or `text:WORDS`.
    pub items: Vec<(String, String, Option<String>)>,
    /// The programmes of the unit's policy that it carries out: (id, title, the values of
    /// their checklist items).
    pub programmes: Vec<(String, String, Vec<String>)>,
    pub installed_policy_id: Option<i64>,
}

fn programme_items(
    p: &Policy,
    prog: &zeren_policy::Inspection,
) -> Vec<(String, String, Option<String>)> {
    let line = prog.source.map(|s| s.to_string());
    prog.checklist
        .iter()
        .map(|c| match c {
            PolicyItem::Duty(d) => (
                format!("duty:{}:{}", p.meta.id, d),
                p.duty(d).map(|x| x.title.clone()).unwrap_or(d.to_string()),
                p.duty(d).and_then(|x| x.source).map(|s| s.to_string()),
            ),
            PolicyItem::Item(i) => {
                let title = p
                    .assessment
                    .as_ref()
                    .and_then(|a| a.items.iter().find(|x| &x.id == i))
                    .map(|x| x.title.clone())
                    .unwrap_or(i.to_string());
                (format!("text:{title}"), title, line.clone())
            }
            PolicyItem::Text(t) => (format!("text:{t}"), t.clone(), line.clone()),
        })
        .collect()
}

pub async fn choices(state: &AppState, unit: &Unit) -> Result<Choices> {
    let mut r = state.store.reader().await?;
    let below: Vec<Unit> = r
        .subtree(unit.id)
        .await?
        .into_iter()
        .filter(|u| u.id != unit.id && u.retired_on.is_none())
        .collect();
    let kinds: BTreeSet<String> = below.iter().map(|u| u.kind.clone()).collect();
    let people = r
        .people_in_unit(unit.id)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let own = r.policy_in_force(unit.id).await?;
    let below_policies = r.policies_in_subtree(unit.id).await?;
    drop(r);
    let mut items: Vec<(String, String, Option<String>)> = Vec::new();
    let mut programmes = Vec::new();
    if let Some(ip) = &own {
        let p = state.installed_policy(ip.id).await?;
        for prog in &p.inspections {
            if prog.by == Inspector::Parent || prog.is_self_inspection() {
                continue;
            }
            let its = programme_items(&p, prog);
            programmes.push((
                prog.id.to_string(),
                prog.title.clone(),
                its.iter().map(|(v, ..)| v.clone()).collect(),
            ));
            for it in its {
                if !items.contains(&it) {
                    items.push(it);
                }
            }
        }
    }
    let mut seen = BTreeSet::new();
    for ip in below_policies {
        if !seen.insert(ip.policy_id.clone()) {
            continue;
        }
        let p = state.installed_policy(ip.id).await?;
        for d in &p.duties {
            let it = (
                format!("duty:{}:{}", p.meta.id, d.id),
                format!("{}（{}）", d.title, p.meta.title),
                d.source.map(|s| s.to_string()),
            );
            if !items.iter().any(|x| x.0 == it.0) {
                items.push(it);
            }
        }
    }
    let more_units = below.len() > UNITS_OFFERED;
    Ok(Choices {
        units: below.into_iter().take(UNITS_OFFERED).collect(),
        more_units,
        kinds: kinds.into_iter().collect(),
        people,
        items,
        programmes,
        installed_policy_id: own.map(|ip| ip.id),
    })
}

/// A plan as typed.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PlanInput {
    pub title: String,
    #[serde(default)]
    pub programme: String,
    pub starts_on: String,
    pub ends_on: String,
    /// `units` or `kind`.
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub units: Vec<i64>,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub team: Vec<i64>,
    #[serde(default)]
    pub lead: Option<i64>,
    /// Checklist items on offer, by value (`duty:POLICY:DUTY` or `text:WORDS`).
    #[serde(default)]
    pub items: Vec<String>,
    /// Points of one's own, one a line.
    #[serde(default)]
    pub free: String,
}

fn check_item(value: &str, offered: &[(String, String, Option<String>)]) -> Option<CheckItem> {
    let (_, title, source) = offered.iter().find(|(v, ..)| v == value)?;
    if let Some(rest) = value.strip_prefix("duty:") {
        let (policy, duty) = rest.split_once(':')?;
        return Some(CheckItem {
            kind: "duty".into(),
            policy_id: Some(policy.into()),
            duty_id: Some(duty.into()),
            title: title.clone(),
            source: source.clone(),
        });
    }
    value.strip_prefix("text:").map(|_| CheckItem {
        kind: "text".into(),
        policy_id: None,
        duty_id: None,
        title: title.clone(),
        source: source.clone(),
    })
}

/// Plans an inspection by `unit`: checks what was typed (every problem by its field) and stores
/// it. Returns its id.
pub async fn create(
    state: &AppState,
    v: &Viewer,
    unit_id: i64,
    input: PlanInput,
    lang: Lang,
) -> Result<i64> {
    let t = Tr(lang);
    let (unit, _) = access::require(&state.store, v, unit_id, Level::Edit).await?;
    let ch = choices(state, &unit).await?;
    let mut p = Problems::new();
    if !text_ok(&input.title, LINE_MAX) {
        p.add("title", t.s("insp.p.title"));
    }
    let starts = date_of(&input.starts_on);
    let ends = date_of(&input.ends_on);
    if starts.is_none() {
        p.add("starts_on", t.s("insp.p.date"));
    }
    match (starts, ends) {
        (_, None) => p.add("ends_on", t.s("insp.p.date")),
        (Some(s), Some(e)) if e < s => p.add("ends_on", t.s("insp.p.ends")),
        _ => {}
    }
    let programme = input.programme.trim().to_string();
    if !programme.is_empty() && !ch.programmes.iter().any(|(id, ..)| *id == programme) {
        p.add("programme", t.s("insp.p.programme"));
    }
    // The units: chosen ones must be below the unit; a kind covers every unit of it below.
    let mut units: Vec<i64> = Vec::new();
    let scope = if input.scope == "kind" {
        if !ch.kinds.contains(&input.kind) {
            p.add("kind", t.s("insp.p.kind"));
        } else {
            let below = state.store.reader().await?.subtree(unit.id).await?;
            units = below
                .iter()
                .filter(|u| u.id != unit.id && u.retired_on.is_none() && u.kind == input.kind)
                .map(|u| u.id)
                .take(UNITS_MAX)
                .collect();
        }
        format!("kind:{}", input.kind)
    } else {
        let mut r = state.store.reader().await?;
        for u in &input.units {
            let ok = r
                .path(*u)
                .await?
                .iter()
                .rev()
                .skip(1)
                .any(|x| x.id == unit.id);
            if ok && !units.contains(u) {
                units.push(*u);
            } else if !ok {
                p.add("units", t.s("insp.p.units"));
            }
        }
        if units.is_empty() {
            p.add("units", t.s("insp.p.units"));
        }
        "units".into()
    };
    let mut team: Vec<(i64, bool)> = Vec::new();
    for m in &input.team {
        if !ch.people.iter().any(|(id, _)| id == m) {
            p.add("team", t.s("insp.p.team"));
        } else if !team.iter().any(|(x, _)| x == m) {
            team.push((*m, input.lead == Some(*m)));
        }
    }
    if team.is_empty() {
        p.add("team", t.s("insp.p.team"));
    }
    let mut checklist = Vec::new();
    for value in &input.items {
        match check_item(value, &ch.items) {
            Some(c) => checklist.push(c),
            None => p.add("items", t.s("insp.p.items")),
        }
    }
    for line in input.free.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.chars().count() > LINE_MAX {
            p.add("free", t.s("insp.p.free"));
            break;
        }
        checklist.push(CheckItem {
            kind: "text".into(),
            policy_id: None,
            duty_id: None,
            title: line.into(),
            source: None,
        });
    }
    if checklist.is_empty() {
        p.add("items", t.s("insp.p.checklist"));
    }
    if checklist.len() > 200 {
        p.add("free", t.s("insp.p.free"));
    }
    p.check()?;
    let (Some(starts_on), Some(ends_on)) = (starts, ends) else {
        return Err(Error::NotFound);
    };
    let mut w = state.store.write(&v.actor()).await?;
    let i = w
        .create_inspection(&NewInspection {
            unit_id: unit.id,
            installed_policy_id: ch.installed_policy_id,
            programme: (!programme.is_empty()).then_some(programme),
            title: input.title.trim().into(),
            scope,
            starts_on,
            ends_on,
            checklist,
            units,
            team,
        })
        .await?;
    w.commit().await?;
    Ok(i.id)
}

// ------------------------------------------------------------------------------- visits

/// A visit as typed; files as (name, media type, bytes).
pub struct VisitInput {
    pub unit_id: i64,
    pub visited_on: String,
    pub notes: String,
    /// (item index, result word, note)
    pub checks: Vec<(usize, String, String)>,
    pub files: Vec<(String, String, Vec<u8>)>,
}

pub async fn add_visit(
    state: &AppState,
    v: &Viewer,
    id: i64,
    input: VisitInput,
    lang: Lang,
) -> Result<i64> {
    let t = Tr(lang);
    let l = load(state, v, id).await?;
    if !l.can_act {
        return Err(Error::Forbidden);
    }
    let mut p = Problems::new();
    if !l.units.iter().any(|u| u.unit_id == input.unit_id) {
        p.add("unit_id", t.s("insp.p.unit"));
    }
    let day = date_of(&input.visited_on);
    if day.is_none() {
        p.add("visited_on", t.s("insp.p.date"));
    }
    if !text_ok(&input.notes, TEXT_MAX) {
        p.add("notes", t.s("insp.p.notes"));
    }
    let mut checks = Vec::new();
    for (item, result, note) in input.checks {
        if item >= l.inspection.checklist.len() || !CHECK_WORDS.contains(&result.as_str()) {
            p.add("checks", t.s("insp.p.checks"));
            continue;
        }
        if note.chars().count() > LINE_MAX * 5 {
            p.add(&format!("note_{item}"), t.s("insp.p.check_note"));
        }
        checks.push(Check {
            item,
            result,
            note: note.trim().into(),
        });
    }
    p.check()?;
    let mut w = state.store.write(&v.actor()).await?;
    let mut files = Vec::new();
    for (name, media, bytes) in &input.files {
        files.push((name.clone(), w.put_attachment(bytes, media).await?));
    }
    let visit = w
        .add_visit(
            id,
            &NewVisit {
                unit_id: input.unit_id,
                visited_on: day.unwrap_or_else(today),
                notes: input.notes.trim().into(),
                checks,
                files,
            },
        )
        .await?;
    w.commit().await?;
    Ok(visit)
}

// ------------------------------------------------------------------------------- findings

/// A finding as typed (sending one, or correcting it).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct FindingInput {
    pub unit_id: i64,
    #[serde(default)]
    pub severity: String,
    /// The checklist item it breaks (its index), if one.
    #[serde(default)]
    pub item: Option<usize>,
    /// The clause in words (required without `item`; added to it with one).
    #[serde(default)]
    pub clause: String,
    pub description: String,
    /// The due date; from the severity's rule when empty.
    #[serde(default)]
    pub due: String,
}

/// The finding's text the rules check, from what was typed: the clause from the checklist item
/// (with its seed line) or in words, the due date from the severity when none is typed.
pub fn finding_text(
    l: &Loaded,
    input: &FindingInput,
    evidence: Vec<String>,
    sent_on: NaiveDate,
    t: Tr,
) -> Result<(FindingText, String)> {
    let mut p = Problems::new();
    if !l.units.iter().any(|u| u.unit_id == input.unit_id) {
        p.add("unit_id", t.s("insp.p.unit"));
    }
    let severities = l
        .policy
        .as_ref()
        .and_then(|p| p.rectification.as_ref())
        .map(|r| r.severities.clone())
        .unwrap_or_default();
    let severity = if input.severity.trim().is_empty() {
        None
    } else {
        let s = SeverityId::parse(input.severity.trim())
            .and_then(|id| severities.iter().find(|s| s.id == id).cloned());
        if s.is_none() {
            p.add("severity", t.s("insp.p.severity"));
        }
        s
    };
    if !severities.is_empty() && severity.is_none() && !p.0.iter().any(|x| x.0 == "severity") {
        p.add("severity", t.s("insp.p.severity"));
    }
    let item = match input.item {
        Some(i) => match l.inspection.checklist.get(i) {
            Some(c) => Some(c),
            None => {
                p.add("item", t.s("insp.p.item"));
                None
            }
        },
        None => None,
    };
    let words = input.clause.trim();
    if words.chars().count() > LINE_MAX * 5 || (item.is_none() && words.is_empty()) {
        p.add("clause", t.s("insp.p.clause"));
    }
    if !text_ok(&input.description, TEXT_MAX) {
        p.add("description", t.s("insp.p.description"));
    }
    let due = if input.due.trim().is_empty() {
        let cal = zeren_policy::calendar::WorkCalendar::bundled();
        let d = severity
            .as_ref()
            .and_then(|s| finding_due(s, sent_on, &cal));
        if d.is_none() {
            p.add("due", t.s("insp.p.due_needed"));
        }
        d
    } else {
        let d = date_of(&input.due);
        match d {
            None => p.add("due", t.s("insp.p.date")),
            Some(d) if d < sent_on => p.add("due", t.s("insp.p.due_past")),
            _ => {}
        }
        d
    };
    p.check()?;
    let clause = match (item, words.is_empty()) {
        (Some(c), true) => c.title.clone(),
        (Some(c), false) => format!("{}：{words}", c.title),
        (None, _) => words.to_string(),
    };
    let title = severity
        .as_ref()
        .map(|s| s.title.clone())
        .unwrap_or_default();
    Ok((
        FindingText {
            unit: UnitId(input.unit_id),
            severity: severity.map(|s| s.id),
            clause,
            source: item
                .and_then(|c| c.source.as_deref())
                .and_then(SourceRef::parse),
            description: input.description.trim().into(),
            evidence,
            due: due.unwrap_or(sent_on),
        },
        title,
    ))
}

/// A finding's one-line summary for lists.
pub fn summary(text: &FindingText) -> String {
    let first = text.description.lines().next().unwrap_or_default();
    let s: String = first.chars().take(60).collect();
    if first.chars().count() > 60 {
        format!("{s}……")
    } else {
        s
    }
}

/// Sends a finding of the inspection (the inspecting side); returns its id.
pub async fn send_finding(
    state: &AppState,
    v: &Viewer,
    id: i64,
    input: FindingInput,
    files: Vec<(String, String, Vec<u8>)>,
    lang: Lang,
) -> Result<i64> {
    let t = Tr(lang);
    let l = load(state, v, id).await?;
    if !l.can_act {
        return Err(Error::Forbidden);
    }
    let me = person_of(v, t)?;
    let today = today();
    let mut w = state.store.write(&v.actor()).await?;
    let mut stored = Vec::new();
    for (name, media, bytes) in &files {
        stored.push((name.clone(), w.put_attachment(bytes, media).await?));
    }
    let (text, severity_title) = finding_text(
        &l,
        &input,
        stored.iter().map(|(_, sha)| sha.clone()).collect(),
        today,
        t,
    )?;
    let st = FindingState::default();
    let summary = summary(&text);
    let event = st
        .check(
            Actor {
                person: me,
                side: Side::Inspector,
            },
            Action::Send { finding: text },
            today,
        )
        .map_err(|e| Error::Fields(Problems::one("", e.zh())))?;
    let mut after = st.clone();
    after.push(&event);
    let fid = w
        .create_finding(
            id,
            input.unit_id,
            &event,
            &Derived {
                state: &after,
                severity_title,
                summary,
            },
            &stored,
        )
        .await?;
    w.commit().await?;
    Ok(fid)
}

// ------------------------------------------------------------------------------- JSON

#[derive(Serialize)]
pub struct CompletionJson {
    pub findings: usize,
    pub closed: usize,
    pub closed_on_time: usize,
    pub open: usize,
    pub overdue: usize,
    /// Closed over sent, per cent with one decimal; null without findings.
    pub rate: Option<f64>,
    pub text: String,
}

pub fn completion_json(c: Completion) -> CompletionJson {
    CompletionJson {
        findings: c.findings,
        closed: c.closed,
        closed_on_time: c.closed_on_time,
        open: c.open,
        overdue: c.overdue,
        rate: c.rate_percent().map(|r| (r * 10.0).round() / 10.0),
        text: c.zh(),
    }
}

#[derive(Serialize)]
pub struct InspectionJson {
    pub inspection: Inspection,
    pub unit_name: String,
    pub units: Vec<InspectedUnit>,
    pub team: Vec<TeamMember>,
    pub visits: Vec<Visit>,
    pub findings: Vec<FindingRow>,
    pub completion: CompletionJson,
    pub can_act: bool,
}

pub fn inspection_json(l: Loaded) -> InspectionJson {
    let completion = completion_json(l.completion());
    InspectionJson {
        unit_name: l.unit.name.clone(),
        inspection: l.inspection,
        units: l.units,
        team: l.team,
        visits: l.visits,
        findings: l.findings.into_iter().map(|(f, _)| f).collect(),
        completion,
        can_act: l.can_act,
    }
}

#[derive(Serialize)]
pub struct InspectionList {
    pub unit_id: i64,
    /// The inspections the unit carries out, the latest first.
    pub inspections: Vec<Inspection>,
    /// The open findings of the units of its subtree (itself included), the soonest due first.
    pub open_findings: Vec<FindingRow>,
}

pub async fn list_json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<axum::Json<InspectionList>> {
    access::require(&state.store, &v, id, Level::Read).await?;
    let mut r = state.store.reader().await?;
    Ok(axum::Json(InspectionList {
        unit_id: id,
        inspections: r.inspections_by(id).await?,
        open_findings: r.open_findings_in_subtree(id).await?,
    }))
}

pub async fn json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<axum::Json<InspectionJson>> {
    Ok(axum::Json(inspection_json(load(&state, &v, id).await?)))
}

pub async fn create_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(unit): Path<i64>,
    JsonBody(input): JsonBody<PlanInput>,
) -> Result<Response> {
    let id = create(&state, &v, unit, input, lang).await?;
    Ok(created(inspection_json(load(&state, &v, id).await?)))
}

#[derive(Deserialize)]
pub struct FileJson {
    file_name: String,
    media_type: Option<String>,
    content_base64: String,
}

pub fn files_of(list: Vec<FileJson>) -> Result<Vec<(String, String, Vec<u8>)>> {
    use base64::Engine as _;
    let mut out = Vec::new();
    for f in list {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(f.content_base64.trim())
            .map_err(|e| Error::Invalid(format!("{}: not base64 ({e})", f.file_name)))?;
        let media = f
            .media_type
            .unwrap_or_else(|| guess_media(&f.file_name).into());
        out.push((f.file_name, media, bytes));
    }
    Ok(out)
}

#[derive(Deserialize)]
pub struct VisitJson {
    unit_id: i64,
    visited_on: String,
    notes: String,
    #[serde(default)]
    checks: Vec<Check>,
    #[serde(default)]
    attachments: Vec<FileJson>,
}

pub async fn visit_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<VisitJson>,
) -> Result<Response> {
    let input = VisitInput {
        unit_id: b.unit_id,
        visited_on: b.visited_on,
        notes: b.notes,
        checks: b
            .checks
            .into_iter()
            .map(|c| (c.item, c.result, c.note))
            .collect(),
        files: files_of(b.attachments)?,
    };
    add_visit(&state, &v, id, input, lang).await?;
    Ok(created(inspection_json(load(&state, &v, id).await?)))
}

#[derive(Deserialize)]
pub struct FindingJson {
    #[serde(flatten)]
    finding: FindingInput,
    #[serde(default)]
    attachments: Vec<FileJson>,
}

pub async fn finding_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<FindingJson>,
) -> Result<Response> {
    let files = files_of(b.attachments)?;
    let fid = send_finding(&state, &v, id, b.finding, files, lang).await?;
    let l = load(&state, &v, id).await?;
    let row = l
        .findings
        .into_iter()
        .map(|(f, _)| f)
        .find(|f| f.id == fid)
        .ok_or(Error::NotFound)?;
    Ok(created(row))
}

// ------------------------------------------------------------------------------- pages

/// A finding as the inspection's page lists it.
pub struct FindingLine {
    pub id: i64,
    pub unit: String,
    pub severity: String,
    pub summary: String,
    pub stage: String,
    pub due: String,
    pub standing: String,
    pub overdue: bool,
}

/// One unit's findings counted for the page and the 通报.
pub struct UnitTally {
    pub unit: String,
    pub completion: Completion,
    pub rate: String,
}

pub fn tallies(l: &Loaded) -> Vec<UnitTally> {
    l.units
        .iter()
        .map(|u| {
            let c = completion(
                l.findings
                    .iter()
                    .filter(|(f, _)| f.unit_id == u.unit_id)
                    .map(|(_, s)| s),
                today(),
            );
            UnitTally {
                unit: u.name.clone(),
                rate: rate_text(&c),
                completion: c,
            }
        })
        .collect()
}

pub fn rate_text(c: &Completion) -> String {
    c.rate_percent()
        .map(|r| format!("{r:.1}%"))
        .unwrap_or_else(|| "—".into())
}

pub fn finding_lines(l: &Loaded) -> Vec<FindingLine> {
    let today = today();
    l.findings
        .iter()
        .map(|(f, s)| {
            let standing = zeren_core::inspection::standing(s, today);
            FindingLine {
                id: f.id,
                unit: f.unit_name.clone(),
                severity: f.severity_title.clone(),
                summary: f.summary.clone(),
                stage: s.stage.zh().into(),
                due: f.due_on.map(|d| d.to_string()).unwrap_or_default(),
                overdue: matches!(standing, zeren_core::inspection::Standing::Overdue { .. }),
                standing: standing.zh(),
            }
        })
        .collect()
}

/// A checklist item as the page shows it.
pub struct ItemLine {
    pub index: usize,
    pub title: String,
    pub source: String,
}

pub struct VisitLine {
    pub unit: String,
    pub on: String,
    pub by: String,
    pub notes: String,
    /// (item title, result in words, note)
    pub checks: Vec<(String, String, String)>,
    /// (link, name)
    pub files: Vec<(String, String)>,
}

fn result_zh(word: &str, t: Tr) -> &'static str {
    match word {
        "ok" => t.s("insp.check_ok"),
        "problem" => t.s("insp.check_problem"),
        _ => t.s("insp.check_not"),
    }
}

#[derive(Template)]
#[template(path = "pages/inspection.html")]
pub struct InspectionPage {
    pub chrome: Chrome,
    pub id: i64,
    pub title: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub programme: String,
    pub dates: String,
    pub scope: String,
    pub units: Vec<InspectedUnit>,
    pub team: Vec<TeamMember>,
    pub items: Vec<ItemLine>,
    pub visits: Vec<VisitLine>,
    pub findings: Vec<FindingLine>,
    pub tallies: Vec<UnitTally>,
    pub completion: String,
    pub rate: String,
    pub can_act: bool,
    /// (id, title, due-date rule in words)
    pub severities: Vec<(String, String, String)>,
    pub today: String,
    pub refused: Refused,
}

fn severity_rule(s: &zeren_policy::Severity) -> String {
    let mut out = s.kind.zh().to_string();
    if let Some(d) = s.within.and_then(|d| d.whole_days()) {
        out.push_str(&format!("，{d}天内"));
    }
    out
}

fn inspection_page(l: &Loaded, lang: Lang, v: &Viewer, refused: Refused) -> InspectionPage {
    let t = Tr(lang);
    let c = l.completion();
    let programme = l
        .inspection
        .programme
        .as_ref()
        .and_then(|p| {
            l.policy.as_ref().and_then(|pol| {
                pol.inspections
                    .iter()
                    .find(|x| x.id.as_str() == p)
                    .map(|x| x.title.clone())
            })
        })
        .unwrap_or_default();
    InspectionPage {
        chrome: Chrome::new(lang, Some(v)),
        id: l.inspection.id,
        title: l.inspection.title.clone(),
        unit_id: l.unit.id,
        unit_name: l.unit.name.clone(),
        programme,
        dates: format!("{} — {}", l.inspection.starts_on, l.inspection.ends_on),
        scope: match l.inspection.scope.strip_prefix("kind:") {
            Some(k) => t.f("insp.scope_kind", &[("kind", k)]),
            None => t.s("insp.scope_units").into(),
        },
        units: l.units.clone(),
        team: l.team.clone(),
        items: l
            .inspection
            .checklist
            .iter()
            .enumerate()
            .map(|(i, c)| ItemLine {
                index: i,
                title: c.title.clone(),
                source: c.source.clone().unwrap_or_default(),
            })
            .collect(),
        visits: l
            .visits
            .iter()
            .map(|x| VisitLine {
                unit: x.unit_name.clone(),
                on: x.visited_on.to_string(),
                by: x.created_by_name.clone(),
                notes: x.notes.clone(),
                checks: x
                    .checks
                    .iter()
                    .map(|c| {
                        (
                            l.inspection
                                .checklist
                                .get(c.item)
                                .map(|i| i.title.clone())
                                .unwrap_or_default(),
                            result_zh(&c.result, t).into(),
                            c.note.clone(),
                        )
                    })
                    .collect(),
                files: x
                    .files
                    .iter()
                    .map(|f| {
                        (
                            format!(
                                "/inspections/{}/visits/{}/files/{}",
                                l.inspection.id, x.id, f.position
                            ),
                            f.file_name.clone(),
                        )
                    })
                    .collect(),
            })
            .collect(),
        findings: finding_lines(l),
        tallies: tallies(l),
        completion: c.zh(),
        rate: rate_text(&c),
        can_act: l.can_act,
        severities: l
            .policy
            .as_ref()
            .and_then(|p| p.rectification.as_ref())
            .map(|r| {
                r.severities
                    .iter()
                    .map(|s| (s.id.to_string(), s.title.clone(), severity_rule(s)))
                    .collect()
            })
            .unwrap_or_default(),
        today: today().to_string(),
        refused,
    }
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    let l = load(&state, &v, id).await?;
    render(&inspection_page(&l, lang, &v, Refused::default()))
}

async fn refused_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    id: i64,
    r: Refused,
) -> Result<Response> {
    let l = load(state, v, id).await?;
    let status = r.status;
    Ok((status, render(&inspection_page(&l, lang, v, r))?).into_response())
}

fn files_from(parts: &MultipartForm) -> Vec<(String, String, Vec<u8>)> {
    parts
        .files("files")
        .into_iter()
        .map(|(name, media, bytes)| (name, media, bytes.to_vec()))
        .collect()
}

fn too_large(parts: &MultipartForm, lang: Lang) -> Option<Error> {
    parts
        .too_large()
        .map(|limit| Error::Fields(Problems::one("files", Error::TooLarge(limit).message(lang))))
}

pub async fn visit_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    m: Multipart,
) -> Result<Response> {
    let parts = MultipartForm::read(m, state.config.upload_limit_bytes() as u64).await?;
    let outcome = match too_large(&parts, lang) {
        Some(e) => Err(e),
        None => {
            let checks = parts
                .texts()
                .into_iter()
                .filter_map(|(k, val)| {
                    let i: usize = k.strip_prefix("check_")?.parse().ok()?;
                    Some((i, val, parts.text(&format!("note_{i}"))))
                })
                .collect();
            add_visit(
                &state,
                &v,
                id,
                VisitInput {
                    unit_id: parts.text("unit_id").parse().unwrap_or(0),
                    visited_on: parts.text("visited_on"),
                    notes: parts.text("notes"),
                    checks,
                    files: files_from(&parts),
                },
                lang,
            )
            .await
        }
    };
    match outcome {
        Ok(_) => Ok(see_other(&format!("/inspections/{id}#visits"))),
        Err(e) => {
            let r = Refused::of_multipart("visit", &parts, e, lang)?;
            refused_page(&state, &v, lang, id, r).await
        }
    }
}

pub async fn finding_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    m: Multipart,
) -> Result<Response> {
    let parts = MultipartForm::read(m, state.config.upload_limit_bytes() as u64).await?;
    let outcome = match too_large(&parts, lang) {
        Some(e) => Err(e),
        None => {
            let input = FindingInput {
                unit_id: parts.text("unit_id").parse().unwrap_or(0),
                severity: parts.text("severity"),
                item: parts.text("item").parse().ok(),
                clause: parts.text("clause"),
                description: parts.text("description"),
                due: parts.text("due"),
            };
            send_finding(&state, &v, id, input, files_from(&parts), lang).await
        }
    };
    match outcome {
        Ok(fid) => Ok(see_other(&format!("/findings/{fid}"))),
        Err(e) => {
            let r = Refused::of_multipart("finding", &parts, e, lang)?;
            refused_page(&state, &v, lang, id, r).await
        }
    }
}

pub async fn visit_file(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, visit, position)): Path<(i64, i64, i64)>,
) -> Result<Response> {
    let l = load(&state, &v, id).await?;
    let f = l
        .visits
        .iter()
        .find(|x| x.id == visit)
        .and_then(|x| x.files.iter().find(|f| f.position == position))
        .ok_or(Error::NotFound)?;
    respond::stored_file(&state.store, &f.sha256, &f.file_name).await
}

// ------------------------------------------------------------------------------- the list

pub struct InspectionLine {
    pub id: i64,
    pub title: String,
    pub dates: String,
    pub units: usize,
    pub completion: String,
}

#[derive(Template)]
#[template(path = "pages/inspections.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub unit: Unit,
    pub inspections: Vec<InspectionLine>,
    pub open: Vec<FindingLine>,
    /// The open findings shown are those a dashboard number counts.
    pub filtered: bool,
    pub can_plan: bool,
    pub choices: Option<Choices>,
    pub today: String,
    pub refused: Refused,
}

impl ListPage {
    fn item_checked(&self, value: &str) -> bool {
        self.refused.has("plan", "items", value)
    }
    fn unit_checked(&self, id: &i64) -> bool {
        self.refused.has("plan", "units", &id.to_string())
    }
    fn person_checked(&self, id: &i64) -> bool {
        self.refused.has("plan", "team", &id.to_string())
    }
}

async fn list_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    id: i64,
    refused: Refused,
) -> Result<ListPage> {
    let (unit, level) = access::require(&state.store, v, id, Level::Read).await?;
    let mut r = state.store.reader().await?;
    let plans = r.inspections_by(id).await?;
    let open_rows = r.open_findings_in_subtree(id).await?;
    let mut inspections = Vec::new();
    for i in plans {
        let rows = r.findings_of_inspection(i.id).await?;
        let mut states = Vec::new();
        for f in &rows {
            let evs: Vec<_> = r
                .finding_events(f.id)
                .await?
                .into_iter()
                .map(|e| e.event)
                .collect();
            states.push(FindingState::replay(&evs));
        }
        let c = completion(states.iter(), today());
        inspections.push(InspectionLine {
            id: i.id,
            title: i.title.clone(),
            dates: format!("{} — {}", i.starts_on, i.ends_on),
            units: r.inspected_units(i.id).await?.len(),
            completion: c.zh(),
        });
    }
    drop(r);
    let today = today();
    let open = open_rows
        .into_iter()
        .map(|f| FindingLine {
            id: f.id,
            unit: f.unit_name.clone(),
            severity: f.severity_title.clone(),
            summary: f.summary.clone(),
            stage: stage_zh(&f.stage).into(),
            due: f.due_on.map(|d| d.to_string()).unwrap_or_default(),
            overdue: f.due_on.is_some_and(|d| d < today) && f.stage != "applied",
            standing: String::new(),
        })
        .collect();
    let can_plan = level >= Level::Edit && unit.retired_on.is_none();
    let choices = if can_plan {
        Some(choices(state, &unit).await?)
    } else {
        None
    };
    Ok(ListPage {
        chrome: Chrome::new(lang, Some(v)),
        unit,
        inspections,
        open,
        filtered: false,
        can_plan,
        choices,
        today: today.to_string(),
        refused,
    })
}

/// The stage's words for a stored stage word.
pub fn stage_zh(word: &str) -> &'static str {
    use zeren_core::inspection::Stage;
    match word {
        "awaiting_commitment" => Stage::AwaitingCommitment.zh(),
        "negotiating" => Stage::Negotiating.zh(),
        "rectifying" => Stage::Rectifying.zh(),
        "applied" => Stage::Applied.zh(),
        "closed" => Stage::Closed.zh(),
        "withdrawn" => Stage::Withdrawn.zh(),
        _ => Stage::Draft.zh(),
    }
}

/// Which open findings the list shows (the dashboard's numbers lead here).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct FindingFilter {
    /// A severity's title; `-` for findings without one.
    pub severity: Option<String>,
    /// How long ago they were sent: week, month, quarter, older.
    pub age: Option<String>,
    /// Only overdue ones.
    pub overdue: Option<u8>,
}

impl FindingFilter {
    fn keeps(&self, f: &FindingRow, today: NaiveDate) -> bool {
        let sev = self
            .severity
            .as_deref()
            .map(|s| if s == "-" { "" } else { s });
        sev.is_none_or(|s| f.severity_title == s)
            && self.age.as_deref().is_none_or(|a| {
                f.sent_on.is_some_and(|d| {
                    zeren_core::oversight::Age::of_days((today - d).num_days()).word() == a
                })
            })
            && (self.overdue != Some(1) || f.due_on.is_some_and(|d| d < today))
    }
    fn any(&self) -> bool {
        self.severity.is_some() || self.age.is_some() || self.overdue.is_some()
    }
}

pub async fn list(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Query(q): Query<FindingFilter>,
) -> Result<Html<String>> {
    let mut page = list_page(&state, &v, lang, id, Refused::default()).await?;
    if q.any() {
        let mut r = state.store.reader().await?;
        let rows = r.open_findings_in_subtree(id).await?;
        let today = today();
        let keep: Vec<i64> = rows
            .iter()
            .filter(|f| q.keeps(f, today))
            .map(|f| f.id)
            .collect();
        page.open.retain(|x| keep.contains(&x.id));
        page.filtered = true;
    }
    render(&page)
}

pub async fn create_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let get = |k: &str| crate::shared::extract::field(&f, k);
    let all = |k: &str| -> Vec<String> {
        f.iter()
            .filter(|(n, _)| n == k)
            .map(|(_, x)| x.clone())
            .collect()
    };
    let input = PlanInput {
        title: get("title"),
        programme: get("programme"),
        starts_on: get("starts_on"),
        ends_on: get("ends_on"),
        scope: get("scope"),
        units: all("units").iter().filter_map(|x| x.parse().ok()).collect(),
        kind: get("kind"),
        team: all("team").iter().filter_map(|x| x.parse().ok()).collect(),
        lead: get("lead").parse().ok(),
        items: all("items"),
        free: get("free"),
    };
    match create(&state, &v, id, input, lang).await {
        Ok(iid) => Ok(see_other(&format!("/inspections/{iid}"))),
        Err(e) => {
            let r = Refused::of("plan", &f, e, lang)?;
            let status = r.status;
            let page = list_page(&state, &v, lang, id, r).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}
