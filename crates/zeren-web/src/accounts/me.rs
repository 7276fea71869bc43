//! An account's own page (我的): its password and its API tokens.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::views::MePage;
use crate::shared::auth;
use crate::shared::prelude::*;
use zeren_store::Read;

async fn page_model(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    new_token: Option<String>,
    error: Option<String>,
) -> Result<Html<String>> {
    let tokens = state.store.reader().await?.tokens_of(v.account.id).await?;
    render(&MePage {
        chrome: Chrome::new(lang, Some(v)),
        account: v.account.clone(),
        tokens,
        new_token,
        error,
    })
}

pub async fn page(State(state): State<AppState>, v: Viewer, lang: Lang) -> Result<Html<String>> {
    page_model(&state, &v, lang, None, None).await
}

#[derive(Deserialize)]
pub struct ChangePasswordForm {
    current: String,
    password: String,
}

pub async fn change_password_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Form(f): Form<ChangePasswordForm>,
) -> Result<Response> {
    let t = Tr(lang);
    if !auth::verify_password(&v.account.password_hash, &f.current) {
        let page = page_model(
            &state,
            &v,
            lang,
            None,
            Some(t.s("me.wrong_password").into()),
        );
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page.await?).into_response());
    }
    if let Err(e) = auth::check_password(&v.account.username, &f.password, lang) {
        let page = page_model(&state, &v, lang, None, Some(e.message(lang)));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page.await?).into_response());
    }
    let hash = auth::hash_password(&f.password)?;
    let mut w = state.store.write(&v.actor()).await?;
    w.set_password(v.account.id, &hash).await?;
    w.commit().await?;
    Ok(see_other("/login"))
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

pub async fn create_token_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Form(f): Form<TokenForm>,
) -> Result<Html<String>> {
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::Invalid(Tr(lang).s("me.token_name").into()));
    }
    let token = format!("zrn_{}", auth::random_token());
    let mut w = state.store.write(&v.actor()).await?;
    w.create_token(v.account.id, name, &auth::sha256_hex(&token))
        .await?;
    w.commit().await?;
    page_model(&state, &v, lang, Some(token), None).await
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
