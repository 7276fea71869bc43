//! Authentication state at the store level, with real concurrency: login throttling counted
//! before the password is checked, bounded names, password history and forced changes, token
//! expiry and revocation, session lifetimes, TOTP secrets. SQLite always, PostgreSQL with
//! ZEREN_TEST_DATABASE_URL.

use chrono::Duration;
use zeren_store::auth::{bounded_name, AuthRead};
use zeren_store::testdb::TestDb;
use zeren_store::*;

fn policy(account: i64, source: i64) -> LockoutPolicy {
    LockoutPolicy {
        account_attempts: account,
        source_attempts: source,
        window: Duration::minutes(15),
    }
}

async fn actions(store: &Store, action: &str) -> Vec<AuditEntry> {
    store
        .reader()
        .await
        .unwrap()
        .audit_page(0, 100_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

/// 60 wrong passwords at once, from two instances: at most the threshold reach the password
/// check; the others are refused and audited.
#[tokio::test]
async fn sixty_parallel_wrong_logins_let_at_most_the_threshold_through() {
    for db in TestDb::all().await {
        let a = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
        let b = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
        let p = policy(5, 1000);
        let mut tasks = Vec::new();
        for i in 0..60 {
            let s = if i % 2 == 0 { a.clone() } else { b.clone() };
            let p = p.clone();
            tasks.push(tokio::spawn(async move {
                // Each from its own address: only the account's count can stop them.
                match s
                    .begin_login("victim", &format!("10.0.0.{i}"), &p)
                    .await
                    .unwrap()
                {
                    LoginGate::Allowed(t) => {
                        // The password check happens here, and fails.
                        s.login_failed(&t).await.unwrap();
                        true
                    }
                    LoginGate::Locked { by, .. } => {
                        assert_eq!(by, LockedBy::Account);
                        false
                    }
                }
            }));
        }
        let mut allowed = 0;
        for t in tasks {
            allowed += t.await.unwrap() as usize;
        }
        assert_eq!(allowed, 5, "{:?}", db.backend);
        assert!(matches!(
            a.begin_login("victim", "10.9.9.9", &p).await.unwrap(),
            LoginGate::Locked { .. }
        ));
        assert_eq!(actions(&a, "login.failure").await.len(), 5);
        // The attempt that locked the name, and every refusal after it, are audited.
        assert_eq!(actions(&a, "login.locked").await.len(), 1);
        assert_eq!(actions(&a, "login.refused").await.len(), 60 - 5 - 1 + 1);
        let mut r = a.reader().await.unwrap();
        assert!(r
            .login_locked_until("victim", now())
            .await
            .unwrap()
            .is_some());
        drop(r);
        // Another name is not affected; the security administrator's unlock clears it.
        assert!(matches!(
            a.begin_login("other", "10.0.0.1", &p).await.unwrap(),
            LoginGate::Allowed(_)
        ));
        let mut w = a.write(&Actor::system()).await.unwrap();
        w.clear_login_failures("victim").await.unwrap();
        w.commit().await.unwrap();
        assert!(matches!(
            a.begin_login("victim", "10.0.0.1", &p).await.unwrap(),
            LoginGate::Allowed(_)
        ));
        assert_eq!(a.verify_audit().await.unwrap().first_break, None);
        a.close().await;
        b.close().await;
        db.drop_db().await;
    }
}

#[tokio::test]
async fn one_source_trying_many_names_is_stopped_too() {
    for db in TestDb::all().await {
        let store = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
        let p = policy(5, 20);
        let mut tasks = Vec::new();
        for i in 0..40 {
            let s = store.clone();
            let p = p.clone();
            tasks.push(tokio::spawn(async move {
                match s
                    .begin_login(&format!("user{i}"), "203.0.113.7", &p)
                    .await
                    .unwrap()
                {
                    LoginGate::Allowed(t) => {
                        s.login_failed(&t).await.unwrap();
                        true
                    }
                    LoginGate::Locked { by, .. } => {
                        assert_eq!(by, LockedBy::Source);
                        false
                    }
                }
            }));
        }
        let mut allowed = 0;
        for t in tasks {
            allowed += t.await.unwrap() as usize;
        }
        assert_eq!(allowed, 20, "{:?}", db.backend);
        store.close().await;
        db.drop_db().await;
    }
}

#[tokio::test]
async fn a_success_resets_the_count_and_locks_end_with_the_window() {
    for db in TestDb::all().await {
        let store = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
        let p = LockoutPolicy {
            account_attempts: 2,
            source_attempts: 100,
            window: Duration::milliseconds(1500),
        };
        for _ in 0..3 {
            // One wrong, then right: the count starts again each time, so the threshold of two
            // is never passed.
            let LoginGate::Allowed(t) = store.begin_login("clerk", "h", &p).await.unwrap() else {
                panic!("refused before the threshold");
            };
            store.login_failed(&t).await.unwrap();
            let LoginGate::Allowed(t) = store.begin_login("clerk", "h", &p).await.unwrap() else {
                panic!("refused after a success reset the count");
            };
            store.login_succeeded(&t).await.unwrap();
        }
        for _ in 0..2 {
            let LoginGate::Allowed(t) = store.begin_login("clerk", "h", &p).await.unwrap() else {
                panic!()
            };
            store.login_failed(&t).await.unwrap();
        }
        assert!(matches!(
            store.begin_login("clerk", "h", &p).await.unwrap(),
            LoginGate::Locked {
                by: LockedBy::Account,
                ..
            }
        ));
        tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
        assert!(matches!(
            store.begin_login("clerk", "h", &p).await.unwrap(),
            LoginGate::Allowed(_)
        ));
        store.close().await;
        db.drop_db().await;
    }
}

#[tokio::test]
async fn a_huge_user_name_is_never_stored_as_it_is() {
    for db in TestDb::all().await {
        let store = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
        let huge = "x".repeat(5 * 1024 * 1024);
        let p = policy(5, 100);
        let LoginGate::Allowed(t) = store.begin_login(&huge, "10.0.0.1", &p).await.unwrap() else {
            panic!()
        };
        assert!(t.username.len() <= 71 && t.username.starts_with("sha256:"));
        store.login_failed(&t).await.unwrap();
        // The older path bounds it too.
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.record_login_failure(&huge).await.unwrap();
        w.commit().await.unwrap();
        let mut r = store.reader().await.unwrap();
        assert_eq!(
            r.login_failures_since(&huge, now() - Duration::hours(1))
                .await
                .unwrap(),
            1
        );
        drop(r);
        let failures = actions(&store, "login.failure").await;
        assert_eq!(failures.len(), 2);
        assert!(failures.iter().all(|e| e.entity_id.len() <= 71));
        assert_eq!(bounded_name("张三"), "张三");
        assert!(bounded_name("a\0b").starts_with("sha256:"));
        store.close().await;
        db.drop_db().await;
    }
}

#[tokio::test]
async fn passwords_keep_history_and_resets_force_a_change_and_end_all_access() {
    for db in TestDb::all().await {
        let store = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
        let mut w = store.write(&Actor::system()).await.unwrap();
        let acc = w
            .create_account("clerk", None, "h0", AdminDuty::None)
            .await
            .unwrap();
        w.create_session("s1", acc.id, "csrf").await.unwrap();
        let t1 = w.create_token(acc.id, "script", "tok1").await.unwrap();
        w.commit().await.unwrap();
        assert!(!acc.must_change_password);

        // An administrator's reset: forced change, sessions and tokens end.
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.reset_password(acc.id, "h1").await.unwrap();
        w.commit().await.unwrap();
        let mut r = store.reader().await.unwrap();
        let a = r.account(acc.id).await.unwrap().unwrap();
        assert!(a.must_change_password && a.must_change_password_at(now(), None));
        assert!(r.session("s1").await.unwrap().is_none());
        assert!(!r
            .token_by_hash("tok1")
            .await
            .unwrap()
            .unwrap()
            .usable_at(now()));
        drop(r);

        // The owner's changes clear the flag; the history keeps the newest hashes.
        for i in 2..=8 {
            let mut w = store.write(&Actor::account(acc.id, "clerk")).await.unwrap();
            w.change_password(acc.id, &format!("h{i}")).await.unwrap();
            w.commit().await.unwrap();
        }
        let mut r = store.reader().await.unwrap();
        let a = r.account(acc.id).await.unwrap().unwrap();
        assert!(!a.must_change_password);
        assert_eq!(
            r.recent_password_hashes(acc.id, 5).await.unwrap(),
            ["h8", "h7", "h6", "h5", "h4"]
        );
        // Expiry is the caller's setting.
        assert!(!a.password_expired(now(), None));
        assert!(!a.password_expired(now(), Some(Duration::days(90))));
        assert!(a.password_expired(now() + Duration::days(91), Some(Duration::days(90))));
        drop(r);

        // Disabling, and revoking access, end tokens and sessions.
        let mut w = store.write(&Actor::system()).await.unwrap();
        let t2 = w
            .create_token_with_expiry(acc.id, "ci", "tok2", Some(now() + Duration::days(30)))
            .await
            .unwrap();
        w.create_session("s2", acc.id, "csrf").await.unwrap();
        w.commit().await.unwrap();
        assert!(t2.usable_at(now()));
        assert!(!t2.usable_at(now() + Duration::days(31)));
        let mut w = store.write(&Actor::system()).await.unwrap();
        assert_eq!(w.revoke_access(acc.id).await.unwrap(), (1, 1));
        w.create_token(acc.id, "again", "tok3").await.unwrap();
        w.set_account_active(acc.id, false).await.unwrap();
        w.commit().await.unwrap();
        let mut r = store.reader().await.unwrap();
        assert!(r
            .tokens_of(acc.id)
            .await
            .unwrap()
            .iter()
            .all(|t| !t.usable_at(now())));
        drop(r);
        let _ = t1;
        assert_eq!(store.verify_audit().await.unwrap().first_break, None);
        store.close().await;
        db.drop_db().await;
    }
}

#[tokio::test]
async fn sessions_have_an_absolute_lifetime() {
    for db in TestDb::all().await {
        let store = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
        let mut w = store.write(&Actor::system()).await.unwrap();
        let acc = w
            .create_account("clerk", None, "h", AdminDuty::None)
            .await
            .unwrap();
        w.create_session("s1", acc.id, "csrf").await.unwrap();
        w.create_session("s2", acc.id, "csrf").await.unwrap();
        w.commit().await.unwrap();
        let mut r = store.reader().await.unwrap();
        let s = r.session("s1").await.unwrap().unwrap();
        assert_eq!(r.sessions_of(acc.id).await.unwrap().len(), 2);
        drop(r);
        let idle = Duration::minutes(30);
        assert!(s.alive_at(now(), idle, Some(Duration::hours(8))));
        // Used a minute ago, but begun nine hours ago.
        let later = now() + Duration::hours(9);
        let mut used = s.clone();
        used.last_seen_at = later - Duration::minutes(1);
        assert!(!used.alive_at(later, idle, Some(Duration::hours(8))));
        assert!(used.alive_at(later, idle, None));
        // Housekeeping removes sessions past either limit.
        store.touch_session("s2", now()).await.unwrap();
        assert_eq!(
            store
                .delete_expired_sessions(
                    now() - Duration::hours(1),
                    Some(now() + Duration::seconds(1))
                )
                .await
                .unwrap(),
            2
        );
        store.close().await;
        db.drop_db().await;
    }
}

#[tokio::test]
async fn totp_secrets_are_kept_apart_and_never_audited() {
    for db in TestDb::all().await {
        let store = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
        let mut w = store.write(&Actor::system()).await.unwrap();
        let acc = w
            .create_account("sec", None, "h", AdminDuty::Security)
            .await
            .unwrap();
        w.set_totp_secret(acc.id, "JBSWY3DPEHPK3PXP").await.unwrap();
        w.commit().await.unwrap();
        let mut r = store.reader().await.unwrap();
        let t = r.totp(acc.id).await.unwrap().unwrap();
        assert_eq!(t.secret, "JBSWY3DPEHPK3PXP");
        assert!(t.confirmed_at.is_none());
        assert!(!format!("{t:?}").contains("JBSW"));
        drop(r);
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.confirm_totp(acc.id).await.unwrap();
        w.commit().await.unwrap();
        assert!(store
            .reader()
            .await
            .unwrap()
            .totp(acc.id)
            .await
            .unwrap()
            .unwrap()
            .confirmed_at
            .is_some());
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.remove_totp(acc.id).await.unwrap();
        w.commit().await.unwrap();
        assert!(store
            .reader()
            .await
            .unwrap()
            .totp(acc.id)
            .await
            .unwrap()
            .is_none());
        let all = store
            .reader()
            .await
            .unwrap()
            .audit_page(0, 1000)
            .await
            .unwrap();
        assert!(all
            .iter()
            .all(|e| !e.details.clone().unwrap_or_default().contains("JBSW")));
        store.close().await;
        db.drop_db().await;
    }
}
