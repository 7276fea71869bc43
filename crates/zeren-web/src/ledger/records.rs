//! Records (台账记录): recording the work for an obligation with its files, correcting a record as
//! a new version with a reason, the parent's 签收, downloading a version's files, and a record as
//! a meeting-record DOCX. Page and API share [`record_work`], [`correct_work`] and
//! [`acknowledge_record`]; both check the duty's rules the same way.

use std::collections::HashSet;

use crate::shared::multipart::Multipart;
use askama::Template;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use chrono::NaiveDate;
use serde::Deserialize;
use zeren_core::org::PersonId;
use zeren_core::records::{check_record, AttachmentMeta, RecordDraft};
use zeren_export::MeetingRecord;
use zeren_policy::calendar::Period;
use zeren_store::ledger::*;
use zeren_store::Read;

use super::obligation::{duty_of, load, load_record, page_model, Access};
use crate::shared::clock::today;
use crate::shared::error::Problems;
use crate::shared::multipart::{guess_media, Form as MultipartForm};
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;
use crate::shared::respond;

/// What a person submitted for a version, from a form or from the API.
pub struct RawVersion {
    pub work_date: Option<NaiveDate>,
    pub place: String,
    pub content: String,
    pub participants: Vec<i64>,
    /// Outside guests (来宾) by name.
    pub guests: Vec<String>,
    /// (file name, media type, bytes)
    pub files: Vec<(String, String, Vec<u8>)>,
}

impl RawVersion {
    fn from_form(form: &MultipartForm) -> RawVersion {
        RawVersion {
            work_date: NaiveDate::parse_from_str(&form.text("work_date"), "%Y-%m-%d").ok(),
            place: form.text("place"),
            content: form.text("content"),
            participants: form
                .all("participants")
                .iter()
                .filter_map(|p| p.parse().ok())
                .collect(),
            guests: zeren_core::records::parse_guests(&form.text("guests")),
            files: form
                .files("files")
                .into_iter()
                .map(|(n, m, b)| (n, m, b.to_vec()))
                .collect(),
        }
    }
}

/// Checks a submitted version against the duty's rules (evidence, dates, participants, sizes).
/// On success the version to store (without its files, which the caller stores) and the files.
pub async fn checked_version(
    state: &AppState,
    o: &Obligation,
    raw: RawVersion,
    kept: &[zeren_store::ledger::AttachmentRef],
    reason: Option<String>,
    lang: Lang,
) -> Result<(NewVersion, Vec<(String, String, Vec<u8>)>), Problems> {
    let RawVersion {
        work_date,
        place,
        content,
        participants,
        guests,
        files,
    } = raw;
    let draft = RecordDraft {
        work_date,
        place,
        participants: participants.iter().map(|p| PersonId(*p)).collect(),
        guests,
        content,
        // Files carried over from the corrected version count as evidence too.
        attachments: kept
            .iter()
            .map(|a| AttachmentMeta {
                file_name: a.file_name.clone(),
                media_type: a.media_type.clone(),
                size: a.size as u64,
            })
            .chain(files.iter().map(|(n, m, b)| AttachmentMeta {
                file_name: n.clone(),
                media_type: m.clone(),
                size: b.len() as u64,
            }))
            .collect(),
    };
    let internal = |e: Error| Problems::one("", e.message(lang));
    let duty = duty_of(state, o).await.map_err(internal)?;
    let mut r = state.store.reader().await.map_err(|e| internal(e.into()))?;
    // Participants may come from the unit and every unit below it (others come as guests).
    let unit_people: HashSet<PersonId> = r
        .people_in_subtree(o.unit_id)
        .await
        .map_err(|e| internal(e.into()))?
        .iter()
        .map(|p| PersonId(p.id))
        .collect();
    let every = zeren_policy::Frequency::parse(&o.every).unwrap_or(zeren_policy::Frequency::Year);
    let period = Period {
        every,
        start: super::obligation::window_start(o),
        end: o.period_end,
        holiday: None,
    };
    let limit = state.config.upload_limit_bytes() as u64;
    let mut problems = Problems::new();
    if let Err(found) = check_record(&duty, &period, &draft, today(), &unit_people, limit) {
        for p in &found {
            let (field, text) = record_problem(p, lang);
            problems.add(field, text);
        }
    }
    if reason.as_deref().is_some_and(|r| r.trim().is_empty()) {
        let (field, text) = record_problem(
            &zeren_core::records::RecordProblem::CorrectionWithoutReason,
            lang,
        );
        problems.add(field, text);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok((
        NewVersion {
            work_date: work_date.unwrap_or_else(today),
            place: draft.place,
            content: draft.content,
            participants,
            guests: draft.guests,
            attachments: Vec::new(),
            reason,
        },
        files
            .into_iter()
            .map(|(n, m, b)| (n, m, b.to_vec()))
            .collect(),
    ))
}

/// A problem of a record, as the form shows it: the field it concerns and what is expected.
fn record_problem(p: &zeren_core::records::RecordProblem, lang: Lang) -> (&'static str, String) {
    use zeren_core::records::RecordProblem as P;
    let t = Tr(lang);
    match p {
        P::MissingWorkDate => ("work_date", t.s("rec.p.missing_date").into()),
        P::PeriodNotBegun { period_start } => (
            "work_date",
            t.f("rec.p.not_begun", &[("start", &period_start.to_string())]),
        ),
        P::Empty => ("", t.s("rec.p.empty").into()),
        P::WorkDateInFuture { work_date, today } => (
            "work_date",
            t.f(
                "rec.p.future",
                &[
                    ("date", &work_date.to_string()),
                    ("today", &today.to_string()),
                ],
            ),
        ),
        P::WorkDateBeforePeriod {
            work_date,
            period_start,
        } => (
            "work_date",
            t.f(
                "rec.p.before_period",
                &[
                    ("date", &work_date.to_string()),
                    ("start", &period_start.to_string()),
                ],
            ),
        ),
        P::MissingMinutes => ("content", t.s("rec.p.minutes").into()),
        P::MissingAttendance => ("participants", t.s("rec.p.attendance").into()),
        P::MissingDocument => ("files", t.s("rec.p.document").into()),
        P::MissingPhoto => ("files", t.s("rec.p.photo").into()),
        P::ParticipantNotInUnit { .. } => ("participants", t.s("rec.p.outsider").into()),
        P::DuplicateParticipant { .. } => ("participants", t.s("rec.p.duplicate").into()),
        P::GuestName { name } => (
            "guests",
            t.f(
                "rec.p.guest_name",
                &[
                    ("name", name),
                    ("max", &zeren_core::records::GUEST_NAME_MAX.to_string()),
                ],
            ),
        ),
        P::DuplicateGuest { name } => ("guests", t.f("rec.p.guest_twice", &[("name", name)])),
        P::TooManyGuests { limit } => (
            "guests",
            t.f("rec.p.guests_max", &[("max", &limit.to_string())]),
        ),
        P::AttachmentTooLarge {
            file_name, limit, ..
        } => (
            "files",
            t.f(
                "rec.p.too_large",
                &[
                    ("file", file_name),
                    ("mb", &crate::shared::error::mb(*limit)),
                ],
            ),
        ),
        P::CorrectionWithoutReason => ("reason", t.s("rec.p.reason").into()),
    }
}

pub async fn store_files(
    w: &mut zeren_store::Write,
    files: &[(String, String, Vec<u8>)],
) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (name, media, bytes) in files {
        let sha = w.put_attachment(bytes, media).await?;
        out.push((name.clone(), sha));
    }
    Ok(out)
}

/// Records the work for an obligation: checks the viewer's right and the duty's rules, stores
/// the files, creates the record. Shared by the page and the API.
pub async fn record_work(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    obligation_id: i64,
    raw: RawVersion,
) -> Result<RecordHistory, Failure> {
    let Access { o, can_record, .. } = load(state, v, obligation_id).await?;
    if !can_record {
        return Err(Error::Forbidden.into());
    }
    let (mut version, files) = checked_version(state, &o, raw, &[], None, lang)
        .await
        .map_err(Failure::Rejected)?;
    let mut w = state.store.write(&v.actor()).await?;
    version.attachments = store_files(&mut w, &files).await?;
    let h = w.create_record(obligation_id, &version).await?;
    w.commit().await?;
    Ok(h)
}

/// A correction as submitted: which record, the version corrected, why, the positions of that
/// version's files to carry over, and the new content.
pub struct Correction {
    pub record_id: i64,
    pub expected: i64,
    pub reason: String,
    pub keep: Vec<i64>,
    pub raw: RawVersion,
}

/// Corrects a record: a new version with a reason, carrying over the files of the corrected
/// version at the positions in `keep`. Shared by the page and the API.
pub async fn correct_work(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    c: Correction,
) -> Result<(Obligation, RecordHistory), Failure> {
    let (h, Access { o, can_record, .. }) = load_record(state, v, c.record_id).await?;
    if !can_record {
        return Err(Error::Forbidden.into());
    }
    // Someone corrected it since this person read it: say so, rather than a bare conflict.
    if c.expected != h.record.current_version {
        if let Some(cur) = h.current() {
            return Err(Failure::Stale(
                Tr(lang)
                    .s("rec.stale_correction")
                    .replace("{seen}", &c.expected.to_string())
                    .replace("{current}", &cur.version.version.to_string())
                    .replace("{by}", &cur.version.created_by_name)
                    .replace(
                        "{at}",
                        &crate::shared::clock::local(&cur.version.created_at),
                    ),
            ));
        }
    }
    let kept_refs: Vec<zeren_store::ledger::AttachmentRef> = h
        .versions
        .iter()
        .find(|x| x.version.version == c.expected)
        .map(|x| {
            x.attachments
                .iter()
                .filter(|a| c.keep.contains(&a.position))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let (mut version, files) = checked_version(state, &o, c.raw, &kept_refs, Some(c.reason), lang)
        .await
        .map_err(Failure::Rejected)?;
    let kept: Vec<(String, String)> = kept_refs
        .iter()
        .map(|a| (a.file_name.clone(), a.sha256.clone()))
        .collect();
    let mut w = state.store.write(&v.actor()).await?;
    let new_files = store_files(&mut w, &files).await?;
    version.attachments = kept.into_iter().chain(new_files).collect();
    let h = w
        .correct_record(c.record_id, c.expected, &version)
        .await
        .map_err(|e| match e {
            // Someone corrected it first: say so, in words, and keep what was typed.
            zeren_store::Error::Conflict(_) => Failure::Error(Error::Conflict(
                Tr(lang).s("rec.corrected_meanwhile").into(),
            )),
            e => Failure::Error(e.into()),
        })?;
    w.commit().await?;
    Ok((o, h))
}

/// What the parent answers to a record reported to it: 签收 (with an optional note) or 退回
/// (with its reason).
pub enum Answer {
    Acknowledge { note: String },
    Return { reason: String },
}

/// The parent answered: the 签收 or the 退回 it recorded.
pub enum Answered {
    Acknowledged(Acknowledgement),
    Returned(RecordReturn),
}

/// The version the parent read is no longer the record's current one: it was corrected since.
pub struct Stale {
    pub obligation_id: i64,
    pub record_id: i64,
    pub seen: i64,
    pub current: VersionDetail,
    /// 签收 or 退回, as the person tried.
    pub acknowledging: bool,
}

impl Stale {
    /// The explanation in the viewer's language: which version was read, which one is current,
    /// who corrected it when and why.
    pub fn explain(&self, lang: Lang) -> String {
        let t = Tr(lang);
        let c = &self.current.version;
        let action = t
            .s(if self.acknowledging {
                "rec.acknowledge"
            } else {
                "rec.return"
            })
            .to_lowercase();
        let mut text = t
            .s("stale.explain")
            .replace("{action}", &action)
            .replace("{seen}", &self.seen.to_string())
            .replace("{current}", &c.version.to_string())
            .replace("{by}", &c.created_by_name)
            .replace("{at}", &crate::shared::clock::local(&c.created_at));
        if let Some(reason) = &c.reason {
            text.push_str(&t.s("stale.reason").replace("{reason}", reason));
        }
        text.push_str(t.s("stale.next"));
        text
    }

    /// Where the current version is shown.
    pub fn link(&self) -> String {
        format!(
            "/obligations/{}#record-{}",
            self.obligation_id, self.record_id
        )
    }
}

/// Why an answer was not recorded.
pub enum AnswerFailure {
    Stale(Box<Stale>),
    Error(Error),
}

impl<E: Into<Error>> From<E> for AnswerFailure {
    fn from(e: E) -> Self {
        AnswerFailure::Error(e.into())
    }
}

/// The parent unit acknowledges (签收) or returns (退回) the current version of a record reported
/// to it — the version the person read (`seen`), or the record was corrected since and the
/// answer is refused with the current version to read. Shared by the page and the API.
pub async fn answer_report(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    record_id: i64,
    answer: Answer,
    seen: Option<i64>,
) -> Result<(Obligation, Answered), AnswerFailure> {
    let (
        h,
        Access {
            o, can_acknowledge, ..
        },
    ) = load_record(state, v, record_id).await?;
    if !can_acknowledge {
        return Err(Error::Forbidden.into());
    }
    let t = Tr(lang);
    let acknowledging = matches!(answer, Answer::Acknowledge { .. });
    let stale = |h: RecordHistory, seen: i64| -> AnswerFailure {
        let current = h.current().cloned();
        match current {
            Some(current) => AnswerFailure::Stale(Box::new(Stale {
                obligation_id: h.record.obligation_id,
                record_id: h.record.id,
                seen,
                current,
                acknowledging,
            })),
            None => Error::NotFound.into(),
        }
    };
    if let Some(seen) = seen.filter(|s| *s != h.record.current_version) {
        return Err(stale(h, seen));
    }
    let answered_already = |h: &RecordHistory| -> Option<Error> {
        if h.acknowledged().is_some() {
            Some(Error::Conflict(t.s("rec.already_acknowledged").into()))
        } else if h.returned().is_some() {
            Some(Error::Conflict(t.s("rec.already_returned").into()))
        } else {
            None
        }
    };
    if let Some(e) = answered_already(&h) {
        return Err(e.into());
    }
    if let Answer::Return { reason } = &answer {
        if reason.trim().is_empty() {
            return Err(Error::Invalid(t.s("rec.return_needs_reason").into()).into());
        }
    }
    let parent = state
        .store
        .reader()
        .await?
        .unit(o.unit_id)
        .await?
        .and_then(|u| u.parent_id)
        .ok_or(Error::Forbidden)?;
    let seen = seen.unwrap_or(h.record.current_version);
    let mut w = state.store.write(&v.actor()).await?;
    let done = match &answer {
        Answer::Acknowledge { note } => w
            .acknowledge(record_id, parent, note.trim(), Some(seen))
            .await
            .map(Answered::Acknowledged),
        Answer::Return { reason } => w
            .return_record(record_id, parent, reason, Some(seen))
            .await
            .map(Answered::Returned),
    };
    match done {
        Ok(a) => {
            w.commit().await?;
            Ok((o, a))
        }
        // Someone corrected or answered it meanwhile: say which, from what is stored now.
        Err(zeren_store::Error::Conflict(_)) => {
            drop(w);
            let (h, _) = load_record(state, v, record_id).await?;
            if h.record.current_version != seen {
                return Err(stale(h, seen));
            }
            Err(answered_already(&h)
                .unwrap_or_else(|| Error::Conflict(t.s("rec.already_acknowledged").into()))
                .into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Why recording or correcting failed: an error, the rules' refusal (shown on the form, each
/// problem beside its field), or a correction of a version corrected since (shown on the form; a
/// conflict for the API).
pub enum Failure {
    Error(Error),
    Rejected(Problems),
    Stale(String),
}

impl<E: Into<Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::Error(e.into())
    }
}

pub async fn create_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response> {
    // The right to record is checked before the body is read.
    if !load(&state, &v, id).await?.can_record {
        return Err(Error::Forbidden);
    }
    let limit = state.config.upload_limit_bytes() as u64;
    let form = MultipartForm::read(multipart, limit).await?;
    if let Some(limit) = form.too_large() {
        let p = Problems::one("files", Error::TooLarge(limit).message(lang));
        return refused_page(&state, &v, lang, id, Refused::multipart("record", &form, p)).await;
    }
    match record_work(&state, &v, lang, id, RawVersion::from_form(&form)).await {
        Ok(_) => Ok(see_other(&format!("/obligations/{id}"))),
        Err(Failure::Rejected(p)) => {
            refused_page(&state, &v, lang, id, Refused::multipart("record", &form, p)).await
        }
        Err(Failure::Stale(msg)) => {
            let refused = Refused::of_multipart("record", &form, Error::Conflict(msg), lang)?;
            refused_page(&state, &v, lang, id, refused).await
        }
        Err(Failure::Error(e)) => {
            let refused = Refused::of_multipart("record", &form, e, lang)?;
            refused_page(&state, &v, lang, id, refused).await
        }
    }
}

/// The obligation's page again, with the refused form as it was filled in.
async fn refused_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    id: i64,
    refused: Refused,
) -> Result<Response> {
    let status = refused.status;
    let page = page_model(state, v, lang, id, refused).await?;
    Ok((status, render(&page)?).into_response())
}

pub async fn correct_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(record_id): Path<i64>,
    multipart: Multipart,
) -> Result<Response> {
    let (h, a) = load_record(&state, &v, record_id).await?;
    let obligation = h.record.obligation_id;
    if !a.can_record {
        return Err(Error::Forbidden);
    }
    let name = format!("correct-{record_id}");
    let limit = state.config.upload_limit_bytes() as u64;
    let form = MultipartForm::read(multipart, limit).await?;
    if let Some(limit) = form.too_large() {
        let p = Problems::one("files", Error::TooLarge(limit).message(lang));
        let refused = Refused::multipart(&name, &form, p);
        return refused_page(&state, &v, lang, obligation, refused).await;
    }
    let expected: i64 = form
        .text("version")
        .parse()
        .unwrap_or(h.record.current_version);
    let c = Correction {
        record_id,
        expected,
        reason: form.text("reason"),
        keep: form
            .all("keep")
            .iter()
            .filter_map(|k| k.parse().ok())
            .collect(),
        raw: RawVersion::from_form(&form),
    };
    match correct_work(&state, &v, lang, c).await {
        Ok(_) => Ok(see_other(&format!("/obligations/{obligation}"))),
        Err(Failure::Rejected(p)) => {
            let refused = Refused::multipart(&name, &form, p);
            refused_page(&state, &v, lang, obligation, refused).await
        }
        Err(Failure::Stale(msg)) => {
            let refused = Refused::of_multipart(&name, &form, Error::Conflict(msg), lang)?;
            refused_page(&state, &v, lang, obligation, refused).await
        }
        Err(Failure::Error(e)) => {
            let refused = Refused::of_multipart(&name, &form, e, lang)?;
            refused_page(&state, &v, lang, obligation, refused).await
        }
    }
}

/// A 签收, from the page's form or a JSON body.
#[derive(Deserialize)]
pub struct Ack {
    #[serde(default)]
    note: String,
    /// The version the acknowledger read; a record corrected since is a conflict.
    version: Option<i64>,
}

/// A 退回, from the page's form or a JSON body.
#[derive(Deserialize)]
pub struct Return {
    #[serde(default)]
    reason: String,
    /// The version the person read; a record corrected since is a conflict.
    version: Option<i64>,
}

#[derive(Template)]
#[template(path = "pages/stale.html")]
pub struct StalePage {
    pub chrome: Chrome,
    pub title: String,
    pub explanation: String,
    pub link: String,
}

/// A page answer to a 签收 or 退回 form: back to the obligation, or — when the record was
/// corrected since the version read — a page that says so in the viewer's language and links
/// to the current version (409).
async fn answer_form(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    record_id: i64,
    answer: Answer,
    seen: Option<i64>,
) -> Result<Response> {
    match answer_report(state, v, lang, record_id, answer, seen).await {
        Ok((o, _)) => Ok(see_other(&format!(
            "/obligations/{}#record-{record_id}",
            o.id
        ))),
        Err(AnswerFailure::Stale(s)) => {
            let page = StalePage {
                chrome: Chrome::new(lang, Some(v)),
                title: Tr(lang).s("stale.title").into(),
                explanation: s.explain(lang),
                link: s.link(),
            };
            Ok((axum::http::StatusCode::CONFLICT, render(&page)?).into_response())
        }
        Err(AnswerFailure::Error(e)) => Err(e),
    }
}

/// The same for the API: a stale answer is a 409 whose message explains it.
fn answer_error(f: AnswerFailure, lang: Lang) -> Error {
    match f {
        AnswerFailure::Stale(s) => Error::Conflict(s.explain(lang)),
        AnswerFailure::Error(e) => e,
    }
}

pub async fn acknowledge_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(record_id): Path<i64>,
    Form(f): Form<Ack>,
) -> Result<Response> {
    let answer = Answer::Acknowledge { note: f.note };
    answer_form(&state, &v, lang, record_id, answer, f.version).await
}

pub async fn return_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(record_id): Path<i64>,
    Form(f): Form<Return>,
) -> Result<Response> {
    let answer = Answer::Return { reason: f.reason };
    answer_form(&state, &v, lang, record_id, answer, f.version).await
}

pub async fn download(
    State(state): State<AppState>,
    v: Viewer,
    Path((record_id, version, position)): Path<(i64, i64, i64)>,
) -> Result<Response> {
    let (h, _) = load_record(&state, &v, record_id).await?;
    let a = h
        .versions
        .iter()
        .find(|x| x.version.version == version)
        .and_then(|x| x.attachments.iter().find(|a| a.position == position))
        .ok_or(Error::NotFound)?;
    respond::stored_file(&state.store, &a.sha256, &a.file_name).await
}

/// How a record reported to the parent stands, for exports: 签收 (who, by name, and when in
/// China time), 退回, waiting, or not a report.
pub fn receipt_of(o: &Obligation, h: &RecordHistory) -> zeren_export::Receipt {
    use crate::shared::clock::china;
    use zeren_export::Receipt;
    if !o.report_to_parent {
        return Receipt::NotReported;
    }
    if let Some(a) = h.acknowledged() {
        return Receipt::Acknowledged {
            by: a.acknowledged_by_name.clone(),
            at: china(&a.acknowledged_at),
        };
    }
    if let Some(x) = h.returned() {
        return Receipt::Returned {
            by: x.returned_by_name.clone(),
            at: china(&x.returned_at),
            reason: x.reason.clone(),
        };
    }
    Receipt::Pending
}

/// At most this many photos, of at most this many bytes together, go into one meeting record.
const PHOTOS_MAX: usize = 12;
const PHOTOS_MAX_BYTES: usize = 40 * 1024 * 1024;

pub async fn record_docx(
    State(state): State<AppState>,
    v: Viewer,
    Path(record_id): Path<i64>,
) -> Result<Response> {
    let (h, Access { o, .. }) = load_record(&state, &v, record_id).await?;
    let cur = h.current().ok_or(Error::NotFound)?;
    let mut r = state.store.reader().await?;
    let unit = r.unit(o.unit_id).await?.ok_or(Error::NotFound)?;
    let (_, _, head) = r.audit_head().await?;
    // JPEG and PNG attachments are embedded as the record's photos.
    let mut photos = Vec::new();
    let mut total = 0;
    for a in &cur.attachments {
        // Browsers name JPEG in several ways; the writer embeds only what reads as one.
        let is_photo = a.media_type.starts_with("image/")
            || matches!(guess_media(&a.file_name), "image/jpeg" | "image/png");
        if !is_photo || photos.len() >= PHOTOS_MAX || total + a.size as usize > PHOTOS_MAX_BYTES {
            continue;
        }
        if let Some((_, bytes)) = r.attachment(&a.sha256).await? {
            total += bytes.len();
            photos.push(zeren_export::Photo {
                file_name: a.file_name.clone(),
                bytes,
            });
        }
    }
    let rec = MeetingRecord {
        unit_name: unit.name,
        duty_title: o.title.clone(),
        period_label: o.period_label.clone(),
        work_date: Some(cur.version.work_date),
        place: cur.version.place.clone(),
        participants: crate::shared::rows::attendees(cur),
        content: cur.version.content.replace('\n', "\n\n"),
        attachments: cur
            .attachments
            .iter()
            .map(|a| a.file_name.clone())
            .collect(),
        recorded_by: cur.version.created_by_name.clone(),
        recorded_at: Some(crate::shared::clock::china(&cur.version.created_at)),
        version: cur.version.version as u32,
        correction_reason: cur.version.reason.clone(),
        receipt: receipt_of(&o, &h),
        photos,
        chain_head: Some(head),
    };
    let bytes =
        zeren_export::docx::record_docx(&rec).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(respond::download(
        &format!("{}{}记录.docx", o.title, o.period_label),
        respond::DOCX,
        bytes,
    ))
}

#[derive(Deserialize)]
pub struct FileJson {
    file_name: String,
    #[serde(default)]
    media_type: Option<String>,
    /// The file's bytes, base64.
    content_base64: String,
}

#[derive(Deserialize)]
pub struct VersionJson {
    work_date: NaiveDate,
    #[serde(default)]
    place: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    participants: Vec<i64>,
    #[serde(default)]
    guests: Vec<String>,
    #[serde(default)]
    attachments: Vec<FileJson>,
    /// For corrections: the version being corrected and why.
    version: Option<i64>,
    reason: Option<String>,
    /// For corrections: positions of the corrected version's files to keep.
    #[serde(default)]
    keep: Vec<i64>,
}

fn raw(b: &VersionJson) -> Result<RawVersion> {
    let mut files = Vec::new();
    for (i, f) in b.attachments.iter().enumerate() {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(f.content_base64.as_bytes())
            .map_err(|_| Error::Invalid(format!("attachments[{i}].content_base64: not base64")))?;
        let media = f
            .media_type
            .clone()
            .unwrap_or_else(|| guess_media(&f.file_name).into());
        files.push((f.file_name.clone(), media, bytes));
    }
    Ok(RawVersion {
        work_date: Some(b.work_date),
        place: b.place.clone(),
        content: b.content.clone(),
        participants: b.participants.clone(),
        guests: b.guests.clone(),
        files,
    })
}

fn failure(f: Failure) -> Error {
    match f {
        Failure::Error(e) => e,
        Failure::Rejected(p) => Error::Fields(p),
        Failure::Stale(msg) => Error::Conflict(msg),
    }
}

pub async fn create_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<VersionJson>,
) -> Result<Response> {
    let h = record_work(&state, &v, lang, id, raw(&b)?)
        .await
        .map_err(failure)?;
    Ok(created(h))
}

pub async fn json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<axum::Json<RecordHistory>> {
    Ok(axum::Json(load_record(&state, &v, id).await?.0))
}

pub async fn correct_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<VersionJson>,
) -> Result<Response> {
    let expected = b
        .version
        .ok_or_else(|| Error::Invalid("version: the version being corrected".into()))?;
    let reason = b.reason.clone().unwrap_or_default();
    let c = Correction {
        record_id: id,
        expected,
        reason,
        keep: b.keep.clone(),
        raw: raw(&b)?,
    };
    let (_, h) = correct_work(&state, &v, lang, c).await.map_err(failure)?;
    Ok(created(h))
}

pub async fn acknowledge_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<Ack>,
) -> Result<Response> {
    let answer = Answer::Acknowledge { note: b.note };
    match answer_report(&state, &v, lang, id, answer, b.version).await {
        Ok((_, Answered::Acknowledged(a))) => Ok(created(a)),
        Ok((_, Answered::Returned(x))) => Ok(created(x)),
        Err(f) => Err(answer_error(f, lang)),
    }
}

pub async fn return_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<Return>,
) -> Result<Response> {
    let answer = Answer::Return { reason: b.reason };
    match answer_report(&state, &v, lang, id, answer, b.version).await {
        Ok((_, Answered::Returned(x))) => Ok(created(x)),
        Ok((_, Answered::Acknowledged(a))) => Ok(created(a)),
        Err(f) => Err(answer_error(f, lang)),
    }
}
