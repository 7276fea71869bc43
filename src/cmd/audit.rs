//! `zeren audit verify`: walk the audit chain of the configured database — links, hashes, the
//! HMACs under the data directory's audit keys, the anchors beside it — and compare every record
//! version, review version, current-version pointer and stored file the chain describes with
//! the database. Exit 0 when intact, 1 naming the first place that is not, 2 when the database
//! or the key files cannot be read.
//!
//! `zeren audit rotate-key`: a new audit key; the old one stays in the keyring, and the chain
//! records the rotation (endorsed by the old key) at once.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use zeren_store::{AuditFiles, DataDirLock};
use zeren_web::Config;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check that no audit entry was altered, deleted, inserted or reordered, and that the
    /// stored records and files are those the chain describes.
    Verify {
        /// Data directory (SQLite database, audit key, keyring, anchors). Default: ./zeren-data
        #[arg(long)]
        data: Option<PathBuf>,
        /// Check the chain only, not the stored records and files (faster: reads no files).
        #[arg(long)]
        chain_only: bool,
    },
    /// Replace the audit key (the server must be stopped; with several instances, copy the
    /// new audit.key and audit.keyring to each before starting them again).
    RotateKey {
        #[arg(long)]
        data: Option<PathBuf>,
    },
}

pub fn run(cmd: AuditCommand) -> ExitCode {
    match cmd {
        AuditCommand::Verify { data, chain_only } => verify(data, chain_only),
        AuditCommand::RotateKey { data } => rotate(data),
    }
}

fn load(data: Option<PathBuf>, what: &str) -> Result<Config, ExitCode> {
    let config = Config::load(data, None).map_err(|e| {
        eprintln!("zeren audit {what}: {e}");
        ExitCode::from(2)
    })?;
    let file = config.data.join("zeren.db");
    if config.database_url().starts_with("sqlite:") && !file.exists() {
        eprintln!("zeren audit {what}: no database at {}", file.display());
        return Err(ExitCode::from(2));
    }
    Ok(config)
}

fn verify(data: Option<PathBuf>, chain_only: bool) -> ExitCode {
    let config = match load(data, "verify") {
        Ok(c) => c,
        Err(code) => return code,
    };
    let rt = match super::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("zeren audit verify: {e}");
            return ExitCode::from(2);
        }
    };
    rt.block_on(async {
        let store = match super::open_store(&config, super::Key::Existing).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("zeren audit verify: {e}");
                return ExitCode::from(2);
            }
        };
        let result = if chain_only {
            store.verify_audit().await
        } else {
            store.verify_audit_and_state().await
        };
        store.close().await;
        match result {
            Ok(v) => match v.first_break {
                None => {
                    println!(
                        "audit chain intact: {} entries, {}, head {}",
                        v.entries,
                        v.algorithm.as_str(),
                        v.head
                    );
                    match v.keyed_from {
                        Some(seq) => println!("  authenticated with the audit key from entry {seq} on"),
                        None => println!("  not keyed: plain hashes only (start the server once to key it)"),
                    }
                    println!("  {} anchors outside the database agree", v.anchors_checked);
                    if let Some(s) = v.state {
                        println!(
                            "  stored state agrees: {} record versions, {} records, {} review versions, {} review items, {} files",
                            s.record_versions, s.records, s.review_versions, s.review_items, s.files
                        );
                    }
                    ExitCode::SUCCESS
                }
                Some(b) => {
                    println!("audit chain BROKEN: {b}");
                    ExitCode::FAILURE
                }
            },
            Err(e) => {
                eprintln!("zeren audit verify: {e}");
                ExitCode::from(2)
            }
        }
    })
}

fn rotate(data: Option<PathBuf>) -> ExitCode {
    let config = match load(data, "rotate-key") {
        Ok(c) => c,
        Err(code) => return code,
    };
    let _lock = match DataDirLock::acquire(&config.data) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("zeren audit rotate-key: {e}");
            return ExitCode::from(2);
        }
    };
    let (old, new) = match AuditFiles::rotate(&config.data) {
        Ok(ids) => ids,
        Err(e) => {
            eprintln!("zeren audit rotate-key: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match super::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("zeren audit rotate-key: {e}");
            return ExitCode::from(2);
        }
    };
    rt.block_on(async {
        let store = match super::open_store(&config, super::Key::Existing).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("zeren audit rotate-key: {e}");
                return ExitCode::from(2);
            }
        };
        let r = store.ensure_audit_key().await;
        let _ = store.anchor_audit_head().await;
        store.close().await;
        match r {
            Ok(seq) => {
                println!(
                    "new audit key {new} (previous: {}); {}",
                    old.as_deref().unwrap_or("none"),
                    match seq {
                        Some(s) => format!("the chain records the rotation as entry {s}"),
                        None => "the chain needed no entry".into(),
                    }
                );
                println!(
                    "keep {} with the data directory's backups: entries before the rotation verify only with it",
                    config.data.join(zeren_store::datadir::KEYRING_FILE).display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("zeren audit rotate-key: the chain could not record the rotation: {e}");
                ExitCode::from(2)
            }
        }
    })
}
