//! The rows the store reads and writes. Values that reach these types have been validated
//! by the caller (the web layer parses, the store keeps).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Unit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub kind: String,
    pub created_at: DateTime<Utc>,
    /// The day the unit was retired (撤销) or merged (合并); its history stays readable.
    pub retired_on: Option<NaiveDate>,
    pub retired_reason: Option<String>,
    /// The unit it was merged into, for a merge.
    pub merged_into: Option<i64>,
}

impl Unit {
    pub fn is_retired(&self) -> bool {
        self.retired_on.is_some()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Person {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    pub gender: Option<String>,
    pub id_number: Option<String>,
    pub employee_no: Option<String>,
    pub phone: Option<String>,
    pub position: Option<String>,
    pub political_status: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A person to be created.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NewPerson {
    pub unit_id: i64,
    pub name: String,
    pub gender: Option<String>,
    pub id_number: Option<String>,
    pub employee_no: Option<String>,
    pub phone: Option<String>,
    pub position: Option<String>,
    pub political_status: Option<String>,
}

/// The separate administrator duties (三员分立).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AdminDuty {
    None,
    /// 系统管理员: changes the organisation and policies; cannot read or touch the audit log.
    System,
    /// 安全管理员: accounts, grants, lockouts.
    Security,
    /// 安全审计员: reads the audit log, nothing else.
    Audit,
}

impl AdminDuty {
    pub fn as_str(self) -> &'static str {
        match self {
            AdminDuty::None => "none",
            AdminDuty::System => "system",
            AdminDuty::Security => "security",
            AdminDuty::Audit => "audit",
        }
    }

    pub fn parse(s: &str) -> Option<AdminDuty> {
        Some(match s {
            "none" => AdminDuty::None,
            "system" => AdminDuty::System,
            "security" => AdminDuty::Security,
            "audit" => AdminDuty::Audit,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub person_id: Option<i64>,
    #[serde(skip)]
    pub password_hash: String,
    pub admin_duty: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub password_changed_at: DateTime<Utc>,
    /// Set by an administrator's reset: the next login must choose a new password.
    pub must_change_password: bool,
}

impl Account {
    pub fn duty(&self) -> AdminDuty {
        AdminDuty::parse(&self.admin_duty).unwrap_or(AdminDuty::None)
    }

    /// Whether the password is older than `max_age` (None: passwords do not expire).
    pub fn password_expired(&self, now: DateTime<Utc>, max_age: Option<chrono::Duration>) -> bool {
        max_age.is_some_and(|m| self.password_changed_at + m <= now)
    }

    /// Whether the next login must change the password: after a reset, or once it expired.
    pub fn must_change_password_at(
        &self,
        now: DateTime<Utc>,
        max_age: Option<chrono::Duration>,
    ) -> bool {
        self.must_change_password || self.password_expired(now, max_age)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Session {
    /// SHA-256 of the cookie value; the value itself is never stored.
    pub id: String,
    pub account_id: i64,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The password was right, the one-time code is still to come: the session opens nothing.
    pub second_factor_pending: bool,
}

impl Session {
    /// A session lives while it was used within `idle` and began less than `absolute` ago
    /// (None: no absolute limit).
    pub fn alive_at(
        &self,
        now: DateTime<Utc>,
        idle: chrono::Duration,
        absolute: Option<chrono::Duration>,
    ) -> bool {
        self.last_seen_at + idle > now && absolute.is_none_or(|a| self.created_at + a > now)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    #[serde(skip)]
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// None: the token does not expire (it still ends with a password change or reset).
    pub expires_at: Option<DateTime<Utc>>,
    /// When it last authenticated a request (to the minute); not part of the audited state.
    #[serde(skip)]
    pub last_used_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    /// Neither revoked nor expired at `now`.
    pub fn usable_at(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| now < e)
    }
}

/// Permission levels, each including the ones below it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Read,
    Edit,
    Administer,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Read => "read",
            Level::Edit => "edit",
            Level::Administer => "administer",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Some(match s {
            "read" => Level::Read,
            "edit" => Level::Edit,
            "administer" => Level::Administer,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Grant {
    pub id: i64,
    pub account_id: i64,
    pub unit_id: i64,
    pub level: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Assignment {
    pub id: i64,
    pub person_id: i64,
    pub unit_id: i64,
    pub role_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

impl Assignment {
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.starts_on <= day && self.ends_on.is_none_or(|e| day < e)
    }
}

/// An assignment with the names a page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AssignmentView {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub role_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct InstalledPolicy {
    pub id: i64,
    pub unit_id: i64,
    pub policy_id: String,
    pub version: String,
    pub title: String,
    #[serde(skip)]
    pub text: String,
    pub sha256: String,
    pub installed_at: DateTime<Utc>,
    pub installed_by: Option<i64>,
    /// The current version of its policy at its unit (not superseded, not removed).
    pub current: bool,
    /// The unit kinds the policy applies to, space separated (empty: the installing unit only).
    pub applies_to: Option<String>,
    pub removed_at: Option<DateTime<Utc>>,
    pub removed_by: Option<i64>,
}

impl InstalledPolicy {
    /// The unit kinds of `applies_to`, as ids.
    pub fn kinds(&self) -> Vec<zeren_policy::UnitKind> {
        self.applies_to
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .filter_map(zeren_policy::UnitKind::parse)
            .collect()
    }

    /// Whether this installation governs a unit of `unit_kind` in its subtree (the installing
    /// unit itself when `unit_id` is its unit).
    pub fn governs(&self, unit_id: i64, unit_kind: &str) -> bool {
        zeren_policy::kind_governs(&self.kinds(), unit_id == self.unit_id, unit_kind)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Body {
    pub id: i64,
    pub unit_id: i64,
    pub body_key: String,
    pub title: String,
    pub within_key: Option<String>,
    pub remit: Option<String>,
    pub role_spec: String,
    pub needs_adjustment: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct BodyMember {
    pub id: i64,
    pub body_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub position: String,
    pub role_id: Option<String>,
}

/// A body as the policy defines it, to be created or refreshed at a unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BodySpec {
    pub key: String,
    pub title: String,
    pub within: Option<String>,
    pub remit: Option<String>,
    /// (role id, position) pairs: whose holders become members, as chair, deputy or member.
    pub roles: Vec<(String, String)>,
}

/// Filter and page of the audit log: newest first, at most `limit` (1 to 1,000) entries.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub actor_account_id: Option<i64>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// The entries before this seq (the last of the previous page).
    pub before: Option<i64>,
    pub limit: i64,
}
