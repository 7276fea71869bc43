//! Faults: a full disk must not leave pooled connections unusable, writes recover by
//! themselves once space is freed, the readiness probe follows, and opening names the cause.

use zeren_store::testdb::TestDb;
use zeren_store::*;

/// Pseudo-random bytes that do not compress or repeat (each file is stored once per content).
fn blob(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// SQLite capped at a few megabytes stands for a full disk: writes fail with a named cause,
/// and once space is freed they work again on the same pool, without a restart.
#[tokio::test]
async fn writes_recover_by_themselves_after_the_disk_was_full() {
    let db = TestDb::sqlite();
    let mut o = OpenOptions::new(HashAlg::Sha256);
    o.sqlite_max_page_count = Some(700);
    let store = Store::open_with(&db.url, o).await.unwrap();
    store.writable().await.unwrap();

    // Fill it up; every pooled connection meets the error at least once.
    let mut stored = Vec::new();
    let mut failures = 0;
    for i in 0..400u64 {
        let mut w = store
            .write(&Actor::system())
            .await
            .unwrap_or_else(|e| panic!("BEGIN failed after {failures} full-disk errors: {e}"));
        let r = w
            .put_attachment(&blob(i, 48 * 1024), "application/pdf")
            .await;
        match r {
            Ok(sha) => match w.commit().await {
                Ok(()) => stored.push(sha),
                Err(e) => {
                    assert!(matches!(e, Error::Unavailable(_)), "{e}");
                    failures += 1;
                }
            },
            Err(e) => {
                assert!(
                    matches!(&e, Error::Unavailable(m) if m.contains("disk is full")),
                    "{e}"
                );
                failures += 1;
                drop(w);
            }
        }
        if failures >= 24 {
            break;
        }
    }
    assert!(failures >= 24, "the cap was never reached");
    let e = store.writable().await.unwrap_err();
    assert!(e.to_string().contains("disk is full"), "{e}");
    // Small writes that need no new page still work: BEGIN is never refused.
    for _ in 0..16 {
        let w = store.write(&Actor::system()).await.unwrap();
        drop(w);
    }

    // The operator frees space (here: removes stored files directly).
    let victims: Vec<String> = stored.iter().take(stored.len() / 2).cloned().collect();
    let list = victims
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ");
    db.exec_raw(&format!("DELETE FROM attachments WHERE sha256 IN ({list})"))
        .await
        .unwrap();
    // Writes work again on the same store, and readiness follows within a second.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    store.writable().await.unwrap();
    for i in 0..4u64 {
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.put_attachment(&blob(10_000 + i, 16 * 1024), "application/pdf")
            .await
            .unwrap();
        w.commit().await.unwrap();
    }
    store.close().await;
    db.drop_db().await;
}

#[tokio::test]
async fn opening_names_the_cause_in_words() {
    // A directory that does not exist.
    let e = Store::open("sqlite:///nonexistent-zeren/dir/zeren.db", HashAlg::Sha256)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("does not exist"), "{e}");

    // A read-only directory (root may write anyway: then there is nothing to test).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("zeren-ro-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        let writable_anyway = std::fs::File::create(dir.join("probe")).is_ok();
        if !writable_anyway {
            let url = format!("sqlite://{}", dir.join("zeren.db").display());
            let e = Store::open(&url, HashAlg::Sha256)
                .await
                .err()
                .unwrap()
                .to_string();
            assert!(e.contains("read-only"), "{e}");
        }
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }

    // A PostgreSQL server that is not there.
    let e = Store::open("postgres://zeren@127.0.0.1:1/zeren", HashAlg::Sha256)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("unreachable"), "{e}");
    assert!(!e.contains("secret"));
}

#[tokio::test]
async fn the_write_probe_answers_on_both_databases_and_is_not_audited() {
    for db in TestDb::all().await {
        let store = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
        for _ in 0..3 {
            store.writable().await.unwrap();
        }
        let (_, head, _) = store.reader().await.unwrap().audit_head().await.unwrap();
        assert_eq!(head, 0, "{:?}", db.backend);
        store.close().await;
        db.drop_db().await;
    }
}

/// The server never needs a superuser: a role that only owns its database applies every
/// migration (tables, indexes, triggers, the plpgsql function), writes and verifies.
#[tokio::test]
async fn migrations_run_as_a_database_owner_without_superuser() {
    let Ok(admin) = std::env::var(zeren_store::testdb::ENV) else {
        return;
    };
    if admin.is_empty() {
        return;
    }
    let role = format!("zeren_owner_{}", std::process::id());
    let dbname = format!("{role}_db");
    for sql in [
        format!("CREATE ROLE {role} LOGIN PASSWORD 'owner-pw' NOSUPERUSER NOCREATEDB NOCREATEROLE"),
        format!("CREATE DATABASE {dbname} OWNER {role} ENCODING 'UTF8' TEMPLATE template0"),
    ] {
        zeren_store::testdb::exec_raw(&admin, &sql).await.unwrap();
    }
    // Nobody else may connect or create objects there.
    let db_admin = admin.rsplit_once('/').unwrap().0.to_string() + "/" + &dbname;
    zeren_store::testdb::exec_raw(
        &db_admin,
        &format!("REVOKE ALL ON DATABASE {dbname} FROM PUBLIC; REVOKE CREATE ON SCHEMA public FROM PUBLIC;"),
    )
    .await
    .unwrap();
    let after_scheme = admin.find("://").unwrap() + 3;
    let host = &admin[after_scheme..];
    let host = host.split_once('@').map(|(_, h)| h).unwrap_or(host);
    let host = host.split('/').next().unwrap();
    let url = format!("postgres://{role}:owner-pw@{host}/{dbname}");
    let store = Store::open(&url, HashAlg::Sha256).await.unwrap();
    let mut w = store.write(&Actor::system()).await.unwrap();
    w.create_unit(None, "河东区教体局", "局").await.unwrap();
    w.commit().await.unwrap();
    assert_eq!(store.verify_audit().await.unwrap().first_break, None);
    let (super_,): (bool,) = {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query_as("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&mut c)
            .await
            .unwrap()
    };
    assert!(!super_);
    store.close().await;
    for sql in [
        format!("DROP DATABASE {dbname} WITH (FORCE)"),
        format!("DROP ROLE {role}"),
    ] {
        zeren_store::testdb::exec_raw(&admin, &sql).await.unwrap();
    }
}
