//! Zeren publication scanner: finds personal data (resident ID numbers, mobile numbers, bank cards,
//! passports), secrecy markings and user-defined terms in text before it is published (先审查、后公开),
//! and extracts that text from plain text, CSV, HTML, SVG/XML, .docx, .xlsx and .pdf files — typed by
//! their content, never by their name. Pure: no network, clock or database.
//!
//! What the web layer uses:
//! - [`Scanner::scan_bytes`] → [`FileReport`]: the [`Format`] the content is, and an [`Outcome`] —
//!   [`Outcome::Scanned`] with findings, or [`Outcome::Unreadable`] (empty, damaged, encrypted, image,
//!   unknown binary, over a limit) with a reason code and Chinese and English text. Unreadable always
//!   blocks ([`Unreadable::blocks`]) until a reviewer records a manual check.
//! - [`Finding::category`]: [`Category::Marking`] is not personal data; [`Category::waivable_by_lawful_basis`]
//!   is false for it and [`Category::cleared_by`] says only a 解密/定密 decision clears it. A marking has no
//!   replacement ([`Finding::replacement`] is `None`).
//! - Every shown value is masked: [`Finding::masked`], [`Finding::shown`] and [`Finding::context`], which
//!   also masks the other identifiers near the value ([`mask_digits`]).
//! - [`sheet::read_grid`] reads a roster (.xlsx or CSV) into rows under caps checked before allocating.
//!
//! ```
//! use zeren_scan::{Category, Confidence, Format, Kind, Limits, Outcome, ScanConfig, Scanner};
//!
//! let scanner = Scanner::new(ScanConfig { custom_terms: vec!["红旗工程".into()] });
//! let found = scanner.scan_text("联系电话：13812345678");
//! assert_eq!((found[0].kind, found[0].confidence), (Kind::CnMobile, Confidence::High));
//! assert_eq!((found[0].start, found[0].end, found[0].masked.as_str()), (5, 16, "138****5678"));
//!
//! let page = "<table><tr><th>姓名</th><th>身份证号</th></tr><tr><td>张三</td><td>110105491231002</td></tr></table>";
//! let report = scanner.scan_bytes("名单", page.as_bytes(), &Limits::default());
//! assert!(matches!(report.format, Format::Html(_)));
//! assert_eq!(report.report().unwrap().findings[0].location, "表1第2行第2列");
//!
//! let marked = scanner.scan_text("秘密★1年\n关于……的通知");
//! assert_eq!(marked[0].category(), Category::Marking);
//! assert!(!marked[0].category().waivable_by_lawful_basis());
//!
//! let picture = scanner.scan_bytes("news.docx", b"\x89PNG\r\n\x1a\n....", &Limits::default());
//! assert!(matches!(picture.outcome, Outcome::Unreadable(_)) && picture.blocks());
//! ```

pub mod checksum;
mod context;
mod detect;
pub mod extract;
mod mask;
mod outcome;
mod scanner;
pub mod sheet;
pub mod sniff;

pub use extract::{extract, ExtractError, Extracted, Limits, Segment};
pub use mask::mask_digits;
pub use outcome::{FileReport, Outcome, Unreadable, UnreadableCode};
pub use scanner::{FindingRef, ScanConfig, ScanReport, Scanner};
pub use sniff::{sniff, Format, TextEncoding, Unsupported};

use std::fmt;

/// What a finding is about, which decides how a reviewer may clear it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Personal information (个人信息): may be published only with a lawful basis (e.g. consent), or masked.
    PersonalData,
    /// A secrecy marking (密级标志) or a distribution restriction (内部资料，不得外传): not personal data.
    /// No lawful basis, consent or masking clears it: the material must not go onto the network unless a
    /// declassification (解密) or classification (定密) decision says it may.
    Marking,
    /// A term the organisation listed; the reviewer decides.
    CustomTerm,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::PersonalData => "personal_data",
            Category::Marking => "secrecy_marking",
            Category::CustomTerm => "custom_term",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Category::PersonalData => "个人信息",
            Category::Marking => "密级标志",
            Category::CustomTerm => "自定义敏感词",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Category::PersonalData => "personal data",
            Category::Marking => "secrecy marking",
            Category::CustomTerm => "custom term",
        }
    }

    /// What may clear a blocking finding of this category.
    pub fn cleared_by(self) -> Clearance {
        match self {
            Category::PersonalData => Clearance::LawfulBasis,
            Category::Marking => Clearance::DeclassificationDecision,
            Category::CustomTerm => Clearance::ReviewerDecision,
        }
    }

    /// Whether a lawful basis (consent, a statutory duty to publish …) may waive a blocking finding.
    /// False for secrecy markings: the web layer must refuse a lawful-basis text for them.
    pub fn waivable_by_lawful_basis(self) -> bool {
        self.cleared_by() == Clearance::LawfulBasis
    }

    /// What the reviewer should do, for people (zh-CN). Never suggests consent or a replacement for a
    /// marking.
    pub fn remedy_zh(self) -> &'static str {
        match self {
            Category::PersonalData => "删除或按建议遮盖后再发布；确需公开的，须有法定依据（如本人同意）",
            Category::Marking => "标有密级或“内部资料、不得外传”的材料不得上网发布；只有定密责任人作出解密决定（注明决定文号）后方可发布，不能以本人同意等理由放行，也不能以遮盖代替",
            Category::CustomTerm => "由审核人确认后处理",
        }
    }

    pub fn remedy_en(self) -> &'static str {
        match self {
            Category::PersonalData => "remove or mask before publishing; publishing it needs a lawful basis (e.g. consent)",
            Category::Marking => "marked or restricted material must not go onto the network; only a declassification decision (with its document number) clears it, never consent and never masking",
            Category::CustomTerm => "the reviewer decides",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What may clear a blocking finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Clearance {
    /// A recorded lawful basis for publishing (consent, a legal duty …), or removing/masking the value.
    LawfulBasis,
    /// Only a 解密/定密 decision by the role the policy names, with the decision's document number.
    DeclassificationDecision,
    /// The reviewer's judgement.
    ReviewerDecision,
}

impl Clearance {
    pub fn as_str(self) -> &'static str {
        match self {
            Clearance::LawfulBasis => "lawful_basis",
            Clearance::DeclassificationDecision => "declassification_decision",
            Clearance::ReviewerDecision => "reviewer_decision",
        }
    }
}

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

    /// Personal data, secrecy marking or custom term.
    pub fn category(self) -> Category {
        match self {
            Kind::CnResidentId | Kind::CnMobile | Kind::BankCard | Kind::CnPassport => {
                Category::PersonalData
            }
            Kind::SecrecyMarking => Category::Marking,
            Kind::CustomTerm => Category::CustomTerm,
        }
    }

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
///
/// Nothing in a finding holds a raw identifier: `masked`, `shown` and `context` are masked, and so is every
/// other run of seven or more digits that falls inside the context (see [`mask_digits`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    pub confidence: Confidence,
    pub start: usize,
    pub end: usize,
    /// Where a person finds it: `第12行`, `第3段`, `页眉`, `Sheet1!B7`, `第2页`.
    pub location: String,
    /// The suggested replacement, e.g. `110105********002X`. Empty for a secrecy marking: a marking has no
    /// replacement (see [`Category::remedy_zh`]).
    pub masked: String,
    /// The value as it may be shown to people: the masked value, or for a secrecy marking the marking
    /// itself (it is not personal data, and the reviewer must see which marking it is).
    pub shown: String,
    /// The surrounding line with the value and every other identifier in it masked, for people.
    pub context: String,
}

impl Finding {
    pub fn category(&self) -> Category {
        self.kind.category()
    }

    /// Whether this finding stops approval until it is cleared (see [`Category::cleared_by`]).
    pub fn blocks(&self) -> bool {
        self.confidence.blocks()
    }

    /// The suggested replacement; `None` for a secrecy marking.
    pub fn replacement(&self) -> Option<&str> {
        (self.kind != Kind::SecrecyMarking).then_some(self.masked.as_str())
    }
}
