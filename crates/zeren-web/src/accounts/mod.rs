//! Accounts: first-run setup, signing in and out, the security administrator's accounts page,
//! and each account's own page with its password and API tokens.

mod admin;
mod me;
pub mod messages;
mod session;
mod setup;
mod views;

use axum::routing::{get, post};
use axum::Router;

use serde_json::json;

use crate::shared::apidoc::{s, *};
use crate::shared::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/setup", get(setup::page).post(setup::submit))
        .route("/login", get(session::page).post(session::login))
        .route("/login/code", get(session::code_page).post(session::code))
        .route("/logout", post(session::logout))
        .route("/accounts", get(admin::page).post(admin::create_form))
        .route("/accounts/people", get(admin::search_people))
        .route("/accounts/holders", post(admin::holders_form))
        .route("/accounts/{id}/person", post(admin::link_form))
        .route("/accounts/{id}/unlock", post(admin::unlock_form))
        .route("/accounts/sources/unlock", post(admin::unlock_source_form))
        .route("/accounts/{id}/password", post(admin::reset_password_form))
        .route("/accounts/{id}/active", post(admin::set_active_form))
        .route("/accounts/{id}/grants", post(admin::set_grant_form))
        .route("/grants/{id}/remove", post(admin::remove_grant_form))
        .route("/me", get(me::page))
        .route("/me/password", post(me::change_password_form))
        .route("/me/tokens", post(me::create_token_form))
        .route("/me/totp", post(me::start_totp_form))
        .route("/me/totp/confirm", post(me::confirm_totp_form))
        .route("/me/totp/remove", post(me::remove_totp_form))
        .route("/me/tokens/{id}/revoke", post(me::revoke_token_form))
}

pub fn api() -> ApiRouter {
    ApiRouter::new()
        .get("/me/tokens", me::tokens_json)
        .post("/me/tokens/{id}/revoke", me::revoke_token_json)
}

pub fn doc() -> ApiDoc {
    ApiDoc::new()
        .path("/me/tokens", "get", op("The caller's own API tokens (made on the 我的 page), oldest first, with expiry and last use", vec![], None, (200, json_body("OK", list("ApiToken"))), &[]))
        .path("/me/tokens/{id}/revoke", "post", op("Revoke one of the caller's own tokens (another's is not found); it stops working at once", vec![id_param()], None, (200, json_body("the token, revoked", r("ApiToken"))), &[]))
        .schema("ApiToken", object(&["id", "name", "created_at", "expires_at", "last_used_at", "revoked_at", "state"], json!({ "id": s::int(), "name": s::string(), "created_at": s::time(), "expires_at": { "type": ["string", "null"], "format": "date-time" }, "last_used_at": { "type": ["string", "null"], "format": "date-time", "description": "to the minute" }, "revoked_at": { "type": ["string", "null"], "format": "date-time" }, "state": s::one_of(&["active", "expired", "revoked"]) })))
}
