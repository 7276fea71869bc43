//! Notifications in the database: the delivery ledger (every message once, by its key, with the
//! result of its last attempt), the in-app inbox (read only by its recipient), units' group robots
//! (their webhook and secret sealed by the caller) and people's choices (e-mail, quiet hours).
//! Messages are put in the ledger with [`Write::queue_messages`]; sending is the runner's `deliver`
//! job, one per message.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::jobs::NewJob;
use crate::read::Read;
use crate::{run, Error, Result, Write};

/// The job kind that sends one message of the ledger.
pub const DELIVER: &str = "deliver";

/// A channel a message goes by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Inbox,
    Email,
    Robot,
}

impl Channel {
    pub fn word(self) -> &'static str {
        match self {
            Channel::Inbox => "inbox",
            Channel::Email => "email",
            Channel::Robot => "robot",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        [Channel::Inbox, Channel::Email, Channel::Robot]
            .into_iter()
            .find(|c| c.word() == s)
    }
}

/// A message to put in the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDelivery {
    /// What happened: `obligation:12:due_soon`, `digest:unit:3`, `waiting:receipt:40:2`.
    pub event: String,
    pub channel: Channel,
    /// To whom: `person:5`, `robot:2`.
    pub recipient: String,
    /// For which period: a message is sent once per (event, channel, recipient, period).
    pub period: String,
    pub person_id: Option<i64>,
    pub robot_id: Option<i64>,
    pub unit_id: Option<i64>,
    /// The e-mail address (e-mail only).
    pub address: String,
    pub subject: String,
    pub body: String,
    /// The page it is about, as a path (`/obligations/12`).
    pub link: String,
    /// Mobiles to @ (robots of platforms that can).
    pub mentions: Vec<String>,
    pub urgent: bool,
    /// Not to be sent before this (the recipient's quiet hours).
    pub not_before: DateTime<Utc>,
}

/// A message of the ledger. For the inbox, `body` is empty: its text is only in the recipient's
/// inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Delivery {
    pub id: i64,
    pub event: String,
    pub channel: String,
    pub recipient: String,
    pub period: String,
    pub person_id: Option<i64>,
    pub robot_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub address: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub mentions: String,
    pub urgent: bool,
    /// queued, sending, sent or failed.
    pub state: String,
    pub attempts: i64,
    /// The platform's or the mail server's code for the last attempt (`0`, `310000`, `250`).
    pub result_code: String,
    pub result: String,
    pub created_at: DateTime<Utc>,
    pub attempted_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    /// When the last attempt handed the message over (an e-mail: just before the final dot of
    /// its data; a robot's: just before the request); from then on the receiver may have it.
    pub handed_at: Option<DateTime<Utc>>,
    /// Attempts whose instance died after handing the message over and before recording the
    /// answer: the receiver may have taken the message; it was sent again (an e-mail with the
    /// same Message-ID).
    pub in_doubt: i64,
}

/// What became of an attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The receiver took the message: its code (`250`, `0`) and words.
    Accepted { code: String, words: String },
    /// The receiver refused it, or it was not handed over.
    Refused { code: String, words: String },
    /// It was handed over and no answer came (the connection broke, or timed out): the receiver
    /// may have it.
    Unknown { words: String },
}

/// A message taken for an attempt ([`Write::start_delivery`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Started {
    /// The message, its `attempts` this attempt's number.
    pub delivery: Delivery,
    /// The attempt before this one died after handing the message over: the receiver may have
    /// it already.
    pub in_doubt: bool,
}

/// What a person has in their inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct InboxMessage {
    pub id: i64,
    pub person_id: i64,
    pub delivery_id: i64,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub urgent: bool,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// A unit's group robot. The webhook and secret are sealed (see the web layer's secrets); only
/// the hint is ever shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Robot {
    pub id: i64,
    pub unit_id: i64,
    /// dingtalk, wecom or feishu.
    pub platform: String,
    pub name: String,
    #[serde(skip)]
    pub webhook_sealed: String,
    pub webhook_hint: String,
    #[serde(skip)]
    pub secret_sealed: String,
    pub keyword: String,
    pub digest: bool,
    pub digest_at: String,
    pub mention: bool,
    pub active: bool,
    /// Declared in `zeren.toml`: changed only there.
    pub from_config: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub const PLATFORMS: &[&str] = &["dingtalk", "wecom", "feishu"];

/// A robot to register or change; a sealed field left None keeps what is stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RobotSettings {
    pub platform: String,
    pub name: String,
    pub webhook_sealed: Option<String>,
    pub webhook_hint: Option<String>,
    pub secret_sealed: Option<String>,
    pub keyword: String,
    pub digest: bool,
    pub digest_at: String,
    pub mention: bool,
    pub active: bool,
    /// Declared in `zeren.toml` (set when the robot is created; kept after).
    pub from_config: bool,
}

/// What a person chose.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct NotifyPrefs {
    pub person_id: i64,
    pub email: String,
    pub by_email: bool,
    /// `22:00-07:00`, or '' for the server's default.
    pub quiet_hours: String,
}

/// What [`Write::queue_messages`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Queued {
    /// Messages new to the ledger.
    pub new: usize,
    /// Messages whose key was already there (sent, or being sent, before).
    pub skipped: usize,
    /// Of the new ones, those delivered at once (the inbox).
    pub delivered: usize,
}

/// Which deliveries to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeliveryFilter {
    pub state: Option<String>,
    pub robot: Option<i64>,
    pub person: Option<i64>,
    pub limit: i64,
}

const DELIVERY: &str = "SELECT id, event, channel, recipient, period, person_id, robot_id, unit_id, address, subject, body, link, mentions, urgent, state, attempts, result_code, result, created_at, attempted_at, sent_at, handed_at, in_doubt FROM deliveries";
const ROBOT_COLUMNS: &str = "id, unit_id, platform, name, webhook_sealed, webhook_hint, secret_sealed, keyword, digest, digest_at, mention, active, from_config, created_at, updated_at";
const ROBOT: &str = "SELECT id, unit_id, platform, name, webhook_sealed, webhook_hint, secret_sealed, keyword, digest, digest_at, mention, active, from_config, created_at, updated_at FROM notify_robots";
const INBOX: &str = "SELECT id, person_id, delivery_id, subject, body, link, urgent, created_at, read_at FROM inbox_messages";

impl NewDelivery {
    fn check(&self) -> Result<()> {
        for (f, v) in [
            ("event", &self.event),
            ("recipient", &self.recipient),
            ("period", &self.period),
            ("address", &self.address),
            ("subject", &self.subject),
            ("body", &self.body),
            ("link", &self.link),
        ] {
            crate::check_text(f, v)?;
        }
        Ok(())
    }
}

impl Write {
    /// Puts messages in the ledger, each once: one whose key (event, channel, recipient, period)
    /// is there already — a re-run, or another instance that got there first — is skipped, in
    /// the same transaction that would have added it. Inbox messages are delivered at once, in
    /// this transaction (exactly once); every other new message gets a `deliver` job, robots'
    /// in the robot's queue so that they go out in order.
    pub async fn queue_messages(&mut self, msgs: &[NewDelivery]) -> Result<Queued> {
        let mut out = Queued::default();
        let now = crate::now();
        for m in msgs {
            m.check()?;
            let inbox = m.channel == Channel::Inbox;
            if inbox && m.person_id.is_none() {
                return Err(Error::Invalid("an inbox message needs a person".into()));
            }
            if m.channel == Channel::Robot && m.robot_id.is_none() {
                return Err(Error::Invalid("a robot message needs a robot".into()));
            }
            let (state, sent_at, body) = if inbox {
                ("sent", Some(now), "")
            } else {
                ("queued", None, m.body.as_str())
            };
            let row: Option<(i64,)> = run!(self.conn(), |c| sqlx::query_as(
                "INSERT INTO deliveries (event, channel, recipient, period, person_id, robot_id, unit_id, address,
                     subject, body, link, mentions, urgent, state, attempts, result_code, result, created_at, attempted_at, sent_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, '', '', $16, $17, $17)
                 ON CONFLICT (event, channel, recipient, period) DO NOTHING RETURNING id"
            )
            .bind(&m.event)
            .bind(m.channel.word())
            .bind(&m.recipient)
            .bind(&m.period)
            .bind(m.person_id)
            .bind(m.robot_id)
            .bind(m.unit_id)
            .bind(&m.address)
            .bind(&m.subject)
            .bind(body)
            .bind(&m.link)
            .bind(m.mentions.join(" "))
            .bind(m.urgent)
            .bind(state)
            .bind(if inbox { 1i64 } else { 0i64 })
            .bind(now)
            .bind(sent_at)
            .fetch_optional(&mut *c)
            .await)
            .map_err(|e| Error::from_write(e, "delivery"))?;
            let Some((id,)) = row else {
                out.skipped += 1;
                continue;
            };
            out.new += 1;
            if inbox {
                run!(self.conn(), |c| {
                    sqlx::query(
                    "INSERT INTO inbox_messages (person_id, delivery_id, subject, body, link, urgent, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)"
                )
                .bind(m.person_id)
                .bind(id)
                .bind(&m.subject)
                .bind(&m.body)
                .bind(&m.link)
                .bind(m.urgent)
                .bind(now)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected())
                })?;
                out.delivered += 1;
                continue;
            }
            let mut job = NewJob::now(DELIVER, json!({ "delivery": id }))
                .key(format!("deliver:{id}"))
                .at(m.not_before.max(now));
            if let Some(r) = m.robot_id {
                job = job.queue(format!("robot:{r}"));
            }
            self.enqueue_job(&job).await?;
        }
        Ok(out)
    }

    /// Takes a message for an attempt: counts it and marks it being sent, not yet handed over.
    /// None when it was sent already (a job that ran twice skips it). A message found `sending`
    /// was being sent when its instance died. If that attempt had not handed it over, the
    /// receiver cannot have it (an SMTP server drops a message without its final dot) and it is
    /// simply sent. If it had, the receiver may have taken it: the attempt is counted in doubt
    /// (`in_doubt`) and the message is sent again — the same message, an e-mail with the same
    /// Message-ID — rather than given up, since a reminder lost is worse than one a mail system
    /// may show twice. [`Started::in_doubt`] says which it was.
    pub async fn start_delivery(&mut self, id: i64) -> Result<Option<Started>> {
        const DOUBT: &str = "UPDATE deliveries SET in_doubt = in_doubt + 1
             WHERE id = $1 AND state = 'sending' AND handed_at IS NOT NULL";
        const SQL: &str = "UPDATE deliveries SET state = 'sending', attempts = attempts + 1, attempted_at = $1,
                 handed_at = NULL
             WHERE id = $2 AND state <> 'sent'
             RETURNING id, event, channel, recipient, period, person_id, robot_id, unit_id, address, subject, body, link,
                 mentions, urgent, state, attempts, result_code, result, created_at, attempted_at, sent_at, handed_at,
                 in_doubt";
        let doubt = run!(self.conn(), |c| sqlx::query(DOUBT)
            .bind(id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        let d: Option<Delivery> = run!(self.conn(), |c| sqlx::query_as(SQL)
            .bind(crate::now())
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?;
        Ok(d.map(|delivery| Started {
            delivery,
            in_doubt: doubt == 1,
        }))
    }

    /// Records that attempt `attempt` hands the message over now (an e-mail: the server said 354
    /// and only the data and its final dot remain). False when the attempt is no longer the
    /// message's current one — its instance was thought dead and another took the message, or
    /// the message was recorded sent meanwhile —, and it must then not hand it over. To be
    /// committed before the hand-over: a message without this mark cannot have reached the
    /// receiver.
    pub async fn hand_delivery(&mut self, id: i64, attempt: i64) -> Result<bool> {
        let n = run!(self.conn(), |c| sqlx::query(
            "UPDATE deliveries SET handed_at = $1
             WHERE id = $2 AND attempts = $3 AND state = 'sending' AND handed_at IS NULL"
        )
        .bind(crate::now())
        .bind(id)
        .bind(attempt)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Records the platform's (or mail server's) answer to attempt `attempt`, to be committed at
    /// once. An acceptance is always recorded (the message is with the receiver, whichever attempt
    /// took it there); a refusal, or no answer after the hand-over, only while the attempt is the
    /// message's current one and the message not sent. No answer after the hand-over counts the
    /// attempt in doubt, as a crash there would. Nothing else belongs in this transaction (see the
    /// commit's durability below).
    pub async fn finish_delivery(&mut self, id: i64, attempt: i64, answer: &Answer) -> Result<()> {
        let (state, code, words, doubt) = match answer {
            Answer::Accepted { code, words } => ("sent", code.as_str(), words.as_str(), 0i64),
            Answer::Refused { code, words } => ("failed", code.as_str(), words.as_str(), 0),
            Answer::Unknown { words } => ("failed", "", words.as_str(), 1),
        };
        let accepted = state == "sent";
        // On PostgreSQL this commit does not wait for the WAL's flush to disk: the answer is in
        // the database the moment the commit returns, so an instance killed after it loses
        // nothing, and the moment of doubt is not stretched by a disk's flush. Only a crash of the
        // database server itself in the next fraction of a second could lose it — the message is
        // then found handed over and unanswered, in doubt, as after a crash before the commit.
        // (The hand-over's commit waits for the disk: without it a message could leave unseen.)
        if let crate::Conn::Postgres(c) = self.conn() {
            sqlx::query("SET LOCAL synchronous_commit = off")
                .execute(&mut *c)
                .await?;
        }
        let words = zeren_core::notify::cut_to_bytes(words, 1000).replace('\0', "");
        let code = zeren_core::notify::cut_to_bytes(code, 64).replace('\0', "");
        let now = crate::now();
        run!(self.conn(), |c| {
            sqlx::query(
                "UPDATE deliveries SET state = $1, result_code = $2, result = $3, sent_at = $4,
                 in_doubt = in_doubt + $8
             WHERE id = $5 AND ($6 OR (attempts = $7 AND state = 'sending'))",
            )
            .bind(state)
            .bind(&code)
            .bind(&words)
            .bind(accepted.then_some(now))
            .bind(id)
            .bind(accepted)
            .bind(attempt)
            .bind(doubt)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Marks the recipient's own inbox message read. False when it is not theirs.
    pub async fn mark_inbox_read(&mut self, person_id: i64, id: i64) -> Result<bool> {
        let n = run!(self.conn(), |c| {
            sqlx::query(
            "UPDATE inbox_messages SET read_at = $1 WHERE id = $2 AND person_id = $3 AND read_at IS NULL"
        )
        .bind(crate::now())
        .bind(id)
        .bind(person_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }

    /// Marks every unread message of the person's inbox read; how many there were.
    pub async fn mark_inbox_all_read(&mut self, person_id: i64) -> Result<u64> {
        Ok(run!(self.conn(), |c| sqlx::query(
            "UPDATE inbox_messages SET read_at = $1 WHERE person_id = $2 AND read_at IS NULL"
        )
        .bind(crate::now())
        .bind(person_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?)
    }

    /// Registers a robot for a unit (its webhook sealed by the caller). Audited without its
    /// secrets.
    pub async fn create_robot(&mut self, unit_id: i64, s: &RobotSettings) -> Result<Robot> {
        check_robot(s)?;
        let (Some(webhook), Some(hint)) = (&s.webhook_sealed, &s.webhook_hint) else {
            return Err(Error::Invalid("a robot needs its webhook address".into()));
        };
        let now = crate::now();
        let sql = format!(
            "INSERT INTO notify_robots (unit_id, platform, name, webhook_sealed, webhook_hint, secret_sealed, keyword,
                 digest, digest_at, mention, active, from_config, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $13, $12, $12)
             RETURNING {ROBOT_COLUMNS}"
        );
        let r: Robot = run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(unit_id)
            .bind(&s.platform)
            .bind(&s.name)
            .bind(webhook)
            .bind(hint)
            .bind(s.secret_sealed.as_deref().unwrap_or(""))
            .bind(&s.keyword)
            .bind(s.digest)
            .bind(&s.digest_at)
            .bind(s.mention)
            .bind(s.active)
            .bind(now)
            .bind(s.from_config)
            .fetch_one(&mut *c)
            .await)
        .map_err(|e| Error::from_write(e, "robot"))?;
        self.record("robot.create", "robot", &r.id.to_string(), &robot_state(&r))
            .await?;
        Ok(r)
    }

    /// Changes a robot's settings; sealed fields given as None are kept. Audited without secrets.
    pub async fn update_robot(&mut self, id: i64, s: &RobotSettings) -> Result<Robot> {
        check_robot(s)?;
        let old = self
            .robot(id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("robot {id}")))?;
        let webhook = s.webhook_sealed.clone().unwrap_or(old.webhook_sealed);
        let hint = s.webhook_hint.clone().unwrap_or(old.webhook_hint);
        let secret = s.secret_sealed.clone().unwrap_or(old.secret_sealed);
        run!(self.conn(), |c| {
            sqlx::query(
            "UPDATE notify_robots SET platform = $1, name = $2, webhook_sealed = $3, webhook_hint = $4,
                 secret_sealed = $5, keyword = $6, digest = $7, digest_at = $8, mention = $9, active = $10,
                 updated_at = $11 WHERE id = $12"
        )
        .bind(&s.platform)
        .bind(&s.name)
        .bind(&webhook)
        .bind(&hint)
        .bind(&secret)
        .bind(&s.keyword)
        .bind(s.digest)
        .bind(&s.digest_at)
        .bind(s.mention)
        .bind(s.active)
        .bind(crate::now())
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())
        })?;
        let r = self
            .robot(id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("robot {id}")))?;
        self.record("robot.update", "robot", &id.to_string(), &robot_state(&r))
            .await?;
        Ok(r)
    }

    /// Stores what a person chose. Audited (the e-mail address is the person's own data).
    pub async fn set_notify_prefs(&mut self, p: &NotifyPrefs) -> Result<()> {
        crate::check_text("email", &p.email)?;
        crate::check_text("quiet_hours", &p.quiet_hours)?;
        run!(self.conn(), |c| sqlx::query(
            "INSERT INTO notify_prefs (person_id, email, by_email, quiet_hours, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (person_id) DO UPDATE SET email = excluded.email, by_email = excluded.by_email,
                 quiet_hours = excluded.quiet_hours, updated_at = excluded.updated_at"
        )
        .bind(p.person_id)
        .bind(&p.email)
        .bind(p.by_email)
        .bind(&p.quiet_hours)
        .bind(crate::now())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| Error::from_write(e, "preferences"))?;
        self.record(
            "notify.prefs",
            "person",
            &p.person_id.to_string(),
            &json!({
                "email": (!p.email.is_empty()).then(|| email_for_audit(&p.email)),
                "by_email": p.by_email,
                "quiet_hours": p.quiet_hours
            }),
        )
        .await?;
        Ok(())
    }
}

/// What the audit chain keeps of a person's e-mail address: enough to tell which it was (its
/// first character, its domain and a digest of the whole), not the address itself — the log is
/// read by the audit administrator, the address is personal data.
pub fn email_for_audit(email: &str) -> String {
    let digest = &crate::ledger::sha256_hex(email.trim().to_lowercase().as_bytes())[..12];
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain} sha256:{digest}")
        }
        None => format!("*** sha256:{digest}"),
    }
}

/// What the audit chain keeps of a robot: everything but its sealed webhook and secret (whose
/// change shows as a changed hint or `has_secret`).
fn robot_state(r: &Robot) -> serde_json::Value {
    json!({
        "unit_id": r.unit_id, "platform": r.platform, "name": r.name, "webhook_hint": r.webhook_hint,
        "has_secret": !r.secret_sealed.is_empty(), "keyword": r.keyword, "digest": r.digest,
        "digest_at": r.digest_at, "mention": r.mention, "active": r.active,
        "from_config": r.from_config,
    })
}

fn check_robot(s: &RobotSettings) -> Result<()> {
    if !PLATFORMS.contains(&s.platform.as_str()) {
        return Err(Error::Invalid(format!(
            "platform: expected dingtalk, wecom or feishu, found {:?}",
            s.platform
        )));
    }
    for (f, v) in [
        ("name", &s.name),
        ("keyword", &s.keyword),
        ("digest_at", &s.digest_at),
    ] {
        crate::check_text(f, v)?;
    }
    Ok(())
}

#[allow(async_fn_in_trait)] // implemented only by this crate's concrete, Send types
pub trait NotifyRead: Read {
    async fn delivery(&mut self, id: i64) -> Result<Option<Delivery>> {
        let sql = format!("{DELIVERY} WHERE id = $1");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?)
    }

    /// The ledger, newest first.
    async fn deliveries(&mut self, f: &DeliveryFilter) -> Result<Vec<Delivery>> {
        let sql = format!(
            "{DELIVERY} WHERE ($1 IS NULL OR state = $1) AND ($2 IS NULL OR robot_id = $2)
               AND ($3 IS NULL OR person_id = $3)
             ORDER BY id DESC LIMIT $4"
        );
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(f.state.as_deref())
            .bind(f.robot)
            .bind(f.person)
            .bind(f.limit.clamp(1, 1000))
            .fetch_all(&mut *c)
            .await)?)
    }

    /// How many messages of the ledger are in each state.
    async fn delivery_counts(&mut self) -> Result<Vec<(String, i64)>> {
        Ok(run!(self.conn(), |c| sqlx::query_as(
            "SELECT state, COUNT(*) FROM deliveries GROUP BY state ORDER BY state"
        )
        .fetch_all(&mut *c)
        .await)?)
    }

    /// When a robot's messages since `since` finished sending, and whether one is being sent now
    /// (its instance may have died after the platform received it): what its rate budget counts.
    async fn robot_sends_since(
        &mut self,
        robot: i64,
        since: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>> {
        type Row = (Option<DateTime<Utc>>, Option<DateTime<Utc>>, String);
        let rows: Vec<Row> = run!(self.conn(), |c| {
            sqlx::query_as(
                "SELECT sent_at, attempted_at, state FROM deliveries
                 WHERE robot_id = $1 AND (sent_at >= $2 OR (state = 'sending' AND attempted_at >= $2))"
            )
            .bind(robot)
            .bind(since)
            .fetch_all(&mut *c)
            .await
        })?;
        Ok(rows
            .into_iter()
            .filter_map(|(sent, attempted, state)| {
                // A message in flight counts from now: it may reach the platform at any moment.
                if state == "sending" {
                    Some(crate::now())
                } else {
                    sent.or(attempted)
                }
            })
            .collect())
    }

    async fn robot(&mut self, id: i64) -> Result<Option<Robot>> {
        let sql = format!("{ROBOT} WHERE id = $1");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?)
    }

    async fn robots_at(&mut self, unit_id: i64) -> Result<Vec<Robot>> {
        let sql = format!("{ROBOT} WHERE unit_id = $1 ORDER BY id");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(unit_id)
            .fetch_all(&mut *c)
            .await)?)
    }

    /// The robots declared in the configuration file (active or not).
    async fn config_robots(&mut self) -> Result<Vec<Robot>> {
        let sql = format!("{ROBOT} WHERE from_config = TRUE ORDER BY id");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .fetch_all(&mut *c)
            .await)?)
    }

    /// The robots whose daily digest for `period` (a date) is in the ledger already.
    async fn robots_with_digest(&mut self, period: &str) -> Result<Vec<i64>> {
        let rows: Vec<(Option<i64>,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT DISTINCT robot_id FROM deliveries
             WHERE channel = 'robot' AND period = $1 AND event LIKE 'digest:%'"
        )
        .bind(period)
        .fetch_all(&mut *c)
        .await)?;
        Ok(rows.into_iter().filter_map(|(r,)| r).collect())
    }

    /// Active robots that take their unit's daily digest.
    async fn digest_robots(&mut self) -> Result<Vec<Robot>> {
        let sql = format!("{ROBOT} WHERE digest = TRUE AND active = TRUE ORDER BY id");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .fetch_all(&mut *c)
            .await)?)
    }

    /// A person's inbox, newest first.
    async fn inbox(&mut self, person_id: i64, limit: i64) -> Result<Vec<InboxMessage>> {
        let sql = format!("{INBOX} WHERE person_id = $1 ORDER BY id DESC LIMIT $2");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(person_id)
            .bind(limit.clamp(1, 1000))
            .fetch_all(&mut *c)
            .await)?)
    }

    /// One message of a person's inbox; None when there is none of that id, or it is another
    /// person's.
    async fn inbox_message(&mut self, person_id: i64, id: i64) -> Result<Option<InboxMessage>> {
        let sql = format!("{INBOX} WHERE id = $1 AND person_id = $2");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .bind(person_id)
            .fetch_optional(&mut *c)
            .await)?)
    }

    async fn unread_count(&mut self, person_id: i64) -> Result<i64> {
        let (n,): (i64,) = run!(self.conn(), |c| sqlx::query_as(
            "SELECT COUNT(*) FROM inbox_messages WHERE person_id = $1 AND read_at IS NULL"
        )
        .bind(person_id)
        .fetch_one(&mut *c)
        .await)?;
        Ok(n)
    }

    async fn notify_prefs(&mut self, person_id: i64) -> Result<Option<NotifyPrefs>> {
        Ok(run!(self.conn(), |c| sqlx::query_as(
            "SELECT person_id, email, by_email, quiet_hours FROM notify_prefs WHERE person_id = $1"
        )
        .bind(person_id)
        .fetch_optional(&mut *c)
        .await)?)
    }

    /// Every person's choices (the reminder scan reads them once).
    async fn all_notify_prefs(&mut self) -> Result<Vec<NotifyPrefs>> {
        Ok(run!(self.conn(), |c| sqlx::query_as(
            "SELECT person_id, email, by_email, quiet_hours FROM notify_prefs"
        )
        .fetch_all(&mut *c)
        .await)?)
    }
}

impl<T: Read> NotifyRead for T {}

#[cfg(test)]
mod tests {
    #[test]
    fn the_audit_keeps_no_email_address() {
        let a = super::email_for_audit("wangxm@school.example");
        assert!(a.starts_with("w***@school.example sha256:"), "{a}");
        assert!(!a.contains("wangxm"));
        let digest = |s: &str| s.rsplit(' ').next().unwrap().to_string();
        assert_eq!(
            digest(&a),
            digest(&super::email_for_audit("WangXM@School.example")),
            "the same address in other letters"
        );
        assert_ne!(
            digest(&a),
            digest(&super::email_for_audit("li@school.example"))
        );
        assert!(super::email_for_audit("nonsense").starts_with("*** sha256:"));
    }
}
