//! An account's own page (我的): its password and its API tokens.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use zeren_core::names;

use super::views::MePage;
use crate::shared::auth;
use crate::shared::error::Problems;
use crate::shared::extract::field;
use crate::shared::i18n::name_rule;
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;
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
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let t = Tr(lang);
    let mut problems = Problems::new();
    if !auth::verify_password(&v.account.password_hash, &field(&f, "current")) {
        problems.add("current", t.s("me.wrong_password"));
    }
    if let Err(e) = auth::check_password(&v.account.username, &field(&f, "password"), lang) {
        problems.add("password", e.message(lang));
    }
    if !problems.is_empty() {
        let refused = Refused::new("password", &[], problems);
        let page = page_model(&state, &v, lang, None, refused).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let hash = auth::hash_password(&field(&f, "password"))?;
    let mut w = state.store.write(&v.actor()).await?;
    w.set_password(v.account.id, &hash).await?;
    w.commit().await?;
    Ok(see_other("/login"))
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
