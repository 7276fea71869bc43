//! Axum's extractors with their rejections turned into [`Error`], so that a malformed form,
//! JSON body, query or path renders like every other error (a page or JSON, localised).

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::Error;
use super::state::AppState;

macro_rules! wrap_body {
    ($name:ident, $inner:path, $err:expr) => {
        pub struct $name<T>(pub T);

        impl<T: DeserializeOwned> FromRequest<AppState> for $name<T> {
            type Rejection = Error;

            async fn from_request(req: Request, state: &AppState) -> Result<Self, Error> {
                match <$inner>::from_request(req, state).await {
                    Ok(v) => Ok($name(v.0)),
                    Err(r) if r.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                        Err(Error::TooLarge(state.config.upload_limit_bytes() as u64))
                    }
                    Err(r) => Err($err(r.body_text())),
                }
            }
        }
    };
}

macro_rules! wrap_parts {
    ($name:ident, $inner:path, $err:expr) => {
        pub struct $name<T>(pub T);

        impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for $name<T> {
            type Rejection = Error;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
                match <$inner>::from_request_parts(parts, state).await {
                    Ok(v) => Ok($name(v.0)),
                    Err(r) => Err($err(r.body_text())),
                }
            }
        }
    };
}

// A page's form that does not deserialise was not sent by the page (the pages' own checks name
// what is wrong, field by field); a script's JSON gets serde's words for what is wrong.
wrap_body!(Form, axum::Form<T>, |_| Error::Malformed);
wrap_body!(Json, axum::Json<T>, Error::Invalid);

/// A raw request body (a file sent as the body), with the upload limit named when it is over.
pub struct Bytes(pub axum::body::Bytes);

impl FromRequest<AppState> for Bytes {
    type Rejection = Error;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Error> {
        match axum::body::Bytes::from_request(req, state).await {
            Ok(b) => Ok(Bytes(b)),
            Err(r) if r.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(Error::TooLarge(state.config.upload_limit_bytes() as u64))
            }
            Err(_) => Err(Error::Malformed),
        }
    }
}
/// A query string a page's link or form did not make: words for a person, serde's words for a
/// script.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(v) => Ok(Query(v.0)),
            Err(r) if parts.uri.path().starts_with("/api/") => Err(Error::Invalid(r.body_text())),
            Err(_) => {
                let lang = parts
                    .extensions
                    .get::<super::i18n::Lang>()
                    .copied()
                    .unwrap_or_default();
                Err(Error::Invalid(
                    super::i18n::Tr(lang).s("err.bad_query").into(),
                ))
            }
        }
    }
}
// A path that does not parse (`/units/abc`) names nothing that exists.
wrap_parts!(Path, axum::extract::Path<T>, |_| Error::NotFound);

/// A field of a form read as name–value pairs (forms whose fields repeat or vary in number);
/// empty when absent.
pub fn field(form: &[(String, String)], name: &str) -> String {
    form.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}
