//! Issue 19 in the browser: a school's administrator opens 从实施方案起草 from the policies page,
//! uploads the school's own 实施方案, follows an entry to the line it cites, drops one entry,
//! accepts another as drafted, answers the draft's questions in the draft, checks it, installs it,
//! and finds its duties in the school's ledger.

use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, NewPerson};

use crate::draft_plan::{answered, PLAN};
use crate::helpers::*;
use crate::webdriver::Driver;
use crate::{enabled, shots};

#[tokio::test]
async fn an_administrator_drafts_the_policy_from_the_school_plan_and_installs_it() {
    if !enabled() {
        return;
    }
    let app = spawn_app(TestDb::sqlite()).await;
    let top = app.setup("district-school", "罗山街道下埔小学").await;
    let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    let p = w
        .create_person(&NewPerson {
            unit_id: top,
            name: "李娜".into(),
            ..NewPerson::default()
        })
        .await
        .unwrap();
    let a = w
        .create_account("office", Some(p.id), &hash, AdminDuty::None)
        .await
        .unwrap();
    w.set_grant(a.id, top, Level::Administer).await.unwrap();
    w.commit().await.unwrap();

    let dir = shots();
    let file = dir.join("下埔小学意识形态实施方案.txt");
    std::fs::write(&file, PLAN).unwrap();
    let driver = Driver::start().await;
    let s = driver.session(false).await;
    s.goto(&format!("{}/login", app.base)).await;
    s.type_into(&s.find("input[name=username]").await, "office")
        .await;
    s.type_into(&s.find("input[name=password]").await, PASSWORD)
        .await;
    s.click(&s.find("form button").await).await;
    s.wait_url("/work").await;

    // From the policies page to the draft page.
    s.goto(&format!("{}/units/{top}/policy", app.base)).await;
    s.click(&s.find("#draft-link").await).await;
    s.wait_url("/policy/draft").await;

    // Upload the plan: the text and the draft side by side.
    s.type_into(
        &s.find("#draft-upload input[name=source_file]").await,
        file.to_str().unwrap(),
    )
    .await;
    let page = s
        .submit_and_wait(&s.find("#draft-upload button").await, &["草稿条目"])
        .await;
    assert!(page.contains("下埔小学意识形态实施方案.txt"), "{page}");
    assert!(page.contains("还有 4 个待确认的问题"), "{page}");
    s.screenshot(&dir.join("draft-1-side-by-side.png")).await;

    // The monthly analysis cites line 17: its link leads there.
    let cite = s.find(".entries a.cite[href='#L17']").await;
    s.click(&cite).await;
    assert!(s.url().await.ends_with("#L17"));
    let line = s.text(&s.find("li#L17").await).await;
    assert!(line.contains("每月开展一次分析研判"), "{line}");

    // Drop the circumstance the reader was unsure of: its question goes with it.
    let page = s
        .submit_and_wait(
            &s.find("button[name=drop][data-table='accountability.circumstances']")
                .await,
            &["还有 3 个待确认的问题"],
        )
        .await;
    assert!(!page.contains("circumstance_1"), "{page}");

    // Accept an entry the reader read right: its question goes, the entry stays.
    let page = s
        .submit_and_wait(
            &s.find("button[name=accept]").await,
            &["还有 2 个待确认的问题"],
        )
        .await;
    assert!(page.contains("草稿条目"), "{page}");

    // Answer the questions in the draft, check it.
    let draft = s
        .script("return document.querySelector('#draft-form textarea[name=text]').value")
        .await;
    let draft = draft.as_str().unwrap().replace("\r\n", "\n");
    assert_eq!(zeren_draft::open_questions(&draft).len(), 2);
    let done = answered(&draft);
    s.script(&format!(
        "document.querySelector('#draft-form textarea[name=text]').value = {}",
        serde_json::to_string(&done).unwrap()
    ))
    .await;
    let page = s
        .submit_and_wait(&s.find("#draft-check").await, &["可以安装"])
        .await;
    assert!(page.contains("没有待确认的问题。"), "{page}");
    s.screenshot(&dir.join("draft-2-answered.png")).await;

    // Install it: it is on the policies page.
    let page = s
        .submit_and_wait(&s.find("#draft-install").await, &["本单位安装的实施办法"])
        .await;
    assert!(
        page.contains("xx小学20xx年落实意识形态工作责任制实施方案"),
        "{page}"
    );

    // Its duties are the school's obligations, in the ledger's grid.
    let mut page = String::new();
    for _ in 0..40 {
        s.goto(&format!("{}/units/{top}/ledger", app.base)).await;
        page = s.source().await;
        if page.contains("专题研究意识形态工作") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert!(
        page.contains("专题研究意识形态工作")
            && page.contains("开展分析研判意识形态领域的重要情况"),
        "{page}"
    );
    s.screenshot(&dir.join("draft-3-ledger.png")).await;
    s.quit().await;
    drop(driver);

    let installed = {
        use zeren_store::Read;
        app.store
            .reader()
            .await
            .unwrap()
            .policy_history(top)
            .await
            .unwrap()
    };
    let d = installed
        .iter()
        .find(|p| p.current && p.policy_id == "draft")
        .expect("the draft installed");
    assert!(
        d.text.contains("source = \"L17\""),
        "the line references stay"
    );
    app.stop().await;
}
