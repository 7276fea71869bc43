//! The repository suite: every test runs on SQLite, and again on PostgreSQL when
//! ZEREN_TEST_DATABASE_URL is set, each time on a fresh database.

use chrono::NaiveDate;
use zeren_store::testdb::TestDb;
use zeren_store::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn open(db: &TestDb, alg: HashAlg) -> Store {
    Store::open(&db.url, alg).await.expect("open store")
}

/// A small tree: bureau → school → branch, and a second school.
async fn tree(store: &Store) -> (Unit, Unit, Unit, Unit) {
    let mut w = store.write(&Actor::system()).await.unwrap();
    let bureau = w.create_unit(None, "河东区教体局", "局").await.unwrap();
    let school = w
        .create_unit(Some(bureau.id), "环湖中学", "学校")
        .await
        .unwrap();
    let branch = w
        .create_unit(Some(school.id), "环湖中学党支部", "党支部")
        .await
        .unwrap();
    let other = w
        .create_unit(Some(bureau.id), "下埔小学", "学校")
        .await
        .unwrap();
    w.commit().await.unwrap();
    (bureau, school, branch, other)
}

#[tokio::test]
async fn units_form_a_tree_and_grants_cover_the_subtree() {
    for db in TestDb::all().await {
        let store = open(&db, HashAlg::Sha256).await;
        let (bureau, school, branch, other) = tree(&store).await;
        let mut w = store.write(&Actor::system()).await.unwrap();
        let acc = w
            .create_account("editor", None, "x", AdminDuty::None)
            .await
            .unwrap();
        w.set_grant(acc.id, school.id, Level::Edit).await.unwrap();
        w.commit().await.unwrap();

        let mut r = store.reader().await.unwrap();
        let path: Vec<_> = r
            .path(branch.id)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.id)
            .collect();
        assert_eq!(path, vec![bureau.id, school.id, branch.id]);
        let sub: Vec<_> = r
            .subtree(school.id)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.id)
            .collect();
        assert_eq!(sub, vec![school.id, branch.id]);
        assert_eq!(r.children(bureau.id).await.unwrap().len(), 2);
        assert_eq!(
            r.level_at(acc.id, branch.id).await.unwrap(),
            Some(Level::Edit)
        );
        assert_eq!(
            r.level_at(acc.id, school.id).await.unwrap(),
            Some(Level::Edit)
        );
        assert_eq!(r.level_at(acc.id, bureau.id).await.unwrap(), None);
        assert_eq!(r.level_at(acc.id, other.id).await.unwrap(), None);
        drop(r);

        // A higher grant further up wins over a lower one below.
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.set_grant(acc.id, bureau.id, Level::Administer)
            .await
            .unwrap();
        w.commit().await.unwrap();
        let mut r = store.reader().await.unwrap();
        assert_eq!(
            r.level_at(acc.id, branch.id).await.unwrap(),
            Some(Level::Administer)
        );
        drop(r);
        store.close().await;
        db.drop_db().await;
    }
}

#[tokio::test]
async fn separated_administrators_cannot_hold_unit_permissions() {
    for db in TestDb::all().await {
        let store = open(&db, HashAlg::Sha256).await;
        let (bureau, ..) = tree(&store).await;
        let mut w = store.write(&Actor::system()).await.unwrap();
        let auditor = w
            .create_account("auditor", None, "x", AdminDuty::Audit)
            .await
            .unwrap();
        let security = w
            .create_account("security", None, "x", AdminDuty::Security)
            .await
            .unwrap();
        assert!(matches!(
            w.set_grant(auditor.id, bureau.id, Level::Read).await,
            Err(Error::Invalid(_))
        ));
        assert!(matches!(
            w.set_grant(security.id, bureau.id, Level::Read).await,
            Err(Error::Invalid(_))
        ));
        drop(w);
        store.close().await;
        db.drop_db().await;
    }
}

#[tokio::test]
async fn people_numbers_are_unique_and_a_rolled_back_write_leaves_nothing() {
    for db in TestDb::all().await {
        let store = open(&db, HashAlg::Sha256).await;
        let (_, school, ..) = tree(&store).await;
        let p = NewPerson {
            unit_id: school.id,
            name: "张三".into(),
            id_number: Some("11010519491231002X".into()),
            employee_no: Some("0001".into()),
            ..Default::default()
        };
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.create_person(&p).await.unwrap();
        let dup = w
            .create_person(&NewPerson {
                name: "李四".into(),
                ..p.clone()
            })
            .await;
        assert!(matches!(dup, Err(Error::Conflict(_))), "{dup:?}");
        drop(w); // roll back: neither person stays, nor their audit entries

        let mut r = store.reader().await.unwrap();
        assert!(r.people_in_unit(school.id).await.unwrap().is_empty());
        drop(r);
        let v = store.verify_audit().await.unwrap();
        assert_eq!(v.first_break, None);
        assert_eq!(v.entries, 4, "only the four units were committed");
        store.close().await;
        db.drop_db().await;
    }
}

#[tokio::test]
async fn assignments_keep_history_and_flag_bodies() {
    for db in TestDb::all().await {
        let store = open(&db, HashAlg::Sha256).await;
        let (_, school, ..) = tree(&store).await;
        let mut w = store.write(&Actor::system()).await.unwrap();
        let a = w
            .create_person(&NewPerson {
                unit_id: school.id,
                name: "王书记".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        let b = w
            .create_person(&NewPerson {
                unit_id: school.id,
                name: "赵书记".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        let first = w
            .assign(a.id, school.id, "first_responsible", day("2024-01-01"))
            .await
            .unwrap();
        let spec = BodySpec {
            key: "leading_group".into(),
            title: "意识形态工作领导小组".into(),
            within: None,
            remit: None,
            roles: vec![("first_responsible".into(), "chair".into())],
        };
        let bodies = w
            .sync_bodies(school.id, std::slice::from_ref(&spec), day("2025-01-01"))
            .await
            .unwrap();
        let body = bodies[0].clone();
        assert!(!body.needs_adjustment);
        let members = w.body_members(body.id).await.unwrap();
        assert_eq!(members.len(), 1);
        assert_eq!(
            (
                members[0].person_name.as_str(),
                members[0].position.as_str()
            ),
            ("王书记", "chair")
        );

        // The post changes hands: history kept, the body flagged.
        w.end_assignment(first.id, day("2025-03-01")).await.unwrap();
        assert!(
            w.end_assignment(first.id, day("2025-04-01")).await.is_err(),
            "already ended"
        );
        w.assign(b.id, school.id, "first_responsible", day("2025-03-01"))
            .await
            .unwrap();
        assert!(w.body(body.id).await.unwrap().unwrap().needs_adjustment);
        let history = w.assignments_at(school.id).await.unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].ends_on, Some(day("2025-03-01")));

        // Re-syncing takes the new holder and clears the flag.
        w.sync_bodies(school.id, &[spec], day("2025-03-02"))
            .await
            .unwrap();
        assert!(!w.body(body.id).await.unwrap().unwrap().needs_adjustment);
        let members = w.body_members(body.id).await.unwrap();
        assert_eq!(
            members
                .iter()
                .map(|m| m.person_name.as_str())
                .collect::<Vec<_>>(),
            vec!["赵书记"]
        );
        w.commit().await.unwrap();
        store.close().await;
        db.drop_db().await;
    }
}

#[tokio::test]
async fn policies_keep_their_installed_versions() {
    for db in TestDb::all().await {
        let store = open(&db, HashAlg::Sha256).await;
        let (bureau, school, branch, _) = tree(&store).await;
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.install_policy(school.id, "district-school", "1", "学校", "v1", "aa")
            .await
            .unwrap();
        w.install_policy(school.id, "district-school", "2", "学校", "v2", "bb")
            .await
            .unwrap();
        w.commit().await.unwrap();
        let mut r = store.reader().await.unwrap();
        let h = r.policy_history(school.id).await.unwrap();
        assert_eq!(
            h.iter()
                .map(|p| (p.version.as_str(), p.current))
                .collect::<Vec<_>>(),
            vec![("2", true), ("1", false)]
        );
        assert_eq!(
            r.policy_in_force(branch.id).await.unwrap().unwrap().text,
            "v2"
        );
        assert!(r.policy_in_force(bureau.id).await.unwrap().is_none());
        drop(r);
        store.close().await;
        db.drop_db().await;
    }
}

#[tokio::test]
async fn sessions_failures_and_tokens() {
    for db in TestDb::all().await {
        let store = open(&db, HashAlg::Sha256).await;
        let mut w = store.write(&Actor::system()).await.unwrap();
        let acc = w
            .create_account("clerk", None, "h1", AdminDuty::None)
            .await
            .unwrap();
        w.create_session("s1", acc.id, "csrf").await.unwrap();
        for _ in 0..3 {
            w.record_login_failure("clerk").await.unwrap();
        }
        let t = w.create_token(acc.id, "script", "tokhash").await.unwrap();
        w.commit().await.unwrap();

        let mut r = store.reader().await.unwrap();
        assert_eq!(r.session("s1").await.unwrap().unwrap().account_id, acc.id);
        let hour_ago = now() - chrono::Duration::hours(1);
        assert_eq!(r.login_failures_since("clerk", hour_ago).await.unwrap(), 3);
        assert_eq!(
            r.login_failures_since("clerk", now() + chrono::Duration::hours(1))
                .await
                .unwrap(),
            0
        );
        assert_eq!(r.token_by_hash("tokhash").await.unwrap().unwrap().id, t.id);
        drop(r);

        // A password change ends every session of the account and revokes its tokens.
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.set_password(acc.id, "h2").await.unwrap();
        w.clear_login_failures("clerk").await.unwrap();
        assert!(matches!(
            w.revoke_token(acc.id, t.id).await,
            Err(Error::NotFound(_))
        ));
        w.commit().await.unwrap();
        let mut r = store.reader().await.unwrap();
        assert!(r.session("s1").await.unwrap().is_none());
        assert_eq!(r.login_failures_since("clerk", hour_ago).await.unwrap(), 0);
        assert!(r
            .token_by_hash("tokhash")
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_some());
        drop(r);

        // Idle sessions are removed by housekeeping.
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.create_session("s2", acc.id, "csrf").await.unwrap();
        w.commit().await.unwrap();
        store
            .touch_session("s2", now() - chrono::Duration::hours(5))
            .await
            .unwrap();
        assert_eq!(
            store
                .delete_idle_sessions(now() - chrono::Duration::hours(1))
                .await
                .unwrap(),
            1
        );
        store.close().await;
        db.drop_db().await;
    }
}

#[tokio::test]
async fn audit_chain_is_intact_and_searchable() {
    for first in TestDb::all().await {
        for alg in [HashAlg::Sha256, HashAlg::Sm3] {
            let db = first.fresh_like().await;
            let store = open(&db, alg).await;
            let (_, school, ..) = tree(&store).await;
            let mut w = store.write(&Actor::account(7, "admin")).await.unwrap();
            w.update_unit(school.id, "环湖中学（新）", "学校")
                .await
                .unwrap();
            w.commit().await.unwrap();
            let v = store.verify_audit().await.unwrap();
            assert_eq!((v.algorithm, v.entries, v.first_break), (alg, 5, None));
            let mut r = store.reader().await.unwrap();
            let found = r
                .audit_search(&AuditFilter {
                    actor_account_id: Some(7),
                    limit: 50,
                    ..Default::default()
                })
                .await
                .unwrap();
            assert_eq!(found.len(), 1);
            assert_eq!(found[0].action, "unit.update");
            let by_entity = r
                .audit_search(&AuditFilter {
                    entity_type: Some("unit".into()),
                    entity_id: Some(school.id.to_string()),
                    from: Some(now() - chrono::Duration::hours(1)),
                    to: Some(now() + chrono::Duration::hours(1)),
                    limit: 50,
                    ..Default::default()
                })
                .await
                .unwrap();
            assert_eq!(by_entity.len(), 2);
            let none = r
                .audit_search(&AuditFilter {
                    to: Some(now() - chrono::Duration::hours(1)),
                    limit: 50,
                    ..Default::default()
                })
                .await
                .unwrap();
            assert!(none.is_empty());
            drop(r);
            // The algorithm is fixed when the database is created.
            store.close().await;
            let other = if alg == HashAlg::Sm3 {
                HashAlg::Sha256
            } else {
                HashAlg::Sm3
            };
            let reopened = open(&db, other).await;
            assert_eq!(reopened.audit_algorithm(), alg);
            assert_eq!(reopened.verify_audit().await.unwrap().first_break, None);
            reopened.close().await;
            db.drop_db().await;
        }
        first.drop_db().await;
    }
}

#[tokio::test]
async fn a_migration_that_does_not_match_stops_the_start() {
    for db in TestDb::all().await {
        open(&db, HashAlg::Sha256).await.close().await;
        db.exec_raw("UPDATE zeren_migrations SET checksum = 'other' WHERE version = 1")
            .await
            .unwrap();
        let e = Store::open(&db.url, HashAlg::Sha256)
            .await
            .err()
            .expect("must refuse");
        assert!(
            e.to_string().contains("migration 1 (initial) failed"),
            "{e}"
        );
        db.drop_db().await;
    }
}

/// Open a store with five chained entries (plain hashes, no audit key), anchor its head in a
/// data directory, tamper with it through raw SQL, and return the first break the verifier
/// names.
async fn tampered(db: &TestDb, sql: &str) -> Option<Break> {
    let store = open(db, HashAlg::Sha256).await;
    tree(&store).await;
    let mut w = store.write(&Actor::system()).await.unwrap();
    w.set_setting("x", "1").await.unwrap();
    w.commit().await.unwrap();
    assert_eq!(store.verify_audit().await.unwrap().first_break, None);
    store.close().await;
    // The anchor file needs a key; the chain stays plain because nothing is written with it.
    let dir = std::env::temp_dir().join(format!(
        "zeren-tampered-{}-{}",
        std::process::id(),
        now().timestamp_nanos_opt().unwrap()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let files = AuditFiles::open_or_create(&dir).unwrap();
    let store = Store::open_with(
        &db.url,
        OpenOptions::new(HashAlg::Sha256).audit_files(files),
    )
    .await
    .unwrap();
    assert_eq!(store.anchor_audit_head().await.unwrap(), Some(5));
    assert!(
        db.exec_raw(sql).await.unwrap() > 0,
        "tampering changed nothing: {sql}"
    );
    let v = store.verify_audit().await.unwrap();
    store.close().await;
    v.first_break
}

/// Anchor times are not known in advance: compare breaks without them.
fn without_time(b: Break) -> Break {
    match b {
        Break::RolledBack {
            chain_end,
            anchor_seq,
            ..
        } => Break::RolledBack {
            chain_end,
            anchor_seq,
            anchored_at: chrono::DateTime::UNIX_EPOCH,
        },
        Break::Anchor { seq, .. } => Break::Anchor {
            seq,
            anchored_at: chrono::DateTime::UNIX_EPOCH,
        },
        b => b,
    }
}

#[tokio::test]
async fn audit_tampering_is_detected() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let cases: &[(&str, Break)] = &[
            (
                "UPDATE audit_log SET actor = 'nobody' WHERE seq = 3",
                Break::Content { seq: 3 },
            ),
            (
                "UPDATE audit_log SET action = 'unit.delete' WHERE seq = 1",
                Break::Content { seq: 1 },
            ),
            (
                "DELETE FROM audit_log WHERE seq = 2",
                Break::Gap {
                    expected: 2,
                    found: 3,
                },
            ),
            (
                "DELETE FROM audit_log WHERE seq = 5",
                Break::RolledBack {
                    chain_end: 4,
                    anchor_seq: 5,
                    anchored_at: chrono::DateTime::UNIX_EPOCH,
                },
            ),
            // Reorder: swap the contents of entries 2 and 3 keeping their numbers.
            (
                "UPDATE audit_log SET seq = -2 WHERE seq = 2;
                 UPDATE audit_log SET seq = 2 WHERE seq = 3;
                 UPDATE audit_log SET seq = 3 WHERE seq = -2",
                Break::Link { seq: 2 },
            ),
        ];
        for (sql, expected) in cases {
            let one = db.fresh_like().await;
            let found = tampered(&one, sql).await.map(without_time);
            let expected = without_time(expected.clone());
            assert_eq!(found, Some(expected), "{backend:?}: {sql}");
            one.drop_db().await;
        }
        db.drop_db().await;
    }
}

#[tokio::test]
async fn concurrent_writers_keep_the_chain_consecutive() {
    for db in TestDb::all().await {
        let store = open(&db, HashAlg::Sha256).await;
        // A second store on the same database stands for a second server instance
        // (for SQLite the in-process writer lock is not shared: the busy timeout applies).
        let second = open(&db, HashAlg::Sha256).await;
        let mut tasks = Vec::new();
        for i in 0..16 {
            let s = if i % 2 == 0 {
                store.clone()
            } else {
                second.clone()
            };
            tasks.push(tokio::spawn(async move {
                let mut w = s.write(&Actor::system()).await.unwrap();
                w.create_unit(None, &format!("单位{i}"), "局")
                    .await
                    .unwrap();
                w.commit().await.unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let v = store.verify_audit().await.unwrap();
        assert_eq!((v.entries, v.first_break), (16, None));
        store.close().await;
        second.close().await;
        db.drop_db().await;
    }
}

#[tokio::test]
async fn a_bad_url_stops_with_a_clear_message() {
    let e = Store::open("mysql://localhost/x", HashAlg::Sha256)
        .await
        .err()
        .unwrap();
    assert!(e.to_string().contains("unsupported database URL"), "{e}");
}

#[tokio::test]
async fn taken_numbers_are_found_in_batches() {
    for db in TestDb::all().await {
        let store = open(&db, HashAlg::Sha256).await;
        let (_, school, ..) = tree(&store).await;
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.create_person(&NewPerson {
            unit_id: school.id,
            name: "张三".into(),
            id_number: Some("11010519491231002X".into()),
            employee_no: Some("0001".into()),
            ..Default::default()
        })
        .await
        .unwrap();
        w.commit().await.unwrap();
        // More numbers than one statement takes: the store splits them.
        let mut nos: Vec<String> = (0..1200).map(|i| format!("E{i}")).collect();
        nos.push("0001".into());
        let ids = vec![
            "11010519491231002X".to_string(),
            "110105194912310021".to_string(),
        ];
        let mut r = store.reader().await.unwrap();
        let mut taken = r.taken_numbers(&ids, &nos).await.unwrap();
        taken.sort();
        assert_eq!(
            taken,
            vec!["0001".to_string(), "11010519491231002X".to_string()]
        );
        drop(r);
        store.close().await;
        db.drop_db().await;
    }
}
