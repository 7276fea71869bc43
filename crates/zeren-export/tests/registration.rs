//! The registration form of a reviewed item (《上网信息审核登记表》): one table of the item, then
//! the trail with a repeating header row, in the fonts and fixed layout WPS needs.

use std::io::{Cursor, Read};

use zeren_export::docx::registration_docx;
use zeren_export::{
    Registration, RegistrationEvent, RegistrationFile, RegistrationFinding, RegistrationRow,
    RegistrationStep,
};

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
        column: "通知公告".into(),
        author: "李编辑".into(),
        summary: "现将获奖名单公示如下。".into(),
        attachments: vec![RegistrationFile {
            name: "名单.xlsx".into(),
            size: 1234567,
            sha256: "ab".repeat(32),
        }],
        findings: vec![RegistrationFinding {
            kind: "居民身份证号（高）".into(),
            place: "名单.xlsx Sheet1!C2".into(),
            shown: "110105********002X".into(),
            resolution: "第2版已删除".into(),
        }],
        steps: vec![RegistrationStep {
            step: "专人审查".into(),
            reviewer: "审查员甲".into(),
            reviewer_title: "宣传科科员".into(),
            decision: "同意".into(),
            at: "2026年6月1日 11:00".into(),
        }],
        published_url: "https://wjw.example.gov.cn/a.html".into(),
        published_at: "2026年6月2日 09:00".into(),
        event: None,
    };
    let bytes = registration_docx(&r).unwrap();
    let doc = unzip(&bytes, "word/document.xml");
    for s in [
        "上网信息审核登记表",
        "2026年度奖学金获得者名单公示",
        "门户网站",
        "是否重大",
        "通知公告",
        "李编辑",
        "1,234,567 字节",
        &"ab".repeat(32),
        "110105********002X",
        "处理：第2版已删除",
        "宣传科科员",
        "签字：",
        "2026年6月2日 09:00",
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

    // The event form carries the event, not the publication's fields.
    let e = Registration {
        title: "活动审批登记表".into(),
        event: Some(RegistrationEvent {
            speakers: "John Smith".into(),
            background: "某大学教授".into(),
            foreign_speaker: true,
            time: "2026年12月10日 14:30".into(),
            place: "报告厅".into(),
            audience: "本科生约200人".into(),
        }),
        ..r
    };
    let doc = unzip(&registration_docx(&e).unwrap(), "word/document.xml");
    for s in [
        "活动名称",
        "主讲人背景",
        "境外主讲人",
        "从严审批",
        "2026年12月10日 14:30",
        "报告厅",
        "本科生约200人",
    ] {
        assert!(doc.contains(s), "{s} in the event form");
    }
    assert!(!doc.contains("发布地址"));
}
