//! The message catalogue: every user-facing text by id, in Chinese (first) and English.
//! The language comes from the `zeren_lang` cookie, else Accept-Language, else Chinese.
//! Each feature keeps its own messages (`messages.rs` in its folder); the application installs
//! them all once at start ([`install`]), and a lookup searches the shared ones, then theirs.

use std::sync::OnceLock;

use axum::http::HeaderMap;

/// (id, 中文, English).
pub type Message = (&'static str, &'static str, &'static str);
/// A feature's messages, sorted by id.
pub type Catalogue = &'static [Message];

static INSTALLED: OnceLock<Vec<Catalogue>> = OnceLock::new();

/// Makes the features' catalogues known; the first call wins (they never change).
pub fn install(catalogues: &[Catalogue]) {
    let _ = INSTALLED.set(catalogues.to_vec());
}

/// The message for `id`, shared ones first.
pub fn lookup(id: &str) -> Option<&'static Message> {
    std::iter::once(SHARED)
        .chain(INSTALLED.get().into_iter().flatten().copied())
        .find_map(|c| {
            c.binary_search_by(|(k, _, _)| k.cmp(&id))
                .ok()
                .map(|i| &c[i])
        })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn from_headers(headers: &HeaderMap) -> Lang {
        if let Some(v) = super::cookies::cookie(headers, "zeren_lang") {
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
        match lookup(id) {
            Some((_, zh, en)) => match self.0 {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => {
                tracing::warn!(id, "missing message");
                "?"
            }
        }
    }

    /// The text for `id` with its `{name}` placeholders filled in.
    pub fn f(&self, id: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.s(id).to_string();
        for (k, v) in args {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
    }
}

/// The message that states a naming rule (what is expected).
pub fn name_rule(rule: zeren_core::names::NameRule) -> &'static str {
    use zeren_core::names::NameRule;
    match rule {
        NameRule::UnitName => "rule.unit_name",
        NameRule::UnitKind => "rule.unit_kind",
        NameRule::Username => "rule.username",
        NameRule::TokenName => "rule.token_name",
    }
}

/// Messages of the shared chrome and errors, sorted by id.
pub static SHARED: Catalogue = &[
    ("app.name", "责任制", "Responsibility system"),
    ("common.back_home", "返回首页", "Back to the start page"),
    ("common.remove", "移除", "Remove"),
    ("common.save", "保存", "Save"),
    ("err.bad_query", "网址中的参数无效（例如年份须为数字），请从页面上的链接重新进入。", "The address has a parameter that is not valid (a year must be a number, for example); follow a link on the page instead."),
    ("err.busy", "您同时进行的导出和统计太多，请等已开始的完成后再试。", "You have too many exports and statistics running at once; wait for those already started to finish, then try again."),
    ("err.csrf", "请求来源校验失败，请刷新页面后重试。", "The request failed the cross-site check; reload the page and try again."),
    ("err.forbidden", "您没有执行此操作的权限。", "You do not have permission to do this."),
    ("err.internal", "服务器内部错误，已记录日志。", "Internal server error; it has been logged."),
    ("err.locked", "登录失败次数过多，已暂时锁定，请于 {until}（北京时间）之后再试，或请安全管理员解锁。", "Too many failed logins: locked until {until} (China time); try again after that or ask the security administrator to unlock."),
    ("err.malformed", "无法读取提交的表单，请刷新页面后重新填写。", "The form could not be read; reload the page and fill it in again."),
    ("err.must_change_password", "请先修改管理员为您设置的初始密码。", "Change the initial password an administrator set for you first."),
    ("err.must_enrol_totp", "管理员账号须先启用动态口令，请在“我的”页面完成设置。", "Administrator accounts must set up one-time codes first: do it on your own page."),
    ("err.not_found", "找不到该页面或对象。", "Not found."),
    ("err.setup", "系统尚未初始化。", "The system has not been set up."),
    ("err.too_large", "提交的内容超过上传上限（{mb} MB），没有保存。附件需重新选择；较大的文件请压缩或拆分后分别上传。", "The request is larger than the upload limit ({mb} MB); nothing was saved. Choose the files again; compress or split large ones."),
    ("err.unauthenticated", "请先登录。", "Please log in."),
    ("err.unavailable", "数据库暂时无法写入（磁盘已满、只读或连接中断），请稍后再试；如持续出现，请联系系统管理员。", "The database cannot take writes for now (disk full, read-only or unreachable); try again later, and tell the system administrator if it lasts."),
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
    ("form.files_again", "已选择的附件没有上传，需重新选择。", "The files you chose were not uploaded: choose them again."),
    ("form.passwords_again", "为安全起见，密码需重新输入。", "For safety, passwords must be typed again."),
    ("form.refused", "未保存：请按标出的提示改正后重新提交，已填写的内容都保留着。", "Not saved: correct what is marked and submit again; what you entered is kept."),
    ("nav.accountability", "问责", "Accountability"),
    ("nav.accounts", "账号管理", "Accounts"),
    ("nav.assessment", "考核", "Assessment"),
    ("nav.audit", "审计日志", "Audit log"),
    ("nav.incidents", "突发事件", "Incidents"),
    ("nav.logout", "退出", "Log out"),
    ("nav.pending", "待签收", "To acknowledge"),
    ("nav.reviews", "审核", "Reviews"),
    ("nav.units", "组织机构", "Organisation"),
    ("nav.work", "我的工作", "My work"),
    ("password.rule", "密码至少 10 位，须包含大写字母、小写字母、数字、符号中的至少三类，不得包含用户名、常见单词，也不得有 4 个以上重复、连续或键盘上相邻的字符（如 1111、1234、4321，字母同理）。", "Passwords have at least 10 characters from at least three of: upper case, lower case, digits, symbols; they must not contain the user name, a common word, or four or more repeated, consecutive or keyboard-adjacent characters (aaaa, 1234, abcd, qwer)."),
    ("password.too_weak", "密码不符合要求：", "The password does not meet the rules: "),
    ("policy.applies_to", "适用于：", "applies to: "),
    ("policy.fragment_help", "勾选后，所选实施办法中没有的内容按标准片段补充，并在各处标明“非实施方案原文”；办法中已有的内容不会重复添加。", "Ticked fragments add what the chosen policy lacks, marked everywhere as not from its text; what the policy already has is not added twice."),
    ("policy.fragment_tag", "非实施方案原文（标准片段）", "not from the policy text (standard fragment)"),
    ("policy.fragments", "标准片段（可选）", "Standard fragments (optional)"),
    ("policy.not_utf8", "{file} 不是 UTF-8 编码的文本文件，请用文本编辑器另存为 UTF-8 后重新上传。", "{file} is not a UTF-8 text file; save it as UTF-8 and upload it again."),
    ("policy.pick", "请选择一个实施办法模板或上传文件。", "Choose a policy pack or upload a file."),
    ("rec.version", "第", "v"),
    ("rec.version_suffix", "版", ""),
    ("rule.token_name", "令牌名称须为 1–100 个字。", "The token name must have 1–100 characters."),
    ("rule.unit_kind", "单位类型须为 1–20 个字，如“学校”“党支部”“科室”。", "The kind of unit must have 1–20 characters, e.g. 学校, 党支部, 科室."),
    ("rule.unit_name", "单位名称须为 1–100 个字。", "The unit name must have 1–100 characters."),
    ("rule.username", "用户名须为 3–32 位字母、数字或 . _ -（不含汉字和空格）。", "The user name must have 3–32 letters, digits or . _ - (no Chinese characters, no spaces)."),
    ("status.done_late", "逾期完成", "Done late"),
    ("status.done_on_time", "按时完成", "Done on time"),
    ("status.due_soon", "即将到期", "Due soon"),
    ("status.overdue", "已逾期", "Overdue"),
    ("status.upcoming", "未到期", "Upcoming"),
    ("time.china", "（北京时间）", " (Beijing time)"),
];

#[cfg(test)]
mod tests {
    use super::*;

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
