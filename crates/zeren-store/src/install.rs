//! Installing a policy at a unit: the policy version, and the bodies it defines built from the
//! holders of their roles. Used by first-run setup, the policy page, the API and the demo.

use chrono::NaiveDate;
use zeren_policy::Policy;

use crate::{BodySpec, InstalledPolicy, Result, Unit, Write};

/// Bodies as the policy defines them, for [`Write::sync_bodies`].
pub fn body_specs(policy: &Policy) -> Vec<BodySpec> {
    policy
        .bodies
        .iter()
        .map(|b| {
            let mut roles = Vec::new();
            roles.extend(b.chair.iter().map(|r| (r.to_string(), "chair".to_string())));
            roles.extend(
                b.deputies
                    .iter()
                    .map(|r| (r.to_string(), "deputy".to_string())),
            );
            roles.extend(
                b.members
                    .iter()
                    .map(|r| (r.to_string(), "member".to_string())),
            );
            BodySpec {
                key: b.id.to_string(),
                title: b.title.clone(),
                within: b.within.as_ref().map(|w| w.to_string()),
                remit: b.remit.clone(),
                roles,
            }
        })
        .collect()
}

/// The SHA-256 of a policy text, as stored with the installed version.
pub fn text_sha256(text: &str) -> String {
    crate::ledger::sha256_hex(text.as_bytes())
}

/// Install inside an open write: the policy version (named by the policy's own version, else
/// the first eight digits of the text's hash) and the bodies it defines.
pub async fn install(
    w: &mut Write,
    unit_id: i64,
    policy: &Policy,
    text: &str,
    today: NaiveDate,
) -> Result<InstalledPolicy> {
    let sha = text_sha256(text);
    let version = policy
        .meta
        .version
        .clone()
        .unwrap_or_else(|| sha[..8].to_string());
    let p = w
        .install_policy(
            unit_id,
            policy.meta.id.as_str(),
            &version,
            &policy.meta.title,
            text,
            &sha,
        )
        .await?;
    w.sync_bodies(unit_id, &body_specs(policy), today).await?;
    Ok(p)
}

/// The `applies_to` column for a policy text: its kinds, space separated; empty when it has
/// none (or does not parse — an installed text always does).
pub fn applies_to_of(policy_id: &str, text: &str) -> String {
    zeren_policy::parse(&format!("{policy_id}.toml"), text)
        .map(|p| {
            p.meta
                .applies_to
                .iter()
                .map(|k| k.as_str().to_string())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// The installation that governs the first unit of `path` (the unit, then its ancestors,
/// nearest first): the nearest installation, from the unit up, whose policy applies to it —
/// its `applies_to` kinds, or, without them, the installing unit itself. At one unit the
/// newest installation comes first. `installs` are the current installations at the path's
/// units, newest first within a unit.
pub fn governing<'a>(
    path: &[Unit],
    installs: &'a [InstalledPolicy],
) -> Option<&'a InstalledPolicy> {
    let unit = path.first()?;
    path.iter().find_map(|at| {
        installs
            .iter()
            .filter(|i| i.unit_id == at.id)
            .find(|i| i.governs(unit.id, &unit.kind))
    })
}

/// The policy in force at the first unit of `path`: the installation that governs it, else
/// the one governing its nearest governed ancestor (a party branch or a teaching group is
/// reached by the duties and roles of the school's policy without being governed itself).
pub fn in_force<'a>(path: &[Unit], installs: &'a [InstalledPolicy]) -> Option<&'a InstalledPolicy> {
    (0..path.len()).find_map(|i| governing(&path[i..], installs))
}

/// Where a current installation is and which kinds of unit its policy applies to.
#[derive(Clone, Debug)]
pub struct Scope {
    pub id: i64,
    pub unit_id: i64,
    pub kinds: Vec<zeren_policy::UnitKind>,
}

impl Scope {
    pub fn governs(&self, unit_id: i64, unit_kind: &str) -> bool {
        zeren_policy::kind_governs(&self.kinds, unit_id == self.unit_id, unit_kind)
    }
}

/// Which installation governs each unit of a tree: unit id → installation id, for every unit
/// some installation governs (the nearest, from the unit up, whose policy applies to it; the
/// newest at one unit).
pub fn governed_units(
    org: &zeren_core::org::Org,
    units: &[Unit],
    scopes: &[Scope],
) -> std::collections::HashMap<i64, i64> {
    use std::collections::HashMap;
    let mut at: HashMap<i64, Vec<&Scope>> = HashMap::new();
    for i in scopes {
        at.entry(i.unit_id).or_default().push(i);
    }
    for v in at.values_mut() {
        v.sort_by_key(|i| std::cmp::Reverse(i.id));
    }
    let mut out = HashMap::new();
    for u in units {
        let found = org
            .ancestry(zeren_core::org::UnitId(u.id))
            .into_iter()
            .find_map(|a| {
                at.get(&a.0)?
                    .iter()
                    .find(|i| i.governs(u.id, &u.kind))
                    .map(|i| i.id)
            });
        if let Some(id) = found {
            out.insert(u.id, id);
        }
    }
    out
}

impl crate::Store {
    /// Fills `applies_to` of installations made before it existed, from their text. Run when
    /// the store opens; a derived column, so not an audited change.
    pub(crate) async fn backfill_policy_scope(&self) -> Result<()> {
        let rows: Vec<(i64, String, String)> = {
            let mut r = self.reader().await?;
            crate::run!(crate::Read::conn(&mut r), |c| sqlx::query_as(
                "SELECT id, policy_id, text FROM installed_policies WHERE applies_to IS NULL"
            )
            .fetch_all(&mut *c)
            .await)?
        };
        if rows.is_empty() {
            return Ok(());
        }
        let mut c = self.acquire().await?;
        for (id, policy_id, text) in rows {
            let applies_to = applies_to_of(&policy_id, &text);
            crate::run!(c.conn(), |c| {
                sqlx::query(
                "UPDATE installed_policies SET applies_to = $1 WHERE id = $2 AND applies_to IS NULL"
            )
            .bind(&applies_to)
            .bind(id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, parent: Option<i64>, kind: &str) -> Unit {
        Unit {
            id,
            parent_id: parent,
            name: format!("u{id}"),
            kind: kind.into(),
            created_at: chrono::Utc::now(),
            retired_on: None,
            retired_reason: None,
            merged_into: None,
        }
    }

    fn inst(id: i64, unit_id: i64, policy: &str, applies_to: &str) -> InstalledPolicy {
        InstalledPolicy {
            id,
            unit_id,
            policy_id: policy.into(),
            version: "1".into(),
            title: policy.into(),
            text: String::new(),
            sha256: String::new(),
            installed_at: chrono::Utc::now(),
            installed_by: None,
            current: true,
            applies_to: Some(applies_to.into()),
            removed_at: None,
            removed_by: None,
        }
    }

    #[test]
    fn a_school_policy_installed_at_the_bureau_governs_its_schools_not_the_bureau() {
        let bureau = unit(1, None, "局");
        let school = unit(2, Some(1), "学校");
        let branch = unit(3, Some(2), "党支部");
        let installs = [inst(10, 1, "district-school", "school")];
        assert!(governing(std::slice::from_ref(&bureau), &installs).is_none());
        let path = [school.clone(), bureau.clone()];
        assert_eq!(governing(&path, &installs).map(|i| i.id), Some(10));
        // The branch is not governed, but the school's policy is in force there.
        let path = [branch, school, bureau];
        assert!(governing(&path, &installs).is_none());
        assert_eq!(in_force(&path, &installs).map(|i| i.id), Some(10));
    }

    #[test]
    fn a_units_own_installation_overrides_and_policies_of_other_scopes_coexist() {
        let bureau = unit(1, None, "局");
        let school = unit(2, Some(1), "学校");
        let other = unit(4, Some(1), "学校");
        let installs = [
            inst(10, 1, "district-school", "school"),
            inst(11, 1, "bureau", ""),
            inst(12, 2, "school-basic", ""),
        ];
        // The bureau's own policy governs the bureau; the school pack governs the schools.
        assert_eq!(
            governing(std::slice::from_ref(&bureau), &installs).map(|i| i.id),
            Some(11)
        );
        assert_eq!(
            governing(&[other, bureau.clone()], &installs).map(|i| i.id),
            Some(10)
        );
        // A school with its own installation is governed by it.
        assert_eq!(
            governing(&[school, bureau], &installs).map(|i| i.id),
            Some(12)
        );
    }

    #[test]
    fn without_applies_to_only_the_installing_unit_is_governed() {
        let top = unit(1, None, "学校");
        let child = unit(2, Some(1), "学校");
        let installs = [inst(10, 1, "university", "")];
        assert_eq!(
            governing(std::slice::from_ref(&top), &installs).map(|i| i.id),
            Some(10)
        );
        assert!(governing(&[child.clone(), top.clone()], &installs).is_none());
        assert_eq!(in_force(&[child, top], &installs).map(|i| i.id), Some(10));
    }
}
