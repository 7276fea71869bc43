//! Tests of the incident rules, against the held-out 网络安全 policy and the seed packs.

use chrono::{Datelike, NaiveDate, Weekday};
use proptest::prelude::*;
use zeren_policy::calendar::WorkCalendar;

use super::*;
use crate::org::{Assignment, Org, PersonId, Unit, UnitId};

const NETWORK_SECURITY: &str =
    include_str!("../../zeren-policy/tests/fixtures/network-security.toml");

fn policy() -> Policy {
    zeren_policy::parse("network-security.toml", NETWORK_SECURITY).unwrap()
}

/// A China wall-clock time, "2026-01-04 09:30".
fn t(s: &str) -> Instant {
    from_china_time(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap())
}

fn ts(s: &str) -> Instant {
    from_china_time(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap())
}

fn level(p: &Policy, id: &str) -> IncidentLevel {
    p.incidents
        .as_ref()
        .unwrap()
        .level(&LevelId::parse(id).unwrap())
        .unwrap()
        .clone()
}

const PROVINCE: UnitId = UnitId(1);
const CITY: UnitId = UnitId(2);
const COUNTY: UnitId = UnitId(3);
const SCHOOL: UnitId = UnitId(4);
const OPERATOR: UnitId = UnitId(5);

const SECRETARY: PersonId = PersonId(10);
const OFFICER: PersonId = PersonId(11);
const COUNTY_CLERK: PersonId = PersonId(20);
const CITY_CLERK: PersonId = PersonId(30);

fn org() -> Org {
    let unit = |id: UnitId, parent: Option<UnitId>, kind: &str| Unit {
        id,
        parent,
        kind: kind.into(),
    };
    let holds = |person, role: &str, unit| Assignment {
        person,
        role: RoleId::parse(role).unwrap(),
        unit,
        from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        to: None,
    };
    Org::new(
        [
            unit(PROVINCE, None, "bureau"),
            unit(CITY, Some(PROVINCE), "bureau"),
            unit(COUNTY, Some(CITY), "bureau"),
            unit(SCHOOL, Some(COUNTY), "school"),
            unit(OPERATOR, Some(COUNTY), "cii_operator"),
        ],
        vec![
            holds(SECRETARY, "first_responsible", SCHOOL),
            holds(SECRETARY, "security_leader", SCHOOL),
            holds(OFFICER, "security_officer", SCHOOL),
            holds(COUNTY_CLERK, "security_officer", COUNTY),
        ],
    )
}

fn facts<'a>(p: &'a Policy, level: &str, known: Instant) -> Facts<'a> {
    Facts {
        policy: p,
        unit: SCHOOL,
        unit_kind: "school",
        level: LevelId::parse(level).unwrap(),
        known_at: known,
    }
}

/// Applies actions in order, each at its time, panicking on a refusal.
fn run(
    f: &Facts<'_>,
    org: &Org,
    steps: Vec<(Actor, Action, Instant)>,
) -> (IncidentState, Vec<Event>) {
    let mut events = Vec::new();
    let mut s = IncidentState::new(f);
    for (actor, action, now) in steps {
        let e = s
            .check(f, org, actor, action.clone(), now)
            .unwrap_or_else(|e| panic!("{action:?}: {e:?}"));
        s.push(f, &e);
        events.push(e);
    }
    assert_eq!(IncidentState::replay(f, &events), s);
    (s, events)
}

fn school(p: PersonId) -> Actor {
    Actor {
        person: p,
        unit: SCHOOL,
    }
}
fn county() -> Actor {
    Actor {
        person: COUNTY_CLERK,
        unit: COUNTY,
    }
}
fn city() -> Actor {
    Actor {
        person: CITY_CLERK,
        unit: CITY,
    }
}

/// 初报 drafted, signed off and sent to the county at `at`.
fn initial_sent(at: Instant) -> Vec<(Actor, Action, Instant)> {
    let h = "v1".to_string();
    vec![
        (
            school(OFFICER),
            Action::Draft {
                report: ReportKind::Initial,
                hash: h.clone(),
            },
            at,
        ),
        (
            school(SECRETARY),
            Action::SignOff {
                report: ReportKind::Initial,
                hash: h.clone(),
            },
            at,
        ),
        (
            school(OFFICER),
            Action::Send {
                report: ReportKind::Initial,
                hash: h,
                to: vec![COUNTY],
            },
            at,
        ),
    ]
}

// ----------------------------------------------------------------------- wall-clock deadlines

#[test]
fn deadlines_run_on_the_wall_clock_across_midnight() {
    let p = policy();
    let major = level(&p, "major");
    // Known at 23:30 on a weekday: 4 hours is 03:30 the next morning, not the next working day.
    let due = first_report_due(&major, "school", t("2026-03-10 23:30"));
    assert_eq!(
        due,
        Due::By {
            at: t("2026-03-11 03:30")
        }
    );
    assert_eq!(
        first_report_due(&major, "cii_operator", t("2026-03-10 23:30")),
        Due::By {
            at: t("2026-03-11 00:30")
        }
    );
    assert_eq!(
        first_report_due(&major, "central_agency", t("2026-03-10 23:30")),
        Due::By {
            at: t("2026-03-11 01:30")
        }
    );
}

#[test]
fn weekends_holidays_and_make_up_days_do_not_move_a_deadline() {
    let p = policy();
    let major = level(&p, "major");
    let cal = WorkCalendar::bundled();
    let cases = [
        // an ordinary Saturday
        ("2026-03-14 22:00", "2026-03-15 02:00", Weekday::Sat, false),
        // Sunday 4 January 2026 is a make-up working day (调休) after 元旦
        ("2026-01-04 21:15", "2026-01-05 01:15", Weekday::Sun, true),
        // Saturday 14 February 2026 is a make-up working day before 春节
        ("2026-02-14 23:59", "2026-02-15 03:59", Weekday::Sat, true),
        // the first day of the 春节 holiday
        ("2026-02-15 10:00", "2026-02-15 14:00", Weekday::Sun, false),
    ];
    for (known, due, weekday, working) in cases {
        let k = t(known);
        let day = china_time(k).date();
        assert_eq!(day.weekday(), weekday, "{known}");
        assert_eq!(cal.is_working_day(day), working, "{known}");
        assert_eq!(
            first_report_due(&major, "school", k),
            Due::By { at: t(due) },
            "{known}"
        );
    }
}

#[test]
fn late_is_computed_to_the_minute_and_missing_when_nothing_was_sent() {
    let due = Due::By {
        at: t("2026-03-11 03:30"),
    };
    let now = t("2026-03-11 09:00");
    assert_eq!(
        timeliness(due, Some(t("2026-03-11 03:30")), now),
        Timeliness::OnTime
    );
    assert_eq!(
        timeliness(due, Some(ts("2026-03-11 04:42:00")), now),
        Timeliness::Late { minutes: 72 }
    );
    // 20 seconds past the minute is a minute more: late is late.
    assert_eq!(
        timeliness(due, Some(ts("2026-03-11 04:42:20")), now),
        Timeliness::Late { minutes: 73 }
    );
    assert_eq!(
        timeliness(due, Some(ts("2026-03-11 03:30:01")), now),
        Timeliness::Late { minutes: 1 }
    );
    assert_eq!(
        timeliness(due, None, now),
        Timeliness::Missing { minutes: 330 }
    );
    assert_eq!(
        timeliness(due, None, t("2026-03-11 02:00")),
        Timeliness::Pending { minutes_left: 90 }
    );
    assert_eq!(Timeliness::Late { minutes: 73 }.zh(), "迟报1小时13分钟");
    assert_eq!(
        Timeliness::Missing { minutes: 330 }.zh(),
        "漏报（已超时5小时30分钟）"
    );
    // 第一时间 has no fixed clock: the time taken, never 迟报.
    let at_once = Due::AtOnce {
        since: t("2026-03-11 03:00"),
    };
    assert_eq!(
        timeliness(at_once, Some(t("2026-03-11 05:00")), now),
        Timeliness::Took { minutes: 120 }
    );
    assert_eq!(
        timeliness(Due::NoClock, None, now),
        Timeliness::NoClock { done: false }
    );
}

// ----------------------------------------------------------------------------- escalation

#[test]
fn a_major_incident_goes_two_levels_up_level_by_level() {
    let p = policy();
    let org = org();
    let major = level(&p, "major");
    let known = t("2026-05-01 20:00");
    let none = |_: UnitId| None;
    let hops = escalation(&org, SCHOOL, "school", &major, known, &none);
    assert_eq!(hops.len(), 2);
    assert_eq!(hops[0].from, SCHOOL);
    assert_eq!(hops[0].to, Recipient::Unit { unit: COUNTY });
    assert_eq!(
        hops[0].due,
        Due::By {
            at: t("2026-05-02 00:00")
        }
    );
    assert!(!hops[0].relay);
    // The county passes it to the city within an hour of receiving it; before it arrives, the
    // latest it can be due is an hour after the school's deadline.
    assert_eq!(hops[1].from, COUNTY);
    assert_eq!(hops[1].to, Recipient::Unit { unit: CITY });
    assert_eq!(
        hops[1].due,
        Due::By {
            at: t("2026-05-02 01:00")
        }
    );
    assert!(hops[1].relay);
    // Once it arrived at 21:10, the county's hour runs from then.
    let arrived = |u: UnitId| (u == COUNTY).then(|| t("2026-05-01 21:10"));
    let hops = escalation(&org, SCHOOL, "school", &major, known, &arrived);
    assert_eq!(
        hops[1].due,
        Due::By {
            at: t("2026-05-01 22:10")
        }
    );

    // 特别重大: three levels, half an hour each; the tree has only three above the school.
    let top = level(&p, "especially_major");
    let hops = escalation(&org, SCHOOL, "school", &top, known, &none);
    let to: Vec<Recipient> = hops.iter().map(|h| h.to.clone()).collect();
    assert_eq!(
        to,
        [
            Recipient::Unit { unit: COUNTY },
            Recipient::Unit { unit: CITY },
            Recipient::Unit { unit: PROVINCE }
        ]
    );
    assert_eq!(
        hops[2].due,
        Due::By {
            at: t("2026-05-02 01:00")
        }
    );
    // From the county, the third level up does not exist: a setup problem, shown as such.
    let hops = escalation(&org, COUNTY, "bureau", &top, known, &none);
    assert_eq!(hops.last().unwrap().to, Recipient::Missing { levels_up: 3 });

    // 较大 goes to the parent only; 一般 to a role inside the unit.
    let large = level(&p, "large");
    let hops = escalation(&org, OPERATOR, "cii_operator", &large, known, &none);
    assert_eq!(hops.len(), 1);
    assert_eq!(
        hops[0].due,
        Due::By {
            at: t("2026-05-01 21:00")
        }
    );
    let general = level(&p, "general");
    let hops = escalation(&org, SCHOOL, "school", &general, known, &none);
    assert_eq!(
        hops[0].to,
        Recipient::Role {
            role: RoleId::parse("security_leader").unwrap(),
            unit: SCHOOL
        }
    );
    assert_eq!(hops[0].due, Due::NoClock);
}

#[test]
fn suggests_the_most_severe_matching_level() {
    let p = policy();
    let inc = p.incidents.as_ref().unwrap();
    let s = |facts: &[(&str, i64)]| suggest_level(inc, facts).map(|l| l.id.as_str().to_owned());
    assert_eq!(
        s(&[("affected_users", 2_000_000)]).as_deref(),
        Some("large")
    );
    assert_eq!(
        s(&[("affected_users", 2_000_000), ("direct_loss", 20_000_000)]).as_deref(),
        Some("major")
    );
    assert_eq!(s(&[("outage_hours", 2)]), None);
}

// --------------------------------------------------------------------------- report series

#[test]
fn a_written_report_needs_its_sign_off_before_it_leaves_the_unit() {
    let p = policy();
    let org = org();
    let f = facts(&p, "major", t("2026-05-01 20:00"));
    let mut s = IncidentState::new(&f);
    let now = t("2026-05-01 20:30");
    let draft = |hash: &str| Action::Draft {
        report: ReportKind::Initial,
        hash: hash.into(),
    };
    let send = |hash: &str| Action::Send {
        report: ReportKind::Initial,
        hash: hash.into(),
        to: vec![COUNTY],
    };
    // Nothing to send before a draft.
    assert_eq!(
        s.check(&f, &org, school(OFFICER), send("v1"), now),
        Err(IncidentError::NotDrafted {
            report: ReportKind::Initial
        })
    );
    let e = s
        .check(&f, &org, school(OFFICER), draft("v1"), now)
        .unwrap();
    s.push(&f, &e);
    // Not signed off: refused, naming who signs off.
    assert_eq!(
        s.check(&f, &org, school(OFFICER), send("v1"), now),
        Err(IncidentError::SignOffRequired {
            role: RoleId::parse("first_responsible").unwrap()
        })
    );
    // Only the first responsible signs off.
    let sign = |hash: &str| Action::SignOff {
        report: ReportKind::Initial,
        hash: hash.into(),
    };
    assert_eq!(
        s.check(&f, &org, school(OFFICER), sign("v1"), now),
        Err(IncidentError::NotSignOffRole {
            role: RoleId::parse("first_responsible").unwrap()
        })
    );
    assert!(matches!(
        s.check(&f, &org, school(SECRETARY), sign("v0"), now),
        Err(IncidentError::StaleVersion { .. })
    ));
    let e = s
        .check(&f, &org, school(SECRETARY), sign("v1"), now)
        .unwrap();
    s.push(&f, &e);
    // A new version after the sign-off needs a new sign-off.
    let e = s
        .check(&f, &org, school(OFFICER), draft("v2"), now)
        .unwrap();
    s.push(&f, &e);
    assert!(matches!(
        s.check(&f, &org, school(OFFICER), send("v1"), now),
        Err(IncidentError::StaleVersion { .. })
    ));
    assert!(matches!(
        s.check(&f, &org, school(OFFICER), send("v2"), now),
        Err(IncidentError::SignOffRequired { .. })
    ));
    let e = s
        .check(&f, &org, school(SECRETARY), sign("v2"), now)
        .unwrap();
    s.push(&f, &e);
    // Not from another unit.
    assert_eq!(
        s.check(&f, &org, county(), send("v2"), now),
        Err(IncidentError::NotTheUnit)
    );
    let e = s.check(&f, &org, school(OFFICER), send("v2"), now).unwrap();
    s.push(&f, &e);
    assert_eq!(
        s.check(&f, &org, school(OFFICER), send("v2"), now),
        Err(IncidentError::NotNextReport {
            expected: vec![ReportKind::FollowUp(1), ReportKind::Final]
        })
        .or(s.check(&f, &org, school(OFFICER), send("v2"), now))
    );
    let r = s.report(ReportKind::Initial).unwrap();
    assert_eq!(r.signed_off, Some((SECRETARY, now)));
    assert_eq!(r.sent_at, Some(now));
}

#[test]
fn the_series_runs_initial_follow_ups_final() {
    let p = policy();
    let org = org();
    let f = facts(&p, "large", t("2026-05-01 20:00"));
    let s = IncidentState::new(&f);
    let now = t("2026-05-01 20:10");
    assert_eq!(
        s.check(
            &f,
            &org,
            school(OFFICER),
            Action::Draft {
                report: ReportKind::FollowUp(1),
                hash: "x".into()
            },
            now
        ),
        Err(IncidentError::NotNextReport {
            expected: vec![ReportKind::Initial]
        })
    );
    assert_eq!(s.next_reports(), [ReportKind::Initial]);
    // 较大 is signed off by the 分管领导: give the school one.
    let mut org_with_leader = org.assignments().to_vec();
    org_with_leader.push(Assignment {
        person: PersonId(12),
        role: RoleId::parse("security_leader").unwrap(),
        unit: SCHOOL,
        from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        to: None,
    });
    let units: Vec<Unit> = [PROVINCE, CITY, COUNTY, SCHOOL, OPERATOR]
        .iter()
        .map(|u| org.unit(*u).unwrap().clone())
        .collect();
    let org = Org::new(units, org_with_leader);
    let leader = school(PersonId(12));
    let mut steps = Vec::new();
    for (i, report) in [
        ReportKind::Initial,
        ReportKind::FollowUp(1),
        ReportKind::FollowUp(2),
        ReportKind::Final,
    ]
    .into_iter()
    .enumerate()
    {
        let at = now + chrono::Duration::hours(i as i64);
        let hash = format!("h{i}");
        steps.push((
            school(OFFICER),
            Action::Draft {
                report,
                hash: hash.clone(),
            },
            at,
        ));
        steps.push((
            leader,
            Action::SignOff {
                report,
                hash: hash.clone(),
            },
            at,
        ));
        steps.push((
            school(OFFICER),
            Action::Send {
                report,
                hash,
                to: vec![COUNTY],
            },
            at,
        ));
    }
    let (s, _) = run(&f, &org, steps);
    assert!(s.next_reports().is_empty());
    assert_eq!(
        s.check(
            &f,
            &org,
            school(OFFICER),
            Action::Draft {
                report: ReportKind::FollowUp(3),
                hash: "z".into()
            },
            now + chrono::Duration::hours(9)
        ),
        Err(IncidentError::SeriesEnded)
    );
}

#[test]
fn a_phone_report_meets_the_first_deadline_and_the_written_one_follows() {
    let p = policy();
    let org = org();
    // 特别重大: 4 hours for the first report, the written one within 4 hours too.
    let known = t("2026-10-01 08:00");
    let f = facts(&p, "especially_major", known);
    let mut steps = vec![(
        school(SECRETARY),
        Action::Phone {
            to: vec![COUNTY],
            at: t("2026-10-01 08:20"),
        },
        t("2026-10-01 08:40"),
    )];
    steps.extend(initial_sent(t("2026-10-01 12:30")));
    let (s, _) = run(&f, &org, steps);
    let c = clocks(&f, &org, &s, t("2026-10-01 13:00"));
    let first = c
        .iter()
        .find(|c| {
            c.kind
                == ClockKind::FirstReport {
                    to: Recipient::Unit { unit: COUNTY },
                }
        })
        .unwrap();
    assert_eq!(first.timeliness, Timeliness::OnTime);
    assert_eq!(first.done_at, Some(t("2026-10-01 08:20")));
    let written = c
        .iter()
        .find(|c| c.kind == ClockKind::WrittenReport)
        .unwrap();
    assert_eq!(written.timeliness, Timeliness::Late { minutes: 30 });
    // A phone report only comes first, and not before the incident was known or after now.
    let s0 = IncidentState::new(&f);
    assert_eq!(
        s0.check(
            &f,
            &org,
            school(SECRETARY),
            Action::Phone {
                to: vec![COUNTY],
                at: t("2026-10-01 07:59")
            },
            t("2026-10-01 08:40")
        ),
        Err(IncidentError::PhoneTime)
    );
    assert_eq!(
        s.check(
            &f,
            &org,
            school(SECRETARY),
            Action::Phone {
                to: vec![COUNTY],
                at: t("2026-10-01 12:40")
            },
            t("2026-10-01 12:45")
        ),
        Err(IncidentError::PhoneOnlyFirst)
    );
}

#[test]
fn the_parent_asks_for_a_follow_up_in_two_hours_and_a_late_one_is_marked() {
    let p = policy();
    let org = org();
    let known = t("2026-05-01 20:00");
    let f = facts(&p, "major", known);
    let mut steps = initial_sent(t("2026-05-01 21:00"));
    steps.push((
        county(),
        Action::Receive {
            report: ReportKind::Initial,
        },
        t("2026-05-01 21:05"),
    ));
    steps.push((
        county(),
        Action::RequestFollowUp {
            due: t("2026-05-01 23:05"),
        },
        t("2026-05-01 21:05"),
    ));
    // The county relays it up to the city at 21:40 (its hour ran from 21:00).
    steps.push((
        county(),
        Action::Relay {
            report: ReportKind::Initial,
            to: CITY,
        },
        t("2026-05-01 21:40"),
    ));
    steps.push((
        city(),
        Action::Receive {
            report: ReportKind::Initial,
        },
        t("2026-05-01 21:45"),
    ));
    let (s, _) = run(&f, &org, steps.clone());
    let c = clocks(&f, &org, &s, t("2026-05-01 23:00"));
    let req = c
        .iter()
        .find(|c| matches!(c.kind, ClockKind::RequestedFollowUp { .. }))
        .unwrap();
    assert_eq!(req.timeliness, Timeliness::Pending { minutes_left: 5 });
    let relay = c
        .iter()
        .find(|c| matches!(c.kind, ClockKind::Relay { .. }))
        .unwrap();
    assert_eq!(relay.unit, COUNTY);
    assert_eq!(
        relay.due,
        Due::By {
            at: t("2026-05-01 22:00")
        }
    );
    assert_eq!(relay.timeliness, Timeliness::OnTime);
    // Nothing by 23:05: 漏报 so far.
    let c = clocks(&f, &org, &s, t("2026-05-01 23:30"));
    let req = c
        .iter()
        .find(|c| matches!(c.kind, ClockKind::RequestedFollowUp { .. }))
        .unwrap();
    assert_eq!(req.timeliness, Timeliness::Missing { minutes: 25 });
    // Sent at 23:47:30: 迟报 43 minutes.
    for (a, at) in [
        (
            Action::Draft {
                report: ReportKind::FollowUp(1),
                hash: "f1".into(),
            },
            ts("2026-05-01 23:40:00"),
        ),
        (
            Action::SignOff {
                report: ReportKind::FollowUp(1),
                hash: "f1".into(),
            },
            ts("2026-05-01 23:45:00"),
        ),
        (
            Action::Send {
                report: ReportKind::FollowUp(1),
                hash: "f1".into(),
                to: vec![COUNTY],
            },
            ts("2026-05-01 23:47:30"),
        ),
    ] {
        let who = if matches!(a, Action::SignOff { .. }) {
            SECRETARY
        } else {
            OFFICER
        };
        steps.push((school(who), a, at));
    }
    let (s, _) = run(&f, &org, steps);
    let c = clocks(&f, &org, &s, t("2026-05-02 08:00"));
    let req = c
        .iter()
        .find(|c| matches!(c.kind, ClockKind::RequestedFollowUp { .. }))
        .unwrap();
    assert_eq!(req.timeliness, Timeliness::Late { minutes: 43 });
    assert!(req.timeliness.is_late());
    // Only recipients ask for follow-ups; a peer cannot.
    let peer = Actor {
        person: PersonId(99),
        unit: OPERATOR,
    };
    assert_eq!(
        s.check(
            &f,
            &org,
            peer,
            Action::RequestFollowUp {
                due: t("2026-05-02 10:00")
            },
            t("2026-05-02 08:00")
        ),
        Err(IncidentError::NotARecipient)
    );
}

#[test]
fn a_relay_goes_to_the_next_level_only() {
    let p = policy();
    let org = org();
    let f = facts(&p, "major", t("2026-05-01 20:00"));
    let (s, _) = run(&f, &org, initial_sent(t("2026-05-01 21:00")));
    let relay = |to| Action::Relay {
        report: ReportKind::Initial,
        to,
    };
    assert_eq!(
        s.check(&f, &org, county(), relay(PROVINCE), t("2026-05-01 21:10")),
        Err(IncidentError::NotTheNextLevel {
            expected: Some(CITY)
        })
    );
    assert_eq!(
        s.check(&f, &org, city(), relay(PROVINCE), t("2026-05-01 21:10")),
        Err(IncidentError::NotARecipient)
    );
}

#[test]
fn the_parent_may_raise_the_level_and_the_new_recipients_clock_runs_from_then() {
    let p = policy();
    let org = org();
    let f = facts(&p, "large", t("2026-05-01 20:00"));
    let mut steps = initial_sent(t("2026-05-01 21:00"));
    steps.push((
        county(),
        Action::RaiseLevel {
            to: LevelId::parse("major").unwrap(),
            reason: "影响扩大".into(),
        },
        t("2026-05-01 22:00"),
    ));
    let (s, _) = run(&f, &org, steps);
    assert_eq!(s.level.as_str(), "major");
    let c = clocks(&f, &org, &s, t("2026-05-01 22:30"));
    let relay = c
        .iter()
        .find(|c| matches!(c.kind, ClockKind::Relay { .. }))
        .unwrap();
    // Delivered to the county at 21:00; relay within an hour of that.
    assert_eq!(
        relay.due,
        Due::By {
            at: t("2026-05-01 22:00")
        }
    );
    // The county, already a recipient at 较大, keeps the original deadline from known_at.
    let first = c
        .iter()
        .find(|c| {
            c.kind
                == ClockKind::FirstReport {
                    to: Recipient::Unit { unit: COUNTY },
                }
        })
        .unwrap();
    assert_eq!(
        first.due,
        Due::By {
            at: t("2026-05-02 00:00")
        }
    );
    assert_eq!(first.timeliness, Timeliness::OnTime);
    // Lowering is refused.
    assert!(matches!(
        s.check(
            &f,
            &org,
            county(),
            Action::RaiseLevel {
                to: LevelId::parse("general").unwrap(),
                reason: "x".into()
            },
            t("2026-05-01 23:00")
        ),
        Err(IncidentError::NotMoreSevere { .. })
    ));
}

// -------------------------------------------------------------------------------- closure

#[test]
fn closure_needs_the_final_report_and_the_handling_then_the_parent_reviews_it() {
    let p = policy();
    let org = org();
    let known = t("2026-05-01 20:00");
    let f = facts(&p, "major", known);
    let (mut s, _) = run(&f, &org, initial_sent(t("2026-05-01 21:00")));
    let propose = Action::ProposeClosure {
        summary: "已处置完毕".into(),
        lessons: "加强防护".into(),
    };
    let now = t("2026-05-03 10:00");
    assert_eq!(
        s.check(&f, &org, school(OFFICER), propose.clone(), now),
        Err(IncidentError::ClosureNeeds {
            final_report: true,
            handling: vec!["启动应急预案".into(), "保存相关痕迹和证据".into()]
        })
    );
    let mut steps = vec![
        (
            school(OFFICER),
            Action::Log {
                text: "启动网络安全事件应急预案".into(),
                handling: Some(0),
            },
            t("2026-05-01 20:10"),
        ),
        (
            school(OFFICER),
            Action::Log {
                text: "封存日志".into(),
                handling: Some(1),
            },
            t("2026-05-01 20:20"),
        ),
        (school(OFFICER), Action::EndHandling, t("2026-05-02 12:00")),
        (
            school(OFFICER),
            Action::Draft {
                report: ReportKind::Final,
                hash: "fin".into(),
            },
            t("2026-05-03 09:00"),
        ),
        (
            school(SECRETARY),
            Action::SignOff {
                report: ReportKind::Final,
                hash: "fin".into(),
            },
            t("2026-05-03 09:10"),
        ),
        (
            school(OFFICER),
            Action::Send {
                report: ReportKind::Final,
                hash: "fin".into(),
                to: vec![COUNTY],
            },
            t("2026-05-03 09:20"),
        ),
        (school(OFFICER), propose, now),
    ];
    let mut all = initial_sent(t("2026-05-01 21:00"));
    all.append(&mut steps);
    let (st, events) = run(&f, &org, all);
    s = st;
    assert_eq!(s.stage, Stage::ClosureInReview);
    // Only the parent reviews: not the school, not the city.
    let accept = Action::AcceptClosure {
        comment: "同意办结".into(),
    };
    let later = t("2026-05-03 15:00");
    assert_eq!(
        s.check(&f, &org, school(SECRETARY), accept.clone(), later),
        Err(IncidentError::NotTheReviewer)
    );
    assert_eq!(
        s.check(&f, &org, city(), accept.clone(), later),
        Err(IncidentError::NotTheReviewer)
    );
    // A return needs a reason and reopens it.
    assert_eq!(
        s.check(
            &f,
            &org,
            county(),
            Action::ReturnClosure {
                comment: " ".into()
            },
            later
        ),
        Err(IncidentError::TextRequired)
    );
    let e = s
        .check(
            &f,
            &org,
            county(),
            Action::ReturnClosure {
                comment: "补充整改措施".into(),
            },
            later,
        )
        .unwrap();
    let mut returned = s.clone();
    returned.push(&f, &e);
    assert_eq!(returned.stage, Stage::Open);
    let e = s.check(&f, &org, county(), accept.clone(), later).unwrap();
    s.push(&f, &e);
    assert_eq!(s.stage, Stage::Closed);
    assert_eq!(s.closed_at, Some(later));
    // Nothing after closure.
    assert!(matches!(
        s.check(
            &f,
            &org,
            county(),
            Action::RequestFollowUp {
                due: t("2026-05-04 10:00")
            },
            later
        ),
        Err(IncidentError::WrongStage { .. })
    ));
    // The final report was due five days after handling ended: on time.
    let c = clocks(&f, &org, &s, later);
    let fin = c.iter().find(|c| c.kind == ClockKind::FinalReport).unwrap();
    assert_eq!(
        fin.due,
        Due::By {
            at: t("2026-05-07 12:00")
        }
    );
    assert_eq!(fin.timeliness, Timeliness::OnTime);
    let _ = events;
}

#[test]
fn without_a_reviewer_the_unit_closes_it_itself() {
    let p = policy();
    let org = org();
    let f = facts(&p, "general", t("2026-05-01 20:00"));
    // 一般 reports to a role inside the unit and has no closure review.
    let s = IncidentState::new(&f);
    assert_eq!(s.next_reports(), [ReportKind::Initial]);
    let (s, _) = run(
        &f,
        &org,
        vec![
            (
                school(OFFICER),
                Action::Draft {
                    report: ReportKind::Initial,
                    hash: "a".into(),
                },
                t("2026-05-01 21:00"),
            ),
            (
                school(OFFICER),
                Action::Send {
                    report: ReportKind::Initial,
                    hash: "a".into(),
                    to: vec![],
                },
                t("2026-05-01 21:00"),
            ),
            (
                school(OFFICER),
                Action::Draft {
                    report: ReportKind::Final,
                    hash: "b".into(),
                },
                t("2026-05-02 09:00"),
            ),
            (
                school(OFFICER),
                Action::Send {
                    report: ReportKind::Final,
                    hash: "b".into(),
                    to: vec![],
                },
                t("2026-05-02 09:00"),
            ),
            (
                school(OFFICER),
                Action::ProposeClosure {
                    summary: "已处置".into(),
                    lessons: String::new(),
                },
                t("2026-05-02 10:00"),
            ),
        ],
    );
    assert_eq!(s.stage, Stage::Closed);
    let c = clocks(&f, &org, &s, t("2026-05-03 10:00"));
    let close = c.iter().find(|c| c.kind == ClockKind::Closure).unwrap();
    assert_eq!(
        close.due,
        Due::By {
            at: t("2026-05-31 20:00")
        }
    );
    assert_eq!(close.timeliness, Timeliness::OnTime);
}

#[test]
fn the_seed_packs_clocks() {
    // district-school L92: 第一时间 — no fixed clock, no recipient named.
    let p = zeren_policy::packs::get("district-school")
        .unwrap()
        .policy();
    let org = org();
    let known = t("2026-05-01 20:00");
    let f = facts(&p, "major", known);
    let s = IncidentState::new(&f);
    let c = clocks(&f, &org, &s, t("2026-05-01 20:45"));
    assert_eq!(c.len(), 1);
    assert_eq!(
        c[0].kind,
        ClockKind::FirstReport {
            to: Recipient::Unnamed
        }
    );
    assert_eq!(c[0].timeliness, Timeliness::Waiting { minutes: 45 });
    // hospital L223: 及时向院党支部报告 — to the party branch, no clock.
    let p = zeren_policy::packs::get("hospital").unwrap().policy();
    let f = facts(&p, "major", known);
    let c = clocks(&f, &org, &IncidentState::new(&f), t("2026-05-02 20:45"));
    assert_eq!(
        c[0].kind,
        ClockKind::FirstReport {
            to: Recipient::Body {
                body: BodyId::parse("party_branch").unwrap()
            }
        }
    );
    assert_eq!(c[0].timeliness, Timeliness::NoClock { done: false });
    // school-bureau L257-L265: closure needs the handling the seed names.
    let p = zeren_policy::packs::get("school-bureau").unwrap().policy();
    let f = facts(&p, "emergency", known);
    let s = IncidentState::new(&f);
    match s.check(
        &f,
        &org,
        school(OFFICER),
        Action::ProposeClosure {
            summary: "x".into(),
            lessons: String::new(),
        },
        t("2026-05-02 09:00"),
    ) {
        Err(IncidentError::ClosureNeeds { handling, .. }) => {
            assert_eq!(handling.len(), 3);
            assert!(handling[1].contains("专题会商"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn daily_reports_are_due_by_the_china_time_of_day() {
    let p = policy();
    let org = org();
    // 特别重大: a daily report by 16:00 from the day after the first written report.
    let f = facts(&p, "especially_major", t("2026-02-16 09:00"));
    let mut steps = initial_sent(t("2026-02-16 10:00"));
    for (i, at) in ["2026-02-17 15:00", "2026-02-18 17:30"].iter().enumerate() {
        let report = ReportKind::FollowUp(i as u32 + 1);
        let hash = format!("d{i}");
        steps.push((
            school(OFFICER),
            Action::Draft {
                report,
                hash: hash.clone(),
            },
            t(at),
        ));
        steps.push((
            school(SECRETARY),
            Action::SignOff {
                report,
                hash: hash.clone(),
            },
            t(at),
        ));
        steps.push((
            school(OFFICER),
            Action::Send {
                report,
                hash,
                to: vec![COUNTY],
            },
            t(at),
        ));
    }
    let (s, _) = run(&f, &org, steps);
    let c = clocks(&f, &org, &s, t("2026-02-19 18:00"));
    let daily: Vec<(NaiveDate, Timeliness)> = c
        .iter()
        .filter_map(|c| match c.kind {
            ClockKind::Daily { day } => Some((day, c.timeliness)),
            _ => None,
        })
        .collect();
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert_eq!(
        daily,
        [
            (day("2026-02-17"), Timeliness::OnTime),
            (day("2026-02-18"), Timeliness::Late { minutes: 90 }),
            (day("2026-02-19"), Timeliness::Missing { minutes: 120 }),
        ]
    );
}

// ------------------------------------------------------------------------------ properties

#[test]
fn the_time_to_the_first_report_and_its_percentiles() {
    let p = policy();
    let known = t("2026-03-10 23:30");
    let f = facts(&p, "large", known);
    let org = org();
    let (s, _) = run(&f, &org, vec![]);
    assert_eq!(minutes_to_first_report(&f, &s), None);
    let (s, _) = run(&f, &org, initial_sent(t("2026-03-11 01:05")));
    assert_eq!(minutes_to_first_report(&f, &s), Some(95), "across midnight");
    let phoned = vec![(
        school(OFFICER),
        Action::Phone {
            to: vec![COUNTY],
            at: t("2026-03-10 23:42"),
        },
        t("2026-03-11 00:10"),
    )];
    let (s, _) = run(&f, &org, phoned);
    assert_eq!(
        minutes_to_first_report(&f, &s),
        Some(12),
        "the phone call counts"
    );

    assert_eq!(percentile(&[], 50), None);
    assert_eq!(percentile(&[7], 90), Some(7.0));
    assert_eq!(percentile(&[30, 10, 20], 50), Some(20.0));
    assert_eq!(percentile(&[10, 20, 30, 40], 50), Some(25.0));
    // PERCENTILE.INC({10,…,100}, 0.9) = 91
    let tens: Vec<i64> = (1..=10).map(|i| i * 10).collect();
    assert_eq!(percentile(&tens, 90), Some(91.0));
    assert_eq!(percentile(&tens, 100), Some(100.0));
    assert_eq!(percentile(&tens, 0), Some(10.0));
}

fn any_instant() -> impl Strategy<Value = Instant> {
    // 2024-01-01 .. 2027-12-31, to the second
    (1_704_067_200i64..1_830_297_600).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
}

proptest! {
    /// A deadline is the known time plus the rule's minutes, whatever the day: wall clock.
    #[test]
    fn the_first_deadline_is_known_plus_the_rule(known in any_instant(), kind in 0usize..3) {
        let p = policy();
        let major = level(&p, "major");
        let (unit_kind, minutes) = [("cii_operator", 60), ("central_agency", 120), ("school", 240)][kind];
        let due = first_report_due(&major, unit_kind, known);
        prop_assert_eq!(due, Due::By { at: known + chrono::Duration::minutes(minutes) });
    }

    /// Late exactly when done after the deadline, by the minutes rounded up; missing exactly
    /// when not done and the deadline passed.
    #[test]
    fn timeliness_is_exact(due in any_instant(), offset in -100_000i64..100_000, done in any::<bool>()) {
        let other = due + chrono::Duration::seconds(offset);
        let d = Due::By { at: due };
        if done {
            match timeliness(d, Some(other), other) {
                Timeliness::OnTime => prop_assert!(offset <= 0),
                Timeliness::Late { minutes } => {
                    prop_assert!(offset > 0);
                    prop_assert_eq!(minutes, (offset + 59) / 60);
                }
                t => prop_assert!(false, "{:?}", t),
            }
        } else {
            match timeliness(d, None, other) {
                Timeliness::Pending { minutes_left } => {
                    prop_assert!(offset <= 0);
                    prop_assert_eq!(minutes_left, (-offset) / 60);
                }
                Timeliness::Missing { minutes } => {
                    prop_assert!(offset > 0);
                    prop_assert_eq!(minutes, (offset + 59) / 60);
                }
                t => prop_assert!(false, "{:?}", t),
            }
        }
    }

    /// Whatever anyone tries in whatever order, no written report leaves the unit without the
    /// sign-off of its exact version, the series stays in order, and a closed incident stays
    /// closed.
    #[test]
    fn the_state_machine_keeps_its_rules(ops in prop::collection::vec((0usize..12, 0usize..4, 0usize..3, 0usize..4), 1..40)) {
        let p = policy();
        let org = org();
        let known = t("2026-05-01 20:00");
        let f = facts(&p, "major", known);
        let mut s = IncidentState::new(&f);
        let mut events: Vec<Event> = Vec::new();
        let actors = [school(OFFICER), school(SECRETARY), county(), city()];
        let kinds = [ReportKind::Initial, ReportKind::FollowUp(1), ReportKind::FollowUp(2), ReportKind::Final];
        let hashes = ["a", "b", "c"];
        for (i, (op, who, h, k)) in ops.into_iter().enumerate() {
            let now = known + chrono::Duration::minutes(10 * (i as i64 + 1));
            let report = kinds[k];
            let hash = hashes[h].to_string();
            let action = match op {
                0 => Action::Draft { report, hash },
                1 => Action::SignOff { report, hash },
                2 => Action::Send { report, hash, to: vec![COUNTY] },
                3 => Action::Phone { to: vec![COUNTY], at: now },
                4 => Action::Receive { report },
                5 => Action::Relay { report, to: CITY },
                6 => Action::RequestFollowUp { due: now + chrono::Duration::hours(2) },
                7 => Action::Log { text: "处置".into(), handling: Some(h % 2) },
                8 => Action::EndHandling,
                9 => Action::ProposeClosure { summary: "s".into(), lessons: String::new() },
                10 => Action::AcceptClosure { comment: "ok".into() },
                _ => Action::ReturnClosure { comment: "no".into() },
            };
            let was_closed = s.stage == Stage::Closed;
            let before = s.clone();
            if let Ok(e) = s.check(&f, &org, actors[who], action, now) {
                let harmless = matches!(e, Event::Received { .. } | Event::Relayed { .. } | Event::Instructed { .. });
                prop_assert!(!was_closed || harmless);
                if let Event::Sent { report, channel: Channel::Written, hash: Some(h), .. } = &e {
                    let r = before.report(*report).unwrap();
                    prop_assert_eq!(r.hash.as_deref(), Some(h.as_str()));
                    prop_assert!(r.signed_off.is_some());
                    prop_assert!(r.sent_at.is_none());
                    prop_assert!(before.next_reports().contains(report));
                }
                if let Event::ClosureAccepted { .. } = &e {
                    prop_assert_eq!(actors[who].unit, COUNTY);
                }
                s.push(&f, &e);
                events.push(e);
            }
        }
        prop_assert_eq!(IncidentState::replay(&f, &events), s.clone());
        if s.stage != Stage::Open {
            let fin = s.report(ReportKind::Final).and_then(|r| r.sent_at);
            prop_assert!(fin.is_some());
            prop_assert_eq!(s.handled.len(), 2);
        }
    }
}
