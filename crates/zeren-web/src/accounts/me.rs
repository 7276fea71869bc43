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
use zeren_store::{AdminDuty, ApiToken, Read};

use crate::shared::totp;

/// How long a new token may live, in days; the form offers these, the default first.
pub const TOKEN_DAYS: &[i64] = &[90, 30, 180, 365];

/// A token as its owner sees it: when it was made, when it ends, when it was last used, and
/// whether it still works.
#[derive(serde::Serialize)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    /// `active`, `expired` or `revoked`.
    pub state: &'static str,
}

impl TokenView {
    fn of(t: ApiToken, now: chrono::DateTime<chrono::Utc>) -> TokenView {
        let state = if t.revoked_at.is_some() {
            "revoked"
        } else if t.usable_at(now) {
            "active"
        } else {
            "expired"
        };
        TokenView {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
            state,
        }
    }
}

/// The account's one-time codes as its page shows them.
pub struct TotpView {
    pub confirmed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub secret: Option<String>,
    pub uri: Option<String>,
}

/// Whether this account must use one-time codes (an administrator, when configured).
fn totp_required(state: &AppState, v: &Viewer) -> bool {
    state.config.totp_for_administrators && v.duty() != AdminDuty::None
}

/// The viewer's own tokens, oldest first.
async fn tokens(state: &AppState, v: &Viewer) -> Result<Vec<TokenView>> {
    let now = zeren_store::now();
    Ok(state
        .store
        .reader()
        .await?
        .tokens_of(v.account.id)
        .await?
        .into_iter()
        .map(|t| TokenView::of(t, now))
        .collect())
}

async fn page_model(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    new_token: Option<String>,
    refused: Refused,
) -> Result<Html<String>> {
    let password_expired = v
        .account
        .password_expired(zeren_store::now(), state.config.password_max_age());
    let totp = state
        .store
        .reader()
        .await?
        .totp(v.account.id)
        .await?
        .map(|t| {
            // The secret is shown while it is being set up, never once it is in force.
            let secret = t
                .confirmed_at
                .is_none()
                .then(|| crate::shared::secrets::open_totp(state.seal_key(), &t.secret))
                .flatten();
            TotpView {
                confirmed_at: t.confirmed_at,
                uri: secret
                    .as_deref()
                    .map(|s| totp::otpauth_uri("Zeren", &v.account.username, s)),
                secret,
            }
        });
    render(&MePage {
        chrome: Chrome::new(lang, Some(v)),
        account: v.account.clone(),
        password_expired,
        totp,
        totp_required: totp_required(state, v),
        tokens: tokens(state, v).await?,
        token_days: TOKEN_DAYS,
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
        true,
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
    let t = Tr(lang);
    let mut problems = Problems::new();
    let name = names::token_name(&field(&f, "name"))
        .map_err(|r| problems.add("name", t.s(name_rule(r))))
        .ok();
    // Not chosen: the default; chosen, one of those offered.
    let days = match field(&f, "days").trim() {
        "" => Some(TOKEN_DAYS[0]),
        d => d.parse::<i64>().ok().filter(|d| TOKEN_DAYS.contains(d)),
    };
    if days.is_none() {
        problems.add("days", t.s("me.token_days_pick"));
    }
    let (Some(name), Some(days), true) = (name, days, problems.is_empty()) else {
        let refused = Refused::new("token", &f, problems);
        let page = page_model(&state, &v, lang, None, refused).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let token = format!("zrn_{}", auth::random_token());
    let expires = zeren_store::now() + chrono::Duration::days(days);
    let mut w = state.store.write(&v.actor()).await?;
    w.create_token_with_expiry(
        v.account.id,
        &name,
        &auth::sha256_hex(&token),
        Some(expires),
    )
    .await?;
    w.commit().await?;
    Ok(
        page_model(&state, &v, lang, Some(token), Refused::default())
            .await?
            .into_response(),
    )
}

/// The owner revokes one of their tokens (another's is not found).
async fn revoke(state: &AppState, v: &Viewer, id: i64) -> Result<()> {
    let mut w = state.store.write(&v.actor()).await?;
    w.revoke_token(v.account.id, id).await?;
    w.commit().await?;
    Ok(())
}

pub async fn revoke_token_form(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    revoke(&state, &v, id).await?;
    Ok(see_other("/me"))
}

pub async fn tokens_json(
    State(state): State<AppState>,
    v: Viewer,
) -> Result<axum::Json<Vec<TokenView>>> {
    Ok(axum::Json(tokens(&state, &v).await?))
}

pub async fn revoke_token_json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<axum::Json<TokenView>> {
    revoke(&state, &v, id).await?;
    tokens(&state, &v)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .map(axum::Json)
        .ok_or(Error::NotFound)
}

async fn refused_totp(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    status: StatusCode,
    problems: Problems,
) -> Result<Response> {
    let mut refused = Refused::new("totp", &[], problems);
    refused.status = status;
    let page = page_model(state, v, lang, None, refused).await?;
    Ok((status, page).into_response())
}

/// Begin setting up one-time codes: a new secret, shown on the page until a code confirms it.
/// Codes in force are not replaced (they are removed first, with a code).
pub async fn start_totp_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
) -> Result<Response> {
    let current = state.store.reader().await?.totp(v.account.id).await?;
    if current.is_some_and(|t| t.confirmed_at.is_some()) {
        let p = Problems::one("", Tr(lang).s("me.totp_in_force"));
        return refused_totp(&state, &v, lang, StatusCode::CONFLICT, p).await;
    }
    let mut w = state.store.write(&v.actor()).await?;
    let sealed = crate::shared::secrets::seal_totp(state.seal_key(), &totp::new_secret());
    w.set_totp_secret(v.account.id, &sealed).await?;
    w.commit().await?;
    Ok(see_other("/me#totp"))
}

/// A code from the app proves it was set up: codes are asked at every login from now on.
pub async fn confirm_totp_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Source(source): Source,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let pending = state.store.reader().await?.totp(v.account.id).await?;
    if pending.is_none_or(|t| t.confirmed_at.is_some()) {
        let p = Problems::one("", Tr(lang).s("me.totp_not_started"));
        return refused_totp(&state, &v, lang, StatusCode::CONFLICT, p).await;
    }
    match login::check_code_gated(&state, &v.account, &source, &field(&f, "code"), true).await? {
        Checked::Right => {}
        Checked::Wrong => {
            let p = Problems::one("code", Tr(lang).s("me.totp_code_bad"));
            return refused_totp(&state, &v, lang, StatusCode::UNPROCESSABLE_ENTITY, p).await;
        }
        Checked::Locked(until) => {
            let p = Problems::one("code", Error::Locked(until).message(lang));
            return refused_totp(&state, &v, lang, StatusCode::TOO_MANY_REQUESTS, p).await;
        }
    }
    let mut w = state.store.write(&v.actor()).await?;
    w.confirm_totp(v.account.id).await?;
    w.commit().await?;
    Ok(see_other("/me#totp"))
}

/// Stop using one-time codes, proved with a current code; not for an account that must use them.
pub async fn remove_totp_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Source(source): Source,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    if totp_required(&state, &v) {
        return Err(Error::Denied(Tr(lang).s("me.totp_required").into()));
    }
    let current = state.store.reader().await?.totp(v.account.id).await?;
    match current {
        None => {}
        // Not yet in force: nothing to prove.
        Some(t) if t.confirmed_at.is_none() => {}
        Some(_) => {
            match login::check_code_gated(&state, &v.account, &source, &field(&f, "code"), false)
                .await?
            {
                Checked::Right => {}
                Checked::Wrong => {
                    let p = Problems::one("code", Tr(lang).s("me.totp_code_bad"));
                    return refused_totp(&state, &v, lang, StatusCode::UNPROCESSABLE_ENTITY, p)
                        .await;
                }
                Checked::Locked(until) => {
                    let p = Problems::one("code", Error::Locked(until).message(lang));
                    return refused_totp(&state, &v, lang, StatusCode::TOO_MANY_REQUESTS, p).await;
                }
            }
        }
    }
    let mut w = state.store.write(&v.actor()).await?;
    w.remove_totp(v.account.id).await?;
    w.commit().await?;
    Ok(see_other("/me#totp"))
}
