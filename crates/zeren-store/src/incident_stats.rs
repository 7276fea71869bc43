//! The facts incident statistics count: every incident a unit's subtree learnt of in a year,
//! replayed through the rules at `now` — which unit below the root it lies under, its kind and
//! level now, whether some report was late (迟报) or missing (漏报), and the minutes to its first
//! report. The counting itself is `zeren_core::incident_stats`.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use zeren_core::incident::{
    china_time, clocks, from_china_time, minutes_to_first_report, ClockKind,
};
use zeren_core::incident_stats::Fact;

use crate::incidents::{IncidentFilter, IncidentRead, IncidentSummary, ReplayCache};
use crate::read::Read;
use crate::{Result, Store};

/// At most this many incidents of one year are counted (far above any real subtree's).
pub const MAX_INCIDENTS: i64 = 20_000;

/// One incident counted, with what the pages link to.
#[derive(Clone, Debug)]
pub struct Counted {
    pub incident: IncidentSummary,
    pub fact: Fact,
}

/// The incidents of `root`'s subtree learnt of in `year` (China time), replayed at `now`; also
/// whether the year held more than [`MAX_INCIDENTS`] (then only the latest are counted).
pub async fn incident_facts(
    store: &Store,
    root: i64,
    year: i32,
    now: DateTime<Utc>,
) -> Result<(Vec<Counted>, bool)> {
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default();
    incident_facts_between(store, root, (first, last), now).await
}

/// The incidents of `root`'s subtree learnt of between two China calendar days (both included),
/// replayed at `now`; also whether there were more than [`MAX_INCIDENTS`].
pub async fn incident_facts_between(
    store: &Store,
    root: i64,
    days: (NaiveDate, NaiveDate),
    now: DateTime<Utc>,
) -> Result<(Vec<Counted>, bool)> {
    let start = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(from_china_time);
    let mut r = store.reader().await?;
    let units = r.subtree(root).await?;
    let rows = r
        .incidents(&IncidentFilter {
            subtree_of: Some(root),
            known_from: start(days.0),
            known_before: days.1.succ_opt().and_then(start),
            limit: Some(MAX_INCIDENTS + 1),
            ..IncidentFilter::default()
        })
        .await?;
    drop(r);
    let truncated = rows.len() as i64 > MAX_INCIDENTS;
    let parent: HashMap<i64, Option<i64>> = units.iter().map(|u| (u.id, u.parent_id)).collect();
    // The unit directly below the root that `u` lies under (the root for its own).
    let group = |mut u: i64| loop {
        match parent.get(&u).copied().flatten() {
            Some(p) if u != root && p != root => u = p,
            _ => return u,
        }
    };
    let mut cache = ReplayCache::default();
    let mut out = Vec::with_capacity(rows.len());
    for summary in rows.into_iter().take(MAX_INCIDENTS as usize) {
        let Some((rep, org)) = cache.replay(store, summary.incident.clone()).await? else {
            continue;
        };
        let facts = rep.facts();
        let report_clocks: Vec<_> = clocks(&facts, &org, &rep.state, now)
            .into_iter()
            .filter(|c| !matches!(c.kind, ClockKind::Closure))
            .collect();
        let fact = Fact {
            unit: group(summary.incident.unit_id),
            kind: summary.incident.kind_id.clone(),
            level: summary.level_id.clone(),
            month: china_time(summary.incident.known_at).month(),
            minutes_to_first_report: minutes_to_first_report(&facts, &rep.state),
            late: report_clocks.iter().any(|c| c.timeliness.is_late()),
            missing: report_clocks.iter().any(|c| c.timeliness.is_missing()),
            open: summary.stage != "closed",
        };
        out.push(Counted {
            incident: summary,
            fact,
        });
    }
    Ok((out, truncated))
}
