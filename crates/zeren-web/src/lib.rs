//! Zeren's web server: the HTML pages (askama + htmx), the JSON API under `/api/v1`, and the
//! security around both (sessions, CSRF, lockout, headers, permissions by unit subtree).
//! A route parses its input, checks access, calls the store, renders; rules live elsewhere.

pub mod access;
mod api;
mod assets;
pub mod auth;
pub mod config;
pub mod error;
mod extract;
pub mod i18n;
pub mod ledger;
mod ledger_api;
pub mod openapi;
pub mod org;
pub mod packs;
mod pages;
pub mod reviews;
mod reviews_api;
pub mod roster;
mod security;
mod view;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use zeren_store::{Read, Store};

pub use config::Config;
pub use error::Error;

/// Everything a request handler needs.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    /// Once setup is done it stays done; until then every request asks the database, since
    /// another instance may finish it.
    setup: Arc<AtomicBool>,
    /// Wakes the materialiser after a change that alters obligations (a policy installed, a role
    /// given or ended), so they appear at once rather than at the next hourly run.
    materialise: Arc<tokio::sync::Notify>,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
            setup: Arc::new(AtomicBool::new(false)),
            materialise: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Obligations may have changed: materialise soon.
    pub fn obligations_changed(&self) {
        self.materialise.notify_one();
    }

    pub async fn setup_done(&self) -> Result<bool, Error> {
        if self.setup.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let mut r = self.store.reader().await?;
        let done = r.setting(SETUP_DONE).await?.is_some();
        if done {
            self.setup.store(true, Ordering::Relaxed);
        }
        Ok(done)
    }
}

/// The settings key written when first-run setup completes.
pub const SETUP_DONE: &str = "setup_done";

/// The whole application as a router.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/units", get(api::units).post(api::create_unit))
        .route("/units/{id}", get(api::unit))
        .route("/people", get(api::people).post(api::create_person))
        .route("/people/{id}", get(api::person))
        .route(
            "/assignments",
            get(api::assignments).post(api::create_assignment),
        )
        .route("/assignments/{id}/end", post(api::end_assignment))
        .route("/policies", get(api::policies).post(api::install_policy))
        .route("/bodies", get(api::bodies))
        .route("/units/{id}/roster", post(api::import_roster))
        .route("/audit", get(api::audit))
        .route("/audit/verify", get(api::audit_verify))
        .route("/obligations", get(ledger_api::obligations))
        .route("/obligations/{id}", get(ledger_api::obligation))
        .route("/obligations/{id}/records", post(ledger_api::create_record))
        .route("/records/{id}", get(ledger_api::record))
        .route("/records/{id}/versions", post(ledger_api::correct_record))
        .route("/records/{id}/acknowledge", post(ledger_api::acknowledge))
        .route("/units/{id}/ledger.xlsx", get(ledger::ledger_xlsx))
        .route("/units/{id}/ledger.docx", get(ledger::ledger_docx))
        .route("/units/{id}/evidence.zip", get(ledger::evidence_zip))
        .route("/records/{id}/record.docx", get(ledger::record_docx))
        .route(
            "/channels",
            get(reviews_api::channels).post(reviews_api::create_channel),
        )
        .route(
            "/reviews",
            get(reviews_api::items).post(reviews_api::create_item),
        )
        .route("/reviews/{id}", get(reviews_api::item))
        .route("/reviews/{id}/versions", post(reviews_api::add_version))
        .route("/reviews/{id}/decisions", post(reviews_api::decide))
        .route("/reviews/{id}/withdraw", post(reviews_api::withdraw))
        .route("/reviews/{id}/publish", post(reviews_api::publish))
        .route(
            "/reviews/{id}/risk-assessments",
            post(reviews_api::add_risk),
        )
        .route(
            "/reviews/{id}/registration.docx",
            get(reviews::registration_docx),
        )
        .fallback(api::not_found);

    Router::new()
        .route("/", get(pages::home))
        .route("/healthz", get(pages::healthz))
        .route("/readyz", get(pages::readyz))
        .route("/assets/{name}", get(assets::serve))
        .route("/lang/{lang}", get(pages::set_lang))
        .route("/setup", get(pages::setup_form).post(pages::setup))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/units", get(pages::units))
        .route("/units/{id}", get(pages::unit))
        .route("/units/{id}/children", post(pages::create_child))
        .route("/units/{id}/edit", post(pages::update_unit))
        .route("/units/{id}/people", post(pages::create_person))
        .route("/units/{id}/assignments", post(pages::create_assignment))
        .route(
            "/units/{id}/import",
            get(pages::import_form).post(pages::import),
        )
        .route(
            "/units/{id}/policy",
            get(pages::policy_page).post(pages::install_policy),
        )
        .route("/units/{id}/policy/preview", post(pages::preview_policy))
        .route("/units/{id}/bodies/sync", post(pages::sync_bodies))
        .route("/assignments/{id}/end", post(pages::end_assignment))
        .route("/bodies/{id}/members", post(pages::add_body_member))
        .route("/people/{id}", get(pages::person))
        .route("/roster/template.xlsx", get(pages::template_xlsx))
        .route("/roster/template.csv", get(pages::template_csv))
        .route(
            "/accounts",
            get(pages::accounts).post(pages::create_account),
        )
        .route("/accounts/{id}/unlock", post(pages::unlock_account))
        .route("/accounts/{id}/password", post(pages::reset_password))
        .route("/accounts/{id}/active", post(pages::set_active))
        .route("/accounts/{id}/grants", post(pages::set_grant))
        .route("/grants/{id}/remove", post(pages::remove_grant))
        .route("/me", get(pages::me))
        .route("/me/password", post(pages::change_password))
        .route("/me/tokens", post(pages::create_token))
        .route("/me/tokens/{id}/revoke", post(pages::revoke_token))
        .route("/audit", get(pages::audit))
        .merge(ledger::routes())
        .merge(reviews::routes())
        .nest("/api/v1", api)
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::guard,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(
            state.config.upload_limit_bytes(),
        ))
        .with_state(state)
}

/// Serve until `shutdown` resolves, then finish the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = state.store.clone();
    let idle = state.config.session_idle();
    // Expired sessions are removed in the background; any instance may do it.
    let sweeper = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(300)).await;
            let cutoff = zeren_store::now() - idle;
            if let Err(e) = store.delete_idle_sessions(cutoff).await {
                tracing::warn!(error = %e, "could not remove idle sessions");
            }
        }
    });
    // Obligations for the current period and the next, now and every hour after; idempotent, so
    // every instance may run it.
    let (store2, data) = (state.store.clone(), state.config.data.clone());
    let wake = state.materialise.clone();
    let materialiser = tokio::spawn(async move {
        loop {
            match zeren_policy::calendar::WorkCalendar::with_imported(&data.join("calendar")) {
                Ok(cal) => {
                    match zeren_store::materialise::materialise_all(&store2, ledger::today(), &cal)
                        .await
                    {
                        Ok(r) if r.created + r.removed > 0 => {
                            tracing::info!(
                                created = r.created,
                                removed = r.removed,
                                "obligations materialised"
                            )
                        }
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "could not materialise obligations"),
                    }
                    if let Err(e) =
                        reviews::materialise_channel_reviews(&store2, ledger::today()).await
                    {
                        tracing::warn!(error = %e, "could not materialise channel reviews");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "calendar files unreadable"),
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
                _ = wake.notified() => {}
            }
        }
    });
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let r = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    sweeper.abort();
    materialiser.abort();
    r
}
