//! Issue 16's journey in the browser: a school reports a 较大 incident from a phone-sized screen
//! (the level its figures suggest marked as they are typed),
//! the 初报 is signed off (签发) and goes up; the bureau acknowledges it (签收) and asks for a 续报
//! in two hours; the school sends it late (marked 迟报 to the minute), then the 终报; the bureau
//! reviews the closure. The held-out 网络安全 policy with closure review by the parent for 较大;
//! the incident clock is set, not slept through.

use chrono::{Duration, DurationRound, Utc};
use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, NewPerson};

use crate::helpers::*;
use crate::webdriver::{Driver, Session};
use crate::{enabled, shots};

const POLICY: &str = include_str!("../../../zeren-policy/tests/fixtures/network-security.toml");

async fn login<'a>(driver: &'a Driver, base: &str, user: &str, mobile: bool) -> Session<'a> {
    let s = driver.session(mobile).await;
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

fn china(t: chrono::DateTime<Utc>) -> String {
    (t + Duration::hours(8))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

#[tokio::test]
async fn a_school_reports_a_large_incident_and_the_bureau_reviews_its_closure() {
    if !enabled() {
        return;
    }
    let app = spawn_app(TestDb::sqlite()).await;
    let bureau = app.setup("bureau", "河东区教体局").await;
    let policy = POLICY.replacen(
        "report_to = \"parent\"\nsign_off = \"security_leader\"\n",
        "report_to = \"parent\"\nsign_off = \"security_leader\"\nclose_review = \"parent\"\n",
        1,
    );
    assert_ne!(policy, POLICY);
    let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    let school = w
        .create_unit(Some(bureau), "河东区第一中学", "学校")
        .await
        .unwrap()
        .id;
    w.install_policy(school, "network-security", "1", "网络安全", &policy, "x")
        .await
        .unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    for (user, name, unit, role) in [
        ("officer", "网管员李娜", school, Some("security_officer")),
        ("leader", "分管校长周涛", school, Some("security_leader")),
        ("office", "局办赵立新", bureau, None),
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
        if role.is_none() {
            w.set_grant(a.id, unit, Level::Edit).await.unwrap();
        }
    }
    w.commit().await.unwrap();
    let t0 = Utc::now().duration_trunc(Duration::minutes(1)).unwrap();
    app.state.set_incident_clock_for_tests(Some(t0));

    let driver = Driver::start().await;
    let dir = shots();
    let officer = login(&driver, &app.base, "officer", true).await;
    let leader = login(&driver, &app.base, "leader", false).await;
    let office = login(&driver, &app.base, "office", false).await;

    // The school reports from a phone: from the navigation to the form, the level chosen with
    // its criteria in view.
    officer.click(&officer.find("#nav-incidents").await).await;
    officer.wait_url("/incidents").await;
    officer.click(&officer.find("#report-incident").await).await;
    officer.wait_url("/incidents/new").await;
    officer
        .type_into(&officer.find("input[name=title]").await, "校园网中断")
        .await;
    officer
        .click(&officer.find("select[name=kind] option[value=outage]").await)
        .await;
    officer
        .type_into(&officer.find("input[name=place]").await, "信息中心机房")
        .await;
    officer
        .type_into(&officer.find("input[name=fact_outage_hours]").await, "7")
        .await;
    officer
        .type_into(
            &officer.find("textarea[name=body]").await,
            "上午9时起校园网全部中断",
        )
        .await;
    officer
        .type_into(
            &officer.find("textarea[name=measures]").await,
            "启动应急预案",
        )
        .await;
    // Leaving the figure marks the level it suggests, chosen until the reporter changes it.
    officer.wait_for(&["建议级别"]).await;
    let checked = officer
        .script("return document.querySelector('input[name=level][value=large]').checked")
        .await;
    assert_eq!(
        checked,
        serde_json::json!(true),
        "the suggested level is chosen"
    );
    officer
        .screenshot(&dir.join("incident-1-suggested.png"))
        .await;
    officer
        .click(&officer.find("#incident-form button").await)
        .await;
    officer.wait_for(&["id=\"reports\""]).await;
    let url = officer.url().await;
    let id: i64 = url
        .split("/incidents/")
        .nth(1)
        .and_then(|x| x.split('#').next())
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("an incident page: {url}"));
    let page_url = format!("{}/incidents/{id}", app.base);
    let src = officer.source().await;
    assert!(src.contains("剩余4小时"), "the 初报's countdown: {src}");

    // 签发 by the 分管领导, then it leaves the school.
    leader.goto(&page_url).await;
    leader
        .click(&leader.find("#sign-off-initial button").await)
        .await;
    leader.wait_url("#top").await;
    leader.wait_for(&["签发：分管校长周涛"]).await;
    app.state
        .set_incident_clock_for_tests(Some(t0 + Duration::minutes(25)));
    officer.goto(&page_url).await;
    officer
        .click(&officer.find("#send-initial button").await)
        .await;
    officer.wait_url("#top").await;
    officer.wait_for(&["报出：", "按时"]).await;

    // The bureau acknowledges it and asks for a 续报 within two hours.
    office.goto(&format!("{}/work", app.base)).await;
    office
        .wait_for(&["待签收的突发事件报告", "校园网中断"])
        .await;
    office.goto(&page_url).await;
    office
        .click(&office.find("#receive-initial button").await)
        .await;
    office.wait_url("#top").await;
    office.wait_for(&["签收：河东区教体局"]).await;
    let due = t0 + Duration::minutes(25) + Duration::hours(2);
    office.goto(&page_url).await;
    office
        .script(&format!(
            "document.querySelector('input[name=due]').value = '{}'",
            china(due)
        ))
        .await;
    office
        .click(&office.find("#request-form button").await)
        .await;
    office.wait_url("#top").await;
    office.wait_for(&["上级要求的续报", "剩余2小时"]).await;
    office
        .screenshot(&dir.join("incident-2-requested.png"))
        .await;

    // The school's 续报 comes 17 minutes late.
    app.state
        .set_incident_clock_for_tests(Some(due + Duration::minutes(17)));
    officer.goto(&format!("{}/work", app.base)).await;
    officer.wait_for(&["漏报（已超时17分钟）"]).await;
    officer.goto(&page_url).await;
    officer
        .click(
            &officer
                .find("select[name=report] option[value=follow_up_1]")
                .await,
        )
        .await;
    officer
        .type_into(
            &officer.find("#draft-form textarea[name=body]").await,
            "已恢复八成业务",
        )
        .await;
    officer
        .click(&officer.find("#draft-form button").await)
        .await;
    officer.wait_url("#reports").await;
    officer.wait_for(&["续报1", "已恢复八成业务"]).await;
    leader.goto(&page_url).await;
    leader
        .click(&leader.find("#sign-off-follow_up_1 button").await)
        .await;
    leader.wait_url("#top").await;
    leader.wait_for(&["签发：分管校长周涛"]).await;
    officer.goto(&page_url).await;
    officer
        .click(&officer.find("#send-follow_up_1 button").await)
        .await;
    officer.wait_url("#top").await;
    officer.wait_for(&["迟报17分钟"]).await;
    officer.screenshot(&dir.join("incident-3-late.png")).await;

    // The 终报, signed off and sent; handling ends and the school asks to close.
    officer
        .click(
            &officer
                .find("select[name=report] option[value=final]")
                .await,
        )
        .await;
    officer
        .type_into(
            &officer.find("#draft-form textarea[name=body]").await,
            "业务全部恢复，原因为核心交换机故障",
        )
        .await;
    officer
        .click(&officer.find("#draft-form button").await)
        .await;
    officer.wait_url("#reports").await;
    officer.wait_for(&["业务全部恢复"]).await;
    leader.goto(&page_url).await;
    leader
        .click(&leader.find("#sign-off-final button").await)
        .await;
    leader.wait_url("#top").await;
    leader.wait_for(&["终报"]).await;
    officer.goto(&page_url).await;
    officer
        .click(&officer.find("#send-final button").await)
        .await;
    officer.wait_url("#top").await;
    officer.wait_for(&["报出终报"]).await;
    officer.goto(&page_url).await;
    officer
        .type_into(
            &officer.find("#closure-form textarea[name=summary]").await,
            "已更换交换机，业务恢复",
        )
        .await;
    officer
        .click(&officer.find("#closure-form button").await)
        .await;
    officer.wait_url("#top").await;
    officer.wait_for(&["办结待审核"]).await;

    // The bureau reviews the closure.
    office.goto(&page_url).await;
    office
        .click(
            &office
                .find("#review-form button[value=accept_closure]")
                .await,
        )
        .await;
    office.wait_url("#top").await;
    let src = office.wait_for(&["办结审核通过", "已办结"]).await;
    assert!(src.contains("迟报17分钟"), "the 迟报 stays on the record");
    office.screenshot(&dir.join("incident-4-closed.png")).await;
    officer.quit().await;
    leader.quit().await;
    office.quit().await;
    app.stop().await;
}
