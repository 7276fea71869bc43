//! Axum's extractors with their rejections turned into [`Error`], so that a malformed form,
//! JSON body, query or path renders like every other error (a page or JSON, localised).

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::Error;

macro_rules! wrap_body {
    ($name:ident, $inner:path) => {
        pub struct $name<T>(pub T);

        impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for $name<T> {
            type Rejection = Error;

            async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
                match <$inner>::from_request(req, state).await {
                    Ok(v) => Ok($name(v.0)),
                    Err(r) => Err(Error::Invalid(r.body_text())),
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

wrap_body!(Form, axum::Form<T>);
wrap_body!(Json, axum::Json<T>);
wrap_parts!(Query, axum::extract::Query<T>, Error::Invalid);
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
