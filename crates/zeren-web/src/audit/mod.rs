//! The audit administrator's view of the audit log (安全审计员): entries filtered by person,
//! object and dates, the chain's verification, and the same as JSON. Nobody else reads it.

use askama::Template;
use axum::response::Html;
use chrono::NaiveDate;
use serde::Deserialize;
use zeren_store::*;
// Named, so that the store's Error and Result do not shadow the web layer's.
use crate::shared::error::{Error, Result};

use crate::shared::apidoc::{s, *};
use crate::shared::prelude::*;
use serde_json::json;

pub mod messages;

#[derive(Default)]
pub struct AuditFilterForm {
    pub actor: Option<i64>,
    pub entity: String,
    pub from: String,
    pub to: String,
}

pub struct ActorOption {
    pub id: i64,
    pub username: String,
}

#[derive(Template)]
#[template(path = "pages/audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub lang: Lang,
    pub chain_ok: bool,
    pub chain_status: String,
    pub actors: Vec<ActorOption>,
    pub filter: AuditFilterForm,
    pub entries: Vec<AuditEntry>,
    /// The next page (older entries) when this one is full, and the first page (the newest
    /// entries) when this one is not it.
    pub older: Option<String>,
    pub newest: Option<String>,
}

/// What each audit action means: (code, 中文, English), sorted by code. Every action the store
/// writes has a line (a test reads the store's sources to hold to it).
const LABELS: &[(&str, &str, &str)] = &[
    (
        "account.active",
        "启用/停用账号",
        "account enabled/disabled",
    ),
    ("account.create", "创建账号", "account created"),
    ("account.password", "修改密码", "password changed"),
    (
        "account.person",
        "账号关联人员",
        "account linked to a person",
    ),
    (
        "account.reset",
        "管理员重置密码",
        "password reset by an administrator",
    ),
    (
        "account.revoke_access",
        "注销账号的会话和令牌",
        "account's sessions and tokens revoked",
    ),
    (
        "accountability.act",
        "问责案件办理步骤",
        "accountability case step taken",
    ),
    (
        "accountability.minutes",
        "问责案件记录决策会议纪要",
        "accountability case: minutes of the decision recorded",
    ),
    (
        "accountability.open",
        "问责案件立案",
        "accountability case opened",
    ),
    ("assessment.appeal", "考核申诉", "assessment appealed"),
    (
        "assessment.appeal_answer",
        "答复考核申诉",
        "assessment appeal answered",
    ),
    (
        "assessment.cycle_open",
        "发起考核",
        "assessment cycle opened",
    ),
    (
        "assessment.effect",
        "记录考核结果的影响",
        "assessment effect recorded",
    ),
    (
        "assessment.publish",
        "发布考核结果",
        "assessment results published",
    ),
    ("assessment.review", "考核评分", "assessment reviewed"),
    ("assessment.self", "单位自评", "self-assessment submitted"),
    ("assignment.create", "任命", "role assigned"),
    ("assignment.end", "卸任", "assignment ended"),
    ("attachment.store", "保存附件", "file stored"),
    (
        "audit.key",
        "启用或更换审计密钥",
        "audit key started or rotated",
    ),
    ("audit.read", "查阅审计日志", "audit log read"),
    ("body.flag", "机构需调整", "body flagged for adjustment"),
    ("body.member.add", "添加机构成员", "body member added"),
    ("body.member.remove", "移除机构成员", "body member removed"),
    ("body.sync", "更新机构成员", "body members updated"),
    (
        "calendar_feed.set",
        "生成日历订阅地址",
        "calendar feed created",
    ),
    ("channel.create", "登记阵地", "channel registered"),
    ("channel.status", "变更阵地状态", "channel status changed"),
    ("channel.update", "修改阵地信息", "channel edited"),
    (
        "data.export",
        "导出或下载含个人信息的数据",
        "data with personal information exported or downloaded",
    ),
    (
        "finding.closed",
        "督查问题复查销号",
        "finding closed after re-check",
    ),
    (
        "finding.closure_applied",
        "申请督查问题销号",
        "finding closure applied for",
    ),
    (
        "finding.commitment_accepted",
        "确认整改方案",
        "rectification plan accepted",
    ),
    (
        "finding.commitment_proposed",
        "提出整改方案",
        "rectification plan proposed",
    ),
    (
        "finding.commitment_returned",
        "退回整改方案",
        "rectification plan returned",
    ),
    ("finding.corrected", "更正督查问题", "finding corrected"),
    (
        "finding.progress",
        "填报整改进展",
        "rectification progress entered",
    ),
    (
        "finding.recheck_returned",
        "复查未通过，退回整改",
        "re-check failed, finding returned",
    ),
    ("finding.sent", "发出督查问题", "finding sent"),
    ("finding.withdrawn", "撤回督查问题", "finding withdrawn"),
    ("grant.remove", "撤销权限", "permission removed"),
    ("grant.set", "授予权限", "permission granted"),
    ("incident.create", "报告突发事件", "incident reported"),
    ("incident.event", "突发事件办理", "incident step taken"),
    ("incident.import", "导入突发事件", "incident imported"),
    (
        "incident.import_event",
        "导入突发事件办理记录",
        "incident step imported",
    ),
    ("incident.report", "起草事件报告", "incident report drafted"),
    ("inspection.create", "制定督查计划", "inspection planned"),
    (
        "inspection.visit",
        "记录督查走访",
        "inspection visit recorded",
    ),
    (
        "job.retry",
        "重试失败的后台任务",
        "failed background job retried",
    ),
    ("login.failure", "登录失败", "failed login"),
    (
        "login.locked",
        "登录失败次数过多，锁定",
        "locked after failed logins",
    ),
    (
        "login.refused",
        "锁定期间拒绝登录",
        "login refused while locked",
    ),
    ("login.unlock", "解除锁定", "lockout lifted"),
    (
        "notify.prefs",
        "修改通知设置",
        "notification choices changed",
    ),
    (
        "obligation.remove",
        "删除尚未开始的待办",
        "future obligation removed",
    ),
    ("obligations.materialise", "生成待办", "obligations created"),
    ("person.create", "添加人员", "person added"),
    ("person.update", "更新人员信息", "person updated"),
    (
        "policy.effective_from",
        "设置实施办法施行日期",
        "policy start date set",
    ),
    ("policy.install", "安装实施办法", "policy installed"),
    ("policy.remove", "移除实施办法", "policy removed"),
    ("record.acknowledge", "签收报送材料", "report acknowledged"),
    ("record.correct", "更正工作记录", "record corrected"),
    ("record.create", "登记工作记录", "record entered"),
    (
        "record.import",
        "导入历史工作记录",
        "record imported from history",
    ),
    (
        "record.import_acknowledgement",
        "导入历史签收",
        "acknowledgement imported from history",
    ),
    (
        "record.import_correction",
        "导入历史更正",
        "correction imported from history",
    ),
    (
        "record.import_return",
        "导入历史退回",
        "return imported from history",
    ),
    ("record.return", "退回报送材料", "report returned"),
    (
        "report_request.acknowledge",
        "签收临时报送",
        "requested report acknowledged",
    ),
    ("report_request.create", "发起临时报送", "report requested"),
    (
        "report_request.return",
        "退回临时报送",
        "requested report returned",
    ),
    (
        "report_request.submit",
        "提交临时报送",
        "requested report submitted",
    ),
    (
        "request.refused",
        "拒绝越权或跨站请求",
        "request refused (no right, or cross-site)",
    ),
    ("review.create", "提交审核事项", "item submitted for review"),
    ("review.event", "审核办理", "review step taken"),
    (
        "review.risk_assessment",
        "登记风险评估",
        "risk assessment recorded",
    ),
    (
        "review.version",
        "提交审核事项新版本",
        "new version of an item",
    ),
    ("robot.create", "添加群机器人", "group robot added"),
    ("robot.update", "修改群机器人", "group robot changed"),
    ("session.login", "登录", "logged in"),
    ("session.logout", "退出", "logged out"),
    (
        "session.password_ok",
        "密码正确，待验证动态口令",
        "password right, one-time code to come",
    ),
    ("setting.set", "系统设置", "setting changed"),
    ("token.create", "生成 API 令牌", "API token created"),
    ("token.revoke", "吊销 API 令牌", "API token revoked"),
    ("totp.confirm", "启用动态口令", "one-time passwords enabled"),
    ("totp.remove", "停用动态口令", "one-time passwords removed"),
    ("totp.set", "设置动态口令", "one-time password secret set"),
    ("unit.create", "创建单位", "unit created"),
    ("unit.merge", "合并单位", "unit merged"),
    ("unit.retire", "撤销单位", "unit retired"),
    ("unit.update", "修改单位", "unit changed"),
];

/// What an audit action means, in the viewer's language, with its code; an unknown action
/// shows its code.
pub fn action_label(lang: Lang, action: &str) -> String {
    match LABELS.iter().find(|(code, ..)| *code == action) {
        Some((_, zh, en)) => match lang {
            Lang::Zh => format!("{zh}（{action}）"),
            Lang::En => format!("{en} ({action})"),
        },
        None => action.to_string(),
    }
}

impl AuditPage {
    pub fn action(&self, code: &str) -> String {
        action_label(self.lang, code)
    }

    /// Who acted: an account's user name, or the server itself and anonymous login attempts
    /// in words.
    pub fn actor(&self, e: &AuditEntry) -> String {
        let t = Tr(self.lang);
        match (e.actor_account_id, e.actor.as_str()) {
            (None, "system") => t.s("audit.system").into(),
            (None, "anonymous") => t.s("audit.anonymous").into(),
            _ => e.actor.clone(),
        }
    }

    /// When, in China time (the column says so).
    pub fn at(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        (*t + chrono::Duration::hours(8))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    }
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub entity: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// The entries before this one (the last of the previous page).
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

/// Entries on a page of the log, and in an answer of the API unless it asks for fewer or more
/// (up to [`zeren_store::ledger::MAX_PAGE`]).
const PAGE_ROWS: i64 = 100;
const API_ROWS: i64 = 500;

impl AuditFilterForm {
    /// The log's page with this filter, from the newest entries or before `before`.
    fn href(&self, before: Option<i64>) -> String {
        let mut q = Vec::new();
        if let Some(a) = self.actor {
            q.push(format!("actor={a}"));
        }
        for (k, v) in [
            ("entity", &self.entity),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.is_empty() {
                q.push(format!("{k}={}", crate::shared::respond::percent(v)));
            }
        }
        if let Some(b) = before {
            q.push(format!("before={b}"));
        }
        if q.is_empty() {
            "/audit".into()
        } else {
            format!("/audit?{}", q.join("&"))
        }
    }
}

/// Parse the audit filter; dates are Chinese calendar days (UTC+8), `to` inclusive; a page of
/// `rows` entries unless the query asks for another size.
fn audit_filter(q: &AuditQuery, lang: Lang, rows: i64) -> Result<(AuditFilter, AuditFilterForm)> {
    let t = Tr(lang);
    let day = |s: &Option<String>| -> Result<Option<NaiveDate>> {
        match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| Error::Invalid(t.f("audit.bad_date", &[("value", s)]))),
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
                .map_err(|_| Error::Invalid(t.s("audit.bad_actor").into()))?,
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
        before: q.before,
        limit: q
            .limit
            .unwrap_or(rows)
            .clamp(1, zeren_store::ledger::MAX_PAGE),
    };
    let form = AuditFilterForm {
        actor,
        entity,
        from: from.map(|d| d.to_string()).unwrap_or_default(),
        to: to.map(|d| d.to_string()).unwrap_or_default(),
    };
    Ok((filter, form))
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Query(q): Query<AuditQuery>,
) -> Result<Html<String>> {
    v.require_duty(AdminDuty::Audit)?;
    let t = Tr(lang);
    // The page's size is its own: its links carry the filter and the cursor only.
    let q = AuditQuery { limit: None, ..q };
    let (filter, form) = audit_filter(&q, lang, PAGE_ROWS)?;
    // From the last verified point on: a view costs what was appended since, not the whole
    // chain (`zeren audit verify` and the API's verify walk all of it).
    let verification = state.store.verify_audit_incremental().await?;
    let (chain_ok, chain_status) = match &verification.first_break {
        None => (
            true,
            format!(
                "{}{}（{}）{}",
                t.s("audit.intact"),
                verification.entries,
                verification.algorithm.as_str(),
                t.f(
                    "audit.checked_from",
                    &[(
                        "from",
                        &(verification.from_seq + 1)
                            .min(verification.entries)
                            .to_string()
                    )]
                )
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
    let older = entries
        .last()
        .filter(|_| entries.len() as i64 == filter.limit)
        .map(|e| form.href(Some(e.seq)));
    let newest = filter.before.map(|_| form.href(None));
    render(&AuditPage {
        chrome: Chrome::new(lang, Some(&v)),
        lang,
        chain_ok,
        chain_status,
        actors,
        filter: form,
        entries,
        older,
        newest,
    })
}

/// A page of the log, newest first; when more entries follow, the `Link` header names the next
/// page (`rel="next"`: the same query with `before` the last entry's seq).
pub async fn entries_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
    Query(q): Query<AuditQuery>,
) -> Result<(axum::http::HeaderMap, axum::Json<Vec<AuditEntry>>)> {
    v.require_duty(AdminDuty::Audit)?;
    let (filter, _) = audit_filter(&q, lang, API_ROWS)?;
    let entries = state.store.reader().await?.audit_search(&filter).await?;
    let headers = crate::shared::respond::next_page(
        "/api/v1/audit",
        raw.as_deref(),
        entries.len(),
        filter.limit,
        "before",
        entries.last().map(|e| e.seq.to_string()),
    );
    Ok((headers, axum::Json(entries)))
}

pub async fn verify_json(
    State(state): State<AppState>,
    v: Viewer,
) -> Result<axum::Json<Verification>> {
    v.require_duty(AdminDuty::Audit)?;
    Ok(axum::Json(state.store.verify_audit().await?))
}

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/audit", axum::routing::get(page))
}

pub fn api() -> ApiRouter {
    ApiRouter::new()
        .get("/audit", entries_json)
        .get("/audit/verify", verify_json)
}

pub fn doc() -> ApiDoc {
    ApiDoc::new()
        .path("/audit", "get", op("Audit log entries (audit administrator only), newest first: a page (500 entries unless `limit` says otherwise), filtered in the database. When more follow, the `Link` header names the next page (`rel=\"next\"`: the same query with `before` set)", vec![
            query("actor", s::int()),
            { let mut p = query("entity", s::string()); p["description"] = json!("type or type:id, e.g. unit:3"); p },
            query("from", s::date()),
            query("to", s::date()),
            cursor_param("before", "the entries before this seq (older ones)"),
            limit_param(API_ROWS),
        ], None, (200, paged(json_body("OK", list("AuditEntry")), "</api/v1/audit?actor=3&before=4812>; rel=\"next\"")), &[]))
        .path("/audit/verify", "get", op("Walk the audit chain; names the first broken link (audit administrator only)", vec![], None, (200, json_body("OK", r("Verification"))), &[]))
        .schema("AuditEntry", object(&["seq", "at", "actor_account_id", "actor", "action", "entity_type", "entity_id", "state_digest", "prev_hash", "hash", "details", "key_id"], json!({ "seq": s::int(), "at": s::time(), "actor_account_id": s::int_or_null(), "actor": s::string(), "action": s::string(), "entity_type": s::string(), "entity_id": s::string(), "state_digest": s::string(), "prev_hash": s::string(), "hash": { "type": "string", "description": "SHA-256/SM3 of the entry, or its HMAC under the audit key named by key_id" }, "details": { "type": ["string", "null"], "description": "what the entry states about stored rows, as JSON" }, "key_id": s::string_or_null() })))
        .schema("Verification", object(&["algorithm", "entries", "head", "first_break", "from_seq", "keyed_from", "anchors_checked", "state"], json!({ "algorithm": s::one_of(&["sha256", "sm3"]), "entries": s::int(), "head": s::string(), "first_break": { "description": "null when intact; else where the chain breaks" }, "from_seq": s::int(), "keyed_from": s::int_or_null(), "anchors_checked": s::int(), "state": { "oneOf": [{ "type": "null" }, object(&["record_versions", "records", "review_versions", "review_items", "files"], json!({ "record_versions": s::int(), "records": s::int(), "review_versions": s::int(), "review_items": s::int(), "files": s::int() }))] } })))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every action code the store writes: the string literals of its sources shaped like one
    /// (`record.create`, `body.member.add`), but for the names of the data directory's files.
    fn store_actions() -> Vec<String> {
        const FILES: &[&str] = &[
            "audit.anchors",
            "audit.checkpoint",
            "audit.keyring",
            "notify.key",
            "zeren.db",
            "zeren.lock",
            "zeren.toml",
        ];
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../zeren-store/src");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, literal) in text.split('"').enumerate() {
                let shaped = literal.split('.').count() >= 2
                    && literal.split('.').all(|p| {
                        !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                    });
                if i % 2 == 1 && shaped && !FILES.contains(&literal) {
                    out.push(literal.to_string());
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn every_action_the_store_writes_has_a_label() {
        let actions = store_actions();
        assert!(actions.len() > 30, "{actions:?}");
        for a in &actions {
            assert!(
                LABELS.iter().any(|(code, ..)| code == a),
                "the audit log has no label for the store's action {a:?}"
            );
        }
        assert!(LABELS.windows(2).all(|w| w[0].0 < w[1].0), "sorted by code");
        assert_eq!(
            action_label(Lang::Zh, "record.return"),
            "退回报送材料（record.return）"
        );
    }
}
