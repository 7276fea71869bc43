//! Finding people and keeping the organisation's names in order: people found by name, 工号 or
//! unit (to link an account to a person), role holders who have no account yet (and accounts
//! created for them), people updated by a roster re-import, and the rule that two units under
//! one parent never share a name.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;

use crate::model::{Account, AdminDuty, NewPerson, Person, Unit};
use crate::read::Read;
use crate::{now, run, Error, Result, Write};

/// A person as a list to choose from shows them: name, 工号 and unit, never an id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PersonHit {
    pub id: i64,
    pub name: String,
    pub employee_no: Option<String>,
    pub position: Option<String>,
    pub unit_id: i64,
    pub unit_name: String,
}

/// One role a person holds today, for the list of holders without an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct HeldRole {
    pub person_id: i64,
    pub person_name: String,
    pub employee_no: Option<String>,
    pub person_unit: String,
    pub role_id: String,
    pub unit_id: i64,
    pub unit_name: String,
}

const HIT: &str = "SELECT p.id, p.name, p.employee_no, p.position, p.unit_id, u.name AS unit_name
    FROM people p JOIN units u ON u.id = p.unit_id";

/// `%…%` for LIKE with the pattern characters of `s` escaped (`\` is the escape character).
fn contains_pattern(s: &str) -> String {
    let mut out = String::from("%");
    for c in s.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[allow(async_fn_in_trait)] // implemented only by this crate's concrete, Send types
pub trait DirectoryRead: Read {
    /// People whose name, 工号 or unit name contains `q` (any case), at most `limit`, by name.
    async fn search_people(&mut self, q: &str, limit: i64) -> Result<Vec<PersonHit>> {
        let pattern = contains_pattern(q.trim());
        let sql = format!(
            "{HIT} WHERE LOWER(p.name) LIKE $1 ESCAPE '\\' OR LOWER(COALESCE(p.employee_no, '')) LIKE $1 ESCAPE '\\'
                OR LOWER(u.name) LIKE $1 ESCAPE '\\'
             ORDER BY p.name, p.id LIMIT $2"
        );
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(&pattern)
            .bind(limit.clamp(1, 200))
            .fetch_all(&mut *c)
            .await)?)
    }

    /// A person with their unit's name.
    async fn person_hit(&mut self, id: i64) -> Result<Option<PersonHit>> {
        let sql = format!("{HIT} WHERE p.id = $1");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?)
    }

    /// The account linked to a person, if any.
    async fn account_of_person(&mut self, person_id: i64) -> Result<Option<i64>> {
        let row: Option<(i64,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT id FROM accounts WHERE person_id = $1 ORDER BY id LIMIT 1"
        )
        .bind(person_id)
        .fetch_optional(&mut *c)
        .await)?;
        Ok(row.map(|(id,)| id))
    }

    /// Every role held on `on` by a person who has no account, person by person (by name).
    async fn holders_without_account(&mut self, on: NaiveDate) -> Result<Vec<HeldRole>> {
        Ok(run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT p.id AS person_id, p.name AS person_name, p.employee_no, pu.name AS person_unit,
                    a.role_id, a.unit_id, u.name AS unit_name
             FROM assignments a
             JOIN people p ON p.id = a.person_id
             JOIN units pu ON pu.id = p.unit_id
             JOIN units u ON u.id = a.unit_id
             WHERE a.starts_on <= $1 AND (a.ends_on IS NULL OR a.ends_on > $1)
               AND NOT EXISTS (SELECT 1 FROM accounts ac WHERE ac.person_id = p.id)
             ORDER BY p.name, p.id, a.unit_id, a.role_id"
        )
        .bind(on)
        .fetch_all(&mut *c)
        .await
        })?)
    }

    /// The people whose resident ID number or 工号 is one of these, anywhere.
    async fn people_by_numbers(
        &mut self,
        id_numbers: &[String],
        employee_nos: &[String],
    ) -> Result<Vec<Person>> {
        let mut out: Vec<Person> = Vec::new();
        for (column, numbers) in [("id_number", id_numbers), ("employee_no", employee_nos)] {
            // Chunks keep the statement under both databases' parameter limits.
            for chunk in numbers.chunks(500) {
                let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
                let sql = format!(
                    "SELECT id, unit_id, name, gender, id_number, employee_no, phone, position, political_status, created_at
                     FROM people WHERE {column} IN ({})",
                    marks.join(", ")
                );
                let found: Vec<Person> = run!(self.conn(), |c| {
                    let mut q = sqlx::query_as(&sql);
                    for n in chunk {
                        q = q.bind(n);
                    }
                    q.fetch_all(&mut *c).await?
                });
                for p in found {
                    if !out.iter().any(|o| o.id == p.id) {
                        out.push(p);
                    }
                }
            }
        }
        out.sort_by_key(|p| p.id);
        Ok(out)
    }

    /// A unit under `parent` (a top unit when None) whose name compares equal to `name`
    /// ([`zeren_core::names::sibling_key`]), other than `except`. A retired unit's name may be
    /// taken again.
    async fn sibling_named(
        &mut self,
        parent: Option<i64>,
        name: &str,
        except: Option<i64>,
    ) -> Result<Option<Unit>> {
        let units: Vec<Unit> = match parent {
            Some(p) => run!(self.conn(), |c| {
                sqlx::query_as(
                "SELECT id, parent_id, name, kind, created_at, retired_on, retired_reason, merged_into FROM units WHERE parent_id = $1"
            )
            .bind(p)
            .fetch_all(&mut *c)
            .await
            })?,
            None => run!(self.conn(), |c| {
                sqlx::query_as(
                "SELECT id, parent_id, name, kind, created_at, retired_on, retired_reason, merged_into FROM units WHERE parent_id IS NULL"
            )
            .fetch_all(&mut *c)
            .await
            })?,
        };
        let key = zeren_core::names::sibling_key(name);
        Ok(units.into_iter().find(|u| {
            Some(u.id) != except
                && !u.is_retired()
                && zeren_core::names::sibling_key(&u.name) == key
        }))
    }
}

impl<T: Read> DirectoryRead for T {}

/// A stable key for `pg_advisory_xact_lock`: two transactions naming units under one parent
/// take turns, so both cannot pass the sibling check. (SQLite writers take turns anyway.)
const SIBLING_LOCK_KEY: i64 = 0x7a65_7265_6e5f_0000;

impl Write {
    /// Refuses a unit name that a sibling already has (a conflict naming the sibling). Called
    /// by every write that names a unit, inside its transaction. A unit keeping its own name
    /// passes, so units that shared a name before this rule can still be edited.
    pub(crate) async fn check_sibling_name(
        &mut self,
        parent: Option<i64>,
        name: &str,
        unit: Option<i64>,
    ) -> Result<()> {
        if let crate::Conn::Postgres(c) = self.conn() {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(SIBLING_LOCK_KEY ^ parent.unwrap_or(0))
                .execute(&mut *c)
                .await?;
        }
        if let Some(id) = unit {
            if let Some(u) = self.unit(id).await? {
                if zeren_core::names::sibling_key(&u.name) == zeren_core::names::sibling_key(name) {
                    return Ok(());
                }
            }
        }
        if let Some(other) = self.sibling_named(parent, name, unit).await? {
            return Err(Error::Conflict(format!(
                "a unit under the same parent is already named {} (unit {})",
                other.name, other.id
            )));
        }
        Ok(())
    }

    /// An account for a person (a role holder), linked to them; with `must_change` the first
    /// login must choose a new password.
    pub async fn create_person_account(
        &mut self,
        username: &str,
        person_id: i64,
        password_hash: &str,
        must_change: bool,
    ) -> Result<Account> {
        let t = now();
        let account: Account = run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO accounts (username, person_id, password_hash, admin_duty, active, created_at, password_changed_at, must_change_password)
             VALUES ($1, $2, $3, $4, TRUE, $5, $5, $6)
             RETURNING id, username, person_id, password_hash, admin_duty, active, created_at, password_changed_at, must_change_password"
        )
        .bind(username)
        .bind(person_id)
        .bind(password_hash)
        .bind(AdminDuty::None.as_str())
        .bind(t)
        .bind(must_change)
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| Error::from_write(e, "this user name is taken"))?;
        self.record(
            "account.create",
            "account",
            &account.id.to_string(),
            &account,
        )
        .await?;
        Ok(account)
    }

    /// Links an account to a person (None: unlinks it).
    pub async fn link_account(&mut self, account_id: i64, person_id: Option<i64>) -> Result<()> {
        let n = run!(self.conn(), |c| sqlx::query(
            "UPDATE accounts SET person_id = $2 WHERE id = $1"
        )
        .bind(account_id)
        .bind(person_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| Error::from_write(e, "account"))?;
        if n == 0 {
            return Err(Error::NotFound(format!("account {account_id}")));
        }
        self.record(
            "account.person",
            "account",
            &account_id.to_string(),
            &json!({ "person_id": person_id }),
        )
        .await?;
        Ok(())
    }

    /// Replaces a person's particulars (a roster re-import); the audit entry holds both states.
    pub async fn update_person(&mut self, id: i64, p: &NewPerson) -> Result<Person> {
        let before = self
            .person(id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("person {id}")))?;
        let after: Person = run!(self.conn(), |c| sqlx::query_as(
            "UPDATE people SET unit_id = $2, name = $3, gender = $4, id_number = $5, employee_no = $6,
                    phone = $7, position = $8, political_status = $9
             WHERE id = $1
             RETURNING id, unit_id, name, gender, id_number, employee_no, phone, position, political_status, created_at"
        )
        .bind(id)
        .bind(p.unit_id)
        .bind(&p.name)
        .bind(&p.gender)
        .bind(&p.id_number)
        .bind(&p.employee_no)
        .bind(&p.phone)
        .bind(&p.position)
        .bind(&p.political_status)
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| {
            Error::from_write(
                e,
                "a person with this ID number or employee number already exists",
            )
        })?;
        self.record(
            "person.update",
            "person",
            &id.to_string(),
            &json!({ "before": before, "after": after }),
        )
        .await?;
        Ok(after)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_patterns_escape_their_wildcards() {
        assert_eq!(super::contains_pattern("T_1%"), "%t\\_1\\%%");
        assert_eq!(super::contains_pattern("王"), "%王%");
    }
}
