//! Channels (阵地) under periodic review: the policy's `[channels] review_every` gives each
//! channel in use an obligation per period for its responsible person, fulfilled by a record
//! of the review. No policy file spells out that duty; it is built here. Also the hosts a
//! channel publishes on, for `[channels] restrict_urls`.

use zeren_policy::{At, ChannelKind, DueRule, Duty, DutyId, Evidence, Frequency, Per, Workday};

use crate::review::PublishedUrl;

/// The hosts a channel's published URLs must be on when the policy restricts them: the host of
/// its locator when that is a web address, the platform's host for an account on one. Empty when
/// neither is known (the restriction then cannot apply).
pub fn url_hosts(kind: &str, locator: &str) -> Vec<String> {
    if let Some(u) = PublishedUrl::parse(locator) {
        return vec![u.host().to_owned()];
    }
    match ChannelKind::parse(kind) {
        Some(ChannelKind::WechatOfficial) => vec!["mp.weixin.qq.com".into()],
        Some(ChannelKind::Weibo) => vec!["weibo.com".into(), "weibo.cn".into()],
        _ => Vec::new(),
    }
}

const PREFIX: &str = "channel_review_";

/// The duty id of a channel's periodic review.
pub fn review_duty_id(channel: i64) -> String {
    format!("{PREFIX}{channel}")
}

/// The channel a review duty id belongs to, if it is one.
pub fn channel_of(duty_id: &str) -> Option<i64> {
    duty_id.strip_prefix(PREFIX)?.parse().ok()
}

/// The duty behind a channel review obligation: one record of the review (its content) per
/// period, due at the period's end. `None` when `duty_id` is not a channel review's.
pub fn review_duty(duty_id: &str, title: &str, every: Frequency) -> Option<Duty> {
    channel_of(duty_id)?;
    Some(Duty {
        id: DutyId::parse(duty_id)?,
        title: title.to_string(),
        description: None,
        every,
        times: 1,
        owner: None,
        per: Per::Unit,
        role: None,
        evidence: vec![Evidence::Minutes],
        report_to_parent: false,
        due: DueRule::End,
        workday: Workday::Before,
        lead: None,
        at: At::SelfUnit,
        source: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_publishes_on_its_own_host() {
        assert_eq!(
            url_hosts("website", "https://www.example.edu.cn/"),
            ["www.example.edu.cn"]
        );
        assert_eq!(
            url_hosts("wechat_official", "某大学官微"),
            ["mp.weixin.qq.com"]
        );
        assert!(url_hosts("led_screen", "校门口").is_empty());
    }

    #[test]
    fn review_duties_are_recognised_by_their_id() {
        assert_eq!(review_duty_id(7), "channel_review_7");
        assert_eq!(channel_of("channel_review_7"), Some(7));
        assert_eq!(channel_of("monthly_study"), None);
        assert_eq!(channel_of("channel_review_x"), None);
        let d = review_duty(
            "channel_review_7",
            "阵地定期检查：校园网",
            Frequency::Quarter,
        )
        .unwrap();
        assert_eq!(d.every, Frequency::Quarter);
        assert_eq!(d.evidence, vec![Evidence::Minutes]);
        assert!(review_duty("monthly_study", "x", Frequency::Month).is_none());
    }
}
