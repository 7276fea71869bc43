//! Inspections (督查) and their findings' rectification (整改 → 销号): the plan (the inspecting unit,
//! the units it inspects, its team and checklist), visits with their evidence, and each finding's
//! history as the rules' events ([`zeren_core::inspection::Event`] as JSON), only ever appended.
//! The finding row keeps what lists filter and show (stage, severity, dates, the responsible
//! person), derived from the events in the same transaction as each is appended. An event is
//! appended at the sequence number its actor saw, so of two acts at once exactly one gets in.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use zeren_core::inspection::{Event, FindingState, Stage};

use crate::read::Read;
use crate::{placeholders, run, Error, Result, Write};

/// What a person sees when another act came first.
pub const MOVED_ON: &str = "该问题已有新的进展，请刷新后查看";

/// The word stored for a stage.
pub fn stage_word(s: Stage) -> &'static str {
    match s {
        Stage::Draft => "draft",
        Stage::AwaitingCommitment => "awaiting_commitment",
        Stage::Negotiating => "negotiating",
        Stage::Rectifying => "rectifying",
        Stage::Applied => "applied",
        Stage::Closed => "closed",
        Stage::Withdrawn => "withdrawn",
    }
}

pub const STAGE_WORDS: &[&str] = &[
    "draft",
    "awaiting_commitment",
    "negotiating",
    "rectifying",
    "applied",
    "closed",
    "withdrawn",
];

/// The stages in which a finding is still open (sent, neither closed nor withdrawn).
pub const OPEN_STAGES: &str = "('awaiting_commitment', 'negotiating', 'rectifying', 'applied')";

/// The word for an event (its `event` tag), also the last part of its audit action.
pub fn action_word(e: &Event) -> &'static str {
    match e {
        Event::FindingSent { version: 1, .. } => "sent",
        Event::FindingSent { .. } => "corrected",
        Event::FindingWithdrawn { .. } => "withdrawn",
        Event::CommitmentProposed { .. } => "commitment_proposed",
        Event::CommitmentAccepted { .. } => "commitment_accepted",
        Event::CommitmentReturned { .. } => "commitment_returned",
        Event::Progress { .. } => "progress",
        Event::ClosureApplied { .. } => "closure_applied",
        Event::Closed { .. } => "closed",
        Event::RecheckReturned { .. } => "recheck_returned",
    }
}

pub const ACTION_WORDS: &[&str] = &[
    "sent",
    "corrected",
    "withdrawn",
    "commitment_proposed",
    "commitment_accepted",
    "commitment_returned",
    "progress",
    "closure_applied",
    "closed",
    "recheck_returned",
];

/// One item of an inspection's checklist: a duty of a policy (was it fulfilled — the ledger
/// shows it), an item of the programme, or a point in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckItem {
    /// `duty` or `text`.
    pub kind: String,
    pub policy_id: Option<String>,
    pub duty_id: Option<String>,
    pub title: String,
    /// The seed line of the clause (`L12` or `L12-L14`), when known.
    pub source: Option<String>,
}

/// An inspection plan. Never edited.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Inspection {
    pub id: i64,
    /// The inspecting unit.
    pub unit_id: i64,
    pub installed_policy_id: Option<i64>,
    /// The policy's programme it carries out, if any.
    pub programme: Option<String>,
    pub title: String,
    /// How the units were chosen: `units`, or `kind:学校` (every unit of that kind below).
    pub scope: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub checklist: Vec<CheckItem>,
    pub created_by: Option<i64>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct InspectionRow {
    id: i64,
    unit_id: i64,
    installed_policy_id: Option<i64>,
    programme: Option<String>,
    title: String,
    scope: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    checklist: String,
    created_by: Option<i64>,
    created_by_name: String,
    created_at: DateTime<Utc>,
}

impl InspectionRow {
    fn into_inspection(self) -> Result<Inspection> {
        Ok(Inspection {
            checklist: serde_json::from_str(&self.checklist)
                .map_err(|e| Error::Invalid(format!("stored checklist: {e}")))?,
            id: self.id,
            unit_id: self.unit_id,
            installed_policy_id: self.installed_policy_id,
            programme: self.programme,
            title: self.title,
            scope: self.scope,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            created_by: self.created_by,
            created_by_name: self.created_by_name,
            created_at: self.created_at,
        })
    }
}

/// An inspection to store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewInspection {
    pub unit_id: i64,
    pub installed_policy_id: Option<i64>,
    pub programme: Option<String>,
    pub title: String,
    pub scope: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub checklist: Vec<CheckItem>,
    /// The units inspected (below the inspecting unit).
    pub units: Vec<i64>,
    /// The team: people and whether each leads it.
    pub team: Vec<(i64, bool)>,
}

/// A unit an inspection covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct InspectedUnit {
    pub unit_id: i64,
    pub name: String,
}

/// A member of an inspection's team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TeamMember {
    pub person_id: i64,
    pub name: String,
    pub lead: bool,
}

/// A stored file of a visit or of a finding's event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StoredFile {
    /// The visit's id, or the finding event's sequence number.
    pub owner: i64,
    pub position: i64,
    pub file_name: String,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
}

/// What one checklist item showed at a visit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// The item's index in the checklist.
    pub item: usize,
    /// `ok`, `problem` or `not_checked`.
    pub result: String,
    pub note: String,
}

pub const CHECK_WORDS: &[&str] = &["ok", "problem", "not_checked"];

/// A visit to an inspected unit. Never edited.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Visit {
    pub id: i64,
    pub inspection_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub visited_on: NaiveDate,
    pub notes: String,
    pub checks: Vec<Check>,
    pub created_by: Option<i64>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    pub files: Vec<StoredFile>,
}

#[derive(sqlx::FromRow)]
struct VisitRow {
    id: i64,
    inspection_id: i64,
    unit_id: i64,
    unit_name: String,
    visited_on: NaiveDate,
    notes: String,
    checks: String,
    created_by: Option<i64>,
    created_by_name: String,
    created_at: DateTime<Utc>,
}

/// A visit to store; files as (name, SHA-256 of stored content).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewVisit {
    pub unit_id: i64,
    pub visited_on: NaiveDate,
    pub notes: String,
    pub checks: Vec<Check>,
    pub files: Vec<(String, String)>,
}

/// A finding as lists show it (derived from its events).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FindingRow {
    pub id: i64,
    pub inspection_id: i64,
    pub inspection_title: String,
    /// The inspecting unit.
    pub inspecting_unit_id: i64,
    /// The inspected unit.
    pub unit_id: i64,
    pub unit_name: String,
    pub stage: String,
    pub severity: Option<String>,
    pub severity_title: String,
    pub summary: String,
    /// The date that governs overdue (the agreed commitment's, else the finding's).
    pub due_on: Option<NaiveDate>,
    pub sent_on: Option<NaiveDate>,
    pub applied_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub commitment_version: i64,
    pub responsible_person_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An event of a finding as stored, with who appended it, when, and its files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredEvent {
    pub seq: i64,
    pub action: String,
    pub event: Event,
    pub by_account: Option<i64>,
    pub by_name: String,
    pub at: DateTime<Utc>,
    pub files: Vec<StoredFile>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    seq: i64,
    event: String,
    by_account: Option<i64>,
    by_name: String,
    at: DateTime<Utc>,
}

/// Open findings of a subtree counted by severity and by how long ago they were sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OpenFindingCount {
    pub severity_title: String,
    pub sent_on: NaiveDate,
    pub due_on: Option<NaiveDate>,
    pub count: i64,
}

const INSPECTION_COLUMNS: &str = "i.id, i.unit_id, i.installed_policy_id, i.programme, i.title, i.scope, i.starts_on, i.ends_on, i.checklist, i.created_by, i.created_by_name, i.created_at";
const FINDING_COLUMNS: &str = "f.id, f.inspection_id, i.title AS inspection_title, i.unit_id AS inspecting_unit_id, f.unit_id, u.name AS unit_name, f.stage, f.severity, f.severity_title, f.summary, f.due_on, f.sent_on, f.applied_on, f.closed_on, f.commitment_version, f.responsible_person_id, f.created_at, f.updated_at";
const FINDING_FROM: &str =
    "findings f JOIN inspections i ON i.id = f.inspection_id JOIN units u ON u.id = f.unit_id";

#[allow(async_fn_in_trait)] // implemented only by this crate's concrete, Send types
pub trait InspectionRead: Read {
    async fn inspection(&mut self, id: i64) -> Result<Option<Inspection>> {
        let sql = format!("SELECT {INSPECTION_COLUMNS} FROM inspections i WHERE i.id = $1");
        let row: Option<InspectionRow> = run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?;
        row.map(InspectionRow::into_inspection).transpose()
    }

    /// The inspections a unit carries out, the latest first.
    async fn inspections_by(&mut self, unit_id: i64) -> Result<Vec<Inspection>> {
        let sql = format!(
            "SELECT {INSPECTION_COLUMNS} FROM inspections i WHERE i.unit_id = $1
             ORDER BY i.starts_on DESC, i.id DESC LIMIT 500"
        );
        let rows: Vec<InspectionRow> = run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(unit_id)
            .fetch_all(&mut *c)
            .await)?;
        rows.into_iter()
            .map(InspectionRow::into_inspection)
            .collect()
    }

    async fn inspected_units(&mut self, inspection_id: i64) -> Result<Vec<InspectedUnit>> {
        Ok(run!(self.conn(), |c| sqlx::query_as(
            "SELECT x.unit_id, u.name FROM inspection_units x JOIN units u ON u.id = x.unit_id
             WHERE x.inspection_id = $1 ORDER BY u.name, u.id"
        )
        .bind(inspection_id)
        .fetch_all(&mut *c)
        .await)?)
    }

    async fn inspection_team(&mut self, inspection_id: i64) -> Result<Vec<TeamMember>> {
        Ok(run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT t.person_id, p.name, t.lead FROM inspection_team t JOIN people p ON p.id = t.person_id
             WHERE t.inspection_id = $1 ORDER BY t.lead DESC, p.name, p.id"
        )
        .bind(inspection_id)
        .fetch_all(&mut *c)
        .await
        })?)
    }

    async fn visits(&mut self, inspection_id: i64) -> Result<Vec<Visit>> {
        let rows: Vec<VisitRow> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT v.id, v.inspection_id, v.unit_id, u.name AS unit_name, v.visited_on, v.notes, v.checks,
                    v.created_by, v.created_by_name, v.created_at
             FROM inspection_visits v JOIN units u ON u.id = v.unit_id
             WHERE v.inspection_id = $1 ORDER BY v.visited_on, v.id"
        )
        .bind(inspection_id)
        .fetch_all(&mut *c)
        .await
        })?;
        let files: Vec<StoredFile> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT f.visit_id AS owner, f.position, f.file_name, f.sha256, a.size, a.media_type
             FROM visit_files f JOIN inspection_visits v ON v.id = f.visit_id
             JOIN attachments a ON a.sha256 = f.sha256
             WHERE v.inspection_id = $1 ORDER BY f.visit_id, f.position"
        )
        .bind(inspection_id)
        .fetch_all(&mut *c)
        .await
        })?;
        rows.into_iter()
            .map(|r| {
                Ok(Visit {
                    checks: serde_json::from_str(&r.checks)
                        .map_err(|e| Error::Invalid(format!("stored checks: {e}")))?,
                    files: files.iter().filter(|f| f.owner == r.id).cloned().collect(),
                    id: r.id,
                    inspection_id: r.inspection_id,
                    unit_id: r.unit_id,
                    unit_name: r.unit_name,
                    visited_on: r.visited_on,
                    notes: r.notes,
                    created_by: r.created_by,
                    created_by_name: r.created_by_name,
                    created_at: r.created_at,
                })
            })
            .collect()
    }

    async fn finding(&mut self, id: i64) -> Result<Option<FindingRow>> {
        let sql = format!("SELECT {FINDING_COLUMNS} FROM {FINDING_FROM} WHERE f.id = $1");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?)
    }

    /// The findings of an inspection, by unit and then as sent.
    async fn findings_of_inspection(&mut self, inspection_id: i64) -> Result<Vec<FindingRow>> {
        let sql = format!(
            "SELECT {FINDING_COLUMNS} FROM {FINDING_FROM} WHERE f.inspection_id = $1
             ORDER BY u.name, f.unit_id, f.id"
        );
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(inspection_id)
            .fetch_all(&mut *c)
            .await)?)
    }

    /// The findings sent to a unit (by any inspection), the latest first.
    async fn findings_of_unit(&mut self, unit_id: i64) -> Result<Vec<FindingRow>> {
        let sql = format!(
            "SELECT {FINDING_COLUMNS} FROM {FINDING_FROM} WHERE f.unit_id = $1
             ORDER BY f.id DESC LIMIT 500"
        );
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(unit_id)
            .fetch_all(&mut *c)
            .await)?)
    }

    /// What waits on these units and this person, for 我的工作, the soonest due first: open
    /// findings sent to the units, those whose agreed commitment names the person as
    /// responsible, and findings of the units' inspections waiting for the inspecting side (a
    /// commitment to accept or return, an application for 销号 to re-check).
    async fn open_findings_for(
        &mut self,
        units: &[i64],
        person: Option<i64>,
    ) -> Result<Vec<FindingRow>> {
        let mut conds = Vec::new();
        let n = units.len();
        if n > 0 {
            conds.push(format!("f.unit_id IN ({})", placeholders(1, n)));
            conds.push(format!(
                "(i.unit_id IN ({}) AND f.stage IN ('negotiating', 'applied'))",
                placeholders(n + 1, n)
            ));
        }
        if person.is_some() {
            conds.push(format!("f.responsible_person_id = ${}", 2 * n + 1));
        }
        if conds.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {FINDING_COLUMNS} FROM {FINDING_FROM}
             WHERE f.stage IN {OPEN_STAGES} AND ({})
             ORDER BY f.due_on, f.id LIMIT 500",
            conds.join(" OR ")
        );
        Ok(run!(self.conn(), |c| {
            let mut q = sqlx::query_as(&sql);
            for u in units.iter().chain(units) {
                q = q.bind(*u);
            }
            if let Some(p) = person {
                q = q.bind(p);
            }
            q.fetch_all(&mut *c).await
        })?)
    }

    /// Open findings of the units in a unit's subtree (the unit included), the soonest due first.
    async fn open_findings_in_subtree(&mut self, unit_id: i64) -> Result<Vec<FindingRow>> {
        let sql = format!(
            "SELECT {FINDING_COLUMNS} FROM {FINDING_FROM} JOIN unit_ancestors a ON a.unit_id = f.unit_id
             WHERE a.ancestor_id = $1 AND f.stage IN {OPEN_STAGES}
             ORDER BY f.due_on, f.id LIMIT 500"
        );
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(unit_id)
            .fetch_all(&mut *c)
            .await)?)
    }

    /// Open findings of units in a unit's subtree (the unit included), counted by severity, day
    /// sent and due date — the dashboard groups them by age.
    async fn open_findings_below(&mut self, unit_id: i64) -> Result<Vec<OpenFindingCount>> {
        let sql = format!(
            "SELECT f.severity_title, f.sent_on, f.due_on, COUNT(*) AS count
             FROM findings f JOIN unit_ancestors a ON a.unit_id = f.unit_id
             WHERE a.ancestor_id = $1 AND f.stage IN {OPEN_STAGES} AND f.sent_on IS NOT NULL
             GROUP BY f.severity_title, f.sent_on, f.due_on
             ORDER BY f.sent_on"
        );
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(unit_id)
            .fetch_all(&mut *c)
            .await)?)
    }

    /// A finding's events in order, each with its files.
    async fn finding_events(&mut self, finding_id: i64) -> Result<Vec<StoredEvent>> {
        let rows: Vec<EventRow> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT seq, event, by_account, by_name, at FROM finding_events
             WHERE finding_id = $1 ORDER BY seq"
        )
        .bind(finding_id)
        .fetch_all(&mut *c)
        .await)?;
        let files: Vec<StoredFile> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT f.seq AS owner, f.position, f.file_name, f.sha256, a.size, a.media_type
             FROM finding_files f JOIN attachments a ON a.sha256 = f.sha256
             WHERE f.finding_id = $1 ORDER BY f.seq, f.position"
        )
        .bind(finding_id)
        .fetch_all(&mut *c)
        .await)?;
        rows.into_iter()
            .map(|r| {
                let event: Event = serde_json::from_str(&r.event)
                    .map_err(|e| Error::Invalid(format!("stored finding event: {e}")))?;
                Ok(StoredEvent {
                    action: action_word(&event).into(),
                    event,
                    files: files.iter().filter(|f| f.owner == r.seq).cloned().collect(),
                    seq: r.seq,
                    by_account: r.by_account,
                    by_name: r.by_name,
                    at: r.at,
                })
            })
            .collect()
    }
}

impl<T: Read> InspectionRead for T {}

/// What the finding row shows, derived from its state after an event.
pub struct Derived<'a> {
    pub state: &'a FindingState,
    pub severity_title: String,
    pub summary: String,
}

impl Write {
    /// Stores an inspection plan with its units and team.
    pub async fn create_inspection(&mut self, n: &NewInspection) -> Result<Inspection> {
        crate::check_text("title", &n.title)?;
        crate::check_text("scope", &n.scope)?;
        if n.title.trim().is_empty() {
            return Err(Error::Invalid("inspection title is empty".into()));
        }
        if n.ends_on < n.starts_on {
            return Err(Error::Invalid("inspection ends before it starts".into()));
        }
        if n.units.is_empty() {
            return Err(Error::Invalid(
                "an inspection inspects at least one unit".into(),
            ));
        }
        let checklist = serde_json::to_string(&n.checklist)
            .map_err(|e| Error::Invalid(format!("checklist: {e}")))?;
        crate::check_text("checklist", &checklist)?;
        let by = self.actor().account_id;
        let name = self.actor_display_name().await?;
        let at = self.stamp();
        let sql = format!(
            "INSERT INTO inspections (unit_id, installed_policy_id, programme, title, scope, starts_on, ends_on,
                checklist, created_by, created_by_name, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {}",
            INSPECTION_COLUMNS.replace("i.", "")
        );
        let row: InspectionRow = run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(n.unit_id)
            .bind(n.installed_policy_id)
            .bind(&n.programme)
            .bind(n.title.trim())
            .bind(&n.scope)
            .bind(n.starts_on)
            .bind(n.ends_on)
            .bind(&checklist)
            .bind(by)
            .bind(&name)
            .bind(at)
            .fetch_one(&mut *c)
            .await)
        .map_err(|e| Error::from_write(e, "inspection"))?;
        let inspection = row.into_inspection()?;
        for u in &n.units {
            run!(self.conn(), |c| sqlx::query(
                "INSERT INTO inspection_units (inspection_id, unit_id) VALUES ($1, $2)"
            )
            .bind(inspection.id)
            .bind(*u)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))
            .map_err(|e| Error::from_write(e, "inspected unit"))?;
        }
        for (p, lead) in &n.team {
            run!(self.conn(), |c| sqlx::query(
                "INSERT INTO inspection_team (inspection_id, person_id, lead) VALUES ($1, $2, $3)"
            )
            .bind(inspection.id)
            .bind(*p)
            .bind(*lead)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))
            .map_err(|e| Error::from_write(e, "team member"))?;
        }
        self.record(
            "inspection.create",
            "inspection",
            &inspection.id.to_string(),
            &json!({ "inspection": inspection, "units": n.units, "team": n.team }),
        )
        .await?;
        Ok(inspection)
    }

    /// Stores a visit with its evidence; returns its id.
    pub async fn add_visit(&mut self, inspection_id: i64, v: &NewVisit) -> Result<i64> {
        crate::check_text("notes", &v.notes)?;
        let checks =
            serde_json::to_string(&v.checks).map_err(|e| Error::Invalid(format!("checks: {e}")))?;
        crate::check_text("checks", &checks)?;
        let by = self.actor().account_id;
        let name = self.actor_display_name().await?;
        let at = self.stamp();
        let (id,): (i64,) = run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO inspection_visits (inspection_id, unit_id, visited_on, notes, checks, created_by, created_by_name, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
        )
        .bind(inspection_id)
        .bind(v.unit_id)
        .bind(v.visited_on)
        .bind(&v.notes)
        .bind(&checks)
        .bind(by)
        .bind(&name)
        .bind(at)
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| Error::from_write(e, "visit"))?;
        for (i, (file, sha)) in v.files.iter().enumerate() {
            crate::check_text("file name", file)?;
            run!(self.conn(), |c| sqlx::query(
                "INSERT INTO visit_files (visit_id, position, file_name, sha256) VALUES ($1, $2, $3, $4)"
            )
            .bind(id)
            .bind(i as i64)
            .bind(file)
            .bind(sha)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))
            .map_err(|e| Error::from_write(e, "visit file"))?;
        }
        self.record_with(
            "inspection.visit",
            "inspection",
            &inspection_id.to_string(),
            &json!({ "visit": id, "unit": v.unit_id, "visited_on": v.visited_on, "notes": v.notes, "checks": v.checks }),
            Some(json!({ "files": v.files.iter().map(|(_, sha)| sha).collect::<Vec<_>>() })),
        )
        .await?;
        Ok(id)
    }

    /// Stores a new finding of an inspection for a unit with its first event (sent); returns its id.
    pub async fn create_finding(
        &mut self,
        inspection_id: i64,
        unit_id: i64,
        event: &Event,
        d: &Derived<'_>,
        files: &[(String, String)],
    ) -> Result<i64> {
        let by = self.actor().account_id;
        let at = self.stamp();
        let (id,): (i64,) = run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO findings (inspection_id, unit_id, draft, stage, created_by, created_at, updated_at)
             VALUES ($1, $2, NULL, 'draft', $3, $4, $4) RETURNING id"
        )
        .bind(inspection_id)
        .bind(unit_id)
        .bind(by)
        .bind(at)
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| Error::from_write(e, "finding"))?;
        self.append_finding_event(id, 0, event, d, files).await?;
        Ok(id)
    }

    /// Appends an event the rules accepted at sequence number `seq` (the number of events its
    /// actor saw), with its files, and brings the finding's row up to date with `d`. If another
    /// event took that number meanwhile this is a conflict ([`MOVED_ON`]) and nothing is stored.
    pub async fn append_finding_event(
        &mut self,
        finding_id: i64,
        seq: i64,
        event: &Event,
        d: &Derived<'_>,
        files: &[(String, String)],
    ) -> Result<()> {
        let text = serde_json::to_string(event)
            .map_err(|e| Error::Invalid(format!("finding event: {e}")))?;
        crate::check_text("event", &text)?;
        crate::check_text("summary", &d.summary)?;
        let by = self.actor().account_id;
        let name = self.actor_display_name().await?;
        let at = self.stamp();
        run!(self.conn(), |c| sqlx::query(
            "INSERT INTO finding_events (finding_id, seq, event, by_account, by_name, at) VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(finding_id)
        .bind(seq)
        .bind(&text)
        .bind(by)
        .bind(&name)
        .bind(at)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| match Error::from_write(e, "finding event") {
            Error::Conflict(_) => Error::Conflict(MOVED_ON.into()),
            other => other,
        })?;
        for (i, (file, sha)) in files.iter().enumerate() {
            crate::check_text("file name", file)?;
            run!(self.conn(), |c| sqlx::query(
                "INSERT INTO finding_files (finding_id, seq, position, file_name, sha256) VALUES ($1, $2, $3, $4, $5)"
            )
            .bind(finding_id)
            .bind(seq)
            .bind(i as i64)
            .bind(file)
            .bind(sha)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))
            .map_err(|e| Error::from_write(e, "finding file"))?;
        }
        let s = d.state;
        let severity = s
            .finding
            .as_ref()
            .and_then(|f| f.severity.as_ref())
            .map(|x| x.to_string());
        // The responsible person of the agreed commitment (the one rectification follows).
        let responsible = s.agreed.as_ref().map(|c| c.responsible.0);
        run!(self.conn(), |c| sqlx::query(
            "UPDATE findings SET stage = $1, severity = $2, severity_title = $3, summary = $4, due_on = $5,
                sent_on = $6, applied_on = $7, closed_on = $8, commitment_version = $9,
                responsible_person_id = $10, updated_at = $11
             WHERE id = $12"
        )
        .bind(stage_word(s.stage))
        .bind(&severity)
        .bind(&d.severity_title)
        .bind(&d.summary)
        .bind(s.due())
        .bind(s.sent_on)
        .bind(s.applied_on)
        .bind(s.closed_on)
        .bind(i64::from(s.commitment_version))
        .bind(responsible)
        .bind(at)
        .bind(finding_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| Error::from_write(e, "finding"))?;
        self.record_with(
            &format!("finding.{}", action_word(event)),
            "finding",
            &finding_id.to_string(),
            &json!({ "seq": seq, "event": event, "stage": stage_word(s.stage) }),
            Some(json!({ "files": files.iter().map(|(_, sha)| sha).collect::<Vec<_>>() })),
        )
        .await?;
        Ok(())
    }
}
