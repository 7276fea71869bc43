//! The ledger (台账) in the browser: 我的工作, an obligation with its records and their versions,
//! recording and correcting, the parent's 签收, a unit's year as a completion grid with its print
//! view and exports, the 责任清单 of a person or a unit, and the private calendar feed.
//! Handlers parse, check access, call the store and the domain rules, and render.

use std::collections::{BTreeMap, HashSet};

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use zeren_core::obligations::{status, Status};
use zeren_core::org::PersonId;
use zeren_core::records::{check_record, AttachmentMeta, RecordDraft};
use zeren_export::{LedgerMeta, LedgerRow, MeetingRecord};
use zeren_policy::calendar::Period;
use zeren_policy::Policy;
use zeren_store::ledger::*;
use zeren_store::{Level, Person, Read, Unit};

use crate::auth::Viewer;
use crate::error::Error;
use crate::extract::{Form as FormBody, Path, Query};
use crate::i18n::Lang;
use crate::view::{render, Chrome};
use crate::{access, AppState};

type Result<T, E = Error> = std::result::Result<T, E>;

/// Obligations due within this many days count as due soon.
pub const DUE_SOON_DAYS: u32 = 7;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/work", get(work))
        .route("/work/badge", get(work_badge))
        .route("/obligations/{id}", get(obligation))
        .route("/obligations/{id}/records", post(create_record))
        .route("/records/{id}/correct", post(correct_record))
        .route("/records/{id}/acknowledge", post(acknowledge))
        .route("/records/{id}/record.docx", get(record_docx))
        .route("/records/{id}/files/{version}/{position}", get(download))
        .route("/units/{id}/ledger", get(ledger))
        .route("/units/{id}/ledger/print", get(ledger_print))
        .route("/units/{id}/ledger.xlsx", get(ledger_xlsx))
        .route("/units/{id}/ledger.docx", get(ledger_docx))
        .route("/units/{id}/evidence.zip", get(evidence_zip))
        .route("/units/{id}/inbox", get(inbox))
        .route("/units/{id}/duties", get(unit_duties))
        .route("/people/{id}/duties", get(person_duties))
        .route("/me/calendar", post(renew_calendar))
        .route("/calendar/{token}", get(calendar_feed))
}

pub fn today() -> NaiveDate {
    crate::org::today()
}

impl Chrome {
    /// A stored time as people in China read it (UTC+8).
    pub fn local(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        (*t + chrono::Duration::hours(8))
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    /// 第3版 / v3.
    pub fn version(&self, n: &i64) -> String {
        format!(
            "{}{n}{}",
            self.t.s("rec.version"),
            self.t.s("rec.version_suffix")
        )
    }

    /// An obligation status in the page's language.
    pub fn status(&self, word: &str) -> &'static str {
        self.t.s(match word {
            "upcoming" => "status.upcoming",
            "due_soon" => "status.due_soon",
            "overdue" => "status.overdue",
            "done_on_time" => "status.done_on_time",
            _ => "status.done_late",
        })
    }
}

/// An obligation as lists show it.
pub struct ObligationView {
    pub o: Obligation,
    pub status: Status,
    pub records: i64,
    pub unit_name: String,
    pub person_name: Option<String>,
}

impl ObligationView {
    pub fn status_class(&self) -> &'static str {
        self.status.word()
    }
    pub fn status_zh(&self) -> &'static str {
        self.status.zh()
    }
}

pub(crate) fn progress_status(p: &ObligationProgress, today: NaiveDate) -> Status {
    status(
        p.obligation.due_on,
        p.obligation.times.max(1) as u32,
        &p.work_dates,
        today,
        DUE_SOON_DAYS,
    )
}

async fn views(
    state: &AppState,
    rows: Vec<ObligationProgress>,
    today: NaiveDate,
) -> Result<Vec<ObligationView>> {
    let mut r = state.store.reader().await?;
    let mut units: BTreeMap<i64, String> = BTreeMap::new();
    let mut people: BTreeMap<i64, String> = BTreeMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for p in rows {
        let st = progress_status(&p, today);
        let unit_name = match units.get(&p.obligation.unit_id) {
            Some(n) => n.clone(),
            None => {
                let n = r
                    .unit(p.obligation.unit_id)
                    .await?
                    .map(|u| u.name)
                    .unwrap_or_default();
                units.insert(p.obligation.unit_id, n.clone());
                n
            }
        };
        let person_name = match p.obligation.person_id {
            Some(id) => Some(match people.get(&id) {
                Some(n) => n.clone(),
                None => {
                    let n = r.person(id).await?.map(|x| x.name).unwrap_or_default();
                    people.insert(id, n.clone());
                    n
                }
            }),
            None => None,
        };
        out.push(ObligationView {
            records: p.records,
            o: p.obligation,
            status: st,
            unit_name,
            person_name,
        });
    }
    Ok(out)
}

// ------------------------------------------------------------------ 我的工作

#[derive(Template)]
#[template(path = "pages/work.html")]
pub struct WorkPage {
    pub chrome: Chrome,
    pub today: NaiveDate,
    pub overdue: Vec<ObligationView>,
    pub due_soon: Vec<ObligationView>,
    pub upcoming: Vec<ObligationView>,
    pub recent: Vec<(Obligation, RecordVersion)>,
    pub counts: Vec<(&'static str, &'static str, usize)>,
    pub units: Vec<Unit>,
    pub calendar_url: Option<String>,
    pub has_feed: bool,
    /// Review steps waiting for me (先审后发).
    pub waiting: Vec<crate::reviews::ItemRow>,
}

/// The units a person answers for: where they hold a role today, and where they may edit.
async fn my_units(state: &AppState, v: &Viewer, today: NaiveDate) -> Result<Vec<Unit>> {
    let mut out: Vec<Unit> = Vec::new();
    let mut r = state.store.reader().await?;
    if let Some(pid) = v.account.person_id {
        for a in r.assignments_of(pid).await? {
            let active = a.starts_on <= today && a.ends_on.is_none_or(|e| today < e);
            if active && !out.iter().any(|u| u.id == a.unit_id) {
                if let Some(u) = r.unit(a.unit_id).await? {
                    out.push(u);
                }
            }
        }
    }
    for g in r.grants_of(v.account.id).await? {
        if Level::parse(&g.level).is_some_and(|l| l >= Level::Edit)
            && !out.iter().any(|u| u.id == g.unit_id)
        {
            if let Some(u) = r.unit(g.unit_id).await? {
                out.push(u);
            }
        }
    }
    Ok(out)
}

/// The obligations a person answers for this year (and any still open): those of the units where
/// they hold a role or may edit (not colleagues' personal ones), and their own, by due date.
async fn my_obligations(
    state: &AppState,
    v: &Viewer,
    today: NaiveDate,
) -> Result<(Vec<Unit>, Vec<ObligationProgress>)> {
    let units = my_units(state, v, today).await?;
    let mut r = state.store.reader().await?;
    let mut rows = Vec::new();
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    for u in &units {
        rows.extend(
            r.obligations(&ObligationFilter {
                unit: Some(u.id),
                due_from: Some(year_start.min(today - chrono::Days::new(90))),
                ..ObligationFilter::default()
            })
            .await?
            .into_iter()
            // A colleague's personal duty is theirs, not mine.
            .filter(|p| {
                p.obligation.person_id.is_none() || p.obligation.person_id == v.account.person_id
            }),
        );
    }
    if let Some(pid) = v.account.person_id {
        for p in r
            .obligations(&ObligationFilter {
                person: Some(pid),
                due_from: Some(year_start),
                ..ObligationFilter::default()
            })
            .await?
        {
            if !rows
                .iter()
                .any(|x: &ObligationProgress| x.obligation.id == p.obligation.id)
            {
                rows.push(p);
            }
        }
    }
    rows.sort_by_key(|p| (p.obligation.due_on, p.obligation.id));
    Ok((units, rows))
}

/// The reminder in the navigation: how many of my obligations are overdue or due soon.
pub async fn work_badge(State(state): State<AppState>, v: Viewer) -> Result<Html<String>> {
    let today = today();
    let (_, rows) = my_obligations(&state, &v, today).await?;
    let n = rows
        .iter()
        .filter(|p| matches!(progress_status(p, today), Status::Overdue | Status::DueSoon))
        .count();
    Ok(Html(if n == 0 {
        String::new()
    } else {
        format!("<span class=\"badge\">{n}</span>")
    }))
}

pub async fn work(State(state): State<AppState>, v: Viewer, lang: Lang) -> Result<Html<String>> {
    let today = today();
    let (units, rows) = my_obligations(&state, &v, today).await?;
    let mut r = state.store.reader().await?;
    let recent = r.recent_records_by(v.account.id, 8).await?;
    let has_feed = r.has_calendar_feed(v.account.id).await?;
    drop(r);
    let all = views(&state, rows, today).await?;
    let mut counts: Vec<(&'static str, &'static str, usize)> =
        Status::ALL.iter().map(|s| (s.word(), s.zh(), 0)).collect();
    for o in &all {
        if o.o.due_on.year() == today.year() || !o.status.is_done() {
            if let Some(c) = counts.iter_mut().find(|c| c.0 == o.status.word()) {
                c.2 += 1;
            }
        }
    }
    let mut overdue = Vec::new();
    let mut due_soon = Vec::new();
    let mut upcoming = Vec::new();
    for o in all {
        match o.status {
            Status::Overdue => overdue.push(o),
            Status::DueSoon => due_soon.push(o),
            Status::Upcoming if upcoming.len() < 10 => upcoming.push(o),
            _ => {}
        }
    }
    render(&WorkPage {
        chrome: Chrome::new(lang, Some(&v)),
        today,
        overdue,
        due_soon,
        upcoming,
        recent,
        counts,
        units,
        calendar_url: None,
        has_feed,
        waiting: crate::reviews::waiting_rows(&state, &v).await?,
    })
}

// ------------------------------------------------------------------ an obligation

pub struct VersionView {
    pub d: VersionDetail,
    pub participants: String,
}

pub struct RecordView {
    pub h: RecordHistory,
    pub versions: Vec<VersionView>,
    pub acknowledged: bool,
}

impl RecordView {
    pub fn current(&self) -> Option<&VersionView> {
        self.versions
            .iter()
            .find(|v| v.d.version.version == self.h.record.current_version)
    }
}

#[derive(Template)]
#[template(path = "pages/obligation.html")]
pub struct ObligationPage {
    pub chrome: Chrome,
    pub o: ObligationView,
    pub path: Vec<Unit>,
    pub records: Vec<RecordView>,
    pub evidence: Vec<&'static str>,
    pub people: Vec<Person>,
    pub can_record: bool,
    pub can_acknowledge: bool,
    pub today: NaiveDate,
    pub error: Option<String>,
    pub max_mb: u64,
}

/// The obligation and the viewer's rights on it: read at its unit, record as an editor there or
/// as the person it is for, acknowledge as an editor of the parent unit.
pub(crate) async fn load_obligation(
    state: &AppState,
    v: &Viewer,
    id: i64,
) -> Result<(Obligation, Level, bool, bool)> {
    let o = state
        .store
        .reader()
        .await?
        .obligation(id)
        .await?
        .ok_or(Error::NotFound)?;
    let own = o.person_id.is_some() && o.person_id == v.account.person_id;
    // The person a duty is for may see and record it without a grant at the unit.
    let (unit, level) = if own {
        let mut r = state.store.reader().await?;
        let unit = r.unit(o.unit_id).await?.ok_or(Error::NotFound)?;
        let level = r
            .level_at(v.account.id, o.unit_id)
            .await?
            .unwrap_or(Level::Read);
        (unit, level)
    } else {
        access::require(&state.store, v, o.unit_id, Level::Read).await?
    };
    let can_record = level >= Level::Edit || own;
    let can_ack = match unit.parent_id {
        Some(p) if o.report_to_parent => {
            let mut r = state.store.reader().await?;
            r.level_at(v.account.id, p)
                .await?
                .is_some_and(|l| l >= Level::Edit)
        }
        _ => false,
    };
    Ok((o, level, can_record, can_ack))
}

async fn obligation_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    id: i64,
    error: Option<String>,
) -> Result<ObligationPage> {
    let (o, _, can_record, can_acknowledge) = load_obligation(state, v, id).await?;
    let today = today();
    let mut r = state.store.reader().await?;
    let histories = r.records_of(id).await?;
    let path = r.path(o.unit_id).await?;
    let people = r.people_in_unit(o.unit_id).await?;
    let progress = r
        .obligations(&ObligationFilter {
            unit: Some(o.unit_id),
            due_from: Some(o.due_on),
            due_to: Some(o.due_on),
            ..ObligationFilter::default()
        })
        .await?
        .into_iter()
        .find(|p| p.obligation.id == id)
        .ok_or(Error::NotFound)?;
    drop(r);
    let view = views(state, vec![progress], today).await?.remove(0);
    let records = histories
        .into_iter()
        .map(|h| {
            let acknowledged = h
                .acknowledgements
                .iter()
                .any(|a| a.version == h.record.current_version);
            RecordView {
                versions: h
                    .versions
                    .iter()
                    .cloned()
                    .map(|d| VersionView {
                        participants: d
                            .participants
                            .iter()
                            .map(|(_, n)| n.as_str())
                            .collect::<Vec<_>>()
                            .join("、"),
                        d,
                    })
                    .collect(),
                acknowledged,
                h,
            }
        })
        .collect();
    Ok(ObligationPage {
        chrome: Chrome::new(lang, Some(v)),
        evidence: o
            .evidence
            .split_whitespace()
            .filter_map(evidence_zh)
            .collect(),
        o: view,
        path,
        records,
        people,
        can_record,
        can_acknowledge,
        today,
        error,
        max_mb: state.config.upload_limit_bytes() as u64 / (1024 * 1024),
    })
}

fn evidence_zh(word: &str) -> Option<&'static str> {
    zeren_policy::Evidence::parse(word).map(|e| e.zh())
}

pub async fn obligation(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    render(&obligation_page(&state, &v, lang, id, None).await?)
}

/// One multipart field: name, file name, media type, content.
type Part = (String, Option<String>, Option<String>, Vec<u8>);

/// A multipart form whose fields may repeat (participants, files); also read by the reviews.
pub(crate) struct Form {
    fields: Vec<Part>,
}

impl Form {
    pub(crate) async fn read(mut m: Multipart) -> Result<Form> {
        let mut fields = Vec::new();
        while let Some(f) = m
            .next_field()
            .await
            .map_err(|e| Error::Invalid(e.body_text()))?
        {
            let name = f.name().unwrap_or("").to_string();
            let file = f.file_name().map(str::to_string);
            let media = f.content_type().map(str::to_string);
            let bytes = f.bytes().await.map_err(|e| Error::Invalid(e.body_text()))?;
            fields.push((name, file, media, bytes.to_vec()));
        }
        Ok(Form { fields })
    }
    pub(crate) fn text(&self, k: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.0 == k)
            .map(|f| String::from_utf8_lossy(&f.3).trim().to_string())
            .unwrap_or_default()
    }
    pub(crate) fn all(&self, k: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| f.0 == k)
            .map(|f| String::from_utf8_lossy(&f.3).trim().to_string())
            .collect()
    }
    /// Uploaded files: (name, media type, bytes); empty file inputs are skipped.
    pub(crate) fn files(&self, k: &str) -> Vec<(String, String, &[u8])> {
        self.fields
            .iter()
            .filter(|f| f.0 == k && !f.3.is_empty())
            .map(|f| {
                let name =
                    f.1.clone()
                        .filter(|n| !n.is_empty())
                        .unwrap_or_else(|| "附件".into());
                // Browsers and scripts often send application/octet-stream; the name says more.
                let media =
                    f.2.clone()
                        .filter(|m| m != "application/octet-stream")
                        .unwrap_or_else(|| guess_media(&name).into());
                (name, media, f.3.as_slice())
            })
            .collect()
    }
}

pub(crate) fn guess_media(name: &str) -> &'static str {
    let lower = name.to_lowercase();
    match lower.rsplit('.').next() {
        Some("pdf") => "application/pdf",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

/// What a person submitted for a version, from a form or from the API.
pub struct RawVersion {
    pub work_date: Option<NaiveDate>,
    pub place: String,
    pub content: String,
    pub participants: Vec<i64>,
    /// (file name, media type, bytes)
    pub files: Vec<(String, String, Vec<u8>)>,
}

impl RawVersion {
    fn from_form(form: &Form) -> RawVersion {
        RawVersion {
            work_date: NaiveDate::parse_from_str(&form.text("work_date"), "%Y-%m-%d").ok(),
            place: form.text("place"),
            content: form.text("content"),
            participants: form
                .all("participants")
                .iter()
                .filter_map(|p| p.parse().ok())
                .collect(),
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
) -> Result<(NewVersion, Vec<(String, String, Vec<u8>)>), String> {
    let RawVersion {
        work_date,
        place,
        content,
        participants,
        files,
    } = raw;
    let draft = RecordDraft {
        work_date,
        place,
        participants: participants.iter().map(|p| PersonId(*p)).collect(),
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
    let duty = duty_of(state, o).await.map_err(|e| e.to_string())?;
    let mut r = state.store.reader().await.map_err(|e| e.to_string())?;
    let unit_people: HashSet<PersonId> = r
        .people_in_unit(o.unit_id)
        .await
        .map_err(|e| e.to_string())?
        .iter()
        .map(|p| PersonId(p.id))
        .collect();
    let every = zeren_policy::Frequency::parse(&o.every).unwrap_or(zeren_policy::Frequency::Year);
    // A holiday duty (节前研判) is done before the holiday: its window opens a month before it is due.
    let start = if every == zeren_policy::Frequency::Holiday {
        o.due_on.min(o.period_start) - chrono::Days::new(31)
    } else {
        o.period_start
    };
    let period = Period {
        every,
        start,
        end: o.period_end,
        holiday: None,
    };
    let limit = state.config.upload_limit_bytes() as u64;
    if let Err(problems) = check_record(&duty, &period, &draft, today(), &unit_people, limit) {
        let text: Vec<String> = problems
            .iter()
            .map(|p| match lang {
                Lang::Zh => p.zh(),
                Lang::En => format!("{p:?}"),
            })
            .collect();
        return Err(text.join("；"));
    }
    if reason.as_deref().is_some_and(|r| r.trim().is_empty()) {
        return Err(zeren_core::records::RecordProblem::CorrectionWithoutReason.zh());
    }
    Ok((
        NewVersion {
            work_date: work_date.unwrap_or_else(today),
            place: draft.place,
            content: draft.content,
            participants,
            attachments: Vec::new(),
            reason,
        },
        files
            .into_iter()
            .map(|(n, m, b)| (n, m, b.to_vec()))
            .collect(),
    ))
}

/// The duty behind an obligation, from the policy version that created it.
async fn duty_of(state: &AppState, o: &Obligation) -> Result<zeren_policy::Duty> {
    if let Some(d) = crate::reviews::channel_review_duty(o) {
        return Ok(d);
    }
    let p = policy_of(state, o.installed_policy_id).await?;
    p.duty(&zeren_policy::DutyId::parse(&o.duty_id).ok_or(Error::NotFound)?)
        .cloned()
        .ok_or(Error::NotFound)
}

async fn policy_of(state: &AppState, installed_id: i64) -> Result<Policy> {
    let ip = state
        .store
        .reader()
        .await?
        .installed_policy(installed_id)
        .await?
        .ok_or(Error::NotFound)?;
    crate::org::parse_installed(&ip)
}

pub(crate) async fn store_files(
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
pub(crate) async fn record_work(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    obligation_id: i64,
    raw: RawVersion,
) -> Result<RecordHistory, Failure> {
    let (o, _, can_record, _) = load_obligation(state, v, obligation_id).await?;
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
pub(crate) struct Correction {
    pub record_id: i64,
    pub expected: i64,
    pub reason: String,
    pub keep: Vec<i64>,
    pub raw: RawVersion,
}

/// Corrects a record: a new version with a reason, carrying over the files of the corrected
/// version at the positions in `keep`. Shared by the page and the API.
pub(crate) async fn correct_work(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    c: Correction,
) -> Result<(Obligation, RecordHistory), Failure> {
    let h = state
        .store
        .reader()
        .await?
        .record_by_id(c.record_id)
        .await?
        .ok_or(Error::NotFound)?;
    let (o, _, can_record, _) = load_obligation(state, v, h.record.obligation_id).await?;
    if !can_record {
        return Err(Error::Forbidden.into());
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
    let h = w.correct_record(c.record_id, c.expected, &version).await?;
    w.commit().await?;
    Ok((o, h))
}

/// The parent unit acknowledges (签收) a record reported to it. Shared by the page and the API.
pub(crate) async fn acknowledge_record(
    state: &AppState,
    v: &Viewer,
    record_id: i64,
    note: &str,
    seen: Option<i64>,
) -> Result<(Obligation, zeren_store::ledger::Acknowledgement)> {
    let h = state
        .store
        .reader()
        .await?
        .record_by_id(record_id)
        .await?
        .ok_or(Error::NotFound)?;
    let (o, _, _, can_ack) = load_obligation(state, v, h.record.obligation_id).await?;
    if !can_ack {
        return Err(Error::Forbidden);
    }
    let parent = state
        .store
        .reader()
        .await?
        .unit(o.unit_id)
        .await?
        .and_then(|u| u.parent_id)
        .ok_or(Error::Forbidden)?;
    let mut w = state.store.write(&v.actor()).await?;
    let a = w.acknowledge(record_id, parent, note.trim(), seen).await?;
    w.commit().await?;
    Ok((o, a))
}

/// Why recording or correcting failed: an error, or the rules' refusal (shown on the form).
pub(crate) enum Failure {
    Error(Error),
    Rejected(String),
}

impl<E: Into<Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::Error(e.into())
    }
}

pub async fn create_record(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response> {
    // The right to record is checked before the body is read.
    if !load_obligation(&state, &v, id).await?.2 {
        return Err(Error::Forbidden);
    }
    let form = Form::read(multipart).await?;
    match record_work(&state, &v, lang, id, RawVersion::from_form(&form)).await {
        Ok(_) => Ok(Redirect::to(&format!("/obligations/{id}")).into_response()),
        Err(Failure::Rejected(msg)) => invalid_page(&state, &v, lang, id, msg).await,
        Err(Failure::Error(e)) => Err(e),
    }
}

async fn invalid_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    id: i64,
    msg: String,
) -> Result<Response> {
    let page = obligation_page(state, v, lang, id, Some(msg)).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

pub async fn correct_record(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(record_id): Path<i64>,
    multipart: Multipart,
) -> Result<Response> {
    let h = state
        .store
        .reader()
        .await?
        .record_by_id(record_id)
        .await?
        .ok_or(Error::NotFound)?;
    let obligation = h.record.obligation_id;
    if !load_obligation(&state, &v, obligation).await?.2 {
        return Err(Error::Forbidden);
    }
    let form = Form::read(multipart).await?;
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
        Ok(_) => Ok(Redirect::to(&format!("/obligations/{obligation}")).into_response()),
        Err(Failure::Rejected(msg)) => invalid_page(&state, &v, lang, obligation, msg).await,
        Err(Failure::Error(e)) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct AckForm {
    #[serde(default)]
    note: String,
    /// The version the acknowledger read.
    version: Option<i64>,
}

pub async fn acknowledge(
    State(state): State<AppState>,
    v: Viewer,
    Path(record_id): Path<i64>,
    FormBody(f): FormBody<AckForm>,
) -> Result<Response> {
    let (o, _) = acknowledge_record(&state, &v, record_id, &f.note, f.version).await?;
    Ok(Redirect::to(&format!("/obligations/{}", o.id)).into_response())
}

fn attachment_response(name: &str, media: &str, bytes: Vec<u8>, inline: bool) -> Response {
    let disposition = format!(
        "{}; filename=\"download\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        percent(name)
    );
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(media)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// RFC 5987 percent-encoding of a file name.
fn percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub async fn download(
    State(state): State<AppState>,
    v: Viewer,
    Path((record_id, version, position)): Path<(i64, i64, i64)>,
) -> Result<Response> {
    let h = state
        .store
        .reader()
        .await?
        .record_by_id(record_id)
        .await?
        .ok_or(Error::NotFound)?;
    load_obligation(&state, &v, h.record.obligation_id).await?;
    let a = h
        .versions
        .iter()
        .find(|x| x.version.version == version)
        .and_then(|x| x.attachments.iter().find(|a| a.position == position))
        .ok_or(Error::NotFound)?;
    let (media, bytes) = state
        .store
        .reader()
        .await?
        .attachment(&a.sha256)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(attachment_response(&a.file_name, &media, bytes, false))
}

// ------------------------------------------------------------------ the year's ledger

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

/// One row of the grid: a duty (and a person, for per-holder duties) with its periods.
pub struct GridRow {
    /// (policy, duty, person): what makes a row, so equal titles or names never merge.
    key: (String, String, Option<i64>),
    pub title: String,
    pub person: Option<String>,
    pub cells: Vec<ObligationView>,
}

pub struct YearData {
    pub unit: Unit,
    pub year: i32,
    pub rows: Vec<GridRow>,
    pub counts: Vec<(&'static str, &'static str, usize)>,
}

/// The year a period is of: an ISO week's ISO year, a holiday break's (its label's) year, else
/// the year it starts in.
fn period_year(o: &Obligation) -> i32 {
    match o.every.as_str() {
        "week" => o.period_start.iso_week().year(),
        "holiday" => o.period_end.year(),
        _ => o.period_start.year(),
    }
}

async fn year_data(
    state: &AppState,
    v: &Viewer,
    unit_id: i64,
    year: Option<i32>,
) -> Result<YearData> {
    let (unit, _) = access::require(&state.store, v, unit_id, Level::Read).await?;
    let today = today();
    let year = year
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or(today.year());
    // A period belongs to the year it is of, wherever 调休 or a holiday's lead moved its due date:
    // look a month either side, then keep the year's periods.
    let from = NaiveDate::from_ymd_opt(year - 1, 12, 1).ok_or(Error::NotFound)?;
    let to = NaiveDate::from_ymd_opt(year + 1, 1, 31).ok_or(Error::NotFound)?;
    let rows: Vec<ObligationProgress> = state
        .store
        .reader()
        .await?
        .obligations(&ObligationFilter {
            unit: Some(unit_id),
            due_from: Some(from),
            due_to: Some(to),
            ..ObligationFilter::default()
        })
        .await?
        .into_iter()
        .filter(|p| period_year(&p.obligation) == year)
        .collect();
    let all = views(state, rows, today).await?;
    let mut counts: Vec<(&'static str, &'static str, usize)> =
        Status::ALL.iter().map(|s| (s.word(), s.zh(), 0)).collect();
    let mut grid: Vec<GridRow> = Vec::new();
    for o in all {
        if let Some(c) = counts.iter_mut().find(|c| c.0 == o.status.word()) {
            c.2 += 1;
        }
        let key = (o.o.policy_id.clone(), o.o.duty_id.clone(), o.o.person_id);
        match grid.iter_mut().find(|r| r.key == key) {
            Some(r) => r.cells.push(o),
            None => grid.push(GridRow {
                key,
                title: o.o.title.clone(),
                person: o.person_name.clone(),
                cells: vec![o],
            }),
        }
    }
    for r in &mut grid {
        r.cells.sort_by_key(|c| c.o.period_start);
    }
    Ok(YearData {
        unit,
        year,
        rows: grid,
        counts,
    })
}

#[derive(Template)]
#[template(path = "pages/ledger.html")]
pub struct LedgerPage {
    pub chrome: Chrome,
    pub path: Vec<Unit>,
    pub data: YearData,
    pub years: Vec<i32>,
}

pub async fn ledger(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Result<Html<String>> {
    let data = year_data(&state, &v, id, q.year).await?;
    let path = state.store.reader().await?.path(id).await?;
    let this = today().year();
    render(&LedgerPage {
        chrome: Chrome::new(lang, Some(&v)),
        path,
        years: (this - 4..=this + 1).rev().collect(),
        data,
    })
}

/// A ledger row per record (and per obligation still without one), with everything the
/// exports and the print view show.
async fn ledger_rows(
    state: &AppState,
    data: &YearData,
) -> Result<(Vec<LedgerRow>, Vec<(String, String, Vec<(String, String)>)>)> {
    let mut rows = Vec::new();
    let mut evidence = Vec::new();
    let mut r = state.store.reader().await?;
    for g in &data.rows {
        for c in &g.cells {
            let title = match &g.person {
                Some(p) => format!("{}（{p}）", c.o.title),
                None => c.o.title.clone(),
            };
            let histories = r.records_of(c.o.id).await?;
            if histories.is_empty() {
                rows.push(LedgerRow {
                    duty_title: title.clone(),
                    period_label: c.o.period_label.clone(),
                    due: Some(c.o.due_on),
                    status: c.status.zh().into(),
                    ..LedgerRow::default()
                });
            }
            for h in histories {
                let Some(cur) = h.current() else { continue };
                let v = &cur.version;
                rows.push(LedgerRow {
                    duty_title: title.clone(),
                    period_label: c.o.period_label.clone(),
                    due: Some(c.o.due_on),
                    status: c.status.zh().into(),
                    work_date: Some(v.work_date),
                    place: v.place.clone(),
                    participants: cur.participants.iter().map(|(_, n)| n.clone()).collect(),
                    content: v.content.clone(),
                    evidence_files: cur
                        .attachments
                        .iter()
                        .map(|a| a.file_name.clone())
                        .collect(),
                    recorded_by: v.created_by_name.clone(),
                    recorded_at: (v.created_at + chrono::Duration::hours(8))
                        .format("%Y-%m-%d %H:%M")
                        .to_string(),
                    version: v.version as u32,
                    entered_late: (h.record.created_at + chrono::Duration::hours(8)).date_naive()
                        > c.o.due_on,
                });
                evidence.push((
                    title.clone(),
                    c.o.period_label.clone(),
                    cur.attachments
                        .iter()
                        .map(|a| (a.file_name.clone(), a.sha256.clone()))
                        .collect(),
                ));
            }
        }
    }
    Ok((rows, evidence))
}

async fn ledger_meta(state: &AppState, v: &Viewer, data: &YearData) -> Result<LedgerMeta> {
    let mut r = state.store.reader().await?;
    let filled_by = match v.account.person_id {
        Some(p) => r
            .person(p)
            .await?
            .map(|p| p.name)
            .unwrap_or_else(|| v.account.username.clone()),
        None => v.account.username.clone(),
    };
    let (_, _, head) = r.audit_head().await?;
    let system = match state
        .store
        .reader()
        .await?
        .policy_in_force(data.unit.id)
        .await?
    {
        Some(p) => crate::org::parse_installed(&p)
            .ok()
            .and_then(|p| p.meta.system)
            .unwrap_or_else(|| "责任制".into()),
        None => "责任制".into(),
    };
    let topic = system.strip_suffix("责任制").unwrap_or(&system).to_string();
    Ok(LedgerMeta {
        title: format!("{}{}年度{topic}台账", data.unit.name, data.year),
        unit_name: data.unit.name.clone(),
        year: data.year,
        filled_by,
        reviewed_by: None,
        filled_on: today(),
        chain_head: Some(head),
    })
}

#[derive(Template)]
#[template(path = "pages/ledger_print.html")]
pub struct LedgerPrint {
    pub chrome: Chrome,
    pub meta: LedgerMeta,
    pub filled_on: String,
    pub rows: Vec<LedgerRow>,
}

impl LedgerPrint {
    pub fn date(&self, d: &Option<NaiveDate>) -> String {
        d.map(zeren_export::date_zh).unwrap_or_default()
    }
}

pub async fn ledger_print(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Result<Html<String>> {
    let data = year_data(&state, &v, id, q.year).await?;
    let (rows, _) = ledger_rows(&state, &data).await?;
    let meta = ledger_meta(&state, &v, &data).await?;
    render(&LedgerPrint {
        chrome: Chrome::new(lang, Some(&v)),
        filled_on: zeren_export::date_zh(meta.filled_on),
        meta,
        rows,
    })
}

fn download_name(meta: &LedgerMeta, ext: &str) -> String {
    format!("{}.{ext}", meta.title)
}

/// The year's ledger as a file: Excel or Word.
async fn ledger_file(
    state: &AppState,
    v: &Viewer,
    id: i64,
    year: Option<i32>,
    excel: bool,
) -> Result<Response> {
    let data = year_data(state, v, id, year).await?;
    let (rows, _) = ledger_rows(state, &data).await?;
    let meta = ledger_meta(state, v, &data).await?;
    let (bytes, ext, media) = if excel {
        (
            zeren_export::xlsx::ledger_xlsx(&meta, &rows),
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    } else {
        (
            zeren_export::docx::ledger_docx(&meta, &rows),
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    };
    let bytes = bytes.map_err(|e| Error::Internal(e.to_string()))?;
    Ok(attachment_response(
        &download_name(&meta, ext),
        media,
        bytes,
        false,
    ))
}

pub async fn ledger_xlsx(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Result<Response> {
    ledger_file(&state, &v, id, q.year, true).await
}

pub async fn ledger_docx(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Result<Response> {
    ledger_file(&state, &v, id, q.year, false).await
}

pub async fn evidence_zip(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Result<Response> {
    let data = year_data(&state, &v, id, q.year).await?;
    let (_, evidence) = ledger_rows(&state, &data).await?;
    let meta = ledger_meta(&state, &v, &data).await?;
    let items: Vec<zeren_export::zip_export::EvidenceItem> = evidence
        .into_iter()
        .filter(|(_, _, files)| !files.is_empty())
        .map(
            |(duty_title, period_label, files)| zeren_export::zip_export::EvidenceItem {
                duty_title,
                period_label,
                files,
            },
        )
        .collect();
    // Files are fetched (and checked against their SHA-256) one by one while the ZIP is written.
    let mut files = BTreeMap::new();
    {
        let mut r = state.store.reader().await?;
        for item in &items {
            for (_, sha) in &item.files {
                if !files.contains_key(sha) {
                    let (_, bytes) = r.attachment(sha).await?.ok_or(Error::NotFound)?;
                    files.insert(sha.clone(), bytes);
                }
            }
        }
    }
    let sink = std::io::Cursor::new(Vec::new());
    let sink = zeren_export::zip_export::evidence_zip(sink, &meta, &items, |sha| {
        files
            .get(sha)
            .cloned()
            .ok_or_else(|| std::io::Error::other("missing file"))
    })
    .map_err(|e| Error::Internal(e.to_string()))?;
    Ok(attachment_response(
        &format!("{}佐证材料.zip", meta.title),
        "application/zip",
        sink.into_inner(),
        false,
    ))
}

pub async fn record_docx(
    State(state): State<AppState>,
    v: Viewer,
    Path(record_id): Path<i64>,
) -> Result<Response> {
    let h = state
        .store
        .reader()
        .await?
        .record_by_id(record_id)
        .await?
        .ok_or(Error::NotFound)?;
    let (o, ..) = load_obligation(&state, &v, h.record.obligation_id).await?;
    let cur = h.current().ok_or(Error::NotFound)?;
    let mut r = state.store.reader().await?;
    let unit = r.unit(o.unit_id).await?.ok_or(Error::NotFound)?;
    let (_, _, head) = r.audit_head().await?;
    let rec = MeetingRecord {
        unit_name: unit.name,
        duty_title: o.title.clone(),
        period_label: o.period_label.clone(),
        work_date: Some(cur.version.work_date),
        place: cur.version.place.clone(),
        participants: cur.participants.iter().map(|(_, n)| n.clone()).collect(),
        content: cur.version.content.replace('\n', "\n\n"),
        attachments: cur
            .attachments
            .iter()
            .map(|a| a.file_name.clone())
            .collect(),
        recorded_by: cur.version.created_by_name.clone(),
        recorded_at: (cur.version.created_at + chrono::Duration::hours(8))
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        version: cur.version.version as u32,
        correction_reason: cur.version.reason.clone(),
        chain_head: Some(head),
    };
    let bytes =
        zeren_export::docx::record_docx(&rec).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(attachment_response(
        &format!("{}{}记录.docx", o.title, o.period_label),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        bytes,
        false,
    ))
}

// ------------------------------------------------------------------ the parent's inbox

#[derive(Template)]
#[template(path = "pages/inbox.html")]
pub struct InboxPage {
    pub chrome: Chrome,
    pub unit: Unit,
    pub items: Vec<(Obligation, String, RecordRow)>,
    pub can_acknowledge: bool,
}

pub async fn inbox(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    let (unit, level) = access::require(&state.store, &v, id, Level::Read).await?;
    let mut r = state.store.reader().await?;
    let mut items = Vec::new();
    for (o, rec) in r.inbox(id).await? {
        let name = r.unit(o.unit_id).await?.map(|u| u.name).unwrap_or_default();
        items.push((o, name, rec));
    }
    render(&InboxPage {
        chrome: Chrome::new(lang, Some(&v)),
        unit,
        items,
        can_acknowledge: level >= Level::Edit,
    })
}

// ------------------------------------------------------------------ 责任清单

pub struct DutyLine {
    pub title: String,
    pub frequency: String,
    pub next_due: Option<NaiveDate>,
    pub unit_name: String,
}

pub struct RoleLine {
    pub role: String,
    pub unit_name: String,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub duties: Vec<DutyLine>,
    pub responsibilities: Vec<String>,
}

#[derive(Template)]
#[template(path = "pages/duties.html")]
pub struct DutiesPage {
    pub chrome: Chrome,
    pub title: String,
    pub subtitle: String,
    pub roles: Vec<RoleLine>,
    pub personal: Vec<DutyLine>,
    pub today: NaiveDate,
}

/// The next due date of a duty at a unit (for a person, when it is per holder).
async fn next_due(
    state: &AppState,
    unit: i64,
    duty: &str,
    person: Option<i64>,
    today: NaiveDate,
) -> Result<Option<NaiveDate>> {
    let rows = state
        .store
        .reader()
        .await?
        .obligations(&ObligationFilter {
            unit: Some(unit),
            duty: Some(duty.to_string()),
            person,
            due_from: Some(today),
            limit: Some(1),
            ..ObligationFilter::default()
        })
        .await?;
    Ok(rows.first().map(|p| p.obligation.due_on))
}

/// What holding `role` at `unit` means under the policy in force there.
async fn role_line(
    state: &AppState,
    unit: &Unit,
    role: &str,
    from: NaiveDate,
    to: Option<NaiveDate>,
    person: Option<i64>,
    today: NaiveDate,
) -> Result<RoleLine> {
    let policy = match state.store.reader().await?.policy_in_force(unit.id).await? {
        Some(p) => crate::org::parse_installed(&p).ok(),
        None => None,
    };
    let mut line = RoleLine {
        role: role.to_string(),
        unit_name: unit.name.clone(),
        from,
        to,
        duties: Vec::new(),
        responsibilities: Vec::new(),
    };
    let Some(policy) = policy else {
        return Ok(line);
    };
    let Some(rid) = zeren_policy::RoleId::parse(role) else {
        return Ok(line);
    };
    line.role = policy.role_title(&rid).to_string();
    let e = zeren_policy::explain::explain(&policy);
    if let Some(rl) = e.roles.iter().find(|r| r.role.id == rid) {
        for d in &rl.duties {
            let per_person = d.per == zeren_policy::Per::Holder;
            line.duties.push(DutyLine {
                title: d.title.clone(),
                frequency: d.frequency_zh(),
                next_due: next_due(
                    state,
                    unit.id,
                    d.id.as_str(),
                    if per_person { person } else { None },
                    today,
                )
                .await?,
                unit_name: unit.name.clone(),
            });
        }
        for (w, s) in &rl.steps {
            line.responsibilities
                .push(format!("{}：{}", w.title, s.title));
        }
        line.responsibilities
            .extend(rl.responsibilities.iter().map(|r| r.text.clone()));
        for (b, pos) in &rl.bodies {
            line.responsibilities
                .insert(0, format!("任{}{}", b.title, pos));
        }
    }
    Ok(line)
}

pub async fn person_duties(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    let person = state
        .store
        .reader()
        .await?
        .person(id)
        .await?
        .ok_or(Error::NotFound)?;
    access::require(&state.store, &v, person.unit_id, Level::Read).await?;
    let today = today();
    let assignments = state.store.reader().await?.assignments_of(id).await?;
    let mut roles = Vec::new();
    for a in assignments {
        // Only roles at units the viewer may read.
        if state
            .store
            .reader()
            .await?
            .level_at(v.account.id, a.unit_id)
            .await?
            .is_none()
        {
            continue;
        }
        let Some(unit) = state.store.reader().await?.unit(a.unit_id).await? else {
            continue;
        };
        let mut line = role_line(
            &state,
            &unit,
            &a.role_id,
            a.starts_on,
            a.ends_on,
            Some(id),
            today,
        )
        .await?;
        let active = a.starts_on <= today && a.ends_on.is_none_or(|e| today < e);
        if !active {
            // Past roles are listed with their dates, without the duties they no longer carry.
            line.duties.clear();
            line.responsibilities.clear();
        }
        roles.push(line);
    }
    let unit = state
        .store
        .reader()
        .await?
        .unit(person.unit_id)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    render(&DutiesPage {
        chrome: Chrome::new(lang, Some(&v)),
        title: format!("{}的责任清单", person.name),
        subtitle: unit,
        roles,
        personal: Vec::new(),
        today,
    })
}

pub async fn unit_duties(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Read).await?;
    let today = today();
    let mut roles = Vec::new();
    let assignments = state.store.reader().await?.assignments_at(id).await?;
    let mut seen = Vec::new();
    for a in assignments {
        let active = a.starts_on <= today && a.ends_on.is_none_or(|e| today < e);
        if !active || seen.contains(&a.role_id) {
            continue;
        }
        seen.push(a.role_id.clone());
        let mut line = role_line(&state, &unit, &a.role_id, a.starts_on, None, None, today).await?;
        let holders: Vec<String> = state
            .store
            .reader()
            .await?
            .assignments_at(id)
            .await?
            .into_iter()
            .filter(|x| {
                x.role_id == a.role_id
                    && x.starts_on <= today
                    && x.ends_on.is_none_or(|e| today < e)
            })
            .map(|x| x.person_name)
            .collect();
        line.unit_name = holders.join("、");
        roles.push(line);
    }
    render(&DutiesPage {
        chrome: Chrome::new(lang, Some(&v)),
        title: format!("{}责任清单", unit.name),
        subtitle: unit.kind.clone(),
        roles,
        personal: Vec::new(),
        today,
    })
}

// ------------------------------------------------------------------ calendar feed

#[derive(Template)]
#[template(path = "pages/calendar.html")]
pub struct CalendarPage {
    pub chrome: Chrome,
    pub url: String,
}

/// Issues a new private feed URL (the old one stops working) and shows it once.
pub async fn renew_calendar(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    headers: axum::http::HeaderMap,
) -> Result<Html<String>> {
    let token = crate::auth::random_token();
    let mut w = state.store.write(&v.actor()).await?;
    w.set_calendar_feed(v.account.id, &crate::auth::sha256_hex(&token))
        .await?;
    w.commit().await?;
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    render(&CalendarPage {
        chrome: Chrome::new(lang, Some(&v)),
        url: format!("http://{host}/calendar/{token}.ics"),
    })
}

/// The feed itself: no session (calendar apps have none); the unguessable token is the key.
pub async fn calendar_feed(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response> {
    let token = token.strip_suffix(".ics").unwrap_or(&token);
    let mut r = state.store.reader().await?;
    let account_id = r
        .calendar_feed_account(&crate::auth::sha256_hex(token))
        .await?
        .ok_or(Error::NotFound)?;
    let account = r
        .account(account_id)
        .await?
        .filter(|a| a.active)
        .ok_or(Error::NotFound)?;
    drop(r);
    let viewer = Viewer {
        account,
        session: None,
        csrf: String::new(),
    };
    let today = today();
    let units = my_units(&state, &viewer, today).await?;
    let mut r = state.store.reader().await?;
    let mut events = Vec::new();
    let from = today - chrono::Days::new(31);
    let mut push = |p: ObligationProgress, unit_name: &str| {
        let st = progress_status(&p, today);
        if st.is_done() {
            return;
        }
        events.push(zeren_export::ical::CalEvent {
            uid: format!("obligation-{}@zeren", p.obligation.id),
            summary: format!("{}（{}）", p.obligation.title, p.obligation.period_label),
            due: p.obligation.due_on,
            description: format!("{unit_name}：{}，{}", p.obligation.title, st.zh()),
            url: None,
        });
    };
    for u in &units {
        for p in r
            .obligations(&ObligationFilter {
                unit: Some(u.id),
                due_from: Some(from),
                ..ObligationFilter::default()
            })
            .await?
        {
            if p.obligation.person_id.is_none()
                || p.obligation.person_id == viewer.account.person_id
            {
                push(p, &u.name);
            }
        }
    }
    if let Some(pid) = viewer.account.person_id {
        for p in r
            .obligations(&ObligationFilter {
                person: Some(pid),
                due_from: Some(from),
                ..ObligationFilter::default()
            })
            .await?
        {
            if !units.iter().any(|u| u.id == p.obligation.unit_id) {
                push(p, "");
            }
        }
    }
    let ics = zeren_export::ical::icalendar(
        &format!("{} 的待办", viewer.account.username),
        &events,
        zeren_store::now().naive_utc(),
    );
    let mut resp = ics.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ob(every: &str, start: &str, end: &str, due: &str) -> Obligation {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        Obligation {
            id: 1,
            installed_policy_id: 1,
            policy_id: "p".into(),
            duty_id: "d".into(),
            title: "t".into(),
            unit_id: 1,
            person_id: None,
            every: every.into(),
            period_start: d(start),
            period_end: d(end),
            period_label: String::new(),
            due_on: d(due),
            times: 1,
            evidence: String::new(),
            report_to_parent: false,
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn periods_belong_to_their_own_year() {
        // ISO week 1 of 2026 starts on 2025-12-29.
        assert_eq!(
            period_year(&ob("week", "2025-12-29", "2026-01-04", "2026-01-02")),
            2026
        );
        // The 2027 New Year break, prepared for in December 2026.
        assert_eq!(
            period_year(&ob("holiday", "2027-01-01", "2027-01-03", "2026-12-29")),
            2027
        );
        // A quarter due after New Year (workday = "after").
        assert_eq!(
            period_year(&ob("quarter", "2026-10-01", "2026-12-31", "2027-01-04")),
            2026
        );
    }
}
