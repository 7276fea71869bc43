//! First-run setup: the top unit, its policy, and the three separate administrators (三员分立),
//! in one transaction that a second, racing setup cannot repeat.

use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use zeren_store::*;
// Named, so that the store's Error and Result do not shadow the web layer's.
use crate::shared::error::{Error, Result};

use super::views::*;
use crate::shared::auth;
use crate::shared::clock::today;
use crate::shared::multipart::Form as MultipartForm;
use crate::shared::packs;
use crate::shared::policies::{self, parse_policy};
use crate::shared::prelude::*;
use crate::shared::state::SETUP_DONE;

pub fn valid_username(u: &str) -> bool {
    (3..=32).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

pub async fn page(State(state): State<AppState>, lang: Lang) -> Result<Response> {
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
        fragments: packs::fragments(),
        form,
        errors: vec![],
    };
    Ok(render(&page)?.into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    lang: Lang,
    multipart: Multipart,
) -> Result<Response> {
    if state.setup_done().await? {
        return Ok(see_other("/login"));
    }
    let t = Tr(lang);
    let f = MultipartForm::read(multipart).await?;
    let form = SetupForm {
        pack: f.text("pack"),
        unit_name: f.text("unit_name"),
        unit_kind: f.text("unit_kind"),
        system_username: f.text("system_username"),
        security_username: f.text("security_username"),
        audit_username: f.text("audit_username"),
        fragments: f.all("fragment"),
    };
    let mut errors = Vec::new();
    let policy = match policies::chosen(&f, lang) {
        Ok((name, text)) => match parse_policy(&name, &text, lang) {
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
            fragments: packs::fragments(),
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
    w.claim_setting(SETUP_DONE, &now().to_rfc3339())
        .await
        .map_err(|e| match e {
            zeren_store::Error::Conflict(_) => Error::Setup(true),
            e => e.into(),
        })?;
    let unit = w
        .create_unit(None, &form.unit_name, &form.unit_kind)
        .await?;
    zeren_store::install::install(&mut w, unit.id, &policy, &text, today()).await?;
    for (u, h, d) in &hashes {
        let a = w.create_account(u, None, h, *d).await?;
        if *d == AdminDuty::System {
            w.set_grant(a.id, unit.id, Level::Administer).await?;
        }
    }
    w.commit().await?;
    // Only now can the materialiser see the installed policy; the first page shows its
    // obligations.
    state.materialise_now(unit.id).await?;
    state.obligations_changed();
    tracing::info!(unit = %form.unit_name, policy = %policy.meta.id, "setup done");
    Ok(see_other("/login"))
}
