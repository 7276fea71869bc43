//! A draft is a policy file the format accepts as written: the open questions are comments.

const TEXT: &str = "为切实加强我校意识形态工作，特制定《xx学校意识形态工作责任制实施方案》。
一、组织领导
成立学校意识形态工作领导小组。党支部书记王某同志任组长，副校长李某任副组长，其他班子成员为组员。
下设办公室，由张某同志任主任。
党支部书记为学校意识形态工作第一责任人，分管领导负直接责任，其他成员按照“一岗双责”要求抓好分管领域工作。
二、工作制度
1、党支部每季度至少组织1次有关意识形态工作内容的学习；每年班子成员开展1次授课。
2、学校党支部每半年向区教体局党组以书面形式汇报1次意识形态工作。设立舆情信息员。
3、党委办公室每半年进行一次专题督查，督查结果向场党委报告。
4、每学期召开一次家长会。
5、审核内容包括：上网信息有无涉密问题；信息是否准确等。发布审查工作要有领导分管、部门负责、专人实施。
6、各类报告会、讲座，审批和监督部门为党委宣传部，影响重大的须报主管校领导审批。
7、在酝酿重大政策时，听取意见。方案发布前，进行必要的舆情风险评估。
三、责任追究
有下列情形之一的，应当依据《中国共产党问责条例》予以问责：
（一）组织开展不力的；
（二）发表攻击中国特
色社会主义制度言论的；
（三）其他失职失责情形。
问责可综合运用纪律处分、组织处理、诫勉谈话等措施，分清集体责任和个人责任，并报上级部门备案。
";

#[test]
fn the_draft_parses_as_a_policy_and_cites_every_entry() {
    let (d, toml) = zeren_draft::draft_toml(TEXT, 1, "draft", "plan.txt");
    let p = zeren_policy::parse("draft.toml", &toml).unwrap_or_else(|e| panic!("{e}\n{toml}"));
    assert_eq!(p.meta.title, "xx学校意识形态工作责任制实施方案");
    assert_eq!(p.duties.len(), 5, "{toml}");
    assert!(p.duties.iter().all(|x| x.source.is_some()));
    assert!(p.roles.iter().all(|x| x.source.is_some()));
    assert!(p.bodies.iter().all(|x| x.source.is_some()));
    assert_eq!(p.workflows.len(), 3, "{toml}");
    let a = p.accountability.expect("accountability");
    assert_eq!(a.circumstances.len(), 3);
    assert_eq!(
        a.circumstances[1].text,
        "发表攻击中国特色社会主义制度言论的"
    );
    assert_eq!(a.measures, ["诫勉谈话", "组织处理", "纪律处分"]);
    assert!(a.filing_to_parent);
    // questions are in the file, each at its line, and the same ones the draft lists
    let open = zeren_draft::open_questions(&toml);
    assert_eq!(open.len(), d.all_questions().len());
    assert!(
        open.iter().any(|q| q.starts_with("L10: 每学期")),
        "{open:?}"
    );
    assert!(
        open.iter()
            .any(|q| q.starts_with("L9:") && q.contains("场党委")),
        "{open:?}"
    );
}

#[test]
fn an_empty_text_drafts_a_valid_shell_with_one_question() {
    let (d, toml) = zeren_draft::draft_toml("", 1, "draft", "empty.txt");
    zeren_policy::parse("draft.toml", &toml).unwrap_or_else(|e| panic!("{e}\n{toml}"));
    assert_eq!(d.all_questions().len(), 1);
}

#[test]
fn quotes_and_backslashes_in_the_text_stay_inside_strings() {
    let text = "党支部每月组织一次\"学习\\讨论\"活动。\n特制定《\"x\"实施方案》。";
    let (_, toml) = zeren_draft::draft_toml(text, 1, "draft", "q.txt");
    let p = zeren_policy::parse("draft.toml", &toml).unwrap_or_else(|e| panic!("{e}\n{toml}"));
    assert!(p.duties[0]
        .description
        .as_deref()
        .unwrap()
        .contains("\"学习\\讨论\""));
}

/// A safety-production text written for this test (not a public document), in words the seed texts
/// do not use: 安全生产, 基建处, 分管副校长, 每学期, 节前.
const SAFETY: &str = "为落实安全生产责任制，特制定《xx中学安全生产责任制实施办法》。
一、组织领导
成立学校安全生产工作领导小组，校长任组长，分管副校长任副组长，各处室负责人为成员。
校长是学校安全生产第一责任人，对学校安全工作全面负责。分管副校长负直接责任。
二、工作制度
1、学校每月至少组织一次安全隐患排查，每学期开展一次应急疏散演练。
2、节前开展安全大检查，年底前向区教育局书面报告全年安全工作。
3、基建处每周检查一次消防设施。
三、责任追究
有下列情形之一的，追究有关人员责任：
（一）未按规定开展隐患排查的；
（二）发生安全事故迟报、漏报、瞒报的。
视情节轻重，给予批评教育、通报批评、诫勉谈话或者纪律处分。
";

#[test]
fn a_text_in_other_words_drafts_the_same_kinds_of_entry() {
    let (d, toml) = zeren_draft::draft_toml(SAFETY, 1, "safety", "safety.txt");
    let p = zeren_policy::parse("draft.toml", &toml).unwrap_or_else(|e| panic!("{e}\n{toml}"));
    let r = p
        .roles
        .iter()
        .find(|r| r.id.as_str() == "first_responsible")
        .expect("first responsible");
    assert_eq!(r.held_by.as_deref(), Some("校长"));
    let every: Vec<(String, u32, Option<&str>)> = p
        .duties
        .iter()
        .map(|x| {
            (
                x.every.to_string(),
                x.source.map_or(0, |s| s.first),
                x.owner.as_ref().map(|o| o.as_str()),
            )
        })
        .collect();
    assert_eq!(
        every,
        [
            ("month".to_owned(), 6, None),
            ("half_year".to_owned(), 6, None),
            ("holiday".to_owned(), 7, None),
            ("year".to_owned(), 7, None),
            ("week".to_owned(), 8, Some("department_1")),
        ]
    );
    assert!(p.duties[3].report_to_parent);
    let a = p.accountability.expect("accountability");
    assert_eq!(a.circumstances.len(), 2);
    assert_eq!(a.measures, ["批评教育", "通报批评", "诫勉谈话", "纪律处分"]);
    // 每学期, 节前, 学校 as subject, the new department: each a question, none a silent guess
    let open = zeren_draft::open_questions(&toml);
    assert!(open.iter().any(|q| q.starts_with("L6: 每学期")), "{open:?}");
    assert!(open.iter().any(|q| q.starts_with("L7: 节前")), "{open:?}");
    assert!(open.iter().any(|q| q.contains("department_1")), "{open:?}");
    assert_eq!(open.len(), d.all_questions().len());
}
