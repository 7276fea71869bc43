//! Tests of the 整改 loop: every transition refused in the wrong order names what it needs; the
//! whole loop from finding to 销号; property tests of the state machine over random action runs.

use proptest::prelude::*;
use zeren_policy::{Duration, RectificationKind, Severity, SeverityId, SourceRef, Workday};

use super::*;

const INSPECTOR: Actor = Actor {
    person: PersonId(1),
    side: Side::Inspector,
};
const UNIT: Actor = Actor {
    person: PersonId(2),
    side: Side::Unit,
};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn finding(due: &str) -> FindingText {
    FindingText {
        unit: UnitId(7),
        severity: None,
        clause: "党支部每季度至少组织1次有关意识形态工作内容的学习".into(),
        source: SourceRef::parse("L91"),
        description: "第三季度未组织专题学习".into(),
        evidence: vec!["sha256:ab".into()],
        due: d(due),
    }
}

fn commitment(due: &str) -> Commitment {
    Commitment {
        kind: RectificationKind::Deadline,
        measures: "补开专题学习会，建立学习台账".into(),
        responsible: PersonId(2),
        due: d(due),
    }
}

/// Applies actions, panicking on a refusal; checks that replay gives the same state.
fn run(steps: Vec<(Actor, Action, &str)>) -> (FindingState, Vec<Event>) {
    let mut s = FindingState::default();
    let mut events = Vec::new();
    for (who, a, on) in steps {
        let e = s
            .check(who, a.clone(), d(on))
            .unwrap_or_else(|e| panic!("{a:?}: {e:?}"));
        s.push(&e);
        events.push(e);
    }
    assert_eq!(FindingState::replay(&events), s);
    (s, events)
}

fn sent() -> Vec<(Actor, Action, &'static str)> {
    vec![(
        INSPECTOR,
        Action::Send {
            finding: finding("2026-10-31"),
        },
        "2026-10-01",
    )]
}

fn agreed() -> Vec<(Actor, Action, &'static str)> {
    let mut v = sent();
    v.push((
        UNIT,
        Action::Propose {
            commitment: commitment("2026-10-20"),
        },
        "2026-10-02",
    ));
    v.push((INSPECTOR, Action::Accept { version: 1 }, "2026-10-03"));
    v
}

#[test]
fn the_whole_loop_from_finding_to_closure() {
    // The browser story of issue 14: the bureau sends a finding, the school proposes, the bureau
    // returns once, accepts the second version, the school applies with evidence, the bureau closes.
    let (s, events) = run(vec![
        (
            INSPECTOR,
            Action::Send {
                finding: finding("2026-10-31"),
            },
            "2026-10-01",
        ),
        (
            UNIT,
            Action::Propose {
                commitment: commitment("2026-10-20"),
            },
            "2026-10-02",
        ),
        (
            INSPECTOR,
            Action::Return {
                version: 1,
                reason: "整改措施不具体".into(),
            },
            "2026-10-03",
        ),
        (
            UNIT,
            Action::Propose {
                commitment: Commitment {
                    measures: "10月15日前补开专题学习会；制定季度学习计划并报备".into(),
                    ..commitment("2026-10-20")
                },
            },
            "2026-10-04",
        ),
        (INSPECTOR, Action::Accept { version: 2 }, "2026-10-05"),
        (
            UNIT,
            Action::Progress {
                text: "10月12日召开专题学习会".into(),
                evidence: vec!["sha256:minutes".into()],
            },
            "2026-10-12",
        ),
        (
            UNIT,
            Action::ApplyForClosure {
                text: "已完成整改".into(),
                evidence: vec!["sha256:minutes".into()],
            },
            "2026-10-15",
        ),
        (
            INSPECTOR,
            Action::Close {
                justification: "复查会议记录和签到表，整改到位".into(),
            },
            "2026-10-25",
        ),
    ]);
    assert_eq!(s.stage, Stage::Closed);
    assert_eq!(s.commitment_version, 2);
    assert_eq!(events.len(), 8);
    // Applied on the 15th, before the agreed 20th: closed on time, though 复查 was on the 25th.
    assert_eq!(
        standing(&s, d("2026-11-30")),
        Standing::ClosedOnTime {
            due: d("2026-10-20")
        }
    );
    // Nothing happens to a closed finding.
    assert_eq!(
        s.check(
            UNIT,
            Action::Progress {
                text: "x".into(),
                evidence: vec![]
            },
            d("2026-11-01")
        ),
        Err(InspectionError::Finished {
            stage: Stage::Closed
        })
    );
}

#[test]
fn each_refused_step_names_what_it_needs() {
    let s = FindingState::default();
    let today = d("2026-10-05");
    let needs = |s: &FindingState, who, a| match s.check(who, a, today) {
        Err(InspectionError::Needs { need, .. }) => need,
        other => panic!("{other:?}"),
    };
    // Before the finding is sent.
    assert_eq!(
        needs(
            &s,
            UNIT,
            Action::Propose {
                commitment: commitment("2026-10-20")
            }
        ),
        Need::SentFinding
    );
    assert_eq!(
        needs(
            &s,
            INSPECTOR,
            Action::Correct {
                finding: finding("2026-10-31"),
                reason: "x".into()
            }
        ),
        Need::SentFinding
    );
    // Only the inspecting side sends findings.
    assert_eq!(
        s.check(
            UNIT,
            Action::Send {
                finding: finding("2026-10-31")
            },
            today
        ),
        Err(InspectionError::WrongSide {
            needed: Side::Inspector
        })
    );
    assert_eq!(
        needs(
            &s,
            INSPECTOR,
            Action::Send {
                finding: finding("2026-10-01")
            }
        ),
        Need::DueDate
    );
    let (s, _) = run(sent());
    assert_eq!(s.stage, Stage::AwaitingCommitment);
    assert_eq!(
        needs(&s, INSPECTOR, Action::Accept { version: 1 }),
        Need::Commitment
    );
    assert_eq!(
        needs(
            &s,
            UNIT,
            Action::Progress {
                text: "x".into(),
                evidence: vec![]
            }
        ),
        Need::AgreedCommitment
    );
    assert_eq!(
        needs(
            &s,
            UNIT,
            Action::ApplyForClosure {
                text: "x".into(),
                evidence: vec!["e".into()]
            }
        ),
        Need::AgreedCommitment
    );
    assert_eq!(
        needs(
            &s,
            INSPECTOR,
            Action::Close {
                justification: "x".into()
            }
        ),
        Need::ClosureApplication
    );
    assert_eq!(
        needs(
            &s,
            UNIT,
            Action::Propose {
                commitment: Commitment {
                    measures: " ".into(),
                    ..commitment("2026-10-20")
                }
            }
        ),
        Need::Text
    );
    assert_eq!(
        needs(
            &s,
            UNIT,
            Action::Propose {
                commitment: commitment("2026-09-30")
            }
        ),
        Need::DueDate
    );
    // Proposed: the proposer cannot accept its own version; the other side must.
    let mut v = sent();
    v.push((
        UNIT,
        Action::Propose {
            commitment: commitment("2026-10-20"),
        },
        "2026-10-02",
    ));
    let (s, _) = run(v);
    assert_eq!(
        needs(&s, UNIT, Action::Accept { version: 1 }),
        Need::OtherSide
    );
    assert_eq!(
        s.check(INSPECTOR, Action::Accept { version: 0 }, today),
        Err(InspectionError::StaleVersion { current: 1 })
    );
    assert_eq!(
        needs(
            &s,
            INSPECTOR,
            Action::Return {
                version: 1,
                reason: "".into()
            }
        ),
        Need::Reason
    );
    // Returned: accepting it is refused until a new version.
    let e = s
        .check(
            INSPECTOR,
            Action::Return {
                version: 1,
                reason: "不具体".into(),
            },
            today,
        )
        .unwrap();
    let mut r = s.clone();
    r.push(&e);
    assert_eq!(
        needs(&r, INSPECTOR, Action::Accept { version: 1 }),
        Need::NewVersion
    );
    assert_eq!(
        needs(&r, UNIT, Action::Accept { version: 1 }),
        Need::NewVersion
    );
    // Agreed: 销号 needs evidence and words; 复查 needs a justification or a reason.
    let (s, _) = run(agreed());
    assert_eq!(s.stage, Stage::Rectifying);
    assert_eq!(
        needs(
            &s,
            UNIT,
            Action::ApplyForClosure {
                text: "已整改".into(),
                evidence: vec![]
            }
        ),
        Need::Evidence
    );
    assert_eq!(
        s.check(
            INSPECTOR,
            Action::ApplyForClosure {
                text: "已整改".into(),
                evidence: vec!["e".into()]
            },
            today
        ),
        Err(InspectionError::WrongSide { needed: Side::Unit })
    );
    let mut v = agreed();
    v.push((
        UNIT,
        Action::ApplyForClosure {
            text: "已整改".into(),
            evidence: vec!["e".into()],
        },
        "2026-10-10",
    ));
    let (s, _) = run(v);
    assert_eq!(
        needs(
            &s,
            INSPECTOR,
            Action::Close {
                justification: "  ".into()
            }
        ),
        Need::Justification
    );
    assert_eq!(
        needs(&s, INSPECTOR, Action::ReturnRecheck { reason: "".into() }),
        Need::Reason
    );
    assert_eq!(
        needs(
            &s,
            UNIT,
            Action::Propose {
                commitment: commitment("2026-10-25")
            }
        ),
        Need::ClosureApplication
    );
    assert_eq!(
        s.check(
            UNIT,
            Action::Close {
                justification: "x".into()
            },
            today
        ),
        Err(InspectionError::WrongSide {
            needed: Side::Inspector
        })
    );
}

#[test]
fn any_edit_reopens_acceptance_on_both_sides() {
    let mut v = agreed();
    // The inspecting side edits the due date during rectification: the unit must accept again.
    v.push((
        INSPECTOR,
        Action::Propose {
            commitment: commitment("2026-10-18"),
        },
        "2026-10-06",
    ));
    let (s, _) = run(v.clone());
    assert_eq!(s.stage, Stage::Negotiating);
    assert_eq!(s.accepted, [false, true]);
    // The old agreement still sets the due date meanwhile.
    assert_eq!(s.due(), Some(d("2026-10-20")));
    v.push((UNIT, Action::Accept { version: 2 }, "2026-10-07"));
    let (s, _) = run(v.clone());
    assert_eq!(s.stage, Stage::Rectifying);
    assert_eq!(s.due(), Some(d("2026-10-18")));
    // A corrected finding reopens the commitment on both sides.
    v.push((
        INSPECTOR,
        Action::Correct {
            finding: FindingText {
                description: "第三季度未组织专题学习，且无学习计划".into(),
                ..finding("2026-10-31")
            },
            reason: "补充问题表述".into(),
        },
        "2026-10-08",
    ));
    let (s, events) = run(v.clone());
    assert_eq!(s.stage, Stage::Negotiating);
    assert_eq!(s.accepted, [false, false]);
    assert_eq!(s.finding_version, 2);
    // The sent version stays in the history, unchanged.
    match &events[0] {
        Event::FindingSent {
            version, finding, ..
        } => {
            assert_eq!(*version, 1);
            assert_eq!(finding.description, "第三季度未组织专题学习");
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(
        s.check(
            INSPECTOR,
            Action::Correct {
                finding: finding("2026-10-31"),
                reason: "".into()
            },
            d("2026-10-09")
        ),
        Err(InspectionError::Needs {
            need: Need::Reason,
            stage: Stage::Negotiating
        })
    );
    // Both must accept the same version again.
    v.push((UNIT, Action::Accept { version: 2 }, "2026-10-09"));
    v.push((INSPECTOR, Action::Accept { version: 2 }, "2026-10-09"));
    let (s, _) = run(v);
    assert_eq!(s.stage, Stage::Rectifying);
}

#[test]
fn recheck_can_return_it_and_overdue_counts_days() {
    let mut v = agreed();
    v.push((
        UNIT,
        Action::ApplyForClosure {
            text: "已整改".into(),
            evidence: vec!["e".into()],
        },
        "2026-10-18",
    ));
    // Waiting for 复查 after applying in time: not overdue, even past the date.
    let (s, _) = run(v.clone());
    assert!(matches!(
        standing(&s, d("2026-10-25")),
        Standing::Open { .. }
    ));
    v.push((
        INSPECTOR,
        Action::ReturnRecheck {
            reason: "签到表缺失".into(),
        },
        "2026-10-22",
    ));
    let (s, _) = run(v.clone());
    assert_eq!(s.stage, Stage::Rectifying);
    assert_eq!(
        standing(&s, d("2026-10-25")),
        Standing::Overdue {
            due: d("2026-10-20"),
            days: 5
        }
    );
    assert_eq!(standing(&s, d("2026-10-25")).zh(), "逾期5天");
    assert_eq!(
        standing(&s, d("2026-10-20")),
        Standing::Open {
            due: d("2026-10-20"),
            days_left: 0
        }
    );
    v.push((
        UNIT,
        Action::ApplyForClosure {
            text: "补充签到表".into(),
            evidence: vec!["e2".into()],
        },
        "2026-10-27",
    ));
    v.push((
        INSPECTOR,
        Action::Close {
            justification: "整改到位".into(),
        },
        "2026-10-28",
    ));
    let (s, _) = run(v);
    assert_eq!(
        standing(&s, d("2026-11-30")),
        Standing::ClosedLate {
            due: d("2026-10-20"),
            days: 7
        }
    );
}

#[test]
fn completion_rate_of_an_inspection() {
    let today = d("2026-11-05");
    let mut closed = agreed();
    closed.push((
        UNIT,
        Action::ApplyForClosure {
            text: "已整改".into(),
            evidence: vec!["e".into()],
        },
        "2026-10-10",
    ));
    closed.push((
        INSPECTOR,
        Action::Close {
            justification: "到位".into(),
        },
        "2026-10-11",
    ));
    let (a, _) = run(closed);
    let (b, _) = run(agreed()); // overdue since 20 October
    let (c, _) = run(sent()); // due 31 October, no commitment: overdue too
    let mut w = sent();
    w.push((
        INSPECTOR,
        Action::Withdraw {
            reason: "误报".into(),
        },
        "2026-10-02",
    ));
    let (withdrawn, _) = run(w);
    let draft = FindingState::default();
    let c = completion([&a, &b, &c, &withdrawn, &draft], today);
    assert_eq!(
        c,
        Completion {
            findings: 3,
            closed: 1,
            closed_on_time: 1,
            open: 2,
            overdue: 2
        }
    );
    assert_eq!(
        c.zh(),
        "共发现问题3个，已销号1个（按期1个），整改完成率33.3%，逾期未销号2个"
    );
    assert_eq!(completion([], today).rate_percent(), None);
}

#[test]
fn due_dates_from_severities() {
    let cal = WorkCalendar::bundled();
    let sev = |kind, within: Option<&str>, workday| Severity {
        id: SeverityId::parse("s").unwrap(),
        title: "问题".into(),
        kind,
        within: within.map(|w| Duration::parse(w).unwrap()),
        workday,
        progress_every: Some(Duration::parse("2w").unwrap()),
        source: None,
    };
    let sent = d("2026-09-25");
    // 限期整改 30 days: calendar days by default, even into the 国庆 holiday.
    let deadline = sev(RectificationKind::Deadline, Some("10d"), Workday::Any);
    assert_eq!(finding_due(&deadline, sent, &cal), Some(d("2026-10-05")));
    // moved after the holiday when the policy says so
    let after = sev(RectificationKind::Deadline, Some("10d"), Workday::After);
    assert_eq!(finding_due(&after, sent, &cal), Some(d("2026-10-08")));
    // 立行立改: the same day
    let now = sev(RectificationKind::Immediate, None, Workday::Any);
    assert_eq!(finding_due(&now, sent, &cal), Some(sent));
    // 持续整改 without days: the inspector sets the date
    let ongoing = sev(RectificationKind::Ongoing, None, Workday::Any);
    assert_eq!(finding_due(&ongoing, sent, &cal), None);
    // progress every two weeks while rectifying
    let (s, _) = run(agreed());
    assert_eq!(next_progress_due(&s, &ongoing), Some(d("2026-10-15")));
}

// ------------------------------------------------------------------------------ properties

fn any_action() -> impl Strategy<Value = (bool, Action)> {
    let side = any::<bool>();
    let version = 0u32..4;
    let text = prop::sample::select(vec!["", " ", "已整改"]);
    let day = 0i64..60;
    let action = prop_oneof![
        day.clone().prop_map(|n| Action::Send {
            finding: FindingText {
                due: d("2026-10-01") + chrono::Duration::days(n),
                ..finding("2026-10-31")
            }
        }),
        (day.clone(), text.clone()).prop_map(|(n, r)| Action::Correct {
            finding: FindingText {
                due: d("2026-10-01") + chrono::Duration::days(n),
                ..finding("2026-10-31")
            },
            reason: r.into()
        }),
        text.clone()
            .prop_map(|r| Action::Withdraw { reason: r.into() }),
        (day, text.clone()).prop_map(|(n, m)| Action::Propose {
            commitment: Commitment {
                measures: m.into(),
                ..commitment("2026-10-01")
            }
            .with_due(d("2026-09-25") + chrono::Duration::days(n))
        }),
        version.clone().prop_map(|v| Action::Accept { version: v }),
        (version, text.clone()).prop_map(|(v, r)| Action::Return {
            version: v,
            reason: r.into()
        }),
        text.clone().prop_map(|t| Action::Progress {
            text: t.into(),
            evidence: vec![]
        }),
        (text.clone(), any::<bool>()).prop_map(|(t, e)| Action::ApplyForClosure {
            text: t.into(),
            evidence: if e { vec!["e".into()] } else { vec![] }
        }),
        text.clone().prop_map(|j| Action::Close {
            justification: j.into()
        }),
        text.prop_map(|r| Action::ReturnRecheck { reason: r.into() }),
    ];
    (side, action)
}

impl Commitment {
    fn with_due(mut self, due: NaiveDate) -> Self {
        self.due = due;
        self
    }
}

proptest! {
    /// Over any run of actions by either side: rectification starts only when both sides accepted
    /// the same, current version; any new version (either side) or corrected finding reopens it;
    /// 销号 only after an application with evidence and by the inspecting side with a
    /// justification; closed and withdrawn findings never change; replay equals the running state.
    #[test]
    fn the_rectification_state_machine_keeps_its_rules(actions in prop::collection::vec(any_action(), 1..40)) {
        let mut s = FindingState::default();
        let mut events = Vec::new();
        for (i, (inspector, action)) in actions.into_iter().enumerate() {
            let actor = if inspector { INSPECTOR } else { UNIT };
            let today = d("2026-10-01") + chrono::Duration::days(i as i64);
            let before = s.clone();
            match s.check(actor, action, today) {
                Ok(e) => {
                    prop_assert!(!matches!(before.stage, Stage::Closed | Stage::Withdrawn));
                    s.push(&e);
                    match &e {
                        Event::CommitmentProposed { version, side, .. } => {
                            prop_assert_eq!(*version, before.commitment_version + 1);
                            prop_assert_eq!(s.accepted[side.index()], true);
                            prop_assert_eq!(s.accepted[side.other().index()], false);
                            prop_assert_eq!(s.stage, Stage::Negotiating);
                        }
                        Event::FindingSent { version, .. } if *version > 1 => {
                            prop_assert_eq!(s.accepted, [false, false]);
                        }
                        Event::CommitmentAccepted { version, side, .. } => {
                            prop_assert_eq!(*version, before.commitment_version);
                            prop_assert!(!before.accepted[side.index()]);
                            prop_assert!(!before.returned);
                        }
                        Event::Closed { justification, .. } => {
                            prop_assert_eq!(actor.side, Side::Inspector);
                            prop_assert_eq!(before.stage, Stage::Applied);
                            prop_assert!(!justification.trim().is_empty());
                        }
                        Event::ClosureApplied { evidence, .. } => {
                            prop_assert_eq!(actor.side, Side::Unit);
                            prop_assert_eq!(before.stage, Stage::Rectifying);
                            prop_assert!(!evidence.is_empty());
                        }
                        _ => {}
                    }
                    events.push(e);
                }
                Err(_) => prop_assert_eq!(&s, &before),
            }
            if matches!(s.stage, Stage::Rectifying | Stage::Applied) {
                prop_assert_eq!(s.accepted, [true, true]);
                prop_assert!(s.agreed.is_some());
                prop_assert_eq!(s.agreed.as_ref(), s.commitment.as_ref());
            }
        }
        prop_assert_eq!(FindingState::replay(&events), s.clone());
        // The completion of one finding agrees with its standing.
        let c = completion([&s], d("2026-12-31"));
        prop_assert!(c.closed <= c.findings && c.closed_on_time <= c.closed && c.overdue <= c.open);
        prop_assert_eq!(c.findings, c.closed + c.open);
    }
}
