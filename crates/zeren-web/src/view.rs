//! Page models for the askama templates (`templates/layouts`, `pages`, `components`) and the
//! chrome every page shares: language, navigation for the signed-in account, CSRF token.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Html;
use chrono::NaiveDate;
use zeren_store::*;

use crate::auth::Viewer;
use crate::i18n::{Lang, Tr};
use crate::packs::PackInfo;

pub const KINDS: &[&str] = &[
    "局",
    "党组",
    "党委",
    "学校",
    "党支部",
    "科室",
    "教研组",
    "分场",
    "院",
    "部门",
    "中心",
    "办公室",
];

pub struct NavUser {
    pub username: String,
    pub has_units: bool,
    pub security: bool,
    pub audit: bool,
}

pub struct Chrome {
    pub t: Tr,
    pub user: Option<NavUser>,
    pub csrf: String,
}

impl AuditPage {
    pub fn action(&self, code: &str) -> String {
        action_label(self.lang, code)
    }
}

impl Chrome {
    pub fn new(lang: Lang, viewer: Option<&Viewer>) -> Chrome {
        Chrome {
            t: Tr(lang),
            user: viewer.map(|v| NavUser {
                username: v.account.username.clone(),
                has_units: matches!(v.duty(), AdminDuty::None | AdminDuty::System),
                security: v.duty() == AdminDuty::Security,
                audit: v.duty() == AdminDuty::Audit,
            }),
            csrf: viewer.map(|v| v.csrf.clone()).unwrap_or_default(),
        }
    }

    pub fn kinds(&self) -> &'static [&'static str] {
        KINDS
    }

    pub fn political(&self, code: &str) -> &'static str {
        crate::roster::political_name(code)
    }

    pub fn political_statuses(&self) -> Vec<(&'static str, &'static str)> {
        crate::roster::POLITICAL_STATUS
            .iter()
            .map(|(c, full, _)| (*c, *full))
            .collect()
    }
}

pub fn render(t: &impl Template) -> Result<Html<String>, crate::Error> {
    Ok(Html(t.render()?))
}

#[derive(Template)]
#[template(path = "pages/error.html")]
pub struct ErrorPage<'a> {
    pub chrome: Chrome,
    pub status: u16,
    pub message: &'a str,
}

pub fn error_page(lang: Lang, status: StatusCode, message: &str) -> Html<String> {
    let page = ErrorPage {
        chrome: Chrome::new(lang, None),
        status: status.as_u16(),
        message,
    };
    Html(page.render().unwrap_or_else(|_| message.to_string()))
}

#[derive(Template)]
#[template(path = "pages/login.html")]
pub struct LoginPage {
    pub chrome: Chrome,
    pub error: Option<String>,
    pub username: String,
}

#[derive(Default)]
pub struct SetupForm {
    pub pack: String,
    pub unit_name: String,
    pub unit_kind: String,
    pub system_username: String,
    pub security_username: String,
    pub audit_username: String,
}

#[derive(Template)]
#[template(path = "pages/setup.html")]
pub struct SetupPage {
    pub chrome: Chrome,
    pub packs: Vec<PackInfo>,
    pub form: SetupForm,
    pub errors: Vec<String>,
}

pub struct TreeNode {
    pub unit: Unit,
    pub depth: usize,
}

#[derive(Template)]
#[template(path = "pages/units.html")]
pub struct UnitsPage {
    pub chrome: Chrome,
    pub roots: Vec<Unit>,
    pub nodes: Vec<TreeNode>,
}

pub struct RoleRow {
    pub id: String,
    pub title: String,
    pub held_by: Option<String>,
    pub holders: Vec<AssignmentView>,
}

/// A past holder, with the role's title from the policy (its id when the policy no longer has it).
pub struct HistoryRow {
    pub a: AssignmentView,
    pub role_title: String,
}

pub struct BodyView {
    pub body: Body,
    pub members: Vec<MemberView>,
}

pub struct MemberView {
    pub person_name: String,
    pub position: String,
}

impl MemberView {
    pub fn position_key(&self) -> &'static str {
        match self.position.as_str() {
            "chair" => "body.chair",
            "deputy" => "body.deputy",
            _ => "body.member",
        }
    }
}

/// The roles section, rendered in the unit page and alone as an htmx partial.
#[derive(Template)]
#[template(path = "components/roles.html")]
pub struct RolesPart {
    pub chrome: Chrome,
    pub unit: Unit,
    pub policy: Option<InstalledPolicy>,
    pub roles: Vec<RoleRow>,
    pub warnings: Vec<String>,
    pub history: Vec<HistoryRow>,
    pub candidates: Vec<Person>,
    pub can_edit: bool,
    pub today: NaiveDate,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/unit.html")]
pub struct UnitPage {
    pub chrome: Chrome,
    pub unit: Unit,
    pub path: Vec<Unit>,
    pub children: Vec<Unit>,
    pub people: Vec<Person>,
    pub policy: Option<InstalledPolicy>,
    pub roles: Vec<RoleRow>,
    pub warnings: Vec<String>,
    pub history: Vec<HistoryRow>,
    pub candidates: Vec<Person>,
    pub bodies: Vec<BodyView>,
    pub can_edit: bool,
    pub can_administer: bool,
    pub today: NaiveDate,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/person.html")]
pub struct PersonPage {
    pub chrome: Chrome,
    pub person: Person,
    pub path: Vec<Unit>,
    pub id_masked: String,
    pub assignments: Vec<HistoryRow>,
}

#[derive(Template)]
#[template(path = "pages/import.html")]
pub struct ImportPage {
    pub chrome: Chrome,
    pub unit: Unit,
    pub imported: Option<usize>,
    pub problems: Vec<crate::roster::Problem>,
}

pub struct Preview {
    pub title: String,
    pub version: String,
    pub first: bool,
    pub diff: String,
    pub file_name: String,
    pub sha256: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "pages/policy.html")]
pub struct PolicyPage {
    pub chrome: Chrome,
    pub unit: Unit,
    pub packs: Vec<PackInfo>,
    pub history: Vec<InstalledPolicy>,
    pub preview: Option<Preview>,
    pub errors: Vec<String>,
}

pub struct GrantView {
    pub id: i64,
    pub unit_name: String,
    pub level_key: &'static str,
}

pub struct AccountRow {
    pub account: Account,
    pub person: Option<String>,
    pub duty_key: &'static str,
    pub locked: bool,
    pub grants: Vec<GrantView>,
    pub can_hold_grants: bool,
}

#[derive(Template)]
#[template(path = "pages/accounts.html")]
pub struct AccountsPage {
    pub chrome: Chrome,
    pub accounts: Vec<AccountRow>,
    pub units: Vec<Unit>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/me.html")]
pub struct MePage {
    pub chrome: Chrome,
    pub account: Account,
    pub tokens: Vec<ApiToken>,
    pub new_token: Option<String>,
    pub error: Option<String>,
}

#[derive(Default)]
pub struct AuditFilterForm {
    pub actor: Option<i64>,
    pub entity: String,
    pub from: String,
    pub to: String,
}

pub struct ActorOption {
    pub id: i64,
    pub username: String,
}

#[derive(Template)]
#[template(path = "pages/audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub lang: Lang,
    pub chain_ok: bool,
    pub chain_status: String,
    pub actors: Vec<ActorOption>,
    pub filter: AuditFilterForm,
    pub entries: Vec<AuditEntry>,
}

/// What an audit action means, in the viewer's language; unknown actions show their code.
pub fn action_label(lang: Lang, action: &str) -> String {
    const LABELS: &[(&str, &str, &str)] = &[
        (
            "account.active",
            "启用/停用账号",
            "account enabled/disabled",
        ),
        ("account.create", "创建账号", "account created"),
        ("account.password", "修改密码", "password changed"),
        ("assignment.create", "任命", "role assigned"),
        ("assignment.end", "卸任", "assignment ended"),
        ("body.flag", "机构需调整", "body flagged for adjustment"),
        ("body.member.add", "添加机构成员", "body member added"),
        ("body.member.remove", "移除机构成员", "body member removed"),
        ("body.sync", "更新机构成员", "body members updated"),
        ("grant.remove", "撤销权限", "permission removed"),
        ("grant.set", "授予权限", "permission granted"),
        ("login.failure", "登录失败", "failed login"),
        ("login.unlock", "解除锁定", "lockout lifted"),
        ("person.create", "添加人员", "person added"),
        ("policy.install", "安装实施办法", "policy installed"),
        ("session.login", "登录", "logged in"),
        ("session.logout", "退出", "logged out"),
        ("setting.set", "系统设置", "setting changed"),
        ("token.create", "生成 API 令牌", "API token created"),
        ("token.revoke", "吊销 API 令牌", "API token revoked"),
        ("unit.create", "创建单位", "unit created"),
        ("unit.update", "修改单位", "unit changed"),
    ];
    match LABELS.iter().find(|(code, ..)| *code == action) {
        Some((_, zh, en)) => match lang {
            Lang::Zh => format!("{zh}（{action}）"),
            Lang::En => format!("{en} ({action})"),
        },
        None => action.to_string(),
    }
}

pub fn duty_key(d: AdminDuty) -> &'static str {
    match d {
        AdminDuty::None => "duty.none",
        AdminDuty::System => "duty.system",
        AdminDuty::Security => "duty.security",
        AdminDuty::Audit => "duty.audit",
    }
}

pub fn level_key(l: &str) -> &'static str {
    match l {
        "administer" => "level.administer",
        "edit" => "level.edit",
        _ => "level.read",
    }
}

/// `110105********002X`: enough to recognise, not enough to misuse.
pub fn mask_id(id: &str) -> String {
    if id.len() == 18 {
        format!("{}********{}", &id[..6], &id[14..])
    } else {
        String::new()
    }
}
