//! The ledger (台账): obligations materialised from installed policies, records that fulfil them,
//! their versions, participants and attachments, and the parent's acknowledgements. Versions are
//! only ever inserted (the database refuses updates and deletes); a correction is a new version.
//! Attachments are stored in the database, content-addressed by SHA-256 and checked when read,
//! so every instance sharing a PostgreSQL database sees the same files.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;

use crate::read::Read;
use crate::{bind_all, now, run, Error, Result, Write};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Obligation {
    pub id: i64,
    pub installed_policy_id: i64,
    pub policy_id: String,
    pub duty_id: String,
    pub title: String,
    pub unit_id: i64,
    pub person_id: Option<i64>,
    pub every: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub period_label: String,
    pub due_on: NaiveDate,
    pub times: i64,
    /// Evidence words, space separated (`minutes attendance`).
    pub evidence: String,
    pub report_to_parent: bool,
    pub created_at: DateTime<Utc>,
}

/// An obligation to create; the natural key is (unit, policy, duty, person, period start).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewObligation {
    pub installed_policy_id: i64,
    pub policy_id: String,
    pub duty_id: String,
    pub title: String,
    pub unit_id: i64,
    pub person_id: Option<i64>,
    pub every: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub period_label: String,
    pub due_on: NaiveDate,
    pub times: i64,
    pub evidence: String,
    pub report_to_parent: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RecordRow {
    pub id: i64,
    pub obligation_id: i64,
    pub current_version: i64,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RecordVersion {
    pub id: i64,
    pub record_id: i64,
    pub version: i64,
    pub work_date: NaiveDate,
    pub place: String,
    pub content: String,
    /// Why this version corrects the previous one (None for the first).
    pub reason: Option<String>,
    pub created_by: Option<i64>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    /// Participants from outside the roster (来宾), by name, one per line (a list in JSON).
    #[serde(serialize_with = "as_lines")]
    pub guests: String,
}

fn as_lines<S: serde::Serializer>(text: &str, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(text.lines().filter(|l| !l.is_empty()))
}

impl RecordVersion {
    /// The outside guests, in the order entered.
    pub fn guest_names(&self) -> Vec<String> {
        self.guests
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// A file attached to a version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AttachmentRef {
    pub version_id: i64,
    pub position: i64,
    pub file_name: String,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
}

/// A version with who took part and what is attached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VersionDetail {
    pub version: RecordVersion,
    pub participants: Vec<(i64, String)>,
    pub attachments: Vec<AttachmentRef>,
}

/// A record with all its versions, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordHistory {
    pub record: RecordRow,
    pub versions: Vec<VersionDetail>,
    pub acknowledgements: Vec<Acknowledgement>,
    /// The parent's returns (退回), oldest first.
    pub returns: Vec<RecordReturn>,
}

impl RecordHistory {
    pub fn current(&self) -> Option<&VersionDetail> {
        self.versions
            .iter()
            .find(|v| v.version.version == self.record.current_version)
    }

    /// The 签收 of the current version, if the parent has acknowledged it.
    pub fn acknowledged(&self) -> Option<&Acknowledgement> {
        self.acknowledgements
            .iter()
            .find(|a| a.version == self.record.current_version)
    }

    /// The 退回 of the current version, if the parent has returned it (and it is not corrected).
    pub fn returned(&self) -> Option<&RecordReturn> {
        self.returns
            .iter()
            .find(|x| x.version == self.record.current_version)
    }
}

/// What a person submits as a version of a record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NewVersion {
    pub work_date: NaiveDate,
    pub place: String,
    pub content: String,
    pub participants: Vec<i64>,
    /// Participants from outside the roster, by name (each a line of its own: no line breaks).
    pub guests: Vec<String>,
    /// (file name, SHA-256 of stored content), in order.
    pub attachments: Vec<(String, String)>,
    /// Required for corrections.
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Acknowledgement {
    pub id: i64,
    pub record_id: i64,
    pub version: i64,
    pub unit_id: i64,
    pub acknowledged_by: Option<i64>,
    /// 签收人: the person behind the account (its username only for an account without one).
    pub acknowledged_by_name: String,
    pub acknowledged_at: DateTime<Utc>,
    pub note: String,
}

/// 退回: the parent unit sends a record reported to it back to the unit, with a reason; the unit
/// corrects it as a new version, which waits for 签收 again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RecordReturn {
    pub id: i64,
    pub record_id: i64,
    /// The version returned.
    pub version: i64,
    /// The parent unit that returned it.
    pub unit_id: i64,
    pub returned_by: Option<i64>,
    pub returned_by_name: String,
    pub returned_at: DateTime<Utc>,
    pub reason: String,
}

/// A record reported to a parent unit whose current version waits for its 签收, as the parent's
/// lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AwaitingReceipt {
    pub record_id: i64,
    /// The version waiting (the one to acknowledge or return).
    pub version: i64,
    pub obligation_id: i64,
    pub title: String,
    pub period_label: String,
    pub due_on: NaiveDate,
    /// The reporting unit.
    pub unit_id: i64,
    pub unit_name: String,
    /// The parent it reports to.
    pub parent_id: i64,
    pub parent_name: String,
    /// When this version was entered, and by whom (by name).
    pub reported_at: DateTime<Utc>,
    pub reported_by: String,
    /// Returned before and corrected since (重新报送).
    pub resubmitted: bool,
}

/// A record of a unit whose current version the parent returned (退回), waiting for the unit's
/// correction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ReturnedRecord {
    pub record_id: i64,
    pub version: i64,
    pub obligation_id: i64,
    pub title: String,
    pub period_label: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub parent_name: String,
    pub returned_by_name: String,
    pub returned_at: DateTime<Utc>,
    pub reason: String,
}

/// An obligation with the work dates of its records' current versions and when the first record
/// was entered, from which its status follows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObligationProgress {
    pub obligation: Obligation,
    pub work_dates: Vec<NaiveDate>,
    pub records: i64,
    pub last_entered_at: Option<DateTime<Utc>>,
}

/// Which obligations to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObligationFilter {
    /// The unit and everything below it.
    pub subtree_of: Option<i64>,
    /// Exactly this unit.
    pub unit: Option<i64>,
    pub person: Option<i64>,
    pub duty: Option<String>,
    pub due_from: Option<NaiveDate>,
    pub due_to: Option<NaiveDate>,
    pub limit: Option<i64>,
}

/// How an obligation stands, as a list filters it: the statuses of `zeren_core::obligations`, and
/// every open one together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusFilter {
    /// Not done yet, whatever its due date.
    Open,
    Upcoming,
    DueSoon,
    Overdue,
    DoneOnTime,
    DoneLate,
}

/// One page of obligations, filtered and ordered in SQL by (due date, id): the list the API and
/// the list pages read. Whatever the filter, a page reads about as many rows as it shows — the
/// unit's or the subtree's obligations are found through indexes (`unit_ancestors` for a
/// subtree), the status from `done_on`, and the next page starts after the last row shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObligationPageQuery {
    pub unit: i64,
    /// The unit and everything below it.
    pub subtree: bool,
    pub person: Option<i64>,
    pub duty: Option<String>,
    pub status: Option<StatusFilter>,
    pub due_from: Option<NaiveDate>,
    pub due_to: Option<NaiveDate>,
    /// The day the status is computed for, and how many days before the due date it is "due
    /// soon".
    pub today: NaiveDate,
    pub due_soon_days: u32,
    /// Rows after this (due date, id): the last row of the previous page.
    pub after: Option<(NaiveDate, i64)>,
    /// At most this many rows (1 to [`MAX_PAGE`]).
    pub limit: i64,
}

/// The most rows one page of a list holds.
pub const MAX_PAGE: i64 = 1000;

/// A subtree of at most this many units is listed unit by unit (their obligations by the
/// (unit, due date) index, then sorted); a larger one by walking the due-date index and keeping
/// the rows whose unit is in the subtree, which stops after a page of them.
pub const SMALL_SUBTREE: i64 = 64;

/// An obligation as lists show it: the day it was fulfilled (its status follows) and how many
/// records it has.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ListedObligation {
    #[sqlx(flatten)]
    pub obligation: Obligation,
    pub done_on: Option<NaiveDate>,
    pub records: i64,
}

#[doc(hidden)]
pub enum Bind {
    I64(i64),
    Text(String),
    Date(NaiveDate),
    Time(DateTime<Utc>),
}

/// The current version of record `r` is neither acknowledged nor returned: it waits for 签收.
const AWAITING: &str = "NOT EXISTS (SELECT 1 FROM acknowledgements a WHERE a.record_id = r.id AND a.version = r.current_version)
    AND NOT EXISTS (SELECT 1 FROM record_returns x WHERE x.record_id = r.id AND x.version = r.current_version)";

/// The units where an account may edit (its edit and administer grants and everything below).
const EDITABLE: &str = "WITH RECURSIVE editable(id) AS (
        SELECT unit_id FROM grants WHERE account_id = $1 AND level IN ('edit', 'administer')
        UNION
        SELECT u.id FROM units u JOIN editable e ON u.parent_id = e.id)";

/// Records reported by the units directly below the editable units, waiting for 签收, with
/// what the lists show; ends in a WHERE clause that callers extend with `AND`. Driven by the
/// editable units, then their children, then the few rows of `awaiting_receipts` there (kept
/// with every record written and answered) — never by the reports of the whole tree. The
/// CROSS JOINs keep SQLite to that order: it knows nothing of the recursive CTE's size and
/// otherwise read every reported record (92 ms for a school's clerk at 10,000 units);
/// PostgreSQL plans them like any join.
const AWAITING_FOR_EDITOR: &str = "FROM editable e
    CROSS JOIN units c
    CROSS JOIN awaiting_receipts w
    CROSS JOIN records r
    CROSS JOIN obligations o
    CROSS JOIN units p
    CROSS JOIN record_versions v
    WHERE c.parent_id = e.id AND w.unit_id = c.id AND r.id = w.record_id
      AND o.id = r.obligation_id AND o.report_to_parent = TRUE AND p.id = c.parent_id
      AND v.record_id = r.id AND v.version = r.current_version";

const ACKNOWLEDGEMENT: &str = "SELECT a.id, a.record_id, a.version, a.unit_id, a.acknowledged_by,
        CASE WHEN a.acknowledged_by_name <> '' THEN a.acknowledged_by_name ELSE COALESCE(p.name, acc.username, '') END AS acknowledged_by_name,
        a.acknowledged_at, a.note
    FROM acknowledgements a LEFT JOIN accounts acc ON acc.id = a.acknowledged_by LEFT JOIN people p ON p.id = acc.person_id";

const RETURN: &str = "SELECT id, record_id, version, unit_id, returned_by, returned_by_name, returned_at, reason FROM record_returns";

const OBLIGATION: &str = "SELECT o.id, o.installed_policy_id, o.policy_id, o.duty_id, o.title, o.unit_id, o.person_id, o.every, o.period_start, o.period_end, o.period_label, o.due_on, o.times, o.evidence, o.report_to_parent, o.created_at FROM obligations o";
const SUBTREE: &str = "WITH RECURSIVE sub(id) AS (
        SELECT id FROM units WHERE id = $1
        UNION ALL
        SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)";

impl ObligationFilter {
    /// The WHERE clause and its binds, numbered from `$1` (or `$2` after the subtree's `$1`).
    fn sql(&self) -> (String, String, Vec<Bind>) {
        let mut binds = Vec::new();
        let mut conds = Vec::new();
        let mut with = String::new();
        if let Some(root) = self.subtree_of {
            with = SUBTREE.to_string();
            binds.push(Bind::I64(root));
            conds.push("o.unit_id IN (SELECT id FROM sub)".to_string());
        }
        let mut push = |cond: &str, b: Bind, binds: &mut Vec<Bind>| {
            binds.push(b);
            conds.push(cond.replace('?', &format!("${}", binds.len())));
        };
        if let Some(u) = self.unit {
            push("o.unit_id = ?", Bind::I64(u), &mut binds);
        }
        if let Some(p) = self.person {
            push("o.person_id = ?", Bind::I64(p), &mut binds);
        }
        if let Some(d) = &self.duty {
            push("o.duty_id = ?", Bind::Text(d.clone()), &mut binds);
        }
        if let Some(d) = self.due_from {
            push("o.due_on >= ?", Bind::Date(d), &mut binds);
        }
        if let Some(d) = self.due_to {
            push("o.due_on <= ?", Bind::Date(d), &mut binds);
        }
        let wh = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        (with, wh, binds)
    }
}

impl ObligationPageQuery {
    /// The page's SQL and binds; `small_subtree` picks the plan for a subtree (see
    /// [`SMALL_SUBTREE`]).
    #[doc(hidden)]
    pub fn sql(&self, small_subtree: bool) -> (String, Vec<Bind>) {
        let mut binds = vec![Bind::I64(self.unit)];
        let mut conds: Vec<String> = Vec::new();
        let from = match (self.subtree, small_subtree) {
            (false, _) => {
                conds.push("o.unit_id = $1".into());
                "obligations o"
            }
            (true, true) => {
                conds.push("a.ancestor_id = $1".into());
                conds.push("o.unit_id = a.unit_id".into());
                // CROSS JOIN keeps SQLite's join order: the units first (PostgreSQL plans
                // it like any join).
                "unit_ancestors a CROSS JOIN obligations o"
            }
            (true, false) => {
                conds.push(
                    "EXISTS (SELECT 1 FROM unit_ancestors a WHERE a.unit_id = o.unit_id AND a.ancestor_id = $1)"
                        .into(),
                );
                "obligations o"
            }
        };
        let push = |conds: &mut Vec<String>, binds: &mut Vec<Bind>, cond: &str, b: Bind| {
            binds.push(b);
            conds.push(cond.replace('?', &format!("${}", binds.len())));
        };
        if let Some(p) = self.person {
            push(&mut conds, &mut binds, "o.person_id = ?", Bind::I64(p));
        }
        if let Some(d) = &self.duty {
            // Unit by unit, the duty is checked on the unit's rows: as an expression it cannot
            // tempt the planner into the duty's index over the whole tree.
            let cond = if self.subtree && !small_subtree {
                "o.duty_id = ?"
            } else {
                "(o.duty_id || '') = ?"
            };
            push(&mut conds, &mut binds, cond, Bind::Text(d.clone()));
        }
        if let Some(d) = self.due_from {
            push(&mut conds, &mut binds, "o.due_on >= ?", Bind::Date(d));
        }
        if let Some(d) = self.due_to {
            push(&mut conds, &mut binds, "o.due_on <= ?", Bind::Date(d));
        }
        let soon = self
            .today
            .checked_add_days(chrono::Days::new(u64::from(self.due_soon_days)))
            .unwrap_or(self.today);
        match self.status {
            None => {}
            Some(StatusFilter::Open) => conds.push("o.done_on IS NULL".into()),
            Some(StatusFilter::Overdue) => {
                conds.push("o.done_on IS NULL".into());
                push(
                    &mut conds,
                    &mut binds,
                    "o.due_on < ?",
                    Bind::Date(self.today),
                );
            }
            Some(StatusFilter::DueSoon) => {
                conds.push("o.done_on IS NULL".into());
                push(
                    &mut conds,
                    &mut binds,
                    "o.due_on >= ?",
                    Bind::Date(self.today),
                );
                push(&mut conds, &mut binds, "o.due_on <= ?", Bind::Date(soon));
            }
            Some(StatusFilter::Upcoming) => {
                conds.push("o.done_on IS NULL".into());
                push(&mut conds, &mut binds, "o.due_on > ?", Bind::Date(soon));
            }
            Some(StatusFilter::DoneOnTime) => conds.push("o.done_on <= o.due_on".into()),
            Some(StatusFilter::DoneLate) => conds.push("o.done_on > o.due_on".into()),
        }
        if let Some((due, id)) = self.after {
            binds.push(Bind::Date(due));
            let d = binds.len();
            binds.push(Bind::I64(id));
            let i = binds.len();
            // The first term bounds the index range; the second skips the rows of the last
            // due date already shown.
            conds.push(format!(
                "o.due_on >= ${d} AND (o.due_on > ${d} OR o.id > ${i})"
            ));
        }
        let limit = self.limit.clamp(1, MAX_PAGE);
        let sql = format!(
            "SELECT o.id, o.installed_policy_id, o.policy_id, o.duty_id, o.title, o.unit_id, o.person_id, o.every, o.period_start, o.period_end, o.period_label, o.due_on, o.times, o.evidence, o.report_to_parent, o.created_at, o.done_on,
                    (SELECT CAST(count(*) AS BIGINT) FROM records r WHERE r.obligation_id = o.id) AS records
             FROM {from} WHERE {} ORDER BY o.due_on, o.id LIMIT {limit}",
            conds.join(" AND ")
        );
        (sql, binds)
    }
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    crate::audit::hex(&sha2::Sha256::digest(bytes))
}

/// The digest the audit chain keeps of a record version: everything a person submitted in it
/// (not when it was stored). Computed from stored rows when written and again when verified.
pub(crate) fn version_digest(
    alg: crate::HashAlg,
    v: &RecordVersion,
    participants: &[i64],
    files: &[(i64, String, String)],
) -> String {
    let mut participants = participants.to_vec();
    participants.sort_unstable();
    let canonical = json!({
        "record": v.record_id,
        "version": v.version,
        "work_date": v.work_date.to_string(),
        "place": v.place,
        "content": v.content,
        "reason": v.reason,
        "created_by": v.created_by,
        "created_by_name": v.created_by_name,
        "participants": participants,
        "files": files,
    });
    // Guests came later: a version without any digests as it always did.
    let mut canonical = canonical;
    if !v.guests.is_empty() {
        canonical["guests"] = json!(v.guests);
    }
    alg.digest(canonical.to_string().as_bytes())
}

/// How many outside guests one version may name.
pub const MAX_GUESTS: usize = 200;

impl NewVersion {
    fn check(&self) -> Result<()> {
        crate::check_text("place", &self.place)?;
        crate::check_text("content", &self.content)?;
        crate::check_text("reason", self.reason.as_deref().unwrap_or(""))?;
        for (name, _) in &self.attachments {
            crate::check_text("file name", name)?;
        }
        if self.guests.len() > MAX_GUESTS {
            return Err(Error::Invalid(format!(
                "guests: at most {MAX_GUESTS} names"
            )));
        }
        for g in &self.guests {
            crate::check_text("guest", g)?;
            if g.trim().is_empty() || g.chars().any(char::is_control) || g.chars().count() > 64 {
                return Err(Error::Invalid(
                    "guests: each a name of 1 to 64 characters on one line".into(),
                ));
            }
        }
        Ok(())
    }
}

#[allow(async_fn_in_trait)] // implemented only by this crate's concrete, Send types
pub trait LedgerRead: Read {
    async fn obligation(&mut self, id: i64) -> Result<Option<Obligation>> {
        let sql = format!("{OBLIGATION} WHERE o.id = $1");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?)
    }

    /// Obligations matching `f`, by due date, each with the work dates of its records.
    async fn obligations(&mut self, f: &ObligationFilter) -> Result<Vec<ObligationProgress>> {
        let (with, wh, binds) = f.sql();
        let limit = f
            .limit
            .map(|l| format!(" LIMIT {}", l.max(0)))
            .unwrap_or_default();
        let sql = format!("{with} {OBLIGATION}{wh} ORDER BY o.due_on, o.id{limit}");
        let rows: Vec<Obligation> = run!(self.conn(), |c| bind_all!(sqlx::query_as(&sql), &binds)
            .fetch_all(&mut *c)
            .await)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "{with} SELECT o.id, v.work_date, r.created_at FROM obligations o
             JOIN records r ON r.obligation_id = o.id
             JOIN record_versions v ON v.record_id = r.id AND v.version = r.current_version{wh}"
        );
        let dates: Vec<(i64, NaiveDate, DateTime<Utc>)> =
            run!(self.conn(), |c| bind_all!(sqlx::query_as(&sql), &binds)
                .fetch_all(&mut *c)
                .await)?;
        let mut by_id: std::collections::HashMap<i64, (Vec<NaiveDate>, Option<DateTime<Utc>>)> =
            std::collections::HashMap::new();
        for (id, d, at) in dates {
            let e = by_id.entry(id).or_default();
            e.0.push(d);
            e.1 = e.1.max(Some(at));
        }
        Ok(rows
            .into_iter()
            .map(|o| {
                let (work_dates, last) = by_id.remove(&o.id).unwrap_or_default();
                ObligationProgress {
                    records: work_dates.len() as i64,
                    work_dates,
                    last_entered_at: last,
                    obligation: o,
                }
            })
            .collect())
    }

    /// One page of obligations (see [`ObligationPageQuery`]): at most `limit` rows, by due date
    /// then id. A page shorter than `limit` is the last.
    async fn obligation_page(&mut self, q: &ObligationPageQuery) -> Result<Vec<ListedObligation>> {
        let small_subtree = if q.subtree {
            let (n,): (i64,) = run!(self.conn(), |c| {
                sqlx::query_as(
                "SELECT CAST(count(*) AS BIGINT) FROM (SELECT 1 FROM unit_ancestors WHERE ancestor_id = $1 LIMIT $2) s"
            )
            .bind(q.unit)
            .bind(SMALL_SUBTREE + 1)
            .fetch_one(&mut *c)
            .await
            })?;
            n <= SMALL_SUBTREE
        } else {
            false
        };
        self.obligation_page_planned(q, small_subtree).await
    }

    /// [`LedgerRead::obligation_page`] with the plan for a subtree chosen by the caller (tests
    /// compare both).
    #[doc(hidden)]
    async fn obligation_page_planned(
        &mut self,
        q: &ObligationPageQuery,
        small_subtree: bool,
    ) -> Result<Vec<ListedObligation>> {
        let (sql, binds) = q.sql(small_subtree);
        Ok(run!(self.conn(), |c| bind_all!(
            sqlx::query_as(&sql),
            &binds
        )
        .fetch_all(&mut *c)
        .await)?)
    }

    /// The database's plan for a page, a line per step: SQLite's `EXPLAIN QUERY PLAN`, or
    /// PostgreSQL's `EXPLAIN` with sequential scans priced out (a test database is too small
    /// for the planner to prefer an index on its own; what matters is that one serves).
    #[doc(hidden)]
    async fn obligation_page_plan(
        &mut self,
        q: &ObligationPageQuery,
        small_subtree: bool,
    ) -> Result<Vec<String>> {
        let (sql, binds) = q.sql(small_subtree);
        crate::explain(self.conn(), &sql, &binds).await
    }

    /// The records of an obligation with every version, oldest first.
    async fn records_of(&mut self, obligation_id: i64) -> Result<Vec<RecordHistory>> {
        let records: Vec<RecordRow> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT id, obligation_id, current_version, created_by, created_at FROM records WHERE obligation_id = $1 ORDER BY id"
        )
        .bind(obligation_id)
        .fetch_all(&mut *c)
        .await
        })?;
        let mut out = Vec::with_capacity(records.len());
        for r in records {
            out.push(self.record_history(r).await?);
        }
        Ok(out)
    }

    async fn record_by_id(&mut self, id: i64) -> Result<Option<RecordHistory>> {
        let r: Option<RecordRow> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT id, obligation_id, current_version, created_by, created_at FROM records WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(&mut *c)
        .await
        })?;
        match r {
            Some(r) => Ok(Some(self.record_history(r).await?)),
            None => Ok(None),
        }
    }

    #[doc(hidden)]
    async fn record_history(&mut self, record: RecordRow) -> Result<RecordHistory> {
        // Versions entered before 登记人 was stored by name hold the account's username: those
        // show the account's person instead. (The audit digest of a version is computed from
        // the stored row, never from this.)
        let versions: Vec<RecordVersion> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT v.id, v.record_id, v.version, v.work_date, v.place, v.content, v.reason, v.created_by,
                    CASE WHEN p.name IS NOT NULL AND acc.username = v.created_by_name THEN p.name ELSE v.created_by_name END AS created_by_name,
                    v.created_at, v.guests
             FROM record_versions v
             LEFT JOIN accounts acc ON acc.id = v.created_by LEFT JOIN people p ON p.id = acc.person_id
             WHERE v.record_id = $1 ORDER BY v.version"
        )
        .bind(record.id)
        .fetch_all(&mut *c)
        .await
        })?;
        let people: Vec<(i64, i64, String)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT rp.version_id, p.id, p.name FROM record_participants rp
             JOIN record_versions v ON v.id = rp.version_id JOIN people p ON p.id = rp.person_id
             WHERE v.record_id = $1 ORDER BY p.id"
        )
        .bind(record.id)
        .fetch_all(&mut *c)
        .await)?;
        let files: Vec<AttachmentRef> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT ra.version_id, ra.position, ra.file_name, ra.sha256, a.size, a.media_type
             FROM record_attachments ra JOIN record_versions v ON v.id = ra.version_id
             JOIN attachments a ON a.sha256 = ra.sha256
             WHERE v.record_id = $1 ORDER BY ra.version_id, ra.position"
        )
        .bind(record.id)
        .fetch_all(&mut *c)
        .await)?;
        let sql = format!("{ACKNOWLEDGEMENT} WHERE a.record_id = $1 ORDER BY a.id");
        let acknowledgements: Vec<Acknowledgement> = run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(record.id)
            .fetch_all(&mut *c)
            .await)?;
        let sql = format!("{RETURN} WHERE record_id = $1 ORDER BY id");
        let returns: Vec<RecordReturn> = run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(record.id)
            .fetch_all(&mut *c)
            .await)?;
        let versions = versions
            .into_iter()
            .map(|v| VersionDetail {
                participants: people
                    .iter()
                    .filter(|(vid, ..)| *vid == v.id)
                    .map(|(_, id, name)| (*id, name.clone()))
                    .collect(),
                attachments: files
                    .iter()
                    .filter(|f| f.version_id == v.id)
                    .cloned()
                    .collect(),
                version: v,
            })
            .collect();
        Ok(RecordHistory {
            record,
            versions,
            acknowledgements,
            returns,
        })
    }

    /// A stored file, checked against its SHA-256 before it is handed out.
    async fn attachment(&mut self, sha256: &str) -> Result<Option<(String, Vec<u8>)>> {
        let row: Option<(String, Vec<u8>)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT media_type, content FROM attachments WHERE sha256 = $1"
        )
        .bind(sha256)
        .fetch_optional(&mut *c)
        .await)?;
        match row {
            Some((media_type, bytes)) => {
                if sha256_hex(&bytes) != sha256 {
                    return Err(Error::Invalid(format!(
                        "stored file {sha256} does not match its checksum"
                    )));
                }
                Ok(Some((media_type, bytes)))
            }
            None => Ok(None),
        }
    }

    /// The records this account entered most recently (any version), newest first.
    async fn recent_records_by(
        &mut self,
        account_id: i64,
        limit: i64,
    ) -> Result<Vec<(Obligation, RecordVersion)>> {
        let versions: Vec<RecordVersion> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT id, record_id, version, work_date, place, content, reason, created_by, created_by_name, created_at, guests
             FROM record_versions WHERE created_by = $1 ORDER BY id DESC LIMIT $2"
        )
        .bind(account_id)
        .bind(limit)
        .fetch_all(&mut *c)
        .await
        })?;
        let mut out = Vec::with_capacity(versions.len());
        for v in versions {
            let sql =
                format!("{OBLIGATION} JOIN records r ON r.obligation_id = o.id WHERE r.id = $1");
            let o: Option<Obligation> = run!(self.conn(), |c| sqlx::query_as(&sql)
                .bind(v.record_id)
                .fetch_optional(&mut *c)
                .await)?;
            if let Some(o) = o {
                out.push((o, v));
            }
        }
        Ok(out)
    }

    /// The account whose calendar feed has this token hash.
    async fn calendar_feed_account(&mut self, token_hash: &str) -> Result<Option<i64>> {
        let row: Option<(i64,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT account_id FROM calendar_feeds WHERE token_hash = $1"
        )
        .bind(token_hash)
        .fetch_optional(&mut *c)
        .await)?;
        Ok(row.map(|(a,)| a))
    }

    /// Whether the account has a calendar feed.
    async fn has_calendar_feed(&mut self, account_id: i64) -> Result<bool> {
        let row: Option<(i64,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT account_id FROM calendar_feeds WHERE account_id = $1"
        )
        .bind(account_id)
        .fetch_optional(&mut *c)
        .await)?;
        Ok(row.is_some())
    }

    /// Records reported to `parent` by the units directly below it whose current version waits
    /// for its 签收 (neither acknowledged nor returned), oldest first.
    async fn inbox(&mut self, parent: i64) -> Result<Vec<(Obligation, RecordRow)>> {
        let sql = format!(
            "{OBLIGATION} JOIN units u ON u.id = o.unit_id
             WHERE u.parent_id = $1 AND o.report_to_parent = TRUE
               AND EXISTS (SELECT 1 FROM records r WHERE r.obligation_id = o.id AND {AWAITING})
             ORDER BY o.due_on, o.id"
        );
        let obligations: Vec<Obligation> = run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(parent)
            .fetch_all(&mut *c)
            .await)?;
        let mut out = Vec::new();
        let sql = format!(
            "SELECT r.id, r.obligation_id, r.current_version, r.created_by, r.created_at FROM records r
             WHERE r.obligation_id = $1 AND {AWAITING} ORDER BY r.id"
        );
        for o in obligations {
            let records: Vec<RecordRow> = run!(self.conn(), |c| sqlx::query_as(&sql)
                .bind(o.id)
                .fetch_all(&mut *c)
                .await)?;
            out.extend(records.into_iter().map(|r| (o.clone(), r)));
        }
        Ok(out)
    }

    /// What waits for this account's 签收: records reported by the child units of every unit it
    /// may edit, whose current version is neither acknowledged nor returned — oldest report
    /// first, at most `limit`. One indexed query, not a walk over the ledger.
    async fn awaiting_receipt(
        &mut self,
        account_id: i64,
        limit: i64,
    ) -> Result<Vec<AwaitingReceipt>> {
        let sql = format!(
            "{EDITABLE}
             SELECT r.id AS record_id, r.current_version AS version, o.id AS obligation_id, o.title,
                    o.period_label, o.due_on, c.id AS unit_id, c.name AS unit_name,
                    p.id AS parent_id, p.name AS parent_name,
                    v.created_at AS reported_at, v.created_by_name AS reported_by,
                    EXISTS (SELECT 1 FROM record_returns y WHERE y.record_id = r.id) AS resubmitted
             {AWAITING_FOR_EDITOR}
               AND {AWAITING}
             ORDER BY v.created_at, r.id LIMIT $2"
        );
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(account_id)
            .bind(limit.max(0))
            .fetch_all(&mut *c)
            .await)?)
    }

    /// How many records wait for this account's 签收 (the navigation's count).
    async fn awaiting_receipt_count(&mut self, account_id: i64) -> Result<i64> {
        let sql = format!("{EDITABLE} SELECT COUNT(*) {AWAITING_FOR_EDITOR} AND {AWAITING}");
        let (n,): (i64,) = run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(account_id)
            .fetch_one(&mut *c)
            .await)?;
        Ok(n)
    }

    /// Records of these units whose current version the parent returned (退回), waiting for the
    /// unit's correction, most recently returned first.
    async fn returned_records(&mut self, units: &[i64]) -> Result<Vec<ReturnedRecord>> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=units.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT r.id AS record_id, r.current_version AS version, o.id AS obligation_id, o.title,
                    o.period_label, c.id AS unit_id, c.name AS unit_name, COALESCE(p.name, '') AS parent_name,
                    x.returned_by_name, x.returned_at, x.reason
             FROM obligations o
             JOIN units c ON c.id = o.unit_id
             LEFT JOIN units p ON p.id = c.parent_id
             JOIN records r ON r.obligation_id = o.id
             JOIN record_returns x ON x.record_id = r.id AND x.version = r.current_version
             WHERE o.report_to_parent = TRUE AND o.unit_id IN ({})
             ORDER BY x.returned_at DESC, r.id",
            marks.join(", ")
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

impl<T: Read> LedgerRead for T {}

impl Write {
    /// Creates the obligations that do not exist yet (by natural key; those that do are left
    /// alone) with multi-row inserts and one audit entry listing the ids created, unit by unit,
    /// and returns the ids created. Several instances may run this at once: the key keeps one of each.
    pub async fn materialise_obligations(&mut self, rows: &[NewObligation]) -> Result<Vec<i64>> {
        const COLS: usize = 16;
        // sqlx looks bind parameters up by name, which costs more than linear in their number:
        // a few hundred parameters per statement is the fast middle ground.
        const CHUNK: usize = 32;
        let at = now();
        let mut created: Vec<(i64, i64)> = Vec::new();
        let mut counted: Vec<crate::oversight::Delta> = Vec::new();
        for chunk in rows.chunks(CHUNK) {
            let values: Vec<String> = (0..chunk.len())
                .map(|r| {
                    let ps: Vec<String> =
                        (1..=COLS).map(|c| format!("${}", r * COLS + c)).collect();
                    format!("({})", ps.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO obligations (installed_policy_id, policy_id, duty_id, title, unit_id, person_id, person_key, every,
                    period_start, period_end, period_label, due_on, times, evidence, report_to_parent, created_at)
                 VALUES {}
                 ON CONFLICT (unit_id, policy_id, duty_id, person_key, period_start) DO NOTHING
                 RETURNING id, unit_id, policy_id, duty_id, title, due_on",
                values.join(", ")
            );
            let ids: Vec<(i64, i64, String, String, String, NaiveDate)> = run!(self.conn(), |c| {
                let mut q = sqlx::query_as(&sql);
                for o in chunk {
                    q = q
                        .bind(o.installed_policy_id)
                        .bind(&o.policy_id)
                        .bind(&o.duty_id)
                        .bind(&o.title)
                        .bind(o.unit_id)
                        .bind(o.person_id)
                        .bind(o.person_id.unwrap_or(0))
                        .bind(&o.every)
                        .bind(o.period_start)
                        .bind(o.period_end)
                        .bind(&o.period_label)
                        .bind(o.due_on)
                        .bind(o.times)
                        .bind(&o.evidence)
                        .bind(o.report_to_parent)
                        .bind(at);
                }
                q.fetch_all(&mut *c).await
            })
            .map_err(|e| Error::from_write(e, "obligation"))?;
            for (id, unit_id, policy_id, duty_id, title, due_on) in ids {
                created.push((id, unit_id));
                counted.push(crate::oversight::Delta {
                    unit_id,
                    policy_id,
                    duty_id,
                    title,
                    due_on,
                    c: zeren_core::oversight::Counts::new(1, 0, 0),
                });
            }
        }
        if !created.is_empty() {
            // One entry for the whole batch (its state lists every obligation created, unit by
            // unit): an entry per unit cost three statements each and dominated large runs.
            let mut by_unit: std::collections::BTreeMap<i64, Vec<i64>> =
                std::collections::BTreeMap::new();
            for (id, unit) in &created {
                by_unit.entry(*unit).or_default().push(*id);
            }
            for ids in by_unit.values_mut() {
                ids.sort_unstable();
            }
            let lo = created.iter().map(|(id, _)| *id).min().unwrap_or_default();
            let hi = created.iter().map(|(id, _)| *id).max().unwrap_or_default();
            self.record(
                "obligations.materialise",
                "obligations",
                &format!("{lo}-{hi}"),
                &json!({ "created_by_unit": by_unit }),
            )
            .await?;
        }
        self.apply_tally(counted).await?;
        Ok(created.into_iter().map(|(id, _)| id).collect())
    }

    /// Removes obligations of periods that have not begun, unless they carry records: a change of
    /// holder or of the tree changes only the future. Returns the ids removed.
    pub async fn remove_future_obligations(
        &mut self,
        ids: &[i64],
        today: NaiveDate,
    ) -> Result<Vec<i64>> {
        self.remove_obligations(ids, today, "period_start > $2")
            .await
    }

    /// Removes obligations whose period has not ended, unless they carry records: for a policy
    /// removed from a unit or switched for another, whose duties nobody asks for any more.
    /// Ended periods (the past) are kept. Returns the ids removed.
    pub async fn remove_unended_obligations(
        &mut self,
        ids: &[i64],
        today: NaiveDate,
    ) -> Result<Vec<i64>> {
        self.remove_obligations(ids, today, "period_end >= $2")
            .await
    }

    async fn remove_obligations(
        &mut self,
        ids: &[i64],
        today: NaiveDate,
        when: &str,
    ) -> Result<Vec<i64>> {
        let mut removed = Vec::new();
        let mut counted = Vec::new();
        let sql = format!(
            "DELETE FROM obligations WHERE id = $1 AND {when}
               AND NOT EXISTS (SELECT 1 FROM records r WHERE r.obligation_id = obligations.id)
             RETURNING id, unit_id, policy_id, duty_id, title, due_on"
        );
        for &id in ids {
            let gone: Option<(i64, i64, String, String, String, NaiveDate)> =
                run!(self.conn(), |c| sqlx::query_as(&sql)
                    .bind(id)
                    .bind(today)
                    .fetch_optional(&mut *c)
                    .await)?;
            if let Some((id, unit_id, policy_id, duty_id, title, due_on)) = gone {
                // Without records it was open: one fewer, nothing done.
                counted.push(crate::oversight::Delta {
                    unit_id,
                    policy_id,
                    duty_id,
                    title,
                    due_on,
                    c: zeren_core::oversight::Counts::new(-1, 0, 0),
                });
                self.record(
                    "obligation.remove",
                    "obligation",
                    &id.to_string(),
                    &json!({ "removed": true }),
                )
                .await?;
                removed.push(id);
            }
        }
        self.apply_tally(counted).await?;
        Ok(removed)
    }

    /// Stores a file (once per content) and returns its SHA-256.
    pub async fn put_attachment(&mut self, bytes: &[u8], media_type: &str) -> Result<String> {
        crate::check_text("media type", media_type)?;
        let sha = sha256_hex(bytes);
        let at = self.stamp();
        let inserted = run!(self.conn(), |c| {
            sqlx::query(
            "INSERT INTO attachments (sha256, size, media_type, content, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (sha256) DO NOTHING"
        )
        .bind(&sha)
        .bind(bytes.len() as i64)
        .bind(media_type)
        .bind(bytes)
        .bind(at)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())
        })?;
        if inserted > 0 {
            self.record_with(
                "attachment.store",
                "attachment",
                &sha,
                &json!({ "size": bytes.len(), "media_type": media_type }),
                Some(json!({ "files": [&sha] })),
            )
            .await?;
        }
        Ok(sha)
    }

    /// Submits the first version of a new record for an obligation.
    pub async fn create_record(
        &mut self,
        obligation_id: i64,
        v: &NewVersion,
    ) -> Result<RecordHistory> {
        v.check()?;
        let by = self.actor().account_id;
        let at = self.stamp();
        let record: RecordRow = run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO records (obligation_id, current_version, created_by, created_at) VALUES ($1, 1, $2, $3)
             RETURNING id, obligation_id, current_version, created_by, created_at"
        )
        .bind(obligation_id)
        .bind(by)
        .bind(at)
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| Error::from_write(e, "record"))?;
        self.insert_version(record.id, 1, v).await?;
        let history = self
            .record_by_id(record.id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("record {}", record.id)))?;
        let action = if self.importing().is_some() {
            "record.import"
        } else {
            "record.create"
        };
        self.record_audit(action, &history).await?;
        self.refresh_fulfilment(obligation_id).await?;
        self.refresh_awaiting(history.record.id).await?;
        Ok(history)
    }

    /// Submits a correction: a new version with a reason. `expected_version` is the version the
    /// person corrected; if someone corrected it meanwhile, this is a conflict.
    pub async fn correct_record(
        &mut self,
        record_id: i64,
        expected_version: i64,
        v: &NewVersion,
    ) -> Result<RecordHistory> {
        if v.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(Error::Invalid("a correction needs a reason".into()));
        }
        v.check()?;
        let next = expected_version + 1;
        let updated = run!(self.conn(), |c| sqlx::query(
            "UPDATE records SET current_version = $2 WHERE id = $1 AND current_version = $3"
        )
        .bind(record_id)
        .bind(next)
        .bind(expected_version)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        if updated == 0 {
            return Err(Error::Conflict(format!(
                "record {record_id} is no longer at version {expected_version}"
            )));
        }
        self.insert_version(record_id, next, v).await?;
        let history = self
            .record_by_id(record_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("record {record_id}")))?;
        let action = if self.importing().is_some() {
            "record.import_correction"
        } else {
            "record.correct"
        };
        self.record_audit(action, &history).await?;
        self.refresh_fulfilment(history.record.obligation_id)
            .await?;
        self.refresh_awaiting(record_id).await?;
        Ok(history)
    }

    async fn insert_version(
        &mut self,
        record_id: i64,
        version: i64,
        v: &NewVersion,
    ) -> Result<i64> {
        let by = self.actor().account_id;
        // 登记人 by name: the person behind the account, as people know them.
        let name = self.actor_display_name().await?;
        let at = self.stamp();
        let (vid,): (i64,) = run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO record_versions (record_id, version, work_date, place, content, reason, created_by, created_by_name, created_at, guests)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"
        )
        .bind(record_id)
        .bind(version)
        .bind(v.work_date)
        .bind(&v.place)
        .bind(&v.content)
        .bind(&v.reason)
        .bind(by)
        .bind(&name)
        .bind(at)
        .bind(v.guests.join("\n"))
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| Error::from_write(e, "record version"))?;
        for p in &v.participants {
            run!(self.conn(), |c| sqlx::query(
                "INSERT INTO record_participants (version_id, person_id) VALUES ($1, $2)"
            )
            .bind(vid)
            .bind(*p)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))
            .map_err(|e| Error::from_write(e, "participant"))?;
        }
        for (i, (name, sha)) in v.attachments.iter().enumerate() {
            run!(self.conn(), |c| sqlx::query(
                "INSERT INTO record_attachments (version_id, position, file_name, sha256) VALUES ($1, $2, $3, $4)"
            )
            .bind(vid)
            .bind(i as i64)
            .bind(name)
            .bind(sha)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))
            .map_err(|e| Error::from_write(e, "attachment"))?;
        }
        Ok(vid)
    }

    async fn record_audit(&mut self, action: &str, h: &RecordHistory) -> Result<()> {
        let current = h.current().expect("a record has its current version");
        let participants: Vec<i64> = current.participants.iter().map(|(id, _)| *id).collect();
        let files: Vec<(i64, String, String)> = current
            .attachments
            .iter()
            .map(|a| (a.position, a.file_name.clone(), a.sha256.clone()))
            .collect();
        let digest = version_digest(self.alg(), &current.version, &participants, &files);
        // What verification compares with the database: this version's content, that the
        // record points at it, and that its files are stored unchanged.
        let mut details = json!({
            "record": { "id": h.record.id, "version": current.version.version, "digest": digest },
            "files": files.iter().map(|(_, _, sha)| sha).collect::<Vec<_>>(),
        });
        if let Some(at) = self.importing() {
            details["imported_at"] = json!(at);
        }
        self.record_with(
            action,
            "record",
            &h.record.id.to_string(),
            &json!({ "record": h.record, "version": current }),
            Some(details),
        )
        .await?;
        Ok(())
    }

    /// Sets the date an installed policy takes effect (本办法自…起施行), from which its obligations
    /// start, when that is not the day it was installed.
    pub async fn set_policy_effective_from(
        &mut self,
        installed_id: i64,
        from: NaiveDate,
    ) -> Result<()> {
        let n = run!(self.conn(), |c| sqlx::query(
            "UPDATE installed_policies SET effective_from = $2 WHERE id = $1"
        )
        .bind(installed_id)
        .bind(from)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(Error::NotFound(format!("installed policy {installed_id}")));
        }
        self.record(
            "policy.effective_from",
            "policy",
            &installed_id.to_string(),
            &json!({ "effective_from": from }),
        )
        .await?;
        Ok(())
    }

    /// Gives the account a new calendar feed token (replacing any earlier one, whose URL stops
    /// working). Only the hash is stored.
    pub async fn set_calendar_feed(&mut self, account_id: i64, token_hash: &str) -> Result<()> {
        run!(self.conn(), |c| {
            sqlx::query(
            "INSERT INTO calendar_feeds (account_id, token_hash, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (account_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at"
        )
        .bind(account_id)
        .bind(token_hash)
        .bind(now())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())
        })?;
        self.record(
            "calendar_feed.set",
            "account",
            &account_id.to_string(),
            &json!({ "renewed": true }),
        )
        .await?;
        Ok(())
    }

    /// Takes the record's row lock (PostgreSQL; SQLite has one writer anyway) and returns its
    /// current version, which must be `seen` when given: 签收, 退回 and corrections of one record
    /// happen one after the other, each on the version its author read.
    async fn lock_record(&mut self, record_id: i64, seen: Option<i64>) -> Result<i64> {
        let row: Option<(i64,)> = run!(self.conn(), |c| sqlx::query_as(
            "UPDATE records SET current_version = current_version
             WHERE id = $1 AND ($2 < 0 OR current_version = $2) RETURNING current_version"
        )
        .bind(record_id)
        .bind(seen.unwrap_or(-1))
        .fetch_optional(&mut *c)
        .await)?;
        match (row, seen) {
            (Some((v,)), _) => Ok(v),
            (None, Some(v)) if self.record_by_id(record_id).await?.is_some() => Err(
                Error::Conflict(format!("record {record_id} is no longer at version {v}")),
            ),
            (None, _) => Err(Error::NotFound(format!("record {record_id}"))),
        }
    }

    /// Whether the parent already answered this version: acknowledged or returned it.
    async fn answered(&mut self, record_id: i64, version: i64) -> Result<Option<&'static str>> {
        let row: Option<(String,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT 'acknowledged' FROM acknowledgements WHERE record_id = $1 AND version = $2
             UNION ALL
             SELECT 'returned' FROM record_returns WHERE record_id = $1 AND version = $2"
        )
        .bind(record_id)
        .bind(version)
        .fetch_optional(&mut *c)
        .await)?;
        Ok(row.map(|(w,)| {
            if w == "returned" {
                "returned"
            } else {
                "acknowledged"
            }
        }))
    }

    /// The parent unit acknowledges (签收) the current version of a record.
    /// `seen` is the version the acknowledger read: if the record was corrected since, this is a
    /// conflict rather than an acknowledgement of a version nobody looked at. A version already
    /// acknowledged or returned is a conflict too.
    pub async fn acknowledge(
        &mut self,
        record_id: i64,
        unit_id: i64,
        note: &str,
        seen: Option<i64>,
    ) -> Result<Acknowledgement> {
        crate::check_text("note", note)?;
        let version = self.lock_record(record_id, seen).await?;
        if let Some(how) = self.answered(record_id, version).await? {
            return Err(Error::Conflict(format!(
                "record {record_id} version {version} is already {how}"
            )));
        }
        let by = self.actor().account_id;
        let name = self.actor_display_name().await?;
        let at = self.stamp();
        let a: Acknowledgement = run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO acknowledgements (record_id, version, unit_id, acknowledged_by, acknowledged_by_name, acknowledged_at, note)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             RETURNING id, record_id, version, unit_id, acknowledged_by, acknowledged_by_name, acknowledged_at, note"
        )
        .bind(record_id)
        .bind(version)
        .bind(unit_id)
        .bind(by)
        .bind(&name)
        .bind(at)
        .bind(note)
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| Error::from_write(e, "acknowledgement"))?;
        let action = if self.importing().is_some() {
            "record.import_acknowledgement"
        } else {
            "record.acknowledge"
        };
        let details = self.importing().map(|at| json!({ "imported_at": at }));
        self.record_with(action, "record", &record_id.to_string(), &a, details)
            .await?;
        self.refresh_awaiting(record_id).await?;
        Ok(a)
    }

    /// The parent unit returns (退回) the current version of a record reported to it, with a
    /// reason: the unit is to correct it, and the correction waits for 签收 again. `seen` as for
    /// [`Write::acknowledge`]; a version already acknowledged or returned is a conflict.
    pub async fn return_record(
        &mut self,
        record_id: i64,
        unit_id: i64,
        reason: &str,
        seen: Option<i64>,
    ) -> Result<RecordReturn> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::Invalid("a return needs a reason".into()));
        }
        crate::check_text("reason", reason)?;
        let version = self.lock_record(record_id, seen).await?;
        if let Some(how) = self.answered(record_id, version).await? {
            return Err(Error::Conflict(format!(
                "record {record_id} version {version} is already {how}"
            )));
        }
        let by = self.actor().account_id;
        let name = self.actor_display_name().await?;
        let at = self.stamp();
        let x: RecordReturn = run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO record_returns (record_id, version, unit_id, returned_by, returned_by_name, returned_at, reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             RETURNING id, record_id, version, unit_id, returned_by, returned_by_name, returned_at, reason"
        )
        .bind(record_id)
        .bind(version)
        .bind(unit_id)
        .bind(by)
        .bind(&name)
        .bind(at)
        .bind(reason)
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| Error::from_write(e, "return"))?;
        let action = if self.importing().is_some() {
            "record.import_return"
        } else {
            "record.return"
        };
        let details = self.importing().map(|at| json!({ "imported_at": at }));
        self.record_with(action, "record", &record_id.to_string(), &x, details)
            .await?;
        self.refresh_awaiting(record_id).await?;
        Ok(x)
    }
}
