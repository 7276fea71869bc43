//! .html: the text a browser shows, without scripts, styles or comments; entities decoded; block
//! elements end lines and table cells are tab-separated; the first row with two or more non-empty cells
//! gives the column headers (a title row above is skipped), and `colspan` keeps columns aligned.

use std::collections::HashMap;
use std::sync::Arc;

use super::text::decode_bytes;
use super::{ExtractError, Extracted, Limits};
use crate::sniff::TextEncoding;

const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "hr",
    "title",
    "dt",
    "dd",
    "table",
    "caption",
    "form",
    "nav",
    "aside",
    "main",
    "figure",
    "figcaption",
    "address",
];
/// Not shown by a browser. (The `<title>` in `<head>` and the text of an inline `<svg>` are shown, so
/// they are read.)
const SKIP: &[&str] = &["script", "style", "template"];

struct Table {
    index: usize,
    row: usize,
    col: usize,
    headers: Option<HashMap<usize, Arc<str>>>,
    row_cells: Vec<(usize, String)>,
    span: usize,
    cell_start: Option<usize>,
}

/// The `colspan` of a cell's start tag (lower-cased tag text), 1 when absent.
fn colspan(tag: &str) -> usize {
    tag.find("colspan")
        .map(|p| {
            tag[p + 7..]
                .trim_start_matches([' ', '=', '"', '\''])
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|d| d.parse().ok())
        .unwrap_or(1usize)
        .clamp(1, 64)
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ensp" | "emsp" | "thinsp" => ' ',
        "middot" => '·',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "times" => '×',
        "star" | "starf" | "bigstar" => '★',
        "copy" => '©',
        "reg" => '®',
        "yen" => '¥',
        _ => return None,
    })
}

/// Appends text with entities decoded and whitespace runs collapsed to one space.
fn push_text(out: &mut String, raw: &str) {
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        if c == '&' {
            // Entity names are short: looking further would make a run of '&' quadratic.
            if let Some(end) = rest.as_bytes()[1..]
                .iter()
                .take(11)
                .position(|&b| b == b';')
            {
                if let Some(ch) = entity(&rest[1..1 + end]) {
                    push_char(out, ch);
                    rest = &rest[end + 2..];
                    continue;
                }
            }
        }
        push_char(
            out,
            if c.is_whitespace() && c != '\u{3000}' {
                ' '
            } else {
                c
            },
        );
        rest = &rest[c.len_utf8()..];
    }
}

fn push_char(out: &mut String, c: char) {
    if c == ' ' && (out.is_empty() || out.ends_with([' ', '\n', '\t'])) {
        return;
    }
    out.push(c);
}

fn end_line(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

pub(crate) fn extract(
    bytes: &[u8],
    enc: TextEncoding,
    limits: &Limits,
) -> Result<Extracted, ExtractError> {
    let (src, note) = decode_bytes(bytes, enc, limits)?;
    let mut ex = Extracted::default();
    ex.notes.extend(note);
    let lower = src.to_ascii_lowercase();
    let mut tables: Vec<Table> = Vec::new();
    let mut table_count = 0;
    let mut blocks = 0;
    let mut i = 0;
    let mut new_block = true;
    while i < src.len() {
        let Some(lt) = src[i..].find('<').map(|p| i + p) else {
            push_text(&mut ex.text, &src[i..]);
            break;
        };
        if lt > i {
            if new_block && tables.is_empty() && !src[i..lt].trim().is_empty() {
                blocks += 1;
                ex.push_segment(format!("第{blocks}段"), None);
                new_block = false;
            }
            push_text(&mut ex.text, &src[i..lt]);
        }
        if lower[lt..].starts_with("<!--") {
            i = lower[lt..].find("-->").map_or(src.len(), |p| lt + p + 3);
            continue;
        }
        let Some(gt) = src[lt..].find('>').map(|p| lt + p) else {
            break;
        };
        let tag = &lower[lt + 1..gt];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        i = gt + 1;
        if !closing && SKIP.contains(&name.as_str()) && !tag.ends_with('/') {
            let close = format!("</{name}");
            i = lower[i..].find(&close).map_or(src.len(), |p| {
                let after = i + p;
                lower[after..]
                    .find('>')
                    .map_or(src.len(), |q| after + q + 1)
            });
            continue;
        }
        match (name.as_str(), closing) {
            ("table", false) => {
                if tables.len() >= limits.max_depth {
                    return Err(ExtractError::TooDeep {
                        limit: limits.max_depth,
                    });
                }
                end_line(&mut ex.text);
                table_count += 1;
                tables.push(Table {
                    index: table_count,
                    row: 0,
                    col: 0,
                    headers: None,
                    row_cells: Vec::new(),
                    span: 1,
                    cell_start: None,
                });
            }
            ("table", true) => {
                tables.pop();
                end_line(&mut ex.text);
                new_block = true;
            }
            ("tr", true) => {
                if let Some(t) = tables.last_mut() {
                    if t.headers.is_none() && t.row_cells.len() >= 2 {
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
                end_line(&mut ex.text);
            }
            ("td" | "th", false) => {
                if let Some(t) = tables.last_mut() {
                    let header = t
                        .headers
                        .as_ref()
                        .and_then(|h| h.get(&t.col).cloned())
                        .filter(|h| !h.is_empty());
                    if t.row_cells.len() > limits.max_columns {
                        return Err(ExtractError::OverLimit(format!(
                            "表格一行超过 {} 列 (a table row with more than {} cells)",
                            limits.max_columns, limits.max_columns
                        )));
                    }
                    t.span = colspan(tag);
                    ex.push_segment(
                        format!("表{}第{}行第{}列", t.index, t.row + 1, t.col + 1),
                        header,
                    );
                    t.cell_start = Some(ex.text.len());
                }
            }
            ("td" | "th", true) => {
                if let Some(t) = tables.last_mut() {
                    if let Some(s) = t.cell_start.take() {
                        let cell = ex.text[s..].trim();
                        if t.headers.is_none() && !cell.is_empty() {
                            t.row_cells.push((t.col, cell.to_string()));
                        }
                    }
                    t.col += t.span;
                }
                while ex.text.ends_with(' ') {
                    ex.text.pop();
                }
                ex.text.push('\t');
            }
            (n, _) if BLOCKS.contains(&n) => {
                end_line(&mut ex.text);
                new_block = true;
            }
            _ => {}
        }
        ex.check_cells(limits)?;
        if ex.text.len() as u64 > limits.max_expanded {
            return Err(ExtractError::ExpansionTooLarge {
                entry: "html".into(),
                detail: "提取的文本过大 (extracted text over the limit)".into(),
            });
        }
    }
    end_line(&mut ex.text);
    Ok(ex)
}
