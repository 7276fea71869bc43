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
    /// Forbidden by a rule the message states (already localised), e.g. 三员分立.
    #[error("{0}")]
    Denied(String),
    #[error("not found")]
    NotFound,
    /// The request failed the CSRF or Origin check.
    #[error("cross-site request refused")]
    Csrf,
    /// Input that a user can correct; the message is shown as is (already localised).
    #[error("{0}")]
    Invalid(String),
    /// A form's input that a user can correct, each problem by the field it concerns (already
    /// localised); pages show the form again with each message beside its field.
    #[error("{}", .0.message())]
    Fields(Problems),
    /// A form the server cannot read at all (not one of its pages' forms, or cut short).
    #[error("malformed form")]
    Malformed,
    /// The request body is larger than the limit (bytes) the server takes.
    #[error("request larger than {0} bytes")]
    TooLarge(u64),
    #[error("{0}")]
    Conflict(String),
    /// Too many failed logins for the name or the address: refused until then (UTC).
    #[error("too many failed logins")]
    Locked(chrono::DateTime<chrono::Utc>),
    /// The account already has as many expensive requests (exports, dashboards) running and
    /// waiting as it may ([`super::limits`]).
    #[error("too many expensive requests at once")]
    Busy,
    /// The account's password was set by an administrator and must be changed first.
    #[error("password change required")]
    MustChangePassword,
    /// An administrator must set up one-time codes first (`totp_for_administrators`).
    #[error("second factor required")]
    MustEnrolSecondFactor,
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
            Error::Forbidden
            | Error::Denied(_)
            | Error::Csrf
            | Error::MustChangePassword
            | Error::MustEnrolSecondFactor => StatusCode::FORBIDDEN,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::Invalid(_) | Error::Fields(_) | Error::Malformed => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Error::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::Locked(_) | Error::Busy => StatusCode::TOO_MANY_REQUESTS,
            Error::Setup(_) | Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Error::Unauthenticated => "unauthenticated",
            Error::Forbidden
            | Error::Denied(_)
            | Error::MustChangePassword
            | Error::MustEnrolSecondFactor => "forbidden",
            Error::NotFound => "not_found",
            Error::Csrf => "csrf",
            Error::Invalid(_) | Error::Fields(_) | Error::Malformed => "invalid",
            Error::TooLarge(_) => "too_large",
            Error::Conflict(_) => "conflict",
            Error::Locked(_) => "locked",
            Error::Busy => "busy",
            Error::Setup(_) => "setup",
            Error::Unavailable(_) => "unavailable",
            Error::Internal(_) => "internal",
        }
    }

    /// The message a user sees.
    pub fn message(&self, lang: Lang) -> String {
        let t = super::i18n::Tr(lang);
        match self {
            Error::Invalid(m) | Error::Conflict(m) | Error::Denied(m) => m.clone(),
            Error::Fields(p) => p.message(),
            Error::Malformed => t.s("err.malformed").into(),
            Error::TooLarge(limit) => t.f("err.too_large", &[("mb", &mb(*limit))]),
            Error::Unauthenticated => t.s("err.unauthenticated").into(),
            Error::Forbidden => t.s("err.forbidden").into(),
            Error::NotFound => t.s("err.not_found").into(),
            Error::Csrf => t.s("err.csrf").into(),
            Error::MustChangePassword => t.s("err.must_change_password").into(),
            Error::MustEnrolSecondFactor => t.s("err.must_enrol_totp").into(),
            Error::Locked(until) => t.f("err.locked", &[("until", &super::clock::local(until))]),
            Error::Busy => t.s("err.busy").into(),
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

/// A byte limit in whole megabytes, as the limit is configured (`upload_limit_mb`).
pub fn mb(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb.fract() == 0.0 {
        format!("{mb:.0}")
    } else {
        format!("{mb:.1}")
    }
}

/// What is wrong with a form, each problem by the name of the field it concerns ("" for the
/// form as a whole), in the viewer's language.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<(String, String)>);

impl Problems {
    pub fn new() -> Problems {
        Problems::default()
    }

    /// One problem of one field.
    pub fn one(field: &str, message: impl Into<String>) -> Problems {
        let mut p = Problems::new();
        p.add(field, message);
        p
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push((field.to_string(), message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The problems of a field, joined.
    pub fn get(&self, field: &str) -> Option<String> {
        let all: Vec<&str> = self
            .0
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .collect();
        (!all.is_empty()).then(|| all.join("；"))
    }

    /// Every message, in order, as one text (the API's message).
    pub fn message(&self) -> String {
        self.0
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("；")
    }

    /// `Ok` when nothing is wrong, else the problems as an error.
    pub fn check(self) -> Result<(), Error> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::Fields(self))
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
