//! Behind a number of the dashboard: the obligations it counts (a unit's subtree or its own, a
//! duty, a month, a kind), each leading to its page; and the reports waiting for 签收 in the
//! subtree, by how long they have waited. The numbers come from the counts, the lists from the
//! obligations, at most a page of them.

use askama::Template;
use axum::response::Html;
use chrono::NaiveDate;
use serde::Deserialize;
use zeren_core::oversight::{Age, Which};
use zeren_store::oversight::{Drill, OversightRead, Reach};
use zeren_store::{Level, Read, Unit};

use super::dashboard::{age_label, pending_view, year_of, PendingView, Target};
use super::svg::which_label;
use crate::shared::clock::today;
use crate::shared::prelude::*;
use crate::shared::rows::{obligation_views, ObligationView};
use crate::shared::view::{crumbs, Crumb};

/// How many obligations a drill-down lists.
const LISTED: i64 = 500;

#[derive(Deserialize)]
pub struct DrillQuery {
    year: Option<i32>,
    which: Option<String>,
    policy: Option<String>,
    duty: Option<String>,
    month: Option<u32>,
    own: Option<String>,
}

/// One tab: a kind, how many, where it leads, whether it is the one shown.
pub struct Tab {
    pub label: &'static str,
    pub n: i64,
    pub href: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "pages/dashboard_drill.html")]
pub struct DrillPage {
    pub chrome: Chrome,
    pub path: Vec<Crumb>,
    pub heading: String,
    pub back: String,
    pub tabs: Vec<Tab>,
    pub rows: Vec<ObligationView>,
    pub listed: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Query(q): Query<DrillQuery>,
) -> Result<Html<String>> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Read).await?;
    let t = Tr(lang);
    let year = year_of(q.year)?;
    let which = match q.which.as_deref() {
        None | Some("") => Which::Due,
        Some(w) => Which::parse(w).ok_or_else(|| {
            Error::Invalid("没有这种完成情况的分类，请从看板上的数字进入。".into())
        })?,
    };
    let duty = match (q.policy, q.duty) {
        (Some(p), Some(d)) if !p.is_empty() && !d.is_empty() => Some((p, d)),
        _ => None,
    };
    let (from, to) = match q.month {
        None => (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ),
        Some(m) if (1..=12).contains(&m) => {
            let from = NaiveDate::from_ymd_opt(year, m, 1);
            (
                from,
                from.and_then(|f| f.checked_add_months(chrono::Months::new(1)))
                    .and_then(|n| n.pred_opt()),
            )
        }
        Some(_) => return Err(Error::Invalid("月份须在 1 至 12 之间".into())),
    };
    let (Some(from), Some(to)) = (from, to) else {
        return Err(Error::NotFound);
    };
    let own = matches!(q.own.as_deref(), Some("1" | "true"));
    let drill = Drill {
        reach: if own {
            Reach::Own(unit.id)
        } else {
            Reach::Subtree(unit.id)
        },
        duty: duty.clone(),
        from,
        to,
        which,
    };
    let today = today();
    let mut r = state.store.reader().await?;
    let (standing, title) = r.drill_standing(&drill, today).await?;
    let rows = r.drill(&drill, today, LISTED).await?;
    let path = r.path(id).await?;
    drop(r);
    let target = Target {
        unit: unit.id,
        own,
        duty,
        month: q.month,
    };
    let tabs = Which::ALL
        .iter()
        .map(|w| Tab {
            label: which_label(t, *w),
            n: standing.count(*w),
            href: target.href(year, *w),
            active: *w == which,
        })
        .collect();
    let count = standing.count(which);
    let mut heading = if own {
        format!("{}（{}）", unit.name, t.s("dash.own"))
    } else {
        unit.name.clone()
    };
    heading.push_str(" · ");
    heading.push_str(title.as_deref().unwrap_or(t.s("dash.all_duties")));
    heading.push_str(&format!(" · {year}"));
    if let Some(m) = q.month {
        heading.push_str(" · ");
        heading.push_str(&t.f("dash.month_tick", &[("m", &m.to_string())]));
    }
    render(&DrillPage {
        listed: (count > rows.len() as i64).then(|| {
            t.f(
                "dash.listed",
                &[
                    ("count", &count.to_string()),
                    ("shown", &rows.len().to_string()),
                ],
            )
        }),
        rows: obligation_views(&state.store, rows, today).await?,
        chrome: Chrome::new(lang, Some(&v)),
        path: crumbs(&state.store, &v, path).await?,
        back: format!("/units/{}/dashboard?year={year}", unit.id),
        heading,
        tabs,
    })
}

#[derive(Deserialize)]
pub struct ReportsQuery {
    age: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/dashboard_reports.html")]
pub struct ReportsPage {
    pub chrome: Chrome,
    pub path: Vec<Crumb>,
    pub unit: Unit,
    pub age: Option<&'static str>,
    pub rows: Vec<PendingView>,
}

pub async fn reports(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Query(q): Query<ReportsQuery>,
) -> Result<Html<String>> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Read).await?;
    let age = match q.age.as_deref() {
        None | Some("") => None,
        Some(a) => Some(
            Age::ALL
                .into_iter()
                .find(|x| x.word() == a)
                .ok_or_else(|| {
                    Error::Invalid("没有这种等待时间的分类，请从看板上的数字进入。".into())
                })?,
        ),
    };
    let mut r = state.store.reader().await?;
    let rows: Vec<PendingView> = r
        .pending_reports(id)
        .await?
        .iter()
        .map(pending_view)
        .filter(|p| age.is_none_or(|a| Age::of_days(p.days) == a))
        .collect();
    let path = r.path(id).await?;
    drop(r);
    render(&ReportsPage {
        chrome: Chrome::new(lang, Some(&v)),
        path: crumbs(&state.store, &v, path).await?,
        age: age.map(|a| age_label(Tr(lang), a)),
        unit,
        rows,
    })
}
