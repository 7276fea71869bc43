pub mod account;
pub mod audit;
pub mod backup;
pub mod calendar;
pub mod demo;
mod demo_accountability;
mod demo_assessment;
mod demo_evidence;
mod demo_inspections;
mod draft;
pub mod policy;
pub mod scan;
pub mod serve;

use zeren_store::{AuditFiles, OpenOptions, Store};
use zeren_web::Config;

/// Whether a command may create the data directory's audit key when there is none.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// The server and the tools that write: a new key (0600) on first use.
    Create,
    /// Verification: only what exists.
    Existing,
}

/// Open the configured database with the data directory's audit key files (the audit key,
/// the keyring of earlier keys, the anchors), for PostgreSQL as for SQLite.
pub async fn open_store(config: &Config, key: Key) -> Result<Store, String> {
    let files = match key {
        Key::Create => AuditFiles::open_or_create(&config.data),
        Key::Existing => AuditFiles::open_existing(&config.data),
    }
    .map_err(|e| format!("audit key: {e}"))?;
    Store::open_with(
        &config.database_url(),
        OpenOptions::new(config.audit_alg()).audit_files(files),
    )
    .await
    .map_err(|e| format!("cannot open the database: {e}"))
}

/// A single-threaded runtime for the command-line tools.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}
