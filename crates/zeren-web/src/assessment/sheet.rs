//! One unit's sheet in a cycle: the leaves measured from the ledger, filled in by the product
//! with the obligations behind them as evidence; the unit's self-assessment (自评) of the others,
//! each with a note and records of its ledger linked as evidence, submitted as versions; and the
//! scored 评分表 lines. The pages and the API submit through [`submit_self`].

use std::collections::BTreeMap;

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use zeren_core::assessment::{
    compose, entry_kind, leaves, may_self_assess, parse_input, Entry, EntryKind, Side, Standing,
};
use zeren_core::scoring::{score, Input, LedgerFacts, Outcome, ScoreError, ScoreSheet};
use zeren_policy::{Assessment, AssessmentItem, ItemId, Measure};
use zeren_store::assessment::*;

use super::cycle::{load_visible, points, rule_zh, Loaded};
use crate::shared::error::Problems;
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;

/// A unit of a cycle as the viewer may see it, with what the ledger knows of it.
pub struct UnitSheet {
    pub l: Loaded,
    /// The viewer reviews (an editor of the opening unit).
    pub reviewer: bool,
    pub unit: CycleUnit,
    pub standing: Standing,
    /// The unit's appeals, oldest first.
    pub appeals: Vec<Appeal>,
    pub facts: LedgerFacts,
    pub obligations: Vec<FactObligation>,
    /// The incidents reported late or not at all in the period (the `incidents_late` leaves).
    pub late_incidents: Vec<zeren_store::incident_stats::Counted>,
    /// The viewer acts for the unit: may submit its self-assessment.
    pub can_self: bool,
}

pub async fn load(state: &AppState, v: &Viewer, id: i64, unit_id: i64) -> Result<UnitSheet> {
    let (l, part) = load_visible(state, v, id).await?;
    let unit = l
        .units
        .iter()
        .find(|u| u.unit_id == unit_id)
        .cloned()
        .ok_or(Error::NotFound)?;
    if !part.visible.contains(&unit_id) {
        return Err(Error::Forbidden);
    }
    let mut r = state.store.reader().await?;
    let appeals: Vec<Appeal> = r
        .assessment_appeals(id)
        .await?
        .into_iter()
        .filter(|a| a.unit_id == unit_id)
        .collect();
    drop(r);
    let UnitFacts {
        facts,
        obligations,
        late_incidents,
    } = unit_facts(
        &state.store,
        unit_id,
        l.policy.meta.id.as_str(),
        (l.cycle.period_start, l.cycle.period_end),
        crate::shared::clock::today(),
        state.now(),
    )
    .await?;
    let can_self = access::acts_for(&state.store, v, unit_id).await?;
    let standing = Standing {
        published: l.cycle.published_at.is_some(),
        locked: unit.locked,
        open_appeal: appeals.iter().any(|a| a.upheld.is_none()),
    };
    Ok(UnitSheet {
        reviewer: part.reviewer,
        standing,
        appeals,
        l,
        unit,
        facts,
        obligations,
        late_incidents,
        can_self,
    })
}

/// The obligations a measured leaf counts, as its evidence.
pub fn evidence_of<'a>(
    item: &AssessmentItem,
    all: &'a [FactObligation],
) -> Vec<&'a FactObligation> {
    all.iter()
        .filter(|o| match &item.measure {
            Measure::Duty(d) | Measure::Missed(d) | Measure::Late(d) => o.duty_id == d.as_str(),
            Measure::ReportsLate => o.report_to_parent,
            _ => false,
        })
        .collect()
}

/// The records a measured leaf counts, as links: the obligations, or the incidents reported late.
fn ledger_evidence(leaf: &AssessmentItem, s: &UnitSheet) -> Vec<EvidenceLink> {
    if matches!(leaf.measure, Measure::IncidentsLate) {
        return s
            .late_incidents
            .iter()
            .map(|c| EvidenceLink {
                href: format!("/incidents/{}", c.incident.incident.id),
                text: format!(
                    "{}（{}）：{}",
                    c.incident.incident.title,
                    crate::shared::clock::zh_local(&c.incident.incident.known_at),
                    if c.fact.missing { "漏报" } else { "迟报" }
                ),
            })
            .collect();
    }
    evidence_of(leaf, &s.obligations)
        .into_iter()
        .map(|o| EvidenceLink {
            href: format!("/obligations/{}", o.obligation_id),
            text: format!(
                "{}（{}）：{}",
                o.title,
                o.period_label,
                outcome_zh(o.outcome)
            ),
        })
        .collect()
}

/// An input in words.
pub fn input_zh(i: &Input) -> String {
    match i {
        Input::Cases(n) => format!("{n} 次"),
        Input::Deduction { points, note } if note.is_empty() => format!("扣 {points} 分"),
        Input::Deduction { points, note } => format!("扣 {points} 分（{note}）"),
        Input::Commendations(list) if list.is_empty() => "无".into(),
        Input::Commendations(list) => list
            .iter()
            .map(|l| zeren_core::scoring::level_zh(l).to_string())
            .collect::<Vec<_>>()
            .join("、"),
        Input::Count(n) => format!("完成 {n} 次"),
        Input::Share { done, total } => format!("按时完成 {done}/{total}"),
        Input::Score(p) => format!("{p} 分"),
    }
}

/// What a form field shows for an input.
fn input_value(i: &Input) -> String {
    match i {
        Input::Cases(n) | Input::Count(n) => n.to_string(),
        Input::Deduction { points, .. } => points.to_string(),
        Input::Score(p) => p.to_string(),
        Input::Share { done, total } => format!("{done}/{total}"),
        Input::Commendations(_) => String::new(),
    }
}

fn outcome_zh(o: Outcome) -> &'static str {
    match o {
        Outcome::OnTime => "按时完成",
        Outcome::Late => "逾期完成",
        Outcome::Missed => "未完成",
        Outcome::Open => "未到期",
    }
}

// -------------------------------------------------------------------------- submitting

/// What a form or the API sent for one leaf: the value as typed, the note, the records linked,
/// the count per commendation level, and (reviewers) why a measured value is changed.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RawEntry {
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub evidence: Vec<i64>,
    #[serde(default)]
    pub levels: BTreeMap<String, String>,
    #[serde(default)]
    pub reason: String,
}

/// Reads the raw entries of the leaves a side enters, by the leaves' kinds. Problems by field
/// (`v_<item>` for the value, `n_<item>` for the note).
pub fn read_entries(
    a: &Assessment,
    raw: &BTreeMap<String, RawEntry>,
    side: Side,
    problems: &mut Problems,
) -> BTreeMap<ItemId, Entry> {
    let mut out = BTreeMap::new();
    for leaf in leaves(a) {
        let measured = leaf.measure.is_measured();
        let Some(r) = raw.get(leaf.id.as_str()) else {
            continue;
        };
        if measured && side == Side::SelfAssessment {
            // The ledger's; the unit may still link evidence and say something about it.
            out.insert(
                leaf.id.clone(),
                Entry {
                    input: None,
                    note: r.note.trim().to_string(),
                    evidence: r.evidence.clone(),
                    reason: String::new(),
                },
            );
            continue;
        }
        if measured && r.value.trim().is_empty() {
            out.insert(
                leaf.id.clone(),
                Entry {
                    input: None,
                    note: r.note.trim().to_string(),
                    evidence: r.evidence.clone(),
                    reason: r.reason.trim().to_string(),
                },
            );
            continue;
        }
        let levels: Vec<(String, String)> = r
            .levels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        match parse_input(&entry_kind(leaf), &r.value, &r.note, &levels) {
            Ok(input) => {
                out.insert(
                    leaf.id.clone(),
                    Entry {
                        input: Some(input),
                        note: r.note.trim().to_string(),
                        evidence: r.evidence.clone(),
                        reason: r.reason.trim().to_string(),
                    },
                );
            }
            Err(e) => problems.add(&format!("v_{}", leaf.id), e),
        }
    }
    out
}

/// A scoring refusal beside its field.
pub fn score_problem(e: &ScoreError, problems: &mut Problems) {
    let field = match e {
        ScoreError::Missing { item }
        | ScoreError::WrongInput { item, .. }
        | ScoreError::OutOfRange { item, .. }
        | ScoreError::AboveMax { item, .. }
        | ScoreError::UnknownLevel { item, .. } => format!("v_{item}"),
        ScoreError::NoteRequired { item } => format!("n_{item}"),
        ScoreError::UnknownVeto { .. } => "vetoes".into(),
    };
    // Said beside the item's own field: without its id.
    let text = match e {
        ScoreError::UnknownVeto { .. } => e.zh(),
        _ => e
            .zh()
            .split_once(' ')
            .and_then(|(_, rest)| rest.split_once(' '))
            .map(|(_, rest)| rest.to_string())
            .unwrap_or_else(|| e.zh()),
    };
    problems.add(&field, text);
}

/// Checks, scores and stores a new version of the unit's self-assessment.
pub async fn submit_self(
    state: &AppState,
    v: &Viewer,
    s: &UnitSheet,
    raw: &BTreeMap<String, RawEntry>,
) -> Result<Sheet> {
    if !s.can_self {
        return Err(Error::Forbidden);
    }
    may_self_assess(s.standing).map_err(|m| Error::Invalid(m.into()))?;
    let a = s.l.rubric()?;
    let mut problems = Problems::new();
    let entries = read_entries(a, raw, Side::SelfAssessment, &mut problems);
    for (item, e) in &entries {
        if e.note.chars().count() > zeren_core::assessment::MAX_NOTE {
            problems.add(&format!("n_{item}"), "说明不能超过 500 字");
        }
        if e.evidence.len() > 50 {
            problems.add(&format!("e_{item}"), "每项最多关联 50 条台账记录");
        }
    }
    let composed = compose(a, &s.facts, &entries, &[], Side::SelfAssessment);
    let composed = match composed {
        Ok(c) => Some(c),
        Err(list) => {
            for (item, text) in list {
                if problems.get(&format!("v_{item}")).is_none() {
                    problems.add(&format!("v_{item}"), text);
                }
            }
            None
        }
    };
    let sheet = match &composed {
        Some(c) => match score(a, &c.inputs) {
            Ok(sheet) => Some(sheet),
            Err(e) => {
                score_problem(&e, &mut problems);
                None
            }
        },
        None => None,
    };
    problems.check()?;
    let (Some(c), Some(sheet)) = (composed, sheet) else {
        return Err(Error::Internal(
            "scored without problems yet no sheet".into(),
        ));
    };
    let mut w = state.store.write(&v.actor()).await?;
    let stored = w
        .submit_assessment_sheet(
            s.l.cycle.id,
            s.unit.unit_id,
            SheetSide::SelfAssessment,
            &NewSheet {
                entries,
                vetoes: Vec::new(),
                inputs: c.inputs.leaves,
                sheet,
                locks: false,
            },
            None,
        )
        .await
        .map_err(|e| match e {
            zeren_store::Error::Invalid(m) if m.starts_with("record ") => {
                Error::Fields(Problems::one("evidence", "只能关联本单位的台账记录"))
            }
            e => e.into(),
        })?;
    w.commit().await?;
    Ok(stored)
}

/// The form's fields as raw entries: `v_<item>`, `n_<item>`, `e_<item>` (repeated),
/// `l_<item>__<level>`, `r_<item>`.
pub fn raw_of_form(a: &Assessment, f: &[(String, String)]) -> BTreeMap<String, RawEntry> {
    let mut out: BTreeMap<String, RawEntry> = BTreeMap::new();
    for leaf in leaves(a) {
        let id = leaf.id.as_str();
        let mut e = RawEntry::default();
        let mut any = false;
        for (k, val) in f {
            if k == &format!("v_{id}") {
                e.value = val.clone();
                any = true;
            } else if k == &format!("n_{id}") {
                e.note = val.clone();
                any = true;
            } else if k == &format!("r_{id}") {
                e.reason = val.clone();
                any = true;
            } else if k == &format!("e_{id}") {
                if let Ok(r) = val.parse() {
                    e.evidence.push(r);
                }
                any = true;
            } else if let Some(level) = k.strip_prefix(&format!("l_{id}__")) {
                e.levels.insert(level.to_string(), val.clone());
                any = true;
            }
        }
        if any {
            out.insert(id.to_string(), e);
        }
    }
    out
}

// ------------------------------------------------------------------------------- the page

pub struct EvidenceLink {
    pub href: String,
    pub text: String,
}

/// A leaf on the page.
pub struct LeafRow {
    pub id: String,
    pub code: String,
    pub title: String,
    pub parent: String,
    pub rule: String,
    /// `cases`, `deduction`, `commendations`, `count`, `share`, `score`.
    pub kind: &'static str,
    /// What the value field asks for.
    pub kind_label: &'static str,
    /// (level, its field's label).
    pub levels: Vec<(String, String)>,
    pub measured: bool,
    pub measure: String,
    /// The ledger's value in words (measured leaves).
    pub ledger_value: String,
    pub ledger_evidence: Vec<EvidenceLink>,
    /// What the latest self-assessment entered.
    pub self_value: String,
    pub self_note: String,
    pub self_evidence: Vec<EvidenceLink>,
    /// Prefilled form values.
    pub value: String,
    pub note: String,
    pub evidence: Vec<i64>,
    pub level_values: Vec<String>,
    /// The latest review's value in words, and its reason for departing from the ledger.
    pub review_value: String,
    pub review_reason: String,
    /// The review form's prefilled values (the latest review's, else the self-assessment's or
    /// the ledger's).
    pub r_value: String,
    pub r_levels: Vec<String>,
}

pub struct VersionRow {
    pub version: i64,
    pub by: String,
    pub at: String,
    pub total: String,
}

pub struct AppealRow {
    pub id: i64,
    pub text: String,
    pub by: String,
    pub at: String,
    /// 成立 / 不成立 with the answer, once answered.
    pub answer: Option<String>,
    pub answered: String,
}

pub struct VetoRow {
    pub id: String,
    pub text: String,
    pub checked: bool,
}

pub struct LineRow {
    pub text: String,
    pub delta: String,
}

#[derive(Template)]
#[template(path = "pages/assessment_unit.html")]
pub struct SheetPage {
    pub chrome: Chrome,
    pub cycle_id: i64,
    pub cycle_title: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub period: String,
    pub self_due: String,
    pub can_self: bool,
    pub leaves: Vec<LeafRow>,
    pub records: Vec<LinkableRecord>,
    pub versions: Vec<VersionRow>,
    pub lines: Vec<LineRow>,
    pub total: String,
    pub max: String,
    /// The reviewers may score now.
    pub can_review: bool,
    pub reviewer: bool,
    pub review_versions: Vec<VersionRow>,
    pub vetoes: Vec<VetoRow>,
    pub locked: bool,
    pub published: bool,
    pub place: String,
    pub grade: String,
    pub appeals: Vec<AppealRow>,
    pub can_appeal: bool,
    pub appeal_until: String,
    pub refused: Refused,
}

impl SheetPage {
    fn checked(&self, leaf: &LeafRow, record: &i64) -> bool {
        if self.refused.is("self") {
            self.refused
                .has("self", &format!("e_{}", leaf.id), &record.to_string())
        } else {
            leaf.evidence.contains(record)
        }
    }
    fn typed(&self, name: &str, default: &str) -> String {
        if self.refused.is("self") {
            self.refused.value("self", name).to_string()
        } else {
            default.to_string()
        }
    }
    fn r_typed(&self, name: &str, default: &str) -> String {
        if self.refused.is("review") {
            self.refused.value("review", name).to_string()
        } else {
            default.to_string()
        }
    }
    fn veto_checked(&self, v: &VetoRow) -> bool {
        if self.refused.is("review") {
            self.refused.has("review", "veto", &v.id)
        } else {
            v.checked
        }
    }
}

fn kind_word(k: &EntryKind) -> &'static str {
    match k {
        EntryKind::Cases => "cases",
        EntryKind::Deduction => "deduction",
        EntryKind::Commendations(_) => "commendations",
        EntryKind::Count => "count",
        EntryKind::Share => "share",
        EntryKind::Score => "score",
    }
}

fn record_link(id: i64, records: &[LinkableRecord]) -> EvidenceLink {
    match records.iter().find(|r| r.record_id == id) {
        Some(r) => EvidenceLink {
            href: format!("/obligations/{}#record-{}", r.obligation_id, r.record_id),
            text: format!("{}（{}，{}）", r.title, r.period_label, r.work_date),
        },
        None => EvidenceLink {
            href: String::new(),
            text: format!("#{id}"),
        },
    }
}

pub fn lines_of(sheet: &ScoreSheet) -> Vec<LineRow> {
    sheet
        .lines
        .iter()
        .map(|l| LineRow {
            text: l.text.clone(),
            delta: if l.delta.hundredths() > 0 {
                format!("+{}", l.delta)
            } else {
                l.delta.to_string()
            },
        })
        .collect()
}

pub async fn sheet_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    s: UnitSheet,
    refused: Refused,
) -> Result<SheetPage> {
    let a = s.l.rubric()?;
    let mut r = state.store.reader().await?;
    let versions = r
        .assessment_sheets(s.l.cycle.id, s.unit.unit_id, SheetSide::SelfAssessment)
        .await?;
    let records = r
        .linkable_records(
            s.unit.unit_id,
            (s.l.cycle.period_start, s.l.cycle.period_end),
        )
        .await?;
    let kept = r
        .assessment_score_sheet(s.l.cycle.id, s.unit.unit_id)
        .await?;
    let reviews = r
        .assessment_sheets(s.l.cycle.id, s.unit.unit_id, SheetSide::Review)
        .await?;
    drop(r);
    let latest = versions.last();
    let review = reviews.last();
    let t = Tr(lang);
    let mut rows = Vec::new();
    for leaf in leaves(a) {
        let kind = entry_kind(leaf);
        let measured = zeren_core::scoring::measured(leaf, &s.facts);
        let entry = latest.and_then(|x| x.entries.get(&leaf.id));
        let self_input = latest.and_then(|x| x.inputs.get(&leaf.id));
        let levels = match &kind {
            EntryKind::Commendations(l) => l.clone(),
            _ => Vec::new(),
        };
        let level_values = levels
            .iter()
            .map(|l| match self_input {
                Some(Input::Commendations(list)) if measured.is_none() => {
                    list.iter().filter(|x| *x == l).count().to_string()
                }
                _ => String::new(),
            })
            .collect();
        let r_entry = review.and_then(|x| x.entries.get(&leaf.id));
        let r_input = review.and_then(|x| x.inputs.get(&leaf.id));
        // The review form starts from the latest review, else from the unit's entry or the ledger.
        let start = r_input
            .or(if measured.is_some() { None } else { self_input })
            .or(measured.as_ref());
        let r_levels = levels
            .iter()
            .map(|l| match start {
                Some(Input::Commendations(list)) => {
                    list.iter().filter(|x| *x == l).count().to_string()
                }
                _ => String::new(),
            })
            .collect();
        rows.push(LeafRow {
            review_value: r_input.map(input_zh).unwrap_or_default(),
            review_reason: r_entry.map(|e| e.reason.clone()).unwrap_or_default(),
            r_value: start.map(input_value).unwrap_or_default(),
            r_levels,
            id: leaf.id.to_string(),
            code: leaf.code.clone().unwrap_or_default(),
            title: leaf.title.clone(),
            parent: leaf
                .under
                .as_ref()
                .and_then(|p| a.item(p))
                .map(|p| p.title.clone())
                .unwrap_or_default(),
            rule: rule_zh(&leaf.rule),
            kind: kind_word(&kind),
            kind_label: t.s(&format!("asmt.k_{}", kind_word(&kind))),
            levels: levels
                .iter()
                .map(|l| {
                    (
                        l.clone(),
                        t.f(
                            "asmt.level_count",
                            &[("level", zeren_core::scoring::level_zh(l))],
                        ),
                    )
                })
                .collect(),
            measured: measured.is_some(),
            measure: leaf.measure.zh(&s.l.policy),
            ledger_value: measured.as_ref().map(input_zh).unwrap_or_default(),
            ledger_evidence: ledger_evidence(leaf, &s),
            self_value: match (&measured, self_input) {
                (None, Some(i)) => input_zh(i),
                _ => String::new(),
            },
            self_note: entry.map(|e| e.note.clone()).unwrap_or_default(),
            self_evidence: entry
                .map(|e| {
                    e.evidence
                        .iter()
                        .map(|id| record_link(*id, &records))
                        .collect()
                })
                .unwrap_or_default(),
            value: match (&measured, self_input) {
                (None, Some(i)) => input_value(i),
                _ => String::new(),
            },
            note: entry.map(|e| e.note.clone()).unwrap_or_default(),
            evidence: entry.map(|e| e.evidence.clone()).unwrap_or_default(),
            level_values,
        });
    }
    Ok(SheetPage {
        chrome: Chrome::new(lang, Some(v)),
        cycle_id: s.l.cycle.id,
        cycle_title: s.l.cycle.title.clone(),
        unit_id: s.unit.unit_id,
        unit_name: s.unit.name.clone(),
        period: format!("{} — {}", s.l.cycle.period_start, s.l.cycle.period_end),
        self_due: s.l.cycle.self_due_on.to_string(),
        can_self: s.can_self && may_self_assess(s.standing).is_ok(),
        leaves: rows,
        records,
        versions: versions
            .iter()
            .rev()
            .map(|x| VersionRow {
                version: x.version,
                by: x.created_by_name.clone(),
                at: crate::shared::clock::wall(&x.created_at),
                total: points(x.total),
            })
            .collect(),
        lines: kept.as_ref().map(lines_of).unwrap_or_default(),
        total: kept
            .as_ref()
            .map(|k| k.total.to_string())
            .unwrap_or_else(|| t.s("asmt.not_scored").into()),
        max: kept.as_ref().map(|k| k.max.to_string()).unwrap_or_default(),
        can_review: s.reviewer && zeren_core::assessment::may_review(s.standing).is_ok(),
        reviewer: s.reviewer,
        review_versions: reviews
            .iter()
            .rev()
            .map(|x| VersionRow {
                version: x.version,
                by: x.created_by_name.clone(),
                at: crate::shared::clock::wall(&x.created_at),
                total: points(x.total),
            })
            .collect(),
        vetoes: a
            .vetoes
            .iter()
            .map(|x| VetoRow {
                id: x.id.to_string(),
                text: x.text.clone(),
                checked: review.is_some_and(|r| r.vetoes.contains(&x.id)),
            })
            .collect(),
        locked: s.standing.locked,
        published: s.standing.published,
        place: s.unit.place.map(|p| p.to_string()).unwrap_or_default(),
        grade: s
            .unit
            .grade_id
            .as_ref()
            .and_then(|g| a.grades.iter().find(|x| x.id.as_str() == g))
            .map(|g| g.title.clone())
            .unwrap_or_default(),
        appeals: s
            .appeals
            .iter()
            .map(|x| AppealRow {
                id: x.id,
                text: x.text.clone(),
                by: x.created_by_name.clone(),
                at: crate::shared::clock::wall(&x.created_at),
                answer: x.answer.as_ref().map(|text| {
                    format!(
                        "{}：{text}",
                        if x.upheld == Some(true) {
                            t.s("asmt.upheld")
                        } else {
                            t.s("asmt.rejected")
                        }
                    )
                }),
                answered: match (&x.answered_by_name, &x.answered_at) {
                    (Some(n), Some(at)) => format!("{n} {}", crate::shared::clock::wall(at)),
                    _ => String::new(),
                },
            })
            .collect(),
        can_appeal: s.can_self
            && zeren_core::assessment::may_appeal(
                s.standing,
                crate::shared::clock::today(),
                &s.l.cycle.dates(),
            )
            .is_ok(),
        appeal_until: s.l.cycle.appeal_until.to_string(),
        refused,
    })
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path((id, unit)): Path<(i64, i64)>,
) -> Result<Html<String>> {
    let s = load(&state, &v, id, unit).await?;
    render(&sheet_page(&state, &v, lang, s, Refused::default()).await?)
}

pub async fn self_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path((id, unit)): Path<(i64, i64)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let s = load(&state, &v, id, unit).await?;
    let raw = raw_of_form(s.l.rubric()?, &f);
    match submit_self(&state, &v, &s, &raw).await {
        Ok(_) => Ok(see_other(&format!("/assessment/{id}/units/{unit}"))),
        Err(e) => {
            let r = Refused::of("self", &f, e, lang)?;
            let status = r.status;
            let page = sheet_page(&state, &v, lang, s, r).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

// ------------------------------------------------------------------------------------- API

#[derive(Serialize)]
pub struct LeafJson {
    pub item_id: String,
    pub code: Option<String>,
    pub title: String,
    pub kind: &'static str,
    pub measured: bool,
    /// The ledger's value (measured leaves).
    pub ledger: Option<Input>,
    /// The obligations the ledger's value counts.
    pub obligations: Vec<i64>,
}

#[derive(Serialize)]
pub struct SheetJson {
    pub cycle_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub can_self_assess: bool,
    pub leaves: Vec<LeafJson>,
    pub self_assessments: Vec<Sheet>,
    pub reviews: Vec<Sheet>,
    pub appeals: Vec<Appeal>,
    pub locked: bool,
    pub place: Option<i64>,
    pub grade_id: Option<String>,
    /// The scored sheet kept for the unit (its latest review, else self-assessment).
    pub score: Option<ScoreSheet>,
}

pub async fn sheet_json(state: &AppState, s: UnitSheet) -> Result<SheetJson> {
    let a = s.l.rubric()?;
    let mut r = state.store.reader().await?;
    let self_assessments = r
        .assessment_sheets(s.l.cycle.id, s.unit.unit_id, SheetSide::SelfAssessment)
        .await?;
    let score = r
        .assessment_score_sheet(s.l.cycle.id, s.unit.unit_id)
        .await?;
    let reviews = r
        .assessment_sheets(s.l.cycle.id, s.unit.unit_id, SheetSide::Review)
        .await?;
    drop(r);
    Ok(SheetJson {
        reviews,
        appeals: s.appeals.clone(),
        locked: s.standing.locked,
        place: s.unit.place,
        grade_id: s.unit.grade_id.clone(),
        cycle_id: s.l.cycle.id,
        unit_id: s.unit.unit_id,
        unit_name: s.unit.name.clone(),
        can_self_assess: s.can_self,
        leaves: leaves(a)
            .into_iter()
            .map(|leaf| {
                let m = zeren_core::scoring::measured(leaf, &s.facts);
                LeafJson {
                    item_id: leaf.id.to_string(),
                    code: leaf.code.clone(),
                    title: leaf.title.clone(),
                    kind: kind_word(&entry_kind(leaf)),
                    measured: m.is_some(),
                    ledger: m,
                    obligations: evidence_of(leaf, &s.obligations)
                        .into_iter()
                        .map(|o| o.obligation_id)
                        .collect(),
                }
            })
            .collect(),
        self_assessments,
        score,
    })
}

pub async fn json(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, unit)): Path<(i64, i64)>,
) -> Result<axum::Json<SheetJson>> {
    let s = load(&state, &v, id, unit).await?;
    Ok(axum::Json(sheet_json(&state, s).await?))
}

#[derive(Deserialize)]
pub struct SelfJson {
    entries: BTreeMap<String, RawEntry>,
}

pub async fn self_json(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, unit)): Path<(i64, i64)>,
    JsonBody(b): JsonBody<SelfJson>,
) -> Result<Response> {
    let s = load(&state, &v, id, unit).await?;
    submit_self(&state, &v, &s, &b.entries).await?;
    let s = load(&state, &v, id, unit).await?;
    Ok(created(sheet_json(&state, s).await?))
}
