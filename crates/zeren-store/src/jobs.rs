//! The jobs table: background work for every instance. A job is enqueued once (by its dedupe key,
//! when it has one), claimed by one instance under a lease that heartbeats renew, finished, or
//! failed and retried with backoff until it is dead-lettered for the system administrator. Jobs
//! of one queue run one at a time in order. The rules (lease, backoff) are `zeren_core::jobs`;
//! the runner that calls these is the web server's.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use zeren_core::jobs::AfterFailure;

use crate::read::Read;
use crate::{run, Actor, Conn, Result, Store, Write};

/// A job as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub queue: Option<String>,
    pub dedupe_key: Option<String>,
    /// queued, running, done or dead.
    pub state: String,
    pub run_at: DateTime<Utc>,
    pub attempts: i64,
    pub max_attempts: i64,
    pub claims: i64,
    pub claimed_by: Option<String>,
    pub lease_until: Option<DateTime<Utc>>,
    pub last_error: String,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl Job {
    /// The payload's field `name` as a number (ids of what the job works on).
    pub fn payload_i64(&self, name: &str) -> Option<i64> {
        serde_json::from_str::<serde_json::Value>(&self.payload)
            .ok()?
            .get(name)?
            .as_i64()
    }
}

/// A job to enqueue.
#[derive(Clone, Debug, PartialEq)]
pub struct NewJob {
    pub kind: String,
    pub payload: serde_json::Value,
    pub queue: Option<String>,
    pub dedupe_key: Option<String>,
    pub run_at: DateTime<Utc>,
    pub max_attempts: i64,
}

impl NewJob {
    /// A job of `kind` to run now, tried up to the default number of times.
    pub fn now(kind: &str, payload: serde_json::Value) -> NewJob {
        NewJob {
            kind: kind.to_string(),
            payload,
            queue: None,
            dedupe_key: None,
            run_at: crate::now(),
            max_attempts: zeren_core::jobs::DEFAULT_MAX_ATTEMPTS,
        }
    }

    pub fn key(mut self, key: impl Into<String>) -> NewJob {
        self.dedupe_key = Some(key.into());
        self
    }

    pub fn queue(mut self, queue: impl Into<String>) -> NewJob {
        self.queue = Some(queue.into());
        self
    }

    pub fn at(mut self, at: DateTime<Utc>) -> NewJob {
        self.run_at = at;
        self
    }
}

/// How many jobs are in each state (the administrator's overview).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct JobCounts {
    pub queued: i64,
    pub running: i64,
    pub done: i64,
    pub dead: i64,
}

const JOB: &str = "SELECT id, kind, payload, queue, dedupe_key, state, run_at, attempts, max_attempts, claims, claimed_by, lease_until, last_error, created_at, finished_at FROM jobs";
const RETURNING: &str = "RETURNING id, kind, payload, queue, dedupe_key, state, run_at, attempts, max_attempts, claims, claimed_by, lease_until, last_error, created_at, finished_at";

fn lock_of(c: &Conn<'_>) -> &'static str {
    crate::dialect::claim_lock(match c {
        Conn::Sqlite(_) => crate::Backend::Sqlite,
        Conn::Postgres(_) => crate::Backend::Postgres,
    })
}

impl Write {
    /// Enqueues a job. With a dedupe key a job is enqueued once however often this is called, on
    /// whichever instance: the id when it is new, None when the key was there.
    pub async fn enqueue_job(&mut self, j: &NewJob) -> Result<Option<i64>> {
        let payload = j.payload.to_string();
        crate::check_text("job", &payload)?;
        let row: Option<(i64,)> = run!(self.conn(), |c| {
            sqlx::query_as(
            "INSERT INTO jobs (kind, payload, queue, dedupe_key, state, run_at, attempts, max_attempts, claims, last_error, created_at)
             VALUES ($1, $2, $3, $4, 'queued', $5, 0, $6, 0, '', $7)
             ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"
        )
        .bind(&j.kind)
        .bind(&payload)
        .bind(j.queue.as_deref())
        .bind(j.dedupe_key.as_deref())
        .bind(j.run_at)
        .bind(j.max_attempts.max(1))
        .bind(crate::now())
        .fetch_optional(&mut *c)
        .await
        })?;
        Ok(row.map(|(id,)| id))
    }

    /// Enqueues a job of `kind` unless one is already waiting to run (not yet claimed): wake-ups
    /// that come in a burst (obligations changed three times in a second) make one run.
    pub async fn enqueue_coalesced(&mut self, j: &NewJob) -> Result<Option<i64>> {
        let waiting: Option<(i64,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT id FROM jobs WHERE kind = $1 AND state = 'queued' AND run_at <= $2 LIMIT 1"
        )
        .bind(&j.kind)
        .bind(j.run_at)
        .fetch_optional(&mut *c)
        .await)?;
        if waiting.is_some() {
            return Ok(None);
        }
        self.enqueue_job(j).await
    }

    /// Claims the next ready job for `instance` until `lease_until`: the oldest due job that is
    /// not behind another job of its queue, else a running job whose claim ran out (its instance
    /// died). None when there is nothing to do.
    pub async fn claim_job(
        &mut self,
        instance: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Job>> {
        let lock = lock_of(&self.conn());
        let ready = format!(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, claims = claims + 1,
                 claimed_by = $1, lease_until = $2
             WHERE id = (SELECT j.id FROM jobs j
                 WHERE j.state = 'queued' AND j.run_at <= $3
                   AND (j.queue IS NULL OR NOT EXISTS (SELECT 1 FROM jobs k
                        WHERE k.queue = j.queue AND k.id < j.id AND k.state IN ('queued', 'running')))
                 ORDER BY j.run_at, j.id LIMIT 1 {lock})
             {RETURNING}"
        );
        let job: Option<Job> = run!(self.conn(), |c| sqlx::query_as(&ready)
            .bind(instance)
            .bind(lease_until)
            .bind(now)
            .fetch_optional(&mut *c)
            .await)?;
        if job.is_some() {
            return Ok(job);
        }
        let expired = format!(
            "UPDATE jobs SET attempts = attempts + 1, claims = claims + 1, claimed_by = $1, lease_until = $2
             WHERE id = (SELECT id FROM jobs WHERE state = 'running' AND lease_until <= $3
                 ORDER BY id LIMIT 1 {lock})
             {RETURNING}"
        );
        Ok(run!(self.conn(), |c| sqlx::query_as(&expired)
            .bind(instance)
            .bind(lease_until)
            .bind(now)
            .fetch_optional(&mut *c)
            .await)?)
    }

    /// Marks a claimed job done. False when the claim was lost meanwhile (another instance took
    /// the job after this one's lease ran out): nothing is changed then.
    pub async fn finish_job(&mut self, job: &Job) -> Result<bool> {
        let n = run!(self.conn(), |c| sqlx::query(
            "UPDATE jobs SET state = 'done', finished_at = $1, lease_until = NULL
             WHERE id = $2 AND state = 'running' AND claimed_by = $3 AND claims = $4"
        )
        .bind(crate::now())
        .bind(job.id)
        .bind(job.claimed_by.as_deref())
        .bind(job.claims)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Records a failed attempt of a claimed job: queued again for `at` (the attempt counted or
    /// not), or dead-lettered. False when the claim was lost meanwhile.
    pub async fn fail_job(&mut self, job: &Job, error: &str, after: AfterFailure) -> Result<bool> {
        let error = zeren_core::notify::cut_to_bytes(error, 2000).replace('\0', "");
        let now = crate::now();
        let n = match after {
            AfterFailure::RetryAt { at, counts } => run!(self.conn(), |c| sqlx::query(
                "UPDATE jobs SET state = 'queued', run_at = $1, attempts = attempts - $2,
                     last_error = $3, claimed_by = NULL, lease_until = NULL
                 WHERE id = $4 AND state = 'running' AND claimed_by = $5 AND claims = $6"
            )
            .bind(at)
            .bind(if counts { 0i64 } else { 1i64 })
            .bind(&error)
            .bind(job.id)
            .bind(job.claimed_by.as_deref())
            .bind(job.claims)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?,
            AfterFailure::Dead => run!(self.conn(), |c| {
                sqlx::query(
                "UPDATE jobs SET state = 'dead', finished_at = $1, last_error = $2, lease_until = NULL
                 WHERE id = $3 AND state = 'running' AND claimed_by = $4 AND claims = $5"
            )
            .bind(now)
            .bind(&error)
            .bind(job.id)
            .bind(job.claimed_by.as_deref())
            .bind(job.claims)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
            })?,
        };
        Ok(n == 1)
    }

    /// Puts a dead-lettered job back in the queue, to run now with its attempts counted afresh
    /// (the system administrator's retry, after fixing what failed). Audited.
    pub async fn retry_dead_job(&mut self, id: i64) -> Result<bool> {
        let n = run!(self.conn(), |c| sqlx::query(
            "UPDATE jobs SET state = 'queued', run_at = $1, attempts = 0, finished_at = NULL,
                 claimed_by = NULL, lease_until = NULL
             WHERE id = $2 AND state = 'dead'"
        )
        .bind(crate::now())
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 1 {
            self.record("job.retry", "job", &id.to_string(), &json!({ "id": id }))
                .await?;
        }
        Ok(n == 1)
    }
}

impl Store {
    /// [`Write::claim_job`] in a transaction of its own.
    pub async fn claim_job(
        &self,
        instance: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Job>> {
        let mut w = self.write(&Actor::system()).await?;
        let job = w.claim_job(instance, now, lease_until).await?;
        w.commit().await?;
        Ok(job)
    }

    /// Renews the claim on a running job; false when it was lost (the worker should stop).
    pub async fn heartbeat_job(&self, job: &Job, lease_until: DateTime<Utc>) -> Result<bool> {
        let mut c = self.acquire().await?;
        let n = run!(c.conn(), |c| sqlx::query(
            "UPDATE jobs SET lease_until = $1
             WHERE id = $2 AND state = 'running' AND claimed_by = $3 AND claims = $4"
        )
        .bind(lease_until)
        .bind(job.id)
        .bind(job.claimed_by.as_deref())
        .bind(job.claims)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Enqueues one job in a transaction of its own (see [`Write::enqueue_job`]).
    pub async fn enqueue_job(&self, j: &NewJob) -> Result<Option<i64>> {
        let mut w = self.write(&Actor::system()).await?;
        let id = w.enqueue_job(j).await?;
        w.commit().await?;
        Ok(id)
    }

    /// Removes finished jobs older than `before` (dead ones stay until retried or the
    /// administrator looks).
    pub async fn sweep_jobs(&self, before: DateTime<Utc>) -> Result<u64> {
        let mut c = self.acquire().await?;
        Ok(run!(c.conn(), |c| sqlx::query(
            "DELETE FROM jobs WHERE state = 'done' AND finished_at < $1"
        )
        .bind(before)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?)
    }
}

#[allow(async_fn_in_trait)] // implemented only by this crate's concrete, Send types
pub trait JobRead: Read {
    async fn job(&mut self, id: i64) -> Result<Option<Job>> {
        let sql = format!("{JOB} WHERE id = $1");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?)
    }

    /// Jobs in `state`, newest first, at most `limit`.
    async fn jobs_in(&mut self, state: &str, limit: i64) -> Result<Vec<Job>> {
        let sql = format!("{JOB} WHERE state = $1 ORDER BY id DESC LIMIT $2");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(state)
            .bind(limit.clamp(1, 1000))
            .fetch_all(&mut *c)
            .await)?)
    }

    async fn job_counts(&mut self) -> Result<JobCounts> {
        let rows: Vec<(String, i64)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT state, COUNT(*) FROM jobs GROUP BY state"
        )
        .fetch_all(&mut *c)
        .await)?;
        let mut out = JobCounts::default();
        for (state, n) in rows {
            match state.as_str() {
                "queued" => out.queued = n,
                "running" => out.running = n,
                "done" => out.done = n,
                _ => out.dead = n,
            }
        }
        Ok(out)
    }

    /// When the next queued job falls due (the runner sleeps until then when idle).
    async fn next_job_at(&mut self) -> Result<Option<DateTime<Utc>>> {
        let row: Option<(Option<DateTime<Utc>>,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT MIN(run_at) FROM jobs WHERE state = 'queued'"
        )
        .fetch_optional(&mut *c)
        .await)?;
        Ok(row.and_then(|(t,)| t))
    }
}

impl<T: Read> JobRead for T {}
