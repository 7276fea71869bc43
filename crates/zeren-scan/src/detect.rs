//! The detectors. A word-at-a-time prefilter finds digits (ASCII and full-width) and the last character
//! of each secrecy-marking phrase, and an Aho-Corasick automaton finds custom terms; only there do the
//! validators (length and grouping, check digits, birth dates, prefixes, neighbours, context words) run.
//! Offsets here are byte offsets into the scanned slice; the scanner turns them into character offsets.
//! Nothing here allocates per candidate: dense rosters have an identifier every thirty bytes.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::checksum;
use crate::context::{self, ContextWords, LineWords};
use crate::{Confidence, Kind};

/// Up to twenty digit values (10 = the check character `X`), or for a passport its ASCII characters.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub(crate) struct Digits {
    d: [u8; MAX_DIGITS],
    n: u8,
}

impl Digits {
    fn from_slice(s: &[u8]) -> Self {
        let mut v = Digits::default();
        v.extend(s);
        v
    }

    fn push(&mut self, x: u8) {
        if usize::from(self.n) < MAX_DIGITS {
            self.d[usize::from(self.n)] = x;
            self.n += 1;
        }
    }

    fn extend(&mut self, s: &[u8]) {
        let n = usize::from(self.n);
        let k = s.len().min(MAX_DIGITS - n);
        self.d[n..n + k].copy_from_slice(&s[..k]);
        self.n += k as u8;
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.d[..usize::from(self.n)]
    }

    fn len(&self) -> usize {
        usize::from(self.n)
    }
}

/// A finding in byte offsets of the region's text. The masked form is made when someone asks for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Raw {
    pub kind: Kind,
    pub confidence: Confidence,
    pub start: usize,
    pub end: usize,
    pub digits: Digits,
}

impl Raw {
    /// Appends the suggested replacement (empty for a secrecy marking) to `out`.
    pub(crate) fn write_masked(&self, text: &str, out: &mut String) {
        let d = self.digits.as_slice();
        let (head, tail) = match self.kind {
            Kind::CnResidentId => (6, 4),
            Kind::CnMobile => (3, 4),
            Kind::BankCard => (4, 4),
            Kind::CnPassport => (3, 2),
            Kind::SecrecyMarking => return,
            Kind::CustomTerm => {
                let mut cs = text[self.start..self.end].chars();
                if let Some(first) = cs.next() {
                    out.push(first);
                    out.extend(cs.map(|_| '*'));
                }
                return;
            }
        };
        // Built on the stack and appended once: this runs for every finding of a dense roster.
        let mut buf = [b'*'; MAX_DIGITS];
        for (i, &x) in d.iter().enumerate() {
            if i < head || i + tail >= d.len() {
                buf[i] = match (self.kind, x) {
                    (Kind::CnPassport, c) => c,
                    (_, 10) => b'X',
                    (_, v) => b'0' + v,
                };
            }
        }
        debug_assert!(buf[..d.len()].is_ascii());
        // SAFETY: `buf` holds ASCII digits, capital letters and `*` only, which are valid UTF-8.
        unsafe { out.as_mut_vec() }.extend_from_slice(&buf[..d.len()]);
    }

    /// Appends the value as it may be shown: the masked value, or a marking as it is.
    pub(crate) fn write_shown(&self, text: &str, out: &mut String) {
        if self.kind == Kind::SecrecyMarking {
            out.push_str(&text[self.start..self.end]);
        } else {
            self.write_masked(text, out);
        }
    }
}

/// A slice of text to scan: the whole text, or one chunk of a stream with overlap on both sides.
/// Findings are reported when `from <= start < until`; the bytes outside are context only.
pub(crate) struct Region<'a> {
    pub text: &'a str,
    pub from: usize,
    pub until: usize,
    /// Whether `text[0]` is the real start of the text (otherwise its left neighbour is unknown).
    pub at_start: bool,
    /// Where scanning begins: `from` less enough bytes to see context and tokens cut by `from` (0 for
    /// a stream's chunk, which holds only that much before `from`).
    pub scan_from: usize,
    /// Bytes and line breaks of the document before `text[0]` (a stream's earlier chunks).
    pub bytes_before: usize,
    pub lines_before: usize,
    /// Byte offsets in `text` where a page, sheet or document part begins, sorted: each starts a
    /// heading zone.
    pub zones: &'a [usize],
    /// The column header of the table cell holding a byte offset, if any.
    pub header: &'a dyn Fn(usize) -> Option<&'a str>,
}

impl Region<'_> {
    /// Whether byte `s` lies in a heading zone: the first lines of a document, page or part, where
    /// GB/T 9704 puts the 份号, 密级 and 紧急程度 and publishers put 内部资料.
    fn in_heading_zone(&self, s: usize) -> bool {
        let (zone, lines, bytes) = match self.zones.partition_point(|&z| z <= s) {
            0 => (0, self.lines_before, self.bytes_before),
            i => (self.zones[i - 1], 0, 0),
        };
        if bytes + (s - zone) > HEADING_BYTES || lines >= HEADING_LINES {
            return false;
        }
        let breaks = memchr::memchr_iter(b'\n', &self.text.as_bytes()[zone..s]).count();
        lines + breaks < HEADING_LINES
    }
}

/// Bytes of context looked at before and after a value (about 24 and 12 Han characters).
const LEFT_WINDOW: usize = 72;
const RIGHT_WINDOW: usize = 36;
/// The longest digit token worth storing per run; longer runs are never identifiers.
const MAX_DIGITS: usize = 20;
const MAX_RUNS: usize = 8;
/// The heading zone: the first six lines of a document, page or part, within its first 2,000 bytes.
const HEADING_LINES: usize = 6;
const HEADING_BYTES: usize = 2000;
/// How far back a sentence is searched for the document speaking of itself (本文件…).
const SENTENCE_BYTES: usize = 120;

/// The marking phrases, found through the prefilter by their last character.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phrase {
    /// 绝密, 机密, 秘密 (密).
    Level,
    /// 涉密, 涉密文件 (密).
    Classified,
    /// 内部资料 (资), 内部文件 (件).
    Internal { file: bool },
    /// 注意保存 (存).
    KeepSafe,
    /// 不得外传, 严禁外传 … (传).
    NoSpread,
}

pub(crate) struct Detectors {
    custom: Option<(AhoCorasick, Vec<bool>)>,
    context: ContextWords,
    longest_term: usize,
}

#[derive(Clone, Copy, Default)]
struct Run {
    start: usize,
    /// End of the digits.
    end: usize,
    /// End including a trailing check character `X` (equal to `end` when there is none).
    x_end: usize,
    n: usize,
    d: [u8; MAX_DIGITS],
}

impl Run {
    fn has_x(&self) -> bool {
        self.x_end > self.end
    }
    fn digits(&self) -> &[u8] {
        &self.d[..self.n.min(MAX_DIGITS)]
    }
}

#[derive(Default)]
struct Token {
    runs: [Run; MAX_RUNS],
    len: usize,
    end: usize,
}

#[inline]
fn digit_at(b: &[u8], i: usize) -> Option<(u8, usize)> {
    let c = *b.get(i)?;
    if c.is_ascii_digit() {
        return Some((c - b'0', 1));
    }
    // Full-width digits U+FF10..U+FF19 are EF BC 90..99 in UTF-8.
    if c == 0xEF && b.get(i + 1) == Some(&0xBC) {
        if let Some(&t) = b.get(i + 2) {
            if (0x90..=0x99).contains(&t) {
                return Some((t - 0x90, 3));
            }
        }
    }
    None
}

/// Length of a check character `X`, `x`, `Ｘ` or `ｘ` at `i`, or 0.
#[inline]
fn x_at(b: &[u8], i: usize) -> usize {
    match b.get(i..) {
        Some([b'X' | b'x', ..]) => 1,
        Some([0xEF, 0xBC, 0xB8, ..]) | Some([0xEF, 0xBD, 0x98, ..]) => 3,
        _ => 0,
    }
}

/// Length of a group separator at `i` (space, hyphen, no-break space, ideographic space, full-width
/// hyphen), or 0.
#[inline]
fn sep_at(b: &[u8], i: usize) -> usize {
    match b.get(i..) {
        Some([b' ' | b'-', ..]) => 1,
        Some([0xC2, 0xA0, ..]) => 2,
        Some([0xE3, 0x80, 0x80, ..]) | Some([0xEF, 0xBC, 0x8D, ..]) => 3,
        _ => 0,
    }
}

/// Whether `b[p]` is the second byte of a three-byte sequence the detectors want: a full-width digit
/// (EF BC 90..99), 密 (E5 AF 86), 资 (E8 B5 84, of 内部资料), 存 (E5 AD 98, of 注意保存), 传 (E4 BC A0,
/// of 不得外传) or 件 (E4 BB B6, of 内部文件).
#[inline]
fn pair_hit(x: u8, y: u8) -> bool {
    (x == 0xBC && ((0x90..=0x99).contains(&y) || y == 0xA0))
        || (x == 0xAF && y == 0x86)
        || (x == 0xB5 && y == 0x84)
        || (x == 0xAD && y == 0x98)
        || (x == 0xBB && y == 0xB6)
}

/// The first position at or after `i` that is an ASCII digit or the second byte of a wanted three-byte
/// sequence (see [`pair_hit`]). Clean prose is almost all misses, so this loop is where a scan of clean text
/// spends its time: 16 bytes per step with SSE2 (part of every x86-64), eight with plain words elsewhere.
/// Hits are candidates only; callers check the whole character.
#[inline]
fn find_candidate(b: &[u8], i: usize) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    let i = match sse2::find(b, i) {
        Ok(p) => return Some(p),
        Err(rest) => rest,
    };
    #[cfg(not(target_arch = "x86_64"))]
    let i = match swar_find(b, i) {
        Ok(p) => return Some(p),
        Err(rest) => rest,
    };
    (i..b.len()).find(|&p| b[p].is_ascii_digit() || (p + 1 < b.len() && pair_hit(b[p], b[p + 1])))
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::*;

    /// `Ok(hit)`, or `Err(position)` where fewer than 17 bytes remain for the caller's scalar loop.
    #[inline]
    pub(super) fn find(b: &[u8], mut i: usize) -> Result<usize, usize> {
        // SAFETY: SSE2 is in the x86-64 baseline, so these intrinsics are always available; every load
        // reads 16 bytes at `i` or `i + 1` with `i + 17 <= b.len()`, inside the slice, unaligned loads.
        unsafe {
            let c30 = _mm_set1_epi8(0x30);
            let nine = _mm_set1_epi8(9);
            let k = |v: u8| _mm_set1_epi8(v as i8);
            let (bc, x90, af, x86, b5, x84, ad, x98) = (
                k(0xBC),
                k(0x90),
                k(0xAF),
                k(0x86),
                k(0xB5),
                k(0x84),
                k(0xAD),
                k(0x98),
            );
            let (xa0, bb, xb6) = (k(0xA0), k(0xBB), k(0xB6));
            while i + 17 <= b.len() {
                let w0 = _mm_loadu_si128(b.as_ptr().add(i) as *const __m128i);
                let w1 = _mm_loadu_si128(b.as_ptr().add(i + 1) as *const __m128i);
                let d = _mm_sub_epi8(w0, c30);
                let digit = _mm_cmpeq_epi8(_mm_min_epu8(d, nine), d);
                let f = _mm_sub_epi8(w1, x90);
                let fw = _mm_and_si128(
                    _mm_cmpeq_epi8(w0, bc),
                    _mm_cmpeq_epi8(_mm_min_epu8(f, nine), f),
                );
                let mi = _mm_and_si128(_mm_cmpeq_epi8(w0, af), _mm_cmpeq_epi8(w1, x86));
                let zi = _mm_and_si128(_mm_cmpeq_epi8(w0, b5), _mm_cmpeq_epi8(w1, x84));
                let cun = _mm_and_si128(_mm_cmpeq_epi8(w0, ad), _mm_cmpeq_epi8(w1, x98));
                let chuan = _mm_and_si128(_mm_cmpeq_epi8(w0, bc), _mm_cmpeq_epi8(w1, xa0));
                let jian = _mm_and_si128(_mm_cmpeq_epi8(w0, bb), _mm_cmpeq_epi8(w1, xb6));
                let any = _mm_or_si128(
                    _mm_or_si128(_mm_or_si128(digit, fw), _mm_or_si128(chuan, jian)),
                    _mm_or_si128(mi, _mm_or_si128(zi, cun)),
                );
                let m = _mm_movemask_epi8(any) as u32;
                if m != 0 {
                    return Ok(i + m.trailing_zeros() as usize);
                }
                i += 16;
            }
        }
        Err(i)
    }
}

/// Word-at-a-time fallback: flags ASCII digits and the second bytes 0xBC, 0xAF, 0xB5, 0xAD, 0xBB, then lets
/// the scalar check decide.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn swar_find(b: &[u8], mut i: usize) -> Result<usize, usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(LO) & !v & HI;
    while i + 9 <= b.len() {
        let w = u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        let low = w & !HI;
        let digits = (low + LO * 0x50) & !(low + LO * 0x46) & !w & HI;
        let m = digits
            | zero(w ^ (LO * 0xBC))
            | zero(w ^ (LO * 0xAF))
            | zero(w ^ (LO * 0xB5))
            | zero(w ^ (LO * 0xAD))
            | zero(w ^ (LO * 0xBB));
        if m != 0 {
            let p = i + (m.trailing_zeros() / 8) as usize;
            if b[p].is_ascii_digit() || pair_hit(b[p], b[p + 1]) {
                return Ok(p);
            }
            i = p + 1;
            continue;
        }
        i += 8;
    }
    Err(i)
}

/// Reads the digit groups starting at `start` into `t` (reused between calls: a token is a few hundred
/// bytes, and dense rosters read one every ten bytes).
#[inline]
fn read_token(b: &[u8], start: usize, t: &mut Token) {
    t.len = 0;
    let mut i = start;
    loop {
        let run = &mut t.runs[t.len];
        run.start = i;
        run.n = 0;
        loop {
            // ASCII digits first: the common case needs no call.
            match b.get(i) {
                Some(&c) if c.is_ascii_digit() => {
                    if run.n < MAX_DIGITS {
                        run.d[run.n] = c - b'0';
                    }
                    run.n += 1;
                    i += 1;
                }
                Some(0xEF) => match digit_at(b, i) {
                    Some((v, l)) => {
                        if run.n < MAX_DIGITS {
                            run.d[run.n] = v;
                        }
                        run.n += 1;
                        i += l;
                    }
                    None => break,
                },
                _ => break,
            }
        }
        run.end = i;
        let xl = x_at(b, i);
        i += xl;
        run.x_end = i;
        t.len += 1;
        if xl > 0 || t.len == MAX_RUNS {
            break;
        }
        let sl = sep_at(b, i);
        if sl > 0 && digit_at(b, i + sl).is_some() {
            i += sl;
            continue;
        }
        break;
    }
    t.end = i;
}

fn char_before(text: &str, i: usize) -> Option<char> {
    text[..i].chars().next_back()
}

fn char_after(text: &str, i: usize) -> Option<char> {
    text[i..].chars().next()
}

fn is_letter_or_digit(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || ('Ａ'..='Ｚ').contains(&c)
        || ('ａ'..='ｚ').contains(&c)
        || ('０'..='９').contains(&c)
}

/// A character that, next to a digit run, means the run is part of something else: a code, a decimal
/// number, or an already masked value (`3501**********1234`, `138****5678`). Not `@`: a mobile number
/// used as a mail name (`13812345678@163.com`) is still the number.
fn is_glue(c: char) -> bool {
    is_letter_or_digit(c) || matches!(c, '*' | '＊' | '×' | '●' | '•' | '_' | '#' | '＃' | '.')
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

fn mobile_prefix_ok(d: &[u8]) -> bool {
    d.len() == 11
        && d[0] == 1
        && match (d[1], d[2]) {
            (3, _) | (8, _) => true,
            (4, 5..=9) => true,
            (5, x) => x != 4,
            (6, 2 | 5 | 6 | 7) => true,
            (7, 0..=8) => true,
            (9, x) => x != 4,
            _ => false,
        }
}

/// What the nearby words say about a value at `start..end`: the column header, else the last word
/// before it on its line (within `LEFT_WINDOW` bytes), else the first after it (within `RIGHT_WINDOW`).
/// When both windows reach the ends of the line, the line's words are looked up once and reused: the
/// result is the same, because no context word can run across a value's digits.
fn class_of(ctx: &ContextWords, r: &Region, start: usize, end: usize, lw: &mut LineWords) -> u8 {
    if let Some(h) = (r.header)(start) {
        let c = ctx.any(h);
        if c != 0 {
            return c;
        }
    }
    let text = r.text;
    let b = text.as_bytes();
    let lo = floor_boundary(text, start.saturating_sub(LEFT_WINDOW));
    let hi = ceil_boundary(text, end + RIGHT_WINDOW);
    let left_nl = memchr::memrchr(b'\n', &b[lo..start]).map(|p| lo + p + 1);
    let right_nl = memchr::memchr(b'\n', &b[end..hi]).map(|p| end + p);
    let line_start = left_nl.or((lo == 0).then_some(0));
    let line_end = right_nl.or((hi == text.len()).then_some(hi));
    if let (Some(ls), Some(le)) = (line_start, line_end) {
        let words = ctx.line(lw, text, ls, le);
        let i = words.partition_point(|w| w.1 <= start);
        if let Some(w) = i.checked_sub(1).map(|i| words[i]) {
            return w.2;
        }
        // A label after a value usually belongs to the next value, so it may only confirm.
        return words
            .iter()
            .find(|w| w.0 >= end)
            .map_or(0, |w| w.2 & !context::OTHER);
    }
    // Only the current line counts: a header row several lines up names other columns too.
    let left = &text[left_nl.unwrap_or(lo)..start];
    let c = ctx.last(left);
    if c != 0 {
        return c;
    }
    let right = &text[end..right_nl.unwrap_or(hi)];
    ctx.first(right) & !context::OTHER
}

struct Candidate {
    kind: Kind,
    start: usize,
    end: usize,
    /// Normalised digit values (10 = X) of the identifier, without any +86 prefix.
    digits: Digits,
    prefixed: bool,
    grouped: bool,
}

impl Detectors {
    pub(crate) fn new(custom_terms: &[String]) -> Self {
        let terms: Vec<&str> = custom_terms
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
            .collect();
        let custom = if terms.is_empty() {
            None
        } else {
            let ac = AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .ascii_case_insensitive(true)
                .build(&terms)
                .expect("custom term automaton");
            let ascii_word = terms
                .iter()
                .map(|t| t.chars().all(|c| c.is_ascii_alphanumeric()))
                .collect();
            Some((ac, ascii_word))
        };
        let longest_term = terms.iter().map(|t| t.len()).max().unwrap_or(0);
        Detectors {
            custom,
            context: ContextWords::new(),
            longest_term,
        }
    }

    /// Bytes of right-hand overlap a streaming caller must keep so that no finding is cut.
    pub(crate) fn overlap(&self) -> usize {
        512 + self.longest_term
    }

    pub(crate) fn scan(&self, r: &Region, out: &mut Vec<Raw>) {
        let b = r.text.as_bytes();
        let mut i = r.scan_from;
        let mut lw = LineWords::default();
        let mut tok = Token::default();
        // A finding may start up to nine bytes before the byte that triggers it (`+`, a passport letter,
        // the 注意 of 注意保存).
        let stop = r.until.saturating_add(16);
        let mut marker_end = 0;
        while let Some(p) = find_candidate(b, i) {
            if p >= stop {
                break;
            }
            i = p + 1;
            if b[p].is_ascii_digit() {
                read_token(b, p, &mut tok);
                self.eval_token(r, &tok, &mut lw, out);
                i = tok.end.max(p + 1);
                continue;
            }
            // `p` is the middle byte of a three-byte character starting at `c`.
            let Some(c) = p.checked_sub(1) else {
                continue;
            };
            let third = b.get(p + 1).copied().unwrap_or(0);
            let ends_with = |s: usize, word: &str| -> bool {
                s <= c && r.text.is_char_boundary(s) && r.text[s..].starts_with(word)
            };
            match (b[c], b[p], third) {
                (0xEF, 0xBC, _) => {
                    read_token(b, c, &mut tok);
                    self.eval_token(r, &tok, &mut lw, out);
                    i = tok.end.max(p + 1);
                }
                (0xE5, 0xAF, 0x86) => {
                    // 密: the phrase is the character before it and 密.
                    let Some(s) = c.checked_sub(3) else {
                        continue;
                    };
                    let which = match &b[s..c] {
                        // 绝, 机, 秘
                        [0xE7, 0xBB, 0x9D] | [0xE6, 0x9C, 0xBA] | [0xE7, 0xA7, 0x98] => {
                            Phrase::Level
                        }
                        // 涉
                        [0xE6, 0xB6, 0x89] => Phrase::Classified,
                        _ => continue,
                    };
                    self.marker(r, s, c + 3, which, &mut marker_end, out);
                }
                (0xE8, 0xB5, 0x84) if c >= 6 && ends_with(c - 6, "内部资料") => {
                    let which = Phrase::Internal { file: false };
                    self.marker(r, c - 6, c + 6, which, &mut marker_end, out);
                }
                (0xE4, 0xBB, 0xB6) if c >= 9 && ends_with(c - 9, "内部文件") => {
                    let which = Phrase::Internal { file: true };
                    self.marker(r, c - 9, c + 3, which, &mut marker_end, out);
                }
                (0xE5, 0xAD, 0x98) if c >= 9 && ends_with(c - 9, "注意保存") => {
                    self.marker(r, c - 9, c + 3, Phrase::KeepSafe, &mut marker_end, out);
                }
                (0xE4, 0xBC, 0xA0) if c >= 9 && NO_SPREAD.iter().any(|w| ends_with(c - 9, w)) => {
                    self.marker(r, c - 9, c + 3, Phrase::NoSpread, &mut marker_end, out);
                }
                _ => {}
            }
        }
        self.scan_custom(r, out);
    }

    fn eval_token(&self, r: &Region, tok: &Token, lw: &mut LineWords, out: &mut Vec<Raw>) {
        let text = r.text;
        let first = tok.runs[0].start;
        let before = if first == 0 {
            if r.at_start {
                None
            } else {
                // Unknown left neighbour at a chunk seam: assume it glues.
                Some('0')
            }
        } else {
            char_before(text, first)
        };
        let mut i = 0;
        let mut prev_consumed = true;
        while i < tok.len {
            match self.candidate_at(r, tok, i, before, prev_consumed) {
                Some((cand, k)) => {
                    if cand.start >= r.from && cand.start < r.until {
                        if let Some(raw) = self.judge(r, cand, lw) {
                            out.push(raw);
                        }
                    }
                    i += k;
                    prev_consumed = true;
                }
                None => {
                    i += 1;
                    prev_consumed = false;
                }
            }
        }
    }

    /// The structural match at run `i`: which kind the digits could be, and how many runs it uses.
    fn candidate_at(
        &self,
        r: &Region,
        tok: &Token,
        i: usize,
        before: Option<char>,
        prev_consumed: bool,
    ) -> Option<(Candidate, usize)> {
        let text = r.text;
        let runs = &tok.runs[..tok.len];
        let run = &runs[i];
        let left_ok = i > 0 || before.is_none_or(|c| !is_glue(c));
        // Whether the character after a candidate ending at run `j` (at byte `end`) leaves it alone.
        let right_ok = |j: usize, end: usize| -> bool {
            if j + 1 < tok.len && end == runs[j].x_end {
                return true;
            }
            match char_after(text, end) {
                None => true,
                Some('.') => !text[end + 1..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit()),
                Some(c) => !is_glue(c),
            }
        };
        let followed = |j: usize| j + 1 < tok.len;
        let lens = |pat: &[usize]| -> bool {
            i + pat.len() <= runs.len()
                && runs[i..i + pat.len()]
                    .iter()
                    .zip(pat)
                    .all(|(r, &n)| r.n == n)
        };
        let no_x = |from: usize, k: usize| runs[from..from + k].iter().all(|r| !r.has_x());
        let concat = |from: usize, k: usize| -> Digits {
            let mut d = Digits::default();
            for r in &runs[from..from + k] {
                d.extend(r.digits());
            }
            d
        };
        let cand = |kind, start, end, digits, prefixed, grouped| Candidate {
            kind,
            start,
            end,
            digits,
            prefixed,
            grouped,
        };

        // International prefix: +86 / 0086 as its own group, then 11 digits or 3-4-4.
        let plus = matches!(before, Some('+') | Some('＋')) && i == 0;
        let is86 = run.n == 2 && run.digits() == [8, 6] && plus;
        let is0086 = run.n == 4 && run.digits() == [0, 0, 8, 6] && left_ok;
        if (is86 || is0086) && !run.has_x() {
            let start = if plus {
                floor_boundary(text, run.start - 1)
            } else {
                run.start
            };
            let rest = i + 1;
            if rest < runs.len() && runs[rest].n == 11 && !runs[rest].has_x() {
                let d = runs[rest].digits();
                if mobile_prefix_ok(d) && right_ok(rest, runs[rest].end) {
                    let c = cand(
                        Kind::CnMobile,
                        start,
                        runs[rest].end,
                        Digits::from_slice(d),
                        true,
                        true,
                    );
                    return Some((c, 2));
                }
            }
            if rest + 3 <= runs.len()
                && runs[rest..rest + 3].iter().map(|r| r.n).eq([3, 4, 4])
                && no_x(rest, 3)
            {
                let d = concat(rest, 3);
                let last = rest + 2;
                if mobile_prefix_ok(d.as_slice()) && right_ok(last, runs[last].end) {
                    let c = cand(Kind::CnMobile, start, runs[last].end, d, true, true);
                    return Some((c, 4));
                }
            }
        }

        // Grouped forms. A group that follows an unconsumed group belongs to a longer number.
        if ((i == 0 && left_ok) || (i > 0 && prev_consumed)) && i + 1 < runs.len() {
            if i + 3 <= runs.len() {
                let last = &runs[i + 2];
                if lens(&[6, 8, 4]) && no_x(i, 2) && !last.has_x()
                    || lens(&[6, 8, 3]) && no_x(i, 2) && last.has_x()
                {
                    let mut d = concat(i, 3);
                    if last.has_x() {
                        d.push(10);
                    }
                    let arr: &[u8; 18] = d.as_slice().try_into().expect("18 digits");
                    if checksum::resident_id18_ok(arr)
                        && !followed(i + 2)
                        && right_ok(i + 2, last.x_end)
                    {
                        let c = cand(Kind::CnResidentId, run.start, last.x_end, d, false, true);
                        return Some((c, 3));
                    }
                }
                if lens(&[6, 6, 3]) && no_x(i, 3) {
                    let d = concat(i, 3);
                    let arr: &[u8; 15] = d.as_slice().try_into().expect("15 digits");
                    if checksum::resident_id15_ok(arr)
                        && !followed(i + 2)
                        && right_ok(i + 2, last.end)
                    {
                        let c = cand(Kind::CnResidentId, run.start, last.end, d, false, true);
                        return Some((c, 3));
                    }
                }
                if lens(&[3, 4, 4]) && no_x(i, 3) {
                    let d = concat(i, 3);
                    if mobile_prefix_ok(d.as_slice()) && right_ok(i + 2, last.end) {
                        let c = cand(Kind::CnMobile, run.start, last.end, d, false, true);
                        return Some((c, 3));
                    }
                }
            }
            if lens(&[4, 4, 4, 4]) && no_x(i, 4) {
                // 4-4-4-4 and a short fifth group for 17 to 19 digits.
                let five =
                    i + 5 <= runs.len() && (1..=3).contains(&runs[i + 4].n) && !runs[i + 4].has_x();
                let k = if five { 5 } else { 4 };
                let last = &runs[i + k - 1];
                let d = concat(i, k);
                if checksum::luhn_ok(d.as_slice())
                    && !followed(i + k - 1)
                    && right_ok(i + k - 1, last.end)
                {
                    let c = cand(Kind::BankCard, run.start, last.end, d, false, true);
                    return Some((c, k));
                }
                if five {
                    return None;
                }
            }
        }

        if !left_ok {
            return self.passport_at(r, tok, i);
        }
        // One run of digits.
        let d = run.digits();
        if run.n == 13 && plus && d[..2] == [8, 6] && !run.has_x() && mobile_prefix_ok(&d[2..]) {
            if right_ok(i, run.end) {
                let start = floor_boundary(text, run.start - 1);
                let c = cand(
                    Kind::CnMobile,
                    start,
                    run.end,
                    Digits::from_slice(&d[2..]),
                    true,
                    false,
                );
                return Some((c, 1));
            }
            return None;
        }
        if run.n == 15 && d[..4] == [0, 0, 8, 6] && !run.has_x() && mobile_prefix_ok(&d[4..]) {
            if right_ok(i, run.end) {
                let c = cand(
                    Kind::CnMobile,
                    run.start,
                    run.end,
                    Digits::from_slice(&d[4..]),
                    true,
                    false,
                );
                return Some((c, 1));
            }
            return None;
        }
        if (run.n == 18 && !run.has_x()) || (run.n == 17 && run.has_x()) {
            let mut v = Digits::from_slice(d);
            if run.has_x() {
                v.push(10);
            }
            let arr: &[u8; 18] = v.as_slice().try_into().expect("18 digits");
            if checksum::resident_id18_ok(arr) && right_ok(i, run.x_end) {
                return Some((
                    cand(Kind::CnResidentId, run.start, run.x_end, v, false, false),
                    1,
                ));
            }
        }
        if run.n == 15 && !run.has_x() {
            let arr: &[u8; 15] = d.try_into().expect("15 digits");
            if checksum::resident_id15_ok(arr) && right_ok(i, run.end) {
                let c = cand(
                    Kind::CnResidentId,
                    run.start,
                    run.end,
                    Digits::from_slice(d),
                    false,
                    false,
                );
                return Some((c, 1));
            }
        }
        if run.n == 11 && mobile_prefix_ok(d) && right_ok(i, run.end) {
            let c = cand(
                Kind::CnMobile,
                run.start,
                run.end,
                Digits::from_slice(d),
                false,
                false,
            );
            return Some((c, 1));
        }
        if (16..=19).contains(&run.n) && checksum::luhn_ok(d) && right_ok(i, run.end) {
            let c = cand(
                Kind::BankCard,
                run.start,
                run.end,
                Digits::from_slice(d),
                false,
                false,
            );
            return Some((c, 1));
        }
        None
    }

    /// `E12345678`, `G12345678` or `EA1234567`: the digits are glued to one or two capital letters.
    fn passport_at(&self, r: &Region, tok: &Token, i: usize) -> Option<(Candidate, usize)> {
        let text = r.text;
        let run = &tok.runs[i];
        if i != 0 || run.has_x() || !(run.n == 7 || run.n == 8) {
            return None;
        }
        let b = text.as_bytes();
        let s = run.start;
        let (start, mut d) = if run.n == 8 && s >= 1 && matches!(b[s - 1], b'E' | b'G') {
            (s - 1, Digits::from_slice(&[b[s - 1]]))
        } else if run.n == 7
            && s >= 2
            && b[s - 2] == b'E'
            && b[s - 1].is_ascii_uppercase()
            && !matches!(b[s - 1], b'I' | b'O')
        {
            (s - 2, Digits::from_slice(&[b[s - 2], b[s - 1]]))
        } else {
            return None;
        };
        if start > 0 {
            let c = char_before(text, start)?;
            if is_glue(c) {
                return None;
            }
        } else if !r.at_start {
            return None;
        }
        if char_after(text, run.end).is_some_and(is_glue) {
            return None;
        }
        for &x in run.digits() {
            d.push(b'0' + x);
        }
        let c = Candidate {
            kind: Kind::CnPassport,
            start,
            end: run.end,
            digits: d,
            prefixed: false,
            grouped: false,
        };
        Some((c, 1))
    }

    /// Confidence from context; `None` when a label says it is something else. The context words are
    /// looked up only for the kinds and forms they can change (an 18-digit ID with a valid check
    /// character is high whatever surrounds it).
    fn judge(&self, r: &Region, c: Candidate, lw: &mut LineWords) -> Option<Raw> {
        let mut class = || class_of(&self.context, r, c.start, c.end, lw);
        let says = |class: u8, k: u8| class & k != 0;
        let confidence = match c.kind {
            Kind::CnResidentId if c.digits.len() == 18 => Confidence::High,
            Kind::CnResidentId => {
                let cl = class();
                if says(cl, context::ID) {
                    Confidence::High
                } else if says(cl, context::OTHER) {
                    return None;
                } else {
                    Confidence::Medium
                }
            }
            Kind::CnMobile if c.prefixed || c.grouped => Confidence::High,
            Kind::CnMobile => {
                let cl = class();
                if says(cl, context::MOBILE) {
                    Confidence::High
                } else if says(cl, context::OTHER) {
                    return None;
                } else {
                    Confidence::Medium
                }
            }
            Kind::BankCard => {
                let cl = class();
                let card = says(cl, context::CARD);
                if says(cl, context::OTHER) && !card {
                    return None;
                }
                let d = c.digits.as_slice();
                let score = u8::from(d[..2] == [6, 2]) + u8::from(card);
                // 18 digits with a province code and a birth year is far more likely an ID with a typo
                // (check digit or date) than one of the rare 18-digit cards: show it, do not block on it.
                let id_shaped = d.len() == 18
                    && checksum::province_code_ok(d[0], d[1])
                    && (1900..=2099)
                        .contains(&d[6..10].iter().fold(0, |a, &x| a * 10 + u32::from(x)));
                let score = if id_shaped { 0 } else { score };
                match score {
                    2 => Confidence::High,
                    1 => Confidence::Medium,
                    _ => Confidence::Low,
                }
            }
            Kind::CnPassport => {
                let cl = class();
                if says(cl, context::PASSPORT) {
                    Confidence::High
                } else if says(cl, context::OTHER) {
                    return None;
                } else {
                    Confidence::Low
                }
            }
            Kind::SecrecyMarking | Kind::CustomTerm => unreachable!("not a number"),
        };
        Some(Raw {
            kind: c.kind,
            confidence,
            start: c.start,
            end: c.end,
            digits: c.digits,
        })
    }

    /// One marking phrase at `s..e`: decides whether it is a marking and how sure, from where it stands
    /// (a heading zone, a line or cell of its own, brackets), whether the sentence speaks of the
    /// document itself (本文件注意保存，不得外传), and the phrases joined to it (内部资料，注意保存).
    fn marker(
        &self,
        r: &Region,
        s: usize,
        e: usize,
        which: Phrase,
        consumed: &mut usize,
        out: &mut Vec<Raw>,
    ) {
        if s < *consumed || s >= r.until {
            return;
        }
        let found = match which {
            Phrase::Level => self.level_marking(r, s, e),
            _ => self.phrase_marking(r, s, e, which),
        };
        if let Some((end, confidence)) = found {
            // Set even for a phrase before `from` (reported with the previous chunk), so the phrases it
            // swallowed are not reported again.
            *consumed = end;
            if s >= r.from {
                out.push(Raw {
                    kind: Kind::SecrecyMarking,
                    confidence,
                    start: s,
                    end,
                    digits: Digits::default(),
                });
            }
        }
    }

    /// 绝密/机密/秘密: with ★ and a term it is a marking (GB/T 9704-2012 §7.2.2); `★启用前` is the
    /// convention of examination papers, published after the exam, so it is low. Without ★ it counts only
    /// after `密级`, or standing alone (a line or cell of its own, brackets) — high in a heading zone —
    /// or opening a line of the heading zone; never in prose such as 商业机密 or 国家秘密.
    fn level_marking(&self, r: &Region, s: usize, e: usize) -> Option<(usize, Confidence)> {
        let text = r.text;
        let is_space = |c: char| matches!(c, ' ' | '　');
        let after_space = skip_chars(text, e, 8, is_space);
        let star = char_after(text, after_space).filter(|c| matches!(c, '★' | '☆' | '*' | '＊'));
        if let Some(st) = star {
            let t0 = skip_chars(text, after_space + st.len_utf8(), 8, is_space);
            let rest = &text[t0..];
            if rest.starts_with("启用前") {
                return Some((t0 + "启用前".len(), Confidence::Low));
            }
            if rest.starts_with("长期") {
                return Some((t0 + "长期".len(), Confidence::High));
            }
            // Terms are short (1年, 6个月, 10年); a longer number is not a term.
            let digits_end = skip_chars(text, t0, 3, |c| {
                c.is_ascii_digit() || ('０'..='９').contains(&c)
            });
            if digits_end > t0 {
                for unit in ["个月", "年", "月", "天", "日"] {
                    if text[digits_end..].starts_with(unit) {
                        return Some((digits_end + unit.len(), Confidence::High));
                    }
                }
            }
            return Some((after_space + st.len_utf8(), Confidence::High));
        }
        let label = text[floor_boundary(text, s.saturating_sub(16))..s]
            .trim_end_matches([' ', '　', ':', '：', '】', ']', '\t'])
            .ends_with("密级");
        if label {
            return Some((e, Confidence::High));
        }
        if negated(text, s) {
            return None;
        }
        let heading = r.in_heading_zone(s);
        if standalone(r, s, e) {
            let c = if heading {
                Confidence::High
            } else {
                Confidence::Medium
            };
            return Some((e, c));
        }
        (heading && line_start(r, s) && sep_after(text, e)).then_some((e, Confidence::High))
    }

    /// 涉密(文件), 内部资料, 内部文件, 注意保存 and 不得外传 with the phrases joined to them.
    fn phrase_marking(
        &self,
        r: &Region,
        s: usize,
        e: usize,
        which: Phrase,
    ) -> Option<(usize, Confidence)> {
        let text = r.text;
        if negated(text, s) {
            return None;
        }
        let mut e = e;
        if which == Phrase::Classified {
            for suffix in ["文件", "材料", "资料", "文档"] {
                if text[e..].starts_with(suffix) {
                    e += suffix.len();
                    break;
                }
            }
        }
        // Phrases joined by separators or nothing: 内部资料，注意保存；注意保存，不得外传.
        let mut joined = 0;
        for _ in 0..3 {
            let next = skip_chars(text, e, 6, |c| {
                matches!(c, ' ' | '　' | '，' | ',' | '、' | '：' | ':' | '；' | ';')
            });
            let Some(len) = JOINABLE
                .iter()
                .find(|w| text[next..].starts_with(*w))
                .map(|w| w.len())
            else {
                break;
            };
            e = next + len;
            joined += 1;
        }
        if defines(text, s, e) {
            return None;
        }
        let sep = sep_after(text, e);
        let confidence = if standalone(r, s, e) {
            if r.in_heading_zone(s) {
                Confidence::High
            } else {
                Confidence::Medium
            }
        } else if (sep && line_start(r, s) && r.in_heading_zone(s))
            || ((sep || which == Phrase::NoSpread || joined > 0) && speaks_of_itself(text, s))
            || (sep
                && matches!(which, Phrase::KeepSafe | Phrase::NoSpread)
                && !text[..s].ends_with('请')
                && r.in_heading_zone(s)
                && short_line(text, s, e))
        {
            Confidence::High
        } else if joined > 0 && which != Phrase::Classified {
            Confidence::Medium
        } else {
            match which {
                Phrase::Internal { file: false } if sep => Confidence::Medium,
                Phrase::Classified | Phrase::NoSpread => Confidence::Low,
                _ => return None,
            }
        };
        Some((e, confidence))
    }

    fn scan_custom(&self, r: &Region, out: &mut Vec<Raw>) {
        let Some((ac, ascii_word)) = &self.custom else {
            return;
        };
        let text = r.text;
        let input = aho_corasick::Input::new(text).span(r.scan_from..text.len());
        for m in ac.find_iter(input) {
            let (s, e) = (m.start(), m.end());
            if s >= r.until {
                break;
            }
            if s < r.from {
                continue;
            }
            if ascii_word[m.pattern().as_usize()]
                && (char_before(text, s).is_some_and(|c| c.is_ascii_alphanumeric())
                    || char_after(text, e).is_some_and(|c| c.is_ascii_alphanumeric()))
            {
                continue;
            }
            out.push(Raw {
                kind: Kind::CustomTerm,
                confidence: Confidence::High,
                start: s,
                end: e,
                digits: Digits::default(),
            });
        }
    }
}

/// Distribution restrictions ending in 传, all four characters long.
const NO_SPREAD: [&str; 6] = [
    "不得外传",
    "严禁外传",
    "请勿外传",
    "禁止外传",
    "不准外传",
    "切勿外传",
];

/// Phrases that continue a marking: 内部资料，注意保存，不得外传.
const JOINABLE: [&str; 13] = [
    "注意保存",
    "不得外传",
    "严禁外传",
    "请勿外传",
    "禁止外传",
    "不准外传",
    "切勿外传",
    "内部资料",
    "妥善保管",
    "请妥善保管",
    "仅供内部参考",
    "仅供参考",
    "仅供内部使用",
];

/// Words by which a document speaks of itself.
const ITSELF: [&str; 22] = [
    "本文件",
    "此文件",
    "本文",
    "本材料",
    "此材料",
    "本资料",
    "此资料",
    "本件",
    "此件",
    "本书",
    "本刊",
    "本报告",
    "本通知",
    "本表",
    "此表",
    "本名单",
    "本册",
    "本手册",
    "本汇编",
    "本纪要",
    "本简报",
    "本期",
];

/// Whether the sentence before `s` names the document itself (本文件注意保存).
fn speaks_of_itself(text: &str, s: usize) -> bool {
    let lo = floor_boundary(text, s.saturating_sub(SENTENCE_BYTES));
    let before = &text[lo..s];
    let sentence = before
        .rfind(['。', '！', '？', '\n', '!', '?'])
        .map_or(before, |p| &before[p..]);
    ITSELF.iter().any(|w| sentence.contains(w))
}

/// Whether the phrase is being defined (本办法所称内部资料，是指…): a rule about such material, not
/// material marked with it.
fn defines(text: &str, s: usize, e: usize) -> bool {
    let lo = floor_boundary(text, s.saturating_sub(SENTENCE_BYTES));
    let before = &text[lo..s];
    let sentence = before
        .rfind(['。', '！', '？', '\n', '!', '?'])
        .map_or(before, |p| &before[p..]);
    let after = text[e..].trim_start_matches(['，', ',', ' ']);
    sentence.contains("所称") || after.starts_with("是指") || after.starts_with("指")
}

/// Whether the line holding `s..e` is a short heading line (at most 30 characters, no full stop) such as
/// `内部刊物　注意保存`, not a sentence such as `会议内容一律不得外传。`.
fn short_line(text: &str, s: usize, e: usize) -> bool {
    let lo = floor_boundary(text, s.saturating_sub(90));
    let hi = ceil_boundary(text, e + 90);
    let before = &text[lo..s];
    let after = &text[e..hi];
    let (Some(l), Some(r)) = (
        before
            .rfind('\n')
            .map(|p| &before[p + 1..])
            .or((lo == 0).then_some(before)),
        after
            .find('\n')
            .map(|p| &after[..p])
            .or((hi == text.len()).then_some(after)),
    ) else {
        return false;
    };
    !l.contains(['。', '.'])
        && !r.contains(['。', '.'])
        && l.chars().count() + text[s..e].chars().count() + r.chars().count() <= 30
}

/// Whether a negation stands just before `s`: 不涉密, 非涉密文件, 无密级, 不属于内部资料.
fn negated(text: &str, s: usize) -> bool {
    let lo = floor_boundary(text, s.saturating_sub(9));
    let before = &text[lo..s];
    let before = before
        .rfind(['，', '。', '、', '；', '\n', ' '])
        .map_or(before, |p| &before[p..]);
    before.contains(['不', '非', '无', '未'])
}

fn skip_chars(text: &str, mut i: usize, max_chars: usize, f: impl Fn(char) -> bool) -> usize {
    for c in text[i..].chars().take(max_chars) {
        if !f(c) {
            break;
        }
        i += c.len_utf8();
    }
    i
}

/// Characters that open a line, a cell or a bracket.
fn opens(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\t' | '【' | '[' | '（' | '(' | '「' | '《' | '〔' | '|'
    )
}

fn closes(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\t' | '】' | ']' | '）' | ')' | '」' | '》' | '〕' | '|'
    )
}

/// Whether `s` opens a line, a cell or a bracket (spaces before it aside).
fn line_start(r: &Region, s: usize) -> bool {
    let text = r.text;
    let lo = floor_boundary(text, s.saturating_sub(24));
    let left = text[lo..s].trim_end_matches([' ', '　']);
    match left.chars().next_back() {
        Some(c) => opens(c),
        // Only the real start of the text (or spaces after it) opens a line.
        None => lo == 0 && r.at_start && r.bytes_before == 0,
    }
}

/// Whether what follows `e` ends the phrase: the end, a line break, punctuation, a space or a bracket
/// (`内部资料，` but not `内部资料室`).
fn sep_after(text: &str, e: usize) -> bool {
    match text[e..].chars().next() {
        None => true,
        Some(c) => {
            closes(c)
                || matches!(
                    c,
                    ' ' | '　'
                        | '，'
                        | ','
                        | '。'
                        | '.'
                        | '；'
                        | ';'
                        | '：'
                        | ':'
                        | '、'
                        | '！'
                        | '!'
                        | '★'
                )
        }
    }
}

/// Whether `text[s..e]` stands on its own: between line or cell boundaries or brackets.
fn standalone(r: &Region, s: usize, e: usize) -> bool {
    if !line_start(r, s) {
        return false;
    }
    let text = r.text;
    let hi = ceil_boundary(text, e + 24);
    let right = text[e..hi].trim_start_matches([' ', '　']);
    match right.chars().next() {
        None => hi == text.len(),
        Some(c) => closes(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(b: &[u8], i: usize) -> Option<usize> {
        (i..b.len())
            .find(|&p| b[p].is_ascii_digit() || (p + 1 < b.len() && pair_hit(b[p], b[p + 1])))
    }

    #[test]
    fn prefilter_finds_what_the_detectors_need() {
        let s =
            "这是一段没有数字的中文文本，逗号是全角。然后是机密和内部资料，注意保存，最后是１和9";
        let b = s.as_bytes();
        let mut i = 0;
        let mut hits = vec![];
        while let Some(p) = find_candidate(b, i) {
            hits.push(p);
            i = p + 1;
        }
        let mut want = vec![];
        let mut j = 0;
        while let Some(p) = reference(b, j) {
            want.push(p);
            j = p + 1;
        }
        assert_eq!(hits, want);
        assert_eq!(hits.len(), 5, "密, 资, 存, １, 9");
        for n in 0..40 {
            let s = format!("{}7{}", "中".repeat(n), "文".repeat(9));
            assert_eq!(find_candidate(s.as_bytes(), 0), Some(3 * n));
        }
    }

    proptest::proptest! {
        #[test]
        fn prefilter_agrees_with_scalar(v in proptest::collection::vec(proptest::prop_oneof![
            proptest::prelude::any::<u8>(),
            proptest::prelude::Just(0xBCu8),
            proptest::prelude::Just(0x95u8),
            proptest::prelude::Just(0xAFu8),
            proptest::prelude::Just(0x86u8),
            proptest::prelude::Just(0x41u8),
        ], 0..100), start in 0usize..100) {
            let start = start.min(v.len());
            proptest::prop_assert_eq!(find_candidate(&v, start), reference(&v, start));
        }
    }
}
