//! The server's background work, run as jobs of the store's jobs table so that with several
//! instances on one database each job runs on one of them: the hourly materialisation (and the
//! one a change asks for), the sweep of idle sessions and old finished jobs, the notices scan,
//! and the sending of each e-mail of the delivery ledger. A scheduler puts
//! each periodic job in the table once per slot (its dedupe key); workers claim jobs under a
//! lease their heartbeats renew, and record a failure for a retry with backoff or the dead
//! letter (`zeren_core::jobs`).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;
use zeren_core::jobs::{after_failure, lease_until, Retry, HEARTBEAT_SECONDS};
use zeren_store::jobs::{Job, JobRead, NewJob};
use zeren_store::notify::{Answer, Channel, Queued, Started};
use zeren_store::notify_scan::queue_notices;
use zeren_store::{Actor, Store};

use crate::shared::clock::today;
use crate::shared::state::AppState;

/// Job kinds.
pub const MATERIALISE: &str = "materialise";
pub const SWEEP: &str = "sweep";
pub const NOTICES: &str = "notices";
pub const DIGESTS: &str = "digests";
use zeren_store::notify::DELIVER;

/// Workers per instance: materialising a large tree need not hold up a sweep.
const WORKERS: usize = 2;
/// How often an idle worker looks for work another instance enqueued (its own enqueues wake it).
const POLL: Duration = Duration::from_secs(5);
/// How often the scheduler puts the periodic jobs of the current slot in the table.
const SCHEDULE_EVERY: Duration = Duration::from_secs(60);
/// Finished jobs are kept this long (the keys of past slots with them).
const KEEP_DONE_DAYS: i64 = 7;

/// A failed attempt: what went wrong and whether trying again can help.
#[derive(Debug)]
pub struct Failure {
    pub retry: Retry,
    pub message: String,
}

impl Failure {
    fn passing(e: impl std::fmt::Display) -> Failure {
        Failure {
            retry: Retry::Backoff,
            message: e.to_string(),
        }
    }
}

/// What became of a job a worker took.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Failed,
    /// Another instance took the job meanwhile (this one's lease ran out): nothing recorded.
    Lost,
}

/// Starts the scheduler and the workers; the tasks end when they are aborted.
pub fn start(state: AppState) -> Vec<tokio::task::JoinHandle<()>> {
    let instance = instance_name();
    let wake = Arc::new(tokio::sync::Notify::new());
    let mut tasks = vec![tokio::spawn(schedule(state.clone(), wake.clone()))];
    for n in 0..WORKERS {
        let (state, wake, me) = (state.clone(), wake.clone(), format!("{instance}/{n}"));
        tasks.push(tokio::spawn(async move {
            loop {
                match run_one(&state, &me).await {
                    Ok(Some(_)) => continue,
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = %e, "job runner: cannot claim a job"),
                }
                // Until the next queued job falls due (a robot's message waiting for its rate
                // budget), at most a poll interval.
                let next = match state.store.reader().await {
                    Ok(mut r) => r.next_job_at().await.ok().flatten(),
                    Err(_) => None,
                };
                let nap = next
                    .and_then(|at| (at - zeren_store::now()).to_std().ok())
                    .map_or(POLL, |d| d.clamp(Duration::from_millis(20), POLL));
                tokio::select! {
                    _ = tokio::time::sleep(nap) => {}
                    _ = wake.notified() => {}
                }
            }
        }));
    }
    tasks
}

/// This instance's name in the jobs table (who holds a claim): host, process and a random part.
fn instance_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "zeren".into());
    let token = crate::shared::auth::random_token();
    format!("{host}:{}:{}", std::process::id(), &token[..8])
}

/// Puts the periodic jobs of the current slot in the table (once per slot, whichever instance
/// comes first) every minute, and a materialisation when a change asks for one.
async fn schedule(state: AppState, wake: Arc<tokio::sync::Notify>) {
    let changed = state.materialise_signal();
    loop {
        if let Err(e) = enqueue_periodic(&state.store, zeren_store::now()).await {
            tracing::warn!(error = %e, "job runner: cannot schedule the periodic jobs");
        }
        wake.notify_waiters();
        tokio::select! {
            _ = tokio::time::sleep(SCHEDULE_EVERY) => {}
            _ = changed.notified() => {
                let job = NewJob::now(MATERIALISE, json!({}));
                let mut w = match state.store.write(&Actor::system()).await {
                    Ok(w) => w,
                    Err(e) => {
                        tracing::warn!(error = %e, "job runner: cannot enqueue a materialisation");
                        continue;
                    }
                };
                let queued = match w.enqueue_coalesced(&job).await {
                    Ok(_) => w.commit().await,
                    Err(e) => Err(e),
                };
                if let Err(e) = queued {
                    tracing::warn!(error = %e, "job runner: cannot enqueue a materialisation");
                }
            }
        }
    }
}

/// The periodic jobs of the slot `now` falls in: materialising every hour, the sweep and the
/// notices (reminders, what waits for people) and the units' digests every five minutes. Their keys name the slot, so each runs once per slot across instances.
pub async fn enqueue_periodic(store: &Store, now: DateTime<Utc>) -> zeren_store::Result<()> {
    let hour = now.format("%Y-%m-%dT%H");
    let five = now.format("%M").to_string().parse::<u32>().unwrap_or(0) / 5;
    let mut w = store.write(&Actor::system()).await?;
    w.enqueue_job(&NewJob::now(MATERIALISE, json!({})).key(format!("{MATERIALISE}@{hour}")))
        .await?;
    w.enqueue_job(&NewJob::now(SWEEP, json!({})).key(format!("{SWEEP}@{hour}:{five}")))
        .await?;
    w.enqueue_job(&NewJob::now(NOTICES, json!({})).key(format!("{NOTICES}@{hour}:{five}")))
        .await?;
    w.enqueue_job(&NewJob::now(DIGESTS, json!({})).key(format!("{DIGESTS}@{hour}:{five}")))
        .await?;
    w.commit().await
}

/// Claims one ready job for `instance` and runs it, renewing the claim while it runs. None when
/// nothing was ready.
pub async fn run_one(state: &AppState, instance: &str) -> zeren_store::Result<Option<Outcome>> {
    let now = zeren_store::now();
    let Some(job) = state
        .store
        .claim_job(instance, now, lease_until(now))
        .await?
    else {
        return Ok(None);
    };
    let beat = async {
        loop {
            tokio::time::sleep(Duration::from_secs(HEARTBEAT_SECONDS as u64)).await;
            match state
                .store
                .heartbeat_job(&job, lease_until(zeren_store::now()))
                .await
            {
                Ok(true) => {}
                // Lost: the attempt runs to its end, but its result will be refused.
                Ok(false) => std::future::pending::<()>().await,
                Err(e) => tracing::warn!(error = %e, job = job.id, "job runner: heartbeat failed"),
            }
        }
    };
    let result = tokio::select! {
        r = handle(state, &job) => r,
        _ = beat => unreachable!("the heartbeat never ends"),
    };
    let mut w = state.store.write(&Actor::system()).await?;
    let (recorded, outcome) = match result {
        Ok(()) => (w.finish_job(&job).await?, Outcome::Done),
        Err(f) => {
            let after = after_failure(
                job.attempts,
                job.max_attempts,
                f.retry,
                zeren_store::now(),
                jitter(),
            );
            tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, error = %f.message, "job failed");
            (w.fail_job(&job, &f.message, after).await?, Outcome::Failed)
        }
    };
    w.commit().await?;
    Ok(Some(if recorded { outcome } else { Outcome::Lost }))
}

/// A number in [0, 1) to spread retries (the clock's nanoseconds are random enough for that).
fn jitter() -> f64 {
    f64::from(Utc::now().timestamp_subsec_nanos() % 1_000_000) / 1_000_000.0
}

/// Runs one job by its kind.
async fn handle(state: &AppState, job: &Job) -> Result<(), Failure> {
    match job.kind.as_str() {
        MATERIALISE => materialise(state).await,
        SWEEP => sweep(state).await,
        NOTICES => notices(state).await.map(|_| ()),
        DIGESTS => digests(state).await.map(|_| ()),
        DELIVER => deliver(state, job).await,
        other => Err(Failure {
            retry: Retry::Never,
            message: format!("unknown job kind {other:?}"),
        }),
    }
}

/// Obligations for the current period and the next, and the channels' reviews; idempotent.
async fn materialise(state: &AppState) -> Result<(), Failure> {
    let cal =
        zeren_policy::calendar::WorkCalendar::with_imported(&state.config.data.join("calendar"))
            .map_err(|e| Failure::passing(format!("calendar files unreadable: {e}")))?;
    let r = zeren_store::materialise::materialise_all(&state.store, today(), &cal)
        .await
        .map_err(Failure::passing)?;
    if r.created + r.removed > 0 {
        tracing::info!(
            created = r.created,
            removed = r.removed,
            "obligations materialised"
        );
    }
    zeren_store::channel_reviews::materialise_channel_reviews(&state.store, today())
        .await
        .map_err(Failure::passing)?;
    // The dashboard's year rows follow the day (readers are right without it; it keeps what
    // they correct for to a day's rows).
    state
        .store
        .move_oversight_pivots(today())
        .await
        .map_err(Failure::passing)?;
    Ok(())
}

/// Today's reminders and what newly waits for people, to their in-app inbox and, when a mail
/// server is configured, by e-mail to those who asked for it; the ledger's keys make a re-run
/// send nothing twice.
async fn notices(state: &AppState) -> Result<Queued, Failure> {
    let s = state.config.scan_settings(today(), zeren_store::now());
    let channels: &[Channel] = if state.config.smtp().is_some() {
        &[Channel::Inbox, Channel::Email]
    } else {
        &[Channel::Inbox]
    };
    let q = queue_notices(&state.store, &s, channels)
        .await
        .map_err(Failure::passing)?;
    if q.new > 0 {
        tracing::info!(new = q.new, "notices queued");
    }
    Ok(q)
}

/// The daily digests whose time (China time) has come today, to their units' group robots; the
/// ledger's keys send each robot's once a day.
async fn digests(state: &AppState) -> Result<Queued, Failure> {
    use zeren_store::notify::NotifyRead;
    let now = zeren_store::now();
    let local = zeren_core::notify::china(now);
    let mut r = state.store.reader().await.map_err(Failure::passing)?;
    // Those whose digest of today is in the ledger already are not worked out again.
    let done = r
        .robots_with_digest(&local.date().to_string())
        .await
        .map_err(Failure::passing)?;
    let robots: Vec<_> = r
        .digest_robots()
        .await
        .map_err(Failure::passing)?
        .into_iter()
        .filter(|r| {
            !done.contains(&r.id)
                && zeren_core::notify::parse_clock(&r.digest_at)
                    .is_some_and(|at| local.time() >= at)
        })
        .collect();
    drop(r);
    let s = state.config.scan_settings(local.date(), now);
    let q = zeren_store::notify_scan::queue_digests(
        &state.store,
        &s,
        &robots,
        state.config.public_url.as_deref(),
    )
    .await
    .map_err(Failure::passing)?;
    if q.new > 0 {
        tracing::info!(new = q.new, "daily digests queued");
    }
    Ok(q)
}

/// Sends one message of the ledger. Three commits of their own: the attempt's start (`sending`),
/// the hand-over (an e-mail: after the server's 354, before the data's final dot; a robot's:
/// with the start, just before its request), and the answer, recorded the moment it comes. An
/// instance that dies before the hand-over leaves a message the receiver cannot have, simply
/// sent by the job's next claim; one that dies between the hand-over and recording the answer —
/// the final dot's round trip, or the robot's request, and one commit — leaves it in doubt: the
/// next claim counts the attempt in doubt in the ledger and sends the same message again (an
/// e-mail with the same Message-ID). At most one repeat per message per crash. A robot's message
/// first waits for the robot's rate budget (the job comes back when it allows, ahead of the
/// robot's later messages, which wait behind it in its queue): never dropped.
async fn deliver(state: &AppState, job: &Job) -> Result<(), Failure> {
    use zeren_store::notify::NotifyRead;
    let Some(id) = job.payload_i64("delivery") else {
        return Err(Failure {
            retry: Retry::Never,
            message: "the job names no delivery".into(),
        });
    };
    let queued = state
        .store
        .reader()
        .await
        .map_err(Failure::passing)?
        .delivery(id)
        .await
        .map_err(Failure::passing)?;
    let mut robot = None;
    if let Some(d) = queued
        .as_ref()
        .filter(|d| d.channel == "robot" && d.state != "sent")
    {
        let r = robot_of(state, d).await?;
        let budgets = crate::shared::robots::budgets(r.1.platform, state.robot_minute());
        let longest = budgets.iter().map(|b| b.window).max().unwrap_or_default();
        let now = zeren_store::now();
        let sent = state
            .store
            .reader()
            .await
            .map_err(Failure::passing)?
            .robot_sends_since(r.0.id, now - longest)
            .await
            .map_err(Failure::passing)?;
        if let Some(at) = zeren_core::notify::next_send(&sent, &budgets, now) {
            return Err(Failure {
                retry: Retry::After(at - now),
                message: "waiting for the robot's rate budget".into(),
            });
        }
        robot = Some(r);
    }
    let mut w = state
        .store
        .write(&Actor::system())
        .await
        .map_err(Failure::passing)?;
    let started = w.start_delivery(id).await.map_err(Failure::passing)?;
    // A robot's request leaves at once: its hand-over is recorded with the start. An e-mail's is
    // recorded when the server is ready for its data (`hand` below).
    if let (Some(s), Some(_)) = (&started, &robot) {
        w.hand_delivery(id, s.delivery.attempts)
            .await
            .map_err(Failure::passing)?;
    }
    w.commit().await.map_err(Failure::passing)?;
    let Some(Started {
        delivery: d,
        in_doubt,
    }) = started
    else {
        return Ok(()); // sent already
    };
    if in_doubt {
        tracing::warn!(
            delivery = id,
            attempt = d.attempts,
            "the last attempt's instance stopped after handing the message over and before its answer was recorded: sending the same message again"
        );
    }
    let attempt = d.attempts;
    let hand = || hand_over(&state.store, id, attempt);
    let mut retry_after = None;
    let sent = match (d.channel.as_str(), &robot) {
        ("email", _) => crate::shared::mail::send(&state.config, &d, hand).await,
        ("robot", Some((_, target))) => {
            let msg = zeren_core::robots::RobotMessage {
                title: d.subject.clone(),
                text: d.body.clone(),
                mentions: d.mentions.split_whitespace().map(str::to_string).collect(),
                plain: d
                    .event
                    .starts_with(&format!("{}:", zeren_store::notify_scan::MENTION_EVENT)),
            };
            match crate::shared::robots::send(target, &msg, zeren_store::now()).await {
                Ok((code, words)) => Ok((code.to_string(), words)),
                Err(f) => {
                    use zeren_core::robots::{Setting, Then};
                    let then = match &f {
                        crate::shared::robots::Failure::Refused { setting, .. } => setting.then(),
                        _ => Setting::Other.then(),
                    };
                    if then == Then::Wait {
                        retry_after = Some(state.robot_minute());
                    }
                    Err(crate::shared::mail::Refused {
                        code: f.code(),
                        words: f.words(),
                        permanent: then == Then::FixSetting,
                        unknown: matches!(f, crate::shared::robots::Failure::NoAnswer(_)),
                    })
                }
            }
        }
        (other, _) => Err(crate::shared::mail::Refused {
            code: String::new(),
            words: format!("no sender for the channel {other:?}"),
            permanent: true,
            unknown: false,
        }),
    };
    // The answer in a commit of its own, at once: until it is in, a crash leaves the message in
    // doubt.
    let answer = match &sent {
        Ok((code, words)) => Answer::Accepted {
            code: code.clone(),
            words: words.clone(),
        },
        Err(r) if r.unknown => Answer::Unknown {
            words: r.words.clone(),
        },
        Err(r) => Answer::Refused {
            code: r.code.clone(),
            words: r.words.clone(),
        },
    };
    let mut w = state
        .store
        .write(&Actor::system())
        .await
        .map_err(Failure::passing)?;
    w.finish_delivery(id, attempt, &answer)
        .await
        .map_err(Failure::passing)?;
    w.commit().await.map_err(Failure::passing)?;
    match sent {
        Ok(_) => Ok(()),
        Err(r) => Err(Failure {
            retry: match retry_after {
                Some(wait) => Retry::After(wait),
                None if r.permanent => Retry::Never,
                None => Retry::Backoff,
            },
            message: format!("{} {}", r.code, r.words).trim().to_string(),
        }),
    }
}

/// Records that attempt `attempt` of delivery `id` hands its message over, in a commit of its own;
/// false when the attempt is no longer the message's current one.
async fn hand_over(store: &Store, id: i64, attempt: i64) -> Result<bool, String> {
    let mut w = store
        .write(&Actor::system())
        .await
        .map_err(|e| e.to_string())?;
    let mine = w
        .hand_delivery(id, attempt)
        .await
        .map_err(|e| e.to_string())?;
    w.commit().await.map_err(|e| e.to_string())?;
    Ok(mine)
}

/// The robot a message goes to, opened for sending; a robot removed, switched off or whose
/// secrets do not open ends the message (dead-lettered, to be retried once fixed).
async fn robot_of(
    state: &AppState,
    d: &zeren_store::notify::Delivery,
) -> Result<(zeren_store::notify::Robot, crate::shared::robots::Target), Failure> {
    use zeren_store::notify::NotifyRead;
    let never = |message: String| Failure {
        retry: Retry::Never,
        message,
    };
    let r = match d.robot_id {
        Some(id) => state
            .store
            .reader()
            .await
            .map_err(Failure::passing)?
            .robot(id)
            .await
            .map_err(Failure::passing)?,
        None => None,
    }
    .ok_or_else(|| never("the message names no robot".into()))?;
    if !r.active {
        return Err(never(format!("the robot {:?} is switched off", r.name)));
    }
    let t = crate::shared::robots::target(state.seal_key(), &r).map_err(never)?;
    Ok((r, t))
}

/// Removes idle sessions and finished jobs past keeping.
async fn sweep(state: &AppState) -> Result<(), Failure> {
    let now = zeren_store::now();
    // Idle sessions, and those past their absolute lifetime.
    state
        .store
        .delete_expired_sessions(
            now - state.config.session_idle(),
            state.config.session_max().map(|m| now - m),
        )
        .await
        .map_err(Failure::passing)?;
    state
        .store
        .sweep_jobs(now - chrono::Duration::days(KEEP_DONE_DAYS))
        .await
        .map_err(Failure::passing)?;
    Ok(())
}

/// The dead-letter list's size (for the log at start).
pub async fn dead_jobs(store: &Store) -> zeren_store::Result<i64> {
    Ok(store.reader().await?.job_counts().await?.dead)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::config::Config;
    use zeren_store::testdb::TestDb;
    use zeren_store::HashAlg;

    async fn state(db: &TestDb) -> AppState {
        let store = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
        AppState::new(
            store,
            Config {
                database_url: Some(db.url.clone()),
                ..Config::default()
            },
        )
    }

    /// The periodic jobs are enqueued once per slot however many instances schedule them; a
    /// worker runs them; an unknown kind goes straight to the dead letter.
    #[tokio::test]
    async fn periodic_jobs_run_once_per_slot_and_unknown_kinds_die() {
        for db in TestDb::all().await {
            let a = state(&db).await;
            let b = state(&db).await;
            let now = zeren_store::now();
            enqueue_periodic(&a.store, now).await.unwrap();
            enqueue_periodic(&b.store, now).await.unwrap();
            let counts = a.store.reader().await.unwrap().job_counts().await.unwrap();
            assert_eq!(
                counts.queued, 4,
                "one materialisation, one sweep, one scan, one round of digests"
            );
            a.store
                .enqueue_job(&NewJob::now("no_such_kind", json!({})))
                .await
                .unwrap();
            let mut outcomes = Vec::new();
            while let Some(o) = run_one(if outcomes.len() % 2 == 0 { &a } else { &b }, "t")
                .await
                .unwrap()
            {
                outcomes.push(o);
            }
            outcomes.sort_by_key(|o| format!("{o:?}"));
            assert_eq!(
                outcomes,
                [
                    Outcome::Done,
                    Outcome::Done,
                    Outcome::Done,
                    Outcome::Done,
                    Outcome::Failed
                ]
            );
            let mut r = a.store.reader().await.unwrap();
            let counts = r.job_counts().await.unwrap();
            assert_eq!((counts.done, counts.dead, counts.queued), (4, 1, 0));
            let dead = r.jobs_in("dead", 10).await.unwrap();
            assert!(dead[0].last_error.contains("no_such_kind"));
            drop(r);
            assert_eq!(dead_jobs(&a.store).await.unwrap(), 1);
            b.store.close().await;
            a.store.close().await;
            db.drop_db().await;
        }
    }

    /// What the loopback mail server took: (recipient, Message-ID) for each message with its
    /// final dot.
    type Taken = Arc<std::sync::Mutex<Vec<(String, String)>>>;

    /// A mail server on loopback: takes every message that ends with its final dot; a connection
    /// closed before it leaves no message, as with a real server.
    async fn mail_server() -> (u16, Taken) {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let taken: Taken = Default::default();
        let out = taken.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let taken = taken.clone();
                tokio::spawn(async move {
                    let (r, mut w) = socket.into_split();
                    let mut lines = BufReader::new(r).lines();
                    let _ = w.write_all(b"220 loopback ESMTP\r\n").await;
                    let mut rcpt = String::new();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let upper = line.to_ascii_uppercase();
                        if upper.starts_with("EHLO") {
                            let _ = w.write_all(b"250-loopback\r\n250 8BITMIME\r\n").await;
                        } else if upper.starts_with("RCPT TO:") {
                            rcpt = line[8..].trim().trim_matches(['<', '>']).to_string();
                            let _ = w.write_all(b"250 ok\r\n").await;
                        } else if upper == "DATA" {
                            let _ = w.write_all(b"354 go ahead\r\n").await;
                            let mut id = String::new();
                            loop {
                                match lines.next_line().await {
                                    Ok(Some(l)) if l == "." => break,
                                    Ok(Some(l)) => {
                                        if let Some(v) = l.strip_prefix("Message-ID: ") {
                                            id = v.to_string();
                                        }
                                    }
                                    _ => return, // no final dot: no message
                                }
                            }
                            taken.lock().unwrap().push((rcpt.clone(), id));
                            let _ = w.write_all(b"250 2.0.0 queued\r\n").await;
                        } else if upper == "QUIT" {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            return;
                        } else {
                            let _ = w.write_all(b"250 ok\r\n").await;
                        }
                    }
                });
            }
        });
        (port, out)
    }

    fn email(n: usize) -> zeren_store::notify::NewDelivery {
        zeren_store::notify::NewDelivery {
            event: format!("obligation:{n}:due_soon"),
            channel: Channel::Email,
            recipient: format!("person:{n}"),
            period: "due:2026-12-31".into(),
            person_id: None,
            robot_id: None,
            unit_id: None,
            address: format!("p{n}@school.example"),
            subject: "【即将到期】专题学习".into(),
            body: "请按时完成。".into(),
            link: format!("/obligations/{n}"),
            mentions: Vec::new(),
            urgent: false,
            not_before: zeren_store::now(),
        }
    }

    /// An instance killed after the mail server took a message and before the answer was
    /// recorded leaves the attempt in doubt: the next claim counts it so in the ledger and sends
    /// the same message again, with the same Message-ID — one delivery in the ledger, `sent`. One
    /// killed before the hand-over leaves nothing at the server and no doubt. An attempt that is
    /// no longer the message's current one does not hand it over: the server gets nothing.
    #[tokio::test]
    async fn an_attempt_killed_after_the_hand_over_is_resent_in_doubt_with_its_message_id() {
        use zeren_store::notify::NotifyRead;
        for db in TestDb::all().await {
            let (port, server) = mail_server().await;
            let store = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
            let state = AppState::new(
                store,
                Config {
                    database_url: Some(db.url.clone()),
                    smtp_host: Some("127.0.0.1".into()),
                    smtp_port: Some(port),
                    smtp_tls: "none".into(),
                    smtp_from: Some("zeren@school.example".into()),
                    ..Config::default()
                },
            );
            let mut w = state.store.write(&Actor::system()).await.unwrap();
            w.queue_messages(&[email(1), email(2)]).await.unwrap();
            w.commit().await.unwrap();
            let store = &state.store;
            // A dead instance's attempt: claimed (its lease run out at once), started, and —
            // for the first message — handed over and taken by the server, then nothing.
            let mut ids = Vec::new();
            for handed in [true, false] {
                let now = zeren_store::now();
                let job = store.claim_job("dead", now, now).await.unwrap().unwrap();
                let id = job.payload_i64("delivery").unwrap();
                ids.push(id);
                let mut w = store.write(&Actor::system()).await.unwrap();
                let s = w.start_delivery(id).await.unwrap().unwrap();
                w.commit().await.unwrap();
                assert!(!s.in_doubt);
                if handed {
                    let attempt = s.delivery.attempts;
                    let hand = || hand_over(store, id, attempt);
                    let (code, _) = crate::shared::mail::send(&state.config, &s.delivery, hand)
                        .await
                        .unwrap();
                    assert_eq!(code, "250");
                }
            }
            assert_eq!(
                server.lock().unwrap().len(),
                1,
                "the first reached the server"
            );
            // Another instance takes both over.
            let mut outcomes = Vec::new();
            while let Some(o) = run_one(&state, "live").await.unwrap() {
                outcomes.push(o);
            }
            assert_eq!(outcomes, [Outcome::Done, Outcome::Done]);
            let taken = server.lock().unwrap().clone();
            let mut r = store.reader().await.unwrap();
            let first = r.delivery(ids[0]).await.unwrap().unwrap();
            let second = r.delivery(ids[1]).await.unwrap().unwrap();
            drop(r);
            let mid = |id: i64| format!("<zeren-delivery-{id}@school.example>");
            assert_eq!(
                taken,
                [
                    ("p1@school.example".to_string(), mid(ids[0])),
                    ("p1@school.example".to_string(), mid(ids[0])),
                    ("p2@school.example".to_string(), mid(ids[1])),
                ],
                "the message in doubt again, the same message; the other once"
            );
            assert_eq!(
                (first.state.as_str(), first.attempts, first.in_doubt),
                ("sent", 2, 1)
            );
            assert_eq!(
                (second.state.as_str(), second.attempts, second.in_doubt),
                ("sent", 2, 0)
            );
            assert_eq!(first.result_code, "250");
            // A superseded attempt (its instance thought dead) stops before the final dot.
            let mut w = store.write(&Actor::system()).await.unwrap();
            w.queue_messages(&[email(3)]).await.unwrap();
            w.commit().await.unwrap();
            let now = zeren_store::now();
            let job = store.claim_job("slow", now, now).await.unwrap().unwrap();
            let id = job.payload_i64("delivery").unwrap();
            let mut w = store.write(&Actor::system()).await.unwrap();
            let slow = w.start_delivery(id).await.unwrap().unwrap();
            let fresh = w.start_delivery(id).await.unwrap().unwrap();
            w.commit().await.unwrap();
            let attempt = slow.delivery.attempts;
            let hand = || hand_over(store, id, attempt);
            let refused = crate::shared::mail::send(&state.config, &slow.delivery, hand)
                .await
                .unwrap_err();
            assert!(!refused.unknown, "{refused:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
            assert_eq!(
                server.lock().unwrap().len(),
                3,
                "nothing more reached the server"
            );
            // The current attempt hands it over and sends it.
            let attempt = fresh.delivery.attempts;
            let hand = || hand_over(store, id, attempt);
            crate::shared::mail::send(&state.config, &fresh.delivery, hand)
                .await
                .unwrap();
            assert_eq!(server.lock().unwrap().len(), 4);
            state.store.close().await;
            db.drop_db().await;
        }
    }
}
