//! The scanner: runs the detectors over a whole text, an extracted document (with locations, column
//! headers and heading zones) or a stream of text read in chunks, and turns byte offsets into character
//! offsets, locations and a masked line of context for people.
//!
//! Two ways to receive findings: owned [`Finding`]s (`scan_*`), or borrowed [`FindingRef`]s handed to a
//! closure (`visit_*`), which allocate nothing per finding until a location, masked value or context is
//! asked for — the path `zeren scan` takes on dense rosters.

use std::io::Read;

use crate::detect::{Detectors, Raw, Region};
use crate::extract::{self, decode_text_stream, ExtractError, Extracted, Limits, Segment};
use crate::mask::{is_digit, is_token_char, mask_digits};
use crate::outcome::{FileReport, Outcome, Unreadable};
use crate::sniff::{self, TextEncoding};
use crate::{Category, Confidence, Finding, Kind};

/// What the scanner looks for beyond the built-in kinds.
#[derive(Clone, Debug, Default)]
pub struct ScanConfig {
    /// Terms reported as `custom_term` wherever they occur (ASCII letters match case-insensitively).
    pub custom_terms: Vec<String>,
}

/// The result of scanning one readable file.
#[derive(Clone, Debug, Default)]
pub struct ScanReport {
    pub findings: Vec<Finding>,
    /// Things the reviewer should know about the extraction, e.g. numbers shown in scientific notation.
    /// Digit runs in notes are masked.
    pub notes: Vec<String>,
}

pub struct Scanner {
    det: Detectors,
}

/// Bytes of text kept before a chunk seam so context words and neighbours remain visible.
const LEFT_KEEP: usize = 256;
/// Bytes read from a stream at a time.
const CHUNK: usize = 1 << 20;
/// Characters of context shown on each side of a finding.
const CONTEXT_CHARS: usize = 30;

/// Tracks the character and line count up to a byte position while findings are converted in order.
struct Cursor {
    pos: usize,
    chars: usize,
    lines: usize,
}

impl Cursor {
    fn new() -> Self {
        Cursor {
            pos: 0,
            chars: 0,
            lines: 0,
        }
    }

    #[inline]
    fn advance(&mut self, text: &str, to: usize) {
        if to > self.pos {
            let s = &text.as_bytes()[self.pos..to];
            if s.len() <= 64 {
                // Between findings on a dense roster: one pass, no setup.
                for &b in s {
                    // Characters are the bytes that do not continue a UTF-8 sequence.
                    self.chars += usize::from((b as i8) >= -0x40);
                    self.lines += usize::from(b == b'\n');
                }
            } else {
                self.chars += text[self.pos..to].chars().count();
                self.lines += memchr::memchr_iter(b'\n', s).count();
            }
            self.pos = to;
        }
    }
}

/// Appends `n` in decimal without the formatting machinery.
pub(crate) fn push_usize(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // SAFETY: ASCII digits are valid UTF-8.
    unsafe { out.as_mut_vec() }.extend_from_slice(&digits[i..]);
}

/// A finding borrowed from the text being scanned. Character offsets and the line are known; the
/// location, masked value and context are written on request.
#[derive(Clone, Copy)]
pub struct FindingRef<'a> {
    pub kind: Kind,
    pub confidence: Confidence,
    /// Character offsets in the scanned (extracted) text.
    pub start: usize,
    pub end: usize,
    /// 1-based line in the scanned text.
    pub line: usize,
    segment: Option<&'a Segment>,
    text: &'a str,
    raw: Raw,
}

impl FindingRef<'_> {
    pub fn category(&self) -> Category {
        self.kind.category()
    }

    pub fn blocks(&self) -> bool {
        self.confidence.blocks()
    }

    /// Appends where a person finds it: the segment's location, else `第N行`.
    pub fn write_location(&self, out: &mut String) {
        match self.segment {
            Some(s) => out.push_str(&s.location),
            None => {
                out.push('第');
                push_usize(out, self.line);
                out.push('行');
            }
        }
    }

    pub fn location(&self) -> String {
        let mut s = String::new();
        self.write_location(&mut s);
        s
    }

    /// Appends the suggested replacement; nothing for a secrecy marking.
    pub fn write_masked(&self, out: &mut String) {
        self.raw.write_masked(self.text, out);
    }

    /// Appends the value as it may be shown (masked; a marking as it is).
    pub fn write_shown(&self, out: &mut String) {
        self.raw.write_shown(self.text, out);
    }

    /// The line around the finding, at most 30 characters each side, with the value shown masked and
    /// every other run of seven or more digits masked too; tabs and carriage returns become spaces.
    pub fn context(&self) -> String {
        context_line(self.text, &self.raw)
    }

    pub fn to_finding(&self) -> Finding {
        let mut masked = String::new();
        self.write_masked(&mut masked);
        let shown = if self.kind == Kind::SecrecyMarking {
            self.text[self.raw.start..self.raw.end].to_string()
        } else {
            masked.clone()
        };
        Finding {
            kind: self.kind,
            confidence: self.confidence,
            start: self.start,
            end: self.end,
            location: self.location(),
            masked,
            shown,
            context: self.context(),
        }
    }
}

impl Scanner {
    pub fn new(config: ScanConfig) -> Self {
        Scanner {
            det: Detectors::new(&config.custom_terms),
        }
    }

    /// Scans a text; locations are line numbers.
    pub fn scan_text(&self, text: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        self.visit_text(text, |f| out.push(f.to_finding()));
        out
    }

    /// Hands each finding of a text to `f`, in order.
    pub fn visit_text(&self, text: &str, mut f: impl FnMut(&FindingRef<'_>)) {
        let no_header = |_| None;
        let region = Region {
            text,
            from: 0,
            until: text.len(),
            at_start: true,
            scan_from: 0,
            bytes_before: 0,
            lines_before: 0,
            zones: &[],
            header: &no_header,
        };
        let mut raws = Vec::new();
        self.visit_region(&region, &mut Cursor::new(), None, &mut raws, &mut f);
    }

    /// Scans an extracted document; locations come from its segments, and a table cell's column header
    /// counts as context for the value in it.
    pub fn scan_extracted(&self, ex: &Extracted) -> Vec<Finding> {
        let mut out = Vec::new();
        self.visit_extracted(ex, |f| out.push(f.to_finding()));
        out
    }

    pub fn visit_extracted(&self, ex: &Extracted, mut f: impl FnMut(&FindingRef<'_>)) {
        let header = |pos: usize| ex.segment_at(pos).and_then(|s| s.header.as_deref());
        let region = Region {
            text: &ex.text,
            from: 0,
            until: ex.text.len(),
            at_start: true,
            scan_from: 0,
            bytes_before: 0,
            lines_before: 0,
            zones: &ex.zones,
            header: &header,
        };
        let mut raws = Vec::new();
        self.visit_region(&region, &mut Cursor::new(), Some(ex), &mut raws, &mut f);
    }

    /// Scans plain text (UTF-8, UTF-16 with a byte-order mark, otherwise GB18030) from a reader in chunks,
    /// so memory does not grow with the input, only with the number of findings.
    pub fn scan_reader<R: Read>(&self, reader: R) -> Result<ScanReport, ExtractError> {
        self.scan_reader_chunked(reader, CHUNK)
    }

    /// [`Scanner::scan_reader`] with a chosen chunk size (small sizes exercise the chunk seams in tests).
    #[doc(hidden)]
    pub fn scan_reader_chunked<R: Read>(
        &self,
        reader: R,
        chunk: usize,
    ) -> Result<ScanReport, ExtractError> {
        let mut findings = Vec::new();
        let notes = self.visit_reader_as(reader, None, chunk, |f| findings.push(f.to_finding()))?;
        Ok(ScanReport { findings, notes })
    }

    /// Hands each finding of a text read in chunks of `chunk` bytes to `f`; `encoding` is sniffed from
    /// the first chunk when not given. Returns the notes.
    pub fn visit_reader_as<R: Read>(
        &self,
        reader: R,
        encoding: Option<TextEncoding>,
        chunk: usize,
        mut f: impl FnMut(&FindingRef<'_>),
    ) -> Result<Vec<String>, ExtractError> {
        let mut stream = decode_text_stream(reader, chunk.max(16), encoding);
        let mut buf = String::new();
        let mut from = 0;
        let mut at_start = true;
        let (mut bytes_before, mut lines_before) = (0, 0);
        let mut cursor = Cursor::new();
        let mut raws = Vec::new();
        let overlap = self.det.overlap();
        loop {
            let more = stream.next_into(&mut buf)?;
            let until = if more {
                if buf.len() < from + overlap + LEFT_KEEP {
                    continue;
                }
                floor_boundary(&buf, buf.len() - overlap)
            } else {
                buf.len()
            };
            let no_header = |_| None;
            let region = Region {
                text: &buf,
                from,
                until,
                at_start,
                scan_from: 0,
                bytes_before,
                lines_before,
                zones: &[],
                header: &no_header,
            };
            self.visit_region(&region, &mut cursor, None, &mut raws, &mut f);
            cursor.advance(&buf, until);
            if !more {
                break;
            }
            let keep = floor_boundary(&buf, until.saturating_sub(LEFT_KEEP));
            bytes_before += keep;
            lines_before += memchr::memchr_iter(b'\n', &buf.as_bytes()[..keep]).count();
            buf.drain(..keep);
            cursor.pos -= keep;
            from = until - keep;
            at_start = at_start && keep == 0;
        }
        Ok(stream.notes())
    }

    /// Types a file by its content (the name is only a hint for text that could be CSV), extracts its
    /// text and scans it. A file that cannot be read — empty, damaged, encrypted, an image, an unknown
    /// binary, over a limit — is [`Outcome::Unreadable`], which always blocks approval.
    pub fn scan_bytes(&self, name_hint: &str, bytes: &[u8], limits: &Limits) -> FileReport {
        let format = sniff::sniff(bytes, name_hint);
        let outcome = match extract::extract_format(&format, name_hint, bytes, limits, 0) {
            Ok(ex) => {
                let mut findings: Vec<Finding> = Vec::new();
                let (mut total, mut kept_blocking) = (0usize, false);
                self.visit_extracted(&ex, |f| {
                    total += 1;
                    if findings.len() < limits.max_findings {
                        kept_blocking |= f.blocks();
                        findings.push(f.to_finding());
                    } else if f.blocks() && !kept_blocking {
                        // Past the cap, the first blocking finding replaces the last kept one.
                        if let Some(last) = findings.last_mut() {
                            *last = f.to_finding();
                            kept_blocking = true;
                        }
                    }
                });
                let mut notes = ex.notes;
                if total > findings.len() {
                    notes.push(format!(
                        "共发现 {total} 处，仅列出 {} 处 (found {total}; {} listed)",
                        findings.len(),
                        findings.len()
                    ));
                }
                Outcome::Scanned(ScanReport { findings, notes })
            }
            Err(e) => Outcome::Unreadable(Unreadable::from(e)),
        };
        FileReport { format, outcome }
    }

    /// Extracts and scans one file held in memory, typed by its content as [`Scanner::scan_bytes`]
    /// does; an unreadable file is an error. Prefer `scan_bytes`, whose outcome says that it blocks.
    pub fn scan_file(
        &self,
        file_name: &str,
        bytes: &[u8],
        limits: &Limits,
    ) -> Result<ScanReport, ExtractError> {
        let ex = extract::extract(file_name, bytes, limits)?;
        Ok(ScanReport {
            findings: self.scan_extracted(&ex),
            notes: ex.notes,
        })
    }

    fn visit_region<'t>(
        &self,
        region: &Region<'t>,
        cursor: &mut Cursor,
        ex: Option<&'t Extracted>,
        raws: &mut Vec<Raw>,
        f: &mut dyn FnMut(&FindingRef<'_>),
    ) {
        raws.clear();
        self.det.scan(region, raws);
        raws.sort_by_key(|r| (r.start, r.end));
        let text = region.text;
        for raw in raws.iter() {
            cursor.advance(text, raw.start);
            let start = cursor.chars;
            let len = text.as_bytes()[raw.start..raw.end]
                .iter()
                .filter(|&&b| (b as i8) >= -0x40)
                .count();
            let fr = FindingRef {
                kind: raw.kind,
                confidence: raw.confidence,
                start,
                end: start + len,
                line: cursor.lines + 1,
                segment: ex.and_then(|e| e.segment_at(raw.start)),
                text,
                raw: *raw,
            };
            f(&fr);
        }
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The line around a finding (see [`FindingRef::context`]). A digit token cut by the window's edge is
/// dropped rather than shown in part.
fn context_line(text: &str, raw: &Raw) -> String {
    let lo = floor_boundary(text, raw.start.saturating_sub(CONTEXT_CHARS * 4));
    let before = &text[lo..raw.start];
    let before = memchr::memrchr(b'\n', before.as_bytes()).map_or(before, |p| &before[p + 1..]);
    let skip = before.chars().count().saturating_sub(CONTEXT_CHARS);
    let mut before = match before.char_indices().nth(skip) {
        Some((b, _)) => &before[b..],
        None => "",
    };
    let left_of = text[..raw.start - before.len()].chars().next_back();
    if left_of.is_some_and(is_digit) {
        before = before.trim_start_matches(is_token_char);
    }
    let after = &text[raw.end..];
    let mut end = 0;
    for (n, (i, c)) in after.char_indices().enumerate() {
        if n == CONTEXT_CHARS || c == '\n' {
            break;
        }
        end = i + c.len_utf8();
    }
    let mut after_part = &after[..end];
    if after[end..]
        .chars()
        .next()
        .is_some_and(|c| is_digit(c) || matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ'))
    {
        after_part = after_part.trim_end_matches(is_token_char);
    }
    let mut shown = String::new();
    raw.write_shown(text, &mut shown);
    let before = mask_digits(before);
    let after = mask_digits(after_part);
    let mut out = String::with_capacity(before.len() + shown.len() + after.len());
    for part in [&*before, &shown, &*after] {
        out.extend(
            part.chars()
                .map(|c| if c == '\t' || c == '\r' { ' ' } else { c }),
        );
    }
    let trimmed = out.trim();
    if trimmed.len() != out.len() {
        out = trimmed.to_string();
    }
    out
}
