//! Issue 14's "Done when" in the browser: the bureau opens its dashboard and drills from a red cell
//! to the school's overdue obligation, plans an inspection of two schools, sends a finding; the
//! school proposes a rectification, the bureau returns it once and accepts the second version; the
//! school applies for 销号 with evidence and the bureau closes it. The 通报 converts to PDF in
//! LibreOffice, and its text carries the completion rate.

use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, NewPerson};

use crate::dashboard::{bureau_with_a_lax_school, drill_to_an_overdue_obligation};
use crate::helpers::*;
use crate::webdriver::{Driver, Session};
use crate::{enabled, shots};

pub(crate) async fn login<'a>(driver: &'a Driver, base: &str, user: &str) -> Session<'a> {
    let s = driver.session(false).await;
    s.goto(&format!("{base}/login")).await;
    s.type_into(&s.find("input[name=username]").await, user)
        .await;
    s.type_into(&s.find("input[name=password]").await, PASSWORD)
        .await;
    s.click(&s.find("form button").await).await;
    assert!(s.wait_url("/work").await.ends_with("/work"), "{user}");
    s
}

/// Sets a field's value (date inputs take typed text in the locale's order; this does not).
pub(crate) async fn set(s: &Session<'_>, css: &str, value: &str) {
    s.script(&format!(
        "document.querySelector({}).value = {};",
        serde_json::to_string(css).unwrap(),
        serde_json::to_string(value).unwrap()
    ))
    .await;
}

/// Submits the form `form` (by its id) and waits for the finding's page to show `text`.
async fn submit(s: &Session<'_>, form: &str, text: &str) -> String {
    let button = s.find(&format!("#{form} button")).await;
    s.submit_and_wait(&button, &[text]).await
}

#[tokio::test]
async fn the_bureau_inspects_two_schools_and_closes_a_finding() {
    if !enabled() {
        return;
    }
    let app = spawn_app(TestDb::sqlite()).await;
    let (bureau, school) = bureau_with_a_lax_school(&app, Level::Edit).await;
    // A second school, and the first school's office who answers for it.
    let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    w.create_unit(Some(bureau), "河东区第二中学", "学校")
        .await
        .unwrap();
    let p = w
        .create_person(&NewPerson {
            unit_id: school,
            name: "钱校长".into(),
            ..NewPerson::default()
        })
        .await
        .unwrap();
    let a = w
        .create_account("clerk", Some(p.id), &hash, AdminDuty::None)
        .await
        .unwrap();
    w.set_grant(a.id, school, Level::Edit).await.unwrap();
    w.commit().await.unwrap();
    let base = app.base.clone();
    let due = (zeren_web::today() + chrono::Days::new(30)).to_string();
    let file = shots().join("insp-evidence.txt");
    std::fs::write(&file, "两次专题学习的签到表与记录").unwrap();

    let driver = Driver::start().await;
    let office = login(&driver, &base, "office").await;
    drill_to_an_overdue_obligation(&office, &base, bureau, school, "insp").await;

    // The plan: both schools, the office on the team, the programme's first point.
    office.goto(&format!("{base}/units/{bureau}")).await;
    office.click(&office.find("#inspections-link").await).await;
    office.wait_for(&["plan-form"]).await;
    office
        .type_into(
            &office.find("#plan-form input[name=title]").await,
            "意识形态工作专项督查",
        )
        .await;
    for b in office.find_all("#plan-units input[name=units]").await {
        office.click(&b).await;
    }
    office
        .click(&office.find("#plan-form input[name=team]").await)
        .await;
    office
        .click(&office.find("#plan-form input[name=items]").await)
        .await;
    office
        .submit_and_wait(
            &office.find("#plan-form button").await,
            &["finding-form", "河东区第二中学"],
        )
        .await;
    assert!(office.url().await.contains("/inspections/"));
    office
        .screenshot(&shots().join("insp-4-inspection.png"))
        .await;
    let inspection = office.url().await;

    // A finding for the first school (listed first), on the programme's first point.
    office
        .click(
            &office
                .find("#finding-form select[name=item] option[value='0']")
                .await,
        )
        .await;
    office
        .type_into(
            &office
                .find("#finding-form textarea[name=description]")
                .await,
            "第三季度理论学习中心组学习无记录",
        )
        .await;
    set(&office, "#finding-form input[name=due]", &due).await;
    let page = submit(&office, "finding-form", "待提出整改方案").await;
    assert!(page.contains("第三季度理论学习中心组学习无记录"));
    let finding = office.url().await;
    assert!(finding.contains("/findings/"), "{finding}");
    office.screenshot(&shots().join("insp-5-finding.png")).await;

    // The school: 我的工作 lists it; it proposes a rectification.
    let clerk = login(&driver, &base, "clerk").await;
    clerk.wait_for(&["第三季度理论学习中心组学习无记录"]).await;
    clerk
        .click(&clerk.find("#findings a[href^='/findings/']").await)
        .await;
    clerk.wait_for(&["propose-form"]).await;
    clerk
        .click(
            &clerk
                .find("#propose-form select[name=kind] option[value='deadline']")
                .await,
        )
        .await;
    clerk
        .type_into(
            &clerk.find("#propose-form textarea[name=measures]").await,
            "补开专题学习",
        )
        .await;
    set(&clerk, "#propose-form input[name=due]", &due).await;
    submit(&clerk, "propose-form", "整改方案待确认").await;

    // The bureau returns it once.
    office.goto(&finding).await;
    office.wait_for(&["return-form"]).await;
    office
        .type_into(
            &office.find("#return-form textarea[name=text]").await,
            "措施不具体，须明确学习内容和时间",
        )
        .await;
    submit(&office, "return-form", "此版本已退回").await;
    office
        .screenshot(&shots().join("insp-6-returned.png"))
        .await;

    // The school proposes a second version; the bureau accepts it.
    clerk.goto(&finding).await;
    clerk.wait_for(&["此版本已退回"]).await;
    set(
        &clerk,
        "#propose-form textarea[name=measures]",
        "十月底前补开两次中心组专题学习，学习习近平总书记关于意识形态工作的重要论述，留存签到表和记录",
    )
    .await;
    submit(&clerk, "propose-form", "第2版").await;
    office.goto(&finding).await;
    office.wait_for(&["accept-form"]).await;
    // Wait for what only the acceptance shows: the old page already says 整改中 in places, and
    // its navigation badges change its source while the answer is on its way.
    let page = submit(&office, "accept-form", "双方已确认").await;
    assert!(page.contains("双方已确认"), "{page}");

    // The school applies for 销号 with evidence; the bureau closes it after 复查.
    clerk.goto(&finding).await;
    clerk.wait_for(&["apply-form"]).await;
    clerk
        .type_into(
            &clerk.find("#apply-form textarea[name=text]").await,
            "两次专题学习均已完成",
        )
        .await;
    clerk
        .type_into(
            &clerk.find("#apply-form input[name=files]").await,
            file.to_str().unwrap(),
        )
        .await;
    submit(&clerk, "apply-form", "待复查").await;
    clerk.screenshot(&shots().join("insp-7-applied.png")).await;
    office.goto(&finding).await;
    office.wait_for(&["close-form"]).await;
    office
        .type_into(
            &office.find("#close-form textarea[name=text]").await,
            "经复查，学习记录齐全，同意销号",
        )
        .await;
    let page = submit(&office, "close-form", "已销号").await;
    assert!(
        page.contains("insp-evidence.txt"),
        "the evidence is on the page"
    );
    office.screenshot(&shots().join("insp-8-closed.png")).await;
    office.goto(&inspection).await;
    let page = office.wait_for(&["bulletin-link"]).await;
    assert!(page.contains("整改完成率100.0%"), "{page}");
    office
        .screenshot(&shots().join("insp-9-completion.png"))
        .await;
    clerk.quit().await;
    office.quit().await;

    // The 通报, as the bureau downloads it, converted by LibreOffice.
    let c = app.login("office").await;
    let id = inspection.rsplit('/').next().unwrap();
    let r = c.get(&format!("/inspections/{id}/bulletin.docx")).await;
    assert_eq!(r.status, reqwest::StatusCode::OK);
    let text = crate::rendered_text("bulletin", "docx", &r.body);
    assert!(text.contains("整改完成率100.0%"), "{text}");
    assert!(text.contains("河东区第一中学"), "{text}");
    app.stop().await;
}
