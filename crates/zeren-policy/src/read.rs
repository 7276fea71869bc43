//! Reads a policy file into domain types. The TOML is parsed with spans, then every table is
//! walked by hand so that *all* problems are collected — unknown keys, wrong types, bad words,
//! broken references, rule violations — each located at the key or value it concerns.

use std::collections::{HashMap, HashSet};

use toml_span::value::{Key, Table, ValueInner};
use toml_span::{Span, Value};

use crate::diag::{Diagnostic, Diagnostics, Expected, Found, LineIndex, RefKind, ValueType};
use crate::model::*;

/// Parses and validates one policy file. `file` is used only to label diagnostics.
pub fn parse(file: &str, text: &str) -> Result<Policy, Diagnostics> {
    let mut cx = Cx::new(file, text);
    let root = match toml_span::parse(text) {
        Ok(v) => v,
        Err(e) => {
            let (expected, found) = syntax_problem(&e.kind, text, e.span.start);
            let (line, column) = cx.lines.locate(e.span.start);
            cx.push(line, column, String::new(), expected, found);
            return Err(cx.finish_err());
        }
    };
    let policy = cx.read_policy(&root);
    cx.check_refs();
    if cx.diags.is_empty() {
        // read_policy only yields None after reporting something.
        Ok(policy.expect("a policy without diagnostics"))
    } else {
        Err(cx.finish_err())
    }
}

/// Parses and validates one fragment file (`policies/fragments/*.toml`) on its own: its references
/// must resolve within it. Returns its title, description and what it declares.
pub fn parse_fragment(file: &str, text: &str) -> Result<Included, Diagnostics> {
    let mut cx = Cx::new(file, text);
    let mut parts = Parts::default();
    let mut out = Vec::new();
    cx.read_fragment(text, 0, (None, String::new()), true, &mut parts, &mut out);
    cx.check_bodies(&parts.bodies);
    cx.check_refs();
    match out.pop() {
        Some(f) if cx.diags.is_empty() => Ok(f),
        _ => Err(cx.finish_err()),
    }
}

/// A TOML syntax error as what was expected and what was found, in words a policy author knows.
fn syntax_problem(kind: &toml_span::ErrorKind, text: &str, offset: usize) -> (Expected, Found) {
    use toml_span::ErrorKind as K;
    let here = text.get(offset..).and_then(|s| s.chars().next());
    let found_here = || match here {
        Some('\n') | Some('\r') => other("the end of the line", "行尾"),
        Some(c) if c.is_whitespace() => other("a space", "空格"),
        Some(c) => other(format!("\"{c}\""), format!("“{c}”")),
        None => other("the end of the file", "文件末尾"),
    };
    match kind {
        K::InvalidCharInString('\n') | K::UnterminatedString => (
            rule(
                "the closing quote of the string on the same line",
                "字符串在同一行内以引号结束",
            ),
            found_here(),
        ),
        K::Unexpected(_) | K::UnquotedString => (
            rule(
                "a value: text in quotes, a number, true or false, [ … ] or { … }",
                "一个值：加引号的文字、数字、true/false、[ … ] 或 { … }",
            ),
            found_here(),
        ),
        K::DuplicateKey { key, .. } => (
            rule(
                format!("each key once (\"{key}\" is set above)"),
                format!("每个键只写一次（“{key}”已在前面出现）"),
            ),
            Found::Key(key.clone()),
        ),
        K::DuplicateTable { name, .. } => (
            rule(
                format!("each table once ([{name}] is defined above)"),
                format!("每个表只定义一次（[{name}] 已在前面出现）"),
            ),
            other(format!("[{name}] again"), format!("再次定义的 [{name}]")),
        ),
        K::UnexpectedEof => (
            rule("more after this", "后面还有内容"),
            other("the end of the file", "文件末尾"),
        ),
        K::Wanted { expected, found } => (
            rule(expected.to_string(), format!("{expected}（TOML 语法）")),
            other(found.to_string(), found.to_string()),
        ),
        other => (Expected::Syntax(other.to_string()), found_here()),
    }
}

struct PendingRef {
    kind: RefKind,
    name: String,
    offset: usize,
    path: String,
}

struct Cx<'t> {
    file: String,
    text: &'t str,
    lines: LineIndex<'t>,
    diags: Vec<Diagnostic>,
    refs: Vec<PendingRef>,
    /// Every role, body, duty and workflow id the file and its fragments define, however well
    /// written, with where and by whom.
    defined: HashMap<(RefKind, String), Definer>,
    /// Offsets in the text being read are relative to this offset in the file: 0 for the policy,
    /// the start of the embedded text for an embedded fragment.
    base: usize,
    /// A bundled fragment has no place in the file: whatever it causes is reported at its
    /// `include` element, this offset in the file.
    pin: Option<usize>,
    /// Key paths in a fragment are prefixed with its `include[i].`.
    prefix: String,
    /// The fragment being read, or `None` for the policy itself.
    reading: Option<String>,
    /// Where each body's `within` is written, for the cycle check after merging.
    within_places: HashMap<String, (usize, String)>,
}

/// Who defined an id, and where (an offset in the file and a key path).
struct Definer {
    fragment: Option<String>,
    offset: usize,
    path: String,
}

/// The parts of a policy a fragment may also declare, read from one text.
#[derive(Default)]
struct Parts {
    roles: Vec<Role>,
    bodies: Vec<Body>,
    duties: Vec<Duty>,
    responsibilities: Vec<Responsibility>,
    workflows: Vec<Workflow>,
    channels: Option<Channels>,
    /// Where `[channels]` sets `review_every` and `publish_via` (offset in the file, path).
    channel_places: [Option<(usize, String)>; 2],
}

/// A table being read, with its path for messages.
struct Tbl<'v, 'de> {
    map: &'v Table<'de>,
    span: Span,
    path: String,
}

impl<'v, 'de> Tbl<'v, 'de> {
    fn get(&self, key: &str) -> Option<&'v Value<'de>> {
        self.map.get(key)
    }
    fn at(&self, key: &str) -> String {
        join(&self.path, key)
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Table entries in the order they appear in the file.
fn in_file_order<'v, 'de>(map: &'v Table<'de>) -> Vec<(&'v Key<'de>, &'v Value<'de>)> {
    let mut v: Vec<_> = map.iter().collect();
    v.sort_by_key(|(k, _)| k.span.start);
    v
}

fn found_of(v: &Value<'_>) -> Found {
    match v.as_ref() {
        ValueInner::String(s) => Found::Text(s.to_string()),
        ValueInner::Integer(n) => Found::Number(*n),
        ValueInner::Boolean(b) => Found::Bool(*b),
        other => Found::Type(other.type_str()),
    }
}

fn other(en: impl Into<String>, zh: impl Into<String>) -> Found {
    Found::Other {
        en: en.into(),
        zh: zh.into(),
    }
}

fn rule(en: impl Into<String>, zh: impl Into<String>) -> Expected {
    Expected::Rule {
        en: en.into(),
        zh: zh.into(),
    }
}

const ROOT_KEYS: &[&str] = &[
    "format",
    "policy",
    "roles",
    "bodies",
    "duties",
    "responsibilities",
    "workflows",
    "channels",
    "incidents",
    "assessment",
    "accountability",
    "inspections",
    "rectification",
    "include",
];
const FRAGMENT_ROOT_KEYS: &[&str] = &[
    "format",
    "fragment",
    "roles",
    "bodies",
    "duties",
    "responsibilities",
    "workflows",
    "channels",
];
const FRAGMENT_KEYS: &[&str] = &["id", "title", "description", "version"];
const INCLUDE_KEYS: &[&str] = &["text"];
const POLICY_KEYS: &[&str] = &[
    "id",
    "title",
    "version",
    "system",
    "issued_by",
    "based_on",
    "source_text",
    "applies_to",
];
const ROLE_KEYS: &[&str] = &["title", "held_by", "holders", "source"];
const HOLDERS_KEYS: &[&str] = &["min", "max"];
const BODY_KEYS: &[&str] = &[
    "title", "chair", "deputies", "members", "within", "remit", "source",
];
const DUTY_KEYS: &[&str] = &[
    "title",
    "description",
    "every",
    "times",
    "owner",
    "per",
    "role",
    "evidence",
    "report_to",
    "due",
    "workday",
    "lead",
    "at",
    "source",
];
const RESPONSIBILITY_KEYS: &[&str] = &["role", "body", "text", "at", "source"];
const WORKFLOW_KEYS: &[&str] = &[
    "title",
    "kind",
    "checklist",
    "scan",
    "requires",
    "declassified_by",
    "reassigned_by",
    "steps",
    "source",
];
const STEP_KEYS: &[&str] = &["title", "role", "when", "all", "source"];
const CHANNELS_KEYS: &[&str] = &[
    "kinds",
    "review_every",
    "publish_via",
    "restrict_urls",
    "source",
];
const INCIDENTS_KEYS: &[&str] = &["officer", "kinds", "measures", "levels", "source"];
const INCIDENT_KIND_KEYS: &[&str] = &["title", "description", "source"];
const INCIDENT_MEASURE_KEYS: &[&str] = &["title", "unit", "source"];
const THRESHOLD_KEYS: &[&str] = &["measure", "at_least", "below"];
const LEVEL_KEYS: &[&str] = &[
    "title",
    "criteria",
    "thresholds",
    "kinds",
    "report_within",
    "report_to",
    "escalate",
    "relay_within",
    "written_within",
    "sign_off",
    "follow_up_every",
    "daily_report_at",
    "final_within",
    "close_within",
    "close_review",
    "handling",
    "source",
];
const TARGET_KEYS: &[&str] = &["up", "body", "role"];
const INSPECTION_KEYS: &[&str] = &[
    "title",
    "by",
    "of",
    "duty",
    "checklist",
    "results_to",
    "results_use",
    "source",
];
const RECTIFICATION_KEYS: &[&str] = &["severities", "source"];
const SEVERITY_KEYS: &[&str] = &[
    "title",
    "kind",
    "within",
    "workday",
    "progress_every",
    "source",
];
const ASSESSMENT_KEYS: &[&str] = &["every", "items", "vetoes", "grades", "quota_ties", "source"];
const ITEM_KEYS: &[&str] = &[
    "id",
    "title",
    "code",
    "weight",
    "points",
    "under",
    "combine",
    "measure",
    "rule",
    "criterion",
    "source",
];
const RULE_KEYS: &[&str] = &[
    "kind", "deduct", "cap", "case", "min", "max", "levels", "target",
];
const RULE_KINDS: &[&str] = &[
    "fixed",
    "per_case",
    "range",
    "all_or_nothing",
    "bonus",
    "prorated",
];
const VETO_KEYS: &[&str] = &["id", "text", "effect", "source"];
const GRADE_KEYS: &[&str] = &["id", "title", "min", "quota", "requires", "source"];
const ACCOUNTABILITY_KEYS: &[&str] = &[
    "basis",
    "measures",
    "filing",
    "consequence",
    "allocation",
    "approver",
    "appeal_months",
    "circumstances",
    "source",
];
const CIRCUMSTANCE_KEYS: &[&str] = &["id", "text", "source"];
const AT_KEYS: &[&str] = &["kind"];

/// The shortest length of each period, in days: `start+Nd` must stay inside it.
fn shortest_period_days(f: Frequency) -> u32 {
    match f {
        Frequency::Week => 7,
        Frequency::Month => 28,
        Frequency::Quarter => 90,
        Frequency::HalfYear => 181,
        Frequency::Year => 365,
        Frequency::Holiday => 1,
    }
}

impl<'t> Cx<'t> {
    fn new(file: &str, text: &'t str) -> Self {
        Cx {
            file: file.to_owned(),
            text,
            lines: LineIndex::new(text),
            diags: Vec::new(),
            refs: Vec::new(),
            defined: HashMap::new(),
            base: 0,
            pin: None,
            prefix: String::new(),
            reading: None,
            within_places: HashMap::new(),
        }
    }

    /// Where a problem at `offset` of the text being read is reported: its offset in the file
    /// and its key path (prefixed for a bundled fragment).
    fn place(&self, offset: usize, path: String) -> (usize, String) {
        let path = match (self.prefix.as_str(), path.as_str()) {
            ("", _) => path,
            (prefix, "") => prefix.trim_end_matches('.').to_owned(),
            (prefix, path) => format!("{prefix}{path}"),
        };
        (self.pin.unwrap_or(self.base + offset), path)
    }

    /// Reports a problem at `offset` of the text being read.
    fn report(&mut self, offset: usize, path: String, expected: Expected, found: Found) {
        let (offset, path) = self.place(offset, path);
        self.report_abs(offset, path, expected, found);
    }

    /// Reports a problem at `offset` of the file.
    fn report_abs(&mut self, offset: usize, path: String, expected: Expected, found: Found) {
        let (line, column) = self.lines.locate_token(offset);
        self.push(line, column, path, expected, found);
    }

    /// Records that the text being read defines `key` as a `kind`; false (and reported) when
    /// the policy or another fragment defines it already.
    fn define(&mut self, kind: RefKind, key: &Key<'_>, path: &str) -> bool {
        let (offset, path) = self.place(key.span.start, path.to_owned());
        let name = key.name.to_string();
        if let Some(d) = self.defined.get(&(kind, name.clone())) {
            let (line, _) = self.lines.locate_token(d.offset);
            let (by_en, by_zh) = match &d.fragment {
                None => ("this policy".to_owned(), "本实施办法".to_owned()),
                Some(f) => (format!("the fragment {f}"), format!("标准片段 {f} ")),
            };
            let expected = rule(
                format!(
                    "an id defined once ({} is defined by {by_en} at line {line})",
                    d.path
                ),
                format!("不重复的标识（{} 已由{by_zh}在第{line}行定义）", d.path),
            );
            self.report_abs(offset, path, expected, Found::Text(name));
            return false;
        }
        self.defined.insert(
            (kind, name),
            Definer {
                fragment: self.reading.clone(),
                offset,
                path,
            },
        );
        true
    }

    fn push(&mut self, line: usize, column: usize, path: String, expected: Expected, found: Found) {
        self.diags.push(Diagnostic {
            file: self.file.clone(),
            line,
            column,
            path,
            expected,
            found,
        });
    }

    fn finish_err(mut self) -> Diagnostics {
        self.diags.sort_by_key(|d| (d.line, d.column));
        Diagnostics(self.diags)
    }

    /// Opens a table value, reporting a wrong type and every key not in `allowed`.
    fn table<'v, 'de>(
        &mut self,
        v: &'v Value<'de>,
        path: String,
        allowed: &'static [&'static str],
    ) -> Option<Tbl<'v, 'de>> {
        match v.as_ref() {
            ValueInner::Table(map) => {
                for (k, _) in in_file_order(map) {
                    if !allowed.contains(&k.name.as_ref()) {
                        self.report(
                            k.span.start,
                            join(&path, &k.name),
                            Expected::KnownKey(allowed),
                            Found::Key(k.name.to_string()),
                        );
                    }
                }
                Some(Tbl {
                    map,
                    span: v.span,
                    path,
                })
            }
            _ => {
                self.report(
                    v.span.start,
                    path,
                    Expected::Type(ValueType::Table),
                    found_of(v),
                );
                None
            }
        }
    }

    /// Opens `t.key` as a table of named entries (`[roles.x]`, `[duties.y]` …), each key an identifier.
    fn named_entries<'v, 'de>(
        &mut self,
        t: &Tbl<'v, 'de>,
        key: &str,
    ) -> Vec<(&'v Key<'de>, &'v Value<'de>, String)> {
        let Some(v) = t.get(key) else {
            return Vec::new();
        };
        let path = t.at(key);
        let ValueInner::Table(map) = v.as_ref() else {
            self.report(
                v.span.start,
                path,
                Expected::Type(ValueType::Table),
                found_of(v),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, val) in in_file_order(map) {
            let p = join(&path, &k.name);
            if !is_identifier(&k.name) {
                self.report(
                    k.span.start,
                    p.clone(),
                    Expected::Identifier,
                    Found::Text(k.name.to_string()),
                );
            }
            out.push((k, val, p));
        }
        out
    }

    /// Opens `t.key` as an array of tables (`[[…]]`); each element's path is `key[i]`.
    fn table_array<'v, 'de>(
        &mut self,
        t: &Tbl<'v, 'de>,
        key: &str,
        allowed: &'static [&'static str],
    ) -> Vec<Tbl<'v, 'de>> {
        let Some(v) = t.get(key) else {
            return Vec::new();
        };
        let path = t.at(key);
        let ValueInner::Array(items) = v.as_ref() else {
            self.report(
                v.span.start,
                path,
                Expected::Type(ValueType::ArrayOfTables),
                found_of(v),
            );
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.table(item, format!("{path}[{i}]"), allowed))
            .collect()
    }

    fn missing(&mut self, t: &Tbl<'_, '_>, key: &str) {
        self.report(t.span.start, t.at(key), Expected::Present, Found::Nothing);
    }

    fn string(&mut self, t: &Tbl<'_, '_>, key: &str, required: bool) -> Option<String> {
        match t.get(key) {
            None => {
                if required {
                    self.missing(t, key);
                }
                None
            }
            Some(v) => match v.as_ref() {
                ValueInner::String(s) if s.trim().is_empty() => {
                    self.report(
                        v.span.start,
                        t.at(key),
                        rule("a non-empty string", "非空的文字"),
                        Found::Text(s.to_string()),
                    );
                    None
                }
                ValueInner::String(s) => Some(s.trim().to_owned()),
                _ => {
                    self.report(
                        v.span.start,
                        t.at(key),
                        Expected::Type(ValueType::String),
                        found_of(v),
                    );
                    None
                }
            },
        }
    }

    /// A required, non-empty string as written (not trimmed).
    fn string_raw<'v>(&mut self, t: &Tbl<'v, '_>, key: &str) -> Option<&'v str> {
        let Some(v) = t.get(key) else {
            self.missing(t, key);
            return None;
        };
        match v.as_str() {
            Some(s) if !s.trim().is_empty() => Some(s),
            _ => {
                self.report(
                    v.span.start,
                    t.at(key),
                    rule("a non-empty string", "非空的文字"),
                    found_of(v),
                );
                None
            }
        }
    }

    fn int(&mut self, t: &Tbl<'_, '_>, key: &str, min: i64, max: i64) -> Option<u32> {
        let v = t.get(key)?;
        match v.as_ref() {
            ValueInner::Integer(n) if (min..=max).contains(n) => u32::try_from(*n).ok(),
            ValueInner::Integer(n) => {
                self.report(
                    v.span.start,
                    t.at(key),
                    Expected::IntegerIn { min, max },
                    Found::Number(*n),
                );
                None
            }
            _ => {
                self.report(
                    v.span.start,
                    t.at(key),
                    Expected::Type(ValueType::Integer),
                    found_of(v),
                );
                None
            }
        }
    }

    fn boolean(&mut self, t: &Tbl<'_, '_>, key: &str) -> Option<bool> {
        let v = t.get(key)?;
        match v.as_ref() {
            ValueInner::Boolean(b) => Some(*b),
            _ => {
                self.report(
                    v.span.start,
                    t.at(key),
                    Expected::Type(ValueType::Boolean),
                    found_of(v),
                );
                None
            }
        }
    }

    /// A string parsed by `parse`; a value `parse` rejects is reported with `expected`.
    fn parsed<T>(
        &mut self,
        t: &Tbl<'_, '_>,
        key: &str,
        parse: impl Fn(&str) -> Option<T>,
        expected: Expected,
    ) -> Option<T> {
        let v = t.get(key)?;
        match v.as_ref() {
            ValueInner::String(s) => {
                let r = parse(s);
                if r.is_none() {
                    self.report(
                        v.span.start,
                        t.at(key),
                        expected,
                        Found::Text(s.to_string()),
                    );
                }
                r
            }
            _ => {
                self.report(
                    v.span.start,
                    t.at(key),
                    Expected::Type(ValueType::String),
                    found_of(v),
                );
                None
            }
        }
    }

    /// An array of strings, each with its span.
    fn strings(&mut self, t: &Tbl<'_, '_>, key: &str) -> Vec<(String, Span, String)> {
        let Some(v) = t.get(key) else {
            return Vec::new();
        };
        let path = t.at(key);
        let ValueInner::Array(items) = v.as_ref() else {
            self.report(
                v.span.start,
                path,
                Expected::Type(ValueType::Array),
                found_of(v),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let p = format!("{path}[{i}]");
            match item.as_ref() {
                ValueInner::String(s) if !s.trim().is_empty() => {
                    out.push((s.trim().to_owned(), item.span, p))
                }
                _ => self.report(
                    item.span.start,
                    p,
                    rule("a non-empty string", "非空的文字"),
                    found_of(item),
                ),
            }
        }
        out
    }

    fn texts(&mut self, t: &Tbl<'_, '_>, key: &str) -> Vec<String> {
        self.strings(t, key).into_iter().map(|(s, ..)| s).collect()
    }

    /// An array of words from a closed set, without repeats.
    fn words<T: PartialEq>(
        &mut self,
        t: &Tbl<'_, '_>,
        key: &str,
        parse: impl Fn(&str) -> Option<T>,
        words: &'static [&'static str],
    ) -> Vec<T> {
        let mut out = Vec::new();
        for (s, span, path) in self.strings(t, key) {
            match parse(&s) {
                Some(w) if out.contains(&w) => self.report(
                    span.start,
                    path,
                    rule("each value once", "每个值只写一次"),
                    Found::Text(s),
                ),
                Some(w) => out.push(w),
                None => self.report(span.start, path, Expected::OneOf(words), Found::Text(s)),
            }
        }
        out
    }

    fn source(&mut self, t: &Tbl<'_, '_>) -> Option<SourceRef> {
        self.parsed(t, "source", SourceRef::parse, Expected::SourceRef)
    }

    /// An identifier that must name something of `kind`; checked once the whole file is read.
    fn reference<T>(
        &mut self,
        t: &Tbl<'_, '_>,
        key: &str,
        kind: RefKind,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let v = t.get(key)?;
        let id = self.parsed(t, key, &parse, Expected::Identifier)?;
        if let ValueInner::String(s) = v.as_ref() {
            let (offset, path) = self.place(v.span.start, t.at(key));
            self.refs.push(PendingRef {
                kind,
                name: s.to_string(),
                offset,
                path,
            });
        }
        Some(id)
    }

    /// An array of role ids.
    fn role_list(&mut self, t: &Tbl<'_, '_>, key: &str) -> Vec<RoleId> {
        let mut out = Vec::new();
        for (s, span, path) in self.strings(t, key) {
            match RoleId::parse(&s) {
                Some(id) => {
                    let (offset, path) = self.place(span.start, path);
                    self.refs.push(PendingRef {
                        kind: RefKind::Role,
                        name: s,
                        offset,
                        path,
                    });
                    out.push(id);
                }
                None => self.report(span.start, path, Expected::Identifier, Found::Text(s)),
            }
        }
        out
    }

    fn at(&mut self, t: &Tbl<'_, '_>) -> At {
        self.at_key(t, "at")
    }

    /// A unit selector: "self", "children" or { kind = "…" }.
    fn at_key(&mut self, t: &Tbl<'_, '_>, key: &str) -> At {
        let Some(v) = t.get(key) else {
            return At::SelfUnit;
        };
        match v.as_ref() {
            ValueInner::String(s) => match s.as_ref() {
                "self" => At::SelfUnit,
                "children" => At::Children,
                _ => {
                    self.report(
                        v.span.start,
                        t.at(key),
                        rule(
                            "\"self\", \"children\" or { kind = \"<unit kind>\" }",
                            "“self”“children”或 { kind = \"单位类型\" }",
                        ),
                        Found::Text(s.to_string()),
                    );
                    At::SelfUnit
                }
            },
            ValueInner::Table(_) => {
                let Some(inner) = self.table(v, t.at(key), AT_KEYS) else {
                    return At::SelfUnit;
                };
                match self.parsed(&inner, "kind", UnitKind::parse, Expected::Identifier) {
                    Some(kind) => At::Kind(kind),
                    None => {
                        if inner.get("kind").is_none() {
                            self.missing(&inner, "kind");
                        }
                        At::SelfUnit
                    }
                }
            }
            _ => {
                self.report(
                    v.span.start,
                    t.at(key),
                    Expected::Type(ValueType::StringOrTable),
                    found_of(v),
                );
                At::SelfUnit
            }
        }
    }

    /// `format = 1` at the root of a policy or fragment.
    fn check_format(&mut self, root: &Tbl<'_, '_>) {
        match root.get("format") {
            None => self.report(
                0,
                "format".into(),
                rule("format = 1", "format = 1"),
                Found::Nothing,
            ),
            Some(v) => {
                if !matches!(v.as_ref(), ValueInner::Integer(1)) {
                    self.report(
                        v.span.start,
                        "format".into(),
                        rule("1, the only format version", "1（目前唯一的格式版本）"),
                        found_of(v),
                    );
                }
            }
        }
    }

    /// The sections a fragment may declare too.
    fn read_parts(&mut self, root: &Tbl<'_, '_>) -> Parts {
        let roles = self.read_roles(root);
        let bodies = self.read_bodies(root);
        let duties = self.read_duties(root);
        let responsibilities = self.read_responsibilities(root);
        let workflows = self.read_workflows(root);
        let (channels, channel_places) = match root.get("channels") {
            Some(v) => self.read_channels(v, "channels".into()),
            None => (None, [None, None]),
        };
        Parts {
            roles,
            bodies,
            duties,
            responsibilities,
            workflows,
            channels,
            channel_places,
        }
    }

    fn read_policy(&mut self, root: &Value<'_>) -> Option<Policy> {
        let root = self.table(root, String::new(), ROOT_KEYS)?;
        self.check_format(&root);
        let meta = match root.get("policy") {
            Some(v) => self.read_meta(v),
            None => {
                self.report(
                    0,
                    "policy".into(),
                    rule(
                        "a [policy] table with id and title",
                        "[policy] 表（含 id 和 title）",
                    ),
                    Found::Nothing,
                );
                None
            }
        };
        let mut parts = self.read_parts(&root);
        let incidents = root
            .get("incidents")
            .and_then(|v| self.read_incidents(v, "incidents".into()));
        let assessment = root
            .get("assessment")
            .and_then(|v| self.read_assessment(v, "assessment".into()));
        let accountability = root
            .get("accountability")
            .and_then(|v| self.read_accountability(v, "accountability".into()));
        let inspections = self.read_inspections(&root);
        let rectification = root
            .get("rectification")
            .and_then(|v| self.read_rectification(v, "rectification".into()));
        let included = self.read_includes(&root, &mut parts);
        self.check_bodies(&parts.bodies);
        Some(Policy {
            meta: meta?,
            roles: parts.roles,
            bodies: parts.bodies,
            duties: parts.duties,
            responsibilities: parts.responsibilities,
            workflows: parts.workflows,
            channels: parts.channels,
            incidents,
            assessment,
            accountability,
            inspections,
            rectification,
            included,
        })
    }

    /// Reads `include`: each element a bundled fragment's id, or a table whose `text` is a
    /// fragment's text embedded in the file; merges each fragment into `parts`.
    fn read_includes(&mut self, root: &Tbl<'_, '_>, parts: &mut Parts) -> Vec<Included> {
        let mut out: Vec<Included> = Vec::new();
        let Some(v) = root.get("include") else {
            return out;
        };
        let ValueInner::Array(items) = v.as_ref() else {
            self.report(
                v.span.start,
                "include".into(),
                rule(
                    "an array: include = [\"<fragment id>\"], or [[include]] tables with text",
                    "数组：include = [\"片段标识\"]，或带 text 的 [[include]] 表",
                ),
                found_of(v),
            );
            return out;
        };
        for (i, item) in items.iter().enumerate() {
            let path = format!("include[{i}]");
            match item.as_ref() {
                ValueInner::String(id) => match crate::fragments::get(id) {
                    Some(f) => {
                        let at = (Some(item.span.start), format!("{path}."));
                        self.read_fragment(f.text, 0, at, false, parts, &mut out);
                    }
                    None => self.report(
                        item.span.start,
                        path,
                        Expected::OneOf(crate::fragments::IDS),
                        Found::Text(id.to_string()),
                    ),
                },
                ValueInner::Table(_) => {
                    let Some(t) = self.table(item, path.clone(), INCLUDE_KEYS) else {
                        continue;
                    };
                    let Some(text) = self.string_raw(&t, "text") else {
                        continue;
                    };
                    let tv = t.get("text").expect("text was read");
                    // A literal string's text is the file's text: locate problems inside it.
                    // Otherwise (escapes) every problem is reported at the string.
                    let verbatim = self.text.get(tv.span.start..tv.span.end) == Some(text);
                    let prefix = format!("{path}.");
                    if verbatim {
                        self.read_fragment(
                            text,
                            tv.span.start,
                            (None, prefix),
                            true,
                            parts,
                            &mut out,
                        );
                    } else {
                        let at = (Some(tv.span.start), prefix);
                        self.read_fragment(text, 0, at, true, parts, &mut out);
                    }
                }
                _ => self.report(
                    item.span.start,
                    path,
                    Expected::Type(ValueType::StringOrTable),
                    found_of(item),
                ),
            }
        }
        out
    }

    /// Reads one fragment's text, which sits at `base` in the file (or, `pinned`, nowhere in it),
    /// and merges what it declares into `parts`.
    fn read_fragment(
        &mut self,
        text: &str,
        base: usize,
        (pin, prefix): (Option<usize>, String),
        embedded: bool,
        parts: &mut Parts,
        out: &mut Vec<Included>,
    ) {
        let saved = (
            self.base,
            self.pin.take(),
            std::mem::replace(&mut self.prefix, prefix),
            self.reading.take(),
        );
        self.base = base;
        self.pin = pin;
        if let Some(inc) = self.read_fragment_text(text, embedded, parts, out) {
            out.push(inc);
        }
        (self.base, self.pin, self.prefix, self.reading) = saved;
    }

    fn read_fragment_text(
        &mut self,
        text: &str,
        embedded: bool,
        parts: &mut Parts,
        out: &[Included],
    ) -> Option<Included> {
        let root = match toml_span::parse(text) {
            Ok(v) => v,
            Err(e) => {
                let (expected, found) = syntax_problem(&e.kind, text, e.span.start);
                let (offset, path) = self.place(e.span.start, String::new());
                let (line, column) = self.lines.locate(offset);
                self.push(line, column, path, expected, found);
                return None;
            }
        };
        let root = self.table(&root, String::new(), FRAGMENT_ROOT_KEYS)?;
        self.check_format(&root);
        let Some(fv) = root.get("fragment") else {
            self.report(
                0,
                "fragment".into(),
                rule(
                    "a [fragment] table with id and title",
                    "[fragment] 表（含 id 和 title）",
                ),
                Found::Nothing,
            );
            return None;
        };
        let meta = self.table(fv, "fragment".into(), FRAGMENT_KEYS)?;
        let id = match meta.get("id") {
            None => {
                self.missing(&meta, "id");
                None
            }
            Some(_) => self.parsed(
                &meta,
                "id",
                FragmentId::parse,
                rule(
                    "a fragment id: a lower-case letter, then lower-case letters, digits, _ or -",
                    "片段标识：小写字母开头，只含小写字母、数字、下划线或连字符",
                ),
            ),
        };
        let title = self.string(&meta, "title", true);
        let description = self.string(&meta, "description", false);
        let version = self.string(&meta, "version", false);
        let id = id?;
        if out.iter().any(|f| f.id == id) {
            let v = meta.get("id").expect("id was read");
            self.report(
                v.span.start,
                meta.at("id"),
                rule("each fragment included once", "每个标准片段只引用一次"),
                Found::Text(id.to_string()),
            );
            return None;
        }
        self.reading = Some(id.to_string());
        let from = self.read_parts(&root);
        let mut inc = Included {
            id,
            title: title?,
            description,
            version,
            embedded,
            entries: Vec::new(),
        };
        self.merge(parts, from, &mut inc);
        Some(inc)
    }

    /// Adds what a fragment declares to the policy. Ids were checked for conflicts as they were
    /// read; `[channels]` merges: kinds are joined, and `review_every` and `publish_via` are
    /// taken from the fragment unless the policy sets them to something else (a conflict).
    fn merge(&mut self, into: &mut Parts, from: Parts, inc: &mut Included) {
        for r in from.roles {
            inc.entries.push(Entry::Role(r.id.clone()));
            into.roles.push(r);
        }
        for b in from.bodies {
            inc.entries.push(Entry::Body(b.id.clone()));
            into.bodies.push(b);
        }
        for d in from.duties {
            inc.entries.push(Entry::Duty(d.id.clone()));
            into.duties.push(d);
        }
        for r in from.responsibilities {
            inc.entries
                .push(Entry::Responsibility(into.responsibilities.len()));
            into.responsibilities.push(r);
        }
        for w in from.workflows {
            inc.entries.push(Entry::Workflow(w.id.clone()));
            into.workflows.push(w);
        }
        let Some(fc) = from.channels else { return };
        let Some(pc) = into.channels.as_mut() else {
            inc.entries
                .extend(fc.kinds.iter().map(|k| Entry::ChannelKind(*k)));
            if fc.review_every.is_some() {
                inc.entries.push(Entry::ChannelReview);
            }
            if fc.publish_via.is_some() {
                inc.entries.push(Entry::ChannelPublishVia);
            }
            into.channels = Some(fc);
            into.channel_places = from.channel_places;
            return;
        };
        // A fragment may make URLs stricter, never looser.
        pc.restrict_urls |= fc.restrict_urls;
        for k in fc.kinds {
            if !pc.kinds.contains(&k) {
                pc.kinds.push(k);
                inc.entries.push(Entry::ChannelKind(k));
            }
        }
        let [review_place, via_place] = from.channel_places;
        match (pc.review_every, fc.review_every, review_place) {
            (None, Some(f), _) => {
                pc.review_every = Some(f);
                inc.entries.push(Entry::ChannelReview);
                into.channel_places[0] = None;
            }
            (Some(p), Some(f), Some((offset, path))) if p != f => self.report_abs(
                offset,
                path,
                rule(
                    format!("the policy's own channels.review_every, \"{p}\", or none"),
                    format!("与实施办法的 channels.review_every（“{p}”）一致，或不填"),
                ),
                Found::Text(f.to_string()),
            ),
            _ => {}
        }
        match (&pc.publish_via, fc.publish_via, via_place) {
            (None, Some(f), _) => {
                pc.publish_via = Some(f);
                inc.entries.push(Entry::ChannelPublishVia);
            }
            (Some(p), Some(f), Some((offset, path))) if *p != f => {
                let p = p.to_string();
                self.report_abs(
                    offset,
                    path,
                    rule(
                        format!("the policy's own channels.publish_via, \"{p}\", or none"),
                        format!("与实施办法的 channels.publish_via（“{p}”）一致，或不填"),
                    ),
                    Found::Text(f.to_string()),
                )
            }
            _ => {}
        }
    }

    fn read_meta(&mut self, v: &Value<'_>) -> Option<PolicyMeta> {
        let t = self.table(v, "policy".into(), POLICY_KEYS)?;
        let id = match t.get("id") {
            None => {
                self.missing(&t, "id");
                None
            }
            Some(_) => self.parsed(
                &t,
                "id",
                PolicyId::parse,
                rule(
                    "a policy id: a lower-case letter, then lower-case letters, digits, _ or -",
                    "实施办法标识：小写字母开头，只含小写字母、数字、下划线或连字符",
                ),
            ),
        };
        let title = self.string(&t, "title", true);
        let version = self.string(&t, "version", false);
        let system = self.string(&t, "system", false);
        let issued_by = self.string(&t, "issued_by", false);
        let based_on = self.texts(&t, "based_on");
        let source_text = self.string(&t, "source_text", false);
        let mut applies_to = Vec::new();
        for (s, span, path) in self.strings(&t, "applies_to") {
            match UnitKind::parse(&s) {
                Some(k) if applies_to.contains(&k) => self.report(
                    span.start,
                    path,
                    rule("each value once", "每个值只写一次"),
                    Found::Text(s),
                ),
                Some(k) => applies_to.push(k),
                None => self.report(span.start, path, Expected::Identifier, Found::Text(s)),
            }
        }
        Some(PolicyMeta {
            id: id?,
            title: title?,
            version,
            system,
            issued_by,
            based_on,
            source_text,
            applies_to,
        })
    }

    fn read_roles(&mut self, root: &Tbl<'_, '_>) -> Vec<Role> {
        let mut out = Vec::new();
        for (k, v, path) in self.named_entries(root, "roles") {
            if !self.define(RefKind::Role, k, &path) {
                continue;
            }
            let Some(t) = self.table(v, path, ROLE_KEYS) else {
                continue;
            };
            let title = self.string(&t, "title", true);
            let held_by = self.string(&t, "held_by", false);
            let holders = self.read_holders(&t);
            let source = self.source(&t);
            if let (Some(id), Some(title)) = (RoleId::parse(&k.name), title) {
                out.push(Role {
                    id,
                    title,
                    held_by,
                    holders,
                    source,
                });
            }
        }
        out
    }

    fn read_holders(&mut self, t: &Tbl<'_, '_>) -> Holders {
        let Some(v) = t.get("holders") else {
            return Holders::default();
        };
        let Some(h) = self.table(v, t.at("holders"), HOLDERS_KEYS) else {
            return Holders::default();
        };
        let min = self.int(&h, "min", 0, 1000).unwrap_or(0);
        let max = self.int(&h, "max", 1, 1000);
        if let Some(max) = max {
            if max < min {
                let mv = h.get("max").expect("max was read");
                self.report(
                    mv.span.start,
                    h.at("max"),
                    rule(
                        format!("max at least min ({min})"),
                        format!("不小于 min（{min}）的上限"),
                    ),
                    Found::Number(i64::from(max)),
                );
            }
        }
        Holders { min, max }
    }

    fn read_bodies(&mut self, root: &Tbl<'_, '_>) -> Vec<Body> {
        let mut out = Vec::new();
        for (k, v, path) in self.named_entries(root, "bodies") {
            if !self.define(RefKind::Body, k, &path) {
                continue;
            }
            let Some(t) = self.table(v, path, BODY_KEYS) else {
                continue;
            };
            let title = self.string(&t, "title", true);
            let chair = self.role_list(&t, "chair");
            let deputies = self.role_list(&t, "deputies");
            let members = self.role_list(&t, "members");
            let within = self.reference(&t, "within", RefKind::Body, BodyId::parse);
            if let Some(v) = t.get("within") {
                let place = self.place(v.span.start, t.at("within"));
                self.within_places.insert(k.name.to_string(), place);
            }
            let remit = self.string(&t, "remit", false);
            let source = self.source(&t);
            if let (Some(id), Some(title)) = (BodyId::parse(&k.name), title) {
                out.push(Body {
                    id,
                    title,
                    chair,
                    deputies,
                    members,
                    within,
                    remit,
                    source,
                });
            }
        }
        out
    }

    /// A body may not sit within itself, directly or through others.
    fn check_bodies(&mut self, bodies: &[Body]) {
        let parent: HashMap<&BodyId, &BodyId> = bodies
            .iter()
            .filter_map(|b| b.within.as_ref().map(|w| (&b.id, w)))
            .collect();
        for b in bodies {
            let mut seen = HashSet::new();
            let mut cur = &b.id;
            while let Some(next) = parent.get(cur) {
                if !seen.insert(*next) || *next == &b.id {
                    let (offset, path) = self
                        .within_places
                        .get(b.id.as_str())
                        .cloned()
                        .unwrap_or((0, format!("bodies.{}.within", b.id)));
                    self.report_abs(
                        offset,
                        path,
                        rule(
                            "a body that does not contain this one",
                            "不包含本机构的上级机构（不能循环）",
                        ),
                        Found::Text(b.within.as_ref().map(|w| w.to_string()).unwrap_or_default()),
                    );
                    break;
                }
                cur = next;
            }
        }
    }

    fn read_duties(&mut self, root: &Tbl<'_, '_>) -> Vec<Duty> {
        let mut out = Vec::new();
        for (k, v, path) in self.named_entries(root, "duties") {
            if !self.define(RefKind::Duty, k, &path) {
                continue;
            }
            let Some(t) = self.table(v, path, DUTY_KEYS) else {
                continue;
            };
            if let Some(d) = self.read_duty(k, &t) {
                out.push(d);
            }
        }
        out
    }

    fn read_duty(&mut self, k: &Key<'_>, t: &Tbl<'_, '_>) -> Option<Duty> {
        let title = self.string(t, "title", true);
        let description = self.string(t, "description", false);
        let every = match t.get("every") {
            None => {
                self.missing(t, "every");
                None
            }
            Some(_) => self.parsed(
                t,
                "every",
                Frequency::parse,
                Expected::OneOf(FREQUENCY_WORDS),
            ),
        };
        let times = self.int(t, "times", 1, 366).unwrap_or(1);
        let owner = self.reference(t, "owner", RefKind::Role, RoleId::parse);
        let per = self
            .parsed(t, "per", Per::parse, Expected::OneOf(PER_WORDS))
            .unwrap_or(Per::Unit);
        let role = self.reference(t, "role", RefKind::Role, RoleId::parse);
        match (per, t.get("role")) {
            (Per::Holder, None) => self.report(
                t.get("per").map_or(t.span.start, |v| v.span.start),
                t.at("role"),
                rule(
                    "a role whose holders each get the duty (per = \"holder\" needs role)",
                    "按任职人员分解的角色（per = \"holder\" 时必须填写 role）",
                ),
                Found::Nothing,
            ),
            (Per::Unit, Some(v)) => self.report(
                v.span.start,
                t.at("role"),
                rule(
                    "no role unless per = \"holder\" (use owner for who answers)",
                    "仅在 per = \"holder\" 时填写 role（责任人请用 owner）",
                ),
                found_of(v),
            ),
            _ => {}
        }
        let evidence = self.words(t, "evidence", Evidence::parse, EVIDENCE_WORDS);
        let report_to_parent = self
            .parsed(
                t,
                "report_to",
                |s| (s == "parent").then_some(()),
                Expected::OneOf(&["parent"]),
            )
            .is_some();
        let due = self.parsed(t, "due", DueRule::parse, Expected::DueRule);
        let workday = self
            .parsed(t, "workday", Workday::parse, Expected::OneOf(WORKDAY_WORDS))
            .unwrap_or(Workday::Before);
        let lead = self.parsed(
            t,
            "lead",
            |s| Duration::parse(s).filter(|d| d.whole_days().is_some()),
            Expected::DaysOrWeeks,
        );
        let at = self.at(t);
        let source = self.source(t);

        if let Some(every) = every {
            self.check_due(t, every, due);
            if every != Frequency::Holiday {
                if let Some(v) = t.get("lead") {
                    self.report(
                        v.span.start,
                        t.at("lead"),
                        rule(
                            "lead only with every = \"holiday\"",
                            "仅 every = \"holiday\" 时可填写 lead",
                        ),
                        found_of(v),
                    );
                }
            }
        }
        Some(Duty {
            id: DutyId::parse(&k.name)?,
            title: title?,
            description,
            every: every?,
            times,
            owner,
            per,
            role,
            evidence,
            report_to_parent,
            due: due.unwrap_or(DueRule::End),
            workday,
            lead,
            at,
            source,
        })
    }

    fn check_due(&mut self, t: &Tbl<'_, '_>, every: Frequency, due: Option<DueRule>) {
        let Some(v) = t.get("due") else { return };
        let offset = v.span.start;
        let path = t.at("due");
        match (every, due) {
            (Frequency::Holiday, Some(_)) => self.report(
                offset,
                path,
                rule(
                    "no due for every = \"holiday\" (use lead)",
                    "every = \"holiday\" 时不填 due（请用 lead）",
                ),
                found_of(v),
            ),
            (f, Some(DueRule::MonthDay { .. })) if f != Frequency::Year => self.report(
                offset,
                path,
                rule(
                    "a month-day only with every = \"year\"",
                    "仅 every = \"year\" 时可用月日",
                ),
                found_of(v),
            ),
            (f, Some(DueRule::StartPlus { days })) if days >= shortest_period_days(f) => {
                let n = shortest_period_days(f);
                self.report(
                    offset,
                    path,
                    rule(
                        format!("start+<n>d with n below {n}, inside every {f} period"),
                        format!("start+<n>d 中 n 小于 {n}（不超出{}周期）", f.zh()),
                    ),
                    found_of(v),
                )
            }
            _ => {}
        }
    }

    fn read_responsibilities(&mut self, root: &Tbl<'_, '_>) -> Vec<Responsibility> {
        let mut out = Vec::new();
        for t in self.table_array(root, "responsibilities", RESPONSIBILITY_KEYS) {
            let text = self.string(&t, "text", true);
            let role = self.reference(&t, "role", RefKind::Role, RoleId::parse);
            let body = self.reference(&t, "body", RefKind::Body, BodyId::parse);
            let who = match (t.get("role"), t.get("body")) {
                (Some(_), Some(b)) => {
                    self.report(
                        b.span.start,
                        t.at("body"),
                        rule("either role or body, not both", "role 与 body 只能填一个"),
                        found_of(b),
                    );
                    None
                }
                (None, None) => {
                    self.report(
                        t.span.start,
                        t.at("role"),
                        rule("role or body: who answers for it", "role 或 body：由谁负责"),
                        Found::Nothing,
                    );
                    None
                }
                _ => role.map(Answerer::Role).or(body.map(Answerer::Body)),
            };
            let at = self.at(&t);
            let source = self.source(&t);
            if let (Some(who), Some(text)) = (who, text) {
                out.push(Responsibility {
                    who,
                    text,
                    at,
                    source,
                });
            }
        }
        out
    }

    fn read_workflows(&mut self, root: &Tbl<'_, '_>) -> Vec<Workflow> {
        let mut out = Vec::new();
        for (k, v, path) in self.named_entries(root, "workflows") {
            if !self.define(RefKind::Workflow, k, &path) {
                continue;
            }
            let Some(t) = self.table(v, path, WORKFLOW_KEYS) else {
                continue;
            };
            let title = self.string(&t, "title", true);
            let kind = match t.get("kind") {
                None => {
                    self.missing(&t, "kind");
                    None
                }
                Some(_) => self.parsed(
                    &t,
                    "kind",
                    WorkflowKind::parse,
                    Expected::OneOf(WORKFLOW_KIND_WORDS),
                ),
            };
            let checklist = self.texts(&t, "checklist");
            let scan = self.boolean(&t, "scan").unwrap_or(false);
            let requires = self.words(&t, "requires", Requirement::parse, REQUIREMENT_WORDS);
            let declassified_by =
                self.reference(&t, "declassified_by", RefKind::Role, RoleId::parse);
            let reassigned_by = self.reference(&t, "reassigned_by", RefKind::Role, RoleId::parse);
            let mut steps = Vec::new();
            let step_tables = self.table_array(&t, "steps", STEP_KEYS);
            if step_tables.is_empty() && t.get("steps").is_none() {
                self.report(
                    t.span.start,
                    t.at("steps"),
                    rule(
                        format!("at least one [[{}.steps]]", t.path),
                        format!("至少一个审核步骤 [[{}.steps]]", t.path),
                    ),
                    Found::Nothing,
                );
            }
            for s in step_tables {
                let title = self.string(&s, "title", true);
                let role = match s.get("role") {
                    None => {
                        self.missing(&s, "role");
                        None
                    }
                    Some(_) => self.reference(&s, "role", RefKind::Role, RoleId::parse),
                };
                let when = self.parsed(
                    &s,
                    "when",
                    |w| matches!(w, "major" | "foreign_speaker").then(|| w.to_owned()),
                    Expected::OneOf(&["major", "foreign_speaker"]),
                );
                let major_only = when.as_deref() == Some("major");
                let foreign_speaker_only = when.as_deref() == Some("foreign_speaker");
                let all = self.boolean(&s, "all").unwrap_or(false);
                let source = self.source(&s);
                if let (Some(title), Some(role)) = (title, role) {
                    steps.push(Step {
                        title,
                        role,
                        major_only,
                        foreign_speaker_only,
                        all,
                        source,
                    });
                }
            }
            let source = self.source(&t);
            if let (Some(id), Some(title), Some(kind)) = (WorkflowId::parse(&k.name), title, kind) {
                out.push(Workflow {
                    id,
                    title,
                    kind,
                    checklist,
                    scan,
                    requires,
                    declassified_by,
                    reassigned_by,
                    steps,
                    source,
                });
            }
        }
        out
    }

    fn read_channels(
        &mut self,
        v: &Value<'_>,
        path: String,
    ) -> (Option<Channels>, [Option<(usize, String)>; 2]) {
        let Some(t) = self.table(v, path, CHANNELS_KEYS) else {
            return (None, [None, None]);
        };
        let places = ["review_every", "publish_via"]
            .map(|k| t.get(k).map(|v| self.place(v.span.start, t.at(k))));
        if t.get("kinds").is_none() {
            self.missing(&t, "kinds");
        }
        let kinds = self.words(&t, "kinds", ChannelKind::parse, CHANNEL_KIND_WORDS);
        let review_every = self.parsed(
            &t,
            "review_every",
            |s| Frequency::parse(s).filter(|f| *f != Frequency::Holiday),
            Expected::OneOf(PERIOD_WORDS),
        );
        let publish_via = self.reference(&t, "publish_via", RefKind::Workflow, WorkflowId::parse);
        let restrict_urls = self.boolean(&t, "restrict_urls").unwrap_or(false);
        let source = self.source(&t);
        let channels = Channels {
            kinds,
            review_every,
            publish_via,
            restrict_urls,
            source,
        };
        (Some(channels), places)
    }

    fn read_incidents(&mut self, v: &Value<'_>, path: String) -> Option<Incidents> {
        let t = self.table(v, path, INCIDENTS_KEYS)?;
        let officer = self.reference(&t, "officer", RefKind::Role, RoleId::parse);
        let mut kinds = Vec::new();
        for (k, v, path) in self.named_entries(&t, "kinds") {
            if !self.define(RefKind::IncidentKind, k, &path) {
                continue;
            }
            let Some(kt) = self.table(v, path, INCIDENT_KIND_KEYS) else {
                continue;
            };
            let title = self.string(&kt, "title", true);
            let description = self.string(&kt, "description", false);
            let source = self.source(&kt);
            if let (Some(id), Some(title)) = (IncidentKindId::parse(&k.name), title) {
                kinds.push(IncidentKind {
                    id,
                    title,
                    description,
                    source,
                });
            }
        }
        let mut measures = Vec::new();
        for (k, v, path) in self.named_entries(&t, "measures") {
            if !self.define(RefKind::IncidentMeasure, k, &path) {
                continue;
            }
            let Some(mt) = self.table(v, path, INCIDENT_MEASURE_KEYS) else {
                continue;
            };
            let title = self.string(&mt, "title", true);
            let unit = self.string(&mt, "unit", false);
            let source = self.source(&mt);
            if let (Some(id), Some(title)) = (IncidentMeasureId::parse(&k.name), title) {
                measures.push(IncidentMeasure {
                    id,
                    title,
                    unit,
                    source,
                });
            }
        }
        let mut levels = Vec::new();
        for (k, v, path) in self.named_entries(&t, "levels") {
            let Some(l) = self.table(v, path, LEVEL_KEYS) else {
                continue;
            };
            if let Some(level) = self.read_level(k, &l) {
                levels.push(level);
            }
        }
        let source = self.source(&t);
        Some(Incidents {
            officer,
            kinds,
            measures,
            levels,
            source,
        })
    }

    fn report_within(&mut self, t: &Tbl<'_, '_>, key: &str) -> Option<ReportWithin> {
        self.parsed(
            t,
            key,
            |s| {
                if s == "immediately" {
                    Some(ReportWithin::Immediately)
                } else {
                    Duration::parse(s).map(ReportWithin::Within)
                }
            },
            rule(
                "a duration such as \"1h\" or \"24h\", or \"immediately\"",
                "时长（如“1h”“24h”）或“immediately”（第一时间）",
            ),
        )
    }

    fn read_level(&mut self, k: &Key<'_>, l: &Tbl<'_, '_>) -> Option<IncidentLevel> {
        let title = self.string(l, "title", true);
        let criteria = self.string(l, "criteria", false);
        let mut thresholds = Vec::new();
        for th in self.table_array(l, "thresholds", THRESHOLD_KEYS) {
            let measure = match th.get("measure") {
                None => {
                    self.missing(&th, "measure");
                    None
                }
                Some(_) => self.reference(
                    &th,
                    "measure",
                    RefKind::IncidentMeasure,
                    IncidentMeasureId::parse,
                ),
            };
            let at_least = self.int64(&th, "at_least");
            let below = self.int64(&th, "below");
            match (at_least, below) {
                (None, None) if th.get("at_least").is_none() && th.get("below").is_none() => self
                    .report(
                        th.span.start,
                        th.at("at_least"),
                        rule("at_least, below or both", "at_least、below 至少填一个"),
                        Found::Nothing,
                    ),
                (Some(a), Some(b)) if b <= a => {
                    let v = th.get("below").expect("below was read");
                    self.report(
                        v.span.start,
                        th.at("below"),
                        rule(
                            format!("a bound above at_least ({a})"),
                            format!("大于 at_least（{a}）的上界"),
                        ),
                        Found::Number(b),
                    )
                }
                _ => {}
            }
            if let Some(measure) = measure {
                thresholds.push(Threshold {
                    measure,
                    at_least,
                    below,
                });
            }
        }
        let mut kinds = Vec::new();
        for (s, span, path) in self.strings(l, "kinds") {
            match IncidentKindId::parse(&s) {
                Some(id) => {
                    let (offset, path) = self.place(span.start, path);
                    self.refs.push(PendingRef {
                        kind: RefKind::IncidentKind,
                        name: s,
                        offset,
                        path,
                    });
                    kinds.push(id);
                }
                None => self.report(span.start, path, Expected::Identifier, Found::Text(s)),
            }
        }
        // report_within: a duration for every unit, or a table by kind of reporting unit.
        let mut report_within = None;
        let mut report_within_by_kind = Vec::new();
        if let Some(v) = l.get("report_within") {
            match v.as_ref() {
                ValueInner::Table(map) => {
                    let rt = Tbl {
                        map,
                        span: v.span,
                        path: l.at("report_within"),
                    };
                    for (key, _) in in_file_order(map) {
                        let r = self.report_within(&rt, &key.name);
                        if key.name == "default" {
                            report_within = r;
                            continue;
                        }
                        match UnitKind::parse(&key.name) {
                            Some(kind) => {
                                if let Some(r) = r {
                                    report_within_by_kind.push((kind, r));
                                }
                            }
                            None => self.report(
                                key.span.start,
                                rt.at(&key.name),
                                rule(
                                    "\"default\" or a kind of unit (an identifier)",
                                    "“default”或单位类型（标识符）",
                                ),
                                Found::Key(key.name.to_string()),
                            ),
                        }
                    }
                }
                _ => report_within = self.report_within(l, "report_within"),
            }
        }
        let escalate = self.parsed(
            l,
            "escalate",
            |s| (s == "parent").then_some(()),
            Expected::OneOf(&["parent"]),
        );
        let mut report_to = self.report_targets(l);
        if let (Some(_), Some(v)) = (escalate, l.get("report_to")) {
            self.report(
                v.span.start,
                l.at("report_to"),
                rule(
                    "either escalate = \"parent\" or report_to, not both",
                    "escalate = \"parent\" 与 report_to 只能填一个",
                ),
                found_of(v),
            );
        }
        if escalate.is_some() && report_to.is_empty() {
            report_to.push(ReportTarget::Parent);
        }
        let escalate_to_parent = report_to.iter().any(|t| t.levels_up() > 0);
        let relay_within = self.parsed(l, "relay_within", Duration::parse, Expected::Duration);
        if let Some(v) = l.get("relay_within") {
            if report_to.iter().all(|t| t.levels_up() < 2) {
                self.report(
                    v.span.start,
                    l.at("relay_within"),
                    rule(
                        "relay_within only with report_to more than one level up ({ up = 2 } or more)",
                        "仅当 report_to 超过一级（{ up = 2 } 及以上）时可填 relay_within",
                    ),
                    found_of(v),
                );
            }
        }
        let written_within = self.parsed(l, "written_within", Duration::parse, Expected::Duration);
        let sign_off = self.reference(l, "sign_off", RefKind::Role, RoleId::parse);
        let follow_up_every =
            self.parsed(l, "follow_up_every", Duration::parse, Expected::Duration);
        let daily_report_at = self.parsed(
            l,
            "daily_report_at",
            TimeOfDay::parse,
            rule(
                "a time of day \"HH:MM\" (China time), such as \"16:00\"",
                "时刻“HH:MM”（北京时间），如“16:00”",
            ),
        );
        let final_within = self.parsed(l, "final_within", Duration::parse, Expected::Duration);
        let close_within = self.parsed(l, "close_within", Duration::parse, Expected::Duration);
        let close_review = self.closure_reviewer(l);
        let handling = self.texts(l, "handling");
        let source = self.source(l);
        Some(IncidentLevel {
            id: LevelId::parse(&k.name)?,
            title: title?,
            report_within,
            escalate_to_parent,
            close_within,
            source,
            criteria,
            thresholds,
            kinds,
            report_within_by_kind,
            report_to,
            relay_within,
            written_within,
            sign_off,
            follow_up_every,
            daily_report_at,
            final_within,
            close_review,
            handling,
        })
    }

    /// `report_to`: one target or an array of them; a target is "parent", { up = N },
    /// { body = "id" } or { role = "id" }.
    fn report_targets(&mut self, l: &Tbl<'_, '_>) -> Vec<ReportTarget> {
        let Some(v) = l.get("report_to") else {
            return Vec::new();
        };
        let path = l.at("report_to");
        let items: Vec<(&Value<'_>, String)> = match v.as_ref() {
            ValueInner::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, x)| (x, format!("{path}[{i}]")))
                .collect(),
            _ => vec![(v, path)],
        };
        let mut out = Vec::new();
        for (item, path) in items {
            let target = self.report_target(item, path.clone());
            if let Some(t) = target {
                if out.contains(&t) {
                    self.report(
                        item.span.start,
                        path,
                        rule("each target once", "每个报告对象只写一次"),
                        found_of(item),
                    );
                } else {
                    out.push(t);
                }
            }
        }
        out
    }

    fn report_target(&mut self, v: &Value<'_>, path: String) -> Option<ReportTarget> {
        let expected = || {
            rule(
                "\"parent\", { up = <n> }, { body = \"<body id>\" } or { role = \"<role id>\" }",
                "“parent”、{ up = 层级数 }、{ body = \"机构\" } 或 { role = \"角色\" }",
            )
        };
        match v.as_ref() {
            ValueInner::String(s) if s == "parent" => Some(ReportTarget::Parent),
            ValueInner::Table(map) => {
                let t = self.table(v, path.clone(), TARGET_KEYS)?;
                if map.len() != 1 {
                    self.report(v.span.start, path, expected(), found_of(v));
                    return None;
                }
                if t.get("up").is_some() {
                    return self.int(&t, "up", 1, 10).map(ReportTarget::Up);
                }
                if t.get("body").is_some() {
                    return self
                        .reference(&t, "body", RefKind::Body, BodyId::parse)
                        .map(ReportTarget::Body);
                }
                self.reference(&t, "role", RefKind::Role, RoleId::parse)
                    .map(ReportTarget::Role)
            }
            _ => {
                self.report(v.span.start, path, expected(), found_of(v));
                None
            }
        }
    }

    /// `close_review`: "parent", { role = "id" } or { body = "id" }.
    fn closure_reviewer(&mut self, l: &Tbl<'_, '_>) -> Option<ClosureReviewer> {
        let v = l.get("close_review")?;
        let path = l.at("close_review");
        let expected = || {
            rule(
                "\"parent\", { role = \"<role id>\" } or { body = \"<body id>\" }",
                "“parent”、{ role = \"角色\" } 或 { body = \"机构\" }",
            )
        };
        match v.as_ref() {
            ValueInner::String(s) if s == "parent" => Some(ClosureReviewer::Parent),
            ValueInner::Table(map) => {
                let t = self.table(v, path.clone(), &["role", "body"])?;
                if map.len() != 1 {
                    self.report(v.span.start, path, expected(), found_of(v));
                    return None;
                }
                if t.get("role").is_some() {
                    return self
                        .reference(&t, "role", RefKind::Role, RoleId::parse)
                        .map(ClosureReviewer::Role);
                }
                self.reference(&t, "body", RefKind::Body, BodyId::parse)
                    .map(ClosureReviewer::Body)
            }
            _ => {
                self.report(v.span.start, path, expected(), found_of(v));
                None
            }
        }
    }

    fn read_inspections(&mut self, root: &Tbl<'_, '_>) -> Vec<Inspection> {
        let mut out = Vec::new();
        for (k, v, path) in self.named_entries(root, "inspections") {
            let Some(t) = self.table(v, path, INSPECTION_KEYS) else {
                continue;
            };
            let title = self.string(&t, "title", true);
            let by = self.inspector(&t).unwrap_or(Inspector::SelfUnit);
            let of = if t.get("of").is_some() {
                self.at_key(&t, "of")
            } else {
                At::Children
            };
            let duty = self.reference(&t, "duty", RefKind::Duty, DutyId::parse);
            let mut checklist = Vec::new();
            for (s, span, path) in self.strings(&t, "checklist") {
                let item = if let Some(name) = s.strip_prefix("duty:") {
                    self.check_ref(RefKind::Duty, name, span, path, DutyId::parse)
                        .map(CheckItem::Duty)
                } else if let Some(name) = s.strip_prefix("item:") {
                    self.check_ref(RefKind::AssessmentItem, name, span, path, ItemId::parse)
                        .map(CheckItem::Item)
                } else {
                    Some(CheckItem::Text(s))
                };
                checklist.extend(item);
            }
            let results_to = self.results_to(&t);
            let results_use = self.string(&t, "results_use", false);
            let source = self.source(&t);
            if let (Some(id), Some(title)) = (InspectionId::parse(&k.name), title) {
                out.push(Inspection {
                    id,
                    title,
                    by,
                    of,
                    duty,
                    checklist,
                    results_to,
                    results_use,
                    source,
                });
            }
        }
        out
    }

    /// A `<prefix>:<id>` reference inside an array of strings.
    fn check_ref<T>(
        &mut self,
        kind: RefKind,
        name: &str,
        span: Span,
        path: String,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        match parse(name) {
            Some(id) => {
                let (offset, path) = self.place(span.start, path);
                self.refs.push(PendingRef {
                    kind,
                    name: name.to_owned(),
                    offset,
                    path,
                });
                Some(id)
            }
            None => {
                self.report(
                    span.start,
                    path,
                    Expected::Identifier,
                    Found::Text(name.to_owned()),
                );
                None
            }
        }
    }

    /// `by`: "self" (default), "parent", { role = "id" } or { body = "id" }.
    fn inspector(&mut self, t: &Tbl<'_, '_>) -> Option<Inspector> {
        let v = t.get("by")?;
        let path = t.at("by");
        let expected = || {
            rule(
                "\"self\", \"parent\", { role = \"<role id>\" } or { body = \"<body id>\" }",
                "“self”“parent”、{ role = \"角色\" } 或 { body = \"机构\" }",
            )
        };
        match v.as_ref() {
            ValueInner::String(s) if s == "self" => Some(Inspector::SelfUnit),
            ValueInner::String(s) if s == "parent" => Some(Inspector::Parent),
            ValueInner::Table(map) => {
                let it = self.table(v, path.clone(), &["role", "body"])?;
                if map.len() != 1 {
                    self.report(v.span.start, path, expected(), found_of(v));
                    return None;
                }
                if it.get("role").is_some() {
                    return self
                        .reference(&it, "role", RefKind::Role, RoleId::parse)
                        .map(Inspector::Role);
                }
                self.reference(&it, "body", RefKind::Body, BodyId::parse)
                    .map(Inspector::Body)
            }
            _ => {
                self.report(v.span.start, path, expected(), found_of(v));
                None
            }
        }
    }

    /// `results_to`: "parent", { body = "id" } or { role = "id" }.
    fn results_to(&mut self, t: &Tbl<'_, '_>) -> Option<ResultsTo> {
        let v = t.get("results_to")?;
        let path = t.at("results_to");
        let expected = || {
            rule(
                "\"parent\", { body = \"<body id>\" } or { role = \"<role id>\" }",
                "“parent”、{ body = \"机构\" } 或 { role = \"角色\" }",
            )
        };
        match v.as_ref() {
            ValueInner::String(s) if s == "parent" => Some(ResultsTo::Parent),
            ValueInner::Table(map) => {
                let it = self.table(v, path.clone(), &["role", "body"])?;
                if map.len() != 1 {
                    self.report(v.span.start, path, expected(), found_of(v));
                    return None;
                }
                if it.get("role").is_some() {
                    return self
                        .reference(&it, "role", RefKind::Role, RoleId::parse)
                        .map(ResultsTo::Role);
                }
                self.reference(&it, "body", RefKind::Body, BodyId::parse)
                    .map(ResultsTo::Body)
            }
            _ => {
                self.report(v.span.start, path, expected(), found_of(v));
                None
            }
        }
    }

    fn read_rectification(&mut self, v: &Value<'_>, path: String) -> Option<Rectification> {
        let t = self.table(v, path, RECTIFICATION_KEYS)?;
        let mut severities = Vec::new();
        for (k, v, path) in self.named_entries(&t, "severities") {
            let Some(st) = self.table(v, path, SEVERITY_KEYS) else {
                continue;
            };
            let title = self.string(&st, "title", true);
            let kind = match st.get("kind") {
                None => {
                    self.missing(&st, "kind");
                    None
                }
                Some(_) => self.parsed(
                    &st,
                    "kind",
                    RectificationKind::parse,
                    Expected::OneOf(RECTIFICATION_KIND_WORDS),
                ),
            };
            let days = |s: &str| Duration::parse(s).filter(|d| d.whole_days().is_some());
            let within = self.parsed(&st, "within", days, Expected::DaysOrWeeks);
            if kind == Some(RectificationKind::Deadline) && st.get("within").is_none() {
                self.report(
                    st.span.start,
                    st.at("within"),
                    rule(
                        "within: the days a 限期整改 finding has (kind = \"deadline\" needs it)",
                        "整改期限 within（kind = \"deadline\" 限期整改时必须填写）",
                    ),
                    Found::Nothing,
                );
            }
            let workday = self
                .parsed(
                    &st,
                    "workday",
                    Workday::parse,
                    Expected::OneOf(WORKDAY_WORDS),
                )
                .unwrap_or(Workday::Any);
            let progress_every = self.parsed(&st, "progress_every", days, Expected::DaysOrWeeks);
            let source = self.source(&st);
            if let (Some(id), Some(title), Some(kind)) = (SeverityId::parse(&k.name), title, kind) {
                severities.push(Severity {
                    id,
                    title,
                    kind,
                    within,
                    workday,
                    progress_every,
                    source,
                });
            }
        }
        if severities.is_empty() && t.get("severities").is_none() {
            self.report(
                t.span.start,
                t.at("severities"),
                rule(
                    "at least one [rectification.severities.<id>]",
                    "至少一个问题等级 [rectification.severities.<标识>]",
                ),
                Found::Nothing,
            );
        }
        let source = self.source(&t);
        Some(Rectification { severities, source })
    }

    /// An integer of any size (thresholds: people, money in 元).
    fn int64(&mut self, t: &Tbl<'_, '_>, key: &str) -> Option<i64> {
        let v = t.get(key)?;
        match v.as_ref() {
            ValueInner::Integer(n) => Some(*n),
            _ => {
                self.report(
                    v.span.start,
                    t.at(key),
                    Expected::Type(ValueType::Integer),
                    found_of(v),
                );
                None
            }
        }
    }

    fn read_assessment(&mut self, v: &Value<'_>, path: String) -> Option<Assessment> {
        let t = self.table(v, path, ASSESSMENT_KEYS)?;
        let every = self
            .parsed(
                &t,
                "every",
                |s| Frequency::parse(s).filter(|f| *f != Frequency::Holiday),
                Expected::OneOf(PERIOD_WORDS),
            )
            .unwrap_or(Frequency::Year);
        let item_tables = self.table_array(&t, "items", ITEM_KEYS);
        if item_tables.is_empty() {
            self.report(
                t.span.start,
                t.at("items"),
                rule(
                    "at least one [[assessment.items]]",
                    "至少一个考核项目 [[assessment.items]]",
                ),
                Found::Nothing,
            );
        }
        let mut items = Vec::new();
        let mut ids = HashSet::new();
        let (mut weighted, mut unweighted, mut sum) = (0, 0, 0u32);
        // Item tables by id, for the checks that need the whole tree.
        let mut tables: Vec<(ItemId, &Tbl<'_, '_>)> = Vec::new();
        for it in &item_tables {
            let id = self.item_id(it, &mut ids, ItemId::parse);
            if let Some(id) = &id {
                let (offset, path) = self.place(it.span.start, it.at("id"));
                self.defined.insert(
                    (RefKind::AssessmentItem, id.to_string()),
                    Definer {
                        fragment: self.reading.clone(),
                        offset,
                        path,
                    },
                );
            }
            let title = self.string(it, "title", true);
            let weight = self.int(it, "weight", 0, 100);
            match it.get("weight") {
                Some(_) => weighted += 1,
                None => unweighted += 1,
            }
            sum += weight.unwrap_or(0);
            let measure = self.measure(it);
            let code = self.string(it, "code", false);
            let points = self.points(it, "points");
            let under = match it.get("under") {
                None => None,
                Some(uv) => {
                    let under = self.parsed(it, "under", ItemId::parse, Expected::Identifier);
                    match under {
                        Some(u) if items.iter().any(|x: &AssessmentItem| x.id == u) => Some(u),
                        Some(u) => {
                            self.report(
                                uv.span.start,
                                it.at("under"),
                                rule(
                                    "the id of an item listed above this one",
                                    "在本项之前列出的考核项目标识",
                                ),
                                Found::Text(u.to_string()),
                            );
                            None
                        }
                        None => None,
                    }
                }
            };
            let combine = self
                .parsed(
                    it,
                    "combine",
                    Combine::parse,
                    Expected::OneOf(COMBINE_WORDS),
                )
                .unwrap_or(Combine::Sum);
            let score_rule = self.score_rule(it, points);
            let criterion = self.string(it, "criterion", false);
            let source = self.source(it);
            if let (Some(id), Some(title), Some(measure)) = (id, title, measure) {
                tables.push((id.clone(), it));
                items.push(AssessmentItem {
                    id,
                    title,
                    weight,
                    measure,
                    source,
                    code,
                    points,
                    under,
                    combine,
                    rule: score_rule,
                    criterion,
                });
            }
        }
        let uses_points = items.iter().any(|i| i.points.is_some());
        if uses_points && weighted > 0 {
            let first = item_tables
                .iter()
                .find(|it| it.get("weight").is_some())
                .expect("a weighted item exists");
            let wv = first.get("weight").expect("weight present");
            self.report(
                wv.span.start,
                first.at("weight"),
                rule(
                    "points on the items (a rubric) or weights (format 1), not both",
                    "考核项目用分值（points）或权重（weight），不能混用",
                ),
                found_of(wv),
            );
        } else if weighted > 0 && unweighted > 0 {
            let first_missing = item_tables
                .iter()
                .find(|it| it.get("weight").is_none())
                .expect("an unweighted item exists");
            self.report(
                first_missing.span.start,
                first_missing.at("weight"),
                rule(
                    "a weight on every item, or on none",
                    "所有考核项目都填写权重，或都不填写",
                ),
                Found::Nothing,
            );
        } else if weighted > 0 && sum != 100 {
            self.report(
                t.get("items").map_or(t.span.start, |v| v.span.start),
                t.at("items"),
                rule("weights adding up to 100", "权重合计为 100"),
                other(format!("a total of {sum}"), format!("合计 {sum}")),
            );
        }
        self.check_rubric_tree(&items, &tables);
        let grades = self.read_grades(&t);
        let vetoes = self.read_vetoes(&t, &grades);
        let quota_ties = self
            .parsed(
                &t,
                "quota_ties",
                QuotaTies::parse,
                Expected::OneOf(QUOTA_TIES_WORDS),
            )
            .unwrap_or(QuotaTies::Within);
        let source = self.source(&t);
        Some(Assessment {
            every,
            items,
            source,
            vetoes,
            grades,
            quota_ties,
        })
    }

    /// `measure`: "manual" (default), "duty:<id>", "missed:<id>", "late:<id>", or a ledger count.
    fn measure(&mut self, it: &Tbl<'_, '_>) -> Option<Measure> {
        let Some(mv) = it.get("measure") else {
            return Some(Measure::Manual);
        };
        let expected = || {
            rule(
                "\"manual\", \"duty:<duty id>\", \"missed:<duty id>\", \"late:<duty id>\", \"reports_late\", \"open_findings\", \"overdue_findings\" or \"incidents_late\"",
                "“manual”“duty:<工作任务标识>”“missed:<工作任务标识>”“late:<工作任务标识>”“reports_late”“open_findings”“overdue_findings”或“incidents_late”",
            )
        };
        let Some(s) = mv.as_str() else {
            self.report(mv.span.start, it.at("measure"), expected(), found_of(mv));
            return None;
        };
        match s {
            "manual" => return Some(Measure::Manual),
            "reports_late" => return Some(Measure::ReportsLate),
            "open_findings" => return Some(Measure::OpenFindings),
            "overdue_findings" => return Some(Measure::OverdueFindings),
            "incidents_late" => return Some(Measure::IncidentsLate),
            _ => {}
        }
        let (prefix, name) = match s.split_once(':') {
            Some((p @ ("duty" | "missed" | "late"), name)) => (p, name),
            _ => {
                self.report(mv.span.start, it.at("measure"), expected(), found_of(mv));
                return None;
            }
        };
        let Some(d) = DutyId::parse(name) else {
            self.report(
                mv.span.start,
                it.at("measure"),
                Expected::Identifier,
                Found::Text(s.to_owned()),
            );
            return None;
        };
        let (offset, path) = self.place(mv.span.start, it.at("measure"));
        self.refs.push(PendingRef {
            kind: RefKind::Duty,
            name: name.to_owned(),
            offset,
            path,
        });
        Some(match prefix {
            "duty" => Measure::Duty(d),
            "missed" => Measure::Missed(d),
            _ => Measure::Late(d),
        })
    }

    /// Points: a number ≥ 0 with at most two decimals.
    fn points(&mut self, t: &Tbl<'_, '_>, key: &str) -> Option<Points> {
        let v = t.get(key)?;
        let p = match v.as_ref() {
            ValueInner::Integer(n) if *n >= 0 && *n < 1_000_000 => Some(Points::from_whole(*n)),
            ValueInner::Float(x) if *x >= 0.0 && *x < 1_000_000.0 => Points::from_f64(*x),
            _ => None,
        };
        if p.is_none() {
            let found = match v.as_ref() {
                ValueInner::Float(x) => other(x.to_string(), x.to_string()),
                _ => found_of(v),
            };
            self.report(
                v.span.start,
                t.at(key),
                rule(
                    "points: a number from 0, with at most two decimals (8, 0.5)",
                    "分值：不小于 0 的数，最多两位小数（如 8、0.5）",
                ),
                found,
            );
        }
        p
    }

    /// `rule = { kind = "…", … }` on an item with `points`.
    fn score_rule(&mut self, it: &Tbl<'_, '_>, points: Option<Points>) -> Option<ScoreRule> {
        let v = it.get("rule")?;
        let r = self.table(v, it.at("rule"), RULE_KEYS)?;
        let kind = match r.get("kind") {
            None => {
                self.missing(&r, "kind");
                return None;
            }
            Some(_) => self.parsed(
                &r,
                "kind",
                |s| RULE_KINDS.contains(&s).then(|| s.to_owned()),
                Expected::OneOf(RULE_KINDS),
            )?,
        };
        // Keys that belong to other kinds are reported, so a typo in the kind is not silent.
        let allowed: &[&str] = match kind.as_str() {
            "fixed" => &["kind", "deduct"],
            "per_case" => &["kind", "deduct", "cap", "case"],
            "range" => &["kind", "min", "max"],
            "all_or_nothing" => &["kind"],
            "bonus" => &["kind", "levels", "cap"],
            _ => &["kind", "target"],
        };
        for (k, _) in in_file_order(r.map) {
            if !allowed.contains(&k.name.as_ref()) && RULE_KEYS.contains(&k.name.as_ref()) {
                self.report(
                    k.span.start,
                    r.at(&k.name),
                    rule(
                        format!("only {} with kind = \"{kind}\"", allowed.join(", ")),
                        format!("kind = \"{kind}\" 时只能填写 {}", allowed.join("、")),
                    ),
                    Found::Key(k.name.to_string()),
                );
            }
        }
        let over = |this: &mut Self,
                    key: &str,
                    value: Points,
                    limit: Points,
                    what_en: &str,
                    what_zh: &str| {
            if value > limit {
                let kv = r.get(key).expect("the key was read");
                this.report(
                    kv.span.start,
                    r.at(key),
                    rule(
                        format!("at most the item's points ({limit}) {what_en}"),
                        format!("不超过本项分值（{limit}）的{what_zh}"),
                    ),
                    other(value.to_string(), value.to_string()),
                );
            }
        };
        let required = |this: &mut Self, key: &str| {
            let p = this.points(&r, key);
            if r.get(key).is_none() {
                this.missing(&r, key);
            }
            p
        };
        Some(match kind.as_str() {
            "fixed" => {
                let deduct = required(self, "deduct")?;
                if let Some(p) = points {
                    over(self, "deduct", deduct, p, "as the deduction", "扣分");
                }
                ScoreRule::Fixed { deduct }
            }
            "per_case" => {
                let deduct = required(self, "deduct")?;
                let cap = self.points(&r, "cap");
                if let (Some(p), Some(c)) = (points, cap) {
                    over(self, "cap", c, p, "as the cap", "扣分上限");
                }
                let case = self.string(&r, "case", false);
                ScoreRule::PerCase { deduct, cap, case }
            }
            "range" => {
                let min = required(self, "min")?;
                let max = required(self, "max")?;
                if max < min {
                    let kv = r.get("max").expect("max was read");
                    self.report(
                        kv.span.start,
                        r.at("max"),
                        rule(
                            format!("at least min ({min})"),
                            format!("不小于 min（{min}）"),
                        ),
                        other(max.to_string(), max.to_string()),
                    );
                }
                if let Some(p) = points {
                    over(self, "max", max, p, "as the largest deduction", "最大扣分");
                }
                ScoreRule::Range { min, max }
            }
            "all_or_nothing" => ScoreRule::AllOrNothing,
            "bonus" => {
                let mut levels = Vec::new();
                match r.get("levels") {
                    None => self.missing(&r, "levels"),
                    Some(lv) => match lv.as_ref() {
                        ValueInner::Table(map) if !map.is_empty() => {
                            let lt = Tbl {
                                map,
                                span: lv.span,
                                path: r.at("levels"),
                            };
                            for (k, _) in in_file_order(map) {
                                if !is_identifier(&k.name) {
                                    self.report(
                                        k.span.start,
                                        lt.at(&k.name),
                                        Expected::Identifier,
                                        Found::Key(k.name.to_string()),
                                    );
                                    continue;
                                }
                                if let Some(p) = self.points(&lt, &k.name) {
                                    levels.push((k.name.to_string(), p));
                                }
                            }
                        }
                        _ => self.report(
                            lv.span.start,
                            r.at("levels"),
                            rule(
                                "a table of points by level, such as { national = 2, provincial = 1 }",
                                "按级别的加分表，如 { national = 2, provincial = 1 }",
                            ),
                            found_of(lv),
                        ),
                    },
                }
                let cap = self.points(&r, "cap");
                ScoreRule::Bonus { levels, cap }
            }
            _ => {
                let target = match r.get("target") {
                    None => {
                        self.missing(&r, "target");
                        None
                    }
                    Some(_) => self.int(&r, "target", 1, 10_000),
                }?;
                ScoreRule::Prorated { target }
            }
        })
    }

    /// Rules only on leaves; a parent's points are its sub-items' sum (when both are given);
    /// `combine = "highest"` needs the parent's points; counts from the ledger need a rule.
    fn check_rubric_tree(&mut self, items: &[AssessmentItem], tables: &[(ItemId, &Tbl<'_, '_>)]) {
        let table = |id: &ItemId| tables.iter().find(|(i, _)| i == id).map(|(_, t)| *t);
        for item in items {
            let Some(t) = table(&item.id) else { continue };
            let children: Vec<&AssessmentItem> = items
                .iter()
                .filter(|c| c.under.as_ref() == Some(&item.id))
                .collect();
            if !children.is_empty() {
                if let Some(v) = t.get("rule") {
                    self.report(
                        v.span.start,
                        t.at("rule"),
                        rule(
                            "a rule on a leaf only (this item has sub-items)",
                            "评分细则只能写在末级项目上（本项有下级项目）",
                        ),
                        found_of(v),
                    );
                }
                if item.combine == Combine::Sum {
                    let child_points: Option<Points> = children.iter().map(|c| c.points).sum();
                    if let (Some(p), Some(sum)) = (item.points, child_points) {
                        if p != sum {
                            let v = t.get("points").expect("points were read");
                            self.report(
                                v.span.start,
                                t.at("points"),
                                rule(
                                    format!("the sum of its sub-items' points ({sum})"),
                                    format!("下级项目分值之和（{sum}）"),
                                ),
                                other(p.to_string(), p.to_string()),
                            );
                        }
                    }
                } else if item.points.is_none() && children.iter().all(|c| c.points.is_some()) {
                    self.report(
                        t.span.start,
                        t.at("points"),
                        rule(
                            "points (combine = \"highest\" deducts the largest deduction from them)",
                            "分值 points（combine = \"highest\" 从中扣除最高一项扣分）",
                        ),
                        Found::Nothing,
                    );
                }
                let with_points = children.iter().filter(|c| c.points.is_some()).count();
                if with_points > 0 && with_points < children.len() {
                    let c = children
                        .iter()
                        .find(|c| c.points.is_none())
                        .expect("a child without points");
                    if let Some(ct) = table(&c.id) {
                        self.report(
                            ct.span.start,
                            ct.at("points"),
                            rule(
                                "points on every sub-item (they share out the item's points) or on none (they deduct from the item's points)",
                                "下级项目都填写分值（分配本项分值）或都不填写（从本项分值中扣分）",
                            ),
                            Found::Nothing,
                        );
                    }
                }
                if with_points == 0 {
                    if item.points.is_none() {
                        self.report(
                            t.span.start,
                            t.at("points"),
                            rule(
                                "points (its sub-items have none: they deduct from these)",
                                "分值 points（下级项目未填分值，从本项分值中扣分）",
                            ),
                            Found::Nothing,
                        );
                    }
                    for c in &children {
                        let deducts = matches!(
                            c.rule,
                            Some(
                                ScoreRule::Fixed { .. }
                                    | ScoreRule::PerCase { .. }
                                    | ScoreRule::Range { .. }
                                    | ScoreRule::AllOrNothing
                            )
                        );
                        if let (false, Some(ct)) = (deducts, table(&c.id)) {
                            self.report(
                                ct.span.start,
                                ct.at("rule"),
                                rule(
                                    "a deduction rule (fixed, per_case, range or all_or_nothing): this sub-item has no points of its own",
                                    "扣分细则（fixed、per_case、range 或 all_or_nothing）：本项没有自己的分值",
                                ),
                                Found::Nothing,
                            );
                        }
                    }
                }
            } else if t.get("combine").is_some() {
                let v = t.get("combine").expect("combine present");
                self.report(
                    v.span.start,
                    t.at("combine"),
                    rule(
                        "combine only on an item with sub-items",
                        "只有带下级项目的项目可以填写 combine",
                    ),
                    found_of(v),
                );
            }
            let pooled = item
                .under
                .as_ref()
                .and_then(|u| items.iter().find(|x| &x.id == u))
                .is_some_and(|p| p.points.is_some());
            let needs_points = item
                .rule
                .as_ref()
                .is_some_and(|r| !matches!(r, ScoreRule::Bonus { .. }));
            if needs_points && children.is_empty() && item.points.is_none() && !pooled {
                let v = t.get("rule").expect("rule was read");
                self.report(
                    v.span.start,
                    t.at("points"),
                    rule(
                        "points on an item with a rule, or on the item it is under",
                        "有评分细则的项目（或其上级项目）须填写分值 points",
                    ),
                    Found::Nothing,
                );
            }
            let counts = matches!(
                item.measure,
                Measure::Missed(_)
                    | Measure::Late(_)
                    | Measure::ReportsLate
                    | Measure::OpenFindings
                    | Measure::OverdueFindings
                    | Measure::IncidentsLate
            );
            let count_rule = matches!(
                item.rule,
                Some(ScoreRule::Fixed { .. } | ScoreRule::PerCase { .. } | ScoreRule::AllOrNothing)
            );
            if counts && !count_rule {
                let v = t.get("measure").expect("measure was read");
                self.report(
                    v.span.start,
                    t.at("measure"),
                    rule(
                        "a count from the ledger with a rule that turns it into points (fixed, per_case or all_or_nothing)",
                        "台账计数须配合把次数换算为分数的细则（fixed、per_case 或 all_or_nothing）",
                    ),
                    found_of(v),
                );
            }
            if matches!(item.measure, Measure::Duty(_))
                && item
                    .rule
                    .as_ref()
                    .is_some_and(|r| !matches!(r, ScoreRule::Prorated { .. }))
            {
                let v = t.get("measure").expect("measure was read");
                self.report(
                    v.span.start,
                    t.at("measure"),
                    rule(
                        "duty:<id> with no rule (the on-time share) or a prorated rule; for cases use missed:<id> or late:<id>",
                        "duty:<标识> 不配细则（按时完成率）或配 prorated；按次扣分请用 missed:<标识> 或 late:<标识>",
                    ),
                    found_of(v),
                );
            }
        }
    }

    fn read_grades(&mut self, t: &Tbl<'_, '_>) -> Vec<Grade> {
        let mut out: Vec<Grade> = Vec::new();
        let mut ids = HashSet::new();
        for g in self.table_array(t, "grades", GRADE_KEYS) {
            let id = self.item_id(&g, &mut ids, GradeId::parse);
            let title = self.string(&g, "title", true);
            let min = self.points(&g, "min");
            if g.get("min").is_none() {
                self.missing(&g, "min");
            }
            let quota = self.int(&g, "quota", 1, 100);
            let requires = self.words(&g, "requires", GradeCondition::parse, GRADE_CONDITION_WORDS);
            let source = self.source(&g);
            if let (Some(prev), Some(m)) = (out.last(), min) {
                if m > prev.min {
                    let v = g.get("min").expect("min was read");
                    self.report(
                        v.span.start,
                        g.at("min"),
                        rule(
                            format!(
                                "at most the band above's minimum ({}): bands run best first",
                                prev.min
                            ),
                            format!("不高于上一等级的最低分（{}）：等级按从高到低排列", prev.min),
                        ),
                        other(m.to_string(), m.to_string()),
                    );
                }
            }
            if let (Some(id), Some(title), Some(min)) = (id, title, min) {
                out.push(Grade {
                    id,
                    title,
                    min,
                    quota,
                    requires,
                    source,
                });
            }
        }
        out
    }

    fn read_vetoes(&mut self, t: &Tbl<'_, '_>, grades: &[Grade]) -> Vec<Veto> {
        let mut out = Vec::new();
        let mut ids = HashSet::new();
        for vt in self.table_array(t, "vetoes", VETO_KEYS) {
            let id = self.item_id(&vt, &mut ids, VetoId::parse);
            let text = self.string(&vt, "text", true);
            let mut effects = Vec::new();
            if vt.get("effect").is_none() {
                self.missing(&vt, "effect");
            }
            for (s, span, path) in self.strings(&vt, "effect") {
                let effect = match s.as_str() {
                    "zero" => Some(VetoEffect::Zero),
                    "no_commendation" => Some(VetoEffect::NoCommendation),
                    _ => match s.strip_prefix("grade:") {
                        Some(g) if grades.iter().any(|x| x.id.as_str() == g) => {
                            GradeId::parse(g).map(VetoEffect::Grade)
                        }
                        Some(g) => {
                            self.report(
                                span.start,
                                path.clone(),
                                rule(
                                    "the id of a grade defined in [[assessment.grades]]",
                                    "在 [[assessment.grades]] 中定义的等级",
                                ),
                                Found::Text(g.to_owned()),
                            );
                            None
                        }
                        None => {
                            self.report(
                                span.start,
                                path.clone(),
                                rule(
                                    "\"zero\", \"no_commendation\" or \"grade:<grade id>\"",
                                    "“zero”“no_commendation”或“grade:<等级标识>”",
                                ),
                                Found::Text(s.clone()),
                            );
                            None
                        }
                    },
                };
                if let Some(e) = effect {
                    if effects.contains(&e) {
                        self.report(
                            span.start,
                            path,
                            rule("each value once", "每个值只写一次"),
                            Found::Text(s),
                        );
                    } else {
                        effects.push(e);
                    }
                }
            }
            let source = self.source(&vt);
            if let (Some(id), Some(text)) = (id, text) {
                out.push(Veto {
                    id,
                    text,
                    effects,
                    source,
                });
            }
        }
        out
    }

    /// Reads an `id` key of an array-of-tables element, reporting repeats.
    fn item_id<T>(
        &mut self,
        t: &Tbl<'_, '_>,
        seen: &mut HashSet<String>,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        if t.get("id").is_none() {
            self.missing(t, "id");
            return None;
        }
        let id = self.parsed(t, "id", parse, Expected::Identifier)?;
        let v = t.get("id").expect("id present");
        let name = v.as_str().unwrap_or_default().to_owned();
        if !seen.insert(name.clone()) {
            self.report(
                v.span.start,
                t.at("id"),
                rule("an id not used by another item", "不与其他项目重复的标识"),
                Found::Text(name),
            );
            return None;
        }
        Some(id)
    }

    fn read_accountability(&mut self, v: &Value<'_>, path: String) -> Option<Accountability> {
        let t = self.table(v, path, ACCOUNTABILITY_KEYS)?;
        let basis = self.texts(&t, "basis");
        let measures = self.texts(&t, "measures");
        let filing_to_parent = self
            .parsed(
                &t,
                "filing",
                |s| (s == "parent").then_some(()),
                Expected::OneOf(&["parent"]),
            )
            .is_some();
        let consequence = self.string(&t, "consequence", false);
        let allocation = self.parsed(
            &t,
            "allocation",
            Allocation::parse,
            Expected::OneOf(ALLOCATION_WORDS),
        );
        let approver = self.reference(&t, "approver", RefKind::Role, RoleId::parse);
        let appeal_months = self.int(&t, "appeal_months", 1, 12).unwrap_or(1);
        let mut circumstances = Vec::new();
        let mut ids = HashSet::new();
        for c in self.table_array(&t, "circumstances", CIRCUMSTANCE_KEYS) {
            let id = self.item_id(&c, &mut ids, CircumstanceId::parse);
            let text = self.string(&c, "text", true);
            let source = self.source(&c);
            if let (Some(id), Some(text)) = (id, text) {
                circumstances.push(Circumstance { id, text, source });
            }
        }
        let source = self.source(&t);
        Some(Accountability {
            basis,
            measures,
            filing_to_parent,
            consequence,
            allocation,
            approver,
            appeal_months,
            circumstances,
            source,
        })
    }

    /// Checks every collected reference against what the file defines.
    fn check_refs(&mut self) {
        for r in std::mem::take(&mut self.refs) {
            if !self.defined.contains_key(&(r.kind, r.name.clone())) {
                self.report_abs(
                    r.offset,
                    r.path,
                    Expected::Reference(r.kind),
                    Found::Text(r.name),
                );
            }
        }
    }
}

/// Where the key at `path` (dotted, e.g. `duties.half_year_report.report_to`) is written in a
/// policy text: (line, column), 1-based — for diagnostics found after parsing, such as install
/// warnings. None when the text does not parse or has no such key.
pub fn locate(text: &str, path: &str) -> Option<(usize, usize)> {
    let root = toml_span::parse(text).ok()?;
    let mut v = &root;
    let mut at = None;
    for key in path.split('.') {
        let ValueInner::Table(t) = v.as_ref() else {
            return None;
        };
        let (k, next) = t.get_key_value(key)?;
        at = Some(k.span.start);
        v = next;
    }
    at.map(|o| LineIndex::new(text).locate(o))
}
