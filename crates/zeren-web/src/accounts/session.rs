//! Signing in and out: lockout after repeated failures, a session cookie with its CSRF token.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use zeren_store::*;
// Named, so that the store's Error and Result do not shadow the web layer's.
use crate::shared::error::{Error, Result};

use super::views::LoginPage;
use crate::shared::auth;
use crate::shared::context::SESSION_COOKIE;
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
    Form(f): Form<LoginForm>,
) -> Result<Response> {
    let t = Tr(lang);
    let username = f.username.trim().to_string();
    let mut r = state.store.reader().await?;
    let since = now() - state.config.lockout_window();
    // Locked accounts are refused before the password is even checked.
    if r.login_failures_since(&username, since).await? >= state.config.lockout_failures {
        // The page again, the name kept, the reason said.
        let page = LoginPage {
            chrome: Chrome::new(lang, None),
            error: Some(Error::Locked.message(lang)),
            username,
        };
        return Ok((StatusCode::TOO_MANY_REQUESTS, render(&page)?).into_response());
    }
    let account = r.account_by_username(&username).await?;
    drop(r);
    let ok = match &account {
        Some(a) => auth::verify_password(&a.password_hash, &f.password) && a.active,
        None => {
            auth::verify_password(auth::dummy_hash(), &f.password);
            false
        }
    };
    let Some(account) = account.filter(|_| ok) else {
        let anonymous = Actor {
            account_id: None,
            name: "anonymous".into(),
        };
        let mut w = state.store.write(&anonymous).await?;
        w.record_login_failure(&username).await?;
        w.commit().await?;
        let page = LoginPage {
            chrome: Chrome::new(lang, None),
            error: Some(t.s("login.bad").into()),
            username,
        };
        return Ok((StatusCode::UNAUTHORIZED, render(&page)?).into_response());
    };
    let token = auth::random_token();
    let mut w = state
        .store
        .write(&Actor::account(account.id, &account.username))
        .await?;
    w.clear_login_failures(&username).await?;
    w.create_session(&auth::sha256_hex(&token), account.id, &auth::random_token())
        .await?;
    w.commit().await?;
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}");
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
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
