//! Assessment (issue 15) over HTTP: the bureau's office (an editor) opens a cycle of the schools'
//! rubric over its schools (a refused form keeps what was typed); a school's sheet shows the leaves measured from
//! the ledger with the obligations behind them; its clerk self-assesses with a note and records of
//! the ledger as evidence (refused beside the field without the reason a range deduction needs),
//! each submission a new version; the 评分表 lines say why points were taken off; a school sees
//! only itself; within the appeal window the results are published only when its early end is
//! confirmed. On SQLite, and on PostgreSQL when configured.

use reqwest::StatusCode;
use zeren_store::ledger::{LedgerRead, NewVersion, ObligationFilter};
use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, NewPerson};

use crate::helpers::*;

/// A school under `parent` with the district pack in force since the start of last year, and a
/// clerk who may edit there.
async fn school(app: &App, parent: i64, name: &str, clerk: &str) -> i64 {
    let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    let unit = w.create_unit(Some(parent), name, "学校").await.unwrap();
    let p = w
        .create_person(&NewPerson {
            unit_id: unit.id,
            name: format!("{name}办公室"),
            ..NewPerson::default()
        })
        .await
        .unwrap();
    let text = zeren_policy::packs::get("district-school").unwrap().text;
    let inst = w
        .install_policy(unit.id, "district-school", "1", "实施办法", text, "x")
        .await
        .unwrap();
    let start =
        chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&zeren_web::today()) - 1, 1, 1)
            .unwrap();
    w.set_policy_effective_from(inst.id, start).await.unwrap();
    let a = w
        .create_account(clerk, Some(p.id), &hash, AdminDuty::None)
        .await
        .unwrap();
    w.set_grant(a.id, unit.id, Level::Edit).await.unwrap();
    w.commit().await.unwrap();
    unit.id
}

#[tokio::test]
async fn a_cycle_is_opened_and_a_school_self_assesses_with_its_ledger() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let bureau = app.setup("bureau", "河东区教体局").await;
        let first = school(&app, bureau, "河东区第一中学", "clerk1").await;
        let second = school(&app, bureau, "河东区第二中学", "clerk2").await;
        let _third = school(&app, bureau, "河东区第三中学", "clerk3").await;
        let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        let a = w
            .create_account("office", None, &hash, AdminDuty::None)
            .await
            .unwrap();
        // The bureau's office organises the 考核: an editor, not an administrator.
        w.set_grant(a.id, bureau, Level::Edit).await.unwrap();
        w.commit().await.unwrap();
        let today = zeren_web::today();
        let year = chrono::Datelike::year(&today) - 1;
        materialise_since(&app, chrono::NaiveDate::from_ymd_opt(year, 1, 15).unwrap()).await;
        // The first school studied in the first two quarters of last year, on time.
        let (studies, records) = record_studies(&app, first, year, 2).await;
        assert_eq!(studies.len(), 4);

        // The bureau opens the cycle; the form refuses dates out of order, keeping the title.
        let office = app.login("office").await;
        let page = office.get(&format!("/assessment/new?unit={bureau}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        let policy: String = page.text[page
            .text
            .find("name=\"installed_policy_id\"><option value=\"")
            .unwrap()
            + 42..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        assert!(page.text.contains("学校意识形态工作责任制实施办法"));
        let b = bureau.to_string();
        let start = format!("{year}-01-01");
        let end = format!("{year}-12-31");
        let next = year + 1;
        // Due now, the appeal window open for ten more days.
        let (self_due, review_due, appeal) = (
            today.to_string(),
            today.to_string(),
            (today + chrono::Days::new(10)).to_string(),
        );
        let mut fields = vec![
            ("unit_id", b.as_str()),
            ("title", "年度意识形态工作考核"),
            ("installed_policy_id", policy.as_str()),
            ("scope_kind", "学校"),
            ("period_start", start.as_str()),
            ("period_end", end.as_str()),
            ("self_due_on", self_due.as_str()),
            ("review_due_on", start.as_str()),
            ("appeal_until", appeal.as_str()),
        ];
        let r = office.form("/assessment", &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("考核评分截止日不能早于自评截止日"));
        assert!(r.text.contains("value=\"年度意识形态工作考核\""));
        fields[7] = ("review_due_on", review_due.as_str());
        let r = office.form("/assessment", &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let cycle = r.location_id();
        let page = office.get(&format!("/assessment/{cycle}")).await;
        for name in ["河东区第一中学", "河东区第二中学", "河东区第三中学"] {
            assert!(page.text.contains(name), "{name}");
        }
        assert!(page.text.contains("一票否决"));

        // The first school's sheet: the measured leaves as the ledger has them, with the
        // obligations behind them.
        let clerk = app.login("clerk1").await;
        let sheet = clerk
            .get(&format!("/assessment/{cycle}/units/{first}"))
            .await;
        assert_eq!(sheet.status, StatusCode::OK, "{}", sheet.text);
        assert!(sheet.text.contains("“意识形态工作内容专题学习”未完成次数"));
        assert!(sheet.text.contains("<b class=\"ledger-value\">2 次</b>"));
        assert!(sheet.text.contains(&format!(
            "href=\"/obligations/{}\"",
            studies[3].obligation.id
        )));
        // A range deduction without its reason is refused beside the note, with what was typed.
        let rec = records[0].to_string();
        let mut typed = vec![
            ("v_lectures", "1.5"),
            ("n_lectures", ""),
            ("e_lectures", rec.as_str()),
            ("v_sentiment_unreported", "0"),
            ("v_positions", "2"),
            ("n_positions", "新媒体台账不全"),
            ("l_honours__city", "1"),
        ];
        let url = format!("/assessment/{cycle}/units/{first}/self");
        let r = clerk.form(&url, &typed).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("酌情扣分须写明原因"), "{}", r.text);
        assert!(
            !r.text.contains("考核项目 lectures"),
            "no ids beside the fields"
        );
        assert!(r.text.contains("新媒体台账不全"));
        typed[1] = ("n_lectures", "心得体会文章未按时完成");
        let r = clerk.form(&url, &typed).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let sheet = clerk
            .get(&format!("/assessment/{cycle}/units/{first}"))
            .await;
        for line in [
            "党支部意识形态专题学习缺次：缺 2 次 × 10 分 = −20（上限 40 分）",
            "酌情扣 1.5 分（心得体会文章未按时完成）= −1.5",
            "向区教体局党组书面汇报迟报、未报：2 次 × 15 分 = −30（上限 30 分）",
            "市级 1 项 × 1 分 = +1",
        ] {
            assert!(sheet.text.contains(line), "{line}\n{}", sheet.text);
        }
        // 40 − 20 − 1.5 + 0 + 28 + 1
        assert!(
            sheet.text.contains("得分：47.5</b> / 100"),
            "{}",
            sheet.text
        );
        assert!(sheet.text.contains(&format!(
            "href=\"/obligations/{}#record-{}\"",
            studies[0].obligation.id, records[0]
        )));

        // Submitted again: a second version; the first stays.
        let r = clerk.form(&url, &typed).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let j = clerk
            .get(&format!("/api/v1/assessment/cycles/{cycle}/units/{first}"))
            .await;
        assert_eq!(j.status, StatusCode::OK, "{}", j.text);
        let j = j.json();
        let versions = j["self_assessments"].as_array().unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0]["version"], 1);
        assert_eq!(versions[1]["total"], 4750);
        assert_eq!(
            versions[1]["entries"]["lectures"]["evidence"][0],
            records[0]
        );
        // Another unit's record is not evidence of this one.
        let theirs = app
            .store
            .reader()
            .await
            .unwrap()
            .obligations(&ObligationFilter {
                unit: Some(second),
                ..ObligationFilter::default()
            })
            .await
            .unwrap()[0]
            .obligation
            .id;
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        let other = w
            .create_record(
                theirs,
                &NewVersion {
                    work_date: chrono::NaiveDate::from_ymd_opt(year, 3, 1).unwrap(),
                    content: "学习".into(),
                    ..NewVersion::default()
                },
            )
            .await
            .unwrap();
        w.commit().await.unwrap();
        let r = clerk
            .json(
                &format!("/api/v1/assessment/cycles/{cycle}/units/{first}/self"),
                serde_json::json!({ "entries": {
                    "lectures": { "value": "0", "evidence": [other.record.id] },
                    "sentiment_unreported": { "value": "0" },
                    "positions": { "value": "0" },
                    "honours": { "levels": {} }
                } }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let r = clerk
            .json(
                &format!("/api/v1/assessment/cycles/{cycle}/units/{first}/self"),
                serde_json::json!({ "entries": {
                    "lectures": { "value": "0" },
                    "sentiment_unreported": { "value": "0" },
                    "positions": { "value": "0" },
                    "honours": { "levels": { "national": "1" } }
                } }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json()["self_assessments"].as_array().unwrap().len(), 3);

        // The second school sees the cycle with itself only, and not the first school's sheet.
        let clerk2 = app.login("clerk2").await;
        let page = clerk2.get(&format!("/assessment/{cycle}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains("河东区第二中学"));
        assert!(!page.text.contains("河东区第一中学"));
        let r = clerk2
            .get(&format!("/assessment/{cycle}/units/{first}"))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = clerk2.form(&url, &[("v_lectures", "0")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let list = clerk2.get("/assessment").await;
        assert!(list.text.contains("年度意识形态工作考核"));
        assert!(
            !list.text.contains("id=\"open-cycle-"),
            "a school has no units below to assess"
        );
        let list = office.get("/assessment").await;
        assert!(list.text.contains(&format!("id=\"open-cycle-{bureau}\"")));
        let j = office
            .get(&format!("/api/v1/assessment/cycles?unit={bureau}"))
            .await;
        assert_eq!(j.status, StatusCode::OK, "{}", j.text);
        assert_eq!(j.json()[0]["self_assessed"], 1);
        let j = office
            .get(&format!("/api/v1/assessment/cycles/{cycle}"))
            .await;
        assert_eq!(j.status, StatusCode::OK, "{}", j.text);
        assert_eq!(j.json()["units"].as_array().unwrap().len(), 3);

        // The bureau reviews the first school: a measured value changed only with a reason.
        let rurl = format!("/assessment/{cycle}/units/{first}/review");
        let mut review = vec![
            ("v_missed_study", "1"),
            ("r_missed_study", ""),
            ("v_lectures", "1.5"),
            ("n_lectures", "心得体会文章未按时完成"),
            ("v_sentiment_unreported", "0"),
            ("v_positions", "2"),
            ("n_positions", "新媒体台账不全"),
            ("l_honours__national", "1"),
            ("lock", "on"),
        ];
        let r = clerk.form(&rurl, &review).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "a school does not review itself"
        );
        let r = office.form(&rurl, &review).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("改动台账自动计算的数值须写明理由"));
        review[1] = ("r_missed_study", "第三季度学习记录在纸质台账，已核实");
        let r = office.form(&rurl, &review).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let sheet = office
            .get(&format!("/assessment/{cycle}/units/{first}"))
            .await;
        assert!(
            sheet.text.contains("缺 1 次 × 10 分 = −10（上限 40 分）"),
            "{}",
            sheet.text
        );
        // 40 − 10 − 1.5 + 0 + 28 + 3
        assert!(sheet.text.contains("得分：59.5</b> / 100"));
        assert!(sheet.text.contains("id=\"locked\""));
        assert!(sheet.text.contains("不合格"));
        assert!(
            !sheet.text.contains("id=\"review-form\""),
            "locked: no more review"
        );
        // The school can no longer change its self-assessment, and appeals.
        let r = clerk.form(&url, &typed).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("考核组已锁定评分"));
        let aurl = format!("/assessment/{cycle}/units/{first}/appeals");
        let r = clerk.form(&aurl, &[("text", "")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("请写明申诉理由"));
        let r = clerk
            .form(&aurl, &[("text", "第四季度学习已开展，见会议纪要")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let r = clerk.form(&aurl, &[("text", "再次申诉")]).await;
        assert!(r.text.contains("上一次申诉尚未答复"));
        // Not published while an appeal waits and two schools are not locked.
        let r = office
            .json(
                &format!("/api/v1/assessment/cycles/{cycle}/publish"),
                serde_json::json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let j = office
            .get(&format!("/api/v1/assessment/cycles/{cycle}/units/{first}"))
            .await
            .json();
        let appeal = j["appeals"][0]["id"].as_i64().unwrap();
        assert_eq!(j["reviews"][0]["locks"], true);
        assert_eq!(j["grade_id"], "fail");
        let r = office
            .form(
                &format!("/assessment/{cycle}/appeals/{appeal}/answer"),
                &[("text", "会议纪要未在考核期内上传，维持原评分")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("请选择申诉是否成立"));
        assert!(r.text.contains("会议纪要未在考核期内上传"));
        let r = office
            .form(
                &format!("/assessment/{cycle}/appeals/{appeal}/answer"),
                &[
                    ("upheld", "rejected"),
                    ("text", "会议纪要未在考核期内上传，维持原评分"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        // The other schools reviewed and locked through the API; then published.
        for unit in [second, _third] {
            // The third school's leaders were held accountable: 一票否决, no 评先评优.
            let vetoes: Vec<&str> = if unit == _third {
                vec!["held_accountable"]
            } else {
                vec![]
            };
            let r = office
                .json(
                    &format!("/api/v1/assessment/cycles/{cycle}/units/{unit}/review"),
                    serde_json::json!({ "entries": {
                        "lectures": { "value": "0" }, "sentiment_unreported": { "value": "0" },
                        "positions": { "value": "0" }, "honours": { "levels": { "city": "1" } } },
                        "vetoes": vetoes, "lock": true }),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        }
        let page = office.get(&format!("/assessment/{cycle}/ranking")).await;
        assert!(page.text.contains("id=\"publish\""), "{}", page.text);
        // The appeal window runs ten more days: publishing now ends it, only when confirmed.
        assert!(page.text.contains("id=\"close-early\""), "{}", page.text);
        let r = office
            .json(
                &format!("/api/v1/assessment/cycles/{cycle}/publish"),
                serde_json::json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("须确认提前结束申诉期"), "{}", r.text);
        let r = office
            .form(&format!("/assessment/{cycle}/publish"), &[])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let r = clerk2.get(&format!("/assessment/{cycle}/ranking")).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "not before it is published"
        );
        let r = office
            .form(
                &format!("/assessment/{cycle}/publish"),
                &[("close_appeals_early", "on")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let j = clerk2
            .get(&format!("/api/v1/assessment/cycles/{cycle}/ranking"))
            .await;
        assert_eq!(j.status, StatusCode::OK, "{}", j.text);
        let j = j.json();
        assert!(j["cycle"]["published_at"].is_string());
        let units = j["units"].as_array().unwrap();
        assert_eq!(units.len(), 3);
        // 59.5; the second school studied once (10 of 40, 30, a city commendation +1): 41; the
        // third never: 31.
        let places: Vec<(&str, i64, i64)> = units
            .iter()
            .map(|u| {
                (
                    u["name"].as_str().unwrap(),
                    u["place"].as_i64().unwrap(),
                    u["review_total"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            places,
            vec![
                ("河东区第一中学", 1, 5950),
                ("河东区第二中学", 2, 4100),
                ("河东区第三中学", 3, 3100)
            ]
        );
        let r = office.form(&rurl, &review).await;
        assert!(r.text.contains("考核结果已发布"));
        // The veto's effect, with its dates, on the third school's page (and on no other's).
        assert_eq!(units[2]["no_commendation"], true);
        let page = app
            .login("clerk3")
            .await
            .get(&format!("/units/{_third}"))
            .await;
        assert!(page.text.contains("取消评先评优资格"), "{}", page.text);
        assert!(page
            .text
            .contains(&format!("（{next}-01-01 — {next}-12-31）")));
        assert!(page.text.contains("领导、教师在意识形态工作中受到问责"));
        let page = clerk.get(&format!("/units/{first}")).await;
        assert!(!page.text.contains("取消评先评优资格"));

        // The 评分表: a summary ranked, and each school's sheet with its 扣分原因.
        let x = office
            .get(&format!("/assessment/{cycle}/export.xlsx"))
            .await;
        assert_eq!(x.status, StatusCode::OK, "{}", x.text);
        let strings = crate::reviews::unzip(&x.body, "xl/sharedStrings.xml");
        for text in [
            "年度意识形态工作考核汇总表",
            "党支部意识形态专题学习缺次：缺 1 次 × 10 分 = −10（上限 40 分）",
            "不合格",
            "扣分原因",
        ] {
            assert!(strings.contains(text), "{text}");
        }
        // Left for a person (or soffice) to open.
        std::fs::write(std::env::temp_dir().join("zeren-assessment.xlsx"), &x.body).unwrap();
        let workbook = crate::reviews::unzip(&x.body, "xl/workbook.xml");
        assert!(workbook.contains("name=\"汇总\"") && workbook.contains("河东区第三中学"));
        // The same as a Word document: the summary in its columns' order, then a page per school
        // with its reasons and the lines to sign.
        let page = office.get(&format!("/assessment/{cycle}")).await;
        assert!(page
            .text
            .contains(&format!("href=\"/assessment/{cycle}/export.docx\"")));
        let x = office
            .get(&format!("/assessment/{cycle}/export.docx"))
            .await;
        assert_eq!(x.status, StatusCode::OK, "{}", x.text);
        let doc = crate::reviews::unzip(&x.body, "word/document.xml");
        for text in [
            "年度意识形态工作考核汇总表",
            "被考核单位：河东区第一中学",
            "党支部意识形态专题学习缺次：缺 1 次 × 10 分 = −10（上限 40 分）",
            "扣分原因",
            "考核组成员（签字）",
        ] {
            assert!(doc.contains(text), "{text}");
        }
        let summary = &doc[..doc.find("w:type=\"page\"").unwrap()];
        let (kind, place, name) = (
            summary.find(">学校<").unwrap(),
            summary.find(">1<").unwrap(),
            summary.find(">河东区第一中学<").unwrap(),
        );
        assert!(kind < place && place < name, "单位类型, 名次, 单位");
        std::fs::write(std::env::temp_dir().join("zeren-assessment.docx"), &x.body).unwrap();
        let r = clerk2
            .get(&format!("/assessment/{cycle}/export.docx?unit={first}"))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mine = clerk
            .get(&format!("/assessment/{cycle}/export.xlsx?unit={first}"))
            .await;
        assert_eq!(mine.status, StatusCode::OK);
        let r = clerk
            .get(&format!("/assessment/{cycle}/export.xlsx?unit={second}"))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        app.stop().await;
    }
}
