//! The other lists a page at a time (issue 13): the audit log, the people of a subtree and the
//! units a viewer reads. Each is filtered and ordered in SQL, read in its order from an index
//! and stops after a page; the next page starts after the last row shown (keyset paging), so a
//! deep page costs what the first does. A subtree is found through the closure table
//! `unit_ancestors` (a join from it for a subtree that is a small share of the tree, an `EXISTS`
//! on its key per row for a large one), never as a list of ids in the application. The obligations' list is
//! [`crate::ledger::ObligationPageQuery`].

use crate::ledger::{Bind, MAX_PAGE, SMALL_SUBTREE};
use crate::model::{AuditFilter, Person, Unit};
use crate::read::Read;
use crate::{bind_all, placeholders, run, Error, Result};

const AUDIT_COLUMNS: &str = "seq, at, actor_account_id, actor, action, entity_type, entity_id, state_digest, prev_hash, hash, details, key_id";
const PERSON_COLUMNS: &str = "p.id, p.unit_id, p.name, p.gender, p.id_number, p.employee_no, p.phone, p.position, p.political_status, p.created_at";
const UNIT_COLUMNS: &str =
    "u.id, u.parent_id, u.name, u.kind, u.created_at, u.retired_on, u.retired_reason, u.merged_into";

impl AuditFilter {
    /// The page's SQL and binds: newest first (by seq), the entries before `before`, only the
    /// filters given (so that each can use its index: the account's, the object's or the kind
    /// of object's, each ordered by seq; dates are checked on the entries walked in order).
    #[doc(hidden)]
    pub fn sql(&self) -> (String, Vec<Bind>) {
        // Always bounded, so that every page (the first too) is one range of an index.
        let mut binds = vec![Bind::I64(self.before.unwrap_or(i64::MAX))];
        let mut conds = vec!["seq < $1".to_string()];
        let mut push = |cond: &str, b: Bind| {
            binds.push(b);
            conds.push(cond.replace('?', &format!("${}", binds.len())));
        };
        if let Some(a) = self.actor_account_id {
            push("actor_account_id = ?", Bind::I64(a));
        }
        if let Some(t) = &self.entity_type {
            push("entity_type = ?", Bind::Text(t.clone()));
        }
        if let Some(i) = &self.entity_id {
            push("entity_id = ?", Bind::Text(i.clone()));
        }
        if let Some(t) = self.from {
            push("at >= ?", Bind::Time(t));
        }
        if let Some(t) = self.to {
            push("at < ?", Bind::Time(t));
        }
        let limit = self.limit.clamp(1, MAX_PAGE);
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE {} ORDER BY seq DESC LIMIT {limit}",
            conds.join(" AND ")
        );
        (sql, binds)
    }
}

/// One page of the people of a unit's subtree, by name then id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeoplePageQuery {
    /// The unit; its people and those of every unit below it.
    pub unit: i64,
    /// The people after this one in the order (the last of the previous page). Its name is
    /// read when the page is, so a person renamed between two pages moves the cursor with it.
    pub after: Option<i64>,
    /// At most this many rows (1 to [`MAX_PAGE`]).
    pub limit: i64,
}

impl PeoplePageQuery {
    /// The page's SQL and binds, given the name of the `after` person; `small_subtree` picks
    /// the plan (see [`PageRead::subtrees_are_cheaper`]): the subtree's units one by one, their people by the
    /// unit's index, then sorted; or the people by the name index, each kept when its unit is
    /// in the subtree, which stops after a page of them.
    #[doc(hidden)]
    pub fn sql(&self, after: Option<(&str, i64)>, small_subtree: bool) -> (String, Vec<Bind>) {
        let mut binds = vec![Bind::I64(self.unit)];
        let mut conds = Vec::new();
        let from = if small_subtree {
            conds.push("a.ancestor_id = $1".to_string());
            conds.push("p.unit_id = a.unit_id".to_string());
            // CROSS JOIN keeps SQLite's join order: the units first.
            "unit_ancestors a CROSS JOIN people p"
        } else {
            conds.push(
                "EXISTS (SELECT 1 FROM unit_ancestors a WHERE a.unit_id = p.unit_id AND a.ancestor_id = $1)"
                    .to_string(),
            );
            "people p"
        };
        if let Some((name, id)) = after {
            binds.push(Bind::Text(name.to_string()));
            binds.push(Bind::I64(id));
            // The first term bounds the index range; the second skips the namesakes shown.
            conds.push("p.name >= $2 AND (p.name > $2 OR p.id > $3)".to_string());
        }
        let limit = self.limit.clamp(1, MAX_PAGE);
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM {from} WHERE {} ORDER BY p.name, p.id LIMIT {limit}",
            conds.join(" AND ")
        );
        (sql, binds)
    }
}

/// One page of the units in the subtrees of some units (the ones a viewer reads from), by id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitPageQuery {
    /// The highest units: each with everything below it. None of them below another.
    pub roots: Vec<i64>,
    /// The units after this id.
    pub after: Option<i64>,
    /// At most this many rows (1 to [`MAX_PAGE`]).
    pub limit: i64,
}

impl UnitPageQuery {
    /// The page's SQL and binds; `small` picks the plan: the subtrees' units from the closure
    /// table, then sorted; or the units by id, each kept when one of the roots is its ancestor,
    /// which stops after a page of them.
    #[doc(hidden)]
    pub fn sql(&self, small: bool) -> (String, Vec<Bind>) {
        let mut binds: Vec<Bind> = vec![Bind::I64(self.after.unwrap_or(0))];
        binds.extend(self.roots.iter().map(|&r| Bind::I64(r)));
        // No roots: nothing (an empty IN list is not SQL).
        let roots = if self.roots.is_empty() {
            "NULL".to_string()
        } else {
            placeholders(2, self.roots.len())
        };
        let limit = self.limit.clamp(1, MAX_PAGE);
        let sql = if small {
            format!(
                "SELECT {UNIT_COLUMNS} FROM unit_ancestors a CROSS JOIN units u
                 WHERE a.ancestor_id IN ({roots}) AND u.id = a.unit_id AND u.id > $1
                 ORDER BY u.id LIMIT {limit}"
            )
        } else {
            format!(
                "SELECT {UNIT_COLUMNS} FROM units u
                 WHERE u.id > $1 AND EXISTS (SELECT 1 FROM unit_ancestors a WHERE a.unit_id = u.id AND a.ancestor_id IN ({roots}))
                 ORDER BY u.id LIMIT {limit}"
            )
        };
        (sql, binds)
    }
}

/// A table listed by subtree.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub enum Table {
    People,
    Units,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::People => "people",
            Table::Units => "units",
        }
    }
}

#[allow(async_fn_in_trait)] // implemented only by this crate's concrete, Send types
pub trait PageRead: Read {
    /// Whether a page of `table`'s rows under `roots` is cheaper read from the subtrees (their
    /// rows by each unit's index, then sorted) than by walking the table's index in the list's
    /// order, keeping the rows under the roots until a page is full. With `f` the share of the
    /// tree's units under the roots and `n` the table's rows (estimated by its highest id, read
    /// from its key), the walk reads about `limit / f` rows and the subtrees about `f × n`: the
    /// subtrees win while `f² ≤ limit / n`. The units under the roots are counted only up to
    /// that share (at least [`SMALL_SUBTREE`]), so the choice costs a bounded read however
    /// large the subtree. A district of 1% of a province's people is read from its units (a
    /// few thousand rows), the whole province by walking the index.
    #[doc(hidden)]
    async fn subtrees_are_cheaper(
        &mut self,
        roots: &[i64],
        table: Table,
        limit: i64,
    ) -> Result<bool> {
        if roots.is_empty() {
            return Ok(true);
        }
        let sql = format!(
            "SELECT CAST(COALESCE(max(id), 0) AS BIGINT) FROM {}",
            table.name()
        );
        let (rows,): (i64,) = run!(self.conn(), |c| sqlx::query_as(&sql)
            .fetch_one(&mut *c)
            .await)?;
        let (units,): (i64,) = run!(self.conn(), |c| sqlx::query_as(
            "SELECT CAST(COALESCE(max(id), 0) AS BIGINT) FROM units"
        )
        .fetch_one(&mut *c)
        .await)?;
        let share = (limit.clamp(1, MAX_PAGE) as f64 / rows.max(1) as f64)
            .sqrt()
            .min(1.0);
        let cap = ((share * units as f64).ceil() as i64).max(SMALL_SUBTREE);
        let sql = format!(
            "SELECT CAST(count(*) AS BIGINT) FROM (SELECT 1 FROM unit_ancestors WHERE ancestor_id IN ({}) LIMIT {}) s",
            placeholders(1, roots.len()),
            cap + 1
        );
        let binds: Vec<Bind> = roots.iter().map(|&r| Bind::I64(r)).collect();
        let (n,): (i64,) = run!(self.conn(), |c| bind_all!(sqlx::query_as(&sql), &binds)
            .fetch_one(&mut *c)
            .await)?;
        Ok(n <= cap)
    }

    #[doc(hidden)]
    async fn audit_search_plan(&mut self, f: &AuditFilter) -> Result<Vec<String>> {
        let (sql, binds) = f.sql();
        crate::explain(self.conn(), &sql, &binds).await
    }

    /// A page of the people of a subtree (see [`PeoplePageQuery`]); the plan by the subtree's
    /// size. `Error::Invalid` when `after` names no person.
    async fn people_page(&mut self, q: &PeoplePageQuery) -> Result<Vec<Person>> {
        let small = self
            .subtrees_are_cheaper(&[q.unit], Table::People, q.limit)
            .await?;
        self.people_page_planned(q, small).await
    }

    #[doc(hidden)]
    async fn people_page_planned(
        &mut self,
        q: &PeoplePageQuery,
        small_subtree: bool,
    ) -> Result<Vec<Person>> {
        let name = self.cursor_name(q.after).await?;
        let (sql, binds) = q.sql(name.as_deref().zip(q.after), small_subtree);
        Ok(run!(self.conn(), |c| bind_all!(
            sqlx::query_as(&sql),
            &binds
        )
        .fetch_all(&mut *c)
        .await)?)
    }

    #[doc(hidden)]
    async fn people_page_plan(
        &mut self,
        q: &PeoplePageQuery,
        small_subtree: bool,
    ) -> Result<Vec<String>> {
        let name = self.cursor_name(q.after).await?;
        let (sql, binds) = q.sql(name.as_deref().zip(q.after), small_subtree);
        crate::explain(self.conn(), &sql, &binds).await
    }

    /// The name of the person a people cursor names.
    #[doc(hidden)]
    async fn cursor_name(&mut self, after: Option<i64>) -> Result<Option<String>> {
        let Some(id) = after else {
            return Ok(None);
        };
        let row: Option<(String,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT name FROM people WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(&mut *c)
        .await)?;
        match row {
            Some((n,)) => Ok(Some(n)),
            None => Err(Error::Invalid(format!(
                "after: no person {id} (the cursor of a previous answer)"
            ))),
        }
    }

    /// A page of the units below some roots (see [`UnitPageQuery`]); the plan by their size.
    async fn units_page(&mut self, q: &UnitPageQuery) -> Result<Vec<Unit>> {
        let small = self
            .subtrees_are_cheaper(&q.roots, Table::Units, q.limit)
            .await?;
        self.units_page_planned(q, small).await
    }

    #[doc(hidden)]
    async fn units_page_planned(&mut self, q: &UnitPageQuery, small: bool) -> Result<Vec<Unit>> {
        let (sql, binds) = q.sql(small);
        Ok(run!(self.conn(), |c| bind_all!(
            sqlx::query_as(&sql),
            &binds
        )
        .fetch_all(&mut *c)
        .await)?)
    }

    #[doc(hidden)]
    async fn units_page_plan(&mut self, q: &UnitPageQuery, small: bool) -> Result<Vec<String>> {
        let (sql, binds) = q.sql(small);
        crate::explain(self.conn(), &sql, &binds).await
    }
}

impl<T: Read> PageRead for T {}
