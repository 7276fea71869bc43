//! A unit's group robots (钉钉, 企业微信, 飞书), set up by the unit's administrators: the robot's
//! address and signing secret are sealed before they are stored and never shown back (only a
//! hint: the host and the token's last characters); a test send names the setting a platform's
//! refusal points at; today's digest can be sent at once; the last messages' results are listed.
//! Robots declared in `zeren.toml` are listed but changed only there.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use zeren_core::robots::{Platform, RobotMessage, Setting};
use zeren_store::notify::{Delivery, DeliveryFilter, NotifyRead, Robot, RobotSettings};
use zeren_store::Level;

use crate::shared::error::Problems;
use crate::shared::extract::field;
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;
use crate::shared::robots::{self as send, Failure};

#[derive(Template)]
#[template(path = "pages/robots.html")]
pub struct RobotsPage {
    pub chrome: Chrome,
    pub unit: zeren_store::Unit,
    pub robots: Vec<RobotRow>,
    pub refused: Refused,
    /// The answer to a test send just made: the robot and what it says.
    pub tested: Option<(i64, TestResult)>,
    /// The server holds no key to seal secrets with: robots cannot be set up.
    pub sealed: bool,
}

pub struct RobotRow {
    pub robot: Robot,
    pub platform_zh: &'static str,
    pub recent: Vec<Delivery>,
}

/// What a test send found.
#[derive(Clone, Debug, Serialize)]
pub struct TestResult {
    pub accepted: bool,
    /// The platform's code (`0`, `310000`); '' when no answer came.
    pub code: String,
    pub words: String,
    /// The setting at fault: webhook, secret, keyword, ip_allow_list, rate_limit, other; '' when
    /// accepted or unanswered.
    pub setting: String,
    /// What to do, in the viewer's language.
    pub advice: String,
}

pub fn platform_zh(p: &str) -> &'static str {
    match p {
        "dingtalk" => "钉钉",
        "wecom" => "企业微信",
        "feishu" => "飞书",
        _ => "",
    }
}

/// The unit, if the viewer administers it.
async fn load(state: &AppState, v: &Viewer, unit: i64) -> Result<zeren_store::Unit> {
    Ok(access::require(&state.store, v, unit, Level::Administer)
        .await?
        .0)
}

/// One of the unit's robots.
async fn robot_at(state: &AppState, unit: i64, id: i64) -> Result<Robot> {
    state
        .store
        .reader()
        .await?
        .robot(id)
        .await?
        .filter(|r| r.unit_id == unit)
        .ok_or(Error::NotFound)
}

async fn page_model(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    unit: i64,
    refused: Refused,
    tested: Option<(i64, TestResult)>,
) -> Result<RobotsPage> {
    let unit = load(state, v, unit).await?;
    let mut r = state.store.reader().await?;
    let mut robots = Vec::new();
    for robot in r.robots_at(unit.id).await? {
        let recent = r
            .deliveries(&DeliveryFilter {
                robot: Some(robot.id),
                limit: 5,
                ..DeliveryFilter::default()
            })
            .await?;
        robots.push(RobotRow {
            platform_zh: platform_zh(&robot.platform),
            robot,
            recent,
        });
    }
    Ok(RobotsPage {
        chrome: Chrome::new(lang, Some(v)),
        unit,
        robots,
        refused,
        tested,
        sealed: state.seal_key().is_some(),
    })
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(unit): Path<i64>,
) -> Result<Html<String>> {
    render(&page_model(&state, &v, lang, unit, Refused::default(), None).await?)
}

fn refused_page(p: RobotsPage) -> Result<Response> {
    let status = p.refused.status;
    Ok((status, render(&p)?).into_response())
}

/// The settings a form asks for, checked: problems by field, in the viewer's language. A new
/// robot needs its address; a robot changed keeps its address and secret when they are left
/// empty.
fn settings(
    state: &AppState,
    f: &[(String, String)],
    lang: Lang,
    new: bool,
) -> Result<RobotSettings> {
    let t = Tr(lang);
    let key = state
        .seal_key()
        .ok_or_else(|| Error::Invalid(t.s("robot.no_key").into()))?;
    let mut p = Problems::new();
    let platform_word = field(f, "platform");
    let platform = Platform::parse(&platform_word);
    if platform.is_none() {
        p.add("platform", t.s("robot.bad_platform"));
    }
    let name = field(f, "name").trim().to_string();
    if name.is_empty() || name.chars().count() > 60 {
        p.add("name", t.s("robot.bad_name"));
    }
    let webhook = field(f, "webhook").trim().to_string();
    if webhook.is_empty() && new {
        p.add("webhook", t.s("robot.need_webhook"));
    }
    if let (false, Some(pl)) = (webhook.is_empty(), platform) {
        if state.config.check_webhook(pl, &webhook).is_err() || webhook.chars().count() > 500 {
            p.add("webhook", t.s("robot.bad_webhook"));
        }
    }
    let secret = field(f, "secret").trim().to_string();
    if secret.chars().count() > 200 {
        p.add("secret", t.s("robot.bad_secret"));
    }
    if platform == Some(Platform::WeCom) && !secret.is_empty() {
        p.add("secret", t.s("robot.wecom_no_secret"));
    }
    let keyword = field(f, "keyword").trim().to_string();
    if keyword.chars().count() > 20 {
        p.add("keyword", t.s("robot.bad_keyword"));
    }
    let digest = !field(f, "digest").is_empty();
    let digest_at = field(f, "digest_at").trim().to_string();
    let digest_at = match zeren_core::notify::parse_clock(&digest_at) {
        Some(at) => at.format("%H:%M").to_string(),
        None if !digest && digest_at.is_empty() => String::new(),
        None => {
            p.add("digest_at", t.s("robot.bad_digest_at"));
            String::new()
        }
    };
    p.check()?;
    Ok(RobotSettings {
        platform: platform_word,
        name,
        webhook_sealed: (!webhook.is_empty()).then(|| key.seal("webhook", &webhook)),
        webhook_hint: (!webhook.is_empty()).then(|| send::hint(&webhook)),
        secret_sealed: if !secret.is_empty() {
            Some(key.seal("secret", &secret))
        } else if field(f, "clear_secret") == "1" {
            Some(String::new())
        } else {
            None
        },
        keyword,
        digest,
        digest_at,
        mention: !field(f, "mention").is_empty(),
        active: new || !field(f, "active").is_empty(),
        from_config: false,
    })
}

pub async fn create_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(unit): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    load(&state, &v, unit).await?;
    let made = async {
        let s = settings(&state, &f, lang, true)?;
        let mut w = state.store.write(&v.actor()).await?;
        let r = w.create_robot(unit, &s).await?;
        w.commit().await?;
        Ok::<_, Error>(r)
    }
    .await;
    match made {
        Ok(_) => Ok(see_other(&format!("/units/{unit}/robots"))),
        Err(e) => {
            let refused = Refused::of("new", &f, e, lang)?;
            refused_page(page_model(&state, &v, lang, unit, refused, None).await?)
        }
    }
}

pub async fn update_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path((unit, id)): Path<(i64, i64)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    load(&state, &v, unit).await?;
    let old = robot_at(&state, unit, id).await?;
    if old.from_config {
        return Err(Error::Invalid(Tr(lang).s("robot.in_file").into()));
    }
    let changed = async {
        let s = settings(&state, &f, lang, false)?;
        let mut w = state.store.write(&v.actor()).await?;
        w.update_robot(id, &s).await?;
        w.commit().await?;
        Ok::<_, Error>(())
    }
    .await;
    match changed {
        Ok(()) => Ok(see_other(&format!("/units/{unit}/robots"))),
        Err(e) => {
            let refused = Refused::of(&format!("robot-{id}"), &f, e, lang)?;
            refused_page(page_model(&state, &v, lang, unit, refused, None).await?)
        }
    }
}

/// Sends a short message to the robot now (not through the ledger: it is a check, not a
/// notice) and says what the platform answered, naming the setting at fault.
async fn test_send(state: &AppState, robot: &Robot, lang: Lang) -> TestResult {
    let t = Tr(lang);
    let target = match send::target(state.seal_key(), robot) {
        Ok(t) => t,
        Err(e) => {
            return TestResult {
                accepted: false,
                code: String::new(),
                words: e,
                setting: String::new(),
                advice: t.s("robot.advice.no_key").into(),
            }
        }
    };
    let msg = RobotMessage {
        title: format!("{}：测试消息", robot.name),
        text: format!(
            "这是一条测试消息：责任制管理系统的群机器人“{}”已设置好。",
            robot.name
        ),
        mentions: Vec::new(),
        plain: false,
    };
    match send::send(&target, &msg, zeren_store::now()).await {
        Ok((code, words)) => TestResult {
            accepted: true,
            code: code.to_string(),
            words,
            setting: String::new(),
            advice: t.s("robot.advice.ok").into(),
        },
        Err(Failure::Refused {
            code,
            words,
            setting,
        }) => TestResult {
            accepted: false,
            code: code.to_string(),
            words,
            setting: setting.word().into(),
            advice: t
                .s(match setting {
                    Setting::Webhook => "robot.advice.webhook",
                    Setting::Secret => "robot.advice.secret",
                    Setting::Keyword => "robot.advice.keyword",
                    Setting::IpAllowList => "robot.advice.ip",
                    Setting::RateLimit => "robot.advice.rate",
                    Setting::Other => "robot.advice.other",
                })
                .into(),
        },
        Err(Failure::NoAnswer(words) | Failure::Unreachable(words)) => TestResult {
            accepted: false,
            code: String::new(),
            words,
            setting: String::new(),
            advice: t.s("robot.advice.unreachable").into(),
        },
    }
}

pub async fn test_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path((unit, id)): Path<(i64, i64)>,
) -> Result<Html<String>> {
    load(&state, &v, unit).await?;
    let robot = robot_at(&state, unit, id).await?;
    let result = test_send(&state, &robot, lang).await;
    render(
        &page_model(
            &state,
            &v,
            lang,
            unit,
            Refused::default(),
            Some((id, result)),
        )
        .await?,
    )
}

pub async fn test_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path((unit, id)): Path<(i64, i64)>,
) -> Result<axum::Json<TestResult>> {
    load(&state, &v, unit).await?;
    let robot = robot_at(&state, unit, id).await?;
    Ok(axum::Json(test_send(&state, &robot, lang).await))
}

/// Puts today's digest of the unit in the robot's queue now (once a day all the same: a digest
/// sent today, at its time or by hand, is not sent again).
pub async fn digest_form(
    State(state): State<AppState>,
    v: Viewer,
    Path((unit, id)): Path<(i64, i64)>,
) -> Result<Response> {
    load(&state, &v, unit).await?;
    let robot = robot_at(&state, unit, id).await?;
    let now = zeren_store::now();
    let s = state
        .config
        .scan_settings(zeren_core::notify::china(now).date(), now);
    zeren_store::notify_scan::queue_digests(
        &state.store,
        &s,
        &[robot],
        state.config.public_url.as_deref(),
    )
    .await?;
    Ok(see_other(&format!("/units/{unit}/robots")))
}

pub async fn list_json(
    State(state): State<AppState>,
    v: Viewer,
    Path(unit): Path<i64>,
) -> Result<axum::Json<Vec<Robot>>> {
    load(&state, &v, unit).await?;
    Ok(axum::Json(
        state.store.reader().await?.robots_at(unit).await?,
    ))
}
