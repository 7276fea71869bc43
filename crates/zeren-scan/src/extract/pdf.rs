//! .pdf: the text layer. A small reader written for this purpose rather than a general PDF library, so
//! that every step is bounded: objects are found by scanning (which also survives damaged cross-reference
//! tables), streams are inflated under the size and ratio limits, nesting is capped, and the text is
//! decoded through each font's ToUnicode map (or the predefined Chinese CMaps). A file that was cut short
//! (no `%%EOF`) is rejected, and a document whose pages carry no text is reported as a scan.

use crate::mask::num;
use std::collections::{HashMap, HashSet};
use std::io::Read;

use flate2::read::ZlibDecoder;

use super::{ExtractError, Extracted, Limits};

#[derive(Clone, Debug, PartialEq)]
enum Obj {
    Null,
    Bool(bool),
    Num(f64),
    Str(Vec<u8>),
    Name(Vec<u8>),
    Array(Vec<Obj>),
    Dict(Dict),
    Ref(u32),
    Stream(Dict, usize, usize),
    Op(Vec<u8>),
}

type Dict = Vec<(Vec<u8>, Obj)>;

fn get<'d>(d: &'d Dict, key: &[u8]) -> Option<&'d Obj> {
    d.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | b'\0')
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

struct Lexer<'a> {
    b: &'a [u8],
    pos: usize,
    max_depth: usize,
    refs: bool,
}

impl<'a> Lexer<'a> {
    fn new(b: &'a [u8], pos: usize, max_depth: usize, refs: bool) -> Self {
        Lexer {
            b,
            pos,
            max_depth,
            refs,
        }
    }

    fn skip_ws(&mut self) {
        while self.pos < self.b.len() {
            let c = self.b[self.pos];
            if is_white(c) {
                self.pos += 1;
            } else if c == b'%' {
                while self.pos < self.b.len() && !matches!(self.b[self.pos], b'\n' | b'\r') {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn regular(&mut self) -> &'a [u8] {
        let s = self.pos;
        while self.pos < self.b.len() && !is_white(self.b[self.pos]) && !is_delim(self.b[self.pos])
        {
            self.pos += 1;
        }
        &self.b[s..self.pos]
    }

    fn peek_int(&self, at: usize) -> Option<(u32, usize)> {
        let mut p = at;
        while p < self.b.len() && is_white(self.b[p]) {
            p += 1;
        }
        let s = p;
        while p < self.b.len() && self.b[p].is_ascii_digit() {
            p += 1;
        }
        if p == s || p - s > 10 {
            return None;
        }
        let n = std::str::from_utf8(&self.b[s..p]).ok()?.parse().ok()?;
        Some((n, p))
    }

    /// The next object, or `None` at the end or on something unparseable.
    fn next(&mut self, depth: usize) -> Result<Option<Obj>, ExtractError> {
        if depth > self.max_depth {
            return Err(ExtractError::TooDeep {
                limit: self.max_depth,
            });
        }
        self.skip_ws();
        let Some(&c) = self.b.get(self.pos) else {
            return Ok(None);
        };
        Ok(Some(match c {
            b'/' => {
                self.pos += 1;
                let raw = self.regular();
                Obj::Name(decode_name(raw))
            }
            b'(' => Obj::Str(self.literal()),
            b'<' if self.b.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                let mut d = Vec::new();
                loop {
                    self.skip_ws();
                    if self.b[self.pos..].starts_with(b">>") {
                        self.pos += 2;
                        break;
                    }
                    match self.next(depth + 1)? {
                        Some(Obj::Name(k)) => {
                            let v = self.next(depth + 1)?.unwrap_or(Obj::Null);
                            d.push((k, v));
                        }
                        Some(_) => continue,
                        None => break,
                    }
                }
                Obj::Dict(d)
            }
            b'<' => {
                self.pos += 1;
                let s = self.pos;
                while self.pos < self.b.len() && self.b[self.pos] != b'>' {
                    self.pos += 1;
                }
                let hex = &self.b[s..self.pos];
                self.pos = (self.pos + 1).min(self.b.len());
                Obj::Str(decode_hex(hex))
            }
            b'[' => {
                self.pos += 1;
                let mut a = Vec::new();
                loop {
                    self.skip_ws();
                    match self.b.get(self.pos) {
                        None => break,
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        _ => {}
                    }
                    match self.next(depth + 1)? {
                        Some(o) => a.push(o),
                        None => break,
                    }
                }
                Obj::Array(a)
            }
            b']' | b'>' | b')' | b'{' | b'}' => {
                self.pos += 1;
                Obj::Op(vec![c])
            }
            b'+' | b'-' | b'.' | b'0'..=b'9' => {
                let start = self.pos;
                let tok = self.regular();
                if self.refs && tok.iter().all(u8::is_ascii_digit) {
                    if let Some((_, p)) = self.peek_int(self.pos) {
                        let mut q = p;
                        while q < self.b.len() && is_white(self.b[q]) {
                            q += 1;
                        }
                        if self.b.get(q) == Some(&b'R')
                            && self
                                .b
                                .get(q + 1)
                                .is_none_or(|&x| is_white(x) || is_delim(x))
                        {
                            self.pos = q + 1;
                            let n = std::str::from_utf8(tok).ok().and_then(|s| s.parse().ok());
                            return Ok(Some(n.map_or(Obj::Null, Obj::Ref)));
                        }
                    }
                }
                let n = std::str::from_utf8(&self.b[start..self.pos])
                    .ok()
                    .and_then(|s| s.parse::<f64>().ok())
                    .unwrap_or(0.0);
                Obj::Num(n)
            }
            _ => {
                let tok = self.regular();
                if tok.is_empty() {
                    self.pos += 1;
                    return Ok(Some(Obj::Op(vec![c])));
                }
                match tok {
                    b"true" => Obj::Bool(true),
                    b"false" => Obj::Bool(false),
                    b"null" => Obj::Null,
                    _ => Obj::Op(tok.to_vec()),
                }
            }
        }))
    }

    fn literal(&mut self) -> Vec<u8> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut depth = 1;
        while let Some(&c) = self.b.get(self.pos) {
            self.pos += 1;
            match c {
                b'(' => {
                    depth += 1;
                    out.push(c);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(c);
                }
                b'\\' => {
                    let Some(&e) = self.b.get(self.pos) else {
                        break;
                    };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.b.get(self.pos) == Some(&b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.b.get(self.pos) {
                                    Some(&d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push(v as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(c),
            }
        }
        out
    }
}

fn decode_name(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'#' && i + 2 < raw.len() {
            let hex = std::str::from_utf8(&raw[i + 1..i + 3]).unwrap_or("x");
            if let Ok(v) = u8::from_str_radix(hex, 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::decode_ascii85;

    #[test]
    fn ascii85() {
        assert_eq!(decode_ascii85(b"<~87cURD]i,\"Ebo80~>"), b"Hello World!");
        assert_eq!(decode_ascii85(b"87cURD]i,\"Ebo8~>"), b"Hello World");
        assert_eq!(decode_ascii85(b"z~>"), [0, 0, 0, 0]);
    }
}

fn decode_hex(hex: &[u8]) -> Vec<u8> {
    let digits: Vec<u8> = hex
        .iter()
        .filter_map(|&c| (c as char).to_digit(16).map(|d| d as u8))
        .collect();
    digits
        .chunks(2)
        .map(|p| p[0] << 4 | p.get(1).copied().unwrap_or(0))
        .collect()
}

/// ASCII base-85 (`<~ ... ~>`), which some producers (ReportLab among them) wrap around Flate.
fn decode_ascii85(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() * 4 / 5);
    let mut group = [0u8; 5];
    let mut n = 0;
    let body = data.strip_prefix(b"<~").unwrap_or(data);
    for &c in body {
        match c {
            b'~' => break,
            b'z' if n == 0 => out.extend_from_slice(&[0; 4]),
            b'!'..=b'u' => {
                group[n] = c - b'!';
                n += 1;
                if n == 5 {
                    let v = group.iter().fold(0u64, |a, &d| a * 85 + u64::from(d));
                    out.extend_from_slice(&(v as u32).to_be_bytes());
                    n = 0;
                }
            }
            _ => {}
        }
    }
    if n > 1 {
        for g in group.iter_mut().skip(n) {
            *g = 84;
        }
        let v = group.iter().fold(0u64, |a, &d| a * 85 + u64::from(d));
        out.extend_from_slice(&(v as u32).to_be_bytes()[..n - 1]);
    }
    out
}

/// The document: objects by number, found by scanning for `N G obj`.
struct Doc<'a> {
    b: &'a [u8],
    objs: HashMap<u32, Obj>,
    limits: &'a Limits,
    used: u64,
}

impl<'a> Doc<'a> {
    fn load(b: &'a [u8], limits: &'a Limits) -> Result<Self, ExtractError> {
        let mut doc = Doc {
            b,
            objs: HashMap::new(),
            limits,
            used: 0,
        };
        let finder = memchr::memmem::Finder::new(b"obj");
        let max_objects = limits.max_pdf_objects;
        // Objects found by scanning may overlap in a hostile file; bound the total parsing work so it
        // stays linear in the input.
        let budget = (b.len() as u64).saturating_mul(16).saturating_add(1 << 20);
        let mut work = 0u64;
        for at in finder.find_iter(b) {
            // "N G obj": walk back over the generation and the number.
            if b.get(at + 3).is_some_and(|&c| !is_white(c) && !is_delim(c)) {
                continue;
            }
            let Some(num) = header_number(b, at) else {
                continue;
            };
            let mut lx = Lexer::new(b, at + 3, limits.max_depth, true);
            let Some(obj) = lx.next(0)? else {
                continue;
            };
            let obj = match obj {
                Obj::Dict(d) => {
                    lx.skip_ws();
                    if b[lx.pos..].starts_with(b"stream") {
                        let mut s = lx.pos + 6;
                        if b.get(s) == Some(&b'\r') {
                            s += 1;
                        }
                        if b.get(s) == Some(&b'\n') {
                            s += 1;
                        }
                        let by_len = match get(&d, b"Length") {
                            Some(Obj::Num(n)) if *n >= 0.0 => {
                                let e = s.saturating_add(*n as usize);
                                (e <= b.len() && b[e..].len() >= 9 && {
                                    let mut q = e;
                                    while q < b.len() && is_white(b[q]) {
                                        q += 1;
                                    }
                                    b[q..].starts_with(b"endstream")
                                })
                                .then_some(e)
                            }
                            _ => None,
                        };
                        let e = match by_len {
                            Some(e) => e,
                            None => match memchr::memmem::find(&b[s..], b"endstream") {
                                Some(p) => s + p,
                                None => {
                                    return Err(ExtractError::Malformed(
                                        "PDF 数据流没有结束标记，文件可能被截断 (a stream has no end; truncated file)".into(),
                                    ))
                                }
                            },
                        };
                        Obj::Stream(d, s, e)
                    } else {
                        Obj::Dict(d)
                    }
                }
                other => other,
            };
            work += (lx.pos.max(at) - at) as u64;
            if let Obj::Stream(_, s, e) = &obj {
                work += (e.saturating_sub(*s)) as u64;
            }
            if work > budget {
                return Err(ExtractError::Malformed(
                    "PDF 对象相互重叠，结构异常 (overlapping objects)".into(),
                ));
            }
            doc.objs.insert(num, obj);
            if doc.objs.len() > max_objects {
                return Err(ExtractError::TooManyEntries {
                    count: doc.objs.len(),
                    limit: max_objects,
                });
            }
        }
        doc.load_object_streams()?;
        Ok(doc)
    }

    fn load_object_streams(&mut self) -> Result<(), ExtractError> {
        let streams: Vec<(Dict, usize, usize)> = self
            .objs
            .values()
            .filter_map(|o| match o {
                Obj::Stream(d, s, e) if get(d, b"Type") == Some(&Obj::Name(b"ObjStm".to_vec())) => {
                    Some((d.clone(), *s, *e))
                }
                _ => None,
            })
            .collect();
        for (d, s, e) in streams {
            let Some(data) = self.stream_data(&d, s, e)? else {
                continue;
            };
            let n = num_of(get(&d, b"N")).unwrap_or(0.0) as usize;
            let first = num_of(get(&d, b"First")).unwrap_or(0.0) as usize;
            let mut lx = Lexer::new(&data, 0, self.limits.max_depth, false);
            let mut pairs = Vec::new();
            for _ in 0..n.min(self.limits.max_pdf_objects) {
                match (lx.next(0)?, lx.next(0)?) {
                    (Some(Obj::Num(num)), Some(Obj::Num(off))) => {
                        pairs.push((num as u32, off as usize))
                    }
                    _ => break,
                }
            }
            let budget = (data.len() as u64)
                .saturating_mul(16)
                .saturating_add(1 << 20);
            let mut work = 0u64;
            for (num, off) in pairs {
                if self.objs.contains_key(&num) {
                    continue;
                }
                let mut lx = Lexer::new(
                    &data,
                    first.saturating_add(off).min(data.len()),
                    self.limits.max_depth,
                    true,
                );
                let start = lx.pos;
                let parsed = lx.next(0)?;
                work += (lx.pos.max(start) - start) as u64;
                if work > budget {
                    return Err(ExtractError::Malformed(
                        "PDF 对象流中的对象相互重叠 (overlapping objects in an object stream)"
                            .into(),
                    ));
                }
                if let Some(o) = parsed {
                    self.objs.insert(num, o);
                }
            }
        }
        Ok(())
    }

    fn resolve<'o>(&'o self, o: &'o Obj) -> &'o Obj {
        let mut cur = o;
        for _ in 0..16 {
            match cur {
                Obj::Ref(n) => match self.objs.get(n) {
                    Some(x) => cur = x,
                    None => return &Obj::Null,
                },
                _ => return cur,
            }
        }
        &Obj::Null
    }

    fn dict<'o>(&'o self, o: Option<&'o Obj>) -> Option<&'o Dict> {
        match self.resolve(o?) {
            Obj::Dict(d) | Obj::Stream(d, _, _) => Some(d),
            _ => None,
        }
    }

    /// The decoded bytes of a stream; `None` for filters this reader does not decode (images).
    fn stream_data(
        &mut self,
        d: &Dict,
        s: usize,
        e: usize,
    ) -> Result<Option<Vec<u8>>, ExtractError> {
        let raw = &self.b[s..e.max(s)];
        let filters: Vec<Vec<u8>> = match get(d, b"Filter").map(|f| self.resolve(f)) {
            None | Some(Obj::Null) => Vec::new(),
            Some(Obj::Name(n)) => vec![n.clone()],
            Some(Obj::Array(a)) => a
                .iter()
                .filter_map(|x| match x {
                    Obj::Name(n) => Some(n.clone()),
                    _ => None,
                })
                .collect(),
            _ => return Ok(None),
        };
        let mut data = raw.to_vec();
        for f in filters {
            data = match f.as_slice() {
                b"FlateDecode" | b"Fl" => self.inflate(&data)?,
                b"ASCIIHexDecode" | b"AHx" => decode_hex(&data),
                b"ASCII85Decode" | b"A85" => decode_ascii85(&data),
                _ => return Ok(None),
            };
        }
        Ok(Some(data))
    }

    fn inflate(&mut self, data: &[u8]) -> Result<Vec<u8>, ExtractError> {
        let budget = self.limits.max_expanded.saturating_sub(self.used);
        let ratio_cap = (data.len() as u64)
            .saturating_mul(self.limits.max_ratio)
            .max(1 << 20);
        let cap = budget.min(ratio_cap);
        let mut out = Vec::new();
        let mut dec = ZlibDecoder::new(data).take(cap + 1);
        // A damaged stream still yields what inflated before the damage, as viewers show it.
        let _ = dec.read_to_end(&mut out);
        if out.len() as u64 > cap {
            return Err(ExtractError::ExpansionTooLarge {
                entry: "PDF stream".into(),
                detail: format!("解压超过 {} 字节 (inflates past the limit)", num(cap)),
            });
        }
        self.used += out.len() as u64;
        Ok(out)
    }
}

fn num_of(o: Option<&Obj>) -> Option<f64> {
    match o? {
        Obj::Num(n) => Some(*n),
        _ => None,
    }
}

/// The object number before `N G obj` ending at `at` (the `o` of `obj`).
fn header_number(b: &[u8], at: usize) -> Option<u32> {
    let mut p = at;
    let back_ws = |p: &mut usize| {
        let s = *p;
        while *p > 0 && is_white(b[*p - 1]) {
            *p -= 1;
        }
        *p < s
    };
    let back_digits = |p: &mut usize| -> Option<(usize, usize)> {
        let e = *p;
        while *p > 0 && b[*p - 1].is_ascii_digit() && e - *p < 10 {
            *p -= 1;
        }
        (*p < e).then_some((*p, e))
    };
    if !back_ws(&mut p) {
        return None;
    }
    back_digits(&mut p)?;
    if !back_ws(&mut p) {
        return None;
    }
    let (s, e) = back_digits(&mut p)?;
    if p > 0 && !is_white(b[p - 1]) && !is_delim(b[p - 1]) {
        return None;
    }
    std::str::from_utf8(&b[s..e]).ok()?.parse().ok()
}

/// How a font's codes become text.
struct Font {
    bytes_per_code: usize,
    map: HashMap<u32, String>,
    ranges: Vec<(u32, u32, Vec<u16>)>,
    fallback: Fallback,
}

#[derive(Clone, Copy, PartialEq)]
enum Fallback {
    Latin,
    Utf16,
    Gb,
    Nothing,
}

impl Font {
    /// The bfrange holding `c` (ranges are sorted by their first code after parsing).
    fn range_of(&self, c: u32) -> Option<&(u32, u32, Vec<u16>)> {
        let i = self.ranges.partition_point(|r| r.0 <= c);
        i.checked_sub(1)
            .map(|i| &self.ranges[i])
            .filter(|r| c <= r.1)
    }

    fn decode(&self, s: &[u8], out: &mut String) -> bool {
        match self.fallback {
            Fallback::Utf16 if self.map.is_empty() && self.ranges.is_empty() => {
                let units: Vec<u16> = s
                    .chunks(2)
                    .map(|c| u16::from(c[0]) << 8 | u16::from(*c.get(1).unwrap_or(&0)))
                    .collect();
                out.extend(char::decode_utf16(units).map(|c| c.unwrap_or('\u{FFFD}')));
                return true;
            }
            Fallback::Gb if self.map.is_empty() && self.ranges.is_empty() => {
                let (t, _, _) = encoding_rs::GB18030.decode(s);
                out.push_str(&t);
                return true;
            }
            _ => {}
        }
        let mut any = false;
        for code in s.chunks(self.bytes_per_code) {
            let c = code.iter().fold(0u32, |a, &x| a << 8 | u32::from(x));
            if let Some(t) = self.map.get(&c) {
                out.push_str(t);
                any = true;
            } else if let Some((lo, _, base)) = self.range_of(c) {
                let mut units = base.clone();
                if let Some(last) = units.last_mut() {
                    *last = last.wrapping_add((c - lo) as u16);
                }
                out.extend(char::decode_utf16(units).map(|c| c.unwrap_or('\u{FFFD}')));
                any = true;
            } else if self.fallback == Fallback::Latin && self.bytes_per_code == 1 {
                out.push(char::from(code[0]));
                any = true;
            }
        }
        any
    }
}

fn utf16_of(b: &[u8]) -> Vec<u16> {
    b.chunks(2)
        .map(|c| u16::from(c[0]) << 8 | u16::from(*c.get(1).unwrap_or(&0)))
        .collect()
}

fn parse_cmap(data: &[u8], font: &mut Font, max_depth: usize) -> Result<(), ExtractError> {
    let mut lx = Lexer::new(data, 0, max_depth, false);
    let mut operands: Vec<Obj> = Vec::new();
    let mut mode = 0u8;
    let code = |b: &[u8]| b.iter().fold(0u32, |a, &x| a << 8 | u32::from(x));
    while let Some(o) = lx.next(0)? {
        match o {
            Obj::Op(op) => {
                match op.as_slice() {
                    b"begincodespacerange" => mode = 1,
                    b"beginbfchar" => mode = 2,
                    b"beginbfrange" => mode = 3,
                    b"endcodespacerange" | b"endbfchar" | b"endbfrange" => mode = 0,
                    _ => {}
                }
                operands.clear();
            }
            o => {
                operands.push(o);
                match (mode, operands.as_slice()) {
                    (1, [Obj::Str(lo), Obj::Str(_)]) => {
                        font.bytes_per_code = lo.len().clamp(1, 4);
                        operands.clear();
                    }
                    (2, [Obj::Str(src), Obj::Str(dst)]) => {
                        let s = String::from_utf16_lossy(&utf16_of(dst));
                        font.map.insert(code(src), s);
                        operands.clear();
                    }
                    (3, [Obj::Str(lo), Obj::Str(hi), Obj::Str(dst)]) => {
                        font.ranges.push((code(lo), code(hi), utf16_of(dst)));
                        operands.clear();
                    }
                    (3, [Obj::Str(lo), Obj::Str(hi), Obj::Array(a)]) => {
                        let (lo, hi) = (code(lo), code(hi));
                        for (i, d) in a.iter().enumerate().take(65_536) {
                            if let Obj::Str(d) = d {
                                if lo + (i as u32) <= hi {
                                    font.map.insert(
                                        lo + i as u32,
                                        String::from_utf16_lossy(&utf16_of(d)),
                                    );
                                }
                            }
                        }
                        operands.clear();
                    }
                    (_, ops) if ops.len() > 3 => operands.clear(),
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

impl Doc<'_> {
    fn font(&mut self, font: &Obj) -> Result<Font, ExtractError> {
        let d = self.dict(Some(font)).cloned().unwrap_or_default();
        let subtype = match get(&d, b"Subtype") {
            Some(Obj::Name(n)) => n.clone(),
            _ => Vec::new(),
        };
        let encoding = match get(&d, b"Encoding").map(|e| self.resolve(e)) {
            Some(Obj::Name(n)) => n.clone(),
            _ => Vec::new(),
        };
        let composite = subtype == b"Type0";
        let fallback = if !composite {
            Fallback::Latin
        } else if encoding.starts_with(b"UniGB-UCS2") || encoding.starts_with(b"UniGB-UTF16") {
            Fallback::Utf16
        } else if encoding.starts_with(b"GB") {
            Fallback::Gb
        } else {
            Fallback::Nothing
        };
        let mut f = Font {
            bytes_per_code: if composite { 2 } else { 1 },
            map: HashMap::new(),
            ranges: Vec::new(),
            fallback,
        };
        if let Some(Obj::Stream(sd, s, e)) = get(&d, b"ToUnicode").map(|t| self.resolve(t).clone())
        {
            if let Some(data) = self.stream_data(&sd, s, e)? {
                parse_cmap(&data, &mut f, self.limits.max_depth)?;
                f.ranges.sort_by_key(|r| r.0);
            }
        }
        Ok(f)
    }

    /// Page dictionaries in reading order, each with its (possibly inherited) resources.
    fn pages(&self) -> Vec<(Dict, Option<Obj>)> {
        let mut out = Vec::new();
        let root = self.objs.values().find_map(|o| match o {
            Obj::Dict(d) if get(d, b"Type") == Some(&Obj::Name(b"Catalog".to_vec())) => Some(d),
            _ => None,
        });
        if let Some(pages) = root.and_then(|r| get(r, b"Pages")) {
            let mut seen = HashSet::new();
            self.walk_pages(pages, None, 0, &mut seen, &mut out);
        }
        if out.is_empty() {
            let mut loose: Vec<(&u32, &Dict)> = self
                .objs
                .iter()
                .filter_map(|(n, o)| match o {
                    Obj::Dict(d) if get(d, b"Type") == Some(&Obj::Name(b"Page".to_vec())) => {
                        Some((n, d))
                    }
                    _ => None,
                })
                .collect();
            loose.sort_by_key(|(n, _)| **n);
            out = loose
                .into_iter()
                .map(|(_, d)| (d.clone(), get(d, b"Resources").cloned()))
                .collect();
        }
        out
    }

    fn walk_pages(
        &self,
        node: &Obj,
        inherited: Option<&Obj>,
        depth: usize,
        seen: &mut HashSet<u32>,
        out: &mut Vec<(Dict, Option<Obj>)>,
    ) {
        if depth > self.limits.max_depth.min(64) {
            return;
        }
        if let Obj::Ref(n) = node {
            if !seen.insert(*n) {
                return;
            }
        }
        let Some(d) = self.dict(Some(node)) else {
            return;
        };
        let res = get(d, b"Resources").or(inherited);
        match get(d, b"Kids").map(|k| self.resolve(k)) {
            Some(Obj::Array(kids)) => {
                for k in kids {
                    self.walk_pages(k, res, depth + 1, seen, out);
                }
            }
            _ => out.push((d.clone(), res.cloned())),
        }
    }
}

/// Extracts the text of every page.
pub(crate) fn extract(bytes: &[u8], limits: &Limits) -> Result<Extracted, ExtractError> {
    let head = &bytes[..bytes.len().min(1024)];
    if memchr::memmem::find(head, b"%PDF-").is_none() {
        return Err(ExtractError::Malformed(
            "不是 PDF 文件 (no %PDF header)".into(),
        ));
    }
    let tail = &bytes[bytes.len().saturating_sub(16 * 1024)..];
    if memchr::memmem::rfind(tail, b"%%EOF").is_none() {
        return Err(ExtractError::Malformed(
            "PDF 不完整：缺少文件结尾标记 %%EOF，文件可能被截断 (truncated PDF: no %%EOF)".into(),
        ));
    }
    let doc = Doc::load(bytes, limits)?;
    let encrypted = doc.objs.values().any(|o| match o {
        Obj::Dict(d) | Obj::Stream(d, _, _) => {
            get(d, b"Encrypt").is_some() && (get(d, b"Root").is_some() || get(d, b"Size").is_some())
        }
        _ => false,
    }) || trailer_has_encrypt(bytes);
    if encrypted {
        return Err(ExtractError::Encrypted);
    }
    let mut doc = doc;
    let pages = doc.pages();
    if pages.is_empty() {
        return Err(ExtractError::Malformed(
            "PDF 中没有页面 (no pages found)".into(),
        ));
    }
    let mut ex = Extracted::default();
    let mut missing_maps = false;
    for (i, (page, res)) in pages.iter().enumerate() {
        ex.push_zone();
        ex.push_segment(format!("第{}页", i + 1), None);
        let contents: Vec<Obj> = match get(page, b"Contents").map(|c| doc.resolve(c).clone()) {
            Some(Obj::Array(a)) => a,
            Some(o @ Obj::Stream(..)) => vec![o],
            _ => Vec::new(),
        };
        let mut data = Vec::new();
        for c in contents {
            if let Obj::Stream(d, s, e) = doc.resolve(&c).clone() {
                if let Some(part) = doc.stream_data(&d, s, e)? {
                    data.extend_from_slice(&part);
                    data.push(b'\n');
                }
            }
        }
        let res = res.clone();
        let mut fonts: HashMap<Vec<u8>, Font> = HashMap::new();
        let mut seen_forms = HashSet::new();
        run_content(
            &mut doc,
            &data,
            res.as_ref(),
            &mut fonts,
            &mut ex.text,
            0,
            &mut seen_forms,
            &mut missing_maps,
        )?;
        if !ex.text.ends_with('\n') {
            ex.text.push('\n');
        }
        if ex.text.len() as u64 > limits.max_expanded {
            return Err(ExtractError::ExpansionTooLarge {
                entry: "PDF".into(),
                detail: "提取的文本过大 (extracted text over the limit)".into(),
            });
        }
    }
    if ex.text.trim().is_empty() {
        return Err(ExtractError::NoTextLayer);
    }
    if missing_maps {
        ex.notes.push("部分字体缺少 Unicode 映射，其文字无法提取，请人工检查 (some fonts have no Unicode map; their text could not be read)".into());
    }
    Ok(ex)
}

fn trailer_has_encrypt(b: &[u8]) -> bool {
    let tail = &b[b.len().saturating_sub(64 * 1024)..];
    memchr::memmem::rfind(tail, b"trailer")
        .is_some_and(|p| memchr::memmem::find(&tail[p..], b"/Encrypt").is_some())
}

#[allow(clippy::too_many_arguments)]
fn run_content(
    doc: &mut Doc<'_>,
    data: &[u8],
    resources: Option<&Obj>,
    fonts: &mut HashMap<Vec<u8>, Font>,
    out: &mut String,
    depth: usize,
    seen_forms: &mut HashSet<u32>,
    missing_maps: &mut bool,
) -> Result<(), ExtractError> {
    if depth > 8 {
        return Ok(());
    }
    let res = doc.dict(resources).cloned().unwrap_or_default();
    let font_dict = doc.dict(get(&res, b"Font")).cloned().unwrap_or_default();
    let xobjects = doc.dict(get(&res, b"XObject")).cloned().unwrap_or_default();
    let mut lx = Lexer::new(data, 0, doc.limits.max_depth, false);
    let mut ops: Vec<Obj> = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    let mut last_y: Option<f64> = None;
    let newline = |out: &mut String| {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
    };
    let space = |out: &mut String| {
        if !out.is_empty() && !out.ends_with([' ', '\n']) {
            out.push(' ');
        }
    };
    while let Some(o) = lx.next(0)? {
        let Obj::Op(op) = o else {
            ops.push(o);
            if ops.len() > 64 {
                ops.remove(0);
            }
            continue;
        };
        match op.as_slice() {
            b"Tf" => {
                if let Some(Obj::Name(n)) = ops.iter().rev().nth(1) {
                    if !fonts.contains_key(n) {
                        let f = match get(&font_dict, n) {
                            Some(fo) => doc.font(&fo.clone())?,
                            None => Font {
                                bytes_per_code: 1,
                                map: HashMap::new(),
                                ranges: Vec::new(),
                                fallback: Fallback::Latin,
                            },
                        };
                        fonts.insert(n.clone(), f);
                    }
                    current = Some(n.clone());
                }
            }
            b"Tj" | b"'" | b"\"" | b"TJ" => {
                if op != b"Tj" && op != b"TJ" {
                    newline(out);
                }
                let font = current.as_ref().and_then(|c| fonts.get(c));
                let mut show = |s: &[u8], out: &mut String| match font {
                    Some(f) => {
                        if !f.decode(s, out) && !s.is_empty() {
                            *missing_maps = true;
                        }
                    }
                    None => out.extend(s.iter().map(|&b| char::from(b))),
                };
                match ops.last() {
                    Some(Obj::Str(s)) => show(s, out),
                    Some(Obj::Array(a)) => {
                        for item in a {
                            match item {
                                Obj::Str(s) => show(s, out),
                                Obj::Num(n) if *n < -250.0 => space(out),
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
            b"Td" | b"TD" => {
                let ty = num_of(ops.last()).unwrap_or(0.0);
                if ty.abs() > 0.01 {
                    newline(out);
                } else {
                    space(out);
                }
            }
            b"Tm" => {
                let y = num_of(ops.last());
                if y.is_some() && last_y.is_some() && y != last_y {
                    newline(out);
                } else {
                    space(out);
                }
                last_y = y;
            }
            b"T*" => newline(out),
            b"ET" => space(out),
            b"ID" => {
                // Inline image data: skip to "EI" standing alone.
                let b = lx.b;
                let mut p = lx.pos;
                while p + 2 <= b.len() {
                    if &b[p..p + 2] == b"EI"
                        && p > 0
                        && is_white(b[p - 1])
                        && b.get(p + 2).is_none_or(|&c| is_white(c))
                    {
                        break;
                    }
                    p += 1;
                }
                lx.pos = (p + 2).min(b.len());
            }
            b"Do" => {
                if let Some(Obj::Name(n)) = ops.last() {
                    if let Some(Obj::Ref(r)) = get(&xobjects, n) {
                        if seen_forms.insert(*r) {
                            if let Some(Obj::Stream(d, s, e)) = doc.objs.get(r).cloned() {
                                if get(&d, b"Subtype") == Some(&Obj::Name(b"Form".to_vec())) {
                                    if let Some(inner) = doc.stream_data(&d, s, e)? {
                                        let inner_res = get(&d, b"Resources")
                                            .cloned()
                                            .or_else(|| resources.cloned());
                                        let mut inner_fonts = HashMap::new();
                                        run_content(
                                            doc,
                                            &inner,
                                            inner_res.as_ref(),
                                            &mut inner_fonts,
                                            out,
                                            depth + 1,
                                            seen_forms,
                                            missing_maps,
                                        )?;
                                    }
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        ops.clear();
    }
    Ok(())
}
