//! The middleware every request passes: language, who is asking (session cookie or Bearer
//! token, with the idle timeout), the first-run gate, the Origin and CSRF checks on every
//! state-changing request, the rendering of errors, and the security headers.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde_json::json;
use zeren_store::access_log::Access;
use zeren_store::Read;

use crate::shared::auth;
use crate::shared::context::{Viewer, SESSION_COOKIE};
use crate::shared::cookies::cookie;
use crate::shared::error::Error;
use crate::shared::i18n::Lang;
use crate::shared::limits;
use crate::shared::state::AppState;
use crate::shared::view;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// Paths that work before setup is done.
fn open_before_setup(path: &str) -> bool {
    path == "/setup"
        || path == "/healthz"
        || path == "/readyz"
        || path.starts_with("/assets/")
        || path.starts_with("/lang/")
}

pub async fn guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let lang = Lang::from_headers(req.headers());
    req.extensions_mut().insert(lang);
    let path = req.uri().path().to_string();
    // A calendar feed's URL carries its secret: never write it to the log.
    let logged = if path.starts_with("/calendar/") {
        "/calendar/…".to_string()
    } else {
        path.clone()
    };
    let method = req.method().clone();
    let query = req.uri().query().map(str::to_string);
    let api = path.starts_with("/api/");
    let mut who = None;
    let resp = match check(&state, req, &path, &mut who).await {
        Ok(req) => {
            // An expensive read waits for its account's turn (or is refused when too many wait).
            let account = who.as_ref().and_then(|a: &zeren_store::Actor| a.account_id);
            match account.filter(|_| method == Method::GET && limits::expensive(&path)) {
                Some(id) => match state.limits().turn(limits::Client(id)).await {
                    Ok(_turn) => next.run(req).await,
                    Err(limits::Busy) => Error::Busy.into_response(),
                },
                None => next.run(req).await,
            }
        }
        Err(e) => e.into_response(),
    };
    let account = who.as_ref().and_then(|a: &zeren_store::Actor| a.account_id);
    if let Some(seen) = audited(&resp, method.as_str(), &path) {
        audit_access(&state, who, seen, method.as_str(), &path, query.as_deref()).await;
    }
    let resp = finish(resp, lang, api);
    // One structured line per request; never the query string (it may carry a CSRF token).
    tracing::info!(
        method = %method,
        path = %logged,
        status = resp.status().as_u16(),
        account,
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    resp
}

/// What a successful GET of `path` reads that the audit log must show: the audit log itself,
/// or an export or download carrying personal data.
fn audited_read(path: &str) -> Option<Access> {
    let p = path.strip_prefix("/api/v1").unwrap_or(path);
    let segments: Vec<&str> = p.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["audit"] | ["audit", "verify"] => Some(Access::AuditRead),
        ["units", _, "ledger.xlsx" | "ledger.docx" | "evidence.zip"]
        | ["records", _, "record.docx"]
        | ["records", _, "files", ..] => Some(Access::Export),
        // The people as data (full identity numbers), not the pages (which mask them).
        ["people"] | ["people", _] if path.starts_with("/api/") => Some(Access::Export),
        _ => None,
    }
}

/// Whether the answer is one the audit log shows: a refusal (403, CSRF) or a read
/// [`audited_read`] names. With the status and, for a refusal, its reason.
fn audited(
    resp: &Response,
    method: &str,
    path: &str,
) -> Option<(Access, Option<&'static str>, u16)> {
    let status = resp.status().as_u16();
    match resp.extensions().get::<Error>() {
        Some(Error::Forbidden | Error::Denied(_)) => {
            Some((Access::Refused, Some("forbidden"), status))
        }
        Some(Error::Csrf) => Some((Access::Refused, Some("csrf"), status)),
        _ if method == "GET" && resp.status().is_success() => {
            audited_read(path).map(|a| (a, None, status))
        }
        _ => None,
    }
}

/// Write the audit entry of a request [`audited`] picked. A failure to write one is logged;
/// the answer still goes out.
async fn audit_access(
    state: &AppState,
    who: Option<zeren_store::Actor>,
    (access, reason, status): (Access, Option<&'static str>, u16),
    method: &str,
    path: &str,
    query: Option<&str>,
) {
    let actor = who.unwrap_or(zeren_store::Actor {
        account_id: None,
        name: "anonymous".into(),
    });
    // A calendar feed's URL carries its secret: never into the log.
    let path = if path.starts_with("/calendar/") {
        "/calendar/…"
    } else {
        path
    };
    let request = zeren_store::access_log::Request {
        access,
        method,
        path,
        query: query.filter(|_| access == Access::AuditRead),
        status,
        reason,
    };
    if let Err(e) = state.store.record_access(&actor, &request).await {
        tracing::warn!(error = %e, path, "could not audit the request");
    }
}

async fn check(
    state: &AppState,
    mut req: Request,
    path: &str,
    who: &mut Option<zeren_store::Actor>,
) -> Result<Request, Error> {
    if !open_before_setup(path) && !state.setup_done().await? {
        return Err(Error::Setup(false));
    }
    let bearer = bearer(req.headers());
    let viewer = match &bearer {
        Some(token) => Some(
            token_viewer(state, token)
                .await?
                .ok_or(Error::Unauthenticated)?,
        ),
        None => session_viewer(state, req.headers()).await?,
    };
    *who = viewer.as_ref().map(Viewer::actor);
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // An API call without credentials is unauthenticated, whatever else is wrong with it.
    if viewer.is_none() && path.starts_with("/api/") && path != "/api/v1/openapi.json" {
        return Err(Error::Unauthenticated);
    }
    if changes_state && bearer.is_none() {
        // A token is never sent by a browser on its own; cookies are, so cookie-borne
        // requests must come from our own pages and carry the session's CSRF token.
        check_origin(req.headers())?;
        if let Some(v) = &viewer {
            let (token, r) = csrf_token(req, state.config.upload_limit_bytes()).await?;
            req = r;
            match token {
                Some(t) if auth::same_secret(&t, &v.csrf) => {}
                _ => return Err(Error::Csrf),
            }
        }
    }
    if let Some(v) = viewer {
        // An initial password (accounts made for role holders, a reset) or an expired one is
        // changed before anything else is done in the pages; the account's own page, logging out and the assets stay open.
        if v.session.is_some()
            && v.account
                .must_change_password_at(zeren_store::now(), state.config.password_max_age())
            && !path.starts_with("/api/")
            && !matches!(path, "/me" | "/me/password" | "/logout")
            && !path.starts_with("/assets/")
            && !path.starts_with("/lang/")
        {
            return Err(Error::MustChangePassword);
        }
        // With `totp_for_administrators`, an administrator sets up one-time codes first.
        if v.session.is_some()
            && state.config.totp_for_administrators
            && v.duty() != zeren_store::AdminDuty::None
            && !path.starts_with("/api/")
            && !matches!(
                path,
                "/me" | "/me/password" | "/me/totp" | "/me/totp/confirm" | "/logout"
            )
            && !path.starts_with("/assets/")
            && !path.starts_with("/lang/")
            && !has_second_factor(state, v.account.id).await?
        {
            return Err(Error::MustEnrolSecondFactor);
        }
        req.extensions_mut().insert(v);
    }
    Ok(req)
}

async fn has_second_factor(state: &AppState, account_id: i64) -> Result<bool, Error> {
    use zeren_store::auth::AuthRead;
    Ok(state
        .store
        .reader()
        .await?
        .totp(account_id)
        .await?
        .is_some_and(|t| t.confirmed_at.is_some()))
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = v
        .strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))?;
    Some(token.trim().to_string())
}

async fn token_viewer(state: &AppState, token: &str) -> Result<Option<Viewer>, Error> {
    let mut r = state.store.reader().await?;
    let Some(t) = r.token_by_hash(&auth::sha256_hex(token)).await? else {
        return Ok(None);
    };
    let now = zeren_store::now();
    // Revoked (by its owner, a password change or reset, disabling the account) or expired.
    if !t.usable_at(now) {
        return Ok(None);
    }
    let Some(account) = r.account(t.account_id).await? else {
        return Ok(None);
    };
    drop(r);
    if !account.active {
        return Ok(None);
    }
    // Its owner sees when it was last used; once a minute is precise enough.
    if t.last_used_at
        .is_none_or(|u| now - u > chrono::Duration::seconds(60))
    {
        state.store.touch_token(t.id, now).await?;
    }
    Ok(Some(Viewer {
        account,
        session: None,
        csrf: String::new(),
        person_name: None,
    }))
}

async fn session_viewer(state: &AppState, headers: &HeaderMap) -> Result<Option<Viewer>, Error> {
    let Some(cookie) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let id = auth::sha256_hex(cookie);
    let mut r = state.store.reader().await?;
    let Some(s) = r.session(&id).await? else {
        return Ok(None);
    };
    let now = zeren_store::now();
    // A password without its one-time code opens nothing (only the code's page reads it).
    if s.second_factor_pending {
        return Ok(None);
    }
    // Idle too long, or begun longer ago than the absolute lifetime.
    if !s.alive_at(now, state.config.session_idle(), state.config.session_max()) {
        return Ok(None);
    }
    let Some(account) = r.account(s.account_id).await? else {
        return Ok(None);
    };
    let person_name = match account.person_id {
        Some(p) => r.person(p).await?.map(|p| p.name),
        None => None,
    };
    drop(r);
    if !account.active {
        return Ok(None);
    }
    // Refresh the idle timer at most once a minute: one write per request would be waste.
    if now - s.last_seen_at > chrono::Duration::seconds(60) {
        state.store.touch_session(&id, now).await?;
    }
    Ok(Some(Viewer {
        account,
        session: Some(id),
        csrf: s.csrf_token,
        person_name,
    }))
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.split('/').next().unwrap_or("")
}

/// The request must say it comes from a page of this server (Origin, else Referer).
fn check_origin(headers: &HeaderMap) -> Result<(), Error> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let from = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|h| h.to_str().ok());
    match from {
        Some(o) if !host.is_empty() && host_of(o).eq_ignore_ascii_case(host) => Ok(()),
        _ => Err(Error::Csrf),
    }
}

/// The CSRF token from the `X-CSRF-Token` header, the `_csrf` query parameter (multipart
/// forms) or the `_csrf` field of a URL-encoded form (read and put back).
async fn csrf_token(req: Request, limit: usize) -> Result<(Option<String>, Request), Error> {
    if let Some(v) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return Ok((Some(v.to_string()), req));
    }
    if let Some(q) = req.uri().query() {
        if let Some(t) = field(q, "_csrf") {
            return Ok((Some(t), req));
        }
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((None, req));
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| Error::TooLarge(limit as u64))?;
    let token = field(&String::from_utf8_lossy(&bytes), "_csrf");
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}

/// A field of `a=1&b=2`; the tokens we look for are hex, so no percent-decoding is needed.
fn field(query: &str, name: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn finish(mut resp: Response, lang: Lang, api: bool) -> Response {
    if let Some(e) = resp.extensions_mut().remove::<Error>() {
        let busy = matches!(e, Error::Busy);
        resp = if api { as_json(e) } else { as_page(e, lang) };
        if busy {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
    }
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// An error as the pages show it: a redirect to sign in or to setup, else a page in the
/// viewer's language.
fn as_page(e: Error, lang: Lang) -> Response {
    e.log();
    match e {
        Error::Unauthenticated => Redirect::to("/login").into_response(),
        Error::Setup(false) => Redirect::to("/setup").into_response(),
        Error::Setup(true) => Redirect::to("/login").into_response(),
        Error::MustChangePassword | Error::MustEnrolSecondFactor => {
            Redirect::to("/me").into_response()
        }
        e => {
            let status = e.status_code();
            let page = view::error_page(lang, status, &e.message(lang));
            (status, page).into_response()
        }
    }
}

/// An error as the API answers it: `{"error": code, "message": …}` with the status.
fn as_json(e: Error) -> Response {
    e.log();
    let status = e.status_code();
    let body = json!({ "error": e.code(), "message": e.message(Lang::En) });
    (status, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_must_match_host() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        assert!(check_origin(&h).is_err(), "neither Origin nor Referer");
        h.insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
        assert!(check_origin(&h).is_ok());
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(check_origin(&h).is_err());
        h.remove(header::ORIGIN);
        h.insert(
            header::REFERER,
            "http://127.0.0.1:8080/units/1".parse().unwrap(),
        );
        assert!(check_origin(&h).is_ok());
    }

    #[test]
    fn form_fields() {
        assert_eq!(
            field("a=1&_csrf=ab12&b=2", "_csrf").as_deref(),
            Some("ab12")
        );
        assert_eq!(field("a=1", "_csrf"), None);
    }
}
