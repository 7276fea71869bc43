//! The jobs table and the delivery ledger on both databases: a job is claimed by one instance at a
//! time and again after its instance died; jobs of a queue run in order; failures back off and
//! end on the dead-letter list; a message is queued once by its key, and a crash between sending
//! and recording causes at most one duplicate. SQLite always, PostgreSQL with
//! ZEREN_TEST_DATABASE_URL.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::Duration;
use serde_json::json;
use zeren_core::jobs::{after_failure, lease_until, AfterFailure, Retry};
use zeren_store::jobs::{JobRead, NewJob};
use zeren_store::notify::{Answer, Channel, NewDelivery, NotifyRead, DELIVER};
use zeren_store::testdb::TestDb;
use zeren_store::*;

async fn open(db: &TestDb) -> Store {
    Store::open(&db.url, HashAlg::Sha256).await.unwrap()
}

async fn enqueue(store: &Store, j: NewJob) -> Option<i64> {
    store.enqueue_job(&j).await.unwrap()
}

#[tokio::test]
async fn each_job_is_claimed_by_one_instance() {
    for db in TestDb::all().await {
        let a = open(&db).await;
        let b = open(&db).await;
        for i in 0..60 {
            enqueue(&a, NewJob::now("t", json!({ "n": i }))).await;
        }
        // Two instances, three workers each, claim until nothing is left.
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for (store, name) in [(a.clone(), "a"), (b.clone(), "b")] {
            for w in 0..3 {
                let (store, seen) = (store.clone(), seen.clone());
                let me = format!("{name}{w}");
                tasks.push(tokio::spawn(async move {
                    loop {
                        let now = now();
                        let Some(job) = store.claim_job(&me, now, lease_until(now)).await.unwrap()
                        else {
                            break;
                        };
                        seen.lock().unwrap().push(job.id);
                        let mut w = store.write(&Actor::system()).await.unwrap();
                        assert!(w.finish_job(&job).await.unwrap());
                        w.commit().await.unwrap();
                    }
                }));
            }
        }
        for t in tasks {
            t.await.unwrap();
        }
        let mut ids = seen.lock().unwrap().clone();
        assert_eq!(ids.len(), 60, "every job claimed");
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 60, "no job claimed twice");
        let counts = a.reader().await.unwrap().job_counts().await.unwrap();
        assert_eq!((counts.done, counts.queued, counts.running), (60, 0, 0));
        b.close().await;
        a.close().await;
        db.drop_db().await;
    }
}

#[tokio::test]
async fn a_dead_instances_job_is_claimed_again_and_its_late_finish_refused() {
    for db in TestDb::all().await {
        let store = open(&db).await;
        let id = enqueue(&store, NewJob::now("t", json!({}))).await.unwrap();
        let t0 = now();
        let first = store
            .claim_job("dead", t0, lease_until(t0))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((first.id, first.attempts, first.claims), (id, 1, 1));
        // While the lease holds, nobody else gets it; heartbeats keep it.
        assert!(store
            .claim_job("other", t0 + Duration::seconds(20), lease_until(t0))
            .await
            .unwrap()
            .is_none());
        assert!(store
            .heartbeat_job(&first, lease_until(t0 + Duration::seconds(20)))
            .await
            .unwrap());
        assert!(store
            .claim_job("other", t0 + Duration::seconds(40), lease_until(t0))
            .await
            .unwrap()
            .is_none());
        // The instance dies: no more heartbeats; once the lease ran out another claims it.
        let later = t0 + Duration::seconds(51);
        let second = store
            .claim_job("other", later, lease_until(later))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((second.id, second.attempts, second.claims), (id, 2, 2));
        assert_eq!(second.claimed_by.as_deref(), Some("other"));
        // The first claimer wakes up: it can neither renew nor finish what it lost.
        assert!(!store
            .heartbeat_job(&first, lease_until(later))
            .await
            .unwrap());
        let mut w = store.write(&Actor::system()).await.unwrap();
        assert!(!w.finish_job(&first).await.unwrap());
        assert!(w.finish_job(&second).await.unwrap());
        w.commit().await.unwrap();
        store.close().await;
        db.drop_db().await;
    }
}

#[tokio::test]
async fn a_queue_runs_in_order_one_at_a_time() {
    for db in TestDb::all().await {
        let store = open(&db).await;
        let mut ids = Vec::new();
        for i in 0..3 {
            ids.push(
                enqueue(&store, NewJob::now("t", json!({ "n": i })).queue("robot:1"))
                    .await
                    .unwrap(),
            );
        }
        let other = enqueue(&store, NewJob::now("t", json!({}))).await.unwrap();
        let t = now();
        let j1 = store
            .claim_job("a", t, lease_until(t))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(j1.id, ids[0]);
        // The queue's next job waits for the first; a job outside the queue does not.
        let j = store
            .claim_job("b", t, lease_until(t))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(j.id, other);
        assert!(store
            .claim_job("b", t, lease_until(t))
            .await
            .unwrap()
            .is_none());
        // A rate limit puts the head back for later without counting an attempt: the queue
        // waits behind it, in order.
        let mut w = store.write(&Actor::system()).await.unwrap();
        let at = t + Duration::seconds(5);
        assert!(w
            .fail_job(
                &j1,
                "budget",
                after_failure(j1.attempts, 8, Retry::After(Duration::seconds(5)), t, 0.5)
            )
            .await
            .unwrap());
        w.commit().await.unwrap();
        assert!(store
            .claim_job("b", t, lease_until(t))
            .await
            .unwrap()
            .is_none());
        let again = store
            .claim_job("b", at, lease_until(at))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((again.id, again.attempts), (ids[0], 1));
        store.close().await;
        db.drop_db().await;
    }
}

#[tokio::test]
async fn failures_back_off_then_dead_letter_and_an_administrator_retries() {
    for db in TestDb::all().await {
        let store = open(&db).await;
        let mut j = NewJob::now("t", json!({}));
        j.max_attempts = 2;
        let id = enqueue(&store, j).await.unwrap();
        let t = now();
        let job = store
            .claim_job("a", t, lease_until(t))
            .await
            .unwrap()
            .unwrap();
        let after = after_failure(job.attempts, job.max_attempts, Retry::Backoff, t, 0.5);
        assert!(matches!(after, AfterFailure::RetryAt { counts: true, .. }));
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.fail_job(&job, "connection refused", after).await.unwrap();
        w.commit().await.unwrap();
        let stored = store
            .reader()
            .await
            .unwrap()
            .job(id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.state, "queued");
        assert_eq!(stored.last_error, "connection refused");
        assert!(stored.run_at >= t + Duration::seconds(14));
        assert!(store
            .claim_job("a", t, lease_until(t))
            .await
            .unwrap()
            .is_none());
        let t2 = stored.run_at;
        let job = store
            .claim_job("a", t2, lease_until(t2))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(job.attempts, 2);
        let after = after_failure(job.attempts, job.max_attempts, Retry::Backoff, t2, 0.5);
        assert_eq!(after, AfterFailure::Dead);
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.fail_job(&job, "still refused", after).await.unwrap();
        w.commit().await.unwrap();
        let mut r = store.reader().await.unwrap();
        let dead = r.jobs_in("dead", 10).await.unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].last_error, "still refused");
        drop(r);
        // The administrator fixed the mail server and retries: it runs again, attempts anew.
        let mut w = store.write(&Actor::account(1, "sysadmin")).await.unwrap();
        assert!(w.retry_dead_job(id).await.unwrap());
        assert!(!w.retry_dead_job(id).await.unwrap(), "only a dead job");
        w.commit().await.unwrap();
        let t3 = now();
        let job = store
            .claim_job("a", t3, lease_until(t3))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((job.id, job.attempts), (id, 1));
        let audit = store
            .reader()
            .await
            .unwrap()
            .audit_page(0, 100)
            .await
            .unwrap();
        assert!(audit.iter().any(|e| e.action == "job.retry"));
        store.close().await;
        db.drop_db().await;
    }
}

#[tokio::test]
async fn a_job_with_a_key_is_enqueued_once() {
    for db in TestDb::all().await {
        let a = open(&db).await;
        let b = open(&db).await;
        let j = NewJob::now("materialise", json!({})).key("materialise@2026-05-04T10");
        assert!(enqueue(&a, j.clone()).await.is_some());
        assert!(enqueue(&b, j.clone()).await.is_none());
        // Coalesced wake-ups: one queued run of a kind is enough.
        let wake = NewJob::now("wake", json!({}));
        let mut w = a.write(&Actor::system()).await.unwrap();
        assert!(w.enqueue_coalesced(&wake).await.unwrap().is_some());
        assert!(w.enqueue_coalesced(&wake).await.unwrap().is_none());
        w.commit().await.unwrap();
        b.close().await;
        a.close().await;
        db.drop_db().await;
    }
}

/// A person of a unit, for messages.
async fn person(store: &Store) -> (i64, i64) {
    let mut w = store.write(&Actor::system()).await.unwrap();
    let unit = w.create_unit(None, "环湖中学", "学校").await.unwrap();
    let p = w
        .create_person(&NewPerson {
            unit_id: unit.id,
            name: "李娜".into(),
            ..NewPerson::default()
        })
        .await
        .unwrap();
    w.commit().await.unwrap();
    (unit.id, p.id)
}

fn message(person: i64, channel: Channel, n: usize) -> NewDelivery {
    NewDelivery {
        event: format!("obligation:{n}:due_soon"),
        channel,
        recipient: format!("person:{person}"),
        period: "due:2026-06-30".into(),
        person_id: Some(person),
        robot_id: None,
        unit_id: None,
        address: "lina@school.example".into(),
        subject: "【即将到期】专题学习".into(),
        body: "请按时完成。".into(),
        link: format!("/obligations/{n}"),
        mentions: Vec::new(),
        urgent: false,
        not_before: now(),
    }
}

#[tokio::test]
async fn the_ledger_queues_each_message_once() {
    for db in TestDb::all().await {
        let store = open(&db).await;
        let other = open(&db).await;
        let (_, p) = person(&store).await;
        let msgs: Vec<NewDelivery> = (0..5)
            .flat_map(|n| [message(p, Channel::Inbox, n), message(p, Channel::Email, n)])
            .collect();
        let mut w = store.write(&Actor::system()).await.unwrap();
        let q = w.queue_messages(&msgs).await.unwrap();
        w.commit().await.unwrap();
        assert_eq!((q.new, q.skipped, q.delivered), (10, 0, 5));
        // The same scan on another instance (or a re-run) skips everything.
        let mut w = other.write(&Actor::system()).await.unwrap();
        let q = w.queue_messages(&msgs).await.unwrap();
        w.commit().await.unwrap();
        assert_eq!((q.new, q.skipped), (0, 10));
        let mut r = store.reader().await.unwrap();
        assert_eq!(r.inbox(p, 100).await.unwrap().len(), 5);
        assert_eq!(r.unread_count(p).await.unwrap(), 5);
        // Only e-mail needs sending: one deliver job each.
        let queued = r.jobs_in("queued", 100).await.unwrap();
        assert_eq!(queued.len(), 5);
        assert!(queued.iter().all(|j| j.kind == DELIVER));
        // The inbox's text is the recipient's alone: the ledger keeps none of it.
        let ledger = r
            .deliveries(&zeren_store::notify::DeliveryFilter {
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(ledger
            .iter()
            .filter(|d| d.channel == "inbox")
            .all(|d| d.body.is_empty() && d.state == "sent"));
        drop(r);
        let first = store.reader().await.unwrap().inbox(p, 1).await.unwrap()[0].clone();
        let mut w = store.write(&Actor::system()).await.unwrap();
        assert!(
            !w.mark_inbox_read(p + 1, first.id).await.unwrap(),
            "not theirs"
        );
        assert!(w.mark_inbox_read(p, first.id).await.unwrap());
        w.commit().await.unwrap();
        assert_eq!(
            store.reader().await.unwrap().unread_count(p).await.unwrap(),
            4
        );
        other.close().await;
        store.close().await;
        db.drop_db().await;
    }
}

/// Where an instance dies in [`deliver_once`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Crash {
    Never,
    /// After the attempt's start, before the hand-over is recorded: nothing reached the receiver.
    BeforeHandOver,
    /// After the hand-over and the receiver's acceptance, before the answer is recorded.
    BeforeAnswer,
}

/// One run of a deliver job as the runner does it, with `sent` standing for the receiver (what
/// reached it, by delivery); the instance dies where `crash` says.
async fn deliver_once(
    store: &Store,
    instance: &str,
    at: chrono::DateTime<chrono::Utc>,
    sent: &Mutex<Vec<i64>>,
    crash: Crash,
) -> bool {
    let Some(job) = store
        .claim_job(instance, at, lease_until(at))
        .await
        .unwrap()
    else {
        return false;
    };
    let id = job.payload_i64("delivery").unwrap();
    let mut w = store.write(&Actor::system()).await.unwrap();
    let started = w.start_delivery(id).await.unwrap();
    w.commit().await.unwrap();
    if let Some(s) = started {
        if crash == Crash::BeforeHandOver {
            return true;
        }
        let attempt = s.delivery.attempts;
        let mut w = store.write(&Actor::system()).await.unwrap();
        assert!(w.hand_delivery(id, attempt).await.unwrap());
        w.commit().await.unwrap();
        sent.lock().unwrap().push(id);
        if crash == Crash::BeforeAnswer {
            return true;
        }
        let mut w = store.write(&Actor::system()).await.unwrap();
        let answer = Answer::Accepted {
            code: "250".into(),
            words: "accepted".into(),
        };
        w.finish_delivery(id, attempt, &answer).await.unwrap();
        w.commit().await.unwrap();
    }
    let mut w = store.write(&Actor::system()).await.unwrap();
    w.finish_job(&job).await.unwrap();
    w.commit().await.unwrap();
    true
}

#[tokio::test]
async fn a_crash_between_hand_over_and_answer_causes_at_most_one_repeat_counted_in_doubt() {
    for db in TestDb::all().await {
        let store = open(&db).await;
        let (_, p) = person(&store).await;
        let msgs: Vec<NewDelivery> = (0..20).map(|n| message(p, Channel::Email, n)).collect();
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.queue_messages(&msgs).await.unwrap();
        w.commit().await.unwrap();
        let sent = Mutex::new(Vec::new());
        let t = now();
        // Instance A sends three messages, dies before handing over the fourth, and — started
        // again — sends two more and dies after the receiver took the third.
        for _ in 0..3 {
            assert!(deliver_once(&store, "a", t, &sent, Crash::Never).await);
        }
        assert!(deliver_once(&store, "a", t, &sent, Crash::BeforeHandOver).await);
        for _ in 0..2 {
            assert!(deliver_once(&store, "a2", t, &sent, Crash::Never).await);
        }
        assert!(deliver_once(&store, "a2", t, &sent, Crash::BeforeAnswer).await);
        // Instance B takes over; the dead instances' jobs are free once their leases ran out.
        let later = t + Duration::seconds(31);
        while deliver_once(&store, "b", later, &sent, Crash::Never).await {}
        // A re-run of everything on a third instance sends nothing more.
        let mut w = store.write(&Actor::system()).await.unwrap();
        let q = w.queue_messages(&msgs).await.unwrap();
        w.commit().await.unwrap();
        assert_eq!(q.new, 0);
        assert!(!deliver_once(&store, "c", later, &sent, Crash::Never).await);

        let sent = sent.lock().unwrap().clone();
        let mut times: HashMap<i64, usize> = HashMap::new();
        for id in &sent {
            *times.entry(*id).or_default() += 1;
        }
        assert_eq!(times.len(), 20, "every message went out");
        let twice: Vec<i64> = times
            .iter()
            .filter(|(_, n)| **n > 1)
            .map(|(id, _)| *id)
            .collect();
        assert_eq!(
            twice.len(),
            1,
            "the crash before the hand-over repeats nothing; the one after it, one message: {times:?}"
        );
        assert!(times.values().all(|n| *n <= 2));
        // The ledger shows it: every message sent; the repeated one with an attempt in doubt,
        // the one whose instance died before handing it over with two attempts and no doubt.
        let ledger = store
            .reader()
            .await
            .unwrap()
            .deliveries(&zeren_store::notify::DeliveryFilter {
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(ledger.iter().all(|d| d.state == "sent"));
        let doubted: Vec<i64> = ledger
            .iter()
            .filter(|d| d.in_doubt > 0)
            .map(|d| d.id)
            .collect();
        assert_eq!(doubted, twice);
        assert_eq!(ledger.iter().filter(|d| d.attempts > 1).count(), 2);
        assert!(ledger
            .iter()
            .all(|d| d.in_doubt <= 1 && d.handed_at.is_some()));
        store.close().await;
        db.drop_db().await;
    }
}

/// An attempt thought dead (its lease ran out) that is still running cannot hand its message
/// over once another attempt took it, and its late refusal does not overwrite the other's
/// acceptance; a late acceptance is recorded whatever came after.
#[tokio::test]
async fn a_stale_attempt_is_fenced_off_by_the_attempt_number() {
    for db in TestDb::all().await {
        let store = open(&db).await;
        let (_, p) = person(&store).await;
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.queue_messages(&[message(p, Channel::Email, 1), message(p, Channel::Email, 2)])
            .await
            .unwrap();
        w.commit().await.unwrap();
        let ids: Vec<i64> = store
            .reader()
            .await
            .unwrap()
            .deliveries(&zeren_store::notify::DeliveryFilter {
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap()
            .iter()
            .map(|d| d.id)
            .collect();
        for id in ids {
            let mut w = store.write(&Actor::system()).await.unwrap();
            let old = w.start_delivery(id).await.unwrap().unwrap();
            assert!(!old.in_doubt);
            let new = w.start_delivery(id).await.unwrap().unwrap();
            assert!(!new.in_doubt, "the first was not handed over");
            let (old, new) = (old.delivery.attempts, new.delivery.attempts);
            assert!(!w.hand_delivery(id, old).await.unwrap(), "superseded");
            assert!(w.hand_delivery(id, new).await.unwrap());
            assert!(!w.hand_delivery(id, new).await.unwrap(), "once");
            let refused = Answer::Refused {
                code: "451".into(),
                words: "try later".into(),
            };
            let accepted = Answer::Accepted {
                code: "250".into(),
                words: "ok".into(),
            };
            w.finish_delivery(id, old, &refused).await.unwrap();
            let d = w.delivery(id).await.unwrap().unwrap();
            assert_eq!(d.state, "sending", "a stale refusal is not recorded");
            w.finish_delivery(id, new, &accepted).await.unwrap();
            w.finish_delivery(id, old, &refused).await.unwrap();
            let d = w.delivery(id).await.unwrap().unwrap();
            assert_eq!((d.state.as_str(), d.result_code.as_str()), ("sent", "250"));
            assert!(w.start_delivery(id).await.unwrap().is_none(), "sent");
            w.commit().await.unwrap();
        }
        store.close().await;
        db.drop_db().await;
    }
}
