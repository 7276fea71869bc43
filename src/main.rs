//! The `zeren` command: one binary for the server and the command-line tools.
//! Each subcommand lives in its own module under `src/cmd/`; this file only parses and dispatches.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

#[derive(Parser)]
#[command(
    name = "zeren",
    version,
    about = "Zeren 责任制管理：职责、台账、审核、督查与问责"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check, expand, compare and explain policy files (责任制实施办法).
    #[command(subcommand)]
    Policy(cmd::policy::PolicyCommand),
    /// Manage the working-day calendar (statutory holidays and make-up working days).
    #[command(subcommand)]
    Calendar(cmd::calendar::CalendarCommand),
    /// Create a demo organisation with years of records, to try Zeren or to benchmark it.
    Demo(cmd::demo::DemoArgs),
    /// Scan files for personal data and secrecy markings before publication (先审查、后公开).
    Scan(cmd::scan::ScanArgs),
    /// Run the web server (embedded SQLite by default, PostgreSQL with ZEREN_DATABASE_URL).
    Serve(cmd::serve::ServeArgs),
    /// Check the tamper-evident audit log; rotate its key.
    #[command(subcommand)]
    Audit(cmd::audit::AuditCommand),
    /// Copy a running SQLite server's data directory into one verified archive.
    Backup(cmd::backup::BackupArgs),
    /// Restore a backup archive after checking it (the server must be stopped).
    Restore(cmd::backup::RestoreArgs),
    /// Server-side account tasks (an administrator's password reset).
    #[command(subcommand)]
    Account(cmd::account::AccountCommand),
}

fn main() -> ExitCode {
    bound_malloc_arenas();
    let cli = Cli::parse();
    match cli.command {
        Command::Policy(c) => cmd::policy::run(c),
        Command::Calendar(c) => cmd::calendar::run(c),
        Command::Demo(a) => cmd::demo::run(a),
        Command::Scan(a) => cmd::scan::run(a),
        Command::Serve(a) => cmd::serve::run(a),
        Command::Audit(c) => cmd::audit::run(c),
        Command::Backup(a) => cmd::backup::run_backup(a),
        Command::Restore(a) => cmd::backup::run_restore(a),
        Command::Account(c) => cmd::account::run(c),
    }
}

/// glibc gives each thread that allocates its own arena (up to eight per core) and keeps what
/// each one freed: with the runtime's workers and a thread per SQLite connection, a server's
/// resident memory grew to half again what it uses. Two arenas keep contention low on the small
/// machines Zeren runs on (measured in docs/benchmarks.md: peak RSS 110 MB → 75 MB, no slower).
/// An operator's own `MALLOC_ARENA_MAX` wins.
fn bound_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: called first thing in main, before any other thread exists; mallopt only
        // sets a limit glibc reads when it creates an arena.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}
