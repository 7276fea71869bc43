//! Text extraction: turns a file's bytes into the text a reader would see, with a map from positions in
//! that text to places a person can find (`第3段`, `页眉`, `Sheet1!B7`, `第2页`). Every format is read under
//! limits on input size, expanded size, expansion ratio, entry count and nesting, so a hostile file fails
//! quickly with a clear error instead of hanging or exhausting memory.

mod archive;
mod csv;
mod docx;
mod html;
mod pdf;
mod text;
mod xlsx;
mod xml;

pub(crate) use text::decode_text_stream;

use std::fmt;

/// A run of extracted text starting at byte `start` and lasting until the next segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub start: usize,
    pub location: String,
    /// For a table cell: its column header, which counts as context for the value.
    pub header: Option<String>,
}

/// Extracted text and where each part of it came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extracted {
    pub text: String,
    /// Sorted by `start`.
    pub segments: Vec<Segment>,
    /// Things the reviewer should know (e.g. a number stored in scientific notation).
    pub notes: Vec<String>,
}

impl Extracted {
    /// The segment holding byte `pos` of the text.
    pub fn segment_at(&self, pos: usize) -> Option<&Segment> {
        let i = self.segments.partition_point(|s| s.start <= pos);
        i.checked_sub(1).map(|i| &self.segments[i])
    }

    /// Byte offset of character offset `chars` (for mapping findings back to the text).
    pub fn byte_offset(&self, chars: usize) -> Option<usize> {
        if chars == self.text.chars().count() {
            return Some(self.text.len());
        }
        self.text.char_indices().nth(chars).map(|(b, _)| b)
    }

    /// Appends a document embedded in this one; its locations are prefixed with `prefix`.
    pub(crate) fn append(&mut self, other: Extracted, prefix: &str) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
        let base = self.text.len();
        if other.segments.first().is_none_or(|s| s.start > 0) {
            self.push_segment(prefix.to_string(), None);
        }
        for seg in other.segments {
            self.segments.push(Segment {
                start: base + seg.start,
                location: format!("{prefix} {}", seg.location),
                header: seg.header,
            });
        }
        self.text.push_str(&other.text);
        self.notes
            .extend(other.notes.into_iter().map(|n| format!("{prefix}：{n}")));
    }

    /// Starts a new segment at the current end of the text.
    pub(crate) fn push_segment(&mut self, location: String, header: Option<String>) {
        let start = self.text.len();
        if let Some(last) = self.segments.last_mut() {
            if last.start == start {
                last.location = location;
                last.header = header;
                return;
            }
        }
        self.segments.push(Segment {
            start,
            location,
            header,
        });
    }
}

/// Limits applied while extracting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest input file accepted (bytes).
    pub max_input: u64,
    /// Largest total uncompressed size of the archive members read, and of extracted text (bytes).
    pub max_expanded: u64,
    /// Largest ratio of uncompressed to compressed size for one archive member.
    pub max_ratio: u64,
    /// Most entries an archive may list.
    pub max_entries: usize,
    /// Deepest XML/HTML element nesting or PDF object nesting accepted.
    pub max_depth: usize,
    /// How many files deep embedded documents are followed (a workbook inside a Word file is 1).
    pub max_nesting: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input: 64 << 20,
            max_expanded: 256 << 20,
            max_ratio: 200,
            max_entries: 10_000,
            max_depth: 256,
            max_nesting: 2,
        }
    }
}

/// Why a file could not be scanned. Every variant is a reason to check the file by hand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExtractError {
    /// The extension is not one the scanner reads.
    Unsupported(String),
    TooLarge {
        size: u64,
        limit: u64,
    },
    /// An archive member expands beyond the total limit or the ratio limit (a zip bomb).
    ExpansionTooLarge {
        entry: String,
        detail: String,
    },
    TooManyEntries {
        count: usize,
        limit: usize,
    },
    TooDeep {
        limit: usize,
    },
    /// The file is not what its extension says, or is damaged.
    Malformed(String),
    /// A PDF without a text layer (a scan): it must be checked by eye.
    NoTextLayer,
    /// The document is encrypted.
    Encrypted,
    Io(String),
}

impl fmt::Display for ExtractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExtractError::Unsupported(ext) => {
                write!(f, "不支持的文件类型 (unsupported file type): {ext}")
            }
            ExtractError::TooLarge { size, limit } => write!(
                f,
                "文件过大 (file too large): {size} 字节，上限 {limit} 字节"
            ),
            ExtractError::ExpansionTooLarge { entry, detail } => write!(
                f,
                "压缩内容解压后过大，疑似压缩炸弹 (archive expands too much, possible zip bomb): {entry}: {detail}"
            ),
            ExtractError::TooManyEntries { count, limit } => write!(
                f,
                "压缩包条目过多 (too many archive entries): {count}，上限 {limit}"
            ),
            ExtractError::TooDeep { limit } => {
                write!(f, "嵌套层级过深 (nesting too deep): 上限 {limit}")
            }
            ExtractError::Malformed(why) => {
                write!(f, "文件损坏或格式不符 (damaged or not the format its name says): {why}")
            }
            ExtractError::NoTextLayer => write!(
                f,
                "扫描件：PDF 没有文本层，需人工检查 (scanned PDF with no text layer; check by eye)"
            ),
            ExtractError::Encrypted => write!(f, "文件已加密，无法检查 (encrypted file)"),
            ExtractError::Io(why) => write!(f, "读取失败 (read error): {why}"),
        }
    }
}

impl std::error::Error for ExtractError {}

/// The lower-cased extension of a file name.
pub fn extension(file_name: &str) -> String {
    std::path::Path::new(file_name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Extracts the text of a file held in memory; the format comes from the extension.
pub fn extract(file_name: &str, bytes: &[u8], limits: &Limits) -> Result<Extracted, ExtractError> {
    extract_at(file_name, bytes, limits, 0)
}

/// [`extract`] for a document found `nesting` files deep inside another.
pub(crate) fn extract_at(
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
    nesting: usize,
) -> Result<Extracted, ExtractError> {
    if bytes.len() as u64 > limits.max_input {
        return Err(ExtractError::TooLarge {
            size: bytes.len() as u64,
            limit: limits.max_input,
        });
    }
    match extension(file_name).as_str() {
        "txt" | "text" | "md" | "log" => Ok(text::extract_text(bytes)),
        "csv" => csv::extract(bytes, false, limits),
        "tsv" => csv::extract(bytes, true, limits),
        "html" | "htm" | "xhtml" => html::extract(bytes, limits),
        "docx" | "docm" => docx::extract(bytes, limits, nesting),
        "xlsx" | "xlsm" => xlsx::extract(bytes, limits, nesting),
        "pdf" => pdf::extract(bytes, limits),
        other => Err(ExtractError::Unsupported(other.to_string())),
    }
}
