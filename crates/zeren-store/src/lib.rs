//! Zeren's database. One SQL text serves SQLite and PostgreSQL (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT`, recursive CTEs); the backend is chosen once from the URL and the few
//! differences live in [`dialect`]. Every mutation goes through [`Write`], which appends to the
//! audit chain in the same transaction.

pub mod audit;
pub mod channel_reviews;
pub mod dialect;
pub mod install;
pub mod ledger;
pub mod materialise;
pub mod model;
mod read;
pub mod reviews;
pub mod testdb;
pub mod waiting;
mod write;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection, Transaction};

pub use audit::{AuditEntry, Break, HashAlg, Verification};
pub use dialect::Backend;
use dialect::Pool;
pub use model::*;
pub use read::Read;
pub use write::Write;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("configuration: {0}")]
    Config(String),
    #[error("cannot connect to the database {0}")]
    Connect(String),
    #[error("migration {version} ({name}) failed: {message}")]
    Migration {
        version: i64,
        name: String,
        message: String,
    },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("invalid: {0}")]
    Invalid(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

impl Error {
    /// Unique-constraint violations become conflicts the caller can show to a user.
    pub(crate) fn from_write(e: sqlx::Error, what: &str) -> Error {
        if let sqlx::Error::Database(d) = &e {
            if d.is_unique_violation() {
                return Error::Conflict(what.to_string());
            }
            if d.is_foreign_key_violation() {
                return Error::Invalid(format!("{what}: refers to something that does not exist"));
            }
        }
        Error::Db(e)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A borrowed connection of either backend; queries are written once and run on both
/// through the [`run!`] macro.
#[doc(hidden)]
pub enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

/// Run the same query text on whichever backend `conn` is; the body is compiled once per
/// backend, so each gets fully typed sqlx code.
macro_rules! run {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::Conn::Sqlite($c) => $body,
            $crate::Conn::Postgres($c) => $body,
        }
    };
}
pub(crate) use run;

/// Who performs a mutation, as written into the audit chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub account_id: Option<i64>,
    pub name: String,
}

impl Actor {
    pub fn account(id: i64, username: &str) -> Actor {
        Actor {
            account_id: Some(id),
            name: username.to_string(),
        }
    }

    /// The server itself (first-run setup, housekeeping).
    pub fn system() -> Actor {
        Actor {
            account_id: None,
            name: "system".to_string(),
        }
    }
}

/// The database handle shared by the whole server.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    alg: HashAlg,
    /// SQLite allows one writer at a time; taking this lock before `BEGIN` keeps writers of
    /// this process from failing with "database is locked" when a read turns into a write.
    sqlite_writer: Option<Arc<tokio::sync::Mutex<()>>>,
}

impl Store {
    /// Connect, apply migrations, and on a new database fix the audit hash algorithm.
    /// `new_audit_alg` is ignored for a database that already has a chain.
    pub async fn open(url: &str, new_audit_alg: HashAlg) -> Result<Store> {
        let pool = dialect::connect(url).await?;
        dialect::migrate(&pool).await?;
        let sqlite_writer =
            matches!(pool, Pool::Sqlite(_)).then(|| Arc::new(tokio::sync::Mutex::new(())));
        let mut store = Store {
            pool,
            alg: new_audit_alg,
            sqlite_writer,
        };
        let mut r = store.reader().await?;
        let existing = r.audit_algorithm().await?;
        drop(r);
        match existing {
            Some(alg) => store.alg = alg,
            None => {
                let mut c = store.acquire().await?;
                run!(c.conn(), |c| sqlx::query(
                    "INSERT INTO audit_head (id, algorithm, seq, hash) VALUES (1, $1, 0, $2)
                     ON CONFLICT (id) DO NOTHING"
                )
                .bind(new_audit_alg.as_str())
                .bind(audit::GENESIS)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected()))?;
                drop(c);
                let mut r = store.reader().await?;
                store.alg = r.audit_algorithm().await?.unwrap_or(new_audit_alg);
            }
        }
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    pub fn audit_algorithm(&self) -> HashAlg {
        self.alg
    }

    async fn acquire(&self) -> Result<PooledConn> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => PooledConn::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => PooledConn::Postgres(p.acquire().await?),
        })
    }

    /// A connection for reading.
    pub async fn reader(&self) -> Result<Reader> {
        Ok(Reader {
            conn: self.acquire().await?,
        })
    }

    /// Begin a write transaction on behalf of `actor`. Nothing is stored until
    /// [`Write::commit`]; dropping it rolls back.
    pub async fn write(&self, actor: &Actor) -> Result<Write> {
        let guard = match &self.sqlite_writer {
            Some(m) => Some(m.clone().lock_owned().await),
            None => None,
        };
        let tx = match &self.pool {
            // IMMEDIATE takes the write lock at once: a transaction that reads before it
            // writes could otherwise fail when another connection (session bookkeeping)
            // committed in between.
            Pool::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        };
        Ok(Write::new(tx, actor.clone(), self.alg, guard))
    }

    /// Is the database answering?
    pub async fn ping(&self) -> Result<()> {
        let mut c = self.acquire().await?;
        let _: (i64,) = run!(c.conn(), |c| sqlx::query_as("SELECT CAST(1 AS BIGINT)")
            .fetch_one(&mut *c)
            .await)?;
        Ok(())
    }

    /// Walk the whole audit chain and report the first broken link, if any.
    pub async fn verify_audit(&self) -> Result<Verification> {
        let mut r = self.reader().await?;
        let (alg, head_seq, head_hash) = r.audit_head().await?;
        let mut walker = audit::Walker::new(alg);
        let mut after = 0i64;
        'pages: loop {
            let page = r.audit_page(after, 1000).await?;
            if page.is_empty() {
                break;
            }
            for e in &page {
                // The chain is checked up to the head read above: entries appended since by
                // writers running now (the materialiser, other instances) are beyond it.
                if e.seq > head_seq {
                    break 'pages;
                }
                if !walker.step(e) {
                    break 'pages;
                }
                after = e.seq;
            }
        }
        Ok(walker.finish(head_seq, &head_hash))
    }

    /// Close the pool (waits for connections to be returned).
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

enum PooledConn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl PooledConn {
    fn conn(&mut self) -> Conn<'_> {
        match self {
            PooledConn::Sqlite(c) => Conn::Sqlite(c),
            PooledConn::Postgres(c) => Conn::Postgres(c),
        }
    }
}

pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(t),
            Tx::Postgres(t) => Conn::Postgres(t),
        }
    }
}

/// A connection for reads; see [`Read`] for the queries.
pub struct Reader {
    conn: PooledConn,
}

impl Read for Reader {
    fn conn(&mut self) -> Conn<'_> {
        self.conn.conn()
    }
}

/// Timestamps are kept to the microsecond: PostgreSQL stores no more, and the audit hash must
/// be computed over exactly what is stored.
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}
