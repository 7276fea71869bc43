//! The audit feature's messages: (id, 中文, English), sorted by id.

use crate::shared::i18n::Catalogue;

pub static MESSAGES: Catalogue = &[
    ("audit.action", "操作", "Action"),
    ("audit.anonymous", "未登录者", "not signed in"),
    ("audit.anyone", "全部", "anyone"),
    (
        "audit.bad_actor",
        "请从列表中选择操作人。",
        "Choose the person from the list.",
    ),
    (
        "audit.bad_date",
        "日期“{value}”无效，请按“年-月-日”填写，如 2026-03-01。",
        "The date {value} is not valid: use year-month-day, e.g. 2026-03-01.",
    ),
    (
        "audit.broken",
        "审计链在此处断裂：",
        "The audit chain is broken: ",
    ),
    (
        "audit.checked_from",
        "；本次自第 {from} 条起核验（之前的条目已核验过；完整核验请在服务器上执行 zeren audit verify）",
        "; this view checked from entry {from} on (those before were checked already; zeren audit verify on the server checks all)",
    ),
    ("audit.entity", "对象", "Entity"),
    ("audit.filter", "筛选", "Filter"),
    ("audit.from", "起", "From"),
    ("audit.hash", "哈希", "Hash"),
    (
        "audit.intact",
        "审计链完整，条目数：",
        "The audit chain is intact; entries: ",
    ),
    ("audit.newest", "« 最新记录", "« Newest entries"),
    ("audit.older", "更早的记录（下一页）»", "Older entries (next page) »"),
    ("audit.person", "操作人", "Person"),
    ("audit.system", "系统", "the system"),
    ("audit.time", "时间（北京时间）", "Time (Beijing time)"),
    ("audit.to", "止", "To"),
];
