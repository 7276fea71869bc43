//! `zeren serve`: the web server. Reads zeren.toml and ZEREN_… variables, opens (and on first
//! run creates) the database, applies migrations, serves until SIGTERM or Ctrl-C, then lets
//! the requests in flight finish.

use std::path::PathBuf;
use std::process::ExitCode;

use zeren_store::{Backend, Store};
use zeren_web::{AppState, Config};

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
    if zeren_store::dialect::redact(&url).starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data).map_err(|e| {
            format!(
                "cannot create the data directory {}: {e}",
                config.data.display()
            )
        })?;
    }
    let store = Store::open(&url, config.audit_alg())
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
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
    let state = AppState::new(store.clone(), config);
    zeren_web::serve(listener, state, shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
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
