//! Issue 17's journey in the browser: a school's incident is closed; its party secretary opens
//! an accountability case from the incident's page, takes it through due process step by step
//! (the preliminary check, the start approved, a team of two, the facts shown, the statement heard
//! and answered, the collective discussion, the decision, its service) and files it with the
//! bureau; the bureau finds the filing waiting and acknowledges it (签收); the 决定书, downloaded,
//! converts in LibreOffice and reads as a decision in 公文 style.

use serde_json::{json, Value};
use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, NewPerson};

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
    assert!(
        s.wait_url("/work").await.ends_with("/work"),
        "{user} signed in"
    );
    s
}

fn hash_of(detail: &Value, report: &str) -> String {
    detail["reports"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|r| r["report"] == json!(report))
        .unwrap()["hash"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_closed_incident_leads_to_a_case_filed_with_the_bureau() {
    if !enabled() {
        return;
    }
    let app = spawn_app(TestDb::sqlite()).await;
    let bureau = app.setup("bureau", "河东区教体局").await;
    let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
    let today = zeren_web::today();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    let school = w
        .create_unit(Some(bureau), "河东区第一中学", "学校")
        .await
        .unwrap()
        .id;
    let text = zeren_policy::packs::get("district-school").unwrap().text;
    let inst = w
        .install_policy(school, "district-school", "1", "实施办法", text, "x")
        .await
        .unwrap();
    w.set_policy_effective_from(inst.id, today - chrono::Duration::days(400))
        .await
        .unwrap();
    let mut ids = Vec::new();
    for (name, unit) in [
        ("王书记", school),
        ("办公室李明", school),
        ("教师赵红", school),
        ("局办周敏", bureau),
    ] {
        ids.push(
            w.create_person(&NewPerson {
                unit_id: unit,
                name: name.into(),
                ..NewPerson::default()
            })
            .await
            .unwrap()
            .id,
        );
    }
    w.assign(
        ids[0],
        school,
        "first_responsible",
        today - chrono::Duration::days(400),
    )
    .await
    .unwrap();
    w.assign(
        ids[2],
        school,
        "sentiment_officer",
        today - chrono::Duration::days(400),
    )
    .await
    .unwrap();
    for (user, person, unit, level) in [
        ("secretary", ids[0], school, Level::Administer),
        ("clerk", ids[1], school, Level::Edit),
        ("office", ids[3], bureau, Level::Edit),
    ] {
        let a = w
            .create_account(user, Some(person), &hash, AdminDuty::None)
            .await
            .unwrap();
        w.set_grant(a.id, unit, level).await.unwrap();
    }
    w.commit().await.unwrap();

    // The incident, reported, handled and closed (through the API, as the clerk).
    let clerk = app.login("clerk").await;
    let known = chrono::Utc::now() - chrono::Duration::days(3);
    let r = clerk
        .json(
            "/api/v1/incidents",
            json!({ "unit_id": school, "level": "major", "title": "公众号发布错误招生信息",
                    "known_at": (known + chrono::Duration::hours(8)).format("%Y-%m-%dT%H:%M").to_string(),
                    "body": "学校公众号发布的招生信息有误，引发家长关注。" }),
        )
        .await;
    assert_eq!(r.status, reqwest::StatusCode::CREATED, "{}", r.text);
    let incident = r.json()["incident"]["id"].as_i64().unwrap();
    let act = |body: Value| {
        let c = &clerk;
        async move {
            let r = c
                .json(&format!("/api/v1/incidents/{incident}/actions"), body)
                .await;
            assert_eq!(r.status, reqwest::StatusCode::OK, "{}", r.text);
            r.json()
        }
    };
    let initial = hash_of(&r.json(), "initial");
    act(json!({ "action": "send", "report": "initial", "hash": initial, "to": [bureau] })).await;
    let r = clerk
        .json(
            &format!("/api/v1/incidents/{incident}/reports"),
            json!({ "report": "final", "body": "已更正并致歉，家长情绪平稳。" }),
        )
        .await;
    assert_eq!(r.status, reqwest::StatusCode::CREATED, "{}", r.text);
    let last = hash_of(&r.json(), "final");
    act(json!({ "action": "send", "report": "final", "hash": last, "to": [bureau] })).await;
    let closed =
        act(json!({ "action": "propose_closure", "summary": "已更正，未造成不良影响" })).await;
    assert_eq!(closed["stage"], json!("closed"), "{closed}");

    let driver = Driver::start().await;
    let s = login(&driver, &app.base, "secretary").await;
    s.goto(&format!("{}/incidents/{incident}", app.base)).await;
    s.wait_for(&["open-case"]).await;
    s.click(&s.find("#open-case").await).await;
    s.wait_for(&["new-case"]).await;
    // The form comes filled from the incident; the secretary names the subject and the
    // circumstance.
    assert!(s
        .script("return document.querySelector('input[name=title]').value")
        .await
        .as_str()
        .unwrap()
        .contains("公众号发布错误招生信息"));
    s.click(
        &s.find(&format!("input[name=subjects][value='person:{}']", ids[2]))
            .await,
    )
    .await;
    s.click(&s.find("input[name=circumstances]").await).await;
    s.screenshot(&shots().join("acc-1-new.png")).await;
    let page = s
        .submit_and_wait(&s.find("#new-case button").await, &["case-stage"])
        .await;
    assert!(page.contains("已立案"), "{page}");

    // Due process, one step at a time; each form appears once the step before it is taken.
    let check = s.find("#check-form textarea[name=text]").await;
    s.type_into(&check, "经初步核实，信息发布前未按规定送审。")
        .await;
    s.submit_and_wait(&s.find("#check-form button").await, &["approve-form"])
        .await;
    s.submit_and_wait(&s.find("#approve-form button").await, &["team-form"])
        .await;
    for p in [ids[0], ids[1]] {
        s.click(
            &s.find(&format!("#team-form input[name=members][value='{p}']"))
                .await,
        )
        .await;
    }
    s.submit_and_wait(&s.find("#team-form button").await, &["facts-form"])
        .await;
    s.submit_and_wait(&s.find("#facts-form button").await, &["statement-form"])
        .await;
    s.type_into(
        &s.find("#statement-form textarea[name=point_1]").await,
        "信息由招生办提供，本人只负责转发。",
    )
    .await;
    s.type_into(
        &s.find("#statement-form input[name=reason_1]").await,
        "发布前未按规定送审，发布人负直接责任。",
    )
    .await;
    s.submit_and_wait(&s.find("#statement-form button").await, &["discuss-form"])
        .await;
    s.type_into(
        &s.find("#discuss-form input[name=meeting]").await,
        "党支部会议（第5次）",
    )
    .await;
    s.submit_and_wait(&s.find("#discuss-form button").await, &["decide-form"])
        .await;
    s.click(
        &s.find("#decide-form input[name=measures][value='约谈']")
            .await,
    )
    .await;
    s.script(
        "document.querySelector('#decide-form select[name=responsibility]').value = 'important'",
    )
    .await;
    s.click(&s.find("#decide-form input[name=no_commendation]").await)
        .await;
    s.screenshot(&shots().join("acc-2-decide.png")).await;
    let page = s
        .submit_and_wait(&s.find("#decide-form button").await, &["serve-form"])
        .await;
    assert!(page.contains("约谈"), "{page}");
    s.submit_and_wait(&s.find("#serve-form button").await, &["file-form"])
        .await;
    let page = s
        .submit_and_wait(&s.find("#file-form button").await, &["filing-state"])
        .await;
    assert!(page.contains("已报备，待上级签收"), "{page}");
    s.screenshot(&shots().join("acc-3-filed.png")).await;
    let case_url = s.url().await;
    let case_id: i64 = case_url
        .split("/accountability/")
        .nth(1)
        .unwrap()
        .split(['#', '?'])
        .next()
        .unwrap()
        .parse()
        .unwrap();
    s.quit().await;

    // The bureau finds the filing waiting for its 签收 and acknowledges it.
    let b = login(&driver, &app.base, "office").await;
    b.goto(&format!("{}/accountability", app.base)).await;
    let list = b.wait_for(&["awaiting"]).await;
    assert!(list.contains("公众号发布错误招生信息"), "{list}");
    b.click(&b.find("#awaiting a").await).await;
    b.wait_for(&["receive-form"]).await;
    let page = b
        .submit_and_wait(&b.find("#receive-form button").await, &["签收于"])
        .await;
    assert!(page.contains("河东区教体局 签收于"), "{page}");
    b.screenshot(&shots().join("acc-4-received.png")).await;
    b.quit().await;

    // The 决定书 as the school downloads it, converted by LibreOffice.
    let c = app.login("secretary").await;
    let r = c
        .get(&format!("/accountability/{case_id}/decisions/0"))
        .await;
    assert_eq!(r.status, reqwest::StatusCode::OK);
    let text = crate::rendered_text("decision", "docx", &r.body);
    for want in [
        "关于对教师赵红予以问责的决定",
        "约谈",
        "重要领导责任",
        "取消",
        "河东区第一中学",
    ] {
        assert!(text.contains(want), "{want} in {text}");
    }
    app.stop().await;
}
