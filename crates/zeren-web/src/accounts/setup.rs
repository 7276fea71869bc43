//! First-run setup: the top unit, its policy, and the three separate administrators (三员分立),
//! in one transaction that a second, racing setup cannot repeat.

use crate::shared::multipart::Multipart;
use axum::response::{IntoResponse, Response};
use zeren_store::*;
// Named, so that the store's Error and Result do not shadow the web layer's.
use crate::shared::error::{Error, Result};

use super::views::*;
use crate::shared::auth;
use crate::shared::clock::today;
use crate::shared::error::Problems;
use crate::shared::i18n::name_rule;
use crate::shared::multipart::Form as MultipartForm;
use crate::shared::packs;
use crate::shared::policies::{self, parse_policy};
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;
use crate::shared::state::SETUP_DONE;
use zeren_core::names;

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
        refused: Refused::default(),
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
    let f = MultipartForm::read(multipart, state.config.upload_limit_bytes() as u64).await?;
    let form = SetupForm {
        pack: f.text("pack"),
        unit_name: f.text("unit_name"),
        unit_kind: f.text("unit_kind"),
        system_username: f.text("system_username"),
        security_username: f.text("security_username"),
        audit_username: f.text("audit_username"),
        fragments: f.all("fragment"),
    };
    let mut problems = Problems::new();
    if let Some(limit) = f.too_large() {
        problems.add("", Error::TooLarge(limit).message(lang));
    }
    let policy = match policies::chosen(&f, lang) {
        Ok((name, text)) => match parse_policy(&name, &text, lang) {
            Ok(p) => Some((p, text)),
            Err(d) => {
                d.into_iter().for_each(|m| problems.add("pack", m));
                None
            }
        },
        Err(e) => {
            e.into_iter().for_each(|m| problems.add("pack", m));
            None
        }
    };
    if let Err(r) = names::unit_name(&form.unit_name) {
        problems.add("unit_name", t.s(name_rule(r)));
    }
    if let Err(r) = names::unit_kind(&form.unit_kind) {
        problems.add("unit_kind", t.s(name_rule(r)));
    }
    let admins = [
        ("system", &form.system_username, AdminDuty::System),
        ("security", &form.security_username, AdminDuty::Security),
        ("audit", &form.audit_username, AdminDuty::Audit),
    ];
    for (i, (field, u, _)) in admins.iter().enumerate() {
        let password = f.text(&format!("{field}_password"));
        if let Err(r) = names::username(u) {
            problems.add(&format!("{field}_username"), t.s(name_rule(r)));
        } else if admins[..i].iter().any(|(_, other, _)| other == u) {
            problems.add(&format!("{field}_username"), t.s("setup.distinct"));
        }
        if let Err(e) = auth::check_password(u, &password, lang) {
            problems.add(&format!("{field}_password"), e.message(lang));
        }
    }
    let Some((policy, text)) = policy.filter(|_| problems.is_empty()) else {
        let refused = Refused::multipart("setup", &f, problems);
        let page = SetupPage {
            chrome: Chrome::new(lang, None),
            packs: packs::listing(),
            fragments: packs::fragments(),
            form,
            refused,
        };
        let status = page.refused.status;
        return Ok((status, render(&page)?).into_response());
    };
    let mut hashes = Vec::new();
    for (field, u, d) in &admins {
        let p = f.text(&format!("{field}_password"));
        hashes.push(((*u).clone(), auth::hash_password(&p)?, *d));
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
