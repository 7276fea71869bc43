//! Every example of `docs/policy-format.md` (shared with the policy authors) is accepted as
//! written. The doc's TOML block is kept as a fixture; when the shared docs sit beside the
//! repository (as on developer machines and in CI) the fixture is checked against them.

use std::path::Path;

use zeren_policy::calendar::WorkCalendar;
use zeren_policy::expand::expand;
use zeren_policy::*;

const DOC_EXAMPLE: &str = include_str!("fixtures/format-doc.toml");

fn parse_ok(text: &str) -> Policy {
    parse("format-doc.toml", text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_fixture_is_the_doc_example() {
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/docs/policy-format.md");
    let Ok(text) = std::fs::read_to_string(&doc) else {
        eprintln!("skipped: {} is not beside the repository", doc.display());
        return;
    };
    let start = text.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let end = start + text[start..].find("```").expect("the block's end");
    assert_eq!(
        &text[start..end],
        DOC_EXAMPLE,
        "policy-format.md changed: update the fixture"
    );
}

#[test]
fn the_doc_example_is_accepted_as_written() {
    let p = parse_ok(DOC_EXAMPLE);
    assert_eq!(p.meta.id.as_str(), "district-school");
    assert_eq!(
        p.meta.source_text.as_deref(),
        Some("seeds/000_6f63e62968ea7061.txt#L86-L105")
    );
    let ids: Vec<&str> = p.roles.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "first_responsible",
            "direct_responsible",
            "leadership",
            "sentiment_officer"
        ]
    );
    assert_eq!(
        p.roles[0].holders,
        Holders {
            min: 1,
            max: Some(1)
        }
    );
    assert_eq!(p.roles[2].holders, Holders { min: 1, max: None });
    assert_eq!(
        p.bodies[1].within.as_ref().map(|b| b.as_str()),
        Some("leading_group")
    );
    let duties: Vec<&str> = p.duties.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        duties,
        [
            "quarterly_study",
            "leader_lecture",
            "study_essay",
            "half_year_report"
        ]
    );
    let q = &p.duties[0];
    assert_eq!((q.every, q.times), (Frequency::Quarter, 1));
    assert_eq!(q.evidence, [Evidence::Minutes, Evidence::Attendance]);
    assert_eq!(
        q.source,
        Some(SourceRef {
            first: 91,
            last: 91
        })
    );
    let r = &p.duties[3];
    assert!(r.report_to_parent);
    assert_eq!((r.due, r.workday), (DueRule::End, Workday::Before));
    assert_eq!(p.duties[1].per, Per::Holder);
    assert_eq!(p.responsibilities.len(), 1);
    let w = &p.workflows[0];
    assert_eq!(
        (w.kind, w.scan, w.checklist.len(), w.steps.len()),
        (WorkflowKind::Publication, true, 3, 3)
    );
    assert!(w.steps[2].major_only && !w.steps[1].major_only);
    assert_eq!(p.workflows[1].requires, [Requirement::RiskAssessment]);
    let c = p.channels.as_ref().unwrap();
    assert_eq!(c.kinds.len(), 5);
    assert_eq!(c.review_every, Some(Frequency::Year));
    assert_eq!(
        c.publish_via.as_ref().map(|w| w.as_str()),
        Some("publication")
    );
    let i = p.incidents.as_ref().unwrap();
    assert_eq!(
        i.levels[0].report_within.map(|r| r.to_string()).as_deref(),
        Some("1h")
    );
    assert!(i.levels[0].escalate_to_parent && !i.levels[1].escalate_to_parent);
    let a = p.assessment.as_ref().unwrap();
    assert_eq!(a.items.iter().map(|i| i.weight.unwrap()).sum::<u32>(), 100);
    assert_eq!(
        a.items[0].measure,
        Measure::Duty(DutyId::parse("quarterly_study").unwrap())
    );
    let acc = p.accountability.as_ref().unwrap();
    assert_eq!(acc.measures.len(), 7);
    assert_eq!(acc.allocation, Some(Allocation::Collective));
    assert!(acc.filing_to_parent);
    assert_eq!(acc.circumstances.len(), 1);
}

/// The doc's commented-out duties, uncommented, are accepted too.
#[test]
fn the_commented_examples_are_accepted() {
    let uncommented: String = DOC_EXAMPLE
        .lines()
        .map(|l| {
            if l.starts_with("# [duties.")
                || l.starts_with("# title")
                || l.starts_with("# every")
                || l.starts_with("# lead")
                || l.starts_with("# owner")
                || l.starts_with("# at")
                || l.starts_with("# report_to")
            {
                &l[2..]
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let p = parse_ok(&uncommented);
    let h = p.duty(&DutyId::parse("holiday_analysis").unwrap()).unwrap();
    assert_eq!(h.every, Frequency::Holiday);
    assert_eq!(h.lead.and_then(|l| l.whole_days()), Some(3));
    let b = p.duty(&DutyId::parse("branch_report").unwrap()).unwrap();
    assert_eq!(b.at, At::Children);
    assert!(b.report_to_parent);

    // The other forms the comments name.
    let kind = uncommented.replace(
        "at = \"children\"          # self",
        "at = { kind = \"party_branch\" } # self",
    );
    let p = parse_ok(&kind);
    let b = p.duty(&DutyId::parse("branch_report").unwrap()).unwrap();
    assert_eq!(b.at, At::Kind(UnitKind::parse("party_branch").unwrap()));

    let start = DOC_EXAMPLE.replace(
        "due = \"end\"              #",
        "due = \"start+15d\"        #",
    );
    assert_eq!(
        parse_ok(&start).duties[3].due,
        DueRule::StartPlus { days: 15 }
    );
    let yearly = DOC_EXAMPLE.replace(
        "every = \"half_year\"\nowner = \"first_responsible\"\nreport_to",
        "every = \"year\"\nowner = \"first_responsible\"\nreport_to",
    );
    let yearly = yearly.replace(
        "due = \"end\"              #",
        "due = \"12-20\"            #",
    );
    assert_eq!(
        parse_ok(&yearly).duties[3].due,
        DueRule::MonthDay { month: 12, day: 20 }
    );
    for w in ["after", "any"] {
        let t = DOC_EXAMPLE.replace("workday = \"before\"", &format!("workday = \"{w}\""));
        assert_eq!(parse_ok(&t).duties[3].workday, Workday::parse(w).unwrap());
    }
}

#[test]
fn the_doc_example_expands_for_2026() {
    let p = parse_ok(DOC_EXAMPLE);
    let cal = WorkCalendar::bundled();
    let e = expand(&p, 2026, &cal);
    // 4 quarters + 1 lecture + 1 essay (leadership min 1) + 2 half-year reports.
    assert_eq!(e.obligations.len(), 8);
    assert!(e.notes.is_empty());
}
