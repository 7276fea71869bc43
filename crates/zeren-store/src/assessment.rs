//! Assessment (考核): cycles opened by a unit over the units of a kind in its subtree, the units'
//! self-assessments and the reviewers' sheets as versions, each unit's current scores kept beside
//! them (rewritten with every sheet, so a cycle's pages read a row per unit), and what the ledger
//! knows about a unit in a cycle ([`zeren_core::scoring::LedgerFacts`]) with the obligations
//! behind it as evidence. The rules are `zeren_core::assessment` and `zeren_core::scoring`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use zeren_core::assessment::{CycleDates, Entry};
use zeren_core::scoring::{assign_grades, places, Input, LedgerFacts, Outcome, ScoreSheet};
use zeren_policy::{Assessment, DutyId, ItemId, VetoId};

use crate::incident_stats::{incident_facts_between, Counted};
use crate::read::Read;
use crate::{run, Error, Result, Store, Write};

/// A cycle of assessment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cycle {
    pub id: i64,
    /// The unit that opened it and reviews.
    pub unit_id: i64,
    pub installed_policy_id: i64,
    pub title: String,
    /// The kind of unit assessed.
    pub scope_kind: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub self_due_on: NaiveDate,
    pub review_due_on: NaiveDate,
    pub appeal_until: NaiveDate,
    /// When the ranking was published (发布): the cycle is final.
    pub published_at: Option<DateTime<Utc>>,
    pub published_by_name: Option<String>,
    pub created_by: Option<i64>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
}

impl Cycle {
    pub fn dates(&self) -> CycleDates {
        CycleDates {
            period_start: self.period_start,
            period_end: self.period_end,
            self_due_on: self.self_due_on,
            review_due_on: self.review_due_on,
            appeal_until: self.appeal_until,
        }
    }
}

#[derive(sqlx::FromRow)]
struct CycleRow {
    id: i64,
    unit_id: i64,
    installed_policy_id: i64,
    title: String,
    scope_kind: String,
    period_start: NaiveDate,
    period_end: NaiveDate,
    self_due_on: NaiveDate,
    review_due_on: NaiveDate,
    appeal_until: NaiveDate,
    published_at: Option<DateTime<Utc>>,
    published_by_name: Option<String>,
    created_by: Option<i64>,
    created_by_name: String,
    created_at: DateTime<Utc>,
}

impl From<CycleRow> for Cycle {
    fn from(r: CycleRow) -> Cycle {
        Cycle {
            id: r.id,
            unit_id: r.unit_id,
            installed_policy_id: r.installed_policy_id,
            title: r.title,
            scope_kind: r.scope_kind,
            period_start: r.period_start,
            period_end: r.period_end,
            self_due_on: r.self_due_on,
            review_due_on: r.review_due_on,
            appeal_until: r.appeal_until,
            published_at: r.published_at,
            published_by_name: r.published_by_name,
            created_by: r.created_by,
            created_by_name: r.created_by_name,
            created_at: r.created_at,
        }
    }
}

const CYCLE_COLUMNS: &str = "c.id, c.unit_id, c.installed_policy_id, c.title, c.scope_kind, c.period_start, c.period_end, c.self_due_on, c.review_due_on, c.appeal_until, c.published_at, c.published_by_name, c.created_by, c.created_by_name, c.created_at";

/// A cycle to open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCycle {
    pub unit_id: i64,
    pub installed_policy_id: i64,
    pub title: String,
    pub scope_kind: String,
    pub dates: CycleDates,
}

/// A cycle in a list, with its opening unit's name and how many units it assesses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CycleSummary {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub title: String,
    pub scope_kind: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub self_due_on: NaiveDate,
    pub units: i64,
    pub self_assessed: i64,
}

/// A unit of a cycle with its current scores (totals in hundredths of a point).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CycleUnit {
    pub unit_id: i64,
    pub name: String,
    pub kind: String,
    pub self_version: Option<i64>,
    pub self_total: Option<i64>,
    pub self_at: Option<DateTime<Utc>>,
    pub review_version: Option<i64>,
    pub review_total: Option<i64>,
    /// The reviewers locked the score (and no upheld appeal opened it since).
    pub locked: bool,
    /// Its place among the reviewed units of its kind, ties sharing one.
    pub place: Option<i64>,
    pub grade_id: Option<String>,
    /// A veto bars 评先评优.
    pub no_commendation: bool,
}

#[derive(sqlx::FromRow)]
struct CycleUnitRow {
    unit_id: i64,
    name: String,
    kind: String,
    self_version: Option<i64>,
    self_total: Option<i64>,
    self_at: Option<DateTime<Utc>>,
    review_version: Option<i64>,
    review_total: Option<i64>,
    locked: Option<bool>,
    place: Option<i64>,
    grade_id: Option<String>,
    no_commendation: Option<bool>,
}

/// Who submits a sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SheetSide {
    #[serde(rename = "self")]
    SelfAssessment,
    Review,
}

impl SheetSide {
    pub fn word(self) -> &'static str {
        match self {
            SheetSide::SelfAssessment => "self",
            SheetSide::Review => "review",
        }
    }
}

/// A submitted sheet (one version of a unit's self-assessment or review). Never edited.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Sheet {
    pub id: i64,
    pub cycle_id: i64,
    pub unit_id: i64,
    pub side: SheetSide,
    pub version: i64,
    pub entries: BTreeMap<ItemId, Entry>,
    pub vetoes: Vec<VetoId>,
    /// The inputs scored, the measured leaves included as the ledger gave them.
    pub inputs: BTreeMap<ItemId, Input>,
    /// Hundredths of a point.
    pub total: i64,
    /// A review that locks the unit's score.
    pub locks: bool,
    pub created_by: Option<i64>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct SheetRow {
    id: i64,
    cycle_id: i64,
    unit_id: i64,
    side: String,
    version: i64,
    entries: String,
    vetoes: String,
    inputs: String,
    total: i64,
    locks: bool,
    created_by: Option<i64>,
    created_by_name: String,
    created_at: DateTime<Utc>,
}

fn stored<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| Error::Invalid(format!("stored {what}: {e}")))
}

fn json_text(what: &str, v: &impl Serialize) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Invalid(format!("{what}: {e}")))
}

impl SheetRow {
    fn into_sheet(self) -> Result<Sheet> {
        Ok(Sheet {
            entries: stored("entries", &self.entries)?,
            vetoes: stored("vetoes", &self.vetoes)?,
            inputs: stored("inputs", &self.inputs)?,
            id: self.id,
            cycle_id: self.cycle_id,
            unit_id: self.unit_id,
            side: if self.side == "review" {
                SheetSide::Review
            } else {
                SheetSide::SelfAssessment
            },
            version: self.version,
            total: self.total,
            locks: self.locks,
            created_by: self.created_by,
            created_by_name: self.created_by_name,
            created_at: self.created_at,
        })
    }
}

/// A sheet to submit: what was entered, and what it scored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSheet {
    pub entries: BTreeMap<ItemId, Entry>,
    pub vetoes: Vec<VetoId>,
    pub inputs: BTreeMap<ItemId, Input>,
    pub sheet: ScoreSheet,
    /// A review that locks the score.
    pub locks: bool,
}

/// An obligation of a unit in a cycle, as evidence of a measured leaf.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FactObligation {
    pub obligation_id: i64,
    pub duty_id: String,
    pub title: String,
    pub period_label: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub report_to_parent: bool,
    pub outcome: Outcome,
}

/// A record of the unit's ledger that a sheet may link as evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LinkableRecord {
    pub record_id: i64,
    pub obligation_id: i64,
    pub title: String,
    pub period_label: String,
    pub work_date: NaiveDate,
}

/// A unit's appeal (申诉) with its answer, if any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Appeal {
    pub id: i64,
    pub cycle_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub text: String,
    pub created_by: Option<i64>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    /// Answered: whether it was upheld.
    pub upheld: Option<bool>,
    pub answer: Option<String>,
    pub answered_by_name: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
}

/// What a published result means for a unit afterwards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Effect {
    pub id: i64,
    pub cycle_id: i64,
    pub cycle_title: String,
    pub unit_id: i64,
    /// `no_commendation`: no 评先评优 between the dates.
    pub kind: String,
    pub reason: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// What the ledger knows about a unit in a cycle, with the records behind it: the obligations
/// counted (by due date) and the incidents reported late or not at all.
#[derive(Clone, Debug)]
pub struct UnitFacts {
    pub facts: LedgerFacts,
    pub obligations: Vec<FactObligation>,
    /// The incidents of the unit's subtree learnt of in the period with a report late (迟报) or
    /// missing (漏报), as replayed at `now`.
    pub late_incidents: Vec<Counted>,
}

/// [`AssessmentRead::ledger_facts`] and the incidents of the unit's subtree learnt of in the
/// period whose reports were late or missing (replayed through the incident rules at `now`).
pub async fn unit_facts(
    store: &Store,
    unit_id: i64,
    policy_id: &str,
    period: (NaiveDate, NaiveDate),
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<UnitFacts> {
    let (mut facts, obligations) = store
        .reader()
        .await?
        .ledger_facts(unit_id, policy_id, period, today)
        .await?;
    let (counted, _) = incident_facts_between(store, unit_id, period, now).await?;
    let late_incidents: Vec<Counted> = counted
        .into_iter()
        .filter(|c| c.fact.late || c.fact.missing)
        .collect();
    facts.incidents_late = late_incidents.len() as u32;
    Ok(UnitFacts {
        facts,
        obligations,
        late_incidents,
    })
}

/// How an obligation due on `due_on` ended, as seen on `today`.
pub fn outcome(due_on: NaiveDate, done_on: Option<NaiveDate>, today: NaiveDate) -> Outcome {
    match done_on {
        Some(d) if d <= due_on => Outcome::OnTime,
        Some(_) => Outcome::Late,
        None if due_on < today => Outcome::Missed,
        None => Outcome::Open,
    }
}

#[allow(async_fn_in_trait)] // implemented only by this crate's concrete, Send types
pub trait AssessmentRead: Read {
    async fn assessment_cycle(&mut self, id: i64) -> Result<Option<Cycle>> {
        let sql = format!("SELECT {CYCLE_COLUMNS} FROM assessment_cycles c WHERE c.id = $1");
        let row: Option<CycleRow> = run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?;
        Ok(row.map(Cycle::from))
    }

    /// The cycles opened in the subtree of `unit_id` or assessing a unit of it, newest first.
    async fn assessment_cycles(&mut self, unit_id: i64) -> Result<Vec<CycleSummary>> {
        Ok(run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT c.id, c.unit_id, u.name AS unit_name, c.title, c.scope_kind, c.period_start, c.period_end, c.self_due_on,
                (SELECT COUNT(*) FROM assessment_cycle_units x WHERE x.cycle_id = c.id) AS units,
                (SELECT COUNT(*) FROM assessment_scores s WHERE s.cycle_id = c.id AND s.self_version IS NOT NULL) AS self_assessed
             FROM assessment_cycles c JOIN units u ON u.id = c.unit_id
             WHERE c.unit_id IN (SELECT unit_id FROM unit_ancestors WHERE ancestor_id = $1)
                OR c.id IN (SELECT cu.cycle_id FROM assessment_cycle_units cu
                            JOIN unit_ancestors a ON a.unit_id = cu.unit_id WHERE a.ancestor_id = $1)
             ORDER BY c.period_start DESC, c.id DESC"
        )
        .bind(unit_id)
        .fetch_all(&mut *c)
        .await
        })?)
    }

    /// The units a cycle assesses with their current scores, by name.
    async fn assessment_cycle_units(&mut self, cycle_id: i64) -> Result<Vec<CycleUnit>> {
        let rows: Vec<CycleUnitRow> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT u.id AS unit_id, u.name, u.kind, s.self_version, s.self_total, s.self_at, s.review_version, s.review_total,
                s.locked, s.place, s.grade_id, s.no_commendation
             FROM assessment_cycle_units cu JOIN units u ON u.id = cu.unit_id
             LEFT JOIN assessment_scores s ON s.cycle_id = cu.cycle_id AND s.unit_id = cu.unit_id
             WHERE cu.cycle_id = $1 ORDER BY u.name, u.id"
        )
        .bind(cycle_id)
        .fetch_all(&mut *c)
        .await
        })?;
        Ok(rows
            .into_iter()
            .map(|r| CycleUnit {
                unit_id: r.unit_id,
                name: r.name,
                kind: r.kind,
                self_version: r.self_version,
                self_total: r.self_total,
                self_at: r.self_at,
                review_version: r.review_version,
                review_total: r.review_total,
                locked: r.locked.unwrap_or(false),
                place: r.place,
                grade_id: r.grade_id,
                no_commendation: r.no_commendation.unwrap_or(false),
            })
            .collect())
    }

    /// The effects of published results on a unit, latest first.
    async fn unit_effects(&mut self, unit_id: i64) -> Result<Vec<Effect>> {
        Ok(run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT e.id, e.cycle_id, c.title AS cycle_title, e.unit_id, e.kind, e.reason, e.starts_on, e.ends_on
             FROM assessment_effects e JOIN assessment_cycles c ON c.id = e.cycle_id
             WHERE e.unit_id = $1 ORDER BY e.starts_on DESC, e.id DESC"
        )
        .bind(unit_id)
        .fetch_all(&mut *c)
        .await
        })?)
    }

    /// A cycle's appeals, oldest first, with their answers.
    async fn assessment_appeals(&mut self, cycle_id: i64) -> Result<Vec<Appeal>> {
        Ok(run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT a.id, a.cycle_id, a.unit_id, u.name AS unit_name, a.text, a.created_by, a.created_by_name, a.created_at,
                x.upheld, x.text AS answer, x.created_by_name AS answered_by_name, x.created_at AS answered_at
             FROM assessment_appeals a JOIN units u ON u.id = a.unit_id
             LEFT JOIN assessment_appeal_answers x ON x.appeal_id = a.id
             WHERE a.cycle_id = $1 ORDER BY a.id"
        )
        .bind(cycle_id)
        .fetch_all(&mut *c)
        .await
        })?)
    }

    /// The scored sheet kept for a unit of a cycle (its latest review, else self-assessment).
    async fn assessment_score_sheet(
        &mut self,
        cycle_id: i64,
        unit_id: i64,
    ) -> Result<Option<ScoreSheet>> {
        let row: Option<(String,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT sheet FROM assessment_scores WHERE cycle_id = $1 AND unit_id = $2"
        )
        .bind(cycle_id)
        .bind(unit_id)
        .fetch_optional(&mut *c)
        .await)?;
        row.map(|(s,)| stored("score sheet", &s)).transpose()
    }

    /// Every version of a unit's sheets on one side, oldest first.
    async fn assessment_sheets(
        &mut self,
        cycle_id: i64,
        unit_id: i64,
        side: SheetSide,
    ) -> Result<Vec<Sheet>> {
        let rows: Vec<SheetRow> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT id, cycle_id, unit_id, side, version, entries, vetoes, inputs, total, locks, created_by, created_by_name, created_at
             FROM assessment_sheets WHERE cycle_id = $1 AND unit_id = $2 AND side = $3 ORDER BY version"
        )
        .bind(cycle_id)
        .bind(unit_id)
        .bind(side.word())
        .fetch_all(&mut *c)
        .await
        })?;
        rows.into_iter().map(SheetRow::into_sheet).collect()
    }

    /// What the ledger knows about a unit for a cycle: the obligations of the policy due in the
    /// period (their outcome as seen on `today`), the inspection findings open or overdue at
    /// the period's end (or today, if earlier); with the obligations, by due date, as evidence.
    async fn ledger_facts(
        &mut self,
        unit_id: i64,
        policy_id: &str,
        period: (NaiveDate, NaiveDate),
        today: NaiveDate,
    ) -> Result<(LedgerFacts, Vec<FactObligation>)> {
        type Row = (
            i64,
            String,
            String,
            String,
            NaiveDate,
            Option<NaiveDate>,
            bool,
        );
        let rows: Vec<Row> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT id, duty_id, title, period_label, due_on, done_on, report_to_parent FROM obligations
             WHERE unit_id = $1 AND policy_id = $2 AND due_on >= $3 AND due_on <= $4
             ORDER BY due_on, id"
        )
        .bind(unit_id)
        .bind(policy_id)
        .bind(period.0)
        .bind(period.1)
        .fetch_all(&mut *c)
        .await
        })?;
        let mut facts = LedgerFacts::default();
        let mut list = Vec::new();
        for (id, duty, title, label, due_on, done_on, report) in rows {
            let o = outcome(due_on, done_on, today);
            if let Some(d) = DutyId::parse(&duty) {
                facts.obligations.push((d, report, o));
            }
            list.push(FactObligation {
                obligation_id: id,
                duty_id: duty,
                title,
                period_label: label,
                due_on,
                done_on,
                report_to_parent: report,
                outcome: o,
            });
        }
        let end = period.1.min(today);
        let (open, overdue): (i64, i64) = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT
                COALESCE(SUM(CASE WHEN closed_on IS NULL OR closed_on > $2 THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN (closed_on IS NULL OR closed_on > $2) AND due_on IS NOT NULL AND due_on < $2 THEN 1 ELSE 0 END), 0)
             FROM findings WHERE unit_id = $1 AND draft IS NULL AND sent_on IS NOT NULL AND sent_on <= $2
                AND stage <> 'withdrawn'"
        )
        .bind(unit_id)
        .bind(end)
        .fetch_one(&mut *c)
        .await
        })?;
        facts.open_findings = open as u32;
        facts.overdue_findings = overdue as u32;
        Ok((facts, list))
    }

    /// The records of a unit's own obligations of a period (current versions, by work date):
    /// what a sheet links as evidence.
    async fn linkable_records(
        &mut self,
        unit_id: i64,
        period: (NaiveDate, NaiveDate),
    ) -> Result<Vec<LinkableRecord>> {
        Ok(run!(self.conn(), |c| sqlx::query_as(
            "SELECT r.id AS record_id, o.id AS obligation_id, o.title, o.period_label, v.work_date
             FROM records r JOIN obligations o ON o.id = r.obligation_id
             JOIN record_versions v ON v.record_id = r.id AND v.version = r.current_version
             WHERE o.unit_id = $1 AND v.work_date >= $2 AND v.work_date <= $3
             ORDER BY v.work_date, r.id LIMIT 500"
        )
        .bind(unit_id)
        .bind(period.0)
        .bind(period.1)
        .fetch_all(&mut *c)
        .await)?)
    }
}

impl<T: Read> AssessmentRead for T {}

impl Write {
    /// Opens a cycle; the units in scope are the units of its kind below the opening unit, not
    /// retired, as they are now.
    pub async fn open_assessment_cycle(&mut self, n: &NewCycle) -> Result<Cycle> {
        for (field, text) in [("title", &n.title), ("scope_kind", &n.scope_kind)] {
            crate::check_text(field, text)?;
        }
        if n.title.trim().is_empty() {
            return Err(Error::Invalid("cycle title is empty".into()));
        }
        if let Some((_, problem)) = n.dates.problems().first() {
            return Err(Error::Invalid((*problem).into()));
        }
        let name = self.actor_display_name().await?;
        let by = self.actor().account_id;
        let at = self.stamp();
        let d = n.dates;
        let sql = format!(
            "INSERT INTO assessment_cycles (unit_id, installed_policy_id, title, scope_kind, period_start, period_end,
                self_due_on, review_due_on, appeal_until, created_by, created_by_name, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {}",
            CYCLE_COLUMNS.replace("c.", "")
        );
        let row: CycleRow = run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(n.unit_id)
            .bind(n.installed_policy_id)
            .bind(n.title.trim())
            .bind(&n.scope_kind)
            .bind(d.period_start)
            .bind(d.period_end)
            .bind(d.self_due_on)
            .bind(d.review_due_on)
            .bind(d.appeal_until)
            .bind(by)
            .bind(&name)
            .bind(at)
            .fetch_one(&mut *c)
            .await)
        .map_err(|e| Error::from_write(e, "assessment cycle"))?;
        let cycle = Cycle::from(row);
        let inserted = run!(self.conn(), |c| sqlx::query(
            "INSERT INTO assessment_cycle_units (cycle_id, unit_id)
             SELECT $1, u.id FROM units u JOIN unit_ancestors a ON a.unit_id = u.id
             WHERE a.ancestor_id = $2 AND a.depth > 0 AND u.kind = $3 AND u.retired_on IS NULL"
        )
        .bind(cycle.id)
        .bind(n.unit_id)
        .bind(&n.scope_kind)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        if inserted == 0 {
            return Err(Error::Invalid(format!(
                "no unit of kind {} below unit {}",
                n.scope_kind, n.unit_id
            )));
        }
        let units: Vec<i64> = self
            .assessment_cycle_units(cycle.id)
            .await?
            .into_iter()
            .map(|u| u.unit_id)
            .collect();
        self.record(
            "assessment.cycle_open",
            "assessment_cycle",
            &cycle.id.to_string(),
            &serde_json::json!({ "cycle": cycle, "units": units }),
        )
        .await?;
        Ok(cycle)
    }

    /// Stores the next version of a unit's sheet on one side and rewrites the unit's scores.
    /// A review (with the cycle's rubric) places and grades the reviewed units again.
    pub async fn submit_assessment_sheet(
        &mut self,
        cycle_id: i64,
        unit_id: i64,
        side: SheetSide,
        n: &NewSheet,
        rubric: Option<&Assessment>,
    ) -> Result<Sheet> {
        for e in n.entries.values() {
            crate::check_text("note", &e.note)?;
            crate::check_text("reason", &e.reason)?;
        }
        let in_scope: Option<(i64,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT unit_id FROM assessment_cycle_units WHERE cycle_id = $1 AND unit_id = $2"
        )
        .bind(cycle_id)
        .bind(unit_id)
        .fetch_optional(&mut *c)
        .await)?;
        if in_scope.is_none() {
            return Err(Error::Invalid(format!(
                "unit {unit_id} is not assessed in cycle {cycle_id}"
            )));
        }
        // Evidence is the unit's own records.
        let linked: Vec<i64> = n
            .entries
            .values()
            .flat_map(|e| e.evidence.iter().copied())
            .collect();
        for r in &linked {
            let own: Option<(i64,)> = run!(self.conn(), |c| sqlx::query_as(
                "SELECT r.id FROM records r JOIN obligations o ON o.id = r.obligation_id
                 WHERE r.id = $1 AND o.unit_id = $2"
            )
            .bind(*r)
            .bind(unit_id)
            .fetch_optional(&mut *c)
            .await)?;
            if own.is_none() {
                return Err(Error::Invalid(format!(
                    "record {r} is not a record of unit {unit_id}"
                )));
            }
        }
        let (last,): (Option<i64>,) = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT MAX(version) FROM assessment_sheets WHERE cycle_id = $1 AND unit_id = $2 AND side = $3"
        )
        .bind(cycle_id)
        .bind(unit_id)
        .bind(side.word())
        .fetch_one(&mut *c)
        .await
        })?;
        let version = last.unwrap_or(0) + 1;
        let name = self.actor_display_name().await?;
        let by = self.actor().account_id;
        let at = self.stamp();
        let entries = json_text("entries", &n.entries)?;
        let vetoes = json_text("vetoes", &n.vetoes)?;
        let inputs = json_text("inputs", &n.inputs)?;
        let sheet_json = json_text("sheet", &n.sheet)?;
        let total = n.sheet.total.hundredths();
        let row: SheetRow = run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO assessment_sheets (cycle_id, unit_id, side, version, entries, vetoes, inputs, total, locks, created_by, created_by_name, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             RETURNING id, cycle_id, unit_id, side, version, entries, vetoes, inputs, total, locks, created_by, created_by_name, created_at"
        )
        .bind(cycle_id)
        .bind(unit_id)
        .bind(side.word())
        .bind(version)
        .bind(&entries)
        .bind(&vetoes)
        .bind(&inputs)
        .bind(total)
        .bind(n.locks && side == SheetSide::Review)
        .bind(by)
        .bind(&name)
        .bind(at)
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| Error::from_write(e, "assessment sheet"))?;
        let sheet = row.into_sheet()?;
        // The kept scores: a review's sheet replaces a self-assessment's; a later self-assessment
        // does not replace a review's.
        let sql = match side {
            SheetSide::SelfAssessment => {
                "INSERT INTO assessment_scores (cycle_id, unit_id, self_version, self_total, self_at, sheet, locked, peer_group)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT kind FROM units WHERE id = $2))
                 ON CONFLICT (cycle_id, unit_id) DO UPDATE SET self_version = excluded.self_version,
                    self_total = excluded.self_total, self_at = excluded.self_at,
                    sheet = CASE WHEN assessment_scores.review_version IS NULL THEN excluded.sheet ELSE assessment_scores.sheet END"
            }
            SheetSide::Review => {
                "INSERT INTO assessment_scores (cycle_id, unit_id, review_version, review_total, self_at, sheet, locked, peer_group)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT kind FROM units WHERE id = $2))
                 ON CONFLICT (cycle_id, unit_id) DO UPDATE SET review_version = excluded.review_version,
                    review_total = excluded.review_total, sheet = excluded.sheet, locked = excluded.locked"
            }
        };
        let self_at: Option<DateTime<Utc>> = match side {
            SheetSide::SelfAssessment => Some(at),
            SheetSide::Review => None,
        };
        run!(self.conn(), |c| sqlx::query(sql)
            .bind(cycle_id)
            .bind(unit_id)
            .bind(version)
            .bind(total)
            .bind(self_at)
            .bind(&sheet_json)
            .bind(n.locks && side == SheetSide::Review)
            .execute(&mut *c)
            .await
            .map(|_| ()))?;
        if let (SheetSide::Review, Some(a)) = (side, rubric) {
            self.rank_assessment(cycle_id, a).await?;
        }
        self.record(
            match side {
                SheetSide::SelfAssessment => "assessment.self",
                SheetSide::Review => "assessment.review",
            },
            "assessment_sheet",
            &sheet.id.to_string(),
            &sheet,
        )
        .await?;
        Ok(sheet)
    }

    /// Places and grades the reviewed units of a cycle again, per peer group (kind of unit):
    /// places by total, best first, ties sharing one; grades by the rubric's bands and quotas.
    /// Kept in the scores, so the ranking page reads them.
    pub async fn rank_assessment(&mut self, cycle_id: i64, a: &Assessment) -> Result<()> {
        let rows: Vec<(i64, String, String)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT unit_id, peer_group, sheet FROM assessment_scores
             WHERE cycle_id = $1 AND review_version IS NOT NULL ORDER BY peer_group, unit_id"
        )
        .bind(cycle_id)
        .fetch_all(&mut *c)
        .await)?;
        let mut groups: BTreeMap<String, Vec<(i64, ScoreSheet)>> = BTreeMap::new();
        for (unit, group, sheet) in rows {
            groups
                .entry(group)
                .or_default()
                .push((unit, stored("score sheet", &sheet)?));
        }
        for (_, members) in groups {
            let sheets: Vec<(i64, &ScoreSheet)> = members.iter().map(|(u, s)| (*u, s)).collect();
            let grades = assign_grades(a, &sheets);
            let totals: Vec<_> = members.iter().map(|(_, s)| s.total).collect();
            for ((unit, sheet), place) in members.iter().zip(places(&totals)) {
                let place = i64::from(place);
                let grade = grades
                    .iter()
                    .find(|(u, _)| u == unit)
                    .and_then(|(_, g)| g.as_ref().map(|g| g.to_string()));
                run!(self.conn(), |c| sqlx::query(
                    "UPDATE assessment_scores SET place = $3, grade_id = $4, no_commendation = $5
                     WHERE cycle_id = $1 AND unit_id = $2"
                )
                .bind(cycle_id)
                .bind(*unit)
                .bind(place)
                .bind(&grade)
                .bind(sheet.no_commendation)
                .execute(&mut *c)
                .await
                .map(|_| ()))?;
            }
        }
        Ok(())
    }

    /// A unit's appeal against its locked score.
    pub async fn appeal_assessment(
        &mut self,
        cycle_id: i64,
        unit_id: i64,
        text: &str,
    ) -> Result<Appeal> {
        crate::check_text("text", text)?;
        let name = self.actor_display_name().await?;
        let by = self.actor().account_id;
        let at = self.stamp();
        let (id,): (i64,) = run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO assessment_appeals (cycle_id, unit_id, text, created_by, created_by_name, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
        )
        .bind(cycle_id)
        .bind(unit_id)
        .bind(text)
        .bind(by)
        .bind(&name)
        .bind(at)
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| Error::from_write(e, "appeal"))?;
        let appeal = self
            .assessment_appeals(cycle_id)
            .await?
            .into_iter()
            .find(|x| x.id == id)
            .ok_or_else(|| Error::Invalid("appeal not stored".into()))?;
        self.record(
            "assessment.appeal",
            "assessment_appeal",
            &id.to_string(),
            &appeal,
        )
        .await?;
        Ok(appeal)
    }

    /// The reviewers' answer to an appeal; an upheld one opens the unit's score for a new review.
    pub async fn answer_assessment_appeal(
        &mut self,
        appeal: &Appeal,
        upheld: bool,
        text: &str,
    ) -> Result<Appeal> {
        crate::check_text("text", text)?;
        let name = self.actor_display_name().await?;
        let by = self.actor().account_id;
        let at = self.stamp();
        run!(self.conn(), |c| sqlx::query(
            "INSERT INTO assessment_appeal_answers (appeal_id, upheld, text, created_by, created_by_name, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(appeal.id)
        .bind(upheld)
        .bind(text)
        .bind(by)
        .bind(&name)
        .bind(at)
        .execute(&mut *c)
        .await
        .map(|_| ()))
        .map_err(|e| Error::from_write(e, "answer"))?;
        if upheld {
            run!(self.conn(), |c| sqlx::query(
                "UPDATE assessment_scores SET locked = FALSE WHERE cycle_id = $1 AND unit_id = $2"
            )
            .bind(appeal.cycle_id)
            .bind(appeal.unit_id)
            .execute(&mut *c)
            .await
            .map(|_| ()))?;
        }
        let answered = self
            .assessment_appeals(appeal.cycle_id)
            .await?
            .into_iter()
            .find(|x| x.id == appeal.id)
            .ok_or_else(|| Error::Invalid("appeal not stored".into()))?;
        self.record(
            "assessment.appeal_answer",
            "assessment_appeal",
            &appeal.id.to_string(),
            &answered,
        )
        .await?;
        Ok(answered)
    }

    /// Publishes a cycle's ranking (once): the cycle is final. `closed_early`: it was published
    /// within the appeal window, ending it (kept on the audit chain).
    pub async fn publish_assessment_cycle(
        &mut self,
        cycle_id: i64,
        closed_early: bool,
    ) -> Result<Cycle> {
        let name = self.actor_display_name().await?;
        let at = self.stamp();
        let n = run!(self.conn(), |c| sqlx::query(
            "UPDATE assessment_cycles SET published_at = $2, published_by_name = $3
             WHERE id = $1 AND published_at IS NULL"
        )
        .bind(cycle_id)
        .bind(at)
        .bind(&name)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(Error::Invalid(format!(
                "cycle {cycle_id} is published already"
            )));
        }
        let cycle = self
            .assessment_cycle(cycle_id)
            .await?
            .ok_or_else(|| Error::Invalid("no such cycle".into()))?;
        // A veto that bars 评先评优 does so for the year after the period.
        let barred: Vec<(i64, String)> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT unit_id, sheet FROM assessment_scores WHERE cycle_id = $1 AND no_commendation = TRUE ORDER BY unit_id"
        )
        .bind(cycle_id)
        .fetch_all(&mut *c)
        .await
        })?;
        let starts = cycle.period_end.succ_opt().unwrap_or(cycle.period_end);
        let ends = starts
            .checked_add_months(chrono::Months::new(12))
            .and_then(|d| d.pred_opt())
            .unwrap_or(starts);
        for (unit, sheet) in barred {
            let sheet: ScoreSheet = stored("score sheet", &sheet)?;
            let reason = sheet
                .lines
                .iter()
                .filter(|l| l.item.is_none())
                .map(|l| l.text.clone())
                .collect::<Vec<_>>()
                .join("；");
            let (id,): (i64,) = run!(self.conn(), |c| {
                sqlx::query_as(
                "INSERT INTO assessment_effects (cycle_id, unit_id, kind, reason, starts_on, ends_on, created_at)
                 VALUES ($1, $2, 'no_commendation', $3, $4, $5, $6) RETURNING id"
            )
            .bind(cycle_id)
            .bind(unit)
            .bind(&reason)
            .bind(starts)
            .bind(ends)
            .bind(at)
            .fetch_one(&mut *c)
            .await
            })?;
            self.record(
                "assessment.effect",
                "assessment_effect",
                &id.to_string(),
                &serde_json::json!({ "cycle_id": cycle_id, "unit_id": unit, "kind": "no_commendation", "reason": reason, "starts_on": starts, "ends_on": ends }),
            )
            .await?;
        }
        let ranking = self.assessment_cycle_units(cycle_id).await?;
        self.record(
            "assessment.publish",
            "assessment_cycle",
            &cycle_id.to_string(),
            &serde_json::json!({ "cycle": cycle, "units": ranking, "appeals_closed_early": closed_early }),
        )
        .await?;
        Ok(cycle)
    }
}
