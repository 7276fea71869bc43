//! Diagnostics: every problem in a policy file, located by file, line and column,
//! rendered as `file:line:column: key.path: expected …; found …` (English, for the CLI)
//! or as a Chinese sentence for the web UI.

use std::fmt;

/// What the engine wanted at a location. Each variant renders in English and Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// A value of a TOML type ("a string", "an integer" …).
    Type(ValueType),
    /// One of a fixed set of words.
    OneOf(&'static [&'static str]),
    /// No key of this name is allowed here; the allowed keys are listed.
    KnownKey(&'static [&'static str]),
    /// A required key that is absent.
    Present,
    /// `[a-z][a-z0-9_]*`.
    Identifier,
    /// `<n>m`, `<n>h`, `<n>d` or `<n>w`.
    Duration,
    /// A duration in days or weeks (used where a date is computed).
    DaysOrWeeks,
    /// `"end"`, `"start+<n>d"` or `"MM-DD"`.
    DueRule,
    /// `"L91"` or `"L88-L89"`.
    SourceRef,
    /// An integer in a range.
    IntegerIn { min: i64, max: i64 },
    /// The id of something defined elsewhere in the file.
    Reference(RefKind),
    /// A rule that is not a matter of type or spelling; `en` and `zh` say what was expected.
    Rule { en: String, zh: String },
    /// TOML syntax.
    Syntax(String),
}

/// The kinds of thing an id can refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    Role,
    Body,
    Duty,
    Workflow,
    IncidentKind,
    IncidentMeasure,
    AssessmentItem,
}

/// TOML value types, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    String,
    Integer,
    Boolean,
    Array,
    Table,
    StringOrTable,
    ArrayOfTables,
}

/// A diagnostic: where, which key, and what was expected versus found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Dotted key path, e.g. `duties.quarterly_study.every`; empty for syntax errors.
    pub path: String,
    pub expected: Expected,
    /// What was found, already rendered (`"quartr"`, `5`, `nothing`, `key "colour"`).
    pub found: Found,
}

/// What was found at a location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Nothing,
    Text(String),
    Number(i64),
    Bool(bool),
    Type(&'static str),
    Key(String),
    /// Anything else, described in English and in Chinese.
    Other {
        en: String,
        zh: String,
    },
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::Nothing => f.write_str("nothing"),
            Found::Text(s) => write!(f, "\"{s}\""),
            Found::Number(n) => write!(f, "{n}"),
            Found::Bool(b) => write!(f, "{b}"),
            Found::Type(t) => write!(f, "{} {t}", article(t)),
            Found::Key(k) => write!(f, "key \"{k}\""),
            Found::Other { en, .. } => f.write_str(en),
        }
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

impl Found {
    fn zh(&self) -> String {
        match self {
            Found::Nothing => "未填写".into(),
            Found::Text(s) => format!("“{s}”"),
            Found::Number(n) => n.to_string(),
            Found::Bool(b) => b.to_string(),
            Found::Type(t) => type_zh(t).into(),
            Found::Key(k) => format!("键“{k}”"),
            Found::Other { zh, .. } => zh.clone(),
        }
    }
}

fn type_zh(t: &str) -> &'static str {
    match t {
        "string" => "字符串",
        "integer" => "整数",
        "float" => "小数",
        "boolean" => "布尔值",
        "array" => "数组",
        "table" => "表",
        _ => "其他类型",
    }
}

impl ValueType {
    fn en(self) -> &'static str {
        match self {
            ValueType::String => "a string",
            ValueType::Integer => "an integer",
            ValueType::Boolean => "true or false",
            ValueType::Array => "an array",
            ValueType::Table => "a table",
            ValueType::StringOrTable => "a string or a table",
            ValueType::ArrayOfTables => "an array of tables",
        }
    }
    fn zh(self) -> &'static str {
        match self {
            ValueType::String => "字符串",
            ValueType::Integer => "整数",
            ValueType::Boolean => "true 或 false",
            ValueType::Array => "数组",
            ValueType::Table => "表",
            ValueType::StringOrTable => "字符串或表",
            ValueType::ArrayOfTables => "表数组",
        }
    }
}

impl RefKind {
    fn en(self) -> &'static str {
        match self {
            RefKind::Role => "the id of a role defined in [roles]",
            RefKind::Body => "the id of a body defined in [bodies]",
            RefKind::Duty => "the id of a duty defined in [duties]",
            RefKind::Workflow => "the id of a workflow defined in [workflows]",
            RefKind::IncidentKind => "the id of a kind defined in [incidents.kinds]",
            RefKind::IncidentMeasure => "the id of a measure defined in [incidents.measures]",
            RefKind::AssessmentItem => "the id of an item defined in [[assessment.items]]",
        }
    }
    fn zh(self) -> &'static str {
        match self {
            RefKind::Role => "在 [roles] 中定义的角色",
            RefKind::Body => "在 [bodies] 中定义的机构",
            RefKind::Duty => "在 [duties] 中定义的工作任务",
            RefKind::Workflow => "在 [workflows] 中定义的审核流程",
            RefKind::IncidentKind => "在 [incidents.kinds] 中定义的事件类型",
            RefKind::IncidentMeasure => "在 [incidents.measures] 中定义的计量指标",
            RefKind::AssessmentItem => "在 [[assessment.items]] 中定义的考核项目",
        }
    }
}

impl Expected {
    /// English description of what was expected.
    pub fn en(&self) -> String {
        match self {
            Expected::Type(t) => t.en().into(),
            Expected::OneOf(words) => format!("one of {}", words.join(", ")),
            Expected::KnownKey(keys) => format!("no such key here (allowed: {})", keys.join(", ")),
            Expected::Present => "this key to be set".into(),
            Expected::Identifier => {
                "an identifier (a lower-case letter, then lower-case letters, digits or _)".into()
            }
            Expected::Duration => "a duration such as \"30m\", \"24h\", \"7d\" or \"2w\"".into(),
            Expected::DaysOrWeeks => "a duration in days or weeks such as \"3d\" or \"1w\"".into(),
            Expected::DueRule => "\"end\", \"start+<n>d\" or a month-day \"MM-DD\"".into(),
            Expected::SourceRef => "a line reference such as \"L91\" or \"L88-L89\"".into(),
            Expected::IntegerIn { min, max } => format!("an integer from {min} to {max}"),
            Expected::Reference(k) => k.en().into(),
            Expected::Rule { en, .. } => en.clone(),
            Expected::Syntax(msg) => format!("valid TOML ({msg})"),
        }
    }

    /// Chinese description of what was expected.
    pub fn zh(&self) -> String {
        match self {
            Expected::Type(t) => t.zh().into(),
            Expected::OneOf(words) => format!("以下之一：{}", words.join("、")),
            Expected::KnownKey(keys) => format!("此处没有这个键（可用：{}）", keys.join("、")),
            Expected::Present => "必须填写此项".into(),
            Expected::Identifier => "标识符（小写字母开头，只含小写字母、数字和下划线）".into(),
            Expected::Duration => "时长，如“30m”“24h”“7d”“2w”".into(),
            Expected::DaysOrWeeks => "以天或周计的时长，如“3d”“1w”".into(),
            Expected::DueRule => "“end”“start+<n>d”或月日“MM-DD”".into(),
            Expected::SourceRef => "原文行号，如“L91”或“L88-L89”".into(),
            Expected::IntegerIn { min, max } => format!("{min} 到 {max} 之间的整数"),
            Expected::Reference(k) => k.zh().into(),
            Expected::Rule { zh, .. } => zh.clone(),
            Expected::Syntax(msg) => format!("正确的 TOML 语法（{msg}）"),
        }
    }
}

impl Diagnostic {
    /// The message in Chinese for the web UI: `第41行第9列 duties.x.every：应为…，实际为…`.
    pub fn message_zh(&self) -> String {
        let place = format!("{} 第{}行第{}列", self.file, self.line, self.column);
        let path = if self.path.is_empty() {
            String::new()
        } else {
            format!(" {}", self.path)
        };
        match &self.expected {
            Expected::KnownKey(_) => format!("{place}{path}：未知的键；{}", self.expected.zh()),
            Expected::Present => format!("{place}{path}：缺少必填项"),
            _ => format!(
                "{place}{path}：应为{}，实际为{}",
                self.expected.zh(),
                self.found.zh()
            ),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "expected {}; found {}", self.expected.en(), self.found)
    }
}

/// All diagnostics for one file, in the order of their position in the file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Maps byte offsets to 1-based line and column (columns count characters, as editors do).
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// Line and column of a value or key at `offset`. A string's span starts inside its quotes;
    /// the column given is that of the opening quote, where a reader's eye looks for the value.
    pub(crate) fn locate_token(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        let bytes = self.text.as_bytes();
        for _ in 0..3 {
            if offset > 0 && matches!(bytes[offset - 1], b'"' | b'\'') {
                offset -= 1;
            } else {
                break;
            }
        }
        self.locate(offset)
    }

    /// Line and column of `offset` exactly.
    pub(crate) fn locate(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let col = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        (line + 1, col + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_characters_not_bytes() {
        let idx = LineIndex::new("a = 1\ntitle = \"学习\"\nx");
        assert_eq!(idx.locate(0), (1, 1));
        assert_eq!(idx.locate(6), (2, 1));
        // the character after two three-byte characters
        let off = "a = 1\ntitle = \"学习".len();
        assert_eq!(idx.locate(off), (2, 12));
        assert_eq!(idx.locate(999), (3, 2));
        // A string value is located at its opening quote.
        let off = "a = 1\ntitle = \"".len();
        assert_eq!(idx.locate_token(off), (2, 9));
        assert_eq!(idx.locate(off), (2, 10));
    }

    #[test]
    fn renders_the_documented_shape() {
        let d = Diagnostic {
            file: "policies/district-school.toml".into(),
            line: 41,
            column: 9,
            path: "duties.quarterly_study.every".into(),
            expected: Expected::OneOf(&[
                "week",
                "month",
                "quarter",
                "half_year",
                "year",
                "holiday",
            ]),
            found: Found::Text("quartr".into()),
        };
        assert_eq!(
            d.to_string(),
            "policies/district-school.toml:41:9: duties.quarterly_study.every: expected one of week, month, quarter, half_year, year, holiday; found \"quartr\""
        );
        assert_eq!(
            d.message_zh(),
            "policies/district-school.toml 第41行第9列 duties.quarterly_study.every：应为以下之一：week、month、quarter、half_year、year、holiday，实际为“quartr”"
        );
    }
}
