//! 我的工作: what the signed-in person must do — overdue, due soon and upcoming obligations of the
//! units they answer for, reports of sub-units waiting for their 签收, their units' reports the
//! parent returned, review steps waiting for their decision, incident reports their units owe
//! (with countdowns) or must acknowledge, what they entered lately — and in
//! the navigation the count of overdue and due-soon work and of reports waiting for 签收.

pub mod messages;

use askama::Template;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use chrono::{Datelike, NaiveDate};
use zeren_core::obligations::Status;
use zeren_store::ledger::{
    AwaitingReceipt, LedgerRead, Obligation, ObligationProgress, RecordVersion, ReturnedRecord,
};
use zeren_store::Unit;

use zeren_core::incident::Timeliness;
use zeren_store::accountability::AccountabilityRead;
use zeren_store::incidents::{pending_clocks, AwaitingIncidentReceipt, IncidentRead};
use zeren_store::inspections::{FindingRow, InspectionRead};
use zeren_store::report_requests::{ReportRequest, ReportRequestRead};
use zeren_store::Read as _;

use crate::shared::clock::{today, wall};
use crate::shared::mine;
use crate::shared::prelude::*;
use crate::shared::rows::{item_rows, obligation_views, progress_status, ItemRow, ObligationView};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/work", get(page))
        .route("/work/badge", get(badge))
        .route("/work/pending", get(pending_badge))
}

/// How many reports 我的工作 lists at most as waiting for 签收 (the heading says how many wait).
const AWAITING_SHOWN: i64 = 100;

#[derive(Template)]
#[template(path = "pages/work.html")]
pub struct WorkPage {
    pub chrome: Chrome,
    pub today: NaiveDate,
    pub overdue: Vec<ObligationView>,
    pub due_soon: Vec<ObligationView>,
    /// Not yet due, in a period already running.
    pub in_progress: Vec<ObligationView>,
    /// The next period's, shown ahead.
    pub upcoming: Vec<ObligationView>,
    pub recent: Vec<(Obligation, RecordVersion)>,
    pub counts: Vec<(&'static str, &'static str, usize)>,
    pub units: Vec<Unit>,
    pub has_feed: bool,
    /// Review steps waiting for me (先审后发).
    pub waiting: Vec<ItemRow>,
    /// My items the reviewers returned for changes.
    pub returned_reviews: Vec<ItemRow>,
    /// Steps nobody holds, in units I administer: they wait for my 转交.
    pub awaiting_reassignment: Vec<ItemRow>,
    /// Reports of sub-units waiting for my 签收 (the oldest first), and how many there are.
    pub awaiting: Vec<AwaitingReceipt>,
    pub awaiting_count: i64,
    /// My units' reports the parent returned, waiting for our correction.
    pub returned: Vec<ReturnedRecord>,
    /// Incident reports my units owe, with their countdowns (the soonest first), and incident
    /// reports of units below waiting for our 签收.
    pub incident_clocks: Vec<IncidentClock>,
    pub incident_receipts: Vec<AwaitingIncidentReceipt>,
    /// Accountability cases filed with a unit I edit, waiting for its 签收: (case, title, unit).
    pub filings: Vec<(i64, String, String)>,
    /// Findings waiting on me: sent to my units, whose rectification I answer for, or of my
    /// units' inspections waiting for the inspecting side; with their stage in words and
    /// whether they are overdue.
    pub findings: Vec<(FindingRow, &'static str, bool)>,
    /// Reports requested of my units that they still owe (to submit, or again after a return),
    /// with the unit's name and the status in words.
    pub requests: Vec<(ReportRequest, String, &'static str, bool)>,
}

/// A deadline of an incident report, as 我的工作 shows it: computed at the incident clock's now.
pub struct IncidentClock {
    pub incident_id: i64,
    pub title: String,
    pub what: String,
    pub unit: String,
    /// China time, empty for 第一时间.
    pub due: String,
    /// pending, missing, waiting: the CSS class beside the words.
    pub state: &'static str,
    /// 剩余35分钟 / 漏报（已超时1小时5分钟）…
    pub text: String,
}

async fn incident_clocks(state: &AppState, units: &[Unit]) -> Result<Vec<IncidentClock>> {
    let ids: Vec<i64> = units.iter().map(|u| u.id).collect();
    let pending = pending_clocks(&state.store, &ids, state.now()).await?;
    Ok(pending
        .into_iter()
        .map(|p| IncidentClock {
            incident_id: p.incident_id,
            title: p.title,
            what: p.what_zh,
            unit: units
                .iter()
                .find(|u| u.id == p.unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            due: p.due_at.map(|t| wall(&t)).unwrap_or_default(),
            state: match p.timeliness {
                Timeliness::Missing { .. } => "missing",
                Timeliness::Waiting { .. } => "waiting",
                _ => "pending",
            },
            text: p.timeliness.zh(),
        })
        .collect())
}

/// The navigation's link to the reports waiting for my 签收, with their count; nothing when
/// none wait (the chrome loads it after the page).
pub async fn pending_badge(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
) -> Result<Html<String>> {
    let n = state
        .store
        .reader()
        .await?
        .awaiting_receipt_count(v.account.id)
        .await?;
    Ok(Html(if n == 0 {
        String::new()
    } else {
        format!(
            "<a href=\"/work#pending\" id=\"nav-pending\">{}<span class=\"badge\">{n}</span></a>",
            Tr(lang).s("nav.pending")
        )
    }))
}

/// My units and the obligations 我的工作 shows: what is not done yet, however old (overdue work
/// stays until it is done), and what was done this year.
async fn my_rows(
    state: &AppState,
    v: &Viewer,
    today: NaiveDate,
) -> Result<(Vec<Unit>, Vec<ObligationProgress>)> {
    let window = mine::work_window(today);
    let (units, rows) =
        mine::obligations(state, v, today, today - chrono::Days::new(3 * 366)).await?;
    let rows = rows
        .into_iter()
        .filter(|p| p.obligation.due_on >= window || !progress_status(p, today).is_done())
        .collect();
    Ok((units, rows))
}

/// The reminder in the navigation: how many of my obligations are overdue or due soon.
pub async fn badge(State(state): State<AppState>, v: Viewer) -> Result<Html<String>> {
    let today = today();
    let (_, rows) = my_rows(&state, &v, today).await?;
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

pub async fn page(State(state): State<AppState>, v: Viewer, lang: Lang) -> Result<Html<String>> {
    let today = today();
    let (units, rows) = my_rows(&state, &v, today).await?;
    let mut r = state.store.reader().await?;
    let recent = r.recent_records_by(v.account.id, 8).await?;
    let has_feed = r.has_calendar_feed(v.account.id).await?;
    let awaiting = r.awaiting_receipt(v.account.id, AWAITING_SHOWN).await?;
    let awaiting_count = if (awaiting.len() as i64) < AWAITING_SHOWN {
        awaiting.len() as i64
    } else {
        r.awaiting_receipt_count(v.account.id).await?
    };
    let unit_ids: Vec<i64> = units.iter().map(|u| u.id).collect();
    let returned = r.returned_records(&unit_ids).await?;
    let incident_receipts = r.awaiting_incident_receipts(&unit_ids).await?;
    drop(r);
    // Filings are acknowledged by an editor of the unit they were filed with.
    let mut editing = Vec::new();
    for u in &units {
        if access::level(&state.store, &v, u.id)
            .await?
            .is_some_and(|l| l >= zeren_store::Level::Edit)
        {
            editing.push(u.id);
        }
    }
    let mut r = state.store.reader().await?;
    let mut filings = Vec::new();
    for c in r.filings_awaiting_receipt(&editing).await? {
        let unit = r.unit(c.unit_id).await?.map(|u| u.name).unwrap_or_default();
        filings.push((c.id, c.title, unit));
    }
    let findings = r
        .open_findings_for(&unit_ids, v.account.person_id)
        .await?
        .into_iter()
        .map(|f| {
            let overdue = f.due_on.is_some_and(|d| d < today) && f.stage != "applied";
            let stage = finding_stage(&f.stage);
            (f, stage, overdue)
        })
        .collect();
    let mut requests = Vec::new();
    for (q, u) in r.report_requests_to(&unit_ids).await? {
        let latest = r
            .submissions(q.id)
            .await?
            .into_iter()
            .rfind(|s| s.unit_id == u)
            .map(|s| s.answer.map(|a| a.kind == "acknowledged"));
        let st = zeren_core::oversight::ReportStatus::of(q.due_on, latest, today);
        if st.unit_must_act() {
            let name = units
                .iter()
                .find(|x| x.id == u)
                .map(|x| x.name.clone())
                .unwrap_or_default();
            requests.push((
                q,
                name,
                st.zh(),
                st == zeren_core::oversight::ReportStatus::Overdue,
            ));
        }
    }
    drop(r);
    let incident_clocks = incident_clocks(&state, &units).await?;
    let all = obligation_views(&state.store, rows, today).await?;
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
    let mut in_progress = Vec::new();
    let mut upcoming = Vec::new();
    for o in all {
        match o.status {
            Status::Overdue => overdue.push(o),
            Status::DueSoon => due_soon.push(o),
            Status::Upcoming if o.o.period_start <= today => in_progress.push(o),
            Status::Upcoming if upcoming.len() < 10 => upcoming.push(o),
            _ => {}
        }
    }
    let waiting = match v.account.person_id {
        Some(p) => zeren_store::waiting::reviews_waiting_for(&state.store, p, today).await?,
        None => Vec::new(),
    };
    let returned_reviews = mine::reviews_returned(&state, &v).await?;
    let awaiting_reassignment = mine::reviews_to_reassign(&state, &v, today).await?;
    render(&WorkPage {
        chrome: Chrome::new(lang, Some(&v)),
        today,
        overdue,
        due_soon,
        in_progress,
        upcoming,
        recent,
        counts,
        units,
        has_feed,
        waiting: item_rows(&state.store, waiting).await?,
        returned_reviews: item_rows(&state.store, returned_reviews).await?,
        awaiting_reassignment: item_rows(&state.store, awaiting_reassignment).await?,
        awaiting,
        awaiting_count,
        returned,
        incident_clocks,
        incident_receipts,
        filings,
        findings,
        requests,
    })
}

/// A finding's stage in words, from the word the store keeps.
fn finding_stage(word: &str) -> &'static str {
    use zeren_core::inspection::Stage;
    match word {
        "awaiting_commitment" => Stage::AwaitingCommitment.zh(),
        "negotiating" => Stage::Negotiating.zh(),
        "rectifying" => Stage::Rectifying.zh(),
        "applied" => Stage::Applied.zh(),
        "closed" => Stage::Closed.zh(),
        "withdrawn" => Stage::Withdrawn.zh(),
        _ => Stage::Draft.zh(),
    }
}
