//! Obligations (待办): which dated instances of its installed policies' duties a unit has now —
//! the current period and the next — for whom, and how each stands (upcoming, due soon, overdue,
//! done on time, done late). Planning is deterministic and keyed, so re-running it never
//! duplicates; reconciliation changes only periods that have not begun, never past ones.

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;
use zeren_policy::calendar::{period_containing, Period, WorkCalendar};
use zeren_policy::expand::due_date;
use zeren_policy::{Duty, DutyId, Frequency, Per, Policy, RoleId};

use crate::org::{Org, PersonId, UnitId};

/// A policy installed at a unit, in force from a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installation {
    pub unit: UnitId,
    pub since: NaiveDate,
}

/// What makes an obligation unique: one per duty, unit, person (for per-holder duties) and period.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObligationKey {
    pub duty: DutyId,
    pub unit: UnitId,
    pub person: Option<PersonId>,
    pub period_start: NaiveDate,
}

/// An obligation the plan says should exist.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub key: ObligationKey,
    pub period: Period,
    pub due: NaiveDate,
    pub times: u32,
}

/// A per-holder duty that cannot be broken down because nobody holds the role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub duty: DutyId,
    pub unit: UnitId,
    pub role: RoleId,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub obligations: Vec<Planned>,
    pub gaps: Vec<Gap>,
    /// The (duty, period start) pairs the plan covers: the current and next period of each duty.
    /// Stored obligations outside it are not the plan's business and are never removed by it.
    pub horizon: Vec<(DutyId, NaiveDate)>,
}

/// The periods of `duty` to materialise on `today`: the one containing today and the next; for
/// holiday duties the next two holiday breaks that have not ended.
pub fn current_and_next(duty: &Duty, today: NaiveDate, cal: &WorkCalendar) -> Vec<Period> {
    match duty.every {
        Frequency::Holiday => {
            let mut out = Vec::new();
            for year in [today.year(), today.year() + 1] {
                for h in cal.holidays(year) {
                    if h.end >= today
                        && out.len() < 2
                        && !out.iter().any(|p: &Period| p.start == h.start)
                    {
                        out.push(Period {
                            every: Frequency::Holiday,
                            start: h.start,
                            end: h.end,
                            holiday: Some(h.name),
                        });
                    }
                }
            }
            out
        }
        f => {
            let current = period_containing(f, today);
            let next = period_containing(f, current.end + Days::new(1));
            vec![current, next]
        }
    }
}

/// The obligations a unit's installed policy gives on `today`.
pub fn plan(
    policy: &Policy,
    install: &Installation,
    org: &Org,
    today: NaiveDate,
    cal: &WorkCalendar,
) -> Plan {
    plan_governed(policy, &[install.unit], install.since, org, today, cal)
}

/// The obligations an installation gives on `today` to the units it governs (each unit as if
/// the policy were installed there: `at = "self"` is that unit, `children` its children, a kind
/// its descendants of that kind). The horizon covers every duty even when no unit is governed,
/// so that obligations of units the installation no longer governs are reconciled away.
pub fn plan_governed(
    policy: &Policy,
    governed: &[UnitId],
    since: NaiveDate,
    org: &Org,
    today: NaiveDate,
    cal: &WorkCalendar,
) -> Plan {
    let mut out = Plan::default();
    let mut seen = std::collections::HashSet::new();
    for duty in &policy.duties {
        for period in current_and_next(duty, today, cal) {
            out.horizon.push((duty.id.clone(), period.start));
            if period.end < since {
                continue;
            }
            let due = due_date(duty, &period, cal);
            for &governed_unit in governed {
                for unit in org.subjects(governed_unit, &duty.at) {
                    let people: Vec<Option<PersonId>> = match (duty.per, &duty.role) {
                        (Per::Holder, Some(role)) => {
                            let from = period.start.max(today);
                            let holders = org.holders(role, unit, from, period.end);
                            if holders.is_empty() {
                                let gap = Gap {
                                    duty: duty.id.clone(),
                                    unit,
                                    role: role.clone(),
                                };
                                if !out.gaps.contains(&gap) {
                                    out.gaps.push(gap);
                                }
                            }
                            holders.into_iter().map(Some).collect()
                        }
                        _ => vec![None],
                    };
                    for person in people {
                        let key = ObligationKey {
                            duty: duty.id.clone(),
                            unit,
                            person,
                            period_start: period.start,
                        };
                        // Two governed units can reach the same subject (a kind below a kind).
                        if !seen.insert(key.clone()) {
                            continue;
                        }
                        out.obligations.push(Planned {
                            key,
                            period: period.clone(),
                            due,
                            times: duty.times,
                        });
                    }
                }
            }
        }
    }
    out
}

/// An obligation already stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    pub key: ObligationKey,
    /// Whether any record has been submitted for it.
    pub has_records: bool,
}

/// What to change so the stored obligations match the plan.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reconciliation {
    pub insert: Vec<Planned>,
    /// Only obligations of periods that have not begun and that carry no record.
    pub remove: Vec<ObligationKey>,
}

/// Compares the plan with what is stored. Past and current obligations are never removed, nor are
/// any with records: a change of holder or of the tree changes only the future.
pub fn reconcile(existing: &[Existing], plan: &Plan, today: NaiveDate) -> Reconciliation {
    use std::collections::HashSet;
    // Sets, not scans: one installation may govern thousands of units.
    let stored: HashSet<&ObligationKey> = existing.iter().map(|e| &e.key).collect();
    let planned: HashSet<&ObligationKey> = plan.obligations.iter().map(|p| &p.key).collect();
    let horizon: HashSet<(&DutyId, NaiveDate)> =
        plan.horizon.iter().map(|(d, start)| (d, *start)).collect();
    let mut r = Reconciliation::default();
    let mut inserting = HashSet::new();
    for p in &plan.obligations {
        if !stored.contains(&p.key) && inserting.insert(&p.key) {
            r.insert.push(p.clone());
        }
    }
    for e in existing {
        let future = e.key.period_start > today;
        let covered = horizon.contains(&(&e.key.duty, e.key.period_start));
        if future && covered && !e.has_records && !planned.contains(&e.key) {
            r.remove.push(e.key.clone());
        }
    }
    r
}

/// How an obligation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Upcoming,
    DueSoon,
    Overdue,
    DoneOnTime,
    DoneLate,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Upcoming,
        Status::DueSoon,
        Status::Overdue,
        Status::DoneOnTime,
        Status::DoneLate,
    ];

    pub fn word(self) -> &'static str {
        match self {
            Status::Upcoming => "upcoming",
            Status::DueSoon => "due_soon",
            Status::Overdue => "overdue",
            Status::DoneOnTime => "done_on_time",
            Status::DoneLate => "done_late",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Status::ALL.into_iter().find(|x| x.word() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Status::Upcoming => "未到期",
            Status::DueSoon => "即将到期",
            Status::Overdue => "已逾期",
            Status::DoneOnTime => "按时完成",
            Status::DoneLate => "逾期完成",
        }
    }

    pub fn is_done(self) -> bool {
        matches!(self, Status::DoneOnTime | Status::DoneLate)
    }
}

/// The status of an obligation due on `due` needing `times` records, given the dates on which the
/// work of its records was done (not when they were entered). It is done once `times` records
/// exist; on time when the `times`-th piece of work was done by the due date.
pub fn status(
    due: NaiveDate,
    times: u32,
    work_dates: &[NaiveDate],
    today: NaiveDate,
    due_soon_days: u32,
) -> Status {
    let needed = times.max(1) as usize;
    if work_dates.len() >= needed {
        let mut dates = work_dates.to_vec();
        dates.sort();
        return if dates[needed - 1] <= due {
            Status::DoneOnTime
        } else {
            Status::DoneLate
        };
    }
    if today > due {
        Status::Overdue
    } else if (due - today).num_days() <= i64::from(due_soon_days) {
        Status::DueSoon
    } else {
        Status::Upcoming
    }
}

/// The same status from the day the obligation was fulfilled — the work date of its `times`-th
/// record, as the store keeps it (`done_on`), `None` while it is not — so that a list can filter
/// and page by status in SQL and still show what [`status`] says.
pub fn status_from_done(
    due: NaiveDate,
    done_on: Option<NaiveDate>,
    today: NaiveDate,
    due_soon_days: u32,
) -> Status {
    match done_on {
        Some(d) if d <= due => Status::DoneOnTime,
        Some(_) => Status::DoneLate,
        None => status(due, 1, &[], today, due_soon_days),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{Assignment, Unit};
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const POLICY: &str = r#"format = 1
[policy]
id = "t"
title = "测试"
[roles.first_responsible]
title = "第一责任人"
[roles.leadership]
title = "班子成员"
[duties.quarterly_study]
title = "专题学习"
every = "quarter"
owner = "first_responsible"
[duties.lecture]
title = "授课"
every = "year"
per = "holder"
role = "leadership"
[duties.branch_report]
title = "支部汇报"
every = "half_year"
at = { kind = "party_branch" }
[duties.holiday]
title = "节前研判"
every = "holiday"
lead = "3d"
"#;

    fn org(assignments: Vec<Assignment>) -> Org {
        let u = |id, parent: Option<i64>, kind: &str| Unit {
            id: UnitId(id),
            parent: parent.map(UnitId),
            kind: kind.into(),
        };
        Org::new(
            [
                u(1, None, "school"),
                u(2, Some(1), "party_branch"),
                u(3, Some(1), "party_branch"),
                u(4, Some(1), "department"),
            ],
            assignments,
        )
    }

    fn leader(p: i64, from: &str, to: Option<&str>) -> Assignment {
        Assignment {
            person: PersonId(p),
            role: RoleId::parse("leadership").unwrap(),
            unit: UnitId(1),
            from: d(from),
            to: to.map(d),
        }
    }

    fn policy() -> Policy {
        zeren_policy::parse("t", POLICY).unwrap()
    }

    #[test]
    fn plans_current_and_next_periods_for_each_subject() {
        let p = policy();
        let cal = WorkCalendar::bundled();
        let install = Installation {
            unit: UnitId(1),
            since: d("2026-01-01"),
        };
        let org = org(vec![
            leader(10, "2025-01-01", None),
            leader(11, "2026-03-01", None),
        ]);
        let plan = plan(&p, &install, &org, d("2026-05-17"), &cal);
        let keys: Vec<(String, i64, Option<i64>, String, String)> = plan
            .obligations
            .iter()
            .map(|o| {
                (
                    o.key.duty.to_string(),
                    o.key.unit.0,
                    o.key.person.map(|p| p.0),
                    o.key.period_start.to_string(),
                    o.due.to_string(),
                )
            })
            .collect();
        let k = |a: &str, u, p: Option<i64>, s: &str, due: &str| {
            (a.to_string(), u, p, s.to_string(), due.to_string())
        };
        assert_eq!(
            keys,
            [
                k("quarterly_study", 1, None, "2026-04-01", "2026-06-30"),
                k("quarterly_study", 1, None, "2026-07-01", "2026-09-30"),
                k("lecture", 1, Some(10), "2026-01-01", "2026-12-31"),
                k("lecture", 1, Some(11), "2026-01-01", "2026-12-31"),
                k("lecture", 1, Some(10), "2027-01-01", "2027-12-31"),
                k("lecture", 1, Some(11), "2027-01-01", "2027-12-31"),
                k("branch_report", 2, None, "2026-01-01", "2026-06-30"),
                k("branch_report", 3, None, "2026-01-01", "2026-06-30"),
                k("branch_report", 2, None, "2026-07-01", "2026-12-31"),
                k("branch_report", 3, None, "2026-07-01", "2026-12-31"),
                k("holiday", 1, None, "2026-06-19", "2026-06-16"),
                k("holiday", 1, None, "2026-09-25", "2026-09-22"),
            ]
        );
        assert!(plan.gaps.is_empty());
    }

    #[test]
    fn a_vacant_role_is_a_gap_not_a_silent_omission() {
        let p = policy();
        let cal = WorkCalendar::bundled();
        let install = Installation {
            unit: UnitId(1),
            since: d("2026-01-01"),
        };
        let plan = plan(&p, &install, &org(vec![]), d("2026-05-17"), &cal);
        assert!(plan
            .obligations
            .iter()
            .all(|o| o.key.duty.as_str() != "lecture"));
        assert_eq!(
            plan.gaps,
            [Gap {
                duty: DutyId::parse("lecture").unwrap(),
                unit: UnitId(1),
                role: RoleId::parse("leadership").unwrap()
            }]
        );
    }

    #[test]
    fn replanning_is_idempotent_and_changes_only_the_future() {
        let p = policy();
        let cal = WorkCalendar::bundled();
        let install = Installation {
            unit: UnitId(1),
            since: d("2026-01-01"),
        };
        let today = d("2026-11-20");
        let before = plan(
            &p,
            &install,
            &org(vec![leader(10, "2025-01-01", None)]),
            today,
            &cal,
        );
        let existing: Vec<Existing> = before
            .obligations
            .iter()
            .map(|o| Existing {
                key: o.key.clone(),
                has_records: false,
            })
            .collect();
        // The same plan again: nothing to do.
        assert_eq!(
            reconcile(&existing, &before, today),
            Reconciliation::default()
        );
        // Leader 10 leaves at the end of the month, 12 takes over from December.
        let after = plan(
            &p,
            &install,
            &org(vec![
                leader(10, "2025-01-01", Some("2026-11-30")),
                leader(12, "2026-12-01", None),
            ]),
            today,
            &cal,
        );
        let r = reconcile(&existing, &after, today);
        let inserted: Vec<(Option<i64>, String)> = r
            .insert
            .iter()
            .map(|o| (o.key.person.map(|p| p.0), o.key.period_start.to_string()))
            .collect();
        assert_eq!(
            inserted,
            [
                (Some(12), "2026-01-01".to_string()),
                (Some(12), "2027-01-01".to_string())
            ]
        );
        // Leader 10's 2027 lecture goes; the 2026 one (current) stays.
        let removed: Vec<(Option<i64>, String)> = r
            .remove
            .iter()
            .map(|k| (k.person.map(|p| p.0), k.period_start.to_string()))
            .collect();
        assert_eq!(removed, [(Some(10), "2027-01-01".to_string())]);
    }

    #[test]
    fn obligations_with_records_are_never_removed() {
        let key = ObligationKey {
            duty: DutyId::parse("x").unwrap(),
            unit: UnitId(1),
            person: None,
            period_start: d("2027-01-01"),
        };
        let existing = [Existing {
            key: key.clone(),
            has_records: true,
        }];
        let plan = Plan {
            horizon: vec![(key.duty.clone(), key.period_start)],
            ..Plan::default()
        };
        let r = reconcile(&existing, &plan, d("2026-12-01"));
        assert!(r.remove.is_empty());
        let existing = [Existing {
            key: key.clone(),
            has_records: false,
        }];
        assert_eq!(
            reconcile(&existing, &plan, d("2026-12-01")).remove,
            std::slice::from_ref(&key)
        );
        // Beyond the plan's horizon (say, a run dated before the one that made it): kept.
        assert!(reconcile(&existing, &Plan::default(), d("2026-12-01"))
            .remove
            .is_empty());
    }

    #[test]
    fn installed_mid_period_gets_the_current_period() {
        let p = policy();
        let cal = WorkCalendar::bundled();
        let install = Installation {
            unit: UnitId(1),
            since: d("2026-05-17"),
        };
        let plan = plan(&p, &install, &org(vec![]), d("2026-05-17"), &cal);
        assert!(plan
            .obligations
            .iter()
            .any(|o| o.key.duty.as_str() == "quarterly_study"
                && o.key.period_start == d("2026-04-01")));
    }

    #[test]
    fn statuses() {
        let due = d("2026-06-30");
        assert_eq!(status(due, 1, &[], d("2026-06-01"), 7), Status::Upcoming);
        assert_eq!(status(due, 1, &[], d("2026-06-23"), 7), Status::DueSoon);
        assert_eq!(status(due, 1, &[], d("2026-06-30"), 7), Status::DueSoon);
        assert_eq!(status(due, 1, &[], d("2026-07-01"), 7), Status::Overdue);
        assert_eq!(
            status(due, 1, &[d("2026-06-30")], d("2026-07-05"), 7),
            Status::DoneOnTime
        );
        // Entered late but the work was done on time: on time (the ledger shows it was entered late).
        assert_eq!(
            status(due, 1, &[d("2026-06-10")], d("2026-08-01"), 7),
            Status::DoneOnTime
        );
        assert_eq!(
            status(due, 1, &[d("2026-07-02")], d("2026-07-05"), 7),
            Status::DoneLate
        );
        // times = 2: one record is not enough; the second piece of work decides.
        assert_eq!(
            status(due, 2, &[d("2026-06-01")], d("2026-07-05"), 7),
            Status::Overdue
        );
        assert_eq!(
            status(
                due,
                2,
                &[d("2026-07-03"), d("2026-06-01")],
                d("2026-07-05"),
                7
            ),
            Status::DoneLate
        );
        assert_eq!(
            status(
                due,
                2,
                &[d("2026-06-20"), d("2026-06-01"), d("2026-07-09")],
                d("2026-07-10"),
                7
            ),
            Status::DoneOnTime
        );
        for s in Status::ALL {
            assert_eq!(Status::parse(s.word()), Some(s));
        }
    }

    proptest! {
        #[test]
        fn done_exactly_when_enough_records(times in 1u32..4, n in 0usize..6, offset in -30i64..30, today_off in -60i64..60) {
            let due = d("2026-06-30");
            let dates: Vec<NaiveDate> = (0..n).map(|i| due + chrono::Duration::days(offset + i as i64)).collect();
            let today = due + chrono::Duration::days(today_off);
            let s = status(due, times, &dates, today, 7);
            prop_assert_eq!(s.is_done(), n >= times as usize);
            if !s.is_done() {
                prop_assert_eq!(s == Status::Overdue, today > due);
            }
        }
    }

    proptest! {
        #[test]
        fn status_from_done_agrees_with_status(
            due in 0i64..60,
            today in 0i64..60,
            times in 1u32..4,
            dates in proptest::collection::vec(0i64..60, 0..6),
            soon in 0u32..10,
        ) {
            let day = |n: i64| d("2026-01-01") + chrono::Days::new(n as u64);
            let work: Vec<NaiveDate> = dates.iter().map(|&n| day(n)).collect();
            let mut sorted = work.clone();
            sorted.sort();
            let done_on = sorted.get(times as usize - 1).copied();
            prop_assert_eq!(
                status_from_done(day(due), done_on, day(today), soon),
                status(day(due), times, &work, day(today), soon)
            );
        }
    }
}
