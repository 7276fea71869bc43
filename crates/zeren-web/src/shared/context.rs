//! The request context every handler may ask for: who is asking (the [`Viewer`] the security
//! middleware attached, by session cookie or API token), in which language, with which CSRF
//! token. Imports nothing from a feature.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use zeren_store::{Account, AdminDuty};

use super::error::Error;
use super::i18n::Lang;
use super::state::AppState;

pub const SESSION_COOKIE: &str = "zeren_session";

/// The authenticated account behind a request.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub account: Account,
    /// The hashed session id, when authenticated by cookie (not by API token).
    pub session: Option<String>,
    pub csrf: String,
    /// The name of the person the account is linked to (pages show people by name).
    pub person_name: Option<String>,
}

impl Viewer {
    pub fn duty(&self) -> AdminDuty {
        self.account.duty()
    }

    pub fn actor(&self) -> zeren_store::Actor {
        zeren_store::Actor::account(self.account.id, &self.account.username)
    }

    pub fn require_duty(&self, duty: AdminDuty) -> Result<(), Error> {
        if self.duty() == duty {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Viewer, Error> {
        parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .ok_or(Error::Unauthenticated)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Lang, Self::Rejection> {
        Ok(parts.extensions.get::<Lang>().copied().unwrap_or_default())
    }
}

/// The viewer if there is one (pages that also work logged out).
pub struct MaybeViewer(pub Option<Viewer>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeViewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<MaybeViewer, Self::Rejection> {
        Ok(MaybeViewer(parts.extensions.get::<Viewer>().cloned()))
    }
}

/// Whether the request came from htmx (it then wants a fragment, not a page).
pub fn is_htmx(headers: &axum::http::HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

/// The address a request came from, for counting login attempts per source: the peer of the
/// connection, or, when the peer is one of the configured `trusted_proxies`, the nearest address
/// in `X-Forwarded-For` that is not a trusted proxy. "unknown" when the server was started
/// without connection information.
pub struct Source(pub String);

impl FromRequestParts<AppState> for Source {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Source, Self::Rejection> {
        let Some(peer) = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip())
        else {
            return Ok(Source("unknown".into()));
        };
        let proxies = state.config.proxies();
        if !proxies.contains(&peer) {
            return Ok(Source(peer.to_string()));
        }
        // Each proxy appends the address it received from; read from the right, past our own.
        let entries: Vec<String> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|a| a.trim().to_string())
            .collect();
        let mut client = peer;
        for e in entries.iter().rev() {
            match e.parse::<std::net::IpAddr>() {
                Ok(a) if proxies.contains(&a) => continue,
                Ok(a) => {
                    client = a;
                    break;
                }
                // Not an address: what lies beyond it cannot be believed either.
                Err(_) => break,
            }
        }
        Ok(Source(client.to_string()))
    }
}
