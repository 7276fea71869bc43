//! The site's own routes: the home page sends each account where it starts, health and
//! readiness for the load balancer, the language switch, and the answer for unknown paths.

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use zeren_store::AdminDuty;

use crate::shared::prelude::*;

pub async fn home(State(state): State<AppState>, MaybeViewer(v): MaybeViewer) -> Result<Response> {
    let Some(v) = v else {
        return Ok(see_other("/login"));
    };
    Ok(match v.duty() {
        AdminDuty::Security => see_other("/accounts"),
        AdminDuty::Audit => see_other("/audit"),
        AdminDuty::System => match access::roots(&state.store, &v).await?.as_slice() {
            [one] => see_other(&format!("/units/{}", one.id)),
            _ => see_other("/units"),
        },
        // Everyone else starts from what is due (我的工作).
        AdminDuty::None => see_other("/work"),
    })
}

pub async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database takes writes (a full disk or a read-only database is not ready,
/// even if it still answers reads).
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.writable().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

pub async fn set_lang(Path(lang): Path<String>, headers: HeaderMap) -> Response {
    let value = if lang == "en" { "en" } else { "zh" };
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| {
            let host = headers.get(header::HOST)?.to_str().ok()?;
            let rest = r.split_once("://")?.1;
            let (h, path) = rest.split_once('/').unwrap_or((rest, ""));
            (h == host).then(|| format!("/{path}"))
        })
        // Only a path of this site: `//evil.example` or `/\evil.example` would leave it.
        .filter(|p| !p.starts_with("//") && !p.starts_with("/\\"))
        .unwrap_or_else(|| "/".into());
    let cookie = format!("zeren_lang={value}; Path=/; Max-Age=31536000; SameSite=Lax");
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}

pub async fn not_found() -> Error {
    Error::NotFound
}
