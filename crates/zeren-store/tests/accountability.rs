//! The accountability store: a case opened on a lead with its subjects (named as they were),
//! acts checked by the rules against the case replayed inside the transaction (a skipped step is
//! refused and nothing stored), one of two simultaneous acts stored, the investigators found by
//! index, every act on the audit chain, and nothing ever edited. On SQLite and (with
//! ZEREN_TEST_DATABASE_URL) on PostgreSQL.

use chrono::NaiveDate;
use zeren_core::accountability::{Act, Answer, Procedure, Responsibility, Step, Subject};
use zeren_core::org::{PersonId, UnitId};
use zeren_store::accountability::*;
use zeren_store::testdb::TestDb;
use zeren_store::*;

const POLICY: &str = include_str!("../../../policies/district-school.toml");

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

fn procedure() -> Procedure {
    Procedure {
        measures: vec!["约谈".into(), "问责".into()],
        ..Procedure::default()
    }
}

#[tokio::test]
async fn a_case_is_stored_act_by_act_in_order_and_never_edited() {
    for db in TestDb::all().await {
        let store = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
        let mut w = store.write(&Actor::system()).await.unwrap();
        let bureau = w.create_unit(None, "区教育局", "局").await.unwrap();
        let school = w
            .create_unit(Some(bureau.id), "实验中学", "学校")
            .await
            .unwrap();
        let mut people = Vec::new();
        for (unit, name) in [
            (school.id, "王校长"),
            (bureau.id, "李科长"),
            (bureau.id, "赵干事"),
            (bureau.id, "孙局长"),
        ] {
            people.push(
                w.create_person(&NewPerson {
                    unit_id: unit,
                    name: name.into(),
                    ..NewPerson::default()
                })
                .await
                .unwrap()
                .id,
            );
        }
        let policy = w
            .install_policy(bureau.id, "district-school", "1", "意识形态", POLICY, "x")
            .await
            .unwrap();
        w.commit().await.unwrap();
        let head = Subject::Person(PersonId(people[0]));

        // A lead without subjects, or from nowhere, is refused.
        let mut w = store.write(&Actor::system()).await.unwrap();
        let base = NewCase {
            unit_id: bureau.id,
            installed_policy_id: policy.id,
            source: "incident".into(),
            title: "重大舆情未第一时间报告".into(),
            lead: "10月3日网上舆情发生后2小时才报告".into(),
            event_on: Some(d(10, 3)),
            opened_on: Some(d(10, 10)),
            subjects: vec![head],
            circumstances: vec!["problems_in_work".into()],
            ..NewCase::default()
        };
        for bad in [
            NewCase {
                subjects: vec![],
                ..base.clone()
            },
            NewCase {
                source: "rumour".into(),
                ..base.clone()
            },
            NewCase {
                event_on: Some(d(11, 1)),
                ..base.clone()
            },
            NewCase {
                subjects: vec![Subject::Person(PersonId(999_999))],
                ..base.clone()
            },
        ] {
            assert!(
                matches!(w.open_case(&bad).await, Err(Error::Invalid(_))),
                "{bad:?}"
            );
        }
        drop(w);
        let mut w = store.write(&Actor::system()).await.unwrap();
        let case = w.open_case(&base).await.unwrap();
        w.commit().await.unwrap();

        let p = procedure();
        let parent = Some(UnitId(bureau.id));
        // A step out of order is refused with the step it needs, and nothing is stored.
        let mut w = store.write(&Actor::system()).await.unwrap();
        let err = w
            .act_on_case(
                case.id,
                0,
                &Act::FormTeam {
                    members: vec![PersonId(people[1]), PersonId(people[2])],
                },
                d(10, 11),
                &p,
                parent,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Invalid(m) if m.contains(Step::PreliminaryCheck.zh())),
            "{err:?}"
        );
        drop(w);
        assert!(store
            .reader()
            .await
            .unwrap()
            .case_acts(case.id)
            .await
            .unwrap()
            .is_empty());

        let acts = [
            Act::PreliminaryCheck {
                finding: "属实".into(),
                proceed: true,
            },
            Act::ApproveStart {
                by: PersonId(people[3]),
                holds_role: true,
            },
            Act::FormTeam {
                members: vec![PersonId(people[1]), PersonId(people[2])],
            },
            Act::ShowFacts { subject: head },
            Act::HearStatement {
                subject: head,
                points: vec![(
                    "当天外出".into(),
                    Answer::NotAdopted {
                        reason: "应安排专人值守".into(),
                    },
                )],
                declined: false,
            },
            Act::DiscussReport {
                meeting: "2026年第9次党组会议".into(),
            },
            Act::Decide {
                subject: head,
                measures: vec!["约谈".into()],
                responsibility: Some(Responsibility::Main),
                suggested: Some(Responsibility::Main),
                reason: String::new(),
                no_commendation: true,
            },
        ];
        for (i, act) in acts.iter().enumerate() {
            let mut w = store.write(&Actor::system()).await.unwrap();
            w.act_on_case(case.id, i as i64, act, d(10, 11 + i as u32), &p, parent)
                .await
                .unwrap_or_else(|e| panic!("{act:?}: {e}"));
            w.commit().await.unwrap();
        }
        // Two people acting on what they both saw: one gets in.
        let serve = Act::Serve { subject: head };
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.act_on_case(case.id, 7, &serve, d(10, 20), &p, parent)
            .await
            .unwrap();
        w.commit().await.unwrap();
        let mut w = store.write(&Actor::system()).await.unwrap();
        let err = w
            .act_on_case(case.id, 7, &serve, d(10, 20), &p, parent)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Conflict(m) if m == MOVED_ON),
            "{err:?}"
        );
        drop(w);

        // Read back: the case, its subjects named as they were, its acts, the replayed state,
        // the investigators' and the subject's cases.
        let mut r = store.reader().await.unwrap();
        let subjects = r.case_subjects(case.id).await.unwrap();
        assert_eq!(subjects.len(), 1);
        assert_eq!(subjects[0].name, "王校长");
        assert_eq!(
            r.case_circumstances(case.id).await.unwrap(),
            ["problems_in_work"]
        );
        let stored = r.case_acts(case.id).await.unwrap();
        assert_eq!(stored.len(), 8);
        assert_eq!(stored[6].act, acts[6]);
        let replayed = replay(&subjects, case.opened_on, &stored, &p, parent).unwrap();
        assert!(replayed.next_steps(&p).contains(&Step::CarriedOut));
        assert!(r.investigates(case.id, people[1]).await.unwrap());
        assert!(!r.investigates(case.id, people[0]).await.unwrap());
        for person in [people[0], people[2]] {
            assert_eq!(r.cases_of_person(person).await.unwrap().len(), 1);
        }
        assert!(r.cases_of_person(people[3]).await.unwrap().is_empty());
        drop(r);

        // Nothing is edited or deleted; the chain holds every act.
        for sql in [
            "UPDATE accountability_cases SET title = 'x'",
            "DELETE FROM accountability_cases",
            "UPDATE accountability_subjects SET name = 'x'",
            "DELETE FROM accountability_subjects",
            "UPDATE accountability_acts SET act = '{}'",
            "DELETE FROM accountability_acts",
            "DELETE FROM accountability_team",
            "DELETE FROM accountability_circumstances",
        ] {
            assert!(db.exec_raw(sql).await.is_err(), "refused: {sql}");
        }
        let audit = store.verify_audit().await.unwrap();
        assert!(audit.first_break.is_none());
        store.close().await;
        db.drop_db().await;
    }
}
