//! The first-run journey of issue 3: setup → login → build a unit tree → import a 200-row
//! roster (a broken one is refused with row-level reasons) → assign the roles the pack
//! names → the warnings go away and the bodies fill; the audit chain stays intact.

use reqwest::StatusCode;
use zeren_store::testdb::TestDb;
use zeren_store::Read;

use crate::helpers::*;

fn roster_csv(rows: u32, units: &[&str]) -> String {
    let mut s = String::from("\u{feff}姓名,性别,身份证号,工号,手机号,职务,政治面貌,所在单位\n");
    let statuses = [
        "中共党员",
        "群众",
        "共青团员",
        "中共预备党员",
        "九三学社社员",
    ];
    for i in 0..rows {
        s.push_str(&format!(
            "教师{i:03},,{},T{i:04},138{:08},教师,{},{}\n",
            resident_id(i),
            10_000_000 + i,
            statuses[i as usize % statuses.len()],
            units[i as usize % units.len()]
        ));
    }
    s
}

#[tokio::test]
async fn from_setup_to_assigned_roles() {
    for db in TestDb::all().await {
        journey(db).await;
    }
}

async fn journey(db: TestDb) {
    let app = spawn_app(db).await;
    let anon = app.client();

    // Before setup everything leads to it.
    let r = anon.get("/").await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/setup"));
    let r = anon.get("/setup").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("lang=\"zh-CN\""));
    assert!(r.text.contains("系统初始化"));
    assert!(
        r.text.contains("学校意识形态工作责任制实施办法"),
        "the packs are offered"
    );

    // An uploaded policy with a mistake is refused with the engine's diagnostics in Chinese.
    let broken = crate::journey::broken_policy();
    let r = anon
        .multipart(
            "/setup",
            &[
                ("pack", None, b"upload"),
                ("policy_file", Some("mine.toml"), broken.as_bytes()),
                ("unit_name", None, "环湖中学".as_bytes()),
                ("unit_kind", None, "学校".as_bytes()),
                ("system_username", None, b"sysadmin"),
                ("system_password", None, PASSWORD.as_bytes()),
                ("security_username", None, b"secadmin"),
                ("security_password", None, PASSWORD.as_bytes()),
                ("audit_username", None, b"auditadmin"),
                ("audit_password", None, PASSWORD.as_bytes()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("mine.toml 第"), "{}", r.text);
    assert!(r.text.contains("quartr"), "the wrong value is named");

    let top = app.setup("district-school", "环湖中学").await;
    // Setup happens once.
    assert_eq!(anon.get("/setup").await.location(), "/login");

    // Log in; a wrong password is refused.
    let mut c = app.client();
    let r = c.try_login("sysadmin", "wrong-Passw0rd").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text.contains("用户名或密码错误"));
    c.login("sysadmin", PASSWORD).await;
    let r = c.get("/").await;
    assert_eq!(r.location(), format!("/units/{top}"));

    // The unit page warns about the roles the policy requires.
    let page = c.get(&format!("/units/{top}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("未指定第一责任人"), "{}", page.text);
    assert!(
        page.text.contains("意识形态工作领导小组"),
        "bodies built from the policy"
    );

    // Build a unit tree of three levels.
    let r = c
        .form(
            &format!("/units/{top}/children"),
            &[("name", "环湖中学党支部"), ("kind", "党支部")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let branch = r.location_id();
    let r = c
        .form(
            &format!("/units/{top}/children"),
            &[("name", "教务处"), ("kind", "科室")],
        )
        .await;
    let office = r.location_id();
    let r = c
        .form(
            &format!("/units/{office}/children"),
            &[("name", "语文教研组"), ("kind", "教研组")],
        )
        .await;
    let group = r.location_id();
    let tree = c.get("/units").await;
    for name in ["环湖中学党支部", "教务处", "语文教研组"] {
        assert!(tree.text.contains(name));
    }
    let path = c.get(&format!("/units/{group}")).await;
    assert!(
        path.text.contains("环湖中学") && path.text.contains("教务处"),
        "breadcrumbs"
    );

    // The templates download.
    let t = c.get("/roster/template.xlsx").await;
    assert_eq!(t.status, StatusCode::OK);
    assert!(t.body.starts_with(b"PK"));
    let t = c.get("/roster/template.csv").await;
    assert!(t.text.contains("身份证号"));

    // A broken roster is refused with every bad row, and nothing is imported.
    let mut bad = roster_csv(5, &["", "环湖中学党支部"]);
    bad.push_str("张三,男,110105194912310021,X1,13800000000,,群众,\n");
    bad.push_str(",,,,,,,\n");
    bad.push_str("李四,,,T0001,12345,,团员?,不存在的单位\n");
    let r = c
        .multipart(
            &format!("/units/{top}/import"),
            &[("file", Some("bad.csv"), bad.as_bytes())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("未导入任何人员"));
    for reason in [
        "校验位错误",
        "工号与第 3 行重复",
        "手机号“12345”无效",
        "GB/T 4762",
        "不存在的单位",
    ] {
        assert!(
            r.text.contains(reason),
            "missing reason {reason}: {}",
            r.text
        );
    }
    assert!(
        r.text.contains("<td>7</td>") && r.text.contains("<td>9</td>"),
        "row numbers"
    );
    let people = app
        .store
        .reader()
        .await
        .unwrap()
        .people_in_subtree(top)
        .await
        .unwrap();
    assert!(people.is_empty());

    // A good 200-row roster goes in whole, placed in the units it names.
    let good = roster_csv(200, &["", "环湖中学党支部", "教务处", "语文教研组"]);
    let r = c
        .multipart(
            &format!("/units/{top}/import"),
            &[("file", Some("roster.csv"), good.as_bytes())],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("导入成功，人数：200"));
    let mut rd = app.store.reader().await.unwrap();
    assert_eq!(rd.people_in_subtree(top).await.unwrap().len(), 200);
    assert_eq!(rd.people_in_unit(branch).await.unwrap().len(), 50);
    let first = rd
        .people_in_unit(top)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == "教师000")
        .unwrap();
    assert_eq!(first.id_number.as_deref(), Some(resident_id(0).as_str()));
    assert_eq!(first.political_status.as_deref(), Some("01"));
    drop(rd);
    // The same file again: every row now clashes with stored numbers.
    let r = c
        .multipart(
            &format!("/units/{top}/import"),
            &[("file", Some("roster.csv"), good.as_bytes())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("身份证号已存在于系统中"));

    // An XLSX roster with phone numbers typed as numbers.
    let xlsx = {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (i, h) in ["姓名", "身份证号", "手机号", "所在单位"]
            .iter()
            .enumerate()
        {
            ws.write_string(0, i as u16, *h).unwrap();
        }
        for i in 0..3u32 {
            ws.write_string(i + 1, 0, format!("职员{i}")).unwrap();
            ws.write_string(i + 1, 1, resident_id(500 + i)).unwrap();
            ws.write_number(i + 1, 2, 13_900_000_000.0 + i as f64)
                .unwrap();
            ws.write_string(i + 1, 3, "教务处").unwrap();
        }
        wb.save_to_buffer().unwrap()
    };
    let r = c
        .multipart(
            &format!("/units/{top}/import"),
            &[("file", Some("roster.xlsx"), &xlsx)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let staff = app
        .store
        .reader()
        .await
        .unwrap()
        .people_in_unit(office)
        .await
        .unwrap();
    assert!(staff
        .iter()
        .any(|p| p.phone.as_deref() == Some("13900000001")));

    // Assign every role the pack names, as many holders as it requires.
    let policy = zeren_policy::parse(
        "district-school.toml",
        zeren_web::packs::find("district-school").unwrap().text,
    )
    .unwrap();
    let people = app
        .store
        .reader()
        .await
        .unwrap()
        .people_in_unit(top)
        .await
        .unwrap();
    let mut next = people.iter();
    for role in &policy.roles {
        for _ in 0..role.holders.min.max(1) {
            let p = next.next().unwrap();
            let r = c
                .form(
                    &format!("/units/{top}/assignments"),
                    &[
                        ("person_id", &p.id.to_string()),
                        ("role_id", role.id.as_str()),
                        ("starts_on", "2026-01-01"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}: {}", role.id, r.text);
        }
    }
    // A role that the policy does not name is refused.
    let r = c
        .form(
            &format!("/units/{top}/assignments"),
            &[
                ("person_id", &people[0].id.to_string()),
                ("role_id", "emperor"),
                ("starts_on", "2026-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let page = c.get(&format!("/units/{top}")).await;
    assert!(!page.text.contains("未指定"), "all roles are held now");
    assert!(
        page.text.contains("人员变动，需调整"),
        "bodies follow posts: flagged after the change"
    );
    let r = c.form(&format!("/units/{top}/bodies/sync"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let bodies = c.get(&format!("/api/v1/bodies?unit={top}")).await.json();
    let group = bodies
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["body"]["body_key"] == "leading_group")
        .unwrap();
    assert!(!group["members"].as_array().unwrap().is_empty());
    assert_eq!(group["body"]["needs_adjustment"], false);

    // Ending an assignment keeps it as history (htmx returns the roles fragment).
    let assignments = c
        .get(&format!("/api/v1/assignments?unit={top}"))
        .await
        .json();
    let first_id = assignments[0]["id"].as_i64().unwrap();
    let r = c
        .form(
            &format!("/assignments/{first_id}/end"),
            &[("ends_on", "2026-06-30")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let person = c
        .get(&format!("/api/v1/people/{}", assignments[0]["person_id"]))
        .await
        .json();
    assert_eq!(person["assignments"][0]["ends_on"], "2026-06-30");
    let page = c.get(&format!("/units/{top}")).await;
    assert!(
        page.text.contains("历史任职（1）"),
        "the ended assignment is shown as history"
    );
    let person_page = c
        .get(&format!("/people/{}", assignments[0]["person_id"]))
        .await;
    assert!(person_page.text.contains("2026-06-30"));
    assert!(
        !person_page.text.contains(&resident_id(0)),
        "ID numbers are masked on pages"
    );

    // htmx posts get the roles fragment back, not a whole page.
    let r = c
        .form_hx(
            &format!("/units/{top}/assignments"),
            &[
                ("person_id", &people[0].id.to_string()),
                ("role_id", "leadership"),
                ("starts_on", "2026-02-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.text.trim_start().starts_with("<section id=\"roles\">") && !r.text.contains("<html"),
        "{}",
        r.text
    );

    // Upgrade the policy after seeing what changes; the old version stays in the history.
    let page = c.get(&format!("/units/{top}/policy")).await;
    assert_eq!(page.status, StatusCode::OK);
    // Written on Windows (CRLF) and starting with a blank line: it must survive the round
    // trip through the preview page's textarea.
    let v2 = format!(
        "\n{}",
        zeren_web::packs::find("district-school")
            .unwrap()
            .text
            .replacen("every = \"quarter\"", "every = \"month\"", 1)
    );
    let v2_crlf = v2.replace('\n', "\r\n");
    let preview = c
        .multipart(
            &format!("/units/{top}/policy/preview"),
            &[
                ("pack", None, b"upload"),
                (
                    "policy_file",
                    Some("district-school.toml"),
                    v2_crlf.as_bytes(),
                ),
            ],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text);
    assert!(preview.text.contains("安装前对比"));
    assert!(
        preview.text.contains("quarterly_study")
            || preview.text.contains("意识形态工作内容专题学习"),
        "the diff names the changed duty: {}",
        preview.text
    );
    let (file_name, sha, text) = (
        field_of(&preview.text, "file_name"),
        field_of(&preview.text, "sha256"),
        field_of(&preview.text, "text"),
    );
    assert!(
        text == v2,
        "the previewed text round-trips through the page"
    );
    let r = c
        .form(
            &format!("/units/{top}/policy"),
            // Browsers submit a textarea with CRLF line ends.
            &[
                ("file_name", &file_name),
                ("sha256", &sha),
                ("text", &text.replace('\n', "\r\n")),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let history = app
        .store
        .reader()
        .await
        .unwrap()
        .policy_history(top)
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert!(history[0].current && !history[1].current);
    assert!(history[0].text.contains("every = \"month\""));
    // A text changed after the preview is refused.
    let r = c
        .form(
            &format!("/units/{top}/policy"),
            &[
                ("file_name", &file_name),
                ("sha256", &sha),
                ("text", "format = 1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Every step is on the audit chain, and the chain is intact.
    let v = app.store.verify_audit().await.unwrap();
    assert_eq!(v.first_break, None);
    assert!(v.entries > 220, "{} entries", v.entries);
    let auditor = app.login("auditadmin").await;
    let log = auditor.get("/audit?entity=unit").await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.text.contains("审计链完整"));
    assert!(log.text.contains("创建单位（unit.create）"));
    app.stop().await;
}

/// district-school with a misspelt frequency.
pub fn broken_policy() -> String {
    zeren_web::packs::find("district-school")
        .unwrap()
        .text
        .replacen("every = \"quarter\"", "every = \"quartr\"", 1)
}
