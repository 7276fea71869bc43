//! The result of scanning one file: scanned (findings), or unreadable with a reason. An unreadable file
//! always blocks approval: nothing was checked, so a reviewer must check it by hand and record what was
//! checked before it may be approved.

use std::fmt;

use crate::extract::ExtractError;
use crate::mask::masked_owned;
use crate::scanner::ScanReport;
use crate::sniff::Format;

/// One file's scan.
#[derive(Clone, Debug)]
pub struct FileReport {
    /// What the content is (never taken from the name).
    pub format: Format,
    pub outcome: Outcome,
}

impl FileReport {
    /// Whether the file stops approval: it is unreadable, or a finding blocks.
    pub fn blocks(&self) -> bool {
        match &self.outcome {
            Outcome::Scanned(r) => r.findings.iter().any(|f| f.blocks()),
            Outcome::Unreadable(u) => u.blocks(),
        }
    }

    pub fn report(&self) -> Option<&ScanReport> {
        match &self.outcome {
            Outcome::Scanned(r) => Some(r),
            Outcome::Unreadable(_) => None,
        }
    }

    pub fn unreadable(&self) -> Option<&Unreadable> {
        match &self.outcome {
            Outcome::Scanned(_) => None,
            Outcome::Unreadable(u) => Some(u),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Outcome {
    /// The text was extracted and scanned; the findings may be empty.
    Scanned(ScanReport),
    /// Nothing could be checked.
    Unreadable(Unreadable),
}

/// Why a file could not be checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnreadableCode {
    /// 0 bytes.
    Empty,
    /// Damaged, truncated, or not the format it claims to be inside.
    Corrupt,
    Encrypted,
    /// A picture: it may show anything; no OCR is done.
    Image,
    /// A PDF whose pages are pictures (a scan): no OCR is done.
    NoTextLayer,
    /// A known format this scanner does not read (legacy Office, PowerPoint, archives, executables …).
    UnsupportedFormat,
    /// Binary content of no known kind.
    UnknownBinary,
    /// Over a size, expansion, entry, depth or count limit (zip bombs among them).
    OverLimit,
    Io,
}

impl UnreadableCode {
    pub fn as_str(self) -> &'static str {
        match self {
            UnreadableCode::Empty => "empty",
            UnreadableCode::Corrupt => "corrupt",
            UnreadableCode::Encrypted => "encrypted",
            UnreadableCode::Image => "image",
            UnreadableCode::NoTextLayer => "no_text_layer",
            UnreadableCode::UnsupportedFormat => "unsupported_format",
            UnreadableCode::UnknownBinary => "unknown_binary",
            UnreadableCode::OverLimit => "over_limit",
            UnreadableCode::Io => "io",
        }
    }
}

impl fmt::Display for UnreadableCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A file that could not be checked, with the reason in Chinese and English. Digit runs in the reasons
/// are masked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable {
    pub code: UnreadableCode,
    pub zh: String,
    pub en: String,
}

impl Unreadable {
    /// Always true: an unreadable file blocks approval until a reviewer records a manual check naming
    /// what was checked.
    pub fn blocks(&self) -> bool {
        true
    }

    /// What the reviewer must do, for people.
    pub fn action_zh(&self) -> &'static str {
        match self.code {
            UnreadableCode::Image | UnreadableCode::NoTextLayer => {
                "须人工逐页查看并记录检查内容后方可通过（本系统不做文字识别）"
            }
            _ => "无法自动检查：须人工检查并记录检查了什么后方可通过",
        }
    }

    pub fn action_en(&self) -> &'static str {
        match self.code {
            UnreadableCode::Image | UnreadableCode::NoTextLayer => {
                "a reviewer must look at every page and record the check before approval (no OCR is done)"
            }
            _ => "cannot be checked automatically: a reviewer must check it and record what was checked before approval",
        }
    }
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.zh, self.en)
    }
}

impl From<ExtractError> for Unreadable {
    fn from(e: ExtractError) -> Self {
        Unreadable {
            code: e.code(),
            zh: masked_owned(e.zh()),
            en: masked_owned(e.en()),
        }
    }
}
