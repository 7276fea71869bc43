//! Zeren's exports, for inspectors and for the office suites our users have (WPS, LibreOffice,
//! Microsoft Office): the year's ledger (台账) as XLSX and DOCX, one record as a meeting record
//! (DOCX), the evidence files as a ZIP with an index sheet, and a person's obligations as an
//! iCalendar feed. Pure: the caller gathers the data; these functions only lay it out.
//! WPS ignores auto-fit and theme fonts, so every width and every East-Asian font is explicit.

pub mod docx;
pub mod gongwen;
pub mod ical;
pub mod image;
pub mod table;
pub mod xlsx;
pub mod zip_export;

use chrono::{NaiveDate, NaiveDateTime};

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
    /// The name of the person who entered it (登记人), never an account's username.
    pub recorded_by: String,
    /// When the record (its current version) was entered, in China time (UTC+8).
    pub recorded_at: Option<NaiveDateTime>,
    /// The current version's number; 0 for an obligation without a record.
    pub version: u32,
    /// Entered after the due date (补录), though the work may have been done in time.
    pub entered_late: bool,
    /// The parent's 签收 of a record reported to it.
    pub receipt: Receipt,
}

impl LedgerRow {
    /// Whether the row is a record (not an obligation still without one).
    pub fn is_record(&self) -> bool {
        self.version > 0
    }
}

/// Where a record reported to the parent unit stands (签收情况).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Receipt {
    /// Not a report to the parent (or no record).
    #[default]
    NotReported,
    /// Waiting for the parent's 签收.
    Pending,
    /// Returned (退回) by the parent, with its reason: the unit is to correct it.
    Returned {
        by: String,
        at: NaiveDateTime,
        reason: String,
    },
    /// Acknowledged (签收) by the parent: who (by name) and when, in China time.
    Acknowledged { by: String, at: NaiveDateTime },
}

impl Receipt {
    /// What the 签收人 column shows: the name, or where the report stands.
    pub fn who(&self) -> String {
        match self {
            Receipt::NotReported => String::new(),
            Receipt::Pending => "待签收".into(),
            Receipt::Returned { .. } => "已退回".into(),
            Receipt::Acknowledged { by, .. } => by.clone(),
        }
    }

    /// When it was acknowledged (or returned), China time.
    pub fn at(&self) -> Option<NaiveDateTime> {
        match self {
            Receipt::Acknowledged { at, .. } | Receipt::Returned { at, .. } => Some(*at),
            _ => None,
        }
    }

    /// What documents show in a narrow 签收 cell: 签收人, the date and the time on lines of
    /// their own, or the state.
    pub fn line(&self) -> String {
        match self {
            Receipt::NotReported => String::new(),
            Receipt::Pending => "待上级签收".into(),
            Receipt::Returned { by, at, reason } => {
                format!("{by}于{}退回：{reason}", time_zh(*at))
            }
            Receipt::Acknowledged { by, at } => {
                format!("{by}\n{}\n{}", at.format("%Y-%m-%d"), at.format("%H:%M"))
            }
        }
    }
}

/// A photo to embed (JPEG or PNG), with the file name that becomes its caption.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Photo {
    pub file_name: String,
    pub bytes: Vec<u8>,
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
    /// The name of the person who entered it (记录人), never an account's username.
    pub recorded_by: String,
    /// When it was entered, in China time.
    pub recorded_at: Option<NaiveDateTime>,
    pub version: u32,
    /// For a correction: why the record was corrected.
    pub correction_reason: Option<String>,
    /// The parent's 签收, for a record reported to it.
    pub receipt: Receipt,
    /// JPEG and PNG attachments, embedded after the table at the page's width.
    pub photos: Vec<Photo>,
    pub chain_head: Option<String>,
}

/// An inspection's 通报: its text and the figures of each unit and finding.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bulletin {
    pub title: String,
    /// Who issues it and when, under the title.
    pub subtitle: String,
    pub paragraphs: Vec<String>,
    pub units: Vec<BulletinUnit>,
    pub findings: Vec<BulletinFinding>,
    /// Who issues it, the date: to the right at the end.
    pub closing: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct BulletinUnit {
    pub unit: String,
    pub findings: usize,
    pub closed: usize,
    pub closed_on_time: usize,
    pub overdue: usize,
    /// The completion rate in words (75.0%, or — without findings).
    pub rate: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct BulletinFinding {
    pub unit: String,
    pub text: String,
    pub due: Option<NaiveDate>,
    pub state: String,
}

/// A cycle's 评分表 as a document: a summary page of the units ranked (when it has rows), then
/// each unit's table on its own page — item, points, deduction, score, 扣分原因 — with the lines
/// the 考核组 and the unit sign.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScoreSheets {
    /// The cycle's title.
    pub title: String,
    /// The period and whether it is published, under the title.
    pub subtitle: String,
    /// 单位类型, 名次, 单位, 自评得分, 考核得分, 等次, 评先评优.
    pub summary: Vec<[String; 7]>,
    pub units: Vec<UnitScoreSheet>,
}

/// One unit's 评分表.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnitScoreSheet {
    pub unit: String,
    /// Whose scores, the total and grade (考核组评分；得分 57.5 / 100；等次 不合格).
    pub subtitle: String,
    /// 考核项目 (indented), 分值, 扣分, 得分, 扣分原因.
    pub rows: Vec<[String; 5]>,
}

/// 《上网信息审核登记表》 (or the workflow's own title): one reviewed item, what was reviewed,
/// each step's reviewer with their title, decision, time and a line to sign, how each scan finding
/// was resolved, where and when it was published, and the whole trail. An event's form carries the
/// event instead of the publication fields.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Registration {
    pub title: String,
    pub unit: String,
    pub item: String,
    /// The channel (发布阵地), or for an event its venue channel.
    pub channel: String,
    /// 栏目/频道 within the channel.
    pub column: String,
    /// 撰稿人.
    pub author: String,
    pub submitter: String,
    /// The version decided on, with the start of its hash.
    pub version: String,
    pub major: bool,
    /// The body, or its beginning (内容摘要).
    pub summary: String,
    pub attachments: Vec<RegistrationFile>,
    /// What the scan found in that version (masked) and how each finding was resolved.
    pub findings: Vec<RegistrationFinding>,
    /// Each applicable step of the last round, in order.
    pub steps: Vec<RegistrationStep>,
    pub published_url: String,
    pub published_at: String,
    /// For an event (活动审批): the event's facts.
    pub event: Option<RegistrationEvent>,
    pub trail: Vec<RegistrationRow>,
    /// Where the item stands (已发布 …).
    pub stage: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegistrationFile {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegistrationFinding {
    /// 居民身份证号（高） …
    pub kind: String,
    /// The file and the place in it.
    pub place: String,
    /// The masked value (never the raw one).
    pub shown: String,
    /// How it was resolved: the lawful basis, the 解密 decision, the manual check, or 未处理.
    pub resolution: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegistrationStep {
    pub step: String,
    /// The reviewer's name (several for 会签), or empty while the step waits.
    pub reviewer: String,
    /// Their post (职务), or the step's role.
    pub reviewer_title: String,
    /// 同意 / 退回修改 / 驳回 / 待审核, with the opinion.
    pub decision: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegistrationEvent {
    pub speakers: String,
    pub background: String,
    /// A speaker from outside the mainland (境外): the stricter step applies where the policy says.
    pub foreign_speaker: bool,
    pub time: String,
    pub place: String,
    pub audience: String,
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

/// A byte count with thousands separators: 1,234,567 字节.
pub fn size_zh(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out} 字节")
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

/// A China-time moment as documents show it: 2026-03-21 09:30.
pub fn time_zh(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}
