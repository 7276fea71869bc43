//! Incidents (突发事件 / 舆情): the reported facts, the report series as versions (初报, 续报 n,
//! 终报) and the history as the rules' events ([`zeren_core::incident::Event`] as JSON), with
//! where each report went (deliveries) for the recipients' inboxes and 签收. Nothing here is
//! ever edited: a correction is a new version, an act is a new event. An event is appended with
//! the sequence number its actor saw, so of two acts at the same moment exactly one gets in.
//!
//! What waits on the clock (pending reports and their countdowns, for 我的工作) is computed here
//! by replaying open incidents through the rules, so that no web feature needs another's code.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use zeren_core::incident::{
    clocks, Channel, ClockKind, Event, Facts, IncidentState, ReportKind, Stage, Timeliness,
};
use zeren_core::org::{Org, UnitId};
use zeren_policy::{LevelId, Policy};

use crate::ledger::sha256_hex;
use crate::read::Read;
use crate::{placeholders, run, Error, Result, Store, Write};

/// What a person sees when another act came first.
pub const MOVED_ON: &str = "事件已有新的进展，请刷新后查看";

/// The word stored for a report of the series: `initial`, `follow_up_2`, `final`.
pub fn report_word(k: ReportKind) -> String {
    match k {
        ReportKind::Initial => "initial".into(),
        ReportKind::FollowUp(n) => format!("follow_up_{n}"),
        ReportKind::Final => "final".into(),
    }
}

/// The report a word names.
pub fn parse_report_word(s: &str) -> Option<ReportKind> {
    match s {
        "initial" => Some(ReportKind::Initial),
        "final" => Some(ReportKind::Final),
        _ => s
            .strip_prefix("follow_up_")
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|n| *n >= 1)
            .map(ReportKind::FollowUp),
    }
}

/// The word stored for a stage.
pub fn stage_word(s: Stage) -> &'static str {
    match s {
        Stage::Open => "open",
        Stage::ClosureInReview => "closure_in_review",
        Stage::Closed => "closed",
    }
}

pub const STAGE_WORDS: &[&str] = &["open", "closure_in_review", "closed"];

/// The word stored for an event (its `event` tag).
pub fn action_word(e: &Event) -> &'static str {
    match e {
        Event::Drafted { .. } => "drafted",
        Event::SignedOff { .. } => "signed_off",
        Event::Sent { .. } => "sent",
        Event::Relayed { .. } => "relayed",
        Event::Received { .. } => "received",
        Event::FollowUpRequested { .. } => "follow_up_requested",
        Event::LevelRaised { .. } => "level_raised",
        Event::Instructed { .. } => "instructed",
        Event::Logged { .. } => "logged",
        Event::HandlingEnded { .. } => "handling_ended",
        Event::ClosureProposed { .. } => "closure_proposed",
        Event::ClosureAccepted { .. } => "closure_accepted",
        Event::ClosureReturned { .. } => "closure_returned",
    }
}

pub const ACTION_WORDS: &[&str] = &[
    "drafted",
    "signed_off",
    "sent",
    "relayed",
    "received",
    "follow_up_requested",
    "level_raised",
    "instructed",
    "logged",
    "handling_ended",
    "closure_proposed",
    "closure_accepted",
    "closure_returned",
];

/// The report an event concerns, and the recipient unit that acted (签收, 批示, a request, a
/// raise; for a relay, the relaying unit).
fn event_columns(e: &Event) -> (Option<String>, Option<i64>) {
    match e {
        Event::Drafted { report, .. }
        | Event::SignedOff { report, .. }
        | Event::Sent { report, .. } => (Some(report_word(*report)), None),
        Event::Relayed { report, from, .. } => (Some(report_word(*report)), Some(from.0)),
        Event::Received { report, unit, .. } => (Some(report_word(*report)), Some(unit.0)),
        Event::FollowUpRequested { unit, .. }
        | Event::LevelRaised { unit, .. }
        | Event::Instructed { unit, .. } => (None, Some(unit.0)),
        _ => (None, None),
    }
}

/// An incident as reported. Never edited.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Incident {
    pub id: i64,
    pub unit_id: i64,
    pub installed_policy_id: i64,
    /// The policy's kind of incident; empty when the policy names none.
    pub kind_id: String,
    /// The level the reporter chose.
    pub level_id: String,
    /// The level the numeric criteria suggested, if any.
    pub suggested_level_id: Option<String>,
    pub title: String,
    pub place: String,
    pub occurred_at: Option<DateTime<Utc>>,
    /// When the unit learnt of it: the report deadlines run from here.
    pub known_at: DateTime<Utc>,
    /// The numeric facts (measure id → value).
    pub facts: BTreeMap<String, i64>,
    pub reporter_person_id: i64,
    pub reporter_name: String,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct IncidentRow {
    id: i64,
    unit_id: i64,
    installed_policy_id: i64,
    kind_id: String,
    level_id: String,
    suggested_level_id: Option<String>,
    title: String,
    place: String,
    occurred_at: Option<DateTime<Utc>>,
    known_at: DateTime<Utc>,
    facts: String,
    reporter_person_id: i64,
    reporter_name: String,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
}

impl IncidentRow {
    fn into_incident(self) -> Result<Incident> {
        Ok(Incident {
            facts: serde_json::from_str(&self.facts)
                .map_err(|e| Error::Invalid(format!("stored facts: {e}")))?,
            id: self.id,
            unit_id: self.unit_id,
            installed_policy_id: self.installed_policy_id,
            kind_id: self.kind_id,
            level_id: self.level_id,
            suggested_level_id: self.suggested_level_id,
            title: self.title,
            place: self.place,
            occurred_at: self.occurred_at,
            known_at: self.known_at,
            reporter_person_id: self.reporter_person_id,
            reporter_name: self.reporter_name,
            created_by: self.created_by,
            created_at: self.created_at,
        })
    }
}

/// An incident with where it stands, for lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IncidentSummary {
    pub incident: Incident,
    pub unit_name: String,
    /// `open`, `closure_in_review` or `closed`, after the last event.
    pub stage: String,
    /// The level after the last event (raised or as reported).
    pub level_id: String,
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    #[sqlx(flatten)]
    row: IncidentRow,
    unit_name: String,
    stage: String,
    current_level_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NewIncident {
    pub unit_id: i64,
    pub installed_policy_id: i64,
    pub kind_id: String,
    pub level_id: String,
    pub suggested_level_id: Option<String>,
    pub title: String,
    pub place: String,
    pub occurred_at: Option<DateTime<Utc>>,
    pub known_at: DateTime<Utc>,
    pub facts: BTreeMap<String, i64>,
    pub reporter_person_id: i64,
}

/// A file of a report version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct IncidentAttachment {
    pub version_id: i64,
    pub position: i64,
    pub file_name: String,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
}

/// One version of one report of the series.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReportVersion {
    pub id: i64,
    pub incident_id: i64,
    /// `initial`, `follow_up_N` or `final`.
    pub report: String,
    pub version: i64,
    /// What happened and how it stands (情况).
    pub body: String,
    /// What was done (已采取的措施).
    pub measures: String,
    pub hash: String,
    pub created_by: Option<i64>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    pub attachments: Vec<IncidentAttachment>,
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    id: i64,
    incident_id: i64,
    report: String,
    version: i64,
    body: String,
    measures: String,
    hash: String,
    created_by: Option<i64>,
    created_by_name: String,
    created_at: DateTime<Utc>,
}

/// A report version to store; files as (name, SHA-256 of stored content).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NewReportVersion {
    pub report: String,
    pub body: String,
    pub measures: String,
    pub attachments: Vec<(String, String)>,
}

impl NewReportVersion {
    /// The hash 签发 and 报出 name: which report, its text and every file's name and content.
    pub fn hash(&self, incident_id: i64) -> String {
        let canonical = json!({
            "incident": incident_id,
            "report": self.report,
            "body": self.body,
            "measures": self.measures,
            "attachments": self.attachments,
        });
        sha256_hex(canonical.to_string().as_bytes())
    }

    fn check(&self) -> Result<()> {
        if parse_report_word(&self.report).is_none() {
            return Err(Error::Invalid(format!("report {}", self.report)));
        }
        crate::check_text("body", &self.body)?;
        crate::check_text("measures", &self.measures)?;
        for (name, _) in &self.attachments {
            crate::check_text("file name", name)?;
        }
        Ok(())
    }
}

/// An event as stored, with who appended it and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredEvent {
    pub seq: i64,
    pub action: String,
    pub report: Option<String>,
    pub unit_id: Option<i64>,
    pub stage: String,
    pub level_id: String,
    pub event: Event,
    /// When it happened.
    pub at: DateTime<Utc>,
    pub by_account: Option<i64>,
    pub by_name: String,
    /// When it was entered.
    pub recorded_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    seq: i64,
    action: String,
    report: Option<String>,
    unit_id: Option<i64>,
    stage: String,
    level_id: String,
    event: String,
    at: DateTime<Utc>,
    by_account: Option<i64>,
    by_name: String,
    recorded_at: DateTime<Utc>,
}

/// A report that reached a unit and waits for its 签收.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AwaitingIncidentReceipt {
    pub incident_id: i64,
    pub title: String,
    /// The reporting unit.
    pub incident_unit_id: i64,
    pub incident_unit_name: String,
    pub report: String,
    /// The recipient that must acknowledge it.
    pub unit_id: i64,
    pub unit_name: String,
    /// When it first reached the recipient.
    pub delivered_at: DateTime<Utc>,
}

/// Which incidents to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IncidentFilter {
    /// The unit and everything below it.
    pub subtree_of: Option<i64>,
    /// Only these reporting units (with `subtree_of`: those of them in it).
    pub units: Option<Vec<i64>>,
    /// Only incidents not closed (true) or only closed ones (false).
    pub open: Option<bool>,
    /// Known on or after / before.
    pub known_from: Option<DateTime<Utc>>,
    pub known_before: Option<DateTime<Utc>>,
    pub limit: Option<i64>,
}

const INCIDENT_COLUMNS: &str = "i.id, i.unit_id, i.installed_policy_id, i.kind_id, i.level_id, i.suggested_level_id, i.title, i.place, i.occurred_at, i.known_at, i.facts, i.reporter_person_id, i.reporter_name, i.created_by, i.created_at";
const NOT_CLOSED: &str =
    "NOT EXISTS (SELECT 1 FROM incident_events c WHERE c.incident_id = i.id AND c.stage = 'closed')";

#[allow(async_fn_in_trait)] // implemented only by this crate's concrete, Send types
pub trait IncidentRead: Read {
    async fn incident(&mut self, id: i64) -> Result<Option<Incident>> {
        let sql = format!("SELECT {INCIDENT_COLUMNS} FROM incidents i WHERE i.id = $1");
        let row: Option<IncidentRow> = run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?;
        row.map(IncidentRow::into_incident).transpose()
    }

    /// Incidents matching `f` with their stage and level now, the most recently known first.
    async fn incidents(&mut self, f: &IncidentFilter) -> Result<Vec<IncidentSummary>> {
        let mut conds: Vec<String> = Vec::new();
        let mut with = String::new();
        let mut n = 0;
        if f.subtree_of.is_some() {
            n += 1;
            with = format!(
                "WITH RECURSIVE sub(id) AS (SELECT id FROM units WHERE id = ${n}
                 UNION ALL SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id) "
            );
            conds.push("i.unit_id IN (SELECT id FROM sub)".into());
        }
        if let Some(units) = &f.units {
            if units.is_empty() {
                return Ok(Vec::new());
            }
            conds.push(format!(
                "i.unit_id IN ({})",
                placeholders(n + 1, units.len())
            ));
            n += units.len();
        }
        match f.open {
            Some(true) => conds.push(NOT_CLOSED.into()),
            Some(false) => conds.push(format!("NOT {NOT_CLOSED}")),
            None => {}
        }
        if f.known_from.is_some() {
            n += 1;
            conds.push(format!("i.known_at >= ${n}"));
        }
        if f.known_before.is_some() {
            n += 1;
            conds.push(format!("i.known_at < ${n}"));
        }
        let wh = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        let limit = f.limit.unwrap_or(1000).clamp(1, 100_000);
        let sql = format!(
            "{with}SELECT {INCIDENT_COLUMNS}, u.name AS unit_name,
                COALESCE((SELECT e.stage FROM incident_events e WHERE e.incident_id = i.id ORDER BY e.seq DESC LIMIT 1), 'open') AS stage,
                COALESCE((SELECT e.level_id FROM incident_events e WHERE e.incident_id = i.id ORDER BY e.seq DESC LIMIT 1), i.level_id) AS current_level_id
             FROM incidents i JOIN units u ON u.id = i.unit_id{wh}
             ORDER BY i.known_at DESC, i.id DESC LIMIT {limit}"
        );
        let rows: Vec<SummaryRow> = run!(self.conn(), |c| {
            let mut q = sqlx::query_as(&sql);
            if let Some(root) = f.subtree_of {
                q = q.bind(root);
            }
            for u in f.units.iter().flatten() {
                q = q.bind(*u);
            }
            if let Some(t) = f.known_from {
                q = q.bind(t);
            }
            if let Some(t) = f.known_before {
                q = q.bind(t);
            }
            q.fetch_all(&mut *c).await
        })?;
        rows.into_iter()
            .map(|r| {
                Ok(IncidentSummary {
                    incident: r.row.into_incident()?,
                    unit_name: r.unit_name,
                    stage: r.stage,
                    level_id: r.current_level_id,
                })
            })
            .collect()
    }

    /// Open incidents reported by these units or delivered to them (for what waits on the clock).
    async fn open_incidents_touching(&mut self, units: &[i64]) -> Result<Vec<Incident>> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let marks = placeholders(1, units.len());
        let sql = format!(
            "SELECT {INCIDENT_COLUMNS} FROM incidents i
             WHERE (i.unit_id IN ({marks})
                    OR EXISTS (SELECT 1 FROM incident_deliveries d WHERE d.incident_id = i.id AND d.unit_id IN ({marks})))
               AND {NOT_CLOSED}
             ORDER BY i.known_at, i.id"
        );
        let rows: Vec<IncidentRow> = run!(self.conn(), |c| {
            let mut q = sqlx::query_as(&sql);
            for u in units {
                q = q.bind(*u);
            }
            q.fetch_all(&mut *c).await
        })?;
        rows.into_iter().map(IncidentRow::into_incident).collect()
    }

    /// Every version of every report of an incident with its files, in the order written.
    async fn incident_reports(&mut self, incident_id: i64) -> Result<Vec<ReportVersion>> {
        let rows: Vec<VersionRow> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT id, incident_id, report, version, body, measures, hash, created_by, created_by_name, created_at
             FROM incident_report_versions WHERE incident_id = $1 ORDER BY id"
        )
        .bind(incident_id)
        .fetch_all(&mut *c)
        .await
        })?;
        let files: Vec<IncidentAttachment> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT f.version_id, f.position, f.file_name, f.sha256, a.size, a.media_type
             FROM incident_attachments f JOIN incident_report_versions v ON v.id = f.version_id
             JOIN attachments a ON a.sha256 = f.sha256
             WHERE v.incident_id = $1 ORDER BY f.version_id, f.position"
        )
        .bind(incident_id)
        .fetch_all(&mut *c)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|r| ReportVersion {
                attachments: files
                    .iter()
                    .filter(|f| f.version_id == r.id)
                    .cloned()
                    .collect(),
                id: r.id,
                incident_id: r.incident_id,
                report: r.report,
                version: r.version,
                body: r.body,
                measures: r.measures,
                hash: r.hash,
                created_by: r.created_by,
                created_by_name: r.created_by_name,
                created_at: r.created_at,
            })
            .collect())
    }

    /// An incident's events in order.
    async fn incident_events(&mut self, incident_id: i64) -> Result<Vec<StoredEvent>> {
        let rows: Vec<EventRow> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT seq, action, report, unit_id, stage, level_id, event, at, by_account, by_name, recorded_at
             FROM incident_events WHERE incident_id = $1 ORDER BY seq"
        )
        .bind(incident_id)
        .fetch_all(&mut *c)
        .await
        })?;
        rows.into_iter()
            .map(|r| {
                Ok(StoredEvent {
                    event: serde_json::from_str(&r.event)
                        .map_err(|e| Error::Invalid(format!("stored incident event: {e}")))?,
                    seq: r.seq,
                    action: r.action,
                    report: r.report,
                    unit_id: r.unit_id,
                    stage: r.stage,
                    level_id: r.level_id,
                    at: r.at,
                    by_account: r.by_account,
                    by_name: r.by_name,
                    recorded_at: r.recorded_at,
                })
            })
            .collect()
    }

    /// Reports delivered to these units that they have not acknowledged (签收), oldest first.
    async fn awaiting_incident_receipts(
        &mut self,
        units: &[i64],
    ) -> Result<Vec<AwaitingIncidentReceipt>> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT d.incident_id, i.title, i.unit_id AS incident_unit_id, iu.name AS incident_unit_name,
                    d.report, d.unit_id, ru.name AS unit_name, MIN(d.at) AS delivered_at
             FROM incident_deliveries d
             JOIN incidents i ON i.id = d.incident_id
             JOIN units iu ON iu.id = i.unit_id
             JOIN units ru ON ru.id = d.unit_id
             WHERE d.unit_id IN ({})
               AND NOT EXISTS (SELECT 1 FROM incident_events e
                               WHERE e.incident_id = d.incident_id AND e.action = 'received'
                                 AND e.report = d.report AND e.unit_id = d.unit_id)
             GROUP BY d.incident_id, i.title, i.unit_id, iu.name, d.report, d.unit_id, ru.name
             ORDER BY MIN(d.at), d.incident_id",
            placeholders(1, units.len())
        );
        Ok(run!(self.conn(), |c| {
            let mut q = sqlx::query_as(&sql);
            for u in units {
                q = q.bind(*u);
            }
            q.fetch_all(&mut *c).await
        })?)
    }
}

impl<T: Read> IncidentRead for T {}

impl Write {
    /// Stores a reported incident (its facts; the reports are versions, the acts events).
    pub async fn create_incident(&mut self, n: &NewIncident) -> Result<Incident> {
        for (field, text) in [
            ("title", &n.title),
            ("place", &n.place),
            ("kind", &n.kind_id),
            ("level", &n.level_id),
        ] {
            crate::check_text(field, text)?;
        }
        if n.title.trim().is_empty() {
            return Err(Error::Invalid("incident title is empty".into()));
        }
        let facts =
            serde_json::to_string(&n.facts).map_err(|e| Error::Invalid(format!("facts: {e}")))?;
        let (reporter_name,): (String,) = run!(self.conn(), |c| sqlx::query_as(
            "SELECT name FROM people WHERE id = $1"
        )
        .bind(n.reporter_person_id)
        .fetch_optional(&mut *c)
        .await)?
        .ok_or_else(|| Error::Invalid(format!("person {} does not exist", n.reporter_person_id)))?;
        let by = self.actor().account_id;
        let at = self.stamp();
        let sql = format!(
            "INSERT INTO incidents (unit_id, installed_policy_id, kind_id, level_id, suggested_level_id, title, place,
                occurred_at, known_at, facts, reporter_person_id, reporter_name, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             RETURNING {}",
            INCIDENT_COLUMNS.replace("i.", "")
        );
        let row: IncidentRow = run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(n.unit_id)
            .bind(n.installed_policy_id)
            .bind(&n.kind_id)
            .bind(&n.level_id)
            .bind(&n.suggested_level_id)
            .bind(&n.title)
            .bind(&n.place)
            .bind(n.occurred_at)
            .bind(n.known_at)
            .bind(&facts)
            .bind(n.reporter_person_id)
            .bind(&reporter_name)
            .bind(by)
            .bind(at)
            .fetch_one(&mut *c)
            .await)
        .map_err(|e| Error::from_write(e, "incident"))?;
        let incident = row.into_incident()?;
        self.record(
            if self.importing().is_some() {
                "incident.import"
            } else {
                "incident.create"
            },
            "incident",
            &incident.id.to_string(),
            &incident,
        )
        .await?;
        Ok(incident)
    }

    /// Stores a new version of one report of an incident; returns it. A draft of the report
    /// (the rules' `Drafted` event) names its hash.
    pub async fn add_incident_report_version(
        &mut self,
        incident_id: i64,
        v: &NewReportVersion,
    ) -> Result<ReportVersion> {
        v.check()?;
        let hash = v.hash(incident_id);
        let by = self.actor().account_id;
        let name = self.actor_display_name().await?;
        let at = self.stamp();
        let (next,): (i64,) = run!(self.conn(), |c| sqlx::query_as(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM incident_report_versions
             WHERE incident_id = $1 AND report = $2"
        )
        .bind(incident_id)
        .bind(&v.report)
        .fetch_one(&mut *c)
        .await)?;
        let (id,): (i64,) = run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO incident_report_versions (incident_id, report, version, body, measures, hash, created_by, created_by_name, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
        )
        .bind(incident_id)
        .bind(&v.report)
        .bind(next)
        .bind(&v.body)
        .bind(&v.measures)
        .bind(&hash)
        .bind(by)
        .bind(&name)
        .bind(at)
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| match Error::from_write(e, "incident report") {
            Error::Conflict(_) => Error::Conflict(MOVED_ON.into()),
            other => other,
        })?;
        for (i, (file, sha)) in v.attachments.iter().enumerate() {
            run!(self.conn(), |c| sqlx::query(
                "INSERT INTO incident_attachments (version_id, position, file_name, sha256) VALUES ($1, $2, $3, $4)"
            )
            .bind(id)
            .bind(i as i64)
            .bind(file)
            .bind(sha)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))
            .map_err(|e| Error::from_write(e, "attachment"))?;
        }
        self.record_with(
            "incident.report",
            "incident",
            &incident_id.to_string(),
            &json!({ "report": v.report, "version": next, "hash": hash, "body": v.body, "measures": v.measures }),
            Some(json!({
                "incident_report": { "id": incident_id, "report": v.report, "version": next, "hash": hash },
                "files": v.attachments.iter().map(|(_, sha)| sha).collect::<Vec<_>>(),
            })),
        )
        .await?;
        let mut all = self.incident_reports(incident_id).await?;
        all.retain(|r| r.id == id);
        all.pop()
            .ok_or_else(|| Error::NotFound(format!("incident report {id}")))
    }

    /// Appends an event the rules accepted at sequence number `seq` (the number of events its
    /// actor saw), with the stage and level it leaves the incident in; a report sent or relayed
    /// is delivered to its recipients. If another event took that number meanwhile this is a
    /// conflict ([`MOVED_ON`]) and nothing is stored.
    pub async fn append_incident_event(
        &mut self,
        incident_id: i64,
        seq: i64,
        event: &Event,
        stage: Stage,
        level: &LevelId,
    ) -> Result<()> {
        let text = serde_json::to_string(event)
            .map_err(|e| Error::Invalid(format!("incident event: {e}")))?;
        crate::check_text("event", &text)?;
        let (report, unit) = event_columns(event);
        let by = self.actor().account_id;
        let name = self.actor_display_name().await?;
        let recorded = self.stamp();
        let at = event.at();
        run!(self.conn(), |c| sqlx::query(
            "INSERT INTO incident_events (incident_id, seq, action, report, unit_id, stage, level_id, event, at, by_account, by_name, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        )
        .bind(incident_id)
        .bind(seq)
        .bind(action_word(event))
        .bind(&report)
        .bind(unit)
        .bind(stage_word(stage))
        .bind(level.as_str())
        .bind(&text)
        .bind(at)
        .bind(by)
        .bind(&name)
        .bind(recorded)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| match Error::from_write(e, "incident event") {
            Error::Conflict(_) => Error::Conflict(MOVED_ON.into()),
            other => other,
        })?;
        let deliveries: Vec<(i64, Option<i64>, &str)> = match event {
            Event::Sent { to, channel, .. } => to
                .iter()
                .map(|u| {
                    (
                        u.0,
                        None,
                        match channel {
                            Channel::Phone => "phone",
                            Channel::Written => "written",
                        },
                    )
                })
                .collect(),
            Event::Relayed { from, to, .. } => vec![(to.0, Some(from.0), "relay")],
            _ => Vec::new(),
        };
        if !deliveries.is_empty() {
            let (reporting,): (i64,) = run!(self.conn(), |c| sqlx::query_as(
                "SELECT unit_id FROM incidents WHERE id = $1"
            )
            .bind(incident_id)
            .fetch_one(&mut *c)
            .await)?;
            for (to, from, channel) in deliveries {
                run!(self.conn(), |c| sqlx::query(
                    "INSERT INTO incident_deliveries (incident_id, seq, unit_id, from_unit_id, report, channel, at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)"
                )
                .bind(incident_id)
                .bind(seq)
                .bind(to)
                .bind(from.unwrap_or(reporting))
                .bind(report.as_deref().unwrap_or_default())
                .bind(channel)
                .bind(at)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected()))
                .map_err(|e| Error::from_write(e, "incident delivery"))?;
            }
        }
        self.record(
            if self.importing().is_some() {
                "incident.import_event"
            } else {
                "incident.event"
            },
            "incident",
            &incident_id.to_string(),
            &json!({ "seq": seq, "event": event, "stage": stage_word(stage), "level": level.as_str() }),
        )
        .await?;
        Ok(())
    }
}

// --------------------------------------------------------------------------- on the clock

/// A deadline of an open incident that a unit must still meet (or already missed), as 我的工作
/// lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PendingClock {
    pub incident_id: i64,
    pub title: String,
    /// The reporting unit.
    pub incident_unit_id: i64,
    /// The unit that must act (the reporting unit, or a recipient relaying it on).
    pub unit_id: i64,
    /// 初报, 上级要求的续报, 逐级上报 …
    pub what_zh: String,
    /// The deadline; none for 第一时间 (at once).
    pub due_at: Option<DateTime<Utc>>,
    pub timeliness: Timeliness,
}

/// An incident with everything the rules need to replay it.
pub struct Replayed {
    pub incident: Incident,
    pub policy: std::sync::Arc<Policy>,
    pub unit_kind: String,
    pub events: Vec<StoredEvent>,
    pub state: IncidentState,
}

impl Replayed {
    pub fn facts(&self) -> Facts<'_> {
        facts_of(&self.incident, &self.policy, &self.unit_kind)
    }
}

/// The facts of an incident the rules need, besides its events.
pub fn facts_of<'a>(incident: &Incident, policy: &'a Policy, unit_kind: &'a str) -> Facts<'a> {
    Facts {
        policy,
        unit: UnitId(incident.unit_id),
        unit_kind,
        // Stored ids were checked when the incident was reported.
        level: LevelId::parse(&incident.level_id)
            .unwrap_or_else(|| LevelId::parse("unknown").expect("a valid id")),
        known_at: incident.known_at,
    }
}

/// Caches of parsed policies and organisation snapshots (by incident unit: its ancestry) for a
/// batch of incidents.
#[derive(Default)]
pub struct ReplayCache {
    policies: HashMap<i64, std::sync::Arc<Policy>>,
    orgs: HashMap<i64, std::sync::Arc<Org>>,
}

impl ReplayCache {
    /// Replays `incident`; `None` when its installed policy is gone or no longer parses.
    pub async fn replay(
        &mut self,
        store: &Store,
        incident: Incident,
    ) -> Result<Option<(Replayed, std::sync::Arc<Org>)>> {
        let mut r = store.reader().await?;
        let policy = match self.policies.get(&incident.installed_policy_id) {
            Some(p) => p.clone(),
            None => {
                let Some(ip) = r.installed_policy(incident.installed_policy_id).await? else {
                    return Ok(None);
                };
                let Ok(p) = zeren_policy::parse(&format!("{}.toml", ip.policy_id), &ip.text) else {
                    return Ok(None);
                };
                let p = std::sync::Arc::new(p);
                self.policies.insert(ip.id, p.clone());
                p
            }
        };
        let path = r.path(incident.unit_id).await?;
        let events = r.incident_events(incident.id).await?;
        drop(r);
        let unit_kind = path.last().map(|u| u.kind.clone()).unwrap_or_default();
        // The clocks walk the incident unit's ancestry (who a report must reach, who holds the
        // role that signs it): its path is all they read, not the whole tree.
        let org = match self.orgs.get(&incident.unit_id) {
            Some(o) => o.clone(),
            None => {
                let o = std::sync::Arc::new(
                    crate::materialise::ancestry_snapshot(store, incident.unit_id).await?,
                );
                self.orgs.insert(incident.unit_id, o.clone());
                o
            }
        };
        let evs: Vec<Event> = events.iter().map(|e| e.event.clone()).collect();
        let state = IncidentState::replay(&facts_of(&incident, &policy, &unit_kind), &evs);
        let out = Replayed {
            incident,
            policy,
            unit_kind,
            events,
            state,
        };
        Ok(Some((out, org)))
    }
}

/// Whether a clock's kind is a report to make (not closure).
fn is_report_clock(k: &ClockKind) -> bool {
    !matches!(k, ClockKind::Closure)
}

/// The report deadlines of open incidents that these units must still meet — pending (a
/// countdown) or missed (漏报) — at `now`, the soonest first.
pub async fn pending_clocks(
    store: &Store,
    units: &[i64],
    now: DateTime<Utc>,
) -> Result<Vec<PendingClock>> {
    let incidents = store.reader().await?.open_incidents_touching(units).await?;
    let mut cache = ReplayCache::default();
    let mut out = Vec::new();
    for incident in incidents {
        let Some((rep, org)) = cache.replay(store, incident).await? else {
            continue;
        };
        let facts = rep.facts();
        for c in clocks(&facts, &org, &rep.state, now) {
            let waiting = c.done_at.is_none()
                && matches!(
                    c.timeliness,
                    Timeliness::Pending { .. }
                        | Timeliness::Missing { .. }
                        | Timeliness::Waiting { .. }
                );
            if waiting && is_report_clock(&c.kind) && units.contains(&c.unit.0) {
                out.push(PendingClock {
                    incident_id: rep.incident.id,
                    title: rep.incident.title.clone(),
                    incident_unit_id: rep.incident.unit_id,
                    unit_id: c.unit.0,
                    what_zh: c.kind.zh(),
                    due_at: c.due.at(),
                    timeliness: c.timeliness,
                });
            }
        }
    }
    out.sort_by_key(|p| (p.due_at.unwrap_or(now), p.incident_id));
    Ok(out)
}
