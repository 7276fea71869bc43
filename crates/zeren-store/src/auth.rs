//! Authentication state the web layer builds on: login throttling that counts an attempt
//! before the password is checked (per account name and per source address), password history
//! and forced changes, token expiry and revocation, session lifetimes, and TOTP secrets. The
//! store keeps the state; checking passwords and codes is the caller's.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::model::{ApiToken, Session};
use crate::read::Read;
use crate::{now, run, Actor, Error, Result, Write};

/// Longest user name (or source address) stored or audited as it is.
pub const MAX_STORED_NAME: usize = 64;

/// How many earlier passwords a new one must differ from (the current one included).
pub const PASSWORD_HISTORY: i64 = 5;

/// The form in which a user name or address is stored and audited: itself when it is short
/// and printable, else `sha256:` and its digest, so that no request can make the database
/// grow by more than a bounded amount.
pub fn bounded_name(s: &str) -> String {
    if s.len() <= MAX_STORED_NAME && !s.chars().any(char::is_control) {
        s.to_string()
    } else {
        format!("sha256:{}", crate::ledger::sha256_hex(s.as_bytes()))
    }
}

/// When logins are refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Attempts per account name within `window`; the next one locks the name for `window`.
    pub account_attempts: i64,
    /// Attempts per source address within `window` (any names), likewise.
    pub source_attempts: i64,
    pub window: chrono::Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockedBy {
    Account,
    Source,
}

/// An attempt that was counted and may go on to the password check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginTicket {
    /// The user name as stored and audited ([`bounded_name`]).
    pub username: String,
    pub source: String,
}

impl LoginTicket {
    fn account_key(&self) -> String {
        format!("a:{}", self.username)
    }

    fn source_key(&self) -> String {
        format!("s:{}", self.source)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginGate {
    /// Check the password, then report with [`crate::Store::login_succeeded`] or
    /// [`crate::Store::login_failed`].
    Allowed(LoginTicket),
    /// Refused without checking the password (and audited).
    Locked { until: DateTime<Utc>, by: LockedBy },
}

#[derive(Clone, Debug, sqlx::FromRow)]
struct Throttle {
    attempts: i64,
    window_start: DateTime<Utc>,
    locked_until: Option<DateTime<Utc>>,
    refused: i64,
}

impl Write {
    /// Lock the throttle row of `key` until the transaction ends (creating it if needed) and
    /// read it. The upsert takes the row lock on PostgreSQL; SQLite has one writer anyway.
    async fn throttle(&mut self, key: &str, at: DateTime<Utc>) -> Result<Throttle> {
        Ok(run!(self.conn(), |c| sqlx::query_as(
            "INSERT INTO login_throttle (key, attempts, window_start, locked_until, refused)
             VALUES ($1, 0, $2, NULL, 0)
             ON CONFLICT (key) DO UPDATE SET key = excluded.key
             RETURNING attempts, window_start, locked_until, refused"
        )
        .bind(key)
        .bind(at)
        .fetch_one(&mut *c)
        .await)?)
    }

    async fn save_throttle(&mut self, key: &str, t: &Throttle) -> Result<()> {
        run!(self.conn(), |c| {
            sqlx::query(
            "UPDATE login_throttle SET attempts = $2, window_start = $3, locked_until = $4, refused = $5 WHERE key = $1"
        )
        .bind(key)
        .bind(t.attempts)
        .bind(t.window_start)
        .bind(t.locked_until)
        .bind(t.refused)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(())
    }
}

impl crate::Store {
    /// Count a login attempt for `username` from `source` before its password is checked. Of
    /// any number of simultaneous attempts (on any number of instances) at most
    /// `policy.account_attempts` per name and `policy.source_attempts` per address within the
    /// window are allowed; the rest are refused and each refusal is an audit entry. Every
    /// password check (login, password change, re-authentication) should pass through here.
    pub async fn begin_login(
        &self,
        username: &str,
        source: &str,
        policy: &LockoutPolicy,
    ) -> Result<LoginGate> {
        let ticket = LoginTicket {
            username: bounded_name(username),
            source: bounded_name(source),
        };
        let (ak, sk) = (ticket.account_key(), ticket.source_key());
        let at = now();
        let mut w = self.write(&anonymous()).await?;
        let mut rows = [w.throttle(&ak, at).await?, w.throttle(&sk, at).await?];
        for t in rows.iter_mut() {
            let lock_over = t.locked_until.is_some_and(|u| u <= at);
            let window_over = t.locked_until.is_none() && t.window_start + policy.window <= at;
            if lock_over || window_over {
                *t = Throttle {
                    attempts: 0,
                    window_start: at,
                    locked_until: None,
                    refused: 0,
                };
            }
        }
        let locked: Vec<(LockedBy, DateTime<Utc>)> = [LockedBy::Account, LockedBy::Source]
            .into_iter()
            .zip(rows.iter())
            .filter_map(|(by, t)| t.locked_until.filter(|u| *u > at).map(|u| (by, u)))
            .collect();
        if !locked.is_empty() {
            for t in rows.iter_mut().filter(|t| t.locked_until.is_some()) {
                t.refused += 1;
            }
            w.save_throttle(&ak, &rows[0]).await?;
            w.save_throttle(&sk, &rows[1]).await?;
            let (by, until) = locked[0];
            w.record(
                "login.refused",
                "username",
                &ticket.username,
                &json!({ "source": ticket.source, "by": by_word(by), "locked_until": until, "refused": rows[0].refused.max(rows[1].refused) }),
            )
            .await?;
            w.commit().await?;
            return Ok(LoginGate::Locked { until, by });
        }
        rows[0].attempts += 1;
        rows[1].attempts += 1;
        let over = [
            rows[0].attempts > policy.account_attempts,
            rows[1].attempts > policy.source_attempts,
        ];
        if over[0] || over[1] {
            let until = at + policy.window;
            for (t, o) in rows.iter_mut().zip(over) {
                if o {
                    t.locked_until = Some(until);
                    t.refused = 1;
                }
            }
            w.save_throttle(&ak, &rows[0]).await?;
            w.save_throttle(&sk, &rows[1]).await?;
            let by = if over[0] {
                LockedBy::Account
            } else {
                LockedBy::Source
            };
            w.record(
                "login.locked",
                "username",
                &ticket.username,
                &json!({ "source": ticket.source, "by": by_word(by), "locked_until": until }),
            )
            .await?;
            w.commit().await?;
            return Ok(LoginGate::Locked { until, by });
        }
        w.save_throttle(&ak, &rows[0]).await?;
        w.save_throttle(&sk, &rows[1]).await?;
        w.commit().await?;
        Ok(LoginGate::Allowed(ticket))
    }

    /// The password was right: the name's count starts again, and the attempt no longer
    /// counts against its source. (The session created next is what the audit log records.)
    pub async fn login_succeeded(&self, ticket: &LoginTicket) -> Result<()> {
        let mut w = self.write(&anonymous()).await?;
        run!(w.conn(), |c| {
            sqlx::query("DELETE FROM login_throttle WHERE key = $1")
                .bind(ticket.account_key())
                .execute(&mut *c)
                .await?;
            sqlx::query(
                "UPDATE login_throttle SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
            )
            .bind(ticket.source_key())
            .execute(&mut *c)
            .await?;
        });
        w.commit().await
    }

    /// The password was wrong (or the account disabled): audited. The attempt was counted
    /// already.
    pub async fn login_failed(&self, ticket: &LoginTicket) -> Result<()> {
        let mut w = self.write(&anonymous()).await?;
        w.record(
            "login.failure",
            "username",
            &ticket.username,
            &json!({ "at": now(), "source": ticket.source }),
        )
        .await?;
        w.commit().await
    }

    /// Remove sessions idle since `idle_before` or begun before `created_before` (the
    /// absolute lifetime). Housekeeping, not audited.
    pub async fn delete_expired_sessions(
        &self,
        idle_before: DateTime<Utc>,
        created_before: Option<DateTime<Utc>>,
    ) -> Result<u64> {
        let mut c = self.acquire().await?;
        let n = run!(c.conn(), |c| sqlx::query(
            "DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2"
        )
        .bind(idle_before)
        .bind(created_before.unwrap_or(idle_before - chrono::Duration::days(36500)))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n)
    }
}

fn by_word(by: LockedBy) -> &'static str {
    match by {
        LockedBy::Account => "account",
        LockedBy::Source => "source",
    }
}

fn anonymous() -> Actor {
    Actor {
        account_id: None,
        name: "anonymous".into(),
    }
}

/// A TOTP secret (RFC 6238). Only [`AuthRead::totp`] returns it; its `Debug` hides it.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TotpSecret {
    pub account_id: i64,
    /// As the authenticator app takes it (base32).
    pub secret: String,
    /// None until the owner proved their app produces the codes.
    pub confirmed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpSecret")
            .field("account_id", &self.account_id)
            .field("secret", &"***")
            .field("confirmed_at", &self.confirmed_at)
            .finish()
    }
}

/// A source address whose logins are refused for now (every name from it).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LockedSource {
    pub source: String,
    pub locked_until: DateTime<Utc>,
    /// Attempts refused while locked.
    pub refused: i64,
}

#[allow(async_fn_in_trait)] // implemented only by this crate's concrete, Send types
pub trait AuthRead: Read {
    /// The source addresses locked at `at`, the latest lock last ending first; at most 200.
    async fn locked_sources(&mut self, at: DateTime<Utc>) -> Result<Vec<LockedSource>> {
        let rows: Vec<(String, DateTime<Utc>, i64)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT key, locked_until, refused FROM login_throttle
             WHERE key LIKE 's:%' AND locked_until IS NOT NULL AND locked_until > $1
             ORDER BY locked_until DESC, key LIMIT 200"
        )
        .bind(at)
        .fetch_all(&mut *c)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(key, locked_until, refused)| LockedSource {
                source: key.trim_start_matches("s:").to_string(),
                locked_until,
                refused,
            })
            .collect())
    }

    /// When the name's logins are refused until, if they are now.
    async fn login_locked_until(
        &mut self,
        username: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>> {
        let row: Option<(Option<DateTime<Utc>>,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT locked_until FROM login_throttle WHERE key = $1"
        )
        .bind(format!("a:{}", bounded_name(username)))
        .fetch_optional(&mut *c)
        .await)?;
        Ok(row.and_then(|(u,)| u).filter(|u| *u > at))
    }

    /// The current password hash and the earlier ones, newest first, at most `n` in all: a
    /// new password must match none of them.
    async fn recent_password_hashes(&mut self, account_id: i64, n: i64) -> Result<Vec<String>> {
        let current: Option<(String,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT password_hash FROM accounts WHERE id = $1"
        )
        .bind(account_id)
        .fetch_optional(&mut *c)
        .await)?;
        let Some((current,)) = current else {
            return Ok(Vec::new());
        };
        let older: Vec<(String,)> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT password_hash FROM password_history WHERE account_id = $1 ORDER BY id DESC LIMIT $2"
        )
        .bind(account_id)
        .bind((n - 1).max(0))
        .fetch_all(&mut *c)
        .await
        })?;
        let mut out = vec![current];
        out.extend(older.into_iter().map(|(h,)| h));
        out.truncate(n.max(0) as usize);
        Ok(out)
    }

    /// The account's sessions, newest first (for a limit on concurrent sessions).
    async fn sessions_of(&mut self, account_id: i64) -> Result<Vec<Session>> {
        Ok(run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT id, account_id, csrf_token, created_at, last_seen_at, second_factor_pending FROM sessions WHERE account_id = $1 ORDER BY created_at DESC"
        )
        .bind(account_id)
        .fetch_all(&mut *c)
        .await
        })?)
    }

    async fn totp(&mut self, account_id: i64) -> Result<Option<TotpSecret>> {
        Ok(run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT account_id, secret, confirmed_at, created_at FROM account_totp WHERE account_id = $1"
        )
        .bind(account_id)
        .fetch_optional(&mut *c)
        .await
        })?)
    }
}

impl<T: Read> AuthRead for T {}

impl Write {
    /// The owner changes their password: the old hash joins the history, the forced-change
    /// flag clears, and every session and token of the account ends (whoever knew the old
    /// password loses access; the caller starts a fresh session).
    pub async fn change_password(&mut self, account_id: i64, password_hash: &str) -> Result<()> {
        self.replace_password(account_id, password_hash, false, "account.password")
            .await
    }

    /// An administrator (or `zeren account reset`) sets a password: as a change, and the
    /// next login must choose a new one.
    pub async fn reset_password(&mut self, account_id: i64, password_hash: &str) -> Result<()> {
        self.replace_password(account_id, password_hash, true, "account.reset")
            .await
    }

    async fn replace_password(
        &mut self,
        account_id: i64,
        password_hash: &str,
        must_change: bool,
        action: &str,
    ) -> Result<()> {
        let t = now();
        let old: Option<(String,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT password_hash FROM accounts WHERE id = $1"
        )
        .bind(account_id)
        .fetch_optional(&mut *c)
        .await)?;
        let Some((old,)) = old else {
            return Err(Error::NotFound(format!("account {account_id}")));
        };
        run!(self.conn(), |c| {
            sqlx::query(
                "INSERT INTO password_history (account_id, password_hash, retired_at) VALUES ($1, $2, $3)",
            )
            .bind(account_id)
            .bind(&old)
            .bind(t)
            .execute(&mut *c)
            .await?;
            // Keep the newest few; older hashes are of no use and need not be kept.
            sqlx::query(
                "DELETE FROM password_history WHERE account_id = $1 AND id NOT IN (
                     SELECT id FROM password_history WHERE account_id = $1 ORDER BY id DESC LIMIT $2)",
            )
            .bind(account_id)
            .bind(PASSWORD_HISTORY)
            .execute(&mut *c)
            .await?;
            sqlx::query(
                "UPDATE accounts SET password_hash = $2, password_changed_at = $3, must_change_password = $4 WHERE id = $1",
            )
            .bind(account_id)
            .bind(password_hash)
            .bind(t)
            .bind(must_change)
            .execute(&mut *c)
            .await?;
        });
        let (tokens, sessions) = self.end_access(account_id, t).await?;
        self.record(
            action,
            "account",
            &account_id.to_string(),
            &json!({ "password_changed_at": t, "must_change_password": must_change, "tokens_revoked": tokens, "sessions_ended": sessions }),
        )
        .await?;
        Ok(())
    }

    async fn end_access(&mut self, account_id: i64, at: DateTime<Utc>) -> Result<(u64, u64)> {
        Ok(run!(self.conn(), |c| {
            let tokens = sqlx::query(
                "UPDATE api_tokens SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL",
            )
            .bind(account_id)
            .bind(at)
            .execute(&mut *c)
            .await?
            .rows_affected();
            let sessions = sqlx::query("DELETE FROM sessions WHERE account_id = $1")
                .bind(account_id)
                .execute(&mut *c)
                .await?
                .rows_affected();
            (tokens, sessions)
        }))
    }

    /// End every session and revoke every token of the account (on disabling it, or when an
    /// administrator suspects it). Returns (tokens revoked, sessions ended).
    pub async fn revoke_access(&mut self, account_id: i64) -> Result<(u64, u64)> {
        let (tokens, sessions) = self.end_access(account_id, now()).await?;
        self.record(
            "account.revoke_access",
            "account",
            &account_id.to_string(),
            &json!({ "tokens_revoked": tokens, "sessions_ended": sessions }),
        )
        .await?;
        Ok((tokens, sessions))
    }

    /// A token that stops working at `expires_at` (None: only revocation ends it).
    pub async fn create_token_with_expiry(
        &mut self,
        account_id: i64,
        name: &str,
        token_hash: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<ApiToken> {
        crate::check_text("token name", name)?;
        let token: ApiToken = run!(self.conn(), |c| {
            sqlx::query_as(
            "INSERT INTO api_tokens (account_id, name, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)
             RETURNING id, account_id, name, token_hash, created_at, revoked_at, expires_at, last_used_at"
        )
        .bind(account_id)
        .bind(name)
        .bind(token_hash)
        .bind(now())
        .bind(expires_at)
        .fetch_one(&mut *c)
        .await
        })
        .map_err(|e| Error::from_write(e, "token"))?;
        self.record("token.create", "api_token", &token.id.to_string(), &token)
            .await?;
        Ok(token)
    }

    /// Store a new, unconfirmed TOTP secret (replacing any earlier one). The audit entry
    /// records that it happened, never the secret.
    pub async fn set_totp_secret(&mut self, account_id: i64, secret: &str) -> Result<()> {
        crate::check_text("secret", secret)?;
        run!(self.conn(), |c| sqlx::query(
            "INSERT INTO account_totp (account_id, secret, confirmed_at, created_at) VALUES ($1, $2, NULL, $3)
             ON CONFLICT (account_id) DO UPDATE SET secret = excluded.secret, confirmed_at = NULL, created_at = excluded.created_at"
        )
        .bind(account_id)
        .bind(secret)
        .bind(now())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| Error::from_write(e, "totp"))?;
        self.record(
            "totp.set",
            "account",
            &account_id.to_string(),
            &json!({ "confirmed": false }),
        )
        .await?;
        Ok(())
    }

    /// The owner entered a valid code: the second factor is in force from now on.
    pub async fn confirm_totp(&mut self, account_id: i64) -> Result<()> {
        let n = run!(self.conn(), |c| sqlx::query(
            "UPDATE account_totp SET confirmed_at = $2 WHERE account_id = $1"
        )
        .bind(account_id)
        .bind(now())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(Error::NotFound(format!("TOTP of account {account_id}")));
        }
        self.record(
            "totp.confirm",
            "account",
            &account_id.to_string(),
            &json!({ "confirmed": true }),
        )
        .await?;
        Ok(())
    }

    /// The code of time step `step` was accepted: true the first time, false if that step (or
    /// a later one) was used already, so that an overheard code cannot be used again.
    pub async fn use_totp_step(&mut self, account_id: i64, step: i64) -> Result<bool> {
        let n = run!(self.conn(), |c| {
            sqlx::query(
            "UPDATE account_totp SET last_step = $2 WHERE account_id = $1 AND (last_step IS NULL OR last_step < $2)"
        )
        .bind(account_id)
        .bind(step)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }

    pub async fn remove_totp(&mut self, account_id: i64) -> Result<()> {
        let n = run!(self.conn(), |c| sqlx::query(
            "DELETE FROM account_totp WHERE account_id = $1"
        )
        .bind(account_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        if n > 0 {
            self.record(
                "totp.remove",
                "account",
                &account_id.to_string(),
                &json!({ "removed": true }),
            )
            .await?;
        }
        Ok(())
    }
}
