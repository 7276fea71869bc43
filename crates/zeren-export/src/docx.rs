//! Word documents written as plain OOXML: a meeting record for one record, and the year's ledger.
//! A4 with the margins of GB/T 9704-2012, explicit East-Asian fonts (宋体 for titles, 仿宋 for
//! text), fixed table layout with explicit grid widths — what WPS needs to show them as intended.

use std::io::Write;

use zip::write::SimpleFileOptions;

use crate::image::{probe, ImageKind};
use crate::{
    date_zh, opt_date_zh, time_zh, Bulletin, ExportError, LedgerMeta, LedgerRow, MeetingRecord,
    Photo, Receipt, Registration, ScoreSheets,
};

/// Half-points: 2号 = 22pt, 3号 = 16pt, 4号 = 14pt, 小4 = 12pt, 5号 = 10.5pt.
const SIZE_TITLE: u32 = 44;
const SIZE_BODY: u32 = 32;
const SIZE_TABLE: u32 = 24;
const SIZE_SMALL: u32 = 21;

/// Escapes text for XML content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids are dropped rather than corrupting the document.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn run(text: &str, font: &str, size: u32, bold: bool) -> String {
    let b = if bold { "<w:b/><w:bCs/>" } else { "" };
    let f = xml_escape(font);
    // Each line of the text becomes a run separated by line breaks.
    let body: Vec<String> = text
        .split('\n')
        .map(|line| format!("<w:t xml:space=\"preserve\">{}</w:t>", xml_escape(line)))
        .collect();
    format!(
        "<w:r><w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"{f}\" w:cs=\"Times New Roman\"/>{b}<w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/></w:rPr>{}</w:r>",
        body.join("<w:br/>")
    )
}

fn para(text: &str, font: &str, size: u32, bold: bool, align: &str) -> String {
    format!(
        "<w:p><w:pPr><w:jc w:val=\"{align}\"/><w:spacing w:before=\"0\" w:after=\"120\"/></w:pPr>{}</w:p>",
        run(text, font, size, bold)
    )
}

/// A table cell of `width` twips spanning `span` grid columns.
/// A heading above a table, kept on the table's page.
fn heading(text: &str) -> String {
    format!(
        "<w:p><w:pPr><w:keepNext/><w:spacing w:before=\"240\" w:after=\"120\"/></w:pPr>{}</w:p>",
        run(text, "宋体", SIZE_BODY, true)
    )
}

fn cell(text: &str, width: u32, span: u32, bold: bool) -> String {
    cell_sized(text, width, span, bold, SIZE_TABLE)
}

/// A table cell with text of `size` half-points.
fn cell_sized(text: &str, width: u32, span: u32, bold: bool, size: u32) -> String {
    cell_spaced(text, width, span, bold, size, 360)
}

/// A table cell with text of `size` half-points and lines `line` 240ths of a line apart (360:
/// one and a half, the documents' default; tables of many rows are set tighter).
fn cell_spaced(text: &str, width: u32, span: u32, bold: bool, size: u32, line: u32) -> String {
    let span = if span > 1 {
        format!("<w:gridSpan w:val=\"{span}\"/>")
    } else {
        String::new()
    };
    let paras: String = text
        .split("\n\n")
        .map(|p| {
            format!(
                "<w:p><w:pPr><w:spacing w:before=\"40\" w:after=\"40\" w:line=\"{line}\" w:lineRule=\"auto\"/></w:pPr>{}</w:p>",
                run(p, "仿宋", size, bold)
            )
        })
        .collect();
    format!(
        "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>{span}<w:vAlign w:val=\"center\"/></w:tcPr>{paras}</w:tc>"
    )
}

fn table(grid: &[u32], rows: &[String], header_rows: usize) -> String {
    let total: u32 = grid.iter().sum();
    let cols: String = grid
        .iter()
        .map(|w| format!("<w:gridCol w:w=\"{w}\"/>"))
        .collect();
    let border = |side: &str| {
        format!("<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>")
    };
    let borders: String = ["top", "left", "bottom", "right", "insideH", "insideV"]
        .iter()
        .map(|s| border(s))
        .collect();
    let body: String = rows
        .iter()
        .enumerate()
        .map(|(i, cells)| {
            let head = if i < header_rows {
                "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>"
            } else {
                "<w:trPr><w:cantSplit/></w:trPr>"
            };
            format!("<w:tr>{head}{cells}</w:tr>")
        })
        .collect();
    format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{total}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblLayout w:type=\"fixed\"/><w:tblBorders>{borders}</w:tblBorders><w:tblCellMar><w:left w:w=\"100\" w:type=\"dxa\"/><w:right w:w=\"100\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr><w:tblGrid>{cols}</w:tblGrid>{body}</w:tbl>"
    )
}

/// A4 page; landscape for wide tables. Margins of GB/T 9704: top 37 mm, bottom 35 mm, left 28 mm,
/// right 26 mm.
fn section(landscape: bool) -> String {
    let (w, h, orient) = if landscape {
        (16838, 11906, " w:orient=\"landscape\"")
    } else {
        (11906, 16838, "")
    };
    format!(
        "<w:sectPr><w:pgSz w:w=\"{w}\" w:h=\"{h}\"{orient}/><w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/></w:sectPr>"
    )
}

const CONTENT_TYPES_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>"#;

const CONTENT_TYPES_TAIL: &str = r#"<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#;

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="仿宋" w:cs="Times New Roman"/><w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:line="360" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>"#;

fn core_props(title: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{}</dc:title><dc:creator>Zeren</dc:creator></cp:coreProperties>"#,
        xml_escape(title)
    )
}

/// A picture stored in the package (`word/media/`), referred to by its relationship id.
pub(crate) struct Media {
    rel_id: String,
    part: String,
    bytes: Vec<u8>,
}

/// Packs a document body (and its pictures) into a .docx.
fn package(title: &str, body: &str, media: &[Media]) -> Result<Vec<u8>, ExportError> {
    package_with(title, body, media, &[])
}

/// A part besides the document's own: its name under `word/`, its content type, the
/// relationship id the body may refer to it by and the relationship's type (the last segment of
/// its URI: `footer`, `settings`), and its XML.
pub(crate) struct Part {
    pub name: &'static str,
    pub content_type: &'static str,
    pub rel_id: &'static str,
    pub rel_type: &'static str,
    pub xml: String,
}

/// Packs a document body, its pictures and further parts (footers, settings) into a .docx.
pub(crate) fn package_with(
    title: &str,
    body: &str,
    media: &[Media],
    parts: &[Part],
) -> Result<Vec<u8>, ExportError> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>{body}</w:body></w:document>"#
    );
    let mut types = CONTENT_TYPES_HEAD.to_string();
    for kind in [ImageKind::Png, ImageKind::Jpeg] {
        if media.iter().any(|m| m.part.ends_with(kind.extension())) {
            types.push_str(&format!(
                "<Default Extension=\"{}\" ContentType=\"{}\"/>",
                kind.extension(),
                kind.media_type()
            ));
        }
    }
    for p in parts {
        types.push_str(&format!(
            "<Override PartName=\"/word/{}\" ContentType=\"{}\"/>",
            p.name, p.content_type
        ));
    }
    types.push_str(CONTENT_TYPES_TAIL);
    let mut doc_rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#,
    );
    for m in media {
        doc_rels.push_str(&format!(
            "<Relationship Id=\"{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"{}\"/>",
            m.rel_id, m.part
        ));
    }
    for p in parts {
        doc_rels.push_str(&format!(
            "<Relationship Id=\"{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{}\" Target=\"{}\"/>",
            p.rel_id, p.rel_type, p.name
        ));
    }
    doc_rels.push_str("</Relationships>");
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in [
        ("[Content_Types].xml", types),
        ("_rels/.rels", RELS.to_string()),
        ("docProps/core.xml", core_props(title)),
        ("word/_rels/document.xml.rels", doc_rels),
        ("word/styles.xml", STYLES.to_string()),
        ("word/document.xml", document),
    ] {
        z.start_file(name, opts)?;
        z.write_all(content.as_bytes())?;
    }
    for p in parts {
        z.start_file(format!("word/{}", p.name), opts)?;
        z.write_all(p.xml.as_bytes())?;
    }
    // Photos are compressed already.
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for m in media {
        z.start_file(format!("word/{}", m.part), stored)?;
        z.write_all(&m.bytes)?;
    }
    z.finish()?;
    Ok(buf.into_inner())
}

/// EMU (English metric units) per twip: pictures are sized in EMU, pages in twips.
const EMU_PER_TWIP: u64 = 635;

/// A picture as its own centred paragraph, `width_twips` wide at most and `max_height_twips`
/// high at most, keeping its proportions.
fn picture(
    n: usize,
    rel_id: &str,
    name: &str,
    (w, h): (u32, u32),
    width_twips: u32,
    max_height_twips: u32,
) -> String {
    let mut cx = width_twips as u64 * EMU_PER_TWIP;
    let mut cy = cx * h as u64 / w as u64;
    let max_cy = max_height_twips as u64 * EMU_PER_TWIP;
    if cy > max_cy {
        cy = max_cy;
        cx = cy * w as u64 / h as u64;
    }
    let name = xml_escape(name);
    format!(
        "<w:p><w:pPr><w:keepNext/><w:spacing w:before=\"120\" w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/><w:jc w:val=\"center\"/></w:pPr><w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:docPr id=\"{n}\" name=\"{name}\"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect=\"1\"/></wp:cNvGraphicFramePr><a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:pic><pic:nvPicPr><pic:cNvPr id=\"{n}\" name=\"{name}\"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed=\"{rel_id}\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
    )
}

/// The photos of a record, each at the text width (a tall one at most half the page high) with
/// its file name as caption; files that are not a readable PNG or JPEG are left out.
fn photos(list: &[Photo], width_twips: u32, max_height_twips: u32) -> (String, Vec<Media>) {
    let mut body = String::new();
    let mut media = Vec::new();
    for p in list {
        let Some((kind, w, h)) = probe(&p.bytes) else {
            continue;
        };
        let n = media.len() + 1;
        let rel_id = format!("rIdImage{n}");
        body.push_str(&picture(
            n,
            &rel_id,
            &p.file_name,
            (w, h),
            width_twips,
            max_height_twips,
        ));
        body.push_str(&para(
            &format!("图{n}　{}", p.file_name),
            "仿宋",
            SIZE_SMALL,
            false,
            "center",
        ));
        media.push(Media {
            rel_id,
            part: format!("media/image{n}.{}", kind.extension()),
            bytes: p.bytes.clone(),
        });
    }
    (body, media)
}

/// One record as a meeting record (会议记录) on A4, with its photos after the table.
pub fn record_docx(r: &MeetingRecord) -> Result<Vec<u8>, ExportError> {
    // Text width on portrait A4: 11906 − 1588 − 1474 = 8844 twips.
    let grid = [1600, 2822, 1600, 2822];
    let full = 2822 * 2 + 1600;
    let participants = if r.participants.is_empty() {
        String::new()
    } else {
        format!(
            "{}（共{}人）",
            r.participants.join("、"),
            r.participants.len()
        )
    };
    let attachments = r.attachments.join("\n");
    let mut rows = vec![
        cell("工作任务", 1600, 1, true) + &cell(&r.duty_title, full, 3, false),
        cell("时间", 1600, 1, true)
            + &cell(&opt_date_zh(r.work_date), 2822, 1, false)
            + &cell("地点", 1600, 1, true)
            + &cell(&r.place, 2822, 1, false),
        cell("所属周期", 1600, 1, true)
            + &cell(&r.period_label, 2822, 1, false)
            + &cell("记录人", 1600, 1, true)
            + &cell(&r.recorded_by, 2822, 1, false),
        cell("参加人员", 1600, 1, true) + &cell(&participants, full, 3, false),
        cell("会议内容", 1600, 1, true) + &cell(&r.content, full, 3, false),
        cell("佐证材料", 1600, 1, true) + &cell(&attachments, full, 3, false),
    ];
    match &r.receipt {
        Receipt::NotReported => {}
        Receipt::Acknowledged { by, at } => rows.push(
            cell("签收人", 1600, 1, true)
                + &cell(by, 2822, 1, false)
                + &cell("签收时间", 1600, 1, true)
                + &cell(&format!("{}（北京时间）", time_zh(*at)), 2822, 1, false),
        ),
        other => rows.push(cell("签收情况", 1600, 1, true) + &cell(&other.line(), full, 3, false)),
    }
    let mut body = String::new();
    body.push_str(&para(&r.unit_name, "宋体", SIZE_BODY, false, "center"));
    body.push_str(&para("会 议 记 录", "宋体", SIZE_TITLE, true, "center"));
    body.push_str(&table(&grid, &rows, 0));
    let mut note = format!(
        "登记时间（北京时间）：{}　第{}版",
        r.recorded_at.map(time_zh).unwrap_or_default(),
        r.version.max(1)
    );
    if let Some(reason) = &r.correction_reason {
        note.push_str(&format!("　更正原因：{reason}"));
    }
    body.push_str(&para(&note, "仿宋", SIZE_SMALL, false, "left"));
    if let Some(h) = &r.chain_head {
        body.push_str(&para(
            &format!("审计链校验码：{h}"),
            "仿宋",
            SIZE_SMALL,
            false,
            "left",
        ));
    }
    // Text height on portrait A4: 16838 − 2098 − 1984 = 12756 twips; a photo takes at most
    // 60% of it, so a tall one leaves room for its caption.
    let (pictures, media) = photos(&r.photos, 8844, 7654);
    if !media.is_empty() {
        // The heading stays with the first photo.
        body.push_str(
            &para("附：现场照片", "宋体", SIZE_BODY, true, "left").replacen(
                "<w:pPr>",
                "<w:pPr><w:keepNext/>",
                1,
            ),
        );
        body.push_str(&pictures);
    }
    body.push_str(&section(false));
    package(&format!("{}会议记录", r.duty_title), &body, &media)
}

/// The year's ledger as a landscape A4 document with one table row per record.
pub fn ledger_docx(meta: &LedgerMeta, rows: &[LedgerRow]) -> Result<Vec<u8>, ExportError> {
    // Text width on landscape A4: 16838 − 1588 − 1474 = 13776 twips. The table is set in 五号
    // (10.5 pt) with single spacing; an ISO date fits its column on one line even in a wide
    // fallback font.
    let grid = [620, 1700, 1550, 1450, 1000, 1300, 1500, 1906, 1300, 1450];
    let headers = [
        "序号",
        "工作任务",
        "周期（到期日）",
        "开展日期",
        "完成情况",
        "地点",
        "参加人员",
        "内容摘要",
        "佐证材料",
        "签收",
    ];
    let mut trs = vec![headers
        .iter()
        .zip(grid)
        .map(|(h, w)| cell_spaced(h, w, 1, true, SIZE_SMALL, 260))
        .collect::<String>()];
    for (n, r) in rows.iter().enumerate() {
        // An excerpt and, for a long list, the first names and the count: the full record is
        // in the XLSX and the meeting record, and short rows keep a page's worth together.
        let excerpt: String = r.content.chars().take(50).collect();
        let excerpt = if r.content.chars().count() > 50 {
            format!("{excerpt}……")
        } else {
            excerpt
        };
        let participants = if r.participants.len() > 6 {
            format!(
                "{}等{}人",
                r.participants[..5].join("、"),
                r.participants.len()
            )
        } else {
            r.participants.join("、")
        };
        let mut status = r.status.clone();
        if r.entered_late {
            status.push_str("（补录）");
        }
        let period = match r.due {
            Some(d) => format!("{}\n{d}", r.period_label),
            None => r.period_label.clone(),
        };
        let values = [
            (n + 1).to_string(),
            r.duty_title.clone(),
            period,
            // ISO dates fit the narrow columns on one line.
            r.work_date.map(|d| d.to_string()).unwrap_or_default(),
            status,
            r.place.clone(),
            participants,
            excerpt,
            r.evidence_files.join("\n"),
            r.receipt.line(),
        ];
        trs.push(
            values
                .iter()
                .zip(grid)
                .map(|(v, w)| cell_spaced(v, w, 1, false, SIZE_SMALL, 260))
                .collect(),
        );
    }
    let mut body = String::new();
    body.push_str(&para(&meta.title, "宋体", SIZE_TITLE, true, "center"));
    let mut line = format!("填报单位：{}　　填报人：{}", meta.unit_name, meta.filled_by);
    if let Some(r) = &meta.reviewed_by {
        line.push_str(&format!("　　审核人：{r}"));
    }
    line.push_str(&format!("　　填报日期：{}", date_zh(meta.filled_on)));
    body.push_str(&para(&line, "仿宋", SIZE_TABLE, false, "left"));
    body.push_str(&table(&grid, &trs, 1));
    let mut footer = crate::xlsx::count_line(rows);
    footer.push_str("签收时间为北京时间。");
    if let Some(h) = &meta.chain_head {
        footer.push_str(&format!("审计链校验码：{h}"));
    }
    body.push_str(&para(&footer, "仿宋", SIZE_SMALL, false, "left"));
    body.push_str(&section(true));
    package(&meta.title, &body, &[])
}

/// A plain document in the manner of GB/T 9704: a centred title (2号 宋体, bold), an optional
/// line under it, paragraphs of 3号 仿宋 indented by two characters (a salutation, ending in
/// "：", is not), then the closing lines — who issues it, the date — to the right. The demo
/// writes its minutes (会议纪要) and reports with it.
pub fn text_docx(
    title: &str,
    subtitle: &str,
    paragraphs: &[String],
    closing: &[String],
) -> Result<Vec<u8>, ExportError> {
    let mut body = String::new();
    body.push_str(&para(title, "宋体", SIZE_TITLE, true, "center"));
    if !subtitle.is_empty() {
        body.push_str(&para(subtitle, "仿宋", SIZE_BODY, false, "center"));
    }
    let line = |text: &str, indent: &str, align: &str| {
        format!(
            "<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"560\" w:lineRule=\"exact\"/>{indent}<w:jc w:val=\"{align}\"/></w:pPr>{}</w:p>",
            run(text, "仿宋", SIZE_BODY, false)
        )
    };
    for p in paragraphs {
        let indent = if p.ends_with('：') {
            ""
        } else {
            "<w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/>"
        };
        body.push_str(&line(p, indent, "both"));
    }
    if !closing.is_empty() {
        body.push_str(&line("", "", "left"));
    }
    for c in closing {
        // Two characters in from the right margin, as 成文日期 is set.
        body.push_str(&line(c, "<w:ind w:right=\"640\"/>", "right"));
    }
    body.push_str(&section(false));
    package(title, &body, &[])
}

/// An inspection's 通报 on portrait A4: the title, the line under it (who issues it, when), the
/// paragraphs of its text (the completion rate among them), then a table of the inspected units
/// with their findings, closed, closed on time, overdue and completion rate, and one of the
/// findings themselves, and the closing lines to the right.
pub fn bulletin_docx(b: &Bulletin) -> Result<Vec<u8>, ExportError> {
    let mut body = String::new();
    body.push_str(&para(&b.title, "宋体", SIZE_TITLE, true, "center"));
    if !b.subtitle.is_empty() {
        body.push_str(&para(&b.subtitle, "仿宋", SIZE_BODY, false, "center"));
    }
    let line = |text: &str, indent: &str, align: &str| {
        format!(
            "<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"560\" w:lineRule=\"exact\"/>{indent}<w:jc w:val=\"{align}\"/></w:pPr>{}</w:p>",
            run(text, "仿宋", SIZE_BODY, false)
        )
    };
    for p in &b.paragraphs {
        body.push_str(&line(
            p,
            "<w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/>",
            "both",
        ));
    }
    // Text width on portrait A4: 11906 − 1588 − 1474 = 8844 twips.
    let grid = [2244, 1200, 1200, 1300, 1600, 1300];
    let headers = [
        "单位",
        "问题数",
        "已销号",
        "按期销号",
        "逾期未销号",
        "完成率",
    ];
    let mut trs = vec![headers
        .iter()
        .zip(grid)
        .map(|(h, w)| cell(h, w, 1, true))
        .collect::<String>()];
    for r in &b.units {
        let values = [
            r.unit.clone(),
            r.findings.to_string(),
            r.closed.to_string(),
            r.closed_on_time.to_string(),
            r.overdue.to_string(),
            r.rate.clone(),
        ];
        trs.push(
            values
                .iter()
                .zip(grid)
                .map(|(v, w)| cell(v, w, 1, false))
                .collect(),
        );
    }
    body.push_str(&heading("一、各单位整改完成情况"));
    body.push_str(&table(&grid, &trs, 1));
    if !b.findings.is_empty() {
        let grid = [720, 1800, 3324, 1500, 1500];
        let headers = ["序号", "单位", "问题", "整改期限", "状态"];
        let mut trs = vec![headers
            .iter()
            .zip(grid)
            .map(|(h, w)| cell_sized(h, w, 1, true, SIZE_SMALL))
            .collect::<String>()];
        for (n, f) in b.findings.iter().enumerate() {
            let values = [
                (n + 1).to_string(),
                f.unit.clone(),
                f.text.clone(),
                opt_date_zh(f.due),
                f.state.clone(),
            ];
            trs.push(
                values
                    .iter()
                    .zip(grid)
                    .map(|(v, w)| cell_sized(v, w, 1, false, SIZE_SMALL))
                    .collect(),
            );
        }
        body.push_str(&heading("二、问题清单"));
        body.push_str(&table(&grid, &trs, 1));
    }
    body.push_str(&line("", "", "left"));
    for c in &b.closing {
        body.push_str(&line(c, "<w:ind w:right=\"640\"/>", "right"));
    }
    body.push_str(&section(false));
    package(&b.title, &body, &[])
}

/// A cycle's 评分表 on portrait A4: the summary of the units ranked (if any), then each unit's
/// table on a page of its own — items indented under their parents, the points, deduction and
/// score, the 扣分原因 as the rules wrote them — and the lines to sign under it.
pub fn score_sheets_docx(d: &ScoreSheets) -> Result<Vec<u8>, ExportError> {
    let page_break = "<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>";
    let mut body = String::new();
    let mut first = true;
    let mut start_page = |body: &mut String| {
        if !first {
            body.push_str(page_break);
        }
        first = false;
    };
    if !d.summary.is_empty() {
        start_page(&mut body);
        body.push_str(&para(
            &format!("{}汇总表", d.title),
            "宋体",
            SIZE_TITLE,
            true,
            "center",
        ));
        if !d.subtitle.is_empty() {
            body.push_str(&para(&d.subtitle, "仿宋", SIZE_TABLE, false, "center"));
        }
        // Text width on portrait A4: 8844 twips.
        let grid = [1100, 800, 2344, 1100, 1100, 1200, 1200];
        let headers = [
            "单位类型",
            "名次",
            "单位",
            "自评得分",
            "考核得分",
            "等次",
            "评先评优",
        ];
        let mut trs = vec![headers
            .iter()
            .zip(grid)
            .map(|(h, w)| cell_sized(h, w, 1, true, SIZE_SMALL))
            .collect::<String>()];
        for r in &d.summary {
            trs.push(
                r.iter()
                    .zip(grid)
                    .map(|(v, w)| cell_sized(v, w, 1, false, SIZE_SMALL))
                    .collect(),
            );
        }
        body.push_str(&table(&grid, &trs, 1));
    }
    let grid = [2900, 700, 700, 700, 3844];
    let headers = ["考核项目", "分值", "扣分", "得分", "扣分原因"];
    for u in &d.units {
        start_page(&mut body);
        body.push_str(&para(
            &format!("{}评分表", d.title),
            "宋体",
            SIZE_TITLE,
            true,
            "center",
        ));
        body.push_str(&para(
            &format!("被考核单位：{}　　{}", u.unit, u.subtitle),
            "仿宋",
            SIZE_TABLE,
            false,
            "center",
        ));
        let mut trs = vec![headers
            .iter()
            .zip(grid)
            .map(|(h, w)| cell_sized(h, w, 1, true, SIZE_SMALL))
            .collect::<String>()];
        for r in &u.rows {
            trs.push(
                r.iter()
                    .zip(grid)
                    .map(|(v, w)| cell_spaced(v, w, 1, false, SIZE_SMALL, 276))
                    .collect(),
            );
        }
        body.push_str(&table(&grid, &trs, 1));
        body.push_str(&para("", "仿宋", SIZE_TABLE, false, "left"));
        body.push_str(&para(
            "考核组成员（签字）：　　　　　　　　　　被考核单位负责人（签字）：",
            "仿宋",
            SIZE_TABLE,
            false,
            "left",
        ));
        body.push_str(&para(
            "　　年　　月　　日",
            "仿宋",
            SIZE_TABLE,
            false,
            "right",
        ));
    }
    body.push_str(&section(false));
    package(&format!("{}评分表", d.title), &body, &[])
}

/// The registration form of a reviewed item (《上网信息审核登记表》) on portrait A4: the item, its
/// channel and submitter, the scan's findings, then every step of its trail with reviewer, checks,
/// opinion and time.
pub fn registration_docx(r: &Registration) -> Result<Vec<u8>, ExportError> {
    let grid = [1500, 2922, 1500, 2922];
    let full = 2922 * 2 + 1500;
    let pair = |a: &str, x: &str, b: &str, y: &str| {
        cell(a, 1500, 1, true)
            + &cell(x, 2922, 1, false)
            + &cell(b, 1500, 1, true)
            + &cell(y, 2922, 1, false)
    };
    let wide = |a: &str, x: &str| cell(a, 1500, 1, true) + &cell(x, full, 3, false);
    let wide_small =
        |a: &str, x: &str| cell(a, 1500, 1, true) + &cell_sized(x, full, 3, false, SIZE_SMALL);
    let yes = |b: bool| if b { "是" } else { "否" };
    let mut rows = Vec::new();
    match &r.event {
        None => {
            rows.push(wide("信息标题", &r.item));
            rows.push(pair("发布单位", &r.unit, "发布阵地", &r.channel));
            rows.push(pair("栏目/频道", &r.column, "撰稿人", &r.author));
        }
        Some(e) => {
            rows.push(wide("活动名称", &r.item));
            rows.push(pair("主办单位", &r.unit, "活动阵地", &r.channel));
            rows.push(pair("活动时间", &e.time, "活动地点", &e.place));
            rows.push(pair(
                "主讲人",
                &e.speakers,
                "境外主讲人",
                yes(e.foreign_speaker),
            ));
            rows.push(wide(
                "主讲人背景",
                &if e.foreign_speaker {
                    format!("{}\n\n（境外主讲人：按制度从严审批）", e.background)
                } else {
                    e.background.clone()
                },
            ));
            rows.push(wide("预计规模及对象", &e.audience));
        }
    }
    rows.push(pair("提交人", &r.submitter, "是否重大", yes(r.major)));
    rows.push(pair("审核版本", &r.version, "当前状态", &r.stage));
    rows.push(wide(
        if r.event.is_some() {
            "活动内容"
        } else {
            "内容摘要"
        },
        &r.summary,
    ));
    let files = if r.attachments.is_empty() {
        "无".to_string()
    } else {
        r.attachments
            .iter()
            .map(|f| {
                format!(
                    "{}（{}）\nSHA-256：{}",
                    f.name,
                    crate::size_zh(f.size),
                    f.sha256
                )
            })
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    rows.push(wide_small("附件", &files));
    let findings = if r.findings.is_empty() {
        "未发现个人信息或密级标志".to_string()
    } else {
        r.findings
            .iter()
            .enumerate()
            .map(|(i, f)| {
                format!(
                    "{}. {}　{}　{}\n处理：{}",
                    i + 1,
                    f.kind,
                    f.place,
                    f.shown,
                    f.resolution
                )
            })
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    rows.push(wide_small("扫描结果及处理", &findings));
    if r.event.is_none() {
        rows.push(pair(
            "发布地址",
            &r.published_url,
            "发布时间",
            &r.published_at,
        ));
    }
    let step_grid = [1300, 1700, 2000, 1544, 2300];
    let mut steps = vec![[
        "审核环节",
        "审核人及职务",
        "审核结论及意见",
        "审核时间",
        "签字",
    ]
    .iter()
    .zip(step_grid)
    .map(|(h, w)| cell(h, w, 1, true))
    .collect::<String>()];
    for s in &r.steps {
        let who = if s.reviewer.is_empty() {
            String::new()
        } else {
            format!("{}\n{}", s.reviewer, s.reviewer_title)
        };
        steps.push(
            [
                s.step.as_str(),
                who.as_str(),
                s.decision.as_str(),
                s.at.as_str(),
                "签字：\n\n日期：　　年　月　日",
            ]
            .iter()
            .zip(step_grid)
            .map(|(x, w)| cell_sized(x, w, 1, false, SIZE_SMALL))
            .collect(),
        );
    }
    let trail_grid = [1900, 1300, 1500, 1600, 2544];
    let mut trail = vec![["时间", "审核环节", "办理人", "办理结果", "审核要点及意见"]
        .iter()
        .zip(trail_grid)
        .map(|(h, w)| cell(h, w, 1, true))
        .collect::<String>()];
    for t in &r.trail {
        trail.push(
            [&t.at, &t.step, &t.who, &t.what, &t.detail]
                .iter()
                .zip(trail_grid)
                .map(|(x, w)| cell_sized(x, w, 1, false, SIZE_SMALL))
                .collect(),
        );
    }
    let mut body = String::new();
    body.push_str(&para(&r.title, "宋体", SIZE_TITLE, true, "center"));
    body.push_str(&table(&grid, &rows, 0));
    body.push_str(&heading("审核意见"));
    body.push_str(&table(&step_grid, &steps, 1));
    body.push_str(&heading("审核记录"));
    body.push_str(&table(&trail_grid, &trail, 1));
    body.push_str(&para(
        "时间均为北京时间。扫描结果中的证件号码、电话号码等均已遮盖。",
        "仿宋",
        SIZE_SMALL,
        false,
        "left",
    ));
    body.push_str(&section(false));
    package(&r.title, &body, &[])
}
