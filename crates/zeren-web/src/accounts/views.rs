//! The accounts' page models: first-run setup, login, the security administrator's accounts page
//! and each account's own page.

use askama::Template;
use zeren_store::*;

use crate::shared::packs::{FragmentInfo, PackInfo};
use crate::shared::view::Chrome;

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
    /// Standard fragments ticked.
    pub fragments: Vec<String>,
}

#[derive(Template)]
#[template(path = "pages/setup.html")]
pub struct SetupPage {
    pub chrome: Chrome,
    pub packs: Vec<PackInfo>,
    pub fragments: Vec<FragmentInfo>,
    pub form: SetupForm,
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
