//! What every handler is given: the database, the configuration, and the server's two signals
//! (setup done; obligations changed).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use zeren_policy::Policy;
use zeren_store::{Read, Store};

use super::config::Config;
use super::error::Error;
use super::secrets::SealKey;

/// The settings key written when first-run setup completes.
pub const SETUP_DONE: &str = "setup_done";

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    /// Once setup is done it stays done; until then every request asks the database, since
    /// another instance may finish it.
    setup: Arc<AtomicBool>,
    /// Wakes the materialiser after a change that alters obligations (a policy installed, a role
    /// given or ended), so they appear at once rather than at the next hourly run.
    materialise: Arc<tokio::sync::Notify>,
    /// Installed policies parsed, by installation id (an installed text never changes).
    policies: Arc<Mutex<HashMap<i64, Arc<Policy>>>>,
    /// A fixed reading of the wall clock that incident deadlines are judged by
    /// ([`AppState::now`]); none but in tests, which set it instead of sleeping through a
    /// deadline (and so can check 迟报 to the minute).
    pinned_clock: Arc<Mutex<Option<chrono::DateTime<chrono::Utc>>>>,
    /// The key robots' webhooks and secrets are sealed with (`notify.key`); none until the
    /// server loads it, and robots cannot be set up or sent to without it.
    seal: Option<Arc<SealKey>>,
    /// How long a platform's "minute" lasts for robots' rate budgets: a minute, but in tests,
    /// which shorten it rather than wait minutes (the budgets' counts stay the platforms').
    robot_minute: Arc<Mutex<chrono::Duration>>,
    /// How many expensive requests (exports, dashboards) each account may run at once.
    limits: super::limits::Limits,
}

/// How many parsed policies to keep; a province shares a handful of versions.
const POLICY_CACHE: usize = 256;

impl AppState {
    pub fn new(store: Store, config: Config) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
            setup: Arc::new(AtomicBool::new(false)),
            materialise: Arc::new(tokio::sync::Notify::new()),
            policies: Arc::new(Mutex::new(HashMap::new())),
            pinned_clock: Arc::new(Mutex::new(None)),
            seal: None,
            robot_minute: Arc::new(Mutex::new(chrono::Duration::seconds(60))),
            limits: super::limits::Limits::new(super::limits::default_budget()),
        }
    }

    /// The per-account budget of expensive requests.
    pub fn limits(&self) -> &super::limits::Limits {
        &self.limits
    }

    /// With the key that seals robots' secrets.
    pub fn with_seal_key(mut self, key: SealKey) -> AppState {
        self.seal = Some(Arc::new(key));
        self
    }

    /// The key that seals robots' secrets, if the server has one.
    pub fn seal_key(&self) -> Option<&SealKey> {
        self.seal.as_deref()
    }

    /// What a platform's minute lasts for robots' rate budgets (a minute).
    pub fn robot_minute(&self) -> chrono::Duration {
        self.robot_minute
            .lock()
            .map(|m| *m)
            .unwrap_or(chrono::Duration::seconds(60))
    }

    /// **Tests only**: shortens the platforms' minute (and second) for robots' rate budgets, as
    /// the test's loopback robot does, so that a burst needs no minutes of waiting. Nothing in
    /// the server or its configuration calls it.
    #[doc(hidden)]
    pub fn set_robot_minute_for_tests(&self, minute: chrono::Duration) {
        if let Ok(mut m) = self.robot_minute.lock() {
            *m = minute;
        }
    }

    /// The wall clock incidents are judged by (deadlines, countdowns, 迟报): now.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.pinned_clock
            .lock()
            .ok()
            .and_then(|p| *p)
            .unwrap_or_else(zeren_store::now)
    }

    /// **Tests only**: sets the incident wall clock to `at` (or back to the real clock with
    /// `None`), so a test can let a deadline pass without sleeping. Nothing in the server or its
    /// configuration calls it.
    #[doc(hidden)]
    pub fn set_incident_clock_for_tests(&self, at: Option<chrono::DateTime<chrono::Utc>>) {
        if let Ok(mut p) = self.pinned_clock.lock() {
            *p = at;
        }
    }

    /// An installed policy, parsed (once per installation while the server runs).
    pub async fn installed_policy(&self, id: i64) -> Result<Arc<Policy>, Error> {
        if let Some(p) = self.policies.lock().ok().and_then(|m| m.get(&id).cloned()) {
            return Ok(p);
        }
        let ip = self
            .store
            .reader()
            .await?
            .installed_policy(id)
            .await?
            .ok_or(Error::NotFound)?;
        let p = Arc::new(super::policies::parse_installed(&ip)?);
        if let Ok(mut m) = self.policies.lock() {
            if m.len() >= POLICY_CACHE {
                m.clear();
            }
            m.insert(id, p.clone());
        }
        Ok(p)
    }

    /// Obligations may have changed: materialise soon. Call it after the change is committed,
    /// or the materialiser may run before the change is visible.
    pub fn obligations_changed(&self) {
        self.materialise.notify_one();
    }

    /// Materialises one tree's obligations now, in the request (first-run setup: one unit, so
    /// the first page already shows them); larger changes wake the background run instead.
    pub async fn materialise_now(&self, root: i64) -> Result<(), Error> {
        let cal =
            zeren_policy::calendar::WorkCalendar::with_imported(&self.config.data.join("calendar"))
                .map_err(|e| Error::Internal(format!("calendar: {e}")))?;
        let mut report = zeren_store::materialise::Report::default();
        zeren_store::materialise::materialise_tree(
            &self.store,
            root,
            super::clock::today(),
            &cal,
            &mut report,
        )
        .await?;
        Ok(())
    }

    /// What the materialiser waits on between its hourly runs.
    pub fn materialise_signal(&self) -> Arc<tokio::sync::Notify> {
        self.materialise.clone()
    }

    pub async fn setup_done(&self) -> Result<bool, Error> {
        if self.setup.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let mut r = self.store.reader().await?;
        let done = r.setting(SETUP_DONE).await?.is_some();
        if done {
            self.setup.store(true, Ordering::Relaxed);
        }
        Ok(done)
    }
}
