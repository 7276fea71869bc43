//! The policy as domain types. A value of these types has been validated: ids are well formed,
//! references resolve, enumerations are closed. Nothing downstream re-parses strings.

use std::fmt;

use serde::Serialize;

/// Declares a newtype for an identifier `[a-z][a-z0-9_]*`.
macro_rules! id_type {
    ($($(#[$m:meta])* $name:ident;)*) => {$(
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Parses an identifier; `None` unless it matches `[a-z][a-z0-9_]*`.
            pub fn parse(s: &str) -> Option<Self> {
                is_identifier(s).then(|| Self(s.to_owned()))
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        /// Read back only if well formed, so stored events cannot carry a malformed id.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).ok_or_else(|| {
                    serde::de::Error::custom(format!("not an identifier: {s:?}"))
                })
            }
        }
    )*};
}

/// Identifies a policy: its file name without `.toml` by convention, so hyphens are allowed
/// (`district-school`): `[a-z][a-z0-9_-]*`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct PolicyId(String);

impl PolicyId {
    pub fn parse(s: &str) -> Option<Self> {
        let mut bytes = s.bytes();
        let ok = matches!(bytes.next(), Some(b'a'..=b'z'))
            && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-'));
        ok.then(|| Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PolicyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Identifies a standard policy fragment (`publication-review`): the same spelling as a policy id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct FragmentId(String);

impl FragmentId {
    pub fn parse(s: &str) -> Option<Self> {
        PolicyId::parse(s).map(|p| Self(p.0))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FragmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

id_type! {
    /// A role a person can hold in a unit.
    RoleId;
    /// A body (committee) such as the leading group.
    BodyId;
    /// A recurring duty.
    DutyId;
    /// A review workflow.
    WorkflowId;
    /// An incident level.
    LevelId;
    /// An assessment item.
    ItemId;
    /// An accountability circumstance.
    CircumstanceId;
    /// A kind of unit (school, party_branch …), as the organisation data names it.
    UnitKind;
    /// A kind of incident (舆情, 网络安全事件, 生产安全事故 …).
    IncidentKindId;
    /// A numeric fact about an incident that level thresholds compare (deaths, affected users …).
    IncidentMeasureId;
    /// An inspection programme (督查).
    InspectionId;
    /// A severity of inspection findings.
    SeverityId;
    /// A veto (一票否决) of an assessment.
    VetoId;
    /// A grade band of an assessment (优秀, 合格 …).
    GradeId;
}

/// `[a-z][a-z0-9_]*`
pub fn is_identifier(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z'))
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_'))
}

/// A pointer into the text the policy was written from: `L91` or `L88-L89`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
pub struct SourceRef {
    pub first: u32,
    pub last: u32,
}

impl SourceRef {
    pub fn parse(s: &str) -> Option<Self> {
        let line = |p: &str| -> Option<u32> {
            let digits = p.strip_prefix('L')?;
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            digits.parse().ok().filter(|&n| n > 0)
        };
        match s.split_once('-') {
            None => line(s).map(|n| SourceRef { first: n, last: n }),
            Some((a, b)) => {
                let (first, last) = (line(a)?, line(b)?);
                (first <= last).then_some(SourceRef { first, last })
            }
        }
    }
}

impl fmt::Display for SourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last {
            write!(f, "L{}", self.first)
        } else {
            write!(f, "L{}-L{}", self.first, self.last)
        }
    }
}

/// A length of time: `<n>m`, `<n>h`, `<n>d` or `<n>w`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Duration {
    pub amount: u32,
    pub unit: DurationUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationUnit {
    Minutes,
    Hours,
    Days,
    Weeks,
}

impl Duration {
    pub fn parse(s: &str) -> Option<Self> {
        let unit = match s.as_bytes().last()? {
            b'm' => DurationUnit::Minutes,
            b'h' => DurationUnit::Hours,
            b'd' => DurationUnit::Days,
            b'w' => DurationUnit::Weeks,
            _ => return None,
        };
        let digits = &s[..s.len() - 1];
        if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Duration {
            amount: digits.parse().ok()?,
            unit,
        })
    }

    pub fn minutes(self) -> u64 {
        let n = u64::from(self.amount);
        match self.unit {
            DurationUnit::Minutes => n,
            DurationUnit::Hours => n * 60,
            DurationUnit::Days => n * 60 * 24,
            DurationUnit::Weeks => n * 60 * 24 * 7,
        }
    }

    /// Whole days, when the unit is days or weeks.
    pub fn whole_days(self) -> Option<u32> {
        match self.unit {
            DurationUnit::Days => Some(self.amount),
            DurationUnit::Weeks => Some(self.amount * 7),
            _ => None,
        }
    }

    /// In Chinese: 1小时, 7天, 2周, 30分钟.
    pub fn zh(self) -> String {
        let unit = match self.unit {
            DurationUnit::Minutes => "分钟",
            DurationUnit::Hours => "小时",
            DurationUnit::Days => "天",
            DurationUnit::Weeks => "周",
        };
        format!("{}{unit}", self.amount)
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let u = match self.unit {
            DurationUnit::Minutes => 'm',
            DurationUnit::Hours => 'h',
            DurationUnit::Days => 'd',
            DurationUnit::Weeks => 'w',
        };
        write!(f, "{}{u}", self.amount)
    }
}

/// Declares a closed enumeration read from a fixed set of words, with Chinese labels.
macro_rules! word_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $word:literal / $zh:literal,)* } $words:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
        pub enum $name { $(#[serde(rename = $word)] $variant,)* }

        /// The words this enumeration accepts, in the policy file's spelling.
        pub const $words: &[&str] = &[$($word),*];

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($word => Some($name::$variant),)* _ => None }
            }
            /// The word used in policy files and the API.
            pub fn word(self) -> &'static str {
                match self { $($name::$variant => $word,)* }
            }
            /// The label shown in the UI.
            pub fn zh(self) -> &'static str {
                match self { $($name::$variant => $zh,)* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.word())
            }
        }
    };
}

word_enum! {
    /// How often a duty recurs.
    Frequency {
        Week = "week" / "每周",
        Month = "month" / "每月",
        Quarter = "quarter" / "每季度",
        HalfYear = "half_year" / "每半年",
        Year = "year" / "每年",
        Holiday = "holiday" / "每个法定节假日前",
    } FREQUENCY_WORDS
}

/// Frequencies that are calendar periods (everything but `holiday`).
pub const PERIOD_WORDS: &[&str] = &["week", "month", "quarter", "half_year", "year"];

word_enum! {
    /// Whom a duty's obligations are for.
    Per {
        Unit = "unit" / "每个单位",
        Holder = "holder" / "每名任职人员",
    } PER_WORDS
}

word_enum! {
    /// Fields a record must carry to fulfil a duty.
    Evidence {
        Minutes = "minutes" / "会议记录",
        Attendance = "attendance" / "参加人员",
        Document = "document" / "文件材料",
        Photo = "photo" / "照片",
    } EVIDENCE_WORDS
}

word_enum! {
    /// How a due date that falls on a non-working day moves.
    Workday {
        Before = "before" / "提前到前一个工作日",
        After = "after" / "顺延到下一个工作日",
        Any = "any" / "不调整",
    } WORKDAY_WORDS
}

word_enum! {
    /// Kinds of review workflow.
    WorkflowKind {
        Publication = "publication" / "信息发布审核",
        Event = "event" / "活动审批",
        Decision = "decision" / "重大事项",
    } WORKFLOW_KIND_WORDS
}

word_enum! {
    /// Records a workflow needs before it can be approved.
    Requirement {
        RiskAssessment = "risk_assessment" / "风险评估",
    } REQUIREMENT_WORDS
}

word_enum! {
    /// Kinds of channel (阵地) a unit runs.
    ChannelKind {
        Website = "website" / "网站",
        WechatOfficial = "wechat_official" / "微信公众号",
        Weibo = "weibo" / "微博",
        QqGroup = "qq_group" / "QQ群",
        WechatGroup = "wechat_group" / "微信群",
        App = "app" / "客户端",
        ShortVideo = "short_video" / "短视频账号",
        Newspaper = "newspaper" / "报刊",
        Broadcast = "broadcast" / "广播",
        Television = "television" / "电视",
        DisplayWindow = "display_window" / "橱窗",
        LedScreen = "led_screen" / "LED屏",
        LectureHall = "lecture_hall" / "报告厅",
        Classroom = "classroom" / "课堂",
        Lecture = "lecture" / "讲座",
        Forum = "forum" / "论坛",
        Salon = "salon" / "沙龙",
        StudentClub = "student_club" / "学生社团",
    } CHANNEL_KIND_WORDS
}

/// When a duty's obligation is due within its period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum DueRule {
    /// The last day of the period.
    End,
    /// The first day of the period plus this many days.
    StartPlus { days: u32 },
    /// A fixed month and day (yearly duties only).
    MonthDay { month: u32, day: u32 },
}

impl DueRule {
    pub fn parse(s: &str) -> Option<Self> {
        if s == "end" {
            return Some(DueRule::End);
        }
        if let Some(rest) = s.strip_prefix("start+") {
            let digits = rest.strip_suffix('d')?;
            if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            return Some(DueRule::StartPlus {
                days: digits.parse().ok()?,
            });
        }
        let (m, d) = s.split_once('-')?;
        if m.len() != 2 || d.len() != 2 {
            return None;
        }
        let (month, day): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
        // Validate against a leap year so 02-29 is accepted; the calendar clamps it in other years.
        chrono::NaiveDate::from_ymd_opt(2024, month, day)?;
        Some(DueRule::MonthDay { month, day })
    }
}

impl fmt::Display for DueRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DueRule::End => f.write_str("end"),
            DueRule::StartPlus { days } => write!(f, "start+{days}d"),
            DueRule::MonthDay { month, day } => write!(f, "{month:02}-{day:02}"),
        }
    }
}

/// Which units a duty or responsibility applies to, relative to the unit where the policy is installed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum At {
    /// The unit itself.
    #[serde(rename = "self")]
    SelfUnit,
    /// Each direct child unit.
    Children,
    /// Every descendant of this kind.
    Kind(UnitKind),
}

impl UnitKind {
    /// The kind's name in Chinese for the common kinds; the id itself for others.
    pub fn zh(&self) -> &str {
        match self.as_str() {
            "bureau" => "局",
            "school" => "学校",
            "party_committee" => "党委",
            "party_branch" => "党支部",
            "department" => "部门",
            "office" => "处室",
            "teaching_group" => "教研组",
            "branch_farm" => "分场",
            "college" => "院（系）",
            "enterprise" => "企业",
            "hospital" => "医院",
            other => other,
        }
    }
}

impl At {
    pub fn zh(&self) -> String {
        match self {
            At::SelfUnit => "本单位".into(),
            At::Children => "各下级单位".into(),
            At::Kind(k) => format!("各{}", k.zh()),
        }
    }
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::SelfUnit => f.write_str("self"),
            At::Children => f.write_str("children"),
            At::Kind(k) => write!(f, "kind:{k}"),
        }
    }
}

/// A policy file, validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    pub meta: PolicyMeta,
    pub roles: Vec<Role>,
    pub bodies: Vec<Body>,
    pub duties: Vec<Duty>,
    pub responsibilities: Vec<Responsibility>,
    pub workflows: Vec<Workflow>,
    pub channels: Option<Channels>,
    pub incidents: Option<Incidents>,
    pub assessment: Option<Assessment>,
    pub accountability: Option<Accountability>,
    /// Inspection programmes (督查): who inspects whom, with what checklist.
    pub inspections: Vec<Inspection>,
    /// How findings are rectified (整改): severities and their due-date rules.
    pub rectification: Option<Rectification>,
    /// The standard fragments the policy includes, in the order of its `include`, with what
    /// each added. Empty for a policy without `include`.
    pub included: Vec<Included>,
}

impl Policy {
    pub fn role(&self, id: &RoleId) -> Option<&Role> {
        self.roles.iter().find(|r| &r.id == id)
    }
    pub fn body(&self, id: &BodyId) -> Option<&Body> {
        self.bodies.iter().find(|b| &b.id == id)
    }
    pub fn duty(&self, id: &DutyId) -> Option<&Duty> {
        self.duties.iter().find(|d| &d.id == id)
    }
    pub fn workflow(&self, id: &WorkflowId) -> Option<&Workflow> {
        self.workflows.iter().find(|w| &w.id == id)
    }
    pub fn inspection(&self, id: &InspectionId) -> Option<&Inspection> {
        self.inspections.iter().find(|i| &i.id == id)
    }
    /// The role's title, or its id when it is unknown (never the case for a validated policy).
    pub fn role_title<'a>(&'a self, id: &'a RoleId) -> &'a str {
        self.role(id).map_or(id.as_str(), |r| r.title.as_str())
    }

    /// Where an entry comes from: the policy's own text, or a standard fragment it includes.
    pub fn origin(&self, entry: &Entry) -> Origin<'_> {
        self.included
            .iter()
            .find(|f| f.entries.contains(entry))
            .map_or(Origin::Policy, Origin::Fragment)
    }
    pub fn role_origin(&self, id: &RoleId) -> Origin<'_> {
        self.origin(&Entry::Role(id.clone()))
    }
    pub fn body_origin(&self, id: &BodyId) -> Origin<'_> {
        self.origin(&Entry::Body(id.clone()))
    }
    pub fn duty_origin(&self, id: &DutyId) -> Origin<'_> {
        self.origin(&Entry::Duty(id.clone()))
    }
    pub fn workflow_origin(&self, id: &WorkflowId) -> Origin<'_> {
        self.origin(&Entry::Workflow(id.clone()))
    }
    /// The origin of `responsibilities[index]`.
    pub fn responsibility_origin(&self, index: usize) -> Origin<'_> {
        self.origin(&Entry::Responsibility(index))
    }

    /// The roles by rank, most senior first (see [`Policy::role_rank`]).
    pub fn roles_by_rank(&self) -> Vec<&Role> {
        let mut v: Vec<(usize, &Role)> = self
            .roles
            .iter()
            .map(|r| (self.role_rank(&r.id), r))
            .collect();
        v.sort_by_key(|(rank, _)| *rank);
        v.into_iter().map(|(_, r)| r).collect()
    }

    /// A sort key that orders roles by rank, most senior first: the first responsible (the role
    /// `first_responsible`, or titled 第一责任人) first, then every other role in the order the
    /// file declares them (the packs keep their seed text's order: chairs, deputies, members,
    /// then departments and officers). Unknown ids sort last.
    pub fn role_rank(&self, id: &RoleId) -> usize {
        let Some(index) = self.roles.iter().position(|r| &r.id == id) else {
            return usize::MAX;
        };
        let role = &self.roles[index];
        if id.as_str() == "first_responsible" || role.title == "第一责任人" {
            index
        } else {
            self.roles.len() + index
        }
    }
}

/// Something a policy declares, named so that its origin can be asked for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "entry", content = "id", rename_all = "snake_case")]
pub enum Entry {
    Role(RoleId),
    Body(BodyId),
    Duty(DutyId),
    Workflow(WorkflowId),
    /// An index into [`Policy::responsibilities`].
    Responsibility(usize),
    /// A channel kind `[channels] kinds` lists.
    ChannelKind(ChannelKind),
    /// `[channels] review_every`.
    ChannelReview,
    /// `[channels] publish_via`.
    ChannelPublishVia,
}

/// A standard fragment a policy includes, and what it added to the policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Included {
    pub id: FragmentId,
    pub title: String,
    pub description: Option<String>,
    pub version: Option<String>,
    /// Whether the fragment's text is embedded in the policy file (`[[include]] text = '''…'''`,
    /// as in an installed policy, which is self-contained), or was taken from the fragments
    /// bundled with this build (`include = ["publication-review"]`).
    pub embedded: bool,
    /// What the fragment added, in the order it declares them.
    pub entries: Vec<Entry>,
}

/// Where an entry of a policy comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Origin<'p> {
    /// The policy's own text (for a seed pack: the implementation rules it was written from).
    Policy,
    /// A standard fragment: not from the text the policy was written from.
    Fragment(&'p Included),
}

impl Origin<'_> {
    /// What the UI says of an entry from a fragment.
    pub const FRAGMENT_ZH: &'static str = "非实施方案原文（标准片段）";

    pub fn is_fragment(self) -> bool {
        matches!(self, Origin::Fragment(_))
    }

    /// `None` for the policy's own entries; `非实施方案原文（标准片段：<title>）` for a fragment's.
    pub fn zh(self) -> Option<String> {
        match self {
            Origin::Policy => None,
            Origin::Fragment(f) => Some(format!("非实施方案原文（标准片段：{}）", f.title)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyMeta {
    pub id: PolicyId,
    pub title: String,
    pub version: Option<String>,
    pub system: Option<String>,
    pub issued_by: Option<String>,
    pub based_on: Vec<String>,
    pub source_text: Option<String>,
    /// The kinds of unit the policy is for (`applies_to`). Installed at a unit, it governs every
    /// unit of these kinds in the subtree (the installing unit included) that has no closer
    /// installation of its own. Empty: the installing unit only.
    pub applies_to: Vec<UnitKind>,
}

impl PolicyMeta {
    /// Whether an installation of this policy governs a unit of `unit_kind` in its subtree
    /// (`is_install_unit` when it is the installing unit itself); see [`kind_governs`].
    pub fn governs(&self, is_install_unit: bool, unit_kind: &str) -> bool {
        kind_governs(&self.applies_to, is_install_unit, unit_kind)
    }
}

/// Whether a policy with `applies_to` governs a unit of `unit_kind` below (or at) where it is
/// installed: a unit of one of those kinds (by id or Chinese name); without kinds, only the
/// installing unit.
pub fn kind_governs(applies_to: &[UnitKind], is_install_unit: bool, unit_kind: &str) -> bool {
    if applies_to.is_empty() {
        return is_install_unit;
    }
    applies_to
        .iter()
        .any(|k| unit_kind == k.as_str() || unit_kind == k.zh())
}

/// How many people may hold a role in one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Holders {
    pub min: u32,
    pub max: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Role {
    pub id: RoleId,
    pub title: String,
    pub held_by: Option<String>,
    pub holders: Holders,
    pub source: Option<SourceRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Body {
    pub id: BodyId,
    pub title: String,
    pub chair: Vec<RoleId>,
    pub deputies: Vec<RoleId>,
    pub members: Vec<RoleId>,
    pub within: Option<BodyId>,
    pub remit: Option<String>,
    pub source: Option<SourceRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Duty {
    pub id: DutyId,
    pub title: String,
    pub description: Option<String>,
    pub every: Frequency,
    /// At least this many records per period.
    pub times: u32,
    pub owner: Option<RoleId>,
    pub per: Per,
    /// For `per = holder`: whose holders each get an obligation.
    pub role: Option<RoleId>,
    pub evidence: Vec<Evidence>,
    pub report_to_parent: bool,
    pub due: DueRule,
    pub workday: Workday,
    /// For `every = holiday`: due this long before the holiday's first day.
    pub lead: Option<Duration>,
    pub at: At,
    pub source: Option<SourceRef>,
}

impl Duty {
    /// The role that answers for the duty: its owner, else the role whose holders it is for.
    pub fn answering_role(&self) -> Option<&RoleId> {
        self.owner.as_ref().or(self.role.as_ref())
    }

    /// The frequency in Chinese, e.g. 每季度至少1次, 每个法定节假日前3天.
    pub fn frequency_zh(&self) -> String {
        match self.every {
            Frequency::Holiday => match self.lead {
                Some(lead) => format!("每个法定节假日前{}", lead.zh()),
                None => "每个法定节假日前".into(),
            },
            f => format!("{}至少{}次", f.zh(), self.times),
        }
    }
}

/// Who answers for an untimed responsibility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answerer {
    Role(RoleId),
    Body(BodyId),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Responsibility {
    pub who: Answerer,
    pub text: String,
    pub at: At,
    pub source: Option<SourceRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Workflow {
    pub id: WorkflowId,
    pub title: String,
    pub kind: WorkflowKind,
    pub checklist: Vec<String>,
    pub scan: bool,
    pub requires: Vec<Requirement>,
    /// The role whose holders (定密责任人) may confirm a 解密/定密 decision that clears a secrecy
    /// marking found by the scan. Without it a marked version cannot be approved at all.
    pub declassified_by: Option<RoleId>,
    /// A role whose holders may 转交 a step, besides the unit's administrators.
    pub reassigned_by: Option<RoleId>,
    pub steps: Vec<Step>,
    pub source: Option<SourceRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub title: String,
    pub role: RoleId,
    /// Applies only to items marked major (`when = "major"`).
    pub major_only: bool,
    /// Applies only to events with a speaker from outside the mainland (`when = "foreign_speaker"`,
    /// 境外人员主讲): the stricter step.
    pub foreign_speaker_only: bool,
    /// 会签: every holder must approve (default: any one holder).
    pub all: bool,
    pub source: Option<SourceRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Channels {
    pub kinds: Vec<ChannelKind>,
    pub review_every: Option<Frequency>,
    pub publish_via: Option<WorkflowId>,
    /// A published URL must be on the channel's own domain (its locator's host).
    pub restrict_urls: bool,
    pub source: Option<SourceRef>,
}

/// How soon an incident of a level must be reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportWithin {
    /// 第一时间: at once.
    Immediately,
    Within(Duration),
}

impl ReportWithin {
    pub fn zh(self) -> String {
        match self {
            ReportWithin::Immediately => "第一时间".into(),
            ReportWithin::Within(d) => format!("{}内", d.zh()),
        }
    }
}

impl fmt::Display for ReportWithin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportWithin::Immediately => f.write_str("immediately"),
            ReportWithin::Within(d) => d.fmt(f),
        }
    }
}

/// Incident rules (舆情 / 突发事件). Every duration here runs on the **wall clock** (24×7, China
/// time, UTC+8): the working-day calendar that moves duties' due dates never applies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incidents {
    pub officer: Option<RoleId>,
    /// Kinds of incident the policy distinguishes (empty: one unnamed kind).
    pub kinds: Vec<IncidentKind>,
    /// Numeric facts the levels' thresholds compare.
    pub measures: Vec<IncidentMeasure>,
    /// Most severe first (the order of the file).
    pub levels: Vec<IncidentLevel>,
    pub source: Option<SourceRef>,
}

impl Incidents {
    pub fn level(&self, id: &LevelId) -> Option<&IncidentLevel> {
        self.levels.iter().find(|l| &l.id == id)
    }
    /// The level's position, 0 for the most severe.
    pub fn severity_rank(&self, id: &LevelId) -> Option<usize> {
        self.levels.iter().position(|l| &l.id == id)
    }
    pub fn kind(&self, id: &IncidentKindId) -> Option<&IncidentKind> {
        self.kinds.iter().find(|k| &k.id == id)
    }
    pub fn measure(&self, id: &IncidentMeasureId) -> Option<&IncidentMeasure> {
        self.measures.iter().find(|m| &m.id == id)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentKind {
    pub id: IncidentKindId,
    pub title: String,
    pub description: Option<String>,
    pub source: Option<SourceRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentMeasure {
    pub id: IncidentMeasureId,
    pub title: String,
    /// 人, 万元, 户 …
    pub unit: Option<String>,
    pub source: Option<SourceRef>,
}

/// A numeric criterion of a level: the measure is at least `at_least` and below `below`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Threshold {
    pub measure: IncidentMeasureId,
    pub at_least: Option<i64>,
    pub below: Option<i64>,
}

impl Threshold {
    pub fn matches(&self, value: i64) -> bool {
        self.at_least.is_none_or(|a| value >= a) && self.below.is_none_or(|b| value < b)
    }
}

/// Where a report goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "to", content = "id", rename_all = "snake_case")]
pub enum ReportTarget {
    /// The parent unit.
    Parent,
    /// Every unit up to this many levels above (`up = 1` is the parent).
    Up(u32),
    /// A body of the policy (e.g. the leading group), at the unit where the policy is installed.
    Body(BodyId),
    /// The holders of a role in the reporting unit (e.g. its first responsible).
    Role(RoleId),
}

impl ReportTarget {
    /// How many levels up the tree the report must reach (0 for a body or role).
    pub fn levels_up(&self) -> u32 {
        match self {
            ReportTarget::Parent => 1,
            ReportTarget::Up(n) => *n,
            ReportTarget::Body(_) | ReportTarget::Role(_) => 0,
        }
    }
}

/// Who reviews an incident's closure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", content = "id", rename_all = "snake_case")]
pub enum ClosureReviewer {
    Parent,
    Role(RoleId),
    Body(BodyId),
}

/// A time of day on the China wall clock, for daily reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TimeOfDay {
    pub hour: u32,
    pub minute: u32,
}

impl TimeOfDay {
    pub fn parse(s: &str) -> Option<Self> {
        let (h, m) = s.split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        let (hour, minute): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (hour < 24 && minute < 60).then_some(TimeOfDay { hour, minute })
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentLevel {
    pub id: LevelId,
    pub title: String,
    /// 初报 deadline from when the unit knew of the incident; `None`: no clock (及时, or not said).
    /// Units of a kind in `report_within_by_kind` use that instead.
    pub report_within: Option<ReportWithin>,
    /// True when the report goes to the parent (or further up).
    pub escalate_to_parent: bool,
    /// The incident should be closed this long after it became known.
    pub close_within: Option<Duration>,
    pub source: Option<SourceRef>,
    /// The level's criteria in words (判定标准).
    pub criteria: Option<String>,
    /// Numeric criteria; the level applies when any one matches.
    pub thresholds: Vec<Threshold>,
    /// The kinds of incident the level is for (empty: every kind).
    pub kinds: Vec<IncidentKindId>,
    /// 初报 deadlines for reporting units of these kinds (e.g. 关键信息基础设施运营者 1 hour).
    pub report_within_by_kind: Vec<(UnitKind, ReportWithin)>,
    /// Whom the reports go to. Empty: nobody outside the unit is named.
    pub report_to: Vec<ReportTarget>,
    /// With `report_to` more than one level up: each recipient passes the report on, one level
    /// at a time, within this of receiving it (逐级上报). Without it the unit reports to each
    /// level directly.
    pub relay_within: Option<Duration>,
    /// When a phone report comes first: the written 初报 is due this long after the incident
    /// became known.
    pub written_within: Option<Duration>,
    /// The role whose holder signs off (签发) each written report before it leaves the unit.
    pub sign_off: Option<RoleId>,
    /// While the incident is open, a 续报 is due at most this long after the previous report.
    pub follow_up_every: Option<Duration>,
    /// While the incident is open, a report is due every day by this time (China time), from the
    /// day after the 初报.
    pub daily_report_at: Option<TimeOfDay>,
    /// The 终报 is due this long after handling ended.
    pub final_within: Option<Duration>,
    /// Who must accept the closure; `None`: the unit closes it itself.
    pub close_review: Option<ClosureReviewer>,
    /// What the handling log must show before closure (e.g. 专题会商).
    pub handling: Vec<String>,
}

impl IncidentLevel {
    /// The 初报 deadline for a reporting unit of `unit_kind`.
    pub fn report_within_for(&self, unit_kind: &str) -> Option<ReportWithin> {
        self.report_within_by_kind
            .iter()
            .find(|(k, _)| k.as_str() == unit_kind || k.zh() == unit_kind)
            .map(|(_, r)| *r)
            .or(self.report_within)
    }

    /// The reporting rules in Chinese, one line each, for the UI and the policy diff.
    pub fn rules_zh(&self, policy: &Policy) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(c) = &self.criteria {
            out.push(format!("判定标准：{c}"));
        }
        let mut first = match self.report_within {
            Some(r) => format!("初报：{}", r.zh()),
            None if self.report_to.is_empty() && !self.escalate_to_parent => String::new(),
            None => "初报：及时".into(),
        };
        for (k, r) in &self.report_within_by_kind {
            if !first.is_empty() {
                first.push('；');
            } else {
                first.push_str("初报：");
            }
            first.push_str(&format!("{}：{}", k.zh(), r.zh()));
        }
        if !first.is_empty() {
            out.push(first);
        }
        if !self.report_to.is_empty() {
            let to: Vec<String> = self
                .report_to
                .iter()
                .map(|t| match t {
                    ReportTarget::Parent => "上级".to_owned(),
                    ReportTarget::Up(n) => format!("上{n}级"),
                    ReportTarget::Body(b) => {
                        policy.body(b).map_or(b.to_string(), |x| x.title.clone())
                    }
                    ReportTarget::Role(r) => policy.role_title(r).to_owned(),
                })
                .collect();
            let mut line = format!("报告：{}", to.join("、"));
            if let Some(r) = self.relay_within {
                line.push_str(&format!("（逐级上报，每级{}内）", r.zh()));
            }
            out.push(line);
        }
        if let Some(w) = self.written_within {
            out.push(format!("书面报告：{}内", w.zh()));
        }
        if let Some(r) = &self.sign_off {
            out.push(format!("签发：{}", policy.role_title(r)));
        }
        if let Some(d) = self.follow_up_every {
            out.push(format!("续报：每{}", d.zh()));
        }
        if let Some(t) = self.daily_report_at {
            out.push(format!("每日报告：{t}前"));
        }
        if let Some(d) = self.final_within {
            out.push(format!("终报：处置结束后{}内", d.zh()));
        }
        if let Some(d) = self.close_within {
            out.push(format!("办结：{}内", d.zh()));
        }
        if let Some(r) = &self.close_review {
            let who = match r {
                ClosureReviewer::Parent => "上级".to_owned(),
                ClosureReviewer::Role(r) => policy.role_title(r).to_owned(),
                ClosureReviewer::Body(b) => {
                    policy.body(b).map_or(b.to_string(), |x| x.title.clone())
                }
            };
            out.push(format!("办结审核：{who}"));
        }
        if !self.handling.is_empty() {
            out.push(format!("处置要求：{}", self.handling.join("；")));
        }
        out
    }
}

/// Who carries out an inspection, relative to the unit where the policy is installed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", content = "id", rename_all = "snake_case")]
pub enum Inspector {
    /// The unit where the policy is installed (its leadership).
    SelfUnit,
    /// Its parent.
    Parent,
    /// The holders of a role at the installing unit (e.g. 党委办公室).
    Role(RoleId),
    /// A body of the policy (e.g. the leading group's office).
    Body(BodyId),
}

/// One item of an inspection's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "item", content = "id", rename_all = "snake_case")]
pub enum CheckItem {
    /// Whether a duty of the policy was fulfilled (the ledger shows it).
    Duty(DutyId),
    /// An assessment item of the policy.
    Item(ItemId),
    /// A point in words.
    Text(String),
}

/// Where an inspection's results go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "to", content = "id", rename_all = "snake_case")]
pub enum ResultsTo {
    Parent,
    Body(BodyId),
    Role(RoleId),
}

/// An inspection programme (督查 / 专项督查 / 自查).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inspection {
    pub id: InspectionId,
    pub title: String,
    pub by: Inspector,
    /// Whom: `SelfUnit` is a self-inspection (自查自纠).
    pub of: At,
    /// The duty that schedules it (its frequency, owner and due date); `None`: 定期, untimed.
    pub duty: Option<DutyId>,
    pub checklist: Vec<CheckItem>,
    pub results_to: Option<ResultsTo>,
    /// What the results are used for, in words (纳入干部考核 …).
    pub results_use: Option<String>,
    pub source: Option<SourceRef>,
}

impl Inspection {
    pub fn is_self_inspection(&self) -> bool {
        self.of == At::SelfUnit && self.by == Inspector::SelfUnit
    }
}

word_enum! {
    /// How a finding is rectified.
    RectificationKind {
        Immediate = "immediate" / "立行立改",
        Deadline = "deadline" / "限期整改",
        Ongoing = "ongoing" / "持续整改",
    } RECTIFICATION_KIND_WORDS
}

/// A severity of findings and the due date it sets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Severity {
    pub id: SeverityId,
    pub title: String,
    pub kind: RectificationKind,
    /// Due this long after the finding is sent (days or weeks); `None` for 立行立改 means the same
    /// day, for 持续整改 the inspector sets the date.
    pub within: Option<Duration>,
    /// How a due date that falls on a non-working day moves (default: `any`, calendar days).
    pub workday: Workday,
    /// For 持续整改: a progress entry at least this often (days or weeks).
    pub progress_every: Option<Duration>,
    pub source: Option<SourceRef>,
}

/// `[rectification]`: severities, most serious first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rectification {
    pub severities: Vec<Severity>,
    pub source: Option<SourceRef>,
}

impl Rectification {
    pub fn severity(&self, id: &SeverityId) -> Option<&Severity> {
        self.severities.iter().find(|s| &s.id == id)
    }
}

/// Points to two decimal places (0.5, 8, 1.25), kept as hundredths so sums and caps are exact.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Points(pub i64);

impl Points {
    pub const ZERO: Points = Points(0);

    pub fn from_whole(n: i64) -> Self {
        Points(n * 100)
    }
    /// From a number with at most two decimals; `None` otherwise (or if out of range).
    pub fn from_f64(x: f64) -> Option<Self> {
        let h = (x * 100.0).round();
        ((x * 100.0 - h).abs() < 1e-6 && h.abs() < 1e12).then_some(Points(h as i64))
    }
    pub fn hundredths(self) -> i64 {
        self.0
    }
    pub fn times(self, n: u32) -> Points {
        Points(self.0 * i64::from(n))
    }
}

impl std::ops::Add for Points {
    type Output = Points;
    fn add(self, o: Points) -> Points {
        Points(self.0 + o.0)
    }
}

impl std::ops::Sub for Points {
    type Output = Points;
    fn sub(self, o: Points) -> Points {
        Points(self.0 - o.0)
    }
}

impl std::iter::Sum for Points {
    fn sum<I: Iterator<Item = Points>>(it: I) -> Points {
        Points(it.map(|p| p.0).sum())
    }
}

impl fmt::Display for Points {
    /// 8, 0.5, 1.25, -0.5
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let (w, c) = (self.0.abs() / 100, self.0.abs() % 100);
        match c {
            0 => write!(f, "{sign}{w}"),
            c if c % 10 == 0 => write!(f, "{sign}{w}.{}", c / 10),
            c => write!(f, "{sign}{w}.{c:02}"),
        }
    }
}

/// How an assessment item is scored from the ledger, or by people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Share of the duty's obligations fulfilled on time, times the weight (or points); with a
    /// `prorated` rule, the number fulfilled.
    Duty(DutyId),
    /// Scored by the assessor.
    Manual,
    /// **(ext)** The number of the duty's obligations of the cycle not fulfilled (the cases of a
    /// deduction rule).
    Missed(DutyId),
    /// **(ext)** The number of the duty's obligations fulfilled late.
    Late(DutyId),
    /// **(ext)** Reports to the parent (`report_to = "parent"` duties) submitted late or not at all.
    ReportsLate,
    /// **(ext)** Inspection findings not closed (销号) at the end of the cycle.
    OpenFindings,
    /// **(ext)** Inspection findings past their due date at the end of the cycle.
    OverdueFindings,
    /// **(ext)** Incident reports made late (迟报) or not at all (漏报) in the cycle.
    IncidentsLate,
}

/// The measure words that take no duty id.
pub const MEASURE_WORDS: &[&str] = &[
    "manual",
    "reports_late",
    "open_findings",
    "overdue_findings",
    "incidents_late",
];

impl Measure {
    /// Whether the ledger supplies the value (everything but `manual`).
    pub fn is_measured(&self) -> bool {
        !matches!(self, Measure::Manual)
    }
    /// What the measure counts, in Chinese.
    pub fn zh(&self, p: &Policy) -> String {
        let duty = |d: &DutyId| p.duty(d).map_or(d.to_string(), |x| x.title.clone());
        match self {
            Measure::Duty(d) => format!("“{}”按时完成情况", duty(d)),
            Measure::Manual => "人工评分".into(),
            Measure::Missed(d) => format!("“{}”未完成次数", duty(d)),
            Measure::Late(d) => format!("“{}”逾期完成次数", duty(d)),
            Measure::ReportsLate => "向上级报告迟报、未报次数".into(),
            Measure::OpenFindings => "督查问题未销号个数".into(),
            Measure::OverdueFindings => "督查问题逾期未整改个数".into(),
            Measure::IncidentsLate => "事件迟报、漏报次数".into(),
        }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Measure::Duty(d) => write!(f, "duty:{d}"),
            Measure::Manual => f.write_str("manual"),
            Measure::Missed(d) => write!(f, "missed:{d}"),
            Measure::Late(d) => write!(f, "late:{d}"),
            Measure::ReportsLate => f.write_str("reports_late"),
            Measure::OpenFindings => f.write_str("open_findings"),
            Measure::OverdueFindings => f.write_str("overdue_findings"),
            Measure::IncidentsLate => f.write_str("incidents_late"),
        }
    }
}

/// A leaf's scoring rule (评分细则).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScoreRule {
    /// A fixed deduction if the case occurs at all ("未建立制度的，扣2分").
    Fixed { deduct: Points },
    /// So much per case, up to a cap ("缺一个，扣1分，扣满8分为止"); `case` words the count,
    /// with `{n}` for it ("缺{n}次").
    PerCase {
        deduct: Points,
        cap: Option<Points>,
        case: Option<String>,
    },
    /// The scorer deducts within a range and must say why ("酌情扣0.5-2分").
    Range { min: Points, max: Points },
    /// Failing costs the whole item ("本项不得分").
    AllOrNothing,
    /// Points added per commendation by level, up to a cap (国家级 +2, 省级 +1 …).
    Bonus {
        levels: Vec<(String, Points)>,
        cap: Option<Points>,
    },
    /// The item's points times the share of a target reached (4 studies a year: 3 → 3/4).
    Prorated { target: u32 },
}

word_enum! {
    /// How an item with sub-items combines their deductions.
    Combine {
        Sum = "sum" / "累计扣分",
        Highest = "highest" / "就高不就低，不累计扣分",
    } COMBINE_WORDS
}

/// What a veto does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "effect", content = "grade", rename_all = "snake_case")]
pub enum VetoEffect {
    /// The total becomes 0.
    Zero,
    /// The grade is this band, whatever the score.
    Grade(GradeId),
    /// No 评先评优 for the year.
    NoCommendation,
}

/// A veto (一票否决).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Veto {
    pub id: VetoId,
    pub text: String,
    pub effects: Vec<VetoEffect>,
    pub source: Option<SourceRef>,
}

word_enum! {
    /// A condition of a grade band.
    GradeCondition {
        NoZeroItem = "no_zero_item" / "无单项得0分",
        NoVeto = "no_veto" / "未被一票否决",
    } GRADE_CONDITION_WORDS
}

/// A grade band, best first: a unit gets the first band whose minimum it reaches, whose conditions
/// hold, and whose quota is not yet full.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grade {
    pub id: GradeId,
    pub title: String,
    pub min: Points,
    /// At most this per cent of the units assessed.
    pub quota: Option<u32>,
    pub requires: Vec<GradeCondition>,
    pub source: Option<SourceRef>,
}

word_enum! {
    /// Units tied on score at a grade's quota boundary.
    QuotaTies {
        Within = "within" / "同分超出名额的均不进入该等级",
        Over = "over" / "同分的均进入该等级（可超出名额）",
    } QUOTA_TIES_WORDS
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub every: Frequency,
    /// Indicators in the order of the file; sub-items name their parent in `under`.
    pub items: Vec<AssessmentItem>,
    pub source: Option<SourceRef>,
    /// **(ext)** 一票否决.
    pub vetoes: Vec<Veto>,
    /// **(ext)** Grade bands, best first.
    pub grades: Vec<Grade>,
    /// **(ext)** How ties at a quota boundary are handled.
    pub quota_ties: QuotaTies,
}

impl Assessment {
    pub fn item(&self, id: &ItemId) -> Option<&AssessmentItem> {
        self.items.iter().find(|i| &i.id == id)
    }
    /// The sub-items of `id` (or, for `None`, the top-level items), in file order.
    pub fn children(&self, id: Option<&ItemId>) -> Vec<&AssessmentItem> {
        self.items
            .iter()
            .filter(|i| i.under.as_ref() == id)
            .collect()
    }
    /// Whether the items carry points (the extended rubric) rather than v1 weights.
    pub fn uses_points(&self) -> bool {
        self.items.iter().any(|i| i.points.is_some())
    }
    pub fn grade(&self, id: &GradeId) -> Option<&Grade> {
        self.grades.iter().find(|g| &g.id == id)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentItem {
    pub id: ItemId,
    pub title: String,
    /// Either every item of an assessment has a weight (summing to 100) or none has.
    pub weight: Option<u32>,
    pub measure: Measure,
    pub source: Option<SourceRef>,
    /// **(ext)** The indicator's number in the table (一、（一）、1.).
    pub code: Option<String>,
    /// **(ext)** Its full points (分值).
    pub points: Option<Points>,
    /// **(ext)** The item it belongs to.
    pub under: Option<ItemId>,
    /// **(ext)** How its sub-items' deductions combine.
    pub combine: Combine,
    /// **(ext)** Its scoring rule (leaves only).
    pub rule: Option<ScoreRule>,
    /// **(ext)** The standard in words (考核标准).
    pub criterion: Option<String>,
}

word_enum! {
    /// How responsibility for a failure is allocated among leaders.
    Allocation {
        Collective = "collective" / "区分集体责任与个人责任、主要领导责任与重要领导责任",
    } ALLOCATION_WORDS
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Accountability {
    pub basis: Vec<String>,
    /// Mildest first.
    pub measures: Vec<String>,
    pub filing_to_parent: bool,
    pub consequence: Option<String>,
    pub allocation: Option<Allocation>,
    /// **(ext)** The role whose holder in the deciding unit approves starting an investigation
    /// (the 主要负责人); `None`: whoever administers the unit.
    pub approver: Option<RoleId>,
    /// **(ext)** How many months after service a decision may be appealed (the 条例: one).
    pub appeal_months: u32,
    pub circumstances: Vec<Circumstance>,
    pub source: Option<SourceRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Circumstance {
    pub id: CircumstanceId,
    pub text: String,
    pub source: Option<SourceRef>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert!(is_identifier("quarterly_study"));
        assert!(is_identifier("a1"));
        assert!(!is_identifier(""));
        assert!(!is_identifier("1a"));
        assert!(!is_identifier("Quarterly"));
        assert!(!is_identifier("_a"));
        assert!(!is_identifier("a-b"));
        assert!(!is_identifier("学习"));
    }

    #[test]
    fn source_refs() {
        assert_eq!(
            SourceRef::parse("L91"),
            Some(SourceRef {
                first: 91,
                last: 91
            })
        );
        assert_eq!(
            SourceRef::parse("L88-L89"),
            Some(SourceRef {
                first: 88,
                last: 89
            })
        );
        assert_eq!(SourceRef::parse("L89-L88"), None);
        assert_eq!(SourceRef::parse("91"), None);
        assert_eq!(SourceRef::parse("L0"), None);
        assert_eq!(SourceRef::parse("L"), None);
        assert_eq!(SourceRef::parse("L88-89"), None);
        assert_eq!(SourceRef::parse("L88-L89").unwrap().to_string(), "L88-L89");
    }

    #[test]
    fn durations() {
        let d = Duration::parse("24h").unwrap();
        assert_eq!(d.minutes(), 1440);
        assert_eq!(d.whole_days(), None);
        assert_eq!(Duration::parse("2w").unwrap().whole_days(), Some(14));
        assert_eq!(Duration::parse("30m").unwrap().to_string(), "30m");
        for bad in ["", "h", "1", "1s", "-1d", "1.5h", "1 d", "1234567d"] {
            assert_eq!(Duration::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn due_rules() {
        assert_eq!(DueRule::parse("end"), Some(DueRule::End));
        assert_eq!(
            DueRule::parse("start+15d"),
            Some(DueRule::StartPlus { days: 15 })
        );
        assert_eq!(
            DueRule::parse("12-20"),
            Some(DueRule::MonthDay { month: 12, day: 20 })
        );
        assert_eq!(
            DueRule::parse("02-29"),
            Some(DueRule::MonthDay { month: 2, day: 29 })
        );
        for bad in [
            "", "start", "start+d", "start+15", "13-01", "12-32", "2-1", "begin",
        ] {
            assert_eq!(DueRule::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn frequency_in_chinese() {
        assert_eq!(Frequency::Quarter.zh(), "每季度");
        assert_eq!(Frequency::parse("half_year"), Some(Frequency::HalfYear));
        assert_eq!(Frequency::parse("quartr"), None);
    }
}
