//! Issue 6 in the browser: a publicity officer submits a scholarship list whose XLSX carries a
//! resident ID number; the scan flags it; the first reviewer returns it; the officer uploads a
//! masked version; three steps approve (the third because it is major); the officer marks it
//! published; the registration form exports with the whole trail.

use std::io::Read as _;

use crate::helpers::*;
use crate::webdriver::{Driver, Session};
use crate::{enabled, shots};
use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, NewPerson};

const TITLE: &str = "2026年度奖学金获得者名单公示";

fn workbook(id: &str) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["姓名", "学院", "身份证号", "奖学金"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["张三", "医学院", id, "一等"].iter().enumerate() {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

async fn login<'a>(driver: &'a Driver, base: &str, user: &str) -> Session<'a> {
    let s = driver.session(false).await;
    s.goto(&format!("{base}/login")).await;
    s.type_into(&s.find("input[name=username]").await, user)
        .await;
    s.type_into(&s.find("input[name=password]").await, PASSWORD)
        .await;
    s.click(&s.find("form button").await).await;
    // Wait for the login's redirect to land before the caller navigates on.
    for _ in 0..50 {
        if s.url().await.ends_with("/work") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(s.url().await.ends_with("/work"), "{user} signed in");
    s
}

/// Waits until the element `css` of the page now shown contains `want` (a form's answer may still
/// be loading after the click), and returns its text.
async fn wait_for(s: &Session<'_>, css: &str, want: &str) -> String {
    let mut text = String::new();
    for _ in 0..100 {
        text = s
            .script(&format!(
                "const e = document.querySelector({css:?}); return e ? e.textContent : ''"
            ))
            .await
            .as_str()
            .unwrap_or_default()
            .to_string();
        if text.contains(want) {
            return text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{css} never showed {want}: {text}");
}

/// Opens the item from 我的工作 ("waiting for me") and approves it, ticking every check.
async fn approve(driver: &Driver, base: &str, user: &str, id: i64) {
    let s = login(driver, base, user).await;
    // The navigation counts what waits for me.
    let mut badge = String::new();
    for _ in 0..50 {
        badge = s
            .script("const b = document.querySelector('#nav-reviews .badge'); return b ? b.textContent : ''")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string();
        if !badge.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(badge, "1", "{user}'s navigation shows one item waiting");
    let link = s.find(&format!("#waiting a[href='/reviews/{id}']")).await;
    s.click(&link).await;
    for b in s.find_all("#decide input[type=checkbox]").await {
        s.click(&b).await;
    }
    s.type_into(
        &s.find("#decide textarea[name=comment]").await,
        &format!("{user}同意"),
    )
    .await;
    s.click(&s.find("#decide button[value=approve]").await)
        .await;
    wait_for(&s, "#trail", &format!("{user}同意")).await;
    let page = s.source().await;
    assert!(!page.contains("role=\"alert\""), "{user} approved: {page}");
    s.quit().await;
}

#[tokio::test]
async fn a_publicity_officer_gets_a_masked_list_approved_and_published() {
    if !enabled() {
        return;
    }
    let app = spawn_app(TestDb::sqlite()).await;
    let top = app.setup("bureau", "市卫健委").await;
    let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    // The bureau pack with its third step (分管领导许可发布) for major items only.
    let step = "title = \"分管领导许可发布\"\nrole = \"publication_leader\"\n";
    let text = zeren_policy::packs::get("bureau").unwrap().text.replacen(
        step,
        &format!("{step}when = \"major\"\n"),
        1,
    );
    w.install_policy(top, "bureau", "2", "网络意识形态工作责任制", &text, "x")
        .await
        .unwrap();
    for (user, name, role, level) in [
        ("officer", "宣传干事", None, Level::Edit),
        (
            "reviewer",
            "审查员甲",
            Some("publication_reviewer"),
            Level::Read,
        ),
        (
            "head",
            "科室负责人",
            Some("publication_department_head"),
            Level::Read,
        ),
        (
            "leader",
            "分管领导",
            Some("publication_leader"),
            Level::Read,
        ),
    ] {
        let p = w
            .create_person(&NewPerson {
                unit_id: top,
                name: name.into(),
                ..NewPerson::default()
            })
            .await
            .unwrap();
        if let Some(role) = role {
            w.assign(
                p.id,
                top,
                role,
                chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            )
            .await
            .unwrap();
        }
        let a = w
            .create_account(user, Some(p.id), &hash, AdminDuty::None)
            .await
            .unwrap();
        w.set_grant(a.id, top, level).await.unwrap();
    }
    // The website it is published on (a publication needs its channel).
    let channel = w
        .create_channel(&zeren_store::reviews::NewChannel {
            unit_id: top,
            kind: "website".into(),
            name: "门户网站".into(),
            locator: "https://wjw.example.gov.cn".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    w.commit().await.unwrap();

    let driver = Driver::start().await;
    let dir = shots();
    let base = app.base.clone();

    // The officer submits the list with its spreadsheet, marked major.
    let s = login(&driver, &base, "officer").await;
    s.goto(&format!("{base}/units/{top}/reviews/new")).await;
    let file = dir.join("奖学金名单.xlsx");
    let id_number = resident_id(11);
    std::fs::write(&file, workbook(&id_number)).unwrap();
    s.script(&format!(
        "document.querySelector('#review-form select[name=channel_id]').value = '{}'; return 1",
        channel.id
    ))
    .await;
    s.type_into(&s.find("#review-form input[name=title]").await, TITLE)
        .await;
    s.type_into(
        &s.find("#review-form textarea[name=body]").await,
        "现将2026年度奖学金获得者名单公示如下。",
    )
    .await;
    s.type_into(
        &s.find("#review-form input[name=files]").await,
        file.to_str().unwrap(),
    )
    .await;
    s.click(&s.find("#review-form input[name=major]").await)
        .await;
    s.screenshot(&dir.join("r1-submit.png")).await;
    s.click(&s.find("#review-form button").await).await;
    wait_for(&s, "#findings", "居民身份证号").await;
    let url = s.url().await;
    let id: i64 = url.rsplit('/').next().unwrap().parse().unwrap();

    assert!(!s.source().await.contains(&id_number));
    let masked = s.text(&s.find("#findings code").await).await;
    assert!(masked.contains('*'), "{masked}");
    s.screenshot(&dir.join("r2-findings.png")).await;
    s.quit().await;

    // The first reviewer returns it.
    let r = login(&driver, &base, "reviewer").await;
    r.click(&r.find(&format!("#waiting a[href='/reviews/{id}']")).await)
        .await;
    r.type_into(
        &r.find("#decide textarea[name=comment]").await,
        "身份证号须脱敏后再发布",
    )
    .await;
    r.click(&r.find("#decide button[value=return]").await).await;
    wait_for(&r, "#stage", "已退回").await;
    r.quit().await;

    // The officer uploads the masked list.
    let s = login(&driver, &base, "officer").await;
    s.goto(&format!("{base}/reviews/{id}")).await;
    s.click(&s.find("#new-version summary").await).await;
    let masked_file = dir.join("奖学金名单（脱敏）.xlsx");
    std::fs::write(&masked_file, workbook(&masked)).unwrap();
    s.type_into(
        &s.find("#new-version input[name=files]").await,
        masked_file.to_str().unwrap(),
    )
    .await;
    s.click(&s.find("#new-version button").await).await;
    wait_for(&s, "#findings", "未发现").await;
    s.quit().await;

    // Three steps approve: the third because the item is major.
    for user in ["reviewer", "head", "leader"] {
        approve(&driver, &base, user, id).await;
    }

    // The officer marks it published.
    let s = login(&driver, &base, "officer").await;
    s.goto(&format!("{base}/reviews/{id}")).await;
    wait_for(&s, "#stage", "已通过").await;
    let post = "https://wjw.example.gov.cn/tzgg/2026/0601.html";
    s.type_into(&s.find("#publish input[name=url]").await, post)
        .await;
    s.click(&s.find("#publish button").await).await;
    wait_for(&s, "#stage", "已发布").await;
    let trail = wait_for(&s, "#trail", post).await;
    for want in ["退回修改", "审查员甲", "科室负责人", "分管领导", post] {
        assert!(trail.contains(want), "{want} in the trail: {trail}");
    }
    s.screenshot(&dir.join("r3-published.png")).await;

    // The registration form, fetched with the browser's session.
    let href = s
        .script("return document.querySelector(\"a[href$='registration.docx']\").href")
        .await;
    let cookie = s
        .cookie(zeren_web::context::SESSION_COOKIE)
        .await
        .expect("session cookie");
    let resp = reqwest::Client::new()
        .get(href.as_str().unwrap())
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), reqwest::StatusCode::OK);
    let bytes = resp.bytes().await.unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut doc = String::new();
    z.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut doc)
        .unwrap();
    for want in [TITLE, "宣传干事", "审查员甲", "退回修改", "分管领导", post] {
        assert!(doc.contains(want), "{want} in the registration form");
    }
    assert_eq!(doc.matches("审核通过").count(), 3);
    s.quit().await;
    drop(driver);
    app.stop().await;
}

/// Issue 12 in the browser: a DOCX uploaded as `news` with a secrecy marking, and a picture. The
/// reviewer sees why neither may pass as it is (the marking must not go online, the picture is not
/// read); a lawful basis is refused and the ticks and opinion stay; the 分管领导 confirms the
/// declassification with its number; the reviewer records the manual check and approves.
#[tokio::test]
async fn a_marked_file_and_a_picture_wait_for_a_declassification_and_a_manual_check() {
    if !enabled() {
        return;
    }
    let app = spawn_app(TestDb::sqlite()).await;
    let top = app.setup("bureau", "市卫健委").await;
    let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    let text = zeren_policy::packs::get("bureau").unwrap().text.replacen(
        "[workflows.publication]\n",
        "[workflows.publication]\ndeclassified_by = \"publication_leader\"\n",
        1,
    );
    w.install_policy(top, "bureau", "2", "网络意识形态工作责任制", &text, "x")
        .await
        .unwrap();
    for (user, name, role, level) in [
        ("officer", "宣传干事", None, Level::Edit),
        (
            "reviewer",
            "审查员甲",
            Some("publication_reviewer"),
            Level::Read,
        ),
        (
            "leader",
            "分管领导",
            Some("publication_leader"),
            Level::Read,
        ),
    ] {
        let p = w
            .create_person(&NewPerson {
                unit_id: top,
                name: name.into(),
                ..NewPerson::default()
            })
            .await
            .unwrap();
        if let Some(role) = role {
            w.assign(
                p.id,
                top,
                role,
                chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            )
            .await
            .unwrap();
        }
        let a = w
            .create_account(user, Some(p.id), &hash, AdminDuty::None)
            .await
            .unwrap();
        w.set_grant(a.id, top, level).await.unwrap();
    }
    let channel = w
        .create_channel(&zeren_store::reviews::NewChannel {
            unit_id: top,
            kind: "website".into(),
            name: "门户网站".into(),
            locator: "https://wjw.example.gov.cn".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    w.commit().await.unwrap();
    let id_number = resident_id(21);
    let docx = zeren_export::docx::text_docx(
        "秘密★1年",
        "",
        &[format!("联系人：张三，身份证号{id_number}。")],
        &[],
    )
    .unwrap();
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01".to_vec();
    let officer = app.login("officer").await;
    let channel_id = channel.id.to_string();
    let r = officer
        .multipart(
            &format!("/units/{top}/reviews"),
            &[
                ("workflow", None, b"publication"),
                ("channel_id", None, channel_id.as_bytes()),
                ("title", None, "安全检查通知".as_bytes()),
                ("files", Some("news"), &docx),
                ("files", Some("现场.png"), &png),
            ],
        )
        .await;
    assert_eq!(r.status, reqwest::StatusCode::SEE_OTHER, "{}", r.text);
    let id = r.location_id();

    let driver = Driver::start().await;
    let dir = shots();
    let base = app.base.clone();
    let r = login(&driver, &base, "reviewer").await;
    r.goto(&format!("{base}/reviews/{id}")).await;
    wait_for(&r, "#marking-note", "不得上网发布").await;
    wait_for(&r, "#unreadable-note", "不做文字识别").await;
    assert!(!r.source().await.contains(&id_number));
    r.screenshot(&dir.join("r4-marked.png")).await;
    // Consent does not clear a marking; what was ticked and typed stays.
    for b in r.find_all("#decide input[type=checkbox]").await {
        r.click(&b).await;
    }
    r.type_into(
        &r.find("#decide input[name=lawful_basis]").await,
        "本人同意",
    )
    .await;
    r.type_into(&r.find("#decide textarea[name=comment]").await, "同意发布")
        .await;
    r.click(&r.find("#decide button[value=approve]").await)
        .await;
    wait_for(&r, "#decide", "定密责任人确认").await;
    let ticked = r
        .script("return document.querySelectorAll('#decide input[type=checkbox]:checked').length")
        .await;
    assert_eq!(ticked, 3);
    assert_eq!(
        r.text(&r.find("#decide textarea[name=comment]").await)
            .await,
        "同意发布"
    );
    r.screenshot(&dir.join("r5-refused.png")).await;
    r.quit().await;

    // The 分管领导 confirms the declassification with its number.
    let l = login(&driver, &base, "leader").await;
    l.goto(&format!("{base}/reviews/{id}")).await;
    l.type_into(
        &l.find("#declassify-form input[name=document_no]").await,
        "市卫密〔2026〕3号",
    )
    .await;
    l.click(&l.find("#declassify-form button").await).await;
    wait_for(&l, "#trail", "市卫密〔2026〕3号").await;
    l.quit().await;

    // The reviewer records the manual check and approves.
    let r = login(&driver, &base, "reviewer").await;
    r.goto(&format!("{base}/reviews/{id}")).await;
    wait_for(&r, "#marking-note", "市卫密〔2026〕3号").await;
    for b in r.find_all("#decide input[type=checkbox]").await {
        r.click(&b).await;
    }
    r.type_into(
        &r.find("#decide input[name=lawful_basis]").await,
        "当事人书面同意",
    )
    .await;
    r.type_into(
        &r.find("#decide textarea[name=manual_check]").await,
        "现场.png 逐张查看，无个人信息、无涉密内容",
    )
    .await;
    r.click(&r.find("#decide button[value=approve]").await)
        .await;
    wait_for(&r, "#trail", "人工检查：现场.png").await;
    r.screenshot(&dir.join("r6-approved.png")).await;
    r.quit().await;
    drop(driver);
    app.stop().await;
}
