//! The HTML pages. Each handler parses its input, checks access through [`crate::access`],
//! calls the store (or [`crate::org`]) and renders a template; after a change it redirects
//! (or, for htmx requests, returns the updated fragment).

use std::collections::HashMap;

use axum::extract::{Multipart, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use zeren_store::*;

use crate::access;
use crate::auth::{self, MaybeViewer, Viewer};
use crate::error::{Error, Result};
use crate::extract::{Form, Path, Query};
use crate::i18n::{Lang, Tr};
use crate::org;
use crate::packs;
use crate::roster;
use crate::view::*;
use crate::AppState;

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

pub async fn home(State(state): State<AppState>, MaybeViewer(v): MaybeViewer) -> Result<Response> {
    let Some(v) = v else {
        return Ok(see_other("/login"));
    };
    Ok(match v.duty() {
        AdminDuty::Security => see_other("/accounts"),
        AdminDuty::Audit => see_other("/audit"),
        AdminDuty::System => match access::roots(&state.store, &v).await?.as_slice() {
            [one] => see_other(&format!("/units/{}", one.id)),
            _ => see_other("/units"),
        },
        // Everyone else starts from what is due (我的工作).
        AdminDuty::None => see_other("/work"),
    })
}

pub async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database answers.
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

pub async fn set_lang(Path(lang): Path<String>, headers: HeaderMap) -> Response {
    let value = if lang == "en" { "en" } else { "zh" };
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| {
            let host = headers.get(header::HOST)?.to_str().ok()?;
            let rest = r.split_once("://")?.1;
            let (h, path) = rest.split_once('/').unwrap_or((rest, ""));
            (h == host).then(|| format!("/{path}"))
        })
        .unwrap_or_else(|| "/".into());
    let cookie = format!("zeren_lang={value}; Path=/; Max-Age=31536000; SameSite=Lax");
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}

pub async fn not_found() -> Error {
    Error::NotFound
}

// ---------------------------------------------------------------- setup

/// Multipart fields by name; files keep their name.
struct Fields(HashMap<String, (Option<String>, Vec<u8>)>);

impl Fields {
    async fn read(mut m: Multipart) -> Result<Fields> {
        let mut map = HashMap::new();
        while let Some(f) = m
            .next_field()
            .await
            .map_err(|e| Error::Invalid(e.to_string()))?
        {
            let name = f.name().unwrap_or("").to_string();
            let file = f.file_name().map(str::to_string);
            let bytes = f.bytes().await.map_err(|e| Error::Invalid(e.to_string()))?;
            map.insert(name, (file, bytes.to_vec()));
        }
        Ok(Fields(map))
    }

    fn text(&self, k: &str) -> String {
        self.0
            .get(k)
            .map(|(_, b)| String::from_utf8_lossy(b).trim().to_string())
            .unwrap_or_default()
    }

    fn file(&self, k: &str) -> Option<(String, &[u8])> {
        self.0
            .get(k)
            .filter(|(_, b)| !b.is_empty())
            .map(|(n, b)| (n.clone().unwrap_or_else(|| "upload".into()), b.as_slice()))
    }
}

pub async fn setup_form(State(state): State<AppState>, lang: Lang) -> Result<Response> {
    if state.setup_done().await? {
        return Ok(see_other("/login"));
    }
    let form = SetupForm {
        pack: "district-school".into(),
        system_username: "sysadmin".into(),
        security_username: "secadmin".into(),
        audit_username: "auditadmin".into(),
        ..SetupForm::default()
    };
    let page = SetupPage {
        chrome: Chrome::new(lang, None),
        packs: packs::listing(),
        form,
        errors: vec![],
    };
    Ok(render(&page)?.into_response())
}

fn valid_username(u: &str) -> bool {
    (3..=32).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// The policy chosen in a form: a bundled pack by id, or an uploaded file.
fn chosen_policy(f: &Fields, lang: Lang) -> std::result::Result<(String, String), Vec<String>> {
    let t = Tr(lang);
    let pack = f.text("pack");
    if pack == "upload" {
        let (name, bytes) = f
            .file("policy_file")
            .ok_or_else(|| vec![t.s("policy.pick").to_string()])?;
        let text =
            String::from_utf8(bytes.to_vec()).map_err(|_| vec![format!("{name}: UTF-8?")])?;
        // Kept with LF line ends: the confirm form sends the text back through a textarea,
        // which browsers submit with CRLF, and the hash must match across the round trip.
        Ok((name, text.replace("\r\n", "\n")))
    } else {
        let p = packs::find(&pack).ok_or_else(|| vec![t.s("policy.pick").to_string()])?;
        Ok((format!("{}.toml", p.id), p.text.to_string()))
    }
}

pub async fn setup(
    State(state): State<AppState>,
    lang: Lang,
    multipart: Multipart,
) -> Result<Response> {
    if state.setup_done().await? {
        return Ok(see_other("/login"));
    }
    let t = Tr(lang);
    let f = Fields::read(multipart).await?;
    let form = SetupForm {
        pack: f.text("pack"),
        unit_name: f.text("unit_name"),
        unit_kind: f.text("unit_kind"),
        system_username: f.text("system_username"),
        security_username: f.text("security_username"),
        audit_username: f.text("audit_username"),
    };
    let mut errors = Vec::new();
    let policy = match chosen_policy(&f, lang) {
        Ok((name, text)) => match org::parse_policy(&name, &text, lang) {
            Ok(p) => Some((p, text)),
            Err(d) => {
                errors.extend(d);
                None
            }
        },
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    if form.unit_name.is_empty() || form.unit_name.chars().count() > 100 {
        errors.push(format!("{}？", t.s("field.unit_name")));
    }
    if form.unit_kind.is_empty() || form.unit_kind.chars().count() > 20 {
        errors.push(format!("{}？", t.s("field.unit_kind")));
    }
    let admins = [
        (
            &form.system_username,
            f.text("system_password"),
            AdminDuty::System,
        ),
        (
            &form.security_username,
            f.text("security_password"),
            AdminDuty::Security,
        ),
        (
            &form.audit_username,
            f.text("audit_password"),
            AdminDuty::Audit,
        ),
    ];
    for (u, p, _) in &admins {
        if !valid_username(u) {
            errors.push(format!("{}：{u}？", t.s("field.username")));
        } else if let Err(e) = auth::check_password(u, p, lang) {
            errors.push(format!("{u}：{}", e.message(lang)));
        }
    }
    if form.system_username == form.security_username
        || form.system_username == form.audit_username
        || form.security_username == form.audit_username
    {
        errors.push(t.s("setup.distinct").into());
    }
    let Some((policy, text)) = policy.filter(|_| errors.is_empty()) else {
        let page = SetupPage {
            chrome: Chrome::new(lang, None),
            packs: packs::listing(),
            form,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    };
    let mut hashes = Vec::new();
    for (u, p, d) in &admins {
        hashes.push(((*u).clone(), auth::hash_password(p)?, *d));
    }
    let mut w = state.store.write(&Actor::system()).await?;
    // Claimed first: a second setup racing this one (another tab, another instance) fails.
    w.claim_setting(crate::SETUP_DONE, &now().to_rfc3339())
        .await
        .map_err(|e| match e {
            zeren_store::Error::Conflict(_) => Error::Setup(true),
            e => e.into(),
        })?;
    let unit = w
        .create_unit(None, &form.unit_name, &form.unit_kind)
        .await?;
    org::install(&mut w, unit.id, &policy, &text, org::today()).await?;
    state.obligations_changed();
    for (u, h, d) in &hashes {
        let a = w.create_account(u, None, h, *d).await?;
        if *d == AdminDuty::System {
            w.set_grant(a.id, unit.id, Level::Administer).await?;
        }
    }
    w.commit().await?;
    tracing::info!(unit = %form.unit_name, policy = %policy.meta.id, "setup done");
    Ok(see_other("/login"))
}

// ---------------------------------------------------------------- login

pub async fn login_form(MaybeViewer(v): MaybeViewer, lang: Lang) -> Result<Response> {
    if v.is_some() {
        return Ok(see_other("/"));
    }
    Ok(render(&LoginPage {
        chrome: Chrome::new(lang, None),
        error: None,
        username: String::new(),
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    lang: Lang,
    Form(f): Form<LoginForm>,
) -> Result<Response> {
    let t = Tr(lang);
    let username = f.username.trim().to_string();
    let mut r = state.store.reader().await?;
    let since = now() - state.config.lockout_window();
    // Locked accounts are refused before the password is even checked.
    if r.login_failures_since(&username, since).await? >= state.config.lockout_failures {
        return Err(Error::Locked);
    }
    let account = r.account_by_username(&username).await?;
    drop(r);
    let ok = match &account {
        Some(a) => auth::verify_password(&a.password_hash, &f.password) && a.active,
        None => {
            auth::verify_password(auth::dummy_hash(), &f.password);
            false
        }
    };
    let Some(account) = account.filter(|_| ok) else {
        let anonymous = Actor {
            account_id: None,
            name: "anonymous".into(),
        };
        let mut w = state.store.write(&anonymous).await?;
        w.record_login_failure(&username).await?;
        w.commit().await?;
        let page = LoginPage {
            chrome: Chrome::new(lang, None),
            error: Some(t.s("login.bad").into()),
            username,
        };
        return Ok((StatusCode::UNAUTHORIZED, render(&page)?).into_response());
    };
    let token = auth::random_token();
    let mut w = state
        .store
        .write(&Actor::account(account.id, &account.username))
        .await?;
    w.clear_login_failures(&username).await?;
    w.create_session(&auth::sha256_hex(&token), account.id, &auth::random_token())
        .await?;
    w.commit().await?;
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax{secure}",
        auth::SESSION_COOKIE
    );
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
}

pub async fn logout(State(state): State<AppState>, v: Viewer) -> Result<Response> {
    if let Some(s) = &v.session {
        let mut w = state.store.write(&v.actor()).await?;
        w.delete_session(s, v.account.id).await?;
        w.commit().await?;
    }
    let cookie = format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
        auth::SESSION_COOKIE
    );
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response())
}

// ---------------------------------------------------------------- units

pub async fn units(State(state): State<AppState>, v: Viewer, lang: Lang) -> Result<Html<String>> {
    let roots = access::roots(&state.store, &v).await?;
    let mut nodes = Vec::new();
    let mut r = state.store.reader().await?;
    for root in &roots {
        let sub = r.subtree(root.id).await?;
        walk(&sub, root, 0, &mut nodes);
    }
    render(&UnitsPage {
        chrome: Chrome::new(lang, Some(&v)),
        roots,
        nodes,
    })
}

/// Depth-first order for the tree view.
fn walk(all: &[Unit], at: &Unit, depth: usize, out: &mut Vec<TreeNode>) {
    out.push(TreeNode {
        unit: at.clone(),
        depth: depth.min(10),
    });
    let mut kids: Vec<&Unit> = all.iter().filter(|u| u.parent_id == Some(at.id)).collect();
    kids.sort_by(|a, b| a.name.cmp(&b.name));
    for k in kids {
        walk(all, k, depth + 1, out);
    }
}

async fn roles_part(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    unit: Unit,
    can_edit: bool,
    error: Option<String>,
) -> Result<RolesPart> {
    let today = org::today();
    let roles = org::roles(&state.store, &unit, today, lang).await?;
    let candidates = if can_edit {
        org::candidates(&state.store, &unit).await?
    } else {
        vec![]
    };
    Ok(RolesPart {
        chrome: Chrome::new(lang, Some(v)),
        unit,
        policy: roles.policy,
        roles: roles.rows,
        warnings: roles.warnings,
        history: roles.history,
        candidates,
        can_edit,
        today,
        error,
    })
}

pub async fn unit(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    let (unit, level) = access::require(&state.store, &v, id, Level::Read).await?;
    let can_edit = level >= Level::Edit;
    let part = roles_part(&state, &v, lang, unit, can_edit, None).await?;
    let mut r = state.store.reader().await?;
    let mut bodies = Vec::new();
    for b in r.bodies_at(id).await? {
        let members = r
            .body_members(b.id)
            .await?
            .into_iter()
            .map(|m| MemberView {
                person_name: m.person_name,
                position: m.position,
            })
            .collect();
        bodies.push(BodyView { body: b, members });
    }
    render(&UnitPage {
        path: r.path(id).await?,
        children: r.children(id).await?,
        people: r.people_in_unit(id).await?,
        chrome: part.chrome,
        unit: part.unit,
        policy: part.policy,
        roles: part.roles,
        warnings: part.warnings,
        history: part.history,
        candidates: part.candidates,
        bodies,
        can_edit,
        can_administer: level >= Level::Administer,
        today: part.today,
        error: None,
    })
}

#[derive(Deserialize)]
pub struct UnitForm {
    name: String,
    kind: String,
}

fn check_unit_form(f: &UnitForm, lang: Lang) -> Result<(String, String)> {
    let t = Tr(lang);
    let (name, kind) = (f.name.trim().to_string(), f.kind.trim().to_string());
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::Invalid(format!("{}？", t.s("field.unit_name"))));
    }
    if kind.is_empty() || kind.chars().count() > 20 {
        return Err(Error::Invalid(format!("{}？", t.s("field.unit_kind"))));
    }
    Ok((name, kind))
}

pub async fn create_child(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<UnitForm>,
) -> Result<Response> {
    access::require(&state.store, &v, id, Level::Administer).await?;
    let (name, kind) = check_unit_form(&f, lang)?;
    let mut w = state.store.write(&v.actor()).await?;
    let u = w.create_unit(Some(id), &name, &kind).await?;
    w.commit().await?;
    Ok(see_other(&format!("/units/{}", u.id)))
}

pub async fn update_unit(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<UnitForm>,
) -> Result<Response> {
    access::require(&state.store, &v, id, Level::Administer).await?;
    let (name, kind) = check_unit_form(&f, lang)?;
    let mut w = state.store.write(&v.actor()).await?;
    w.update_unit(id, &name, &kind).await?;
    w.commit().await?;
    Ok(see_other(&format!("/units/{id}")))
}

#[derive(Deserialize)]
pub struct PersonForm {
    pub name: Option<String>,
    pub gender: Option<String>,
    pub id_number: Option<String>,
    pub employee_no: Option<String>,
    pub phone: Option<String>,
    pub position: Option<String>,
    pub political_status: Option<String>,
}

impl PersonForm {
    pub(crate) fn fields(self) -> [Option<String>; 7] {
        [
            self.name,
            self.gender,
            self.id_number,
            self.employee_no,
            self.phone,
            self.position,
            self.political_status,
        ]
    }
}

/// Check a person against the roster rules and store it.
pub(crate) async fn add_person(
    state: &AppState,
    v: &Viewer,
    unit: &Unit,
    f: PersonForm,
    lang: Lang,
) -> Result<Person> {
    let ids: Vec<String> = f
        .id_number
        .iter()
        .map(|s| s.trim().to_ascii_uppercase())
        .collect();
    let nos: Vec<String> = f.employee_no.iter().map(|s| s.trim().to_string()).collect();
    let taken = state
        .store
        .reader()
        .await?
        .taken_numbers(&ids, &nos)
        .await?;
    let p = org::check_person(unit, f.fields(), &taken, lang)?;
    let mut w = state.store.write(&v.actor()).await?;
    let p = w.create_person(&p).await?;
    w.commit().await?;
    Ok(p)
}

pub async fn create_person(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<PersonForm>,
) -> Result<Response> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Edit).await?;
    let p = add_person(&state, &v, &unit, f, lang).await?;
    Ok(see_other(&format!("/people/{}", p.id)))
}

#[derive(Deserialize)]
pub struct AssignForm {
    person_id: i64,
    role_id: String,
    starts_on: NaiveDate,
}

pub async fn create_assignment(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<AssignForm>,
) -> Result<Response> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Edit).await?;
    let result = org::assign(
        &state.store,
        &v.actor(),
        &unit,
        f.person_id,
        &f.role_id,
        f.starts_on,
        lang,
    )
    .await;
    if result.is_ok() {
        state.obligations_changed();
    }
    if is_htmx(&headers) {
        let error = result.err().map(|e| e.message(lang));
        let part = roles_part(&state, &v, lang, unit, true, error).await?;
        return Ok(render(&part)?.into_response());
    }
    result?;
    Ok(see_other(&format!("/units/{id}")))
}

#[derive(Deserialize)]
pub struct EndForm {
    ends_on: NaiveDate,
}

pub async fn end_assignment(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<EndForm>,
) -> Result<Response> {
    let a = state
        .store
        .reader()
        .await?
        .assignment(id)
        .await?
        .ok_or(Error::NotFound)?;
    let (unit, _) = access::require(&state.store, &v, a.unit_id, Level::Edit).await?;
    let mut w = state.store.write(&v.actor()).await?;
    w.end_assignment(id, f.ends_on).await?;
    state.obligations_changed();
    w.commit().await?;
    if is_htmx(&headers) {
        let part = roles_part(&state, &v, lang, unit, true, None).await?;
        return Ok(render(&part)?.into_response());
    }
    Ok(see_other(&format!("/units/{}", a.unit_id)))
}

pub async fn person(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    let p = state
        .store
        .reader()
        .await?
        .person(id)
        .await?
        .ok_or(Error::NotFound)?;
    access::require(&state.store, &v, p.unit_id, Level::Read).await?;
    let mut r = state.store.reader().await?;
    render(&PersonPage {
        chrome: Chrome::new(lang, Some(&v)),
        path: r.path(p.unit_id).await?,
        id_masked: p.id_number.as_deref().map(mask_id).unwrap_or_default(),
        assignments: org::with_titles(&state.store, r.assignments_of(id).await?).await?,
        person: p,
    })
}

// ---------------------------------------------------------------- bodies

pub async fn sync_bodies(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    access::require(&state.store, &v, id, Level::Edit).await?;
    let installed = state
        .store
        .reader()
        .await?
        .policy_in_force(id)
        .await?
        .ok_or(Error::NotFound)?;
    let policy = org::parse_installed(&installed)?;
    let mut w = state.store.write(&v.actor()).await?;
    // Only the bodies that exist at this unit are refreshed; a unit that inherits the
    // policy builds them the first time here.
    w.sync_bodies(id, &org::body_specs(&policy), org::today())
        .await?;
    w.commit().await?;
    Ok(see_other(&format!("/units/{id}")))
}

#[derive(Deserialize)]
pub struct MemberForm {
    person_id: i64,
    position: String,
}

pub async fn add_body_member(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<MemberForm>,
) -> Result<Response> {
    let mut r = state.store.reader().await?;
    let body = r.body(id).await?.ok_or(Error::NotFound)?;
    let person = r.person(f.person_id).await?.ok_or(Error::NotFound)?;
    drop(r);
    access::require(&state.store, &v, body.unit_id, Level::Edit).await?;
    access::require(&state.store, &v, person.unit_id, Level::Read).await?;
    if !["chair", "deputy", "member"].contains(&f.position.as_str()) {
        return Err(Error::Invalid("position".into()));
    }
    let mut w = state.store.write(&v.actor()).await?;
    w.add_body_member(id, person.id, &f.position).await?;
    w.commit().await?;
    Ok(see_other(&format!("/units/{}", body.unit_id)))
}

// ---------------------------------------------------------------- roster import

pub async fn import_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Edit).await?;
    render(&ImportPage {
        chrome: Chrome::new(lang, Some(&v)),
        unit,
        imported: None,
        problems: vec![],
    })
}

/// Check a roster file against a unit; all people or every problem.
pub(crate) async fn check_roster(
    state: &AppState,
    unit: &Unit,
    bytes: &[u8],
    lang: Lang,
) -> Result<std::result::Result<Vec<NewPerson>, Vec<roster::Problem>>> {
    let rows = match roster::read(bytes, lang) {
        Ok(r) => r,
        Err(e) => return Ok(Err(vec![roster::Problem { row: 0, reason: e }])),
    };
    let mut r = state.store.reader().await?;
    let mut units = r.subtree(unit.id).await?;
    units.sort_by_key(|u| u.id != unit.id);
    // Every number in the file is looked up once; cheap next to parsing the file.
    let mut ids = Vec::new();
    let mut nos = Vec::new();
    for row in &rows {
        for c in row {
            if let roster::Cell::Text(s) = c {
                let s = s.trim();
                if s.len() == 18 {
                    ids.push(s.to_ascii_uppercase());
                }
                if !s.is_empty() && s.len() <= 32 && s.chars().all(|c| c.is_ascii_alphanumeric()) {
                    nos.push(s.to_string());
                }
            }
        }
    }
    let taken = r.taken_numbers(&ids, &nos).await?;
    Ok(roster::check(&rows, &units, &taken, lang))
}

pub async fn import(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Edit).await?;
    let f = Fields::read(multipart).await?;
    let Some((_, bytes)) = f.file("file") else {
        return Err(Error::Invalid(Tr(lang).s("import.empty").into()));
    };
    match check_roster(&state, &unit, bytes, lang).await? {
        Ok(people) => {
            let mut w = state.store.write(&v.actor()).await?;
            for p in &people {
                w.create_person(p).await?;
            }
            w.commit().await?;
            let page = ImportPage {
                chrome: Chrome::new(lang, Some(&v)),
                unit,
                imported: Some(people.len()),
                problems: vec![],
            };
            Ok(render(&page)?.into_response())
        }
        Err(problems) => {
            let page = ImportPage {
                chrome: Chrome::new(lang, Some(&v)),
                unit,
                imported: None,
                problems,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

pub async fn template_xlsx(_v: Viewer) -> Result<Response> {
    let bytes = roster::template_xlsx().map_err(|e| Error::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"roster-template.xlsx\"; filename*=UTF-8''%E8%8A%B1%E5%90%8D%E5%86%8C%E6%A8%A1%E6%9D%BF.xlsx"),
        ],
        bytes,
    )
        .into_response())
}

pub async fn template_csv(_v: Viewer) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"roster-template.csv\"; filename*=UTF-8''%E8%8A%B1%E5%90%8D%E5%86%8C%E6%A8%A1%E6%9D%BF.csv"),
        ],
        roster::template_csv(),
    )
        .into_response()
}

// ---------------------------------------------------------------- policies

async fn policy_page_model(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    unit: Unit,
) -> Result<PolicyPage> {
    let history = state.store.reader().await?.policy_history(unit.id).await?;
    Ok(PolicyPage {
        chrome: Chrome::new(lang, Some(v)),
        unit,
        packs: packs::listing(),
        history,
        preview: None,
        errors: vec![],
    })
}

pub async fn policy_page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Administer).await?;
    render(&policy_page_model(&state, &v, lang, unit).await?)
}

pub async fn preview_policy(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Administer).await?;
    let f = Fields::read(multipart).await?;
    let mut page = policy_page_model(&state, &v, lang, unit).await?;
    let parsed = chosen_policy(&f, lang)
        .and_then(|(name, text)| org::parse_policy(&name, &text, lang).map(|p| (name, text, p)));
    match parsed {
        Ok((file_name, text, policy)) => {
            let old = page
                .history
                .iter()
                .find(|h| h.current)
                .map(org::parse_installed)
                .transpose()?;
            page.preview = Some(Preview {
                title: policy.meta.title.clone(),
                version: policy.meta.version.clone().unwrap_or_default(),
                first: old.is_none(),
                diff: org::describe_change(old.as_ref(), &policy, lang),
                file_name,
                sha256: org::sha256(&text),
                text,
            });
            Ok(render(&page)?.into_response())
        }
        Err(errors) => {
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct InstallForm {
    file_name: String,
    sha256: String,
    text: String,
}

pub async fn install_policy(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<InstallForm>,
) -> Result<Response> {
    access::require(&state.store, &v, id, Level::Administer).await?;
    // Browsers may turn the textarea's line ends into CRLF; the text is stored as previewed.
    let text = f.text.replace("\r\n", "\n");
    if org::sha256(&text) != f.sha256 {
        return Err(Error::Invalid(Tr(lang).s("policy.tampered").into()));
    }
    let policy =
        org::parse_policy(&f.file_name, &text, lang).map_err(|e| Error::Invalid(e.join("\n")))?;
    let mut w = state.store.write(&v.actor()).await?;
    org::install(&mut w, id, &policy, &text, org::today()).await?;
    state.obligations_changed();
    w.commit().await?;
    Ok(see_other(&format!("/units/{id}")))
}

// ---------------------------------------------------------------- accounts (security administrator)

async fn accounts_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    error: Option<String>,
) -> Result<AccountsPage> {
    let mut r = state.store.reader().await?;
    let since = now() - state.config.lockout_window();
    let mut rows = Vec::new();
    for a in r.accounts().await? {
        let person = match a.person_id {
            Some(p) => r.person(p).await?.map(|p| p.name),
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
            locked: r.login_failures_since(&a.username, since).await?
                >= state.config.lockout_failures,
            duty_key: duty_key(a.duty()),
            can_hold_grants: matches!(a.duty(), AdminDuty::None | AdminDuty::System),
            person,
            grants,
            account: a,
        });
    }
    let mut units = Vec::new();
    for root in r.root_units().await? {
        units.extend(r.subtree(root.id).await?);
    }
    Ok(AccountsPage {
        chrome: Chrome::new(lang, Some(v)),
        accounts: rows,
        units,
        error,
    })
}

pub async fn accounts(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
) -> Result<Html<String>> {
    v.require_duty(AdminDuty::Security)?;
    render(&accounts_page(&state, &v, lang, None).await?)
}

#[derive(Deserialize)]
pub struct NewAccountForm {
    username: String,
    password: String,
    person_id: Option<String>,
}

pub async fn create_account(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Form(f): Form<NewAccountForm>,
) -> Result<Response> {
    v.require_duty(AdminDuty::Security)?;
    let username = f.username.trim().to_string();
    let outcome = async {
        if !valid_username(&username) {
            return Err(Error::Invalid(format!(
                "{}：{username}？",
                Tr(lang).s("field.username")
            )));
        }
        auth::check_password(&username, &f.password, lang)?;
        let person_id = match f
            .person_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(p) => {
                let id: i64 = p.parse().map_err(|_| Error::Invalid(format!("{p}？")))?;
                state
                    .store
                    .reader()
                    .await?
                    .person(id)
                    .await?
                    .ok_or(Error::NotFound)?;
                Some(id)
            }
            None => None,
        };
        let hash = auth::hash_password(&f.password)?;
        let mut w = state.store.write(&v.actor()).await?;
        w.create_account(&username, person_id, &hash, AdminDuty::None)
            .await
            .map_err(|e| match e {
                zeren_store::Error::Conflict(_) => {
                    Error::Conflict(Tr(lang).s("accounts.taken").into())
                }
                e => e.into(),
            })?;
        w.commit().await?;
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => Ok(see_other("/accounts")),
        Err(e @ (Error::Invalid(_) | Error::Conflict(_) | Error::NotFound)) => {
            let status = e.status_code();
            Ok((
                status,
                render(&accounts_page(&state, &v, lang, Some(e.message(lang))).await?)?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

async fn account_or_404(state: &AppState, id: i64) -> Result<Account> {
    state
        .store
        .reader()
        .await?
        .account(id)
        .await?
        .ok_or(Error::NotFound)
}

pub async fn unlock_account(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    v.require_duty(AdminDuty::Security)?;
    let a = account_or_404(&state, id).await?;
    let mut w = state.store.write(&v.actor()).await?;
    w.clear_login_failures(&a.username).await?;
    w.commit().await?;
    Ok(see_other("/accounts"))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<PasswordForm>,
) -> Result<Response> {
    v.require_duty(AdminDuty::Security)?;
    let a = account_or_404(&state, id).await?;
    auth::check_password(&a.username, &f.password, lang)?;
    let hash = auth::hash_password(&f.password)?;
    let mut w = state.store.write(&v.actor()).await?;
    w.set_password(id, &hash).await?;
    w.commit().await?;
    Ok(see_other("/accounts"))
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: bool,
}

pub async fn set_active(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<ActiveForm>,
) -> Result<Response> {
    v.require_duty(AdminDuty::Security)?;
    account_or_404(&state, id).await?;
    if id == v.account.id {
        return Err(Error::Forbidden);
    }
    let mut w = state.store.write(&v.actor()).await?;
    w.set_account_active(id, f.active).await?;
    w.commit().await?;
    Ok(see_other("/accounts"))
}

#[derive(Deserialize)]
pub struct GrantForm {
    unit_id: i64,
    level: String,
}

pub async fn set_grant(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<GrantForm>,
) -> Result<Response> {
    v.require_duty(AdminDuty::Security)?;
    account_or_404(&state, id).await?;
    state
        .store
        .reader()
        .await?
        .unit(f.unit_id)
        .await?
        .ok_or(Error::NotFound)?;
    let level = Level::parse(&f.level).ok_or_else(|| Error::Invalid(f.level.clone()))?;
    let mut w = state.store.write(&v.actor()).await?;
    w.set_grant(id, f.unit_id, level).await?;
    w.commit().await?;
    Ok(see_other("/accounts"))
}

pub async fn remove_grant(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    v.require_duty(AdminDuty::Security)?;
    let mut w = state.store.write(&v.actor()).await?;
    w.remove_grant(id).await?;
    w.commit().await?;
    Ok(see_other("/accounts"))
}

// ---------------------------------------------------------------- my account

async fn me_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    new_token: Option<String>,
    error: Option<String>,
) -> Result<Html<String>> {
    let tokens = state.store.reader().await?.tokens_of(v.account.id).await?;
    render(&MePage {
        chrome: Chrome::new(lang, Some(v)),
        account: v.account.clone(),
        tokens,
        new_token,
        error,
    })
}

pub async fn me(State(state): State<AppState>, v: Viewer, lang: Lang) -> Result<Html<String>> {
    me_page(&state, &v, lang, None, None).await
}

#[derive(Deserialize)]
pub struct ChangePasswordForm {
    current: String,
    password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Form(f): Form<ChangePasswordForm>,
) -> Result<Response> {
    let t = Tr(lang);
    if !auth::verify_password(&v.account.password_hash, &f.current) {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            me_page(
                &state,
                &v,
                lang,
                None,
                Some(t.s("me.wrong_password").into()),
            )
            .await?,
        )
            .into_response());
    }
    if let Err(e) = auth::check_password(&v.account.username, &f.password, lang) {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            me_page(&state, &v, lang, None, Some(e.message(lang))).await?,
        )
            .into_response());
    }
    let hash = auth::hash_password(&f.password)?;
    let mut w = state.store.write(&v.actor()).await?;
    w.set_password(v.account.id, &hash).await?;
    w.commit().await?;
    Ok(see_other("/login"))
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Form(f): Form<TokenForm>,
) -> Result<Html<String>> {
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::Invalid(Tr(lang).s("me.token_name").into()));
    }
    let token = format!("zrn_{}", auth::random_token());
    let mut w = state.store.write(&v.actor()).await?;
    w.create_token(v.account.id, name, &auth::sha256_hex(&token))
        .await?;
    w.commit().await?;
    me_page(&state, &v, lang, Some(token), None).await
}

pub async fn revoke_token(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    let mut w = state.store.write(&v.actor()).await?;
    w.revoke_token(v.account.id, id).await?;
    w.commit().await?;
    Ok(see_other("/me"))
}

// ---------------------------------------------------------------- audit log (audit administrator)

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub entity: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Parse the audit filter; dates are Chinese calendar days (UTC+8), `to` inclusive.
pub(crate) fn audit_filter(q: &AuditQuery) -> Result<(AuditFilter, AuditFilterForm)> {
    let day = |s: &Option<String>| -> Result<Option<NaiveDate>> {
        match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| Error::Invalid(format!("{s}？"))),
            None => Ok(None),
        }
    };
    let start = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc() - chrono::Duration::hours(8))
    };
    let actor = match q.actor.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(a) => Some(
            a.parse::<i64>()
                .map_err(|_| Error::Invalid(format!("{a}？")))?,
        ),
        None => None,
    };
    let entity = q.entity.clone().unwrap_or_default().trim().to_string();
    let (entity_type, entity_id) = match entity.split_once(':') {
        Some((t, i)) => (Some(t.to_string()), Some(i.to_string())),
        None if !entity.is_empty() => (Some(entity.clone()), None),
        None => (None, None),
    };
    let (from, to) = (day(&q.from)?, day(&q.to)?);
    let filter = AuditFilter {
        actor_account_id: actor,
        entity_type,
        entity_id,
        from: from.and_then(start),
        to: to.and_then(|d| d.succ_opt()).and_then(start),
        limit: 500,
    };
    let form = AuditFilterForm {
        actor,
        entity,
        from: from.map(|d| d.to_string()).unwrap_or_default(),
        to: to.map(|d| d.to_string()).unwrap_or_default(),
    };
    Ok((filter, form))
}

pub async fn audit(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Query(q): Query<AuditQuery>,
) -> Result<Html<String>> {
    v.require_duty(AdminDuty::Audit)?;
    let t = Tr(lang);
    let (filter, form) = audit_filter(&q)?;
    let verification = state.store.verify_audit().await?;
    let (chain_ok, chain_status) = match &verification.first_break {
        None => (
            true,
            format!(
                "{}{}（{}）",
                t.s("audit.intact"),
                verification.entries,
                verification.algorithm.as_str()
            ),
        ),
        Some(b) => (false, format!("{}{b}", t.s("audit.broken"))),
    };
    let mut r = state.store.reader().await?;
    let actors = r
        .accounts()
        .await?
        .into_iter()
        .map(|a| ActorOption {
            id: a.id,
            username: a.username,
        })
        .collect();
    let entries = r.audit_search(&filter).await?;
    render(&AuditPage {
        chrome: Chrome::new(lang, Some(&v)),
        lang,
        chain_ok,
        chain_status,
        actors,
        filter: form,
        entries,
    })
}
