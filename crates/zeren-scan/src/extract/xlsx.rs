//! .xlsx: every sheet in workbook order, shared and inline strings, numbers and formula results, located
//! as `Sheet!B7`, with the first row holding at least two non-empty cells as the column headers (a title
//! row above the table is skipped). Excel keeps only 15 significant digits of a number, so an 18-digit ID
//! typed as a number is already damaged: such cells are written out as digits and reported in the notes.
//!
//! Cells are streamed in file order and never placed in a grid, so a sheet declaring `A1:XFD1048576`
//! costs what its cells cost. The shared-string table is held in one buffer under caps on its count and
//! on each string's length. [`crate::sheet`] reads a first sheet into a grid with the same walker.

use crate::mask::num;
use std::collections::HashMap;
use std::sync::Arc;

use super::archive::{append_embedded, Archive};
use super::xml::{attr, local, walk, Ev};
use super::{ExtractError, Extracted, Limits};
use crate::mask::masked_owned;

/// Excel's own limits: rows 1..=1,048,576, columns A..=XFD.
pub(crate) const EXCEL_ROWS: usize = 1 << 20;
pub(crate) const EXCEL_COLUMNS: usize = 1 << 14;

/// The shared-string table in one buffer.
#[derive(Default)]
pub(crate) struct SharedStrings {
    buf: String,
    ends: Vec<usize>,
}

impl SharedStrings {
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(&self.buf[start..end])
    }
}

/// The sheets of a workbook in order: (name, part path).
pub(crate) fn sheets(
    zip: &mut Archive<'_>,
    limits: &Limits,
) -> Result<Vec<(String, String)>, ExtractError> {
    let workbook = zip.read("xl/workbook.xml")?.ok_or_else(|| {
        ExtractError::Malformed("缺少 xl/workbook.xml (not an Excel workbook)".into())
    })?;
    let mut sheets: Vec<(String, String)> = Vec::new();
    walk(&workbook, "xl/workbook.xml", limits.max_depth, |ev| {
        if let Ev::Start(e, _) = ev {
            if local(e) == b"sheet" {
                let name = attr(e, b"name").unwrap_or_default();
                let rid = attr(e, b"r:id").unwrap_or_default();
                sheets.push((name, rid));
                if sheets.len() > limits.max_entries {
                    return Err(ExtractError::TooManyEntries {
                        count: sheets.len(),
                        limit: limits.max_entries,
                    });
                }
            }
        }
        Ok(())
    })?;
    let mut targets: HashMap<String, String> = HashMap::new();
    if let Some(rels) = zip.read("xl/_rels/workbook.xml.rels")? {
        walk(
            &rels,
            "xl/_rels/workbook.xml.rels",
            limits.max_depth,
            |ev| {
                if let Ev::Start(e, _) = ev {
                    if local(e) == b"Relationship" {
                        if let (Some(id), Some(t)) = (attr(e, b"Id"), attr(e, b"Target")) {
                            let path = match t.strip_prefix('/') {
                                Some(abs) => abs.to_string(),
                                None => format!("xl/{t}"),
                            };
                            targets.insert(id, path);
                        }
                    }
                }
                Ok(())
            },
        )?;
    }
    Ok(sheets
        .into_iter()
        .enumerate()
        .map(|(i, (name, rid))| {
            let path = targets
                .get(&rid)
                .cloned()
                .unwrap_or_else(|| format!("xl/worksheets/sheet{}.xml", i + 1));
            (name, path)
        })
        .collect())
}

/// The shared strings, refused past `max_strings` entries or a string past `max_string` bytes.
pub(crate) fn shared_strings(
    zip: &mut Archive<'_>,
    max_depth: usize,
    max_strings: usize,
    max_string: usize,
) -> Result<SharedStrings, ExtractError> {
    let Some(xml) = zip.read("xl/sharedStrings.xml")? else {
        return Ok(SharedStrings::default());
    };
    let mut out = SharedStrings::default();
    let mut start = 0;
    let mut in_t = false;
    let mut in_phonetic = false;
    let mut in_si = false;
    let close = |out: &mut SharedStrings, start: usize| -> Result<(), ExtractError> {
        if out.buf.len() - start > max_string {
            return Err(ExtractError::OverLimit(format!(
                "共享字符串第 {i} 项超过 {l} 字节 (shared string {i} over {l} bytes)",
                i = num(out.ends.len() + 1),
                l = num(max_string)
            )));
        }
        out.ends.push(out.buf.len());
        if out.ends.len() > max_strings {
            return Err(ExtractError::OverLimit(format!(
                "共享字符串超过 {n} 项 (more than {n} shared strings)",
                n = num(max_strings)
            )));
        }
        Ok(())
    };
    walk(&xml, "xl/sharedStrings.xml", max_depth, |ev| {
        match ev {
            Ev::Start(e, empty) => match local(e) {
                b"si" if empty => {
                    let at = out.buf.len();
                    close(&mut out, at)?
                }
                b"si" => {
                    in_si = true;
                    start = out.buf.len();
                }
                b"t" if !empty => in_t = true,
                b"rPh" if !empty => in_phonetic = true,
                _ => {}
            },
            Ev::End(n) => match n {
                b"si" if in_si => {
                    in_si = false;
                    close(&mut out, start)?;
                }
                b"t" => in_t = false,
                b"rPh" => in_phonetic = false,
                _ => {}
            },
            Ev::Text(s) if in_si && in_t && !in_phonetic => {
                out.buf.push_str(s);
                if out.buf.len() - start > max_string {
                    return Err(ExtractError::OverLimit(format!(
                        "共享字符串第 {i} 项超过 {l} 字节 (shared string {i} over {l} bytes)",
                        i = num(out.ends.len() + 1),
                        l = num(max_string)
                    )));
                }
            }
            Ev::Text(_) => {}
        }
        Ok(())
    })?;
    Ok(out)
}

/// A cell's value as stored.
pub(crate) enum Value<'a> {
    /// No value (a styled empty cell).
    None,
    /// A string: shared, inline, or a formula's text result.
    Text(&'a str),
    /// A number as written in the file.
    Number(&'a str),
    Bool(bool),
    /// An error such as `#N/A`.
    Error(&'a str),
}

/// What the cell walker reports.
pub(crate) enum SheetEvent<'a> {
    /// A row begins.
    Row,
    /// A cell: 0-based row and column, and its value.
    Cell(usize, usize, Value<'a>),
    RowEnd,
}

/// Column number (0-based) and row number (0-based, when present) of a reference such as `B7`; `None`
/// when it is not a reference inside Excel's limits.
pub(crate) fn parse_ref(r: &str) -> Option<(usize, Option<usize>)> {
    let b = r.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let col = b[..letters].iter().fold(0usize, |acc, &c| {
        acc * 26 + usize::from(c.to_ascii_uppercase() - b'A' + 1)
    }) - 1;
    let digits = &r[letters..];
    if col >= EXCEL_COLUMNS {
        return None;
    }
    if digits.is_empty() {
        return Some((col, None));
    }
    if digits.len() > 7 || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let row: usize = digits.parse().ok()?;
    (1..=EXCEL_ROWS)
        .contains(&row)
        .then(|| (col, Some(row - 1)))
}

fn bad_ref(path: &str, what: &str) -> ExtractError {
    ExtractError::Malformed(format!(
        "{}：单元格或行号 {what} 超出 Excel 的范围 (a cell or row reference outside Excel's limits)",
        masked_owned(path.to_string())
    ))
}

/// Streams the rows and cells of a worksheet part, resolving shared strings; a cell longer than
/// `max_string` bytes or a reference outside Excel's limits is an error.
pub(crate) fn walk_cells(
    xml: &[u8],
    path: &str,
    shared: &SharedStrings,
    max_depth: usize,
    max_string: usize,
    mut f: impl FnMut(SheetEvent<'_>) -> Result<(), ExtractError>,
) -> Result<(), ExtractError> {
    let mut next_row = 0usize;
    let mut row = 0usize;
    let mut next_col = 0usize;
    // The cell being read: row, column, type.
    let mut cell: Option<(usize, usize, String)> = None;
    let mut value = String::new();
    let mut in_value = false;
    let mut in_phonetic = false;
    walk(xml, path, max_depth, |ev| {
        match ev {
            Ev::Start(e, empty) => match local(e) {
                b"row" => {
                    row = match attr(e, b"r") {
                        Some(r) => match r.trim().parse::<usize>() {
                            Ok(n) if (1..=EXCEL_ROWS).contains(&n) => n - 1,
                            _ => return Err(bad_ref(path, &masked_owned(r))),
                        },
                        None => next_row,
                    };
                    next_row = row + 1;
                    next_col = 0;
                    f(SheetEvent::Row)?;
                    if empty {
                        f(SheetEvent::RowEnd)?;
                    }
                }
                b"c" => {
                    let (col, cell_row) = match attr(e, b"r") {
                        Some(r) => match parse_ref(r.trim()) {
                            Some((c, rr)) => (c, rr.unwrap_or(row)),
                            None => return Err(bad_ref(path, &masked_owned(r))),
                        },
                        None if next_col < EXCEL_COLUMNS => (next_col, row),
                        None => return Err(bad_ref(path, "XFD+")),
                    };
                    next_col = col + 1;
                    value.clear();
                    let t = attr(e, b"t").unwrap_or_default();
                    if empty {
                        f(SheetEvent::Cell(cell_row, col, Value::None))?;
                    } else {
                        cell = Some((cell_row, col, t));
                    }
                }
                b"v" | b"t" if !empty => in_value = true,
                b"rPh" if !empty => in_phonetic = true,
                _ => {}
            },
            Ev::End(n) => match n {
                b"v" | b"t" => in_value = false,
                b"rPh" => in_phonetic = false,
                b"c" => {
                    if let Some((cell_row, col, t)) = cell.take() {
                        let v = match t.as_str() {
                            _ if value.is_empty() && t != "inlineStr" && t != "str" => Value::None,
                            "s" => match value
                                .trim()
                                .parse::<usize>()
                                .ok()
                                .and_then(|i| shared.get(i))
                            {
                                Some(s) => Value::Text(s),
                                None => Value::None,
                            },
                            "b" => Value::Bool(value.trim() == "1"),
                            "str" | "inlineStr" | "d" => Value::Text(&value),
                            "e" => Value::Error(&value),
                            _ => Value::Number(&value),
                        };
                        f(SheetEvent::Cell(cell_row, col, v))?;
                    }
                }
                b"row" => f(SheetEvent::RowEnd)?,
                _ => {}
            },
            Ev::Text(s) if in_value && !in_phonetic && cell.is_some() => {
                value.push_str(s);
                if value.len() > max_string {
                    return Err(ExtractError::OverLimit(format!(
                        "{}：第 {r} 行有单元格超过 {l} 字节 (row {r}: a cell over {l} bytes)",
                        masked_owned(path.to_string()),
                        r = num(row + 1),
                        l = num(max_string)
                    )));
                }
            }
            Ev::Text(_) => {}
        }
        Ok(())
    })
}

pub(crate) fn extract(
    bytes: &[u8],
    limits: &Limits,
    nesting: usize,
) -> Result<Extracted, ExtractError> {
    let mut zip = Archive::open(bytes, limits)?;
    let sheets = sheets(&mut zip, limits)?;
    let shared = shared_strings(
        &mut zip,
        limits.max_depth,
        limits.max_shared_strings,
        limits.max_string,
    )?;
    let mut ex = Extracted::default();
    for (name, path) in &sheets {
        let Some(xml) = zip.read(path)? else {
            continue;
        };
        sheet(&xml, name, path, &shared, limits, &mut ex)?;
    }
    append_embedded(&mut zip, "xl/embeddings/", limits, nesting, &mut ex)?;
    Ok(ex)
}

pub(crate) fn column_letters(mut n: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

/// Writes a numeric cell value as a person would read it; `true` when Excel cannot hold it exactly.
fn number_text(v: &str) -> (String, bool) {
    let v = v.trim();
    let is_sci = v.contains(['E', 'e']);
    if is_sci {
        if let Ok(f) = v.parse::<f64>() {
            if f.fract() == 0.0 && f.abs() >= 1e10 && f.abs() < 1e25 {
                return (format!("{f:.0}"), f.abs() >= 1e15);
            }
        }
        return (v.to_string(), false);
    }
    let digits = v.trim_start_matches('-');
    let int_part = digits.split('.').next().unwrap_or("");
    let text = match v.strip_suffix(".0") {
        Some(t) => t.to_string(),
        None => v.to_string(),
    };
    (text, int_part.len() > 15)
}

fn sheet(
    xml: &[u8],
    sheet_name: &str,
    path: &str,
    shared: &SharedStrings,
    limits: &Limits,
    ex: &mut Extracted,
) -> Result<(), ExtractError> {
    let shown_name = masked_owned(sheet_name.to_string());
    ex.push_zone();
    // Column → header, once a row with two or more non-empty cells has been seen.
    let mut headers: Option<HashMap<usize, Arc<str>>> = None;
    let mut row_cells: Vec<(usize, String)> = Vec::new();
    let max = limits.max_expanded as usize;
    walk_cells(
        xml,
        path,
        shared,
        limits.max_depth,
        limits.max_string,
        |ev| {
            match ev {
                SheetEvent::Row => row_cells.clear(),
                SheetEvent::Cell(row, col, v) => {
                    let text: std::borrow::Cow<str> = match v {
                        Value::None => "".into(),
                        Value::Text(s) | Value::Error(s) => s.into(),
                        Value::Bool(b) => if b { "TRUE" } else { "FALSE" }.into(),
                        Value::Number(n) => {
                            let (text, lossy) = number_text(n);
                            if lossy {
                                ex.notes.push(format!(
                                "{shown_name}!{}{}：数值超过 Excel 的 15 位有效数字，末尾数字已丢失；若是身份证号或银行卡号，原值已无法核验，请人工检查 (a number past 15 significant digits; trailing digits lost)",
                                column_letters(col),
                                row + 1
                            ));
                            }
                            text.into()
                        }
                    };
                    if headers.is_none() && !text.trim().is_empty() {
                        row_cells.push((col, text.trim().to_string()));
                    }
                    if !text.is_empty() {
                        let header = headers.as_ref().and_then(|h| h.get(&col).cloned());
                        ex.push_segment(
                            format!("{shown_name}!{}{}", column_letters(col), row + 1),
                            header,
                        );
                        ex.text.push_str(&text);
                        ex.check_cells(limits)?;
                    }
                    ex.text.push('\t');
                }
                SheetEvent::RowEnd => {
                    if headers.is_none() && row_cells.len() >= 2 {
                        headers = Some(
                            row_cells
                                .drain(..)
                                .map(|(c, h)| (c, Arc::from(h)))
                                .collect(),
                        );
                    }
                    ex.text.push('\n');
                }
            }
            if ex.text.len() > max {
                return Err(ExtractError::ExpansionTooLarge {
                    entry: path.to_string(),
                    detail: format!(
                        "提取的文本超过 {} 字节 (extracted text over the limit)",
                        num(max)
                    ),
                });
            }
            Ok(())
        },
    )?;
    ex.text.push('\n');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(parse_ref("B7"), Some((1, Some(6))));
        assert_eq!(parse_ref("AA10"), Some((26, Some(9))));
        assert_eq!(parse_ref("XFD1048576"), Some((16383, Some(1048575))));
        assert_eq!(parse_ref("XFE1"), None);
        assert_eq!(parse_ref("A1048577"), None);
        assert_eq!(parse_ref("AAAAAAAAAAAAAAAAAAAAAAAAAAA1"), None);
        assert_eq!(parse_ref("A0"), None);
        assert_eq!(parse_ref("C"), Some((2, None)));
        for n in [0, 1, 25, 26, 27, 701, 702, 16383] {
            assert_eq!(parse_ref(&format!("{}1", column_letters(n))).unwrap().0, n);
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(number_text("13812345678"), ("13812345678".into(), false));
        assert_eq!(
            number_text("1.3812345678E10"),
            ("13812345678".into(), false)
        );
        assert_eq!(
            number_text("1.10105194912310E+17"),
            ("110105194912310000".into(), true)
        );
        assert_eq!(
            number_text("110105194912310000"),
            ("110105194912310000".into(), true)
        );
        assert_eq!(number_text("3.5"), ("3.5".into(), false));
    }
}
