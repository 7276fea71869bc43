//! Zeren publication scanner: finds personal data (resident ID numbers, mobile numbers, bank cards,
//! passports), secrecy markings and user-defined terms in text before it is published (先审查、后公开),
//! and extracts that text from .txt, .html, .docx, .xlsx and .pdf files. Pure: no network, clock or database.
//!
//! ```
//! use zeren_scan::{Confidence, Kind, Limits, ScanConfig, Scanner};
//!
//! let scanner = Scanner::new(ScanConfig { custom_terms: vec!["红旗工程".into()] });
//! let found = scanner.scan_text("联系电话：13812345678");
//! assert_eq!((found[0].kind, found[0].confidence), (Kind::CnMobile, Confidence::High));
//! assert_eq!((found[0].start, found[0].end, found[0].masked.as_str()), (5, 16, "138****5678"));
//!
//! let page = "<table><tr><th>姓名</th><th>身份证号</th></tr><tr><td>张三</td><td>110105491231002</td></tr></table>";
//! let report = scanner.scan_file("名单.html", page.as_bytes(), &Limits::default()).unwrap();
//! assert_eq!(report.findings[0].location, "表1第2行第2列");
//! ```

pub mod checksum;
mod context;
mod detect;
pub mod extract;
mod scanner;

pub use extract::{extract, ExtractError, Extracted, Limits, Segment};
pub use scanner::{ScanConfig, ScanReport, Scanner};

use std::fmt;

/// What a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    CnResidentId,
    CnMobile,
    BankCard,
    CnPassport,
    SecrecyMarking,
    CustomTerm,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::CnResidentId,
        Kind::CnMobile,
        Kind::BankCard,
        Kind::CnPassport,
        Kind::SecrecyMarking,
        Kind::CustomTerm,
    ];

    /// The stable identifier used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CnResidentId => "cn_resident_id",
            Kind::CnMobile => "cn_mobile",
            Kind::BankCard => "bank_card",
            Kind::CnPassport => "cn_passport",
            Kind::SecrecyMarking => "secrecy_marking",
            Kind::CustomTerm => "custom_term",
        }
    }

    /// The name shown to reviewers.
    pub fn name_zh(self) -> &'static str {
        match self {
            Kind::CnResidentId => "居民身份证号",
            Kind::CnMobile => "手机号码",
            Kind::BankCard => "银行卡号",
            Kind::CnPassport => "护照号码",
            Kind::SecrecyMarking => "密级标志",
            Kind::CustomTerm => "自定义敏感词",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Kind::CnResidentId => "resident ID number",
            Kind::CnMobile => "mobile number",
            Kind::BankCard => "bank card number",
            Kind::CnPassport => "passport number",
            Kind::SecrecyMarking => "secrecy marking",
            Kind::CustomTerm => "custom term",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure the scanner is. `Low` findings are shown to the reviewer but never block publication.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Confidence::Low => "低",
            Confidence::Medium => "中",
            Confidence::High => "高",
        }
    }

    /// Whether a finding of this confidence stops publication until a reviewer clears it.
    pub fn blocks(self) -> bool {
        self >= Confidence::Medium
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing found. `start` and `end` count Unicode scalar values of the scanned (extracted) text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    pub confidence: Confidence,
    pub start: usize,
    pub end: usize,
    /// Where a person finds it: `第12行`, `第3段`, `页眉`, `Sheet1!B7`, `第2页`.
    pub location: String,
    /// The suggested replacement, e.g. `110105********002X`.
    pub masked: String,
    /// The surrounding line with the value replaced by its masked form, for people.
    pub context: String,
}
