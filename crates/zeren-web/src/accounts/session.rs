//! Signing in and out: attempts counted before the password is checked (per name and per source
//! address), a session cookie with its CSRF token, a limit on concurrent sessions.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use zeren_core::names;
use zeren_store::auth::AuthRead;
use zeren_store::*;
// Named, so that the store's Error and Result do not shadow the web layer's.
use crate::shared::error::{Error, Result};

use super::views::{CodePage, LoginPage};
use crate::shared::auth;
use crate::shared::context::{Source, SESSION_COOKIE};
use crate::shared::login::{self, Checked};
use crate::shared::prelude::*;

pub async fn page(MaybeViewer(v): MaybeViewer, lang: Lang) -> Result<Response> {
    if v.is_some() {
        return Ok(see_other("/"));
    }
    Ok(render(&LoginPage {
        chrome: Chrome::new(lang, None),
        error: None,
        username: String::new(),
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    lang: Lang,
    Source(source): Source,
    Form(f): Form<LoginForm>,
) -> Result<Response> {
    let t = Tr(lang);
    let username = f.username.trim().to_string();
    // A name no account can have is not looked up (nor echoed back).
    let plausible = names::username(&username).is_ok();
    let account = if plausible {
        state
            .store
            .reader()
            .await?
            .account_by_username(&username)
            .await?
    } else {
        None
    };
    let refused = |status: StatusCode, error: String| -> Result<Response> {
        // The page again, the name kept (if it could be one), the reason said.
        let page = LoginPage {
            chrome: Chrome::new(lang, None),
            error: Some(error),
            username: if plausible {
                username.clone()
            } else {
                String::new()
            },
        };
        Ok((status, render(&page)?).into_response())
    };
    // With one-time codes set up, the password opens a session that opens nothing until the
    // code is given on the next page (and the attempt stays counted until then).
    let second_factor = match &account {
        Some(a) => state
            .store
            .reader()
            .await?
            .totp(a.id)
            .await?
            .is_some_and(|t| t.confirmed_at.is_some()),
        None => false,
    };
    match login::check_gated(
        &state,
        &username,
        &source,
        account.as_ref(),
        &f.password,
        !second_factor,
    )
    .await?
    {
        Checked::Locked(until) => {
            return refused(
                StatusCode::TOO_MANY_REQUESTS,
                Error::Locked(until).message(lang),
            )
        }
        Checked::Wrong => return refused(StatusCode::UNAUTHORIZED, t.s("login.bad").into()),
        Checked::Right => {}
    }
    let Some(account) = account else {
        return Err(Error::Internal(
            "a right password without an account".into(),
        ));
    };
    let token = auth::random_token();
    let mut w = state
        .store
        .write(&Actor::account(account.id, &account.username))
        .await?;
    if second_factor {
        w.create_pending_session(&auth::sha256_hex(&token), account.id, &auth::random_token())
            .await?;
    } else {
        w.create_session(&auth::sha256_hex(&token), account.id, &auth::random_token())
            .await?;
    }
    w.commit().await?;
    if !second_factor {
        end_extra_sessions(&state, &account).await?;
    }
    let to = if second_factor { "/login/code" } else { "/" };
    Ok((
        [(header::SET_COOKIE, session_cookie(&state, &token))],
        Redirect::to(to),
    )
        .into_response())
}

fn session_cookie(state: &AppState, token: &str) -> String {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

/// How long the one-time code may take after the password.
const CODE_WITHIN: chrono::Duration = chrono::Duration::minutes(5);

/// The session waiting for its one-time code, and its account, if the cookie names one still
/// in time.
async fn pending(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Result<Option<(String, Account)>> {
    let Some(cookie) = crate::shared::cookies::cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let id = auth::sha256_hex(cookie);
    let mut r = state.store.reader().await?;
    let Some(s) = r.session(&id).await? else {
        return Ok(None);
    };
    if !s.second_factor_pending || s.created_at + CODE_WITHIN < now() {
        return Ok(None);
    }
    Ok(r.account(s.account_id).await?.map(|a| (id, a)))
}

pub async fn code_page(
    State(state): State<AppState>,
    MaybeViewer(v): MaybeViewer,
    lang: Lang,
    headers: axum::http::HeaderMap,
) -> Result<Response> {
    if v.is_some() {
        return Ok(see_other("/"));
    }
    if pending(&state, &headers).await?.is_none() {
        return Ok(see_other("/login"));
    }
    Ok(render(&CodePage {
        chrome: Chrome::new(lang, None),
        error: None,
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

/// The one-time code after the password: counted like a password, good once.
pub async fn code(
    State(state): State<AppState>,
    lang: Lang,
    Source(source): Source,
    headers: axum::http::HeaderMap,
    Form(f): Form<CodeForm>,
) -> Result<Response> {
    let Some((id, account)) = pending(&state, &headers).await? else {
        return Ok(see_other("/login"));
    };
    let refused = |status: StatusCode, error: String| -> Result<Response> {
        let page = CodePage {
            chrome: Chrome::new(lang, None),
            error: Some(error),
        };
        Ok((status, render(&page)?).into_response())
    };
    match login::check_code_gated(&state, &account, &source, &f.code, false).await? {
        Checked::Locked(until) => {
            return refused(
                StatusCode::TOO_MANY_REQUESTS,
                Error::Locked(until).message(lang),
            )
        }
        Checked::Wrong => {
            return refused(
                StatusCode::UNAUTHORIZED,
                Tr(lang).s("login.code_bad").into(),
            )
        }
        Checked::Right => {}
    }
    let mut w = state
        .store
        .write(&Actor::account(account.id, &account.username))
        .await?;
    w.complete_session(&id, account.id).await?;
    w.commit().await?;
    end_extra_sessions(&state, &account).await?;
    Ok(see_other("/"))
}

/// With a limit on concurrent sessions, a new login ends the account's oldest ones.
async fn end_extra_sessions(state: &AppState, account: &Account) -> Result<()> {
    let limit = state.config.max_sessions_per_account as usize;
    if limit == 0 {
        return Ok(());
    }
    let sessions = state.store.reader().await?.sessions_of(account.id).await?;
    if sessions.len() <= limit {
        return Ok(());
    }
    let mut w = state
        .store
        .write(&Actor::account(account.id, &account.username))
        .await?;
    for s in &sessions[limit..] {
        w.delete_session(&s.id, account.id).await?;
    }
    w.commit().await?;
    Ok(())
}

pub async fn logout(State(state): State<AppState>, v: Viewer) -> Result<Response> {
    if let Some(s) = &v.session {
        let mut w = state.store.write(&v.actor()).await?;
        w.delete_session(s, v.account.id).await?;
        w.commit().await?;
    }
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response())
}
