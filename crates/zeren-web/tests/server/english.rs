//! The pages speak Chinese: an organisation is set up, each kind of account follows every link it
//! can reach from `/` (bounded), and every error a person can provoke is provoked (bad form values,
//! 403, 404, 409, 413, a locked login); no page or error page may show an English word that is
//! not a name or an id. Text is what a person sees: tags, scripts and attribute values are
//! stripped first; words with digits or the characters of ids (`. _ - / @ :`) are ids.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use reqwest::StatusCode;
use zeren_store::testdb::TestDb;
use zeren_store::Read;

use crate::helpers::*;

/// Latin words a Chinese page may show: the brand, the language switch's "English" (a language
/// is named in itself), file formats, protocols and standards.
const ALLOWED: &[&str] = &[
    "zeren",
    "english",
    "api",
    "url",
    "docx",
    "xlsx",
    "pdf",
    "csv",
    "zip",
    "toml",
    "txt",
    "sha",
    "jpg",
    "png",
    "word",
    "excel",
    "wps",
    "http",
    "https",
    "utf",
    "authorization",
    "bearer",
    "icalendar",
    "ics",
];

/// Commands of the server a page names as they are typed (an administrator's reset is done there).
const COMMANDS: &[&str] = &["zeren account reset", "zeren audit verify"];

/// The text a person sees in a page: no scripts or styles, no hidden text areas, no tags (so no
/// attribute values), entities decoded.
pub fn visible_text(html: &str) -> String {
    let mut s = html.to_string();
    for (open, close) in [("<script", "</script>"), ("<style", "</style>")] {
        while let Some(a) = s.find(open) {
            let b = s[a..]
                .find(close)
                .map(|b| a + b + close.len())
                .unwrap_or(s.len());
            s.replace_range(a..b, " ");
        }
    }
    // A hidden text area (the policy text a confirmation carries) is not seen.
    let mut from = 0;
    while let Some(a) = s[from..].find("<textarea").map(|a| a + from) {
        let tag_end = s[a..].find('>').map(|e| a + e).unwrap_or(s.len());
        if s[a..tag_end].contains(" hidden") {
            let b = s[a..]
                .find("</textarea>")
                .map(|b| a + b + "</textarea>".len())
                .unwrap_or(s.len());
            s.replace_range(a..b, " ");
        } else {
            from = tag_end;
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(&out)
}

/// The English words of a text: Latin words of three letters or more that are not allowed and
/// not ids (a word with a digit or one of `. _ - / @ : % + # ~ = ? &` inside is an id, a URL,
/// a file name or a code).
pub fn english_words(text: &str, also_allowed: &BTreeSet<String>) -> Vec<String> {
    let id_chars = "._-/@:%+#~=?&";
    let mut out = Vec::new();
    let mut text = text.to_string();
    for c in COMMANDS {
        text = text.replace(c, " ");
    }
    for raw in text.split(|c: char| !(c.is_ascii_alphanumeric() || id_chars.contains(c))) {
        let w = raw.trim_matches(|c: char| id_chars.contains(c));
        if w.len() < 3 {
            continue;
        }
        if w.chars()
            .any(|c| c.is_ascii_digit() || id_chars.contains(c))
        {
            continue;
        }
        let lower = w.to_ascii_lowercase();
        if ALLOWED.contains(&lower.as_str()) || also_allowed.contains(&lower) {
            continue;
        }
        out.push(w.to_string());
    }
    out
}

/// Where a page shows English: the words, each with a little of the text around it.
fn leaks(html: &str, allowed: &BTreeSet<String>) -> Vec<String> {
    let text = visible_text(html);
    let words = english_words(&text, allowed);
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    words
        .into_iter()
        .map(|w| {
            let at = flat.find(&w).unwrap_or(0);
            let start = flat[..at]
                .char_indices()
                .rev()
                .nth(30)
                .map(|(i, _)| i)
                .unwrap_or(0);
            let end = flat[at..]
                .char_indices()
                .nth(w.len() + 30)
                .map(|(i, _)| at + i)
                .unwrap_or(flat.len());
            format!("“{w}” in …{}…", &flat[start..end])
        })
        .collect()
}

/// The links a page offers to follow: `href` and htmx `hx-get`, on this site, no downloads.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for marker in ["href=\"", "hx-get=\""] {
        for piece in html.split(marker).skip(1) {
            let url = unescape(piece.split('"').next().unwrap_or(""));
            if !url.starts_with('/') || url.starts_with("//") {
                continue;
            }
            let path = url.split('?').next().unwrap_or("");
            let download = [".xlsx", ".docx", ".zip", ".csv", ".ics", ".css", ".js"]
                .iter()
                .any(|e| path.ends_with(e))
                || path.contains("/files/")
                || path.starts_with("/calendar/")
                || path.starts_with("/assets/")
                || path.starts_with("/lang/")
                || path == "/logout";
            if !download {
                out.push(url);
            }
        }
    }
    out
}

/// A path's shape: numbers replaced, so that a list of a hundred obligations is a few visits.
fn shape(url: &str) -> String {
    url.split('?')
        .next()
        .unwrap_or("")
        .split('/')
        .map(|s| {
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                "N"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Follows every link from `/` as `c`, at most `limit` pages and a few of each shape; returns
/// the English found, by page.
async fn crawl(
    c: &Client,
    who: &str,
    allowed: &BTreeSet<String>,
    limit: usize,
    found: &mut Vec<String>,
) -> usize {
    let mut seen = BTreeSet::new();
    let mut shapes: BTreeMap<String, usize> = BTreeMap::new();
    let mut queue = VecDeque::from(["/".to_string()]);
    let mut visited = 0;
    while let Some(url) = queue.pop_front() {
        if visited >= limit || !seen.insert(url.clone()) {
            continue;
        }
        let n = shapes.entry(shape(&url)).or_default();
        if *n >= 3 {
            continue;
        }
        *n += 1;
        visited += 1;
        let r = c.get(&url).await;
        assert!(
            r.status.as_u16() < 500,
            "{who}: GET {url} answered {}: {}",
            r.status,
            r.text.chars().take(300).collect::<String>()
        );
        if r.status.is_redirection() {
            queue.push_back(r.location().to_string());
            continue;
        }
        for l in leaks(&r.text, allowed) {
            found.push(format!("{who} GET {url} ({}): {l}", r.status));
        }
        for l in links(&r.text) {
            if !seen.contains(&l) {
                queue.push_back(l);
            }
        }
    }
    visited
}

/// Scans an error answer: it must be an error (4xx), a page, and Chinese.
fn check_error(
    what: &str,
    r: &Resp,
    expected: StatusCode,
    allowed: &BTreeSet<String>,
    found: &mut Vec<String>,
) {
    if r.status != expected {
        found.push(format!(
            "{what}: answered {} instead of {expected}: {}",
            r.status,
            visible_text(&r.text)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .take(300)
                .collect::<String>()
        ));
    }
    assert!(
        r.text.contains("<html lang=\"zh-CN\">") || r.text.starts_with("<section"),
        "{what}: not a page: {}",
        r.text.chars().take(300).collect::<String>()
    );
    for l in leaks(&r.text, allowed) {
        found.push(format!("{what} ({}): {l}", r.status));
    }
}

/// An error to provoke: what it is, who sends it, where, the form's fields, the status expected.
type Case<'a, F> = (&'a str, &'a Client, String, Vec<F>, StatusCode);
/// A part of a multipart form: name, file name, content.
type Part<'a> = (&'a str, Option<&'a str>, &'a [u8]);

#[test]
fn the_scanner_finds_english_and_passes_names_and_ids() {
    let allowed: BTreeSet<String> = ["clerk".to_string()].into();
    let html = r#"<html><head><script>var notice = "English";</script><style>.x{}</style></head>
        <body><h1 title="Hidden attribute">单位 Zeren</h1><p>Request payload is too large</p>
        <p>clerk · district-school · T001 · unit.create · GB/T 4762 · SHA-256 · 导出 XLSX</p>
        <textarea name="text" hidden>[duties.x] every = "quarter"</textarea>
        <textarea name="content">会议纪要</textarea></body></html>"#;
    let words = english_words(&visible_text(html), &allowed);
    assert_eq!(words, vec!["Request", "payload", "too", "large"]);
}

async fn id_of(app: &App, username: &str) -> i64 {
    app.store
        .reader()
        .await
        .unwrap()
        .account_by_username(username)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn no_english_on_any_page_or_error_in_chinese() {
    for db in TestDb::all().await {
        let app = spawn_app_with(db, |c| c.upload_limit_mb = 1).await;
        let top = app.setup("district-school", "区教体局").await;
        let sys = app.login("sysadmin").await;
        let sec = app.login("secadmin").await;
        let aud = app.login("auditadmin").await;

        // A school with the pack, people, roles, a record, a review item and a channel.
        let school = sys
            .form(
                &format!("/units/{top}/children"),
                &[("name", "第一中学"), ("kind", "学校")],
            )
            .await
            .location_id();
        let other = sys
            .form(
                &format!("/units/{top}/children"),
                &[("name", "第二中学"), ("kind", "学校")],
            )
            .await
            .location_id();
        let r = sys
            .json(
                "/api/v1/policies",
                serde_json::json!({ "unit_id": school, "pack": "district-school" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let roster = format!(
            "姓名,性别,身份证号,工号,手机号,职务,政治面貌\n王校长,,{},T001,13800000001,校长,中共党员\n李老师,女,,T002,13800000002,教师,群众\n张老师,男,,T003,,教师,共青团员\n",
            resident_id(1)
        );
        let r = sys
            .multipart(
                &format!("/units/{school}/import"),
                &[
                    ("mode", None, b"create"),
                    ("file", Some("花名册.csv"), roster.as_bytes()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let people = app
            .store
            .reader()
            .await
            .unwrap()
            .people_in_unit(school)
            .await
            .unwrap();
        let person = |name: &str| people.iter().find(|p| p.name == name).unwrap().id;
        let (principal, teacher) = (person("王校长"), person("李老师"));
        for (p, role) in [
            (principal, "first_responsible"),
            (teacher, "office_director"),
        ] {
            let r = sys
                .json(
                    "/api/v1/assignments",
                    serde_json::json!({ "person_id": p, "unit_id": school, "role_id": role, "starts_on": "2025-01-01" }),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        }
        zeren_store::materialise::materialise_all(
            &app.store,
            zeren_web::today(),
            &zeren_policy::calendar::WorkCalendar::bundled(),
        )
        .await
        .unwrap();

        // Accounts: an editor linked to the teacher, a reader, an account of another school, and
        // the principal's own account made from the roster (no grant: a role holder).
        for (name, unit, level, person) in [
            ("clerk", school, "edit", Some(teacher)),
            ("reader", school, "read", None),
            ("outsider", other, "edit", None),
        ] {
            let mut fields = vec![
                ("username", name.to_string()),
                ("password", PASSWORD.to_string()),
            ];
            if let Some(p) = person {
                fields.push(("person_id", p.to_string()));
            }
            let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = sec.form("/accounts", &refs).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
            let id = id_of(&app, name).await;
            let r = sec
                .form(
                    &format!("/accounts/{id}/grants"),
                    &[("unit_id", &unit.to_string()), ("level", level)],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        }
        let r = sec
            .form(
                "/accounts/holders",
                &[
                    ("person", &principal.to_string()),
                    (&format!("username_{principal}"), "principal"),
                    ("mode", "typed"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        // The principal changes the initial password the administrator typed.
        let principal_c = app.login("principal").await;
        let r = principal_c
            .form(
                "/me/password",
                &[("current", PASSWORD), ("password", "Zeren-Second-2026!")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let mut principal_c = app.client();
        principal_c.login("principal", "Zeren-Second-2026!").await;

        let clerk = app.login("clerk").await;
        let obligation = {
            use zeren_store::ledger::{LedgerRead, ObligationFilter};
            let today = zeren_web::today();
            app.store
                .reader()
                .await
                .unwrap()
                .obligations(&ObligationFilter {
                    unit: Some(school),
                    duty: Some("half_year_report".into()),
                    ..ObligationFilter::default()
                })
                .await
                .unwrap()
                .into_iter()
                .find(|p| p.obligation.period_start <= today && today <= p.obligation.period_end)
                .unwrap()
                .obligation
                .id
        };
        let today = zeren_web::today().to_string();
        let r = clerk
            .multipart(
                &format!("/obligations/{obligation}/records"),
                &[
                    ("work_date", None, today.as_bytes()),
                    ("place", None, "会议室".as_bytes()),
                    ("content", None, "半年工作汇报".as_bytes()),
                    ("files", Some("汇报.pdf"), b"%PDF-1.4\n%%EOF\n"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let record = {
            use zeren_store::ledger::LedgerRead;
            app.store
                .reader()
                .await
                .unwrap()
                .records_of(obligation)
                .await
                .unwrap()[0]
                .record
                .id
        };
        let r = clerk
            .form(
                &format!("/units/{school}/channels"),
                &[
                    ("kind", "weibo"),
                    ("name", "学校微博"),
                    ("locator", "@diyizhongxue"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let r = clerk
            .multipart(
                &format!("/units/{school}/reviews"),
                &[
                    ("workflow", None, b"major_decision"),
                    ("title", None, "绩效工资分配方案".as_bytes()),
                    ("body", None, "方案正文".as_bytes()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let item = r.location_id();
        let channel = {
            use zeren_store::reviews::ReviewRead;
            app.store
                .reader()
                .await
                .unwrap()
                .channels_at(school)
                .await
                .unwrap()[0]
                .id
        };

        // Names and ids the pages may show: the accounts' user names, the policy packs' ids, and
        // what the test typed.
        let allowed: BTreeSet<String> = zeren_policy::packs::all()
            .iter()
            .map(|p| p.id.to_string())
            .chain(
                [
                    "sysadmin",
                    "secadmin",
                    "auditadmin",
                    "clerk",
                    "reader",
                    "outsider",
                    "principal",
                    "diyizhongxue",
                    "quartr",
                    "yesterday",
                    // The policy format's own words, which a diagnostic names as what the file
                    // must say.
                    "week",
                    "month",
                    "quarter",
                    "year",
                    "holiday",
                ]
                .iter()
                .map(|s| s.to_string()),
            )
            .collect();

        let mut found = Vec::new();
        // An incident the clerk reported, sent up to the bureau, so its pages are crawled; and a
        // report form refused for its missing fields.
        let school_s = school.to_string();
        let incident_form = |level: &'static [u8]| -> Vec<Part<'static>> {
            vec![
                ("title", None, "校门口发生学生冲突".as_bytes()),
                ("level", None, level),
            ]
        };
        let mut parts = vec![("unit_id", None, school_s.as_bytes())];
        parts.extend(incident_form(b""));
        let r = clerk.multipart("/incidents", &parts).await;
        check_error(
            "a refused incident report",
            &r,
            StatusCode::UNPROCESSABLE_ENTITY,
            &allowed,
            &mut found,
        );
        let mut parts = vec![("unit_id", None, school_s.as_bytes())];
        parts.extend(incident_form(b"major"));
        let known = (chrono::Utc::now() + chrono::Duration::hours(8)
            - chrono::Duration::minutes(5))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
        parts.push(("known_at", None, known.as_bytes()));
        parts.push((
            "body",
            None,
            "两名学生在校门口发生推搡，已分开。".as_bytes(),
        ));
        let r = clerk.multipart("/incidents", &parts).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let incident = r.location_id();
        let d = clerk
            .get(&format!("/api/v1/incidents/{incident}"))
            .await
            .json();
        let hash = d["reports"][0]["hash"].as_str().unwrap().to_string();
        let r = clerk
            .form(
                &format!("/incidents/{incident}/act"),
                &[
                    ("action", "send"),
                    ("report", "initial"),
                    ("hash", &hash),
                    ("to", &top.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let r = clerk
            .form(
                &format!("/incidents/{incident}/act"),
                &[("action", "log"), ("text", "")],
            )
            .await;
        check_error(
            "a refused handling log entry",
            &r,
            StatusCode::UNPROCESSABLE_ENTITY,
            &allowed,
            &mut found,
        );

        // Every page each kind of account reaches.
        let reader = app.login("reader").await;
        let outsider = app.login("outsider").await;
        for (who, c) in [
            ("system administrator", &sys),
            ("security administrator", &sec),
            ("audit administrator", &aud),
            ("editor", &clerk),
            ("reader", &reader),
            ("role holder", &principal_c),
            ("another school's editor", &outsider),
        ] {
            let n = crawl(c, who, &allowed, 150, &mut found).await;
            assert!(n >= 3, "{who} reached only {n} pages");
        }
        let anon = app.client();
        crawl(&anon, "signed out", &allowed, 10, &mut found).await;

        // Every error a person can provoke, as a person meets it.
        let u = |p: &str| p.replace("{S}", &school.to_string());
        let long_name = "长".repeat(101);
        let top_id = top.to_string();
        let broken = crate::journey::broken_policy();
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
        let cases: Vec<Case<(&str, &str)>> = vec![
            (
                "empty unit name",
                &sys,
                u("/units/{S}/children"),
                vec![("name", ""), ("kind", "")],
                unprocessable,
            ),
            (
                "duplicate sibling",
                &sys,
                format!("/units/{top}/children"),
                vec![("name", "第一中学"), ("kind", "学校")],
                unprocessable,
            ),
            (
                "rename too long",
                &sys,
                u("/units/{S}/edit"),
                vec![("name", &long_name), ("kind", "学校")],
                unprocessable,
            ),
            (
                "bad person",
                &sys,
                u("/units/{S}/people"),
                vec![
                    ("name", ""),
                    ("id_number", "123"),
                    ("phone", "12"),
                    ("political_status", "x"),
                ],
                unprocessable,
            ),
            (
                "bad assignment",
                &sys,
                u("/units/{S}/assignments"),
                vec![
                    ("person_id", "x"),
                    ("role_id", ""),
                    ("starts_on", "2026-13-01"),
                ],
                unprocessable,
            ),
            (
                "bad member",
                &sys,
                u("/bodies/999999/members"),
                vec![("person_id", "1"), ("position", "x")],
                StatusCode::NOT_FOUND,
            ),
            (
                "tampered policy",
                &sys,
                u("/units/{S}/policy"),
                vec![("file_name", "x.toml"), ("sha256", "0"), ("text", "x")],
                unprocessable,
            ),
            (
                "tampered roster",
                &sys,
                u("/units/{S}/import/confirm"),
                vec![("sha256", "0"), ("content", "eA=="), ("fingerprint", "0")],
                unprocessable,
            ),
            (
                "bad account",
                &sec,
                "/accounts".into(),
                vec![("username", "王"), ("password", "short")],
                unprocessable,
            ),
            (
                "taken account",
                &sec,
                "/accounts".into(),
                vec![("username", "clerk"), ("password", PASSWORD)],
                StatusCode::CONFLICT,
            ),
            (
                "no holder",
                &sec,
                "/accounts/holders".into(),
                vec![("mode", "generate")],
                unprocessable,
            ),
            (
                "bad grant",
                &sec,
                format!("/accounts/{}/grants", id_of(&app, "reader").await),
                vec![("unit_id", "x"), ("level", "x")],
                unprocessable,
            ),
            (
                "grant to security",
                &sec,
                format!("/accounts/{}/grants", id_of(&app, "secadmin").await),
                vec![("unit_id", &top_id), ("level", "read")],
                StatusCode::FORBIDDEN,
            ),
            (
                "reset an administrator",
                &sec,
                format!("/accounts/{}/password", id_of(&app, "sysadmin").await),
                vec![("password", "Another-Passw0rd!")],
                StatusCode::FORBIDDEN,
            ),
            (
                "administer the top unit",
                &sec,
                format!("/accounts/{}/grants", id_of(&app, "reader").await),
                vec![("unit_id", &top_id), ("level", "administer")],
                unprocessable,
            ),
            (
                "weak reset",
                &sec,
                format!("/accounts/{}/password", id_of(&app, "reader").await),
                vec![("password", "x")],
                unprocessable,
            ),
            (
                "bad link",
                &sec,
                format!("/accounts/{}/person", id_of(&app, "reader").await),
                vec![("person_id", "x")],
                unprocessable,
            ),
            (
                "wrong current password",
                &clerk,
                "/me/password".into(),
                vec![("current", "x"), ("password", "y")],
                unprocessable,
            ),
            (
                "empty token name",
                &clerk,
                "/me/tokens".into(),
                vec![("name", "")],
                unprocessable,
            ),
            (
                "bad channel",
                &clerk,
                u("/units/{S}/channels"),
                vec![
                    ("kind", "x"),
                    ("name", ""),
                    ("locator", ""),
                    ("filed_on", "x"),
                ],
                unprocessable,
            ),
            (
                "bad channel status",
                &sys,
                format!("/channels/{channel}/status"),
                vec![("status", "x")],
                unprocessable,
            ),
            (
                "bad channel edit",
                &sys,
                format!("/channels/{channel}/edit"),
                vec![("name", ""), ("locator", ""), ("reason", "")],
                unprocessable,
            ),
            (
                "bad risk",
                &clerk,
                format!("/reviews/{item}/risk"),
                vec![("summary_0", "座谈"), ("date_0", "x")],
                unprocessable,
            ),
            (
                "empty risk",
                &clerk,
                format!("/reviews/{item}/risk"),
                vec![("risk_level", "x")],
                unprocessable,
            ),
            (
                "unticked decision",
                &principal_c,
                format!("/reviews/{item}/decide"),
                vec![("decision", "approve"), ("hash", "x")],
                unprocessable,
            ),
            (
                "no comment",
                &principal_c,
                format!("/reviews/{item}/decide"),
                vec![("decision", "return"), ("hash", "x")],
                unprocessable,
            ),
            (
                "bad decision",
                &principal_c,
                format!("/reviews/{item}/decide"),
                vec![("decision", "x"), ("hash", "x")],
                unprocessable,
            ),
            (
                "not the approver",
                &clerk,
                format!("/reviews/{item}/decide"),
                vec![("decision", "approve"), ("hash", "x")],
                unprocessable,
            ),
            (
                "no reviewer",
                &sys,
                format!("/reviews/{item}/reassign"),
                vec![("person_id", "x")],
                unprocessable,
            ),
            (
                "unpublishable",
                &clerk,
                format!("/reviews/{item}/publish"),
                vec![("url", "")],
                unprocessable,
            ),
            (
                "a plain form where files go",
                &clerk,
                format!("/records/{record}/correct"),
                vec![("reason", "x")],
                unprocessable,
            ),
            (
                "malformed",
                &sec,
                format!("/accounts/{}/active", id_of(&app, "reader").await),
                vec![("active", "perhaps")],
                unprocessable,
            ),
            (
                "forbidden",
                &outsider,
                u("/units/{S}/edit"),
                vec![("name", "x"), ("kind", "x")],
                StatusCode::FORBIDDEN,
            ),
        ];
        for (what, c, path, fields, status) in &cases {
            let r = c.form(path, fields).await;
            check_error(what, &r, *status, &allowed, &mut found);
        }
        // Forms with files: refusals, and a body over the limit (413).
        let big = vec![b'x'; 1024 * 1024 + 4096];
        let multipart_cases: Vec<Case<Part>> = vec![
            (
                "record without its document",
                &clerk,
                format!("/obligations/{obligation}/records"),
                vec![
                    ("work_date", None, today.as_bytes()),
                    ("content", None, "汇报".as_bytes()),
                ],
                unprocessable,
            ),
            (
                "record in the future",
                &clerk,
                format!("/obligations/{obligation}/records"),
                vec![
                    ("work_date", None, b"2999-01-01"),
                    ("files", Some("a.pdf"), b"%PDF"),
                ],
                unprocessable,
            ),
            (
                "record over the limit",
                &clerk,
                format!("/obligations/{obligation}/records"),
                vec![
                    ("work_date", None, today.as_bytes()),
                    ("content", None, "汇报".as_bytes()),
                    ("files", Some("大.pdf"), &big),
                ],
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
            (
                "correction without reason",
                &clerk,
                format!("/records/{record}/correct"),
                vec![
                    ("version", None, b"1"),
                    ("work_date", None, today.as_bytes()),
                ],
                unprocessable,
            ),
            (
                "stale correction",
                &clerk,
                format!("/records/{record}/correct"),
                vec![
                    ("version", None, b"7"),
                    ("reason", None, "补充".as_bytes()),
                    ("work_date", None, today.as_bytes()),
                    ("files", Some("补充.pdf"), b"%PDF-1.4\n%%EOF\n"),
                ],
                StatusCode::CONFLICT,
            ),
            (
                "review without title",
                &clerk,
                u("/units/{S}/reviews"),
                vec![("workflow", None, b"nothing")],
                unprocessable,
            ),
            (
                "review over the limit",
                &clerk,
                u("/units/{S}/reviews"),
                vec![
                    ("title", None, "标题".as_bytes()),
                    ("files", Some("大.pdf"), &big),
                ],
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
            (
                "version without title",
                &clerk,
                format!("/reviews/{item}/versions"),
                vec![("version", None, b"1")],
                unprocessable,
            ),
            (
                "broken roster",
                &sys,
                u("/units/{S}/import"),
                vec![(
                    "file",
                    Some("r.csv"),
                    "姓名,身份证号\n,123\n\"坏".as_bytes(),
                )],
                unprocessable,
            ),
            (
                "corrupt workbook",
                &sys,
                u("/units/{S}/import"),
                vec![("file", Some("r.xlsx"), b"PK\x03\x04broken")],
                unprocessable,
            ),
            (
                "taken numbers",
                &sys,
                u("/units/{S}/import"),
                vec![
                    ("mode", None, b"create"),
                    ("file", Some("r.csv"), "姓名,工号\n重复,T001\n".as_bytes()),
                ],
                unprocessable,
            ),
            (
                "roster over the limit",
                &sys,
                u("/units/{S}/import"),
                vec![("file", Some("r.csv"), &big)],
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
            (
                "no roster",
                &sys,
                u("/units/{S}/import"),
                vec![("mode", None, b"update")],
                unprocessable,
            ),
            (
                "broken policy",
                &sys,
                u("/units/{S}/policy/preview"),
                vec![
                    ("pack", None, b"upload"),
                    ("policy_file", Some("mine.toml"), broken.as_bytes()),
                ],
                unprocessable,
            ),
            (
                "no policy",
                &sys,
                u("/units/{S}/policy/preview"),
                vec![("pack", None, b"nothing")],
                unprocessable,
            ),
            (
                "policy over the limit",
                &sys,
                u("/units/{S}/policy/preview"),
                vec![
                    ("pack", None, b"upload"),
                    ("policy_file", Some("big.toml"), &big),
                ],
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
        ];
        for (what, c, path, parts, status) in &multipart_cases {
            let r = c.multipart(path, parts).await;
            check_error(what, &r, *status, &allowed, &mut found);
        }
        // 404s, a 403 page, a bad query, a failed CSRF check, a wrong and a locked login.
        for (what, c, path, status) in [
            (
                "no such unit",
                &sys,
                "/units/999999".to_string(),
                StatusCode::NOT_FOUND,
            ),
            (
                "no such page",
                &sys,
                "/nothing/here".to_string(),
                StatusCode::NOT_FOUND,
            ),
            (
                "another school",
                &outsider,
                u("/units/{S}"),
                StatusCode::FORBIDDEN,
            ),
            (
                "another school's ledger",
                &outsider,
                u("/units/{S}/ledger"),
                StatusCode::FORBIDDEN,
            ),
            (
                "not the security administrator",
                &sys,
                "/accounts".to_string(),
                StatusCode::FORBIDDEN,
            ),
            (
                "bad year",
                &sys,
                u("/units/{S}/ledger?year=abc"),
                unprocessable,
            ),
            (
                "year out of range",
                &sys,
                u("/units/{S}/ledger?year=1900"),
                unprocessable,
            ),
            (
                "bad audit date",
                &aud,
                "/audit?from=yesterday".to_string(),
                unprocessable,
            ),
        ] {
            let r = c.get(&path).await;
            check_error(what, &r, status, &allowed, &mut found);
        }
        let mut forged = clerk.clone();
        forged.csrf = None;
        let r = forged.form("/me/tokens", &[("name", "x")]).await;
        check_error(
            "forged request",
            &r,
            StatusCode::FORBIDDEN,
            &allowed,
            &mut found,
        );
        let mut stranger = app.client();
        for _ in 0..5 {
            let r = stranger.try_login("nobody", "wrong").await;
            check_error(
                "wrong login",
                &r,
                StatusCode::UNAUTHORIZED,
                &allowed,
                &mut found,
            );
        }
        let r = stranger.try_login("nobody", "wrong").await;
        check_error(
            "locked login",
            &r,
            StatusCode::TOO_MANY_REQUESTS,
            &allowed,
            &mut found,
        );

        assert!(
            found.is_empty(),
            "English on Chinese pages ({}):\n{}",
            found.len(),
            found.join("\n")
        );
        app.stop().await;
    }
}
