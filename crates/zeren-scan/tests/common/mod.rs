//! Builders for small DOCX, XLSX, HTML and PDF documents, so tests need no binary fixtures.
#![allow(dead_code)]

use std::io::Write;

use zip::write::SimpleFileOptions;

pub fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn zip_of(files: &[(&str, String)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in files {
        w.start_file(*name, SimpleFileOptions::default()).unwrap();
        w.write_all(body.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

fn para(text: &str) -> String {
    format!(
        r#"<w:p><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
        xml_escape(text)
    )
}

/// A Word document with body paragraphs, optional tables (first row = headers), a header and a footer.
pub fn docx(paragraphs: &[&str], tables: &[Vec<Vec<&str>>], header: &str, footer: &str) -> Vec<u8> {
    let mut body = String::new();
    for p in paragraphs {
        body.push_str(&para(p));
    }
    for t in tables {
        body.push_str("<w:tbl><w:tblPr/>");
        for row in t {
            body.push_str("<w:tr>");
            for cell in row {
                body.push_str(&format!("<w:tc><w:tcPr/>{}</w:tc>", para(cell)));
            }
            body.push_str("</w:tr>");
        }
        body.push_str("</w:tbl>");
    }
    let doc = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{body}<w:sectPr/></w:body></w:document>"#
    );
    let mut files = vec![
        ("[Content_Types].xml", "<Types/>".to_string()),
        ("word/document.xml", doc),
    ];
    if !header.is_empty() {
        files.push((
            "word/header1.xml",
            format!("<w:hdr {W}>{}</w:hdr>", para(header)),
        ));
    }
    if !footer.is_empty() {
        files.push((
            "word/footer1.xml",
            format!("<w:ftr {W}>{}</w:ftr>", para(footer)),
        ));
    }
    zip_of(&files)
}

/// A cell value in a sheet.
pub enum Cell<'a> {
    Shared(&'a str),
    Inline(&'a str),
    Number(&'a str),
}

/// A workbook: each sheet is a name and rows of cells; strings go to the shared-string table.
pub fn xlsx(sheets: &[(&str, Vec<Vec<Cell>>)]) -> Vec<u8> {
    let mut shared: Vec<String> = Vec::new();
    let mut files = vec![("[Content_Types].xml", "<Types/>".to_string())];
    let mut wb = String::from(
        r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#,
    );
    let mut rels = String::from(
        r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    let mut sheet_files = Vec::new();
    for (i, (name, rows)) in sheets.iter().enumerate() {
        wb.push_str(&format!(
            r#"<sheet name="{}" sheetId="{}" r:id="rId{}"/>"#,
            xml_escape(name),
            i + 1,
            i + 1
        ));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{}" Type="worksheet" Target="worksheets/sheet{}.xml"/>"#,
            i + 1,
            i + 1
        ));
        let mut x = String::from(
            r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
        );
        for (r, row) in rows.iter().enumerate() {
            x.push_str(&format!(r#"<row r="{}">"#, r + 1));
            for (c, cell) in row.iter().enumerate() {
                let reference = format!("{}{}", (b'A' + c as u8) as char, r + 1);
                match cell {
                    Cell::Shared(s) => {
                        shared.push(s.to_string());
                        x.push_str(&format!(
                            r#"<c r="{reference}" t="s"><v>{}</v></c>"#,
                            shared.len() - 1
                        ));
                    }
                    Cell::Inline(s) => x.push_str(&format!(
                        r#"<c r="{reference}" t="inlineStr"><is><t>{}</t></is></c>"#,
                        xml_escape(s)
                    )),
                    Cell::Number(v) => x.push_str(&format!(r#"<c r="{reference}"><v>{v}</v></c>"#)),
                }
            }
            x.push_str("</row>");
        }
        x.push_str("</sheetData></worksheet>");
        sheet_files.push((format!("xl/worksheets/sheet{}.xml", i + 1), x));
    }
    wb.push_str("</sheets></workbook>");
    rels.push_str("</Relationships>");
    let mut sst =
        String::from(r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#);
    for s in &shared {
        sst.push_str(&format!("<si><t>{}</t></si>", xml_escape(s)));
    }
    sst.push_str("</sst>");
    files.push(("xl/workbook.xml", wb));
    files.push(("xl/_rels/workbook.xml.rels", rels));
    files.push(("xl/sharedStrings.xml", sst));
    let names: Vec<String> = sheet_files.iter().map(|(n, _)| n.clone()).collect();
    let mut all: Vec<(&str, String)> = files;
    for (i, (_, body)) in sheet_files.into_iter().enumerate() {
        all.push((Box::leak(names[i].clone().into_boxed_str()), body));
    }
    zip_of(&all)
}

pub fn html(paragraphs: &[&str]) -> Vec<u8> {
    let mut s = String::from(
        "<!DOCTYPE html><html><head><title>公示</title><style>p{color:red}</style></head><body>\n",
    );
    for p in paragraphs {
        s.push_str(&format!("<p>{}</p>\n", xml_escape(p)));
    }
    s.push_str("</body></html>\n");
    s.into_bytes()
}

/// A PDF whose pages show the given lines with a Type0 font: codes are glyph numbers, mapped back to
/// Unicode by a ToUnicode CMap, as office software writes Chinese text. Content streams are deflated.
pub fn pdf(pages: &[Vec<&str>]) -> Vec<u8> {
    let mut chars: Vec<char> = pages.iter().flatten().flat_map(|l| l.chars()).collect();
    chars.sort();
    chars.dedup();
    let code = |c: char| chars.binary_search(&c).unwrap() as u16 + 1;
    let mut objs: Vec<Vec<u8>> = Vec::new();
    let n_pages = pages.len();
    // 1 catalog, 2 pages, 3 font, 4 cidfont, 5 tounicode, then page i: 6+2i, content: 7+2i.
    objs.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let kids: Vec<String> = (0..n_pages).map(|i| format!("{} 0 R", 6 + 2 * i)).collect();
    objs.push(
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            n_pages
        )
        .into_bytes(),
    );
    objs.push(b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 5 0 R >>".to_vec());
    objs.push(b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>".to_vec());
    let mut cmap = String::from("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n");
    for block in chars.chunks(100) {
        cmap.push_str(&format!("{} beginbfchar\n", block.len()));
        for &c in block {
            let mut u = [0u16; 2];
            let hex: String = c
                .encode_utf16(&mut u)
                .iter()
                .map(|x| format!("{x:04X}"))
                .collect();
            cmap.push_str(&format!("<{:04X}> <{hex}>\n", code(c)));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap CMapName currentdict /CMap defineresource pop end end\n");
    objs.push(stream_obj("", cmap.as_bytes()));
    for (i, lines) in pages.iter().enumerate() {
        objs.push(format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>", 7 + 2 * i).into_bytes());
        let mut content = String::from("BT /F1 12 Tf 72 800 Td\n");
        for l in lines {
            let hex: String = l.chars().map(|c| format!("{:04X}", code(c))).collect();
            content.push_str(&format!("<{hex}> Tj 0 -16 Td\n"));
        }
        content.push_str("ET\n");
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(content.as_bytes()).unwrap();
        objs.push(stream_obj("/Filter /FlateDecode", &z.finish().unwrap()));
    }
    assemble(&objs)
}

/// A page with only an image: what a scanner produces.
pub fn scanned_pdf() -> Vec<u8> {
    let objs = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>".to_vec(),
        stream_obj("/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode", &[0xFF, 0xD8, 0xFF, 0xD9]),
        stream_obj("", b"q 595 0 0 842 0 0 cm /Im1 Do Q\n"),
    ];
    assemble(&objs)
}

pub fn stream_obj(extra: &str, data: &[u8]) -> Vec<u8> {
    let mut v = format!("<< /Length {} {extra} >>\nstream\n", data.len()).into_bytes();
    v.extend_from_slice(data);
    v.extend_from_slice(b"\nendstream");
    v
}

pub fn assemble(objs: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objs.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A .docx-named zip whose document.xml inflates to `size` zero bytes from about size/1000 bytes,
/// built from repeated deflate blocks so the test does not compress a gigabyte. `declared` is the
/// uncompressed size written in the headers (a bomb may lie).
pub fn zip_bomb(size: u64, declared: u64) -> Vec<u8> {
    zip_bomb_named(size, declared, "word/document.xml")
}

/// [`zip_bomb`] with the member's name chosen.
pub fn zip_bomb_named(size: u64, declared: u64, name: &str) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    const MIB: usize = 1 << 20;
    let zeros = vec![0u8; MIB];
    let mut c = Compress::new(Compression::best(), false);
    let mut first = Vec::with_capacity(MIB);
    c.compress_vec(&zeros, &mut first, FlushCompress::Sync)
        .unwrap();
    let mut middle = Vec::with_capacity(MIB);
    c.compress_vec(&zeros, &mut middle, FlushCompress::Sync)
        .unwrap();
    let mut last = Vec::with_capacity(1024);
    c.compress_vec(&[], &mut last, FlushCompress::Finish)
        .unwrap();
    let blocks = (size / MIB as u64).max(2) as usize;
    let mut data = first;
    for _ in 1..blocks {
        data.extend_from_slice(&middle);
    }
    data.extend_from_slice(&last);
    let name = name.as_bytes();
    let crc = 0u32;
    let mut out = Vec::new();
    let local = |out: &mut Vec<u8>| {
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&8u16.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(declared.min(u32::MAX as u64) as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name);
    };
    local(&mut out);
    out.extend_from_slice(&data);
    let cd = out.len();
    out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    out.extend_from_slice(&20u16.to_le_bytes());
    out.extend_from_slice(&20u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&8u16.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(&(declared.min(u32::MAX as u64) as u32).to_le_bytes());
    out.extend_from_slice(&(name.len() as u16).to_le_bytes());
    out.extend_from_slice(&[0u8; 12]);
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(name);
    let cd_len = out.len() - cd;
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0u8; 4]);
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&(cd_len as u32).to_le_bytes());
    out.extend_from_slice(&(cd as u32).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A one-sheet workbook with inline-string cells at the given references (any order, any distance).
pub fn sparse_xlsx(cells: &[(&str, &str)]) -> Vec<u8> {
    let mut rows: std::collections::BTreeMap<u32, Vec<(&str, &str)>> = Default::default();
    for &(r, v) in cells {
        let n: u32 = r
            .trim_start_matches(|c: char| c.is_ascii_alphabetic())
            .parse()
            .unwrap_or(1);
        rows.entry(n).or_default().push((r, v));
    }
    let mut sheet = String::from(
        r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData>"#,
    );
    for (n, cs) in rows {
        sheet.push_str(&format!(r#"<row r="{n}">"#));
        for (r, v) in cs {
            sheet.push_str(&format!(
                r#"<c r="{r}" t="inlineStr"><is><t>{}</t></is></c>"#,
                xml_escape(v)
            ));
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    workbook_with(sheet, None)
}

/// A workbook whose one sheet refers to shared string 0, with the given shared-string table.
pub fn with_shared_strings(sst: String) -> Vec<u8> {
    let sheet = r#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#;
    workbook_with(sheet.to_string(), Some(sst))
}

pub fn workbook_with(sheet: String, sst: Option<String>) -> Vec<u8> {
    let wb = r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
    let mut files = vec![
        ("[Content_Types].xml", "<Types/>".to_string()),
        ("xl/workbook.xml", wb.to_string()),
        ("xl/_rels/workbook.xml.rels", rels.to_string()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    if let Some(s) = sst {
        files.push(("xl/sharedStrings.xml", s));
    }
    zip_of(&files)
}
