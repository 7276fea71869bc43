//! The chrome every page shares (language, navigation for the signed-in account, CSRF token),
//! rendering, the error page, and the small formatters templates call. Page models live with
//! their features.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Html;
use zeren_store::AdminDuty;

use super::context::Viewer;
use super::i18n::{Lang, Tr};

/// Unit kinds offered when a unit is created (a policy may name others).
pub const KINDS: &[&str] = &[
    "局",
    "党组",
    "党委",
    "学校",
    "党支部",
    "科室",
    "教研组",
    "分场",
    "院",
    "部门",
    "中心",
    "办公室",
];

pub struct NavUser {
    pub username: String,
    /// The linked person's name, shown instead of the user name.
    pub name: Option<String>,
    pub has_units: bool,
    /// Linked to a person: has an inbox of messages.
    pub inbox: bool,
    pub security: bool,
    pub audit: bool,
    /// The system administrator: the background jobs.
    pub system: bool,
}

pub struct Chrome {
    pub t: Tr,
    pub user: Option<NavUser>,
    pub csrf: String,
}

impl Chrome {
    pub fn new(lang: Lang, viewer: Option<&Viewer>) -> Chrome {
        Chrome {
            t: Tr(lang),
            // Until an initial password is changed, only the account's own page is open.
            user: viewer.map(|v| {
                let open = !v.account.must_change_password;
                NavUser {
                    username: v.account.username.clone(),
                    name: v.person_name.clone(),
                    has_units: open && matches!(v.duty(), AdminDuty::None | AdminDuty::System),
                    inbox: open && v.account.person_id.is_some(),
                    security: open && v.duty() == AdminDuty::Security,
                    audit: open && v.duty() == AdminDuty::Audit,
                    system: open && v.duty() == AdminDuty::System,
                }
            }),
            csrf: viewer.map(|v| v.csrf.clone()).unwrap_or_default(),
        }
    }

    pub fn kinds(&self) -> &'static [&'static str] {
        KINDS
    }

    pub fn political(&self, code: &str) -> &'static str {
        zeren_core::people::political_name(code)
    }

    pub fn political_statuses(&self) -> Vec<(&'static str, &'static str)> {
        zeren_core::people::POLITICAL_STATUS
            .iter()
            .map(|(c, full, _)| (*c, *full))
            .collect()
    }

    /// A stored time as people in China read it (UTC+8).
    pub fn local(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        super::clock::local(t)
    }

    /// A moment on the incident wall clock: 2026年12月10日 14:30 (China time).
    pub fn wall(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        super::clock::wall(t)
    }

    /// 第3版 / v3.
    pub fn version(&self, n: &i64) -> String {
        format!(
            "{}{n}{}",
            self.t.s("rec.version"),
            self.t.s("rec.version_suffix")
        )
    }

    /// An obligation status in the page's language.
    pub fn status(&self, word: &str) -> &'static str {
        self.t.s(match word {
            "upcoming" => "status.upcoming",
            "due_soon" => "status.due_soon",
            "overdue" => "status.overdue",
            "done_on_time" => "status.done_on_time",
            _ => "status.done_late",
        })
    }
}

pub fn render(t: &impl Template) -> Result<Html<String>, super::error::Error> {
    Ok(Html(t.render()?))
}

#[derive(Template)]
#[template(path = "pages/error.html")]
pub struct ErrorPage<'a> {
    pub chrome: Chrome,
    pub status: u16,
    pub message: &'a str,
}

pub fn error_page(lang: Lang, status: StatusCode, message: &str) -> Html<String> {
    let page = ErrorPage {
        chrome: Chrome::new(lang, None),
        status: status.as_u16(),
        message,
    };
    Html(page.render().unwrap_or_else(|_| message.to_string()))
}

/// One step of a page's breadcrumb: a unit, linked only when the viewer may open it.
pub struct Crumb {
    pub id: i64,
    pub name: String,
    pub link: bool,
}

/// The breadcrumb of a unit path (root first): units above the viewer's reach are named, not
/// linked.
pub async fn crumbs(
    store: &zeren_store::Store,
    viewer: &Viewer,
    path: Vec<zeren_store::Unit>,
) -> Result<Vec<Crumb>, super::error::Error> {
    let mut out = Vec::with_capacity(path.len());
    // A grant or a role covers a subtree: once a unit is readable, every unit below it is.
    let mut readable = false;
    for u in path {
        readable = readable || super::access::level(store, viewer, u.id).await?.is_some();
        out.push(Crumb {
            id: u.id,
            name: u.name,
            link: readable,
        });
    }
    Ok(out)
}
