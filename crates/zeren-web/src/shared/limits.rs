//! Per-client limits on expensive requests (exports, dashboards, statistics, the audit chain's
//! walk): one person — or one script with their session — can run only a few at once, so they
//! cannot take every core and every pooled connection from everyone else. Further requests of
//! the same client wait their turn (first come, first served); a client with too many waiting
//! is refused at once (429) instead of queueing without bound. Across all clients, at most
//! twice as many run at once as the machine has cores: the work is done on the cores anyway, and
//! each export holds its whole file in memory while it is built, so more at once would only raise
//! the server's memory (sixteen clerks exporting at once took the peak from 141 to 237 MB).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Whose requests share a budget: an account (every expensive request needs one; a request
/// without one is refused by its handler before it costs anything).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Client(pub i64);

/// How many expensive requests a client may run at once, how many more may wait, and how many
/// may run at once on the whole server.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub running: usize,
    pub waiting: usize,
    pub server: usize,
}

/// Two at once (a person downloads one export while a dashboard loads) and eight waiting; on the
/// server, two per core and at least four (two people's two).
pub fn default_budget() -> Budget {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Budget {
        running: 2,
        waiting: 8,
        server: (2 * cores).max(4),
    }
}

struct Slot {
    permits: Arc<Semaphore>,
    /// Requests holding or waiting for a permit; the slot goes when this falls to zero.
    users: usize,
}

#[derive(Clone)]
pub struct Limits {
    budget: Budget,
    slots: Arc<Mutex<HashMap<Client, Slot>>>,
    server: Arc<Semaphore>,
}

/// The client was refused: it already has `running + waiting` expensive requests.
#[derive(Debug, PartialEq, Eq)]
pub struct Busy;

/// Held while an expensive request runs; gives the permit back (and forgets an idle client)
/// when dropped.
pub struct Turn {
    _server: OwnedSemaphorePermit,
    _permit: OwnedSemaphorePermit,
    _user: User,
}

/// One request counted in its client's slot, from joining the queue until it is done (or
/// given up, if the request is dropped while it waits).
struct User {
    limits: Limits,
    client: Client,
}

impl Drop for User {
    fn drop(&mut self) {
        let mut slots = self.limits.slots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = slots.get_mut(&self.client) {
            slot.users -= 1;
            if slot.users == 0 {
                slots.remove(&self.client);
            }
        }
    }
}

impl Limits {
    pub fn new(budget: Budget) -> Limits {
        Limits {
            budget: Budget {
                running: budget.running.max(1),
                waiting: budget.waiting,
                server: budget.server.max(1),
            },
            slots: Arc::default(),
            server: Arc::new(Semaphore::new(budget.server.max(1))),
        }
    }

    /// Waits for the client's turn, or refuses at once when it has too many requests already.
    pub async fn turn(&self, client: Client) -> Result<Turn, Busy> {
        let permits = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            let slot = slots.entry(client).or_insert_with(|| Slot {
                permits: Arc::new(Semaphore::new(self.budget.running)),
                users: 0,
            });
            if slot.users >= self.budget.running + self.budget.waiting {
                return Err(Busy);
            }
            slot.users += 1;
            slot.permits.clone()
        };
        let user = User {
            limits: self.clone(),
            client,
        };
        // The semaphore is never closed, so acquiring only fails if it were.
        let permit = permits.acquire_owned().await.map_err(|_| Busy)?;
        // Then the server's turn: a client's own turn first, so one client never holds more
        // than its share of the server's places while it waits.
        let server = self
            .server
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Busy)?;
        Ok(Turn {
            _server: server,
            _permit: permit,
            _user: user,
        })
    }

    /// How many clients have expensive requests running or waiting (for tests).
    pub fn clients(&self) -> usize {
        self.slots.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// Whether a GET of `path` is expensive: a generated file (XLSX, DOCX, ZIP of evidence, PDF),
/// a dashboard or statistics over a subtree, an assessment's ranking, or the walk of the whole
/// audit chain. Everything else reads a bounded page.
pub fn expensive(path: &str) -> bool {
    let p = path.strip_prefix("/api/v1").unwrap_or(path);
    let last = p.rsplit('/').next().unwrap_or("");
    let generated = [".xlsx", ".docx", ".zip", ".pdf"]
        .iter()
        .any(|ext| last.ends_with(ext));
    generated
        || matches!(
            last,
            "dashboard" | "incident-statistics" | "ranking" | "accountability-measures"
        )
        || p == "/audit/verify"
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn exports_dashboards_and_the_chain_walk_are_expensive_pages_are_not() {
        for p in [
            "/units/3/ledger.xlsx",
            "/units/3/ledger.docx",
            "/units/3/evidence.zip",
            "/records/9/record.docx",
            "/api/v1/units/3/ledger.xlsx",
            "/units/3/dashboard",
            "/api/v1/units/3/dashboard",
            "/units/3/dashboard.xlsx",
            "/units/3/incident-statistics",
            "/units/3/incident-statistics.xlsx",
            "/assessment/4/ranking",
            "/api/v1/audit/verify",
        ] {
            assert!(expensive(p), "{p}");
        }
        for p in [
            "/work",
            "/units/3",
            "/units/3/ledger",
            "/api/v1/obligations",
            "/api/v1/obligations/7",
            "/audit",
            "/login",
            "/assets/app.css",
        ] {
            assert!(!expensive(p), "{p}");
        }
    }

    #[tokio::test]
    async fn a_client_runs_two_at_once_the_rest_wait_and_too_many_are_refused() {
        let limits = Limits::new(Budget {
            running: 2,
            waiting: 1,
            server: 8,
        });
        let me = Client(1);
        let a = limits.turn(me).await.unwrap();
        let b = limits.turn(me).await.unwrap();
        // The third waits for a turn …
        let waiting = tokio::spawn({
            let limits = limits.clone();
            async move { limits.turn(me).await.map(|_| ()) }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(
            !waiting.is_finished(),
            "the third ran while two were running"
        );
        // … a fourth has no room even to wait …
        assert_eq!(limits.turn(me).await.err(), Some(Busy));
        // … and someone else is not held up at all.
        let other = limits.turn(Client(2)).await.unwrap();
        drop(other);
        // When one finishes, the waiting one runs.
        drop(a);
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("the waiting request never got its turn")
            .unwrap()
            .unwrap();
        drop(b);
        assert_eq!(limits.clients(), 0, "an idle client is forgotten");
    }

    #[tokio::test]
    async fn the_server_runs_at_most_its_places_whoever_asks() {
        let limits = Limits::new(Budget {
            running: 2,
            waiting: 8,
            server: 3,
        });
        let a = limits.turn(Client(1)).await.unwrap();
        let b = limits.turn(Client(2)).await.unwrap();
        let c = limits.turn(Client(3)).await.unwrap();
        // A fourth client waits for one of the three to finish …
        let fourth = tokio::spawn({
            let limits = limits.clone();
            async move { limits.turn(Client(4)).await.map(|_| ()) }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(
            !fourth.is_finished(),
            "four ran on a server of three places"
        );
        // … and runs when one does.
        drop(b);
        tokio::time::timeout(Duration::from_secs(5), fourth)
            .await
            .expect("the fourth never got a place")
            .unwrap()
            .unwrap();
        drop((a, c));
        assert_eq!(limits.clients(), 0);
    }

    #[tokio::test]
    async fn a_request_given_up_while_waiting_frees_its_place() {
        let limits = Limits::new(Budget {
            running: 1,
            waiting: 1,
            server: 8,
        });
        let me = Client(7);
        let running = limits.turn(me).await.unwrap();
        // A request that waits and is then dropped (its client went away) …
        let gave_up = tokio::time::timeout(Duration::from_millis(20), limits.turn(me));
        assert!(gave_up.await.is_err());
        // … leaves its place in the queue to the next one.
        let next = tokio::spawn({
            let limits = limits.clone();
            async move { limits.turn(me).await.map(|_| ()) }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(running);
        tokio::time::timeout(Duration::from_secs(5), next)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(limits.clients(), 0);
    }
}
