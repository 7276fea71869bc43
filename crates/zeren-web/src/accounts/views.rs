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

/// The second step of a login: the one-time code.
#[derive(Template)]
#[template(path = "pages/login_code.html")]
pub struct CodePage {
    pub chrome: Chrome,
    pub error: Option<String>,
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
    pub refused: crate::shared::refusal::Refused,
}

pub struct GrantView {
    pub id: i64,
    pub unit_name: String,
    pub level_key: &'static str,
}

pub struct AccountRow {
    pub account: Account,
    /// The person the account is linked to, by name and unit.
    pub person: Option<zeren_store::directory::PersonHit>,
    pub duty_key: &'static str,
    pub locked: bool,
    pub grants: Vec<GrantView>,
    pub can_hold_grants: bool,
    /// An administrator's account: reset, disabled and given rights only on the server.
    pub restrained: bool,
}

/// A person who holds a role today and has no account.
pub struct HolderRow {
    pub person_id: i64,
    pub name: String,
    pub employee_no: Option<String>,
    /// The person's own unit.
    pub unit: String,
    /// The roles held, as "title（unit）".
    pub roles: Vec<String>,
    pub proposed: String,
}

/// An account just created for a role holder; a generated password is shown this once.
pub struct CreatedAccount {
    pub name: String,
    pub unit: String,
    pub username: String,
    pub password: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/accounts.html")]
pub struct AccountsPage {
    pub chrome: Chrome,
    pub accounts: Vec<AccountRow>,
    pub units: Vec<Unit>,
    pub holders: Vec<HolderRow>,
    pub refused: crate::shared::refusal::Refused,
    /// The person chosen in the refused form, chosen again.
    pub picked: Option<zeren_store::directory::PersonHit>,
    pub created: Vec<CreatedAccount>,
    /// Source addresses locked now, with when their lock ends (China time).
    pub locked_sources: Vec<(String, String)>,
}

impl AccountsPage {
    /// The user name offered for a holder: what was typed in a refused form, else the proposal.
    pub fn holder_username<'a>(&'a self, h: &'a HolderRow) -> &'a str {
        let key = format!("username_{}", h.person_id);
        self.refused.value_or("holders", &key, &h.proposed)
    }

    pub fn holder_error(&self, h: &HolderRow) -> Option<String> {
        self.refused
            .error("holders", &format!("username_{}", h.person_id))
    }

    pub fn holder_chosen(&self, h: &HolderRow) -> bool {
        self.refused
            .has("holders", "person", &h.person_id.to_string())
    }

    /// The person shown chosen in a form: the one chosen in it when it was refused, else
    /// `current` (the account's person for a link form).
    pub fn picked_for(
        &self,
        form: &str,
        current: &Option<zeren_store::directory::PersonHit>,
    ) -> Option<zeren_store::directory::PersonHit> {
        if self.refused.form == form && !self.refused.problems.is_empty() {
            self.picked.clone()
        } else {
            current.clone()
        }
    }

    /// The person chosen in a refused form creating an account.
    pub fn picked_create(&self) -> Option<zeren_store::directory::PersonHit> {
        self.picked_for("create", &None)
    }

    /// Whether the typed-password choice was made in a refused form.
    pub fn typed_mode(&self) -> bool {
        self.refused.has("holders", "mode", "typed")
    }
}

/// People found by a search, as choices for the form that asked (an htmx fragment).
#[derive(Template)]
#[template(path = "components/people_choices.html")]
pub struct PeopleChoices {
    pub chrome: Chrome,
    pub hits: Vec<zeren_store::directory::PersonHit>,
    pub more: bool,
    pub searched: bool,
}

#[derive(Template)]
#[template(path = "pages/me.html")]
pub struct MePage {
    pub chrome: Chrome,
    pub account: Account,
    /// Older than `password_max_age_days`: it must be changed before anything else.
    pub password_expired: bool,
    /// One-time codes: none, being set up (with the secret), or in force.
    pub totp: Option<super::me::TotpView>,
    /// An administrator who must use them (`totp_for_administrators`).
    pub totp_required: bool,
    pub tokens: Vec<super::me::TokenView>,
    pub token_days: &'static [i64],
    pub new_token: Option<String>,
    pub refused: crate::shared::refusal::Refused,
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
