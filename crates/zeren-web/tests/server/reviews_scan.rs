//! Issue 12 over HTTP: what keeps secrets and personal data off the website. A DOCX uploaded as
//! `news` is read as DOCX; a damaged file and a picture block until a reviewer records what was
//! checked by hand; a secrecy marking is cleared only by the 解密/定密 confirmation of the role the
//! workflow names, never by a lawful-basis text; no raw identifier appears in any page, API
//! answer or export; and the API refuses what the forms refuse, in the same words.

use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zeren_store::testdb::TestDb;
use zeren_store::Actor;

use crate::helpers::*;
use crate::reviews::{approve_form, current_hash, detail, office, unzip};

const MOBILE: &str = "13912345678";

/// A real DOCX headed by a secrecy marking, with a resident ID number and a mobile on one line.
fn marked_docx(id_number: &str) -> Vec<u8> {
    zeren_export::docx::text_docx(
        "秘密★1年",
        "",
        &[
            "关于开展安全检查的通知".to_string(),
            format!("联系人：张三，身份证号{id_number}，手机{MOBILE}。"),
        ],
        &[],
    )
    .unwrap()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn kinds(d: &Value) -> Vec<String> {
    d["versions"].as_array().unwrap().last().unwrap()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_string())
        .collect()
}

/// Every output a person or a script can get of the item, with where it came from.
async fn outputs(app: &App, c: &Client, unit: i64, id: i64) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for path in [
        format!("/reviews/{id}"),
        "/reviews".to_string(),
        "/work".to_string(),
        format!("/api/v1/reviews/{id}"),
        format!("/api/v1/reviews?unit={unit}"),
        "/api/v1/reviews?waiting=me".to_string(),
    ] {
        let r = c.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        out.push((path, r.text));
    }
    for path in [
        format!("/reviews/{id}/registration.docx"),
        format!("/api/v1/reviews/{id}/registration.docx"),
    ] {
        let r = c.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        out.push((path, unzip(&r.body, "word/document.xml")));
    }
    let auditor = app.login("auditadmin").await;
    for path in ["/audit", "/api/v1/audit"] {
        let r = auditor.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        out.push((path.to_string(), r.text));
    }
    out
}

#[tokio::test]
async fn a_docx_named_news_is_scanned_as_docx_and_its_marking_needs_a_declassification() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let o = office(&app).await;
        let officer = app.login("officer").await;
        let reviewer = app.login("reviewer").await;
        let leader = app.login("leader").await;
        let id_number = resident_id(12);
        let r = officer
            .json(
                "/api/v1/reviews",
                json!({ "unit_id": o.unit, "channel_id": o.channel, "workflow": "publication",
                        "title": "安全检查通知", "body": format!("通知见附件。联系电话{MOBILE}。"),
                        "details": { "column": "通知公告", "author": "李编辑" },
                        "attachments": [{ "file_name": "news", "content_base64": b64(&marked_docx(&id_number)) }] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let d = r.json();
        let id = d["item"]["id"].as_i64().unwrap();
        // Read as the DOCX it is, whatever its name.
        let found = kinds(&d);
        for k in ["cn_resident_id", "cn_mobile", "secrecy_marking"] {
            assert!(found.contains(&k.to_string()), "{k} in {found:?}");
        }
        assert!(!found.contains(&"unreadable".to_string()), "{found:?}");
        let marking = d["versions"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["kind"] == "secrecy_marking")
            .unwrap()
            .clone();
        assert_eq!(marking["blocks"], true);
        assert_eq!(marking["masked"], "", "a marking has no replacement");
        let page = reviewer.get(&format!("/reviews/{id}")).await.text;
        assert!(page.contains("不得上网发布") && page.contains("不能以本人同意"));
        assert!(page.contains("可确认解密的角色：分管"), "{page}");

        // A lawful basis never clears a marking, on the API or the page, in the same words.
        let hash = current_hash(&d);
        let r = reviewer
            .json(
                &format!("/api/v1/reviews/{id}/decisions"),
                json!({ "decision": "approve", "hash": hash, "checklist": [true, true, true],
                        "lawful_basis": "同意", "comment": "同意" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let message = r.json()["message"].as_str().unwrap().to_string();
        assert!(message.contains("密级"), "{message}");
        let p = approve_form(&reviewer, id, &[("lawful_basis", "同意")]).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.text.contains(&message), "{}", p.text);
        // The refused form keeps its ticks and its comment.
        assert!(p.text.contains("name=\"check_2\" value=\"1\" checked"));
        assert!(p.text.contains(">同意发布</textarea>"));

        // Only the role the workflow names confirms, with the decision's number.
        let declassify = |c: &Client, no: &str| {
            let (c, no, hash) = (c.clone(), no.to_string(), hash.clone());
            async move {
                c.json(
                    &format!("/api/v1/reviews/{id}/declassifications"),
                    json!({ "hash": hash, "decision": "declassified", "document_no": no }),
                )
                .await
            }
        };
        let r = declassify(&reviewer, "市卫密〔2026〕3号").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("定密责任人"), "{}", r.text);
        let r = declassify(&leader, " ").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("文号"), "{}", r.text);
        let page = leader.get(&format!("/reviews/{id}")).await.text;
        assert!(page.contains("id=\"declassify-form\""), "{page}");
        let r = declassify(&leader, "市卫密〔2026〕3号").await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        // Personal data still needs its lawful basis; then the step passes.
        let r = approve_form(&reviewer, id, &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("公开依据"), "{}", r.text);
        let r = approve_form(
            &reviewer,
            id,
            &[("lawful_basis", "当事人书面同意公开联系方式")],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let bytes = officer
            .get(&format!("/reviews/{id}/registration.docx"))
            .await
            .body;
        let doc = unzip(&bytes, "word/document.xml");
        for want in [
            "已解密，决定文号：市卫密〔2026〕3号",
            "公开依据：当事人书面同意公开联系方式",
            "通知公告",
            "SHA-256：",
            "签字：",
        ] {
            assert!(doc.contains(want), "{want} in the registration form");
        }

        // No raw value anywhere: pages, API answers, exports, the audit log. The body itself is
        // the content under review: the item's page and its API answer show it as written (the
        // mobile typed there), but nothing the scan found in the file, and no export.
        for (path, text) in outputs(&app, &officer, o.unit, id).await {
            assert!(!text.contains(&id_number), "{id_number} in {path}");
            if path != format!("/reviews/{id}") && path != format!("/api/v1/reviews/{id}") {
                assert!(!text.contains(MOBILE), "{MOBILE} in {path}");
            }
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn a_corrupt_file_blocks_until_a_manual_check_is_recorded() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let o = office(&app).await;
        let officer = app.login("officer").await;
        let reviewer = app.login("reviewer").await;
        let corrupt = b"PK\x03\x04\x14\x00\x00\x00broken beyond repair".to_vec();
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01".to_vec();
        let r = officer
            .multipart(
                &format!("/units/{}/reviews", o.unit),
                &[
                    ("workflow", None, b"publication"),
                    ("channel_id", None, o.channel.to_string().as_bytes()),
                    ("title", None, "活动报道".as_bytes()),
                    ("body", None, "图文报道见附件。".as_bytes()),
                    ("files", Some("报道.docx"), &corrupt),
                    ("files", Some("现场.png"), &png),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let id = r.location_id();
        let d = detail(&officer, id).await;
        let findings = d["versions"][0]["findings"].as_array().unwrap().clone();
        let unreadable: Vec<&Value> = findings
            .iter()
            .filter(|f| f["kind"] == "unreadable")
            .collect();
        assert_eq!(unreadable.len(), 2, "{findings:?}");
        assert!(unreadable.iter().all(|f| f["blocks"] == true));
        assert!(unreadable.iter().any(|f| f["code"] == "image"));
        let page = reviewer.get(&format!("/reviews/{id}")).await.text;
        assert!(page.contains("不做文字识别"), "{page}");

        // Without a manual check naming what was checked: refused, by the API and the page alike.
        let r = reviewer
            .json(
                &format!("/api/v1/reviews/{id}/decisions"),
                json!({ "decision": "approve", "hash": current_hash(&d), "checklist": [true, true, true], "manual_check": "看了" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let message = r.json()["message"].as_str().unwrap().to_string();
        assert!(message.contains("人工检查"), "{message}");
        let p = approve_form(&reviewer, id, &[]).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.text.contains(&message), "{}", p.text);
        let r = approve_form(
            &reviewer,
            id,
            &[(
                "manual_check",
                "报道.docx 已损坏，向撰稿人索取原件逐段核对；现场.png 逐张查看，无个人信息",
            )],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let trail = officer.get(&format!("/reviews/{id}")).await.text;
        assert!(trail.contains("人工检查：报道.docx 已损坏"));
        // The next step sees the recorded check and need not repeat it.
        let head = app.login("head").await;
        let page = head.get(&format!("/reviews/{id}")).await.text;
        assert!(page.contains("前一环节已记录人工检查情况"), "{page}");
        let r = approve_form(&head, id, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let doc = unzip(
            &officer
                .get(&format!("/reviews/{id}/registration.docx"))
                .await
                .body,
            "word/document.xml",
        );
        assert!(doc.contains("人工检查：报道.docx 已损坏"));
        app.stop().await;
    }
}

#[tokio::test]
async fn the_api_refuses_what_the_forms_refuse_in_the_same_words() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let o = office(&app).await;
        let officer = app.login("officer").await;
        // A channel of a kind the policy lacks (the bureau runs websites and WeChat accounts).
        let weibo = {
            let mut w = app.store.write(&Actor::system()).await.unwrap();
            let c = w
                .create_channel(&zeren_store::reviews::NewChannel {
                    unit_id: o.unit,
                    kind: "weibo".into(),
                    name: "官方微博".into(),
                    locator: "@x".into(),
                    ..Default::default()
                })
                .await
                .unwrap();
            w.commit().await.unwrap();
            c.id
        };
        let suspended = crate::reviews::channel_at(&app, o.unit, Some(o.people[0])).await;
        let r = officer
            .form(
                &format!("/channels/{suspended}/status"),
                &[("status", "suspended"), ("reason", "改版期间暂停")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        for (channel, want) in [
            (None, "须选择发布阵地"),
            (Some(suspended), "已暂停或关闭"),
            (Some(weibo), "不在本单位制度列出"),
        ] {
            let mut body = json!({ "unit_id": o.unit, "workflow": "publication", "title": "通知" });
            let mut parts: Vec<(&str, Option<&str>, &[u8])> = vec![
                ("workflow", None, b"publication"),
                ("title", None, "通知".as_bytes()),
            ];
            let text = channel.map(|c| c.to_string()).unwrap_or_default();
            if let Some(c) = channel {
                body["channel_id"] = json!(c);
                parts.push(("channel_id", None, text.as_bytes()));
            }
            let api = officer.json("/api/v1/reviews", body).await;
            assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.text);
            let message = api.json()["message"].as_str().unwrap().to_string();
            assert!(message.contains(want), "{message}");
            let page = officer
                .multipart(&format!("/units/{}/reviews", o.unit), &parts)
                .await;
            assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(page.text.contains(want), "{}", page.text);
        }
        // Details are the form's fields; an event's time is a time.
        let api = officer
            .json(
                "/api/v1/reviews",
                json!({ "unit_id": o.unit, "channel_id": o.channel, "workflow": "publication", "title": "通知",
                        "details": { "script": "<b>x</b>" } }),
            )
            .await;
        assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.text);
        let api = officer
            .json(
                "/api/v1/reviews",
                json!({ "unit_id": o.unit, "channel_id": o.channel, "workflow": "publication", "title": "通知",
                        "details": { "starts_at": "明天下午" } }),
            )
            .await;
        assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.text);
        let message = api.json()["message"].as_str().unwrap().to_string();
        let channel = o.channel.to_string();
        let page = officer
            .multipart(
                &format!("/units/{}/reviews", o.unit),
                &[
                    ("workflow", None, b"publication"),
                    ("channel_id", None, channel.as_bytes()),
                    ("title", None, "通知".as_bytes()),
                    ("starts_at", None, "明天下午".as_bytes()),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.text.contains(&message), "{}", page.text);
        // A channel kind the policy lacks cannot be registered either way.
        let api = officer
            .json(
                "/api/v1/channels",
                json!({ "unit_id": o.unit, "kind": "weibo", "name": "微博", "locator": "@y" }),
            )
            .await;
        assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.text);
        let page = officer
            .form(
                &format!("/units/{}/channels", o.unit),
                &[("kind", "weibo"), ("name", "微博"), ("locator", "@y")],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.text.contains("请从列表中选择阵地类型"));
        // A channel change without a reason, by the API and the page.
        let api = officer
            .json(
                &format!("/api/v1/channels/{suspended}/status"),
                json!({ "status": "active" }),
            )
            .await;
        assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.text);
        let api = officer
            .json(
                &format!("/api/v1/channels/{suspended}"),
                json!({ "name": "门户网站（新版）", "locator": "https://www.example.gov.cn", "reason": "网站改版更名" }),
            )
            .await;
        assert_eq!(api.status, StatusCode::OK, "{}", api.text);
        let page = officer
            .get(&format!("/units/{}/channels", o.unit))
            .await
            .text;
        assert!(page.contains("网站改版更名") && page.contains("门户网站 → 门户网站（新版）"));

        // Risk assessments: a consultation dated next year, a one-letter summary.
        let top = o.unit;
        let r = officer
            .json(
                "/api/v1/reviews",
                json!({ "unit_id": top, "channel_id": o.channel, "workflow": "publication", "title": "评估" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let id = r.json()["item"]["id"].as_i64().unwrap();
        let next_year = (zeren_web::today() + chrono::Days::new(400)).to_string();
        let last_month = (zeren_web::today() - chrono::Days::new(30)).to_string();
        for (date, summary, want) in [
            (
                next_year.as_str(),
                "教职工代表座谈，意见已吸收",
                "不能晚于今天",
            ),
            (last_month.as_str(), "好", "每次征求意见都须填写情况"),
        ] {
            let api = officer
                .json(
                    &format!("/api/v1/reviews/{id}/risk-assessments"),
                    json!({ "consultations": [{ "kind": "座谈会", "date": date, "summary": summary }],
                            "risk_level": "low", "contingency": "成立答疑小组，专人监测舆情" }),
                )
                .await;
            assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.text);
            assert!(api.text.contains(want), "{}", api.text);
            let page = officer
                .form(
                    &format!("/reviews/{id}/risk"),
                    &[
                        ("kind_0", "座谈会"),
                        ("date_0", date),
                        ("summary_0", summary),
                        ("risk_level", "low"),
                        ("contingency", "成立答疑小组，专人监测舆情"),
                    ],
                )
                .await;
            assert_eq!(
                page.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}",
                page.text
            );
            assert!(page.text.contains(want), "{}", page.text);
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn who_is_waiting_is_told_and_the_named_role_reassigns() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let o = office(&app).await;
        let officer = app.login("officer").await;
        let reviewer = app.login("reviewer").await;
        let head = app.login("head").await;
        let r = officer
            .json(
                "/api/v1/reviews",
                json!({ "unit_id": o.unit, "channel_id": o.channel, "workflow": "publication", "title": "招聘公告" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let d = r.json();
        let id = d["item"]["id"].as_i64().unwrap();
        // The returned item waits on its submitter's 我的工作.
        let r = reviewer
            .json(
                &format!("/api/v1/reviews/{id}/decisions"),
                json!({ "decision": "return", "hash": current_hash(&d), "comment": "请补充报名方式" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let work = officer.get("/work").await.text;
        let returned = &work[work.find("id=\"returned-reviews\"").expect("listed")..];
        assert!(returned.contains("招聘公告"), "{work}");
        // The API lists the same.
        let listed = officer.get("/api/v1/reviews?waiting=returned").await.json();
        assert_eq!(listed[0]["id"], id);
        let listed = reviewer
            .get("/api/v1/reviews?waiting=returned")
            .await
            .json();
        assert!(listed.as_array().unwrap().is_empty());
        assert!(!reviewer
            .get("/work")
            .await
            .text
            .contains("id=\"returned-reviews\""));
        let r = officer
            .json(
                &format!("/api/v1/reviews/{id}/versions"),
                json!({ "title": "招聘公告（补充报名方式）" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert!(!officer
            .get("/work")
            .await
            .text
            .contains("id=\"returned-reviews\""));
        // The role the workflow names (科室负责人) may 转交; a reviewer may not.
        let r = reviewer
            .form(
                &format!("/reviews/{id}/reassign"),
                &[("person_id", &o.people[2].to_string()), ("reason", "出差")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = head
            .form(
                &format!("/reviews/{id}/reassign"),
                &[
                    ("person_id", &o.people[2].to_string()),
                    ("reason", "审查员甲出差"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let d = detail(&officer, id).await;
        assert_eq!(d["waiting_for"]["person"], o.people[2]);
        app.stop().await;
    }
}

#[tokio::test]
async fn a_published_url_stays_on_the_channels_domain() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let o = office(&app).await;
        let officer = app.login("officer").await;
        let r = officer
            .json(
                "/api/v1/reviews",
                json!({ "unit_id": o.unit, "channel_id": o.channel, "workflow": "publication", "title": "放假通知" }),
            )
            .await;
        let d = r.json();
        let id = d["item"]["id"].as_i64().unwrap();
        for user in ["reviewer", "head"] {
            let c = app.login(user).await;
            let d = detail(&c, id).await;
            let r = c
                .json(
                    &format!("/api/v1/reviews/{id}/decisions"),
                    json!({ "decision": "approve", "hash": current_hash(&d), "checklist": [true, true, true] }),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        }
        let publish = |url: &'static str| {
            let officer = officer.clone();
            async move {
                officer
                    .json(
                        &format!("/api/v1/reviews/{id}/publish"),
                        json!({ "url": url, "published_at": "2026-12-10T14:30" }),
                    )
                    .await
            }
        };
        let r = publish("https://evil.example.com/a").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("www.example.gov.cn"), "{}", r.text);
        let r = publish("https://www.example.gov.cn/tzgg/1.html").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        app.stop().await;
    }
}

#[tokio::test]
async fn a_foreign_speaker_takes_the_stricter_step_and_the_event_form_shows_it() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let top = app.setup("university", "某大学").await;
        let text = zeren_policy::packs::get("university").unwrap().text;
        let step = "role = \"leadership\"\nwhen = \"major\"\n";
        assert!(text.contains(step));
        let text = text.replacen(
            step,
            "role = \"leadership\"\nwhen = \"foreign_speaker\"\n",
            1,
        );
        let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        w.install_policy(top, "university", "2", "意识形态工作责任制", &text, "x")
            .await
            .unwrap();
        for (user, name, role, level) in [
            ("organiser", "学院办公室", None, zeren_store::Level::Edit),
            (
                "publicity",
                "宣传部部长",
                Some("publicity_department"),
                zeren_store::Level::Read,
            ),
            (
                "vice",
                "分管校领导",
                Some("leadership"),
                zeren_store::Level::Read,
            ),
        ] {
            let p = w
                .create_person(&zeren_store::NewPerson {
                    unit_id: top,
                    name: name.into(),
                    position: Some(format!("{name}（职务）")),
                    ..Default::default()
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
                .create_account(user, Some(p.id), &hash, zeren_store::AdminDuty::None)
                .await
                .unwrap();
            w.set_grant(a.id, top, level).await.unwrap();
        }
        w.commit().await.unwrap();
        let organiser = app.login("organiser").await;
        let submit = |title: &'static str, foreign: bool| {
            let organiser = organiser.clone();
            async move {
                let r = organiser
                    .json(
                        "/api/v1/reviews",
                        json!({ "unit_id": top, "workflow": "event_approval", "title": title, "body": "讲座内容提要",
                                "details": { "speakers": "John Smith", "speaker_background": "某国某大学教授",
                                             "foreign_speaker": foreign, "starts_at": "2026-12-10T19:00",
                                             "place": "学术报告厅", "audience": "本科生约300人" } }),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
                r.json()
            }
        };
        let local = submit("学术讲座", false).await;
        let foreign = submit("境外学者讲座", true).await;
        let publicity = app.login("publicity").await;
        for d in [&local, &foreign] {
            let id = d["item"]["id"].as_i64().unwrap();
            let r = publicity
                .json(
                    &format!("/api/v1/reviews/{id}/decisions"),
                    json!({ "decision": "approve", "hash": current_hash(d), "comment": "同意" }),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        }
        assert_eq!(r_stage(&organiser, &local).await, "approved");
        assert_eq!(r_stage(&organiser, &foreign).await, "in_review");
        let fid = foreign["item"]["id"].as_i64().unwrap();
        let page = organiser.get(&format!("/reviews/{fid}")).await.text;
        assert!(page.contains("境外人员") && page.contains("2026年12月10日 19:00"));
        // A new version's form starts from the current details, the 境外 flag included.
        assert!(
            page.contains("name=\"speakers\" value=\"John Smith\""),
            "{page}"
        );
        assert!(page.contains("name=\"foreign_speaker\" value=\"1\" checked"));
        let vice = app.login("vice").await;
        let r = vice
            .json(
                &format!("/api/v1/reviews/{fid}/decisions"),
                json!({ "decision": "approve", "hash": current_hash(&foreign), "comment": "同意，注意引导" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json()["stage"], "approved");
        let bytes = organiser
            .get(&format!("/reviews/{fid}/registration.docx"))
            .await
            .body;
        let doc = unzip(&bytes, "word/document.xml");
        for want in [
            "活动审批登记表",
            "John Smith",
            "某国某大学教授",
            "从严审批",
            "2026年12月10日 19:00",
            "学术报告厅",
            "本科生约300人",
            "分管校领导（职务）",
            "同意：同意，注意引导",
        ] {
            assert!(doc.contains(want), "{want} in the event form");
        }
        app.stop().await;
    }
}

async fn r_stage(c: &Client, d: &Value) -> String {
    detail(c, d["item"]["id"].as_i64().unwrap()).await["stage"]
        .as_str()
        .unwrap()
        .to_string()
}
