//! Every password check (login, password change, re-authentication) in one place: counted per
//! name and per source address before the hash is compared, refused while locked, reported.

use super::error::Error;
use super::state::AppState;

/// What a password check found.
#[derive(Debug, PartialEq, Eq)]
pub enum Checked {
    Right,
    /// Wrong password, no such account or a disabled one (audited).
    Wrong,
    /// Too many attempts for the name or the address: not checked at all (audited).
    Locked(chrono::DateTime<chrono::Utc>),
}

/// Check the password of `username` (the account, if there is one) as every password check
/// must (login, password change, re-authentication): the attempt is counted per name and per
/// source address before the hash is compared, so that simultaneous attempts cannot pass the
/// limit; a locked name or address is refused without comparing. Wrong is reported to the
/// store (and audited); right too when `settle`, which lets the name's count start again — not
/// when a one-time code is still to come, so that redoing the password does not buy more
/// guesses at the code.
pub async fn check_gated(
    state: &AppState,
    username: &str,
    source: &str,
    account: Option<&zeren_store::Account>,
    password: &str,
    settle: bool,
) -> Result<Checked, Error> {
    let ticket = match state
        .store
        .begin_login(username, source, &state.config.lockout())
        .await?
    {
        zeren_store::LoginGate::Allowed(t) => t,
        zeren_store::LoginGate::Locked { until, .. } => return Ok(Checked::Locked(until)),
    };
    let hash = account
        .filter(|a| a.active)
        .map(|a| a.password_hash.clone());
    let password = password.to_string();
    // argon2 takes tens of milliseconds of CPU: off the async workers.
    let right = tokio::task::spawn_blocking(move || match hash {
        Some(h) => super::auth::verify_password(&h, &password),
        None => {
            // As long as a real check, so that timing does not tell which names exist.
            super::auth::verify_password(super::auth::dummy_hash(), &password);
            false
        }
    })
    .await
    .map_err(|e| Error::Internal(format!("password check: {e}")))?;
    if right {
        if settle {
            state.store.login_succeeded(&ticket).await?;
        }
        Ok(Checked::Right)
    } else {
        state.store.login_failed(&ticket).await?;
        Ok(Checked::Wrong)
    }
}

/// Check a one-time code of `account` as a password is checked (counted first, refused while
/// locked, a wrong one audited), and use it: a code is accepted once. Right only when the
/// account has a second factor, confirmed unless `unconfirmed_too` (enrolment).
pub async fn check_code_gated(
    state: &AppState,
    account: &zeren_store::Account,
    source: &str,
    code: &str,
    unconfirmed_too: bool,
) -> Result<Checked, Error> {
    use zeren_store::auth::AuthRead;
    let ticket = match state
        .store
        .begin_login(&account.username, source, &state.config.lockout())
        .await?
    {
        zeren_store::LoginGate::Allowed(t) => t,
        zeren_store::LoginGate::Locked { until, .. } => return Ok(Checked::Locked(until)),
    };
    let secret = state
        .store
        .reader()
        .await?
        .totp(account.id)
        .await?
        .filter(|t| unconfirmed_too || t.confirmed_at.is_some());
    let step = secret
        .and_then(|s| super::secrets::open_totp(state.seal_key(), &s.secret))
        .and_then(|s| super::totp::check(&s, code, zeren_store::now().timestamp()));
    let used = match step {
        Some(step) => {
            let mut w = state
                .store
                .write(&zeren_store::Actor::account(account.id, &account.username))
                .await?;
            let fresh = w.use_totp_step(account.id, step).await?;
            w.commit().await?;
            fresh
        }
        None => false,
    };
    if used && account.active {
        state.store.login_succeeded(&ticket).await?;
        Ok(Checked::Right)
    } else {
        state.store.login_failed(&ticket).await?;
        Ok(Checked::Wrong)
    }
}
