//! The exports open and carry their content: read back as packages here, and converted to PDF by
//! LibreOffice (headless) when it is installed — `.ci/run` installs it, so there it always runs.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{NaiveDate, NaiveDateTime};
use zeren_export::docx::{ledger_docx, record_docx, score_sheets_docx, text_docx};
use zeren_export::xlsx::{ledger_xlsx, row_height_for, wrapped_lines};
use zeren_export::zip_export::{evidence_zip, EvidenceItem};
use zeren_export::{
    LedgerMeta, LedgerRow, MeetingRecord, Photo, Receipt, ScoreSheets, UnitScoreSheet,
};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

fn long_content() -> String {
    "一、传达学习上级党组织关于意识形态工作的通知精神，逐条对照本单位落实情况。\n二、结合本单位实际分析研判本季度意识形态领域情况，未发现倾向性、苗头性问题。\n三、部署下一阶段工作：加强阵地管理，落实信息发布审核制度，做好舆情收集与报告。".into()
}

fn meta() -> LedgerMeta {
    LedgerMeta {
        title: "河东区第一中学2026年度意识形态工作台账".into(),
        unit_name: "河东区第一中学".into(),
        year: 2026,
        filled_by: "王小明".into(),
        reviewed_by: Some("李书记".into()),
        filled_on: d("2026-11-29"),
        chain_head: Some("7f3a9c".into()),
    }
}

fn rows() -> Vec<LedgerRow> {
    vec![
        LedgerRow {
            duty_title: "意识形态工作内容专题学习".into(),
            period_label: "2026年第一季度".into(),
            due: Some(d("2026-03-31")),
            status: "按时完成".into(),
            work_date: Some(d("2026-03-20")),
            place: "三楼会议室".into(),
            participants: vec!["王庆彬".into(), "周涛宇".into(), "杨茂兰".into()],
            content: "学习《关于意识形态工作责任制实施方案》，研究部署本季度工作。<重点>&要求"
                .into(),
            evidence_files: vec!["会议纪要.pdf".into(), "签到表.jpg".into()],
            recorded_by: "王小明".into(),
            recorded_at: Some(t("2026-03-21 09:30")),
            version: 2,
            entered_late: false,
            receipt: Receipt::NotReported,
        },
        LedgerRow {
            duty_title: "向区教体局党组书面汇报意识形态工作".into(),
            period_label: "2026年上半年".into(),
            due: Some(d("2026-06-30")),
            status: "按时完成".into(),
            work_date: Some(d("2026-06-20")),
            place: "校长办公室".into(),
            participants: vec!["王庆彬".into()],
            content: long_content(),
            evidence_files: vec!["上半年工作汇报.docx".into()],
            recorded_by: "王小明".into(),
            recorded_at: Some(t("2026-06-21 16:05")),
            version: 1,
            entered_late: false,
            receipt: Receipt::Acknowledged {
                by: "赵局长".into(),
                at: t("2026-06-25 10:12"),
            },
        },
        LedgerRow {
            duty_title: "向区教体局党组书面汇报意识形态工作".into(),
            period_label: "2026年上半年".into(),
            due: Some(d("2026-06-30")),
            status: "已逾期".into(),
            ..LedgerRow::default()
        },
    ]
}

fn unzip(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zeren-export-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Converts with LibreOffice and returns the PDF's text, or None when LibreOffice is absent.
fn libreoffice_text(file: &Path) -> Option<String> {
    if Command::new("soffice").arg("--version").output().is_err() {
        eprintln!("skipped: LibreOffice (soffice) is not installed; .ci/run installs it");
        return None;
    }
    let dir = file.parent().unwrap();
    let profile = dir.join("lo-profile");
    let status = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .arg(file)
        .output()
        .expect("run soffice");
    assert!(
        status.status.success(),
        "soffice failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let pdf = file.with_extension("pdf");
    assert!(pdf.exists(), "soffice wrote no PDF for {}", file.display());
    let text = Command::new("pdftotext").arg(&pdf).arg("-").output();
    match text {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        _ => Some(String::new()),
    }
}

#[test]
fn ledger_xlsx_has_title_unit_filler_and_one_row_per_record() {
    let bytes = ledger_xlsx(&meta(), &rows()).unwrap();
    let strings = unzip(&bytes, "xl/sharedStrings.xml");
    for s in [
        "河东区第一中学2026年度意识形态工作台账",
        "填报单位：河东区第一中学",
        "填报人：王小明",
        "填报日期：2026年11月29日",
        "意识形态工作内容专题学习",
        "会议纪要.pdf",
        "审计链校验码：7f3a9c",
        "登记时间（北京时间）",
        "签收人",
        "签收时间（北京时间）",
        "赵局长",
        "共 2 条记录；另有 1 项待办尚未登记。",
    ] {
        assert!(strings.contains(s), "{s} in the workbook");
    }
    assert!(strings.contains("&lt;重点&gt;&amp;要求"), "text is escaped");
    let styles = unzip(&bytes, "xl/styles.xml");
    assert!(styles.contains("宋体"), "an explicit East-Asian font");
    let sheet = unzip(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains("<col ") && sheet.contains("customWidth=\"1\""),
        "explicit column widths"
    );

    let dir = out_dir("xlsx");
    let f = dir.join("ledger.xlsx");
    std::fs::write(&f, &bytes).unwrap();
    if let Some(text) = libreoffice_text(&f) {
        assert!(
            text.contains("意识形态工作台账"),
            "the PDF shows the Chinese title: {text}"
        );
        // Dates are shown as Chinese dates, the version as 第2版, 签收 in China time.
        for s in ["2026年3月20日", "第2版", "2026-06-25 10:12", "赵局长"] {
            assert!(text.contains(s), "{s} in the PDF: {text}");
        }
    }
}

/// The cell of `sheet` at `at` (e.g. "A4"), as written.
fn cell_xml<'a>(sheet: &'a str, at: &str) -> &'a str {
    let start = sheet
        .find(&format!("<c r=\"{at}\""))
        .unwrap_or_else(|| panic!("cell {at} in {sheet}"));
    let rest = &sheet[start..];
    let end = match (rest.find("/>"), rest.find("</c>")) {
        (Some(a), Some(b)) if a < b && !rest[..a].contains('>') => a + 2,
        (_, Some(b)) => b + 4,
        (Some(a), None) => a + 2,
        _ => rest.len(),
    };
    &rest[..end]
}

#[test]
fn ledger_xlsx_stores_numbers_and_dates_as_numbers() {
    let bytes = ledger_xlsx(&meta(), &rows()).unwrap();
    let sheet = unzip(&bytes, "xl/worksheets/sheet1.xml");
    // 序号 (A), 到期日 (D), 开展日期 (E), 登记时间 (L), 版本 (M), 签收时间 (O): numbers, not
    // shared strings, so they sort and add up in WPS and Excel.
    for at in ["A4", "D4", "E4", "L4", "M4", "A5", "M5", "O5", "A6", "D6"] {
        let c = cell_xml(&sheet, at);
        assert!(
            !c.contains("t=\"s\"") && c.contains("<v>"),
            "{at} holds a number: {c}"
        );
    }
    assert!(cell_xml(&sheet, "M4").contains("<v>2</v>"), "version 2");
    assert!(cell_xml(&sheet, "A6").contains("<v>3</v>"), "row number 3");
    // 2026-03-20 is Excel day 46101.
    assert!(cell_xml(&sheet, "E4").contains("<v>46101</v>"));
    // Text stays text.
    assert!(cell_xml(&sheet, "B4").contains("t=\"s\""));
    let styles = unzip(&bytes, "xl/styles.xml");
    assert!(
        styles.contains("formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\""),
        "{styles}"
    );
    assert!(styles.contains("&quot;第&quot;0&quot;版&quot;"));
}

#[test]
fn ledger_xlsx_rows_are_tall_enough_for_their_wrapped_text() {
    let bytes = ledger_xlsx(&meta(), &rows()).unwrap();
    let sheet = unzip(&bytes, "xl/worksheets/sheet1.xml");
    let height = |r: u32| -> f64 {
        let at = sheet.find(&format!("<row r=\"{r}\"")).unwrap();
        let row = &sheet[at..at + sheet[at..].find('>').unwrap()];
        assert!(row.contains("customHeight=\"1\""), "explicit height: {row}");
        let ht = row
            .split("ht=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        ht.parse().unwrap()
    };
    // Row 5 holds the three-paragraph summary in the 34-wide 内容摘要 column.
    let lines = wrapped_lines(&long_content(), 34.0);
    assert!(lines >= 6, "{lines} lines");
    assert_eq!(height(5), row_height_for(lines));
    assert!(
        height(5) >= lines as f64 * 14.0,
        "at least a 11-point line each"
    );
    // Row 4: the two file names on two lines; row 6: the long duty title wraps once.
    assert!(height(4) >= row_height_for(2) && height(4) < height(5));
    assert_eq!(height(6), row_height_for(2));
}

#[test]
fn record_docx_is_a_meeting_record() {
    let r = MeetingRecord {
        unit_name: "河东区第一中学".into(),
        duty_title: "意识形态工作内容专题学习".into(),
        period_label: "2026年第一季度".into(),
        work_date: Some(d("2026-03-20")),
        place: "三楼会议室".into(),
        participants: vec!["王庆彬".into(), "周涛宇".into()],
        content: "一、学习文件。\n\n二、部署工作。".into(),
        attachments: vec![
            "会议纪要.pdf".into(),
            "会场照片.png".into(),
            "签到表.png".into(),
            "损坏的照片.jpg".into(),
        ],
        recorded_by: "王小明".into(),
        recorded_at: Some(t("2026-03-21 09:30")),
        version: 2,
        correction_reason: Some("补充参会人员".into()),
        receipt: Receipt::Acknowledged {
            by: "赵局长".into(),
            at: t("2026-03-25 10:12"),
        },
        photos: vec![
            Photo {
                file_name: "会场照片.png".into(),
                bytes: picture(640, 480),
            },
            Photo {
                file_name: "签到表.png".into(),
                bytes: picture(300, 900),
            },
            Photo {
                file_name: "签到表.jpg".into(),
                bytes: tiny_jpeg(),
            },
            Photo {
                file_name: "损坏的照片.jpg".into(),
                bytes: b"\xFF\xD8 not really".to_vec(),
            },
        ],
        chain_head: Some("7f3a9c".into()),
    };
    let bytes = record_docx(&r).unwrap();
    let doc = unzip(&bytes, "word/document.xml");
    for s in [
        "会 议 记 录",
        "三楼会议室",
        "王庆彬、周涛宇（共2人）",
        "2026年3月20日",
        "更正原因：补充参会人员",
        "登记时间（北京时间）：2026-03-21 09:30",
        "签收人",
        "赵局长",
        "签收时间",
        "2026-03-25 10:12（北京时间）",
        "w:eastAsia=\"仿宋\"",
        "w:tblLayout w:type=\"fixed\"",
        "<w:gridCol w:w=\"1600\"/>",
        "图1　会场照片.png",
        "图2　签到表.png",
        "图3　签到表.jpg",
    ] {
        assert!(doc.contains(s), "{s} in the document");
    }
    assert!(
        !doc.contains("图4"),
        "a file that is not a picture is not embedded"
    );
    // The pictures are parts of the package, related to the document and typed.
    let mut z = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
    let mut media = Vec::new();
    z.by_name("word/media/image1.png")
        .unwrap()
        .read_to_end(&mut media)
        .unwrap();
    assert_eq!(media, picture(640, 480));
    assert!(z.by_name("word/media/image2.png").is_ok());
    assert!(z.by_name("word/media/image3.jpeg").is_ok());
    assert!(z.by_name("word/media/image4.png").is_err());
    let rels = unzip(&bytes, "word/_rels/document.xml.rels");
    assert!(rels.contains("Target=\"media/image1.png\""), "{rels}");
    let types = unzip(&bytes, "[Content_Types].xml");
    assert!(types.contains("Extension=\"png\" ContentType=\"image/png\""));
    assert!(types.contains("Extension=\"jpeg\" ContentType=\"image/jpeg\""));
    // Scaled to the text width (8844 twips = 5615940 EMU), proportions kept; the tall one is
    // capped at 60% of the text height.
    assert!(doc.contains("cx=\"5615940\" cy=\"4211955\""), "{doc}");
    assert!(doc.contains("cx=\"1620096\" cy=\"4860290\""), "{doc}");
    let dir = out_dir("record");
    let f = dir.join("record.docx");
    std::fs::write(&f, &bytes).unwrap();
    if let Some(text) = libreoffice_text(&f) {
        assert!(
            text.contains("三楼会议室") && text.contains("会场照片.png") && text.contains("赵局长"),
            "the PDF shows the record: {text}"
        );
    }
}

/// The smallest baseline JPEG: one 8×8 grey block (a DC difference of 0 and end of block, each
/// coded with a one-bit Huffman code).
fn tiny_jpeg() -> Vec<u8> {
    let mut j = vec![0xFF, 0xD8];
    j.extend([0xFF, 0xDB, 0x00, 0x43, 0x00]);
    j.extend([1u8; 64]);
    j.extend([
        0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00,
    ]);
    for class in [0x00, 0x10] {
        j.extend([0xFF, 0xC4, 0x00, 0x14, class, 0x01]);
        j.extend([0u8; 15]);
        j.push(0x00);
    }
    j.extend([
        0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x3F, 0xFF, 0xD9,
    ]);
    j
}

/// A generated picture: a wall, a red banner and a table, as the demo draws them.
fn picture(w: u32, h: u32) -> Vec<u8> {
    let mut px = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let (r, g, b) = if y > h * 7 / 10 {
                (110, 70, 40)
            } else if y > h / 10 && y < h / 4 && x > w / 8 && x < w * 7 / 8 {
                (190, 30, 40)
            } else {
                (200 + (y * 40 / h) as u8, 200, 190 - (x * 30 / w) as u8)
            };
            px.extend([r, g, b]);
        }
    }
    zeren_export::image::png_rgb(w, h, &px)
}

#[test]
fn ledger_docx_lists_the_year() {
    let bytes = ledger_docx(&meta(), &rows()).unwrap();
    let doc = unzip(&bytes, "word/document.xml");
    assert!(doc.contains("河东区第一中学2026年度意识形态工作台账"));
    assert!(doc.contains("w:orient=\"landscape\""));
    assert!(
        doc.contains("<w:tblHeader/>"),
        "the header row repeats on each page"
    );
    for s in [
        "已逾期",
        ">地点<",
        "三楼会议室",
        "校长办公室",
        ">签收<",
        "赵局长",
        "2026-06-25",
        "10:12",
        "共 2 条记录；另有 1 项待办尚未登记。",
    ] {
        assert!(doc.contains(s), "{s} in the document");
    }
    // Fixed layout: the grid fills the landscape text width exactly.
    let grid: u32 = doc
        .split("<w:gridCol w:w=\"")
        .skip(1)
        .map(|x| x.split('"').next().unwrap().parse::<u32>().unwrap())
        .sum();
    assert_eq!(grid, 13776);
    let dir = out_dir("ledger-docx");
    let f = dir.join("ledger.docx");
    std::fs::write(&f, &bytes).unwrap();
    if let Some(text) = libreoffice_text(&f) {
        assert!(
            text.contains("已逾期")
                && text.contains("2026-03-20")
                && text.contains("三楼会议室")
                && text.contains("赵局长"),
            "the PDF shows the rows: {text}"
        );
    }
}

#[test]
fn evidence_zip_has_a_folder_per_record_and_an_index() {
    let items = vec![
        EvidenceItem {
            duty_title: "专题学习".into(),
            period_label: "2026年第一季度".into(),
            work_date: Some(d("2026-03-20")),
            recorded_by: "王小明".into(),
            receipt: Receipt::Acknowledged {
                by: "赵局长".into(),
                at: t("2026-03-25 10:12"),
            },
            files: vec![
                ("纪要.pdf".into(), "a".into()),
                ("纪要.pdf".into(), "b".into()),
                ("../../etc/passwd".into(), "c".into()),
            ],
        },
        EvidenceItem {
            duty_title: "半年汇报".into(),
            period_label: "2026年上半年".into(),
            files: vec![("汇报.docx".into(), "d".into())],
            ..EvidenceItem::default()
        },
    ];
    let sink = evidence_zip(Cursor::new(Vec::new()), &meta(), &items, |key| {
        Ok(format!("content of {key}").into_bytes())
    })
    .unwrap();
    let bytes = sink.into_inner();
    let z = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
    let mut names: Vec<&str> = z.file_names().collect();
    names.sort();
    assert_eq!(
        names,
        [
            "001 专题学习 2026年第一季度/_.._etc_passwd",
            "001 专题学习 2026年第一季度/纪要.pdf",
            "001 专题学习 2026年第一季度/纪要（2）.pdf",
            "002 半年汇报 2026年上半年/汇报.docx",
            "佐证材料目录.xlsx",
        ]
    );
    assert_eq!(
        unzip(&bytes, "001 专题学习 2026年第一季度/纪要（2）.pdf"),
        "content of b"
    );
    let mut index = Vec::new();
    zip::ZipArchive::new(Cursor::new(&bytes))
        .unwrap()
        .by_name("佐证材料目录.xlsx")
        .unwrap()
        .read_to_end(&mut index)
        .unwrap();
    let strings = unzip(&index, "xl/sharedStrings.xml");
    for s in [
        "汇报.docx",
        "登记人",
        "王小明",
        "签收人",
        "签收时间（北京时间）",
        "赵局长",
    ] {
        assert!(strings.contains(s), "{s} in the index");
    }
    let dir = out_dir("zip-index");
    let f = dir.join("index.xlsx");
    std::fs::write(&f, &index).unwrap();
    if let Some(text) = libreoffice_text(&f) {
        assert!(
            text.contains("2026-03-25 10:12") && text.contains("2026年3月20日"),
            "{text}"
        );
    }
}

#[test]
fn score_sheets_docx_has_a_summary_and_a_page_per_unit_with_its_reasons() {
    let row = |a: &str, b: &str, c: &str, d: &str, e: &str| [a, b, c, d, e].map(|x| x.to_string());
    let unit = |name: &str, line: &str| UnitScoreSheet {
        unit: name.into(),
        subtitle: "考核组评分；得分 57.5 / 100；等次 不合格".into(),
        rows: vec![
            row("一 学习教育制度落实", "40", "11.5", "28.5", ""),
            row("　党支部意识形态专题学习缺次", "", "10", "", line),
            row("合计", "100", "", "57.5", ""),
        ],
    };
    let d = ScoreSheets {
        title: "2026年度意识形态工作考核".into(),
        subtitle: "考核期 2026-01-01 至 2026-12-31；按同类单位排名（已发布）".into(),
        summary: vec![
            ["学校", "1", "河东区第一中学", "47.5", "57.5", "不合格", ""].map(|x| x.to_string()),
        ],
        units: vec![
            unit(
                "河东区第一中学",
                "党支部意识形态专题学习缺次：缺 1 次 × 10 分 = −10（上限 40 分）",
            ),
            unit("河东区第二中学", "缺 3 次 × 10 分 = −30（上限 40 分）"),
        ],
    };
    let bytes = score_sheets_docx(&d).unwrap();
    let doc = unzip(&bytes, "word/document.xml");
    assert_eq!(
        doc.matches("w:type=\"page\"").count(),
        2,
        "a page per unit after the summary"
    );
    for want in [
        "2026年度意识形态工作考核汇总表",
        "2026年度意识形态工作考核评分表",
        "被考核单位：河东区第一中学",
        "扣分原因",
        "缺 1 次 × 10 分 = −10（上限 40 分）",
        "考核组成员（签字）",
    ] {
        assert!(doc.contains(want), "{want}");
    }
    let dir = out_dir("score-sheets");
    let f = dir.join("评分表.docx");
    std::fs::write(&f, &bytes).unwrap();
    if let Some(text) = libreoffice_text(&f) {
        assert!(text.contains("× 10 分 = −10（上限 40 分）"), "{text}");
        assert!(text.contains("河东区第二中学"), "{text}");
    }
}

#[test]
fn a_plain_document_for_minutes() {
    let bytes = text_docx(
        "河东区第一中学党支部会议纪要",
        "2026年3月20日",
        &[
            "河东区教育体育局：".into(),
            "会议传达学习了上级文件精神。".into(),
            "会议要求各部门抓好落实。".into(),
        ],
        &["河东区第一中学党支部".into(), "2026年3月20日".into()],
    )
    .unwrap();
    let doc = unzip(&bytes, "word/document.xml");
    assert!(doc.contains("会议纪要") && doc.contains("w:firstLineChars=\"200\""));
    let closing = doc
        .rfind("<w:jc w:val=\"right\"/>")
        .expect("closing lines to the right");
    assert!(doc[closing..].contains("2026年3月20日"));
    let dir = out_dir("minutes");
    let f = dir.join("minutes.docx");
    std::fs::write(&f, &bytes).unwrap();
    if let Some(text) = libreoffice_text(&f) {
        assert!(text.contains("抓好落实"), "{text}");
    }
}

#[test]
fn a_failing_loader_fails_the_export() {
    let items = vec![EvidenceItem {
        duty_title: "x".into(),
        period_label: "y".into(),
        files: vec![("a.pdf".into(), "k".into())],
        ..EvidenceItem::default()
    }];
    let r = evidence_zip(Cursor::new(Vec::new()), &meta(), &items, |_| {
        Err(std::io::Error::other("checksum mismatch"))
    });
    assert!(r.is_err());
}
