use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::org::{Assignment, Unit};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

const PARENT: UnitId = UnitId(1);
const SCHOOL: UnitId = UnitId(2);
const HEAD: Subject = Subject::Person(PersonId(10));

fn procedure() -> Procedure {
    Procedure {
        measures: vec!["约谈".into(), "问责".into()],
        ..Procedure::default()
    }
}

/// The acts of a one-subject case in the order the 条例 fixes, with an appeal that succeeds.
fn canonical() -> Vec<Act> {
    vec![
        Act::PreliminaryCheck {
            finding: "经初步核实，网上舆情未按规定第一时间报告".into(),
            proceed: true,
        },
        Act::ApproveStart {
            by: PersonId(1),
            holds_role: true,
        },
        Act::FormTeam {
            members: vec![PersonId(2), PersonId(3)],
        },
        Act::ShowFacts { subject: HEAD },
        Act::HearStatement {
            subject: HEAD,
            points: vec![
                ("当天在外参加培训".into(), Answer::Adopted),
                (
                    "已口头告知分管领导".into(),
                    Answer::NotAdopted {
                        reason: "无任何记录可以印证".into(),
                    },
                ),
            ],
            declined: false,
        },
        Act::DiscussReport {
            meeting: "2026年第5次党组会议".into(),
        },
        Act::Decide {
            subject: HEAD,
            measures: vec!["约谈".into()],
            responsibility: Some(Responsibility::Main),
            suggested: Some(Responsibility::Main),
            reason: String::new(),
            no_commendation: false,
        },
        Act::Serve { subject: HEAD },
        Act::CarryOut { subject: HEAD },
        Act::File { to: PARENT },
        Act::ReceiveFiling { by: PARENT },
        Act::Appeal {
            subject: HEAD,
            grounds: "情节轻微".into(),
        },
        Act::DecideAppeal {
            subject: HEAD,
            upheld: false,
        },
        Act::Correct {
            subject: HEAD,
            text: "改为提醒".into(),
        },
        Act::Archive,
    ]
}

fn run(acts: &[Act]) -> Case {
    let p = procedure();
    let mut c = Case::open(&[HEAD], d(2026, 3, 1));
    for (i, a) in acts.iter().enumerate() {
        c.apply(&p, Some(PARENT), a, d(2026, 3, 2 + i as u32))
            .unwrap_or_else(|e| panic!("{a:?}: {}", e.zh()));
    }
    c
}

#[test]
fn a_case_runs_from_the_lead_to_the_archive_in_order() {
    let c = run(&canonical());
    assert!(c.ended());
    let part = c.part(HEAD).unwrap();
    assert_eq!(part.measures, ["约谈"]);
    assert_eq!(part.appeal_upheld, Some(false));
    assert!(part.corrected.is_some());
    assert!(!part.carried_out_late);
    assert_eq!(c.filed, Some(PARENT));
    let p = procedure();
    assert!(c.next_steps(&p).is_empty());
    assert_eq!(
        Case::open(&[HEAD], d(2026, 3, 1)).next_steps(&p),
        [Step::PreliminaryCheck]
    );
}

#[test]
fn each_skipped_step_is_refused_naming_the_step_it_needs() {
    let acts = canonical();
    // (the act tried, the act skipped before it)
    let pairs = [
        (1, 0),
        (2, 1),
        (3, 2),
        (4, 3),
        (5, 4),
        (6, 5),
        (7, 6),
        (8, 7),
        (10, 9),
        (12, 11),
        (13, 12),
    ];
    let p = procedure();
    for (tried, skipped) in pairs {
        let mut c = run(&acts[..skipped]);
        let err = c
            .apply(&p, Some(PARENT), &acts[tried], d(2026, 4, 1))
            .unwrap_err();
        match err {
            Refusal::Needs { step, .. } => assert_eq!(
                step,
                acts[skipped].step(),
                "{:?} after skipping {:?}",
                acts[tried],
                acts[skipped]
            ),
            other => panic!("{:?}: {other:?}", acts[tried]),
        }
        assert!(err.zh().contains(acts[skipped].step().zh()), "{}", err.zh());
    }
    // The archive waits for what is left: carrying out, filing's 签收, the appeal, the correction.
    for (upto, needed) in [
        (8, Step::CarriedOut),
        (10, Step::FilingReceived),
        (12, Step::AppealDecided),
        (13, Step::Corrected),
    ] {
        let mut c = run(&acts[..upto]);
        let err = c
            .apply(&p, Some(PARENT), &Act::Archive, d(2026, 4, 1))
            .unwrap_err();
        assert!(
            matches!(err, Refusal::Needs { step, .. } if step == needed),
            "after {upto}: {err:?}"
        );
    }
    // Several steps skipped: the first one missing is named.
    let mut c = run(&acts[..1]);
    assert_eq!(
        c.apply(&p, Some(PARENT), &acts[6], d(2026, 4, 1)),
        Err(Refusal::Needs {
            step: Step::StartApproved,
            subject: None
        })
    );
    // A step taken twice, and a case that ended at its check.
    let mut c = run(&acts[..2]);
    assert!(matches!(
        c.apply(&p, Some(PARENT), &acts[1], d(2026, 4, 1)),
        Err(Refusal::Done { .. })
    ));
    let mut c = Case::open(&[HEAD], d(2026, 3, 1));
    c.apply(
        &p,
        Some(PARENT),
        &Act::PreliminaryCheck {
            finding: "线索不实".into(),
            proceed: false,
        },
        d(2026, 3, 2),
    )
    .unwrap();
    assert!(c.ended());
    assert_eq!(
        c.apply(&p, Some(PARENT), &acts[1], d(2026, 3, 3)),
        Err(Refusal::Ended)
    );
}

#[test]
fn what_each_step_must_hold() {
    let p = procedure();
    let acts = canonical();
    let refused = |upto: usize, act: Act| {
        let mut c = run(&acts[..upto]);
        c.apply(&p, Some(PARENT), &act, d(2026, 4, 1)).unwrap_err()
    };
    assert_eq!(
        refused(
            1,
            Act::ApproveStart {
                by: PersonId(9),
                holds_role: false
            }
        ),
        Refusal::NotApprover
    );
    assert_eq!(
        refused(
            2,
            Act::FormTeam {
                members: vec![PersonId(2)]
            }
        ),
        Refusal::TeamTooSmall
    );
    assert_eq!(
        refused(
            2,
            Act::FormTeam {
                members: vec![PersonId(2), PersonId(2)]
            }
        ),
        Refusal::TeamTooSmall
    );
    assert_eq!(
        refused(
            2,
            Act::FormTeam {
                members: vec![PersonId(2), PersonId(10)]
            }
        ),
        Refusal::SubjectInTeam {
            person: PersonId(10)
        }
    );
    assert_eq!(
        refused(
            4,
            Act::HearStatement {
                subject: HEAD,
                points: vec![("不同意".into(), Answer::NotAdopted { reason: " ".into() })],
                declined: false,
            }
        ),
        Refusal::Unanswered
    );
    assert_eq!(
        refused(
            4,
            Act::HearStatement {
                subject: HEAD,
                points: vec![],
                declined: false,
            }
        ),
        Refusal::Unanswered
    );
    // Declining to make a statement is recorded, not refused.
    let mut c = run(&acts[..4]);
    c.apply(
        &p,
        Some(PARENT),
        &Act::HearStatement {
            subject: HEAD,
            points: vec![],
            declined: true,
        },
        d(2026, 4, 1),
    )
    .unwrap();
    assert_eq!(
        refused(
            4,
            Act::ShowFacts {
                subject: Subject::Person(PersonId(77))
            }
        ),
        Refusal::NotASubject {
            subject: Subject::Person(PersonId(77))
        }
    );
    let decide = |measure: &str, resp: Responsibility, reason: &str| Act::Decide {
        subject: HEAD,
        measures: vec![measure.into()],
        responsibility: Some(resp),
        suggested: Some(Responsibility::Main),
        reason: reason.into(),
        no_commendation: false,
    };
    assert_eq!(
        refused(6, decide("开除", Responsibility::Main, "")),
        Refusal::UnknownMeasure {
            measure: "开除".into()
        }
    );
    assert_eq!(
        refused(6, decide("约谈", Responsibility::Important, "")),
        Refusal::ReasonRequired
    );
    let mut c = run(&acts[..6]);
    c.apply(
        &p,
        Some(PARENT),
        &decide(
            "约谈",
            Responsibility::Important,
            "到任不足一月，对该事项不知情",
        ),
        d(2026, 4, 1),
    )
    .unwrap();
    assert_eq!(
        c.part(HEAD).unwrap().responsibility,
        Some(Responsibility::Important)
    );
    assert_eq!(refused(9, Act::File { to: UnitId(99) }), Refusal::NoFiling);
    // A policy without filing archives without it, and refuses to file.
    let no_filing = Procedure {
        filing: false,
        ..procedure()
    };
    let mut c = Case::open(&[HEAD], d(2026, 3, 1));
    for (i, a) in acts[..9].iter().enumerate() {
        c.apply(&no_filing, None, a, d(2026, 3, 2 + i as u32))
            .unwrap();
    }
    assert_eq!(
        c.check(&no_filing, None, &Act::File { to: PARENT }, d(2026, 4, 1)),
        Err(Refusal::NoFiling)
    );
    c.apply(&no_filing, None, &Act::Archive, d(2026, 4, 1))
        .unwrap();
    // Dates never run backwards.
    let mut c = run(&acts[..3]);
    assert_eq!(
        c.apply(&p, Some(PARENT), &acts[3], d(2026, 3, 1)),
        Err(Refusal::Backdated {
            last: d(2026, 3, 4)
        })
    );
}

#[test]
fn an_appeal_past_its_window_is_refused() {
    let p = procedure();
    let acts = canonical();
    let mut c = Case::open(&[HEAD], d(2026, 1, 1));
    for a in &acts[..8] {
        c.apply(&p, Some(PARENT), a, d(2026, 1, 31)).unwrap();
    }
    assert_eq!(appeal_closes(d(2026, 1, 31), &p), d(2026, 2, 28));
    let appeal = Act::Appeal {
        subject: HEAD,
        grounds: "处理过重".into(),
    };
    let err = c
        .check(&p, Some(PARENT), &appeal, d(2026, 3, 1))
        .unwrap_err();
    assert_eq!(
        err,
        Refusal::AppealTooLate {
            closed: d(2026, 2, 28)
        }
    );
    assert!(err.zh().contains("2026年02月28日"));
    c.apply(&p, Some(PARENT), &appeal, d(2026, 2, 28)).unwrap();
}

#[test]
fn organisational_measures_carried_out_after_a_month_are_marked_late() {
    let p = procedure();
    let acts = canonical();
    let mut c = Case::open(&[HEAD], d(2026, 1, 1));
    for a in &acts[..8] {
        c.apply(&p, Some(PARENT), a, d(2026, 1, 10)).unwrap();
    }
    c.apply(&p, Some(PARENT), &acts[8], d(2026, 2, 11)).unwrap();
    assert!(c.part(HEAD).unwrap().carried_out_late);
}

#[test]
fn holders_are_those_of_the_event_date_after_a_change_of_holder() {
    let role = RoleId::parse("first_responsible").unwrap();
    let org = Org::new(
        [
            Unit {
                id: PARENT,
                parent: None,
                kind: "局".into(),
            },
            Unit {
                id: SCHOOL,
                parent: Some(PARENT),
                kind: "学校".into(),
            },
        ],
        vec![
            Assignment {
                person: PersonId(10),
                role: role.clone(),
                unit: SCHOOL,
                from: d(2024, 9, 1),
                to: Some(d(2026, 3, 31)),
            },
            Assignment {
                person: PersonId(11),
                role: role.clone(),
                unit: SCHOOL,
                from: d(2026, 4, 1),
                to: None,
            },
        ],
    );
    let on_event = holders_on(&org, SCHOOL, std::slice::from_ref(&role), d(2026, 3, 15));
    assert_eq!(on_event, [(role.clone(), vec![PersonId(10)])]);
    let today = holders_on(&org, SCHOOL, std::slice::from_ref(&role), d(2026, 12, 1));
    assert_eq!(today, [(role, vec![PersonId(11)])]);
}

#[test]
fn who_opposed_bears_nothing_and_a_decision_taken_alone_is_its_takers() {
    let (head, in_charge, member, dissenter) = (PersonId(1), PersonId(2), PersonId(3), PersonId(4));
    let s = suggest(&Decision {
        head: vec![head],
        in_charge: vec![in_charge],
        positions: vec![
            (head, Position::Agreed),
            (in_charge, Position::Reserved),
            (member, Position::Agreed),
            (dissenter, Position::Opposed),
        ],
        alone: None,
    });
    let of = |p: PersonId| s.iter().find(|x| x.person == p).unwrap();
    assert_eq!(of(head).responsibility, Responsibility::Main);
    assert_eq!(of(in_charge).responsibility, Responsibility::Main);
    assert_eq!(of(member).responsibility, Responsibility::Important);
    assert_eq!(of(dissenter).responsibility, Responsibility::None);
    assert!(of(dissenter).why.contains("反对"));
    // Even the head is exempt when the minutes show clear opposition.
    let s = suggest(&Decision {
        head: vec![head],
        in_charge: vec![],
        positions: vec![(head, Position::Opposed), (member, Position::Agreed)],
        alone: None,
    });
    assert_eq!(s[0].responsibility, Responsibility::None);
    assert_eq!(s[1].responsibility, Responsibility::Important);
    let s = suggest(&Decision {
        head: vec![head],
        in_charge: vec![in_charge],
        positions: vec![],
        alone: Some(member),
    });
    assert_eq!(s.len(), 1);
    assert_eq!(
        (s[0].person, s[0].responsibility),
        (member, Responsibility::Main)
    );
}

#[test]
fn an_effect_bars_commendation_in_the_next_assessment_cycle() {
    let e = no_commendation(HEAD, d(2026, 5, 10));
    assert_eq!(e.text, "取消2026年度考核评优和评先资格");
    // The cycle assessing 2026 (held early in 2027) sees it; 2027's does not.
    assert!(!may_be_commended(
        std::slice::from_ref(&e),
        HEAD,
        d(2026, 1, 1),
        d(2026, 12, 31)
    ));
    assert!(may_be_commended(
        std::slice::from_ref(&e),
        HEAD,
        d(2027, 1, 1),
        d(2027, 12, 31)
    ));
    assert!(may_be_commended(
        &[e],
        Subject::Person(PersonId(99)),
        d(2026, 1, 1),
        d(2026, 12, 31)
    ));
}

#[test]
fn a_decision_that_takes_away_commendation_is_an_effect_until_corrected() {
    let decide = |subject: Subject, bar: bool| Act::Decide {
        subject,
        measures: vec!["约谈".into()],
        responsibility: None,
        suggested: None,
        reason: String::new(),
        no_commendation: bar,
    };
    let other = Subject::Person(PersonId(99));
    let acts = [
        (decide(HEAD, true), d(2026, 5, 10)),
        (decide(other, false), d(2026, 5, 10)),
    ];
    let e = effects_of(acts.iter().map(|(a, on)| (a, *on)));
    assert_eq!(e, vec![no_commendation(HEAD, d(2026, 5, 10))]);
    assert!(!may_be_commended(&e, HEAD, d(2026, 1, 1), d(2026, 12, 31)));
    assert!(may_be_commended(&e, other, d(2026, 1, 1), d(2026, 12, 31)));
    // A correction of the subject's decision takes its effect away; another's stays.
    let corrected = [
        (decide(HEAD, true), d(2026, 5, 10)),
        (decide(other, true), d(2026, 5, 10)),
        (
            Act::Correct {
                subject: HEAD,
                text: "撤销问责决定".into(),
            },
            d(2026, 7, 1),
        ),
    ];
    let e = effects_of(corrected.iter().map(|(a, on)| (a, *on)));
    assert_eq!(e, vec![no_commendation(other, d(2026, 5, 10))]);
}

fn any_act() -> impl Strategy<Value = Act> {
    let pool = canonical();
    let others = vec![
        Act::ShowFacts {
            subject: Subject::Unit(SCHOOL),
        },
        Act::HearStatement {
            subject: Subject::Unit(SCHOOL),
            points: vec![],
            declined: true,
        },
        Act::Decide {
            subject: Subject::Unit(SCHOOL),
            measures: vec!["问责".into()],
            responsibility: None,
            suggested: None,
            reason: String::new(),
            no_commendation: false,
        },
        Act::Serve {
            subject: Subject::Unit(SCHOOL),
        },
        Act::CarryOut {
            subject: Subject::Unit(SCHOOL),
        },
        Act::DecideAppeal {
            subject: HEAD,
            upheld: true,
        },
    ];
    prop::sample::select(pool.into_iter().chain(others).collect::<Vec<_>>())
}

proptest! {
    /// Whatever is tried in whatever order, what was accepted always follows the order.
    #[test]
    fn accepted_acts_always_follow_the_order(acts in prop::collection::vec(any_act(), 0..60)) {
        let p = procedure();
        let mut c = Case::open(&[HEAD, Subject::Unit(SCHOOL)], d(2026, 1, 1));
        for (i, a) in acts.iter().enumerate() {
            let _ = c.apply(&p, Some(PARENT), a, d(2026, 1, 1) + chrono::Days::new(i as u64));
        }
        if c.approved.is_some() { prop_assert_eq!(c.checked, Some(true)); }
        if !c.team.is_empty() { prop_assert!(c.approved.is_some()); }
        for (_, x) in &c.subjects {
            if x.facts_shown.is_some() { prop_assert!(!c.team.is_empty()); }
            if x.heard.is_some() { prop_assert!(x.facts_shown <= x.heard); }
            if x.decided.is_some() { prop_assert!(c.discussed.is_some() && c.discussed <= x.decided); }
            if x.served.is_some() { prop_assert!(x.decided.is_some() && x.decided <= x.served); }
            if x.carried_out.is_some() { prop_assert!(x.served.is_some()); }
            if x.appealed.is_some() { prop_assert!(x.served.is_some()); }
            if x.appeal_upheld.is_some() { prop_assert!(x.appealed.is_some()); }
            if x.corrected.is_some() { prop_assert_eq!(x.appeal_upheld, Some(false)); }
        }
        if c.discussed.is_some() {
            prop_assert!(c.subjects.iter().all(|(_, x)| x.heard.is_some()));
        }
        if c.filed.is_some() {
            prop_assert!(c.subjects.iter().all(|(_, x)| x.served.is_some()));
        }
        if c.filing_received.is_some() { prop_assert!(c.filed.is_some()); }
        if c.archived.is_some() {
            prop_assert!(c.filing_received.is_some());
            prop_assert!(c.subjects.iter().all(|(_, x)| x.carried_out.is_some()
                && (x.appealed.is_none() || x.appeal_upheld.is_some())
                && (x.appeal_upheld != Some(false) || x.corrected.is_some())));
        }
    }
}

#[test]
fn the_procedure_is_the_policys() {
    let text = include_str!("../../../policies/district-school.toml");
    let policy = zeren_policy::parse("district-school.toml", text).unwrap();
    let a = policy.accountability.as_ref().unwrap();
    let p = Procedure::of(a);
    assert_eq!(p.measures, ["约谈", "问责"]);
    assert!(p.filing, "L105: filed with the parent");
    assert_eq!(
        p.appeal_months, 1,
        "the 条例's month when the policy says nothing"
    );
    let longer = text.replace(
        "\nfiling = \"parent\"",
        "\nfiling = \"parent\"\nappeal_months = 2",
    );
    let policy = zeren_policy::parse("district-school.toml", &longer).unwrap();
    let p = Procedure::of(policy.accountability.as_ref().unwrap());
    assert_eq!(p.appeal_months, 2);
    assert_eq!(appeal_closes(d(2026, 1, 31), &p), d(2026, 3, 31));
}
