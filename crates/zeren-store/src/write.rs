//! Mutations. Each one changes the database and calls [`Write::record`], the single function
//! that appends to the audit chain, inside the same transaction: either both are stored or
//! neither is.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;

use std::sync::Arc;

use crate::audit::{next_key, rotation_text, AuditEntry, AuditKey, HashAlg, GENESIS, KEY_ACTION};
use crate::datadir::AuditFiles;
use crate::health::Health;
use crate::model::*;
use crate::read::Read;
use crate::{now, run, Actor, Conn, Error, Result, Tx};

pub struct Write {
    tx: Tx,
    actor: Actor,
    alg: HashAlg,
    files: Option<Arc<AuditFiles>>,
    health: Arc<Health>,
    /// The chain's last entry as this transaction sees it, once it has appended (or looked).
    tip: Option<Tip>,
    /// A key switch this transaction wrote: anchored outside the database once committed.
    switched: Option<(i64, String)>,
    /// Tells the readiness probe when this transaction ends without a commit.
    watch: RollbackWatch,
    /// Set only when importing history: the time the ledger writes are stamped with.
    history_at: Option<DateTime<Utc>>,
    _sqlite_writer: Option<tokio::sync::OwnedMutexGuard<()>>,
}

/// A write that ends without a commit may have failed for a storage reason (a full disk
/// fails the statement, not the COMMIT): the next readiness check then probes afresh.
struct RollbackWatch(Option<Arc<Health>>);

impl Drop for RollbackWatch {
    fn drop(&mut self) {
        if let Some(h) = &self.0 {
            h.forget();
        }
    }
}

#[derive(Clone, Debug)]
struct Tip {
    seq: i64,
    hash: String,
    /// The key the next entry must carry (None while the chain is plain).
    next_key: Option<String>,
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
        files: Option<Arc<AuditFiles>>,
        health: Arc<Health>,
        guard: Option<tokio::sync::OwnedMutexGuard<()>>,
    ) -> Write {
        Write {
            tx,
            actor,
            alg,
            files,
            watch: RollbackWatch(Some(health.clone())),
            health,
            tip: None,
            switched: None,
            history_at: None,
            _sqlite_writer: guard,
        }
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// **For importing history only** (records kept on paper or in another system, and
    /// `zeren demo`): stamps the ledger writes that follow in this transaction — records and
    /// their versions, 签收, 退回, stored files — with `at` instead of the present moment. Each
    /// is audited under its own import action (`record.import`, `record.import_correction`,
    /// `record.import_acknowledgement`, `record.import_return`) with the time it claims, and the
    /// audit entry itself carries the real time of the import. The web layer never calls this:
    /// a person's entry is always stamped with now, so nobody can back-date a record.
    pub fn import_history_at(&mut self, at: DateTime<Utc>) {
        self.history_at = Some(at);
    }

    /// When a ledger write happens: now, or the time of the history being imported.
    pub(crate) fn stamp(&self) -> DateTime<Utc> {
        self.history_at.unwrap_or_else(crate::now)
    }

    /// The time claimed by an import, for its audit details.
    pub(crate) fn importing(&self) -> Option<DateTime<Utc>> {
        self.history_at
    }

    /// The name people know the acting account by: its person's name, else the account's
    /// username (an administrator without a person), else the actor's name.
    pub async fn actor_display_name(&mut self) -> Result<String> {
        let Some(id) = self.actor.account_id else {
            return Ok(self.actor.name.clone());
        };
        let row: Option<(String,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT p.name FROM accounts a JOIN people p ON p.id = a.person_id WHERE a.id = $1"
        )
        .bind(id)
        .fetch_optional(&mut *c)
        .await)?;
        Ok(row.map(|(n,)| n).unwrap_or_else(|| self.actor.name.clone()))
    }

    /// The number of the key switch this transaction appended, if any.
    pub(crate) fn switched_at(&self) -> Option<i64> {
        self.switched.as_ref().map(|s| s.0)
    }

    /// The chain's hash algorithm (digests in details use it).
    pub(crate) fn alg(&self) -> HashAlg {
        self.alg
    }

    pub async fn commit(mut self) -> Result<()> {
        self.watch.0 = None;
        let r = match self.tx {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        };
        if let Err(e) = r {
            let e = Error::from(e);
            self.health.failed(&e);
            return Err(e);
        }
        self.health.succeeded();
        if let (Some((seq, hash)), Some(files)) = (&self.switched, &self.files) {
            if let Err(e) = files.append_anchor(self.alg, *seq, hash) {
                tracing::warn!(error = %e, "could not anchor the audit key switch");
            }
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
        self.record_with(action, entity_type, entity_id, state, None)
            .await
    }

    /// [`Write::record`] with details: what the entry states about stored rows (see
    /// [`crate::verify`]), kept in the clear and covered by the hash.
    pub async fn record_with(
        &mut self,
        action: &str,
        entity_type: &str,
        entity_id: &str,
        state: &impl Serialize,
        details: Option<serde_json::Value>,
    ) -> Result<AuditEntry> {
        let state = serde_json::to_vec(state).map_err(|e| Error::Invalid(e.to_string()))?;
        // serde_json writes a NUL character as \u0000: refused on both databases alike.
        if state.windows(6).any(|w| w == b"\\u0000") {
            return Err(Error::Invalid(
                "contains a NUL character (\\0), which cannot be stored".into(),
            ));
        }
        crate::check_text("entity", entity_id)?;
        let key = self.ensure_key().await?;
        let digest = self.alg.digest(&state);
        let details = details.unwrap_or_else(|| json!({})).to_string();
        self.append(
            action,
            entity_type,
            entity_id,
            digest,
            details,
            key.as_ref(),
        )
        .await
    }

    /// The chain's last entry. On PostgreSQL the first call of a transaction takes the
    /// append lock, so no other instance extends the chain until this transaction ends.
    async fn tip(&mut self) -> Result<Tip> {
        if let Some(t) = &self.tip {
            return Ok(t.clone());
        }
        if let Conn::Postgres(c) = self.conn() {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(crate::dialect::AUDIT_APPEND_LOCK_KEY)
                .execute(&mut *c)
                .await?;
        }
        let sql = format!("{} ORDER BY seq DESC LIMIT 1", crate::read::AUDIT);
        let last: Option<AuditEntry> = run!(self.conn(), |c| sqlx::query_as(&sql)
            .fetch_optional(&mut *c)
            .await)?;
        let tip = match last {
            Some(e) => Tip {
                seq: e.seq,
                next_key: next_key(&e),
                hash: e.hash,
            },
            None => Tip {
                seq: 0,
                hash: GENESIS.to_string(),
                next_key: None,
            },
        };
        self.tip = Some(tip.clone());
        Ok(tip)
    }

    /// Takes the audit chain's append lock now (PostgreSQL; SQLite has one writer anyway), for a
    /// write that must be ordered with every other before it appends anything.
    pub(crate) async fn lock_chain(&mut self) -> Result<()> {
        self.tip().await.map(|_| ())
    }

    /// The key the next entry is authenticated with. When the chain is plain and this server
    /// has a key, or the chain's key is an older one this server keeps in its keyring, the
    /// switch (or rotation) is appended first, as an entry of its own.
    pub(crate) async fn ensure_key(&mut self) -> Result<Option<AuditKey>> {
        let tip = self.tip().await?;
        let files = self.files.clone();
        let keys = files.as_ref().map(|f| f.keyring());
        let mine = keys.and_then(|k| k.current());
        // The common case, once per entry: the chain already uses this server's key.
        if let (Some(chain), Some(mine)) = (&tip.next_key, mine) {
            if chain == mine.id() {
                return Ok(Some(mine.clone()));
            }
        }
        let mine = mine.cloned();
        match (tip.next_key, mine) {
            (None, None) => Ok(None),
            (Some(chain), Some(mine)) if chain == mine.id() => Ok(Some(mine)),
            (None, Some(mine)) => {
                self.switch_key(&mine, None, json!({ "key_id": mine.id(), "previous": null }))
                    .await?;
                Ok(Some(mine))
            }
            (Some(chain), Some(mine)) => {
                let Some(old) = keys.and_then(|k| k.get(&chain)) else {
                    return Err(Error::Config(format!(
                        "the audit chain is authenticated with key {chain}, which this server does not hold (its key is {}): copy audit.key and audit.keyring from the instance that rotated it",
                        mine.id()
                    )));
                };
                let endorsement = old.mac(self.alg, &rotation_text(mine.id(), &tip.hash));
                let details =
                    json!({ "key_id": mine.id(), "previous": chain, "endorsement": endorsement });
                self.switch_key(&mine, Some(chain), details).await?;
                Ok(Some(mine))
            }
            (Some(chain), None) => Err(Error::Config(format!(
                "the audit chain is authenticated with key {chain}, but this server has no audit key: start it with the data directory that holds audit.key"
            ))),
        }
    }

    async fn switch_key(
        &mut self,
        key: &AuditKey,
        previous: Option<String>,
        details: serde_json::Value,
    ) -> Result<()> {
        let digest = self.alg.digest(details.to_string().as_bytes());
        let actor = std::mem::replace(&mut self.actor, Actor::system());
        let e = self
            .append(
                KEY_ACTION,
                "audit_key",
                key.id(),
                digest,
                details.to_string(),
                Some(key),
            )
            .await;
        self.actor = actor;
        let e = e?;
        tracing::info!(
            seq = e.seq,
            key = key.id(),
            previous = previous.as_deref().unwrap_or("none (plain hashes)"),
            "the audit chain is authenticated with a new key from this entry on"
        );
        self.switched = Some((e.seq, e.hash));
        Ok(())
    }

    async fn append(
        &mut self,
        action: &str,
        entity_type: &str,
        entity_id: &str,
        state_digest: String,
        details: String,
        key: Option<&AuditKey>,
    ) -> Result<AuditEntry> {
        let tip = self.tip().await?;
        let mut e = AuditEntry {
            seq: tip.seq + 1,
            at: now(),
            actor_account_id: self.actor.account_id,
            actor: self.actor.name.clone(),
            action: action.to_string(),
            entity_type: entity_type.to_string(),
            entity_id: entity_id.to_string(),
            state_digest,
            prev_hash: tip.hash,
            hash: String::new(),
            details: Some(details),
            key_id: key.map(|k| k.id().to_string()),
        };
        e.hash = e.seal(self.alg, key);
        run!(self.conn(), |c| {
            sqlx::query(
                "INSERT INTO audit_log (seq, at, actor_account_id, actor, action, entity_type, entity_id, state_digest, prev_hash, hash, details, key_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
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
            .bind(&e.details)
            .bind(&e.key_id)
            .execute(&mut *c).await.map(|r| r.rows_affected())
        })
        // Someone extended the chain without the append lock (an older server): let the
        // caller retry the whole write.
        .map_err(|err| Error::from_write(err, "the audit chain moved on meanwhile; try again"))?;
        self.tip = Some(Tip {
            seq: e.seq,
            hash: e.hash.clone(),
            next_key: next_key(&e),
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
        if let Some(p) = parent_id {
            self.check_unit_open(p).await?;
        }
        self.check_sibling_name(parent_id, name, None).await?;
        let unit: Unit = run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO units (parent_id, name, kind, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id, parent_id, name, kind, created_at, retired_on, retired_reason, merged_into"
        )
        .bind(parent_id)
        .bind(name)
        .bind(kind)
        .bind(now())
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| Error::from_write(e, "unit"))?;
        // The closure of the tree: the new unit with its parent's ancestors and itself.
        run!(self.conn(), |c| sqlx::query(
            "INSERT INTO unit_ancestors (unit_id, ancestor_id, depth)
             SELECT $1, ancestor_id, depth + 1 FROM unit_ancestors WHERE unit_id = $2
             UNION ALL SELECT $1, $1, 0"
        )
        .bind(unit.id)
        .bind(parent_id.unwrap_or(0))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        self.record("unit.create", "unit", &unit.id.to_string(), &unit)
            .await?;
        Ok(unit)
    }

    pub async fn update_unit(&mut self, id: i64, name: &str, kind: &str) -> Result<Unit> {
        let parent = self
            .unit(id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("unit {id}")))?
            .parent_id;
        self.check_sibling_name(parent, name, Some(id)).await?;
        let unit: Option<Unit> = run!(self.conn(), |c| {
            sqlx::query_as(
            "UPDATE units SET name = $2, kind = $3 WHERE id = $1
             RETURNING id, parent_id, name, kind, created_at, retired_on, retired_reason, merged_into"
        )
        .bind(id)
        .bind(name)
        .bind(kind)
        .fetch_optional(&mut *c)
        .await
        })?;
        let unit = unit.ok_or_else(|| Error::NotFound(format!("unit {id}")))?;
        self.record("unit.update", "unit", &id.to_string(), &unit)
            .await?;
        Ok(unit)
    }

    /// Retires a unit (撤销) on `on`, or merges it (合并) into `merged_into`: the unit is never
    /// deleted, so its records, past obligations and history stay readable where they were. From
    /// `on` it holds no roles (open assignments end that day), takes no new obligations, and its
    /// obligations without records whose period has not ended by then go. A merge moves the
    /// unit's people to the unit it joins. Refused for a top unit, a unit already retired, a unit
    /// with units still below it, or a merge into itself or a retired unit.
    pub async fn retire_unit(
        &mut self,
        id: i64,
        on: NaiveDate,
        reason: &str,
        merged_into: Option<i64>,
    ) -> Result<Unit> {
        crate::check_text("reason", reason)?;
        if reason.trim().is_empty() {
            return Err(Error::Invalid("a retirement needs a reason".into()));
        }
        let unit = self
            .unit(id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("unit {id}")))?;
        if unit.is_retired() {
            return Err(Error::Invalid(format!("unit {id} is already retired")));
        }
        if unit.parent_id.is_none() {
            return Err(Error::Invalid("the top unit cannot be retired".into()));
        }
        if self.children(id).await?.iter().any(|c| !c.is_retired()) {
            return Err(Error::Invalid(format!(
                "unit {id} still has units below it: retire or merge them first"
            )));
        }
        if let Some(target) = merged_into {
            let t = self
                .unit(target)
                .await?
                .ok_or_else(|| Error::NotFound(format!("unit {target}")))?;
            if t.id == id || t.is_retired() {
                return Err(Error::Invalid(format!(
                    "unit {id} cannot be merged into unit {target}"
                )));
            }
        }
        let unit: Unit = run!(self.conn(), |c| sqlx::query_as(
            "UPDATE units SET retired_on = $2, retired_reason = $3, merged_into = $4
             WHERE id = $1 AND retired_on IS NULL
             RETURNING id, parent_id, name, kind, created_at, retired_on, retired_reason, merged_into"
        )
        .bind(id)
        .bind(on)
        .bind(reason.trim())
        .bind(merged_into)
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| Error::from_write(e, "unit"))?;
        // Roles end the day the unit does (an assignment that would begin later never begins).
        let ended: Vec<Assignment> = run!(self.conn(), |c| {
            sqlx::query_as(
            "UPDATE assignments SET ends_on = CASE WHEN starts_on > $2 THEN starts_on ELSE $2 END
             WHERE unit_id = $1 AND (ends_on IS NULL OR ends_on > $2)
             RETURNING id, person_id, unit_id, role_id, starts_on, ends_on, created_at"
        )
        .bind(id)
        .bind(on)
        .fetch_all(&mut *c)
        .await
        })?;
        for a in &ended {
            self.record("assignment.end", "assignment", &a.id.to_string(), a)
                .await?;
        }
        let moved: Vec<(i64,)> = match merged_into {
            Some(target) => run!(self.conn(), |c| sqlx::query_as(
                "UPDATE people SET unit_id = $2 WHERE unit_id = $1 RETURNING id"
            )
            .bind(id)
            .bind(target)
            .fetch_all(&mut *c)
            .await)?,
            None => Vec::new(),
        };
        let obligations: Vec<(i64,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT id FROM obligations WHERE unit_id = $1"
        )
        .bind(id)
        .fetch_all(&mut *c)
        .await)?;
        let ids: Vec<i64> = obligations.into_iter().map(|(o,)| o).collect();
        let removed = self.remove_unended_obligations(&ids, on).await?;
        let action = if merged_into.is_some() {
            "unit.merge"
        } else {
            "unit.retire"
        };
        self.record(
            action,
            "unit",
            &id.to_string(),
            &json!({
                "unit": &unit,
                "roles_ended": ended.len(),
                "people_moved": moved.iter().map(|(p,)| *p).collect::<Vec<_>>(),
                "obligations_removed": removed.len(),
            }),
        )
        .await?;
        Ok(unit)
    }

    /// Refuses a change that would add to a retired unit (a unit below it, a role holder).
    async fn check_unit_open(&mut self, id: i64) -> Result<()> {
        match self.unit(id).await? {
            Some(u) if u.is_retired() => Err(Error::Invalid(format!(
                "unit {id} is retired: nothing new is added to it"
            ))),
            _ => Ok(()),
        }
    }

    pub async fn create_person(&mut self, p: &NewPerson) -> Result<Person> {
        self.check_unit_open(p.unit_id).await?;
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
             RETURNING id, username, person_id, password_hash, admin_duty, active, created_at, password_changed_at, must_change_password"
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

    /// Set a new password: the same as [`Write::change_password`] (history kept, every
    /// session and token of the account ended). For an administrator's reset use
    /// [`Write::reset_password`], which also forces a change at the next login.
    pub async fn set_password(&mut self, account_id: i64, password_hash: &str) -> Result<()> {
        self.change_password(account_id, password_hash).await
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
                // A disabled account keeps no way in: sessions end, tokens are revoked.
                sqlx::query("DELETE FROM sessions WHERE account_id = $1")
                    .bind(account_id)
                    .execute(&mut *c)
                    .await
                    .map(|r| r.rows_affected())?;
                sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL",
                )
                .bind(account_id)
                .bind(now())
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

    /// The password was right and the account has a second factor: a session that opens
    /// nothing until [`Write::complete_session`].
    pub async fn create_pending_session(
        &mut self,
        id_hash: &str,
        account_id: i64,
        csrf_token: &str,
    ) -> Result<()> {
        let t = now();
        run!(self.conn(), |c| {
            sqlx::query(
            "INSERT INTO sessions (id, account_id, csrf_token, created_at, last_seen_at, second_factor_pending) VALUES ($1, $2, $3, $4, $4, TRUE)"
        )
        .bind(id_hash)
        .bind(account_id)
        .bind(csrf_token)
        .bind(t)
        .execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
        self.record(
            "session.password_ok",
            "account",
            &account_id.to_string(),
            &json!({ "at": t }),
        )
        .await?;
        Ok(())
    }

    /// The one-time code was right: the pending session is a session from now.
    pub async fn complete_session(&mut self, id_hash: &str, account_id: i64) -> Result<()> {
        let t = now();
        let n = run!(self.conn(), |c| {
            sqlx::query(
            "UPDATE sessions SET second_factor_pending = FALSE, last_seen_at = $3 WHERE id = $1 AND account_id = $2 AND second_factor_pending"
        )
        .bind(id_hash)
        .bind(account_id)
        .bind(t)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())
        })?;
        if n == 0 {
            return Err(Error::NotFound("pending session".into()));
        }
        self.record(
            "session.login",
            "account",
            &account_id.to_string(),
            &json!({ "at": t, "second_factor": true }),
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

    /// A failed login under `username` (stored and audited in bounded form: a name longer
    /// than [`crate::auth::MAX_STORED_NAME`] is kept as its digest). Prefer
    /// [`crate::Store::begin_login`], which counts before the password is checked.
    pub async fn record_login_failure(&mut self, username: &str) -> Result<()> {
        let username = crate::auth::bounded_name(username);
        let t = now();
        run!(self.conn(), |c| sqlx::query(
            "INSERT INTO login_failures (username, at) VALUES ($1, $2)"
        )
        .bind(&username)
        .bind(t)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        self.record("login.failure", "username", &username, &json!({ "at": t }))
            .await?;
        Ok(())
    }

    /// Lift a lockout (the security administrator's act) or forget failures after a success.
    /// Lifts the lock of a source address (the security administrator's act): its attempts
    /// start again from nothing.
    pub async fn clear_source_lock(&mut self, source: &str) -> Result<bool> {
        let source = crate::auth::bounded_name(source);
        let n = run!(self.conn(), |c| sqlx::query(
            "DELETE FROM login_throttle WHERE key = $1 AND locked_until IS NOT NULL"
        )
        .bind(format!("s:{source}"))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        if n > 0 {
            self.record(
                "login.unlock",
                "source",
                &source,
                &json!({ "source": source }),
            )
            .await?;
        }
        Ok(n > 0)
    }

    pub async fn clear_login_failures(&mut self, username: &str) -> Result<()> {
        let username = crate::auth::bounded_name(username);
        let n = run!(self.conn(), |c| {
            let n = sqlx::query("DELETE FROM login_failures WHERE username = $1")
                .bind(&username)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected())?;
            n + sqlx::query(
                "DELETE FROM login_throttle WHERE key = $1 AND locked_until IS NOT NULL",
            )
            .bind(format!("a:{username}"))
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())?
        });
        run!(self.conn(), |c| sqlx::query(
            "DELETE FROM login_throttle WHERE key = $1"
        )
        .bind(format!("a:{username}"))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        if n > 0 {
            self.record(
                "login.unlock",
                "username",
                &username,
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
        self.create_token_with_expiry(account_id, name, token_hash, None)
            .await
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
        self.check_unit_open(unit_id).await?;
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

    /// Install a policy version at a unit. It replaces the current installations there of the
    /// same policy (an upgrade) or of the same scope (`applies_to`: a switch to another policy
    /// for the same units); those stay as history. Policies for other kinds of unit stay.
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
        // The text is not in the audit state (only its digest): check it here.
        crate::check_text("policy text", text)?;
        let by = self.actor.account_id;
        let applies_to = crate::install::applies_to_of(policy_id, text);
        let p: InstalledPolicy = run!(self.conn(), |c| {
            sqlx::query(
                "UPDATE installed_policies SET current = FALSE
                 WHERE unit_id = $1 AND current = TRUE AND (policy_id = $2 OR COALESCE(applies_to, '') = $3)",
            )
            .bind(unit_id)
            .bind(policy_id)
            .bind(&applies_to)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())?;
            sqlx::query_as(
                "INSERT INTO installed_policies (unit_id, policy_id, version, title, text, sha256, installed_at, installed_by, current, applies_to)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, TRUE, $9)
                 RETURNING id, unit_id, policy_id, version, title, text, sha256, installed_at, installed_by, current, applies_to, removed_at, removed_by",
            )
            .bind(unit_id)
            .bind(policy_id)
            .bind(version)
            .bind(title)
            .bind(text)
            .bind(sha256)
            .bind(now())
            .bind(by)
            .bind(&applies_to)
            .fetch_one(&mut *c)
            .await
            .map_err(|e| Error::from_write(e, "policy"))?
        });
        self.record("policy.install", "policy", &p.id.to_string(), &p)
            .await?;
        Ok(p)
    }

    /// Remove a current installation (kept as history with who removed it and when). The
    /// materialiser then removes its obligations that have no record and have not ended.
    pub async fn remove_installation(&mut self, id: i64) -> Result<InstalledPolicy> {
        let by = self.actor.account_id;
        let p: Option<InstalledPolicy> = run!(self.conn(), |c| {
            sqlx::query_as(
            "UPDATE installed_policies SET current = FALSE, removed_at = $2, removed_by = $3
             WHERE id = $1 AND current = TRUE
             RETURNING id, unit_id, policy_id, version, title, text, sha256, installed_at, installed_by, current, applies_to, removed_at, removed_by",
        )
        .bind(id)
        .bind(now())
        .bind(by)
        .fetch_optional(&mut *c)
        .await
        })?;
        let p = p.ok_or_else(|| Error::NotFound(format!("current installation {id}")))?;
        self.record("policy.remove", "policy", &p.id.to_string(), &p)
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

    /// A token authenticated a request at `at` (its owner sees when it was last used).
    pub async fn touch_token(&self, token_id: i64, at: DateTime<Utc>) -> Result<()> {
        let mut c = self.acquire().await?;
        run!(c.conn(), |c| sqlx::query(
            "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1"
        )
        .bind(token_id)
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
