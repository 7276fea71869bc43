//! The rules of group robots (钉钉, 企业微信, 飞书): how each platform signs a webhook call, how
//! many messages it takes in a minute (and a second), how long a message may be and whether it
//! can @ people by mobile, and which of the robot's settings a platform's error names. Pure: the
//! caller passes the time. (Sending, and the pages to set robots up, are not built yet.)

use base64::Engine as _;
use chrono::Duration;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::notify::Budget;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Platform {
    DingTalk,
    WeCom,
    Feishu,
}

impl Platform {
    pub const ALL: [Platform; 3] = [Platform::DingTalk, Platform::WeCom, Platform::Feishu];

    pub fn word(self) -> &'static str {
        match self {
            Platform::DingTalk => "dingtalk",
            Platform::WeCom => "wecom",
            Platform::Feishu => "feishu",
        }
    }

    pub fn parse(s: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.word() == s)
    }

    /// What one robot may be sent: 20 a minute on 钉钉 and 企业微信; 100 a minute and 5 a
    /// second on 飞书. Messages over budget wait (see [`crate::notify::next_send`]), never drop.
    pub fn budgets(self) -> Vec<Budget> {
        let minute = |count| Budget {
            count,
            window: Duration::seconds(60),
        };
        match self {
            Platform::DingTalk | Platform::WeCom => vec![minute(20)],
            Platform::Feishu => vec![
                minute(100),
                Budget {
                    count: 5,
                    window: Duration::seconds(1),
                },
            ],
        }
    }

    /// The longest message text, in bytes of UTF-8: 20 KB on 钉钉 and 飞书, 4,096 bytes for a
    /// 企业微信 markdown message.
    pub fn max_text_bytes(self) -> usize {
        match self {
            Platform::DingTalk | Platform::Feishu => 20_000,
            Platform::WeCom => 4_096,
        }
    }

    /// Whether a message can @ people by mobile (`atMobiles`, `mentioned_mobile_list`); a 飞书
    /// custom robot cannot.
    pub fn can_mention(self) -> bool {
        !matches!(self, Platform::Feishu)
    }
}

fn hmac_base64(key: &[u8], message: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(message);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// 钉钉's signature: HMAC-SHA256 keyed by the secret over `timestamp_ms\nsecret`, in Base64.
pub fn dingtalk_sign(timestamp_ms: i64, secret: &str) -> String {
    hmac_base64(
        secret.as_bytes(),
        format!("{timestamp_ms}\n{secret}").as_bytes(),
    )
}

/// The 钉钉 webhook address to call: the robot's address with `timestamp` and the URL-encoded
/// `sign` appended (none without a secret).
pub fn dingtalk_url(webhook: &str, timestamp_ms: i64, secret: &str) -> String {
    if secret.is_empty() {
        return webhook.to_string();
    }
    let sep = if webhook.contains('?') { '&' } else { '?' };
    format!(
        "{webhook}{sep}timestamp={timestamp_ms}&sign={}",
        url_encode(&dingtalk_sign(timestamp_ms, secret))
    )
}

/// 飞书's signature, sent in the body with `timestamp` (seconds): HMAC-SHA256 keyed by
/// `timestamp_s\nsecret` over an empty message, in Base64.
pub fn feishu_sign(timestamp_s: i64, secret: &str) -> String {
    hmac_base64(format!("{timestamp_s}\n{secret}").as_bytes(), b"")
}

/// Base64's `+`, `/` and `=` (and anything but letters, digits and `-_.~`) percent-encoded.
fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The robot's setting a platform's refusal names, so that a test send can say what to fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    /// The webhook address (its token) is wrong or the robot was removed.
    Webhook,
    /// The signing secret does not match (or the server's clock is off by over an hour).
    Secret,
    /// The robot is secured by keywords and the message holds none.
    Keyword,
    /// The robot is secured by an IP allow-list that lacks this server's address.
    IpAllowList,
    /// Sent too fast: wait and try again.
    RateLimit,
    /// Another refusal: its code and words are shown as they are.
    Other,
}

/// What a platform's answer `code` (`errcode`, or 飞书's `code`) with `message` (`errmsg`/`msg`)
/// says is wrong; None when it accepted the message (code 0). The codes are those known
/// for these cases, not yet checked against real robots: a test send must do that before it
/// relies on them.
pub fn diagnose(platform: Platform, code: i64, message: &str) -> Option<Setting> {
    if code == 0 {
        return None;
    }
    let m = message.to_ascii_lowercase();
    Some(match (platform, code) {
        // 钉钉 gives one code to every security setting and tells them apart in words.
        (Platform::DingTalk, 310000) if m.contains("sign") => Setting::Secret,
        (Platform::DingTalk, 310000) if m.contains("keyword") => Setting::Keyword,
        (Platform::DingTalk, 310000) if m.contains("whitelist") || m.contains("ip") => {
            Setting::IpAllowList
        }
        (Platform::DingTalk, 300001) => Setting::Webhook,
        (Platform::DingTalk, 130101) => Setting::RateLimit,
        (Platform::WeCom, 93000) => Setting::Webhook,
        (Platform::WeCom, 45009) => Setting::RateLimit,
        (Platform::Feishu, 19021) => Setting::Secret,
        (Platform::Feishu, 19022) => Setting::IpAllowList,
        (Platform::Feishu, 19024) => Setting::Keyword,
        (Platform::Feishu, 19001) => Setting::Webhook,
        (Platform::Feishu, 9499 | 11232) => Setting::RateLimit,
        _ => Setting::Other,
    })
}

/// `text` in parts of at most `max_bytes` each, cut at line breaks where a line fits (a longer
/// line is cut between characters): a digest too long for one message goes out as several.
pub fn split(text: &str, max_bytes: usize) -> Vec<String> {
    let max = max_bytes.max(4);
    let mut parts = Vec::new();
    let mut part = String::new();
    for line in text.split_inclusive('\n') {
        let mut rest = line;
        while !rest.is_empty() {
            if part.len() + rest.len() <= max {
                part.push_str(rest);
                break;
            }
            if !part.is_empty() {
                parts.push(std::mem::take(&mut part));
                continue;
            }
            let head = crate::notify::cut_to_bytes(rest, max);
            parts.push(head.to_string());
            rest = &rest[head.len()..];
        }
    }
    if !part.is_empty() {
        parts.push(part);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Signatures as the platforms compute them (checked against Python's hmac module).
    #[test]
    fn signatures() {
        assert_eq!(
            dingtalk_sign(1_780_000_000_000, "SEC123abc"),
            "IRy4NW0BfRFxpbogZZGR11QdUW8TD/i4IARyy6MbxSw="
        );
        assert_eq!(
            dingtalk_url(
                "https://oapi.dingtalk.com/robot/send?access_token=t",
                1_780_000_000_000,
                "SEC123abc"
            ),
            "https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1780000000000&sign=IRy4NW0BfRFxpbogZZGR11QdUW8TD%2Fi4IARyy6MbxSw%3D"
        );
        assert_eq!(
            dingtalk_url("https://x/send?access_token=t", 1, ""),
            "https://x/send?access_token=t"
        );
        assert_eq!(
            feishu_sign(1_780_000_000, "SEC123abc"),
            "TOHhvZt0LJ6yP32IwspdbQJ/s44JGmHChFLO8brPzSg="
        );
    }

    #[test]
    fn a_refusal_names_the_setting() {
        use Platform::*;
        assert_eq!(diagnose(DingTalk, 0, "ok"), None);
        assert_eq!(
            diagnose(DingTalk, 310000, "sign not match, more: [...]"),
            Some(Setting::Secret)
        );
        assert_eq!(
            diagnose(DingTalk, 310000, "keywords not in content"),
            Some(Setting::Keyword)
        );
        assert_eq!(
            diagnose(DingTalk, 310000, "ip X.X.X.X not in whitelist"),
            Some(Setting::IpAllowList)
        );
        assert_eq!(
            diagnose(DingTalk, 130101, "send too fast"),
            Some(Setting::RateLimit)
        );
        assert_eq!(
            diagnose(Feishu, 19021, "sign match fail"),
            Some(Setting::Secret)
        );
        assert_eq!(
            diagnose(Feishu, 19024, "Key Words Not Found"),
            Some(Setting::Keyword)
        );
        assert_eq!(
            diagnose(WeCom, 93000, "invalid webhook url"),
            Some(Setting::Webhook)
        );
        assert_eq!(
            diagnose(WeCom, 45009, "api freq out of limit"),
            Some(Setting::RateLimit)
        );
        assert_eq!(diagnose(WeCom, 1, "?"), Some(Setting::Other));
    }

    #[test]
    fn platforms() {
        for p in Platform::ALL {
            assert_eq!(Platform::parse(p.word()), Some(p));
        }
        assert_eq!(Platform::WeCom.max_text_bytes(), 4096);
        assert!(!Platform::Feishu.can_mention() && Platform::DingTalk.can_mention());
        assert_eq!(Platform::Feishu.budgets().len(), 2);
    }

    #[test]
    fn a_long_digest_is_split_at_lines() {
        let text = "一二三\n四五六\n七八九\n";
        assert_eq!(split(text, 20), ["一二三\n四五六\n", "七八九\n"]);
        assert_eq!(split(text, 100), [text]);
        assert_eq!(split("一二三四", 6), ["一二", "三四"]);
    }

    proptest! {
        /// Every part fits, and the parts put together are the text.
        #[test]
        fn parts_fit_and_join_to_the_text(text in "[a-z一-十\\n]{0,200}", max in 4usize..64) {
            let parts = split(&text, max);
            prop_assert!(parts.iter().all(|p| p.len() <= max && !p.is_empty()));
            prop_assert_eq!(parts.concat(), text);
        }
    }
}
