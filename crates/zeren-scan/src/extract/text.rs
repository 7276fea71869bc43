//! Plain text: UTF-8 (with or without BOM), UTF-16 with BOM, otherwise GB18030 — the encodings Chinese
//! offices produce. Streaming decoding keeps memory flat for large files.

use std::io::Read;

use encoding_rs::{Decoder, Encoding, GB18030, UTF_8};

use super::{ExtractError, Extracted};

/// Chooses the encoding from the first bytes: a BOM wins; else valid UTF-8 (ignoring a sequence cut at
/// the end) is UTF-8; else GB18030.
fn sniff(head: &[u8]) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(head) {
        return enc;
    }
    match std::str::from_utf8(head) {
        Ok(_) => UTF_8,
        Err(e) if e.error_len().is_none() => UTF_8,
        Err(_) => GB18030,
    }
}

/// Decodes a whole file; the note says when it was read as GB18030.
pub(crate) fn decode_bytes(bytes: &[u8]) -> (String, Option<String>) {
    let enc = sniff(&bytes[..bytes.len().min(1 << 20)]);
    let (text, _, _) = enc.decode(bytes);
    let note = (enc == GB18030).then(|| "按 GB18030 编码读取 (decoded as GB18030)".to_string());
    (text.into_owned(), note)
}

pub(crate) fn extract_text(bytes: &[u8]) -> Extracted {
    let (text, note) = decode_bytes(bytes);
    Extracted {
        text,
        segments: Vec::new(),
        notes: note.into_iter().collect(),
    }
}

/// Decodes a reader chunk by chunk.
pub(crate) struct TextStream<R> {
    reader: R,
    chunk: usize,
    raw: Vec<u8>,
    decoder: Option<Decoder>,
    encoding: Option<&'static Encoding>,
    done: bool,
}

pub(crate) fn decode_text_stream<R: Read>(reader: R, chunk: usize) -> TextStream<R> {
    TextStream {
        reader,
        chunk,
        raw: vec![0; chunk],
        decoder: None,
        encoding: None,
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
            let enc = sniff(data);
            self.encoding = Some(enc);
            enc.new_decoder_with_bom_removal()
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
        match self.encoding {
            Some(e) if e == GB18030 => vec!["按 GB18030 编码读取 (decoded as GB18030)".into()],
            _ => Vec::new(),
        }
    }
}
