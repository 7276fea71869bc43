//! An account's own page (我的): its password and its API tokens.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use zeren_core::names;

use super::views::MePage;
use crate::shared::auth;
use crate::shared::context::Source;
use crate::shared::error::Problems;
use crate::shared::extract::field;
use crate::shared::i18n::name_rule;
use crate::shared::login::{self, Checked};
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;
use zeren_store::auth::AuthRead;
use zeren_store::Read;

async fn page_model(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    new_token: Option<String>,
    refused: Refused,
) -> Result<Html<String>> {
    let tokens = state.store.reader().await?.tokens_of(v.account.id).await?;
    render(&MePage {
        chrome: Chrome::new(lang, Some(v)),
        account: v.account.clone(),
        tokens,
        new_token,
        refused,
    })
}

pub async fn page(State(state): State<AppState>, v: Viewer, lang: Lang) -> Result<Html<String>> {
    page_model(&state, &v, lang, None, Refused::default()).await
}

pub async fn change_password_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Source(source): Source,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let t = Tr(lang);
    let mut problems = Problems::new();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let new = field(&f, "password");
    // The current password is checked as a login is: counted first, refused while locked.
    match login::check_gated(
        &state,
        &v.account.username,
        &source,
        Some(&v.account),
        &field(&f, "current"),
    )
    .await?
    {
        Checked::Right => {}
        Checked::Wrong => problems.add("current", t.s("me.wrong_password")),
        Checked::Locked(until) => {
            problems.add("current", Error::Locked(until).message(lang));
            status = StatusCode::TOO_MANY_REQUESTS;
        }
    }
    if let Err(e) = auth::check_password(&v.account.username, &new, lang) {
        problems.add("password", e.message(lang));
    } else if problems.is_empty() && reused(&state, v.account.id, &new).await? {
        problems.add(
            "password",
            t.f(
                "me.password_reused",
                &[("n", &zeren_store::auth::PASSWORD_HISTORY.to_string())],
            ),
        );
    }
    if !problems.is_empty() {
        let mut refused = Refused::new("password", &[], problems);
        refused.status = status;
        let page = page_model(&state, &v, lang, None, refused).await?;
        return Ok((status, page).into_response());
    }
    let hash = auth::hash_password(&new)?;
    let mut w = state.store.write(&v.actor()).await?;
    w.change_password(v.account.id, &hash).await?;
    w.commit().await?;
    Ok(see_other("/login"))
}

/// Whether `password` is the current one or one of the last few (history of
/// [`zeren_store::auth::PASSWORD_HISTORY`]).
async fn reused(state: &AppState, account_id: i64, password: &str) -> Result<bool> {
    let hashes = state
        .store
        .reader()
        .await?
        .recent_password_hashes(account_id, zeren_store::auth::PASSWORD_HISTORY)
        .await?;
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hashes.iter().any(|h| auth::verify_password(h, &password)))
        .await
        .map_err(|e| Error::Internal(format!("password history: {e}")))
}

pub async fn create_token_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let name = match names::token_name(&field(&f, "name")) {
        Ok(n) => n,
        Err(r) => {
            let refused =
                Refused::new("token", &f, Problems::one("name", Tr(lang).s(name_rule(r))));
            let page = page_model(&state, &v, lang, None, refused).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let token = format!("zrn_{}", auth::random_token());
    let mut w = state.store.write(&v.actor()).await?;
    w.create_token(v.account.id, &name, &auth::sha256_hex(&token))
        .await?;
    w.commit().await?;
    Ok(
        page_model(&state, &v, lang, Some(token), Refused::default())
            .await?
            .into_response(),
    )
}

pub async fn revoke_token_form(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    let mut w = state.store.write(&v.actor()).await?;
    w.revoke_token(v.account.id, id).await?;
    w.commit().await?;
    Ok(see_other("/me"))
}
