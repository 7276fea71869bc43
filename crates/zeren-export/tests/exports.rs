//! The exports open and carry their content: read back as packages here, and converted to PDF by
//! LibreOffice (headless) when it is installed — `.ci/run` installs it, so there it always runs.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use zeren_export::docx::{ledger_docx, record_docx};
use zeren_export::xlsx::ledger_xlsx;
use zeren_export::zip_export::{evidence_zip, EvidenceItem};
use zeren_export::{LedgerMeta, LedgerRow, MeetingRecord};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
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
            recorded_at: "2026-03-21 09:30".into(),
            version: 2,
            entered_late: false,
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
        "2026年3月20日",
        "第2版",
        "审计链校验码：7f3a9c",
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
    }
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
        attachments: vec!["会议纪要.pdf".into()],
        recorded_by: "王小明".into(),
        recorded_at: "2026-03-21 09:30".into(),
        version: 2,
        correction_reason: Some("补充参会人员".into()),
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
        "w:eastAsia=\"仿宋\"",
        "w:tblLayout w:type=\"fixed\"",
        "<w:gridCol w:w=\"1600\"/>",
    ] {
        assert!(doc.contains(s), "{s} in the document");
    }
    let dir = out_dir("record");
    let f = dir.join("record.docx");
    std::fs::write(&f, &bytes).unwrap();
    if let Some(text) = libreoffice_text(&f) {
        assert!(
            text.contains("三楼会议室"),
            "the PDF shows the record: {text}"
        );
    }
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
    assert!(doc.contains("已逾期"));
    let dir = out_dir("ledger-docx");
    let f = dir.join("ledger.docx");
    std::fs::write(&f, &bytes).unwrap();
    if let Some(text) = libreoffice_text(&f) {
        assert!(
            text.contains("已逾期") && text.contains("2026-03-20"),
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
    assert!(unzip(&index, "xl/sharedStrings.xml").contains("汇报.docx"));
}

#[test]
fn a_failing_loader_fails_the_export() {
    let items = vec![EvidenceItem {
        duty_title: "x".into(),
        period_label: "y".into(),
        files: vec![("a.pdf".into(), "k".into())],
    }];
    let r = evidence_zip(Cursor::new(Vec::new()), &meta(), &items, |_| {
        Err(std::io::Error::other("checksum mismatch"))
    });
    assert!(r.is_err());
}
