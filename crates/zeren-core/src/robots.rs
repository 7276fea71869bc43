//! The rules of group robots (钉钉, 企业微信, 飞书): how each platform signs a webhook call, how
//! many messages it takes in a minute (and a second), how long a message may be and whether it
//! can @ people by mobile, which of the robot's settings a platform's error names, what a
//! webhook call carries for each platform, and how a unit's daily digest is written to fit one
//! message. Pure: the caller passes the time.

use base64::Engine as _;
use chrono::Duration;
use hmac::{Hmac, Mac};
use serde_json::json;
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

/// What a refusal's setting means for the message: wait (a rate limit), give up until the setting
/// is fixed (a wrong secret, keyword, allow-list or address), or try again later (anything else).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Then {
    Wait,
    FixSetting,
    TryLater,
}

impl Setting {
    pub fn then(self) -> Then {
        match self {
            Setting::RateLimit => Then::Wait,
            Setting::Webhook | Setting::Secret | Setting::Keyword | Setting::IpAllowList => {
                Then::FixSetting
            }
            Setting::Other => Then::TryLater,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Setting::Webhook => "webhook",
            Setting::Secret => "secret",
            Setting::Keyword => "keyword",
            Setting::IpAllowList => "ip_allow_list",
            Setting::RateLimit => "rate_limit",
            Setting::Other => "other",
        }
    }
}

/// A message for a group robot: a title (钉钉 shows it in the conversation list), the text
/// (Markdown on 钉钉 and 企业微信, plain text on 飞书) and the mobiles to @.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RobotMessage {
    pub title: String,
    pub text: String,
    pub mentions: Vec<String>,
    /// A plain text message rather than Markdown: 企业微信 can @ by mobile only in one.
    pub plain: bool,
}

/// One webhook call: the address (with 钉钉's signature) and the JSON body.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub url: String,
    pub body: serde_json::Value,
}

/// At most this many people are @-ed in one message (the body must stay within the limit).
pub const MAX_MENTIONS: usize = 20;

/// The longest text of a 企业微信 plain text message, in bytes.
pub const WECOM_TEXT_BYTES: usize = 2_048;

/// The webhook calls that carry `msg` to a robot of `platform` at `now`: one, unless the text is
/// longer than the platform takes (then numbered parts), headed by the robot's `keyword` when it
/// has one and the text lacks it, signed with `secret` when there is one. @ by mobile where the
/// platform can: 钉钉 in the message itself (`atMobiles`, and `@mobile` in the text, which 钉钉
/// requires); 企业微信 only in a plain text message (`mentioned_mobile_list`; its Markdown cannot
/// @ by mobile, see [`digest_messages`]); 飞书 not at all.
pub fn calls(
    platform: Platform,
    webhook: &str,
    secret: &str,
    keyword: &str,
    now: chrono::DateTime<chrono::Utc>,
    msg: &RobotMessage,
) -> Vec<Call> {
    let keyword = keyword.trim();
    let head = if !keyword.is_empty() && !msg.text.contains(keyword) {
        format!("【{keyword}】")
    } else {
        String::new()
    };
    let wecom_text = platform == Platform::WeCom && msg.plain;
    let mentions: Vec<&String> = match platform {
        Platform::DingTalk => msg.mentions.iter().take(MAX_MENTIONS).collect(),
        Platform::WeCom if msg.plain => msg.mentions.iter().take(MAX_MENTIONS).collect(),
        _ => Vec::new(),
    };
    let at_line = match platform {
        Platform::DingTalk if !mentions.is_empty() => {
            let ats: Vec<String> = mentions.iter().map(|m| format!("@{m}")).collect();
            format!("\n\n{}", ats.join(" "))
        }
        _ => String::new(),
    };
    let max = if wecom_text {
        WECOM_TEXT_BYTES
    } else {
        platform.max_text_bytes()
    };
    let parts = split(&msg.text, max.saturating_sub(head.len() + at_line.len()));
    let count = parts.len();
    let ms = now.timestamp_millis();
    let mut out = Vec::new();
    for (i, part) in parts.into_iter().enumerate() {
        let last = i + 1 == count;
        let mut text = format!("{head}{part}");
        if last {
            text.push_str(&at_line);
        }
        let title = if count > 1 {
            format!("{head}{}（{}/{count}）", msg.title, i + 1)
        } else {
            format!("{head}{}", msg.title)
        };
        let ats = if last { mentions.clone() } else { Vec::new() };
        let call = match platform {
            Platform::DingTalk => Call {
                url: dingtalk_url(webhook, ms, secret),
                body: json!({
                    "msgtype": "markdown",
                    "markdown": { "title": title, "text": text },
                    "at": { "atMobiles": ats, "isAtAll": false },
                }),
            },
            Platform::WeCom if msg.plain => Call {
                url: webhook.to_string(),
                body: json!({
                    "msgtype": "text",
                    "text": { "content": text, "mentioned_mobile_list": ats },
                }),
            },
            Platform::WeCom => Call {
                url: webhook.to_string(),
                body: json!({ "msgtype": "markdown", "markdown": { "content": text } }),
            },
            Platform::Feishu => {
                let mut body = json!({ "msg_type": "text", "content": { "text": text } });
                if !secret.is_empty() {
                    let s = now.timestamp();
                    body["timestamp"] = json!(s.to_string());
                    body["sign"] = json!(feishu_sign(s, secret));
                }
                Call {
                    url: webhook.to_string(),
                    body,
                }
            }
        };
        out.push(call);
    }
    out
}

/// What a platform answered: its code (`errcode`, or 飞书's `code`/`StatusCode`) and words.
/// None when the answer is not the platform's JSON.
pub fn answer(body: &str) -> Option<(i64, String)> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    let code = ["errcode", "code", "StatusCode"]
        .iter()
        .find_map(|k| v.get(*k).and_then(|c| c.as_i64()))?;
    let words = ["errmsg", "msg", "StatusMessage"]
        .iter()
        .find_map(|k| v.get(*k).and_then(|c| c.as_str()))
        .unwrap_or("");
    Some((code, words.to_string()))
}

/// One line of a digest: what (linked where there is an address), and its period and date or
/// what waits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestLine {
    pub title: String,
    pub detail: String,
    /// The page, as a full address; None when the server knows no `public_url`.
    pub link: Option<String>,
}

/// What a unit's daily digest says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DigestContent {
    pub unit_name: String,
    pub date: chrono::NaiveDate,
    pub overdue: Vec<DigestLine>,
    pub due_soon: Vec<DigestLine>,
    pub waiting: Vec<DigestLine>,
    /// The unit's page of its work, where everything is listed.
    pub more: Option<String>,
    pub mentions: Vec<String>,
}

/// Room kept for the lines that say how many were left out, per section.
const MORE_LINE_BYTES: usize = 96;

/// The unit's daily digest as one message for `platform`: what is late, what waits, what falls
/// due soon, in that order, each linked. When everything does not fit the platform's limit, each
/// section keeps the lines that fit and says how many more there are (with the link to the
/// unit's page): one message a day, never a train of them.
pub fn digest_message(platform: Platform, d: &DigestContent) -> RobotMessage {
    digest_messages(platform, d).remove(0)
}

/// The digest as the messages a robot is sent: one, and on 企业微信 a short plain text message
/// after it that @-s the people answering for late work (its Markdown cannot).
pub fn digest_messages(platform: Platform, d: &DigestContent) -> Vec<RobotMessage> {
    let markdown = platform != Platform::Feishu;
    let title = format!(
        "{}工作提醒（{}）",
        d.unit_name,
        crate::notify::month_day(d.date)
    );
    let line = |l: &DigestLine| -> String {
        match (&l.link, markdown) {
            (Some(u), true) => format!("- [{}]({u})：{}\n", md_escape(&l.title), l.detail),
            (Some(u), false) => format!("- {}：{} {u}\n", l.title, l.detail),
            (None, true) => format!("- {}：{}\n", md_escape(&l.title), l.detail),
            (None, false) => format!("- {}：{}\n", l.title, l.detail),
        }
    };
    let heading = |words: &str, n: usize| -> String {
        if markdown {
            format!("\n**{words} {n} 项**\n")
        } else {
            format!("\n【{words} {n} 项】\n")
        }
    };
    let mut text = if markdown {
        format!("### {title}\n")
    } else {
        format!("{title}\n")
    };
    let footer = match &d.more {
        Some(u) if markdown => format!("\n[查看全部]({u})\n"),
        Some(u) => format!("\n查看全部：{u}\n"),
        None => String::new(),
    };
    let sections = [
        ("已逾期", &d.overdue),
        ("待办理", &d.waiting),
        ("即将到期", &d.due_soon),
    ];
    if sections.iter().all(|(_, l)| l.is_empty()) {
        text.push_str("\n今日没有逾期、待办理或即将到期的事项。\n");
    }
    // Kept for the 钉钉 @ line, a keyword, and the body's JSON around the text.
    let limit = platform.max_text_bytes() / 10 * 9;
    for (k, (words, lines)) in sections.iter().enumerate() {
        if lines.is_empty() {
            continue;
        }
        text.push_str(&heading(words, lines.len()));
        let later: usize = sections[k + 1..]
            .iter()
            .filter(|(_, l)| !l.is_empty())
            .map(|(w, l)| heading(w, l.len()).len() + MORE_LINE_BYTES)
            .sum();
        let mut shown = 0;
        for l in lines.iter() {
            let one = line(l);
            if text.len() + one.len() + MORE_LINE_BYTES + later + footer.len() > limit {
                break;
            }
            text.push_str(&one);
            shown += 1;
        }
        if shown < lines.len() {
            text.push_str(&format!("- ……另有{}项，请查看全部\n", lines.len() - shown));
        }
    }
    text.push_str(&footer);
    let text = crate::notify::cut_to_bytes(&text, limit).to_string();
    let mentions: Vec<String> = d.mentions.iter().take(MAX_MENTIONS).cloned().collect();
    if platform == Platform::WeCom && !mentions.is_empty() && !d.overdue.is_empty() {
        return vec![
            RobotMessage {
                title: title.clone(),
                text,
                mentions: Vec::new(),
                plain: false,
            },
            RobotMessage {
                title,
                text: format!("以上{}项逾期事项，请相关同志及时办理。", d.overdue.len()),
                mentions,
                plain: true,
            },
        ];
    }
    vec![RobotMessage {
        title,
        text,
        mentions: if platform.can_mention() {
            mentions
        } else {
            Vec::new()
        },
        plain: false,
    }]
}

/// A title in Markdown link text: brackets would end the link.
fn md_escape(s: &str) -> String {
    s.replace('[', "［").replace(']', "］")
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

    fn at(ms: i64) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp_millis(ms).unwrap()
    }

    fn msg(text: &str, mentions: &[&str]) -> RobotMessage {
        RobotMessage {
            title: "河东区第一中学工作提醒".into(),
            text: text.into(),
            mentions: mentions.iter().map(|m| m.to_string()).collect(),
            plain: false,
        }
    }

    /// 钉钉: signed in the address, Markdown, the keyword at the head, @ in `at` and in the text.
    #[test]
    fn a_dingtalk_call() {
        let c = calls(
            Platform::DingTalk,
            "https://oapi.dingtalk.com/robot/send?access_token=t",
            "SEC123abc",
            "提醒",
            at(1_780_000_000_000),
            &msg("### 今日\n- 专题学习", &["13800000000"]),
        );
        assert_eq!(c.len(), 1);
        assert!(c[0].url.ends_with(
            "&timestamp=1780000000000&sign=IRy4NW0BfRFxpbogZZGR11QdUW8TD%2Fi4IARyy6MbxSw%3D"
        ));
        assert_eq!(c[0].body["msgtype"], "markdown");
        let text = c[0].body["markdown"]["text"].as_str().unwrap();
        assert!(text.starts_with("【提醒】### 今日"), "{text}");
        assert!(text.ends_with("@13800000000"), "{text}");
        assert_eq!(c[0].body["at"]["atMobiles"][0], "13800000000");
        // A keyword already in the text is not repeated; no secret, no signature.
        let c = calls(
            Platform::DingTalk,
            "https://x/send?access_token=t",
            "",
            "今日",
            at(0),
            &msg("今日", &[]),
        );
        assert_eq!(c[0].url, "https://x/send?access_token=t");
        assert_eq!(c[0].body["markdown"]["text"], "今日");
    }

    /// 企业微信: no signature; Markdown cannot @ (a digest @-s in a plain text message after it).
    #[test]
    fn a_wecom_call_mentions_only_in_a_text_message() {
        let hook = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k";
        let c = calls(
            Platform::WeCom,
            hook,
            "ignored",
            "",
            at(0),
            &msg("今日", &["13800000000"]),
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].url, hook);
        assert_eq!(
            c[0].body,
            serde_json::json!({ "msgtype": "markdown", "markdown": { "content": "今日" } })
        );
        let plain = RobotMessage {
            plain: true,
            ..msg("请办理", &["13800000000"])
        };
        let c = calls(Platform::WeCom, hook, "", "", at(0), &plain);
        assert_eq!(c[0].body["msgtype"], "text");
        assert_eq!(c[0].body["text"]["mentioned_mobile_list"][0], "13800000000");
    }

    /// 飞书: the signature and its timestamp (seconds) in the body; nobody is @-ed.
    #[test]
    fn a_feishu_call_is_signed_in_the_body() {
        let c = calls(
            Platform::Feishu,
            "https://open.feishu.cn/open-apis/bot/v2/hook/h",
            "SEC123abc",
            "",
            at(1_780_000_000_000),
            &msg("今日", &["13800000000"]),
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].body["timestamp"], "1780000000");
        assert_eq!(
            c[0].body["sign"],
            "TOHhvZt0LJ6yP32IwspdbQJ/s44JGmHChFLO8brPzSg="
        );
        assert_eq!(c[0].body["content"]["text"], "今日");
    }

    /// A text longer than the platform takes goes in numbered parts, each within the limit.
    #[test]
    fn a_long_message_goes_in_parts() {
        let text = "专题学习，2026年第2季度，6月30日到期\n".repeat(200);
        let c = calls(Platform::WeCom, "w", "", "提醒", at(0), &msg(&text, &[]));
        assert!(c.len() > 1);
        for call in &c {
            assert!(call.body["markdown"]["content"].as_str().unwrap().len() <= 4096);
        }
    }

    #[test]
    fn answers_of_each_platform() {
        assert_eq!(
            answer(r#"{"errcode":0,"errmsg":"ok"}"#),
            Some((0, "ok".into()))
        );
        assert_eq!(
            answer(r#"{"code":19021,"msg":"sign match fail"}"#),
            Some((19021, "sign match fail".into()))
        );
        assert_eq!(
            answer(r#"{"StatusCode":0,"StatusMessage":"success"}"#),
            Some((0, "success".into()))
        );
        assert_eq!(answer("<html>"), None);
        assert_eq!(Setting::Secret.then(), Then::FixSetting);
        assert_eq!(Setting::RateLimit.then(), Then::Wait);
    }

    fn lines(n: usize, title: &str) -> Vec<DigestLine> {
        (0..n)
            .map(|i| DigestLine {
                title: format!("{title}{i}"),
                detail: "2026年第2季度，6月30日到期，逾期3天".into(),
                link: Some(format!("https://zeren.example.cn/obligations/{}", 1000 + i)),
            })
            .collect()
    }

    #[test]
    fn a_digest_lists_late_waiting_and_due_with_links() {
        let d = DigestContent {
            unit_name: "河东区第一中学".into(),
            date: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
            overdue: lines(1, "专题学习"),
            waiting: lines(1, "绩效方案"),
            due_soon: lines(2, "分析研判"),
            more: Some("https://zeren.example.cn/units/3/ledger".into()),
            mentions: vec!["13800000000".into()],
        };
        let m = digest_message(Platform::DingTalk, &d);
        assert_eq!(m.title, "河东区第一中学工作提醒（6月1日）");
        let late = m.text.find("**已逾期 1 项**").unwrap();
        let waiting = m.text.find("**待办理 1 项**").unwrap();
        let due = m.text.find("**即将到期 2 项**").unwrap();
        assert!(late < waiting && waiting < due, "{}", m.text);
        assert!(m
            .text
            .contains("- [专题学习0](https://zeren.example.cn/obligations/1000)："));
        assert!(m
            .text
            .contains("[查看全部](https://zeren.example.cn/units/3/ledger)"));
        let f = digest_message(Platform::Feishu, &d);
        assert!(f.text.contains("- 专题学习0：2026年第2季度，6月30日到期，逾期3天 https://zeren.example.cn/obligations/1000"), "{}", f.text);
        let empty = digest_message(
            Platform::WeCom,
            &DigestContent {
                unit_name: "甲".into(),
                ..DigestContent::default()
            },
        );
        assert!(empty.text.contains("今日没有"));
    }

    #[test]
    fn a_long_digest_is_summarised_to_one_wecom_message() {
        let d = DigestContent {
            unit_name: "河东区第一中学".into(),
            date: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
            overdue: lines(120, "专题学习"),
            waiting: lines(50, "绩效方案"),
            due_soon: lines(80, "分析研判"),
            more: Some("https://zeren.example.cn/units/3/ledger".into()),
            mentions: vec!["13800000000".into()],
        };
        let m = digest_message(Platform::WeCom, &d);
        assert!(m.text.len() <= 4096, "{}", m.text.len());
        for (words, n) in [("已逾期", 120), ("待办理", 50), ("即将到期", 80)] {
            assert!(
                m.text.contains(&format!("**{words} {n} 项**")),
                "{words}: {}",
                m.text
            );
        }
        assert!(m.text.contains("另有"), "{}", m.text);
        assert!(m
            .text
            .ends_with("[查看全部](https://zeren.example.cn/units/3/ledger)\n"));
        let all = digest_messages(Platform::WeCom, &d);
        assert_eq!(all.len(), 2, "the digest and the @ message");
        assert!(all[1].plain && all[1].text.contains("120项逾期"));
        let c = calls(Platform::WeCom, "w", "", "提醒", at(0), &m);
        assert_eq!(c.len(), 1);
        assert!(c[0].body["markdown"]["content"].as_str().unwrap().len() <= 4096);
    }

    proptest! {
        /// However many and however long the lines, a digest is one message within each
        /// platform's limit, and says how many there are of each kind.
        #[test]
        fn a_digest_is_one_message_within_the_limit(
            counts in proptest::array::uniform3(0usize..300),
            title in "[a-z一-十\\[\\]]{1,120}",
            keyword in "[一-十]{0,8}",
        ) {
            let d = DigestContent {
                unit_name: "河东区第一中学".into(),
                date: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
                overdue: lines(counts[0], &title),
                waiting: lines(counts[1], &title),
                due_soon: lines(counts[2], &title),
                more: Some("https://zeren.example.cn/units/3/ledger".into()),
                mentions: vec!["13800000000".into(); 30],
            };
            for p in Platform::ALL {
                let m = digest_message(p, &d);
                for msg in digest_messages(p, &d) {
                    let c = calls(p, "https://x/hook", "s", &keyword, at(0), &msg);
                    prop_assert_eq!(c.len(), 1);
                    let body = &c[0].body;
                    let text = body["markdown"]["text"].as_str()
                        .or(body["markdown"]["content"].as_str())
                        .or(body["content"]["text"].as_str())
                        .or(body["text"]["content"].as_str())
                        .unwrap();
                    let max = if msg.plain { WECOM_TEXT_BYTES } else { p.max_text_bytes() };
                    prop_assert!(text.len() <= max);
                    prop_assert!(body.to_string().len() <= 20_480);
                }
                if counts[0] > 0 {
                    let heading = format!("已逾期 {} 项", counts[0]);
                    prop_assert!(m.text.contains(&heading));
                }
            }
        }
    }
}
