//! The registration form of a reviewed item (《上网信息审核登记表》): one table of the item, then
//! the trail with a repeating header row, in the fonts and fixed layout WPS needs.

use std::io::{Cursor, Read};

use zeren_export::docx::registration_docx;
use zeren_export::{Registration, RegistrationRow};

fn unzip(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn the_registration_form_carries_the_item_and_its_whole_trail() {
    let row = |at: &str, step: &str, who: &str, what: &str, detail: &str| RegistrationRow {
        at: at.into(),
        who: who.into(),
        what: what.into(),
        step: step.into(),
        detail: detail.into(),
    };
    let r = Registration {
        title: "上网信息审核登记表".into(),
        unit: "市卫健委".into(),
        item: "2026年度奖学金获得者名单公示".into(),
        channel: "门户网站（https://wjw.example.gov.cn）".into(),
        submitter: "宣传干事".into(),
        version: "第2版（f6afa2c3d806）".into(),
        major: true,
        findings: Vec::new(),
        trail: vec![
            row("2026-06-01 09:00", "", "宣传干事", "提交第1版", ""),
            row(
                "2026-06-01 10:00",
                "专人审查",
                "审查员甲",
                "退回修改",
                "意见：身份证号须脱敏 <&>",
            ),
            row(
                "2026-06-01 11:00",
                "专人审查",
                "审查员甲",
                "审核通过",
                "审核要点：上网信息有无涉密问题✓",
            ),
            row(
                "2026-06-02 09:00",
                "",
                "宣传干事",
                "已发布",
                "https://wjw.example.gov.cn/a.html",
            ),
        ],
        stage: "已发布".into(),
    };
    let bytes = registration_docx(&r).unwrap();
    let doc = unzip(&bytes, "word/document.xml");
    for s in [
        "上网信息审核登记表",
        "2026年度奖学金获得者名单公示",
        "门户网站",
        "是否重大",
        "未发现个人信息或密级标志",
        "退回修改",
        "意见：身份证号须脱敏 &lt;&amp;&gt;",
        "上网信息有无涉密问题✓",
        "https://wjw.example.gov.cn/a.html",
        "<w:tblHeader/>",
        "w:tblLayout w:type=\"fixed\"",
        "w:eastAsia=\"仿宋\"",
    ] {
        assert!(doc.contains(s), "{s} in the document");
    }
    assert!(unzip(&bytes, "docProps/core.xml").contains("上网信息审核登记表"));
}
