//! Issue 14's dashboard in the browser: the bureau's office opens the bureau, follows the link to
//! its dashboard, sees the school that has done nothing first and red in the heat map, clicks the
//! red cell and lands on that school's overdue obligations of that duty, and opens one of them.

use zeren_policy::calendar::WorkCalendar;
use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, NewPerson};

use crate::helpers::*;
use crate::webdriver::{Driver, Session};
use crate::{enabled, shots};

/// The bureau (the bureau pack) with 河东区第一中学 below it, under the district pack since the start
/// of last year and with none of its obligations done, and the bureau's office (赵立新, `office`)
/// holding `level` at the bureau. Returns the bureau's and the school's ids.
pub(crate) async fn bureau_with_a_lax_school(app: &App, level: Level) -> (i64, i64) {
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
    let p = w
        .create_person(&NewPerson {
            unit_id: bureau,
            name: "赵立新".into(),
            ..NewPerson::default()
        })
        .await
        .unwrap();
    let a = w
        .create_account("office", Some(p.id), &hash, AdminDuty::None)
        .await
        .unwrap();
    w.set_grant(a.id, bureau, level).await.unwrap();
    w.commit().await.unwrap();
    // A year and more of the school's obligations, none of them done.
    let cal = WorkCalendar::bundled();
    let mut d = since;
    while d < today {
        zeren_store::materialise::materialise_all(&app.store, d, &cal)
            .await
            .unwrap();
        d = d.checked_add_months(chrono::Months::new(1)).unwrap();
    }
    (bureau, school.id)
}

/// Signed in as the office: the bureau's page, its dashboard, the school red in the heat map, the
/// red cell, the school's overdue obligations of that duty, one of them.
pub(crate) async fn drill_to_an_overdue_obligation(
    s: &Session<'_>,
    base: &str,
    bureau: i64,
    school: i64,
    shot: &str,
) {
    s.goto(&format!("{base}/units/{bureau}")).await;
    s.click(&s.find("#dashboard-link").await).await;
    s.wait_url(&format!("/units/{bureau}/dashboard")).await;
    let page = s.wait_for(&["heat-figure", "河东区第一中学"]).await;
    assert!(page.contains("督查看板"), "the dashboard opened");
    s.screenshot(&shots().join(format!("{shot}-1-bureau.png")))
        .await;
    // The red cell of the school: what is overdue in one duty.
    let cell = format!(
        "#heat-figure a[href*='/units/{school}/dashboard/obligations'][href*='which=overdue']"
    );
    s.click(&s.find(&cell).await).await;
    let mut url = String::new();
    for _ in 0..100 {
        url = s.url().await;
        if url.contains("/dashboard/obligations") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        url.contains(&format!("/units/{school}/dashboard/obligations")),
        "{url}"
    );
    assert!(
        url.contains("which=overdue") && url.contains("duty="),
        "{url}"
    );
    let list = s.wait_for(&["aria-current=\"page\""]).await;
    assert!(list.contains("已逾期"), "overdue obligations are listed");
    s.screenshot(&shots().join(format!("{shot}-2-overdue.png")))
        .await;
    // One of them: the school's obligation, overdue.
    s.click(&s.find("table a[href^='/obligations/']").await)
        .await;
    s.wait_for(&["已逾期", "河东区第一中学"]).await;
    assert!(s.url().await.contains("/obligations/"));
    s.screenshot(&shots().join(format!("{shot}-3-obligation.png")))
        .await;
}

#[tokio::test]
async fn the_bureau_drills_from_a_red_cell_to_an_overdue_obligation() {
    if !enabled() {
        return;
    }
    let app = spawn_app(TestDb::sqlite()).await;
    let (bureau, school) = bureau_with_a_lax_school(&app, Level::Read).await;
    let driver = Driver::start().await;
    let s = driver.session(false).await;
    s.goto(&format!("{}/login", app.base)).await;
    s.type_into(&s.find("input[name=username]").await, "office")
        .await;
    s.type_into(&s.find("input[name=password]").await, PASSWORD)
        .await;
    s.click(&s.find("form button").await).await;
    s.wait_url("/work").await;
    drill_to_an_overdue_obligation(&s, &app.base, bureau, school, "dashboard").await;
    s.quit().await;
    app.stop().await;
}
