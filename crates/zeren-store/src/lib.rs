//! Zeren's database. One SQL text serves SQLite and PostgreSQL (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT`, recursive CTEs); the backend is chosen once from the URL and the few
//! differences live in [`dialect`]. Every mutation goes through [`Write`], which appends to the
//! audit chain in the same transaction.

pub mod access_log;
pub mod accountability;
pub mod assessment;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod channel_reviews;
pub mod datadir;
pub mod dialect;
pub mod directory;
mod health;
pub mod incident_stats;
pub mod incidents;
pub mod inspections;
pub mod install;
pub mod jobs;
pub mod ledger;
pub mod materialise;
pub mod model;
pub mod notify;
pub mod notify_scan;
pub mod oversight;
pub mod pages;
mod read;
pub mod report_requests;
pub mod reviews;
pub mod testdb;
mod verify;
pub mod waiting;
mod write;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection, Transaction};

pub use audit::{AuditEntry, Break, HashAlg, StateChecked, Verification};
pub use auth::{LockedBy, LockoutPolicy, LoginGate, LoginTicket};
pub use datadir::{AuditFiles, DataDirLock};
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
    /// The database cannot take writes or cannot be reached (disk full, read-only, down); the
    /// message names the cause in words.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database: {0}")]
    Db(sqlx::Error),
}

impl From<sqlx::Error> for Error {
    /// Text PostgreSQL refuses (a NUL character, a value too large for an index) is the
    /// caller's mistake, not a server failure; storage failures are named in words.
    fn from(e: sqlx::Error) -> Error {
        health::classify(e)
    }
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
        Error::from(e)
    }
}

/// Refuse text the two databases would treat differently: PostgreSQL cannot store a NUL
/// character at all, SQLite would. Checked at the store's boundary so both behave alike.
pub(crate) fn check_text(field: &str, value: &str) -> Result<()> {
    if value.contains('\0') {
        return Err(Error::Invalid(format!(
            "{field}: contains a NUL character (\\0), which cannot be stored"
        )));
    }
    Ok(())
}

/// `$from, $from+1, …` — `n` numbered parameters for an `IN (…)` list.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
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

/// Binds a list of values ([`ledger::Bind`]) to a query built with `sqlx::query_as`.
/// Binds a list's values to its statement, which is not kept prepared: each list is planned for
/// the values asked. On PostgreSQL a statement kept prepared may, after five runs, get a generic
/// plan made without its values, and for a list bounded by due dates under a subtree that plan
/// walked every unit of the subtree (54 ms at 10,000 units) where the plan for the values reads
/// ten index entries (0.2 ms, planning included). The lists' SQL also varies with the filters
/// given, so keeping each shape prepared would only fill the statement cache.
macro_rules! bind_all {
    ($q:expr, $binds:expr) => {{
        let mut q = $q.persistent(false);
        for b in $binds {
            q = match b {
                $crate::ledger::Bind::I64(v) => q.bind(*v),
                $crate::ledger::Bind::Text(v) => q.bind(v.clone()),
                $crate::ledger::Bind::Date(v) => q.bind(*v),
                $crate::ledger::Bind::Time(v) => q.bind(*v),
            };
        }
        q
    }};
}
pub(crate) use bind_all;

/// The database's plan for a query, a line per step: SQLite's `EXPLAIN QUERY PLAN`, or
/// PostgreSQL's `EXPLAIN` with sequential scans priced out (a test database is too small for
/// the planner to prefer an index on its own; what matters is that one serves). For the
/// query-plan tests of the lists.
pub(crate) async fn explain(
    conn: Conn<'_>,
    sql: &str,
    binds: &[ledger::Bind],
) -> Result<Vec<String>> {
    Ok(match conn {
        Conn::Sqlite(c) => {
            let sql = format!("EXPLAIN QUERY PLAN {sql}");
            let rows: Vec<(i64, i64, i64, String)> = bind_all!(sqlx::query_as(&sql), binds)
                .fetch_all(&mut *c)
                .await?;
            rows.into_iter().map(|r| r.3).collect()
        }
        Conn::Postgres(c) => {
            sqlx::query("SET enable_seqscan = off")
                .execute(&mut *c)
                .await?;
            let sql = format!("EXPLAIN {sql}");
            let rows: std::result::Result<Vec<(String,)>, sqlx::Error> =
                bind_all!(sqlx::query_as(&sql), binds)
                    .fetch_all(&mut *c)
                    .await;
            sqlx::query("RESET enable_seqscan").execute(&mut *c).await?;
            rows?.into_iter().map(|r| r.0).collect()
        }
    })
}

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

/// How to open a [`Store`].
#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// The audit hash for a new database (ignored once the database has a chain).
    pub audit_alg: HashAlg,
    /// The data directory's audit key, anchors and checkpoint. Without them the chain is
    /// hashed but not keyed, nothing is anchored, and a keyed chain cannot be extended.
    pub audit_files: Option<Arc<AuditFiles>>,
    /// Apply pending migrations (off for tools that must not change a database a running
    /// server of another version uses).
    pub migrate: bool,
    /// Tests: cap the SQLite file at this many pages, to reproduce a full disk.
    #[doc(hidden)]
    pub sqlite_max_page_count: Option<u64>,
    /// The most pooled connections (default 8 on SQLite, 16 on PostgreSQL). Tests use a small
    /// pool to prove that no request holds one connection while it waits for another.
    pub max_connections: Option<u32>,
}

impl OpenOptions {
    pub fn new(audit_alg: HashAlg) -> OpenOptions {
        OpenOptions {
            audit_alg,
            audit_files: None,
            migrate: true,
            sqlite_max_page_count: None,
            max_connections: None,
        }
    }

    pub fn max_connections(mut self, n: u32) -> OpenOptions {
        self.max_connections = Some(n.max(1));
        self
    }

    pub fn audit_files(mut self, files: AuditFiles) -> OpenOptions {
        self.audit_files = Some(Arc::new(files));
        self
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
    files: Option<Arc<AuditFiles>>,
    /// The last verified point when there is no checkpoint file; the lock also keeps two
    /// incremental verifications of this process from running at once.
    verified: Arc<tokio::sync::Mutex<Option<(i64, String)>>>,
    health: Arc<health::Health>,
}

impl Store {
    /// Connect, apply migrations, and on a new database fix the audit hash algorithm.
    /// `new_audit_alg` is ignored for a database that already has a chain. The chain is not
    /// keyed: see [`Store::open_with`].
    pub async fn open(url: &str, new_audit_alg: HashAlg) -> Result<Store> {
        Store::open_with(url, OpenOptions::new(new_audit_alg)).await
    }

    /// Connect with options (the audit key files of the data directory, above all).
    pub async fn open_with(url: &str, o: OpenOptions) -> Result<Store> {
        let new_audit_alg = o.audit_alg;
        let pool = dialect::connect(url, &o).await?;
        if o.migrate {
            dialect::migrate(&pool).await?;
        }
        let sqlite_writer =
            matches!(pool, Pool::Sqlite(_)).then(|| Arc::new(tokio::sync::Mutex::new(())));
        let mut store = Store {
            pool,
            alg: new_audit_alg,
            sqlite_writer,
            files: o.audit_files,
            verified: Arc::new(tokio::sync::Mutex::new(None)),
            health: Arc::new(health::Health::default()),
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
        if o.migrate {
            store.backfill_policy_scope().await?;
            store.backfill_oversight().await?;
        }
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// During and after a bulk load (the demo, a large import) on PostgreSQL: reclaims the dead
    /// versions of rows updated over and over (the counts of the units at the top of the tree
    /// change with every record written below them) and refreshes the planner's statistics.
    /// Autovacuum does both, but minutes later (and never where it is off): meanwhile each
    /// read of a top unit's counts walks every earlier version of its row, and with the
    /// statistics of a nearly empty table PostgreSQL reads a record's participants by
    /// scanning every participant of every record (80 ms each at 300,000 rows) instead of by
    /// its index. SQLite updates rows in place and plans by its indexes: nothing to do there.
    pub async fn after_bulk_load(&self) -> Result<()> {
        if let Pool::Postgres(p) = &self.pool {
            // Not in a transaction (VACUUM refuses one): the simple protocol, on its own.
            sqlx::raw_sql("VACUUM ANALYZE").execute(p).await?;
        }
        Ok(())
    }

    pub fn audit_algorithm(&self) -> HashAlg {
        self.alg
    }

    /// The audit key files this store was opened with.
    pub fn audit_files(&self) -> Option<&AuditFiles> {
        self.files.as_deref()
    }

    pub(crate) fn keyring(&self) -> &audit::Keyring {
        static NONE: std::sync::OnceLock<audit::Keyring> = std::sync::OnceLock::new();
        match &self.files {
            Some(f) => f.keyring(),
            None => NONE.get_or_init(audit::Keyring::default),
        }
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
        let tx = match self.begin().await {
            Ok(tx) => tx,
            Err(e) => {
                self.health.failed(&e);
                return Err(e);
            }
        };
        Ok(Write::new(
            tx,
            actor.clone(),
            self.alg,
            self.files.clone(),
            self.health.clone(),
            guard,
        ))
    }

    /// Begin a write transaction on a connection that is not stuck in an earlier one. After
    /// a failed COMMIT or ROLLBACK (a full disk, an I/O error) sqlx can count a connection as
    /// still inside a transaction although the database ended it; such a connection would
    /// refuse every later BEGIN ("begin_with at non-zero transaction depth") until a restart,
    /// so it is closed and another one taken.
    async fn begin(&self) -> Result<Tx> {
        use sqlx::Connection;
        // Every connection of the pool may be stuck; one more try than the pool has.
        for _ in 0..=16 {
            match &self.pool {
                Pool::Sqlite(p) => {
                    let c = p.acquire().await?;
                    if c.is_in_transaction() {
                        tracing::warn!(
                            "closing a database connection left inside a failed transaction"
                        );
                        let _ = c.close().await;
                        continue;
                    }
                    // IMMEDIATE takes the write lock at once: a transaction that reads before
                    // it writes could otherwise fail when another connection (session
                    // bookkeeping) committed in between.
                    return Ok(Tx::Sqlite(
                        Transaction::begin(c, Some("BEGIN IMMEDIATE".into())).await?,
                    ));
                }
                Pool::Postgres(p) => {
                    let c = p.acquire().await?;
                    if c.is_in_transaction() {
                        tracing::warn!(
                            "closing a database connection left inside a failed transaction"
                        );
                        let _ = c.close().await;
                        continue;
                    }
                    return Ok(Tx::Postgres(Transaction::begin(c, None).await?));
                }
            }
        }
        Err(Error::Unavailable(
            "every database connection is stuck in a failed transaction".into(),
        ))
    }

    /// Is the database answering?
    pub async fn ping(&self) -> Result<()> {
        let mut c = self.acquire().await?;
        let _: (i64,) = run!(c.conn(), |c| sqlx::query_as("SELECT CAST(1 AS BIGINT)")
            .fetch_one(&mut *c)
            .await)?;
        Ok(())
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

impl Reader {
    /// The statements this connection keeps prepared (PostgreSQL; none listed on SQLite), for
    /// tests.
    #[doc(hidden)]
    pub async fn prepared_statements(&mut self) -> Result<Vec<String>> {
        match self.conn() {
            Conn::Postgres(c) => Ok(sqlx::query_scalar(
                "SELECT statement FROM pg_prepared_statements",
            )
            .fetch_all(&mut *c)
            .await?),
            Conn::Sqlite(_) => Ok(Vec::new()),
        }
    }
}

/// Timestamps are kept to the microsecond: PostgreSQL stores no more, and the audit hash must
/// be computed over exactly what is stored.
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}
