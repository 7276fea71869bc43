//! Whatever the text, the reader does not panic and its draft is a valid policy file.

use proptest::prelude::*;

const PIECES: &[&str] = &[
    "每月",
    "每个月",
    "每季度",
    "每半年",
    "每年",
    "年底前",
    "节前",
    "每学期",
    "至少",
    "1次",
    "一次",
    "两次",
    "不少于3篇",
    "党支部",
    "各基层党支部",
    "学校",
    "党委办公室",
    "团委",
    "工会、学工部",
    "班子成员",
    "校长是",
    "书记为",
    "第一责任人",
    "分管领导",
    "直接责任",
    "一岗双责",
    "有下列情形之一的",
    "（一）",
    "(二)",
    "1、",
    "2.",
    "第三条",
    "一、",
    "向上级党委汇报",
    "向场党委报告",
    "报党委组织部备案",
    "报上级备案",
    "须报",
    "审批",
    "审批和监督部门为",
    "党委宣传部",
    "影响重大的",
    "报告会",
    "讲座",
    "发布",
    "审核内容包括：",
    "领导分管、部门负责、专人实施",
    "重大政策",
    "风险评估",
    "成立",
    "领导小组",
    "组长：",
    "副组长：",
    "成员由",
    "组成",
    "任组长",
    "***",
    "下设办公室",
    "任主任",
    "提醒",
    "批评教育",
    "诫勉谈话",
    "纪律处分",
    "集体责任",
    "个人责任",
    "特制定《",
    "实施方案》",
    "《",
    "》",
    "，",
    "。",
    "；",
    "：",
    "、",
    "\n",
    "\n\n",
    " ",
    "\"",
    "\\",
    "'",
    "#",
    "[",
    "]",
    "=",
    "?",
    "4",
    "十",
    "法定节假日",
    "前瞻",
    "年度",
    "检查",
    "制定",
    "计划",
    "设立",
    "舆情信息员",
    "明确1名",
    "宣传员",
    "就是",
    "的",
    "工作",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(PIECES).prop_map(str::to_owned),
            1 => any::<char>().prop_map(|c| c.to_string()),
        ],
        0..120,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn every_draft_is_a_valid_policy(t in text(), first in 1u32..500) {
        let (d, toml) = zeren_draft::draft_toml(&t, first, "draft", "t.txt");
        if let Err(e) = zeren_policy::parse("draft.toml", &toml) {
            panic!("{e}\n--- text\n{t:?}\n--- draft\n{toml}");
        }
        // every question is in the file, at a line of the text
        prop_assert_eq!(zeren_draft::open_questions(&toml).len(), d.all_questions().len());
        let last = first + t.lines().count().max(1) as u32;
        for q in d.all_questions() {
            prop_assert!(q.line >= first && q.line <= last, "{:?}", q);
        }
    }
}
