//! The scans behind notifications: the reminders obligations earn today and who gets them, the
//! notices of things newly waiting for a person, and what a unit's daily digest lists. Each scan
//! returns messages for the ledger ([`crate::Write::queue_messages`]), whose keys make it safe to
//! run again, and on several instances at once: what was queued before is skipped.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Days, NaiveDate, Utc};
use zeren_core::notify::{
    default_lead_days, deliver_at, month_day, reminder, reminder_text, QuietHours,
};
use zeren_core::obligations::status;
use zeren_policy::{DutyId, Policy};

use crate::ledger::{LedgerRead, ObligationFilter, ObligationProgress};
use crate::notify::{Channel, NewDelivery, NotifyPrefs, NotifyRead, Queued};
use crate::waiting::{everything_waiting, WaitingItem};
use crate::{run, Actor, Read, Result, Store};

/// What the scans are told by the server's configuration and clock.
#[derive(Clone, Debug)]
pub struct ScanSettings {
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
    /// Days before the due date a reminder goes out, by frequency word; a frequency not listed
    /// uses [`default_lead_days`]. (The policy format has no lead time of its own.)
    pub lead_days: HashMap<String, u32>,
    /// Days between reminders of overdue work.
    pub overdue_every_days: u32,
    /// The quiet hours of people who chose none.
    pub quiet_hours: Option<QuietHours>,
}

/// Days between reminders of overdue work unless configured otherwise: weekly.
pub const DEFAULT_OVERDUE_EVERY_DAYS: u32 = 7;

impl ScanSettings {
    /// The defaults: lead times by frequency, overdue work weekly, no quiet hours.
    pub fn defaults(today: NaiveDate, now: DateTime<Utc>) -> ScanSettings {
        ScanSettings {
            today,
            now,
            lead_days: HashMap::new(),
            overdue_every_days: DEFAULT_OVERDUE_EVERY_DAYS,
            quiet_hours: None,
        }
    }

    pub fn lead(&self, every: &str) -> u32 {
        self.lead_days
            .get(every)
            .copied()
            .unwrap_or_else(|| default_lead_days(every))
    }

    fn max_lead(&self) -> u32 {
        ["week", "month", "quarter", "half_year", "year", "holiday"]
            .iter()
            .map(|w| self.lead(w))
            .max()
            .unwrap_or(14)
    }
}

/// How far back overdue work is still brought up (a year and a little).
const LOOK_BACK_DAYS: u64 = 400;

/// What the scans know of people and who answers for what, read once per scan.
struct People {
    names: HashMap<i64, (String, Option<String>)>,
    units: HashMap<i64, String>,
    /// (unit, role) → the people holding it today.
    holders: HashMap<(i64, String), Vec<i64>>,
    prefs: HashMap<i64, NotifyPrefs>,
    policies: HashMap<i64, Option<Arc<Policy>>>,
}

impl People {
    async fn load(store: &Store, today: NaiveDate) -> Result<People> {
        let mut r = store.reader().await?;
        let people: Vec<(i64, String, Option<String>)> = run!(r.conn(), |c| sqlx::query_as(
            "SELECT id, name, phone FROM people"
        )
        .fetch_all(&mut *c)
        .await)?;
        let units: Vec<(i64, String)> =
            run!(r.conn(), |c| sqlx::query_as("SELECT id, name FROM units")
                .fetch_all(&mut *c)
                .await)?;
        let held: Vec<(i64, i64, String)> = run!(r.conn(), |c| sqlx::query_as(
            "SELECT person_id, unit_id, role_id FROM assignments
             WHERE starts_on <= $1 AND (ends_on IS NULL OR ends_on > $1) ORDER BY person_id"
        )
        .bind(today)
        .fetch_all(&mut *c)
        .await)?;
        let mut holders: HashMap<(i64, String), Vec<i64>> = HashMap::new();
        for (p, u, role) in held {
            let v = holders.entry((u, role)).or_default();
            if !v.contains(&p) {
                v.push(p);
            }
        }
        let prefs = r
            .all_notify_prefs()
            .await?
            .into_iter()
            .map(|p| (p.person_id, p))
            .collect();
        Ok(People {
            names: people
                .into_iter()
                .map(|(id, n, ph)| (id, (n, ph)))
                .collect(),
            units: units.into_iter().collect(),
            holders,
            prefs,
            policies: HashMap::new(),
        })
    }

    async fn policy(&mut self, store: &Store, installation: i64) -> Result<Option<Arc<Policy>>> {
        if let Some(p) = self.policies.get(&installation) {
            return Ok(p.clone());
        }
        let ip = store.reader().await?.installed_policy(installation).await?;
        let p = ip.and_then(|ip| {
            zeren_policy::parse(&format!("{}.toml", ip.policy_id), &ip.text)
                .ok()
                .map(Arc::new)
        });
        self.policies.insert(installation, p.clone());
        Ok(p)
    }

    /// Who answers for an obligation today: its person, else the holders of its duty's
    /// answering role at its unit.
    async fn answering(&mut self, store: &Store, p: &ObligationProgress) -> Result<Vec<i64>> {
        let o = &p.obligation;
        if let Some(person) = o.person_id {
            return Ok(vec![person]);
        }
        let Some(policy) = self.policy(store, o.installed_policy_id).await? else {
            return Ok(Vec::new());
        };
        let role = DutyId::parse(&o.duty_id)
            .and_then(|d| policy.duty(&d))
            .and_then(|d| d.answering_role())
            .map(|r| r.to_string());
        Ok(role
            .and_then(|role| self.holders.get(&(o.unit_id, role)).cloned())
            .unwrap_or_default())
    }

    fn unit_name(&self, unit: i64) -> String {
        self.units.get(&unit).cloned().unwrap_or_default()
    }

    fn mobile(&self, person: i64) -> Option<String> {
        let phone = self.names.get(&person)?.1.as_deref()?.trim().to_string();
        let mobile = phone.len() == 11
            && phone.starts_with('1')
            && phone.bytes().all(|b| b.is_ascii_digit());
        mobile.then_some(phone)
    }
}

/// One message, by every channel the person chose: the in-app inbox always, e-mail when they
/// gave an address and asked for it. Held back until their quiet hours end unless urgent.
#[allow(clippy::too_many_arguments)]
fn to_person(
    people: &People,
    s: &ScanSettings,
    person: i64,
    event: &str,
    period: &str,
    subject: &str,
    body: &str,
    link: &str,
    unit: Option<i64>,
    urgent: bool,
) -> Vec<NewDelivery> {
    let prefs = people.prefs.get(&person);
    let quiet = prefs
        .and_then(|p| QuietHours::parse(&p.quiet_hours))
        .or(s.quiet_hours);
    let base = NewDelivery {
        event: event.to_string(),
        channel: Channel::Inbox,
        recipient: format!("person:{person}"),
        period: period.to_string(),
        person_id: Some(person),
        robot_id: None,
        unit_id: unit,
        address: String::new(),
        subject: subject.to_string(),
        body: body.to_string(),
        link: link.to_string(),
        mentions: Vec::new(),
        urgent,
        not_before: s.now,
    };
    let mut out = vec![base.clone()];
    if let Some(p) = prefs.filter(|p| p.by_email && p.email.contains('@')) {
        out.push(NewDelivery {
            channel: Channel::Email,
            address: p.email.clone(),
            not_before: deliver_at(s.now, quiet.as_ref(), urgent),
            ..base
        });
    }
    out
}

fn done(p: &ObligationProgress, today: NaiveDate) -> bool {
    status(
        p.obligation.due_on,
        p.obligation.times.max(1) as u32,
        &p.work_dates,
        today,
        0,
    )
    .is_done()
}

/// The reminders obligations earn today (due soon, overdue), as messages to the people who answer
/// for them. Each obligation is reminded of once per due date while due soon and once per
/// `overdue_every_days` while late; the ledger's key keeps it so.
pub async fn reminder_messages(store: &Store, s: &ScanSettings) -> Result<Vec<NewDelivery>> {
    let mut people = People::load(store, s.today).await?;
    let rows = store
        .reader()
        .await?
        .obligations(&ObligationFilter {
            due_from: s.today.checked_sub_days(Days::new(LOOK_BACK_DAYS)),
            due_to: s.today.checked_add_days(Days::new(u64::from(s.max_lead()))),
            ..ObligationFilter::default()
        })
        .await?;
    let mut out = Vec::new();
    for p in rows {
        let o = &p.obligation;
        let Some(r) = reminder(
            o.due_on,
            done(&p, s.today),
            s.today,
            s.lead(&o.every),
            s.overdue_every_days,
        ) else {
            continue;
        };
        let who = people.answering(store, &p).await?;
        if who.is_empty() {
            continue;
        }
        let unit = people.unit_name(o.unit_id);
        let (subject, body) = reminder_text(&r, &o.title, &o.period_label, &unit, o.due_on);
        let event = format!("obligation:{}:{}", o.id, r.kind.word());
        let link = format!("/obligations/{}", o.id);
        for person in who {
            out.extend(to_person(
                &people,
                s,
                person,
                &event,
                &r.period,
                &subject,
                &body,
                &link,
                Some(o.unit_id),
                false,
            ));
        }
    }
    Ok(out)
}

/// A notice to each person something waits for, once per item and state (a new review step, a
/// corrected report waiting for 签收 again).
pub async fn waiting_messages(
    store: &Store,
    s: &ScanSettings,
    items: &[WaitingItem],
) -> Result<Vec<NewDelivery>> {
    let people = People::load(store, s.today).await?;
    let mut out = Vec::new();
    for item in items {
        let subject = format!("【{}】{}", item.what, item.title);
        let mut body = format!("{}：{}", item.what, item.title);
        if let Some(d) = item.due {
            body.push_str(&format!("，须于{}前办理", month_day(d)));
        }
        body.push('。');
        let event = format!("waiting:{}:{}", item.source, item.key);
        for person in &item.people {
            out.extend(to_person(
                &people,
                s,
                *person,
                &event,
                "",
                &subject,
                &body,
                &item.link,
                Some(item.unit_id),
                item.urgent,
            ));
        }
    }
    Ok(out)
}

/// One line of a digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestLine {
    pub title: String,
    /// The period and the date, or what waits (`2026年第2季度，6月30日到期，逾期3天`).
    pub detail: String,
    pub link: String,
}

/// What a unit's daily digest lists: its overdue and due-soon obligations and what waits at it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digest {
    pub unit_id: i64,
    pub unit_name: String,
    pub date: NaiveDate,
    pub overdue: Vec<DigestLine>,
    pub due_soon: Vec<DigestLine>,
    pub waiting: Vec<DigestLine>,
    /// Mobiles of the people answering for overdue work (to @ where the platform can).
    pub mentions: Vec<String>,
}

impl Digest {
    pub fn is_empty(&self) -> bool {
        self.overdue.is_empty() && self.due_soon.is_empty() && self.waiting.is_empty()
    }
}

/// Days ahead that count as due soon in a digest (as on 我的工作).
pub const DIGEST_DUE_SOON_DAYS: u64 = 7;

/// The digest of `unit` for `s.today`; `waiting` is everything that waits (it is filtered to the
/// unit here).
pub async fn digest(
    store: &Store,
    unit: i64,
    s: &ScanSettings,
    waiting: &[WaitingItem],
) -> Result<Digest> {
    let mut people = People::load(store, s.today).await?;
    let rows = store
        .reader()
        .await?
        .obligations(&ObligationFilter {
            unit: Some(unit),
            due_from: s.today.checked_sub_days(Days::new(LOOK_BACK_DAYS)),
            due_to: s.today.checked_add_days(Days::new(DIGEST_DUE_SOON_DAYS)),
            ..ObligationFilter::default()
        })
        .await?;
    let mut d = Digest {
        unit_id: unit,
        unit_name: people.unit_name(unit),
        date: s.today,
        overdue: Vec::new(),
        due_soon: Vec::new(),
        waiting: Vec::new(),
        mentions: Vec::new(),
    };
    for p in rows {
        if done(&p, s.today) {
            continue;
        }
        let o = &p.obligation;
        let link = format!("/obligations/{}", o.id);
        if o.due_on < s.today {
            let late = (s.today - o.due_on).num_days();
            d.overdue.push(DigestLine {
                title: o.title.clone(),
                detail: format!(
                    "{}，{}到期，逾期{late}天",
                    o.period_label,
                    month_day(o.due_on)
                ),
                link,
            });
            for person in people.answering(store, &p).await? {
                if let Some(m) = people.mobile(person) {
                    if !d.mentions.contains(&m) {
                        d.mentions.push(m);
                    }
                }
            }
        } else {
            let left = (o.due_on - s.today).num_days();
            let when = if left == 0 {
                "今天到期".to_string()
            } else {
                format!("{}到期，还有{left}天", month_day(o.due_on))
            };
            d.due_soon.push(DigestLine {
                title: o.title.clone(),
                detail: format!("{}，{when}", o.period_label),
                link,
            });
        }
    }
    for w in waiting.iter().filter(|w| w.unit_id == unit) {
        d.waiting.push(DigestLine {
            title: w.title.clone(),
            detail: w.what.to_string(),
            link: w.link.clone(),
        });
    }
    Ok(d)
}

/// The scan a server runs at intervals: today's reminders and notices of what waits for people,
/// put in the ledger by the `channels` that send (a message by another channel is left out, not
/// queued for a sender that does not exist). Safe to run again and on several instances at once.
pub async fn queue_notices(
    store: &Store,
    s: &ScanSettings,
    channels: &[Channel],
) -> Result<Queued> {
    let waiting = everything_waiting(store, s.today).await?;
    let mut msgs = reminder_messages(store, s).await?;
    msgs.extend(waiting_messages(store, s, &waiting).await?);
    msgs.retain(|m| channels.contains(&m.channel));
    let mut w = store.write(&Actor::system()).await?;
    let q = w.queue_messages(&msgs).await?;
    w.commit().await?;
    Ok(q)
}

/// The messages that carry `robot`'s daily digest of its unit for `s.today` (none when nothing
/// is late, waiting or due soon): one, and on 企业微信 a short one after it that @-s the people
/// answering for late work. Their keys name the robot and the day, so the digest goes once a day
/// however often it is queued. Links are full addresses under `base` (`public_url`); without it
/// the lines are not linked.
pub async fn digest_deliveries(
    store: &Store,
    s: &ScanSettings,
    robot: &crate::notify::Robot,
    base: Option<&str>,
    waiting: &[WaitingItem],
) -> Result<Vec<NewDelivery>> {
    use zeren_core::robots::{digest_messages, DigestContent, DigestLine as Line, Platform};
    let Some(platform) = Platform::parse(&robot.platform) else {
        return Ok(Vec::new());
    };
    let d = digest(store, robot.unit_id, s, waiting).await?;
    if d.is_empty() {
        return Ok(Vec::new());
    }
    let base = base.map(|b| b.trim_end_matches('/'));
    let link = |path: &str| base.map(|b| format!("{b}{path}"));
    let lines = |v: &[DigestLine]| -> Vec<Line> {
        v.iter()
            .map(|l| Line {
                title: l.title.clone(),
                detail: l.detail.clone(),
                link: link(&l.link),
            })
            .collect()
    };
    let page = format!("/units/{}/ledger", robot.unit_id);
    let content = DigestContent {
        unit_name: d.unit_name.clone(),
        date: d.date,
        overdue: lines(&d.overdue),
        due_soon: lines(&d.due_soon),
        waiting: lines(&d.waiting),
        more: link(&page),
        mentions: if robot.mention {
            d.mentions.clone()
        } else {
            Vec::new()
        },
    };
    Ok(digest_messages(platform, &content)
        .into_iter()
        .map(|m| NewDelivery {
            event: format!(
                "{}:unit:{}",
                if m.plain { MENTION_EVENT } else { DIGEST_EVENT },
                robot.unit_id
            ),
            channel: Channel::Robot,
            recipient: format!("robot:{}", robot.id),
            period: s.today.to_string(),
            person_id: None,
            robot_id: Some(robot.id),
            unit_id: Some(robot.unit_id),
            address: String::new(),
            subject: m.title,
            body: m.text,
            link: page.clone(),
            mentions: m.mentions,
            urgent: false,
            not_before: s.now,
        })
        .collect())
}

/// The event of a unit's daily digest in the ledger.
pub const DIGEST_EVENT: &str = "digest";
/// The event of the plain text message after a digest that @-s people (企业微信); the sender
/// sends it as plain text.
pub const MENTION_EVENT: &str = "mention";

/// Puts the daily digests of `robots` for `s.today` in the ledger (each robot's once a day).
pub async fn queue_digests(
    store: &Store,
    s: &ScanSettings,
    robots: &[crate::notify::Robot],
    base: Option<&str>,
) -> Result<Queued> {
    if robots.is_empty() {
        return Ok(Queued::default());
    }
    let waiting = everything_waiting(store, s.today).await?;
    let mut msgs = Vec::new();
    for r in robots {
        msgs.extend(digest_deliveries(store, s, r, base, &waiting).await?);
    }
    let mut w = store.write(&Actor::system()).await?;
    let q = w.queue_messages(&msgs).await?;
    w.commit().await?;
    Ok(q)
}
