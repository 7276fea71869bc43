//! .csv and .tsv: rosters exported from school and payroll systems. Cells are located as in a
//! spreadsheet (`B7`) and the first row with two or more non-empty cells gives each column's header,
//! so a number under 学号 is not taken for a phone number. Quoted fields may hold delimiters, doubled
//! quotes and line breaks.

use std::collections::HashMap;

use super::text::decode_bytes;
use super::xlsx::column_letters;
use super::{ExtractError, Extracted, Limits};

/// Splits `text` into records of fields.
fn records(text: &str, delim: char) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut at_field_start = true;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            c if c == delim => {
                row.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                at_field_start = true;
            }
            c => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

pub(crate) fn extract(bytes: &[u8], tsv: bool, limits: &Limits) -> Result<Extracted, ExtractError> {
    let (text, note) = decode_bytes(bytes);
    let first_line = text.lines().next().unwrap_or("");
    let delim = if tsv || first_line.matches('\t').count() > first_line.matches(',').count() {
        '\t'
    } else {
        ','
    };
    let mut ex = Extracted::default();
    ex.notes.extend(note);
    let mut headers: Option<HashMap<usize, String>> = None;
    for (r, row) in records(&text, delim).into_iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let cell = cell.trim();
            if !cell.is_empty() {
                let header = headers
                    .as_ref()
                    .and_then(|h| h.get(&c).cloned())
                    .filter(|h| !h.is_empty());
                ex.push_segment(format!("{}{}", column_letters(c), r + 1), header);
                // A line break inside a quoted field would split the value's line context.
                ex.text.push_str(&cell.replace(['\n', '\r'], " "));
            }
            ex.text.push('\t');
        }
        ex.text.push('\n');
        if headers.is_none() && row.iter().filter(|c| !c.trim().is_empty()).count() >= 2 {
            headers = Some(
                row.iter()
                    .enumerate()
                    .map(|(c, h)| (c, h.trim().to_string()))
                    .collect(),
            );
        }
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
    use super::records;

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
}
