//! The access matrix: every route against no session, an account of another subtree, a
//! reader, an editor and an administrator of the unit the route concerns. A test also checks
//! that this table names every route the router has.

use reqwest::StatusCode;
use zeren_store::testdb::TestDb;
use zeren_store::Read;

use crate::helpers::*;

/// What a route needs.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Need {
    /// Nothing: public.
    Public,
    /// Any signed-in account.
    Session,
    Read,
    Edit,
    Administer,
    /// The security administrator's duty.
    Security,
    /// The audit administrator's duty.
    Audit,
    /// The system administrator's duty.
    System,
}

#[derive(Clone, Copy)]
enum Body {
    None,
    Form(&'static [(&'static str, &'static str)]),
    Json(&'static str),
    Multipart(&'static str),
    Csv,
}

struct Route {
    method: &'static str,
    /// `{A}` the unit, `{P}` a person, `{S}` an assignment, `{B}` a body, `{U}` an account,
    /// `{G}` a grant, `{T}` a token, `{N}` an incident, `{V}` its report version, `{J}` an
    /// inspection, `{W}` its visit, `{F}` its finding, `{Y}` `{Z}` requested reports, `{H}` a
    /// submission.
    path: &'static str,
    need: Need,
    body: Body,
}

const fn r(method: &'static str, path: &'static str, need: Need, body: Body) -> Route {
    Route {
        method,
        path,
        need,
        body,
    }
}

use Body as B;
use Need::*;

const ROUTES: &[Route] = &[
    r("GET", "/healthz", Public, B::None),
    r("GET", "/readyz", Public, B::None),
    r("GET", "/assets/zeren.css", Public, B::None),
    r("GET", "/lang/en", Public, B::None),
    r("GET", "/setup", Public, B::None),
    r("POST", "/setup", Public, B::Multipart("pack")),
    r("GET", "/login", Public, B::None),
    r(
        "POST",
        "/login",
        Public,
        B::Form(&[("username", "nobody"), ("password", "x")]),
    ),
    r("GET", "/", Session, B::None),
    r("GET", "/units", Session, B::None),
    r("GET", "/units/{A}", Read, B::None),
    r(
        "POST",
        "/units/{A}/children",
        Administer,
        B::Form(&[("name", "新科室"), ("kind", "科室")]),
    ),
    r(
        "POST",
        "/units/{A}/edit",
        Administer,
        B::Form(&[("name", "甲校"), ("kind", "学校")]),
    ),
    r(
        "POST",
        "/units/{A}/people",
        Edit,
        B::Form(&[("name", "新人")]),
    ),
    r(
        "POST",
        "/units/{A}/assignments",
        Edit,
        B::Form(&[
            ("person_id", "{P}"),
            ("role_id", "leadership"),
            ("starts_on", "2026-01-01"),
        ]),
    ),
    // {K}: a fresh unit below A, retired by an administrator of A (its parent).
    r(
        "POST",
        "/units/{K}/retire",
        Administer,
        B::Form(&[("on", "2026-01-01"), ("reason", "矩阵")]),
    ),
    r(
        "POST",
        "/api/v1/units/{K}/retire",
        Administer,
        B::Json(r#"{"on": "2026-01-01", "reason": "矩阵"}"#),
    ),
    r("GET", "/units/{A}/import", Edit, B::None),
    r("POST", "/units/{A}/import", Edit, B::Multipart("file")),
    r(
        "POST",
        "/units/{A}/import/confirm",
        Edit,
        B::Form(&[("sha256", "0"), ("content", "eA=="), ("fingerprint", "0")]),
    ),
    r("GET", "/units/{A}/policy", Administer, B::None),
    r(
        "POST",
        "/units/{A}/policy",
        Administer,
        B::Form(&[("file_name", "x.toml"), ("sha256", "0"), ("text", "x")]),
    ),
    r(
        "POST",
        "/units/{A}/policy/preview",
        Administer,
        B::Multipart("pack"),
    ),
    r("GET", "/units/{A}/policy/draft", Administer, B::None),
    r(
        "POST",
        "/units/{A}/policy/draft",
        Administer,
        B::Multipart("plan"),
    ),
    r(
        "POST",
        "/units/{A}/policy/draft/check",
        Administer,
        B::Form(&[("source_name", "x.txt"), ("source", "x"), ("text", "x")]),
    ),
    r(
        "POST",
        "/units/{A}/policy/draft/install",
        Administer,
        B::Form(&[("source_name", "x.txt"), ("source", "x"), ("text", "x")]),
    ),
    r("POST", "/units/{A}/bodies/sync", Edit, B::Form(&[])),
    r(
        "POST",
        "/assignments/{S}/end",
        Edit,
        B::Form(&[("ends_on", "2026-12-31")]),
    ),
    r(
        "POST",
        "/bodies/{B}/members",
        Edit,
        B::Form(&[("person_id", "{P}"), ("position", "member")]),
    ),
    r("GET", "/people/{P}", Read, B::None),
    r("GET", "/roster/template.xlsx", Session, B::None),
    r("GET", "/roster/template.csv", Session, B::None),
    r("GET", "/accounts", Security, B::None),
    r(
        "POST",
        "/accounts",
        Security,
        B::Form(&[("username", "matrixuser"), ("password", "Zeren-Passw0rd!")]),
    ),
    r("GET", "/accounts/people?q=%E7%94%B2", Security, B::None),
    r(
        "POST",
        "/accounts/holders",
        Security,
        B::Form(&[("person", "{P}"), ("username_{P}", "matrixholder")]),
    ),
    r(
        "POST",
        "/accounts/{U}/person",
        Security,
        B::Form(&[("person_id", "{P}")]),
    ),
    r("POST", "/accounts/{U}/unlock", Security, B::Form(&[])),
    r(
        "POST",
        "/accounts/sources/unlock",
        Security,
        B::Form(&[("source", "127.0.0.1")]),
    ),
    r(
        "POST",
        "/accounts/{U}/password",
        Security,
        B::Form(&[("password", "Zeren-Passw0rd!")]),
    ),
    r(
        "POST",
        "/accounts/{U}/active",
        Security,
        B::Form(&[("active", "true")]),
    ),
    r(
        "POST",
        "/accounts/{U}/grants",
        Security,
        B::Form(&[("unit_id", "{A}"), ("level", "read")]),
    ),
    r("POST", "/grants/{G}/remove", Security, B::Form(&[])),
    r("GET", "/me", Session, B::None),
    r(
        "POST",
        "/me/password",
        Session,
        B::Form(&[("current", "wrong"), ("password", "x")]),
    ),
    r("POST", "/me/tokens", Session, B::Form(&[("name", "t")])),
    r("POST", "/me/totp", Session, B::Form(&[])),
    r(
        "POST",
        "/me/totp/confirm",
        Session,
        B::Form(&[("code", "1")]),
    ),
    r(
        "POST",
        "/me/totp/remove",
        Session,
        B::Form(&[("code", "1")]),
    ),
    r("GET", "/login/code", Public, B::None),
    r("POST", "/login/code", Public, B::Form(&[("code", "1")])),
    r("POST", "/me/tokens/{T}/revoke", Session, B::Form(&[])),
    r("GET", "/audit", Audit, B::None),
    r("POST", "/logout", Session, B::Form(&[])),
    r("GET", "/api/v1/openapi.json", Public, B::None),
    r("GET", "/api/v1/me/tokens", Session, B::None),
    r(
        "POST",
        "/api/v1/me/tokens/{T}/revoke",
        Session,
        B::Json("{}"),
    ),
    r("GET", "/api/v1/units", Session, B::None),
    r(
        "POST",
        "/api/v1/units",
        Administer,
        B::Json(r#"{"parent_id": {A}, "name": "接口科室", "kind": "科室"}"#),
    ),
    r("GET", "/api/v1/units/{A}", Read, B::None),
    r("POST", "/api/v1/units/{A}/roster", Edit, B::Csv),
    r("GET", "/api/v1/people?unit={A}", Read, B::None),
    r(
        "POST",
        "/api/v1/people",
        Edit,
        B::Json(r#"{"unit_id": {A}, "name": "接口人员"}"#),
    ),
    r("GET", "/api/v1/people/{P}", Read, B::None),
    r("GET", "/api/v1/assignments?unit={A}", Read, B::None),
    r(
        "POST",
        "/api/v1/assignments",
        Edit,
        B::Json(
            r#"{"person_id": {P}, "unit_id": {A}, "role_id": "leadership", "starts_on": "2026-02-01"}"#,
        ),
    ),
    r(
        "POST",
        "/api/v1/assignments/{S}/end",
        Edit,
        B::Json(r#"{"ends_on": "2026-12-31"}"#),
    ),
    r("GET", "/api/v1/policies?unit={A}", Read, B::None),
    r(
        "POST",
        "/units/{A}/policy/{X}/remove",
        Administer,
        B::Form(&[]),
    ),
    r(
        "POST",
        "/api/v1/policies/{X}/remove",
        Administer,
        B::Json("{}"),
    ),
    r(
        "POST",
        "/api/v1/policies",
        Administer,
        B::Json(r#"{"unit_id": {A}, "pack": "district-school"}"#),
    ),
    r(
        "POST",
        "/api/v1/policies/draft",
        Administer,
        B::Json(r#"{"unit_id": {A}, "text": "校长是第一责任人，每月召开一次安全会议。"}"#),
    ),
    r("GET", "/api/v1/bodies?unit={A}", Read, B::None),
    r("GET", "/api/v1/audit", Audit, B::None),
    r("GET", "/api/v1/audit/verify", Audit, B::None),
    // The ledger: {O} an obligation of the unit, {R} a record of it with a file, {Q} a record of
    // the sub-unit reported to the unit (acknowledged there).
    r("GET", "/work", Session, B::None),
    r("GET", "/work/badge", Session, B::None),
    r("GET", "/work/pending", Session, B::None),
    r("GET", "/jobs", System, B::None),
    r("POST", "/jobs/999999/retry", System, B::Form(&[])),
    r("GET", "/api/v1/jobs", System, B::None),
    r("POST", "/api/v1/jobs/999999/retry", System, B::Json("{}")),
    r("GET", "/notifications", Session, B::None),
    r("GET", "/notifications/count", Session, B::None),
    r("POST", "/notifications/read-all", Session, B::Form(&[])),
    // Without a mail server e-mail is not offered: not found, for everyone signed in.
    r(
        "POST",
        "/notifications/email",
        Session,
        B::Form(&[("email", "a@b.cn")]),
    ),
    // Only the recipient's own messages: a message of nobody's is not found, for everyone.
    r("POST", "/notifications/999999/open", Session, B::Form(&[])),
    r("GET", "/api/v1/notifications", Session, B::None),
    r(
        "POST",
        "/api/v1/notifications/999999/read",
        Session,
        B::Json("{}"),
    ),
    // A unit's group robots: its administrators only (a robot of nobody's is not found).
    r("GET", "/units/{A}/robots", Administer, B::None),
    r(
        "POST",
        "/units/{A}/robots",
        Administer,
        B::Form(&[("platform", "dingtalk"), ("name", "群")]),
    ),
    r(
        "POST",
        "/units/{A}/robots/999999",
        Administer,
        B::Form(&[("platform", "dingtalk"), ("name", "群")]),
    ),
    r(
        "POST",
        "/units/{A}/robots/999999/test",
        Administer,
        B::Form(&[]),
    ),
    r(
        "POST",
        "/units/{A}/robots/999999/digest",
        Administer,
        B::Form(&[]),
    ),
    r("GET", "/api/v1/units/{A}/robots", Administer, B::None),
    r(
        "POST",
        "/api/v1/units/{A}/robots/999999/test",
        Administer,
        B::Json("{}"),
    ),
    r("GET", "/obligations/{O}", Read, B::None),
    r(
        "POST",
        "/obligations/{O}/records",
        Edit,
        B::Multipart("file"),
    ),
    r("POST", "/records/{R}/correct", Edit, B::Multipart("file")),
    r(
        "POST",
        "/records/{Q}/acknowledge",
        Edit,
        B::Form(&[("note", "已签收")]),
    ),
    r(
        "POST",
        "/records/{Q}/return",
        Edit,
        B::Form(&[("reason", "请补充")]),
    ),
    r("GET", "/records/{R}/record.docx", Read, B::None),
    r("GET", "/records/{R}/files/1/0", Read, B::None),
    r("GET", "/units/{A}/ledger", Read, B::None),
    r("GET", "/units/{A}/ledger/print", Read, B::None),
    r("GET", "/units/{A}/ledger.xlsx", Read, B::None),
    r("GET", "/units/{A}/ledger.docx", Read, B::None),
    r("GET", "/units/{A}/evidence.zip", Read, B::None),
    r("GET", "/units/{A}/inbox", Read, B::None),
    // The dashboard over the unit's subtree.
    r("GET", "/units/{A}/dashboard", Read, B::None),
    r("GET", "/units/{A}/dashboard.xlsx", Read, B::None),
    r(
        "GET",
        "/units/{A}/dashboard/obligations?which=overdue",
        Read,
        B::None,
    ),
    r("GET", "/units/{A}/dashboard/reports", Read, B::None),
    r("GET", "/api/v1/units/{A}/dashboard", Read, B::None),
    r("GET", "/api/v1/units/{A}/dashboard.xlsx", Read, B::None),
    r("GET", "/units/{A}/duties", Read, B::None),
    r("GET", "/people/{P}/duties", Read, B::None),
    r("POST", "/me/calendar", Session, B::Form(&[])),
    r("GET", "/calendar/0123456789abcdef.ics", Public, B::None),
    r("GET", "/api/v1/obligations?unit={A}", Read, B::None),
    r("GET", "/api/v1/obligations/{O}", Read, B::None),
    r(
        "POST",
        "/api/v1/obligations/{O}/records",
        Edit,
        B::Json(r#"{"work_date": "2000-01-01"}"#),
    ),
    r("GET", "/api/v1/records/{R}", Read, B::None),
    r(
        "POST",
        "/api/v1/records/{R}/versions",
        Edit,
        B::Json(r#"{"work_date": "2000-01-01", "version": 1, "reason": "矩阵"}"#),
    ),
    r(
        "POST",
        "/api/v1/records/{Q}/acknowledge",
        Edit,
        B::Json(r#"{"note": "已签收"}"#),
    ),
    r(
        "POST",
        "/api/v1/records/{Q}/return",
        Edit,
        B::Json(r#"{"reason": "请补充"}"#),
    ),
    r("GET", "/api/v1/records/{R}/record.docx", Read, B::None),
    r("GET", "/api/v1/units/{A}/ledger.xlsx", Read, B::None),
    r("GET", "/api/v1/units/{A}/ledger.docx", Read, B::None),
    r("GET", "/api/v1/units/{A}/evidence.zip", Read, B::None),
    // Reviews: {I} an item of the unit in review, {C} a channel of the unit. The accounts are
    // not linked to people, so the engine refuses what access lets through (422, not 403).
    r("GET", "/reviews", Session, B::None),
    r("GET", "/reviews/waiting", Session, B::None),
    r("GET", "/reviews/{I}", Read, B::None),
    r(
        "POST",
        "/reviews/{I}/decide",
        Read,
        B::Form(&[("decision", "approve"), ("hash", "x"), ("seq", "1")]),
    ),
    r("POST", "/reviews/{I}/versions", Read, B::Multipart("file")),
    r("POST", "/reviews/{I}/withdraw", Read, B::Form(&[])),
    r(
        "POST",
        "/reviews/{I}/publish",
        Read,
        B::Form(&[("url", "https://x")]),
    ),
    r(
        "POST",
        "/reviews/{I}/correct",
        Read,
        B::Form(&[
            ("url", "https://x.cn/1"),
            ("published_at", "2026-12-10T14:30"),
            ("reason", "更正"),
        ]),
    ),
    r(
        "POST",
        "/reviews/{I}/declassify",
        Read,
        B::Form(&[
            ("hash", "x"),
            ("decision", "declassified"),
            ("document_no", "1号"),
        ]),
    ),
    r(
        "POST",
        "/reviews/{I}/reassign",
        Administer,
        B::Form(&[("person_id", "{P}"), ("reason", "出差")]),
    ),
    r(
        "POST",
        "/reviews/{I}/risk",
        Edit,
        B::Form(&[("risk_level", "low")]),
    ),
    r("GET", "/reviews/{I}/files/1/0", Read, B::None),
    r("GET", "/reviews/{I}/registration.docx", Read, B::None),
    r("GET", "/units/{A}/reviews/new", Edit, B::None),
    r("POST", "/units/{A}/reviews", Edit, B::Multipart("file")),
    r("GET", "/units/{A}/channels", Read, B::None),
    r(
        "POST",
        "/units/{A}/channels",
        Edit,
        B::Form(&[
            ("kind", "website"),
            ("name", "网站"),
            ("locator", "https://x"),
        ]),
    ),
    // A channel is changed by its managers: its responsible person or an administrator.
    r(
        "POST",
        "/channels/{C}/status",
        Administer,
        B::Form(&[("status", "active")]),
    ),
    r(
        "POST",
        "/channels/{C}/edit",
        Administer,
        B::Form(&[
            ("name", "网站"),
            ("locator", "https://x"),
            ("reason", "改名"),
        ]),
    ),
    r(
        "POST",
        "/api/v1/channels/{C}",
        Administer,
        B::Json(r#"{"name": "网站", "locator": "https://x", "reason": "改名"}"#),
    ),
    r(
        "POST",
        "/api/v1/channels/{C}/status",
        Administer,
        B::Json(r#"{"status": "active"}"#),
    ),
    r("GET", "/api/v1/channels?unit={A}", Read, B::None),
    r(
        "POST",
        "/api/v1/channels",
        Edit,
        B::Json(r#"{"unit_id": {A}, "kind": "weibo", "name": "微博", "locator": "@x"}"#),
    ),
    r("GET", "/api/v1/reviews?unit={A}", Read, B::None),
    r(
        "POST",
        "/api/v1/reviews",
        Edit,
        B::Json(r#"{"unit_id": {A}, "workflow": "major_decision", "title": "方案"}"#),
    ),
    r("GET", "/api/v1/reviews/{I}", Read, B::None),
    r(
        "POST",
        "/api/v1/reviews/{I}/versions",
        Read,
        B::Json(r#"{"title": "方案二"}"#),
    ),
    r(
        "POST",
        "/api/v1/reviews/{I}/decisions",
        Read,
        B::Json(r#"{"decision": "approve", "hash": "x", "checklist": [true, true, true]}"#),
    ),
    r("POST", "/api/v1/reviews/{I}/withdraw", Read, B::Json("{}")),
    r(
        "POST",
        "/api/v1/reviews/{I}/publish",
        Read,
        B::Json(r#"{"url": "https://x"}"#),
    ),
    r(
        "POST",
        "/api/v1/reviews/{I}/publication-corrections",
        Read,
        B::Json(
            r#"{"url": "https://x.cn/1", "published_at": "2026-12-10T14:30", "reason": "更正"}"#,
        ),
    ),
    r(
        "POST",
        "/api/v1/reviews/{I}/declassifications",
        Read,
        B::Json(r#"{"hash": "x", "decision": "declassified", "document_no": "1号"}"#),
    ),
    r(
        "POST",
        "/api/v1/reviews/{I}/risk-assessments",
        Edit,
        B::Json(r#"{"consultations": [], "risk_level": "low", "contingency": ""}"#),
    ),
    r(
        "GET",
        "/api/v1/reviews/{I}/registration.docx",
        Read,
        B::None,
    ),
    // Incidents: {N} an incident of the unit with its 初报 drafted, {V} that version (with a
    // file). The accounts are not linked to people, so the rules refuse what access lets through.
    r("GET", "/incidents", Session, B::None),
    r("GET", "/incidents/new?unit={A}", Edit, B::None),
    r("POST", "/incidents", Edit, B::Multipart("incident")),
    r("GET", "/incidents/{N}", Read, B::None),
    r("POST", "/incidents/{N}/reports", Edit, B::Multipart("file")),
    r(
        "POST",
        "/incidents/{N}/act",
        Edit,
        B::Form(&[("action", "log"), ("text", "矩阵")]),
    ),
    r("GET", "/incidents/{N}/files/{V}/0", Read, B::None),
    r("GET", "/api/v1/incidents?unit={A}", Read, B::None),
    r(
        "POST",
        "/api/v1/incidents",
        Edit,
        B::Json(
            r#"{"unit_id": {A}, "level": "major", "title": "矩阵", "known_at": "2026-01-01T08:00", "body": "矩阵"}"#,
        ),
    ),
    r("GET", "/api/v1/incidents/{N}", Read, B::None),
    r("GET", "/units/{A}/incident-statistics", Read, B::None),
    r(
        "GET",
        "/units/{A}/incident-statistics?year=2026&flag=late",
        Read,
        B::None,
    ),
    r("GET", "/units/{A}/incident-statistics.xlsx", Read, B::None),
    r(
        "GET",
        "/api/v1/units/{A}/incident-statistics",
        Read,
        B::None,
    ),
    r(
        "POST",
        "/api/v1/incidents/{N}/reports",
        Edit,
        B::Json(r#"{"report": "initial", "body": "矩阵"}"#),
    ),
    r(
        "POST",
        "/api/v1/incidents/{N}/actions",
        Edit,
        B::Json(r#"{"action": "log", "text": "矩阵"}"#),
    ),
    // Inspections: {J} an inspection by A of its sub-unit, {W} its visit (with a file), {F} a
    // finding sent to the sub-unit (with a file). The accounts are not linked to people, so the
    // rules refuse what access lets through.
    r("GET", "/units/{A}/inspections", Read, B::None),
    r(
        "POST",
        "/units/{A}/inspections",
        Edit,
        B::Form(&[("title", "矩阵")]),
    ),
    r("GET", "/inspections/{J}", Read, B::None),
    r(
        "POST",
        "/inspections/{J}/visits",
        Edit,
        B::Multipart("file"),
    ),
    r(
        "POST",
        "/inspections/{J}/findings",
        Edit,
        B::Multipart("file"),
    ),
    r("GET", "/inspections/{J}/visits/{W}/files/0", Read, B::None),
    r("GET", "/inspections/{J}/bulletin.docx", Read, B::None),
    r("GET", "/findings/{F}", Read, B::None),
    r("POST", "/findings/{F}/act", Edit, B::Multipart("file")),
    r("GET", "/findings/{F}/files/0/0", Read, B::None),
    r("GET", "/api/v1/units/{A}/inspections", Read, B::None),
    r(
        "POST",
        "/api/v1/units/{A}/inspections",
        Edit,
        B::Json(r#"{"title": "矩阵", "starts_on": "2026-01-01", "ends_on": "2026-01-02"}"#),
    ),
    r("GET", "/api/v1/inspections/{J}", Read, B::None),
    r(
        "POST",
        "/api/v1/inspections/{J}/visits",
        Edit,
        B::Json(r#"{"unit_id": 0, "visited_on": "2026-01-01", "notes": "矩阵"}"#),
    ),
    r(
        "POST",
        "/api/v1/inspections/{J}/findings",
        Edit,
        B::Json(r#"{"unit_id": 0, "description": "矩阵"}"#),
    ),
    r(
        "GET",
        "/api/v1/inspections/{J}/bulletin.docx",
        Read,
        B::None,
    ),
    r("GET", "/api/v1/findings/{F}", Read, B::None),
    r(
        "POST",
        "/api/v1/findings/{F}/actions",
        Edit,
        B::Json(r#"{"action": "progress", "text": "矩阵"}"#),
    ),
    // Requested reports: {Y} a request of the top unit to A (A submits), {Z} one of A to its
    // sub-unit (A answers), which submitted {H} with a file.
    r("GET", "/units/{A}/reports", Read, B::None),
    r(
        "POST",
        "/units/{A}/reports",
        Edit,
        B::Form(&[("title", "矩阵")]),
    ),
    r("GET", "/reports/{Y}", Read, B::None),
    r("GET", "/reports/{Z}", Read, B::None),
    r("POST", "/reports/{Y}/submit", Edit, B::Multipart("report")),
    r(
        "POST",
        "/reports/{Z}/answer",
        Edit,
        B::Form(&[("kind", "acknowledged")]),
    ),
    r("GET", "/reports/{Z}/files/{H}/0", Read, B::None),
    r("GET", "/api/v1/units/{A}/reports", Read, B::None),
    r(
        "POST",
        "/api/v1/units/{A}/reports",
        Edit,
        B::Json(r#"{"title": "矩阵", "template": "text", "due_on": "2026-01-01"}"#),
    ),
    r("GET", "/api/v1/reports/{Y}", Read, B::None),
    r(
        "POST",
        "/api/v1/reports/{Y}/submissions",
        Edit,
        B::Json(r#"{"unit_id": {A}}"#),
    ),
    r(
        "POST",
        "/api/v1/reports/{Z}/answers",
        Edit,
        B::Json(r#"{"submission_id": 0, "kind": "acknowledged"}"#),
    ),
    // {CY}: a cycle opened at A over its schools; {CU}: the school below A it assesses; {AP}: an
    // appeal of its score.
    r("GET", "/assessment", Session, B::None),
    r("GET", "/assessment/new?unit={A}", Edit, B::None),
    r(
        "POST",
        "/assessment",
        Edit,
        B::Form(&[("unit_id", "{A}"), ("title", "矩阵")]),
    ),
    r("GET", "/assessment/{CY}", Read, B::None),
    r("GET", "/assessment/{CY}/units/{CU}", Read, B::None),
    r(
        "POST",
        "/assessment/{CY}/units/{CU}/self",
        Edit,
        B::Form(&[("n_lectures", "矩阵")]),
    ),
    r("GET", "/api/v1/assessment/cycles?unit={A}", Read, B::None),
    r(
        "POST",
        "/api/v1/assessment/cycles",
        Edit,
        B::Json(
            r#"{"unit_id": {A}, "title": "矩阵", "installed_policy_id": 0, "scope_kind": "学校", "period_start": "2026-01-01", "period_end": "2026-12-31", "self_due_on": "2027-01-10", "review_due_on": "2027-01-20", "appeal_until": "2027-01-30"}"#,
        ),
    ),
    r("GET", "/api/v1/assessment/cycles/{CY}", Read, B::None),
    r(
        "GET",
        "/api/v1/assessment/cycles/{CY}/units/{CU}",
        Read,
        B::None,
    ),
    r(
        "POST",
        "/api/v1/assessment/cycles/{CY}/units/{CU}/self",
        Edit,
        B::Json(r#"{"entries": {}}"#),
    ),
    // {AP}: W's appeal against its locked score.
    r(
        "POST",
        "/assessment/{CY}/units/{CU}/review",
        Edit,
        B::Form(&[("v_lectures", "0")]),
    ),
    r(
        "POST",
        "/api/v1/assessment/cycles/{CY}/units/{CU}/review",
        Edit,
        B::Json(r#"{"entries": {}, "lock": true}"#),
    ),
    r(
        "POST",
        "/assessment/{CY}/units/{CU}/appeals",
        Edit,
        B::Form(&[("text", "矩阵")]),
    ),
    r(
        "POST",
        "/api/v1/assessment/cycles/{CY}/units/{CU}/appeals",
        Edit,
        B::Json(r#"{"text": "矩阵"}"#),
    ),
    r(
        "POST",
        "/assessment/{CY}/appeals/{AP}/answer",
        Edit,
        B::Form(&[("upheld", "rejected"), ("text", "矩阵")]),
    ),
    r(
        "POST",
        "/api/v1/assessment/cycles/{CY}/appeals/{AP}/answer",
        Edit,
        B::Json(r#"{"upheld": false, "text": "矩阵"}"#),
    ),
    r("GET", "/assessment/{CY}/ranking", Read, B::None),
    r("GET", "/assessment/{CY}/export.xlsx", Read, B::None),
    r(
        "GET",
        "/assessment/{CY}/export.xlsx?unit={CU}",
        Read,
        B::None,
    ),
    r("GET", "/assessment/{CY}/export.docx", Read, B::None),
    r(
        "GET",
        "/assessment/{CY}/export.docx?unit={CU}",
        Read,
        B::None,
    ),
    r(
        "GET",
        "/api/v1/assessment/cycles/{CY}/ranking",
        Read,
        B::None,
    ),
    r("POST", "/assessment/{CY}/publish", Edit, B::Form(&[])),
    r(
        "POST",
        "/api/v1/assessment/cycles/{CY}/publish",
        Edit,
        B::Json("{}"),
    ),
    // {AC}: an accountability case held at A about its teacher {P} (restricted: editors of A).
    r("GET", "/accountability", Session, B::None),
    r("GET", "/accountability/new?unit_id={A}", Edit, B::None),
    r(
        "POST",
        "/accountability",
        Edit,
        B::Form(&[("unit_id", "{A}"), ("title", "矩阵")]),
    ),
    r("GET", "/accountability/{AC}", Edit, B::None),
    r(
        "POST",
        "/accountability/{AC}/act",
        Edit,
        B::Form(&[("action", "check"), ("text", "矩阵"), ("proceed", "yes")]),
    ),
    r(
        "POST",
        "/accountability/{AC}/minutes",
        Edit,
        B::Form(&[("meeting", "矩阵")]),
    ),
    r("GET", "/accountability/{AC}/decisions/0", Edit, B::None),
    r("GET", "/accountability/{AC}/statements/0", Edit, B::None),
    r("GET", "/accountability/{AC}/filing", Edit, B::None),
    r("GET", "/units/{A}/accountability-measures", Edit, B::None),
    r(
        "POST",
        "/api/v1/accountability",
        Edit,
        B::Json(
            r#"{"unit_id": {A}, "title": "矩阵", "lead": "矩阵", "event_on": "2026-01-01", "subjects": []}"#,
        ),
    ),
    r("GET", "/api/v1/accountability/{AC}", Edit, B::None),
    r(
        "POST",
        "/api/v1/accountability/{AC}/actions",
        Edit,
        B::Json(r#"{"action": "check", "text": "矩阵", "proceed": true}"#),
    ),
    r(
        "POST",
        "/api/v1/accountability/{AC}/minutes",
        Edit,
        B::Json(r#"{"meeting": "矩阵", "participants": []}"#),
    ),
];

/// The table names every route of the router (read from its source, method by method).
#[test]
fn the_matrix_covers_every_route() {
    // The pages' routes are `.route(…)` calls in lib.rs and in each feature's `routes()`; the
    // API's are `.get(…)`/`.post(…)` calls on an `ApiRouter` (each feature's `api()`, and
    // `api_router()` in lib.rs).
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = vec![std::fs::read_to_string(dir.join("lib.rs")).unwrap()];
    for entry in std::fs::read_dir(&dir).unwrap() {
        let module = entry.unwrap().path().join("mod.rs");
        if module.exists() {
            sources.push(std::fs::read_to_string(module).unwrap());
        }
    }
    let mut in_router = Vec::new();
    for src in &sources {
        // The text of each call up to its closing parenthesis (rustfmt may spread it over lines).
        let calls = |marker: &str, from: usize, to: usize| -> Vec<String> {
            let mut out = Vec::new();
            let mut pos = from;
            while let Some(i) = src[pos..to].find(marker) {
                let at = pos + i;
                let rest = &src[at + marker.len()..];
                let mut depth = 1;
                let end = rest
                    .char_indices()
                    .find(|(_, c)| {
                        match c {
                            '(' => depth += 1,
                            ')' => depth -= 1,
                            _ => {}
                        }
                        depth == 0
                    })
                    .unwrap()
                    .0;
                out.push(rest[..end].trim().to_string());
                pos = at + 1;
            }
            out
        };
        let path_of = |call: &str| {
            call.trim_start_matches('"')
                .split('"')
                .next()
                .unwrap()
                .to_string()
        };
        for call in calls(".route(", 0, src.len()) {
            for method in ["get", "post"] {
                if call.contains(&format!("{method}(")) {
                    in_router.push(format!("{} {}", method.to_uppercase(), path_of(&call)));
                }
            }
        }
        for start in [
            "pub fn api() -> ApiRouter",
            "pub(crate) fn api_router() -> ApiRouter",
        ] {
            if let Some(from) = src.find(start) {
                let to = from + src[from..].find("\n}\n").unwrap();
                for method in ["get", "post"] {
                    for call in calls(&format!(".{method}("), from, to) {
                        in_router.push(format!(
                            "{} /api/v1{}",
                            method.to_uppercase(),
                            path_of(&call)
                        ));
                    }
                }
            }
        }
    }
    let normalise = |p: &str| -> String {
        let p = p.split('?').next().unwrap();
        p.split('/')
            .map(|s| {
                if s.starts_with('{')
                    || s == "zeren.css"
                    || s == "en"
                    || s.ends_with(".ics")
                    || (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                {
                    "{}"
                } else {
                    s
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    };
    let mut table: Vec<String> = ROUTES
        .iter()
        .map(|r| format!("{} {}", r.method, normalise(r.path)))
        .collect();
    let mut router: Vec<String> = in_router
        .iter()
        .map(|r| {
            let (m, p) = r.split_once(' ').unwrap();
            format!("{m} {}", normalise(p))
        })
        .collect();
    table.sort();
    table.dedup();
    router.sort();
    router.dedup();
    assert_eq!(table, router);
}

struct Ids {
    unit: i64,
    person: i64,
    assignment: i64,
    body: i64,
    account: i64,
    grant: i64,
    token: i64,
    obligation: i64,
    record: i64,
    reported: i64,
    item: i64,
    channel: i64,
    install: i64,
    kid: i64,
    incident: i64,
    incident_version: i64,
    inspection: i64,
    visit: i64,
    finding: i64,
    request_up: i64,
    request_down: i64,
    submission: i64,
    cycle: i64,
    cycle_unit: i64,
    appeal: i64,
    case: i64,
}

fn fill(s: &str, ids: &Ids) -> String {
    s.replace("{A}", &ids.unit.to_string())
        .replace("{P}", &ids.person.to_string())
        .replace("{S}", &ids.assignment.to_string())
        .replace("{B}", &ids.body.to_string())
        .replace("{U}", &ids.account.to_string())
        .replace("{G}", &ids.grant.to_string())
        .replace("{T}", &ids.token.to_string())
        .replace("{O}", &ids.obligation.to_string())
        .replace("{R}", &ids.record.to_string())
        .replace("{Q}", &ids.reported.to_string())
        .replace("{I}", &ids.item.to_string())
        .replace("{C}", &ids.channel.to_string())
        .replace("{X}", &ids.install.to_string())
        .replace("{K}", &ids.kid.to_string())
        .replace("{N}", &ids.incident.to_string())
        .replace("{V}", &ids.incident_version.to_string())
        .replace("{J}", &ids.inspection.to_string())
        .replace("{W}", &ids.visit.to_string())
        .replace("{F}", &ids.finding.to_string())
        .replace("{Y}", &ids.request_up.to_string())
        .replace("{Z}", &ids.request_down.to_string())
        .replace("{H}", &ids.submission.to_string())
        .replace("{CY}", &ids.cycle.to_string())
        .replace("{CU}", &ids.cycle_unit.to_string())
        .replace("{AP}", &ids.appeal.to_string())
        .replace("{AC}", &ids.case.to_string())
}

async fn call(c: &Client, route: &Route, ids: &Ids) -> Resp {
    let path = fill(route.path, ids);
    match (route.method, route.body) {
        ("GET", _) => c.get(&path).await,
        (_, Body::Form(fields)) => {
            let owned: Vec<(String, String)> = fields
                .iter()
                .map(|(k, v)| (fill(k, ids), fill(v, ids)))
                .collect();
            let refs: Vec<(&str, &str)> = owned
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            c.form(&path, &refs).await
        }
        (_, Body::Json(j)) => {
            c.json(&path, serde_json::from_str(&fill(j, ids)).unwrap())
                .await
        }
        (_, Body::Multipart("pack")) => {
            c.multipart(&path, &[("pack", None, b"district-school")])
                .await
        }
        (_, Body::Multipart("incident")) => {
            let unit = ids.unit.to_string();
            c.multipart(
                &path,
                &[
                    ("unit_id", None, unit.as_bytes()),
                    ("title", None, "矩阵".as_bytes()),
                    ("level", None, b"major"),
                    ("known_at", None, b"2026-01-01T08:00"),
                    ("body", None, "矩阵".as_bytes()),
                ],
            )
            .await
        }
        (_, Body::Multipart("plan")) => {
            let plan = "学校党支部每季度至少组织1次意识形态工作专题学习。\n";
            c.multipart(&path, &[("source_file", Some("plan.txt"), plan.as_bytes())])
                .await
        }
        (_, Body::Multipart("report")) => {
            let unit = ids.unit.to_string();
            c.multipart(
                &path,
                &[("unit_id", None, unit.as_bytes()), ("text", None, b"")],
            )
            .await
        }
        (_, Body::Multipart(_)) => {
            c.multipart(
                &path,
                &[("file", Some("r.csv"), "姓名\n矩阵人员\n".as_bytes())],
            )
            .await
        }
        (_, Body::Csv) => {
            c.raw(&path, "text/csv", "姓名\n矩阵人员\n".as_bytes().to_vec())
                .await
        }
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn every_route_checks_access_on_the_server() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let top = app.setup("district-school", "区教体局").await;
        let sys = app.login("sysadmin").await;
        let sec = app.login("secadmin").await;
        // Unit A (with a sub-unit) is the one the routes concern; B is another subtree.
        let a = sys
            .form(
                &format!("/units/{top}/children"),
                &[("name", "甲校"), ("kind", "学校")],
            )
            .await
            .location_id();
        let b = sys
            .form(
                &format!("/units/{top}/children"),
                &[("name", "乙校"), ("kind", "学校")],
            )
            .await
            .location_id();
        let branch = sys
            .form(
                &format!("/units/{a}/children"),
                // A school below a school: the school pack governs it, and it reports to A.
                &[("name", "甲校分校"), ("kind", "学校")],
            )
            .await
            .location_id();
        let r = sys
            .json(
                "/api/v1/policies",
                serde_json::json!({ "unit_id": a, "pack": "district-school" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let person = sys
            .json(
                "/api/v1/people",
                serde_json::json!({ "unit_id": a, "name": "甲校老师" }),
            )
            .await
            .json()["id"]
            .as_i64()
            .unwrap();

        // The ledger's objects: an obligation of A with a record and a file, and a report of
        // A's sub-unit to A.
        let r = sys
            .json(
                "/api/v1/policies",
                serde_json::json!({ "unit_id": branch, "pack": "district-school" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        zeren_store::materialise::materialise_all(
            &app.store,
            zeren_web::today(),
            &zeren_policy::calendar::WorkCalendar::bundled(),
        )
        .await
        .unwrap();
        let current = |unit: i64, duty: &'static str| {
            let store = app.store.clone();
            async move {
                use zeren_store::ledger::{LedgerRead, ObligationFilter};
                let today = zeren_web::today();
                store
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
                    .find(|p| {
                        p.obligation.period_start <= today && today <= p.obligation.period_end
                    })
                    .unwrap()
                    .obligation
                    .id
            }
        };
        let obligation = current(a, "quarterly_study").await;
        let today = zeren_web::today().to_string();
        let r = sys
            .json(
                &format!("/api/v1/obligations/{obligation}/records"),
                serde_json::json!({ "work_date": today, "content": "学习",
                    "attachments": [{ "file_name": "纪要.txt", "content_base64": "5a2m5Lmg" }] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let record = r.json()["record"]["id"].as_i64().unwrap();
        let report = current(branch, "half_year_report").await;
        let r = sys
            .json(
                &format!("/api/v1/obligations/{report}/records"),
                serde_json::json!({ "work_date": today, "content": "半年汇报",
                    "attachments": [{ "file_name": "汇报.txt", "content_base64": "5rGH5oql" }] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let reported = r.json()["record"]["id"].as_i64().unwrap();
        let (item, channel) = review_objects(&app, a, person).await;
        let (incident, incident_version) = incident_objects(&app, a, person).await;
        let (inspection, visit, finding) = inspection_objects(&app, a, branch, person).await;
        let (request_up, request_down, submission) = request_objects(&app, top, a, branch).await;
        let (cycle, appeal) = cycle_object(&app, &sys, a, branch).await;
        let case = case_object(&app, a, person).await;

        let mut accounts = Vec::new();
        for (name, unit, level) in [
            ("other", b, "administer"),
            ("reader", a, "read"),
            ("editor", a, "edit"),
            ("admin", a, "administer"),
        ] {
            let r = sec
                .form("/accounts", &[("username", name), ("password", PASSWORD)])
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
            let id = app
                .store
                .reader()
                .await
                .unwrap()
                .account_by_username(name)
                .await
                .unwrap()
                .unwrap()
                .id;
            let r = sec
                .form(
                    &format!("/accounts/{id}/grants"),
                    &[("unit_id", &unit.to_string()), ("level", level)],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
            accounts.push((name, id));
        }
        let mut rd = app.store.reader().await.unwrap();
        let body = rd.bodies_at(a).await.unwrap()[0].id;
        let grant = rd.grants_of(accounts[1].1).await.unwrap()[0].id;
        drop(rd);

        let levels = [
            (None, "no session"),
            (Some("other"), "other subtree"),
            (Some("reader"), "reader"),
            (Some("editor"), "editor"),
            (Some("admin"), "administrator"),
        ];
        for (who, label) in levels {
            for route in ROUTES {
                // Each route gets fresh objects to act on, so one caller's change (ending an
                // assignment, logging out) does not decide the next caller's answer.
                let c = match who {
                    Some(w) => app.login(w).await,
                    None => app.client(),
                };
                let assignment = sys
                    .json("/api/v1/assignments", serde_json::json!({ "person_id": person, "unit_id": a, "role_id": "leadership", "starts_on": "2026-01-01" }))
                    .await
                    .json()["id"]
                    .as_i64()
                    .unwrap();
                let token = if who.is_some() {
                    let page = c.form("/me/tokens", &[("name", "m")]).await;
                    let at = page.text.rfind("/me/tokens/").unwrap() + "/me/tokens/".len();
                    page.text[at..]
                        .chars()
                        .take_while(|c| c.is_ascii_digit())
                        .collect::<String>()
                        .parse()
                        .unwrap()
                } else {
                    1
                };
                // An installation at A to remove: one that governs nothing there.
                let install = {
                    let mut w = app
                        .store
                        .write(&zeren_store::Actor::system())
                        .await
                        .unwrap();
                    let text = "format = 1\n[policy]\nid = \"matrix-extra\"\ntitle = \"矩阵\"\napplies_to = [\"teaching_group\"]\n";
                    let p = w
                        .install_policy(a, "matrix-extra", "1", "矩阵", text, "m")
                        .await
                        .unwrap();
                    w.commit().await.unwrap();
                    p.id
                };
                let kid = {
                    let mut w = app
                        .store
                        .write(&zeren_store::Actor::system())
                        .await
                        .unwrap();
                    let n = format!("矩阵科室{}", next_name());
                    let u = w.create_unit(Some(a), &n, "科室").await.unwrap();
                    w.commit().await.unwrap();
                    u.id
                };
                let ids = Ids {
                    kid,
                    install,
                    unit: a,
                    person,
                    assignment,
                    body,
                    account: accounts[1].1,
                    grant,
                    token,
                    obligation,
                    record,
                    reported,
                    item,
                    channel,
                    incident,
                    incident_version,
                    inspection,
                    visit,
                    finding,
                    request_up,
                    request_down,
                    submission,
                    cycle,
                    cycle_unit: branch,
                    appeal,
                    case,
                };
                let resp = call(&c, route, &ids).await;
                let level = match who {
                    None => 0,
                    Some("other") => 1,
                    Some("reader") => 2,
                    Some("editor") => 3,
                    _ => 4,
                };
                let allowed = match route.need {
                    Public => true,
                    Session => level >= 1,
                    Read => level >= 2,
                    Edit => level >= 3,
                    Administer => level >= 4,
                    Security | Audit | System => false,
                };
                let what = format!(
                    "{} {} as {label}: {} {}",
                    route.method,
                    route.path,
                    resp.status,
                    resp.text.chars().take(200).collect::<String>()
                );
                if route.need == Public {
                    assert!(
                        resp.status != StatusCode::FORBIDDEN && resp.status.as_u16() < 500,
                        "{what}"
                    );
                } else if allowed {
                    assert!(
                        resp.status != StatusCode::UNAUTHORIZED
                            && resp.status != StatusCode::FORBIDDEN
                            && resp.status.as_u16() < 500,
                        "{what}"
                    );
                } else if who.is_none() {
                    if route.path.starts_with("/api/") {
                        assert_eq!(resp.status, StatusCode::UNAUTHORIZED, "{what}");
                    } else {
                        assert_eq!(
                            (resp.status, resp.location()),
                            (StatusCode::SEE_OTHER, "/login"),
                            "{what}"
                        );
                    }
                } else {
                    assert_eq!(resp.status, StatusCode::FORBIDDEN, "{what}");
                }
            }
        }
        app.stop().await;
    }
}

/// A name no sibling has taken yet.
fn next_name() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed).to_string()
}

/// A major decision of `unit` submitted by `person` (in review at its first step), and a channel.
async fn review_objects(app: &App, unit: i64, person: i64) -> (i64, i64) {
    use zeren_store::reviews::*;
    let policy = app
        .store
        .reader()
        .await
        .unwrap()
        .policy_in_force(unit)
        .await
        .unwrap()
        .unwrap();
    let mut w = app
        .store
        .write(&zeren_store::Actor::system())
        .await
        .unwrap();
    let version = NewItemVersion {
        title: "绩效方案".into(),
        details: serde_json::json!({}),
        ..NewItemVersion::default()
    };
    let item = w
        .create_review_item(
            &NewItem {
                unit_id: unit,
                installed_policy_id: policy.id,
                workflow_id: "major_decision".into(),
                kind: "decision".into(),
                channel_id: None,
                major: true,
                submitter_person_id: person,
            },
            &version,
        )
        .await
        .unwrap();
    let submitted = zeren_core::review::Event::Submitted {
        by: zeren_core::org::PersonId(person),
        version: 1,
        hash: version.hash(),
    };
    w.append_review_event(
        item.id,
        0,
        &submitted,
        zeren_core::review::Stage::InReview { step: 0 },
    )
    .await
    .unwrap();
    let channel = w
        .create_channel(&NewChannel {
            unit_id: unit,
            kind: "website".into(),
            name: "学校网站".into(),
            locator: "https://school.example".into(),
            ..NewChannel::default()
        })
        .await
        .unwrap();
    w.commit().await.unwrap();
    (item.id, channel.id)
}

/// 三员分立: from the web no administrator resets, disables or changes the rights of an
/// administrator (itself included: its own password is changed on 我的); each refusal names
/// `zeren account reset`. The security administrator grants no more than an account may hold.
#[tokio::test]
async fn administrators_restrain_each_other() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let top = app.setup("district-school", "区教体局").await;
        let sys = app.login("sysadmin").await;
        let sec = app.login("secadmin").await;
        let school = sys
            .form(
                &format!("/units/{top}/children"),
                &[("name", "甲校"), ("kind", "学校")],
            )
            .await
            .location_id();
        let id = |name: &'static str| {
            let store = app.store.clone();
            async move {
                store
                    .reader()
                    .await
                    .unwrap()
                    .account_by_username(name)
                    .await
                    .unwrap()
                    .unwrap()
            }
        };
        let sys_account = id("sysadmin").await;
        let sys_grant = app
            .store
            .reader()
            .await
            .unwrap()
            .grants_of(sys_account.id)
            .await
            .unwrap()[0]
            .id;
        let top_s = top.to_string();
        for admin in ["sysadmin", "secadmin", "auditadmin"] {
            let a = id(admin).await;
            let attempts: Vec<(String, Vec<(&str, &str)>)> = vec![
                (
                    format!("/accounts/{}/password", a.id),
                    vec![("password", "Taken-Over-Passw0rd!")],
                ),
                (
                    format!("/accounts/{}/active", a.id),
                    vec![("active", "false")],
                ),
                (
                    format!("/accounts/{}/grants", a.id),
                    vec![("unit_id", &top_s), ("level", "read")],
                ),
            ];
            for (path, fields) in attempts {
                let r = sec.form(&path, &fields).await;
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.text);
                assert!(r.text.contains("zeren account reset"), "{path}: {}", r.text);
                assert!(r.text.contains("三员分立"), "{path}");
            }
            let after = id(admin).await;
            assert_eq!(after.password_hash, a.password_hash, "{admin}");
            assert!(after.active && !after.must_change_password, "{admin}");
        }
        let r = sec.form(&format!("/grants/{sys_grant}/remove"), &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        assert_eq!(
            sys.get(&format!("/units/{top}")).await.status,
            StatusCode::OK,
            "the system administrator keeps its rights and session"
        );
        // Nobody else gets to administer the top unit: refused beside the level, kept.
        let r = sec
            .form(
                "/accounts",
                &[("username", "deputy"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let deputy = id("deputy").await;
        let r = sec
            .form(
                &format!("/accounts/{}/grants", deputy.id),
                &[("unit_id", &top_s), ("level", "administer")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("顶层单位的管理权限只属于系统管理员"));
        assert!(r.text.contains("value=\"administer\" selected"));
        // Below the top unit, and at the top with less, it is the security administrator's to
        // give; and a user is reset and disabled from the web as before.
        for (unit, level) in [(school, "administer"), (top, "edit")] {
            let r = sec
                .form(
                    &format!("/accounts/{}/grants", deputy.id),
                    &[("unit_id", &unit.to_string()), ("level", level)],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        }
        let r = sec
            .form(
                &format!("/accounts/{}/password", deputy.id),
                &[("password", "Reset-Passw0rd!")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let r = sec
            .form(
                &format!("/accounts/{}/active", deputy.id),
                &[("active", "false")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        // The page offers none of the refused acts for administrators.
        let page = sec.get("/accounts").await.text;
        let sys_row = &page[page
            .find(&format!("id=\"account-{}\"", sys_account.id))
            .unwrap()..];
        let sys_row = &sys_row[..sys_row.find("</tr>").unwrap()];
        assert!(!sys_row.contains("/password\"") && !sys_row.contains("/active\""));
        assert!(sys_row.contains("zeren account reset"));
        app.stop().await;
    }
}

/// An incident of `unit` reported by `person`, its 初报 drafted with a file: (incident, version).
async fn incident_objects(app: &App, unit: i64, person: i64) -> (i64, i64) {
    use zeren_store::incidents::*;
    let policy = app
        .store
        .reader()
        .await
        .unwrap()
        .policy_in_force(unit)
        .await
        .unwrap()
        .unwrap();
    let mut w = app
        .store
        .write(&zeren_store::Actor::system())
        .await
        .unwrap();
    let incident = w
        .create_incident(&NewIncident {
            unit_id: unit,
            installed_policy_id: policy.id,
            level_id: "major".into(),
            title: "矩阵事件".into(),
            known_at: zeren_store::now(),
            reporter_person_id: person,
            ..NewIncident::default()
        })
        .await
        .unwrap();
    let sha = w.put_attachment(b"x", "text/plain").await.unwrap();
    let version = NewReportVersion {
        report: "initial".into(),
        body: "矩阵".into(),
        measures: String::new(),
        attachments: vec![("x.txt".into(), sha)],
    };
    let v = w
        .add_incident_report_version(incident.id, &version)
        .await
        .unwrap();
    let drafted = zeren_core::incident::Event::Drafted {
        report: zeren_core::incident::ReportKind::Initial,
        by: zeren_core::org::PersonId(person),
        at: zeren_store::now(),
        hash: v.hash.clone(),
    };
    w.append_incident_event(
        incident.id,
        0,
        &drafted,
        zeren_core::incident::Stage::Open,
        &zeren_policy::LevelId::parse("major").unwrap(),
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    (incident.id, v.id)
}

/// An inspection by `unit` of `below` with `person` on its team, a visit with a file, and a
/// finding sent to `below` with a file.
async fn inspection_objects(app: &App, unit: i64, below: i64, person: i64) -> (i64, i64, i64) {
    use zeren_core::inspection::{Event, FindingState, FindingText};
    use zeren_store::inspections::*;
    let mut w = app
        .store
        .write(&zeren_store::Actor::system())
        .await
        .unwrap();
    let today = zeren_web::today();
    let i = w
        .create_inspection(&NewInspection {
            unit_id: unit,
            title: "矩阵督查".into(),
            scope: "units".into(),
            starts_on: today,
            ends_on: today,
            checklist: vec![CheckItem {
                kind: "text".into(),
                policy_id: None,
                duty_id: None,
                title: "矩阵".into(),
                source: None,
            }],
            units: vec![below],
            team: vec![(person, true)],
            ..NewInspection::default()
        })
        .await
        .unwrap();
    let sha = w.put_attachment(b"x", "text/plain").await.unwrap();
    let visit = w
        .add_visit(
            i.id,
            &NewVisit {
                unit_id: below,
                visited_on: today,
                notes: "矩阵".into(),
                checks: Vec::new(),
                files: vec![("x.txt".into(), sha.clone())],
            },
        )
        .await
        .unwrap();
    let sent = Event::FindingSent {
        version: 1,
        by: zeren_core::org::PersonId(person),
        on: today,
        finding: FindingText {
            unit: zeren_core::org::UnitId(below),
            severity: None,
            clause: "矩阵".into(),
            source: None,
            description: "矩阵问题".into(),
            evidence: vec![sha.clone()],
            due: today,
        },
        reason: None,
    };
    let state = FindingState::replay(std::slice::from_ref(&sent));
    let finding = w
        .create_finding(
            i.id,
            below,
            &sent,
            &Derived {
                state: &state,
                severity_title: String::new(),
                summary: "矩阵问题".into(),
            },
            &[("x.txt".into(), sha)],
        )
        .await
        .unwrap();
    w.commit().await.unwrap();
    (i.id, visit, finding)
}

/// A report requested by `top` of `unit`, one requested by `unit` of `below`, and `below`'s
/// submission (with a file) to the latter.
async fn request_objects(app: &App, top: i64, unit: i64, below: i64) -> (i64, i64, i64) {
    use zeren_store::report_requests::*;
    let mut w = app
        .store
        .write(&zeren_store::Actor::system())
        .await
        .unwrap();
    let due = zeren_web::today() + chrono::Days::new(10);
    let ask = |from: i64, to: i64| NewReportRequest {
        unit_id: from,
        title: "矩阵报送".into(),
        instructions: String::new(),
        template: "text".into(),
        fields: Vec::new(),
        due_on: due,
        units: vec![to],
    };
    let up = w.create_report_request(&ask(top, unit)).await.unwrap().id;
    let down = w.create_report_request(&ask(unit, below)).await.unwrap().id;
    let sha = w.put_attachment(b"x", "text/plain").await.unwrap();
    let (submission, _) = w
        .submit_report(down, below, 0, "矩阵", &[], &[("x.txt".into(), sha)])
        .await
        .unwrap();
    w.commit().await.unwrap();
    (up, down, submission)
}

/// A cycle of assessment opened at `unit` over the schools below it, by its policy's rubric, with
/// `school`'s score reviewed and locked, and its appeal: (cycle, appeal).
/// An accountability case held at `unit` about `person`.
async fn case_object(app: &App, unit: i64, person: i64) -> i64 {
    use zeren_core::accountability::Subject;
    let policy = app
        .store
        .reader()
        .await
        .unwrap()
        .policy_in_force(unit)
        .await
        .unwrap()
        .unwrap();
    let mut w = app
        .store
        .write(&zeren_store::Actor::system())
        .await
        .unwrap();
    let c = w
        .open_case(&zeren_store::accountability::NewCase {
            unit_id: unit,
            installed_policy_id: policy.id,
            source: "lead".into(),
            title: "矩阵问责".into(),
            lead: "矩阵".into(),
            subjects: vec![Subject::Person(zeren_core::org::PersonId(person))],
            ..Default::default()
        })
        .await
        .unwrap();
    w.commit().await.unwrap();
    c.id
}

async fn cycle_object(app: &App, sys: &Client, unit: i64, school: i64) -> (i64, i64) {
    use zeren_store::assessment::NewCycle;
    let policy = app
        .store
        .reader()
        .await
        .unwrap()
        .policy_in_force(unit)
        .await
        .unwrap()
        .unwrap();
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let mut w = app
        .store
        .write(&zeren_store::Actor::system())
        .await
        .unwrap();
    let c = w
        .open_assessment_cycle(&NewCycle {
            unit_id: unit,
            installed_policy_id: policy.id,
            title: "矩阵考核".into(),
            scope_kind: "学校".into(),
            dates: zeren_core::assessment::CycleDates {
                period_start: d("2026-01-01"),
                period_end: d("2026-12-31"),
                self_due_on: d("2027-01-10"),
                review_due_on: d("2027-01-20"),
                appeal_until: d("2027-01-30"),
            },
        })
        .await
        .unwrap();
    w.commit().await.unwrap();
    let r = sys
        .json(
            &format!("/api/v1/assessment/cycles/{}/units/{school}/review", c.id),
            serde_json::json!({ "entries": {
                "lectures": { "value": "0" }, "sentiment_unreported": { "value": "0" },
                "positions": { "value": "0" }, "honours": { "levels": {} } }, "lock": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = sys
        .json(
            &format!("/api/v1/assessment/cycles/{}/units/{school}/appeals", c.id),
            serde_json::json!({ "text": "矩阵申诉" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    (c.id, r.json()["id"].as_i64().unwrap())
}
