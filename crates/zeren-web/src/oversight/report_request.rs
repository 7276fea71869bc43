//! Reports upward on request (临时报送): a unit asks some or all of the units directly below it for
//! a report by a date — text, an attachment, or a small form — and sees who has submitted, who is
//! late; it acknowledges (签收) a submission or returns it with a reason, and the unit submits a
//! new version. One loading step ([`load`]) decides what the viewer sees: the requesting unit's
//! readers see every unit asked, a unit asked sees its own part only, never a peer's.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use zeren_core::oversight::{submitted_late, ReportStatus};
use zeren_store::report_requests::*;
use zeren_store::{Level, Read, Unit};

use super::inspection::{files_of, FileJson};
use crate::shared::clock::today;
use crate::shared::error::Problems;
use crate::shared::multipart::{Form as MultipartForm, Multipart};
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;
use crate::shared::respond;

const TEXT_MAX: usize = 20_000;

/// One unit asked, as the viewer may see it.
#[derive(Clone, Debug, Serialize)]
pub struct UnitReport {
    pub unit_id: i64,
    pub name: String,
    pub status: &'static str,
    pub status_zh: &'static str,
    /// The first version came in after the deadline.
    pub late: bool,
    /// Every version, the first first.
    pub submissions: Vec<Submission>,
}

pub struct Loaded {
    pub request: ReportRequest,
    pub unit: Unit,
    pub rows: Vec<UnitReport>,
    /// The viewer may acknowledge and return (an editor at the requesting unit).
    pub can_answer: bool,
    /// The units asked the viewer submits for.
    pub acting: Vec<i64>,
    /// The viewer reads the requesting unit (its page opens for them).
    pub reads_unit: bool,
}

fn status_of(req: &ReportRequest, subs: &[&Submission], today: NaiveDate) -> ReportStatus {
    let latest = subs
        .last()
        .map(|s| s.answer.as_ref().map(|a| a.kind == "acknowledged"));
    ReportStatus::of(req.due_on, latest, today)
}

pub async fn load(state: &AppState, v: &Viewer, id: i64) -> Result<Loaded> {
    let mut r = state.store.reader().await?;
    let request = r.report_request(id).await?.ok_or(Error::NotFound)?;
    let unit = r.unit(request.unit_id).await?.ok_or(Error::NotFound)?;
    let asked = r.asked_units(id).await?;
    let subs = r.submissions(id).await?;
    drop(r);
    let parent_level = access::level(&state.store, v, request.unit_id).await?;
    let can_answer = parent_level.is_some_and(|l| l >= Level::Edit);
    let mut rows = Vec::new();
    let mut acting = Vec::new();
    let today = today();
    for a in asked {
        if parent_level.is_none() && access::level(&state.store, v, a.unit_id).await?.is_none() {
            continue;
        }
        if !can_answer && access::acts_for(&state.store, v, a.unit_id).await? {
            acting.push(a.unit_id);
        }
        let mine: Vec<&Submission> = subs.iter().filter(|s| s.unit_id == a.unit_id).collect();
        let st = status_of(&request, &mine, today);
        rows.push(UnitReport {
            unit_id: a.unit_id,
            name: a.name,
            status: st.word(),
            status_zh: st.zh(),
            late: submitted_late(
                request.due_on,
                mine.first()
                    .map(|s| crate::shared::clock::china(&s.created_at).date()),
            ),
            submissions: mine.into_iter().cloned().collect(),
        });
    }
    if rows.is_empty() {
        return Err(Error::Forbidden);
    }
    Ok(Loaded {
        request,
        unit,
        rows,
        can_answer,
        acting,
        reads_unit: parent_level.is_some(),
    })
}

/// A request as typed.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RequestInput {
    pub title: String,
    #[serde(default)]
    pub instructions: String,
    /// `text`, `attachment` or `form`.
    pub template: String,
    /// The form's fields, one a line.
    #[serde(default)]
    pub fields: String,
    pub due_on: String,
    /// The units asked (directly below); all of them when empty and `all` is set.
    #[serde(default)]
    pub units: Vec<i64>,
    #[serde(default)]
    pub all: bool,
}

pub async fn create(
    state: &AppState,
    v: &Viewer,
    unit_id: i64,
    input: RequestInput,
    lang: Lang,
) -> Result<i64> {
    let t = Tr(lang);
    let (unit, _) = access::require(&state.store, v, unit_id, Level::Edit).await?;
    let children: Vec<Unit> = state
        .store
        .reader()
        .await?
        .children(unit.id)
        .await?
        .into_iter()
        .filter(|u| u.retired_on.is_none())
        .collect();
    let mut p = Problems::new();
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        p.add("title", t.s("rr.p.title"));
    }
    if input.instructions.chars().count() > TEXT_MAX {
        p.add("instructions", t.s("rr.p.text"));
    }
    if !TEMPLATE_WORDS.contains(&input.template.as_str()) {
        p.add("template", t.s("rr.p.template"));
    }
    let fields: Vec<String> = input
        .fields
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    if input.template == "form"
        && (fields.is_empty()
            || fields.len() > 30
            || fields.iter().any(|f| f.chars().count() > 100))
    {
        p.add("fields", t.s("rr.p.fields"));
    }
    let due = NaiveDate::parse_from_str(input.due_on.trim(), "%Y-%m-%d").ok();
    match due {
        None => p.add("due_on", t.s("rr.p.date")),
        Some(d) if d < today() => p.add("due_on", t.s("rr.p.past")),
        _ => {}
    }
    let units: Vec<i64> = if input.all {
        children.iter().map(|u| u.id).collect()
    } else {
        let mut out = Vec::new();
        for u in &input.units {
            if children.iter().any(|c| c.id == *u) {
                if !out.contains(u) {
                    out.push(*u);
                }
            } else {
                p.add("units", t.s("rr.p.units"));
            }
        }
        out
    };
    if units.is_empty() {
        p.add("units", t.s("rr.p.units"));
    }
    p.check()?;
    let mut w = state.store.write(&v.actor()).await?;
    let req = w
        .create_report_request(&NewReportRequest {
            unit_id: unit.id,
            title: title.into(),
            instructions: input.instructions.trim().into(),
            template: input.template.clone(),
            fields: if input.template == "form" {
                fields
            } else {
                Vec::new()
            },
            due_on: due.unwrap_or_else(today),
            units,
        })
        .await?;
    w.commit().await?;
    Ok(req.id)
}

/// A submission as typed; files as (name, media type, bytes).
pub struct SubmitInput {
    pub unit_id: i64,
    pub text: String,
    pub answers: Vec<String>,
    pub files: Vec<(String, String, Vec<u8>)>,
    /// The latest version the submitter saw (0: none).
    pub seen: Option<i64>,
}

pub async fn submit(
    state: &AppState,
    v: &Viewer,
    id: i64,
    input: SubmitInput,
    lang: Lang,
) -> Result<()> {
    let t = Tr(lang);
    let l = load(state, v, id).await?;
    if !l.acting.contains(&input.unit_id) {
        return Err(Error::Forbidden);
    }
    let row = l
        .rows
        .iter()
        .find(|r| r.unit_id == input.unit_id)
        .ok_or(Error::NotFound)?;
    let latest = row.submissions.last().map(|s| s.version).unwrap_or(0);
    if input.seen.is_some_and(|s| s != latest) {
        return Err(Error::Conflict(t.s("rr.p.moved_on").into()));
    }
    let status = ReportStatus::ALL
        .into_iter()
        .find(|s| s.word() == row.status)
        .unwrap_or(ReportStatus::Pending);
    if !status.unit_must_act() {
        return Err(Error::Invalid(t.s("rr.p.not_now").into()));
    }
    let mut p = Problems::new();
    let text = input.text.trim();
    if text.chars().count() > TEXT_MAX {
        p.add("text", t.s("rr.p.text"));
    }
    let answers: Vec<String> = input.answers.iter().map(|a| a.trim().to_string()).collect();
    match l.request.template.as_str() {
        "text" if text.is_empty() => p.add("text", t.s("rr.p.text_needed")),
        "attachment" if input.files.is_empty() => p.add("files", t.s("rr.p.file_needed")),
        "form" => {
            for (i, _) in l.request.fields.iter().enumerate() {
                let a = answers.get(i).map(String::as_str).unwrap_or_default();
                if a.is_empty() || a.chars().count() > 2000 {
                    p.add(&format!("answer_{i}"), t.s("rr.p.answer"));
                }
            }
        }
        _ => {}
    }
    p.check()?;
    let mut w = state.store.write(&v.actor()).await?;
    let mut files = Vec::new();
    for (name, media, bytes) in &input.files {
        files.push((name.clone(), w.put_attachment(bytes, media).await?));
    }
    let answers = if l.request.template == "form" {
        answers.into_iter().take(l.request.fields.len()).collect()
    } else {
        Vec::new()
    };
    w.submit_report(id, input.unit_id, latest, text, &answers, &files)
        .await?;
    w.commit().await?;
    Ok(())
}

/// Acknowledges or returns the latest version of a unit's report (the requesting side).
pub async fn answer(
    state: &AppState,
    v: &Viewer,
    id: i64,
    submission: i64,
    kind: &str,
    note: &str,
    lang: Lang,
) -> Result<()> {
    let t = Tr(lang);
    let l = load(state, v, id).await?;
    if !l.can_answer {
        return Err(Error::Forbidden);
    }
    let latest = l
        .rows
        .iter()
        .filter_map(|r| r.submissions.last())
        .find(|s| s.id == submission)
        .ok_or_else(|| Error::Invalid(t.s("rr.p.not_latest").into()))?;
    if latest.answer.is_some() {
        return Err(Error::Conflict(t.s("rr.p.answered").into()));
    }
    let mut p = Problems::new();
    if !matches!(kind, "acknowledged" | "returned") {
        p.add("kind", t.s("rr.p.kind"));
    }
    if kind == "returned" && note.trim().is_empty() {
        p.add("note", t.s("rr.p.reason"));
    }
    if note.chars().count() > 2000 {
        p.add("note", t.s("rr.p.text"));
    }
    p.check()?;
    let mut w = state.store.write(&v.actor()).await?;
    w.answer_report(submission, kind, note.trim()).await?;
    w.commit().await?;
    Ok(())
}

// ------------------------------------------------------------------------------- JSON

#[derive(Serialize)]
pub struct RequestJson {
    pub request: ReportRequest,
    pub unit_name: String,
    pub units: Vec<UnitReport>,
    pub can_answer: bool,
    /// The units asked the caller submits for.
    pub acting: Vec<i64>,
}

fn request_json(l: Loaded) -> RequestJson {
    RequestJson {
        unit_name: l.unit.name.clone(),
        request: l.request,
        units: l.rows,
        can_answer: l.can_answer,
        acting: l.acting,
    }
}

#[derive(Serialize)]
pub struct RequestList {
    pub unit_id: i64,
    /// The requests the unit made.
    pub made: Vec<ReportRequest>,
    /// The requests made of the unit.
    pub received: Vec<ReportRequest>,
}

pub async fn list_json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<axum::Json<RequestList>> {
    access::require(&state.store, &v, id, Level::Read).await?;
    let mut r = state.store.reader().await?;
    Ok(axum::Json(RequestList {
        unit_id: id,
        made: r.report_requests_by(id).await?,
        received: r
            .report_requests_to(&[id])
            .await?
            .into_iter()
            .map(|(q, _)| q)
            .collect(),
    }))
}

pub async fn json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<axum::Json<RequestJson>> {
    Ok(axum::Json(request_json(load(&state, &v, id).await?)))
}

pub async fn create_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(unit): Path<i64>,
    JsonBody(input): JsonBody<RequestInput>,
) -> Result<Response> {
    let id = create(&state, &v, unit, input, lang).await?;
    Ok(created(request_json(load(&state, &v, id).await?)))
}

#[derive(Deserialize)]
pub struct SubmitJson {
    unit_id: i64,
    #[serde(default)]
    text: String,
    #[serde(default)]
    answers: Vec<String>,
    #[serde(default)]
    attachments: Vec<FileJson>,
    seen: Option<i64>,
}

pub async fn submit_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<SubmitJson>,
) -> Result<Response> {
    let input = SubmitInput {
        unit_id: b.unit_id,
        text: b.text,
        answers: b.answers,
        files: files_of(b.attachments)?,
        seen: b.seen,
    };
    submit(&state, &v, id, input, lang).await?;
    Ok(created(request_json(load(&state, &v, id).await?)))
}

#[derive(Deserialize)]
pub struct AnswerJson {
    submission_id: i64,
    kind: String,
    #[serde(default)]
    note: String,
}

pub async fn answer_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<AnswerJson>,
) -> Result<axum::Json<RequestJson>> {
    answer(&state, &v, id, b.submission_id, &b.kind, &b.note, lang).await?;
    Ok(axum::Json(request_json(load(&state, &v, id).await?)))
}

// ------------------------------------------------------------------------------- pages

pub struct RequestLine {
    pub id: i64,
    pub title: String,
    pub due: String,
    /// For requests made: how many submitted of how many asked; for requests received: status.
    pub note: String,
}

#[derive(Template)]
#[template(path = "pages/report_requests.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub unit: Unit,
    pub made: Vec<RequestLine>,
    pub received: Vec<RequestLine>,
    pub can_request: bool,
    pub children: Vec<Unit>,
    pub today: String,
    pub refused: Refused,
}

impl ListPage {
    fn unit_checked(&self, id: &i64) -> bool {
        self.refused.has("request", "units", &id.to_string())
    }
}

async fn list_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    id: i64,
    refused: Refused,
) -> Result<ListPage> {
    let t = Tr(lang);
    let (unit, level) = access::require(&state.store, v, id, Level::Read).await?;
    let mut r = state.store.reader().await?;
    let today = today();
    let mut made = Vec::new();
    for q in r.report_requests_by(id).await? {
        let asked = r.asked_units(q.id).await?.len();
        let subs = r.submissions(q.id).await?;
        let mut submitted: Vec<i64> = subs.iter().map(|s| s.unit_id).collect();
        submitted.dedup();
        made.push(RequestLine {
            id: q.id,
            title: q.title.clone(),
            due: q.due_on.to_string(),
            note: t.f(
                "rr.submitted_of",
                &[
                    ("n", &submitted.len().to_string()),
                    ("all", &asked.to_string()),
                ],
            ),
        });
    }
    let mut received = Vec::new();
    for (q, u) in r.report_requests_to(&[id]).await? {
        let subs = r.submissions(q.id).await?;
        let mine: Vec<&Submission> = subs.iter().filter(|s| s.unit_id == u).collect();
        received.push(RequestLine {
            id: q.id,
            title: q.title.clone(),
            due: q.due_on.to_string(),
            note: status_of(&q, &mine, today).zh().into(),
        });
    }
    let children = r
        .children(id)
        .await?
        .into_iter()
        .filter(|u| u.retired_on.is_none())
        .collect();
    drop(r);
    Ok(ListPage {
        chrome: Chrome::new(lang, Some(v)),
        can_request: level >= Level::Edit && unit.retired_on.is_none(),
        unit,
        made,
        received,
        children,
        today: today.to_string(),
        refused,
    })
}

pub async fn list(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    render(&list_page(&state, &v, lang, id, Refused::default()).await?)
}

pub async fn create_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let get = |k: &str| crate::shared::extract::field(&f, k);
    let input = RequestInput {
        title: get("title"),
        instructions: get("instructions"),
        template: get("template"),
        fields: get("fields"),
        due_on: get("due_on"),
        units: f
            .iter()
            .filter(|(k, _)| k == "units")
            .filter_map(|(_, x)| x.parse().ok())
            .collect(),
        all: get("all") == "1",
    };
    match create(&state, &v, id, input, lang).await {
        Ok(rid) => Ok(see_other(&format!("/reports/{rid}"))),
        Err(e) => {
            let r = Refused::of("request", &f, e, lang)?;
            let status = r.status;
            let page = list_page(&state, &v, lang, id, r).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "pages/report_request.html")]
pub struct RequestPage {
    pub chrome: Chrome,
    pub request: ReportRequest,
    pub unit: Unit,
    pub rows: Vec<UnitReport>,
    pub can_answer: bool,
    pub acting: Vec<i64>,
    pub reads_unit: bool,
    pub counts: Vec<(&'static str, usize)>,
    pub refused: Refused,
}

impl RequestPage {
    fn acts_for(&self, unit: &i64) -> bool {
        self.acting.contains(unit)
    }
    fn must_act(&self, r: &UnitReport) -> bool {
        matches!(r.status, "pending" | "overdue" | "returned")
    }
    fn latest_version(&self, r: &UnitReport) -> i64 {
        r.submissions.last().map(|s| s.version).unwrap_or(0)
    }
    fn answer_field(&self, i: &usize) -> String {
        format!("answer_{i}")
    }
}

async fn request_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    id: i64,
    refused: Refused,
) -> Result<RequestPage> {
    let l = load(state, v, id).await?;
    let counts = ReportStatus::ALL
        .iter()
        .map(|s| {
            (
                s.zh(),
                l.rows.iter().filter(|r| r.status == s.word()).count(),
            )
        })
        .collect();
    Ok(RequestPage {
        chrome: Chrome::new(lang, Some(v)),
        request: l.request,
        unit: l.unit,
        rows: l.rows,
        can_answer: l.can_answer,
        acting: l.acting,
        reads_unit: l.reads_unit,
        counts,
        refused,
    })
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    render(&request_page(&state, &v, lang, id, Refused::default()).await?)
}

pub async fn submit_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    m: Multipart,
) -> Result<Response> {
    let parts = MultipartForm::read(m, state.config.upload_limit_bytes() as u64).await?;
    let unit_id: i64 = parts.text("unit_id").parse().unwrap_or(0);
    let form = format!("submit_{unit_id}");
    let outcome = match parts.too_large() {
        Some(limit) => Err(Error::Fields(Problems::one(
            "files",
            Error::TooLarge(limit).message(lang),
        ))),
        None => {
            let mut answers = Vec::new();
            for i in 0..30 {
                answers.push(parts.text(&format!("answer_{i}")));
            }
            let input = SubmitInput {
                unit_id,
                text: parts.text("text"),
                answers,
                files: parts
                    .files("files")
                    .into_iter()
                    .map(|(n, m, b)| (n, m, b.to_vec()))
                    .collect(),
                seen: parts.text("seen").parse().ok(),
            };
            submit(&state, &v, id, input, lang).await
        }
    };
    match outcome {
        Ok(()) => Ok(see_other(&format!("/reports/{id}"))),
        Err(e) => {
            let r = Refused::of_multipart(&form, &parts, e, lang)?;
            let status = r.status;
            let page = request_page(&state, &v, lang, id, r).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

pub async fn answer_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let get = |k: &str| crate::shared::extract::field(&f, k);
    let submission: i64 = get("submission_id").parse().unwrap_or(0);
    match answer(&state, &v, id, submission, &get("kind"), &get("note"), lang).await {
        Ok(()) => Ok(see_other(&format!("/reports/{id}"))),
        Err(e) => {
            let r = Refused::of(&format!("answer_{submission}"), &f, e, lang)?;
            let status = r.status;
            let page = request_page(&state, &v, lang, id, r).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

pub async fn file(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, submission, position)): Path<(i64, i64, i64)>,
) -> Result<Response> {
    let l = load(&state, &v, id).await?;
    let f = l
        .rows
        .iter()
        .flat_map(|r| r.submissions.iter())
        .find(|s| s.id == submission)
        .and_then(|s| s.files.iter().find(|f| f.position == position))
        .ok_or(Error::NotFound)?;
    respond::stored_file(&state.store, &f.sha256, &f.file_name).await
}
