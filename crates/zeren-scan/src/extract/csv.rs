//! .csv and .tsv: rosters exported from school and payroll systems. Cells are located as in a
//! spreadsheet (`B7`) and the first row with two or more non-empty cells gives each column's header,
//! so a number under 学号 is not taken for a phone number. Quoted fields may hold delimiters, doubled
//! quotes and line breaks. Records are read one at a time, under caps on field length and columns.

use crate::mask::num;
use std::collections::HashMap;
use std::sync::Arc;

use super::text::decode_bytes;
use super::xlsx::column_letters;
use super::{ExtractError, Extracted, Limits};
use crate::sniff::TextEncoding;

/// Why a record could not be read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RecordError {
    /// A field longer than the cap (bytes), in this 1-based row.
    FieldTooLong { row: usize, limit: usize },
    /// More fields than the cap, in this 1-based row.
    TooManyColumns { row: usize, limit: usize },
}

/// Reads records of fields from text, one at a time, reusing the caller's buffers.
pub(crate) struct Records<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    delim: char,
    max_field: usize,
    max_columns: usize,
    /// 1-based number of the record last read.
    pub row: usize,
}

impl<'a> Records<'a> {
    pub(crate) fn new(text: &'a str, delim: char, max_field: usize, max_columns: usize) -> Self {
        Records {
            chars: text.chars().peekable(),
            delim,
            max_field,
            max_columns,
            row: 0,
        }
    }

    /// Fills `row` with the next record's fields; `Ok(false)` at the end.
    pub(crate) fn next_into(&mut self, row: &mut Vec<String>) -> Result<bool, RecordError> {
        row.clear();
        if self.chars.peek().is_none() {
            return Ok(false);
        }
        self.row += 1;
        let mut field = String::new();
        let mut quoted = false;
        let mut at_field_start = true;
        let too_long = |f: &String, r: &Records| {
            if f.len() > r.max_field {
                Err(RecordError::FieldTooLong {
                    row: r.row,
                    limit: r.max_field,
                })
            } else {
                Ok(())
            }
        };
        let push = |row: &mut Vec<String>, f: String, r: &Records| {
            if row.len() >= r.max_columns {
                return Err(RecordError::TooManyColumns {
                    row: r.row,
                    limit: r.max_columns,
                });
            }
            row.push(f);
            Ok(())
        };
        while let Some(c) = self.chars.next() {
            if quoted {
                if c == '"' {
                    if self.chars.peek() == Some(&'"') {
                        field.push('"');
                        self.chars.next();
                    } else {
                        quoted = false;
                    }
                } else {
                    field.push(c);
                    too_long(&field, self)?;
                }
                continue;
            }
            match c {
                '"' if at_field_start => {
                    quoted = true;
                    at_field_start = false;
                }
                c if c == self.delim => {
                    push(row, std::mem::take(&mut field), self)?;
                    at_field_start = true;
                }
                '\r' if self.chars.peek() == Some(&'\n') => {}
                '\n' | '\r' => {
                    push(row, field, self)?;
                    return Ok(true);
                }
                c => {
                    field.push(c);
                    too_long(&field, self)?;
                    at_field_start = false;
                }
            }
        }
        push(row, field, self)?;
        Ok(true)
    }
}

/// Comma, or tab when the first line has more tabs than commas.
pub(crate) fn delimiter(text: &str, tsv: bool) -> char {
    let first_line = text.lines().next().unwrap_or("");
    if tsv || first_line.matches('\t').count() > first_line.matches(',').count() {
        '\t'
    } else {
        ','
    }
}

pub(crate) fn extract(
    bytes: &[u8],
    enc: TextEncoding,
    tsv: bool,
    limits: &Limits,
) -> Result<Extracted, ExtractError> {
    let (text, note) = decode_bytes(bytes, enc, limits)?;
    let delim = delimiter(&text, tsv);
    let mut ex = Extracted::default();
    ex.notes.extend(note);
    let mut headers: Option<HashMap<usize, Arc<str>>> = None;
    let mut records = Records::new(&text, delim, limits.max_string, limits.max_columns);
    let mut row = Vec::new();
    loop {
        match records.next_into(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(RecordError::FieldTooLong { row, limit }) => {
                return Err(ExtractError::OverLimit(format!(
                    "第 {r} 行有字段超过 {l} 字节 (row {r}: a field over {l} bytes)",
                    r = num(row),
                    l = num(limit)
                )))
            }
            Err(RecordError::TooManyColumns { row, limit }) => {
                return Err(ExtractError::OverLimit(format!(
                    "第 {r} 行超过 {l} 列 (row {r}: more than {l} columns)",
                    r = num(row),
                    l = num(limit)
                )))
            }
        }
        let r = records.row;
        for (c, cell) in row.iter().enumerate() {
            let cell = cell.trim();
            if !cell.is_empty() {
                let header = headers.as_ref().and_then(|h| h.get(&c).cloned());
                ex.push_segment(format!("{}{}", column_letters(c), r), header);
                // A line break inside a quoted field would split the value's line context.
                if cell.contains(['\n', '\r']) {
                    ex.text.push_str(&cell.replace(['\n', '\r'], " "));
                } else {
                    ex.text.push_str(cell);
                }
            }
            ex.text.push('\t');
        }
        ex.text.push('\n');
        if headers.is_none() && row.iter().filter(|c| !c.trim().is_empty()).count() >= 2 {
            headers = Some(
                row.iter()
                    .enumerate()
                    .filter(|(_, h)| !h.trim().is_empty())
                    .map(|(c, h)| (c, Arc::from(h.trim())))
                    .collect(),
            );
        }
        ex.check_cells(limits)?;
        if ex.text.len() as u64 > limits.max_expanded {
            return Err(ExtractError::ExpansionTooLarge {
                entry: "csv".into(),
                detail: "提取的文本过大 (extracted text over the limit)".into(),
            });
        }
    }
    Ok(ex)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str, delim: char) -> Vec<Vec<String>> {
        let mut r = Records::new(text, delim, 1000, 100);
        let mut out = Vec::new();
        let mut row = Vec::new();
        while r.next_into(&mut row).unwrap() {
            out.push(row.clone());
        }
        out
    }

    #[test]
    fn quoted_fields() {
        let r = records("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",x\n", ',');
        assert_eq!(
            r,
            vec![
                vec!["a".to_string(), "b,c".into(), "say \"hi\"".into()],
                vec!["multi\nline".into(), "x".into()],
            ]
        );
    }

    #[test]
    fn caps() {
        let mut r = Records::new("a,b,c,d\n", ',', 10, 3);
        let mut row = Vec::new();
        assert_eq!(
            r.next_into(&mut row),
            Err(RecordError::TooManyColumns { row: 1, limit: 3 })
        );
        let long = format!("x\n\"{}\"\n", "y".repeat(11));
        let mut r = Records::new(&long, ',', 10, 3);
        assert_eq!(r.next_into(&mut row), Ok(true));
        assert_eq!(
            r.next_into(&mut row),
            Err(RecordError::FieldTooLong { row: 2, limit: 10 })
        );
    }
}
