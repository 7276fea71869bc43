//! .xlsx: every sheet in workbook order, shared and inline strings, numbers and formula results, located
//! as `Sheet!B7`, with the first row holding at least two non-empty cells as the column headers (a title
//! row above the table is skipped). Excel keeps only 15 significant
//! digits of a number, so an 18-digit ID typed as a number is already damaged: such cells are written out
//! as digits and reported in the notes.

use std::collections::HashMap;

use super::archive::{append_embedded, Archive};
use super::xml::{attr, local, walk, Ev};
use super::{ExtractError, Extracted, Limits};

pub(crate) fn extract(
    bytes: &[u8],
    limits: &Limits,
    nesting: usize,
) -> Result<Extracted, ExtractError> {
    let mut zip = Archive::open(bytes, limits)?;
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
    let shared = match zip.read("xl/sharedStrings.xml")? {
        Some(xml) => shared_strings(&xml, limits)?,
        None => Vec::new(),
    };
    let mut ex = Extracted::default();
    for (i, (name, rid)) in sheets.iter().enumerate() {
        let path = targets
            .get(rid)
            .cloned()
            .unwrap_or_else(|| format!("xl/worksheets/sheet{}.xml", i + 1));
        let Some(xml) = zip.read(&path)? else {
            continue;
        };
        sheet(&xml, name, &path, &shared, limits, &mut ex)?;
    }
    append_embedded(&mut zip, "xl/embeddings/", limits, nesting, &mut ex)?;
    Ok(ex)
}

fn shared_strings(xml: &[u8], limits: &Limits) -> Result<Vec<String>, ExtractError> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_t = false;
    let mut in_phonetic = false;
    walk(xml, "xl/sharedStrings.xml", limits.max_depth, |ev| {
        match ev {
            Ev::Start(e, empty) => match local(e) {
                b"si" if empty => out.push(String::new()),
                b"si" => cur.clear(),
                b"t" if !empty => in_t = true,
                b"rPh" if !empty => in_phonetic = true,
                _ => {}
            },
            Ev::End(n) => match n {
                b"si" => out.push(std::mem::take(&mut cur)),
                b"t" => in_t = false,
                b"rPh" => in_phonetic = false,
                _ => {}
            },
            Ev::Text(s) if in_t && !in_phonetic => cur.push_str(s),
            Ev::Text(_) => {}
        }
        Ok(())
    })?;
    Ok(out)
}

/// Column letters of a cell reference (`B7` → `B`) and its column number (0-based).
fn column_of(r: &str) -> (String, usize) {
    let letters: String = r.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let n = letters.bytes().fold(0usize, |acc, b| {
        acc * 26 + usize::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    (letters, n.saturating_sub(1))
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

/// Writes a numeric cell value as a person would read it; `Some(note)` when Excel cannot hold it exactly.
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
    shared: &[String],
    limits: &Limits,
    ex: &mut Extracted,
) -> Result<(), ExtractError> {
    // Column → header, once a row with two or more non-empty cells has been seen.
    let mut headers: Option<HashMap<usize, String>> = None;
    let mut row_cells: Vec<(usize, String)> = Vec::new();
    let mut row_name = String::new();
    let mut in_row_cells = 0usize;
    // The cell being read: reference, type, value text.
    let mut cell: Option<(String, String)> = None;
    let mut value = String::new();
    let mut in_value = false;
    let mut in_phonetic = false;
    let max = limits.max_expanded as usize;
    walk(xml, path, limits.max_depth, |ev| {
        match ev {
            Ev::Start(e, empty) => match local(e) {
                b"row" => {
                    row_name = attr(e, b"r").unwrap_or_default();
                    row_cells.clear();
                    in_row_cells = 0;
                    if empty {
                        ex.text.push('\n');
                    }
                }
                b"c" => {
                    let r = attr(e, b"r")
                        .unwrap_or_else(|| format!("{}{}", column_letters(in_row_cells), row_name));
                    let t = attr(e, b"t").unwrap_or_default();
                    value.clear();
                    cell = Some((r, t));
                    if empty {
                        cell = None;
                        in_row_cells += 1;
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
                    in_row_cells += 1;
                    if let Some((r, t)) = cell.take() {
                        let text = match t.as_str() {
                            "s" => value
                                .trim()
                                .parse::<usize>()
                                .ok()
                                .and_then(|i| shared.get(i).cloned())
                                .unwrap_or_default(),
                            "b" => if value.trim() == "1" { "TRUE" } else { "FALSE" }.to_string(),
                            "str" | "inlineStr" | "e" => value.clone(),
                            _ => {
                                let (text, lossy) = number_text(&value);
                                if lossy {
                                    ex.notes.push(format!(
                                        "{sheet_name}!{r}：数值 {} 超过 Excel 的 15 位有效数字，末尾数字已丢失；若是身份证号或银行卡号，原值已无法核验，请人工检查 (a number past 15 significant digits; trailing digits lost)",
                                        value.trim()
                                    ));
                                }
                                text
                            }
                        };
                        let (_, col) = column_of(&r);
                        if headers.is_none() && !text.trim().is_empty() {
                            row_cells.push((col, text.trim().to_string()));
                        }
                        let header = headers
                            .as_ref()
                            .and_then(|h| h.get(&col).cloned())
                            .filter(|h| !h.is_empty());
                        if !text.is_empty() {
                            ex.push_segment(format!("{sheet_name}!{r}"), header);
                            ex.text.push_str(&text);
                        }
                        ex.text.push('\t');
                    }
                }
                b"row" => {
                    if headers.is_none() && row_cells.len() >= 2 {
                        headers = Some(row_cells.drain(..).collect());
                    }
                    ex.text.push('\n');
                }
                _ => {}
            },
            Ev::Text(s) if in_value && !in_phonetic && cell.is_some() => value.push_str(s),
            Ev::Text(_) => {}
        }
        if ex.text.len() > max {
            return Err(ExtractError::ExpansionTooLarge {
                entry: path.to_string(),
                detail: format!("提取的文本超过 {max} 字节 (extracted text over the limit)"),
            });
        }
        Ok(())
    })?;
    ex.text.push('\n');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns() {
        assert_eq!(column_of("B7"), ("B".into(), 1));
        assert_eq!(column_of("AA10").1, 26);
        for n in [0, 1, 25, 26, 27, 701, 702] {
            assert_eq!(column_of(&format!("{}1", column_letters(n))).1, n);
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
