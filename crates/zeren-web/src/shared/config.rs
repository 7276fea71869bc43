//! Server configuration: `zeren.toml` in the data directory (or the file `ZEREN_CONFIG` names),
//! then `ZEREN_…` environment variables on top, then command-line flags. Unknown keys are
//! rejected in both, so a misspelt setting stops the start instead of being ignored.

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// Directory of the embedded SQLite database (and later, attachments).
    pub data: PathBuf,
    /// `postgres://…` to use PostgreSQL; unset means SQLite in `data`.
    pub database_url: Option<String>,
    /// Hash of the audit chain for a new database: `sha256` or `sm3`.
    pub audit_hash: String,
    /// A session ends after this long without a request.
    pub session_idle_minutes: u64,
    /// A session ends this long after it began, however busy (0: only the idle timeout).
    pub session_max_hours: u64,
    /// Sessions one account may hold at once; a new login ends the oldest (0: no limit).
    pub max_sessions_per_account: u64,
    /// Login attempts per user name within `lockout_minutes`; the next one locks the name.
    pub lockout_failures: i64,
    /// Failed login attempts per source address within `lockout_minutes` (any names).
    pub lockout_source_failures: i64,
    pub lockout_minutes: i64,
    /// Addresses of reverse proxies in front (comma-separated): for a request from one of
    /// them, the client's address is taken from `X-Forwarded-For` (for lockouts and the audit
    /// log). Empty: the header is not believed.
    pub trusted_proxies: String,
    /// A password older than this must be changed before anything else (0: never expires).
    pub password_max_age_days: u64,
    /// The three administrators must use one-time codes (TOTP) at login; one without them set
    /// up reaches only 我的 until it is done.
    pub totp_for_administrators: bool,
    /// Mark cookies `Secure` (set when served over HTTPS behind a proxy).
    pub secure_cookies: bool,
    pub upload_limit_mb: u64,
    /// The address people reach the server at (`https://zeren.example.gov.cn`), for links that
    /// leave the browser (calendar feeds); unset: the request's own host.
    pub public_url: Option<String>,
    /// Log filter: error, warn, info, debug or trace.
    pub log: String,
    /// Days before the due date a reminder goes out, by frequency (`week`, `month`, `quarter`,
    /// `half_year`, `year`, `holiday`); a frequency not listed keeps its default (1, 3, 7, 14,
    /// 14, 7).
    pub reminder_lead_days: std::collections::HashMap<String, u32>,
    /// Days between reminders of overdue work.
    pub reminder_overdue_every_days: u32,
    /// Hours (China time) in which e-mail notices wait, unless urgent (`22:00-07:00`); '' none.
    /// A person's own choice wins.
    pub quiet_hours: String,
    /// The mail server for e-mail notices; unset: no e-mail (the in-app inbox only).
    pub smtp_host: Option<String>,
    /// 587 for STARTTLS, 465 for TLS; unset: the mode's usual port.
    pub smtp_port: Option<u16>,
    /// `starttls` (the default), `tls`, or `none` (a relay on the same machine or network only).
    pub smtp_tls: String,
    pub smtp_username: Option<String>,
    /// Better given as `ZEREN_SMTP_PASSWORD` than in the file; never shown.
    pub smtp_password: Option<String>,
    /// The sender of notices (`责任制 <zeren@school.example>`).
    pub smtp_from: Option<String>,
    /// Hosts a group robot's webhook may point at, comma-separated (the platforms' own by
    /// default; add a private deployment's). Webhooks are called over HTTPS, or plain HTTP on
    /// loopback only.
    pub robot_hosts: String,
    /// Group robots declared in the file (`[[robots]]`), besides those units set up on their
    /// pages: their webhooks and secrets stay in the file.
    pub robots: Vec<RobotConfig>,
}

/// A group robot declared in `zeren.toml`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RobotConfig {
    /// The unit's number (as in its address, `/units/12`).
    pub unit: i64,
    /// `dingtalk`, `wecom` or `feishu`.
    pub platform: String,
    pub name: String,
    pub webhook: String,
    #[serde(default)]
    pub secret: String,
    #[serde(default)]
    pub keyword: String,
    /// The time of the unit's daily digest (China time, `08:30`); unset: no digest.
    #[serde(default)]
    pub digest_at: Option<String>,
    /// @ the people answering for late work, by mobile (钉钉, 企业微信).
    #[serde(default)]
    pub mention: bool,
}

/// The platforms' own webhook hosts.
pub const DEFAULT_ROBOT_HOSTS: &str =
    "oapi.dingtalk.com, qyapi.weixin.qq.com, open.feishu.cn, open.larksuite.com";

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: "127.0.0.1:8080".into(),
            data: PathBuf::from("zeren-data"),
            database_url: None,
            audit_hash: "sha256".into(),
            session_idle_minutes: 30,
            session_max_hours: 12,
            max_sessions_per_account: 0,
            lockout_failures: 5,
            lockout_source_failures: 100,
            lockout_minutes: 15,
            trusted_proxies: String::new(),
            password_max_age_days: 0,
            totp_for_administrators: false,
            secure_cookies: false,
            upload_limit_mb: 20,
            public_url: None,
            log: "info".into(),
            reminder_lead_days: std::collections::HashMap::new(),
            reminder_overdue_every_days: 7,
            quiet_hours: String::new(),
            smtp_host: None,
            smtp_port: None,
            smtp_tls: "starttls".into(),
            smtp_username: None,
            smtp_password: None,
            smtp_from: None,
            robot_hosts: DEFAULT_ROBOT_HOSTS.into(),
            robots: Vec::new(),
        }
    }
}

/// `ZEREN_…` variables that belong to tools and tests, not to the server.
const NOT_SERVER_SETTINGS: &[&str] = &["ZEREN_CONFIG", "ZEREN_TEST_DATABASE_URL", "ZEREN_E2E"];

impl Config {
    /// Build from a file's text (if any) and environment variables.
    pub fn from_sources(
        file: Option<(&Path, &str)>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, String> {
        let mut table = match file {
            Some((path, text)) => text
                .parse::<toml::Table>()
                .map_err(|e| format!("{}: {e}", path.display()))?,
            None => toml::Table::new(),
        };
        for (k, v) in env {
            let Some(key) = k.strip_prefix("ZEREN_") else {
                continue;
            };
            if NOT_SERVER_SETTINGS.contains(&k.as_str())
                || k.starts_with("ZEREN_TEST_")
                || k.starts_with("ZEREN_E2E")
            {
                continue;
            }
            let value = if let Ok(n) = v.parse::<i64>() {
                toml::Value::Integer(n)
            } else if let Ok(b) = v.parse::<bool>() {
                toml::Value::Boolean(b)
            } else {
                toml::Value::String(v)
            };
            table.insert(key.to_ascii_lowercase(), value);
        }
        let config: Config = table
            .try_into()
            .map_err(|e: toml::de::Error| format!("configuration: {}", e.message()))?;
        config.check()?;
        Ok(config)
    }

    /// Read `zeren.toml` from `data` (or `ZEREN_CONFIG`) and the process environment;
    /// `data` and `listen` from the command line win.
    pub fn load(data: Option<PathBuf>, listen: Option<String>) -> Result<Config, String> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        let data_dir = data
            .clone()
            .or_else(|| std::env::var_os("ZEREN_DATA").map(PathBuf::from))
            .unwrap_or_else(|| Config::default().data);
        let path = std::env::var_os("ZEREN_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("zeren.toml"));
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let mut c = Config::from_sources(text.as_deref().map(|t| (path.as_path(), t)), env)?;
        if let Some(d) = data {
            c.data = d;
        }
        if let Some(l) = listen {
            c.listen = l;
        }
        Ok(c)
    }

    fn check(&self) -> Result<(), String> {
        if zeren_store::HashAlg::parse(&self.audit_hash).is_none() {
            return Err(format!(
                "audit_hash: expected sha256 or sm3, found {:?}",
                self.audit_hash
            ));
        }
        if let Some(u) = self.public_url.as_deref().filter(|u| !u.is_empty()) {
            if !(u.starts_with("http://") || u.starts_with("https://"))
                || u.contains(char::is_whitespace)
            {
                return Err(format!(
                    "public_url: expected an address starting with https:// or http://, found {u:?}"
                ));
            }
        }
        for every in self.reminder_lead_days.keys() {
            if !["week", "month", "quarter", "half_year", "year", "holiday"]
                .contains(&every.as_str())
            {
                return Err(format!(
                    "reminder_lead_days: expected week, month, quarter, half_year, year or holiday, found {every:?}"
                ));
            }
        }
        if self.reminder_overdue_every_days == 0 {
            return Err("reminder_overdue_every_days must be positive".into());
        }
        if !self.quiet_hours.trim().is_empty()
            && zeren_core::notify::QuietHours::parse(&self.quiet_hours).is_none()
        {
            return Err(format!(
                "quiet_hours: expected two times of day (22:00-07:00), found {:?}",
                self.quiet_hours
            ));
        }
        if !["starttls", "tls", "none"].contains(&self.smtp_tls.as_str()) {
            return Err(format!(
                "smtp_tls: expected starttls, tls or none, found {:?}",
                self.smtp_tls
            ));
        }
        if self.smtp().is_some()
            && self
                .smtp_from
                .as_deref()
                .and_then(|f| f.parse::<lettre::message::Mailbox>().ok())
                .is_none()
        {
            return Err(format!(
                "smtp_from: expected the sender's address (zeren@school.example), found {:?}",
                self.smtp_from.as_deref().unwrap_or("")
            ));
        }
        for (i, r) in self.robots.iter().enumerate() {
            let platform = zeren_core::robots::Platform::parse(&r.platform).ok_or_else(|| {
                format!(
                    "robots[{i}].platform: expected dingtalk, wecom or feishu, found {:?}",
                    r.platform
                )
            })?;
            if r.name.trim().is_empty() || r.name.chars().count() > 60 {
                return Err(format!("robots[{i}].name: expected 1 to 60 characters"));
            }
            self.check_webhook(platform, &r.webhook)
                .map_err(|e| format!("robots[{i}].webhook: {e}"))?;
            if let Some(at) = &r.digest_at {
                if zeren_core::notify::parse_clock(at).is_none() {
                    return Err(format!(
                        "robots[{i}].digest_at: expected a time of day (08:30), found {at:?}"
                    ));
                }
            }
        }
        if let Some(bad) = self
            .trusted_proxies
            .split(',')
            .map(str::trim)
            .find(|a| !a.is_empty() && a.parse::<std::net::IpAddr>().is_err())
        {
            return Err(format!(
                "trusted_proxies: expected IP addresses separated by commas, found {bad:?}"
            ));
        }
        if self.session_idle_minutes == 0
            || self.lockout_failures < 1
            || self.lockout_source_failures < 1
            || self.lockout_minutes < 1
        {
            return Err(
                "session_idle_minutes, lockout_failures, lockout_source_failures and lockout_minutes must be positive"
                    .into(),
            );
        }
        Ok(())
    }

    /// The addresses of `trusted_proxies`, parsed.
    pub fn proxies(&self) -> Vec<std::net::IpAddr> {
        self.trusted_proxies
            .split(',')
            .filter_map(|a| a.trim().parse().ok())
            .collect()
    }

    /// The database to use: the configured URL, else SQLite in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(u) if !u.is_empty() => u.clone(),
            _ => format!("sqlite://{}", self.data.join("zeren.db").display()),
        }
    }

    pub fn audit_alg(&self) -> zeren_store::HashAlg {
        zeren_store::HashAlg::parse(&self.audit_hash).unwrap_or(zeren_store::HashAlg::Sha256)
    }

    pub fn session_idle(&self) -> chrono::Duration {
        chrono::Duration::minutes(self.session_idle_minutes as i64)
    }

    /// The absolute lifetime of a session, if one is set.
    pub fn session_max(&self) -> Option<chrono::Duration> {
        (self.session_max_hours > 0).then(|| chrono::Duration::hours(self.session_max_hours as i64))
    }

    /// How old a password may grow, if passwords expire.
    pub fn password_max_age(&self) -> Option<chrono::Duration> {
        (self.password_max_age_days > 0)
            .then(|| chrono::Duration::days(self.password_max_age_days as i64))
    }

    /// When password checks are refused (login, password change): per name and per address.
    pub fn lockout(&self) -> zeren_store::auth::LockoutPolicy {
        zeren_store::auth::LockoutPolicy {
            account_attempts: self.lockout_failures,
            source_attempts: self.lockout_source_failures,
            window: chrono::Duration::minutes(self.lockout_minutes),
        }
    }

    /// The base of links that leave the browser: `public_url`, else the host the request came
    /// to (https when cookies are marked Secure, as behind an HTTPS proxy).
    pub fn base_url(&self, headers: &axum::http::HeaderMap) -> String {
        if let Some(u) = self.public_url.as_deref().filter(|u| !u.is_empty()) {
            return u.trim_end_matches('/').to_string();
        }
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| !h.is_empty() && !h.contains(['/', ' ', '"', '<', '>']))
            .unwrap_or("localhost");
        let scheme = if self.secure_cookies { "https" } else { "http" };
        format!("{scheme}://{host}")
    }

    /// What the notices scan is told: the reminders' lead times and interval, the default quiet
    /// hours.
    pub fn scan_settings(
        &self,
        today: chrono::NaiveDate,
        now: chrono::DateTime<chrono::Utc>,
    ) -> zeren_store::notify_scan::ScanSettings {
        zeren_store::notify_scan::ScanSettings {
            today,
            now,
            lead_days: self.reminder_lead_days.clone(),
            overdue_every_days: self.reminder_overdue_every_days,
            quiet_hours: zeren_core::notify::QuietHours::parse(&self.quiet_hours),
        }
    }

    /// Whether a robot of `platform` may be called at `webhook`: HTTPS (plain HTTP to loopback
    /// only, for a local relay or a test) to one of `robot_hosts`. Says what is wrong.
    pub fn check_webhook(
        &self,
        _platform: zeren_core::robots::Platform,
        webhook: &str,
    ) -> Result<(), String> {
        let url = reqwest::Url::parse(webhook.trim())
            .map_err(|_| format!("not a web address: {webhook:?}"))?;
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        let loopback = host == "localhost"
            || host
                .trim_matches(['[', ']'])
                .parse::<std::net::IpAddr>()
                .is_ok_and(|a| a.is_loopback());
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => return Err(format!("expected an https:// address, found {webhook:?}")),
        }
        if !self.robot_host_list().contains(&host) {
            return Err(format!(
                "the host {host:?} is not among robot_hosts ({})",
                self.robot_hosts
            ));
        }
        Ok(())
    }

    /// The hosts of `robot_hosts`, lower case.
    pub fn robot_host_list(&self) -> Vec<String> {
        self.robot_hosts
            .split(',')
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect()
    }

    /// The mail server, when e-mail notices are configured.
    pub fn smtp(&self) -> Option<&str> {
        self.smtp_host
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
    }

    pub fn upload_limit_bytes(&self) -> usize {
        (self.upload_limit_mb as usize).saturating_mul(1024 * 1024)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn file_then_environment() {
        let c = Config::from_sources(
            Some((
                Path::new("zeren.toml"),
                "listen = \"0.0.0.0:9000\"\nsession_idle_minutes = 10\n",
            )),
            env(&[
                ("ZEREN_SESSION_IDLE_MINUTES", "20"),
                ("ZEREN_AUDIT_HASH", "sm3"),
                ("PATH", "/bin"),
            ]),
        )
        .unwrap();
        assert_eq!(c.listen, "0.0.0.0:9000");
        assert_eq!(c.session_idle_minutes, 20);
        assert_eq!(c.audit_alg(), zeren_store::HashAlg::Sm3);
    }

    /// The mail server from the file, its password from the environment; a server without a
    /// sender, or an unknown TLS mode, stops the start.
    #[test]
    fn smtp_settings() {
        let file =
            "smtp_host = \"mail.school.example\"\nsmtp_from = \"责任制 <zeren@school.example>\"\n";
        let c = Config::from_sources(
            Some((Path::new("zeren.toml"), file)),
            env(&[
                ("ZEREN_SMTP_PASSWORD", "s3cret"),
                ("ZEREN_SMTP_PORT", "465"),
            ]),
        )
        .unwrap();
        assert_eq!(c.smtp(), Some("mail.school.example"));
        assert_eq!((c.smtp_tls.as_str(), c.smtp_port), ("starttls", Some(465)));
        assert_eq!(c.smtp_password.as_deref(), Some("s3cret"));
        assert_eq!(Config::default().smtp(), None);
        let e = Config::from_sources(
            Some((
                Path::new("zeren.toml"),
                "smtp_host = \"mail.school.example\"\n",
            )),
            env(&[]),
        )
        .unwrap_err();
        assert!(e.contains("smtp_from"), "{e}");
        let e = Config::from_sources(None, env(&[("ZEREN_SMTP_TLS", "ssl")])).unwrap_err();
        assert!(e.contains("smtp_tls"), "{e}");
    }

    /// Reminder lead times by frequency from the file; a misspelt frequency or malformed quiet
    /// hours stop the start.
    #[test]
    fn reminder_settings() {
        let c = Config::from_sources(
            Some((
                Path::new("zeren.toml"),
                "reminder_overdue_every_days = 3\nquiet_hours = \"22:00-07:00\"\n[reminder_lead_days]\nmonth = 5\n",
            )),
            env(&[]),
        )
        .unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let s = c.scan_settings(today, zeren_store::now());
        assert_eq!((s.lead("month"), s.lead("week")), (5, 1));
        assert_eq!(s.overdue_every_days, 3);
        assert_eq!(
            s.quiet_hours.map(|q| q.text()).as_deref(),
            Some("22:00-07:00")
        );
        for bad in [
            "[reminder_lead_days]\nmonthly = 5\n",
            "quiet_hours = \"22:00\"\n",
            "reminder_overdue_every_days = 0\n",
        ] {
            assert!(
                Config::from_sources(Some((Path::new("zeren.toml"), bad)), env(&[])).is_err(),
                "{bad}"
            );
        }
    }

    /// Robots in the file: checked at start (platform, webhook host and scheme, digest time).
    #[test]
    fn robots_in_the_file() {
        let file = "[[robots]]\nunit = 3\nplatform = \"dingtalk\"\nname = \"党建群\"\nwebhook = \"https://oapi.dingtalk.com/robot/send?access_token=t\"\nsecret = \"SEC1\"\ndigest_at = \"08:30\"\n";
        let c = Config::from_sources(Some((Path::new("zeren.toml"), file)), env(&[])).unwrap();
        assert_eq!(c.robots[0].unit, 3);
        assert_eq!(c.robots[0].secret, "SEC1");
        for (bad, says) in [
            (file.replace("dingtalk\"", "wechat\""), "platform"),
            (
                file.replace("https://oapi.dingtalk.com", "http://oapi.dingtalk.com"),
                "https",
            ),
            (
                file.replace("oapi.dingtalk.com", "evil.example"),
                "robot_hosts",
            ),
            (file.replace("08:30", "8点半"), "digest_at"),
            (file.replace("secret =", "secrets ="), "secrets"),
        ] {
            let e =
                Config::from_sources(Some((Path::new("zeren.toml"), &bad)), env(&[])).unwrap_err();
            assert!(e.contains(says), "{says}: {e}");
        }
        let local = Config {
            robot_hosts: "127.0.0.1".into(),
            ..Config::default()
        };
        let p = zeren_core::robots::Platform::DingTalk;
        assert!(local
            .check_webhook(p, "http://127.0.0.1:4000/robot/send?access_token=t")
            .is_ok());
        assert!(Config::default()
            .check_webhook(p, "http://127.0.0.1:4000/x")
            .is_err());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let e = Config::from_sources(Some((Path::new("zeren.toml"), "lisen = \"x\"")), env(&[]))
            .unwrap_err();
        assert!(e.contains("lisen"), "{e}");
        let e = Config::from_sources(None, env(&[("ZEREN_SESION_IDLE_MINUTES", "3")])).unwrap_err();
        assert!(e.contains("sesion_idle_minutes"), "{e}");
        assert!(
            Config::from_sources(None, env(&[("ZEREN_TEST_DATABASE_URL", "postgres://x")])).is_ok()
        );
        assert!(Config::from_sources(None, env(&[("ZEREN_AUDIT_HASH", "md5")])).is_err());
        let c = Config::from_sources(
            None,
            env(&[("ZEREN_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.2")]),
        )
        .unwrap();
        assert_eq!(c.proxies().len(), 2);
        assert!(
            Config::from_sources(None, env(&[("ZEREN_TRUSTED_PROXIES", "proxy.local")])).is_err()
        );
    }

    #[test]
    fn links_use_the_public_url_or_the_request_host() {
        let mut h = axum::http::HeaderMap::new();
        h.insert("host", "zeren.local:8080".parse().unwrap());
        assert_eq!(Config::default().base_url(&h), "http://zeren.local:8080");
        let c = Config {
            secure_cookies: true,
            ..Config::default()
        };
        assert_eq!(c.base_url(&h), "https://zeren.local:8080");
        let c = Config::from_sources(
            None,
            env(&[("ZEREN_PUBLIC_URL", "https://zeren.example.gov.cn/")]),
        )
        .unwrap();
        assert_eq!(c.base_url(&h), "https://zeren.example.gov.cn");
        assert!(Config::from_sources(None, env(&[("ZEREN_PUBLIC_URL", "zeren.example")])).is_err());
    }

    #[test]
    fn sqlite_in_the_data_directory_by_default() {
        let c = Config {
            data: PathBuf::from("/srv/z"),
            ..Config::default()
        };
        assert_eq!(c.database_url(), "sqlite:///srv/z/zeren.db");
    }
}
