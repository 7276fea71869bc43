//! A read-only snapshot of the organisation as the rules need it: the unit tree with kinds and
//! who holds which role in which unit over which dates.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use zeren_policy::{At, RoleId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct UnitId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PersonId(pub i64);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub id: UnitId,
    pub parent: Option<UnitId>,
    pub kind: String,
}

/// A person holds a role in a unit from a date, until a date (inclusive) or open-ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub person: PersonId,
    pub role: RoleId,
    pub unit: UnitId,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl Assignment {
    /// Whether the assignment covers any day of `[start, end]`.
    pub fn overlaps(&self, start: NaiveDate, end: NaiveDate) -> bool {
        self.from <= end && self.to.is_none_or(|to| to >= start)
    }
    pub fn holds_on(&self, d: NaiveDate) -> bool {
        self.overlaps(d, d)
    }
}

/// Whether a unit's kind, as the organisation data writes it (an id such as `party_branch`, or
/// its Chinese name such as 党支部), is the policy's kind.
pub fn kind_matches(unit_kind: &str, kind: &zeren_policy::UnitKind) -> bool {
    unit_kind == kind.as_str() || unit_kind == kind.zh()
}

/// The unit tree and the role assignments.
#[derive(Debug, Clone, Default)]
pub struct Org {
    units: HashMap<UnitId, Unit>,
    children: HashMap<UnitId, Vec<UnitId>>,
    assignments: Vec<Assignment>,
    /// Indexes into `assignments` by unit and role: holders are asked for once per duty, period
    /// and unit, and a province has hundreds of thousands of assignments.
    by_unit_role: HashMap<(UnitId, RoleId), Vec<usize>>,
}

impl Org {
    pub fn new(units: impl IntoIterator<Item = Unit>, assignments: Vec<Assignment>) -> Self {
        let mut org = Org {
            assignments,
            ..Org::default()
        };
        for u in units {
            if let Some(p) = u.parent {
                org.children.entry(p).or_default().push(u.id);
            }
            org.units.insert(u.id, u);
        }
        for c in org.children.values_mut() {
            c.sort();
        }
        for (i, a) in org.assignments.iter().enumerate() {
            org.by_unit_role
                .entry((a.unit, a.role.clone()))
                .or_default()
                .push(i);
        }
        org
    }

    pub fn unit(&self, id: UnitId) -> Option<&Unit> {
        self.units.get(&id)
    }

    pub fn children(&self, id: UnitId) -> &[UnitId] {
        self.children.get(&id).map_or(&[], Vec::as_slice)
    }

    /// Every unit below `id`, depth first, in id order within a level.
    pub fn descendants(&self, id: UnitId) -> Vec<UnitId> {
        let mut out = Vec::new();
        let mut stack: Vec<UnitId> = self.children(id).iter().rev().copied().collect();
        while let Some(u) = stack.pop() {
            out.push(u);
            stack.extend(self.children(u).iter().rev().copied());
        }
        out
    }

    /// `id` and its ancestors, nearest first. Stops at a cycle rather than looping.
    pub fn ancestry(&self, id: UnitId) -> Vec<UnitId> {
        let mut out = vec![id];
        let mut cur = id;
        while let Some(p) = self.units.get(&cur).and_then(|u| u.parent) {
            if out.contains(&p) {
                break;
            }
            out.push(p);
            cur = p;
        }
        out
    }

    /// Whether `unit` is `root` or below it.
    pub fn within(&self, unit: UnitId, root: UnitId) -> bool {
        self.ancestry(unit).contains(&root)
    }

    /// The units a duty or responsibility with `at` applies to, for a policy installed at `install`.
    pub fn subjects(&self, install: UnitId, at: &At) -> Vec<UnitId> {
        match at {
            At::SelfUnit => vec![install],
            At::Children => self.children(install).to_vec(),
            At::Kind(kind) => self
                .descendants(install)
                .into_iter()
                .filter(|u| {
                    self.units
                        .get(u)
                        .is_some_and(|x| kind_matches(&x.kind, kind))
                })
                .collect(),
        }
    }

    /// Who holds `role` in `unit` on some day of `[start, end]`, in person-id order, each once.
    pub fn holders(
        &self,
        role: &RoleId,
        unit: UnitId,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Vec<PersonId> {
        let Some(idx) = self.by_unit_role.get(&(unit, role.clone())) else {
            return Vec::new();
        };
        let mut v: Vec<PersonId> = idx
            .iter()
            .map(|&i| &self.assignments[i])
            .filter(|a| a.overlaps(start, end))
            .map(|a| a.person)
            .collect();
        v.sort();
        v.dedup();
        v
    }

    pub fn assignments(&self) -> &[Assignment] {
        &self.assignments
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn unit(id: i64, parent: Option<i64>, kind: &str) -> Unit {
        Unit {
            id: UnitId(id),
            parent: parent.map(UnitId),
            kind: kind.into(),
        }
    }

    #[test]
    fn tree_queries() {
        let org = Org::new(
            [
                unit(1, None, "bureau"),
                unit(2, Some(1), "school"),
                unit(3, Some(1), "school"),
                unit(4, Some(2), "party_branch"),
                unit(5, Some(3), "党支部"),
                unit(6, Some(4), "teaching_group"),
            ],
            vec![],
        );
        assert_eq!(org.children(UnitId(1)), [UnitId(2), UnitId(3)]);
        assert_eq!(org.descendants(UnitId(1)), [2, 4, 6, 3, 5].map(UnitId));
        assert_eq!(org.ancestry(UnitId(6)), [6, 4, 2, 1].map(UnitId));
        assert!(org.within(UnitId(6), UnitId(2)));
        assert!(!org.within(UnitId(6), UnitId(3)));
        let kind = At::Kind(zeren_policy::UnitKind::parse("party_branch").unwrap());
        assert_eq!(org.subjects(UnitId(1), &kind), [UnitId(4), UnitId(5)]);
        assert_eq!(
            org.subjects(UnitId(1), &At::Children),
            [UnitId(2), UnitId(3)]
        );
        assert_eq!(org.subjects(UnitId(2), &At::SelfUnit), [UnitId(2)]);
    }

    #[test]
    fn holders_over_a_span() {
        let role = RoleId::parse("leadership").unwrap();
        let a = |p, from: &str, to: Option<&str>| Assignment {
            person: PersonId(p),
            role: role.clone(),
            unit: UnitId(1),
            from: d(from),
            to: to.map(d),
        };
        let org = Org::new(
            [unit(1, None, "school")],
            vec![
                a(1, "2020-01-01", Some("2026-03-31")),
                a(2, "2026-04-01", None),
                a(3, "2027-01-01", None),
            ],
        );
        assert_eq!(
            org.holders(&role, UnitId(1), d("2026-01-01"), d("2026-03-31")),
            [PersonId(1)]
        );
        assert_eq!(
            org.holders(&role, UnitId(1), d("2026-01-01"), d("2026-12-31")),
            [PersonId(1), PersonId(2)]
        );
        assert!(org
            .holders(&role, UnitId(2), d("2026-01-01"), d("2026-12-31"))
            .is_empty());
    }
}
