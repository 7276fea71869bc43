//! Small helpers over quick-xml shared by the Office readers: a depth-checked event loop and entity
//! decoding.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::ExtractError;

/// What the readers see: element starts (with `empty` for `<x/>`), ends, and decoded text.
pub(crate) enum Ev<'a, 'b> {
    Start(&'b BytesStart<'a>, bool),
    End(&'b [u8]),
    Text(&'b str),
}

/// Walks an XML document, calling `f` for each event with the element's local name; fails cleanly on
/// malformed XML or nesting deeper than `max_depth`.
pub(crate) fn walk(
    xml: &[u8],
    what: &str,
    max_depth: usize,
    mut f: impl FnMut(Ev<'_, '_>) -> Result<(), ExtractError>,
) -> Result<(), ExtractError> {
    let mut reader = Reader::from_reader(xml);
    let bad = |e: &dyn std::fmt::Display| {
        ExtractError::Malformed(crate::mask::masked_owned(format!("{what}: {e}")))
    };
    let mut depth = 0usize;
    loop {
        match reader.read_event().map_err(|e| bad(&e))? {
            Event::Start(e) => {
                depth += 1;
                if depth > max_depth {
                    return Err(ExtractError::TooDeep { limit: max_depth });
                }
                f(Ev::Start(&e, false))?;
            }
            Event::Empty(e) => f(Ev::Start(&e, true))?,
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                f(Ev::End(e.local_name().into_inner()))?;
            }
            Event::Text(t) => {
                let s = t.decode().map_err(|e| bad(&e))?;
                f(Ev::Text(&s))?;
            }
            Event::CData(t) => {
                let s = t.decode().map_err(|e| bad(&e))?;
                f(Ev::Text(&s))?;
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().map_err(|e| bad(&e))? {
                    Some(c) => Some(c),
                    None => match r.as_ref() {
                        b"lt" => Some('<'),
                        b"gt" => Some('>'),
                        b"amp" => Some('&'),
                        b"quot" => Some('"'),
                        b"apos" => Some('\''),
                        _ => None,
                    },
                };
                if let Some(c) = c {
                    let mut b = [0u8; 4];
                    f(Ev::Text(c.encode_utf8(&mut b)))?;
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// The unescaped value of attribute `name` (matched on the full qualified name).
pub(crate) fn attr(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

pub(crate) fn local<'x>(e: &'x BytesStart<'_>) -> &'x [u8] {
    let n = e.name().into_inner();
    match n.iter().position(|&b| b == b':') {
        Some(p) => &n[p + 1..],
        None => n,
    }
}
