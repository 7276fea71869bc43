//! Organisation rules the pages and the API share: the roles of a unit with the policy's holder
//! bounds, checking a new person or a new assignment before it is stored, who may be assigned.

use chrono::NaiveDate;
use zeren_policy::Policy;
use zeren_store::*;

use super::views::{HistoryRow, RoleRow};
use crate::shared::error::{Error, Problems};
use crate::shared::i18n::{Lang, Tr};
use crate::shared::policies::parse_installed;

/// Refuses adding anything (a person, a role holder, a unit below, a policy, a roster) to a
/// retired or merged unit: it is history.
pub fn refuse_retired(unit: &Unit, lang: Lang) -> Result<(), Error> {
    if unit.is_retired() {
        Err(Error::Fields(Problems::one(
            "",
            Tr(lang).s("unit.retired_closed"),
        )))
    } else {
        Ok(())
    }
}

pub struct Roles {
    pub policy: Option<InstalledPolicy>,
    /// Whether the policy in force governs this unit (else it reaches it through the duties of
    /// the unit above that it governs: a branch, a teaching group).
    pub governs: bool,
    /// Where the policy in force is installed, when not at this unit.
    pub installed_at: Option<String>,
    /// The kinds of unit it applies to, in Chinese (empty: its own unit only).
    pub applies_to: String,
    pub rows: Vec<RoleRow>,
    pub warnings: Vec<String>,
    pub history: Vec<HistoryRow>,
}

/// The roles of the policy in force at a unit, their current holders, the holder-bound
/// warnings (at each unit the policy governs: bounds are per governed unit), what the policy
/// leaves unanswered there (a report to a parent the unit does not have), and past holders.
pub async fn roles(
    store: &Store,
    unit: &Unit,
    today: NaiveDate,
    lang: Lang,
) -> Result<Roles, Error> {
    let t = Tr(lang);
    let mut r = store.reader().await?;
    let installed = r.policy_in_force(unit.id).await?;
    let all = r.assignments_at(unit.id).await?;
    let installed_at = match &installed {
        Some(p) if p.unit_id != unit.id => r.unit(p.unit_id).await?.map(|u| u.name),
        _ => None,
    };
    drop(r);
    let governs = installed
        .as_ref()
        .is_some_and(|p| p.governs(unit.id, &unit.kind));
    let active = |a: &AssignmentView| a.starts_on <= today && a.ends_on.is_none_or(|e| today < e);
    let mut rows = Vec::new();
    let mut warnings = Vec::new();
    let mut policy_parsed = None;
    if let Some(p) = &installed {
        let policy = parse_installed(p)?;
        for role in &policy.roles {
            let holders: Vec<AssignmentView> = all
                .iter()
                .filter(|a| a.role_id == role.id.as_str() && active(a))
                .cloned()
                .collect();
            if governs {
                let n = holders.len() as u32;
                if n == 0 && role.holders.min >= 1 {
                    warnings.push(format!("{}{}", t.s("warn.unassigned"), role.title));
                } else if n < role.holders.min {
                    warnings.push(format!(
                        "{}{}（{n}/{}）",
                        role.title,
                        t.s("warn.too_few"),
                        role.holders.min
                    ));
                } else if let Some(max) = role.holders.max.filter(|m| n > *m) {
                    warnings.push(format!("{}{}（{n}/{max}）", role.title, t.s("warn.over")));
                }
            }
            rows.push(RoleRow {
                id: role.id.to_string(),
                title: role.title.clone(),
                held_by: role.held_by.clone(),
                holders,
            });
        }
        if governs && unit.parent_id.is_none() {
            warnings.extend(without_parent(&policy, &p.text, unit, lang));
        }
        policy_parsed = Some(policy);
    }
    let history = all
        .iter()
        .filter(|a| !active(a))
        .map(|a| HistoryRow {
            role_title: role_title(policy_parsed.as_ref(), &a.role_id),
            a: a.clone(),
        })
        .collect();
    Ok(Roles {
        applies_to: applies_to_zh(installed.as_ref()),
        policy: installed,
        governs,
        installed_at,
        rows,
        warnings,
        history,
    })
}

/// A role's title in a policy, or its id when the policy does not (or no longer) define it.
pub fn role_title(policy: Option<&Policy>, role_id: &str) -> String {
    policy
        .and_then(|p| p.roles.iter().find(|r| r.id.as_str() == role_id))
        .map(|r| r.title.clone())
        .unwrap_or_else(|| role_id.to_string())
}

/// Assignments with their role titles from the policy in force at each assignment's unit.
pub async fn with_titles(
    store: &Store,
    list: Vec<AssignmentView>,
) -> Result<Vec<HistoryRow>, Error> {
    let mut policies: std::collections::HashMap<i64, Option<Policy>> =
        std::collections::HashMap::new();
    let mut out = Vec::new();
    for a in list {
        if let std::collections::hash_map::Entry::Vacant(slot) = policies.entry(a.unit_id) {
            let p = store.reader().await?.policy_in_force(a.unit_id).await?;
            slot.insert(p.as_ref().map(parse_installed).transpose()?);
        }
        let title = role_title(policies[&a.unit_id].as_ref(), &a.role_id);
        out.push(HistoryRow {
            a,
            role_title: title,
        });
    }
    Ok(out)
}

/// A person from a form or a JSON body, checked with the same rules as a roster row.
pub fn check_person(
    unit: &Unit,
    fields: [Option<String>; 7],
    taken: &[String],
    lang: Lang,
) -> Result<NewPerson, Error> {
    use super::roster::Cell;
    let header: Vec<Cell> = super::roster::COLUMNS
        .iter()
        .take(7)
        .map(|(zh, ..)| Cell::Text(zh.to_string()))
        .collect();
    let row: Vec<Cell> = fields
        .into_iter()
        .map(|f| {
            f.filter(|s| !s.trim().is_empty())
                .map(Cell::Text)
                .unwrap_or(Cell::Empty)
        })
        .collect();
    match super::roster::check(&[header, row], std::slice::from_ref(unit), taken, lang) {
        Ok(mut people) if people.len() == 1 => Ok(people.remove(0)),
        Ok(_) => Err(Error::Invalid(Tr(lang).s("import.empty").into())),
        Err(problems) => Err(Error::Fields(crate::shared::error::Problems(
            problems
                .into_iter()
                .map(|p| (p.column.to_string(), p.reason))
                .collect(),
        ))),
    }
}

/// Check and store an assignment: the role must be one of the policy in force, and the
/// person must belong to the subtree of the unit where that policy is installed.
pub async fn assign(
    store: &Store,
    viewer_actor: &Actor,
    unit: &Unit,
    person_id: i64,
    role_id: &str,
    starts_on: NaiveDate,
    lang: Lang,
) -> Result<Assignment, Error> {
    let t = Tr(lang);
    let mut r = store.reader().await?;
    let mut problems = Problems::new();
    let installed = r.policy_in_force(unit.id).await?;
    let policy = installed.as_ref().map(parse_installed).transpose()?;
    if !policy
        .as_ref()
        .is_some_and(|p| p.roles.iter().any(|x| x.id.as_str() == role_id))
    {
        problems.add("role_id", t.s("assign.bad_role"));
    }
    match r.person(person_id).await? {
        None => problems.add("person_id", t.s("assign.pick_person")),
        Some(person) => {
            let base = r
                .subtree(installed.as_ref().map(|i| i.unit_id).unwrap_or(unit.id))
                .await?;
            if !base.iter().any(|u| u.id == person.unit_id) {
                problems.add("person_id", t.s("assign.person_outside"));
            }
        }
    }
    drop(r);
    problems.check()?;
    let mut w = store.write(viewer_actor).await?;
    let a = w.assign(person_id, unit.id, role_id, starts_on).await?;
    w.commit().await?;
    Ok(a)
}

/// People who may be assigned roles at a unit: those of the subtree where its policy is
/// installed (a school's secretary can chair its branch's group), else of the unit's own.
pub async fn candidates(store: &Store, unit: &Unit) -> Result<Vec<Person>, Error> {
    let mut r = store.reader().await?;
    let base = r
        .policy_in_force(unit.id)
        .await?
        .map(|p| p.unit_id)
        .unwrap_or(unit.id);
    Ok(r.people_in_subtree(base).await?)
}

/// The kinds of unit an installation applies to, in Chinese: "学校、党支部"; empty when it
/// applies to its own unit only.
pub fn applies_to_zh(p: Option<&InstalledPolicy>) -> String {
    p.map(|p| {
        p.kinds()
            .iter()
            .map(|k| k.zh().to_string())
            .collect::<Vec<_>>()
            .join("、")
    })
    .unwrap_or_default()
}

/// What a policy governing a top unit (one without a parent) leaves unanswered: each duty of
/// that unit reported to the parent unit, located in the policy text.
pub fn without_parent(policy: &Policy, text: &str, unit: &Unit, lang: Lang) -> Vec<String> {
    policy
        .duties
        .iter()
        .filter(|d| d.report_to_parent && d.at == zeren_policy::At::SelfUnit)
        .map(|d| {
            let key = format!("duties.{}.report_to", d.id);
            let at = zeren_policy::locate(text, &key)
                .map(|(l, c)| format!("{}.toml:{l}:{c}: ", policy.meta.id))
                .unwrap_or_default();
            match lang {
                Lang::Zh => format!(
                    "{at}{key}：“{}”须报上级单位，但{}没有上级单位，记录不会送达任何单位。请在上级单位之下使用本办法，或在本单位留档。",
                    d.title, unit.name
                ),
                Lang::En => format!(
                    "{at}{key}: \"{}\" is reported to the parent unit, but {} has none, so its records reach no one. Use the policy below a parent unit, or keep them on file here.",
                    d.title, unit.name
                ),
            }
        })
        .collect()
}
