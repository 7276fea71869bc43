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

use crate::shared::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/setup", get(setup::page).post(setup::submit))
        .route("/login", get(session::page).post(session::login))
        .route("/logout", post(session::logout))
        .route("/accounts", get(admin::page).post(admin::create_form))
        .route("/accounts/people", get(admin::search_people))
        .route("/accounts/holders", post(admin::holders_form))
        .route("/accounts/{id}/person", post(admin::link_form))
        .route("/accounts/{id}/unlock", post(admin::unlock_form))
        .route("/accounts/{id}/password", post(admin::reset_password_form))
        .route("/accounts/{id}/active", post(admin::set_active_form))
        .route("/accounts/{id}/grants", post(admin::set_grant_form))
        .route("/grants/{id}/remove", post(admin::remove_grant_form))
        .route("/me", get(me::page))
        .route("/me/password", post(me::change_password_form))
        .route("/me/tokens", post(me::create_token_form))
        .route("/me/tokens/{id}/revoke", post(me::revoke_token_form))
}
