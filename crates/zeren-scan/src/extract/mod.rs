//! Text extraction: turns a file's bytes into the text a reader would see, with a map from positions in
//! that text to places a person can find (`第3段`, `页眉`, `Sheet1!B7`, `第2页`). Every format is read under
//! limits on input size, expanded size, expansion ratio, entry count and nesting, so a hostile file fails
//! quickly with a clear error instead of hanging or exhausting memory.

pub(crate) mod archive;
pub(crate) mod csv;
mod docx;
mod html;
mod pdf;
pub(crate) mod text;
pub(crate) mod xlsx;
pub(crate) mod xml;
mod xmltext;

pub(crate) use text::decode_text_stream;

use crate::mask::num;
use std::fmt;
use std::sync::Arc;

use crate::mask::masked_owned;
use crate::outcome::UnreadableCode;
use crate::sniff::{self, Format, Unsupported};

/// A run of extracted text starting at byte `start` and lasting until the next segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub start: usize,
    pub location: String,
    /// For a table cell: its column header, which counts as context for the value.
    pub header: Option<Arc<str>>,
}

/// Extracted text and where each part of it came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extracted {
    pub text: String,
    /// Sorted by `start`.
    pub segments: Vec<Segment>,
    /// Things the reviewer should know (e.g. a number stored in scientific notation).
    pub notes: Vec<String>,
    /// Byte offsets where a page, sheet or document part (header, footer, embedded file) begins, sorted.
    /// The first lines after each are a heading zone, where a secrecy marking is most certain.
    pub zones: Vec<usize>,
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
        let prefix = &masked_owned(prefix.to_string());
        if other.segments.first().is_none_or(|s| s.start > 0) {
            self.push_segment(prefix.to_string(), None);
        }
        self.zones.push(base);
        self.zones.extend(other.zones.iter().map(|z| base + z));
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

    /// Starts a heading zone (a page, sheet or part) at the current end of the text.
    pub(crate) fn push_zone(&mut self) {
        let at = self.text.len();
        if self.zones.last() != Some(&at) {
            self.zones.push(at);
        }
    }

    /// Fails when the document holds more cells or paragraphs than `limits.max_cells`.
    pub(crate) fn check_cells(&self, limits: &Limits) -> Result<(), ExtractError> {
        if self.segments.len() > limits.max_cells {
            return Err(ExtractError::OverLimit(format!(
                "单元格或段落超过 {} 个 (more than {} cells or paragraphs)",
                num(limits.max_cells),
                num(limits.max_cells)
            )));
        }
        Ok(())
    }

    /// Starts a new segment at the current end of the text.
    pub(crate) fn push_segment(&mut self, location: String, header: Option<Arc<str>>) {
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

/// Limits applied while extracting. Every one is checked before the memory it guards is allocated, or
/// while it grows, never after.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest input file accepted (bytes).
    pub max_input: u64,
    /// Largest total uncompressed size of the archive members read, and of extracted text (bytes).
    pub max_expanded: u64,
    /// Largest single archive member inflated into memory, whatever its header declares (bytes).
    pub max_member: u64,
    /// Largest ratio of uncompressed to compressed size for one archive member.
    pub max_ratio: u64,
    /// Most entries an archive may list.
    pub max_entries: usize,
    /// Deepest XML/HTML element nesting or PDF object nesting accepted.
    pub max_depth: usize,
    /// How many files deep embedded documents are followed (a workbook inside a Word file is 1).
    pub max_nesting: usize,
    /// Most located cells or paragraphs in one document.
    pub max_cells: usize,
    /// Longest single cell, shared string, CSV field or text node (bytes).
    pub max_string: usize,
    /// Most entries in a workbook's shared-string table.
    pub max_shared_strings: usize,
    /// Most columns in one CSV row.
    pub max_columns: usize,
    /// Most objects in one PDF.
    pub max_pdf_objects: usize,
    /// Most findings kept per file by [`crate::Scanner::scan_bytes`] (each holds a few short strings);
    /// the rest are counted in a note. A blocking finding is always among those kept when there is one.
    pub max_findings: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input: 64 << 20,
            max_expanded: 256 << 20,
            max_member: 64 << 20,
            max_ratio: 200,
            max_entries: 10_000,
            max_depth: 256,
            max_nesting: 2,
            max_cells: 2_000_000,
            max_string: 1 << 20,
            max_shared_strings: 2_000_000,
            max_columns: 16_384,
            max_pdf_objects: 500_000,
            max_findings: 10_000,
        }
    }
}

/// Why a file could not be scanned. Every variant is a reason to check the file by hand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExtractError {
    /// 0 bytes.
    Empty,
    /// A picture: listed for manual review, no OCR.
    Image(String),
    /// A format this scanner does not read (legacy Office, archives, executables …).
    Unsupported(Unsupported),
    /// Binary content of no known kind.
    UnknownBinary,
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
    /// Another limit (cells, string length, shared strings, columns, PDF objects); the detail is
    /// bilingual.
    OverLimit(String),
    /// The file is damaged, or is not inside what its container says.
    Malformed(String),
    /// A PDF without a text layer (a scan): it must be checked by eye.
    NoTextLayer,
    /// The document is encrypted.
    Encrypted,
    Io(String),
}

impl ExtractError {
    pub fn code(&self) -> UnreadableCode {
        match self {
            ExtractError::Empty => UnreadableCode::Empty,
            ExtractError::Image(_) => UnreadableCode::Image,
            ExtractError::Unsupported(_) => UnreadableCode::UnsupportedFormat,
            ExtractError::UnknownBinary => UnreadableCode::UnknownBinary,
            ExtractError::TooLarge { .. }
            | ExtractError::ExpansionTooLarge { .. }
            | ExtractError::TooManyEntries { .. }
            | ExtractError::TooDeep { .. }
            | ExtractError::OverLimit(_) => UnreadableCode::OverLimit,
            ExtractError::Malformed(_) => UnreadableCode::Corrupt,
            ExtractError::NoTextLayer => UnreadableCode::NoTextLayer,
            ExtractError::Encrypted => UnreadableCode::Encrypted,
            ExtractError::Io(_) => UnreadableCode::Io,
        }
    }

    /// The reason in Chinese (details from parsers may carry English words).
    pub fn zh(&self) -> String {
        match self {
            ExtractError::Empty => "空文件（0 字节），没有可检查的内容".into(),
            ExtractError::Image(kind) => format!(
                "图片（{kind}）：需人工审查，本系统不做文字识别（OCR），图中文字、证件、号码和密级标志无法自动发现"
            ),
            ExtractError::Unsupported(what) => format!("不支持的文件类型：{}", what.zh()),
            ExtractError::UnknownBinary => "无法识别的二进制文件，不是可检查的文档".into(),
            ExtractError::TooLarge { size, limit } => {
                format!("文件过大：{} 字节，上限 {} 字节", num(*size), num(*limit))
            }
            ExtractError::ExpansionTooLarge { entry, detail } => {
                format!("压缩内容解压后过大，疑似压缩炸弹：{entry}：{detail}")
            }
            ExtractError::TooManyEntries { count, limit } => {
                format!("压缩包条目过多：{} 个，上限 {} 个", num(*count), num(*limit))
            }
            ExtractError::TooDeep { limit } => format!("嵌套层级过深：上限 {limit} 层"),
            ExtractError::OverLimit(detail) => format!("超出处理上限：{detail}"),
            ExtractError::Malformed(why) => format!("文件损坏或格式不符：{why}"),
            ExtractError::NoTextLayer => {
                "扫描件：PDF 没有文本层，需人工逐页检查；本系统不做文字识别（OCR）".into()
            }
            ExtractError::Encrypted => "文件已加密，无法检查".into(),
            ExtractError::Io(why) => format!("读取失败：{why}"),
        }
    }

    pub fn en(&self) -> String {
        match self {
            ExtractError::Empty => "empty file (0 bytes): nothing to check".into(),
            ExtractError::Image(kind) => format!(
                "image ({kind}): manual review required; no OCR is done, so text, ID cards, numbers and markings in it cannot be found automatically"
            ),
            ExtractError::Unsupported(what) => format!("unsupported file type: {}", what.en()),
            ExtractError::UnknownBinary => "unknown binary file, not a document that can be checked".into(),
            ExtractError::TooLarge { size, limit } => {
                format!("file too large: {} bytes, limit {}", num(*size), num(*limit))
            }
            ExtractError::ExpansionTooLarge { entry, .. } => {
                format!("archive expands too much, possible zip bomb: {entry}")
            }
            ExtractError::TooManyEntries { count, limit } => {
                format!("too many archive entries: {}, limit {}", num(*count), num(*limit))
            }
            ExtractError::TooDeep { limit } => format!("nesting too deep: limit {limit}"),
            ExtractError::OverLimit(detail) => format!("over a processing limit: {detail}"),
            ExtractError::Malformed(_) => "damaged file, or not the format its container says".into(),
            ExtractError::NoTextLayer => {
                "scanned PDF with no text layer; check every page by eye (no OCR is done)".into()
            }
            ExtractError::Encrypted => "encrypted file".into(),
            ExtractError::Io(why) => format!("read error: {why}"),
        }
    }
}

impl fmt::Display for ExtractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.zh(), self.en())
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

/// Extracts the text of a file held in memory. The format comes from the content (see
/// [`crate::sniff`]); `file_name` is only a hint for text that could be CSV/TSV.
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
    let format = sniff::sniff(bytes, file_name);
    extract_format(&format, file_name, bytes, limits, nesting)
}

/// Extracts a file already typed by [`sniff::sniff`].
pub(crate) fn extract_format(
    format: &Format,
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
    let mut ex = match format {
        Format::Empty => return Err(ExtractError::Empty),
        Format::Text(enc) => text::extract_text(bytes, *enc, limits)?,
        Format::Csv(enc) => csv::extract(bytes, *enc, false, limits)?,
        Format::Tsv(enc) => csv::extract(bytes, *enc, true, limits)?,
        Format::Html(enc) => html::extract(bytes, *enc, limits)?,
        Format::Svg(enc) | Format::Xml(enc) => xmltext::extract(bytes, *enc, limits)?,
        Format::Docx => docx::extract(bytes, limits, nesting)?,
        Format::Xlsx => xlsx::extract(bytes, limits, nesting)?,
        Format::Pdf => pdf::extract(bytes, limits)?,
        Format::Image(kind) => return Err(ExtractError::Image((*kind).to_string())),
        Format::Unsupported(what) => return Err(ExtractError::Unsupported(*what)),
        Format::EncryptedOffice => return Err(ExtractError::Encrypted),
        Format::DamagedZip => {
            return Err(ExtractError::Malformed(
                "zip 容器已损坏或被截断 (damaged or truncated zip container)".into(),
            ))
        }
        Format::Binary => return Err(ExtractError::UnknownBinary),
        #[allow(unreachable_patterns)]
        _ => return Err(ExtractError::UnknownBinary),
    };
    if let Some(note) = format.name_mismatch_note(file_name) {
        ex.notes.insert(0, note);
    }
    ex.notes = ex.notes.into_iter().map(masked_owned).collect();
    Ok(ex)
}
