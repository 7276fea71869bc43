//! The counts behind the parent's dashboard, kept as the ledger changes. For every unit's whole
//! subtree, the obligations of each duty due on each day are counted (how many, done on time,
//! done late) in `oversight_tally`, and per year in one row of `oversight_years` split at a pivot
//! date; both change in the transaction that changes an obligation (created, removed, or its
//! fulfilment day moved by a record), through [`Write::apply_tally`] — so a dashboard reads a few
//! rows per unit shown, never the obligations of the subtree. The counts state nothing the
//! obligations do not: they are rebuilt from them when empty ([`crate::Store::rebuild_oversight`]).

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use zeren_core::oversight::{by_month, fulfilled_on, Age, Counts, MonthPoint, Standing, Which};

use crate::read::Read;
use crate::{run, Result, Write};

/// A change to the counts of one unit's obligations of one duty due on one day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Delta {
    pub unit_id: i64,
    pub policy_id: String,
    pub duty_id: String,
    pub title: String,
    pub due_on: NaiveDate,
    pub c: Counts,
}

/// One row of the tally: a subtree's obligations of a duty due on a day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TallyRow {
    pub unit_id: i64,
    pub due_on: NaiveDate,
    pub policy_id: String,
    pub duty_id: String,
    pub title: String,
    pub total: i64,
    pub on_time: i64,
    pub late: i64,
}

impl TallyRow {
    pub fn counts(&self) -> Counts {
        Counts::new(self.total, self.on_time, self.late)
    }
}

/// Whose standing to read: one unit's subtree, or each child's of a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Unit(i64),
    Children(i64),
}

impl Scope {
    fn cond(self) -> &'static str {
        match self {
            Scope::Unit(_) => "y.unit_id = $1",
            Scope::Children(_) => "y.unit_id IN (SELECT id FROM units WHERE parent_id = $1)",
        }
    }
    fn id(self) -> i64 {
        match self {
            Scope::Unit(id) | Scope::Children(id) => id,
        }
    }
}

/// The SQL condition for obligations of a kind on the day (`$2`), as [`Which::holds`] decides.
fn which_cond(which: Which) -> &'static str {
    // Every condition names the day ($2): PostgreSQL refuses a parameter it cannot type.
    match which {
        Which::Due => "o.due_on < $2",
        Which::OnTime => "o.due_on < $2 AND o.done_on IS NOT NULL AND o.done_on <= o.due_on",
        Which::Late => "o.due_on < $2 AND o.done_on IS NOT NULL AND o.done_on > o.due_on",
        Which::Overdue => "o.due_on < $2 AND o.done_on IS NULL",
        Which::Upcoming => "o.due_on >= $2 AND o.done_on IS NULL",
        Which::DoneAhead => "o.due_on >= $2 AND o.done_on IS NOT NULL",
    }
}

/// How a unit's subtree (or the unit alone) stands for one duty.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DutyStanding {
    pub unit_id: i64,
    pub policy_id: String,
    pub duty_id: String,
    pub title: String,
    pub standing: Standing,
}

/// Whose obligations a drill-down lists: a unit's whole subtree, or the unit's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    Subtree(i64),
    Own(i64),
}

/// What a drill-down lists: whose, which duty (policy, duty), due when, of what kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drill {
    pub reach: Reach,
    pub duty: Option<(String, String)>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub which: Which,
}

/// A report from a unit below waiting for its parent's 签收, and since when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PendingReport {
    pub record_id: i64,
    pub version: i64,
    pub obligation_id: i64,
    pub title: String,
    pub period_label: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub parent_id: i64,
    pub parent_name: String,
    pub reported_at: chrono::DateTime<chrono::Utc>,
}

/// A unit on the dashboard: a unit directly below with its whole subtree, or the unit's own
/// obligations (`own`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnitStanding {
    pub unit_id: i64,
    pub name: String,
    pub kind: String,
    pub own: bool,
    pub retired: bool,
    pub standing: Standing,
}

/// One row of the heat map: a unit of [`Dashboard::units`] and, for each duty of
/// [`Dashboard::duties`] in that order, how it stands (none: the unit has no such obligation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HeatRow {
    pub unit_id: i64,
    pub own: bool,
    pub cells: Vec<Option<Standing>>,
}

/// How many reports have waited for 签收 for how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct AgeCount {
    pub age: Age,
    pub count: i64,
}

/// The parent's dashboard over a unit's subtree for the obligations due in a year, as it stands
/// on a day: the whole, per unit below (worst first), per duty (worst first), a heat map of the
/// worst units × duties, the trend by month of due date, and the reports waiting for 签收.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Dashboard {
    pub unit_id: i64,
    pub year: i32,
    pub today: NaiveDate,
    /// How many units the subtree has, the unit included.
    pub units_in_subtree: i64,
    pub standing: Standing,
    pub units: Vec<UnitStanding>,
    pub duties: Vec<DutyStanding>,
    pub heat: Vec<HeatRow>,
    pub months: Vec<MonthPoint>,
    /// For each duty of `duties`, in that order, the same by month of due date.
    pub duty_months: Vec<Vec<MonthPoint>>,
    pub pending: i64,
    pub pending_by_age: Vec<AgeCount>,
    /// The oldest reports waiting, at most as many as asked for.
    pub pending_oldest: Vec<PendingReport>,
}

/// Today in China, for the pivot of a new year row (any date would do: readers correct for it).
fn china_today() -> NaiveDate {
    china_date(&crate::now())
}

/// The day a moment falls on in China (UTC+8).
fn china_date(t: &chrono::DateTime<chrono::Utc>) -> NaiveDate {
    (*t + chrono::Duration::hours(8)).date_naive()
}

fn year_bounds(year: i32) -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default(),
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default(),
    )
}

/// (unit, policy, duty, title, all: total, on_time, late, past: total, on_time, late).
type DutyRow = (i64, String, String, String, i64, i64, i64, i64, i64, i64);

impl From<DutyRow> for DutyStanding {
    fn from((unit_id, policy_id, duty_id, title, t, o, l, pt, po, pl): DutyRow) -> DutyStanding {
        DutyStanding {
            unit_id,
            policy_id,
            duty_id,
            title,
            standing: Standing::of(Counts::new(t, o, l), Counts::new(pt, po, pl)),
        }
    }
}

/// The rows of `awaiting_receipts`, from the records themselves (the caller narrows it).
const AWAITING_ROWS: &str = "INSERT INTO awaiting_receipts (record_id, unit_id, reported_at)
    SELECT r.id, o.unit_id, v.created_at
    FROM records r
    JOIN obligations o ON o.id = r.obligation_id AND o.report_to_parent = TRUE
    JOIN units c ON c.id = o.unit_id AND c.parent_id IS NOT NULL
    JOIN record_versions v ON v.record_id = r.id AND v.version = r.current_version
    WHERE NOT EXISTS (SELECT 1 FROM acknowledgements a WHERE a.record_id = r.id AND a.version = r.current_version)
      AND NOT EXISTS (SELECT 1 FROM record_returns x WHERE x.record_id = r.id AND x.version = r.current_version)";

/// (unit, total, on_time, late) as a query returns them.
type SumRow = (i64, i64, i64, i64);

#[allow(async_fn_in_trait)] // implemented only by this crate's concrete, Send types
pub trait OversightRead: Read {
    /// How the subtree of each unit in `scope` stands on `today` for the obligations due in
    /// `year`. One row per unit, corrected for the distance between its pivot and `today`.
    async fn standings(
        &mut self,
        scope: Scope,
        year: i32,
        today: NaiveDate,
    ) -> Result<Vec<(i64, Standing)>> {
        let cond = scope.cond();
        let sql = format!(
            "SELECT y.unit_id, y.before_total, y.before_on_time, y.before_late, y.after_total, y.after_on_time, y.after_late, y.pivot
             FROM oversight_years y WHERE {cond} AND y.year = $2"
        );
        #[allow(clippy::type_complexity)]
        let rows: Vec<(i64, i64, i64, i64, i64, i64, i64, NaiveDate)> =
            run!(self.conn(), |c| sqlx::query_as(&sql)
                .bind(scope.id())
                .bind(i64::from(year))
                .fetch_all(&mut *c)
                .await)?;
        let (from, to) = year_bounds(year);
        // The tally rows between each unit's pivot and today: added to "before" when the pivot
        // lies behind today, taken from it when ahead.
        let mut shift: HashMap<i64, Counts> = HashMap::new();
        for (forward, range) in [
            (true, "t.due_on >= y.pivot AND t.due_on < $3"),
            (false, "t.due_on >= $3 AND t.due_on < y.pivot"),
        ] {
            let sql = format!(
                "SELECT y.unit_id, CAST(SUM(t.total) AS BIGINT), CAST(SUM(t.on_time) AS BIGINT), CAST(SUM(t.late) AS BIGINT)
                 FROM oversight_years y JOIN oversight_tally t ON t.unit_id = y.unit_id AND {range}
                     AND t.due_on >= $4 AND t.due_on <= $5
                 WHERE {cond} AND y.year = $2 AND y.pivot {} $3
                 GROUP BY y.unit_id",
                if forward { "<" } else { ">" }
            );
            let sums: Vec<SumRow> = run!(self.conn(), |c| sqlx::query_as(&sql)
                .bind(scope.id())
                .bind(i64::from(year))
                .bind(today)
                .bind(from)
                .bind(to)
                .fetch_all(&mut *c)
                .await)?;
            for (unit, total, on_time, late) in sums {
                let d = Counts::new(total, on_time, late);
                let e = shift.entry(unit).or_default();
                *e = if forward { e.plus(d) } else { e.minus(d) };
            }
        }
        Ok(rows
            .into_iter()
            .map(|(unit, bt, bo, bl, at, ao, al, _)| {
                let before = Counts::new(bt, bo, bl);
                let all = before.plus(Counts::new(at, ao, al));
                let past = before.plus(shift.get(&unit).copied().unwrap_or_default());
                (unit, Standing::of(all, past))
            })
            .collect())
    }

    /// The tally rows of these units (each its subtree) for obligations due from `from` to `to`.
    async fn tally_rows(
        &mut self,
        units: &[i64],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<TallyRow>> {
        let mut out = Vec::new();
        for chunk in units.chunks(200) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
            let sql = format!(
                "SELECT unit_id, due_on, policy_id, duty_id, title, total, on_time, late FROM oversight_tally
                 WHERE due_on >= $1 AND due_on <= $2 AND unit_id IN ({}) AND total <> 0
                 ORDER BY unit_id, due_on, policy_id, duty_id",
                marks.join(", ")
            );
            let rows: Vec<TallyRow> = run!(self.conn(), |c| {
                let mut q = sqlx::query_as(&sql).bind(from).bind(to);
                for u in chunk {
                    q = q.bind(*u);
                }
                q.fetch_all(&mut *c).await
            })?;
            out.extend(rows);
        }
        Ok(out)
    }

    /// How each unit's subtree stands per duty for the obligations due from `from` to `to`, from
    /// the tally (a few rows per duty and due date, whatever the subtree's size).
    async fn duty_standings(
        &mut self,
        units: &[i64],
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
    ) -> Result<Vec<DutyStanding>> {
        let mut out = Vec::new();
        for chunk in units.chunks(200) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 4)).collect();
            let sql = format!(
                "SELECT unit_id, policy_id, duty_id, MAX(title),
                    CAST(SUM(total) AS BIGINT), CAST(SUM(on_time) AS BIGINT), CAST(SUM(late) AS BIGINT),
                    CAST(SUM(CASE WHEN due_on < $3 THEN total ELSE 0 END) AS BIGINT),
                    CAST(SUM(CASE WHEN due_on < $3 THEN on_time ELSE 0 END) AS BIGINT),
                    CAST(SUM(CASE WHEN due_on < $3 THEN late ELSE 0 END) AS BIGINT)
                 FROM oversight_tally
                 WHERE due_on >= $1 AND due_on <= $2 AND unit_id IN ({})
                 GROUP BY unit_id, policy_id, duty_id
                 HAVING SUM(total) <> 0
                 ORDER BY unit_id, policy_id, duty_id",
                marks.join(", ")
            );
            let rows: Vec<DutyRow> = run!(self.conn(), |c| {
                let mut q = sqlx::query_as(&sql).bind(from).bind(to).bind(today);
                for u in chunk {
                    q = q.bind(*u);
                }
                q.fetch_all(&mut *c).await
            })?;
            out.extend(rows.into_iter().map(DutyStanding::from));
        }
        Ok(out)
    }

    /// How the unit's own obligations (not those of units below) stand per duty: read from the
    /// obligations, which are indexed by unit and due date.
    async fn own_duty_standings(
        &mut self,
        unit: i64,
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
    ) -> Result<Vec<DutyStanding>> {
        let rows: Vec<DutyRow> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT o.unit_id, o.policy_id, o.duty_id, MAX(o.title),
                COUNT(*),
                CAST(SUM(CASE WHEN o.done_on IS NOT NULL AND o.done_on <= o.due_on THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN o.done_on IS NOT NULL AND o.done_on > o.due_on THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN o.due_on < $4 THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN o.due_on < $4 AND o.done_on IS NOT NULL AND o.done_on <= o.due_on THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN o.due_on < $4 AND o.done_on IS NOT NULL AND o.done_on > o.due_on THEN 1 ELSE 0 END) AS BIGINT)
             FROM obligations o
             WHERE o.unit_id = $1 AND o.due_on >= $2 AND o.due_on <= $3
             GROUP BY o.unit_id, o.policy_id, o.duty_id
             ORDER BY o.policy_id, o.duty_id"
        )
        .bind(unit)
        .bind(from)
        .bind(to)
        .bind(today)
        .fetch_all(&mut *c)
        .await
        })?;
        Ok(rows.into_iter().map(DutyStanding::from).collect())
    }

    /// A subtree's counts by due date from `from` to `to` (the trend).
    async fn day_sums(
        &mut self,
        unit: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, Counts)>> {
        let rows: Vec<(NaiveDate, i64, i64, i64)> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT due_on, CAST(SUM(total) AS BIGINT), CAST(SUM(on_time) AS BIGINT), CAST(SUM(late) AS BIGINT)
             FROM oversight_tally WHERE unit_id = $1 AND due_on >= $2 AND due_on <= $3
             GROUP BY due_on ORDER BY due_on"
        )
        .bind(unit)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await
        })?;
        Ok(rows
            .into_iter()
            .map(|(d, t, o, l)| (d, Counts::new(t, o, l)))
            .collect())
    }

    /// The obligations a drill-down lists on `today`, by due date and unit, at most `limit`
    /// (their number comes from the counts, not from here).
    async fn drill(
        &mut self,
        d: &Drill,
        today: NaiveDate,
        limit: i64,
    ) -> Result<Vec<crate::ledger::ObligationProgress>> {
        let (join, unit) = match d.reach {
            Reach::Subtree(u) => (
                "JOIN unit_ancestors a ON a.unit_id = o.unit_id AND a.ancestor_id = $1",
                u,
            ),
            Reach::Own(u) => ("", u),
        };
        let own = if matches!(d.reach, Reach::Own(_)) {
            " AND o.unit_id = $1"
        } else {
            ""
        };
        let duty_cond = if d.duty.is_some() {
            " AND o.policy_id = $5 AND o.duty_id = $6"
        } else {
            ""
        };
        let sql = format!(
            "SELECT o.id, o.installed_policy_id, o.policy_id, o.duty_id, o.title, o.unit_id, o.person_id, o.every, o.period_start, o.period_end, o.period_label, o.due_on, o.times, o.evidence, o.report_to_parent, o.created_at
             FROM obligations o {join}
             WHERE o.due_on >= $3 AND o.due_on <= $4{own} AND {}{duty_cond}
             ORDER BY o.due_on, o.unit_id, o.id LIMIT {}",
            which_cond(d.which),
            limit.max(0)
        );
        let (p, du) = d.duty.clone().unwrap_or_default();
        let rows: Vec<crate::ledger::Obligation> = run!(self.conn(), |c| {
            let q = sqlx::query_as(&sql)
                .bind(unit)
                .bind(today)
                .bind(d.from)
                .bind(d.to);
            if d.duty.is_some() {
                q.bind(&p).bind(&du).fetch_all(&mut *c).await
            } else {
                q.fetch_all(&mut *c).await
            }
        })?;
        let mut dates: HashMap<i64, Vec<(NaiveDate, chrono::DateTime<chrono::Utc>)>> =
            HashMap::new();
        let ids: Vec<i64> = rows.iter().map(|o| o.id).collect();
        for chunk in ids.chunks(200) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT r.obligation_id, v.work_date, r.created_at FROM records r
                 JOIN record_versions v ON v.record_id = r.id AND v.version = r.current_version
                 WHERE r.obligation_id IN ({})",
                marks.join(", ")
            );
            let found: Vec<(i64, NaiveDate, chrono::DateTime<chrono::Utc>)> =
                run!(self.conn(), |c| {
                    let mut q = sqlx::query_as(&sql);
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    q.fetch_all(&mut *c).await
                })?;
            for (id, d, at) in found {
                dates.entry(id).or_default().push((d, at));
            }
        }
        Ok(rows
            .into_iter()
            .map(|o| {
                let found = dates.remove(&o.id).unwrap_or_default();
                crate::ledger::ObligationProgress {
                    records: found.len() as i64,
                    work_dates: found.iter().map(|(d, _)| *d).collect(),
                    last_entered_at: found.iter().map(|(_, at)| *at).max(),
                    obligation: o,
                }
            })
            .collect())
    }

    /// The reports of units below `unit` (to parents within its subtree) whose current version
    /// waits for 签收, oldest first.
    async fn pending_reports(&mut self, unit: i64) -> Result<Vec<PendingReport>> {
        // From the few that wait (`awaiting_receipts`), those of units below `unit`: the waiting
        // rows drive the query (a subtree may hold every unit), each checked in the closure.
        Ok(run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT r.id AS record_id, r.current_version AS version, o.id AS obligation_id, o.title,
                    o.period_label, c.id AS unit_id, c.name AS unit_name, p.id AS parent_id,
                    p.name AS parent_name, w.reported_at
             FROM awaiting_receipts w
             JOIN records r ON r.id = w.record_id
             JOIN obligations o ON o.id = r.obligation_id
             JOIN units c ON c.id = w.unit_id
             JOIN units p ON p.id = c.parent_id
             WHERE EXISTS (SELECT 1 FROM unit_ancestors a
                           WHERE a.unit_id = w.unit_id AND a.ancestor_id = $1 AND a.depth > 0)
             ORDER BY w.reported_at, r.id"
        )
        .bind(unit)
        .fetch_all(&mut *c)
        .await
        })?)
    }

    /// The dashboard of `unit`'s subtree for `year` on `today`: every number from the tally
    /// (the unit's own obligations from their index), the heat map for the `heat_rows` worst
    /// units, the `pending_shown` oldest reports waiting.
    async fn dashboard(
        &mut self,
        unit: &crate::Unit,
        year: i32,
        today: NaiveDate,
        heat_rows: usize,
        pending_shown: usize,
    ) -> Result<Dashboard> {
        let (from, to) = year_bounds(year);
        let whole = self
            .standings(Scope::Unit(unit.id), year, today)
            .await?
            .first()
            .map(|(_, s)| *s)
            .unwrap_or_default();
        let below: HashMap<i64, Standing> = self
            .standings(Scope::Children(unit.id), year, today)
            .await?
            .into_iter()
            .collect();
        // Every unit directly below, with nothing counted where it has no obligation that year;
        // a retired unit only while it has some (its history).
        let mut units: Vec<UnitStanding> = Vec::new();
        let mut children_sum = Standing::default();
        // Only what the rows show, unsorted: they are ranked below (a bureau may have thousands).
        let children: Vec<(i64, String, String, bool)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT id, name, kind, retired_on IS NOT NULL FROM units WHERE parent_id = $1"
        )
        .bind(unit.id)
        .fetch_all(&mut *c)
        .await)?;
        for (id, name, kind, retired) in children {
            let standing = below.get(&id).copied().unwrap_or_default();
            children_sum = children_sum.plus(standing);
            if retired && standing.total() == 0 {
                continue;
            }
            units.push(UnitStanding {
                unit_id: id,
                retired,
                name,
                kind,
                own: false,
                standing,
            });
        }
        let own = whole.minus(children_sum);
        if own.total() != 0 {
            units.push(UnitStanding {
                unit_id: unit.id,
                name: unit.name.clone(),
                kind: unit.kind.clone(),
                own: true,
                retired: unit.is_retired(),
                standing: own,
            });
        }
        units.sort_by(|a, b| {
            a.standing
                .worse_than(&b.standing)
                .then_with(|| a.name.cmp(&b.name))
        });
        let mut duties = self.duty_standings(&[unit.id], from, to, today).await?;
        duties.sort_by(|a, b| {
            a.standing
                .worse_than(&b.standing)
                .then_with(|| a.title.cmp(&b.title))
        });
        // The heat map: the worst units (that have something counted) × the duties.
        let shown: Vec<&UnitStanding> = units
            .iter()
            .filter(|u| u.standing.total() != 0)
            .take(heat_rows)
            .collect();
        let ids: Vec<i64> = shown.iter().filter(|u| !u.own).map(|u| u.unit_id).collect();
        let mut cells: HashMap<(i64, bool, String, String), Standing> = HashMap::new();
        for d in self.duty_standings(&ids, from, to, today).await? {
            cells.insert((d.unit_id, false, d.policy_id, d.duty_id), d.standing);
        }
        if shown.iter().any(|u| u.own) {
            for d in self.own_duty_standings(unit.id, from, to, today).await? {
                cells.insert((d.unit_id, true, d.policy_id, d.duty_id), d.standing);
            }
        }
        let heat = shown
            .iter()
            .map(|u| HeatRow {
                unit_id: u.unit_id,
                own: u.own,
                cells: duties
                    .iter()
                    .map(|d| {
                        cells
                            .get(&(u.unit_id, u.own, d.policy_id.clone(), d.duty_id.clone()))
                            .copied()
                    })
                    .collect(),
            })
            .collect();
        let months = by_month(year, self.day_sums(unit.id, from, to).await?, today);
        // Each duty by month of due date: its periods across the subtree.
        let mut by_duty: HashMap<(String, String), Vec<(NaiveDate, Counts)>> = HashMap::new();
        for t in self.tally_rows(&[unit.id], from, to).await? {
            by_duty
                .entry((t.policy_id.clone(), t.duty_id.clone()))
                .or_default()
                .push((t.due_on, t.counts()));
        }
        let duty_months = duties
            .iter()
            .map(|d| {
                let rows = by_duty
                    .remove(&(d.policy_id.clone(), d.duty_id.clone()))
                    .unwrap_or_default();
                by_month(year, rows, today)
            })
            .collect();
        let pending = self.pending_reports(unit.id).await?;
        let mut by_age: BTreeMap<Age, i64> = Age::ALL.iter().map(|a| (*a, 0)).collect();
        for p in &pending {
            let days = (today - china_date(&p.reported_at)).num_days();
            *by_age.entry(Age::of_days(days)).or_default() += 1;
        }
        Ok(Dashboard {
            unit_id: unit.id,
            year,
            today,
            units_in_subtree: self.subtree_size(unit.id).await?,
            standing: whole,
            units,
            duties,
            heat,
            months,
            duty_months,
            pending: pending.len() as i64,
            pending_by_age: by_age
                .into_iter()
                .map(|(age, count)| AgeCount { age, count })
                .collect(),
            pending_oldest: pending.into_iter().take(pending_shown).collect(),
        })
    }

    /// How a drill-down's selection stands (its numbers), from the counts; and the duty's title
    /// when it names one that has obligations there.
    async fn drill_standing(
        &mut self,
        d: &Drill,
        today: NaiveDate,
    ) -> Result<(Standing, Option<String>)> {
        let rows = match d.reach {
            Reach::Subtree(u) => self.duty_standings(&[u], d.from, d.to, today).await?,
            Reach::Own(u) => self.own_duty_standings(u, d.from, d.to, today).await?,
        };
        let mut title = None;
        let mut sum = Standing::default();
        for r in rows {
            if d.duty
                .as_ref()
                .is_none_or(|(p, du)| *p == r.policy_id && *du == r.duty_id)
            {
                sum = sum.plus(r.standing);
                if d.duty.is_some() {
                    title = Some(r.title);
                }
            }
        }
        Ok((sum, title))
    }

    /// The unit and its ancestors' ids, from the closure (itself first).
    async fn ancestors_of(&mut self, unit: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT ancestor_id FROM unit_ancestors WHERE unit_id = $1 ORDER BY depth"
        )
        .bind(unit)
        .fetch_all(&mut *c)
        .await)?;
        Ok(rows.into_iter().map(|(a,)| a).collect())
    }

    /// Whether `unit` is `ancestor` or below it.
    async fn is_within(&mut self, unit: i64, ancestor: i64) -> Result<bool> {
        let row: Option<(i64,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT depth FROM unit_ancestors WHERE unit_id = $1 AND ancestor_id = $2"
        )
        .bind(unit)
        .bind(ancestor)
        .fetch_optional(&mut *c)
        .await)?;
        Ok(row.is_some())
    }

    /// How many units the subtree of `unit` has, itself included.
    async fn subtree_size(&mut self, unit: i64) -> Result<i64> {
        let (n,): (i64,) = run!(self.conn(), |c| sqlx::query_as(
            "SELECT COUNT(*) FROM unit_ancestors WHERE ancestor_id = $1"
        )
        .bind(unit)
        .fetch_one(&mut *c)
        .await)?;
        Ok(n)
    }
}

impl<T: Read> OversightRead for T {}

impl Write {
    /// Applies changes of obligation counts to every ancestor's tally and year row. Takes the
    /// audit chain's lock first, so writers (and the nightly pivot move) change the counts one
    /// after the other and always in the same order.
    pub(crate) async fn apply_tally(&mut self, deltas: Vec<Delta>) -> Result<()> {
        let deltas: Vec<Delta> = deltas.into_iter().filter(|d| !d.c.is_zero()).collect();
        if deltas.is_empty() {
            return Ok(());
        }
        self.lock_chain().await?;
        // Every unit's ancestors (itself included), from the closure.
        let mut units: Vec<i64> = deltas.iter().map(|d| d.unit_id).collect();
        units.sort_unstable();
        units.dedup();
        let mut ancestors: HashMap<i64, Vec<i64>> = HashMap::new();
        for chunk in units.chunks(400) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT unit_id, ancestor_id FROM unit_ancestors WHERE unit_id IN ({})",
                marks.join(", ")
            );
            let rows: Vec<(i64, i64)> = run!(self.conn(), |c| {
                let mut q = sqlx::query_as(&sql);
                for u in chunk {
                    q = q.bind(*u);
                }
                q.fetch_all(&mut *c).await
            })?;
            for (u, a) in rows {
                ancestors.entry(u).or_default().push(a);
            }
        }
        // Summed per (ancestor, day, duty), in key order: locks are taken in one order.
        type Key = (i64, NaiveDate, String, String);
        let mut detail: BTreeMap<Key, (String, Counts)> = BTreeMap::new();
        for d in &deltas {
            for a in ancestors.get(&d.unit_id).map(Vec::as_slice).unwrap_or(&[]) {
                let e = detail
                    .entry((*a, d.due_on, d.policy_id.clone(), d.duty_id.clone()))
                    .or_insert_with(|| (d.title.clone(), Counts::default()));
                e.1 = e.1.plus(d.c);
            }
        }
        let rows: Vec<(Key, (String, Counts))> = detail.into_iter().collect();
        for chunk in rows.chunks(32) {
            let values: Vec<String> = (0..chunk.len())
                .map(|r| {
                    let ps: Vec<String> = (1..=8).map(|c| format!("${}", r * 8 + c)).collect();
                    format!("({})", ps.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO oversight_tally (unit_id, due_on, policy_id, duty_id, title, total, on_time, late)
                 VALUES {}
                 ON CONFLICT (unit_id, due_on, policy_id, duty_id) DO UPDATE SET
                     title = excluded.title,
                     total = oversight_tally.total + excluded.total,
                     on_time = oversight_tally.on_time + excluded.on_time,
                     late = oversight_tally.late + excluded.late",
                values.join(", ")
            );
            run!(self.conn(), |c| {
                let mut q = sqlx::query(&sql);
                for ((unit, due, policy, duty), (title, n)) in chunk {
                    q = q
                        .bind(*unit)
                        .bind(*due)
                        .bind(policy)
                        .bind(duty)
                        .bind(title)
                        .bind(n.total)
                        .bind(n.on_time)
                        .bind(n.late);
                }
                q.execute(&mut *c).await.map(|r| r.rows_affected())
            })?;
        }
        // The year rows: each change goes before or after the row's pivot.
        let mut by_year: BTreeMap<(i64, i32), Vec<(NaiveDate, Counts)>> = BTreeMap::new();
        for ((unit, due, _, _), (_, n)) in &rows {
            by_year
                .entry((*unit, due.year()))
                .or_default()
                .push((*due, *n));
        }
        let keys: Vec<(i64, i32)> = by_year.keys().copied().collect();
        let mut pivots: HashMap<(i64, i32), NaiveDate> = HashMap::new();
        for chunk in keys.chunks(400) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT unit_id, year, pivot FROM oversight_years WHERE unit_id IN ({})",
                marks.join(", ")
            );
            let found: Vec<(i64, i64, NaiveDate)> = run!(self.conn(), |c| {
                let mut q = sqlx::query_as(&sql);
                for (u, _) in chunk {
                    q = q.bind(*u);
                }
                q.fetch_all(&mut *c).await
            })?;
            for (u, y, p) in found {
                pivots.insert((u, y as i32), p);
            }
        }
        let today = china_today();
        let years: Vec<((i64, i32), NaiveDate, Counts, Counts)> = by_year
            .into_iter()
            .map(|(key, changes)| {
                let pivot = pivots.get(&key).copied().unwrap_or(today);
                let (mut before, mut after) = (Counts::default(), Counts::default());
                for (due, n) in changes {
                    if due < pivot {
                        before = before.plus(n);
                    } else {
                        after = after.plus(n);
                    }
                }
                (key, pivot, before, after)
            })
            .collect();
        for chunk in years.chunks(32) {
            let values: Vec<String> = (0..chunk.len())
                .map(|r| {
                    let ps: Vec<String> = (1..=9).map(|c| format!("${}", r * 9 + c)).collect();
                    format!("({})", ps.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO oversight_years (unit_id, year, pivot, before_total, before_on_time, before_late, after_total, after_on_time, after_late)
                 VALUES {}
                 ON CONFLICT (unit_id, year) DO UPDATE SET
                     before_total = oversight_years.before_total + excluded.before_total,
                     before_on_time = oversight_years.before_on_time + excluded.before_on_time,
                     before_late = oversight_years.before_late + excluded.before_late,
                     after_total = oversight_years.after_total + excluded.after_total,
                     after_on_time = oversight_years.after_on_time + excluded.after_on_time,
                     after_late = oversight_years.after_late + excluded.after_late",
                values.join(", ")
            );
            run!(self.conn(), |c| {
                let mut q = sqlx::query(&sql);
                for ((unit, year), pivot, b, a) in chunk {
                    q = q
                        .bind(*unit)
                        .bind(i64::from(*year))
                        .bind(*pivot)
                        .bind(b.total)
                        .bind(b.on_time)
                        .bind(b.late)
                        .bind(a.total)
                        .bind(a.on_time)
                        .bind(a.late);
                }
                q.execute(&mut *c).await.map(|r| r.rows_affected())
            })?;
        }
        Ok(())
    }

    /// Whether a record waits for 签收 now, from the truth (its obligation reported to a parent,
    /// its current version neither acknowledged nor returned): kept in `awaiting_receipts` after
    /// every record written, acknowledged or returned.
    pub(crate) async fn refresh_awaiting(&mut self, record_id: i64) -> Result<()> {
        run!(self.conn(), |c| sqlx::query(
            "DELETE FROM awaiting_receipts WHERE record_id = $1"
        )
        .bind(record_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        let sql = format!("{AWAITING_ROWS} AND r.id = $1");
        run!(self.conn(), |c| sqlx::query(&sql)
            .bind(record_id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Recomputes the day an obligation was fulfilled from its records' current versions and,
    /// when it moved, the counts. Called after every record written.
    pub(crate) async fn refresh_fulfilment(&mut self, obligation_id: i64) -> Result<()> {
        #[allow(clippy::type_complexity)]
        let row: Option<(
            i64,
            String,
            String,
            String,
            NaiveDate,
            i64,
            Option<NaiveDate>,
        )> = run!(self.conn(), |c| {
            sqlx::query_as(
                "SELECT unit_id, policy_id, duty_id, title, due_on, times, done_on FROM obligations WHERE id = $1"
            )
            .bind(obligation_id)
            .fetch_optional(&mut *c)
            .await
        })?;
        let Some((unit_id, policy_id, duty_id, title, due_on, times, old)) = row else {
            return Ok(());
        };
        let dates: Vec<(NaiveDate,)> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT v.work_date FROM records r JOIN record_versions v ON v.record_id = r.id AND v.version = r.current_version
             WHERE r.obligation_id = $1"
        )
        .bind(obligation_id)
        .fetch_all(&mut *c)
        .await
        })?;
        let dates: Vec<NaiveDate> = dates.into_iter().map(|(d,)| d).collect();
        let new = fulfilled_on(times.max(1) as u32, &dates);
        if new == old {
            return Ok(());
        }
        run!(self.conn(), |c| sqlx::query(
            "UPDATE obligations SET done_on = $2 WHERE id = $1"
        )
        .bind(obligation_id)
        .bind(new)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        let c = Counts::one(due_on, new).minus(Counts::one(due_on, old));
        self.apply_tally(vec![Delta {
            unit_id,
            policy_id,
            duty_id,
            title,
            due_on,
            c,
        }])
        .await
    }

    /// Moves every year row's pivot to `today`: what fell due since moves from "after" to
    /// "before" (or back, for a pivot ahead of `today`). Readers stay correct without it; it
    /// keeps their correction to the few rows of a day.
    pub async fn move_oversight_pivots(&mut self, today: NaiveDate) -> Result<usize> {
        self.lock_chain().await?;
        let years: Vec<(i64,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT DISTINCT year FROM oversight_years WHERE pivot <> $1"
        )
        .bind(today)
        .fetch_all(&mut *c)
        .await)?;
        let mut moved = 0;
        for (year,) in years {
            let (from, to) = year_bounds(year as i32);
            for (forward, range) in [
                (true, "t.due_on >= y.pivot AND t.due_on < $1"),
                (false, "t.due_on >= $1 AND t.due_on < y.pivot"),
            ] {
                let sql = format!(
                    "SELECT y.unit_id, CAST(SUM(t.total) AS BIGINT), CAST(SUM(t.on_time) AS BIGINT), CAST(SUM(t.late) AS BIGINT)
                     FROM oversight_years y JOIN oversight_tally t ON t.unit_id = y.unit_id AND {range}
                         AND t.due_on >= $3 AND t.due_on <= $4
                     WHERE y.year = $2 AND y.pivot {} $1
                     GROUP BY y.unit_id",
                    if forward { "<" } else { ">" }
                );
                let sums: Vec<SumRow> = run!(self.conn(), |c| sqlx::query_as(&sql)
                    .bind(today)
                    .bind(year)
                    .bind(from)
                    .bind(to)
                    .fetch_all(&mut *c)
                    .await)?;
                let sign = if forward { 1 } else { -1 };
                for (unit, total, on_time, late) in sums {
                    run!(self.conn(), |c| {
                        sqlx::query(
                        "UPDATE oversight_years SET
                             before_total = before_total + $3, before_on_time = before_on_time + $4, before_late = before_late + $5,
                             after_total = after_total - $3, after_on_time = after_on_time - $4, after_late = after_late - $5
                         WHERE unit_id = $1 AND year = $2"
                    )
                    .bind(unit)
                    .bind(year)
                    .bind(sign * total)
                    .bind(sign * on_time)
                    .bind(sign * late)
                    .execute(&mut *c)
                    .await
                    .map(|r| r.rows_affected())
                    })?;
                }
            }
            moved += run!(self.conn(), |c| sqlx::query(
                "UPDATE oversight_years SET pivot = $1 WHERE year = $2 AND pivot <> $1"
            )
            .bind(today)
            .bind(year)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))? as usize;
        }
        Ok(moved)
    }

    /// Counts built again from the obligations (and each obligation's fulfilment day from its
    /// records): what an empty tally gets when the store opens, and what tests compare the kept
    /// counts with.
    pub async fn rebuild_oversight(&mut self) -> Result<()> {
        self.lock_chain().await?;
        let dates: Vec<(i64, i64, NaiveDate, Option<NaiveDate>)> = run!(self.conn(), |c| {
            sqlx::query_as(
                "SELECT o.id, o.times, v.work_date, o.done_on FROM obligations o
                 JOIN records r ON r.obligation_id = o.id
                 JOIN record_versions v ON v.record_id = r.id AND v.version = r.current_version
                 ORDER BY o.id",
            )
            .fetch_all(&mut *c)
            .await
        })?;
        let mut by_obligation: BTreeMap<i64, (i64, Option<NaiveDate>, Vec<NaiveDate>)> =
            BTreeMap::new();
        for (id, times, d, done) in dates {
            by_obligation
                .entry(id)
                .or_insert((times, done, Vec::new()))
                .2
                .push(d);
        }
        for (id, (times, old, dates)) in by_obligation {
            let new = fulfilled_on(times.max(1) as u32, &dates);
            if new != old {
                run!(self.conn(), |c| sqlx::query(
                    "UPDATE obligations SET done_on = $2 WHERE id = $1"
                )
                .bind(id)
                .bind(new)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected()))?;
            }
        }
        run!(self.conn(), |c| sqlx::query(
            "UPDATE obligations SET done_on = NULL WHERE done_on IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM records r WHERE r.obligation_id = obligations.id)"
        )
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        run!(self.conn(), |c| sqlx::query(
            "DELETE FROM awaiting_receipts"
        )
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        run!(self.conn(), |c| sqlx::query(AWAITING_ROWS)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        for table in ["oversight_tally", "oversight_years"] {
            let sql = format!("DELETE FROM {table}");
            run!(self.conn(), |c| sqlx::query(&sql)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected()))?;
        }
        #[allow(clippy::type_complexity)]
        let rows: Vec<(i64, String, String, String, NaiveDate, Option<NaiveDate>)> = run!(
            self.conn(),
            |c| {
                sqlx::query_as(
                "SELECT unit_id, policy_id, duty_id, title, due_on, done_on FROM obligations ORDER BY id"
            )
            .fetch_all(&mut *c)
            .await
            }
        )?;
        let deltas = rows
            .into_iter()
            .map(|(unit_id, policy_id, duty_id, title, due_on, done)| Delta {
                c: Counts::one(due_on, done),
                unit_id,
                policy_id,
                duty_id,
                title,
                due_on,
            })
            .collect();
        self.apply_tally(deltas).await
    }
}

impl crate::Store {
    /// Moves the dashboard's year rows to `today` when some are elsewhere (see
    /// [`Write::move_oversight_pivots`]): the server's hourly loop and the demo call it. Takes
    /// no lock when there is nothing to move.
    pub async fn move_oversight_pivots(&self, today: NaiveDate) -> Result<usize> {
        let stale: Option<(i64,)> = {
            let mut r = self.reader().await?;
            run!(r.conn(), |c| sqlx::query_as(
                "SELECT year FROM oversight_years WHERE pivot <> $1 LIMIT 1"
            )
            .bind(today)
            .fetch_optional(&mut *c)
            .await)?
        };
        if stale.is_none() {
            return Ok(0);
        }
        let mut w = self.write(&crate::Actor::system()).await?;
        let moved = w.move_oversight_pivots(today).await?;
        w.commit().await?;
        Ok(moved)
    }

    /// Builds the dashboard's counts when they are missing (a database from before they
    /// existed); nothing to do otherwise.
    pub(crate) async fn backfill_oversight(&self) -> Result<()> {
        let (tally, obligations): (i64, i64) = {
            let mut r = self.reader().await?;
            run!(r.conn(), |c| sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM oversight_tally LIMIT 1) t),
                        (SELECT COUNT(*) FROM (SELECT 1 FROM obligations LIMIT 1) o)"
            )
            .fetch_one(&mut *c)
            .await)?
        };
        if tally > 0 || obligations == 0 {
            return Ok(());
        }
        let mut w = self.write(&crate::Actor::system()).await?;
        w.rebuild_oversight().await?;
        w.commit().await
    }
}
