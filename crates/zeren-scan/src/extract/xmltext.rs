//! SVG and other XML: the text a reader would see — text nodes and CDATA, one line per element that
//! holds text — without `<style>` and `<script>`. An SVG is a picture made of XML; its `<text>`,
//! `<title>` and `<desc>` are scanned, the drawing itself is not (no OCR of paths). Entities beyond the
//! five predefined ones are not expanded, so a "billion laughs" document stays small.

use super::text::decode_bytes;
use super::xml::{local, walk, Ev};
use super::{ExtractError, Extracted, Limits};
use crate::mask::num;
use crate::sniff::TextEncoding;

pub(crate) fn extract(
    bytes: &[u8],
    enc: TextEncoding,
    limits: &Limits,
) -> Result<Extracted, ExtractError> {
    let (src, note) = decode_bytes(bytes, enc, limits)?;
    let mut ex = Extracted::default();
    ex.notes.extend(note);
    let mut skip = 0usize;
    let mut lines = 0usize;
    let mut node = 0usize;
    walk(src.as_bytes(), "XML", limits.max_depth, |ev| {
        match ev {
            Ev::Start(e, empty) => {
                if !empty && matches!(local(e), b"style" | b"script") {
                    skip += 1;
                }
            }
            Ev::End(n) => {
                if matches!(n, b"style" | b"script") {
                    skip = skip.saturating_sub(1);
                }
                if !ex.text.is_empty() && !ex.text.ends_with('\n') {
                    ex.text.push('\n');
                }
                node = 0;
            }
            Ev::Text(t) if skip == 0 => {
                if node == 0 {
                    let t = t.trim();
                    if t.is_empty() {
                        return Ok(());
                    }
                    lines += 1;
                    ex.push_segment(format!("第{lines}段"), None);
                    node = 1;
                    ex.text.push_str(t);
                } else {
                    ex.text.push_str(t);
                }
                if t.len() > limits.max_string {
                    return Err(ExtractError::OverLimit(format!(
                        "文本节点超过 {n} 字节 (a text node over {n} bytes)",
                        n = num(limits.max_string)
                    )));
                }
            }
            Ev::Text(_) => {}
        }
        ex.check_cells(limits)?;
        Ok(())
    })?;
    if !ex.text.is_empty() && !ex.text.ends_with('\n') {
        ex.text.push('\n');
    }
    Ok(ex)
}
