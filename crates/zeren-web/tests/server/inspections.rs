//! Inspections (督查) over HTTP (issue 14): the bureau plans an inspection of two schools, records a
//! visit and sends a finding; the school proposes a rectification, the bureau returns it, accepts
//! the second version; the school records progress, applies for 销号 with evidence, the bureau
//! closes it with a justification. Refused steps say what they need beside the field; a peer
//! school sees nothing of it; the finding waits on 我的工作 and counts on the dashboard; the 通报
//! carries the completion rate. On SQLite, and on PostgreSQL when configured.

use reqwest::StatusCode;
use serde_json::json;
use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, NewPerson};

use crate::helpers::*;

/// A unit under `parent` with a person and an account (linked to them) that may edit there.
async fn unit_with_clerk(
    app: &App,
    parent: i64,
    name: &str,
    clerk: &str,
    person: &str,
) -> (i64, i64) {
    let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    let unit = w.create_unit(Some(parent), name, "学校").await.unwrap().id;
    let text = zeren_policy::packs::get("district-school").unwrap().text;
    w.install_policy(unit, "district-school", "1", "实施办法", text, "x")
        .await
        .unwrap();
    let p = w
        .create_person(&NewPerson {
            unit_id: unit,
            name: person.into(),
            ..NewPerson::default()
        })
        .await
        .unwrap();
    let a = w
        .create_account(clerk, Some(p.id), &hash, AdminDuty::None)
        .await
        .unwrap();
    w.set_grant(a.id, unit, Level::Edit).await.unwrap();
    w.commit().await.unwrap();
    (unit, p.id)
}

#[tokio::test]
async fn an_inspection_runs_from_plan_to_closure() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let bureau = app.setup("bureau", "河东区教体局").await;
        let (first, teacher) =
            unit_with_clerk(&app, bureau, "河东区第一中学", "clerk1", "钱校长").await;
        let (second, _) = unit_with_clerk(&app, bureau, "河东区第二中学", "clerk2", "孙校长").await;
        let (_, inspector) = {
            let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
            let mut w = app.store.write(&Actor::system()).await.unwrap();
            let p = w
                .create_person(&NewPerson {
                    unit_id: bureau,
                    name: "赵督查".into(),
                    ..NewPerson::default()
                })
                .await
                .unwrap();
            let a = w
                .create_account("office", Some(p.id), &hash, AdminDuty::None)
                .await
                .unwrap();
            w.set_grant(a.id, bureau, Level::Edit).await.unwrap();
            w.commit().await.unwrap();
            (a.id, p.id)
        };
        let office = app.login("office").await;
        let clerk1 = app.login("clerk1").await;
        let clerk2 = app.login("clerk2").await;

        // The plan: the programme's items and the schools' duties are on offer.
        let page = office.get(&format!("/units/{bureau}/inspections")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(
            page.text.contains("意识形态工作专项督查考核"),
            "the programme"
        );
        assert!(page.text.contains("text:意识形态工作是否落实到位"));
        // Refused: no units, no team; each problem beside its field, what was typed kept.
        let r = office
            .form(
                &format!("/units/{bureau}/inspections"),
                &[
                    ("title", "2026年意识形态工作专项督查"),
                    ("starts_on", "2026-03-01"),
                    ("ends_on", "2026-02-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for words in [
            "结束日期不能早于开始日期",
            "请选择本单位的下属单位",
            "请从本单位人员中选择督查组成员",
            "2026年意识形态工作专项督查",
        ] {
            assert!(r.text.contains(words), "{words}");
        }
        let today = zeren_web::today();
        let later = today + chrono::Days::new(30);
        let r = office
            .json(
                &format!("/api/v1/units/{bureau}/inspections"),
                json!({
                    "title": "2026年意识形态工作专项督查",
                    "programme": "special",
                    "starts_on": today.to_string(), "ends_on": later.to_string(),
                    "scope": "units", "units": [first, second],
                    "team": [inspector], "lead": inspector,
                    "items": ["text:意识形态工作是否落实到位"],
                    "free": "阵地管理台账是否齐全"
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let id = r.json()["inspection"]["id"].as_i64().unwrap();
        assert_eq!(
            r.json()["inspection"]["checklist"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(r.json()["units"].as_array().unwrap().len(), 2);

        // A visit with evidence.
        let r = office
            .json(
                &format!("/api/v1/inspections/{id}/visits"),
                json!({ "unit_id": first, "visited_on": today.to_string(), "notes": "查阅台账，座谈",
                        "checks": [{ "item": 0, "result": "problem", "note": "学习记录不全" }],
                        "attachments": [{ "file_name": "走访.txt", "content_base64": "5a2m5Lmg" }] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json()["visits"][0]["files"].as_array().unwrap().len(), 1);

        // A finding: without severities in the policy, a due date must be typed.
        let r = office
            .json(
                &format!("/api/v1/inspections/{id}/findings"),
                json!({ "unit_id": first, "item": 0, "description": "第三季度理论学习无记录" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("请填写"), "{}", r.text);
        // A peer of the inspected units cannot send one (not the inspecting side).
        let r = clerk2
            .json(
                &format!("/api/v1/inspections/{id}/findings"),
                json!({ "unit_id": first, "item": 0, "description": "x", "due": later.to_string() }),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = office
            .json(
                &format!("/api/v1/inspections/{id}/findings"),
                json!({ "unit_id": first, "item": 0, "clause": "每季度至少一次专题学习",
                        "description": "第三季度理论学习无记录", "due": later.to_string(),
                        "attachments": [{ "file_name": "照片.txt", "content_base64": "5a2m5Lmg" }] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let f = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["stage"], "awaiting_commitment");

        // The inspecting side may open an accountability case on it (启动问责), the form filled
        // in from the finding; the inspected school and its peer may not.
        assert!(office
            .get(&format!("/findings/{f}"))
            .await
            .text
            .contains("id=\"open-case\""));
        assert!(!clerk1
            .get(&format!("/findings/{f}"))
            .await
            .text
            .contains("id=\"open-case\""));
        let form = office
            .get(&format!("/accountability/new?source=finding&source_id={f}"))
            .await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text);
        assert!(
            form.text.contains("第三季度理论学习无记录"),
            "{}",
            form.text
        );
        assert_eq!(
            clerk2
                .get(&format!("/accountability/new?source=finding&source_id={f}"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );

        // The school sees it, on 我的工作 too; the peer does not.
        let r = clerk1.get(&format!("/api/v1/findings/{f}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["part"], "unit");
        assert!(clerk1
            .get("/work")
            .await
            .text
            .contains("第三季度理论学习无记录"));
        assert_eq!(
            clerk2.get(&format!("/api/v1/findings/{f}")).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            clerk2.get(&format!("/findings/{f}")).await.status,
            StatusCode::FORBIDDEN
        );
        // The school does not read the bureau's plan.
        assert_eq!(
            clerk1
                .get(&format!("/api/v1/inspections/{id}"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );

        // The school proposes; the bureau returns it once.
        let propose = |measures: &str| {
            json!({ "action": "propose", "kind": "deadline", "measures": measures,
                    "responsible_person_id": teacher, "due": later.to_string() })
        };
        let r = act(&clerk1, f, propose("补开专题学习")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["commitment"]["accepted_by_unit"], true);
        let r = act(&office, f, json!({ "action": "return", "text": "" })).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a reason is needed"
        );
        let r = act(
            &office,
            f,
            json!({ "action": "return", "text": "措施不具体，须明确学习内容" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = act(&office, f, json!({ "action": "accept" })).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("须提出新版本"), "{}", r.text);
        // A stale `seen` is a conflict.
        let r = act(&clerk1, f,
            json!({ "action": "propose", "kind": "deadline", "measures": "x", "responsible_person_id": teacher, "due": later.to_string(), "seen": 1 }),
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let r = act(
            &clerk1,
            f,
            propose("十月底前补开两次专题学习，学习习近平总书记关于意识形态工作的重要论述"),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["commitment"]["version"], 2);
        // The school cannot accept its own version again.
        let r = act(&clerk1, f, json!({ "action": "accept" })).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = act(&office, f, json!({ "action": "accept", "version": 2 })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["finding"]["stage"], "rectifying");
        assert_eq!(r.json()["finding"]["responsible_person_id"], teacher);

        // Progress, then 销号: the page refuses an application without evidence beside the field.
        let r = act(
            &clerk1,
            f,
            json!({ "action": "progress", "text": "已开展第一次专题学习" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let seen = r.json()["seen"].as_i64().unwrap().to_string();
        let r = clerk1
            .multipart(
                &format!("/findings/{f}/act"),
                &[
                    ("action", None, b"apply"),
                    ("seen", None, seen.as_bytes()),
                    ("text", None, "两次专题学习均已完成".as_bytes()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("须附佐证材料"), "{}", r.text);
        assert!(
            r.text.contains("两次专题学习均已完成"),
            "what was typed stays"
        );
        let r = clerk1
            .multipart(
                &format!("/findings/{f}/act"),
                &[
                    ("action", None, b"apply"),
                    ("seen", None, seen.as_bytes()),
                    ("text", None, "两次专题学习均已完成".as_bytes()),
                    ("files", Some("学习记录.txt"), "学习".as_bytes()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        // The bureau's 我的工作 shows it waits for 复查.
        assert!(office.get("/work").await.text.contains("待复查"));
        let r = act(&clerk1, f, json!({ "action": "close", "text": "自行销号" })).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "only the inspecting side closes"
        );
        let r = act(&office, f, json!({ "action": "close", "text": "" })).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a justification is needed"
        );
        let r = act(
            &office,
            f,
            json!({ "action": "close", "text": "经复查，学习记录齐全，同意销号" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["finding"]["stage"], "closed");
        let actions: Vec<String> = r.json()["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            actions,
            [
                "sent",
                "commitment_proposed",
                "commitment_returned",
                "commitment_proposed",
                "commitment_accepted",
                "progress",
                "closure_applied",
                "closed"
            ]
        );
        let r = act(&office, f, json!({ "action": "withdraw", "text": "x" })).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "closed is final"
        );

        // A second finding, at the second school, stays open.
        let r = office
            .json(
                &format!("/api/v1/inspections/{id}/findings"),
                json!({ "unit_id": second, "clause": "阵地管理", "description": "微信公众号未备案", "due": later.to_string() }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let r = office.get(&format!("/api/v1/inspections/{id}")).await;
        assert_eq!(r.json()["completion"]["findings"], 2);
        assert_eq!(r.json()["completion"]["closed"], 1);
        assert_eq!(r.json()["completion"]["rate"], 50.0);
        let page = office.get(&format!("/inspections/{id}")).await;
        assert!(page.text.contains("整改完成率50.0%"), "{}", page.text);
        let dash = office.get(&format!("/units/{bureau}/dashboard")).await;
        assert!(dash.text.contains("督查问题整改情况"));
        let at = dash.text.find("inspections?severity").unwrap();
        assert!(
            dash.text.contains(&format!(
                "/units/{bureau}/inspections?severity=-&#38;age=week#findings"
            )),
            "{}",
            &dash.text[at - 40..at + 80]
        );
        let list = office
            .get(&format!("/units/{bureau}/inspections?severity=-&age=week"))
            .await;
        assert!(
            list.text.contains("微信公众号未备案") && !list.text.contains("第三季度理论学习无记录")
        );

        // The 通报: a Word document whose text carries the rate.
        let r = office
            .get(&format!("/inspections/{id}/bulletin.docx"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.body.clone())).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
            .unwrap();
        assert!(xml.contains("整改完成率50.0%"), "{xml}");
        assert!(xml.contains("河东区第一中学") && xml.contains("100.0%"));
        app.stop().await;
    }
}

async fn act(who: &Client, f: i64, body: serde_json::Value) -> Resp {
    who.json(&format!("/api/v1/findings/{f}/actions"), body)
        .await
}

#[tokio::test]
async fn a_parent_requests_reports_and_tracks_who_submitted() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let bureau = app.setup("bureau", "河东区教体局").await;
        let (first, _) = unit_with_clerk(&app, bureau, "河东区第一中学", "clerk1", "钱校长").await;
        let (second, _) = unit_with_clerk(&app, bureau, "河东区第二中学", "clerk2", "孙校长").await;
        let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        let a = w
            .create_account("office", None, &hash, AdminDuty::None)
            .await
            .unwrap();
        w.set_grant(a.id, bureau, Level::Edit).await.unwrap();
        w.commit().await.unwrap();
        let office = app.login("office").await;
        let clerk1 = app.login("clerk1").await;
        let clerk2 = app.login("clerk2").await;
        let due = (zeren_web::today() + chrono::Days::new(7)).to_string();

        // Refused: a form without fields, a unit that is not directly below.
        let r = office
            .json(
                &format!("/api/v1/units/{bureau}/reports"),
                json!({ "title": "舆情风险排查情况", "template": "form", "due_on": due, "units": [bureau] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text.contains("请逐行填写表单栏目") && r.text.contains("直属下级单位"),
            "{}",
            r.text
        );
        let r = office
            .json(
                &format!("/api/v1/units/{bureau}/reports"),
                json!({ "title": "舆情风险排查情况", "instructions": "请如实填报。", "template": "form",
                        "fields": "排查阵地数\n发现问题数", "due_on": due, "all": true }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let id = r.json()["request"]["id"].as_i64().unwrap();
        assert_eq!(r.json()["units"].as_array().unwrap().len(), 2);
        assert!(r.json()["units"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["status"] == "pending"));

        // The school owes it (我的工作); a peer sees only its own part.
        assert!(clerk1.get("/work").await.text.contains("舆情风险排查情况"));
        let r = clerk2.get(&format!("/api/v1/reports/{id}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["units"].as_array().unwrap().len(), 1);
        assert_eq!(r.json()["units"][0]["unit_id"], second);

        // A field left empty is refused beside it; what was typed stays.
        let r = clerk1
            .multipart(
                &format!("/reports/{id}/submit"),
                &[
                    ("unit_id", None, first.to_string().as_bytes()),
                    ("seen", None, b"0"),
                    ("answer_0", None, b"12"),
                    ("text", None, "已完成排查".as_bytes()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("请填写此栏") && r.text.contains("已完成排查"));
        // The peer cannot submit for the first school.
        let r = clerk2
            .json(
                &format!("/api/v1/reports/{id}/submissions"),
                json!({ "unit_id": first, "answers": ["1", "0"] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let submit = |answers: [&str; 2], seen: i64| json!({ "unit_id": first, "answers": answers, "text": "已完成排查", "seen": seen });
        let r = clerk1
            .json(
                &format!("/api/v1/reports/{id}/submissions"),
                submit(["12", "1"], 0),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let sub = r.json()["units"][0]["submissions"][0]["id"]
            .as_i64()
            .unwrap();
        assert_eq!(r.json()["units"][0]["status"], "waiting");
        // Waiting for 签收: nothing more to submit.
        let r = clerk1
            .json(
                &format!("/api/v1/reports/{id}/submissions"),
                submit(["12", "1"], 1),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Returned once (a reason is needed), then the second version acknowledged.
        let answer = |s: i64, kind: &str, note: &str| json!({ "submission_id": s, "kind": kind, "note": note });
        let r = office
            .json(
                &format!("/api/v1/reports/{id}/answers"),
                answer(sub, "returned", ""),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = office
            .json(
                &format!("/api/v1/reports/{id}/answers"),
                answer(sub, "returned", "问题数与台账不符"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["units"][0]["status"], "returned");
        let r = office
            .json(
                &format!("/api/v1/reports/{id}/answers"),
                answer(sub, "acknowledged", ""),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CONFLICT,
            "each version is answered once"
        );
        assert!(clerk1.get("/work").await.text.contains("已退回"));
        let r = clerk1
            .json(
                &format!("/api/v1/reports/{id}/submissions"),
                submit(["12", "2"], 1),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let sub2 = r.json()["units"][0]["submissions"][1]["id"]
            .as_i64()
            .unwrap();
        let r = office
            .json(
                &format!("/api/v1/reports/{id}/answers"),
                answer(sub2, "acknowledged", "已阅"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["units"][0]["status"], "acknowledged");
        assert_eq!(r.json()["units"][1]["status"], "pending");
        let page = office.get(&format!("/reports/{id}")).await;
        assert!(page.text.contains("问题数与台账不符") && page.text.contains("已签收"));
        let list = office.get(&format!("/units/{bureau}/reports")).await;
        assert!(list.text.contains("已报送 1/2"), "{}", list.text);
        app.stop().await;
    }
}
