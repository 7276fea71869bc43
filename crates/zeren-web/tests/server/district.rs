//! First real use of a district (issue 10): one setup at the bureau gives every school its
//! obligations as soon as its roles are held; the pages say which installation governs a unit;
//! a school set up alone sees its obligations at once and is told that its reports to a parent
//! reach no one; a university with the publication fragment runs 先审后发 end to end.

use reqwest::StatusCode;
use zeren_store::testdb::TestDb;
use zeren_store::Read;

use crate::helpers::*;

/// First-run setup with a pack (and fragments) for a top unit of a kind.
async fn setup(app: &App, pack: &str, name: &str, kind: &str, fragments: &[&str]) -> i64 {
    let mut parts: Vec<(&str, Option<&str>, &[u8])> = vec![
        ("pack", None, pack.as_bytes()),
        ("unit_name", None, name.as_bytes()),
        ("unit_kind", None, kind.as_bytes()),
        ("system_username", None, b"sysadmin"),
        ("system_password", None, PASSWORD.as_bytes()),
        ("security_username", None, b"secadmin"),
        ("security_password", None, PASSWORD.as_bytes()),
        ("audit_username", None, b"auditadmin"),
        ("audit_password", None, PASSWORD.as_bytes()),
    ];
    for f in fragments {
        parts.push(("fragment", None, f.as_bytes()));
    }
    let r = app.client().multipart("/setup", &parts).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    app.store
        .reader()
        .await
        .unwrap()
        .root_units()
        .await
        .unwrap()[0]
        .id
}

/// The duties of a unit's obligations (unit-wide ones), as the API lists them.
async fn duties(c: &Client, unit: i64) -> Vec<String> {
    let list = c
        .get(&format!("/api/v1/obligations?unit={unit}"))
        .await
        .json();
    let mut v: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["person_id"].is_null())
        .map(|o| o["duty_id"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Waits for the background materialiser (woken by a change) to have given `unit` obligations.
async fn wait_for_duties(c: &Client, unit: i64) -> Vec<String> {
    for _ in 0..100 {
        let d = duties(c, unit).await;
        if !d.is_empty() {
            return d;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Vec::new()
}

#[tokio::test]
async fn one_setup_at_the_bureau_runs_every_school() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let bureau = setup(&app, "district-school", "河东区教体局", "局", &[]).await;
        let sys = app.login("sysadmin").await;
        let mut schools = Vec::new();
        for name in ["河东区第一中学", "河东区第二中学"] {
            let id = sys
                .form(
                    &format!("/units/{bureau}/children"),
                    &[("name", name), ("kind", "学校")],
                )
                .await
                .location_id();
            // A roster of two, then the first responsible assigned.
            let csv = format!(
                "姓名,性别,身份证号,工号,手机号,职务,政治面貌,所在单位\n{name}书记,男,,S{id}1,,书记,中共党员,\n{name}校长,女,,S{id}2,,校长,中共党员,\n"
            );
            let r = sys
                .raw(
                    &format!("/api/v1/units/{id}/roster"),
                    "text/csv",
                    csv.into_bytes(),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
            let people = sys.get(&format!("/api/v1/people?unit={id}")).await.json();
            let secretary = people[0]["id"].as_i64().unwrap();
            let r = sys
                .json(
                    "/api/v1/assignments",
                    serde_json::json!({ "person_id": secretary, "unit_id": id, "role_id": "first_responsible", "starts_on": "2025-09-01" }),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
            schools.push(id);
        }
        // Every school gets the pack's obligations without another install; the bureau none.
        for s in &schools {
            let d = wait_for_duties(&sys, *s).await;
            assert!(
                d.contains(&"quarterly_study".to_string())
                    && d.contains(&"half_year_report".to_string()),
                "school {s}: {d:?}"
            );
        }
        assert!(
            duties(&sys, bureau).await.is_empty(),
            "the bureau is not a school"
        );
        // The pages say so.
        let page = sys.get(&format!("/units/{}", schools[0])).await.text;
        assert!(page.contains("安装于河东区教体局"), "{page}");
        assert!(page.contains("适用于：学校"));
        let page = sys.get(&format!("/units/{bureau}/policy")).await.text;
        assert!(page.contains("本单位安装的实施办法") && page.contains("适用于：学校"));
        // The half-year report of a school goes to the bureau's inbox.
        let report = sys
            .get(&format!(
                "/api/v1/obligations?unit={}&duty=half_year_report",
                schools[0]
            ))
            .await
            .json();
        assert_eq!(report[0]["report_to_parent"], true);

        // Removing the policy at the bureau takes the schools' unended obligations without
        // records away.
        let installed = sys
            .get(&format!("/api/v1/policies?unit={bureau}"))
            .await
            .json()["history"][0]["id"]
            .as_i64()
            .unwrap();
        let r = sys
            .json(
                &format!("/api/v1/policies/{installed}/remove"),
                serde_json::json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let mut left = duties(&sys, schools[1]).await;
        for _ in 0..100 {
            if left.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            left = duties(&sys, schools[1]).await;
        }
        assert!(left.is_empty(), "left after removal: {left:?}");
        app.stop().await;
    }
}

#[tokio::test]
async fn a_school_set_up_alone_sees_its_obligations_at_once_and_its_reports_warned() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let school = setup(&app, "district-school", "下埔小学", "学校", &[]).await;
        let sys = app.login("sysadmin").await;
        // No waiting: setup materialised before it answered.
        let d = duties(&sys, school).await;
        assert!(d.contains(&"quarterly_study".to_string()), "{d:?}");
        // Its half-year report goes to a parent it does not have: said, and located.
        let page = sys.get(&format!("/units/{school}")).await.text;
        assert!(
            page.contains("duties.half_year_report.report_to")
                && page.contains("district-school.toml:")
                && page.contains("没有上级单位"),
            "{page}"
        );
        let report = sys
            .get(&format!(
                "/api/v1/obligations?unit={school}&duty=half_year_report"
            ))
            .await
            .json();
        let id = report[0]["id"].as_i64().unwrap();
        let page = sys.get(&format!("/obligations/{id}")).await.text;
        assert!(page.contains("没有上级单位"), "the obligation says so too");
        app.stop().await;
    }
}

#[tokio::test]
async fn a_university_with_the_publication_fragment_reviews_a_news_item_end_to_end() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let top = setup(
            &app,
            "university",
            "某大学某校区",
            "学校",
            &["publication-review"],
        )
        .await;
        let sys = app.login("sysadmin").await;
        // Four people: the one who drafts, and one for each step of the fragment's workflow.
        let csv = "姓名,性别,身份证号,工号,手机号,职务,政治面貌,所在单位\n宣传干事,,,U1,,干事,,\n审查员,,,U2,,干事,,\n部门负责人,,,U3,,部长,,\n分管领导,,,U4,,副书记,,\n";
        let r = sys
            .raw(
                &format!("/api/v1/units/{top}/roster"),
                "text/csv",
                csv.as_bytes().to_vec(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let people = sys.get(&format!("/api/v1/people?unit={top}")).await.json();
        let id_of = |name: &str| {
            people
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == name)
                .unwrap()["id"]
                .as_i64()
                .unwrap()
        };
        for (name, role) in [
            ("审查员", "publication_reviewer"),
            ("部门负责人", "publication_department_head"),
            ("分管领导", "publication_leader"),
        ] {
            let r = sys
                .json(
                    "/api/v1/assignments",
                    serde_json::json!({ "person_id": id_of(name), "unit_id": top, "role_id": role, "starts_on": "2025-09-01" }),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        }
        // Accounts for each, linked to their person; the drafter may edit the unit.
        let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
        let mut w = app
            .store
            .write(&zeren_store::Actor::system())
            .await
            .unwrap();
        for (user, name) in [
            ("drafter", "宣传干事"),
            ("reviewer", "审查员"),
            ("head", "部门负责人"),
            ("leader", "分管领导"),
        ] {
            let a = w
                .create_account(user, Some(id_of(name)), &hash, zeren_store::AdminDuty::None)
                .await
                .unwrap();
            if user == "drafter" {
                w.set_grant(a.id, top, zeren_store::Level::Edit)
                    .await
                    .unwrap();
            }
        }
        w.commit().await.unwrap();

        // The submit page offers the fragment's workflow, marked as not from the text.
        let drafter = app.login("drafter").await;
        let form = drafter.get(&format!("/units/{top}/reviews/new")).await;
        assert!(
            form.text.contains("网站和新媒体信息发布审核"),
            "{}",
            form.text
        );
        let channel = drafter
            .json(
                "/api/v1/channels",
                serde_json::json!({ "unit_id": top, "kind": "website", "name": "校区网站", "locator": "https://example.edu.cn" }),
            )
            .await;
        assert_eq!(channel.status, StatusCode::CREATED, "{}", channel.text);
        let item = drafter
            .json(
                "/api/v1/reviews",
                serde_json::json!({ "unit_id": top, "workflow": "publication", "channel_id": channel.json()["id"], "title": "校区举办读书月活动", "body": "本月校区举办读书月活动，欢迎师生参加。" }),
            )
            .await;
        assert_eq!(item.status, StatusCode::CREATED, "{}", item.text);
        let item = item.json();
        let id = item["item"]["id"].as_i64().unwrap();
        let hash = item["versions"][0]["hash"].as_str().unwrap().to_string();
        for user in ["reviewer", "head", "leader"] {
            let c = app.login(user).await;
            let seen = c.get(&format!("/api/v1/reviews/{id}")).await.json()["seen"].clone();
            let r = c
                .json(
                    &format!("/api/v1/reviews/{id}/decisions"),
                    serde_json::json!({ "decision": "approve", "hash": hash, "checklist": [true, true, true], "seen": seen }),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{user}: {}", r.text);
        }
        let r = drafter
            .json(
                &format!("/api/v1/reviews/{id}/publish"),
                serde_json::json!({ "url": "https://example.edu.cn/news/1", "published_at": "2026-09-01T08:00" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["stage"], "published");
        app.stop().await;
    }
}

/// Participants come from the unit and the units below it, guests by name; a unit is retired or
/// merged with its history kept.
#[tokio::test]
async fn participants_from_below_guests_by_name_and_a_merged_school_keeps_its_history() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let bureau = setup(&app, "district-school", "河东区教体局", "局", &[]).await;
        let sys = app.login("sysadmin").await;
        let child = |parent: i64, name: &'static str, kind: &'static str| {
            let sys = &sys;
            async move {
                sys.form(
                    &format!("/units/{parent}/children"),
                    &[("name", name), ("kind", kind)],
                )
                .await
                .location_id()
            }
        };
        let one = child(bureau, "河东区第一中学", "学校").await;
        let two = child(bureau, "河东区第二中学", "学校").await;
        let group = child(one, "语文教研组", "教研组").await;
        let person = |unit: i64, name: &'static str| {
            let sys = &sys;
            async move {
                sys.json(
                    "/api/v1/people",
                    serde_json::json!({ "unit_id": unit, "name": name }),
                )
                .await
                .json()["id"]
                    .as_i64()
                    .unwrap()
            }
        };
        let secretary = person(one, "王书记").await;
        let teacher = person(group, "李老师").await;
        let stranger = person(two, "赵老师").await;
        let r = sys
            .json(
                "/api/v1/assignments",
                serde_json::json!({ "person_id": secretary, "unit_id": one, "role_id": "first_responsible", "starts_on": "2025-09-01" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        wait_for_duties(&sys, one).await;
        let today = zeren_web::today();
        let list = sys
            .get(&format!(
                "/api/v1/obligations?unit={one}&duty=quarterly_study"
            ))
            .await
            .json();
        let study = list
            .as_array()
            .unwrap()
            .iter()
            .find(|o| {
                o["period_start"].as_str().unwrap() <= today.to_string().as_str()
                    && today.to_string().as_str() <= o["period_end"].as_str().unwrap()
            })
            .unwrap()["id"]
            .as_i64()
            .unwrap();

        // The obligation page offers the group's teacher (in a fold of its own) and a guest box.
        let page = sys.get(&format!("/obligations/{study}")).await.text;
        assert!(
            page.contains("语文教研组（1人）") && page.contains("李老师"),
            "{page}"
        );
        assert!(page.contains("name=\"guests\""));

        // Someone of another school is refused, beside the field, with the way out said.
        let r = sys
            .json(
                &format!("/api/v1/obligations/{study}/records"),
                serde_json::json!({ "work_date": today, "content": "学习", "participants": [secretary, stranger] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("来宾"), "{}", r.text);
        // A guest's name too long is refused in the form, and what was typed stays.
        let long = "长".repeat(65);
        let guests = format!("刘敏（区委党校讲师）\n{long}");
        let r = sys
            .multipart(
                &format!("/obligations/{study}/records"),
                &[
                    ("work_date", None, today.to_string().as_bytes()),
                    ("content", None, "专题学习".as_bytes()),
                    ("guests", None, guests.as_bytes()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("不超过 64 字"), "{}", r.text);
        assert!(r.text.contains("刘敏（区委党校讲师）") && r.text.contains("专题学习"));

        // The school's secretary, the group's teacher and an outside lecturer.
        let r = sys
            .json(
                &format!("/api/v1/obligations/{study}/records"),
                serde_json::json!({ "work_date": today, "content": "专题学习", "participants": [secretary, teacher], "guests": ["刘敏（区委党校讲师）"] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let record = r.json()["record"]["id"].as_i64().unwrap();
        let got = sys.get(&format!("/api/v1/records/{record}")).await.json();
        assert_eq!(
            got["versions"][0]["version"]["guests"],
            serde_json::json!(["刘敏（区委党校讲师）"])
        );
        assert_eq!(
            got["versions"][0]["participants"].as_array().unwrap().len(),
            2
        );
        let page = sys.get(&format!("/obligations/{study}")).await.text;
        assert!(page.contains("刘敏（区委党校讲师）（来宾）"), "{page}");

        // Merging the first school: refused while its group is active, then the group is
        // retired, then the school merges into the second. A future date is refused.
        let r = sys
            .json(
                &format!("/api/v1/units/{one}/retire"),
                serde_json::json!({ "on": today, "reason": "两校合并", "merged_into": two }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("下级单位"), "{}", r.text);
        let tomorrow = (today + chrono::Days::new(1)).to_string();
        let r = sys
            .form(
                &format!("/units/{group}/retire"),
                &[("on", &tomorrow), ("reason", "教研组调整")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("日期不能晚于今天") && r.text.contains("教研组调整"));
        let r = sys
            .form(
                &format!("/units/{group}/retire"),
                &[("on", &today.to_string()), ("reason", "教研组调整")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let r = sys
            .json(
                &format!("/api/v1/units/{one}/retire"),
                serde_json::json!({ "on": today, "reason": "区发〔2026〕12号 两校合并", "merged_into": two }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["merged_into"], two);

        // Its page says so, links the school it joined and offers nothing to add; the record
        // is still there; the people moved.
        let page = sys.get(&format!("/units/{one}")).await.text;
        assert!(
            page.contains("并入") && page.contains(&format!("/units/{two}")),
            "{page}"
        );
        assert!(page.contains("两校合并"));
        assert!(!page.contains("id=\"person-form\"") && !page.contains("id=\"child-form\""));
        assert!(!page.contains("id=\"retire-form\""));
        let tree = sys.get("/units").await.text;
        assert!(tree.contains("已合并") && tree.contains("已撤销"));
        let got = sys.get(&format!("/api/v1/records/{record}")).await;
        assert_eq!(got.status, StatusCode::OK);
        let moved = sys.get(&format!("/api/v1/people?unit={two}")).await.json();
        assert!(moved
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"].as_i64() == Some(secretary)));
        // Nothing is added to it any more.
        let r = sys
            .json(
                "/api/v1/people",
                serde_json::json!({ "unit_id": one, "name": "新人" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("本单位已撤销或合并"), "{}", r.text);
        app.stop().await;
    }
}
