//! The work feature's messages: (id, 中文, English), sorted by id.

use crate::shared::i18n::Catalogue;

pub static MESSAGES: Catalogue = &[
    (
        "work.accountability_filings",
        "待签收的问责报备",
        "Accountability filings to acknowledge",
    ),
    (
        "work.awaiting_reassignment",
        "待我转交的审核步骤（无人担任审核角色）",
        "Review steps waiting for my reassignment (nobody holds the role)",
    ),
    ("work.due_soon", "即将到期", "Due soon"),
    ("work.finding_due", "整改期限", "Due"),
    (
        "work.findings",
        "督查问题整改（待我办理）",
        "Findings to rectify or re-check",
    ),
    ("work.in_progress", "本期进行中", "In progress this period"),
    (
        "work.incident_clocks",
        "突发事件报告时限",
        "Incident reports due",
    ),
    (
        "work.incident_receipts",
        "待签收的突发事件报告",
        "Incident reports to acknowledge",
    ),
    (
        "work.no_units",
        "您尚未在任何单位任职或获授权。",
        "You hold no role and no grant in any unit yet.",
    ),
    ("work.none", "无", "None"),
    ("work.overdue", "已逾期", "Overdue"),
    ("work.pending", "待签收", "Waiting for my acknowledgement"),
    (
        "work.pending_oldest",
        "以下是最早报送的",
        "Showing the oldest",
    ),
    ("work.recent", "我最近登记的", "What I recorded recently"),
    (
        "work.requests",
        "待报送的临时报送",
        "Requested reports to submit",
    ),
    (
        "work.resubmitted",
        "退回后重新报送",
        "resubmitted after a return",
    ),
    ("work.returned", "被上级退回", "Returned by the parent unit"),
    (
        "work.returned_reviews",
        "退回我修改的事项",
        "My items returned for changes",
    ),
    ("work.title", "我的工作", "My work"),
    ("work.units", "我负责的单位", "My units"),
    (
        "work.upcoming",
        "下期（尚未开始）",
        "Next period (not begun)",
    ),
    ("work.waiting", "待我审核", "Waiting for me"),
];
