//! Faults: which database errors are the caller's (text PostgreSQL cannot store), which mean
//! the storage is failing (named in words: disk full, read-only, unreachable), and the cheap
//! write probe behind [`crate::Store::writable`].

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::read::Read;
use crate::{run, Backend, Error, Result};

/// Turn a database error into the store's: refused text → `Invalid`, storage failures →
/// `Unavailable` with the cause in words, everything else as it is.
pub(crate) fn classify(e: sqlx::Error) -> Error {
    if let Some(words) = storage_failure(&e) {
        return Error::Unavailable(format!("{words} ({e})"));
    }
    if let sqlx::Error::Database(d) = &e {
        if let Some(code) = d.code() {
            match code.as_ref() {
                // character_not_in_repertoire (a NUL byte), untranslatable_character,
                // invalid_text_representation, string_data_right_truncation,
                // program_limit_exceeded (an index row too large), invalid_byte_sequence.
                "22021" | "22P05" | "22P02" | "22001" | "54000" => {
                    return Error::Invalid(format!(
                        "the database refused this text: {}",
                        d.message()
                    ))
                }
                _ => {}
            }
        }
    }
    Error::Db(e)
}

/// The storage cause of an error, in words, if it is one.
pub(crate) fn storage_failure(e: &sqlx::Error) -> Option<&'static str> {
    match e {
        sqlx::Error::Io(_) => Some("the database connection failed"),
        sqlx::Error::PoolTimedOut => Some("no database connection became free in time"),
        sqlx::Error::PoolClosed => Some("the database pool is closed"),
        sqlx::Error::WorkerCrashed => Some("the database worker stopped"),
        sqlx::Error::Database(d) => {
            let code = d.code();
            let code = code.as_deref().unwrap_or("");
            // SQLite reports primary result codes (and extended ones when enabled).
            if let Ok(n) = code.parse::<i64>() {
                return match n & 0xff {
                    13 => Some("the disk is full (or the database reached its size limit)"),
                    10 => Some("the disk failed to read or write (I/O error)"),
                    8 => Some("the database file or its directory is read-only"),
                    14 => Some(
                        "the database file cannot be opened (missing or inaccessible directory?)",
                    ),
                    11 | 26 => Some("the database file is corrupt or not a database"),
                    _ => None,
                };
            }
            match code {
                "53100" => Some("the database server's disk is full"),
                "53200" => Some("the database server is out of memory"),
                "53300" => Some("the database server has too many connections"),
                "25006" => Some("the database is read-only (a standby?)"),
                "57P01" | "57P02" | "57P03" => {
                    Some("the database server is shutting down or starting")
                }
                "08000" | "08003" | "08006" | "08001" | "08004" => {
                    Some("the database connection failed")
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Why opening the database failed, in words an operator can act on.
pub(crate) fn connect_error(url: &str, backend: Backend, e: sqlx::Error) -> Error {
    let shown = crate::dialect::redact(url);
    let cause = match backend {
        Backend::Sqlite => sqlite_open_cause(url, &e),
        Backend::Postgres => postgres_connect_cause(&e),
    };
    Error::Connect(format!("{shown}: {cause} ({e})"))
}

fn sqlite_open_cause(url: &str, e: &sqlx::Error) -> String {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or("");
    let path = std::path::Path::new(path);
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    if !dir.exists() {
        return format!("the directory {} does not exist", dir.display());
    }
    if let Some(words) = storage_failure(e) {
        if (words.contains("read-only") || words.contains("cannot be opened"))
            && dir_is_read_only(dir)
        {
            return format!("the directory {} is read-only", dir.display());
        }
        return words.to_string();
    }
    if dir_is_read_only(dir) {
        return format!("the directory {} is read-only", dir.display());
    }
    "the database file cannot be opened".to_string()
}

fn dir_is_read_only(dir: &std::path::Path) -> bool {
    let probe = dir.join(format!(".zeren-write-test-{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            false
        }
        Err(_) => true,
    }
}

fn postgres_connect_cause(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused => {
                "the database server is unreachable (connection refused: is PostgreSQL running on that host and port?)".into()
            }
            std::io::ErrorKind::TimedOut => "the database server is unreachable (timed out)".into(),
            _ => "the database server is unreachable".into(),
        },
        sqlx::Error::PoolTimedOut => {
            "the database server did not answer in time (unreachable or overloaded)".into()
        }
        sqlx::Error::Database(d) => match d.code().as_deref() {
            Some("28P01") | Some("28000") => "PostgreSQL refused the user name or password".into(),
            Some("3D000") => "the database does not exist".into(),
            Some("53300") => "the database server has too many connections".into(),
            _ => "PostgreSQL refused the connection".into(),
        },
        sqlx::Error::Tls(_) => "the TLS handshake with the database server failed".into(),
        _ => "cannot connect".into(),
    }
}

/// What the last write probe found, so that a readiness check polled often costs one small
/// write a second at most.
#[derive(Debug, Default)]
pub(crate) struct Health {
    last: Mutex<Option<(Instant, std::result::Result<(), String>)>>,
}

/// How long a probe's answer stands when nothing failed since.
const PROBE_TTL: Duration = Duration::from_secs(1);

impl Health {
    /// A write failed for a storage reason: the next readiness check probes again.
    pub(crate) fn failed(&self, e: &Error) {
        if let Error::Unavailable(m) = e {
            *self.last.lock().unwrap_or_else(|p| p.into_inner()) =
                Some((Instant::now(), Err(m.clone())));
        }
    }

    /// Something may have changed: the next check probes.
    pub(crate) fn forget(&self) {
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    pub(crate) fn succeeded(&self) {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if matches!(&*last, Some((_, Err(_)))) {
            *last = Some((Instant::now(), Ok(())));
        }
    }

    fn cached(&self) -> Option<std::result::Result<(), String>> {
        let last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        match &*last {
            Some((at, r)) if at.elapsed() < PROBE_TTL => Some(r.clone()),
            _ => None,
        }
    }

    fn store(&self, r: std::result::Result<(), String>) {
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), r));
    }
}

/// A probe row grows by this much (more than most single writes) and shrinks again, so that
/// a database that cannot grow (disk full) fails the probe.
const BALLAST: usize = 64 * 1024;

impl crate::Store {
    /// Can the database take writes now? A small write transaction (not in the audit chain),
    /// at most once a second; the answer in between is the last one. For a readiness check:
    /// `Err` carries the cause in words while writes fail (disk full, read-only, unreachable)
    /// and clears by itself once the cause is gone.
    pub async fn writable(&self) -> Result<()> {
        if let Some(r) = self.health.cached() {
            return r.map_err(Error::Unavailable);
        }
        let r = self.probe_write().await;
        let stored = match &r {
            Ok(()) => Ok(()),
            Err(Error::Unavailable(m)) => Err(m.clone()),
            Err(e) => Err(e.to_string()),
        };
        self.health.store(stored.clone());
        stored.map_err(Error::Unavailable)
    }

    async fn probe_write(&self) -> Result<()> {
        let mut w = self.write(&crate::Actor::system()).await?;
        let at = crate::now();
        run!(w.conn(), |c| {
            sqlx::query(
                "INSERT INTO store_health (id, probed_at, ballast) VALUES (1, $1, $2)
                 ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at, ballast = excluded.ballast",
            )
            .bind(at)
            .bind(vec![0x5au8; BALLAST])
            .execute(&mut *c)
            .await?;
            sqlx::query("UPDATE store_health SET ballast = $1 WHERE id = 1")
                .bind(Vec::<u8>::new())
                .execute(&mut *c)
                .await?;
        });
        w.commit().await
    }
}
