//! An inspection's 通报: the title, the text with the completion rate, a table of the units with
//! their figures and one of the findings, in the fonts and fixed layout WPS needs.

use std::io::{Cursor, Read};

use chrono::NaiveDate;
use zeren_export::docx::bulletin_docx;
use zeren_export::{Bulletin, BulletinFinding, BulletinUnit};

fn unzip(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

fn sample() -> Bulletin {
    Bulletin {
        title: "关于2026年意识形态工作专项督查情况的通报".into(),
        subtitle: "河东区教体局　2026年11月30日".into(),
        paragraphs: vec![
            "2026年10月1日至2026年10月31日，河东区教体局组织开展“2026年意识形态工作专项督查”，督查组（赵督查）对河东区第一中学、河东区第二中学等2个单位进行了督查，走访3次。".into(),
            "截至2026年11月30日，共发现问题2个，已销号1个（按期1个），整改完成率50.0%，逾期未销号1个。".into(),
        ],
        units: vec![
            BulletinUnit { unit: "河东区第一中学".into(), findings: 1, closed: 1, closed_on_time: 1, overdue: 0, rate: "100.0%".into() },
            BulletinUnit { unit: "河东区第二中学".into(), findings: 1, closed: 0, closed_on_time: 0, overdue: 1, rate: "0.0%".into() },
        ],
        findings: vec![
            BulletinFinding { unit: "河东区第一中学".into(), text: "第三季度理论学习无记录".into(), due: NaiveDate::from_ymd_opt(2026, 11, 1), state: "已销号，按期销号".into() },
            BulletinFinding { unit: "河东区第二中学".into(), text: "微信公众号未备案 <未审>".into(), due: NaiveDate::from_ymd_opt(2026, 11, 15), state: "整改中，逾期15天".into() },
        ],
        closing: vec!["河东区教体局".into(), "2026年11月30日".into()],
    }
}

#[test]
fn the_bulletin_carries_the_rate_and_every_unit_and_finding() {
    let bytes = bulletin_docx(&sample()).unwrap();
    let xml = unzip(&bytes, "word/document.xml");
    for words in [
        "关于2026年意识形态工作专项督查情况的通报",
        "整改完成率50.0%",
        "一、各单位整改完成情况",
        "河东区第二中学",
        "100.0%",
        "二、问题清单",
        "微信公众号未备案 &lt;未审&gt;",
        "2026年11月15日",
        "整改中，逾期15天",
    ] {
        assert!(xml.contains(words), "{words}");
    }
    // Two tables, each with a header row repeated on every page; East-Asian fonts named.
    assert_eq!(xml.matches("<w:tbl>").count(), 2);
    assert_eq!(xml.matches("<w:tblHeader/>").count(), 2);
    assert!(xml.contains("w:eastAsia=\"仿宋\"") && xml.contains("w:eastAsia=\"宋体\""));
    if let Some(dir) = std::env::var_os("ZEREN_BULLETIN_OUT") {
        std::fs::write(std::path::Path::new(&dir).join("bulletin.docx"), &bytes).unwrap();
    }
}
