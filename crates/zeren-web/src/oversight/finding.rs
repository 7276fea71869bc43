//! A finding of an inspection and its rectification (整改 → 销号): who the viewer is to it (the
//! inspecting side, the inspected unit, or a reader), the one place that checks an act against
//! the rules (`zeren_core::inspection`) and appends its event, and the finding as a page and as
//! JSON. Readers of the inspected unit — the unit and every unit above it — see it; a peer never.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use zeren_core::inspection::{
    standing, Action, Actor, Commitment, Event, FindingState, InspectionError, Need, Side, Stage,
};
use zeren_core::org::PersonId;
use zeren_policy::RectificationKind;
use zeren_store::inspections::*;
use zeren_store::{Level, Read};

use super::inspection::{
    files_of, finding_text, inspects, summary, FileJson, FindingInput, Loaded as LoadedInspection,
};
use crate::shared::clock::today;
use crate::shared::error::Problems;
use crate::shared::multipart::{Form as MultipartForm, Multipart};
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;
use crate::shared::respond;

const TEXT_MAX: usize = 20_000;

/// Who the viewer is to a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// Acts for the inspecting side: corrects, withdraws, accepts or returns commitments, 复查.
    Inspector,
    /// Acts for the inspected unit: proposes, records progress, applies for 销号.
    Unit,
    Reader,
}

pub struct Loaded {
    pub finding: FindingRow,
    pub inspection: LoadedInspection,
    pub events: Vec<StoredEvent>,
    pub state: FindingState,
    pub part: Part,
    /// The people of the inspected unit (who may answer for the rectification).
    pub people: Vec<(i64, String)>,
}

pub async fn load(state: &AppState, v: &Viewer, id: i64) -> Result<Loaded> {
    let finding = state
        .store
        .reader()
        .await?
        .finding(id)
        .await?
        .ok_or(Error::NotFound)?;
    access::require(&state.store, v, finding.unit_id, Level::Read).await?;
    // A reader of the unit reads the finding; the inspection's plan is the inspecting unit's, so
    // it is loaded without asking the viewer to read that unit.
    let mut r = state.store.reader().await?;
    let inspection = r
        .inspection(finding.inspection_id)
        .await?
        .ok_or(Error::NotFound)?;
    let team = r.inspection_team(inspection.id).await?;
    let units = r.inspected_units(inspection.id).await?;
    let unit = r.unit(inspection.unit_id).await?.ok_or(Error::NotFound)?;
    let events = r.finding_events(id).await?;
    let people = r
        .people_in_unit(finding.unit_id)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    drop(r);
    let policy = match inspection.installed_policy_id {
        Some(ip) => Some(state.installed_policy(ip).await?),
        None => None,
    };
    let part = if inspects(state, v, &inspection, &team).await? {
        Part::Inspector
    } else if access::acts_for(&state.store, v, finding.unit_id).await? {
        Part::Unit
    } else {
        Part::Reader
    };
    let evs: Vec<Event> = events.iter().map(|e| e.event.clone()).collect();
    Ok(Loaded {
        state: FindingState::replay(&evs),
        finding,
        inspection: LoadedInspection {
            can_act: part == Part::Inspector,
            inspection,
            unit,
            units,
            team,
            visits: Vec::new(),
            findings: Vec::new(),
            policy,
        },
        events,
        part,
        people,
    })
}

/// An act on a finding as typed (a form, or JSON).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ActInput {
    pub action: String,
    /// The number of events the actor saw (409 if the finding moved on).
    #[serde(default)]
    pub seen: Option<i64>,
    /// accept, return: the commitment version acted on.
    #[serde(default)]
    pub version: Option<u32>,
    /// propose: 立行立改 / 限期整改 / 持续整改 as `immediate`, `deadline`, `ongoing`.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub measures: String,
    #[serde(default)]
    pub responsible_person_id: Option<i64>,
    /// propose: the commitment's due date; correct: the finding's.
    #[serde(default)]
    pub due: String,
    /// return, withdraw, correct, return_recheck: the reason; progress, apply: the text;
    /// close: the justification.
    #[serde(default)]
    pub text: String,
    /// correct: the finding's new text.
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub item: Option<usize>,
    #[serde(default)]
    pub clause: String,
    #[serde(default)]
    pub description: String,
}

pub const ACTION_INPUTS: &[&str] = &[
    "correct",
    "withdraw",
    "propose",
    "accept",
    "return",
    "progress",
    "apply",
    "close",
    "return_recheck",
];

fn field_of(need: &Need, action: &str) -> &'static str {
    match need {
        Need::Reason | Need::Justification => "text",
        Need::Text if action == "propose" => "measures",
        Need::Text if action == "correct" => "description",
        Need::Text => "text",
        Need::Evidence => "files",
        Need::DueDate => "due",
        _ => "",
    }
}

fn refusal(e: InspectionError, action: &str) -> Error {
    let field = match &e {
        InspectionError::Needs { need, .. } => field_of(need, action),
        _ => "",
    };
    Error::Fields(Problems::one(field, e.zh()))
}

/// Checks the act against the finding's state on today and appends its event with its files.
pub async fn act(
    state: &AppState,
    v: &Viewer,
    id: i64,
    input: ActInput,
    files: Vec<(String, String, Vec<u8>)>,
    lang: Lang,
) -> Result<()> {
    let t = Tr(lang);
    let l = load(state, v, id).await?;
    let side = match l.part {
        Part::Inspector => Side::Inspector,
        Part::Unit => Side::Unit,
        Part::Reader => return Err(Error::Forbidden),
    };
    let me = v
        .account
        .person_id
        .map(PersonId)
        .ok_or_else(|| Error::Invalid(t.s("insp.p.no_person").into()))?;
    let seq = l.events.len() as i64;
    if input.seen.is_some_and(|s| s != seq) {
        return Err(Error::Conflict(MOVED_ON.into()));
    }
    let today = today();
    let mut w = state.store.write(&v.actor()).await?;
    let mut stored = Vec::new();
    for (name, media, bytes) in &files {
        stored.push((name.clone(), w.put_attachment(bytes, media).await?));
    }
    let evidence: Vec<String> = stored.iter().map(|(_, sha)| sha.clone()).collect();
    let mut p = Problems::new();
    let text = input.text.trim().to_string();
    if text.chars().count() > TEXT_MAX {
        p.add("text", t.s("insp.p.text"));
    }
    let mut severity_title = l.finding.severity_title.clone();
    let action = match input.action.as_str() {
        "correct" => {
            let (finding, title) = finding_text(
                &l.inspection,
                &FindingInput {
                    unit_id: l.finding.unit_id,
                    severity: input.severity.clone(),
                    item: input.item,
                    clause: input.clause.clone(),
                    description: input.description.clone(),
                    due: input.due.clone(),
                },
                if evidence.is_empty() {
                    l.state
                        .finding
                        .as_ref()
                        .map(|f| f.evidence.clone())
                        .unwrap_or_default()
                } else {
                    evidence
                },
                l.state.sent_on.unwrap_or(today),
                t,
            )?;
            severity_title = title;
            Action::Correct {
                finding,
                reason: text,
            }
        }
        "withdraw" => Action::Withdraw { reason: text },
        "propose" => {
            let kind = RectificationKind::parse(input.kind.trim());
            if kind.is_none() {
                p.add("kind", t.s("insp.p.kind_rect"));
            }
            let responsible = input
                .responsible_person_id
                .filter(|r| l.people.iter().any(|(id, _)| id == r));
            if responsible.is_none() {
                p.add("responsible_person_id", t.s("insp.p.responsible"));
            }
            let due = chrono::NaiveDate::parse_from_str(input.due.trim(), "%Y-%m-%d").ok();
            if due.is_none() {
                p.add("due", t.s("insp.p.date"));
            }
            if input.measures.trim().chars().count() > TEXT_MAX {
                p.add("measures", t.s("insp.p.text"));
            }
            std::mem::take(&mut p).check()?;
            let (Some(kind), Some(responsible), Some(due)) = (kind, responsible, due) else {
                return Err(Error::NotFound);
            };
            Action::Propose {
                commitment: Commitment {
                    kind,
                    measures: input.measures.trim().into(),
                    responsible: PersonId(responsible),
                    due,
                },
            }
        }
        "accept" => Action::Accept {
            version: input.version.unwrap_or(l.state.commitment_version),
        },
        "return" => Action::Return {
            version: input.version.unwrap_or(l.state.commitment_version),
            reason: text,
        },
        "progress" => Action::Progress { text, evidence },
        "apply" => Action::ApplyForClosure { text, evidence },
        "close" => Action::Close {
            justification: text,
        },
        "return_recheck" => Action::ReturnRecheck { reason: text },
        _ => {
            p.add("action", t.s("insp.p.action"));
            return Err(Error::Fields(p));
        }
    };
    p.check()?;
    let word = input.action.clone();
    let event = l
        .state
        .check(Actor { person: me, side }, action, today)
        .map_err(|e| refusal(e, &word))?;
    let mut after = l.state.clone();
    after.push(&event);
    let summary = after
        .finding
        .as_ref()
        .map(summary)
        .unwrap_or_else(|| l.finding.summary.clone());
    w.append_finding_event(
        id,
        seq,
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
    Ok(())
}

// ------------------------------------------------------------------------------- JSON

#[derive(Serialize)]
pub struct CommitmentJson {
    pub version: u32,
    pub kind: &'static str,
    pub kind_zh: &'static str,
    pub measures: String,
    pub responsible_person_id: i64,
    pub responsible_name: String,
    pub due: chrono::NaiveDate,
    /// Which sides accepted it: the unit, the inspecting side.
    pub accepted_by_unit: bool,
    pub accepted_by_inspector: bool,
    pub returned: bool,
    /// Both sides accepted this version.
    pub agreed: bool,
}

#[derive(Serialize)]
pub struct FindingJson {
    pub finding: FindingRow,
    pub stage_zh: &'static str,
    pub standing: String,
    pub part: Part,
    pub version: u32,
    pub clause: String,
    pub source: Option<String>,
    pub description: String,
    pub commitment: Option<CommitmentJson>,
    /// Events so far; send it back with an act.
    pub seen: usize,
    pub events: Vec<StoredEvent>,
}

fn name_of(people: &[(i64, String)], id: i64) -> String {
    people
        .iter()
        .find(|(p, _)| *p == id)
        .map(|(_, n)| n.clone())
        .unwrap_or_default()
}

fn commitment_json(l: &Loaded) -> Option<CommitmentJson> {
    let c = l.state.commitment.as_ref()?;
    Some(CommitmentJson {
        version: l.state.commitment_version,
        kind: c.kind.word(),
        kind_zh: c.kind.zh(),
        measures: c.measures.clone(),
        responsible_person_id: c.responsible.0,
        responsible_name: name_of(&l.people, c.responsible.0),
        due: c.due,
        accepted_by_unit: l.state.accepted[0],
        accepted_by_inspector: l.state.accepted[1],
        returned: l.state.returned,
        agreed: l.state.accepted == [true, true],
    })
}

pub fn finding_json(l: Loaded) -> FindingJson {
    let f = l.state.finding.as_ref();
    FindingJson {
        stage_zh: l.state.stage.zh(),
        standing: standing(&l.state, today()).zh(),
        part: l.part,
        version: l.state.finding_version,
        clause: f.map(|f| f.clause.clone()).unwrap_or_default(),
        source: f.and_then(|f| f.source).map(|s| s.to_string()),
        description: f.map(|f| f.description.clone()).unwrap_or_default(),
        commitment: commitment_json(&l),
        seen: l.events.len(),
        finding: l.finding,
        events: l.events,
    }
}

pub async fn json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<axum::Json<FindingJson>> {
    Ok(axum::Json(finding_json(load(&state, &v, id).await?)))
}

#[derive(Deserialize)]
pub struct ActJson {
    #[serde(flatten)]
    input: ActInput,
    #[serde(default)]
    attachments: Vec<FileJson>,
}

pub async fn act_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<ActJson>,
) -> Result<axum::Json<FindingJson>> {
    let files = files_of(b.attachments)?;
    act(&state, &v, id, b.input, files, lang).await?;
    Ok(axum::Json(finding_json(load(&state, &v, id).await?)))
}

// ------------------------------------------------------------------------------- the page

pub struct EventLine {
    pub at: String,
    pub who: String,
    pub what: String,
    pub text: String,
    /// (link, name)
    pub files: Vec<(String, String)>,
}

fn event_line(id: i64, e: &StoredEvent, people: &[(i64, String)], t: Tr) -> EventLine {
    let (what, text) = match &e.event {
        Event::FindingSent {
            version: 1,
            finding,
            ..
        } => (
            t.s("insp.ev.sent").to_string(),
            format!("{}\n{}", finding.clause, finding.description),
        ),
        Event::FindingSent {
            version,
            finding,
            reason,
            ..
        } => (
            t.f("insp.ev.corrected", &[("v", &version.to_string())]),
            format!(
                "{}\n{}\n{}：{}",
                finding.clause,
                finding.description,
                t.s("insp.reason"),
                reason.clone().unwrap_or_default()
            ),
        ),
        Event::FindingWithdrawn { reason, .. } => (t.s("insp.ev.withdrawn").into(), reason.clone()),
        Event::CommitmentProposed {
            version,
            side,
            commitment,
            ..
        } => (
            t.f(
                "insp.ev.proposed",
                &[("v", &version.to_string()), ("side", side.zh())],
            ),
            format!(
                "{}；{}：{}；{}：{}\n{}",
                commitment.kind.zh(),
                t.s("insp.responsible"),
                name_of(people, commitment.responsible.0),
                t.s("insp.due"),
                commitment.due,
                commitment.measures
            ),
        ),
        Event::CommitmentAccepted { version, side, .. } => (
            t.f(
                "insp.ev.accepted",
                &[("v", &version.to_string()), ("side", side.zh())],
            ),
            String::new(),
        ),
        Event::CommitmentReturned {
            version,
            side,
            reason,
            ..
        } => (
            t.f(
                "insp.ev.returned",
                &[("v", &version.to_string()), ("side", side.zh())],
            ),
            reason.clone(),
        ),
        Event::Progress { text, .. } => (t.s("insp.ev.progress").into(), text.clone()),
        Event::ClosureApplied { text, .. } => (t.s("insp.ev.applied").into(), text.clone()),
        Event::Closed { justification, .. } => {
            (t.s("insp.ev.closed").into(), justification.clone())
        }
        Event::RecheckReturned { reason, .. } => {
            (t.s("insp.ev.recheck_returned").into(), reason.clone())
        }
    };
    EventLine {
        at: crate::shared::clock::local(&e.at),
        who: e.by_name.clone(),
        what,
        text,
        files: e
            .files
            .iter()
            .map(|f| {
                (
                    format!("/findings/{id}/files/{}/{}", e.seq, f.position),
                    f.file_name.clone(),
                )
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "pages/finding.html")]
pub struct FindingPage {
    pub chrome: Chrome,
    pub id: i64,
    pub inspection_id: i64,
    pub inspection_title: String,
    /// The viewer reads the inspecting unit (the inspection's page opens for them).
    pub sees_inspection: bool,
    pub unit: String,
    pub unit_id: i64,
    pub severity: String,
    pub clause: String,
    pub source: String,
    pub description: String,
    pub version: u32,
    pub due: String,
    pub stage: String,
    pub standing: String,
    pub overdue: bool,
    pub finished: bool,
    pub inspector: bool,
    pub unit_side: bool,
    pub commitment: Option<CommitmentJson>,
    /// The viewer's side may accept or return the current version.
    pub can_answer: bool,
    pub can_propose: bool,
    pub rectifying: bool,
    pub applied: bool,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub people: Vec<(i64, String)>,
    /// (index, title) of the inspection's checklist, for a correction.
    pub items: Vec<(usize, String)>,
    pub severities: Vec<(String, String)>,
    pub severity_id: String,
    pub events: Vec<EventLine>,
    pub seen: usize,
    pub refused: Refused,
    /// The inspecting side may open an accountability case on the finding.
    pub can_open_case: bool,
}

impl FindingPage {
    fn ver(&self, n: &u32) -> String {
        self.chrome.version(&i64::from(*n))
    }

    /// A field's value: what was typed when the form was refused, else `default`.
    fn val(&self, form: &str, field: &str, default: &str) -> String {
        if self.refused.is(form) {
            self.refused.value(form, field).to_string()
        } else {
            default.to_string()
        }
    }
}

async fn finding_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    id: i64,
    refused: Refused,
) -> Result<FindingPage> {
    let t = Tr(lang);
    let l = load(state, v, id).await?;
    let sees_inspection = access::level(&state.store, v, l.inspection.inspection.unit_id)
        .await?
        .is_some();
    let st = &l.state;
    let side = match l.part {
        Part::Inspector => Some(Side::Inspector),
        Part::Unit => Some(Side::Unit),
        Part::Reader => None,
    };
    let finished = matches!(st.stage, Stage::Closed | Stage::Withdrawn);
    let can_answer = side.is_some_and(|s| {
        st.stage == Stage::Negotiating
            && !st.returned
            && !st.accepted[match s {
                Side::Unit => 0,
                Side::Inspector => 1,
            }]
    });
    let f = st.finding.as_ref();
    let sd = standing(st, today());
    let can_open_case = l.part == Part::Inspector
        && !matches!(st.stage, Stage::Draft | Stage::Withdrawn)
        && crate::shared::accountability::may_open_on(state, v, l.finding.unit_id).await?;
    Ok(FindingPage {
        chrome: Chrome::new(lang, Some(v)),
        id,
        inspection_id: l.inspection.inspection.id,
        inspection_title: l.inspection.inspection.title.clone(),
        sees_inspection,
        unit: l.finding.unit_name.clone(),
        unit_id: l.finding.unit_id,
        severity: l.finding.severity_title.clone(),
        clause: f.map(|f| f.clause.clone()).unwrap_or_default(),
        source: f
            .and_then(|f| f.source)
            .map(|s| s.to_string())
            .unwrap_or_default(),
        description: f.map(|f| f.description.clone()).unwrap_or_default(),
        version: st.finding_version,
        due: st.due().map(|d| d.to_string()).unwrap_or_default(),
        stage: st.stage.zh().into(),
        overdue: matches!(sd, zeren_core::inspection::Standing::Overdue { .. }),
        standing: sd.zh(),
        finished,
        inspector: l.part == Part::Inspector,
        unit_side: l.part == Part::Unit,
        commitment: commitment_json(&l),
        can_answer,
        can_propose: side.is_some()
            && !finished
            && st.stage != Stage::Applied
            && st.stage != Stage::Draft,
        rectifying: st.stage == Stage::Rectifying,
        applied: st.stage == Stage::Applied,
        kinds: RectificationKind::ALL
            .iter()
            .map(|k| (k.word(), k.zh()))
            .collect(),
        people: l.people.clone(),
        items: l
            .inspection
            .inspection
            .checklist
            .iter()
            .enumerate()
            .map(|(i, c)| (i, c.title.clone()))
            .collect(),
        severities: l
            .inspection
            .policy
            .as_ref()
            .and_then(|p| p.rectification.as_ref())
            .map(|r| {
                r.severities
                    .iter()
                    .map(|s| (s.id.to_string(), s.title.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        severity_id: l.finding.severity.clone().unwrap_or_default(),
        events: l
            .events
            .iter()
            .map(|e| event_line(id, e, &l.people, t))
            .collect(),
        seen: l.events.len(),
        refused,
        can_open_case,
    })
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    render(&finding_page(&state, &v, lang, id, Refused::default()).await?)
}

/// Every act, by its `action` field (the form's name is the action); files as `files`.
pub async fn act_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    m: Multipart,
) -> Result<Response> {
    let parts = MultipartForm::read(m, state.config.upload_limit_bytes() as u64).await?;
    let action = parts.text("action");
    let outcome = match parts.too_large() {
        Some(limit) => Err(Error::Fields(Problems::one(
            "files",
            Error::TooLarge(limit).message(lang),
        ))),
        None => {
            let input = ActInput {
                action: action.clone(),
                seen: parts.text("seen").parse().ok(),
                version: parts.text("version").parse().ok(),
                kind: parts.text("kind"),
                measures: parts.text("measures"),
                responsible_person_id: parts.text("responsible_person_id").parse().ok(),
                due: parts.text("due"),
                text: parts.text("text"),
                severity: parts.text("severity"),
                item: parts.text("item").parse().ok(),
                clause: parts.text("clause"),
                description: parts.text("description"),
            };
            let files = parts
                .files("files")
                .into_iter()
                .map(|(name, media, bytes)| (name, media, bytes.to_vec()))
                .collect();
            act(&state, &v, id, input, files, lang).await
        }
    };
    match outcome {
        Ok(()) => Ok(see_other(&format!("/findings/{id}"))),
        Err(e) => {
            let r = Refused::of_multipart(&action, &parts, e, lang)?;
            let status = r.status;
            let page = finding_page(&state, &v, lang, id, r).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

pub async fn file(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, seq, position)): Path<(i64, i64, i64)>,
) -> Result<Response> {
    let l = load(&state, &v, id).await?;
    let f = l
        .events
        .iter()
        .find(|e| e.seq == seq)
        .and_then(|e| e.files.iter().find(|f| f.position == position))
        .ok_or(Error::NotFound)?;
    respond::stored_file(&state.store, &f.sha256, &f.file_name).await
}
