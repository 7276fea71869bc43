//! Issue 10's first real use, in the browser, as a district would do it: setup with the
//! district-school pack at the bureau; two schools added; a roster imported; the school's
//! 第一责任人 assigned — both schools have their obligations without another install. The
//! 第一责任人, with no grant at all, records his half-year report; the form he sends without
//! the report comes back with what he typed; the bureau's office returns the report and
//! acknowledges the corrected one. Then every link of every page each of them can reach is
//! followed: none answers 403.

use std::collections::{BTreeSet, VecDeque};

use reqwest::StatusCode;
use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, Read};

use crate::helpers::*;
use crate::webdriver::{Driver, Session};
use crate::{enabled, shots};

async fn login<'a>(driver: &'a Driver, base: &str, user: &str) -> Session<'a> {
    let s = driver.session(false).await;
    s.goto(&format!("{base}/login")).await;
    s.type_into(&s.find("input[name=username]").await, user)
        .await;
    s.type_into(&s.find("input[name=password]").await, PASSWORD)
        .await;
    s.click(&s.find("form button").await).await;
    // Each lands where its work is (我的工作; an administrator on the unit).
    let mut url = String::new();
    for _ in 0..100 {
        url = s.url().await;
        if !url.contains("/login") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!url.contains("/login"), "{user} signed in: {url}");
    s
}

/// Sets a form control's value the way a person picking it would (selects, dates).
async fn set(s: &Session<'_>, css: &str, value: &str) {
    s.script(&format!(
        "const e = document.querySelector({css:?}); e.value = {value:?}; e.dispatchEvent(new Event('change'));"
    ))
    .await;
}

/// Adds a school below the unit whose page is open, and returns its id.
async fn add_school(s: &Session<'_>, name: &str) -> i64 {
    s.type_into(&s.find("#child-form input[name=name]").await, name)
        .await;
    s.type_into(&s.find("#child-form input[name=kind]").await, "学校")
        .await;
    s.submit_and_wait(
        &s.find("#child-form button").await,
        &[&format!("<h1>{name}")],
    )
    .await;
    s.url().await.rsplit('/').next().unwrap().parse().unwrap()
}

/// The duties of a unit's current obligations, as the API lists them.
async fn duties(c: &Client, unit: i64) -> Vec<String> {
    let list = c
        .get(&format!("/api/v1/obligations?unit={unit}"))
        .await
        .json();
    let mut v: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["duty_id"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Follows every link (and htmx fetch) on every page `c` can reach from 我的工作; returns the
/// pages fetched and every one that answered 403 or failed.
async fn crawl(c: &Client, who: &str) -> (usize, Vec<String>) {
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from(["/".to_string()]);
    let mut bad = Vec::new();
    let mut fetched = 0;
    while let Some(path) = queue.pop_front() {
        if fetched >= 400 || !seen.insert(path.clone()) {
            continue;
        }
        if path.starts_with("/lang/") || path.starts_with("/assets/") || path == "/logout" {
            continue;
        }
        fetched += 1;
        let r = c.get(&path).await;
        if r.status == StatusCode::FORBIDDEN || r.status.is_server_error() {
            bad.push(format!("{who}: {} {path}", r.status));
            continue;
        }
        if r.status.is_redirection() {
            let to = r.location().to_string();
            if to.starts_with('/') && !to.starts_with("//") {
                queue.push_back(to);
            }
            continue;
        }
        let html = r
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"));
        if !html {
            continue;
        }
        for attr in ["href=\"", "hx-get=\""] {
            for piece in r.text.split(attr).skip(1) {
                let url = piece.split('"').next().unwrap_or("").replace("&amp;", "&");
                let url = url.split('#').next().unwrap_or("").to_string();
                if url.starts_with('/') && !url.starts_with("//") && !seen.contains(&url) {
                    queue.push_back(url);
                }
            }
        }
    }
    (fetched, bad)
}

#[tokio::test]
async fn a_district_sets_up_once_and_a_first_responsible_reports_without_a_grant() {
    if !enabled() {
        return;
    }
    let app = spawn_app(TestDb::sqlite()).await;
    let driver = Driver::start().await;
    let dir = shots();
    let base = app.base.clone();

    // First-run setup in the browser: the district-school pack at the bureau.
    let s = driver.session(false).await;
    s.goto(&format!("{base}/setup")).await;
    s.click(&s.find("input[name=pack][value='district-school']").await)
        .await;
    for (name, value) in [
        ("unit_name", "河东区教体局"),
        ("unit_kind", "局"),
        ("system_username", "sysadmin"),
        ("system_password", PASSWORD),
        ("security_username", "secadmin"),
        ("security_password", PASSWORD),
        ("audit_username", "auditadmin"),
        ("audit_password", PASSWORD),
    ] {
        // (The form suggests the administrators' names: what is there is replaced.)
        set(&s, &format!("#setup-form input[name={name}]"), value).await;
    }
    s.screenshot(&dir.join("f1-setup.png")).await;
    s.click(&s.find("#setup-form button").await).await;
    let url = s.wait_url("/login").await;
    s.screenshot(&dir.join("f1-after-setup.png")).await;
    assert!(url.ends_with("/login"), "setup done: {url}");
    s.quit().await;
    let bureau = app
        .store
        .reader()
        .await
        .unwrap()
        .root_units()
        .await
        .unwrap()[0]
        .id;

    // The system administrator adds two schools below the bureau.
    let sys = login(&driver, &base, "sysadmin").await;
    sys.goto(&format!("{base}/units/{bureau}")).await;
    let one = add_school(&sys, "河东区第一中学").await;
    sys.goto(&format!("{base}/units/{bureau}")).await;
    let two = add_school(&sys, "河东区第二中学").await;

    // The first school's roster, imported from a spreadsheet file.
    sys.goto(&format!("{base}/units/{one}/import")).await;
    let roster = dir.join("花名册.csv");
    std::fs::write(
        &roster,
        "姓名,性别,身份证号,工号,手机号,职务,政治面貌,所在单位\n王庆彬,男,,S101,,党支部书记,中共党员,\n周涛宇,男,,S102,,校长,中共党员,\n李娜,女,,S103,,办公室主任,中共党员,\n",
    )
    .unwrap();
    sys.type_into(
        &sys.find("#import-form input[name=file]").await,
        roster.to_str().unwrap(),
    )
    .await;
    sys.submit_and_wait(&sys.find("#import-form button").await, &["王庆彬"])
        .await;
    if sys.source().await.contains("id=\"confirm-form\"") {
        sys.click(&sys.find("#confirm-form button").await).await;
    }
    let people = app
        .store
        .reader()
        .await
        .unwrap()
        .people_in_unit(one)
        .await
        .unwrap();
    assert_eq!(people.len(), 3, "the roster is in");
    let secretary = people.iter().find(|p| p.name == "王庆彬").unwrap().id;

    // 第一责任人 assigned on the school's page.
    sys.goto(&format!("{base}/units/{one}")).await;
    set(
        &sys,
        "#assign-form select[name=person_id]",
        &secretary.to_string(),
    )
    .await;
    set(
        &sys,
        "#assign-form select[name=role_id]",
        "first_responsible",
    )
    .await;
    set(&sys, "#assign-form input[name=starts_on]", "2025-09-01").await;
    let page = sys
        .submit_and_wait(
            &sys.find("#assign-form button").await,
            &["王庆彬", "安装于河东区教体局"],
        )
        .await;
    assert!(page.contains("安装于河东区教体局"), "{page}");
    sys.screenshot(&dir.join("f2-school.png")).await;
    sys.quit().await;

    // Both schools have their obligations without another install; the bureau none.
    let mut api = Client::new(&base);
    api.login("sysadmin", PASSWORD).await;
    for unit in [one, two] {
        let mut d = Vec::new();
        for _ in 0..100 {
            d = duties(&api, unit).await;
            if !d.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            d.contains(&"half_year_report".to_string())
                && d.contains(&"quarterly_study".to_string()),
            "school {unit}: {d:?}"
        );
    }
    assert!(duties(&api, bureau).await.is_empty());

    // Accounts: the secretary's, with no grant; the bureau office's, editing at the bureau.
    let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    w.create_account("wangqb", Some(secretary), &hash, AdminDuty::None)
        .await
        .unwrap();
    let officer = w
        .create_person(&zeren_store::NewPerson {
            unit_id: bureau,
            name: "赵立新".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let office = w
        .create_account("office", Some(officer.id), &hash, AdminDuty::None)
        .await
        .unwrap();
    w.set_grant(office.id, bureau, Level::Edit).await.unwrap();
    w.commit().await.unwrap();

    // The secretary finds his half-year report on 我的工作 and opens it.
    let sec = login(&driver, &base, "wangqb").await;
    assert!(sec.url().await.ends_with("/work"));
    let work = sec.wait_for(&["半年"]).await;
    assert!(work.contains("河东区第一中学"), "{work}");
    sec.screenshot(&dir.join("f3-work.png")).await;
    let today = zeren_web::today();
    let report = {
        let list = api
            .get(&format!(
                "/api/v1/obligations?unit={one}&duty=half_year_report"
            ))
            .await
            .json();
        list.as_array()
            .unwrap()
            .iter()
            .find(|o| {
                let t = today.to_string();
                o["period_start"].as_str().unwrap() <= t.as_str()
                    && t.as_str() <= o["period_end"].as_str().unwrap()
            })
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    sec.click(&sec.find(&format!("a[href='/obligations/{report}']")).await)
        .await;
    sec.wait_for(&["id=\"record-form\""]).await;
    // Sent without the written report: refused, and what he typed is still there.
    set(
        &sec,
        "#record-form input[name=work_date]",
        &today.to_string(),
    )
    .await;
    sec.type_into(
        &sec.find("#record-form textarea[name=content]").await,
        "下半年意识形态工作汇报：学习四次，研判两次。",
    )
    .await;
    let refused = sec
        .submit_and_wait(&sec.find("#record-form button").await, &["须上传文件材料"])
        .await;
    assert!(refused.contains("须上传文件材料"), "{refused}");
    let kept = sec
        .script("return document.querySelector('#record-form textarea[name=content]').value")
        .await;
    assert_eq!(kept, "下半年意识形态工作汇报：学习四次，研判两次。");
    sec.screenshot(&dir.join("f4-refused.png")).await;
    // With the report attached it is stored and waits for the bureau.
    let file = dir.join("下半年工作汇报.pdf");
    std::fs::write(&file, crate::pdf()).unwrap();
    sec.type_into(
        &sec.find("#record-form input[name=files]").await,
        file.to_str().unwrap(),
    )
    .await;
    let page = sec
        .submit_and_wait(&sec.find("#record-form button").await, &["待上级签收"])
        .await;
    assert!(
        page.contains("待上级签收") && page.contains("王庆彬"),
        "{page}"
    );
    sec.quit().await;

    // The bureau's office returns it with a reason.
    let off = login(&driver, &base, "office").await;
    off.goto(&format!("{base}/obligations/{report}")).await;
    off.wait_for(&["退回理由"]).await;
    off.type_into(
        &off.find("form[action$='/return'] input[name=reason]").await,
        "请写明研判发现的问题",
    )
    .await;
    off.click(&off.find("form[action$='/return'] button").await)
        .await;
    off.wait_for(&["已退回"]).await;
    off.quit().await;

    // The secretary corrects it; the office acknowledges the corrected version.
    let sec = login(&driver, &base, "wangqb").await;
    sec.goto(&format!("{base}/obligations/{report}")).await;
    sec.wait_for(&["请按退回意见更正"]).await;
    sec.type_into(
        &sec.find("details[open] input[name=reason]").await,
        "按退回意见补充研判发现的问题",
    )
    .await;
    sec.click(&sec.find("details[open] form button").await)
        .await;
    sec.wait_for(&["第2版"]).await;
    sec.quit().await;
    let off = login(&driver, &base, "office").await;
    off.goto(&format!("{base}/obligations/{report}")).await;
    off.wait_for(&["待上级签收"]).await;
    off.click(&off.find("form[action$='/acknowledge'] button").await)
        .await;
    let page = off.wait_for(&["上级已签收", "签收人"]).await;
    assert!(page.contains("赵立新") && page.contains("第2版"), "{page}");
    off.screenshot(&dir.join("f5-acknowledged.png")).await;
    off.quit().await;
    drop(driver);

    // Every link each of them can reach opens.
    for user in ["sysadmin", "wangqb", "office", "secadmin", "auditadmin"] {
        let mut c = Client::new(&base);
        c.login(user, PASSWORD).await;
        let (fetched, bad) = crawl(&c, user).await;
        assert!(fetched > 2, "{user} reached {fetched} pages");
        assert!(bad.is_empty(), "{bad:#?}");
    }
    app.stop().await;
}
