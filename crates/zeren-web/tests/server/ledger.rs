//! Issue 4's journey over HTTP: an office clerk finds the quarterly study due, records it with
//! minutes, attendance and a PDF, sees it done in the year's grid, corrects it (a new version;
//! the old one stays), exports the ledger; the parent acknowledges the half-year report; another
//! school's clerk can do none of it. On SQLite, and on PostgreSQL when configured.

use std::io::Read as _;

use reqwest::StatusCode;
use zeren_policy::calendar::WorkCalendar;
use zeren_store::ledger::{LedgerRead, ObligationFilter};
use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, NewPerson, Read};

use crate::helpers::*;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

struct School {
    unit: i64,
    people: Vec<i64>,
}

/// A school with people, the pack's first responsible, and a clerk who may edit there.
async fn school(app: &App, parent: i64, name: &str, clerk: &str) -> School {
    let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    let unit = w.create_unit(Some(parent), name, "学校").await.unwrap();
    let mut people = Vec::new();
    for n in ["王庆彬", "周涛宇", "杨茂兰", "李娜"] {
        let p = w
            .create_person(&NewPerson {
                unit_id: unit.id,
                name: format!("{n}{}", unit.id),
                ..NewPerson::default()
            })
            .await
            .unwrap();
        people.push(p.id);
    }
    let text = zeren_policy::packs::get("district-school").unwrap().text;
    w.install_policy(
        unit.id,
        "district-school",
        "1",
        "学校意识形态工作责任制实施办法",
        text,
        "x",
    )
    .await
    .unwrap();
    w.assign(
        people[0],
        unit.id,
        "first_responsible",
        chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
    )
    .await
    .unwrap();
    let a = w
        .create_account(clerk, Some(people[3]), &hash, AdminDuty::None)
        .await
        .unwrap();
    w.set_grant(a.id, unit.id, Level::Edit).await.unwrap();
    w.commit().await.unwrap();
    School {
        unit: unit.id,
        people,
    }
}

async fn materialise(app: &App) {
    zeren_store::materialise::materialise_all(
        &app.store,
        zeren_web::today(),
        &WorkCalendar::bundled(),
    )
    .await
    .unwrap();
}

async fn obligation_id(app: &App, unit: i64, duty: &str) -> i64 {
    let today = zeren_web::today();
    let mut r = app.store.reader().await.unwrap();
    r.obligations(&ObligationFilter {
        unit: Some(unit),
        duty: Some(duty.into()),
        ..ObligationFilter::default()
    })
    .await
    .unwrap()
    .into_iter()
    .find(|p| p.obligation.period_start <= today && today <= p.obligation.period_end)
    .expect("an obligation for the current period")
    .obligation
    .id
}

fn unzip(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[tokio::test]
async fn record_the_quarterly_study_and_export_the_ledger() {
    for db in TestDb::all().await {
        ledger_journey(db).await;
    }
}

async fn ledger_journey(db: TestDb) {
    let app = spawn_app(db).await;
    let bureau = app.setup("bureau", "河东区教体局").await;
    let first = school(&app, bureau, "河东区第一中学", "clerk1").await;
    let other = school(&app, bureau, "河东区第二中学", "clerk2").await;
    materialise(&app).await;
    let study = obligation_id(&app, first.unit, "quarterly_study").await;
    let report = obligation_id(&app, first.unit, "half_year_report").await;

    // The clerk sees the study on 我的工作 and opens it.
    let clerk = app.login("clerk1").await;
    let r = clerk.get("/").await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/work"));
    let r = clerk.get("/work").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.text.contains("我的工作") && r.text.contains("意识形态工作内容专题学习"),
        "{}",
        r.text
    );
    assert!(r.text.contains(&format!("/obligations/{study}")));
    // The reminder in the navigation counts what is overdue or due soon.
    let due_soon_or_overdue = {
        let today = zeren_web::today();
        let mut rd = app.store.reader().await.unwrap();
        rd.obligations(&ObligationFilter {
            unit: Some(first.unit),
            ..ObligationFilter::default()
        })
        .await
        .unwrap()
        .iter()
        .filter(|p| p.records == 0 && (p.obligation.due_on - today).num_days() <= 7)
        .count()
    };
    let badge = clerk.get("/work/badge").await;
    assert_eq!(badge.status, StatusCode::OK);
    if due_soon_or_overdue == 0 {
        assert_eq!(badge.text, "");
    } else {
        assert_eq!(
            badge.text,
            format!("<span class=\"badge\">{due_soon_or_overdue}</span>")
        );
    }
    assert!(clerk
        .get("/work")
        .await
        .text
        .contains("hx-get=\"/work/badge\""));
    let r = clerk.get(&format!("/obligations/{study}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("尚未登记") && r.text.contains("登记工作记录"));

    // Work dated in the future is refused with a reason, and nothing is stored.
    let tomorrow = (zeren_web::today() + chrono::Days::new(1)).to_string();
    let r = clerk
        .multipart(
            &format!("/obligations/{study}/records"),
            &[
                ("work_date", None, tomorrow.as_bytes()),
                ("content", None, "x".as_bytes()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("晚于今天"), "{}", r.text);
    assert!(app
        .store
        .reader()
        .await
        .unwrap()
        .records_of(study)
        .await
        .unwrap()
        .is_empty());

    // Recorded with minutes, attendance and a PDF.
    let today = zeren_web::today().to_string();
    let (p0, p1) = (first.people[0].to_string(), first.people[1].to_string());
    let r = clerk
        .multipart(
            &format!("/obligations/{study}/records"),
            &[
                ("work_date", None, today.as_bytes()),
                ("place", None, "三楼会议室".as_bytes()),
                ("participants", None, p0.as_bytes()),
                ("participants", None, p1.as_bytes()),
                (
                    "content",
                    None,
                    "一、学习《实施办法》。二、分析研判本季度情况。".as_bytes(),
                ),
                ("files", Some("会议纪要.pdf"), PDF),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = clerk.get(&format!("/obligations/{study}")).await.text;
    assert!(
        page.contains("三楼会议室") && page.contains("会议纪要.pdf") && page.contains("按时完成"),
        "{page}"
    );
    let history = app
        .store
        .reader()
        .await
        .unwrap()
        .records_of(study)
        .await
        .unwrap();
    let record = history[0].record.id;
    assert_eq!(history[0].current().unwrap().participants.len(), 2);

    // The file comes back byte for byte.
    let r = clerk.get(&format!("/records/{record}/files/1/0")).await;
    assert_eq!((r.status, r.body.as_slice()), (StatusCode::OK, PDF));

    // Done in the grid.
    let grid = clerk
        .get(&format!("/units/{}/ledger", first.unit))
        .await
        .text;
    assert!(
        grid.contains(&format!("href=\"/obligations/{study}\"")),
        "{grid}"
    );
    assert!(grid.contains("st-done_on_time"), "{grid}");

    // A correction is a new version with a reason; both versions stay visible.
    let r = clerk
        .multipart(
            &format!("/records/{record}/correct"),
            &[
                ("version", None, b"1"),
                ("work_date", None, today.as_bytes()),
                ("place", None, "二楼会议室".as_bytes()),
                ("content", None, "更正后的记录".as_bytes()),
                ("reason", None, b""),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a correction needs a reason"
    );
    let r = clerk
        .multipart(
            &format!("/records/{record}/correct"),
            &[
                ("version", None, b"1"),
                ("work_date", None, today.as_bytes()),
                ("place", None, "二楼会议室".as_bytes()),
                ("participants", None, p0.as_bytes()),
                ("content", None, "更正后的记录".as_bytes()),
                ("keep", None, b"0"),
                ("reason", None, "地点登记有误".as_bytes()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = clerk.get(&format!("/obligations/{study}")).await.text;
    assert!(
        page.contains("二楼会议室") && page.contains("三楼会议室") && page.contains("地点登记有误"),
        "{page}"
    );
    assert!(page.contains("第2版"));

    // Exports: XLSX with the title, the unit, who filled it, one row per record and the files.
    let r = clerk
        .get(&format!("/units/{}/ledger.xlsx", first.unit))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    let strings = unzip(&r.body, "xl/sharedStrings.xml");
    let year = chrono::Datelike::year(&zeren_web::today());
    for s in [
        format!("河东区第一中学{year}年度意识形态工作台账"),
        "填报单位：河东区第一中学".into(),
        format!("填报人：李娜{}", first.unit),
        "二楼会议室".into(),
        "会议纪要.pdf".into(),
    ] {
        assert!(strings.contains(&s), "{s} in the ledger");
    }
    let r = clerk
        .get(&format!("/units/{}/ledger.docx", first.unit))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(unzip(&r.body, "word/document.xml").contains("更正后的记录"));
    let r = clerk.get(&format!("/records/{record}/record.docx")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(unzip(&r.body, "word/document.xml").contains("更正原因：地点登记有误"));
    let r = clerk
        .get(&format!("/units/{}/evidence.zip", first.unit))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let z = zip::ZipArchive::new(std::io::Cursor::new(r.body.clone())).unwrap();
    assert!(
        z.file_names().any(|n| n.ends_with("/会议纪要.pdf")),
        "{:?}",
        z.file_names().collect::<Vec<_>>()
    );
    let r = clerk
        .get(&format!("/units/{}/ledger/print", first.unit))
        .await;
    assert!(r.status == StatusCode::OK && r.text.contains("二楼会议室"));

    // 责任清单 of the school.
    let r = clerk.get(&format!("/units/{}/duties", first.unit)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.text.contains("第一责任人") && r.text.contains("每季度至少1次"),
        "{}",
        r.text
    );

    // Another school's clerk sees and changes none of it.
    let stranger = app.login("clerk2").await;
    for path in [
        format!("/obligations/{study}"),
        format!("/records/{record}/files/1/0"),
        format!("/records/{record}/record.docx"),
        format!("/units/{}/ledger", first.unit),
        format!("/units/{}/ledger.xlsx", first.unit),
        format!("/units/{}/evidence.zip", first.unit),
        format!("/units/{}/duties", first.unit),
    ] {
        assert_eq!(
            stranger.get(&path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let r = stranger
        .multipart(
            &format!("/obligations/{study}/records"),
            &[
                ("work_date", None, today.as_bytes()),
                ("content", None, "x".as_bytes()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = stranger
        .multipart(
            &format!("/records/{record}/correct"),
            &[
                ("reason", None, b"x"),
                ("work_date", None, today.as_bytes()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        stranger
            .get(&format!("/units/{}/ledger", other.unit))
            .await
            .status,
        StatusCode::OK
    );
    // Without a session: to the login page.
    let anon = app.client();
    assert_eq!(
        anon.get(&format!("/obligations/{study}")).await.status,
        StatusCode::SEE_OTHER
    );

    // The half-year report goes to the bureau's inbox; only the bureau may acknowledge it.
    let r = clerk
        .multipart(
            &format!("/obligations/{report}/records"),
            &[
                ("work_date", None, today.as_bytes()),
                ("content", None, "半年汇报".as_bytes()),
                ("files", Some("汇报.docx"), b"PK"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let reported = app
        .store
        .reader()
        .await
        .unwrap()
        .records_of(report)
        .await
        .unwrap()[0]
        .record
        .id;
    // A correction that keeps the file still proves the duty's "document" evidence.
    let r = clerk
        .multipart(
            &format!("/records/{reported}/correct"),
            &[
                ("version", None, b"1"),
                ("work_date", None, today.as_bytes()),
                ("content", None, "半年汇报（补充数据）".as_bytes()),
                ("keep", None, b"0"),
                ("reason", None, "补充数据".as_bytes()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(
        clerk
            .form(
                &format!("/records/{reported}/acknowledge"),
                &[("note", "ok")]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let admin = app.login("sysadmin").await;
    let inbox = admin.get(&format!("/units/{bureau}/inbox")).await.text;
    assert!(
        inbox.contains("向区教体局党组书面汇报意识形态工作"),
        "{inbox}"
    );
    let r = admin
        .form(
            &format!("/records/{reported}/acknowledge"),
            &[("note", "已签收")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert!(!admin
        .get(&format!("/units/{bureau}/inbox"))
        .await
        .text
        .contains("向区教体局党组书面汇报意识形态工作"));

    // Every step is on the audit chain, which is intact.
    let mut rd = app.store.reader().await.unwrap();
    let actions: Vec<String> = rd
        .audit_page(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    drop(rd);
    for a in [
        "record.create",
        "record.correct",
        "record.acknowledge",
        "attachment.store",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a}");
    }
    assert_eq!(app.store.verify_audit().await.unwrap().first_break, None);
    app.stop().await;
}

#[tokio::test]
async fn a_private_calendar_feed() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let bureau = app.setup("bureau", "河东区教体局").await;
        let first = school(&app, bureau, "河东区第一中学", "clerk1").await;
        materialise(&app).await;
        let clerk = app.login("clerk1").await;
        let r = clerk.form("/me/calendar", &[]).await;
        assert_eq!(r.status, StatusCode::OK);
        let url = r
            .text
            .split("http://")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .expect("the feed URL");
        let path = &url[url.find('/').unwrap()..];
        let feed = app.client().get(path).await;
        assert_eq!(feed.status, StatusCode::OK);
        assert!(feed.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar"));
        assert!(
            feed.text.contains("BEGIN:VCALENDAR")
                && feed
                    .text
                    .replace("\r\n ", "")
                    .contains("意识形态工作内容专题学习"),
            "{}",
            feed.text
        );
        // Each event's UID names this installation, and links back to its obligation.
        let unfolded = feed.text.replace("\r\n ", "");
        let install = app
            .store
            .reader()
            .await
            .unwrap()
            .setting("installation_id")
            .await
            .unwrap()
            .expect("an installation id, made with the first feed");
        assert_eq!(install.len(), 16);
        let uid = unfolded
            .lines()
            .find(|l| l.starts_with("UID:"))
            .expect("events");
        assert!(
            uid.starts_with("UID:obligation-") && uid.ends_with(&format!("-{install}@zeren")),
            "{uid}"
        );
        let link = unfolded
            .lines()
            .find(|l| l.starts_with("URL:"))
            .expect("a link back");
        assert!(
            link.starts_with(&format!("URL:{}/obligations/", app.base)),
            "{link} on {}",
            app.base
        );
        assert!(!unfolded.contains("UID:obligation-1@zeren"));
        // A renewed feed disables the old URL; a made-up token finds nothing.
        clerk.form("/me/calendar", &[]).await;
        assert_eq!(app.client().get(path).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.client().get("/calendar/0000.ics").await.status,
            StatusCode::NOT_FOUND
        );
        let _ = first;
        app.stop().await;
    }
}

#[tokio::test]
async fn the_ledger_api_for_scripts() {
    use base64::Engine as _;
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let bureau = app.setup("bureau", "河东区教体局").await;
        let first = school(&app, bureau, "河东区第一中学", "clerk1").await;
        let other = school(&app, bureau, "河东区第二中学", "clerk2").await;
        materialise(&app).await;
        let study = obligation_id(&app, first.unit, "quarterly_study").await;
        // A token for each clerk, as the 我的 page makes them.
        let mut tokens = Vec::new();
        for user in ["clerk1", "clerk2"] {
            let token = zeren_web::auth::random_token();
            let mut r = app.store.reader().await.unwrap();
            let account = r.account_by_username(user).await.unwrap().unwrap();
            drop(r);
            let mut w = app.store.write(&Actor::system()).await.unwrap();
            w.create_token(account.id, "script", &zeren_web::auth::sha256_hex(&token))
                .await
                .unwrap();
            w.commit().await.unwrap();
            let mut c = app.client();
            c.bearer = Some(token);
            c.origin = false;
            tokens.push(c);
        }
        let (script, stranger) = (&tokens[0], &tokens[1]);
        assert_eq!(
            app.client()
                .get(&format!("/api/v1/obligations?unit={}", first.unit))
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );

        let list = script
            .get(&format!(
                "/api/v1/obligations?unit={}&duty=quarterly_study",
                first.unit
            ))
            .await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.text);
        let rows = list.json();
        assert!(rows
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == study && o["status"] != "done_on_time"));
        let bad = script
            .get(&format!(
                "/api/v1/obligations?unit={}&status=finished",
                first.unit
            ))
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Pages of two, following the `Link` header, give the whole list in the same order.
        let all = script
            .get(&format!("/api/v1/obligations?unit={}", first.unit))
            .await;
        assert!(all.headers.get("link").is_none(), "one page holds them all");
        let all: Vec<serde_json::Value> = all.json().as_array().unwrap().clone();
        assert!(all.len() > 2, "{all:?}");
        let mut paged: Vec<serde_json::Value> = Vec::new();
        let mut next = Some(format!("/api/v1/obligations?unit={}&limit=2", first.unit));
        while let Some(path) = next.take() {
            let page = script.get(&path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.text);
            let rows = page.json().as_array().unwrap().clone();
            assert!(rows.len() <= 2);
            next = page.headers.get("link").map(|l| {
                let l = l.to_str().unwrap();
                assert!(l.ends_with(">; rel=\"next\""), "{l}");
                l[1..l.find('>').unwrap()].to_string()
            });
            if next.is_some() {
                assert_eq!(rows.len(), 2);
            }
            paged.extend(rows);
            assert!(paged.len() <= all.len() + 2, "the cursor moves on");
        }
        assert_eq!(paged, all);
        // `open` is every status not done; a cursor that is not one is refused.
        let open = script
            .get(&format!(
                "/api/v1/obligations?unit={}&status=open",
                first.unit
            ))
            .await
            .json();
        let expected: Vec<&serde_json::Value> = all
            .iter()
            .filter(|o| !o["status"].as_str().unwrap().starts_with("done"))
            .collect();
        assert_eq!(
            open.as_array().unwrap().iter().collect::<Vec<_>>(),
            expected
        );
        for cursor in ["2026-13-01_4", "x", "2026-01-01_-1", "2026-01-01"] {
            let bad = script
                .get(&format!(
                    "/api/v1/obligations?unit={}&after={cursor}",
                    first.unit
                ))
                .await;
            assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{cursor}");
        }
        assert_eq!(
            stranger
                .get(&format!("/api/v1/obligations?unit={}", first.unit))
                .await
                .status,
            StatusCode::FORBIDDEN
        );

        let today = zeren_web::today().to_string();
        let body = serde_json::json!({
            "work_date": today,
            "place": "会议室",
            "content": "学习实施办法",
            "participants": [first.people[0]],
            "attachments": [{ "file_name": "纪要.pdf", "content_base64": base64::engine::general_purpose::STANDARD.encode(PDF) }]
        });
        assert_eq!(
            stranger
                .json(
                    &format!("/api/v1/obligations/{study}/records"),
                    body.clone()
                )
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let r = script
            .json(
                &format!("/api/v1/obligations/{study}/records"),
                body.clone(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let record = r.json()["record"]["id"].as_i64().unwrap();
        let bad_file = serde_json::json!({ "work_date": today, "attachments": [{ "file_name": "x.pdf", "content_base64": "@@@" }] });
        assert_eq!(
            script
                .json(&format!("/api/v1/obligations/{study}/records"), bad_file)
                .await
                .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let outsider = serde_json::json!({ "work_date": today, "participants": [other.people[0]] });
        let r = script
            .json(&format!("/api/v1/obligations/{study}/records"), outsider)
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "participants come from the unit"
        );

        // A correction: a new version; a stale one conflicts; the old one stays.
        let mut fix = body.clone();
        fix["version"] = 1.into();
        fix["reason"] = "补充参会人员".into();
        fix["participants"] = serde_json::json!(first.people[..2]);
        fix["attachments"] = serde_json::json!([]);
        fix["keep"] = serde_json::json!([0]);
        let r = script
            .json(&format!("/api/v1/records/{record}/versions"), fix.clone())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let h = r.json();
        assert_eq!(h["versions"].as_array().unwrap().len(), 2);
        assert_eq!(
            h["versions"][1]["attachments"][0]["file_name"], "纪要.pdf",
            "kept files carry over"
        );
        let stale = script
            .json(&format!("/api/v1/records/{record}/versions"), fix)
            .await;
        assert_eq!(
            stale.status,
            StatusCode::CONFLICT,
            "a stale correction is refused with the reason: {}",
            stale.text
        );
        assert!(
            stale.json()["message"]
                .as_str()
                .is_some_and(|m| m.contains("第2版")),
            "{}",
            stale.text
        );
        let got = script
            .get(&format!("/api/v1/records/{record}"))
            .await
            .json();
        assert_eq!(got["record"]["current_version"], 2);
        assert_eq!(
            stranger
                .get(&format!("/api/v1/records/{record}"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );

        let done = script
            .get(&format!(
                "/api/v1/obligations?unit={}&status=done_on_time",
                first.unit
            ))
            .await
            .json();
        assert!(done.as_array().unwrap().iter().any(|o| o["id"] == study));
        let x = script
            .get(&format!("/api/v1/units/{}/ledger.xlsx", first.unit))
            .await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(unzip(&x.body, "xl/sharedStrings.xml").contains("学习实施办法"));
        app.stop().await;
    }
}

#[tokio::test]
async fn the_holder_of_a_personal_duty_records_it_without_a_grant() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let bureau = app.setup("bureau", "河东区教体局").await;
        let first = school(&app, bureau, "河东区第一中学", "clerk1").await;
        // A leader of the school with an account but no grant anywhere.
        let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        w.assign(
            first.people[1],
            first.unit,
            "leadership",
            chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        )
        .await
        .unwrap();
        w.create_account("leader", Some(first.people[1]), &hash, AdminDuty::None)
            .await
            .unwrap();
        w.commit().await.unwrap();
        materialise(&app).await;
        let today = zeren_web::today();
        let lecture = app
            .store
            .reader()
            .await
            .unwrap()
            .obligations(&ObligationFilter {
                person: Some(first.people[1]),
                duty: Some("leader_lecture".into()),
                ..ObligationFilter::default()
            })
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.obligation.period_start <= today && today <= p.obligation.period_end)
            .expect("the leader's lecture this year")
            .obligation
            .id;
        let leader = app.login("leader").await;
        assert!(leader
            .get("/work")
            .await
            .text
            .contains(&format!("/obligations/{lecture}")));
        assert_eq!(
            leader.get(&format!("/obligations/{lecture}")).await.status,
            StatusCode::OK
        );
        let r = leader
            .multipart(
                &format!("/obligations/{lecture}/records"),
                &[
                    ("work_date", None, today.to_string().as_bytes()),
                    ("content", None, "专题授课".as_bytes()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        // A role at the school lets him read its other obligations, but not record those his
        // role does not own (the quarterly study is the first responsible's).
        let study = obligation_id(&app, first.unit, "quarterly_study").await;
        let page = leader.get(&format!("/obligations/{study}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            !page.text.contains("id=\"record-form\""),
            "no recording form"
        );
        let r = leader
            .multipart(
                &format!("/obligations/{study}/records"),
                &[
                    ("work_date", None, today.to_string().as_bytes()),
                    ("content", None, "学习".as_bytes()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        app.stop().await;
    }
}

/// Holding a role is a grant for that role's work: the first responsible of a school, with an
/// account and no grant, reads the school's ledger, 责任清单, inbox and channels, records the
/// duty his role owns, and submits an item for review — and nothing of another school.
#[tokio::test]
async fn a_first_responsible_without_a_grant_acts_on_what_he_answers_for() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let bureau = app.setup("bureau", "河东区教体局").await;
        let first = school(&app, bureau, "河东区第一中学", "clerk1").await;
        let second = school(&app, bureau, "河东区第二中学", "clerk2").await;
        let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        // people[0] holds first_responsible at the first school (see `school`).
        w.create_account("secretary", Some(first.people[0]), &hash, AdminDuty::None)
            .await
            .unwrap();
        w.commit().await.unwrap();
        materialise(&app).await;
        let me = app.login("secretary").await;
        let study = obligation_id(&app, first.unit, "quarterly_study").await;
        let u = first.unit;
        for page in [
            "/work".to_string(),
            format!("/units/{u}"),
            format!("/units/{u}/ledger"),
            format!("/units/{u}/duties"),
            format!("/units/{u}/inbox"),
            format!("/units/{u}/channels"),
            format!("/units/{u}/reviews/new"),
            format!("/obligations/{study}"),
        ] {
            assert_eq!(me.get(&page).await.status, StatusCode::OK, "{page}");
        }
        let today = zeren_web::today().to_string();
        let r = me
            .multipart(
                &format!("/obligations/{study}/records"),
                &[
                    ("work_date", None, today.as_bytes()),
                    (
                        "content",
                        None,
                        "学习习近平新时代中国特色社会主义思想".as_bytes(),
                    ),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        // Nothing of the other school.
        let other = obligation_id(&app, second.unit, "quarterly_study").await;
        assert_eq!(
            me.get(&format!("/obligations/{other}")).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            me.get(&format!("/units/{}/ledger", second.unit))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        app.stop().await;
    }
}

/// The next period's obligation is shown but takes no record before its period begins, and an
/// empty record fulfils nothing — on the page and over the API alike.
#[tokio::test]
async fn no_record_before_the_period_and_no_empty_record() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let bureau = app.setup("bureau", "河东区教体局").await;
        let first = school(&app, bureau, "河东区第一中学", "clerk1").await;
        materialise(&app).await;
        let clerk = app.login("clerk1").await;
        let today = zeren_web::today();
        let next = app
            .store
            .reader()
            .await
            .unwrap()
            .obligations(&ObligationFilter {
                unit: Some(first.unit),
                duty: Some("quarterly_study".into()),
                ..ObligationFilter::default()
            })
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.obligation.period_start > today)
            .expect("the next quarter")
            .obligation;
        let page = clerk.get(&format!("/obligations/{}", next.id)).await.text;
        assert!(page.contains("id=\"not-begun\"") && !page.contains("id=\"record-form\""));
        let r = clerk
            .json(
                &format!("/api/v1/obligations/{}/records", next.id),
                serde_json::json!({ "work_date": today.to_string(), "content": "学习" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json()["message"].as_str().unwrap().contains("尚未开始"));
        // This quarter: an empty record is refused, with what is expected.
        let now = obligation_id(&app, first.unit, "quarterly_study").await;
        let r = clerk
            .multipart(
                &format!("/obligations/{now}/records"),
                &[("work_date", None, today.to_string().as_bytes())],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("请填写工作内容"), "{}", r.text);
        app.stop().await;
    }
}

/// An account of the bureau's office: a person of the bureau who may edit there.
async fn bureau_office(app: &App, bureau: i64, username: &str, name: &str) {
    let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    let p = w
        .create_person(&NewPerson {
            unit_id: bureau,
            name: name.into(),
            ..NewPerson::default()
        })
        .await
        .unwrap();
    let a = w
        .create_account(username, Some(p.id), &hash, AdminDuty::None)
        .await
        .unwrap();
    w.set_grant(a.id, bureau, Level::Edit).await.unwrap();
    w.commit().await.unwrap();
}

/// A small generated photo (a wall with a red banner).
fn photo() -> Vec<u8> {
    let (w, h) = (64, 48);
    let mut px = Vec::new();
    for y in 0..h {
        for _ in 0..w {
            px.extend(if (8..16).contains(&y) {
                [190, 30, 40]
            } else {
                [220, 210, 190]
            });
        }
    }
    zeren_export::image::png_rgb(w, h, &px)
}

#[tokio::test]
async fn the_bureau_returns_a_report_and_acknowledges_the_correction() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let bureau = app.setup("bureau", "河东区教体局").await;
        let first = school(&app, bureau, "河东区第一中学", "clerk1").await;
        bureau_office(&app, bureau, "office", "赵立新").await;
        materialise(&app).await;
        let report = obligation_id(&app, first.unit, "half_year_report").await;
        let clerk_name = format!("李娜{}", first.unit);
        let today = zeren_web::today().to_string();

        // The school reports, with a document and a photo of the meeting.
        let clerk = app.login("clerk1").await;
        let r = clerk
            .multipart(
                &format!("/obligations/{report}/records"),
                &[
                    ("work_date", None, today.as_bytes()),
                    ("place", None, "校长办公室".as_bytes()),
                    ("content", None, "上半年意识形态工作汇报".as_bytes()),
                    ("files", Some("汇报.docx"), b"PK"),
                    ("files", Some("会场.png"), &photo()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let record = app
            .store
            .reader()
            .await
            .unwrap()
            .records_of(report)
            .await
            .unwrap()[0]
            .record
            .id;
        let page = clerk.get(&format!("/obligations/{report}")).await.text;
        assert!(
            page.contains(&clerk_name) && !page.contains("clerk1 ·"),
            "登记人 by name: {page}"
        );
        assert!(page.contains("待上级签收"), "{page}");

        // It waits on the bureau office's 我的工作 and in its navigation.
        let office = app.login("office").await;
        let badge = office.get("/work/pending").await;
        assert_eq!(badge.status, StatusCode::OK);
        assert!(
            badge.text.contains("待签收") && badge.text.contains(">1<"),
            "{}",
            badge.text
        );
        assert!(office
            .get("/work")
            .await
            .text
            .contains("hx-get=\"/work/pending\""));
        let work = office.get("/work").await.text;
        let pending = &work[work.find("id=\"pending\"").expect("a 待签收 section")..];
        assert!(
            pending.contains("待签收（1）")
                && pending.contains("向区教体局党组书面汇报意识形态工作")
                && pending.contains(&clerk_name)
                && pending.contains(&format!("/obligations/{report}#record-{record}")),
            "{work}"
        );
        // The school's clerk has nothing to acknowledge.
        assert_eq!(clerk.get("/work/pending").await.text, "");

        // A return needs a reason; with one, the report goes back to the school.
        let r = office
            .form(
                &format!("/records/{record}/return"),
                &[("reason", " "), ("version", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("退回须写明理由"), "{}", r.text);
        let r = office
            .form(
                &format!("/records/{record}/return"),
                &[("reason", "缺少第二季度数据，请补充"), ("version", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(
            r.location(),
            format!("/obligations/{report}#record-{record}")
        );
        assert_eq!(office.get("/work/pending").await.text, "");
        assert!(!office.get("/work").await.text.contains("id=\"pending\""));

        // The school sees it returned, on 我的工作 and on the obligation, and corrects it.
        let work = clerk.get("/work").await.text;
        let returned = &work[work.find("id=\"returned\"").expect("a 被退回 section")..];
        assert!(
            returned.contains("缺少第二季度数据，请补充") && returned.contains("赵立新"),
            "{work}"
        );
        let page = clerk.get(&format!("/obligations/{report}")).await.text;
        assert!(
            page.contains("已退回") && page.contains("缺少第二季度数据，请补充"),
            "{page}"
        );
        assert!(
            page.contains("<details open>"),
            "the correction form is open"
        );
        let r = clerk
            .multipart(
                &format!("/records/{record}/correct"),
                &[
                    ("version", None, b"1"),
                    ("work_date", None, today.as_bytes()),
                    ("place", None, "校长办公室".as_bytes()),
                    (
                        "content",
                        None,
                        "上半年意识形态工作汇报（含第二季度数据）".as_bytes(),
                    ),
                    ("keep", None, b"0"),
                    ("keep", None, b"1"),
                    ("reason", None, "按退回意见补充第二季度数据".as_bytes()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert!(!clerk.get("/work").await.text.contains("id=\"returned\""));

        // Back in the bureau's inbox, marked as resubmitted.
        let work = office.get("/work").await.text;
        assert!(
            work.contains("待签收（1）") && work.contains("退回后重新报送"),
            "{work}"
        );
        assert!(office.get("/work/pending").await.text.contains(">1<"));

        // A 签收 of the version read before the correction is refused, in Chinese, with the way
        // to the current version; nothing is recorded.
        let r = office
            .form(
                &format!("/records/{record}/acknowledge"),
                &[("note", "已阅"), ("version", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(
            r.text.contains("第1版")
                && r.text.contains("第2版")
                && r.text.contains("按退回意见补充第二季度数据")
                && r.text
                    .contains(&format!("/obligations/{report}#record-{record}"))
                && r.text.contains("查看当前版本"),
            "{}",
            r.text
        );
        assert!(!r.text.contains("no longer"), "{}", r.text);
        let api = office
            .json(
                &format!("/api/v1/records/{record}/acknowledge"),
                serde_json::json!({ "version": 1 }),
            )
            .await;
        assert_eq!(api.status, StatusCode::CONFLICT);
        assert!(
            api.json()["message"]
                .as_str()
                .is_some_and(|m| m.contains("第2版")),
            "{}",
            api.text
        );

        // The corrected version is acknowledged.
        let r = office
            .form(
                &format!("/records/{record}/acknowledge"),
                &[("note", "已签收"), ("version", "2")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(office.get("/work/pending").await.text, "");
        // Acknowledging it twice is explained too.
        let r = office
            .form(
                &format!("/records/{record}/acknowledge"),
                &[("version", "2")],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.text.contains("已经签收"), "{}", r.text);

        // 签收人 by name and 签收时间 in China time on the page, the print view and every export.
        let page = clerk.get(&format!("/obligations/{report}")).await.text;
        assert!(
            page.contains("签收人")
                && page.contains("赵立新")
                && page.contains("签收时间")
                && page.contains("（北京时间）")
                && page.contains("上级已签收"),
            "{page}"
        );
        assert!(
            page.contains("签收与退回记录（2）"),
            "the return stays in the history: {page}"
        );
        let print = clerk
            .get(&format!("/units/{}/ledger/print", first.unit))
            .await
            .text;
        assert!(
            print.contains("赵立新") && print.contains(&clerk_name),
            "{print}"
        );
        let xlsx = clerk
            .get(&format!("/units/{}/ledger.xlsx", first.unit))
            .await;
        let strings = unzip(&xlsx.body, "xl/sharedStrings.xml");
        assert!(
            strings.contains("赵立新")
                && strings.contains("签收时间（北京时间）")
                && strings.contains(&clerk_name)
                && !strings.contains("clerk1"),
            "{strings}"
        );
        let docx = clerk
            .get(&format!("/units/{}/ledger.docx", first.unit))
            .await;
        let doc = unzip(&docx.body, "word/document.xml");
        assert!(
            doc.contains("赵立新") && doc.contains("校长办公室"),
            "{doc}"
        );
        let rec = clerk.get(&format!("/records/{record}/record.docx")).await;
        assert_eq!(rec.status, StatusCode::OK);
        let doc = unzip(&rec.body, "word/document.xml");
        assert!(
            doc.contains("赵立新") && doc.contains(&clerk_name) && doc.contains("图1　会场.png"),
            "{doc}"
        );
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(rec.body.clone())).unwrap();
        let mut media = Vec::new();
        z.by_name("word/media/image1.png")
            .unwrap()
            .read_to_end(&mut media)
            .unwrap();
        assert_eq!(media, photo(), "the photo is embedded as it was uploaded");
        let zipped = clerk
            .get(&format!("/units/{}/evidence.zip", first.unit))
            .await;
        let mut index = Vec::new();
        zip::ZipArchive::new(std::io::Cursor::new(zipped.body))
            .unwrap()
            .by_name("佐证材料目录.xlsx")
            .unwrap()
            .read_to_end(&mut index)
            .unwrap();
        assert!(unzip(&index, "xl/sharedStrings.xml").contains("赵立新"));

        // The record's JSON carries the return and the 签收, by name.
        let j = office
            .get(&format!("/api/v1/records/{record}"))
            .await
            .json();
        assert_eq!(j["returns"][0]["reason"], "缺少第二季度数据，请补充");
        assert_eq!(j["returns"][0]["version"], 1);
        assert_eq!(j["acknowledgements"][0]["version"], 2);
        assert_eq!(j["acknowledgements"][0]["acknowledged_by_name"], "赵立新");

        // The same through the API: a return of an acknowledged version is a conflict.
        let r = office
            .json(
                &format!("/api/v1/records/{record}/return"),
                serde_json::json!({ "reason": "再退", "version": 2 }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);

        let mut rd = app.store.reader().await.unwrap();
        let actions: Vec<String> = rd
            .audit_page(0, 10_000)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        drop(rd);
        for a in [
            "record.create",
            "record.return",
            "record.correct",
            "record.acknowledge",
        ] {
            assert!(actions.iter().any(|x| x == a), "{a}");
        }
        assert_eq!(app.store.verify_audit().await.unwrap().first_break, None);
        app.stop().await;
    }
}

#[tokio::test]
async fn the_return_api_for_scripts() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let bureau = app.setup("bureau", "河东区教体局").await;
        let first = school(&app, bureau, "河东区第一中学", "clerk1").await;
        bureau_office(&app, bureau, "office", "赵立新").await;
        materialise(&app).await;
        let report = obligation_id(&app, first.unit, "half_year_report").await;
        let clerk = app.login("clerk1").await;
        let today = zeren_web::today().to_string();
        let r = clerk
            .json(
                &format!("/api/v1/obligations/{report}/records"),
                serde_json::json!({ "work_date": today, "content": "半年汇报",
                    "attachments": [{ "file_name": "汇报.txt", "content_base64": "5rGH5oql" }] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let record = r.json()["record"]["id"].as_i64().unwrap();
        assert_eq!(r.json()["returns"], serde_json::json!([]));
        // The unit itself cannot return its own report.
        let r = clerk
            .json(
                &format!("/api/v1/records/{record}/return"),
                serde_json::json!({ "reason": "x" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let office = app.login("office").await;
        let r = office
            .json(
                &format!("/api/v1/records/{record}/return"),
                serde_json::json!({ "reason": "" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let r = office
            .json(
                &format!("/api/v1/records/{record}/return"),
                serde_json::json!({ "reason": "请附上签字页", "version": 1 }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json()["returned_by_name"], "赵立新");
        assert_eq!(r.json()["version"], 1);
        app.stop().await;
    }
}

/// Overdue work stays on 我的工作 until it is done, however old; this period's open work is
/// "in progress", the next period's "not begun".
#[tokio::test]
async fn my_work_keeps_old_overdue_work_and_names_the_periods() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let bureau = app.setup("bureau", "河东区教体局").await;
        let first = school(&app, bureau, "河东区第一中学", "clerk1").await;
        // The school's policy counts from 2024; obligations were made then and are made now.
        let installed = app
            .store
            .reader()
            .await
            .unwrap()
            .policy_in_force(first.unit)
            .await
            .unwrap()
            .unwrap();
        let long_ago = chrono::NaiveDate::from_ymd_opt(2024, 8, 1).unwrap();
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        w.set_policy_effective_from(installed.id, long_ago)
            .await
            .unwrap();
        w.commit().await.unwrap();
        zeren_store::materialise::materialise_all(&app.store, long_ago, &WorkCalendar::bundled())
            .await
            .unwrap();
        materialise(&app).await;
        let clerk = app.login("clerk1").await;
        let page = clerk.get("/work").await.text;
        assert!(
            page.contains("2024年第三季度"),
            "the 2024 quarter is still overdue"
        );
        assert!(page.contains("本期进行中") && page.contains("下期（尚未开始）"));
        app.stop().await;
    }
}

/// A request never holds a pooled connection while it waits for another: 16 exports at once
/// (eight clerks, two each: what each account may run at once) on a pool of two connections all
/// get their file (a request that held one and waited for a second would leave all of them
/// waiting once two such requests ran).
#[tokio::test]
async fn sixteen_exports_at_once_on_a_pool_of_two() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let app = spawn_app_pooled(db, 2).await;
        let top = app.setup("district-school", "河东区教体局").await;
        let mut schools = Vec::new();
        for (i, name) in [
            "环湖中学",
            "实验小学",
            "第一中学",
            "育才小学",
            "新华小学",
            "东风中学",
            "光明小学",
            "朝阳中学",
        ]
        .into_iter()
        .enumerate()
        {
            let s = school(&app, top, name, &format!("clerk{i}")).await;
            schools.push((s.unit, name, app.login(&format!("clerk{i}")).await));
        }
        materialise(&app).await;
        let mut tasks = tokio::task::JoinSet::new();
        for (unit, name, clerk) in &schools {
            for _ in 0..2 {
                let c = clerk.clone();
                let path = format!("/units/{unit}/ledger.xlsx");
                let name = name.to_string();
                tasks.spawn(async move { (name, c.get(&path).await) });
            }
        }
        let all = tokio::time::timeout(std::time::Duration::from_secs(60), async {
            let mut out = Vec::new();
            while let Some(r) = tasks.join_next().await {
                out.push(r.unwrap());
            }
            out
        })
        .await
        .unwrap_or_else(|_| panic!("16 exports on a pool of 2 did not finish ({backend:?})"));
        assert_eq!(all.len(), 16);
        for (name, r) in all {
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            assert!(unzip(&r.body, "xl/sharedStrings.xml").contains(name.as_str()));
        }
        app.stop().await;
    }
}

/// One account's expensive requests take turns: two run at once, eight more wait, and one more
/// is refused at once (429, in Chinese, with Retry-After) — while another account's export is
/// not held up. When the turns are given back, every waiting export gets its file.
#[tokio::test]
async fn one_accounts_exports_take_turns_and_never_hold_up_another() {
    let app = spawn_app(TestDb::sqlite()).await;
    let top = app.setup("district-school", "河东区教体局").await;
    let first = school(&app, top, "环湖中学", "clerk1").await;
    let second = school(&app, top, "实验小学", "clerk2").await;
    materialise(&app).await;
    let clerk = app.login("clerk1").await;
    let other = app.login("clerk2").await;
    let clerk_id = {
        let mut r = app.store.reader().await.unwrap();
        r.account_by_username("clerk1").await.unwrap().unwrap().id
    };
    // The clerk already has two exports running (held here, as a slow export would hold them).
    let limits = app.state.limits();
    let me = zeren_web::limits::Client(clerk_id);
    let running = [
        limits.turn(me).await.unwrap(),
        limits.turn(me).await.unwrap(),
    ];
    let path = format!("/units/{}/ledger.xlsx", first.unit);
    let mut waiting = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let c = clerk.clone();
        let path = path.clone();
        waiting.spawn(async move { c.get(&path).await });
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        waiting.try_join_next().is_none(),
        "an export ran while the account had two running"
    );
    // Another account is not held up.
    let r = other
        .get(&format!("/units/{}/ledger.xlsx", second.unit))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // An eleventh is refused at once, saying why; pages and the API alike.
    let r = clerk.get(&path).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text.contains("同时进行的导出和统计太多"), "{}", r.text);
    assert_eq!(r.headers.get("retry-after").unwrap(), "2");
    let r = clerk
        .get(&format!("/api/v1/units/{}/dashboard", first.unit))
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.json()["error"], "busy");
    // A cheap page is never counted.
    assert_eq!(clerk.get("/work").await.status, StatusCode::OK);
    drop(running);
    let all = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        let mut out = Vec::new();
        while let Some(r) = waiting.join_next().await {
            out.push(r.unwrap());
        }
        out
    })
    .await
    .expect("the waiting exports never ran");
    assert_eq!(all.len(), 8);
    for r in all {
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    assert_eq!(limits.clients(), 0);
    app.stop().await;
}
