//! Issue 16 over HTTP, with the held-out 网络安全 policy at a school under a district bureau under
//! a city bureau: a 重大 incident reported in the form (a refused form keeps what was typed and
//! suggests the level), refused until it is signed off (签发) by the role the level names, sent to
//! the district, which acknowledges (签收) and relays it to the city — two levels up — while a peer
//! school never sees it; a 较大 incident whose 续报 the district asks for by a time comes late and
//! is 迟报 to the minute, first shown as 漏报 on 我的工作. The incident clock is set, not slept
//! through. On SQLite, and on PostgreSQL when configured.

use chrono::{DateTime, Duration, DurationRound, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, NewPerson};

use crate::helpers::*;

const POLICY: &str = include_str!("../../../zeren-policy/tests/fixtures/network-security.toml");

struct Tree {
    city: i64,
    district: i64,
    school: i64,
}

/// City → district → school (with the 网络安全 policy) and a peer school; accounts linked to
/// people: `officer` (网络安全管理员), `head` (第一责任人), `leader` (分管领导) at the school,
/// `district` and `city` editors of their bureaus, `peer` an editor of the other school.
async fn tree(app: &App) -> Tree {
    let city = app.setup("district-school", "市教育局").await;
    let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    let district = w
        .create_unit(Some(city), "区教育局", "局")
        .await
        .unwrap()
        .id;
    let school = w
        .create_unit(Some(district), "实验中学", "学校")
        .await
        .unwrap()
        .id;
    let peer = w
        .create_unit(Some(district), "第二中学", "学校")
        .await
        .unwrap()
        .id;
    w.install_policy(school, "network-security", "1", "网络安全", POLICY, "x")
        .await
        .unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    for (user, name, unit, role, grant) in [
        ("officer", "网管员", school, Some("security_officer"), None),
        ("head", "校长", school, Some("first_responsible"), None),
        ("leader", "分管校长", school, Some("security_leader"), None),
        ("district", "区局科长", district, None, Some(Level::Edit)),
        ("city", "市局处长", city, None, Some(Level::Edit)),
        ("peer", "二中老师", peer, None, Some(Level::Edit)),
    ] {
        let p = w
            .create_person(&NewPerson {
                unit_id: unit,
                name: name.into(),
                ..NewPerson::default()
            })
            .await
            .unwrap();
        if let Some(role) = role {
            w.assign(p.id, unit, role, start).await.unwrap();
        }
        let a = w
            .create_account(user, Some(p.id), &hash, AdminDuty::None)
            .await
            .unwrap();
        if let Some(level) = grant {
            w.set_grant(a.id, unit, level).await.unwrap();
        }
    }
    w.commit().await.unwrap();
    Tree {
        city,
        district,
        school,
    }
}

fn china(t: DateTime<Utc>) -> String {
    (t + Duration::hours(8))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// Now, to the minute: the incident clock is pinned here.
fn minute_now() -> DateTime<Utc> {
    Utc::now().duration_trunc(Duration::minutes(1)).unwrap()
}

async fn detail(c: &Client, id: i64) -> Value {
    let r = c.get(&format!("/api/v1/incidents/{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()
}

fn draft_hash(d: &Value, report: &str) -> String {
    d["reports"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|v| v["report"] == report)
        .unwrap()["hash"]
        .as_str()
        .unwrap()
        .to_string()
}

fn clock<'a>(d: &'a Value, kind: &str) -> &'a Value {
    d["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clock"] == kind)
        .unwrap_or_else(|| panic!("no {kind} clock in {}", d["clocks"]))
}

async fn act(c: &Client, id: i64, body: Value) -> Resp {
    c.json(&format!("/api/v1/incidents/{id}/actions"), body)
        .await
}

#[tokio::test]
async fn a_major_incident_is_signed_off_before_it_leaves_and_goes_two_levels_up() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let t = tree(&app).await;
        let t0 = minute_now();
        app.state.set_incident_clock_for_tests(Some(t0));
        let officer = app.login("officer").await;
        let head = app.login("head").await;
        let district = app.login("district").await;
        let city = app.login("city").await;
        let peer = app.login("peer").await;

        // The form is reachable from the navigation; the level is left to the reporter, who
        // forgot it: the form comes back with what was typed and the level the figures suggest.
        let list = officer.get("/incidents").await;
        assert!(
            list.text.contains("href=\"/incidents/new\""),
            "{}",
            list.text
        );
        let form = officer.get("/incidents/new").await;
        assert!(form.text.contains("重大网络安全事件"), "{}", form.text);
        let known = china(t0 - Duration::minutes(10));
        let mut fields: Vec<(&str, Option<&str>, &[u8])> = vec![
            ("unit_id", None, b""),
            ("title", None, "门户网站遭篡改".as_bytes()),
            ("kind", None, b"cyber_attack"),
            ("place", None, "信息中心".as_bytes()),
            ("known_at", None, known.as_bytes()),
            ("fact_affected_users", None, b"20000000"),
            ("body", None, "首页被植入非法链接".as_bytes()),
            ("measures", None, "已断网".as_bytes()),
            ("files", Some("截图.png"), b"\x89PNG"),
        ];
        let school = t.school.to_string();
        fields[0].2 = school.as_bytes();
        let r = officer.multipart("/incidents", &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("建议为“重大网络安全事件”"), "{}", r.text);
        assert!(r.text.contains("门户网站遭篡改"), "kept: {}", r.text);
        assert!(r.text.contains("首页被植入非法链接"), "kept: {}", r.text);
        fields.push(("level", None, b"major"));
        let r = officer.multipart("/incidents", &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let id = r.location_id();
        let d = detail(&officer, id).await;
        assert_eq!(d["incident"]["suggested_level_id"], "major");
        let hash = draft_hash(&d, "initial");

        // 签发 first: the API and the page refuse to send, and only the 第一责任人 signs off.
        let r = act(
            &officer,
            id,
            json!({ "action": "send", "report": "initial", "hash": hash, "to": [t.district] }),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("须经签发"), "{}", r.text);
        let r = officer
            .form(
                &format!("/incidents/{id}/act"),
                &[
                    ("action", "send"),
                    ("report", "initial"),
                    ("hash", &hash),
                    ("to", &t.district.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("报告须经签发后才能报出"), "{}", r.text);
        let r = act(
            &officer,
            id,
            json!({ "action": "sign_off", "report": "initial", "hash": hash }),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let page = head.get(&format!("/incidents/{id}")).await;
        assert!(page.text.contains("签发（第一责任人）"), "{}", page.text);
        let r = head
            .form(
                &format!("/incidents/{id}/act"),
                &[
                    ("action", "sign_off"),
                    ("report", "initial"),
                    ("hash", &hash),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);

        // Sent at t0 + 20 min to the district; the district must pass it on within an hour.
        app.state
            .set_incident_clock_for_tests(Some(t0 + Duration::minutes(20)));
        let r = officer
            .form(
                &format!("/incidents/{id}/act"),
                &[
                    ("action", "send"),
                    ("report", "initial"),
                    ("hash", &hash),
                    ("to", &t.district.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let d = detail(&officer, id).await;
        let first = clock(&d, "first_report");
        assert_eq!(
            (first["state"].as_str(), first["to_unit_id"].as_i64()),
            (Some("on_time"), Some(t.district))
        );
        let relay = clock(&d, "relay");
        assert_eq!(relay["unit_id"], t.district);
        assert_eq!(relay["to_unit_id"], t.city);
        assert_eq!(relay["state"], "pending");
        assert_eq!(relay["minutes"], 60);

        // A peer school never sees it.
        assert_eq!(
            peer.get(&format!("/incidents/{id}")).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            peer.get(&format!("/api/v1/incidents/{id}")).await.status,
            StatusCode::FORBIDDEN
        );
        assert!(!peer.get("/incidents").await.text.contains("门户网站遭篡改"));

        // The district finds it waiting for its 签收, acknowledges and relays it; the city too.
        app.state
            .set_incident_clock_for_tests(Some(t0 + Duration::minutes(35)));
        let list = district.get("/incidents").await;
        assert!(list.text.contains("待签收的事件报告"), "{}", list.text);
        let work = district.get("/work").await;
        assert!(work.text.contains("待签收的突发事件报告"), "{}", work.text);
        // The notices scan tells the district's editors at once, in their quiet hours too: a
        // report waiting for 签收 is urgent. (The same notice, not urgent, would wait.)
        {
            use zeren_store::notify::{Channel, NotifyPrefs};
            use zeren_store::notify_scan::{waiting_messages, ScanSettings};
            let waiting = zeren_store::waiting::everything_waiting(&app.store, zeren_web::today())
                .await
                .unwrap();
            let item = waiting
                .iter()
                .find(|w| w.source == "incident_receipt" && w.link == format!("/incidents/{id}"))
                .expect("the report waits for the district's 签收");
            assert!(item.urgent && item.unit_id == t.district && !item.people.is_empty());
            let now = zeren_store::now();
            let local = zeren_core::notify::china(now);
            let quiet = format!(
                "{}-{}",
                (local - Duration::hours(1)).format("%H:%M"),
                (local + Duration::hours(1)).format("%H:%M")
            );
            let mut w = app.store.write(&Actor::system()).await.unwrap();
            w.set_notify_prefs(&NotifyPrefs {
                person_id: item.people[0],
                email: "ke@district.example".into(),
                by_email: true,
                quiet_hours: quiet,
            })
            .await
            .unwrap();
            w.commit().await.unwrap();
            let s = ScanSettings::defaults(zeren_web::today(), now);
            let email = |msgs: Vec<zeren_store::notify::NewDelivery>| {
                msgs.into_iter()
                    .find(|m| m.channel == Channel::Email)
                    .expect("by e-mail as chosen")
            };
            let urgent = email(
                waiting_messages(&app.store, &s, std::slice::from_ref(item))
                    .await
                    .unwrap(),
            );
            assert!(urgent.urgent);
            assert_eq!(urgent.not_before, now, "urgent: not held back");
            let calm = zeren_store::waiting::WaitingItem {
                urgent: false,
                ..item.clone()
            };
            let held = email(waiting_messages(&app.store, &s, &[calm]).await.unwrap());
            assert!(
                held.not_before > now + Duration::minutes(59),
                "held until the quiet hours end"
            );
        }
        let page = district.get(&format!("/incidents/{id}")).await;
        assert!(
            page.text.contains("id=\"receive-initial\""),
            "{}",
            page.text
        );
        let r = district
            .form(
                &format!("/incidents/{id}/act"),
                &[("action", "receive"), ("report", "initial")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let r = act(
            &district,
            id,
            json!({ "action": "relay", "report": "initial" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(clock(&r.json(), "relay")["state"], "on_time");
        let r = act(
            &city,
            id,
            json!({ "action": "receive", "report": "initial" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let page = city.get(&format!("/incidents/{id}")).await;
        assert!(page.text.contains("签收：区教育局"), "{}", page.text);
        assert!(page.text.contains("签收：市教育局"), "{}", page.text);
        assert!(page.text.contains("截图.png"), "{}", page.text);
        // The city acts as the city: it cannot acknowledge twice.
        let r = act(
            &city,
            id,
            json!({ "action": "receive", "report": "initial" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        app.stop().await;
    }
}

#[tokio::test]
async fn a_follow_up_asked_for_by_a_time_and_sent_late_is_late_to_the_minute() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let t = tree(&app).await;
        let t0 = minute_now();
        app.state.set_incident_clock_for_tests(Some(t0));
        let officer = app.login("officer").await;
        let leader = app.login("leader").await;
        let district = app.login("district").await;

        let r = officer
            .json(
                "/api/v1/incidents",
                json!({ "unit_id": t.school, "kind": "outage", "level": "large", "title": "校园网中断",
                        "known_at": china(t0 - Duration::minutes(30)), "facts": { "outage_hours": 7 },
                        "body": "校园网全部中断", "measures": "启动应急预案" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let d = r.json();
        let id = d["incident"]["id"].as_i64().unwrap();
        assert_eq!(d["recipients"], json!([t.district]));
        let hash = draft_hash(&d, "initial");
        let r = act(
            &leader,
            id,
            json!({ "action": "sign_off", "report": "initial", "hash": hash }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = act(
            &officer,
            id,
            json!({ "action": "send", "report": "initial", "hash": hash, "to": [t.district] }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = act(
            &district,
            id,
            json!({ "action": "receive", "report": "initial" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        // A deadline in the past is refused beside its field; then 续报 within two hours.
        let r = district
            .form(
                &format!("/incidents/{id}/act"),
                &[
                    ("action", "request_follow_up"),
                    ("due", &china(t0 - Duration::hours(1))),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("时限须晚于当前时间"), "{}", r.text);
        let due = t0 + Duration::hours(2);
        let r = district
            .form(
                &format!("/incidents/{id}/act"),
                &[("action", "request_follow_up"), ("due", &china(due))],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let c = clock(&detail(&officer, id).await, "requested_follow_up").clone();
        assert_eq!(
            (c["state"].as_str(), c["minutes"].as_i64()),
            (Some("pending"), Some(120))
        );
        let work = officer.get("/work").await;
        assert!(work.text.contains("剩余2小时"), "{}", work.text);

        // 13 minutes past the deadline nothing came: 漏报 on 我的工作 and the page.
        app.state
            .set_incident_clock_for_tests(Some(due + Duration::minutes(13)));
        let work = officer.get("/work").await;
        assert!(work.text.contains("漏报（已超时13分钟）"), "{}", work.text);
        let r = officer
            .json(
                &format!("/api/v1/incidents/{id}/reports"),
                json!({ "report": "follow_up_1", "body": "已恢复八成", "measures": "更换核心交换机" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let hash = draft_hash(&r.json(), "follow_up_1");
        let r = act(
            &leader,
            id,
            json!({ "action": "sign_off", "report": "follow_up_1", "hash": hash }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = act(
            &officer,
            id,
            json!({ "action": "send", "report": "follow_up_1", "hash": hash, "to": [t.district] }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let c = clock(&r.json(), "requested_follow_up").clone();
        assert_eq!(
            (c["state"].as_str(), c["minutes"].as_i64()),
            (Some("late"), Some(13))
        );
        assert_eq!(c["state_zh"], "迟报13分钟");
        let page = district.get(&format!("/incidents/{id}")).await;
        assert!(page.text.contains("迟报13分钟"), "{}", page.text);
        assert!(!officer.get("/work").await.text.contains("漏报"));
        app.stop().await;
    }
}

#[tokio::test]
async fn the_district_raises_the_level_instructs_and_reviews_the_closure() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let t = tree(&app).await;
        let t0 = minute_now();
        app.state.set_incident_clock_for_tests(Some(t0));
        let officer = app.login("officer").await;
        let leader = app.login("leader").await;
        let head = app.login("head").await;
        let district = app.login("district").await;

        let r = officer
            .json(
                "/api/v1/incidents",
                json!({ "unit_id": t.school, "kind": "data_breach", "level": "large", "title": "学生信息疑似泄露",
                        "known_at": china(t0 - Duration::minutes(20)), "body": "发现学生名单被外传" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let id = r.json()["incident"]["id"].as_i64().unwrap();
        // Phoned through first (the clock is met), the written 初报 after 签发.
        let r = act(
            &officer,
            id,
            json!({ "action": "phone", "to": [t.district], "at": china(t0 - Duration::minutes(10)) }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let d = r.json();
        assert_eq!(clock(&d, "first_report")["state"], "on_time");
        let hash = draft_hash(&d, "initial");
        for (who, action) in [(&leader, "sign_off"), (&officer, "send")] {
            let r = act(
                who,
                id,
                json!({ "action": action, "report": "initial", "hash": hash, "to": [t.district] }),
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        }
        let r = act(
            &district,
            id,
            json!({ "action": "receive", "report": "initial" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);

        // The district raises it to 重大: from now it must go on to the city within the hour.
        app.state
            .set_incident_clock_for_tests(Some(t0 + Duration::minutes(30)));
        let r = act(
            &district,
            id,
            json!({ "action": "raise_level", "level": "general", "text": "降级" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let r = act(
            &district,
            id,
            json!({ "action": "raise_level", "level": "major", "text": "涉及学生人数较多" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let d = r.json();
        assert_eq!(d["level_id"], "major");
        let relay = clock(&d, "relay");
        assert_eq!(
            (relay["unit_id"].as_i64(), relay["to_unit_id"].as_i64()),
            (Some(t.district), Some(t.city))
        );
        let r = act(
            &district,
            id,
            json!({ "action": "instruct", "text": "请立即固定证据，通知受影响家长" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        // The school cannot relay or instruct; the district cannot write the school's log.
        let r = act(&officer, id, json!({ "action": "instruct", "text": "x" })).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let r = act(&district, id, json!({ "action": "log", "text": "x" })).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);

        // Closure needs the 终报 and the handling the level requires.
        let r = act(
            &officer,
            id,
            json!({ "action": "propose_closure", "summary": "已处置" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("办结前须报送终报"), "{}", r.text);
        for (i, text) in ["已启动应急预案", "已保存日志和截图"].iter().enumerate() {
            let r = act(
                &officer,
                id,
                json!({ "action": "log", "text": text, "handling": i }),
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        }
        let r = act(&officer, id, json!({ "action": "end_handling" })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(clock(&r.json(), "final_report")["state"], "pending");
        let r = officer
            .json(
                &format!("/api/v1/incidents/{id}/reports"),
                json!({ "report": "final", "body": "已查明原因并整改" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let hash = draft_hash(&r.json(), "final");
        // 重大 is signed off by the 第一责任人 now, not the 分管领导.
        let r = act(
            &leader,
            id,
            json!({ "action": "sign_off", "report": "final", "hash": hash }),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        for (who, action) in [(&head, "sign_off"), (&officer, "send")] {
            let r = act(
                who,
                id,
                json!({ "action": action, "report": "final", "hash": hash, "to": [t.district] }),
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        }
        let r = act(
            &officer,
            id,
            json!({ "action": "propose_closure", "summary": "已处置完毕", "lessons": "加强数据管理" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["stage"], "closure_in_review");
        // The school cannot close it itself; the district returns it, then accepts it.
        let r = act(&officer, id, json!({ "action": "accept_closure" })).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let r = district
            .form(
                &format!("/incidents/{id}/act"),
                &[("action", "return_closure"), ("text", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("请填写内容"), "{}", r.text);
        let r = act(
            &district,
            id,
            json!({ "action": "return_closure", "text": "请补充整改情况" }),
        )
        .await;
        assert_eq!(r.json()["stage"], "open");
        let r = act(
            &officer,
            id,
            json!({ "action": "propose_closure", "summary": "已处置完毕，整改已落实" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let page = district.get(&format!("/incidents/{id}")).await;
        assert!(page.text.contains("id=\"review-form\""), "{}", page.text);
        let r = district
            .form(
                &format!("/incidents/{id}/act"),
                &[("action", "accept_closure"), ("text", "同意办结")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let d = detail(&district, id).await;
        assert_eq!(d["stage"], "closed");
        let page = officer.get(&format!("/incidents/{id}")).await;
        for text in [
            "已办结",
            "批示：请立即固定证据",
            "调整级别为重大网络安全事件",
            "办结审核退回：请补充整改情况",
        ] {
            assert!(page.text.contains(text), "{text}: {}", page.text);
        }
        let listed = officer
            .get(&format!("/api/v1/incidents?unit={}&open=false", t.school))
            .await;
        assert_eq!(listed.json()[0]["incident"]["id"], id);
        app.stop().await;
    }
}

#[tokio::test]
async fn statistics_count_the_subtree_by_kind_level_unit_and_month_with_missed_reports() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let t = tree(&app).await;
        let t0 = minute_now();
        app.state.set_incident_clock_for_tests(Some(t0));
        let officer = app.login("officer").await;
        let leader = app.login("leader").await;
        let district = app.login("district").await;
        let city = app.login("city").await;
        let peer = app.login("peer").await;

        // A 较大 outage, reported 30 minutes after it became known; the district then asks for a
        // 续报 in two hours that never comes (漏报).
        let known = t0 - Duration::minutes(30);
        let r = officer
            .json(
                "/api/v1/incidents",
                json!({ "unit_id": t.school, "kind": "outage", "level": "large", "title": "校园网中断",
                        "known_at": china(known), "body": "校园网全部中断" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let id = r.json()["incident"]["id"].as_i64().unwrap();
        let hash = draft_hash(&r.json(), "initial");
        for (c, body) in [
            (
                &leader,
                json!({ "action": "sign_off", "report": "initial", "hash": hash }),
            ),
            (
                &officer,
                json!({ "action": "send", "report": "initial", "hash": hash, "to": [t.district] }),
            ),
        ] {
            let r = act(c, id, body).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        }
        let due = t0 + Duration::hours(2);
        let r = act(
            &district,
            id,
            json!({ "action": "receive", "report": "initial" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = act(
            &district,
            id,
            json!({ "action": "request_follow_up", "due": china(due) }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        // A 一般 data incident, drafted and not yet reported (its level has no clock).
        let r = officer
            .json(
                "/api/v1/incidents",
                json!({ "unit_id": t.school, "kind": "data_breach", "level": "general", "title": "学籍数据误发",
                        "known_at": china(t0 - Duration::minutes(10)), "body": "误发至家长群" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        app.state
            .set_incident_clock_for_tests(Some(due + Duration::minutes(13)));

        let year = (known + Duration::hours(8)).format("%Y").to_string();
        let month = (known + Duration::hours(8)).format("%-m").to_string();
        let r = district
            .get(&format!(
                "/api/v1/units/{}/incident-statistics?year={year}",
                t.district
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let s = r.json();
        let total = &s["total"];
        assert_eq!(
            [
                &total["count"],
                &total["open"],
                &total["late"],
                &total["missing"],
                &total["reported"]
            ],
            [&json!(2), &json!(2), &json!(0), &json!(1), &json!(1)],
            "{s}"
        );
        assert_eq!(total["median_minutes"], json!(30.0));
        assert_eq!(total["p90_minutes"], json!(30.0));
        assert_eq!(s["by_unit"].as_array().unwrap().len(), 1);
        assert_eq!(s["by_unit"][0]["key"], t.school.to_string());
        assert_eq!(s["by_unit"][0]["title"], "实验中学");
        let levels: Vec<&str> = s["by_level"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["title"].as_str().unwrap())
            .collect();
        assert_eq!(
            levels,
            ["较大网络安全事件", "一般网络安全事件"],
            "most severe first"
        );
        let kinds: Vec<&str> = s["by_kind"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["title"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["数据安全事件", "信息系统故障"], "ties by id");
        let m: usize = month.parse().unwrap();
        assert_eq!(s["by_month"].as_array().unwrap().len(), 12);
        assert_eq!(s["by_month"][m - 1]["count"], 2);

        // The city counts them under the district below it.
        let s = city
            .get(&format!(
                "/api/v1/units/{}/incident-statistics?year={year}",
                t.city
            ))
            .await
            .json();
        assert_eq!(s["by_unit"][0]["title"], "区教育局");
        assert_eq!(s["total"]["count"], 2);
        // Another year counts nothing.
        let s = city
            .get(&format!(
                "/api/v1/units/{}/incident-statistics?year=2001",
                t.city
            ))
            .await
            .json();
        assert_eq!(s["total"]["count"], 0);

        // A peer school reads neither the school's nor the district's.
        for unit in [t.school, t.district] {
            for path in [
                format!("/api/v1/units/{unit}/incident-statistics"),
                format!("/units/{unit}/incident-statistics"),
                format!("/units/{unit}/incident-statistics.xlsx"),
            ] {
                assert_eq!(
                    peer.get(&path).await.status,
                    StatusCode::FORBIDDEN,
                    "{path}"
                );
            }
        }

        // The page: the numbers, the chart, and the drill-down to the missed report.
        let list = district.get("/incidents").await;
        assert!(list
            .text
            .contains(&format!("/units/{}/incident-statistics", t.district)));
        let page = district
            .get(&format!(
                "/units/{}/incident-statistics?year={year}",
                t.district
            ))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("突发事件统计") && page.text.contains("<svg"));
        assert!(page.text.contains("30分钟"), "median to first report");
        assert!(page.text.contains("&amp;flag=missing#listed"));
        let drill = district
            .get(&format!(
                "/units/{}/incident-statistics?year={year}&flag=missing",
                t.district
            ))
            .await;
        assert!(drill.text.contains("校园网中断"), "{}", drill.text);
        assert!(!drill.text.contains("学籍数据误发"));
        let drill = district
            .get(&format!(
                "/units/{}/incident-statistics?year={year}&kind=data_breach",
                t.district
            ))
            .await;
        assert!(drill.text.contains("学籍数据误发") && !drill.text.contains("校园网中断"));
        for bad in ["flag=sometimes", "month=13", "year=1999"] {
            let r = district
                .get(&format!("/units/{}/incident-statistics?{bad}", t.district))
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        }

        // The workbook.
        let x = district
            .get(&format!(
                "/units/{}/incident-statistics.xlsx?year={year}",
                t.district
            ))
            .await;
        assert_eq!(x.status, StatusCode::OK);
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(x.body.clone())).unwrap();
        let mut shared = String::new();
        std::io::Read::read_to_string(&mut z.by_name("xl/sharedStrings.xml").unwrap(), &mut shared)
            .unwrap();
        assert!(
            shared.contains("事件清单")
                && shared.contains("信息系统故障")
                && shared.contains("校园网中断"),
            "{shared}"
        );
        app.stop().await;
    }
}
