//! A formal document (公文, GB/T 9704-2012): the red 版头 with the document number and the red
//! line, the title, the addressee, headings in their fonts, the signature and date four characters
//! in from the right, the 版记, page numbers — and LibreOffice renders it with its text.

use std::io::{Cursor, Read};
use std::process::Command;

use chrono::NaiveDate;
use zeren_export::gongwen::{gongwen_docx, Gongwen};

fn unzip(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

fn decision() -> Gongwen {
    Gongwen {
        issuer_mark: "中共河东区教育体育局党组".into(),
        number: "河教党〔2026〕12号".into(),
        title: "关于对王某某同志进行问责的决定".into(),
        addressee: "王某某同志".into(),
        paragraphs: vec![
            "经调查，2026年10月3日网上出现涉及你校的重大舆情后，你作为学校意识形态工作第一责任人，未按规定第一时间向区教体局报告。".into(),
            "一、认定的事实".into(),
            "（一）舆情发生后2小时10分钟才报告 <逾期>。".into(),
            "二、问责决定".into(),
            "根据《意识形态工作责任制实施方案》，经2026年11月20日党组会议集体研究，决定对你进行约谈。".into(),
            "如对本决定不服，可在收到本决定之日起一个月内向区教体局党组提出书面申诉。申诉期间，不停止本决定的执行。".into(),
        ],
        signature: "中共河东区教育体育局党组".into(),
        date: NaiveDate::from_ymd_opt(2026, 11, 25),
        copies_to: "中共河东区委组织部".into(),
        printed_by: "河东区教育体育局办公室".into(),
        printed_on: NaiveDate::from_ymd_opt(2026, 11, 25),
    }
}

#[test]
fn a_decision_is_laid_out_as_a_formal_document() {
    let bytes = gongwen_docx(&decision()).unwrap();
    let xml = unzip(&bytes, "word/document.xml");
    for words in [
        "中共河东区教育体育局党组",
        "河教党〔2026〕12号",
        "关于对王某某同志进行问责的决定",
        "王某某同志：",
        "2026年11月25日",
        "抄送：中共河东区委组织部。",
        "&lt;逾期&gt;",
    ] {
        assert!(xml.contains(words), "{words}");
    }
    // The mark in red, the red line under the number, headings in 黑体 and 楷体, body in 仿宋.
    assert!(xml.contains("<w:color w:val=\"FF0000\"/>"));
    assert!(xml.contains("w:color=\"FF0000\"/></w:pBdr>"));
    assert!(xml.contains("w:eastAsia=\"黑体\"") && xml.contains("w:eastAsia=\"楷体\""));
    assert!(xml.contains("w:eastAsia=\"仿宋\""));
    // 28 mm binding side, 37 mm top, a grid of 22 lines; the date four characters in.
    assert!(xml.contains("w:top=\"2098\"") && xml.contains("w:left=\"1588\""));
    assert!(xml.contains("w:linePitch=\"579\""));
    assert!(xml.contains("<w:ind w:right=\"1280\"/><w:jc w:val=\"right\"/>"));
    // 印发 with its date at the right tab stop.
    assert!(xml.contains("河东区教育体育局办公室</w:t><w:tab/>"));
    // Page numbers: odd right, even left, both declared.
    let odd = unzip(&bytes, "word/footer1.xml");
    let even = unzip(&bytes, "word/footer2.xml");
    assert!(odd.contains("w:val=\"right\"") && odd.contains("PAGE"));
    assert!(even.contains("w:val=\"left\"") && even.contains("— "));
    assert!(unzip(&bytes, "word/settings.xml").contains("evenAndOddHeaders"));
    let types = unzip(&bytes, "[Content_Types].xml");
    assert!(types.contains("/word/footer2.xml") && types.contains("/word/settings.xml"));

    // LibreOffice opens it and reads its text back (when installed; .ci/run installs it).
    if Command::new("soffice").arg("--version").output().is_err() {
        eprintln!("skipped: LibreOffice (soffice) is not installed; .ci/run installs it");
        return;
    }
    let dir = std::env::temp_dir().join(format!("zeren-gongwen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("decision.docx");
    std::fs::write(&file, &bytes).unwrap();
    let out = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.join("lo-profile").display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&dir)
        .arg(&file)
        .output()
        .expect("run soffice");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = Command::new("pdftotext")
        .arg(dir.join("decision.pdf"))
        .arg("-")
        .output()
        .expect("run pdftotext");
    let text = String::from_utf8_lossy(&text.stdout).replace(' ', "");
    for words in [
        "关于对王某某同志进行问责的决定",
        "河教党〔2026〕12号",
        "2026年11月25日",
        "—1—",
    ] {
        assert!(text.contains(words), "{words} in {text}");
    }
}
