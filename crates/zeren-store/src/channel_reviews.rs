//! The periodic review obligation of every channel in use (阵地定期检查), created beside the
//! policy's own obligations. Idempotent: the ledger materialiser never removes current
//! obligations, so the two live side by side.

use chrono::NaiveDate;

use crate::ledger::NewObligation;
use crate::reviews::ReviewRead;
use crate::{Actor, Read, Result, Store};

/// Creates the current period's review obligation of every channel in use whose unit's policy
/// says `review_every`, for the channel's responsible person (or the unit). Returns how many
/// were created.
pub async fn materialise_channel_reviews(store: &Store, today: NaiveDate) -> Result<usize> {
    let channels = store.reader().await?.active_channels().await?;
    let mut created = 0;
    for ch in channels {
        let Some(ip) = store.reader().await?.policy_in_force(ch.unit_id).await? else {
            continue;
        };
        let Ok(policy) = zeren_policy::parse(&format!("{}.toml", ip.policy_id), &ip.text) else {
            continue;
        };
        let Some(every) = policy.channels.as_ref().and_then(|c| c.review_every) else {
            continue;
        };
        let period = zeren_policy::calendar::period_containing(every, today);
        let row = NewObligation {
            installed_policy_id: ip.id,
            policy_id: ip.policy_id.clone(),
            duty_id: zeren_core::channels::review_duty_id(ch.id),
            title: format!("阵地定期检查：{}", ch.name),
            unit_id: ch.unit_id,
            person_id: ch.responsible_person_id,
            every: every.word().into(),
            period_label: period.label(),
            period_start: period.start,
            period_end: period.end,
            due_on: period.end,
            times: 1,
            evidence: "minutes".into(),
            report_to_parent: false,
        };
        let mut w = store.write(&Actor::system()).await?;
        created += w.materialise_obligations(&[row]).await?.len();
        w.commit().await?;
    }
    Ok(created)
}
