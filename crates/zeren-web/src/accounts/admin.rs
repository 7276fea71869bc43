//! The security administrator's page (安全管理员): accounts linked to people (chosen from a
//! search by name, 工号 or unit, never by an id), accounts created in one step for the role holders
//! who have none, grants at units, lockouts, password resets, enabling and disabling. A refused
//! form comes back with what was entered and the reasons beside its fields.

use std::collections::{BTreeMap, HashMap};

use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use zeren_core::{names, separation};
use zeren_store::auth::AuthRead;
use zeren_store::directory::{DirectoryRead, PersonHit};
use zeren_store::*;
// Named, so that the store's Error and Result do not shadow the web layer's.
use crate::shared::error::{Error, Problems, Result};

use super::views::*;
use crate::shared::auth;
use crate::shared::clock::today;
use crate::shared::extract::field;
use crate::shared::i18n::name_rule;
use crate::shared::policies::parse_installed;
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;

/// People offered by one search.
const SEARCH_LIMIT: i64 = 20;

async fn page_model(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    refused: Refused,
    created: Vec<CreatedAccount>,
) -> Result<AccountsPage> {
    let mut r = state.store.reader().await?;
    let at = now();
    let mut rows = Vec::new();
    for a in r.accounts().await? {
        let person = match a.person_id {
            Some(p) => r.person_hit(p).await?,
            None => None,
        };
        let mut grants = Vec::new();
        for g in r.grants_of(a.id).await? {
            let unit_name = r.unit(g.unit_id).await?.map(|u| u.name).unwrap_or_default();
            grants.push(GrantView {
                id: g.id,
                unit_name,
                level_key: level_key(&g.level),
            });
        }
        rows.push(AccountRow {
            locked: r.login_locked_until(&a.username, at).await?.is_some(),
            duty_key: duty_key(a.duty()),
            can_hold_grants: matches!(a.duty(), AdminDuty::None | AdminDuty::System),
            restrained: a.duty() != AdminDuty::None,
            person,
            grants,
            account: a,
        });
    }
    let mut units = Vec::new();
    for root in r.root_units().await? {
        units.extend(r.subtree(root.id).await?);
    }
    // The person chosen in a refused form, shown chosen again.
    let picked = match refused.value(&refused.form, "person_id").parse::<i64>() {
        Ok(id) => r.person_hit(id).await?,
        Err(_) => None,
    };
    let taken: Vec<String> = rows.iter().map(|x| x.account.username.clone()).collect();
    let locked_sources = zeren_store::auth::AuthRead::locked_sources(&mut r, at)
        .await?
        .into_iter()
        .map(|l| (l.source, crate::shared::clock::local(&l.locked_until)))
        .collect();
    drop(r);
    let holders = holders(state, &taken).await?;
    Ok(AccountsPage {
        chrome: Chrome::new(lang, Some(v)),
        accounts: rows,
        units,
        holders,
        refused,
        picked,
        created,
        locked_sources,
    })
}

/// The people who hold a role today and have no account, each with the roles they hold and a
/// proposed user name.
async fn holders(state: &AppState, taken: &[String]) -> Result<Vec<HolderRow>> {
    let mut r = state.store.reader().await?;
    let held = r.holders_without_account(today()).await?;
    // Role titles from the policy in force at each unit.
    let mut titles: HashMap<i64, Option<zeren_policy::Policy>> = HashMap::new();
    let mut by_person: BTreeMap<(String, i64), HolderRow> = BTreeMap::new();
    let mut proposed: Vec<String> = taken.to_vec();
    for h in held {
        if let std::collections::hash_map::Entry::Vacant(slot) = titles.entry(h.unit_id) {
            let p = r.policy_in_force(h.unit_id).await?;
            slot.insert(p.as_ref().map(parse_installed).transpose()?);
        }
        let title = titles[&h.unit_id]
            .as_ref()
            .and_then(|p| p.roles.iter().find(|x| x.id.as_str() == h.role_id))
            .map(|x| x.title.clone())
            .unwrap_or_else(|| h.role_id.clone());
        let row = by_person
            .entry((h.person_name.clone(), h.person_id))
            .or_insert_with(|| {
                let name = names::proposed_username(h.employee_no.as_deref(), h.person_id, |c| {
                    proposed.iter().any(|t| t == c)
                });
                proposed.push(name.clone());
                HolderRow {
                    person_id: h.person_id,
                    name: h.person_name.clone(),
                    employee_no: h.employee_no.clone(),
                    unit: h.person_unit.clone(),
                    roles: Vec::new(),
                    proposed: name,
                }
            });
        let role = format!("{}（{}）", title, h.unit_name);
        if !row.roles.contains(&role) {
            row.roles.push(role);
        }
    }
    Ok(by_person.into_values().collect())
}

async fn show(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    refused: Refused,
    created: Vec<CreatedAccount>,
) -> Result<Response> {
    let status = if refused.problems.is_empty() {
        axum::http::StatusCode::OK
    } else {
        refused.status
    };
    let page = page_model(state, v, lang, refused, created).await?;
    Ok((status, render(&page)?).into_response())
}

pub async fn page(State(state): State<AppState>, v: Viewer, lang: Lang) -> Result<Response> {
    v.require_duty(AdminDuty::Security)?;
    show(&state, &v, lang, Refused::default(), vec![]).await
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// People found by name, 工号 or unit, as choices for linking an account (an htmx fragment).
pub async fn search_people(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Query(q): Query<SearchQuery>,
) -> Result<Html<String>> {
    v.require_duty(AdminDuty::Security)?;
    let hits = if q.q.trim().is_empty() {
        Vec::new()
    } else {
        state
            .store
            .reader()
            .await?
            .search_people(&q.q, SEARCH_LIMIT + 1)
            .await?
    };
    render(&PeopleChoices {
        chrome: Chrome::new(lang, Some(&v)),
        more: hits.len() as i64 > SEARCH_LIMIT,
        hits: hits.into_iter().take(SEARCH_LIMIT as usize).collect(),
        searched: !q.q.trim().is_empty(),
    })
}

/// The person a form chose (by the value of its choice), checked to exist and to have no other
/// account.
async fn chosen_person(
    state: &AppState,
    raw: &str,
    account: Option<i64>,
    lang: Lang,
    problems: &mut Problems,
) -> Result<Option<PersonHit>> {
    let t = Tr(lang);
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let mut r = state.store.reader().await?;
    let Some(p) = (match raw.parse::<i64>() {
        Ok(id) => r.person_hit(id).await?,
        Err(_) => None,
    }) else {
        problems.add("person_id", t.s("accounts.no_such_person"));
        return Ok(None);
    };
    if let Some(other) = r.account_of_person(p.id).await? {
        if Some(other) != account {
            problems.add(
                "person_id",
                t.f("accounts.person_has_account", &[("name", &p.name)]),
            );
        }
    }
    Ok(Some(p))
}

pub async fn create_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    v.require_duty(AdminDuty::Security)?;
    let t = Tr(lang);
    let mut problems = Problems::new();
    let username = match names::username(&field(&f, "username")) {
        Ok(u) => u,
        Err(r) => {
            problems.add("username", t.s(name_rule(r)));
            String::new()
        }
    };
    let password = field(&f, "password");
    if let Err(e) = auth::check_password(&username, &password, lang) {
        problems.add("password", e.message(lang));
    }
    let person = chosen_person(&state, &field(&f, "person_id"), None, lang, &mut problems).await?;
    if problems.is_empty() {
        let hash = auth::hash_password(&password)?;
        let mut w = state.store.write(&v.actor()).await?;
        match w
            .create_account(&username, person.map(|p| p.id), &hash, AdminDuty::None)
            .await
        {
            Ok(_) => {
                w.commit().await?;
                return Ok(see_other("/accounts"));
            }
            Err(zeren_store::Error::Conflict(_)) => {
                let mut r = Refused::new(
                    "create",
                    &f,
                    Problems::one("username", t.s("accounts.taken")),
                );
                r.status = axum::http::StatusCode::CONFLICT;
                return show(&state, &v, lang, r, vec![]).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    show(
        &state,
        &v,
        lang,
        Refused::new("create", &f, problems),
        vec![],
    )
    .await
}

/// Links an account to the person chosen (or unlinks it when none is).
pub async fn link_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let a = load(&state, &v, id).await?;
    let mut problems = Problems::new();
    let person = chosen_person(
        &state,
        &field(&f, "person_id"),
        Some(a.id),
        lang,
        &mut problems,
    )
    .await?;
    if person.is_none() && problems.is_empty() && field(&f, "unlink").is_empty() {
        problems.add("person_id", Tr(lang).s("accounts.pick_person"));
    }
    if !problems.is_empty() {
        let form = format!("link-{id}");
        return show(&state, &v, lang, Refused::new(&form, &f, problems), vec![]).await;
    }
    let mut w = state.store.write(&v.actor()).await?;
    w.link_account(a.id, person.map(|p| p.id)).await?;
    w.commit().await?;
    Ok(see_other("/accounts"))
}

/// Accounts for role holders in one step: each chosen person gets an account linked to them,
/// with the user name shown (editable) and a password generated and shown once, or the one
/// typed; either must be changed at the first login. All are created, or none.
pub async fn holders_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    v.require_duty(AdminDuty::Security)?;
    let t = Tr(lang);
    let mut problems = Problems::new();
    let chosen: Vec<i64> = f
        .iter()
        .filter(|(k, _)| k == "person")
        .filter_map(|(_, x)| x.parse().ok())
        .collect();
    if chosen.is_empty() {
        problems.add("person", t.s("accounts.pick_holders"));
    }
    let generate = field(&f, "mode") != "typed";
    let typed = field(&f, "password");
    let mut r = state.store.reader().await?;
    let mut planned: Vec<(PersonHit, String, String)> = Vec::new();
    for pid in &chosen {
        let Some(p) = r.person_hit(*pid).await? else {
            problems.add("person", t.s("accounts.no_such_person"));
            continue;
        };
        let key = format!("username_{pid}");
        if r.account_of_person(p.id).await?.is_some() {
            problems.add(
                &key,
                t.f("accounts.person_has_account", &[("name", &p.name)]),
            );
            continue;
        }
        let username = match names::username(&field(&f, &key)) {
            Ok(u) => u,
            Err(rule) => {
                problems.add(&key, t.s(name_rule(rule)));
                continue;
            }
        };
        if r.account_by_username(&username).await?.is_some()
            || planned.iter().any(|(_, u, _)| *u == username)
        {
            problems.add(&key, t.s("accounts.taken"));
            continue;
        }
        let password = if generate {
            generated_password(&username)
        } else {
            if let Err(e) = auth::check_password(&username, &typed, lang) {
                problems.add("password", e.message(lang));
            }
            typed.clone()
        };
        planned.push((p, username, password));
    }
    drop(r);
    if !problems.is_empty() {
        return show(
            &state,
            &v,
            lang,
            Refused::new("holders", &f, problems),
            vec![],
        )
        .await;
    }
    let mut hashed = Vec::new();
    for (p, u, pw) in &planned {
        hashed.push((p.id, u.clone(), auth::hash_password(pw)?));
    }
    let mut w = state.store.write(&v.actor()).await?;
    for (pid, u, hash) in &hashed {
        w.create_person_account(u, *pid, hash, true)
            .await
            .map_err(|e| match e {
                zeren_store::Error::Conflict(_) => Error::Conflict(t.s("accounts.taken").into()),
                e => e.into(),
            })?;
    }
    w.commit().await?;
    let created = planned
        .into_iter()
        .map(|(p, username, password)| CreatedAccount {
            name: p.name,
            unit: p.unit_name,
            username,
            password: generate.then_some(password),
        })
        .collect();
    show(&state, &v, lang, Refused::default(), created).await
}

/// A password that meets the policy: 14 characters from four classes, without the letters and
/// digits people misread (0 O 1 l I).
fn generated_password(username: &str) -> String {
    const UPPER: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    const SYMBOL: &[u8] = b"-_!@#%+=";
    loop {
        let bytes = auth::random_token();
        let raw: Vec<u8> = bytes
            .as_bytes()
            .chunks(2)
            .map(|c| u8::from_str_radix(std::str::from_utf8(c).unwrap_or("00"), 16).unwrap_or(0))
            .collect();
        let sets = [UPPER, LOWER, DIGIT, SYMBOL];
        let pw: String = raw
            .iter()
            .take(14)
            .enumerate()
            .map(|(i, b)| {
                // The first four positions cover every class; the rest mix letters and digits.
                let set = if i < 4 {
                    sets[i]
                } else {
                    sets[(*b as usize >> 6) % 3]
                };
                set[*b as usize % set.len()] as char
            })
            .collect();
        if auth::check_password(username, &pw, Lang::Zh).is_ok() {
            return pw;
        }
    }
}

/// An account the viewer may manage: the security administrator's only.
async fn load(state: &AppState, v: &Viewer, id: i64) -> Result<Account> {
    v.require_duty(AdminDuty::Security)?;
    state
        .store
        .reader()
        .await?
        .account(id)
        .await?
        .ok_or(Error::NotFound)
}

fn duty_of(a: &Account) -> separation::Duty {
    match a.duty() {
        AdminDuty::None => separation::Duty::User,
        AdminDuty::System => separation::Duty::System,
        AdminDuty::Security => separation::Duty::Security,
        AdminDuty::Audit => separation::Duty::Audit,
    }
}

/// A refusal of 三员分立 in words: what is not allowed, and where it is done instead.
fn restrained_words(r: separation::Refusal, a: &Account, lang: Lang) -> String {
    let t = Tr(lang);
    match r {
        separation::Refusal::Administrator => t.f("accounts.restrained", &[("name", &a.username)]),
        separation::Refusal::TopUnitAdminister => t.s("accounts.no_top_administer").into(),
    }
}

fn restrained(r: separation::Refusal, a: &Account, lang: Lang) -> Error {
    Error::Denied(restrained_words(r, a, lang))
}

/// [`load`], and the act allowed on that account (no administrator changes another's).
async fn load_for(
    state: &AppState,
    v: &Viewer,
    id: i64,
    act: separation::Act,
    lang: Lang,
) -> Result<Account> {
    let a = load(state, v, id).await?;
    separation::may_act_on(duty_of(&a), act).map_err(|r| restrained(r, &a, lang))?;
    Ok(a)
}

pub async fn unlock_form(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    let a = load(&state, &v, id).await?;
    let mut w = state.store.write(&v.actor()).await?;
    w.clear_login_failures(&a.username).await?;
    w.commit().await?;
    Ok(see_other("/accounts"))
}

#[derive(Deserialize)]
pub struct SourceForm {
    #[serde(default)]
    source: String,
}

/// The security administrator lifts the lock of a source address (every name from it was
/// refused): its attempts count from nothing again.
pub async fn unlock_source_form(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<SourceForm>,
) -> Result<Response> {
    v.require_duty(AdminDuty::Security)?;
    let mut w = state.store.write(&v.actor()).await?;
    if !w.clear_source_lock(f.source.trim()).await? {
        return Err(Error::NotFound);
    }
    w.commit().await?;
    Ok(see_other("/accounts#locked-sources"))
}

pub async fn reset_password_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let a = load_for(&state, &v, id, separation::Act::ResetPassword, lang).await?;
    let password = field(&f, "password");
    if let Err(e) = auth::check_password(&a.username, &password, lang) {
        let form = format!("reset-{id}");
        let refused = Refused::new(&form, &[], Problems::one("password", e.message(lang)));
        return show(&state, &v, lang, refused, vec![]).await;
    }
    let hash = auth::hash_password(&password)?;
    let mut w = state.store.write(&v.actor()).await?;
    // A password an administrator set is changed by its owner before anything else.
    w.reset_password(id, &hash).await?;
    w.commit().await?;
    Ok(see_other("/accounts"))
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: bool,
}

pub async fn set_active_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<ActiveForm>,
) -> Result<Response> {
    let act = if f.active {
        separation::Act::Enable
    } else {
        separation::Act::Disable
    };
    load_for(&state, &v, id, act, lang).await?;
    if id == v.account.id {
        return Err(Error::Forbidden);
    }
    let mut w = state.store.write(&v.actor()).await?;
    w.set_account_active(id, f.active).await?;
    w.commit().await?;
    Ok(see_other("/accounts"))
}

pub async fn set_grant_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let a = load_for(&state, &v, id, separation::Act::ChangeGrants, lang).await?;
    let t = Tr(lang);
    let mut problems = Problems::new();
    let unit = match field(&f, "unit_id").parse::<i64>() {
        Ok(u) => state.store.reader().await?.unit(u).await?,
        Err(_) => None,
    };
    if unit.is_none() {
        problems.add("unit_id", t.s("accounts.pick_unit"));
    }
    let level = Level::parse(&field(&f, "level"));
    if level.is_none() {
        problems.add("level", t.s("accounts.pick_level"));
    }
    // No more than an account may hold: administering a top unit is the system administrator's.
    if let (Some(u), Some(l)) = (&unit, level) {
        if let Err(r) =
            separation::may_grant(duty_of(&a), l == Level::Administer, u.parent_id.is_none())
        {
            problems.add("level", restrained_words(r, &a, lang));
        }
    }
    let (Some(unit), Some(level), true) = (unit, level, problems.is_empty()) else {
        let form = format!("grant-{id}");
        return show(&state, &v, lang, Refused::new(&form, &f, problems), vec![]).await;
    };

    let mut w = state.store.write(&v.actor()).await?;
    w.set_grant(id, unit.id, level).await?;
    w.commit().await?;
    Ok(see_other("/accounts"))
}

pub async fn remove_grant_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Response> {
    v.require_duty(AdminDuty::Security)?;
    let grant = state
        .store
        .reader()
        .await?
        .grant(id)
        .await?
        .ok_or(Error::NotFound)?;
    load_for(
        &state,
        &v,
        grant.account_id,
        separation::Act::ChangeGrants,
        lang,
    )
    .await?;
    let mut w = state.store.write(&v.actor()).await?;
    w.remove_grant(id).await?;
    w.commit().await?;
    Ok(see_other("/accounts"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_passwords_meet_the_policy() {
        for _ in 0..200 {
            let pw = super::generated_password("wangli");
            assert_eq!(pw.chars().count(), 14);
            assert!(crate::shared::auth::check_password(
                "wangli",
                &pw,
                crate::shared::i18n::Lang::Zh
            )
            .is_ok());
            assert!(!pw.contains(['0', 'O', '1', 'l', 'I']), "{pw}");
        }
    }
}
