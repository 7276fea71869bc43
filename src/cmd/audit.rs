//! `zeren audit verify`: walk the audit chain of the configured database and name the first
//! broken link. Exit 0 when intact, 1 when broken, 2 when the database cannot be read.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use zeren_store::Store;
use zeren_web::Config;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check that no audit entry was altered, deleted, inserted or reordered.
    Verify {
        /// Data directory holding the SQLite database. Default: ./zeren-data
        #[arg(long)]
        data: Option<PathBuf>,
    },
}

pub fn run(cmd: AuditCommand) -> ExitCode {
    let AuditCommand::Verify { data } = cmd;
    let config = match Config::load(data, None) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("zeren audit verify: {e}");
            return ExitCode::from(2);
        }
    };
    let url = config.database_url();
    let is_sqlite = url.starts_with("sqlite:");
    let file = config.data.join("zeren.db");
    if is_sqlite && !file.exists() {
        eprintln!("zeren audit verify: no database at {}", file.display());
        return ExitCode::from(2);
    }
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("zeren audit verify: {e}");
            return ExitCode::from(2);
        }
    };
    rt.block_on(async {
        let store = match Store::open(&url, config.audit_alg()).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("zeren audit verify: cannot open the database: {e}");
                return ExitCode::from(2);
            }
        };
        let result = store.verify_audit().await;
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
