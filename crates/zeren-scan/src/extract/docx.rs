//! .docx: the body (paragraphs and tables), headers, footers, footnotes, endnotes, comments and embedded
//! workbooks or documents (to `Limits::max_nesting` files deep), with
//! tracked deletions included because they are still in the file that would be published. A table cell
//! gets its column's header as context: the first row with at least two non-empty cells, so a title
//! row merged across the table is not taken for the header. Merged cells (`gridSpan`) keep columns aligned.

use crate::mask::num;
use std::collections::HashMap;
use std::sync::Arc;

use super::archive::{append_embedded, Archive};
use super::xml::attr;
use super::xml::{local, walk, Ev};
use super::{ExtractError, Extracted, Limits};

struct Table {
    index: usize,
    row: usize,
    col: usize,
    /// Column → header text, once the header row has been seen.
    headers: Option<HashMap<usize, Arc<str>>>,
    /// The current row's cells (column, text) until the header row is known.
    row_cells: Vec<(usize, String)>,
    span: usize,
    cell_start: usize,
}

impl Table {
    fn header_for(&self, col: usize) -> Option<Arc<str>> {
        self.headers
            .as_ref()?
            .get(&col)
            .filter(|h| !h.is_empty())
            .cloned()
    }
}

pub(crate) fn extract(
    bytes: &[u8],
    limits: &Limits,
    nesting: usize,
) -> Result<Extracted, ExtractError> {
    let mut zip = Archive::open(bytes, limits)?;
    let body = zip.read("word/document.xml")?.ok_or_else(|| {
        ExtractError::Malformed("缺少 word/document.xml (not a Word document)".into())
    })?;
    let mut ex = Extracted::default();
    part(&body, "word/document.xml", None, limits, &mut ex)?;
    let names = zip.names();
    let extra = [
        ("word/header", "页眉"),
        ("word/footer", "页脚"),
        ("word/footnotes", "脚注"),
        ("word/endnotes", "尾注"),
        ("word/comments", "批注"),
    ];
    for (prefix, label) in extra {
        for name in names
            .iter()
            .filter(|n| n.starts_with(prefix) && n.ends_with(".xml"))
        {
            if let Some(xml) = zip.read(name)? {
                part(&xml, name, Some(label), limits, &mut ex)?;
            }
        }
    }
    append_embedded(&mut zip, "word/embeddings/", limits, nesting, &mut ex)?;
    Ok(ex)
}

/// Appends one part. Body paragraphs are located as `第N段`, table cells as `表T第R行第C列`, and every
/// paragraph of a header, footer or note part by the part's label.
fn part(
    xml: &[u8],
    name: &str,
    label: Option<&str>,
    limits: &Limits,
    ex: &mut Extracted,
) -> Result<(), ExtractError> {
    ex.push_zone();
    let mut tables: Vec<Table> = Vec::new();
    let mut table_count = 0;
    let mut paragraphs = 0;
    let mut in_text = false;
    let max = limits.max_expanded as usize;
    walk(xml, name, limits.max_depth, |ev| {
        match ev {
            Ev::Start(e, empty) => match local(e) {
                b"p" if !empty => {
                    let (loc, header) = match (tables.last(), label) {
                        (Some(t), _) => (
                            format!(
                                "{}表{}第{}行第{}列",
                                label.unwrap_or(""),
                                t.index,
                                t.row + 1,
                                t.col + 1
                            ),
                            t.header_for(t.col),
                        ),
                        (None, Some(l)) => (l.to_string(), None),
                        (None, None) => {
                            paragraphs += 1;
                            (format!("第{paragraphs}段"), None)
                        }
                    };
                    ex.push_segment(loc, header);
                    ex.check_cells(limits)?;
                }
                b"t" | b"delText" if !empty => in_text = true,
                b"tab" => ex.text.push('\t'),
                b"br" | b"cr" => ex.text.push('\n'),
                b"tbl" if !empty => {
                    table_count += 1;
                    tables.push(Table {
                        index: table_count,
                        row: 0,
                        col: 0,
                        headers: None,
                        row_cells: Vec::new(),
                        span: 1,
                        cell_start: ex.text.len(),
                    });
                }
                b"tc" if !empty => {
                    if let Some(t) = tables.last_mut() {
                        t.cell_start = ex.text.len();
                        t.span = 1;
                        if t.col > limits.max_columns {
                            return Err(ExtractError::OverLimit(format!(
                                "表格一行超过 {} 列 (a table row with more than {} cells)",
                                limits.max_columns, limits.max_columns
                            )));
                        }
                    }
                }
                b"gridSpan" => {
                    if let Some(t) = tables.last_mut() {
                        t.span = attr(e, b"w:val")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(1usize)
                            .clamp(1, 64);
                    }
                }
                _ => {}
            },
            Ev::End(n) => match n {
                b"t" | b"delText" => in_text = false,
                b"p" => {
                    // Paragraphs inside a cell share the cell's line; the row ends the line.
                    ex.text.push(if tables.is_empty() { '\n' } else { ' ' });
                }
                b"tc" => {
                    if let Some(t) = tables.last_mut() {
                        if t.headers.is_none() {
                            let cell = ex.text[t.cell_start..].trim().to_string();
                            t.row_cells.push((t.col, cell));
                        }
                        t.col += t.span;
                    }
                    ex.text.push('\t');
                }
                b"tr" => {
                    if let Some(t) = tables.last_mut() {
                        let filled = t.row_cells.iter().filter(|(_, c)| !c.is_empty()).count();
                        if t.headers.is_none() && filled >= 2 {
                            t.headers = Some(
                                t.row_cells
                                    .drain(..)
                                    .map(|(c, h)| (c, Arc::from(h)))
                                    .collect(),
                            );
                        }
                        t.row_cells.clear();
                        t.row += 1;
                        t.col = 0;
                    }
                    ex.text.push('\n');
                }
                b"tbl" => {
                    tables.pop();
                    ex.text.push('\n');
                }
                _ => {}
            },
            Ev::Text(s) if in_text => ex.text.push_str(s),
            Ev::Text(_) => {}
        }
        if ex.text.len() > max {
            return Err(ExtractError::ExpansionTooLarge {
                entry: name.to_string(),
                detail: format!(
                    "提取的文本超过 {} 字节 (extracted text over the limit)",
                    num(max)
                ),
            });
        }
        Ok(())
    })?;
    if !ex.text.ends_with('\n') && !ex.text.is_empty() {
        ex.text.push('\n');
    }
    Ok(())
}
