//! Issue 15's "measured leaves equal a direct count over the ledger", against the database: four
//! schools under a bureau get obligations of the district pack for last year and this year, and
//! records on time, late or not at all; inspection findings sent, withdrawn or closed; incidents
//! reported on time, late or never, inside and outside the cycle's period. Each measured leaf the
//! product fills in (`unit_facts` then `measured`) must equal the count made here from what was
//! written, school by school. On SQLite and (with ZEREN_TEST_DATABASE_URL) on PostgreSQL.

use chrono::{Datelike, Days, Duration, NaiveDate, Utc};
use zeren_core::incident::{Channel, Event as IncidentEvent, ReportKind, Stage};
use zeren_core::inspection::{Action, Actor as Who, Commitment, FindingState, FindingText, Side};
use zeren_core::org::{PersonId, UnitId};
use zeren_core::scoring::{measured, Input};
use zeren_policy::calendar::WorkCalendar;
use zeren_policy::{AssessmentItem, Combine, DutyId, ItemId, LevelId, Measure, Points, ScoreRule};
use zeren_store::assessment::unit_facts;
use zeren_store::incidents::NewIncident;
use zeren_store::incidents::NewReportVersion;
use zeren_store::inspections::{CheckItem, Derived, NewInspection};
use zeren_store::ledger::{LedgerRead, NewVersion, ObligationFilter};
use zeren_store::testdb::TestDb;
use zeren_store::*;

const NETWORK: &str = include_str!("../../zeren-policy/tests/fixtures/network-security.toml");
const DUTIES: [&str; 4] = [
    "quarterly_study",
    "half_year_report",
    "leader_lecture",
    "study_essay",
];

/// A small deterministic generator (the same plans on both databases).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// What was written for a finding.
#[derive(Clone, Copy)]
enum FindingPlan {
    /// Sent on the day, due on the other, never closed.
    Open(NaiveDate, NaiveDate),
    Withdrawn(NaiveDate),
    /// Sent, then closed on the second day.
    Closed(NaiveDate, NaiveDate),
}

fn item(measure: Measure, rule: Option<ScoreRule>) -> AssessmentItem {
    AssessmentItem {
        id: ItemId::parse("x").unwrap(),
        title: "x".into(),
        weight: None,
        measure,
        source: None,
        code: None,
        points: Some(Points(1000)),
        under: None,
        combine: Combine::Sum,
        rule,
        criterion: None,
    }
}

fn d(st: &FindingState) -> Derived<'_> {
    Derived {
        state: st,
        severity_title: String::new(),
        summary: "台账不全".into(),
    }
}

#[tokio::test]
async fn measured_leaves_equal_a_direct_count_over_the_ledger() {
    for db in TestDb::all().await {
        let store = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
        let now = Utc::now();
        let today = (now + Duration::hours(8)).date_naive();
        let last = today.year() - 1;
        let pack = zeren_policy::packs::get("district-school").unwrap().text;
        let mut w = store.write(&Actor::system()).await.unwrap();
        let bureau = w.create_unit(None, "河东区教体局", "局").await.unwrap().id;
        let network = w
            .install_policy(bureau, "network-security", "1", "网络安全", NETWORK, "x")
            .await
            .unwrap()
            .id;
        let inspector = w
            .create_person(&NewPerson {
                unit_id: bureau,
                name: "督查员".into(),
                ..NewPerson::default()
            })
            .await
            .unwrap()
            .id;
        let mut schools = Vec::new();
        for n in ["一中", "二中", "三中", "四中"] {
            let s = w.create_unit(Some(bureau), n, "学校").await.unwrap().id;
            let head = w
                .create_person(&NewPerson {
                    unit_id: s,
                    name: format!("{n}校长"),
                    ..NewPerson::default()
                })
                .await
                .unwrap()
                .id;
            let inst = w
                .install_policy(s, "district-school", "1", "实施办法", pack, "x")
                .await
                .unwrap();
            w.set_policy_effective_from(inst.id, NaiveDate::from_ymd_opt(last, 1, 1).unwrap())
                .await
                .unwrap();
            schools.push((s, head));
        }
        w.commit().await.unwrap();
        let cal = WorkCalendar::bundled();
        let mut day = NaiveDate::from_ymd_opt(last, 1, 15).unwrap();
        while day < today {
            zeren_store::materialise::materialise_all(&store, day, &cal)
                .await
                .unwrap();
            day = day.checked_add_months(chrono::Months::new(1)).unwrap();
        }
        // The cycle: from the second half of last year to the end of this one (some obligations
        // are not yet due), so last year's first half lies outside it.
        let period = (
            NaiveDate::from_ymd_opt(last, 7, 1).unwrap(),
            NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap(),
        );
        let in_period = |x: NaiveDate| period.0 <= x && x <= period.1;
        let end = period.1.min(today);

        let mut rng = Rng(15);
        let sha = {
            let mut w = store.write(&Actor::system()).await.unwrap();
            let sha = w.put_attachment(b"evidence", "image/jpeg").await.unwrap();
            w.commit().await.unwrap();
            sha
        };
        let inspection = {
            let mut w = store.write(&Actor::system()).await.unwrap();
            let i = w
                .create_inspection(&NewInspection {
                    unit_id: bureau,
                    title: "专项督查".into(),
                    scope: "units".into(),
                    starts_on: NaiveDate::from_ymd_opt(last, 1, 5).unwrap(),
                    ends_on: today,
                    checklist: vec![CheckItem {
                        kind: "text".into(),
                        policy_id: None,
                        duty_id: None,
                        title: "是否落实".into(),
                        source: None,
                    }],
                    units: schools.iter().map(|(s, _)| *s).collect(),
                    team: vec![(inspector, true)],
                    ..NewInspection::default()
                })
                .await
                .unwrap();
            w.commit().await.unwrap();
            i.id
        };
        // (obligation id → what was recorded: None, or the work date), per school.
        for &(school, head) in &schools {
            // Records: none, on time (in the period) or late (after the due date, before today).
            let rows = store
                .reader()
                .await
                .unwrap()
                .obligations(&ObligationFilter {
                    unit: Some(school),
                    ..ObligationFilter::default()
                })
                .await
                .unwrap();
            assert!(rows.len() >= 12, "{} obligations", rows.len());
            let mut written: Vec<(i64, Option<NaiveDate>)> = Vec::new();
            let mut w = store.write(&Actor::system()).await.unwrap();
            for p in &rows {
                let o = &p.obligation;
                let late = o.due_on + Days::new(1 + rng.below(20));
                let date = match rng.below(3) {
                    0 => None,
                    1 if o.period_start <= today => Some(o.period_start),
                    2 if late < today => Some(late),
                    _ => None,
                };
                if let Some(work_date) = date {
                    w.create_record(
                        o.id,
                        &NewVersion {
                            work_date,
                            content: "专题学习".into(),
                            ..NewVersion::default()
                        },
                    )
                    .await
                    .unwrap();
                }
                written.push((o.id, date));
            }
            w.commit().await.unwrap();

            // Findings: open (some overdue), withdrawn, closed.
            let mut findings = Vec::new();
            for _ in 0..(2 + rng.below(4)) {
                let sent = today - Days::new(5 + rng.below(200));
                let due = sent + Days::new(1 + rng.below(60));
                findings.push(match rng.below(3) {
                    0 => FindingPlan::Open(sent, due),
                    1 => FindingPlan::Withdrawn(sent),
                    _ => FindingPlan::Closed(sent, sent + Days::new(4)),
                });
            }
            for plan in &findings {
                let (sent, due) = match *plan {
                    FindingPlan::Open(s, d) => (s, d),
                    FindingPlan::Withdrawn(s) | FindingPlan::Closed(s, _) => (s, s + Days::new(30)),
                };
                let by = |p: i64, side| Who {
                    person: PersonId(p),
                    side,
                };
                let mut st = FindingState::default();
                let e = st
                    .check(
                        by(inspector, Side::Inspector),
                        Action::Send {
                            finding: FindingText {
                                unit: UnitId(school),
                                severity: None,
                                clause: "是否落实".into(),
                                source: None,
                                description: "台账不全".into(),
                                evidence: vec![],
                                due,
                            },
                        },
                        sent,
                    )
                    .unwrap();
                st.push(&e);
                let mut w = store.write(&Actor::system()).await.unwrap();
                let f = w
                    .create_finding(inspection, school, &e, &d(&st), &[])
                    .await
                    .unwrap();
                let mut steps: Vec<(Who, Action, NaiveDate)> = Vec::new();
                match *plan {
                    FindingPlan::Open(..) => {}
                    FindingPlan::Withdrawn(s) => steps.push((
                        by(inspector, Side::Inspector),
                        Action::Withdraw {
                            reason: "重复下发".into(),
                        },
                        s + Days::new(1),
                    )),
                    FindingPlan::Closed(s, closed) => {
                        steps.push((
                            by(head, Side::Unit),
                            Action::Propose {
                                commitment: Commitment {
                                    kind: zeren_policy::RectificationKind::Deadline,
                                    measures: "补齐台账".into(),
                                    responsible: PersonId(head),
                                    due: s + Days::new(30),
                                },
                            },
                            s + Days::new(1),
                        ));
                        steps.push((
                            by(inspector, Side::Inspector),
                            Action::Accept { version: 1 },
                            s + Days::new(2),
                        ));
                        steps.push((
                            by(head, Side::Unit),
                            Action::ApplyForClosure {
                                text: "已补齐".into(),
                                evidence: vec![sha.clone()],
                            },
                            s + Days::new(3),
                        ));
                        steps.push((
                            by(inspector, Side::Inspector),
                            Action::Close {
                                justification: "经复查已整改到位".into(),
                            },
                            closed,
                        ));
                    }
                }
                for (seq, (who, action, on)) in steps.into_iter().enumerate() {
                    let e = st.check(who, action, on).unwrap();
                    st.push(&e);
                    w.append_finding_event(f, seq as i64 + 1, &e, &d(&st), &[])
                        .await
                        .unwrap();
                }
                w.commit().await.unwrap();
            }

            // Incidents (较大: an initial report due 4 hours after it became known): sent in
            // time, sent late, never sent; learnt of in the period or before it.
            let mut late_incidents = 0u32;
            for k in 0..(2 + rng.below(4)) {
                let inside = rng.below(4) != 0;
                let known = if inside {
                    now - Duration::days(1 + rng.below(120) as i64)
                } else {
                    let before = NaiveDate::from_ymd_opt(last, 3, 10).unwrap();
                    before.and_hms_opt(2, 0, 0).unwrap().and_utc()
                };
                let sent_after = match rng.below(3) {
                    0 => Some(Duration::minutes(50)),
                    1 => Some(Duration::hours(5)),
                    _ => None,
                };
                if inside && sent_after != Some(Duration::minutes(50)) {
                    late_incidents += 1;
                }
                let mut w = store.write(&Actor::system()).await.unwrap();
                let incident = w
                    .create_incident(&NewIncident {
                        unit_id: school,
                        installed_policy_id: network,
                        kind_id: "outage".into(),
                        level_id: "large".into(),
                        title: format!("校园网中断{k}"),
                        place: "机房".into(),
                        known_at: known,
                        reporter_person_id: head,
                        ..NewIncident::default()
                    })
                    .await
                    .unwrap();
                if let Some(after) = sent_after {
                    let v = w
                        .add_incident_report_version(
                            incident.id,
                            &NewReportVersion {
                                report: "initial".into(),
                                body: "校园网中断".into(),
                                measures: "启动应急预案".into(),
                                attachments: Vec::new(),
                            },
                        )
                        .await
                        .unwrap();
                    let events = [
                        IncidentEvent::Drafted {
                            report: ReportKind::Initial,
                            by: PersonId(head),
                            at: known + Duration::minutes(20),
                            hash: v.hash.clone(),
                        },
                        IncidentEvent::Sent {
                            report: ReportKind::Initial,
                            channel: Channel::Written,
                            by: PersonId(head),
                            at: known + after,
                            to: vec![UnitId(bureau)],
                            hash: Some(v.hash.clone()),
                        },
                    ];
                    for (seq, e) in events.iter().enumerate() {
                        w.append_incident_event(
                            incident.id,
                            seq as i64,
                            e,
                            Stage::Open,
                            &LevelId::parse("large").unwrap(),
                        )
                        .await
                        .unwrap();
                    }
                }
                w.commit().await.unwrap();
            }

            // What the product fills in …
            let got = unit_facts(&store, school, "district-school", period, today, now)
                .await
                .unwrap();
            assert_eq!(got.late_incidents.len() as u32, late_incidents);
            // … against a count of what was written, by due date and record date.
            #[derive(PartialEq, Clone, Copy)]
            enum O {
                OnTime,
                Late,
                Missed,
                Open,
            }
            let counted: Vec<(&str, bool, O)> = rows
                .iter()
                .zip(&written)
                .filter(|(p, _)| in_period(p.obligation.due_on))
                .map(|(p, (id, date))| {
                    let o = &p.obligation;
                    assert_eq!(o.id, *id);
                    let outcome = match date {
                        Some(x) if *x <= o.due_on => O::OnTime,
                        Some(_) => O::Late,
                        None if o.due_on < today => O::Missed,
                        None => O::Open,
                    };
                    (o.duty_id.as_str(), o.report_to_parent, outcome)
                })
                .collect();
            let count = |f: &dyn Fn(&(&str, bool, O)) -> bool| {
                counted.iter().filter(|x| f(x)).count() as u32
            };
            assert!(count(&|x| x.2 == O::Missed) > 0 || count(&|x| x.2 == O::Late) > 0);
            let per_case = Some(ScoreRule::PerCase {
                deduct: Points(100),
                cap: None,
                case: None,
            });
            let check = |m: Measure, rule: Option<ScoreRule>, want: Input| {
                assert_eq!(
                    measured(&item(m.clone(), rule), &got.facts),
                    Some(want),
                    "{m:?} at school {school}"
                );
            };
            for duty in DUTIES {
                let id = DutyId::parse(duty).unwrap();
                check(
                    Measure::Missed(id.clone()),
                    per_case.clone(),
                    Input::Cases(count(&|x| x.0 == duty && x.2 == O::Missed)),
                );
                check(
                    Measure::Late(id.clone()),
                    per_case.clone(),
                    Input::Cases(count(&|x| x.0 == duty && x.2 == O::Late)),
                );
                check(
                    Measure::Duty(id.clone()),
                    None,
                    Input::Share {
                        done: count(&|x| x.0 == duty && x.2 == O::OnTime),
                        total: count(&|x| x.0 == duty && x.2 != O::Open),
                    },
                );
                check(
                    Measure::Duty(id),
                    Some(ScoreRule::Prorated { target: 4 }),
                    Input::Count(count(&|x| {
                        x.0 == duty && matches!(x.2, O::OnTime | O::Late)
                    })),
                );
            }
            check(
                Measure::ReportsLate,
                per_case.clone(),
                Input::Cases(count(&|x| x.1 && matches!(x.2, O::Late | O::Missed))),
            );
            let open = |p: &&FindingPlan| match **p {
                FindingPlan::Open(s, _) => s <= end,
                FindingPlan::Closed(s, c) => s <= end && c > end,
                FindingPlan::Withdrawn(_) => false,
            };
            check(
                Measure::OpenFindings,
                per_case.clone(),
                Input::Cases(findings.iter().filter(open).count() as u32),
            );
            check(
                Measure::OverdueFindings,
                per_case.clone(),
                Input::Cases(
                    findings
                        .iter()
                        .filter(open)
                        .filter(|p| matches!(p, FindingPlan::Open(_, due) if *due < end))
                        .count() as u32,
                ),
            );
            check(
                Measure::IncidentsLate,
                per_case.clone(),
                Input::Cases(late_incidents),
            );
        }
        store.close().await;
        db.drop_db().await;
    }
}
