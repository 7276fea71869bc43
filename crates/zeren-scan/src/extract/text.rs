//! Plain text: UTF-8 (with or without BOM), UTF-16 with BOM, otherwise GB18030 — the encodings Chinese
//! offices produce. Streaming decoding keeps memory flat for large files.

use crate::mask::num;
use std::io::Read;

use encoding_rs::{Decoder, Encoding, UTF_16BE, UTF_16LE};

use super::{ExtractError, Extracted, Limits};
use crate::sniff::TextEncoding;

const GB_NOTE: &str = "按 GB18030 编码读取 (decoded as GB18030)";

fn note_for(enc: TextEncoding) -> Option<String> {
    match enc {
        TextEncoding::Gb18030 => Some(GB_NOTE.to_string()),
        _ => None,
    }
}

/// Decodes a whole file in a known encoding (a byte-order mark is dropped); the note says when it was
/// read as GB18030.
pub(crate) fn decode_bytes(
    bytes: &[u8],
    enc: TextEncoding,
    limits: &Limits,
) -> Result<(String, Option<String>), ExtractError> {
    let (text, _) = enc.encoding().decode_with_bom_removal(bytes);
    if text.len() as u64 > limits.max_expanded {
        return Err(ExtractError::OverLimit(format!(
            "文本超过 {n} 字节 (text over {n} bytes)",
            n = num(limits.max_expanded)
        )));
    }
    Ok((text.into_owned(), note_for(enc)))
}

pub(crate) fn extract_text(
    bytes: &[u8],
    enc: TextEncoding,
    limits: &Limits,
) -> Result<Extracted, ExtractError> {
    let (text, note) = decode_bytes(bytes, enc, limits)?;
    Ok(Extracted {
        text,
        segments: Vec::new(),
        notes: note.into_iter().collect(),
        zones: Vec::new(),
    })
}

/// Decodes a reader chunk by chunk.
pub(crate) struct TextStream<R> {
    reader: R,
    chunk: usize,
    raw: Vec<u8>,
    decoder: Option<Decoder>,
    encoding: Option<TextEncoding>,
    done: bool,
}

/// A stream in `encoding`, or in the encoding sniffed from its first chunk (GB18030 when that is not
/// text at all: the bytes are still scanned for what they hold).
pub(crate) fn decode_text_stream<R: Read>(
    reader: R,
    chunk: usize,
    encoding: Option<TextEncoding>,
) -> TextStream<R> {
    TextStream {
        reader,
        chunk,
        raw: vec![0; chunk],
        decoder: None,
        encoding,
        done: false,
    }
}

impl<R: Read> TextStream<R> {
    /// Appends the next decoded chunk to `out`; returns false once the input is exhausted (after
    /// appending whatever remained).
    pub(crate) fn next_into(&mut self, out: &mut String) -> Result<bool, ExtractError> {
        if self.done {
            return Ok(false);
        }
        let mut filled = 0;
        while filled < self.chunk {
            match self.reader.read(&mut self.raw[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ExtractError::Io(e.to_string())),
            }
        }
        let last = filled < self.chunk;
        let data = &self.raw[..filled];
        let decoder = self.decoder.get_or_insert_with(|| {
            // A reader is taken to hold text: a byte-order mark decides, else UTF-8 when the first
            // chunk is valid UTF-8 (a sequence cut at its end aside), else GB18030. (Guessing UTF-16
            // without a mark from a few bytes would misread text that holds NUL bytes.)
            let enc = *self
                .encoding
                .get_or_insert_with(|| match Encoding::for_bom(data) {
                    Some((e, _)) if e == UTF_16LE => TextEncoding::Utf16Le,
                    Some((e, _)) if e == UTF_16BE => TextEncoding::Utf16Be,
                    Some(_) => TextEncoding::Utf8,
                    None => match std::str::from_utf8(data) {
                        Err(e) if e.error_len().is_some() => TextEncoding::Gb18030,
                        _ => TextEncoding::Utf8,
                    },
                });
            enc.encoding().new_decoder_with_bom_removal()
        });
        let need = decoder
            .max_utf8_buffer_length(data.len())
            .unwrap_or(data.len() * 3 + 16);
        out.reserve(need);
        let (_, _, _) = decoder.decode_to_string(data, out, last);
        if last {
            self.done = true;
        }
        Ok(!last)
    }

    pub(crate) fn notes(&self) -> Vec<String> {
        self.encoding.and_then(note_for).into_iter().collect()
    }
}
