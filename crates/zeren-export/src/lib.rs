//! Zeren's exports, for inspectors and for the office suites our users have (WPS, LibreOffice,
//! Microsoft Office): the year's ledger (台账) as XLSX and DOCX, one record as a meeting record
//! (DOCX), the evidence files as a ZIP with an index sheet, and a person's obligations as an
//! iCalendar feed. Pure: the caller gathers the data; these functions only lay it out.
//! WPS ignores auto-fit and theme fonts, so every width and every East-Asian font is explicit.

pub mod docx;
pub mod ical;
pub mod xlsx;
pub mod zip_export;

use chrono::NaiveDate;

/// Who filled the ledger and for which unit and year: the heading of every export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerMeta {
    /// E.g. 河东区第一中学意识形态工作台账.
    pub title: String,
    pub unit_name: String,
    pub year: i32,
    pub filled_by: String,
    pub reviewed_by: Option<String>,
    pub filled_on: NaiveDate,
    /// The audit chain head the export was cut from (审计链校验码), so an inspector can verify it.
    pub chain_head: Option<String>,
}

/// One record (or one obligation without a record) in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LedgerRow {
    pub duty_title: String,
    pub period_label: String,
    pub due: Option<NaiveDate>,
    /// 按时完成 / 逾期完成 / 已逾期 / 未到期 …
    pub status: String,
    pub work_date: Option<NaiveDate>,
    pub place: String,
    pub participants: Vec<String>,
    pub content: String,
    pub evidence_files: Vec<String>,
    pub recorded_by: String,
    /// When the record was entered, as shown to people.
    pub recorded_at: String,
    pub version: u32,
    /// Entered after the due date (补录), though the work may have been done in time.
    pub entered_late: bool,
}

/// One record as a meeting record (会议记录).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MeetingRecord {
    pub unit_name: String,
    pub duty_title: String,
    pub period_label: String,
    pub work_date: Option<NaiveDate>,
    pub place: String,
    pub participants: Vec<String>,
    pub content: String,
    pub attachments: Vec<String>,
    pub recorded_by: String,
    pub recorded_at: String,
    pub version: u32,
    /// For a correction: why the record was corrected.
    pub correction_reason: Option<String>,
    pub chain_head: Option<String>,
}

/// 《上网信息审核登记表》 (or the workflow's own title): one reviewed item and its whole trail.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Registration {
    pub title: String,
    pub unit: String,
    pub item: String,
    pub channel: String,
    pub submitter: String,
    /// The version decided on, with the start of its hash.
    pub version: String,
    pub major: bool,
    /// What the scan found in that version (kind, where, masked value).
    pub findings: Vec<String>,
    pub trail: Vec<RegistrationRow>,
    /// Where the item stands (已发布 …).
    pub stage: String,
}

/// One line of the trail: when, who, what (submitted, approved, returned …), at which step, and
/// the checks, lawful basis or opinion.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegistrationRow {
    pub at: String,
    pub who: String,
    pub what: String,
    pub step: String,
    pub detail: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("spreadsheet: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

/// Dates as Chinese documents write them: 2026年3月31日.
pub fn date_zh(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn opt_date_zh(d: Option<NaiveDate>) -> String {
    d.map(date_zh).unwrap_or_default()
}
