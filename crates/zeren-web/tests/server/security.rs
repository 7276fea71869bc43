//! Sessions, CSRF and Origin checks, security headers, lockout, API tokens and the separation
//! of the three administrators (三员分立), each against the running server.

use reqwest::StatusCode;
use zeren_store::testdb::TestDb;

use crate::helpers::*;

#[tokio::test]
async fn forged_requests_are_refused_and_headers_are_set() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let top = app.setup("district-school", "下埔小学").await;
        let c = app.login("sysadmin").await;

        let r = c.get(&format!("/units/{top}")).await;
        for h in [
            "content-security-policy",
            "x-frame-options",
            "x-content-type-options",
            "referrer-policy",
        ] {
            assert!(r.headers.contains_key(h), "missing {h}");
        }
        assert_eq!(r.headers["x-frame-options"], "DENY");

        // No CSRF token: refused, nothing created.
        let mut no_token = c.clone();
        no_token.csrf = None;
        let r = no_token
            .form(
                &format!("/units/{top}/children"),
                &[("name", "伪造"), ("kind", "科室")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // A wrong token.
        let mut wrong = c.clone();
        wrong.csrf = Some("0".repeat(64));
        let r = wrong
            .form(
                &format!("/units/{top}/children"),
                &[("name", "伪造"), ("kind", "科室")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // The right token from another site (no Origin, no Referer).
        let mut cross = c.clone();
        cross.origin = false;
        let r = cross
            .form(
                &format!("/units/{top}/children"),
                &[("name", "伪造"), ("kind", "科室")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let tree = c.get("/units").await;
        assert!(!tree.text.contains("伪造"));
        // With the token it works.
        let r = c
            .form(
                &format!("/units/{top}/children"),
                &[("name", "真实科室"), ("kind", "科室")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);

        // Unauthenticated API calls get 401 in JSON; pages redirect to the login.
        let anon = app.client();
        let r = anon.get("/api/v1/units").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json()["error"], "unauthenticated");
        assert_eq!(
            anon.get(&format!("/units/{top}")).await.location(),
            "/login"
        );
        // The OpenAPI document is public.
        let doc = anon.get("/api/v1/openapi.json").await;
        assert_eq!(doc.status, StatusCode::OK);
        assert!(doc.json()["paths"]["/units"].is_object());

        // Malformed input renders like every other error: a page, or JSON under /api.
        let r = c
            .form(
                &format!("/units/{top}/assignments"),
                &[
                    ("person_id", "x"),
                    ("role_id", "leadership"),
                    ("starts_on", "2026-13-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("<html lang=\"zh-CN\">"), "{}", r.text);
        let r = c
            .raw("/api/v1/units", "application/json", b"{not json".to_vec())
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["error"], "invalid");
        assert_eq!(c.get("/units/abc").await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            c.get("/api/v1/people?unit=x").await.json()["error"],
            "invalid"
        );

        // An idle session ends: the server, not the cookie, decides.
        let mut idle = app.login("sysadmin").await;
        let value = idle
            .cookie
            .as_ref()
            .unwrap()
            .split_once('=')
            .unwrap()
            .1
            .to_string();
        let id = zeren_web::auth::sha256_hex(&value);
        app.store
            .touch_session(&id, zeren_store::now() - chrono::Duration::hours(2))
            .await
            .unwrap();
        assert_eq!(
            idle.get(&format!("/units/{top}")).await.location(),
            "/login"
        );
        idle.csrf = None;

        // Logging out ends the session on the server.
        let cookie = c.cookie.clone();
        let r = c.form("/logout", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let mut old = app.client();
        old.cookie = cookie;
        assert_eq!(old.get(&format!("/units/{top}")).await.location(), "/login");
        app.stop().await;
    }
}

#[tokio::test]
async fn lockout_is_counted_in_the_database_and_lifted_by_the_security_administrator() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        app.setup("bureau", "河东区教体局").await;
        let mut c = app.client();
        for _ in 0..5 {
            assert_eq!(
                c.try_login("sysadmin", "Wrong-Passw0rd").await.status,
                StatusCode::UNAUTHORIZED
            );
        }
        // Locked: even the right password is refused, and a second server on the same
        // database (another instance) sees the same count.
        assert_eq!(
            c.try_login("sysadmin", PASSWORD).await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
        let second = app.second_instance().await;
        let mut c2 = second.client();
        assert_eq!(
            c2.try_login("sysadmin", PASSWORD).await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
        second.stop().await;
        let sec = app.login("secadmin").await;
        let page = sec.get("/accounts").await;
        assert!(page.text.contains("已锁定"));
        let sys_id = app_account_id(&app, "sysadmin").await;
        let r = sec.form(&format!("/accounts/{sys_id}/unlock"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let mut again = app.client();
        again.login("sysadmin", PASSWORD).await;
        app.stop().await;
    }
}

#[tokio::test]
async fn a_locked_source_address_is_listed_and_lifted_by_the_security_administrator() {
    for db in TestDb::all().await {
        let app = spawn_app_with(db, |c| c.lockout_source_failures = 3).await;
        app.setup("bureau", "河东区教体局").await;
        // The security administrator logs in before the address is locked.
        let sec = app.login("secadmin").await;
        let mut c = app.client();
        for name in ["guess1", "guess2", "guess3"] {
            assert_eq!(
                c.try_login(name, "Wrong-Passw0rd").await.status,
                StatusCode::UNAUTHORIZED
            );
        }
        // Every name from the address is refused now, the right password too.
        assert_eq!(
            c.try_login("sysadmin", PASSWORD).await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
        let page = sec.get("/accounts").await.text;
        assert!(
            page.contains("被锁定的来源地址") && page.contains("127.0.0.1"),
            "{page}"
        );
        // Only the security administrator lifts it; nothing to lift is a 404.
        let r = sec
            .form("/accounts/sources/unlock", &[("source", "10.9.9.9")])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = sec
            .form("/accounts/sources/unlock", &[("source", "127.0.0.1")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert!(!sec.get("/accounts").await.text.contains("被锁定的来源地址"));
        let mut again = app.client();
        again.login("sysadmin", PASSWORD).await;
        let audit = app.login("auditadmin").await.get("/audit").await.text;
        assert!(audit.contains("解除锁定"), "on the audit chain");
        app.stop().await;
    }
}

async fn app_account_id(app: &App, username: &str) -> i64 {
    use zeren_store::Read;
    app.store
        .reader()
        .await
        .unwrap()
        .account_by_username(username)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn three_administrators_are_separate() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let top = app.setup("district-school", "环湖中学").await;
        let sys = app.login("sysadmin").await;
        let sec = app.login("secadmin").await;
        let aud = app.login("auditadmin").await;

        // The system administrator changes the organisation but cannot read the audit log
        // or manage accounts.
        assert_eq!(sys.get("/audit").await.status, StatusCode::FORBIDDEN);
        assert_eq!(sys.get("/api/v1/audit").await.status, StatusCode::FORBIDDEN);
        assert_eq!(sys.get("/accounts").await.status, StatusCode::FORBIDDEN);
        // The security administrator manages accounts but not units, and cannot grant
        // itself (or the auditor) unit permissions.
        assert_eq!(
            sec.get(&format!("/units/{top}")).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(sec.get("/audit").await.status, StatusCode::FORBIDDEN);
        let sec_id = app_account_id(&app, "secadmin").await;
        let r = sec
            .form(
                &format!("/accounts/{sec_id}/grants"),
                &[("unit_id", &top.to_string()), ("level", "administer")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // It creates a user and grants read access at the top unit.
        let r = sec
            .form(
                "/accounts",
                &[("username", "clerk"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let dup = sec
            .form(
                "/accounts",
                &[("username", "clerk"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(dup.status, StatusCode::CONFLICT);
        assert!(dup.text.contains("该用户名已被使用"));
        let weak = sec
            .form(
                "/accounts",
                &[("username", "weakling"), ("password", "password")],
            )
            .await;
        assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(weak.text.contains("密码不符合要求"));
        let clerk_id = app_account_id(&app, "clerk").await;
        let r = sec
            .form(
                &format!("/accounts/{clerk_id}/grants"),
                &[("unit_id", &top.to_string()), ("level", "read")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let clerk = app.login("clerk").await;
        assert_eq!(
            clerk.get(&format!("/units/{top}")).await.status,
            StatusCode::OK
        );
        let r = clerk
            .form(
                &format!("/units/{top}/children"),
                &[("name", "x"), ("kind", "科室")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // The auditor only reads the log, and sees the other administrators' acts.
        assert_eq!(
            aud.get(&format!("/units/{top}")).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(aud.get("/accounts").await.status, StatusCode::FORBIDDEN);
        let log = aud.get(&format!("/audit?actor={sec_id}")).await;
        assert_eq!(log.status, StatusCode::OK);
        assert!(log.text.contains("grant.set") && log.text.contains("account.create"));
        let entries = aud
            .get(&format!(
                "/api/v1/audit?actor={sec_id}&from=2000-01-01&to=2999-12-31"
            ))
            .await
            .json();
        assert!(entries
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor"] == "secadmin"));
        let verify = aud.get("/api/v1/audit/verify").await.json();
        assert_eq!(verify["first_break"], serde_json::Value::Null);
        app.stop().await;
    }
}

#[tokio::test]
async fn api_tokens_work_for_scripts_until_revoked() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let top = app.setup("district-school", "环湖中学").await;
        let c = app.login("sysadmin").await;
        let page = c.form("/me/tokens", &[("name", "nightly script")]).await;
        assert_eq!(page.status, StatusCode::OK);
        let at = page.text.find("zrn_").expect("token shown once");
        let token = page.text[at..at + 68].to_string();

        let mut script = app.client();
        script.bearer = Some(token.clone());
        script.origin = false; // scripts send no Origin; a token is not a cookie
        let units = script.get("/api/v1/units").await;
        assert_eq!(units.status, StatusCode::OK);
        assert_eq!(units.json()[0]["id"], top);
        let r = script
            .json(
                "/api/v1/units",
                serde_json::json!({ "parent_id": top, "name": "团委", "kind": "部门" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let r = script
            .json("/api/v1/people", serde_json::json!({ "unit_id": top, "name": "王五", "id_number": resident_id(7), "political_status": "群众" }))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(
            r.json()["gender"],
            if resident_id(7).as_bytes()[16] % 2 == 1 {
                "男"
            } else {
                "女"
            }
        );
        let bad = script.json("/api/v1/people", serde_json::json!({ "unit_id": top, "name": "赵六", "id_number": "110105194912310021" })).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        // A bad policy text comes back with located diagnostics.
        let r = script.json("/api/v1/policies", serde_json::json!({ "unit_id": top, "text": crate::journey::broken_policy(), "file_name": "x.toml" })).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json()["diagnostics"][0]["line"].as_u64().unwrap() > 0);
        // Upgrading to another pack reports the changes and keeps history.
        let r = script
            .json(
                "/api/v1/policies",
                serde_json::json!({ "unit_id": top, "pack": "school-basic" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert!(!r.json()["changes"].as_str().unwrap().is_empty());
        let p = script
            .get(&format!("/api/v1/policies?unit={top}"))
            .await
            .json();
        assert_eq!(p["history"].as_array().unwrap().len(), 2);
        assert_eq!(p["in_force"]["policy_id"], "school-basic");
        // Roster import by API: the body is the file.
        let csv = "姓名,身份证号\n甲,110105194912310021\n乙,\n";
        let r = script
            .raw(
                &format!("/api/v1/units/{top}/roster"),
                "text/csv",
                csv.as_bytes().to_vec(),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["problems"][0]["row"], 2);

        let me = c.get("/me").await;
        let id_at = me.text.find("/me/tokens/").unwrap() + "/me/tokens/".len();
        let id: String = me.text[id_at..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let r = c.form(&format!("/me/tokens/{id}/revoke"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            script.get("/api/v1/units").await.status,
            StatusCode::UNAUTHORIZED
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app(TestDb::sqlite()).await;
    let c = app.client();
    assert_eq!(c.get("/healthz").await.status, StatusCode::OK);
    assert_eq!(c.get("/readyz").await.status, StatusCode::OK);
    let css = c.get("/assets/zeren.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.text.contains("max-width: 480px"),
        "a phone layout exists"
    );
    assert_eq!(c.get("/assets/htmx.min.js").await.status, StatusCode::OK);
    let en = c.get("/lang/en").await;
    assert!(en.headers["set-cookie"]
        .to_str()
        .unwrap()
        .contains("zeren_lang=en"));
    let mut english = app.client();
    english.cookie = Some("zeren_lang=en".into());
    let setup = english.get("/setup").await;
    assert!(setup.text.contains("lang=\"en\"") && setup.text.contains("Setup"));
    app.stop().await;
}
