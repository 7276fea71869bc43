//! In a real browser: a record refused for its missing document, then for a file over the upload
//! limit, comes back with the date, place, participants and minutes as typed, the reason beside
//! the file input, and the limit in megabytes; nothing is stored until it is right.

use helpers::*;
use zeren_policy::calendar::WorkCalendar;
use zeren_store::ledger::{LedgerRead, ObligationFilter};
use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, NewPerson};

use crate::{enabled, helpers, pdf, shots, webdriver};

/// The record form's date, place, ticked participants and minutes as the browser has them.
async fn kept(s: &webdriver::Session<'_>) -> Vec<String> {
    let v = s
        .script(
            "const f = document.querySelector('#record-form');
             return [f.querySelector('input[name=work_date]').value,
                     f.querySelector('input[name=place]').value,
                     [...f.querySelectorAll('input[name=participants]:checked')].map(e => e.value).sort().join(','),
                     f.querySelector('textarea[name=content]').value];",
        )
        .await;
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_refused_record_keeps_what_was_typed_in_the_browser() {
    if !enabled() {
        return;
    }
    let app = spawn_app_with(TestDb::sqlite(), |c| c.upload_limit_mb = 1).await;
    let top = app.setup("district-school", "河西区实验小学").await;
    let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    let mut people = Vec::new();
    for n in ["陈书记", "林主任", "吴老师"] {
        people.push(
            w.create_person(&NewPerson {
                unit_id: top,
                name: n.into(),
                ..NewPerson::default()
            })
            .await
            .unwrap(),
        );
    }
    w.assign(
        people[0].id,
        top,
        "first_responsible",
        chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
    )
    .await
    .unwrap();
    let clerk = w
        .create_account("clerk", Some(people[1].id), &hash, AdminDuty::None)
        .await
        .unwrap();
    w.set_grant(clerk.id, top, Level::Edit).await.unwrap();
    w.commit().await.unwrap();
    zeren_store::materialise::materialise_all(
        &app.store,
        zeren_web::today(),
        &WorkCalendar::bundled(),
    )
    .await
    .unwrap();
    let today = zeren_web::today();
    let obligation = app
        .store
        .reader()
        .await
        .unwrap()
        .obligations(&ObligationFilter {
            unit: Some(top),
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

    let driver = webdriver::Driver::start().await;
    let s = driver.session(false).await;
    let dir = shots();
    s.goto(&format!("{}/login", app.base)).await;
    s.type_into(&s.find("input[name=username]").await, "clerk")
        .await;
    s.type_into(&s.find("input[name=password]").await, PASSWORD)
        .await;
    s.click(&s.find("form button").await).await;
    s.wait_url("/work").await;
    s.goto(&format!("{}/obligations/{obligation}", app.base))
        .await;

    // Fill everything in but the document the duty needs.
    let fill = || async {
        s.script(&format!(
            "document.querySelector('#record-form input[name=work_date]').value = '{today}'"
        ))
        .await;
        s.type_into(
            &s.find("#record-form input[name=place]").await,
            "二楼会议室",
        )
        .await;
        for p in &people[..2] {
            s.click(
                &s.find(&format!(
                    "#record-form input[name=participants][value='{}']",
                    p.id
                ))
                .await,
            )
            .await;
        }
        s.type_into(
            &s.find("#record-form textarea[name=content]").await,
            "一、上半年意识形态工作情况。\n二、存在的问题和下一步打算。",
        )
        .await;
    };
    fill().await;
    let page = s
        .submit_and_wait(
            &s.find("#record-form button").await,
            &["本项工作须上传文件材料"],
        )
        .await;
    assert!(page.contains("本项工作须上传文件材料"), "{page}");
    s.screenshot(&dir.join("forms-1-missing-document.png"))
        .await;
    let expected = vec![
        today.to_string(),
        "二楼会议室".to_string(),
        {
            let mut ids = [people[0].id.to_string(), people[1].id.to_string()];
            ids.sort();
            ids.join(",")
        },
        "一、上半年意识形态工作情况。\n二、存在的问题和下一步打算。".to_string(),
    ];
    assert_eq!(kept(&s).await, expected, "what was typed is still there");

    // Now a file over the 1 MB limit: 413, the limit named, what was typed still there.
    let big = dir.join("扫描件.pdf");
    let mut bytes = pdf();
    bytes.resize(1024 * 1024 + 64 * 1024, b' ');
    std::fs::write(&big, bytes).unwrap();
    s.type_into(
        &s.find("#record-form input[name=files]").await,
        big.to_str().unwrap(),
    )
    .await;
    s.click(&s.find("#record-form button").await).await;
    // Wait for the refusal itself: the form's own hint already names "1 MB".
    let page = s.wait_for(&["超过上传上限（1 MB）"]).await;
    assert!(page.contains("超过上传上限（1 MB）"), "{page}");
    assert!(page.contains("需重新选择"), "{page}");
    s.screenshot(&dir.join("forms-2-over-the-limit.png")).await;
    assert_eq!(kept(&s).await, expected, "still there after a 413");

    // With a proper document it is recorded.
    let file = dir.join("半年汇报.pdf");
    std::fs::write(&file, pdf()).unwrap();
    s.type_into(
        &s.find("#record-form input[name=files]").await,
        file.to_str().unwrap(),
    )
    .await;
    let page = s
        .submit_and_wait(&s.find("#record-form button").await, &["半年汇报.pdf"])
        .await;
    assert!(
        page.contains("二楼会议室") && page.contains("半年汇报.pdf"),
        "{page}"
    );
    s.quit().await;
    drop(driver);
    let n = app
        .store
        .reader()
        .await
        .unwrap()
        .records_of(obligation)
        .await
        .unwrap()
        .len();
    assert_eq!(n, 1, "only the good submission is stored");
    app.stop().await;
}
