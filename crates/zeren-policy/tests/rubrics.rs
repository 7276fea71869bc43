//! Assessment rubrics as policy data: three held-out rubrics from published 考核细则 are
//! expressible without code written for them; format 1 `[assessment]` files keep their meaning.

use zeren_policy::*;

fn load(name: &str) -> Policy {
    let path = format!(
        "{}/tests/fixtures/rubrics/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    parse(name, &text).unwrap_or_else(|e| panic!("{e}"))
}

fn id(s: &str) -> ItemId {
    ItemId::parse(s).unwrap()
}

#[test]
fn three_published_rubrics_are_expressible() {
    let p = load("yongtai-ideology.toml");
    let a = p.assessment.as_ref().unwrap();
    assert!(a.uses_points());
    let daily = a.item(&id("daily_points")).unwrap();
    assert_eq!(
        daily.rule,
        Some(ScoreRule::PerCase {
            deduct: Points::from_whole(1),
            cap: Some(Points::from_whole(8)),
            case: Some("{n}人".into())
        })
    );
    assert_eq!(a.children(Some(&id("study"))).len(), 3);
    assert_eq!(a.children(None).len(), 1);
    assert_eq!(
        a.item(&id("outreach_team")).unwrap().rule,
        Some(ScoreRule::AllOrNothing)
    );

    let p = load("safety-production.toml");
    let a = p.assessment.as_ref().unwrap();
    assert_eq!(a.grades.len(), 3);
    assert_eq!(a.grades[0].requires, [GradeCondition::NoVeto]);
    assert_eq!(
        a.vetoes[0].effects,
        [
            VetoEffect::Zero,
            VetoEffect::Grade(GradeId::parse("fail").unwrap()),
            VetoEffect::NoCommendation
        ]
    );
    assert_eq!(
        a.item(&id("hazards_overdue")).unwrap().measure,
        Measure::OverdueFindings
    );
    assert_eq!(a.quota_ties, QuotaTies::Within);

    let p = load("party-building.toml");
    let a = p.assessment.as_ref().unwrap();
    assert_eq!(
        a.item(&id("missed_meetings")).unwrap().measure,
        Measure::Missed(DutyId::parse("special_meeting").unwrap())
    );
    assert_eq!(
        a.item(&id("orders")).unwrap().rule,
        Some(ScoreRule::Range {
            min: Points(50),
            max: Points::from_whole(11)
        })
    );
}

#[test]
fn format_1_assessments_keep_their_meaning() {
    for pack in packs::all() {
        if let Some(a) = pack.policy().assessment {
            // The one pack that carries an extended rubric (points, rules, a veto, grades), the
            // example the assessment pages are shown with.
            if pack.id == "district-school" {
                assert!(a.uses_points() && !a.vetoes.is_empty() && !a.grades.is_empty());
                continue;
            }
            assert!(!a.uses_points(), "{}", pack.id);
            assert!(a.vetoes.is_empty() && a.grades.is_empty());
            for i in &a.items {
                assert!(i.under.is_none() && i.rule.is_none(), "{}", pack.id);
            }
        }
    }
}

#[test]
fn points_print_as_written() {
    assert_eq!(Points::from_f64(0.5).unwrap().to_string(), "0.5");
    assert_eq!(Points::from_f64(1.25).unwrap().to_string(), "1.25");
    assert_eq!(Points::from_whole(8).to_string(), "8");
    assert_eq!((Points::ZERO - Points(50)).to_string(), "-0.5");
    assert_eq!(Points::from_f64(0.125), None);
}
