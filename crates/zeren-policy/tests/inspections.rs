//! Inspections (督查) and rectification rules (整改) as policy data, and what the packs say.

use zeren_policy::*;

#[test]
fn the_packs_encode_their_inspections() {
    let p = packs::get("cooperative").unwrap().policy();
    let i = &p.inspections[0];
    assert_eq!(i.by, Inspector::SelfUnit);
    assert_eq!(i.of, At::Kind(UnitKind::parse("party_branch").unwrap()));
    assert_eq!(i.duty.as_ref().unwrap().as_str(), "year_end_inspection");
    assert_eq!(i.checklist.len(), 8);
    assert_eq!(
        i.checklist[0],
        CheckItem::Item(ItemId::parse("principal_responsibility").unwrap())
    );
    assert_eq!(i.source.unwrap().to_string(), "L129-L131");

    let p = packs::get("farm").unwrap().policy();
    let i = &p.inspections[0];
    assert_eq!(
        i.by,
        Inspector::Role(RoleId::parse("party_office").unwrap())
    );
    assert_eq!(i.of, At::Children);
    assert_eq!(
        i.results_to,
        Some(ResultsTo::Body(BodyId::parse("party_committee").unwrap()))
    );

    let p = packs::get("school-bureau").unwrap().policy();
    assert!(p.inspections[0].is_self_inspection());
    assert!(p.inspections[0].duty.is_none(), "no frequency in L264");
    assert!(!p.inspections[1].is_self_inspection());

    let p = packs::get("bureau").unwrap().policy();
    assert_eq!(p.inspections[0].source.unwrap().to_string(), "L84");
    // No seed states severities or rectification deadlines.
    for pack in packs::all() {
        assert!(pack.policy().rectification.is_none(), "{}", pack.id);
    }
}

#[test]
fn severities_set_due_date_rules() {
    let text = r#"format = 1
[policy]
id = "t"
title = "测试"
[roles.office]
title = "办公室"
[duties.study]
title = "专题学习"
every = "quarter"
[inspections.special]
title = "专项督查"
by = { role = "office" }
of = { kind = "school" }
checklist = ["duty:study", "阵地管理"]
results_to = "parent"
[rectification.severities.serious]
title = "严重问题"
kind = "immediate"
[rectification.severities.general]
title = "一般问题"
kind = "deadline"
within = "30d"
workday = "after"
[rectification.severities.long_term]
title = "需长期整改的问题"
kind = "ongoing"
progress_every = "1w"
"#;
    let p = parse("t.toml", text).unwrap_or_else(|e| panic!("{e}"));
    let i = p
        .inspection(&InspectionId::parse("special").unwrap())
        .unwrap();
    assert_eq!(
        i.checklist,
        [
            CheckItem::Duty(DutyId::parse("study").unwrap()),
            CheckItem::Text("阵地管理".into())
        ]
    );
    assert_eq!(i.results_to, Some(ResultsTo::Parent));
    let r = p.rectification.as_ref().unwrap();
    let ids: Vec<&str> = r.severities.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["serious", "general", "long_term"]);
    assert_eq!(r.severities[0].kind, RectificationKind::Immediate);
    assert_eq!(r.severities[0].workday, Workday::Any);
    assert_eq!(r.severities[1].within.unwrap().whole_days(), Some(30));
    assert_eq!(r.severities[1].workday, Workday::After);
    assert_eq!(
        r.severities[2].progress_every.unwrap().whole_days(),
        Some(7)
    );
    assert_eq!(RectificationKind::Ongoing.zh(), "持续整改");
}
