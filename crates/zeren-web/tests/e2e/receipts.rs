//! Issue 10's parent side in the browser: a school reports its half year; the bureau's office
//! sees it waiting in the navigation and on 我的工作 and returns it with a reason; the school
//! sees it returned and corrects it; the office, still on the page it opened before the
//! correction, is told in Chinese that the record changed and is led to the current version,
//! which it acknowledges; 签收人 and 签收时间 show on the record.

use zeren_policy::calendar::WorkCalendar;
use zeren_store::ledger::{LedgerRead, ObligationFilter};
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

/// The text of `css` once it has appeared (htmx loads badges after the page).
async fn text_of(s: &Session<'_>, css: &str) -> String {
    for _ in 0..100 {
        let t = s
            .script(&format!(
                "const e = document.querySelector({css:?}); return e ? e.textContent : ''"
            ))
            .await
            .as_str()
            .unwrap_or_default()
            .to_string();
        if !t.is_empty() {
            return t;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    String::new()
}

#[tokio::test]
async fn the_bureau_returns_a_report_and_acknowledges_the_corrected_one() {
    if !enabled() {
        return;
    }
    let app = spawn_app(TestDb::sqlite()).await;
    let bureau = app.setup("bureau", "河东区教体局").await;
    let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    let school = w
        .create_unit(Some(bureau), "河东区第一中学", "学校")
        .await
        .unwrap();
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
    for (user, unit, name) in [("clerk", school.id, "李娜"), ("office", bureau, "赵立新")] {
        let p = w
            .create_person(&NewPerson {
                unit_id: unit,
                name: name.into(),
                ..NewPerson::default()
            })
            .await
            .unwrap();
        if unit == school.id {
            w.assign(
                p.id,
                unit,
                "first_responsible",
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
    }
    w.commit().await.unwrap();
    let today = zeren_web::today();
    zeren_store::materialise::materialise_all(&app.store, today, &WorkCalendar::bundled())
        .await
        .unwrap();
    let report = app
        .store
        .reader()
        .await
        .unwrap()
        .obligations(&ObligationFilter {
            unit: Some(school.id),
            duty: Some("half_year_report".into()),
            ..ObligationFilter::default()
        })
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.obligation.period_start <= today && today <= p.obligation.period_end)
        .unwrap()
        .obligation
        .id;

    let driver = Driver::start().await;
    let dir = shots();
    let base = app.base.clone();

    // The school reports its half year with the written report.
    let clerk = login(&driver, &base, "clerk").await;
    clerk.goto(&format!("{base}/obligations/{report}")).await;
    let file = dir.join("上半年工作汇报.pdf");
    std::fs::write(&file, crate::pdf()).unwrap();
    clerk
        .script(&format!(
            "document.querySelector('#record-form input[name=work_date]').value = '{today}'"
        ))
        .await;
    clerk
        .type_into(
            &clerk.find("#record-form textarea[name=content]").await,
            "上半年意识形态工作汇报。",
        )
        .await;
    clerk
        .type_into(
            &clerk.find("#record-form input[name=files]").await,
            file.to_str().unwrap(),
        )
        .await;
    let page = clerk
        .submit_and_wait(&clerk.find("#record-form button").await, &["待上级签收"])
        .await;
    assert!(page.contains("待上级签收"), "{page}");
    clerk.quit().await;

    // The bureau's office: the navigation counts it; 我的工作 lists it; it is returned.
    let office = login(&driver, &base, "office").await;
    assert_eq!(text_of(&office, "#nav-pending .badge").await, "1");
    office.screenshot(&dir.join("k1-pending.png")).await;
    office.click(&office.find("#nav-pending").await).await;
    let link = office
        .find(&format!("#pending a[href^='/obligations/{report}']"))
        .await;
    office.click(&link).await;
    office.wait_for(&["退回理由"]).await;
    office
        .type_into(
            &office
                .find("form[action$='/return'] input[name=reason]")
                .await,
            "缺少第二季度数据，请补充后重新报送",
        )
        .await;
    office
        .click(&office.find("form[action$='/return'] button").await)
        .await;
    let page = office.wait_for(&["已退回"]).await;
    assert!(page.contains("缺少第二季度数据"), "{page}");
    office.screenshot(&dir.join("k2-returned.png")).await;

    // The school sees it returned on 我的工作 and corrects it from the open correction form.
    let clerk = login(&driver, &base, "clerk").await;
    let returned = text_of(&clerk, "#returned").await;
    assert!(returned.contains("缺少第二季度数据"), "{returned}");
    clerk.screenshot(&dir.join("k3-school-work.png")).await;
    clerk
        .click(&clerk.find("#returned a[href^='/obligations/']").await)
        .await;
    clerk.wait_for(&["请按退回意见更正"]).await;
    clerk.screenshot(&dir.join("k4-school-returned.png")).await;
    clerk
        .type_into(
            &clerk.find("details[open] input[name=reason]").await,
            "按退回意见补充第二季度数据",
        )
        .await;
    clerk
        .click(&clerk.find("details[open] form button").await)
        .await;
    clerk.wait_for(&["第2版"]).await;
    clerk.quit().await;

    // The office acknowledges from a copy of the page it read before the correction (a tab
    // left open): it is told in Chinese that the record changed, and led to the current version.
    office.goto(&format!("{base}/obligations/{report}")).await;
    office.wait_for(&["待上级签收"]).await;
    office
        .script("document.querySelector(\"form[action$='/acknowledge'] input[name=version]\").value = '1'")
        .await;
    office
        .click(&office.find("form[action$='/acknowledge'] button").await)
        .await;
    let stale = office.wait_for(&["查看当前版本"]).await;
    assert!(
        stale.contains("第1版") && stale.contains("第2版") && stale.contains("按退回意见补充"),
        "{stale}"
    );
    office.screenshot(&dir.join("k5-stale.png")).await;
    office
        .click(&office.find("a[href*='#record-']").await)
        .await;
    office.wait_for(&["待上级签收"]).await;
    office
        .click(&office.find("form[action$='/acknowledge'] button").await)
        .await;
    let page = office.wait_for(&["上级已签收", "签收人"]).await;
    assert!(
        page.contains("赵立新") && page.contains("签收时间") && page.contains("北京时间"),
        "{page}"
    );
    office.screenshot(&dir.join("k6-acknowledged.png")).await;
    assert_eq!(text_of(&office, "#nav-pending").await, "");
    office.quit().await;
    drop(driver);
    app.stop().await;
}
