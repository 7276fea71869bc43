//! Authentication that holds: attempts counted before the password is checked, on login and on
//! every other password check; password history and expiry; tokens that expire and end with
//! the password; sessions with an absolute lifetime and a limit.

use reqwest::StatusCode;
use zeren_store::testdb::TestDb;
use zeren_store::{AuditFilter, Read};

use crate::helpers::*;

/// Audit entries of `action` about the user name `username`.
pub async fn audited(app: &App, action: &str, username: &str) -> usize {
    let entries = app
        .store
        .reader()
        .await
        .unwrap()
        .audit_search(&AuditFilter {
            actor_account_id: None,
            entity_type: Some("username".into()),
            entity_id: Some(username.into()),
            from: None,
            to: None,
            limit: 10_000,
        })
        .await
        .unwrap();
    entries.iter().filter(|e| e.action == action).count()
}

#[tokio::test]
async fn parallel_wrong_logins_reach_the_password_check_at_most_the_threshold() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        app.setup("bureau", "河东区教体局").await;
        let mut tasks = Vec::new();
        for i in 0..60 {
            let mut c = app.client();
            tasks.push(tokio::spawn(async move {
                c.try_login("sysadmin", &format!("Wrong-Passw0rd-{i}"))
                    .await
                    .status
            }));
        }
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap());
        }
        let checked = statuses
            .iter()
            .filter(|s| **s == StatusCode::UNAUTHORIZED)
            .count();
        let refused = statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!(checked + refused, 60, "{statuses:?}");
        // Only a password that was compared is audited as a failure: at most the threshold.
        assert!(
            checked <= 5,
            "{checked} attempts reached the password check"
        );
        assert_eq!(audited(&app, "login.failure", "sysadmin").await, checked);
        assert_eq!(
            audited(&app, "login.locked", "sysadmin").await
                + audited(&app, "login.refused", "sysadmin").await,
            refused,
            "every refusal while locked is audited"
        );
        // The right password is refused while locked, in Chinese, saying until when.
        let mut c = app.client();
        let r = c.try_login("sysadmin", PASSWORD).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.text.contains("之后再试"), "{}", r.text);
        assert!(r.text.contains("北京时间"), "{}", r.text);
        assert!(c.cookie.is_none());
        assert_eq!(
            audited(&app, "login.failure", "sysadmin").await,
            checked,
            "the right password was not even checked"
        );
        // Another account from the same address still logs in (the address limit is higher).
        app.login("secadmin").await;
        app.stop().await;
    }
}

#[tokio::test]
async fn a_password_change_is_a_password_check_with_history() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        app.setup("bureau", "河东区教体局").await;
        let c = app.login("sysadmin").await;
        // The current password typed wrong: said beside the field; counted like a login.
        for _ in 0..5 {
            let r = c
                .form(
                    "/me/password",
                    &[
                        ("current", "Wrong-Passw0rd"),
                        ("password", "Brand-New-Pass-7"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.text.contains("当前密码不正确"), "{}", r.text);
        }
        let r = c
            .form(
                "/me/password",
                &[("current", PASSWORD), ("password", "Brand-New-Pass-7")],
            )
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.text.contains("之后再试"), "{}", r.text);
        assert_eq!(audited(&app, "login.failure", "sysadmin").await, 5);
        // Nor can the locked name log in elsewhere.
        assert_eq!(
            app.client().try_login("sysadmin", PASSWORD).await.status,
            StatusCode::TOO_MANY_REQUESTS
        );

        // History: the current password and the four before it are refused.
        let mut c = app.login("secadmin").await;
        let passwords = [
            "Second-Passw0rd!",
            "Third-Passw0rd!",
            "Fourth-Passw0rd!",
            "Fifth-Passw0rd!",
        ];
        let mut current = PASSWORD.to_string();
        for p in passwords {
            let r = c
                .form("/me/password", &[("current", &current), ("password", p)])
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
            current = p.to_string();
            c = app.client();
            c.login("secadmin", &current).await;
        }
        for old in [PASSWORD, "Second-Passw0rd!", "Fifth-Passw0rd!"] {
            let r = c
                .form("/me/password", &[("current", &current), ("password", old)])
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{old}");
            assert!(r.text.contains("最近 5 次使用过的密码"), "{}", r.text);
        }
        // Sixth back is allowed again.
        let r = c
            .form(
                "/me/password",
                &[("current", &current), ("password", "Sixth-Passw0rd!")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        c = app.client();
        c.login("secadmin", "Sixth-Passw0rd!").await;
        let r = c
            .form(
                "/me/password",
                &[("current", "Sixth-Passw0rd!"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        app.stop().await;
    }
}
