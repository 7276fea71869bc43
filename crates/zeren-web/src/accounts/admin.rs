//! The security administrator's page (安全管理员): accounts, their grants at units, lockouts,
//! password resets, enabling and disabling.

use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use zeren_store::*;
// Named, so that the store's Error and Result do not shadow the web layer's.
use crate::shared::error::{Error, Result};

use super::setup::valid_username;
use super::views::*;
use crate::shared::auth;
use crate::shared::prelude::*;

async fn page_model(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    error: Option<String>,
) -> Result<AccountsPage> {
    let mut r = state.store.reader().await?;
    let since = now() - state.config.lockout_window();
    let mut rows = Vec::new();
    for a in r.accounts().await? {
        let person = match a.person_id {
            Some(p) => r.person(p).await?.map(|p| p.name),
            None => None,
        };
        let mut grants = Vec::new();
        for g in r.grants_of(a.id).await? {
            let unit_name = r.unit(g.unit_id).await?.map(|u| u.name).unwrap_or_default();
            grants.push(GrantView {
                id: g.id,
                unit_name,
                level_key: level_key(&g.level),
            });
        }
        rows.push(AccountRow {
            locked: r.login_failures_since(&a.username, since).await?
                >= state.config.lockout_failures,
            duty_key: duty_key(a.duty()),
            can_hold_grants: matches!(a.duty(), AdminDuty::None | AdminDuty::System),
            person,
            grants,
            account: a,
        });
    }
    let mut units = Vec::new();
    for root in r.root_units().await? {
        units.extend(r.subtree(root.id).await?);
    }
    Ok(AccountsPage {
        chrome: Chrome::new(lang, Some(v)),
        accounts: rows,
        units,
        error,
    })
}

pub async fn page(State(state): State<AppState>, v: Viewer, lang: Lang) -> Result<Html<String>> {
    v.require_duty(AdminDuty::Security)?;
    render(&page_model(&state, &v, lang, None).await?)
}

#[derive(Deserialize)]
pub struct NewAccountForm {
    username: String,
    password: String,
    person_id: Option<String>,
}

pub async fn create_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Form(f): Form<NewAccountForm>,
) -> Result<Response> {
    v.require_duty(AdminDuty::Security)?;
    let username = f.username.trim().to_string();
    let outcome = async {
        if !valid_username(&username) {
            return Err(Error::Invalid(format!(
                "{}：{username}？",
                Tr(lang).s("field.username")
            )));
        }
        auth::check_password(&username, &f.password, lang)?;
        let person_id = match f
            .person_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(p) => {
                let id: i64 = p.parse().map_err(|_| Error::Invalid(format!("{p}？")))?;
                state
                    .store
                    .reader()
                    .await?
                    .person(id)
                    .await?
                    .ok_or(Error::NotFound)?;
                Some(id)
            }
            None => None,
        };
        let hash = auth::hash_password(&f.password)?;
        let mut w = state.store.write(&v.actor()).await?;
        w.create_account(&username, person_id, &hash, AdminDuty::None)
            .await
            .map_err(|e| match e {
                zeren_store::Error::Conflict(_) => {
                    Error::Conflict(Tr(lang).s("accounts.taken").into())
                }
                e => e.into(),
            })?;
        w.commit().await?;
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => Ok(see_other("/accounts")),
        Err(e @ (Error::Invalid(_) | Error::Conflict(_) | Error::NotFound)) => {
            let status = e.status_code();
            Ok((
                status,
                render(&page_model(&state, &v, lang, Some(e.message(lang))).await?)?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

/// An account the viewer may manage: the security administrator's only.
async fn load(state: &AppState, v: &Viewer, id: i64) -> Result<Account> {
    v.require_duty(AdminDuty::Security)?;
    state
        .store
        .reader()
        .await?
        .account(id)
        .await?
        .ok_or(Error::NotFound)
}

pub async fn unlock_form(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    let a = load(&state, &v, id).await?;
    let mut w = state.store.write(&v.actor()).await?;
    w.clear_login_failures(&a.username).await?;
    w.commit().await?;
    Ok(see_other("/accounts"))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    password: String,
}

pub async fn reset_password_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<PasswordForm>,
) -> Result<Response> {
    let a = load(&state, &v, id).await?;
    auth::check_password(&a.username, &f.password, lang)?;
    let hash = auth::hash_password(&f.password)?;
    let mut w = state.store.write(&v.actor()).await?;
    w.set_password(id, &hash).await?;
    w.commit().await?;
    Ok(see_other("/accounts"))
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: bool,
}

pub async fn set_active_form(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<ActiveForm>,
) -> Result<Response> {
    load(&state, &v, id).await?;
    if id == v.account.id {
        return Err(Error::Forbidden);
    }
    let mut w = state.store.write(&v.actor()).await?;
    w.set_account_active(id, f.active).await?;
    w.commit().await?;
    Ok(see_other("/accounts"))
}

#[derive(Deserialize)]
pub struct GrantForm {
    unit_id: i64,
    level: String,
}

pub async fn set_grant_form(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<GrantForm>,
) -> Result<Response> {
    load(&state, &v, id).await?;
    state
        .store
        .reader()
        .await?
        .unit(f.unit_id)
        .await?
        .ok_or(Error::NotFound)?;
    let level = Level::parse(&f.level).ok_or_else(|| Error::Invalid(f.level.clone()))?;
    let mut w = state.store.write(&v.actor()).await?;
    w.set_grant(id, f.unit_id, level).await?;
    w.commit().await?;
    Ok(see_other("/accounts"))
}

pub async fn remove_grant_form(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    v.require_duty(AdminDuty::Security)?;
    let mut w = state.store.write(&v.actor()).await?;
    w.remove_grant(id).await?;
    w.commit().await?;
    Ok(see_other("/accounts"))
}
