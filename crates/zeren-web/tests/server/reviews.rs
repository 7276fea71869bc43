//! Issue 6 over HTTP: a publicity officer submits a scholarship list whose XLSX carries a resident
//! ID number; the scan flags it; the first reviewer returns it; the masked version passes three
//! steps (the third because it is major); it is marked published and its registration form shows
//! the whole trail. The API refuses self-approval, a missing checklist, a stale version and a
//! decision without its risk assessment; two reviewers deciding at once record one decision.
//! On SQLite, and on PostgreSQL when configured.

use std::io::Read as _;

use reqwest::StatusCode;
use serde_json::{json, Value};
use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, NewPerson, Read};

use crate::helpers::*;

/// The bureau pack with its third publication step only for major items; the 分管领导
/// (publication_leader) confirms 解密/定密 decisions, the 科室负责人 may 转交 steps, and published
/// URLs must be on the channel's own domain.
pub(crate) fn policy_text() -> String {
    let text = zeren_policy::packs::get("bureau").unwrap().text;
    let step = "title = \"分管领导许可发布\"\nrole = \"publication_leader\"\n";
    assert!(text.contains(step));
    let wf = "[workflows.publication]\n";
    assert!(text.contains(wf) && text.contains("[channels]\n"));
    let named = "declassified_by = \"publication_leader\"\nreassigned_by = \"publication_department_head\"\n";
    text.replacen(step, &format!("{step}when = \"major\"\n"), 1)
        .replacen(wf, &format!("{wf}{named}"), 1)
        .replacen("[channels]\n", "[channels]\nrestrict_urls = true\n", 1)
}

pub(crate) struct Office {
    pub unit: i64,
    /// The unit's website (a publication needs its channel).
    pub channel: i64,
    /// officer, reviewer, reviewer2, head, leader
    pub people: Vec<i64>,
}

const NAMES: [(&str, &str, Option<&str>, Level); 5] = [
    ("officer", "宣传干事", None, Level::Edit),
    (
        "reviewer",
        "审查员甲",
        Some("publication_reviewer"),
        Level::Read,
    ),
    (
        "reviewer2",
        "审查员乙",
        Some("publication_reviewer"),
        Level::Read,
    ),
    (
        "head",
        "科室负责人",
        Some("publication_department_head"),
        Level::Read,
    ),
    (
        "leader",
        "分管领导",
        Some("publication_leader"),
        Level::Read,
    ),
];

pub(crate) async fn office(app: &App) -> Office {
    let top = app.setup("bureau", "市卫健委").await;
    let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    let text = policy_text();
    w.install_policy(top, "bureau", "2", "网络意识形态工作责任制", &text, "x")
        .await
        .unwrap();
    let mut people = Vec::new();
    for (user, name, role, level) in NAMES {
        let p = w
            .create_person(&NewPerson {
                unit_id: top,
                name: name.into(),
                ..NewPerson::default()
            })
            .await
            .unwrap();
        if let Some(role) = role {
            w.assign(
                p.id,
                top,
                role,
                chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            )
            .await
            .unwrap();
        }
        let a = w
            .create_account(user, Some(p.id), &hash, AdminDuty::None)
            .await
            .unwrap();
        w.set_grant(a.id, top, level).await.unwrap();
        people.push(p.id);
    }
    w.commit().await.unwrap();
    let channel = channel_at(app, top, Some(people[0])).await;
    Office {
        unit: top,
        channel,
        people,
    }
}

/// A website registered at `unit`, straight in the store.
pub(crate) async fn channel_at(app: &App, unit: i64, responsible: Option<i64>) -> i64 {
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    let c = w
        .create_channel(&zeren_store::reviews::NewChannel {
            unit_id: unit,
            kind: "website".into(),
            name: "门户网站".into(),
            locator: "https://www.example.gov.cn".into(),
            responsible_person_id: responsible,
            ..Default::default()
        })
        .await
        .unwrap();
    w.commit().await.unwrap();
    c.id
}

fn workbook(id: &str) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["姓名", "学院", "身份证号", "奖学金"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["张三", "医学院", id, "一等"].iter().enumerate() {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

pub(crate) async fn detail(c: &Client, id: i64) -> Value {
    let r = c.get(&format!("/api/v1/reviews/{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()
}

pub(crate) fn current_hash(d: &Value) -> String {
    d["versions"].as_array().unwrap().last().unwrap()["hash"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Approves through the page's form, ticking every checklist item.
pub(crate) async fn approve_form(c: &Client, id: i64, extra: &[(&str, &str)]) -> Resp {
    let d = detail(c, id).await;
    let hash = current_hash(&d);
    let seq = d["seen"].to_string();
    let mut fields = vec![
        ("decision", "approve"),
        ("hash", hash.as_str()),
        ("seq", seq.as_str()),
        ("check_0", "1"),
        ("check_1", "1"),
        ("check_2", "1"),
        ("comment", "同意发布"),
    ];
    fields.extend_from_slice(extra);
    c.form(&format!("/reviews/{id}/decide"), &fields).await
}

pub(crate) fn unzip(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[tokio::test]
async fn a_scholarship_list_is_scanned_returned_masked_approved_and_published() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let o = office(&app).await;
        let officer = app.login("officer").await;
        let reviewer = app.login("reviewer").await;
        let head = app.login("head").await;
        let leader = app.login("leader").await;

        // A channel to publish on.
        let r = officer
            .form(
                &format!("/units/{}/channels", o.unit),
                &[
                    ("kind", "website"),
                    ("name", "门户网站"),
                    ("locator", "https://wjw.example.gov.cn"),
                    ("responsible_person_id", &o.people[0].to_string()),
                    ("filed_on", "2025-03-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let channels = officer
            .get(&format!("/api/v1/channels?unit={}", o.unit))
            .await
            .json();
        let channel = channels
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["locator"] == "https://wjw.example.gov.cn")
            .unwrap()["id"]
            .as_i64()
            .unwrap()
            .to_string();
        let page = officer.get(&format!("/units/{}/channels", o.unit)).await;
        assert!(page.text.contains("门户网站"), "{}", page.text);

        // Submitted with the list as XLSX: the scan flags the resident ID number.
        let id_number = resident_id(7);
        let r = officer
            .multipart(
                &format!("/units/{}/reviews", o.unit),
                &[
                    ("workflow", None, b"publication"),
                    ("channel_id", None, channel.as_bytes()),
                    ("title", None, "2026年度奖学金获得者名单公示".as_bytes()),
                    ("body", None, "现将获奖名单公示如下。".as_bytes()),
                    ("major", None, b"1"),
                    ("files", Some("名单.xlsx"), &workbook(&id_number)),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let id = r.location_id();
        let page = officer.get(&format!("/reviews/{id}")).await;
        assert!(page.text.contains("居民身份证号"), "{}", page.text);
        assert!(
            !page.text.contains(&id_number),
            "the page shows the masked value only"
        );
        let d = detail(&officer, id).await;
        let finding = &d["versions"][0]["findings"][0];
        assert_eq!(finding["kind"], "cn_resident_id");
        let masked = finding["masked"].as_str().unwrap().to_string();
        assert!(masked.contains('*'));
        assert!(page.text.contains(&masked));
        assert_eq!(d["stage"], "in_review");

        // Waiting for the first reviewer, on the work page and in the list.
        let work = reviewer.get("/work").await;
        assert!(
            work.text.contains("2026年度奖学金获得者名单公示"),
            "{}",
            work.text
        );
        assert!(reviewer
            .get("/reviews/waiting")
            .await
            .text
            .contains(">1</b>"));
        assert_eq!(head.get("/reviews/waiting").await.text, "");
        let waiting = reviewer.get("/api/v1/reviews?waiting=me").await.json();
        assert_eq!(waiting.as_array().unwrap().len(), 1);
        assert!(head
            .get("/api/v1/reviews?waiting=me")
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty());

        // Approval is blocked by the finding; the reviewer returns it.
        let r = approve_form(&reviewer, id, &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("须说明可以公开的依据"), "{}", r.text);
        let d = detail(&reviewer, id).await;
        let r = reviewer
            .form(
                &format!("/reviews/{id}/decide"),
                &[
                    ("decision", "return"),
                    ("hash", &current_hash(&d)),
                    ("seq", &d["seen"].to_string()),
                    ("comment", "身份证号须脱敏后再发布"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(detail(&officer, id).await["stage"], "returned");

        // The officer uploads the masked list: a new version, scanned clean, review from step 1.
        let r = officer
            .multipart(
                &format!("/reviews/{id}/versions"),
                &[
                    ("version", None, b"1"),
                    ("title", None, "2026年度奖学金获得者名单公示".as_bytes()),
                    ("body", None, "现将获奖名单公示如下。".as_bytes()),
                    ("files", Some("名单（脱敏）.xlsx"), &workbook(&masked)),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let d = detail(&officer, id).await;
        assert_eq!(d["item"]["current_version"], 2);
        assert_eq!(d["versions"][1]["blocking"], 0, "{}", d["versions"][1]);
        assert_eq!(d["step"], 0);

        // Three steps approve: the third applies because the item is major.
        for (c, step) in [(&reviewer, 1), (&head, 2)] {
            let r = approve_form(c, id, &[]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
            assert_eq!(detail(&officer, id).await["step"], step);
        }
        let r = officer
            .form(&format!("/reviews/{id}/publish"), &[("url", "https://x")])
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "not yet approved"
        );
        let r = approve_form(&leader, id, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(detail(&officer, id).await["stage"], "approved");

        let url = "https://wjw.example.gov.cn/tzgg/2026/0601.html";
        let r = officer
            .form(
                &format!("/reviews/{id}/publish"),
                &[("url", url), ("published_at", "2026-06-01T10:30")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let page = officer.get(&format!("/reviews/{id}")).await;
        assert!(page.text.contains("已发布") && page.text.contains(&format!("<a href=\"{url}\"")));

        // The registration form carries the whole trail.
        let r = officer
            .get(&format!("/reviews/{id}/registration.docx"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let doc = unzip(&r.body, "word/document.xml");
        for want in [
            "登记表",
            "2026年度奖学金获得者名单公示",
            "门户网站",
            "宣传干事",
            "审查员甲",
            "退回修改",
            "身份证号须脱敏后再发布",
            "科室负责人",
            "分管领导",
            "上网信息有无涉密问题✓",
            url,
        ] {
            assert!(doc.contains(want), "{want} in the registration form");
        }
        assert_eq!(doc.matches("审核通过").count(), 3);
        let api = officer
            .get(&format!("/api/v1/reviews/{id}/registration.docx"))
            .await;
        assert_eq!(api.status, StatusCode::OK);

        // Nobody else's business: another unit's editor cannot see it.
        let list = officer.get("/reviews?stage=published").await;
        assert!(list.text.contains("2026年度奖学金获得者名单公示"));
        app.stop().await;
    }
}

#[tokio::test]
async fn the_server_refuses_what_the_rules_forbid() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let o = office(&app).await;
        let officer = app.login("officer").await;
        let reviewer = app.login("reviewer").await;
        let head = app.login("head").await;
        let r = officer
            .json(
                "/api/v1/reviews",
                json!({ "unit_id": o.unit, "channel_id": o.channel, "workflow": "publication", "title": "值班安排", "body": "五一值班安排" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let d = r.json();
        let id = d["item"]["id"].as_i64().unwrap();
        let hash = current_hash(&d);
        assert_eq!(d["checklist"].as_array().unwrap().len(), 3);
        let decide = |c: &Client, body: Value| {
            let c = c.clone();
            async move {
                c.json(&format!("/api/v1/reviews/{id}/decisions"), body)
                    .await
            }
        };
        let all = json!([true, true, true]);

        // Self-approval.
        let r = decide(
            &officer,
            json!({ "decision": "approve", "hash": hash, "checklist": all }),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json()["message"]
            .as_str()
            .unwrap()
            .contains("不能审核本人提交的事项"));
        // Not this step's reviewer.
        let r = decide(
            &head,
            json!({ "decision": "approve", "hash": hash, "checklist": all }),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("您不是当前步骤的审核人"));
        // Without the whole checklist.
        for checklist in [json!([true, false, true]), json!([]), json!([true, true])] {
            let r = decide(
                &reviewer,
                json!({ "decision": "approve", "hash": hash, "checklist": checklist }),
            )
            .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
            assert!(r.text.contains("请逐项确认"), "{}", r.text);
        }
        // A return needs a comment.
        let r = decide(&reviewer, json!({ "decision": "return", "hash": hash })).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // A stale version: the officer edits while the reviewer looks at version 1.
        let r = officer
            .json(
                &format!("/api/v1/reviews/{id}/versions"),
                json!({ "version": 1, "title": "值班安排（修订）", "body": "五一值班安排，含联系人" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let r = decide(
            &reviewer,
            json!({ "decision": "approve", "hash": hash, "checklist": all }),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("事项已有新版本"), "{}", r.text);
        // Editing the same version twice is a conflict.
        let r = officer
            .json(
                &format!("/api/v1/reviews/{id}/versions"),
                json!({ "version": 1, "title": "值班安排（又改）" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        let fresh = current_hash(&detail(&reviewer, id).await);
        let r = decide(
            &reviewer,
            json!({ "decision": "approve", "hash": fresh, "checklist": all }),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json()["step"], 1);
        // After a decision the submitter cannot withdraw; a non-major item skips the third step.
        let r = officer
            .json(&format!("/api/v1/reviews/{id}/withdraw"), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = decide(
            &head,
            json!({ "decision": "approve", "hash": fresh, "checklist": all }),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json()["stage"], "approved");
        // Only the submitter publishes, at an http(s) address with its time.
        let r = head
            .json(
                &format!("/api/v1/reviews/{id}/publish"),
                json!({ "url": "https://x.cn/1", "published_at": "2026-05-01T09:00" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for url in [
            "javascript:alert(document.cookie)",
            "abc",
            "data:text/html,x",
        ] {
            let r = officer
                .json(
                    &format!("/api/v1/reviews/{id}/publish"),
                    json!({ "url": url, "published_at": "2026-05-01T09:00" }),
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{url}: {}",
                r.text
            );
            assert!(r.text.contains("http://"), "{}", r.text);
            // The page refuses it with the same words, keeping what was typed.
            let p = officer
                .form(
                    &format!("/reviews/{id}/publish"),
                    &[("url", url), ("published_at", "2026-05-01T09:00")],
                )
                .await;
            assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.text);
            assert!(p.text.contains(r.json()["message"].as_str().unwrap()));
        }
        let r = officer
            .json(
                &format!("/api/v1/reviews/{id}/publish"),
                json!({ "url": "https://www.example.gov.cn/1" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("发布时间"), "{}", r.text);
        let r = officer
            .json(
                &format!("/api/v1/reviews/{id}/publish"),
                json!({ "url": "https://www.example.gov.cn/1", "published_at": "2026-12-10T14:30" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let page = officer.get(&format!("/reviews/{id}")).await.text;
        assert!(page.contains("2026年12月10日 14:30"), "{page}");
        // A correction is an act of its own: both addresses stay in the trail.
        let r = officer
            .json(
                &format!("/api/v1/reviews/{id}/publication-corrections"),
                json!({ "url": "javascript:x", "published_at": "2026-12-10T14:35", "reason": "地址有误" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let r = officer
            .json(
                &format!("/api/v1/reviews/{id}/publication-corrections"),
                json!({ "url": "https://www.example.gov.cn/2", "published_at": "2026-12-10T14:35" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let r = officer
            .json(
                &format!("/api/v1/reviews/{id}/publication-corrections"),
                json!({ "url": "https://www.example.gov.cn/2", "published_at": "2026-12-10T14:35", "reason": "原地址为预览页" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let page = officer.get(&format!("/reviews/{id}")).await.text;
        assert!(
            page.contains("https://www.example.gov.cn/1")
                && page.contains("https://www.example.gov.cn/2")
        );
        assert!(page.contains("原地址为预览页") && page.contains("2026年12月10日 14:35"));
        app.stop().await;
    }
}

#[tokio::test]
async fn a_decision_needs_its_risk_assessment() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let top = app.setup("district-school", "第一中学").await;
        let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        let mut ids = Vec::new();
        for (user, name) in [("clerk", "办公室主任"), ("principal", "校党支部书记")] {
            let p = w
                .create_person(&NewPerson {
                    unit_id: top,
                    name: name.into(),
                    ..NewPerson::default()
                })
                .await
                .unwrap();
            let a = w
                .create_account(user, Some(p.id), &hash, AdminDuty::None)
                .await
                .unwrap();
            w.set_grant(a.id, top, Level::Edit).await.unwrap();
            ids.push(p.id);
        }
        w.assign(
            ids[1],
            top,
            "first_responsible",
            chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        )
        .await
        .unwrap();
        w.commit().await.unwrap();
        let clerk = app.login("clerk").await;
        let principal = app.login("principal").await;
        let r = clerk
            .json(
                "/api/v1/reviews",
                json!({ "unit_id": top, "workflow": "major_decision", "major": true,
                        "title": "教职工绩效工资分配方案调整", "body": "方案全文" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let d = r.json();
        let id = d["item"]["id"].as_i64().unwrap();
        let approve = json!({ "decision": "approve", "hash": current_hash(&d), "checklist": [true, true, true] });
        let r = principal
            .json(&format!("/api/v1/reviews/{id}/decisions"), approve.clone())
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("须先完成风险评估"), "{}", r.text);
        // An assessment without any consultation is refused.
        let r = clerk
            .json(
                &format!("/api/v1/reviews/{id}/risk-assessments"),
                json!({ "consultations": [], "risk_level": "medium", "contingency": "预案" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = clerk
            .json(
                &format!("/api/v1/reviews/{id}/risk-assessments"),
                json!({ "consultations": [
                        { "kind": "座谈会", "date": "2026-05-10", "summary": "教职工代表座谈，意见已吸收" },
                        { "kind": "公开征求意见", "date": "2026-05-12", "summary": "公示7天，收到意见3条" }],
                    "risk_level": "medium", "contingency": "成立解释答疑小组，舆情专人监测" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let r = principal
            .json(&format!("/api/v1/reviews/{id}/decisions"), approve)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json()["stage"], "approved");
        let page = clerk.get(&format!("/reviews/{id}")).await;
        assert!(page.text.contains("教职工代表座谈") && page.text.contains("已通过"));
        // A decision is not published.
        let r = clerk
            .json(
                &format!("/api/v1/reviews/{id}/publish"),
                json!({ "url": "x" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        app.stop().await;
    }
}

#[tokio::test]
async fn two_reviewers_deciding_at_once_record_one_decision() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let o = office(&app).await;
        let officer = app.login("officer").await;
        let a = app.login("reviewer").await;
        let b = app.login("reviewer2").await;
        for round in 0..3 {
            let r = officer
                .json(
                    "/api/v1/reviews",
                    json!({ "unit_id": o.unit, "channel_id": o.channel, "workflow": "publication", "title": format!("通知{round}") }),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
            let d = r.json();
            let id = d["item"]["id"].as_i64().unwrap();
            let (hash, seen) = (current_hash(&d), d["seen"].as_i64().unwrap());
            let path = format!("/api/v1/reviews/{id}/decisions");
            let (ra, rb) = tokio::join!(
                a.json(&path, json!({ "decision": "approve", "hash": hash, "checklist": [true, true, true], "seen": seen })),
                b.json(&path, json!({ "decision": "reject", "hash": hash, "comment": "不宜发布", "seen": seen })),
            );
            let statuses = [ra.status, rb.status];
            assert!(
                statuses.contains(&StatusCode::CREATED) && statuses.contains(&StatusCode::CONFLICT),
                "{statuses:?}: {} / {}",
                ra.text,
                rb.text
            );
            let lost = if ra.status == StatusCode::CONFLICT {
                &ra
            } else {
                &rb
            };
            assert_eq!(
                lost.json()["message"],
                zeren_store::reviews::DECIDED_BY_OTHERS
            );
            let d = detail(&officer, id).await;
            assert_eq!(
                d["events"].as_array().unwrap().len(),
                2,
                "exactly one decision"
            );
        }
        // The page form: a decision on what the reviewer saw before someone else decided.
        let r = officer
            .json(
                "/api/v1/reviews",
                json!({ "unit_id": o.unit, "channel_id": o.channel, "workflow": "publication", "title": "会议通知" }),
            )
            .await;
        let d = r.json();
        let id = d["item"]["id"].as_i64().unwrap();
        let seen = d["seen"].to_string();
        let hash = current_hash(&d);
        let r = approve_form(&a, id, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let r = b
            .form(
                &format!("/reviews/{id}/decide"),
                &[
                    ("decision", "return"),
                    ("hash", &hash),
                    ("seq", &seen),
                    ("comment", "再核"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.text.contains("此步骤已由他人处理，请刷新后查看"));
        let mut rd = app.store.reader().await.unwrap();
        use zeren_store::reviews::ReviewRead;
        assert_eq!(rd.item_events(id).await.unwrap().len(), 2);
        drop(rd);
        assert!(app
            .store
            .verify_audit()
            .await
            .unwrap()
            .first_break
            .is_none());
        let _ = app
            .store
            .reader()
            .await
            .unwrap()
            .unit(o.unit)
            .await
            .unwrap();
        app.stop().await;
    }
}

#[tokio::test]
async fn an_unheld_step_is_reassigned_and_an_item_withdrawn() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let top = app.setup("bureau", "市卫健委").await;
        let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        w.install_policy(top, "bureau", "2", "办法", &policy_text(), "x")
            .await
            .unwrap();
        let mut people = Vec::new();
        // The officer is the only 专人审查 holder: their own item's first step has nobody.
        for (user, name, level) in [
            ("officer", "宣传干事", Some(Level::Edit)),
            ("boss", "办公室主任", Some(Level::Administer)),
            ("helper", "外单位审查员", None),
        ] {
            let p = w
                .create_person(&NewPerson {
                    unit_id: top,
                    name: name.into(),
                    ..NewPerson::default()
                })
                .await
                .unwrap();
            let a = w
                .create_account(user, Some(p.id), &hash, AdminDuty::None)
                .await
                .unwrap();
            if let Some(level) = level {
                w.set_grant(a.id, top, level).await.unwrap();
            }
            people.push(p.id);
        }
        w.assign(
            people[0],
            top,
            "publication_reviewer",
            chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        )
        .await
        .unwrap();
        w.commit().await.unwrap();
        let channel = channel_at(&app, top, None).await;
        let officer = app.login("officer").await;
        let boss = app.login("boss").await;
        let helper = app.login("helper").await;
        let create = |title: &'static str| {
            let officer = officer.clone();
            async move {
                let r = officer
                    .json(
                        "/api/v1/reviews",
                        json!({ "unit_id": top, "channel_id": channel, "workflow": "publication", "title": title }),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
                r.json()
            }
        };
        let d = create("信息公开年报").await;
        let id = d["item"]["id"].as_i64().unwrap();
        assert_eq!(d["waiting_for"]["kind"], "administrator");
        let page = officer.get(&format!("/reviews/{id}")).await;
        assert!(page.text.contains("等待管理员转交"));
        // The administrators are told on 我的工作; the submitter is not asked to decide it.
        for admin in [&boss, &app.login("sysadmin").await] {
            let work = admin.get("/work").await.text;
            assert!(
                work.contains("id=\"awaiting-reassignment\"") && work.contains("信息公开年报"),
                "{work}"
            );
        }
        assert!(!officer
            .get("/work")
            .await
            .text
            .contains("id=\"awaiting-reassignment\""));
        let listed = boss
            .get("/api/v1/reviews?waiting=reassignment")
            .await
            .json();
        assert_eq!(listed[0]["id"], id);
        let listed = officer
            .get("/api/v1/reviews?waiting=reassignment")
            .await
            .json();
        assert!(listed.as_array().unwrap().is_empty());
        // The helper has no grant: the item is not theirs to see yet.
        assert_eq!(
            helper.get(&format!("/reviews/{id}")).await.status,
            StatusCode::FORBIDDEN
        );
        // Only an administrator reassigns, and never to the submitter.
        let r = officer
            .form(
                &format!("/reviews/{id}/reassign"),
                &[("person_id", &people[2].to_string()), ("reason", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = boss
            .form(
                &format!("/reviews/{id}/reassign"),
                &[("person_id", &people[0].to_string()), ("reason", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("不能转交给提交人本人审核"));
        let r = boss
            .form(
                &format!("/reviews/{id}/reassign"),
                &[
                    ("person_id", &people[2].to_string()),
                    ("reason", "本单位无专人审查人员"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        // Now the helper sees it waiting, and decides it.
        let page = helper.get("/reviews").await;
        assert!(page.text.contains("信息公开年报"), "{}", page.text);
        let d = detail(&helper, id).await;
        let r = helper
            .json(
                &format!("/api/v1/reviews/{id}/decisions"),
                json!({ "decision": "approve", "hash": current_hash(&d), "checklist": [true, true, true] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json()["step"], 1);
        let trail = officer.get(&format!("/reviews/{id}")).await.text;
        assert!(trail.contains("转交给外单位审查员") && trail.contains("本单位无专人审查人员"));

        // Withdrawn before any decision, then submitted again as a new version.
        let d = create("值班表").await;
        let other = d["item"]["id"].as_i64().unwrap();
        assert_eq!(
            helper.get(&format!("/reviews/{other}")).await.status,
            StatusCode::FORBIDDEN,
            "a reassignment opens one item, not the unit"
        );
        let r = officer
            .form(&format!("/reviews/{other}/withdraw"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(detail(&officer, other).await["stage"], "withdrawn");
        let r = officer
            .json(
                &format!("/api/v1/reviews/{other}/versions"),
                json!({ "title": "值班表（修订）" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json()["stage"], "in_review");
        let listed = officer
            .get(&format!("/api/v1/reviews?unit={top}&stage=in_review"))
            .await
            .json();
        assert_eq!(listed.as_array().unwrap().len(), 2);
        // The system administrator, who is no person, can 转交 too.
        let sysadmin = app.login("sysadmin").await;
        let r = sysadmin
            .form(
                &format!("/reviews/{other}/reassign"),
                &[
                    ("person_id", &people[2].to_string()),
                    ("reason", "系统管理员代为转交"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let d = detail(&officer, other).await;
        assert_eq!(d["waiting_for"]["kind"], "reassigned");
        let last = d["events"].as_array().unwrap().last().unwrap().clone();
        assert!(last["event"]["by"].is_null(), "{last}");
        assert!(officer
            .get(&format!("/reviews/{other}"))
            .await
            .text
            .contains("系统管理员代为转交"));
        app.stop().await;
    }
}

#[tokio::test]
async fn a_channel_is_reviewed_every_period_like_any_duty() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let o = office(&app).await;
        // The policy now asks for a quarterly review of every channel.
        let text = policy_text().replacen(
            "[channels]\n",
            "[channels]\nreview_every = \"quarter\"\n",
            1,
        );
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        w.install_policy(o.unit, "bureau", "3", "办法", &text, "y")
            .await
            .unwrap();
        w.commit().await.unwrap();
        let officer = app.login("officer").await;
        let r = officer
            .json(
                "/api/v1/channels",
                json!({ "unit_id": o.unit, "kind": "wechat_official", "name": "健康市卫健",
                        "locator": "gh_0123456789", "responsible_person_id": o.people[0],
                        "filed_on": "2025-02-01" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json()["status"], "active");
        let r = officer
            .json(
                "/api/v1/channels",
                json!({ "unit_id": o.unit, "kind": "telegraph", "name": "x", "locator": "y" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // The review obligation is the responsible person's, on their work page, and is
        // fulfilled by an ordinary record.
        let work = officer.get("/work").await;
        assert!(
            work.text.contains("阵地定期检查：健康市卫健"),
            "{}",
            work.text
        );
        let obligations = officer
            .get(&format!(
                "/api/v1/obligations?unit={}&person={}",
                o.unit, o.people[0]
            ))
            .await
            .json();
        let ob = obligations
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["title"] == "阵地定期检查：健康市卫健")
            .expect("a channel review obligation")
            .clone();
        assert_eq!(ob["every"], "quarter");
        let id = ob["id"].as_i64().unwrap();
        let today = zeren_web::today().to_string();
        let r = officer
            .json(
                &format!("/api/v1/obligations/{id}/records"),
                json!({ "work_date": today, "content": "" }),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the review needs its content"
        );
        let r = officer
            .json(
                &format!("/api/v1/obligations/{id}/records"),
                json!({ "work_date": today, "content": "检查本季度推送32条，均经审核后发布" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        // Running again creates nothing new; the obligation survives the ledger's materialiser.
        assert_eq!(
            zeren_store::channel_reviews::materialise_channel_reviews(
                &app.store,
                zeren_web::today()
            )
            .await
            .unwrap(),
            0
        );
        zeren_store::materialise::materialise_all(
            &app.store,
            zeren_web::today(),
            &zeren_policy::calendar::WorkCalendar::bundled(),
        )
        .await
        .unwrap();
        let page = officer.get(&format!("/obligations/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("检查本季度推送32条"));

        // Closing a channel is recorded; a closed channel gets no new reviews.
        let ch = officer
            .get(&format!("/api/v1/channels?unit={}", o.unit))
            .await
            .json()[0]["id"]
            .as_i64()
            .unwrap();
        let r = officer
            .form(&format!("/channels/{ch}/status"), &[("status", "closed")])
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a reason is required"
        );
        assert!(r.text.contains("请填写原因"), "{}", r.text);
        // Only its managers (its responsible person, the unit's administrators) change it.
        let reviewer = app.login("reviewer").await;
        let r = reviewer
            .form(
                &format!("/channels/{ch}/status"),
                &[("status", "closed"), ("reason", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = officer
            .form(
                &format!("/channels/{ch}/status"),
                &[("status", "closed"), ("reason", "网站停止运营")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let page = officer.get(&format!("/units/{}/channels", o.unit)).await;
        assert!(page.text.contains("已关闭") && page.text.contains("每季度"));
        let history = &page.text[page.text.find("变更记录").unwrap()..];
        assert!(
            history.find("正常").unwrap() < history.find("已关闭").unwrap()
                && history.contains("officer")
                && history.contains("网站停止运营"),
            "registered, then closed, by whom and why"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn an_event_is_approved_and_appears_by_date() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let top = app.setup("university", "某大学").await;
        let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        let school = w.create_unit(Some(top), "医学院", "学院").await.unwrap();
        let mut people = Vec::new();
        for (user, name, unit, role) in [
            ("organiser", "医学院办公室", school.id, None),
            ("publicity", "宣传部部长", top, Some("publicity_department")),
            ("vice", "分管校领导", top, Some("leadership")),
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
                w.assign(
                    p.id,
                    top,
                    role,
                    chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
                )
                .await
                .unwrap();
            }
            let a = w
                .create_account(user, Some(p.id), &hash, AdminDuty::None)
                .await
                .unwrap();
            w.set_grant(a.id, unit, Level::Edit).await.unwrap();
            people.push(p.id);
        }
        w.commit().await.unwrap();
        let organiser = app.login("organiser").await;
        let publicity = app.login("publicity").await;
        let vice = app.login("vice").await;
        let submit = |title: &'static str, when: &'static str, major: bool| {
            let organiser = organiser.clone();
            async move {
                let r = organiser
                    .json(
                        "/api/v1/reviews",
                        json!({ "unit_id": school.id, "workflow": "event_approval", "major": major,
                                "title": title, "body": "内容提要",
                                "details": { "speakers": "张教授（外校）", "starts_at": when,
                                             "place": "学术报告厅", "audience": "本科生约300人" } }),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
                r.json()
            }
        };
        let later = submit("医学人文讲座", "2026-12-20T14:00", false).await;
        let sooner = submit("学术沙龙：医患沟通", "2026-12-10T19:00", true).await;
        // 宣传部 approves both; the major one also needs the leader in charge.
        for d in [&later, &sooner] {
            let id = d["item"]["id"].as_i64().unwrap();
            let r = publicity
                .json(
                    &format!("/api/v1/reviews/{id}/decisions"),
                    json!({ "decision": "approve", "hash": current_hash(d) }),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        }
        assert_eq!(
            detail(&organiser, later["item"]["id"].as_i64().unwrap()).await["stage"],
            "approved"
        );
        let sid = sooner["item"]["id"].as_i64().unwrap();
        assert_eq!(detail(&organiser, sid).await["stage"], "in_review");
        let waiting = vice
            .get("/api/v1/reviews?waiting=me&kind=event")
            .await
            .json();
        assert_eq!(waiting.as_array().unwrap().len(), 1);
        let r = vice
            .json(
                &format!("/api/v1/reviews/{sid}/decisions"),
                json!({ "decision": "approve", "hash": current_hash(&sooner) }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

        // The approved events, by date, with their details on the item's page.
        let page = publicity.get("/reviews?kind=event").await.text;
        assert!(page.contains("已批准的活动"));
        let calendar = &page[page.find("已批准的活动").unwrap()..];
        assert!(
            calendar.find("学术沙龙").unwrap() < calendar.find("医学人文讲座").unwrap(),
            "sooner first"
        );
        let item = organiser.get(&format!("/reviews/{sid}")).await.text;
        for want in [
            "张教授（外校）",
            "学术报告厅",
            "本科生约300人",
            "2026年12月10日 19:00",
        ] {
            assert!(item.contains(want), "{want}");
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn a_cosigned_step_waits_for_every_holder() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let o = office(&app).await;
        // 会签: both 专人审查 holders must approve the first step.
        let first = "title = \"专人审查\"\nrole = \"publication_reviewer\"\n";
        let text = policy_text();
        assert!(text.contains(first));
        let text = text.replacen(first, &format!("{first}all = true\n"), 1);
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        w.install_policy(o.unit, "bureau", "3", "办法", &text, "z")
            .await
            .unwrap();
        w.commit().await.unwrap();
        let officer = app.login("officer").await;
        let a = app.login("reviewer").await;
        let b = app.login("reviewer2").await;
        let d = officer
            .json(
                "/api/v1/reviews",
                json!({ "unit_id": o.unit, "channel_id": o.channel, "workflow": "publication", "title": "年度工作总结" }),
            )
            .await
            .json();
        let id = d["item"]["id"].as_i64().unwrap();
        let approve = json!({ "decision": "approve", "hash": current_hash(&d), "checklist": [true, true, true] });
        let path = format!("/api/v1/reviews/{id}/decisions");
        let r = a.json(&path, approve.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let d = r.json();
        assert_eq!(d["step"], 0, "one of two is not enough");
        assert_eq!(d["waiting_for"]["people"], json!([o.people[2]]));
        let r = a.json(&path, approve.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("等待其他会签人"));
        let r = b.json(&path, approve).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json()["step"], 1);
        app.stop().await;
    }
}
