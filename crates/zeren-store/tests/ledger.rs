//! The ledger suite: obligations, records and their versions, attachments and acknowledgements,
//! on SQLite and (with ZEREN_TEST_DATABASE_URL) on PostgreSQL, each on a fresh database.

use chrono::NaiveDate;
use zeren_store::ledger::*;
use zeren_store::testdb::TestDb;
use zeren_store::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

struct Fixture {
    store: Store,
    bureau: i64,
    school: i64,
    person: i64,
    policy: i64,
}

async fn fixture(db: &TestDb) -> Fixture {
    let store = Store::open(&db.url, HashAlg::Sha256)
        .await
        .expect("open store");
    let mut w = store.write(&Actor::system()).await.unwrap();
    let bureau = w.create_unit(None, "河东区教体局", "局").await.unwrap();
    let school = w
        .create_unit(Some(bureau.id), "环湖中学", "学校")
        .await
        .unwrap();
    let person = w
        .create_person(&NewPerson {
            unit_id: school.id,
            name: "王庆彬".into(),
            ..NewPerson::default()
        })
        .await
        .unwrap();
    let policy = w
        .install_policy(
            school.id,
            "district-school",
            "1",
            "学校意识形态工作责任制实施办法",
            "format = 1",
            "abc",
        )
        .await
        .unwrap();
    w.commit().await.unwrap();
    Fixture {
        store,
        bureau: bureau.id,
        school: school.id,
        person: person.id,
        policy: policy.id,
    }
}

fn obligation(
    f: &Fixture,
    duty: &str,
    start: &str,
    end: &str,
    due: &str,
    report: bool,
) -> NewObligation {
    NewObligation {
        installed_policy_id: f.policy,
        policy_id: "district-school".into(),
        duty_id: duty.into(),
        title: "意识形态工作内容专题学习".into(),
        unit_id: f.school,
        person_id: None,
        every: "quarter".into(),
        period_start: day(start),
        period_end: day(end),
        period_label: "2026年第一季度".into(),
        due_on: day(due),
        times: 1,
        evidence: "minutes attendance".into(),
        report_to_parent: report,
    }
}

async fn clerk(store: &Store) -> Actor {
    let mut w = store.write(&Actor::system()).await.unwrap();
    let a = w
        .create_account("clerk", None, "x", AdminDuty::None)
        .await
        .unwrap();
    w.commit().await.unwrap();
    Actor::account(a.id, "clerk")
}

#[tokio::test]
async fn materialising_twice_creates_nothing_new() {
    for db in TestDb::all().await {
        let f = fixture(&db).await;
        let rows = vec![
            obligation(
                &f,
                "quarterly_study",
                "2026-01-01",
                "2026-03-31",
                "2026-03-31",
                false,
            ),
            obligation(
                &f,
                "quarterly_study",
                "2026-04-01",
                "2026-06-30",
                "2026-06-30",
                false,
            ),
        ];
        let mut w = f.store.write(&Actor::system()).await.unwrap();
        assert_eq!(w.materialise_obligations(&rows).await.unwrap().len(), 2);
        w.commit().await.unwrap();
        let mut w = f.store.write(&Actor::system()).await.unwrap();
        assert!(w.materialise_obligations(&rows).await.unwrap().is_empty());
        w.commit().await.unwrap();

        // Two instances at once: still one of each.
        let (a, b) = (f.store.clone(), f.store.clone());
        let more = vec![obligation(
            &f,
            "half_year_report",
            "2026-01-01",
            "2026-06-30",
            "2026-06-30",
            true,
        )];
        let (m1, m2) = (more.clone(), more.clone());
        let t1 = tokio::spawn(async move {
            let mut w = a.write(&Actor::system()).await.unwrap();
            let n = w.materialise_obligations(&m1).await.unwrap().len();
            w.commit().await.unwrap();
            n
        });
        let t2 = tokio::spawn(async move {
            let mut w = b.write(&Actor::system()).await.unwrap();
            let n = w.materialise_obligations(&m2).await.unwrap().len();
            w.commit().await.unwrap();
            n
        });
        assert_eq!(t1.await.unwrap() + t2.await.unwrap(), 1);
        let mut r = f.store.reader().await.unwrap();
        let all = r
            .obligations(&ObligationFilter {
                subtree_of: Some(f.bureau),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(f.store.verify_audit().await.unwrap().first_break, None);
        db.drop_db().await;
    }
}

#[tokio::test]
async fn a_record_is_corrected_by_a_new_version_and_never_in_place() {
    for db in TestDb::all().await {
        let f = fixture(&db).await;
        let actor = clerk(&f.store).await;
        let mut w = f.store.write(&Actor::system()).await.unwrap();
        let ids = w
            .materialise_obligations(&[obligation(
                &f,
                "quarterly_study",
                "2026-01-01",
                "2026-03-31",
                "2026-03-31",
                true,
            )])
            .await
            .unwrap();
        w.commit().await.unwrap();

        let mut w = f.store.write(&actor).await.unwrap();
        let sha = w
            .put_attachment(b"%PDF-1.4 minutes", "application/pdf")
            .await
            .unwrap();
        let first = NewVersion {
            work_date: day("2026-03-20"),
            place: "三楼会议室".into(),
            content: "学习实施方案".into(),
            participants: vec![f.person],
            guests: vec!["刘讲师（区委党校）".into(), "李四".into()],
            attachments: vec![("会议纪要.pdf".into(), sha.clone())],
            reason: None,
        };
        let h = w.create_record(ids[0], &first).await.unwrap();
        w.commit().await.unwrap();
        assert_eq!(h.record.current_version, 1);
        let v1 = h.current().unwrap();
        assert_eq!(v1.participants, [(f.person, "王庆彬".to_string())]);
        assert_eq!(v1.version.guest_names(), ["刘讲师（区委党校）", "李四"]);
        // In JSON the guests are a list.
        assert_eq!(
            serde_json::to_value(&v1.version).unwrap()["guests"],
            serde_json::json!(["刘讲师（区委党校）", "李四"])
        );
        assert_eq!(v1.attachments[0].file_name, "会议纪要.pdf");

        // A correction needs a reason, and must start from the current version.
        let mut w = f.store.write(&actor).await.unwrap();
        let second = NewVersion {
            place: "二楼会议室".into(),
            reason: Some("地点登记有误".into()),
            ..first.clone()
        };
        assert!(matches!(
            w.correct_record(
                h.record.id,
                1,
                &NewVersion {
                    reason: None,
                    ..second.clone()
                }
            )
            .await,
            Err(Error::Invalid(_))
        ));
        let h2 = w.correct_record(h.record.id, 1, &second).await.unwrap();
        w.commit().await.unwrap();
        assert_eq!(h2.versions.len(), 2, "both versions stay visible");
        assert_eq!(h2.versions[0].version.place, "三楼会议室");
        assert_eq!(h2.current().unwrap().version.place, "二楼会议室");
        assert_eq!(
            h2.current().unwrap().version.reason.as_deref(),
            Some("地点登记有误")
        );
        let mut w = f.store.write(&actor).await.unwrap();
        assert!(
            matches!(
                w.correct_record(h.record.id, 1, &second).await,
                Err(Error::Conflict(_))
            ),
            "a stale correction conflicts"
        );
        drop(w);

        // The database itself refuses edits and deletions of submitted versions.
        for sql in [
            "UPDATE record_versions SET place = '别处' WHERE version = 1",
            "DELETE FROM record_versions WHERE version = 1",
            "UPDATE record_participants SET person_id = person_id",
            "DELETE FROM record_attachments",
            "UPDATE attachments SET content = content",
        ] {
            assert!(db.exec_raw(sql).await.is_err(), "refused: {sql}");
        }
        let mut r = f.store.reader().await.unwrap();
        let again = r.record_by_id(h.record.id).await.unwrap().unwrap();
        assert_eq!(again.versions[0].version.place, "三楼会议室");

        // Progress counts the current version's work date.
        let p = r
            .obligations(&ObligationFilter {
                unit: Some(f.school),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(p[0].work_dates, [day("2026-03-20")]);
        assert_eq!(p[0].records, 1);

        // The file comes back intact; a file whose bytes no longer match is refused.
        let (mt, bytes) = r.attachment(&sha).await.unwrap().unwrap();
        assert_eq!(
            (mt.as_str(), bytes.as_slice()),
            ("application/pdf", &b"%PDF-1.4 minutes"[..])
        );
        drop(r);
        let corrupt = match db.backend {
            Backend::Sqlite => "DROP TRIGGER attachments_no_update; UPDATE attachments SET content = X'00'",
            Backend::Postgres => "DROP TRIGGER attachments_no_update ON attachments; UPDATE attachments SET content = '\\x00'",
        };
        db.exec_raw(corrupt).await.unwrap();
        let mut r = f.store.reader().await.unwrap();
        assert!(matches!(r.attachment(&sha).await, Err(Error::Invalid(_))));

        // Every step is on the audit chain, and the chain is intact.
        let entries = r.audit_page(0, 1000).await.unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        for a in [
            "obligations.materialise",
            "attachment.store",
            "record.create",
            "record.correct",
        ] {
            assert!(actions.contains(&a), "{a} in {actions:?}");
        }
        assert_eq!(f.store.verify_audit().await.unwrap().first_break, None);
        db.drop_db().await;
    }
}

#[tokio::test]
async fn the_parent_acknowledges_reports_in_its_inbox() {
    for db in TestDb::all().await {
        let f = fixture(&db).await;
        let actor = clerk(&f.store).await;
        let mut w = f.store.write(&Actor::system()).await.unwrap();
        let ids = w
            .materialise_obligations(&[
                obligation(
                    &f,
                    "half_year_report",
                    "2026-01-01",
                    "2026-06-30",
                    "2026-06-30",
                    true,
                ),
                obligation(
                    &f,
                    "quarterly_study",
                    "2026-01-01",
                    "2026-03-31",
                    "2026-03-31",
                    false,
                ),
            ])
            .await
            .unwrap();
        w.commit().await.unwrap();
        let v = NewVersion {
            work_date: day("2026-06-28"),
            content: "半年工作汇报".into(),
            ..NewVersion::default()
        };
        let mut w = f.store.write(&actor).await.unwrap();
        let report = w.create_record(ids[0], &v).await.unwrap();
        w.create_record(ids[1], &v).await.unwrap();
        w.commit().await.unwrap();

        let mut r = f.store.reader().await.unwrap();
        let inbox = r.inbox(f.bureau).await.unwrap();
        assert_eq!(inbox.len(), 1, "only reports to the parent reach its inbox");
        assert_eq!(inbox[0].1.id, report.record.id);
        assert!(r.inbox(f.school).await.unwrap().is_empty());
        drop(r);

        let mut w = f.store.write(&actor).await.unwrap();
        let ack = w
            .acknowledge(report.record.id, f.bureau, "已签收", None)
            .await
            .unwrap();
        w.commit().await.unwrap();
        assert_eq!(ack.version, 1);
        let mut w = f.store.write(&actor).await.unwrap();
        assert!(matches!(
            w.acknowledge(report.record.id, f.bureau, "again", None)
                .await,
            Err(Error::Conflict(_))
        ));
        drop(w);
        let mut r = f.store.reader().await.unwrap();
        assert!(r.inbox(f.bureau).await.unwrap().is_empty());
        // A correction needs a fresh acknowledgement.
        drop(r);
        let mut w = f.store.write(&actor).await.unwrap();
        w.correct_record(
            report.record.id,
            1,
            &NewVersion {
                reason: Some("补充数据".into()),
                ..v.clone()
            },
        )
        .await
        .unwrap();
        w.commit().await.unwrap();
        let mut r = f.store.reader().await.unwrap();
        assert_eq!(r.inbox(f.bureau).await.unwrap().len(), 1);
        drop(r);
        // Acknowledging the version read, after a correction, is a conflict; the current one is fine.
        let mut w = f.store.write(&actor).await.unwrap();
        assert!(matches!(
            w.acknowledge(report.record.id, f.bureau, "ok", Some(1))
                .await,
            Err(Error::Conflict(_))
        ));
        drop(w);
        let mut w = f.store.write(&actor).await.unwrap();
        assert_eq!(
            w.acknowledge(report.record.id, f.bureau, "ok", Some(2))
                .await
                .unwrap()
                .version,
            2
        );
        w.commit().await.unwrap();
        db.drop_db().await;
    }
}

#[tokio::test]
async fn only_future_obligations_without_records_are_removed() {
    for db in TestDb::all().await {
        let f = fixture(&db).await;
        let mut w = f.store.write(&Actor::system()).await.unwrap();
        let ids = w
            .materialise_obligations(&[
                obligation(&f, "q", "2026-10-01", "2026-12-31", "2026-12-31", false),
                obligation(&f, "q", "2027-01-01", "2027-03-31", "2027-03-31", false),
            ])
            .await
            .unwrap();
        w.commit().await.unwrap();
        let mut w = f.store.write(&Actor::system()).await.unwrap();
        let removed = w
            .remove_future_obligations(&ids, day("2026-11-29"))
            .await
            .unwrap();
        w.commit().await.unwrap();
        assert_eq!(
            removed,
            [ids[1]],
            "the current quarter stays; the next one goes"
        );
        db.drop_db().await;
    }
}

#[tokio::test]
async fn verification_is_not_confused_by_concurrent_writers() {
    for db in TestDb::all().await {
        let f = fixture(&db).await;
        // A writer keeps appending while the chain is verified again and again.
        let store = f.store.clone();
        let writer = tokio::spawn(async move {
            for i in 0..60 {
                let mut w = store.write(&Actor::system()).await.unwrap();
                w.set_setting("bench", &i.to_string()).await.unwrap();
                w.commit().await.unwrap();
            }
        });
        while !writer.is_finished() {
            assert_eq!(f.store.verify_audit().await.unwrap().first_break, None);
        }
        writer.await.unwrap();
        assert_eq!(f.store.verify_audit().await.unwrap().first_break, None);
        db.drop_db().await;
    }
}

/// An account that may edit at `unit`, linked to a person named `name`.
async fn editor(store: &Store, unit: i64, username: &str, name: &str) -> Actor {
    let mut w = store.write(&Actor::system()).await.unwrap();
    let p = w
        .create_person(&NewPerson {
            unit_id: unit,
            name: name.into(),
            ..NewPerson::default()
        })
        .await
        .unwrap();
    let a = w
        .create_account(username, Some(p.id), "x", AdminDuty::None)
        .await
        .unwrap();
    w.set_grant(a.id, unit, Level::Edit).await.unwrap();
    w.commit().await.unwrap();
    Actor::account(a.id, username)
}

#[tokio::test]
async fn the_parent_returns_a_report_and_acknowledges_its_correction() {
    for db in TestDb::all().await {
        let f = fixture(&db).await;
        let school = editor(&f.store, f.school, "clerk", "李娜").await;
        let bureau = editor(&f.store, f.bureau, "office", "赵立新").await;
        let bureau_id = bureau.account_id.unwrap();
        let mut w = f.store.write(&Actor::system()).await.unwrap();
        let ids = w
            .materialise_obligations(&[obligation(
                &f,
                "half_year_report",
                "2026-01-01",
                "2026-06-30",
                "2026-06-30",
                true,
            )])
            .await
            .unwrap();
        w.commit().await.unwrap();
        let v = NewVersion {
            work_date: day("2026-06-28"),
            content: "半年工作汇报".into(),
            ..NewVersion::default()
        };
        let mut w = f.store.write(&school).await.unwrap();
        let report = w.create_record(ids[0], &v).await.unwrap();
        w.commit().await.unwrap();
        let id = report.record.id;
        assert_eq!(
            report.current().unwrap().version.created_by_name,
            "李娜",
            "登记人 by name, not the username"
        );

        // It waits for the bureau's editor, and only theirs.
        let mut r = f.store.reader().await.unwrap();
        assert_eq!(r.awaiting_receipt_count(bureau_id).await.unwrap(), 1);
        let waiting = r.awaiting_receipt(bureau_id, 50).await.unwrap();
        assert_eq!(
            (
                waiting[0].record_id,
                waiting[0].version,
                waiting[0].resubmitted
            ),
            (id, 1, false)
        );
        assert_eq!(waiting[0].unit_name, "环湖中学");
        assert_eq!(waiting[0].parent_id, f.bureau);
        assert_eq!(waiting[0].reported_by, "李娜");
        assert_eq!(
            r.awaiting_receipt_count(school.account_id.unwrap())
                .await
                .unwrap(),
            0
        );
        drop(r);

        // A return needs a reason, and is of the version read.
        let mut w = f.store.write(&bureau).await.unwrap();
        assert!(matches!(
            w.return_record(id, f.bureau, "  ", Some(1)).await,
            Err(Error::Invalid(_))
        ));
        assert!(matches!(
            w.return_record(id, f.bureau, "缺少数据", Some(2)).await,
            Err(Error::Conflict(_))
        ));
        drop(w);
        let mut w = f.store.write(&bureau).await.unwrap();
        let back = w
            .return_record(id, f.bureau, "缺少第二季度数据", Some(1))
            .await
            .unwrap();
        w.commit().await.unwrap();
        assert_eq!(
            (back.version, back.returned_by_name.as_str()),
            (1, "赵立新")
        );
        // A returned version cannot also be acknowledged, nor returned twice.
        let mut w = f.store.write(&bureau).await.unwrap();
        assert!(matches!(
            w.acknowledge(id, f.bureau, "", Some(1)).await,
            Err(Error::Conflict(_))
        ));
        assert!(matches!(
            w.return_record(id, f.bureau, "再退", None).await,
            Err(Error::Conflict(_))
        ));
        drop(w);
        let mut r = f.store.reader().await.unwrap();
        assert_eq!(r.awaiting_receipt_count(bureau_id).await.unwrap(), 0);
        assert!(r.inbox(f.bureau).await.unwrap().is_empty());
        let returned = r.returned_records(&[f.school]).await.unwrap();
        assert_eq!(returned.len(), 1);
        assert_eq!(returned[0].reason, "缺少第二季度数据");
        assert_eq!(returned[0].parent_name, "河东区教体局");
        assert!(r.returned_records(&[f.bureau]).await.unwrap().is_empty());
        let h = r.record_by_id(id).await.unwrap().unwrap();
        assert_eq!(h.returned().unwrap().reason, "缺少第二季度数据");
        drop(r);

        // The school corrects it: the correction waits again, marked as resubmitted.
        let mut w = f.store.write(&school).await.unwrap();
        w.correct_record(
            id,
            1,
            &NewVersion {
                content: "半年工作汇报（含第二季度数据）".into(),
                reason: Some("按退回意见补充数据".into()),
                ..v.clone()
            },
        )
        .await
        .unwrap();
        w.commit().await.unwrap();
        let mut r = f.store.reader().await.unwrap();
        assert!(r.returned_records(&[f.school]).await.unwrap().is_empty());
        let waiting = r.awaiting_receipt(bureau_id, 50).await.unwrap();
        assert_eq!(
            (waiting[0].version, waiting[0].resubmitted),
            (2, true),
            "{waiting:?}"
        );
        drop(r);
        let mut w = f.store.write(&bureau).await.unwrap();
        let ack = w
            .acknowledge(id, f.bureau, "已签收", Some(2))
            .await
            .unwrap();
        w.commit().await.unwrap();
        assert_eq!(ack.acknowledged_by_name, "赵立新");
        let mut r = f.store.reader().await.unwrap();
        assert_eq!(r.awaiting_receipt_count(bureau_id).await.unwrap(), 0);
        let h = r.record_by_id(id).await.unwrap().unwrap();
        assert_eq!(h.returns.len(), 1, "the return stays in the history");
        assert_eq!(h.acknowledged().unwrap().version, 2);
        assert!(h.returned().is_none());
        let actions: Vec<String> = r
            .audit_page(0, 1000)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        drop(r);
        for a in ["record.return", "record.correct", "record.acknowledge"] {
            assert!(actions.iter().any(|x| x == a), "{a}");
        }

        // 签收 and 退回 are rows the database never lets anyone edit or delete.
        for sql in [
            "UPDATE acknowledgements SET note = 'x'",
            "DELETE FROM acknowledgements",
            "UPDATE record_returns SET reason = 'x'",
            "DELETE FROM record_returns",
        ] {
            assert!(db.exec_raw(sql).await.is_err(), "refused: {sql}");
        }
        assert_eq!(f.store.verify_audit().await.unwrap().first_break, None);

        // Versions stored before names were (the account's username) show the person too.
        let legacy = match db.backend {
            Backend::Sqlite => "DROP TRIGGER record_versions_no_update; UPDATE record_versions SET created_by_name = 'clerk'",
            Backend::Postgres => "DROP TRIGGER record_versions_no_change ON record_versions; UPDATE record_versions SET created_by_name = 'clerk'",
        };
        db.exec_raw(legacy).await.unwrap();
        let mut r = f.store.reader().await.unwrap();
        let h = r.record_by_id(id).await.unwrap().unwrap();
        assert_eq!(h.versions[0].version.created_by_name, "李娜");
        drop(r);
        db.drop_db().await;
    }
}

#[tokio::test]
async fn history_is_imported_on_its_dates_and_audited_as_an_import() {
    for db in TestDb::all().await {
        let f = fixture(&db).await;
        let school = editor(&f.store, f.school, "clerk", "李娜").await;
        let bureau = editor(&f.store, f.bureau, "office", "赵立新").await;
        let mut w = f.store.write(&Actor::system()).await.unwrap();
        let ids = w
            .materialise_obligations(&[obligation(
                &f,
                "half_year_report",
                "2025-01-01",
                "2025-06-30",
                "2025-06-30",
                true,
            )])
            .await
            .unwrap();
        w.commit().await.unwrap();
        let at = |s: &str| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
                .unwrap()
                .and_utc()
        };
        let mut w = f.store.write(&school).await.unwrap();
        w.import_history_at(at("2025-06-27 02:30"));
        let h = w
            .create_record(
                ids[0],
                &NewVersion {
                    work_date: day("2025-06-26"),
                    content: "上半年工作汇报".into(),
                    ..NewVersion::default()
                },
            )
            .await
            .unwrap();
        w.commit().await.unwrap();
        assert_eq!(h.record.created_at, at("2025-06-27 02:30"));
        assert_eq!(
            h.current().unwrap().version.created_at,
            at("2025-06-27 02:30")
        );
        let mut w = f.store.write(&bureau).await.unwrap();
        w.import_history_at(at("2025-07-02 01:00"));
        let a = w
            .acknowledge(h.record.id, f.bureau, "", Some(1))
            .await
            .unwrap();
        w.commit().await.unwrap();
        assert_eq!(a.acknowledged_at, at("2025-07-02 01:00"));

        // Without the import, the same write is stamped now.
        let mut w = f.store.write(&school).await.unwrap();
        let h2 = w
            .correct_record(
                h.record.id,
                1,
                &NewVersion {
                    work_date: day("2025-06-26"),
                    reason: Some("补充".into()),
                    ..NewVersion::default()
                },
            )
            .await
            .unwrap();
        w.commit().await.unwrap();
        assert!(h2.current().unwrap().version.created_at > at("2026-01-01 00:00"));

        let mut r = f.store.reader().await.unwrap();
        let entries = r.audit_page(0, 1000).await.unwrap();
        let import = entries
            .iter()
            .find(|e| e.action == "record.import")
            .expect("an import entry");
        assert!(
            import.at > at("2026-01-01 00:00"),
            "the entry has the real time"
        );
        assert!(import
            .details_json()
            .get("imported_at")
            .is_some_and(|v| v.as_str().unwrap().starts_with("2025-06-27")));
        assert!(entries
            .iter()
            .any(|e| e.action == "record.import_acknowledgement"));
        assert!(!entries.iter().any(|e| e.action == "record.create"));
        drop(r);
        assert_eq!(f.store.verify_audit().await.unwrap().first_break, None);
        db.drop_db().await;
    }
}
