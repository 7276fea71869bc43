//! Issue 18's robot in the browser: a school's administrator opens the school, follows the link
//! to its group robots, sets up a 钉钉 robot (address and signing secret), sends a test that the
//! loopback 钉钉 accepts (it checks the signature), sends today's digest, and the digest —
//! what is late, with links — arrives at the receiver; the page then shows it delivered.

use chrono::Duration;
use zeren_policy::calendar::WorkCalendar;
use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, NewPerson};

use crate::helpers::*;
use crate::robot_receiver::{Receiver, Robot};
use crate::webdriver::Driver;
use crate::{enabled, shots};

#[tokio::test]
async fn a_unit_sets_up_a_dingtalk_robot_and_its_digest_arrives() {
    if !enabled() {
        return;
    }
    let rx = Receiver::start(Duration::seconds(60)).await;
    rx.add(
        "e2e-dingtalk-token",
        Robot {
            secret: "SECe2e0123456789".into(),
            ..Robot::default()
        },
    );
    let app = spawn_app_with(TestDb::sqlite(), |c| {
        c.robot_hosts = "127.0.0.1".into();
        c.public_url = Some("https://zeren.example.cn".into());
    })
    .await;
    let bureau = app.setup("bureau", "河东区教体局").await;
    let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
    let today = zeren_web::today();
    let since = chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&today) - 1, 1, 1).unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    let school = w
        .create_unit(Some(bureau), "河东区第一中学", "学校")
        .await
        .unwrap();
    let text = zeren_policy::packs::get("district-school").unwrap().text;
    let inst = w
        .install_policy(school.id, "district-school", "1", "实施办法", text, "x")
        .await
        .unwrap();
    w.set_policy_effective_from(inst.id, since).await.unwrap();
    let head = w
        .create_person(&NewPerson {
            unit_id: school.id,
            name: "王庆彬".into(),
            phone: Some("13800000002".into()),
            ..NewPerson::default()
        })
        .await
        .unwrap();
    w.assign(head.id, school.id, "first_responsible", since)
        .await
        .unwrap();
    let p = w
        .create_person(&NewPerson {
            unit_id: school.id,
            name: "李娜".into(),
            ..NewPerson::default()
        })
        .await
        .unwrap();
    let a = w
        .create_account("clerk", Some(p.id), &hash, AdminDuty::None)
        .await
        .unwrap();
    w.set_grant(a.id, school.id, Level::Administer)
        .await
        .unwrap();
    w.commit().await.unwrap();
    // A year and more of the school's work, none of it done: the digest has much that is late.
    let cal = WorkCalendar::bundled();
    let mut d = since;
    while d < today {
        zeren_store::materialise::materialise_all(&app.store, d, &cal)
            .await
            .unwrap();
        d = d.checked_add_months(chrono::Months::new(1)).unwrap();
    }

    let driver = Driver::start().await;
    let s = driver.session(false).await;
    s.goto(&format!("{}/login", app.base)).await;
    s.type_into(&s.find("input[name=username]").await, "clerk")
        .await;
    s.type_into(&s.find("input[name=password]").await, PASSWORD)
        .await;
    s.click(&s.find("form button").await).await;
    s.wait_url("/work").await;
    s.goto(&format!("{}/units/{}", app.base, school.id)).await;
    s.click(&s.find("#robots-link").await).await;
    s.wait_url(&format!("/units/{}/robots", school.id)).await;
    s.wait_for(&["添加群机器人"]).await;

    // Set up the group's 钉钉 robot: its address and signing secret, @ those with late work.
    s.script("document.querySelector('#robot-new select[name=platform]').value = 'dingtalk'")
        .await;
    s.type_into(
        &s.find("#robot-new input[name=name]").await,
        "学校党建工作群",
    )
    .await;
    s.type_into(
        &s.find("#robot-new input[name=webhook]").await,
        &rx.dingtalk("e2e-dingtalk-token"),
    )
    .await;
    s.type_into(
        &s.find("#robot-new input[name=secret]").await,
        "SECe2e0123456789",
    )
    .await;
    s.click(&s.find("#robot-new input[name=mention]").await)
        .await;
    s.screenshot(&shots().join("robots-1-form.png")).await;
    s.click(&s.find("#robot-add").await).await;
    let page = s.wait_for(&["学校党建工作群", "已设置加签密钥"]).await;
    assert!(
        !page.contains("SECe2e") && !page.contains("e2e-dingtalk-token"),
        "never shown back"
    );

    // A test send: the receiver checks the signature and takes it.
    let page = s
        .submit_and_wait(&s.find("button[id^='test-']").await, &["测试发送成功"])
        .await;
    assert!(page.contains("测试发送成功"), "{page}");
    s.screenshot(&shots().join("robots-2-tested.png")).await;

    // Today's digest, now: it arrives at the receiver, signed, with what is late and its links.
    s.click(&s.find("button[id^='digest-']").await).await;
    s.wait_url(&format!("/units/{}/robots", school.id)).await;
    let mut digest = None;
    for _ in 0..300 {
        digest = rx.got().into_iter().find(|g| g.text().contains("工作提醒"));
        if digest.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let digest = digest.expect("the digest arrives at the receiver");
    assert!(rx.refused().is_empty(), "{:?}", rx.refused());
    let text = digest.text();
    assert!(text.starts_with("### 河东区第一中学工作提醒"), "{text}");
    assert!(text.contains("**已逾期 "), "{text}");
    assert!(
        text.contains("](https://zeren.example.cn/obligations/"),
        "{text}"
    );
    assert!(text.contains("@13800000002"), "{text}");
    assert_eq!(digest.body["at"]["atMobiles"][0], "13800000002");

    // The page shows it delivered, with the platform's code.
    for _ in 0..50 {
        s.goto(&format!("{}/units/{}/robots", app.base, school.id))
            .await;
        if s.source().await.contains("已送达") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(s.source().await.contains("已送达"));
    s.screenshot(&shots().join("robots-3-delivered.png")).await;
    s.quit().await;
    app.stop().await;
}
