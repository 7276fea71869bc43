//! Materialising obligations from installed policies against a real database.

use chrono::NaiveDate;
use zeren_policy::calendar::WorkCalendar;
use zeren_store::ledger::*;
use zeren_store::materialise::{materialise_all, Report};
use zeren_store::testdb::TestDb;
use zeren_store::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn keys(p: &[ObligationProgress]) -> Vec<(String, Option<i64>, String)> {
    let mut v: Vec<_> = p
        .iter()
        .map(|o| {
            (
                o.obligation.duty_id.clone(),
                o.obligation.person_id,
                o.obligation.period_start.to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn obligations_follow_the_installed_policy_and_the_holders() {
    let cal = WorkCalendar::bundled();
    for db in TestDb::all().await {
        let store = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
        let pack = zeren_policy::packs::get("district-school").unwrap();
        let mut w = store.write(&Actor::system()).await.unwrap();
        let bureau = w.create_unit(None, "河东区教体局", "局").await.unwrap();
        let school = w
            .create_unit(Some(bureau.id), "河东区第一中学", "学校")
            .await
            .unwrap();
        let a = w
            .create_person(&NewPerson {
                unit_id: school.id,
                name: "王庆彬".into(),
                ..NewPerson::default()
            })
            .await
            .unwrap();
        let b = w
            .create_person(&NewPerson {
                unit_id: school.id,
                name: "周涛宇".into(),
                ..NewPerson::default()
            })
            .await
            .unwrap();
        w.assign(a.id, school.id, "first_responsible", day("2025-09-01"))
            .await
            .unwrap();
        w.assign(a.id, school.id, "leadership", day("2025-09-01"))
            .await
            .unwrap();
        let leader_b = w
            .assign(b.id, school.id, "leadership", day("2025-09-01"))
            .await
            .unwrap();
        w.install_policy(
            school.id,
            pack.id,
            "1",
            "学校意识形态工作责任制实施办法",
            pack.text,
            "x",
        )
        .await
        .unwrap();
        w.commit().await.unwrap();

        let today = day("2026-11-29");
        let report = materialise_all(&store, today, &cal).await.unwrap();
        assert_eq!(report.installations, 1);
        assert!(report.invalid.is_empty());
        let mut r = store.reader().await.unwrap();
        let all = r
            .obligations(&ObligationFilter {
                subtree_of: Some(bureau.id),
                ..Default::default()
            })
            .await
            .unwrap();
        drop(r);
        let k = |d: &str, p: Option<i64>, s: &str| (d.to_string(), p, s.to_string());
        assert_eq!(
            keys(&all),
            [
                k("half_year_report", None, "2026-07-01"),
                k("half_year_report", None, "2027-01-01"),
                k("leader_lecture", Some(a.id), "2026-01-01"),
                k("leader_lecture", Some(a.id), "2027-01-01"),
                k("leader_lecture", Some(b.id), "2026-01-01"),
                k("leader_lecture", Some(b.id), "2027-01-01"),
                k("quarterly_study", None, "2026-10-01"),
                k("quarterly_study", None, "2027-01-01"),
                k("study_essay", Some(a.id), "2026-01-01"),
                k("study_essay", Some(a.id), "2027-01-01"),
                k("study_essay", Some(b.id), "2026-01-01"),
                k("study_essay", Some(b.id), "2027-01-01"),
            ]
        );
        let q = all
            .iter()
            .find(|o| o.obligation.duty_id == "quarterly_study")
            .unwrap();
        assert_eq!(
            (q.obligation.due_on, q.obligation.period_label.as_str()),
            (day("2026-12-31"), "2026年第四季度")
        );

        // Again: nothing new.
        assert_eq!(
            materialise_all(&store, today, &cal).await.unwrap(),
            Report {
                installations: 1,
                ..Report::default()
            }
        );

        // B leaves at the end of the year: B's 2027 obligations go, B's 2026 ones stay.
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.end_assignment(leader_b.id, day("2027-01-01"))
            .await
            .unwrap();
        w.commit().await.unwrap();
        let report = materialise_all(&store, today, &cal).await.unwrap();
        assert_eq!((report.created, report.removed), (0, 2));
        let mut r = store.reader().await.unwrap();
        let all = r
            .obligations(&ObligationFilter {
                person: Some(b.id),
                ..Default::default()
            })
            .await
            .unwrap();
        drop(r);
        assert_eq!(
            keys(&all),
            [
                k("leader_lecture", Some(b.id), "2026-01-01"),
                k("study_essay", Some(b.id), "2026-01-01")
            ]
        );

        // Upgrading the policy retires the old installation's future obligations; the new one
        // plans its own (the unique key keeps the current ones as they are).
        let monthly = pack
            .text
            .replacen("every = \"quarter\"", "every = \"month\"", 1);
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.install_policy(
            school.id,
            pack.id,
            "2",
            "学校意识形态工作责任制实施办法",
            &monthly,
            "y",
        )
        .await
        .unwrap();
        w.commit().await.unwrap();
        let report = materialise_all(&store, today, &cal).await.unwrap();
        assert!(report.removed > 0 && report.created > 0, "{report:?}");
        let mut r = store.reader().await.unwrap();
        let studies: Vec<_> = r
            .obligations(&ObligationFilter {
                duty: Some("quarterly_study".into()),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_iter()
            .map(|o| (o.obligation.every, o.obligation.period_start.to_string()))
            .collect();
        assert!(
            studies.contains(&("quarter".to_string(), "2026-10-01".to_string())),
            "the current quarter stays: {studies:?}"
        );
        assert!(
            studies.contains(&("month".to_string(), "2026-12-01".to_string())),
            "{studies:?}"
        );
        assert!(
            !studies.contains(&("quarter".to_string(), "2027-01-01".to_string())),
            "{studies:?}"
        );
        drop(r);
        assert_eq!(store.verify_audit().await.unwrap().first_break, None);
        db.drop_db().await;
    }
}

/// One installation at the bureau gives every school below it its obligations, none to the
/// bureau; a school with its own installation is governed by it; removing or switching a policy
/// takes away its unended obligations without records and keeps the rest.
#[tokio::test]
async fn a_policy_installed_above_reaches_every_school_and_leaves_when_removed() {
    let cal = WorkCalendar::bundled();
    for db in TestDb::all().await {
        let store = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
        let pack = zeren_policy::packs::get("district-school").unwrap();
        let basic = zeren_policy::packs::get("school-basic").unwrap();
        let mut w = store.write(&Actor::system()).await.unwrap();
        let bureau = w.create_unit(None, "河东区教体局", "局").await.unwrap();
        let one = w
            .create_unit(Some(bureau.id), "第一中学", "学校")
            .await
            .unwrap();
        let two = w
            .create_unit(Some(bureau.id), "第二中学", "学校")
            .await
            .unwrap();
        let installed = w
            .install_policy(bureau.id, pack.id, "1", "学校办法", pack.text, "x")
            .await
            .unwrap();
        assert_eq!(installed.applies_to.as_deref(), Some("school"));
        w.commit().await.unwrap();

        let today = day("2026-11-29");
        materialise_all(&store, today, &cal).await.unwrap();
        let at = |unit: i64| {
            let store = store.clone();
            async move {
                let mut r = store.reader().await.unwrap();
                let mut v: Vec<String> = r
                    .obligations(&ObligationFilter {
                        unit: Some(unit),
                        ..Default::default()
                    })
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|o| o.obligation.person_id.is_none())
                    .map(|o| format!("{} {}", o.obligation.duty_id, o.obligation.period_start))
                    .collect();
                v.sort();
                v
            }
        };
        let expected = [
            "half_year_report 2026-07-01",
            "half_year_report 2027-01-01",
            "quarterly_study 2026-10-01",
            "quarterly_study 2027-01-01",
        ];
        assert_eq!(at(one.id).await, expected, "the first school");
        assert_eq!(
            at(two.id).await,
            expected,
            "the second school, same install"
        );
        assert!(at(bureau.id).await.is_empty(), "a bureau is not a school");
        // The policy in force at a school is the bureau's installation.
        let mut r = store.reader().await.unwrap();
        assert_eq!(
            r.policy_in_force(one.id).await.unwrap().map(|p| p.id),
            Some(installed.id)
        );
        assert!(r.policy_in_force(bureau.id).await.unwrap().is_none());
        drop(r);

        // The second school installs its own policy: it is governed by that one now; its
        // current-period obligations of the bureau's installation stay, the future ones go.
        let mut w = store.write(&Actor::system()).await.unwrap();
        let own = w
            .install_policy(two.id, basic.id, "1", "基本方案", basic.text, "y")
            .await
            .unwrap();
        w.commit().await.unwrap();
        materialise_all(&store, today, &cal).await.unwrap();
        let mut r = store.reader().await.unwrap();
        assert_eq!(
            r.policy_in_force(two.id).await.unwrap().map(|p| p.id),
            Some(own.id)
        );
        let two_now = r
            .obligations(&ObligationFilter {
                unit: Some(two.id),
                ..Default::default()
            })
            .await
            .unwrap();
        drop(r);
        assert!(
            !two_now
                .iter()
                .any(|o| o.obligation.policy_id == pack.id && o.obligation.period_start > today),
            "no future obligation of the bureau's policy at the school with its own"
        );
        assert!(two_now.iter().any(|o| o.obligation.policy_id == basic.id));

        // A record on the first school's current quarter; then the bureau removes its policy.
        let study = {
            let mut r = store.reader().await.unwrap();
            r.obligations(&ObligationFilter {
                unit: Some(one.id),
                duty: Some("quarterly_study".into()),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.obligation.period_start <= today)
            .unwrap()
            .obligation
        };
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.create_record(
            study.id,
            &NewVersion {
                work_date: today,
                content: "学习".into(),
                ..NewVersion::default()
            },
        )
        .await
        .unwrap();
        let removed = w.remove_installation(installed.id).await.unwrap();
        assert!(!removed.current && removed.removed_at.is_some());
        w.commit().await.unwrap();
        materialise_all(&store, today, &cal).await.unwrap();
        // The recorded quarter stays; every other unended obligation of the removed policy goes.
        assert_eq!(
            at(one.id).await,
            ["quarterly_study 2026-10-01"],
            "only the obligation with its record is left"
        );
        let mut r = store.reader().await.unwrap();
        assert!(r.policy_in_force(one.id).await.unwrap().is_none());
        drop(r);
        store.close().await;
        db.drop_db().await;
    }
}

#[tokio::test]
async fn a_retired_or_merged_unit_keeps_its_history_and_takes_nothing_new() {
    let cal = WorkCalendar::bundled();
    for db in TestDb::all().await {
        let store = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
        let pack = zeren_policy::packs::get("district-school").unwrap();
        let mut w = store.write(&Actor::system()).await.unwrap();
        let bureau = w.create_unit(None, "河东区教体局", "局").await.unwrap();
        let one = w
            .create_unit(Some(bureau.id), "第一中学", "学校")
            .await
            .unwrap();
        let two = w
            .create_unit(Some(bureau.id), "第二中学", "学校")
            .await
            .unwrap();
        let branch = w
            .create_unit(Some(one.id), "第一中学初中部", "部门")
            .await
            .unwrap();
        let head = w
            .create_person(&NewPerson {
                unit_id: one.id,
                name: "王庆彬".into(),
                ..NewPerson::default()
            })
            .await
            .unwrap();
        w.assign(head.id, one.id, "first_responsible", day("2025-09-01"))
            .await
            .unwrap();
        w.install_policy(bureau.id, pack.id, "1", "学校办法", pack.text, "x")
            .await
            .unwrap();
        w.commit().await.unwrap();
        // A unit is retired on a day after it was created: today, in China.
        let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
        materialise_all(&store, today, &cal).await.unwrap();
        let of = |unit: i64| {
            let store = store.clone();
            async move {
                let mut r = store.reader().await.unwrap();
                r.obligations(&ObligationFilter {
                    unit: Some(unit),
                    ..Default::default()
                })
                .await
                .unwrap()
            }
        };
        let study = of(one.id)
            .await
            .into_iter()
            .find(|o| {
                o.obligation.duty_id == "quarterly_study" && o.obligation.period_start <= today
            })
            .unwrap()
            .obligation;
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.create_record(
            study.id,
            &NewVersion {
                work_date: today,
                content: "学习".into(),
                ..NewVersion::default()
            },
        )
        .await
        .unwrap();
        w.commit().await.unwrap();

        // A unit with a unit below it is not retired; the top unit never is; a reason is needed.
        let mut w = store.write(&Actor::system()).await.unwrap();
        assert!(matches!(
            w.retire_unit(one.id, today, "撤并", Some(two.id)).await,
            Err(Error::Invalid(_))
        ));
        drop(w);
        let mut w = store.write(&Actor::system()).await.unwrap();
        assert!(matches!(
            w.retire_unit(bureau.id, today, "撤销", None).await,
            Err(Error::Invalid(_))
        ));
        drop(w);
        let mut w = store.write(&Actor::system()).await.unwrap();
        assert!(matches!(
            w.retire_unit(branch.id, today, "  ", None).await,
            Err(Error::Invalid(_))
        ));
        drop(w);

        let mut w = store.write(&Actor::system()).await.unwrap();
        let gone = w
            .retire_unit(branch.id, today, "初中部撤销", None)
            .await
            .unwrap();
        assert_eq!(gone.retired_on, Some(today));
        assert_eq!(gone.merged_into, None);
        let merged = w
            .retire_unit(one.id, today, "两校合并", Some(two.id))
            .await
            .unwrap();
        assert_eq!(merged.merged_into, Some(two.id));
        assert_eq!(merged.retired_reason.as_deref(), Some("两校合并"));
        w.commit().await.unwrap();
        materialise_all(&store, today, &cal).await.unwrap();

        // The record and its obligation stay; nothing unended without a record is left, and
        // nothing new comes.
        let left = of(one.id).await;
        assert!(left.iter().any(|o| o.obligation.id == study.id));
        assert!(
            left.iter()
                .all(|o| o.obligation.id == study.id || o.obligation.period_end < today),
            "{:?}",
            left.iter()
                .map(|o| (&o.obligation.duty_id, o.obligation.period_start))
                .collect::<Vec<_>>()
        );
        let mut r = store.reader().await.unwrap();
        assert_eq!(r.records_of(study.id).await.unwrap().len(), 1);
        // The people went with the merge; the role ended that day.
        assert_eq!(r.person(head.id).await.unwrap().unwrap().unit_id, two.id);
        assert!(r
            .assignments_at(one.id)
            .await
            .unwrap()
            .iter()
            .all(|a| a.ends_on == Some(today)));
        drop(r);

        // Nothing is added to a retired unit, and it is not retired twice; its name is free.
        let mut w = store.write(&Actor::system()).await.unwrap();
        assert!(matches!(
            w.create_unit(Some(one.id), "新部门", "部门").await,
            Err(Error::Invalid(_))
        ));
        drop(w);
        let mut w = store.write(&Actor::system()).await.unwrap();
        assert!(matches!(
            w.assign(head.id, one.id, "first_responsible", today).await,
            Err(Error::Invalid(_))
        ));
        drop(w);
        let mut w = store.write(&Actor::system()).await.unwrap();
        assert!(matches!(
            w.retire_unit(one.id, today, "再次", None).await,
            Err(Error::Invalid(_))
        ));
        drop(w);
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.create_unit(Some(bureau.id), "第一中学", "学校")
            .await
            .unwrap();
        w.commit().await.unwrap();
        assert_eq!(store.verify_audit().await.unwrap().first_break, None);
    }
}

/// Who approves or receives is found up a unit's ancestry: the snapshot of that ancestry holds
/// the path and the roles held on it, nothing of the rest of the tree (a province's full
/// snapshot is what made 我的工作 take seconds), and the rules answer the same from it.
#[tokio::test]
async fn an_ancestry_snapshot_is_the_path_and_answers_as_the_whole_tree() {
    use zeren_core::org::{PersonId, UnitId};
    use zeren_core::review::resolve_approvers;
    use zeren_store::materialise::{ancestry_snapshot, org_snapshot};
    for db in TestDb::all().await {
        let store = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
        let mut w = store.write(&Actor::system()).await.unwrap();
        let bureau = w.create_unit(None, "河东区教体局", "局").await.unwrap().id;
        let mut schools = Vec::new();
        let mut people = Vec::new();
        for i in 0..5 {
            let s = w
                .create_unit(Some(bureau), &format!("第{i}中学"), "学校")
                .await
                .unwrap()
                .id;
            let group = w
                .create_unit(Some(s), &format!("第{i}中学语文组"), "教研组")
                .await
                .unwrap()
                .id;
            let p = w
                .create_person(&NewPerson {
                    unit_id: s,
                    name: format!("校长{i}"),
                    ..NewPerson::default()
                })
                .await
                .unwrap()
                .id;
            w.assign(p, s, "first_responsible", day("2025-09-01"))
                .await
                .unwrap();
            schools.push((s, group));
            people.push(p);
        }
        let head = w
            .create_person(&NewPerson {
                unit_id: bureau,
                name: "局长".into(),
                ..NewPerson::default()
            })
            .await
            .unwrap()
            .id;
        w.assign(head, bureau, "first_responsible", day("2025-09-01"))
            .await
            .unwrap();
        w.commit().await.unwrap();

        let (school, group) = schools[2];
        let part = ancestry_snapshot(&store, group).await.unwrap();
        let whole = org_snapshot(&store, bureau).await.unwrap();
        assert_eq!(
            part.ancestry(UnitId(group)),
            [UnitId(group), UnitId(school), UnitId(bureau)]
        );
        assert!(part.unit(UnitId(schools[1].0)).is_none(), "no other school");
        assert_eq!(
            part.assignments().len(),
            2,
            "the school's and the bureau's holders only"
        );
        let role = zeren_policy::RoleId::parse("first_responsible").unwrap();
        let on = day("2026-11-29");
        for submitter in [PersonId(999), PersonId(people[2])] {
            assert_eq!(
                resolve_approvers(&part, &role, UnitId(group), submitter, on),
                resolve_approvers(&whole, &role, UnitId(group), submitter, on)
            );
        }
    }
}
