//! Issue 15's "Done when" in the browser: the bureau's office opens a cycle over its three
//! schools; the first school self-assesses with a record of its ledger linked as evidence; the
//! office reviews it, overriding a measured value with its reason, and locks it; the school
//! appeals and the office answers; the other two schools are reviewed (tied, they share a place);
//! the office publishes the ranking (ending the appeal window early, as it confirms), and the
//! 评分表, downloaded in the same session as XLSX and as DOCX, carries the deduction lines.

use std::io::Read as _;

use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, NewPerson};

use crate::dashboard::bureau_with_a_lax_school;
use crate::helpers::*;
use crate::inspections::{login, set};
use crate::webdriver::Driver;
use crate::{enabled, shots};

#[tokio::test]
async fn a_cycle_over_three_schools_is_self_assessed_reviewed_appealed_and_published() {
    if !enabled() {
        return;
    }
    let app = spawn_app(TestDb::sqlite()).await;
    let (bureau, first) = bureau_with_a_lax_school(&app, Level::Edit).await;
    let base = app.base.clone();
    let today = zeren_web::today();
    let year = chrono::Datelike::year(&today) - 1;

    // Two more schools under the district pack, and an office clerk at the first.
    let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    let text = zeren_policy::packs::get("district-school").unwrap().text;
    let mut others = Vec::new();
    for name in ["河东区第二中学", "河东区第三中学"] {
        let u = w.create_unit(Some(bureau), name, "学校").await.unwrap();
        let inst = w
            .install_policy(u.id, "district-school", "1", "实施办法", text, "x")
            .await
            .unwrap();
        w.set_policy_effective_from(
            inst.id,
            chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap(),
        )
        .await
        .unwrap();
        others.push(u.id);
    }
    let p = w
        .create_person(&NewPerson {
            unit_id: first,
            name: "孙晓梅".into(),
            ..NewPerson::default()
        })
        .await
        .unwrap();
    let a = w
        .create_account("clerk", Some(p.id), &hash, AdminDuty::None)
        .await
        .unwrap();
    w.set_grant(a.id, first, Level::Edit).await.unwrap();
    w.commit().await.unwrap();
    materialise_since(&app, chrono::NaiveDate::from_ymd_opt(year, 1, 15).unwrap()).await;
    // The first school studied in the first two quarters of last year, on time.
    let (studies, records) = record_studies(&app, first, year, 2).await;
    assert_eq!(studies.len(), 4);

    let driver = Driver::start().await;
    let dir = shots();

    // The office opens the cycle from the assessment list.
    let office = login(&driver, &base, "office").await;
    office.goto(&format!("{base}/assessment")).await;
    office
        .click(&office.find(&format!("#open-cycle-{bureau}")).await)
        .await;
    office.wait_for(&["cycle-form"]).await;
    set(
        &office,
        "#cycle-form input[name=title]",
        "年度意识形态工作考核",
    )
    .await;
    let chosen = office
        .script(
            "const s = document.querySelector('#cycle-form select[name=installed_policy_id]');
             const o = [...s.options].find(o => o.text.includes('学校意识形态工作责任制实施办法'));
             if (!o) return false; s.value = o.value; return true;",
        )
        .await;
    assert_eq!(
        chosen,
        serde_json::Value::Bool(true),
        "the schools' policy is offered"
    );
    for (name, value) in [
        ("period_start", format!("{year}-01-01")),
        ("period_end", format!("{year}-12-31")),
        ("self_due_on", today.to_string()),
        ("review_due_on", today.to_string()),
        ("appeal_until", (today + chrono::Days::new(10)).to_string()),
    ] {
        set(&office, &format!("#cycle-form input[name={name}]"), &value).await;
    }
    office.screenshot(&dir.join("asmt-1-open.png")).await;
    let page = office
        .submit_and_wait(
            &office.find("#cycle-form button").await,
            &["cycle-units", "河东区第三中学"],
        )
        .await;
    for name in ["河东区第一中学", "河东区第二中学", "河东区第三中学"] {
        assert!(page.contains(name), "{name} in the cycle");
    }
    let cycle_url = office.url().await;
    let cycle: i64 = cycle_url
        .rsplit('/')
        .next()
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("{cycle_url}"));
    let sheet_url = format!("{base}/assessment/{cycle}/units/{first}");

    // The school self-assesses: a range deduction with its reason and a record linked.
    let clerk = login(&driver, &base, "clerk").await;
    clerk.goto(&sheet_url).await;
    let page = clerk.wait_for(&["self-form"]).await;
    assert!(
        page.contains("<b class=\"ledger-value\">2 次</b>"),
        "the missed studies measured from the ledger"
    );
    set(&clerk, "#self-form input[name=v_lectures]", "1.5").await;
    clerk
        .type_into(
            &clerk.find("#self-form textarea[name=n_lectures]").await,
            "心得体会文章未按时完成",
        )
        .await;
    clerk
        .click(&clerk.find("#leaf-lectures details summary").await)
        .await;
    clerk
        .click(
            &clerk
                .find(&format!(
                    "#leaf-lectures input[name=e_lectures][value='{}']",
                    records[0]
                ))
                .await,
        )
        .await;
    set(&clerk, "#self-form input[name=v_sentiment_unreported]", "0").await;
    set(&clerk, "#self-form input[name=v_positions]", "2").await;
    clerk
        .type_into(
            &clerk.find("#self-form textarea[name=n_positions]").await,
            "新媒体台账不全",
        )
        .await;
    set(&clerk, "#self-form input[name=l_honours__city]", "1").await;
    clerk.screenshot(&dir.join("asmt-2-self.png")).await;
    let page = clerk
        .submit_and_wait(&clerk.find("#self-submit").await, &["得分：47.5</b> / 100"])
        .await;
    assert!(page.contains("得分：47.5</b> / 100"), "{page}");
    assert!(
        page.contains(&format!(
            "href=\"/obligations/{}#record-{}\"",
            studies[0].obligation.id, records[0]
        )),
        "the linked record is shown as evidence"
    );
    clerk.screenshot(&dir.join("asmt-3-self-done.png")).await;

    // The office reviews: the missed studies overridden (one was on paper) with the reason, locked.
    office.goto(&sheet_url).await;
    office.wait_for(&["review-form"]).await;
    set(&office, "#review-form input[name=v_missed_study]", "1").await;
    office
        .type_into(
            &office.find("#review-form input[name=r_missed_study]").await,
            "第三季度学习记录在纸质台账，已核实",
        )
        .await;
    set(
        &office,
        "#review-form input[name=n_lectures]",
        "心得体会文章未按时完成",
    )
    .await;
    set(
        &office,
        "#review-form input[name=n_positions]",
        "新媒体台账不全",
    )
    .await;
    office.click(&office.find("#review-lock").await).await;
    office.screenshot(&dir.join("asmt-4-review.png")).await;
    let page = office
        .submit_and_wait(
            &office.find("#review-submit").await,
            &["缺 1 次 × 10 分 = −10（上限 40 分）", "id=\"locked\""],
        )
        .await;
    assert!(
        page.contains("缺 1 次 × 10 分 = −10（上限 40 分）"),
        "{page}"
    );
    assert!(page.contains("第三季度学习记录在纸质台账，已核实"));

    // The school appeals; the office answers.
    clerk.goto(&sheet_url).await;
    clerk.wait_for(&["appeal-form"]).await;
    clerk
        .type_into(
            &clerk.find("#appeal-form textarea[name=text]").await,
            "第四季度学习已开展，见会议纪要",
        )
        .await;
    clerk
        .submit_and_wait(
            &clerk.find("#appeal-submit").await,
            &["第四季度学习已开展，见会议纪要", "class=\"appeal\""],
        )
        .await;
    office.goto(&sheet_url).await;
    office.wait_for(&["answer-"]).await;
    office
        .click(&office.find("form[id^=answer-] input[value=rejected]").await)
        .await;
    office
        .type_into(
            &office.find("form[id^=answer-] textarea[name=text]").await,
            "会议纪要未在考核期内上传，维持原评分",
        )
        .await;
    let page = office
        .submit_and_wait(
            &office.find("form[id^=answer-] button").await,
            &["class=\"answer\"", "会议纪要未在考核期内上传，维持原评分"],
        )
        .await;
    assert!(!page.contains("form[id^=answer-]") && !page.contains("id=\"answer-"));
    office.screenshot(&dir.join("asmt-5-appeal.png")).await;

    // The other two schools are reviewed and locked (through the API, as another office might).
    let api = app.login("office").await;
    for unit in &others {
        let r = api
            .json(
                &format!("/api/v1/assessment/cycles/{cycle}/units/{unit}/review"),
                serde_json::json!({ "entries": {
                    "lectures": { "value": "0" }, "sentiment_unreported": { "value": "0" },
                    "positions": { "value": "0" }, "honours": { "levels": { "city": "1" } } },
                    "lock": true }),
            )
            .await;
        assert_eq!(r.status, reqwest::StatusCode::CREATED, "{}", r.text);
    }

    // Published from the ranking, the appeal window's early end confirmed.
    office
        .goto(&format!("{base}/assessment/{cycle}/ranking"))
        .await;
    office.wait_for(&["publish-form"]).await;
    office.click(&office.find("#close-early").await).await;
    let page = office
        .submit_and_wait(&office.find("#publish").await, &["id=\"published\""])
        .await;
    let rows = office.find_all("#ranking tbody tr").await;
    let mut ranked = Vec::new();
    for r in &rows {
        ranked.push(office.text(r).await);
    }
    assert_eq!(ranked.len(), 3, "{page}");
    // 40 − 10 − 1.5 + 0 + 28 + 1 = 57.5 first; the other two, with no study at all, tie at 31
    // and share the second place (the next would be the fourth).
    assert!(
        ranked[0].starts_with("学校 1 河东区第一中学") && ranked[0].contains("57.5"),
        "{ranked:?}"
    );
    for r in &ranked[1..] {
        assert!(r.starts_with("学校 2 ") && r.contains(" 31 "), "{ranked:?}");
    }
    assert!(ranked.iter().any(|r| r.contains("河东区第二中学")));
    assert!(ranked.iter().any(|r| r.contains("河东区第三中学")));
    assert!(!page.contains("id=\"publish\""), "published once");
    office.screenshot(&dir.join("asmt-6-published.png")).await;
    // The school now sees the ranking.
    clerk
        .goto(&format!("{base}/assessment/{cycle}/ranking"))
        .await;
    assert!(clerk
        .wait_for(&["id=\"published\""])
        .await
        .contains("河东区第一中学"));

    // The 评分表 from the cycle's page, as Excel and as Word, downloaded in the office's session.
    office.goto(&cycle_url).await;
    office.wait_for(&["export-link", "export-docx"]).await;
    let cookie = office
        .cookie(zeren_web::context::SESSION_COOKIE)
        .await
        .expect("session cookie");
    let mut files = Vec::new();
    for (link, part) in [
        ("export-link", "xl/sharedStrings.xml"),
        ("export-docx", "word/document.xml"),
    ] {
        let href = office
            .script(&format!("return document.querySelector('#{link}').href"))
            .await;
        let r = reqwest::Client::new()
            .get(href.as_str().unwrap())
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::OK, "{link}");
        let bytes = r.bytes().await.unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let mut text = String::new();
        z.by_name(part).unwrap().read_to_string(&mut text).unwrap();
        files.push((link, text));
        let ext = if link == "export-docx" {
            "docx"
        } else {
            "xlsx"
        };
        std::fs::write(dir.join(format!("asmt-评分表.{ext}")), &bytes).unwrap();
    }
    for (link, text) in &files {
        for want in [
            "年度意识形态工作考核汇总表",
            "扣分原因",
            "党支部意识形态专题学习缺次：缺 1 次 × 10 分 = −10（上限 40 分）",
            "酌情扣 1.5 分（心得体会文章未按时完成）= −1.5",
            "河东区第三中学",
        ] {
            assert!(text.contains(want), "{want} in the 评分表 ({link})");
        }
    }
    office.quit().await;
    clerk.quit().await;
    drop(driver);
    app.stop().await;
}
