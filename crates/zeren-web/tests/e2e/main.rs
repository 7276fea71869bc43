//! Browser tests: the journeys a person takes, in a real headless Chromium driven through
//! chromedriver. They run when ZEREN_E2E=1 (`.ci/run` installs Debian's chromium and
//! chromium-driver and sets it); otherwise they say they were skipped. Screenshots of each step
//! are left in target/e2e/ for a person to look at.

mod accountability;
mod assessment;
mod dashboard;
#[path = "../common/draft_plan.rs"]
mod draft_plan;
mod drafting;
mod first_use;
mod forms;
#[allow(dead_code)]
#[path = "../server/helpers.rs"]
mod helpers;
mod incidents;
mod inspections;
mod receipts;
mod reviews;
#[path = "../common/robot_receiver.rs"]
mod robot_receiver;
mod robots;
#[path = "../server/schema.rs"]
mod schema;
mod webdriver;

use std::io::Read as _;
use std::path::PathBuf;

use helpers::*;
use zeren_policy::calendar::WorkCalendar;
use zeren_store::ledger::{LedgerRead, ObligationFilter};
use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, NewPerson};

pub(crate) fn enabled() -> bool {
    if std::env::var("ZEREN_E2E").is_ok_and(|v| v == "1") {
        return true;
    }
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "note: ZEREN_E2E is not 1: the browser tests were skipped"
    );
    false
}

pub(crate) fn shots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    // chromedriver takes only canonical paths for uploads.
    std::fs::canonicalize(dir).unwrap()
}

/// The text of a downloaded document (DOCX, XLSX) as LibreOffice renders it, read back by
/// pdftotext without whitespace (pdftotext may break a line anywhere in Chinese text). The files
/// stay in target/e2e/`name`/ for a person to look at.
pub(crate) fn rendered_text(name: &str, extension: &str, bytes: &[u8]) -> String {
    let dir = shots().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.{extension}"));
    std::fs::write(&file, bytes).unwrap();
    let out = std::process::Command::new("soffice")
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&dir)
        .arg(&file)
        .output()
        .expect("LibreOffice (soffice) runs");
    assert!(out.status.success(), "{out:?}");
    let text = std::process::Command::new("pdftotext")
        .arg(dir.join(format!("{name}.pdf")))
        .arg("-")
        .output()
        .expect("pdftotext runs");
    String::from_utf8_lossy(&text.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// A minimal, valid one-page PDF.
pub(crate) fn pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend(b"xref\n0 4\n0000000000 65535 f \n");
    for off in offsets {
        out.extend(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!("trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

#[tokio::test]
async fn a_clerk_records_the_quarterly_study_and_exports_the_ledger() {
    if !enabled() {
        return;
    }
    let app = spawn_app(TestDb::sqlite()).await;
    let top = app.setup("district-school", "河东区第一中学").await;

    // The school's people, its first responsible, and the office clerk who keeps the ledger.
    let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    let mut people = Vec::new();
    for n in ["王庆彬", "周涛宇", "杨茂兰", "李娜"] {
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
        .create_account("clerk", Some(people[3].id), &hash, AdminDuty::None)
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

    let driver = webdriver::Driver::start().await;
    let s = driver.session(false).await;
    let dir = shots();

    // Log in.
    s.goto(&format!("{}/login", app.base)).await;
    s.type_into(&s.find("input[name=username]").await, "clerk")
        .await;
    s.type_into(&s.find("input[name=password]").await, PASSWORD)
        .await;
    s.click(&s.find("form button").await).await;
    let url = s.wait_url("/work").await;
    assert!(url.ends_with("/work"), "after login: {url}");
    s.screenshot(&dir.join("1-work.png")).await;

    // Find the quarterly study on 我的工作 and open it.
    let link = s.find("a[href^='/obligations/']").await;
    assert!(s.text(&link).await.contains("意识形态工作内容专题学习"));
    s.click(&link).await;
    assert!(s.wait_for(&["登记工作记录"]).await.contains("登记工作记录"));

    // Record it: date, place, two participants, minutes and a PDF.
    let file = dir.join("会议纪要.pdf");
    std::fs::write(&file, pdf()).unwrap();
    let today = zeren_web::today().to_string();
    s.script(&format!(
        "document.querySelector('#record-form input[name=work_date]').value = '{today}'"
    ))
    .await;
    s.type_into(
        &s.find("#record-form input[name=place]").await,
        "三楼会议室",
    )
    .await;
    let boxes = s.find_all("#record-form input[name=participants]").await;
    assert_eq!(boxes.len(), 4, "the unit's people are offered");
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
        "一、学习《实施办法》。\n二、分析研判本季度意识形态领域情况。",
    )
    .await;
    s.type_into(
        &s.find("#record-form input[name=files]").await,
        file.to_str().unwrap(),
    )
    .await;
    s.screenshot(&dir.join("2-form.png")).await;
    let page = s
        .submit_and_wait(
            &s.find("#record-form button").await,
            &["三楼会议室", "会议纪要.pdf", "按时完成"],
        )
        .await;
    assert!(
        page.contains("三楼会议室") && page.contains("会议纪要.pdf") && page.contains("按时完成"),
        "{page}"
    );
    assert!(
        page.contains("王庆彬") && page.contains("周涛宇") && page.contains("（2人）"),
        "attendance is shown"
    );
    s.screenshot(&dir.join("3-recorded.png")).await;

    // Done in the year's grid.
    s.goto(&format!("{}/units/{top}/ledger", app.base)).await;
    let done = s.find_all("a.cell.st-done_on_time").await;
    assert!(!done.is_empty(), "a cell is marked done on time");
    assert!(s.text(&done[0]).await.contains("按时完成"));
    s.screenshot(&dir.join("4-grid.png")).await;

    // Export the ledger XLSX in the same session and check its content.
    let link = s.find("a[href*='ledger.xlsx']").await;
    let href = s
        .script("return document.querySelector(\"a[href*='ledger.xlsx']\").href")
        .await;
    assert!(s.text(&link).await.contains("导出 Excel"));
    let cookie = s
        .cookie(zeren_web::context::SESSION_COOKIE)
        .await
        .expect("session cookie");
    let r = reqwest::Client::new()
        .get(href.as_str().unwrap())
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let bytes = r.bytes().await.unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut strings = String::new();
    z.by_name("xl/sharedStrings.xml")
        .unwrap()
        .read_to_string(&mut strings)
        .unwrap();
    for want in [
        "河东区第一中学",
        "意识形态工作台账",
        "填报人：李娜",
        "三楼会议室",
        "王庆彬",
        "会议纪要.pdf",
    ] {
        assert!(strings.contains(want), "{want} in the exported ledger");
    }

    // The same page on a phone screen.
    s.quit().await;
    let phone = driver.session(true).await;
    phone.goto(&format!("{}/login", app.base)).await;
    phone
        .type_into(&phone.find("input[name=username]").await, "clerk")
        .await;
    phone
        .type_into(&phone.find("input[name=password]").await, PASSWORD)
        .await;
    phone.click(&phone.find("form button").await).await;
    phone.wait_url("/work").await;
    phone
        .goto(&format!("{}/units/{top}/ledger", app.base))
        .await;
    let overflow = phone
        .script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        .await;
    assert_eq!(
        overflow,
        serde_json::Value::Bool(true),
        "nothing wider than a 375-pixel screen"
    );
    phone.screenshot(&dir.join("5-phone-grid.png")).await;
    phone.quit().await;
    drop(driver);

    let mut r = app.store.reader().await.unwrap();
    let rows = r
        .obligations(&ObligationFilter {
            unit: Some(top),
            ..ObligationFilter::default()
        })
        .await
        .unwrap();
    assert!(rows.iter().any(|p| p.records == 1));
    drop(r);
    app.stop().await;
}
