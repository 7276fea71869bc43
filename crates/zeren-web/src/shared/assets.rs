//! Static assets, embedded in the binary: the server works on closed networks with no CDN.

use super::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::error::Error;

const HTMX: &str = include_str!("../../assets/htmx.min.js");
const CSS: &str = include_str!("../../assets/zeren.css");
const PRINT_CSS: &str = include_str!("../../assets/print.css");

pub async fn serve(Path(name): Path<String>) -> Result<Response, Error> {
    let (body, kind) = match name.as_str() {
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "zeren.css" => (CSS, "text/css; charset=utf-8"),
        "print.css" => (PRINT_CSS, "text/css; charset=utf-8"),
        _ => return Err(Error::NotFound),
    };
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response())
}
