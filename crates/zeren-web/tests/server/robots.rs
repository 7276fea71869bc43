//! Group robots against a loopback receiver that answers like the platforms: a unit's
//! administrator sets a robot up on the unit's page (its secret never shown back); a test send
//! names the setting at fault from the platform's code (wrong secret, missing keyword, IP
//! allow-list, unknown address); a burst of 100 messages reaches a robot at 20 a minute in order,
//! none dropped and none twice; a long digest fits 企业微信's 4,096-byte Markdown limit and @-s
//! by mobile in a text message after it. The platforms' minute is shortened to two seconds on
//! both sides; the counts are the platforms'. On SQLite, and on PostgreSQL when configured.

use chrono::Duration;
use reqwest::StatusCode;
use zeren_store::notify::{Channel, DeliveryFilter, NewDelivery, NotifyRead};
use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, NewPerson};

use crate::helpers::*;
use crate::robot_receiver::{Receiver, Robot};

const MINUTE: i64 = 2;

/// A server whose robots may call loopback, a school under the bureau, and its administrator
/// `clerk` (a person with a mobile). Returns the app and the school's id.
async fn school(db: TestDb) -> (App, i64) {
    let app = spawn_app_with(db, |c| {
        c.robot_hosts = "127.0.0.1".into();
        c.public_url = Some("https://zeren.example.cn".into());
    })
    .await;
    app.state
        .set_robot_minute_for_tests(Duration::seconds(MINUTE));
    let bureau = app.setup("bureau", "河东区教体局").await;
    let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    let school = w
        .create_unit(Some(bureau), "河东区第一中学", "学校")
        .await
        .unwrap();
    let p = w
        .create_person(&NewPerson {
            unit_id: school.id,
            name: "李娜".into(),
            phone: Some("13800000001".into()),
            ..NewPerson::default()
        })
        .await
        .unwrap();
    let clerk = w
        .create_account("clerk", Some(p.id), &hash, AdminDuty::None)
        .await
        .unwrap();
    w.set_grant(clerk.id, school.id, Level::Administer)
        .await
        .unwrap();
    w.commit().await.unwrap();
    (app, school.id)
}

/// Adds a robot through the unit's page; its id.
async fn add_robot(c: &Client, unit: i64, fields: &[(&str, &str)]) -> i64 {
    let r = c.form(&format!("/units/{unit}/robots"), fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = c.get(&format!("/units/{unit}/robots")).await.text;
    let name = fields.iter().find(|(k, _)| *k == "name").unwrap().1;
    let at = page
        .find(&format!("{name} <span"))
        .expect("the robot is listed");
    let id = page[..at].rsplit("id=\"robot-").next().unwrap();
    id[..id.find('"').unwrap()].parse().unwrap()
}

#[tokio::test]
async fn a_test_send_names_the_setting_at_fault() {
    for db in TestDb::all().await {
        let rx = Receiver::start(Duration::seconds(MINUTE)).await;
        rx.add(
            "good-robot-token",
            Robot {
                secret: "SECright".into(),
                keyword: "工作提醒".into(),
                ..Robot::default()
            },
        );
        rx.add(
            "walled",
            Robot {
                allow: vec!["10.0.0.1".into()],
                ..Robot::default()
            },
        );
        rx.add(
            "lark",
            Robot {
                secret: "SECfeishu".into(),
                ..Robot::default()
            },
        );
        let (app, unit) = school(db).await;
        let c = app.login("clerk").await;
        // The unit's page links to its robots for its administrator.
        assert!(c
            .get(&format!("/units/{unit}"))
            .await
            .text
            .contains(&format!("href=\"/units/{unit}/robots\"")));

        // A refused form keeps what was typed and says what is wrong beside the field.
        let r = c
            .form(
                &format!("/units/{unit}/robots"),
                &[
                    ("platform", "dingtalk"),
                    ("name", "党建工作群"),
                    ("webhook", "https://evil.example/robot/send?access_token=x"),
                    ("digest", "1"),
                    ("digest_at", "8点"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("value=\"党建工作群\""), "{}", r.text);
        assert!(r.text.contains("请填写机器人的完整地址"));
        assert!(r.text.contains("请填写每日摘要的发送时间"));

        let wrong = add_robot(
            &c,
            unit,
            &[
                ("platform", "dingtalk"),
                ("name", "党建工作群"),
                ("webhook", &rx.dingtalk("good-robot-token")),
                ("secret", "SECwrong"),
                ("keyword", "工作提醒"),
            ],
        )
        .await;
        // Neither the address nor the secret is shown back, over the page or the API.
        let page = c.get(&format!("/units/{unit}/robots")).await.text;
        assert!(!page.contains("good-robot") && !page.contains("SECwrong"));
        let list = c.get(&format!("/api/v1/units/{unit}/robots")).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(!list.text.contains("good-robot-token") && !list.text.contains("SEC"));
        assert_eq!(list.json()[0]["webhook_hint"], "127.0.0.1 …oken");
        let stored = app
            .store
            .reader()
            .await
            .unwrap()
            .robot(wrong)
            .await
            .unwrap()
            .unwrap();
        assert!(
            !stored.webhook_sealed.contains("good-robot-token")
                && !stored.secret_sealed.contains("SEC")
        );

        let test = |id: i64| {
            let c = c.clone();
            async move {
                let r = c
                    .json(
                        &format!("/api/v1/units/{unit}/robots/{id}/test"),
                        serde_json::json!({}),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text);
                r.json()
            }
        };
        let t = test(wrong).await;
        assert_eq!(
            (
                t["accepted"].as_bool(),
                t["code"].as_str(),
                t["setting"].as_str()
            ),
            (Some(false), Some("310000"), Some("secret")),
            "{t}"
        );
        // The page says it in words.
        let r = c
            .form(&format!("/units/{unit}/robots/{wrong}/test"), &[])
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text.contains("加签密钥不对"), "{}", r.text);

        // The right secret but no keyword: the keyword is named.
        let r = c
            .form(
                &format!("/units/{unit}/robots/{wrong}"),
                &[
                    ("platform", "dingtalk"),
                    ("name", "党建工作群"),
                    ("secret", "SECright"),
                    ("keyword", ""),
                    ("active", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(test(wrong).await["setting"], "keyword");
        // With the keyword as well: accepted.
        c.form(
            &format!("/units/{unit}/robots/{wrong}"),
            &[
                ("platform", "dingtalk"),
                ("name", "党建工作群"),
                ("keyword", "工作提醒"),
                ("active", "1"),
            ],
        )
        .await;
        let ok = test(wrong).await;
        assert_eq!(ok["accepted"], true, "{ok}");
        let got = rx.got();
        assert!(got.last().unwrap().text().contains("测试消息"));

        // An allow-list without this server; an address the platform does not know.
        let walled = add_robot(
            &c,
            unit,
            &[
                ("platform", "dingtalk"),
                ("name", "限制地址群"),
                ("webhook", &rx.dingtalk("walled")),
            ],
        )
        .await;
        assert_eq!(test(walled).await["setting"], "ip_allow_list");
        let gone = add_robot(
            &c,
            unit,
            &[
                ("platform", "wecom"),
                ("name", "已删除的群"),
                ("webhook", &rx.wecom("nobody")),
            ],
        )
        .await;
        assert_eq!(test(gone).await["setting"], "webhook");
        // 飞书 signs in the body: a wrong secret is named too.
        let lark = add_robot(
            &c,
            unit,
            &[
                ("platform", "feishu"),
                ("name", "飞书群"),
                ("webhook", &rx.feishu("lark")),
                ("secret", "SECother"),
            ],
        )
        .await;
        let t = test(lark).await;
        assert_eq!(
            (t["code"].as_str(), t["setting"].as_str()),
            (Some("19021"), Some("secret")),
            "{t}"
        );

        // Another unit's administrator (none here) and a reader cannot open the page.
        let anon = app.client();
        assert_ne!(
            anon.get(&format!("/units/{unit}/robots")).await.status,
            StatusCode::OK
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn a_burst_of_100_reaches_the_robot_in_order_at_20_a_minute() {
    for db in TestDb::all().await {
        let rx = Receiver::start(Duration::seconds(MINUTE)).await;
        rx.add(
            "burst",
            Robot {
                secret: "SECburst".into(),
                ..Robot::default()
            },
        );
        let (app, unit) = school(db).await;
        let c = app.login("clerk").await;
        let robot = add_robot(
            &c,
            unit,
            &[
                ("platform", "dingtalk"),
                ("name", "值班群"),
                ("webhook", &rx.dingtalk("burst")),
                ("secret", "SECburst"),
            ],
        )
        .await;
        let msgs: Vec<NewDelivery> = (0..100)
            .map(|i| NewDelivery {
                event: format!("burst:{i}"),
                channel: Channel::Robot,
                recipient: format!("robot:{robot}"),
                period: String::new(),
                person_id: None,
                robot_id: Some(robot),
                unit_id: Some(unit),
                address: String::new(),
                subject: format!("第{i}条"),
                body: format!("第{i}条提醒"),
                link: String::new(),
                mentions: Vec::new(),
                urgent: false,
                not_before: zeren_store::now(),
            })
            .collect();
        let start = std::time::Instant::now();
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        assert_eq!(w.queue_messages(&msgs).await.unwrap().new, 100);
        w.commit().await.unwrap();
        // Queued again (a re-run, another instance): nothing new.
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        assert_eq!(w.queue_messages(&msgs).await.unwrap().skipped, 100);
        w.commit().await.unwrap();
        for _ in 0..1200 {
            if rx.got().len() >= 100 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let got = rx.got();
        let texts: Vec<String> = got.iter().map(|g| g.text()).collect();
        let expected: Vec<String> = (0..100).map(|i| format!("第{i}条提醒")).collect();
        assert_eq!(texts, expected, "all 100, in order, none twice");
        assert!(
            rx.refused().is_empty(),
            "never over the rate: {:?}",
            rx.refused()
        );
        // 20 a minute: the last of 100 cannot come before four minutes have passed.
        assert!(got[99].at - got[0].at >= Duration::seconds(MINUTE * 4));
        assert!(start.elapsed() >= std::time::Duration::from_secs(MINUTE as u64 * 4));
        let ledger = app
            .store
            .reader()
            .await
            .unwrap()
            .deliveries(&DeliveryFilter {
                robot: Some(robot),
                limit: 1000,
                ..DeliveryFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(ledger.len(), 100);
        assert!(ledger.iter().all(|d| d.state == "sent"
            && d.attempts == 1
            && d.result_code == "0"
            && d.in_doubt == 0));
        let page = c.get(&format!("/units/{unit}/robots")).await.text;
        assert!(!page.contains("曾有一次发送结果未知"), "{page}");
        // A message whose first attempt's instance died after handing it over (the request
        // gone, no answer recorded): the next attempt finds it in doubt, and the robot's list
        // says the group may show it twice. (Not before tomorrow for the runner: taken by hand.)
        let mut late = msgs[0].clone();
        late.event = "burst:doubt".into();
        late.not_before = zeren_store::now() + Duration::days(1);
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        w.queue_messages(&[late]).await.unwrap();
        w.commit().await.unwrap();
        let id = app
            .store
            .reader()
            .await
            .unwrap()
            .deliveries(&DeliveryFilter {
                state: Some("queued".into()),
                limit: 1,
                ..DeliveryFilter::default()
            })
            .await
            .unwrap()[0]
            .id;
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        let first = w.start_delivery(id).await.unwrap().unwrap();
        assert!(w.hand_delivery(id, first.delivery.attempts).await.unwrap());
        w.commit().await.unwrap();
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        let again = w.start_delivery(id).await.unwrap().unwrap();
        assert!(again.in_doubt);
        let answer = zeren_store::notify::Answer::Accepted {
            code: "0".into(),
            words: "ok".into(),
        };
        w.finish_delivery(id, again.delivery.attempts, &answer)
            .await
            .unwrap();
        w.commit().await.unwrap();
        let page = c.get(&format!("/units/{unit}/robots")).await.text;
        assert_eq!(page.matches("曾有一次发送结果未知").count(), 1, "{page}");
        app.stop().await;
    }
}

/// A school far into the year with every duty late: its digest, too long for one 企业微信
/// Markdown message, is summarised to fit the 4,096-byte limit and still counts everything; the
/// people answering for late work are @-ed by mobile in a text message after it; sent once a day.
#[tokio::test]
async fn a_long_digest_fits_the_wecom_limit() {
    for db in TestDb::all().await {
        let rx = Receiver::start(Duration::seconds(MINUTE)).await;
        rx.add("group", Robot::default());
        let (app, unit) = school(db).await;
        let person = {
            let mut r = app.store.reader().await.unwrap();
            use zeren_store::Read;
            r.people_in_unit(unit).await.unwrap()[0].id
        };
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        let text = zeren_policy::packs::get("district-school").unwrap().text;
        w.install_policy(unit, "district-school", "1", "实施办法", text, "x")
            .await
            .unwrap();
        w.assign(
            person,
            unit,
            "first_responsible",
            chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        )
        .await
        .unwrap();
        w.commit().await.unwrap();
        zeren_store::materialise::materialise_all(
            &app.store,
            zeren_web::today(),
            &zeren_policy::calendar::WorkCalendar::bundled(),
        )
        .await
        .unwrap();
        // Sixty weeks of a weekly meeting, none recorded: far more than one message holds.
        late_weeks(&app, unit, 60).await;
        let c = app.login("clerk").await;
        let robot = add_robot(
            &c,
            unit,
            &[
                ("platform", "wecom"),
                ("name", "学校工作群"),
                ("webhook", &rx.wecom("group")),
                ("mention", "1"),
            ],
        )
        .await;
        let robot = app
            .store
            .reader()
            .await
            .unwrap()
            .robot(robot)
            .await
            .unwrap()
            .unwrap();
        let late = zeren_web::today() + chrono::Days::new(7);
        let s = zeren_store::notify_scan::ScanSettings::defaults(late, zeren_store::now());
        let q = zeren_store::notify_scan::queue_digests(
            &app.store,
            &s,
            std::slice::from_ref(&robot),
            Some("https://zeren.example.cn"),
        )
        .await
        .unwrap();
        assert_eq!(q.new, 2, "the digest and the message that @-s: {q:?}");
        for _ in 0..400 {
            if rx.got().len() >= 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let got = rx.got();
        assert!(rx.refused().is_empty(), "{:?}", rx.refused());
        assert_eq!(got.len(), 2);
        let digest = got[0].text();
        assert_eq!(got[0].body["msgtype"], "markdown");
        assert!(digest.len() <= 4096, "{} bytes", digest.len());
        assert!(digest.contains("**已逾期 "), "{digest}");
        assert!(digest.contains("另有"), "summarised: {digest}");
        assert!(
            digest.contains("](https://zeren.example.cn/obligations/"),
            "{digest}"
        );
        assert!(digest.contains(&format!(
            "[查看全部](https://zeren.example.cn/units/{unit}/ledger)"
        )));
        assert_eq!(got[1].body["msgtype"], "text");
        assert_eq!(
            got[1].body["text"]["mentioned_mobile_list"],
            serde_json::json!(["13800000001"])
        );
        // Once a day.
        let again = zeren_store::notify_scan::queue_digests(
            &app.store,
            &s,
            std::slice::from_ref(&robot),
            None,
        )
        .await
        .unwrap();
        assert_eq!((again.new, again.skipped), (0, 2));
        app.stop().await;
    }
}

/// A robot declared in `zeren.toml` is written at start, sealed; its unit's page lists it but
/// cannot change it; a start with the same file changes nothing; taken out of the file, it is
/// switched off.
#[tokio::test]
async fn a_robot_from_the_configuration_file() {
    for db in TestDb::all().await {
        let rx = Receiver::start(Duration::seconds(MINUTE)).await;
        rx.add(
            "from-file-token",
            Robot {
                secret: "SECfile".into(),
                ..Robot::default()
            },
        );
        let (app, unit) = school(db).await;
        let with = |robots: Vec<zeren_web::config::RobotConfig>| {
            zeren_web::AppState::new(
                app.store.clone(),
                zeren_web::Config {
                    robot_hosts: "127.0.0.1".into(),
                    robots,
                    ..zeren_web::Config::default()
                },
            )
            .with_seal_key(test_seal_key())
        };
        let declared = zeren_web::config::RobotConfig {
            unit,
            platform: "dingtalk".into(),
            name: "文件中的群".into(),
            webhook: rx.dingtalk("from-file-token"),
            secret: "SECfile".into(),
            keyword: String::new(),
            digest_at: Some("8:30".into()),
            mention: false,
        };
        let state = with(vec![declared.clone()]);
        zeren_web::sync_config_robots(&state).await.unwrap();
        zeren_web::sync_config_robots(&state).await.unwrap();
        let robots = app
            .store
            .reader()
            .await
            .unwrap()
            .robots_at(unit)
            .await
            .unwrap();
        assert_eq!(robots.len(), 1, "written once");
        let r = &robots[0];
        assert!(r.from_config && r.digest && r.active);
        assert_eq!(r.digest_at, "08:30");
        assert!(!r.secret_sealed.contains("SECfile"));
        let audited = {
            use zeren_store::Read;
            let mut rd = app.store.reader().await.unwrap();
            rd.audit_head().await.unwrap().1
        };
        zeren_web::sync_config_robots(&state).await.unwrap();
        let again = {
            use zeren_store::Read;
            let mut rd = app.store.reader().await.unwrap();
            rd.audit_head().await.unwrap().1
        };
        assert_eq!(audited, again, "an unchanged robot is left alone");

        let c = app.login("clerk").await;
        let page = c.get(&format!("/units/{unit}/robots")).await.text;
        assert!(page.contains("在配置文件中设置"));
        assert!(!page.contains(&format!("id=\"robot-form-{}\"", r.id)));
        let refused = c
            .form(
                &format!("/units/{unit}/robots/{}", r.id),
                &[("platform", "dingtalk"), ("name", "改名")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let t = c
            .json(
                &format!("/api/v1/units/{unit}/robots/{}/test", r.id),
                serde_json::json!({}),
            )
            .await
            .json();
        assert_eq!(t["accepted"], true, "{t}");

        zeren_web::sync_config_robots(&with(Vec::new()))
            .await
            .unwrap();
        let r = app
            .store
            .reader()
            .await
            .unwrap()
            .robot(r.id)
            .await
            .unwrap()
            .unwrap();
        assert!(!r.active, "out of the file: switched off");
        app.stop().await;
    }
}

/// `n` weeks of a weekly meeting at `unit` (its policy installed), the last ending this week,
/// none recorded.
async fn late_weeks(app: &App, unit: i64, n: u64) {
    let policy = {
        use zeren_store::Read;
        let mut r = app.store.reader().await.unwrap();
        r.policy_in_force(unit).await.unwrap().unwrap()
    };
    let first = zeren_web::today() - chrono::Days::new(7 * n);
    let weeks: Vec<zeren_store::ledger::NewObligation> = (0..n)
        .map(|i| {
            let start = first + chrono::Days::new(7 * i);
            zeren_store::ledger::NewObligation {
                installed_policy_id: policy.id,
                policy_id: "district-school".into(),
                duty_id: "quarterly_study".into(),
                title: "意识形态工作每周例会暨形势分析研判".into(),
                unit_id: unit,
                person_id: None,
                every: "week".into(),
                period_start: start,
                period_end: start + chrono::Days::new(6),
                period_label: format!("第{}周", i + 1),
                due_on: start + chrono::Days::new(6),
                times: 1,
                evidence: String::new(),
                report_to_parent: false,
            }
        })
        .collect();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    w.materialise_obligations(&weeks).await.unwrap();
    w.commit().await.unwrap();
}

/// The runner's digest job sends a robot's digest once its time of day (China time) has come,
/// once a day however often it runs; a robot whose time has not come gets nothing yet.
#[tokio::test]
async fn the_digest_goes_at_its_time_once_a_day() {
    for db in TestDb::all().await {
        let rx = Receiver::start(Duration::seconds(MINUTE)).await;
        rx.add("early-robot-token", Robot::default());
        rx.add("later-robot-token", Robot::default());
        let (app, unit) = school(db).await;
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        let text = zeren_policy::packs::get("district-school").unwrap().text;
        w.install_policy(unit, "district-school", "1", "实施办法", text, "x")
            .await
            .unwrap();
        w.commit().await.unwrap();
        late_weeks(&app, unit, 3).await;
        let c = app.login("clerk").await;
        let early = add_robot(
            &c,
            unit,
            &[
                ("platform", "wecom"),
                ("name", "早"),
                ("webhook", &rx.wecom("early-robot-token")),
                ("digest", "1"),
                ("digest_at", "00:00"),
            ],
        )
        .await;
        // Two hours from now, China time, unless that is tomorrow.
        let local = zeren_core::notify::china(zeren_store::now());
        let later_at = local + Duration::hours(2);
        let later = (later_at.date() == local.date()).then(|| later_at.format("%H:%M").to_string());
        if let Some(at) = &later {
            add_robot(
                &c,
                unit,
                &[
                    ("platform", "wecom"),
                    ("name", "晚"),
                    ("webhook", &rx.wecom("later-robot-token")),
                    ("digest", "1"),
                    ("digest_at", at),
                ],
            )
            .await;
        }
        for _ in 0..2 {
            app.store
                .enqueue_job(&zeren_store::jobs::NewJob::now(
                    "digests",
                    serde_json::json!({}),
                ))
                .await
                .unwrap();
        }
        for _ in 0..200 {
            if !rx.got().is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        // Both runs done (the job list has no queued or running digests job left).
        for _ in 0..200 {
            use zeren_store::jobs::JobRead;
            let mut r = app.store.reader().await.unwrap();
            let busy = r
                .jobs_in("queued", 100)
                .await
                .unwrap()
                .iter()
                .chain(r.jobs_in("running", 100).await.unwrap().iter())
                .any(|j| j.kind == "digests" || j.kind == "deliver");
            if !busy {
                break;
            }
            drop(r);
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let got = rx.got();
        assert_eq!(got.len(), 1, "one digest: {got:?}");
        assert_eq!(got[0].token, "early-robot-token");
        assert!(got[0].text().contains("**已逾期 "), "{}", got[0].text());
        let ledger = app
            .store
            .reader()
            .await
            .unwrap()
            .deliveries(&DeliveryFilter {
                robot: Some(early),
                limit: 10,
                ..DeliveryFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(ledger.len(), 1);
        assert_eq!(ledger[0].period, local.date().to_string());
        app.stop().await;
    }
}
