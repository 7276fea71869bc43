//! The audit chain against someone who can write the database but not the data directory:
//! keyed entries, anchors, stored state compared with the chain, incremental verification, and
//! several writers on one database. SQLite always, PostgreSQL with ZEREN_TEST_DATABASE_URL.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use zeren_store::ledger::*;
use zeren_store::reviews::{NewItem, NewItemVersion};
use zeren_store::testdb::TestDb;
use zeren_store::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn data_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "zeren-audit-{name}-{}-{}",
        std::process::id(),
        now().timestamp_nanos_opt().unwrap()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

async fn keyed(db: &TestDb, dir: &Path) -> Store {
    let files = AuditFiles::open_or_create(dir).unwrap();
    Store::open_with(
        &db.url,
        OpenOptions::new(HashAlg::Sha256).audit_files(files),
    )
    .await
    .expect("open keyed store")
}

/// What a fixture created: records (the second corrected once), the file of the first.
struct Ledger {
    records: Vec<i64>,
    corrected: i64,
    file: String,
    review: i64,
}

/// A unit, a policy, an obligation, three records with files (one corrected), a review item
/// with two versions.
async fn ledger(store: &Store) -> Ledger {
    let mut w = store.write(&Actor::system()).await.unwrap();
    let school = w.create_unit(None, "环湖中学", "学校").await.unwrap();
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
            "实施办法",
            "format = 1",
            "abc",
        )
        .await
        .unwrap();
    let clerk = w
        .create_account("clerk", Some(person.id), "x", AdminDuty::None)
        .await
        .unwrap();
    let ids = w
        .materialise_obligations(&[NewObligation {
            installed_policy_id: policy.id,
            policy_id: "district-school".into(),
            duty_id: "quarterly_study".into(),
            title: "专题学习".into(),
            unit_id: school.id,
            person_id: None,
            every: "quarter".into(),
            period_start: day("2026-01-01"),
            period_end: day("2026-03-31"),
            period_label: "2026年第一季度".into(),
            due_on: day("2026-03-31"),
            times: 1,
            evidence: "minutes".into(),
            report_to_parent: false,
        }])
        .await
        .unwrap();
    w.commit().await.unwrap();
    let actor = Actor::account(clerk.id, "clerk");
    let mut records = Vec::new();
    let mut file = String::new();
    for i in 0..3 {
        let mut w = store.write(&actor).await.unwrap();
        let sha = w
            .put_attachment(
                format!("%PDF-1.4 minutes {i}").as_bytes(),
                "application/pdf",
            )
            .await
            .unwrap();
        if i == 0 {
            file = sha.clone();
        }
        let h = w
            .create_record(
                ids[0],
                &NewVersion {
                    work_date: day("2026-03-20"),
                    place: "三楼会议室".into(),
                    content: format!("第{i}次学习"),
                    participants: vec![person.id],
                    guests: Vec::new(),
                    attachments: vec![("纪要.pdf".into(), sha)],
                    reason: None,
                },
            )
            .await
            .unwrap();
        w.commit().await.unwrap();
        records.push(h.record.id);
    }
    let corrected = records[1];
    let mut w = store.write(&actor).await.unwrap();
    w.correct_record(
        corrected,
        1,
        &NewVersion {
            work_date: day("2026-03-21"),
            place: "二楼会议室".into(),
            content: "更正".into(),
            participants: vec![],
            guests: Vec::new(),
            attachments: vec![],
            reason: Some("地点有误".into()),
        },
    )
    .await
    .unwrap();
    let item = w
        .create_review_item(
            &NewItem {
                unit_id: school.id,
                installed_policy_id: policy.id,
                workflow_id: "publication".into(),
                kind: "publication".into(),
                channel_id: None,
                major: false,
                submitter_person_id: person.id,
            },
            &NewItemVersion {
                title: "通知".into(),
                body: "正文".into(),
                details: serde_json::json!({}),
                findings: vec![],
                attachments: vec![("附件.pdf".into(), file.clone())],
            },
        )
        .await
        .unwrap();
    w.add_item_version(
        item.id,
        1,
        &NewItemVersion {
            title: "通知（修改）".into(),
            body: "正文二".into(),
            details: serde_json::json!({}),
            findings: vec![],
            attachments: vec![],
        },
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    Ledger {
        records,
        corrected,
        file,
        review: item.id,
    }
}

async fn entries(store: &Store) -> Vec<AuditEntry> {
    store
        .reader()
        .await
        .unwrap()
        .audit_page(0, 100_000)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_new_database_is_keyed_from_its_first_entry_and_its_state_verifies() {
    for db in TestDb::all().await {
        let dir = data_dir("new");
        let store = keyed(&db, &dir).await;
        let l = ledger(&store).await;
        let all = entries(&store).await;
        assert_eq!(all[0].action, "audit.key");
        assert!(
            all.iter().all(|e| e.key_id.is_some()),
            "every entry is keyed"
        );
        let v = store.verify_audit_and_state().await.unwrap();
        assert_eq!(v.first_break, None, "{:?}", db.backend);
        assert_eq!(v.keyed_from, Some(1));
        let s = v.state.unwrap();
        assert_eq!(s.record_versions, 4);
        assert_eq!(s.records, l.records.len());
        assert_eq!((s.review_versions, s.review_items), (2, 1));
        assert_eq!(s.files, 3);
        // The switch was anchored outside the database as soon as it was committed.
        let anchors = store
            .audit_files()
            .unwrap()
            .anchors(HashAlg::Sha256)
            .unwrap()
            .unwrap();
        assert_eq!(anchors[0].seq, 1);
        store.close().await;
        db.drop_db().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[tokio::test]
async fn a_plain_chain_switches_to_a_key_and_rotations_are_endorsed() {
    for db in TestDb::all().await {
        // Written by a server without a key (as before this version).
        let plain = Store::open(&db.url, HashAlg::Sm3).await.unwrap();
        ledger(&plain).await;
        let before = entries(&plain).await.len() as i64;
        plain.close().await;

        let dir = data_dir("switch");
        let store = keyed(&db, &dir).await;
        assert_eq!(store.audit_algorithm(), HashAlg::Sm3);
        assert_eq!(store.ensure_audit_key().await.unwrap(), Some(before + 1));
        assert_eq!(store.ensure_audit_key().await.unwrap(), None, "only once");
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.set_setting("after", "switch").await.unwrap();
        w.commit().await.unwrap();
        let v = store.verify_audit_and_state().await.unwrap();
        assert_eq!(
            (v.first_break, v.keyed_from, v.entries),
            (None, Some(before + 1), before + 2)
        );
        store.close().await;

        // A server without the key can no longer extend the chain.
        let plain = Store::open(&db.url, HashAlg::Sm3).await.unwrap();
        let mut w = plain.write(&Actor::system()).await.unwrap();
        let e = w.set_setting("x", "y").await.unwrap_err();
        assert!(e.to_string().contains("no audit key"), "{e}");
        drop(w);
        plain.close().await;

        // Rotation: the next write records it, endorsed by the old key.
        let (old, new) = AuditFiles::rotate(&dir).unwrap();
        let store = keyed(&db, &dir).await;
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.set_setting("after", "rotation").await.unwrap();
        w.commit().await.unwrap();
        let all = entries(&store).await;
        let rotation = &all[all.len() - 2];
        assert_eq!(rotation.action, "audit.key");
        assert_eq!(rotation.entity_id, new);
        assert_eq!(rotation.details_json()["previous"].as_str(), old.as_deref());
        assert_eq!(
            store.verify_audit_and_state().await.unwrap().first_break,
            None
        );
        store.close().await;

        // Without the old key in the keyring its entries cannot be checked.
        std::fs::remove_file(dir.join("audit.keyring")).unwrap();
        let store = keyed(&db, &dir).await;
        // (The anchor of the switch, signed with the old key, is the first thing checked.)
        let found = store.verify_audit().await.unwrap().first_break;
        assert!(
            matches!(&found, Some(Break::SidecarKey { key_id, .. }) if Some(key_id) == old.as_ref()),
            "{found:?}"
        );
        std::fs::remove_file(dir.join("audit.anchors")).unwrap();
        assert!(matches!(
            store.verify_audit().await.unwrap().first_break,
            Some(Break::UnknownKey { seq, .. }) if seq == before + 1
        ));
        store.close().await;
        db.drop_db().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// SQL that rewrites entry `seq` (its actor) and recomputes every later plain hash, as
/// someone with database access but without the audit key would. With `drop_key` the
/// rewritten entries also lose their key id, to pass for plain entries.
fn rewrite_from(all: &[AuditEntry], seq: i64, drop_key: bool) -> String {
    let mut sql = String::new();
    let mut prev = all[seq as usize - 2].hash.clone();
    for e in all.iter().skip(seq as usize - 1) {
        let mut e = e.clone();
        if e.seq == seq {
            e.actor = "someone else".into();
        }
        if drop_key {
            e.key_id = None;
            e.details = None;
        }
        e.prev_hash = prev.clone();
        e.hash = e.compute_hash(HashAlg::Sha256);
        prev = e.hash.clone();
        let key = if drop_key {
            ", key_id = NULL, details = NULL"
        } else {
            ""
        };
        sql.push_str(&format!(
            "UPDATE audit_log SET actor = '{}', prev_hash = '{}', hash = '{}'{key} WHERE seq = {};\n",
            e.actor, e.prev_hash, e.hash, e.seq
        ));
    }
    sql
}

#[tokio::test]
async fn an_entry_rewritten_with_every_later_hash_recomputed_is_named() {
    for db in TestDb::all().await {
        for drop_key in [false, true] {
            let one = db.fresh_like().await;
            let dir = data_dir("rewrite");
            let store = keyed(&one, &dir).await;
            ledger(&store).await;
            let all = entries(&store).await;
            assert!(all.len() > 12);
            one.exec_raw(&rewrite_from(&all, 10, drop_key))
                .await
                .unwrap();
            let expected = if drop_key {
                Break::Downgrade { seq: 10 }
            } else {
                Break::Content { seq: 10 }
            };
            assert_eq!(
                store.verify_audit().await.unwrap().first_break,
                Some(expected.clone()),
                "{:?}",
                one.backend
            );
            assert_eq!(
                store.verify_audit_and_state().await.unwrap().first_break,
                Some(expected)
            );
            store.close().await;
            one.drop_db().await;
            let _ = std::fs::remove_dir_all(&dir);
        }
        db.drop_db().await;
    }
}

#[tokio::test]
async fn the_last_entries_deleted_are_found_against_the_anchors() {
    for db in TestDb::all().await {
        let dir = data_dir("rollback");
        let store = keyed(&db, &dir).await;
        ledger(&store).await;
        for i in 0..60 {
            let mut w = store.write(&Actor::system()).await.unwrap();
            w.set_setting("n", &i.to_string()).await.unwrap();
            w.commit().await.unwrap();
        }
        let head = entries(&store).await.len() as i64;
        assert_eq!(store.anchor_audit_head().await.unwrap(), Some(head));
        assert_eq!(store.verify_audit().await.unwrap().first_break, None);
        // Delete the last 50 entries: what remains is a well-formed, shorter chain.
        db.exec_raw(&format!("DELETE FROM audit_log WHERE seq > {}", head - 50))
            .await
            .unwrap();
        let v = store.verify_audit().await.unwrap();
        assert!(
            matches!(
                v.first_break,
                Some(Break::RolledBack { chain_end, anchor_seq, .. })
                    if chain_end == head - 50 && anchor_seq == head
            ),
            "{:?}",
            v.first_break
        );
        let text = v.first_break.unwrap().to_string();
        assert!(text.contains(&format!("entry {head}")), "{text}");
        store.close().await;
        db.drop_db().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[tokio::test]
async fn stored_rows_that_differ_from_the_chain_are_named() {
    for db in TestDb::all().await {
        // Someone with database access switches the guards off first: foreign keys and the
        // triggers that refuse edits of versions.
        let unguard = match db.backend {
            Backend::Sqlite => {
                "PRAGMA foreign_keys = OFF;
                 DROP TRIGGER record_versions_no_update;
                 DROP TRIGGER review_attachments_no_delete;"
            }
            Backend::Postgres => "SET session_replication_role = replica;",
        };
        let cases: Vec<(&str, &str)> = vec![
            (
                "DELETE FROM attachments WHERE sha256 = '{file}'",
                "stored file {file} is missing",
            ),
            (
                "UPDATE records SET current_version = 1 WHERE id = {corrected}",
                "record {corrected} points at version 1",
            ),
            (
                "UPDATE record_versions SET content = '篡改' WHERE record_id = {first}",
                "record {first} version 1 was changed",
            ),
            (
                "UPDATE review_items SET current_version = 1 WHERE id = {review}",
                "review item {review} points at version 1",
            ),
            (
                "DELETE FROM review_attachments",
                "review item {review} version 1 was changed",
            ),
        ];
        for (sql, expected) in cases {
            let one = db.fresh_like().await;
            let dir = data_dir("state");
            let store = keyed(&one, &dir).await;
            let l = ledger(&store).await;
            assert_eq!(
                store.verify_audit_and_state().await.unwrap().first_break,
                None
            );
            let fill = |s: &str| {
                s.replace("{file}", &l.file)
                    .replace("{corrected}", &l.corrected.to_string())
                    .replace("{first}", &l.records[0].to_string())
                    .replace("{review}", &l.review.to_string())
            };
            one.exec_raw(&format!("{unguard} {}", fill(sql)))
                .await
                .unwrap();
            // The chain itself is intact: only the comparison with stored rows finds it.
            assert_eq!(store.verify_audit().await.unwrap().first_break, None);
            let found = store.verify_audit_and_state().await.unwrap().first_break;
            let text = found.map(|b| b.to_string()).unwrap_or_default();
            assert!(
                text.contains(&fill(expected)),
                "{:?}: {sql}: {text}",
                one.backend
            );
            store.close().await;
            one.drop_db().await;
            let _ = std::fs::remove_dir_all(&dir);
        }
        db.drop_db().await;
    }
}

#[tokio::test]
async fn incremental_verification_resumes_from_the_signed_checkpoint() {
    for db in TestDb::all().await {
        let dir = data_dir("incremental");
        let store = keyed(&db, &dir).await;
        ledger(&store).await;
        let first = store.verify_audit_incremental().await.unwrap();
        assert_eq!((first.first_break.clone(), first.from_seq), (None, 0));
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.set_setting("a", "1").await.unwrap();
        w.set_setting("b", "2").await.unwrap();
        w.commit().await.unwrap();
        // A new process (a restarted server) resumes from the file.
        store.close().await;
        let store = keyed(&db, &dir).await;
        let second = store.verify_audit_incremental().await.unwrap();
        assert_eq!(second.first_break, None);
        assert_eq!(
            (second.from_seq, second.entries),
            (first.entries, first.entries + 2)
        );
        let third = store.verify_audit_incremental().await.unwrap();
        assert_eq!(
            (third.from_seq, third.entries),
            (second.entries, second.entries)
        );
        assert_eq!(third.head, second.head);

        // A rewrite before the checkpoint changes the checkpoint's entry's hash.
        let all = entries(&store).await;
        db.exec_raw(&rewrite_from(&all, 5, false)).await.unwrap();
        let v = store.verify_audit_incremental().await.unwrap();
        assert_eq!(
            v.first_break,
            Some(Break::Checkpoint {
                seq: second.entries
            })
        );
        // An edited checkpoint file is refused.
        let cp = dir.join("audit.checkpoint");
        let text = std::fs::read_to_string(&cp).unwrap();
        std::fs::write(&cp, text.replacen(&format!("{} ", second.entries), "3 ", 1)).unwrap();
        let store2 = keyed(&db, &dir).await;
        assert!(matches!(
            store2.verify_audit_incremental().await.unwrap().first_break,
            Some(Break::SidecarFile { .. })
        ));
        store.close().await;
        store2.close().await;
        db.drop_db().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Two pools (two server instances) sharing one database and one audit key append at once:
/// one chain, no gaps, no forks, every entry keyed.
#[tokio::test]
async fn concurrent_writers_on_two_pools_make_one_valid_chain() {
    for db in TestDb::all().await {
        let dir = data_dir("concurrent");
        let a = keyed(&db, &dir).await;
        // The second instance has its own data directory with a copy of the key.
        let dir2 = data_dir("concurrent2");
        std::fs::copy(dir.join("audit.key"), dir2.join("audit.key")).unwrap();
        let b = keyed(&db, &dir2).await;
        let (writers, each) = (8, 25);
        let mut tasks = Vec::new();
        for i in 0..writers {
            let s = if i % 2 == 0 { a.clone() } else { b.clone() };
            tasks.push(tokio::spawn(async move {
                for j in 0..each {
                    let mut w = s.write(&Actor::system()).await.unwrap();
                    w.create_unit(None, &format!("单位{i}-{j}"), "局")
                        .await
                        .unwrap();
                    w.set_setting(&format!("w{i}"), &j.to_string())
                        .await
                        .unwrap();
                    w.commit().await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let v = a.verify_audit().await.unwrap();
        // Two entries per write, and the key switch.
        assert_eq!(
            (v.first_break, v.entries),
            (None, 2 * writers * each + 1),
            "{:?}",
            db.backend
        );
        assert_eq!(b.verify_audit().await.unwrap().first_break, None);

        // An instance with a different key cannot extend (or fork) the chain.
        let dir3 = data_dir("concurrent3");
        let c = keyed(&db, &dir3).await;
        let mut w = c.write(&Actor::system()).await.unwrap();
        let e = w.set_setting("x", "y").await.unwrap_err();
        assert!(e.to_string().contains("does not hold"), "{e}");
        drop(w);
        for s in [a, b, c] {
            s.close().await;
        }
        db.drop_db().await;
        for d in [dir, dir2, dir3] {
            let _ = std::fs::remove_dir_all(&d);
        }
    }
}

#[tokio::test]
async fn nul_characters_are_refused_alike_on_both_databases() {
    for db in TestDb::all().await {
        let store = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
        let l = ledger(&store).await;
        let mut w = store.write(&Actor::system()).await.unwrap();
        assert!(matches!(
            w.create_unit(None, "a\0b", "局").await,
            Err(Error::Invalid(_))
        ));
        drop(w);
        let mut w = store.write(&Actor::system()).await.unwrap();
        let e = w
            .correct_record(
                l.records[0],
                1,
                &NewVersion {
                    work_date: day("2026-03-20"),
                    place: "x".into(),
                    content: "a\0b".into(),
                    participants: vec![],
                    guests: Vec::new(),
                    attachments: vec![],
                    reason: Some("r".into()),
                },
            )
            .await;
        assert!(matches!(e, Err(Error::Invalid(_))), "{e:?}");
        drop(w);
        // Looking a NUL name up is not a server error either.
        let mut r = store.reader().await.unwrap();
        let found = r.account_by_username("a\0b").await;
        assert!(
            matches!(found, Ok(None) | Err(Error::Invalid(_))),
            "{found:?}"
        );
        drop(r);
        // The store still writes afterwards.
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.set_setting("ok", "1").await.unwrap();
        w.commit().await.unwrap();
        assert_eq!(store.verify_audit().await.unwrap().first_break, None);
        store.close().await;
        db.drop_db().await;
    }
}
