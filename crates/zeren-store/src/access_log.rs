//! What is audited though nothing changes: the audit administrator's reads of the log, exports
//! and downloads of personal data, and requests refused (403, CSRF). Each is one entry of the
//! chain, in its own transaction; the path stored is bounded like a user name.

use serde_json::json;

use crate::{Actor, Result};

/// What kind of access an entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// The audit log read, searched or verified (by the audit administrator).
    AuditRead,
    /// An export or download that carries personal data (ledgers, evidence, the people list).
    Export,
    /// A request refused for want of rights or failing the cross-site check.
    Refused,
}

impl Access {
    pub fn action(self) -> &'static str {
        match self {
            Access::AuditRead => "audit.read",
            Access::Export => "data.export",
            Access::Refused => "request.refused",
        }
    }
}

/// One request to record.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub access: Access,
    pub method: &'a str,
    pub path: &'a str,
    /// Kept when short (the audit log's filters).
    pub query: Option<&'a str>,
    /// The answer's status.
    pub status: u16,
    /// For a refusal: `forbidden` or `csrf`.
    pub reason: Option<&'a str>,
}

/// Longest query string kept with an entry (the audit log's filters).
const MAX_QUERY: usize = 200;

impl crate::Store {
    /// Record a request of `actor` that read, exported or was refused.
    pub async fn record_access(&self, actor: &Actor, r: &Request<'_>) -> Result<()> {
        let path = crate::auth::bounded_name(r.path);
        let query = r.query.filter(|q| !q.is_empty()).map(|q| {
            if q.len() <= MAX_QUERY && !q.chars().any(char::is_control) {
                q.to_string()
            } else {
                crate::auth::bounded_name(q)
            }
        });
        let what = json!({ "method": crate::auth::bounded_name(r.method), "query": query, "status": r.status, "reason": r.reason });
        let mut w = self.write(actor).await?;
        w.record_with(
            r.access.action(),
            "request",
            &path,
            &what,
            Some(what.clone()),
        )
        .await?;
        w.commit().await
    }
}
