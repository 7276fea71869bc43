//! Response shapes shared by every feature: a redirect after a change, a file download, a JSON
//! answer for a created object.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;

/// 303 See Other: where to go after a form changed something.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// 201 Created with the object as JSON.
pub fn created(v: impl serde::Serialize) -> Response {
    (StatusCode::CREATED, Json(v)).into_response()
}

/// A stored attachment (by its SHA-256, checked on read) to download under `name`.
pub async fn stored_file(
    store: &zeren_store::Store,
    sha256: &str,
    name: &str,
) -> Result<Response, super::error::Error> {
    use zeren_store::ledger::LedgerRead;
    let (media, bytes) = store
        .reader()
        .await?
        .attachment(sha256)
        .await?
        .ok_or(super::error::Error::NotFound)?;
    Ok(download(name, &media, bytes))
}

/// A file to download, under its own (Chinese) name.
pub fn download(name: &str, media: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!(
        "attachment; filename=\"download\"; filename*=UTF-8''{}",
        percent(name)
    );
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(media)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// The headers of a page of a list: when the page is full (`shown == limit`), a `Link` header
/// naming the next page (`rel="next"`): `path` with the request's query, its `key` set to
/// `cursor` (the last row's).
pub fn next_page(
    path: &str,
    raw_query: Option<&str>,
    shown: usize,
    limit: i64,
    key: &str,
    cursor: Option<String>,
) -> axum::http::HeaderMap {
    let mut headers = axum::http::HeaderMap::new();
    let Some(cursor) = cursor.filter(|_| shown as i64 == limit) else {
        return headers;
    };
    let prefix = format!("{key}=");
    let mut query: Vec<&str> = raw_query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with(&prefix))
        .collect();
    let next = format!("{prefix}{}", percent(&cursor));
    query.push(&next);
    let link = format!("<{path}?{}>; rel=\"next\"", query.join("&"));
    if let Ok(value) = HeaderValue::from_str(&link) {
        headers.insert(header::LINK, value);
    }
    headers
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Percent-encoding of everything but the unreserved characters: a file name (RFC 5987) or a
/// value in a link's query string.
pub fn percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_percent_encoded() {
        assert_eq!(
            super::percent("台账 2026.xlsx"),
            "%E5%8F%B0%E8%B4%A6%202026.xlsx"
        );
    }
}
