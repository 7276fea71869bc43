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
            before: None,
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

/// A token made on 我的 with the expiry chosen; the plain token is shown once.
async fn new_token(c: &Client, name: &str, days: &str) -> String {
    let page = c
        .form("/me/tokens", &[("name", name), ("days", days)])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let at = page.text.find("zrn_").expect("token shown once");
    page.text[at..at + 68].to_string()
}

fn script(app: &App, token: &str) -> Client {
    let mut s = app.client();
    s.bearer = Some(token.to_string());
    s.origin = false;
    s
}

#[tokio::test]
async fn tokens_expire_are_listed_and_end_with_the_password() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        app.setup("district-school", "环湖中学").await;
        let c = app.login("sysadmin").await;
        // An expiry not offered is refused beside the field, the name kept.
        let r = c
            .form("/me/tokens", &[("name", "forever"), ("days", "100000")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("请从列表中选择有效期"), "{}", r.text);
        assert!(r.text.contains("value=\"forever\""));

        let nightly = new_token(&c, "nightly", "30").await;
        let s = script(&app, &nightly);
        assert_eq!(s.get("/api/v1/units").await.status, StatusCode::OK);
        // Listed with its expiry and last use, by API and on 我的.
        let list = s.get("/api/v1/me/tokens").await.json();
        let t = &list[0];
        assert_eq!(t["name"], "nightly");
        assert_eq!(t["state"], "active");
        assert!(t["last_used_at"].is_string(), "{t}");
        let expires = chrono::DateTime::parse_from_rfc3339(t["expires_at"].as_str().unwrap())
            .unwrap()
            .with_timezone(&chrono::Utc);
        let days = (expires - chrono::Utc::now()).num_days();
        assert!((29..=30).contains(&days), "{days}");
        let me = c.get("/me").await;
        assert!(me.text.contains("到期时间") && me.text.contains("最近使用"));

        // An expired token stops working (made in the store with a past expiry).
        let old = "zrn_expired000000000000000000000000000000000000000000000000000000";
        {
            let mut w = app
                .store
                .write(&zeren_store::Actor::system())
                .await
                .unwrap();
            let id = app
                .store
                .reader()
                .await
                .unwrap()
                .account_by_username("sysadmin")
                .await
                .unwrap()
                .unwrap()
                .id;
            w.create_token_with_expiry(
                id,
                "old",
                &zeren_web::auth::sha256_hex(old),
                Some(chrono::Utc::now() - chrono::Duration::minutes(1)),
            )
            .await
            .unwrap();
            w.commit().await.unwrap();
        }
        assert_eq!(
            script(&app, old).get("/api/v1/units").await.status,
            StatusCode::UNAUTHORIZED
        );
        let list = s.get("/api/v1/me/tokens").await.json();
        assert_eq!(list[1]["state"], "expired");

        // The owner revokes by API; another's token is not found.
        let second = new_token(&c, "second", "90").await;
        let second_id = s.get("/api/v1/me/tokens").await.json()[2]["id"]
            .as_i64()
            .unwrap();
        let sec = app.login("secadmin").await;
        let r = sec
            .json(
                &format!("/api/v1/me/tokens/{second_id}/revoke"),
                serde_json::json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(
            script(&app, &second).get("/api/v1/units").await.status,
            StatusCode::OK
        );
        let r = s
            .json(
                &format!("/api/v1/me/tokens/{second_id}/revoke"),
                serde_json::json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["state"], "revoked");
        assert_eq!(
            script(&app, &second).get("/api/v1/units").await.status,
            StatusCode::UNAUTHORIZED
        );

        // A password change ends every token and session of the account.
        let r = c
            .form(
                "/me/password",
                &[("current", PASSWORD), ("password", "Changed-Passw0rd!")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(
            s.get("/api/v1/units").await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(c.get("/me").await.location(), "/login");

        // A reset by the security administrator, and disabling, end them too.
        let r = sec
            .form(
                "/accounts",
                &[("username", "clerk"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let clerk_id = app
            .store
            .reader()
            .await
            .unwrap()
            .account_by_username("clerk")
            .await
            .unwrap()
            .unwrap()
            .id;
        let clerk = app.login("clerk").await;
        let clerk_token = new_token(&clerk, "clerk", "30").await;
        assert_eq!(
            script(&app, &clerk_token)
                .get("/api/v1/me/tokens")
                .await
                .status,
            StatusCode::OK
        );
        let r = sec
            .form(
                &format!("/accounts/{clerk_id}/password"),
                &[("password", "Reset-Passw0rd!")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(
            script(&app, &clerk_token)
                .get("/api/v1/me/tokens")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(clerk.get("/me").await.location(), "/login");
        let mut clerk = app.client();
        clerk.login("clerk", "Reset-Passw0rd!").await;
        let r = clerk
            .form(
                "/me/password",
                &[
                    ("current", "Reset-Passw0rd!"),
                    ("password", "Own-Passw0rd-77"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let mut clerk = app.client();
        clerk.login("clerk", "Own-Passw0rd-77").await;
        let clerk_token = new_token(&clerk, "clerk", "30").await;
        let r = sec
            .form(
                &format!("/accounts/{clerk_id}/active"),
                &[("active", "false")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(
            script(&app, &clerk_token)
                .get("/api/v1/me/tokens")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(clerk.get("/me").await.location(), "/login");
        let list = app
            .store
            .reader()
            .await
            .unwrap()
            .tokens_of(clerk_id)
            .await
            .unwrap();
        assert!(list.iter().all(|t| t.revoked_at.is_some()));
        app.stop().await;
    }
}

#[tokio::test]
async fn sessions_end_at_their_absolute_lifetime_and_beyond_the_limit() {
    for db in TestDb::all().await {
        let app = spawn_app_with(db, |c| {
            c.session_max_hours = 12;
            c.max_sessions_per_account = 2;
        })
        .await;
        let top = app.setup("bureau", "河东区教体局").await;
        let first = app.login("sysadmin").await;
        let second = app.login("sysadmin").await;
        assert_eq!(
            first.get(&format!("/units/{top}")).await.status,
            StatusCode::OK
        );
        // A third login ends the oldest session.
        let third = app.login("sysadmin").await;
        assert_eq!(
            first.get(&format!("/units/{top}")).await.location(),
            "/login"
        );
        assert_eq!(
            second.get(&format!("/units/{top}")).await.status,
            StatusCode::OK
        );
        assert_eq!(
            third.get(&format!("/units/{top}")).await.status,
            StatusCode::OK
        );
        // A session begun 13 hours ago ends though it was used a moment ago.
        let cookie = third.cookie.clone().unwrap();
        let id = zeren_web::auth::sha256_hex(cookie.split_once('=').unwrap().1);
        app.db
            .as_ref()
            .unwrap()
            .exec_raw(&format!(
                "UPDATE sessions SET created_at = '{}' WHERE id = '{id}'",
                (chrono::Utc::now() - chrono::Duration::hours(13)).to_rfc3339()
            ))
            .await
            .unwrap();
        assert_eq!(
            third.get(&format!("/units/{top}")).await.location(),
            "/login"
        );
        assert_eq!(
            second.get(&format!("/units/{top}")).await.status,
            StatusCode::OK
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn an_expired_password_is_changed_before_anything_else() {
    for db in TestDb::all().await {
        let app = spawn_app_with(db, |c| c.password_max_age_days = 90).await;
        let top = app.setup("bureau", "河东区教体局").await;
        let fresh = app.login("sysadmin").await;
        assert_eq!(
            fresh.get(&format!("/units/{top}")).await.status,
            StatusCode::OK
        );
        app.db
            .as_ref()
            .unwrap()
            .exec_raw(&format!(
                "UPDATE accounts SET password_changed_at = '{}' WHERE username = 'sysadmin'",
                (chrono::Utc::now() - chrono::Duration::days(91)).to_rfc3339()
            ))
            .await
            .unwrap();
        let c = app.login("sysadmin").await;
        assert_eq!(c.get(&format!("/units/{top}")).await.location(), "/me");
        let me = c.get("/me").await;
        assert!(me.text.contains("已超过规定的使用期限"), "{}", me.text);
        // The same password again is no change.
        let r = c
            .form(
                "/me/password",
                &[("current", PASSWORD), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = c
            .form(
                "/me/password",
                &[("current", PASSWORD), ("password", "Renewed-Passw0rd!")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let mut c = app.client();
        c.login("sysadmin", "Renewed-Passw0rd!").await;
        assert_eq!(c.get(&format!("/units/{top}")).await.status, StatusCode::OK);
        assert!(!c.get("/me").await.text.contains("已超过规定的使用期限"));
        app.stop().await;
    }
}

/// The code an authenticator app shows `steps` steps from now.
fn code(secret: &str, steps: i64) -> String {
    let now = zeren_web::totp::step_of(chrono::Utc::now().timestamp());
    zeren_web::totp::code_at_step(secret, now + steps).unwrap()
}

/// The password step of a login: the cookie of the session that waits for its code.
async fn password_step(app: &App, user: &str) -> Client {
    let mut c = app.client();
    let r = c
        .form("/login", &[("username", user), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(r.location(), "/login/code");
    let set = r.headers["set-cookie"].to_str().unwrap();
    c.cookie = Some(set.split(';').next().unwrap().to_string());
    c
}

/// Set up one-time codes on 我的; returns the secret and the code that confirmed it.
async fn enrol(app: &App, c: &Client) -> (String, String) {
    let r = c.form("/me/totp", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let me = c.get("/me").await.text;
    let at = me.find("id=\"totp-secret\">").unwrap() + "id=\"totp-secret\">".len();
    let secret = me[at..at + 32].to_string();
    assert!(me.contains("otpauth://totp/Zeren:"), "{me}");
    assert!(me.contains(&format!("secret={secret}")));
    let right = code(&secret, 0);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let r = c.form("/me/totp/confirm", &[("code", wrong)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("动态口令不正确"), "{}", r.text);
    let r = c.form("/me/totp/confirm", &[("code", &right)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert!(c.get("/me").await.text.contains("动态口令已启用"));
    let _ = app;
    (secret, right)
}

#[tokio::test]
async fn one_time_codes_are_asked_after_the_password() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let top = app.setup("bureau", "河东区教体局").await;
        let c = app.login("sysadmin").await;
        let (secret, used) = enrol(&app, &c).await;
        // The secret is not shown once in force, and the database holds it only sealed.
        assert!(!c.get("/me").await.text.contains(&secret));
        let mut r = app.store.reader().await.unwrap();
        let account = r.account_by_username("sysadmin").await.unwrap().unwrap();
        let stored = zeren_store::auth::AuthRead::totp(&mut r, account.id)
            .await
            .unwrap()
            .unwrap()
            .secret;
        drop(r);
        assert!(
            stored.starts_with("v1:") && !stored.contains(&secret),
            "sealed at rest: {stored}"
        );

        let mut pending = password_step(&app, "sysadmin").await;
        // The password alone opens nothing.
        assert_eq!(
            pending.get(&format!("/units/{top}")).await.location(),
            "/login"
        );
        assert_eq!(pending.get("/login/code").await.status, StatusCode::OK);
        let r = pending.form("/login/code", &[("code", "12345")]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.text.contains("动态口令不正确"));
        // The code used to confirm is not good again; the next step's is.
        let r = pending.form("/login/code", &[("code", &used)]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "a code is good once");
        let r = pending
            .form("/login/code", &[("code", &code(&secret, 1))])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let me = pending.get("/me").await;
        assert_eq!(me.status, StatusCode::OK);
        pending.csrf = Some(csrf_of(&me.text));
        assert_eq!(
            pending.get(&format!("/units/{top}")).await.status,
            StatusCode::OK
        );
        // Wrong codes count against the lockout like wrong passwords.
        let guesser = password_step(&app, "sysadmin").await;
        let mut statuses = Vec::new();
        for g in 0..6 {
            statuses.push(
                guesser
                    .form("/login/code", &[("code", &format!("00000{g}"))])
                    .await
                    .status,
            );
        }
        assert_eq!(
            *statuses.last().unwrap(),
            StatusCode::TOO_MANY_REQUESTS,
            "{statuses:?}"
        );
        assert!(crate::auth::audited(&app, "login.failure", "sysadmin").await >= 3);
        assert_eq!(
            app.client().try_login("sysadmin", PASSWORD).await.status,
            StatusCode::TOO_MANY_REQUESTS,
            "locked for the password too"
        );

        let mut w = app
            .store
            .write(&zeren_store::Actor::system())
            .await
            .unwrap();
        w.clear_login_failures("sysadmin").await.unwrap();
        w.commit().await.unwrap();
        // Redoing the password between guesses buys no more guesses at the code.
        let mut statuses = Vec::new();
        for g in 0..3 {
            let again = password_step(&app, "sysadmin").await;
            statuses.push(
                again
                    .form("/login/code", &[("code", &format!("10000{g}"))])
                    .await
                    .status,
            );
        }
        let again = app
            .client()
            .form(
                "/login",
                &[("username", "sysadmin"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            again.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{statuses:?}: three password steps and three wrong codes lock the name"
        );
        // Removing them takes a current code.
        let r = pending.form("/me/totp/remove", &[("code", "999999")]).await;
        assert!(r.status.is_client_error());
        app.stop().await;
    }
}

#[tokio::test]
async fn administrators_must_use_one_time_codes_when_configured() {
    for db in TestDb::all().await {
        let app = spawn_app_with(db, |c| c.totp_for_administrators = true).await;
        let top = app.setup("bureau", "河东区教体局").await;
        let c = app.login("sysadmin").await;
        // Only 我的 until they are set up.
        assert_eq!(c.get(&format!("/units/{top}")).await.location(), "/me");
        let me = c.get("/me").await.text;
        assert!(me.contains("管理员账号必须使用动态口令"), "{me}");
        let (secret, _) = enrol(&app, &c).await;
        assert_eq!(c.get(&format!("/units/{top}")).await.status, StatusCode::OK);
        // And cannot remove them.
        let r = c
            .form("/me/totp/remove", &[("code", &code(&secret, 1))])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.text.contains("zeren account reset"));
        // A user who is not an administrator is not asked.
        let sec = app.login("secadmin").await;
        assert_eq!(sec.get("/accounts").await.location(), "/me");
        let _ = enrol(&app, &sec).await;
        let r = sec
            .form(
                "/accounts",
                &[("username", "clerk"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let clerk = app.login("clerk").await;
        assert_eq!(clerk.get("/me").await.status, StatusCode::OK);
        assert!(clerk.get("/").await.status.is_redirection());
        assert_ne!(clerk.get("/").await.location(), "/me");
        app.stop().await;
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_is_its_own_source() {
    for trusted in [true, false] {
        let app = spawn_app_with(TestDb::sqlite(), |c| {
            c.lockout_source_failures = 3;
            if trusted {
                c.trusted_proxies = "127.0.0.1".into();
            }
        })
        .await;
        app.setup("bureau", "河东区教体局").await;
        // One client tries names one after another from behind the proxy.
        let mut attacker = app.client();
        attacker.forwarded_for = Some("203.0.113.5".into());
        let mut last = StatusCode::OK;
        for name in ["alpha", "bravo", "charlie", "delta"] {
            last = attacker.try_login(name, "Wrong-Passw0rd").await.status;
        }
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
        // Another client of the same proxy logs in, if the proxy is trusted; otherwise every
        // request is the proxy's and shares its lock, whatever the header claims.
        let mut colleague = app.client();
        colleague.forwarded_for = Some("198.51.100.7, 127.0.0.1".into());
        let r = colleague.try_login("sysadmin", PASSWORD).await;
        if trusted {
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        } else {
            assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        }
        app.stop().await;
    }
}
