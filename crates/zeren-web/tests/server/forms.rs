//! Issue 10, items 3, 4 and 7 over HTTP: a refused form keeps what was typed (files excepted, and
//! the page says so) with the reasons beside its fields; a request over the upload limit answers
//! 413 with the limit; sibling units never share a name; accounts are linked to people chosen by
//! name, 工号 or unit, and role holders get their accounts in one step; a roster re-import updates
//! people after a preview, applying exactly the file previewed.

use reqwest::StatusCode;
use zeren_store::testdb::TestDb;
use zeren_store::{Read, Store};

use crate::english;

/// What a person reads on a page: its visible text, spaces collapsed.
fn visible_text(html: &str) -> String {
    english::visible_text(html)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
use crate::helpers::*;

/// A school under the top unit with the district-school pack, three people from a roster, the
/// principal as 第一责任人 and an editor account `clerk` linked to a teacher.
struct School {
    top: i64,
    unit: i64,
    principal: i64,
    teacher: i64,
    other: i64,
}

async fn school(app: &App) -> School {
    let top = app.setup("district-school", "区教体局").await;
    let sys = app.login("sysadmin").await;
    let sec = app.login("secadmin").await;
    let unit = sys
        .form(
            &format!("/units/{top}/children"),
            &[("name", "第一中学"), ("kind", "学校")],
        )
        .await
        .location_id();
    let r = sys
        .json(
            "/api/v1/policies",
            serde_json::json!({ "unit_id": unit, "pack": "district-school" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let roster = format!(
        "姓名,性别,身份证号,工号,手机号,职务,政治面貌\n王校长,,{},T001,13800000001,校长,中共党员\n李老师,女,,T002,13800000002,教师,群众\n张老师,男,,T003,,教师,共青团员\n",
        resident_id(1)
    );
    let r = sys
        .multipart(
            &format!("/units/{unit}/import"),
            &[("file", Some("花名册.csv"), roster.as_bytes())],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let people = app
        .store
        .reader()
        .await
        .unwrap()
        .people_in_unit(unit)
        .await
        .unwrap();
    let id = |n: &str| people.iter().find(|p| p.name == n).unwrap().id;
    let (principal, teacher, other) = (id("王校长"), id("李老师"), id("张老师"));
    let r = sys
        .json(
            "/api/v1/assignments",
            serde_json::json!({ "person_id": principal, "unit_id": unit, "role_id": "first_responsible", "starts_on": "2025-01-01" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = sec
        .form(
            "/accounts",
            &[
                ("username", "clerk"),
                ("password", PASSWORD),
                ("person_id", &teacher.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let clerk = account(&app.store, "clerk").await;
    let r = sec
        .form(
            &format!("/accounts/{}/grants", clerk.id),
            &[("unit_id", &unit.to_string()), ("level", "edit")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    zeren_store::materialise::materialise_all(
        &app.store,
        zeren_web::today(),
        &zeren_policy::calendar::WorkCalendar::bundled(),
    )
    .await
    .unwrap();
    School {
        top,
        unit,
        principal,
        teacher,
        other,
    }
}

async fn account(store: &Store, name: &str) -> zeren_store::Account {
    store
        .reader()
        .await
        .unwrap()
        .account_by_username(name)
        .await
        .unwrap()
        .unwrap()
}

async fn current_obligation(app: &App, unit: i64, duty: &str) -> i64 {
    use zeren_store::ledger::{LedgerRead, ObligationFilter};
    let today = zeren_web::today();
    app.store
        .reader()
        .await
        .unwrap()
        .obligations(&ObligationFilter {
            unit: Some(unit),
            duty: Some(duty.into()),
            ..ObligationFilter::default()
        })
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.obligation.period_start <= today && today <= p.obligation.period_end)
        .unwrap()
        .obligation
        .id
}

/// The text of the element after `marker` up to the next tag: what a field beside it says.
fn after<'a>(html: &'a str, marker: &str) -> &'a str {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in the page"));
    let mut end = (at + 2000).min(html.len());
    while !html.is_char_boundary(end) {
        end += 1;
    }
    &html[at..end]
}

/// Whether the checkbox `name` with `value` is ticked.
fn ticked(html: &str, name: &str, value: &str) -> bool {
    let marker = format!("name=\"{name}\" value=\"{value}\"");
    let at = html.find(&marker).unwrap_or_else(|| panic!("no {marker}"));
    let end = html[at..].find('>').unwrap() + at;
    html[at..end].contains("checked")
}

#[tokio::test]
async fn a_refused_record_keeps_what_was_typed() {
    for db in TestDb::all().await {
        let app = spawn_app_with(db, |c| c.upload_limit_mb = 1).await;
        let s = school(&app).await;
        let clerk = app.login("clerk").await;
        // The half-year report needs a document; the clerk forgets it.
        let o = current_obligation(&app, s.unit, "half_year_report").await;
        let today = zeren_web::today().to_string();
        let fields = |file: Option<&'static [u8]>| {
            let mut v: Vec<(&str, Option<&str>, Vec<u8>)> = vec![
                ("work_date", None, today.as_bytes().to_vec()),
                ("place", None, "三楼会议室".as_bytes().to_vec()),
                ("participants", None, s.principal.to_string().into_bytes()),
                ("participants", None, s.teacher.to_string().into_bytes()),
                (
                    "content",
                    None,
                    "一、上半年工作\n二、下半年打算".as_bytes().to_vec(),
                ),
            ];
            if let Some(f) = file {
                v.push(("files", Some("汇报.pdf"), f.to_vec()));
            }
            v
        };
        let send = |v: Vec<(&'static str, Option<&'static str>, Vec<u8>)>| {
            let clerk = clerk.clone();
            async move {
                let parts: Vec<(&str, Option<&str>, &[u8])> =
                    v.iter().map(|(k, f, b)| (*k, *f, b.as_slice())).collect();
                clerk
                    .multipart(&format!("/obligations/{o}/records"), &parts)
                    .await
            }
        };
        let r = send(fields(None)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let form = after(&r.text, "id=\"record-form\"");
        assert!(form.contains(&format!("value=\"{today}\"")), "the date");
        assert!(form.contains("value=\"三楼会议室\""), "the place");
        assert!(ticked(form, "participants", &s.principal.to_string()));
        assert!(ticked(form, "participants", &s.teacher.to_string()));
        assert!(!ticked(form, "participants", &s.other.to_string()));
        assert!(
            form.contains("一、上半年工作\n二、下半年打算</textarea>"),
            "the minutes"
        );
        // The reason is beside the file input, and says what is needed.
        let files = after(form, "name=\"files\"");
        assert!(files.contains("field-error") && files.contains("本项工作须上传文件材料"));
        // Nothing was stored.
        use zeren_store::ledger::LedgerRead;
        assert!(app
            .store
            .reader()
            .await
            .unwrap()
            .records_of(o)
            .await
            .unwrap()
            .is_empty());

        // A file over the limit: 413, the limit in MB, the typed fields kept, the file to
        // choose again.
        static BIG: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let big = BIG.get_or_init(|| vec![b'%'; 1024 * 1024 + 10]);
        let r = send(fields(Some(big.as_slice()))).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
        let form = after(&r.text, "id=\"record-form\"");
        assert!(form.contains("value=\"三楼会议室\""));
        assert!(ticked(form, "participants", &s.teacher.to_string()));
        assert!(form.contains("二、下半年打算</textarea>"));
        let text = visible_text(&r.text);
        assert!(text.contains("上传上限（1 MB）"), "{text}");
        assert!(text.contains("需重新选择"), "{text}");

        // In English the same, in English.
        let mut en = clerk.clone();
        en.cookie = Some(format!("{}; zeren_lang=en", clerk.cookie.clone().unwrap()));
        let parts = fields(None);
        let parts: Vec<(&str, Option<&str>, &[u8])> = parts
            .iter()
            .map(|(k, f, b)| (*k, *f, b.as_slice()))
            .collect();
        let r = en
            .multipart(&format!("/obligations/{o}/records"), &parts)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text.contains("This duty needs a document attached"),
            "{}",
            r.text
        );

        // Recorded with its document; a correction without its reason keeps what was typed.
        let r = send(fields(Some(b"%PDF-1.4\n%%EOF\n"))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let record = app
            .store
            .reader()
            .await
            .unwrap()
            .records_of(o)
            .await
            .unwrap()[0]
            .record
            .id;
        let r = clerk
            .multipart(
                &format!("/records/{record}/correct"),
                &[
                    ("version", None, b"1"),
                    ("work_date", None, today.as_bytes()),
                    ("place", None, "二楼会议室".as_bytes()),
                    ("participants", None, s.other.to_string().as_bytes()),
                    ("content", None, "更正后的记录".as_bytes()),
                    ("files", Some("补充.pdf"), b"%PDF-1.4\n%%EOF\n"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let form = after(&r.text, &format!("id=\"correct-{record}\""));
        assert!(form.contains("value=\"二楼会议室\""));
        assert!(ticked(form, "participants", &s.other.to_string()));
        assert!(!ticked(form, "participants", &s.teacher.to_string()));
        assert!(form.contains("更正后的记录</textarea>"));
        assert!(after(form, "name=\"reason\"").contains("更正记录须填写更正原因"));
        assert!(visible_text(&r.text).contains("已选择的附件没有上传，需重新选择"));

        // Scripts meet the same rules: 422 naming what is missing, 413 naming the limit.
        let r = clerk
            .json(
                &format!("/api/v1/obligations/{o}/records"),
                serde_json::json!({ "work_date": today }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json()["message"].as_str().unwrap().contains("文件材料"));
        let r = clerk
            .json(
                &format!("/api/v1/obligations/{o}/records"),
                serde_json::json!({ "work_date": today, "content": "x".repeat(1024 * 1024 + 10) }),
            )
            .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(r.json()["error"], "too_large");
        assert!(r.json()["message"].as_str().unwrap().contains("1 MB"));
        let r = clerk
            .raw(
                &format!("/api/v1/units/{}/roster", s.unit),
                "text/csv",
                vec![b'x'; 1024 * 1024 + 10],
            )
            .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(r.json()["error"], "too_large");
        app.stop().await;
    }
}

#[tokio::test]
async fn a_refused_decision_keeps_its_ticks_and_comment() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let s = school(&app).await;
        let clerk = app.login("clerk").await;
        // The principal gets an account from the roster to decide with.
        let sec = app.login("secadmin").await;
        let r = sec
            .form(
                "/accounts/holders",
                &[
                    ("person", &s.principal.to_string()),
                    (&format!("username_{}", s.principal), "principal"),
                    ("mode", "typed"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        // Until the initial password is changed, every page leads to 我的.
        let first = app.login("principal").await;
        let r = first.get(&format!("/reviews/{}", 1)).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/me"));
        let r = first
            .form(
                "/me/password",
                &[("current", PASSWORD), ("password", "Zeren-Second-2026!")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let mut principal = app.client();
        principal.login("principal", "Zeren-Second-2026!").await;
        // A new item refused for its missing title keeps the rest.
        let r = clerk
            .multipart(
                &format!("/units/{}/reviews", s.unit),
                &[
                    ("workflow", None, b"major_decision"),
                    ("title", None, b""),
                    ("body", None, "方案正文".as_bytes()),
                    ("major", None, b"1"),
                    ("place", None, "报告厅".as_bytes()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("方案正文</textarea>"));
        assert!(r.text.contains("value=\"报告厅\""));
        assert!(ticked(&r.text, "major", "1"));
        assert!(after(&r.text, "name=\"title\"").contains("请填写标题（1–200 个字）"));
        let r = clerk
            .multipart(
                &format!("/units/{}/reviews", s.unit),
                &[
                    ("workflow", None, b"major_decision"),
                    ("title", None, "绩效工资分配方案".as_bytes()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let item = r.location_id();
        // A risk assessment refused for its date keeps what was typed.
        let r = clerk
            .form(
                &format!("/reviews/{item}/risk"),
                &[
                    ("kind_0", "座谈会"),
                    ("date_0", "上周"),
                    ("summary_0", "教职工代表座谈"),
                    ("risk_level", "medium"),
                    ("contingency", "分批实施"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let form = after(&r.text, "id=\"risk-form\"");
        assert!(form.contains("value=\"教职工代表座谈\""));
        assert!(form.contains("分批实施</textarea>"));
        assert!(form.contains("<option value=\"medium\" selected>"));
        assert!(after(form, "name=\"date_0\"").contains("年-月-日"));

        // Two of three checklist items and an opinion: refused, and all of it is still there.
        let d = principal
            .get(&format!("/api/v1/reviews/{item}"))
            .await
            .json();
        let hash = d["versions"][0]["hash"].as_str().unwrap().to_string();
        let seen = d["seen"].to_string();
        let r = principal
            .form(
                &format!("/reviews/{item}/decide"),
                &[
                    ("decision", "approve"),
                    ("hash", &hash),
                    ("seq", &seen),
                    ("check_0", "1"),
                    ("check_2", "1"),
                    ("comment", "建议再听取一次意见"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let form = after(&r.text, "id=\"decide-form\"");
        assert!(ticked(form, "check_0", "1"));
        assert!(!ticked(form, "check_1", "1"));
        assert!(ticked(form, "check_2", "1"));
        assert!(form.contains("建议再听取一次意见</textarea>"));
        assert!(
            visible_text(form).contains("须先完成风险评估")
                || visible_text(form).contains("请逐项确认")
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn sibling_units_never_share_a_name_and_refusals_say_what_is_expected() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        // Setup's refusals, beside their fields, in words.
        let anon = app.client();
        let r = anon
            .multipart(
                "/setup",
                &[
                    ("pack", None, b"district-school"),
                    ("unit_name", None, b""),
                    ("unit_kind", None, "学校".as_bytes()),
                    ("system_username", None, "管理员".as_bytes()),
                    ("system_password", None, PASSWORD.as_bytes()),
                    ("security_username", None, b"secadmin"),
                    ("security_password", None, b"short"),
                    ("audit_username", None, b"secadmin"),
                    ("audit_password", None, PASSWORD.as_bytes()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(after(&r.text, "name=\"unit_name\"").contains("单位名称须为 1–100 个字"));
        assert!(after(&r.text, "name=\"system_username\"").contains("3–32 位字母、数字或 . _ -"));
        assert!(after(&r.text, "name=\"security_password\"").contains("密码不符合要求"));
        assert!(after(&r.text, "name=\"audit_username\"").contains("各不相同"));
        assert!(r.text.contains("value=\"学校\""), "the kind is kept");
        assert!(r.text.contains("value=\"管理员\""), "the user name is kept");
        assert!(visible_text(&r.text).contains("密码需重新输入"));

        let s = school(&app).await;
        let sys = app.login("sysadmin").await;
        // A second 第一中学 under the same parent, even spaced differently: refused beside the
        // name, what was typed kept.
        for name in ["第一中学", " 第一中学 "] {
            let r = sys
                .form(
                    &format!("/units/{}/children", s.top),
                    &[("name", name), ("kind", "中学")],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
            let form = after(&r.text, "id=\"child-form\"");
            assert!(form.contains("value=\"中学\""));
            assert!(after(form, "name=\"name\"").contains("同一上级单位下已有名为“第一中学”的单位"));
        }
        let r = sys
            .json(
                "/api/v1/units",
                serde_json::json!({ "parent_id": s.top, "name": "第一中学", "kind": "学校" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json()["message"].as_str().unwrap().contains("已有名为"));
        // Under another parent the name is free; renaming to a sibling's name is not; keeping
        // one's own name while changing the kind is fine.
        let r = sys
            .form(
                &format!("/units/{}/children", s.unit),
                &[("name", "第一中学"), ("kind", "党支部")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let second = sys
            .form(
                &format!("/units/{}/children", s.top),
                &[("name", "第二中学"), ("kind", "学校")],
            )
            .await
            .location_id();
        let r = sys
            .form(
                &format!("/units/{second}/edit"),
                &[("name", "第一中学"), ("kind", "学校")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let form = after(&r.text, "id=\"rename-form\"");
        assert!(
            form.contains("value=\"第一中学\""),
            "what was typed, not the stored name"
        );
        let r = sys
            .form(
                &format!("/units/{}/edit", s.unit),
                &[("name", "第一中学"), ("kind", "中学")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        // The store refuses it too, whoever asks.
        let mut w = app
            .store
            .write(&zeren_store::Actor::system())
            .await
            .unwrap();
        assert!(matches!(
            w.create_unit(Some(s.top), "第二中学", "学校").await,
            Err(zeren_store::Error::Conflict(_))
        ));
        drop(w);
        // A person refused for a wrong ID number keeps what was typed, the reason beside it.
        let r = sys
            .form(
                &format!("/units/{}/people", s.unit),
                &[
                    ("name", "赵老师"),
                    ("id_number", "110105194912310021"),
                    ("employee_no", "T009"),
                    ("phone", "139"),
                    ("political_status", "13"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let form = after(&r.text, "id=\"person-form\"");
        assert!(form.contains("value=\"赵老师\"") && form.contains("value=\"T009\""));
        assert!(after(form, "name=\"id_number\"").contains("校验位"));
        assert!(after(form, "name=\"phone\"").contains("11 位数字"));
        assert!(form.contains("<option value=\"13\" selected>"));
        // An assignment refused for its date keeps the person and role chosen.
        let r = sys
            .form_hx(
                &format!("/units/{}/assignments", s.unit),
                &[
                    ("person_id", &s.other.to_string()),
                    ("role_id", "sentiment_officer"),
                    ("starts_on", "明天"),
                ],
            )
            .await;
        let form = after(&r.text, "id=\"assign-form\"");
        assert!(form.contains(&format!("<option value=\"{}\" selected>", s.other)));
        assert!(form.contains("<option value=\"sentiment_officer\" selected>"));
        assert!(after(form, "name=\"starts_on\"").contains("年-月-日"));
        app.stop().await;
    }
}

#[tokio::test]
async fn accounts_are_linked_to_people_chosen_by_name_and_made_for_role_holders_at_once() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let s = school(&app).await;
        let sec = app.login("secadmin").await;
        // The search finds people by name, 工号 or unit and shows them by name and unit.
        for q in ["张", "T003", "第一"] {
            let r = sec.get(&format!("/accounts/people?q={}", enc(q))).await;
            assert_eq!(r.status, StatusCode::OK);
            let text = visible_text(&r.text);
            assert!(
                text.contains("张老师") && text.contains("第一中学"),
                "{q}: {text}"
            );
            assert!(r
                .text
                .contains(&format!("name=\"person_id\" value=\"{}\"", s.other)));
        }
        let r = sec
            .get("/accounts/people?q=%E6%97%A0%E6%AD%A4%E4%BA%BA")
            .await;
        assert!(visible_text(&r.text).contains("没有找到"));
        // Linking: a person with an account already is refused; another is linked.
        let r = sec
            .form(
                "/accounts",
                &[
                    ("username", "zhang"),
                    ("password", PASSWORD),
                    ("person_id", &s.teacher.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(visible_text(&r.text).contains("李老师 已有账号"));
        assert!(r.text.contains("value=\"zhang\""), "the user name is kept");
        assert!(r.text.contains(&format!(
            "name=\"person_id\" value=\"{}\" checked",
            s.teacher
        )));
        let r = sec
            .form(
                "/accounts",
                &[("username", "zhang"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let zhang = account(&app.store, "zhang").await;
        let r = sec
            .form(
                &format!("/accounts/{}/person", zhang.id),
                &[("person_id", &s.other.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(account(&app.store, "zhang").await.person_id, Some(s.other));
        let page = sec.get("/accounts").await;
        assert!(visible_text(&page.text).contains("张老师 · 第一中学"));

        // Role holders without an account: the principal, offered with a user name from the 工号.
        let holders = after(&page.text, "id=\"holders\"");
        assert!(visible_text(holders).contains("王校长"));
        assert!(visible_text(holders).contains("第一责任人（第一中学）"));
        assert!(holders.contains(&format!("name=\"username_{}\" value=\"t001\"", s.principal)));
        // Nobody ticked: refused, nothing created.
        let r = sec.form("/accounts/holders", &[("mode", "generate")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(visible_text(&r.text).contains("请至少勾选一位人员"));
        // A bad user name: refused beside it, the ticks kept.
        let r = sec
            .form(
                "/accounts/holders",
                &[
                    ("person", &s.principal.to_string()),
                    (&format!("username_{}", s.principal), "王"),
                    ("mode", "generate"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let holders = after(&r.text, "id=\"holders\"");
        assert!(holders.contains(&format!("name=\"username_{}\" value=\"王\"", s.principal)));
        assert!(ticked(holders, "person", &s.principal.to_string()));
        assert!(visible_text(holders).contains("3–32 位字母"));
        // Created: linked, the password generated and shown once, to be changed at first login.
        let r = sec
            .form(
                "/accounts/holders",
                &[
                    ("person", &s.principal.to_string()),
                    (&format!("username_{}", s.principal), "t001"),
                    ("mode", "generate"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let created = after(&r.text, "id=\"created\"");
        let password = created
            .split("<td class=\"mono\">")
            .nth(2)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_string();
        assert_eq!(password.chars().count(), 14, "{created}");
        let a = account(&app.store, "t001").await;
        assert_eq!(a.person_id, Some(s.principal));
        assert!(a.must_change_password);
        assert!(
            !sec.get("/accounts").await.text.contains(&password),
            "shown once"
        );
        let mut principal = app.client();
        principal.login("t001", &unescape(&password)).await;
        let me = principal.get("/me").await;
        assert!(visible_text(&me.text).contains("请先修改为只有自己知道的密码"));
        assert!(
            visible_text(&me.text).contains("王校长 · t001"),
            "the person by name"
        );
        let r = principal.get("/work").await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/me"));
        // An administrator's reset also asks for a change at the next login.
        let zhang_id = account(&app.store, "zhang").await.id;
        let r = sec
            .form(
                &format!("/accounts/{zhang_id}/password"),
                &[("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(account(&app.store, "zhang").await.must_change_password);
        let r = sec
            .form(
                &format!("/accounts/{zhang_id}/password"),
                &[("password", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(after(
            &r.text,
            &format!("action=\"/accounts/{zhang_id}/password\"")
        )
        .contains("密码不符合要求"));
        // The principal is no longer offered; the audit chain has the accounts.
        let page = sec.get("/accounts").await;
        assert!(!visible_text(after(&page.text, "id=\"holders\"")).contains("王校长"));
        let aud = app.login("auditadmin").await;
        let log = aud.get("/audit").await;
        assert!(log.text.contains("account.person") && log.text.contains("account.create"));
        app.stop().await;
    }
}

#[tokio::test]
async fn a_roster_reimport_updates_people_after_a_preview() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let s = school(&app).await;
        let sys = app.login("sysadmin").await;
        let branch = sys
            .form(
                &format!("/units/{}/children", s.unit),
                &[("name", "第一中学党支部"), ("kind", "党支部")],
            )
            .await
            .location_id();
        // Another school's teacher holds T100.
        let r = sys
            .json(
                "/api/v1/people",
                serde_json::json!({ "unit_id": s.top, "name": "局机关人员", "employee_no": "T100" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let update = "姓名,性别,身份证号,工号,手机号,职务,政治面貌,所在单位\n王校长,,,T001,13900000001,党支部书记、校长,,第一中学党支部\n李老师,,,T002,13800000002,教师,群众,\n刘老师,女,,T004,13800000004,教师,中共预备党员,\n";
        let r = sys
            .multipart(
                &format!("/units/{}/import", s.unit),
                &[
                    ("mode", None, b"update"),
                    ("file", Some("花名册（更新）.csv"), update.as_bytes()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let preview = visible_text(after(&r.text, "id=\"preview\""));
        assert!(
            preview.contains("新增 1 人，更新 1 人，1 人没有变化"),
            "{preview}"
        );
        assert!(preview.contains("13800000001 → 13900000001"), "{preview}");
        assert!(preview.contains("校长 → 党支部书记、校长"), "{preview}");
        assert!(preview.contains("第一中学 → 第一中学党支部"), "{preview}");
        assert!(preview.contains("刘老师"), "{preview}");
        // Nothing is stored before the confirmation.
        let before = app
            .store
            .reader()
            .await
            .unwrap()
            .person(s.principal)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(before.phone.as_deref(), Some("13800000001"));
        let confirm: Vec<(String, String)> = ["file_name", "sha256", "fingerprint", "content"]
            .iter()
            .map(|k| (k.to_string(), field_of(&r.text, k)))
            .collect();
        let fields = |over: &[(&str, &str)]| -> Vec<(String, String)> {
            confirm
                .iter()
                .map(|(k, v)| {
                    let v = over
                        .iter()
                        .find(|(o, _)| o == k)
                        .map(|(_, x)| x.to_string())
                        .unwrap_or_else(|| v.clone());
                    (k.clone(), v)
                })
                .collect()
        };
        let post = |f: Vec<(String, String)>| {
            let sys = sys.clone();
            async move {
                let refs: Vec<(&str, &str)> =
                    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                sys.form(&format!("/units/{}/import/confirm", s.unit), &refs)
                    .await
            }
        };
        // Another file under the previewed digest: refused.
        use base64::Engine as _;
        let other = base64::engine::general_purpose::STANDARD.encode("姓名,工号\n某人,T001\n");
        let r = post(fields(&[("content", &other)])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(visible_text(&r.text).contains("确认的文件与预览的不一致"));
        // Someone edits the principal meanwhile: the preview no longer holds; a new one is shown.
        let mut w = app
            .store
            .write(&zeren_store::Actor::system())
            .await
            .unwrap();
        let changed = zeren_store::NewPerson {
            unit_id: before.unit_id,
            name: before.name.clone(),
            gender: before.gender.clone(),
            id_number: before.id_number.clone(),
            employee_no: before.employee_no.clone(),
            phone: Some("13700000001".into()),
            position: before.position.clone(),
            political_status: before.political_status.clone(),
        };
        w.update_person(s.principal, &changed).await.unwrap();
        w.commit().await.unwrap();
        let r = post(fields(&[])).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(visible_text(&r.text).contains("13700000001 → 13900000001"));
        let fingerprint = field_of(&r.text, "fingerprint");
        // Confirmed: applied, all of it, every change audited.
        let r = post(fields(&[("fingerprint", &fingerprint)])).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(visible_text(&r.text).contains("新增 1 人，更新 1 人，1 人没有变化"));
        let mut rd = app.store.reader().await.unwrap();
        let after_ = rd.person(s.principal).await.unwrap().unwrap();
        assert_eq!(after_.phone.as_deref(), Some("13900000001"));
        assert_eq!(after_.position.as_deref(), Some("党支部书记、校长"));
        assert_eq!(after_.unit_id, branch);
        assert_eq!(
            after_.id_number, before.id_number,
            "a blank cell keeps what is stored"
        );
        assert_eq!(after_.political_status.as_deref(), Some("01"));
        assert!(rd
            .people_in_unit(s.unit)
            .await
            .unwrap()
            .iter()
            .any(|p| p.name == "刘老师"));
        let updates = rd
            .audit_search(&zeren_store::AuditFilter {
                entity_type: Some("person".into()),
                limit: 100,
                ..zeren_store::AuditFilter::default()
            })
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "person.update")
            .count();
        assert_eq!(updates, 2, "the edit meanwhile and the import's");
        drop(rd);

        // Rows that cannot be matched safely refuse the whole file, each with its reason.
        let bad = format!(
            "姓名,身份证号,工号\n甲,,T100\n乙,{},T003\n刘老师,,T004\n",
            resident_id(1)
        );
        let r = sys
            .multipart(
                &format!("/units/{}/import", s.unit),
                &[
                    ("mode", None, b"update"),
                    ("file", Some("坏.csv"), bad.as_bytes()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let text = visible_text(&r.text);
        assert!(
            text.contains("已属于本单位及下级单位以外的“局机关人员”"),
            "{text}"
        );
        assert!(
            text.contains("身份证号属于“王校长”，工号却属于“张老师”"),
            "{text}"
        );
        assert!(
            text.contains("需重新选择") || text.contains("重新选择并上传"),
            "{text}"
        );
        assert!(!r.text.contains("id=\"preview\""));

        // The API: a preview that stores nothing, then the update.
        let again = "姓名,工号,职务\n李老师,T002,教研组长\n";
        let r = sys
            .raw(
                &format!("/api/v1/units/{}/roster?mode=update&preview=true", s.unit),
                "text/csv",
                again.as_bytes().to_vec(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let j = r.json();
        assert_eq!(j["applied"], false);
        assert_eq!(j["rows"][0]["action"], "update");
        assert_eq!(j["rows"][0]["changes"][0]["new"], "教研组长");
        let teacher = |store: Store| async move {
            store
                .reader()
                .await
                .unwrap()
                .person(s.teacher)
                .await
                .unwrap()
                .unwrap()
        };
        assert_eq!(
            teacher(app.store.clone()).await.position.as_deref(),
            Some("教师")
        );
        let r = sys
            .raw(
                &format!("/api/v1/units/{}/roster?mode=update", s.unit),
                "text/csv",
                again.as_bytes().to_vec(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json()["applied"], true);
        assert_eq!(
            teacher(app.store.clone()).await.position.as_deref(),
            Some("教研组长")
        );
        app.stop().await;
    }
}
