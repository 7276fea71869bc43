//! Incident rules as policy data: a held-out 网络安全 policy with the 1/2/4-hour rule by kind of
//! operator and level-by-level relays for 重大 and above is expressible without code; v1 levels
//! keep their meaning.

use zeren_policy::*;

const NETWORK_SECURITY: &str = include_str!("fixtures/network-security.toml");

fn d(s: &str) -> Duration {
    Duration::parse(s).unwrap()
}

#[test]
fn the_network_security_policy_is_expressible() {
    let p = parse("network-security.toml", NETWORK_SECURITY).unwrap_or_else(|e| panic!("{e}"));
    let inc = p.incidents.as_ref().unwrap();
    assert_eq!(inc.kinds.len(), 3);
    assert_eq!(inc.measures.len(), 3);
    let ids: Vec<&str> = inc.levels.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["especially_major", "major", "large", "general"]);

    let major = inc.level(&LevelId::parse("major").unwrap()).unwrap();
    // 1, 2 or 4 hours by kind of operator
    assert_eq!(
        major.report_within_for("cii_operator"),
        Some(ReportWithin::Within(d("1h")))
    );
    assert_eq!(
        major.report_within_for("central_agency"),
        Some(ReportWithin::Within(d("2h")))
    );
    assert_eq!(
        major.report_within_for("enterprise"),
        Some(ReportWithin::Within(d("4h")))
    );
    // then one hour further up, level by level
    assert_eq!(major.report_to, [ReportTarget::Up(2)]);
    assert_eq!(major.relay_within, Some(d("1h")));
    assert!(major.escalate_to_parent);
    assert_eq!(
        major.sign_off.as_ref().unwrap().as_str(),
        "first_responsible"
    );
    assert_eq!(major.close_review, Some(ClosureReviewer::Parent));
    assert_eq!(major.thresholds.len(), 2);
    assert!(major.thresholds[0].matches(10_000_000));
    assert!(!major.thresholds[0].matches(100_000_000));

    let top = &inc.levels[0];
    assert_eq!(top.relay_within, Some(d("30m")));
    assert_eq!(top.report_to, [ReportTarget::Up(3)]);
    assert_eq!(
        top.daily_report_at,
        Some(TimeOfDay {
            hour: 16,
            minute: 0
        })
    );
    assert_eq!(top.written_within, Some(d("4h")));
    assert_eq!(top.handling.len(), 2);

    let general = &inc.levels[3];
    assert_eq!(
        general.report_to,
        [ReportTarget::Role(
            RoleId::parse("security_leader").unwrap()
        )]
    );
    assert!(!general.escalate_to_parent);
    assert_eq!(general.report_within, None, "no clock: 及时");

    let rules = major.rules_zh(&p).join("\n");
    assert!(
        rules.contains("初报：4小时内；cii_operator：1小时内；central_agency：2小时内"),
        "{rules}"
    );
    assert!(
        rules.contains("报告：上2级（逐级上报，每级1小时内）"),
        "{rules}"
    );
    assert!(rules.contains("签发：第一责任人"), "{rules}");
}

#[test]
fn version_1_levels_keep_their_meaning() {
    let p = packs::get("district-school").unwrap().policy();
    let l = &p.incidents.as_ref().unwrap().levels[0];
    assert_eq!(l.report_within, Some(ReportWithin::Immediately));
    assert!(l.report_to.is_empty() && !l.escalate_to_parent);

    let text = r#"format = 1
[policy]
id = "t"
title = "t"
[incidents.levels.major]
title = "重大舆情"
report_within = "1h"
escalate = "parent"
close_within = "7d"
"#;
    let p = parse("t.toml", text).unwrap();
    let l = &p.incidents.as_ref().unwrap().levels[0];
    assert_eq!(l.report_to, [ReportTarget::Parent]);
    assert!(l.escalate_to_parent);
    assert_eq!(
        l.report_within_for("school"),
        Some(ReportWithin::Within(d("1h")))
    );
    assert_eq!(l.close_within, Some(d("7d")));
}

#[test]
fn raising_a_rule_is_a_policy_difference() {
    let old = parse("a.toml", NETWORK_SECURITY).unwrap();
    let new_text = NETWORK_SECURITY.replacen("relay_within = \"1h\"", "relay_within = \"30m\"", 1);
    let new = parse("b.toml", &new_text).unwrap();
    let d = diff::diff(&old, &new);
    let s = d
        .changes
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(s.contains("每级1小时内"), "{s}");
    assert!(s.contains("每级30分钟内"), "{s}");
}
