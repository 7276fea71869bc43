//! `zeren backup` and `zeren restore`: an online copy of a SQLite data directory (database,
//! audit key, keyring, anchors, configuration, calendar) in one archive, and its restore after
//! the archive and the copy's whole chain were checked. PostgreSQL: pg_dump and pg_restore, see
//! docs/operations.md.

use std::path::PathBuf;
use std::process::ExitCode;

use zeren_store::backup;
use zeren_web::Config;

#[derive(clap::Args)]
pub struct BackupArgs {
    /// Data directory to copy. Default: ./zeren-data
    #[arg(long)]
    data: Option<PathBuf>,
    /// The archive to write (must not exist).
    #[arg(long)]
    to: PathBuf,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// The archive `zeren backup` wrote.
    #[arg(long)]
    from: PathBuf,
    /// Data directory to restore into (created if missing; the server must be stopped).
    #[arg(long)]
    data: Option<PathBuf>,
}

fn sqlite_only(config: &Config, what: &str) -> Result<(), ExitCode> {
    if config.database_url().starts_with("sqlite:") {
        return Ok(());
    }
    eprintln!(
        "zeren {what}: the database is PostgreSQL: use pg_dump / pg_restore and copy the audit key files (see docs/operations.md, \"Backups\")"
    );
    Err(ExitCode::from(2))
}

pub fn run_backup(args: BackupArgs) -> ExitCode {
    let config = match Config::load(args.data, None) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("zeren backup: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(code) = sqlite_only(&config, "backup") {
        return code;
    }
    let rt = match super::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("zeren backup: {e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(backup::create(&config.data, &args.to)) {
        Ok(s) => {
            let bytes: u64 = s.manifest.files.values().map(|(n, _)| n).sum();
            println!(
                "backup written: {} ({} files, {:.1} MB); audit chain {} entries, head {}",
                args.to.display(),
                s.manifest.files.len(),
                bytes as f64 / 1e6,
                s.manifest.audit_entries,
                s.manifest.audit_head
            );
            println!("it holds the audit key: keep it as safe as the data directory");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("zeren backup: {e}");
            ExitCode::FAILURE
        }
    }
}

pub fn run_restore(args: RestoreArgs) -> ExitCode {
    let config = match Config::load(args.data, None) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("zeren restore: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(code) = sqlite_only(&config, "restore") {
        return code;
    }
    let rt = match super::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("zeren restore: {e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(backup::restore(&args.from, &config.data)) {
        Ok(s) => {
            println!(
                "restored {} into {}: audit chain intact, {} entries, head {}",
                args.from.display(),
                config.data.display(),
                s.verification.entries,
                s.verification.head
            );
            if let Some(aside) = s.set_aside {
                println!("the files it replaced are in {}", aside.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("zeren restore: {e}");
            ExitCode::FAILURE
        }
    }
}
