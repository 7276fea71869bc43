//! A unit's year as a ledger (台账): the completion grid of duties × periods, its print view, and
//! the same as XLSX, DOCX and an evidence ZIP — each cut with the audit chain's head.

use std::collections::BTreeMap;

use askama::Template;
use axum::response::{Html, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use zeren_core::obligations::Status;
use zeren_export::{LedgerMeta, LedgerRow};
use zeren_store::ledger::*;
use zeren_store::{Level, Read, Unit};

use crate::shared::clock::{china, today};
use crate::shared::policies::parse_installed;
use crate::shared::prelude::*;
use crate::shared::respond;
use crate::shared::rows::{obligation_views, ObligationView};
use crate::shared::view::{crumbs, Crumb};

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
    let year = match year {
        Some(y) if !(2000..=2100).contains(&y) => {
            return Err(Error::Invalid("年份须在 2000 至 2100 之间".into()))
        }
        Some(y) => y,
        None => today.year(),
    };
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
    let all = obligation_views(&state.store, rows, today).await?;
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
    pub path: Vec<Crumb>,
    pub data: YearData,
    pub years: Vec<i32>,
    /// How many obligations the year has and how many records they hold: the status counts
    /// below count obligations, not records.
    pub summary: String,
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Result<Html<String>> {
    let data = year_data(&state, &v, id, q.year).await?;
    let path = state.store.reader().await?.path(id).await?;
    let this = today().year();
    let cells = data.rows.iter().flat_map(|r| &r.cells);
    let obligations = cells.clone().count();
    let records: i64 = cells.map(|c| c.records).sum();
    let summary = Tr(lang)
        .s("ledger.summary")
        .replace("{obligations}", &obligations.to_string())
        .replace("{records}", &records.to_string());
    render(&LedgerPage {
        chrome: Chrome::new(lang, Some(&v)),
        path: crumbs(&state.store, &v, path).await?,
        years: (this - 4..=this + 1).rev().collect(),
        data,
        summary,
    })
}

/// A ledger row per record (and per obligation still without one), with everything the
/// exports and the print view show, and each record's evidence.
async fn ledger_rows(
    state: &AppState,
    data: &YearData,
) -> Result<(Vec<LedgerRow>, Vec<zeren_export::zip_export::EvidenceItem>)> {
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
                let receipt = super::records::receipt_of(&c.o, &h);
                rows.push(LedgerRow {
                    duty_title: title.clone(),
                    period_label: c.o.period_label.clone(),
                    due: Some(c.o.due_on),
                    status: c.status.zh().into(),
                    work_date: Some(v.work_date),
                    place: v.place.clone(),
                    participants: crate::shared::rows::attendees(cur),
                    content: v.content.clone(),
                    evidence_files: cur
                        .attachments
                        .iter()
                        .map(|a| a.file_name.clone())
                        .collect(),
                    recorded_by: v.created_by_name.clone(),
                    recorded_at: Some(china(&v.created_at)),
                    version: v.version as u32,
                    entered_late: china(&h.record.created_at).date() > c.o.due_on,
                    receipt: receipt.clone(),
                });
                evidence.push(zeren_export::zip_export::EvidenceItem {
                    duty_title: title.clone(),
                    period_label: c.o.period_label.clone(),
                    work_date: Some(v.work_date),
                    recorded_by: v.created_by_name.clone(),
                    receipt,
                    files: cur
                        .attachments
                        .iter()
                        .map(|a| (a.file_name.clone(), a.sha256.clone()))
                        .collect(),
                });
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
    let system = match r.policy_in_force(data.unit.id).await? {
        Some(p) => parse_installed(&p)
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
    /// 共 N 条记录 (records, not rows: obligations without a record are counted apart).
    pub count: String,
}

impl LedgerPrint {
    pub fn date(&self, d: &Option<NaiveDate>) -> String {
        d.map(zeren_export::date_zh).unwrap_or_default()
    }
}

pub async fn print_page(
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
        count: zeren_export::xlsx::count_line(&rows),
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
            respond::XLSX,
        )
    } else {
        (
            zeren_export::docx::ledger_docx(&meta, &rows),
            "docx",
            respond::DOCX,
        )
    };
    let bytes = bytes.map_err(|e| Error::Internal(e.to_string()))?;
    Ok(respond::download(&download_name(&meta, ext), media, bytes))
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
        .filter(|item| !item.files.is_empty())
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
    Ok(respond::download(
        &format!("{}佐证材料.zip", meta.title),
        "application/zip",
        sink.into_inner(),
    ))
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
