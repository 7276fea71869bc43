//! `zeren serve`: the web server. Reads zeren.toml and ZEREN_… variables, locks the data
//! directory, loads (on first run creates) the audit key, opens (and on first run creates) the
//! database, applies migrations, keys the audit chain, serves until SIGTERM or Ctrl-C, then lets
//! the requests in flight finish. The chain's head is anchored in the data directory every few
//! minutes and at shutdown.

use std::path::PathBuf;
use std::process::ExitCode;

use std::time::Duration;

use zeren_store::{Backend, DataDirLock};
use zeren_web::{AppState, Config};

/// How often the audit chain's head is written to the anchor file (when it moved).
const ANCHOR_EVERY: Duration = Duration::from_secs(300);

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Data directory (SQLite database, configuration file). Default: ./zeren-data
    #[arg(long)]
    data: Option<PathBuf>,
    /// Address to listen on. Default: 127.0.0.1:8080
    #[arg(long)]
    listen: Option<String>,
}

pub fn run(args: ServeArgs) -> ExitCode {
    let config = match Config::load(args.data, args.listen) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("zeren serve: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(&config.log);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("zeren serve: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "zeren serve stopped");
            eprintln!("zeren serve: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr as structured lines (`level target: message key=value …`).
pub fn init_logging(level: &str) {
    let level = level
        .parse::<tracing::Level>()
        .unwrap_or(tracing::Level::INFO);
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

async fn serve(config: Config) -> Result<(), String> {
    let url = config.database_url();
    // The data directory holds the audit key and anchors for PostgreSQL as well.
    std::fs::create_dir_all(&config.data).map_err(|e| {
        format!(
            "cannot create the data directory {}: {}",
            config.data.display(),
            in_words(&e)
        )
    })?;
    let _lock = DataDirLock::acquire(&config.data).map_err(|e| e.to_string())?;
    let store = super::open_store(&config, super::Key::Create).await?;
    // Key the chain now (the switch from plain hashes, or a rotation, is an entry of its own),
    // so that a key that does not match the chain stops the start rather than every write.
    match store.ensure_audit_key().await {
        Ok(Some(seq)) => tracing::info!(seq, "audit chain keyed from this entry on"),
        Ok(None) => {}
        Err(e) => {
            store.close().await;
            return Err(format!("audit key: {e}"));
        }
    }
    if let Err(e) = store.anchor_audit_head().await {
        tracing::warn!(error = %e, "could not anchor the audit chain's head");
    }
    // Robots' webhooks and secrets are sealed with the data directory's notify.key.
    let seal = match zeren_web::secrets::SealKey::open_or_create(&config.data) {
        Ok(k) => k,
        Err(e) => {
            store.close().await;
            return Err(format!("robots' key: {e}"));
        }
    };
    let backend = match store.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(
        %addr,
        backend,
        database = %zeren_store::dialect::redact(&url),
        audit = store.audit_algorithm().as_str(),
        "listening on http://{addr}"
    );
    let anchors = {
        let store = store.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(ANCHOR_EVERY).await;
                if let Err(e) = store.anchor_audit_head().await {
                    tracing::warn!(error = %e, "could not anchor the audit chain's head");
                }
            }
        })
    };
    let state = AppState::new(store.clone(), config).with_seal_key(seal);
    let served = zeren_web::serve(listener, state, shutdown_signal()).await;
    anchors.abort();
    if let Err(e) = store.anchor_audit_head().await {
        tracing::warn!(error = %e, "could not anchor the audit chain's head");
    }
    served.map_err(|e| e.to_string())?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// An I/O error's cause in words an operator acts on.
fn in_words(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => format!("permission denied ({e})"),
        std::io::ErrorKind::ReadOnlyFilesystem => format!("the file system is read-only ({e})"),
        std::io::ErrorKind::StorageFull => format!("the disk is full ({e})"),
        _ => e.to_string(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
