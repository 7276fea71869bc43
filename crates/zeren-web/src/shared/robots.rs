//! Sending to group robots (钉钉, 企业微信, 飞书) over HTTPS: a stored robot opened with the seal
//! key, a message turned into the platform's webhook calls (`zeren_core::robots::calls`), and the
//! platform's answer read back — accepted, a refusal naming the setting at fault, or no answer
//! at all. The runner sends the ledger's robot messages with it; a unit's page sends a test.

use std::sync::OnceLock;
use std::time::Duration;

use chrono::{DateTime, Utc};
use zeren_core::notify::Budget;
use zeren_core::robots::{answer, calls, diagnose, Platform, RobotMessage, Setting};
use zeren_store::notify::Robot;

use super::secrets::SealKey;
use super::state::AppState;

/// A robot ready to be called: its secrets opened.
#[derive(Clone, Debug)]
pub struct Target {
    pub platform: Platform,
    pub webhook: String,
    pub secret: String,
    pub keyword: String,
}

/// Why a robot cannot be called at all (before any call is made).
pub fn target(key: Option<&SealKey>, r: &Robot) -> Result<Target, String> {
    let platform =
        Platform::parse(&r.platform).ok_or_else(|| format!("unknown platform {:?}", r.platform))?;
    let key = key.ok_or("the server holds no notify.key")?;
    let webhook = key
        .open("webhook", &r.webhook_sealed)
        .ok_or("the webhook does not open with this server's notify.key")?;
    let secret = key
        .open("secret", &r.secret_sealed)
        .ok_or("the secret does not open with this server's notify.key")?;
    Ok(Target {
        platform,
        webhook,
        secret,
        keyword: r.keyword.clone(),
    })
}

/// A call that did not deliver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The platform refused: its code and words, and the setting they name.
    Refused {
        code: i64,
        words: String,
        setting: Setting,
    },
    /// No answer of the platform's after the request went out (timed out, a broken connection,
    /// an answer that is not its JSON), or a later part of a split message failing after an
    /// earlier one was taken: the platform may have (part of) the message.
    NoAnswer(String),
    /// The platform could not be reached at all (no connection): it cannot have the message.
    Unreachable(String),
}

impl Failure {
    pub fn code(&self) -> String {
        match self {
            Failure::Refused { code, .. } => code.to_string(),
            Failure::NoAnswer(_) | Failure::Unreachable(_) => String::new(),
        }
    }

    pub fn words(&self) -> String {
        match self {
            Failure::Refused { words, setting, .. } => format!("{words} ({})", setting.word()),
            Failure::NoAnswer(w) | Failure::Unreachable(w) => w.clone(),
        }
    }
}

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client")
    })
}

/// Sends `msg` to the robot, call after call; the last call's accepting answer (code, words).
pub async fn send(
    t: &Target,
    msg: &RobotMessage,
    now: DateTime<Utc>,
) -> Result<(i64, String), Failure> {
    let mut last = (0, String::new());
    for (n, call) in calls(t.platform, &t.webhook, &t.secret, &t.keyword, now, msg)
        .into_iter()
        .enumerate()
    {
        let r = client()
            .post(&call.url)
            .header("content-type", "application/json; charset=utf-8")
            .body(call.body.to_string())
            .send()
            .await
            .map_err(|e| {
                let words = no_answer_words(&e);
                if e.is_connect() && n == 0 {
                    Failure::Unreachable(words)
                } else {
                    Failure::NoAnswer(words)
                }
            })?;
        let status = r.status();
        let text = r
            .text()
            .await
            .map_err(|e| Failure::NoAnswer(e.to_string()))?;
        let Some((code, words)) = answer(&text) else {
            return Err(Failure::NoAnswer(format!(
                "HTTP {status}: {}",
                zeren_core::notify::cut_to_bytes(&text, 200)
            )));
        };
        if let Some(setting) = diagnose(t.platform, code, &words) {
            return Err(Failure::Refused {
                code,
                words,
                setting,
            });
        }
        last = (code, words);
    }
    Ok(last)
}

/// A failed request in words, without the address (it holds the robot's token).
fn no_answer_words(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(e);
    let mut cause = String::new();
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    if cause.is_empty() {
        what.to_string()
    } else {
        format!("{what}: {cause}")
    }
}

/// The platform's rate budgets with its minute (and second) lasting `minute` / 60 each.
pub fn budgets(platform: Platform, minute: chrono::Duration) -> Vec<Budget> {
    platform
        .budgets()
        .into_iter()
        .map(|b| Budget {
            count: b.count,
            window: b.window * minute.num_milliseconds() as i32 / 60_000,
        })
        .collect()
}

/// A short address to show for a webhook: its host and the token's last four characters.
pub fn hint(webhook: &str) -> String {
    let host = reqwest::Url::parse(webhook)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let tail: String = webhook
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{host} …{tail}")
}

/// Writes the robots of `zeren.toml` (`[[robots]]`) to the database, sealed like any robot's,
/// and switches off those no longer in the file. Changes are audited; an unchanged robot is left
/// alone. Several instances starting together write each robot once (a unique index; the loser
/// reads the winner's).
pub async fn sync_config_robots(state: &AppState) -> Result<(), String> {
    let mut last = String::new();
    for _ in 0..3 {
        match sync_once(state).await {
            Ok(()) => return Ok(()),
            Err(SyncError::Conflict(e)) => last = e,
            Err(SyncError::Fatal(e)) => return Err(e),
        }
    }
    Err(last)
}

enum SyncError {
    Conflict(String),
    Fatal(String),
}

async fn sync_once(state: &AppState) -> Result<(), SyncError> {
    use zeren_store::notify::{NotifyRead, RobotSettings};
    use zeren_store::Read;
    let fatal = |e: zeren_store::Error| SyncError::Fatal(e.to_string());
    let wanted = &state.config.robots;
    let mut w = state
        .store
        .write(&zeren_store::Actor::system())
        .await
        .map_err(fatal)?;
    let existing = w.config_robots().await.map_err(fatal)?;
    if wanted.is_empty() && existing.iter().all(|r| !r.active) {
        return Ok(());
    }
    let key = state
        .seal_key()
        .ok_or_else(|| SyncError::Fatal("robots: the server holds no notify.key".into()))?;
    for (i, c) in wanted.iter().enumerate() {
        if w.unit(c.unit).await.map_err(fatal)?.is_none() {
            return Err(SyncError::Fatal(format!(
                "robots[{i}].unit: there is no unit {}",
                c.unit
            )));
        }
        let digest_at = c
            .digest_at
            .as_deref()
            .and_then(zeren_core::notify::parse_clock)
            .map(|t| t.format("%H:%M").to_string())
            .unwrap_or_default();
        let old = existing
            .iter()
            .find(|r| r.unit_id == c.unit && r.name == c.name.trim());
        let same = old.is_some_and(|r| {
            r.platform == c.platform
                && r.keyword == c.keyword.trim()
                && r.digest == c.digest_at.is_some()
                && r.digest_at == digest_at
                && r.mention == c.mention
                && r.active
                && key.open("webhook", &r.webhook_sealed).as_deref() == Some(c.webhook.trim())
                && key.open("secret", &r.secret_sealed).as_deref() == Some(c.secret.trim())
        });
        if same {
            continue;
        }
        let s = RobotSettings {
            platform: c.platform.clone(),
            name: c.name.trim().to_string(),
            webhook_sealed: Some(key.seal("webhook", c.webhook.trim())),
            webhook_hint: Some(hint(c.webhook.trim())),
            secret_sealed: Some(if c.secret.trim().is_empty() {
                String::new()
            } else {
                key.seal("secret", c.secret.trim())
            }),
            keyword: c.keyword.trim().to_string(),
            digest: c.digest_at.is_some(),
            digest_at,
            mention: c.mention,
            active: true,
            from_config: true,
        };
        let done = match old {
            Some(r) => w.update_robot(r.id, &s).await.map(|_| ()),
            None => w.create_robot(c.unit, &s).await.map(|_| ()),
        };
        done.map_err(|e| match e {
            zeren_store::Error::Conflict(m) => SyncError::Conflict(m),
            e => SyncError::Fatal(e.to_string()),
        })?;
    }
    for r in existing.iter().filter(|r| r.active) {
        if !wanted
            .iter()
            .any(|c| c.unit == r.unit_id && c.name.trim() == r.name)
        {
            let s = RobotSettings {
                platform: r.platform.clone(),
                name: r.name.clone(),
                keyword: r.keyword.clone(),
                digest: r.digest,
                digest_at: r.digest_at.clone(),
                mention: r.mention,
                active: false,
                from_config: true,
                ..RobotSettings::default()
            };
            w.update_robot(r.id, &s).await.map_err(fatal)?;
        }
    }
    w.commit().await.map_err(|e| match e {
        zeren_store::Error::Conflict(m) => SyncError::Conflict(m),
        e => SyncError::Fatal(e.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_keep_their_counts_in_a_shorter_minute() {
        let b = budgets(Platform::Feishu, chrono::Duration::seconds(6));
        assert_eq!(b[0].count, 100);
        assert_eq!(b[0].window, chrono::Duration::seconds(6));
        assert_eq!(b[1].count, 5);
        assert_eq!(b[1].window, chrono::Duration::milliseconds(100));
        let real = budgets(Platform::DingTalk, chrono::Duration::seconds(60));
        assert_eq!(real, Platform::DingTalk.budgets());
    }

    #[test]
    fn a_hint_shows_the_host_and_the_tokens_end() {
        assert_eq!(
            hint("https://oapi.dingtalk.com/robot/send?access_token=abcdef123"),
            "oapi.dingtalk.com …f123"
        );
    }
}
