//! Queries that only read. [`Read`] is implemented by a plain connection ([`crate::Reader`])
//! and by a write transaction ([`crate::Write`]), so a mutation can check what it needs
//! inside its own transaction.

use chrono::{DateTime, Utc};

use crate::audit::{AuditEntry, HashAlg};
use crate::model::*;
use crate::{run, Conn, Error, Result};

const UNIT: &str = "SELECT id, parent_id, name, kind, created_at, retired_on, retired_reason, merged_into FROM units";
const PERSON: &str = "SELECT id, unit_id, name, gender, id_number, employee_no, phone, position, political_status, created_at FROM people";
const ACCOUNT: &str = "SELECT id, username, person_id, password_hash, admin_duty, active, created_at, password_changed_at, must_change_password FROM accounts";
const ASSIGNMENT_VIEW: &str = "SELECT a.id, a.person_id, p.name AS person_name, a.unit_id, u.name AS unit_name, a.role_id, a.starts_on, a.ends_on
    FROM assignments a JOIN people p ON p.id = a.person_id JOIN units u ON u.id = a.unit_id";
const POLICY: &str = "SELECT id, unit_id, policy_id, version, title, text, sha256, installed_at, installed_by, current, applies_to, removed_at, removed_by FROM installed_policies";
const BODY: &str = "SELECT id, unit_id, body_key, title, within_key, remit, role_spec, needs_adjustment, created_at FROM bodies";
pub(crate) const AUDIT: &str = "SELECT seq, at, actor_account_id, actor, action, entity_type, entity_id, state_digest, prev_hash, hash, details, key_id FROM audit_log";
/// The unit `$1` and all its ancestors, nearest first (`depth` 0 is the unit itself).
const ANCESTORS: &str = "WITH RECURSIVE anc(id, parent_id, depth) AS (
        SELECT id, parent_id, 0 FROM units WHERE id = $1
        UNION ALL
        SELECT u.id, u.parent_id, anc.depth + 1 FROM units u JOIN anc ON u.id = anc.parent_id)";
/// The unit `$1` and all its descendants.
const SUBTREE: &str = "WITH RECURSIVE sub(id) AS (
        SELECT id FROM units WHERE id = $1
        UNION ALL
        SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)";

#[allow(async_fn_in_trait)] // implemented only by this crate's concrete, Send types
pub trait Read {
    #[doc(hidden)]
    fn conn(&mut self) -> Conn<'_>;

    async fn audit_algorithm(&mut self) -> Result<Option<HashAlg>> {
        let row: Option<(String,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT algorithm FROM audit_head WHERE id = 1"
        )
        .fetch_optional(&mut *c)
        .await)?;
        Ok(row.and_then(|(a,)| HashAlg::parse(&a)))
    }

    /// The algorithm and the chain's head: the entry with the highest number (0 and the
    /// genesis hash while the chain is empty).
    async fn audit_head(&mut self) -> Result<(HashAlg, i64, String)> {
        let (alg,): (String,) = run!(self.conn(), |c| sqlx::query_as(
            "SELECT algorithm FROM audit_head WHERE id = 1"
        )
        .fetch_one(&mut *c)
        .await)?;
        let alg = HashAlg::parse(&alg)
            .ok_or_else(|| Error::Invalid(format!("unknown audit algorithm {alg}")))?;
        let tip: Option<(i64, String)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
        )
        .fetch_optional(&mut *c)
        .await)?;
        let (seq, hash) = tip.unwrap_or((0, crate::audit::GENESIS.to_string()));
        Ok((alg, seq, hash))
    }

    /// The head `audit_head` recorded before the chain became append-only (migration 40),
    /// if there was a chain then.
    async fn legacy_audit_head(&mut self) -> Result<Option<(i64, String)>> {
        let row: Option<(i64, String)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT seq, hash FROM audit_head WHERE id = 1"
        )
        .fetch_optional(&mut *c)
        .await)?;
        Ok(row.filter(|(seq, _)| *seq > 0))
    }

    async fn audit_entry(&mut self, seq: i64) -> Result<Option<AuditEntry>> {
        let sql = format!("{AUDIT} WHERE seq = $1");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(seq)
            .fetch_optional(&mut *c)
            .await)?)
    }

    /// Entries after `after` in order, at most `limit`.
    async fn audit_page(&mut self, after: i64, limit: i64) -> Result<Vec<AuditEntry>> {
        let sql = format!("{AUDIT} WHERE seq > $1 ORDER BY seq LIMIT $2");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(after)
            .bind(limit)
            .fetch_all(&mut *c)
            .await)?)
    }

    /// A page of the audit log: the newest entries matching a filter, newest first, at most
    /// `limit` before `before` (see [`AuditFilter::sql`]). A page shorter than `limit` is the
    /// last.
    async fn audit_search(&mut self, f: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let (sql, binds) = f.sql();
        Ok(run!(self.conn(), |c| crate::bind_all!(
            sqlx::query_as(&sql),
            &binds
        )
        .fetch_all(&mut *c)
        .await)?)
    }

    async fn setting(&mut self, key: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT value FROM settings WHERE key = $1"
        )
        .bind(key)
        .fetch_optional(&mut *c)
        .await)?;
        Ok(row.map(|(v,)| v))
    }

    async fn unit(&mut self, id: i64) -> Result<Option<Unit>> {
        let sql = format!("{UNIT} WHERE id = $1");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?)
    }

    async fn root_units(&mut self) -> Result<Vec<Unit>> {
        let sql = format!("{UNIT} WHERE parent_id IS NULL ORDER BY id");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .fetch_all(&mut *c)
            .await)?)
    }

    async fn children(&mut self, id: i64) -> Result<Vec<Unit>> {
        let sql = format!("{UNIT} WHERE parent_id = $1 ORDER BY name, id");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_all(&mut *c)
            .await)?)
    }

    /// The unit and everything below it, in no particular order.
    async fn subtree(&mut self, id: i64) -> Result<Vec<Unit>> {
        let sql = format!("{SUBTREE} {UNIT} WHERE id IN (SELECT id FROM sub) ORDER BY id");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_all(&mut *c)
            .await)?)
    }

    /// The unit's ancestors from the root down, the unit itself last.
    async fn path(&mut self, id: i64) -> Result<Vec<Unit>> {
        let sql = format!(
            "{ANCESTORS} SELECT u.id, u.parent_id, u.name, u.kind, u.created_at, u.retired_on, u.retired_reason, u.merged_into
             FROM units u JOIN anc ON anc.id = u.id ORDER BY anc.depth DESC"
        );
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_all(&mut *c)
            .await)?)
    }

    async fn person(&mut self, id: i64) -> Result<Option<Person>> {
        let sql = format!("{PERSON} WHERE id = $1");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?)
    }

    async fn people_in_unit(&mut self, unit_id: i64) -> Result<Vec<Person>> {
        let sql = format!("{PERSON} WHERE unit_id = $1 ORDER BY name, id");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(unit_id)
            .fetch_all(&mut *c)
            .await)?)
    }

    async fn people_in_subtree(&mut self, unit_id: i64) -> Result<Vec<Person>> {
        let sql =
            format!("{SUBTREE} {PERSON} WHERE unit_id IN (SELECT id FROM sub) ORDER BY name, id");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(unit_id)
            .fetch_all(&mut *c)
            .await)?)
    }

    /// Which of these ID or employee numbers are already taken (for import checks).
    async fn taken_numbers(
        &mut self,
        id_numbers: &[String],
        employee_nos: &[String],
    ) -> Result<Vec<String>> {
        let mut taken = Vec::new();
        for (column, numbers) in [("id_number", id_numbers), ("employee_no", employee_nos)] {
            // Chunks keep the statement under both databases' parameter limits.
            for chunk in numbers.chunks(500) {
                let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
                let sql = format!(
                    "SELECT {column} FROM people WHERE {column} IN ({})",
                    marks.join(", ")
                );
                let found: Vec<(String,)> = run!(self.conn(), |c| {
                    let mut q = sqlx::query_as(&sql);
                    for n in chunk {
                        q = q.bind(n);
                    }
                    q.fetch_all(&mut *c).await?
                });
                taken.extend(found.into_iter().map(|(n,)| n));
            }
        }
        Ok(taken)
    }

    async fn account(&mut self, id: i64) -> Result<Option<Account>> {
        let sql = format!("{ACCOUNT} WHERE id = $1");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?)
    }

    async fn account_by_username(&mut self, username: &str) -> Result<Option<Account>> {
        let sql = format!("{ACCOUNT} WHERE username = $1");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(username)
            .fetch_optional(&mut *c)
            .await)?)
    }

    async fn accounts(&mut self) -> Result<Vec<Account>> {
        let sql = format!("{ACCOUNT} ORDER BY username");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .fetch_all(&mut *c)
            .await)?)
    }

    async fn session(&mut self, id: &str) -> Result<Option<Session>> {
        Ok(run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT id, account_id, csrf_token, created_at, last_seen_at, second_factor_pending FROM sessions WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(&mut *c)
        .await
        })?)
    }

    async fn login_failures_since(&mut self, username: &str, since: DateTime<Utc>) -> Result<i64> {
        let (n,): (i64,) = run!(self.conn(), |c| sqlx::query_as(
            "SELECT COUNT(*) FROM login_failures WHERE username = $1 AND at >= $2"
        )
        .bind(crate::auth::bounded_name(username))
        .bind(since)
        .fetch_one(&mut *c)
        .await)?;
        Ok(n)
    }

    async fn token_by_hash(&mut self, hash: &str) -> Result<Option<ApiToken>> {
        Ok(run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT id, account_id, name, token_hash, created_at, revoked_at, expires_at, last_used_at FROM api_tokens WHERE token_hash = $1"
        )
        .bind(hash)
        .fetch_optional(&mut *c)
        .await
        })?)
    }

    async fn tokens_of(&mut self, account_id: i64) -> Result<Vec<ApiToken>> {
        Ok(run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT id, account_id, name, token_hash, created_at, revoked_at, expires_at, last_used_at FROM api_tokens WHERE account_id = $1 ORDER BY id"
        )
        .bind(account_id)
        .fetch_all(&mut *c)
        .await
        })?)
    }

    async fn grants_of(&mut self, account_id: i64) -> Result<Vec<Grant>> {
        Ok(run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT id, account_id, unit_id, level FROM grants WHERE account_id = $1 ORDER BY unit_id"
        )
        .bind(account_id)
        .fetch_all(&mut *c)
        .await
        })?)
    }

    async fn grant(&mut self, grant_id: i64) -> Result<Option<Grant>> {
        Ok(run!(self.conn(), |c| {
            sqlx::query_as("SELECT id, account_id, unit_id, level FROM grants WHERE id = $1")
                .bind(grant_id)
                .fetch_optional(&mut *c)
                .await
        })?)
    }

    /// The highest level `account_id` holds at `unit_id` through a grant there or above it.
    async fn level_at(&mut self, account_id: i64, unit_id: i64) -> Result<Option<Level>> {
        let sql = format!(
            "{ANCESTORS} SELECT g.level FROM grants g JOIN anc ON g.unit_id = anc.id WHERE g.account_id = $2"
        );
        let rows: Vec<(String,)> = run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(unit_id)
            .bind(account_id)
            .fetch_all(&mut *c)
            .await)?;
        Ok(rows.iter().filter_map(|(l,)| Level::parse(l)).max())
    }

    /// The roles `person_id` holds on `on` at `unit_id` or one of its ancestors: (unit, role).
    async fn roles_held_above(
        &mut self,
        person_id: i64,
        unit_id: i64,
        on: chrono::NaiveDate,
    ) -> Result<Vec<(i64, String)>> {
        let sql = format!(
            "{ANCESTORS} SELECT a.unit_id, a.role_id FROM assignments a JOIN anc ON a.unit_id = anc.id
             WHERE a.person_id = $2 AND a.starts_on <= $3 AND (a.ends_on IS NULL OR a.ends_on > $3)
             ORDER BY anc.depth, a.role_id"
        );
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(unit_id)
            .bind(person_id)
            .bind(on)
            .fetch_all(&mut *c)
            .await)?)
    }

    /// The units where `person_id` holds a role on `on`.
    async fn units_held(&mut self, person_id: i64, on: chrono::NaiveDate) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT DISTINCT unit_id FROM assignments
             WHERE person_id = $1 AND starts_on <= $2 AND (ends_on IS NULL OR ends_on > $2)
             ORDER BY unit_id"
        )
        .bind(person_id)
        .bind(on)
        .fetch_all(&mut *c)
        .await)?;
        Ok(rows.into_iter().map(|(u,)| u).collect())
    }

    async fn assignment(&mut self, id: i64) -> Result<Option<Assignment>> {
        Ok(run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT id, person_id, unit_id, role_id, starts_on, ends_on, created_at FROM assignments WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(&mut *c)
        .await
        })?)
    }

    /// Every assignment at a unit, current and past.
    async fn assignments_at(&mut self, unit_id: i64) -> Result<Vec<AssignmentView>> {
        let sql =
            format!("{ASSIGNMENT_VIEW} WHERE a.unit_id = $1 ORDER BY a.role_id, a.starts_on, a.id");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(unit_id)
            .fetch_all(&mut *c)
            .await)?)
    }

    async fn assignments_of(&mut self, person_id: i64) -> Result<Vec<AssignmentView>> {
        let sql = format!("{ASSIGNMENT_VIEW} WHERE a.person_id = $1 ORDER BY a.starts_on, a.id");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(person_id)
            .fetch_all(&mut *c)
            .await)?)
    }

    async fn assignments_in_subtree(&mut self, unit_id: i64) -> Result<Vec<AssignmentView>> {
        let sql = format!(
            "{SUBTREE} {ASSIGNMENT_VIEW} WHERE a.unit_id IN (SELECT id FROM sub) ORDER BY a.unit_id, a.role_id, a.starts_on, a.id"
        );
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(unit_id)
            .fetch_all(&mut *c)
            .await)?)
    }

    async fn installed_policy(&mut self, id: i64) -> Result<Option<InstalledPolicy>> {
        let sql = format!("{POLICY} WHERE id = $1");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?)
    }

    /// The policy in force at a unit (see [`crate::install::governing`]): the installation that
    /// governs it, else the one governing its nearest governed ancestor.
    async fn policy_in_force(&mut self, unit_id: i64) -> Result<Option<InstalledPolicy>> {
        let (path, installs) = self.installations_above(unit_id).await?;
        Ok(crate::install::in_force(&path, &installs).cloned())
    }

    /// The unit and its ancestors (nearest first), and the current installations at any of them
    /// (newest first within a unit).
    async fn installations_above(
        &mut self,
        unit_id: i64,
    ) -> Result<(Vec<Unit>, Vec<InstalledPolicy>)> {
        let mut path = self.path(unit_id).await?;
        path.reverse();
        let sql = format!(
            "{ANCESTORS} SELECT p.id, p.unit_id, p.policy_id, p.version, p.title, p.text, p.sha256, p.installed_at, p.installed_by, p.current, p.applies_to, p.removed_at, p.removed_by
             FROM installed_policies p JOIN anc ON anc.id = p.unit_id WHERE p.current = TRUE ORDER BY anc.depth, p.id DESC"
        );
        let installs = run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(unit_id)
            .fetch_all(&mut *c)
            .await)?;
        Ok((path, installs))
    }

    /// Every version installed at a unit, newest first.
    async fn policy_history(&mut self, unit_id: i64) -> Result<Vec<InstalledPolicy>> {
        let sql = format!("{POLICY} WHERE unit_id = $1 ORDER BY id DESC");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(unit_id)
            .fetch_all(&mut *c)
            .await)?)
    }

    async fn policies_in_subtree(&mut self, unit_id: i64) -> Result<Vec<InstalledPolicy>> {
        let sql = format!(
            "{SUBTREE} {POLICY} WHERE unit_id IN (SELECT id FROM sub) ORDER BY unit_id, id DESC"
        );
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(unit_id)
            .fetch_all(&mut *c)
            .await)?)
    }

    async fn body(&mut self, id: i64) -> Result<Option<Body>> {
        let sql = format!("{BODY} WHERE id = $1");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?)
    }

    async fn bodies_at(&mut self, unit_id: i64) -> Result<Vec<Body>> {
        let sql = format!("{BODY} WHERE unit_id = $1 ORDER BY id");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(unit_id)
            .fetch_all(&mut *c)
            .await)?)
    }

    async fn body_members(&mut self, body_id: i64) -> Result<Vec<BodyMember>> {
        Ok(run!(self.conn(), |c| sqlx::query_as(
            "SELECT m.id, m.body_id, m.person_id, p.name AS person_name, m.position, m.role_id
             FROM body_members m JOIN people p ON p.id = m.person_id
             WHERE m.body_id = $1
             ORDER BY CASE m.position WHEN 'chair' THEN 0 WHEN 'deputy' THEN 1 ELSE 2 END, m.id"
        )
        .bind(body_id)
        .fetch_all(&mut *c)
        .await)?)
    }
}
