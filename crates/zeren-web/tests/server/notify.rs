//! The in-app inbox over HTTP: the notices scan puts a due-soon reminder in the inbox of the
//! person who answers for the work, and a notice of a review step in the inbox of the person who
//! must decide it, once however often it runs; the navigation counts it; only
//! the recipient reads it (another account finds nothing, over the page and the API). On SQLite,
//! and on PostgreSQL when configured.

use reqwest::StatusCode;
use zeren_policy::calendar::WorkCalendar;
use zeren_store::ledger::{LedgerRead, ObligationFilter};
use zeren_store::notify::Channel;
use zeren_store::notify_scan::{queue_notices, ScanSettings};
use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, NewPerson};

use crate::helpers::*;

#[tokio::test]
async fn a_reminder_reaches_only_its_recipients_inbox_once() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let bureau = app.setup("bureau", "河东区教体局").await;
        let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        let school = w
            .create_unit(Some(bureau), "河东区第一中学", "学校")
            .await
            .unwrap();
        let mut people = Vec::new();
        for n in ["王庆彬", "李娜"] {
            let p = w
                .create_person(&NewPerson {
                    unit_id: school.id,
                    name: n.into(),
                    ..NewPerson::default()
                })
                .await
                .unwrap();
            people.push(p.id);
        }
        let text = zeren_policy::packs::get("district-school").unwrap().text;
        w.install_policy(
            school.id,
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
            school.id,
            "first_responsible",
            chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        )
        .await
        .unwrap();
        w.create_account("secretary", Some(people[0]), &hash, AdminDuty::None)
            .await
            .unwrap();
        let clerk = w
            .create_account("clerk", Some(people[1]), &hash, AdminDuty::None)
            .await
            .unwrap();
        w.set_grant(clerk.id, school.id, Level::Administer)
            .await
            .unwrap();
        w.commit().await.unwrap();
        zeren_store::materialise::materialise_all(
            &app.store,
            zeren_web::today(),
            &WorkCalendar::bundled(),
        )
        .await
        .unwrap();
        let today = zeren_web::today();
        let study = app
            .store
            .reader()
            .await
            .unwrap()
            .obligations(&ObligationFilter {
                unit: Some(school.id),
                duty: Some("quarterly_study".into()),
                ..ObligationFilter::default()
            })
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.obligation.period_start <= today && today <= p.obligation.period_end)
            .unwrap()
            .obligation;

        // The clerk submits a major decision: its first step waits for the first responsible.
        let item = submit_decision(&app, school.id, people[1]).await;

        // The scan on the study's due date: due today.
        let s = ScanSettings::defaults(study.due_on, zeren_store::now());
        let q = queue_notices(&app.store, &s, &[Channel::Inbox])
            .await
            .unwrap();
        assert!(q.new >= 1, "{q:?}");
        let again = queue_notices(&app.store, &s, &[Channel::Inbox])
            .await
            .unwrap();
        assert_eq!(again.new, 0, "a re-run sends nothing twice");

        let me = app.login("secretary").await;
        let inbox = me.get("/api/v1/notifications").await.json();
        let link = format!("/obligations/{}", study.id);
        let mine: Vec<&serde_json::Value> = inbox["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["link"] == link.as_str())
            .collect();
        assert_eq!(mine.len(), 1, "{inbox}");
        assert!(mine[0]["subject"]
            .as_str()
            .unwrap()
            .starts_with("【即将到期】"));
        let id = mine[0]["id"].as_i64().unwrap();
        let waiting: Vec<&serde_json::Value> = inbox["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["link"] == format!("/reviews/{item}").as_str())
            .collect();
        assert_eq!(waiting.len(), 1, "{inbox}");
        assert_eq!(waiting[0]["subject"], "【待审核】绩效方案");
        let unread = inbox["unread"].as_i64().unwrap();
        assert!(unread >= 1);
        let home = me.get("/notifications").await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.text.contains(mine[0]["subject"].as_str().unwrap()));
        assert!(me
            .get("/notifications/count")
            .await
            .text
            .contains(&format!(">{unread}<")));

        // The clerk administers the school but reads nothing of the secretary's.
        let other = app.login("clerk").await;
        let theirs = other.get("/api/v1/notifications").await.json();
        assert!(theirs["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["id"].as_i64() != Some(id)));
        let r = other
            .json(
                &format!("/api/v1/notifications/{id}/read"),
                serde_json::json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = other.form(&format!("/notifications/{id}/open"), &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // Opening it marks it read and goes to the obligation.
        let r = me.form(&format!("/notifications/{id}/open"), &[]).await;
        assert_eq!(
            (r.status, r.location()),
            (StatusCode::SEE_OTHER, link.as_str())
        );
        let after = me.get("/api/v1/notifications").await.json();
        assert_eq!(after["unread"].as_i64().unwrap(), unread - 1);
        let r = me
            .json(
                &format!("/api/v1/notifications/{id}/read"),
                serde_json::json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(r.json()["read_at"].is_string());
        let r = me.form("/notifications/read-all", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(me.get("/notifications/count").await.text, "");
        app.stop().await;
    }
}

/// A major decision of `unit` submitted by `person`, in review at its first step.
async fn submit_decision(app: &App, unit: i64, person: i64) -> i64 {
    use zeren_store::reviews::*;
    use zeren_store::Read;
    let policy = app
        .store
        .reader()
        .await
        .unwrap()
        .policy_in_force(unit)
        .await
        .unwrap()
        .unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    let version = NewItemVersion {
        title: "绩效方案".into(),
        details: serde_json::json!({}),
        ..NewItemVersion::default()
    };
    let item = w
        .create_review_item(
            &NewItem {
                unit_id: unit,
                installed_policy_id: policy.id,
                workflow_id: "major_decision".into(),
                kind: "decision".into(),
                channel_id: None,
                major: true,
                submitter_person_id: person,
            },
            &version,
        )
        .await
        .unwrap();
    let submitted = zeren_core::review::Event::Submitted {
        by: zeren_core::org::PersonId(person),
        version: 1,
        hash: version.hash(),
    };
    w.append_review_event(
        item.id,
        0,
        &submitted,
        zeren_core::review::Stage::InReview { step: 0 },
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    item.id
}

/// What the loopback mail server received: (recipient, message text).
type Mailbox = std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>;

/// A mail server on loopback that speaks enough SMTP for a client: it takes every message, but
/// refuses recipients whose address starts with `nobody` (550, a permanent failure).
async fn smtp_receiver() -> (u16, Mailbox) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got: Mailbox = Default::default();
    let inbox = got.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let inbox = inbox.clone();
            tokio::spawn(async move {
                let (r, mut w) = socket.into_split();
                let mut lines = BufReader::new(r).lines();
                let _ = w.write_all(b"220 loopback ESMTP\r\n").await;
                let mut rcpt = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250-loopback\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        rcpt = line[8..].trim().trim_matches(['<', '>']).to_string();
                        if rcpt.starts_with("nobody") {
                            b"550 5.1.1 no such mailbox\r\n"
                        } else {
                            b"250 2.1.5 ok\r\n"
                        }
                    } else if upper == "DATA" {
                        let _ = w.write_all(b"354 go ahead\r\n").await;
                        let mut text = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            text.push_str(&l);
                            text.push('\n');
                        }
                        inbox.lock().unwrap().push((rcpt.clone(), text));
                        b"250 2.0.0 queued as 1\r\n"
                    } else if upper == "QUIT" {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = w.write_all(reply).await;
                }
            });
        }
    });
    (port, got)
}

/// With a mail server configured, a person who gives an address receives the reminder by e-mail
/// as well — plain text and HTML, the Chinese subject encoded — once; the ledger records the
/// server's answer; an address the server refuses ends failed with its code, not retried.
#[tokio::test]
async fn a_reminder_by_email_through_a_loopback_mail_server() {
    for db in TestDb::all().await {
        let (port, mails) = smtp_receiver().await;
        let app = spawn_app_with(db, |c| {
            c.smtp_host = Some("127.0.0.1".into());
            c.smtp_port = Some(port);
            c.smtp_tls = "none".into();
            c.smtp_from = Some("责任制 <zeren@school.example>".into());
            c.public_url = Some("https://zeren.example.cn".into());
        })
        .await;
        let bureau = app.setup("bureau", "河东区教体局").await;
        let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        let school = w
            .create_unit(Some(bureau), "河东区第一中学", "学校")
            .await
            .unwrap();
        let mut people = Vec::new();
        for n in ["王庆彬", "李娜"] {
            let p = w
                .create_person(&NewPerson {
                    unit_id: school.id,
                    name: n.into(),
                    ..NewPerson::default()
                })
                .await
                .unwrap();
            people.push(p.id);
        }
        let text = zeren_policy::packs::get("district-school").unwrap().text;
        w.install_policy(school.id, "district-school", "1", "实施办法", text, "x")
            .await
            .unwrap();
        w.assign(
            people[0],
            school.id,
            "first_responsible",
            chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        )
        .await
        .unwrap();
        w.create_account("secretary", Some(people[0]), &hash, AdminDuty::None)
            .await
            .unwrap();
        w.commit().await.unwrap();
        zeren_store::materialise::materialise_all(
            &app.store,
            zeren_web::today(),
            &WorkCalendar::bundled(),
        )
        .await
        .unwrap();

        let me = app.login("secretary").await;
        let page = me.get("/notifications").await.text;
        assert!(page.contains("id=\"email-form\""), "e-mail is offered");
        let r = me
            .form(
                "/notifications/email",
                &[("email", "不是地址"), ("by_email", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = me
            .form(
                "/notifications/email",
                &[("email", "wang@school.example"), ("by_email", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        // Quiet hours: half of them is refused beside the field, what was typed kept.
        let r = me
            .form(
                "/notifications/email",
                &[
                    ("email", "wang@school.example"),
                    ("by_email", "1"),
                    ("quiet_from", "22:00"),
                    ("quiet_to", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text.contains("请填写免打扰的开始和结束时间"),
            "{}",
            r.text
        );
        assert!(r.text.contains("value=\"22:00\""), "{}", r.text);
        assert!(r.text.contains("value=\"wang@school.example\""));
        let r = me
            .form(
                "/notifications/email",
                &[
                    ("email", "wang@school.example"),
                    ("by_email", "1"),
                    ("quiet_from", "22:00"),
                    ("quiet_to", "07:00"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let page = me.get("/notifications").await.text;
        assert!(page.contains("value=\"07:00\""), "{page}");
        // Cleared again, so that the reminders below go at once whatever the hour.
        let r = me
            .form(
                "/notifications/email",
                &[("email", "wang@school.example"), ("by_email", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);

        // The scan on the quarterly study's due date: due today.
        let today = zeren_web::today();
        let due = app
            .store
            .reader()
            .await
            .unwrap()
            .obligations(&ObligationFilter {
                unit: Some(school.id),
                duty: Some("quarterly_study".into()),
                ..ObligationFilter::default()
            })
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.obligation.period_start <= today && today <= p.obligation.period_end)
            .unwrap()
            .obligation
            .due_on;
        let s = ScanSettings::defaults(due, zeren_store::now());
        let q = queue_notices(&app.store, &s, &[Channel::Inbox, Channel::Email])
            .await
            .unwrap();
        assert!(q.new > q.delivered, "e-mails besides the inbox: {q:?}");
        // The server's runner sends them (and perhaps its own scan's, with the same keys).
        let sent = settled(&app).await;
        let got = mails.lock().unwrap().clone();
        assert!(!sent.is_empty());
        assert_eq!(got.len(), sent.len(), "each once");
        let (to, text) = &got[0];
        assert_eq!(to, "wang@school.example");
        assert!(text.contains("Subject: =?utf-8?b?"), "{text}");
        // Every attempt of a delivery carries the same Message-ID, its ledger row's.
        let first = sent.iter().find(|d| d.address == *to).unwrap();
        assert!(
            got.iter()
                .all(|(_, t)| t.contains("Message-ID: <zeren-delivery-")),
            "{text}"
        );
        assert!(
            got.iter().any(|(_, t)| t.contains(&format!(
                "Message-ID: <zeren-delivery-{}@school.example>",
                first.id
            ))),
            "{text}"
        );
        assert!(
            text.contains("text/plain") && text.contains("text/html"),
            "{text}"
        );
        let bodies = base64_parts(text);
        assert_eq!(bodies.len(), 2, "{text}");
        assert!(bodies[0].contains("到期"), "{}", bodies[0]);
        assert!(
            bodies[0].contains("https://zeren.example.cn/obligations/"),
            "{}",
            bodies[0]
        );
        assert!(
            bodies[1].contains("<a href=\"https://zeren.example.cn/obligations/"),
            "{}",
            bodies[1]
        );
        assert!(sent
            .iter()
            .all(|d| d.state == "sent" && d.result_code == "250" && d.attempts == 1));
        let again = queue_notices(&app.store, &s, &[Channel::Inbox, Channel::Email])
            .await
            .unwrap();
        assert_eq!(again.new, 0);
        assert_eq!(mails.lock().unwrap().len(), got.len());

        // An address the server refuses: failed with its code, on the dead-letter list.
        let r = me
            .form(
                "/notifications/email",
                &[("email", "nobody@school.example"), ("by_email", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let later = ScanSettings::defaults(due + chrono::Days::new(30), zeren_store::now());
        queue_notices(&app.store, &later, &[Channel::Email])
            .await
            .unwrap();
        let failed: Vec<_> = settled(&app)
            .await
            .into_iter()
            .filter(|d| d.state == "failed")
            .collect();
        assert!(!failed.is_empty(), "the refused address is recorded");
        assert_eq!(failed[0].result_code, "550");
        assert_eq!(failed[0].address, "nobody@school.example");
        app.stop().await;
    }
}

/// The e-mails of the ledger once none is waiting or being sent (ten seconds at most).
async fn settled(app: &App) -> Vec<zeren_store::notify::Delivery> {
    use zeren_store::notify::{DeliveryFilter, NotifyRead};
    let mut emails = Vec::new();
    for _ in 0..100 {
        emails = app
            .store
            .reader()
            .await
            .unwrap()
            .deliveries(&DeliveryFilter {
                limit: 1000,
                ..DeliveryFilter::default()
            })
            .await
            .unwrap()
            .into_iter()
            .filter(|d| d.channel == "email")
            .collect::<Vec<_>>();
        if emails
            .iter()
            .all(|d| d.state == "sent" || d.state == "failed")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    emails
}

/// The base64 parts of a MIME message, decoded.
fn base64_parts(text: &str) -> Vec<String> {
    use base64::Engine as _;
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        if l == "Content-Transfer-Encoding: base64" {
            let encoded: String = lines
                .by_ref()
                .skip_while(|l| l.is_empty())
                .take_while(|l| !l.is_empty() && !l.starts_with("--"))
                .collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .unwrap();
            out.push(String::from_utf8(bytes).unwrap());
        }
    }
    out
}
