//! What a file is, from its content: magic bytes, the parts inside a zip container, and for text the
//! encoding and whether it is HTML, SVG or other XML. The file name never decides; it is a hint only for
//! text that could be a CSV/TSV table, the one case content cannot tell apart from prose.

use std::fmt;

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};

/// Bytes looked at to decide whether a file is text and in which encoding.
const TEXT_SAMPLE: usize = 64 * 1024;

/// The encoding of a text file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextEncoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    Gb18030,
}

impl TextEncoding {
    pub fn as_str(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Gb18030 => "GB18030",
        }
    }

    pub(crate) fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 => UTF_8,
            TextEncoding::Utf16Le => UTF_16LE,
            TextEncoding::Utf16Be => UTF_16BE,
            TextEncoding::Gb18030 => GB18030,
        }
    }
}

/// A known format the scanner does not read, with what the user should do instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unsupported {
    LegacyWord,
    LegacyExcel,
    LegacyPowerPoint,
    /// Another OLE compound file (WPS, Visio …).
    LegacyOffice,
    PowerPoint,
    OpenDocument,
    Ofd,
    Rtf,
    /// An archive (zip, gzip, 7z, RAR, bzip2, xz).
    Archive(&'static str),
    Executable,
    /// Audio or video.
    Media,
}

impl Unsupported {
    pub fn as_str(self) -> &'static str {
        match self {
            Unsupported::LegacyWord => "legacy_word",
            Unsupported::LegacyExcel => "legacy_excel",
            Unsupported::LegacyPowerPoint => "legacy_powerpoint",
            Unsupported::LegacyOffice => "legacy_office",
            Unsupported::PowerPoint => "powerpoint",
            Unsupported::OpenDocument => "opendocument",
            Unsupported::Ofd => "ofd",
            Unsupported::Rtf => "rtf",
            Unsupported::Archive(_) => "archive",
            Unsupported::Executable => "executable",
            Unsupported::Media => "media",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Unsupported::LegacyWord => "旧版 Word 文档（.doc/.wps），请另存为 .docx 后上传",
            Unsupported::LegacyExcel => "旧版 Excel 工作簿（.xls/.et），请另存为 .xlsx 后上传",
            Unsupported::LegacyPowerPoint => {
                "旧版 PowerPoint 演示文稿（.ppt），请另存为 PDF 后上传"
            }
            Unsupported::LegacyOffice => {
                "旧版 Office/WPS 复合文档，请另存为 .docx、.xlsx 或 PDF 后上传"
            }
            Unsupported::PowerPoint => "PowerPoint 演示文稿，请另存为 PDF 后上传",
            Unsupported::OpenDocument => "OpenDocument 或 EPUB 文档，请另存为 .docx 或 PDF 后上传",
            Unsupported::Ofd => "OFD 版式文档，请另存为 PDF 后上传",
            Unsupported::Rtf => "RTF 文档，请另存为 .docx 或 PDF 后上传",
            Unsupported::Archive(_) => "压缩包，请解压后分别上传",
            Unsupported::Executable => "可执行程序",
            Unsupported::Media => "音频或视频，需人工审查（本系统不做语音或文字识别）",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Unsupported::LegacyWord => "a legacy Word document (.doc/.wps); save it as .docx",
            Unsupported::LegacyExcel => "a legacy Excel workbook (.xls/.et); save it as .xlsx",
            Unsupported::LegacyPowerPoint => "a legacy PowerPoint file (.ppt); save it as PDF",
            Unsupported::LegacyOffice => {
                "a legacy Office/WPS compound file; save it as .docx, .xlsx or PDF"
            }
            Unsupported::PowerPoint => "a PowerPoint presentation; save it as PDF",
            Unsupported::OpenDocument => "an OpenDocument or EPUB file; save it as .docx or PDF",
            Unsupported::Ofd => "an OFD document; save it as PDF",
            Unsupported::Rtf => "an RTF document; save it as .docx or PDF",
            Unsupported::Archive(_) => "an archive; unpack it and upload the files",
            Unsupported::Executable => "an executable program",
            Unsupported::Media => {
                "audio or video; needs a manual review (no speech or text recognition)"
            }
        }
    }
}

/// What a file's content is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// 0 bytes.
    Empty,
    /// Plain text.
    Text(TextEncoding),
    /// Text that the name says is a comma- or tab-separated table.
    Csv(TextEncoding),
    Tsv(TextEncoding),
    Html(TextEncoding),
    /// An SVG image: XML whose text is scanned.
    Svg(TextEncoding),
    /// Other XML.
    Xml(TextEncoding),
    Docx,
    Xlsx,
    Pdf,
    /// A raster image (PNG, JPEG, GIF, BMP, TIFF, WebP, HEIC): listed for manual review, no OCR.
    Image(&'static str),
    /// A format this scanner does not read: legacy Office (.doc/.xls/.ppt, WPS), PowerPoint, OpenDocument,
    /// RTF, an archive, an executable, audio or video.
    Unsupported(Unsupported),
    /// An encrypted Office document (an OLE container holding an `EncryptedPackage`).
    EncryptedOffice,
    /// A zip container that cannot be opened: a damaged Office file or archive.
    DamagedZip,
    /// Binary content of no known kind.
    Binary,
}

impl Format {
    /// A stable identifier for JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            Format::Empty => "empty",
            Format::Text(_) => "text",
            Format::Csv(_) => "csv",
            Format::Tsv(_) => "tsv",
            Format::Html(_) => "html",
            Format::Svg(_) => "svg",
            Format::Xml(_) => "xml",
            Format::Docx => "docx",
            Format::Xlsx => "xlsx",
            Format::Pdf => "pdf",
            Format::Image(_) => "image",
            Format::Unsupported(_) => "unsupported",
            Format::EncryptedOffice => "encrypted_office",
            Format::DamagedZip => "damaged_zip",
            Format::Binary => "binary",
        }
    }

    /// The encoding when the content is text.
    pub fn text_encoding(&self) -> Option<TextEncoding> {
        match self {
            Format::Text(e)
            | Format::Csv(e)
            | Format::Tsv(e)
            | Format::Html(e)
            | Format::Svg(e)
            | Format::Xml(e) => Some(*e),
            _ => None,
        }
    }

    /// The extensions a file of this format normally has (to tell a reviewer the name disagrees).
    fn usual_extensions(&self) -> &'static [&'static str] {
        match self {
            Format::Text(_) => &["txt", "text", "md", "log", "csv", "tsv", ""],
            Format::Csv(_) => &["csv"],
            Format::Tsv(_) => &["tsv"],
            Format::Html(_) => &["html", "htm", "xhtml", "shtml"],
            Format::Svg(_) => &["svg"],
            Format::Xml(_) => &["xml"],
            Format::Docx => &["docx", "docm", "dotx"],
            Format::Xlsx => &["xlsx", "xlsm", "xltx"],
            Format::Pdf => &["pdf"],
            _ => &[],
        }
    }

    /// A note for the reviewer when the name's extension says another format than the content
    /// (`news` without an extension is not a disagreement).
    pub fn name_mismatch_note(&self, name_hint: &str) -> Option<String> {
        let ext = crate::extract::extension(name_hint);
        let usual = self.usual_extensions();
        if ext.is_empty() || usual.is_empty() || usual.contains(&ext.as_str()) {
            return None;
        }
        Some(format!(
            "文件名后缀为 .{ext}，但内容是 {}，已按内容检查 (the name says .{ext} but the content is {}; checked by content)",
            self.name_zh(),
            self.as_str()
        ))
    }

    /// What it is, for people.
    pub fn name_zh(&self) -> String {
        match self {
            Format::Empty => "空文件".into(),
            Format::Text(e) => format!("纯文本（{}）", e.as_str()),
            Format::Csv(_) => "CSV 表格".into(),
            Format::Tsv(_) => "TSV 表格".into(),
            Format::Html(_) => "HTML 网页".into(),
            Format::Svg(_) => "SVG 图形".into(),
            Format::Xml(_) => "XML".into(),
            Format::Docx => "Word 文档（.docx）".into(),
            Format::Xlsx => "Excel 工作簿（.xlsx）".into(),
            Format::Pdf => "PDF".into(),
            Format::Image(k) => format!("{k} 图片"),
            Format::Unsupported(what) => what.zh().into(),
            Format::EncryptedOffice => "加密的 Office 文档".into(),
            Format::DamagedZip => "损坏的压缩容器".into(),
            Format::Binary => "未知二进制文件".into(),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Types `bytes` by content. `name_hint` only chooses CSV/TSV for text.
pub fn sniff(bytes: &[u8], name_hint: &str) -> Format {
    if bytes.is_empty() {
        return Format::Empty;
    }
    if let Some(f) = magic(bytes) {
        return f;
    }
    match text_encoding(&bytes[..bytes.len().min(TEXT_SAMPLE)]) {
        Some(enc) => text_kind(bytes, enc, name_hint),
        None => Format::Binary,
    }
}

fn magic(b: &[u8]) -> Option<Format> {
    let starts = |m: &[u8]| b.starts_with(m);
    let head = &b[..b.len().min(1024)];
    if memchr::memmem::find(head, b"%PDF-").is_some() {
        return Some(Format::Pdf);
    }
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") || starts(b"PK\x07\x08") {
        return Some(zip_kind(b));
    }
    if starts(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Some(ole_kind(b));
    }
    let image = if starts(b"\x89PNG\r\n\x1a\n") {
        Some("PNG")
    } else if starts(&[0xFF, 0xD8, 0xFF]) {
        Some("JPEG")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("GIF")
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        Some("TIFF")
    } else if starts(b"RIFF") && b.get(8..12) == Some(b"WEBP") {
        Some("WebP")
    } else if b.get(4..8) == Some(b"ftyp")
        && b.get(8..12).is_some_and(|t| {
            [
                b"heic", b"heix", b"mif1", b"msf1", b"avif", b"heim", b"heis",
            ]
            .contains(&t.try_into().expect("4 bytes"))
        })
    {
        Some("HEIC/AVIF")
    } else if starts(b"BM") && b.len() >= 26 && b[6..10] == [0, 0, 0, 0] {
        Some("BMP")
    } else if starts(&[0, 0, 1, 0]) && b.len() >= 22 && b[4] > 0 {
        Some("ICO")
    } else {
        None
    };
    if let Some(k) = image {
        return Some(Format::Image(k));
    }
    let other = if starts(b"{\\rtf") {
        Unsupported::Rtf
    } else if starts(b"MZ")
        || starts(b"\x7fELF")
        || starts(&[0xCF, 0xFA, 0xED, 0xFE])
        || starts(&[0xFE, 0xED, 0xFA, 0xCF])
    {
        Unsupported::Executable
    } else if starts(&[0x1F, 0x8B]) {
        Unsupported::Archive("gzip")
    } else if starts(b"7z\xBC\xAF\x27\x1C") {
        Unsupported::Archive("7z")
    } else if starts(b"Rar!\x1a\x07") {
        Unsupported::Archive("RAR")
    } else if starts(b"BZh") && b.len() > 10 && b[3].is_ascii_digit() {
        Unsupported::Archive("bzip2")
    } else if starts(&[0xFD, b'7', b'z', b'X', b'Z', 0]) {
        Unsupported::Archive("xz")
    } else if b.get(4..8) == Some(b"ftyp")
        || starts(b"ID3")
        || starts(b"OggS")
        || starts(b"fLaC")
        || starts(b"RIFF")
    {
        Unsupported::Media
    } else {
        return None;
    };
    Some(Format::Unsupported(other))
}

/// A zip container: Word, Excel, PowerPoint, OpenDocument, or another archive.
fn zip_kind(b: &[u8]) -> Format {
    // The central directory is read directly: the zip reader comes later, under the entry limit.
    let Some(names) = crate::extract::archive::central_names(b, 100_000) else {
        return Format::DamagedZip;
    };
    let has = |n: &str| names.contains(&n.as_bytes());
    if has("word/document.xml") {
        return Format::Docx;
    }
    if has("xl/workbook.xml") {
        return Format::Xlsx;
    }
    if has("ppt/presentation.xml") {
        return Format::Unsupported(Unsupported::PowerPoint);
    }
    if has("Doc_0/Document.xml") || has("OFD.xml") {
        return Format::Unsupported(Unsupported::Ofd);
    }
    if has("mimetype") {
        return Format::Unsupported(Unsupported::OpenDocument);
    }
    if names.is_empty() && crate::extract::archive::declared_entries(b) != Some(0) {
        return Format::DamagedZip;
    }
    Format::Unsupported(Unsupported::Archive("zip"))
}

/// An OLE compound file: an encrypted OOXML document or a legacy Office/WPS file.
fn ole_kind(b: &[u8]) -> Format {
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect() };
    let has = |s: &str| memchr::memmem::find(b, &utf16(s)).is_some();
    if has("EncryptedPackage") {
        return Format::EncryptedOffice;
    }
    if has("WordDocument") {
        Format::Unsupported(Unsupported::LegacyWord)
    } else if has("Workbook") || has("Book") {
        Format::Unsupported(Unsupported::LegacyExcel)
    } else if has("PowerPoint Document") {
        Format::Unsupported(Unsupported::LegacyPowerPoint)
    } else {
        Format::Unsupported(Unsupported::LegacyOffice)
    }
}

/// The encoding of text, or `None` when the sample is binary. A byte-order mark decides; else valid UTF-8
/// (a sequence cut at the sample's end aside); else UTF-16 without a mark when every other byte is zero;
/// else GB18030 when it decodes without error. Control characters other than tab, line breaks and form
/// feed make it binary.
pub fn text_encoding(sample: &[u8]) -> Option<TextEncoding> {
    if let Some((enc, bom)) = Encoding::for_bom(sample) {
        let t = if enc == UTF_8 {
            TextEncoding::Utf8
        } else if enc == UTF_16LE {
            TextEncoding::Utf16Le
        } else {
            TextEncoding::Utf16Be
        };
        let body = &sample[bom..];
        let (text, _) = t.encoding().decode_without_bom_handling(body);
        return (!too_many_controls(text.chars())).then_some(t);
    }
    let valid = match std::str::from_utf8(sample) {
        Ok(s) => Some(s),
        // A multi-byte sequence cut at the sample's end is not an error.
        Err(e) if e.error_len().is_none() => {
            Some(std::str::from_utf8(&sample[..e.valid_up_to()]).expect("valid prefix"))
        }
        Err(_) => None,
    };
    if let Some(s) = valid {
        if !too_many_controls(s.chars()) {
            return Some(TextEncoding::Utf8);
        }
    }
    if let Some(t) = utf16_without_bom(sample) {
        return Some(t);
    }
    if valid.is_some() {
        return None;
    }
    let mut dec = GB18030.new_decoder_without_bom_handling();
    let cap = dec
        .max_utf8_buffer_length_without_replacement(sample.len())
        .unwrap_or(sample.len() * 4 + 16);
    let mut out = String::with_capacity(cap);
    // `last = false`: a sequence cut at the sample's end waits for more input instead of failing.
    let (res, _) = dec.decode_to_string_without_replacement(sample, &mut out, false);
    let clean = matches!(res, encoding_rs::DecoderResult::InputEmpty);
    (clean && !too_many_controls(out.chars())).then_some(TextEncoding::Gb18030)
}

fn utf16_without_bom(sample: &[u8]) -> Option<TextEncoding> {
    if sample.len() < 8 {
        return None;
    }
    let pairs = sample.len() / 2;
    let zero_even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let zero_odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    let t = if zero_odd * 10 >= pairs * 4 && zero_even * 20 < pairs {
        TextEncoding::Utf16Le
    } else if zero_even * 10 >= pairs * 4 && zero_odd * 20 < pairs {
        TextEncoding::Utf16Be
    } else {
        return None;
    };
    let (text, had_errors) = t.encoding().decode_without_bom_handling(sample);
    (!had_errors && !too_many_controls(text.chars())).then_some(t)
}

/// NUL or more than one control character in a hundred (tab, line breaks, form feed and escape aside).
fn too_many_controls(chars: impl Iterator<Item = char>) -> bool {
    let (mut n, mut bad) = (0usize, 0usize);
    for c in chars {
        n += 1;
        if c == '\0' {
            return true;
        }
        if (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c' | '\x1b')) || c == '\u{fffd}'
        {
            bad += 1;
        }
    }
    bad * 100 > n
}

/// HTML, SVG, XML or plain text; CSV/TSV when the name says so.
fn text_kind(bytes: &[u8], enc: TextEncoding, name_hint: &str) -> Format {
    let head = &bytes[..bytes.len().min(8 * 1024)];
    let (text, _) = enc.encoding().decode_with_bom_removal(head);
    let t = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    let lower = t
        .chars()
        .take(4096)
        .collect::<String>()
        .to_ascii_lowercase();
    let ext = crate::extract::extension(name_hint);
    if lower.starts_with('<') {
        let root = root_element(&lower);
        if root == "svg" {
            return Format::Svg(enc);
        }
        if root == "html" || lower.starts_with("<!doctype html") {
            return Format::Html(enc);
        }
        if lower.starts_with("<?xml") || lower.starts_with("<!doctype") {
            return Format::Xml(enc);
        }
        const TAGS: [&str; 10] = [
            "<html", "<body", "<head", "<div", "<p>", "<p ", "<table", "<br", "<span", "<meta",
        ];
        if TAGS.iter().any(|t| lower.contains(t)) || matches!(ext.as_str(), "html" | "htm") {
            return Format::Html(enc);
        }
    }
    match ext.as_str() {
        "csv" => Format::Csv(enc),
        "tsv" => Format::Tsv(enc),
        _ => Format::Text(enc),
    }
}

/// The name of the first element after the prolog, comments and doctype (lower-cased input).
fn root_element(lower: &str) -> &str {
    let mut s = lower;
    loop {
        s = s.trim_start();
        if let Some(rest) = s.strip_prefix("<?") {
            s = rest.find("?>").map_or("", |p| &rest[p + 2..]);
        } else if let Some(rest) = s.strip_prefix("<!--") {
            s = rest.find("-->").map_or("", |p| &rest[p + 3..]);
        } else if let Some(rest) = s.strip_prefix("<!") {
            s = rest.find('>').map_or("", |p| &rest[p + 1..]);
        } else if let Some(rest) = s.strip_prefix('<') {
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(rest.len());
            let name = &rest[..end];
            return name.rsplit(':').next().unwrap_or(name);
        } else {
            return "";
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_binary() {
        assert_eq!(sniff(b"", "a.docx"), Format::Empty);
        assert_eq!(
            sniff("你好，世界".as_bytes(), "a.docx"),
            Format::Text(TextEncoding::Utf8)
        );
        let (gb, _, _) = GB18030.encode("学生名单 张三");
        assert_eq!(sniff(&gb, "x"), Format::Text(TextEncoding::Gb18030));
        let mut u16 = vec![0xFF, 0xFE];
        u16.extend("姓名\t手机\n".encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(sniff(&u16, "x.txt"), Format::Text(TextEncoding::Utf16Le));
        let bare: Vec<u8> = "name,phone\nZhang,138\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(sniff(&bare, "x.csv"), Format::Csv(TextEncoding::Utf16Le));
        assert_eq!(
            sniff(b"a,b\n1,2\n", "x.csv"),
            Format::Csv(TextEncoding::Utf8)
        );
        assert_eq!(
            sniff(b"MZ\x90\0\x03\0\0\0", "a.txt"),
            Format::Unsupported(Unsupported::Executable)
        );
        assert_eq!(
            sniff(&[0u8, 1, 2, 3, 200, 201, 17, 18], "a.txt"),
            Format::Binary
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n....", "a.txt"),
            Format::Image("PNG")
        );
        assert_eq!(sniff(b"PK\x03\x04garbage", "a.docx"), Format::DamagedZip);
    }

    #[test]
    fn markup() {
        let svg = br#"<?xml version="1.0"?><!-- c --><svg xmlns="http://www.w3.org/2000/svg"><text>x</text></svg>"#;
        assert_eq!(sniff(svg, "logo.png"), Format::Svg(TextEncoding::Utf8));
        assert_eq!(
            sniff(b"<!DOCTYPE html><p>x", "a"),
            Format::Html(TextEncoding::Utf8)
        );
        assert_eq!(
            sniff(b"<div>x</div>", "a"),
            Format::Html(TextEncoding::Utf8)
        );
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><a/>", "a"),
            Format::Xml(TextEncoding::Utf8)
        );
        assert_eq!(
            sniff(b"a < b and c > d", "a.html"),
            Format::Text(TextEncoding::Utf8)
        );
    }
}
