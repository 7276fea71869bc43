//! The scanner: runs the detectors over a whole text, an extracted document (with locations and column
//! headers) or a stream of text read in chunks, and turns byte offsets into character offsets, locations
//! and a line of context for people.

use std::io::Read;

use crate::detect::{Detectors, Raw, Region};
use crate::extract::{self, decode_text_stream, ExtractError, Extracted, Limits};
use crate::{Finding, Kind};

/// What the scanner looks for beyond the built-in kinds.
#[derive(Clone, Debug, Default)]
pub struct ScanConfig {
    /// Terms reported as `custom_term` wherever they occur (ASCII letters match case-insensitively).
    pub custom_terms: Vec<String>,
}

/// The result of scanning one file.
#[derive(Clone, Debug, Default)]
pub struct ScanReport {
    pub findings: Vec<Finding>,
    /// Things the reviewer should know about the extraction, e.g. numbers shown in scientific notation.
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
    fn advance(&mut self, text: &str, to: usize) {
        if to > self.pos {
            let s = &text[self.pos..to];
            self.chars += s.chars().count();
            self.lines += memchr::memchr_iter(b'\n', s.as_bytes()).count();
            self.pos = to;
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
        let no_header = |_| None;
        let region = Region {
            text,
            from: 0,
            until: text.len(),
            at_start: true,
            header: &no_header,
        };
        let mut cursor = Cursor {
            pos: 0,
            chars: 0,
            lines: 0,
        };
        let mut out = Vec::new();
        self.collect(
            &region,
            &mut cursor,
            &|_, line| format!("第{line}行"),
            &mut out,
        );
        out
    }

    /// Scans an extracted document; locations come from its segments, and a table cell's column header
    /// counts as context for the value in it.
    pub fn scan_extracted(&self, ex: &Extracted) -> Vec<Finding> {
        let header = |pos: usize| ex.segment_at(pos).and_then(|s| s.header.as_deref());
        let region = Region {
            text: &ex.text,
            from: 0,
            until: ex.text.len(),
            at_start: true,
            header: &header,
        };
        let mut cursor = Cursor {
            pos: 0,
            chars: 0,
            lines: 0,
        };
        let mut out = Vec::new();
        let location = |pos: usize, line: usize| {
            ex.segment_at(pos)
                .map_or_else(|| format!("第{line}行"), |s| s.location.clone())
        };
        self.collect(&region, &mut cursor, &location, &mut out);
        out
    }

    /// Scans plain text (UTF-8, or GB18030 when the start is not UTF-8) from a reader in chunks, so memory
    /// does not grow with the input, only with the number of findings.
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
        let mut stream = decode_text_stream(reader, chunk.max(16));
        let mut buf = String::new();
        let mut from = 0;
        let mut at_start = true;
        let mut cursor = Cursor {
            pos: 0,
            chars: 0,
            lines: 0,
        };
        let mut findings = Vec::new();
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
                header: &no_header,
            };
            self.collect(
                &region,
                &mut cursor,
                &|_, line| format!("第{line}行"),
                &mut findings,
            );
            cursor.advance(&buf, until);
            if !more {
                break;
            }
            let keep = floor_boundary(&buf, until.saturating_sub(LEFT_KEEP));
            buf.drain(..keep);
            cursor.pos -= keep;
            from = until - keep;
            at_start = at_start && keep == 0;
        }
        Ok(ScanReport {
            findings,
            notes: stream.notes(),
        })
    }

    /// Extracts and scans one file held in memory; the format comes from the file name's extension.
    pub fn scan_file(
        &self,
        file_name: &str,
        bytes: &[u8],
        limits: &Limits,
    ) -> Result<ScanReport, ExtractError> {
        let ex = extract::extract(file_name, bytes, limits)?;
        Ok(ScanReport {
            findings: self.scan_extracted(&ex),
            notes: ex.notes.clone(),
        })
    }

    fn collect(
        &self,
        region: &Region,
        cursor: &mut Cursor,
        location: &dyn Fn(usize, usize) -> String,
        out: &mut Vec<Finding>,
    ) {
        let mut raws: Vec<Raw> = Vec::new();
        self.det.scan(region, &mut raws);
        raws.sort_by_key(|r| (r.start, r.end));
        let text = region.text;
        for raw in raws {
            cursor.advance(text, raw.start);
            let start = cursor.chars;
            let len = text[raw.start..raw.end].chars().count();
            out.push(Finding {
                kind: raw.kind,
                confidence: raw.confidence,
                start,
                end: start + len,
                location: location(raw.start, cursor.lines + 1),
                context: context_line(text, &raw),
                masked: raw.masked,
            });
        }
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The line around a finding, at most `CONTEXT_CHARS` characters each side, with the value masked; tabs
/// and carriage returns become spaces. Built in one allocation: on dense rosters this runs per finding.
fn context_line(text: &str, raw: &Raw) -> String {
    let lo = raw.start.saturating_sub(CONTEXT_CHARS * 4);
    let lo = (lo..=raw.start)
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(raw.start);
    let before = &text[lo..raw.start];
    let before = before.rfind('\n').map_or(before, |p| &before[p + 1..]);
    let skip = before.chars().count().saturating_sub(CONTEXT_CHARS);
    let before = match before.char_indices().nth(skip) {
        Some((b, _)) => &before[b..],
        None => "",
    };
    let after = &text[raw.end..];
    let mut end = 0;
    for (n, (i, c)) in after.char_indices().enumerate() {
        if n == CONTEXT_CHARS || c == '\n' {
            break;
        }
        end = i + c.len_utf8();
    }
    let after = &after[..end];
    // A marking is not personal data: show it as it is, so the reviewer sees which marking it was.
    let shown = if raw.kind == Kind::SecrecyMarking {
        &text[raw.start..raw.end]
    } else {
        raw.masked.as_str()
    };
    let mut bytes = Vec::with_capacity(before.len() + shown.len() + after.len());
    for part in [before, shown, after] {
        bytes.extend(
            part.bytes()
                .map(|b| if b == b'\t' || b == b'\r' { b' ' } else { b }),
        );
    }
    // Replacing one ASCII byte by another keeps UTF-8 valid.
    let mut out = String::from_utf8(bytes).expect("valid UTF-8");
    let trimmed = out.trim();
    if trimmed.len() != out.len() {
        out = trimmed.to_string();
    }
    out
}
