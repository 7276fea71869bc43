//! The notifications feature's messages: (id, 中文, English), sorted by id.

use crate::shared::i18n::Catalogue;

pub static MESSAGES: Catalogue = &[
    (
        "notify.bad_email",
        "请填写有效的电子邮箱地址。",
        "Enter a valid e-mail address.",
    ),
    ("notify.by_email", "同时发送到我的电子邮箱", "Also send them to my e-mail"),
    ("notify.email", "电子邮箱", "E-mail address"),
    (
        "notify.explain",
        "到期提醒、逾期提醒和等待您办理的事项。只有您本人能看到这些通知。",
        "Reminders of work due soon or overdue, and what waits for you. Only you see these messages.",
    ),
    ("notify.nav", "通知", "Messages"),
    ("notify.no_person", "此账号未关联人员，没有通知。", "This account is linked to no person: it receives no messages."),
    ("notify.none", "没有通知。", "No messages."),
    ("notify.open", "查看", "Open"),
    ("notify.read_all", "全部标为已读", "Mark all read"),
    ("notify.save", "保存", "Save"),
    ("notify.title", "通知", "Messages"),
    ("notify.unread", "未读", "unread"),
    ("notify.urgent", "紧急", "urgent"),
];
