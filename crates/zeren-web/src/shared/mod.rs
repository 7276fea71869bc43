//! The ground every feature stands on: request context, errors, messages, access checks, forms,
//! responses, the page chrome and the list rows several features show. Nothing here imports a
//! feature; features import from here and from the domain crates, never from each other.

pub mod access;
pub mod accountability;
pub mod apidoc;
pub mod assets;
pub mod auth;
pub mod chart;
pub mod clock;
pub mod config;
pub mod context;
pub mod cookies;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod limits;
pub mod login;
pub mod mail;
pub mod mine;
pub mod multipart;
pub mod packs;
pub mod policies;
pub mod refusal;
pub mod respond;
pub mod robots;
pub mod rows;
pub mod secrets;
pub mod state;
pub mod totp;
pub mod view;

/// What a handler module usually needs.
pub mod prelude {
    pub use super::access;
    pub use super::context::{MaybeViewer, Viewer};
    pub use super::error::{Error, Result};
    pub use super::extract::{Form, Json as JsonBody, Path, Query};
    pub use super::i18n::{Lang, Tr};
    pub use super::respond::{created, see_other};
    pub use super::state::AppState;
    pub use super::view::{render, Chrome};
    pub use axum::extract::State;
}
