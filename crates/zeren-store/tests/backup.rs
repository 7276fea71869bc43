//! Online backups of a SQLite data directory under write load, and restores that check the
//! archive and the chain before anything is moved into place.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use zeren_store::backup;
use zeren_store::ledger::*;
use zeren_store::*;

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "zeren-backup-{name}-{}-{}",
        std::process::id(),
        now().timestamp_nanos_opt().unwrap()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

async fn open(dir: &Path) -> Store {
    let files = AuditFiles::open_or_create(dir).unwrap();
    let url = format!("sqlite://{}", dir.join("zeren.db").display());
    Store::open_with(&url, OpenOptions::new(HashAlg::Sha256).audit_files(files))
        .await
        .unwrap()
}

/// A unit with an installed policy and one obligation; returns (obligation, clerk).
async fn setup(store: &Store) -> (i64, Actor) {
    let mut w = store.write(&Actor::system()).await.unwrap();
    let school = w.create_unit(None, "环湖中学", "学校").await.unwrap();
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
        .create_account("clerk", None, "x", AdminDuty::None)
        .await
        .unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
    let ids = w
        .materialise_obligations(&[NewObligation {
            installed_policy_id: policy.id,
            policy_id: "district-school".into(),
            duty_id: "weekly".into(),
            title: "周学习".into(),
            unit_id: school.id,
            person_id: None,
            every: "year".into(),
            period_start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            period_end: day,
            period_label: "2026".into(),
            due_on: day,
            times: 1,
            evidence: "minutes".into(),
            report_to_parent: false,
        }])
        .await
        .unwrap();
    w.commit().await.unwrap();
    (ids[0], Actor::account(clerk.id, "clerk"))
}

/// Rewrite an archive: apply `change` to its extracted members, then recompute the manifest's
/// digests so that only the chain can tell.
fn doctor(archive: &Path, out: &Path, change: impl FnOnce(&Path)) {
    let work = temp("doctor");
    let mut z = zip::ZipArchive::new(std::fs::File::open(archive).unwrap()).unwrap();
    let mut names = Vec::new();
    for i in 0..z.len() {
        let mut m = z.by_index(i).unwrap();
        let name = m.name().to_string();
        let dst = work.join(&name);
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        let mut bytes = Vec::new();
        m.read_to_end(&mut bytes).unwrap();
        std::fs::write(&dst, bytes).unwrap();
        names.push(name);
    }
    change(&work);
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(work.join("MANIFEST.json")).unwrap()).unwrap();
    for name in names.iter().filter(|n| *n != "MANIFEST.json") {
        let bytes = std::fs::read(work.join(name)).unwrap();
        manifest["files"][name] = serde_json::json!([bytes.len(), sha256_hex(&bytes)]);
    }
    std::fs::write(
        work.join("MANIFEST.json"),
        serde_json::to_vec(&manifest).unwrap(),
    )
    .unwrap();
    let mut w = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    for name in &names {
        w.start_file(
            name.as_str(),
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored),
        )
        .unwrap();
        w.write_all(&std::fs::read(work.join(name)).unwrap())
            .unwrap();
    }
    w.finish().unwrap();
    let _ = std::fs::remove_dir_all(&work);
}

#[tokio::test]
async fn a_backup_taken_under_writes_restores_and_verifies() {
    let data = temp("live");
    let store = open(&data).await;
    let (obligation, clerk) = setup(&store).await;

    // Four writers add records with files until told to stop; acknowledged ids are kept.
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Arc<Mutex<Vec<i64>>> = Arc::default();
    let mut writers = Vec::new();
    for t in 0..4u64 {
        let (s, stop, acked, clerk) = (store.clone(), stop.clone(), acked.clone(), clerk.clone());
        writers.push(tokio::spawn(async move {
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let mut w = s.write(&clerk).await.unwrap();
                let body = format!("%PDF-1.4 writer {t} record {i} {}", "x".repeat(4000));
                let sha = w
                    .put_attachment(body.as_bytes(), "application/pdf")
                    .await
                    .unwrap();
                let h = w
                    .create_record(
                        obligation,
                        &NewVersion {
                            work_date: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
                            place: "会议室".into(),
                            content: format!("第{i}次"),
                            participants: vec![],
                            guests: Vec::new(),
                            attachments: vec![("纪要.pdf".into(), sha)],
                            reason: None,
                        },
                    )
                    .await
                    .unwrap();
                w.commit().await.unwrap();
                acked.lock().unwrap().push(h.record.id);
                i += 1;
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let before: Vec<i64> = acked.lock().unwrap().clone();
    let archive = temp("archives").join("zeren-backup.zip");
    let summary = backup::create(&data, &archive).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    let after = acked.lock().unwrap().len();
    assert!(
        !before.is_empty() && after > before.len(),
        "writes ran during the backup"
    );
    assert_eq!(summary.verification.first_break, None);
    assert!(summary.manifest.files.contains_key("audit.key"));

    // Into a fresh directory.
    let target = temp("restored");
    let restored = backup::restore(&archive, &target).await.unwrap();
    assert_eq!(restored.verification.first_break, None);
    assert!(restored.set_aside.is_none());
    let copy = open(&target).await;
    let v = copy.verify_audit_and_state().await.unwrap();
    assert_eq!(v.first_break, None);
    assert_eq!(v.entries, summary.manifest.audit_entries);
    // Every write acknowledged before the backup began is in it.
    let mut r = copy.reader().await.unwrap();
    for id in &before {
        assert!(r.record_by_id(*id).await.unwrap().is_some(), "record {id}");
    }
    drop(r);
    // The restored server goes on writing on the same chain and key.
    let mut w = copy.write(&Actor::system()).await.unwrap();
    w.set_setting("restored", "yes").await.unwrap();
    w.commit().await.unwrap();
    assert_eq!(copy.verify_audit().await.unwrap().first_break, None);
    copy.close().await;

    // Over the live directory: refused while a server holds it …
    let lock = DataDirLock::acquire(&data).unwrap();
    let e = backup::restore(&archive, &data).await.unwrap_err();
    assert!(e.to_string().contains("in use"), "{e}");
    drop(lock);
    store.close().await;
    // … and done once it stopped, the replaced files kept aside.
    let r = backup::restore(&archive, &data).await.unwrap();
    let aside = r.set_aside.unwrap();
    assert!(aside.join("zeren.db").exists() && aside.join("audit.key").exists());
    let back = open(&data).await;
    assert_eq!(back.verify_audit().await.unwrap().first_break, None);
    back.close().await;

    for d in [data, target, archive.parent().unwrap().to_path_buf()] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn altered_archives_and_databases_are_refused() {
    let data = temp("refuse");
    let store = open(&data).await;
    let (obligation, clerk) = setup(&store).await;
    for i in 0..3 {
        let mut w = store.write(&clerk).await.unwrap();
        let sha = w
            .put_attachment(format!("file {i}").as_bytes(), "text/plain")
            .await
            .unwrap();
        w.create_record(
            obligation,
            &NewVersion {
                work_date: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
                place: "p".into(),
                content: format!("{i}"),
                participants: vec![],
                guests: Vec::new(),
                attachments: vec![("a.txt".into(), sha)],
                reason: None,
            },
        )
        .await
        .unwrap();
        w.commit().await.unwrap();
    }
    let dir = temp("archives2");
    let archive = dir.join("ok.zip");
    backup::create(&data, &archive).await.unwrap();
    assert!(
        backup::create(&data, &archive).await.is_err(),
        "never overwrites"
    );

    // A member changed after the manifest was written.
    let bytes = std::fs::read(&archive).unwrap();
    let damaged = dir.join("damaged.zip");
    let mut b = bytes.clone();
    let at = b.windows(15).position(|w| w == b"SQLite format 3").unwrap();
    b[at + 200] ^= 0xff;
    std::fs::write(&damaged, b).unwrap();
    let target = temp("target");
    let e = backup::restore(&damaged, &target).await.unwrap_err();
    assert!(e.to_string().contains("damaged"), "{e}");

    // The chain rewritten inside the archived database, digests recomputed.
    let forged = dir.join("forged.zip");
    doctor(&archive, &forged, |work| {
        let url = format!("sqlite://{}", work.join("zeren.db").display());
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(async {
                zeren_store::testdb::exec_raw(
                    &url,
                    "UPDATE audit_log SET actor = 'x' WHERE seq = 3",
                )
                .await
                .unwrap();
            })
        });
    });
    let e = backup::restore(&forged, &target).await.unwrap_err();
    assert!(e.to_string().contains("entry 3"), "{e}");
    // A stored file removed from the archived database.
    let gutted = dir.join("gutted.zip");
    doctor(&archive, &gutted, |work| {
        let url = format!("sqlite://{}", work.join("zeren.db").display());
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(async {
                zeren_store::testdb::exec_raw(
                    &url,
                    "PRAGMA foreign_keys = OFF; DELETE FROM attachments WHERE rowid = (SELECT MIN(rowid) FROM attachments)",
                )
                .await
                .unwrap();
            })
        });
    });
    let e = backup::restore(&gutted, &target).await.unwrap_err();
    assert!(
        e.to_string().contains("is missing from the database"),
        "{e}"
    );
    // Nothing was put in place by the refused restores.
    assert!(!target.join("zeren.db").exists());

    // A database altered in place is not backed up.
    store.close().await;
    zeren_store::testdb::exec_raw(
        &format!("sqlite://{}", data.join("zeren.db").display()),
        "UPDATE audit_log SET actor = 'x' WHERE seq = 2",
    )
    .await
    .unwrap();
    let e = backup::create(&data, &dir.join("bad.zip"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("entry 2"), "{e}");
    assert!(!dir.join("bad.zip").exists());
    for d in [data, dir, target] {
        let _ = std::fs::remove_dir_all(d);
    }
}
