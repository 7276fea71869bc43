//! 从实施方案起草 over HTTP: a school's own 实施方案 uploaded becomes a draft shown beside its
//! numbered lines, each entry citing them; a wrong file is refused in Chinese keeping what was
//! pasted; the install is refused while questions remain; answered, the draft installs like a
//! policy file and its duties become the school's obligations; a reader and another school's
//! administrator can do none of it. On SQLite, and on PostgreSQL when configured.

use reqwest::StatusCode;
use zeren_policy::calendar::WorkCalendar;
use zeren_store::ledger::{LedgerRead, ObligationFilter};
use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, Read};

use crate::draft_plan::{answered, PLAN};
use crate::helpers::*;

/// The policies installed at `unit`, newest last.
async fn history(app: &App, unit: i64) -> Vec<zeren_store::InstalledPolicy> {
    app.store
        .reader()
        .await
        .unwrap()
        .policy_history(unit)
        .await
        .unwrap()
}

/// A school created under `top` by the system administrator: its id.
async fn school_under(sys: &Client, top: i64, name: &str) -> i64 {
    sys.form(
        &format!("/units/{top}/children"),
        &[("name", name), ("kind", "学校")],
    )
    .await
    .location_id()
}

async fn post(c: &Client, path: String, fields: Vec<(String, String)>) -> Resp {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    c.form(&path, &pairs).await
}

#[tokio::test]
async fn a_plan_is_drafted_beside_its_lines_and_installs_once_answered() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let top = app.setup("district-school", "区教体局").await;
        let sys = app.login("sysadmin").await;
        let school = school_under(&sys, top, "下埔小学").await;
        let other = school_under(&sys, top, "乙校").await;
        let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        for (user, unit, level) in [
            ("admin", school, Level::Administer),
            ("reader", school, Level::Read),
            ("otheradmin", other, Level::Administer),
        ] {
            let a = w
                .create_account(user, None, &hash, AdminDuty::None)
                .await
                .unwrap();
            w.set_grant(a.id, unit, level).await.unwrap();
        }
        w.commit().await.unwrap();
        let admin = app.login("admin").await;

        // The policies page leads to the draft page.
        let r = admin.get(&format!("/units/{school}/policy")).await;
        assert!(
            r.text
                .contains(&format!("href=\"/units/{school}/policy/draft\"")),
            "{}",
            r.text
        );
        let page = format!("/units/{school}/policy/draft");
        let r = admin.get(&page).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text.contains("从实施方案起草") && r.text.contains(".docx"));

        // A spreadsheet is refused, saying what is expected; the pasted text stays.
        let r = admin
            .multipart(
                &page,
                &[
                    ("pasted", None, "一、组织领导".as_bytes()),
                    ("source_file", Some("名单.xlsx"), b"PK\x03\x04"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(
            r.text.contains(
                "名单.xlsx 不是 .txt、.docx 或 .pdf 文件：请上传实施方案的文本、Word 或 PDF 文件。"
            ),
            "{}",
            r.text
        );
        assert_eq!(field_of(&r.text, "pasted"), "一、组织领导");
        assert!(
            r.text.contains("需重新选择"),
            "the file is to be chosen again"
        );
        // Nothing chosen, nothing pasted.
        let r = admin.multipart(&page, &[("pasted", None, b"")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("请选择实施方案文件"), "{}", r.text);

        // The plan uploaded: the numbered lines beside the entries, each citing its line with
        // its confidence; the questions listed.
        let r = admin
            .multipart(
                &page,
                &[("source_file", Some("school-plan.txt"), PLAN.as_bytes())],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let html = &r.text;
        assert_eq!(PLAN.lines().count(), 23);
        for n in 1..=23 {
            assert!(html.contains(&format!("<li id=\"L{n}\"")), "line {n} shown");
        }
        assert!(html.contains("落实意识形态工作责任制实施方案"));
        // the first responsible cites line 15, the monthly analysis line 17
        let role = html.find("[roles.first_responsible]").expect("the role");
        assert!(html[role..].contains("href=\"#L15\" class=\"cite\">L15</a>"));
        let duty = html.find("[duties.month_analysis]").expect("the duty");
        assert!(html[duty..].contains("href=\"#L17\" class=\"cite\">L17</a>"));
        assert!(html.contains("置信度"));
        // and line 17 links back to its entry
        assert!(html.contains("<li id=\"L17\" class=\"cited\">"));
        let draft = field_of(html, "text");
        let questions = zeren_draft::open_questions(&draft);
        assert_eq!(questions.len(), 4, "{draft}");
        assert!(
            html.contains("草稿格式正确；还有 4 个待确认的问题。"),
            "{html}"
        );
        assert!(draft.contains("source = \"L17\"") && draft.contains("id = \"school-plan\""));
        let source = field_of(html, "source");
        assert_eq!(source.lines().count(), 23);
        let source_name = field_of(html, "source_name");
        assert_eq!(source_name, "school-plan.txt");
        let form = |text: String| {
            vec![
                ("source_name".to_string(), source_name.clone()),
                ("source".to_string(), source.clone()),
                ("text".to_string(), text),
            ]
        };
        let install = format!("/units/{school}/policy/draft/install");
        let check = format!("/units/{school}/policy/draft/check");

        // An entry dropped: the circumstance goes with its question; the rest stays.
        let at = draft
            .lines()
            .position(|l| l == "[[accountability.circumstances]]")
            .expect("a circumstance")
            + 1;
        let mut fields = form(draft.clone());
        fields.push(("drop".into(), at.to_string()));
        let r = post(&admin, check.clone(), fields).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let dropped = field_of(&r.text, "text");
        assert!(!dropped.contains("circumstance_1") && !dropped.contains("是否作为一项问责情形"));
        assert_eq!(zeren_draft::open_questions(&dropped).len(), 3);
        assert!(
            dropped.contains("[duties.half_year_special_study]")
                && dropped.contains("[accountability]")
        );
        assert!(
            r.text.contains("草稿格式正确；还有 3 个待确认的问题。"),
            "{}",
            r.text
        );

        // An entry accepted as drafted: its questions go, nothing else changes; the page offers
        // 接受 only beside entries with questions.
        let asked = zeren_draft::outline::outline(&dropped)
            .into_iter()
            .find(|e| e.table != "policy" && !e.questions.is_empty())
            .expect("an entry with a question");
        let mut fields = form(dropped.clone());
        fields.push(("accept".into(), asked.line.to_string()));
        let r = post(&admin, check.clone(), fields).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let taken = field_of(&r.text, "text");
        assert_eq!(
            zeren_draft::open_questions(&taken).len(),
            2,
            "only its question went: {taken}"
        );
        assert!(taken.contains(&format!("[{}]", asked.table)));
        let accepts = r.text.matches("name=\"accept\"").count();
        let still_asked = zeren_draft::outline::outline(&taken)
            .iter()
            .filter(|e| e.table != "policy" && (!e.questions.is_empty() || e.commented))
            .count();
        assert_eq!(accepts, still_asked, "{}", r.text);

        // Installing with questions open is refused, in Chinese; nothing is installed.
        let r = post(&admin, install.clone(), form(draft.clone())).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(
            r.text
                .contains("还有 4 个待确认的问题（以“# ?”开头的行）：回答并删去这些行后才能安装。"),
            "{}",
            r.text
        );
        assert_eq!(field_of(&r.text, "text"), draft, "the draft is kept");
        assert!(history(&app, school).await.is_empty());

        // A broken edit is shown located, in Chinese, and refused too.
        let broken = answered(&draft).replace("every = \"month\"", "every = \"monthly\"");
        let r = post(&admin, check.clone(), form(broken.clone())).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text.contains("草稿.toml 第"), "{}", r.text);
        let r = post(&admin, install.clone(), form(broken)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(history(&app, school).await.is_empty());

        // The text the form carries is bounded.
        let long = "字".repeat(60_001);
        let r = post(
            &admin,
            check.clone(),
            vec![
                ("source_name".into(), source_name.clone()),
                ("source".into(), long.clone()),
                ("text".into(), answered(&draft)),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("方案超过 60000 字"), "{}", r.text);
        let r = admin
            .multipart(&page, &[("pasted", None, long.as_bytes())])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("方案超过 60000 字"), "{}", r.text);

        // A reader of the school and another school's administrator can do none of it.
        for user in ["reader", "otheradmin"] {
            let c = app.login(user).await;
            assert_eq!(c.get(&page).await.status, StatusCode::FORBIDDEN, "{user}");
            let r = c
                .multipart(
                    &page,
                    &[("source_file", Some("school-plan.txt"), PLAN.as_bytes())],
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
            for path in [&check, &install] {
                let r = post(&c, path.clone(), form(answered(&draft))).await;
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{user} {path}");
            }
            let r = c.get(&format!("/units/{school}/policy")).await;
            assert!(!r.text.contains("/policy/draft"), "{user}: no link");
        }
        assert!(history(&app, school).await.is_empty());

        // Answered, it checks clean and installs as a policy file, keeping its line references.
        let done = answered(&draft);
        let r = post(&admin, check.clone(), form(done.clone())).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(
            r.text
                .contains("草稿格式正确，没有待确认的问题，可以安装。"),
            "{}",
            r.text
        );
        let r = post(&admin, install.clone(), form(done.clone())).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(r.location(), format!("/units/{school}/policy"));
        let h = history(&app, school).await;
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].policy_id, "school-plan");
        assert!(h[0].current);
        assert_eq!(h[0].text, done);
        assert!(h[0].text.contains("source = \"L18\""));

        // Its duties are the school's obligations.
        zeren_store::materialise::materialise_all(
            &app.store,
            zeren_web::today(),
            &WorkCalendar::bundled(),
        )
        .await
        .unwrap();
        let mut rd = app.store.reader().await.unwrap();
        let rows = rd
            .obligations(&ObligationFilter {
                unit: Some(school),
                ..ObligationFilter::default()
            })
            .await
            .unwrap();
        drop(rd);
        let keys: Vec<&str> = rows.iter().map(|o| o.obligation.duty_id.as_str()).collect();
        assert!(keys.contains(&"month_analysis"), "{keys:?}");
        assert!(keys.contains(&"half_year_special_study"), "{keys:?}");
        let r = admin.get(&format!("/units/{school}/ledger")).await;
        assert!(r.text.contains("专题研究意识形态工作"), "{}", r.text);
        app.stop().await;
    }
}

/// The API drafts as the page does and refuses, as the page does, to install a draft whose
/// questions are open; once answered, the draft installs.
#[tokio::test]
async fn the_api_drafts_and_installs_only_an_answered_draft() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let top = app.setup("district-school", "区教体局").await;
        let sys = app.login("sysadmin").await;
        let school = school_under(&sys, top, "下埔小学").await;
        let r = sys
            .json(
                "/api/v1/policies/draft",
                serde_json::json!({ "unit_id": school, "text": PLAN, "file_name": "school-plan.txt" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let v: serde_json::Value = serde_json::from_str(&r.text).unwrap();
        let draft = v["draft"].as_str().unwrap().to_owned();
        assert_eq!(v["valid"], true);
        assert!(draft.contains("id = \"school-plan\"") && draft.contains("source = \"L17\""));
        let questions = v["questions"].as_array().unwrap();
        assert_eq!(questions.len(), zeren_draft::open_questions(&draft).len());
        assert!(!questions.is_empty());
        let first = questions[0]["line"].as_u64().unwrap() as usize;
        assert!(draft
            .lines()
            .nth(first - 1)
            .unwrap()
            .trim()
            .starts_with("# ?"));

        // Installing it with its questions open is refused, each question named at its line.
        let install = |text: String| serde_json::json!({ "unit_id": school, "text": text, "file_name": "草稿.toml" });
        let r = sys.json("/api/v1/policies", install(draft.clone())).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let e: serde_json::Value = serde_json::from_str(&r.text).unwrap();
        assert_eq!(e["diagnostics"].as_array().unwrap().len(), questions.len());
        assert!(e["diagnostics"][0]["message_zh"]
            .as_str()
            .unwrap()
            .starts_with("待确认的问题"));
        assert!(history(&app, school).await.is_empty());

        // Answered, it installs.
        let r = sys
            .json("/api/v1/policies", install(answered(&draft)))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(history(&app, school).await.len(), 1);

        // An empty or oversized text is refused and nothing is drafted.
        for text in [String::from("  "), "责".repeat(60_001)] {
            let r = sys
                .json(
                    "/api/v1/policies/draft",
                    serde_json::json!({ "unit_id": school, "text": text }),
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}",
                &r.text[..r.text.len().min(300)]
            );
        }
        app.stop().await;
    }
}
