//! Mutations. Each one changes the database and calls [`Write::record`], the single function
//! that appends to the audit chain, inside the same transaction: either both are stored or
//! neither is.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;

use crate::audit::{AuditEntry, HashAlg};
use crate::model::*;
use crate::read::Read;
use crate::{now, run, Actor, Conn, Error, Result, Tx};

pub struct Write {
    tx: Tx,
    actor: Actor,
    alg: HashAlg,
    _sqlite_writer: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Read for Write {
    fn conn(&mut self) -> Conn<'_> {
        self.tx.conn()
    }
}

impl Write {
    pub(crate) fn new(
        tx: Tx,
        actor: Actor,
        alg: HashAlg,
        guard: Option<tokio::sync::OwnedMutexGuard<()>>,
    ) -> Write {
        Write {
            tx,
            actor,
            alg,
            _sqlite_writer: guard,
        }
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub async fn commit(self) -> Result<()> {
        match self.tx {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Append one entry to the audit chain. `state` is the entity's new state (or what was
    /// removed); only its digest goes into the chain.
    pub async fn record(
        &mut self,
        action: &str,
        entity_type: &str,
        entity_id: &str,
        state: &impl Serialize,
    ) -> Result<AuditEntry> {
        let state = serde_json::to_vec(state).map_err(|e| Error::Invalid(e.to_string()))?;
        // Bumping the head first takes its row lock (PostgreSQL) or the write lock (SQLite),
        // so concurrent writers from several instances get consecutive numbers.
        let (seq, prev_hash): (i64, String) = run!(self.conn(), |c| sqlx::query_as(
            "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash"
        )
        .fetch_one(&mut *c)
        .await)?;
        let mut e = AuditEntry {
            seq,
            at: now(),
            actor_account_id: self.actor.account_id,
            actor: self.actor.name.clone(),
            action: action.to_string(),
            entity_type: entity_type.to_string(),
            entity_id: entity_id.to_string(),
            state_digest: self.alg.digest(&state),
            prev_hash,
            hash: String::new(),
        };
        e.hash = e.compute_hash(self.alg);
        run!(self.conn(), |c| {
            sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
                .bind(&e.hash)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected())?;
            sqlx::query(
                "INSERT INTO audit_log (seq, at, actor_account_id, actor, action, entity_type, entity_id, state_digest, prev_hash, hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(e.seq)
            .bind(e.at)
            .bind(e.actor_account_id)
            .bind(&e.actor)
            .bind(&e.action)
            .bind(&e.entity_type)
            .bind(&e.entity_id)
            .bind(&e.state_digest)
            .bind(&e.prev_hash)
            .bind(&e.hash)
            .execute(&mut *c).await.map(|r| r.rows_affected())?
        });
        Ok(e)
    }

    pub async fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        run!(self.conn(), |c| sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        )
        .bind(key)
        .bind(value)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        self.record(
            "setting.set",
            "setting",
            key,
            &json!({ "key": key, "value": value }),
        )
        .await?;
        Ok(())
    }

    /// Insert a setting that must not exist yet: the first of several racing writers wins,
    /// the others get a conflict (first-run setup uses it).
    pub async fn claim_setting(&mut self, key: &str, value: &str) -> Result<()> {
        run!(self.conn(), |c| sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2)"
        )
        .bind(key)
        .bind(value)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| Error::from_write(e, key))?;
        self.record(
            "setting.set",
            "setting",
            key,
            &json!({ "key": key, "value": value }),
        )
        .await?;
        Ok(())
    }

    pub async fn create_unit(
        &mut self,
        parent_id: Option<i64>,
        name: &str,
        kind: &str,
    ) -> Result<Unit> {
        let unit: Unit = run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO units (parent_id, name, kind, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id, parent_id, name, kind, created_at"
        )
        .bind(parent_id)
        .bind(name)
        .bind(kind)
        .bind(now())
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| Error::from_write(e, "unit"))?;
        self.record("unit.create", "unit", &unit.id.to_string(), &unit)
            .await?;
        Ok(unit)
    }

    pub async fn update_unit(&mut self, id: i64, name: &str, kind: &str) -> Result<Unit> {
        let unit: Option<Unit> = run!(self.conn(), |c| sqlx::query_as(
            "UPDATE units SET name = $2, kind = $3 WHERE id = $1
             RETURNING id, parent_id, name, kind, created_at"
        )
        .bind(id)
        .bind(name)
        .bind(kind)
        .fetch_optional(&mut *c)
        .await)?;
        let unit = unit.ok_or_else(|| Error::NotFound(format!("unit {id}")))?;
        self.record("unit.update", "unit", &id.to_string(), &unit)
            .await?;
        Ok(unit)
    }

    pub async fn create_person(&mut self, p: &NewPerson) -> Result<Person> {
        let person: Person = run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO people (unit_id, name, gender, id_number, employee_no, phone, position, political_status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             RETURNING id, unit_id, name, gender, id_number, employee_no, phone, position, political_status, created_at"
        )
        .bind(p.unit_id)
        .bind(&p.name)
        .bind(&p.gender)
        .bind(&p.id_number)
        .bind(&p.employee_no)
        .bind(&p.phone)
        .bind(&p.position)
        .bind(&p.political_status)
        .bind(now())
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| Error::from_write(e, "a person with this ID number or employee number already exists"))?;
        self.record("person.create", "person", &person.id.to_string(), &person)
            .await?;
        Ok(person)
    }

    pub async fn create_account(
        &mut self,
        username: &str,
        person_id: Option<i64>,
        password_hash: &str,
        duty: AdminDuty,
    ) -> Result<Account> {
        let t = now();
        let account: Account = run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO accounts (username, person_id, password_hash, admin_duty, active, created_at, password_changed_at)
             VALUES ($1, $2, $3, $4, TRUE, $5, $5)
             RETURNING id, username, person_id, password_hash, admin_duty, active, created_at, password_changed_at"
        )
        .bind(username)
        .bind(person_id)
        .bind(password_hash)
        .bind(duty.as_str())
        .bind(t)
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

    /// Set a new password and end the account's sessions (a reset must lock out whoever
    /// knew the old one).
    pub async fn set_password(&mut self, account_id: i64, password_hash: &str) -> Result<()> {
        let t = now();
        let n = run!(self.conn(), |c| {
            let n = sqlx::query(
                "UPDATE accounts SET password_hash = $2, password_changed_at = $3 WHERE id = $1",
            )
            .bind(account_id)
            .bind(password_hash)
            .bind(t)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())?;
            sqlx::query("DELETE FROM sessions WHERE account_id = $1")
                .bind(account_id)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected())?;
            n
        });
        if n == 0 {
            return Err(Error::NotFound(format!("account {account_id}")));
        }
        self.record(
            "account.password",
            "account",
            &account_id.to_string(),
            &json!({ "password_changed_at": t }),
        )
        .await?;
        Ok(())
    }

    pub async fn set_account_active(&mut self, account_id: i64, active: bool) -> Result<()> {
        run!(self.conn(), |c| {
            sqlx::query("UPDATE accounts SET active = $2 WHERE id = $1")
                .bind(account_id)
                .bind(active)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected())?;
            if !active {
                sqlx::query("DELETE FROM sessions WHERE account_id = $1")
                    .bind(account_id)
                    .execute(&mut *c)
                    .await
                    .map(|r| r.rows_affected())?;
            }
        });
        self.record(
            "account.active",
            "account",
            &account_id.to_string(),
            &json!({ "active": active }),
        )
        .await?;
        Ok(())
    }

    pub async fn create_session(
        &mut self,
        id_hash: &str,
        account_id: i64,
        csrf_token: &str,
    ) -> Result<()> {
        let t = now();
        run!(self.conn(), |c| {
            sqlx::query(
            "INSERT INTO sessions (id, account_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)"
        )
        .bind(id_hash)
        .bind(account_id)
        .bind(csrf_token)
        .bind(t)
        .execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
        self.record(
            "session.login",
            "account",
            &account_id.to_string(),
            &json!({ "at": t }),
        )
        .await?;
        Ok(())
    }

    pub async fn delete_session(&mut self, id_hash: &str, account_id: i64) -> Result<()> {
        run!(self.conn(), |c| sqlx::query(
            "DELETE FROM sessions WHERE id = $1"
        )
        .bind(id_hash)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        self.record(
            "session.logout",
            "account",
            &account_id.to_string(),
            &json!({}),
        )
        .await?;
        Ok(())
    }

    pub async fn record_login_failure(&mut self, username: &str) -> Result<()> {
        let t = now();
        run!(self.conn(), |c| sqlx::query(
            "INSERT INTO login_failures (username, at) VALUES ($1, $2)"
        )
        .bind(username)
        .bind(t)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        self.record("login.failure", "username", username, &json!({ "at": t }))
            .await?;
        Ok(())
    }

    /// Lift a lockout (the security administrator's act) or forget failures after a success.
    pub async fn clear_login_failures(&mut self, username: &str) -> Result<()> {
        let n = run!(self.conn(), |c| sqlx::query(
            "DELETE FROM login_failures WHERE username = $1"
        )
        .bind(username)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        if n > 0 {
            self.record(
                "login.unlock",
                "username",
                username,
                &json!({ "cleared": n }),
            )
            .await?;
        }
        Ok(())
    }

    pub async fn create_token(
        &mut self,
        account_id: i64,
        name: &str,
        token_hash: &str,
    ) -> Result<ApiToken> {
        let token: ApiToken = run!(self.conn(), |c| {
            sqlx::query_as(
            "INSERT INTO api_tokens (account_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id, account_id, name, token_hash, created_at, revoked_at"
        )
        .bind(account_id)
        .bind(name)
        .bind(token_hash)
        .bind(now())
        .fetch_one(&mut *c)
        .await
        })?;
        self.record("token.create", "api_token", &token.id.to_string(), &token)
            .await?;
        Ok(token)
    }

    pub async fn revoke_token(&mut self, account_id: i64, token_id: i64) -> Result<()> {
        let n = run!(self.conn(), |c| {
            sqlx::query(
            "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL"
        )
        .bind(token_id)
        .bind(account_id)
        .bind(now())
        .execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
        if n == 0 {
            return Err(Error::NotFound(format!("token {token_id}")));
        }
        self.record(
            "token.revoke",
            "api_token",
            &token_id.to_string(),
            &json!({ "revoked": true }),
        )
        .await?;
        Ok(())
    }

    /// Grant a level at a unit (replacing an earlier grant there). Administrators of the
    /// security and audit duties hold no grants: they must not change the organisation.
    pub async fn set_grant(
        &mut self,
        account_id: i64,
        unit_id: i64,
        level: Level,
    ) -> Result<Grant> {
        let account = self
            .account(account_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("account {account_id}")))?;
        if matches!(account.duty(), AdminDuty::Security | AdminDuty::Audit) {
            return Err(Error::Invalid(
                "security and audit administrators cannot hold unit permissions (三员分立)".into(),
            ));
        }
        let grant: Grant = run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO grants (account_id, unit_id, level) VALUES ($1, $2, $3)
             ON CONFLICT (account_id, unit_id) DO UPDATE SET level = excluded.level
             RETURNING id, account_id, unit_id, level"
        )
        .bind(account_id)
        .bind(unit_id)
        .bind(level.as_str())
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| Error::from_write(e, "grant"))?;
        self.record("grant.set", "grant", &grant.id.to_string(), &grant)
            .await?;
        Ok(grant)
    }

    pub async fn remove_grant(&mut self, grant_id: i64) -> Result<()> {
        let n = run!(self.conn(), |c| sqlx::query(
            "DELETE FROM grants WHERE id = $1"
        )
        .bind(grant_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(Error::NotFound(format!("grant {grant_id}")));
        }
        self.record(
            "grant.remove",
            "grant",
            &grant_id.to_string(),
            &json!({ "removed": true }),
        )
        .await?;
        Ok(())
    }

    /// A person starts holding a role at a unit. Bodies built from that role are flagged
    /// for adjustment: their membership follows posts, not people.
    pub async fn assign(
        &mut self,
        person_id: i64,
        unit_id: i64,
        role_id: &str,
        starts_on: NaiveDate,
    ) -> Result<Assignment> {
        let a: Assignment = run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO assignments (person_id, unit_id, role_id, starts_on, created_at) VALUES ($1, $2, $3, $4, $5)
             RETURNING id, person_id, unit_id, role_id, starts_on, ends_on, created_at"
        )
        .bind(person_id)
        .bind(unit_id)
        .bind(role_id)
        .bind(starts_on)
        .bind(now())
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| Error::from_write(e, "assignment"))?;
        self.record("assignment.create", "assignment", &a.id.to_string(), &a)
            .await?;
        self.flag_bodies(unit_id, role_id).await?;
        Ok(a)
    }

    /// End an assignment; the row stays as history.
    pub async fn end_assignment(&mut self, id: i64, ends_on: NaiveDate) -> Result<Assignment> {
        let a: Option<Assignment> = run!(self.conn(), |c| {
            sqlx::query_as(
            "UPDATE assignments SET ends_on = $2 WHERE id = $1 AND ends_on IS NULL AND starts_on <= $2
             RETURNING id, person_id, unit_id, role_id, starts_on, ends_on, created_at"
        )
        .bind(id)
        .bind(ends_on)
        .fetch_optional(&mut *c)
        .await
        })?;
        let a = a.ok_or_else(|| {
            Error::Invalid(format!(
                "assignment {id} is not open or ends before it starts"
            ))
        })?;
        self.record("assignment.end", "assignment", &id.to_string(), &a)
            .await?;
        self.flag_bodies(a.unit_id, &a.role_id).await?;
        Ok(a)
    }

    async fn flag_bodies(&mut self, unit_id: i64, role_id: &str) -> Result<()> {
        let bodies = self.bodies_at(unit_id).await?;
        for b in bodies {
            let uses_role = b
                .role_spec
                .split_whitespace()
                .any(|w| w.split(':').next() == Some(role_id));
            if uses_role && !b.needs_adjustment {
                run!(self.conn(), |c| sqlx::query(
                    "UPDATE bodies SET needs_adjustment = TRUE WHERE id = $1"
                )
                .bind(b.id)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected()))?;
                self.record(
                    "body.flag",
                    "body",
                    &b.id.to_string(),
                    &json!({ "needs_adjustment": true, "role": role_id }),
                )
                .await?;
            }
        }
        Ok(())
    }

    /// Install a policy version at a unit; the earlier current version stays as history.
    #[allow(clippy::too_many_arguments)]
    pub async fn install_policy(
        &mut self,
        unit_id: i64,
        policy_id: &str,
        version: &str,
        title: &str,
        text: &str,
        sha256: &str,
    ) -> Result<InstalledPolicy> {
        let by = self.actor.account_id;
        let p: InstalledPolicy = run!(self.conn(), |c| {
            sqlx::query("UPDATE installed_policies SET current = FALSE WHERE unit_id = $1 AND current = TRUE")
                .bind(unit_id)
                .execute(&mut *c).await.map(|r| r.rows_affected())?;
            sqlx::query_as(
                "INSERT INTO installed_policies (unit_id, policy_id, version, title, text, sha256, installed_at, installed_by, current)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, TRUE)
                 RETURNING id, unit_id, policy_id, version, title, text, sha256, installed_at, installed_by, current",
            )
            .bind(unit_id)
            .bind(policy_id)
            .bind(version)
            .bind(title)
            .bind(text)
            .bind(sha256)
            .bind(now())
            .bind(by)
            .fetch_one(&mut *c)
            .await
            .map_err(|e| Error::from_write(e, "policy"))?
        });
        self.record("policy.install", "policy", &p.id.to_string(), &p)
            .await?;
        Ok(p)
    }

    /// Create or refresh the policy's bodies at a unit, with the current holders of their
    /// roles as members (as of `today`). Members added by name are kept.
    pub async fn sync_bodies(
        &mut self,
        unit_id: i64,
        specs: &[BodySpec],
        today: NaiveDate,
    ) -> Result<Vec<Body>> {
        let holders = self.assignments_at(unit_id).await?;
        let mut out = Vec::new();
        for spec in specs {
            let role_spec = spec
                .roles
                .iter()
                .map(|(r, p)| format!("{r}:{p}"))
                .collect::<Vec<_>>()
                .join(" ");
            let body: Body = run!(self.conn(), |c| {
                sqlx::query_as(
                "INSERT INTO bodies (unit_id, body_key, title, within_key, remit, role_spec, needs_adjustment, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7)
                 ON CONFLICT (unit_id, body_key) DO UPDATE SET title = excluded.title, within_key = excluded.within_key,
                     remit = excluded.remit, role_spec = excluded.role_spec, needs_adjustment = FALSE
                 RETURNING id, unit_id, body_key, title, within_key, remit, role_spec, needs_adjustment, created_at"
            )
            .bind(unit_id)
            .bind(&spec.key)
            .bind(&spec.title)
            .bind(&spec.within)
            .bind(&spec.remit)
            .bind(&role_spec)
            .bind(now())
            .fetch_one(&mut *c)
            .await
            })?;
            run!(self.conn(), |c| sqlx::query(
                "DELETE FROM body_members WHERE body_id = $1 AND role_id IS NOT NULL"
            )
            .bind(body.id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
            for (role, position) in &spec.roles {
                for h in holders.iter().filter(|h| &h.role_id == role) {
                    let active = h.starts_on <= today && h.ends_on.is_none_or(|e| today < e);
                    if active {
                        run!(self.conn(), |c| {
                            sqlx::query(
                            "INSERT INTO body_members (body_id, person_id, position, role_id) VALUES ($1, $2, $3, $4)
                             ON CONFLICT (body_id, person_id) DO NOTHING"
                        )
                        .bind(body.id)
                        .bind(h.person_id)
                        .bind(position)
                        .bind(role)
                        .execute(&mut *c).await.map(|r| r.rows_affected())
                        })?;
                    }
                }
            }
            let members = self.body_members(body.id).await?;
            self.record(
                "body.sync",
                "body",
                &body.id.to_string(),
                &json!({ "body": &body, "members": members }),
            )
            .await?;
            out.push(body);
        }
        Ok(out)
    }

    /// Add a named member (not through a role).
    pub async fn add_body_member(
        &mut self,
        body_id: i64,
        person_id: i64,
        position: &str,
    ) -> Result<()> {
        run!(self.conn(), |c| sqlx::query(
            "INSERT INTO body_members (body_id, person_id, position, role_id) VALUES ($1, $2, $3, NULL)"
        )
        .bind(body_id)
        .bind(person_id)
        .bind(position)
        .execute(&mut *c).await.map(|r| r.rows_affected()))
        .map_err(|e| Error::from_write(e, "this person is already a member"))?;
        self.record(
            "body.member.add",
            "body",
            &body_id.to_string(),
            &json!({ "person_id": person_id, "position": position }),
        )
        .await?;
        Ok(())
    }

    pub async fn remove_body_member(&mut self, body_id: i64, member_id: i64) -> Result<()> {
        let n = run!(self.conn(), |c| sqlx::query(
            "DELETE FROM body_members WHERE id = $1 AND body_id = $2"
        )
        .bind(member_id)
        .bind(body_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(Error::NotFound(format!("member {member_id}")));
        }
        self.record(
            "body.member.remove",
            "body",
            &body_id.to_string(),
            &json!({ "member_id": member_id }),
        )
        .await?;
        Ok(())
    }
}

/// Session bookkeeping that is not an act of anyone: refreshing the idle timer and removing
/// expired sessions. It does not enter the audit chain.
impl crate::Store {
    pub async fn touch_session(&self, id_hash: &str, at: DateTime<Utc>) -> Result<()> {
        let mut c = self.acquire().await?;
        run!(c.conn(), |c| sqlx::query(
            "UPDATE sessions SET last_seen_at = $2 WHERE id = $1"
        )
        .bind(id_hash)
        .bind(at)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn delete_idle_sessions(&self, idle_before: DateTime<Utc>) -> Result<u64> {
        let mut c = self.acquire().await?;
        let n = run!(c.conn(), |c| sqlx::query(
            "DELETE FROM sessions WHERE last_seen_at < $1"
        )
        .bind(idle_before)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n)
    }
}
