//! Fresh, throw-away databases for tests: a SQLite file in a temporary directory always, and a
//! uniquely named PostgreSQL database when `ZEREN_TEST_DATABASE_URL` is set (created from that
//! URL and dropped afterwards).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::Connection;

use crate::{Backend, Result};

pub const ENV: &str = "ZEREN_TEST_DATABASE_URL";

static COUNTER: AtomicU64 = AtomicU64::new(0);
static SKIPPED: std::sync::Once = std::sync::Once::new();

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        t % 1_000_000_000_000,
        n
    )
}

pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    dir: Option<PathBuf>,
    pg_admin: Option<(String, String)>,
}

impl TestDb {
    /// The backends to run a test on: SQLite, plus PostgreSQL when configured. Says so on
    /// stderr when the PostgreSQL run is skipped.
    pub async fn all() -> Vec<TestDb> {
        let mut v = vec![TestDb::sqlite()];
        match std::env::var(ENV) {
            Ok(url) if !url.is_empty() => v.push(
                TestDb::postgres(&url)
                    .await
                    .expect("create PostgreSQL test database"),
            ),
            _ => SKIPPED.call_once(|| {
                // Written past the test harness's capture so that it shows in every run.
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "note: {ENV} is not set: the PostgreSQL suite was skipped (SQLite only)"
                );
            }),
        }
        v
    }

    /// Another fresh database of the same backend.
    pub async fn fresh_like(&self) -> TestDb {
        match &self.pg_admin {
            Some((admin, _)) => TestDb::postgres(admin)
                .await
                .expect("create PostgreSQL test database"),
            None => TestDb::sqlite(),
        }
    }

    pub fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(unique("zeren_test"));
        std::fs::create_dir_all(&dir).expect("create temporary directory");
        let url = format!("sqlite://{}", dir.join("zeren.db").display());
        TestDb {
            url,
            backend: Backend::Sqlite,
            dir: Some(dir),
            pg_admin: None,
        }
    }

    pub async fn postgres(admin_url: &str) -> Result<TestDb> {
        let name = unique("zeren_test");
        let mut c = sqlx::PgConnection::connect(admin_url).await?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut c)
            .await?;
        c.close().await?;
        let url = replace_db_name(admin_url, &name);
        Ok(TestDb {
            url,
            backend: Backend::Postgres,
            dir: None,
            pg_admin: Some((admin_url.to_string(), name)),
        })
    }

    /// Run SQL outside the store, as an intruder with direct database access would.
    pub async fn exec_raw(&self, sql: &str) -> Result<u64> {
        exec_raw(&self.url, sql).await
    }

    /// Remove the database. Call at the end of the test, after closing every pool on it.
    pub async fn drop_db(self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((admin, name)) = &self.pg_admin {
            if let Ok(mut c) = sqlx::PgConnection::connect(admin).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut c)
                    .await;
                let _ = c.close().await;
            }
        }
    }
}

/// Run SQL on the database at `url` directly, bypassing the store and its audit chain.
pub async fn exec_raw(url: &str, sql: &str) -> Result<u64> {
    Ok(match crate::dialect::backend_of(url)? {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(url).await?;
            let n = sqlx::raw_sql(sql).execute(&mut c).await?.rows_affected();
            c.close().await?;
            n
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await?;
            let n = sqlx::raw_sql(sql).execute(&mut c).await?.rows_affected();
            c.close().await?;
            n
        }
    })
}

/// `postgres://u@h:5432/postgres?x=y` → same with the database name replaced.
fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            super::replace_db_name("postgres://p@h:5432/postgres", "x"),
            "postgres://p@h:5432/x"
        );
        assert_eq!(
            super::replace_db_name("postgres://p@h/db?sslmode=disable", "x"),
            "postgres://p@h/x?sslmode=disable"
        );
        assert_eq!(
            super::replace_db_name("postgres://p@h", "x"),
            "postgres://p@h/x"
        );
    }
}
