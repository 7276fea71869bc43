//! The message catalogue: every user-facing text by id, in Chinese (first) and English.
//! The language comes from the `zeren_lang` cookie, else Accept-Language, else Chinese.

use axum::http::HeaderMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn from_headers(headers: &HeaderMap) -> Lang {
        if let Some(v) = crate::auth::cookie(headers, "zeren_lang") {
            return if v == "en" { Lang::En } else { Lang::Zh };
        }
        let accept = headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        // The first language listed that we have wins; Chinese when none is.
        for part in accept.split(',') {
            let tag = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if tag.starts_with("zh") {
                return Lang::Zh;
            }
            if tag.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::Zh
    }
}

/// A translator for one language; templates call `t.s("id")`.
#[derive(Clone, Copy, Debug)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn code(&self) -> &'static str {
        match self.0 {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The text for `id`; the id itself when the catalogue lacks it (a test forbids that).
    pub fn s(&self, id: &str) -> &'static str {
        match CATALOGUE.binary_search_by(|(k, _, _)| k.cmp(&id)) {
            Ok(i) => match self.0 {
                Lang::Zh => CATALOGUE[i].1,
                Lang::En => CATALOGUE[i].2,
            },
            Err(_) => {
                tracing::warn!(id, "missing message");
                "?"
            }
        }
    }
}

/// (id, 中文, English), sorted by id.
pub static CATALOGUE: &[(&str, &str, &str)] = &[
    ("accounts.active", "正常", "active"),
    ("accounts.create", "新建账号", "Create account"),
    ("accounts.created", "账号已创建。", "Account created."),
    ("accounts.disable", "停用", "Disable"),
    ("accounts.disabled", "已停用", "disabled"),
    ("accounts.duty", "管理职责", "Administrator duty"),
    ("accounts.enable", "启用", "Enable"),
    ("accounts.grant", "授权", "Grant"),
    ("accounts.grants", "单位权限", "Unit permissions"),
    ("accounts.locked", "已锁定", "locked"),
    ("accounts.person_id", "关联人员编号（可选）", "Linked person id (optional)"),
    ("accounts.reset_password", "重置密码", "Reset password"),
    ("accounts.state", "状态", "State"),
    ("accounts.taken", "该用户名已被使用。", "This user name is taken."),
    ("accounts.unlock", "解锁", "Unlock"),
    ("app.name", "责任制", "Responsibility system"),
    ("assign.bad_role", "该单位执行的实施办法中没有这个角色。", "The policy in force at this unit has no such role."),
    ("assign.person_outside", "只能指定本单位及下级单位的人员。", "Only people of this unit and its sub-units can be assigned."),
    ("audit.action", "操作", "Action"),
    ("audit.anyone", "全部", "anyone"),
    ("audit.broken", "审计链在此处断裂：", "The audit chain is broken: "),
    ("audit.entity", "对象", "Entity"),
    ("audit.filter", "筛选", "Filter"),
    ("audit.from", "起", "From"),
    ("audit.hash", "哈希", "Hash"),
    ("audit.intact", "审计链完整，条目数：", "The audit chain is intact; entries: "),
    ("audit.person", "操作人", "Person"),
    ("audit.time", "时间", "Time"),
    ("audit.to", "止", "To"),
    ("body.add_member", "添加成员", "Add member"),
    ("body.chair", "组长", "chair"),
    ("body.deputy", "副组长", "deputy"),
    ("body.member", "成员", "member"),
    ("body.needs_adjustment", "人员变动，需调整", "post holder changed: needs adjustment"),
    ("body.sync", "按现任人员更新机构成员", "Update members from current post holders"),
    ("cal.copy", "把下面的地址添加到手机或电脑的日历（订阅日历）中：", "Add this address to your phone or computer calendar (subscribe):"),
    ("cal.create", "生成日历订阅地址", "Create a calendar feed"),
    ("cal.explain", "把您的待办订阅到手机日历，到期前三天提醒。", "Subscribe your obligations in your phone's calendar, with a reminder three days before each is due."),
    ("cal.private", "此地址只显示一次，请勿转发；重新生成后旧地址失效。", "This address is shown once; do not share it. Creating a new one disables the old one."),
    ("cal.renew", "重新生成日历订阅地址", "Renew the calendar feed"),
    ("cal.title", "日历订阅", "Calendar feed"),
    ("ch.active", "正常", "active"),
    ("ch.add", "登记阵地", "Register a channel"),
    ("ch.closed", "已关闭", "closed"),
    ("ch.filed_on", "备案日期", "Filed on"),
    ("ch.history", "变更记录", "History"),
    ("ch.kind", "类型", "Kind"),
    ("ch.locator", "账号、网址或地点", "Account, URL or place"),
    ("ch.name", "名称", "Name"),
    ("ch.responsible", "负责人", "Responsible person"),
    ("ch.review_every", "定期检查", "Periodic review"),
    ("ch.set", "设置", "Set"),
    ("ch.status", "状态", "Status"),
    ("ch.suspended", "暂停", "suspended"),
    ("ch.title", "阵地", "Channels"),
    ("common.back_home", "返回首页", "Back to the start page"),
    ("common.remove", "移除", "Remove"),
    ("common.save", "保存", "Save"),
    ("duties.frequency", "频次", "Frequency"),
    ("duties.next_due", "下次到期", "Next due"),
    ("duties.none", "目前没有任职记录。", "No roles held."),
    ("duties.since", "至今", "to date"),
    ("duties.title", "责任清单", "Responsibility list"),
    ("duty.audit", "安全审计员", "Audit administrator"),
    ("duty.none", "普通用户", "User"),
    ("duty.security", "安全管理员", "Security administrator"),
    ("duty.system", "系统管理员", "System administrator"),
    ("err.csrf", "请求来源校验失败，请刷新页面后重试。", "The request failed the cross-site check; reload the page and try again."),
    ("err.forbidden", "您没有执行此操作的权限。", "You do not have permission to do this."),
    ("err.internal", "服务器内部错误，已记录日志。", "Internal server error; it has been logged."),
    ("err.locked", "登录失败次数过多，账号已暂时锁定，请稍后再试或联系安全管理员。", "Too many failed logins: the account is locked for a while; try later or ask the security administrator."),
    ("err.not_found", "找不到该页面或对象。", "Not found."),
    ("err.setup", "系统尚未初始化。", "The system has not been set up."),
    ("err.unauthenticated", "请先登录。", "Please log in."),
    ("field.employee_no", "工号", "Employee number"),
    ("field.ends_on", "卸任日期", "Until"),
    ("field.gender", "性别", "Gender"),
    ("field.id_number", "身份证号", "Resident ID number"),
    ("field.name", "姓名", "Name"),
    ("field.password", "密码", "Password"),
    ("field.person", "人员", "Person"),
    ("field.phone", "手机号", "Phone"),
    ("field.political_status", "政治面貌", "Political status"),
    ("field.position", "职务", "Position"),
    ("field.role", "角色", "Role"),
    ("field.starts_on", "任职日期", "From"),
    ("field.unit", "单位", "Unit"),
    ("field.unit_kind", "单位类型", "Kind of unit"),
    ("field.unit_name", "单位名称", "Unit name"),
    ("field.username", "用户名", "User name"),
    ("footer.not_classified", "本系统不得用于处理涉密信息。", "Not for classified information."),
    ("import.done", "导入成功，人数：", "Imported; people: "),
    ("import.empty", "文件中没有数据行。", "The file has no data rows."),
    ("import.file", "花名册文件（XLSX 或 CSV）", "Roster file (XLSX or CSV)"),
    ("import.help", "下载模板，按列填写后上传。身份证号、手机号、工号请保持为文本格式。所有行都正确时才会导入，否则一行也不导入。", "Download a template, fill it in, upload it. Keep ID, phone and employee numbers as text. Nothing is imported unless every row is correct."),
    ("import.reason", "原因", "Reason"),
    ("import.refused", "花名册有错误，未导入任何人员。请改正以下各行后重新上传：", "The roster has errors and nothing was imported. Correct these rows and upload again:"),
    ("import.row", "行号", "Row"),
    ("import.submit", "上传并导入", "Upload and import"),
    ("import.template_csv", "下载 CSV 模板", "Download CSV template"),
    ("import.template_xlsx", "下载 Excel 模板", "Download Excel template"),
    ("import.title", "导入花名册", "Import roster"),
    ("inbox.empty", "没有待签收的报送。", "Nothing waiting for acknowledgement."),
    ("inbox.explain", "下级单位按规定报送的材料，签收后记入台账。", "Reports the units below submitted to this unit; acknowledging them is recorded."),
    ("inbox.title", "待签收", "Inbox"),
    ("ledger.chain", "审计链校验码", "Audit chain head"),
    ("ledger.count", "记录条数", "Rows"),
    ("ledger.docx", "导出 Word", "Export Word"),
    ("ledger.duty", "工作任务", "Duty"),
    ("ledger.empty", "本年度没有待办。", "No obligations this year."),
    ("ledger.entered_late", "补录", "entered late"),
    ("ledger.filled_by", "填报人", "Filled by"),
    ("ledger.filled_on", "填报日期", "Date"),
    ("ledger.filled_unit", "填报单位", "Unit"),
    ("ledger.no", "序号", "No."),
    ("ledger.periods", "各周期完成情况", "Periods"),
    ("ledger.print", "打印", "Print"),
    ("ledger.show", "查看", "Show"),
    ("ledger.status", "完成情况", "Status"),
    ("ledger.title", "台账", "Ledger"),
    ("ledger.xlsx", "导出 Excel", "Export Excel"),
    ("ledger.year", "年度", "Year"),
    ("ledger.year_suffix", "年度", " "),
    ("ledger.zip", "下载佐证材料", "Download evidence"),
    ("level.administer", "管理", "administer"),
    ("level.edit", "编辑", "edit"),
    ("level.read", "查看", "read"),
    ("login.bad", "用户名或密码错误。", "Wrong user name or password."),
    ("login.submit", "登录", "Log in"),
    ("login.title", "登录", "Log in"),
    ("me.change_password", "修改密码", "Change password"),
    ("me.create_token", "生成令牌", "Create token"),
    ("me.current_password", "当前密码", "Current password"),
    ("me.new_password", "新密码", "New password"),
    ("me.password_changed", "密码已修改，请重新登录。", "Password changed; please log in again."),
    ("me.revoke", "吊销", "Revoke"),
    ("me.revoked", "已吊销", "revoked"),
    ("me.token_name", "令牌名称", "Token name"),
    ("me.token_once", "新令牌如下，只显示这一次，请妥善保存：", "Your new token, shown only this once:"),
    ("me.tokens", "API 令牌", "API tokens"),
    ("me.tokens_help", "脚本调用 /api/v1 时在请求头中使用 Authorization: Bearer <令牌>。", "Scripts call /api/v1 with the header Authorization: Bearer <token>."),
    ("me.wrong_password", "当前密码不正确。", "The current password is wrong."),
    ("nav.accounts", "账号管理", "Accounts"),
    ("nav.audit", "审计日志", "Audit log"),
    ("nav.logout", "退出", "Log out"),
    ("nav.reviews", "审核", "Reviews"),
    ("nav.units", "组织机构", "Organisation"),
    ("nav.work", "我的工作", "My work"),
    ("ob.due", "到期", "Due"),
    ("ob.evidence", "佐证材料", "Evidence"),
    ("ob.needs", "要求", "Requires"),
    ("ob.no_records", "尚未登记。", "Nothing recorded yet."),
    ("ob.period", "周期", "Period"),
    ("ob.records", "记录", "Records"),
    ("ob.records_title", "工作记录", "Records"),
    ("ob.report_to_parent", "须报上级", "reported to the parent unit"),
    ("ob.unit", "单位", "Unit"),
    ("password.rule", "密码至少 10 位，须包含大写字母、小写字母、数字、符号中的至少三类，且不得包含用户名。", "Passwords have at least 10 characters from at least three of: upper case, lower case, digits, symbols, and must not contain the user name."),
    ("password.too_weak", "密码不符合要求：", "The password does not meet the rules: "),
    ("person.assignments", "任职经历", "Roles held"),
    ("person.current", "至今", "now"),
    ("policy.confirm", "确认安装", "Install"),
    ("policy.current", "当前版本", "current"),
    ("policy.first_install", "本单位首次安装实施办法。", "First policy installed at this unit."),
    ("policy.history", "安装记录", "Installed versions"),
    ("policy.install", "安装或升级实施办法", "Install or upgrade a policy"),
    ("policy.installed", "实施办法已安装。", "Policy installed."),
    ("policy.pick", "请选择一个实施办法模板或上传文件。", "Choose a policy pack or upload a file."),
    ("policy.preview", "安装前对比", "Changes before installing"),
    ("policy.show_diff", "查看变化", "Show changes"),
    ("policy.tampered", "提交的实施办法内容与预览不一致，请重新预览。", "The policy text differs from the preview; preview again."),
    ("rec.ack_note", "签收意见", "Note"),
    ("rec.acknowledge", "签收", "Acknowledge"),
    ("rec.acknowledged", "上级已签收", "Acknowledged"),
    ("rec.add_files", "上传佐证材料", "Attach files"),
    ("rec.content", "内容或会议记录", "Content or minutes"),
    ("rec.correct", "更正（生成新版本，原记录保留）", "Correct (a new version; the old one stays)"),
    ("rec.docx", "导出会议记录（Word）", "Meeting record (Word)"),
    ("rec.entered", "登记", "Entered"),
    ("rec.files", "佐证材料", "Files"),
    ("rec.history", "历次版本", "Versions"),
    ("rec.keep_files", "保留的附件", "Keep files"),
    ("rec.new", "登记工作记录", "Record the work"),
    ("rec.participants", "参加人员", "Participants"),
    ("rec.people", "人", " people"),
    ("rec.place", "地点", "Place"),
    ("rec.reason", "更正原因", "Reason for the correction"),
    ("rec.submit", "提交", "Submit"),
    ("rec.submit_correction", "提交更正", "Submit the correction"),
    ("rec.version", "第", "v"),
    ("rec.version_header", "版本", "Version"),
    ("rec.version_suffix", "版", ""),
    ("rec.work_date", "开展日期", "Date of the work"),
    ("rv.all", "全部事项", "All items"),
    ("rv.any", "全部", "All"),
    ("rv.approve", "通过", "Approve"),
    ("rv.at", "时间", "Time"),
    ("rv.audience", "预计规模及对象", "Expected audience"),
    ("rv.body", "正文", "Text"),
    ("rv.channel", "发布阵地", "Channel"),
    ("rv.checklist", "审核要点（逐项确认）", "Checklist (confirm every item)"),
    ("rv.comment", "审核意见", "Opinion"),
    ("rv.context", "上下文", "Context"),
    ("rv.contingency", "工作预案", "Contingency plan"),
    ("rv.date", "日期", "Date"),
    ("rv.decide", "审核", "Decide"),
    ("rv.detail", "审核要点及意见", "Checks and opinion"),
    ("rv.event_fields", "活动信息（活动审批填写）", "Event details (for event approval)"),
    ("rv.events", "已批准的活动（按时间）", "Approved events by date"),
    ("rv.files", "附件", "Attachments"),
    ("rv.filter", "筛选", "Filter"),
    ("rv.findings", "扫描结果", "Scan findings"),
    ("rv.from", "起", "From"),
    ("rv.hash", "版本校验码", "Version hash"),
    ("rv.item_title", "标题", "Title"),
    ("rv.kind", "类型", "Kind"),
    ("rv.kind_decision", "重大决策", "Major decision"),
    ("rv.kind_event", "活动审批", "Event"),
    ("rv.kind_publication", "信息发布", "Publication"),
    ("rv.lawful_basis", "公开依据（扫描有发现时必填，如已取得本人同意）", "Lawful basis for publishing (required when the scan found something, e.g. consent)"),
    ("rv.major", "重大事项", "Major"),
    ("rv.masked", "建议替换为", "Use instead"),
    ("rv.new", "提交审核", "Submit for review"),
    ("rv.new_version", "修改后重新提交", "Submit a new version"),
    ("rv.no_findings", "未发现个人信息或密级标志", "Nothing found"),
    ("rv.no_workflow", "本单位实施的制度中没有审核流程", "The policy in force here has no workflows"),
    ("rv.none", "暂无", "None"),
    ("rv.place", "地点", "Place"),
    ("rv.publish", "标记为已发布", "Mark as published"),
    ("rv.reason", "原因", "Reason"),
    ("rv.reassign", "转交", "Reassign"),
    ("rv.registration", "导出登记表（DOCX）", "Registration form (DOCX)"),
    ("rv.reject", "驳回", "Reject"),
    ("rv.return", "退回修改", "Return for changes"),
    ("rv.risk", "风险评估", "Risk assessment"),
    ("rv.risk_add", "记录风险评估", "Record a risk assessment"),
    ("rv.risk_high", "高", "high"),
    ("rv.risk_level", "风险等级", "Risk level"),
    ("rv.risk_low", "低", "low"),
    ("rv.risk_medium", "中", "medium"),
    ("rv.risk_missing", "尚未完成风险评估，不能审批", "No risk assessment yet: it cannot be approved"),
    ("rv.save", "保存", "Save"),
    ("rv.speakers", "主讲人", "Speakers"),
    ("rv.stage", "状态", "State"),
    ("rv.starts_at", "时间", "Time"),
    ("rv.step", "审核环节", "Step"),
    ("rv.submit", "提交审核", "Submit for review"),
    ("rv.submitter", "提交人", "Submitted by"),
    ("rv.summary", "情况", "Summary"),
    ("rv.title", "审核审批", "Reviews and approvals"),
    ("rv.to", "止", "To"),
    ("rv.trail", "审核记录", "Trail"),
    ("rv.unit", "单位", "Unit"),
    ("rv.updated", "更新时间", "Updated"),
    ("rv.url", "发布地址", "URL"),
    ("rv.versions", "历次版本", "Versions"),
    ("rv.waiting", "待我审核", "Waiting for me"),
    ("rv.waiting_on", "当前审核人", "Waiting for"),
    ("rv.what", "办理结果", "Action"),
    ("rv.where", "位置", "Where"),
    ("rv.who", "办理人", "By"),
    ("rv.withdraw", "撤回", "Withdraw"),
    ("rv.workflow", "审核流程", "Workflow"),
    ("setup.admins", "三员账号", "The three administrators"),
    ("setup.admins_help", "按三员分立要求分设系统管理员、安全管理员、安全审计员，三个账号须各不相同。", "System, security and audit administrators are separate accounts (三员分立)."),
    ("setup.distinct", "三个管理员账号的用户名必须各不相同。", "The three administrator user names must differ."),
    ("setup.errors", "请改正以下问题：", "Please correct the following:"),
    ("setup.intro", "首次使用：选择实施办法、建立顶层单位、创建管理员账号。", "First run: choose a policy, create the top unit and the administrator accounts."),
    ("setup.policy", "实施办法", "Policy"),
    ("setup.submit", "完成初始化", "Finish setup"),
    ("setup.title", "系统初始化", "Setup"),
    ("setup.top_unit", "顶层单位", "Top unit"),
    ("setup.upload", "上传实施办法文件（.toml）", "Upload a policy file (.toml)"),
    ("status.done_late", "逾期完成", "Done late"),
    ("status.done_on_time", "按时完成", "Done on time"),
    ("status.due_soon", "即将到期", "Due soon"),
    ("status.overdue", "已逾期", "Overdue"),
    ("status.upcoming", "未到期", "Upcoming"),
    ("unit.add_child", "添加下级单位", "Add sub-unit"),
    ("unit.add_person", "添加人员", "Add person"),
    ("unit.assign", "任命", "Assign"),
    ("unit.bodies", "领导机构", "Bodies"),
    ("unit.children", "下级单位", "Sub-units"),
    ("unit.end", "卸任", "End"),
    ("unit.history", "历史任职", "Past holders"),
    ("unit.holders", "现任", "Holders"),
    ("unit.import", "导入花名册", "Import roster"),
    ("unit.inherited", "继承自上级单位", "inherited from a parent unit"),
    ("unit.no_bodies", "尚无领导机构。", "No bodies yet."),
    ("unit.no_policy", "本单位尚未执行任何实施办法。", "No policy is in force at this unit."),
    ("unit.people", "人员", "People"),
    ("unit.policy", "实施办法", "Policy"),
    ("unit.policy_in_force", "执行的实施办法", "Policy in force"),
    ("unit.rename", "修改单位名称或类型", "Rename or change kind"),
    ("unit.roles", "责任角色", "Roles"),
    ("unit.since", "自", "since"),
    ("units.none", "您没有任何单位的权限。", "You have no unit permissions."),
    ("warn.over", "人数超出上限", "more holders than allowed"),
    ("warn.too_few", "人数不足", "fewer holders than required"),
    ("warn.unassigned", "未指定", "No holder: "),
    ("work.due_soon", "即将到期", "Due soon"),
    ("work.no_units", "您尚未在任何单位任职或获授权。", "You hold no role and no grant in any unit yet."),
    ("work.none", "无", "None"),
    ("work.overdue", "已逾期", "Overdue"),
    ("work.recent", "我最近登记的", "What I recorded recently"),
    ("work.title", "我的工作", "My work"),
    ("work.units", "我负责的单位", "My units"),
    ("work.upcoming", "即将开始", "Coming up"),
    ("work.waiting", "待我审核", "Waiting for me"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_sorted_and_unique() {
        for w in CATALOGUE.windows(2) {
            assert!(w[0].0 < w[1].0, "{} must sort before {}", w[0].0, w[1].0);
        }
    }

    /// Every `t.s("…")` in the templates and `s("…")` in the code has an entry.
    #[test]
    fn every_used_id_is_in_the_catalogue() {
        let mut missing = Vec::new();
        let dirs = [
            "templates/layouts",
            "templates/pages",
            "templates/components",
            "src",
        ];
        for dir in dirs {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for entry in std::fs::read_dir(&dir).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                for piece in text.split("s(\"").skip(1) {
                    let id = piece.split('"').next().unwrap();
                    let looks_like_id = id.contains('.')
                        && id
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_');
                    if looks_like_id && CATALOGUE.binary_search_by(|(k, _, _)| k.cmp(&id)).is_err()
                    {
                        missing.push(id.to_string());
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing messages: {missing:?}");
    }

    #[test]
    fn language_from_headers() {
        let mut h = HeaderMap::new();
        assert_eq!(Lang::from_headers(&h), Lang::Zh);
        h.insert("accept-language", "en-US,en;q=0.9".parse().unwrap());
        assert_eq!(Lang::from_headers(&h), Lang::En);
        h.insert("cookie", "zeren_lang=zh".parse().unwrap());
        assert_eq!(Lang::from_headers(&h), Lang::Zh);
    }
}
