//! Reports upward on request (临时报送): a unit asks some or all of the units below it for a report
//! by a date — as text, an attachment, or a small form of fields — and tracks who submitted;
//! each submission is a version (a returned one is submitted again), and each version is answered
//! once, acknowledged (签收) or returned (退回) with a reason. Nothing is edited.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;

use crate::read::Read;
use crate::{placeholders, run, Error, Result, Write};

pub const TEMPLATE_WORDS: &[&str] = &["text", "attachment", "form"];

/// A request. Never edited.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReportRequest {
    pub id: i64,
    /// The requesting unit.
    pub unit_id: i64,
    pub title: String,
    pub instructions: String,
    /// `text`, `attachment` or `form`.
    pub template: String,
    /// The form's fields (labels), in order; empty unless `form`.
    pub fields: Vec<String>,
    pub due_on: NaiveDate,
    pub created_by: Option<i64>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: i64,
    unit_id: i64,
    title: String,
    instructions: String,
    template: String,
    fields: String,
    due_on: NaiveDate,
    created_by: Option<i64>,
    created_by_name: String,
    created_at: DateTime<Utc>,
}

impl RequestRow {
    fn into_request(self) -> Result<ReportRequest> {
        Ok(ReportRequest {
            fields: serde_json::from_str(&self.fields)
                .map_err(|e| Error::Invalid(format!("stored fields: {e}")))?,
            id: self.id,
            unit_id: self.unit_id,
            title: self.title,
            instructions: self.instructions,
            template: self.template,
            due_on: self.due_on,
            created_by: self.created_by,
            created_by_name: self.created_by_name,
            created_at: self.created_at,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewReportRequest {
    pub unit_id: i64,
    pub title: String,
    pub instructions: String,
    pub template: String,
    pub fields: Vec<String>,
    pub due_on: NaiveDate,
    /// The units asked (below the requesting unit).
    pub units: Vec<i64>,
}

/// A file of a submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SubmissionFile {
    pub submission_id: i64,
    pub position: i64,
    pub file_name: String,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
}

/// How a submission was answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Answer {
    /// `acknowledged` or `returned`.
    pub kind: String,
    pub note: String,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

/// One version of a unit's report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Submission {
    pub id: i64,
    pub request_id: i64,
    pub unit_id: i64,
    pub version: i64,
    pub text: String,
    /// The form's answers, in the order of the fields.
    pub answers: Vec<String>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    pub files: Vec<SubmissionFile>,
    pub answer: Option<Answer>,
}

#[derive(sqlx::FromRow)]
struct SubmissionRow {
    id: i64,
    request_id: i64,
    unit_id: i64,
    version: i64,
    text: String,
    answers: String,
    created_by_name: String,
    created_at: DateTime<Utc>,
    kind: Option<String>,
    note: Option<String>,
    by_name: Option<String>,
    at: Option<DateTime<Utc>>,
}

/// A unit asked, with its name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AskedUnit {
    pub unit_id: i64,
    pub name: String,
}

const REQUEST_COLUMNS: &str = "q.id, q.unit_id, q.title, q.instructions, q.template, q.fields, q.due_on, q.created_by, q.created_by_name, q.created_at";

#[allow(async_fn_in_trait)] // implemented only by this crate's concrete, Send types
pub trait ReportRequestRead: Read {
    async fn report_request(&mut self, id: i64) -> Result<Option<ReportRequest>> {
        let sql = format!("SELECT {REQUEST_COLUMNS} FROM report_requests q WHERE q.id = $1");
        let row: Option<RequestRow> = run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?;
        row.map(RequestRow::into_request).transpose()
    }

    /// The requests a unit made, the latest due first.
    async fn report_requests_by(&mut self, unit_id: i64) -> Result<Vec<ReportRequest>> {
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM report_requests q WHERE q.unit_id = $1
             ORDER BY q.due_on DESC, q.id DESC LIMIT 500"
        );
        let rows: Vec<RequestRow> = run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(unit_id)
            .fetch_all(&mut *c)
            .await)?;
        rows.into_iter().map(RequestRow::into_request).collect()
    }

    /// The requests made of any of these units, with the unit asked, the soonest due first.
    async fn report_requests_to(&mut self, units: &[i64]) -> Result<Vec<(ReportRequest, i64)>> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {REQUEST_COLUMNS}, x.unit_id AS asked FROM report_requests q
             JOIN report_request_units x ON x.request_id = q.id
             WHERE x.unit_id IN ({}) ORDER BY q.due_on, q.id LIMIT 500",
            placeholders(1, units.len())
        );
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            q: RequestRow,
            asked: i64,
        }
        let rows: Vec<Row> = run!(self.conn(), |c| {
            let mut q = sqlx::query_as(&sql);
            for u in units {
                q = q.bind(*u);
            }
            q.fetch_all(&mut *c).await
        })?;
        rows.into_iter()
            .map(|r| Ok((r.q.into_request()?, r.asked)))
            .collect()
    }

    async fn asked_units(&mut self, request_id: i64) -> Result<Vec<AskedUnit>> {
        Ok(run!(self.conn(), |c| sqlx::query_as(
            "SELECT x.unit_id, u.name FROM report_request_units x JOIN units u ON u.id = x.unit_id
             WHERE x.request_id = $1 ORDER BY u.name, u.id"
        )
        .bind(request_id)
        .fetch_all(&mut *c)
        .await)?)
    }

    /// Every version submitted for a request, by unit and version, with files and answers.
    async fn submissions(&mut self, request_id: i64) -> Result<Vec<Submission>> {
        let rows: Vec<SubmissionRow> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT s.id, s.request_id, s.unit_id, s.version, s.text, s.answers, s.created_by_name, s.created_at,
                    a.kind, a.note, a.by_name, a.at
             FROM report_submissions s LEFT JOIN report_answers a ON a.submission_id = s.id
             WHERE s.request_id = $1 ORDER BY s.unit_id, s.version"
        )
        .bind(request_id)
        .fetch_all(&mut *c)
        .await
        })?;
        let files: Vec<SubmissionFile> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT f.submission_id, f.position, f.file_name, f.sha256, a.size, a.media_type
             FROM report_submission_files f JOIN report_submissions s ON s.id = f.submission_id
             JOIN attachments a ON a.sha256 = f.sha256
             WHERE s.request_id = $1 ORDER BY f.submission_id, f.position"
        )
        .bind(request_id)
        .fetch_all(&mut *c)
        .await)?;
        rows.into_iter()
            .map(|r| {
                Ok(Submission {
                    answers: serde_json::from_str(&r.answers)
                        .map_err(|e| Error::Invalid(format!("stored answers: {e}")))?,
                    files: files
                        .iter()
                        .filter(|f| f.submission_id == r.id)
                        .cloned()
                        .collect(),
                    answer: match (r.kind, r.note, r.by_name, r.at) {
                        (Some(kind), Some(note), Some(by_name), Some(at)) => Some(Answer {
                            kind,
                            note,
                            by_name,
                            at,
                        }),
                        _ => None,
                    },
                    id: r.id,
                    request_id: r.request_id,
                    unit_id: r.unit_id,
                    version: r.version,
                    text: r.text,
                    created_by_name: r.created_by_name,
                    created_at: r.created_at,
                })
            })
            .collect()
    }
}

impl<T: Read> ReportRequestRead for T {}

impl Write {
    pub async fn create_report_request(&mut self, n: &NewReportRequest) -> Result<ReportRequest> {
        crate::check_text("title", &n.title)?;
        crate::check_text("instructions", &n.instructions)?;
        if !TEMPLATE_WORDS.contains(&n.template.as_str()) {
            return Err(Error::Invalid(format!("template {}", n.template)));
        }
        if n.units.is_empty() {
            return Err(Error::Invalid("a request asks at least one unit".into()));
        }
        let fields =
            serde_json::to_string(&n.fields).map_err(|e| Error::Invalid(format!("fields: {e}")))?;
        crate::check_text("fields", &fields)?;
        let by = self.actor().account_id;
        let name = self.actor_display_name().await?;
        let at = self.stamp();
        let sql = format!(
            "INSERT INTO report_requests (unit_id, title, instructions, template, fields, due_on, created_by, created_by_name, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {}",
            REQUEST_COLUMNS.replace("q.", "")
        );
        let row: RequestRow = run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(n.unit_id)
            .bind(&n.title)
            .bind(&n.instructions)
            .bind(&n.template)
            .bind(&fields)
            .bind(n.due_on)
            .bind(by)
            .bind(&name)
            .bind(at)
            .fetch_one(&mut *c)
            .await)
        .map_err(|e| Error::from_write(e, "report request"))?;
        let request = row.into_request()?;
        for u in &n.units {
            run!(self.conn(), |c| sqlx::query(
                "INSERT INTO report_request_units (request_id, unit_id) VALUES ($1, $2)"
            )
            .bind(request.id)
            .bind(*u)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))
            .map_err(|e| Error::from_write(e, "unit asked"))?;
        }
        self.record(
            "report_request.create",
            "report_request",
            &request.id.to_string(),
            &json!({ "request": request, "units": n.units }),
        )
        .await?;
        Ok(request)
    }

    /// Stores the next version of a unit's report; returns its id and version. `expected` is the
    /// version the submitter saw as the latest (0 for none): if another came in meanwhile, this
    /// is a conflict.
    pub async fn submit_report(
        &mut self,
        request_id: i64,
        unit_id: i64,
        expected: i64,
        text: &str,
        answers: &[String],
        files: &[(String, String)],
    ) -> Result<(i64, i64)> {
        crate::check_text("text", text)?;
        let answers_text =
            serde_json::to_string(answers).map_err(|e| Error::Invalid(format!("answers: {e}")))?;
        crate::check_text("answers", &answers_text)?;
        let by = self.actor().account_id;
        let name = self.actor_display_name().await?;
        let at = self.stamp();
        let version = expected + 1;
        let (id,): (i64,) = run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO report_submissions (request_id, unit_id, version, text, answers, reason, created_by, created_by_name, created_at)
             VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8) RETURNING id"
        )
        .bind(request_id)
        .bind(unit_id)
        .bind(version)
        .bind(text)
        .bind(&answers_text)
        .bind(by)
        .bind(&name)
        .bind(at)
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| match Error::from_write(e, "report") {
            Error::Conflict(_) => Error::Conflict("该报送已有新版本，请刷新后查看".into()),
            other => other,
        })?;
        for (i, (file, sha)) in files.iter().enumerate() {
            crate::check_text("file name", file)?;
            run!(self.conn(), |c| sqlx::query(
                "INSERT INTO report_submission_files (submission_id, position, file_name, sha256) VALUES ($1, $2, $3, $4)"
            )
            .bind(id)
            .bind(i as i64)
            .bind(file)
            .bind(sha)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))
            .map_err(|e| Error::from_write(e, "report file"))?;
        }
        self.record_with(
            "report_request.submit",
            "report_request",
            &request_id.to_string(),
            &json!({ "submission": id, "unit": unit_id, "version": version, "text": text, "answers": answers }),
            Some(json!({ "files": files.iter().map(|(_, sha)| sha).collect::<Vec<_>>() })),
        )
        .await?;
        Ok((id, version))
    }

    /// Answers a submission once: `acknowledged` (签收) or `returned` (退回, with a reason).
    pub async fn answer_report(
        &mut self,
        submission_id: i64,
        kind: &str,
        note: &str,
    ) -> Result<()> {
        if !matches!(kind, "acknowledged" | "returned") {
            return Err(Error::Invalid(format!("answer {kind}")));
        }
        crate::check_text("note", note)?;
        let by = self.actor().account_id;
        let name = self.actor_display_name().await?;
        let at = self.stamp();
        run!(self.conn(), |c| sqlx::query(
            "INSERT INTO report_answers (submission_id, kind, note, by_account, by_name, at) VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(submission_id)
        .bind(kind)
        .bind(note)
        .bind(by)
        .bind(&name)
        .bind(at)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| match Error::from_write(e, "answer") {
            Error::Conflict(_) => Error::Conflict("该报送已签收或退回".into()),
            other => other,
        })?;
        self.record(
            if kind == "acknowledged" {
                "report_request.acknowledge"
            } else {
                "report_request.return"
            },
            "report_submission",
            &submission_id.to_string(),
            &json!({ "kind": kind, "note": note }),
        )
        .await?;
        Ok(())
    }
}
