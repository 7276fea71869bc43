//! Everything that differs between SQLite and PostgreSQL lives here: connecting, pragmas,
//! which migration text to run, how concurrent migrators are kept apart, how a write
//! transaction begins. Repository code above this module writes one SQL text for both.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::Error;

/// The database backend, chosen once from the URL's scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// One migration: its version, name and the text for each backend.
struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sqlite: include_str!("../migrations/sqlite/0001_initial.sql"),
        postgres: include_str!("../migrations/postgres/0001_initial.sql"),
    },
    Migration {
        version: 20,
        name: "ledger",
        sqlite: include_str!("../migrations/sqlite/0020_ledger.sql"),
        postgres: include_str!("../migrations/postgres/0020_ledger.sql"),
    },
    Migration {
        version: 30,
        name: "reviews",
        sqlite: include_str!("../migrations/sqlite/0030_reviews.sql"),
        postgres: include_str!("../migrations/postgres/0030_reviews.sql"),
    },
    Migration {
        version: 31,
        name: "channel_history",
        sqlite: include_str!("../migrations/sqlite/0031_channel_history.sql"),
        postgres: include_str!("../migrations/postgres/0031_channel_history.sql"),
    },
    Migration {
        version: 40,
        name: "hardening",
        sqlite: include_str!("../migrations/sqlite/0040_hardening.sql"),
        postgres: include_str!("../migrations/postgres/0040_hardening.sql"),
    },
    Migration {
        version: 50,
        name: "policy_scope",
        sqlite: include_str!("../migrations/sqlite/0050_policy_scope.sql"),
        postgres: include_str!("../migrations/postgres/0050_policy_scope.sql"),
    },
    Migration {
        version: 60,
        name: "units_guests",
        sqlite: include_str!("../migrations/sqlite/0060_units_guests.sql"),
        postgres: include_str!("../migrations/postgres/0060_units_guests.sql"),
    },
    Migration {
        version: 70,
        name: "receipts",
        sqlite: include_str!("../migrations/sqlite/0070_receipts.sql"),
        postgres: include_str!("../migrations/postgres/0070_receipts.sql"),
    },
    Migration {
        version: 80,
        name: "incidents",
        sqlite: include_str!("../migrations/sqlite/0080_incidents.sql"),
        postgres: include_str!("../migrations/postgres/0080_incidents.sql"),
    },
    Migration {
        version: 90,
        name: "oversight",
        sqlite: include_str!("../migrations/sqlite/0090_oversight.sql"),
        postgres: include_str!("../migrations/postgres/0090_oversight.sql"),
    },
    Migration {
        version: 100,
        name: "notify",
        sqlite: include_str!("../migrations/sqlite/0100_notify.sql"),
        postgres: include_str!("../migrations/postgres/0100_notify.sql"),
    },
    Migration {
        version: 110,
        name: "token_use",
        sqlite: include_str!("../migrations/sqlite/0110_token_use.sql"),
        postgres: include_str!("../migrations/postgres/0110_token_use.sql"),
    },
    Migration {
        version: 111,
        name: "second_factor",
        sqlite: include_str!("../migrations/sqlite/0111_second_factor.sql"),
        postgres: include_str!("../migrations/postgres/0111_second_factor.sql"),
    },
    Migration {
        version: 120,
        name: "channel_reasons",
        sqlite: include_str!("../migrations/sqlite/0120_channel_reasons.sql"),
        postgres: include_str!("../migrations/postgres/0120_channel_reasons.sql"),
    },
    Migration {
        version: 130,
        name: "inspections",
        sqlite: include_str!("../migrations/sqlite/0130_inspections.sql"),
        postgres: include_str!("../migrations/postgres/0130_inspections.sql"),
    },
    Migration {
        version: 140,
        name: "list_indexes",
        sqlite: include_str!("../migrations/sqlite/0140_list_indexes.sql"),
        postgres: include_str!("../migrations/postgres/0140_list_indexes.sql"),
    },
    Migration {
        version: 150,
        name: "robot_config",
        sqlite: include_str!("../migrations/sqlite/0150_robot_config.sql"),
        postgres: include_str!("../migrations/postgres/0150_robot_config.sql"),
    },
    Migration {
        version: 160,
        name: "assessment",
        sqlite: include_str!("../migrations/sqlite/0160_assessment.sql"),
        postgres: include_str!("../migrations/postgres/0160_assessment.sql"),
    },
    Migration {
        version: 170,
        name: "accountability",
        sqlite: include_str!("../migrations/sqlite/0170_accountability.sql"),
        postgres: include_str!("../migrations/postgres/0170_accountability.sql"),
    },
    Migration {
        version: 190,
        name: "delivery_handover",
        sqlite: include_str!("../migrations/sqlite/0190_delivery_handover.sql"),
        postgres: include_str!("../migrations/postgres/0190_delivery_handover.sql"),
    },
    Migration {
        version: 210,
        name: "accountability_minutes",
        sqlite: include_str!("../migrations/sqlite/0210_accountability_minutes.sql"),
        postgres: include_str!("../migrations/postgres/0210_accountability_minutes.sql"),
    },
    Migration {
        version: 220,
        name: "more_list_indexes",
        sqlite: include_str!("../migrations/sqlite/0220_more_list_indexes.sql"),
        postgres: include_str!("../migrations/postgres/0220_more_list_indexes.sql"),
    },
];

/// A stable key for `pg_advisory_xact_lock` so that several instances starting at once
/// apply migrations one after the other.
const MIGRATION_LOCK_KEY: i64 = 0x7a65_7265_6e5f_6d67;

pub(crate) fn backend_of(url: &str) -> Result<Backend, Error> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(Error::Config(format!(
            "unsupported database URL (expected sqlite:… or postgres://…): {}",
            redact(url)
        )))
    }
}

/// Hide a password in a URL before it goes into a message or a log.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub(crate) async fn connect(url: &str, o: &crate::OpenOptions) -> Result<Pool, Error> {
    match backend_of(url)? {
        Backend::Sqlite => {
            // WAL + synchronous=FULL: a commit returns only once the WAL is on disk, so an
            // acknowledged write survives kill -9 and power loss.
            let mut opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| Error::Config(format!("bad SQLite URL: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            if let Some(n) = o.sqlite_max_page_count {
                opts = opts.pragma("max_page_count", n.to_string());
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(o.max_connections.unwrap_or(8))
                .connect_with(opts)
                .await
                .map_err(|e| crate::health::connect_error(url, Backend::Sqlite, e))?;
            Ok(Pool::Sqlite(pool))
        }
        Backend::Postgres => {
            let opts = PgConnectOptions::from_str(url)
                .map_err(|e| Error::Config(format!("bad PostgreSQL URL: {e}")))?;
            // One direct attempt first: the pool retries until its timeout and then reports
            // only that it timed out, hiding a refused connection or a wrong password.
            {
                use sqlx::{ConnectOptions, Connection};
                let c = opts
                    .connect()
                    .await
                    .map_err(|e| crate::health::connect_error(url, Backend::Postgres, e))?;
                let _ = c.close().await;
            }
            let pool = PgPoolOptions::new()
                .max_connections(o.max_connections.unwrap_or(16))
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await
                .map_err(|e| crate::health::connect_error(url, Backend::Postgres, e))?;
            Ok(Pool::Postgres(pool))
        }
    }
}

/// A stable key for `pg_advisory_xact_lock` taken before a transaction's first audit append:
/// appenders on every instance then extend the chain one after the other, and a transaction
/// that appended holds the tip until it ends. (SQLite has one writer at a time anyway.)
pub(crate) const AUDIT_APPEND_LOCK_KEY: i64 = 0x7a65_7265_6e5f_6175;

/// How a job claim locks the row it takes: PostgreSQL skips rows another instance is claiming
/// (`FOR UPDATE SKIP LOCKED`); SQLite has one writer at a time, whose transaction is the lock.
pub(crate) fn claim_lock(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "",
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
    }
}

/// Apply every migration not yet applied, each in its own transaction. A migration that was
/// applied with a different text is an error: the database and the binary disagree.
pub(crate) async fn migrate(pool: &Pool) -> Result<(), Error> {
    const BOOKKEEPING: &str = "CREATE TABLE IF NOT EXISTS zeren_migrations (
        version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL)";
    for m in MIGRATIONS {
        let (text, fail) = match pool {
            Pool::Sqlite(_) => (m.sqlite, "SQLite"),
            Pool::Postgres(_) => (m.postgres, "PostgreSQL"),
        };
        let checksum = crate::audit::hex(&sha2_digest(text.as_bytes()));
        let wrap = |e: sqlx::Error| Error::Migration {
            version: m.version,
            name: m.name.to_string(),
            message: match crate::health::storage_failure(&e) {
                Some(words) => format!("{words} ({fail}: {e})"),
                None => format!("{fail}: {e}"),
            },
        };
        macro_rules! apply {
            ($pool:expr, $lock:expr) => {{
                let mut tx = $pool.begin().await.map_err(wrap)?;
                if let Some(lock) = $lock {
                    sqlx::query(lock)
                        .bind(MIGRATION_LOCK_KEY)
                        .execute(&mut *tx)
                        .await
                        .map_err(wrap)?;
                }
                sqlx::raw_sql(BOOKKEEPING).execute(&mut *tx).await.map_err(wrap)?;
                let done: Option<(String,)> =
                    sqlx::query_as("SELECT checksum FROM zeren_migrations WHERE version = $1")
                        .bind(m.version)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(wrap)?;
                match done {
                    Some((c,)) if c == checksum => {}
                    Some(_) => {
                        return Err(Error::Migration {
                            version: m.version,
                            name: m.name.to_string(),
                            message: "already applied with a different text; this binary does not match the database".into(),
                        })
                    }
                    None => {
                        sqlx::raw_sql(text).execute(&mut *tx).await.map_err(wrap)?;
                        sqlx::query(
                            "INSERT INTO zeren_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        )
                        .bind(m.version)
                        .bind(m.name)
                        .bind(&checksum)
                        .execute(&mut *tx)
                        .await
                        .map_err(wrap)?;
                        tracing::info!(version = m.version, name = m.name, "applied migration");
                    }
                }
                tx.commit().await.map_err(wrap)?;
            }};
        }
        match pool {
            Pool::Sqlite(p) => apply!(p, None::<&str>),
            Pool::Postgres(p) => apply!(p, Some("SELECT pg_advisory_xact_lock($1)")),
        }
    }
    Ok(())
}

fn sha2_digest(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).to_vec()
}

/// Names of the tables and columns a migration text creates, to check that the two
/// dialects stay in step.
#[cfg(test)]
fn shape(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for line in text.lines() {
        let l = line.trim();
        if let Some(rest) = l.strip_prefix("CREATE TABLE ") {
            current = Some((rest.trim_end_matches(" (").to_string(), Vec::new()));
        } else if let Some(rest) = l.strip_prefix("ALTER TABLE ") {
            // `ALTER TABLE t ADD COLUMN c …` adds column c to t.
            let words: Vec<&str> = rest.split_whitespace().collect();
            if let [table, "ADD", "COLUMN", column, ..] = words.as_slice() {
                out.push((format!("{table} +"), vec![column.to_string()]));
            }
        } else if let Some(rest) = l
            .strip_prefix("CREATE INDEX ")
            .or_else(|| l.strip_prefix("CREATE UNIQUE INDEX "))
            .or_else(|| l.strip_prefix("DROP INDEX "))
        {
            // Indexes by name: a migration may only add or replace indexes.
            let name = rest.split_whitespace().next().unwrap_or("");
            let verb = if l.starts_with("DROP") { "-" } else { "+" };
            out.push((
                format!("index {verb}"),
                vec![name.trim_end_matches(';').to_string()],
            ));
        } else if l.starts_with(");") {
            out.extend(current.take());
        } else if let Some((_, cols)) = current.as_mut() {
            let word = l.split_whitespace().next().unwrap_or("");
            if !word.is_empty()
                && !word.starts_with("--")
                && !["UNIQUE", "PRIMARY", "CHECK"].contains(&word)
            {
                cols.push(word.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_dialects_create_the_same_tables_columns_and_indexes() {
        for m in MIGRATIONS {
            let (s, p) = (shape(m.sqlite), shape(m.postgres));
            assert!(!s.is_empty());
            assert_eq!(s, p, "migration {} differs between dialects", m.version);
        }
    }

    #[test]
    fn passwords_are_hidden_in_urls() {
        assert_eq!(
            redact("postgres://zeren:secret@db:5432/zeren"),
            "postgres://zeren:***@db:5432/zeren"
        );
        assert_eq!(redact("sqlite:///tmp/x.db"), "sqlite:///tmp/x.db");
    }

    #[test]
    fn backend_comes_from_the_scheme() {
        assert_eq!(backend_of("sqlite://a.db").unwrap(), Backend::Sqlite);
        assert_eq!(backend_of("postgresql://x/y").unwrap(), Backend::Postgres);
        assert!(backend_of("mysql://x").is_err());
    }
}
