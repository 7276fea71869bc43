//! The one error type of the web layer: its status, its code and its message in the viewer's
//! language. The security middleware turns it into JSON for `/api` or a page otherwise
//! (`crate::security`); internal details go to the log, never to the client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::i18n::Lang;

#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    /// No valid session or token.
    #[error("authentication required")]
    Unauthenticated,
    /// Authenticated, but the grant or duty does not allow this.
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// The request failed the CSRF or Origin check.
    #[error("cross-site request refused")]
    Csrf,
    /// Input that a user can correct; the message is shown as is (already localised).
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("too many failed logins")]
    Locked,
    /// Setup has not been done yet (or was already done).
    #[error("setup state")]
    Setup(bool),
    /// The database cannot take writes or be reached for now (disk full, read-only, down).
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn status_code(&self) -> StatusCode {
        match self {
            Error::Unauthenticated => StatusCode::UNAUTHORIZED,
            Error::Forbidden | Error::Csrf => StatusCode::FORBIDDEN,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::Locked => StatusCode::TOO_MANY_REQUESTS,
            Error::Setup(_) | Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Error::Unauthenticated => "unauthenticated",
            Error::Forbidden => "forbidden",
            Error::NotFound => "not_found",
            Error::Csrf => "csrf",
            Error::Invalid(_) => "invalid",
            Error::Conflict(_) => "conflict",
            Error::Locked => "locked",
            Error::Setup(_) => "setup",
            Error::Unavailable(_) => "unavailable",
            Error::Internal(_) => "internal",
        }
    }

    /// The message a user sees.
    pub fn message(&self, lang: Lang) -> String {
        let t = super::i18n::Tr(lang);
        match self {
            Error::Invalid(m) | Error::Conflict(m) => m.clone(),
            Error::Unauthenticated => t.s("err.unauthenticated").into(),
            Error::Forbidden => t.s("err.forbidden").into(),
            Error::NotFound => t.s("err.not_found").into(),
            Error::Csrf => t.s("err.csrf").into(),
            Error::Locked => t.s("err.locked").into(),
            Error::Setup(_) => t.s("err.setup").into(),
            Error::Unavailable(_) => t.s("err.unavailable").into(),
            Error::Internal(_) => t.s("err.internal").into(),
        }
    }

    pub fn log(&self) {
        match self {
            Error::Internal(m) => tracing::error!(error = %m, "request failed"),
            Error::Unavailable(m) => tracing::warn!(error = %m, "database unavailable"),
            _ => {}
        }
    }
}

impl From<zeren_store::Error> for Error {
    fn from(e: zeren_store::Error) -> Error {
        match e {
            zeren_store::Error::NotFound(_) => Error::NotFound,
            zeren_store::Error::Conflict(m) => Error::Conflict(m),
            zeren_store::Error::Invalid(m) => Error::Invalid(m),
            zeren_store::Error::Unavailable(m) => Error::Unavailable(m),
            other => Error::Internal(other.to_string()),
        }
    }
}

impl From<askama::Error> for Error {
    fn from(e: askama::Error) -> Error {
        Error::Internal(format!("template: {e}"))
    }
}

/// A handler's error becomes a bare response carrying the error; the security middleware,
/// which knows the request's language and whether it was an API call, renders it.
impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let mut r = self.status_code().into_response();
        r.extensions_mut().insert(self);
        r
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
