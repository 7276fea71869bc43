//! Zeren's web server: the HTML pages (askama + htmx), the JSON API under `/api/v1`, and the
//! security around both (sessions, CSRF, lockout, headers, permissions by unit subtree).
//!
//! `shared/` is the ground every feature stands on; each feature (`org/`, `accounts/`, `audit/`,
//! `work/`, `ledger/`, `reviews/`, `incidents/`, `oversight/`, `notify/`, `jobs/`, `assessment/`, `accountability/`) has its own folder with its routes, pages, API handlers and
//! messages, and never imports another feature. This file wires them together. See
//! `docs/architecture.md`.

mod accountability;
mod accounts;
mod assessment;
mod audit;
mod incidents;
mod jobs;
mod ledger;
mod notify;
pub mod openapi;
mod org;
mod oversight;
mod reviews;
mod runner;
mod security;
mod shared;
mod site;
mod work;

use std::net::SocketAddr;

use axum::routing::get;
use axum::Router;

use shared::apidoc::ApiRouter;
pub use shared::config::{self, Config};
pub use shared::error::Error;
pub use shared::robots::sync_config_robots;
pub use shared::state::{AppState, SETUP_DONE};
pub use shared::{auth, clock::today, context, i18n, limits, packs, secrets, totp};

/// Every feature's messages, installed once for the message catalogue.
static CATALOGUES: &[shared::i18n::Catalogue] = &[
    accountability::messages::MESSAGES,
    accounts::messages::MESSAGES,
    assessment::messages::MESSAGES,
    audit::messages::MESSAGES,
    incidents::messages::MESSAGES,
    jobs::messages::MESSAGES,
    ledger::messages::MESSAGES,
    notify::messages::MESSAGES,
    org::messages::MESSAGES,
    oversight::messages::MESSAGES,
    reviews::messages::MESSAGES,
    work::messages::MESSAGES,
];

/// The JSON API under `/api/v1`, every feature's routes.
pub(crate) fn api_router() -> ApiRouter {
    ApiRouter::new()
        .get("/openapi.json", openapi::document)
        .merge(accounts::api())
        .merge(org::api())
        .merge(audit::api())
        .merge(jobs::api())
        .merge(ledger::api())
        .merge(oversight::api())
        .merge(notify::api())
        .merge(reviews::api())
        .merge(incidents::api())
        .merge(assessment::api())
        .merge(accountability::api())
}

/// The whole application as a router.
pub fn router(state: AppState) -> Router {
    shared::i18n::install(CATALOGUES);
    let api = api_router().into_router().fallback(site::not_found);
    Router::new()
        .route("/", get(site::home))
        .route("/healthz", get(site::healthz))
        .route("/readyz", get(site::readyz))
        .route("/assets/{name}", get(shared::assets::serve))
        .route("/lang/{lang}", get(site::set_lang))
        .merge(accounts::routes())
        .merge(org::routes())
        .merge(audit::routes())
        .merge(jobs::routes())
        .merge(work::routes())
        .merge(ledger::routes())
        .merge(oversight::routes())
        .merge(notify::routes())
        .merge(reviews::routes())
        .merge(incidents::routes())
        .merge(assessment::routes())
        .merge(accountability::routes())
        .nest("/api/v1", api)
        .fallback(site::not_found)
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
    // Background work runs as jobs: each on one instance when several share the database.
    match runner::dead_jobs(&state.store).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(dead = n, "background jobs failed for good (dead letters)"),
        Err(e) => tracing::warn!(error = %e, "cannot count the dead letters"),
    }
    // The robots of zeren.toml, written before anything is sent.
    shared::robots::sync_config_robots(&state)
        .await
        .map_err(std::io::Error::other)?;
    let background = runner::start(state.clone());
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let r = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    for task in background {
        task.abort();
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every catalogue is sorted and no id is defined twice, across features.
    #[test]
    fn catalogues_are_sorted_and_disjoint() {
        let mut seen = std::collections::BTreeSet::new();
        for c in std::iter::once(shared::i18n::SHARED).chain(CATALOGUES.iter().copied()) {
            for w in c.windows(2) {
                assert!(w[0].0 < w[1].0, "not sorted: {} then {}", w[0].0, w[1].0);
            }
            for (id, zh, en) in c.iter() {
                assert!(seen.insert(*id), "{id} is defined twice");
                assert!(!zh.is_empty() || !en.is_empty(), "{id} is empty");
            }
        }
    }

    /// The crate's shape (docs/architecture.md): a feature imports from `shared` and from the
    /// domain crates, never from another feature or from the application's own modules; `shared`
    /// imports no feature, and its modules import one another without a cycle.
    #[test]
    fn features_meet_only_through_shared() {
        const FEATURES: &[&str] = &[
            "accountability",
            "accounts",
            "assessment",
            "audit",
            "incidents",
            "jobs",
            "ledger",
            "notify",
            "org",
            "oversight",
            "reviews",
            "work",
        ];
        const APP: &[&str] = &["site", "security", "openapi", "runner"];
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        // Code lines only: a comment may name anything.
        let code = |path: &std::path::Path| -> String {
            std::fs::read_to_string(path)
                .unwrap()
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let files = |dir: &str| -> Vec<std::path::PathBuf> {
            let mut v: Vec<_> = std::fs::read_dir(src.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            v.sort();
            v
        };
        let mut wrong = Vec::new();
        for feature in FEATURES.iter().chain(["shared"].iter()) {
            for f in files(feature) {
                let text = code(&f);
                for other in FEATURES.iter().chain(APP) {
                    if other != feature && text.contains(&format!("crate::{other}")) {
                        wrong.push(format!("{} imports crate::{other}", f.display()));
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
        // The shared modules' graph, by `super::x` and `crate::shared::x`.
        let shared = files("shared");
        let name = |p: &std::path::PathBuf| p.file_stem().unwrap().to_str().unwrap().to_string();
        let names: Vec<String> = shared.iter().map(name).filter(|n| n != "mod").collect();
        let deps: std::collections::BTreeMap<String, Vec<String>> = shared
            .iter()
            .filter(|p| name(p) != "mod")
            .map(|p| {
                let text = code(p);
                let d = names
                    .iter()
                    .filter(|n| **n != name(p))
                    .filter(|n| {
                        text.contains(&format!("super::{n}::"))
                            || text.contains(&format!("super::{n};"))
                            || text.contains(&format!("super::{n},"))
                            || text.contains(&format!("crate::shared::{n}"))
                    })
                    .cloned()
                    .collect();
                (name(p), d)
            })
            .collect();
        fn visit(
            n: &str,
            deps: &std::collections::BTreeMap<String, Vec<String>>,
            path: &mut Vec<String>,
            done: &mut std::collections::BTreeSet<String>,
        ) {
            if done.contains(n) {
                return;
            }
            if let Some(at) = path.iter().position(|p| p == n) {
                panic!("import cycle in shared: {:?} -> {n}", &path[at..]);
            }
            path.push(n.to_string());
            for d in &deps[n] {
                visit(d, deps, path, done);
            }
            path.pop();
            done.insert(n.to_string());
        }
        let mut done = std::collections::BTreeSet::new();
        for n in deps.keys() {
            visit(n, &deps, &mut Vec::new(), &mut done);
        }
    }

    /// Every message id used in a template or in the code is in a catalogue.
    #[test]
    fn every_message_used_exists() {
        shared::i18n::install(CATALOGUES);
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let p = entry.unwrap().path();
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    out.push(p);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        walk(&root.join("templates"), &mut files);
        walk(&root.join("src"), &mut files);
        let mut missing = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            // `t.s("id")` and `t.f("id", …)`.
            let pieces = text
                .split("s(\"")
                .skip(1)
                .chain(text.split(".f(\"").skip(1));
            for piece in pieces {
                let id = piece.split('"').next().unwrap();
                let looks_like_id = id.contains('.')
                    && id
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_');
                if looks_like_id && shared::i18n::lookup(id).is_none() {
                    missing.push(format!("{id} ({})", f.display()));
                }
            }
        }
        assert!(missing.is_empty(), "missing messages: {missing:?}");
    }
}
