//! The jobs feature's messages: (id, 中文, English), sorted by id.

use crate::shared::i18n::Catalogue;

pub static MESSAGES: Catalogue = &[
    ("jobs.attempts", "已尝试", "attempts"),
    ("jobs.dead", "失败待处理", "Failed for good"),
    ("jobs.done", "已完成", "done"),
    (
        "jobs.explain",
        "后台任务在任一服务实例上运行：生成待办、清理、通知扫描和发送邮件。失败的任务会按间隔重试，最后一次仍失败则列在这里；排除原因（例如邮件服务器设置）后可重试。",
        "Background jobs run on any instance: creating obligations, sweeping, the notices scan and sending e-mail. A failed job is retried at intervals; after its last attempt it is listed here, to retry once the cause (a mail server's setting, say) is fixed.",
    ),
    ("jobs.kind.deliver", "发送邮件", "sending an e-mail"),
    ("jobs.kind.materialise", "生成待办", "creating obligations"),
    ("jobs.kind.notices", "通知扫描", "notices scan"),
    ("jobs.kind.other", "其他任务", "other job"),
    ("jobs.kind.sweep", "清理", "sweep"),
    ("jobs.last_error", "最后的错误", "last error"),
    ("jobs.nav", "后台任务", "Background jobs"),
    ("jobs.none_dead", "没有失败的任务。", "No job failed for good."),
    ("jobs.queued", "等待中", "waiting"),
    ("jobs.retry", "重试", "Retry"),
    ("jobs.running", "运行中", "running"),
    ("jobs.title", "后台任务", "Background jobs"),
];
