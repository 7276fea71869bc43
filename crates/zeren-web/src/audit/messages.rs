//! The audit feature's messages: (id, 中文, English), sorted by id.

use crate::shared::i18n::Catalogue;

pub static MESSAGES: Catalogue = &[
    ("audit.action", "操作", "Action"),
    ("audit.anyone", "全部", "anyone"),
    (
        "audit.broken",
        "审计链在此处断裂：",
        "The audit chain is broken: ",
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
    ("audit.person", "操作人", "Person"),
    ("audit.time", "时间（北京时间）", "Time (Beijing time)"),
    ("audit.to", "止", "To"),
];
