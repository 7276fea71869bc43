//! The parent's inbox (待签收): records that sub-units report upward, waiting for 签收.

use askama::Template;
use axum::response::Html;
use zeren_store::ledger::*;
use zeren_store::{Level, Read, Unit};

use crate::shared::prelude::*;

#[derive(Template)]
#[template(path = "pages/inbox.html")]
pub struct InboxPage {
    pub chrome: Chrome,
    pub unit: Unit,
    pub items: Vec<(Obligation, String, RecordRow)>,
    pub can_acknowledge: bool,
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    let (unit, level) = access::require(&state.store, &v, id, Level::Read).await?;
    let mut r = state.store.reader().await?;
    let mut items = Vec::new();
    for (o, rec) in r.inbox(id).await? {
        let name = r.unit(o.unit_id).await?.map(|u| u.name).unwrap_or_default();
        items.push((o, name, rec));
    }
    render(&InboxPage {
        chrome: Chrome::new(lang, Some(&v)),
        unit,
        items,
        can_acknowledge: level >= Level::Edit,
    })
}
