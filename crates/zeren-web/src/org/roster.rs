//! Roster (花名册) import: read an XLSX or CSV file, check every row (GB 11643 ID numbers,
//! phone numbers, GB/T 4762 political status, duplicates, the unit named), and return either
//! all people ready to insert or every problem with its row number. Also writes the templates.

use std::collections::HashMap;

use zeren_core::people::{is_phone, political_code, ResidentId, POLITICAL_STATUS};
use zeren_store::{NewPerson, Unit};

use crate::shared::i18n::Lang;

/// The template's columns, in order. `text` columns are formatted as text in the XLSX
/// template so that spreadsheet programs keep long digit strings intact.
pub const COLUMNS: &[(&str, &str, bool)] = &[
    ("姓名", "name", false),
    ("性别", "gender", false),
    ("身份证号", "id_number", true),
    ("工号", "employee_no", true),
    ("手机号", "phone", true),
    ("职务", "position", false),
    ("政治面貌", "political_status", false),
    ("所在单位", "unit", false),
];

/// A cell as the bounded reader gives it: text, a number, or empty.
pub use zeren_scan::sheet::Cell;

/// People one import may hold (a district's roster; larger ones are imported in parts).
pub const MAX_PEOPLE: usize = 10_000;

/// Longest cell of a roster: no field needs more (names 50, unit names 100 characters); a
/// longer cell is refused with its row before anything else is read into memory.
pub const MAX_CELL_CHARS: usize = 200;

/// Longest value of the free-text fields, in characters.
const MAX_NAME: usize = 50;
const MAX_EMPLOYEE_NO: usize = 32;
const MAX_POSITION: usize = 50;
const MAX_UNIT_NAME: usize = 100;

/// What the reader may take from a roster file of at most `max_input` bytes: its rows and
/// columns, cells, expanded size and shared strings are capped before they are allocated.
pub fn limits(max_input: u64) -> zeren_scan::sheet::GridLimits {
    zeren_scan::sheet::GridLimits {
        // The header and a few title rows above it.
        max_rows: MAX_PEOPLE + 20,
        max_columns: 64,
        max_cells: (MAX_PEOPLE + 20) * 16,
        max_cell_chars: MAX_CELL_CHARS,
        max_input,
        max_expanded: 64 << 20,
        max_shared_strings: (MAX_PEOPLE + 20) * 16,
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub row: usize,
    /// The column concerned (`name`, `id_number` … as in [`COLUMNS`]); "" for the row or file.
    pub column: &'static str,
    pub reason: String,
}

fn say(lang: Lang, zh: String, en: String) -> String {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// Read the first sheet of an XLSX file, or a CSV file (UTF-8, or GB18030 as saved by
/// Chinese Excel), into rows of cells, within [`limits`]: a hostile file (a cell at XFD1048576, a
/// zip bomb, millions of shared strings) is refused with a reason a person can act on.
pub fn read(bytes: &[u8], max_input: u64, lang: Lang) -> Result<Vec<Vec<Cell>>, String> {
    zeren_scan::sheet::read_grid(bytes, &limits(max_input)).map_err(|e| {
        tracing::info!(error = %e, "roster refused by the reader");
        say(lang, e.zh, e.en)
    })
}

/// The column's Chinese title (as in [`COLUMNS`]).
fn zh_of(column: &str) -> &'static str {
    COLUMNS
        .iter()
        .find(|(_, en, _)| *en == column)
        .map(|(zh, ..)| *zh)
        .unwrap_or("")
}

/// Check every row. `units` are the units people may be placed in (the importing unit's
/// subtree, the importing unit first); `taken` are ID and employee numbers already stored.
pub fn check(
    rows: &[Vec<Cell>],
    units: &[Unit],
    taken: &[String],
    lang: Lang,
) -> Result<Vec<NewPerson>, Vec<Problem>> {
    check_rows(rows, units, taken, lang).map(|rows| rows.into_iter().map(|r| r.person).collect())
}

/// A checked row: its number in the file, the person it describes, and whether its 所在单位 cell
/// named a unit (an empty one means the importing unit, or, when updating, the person's own).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub row: usize,
    pub person: NewPerson,
    pub unit_given: bool,
}

/// [`check`], keeping each row's number.
pub fn check_rows(
    rows: &[Vec<Cell>],
    units: &[Unit],
    taken: &[String],
    lang: Lang,
) -> Result<Vec<Row>, Vec<Problem>> {
    let mut problems = Vec::new();
    let Some(header_at) = rows
        .iter()
        .position(|r| r.iter().any(|c| matches!(c, Cell::Text(_))))
    else {
        return Err(vec![Problem {
            row: 1,
            column: "",
            reason: say(
                lang,
                "文件中没有数据行".into(),
                "the file has no data rows".into(),
            ),
        }]);
    };
    let header: Vec<String> = rows[header_at]
        .iter()
        .map(|c| match c {
            Cell::Text(s) => s.trim().trim_end_matches('*').to_string(),
            _ => String::new(),
        })
        .collect();
    let col = |zh: &str, en: &str| {
        header
            .iter()
            .position(|h| h == zh || h.eq_ignore_ascii_case(en))
    };
    let cols: Vec<Option<usize>> = COLUMNS.iter().map(|(zh, en, _)| col(zh, en)).collect();
    if cols[0].is_none() {
        return Err(vec![Problem {
            row: header_at + 1,
            column: "name",
            reason: say(
                lang,
                "表头中没有“姓名”列，请使用模板".into(),
                "the header has no 姓名 (name) column; use the template".into(),
            ),
        }]);
    }
    let mut by_name: HashMap<&str, Vec<&Unit>> = HashMap::new();
    for u in units {
        by_name.entry(u.name.as_str()).or_default().push(u);
    }
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    let mut seen_nos: HashMap<String, usize> = HashMap::new();
    let mut people = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(header_at + 1) {
        let n = i + 1;
        if row.iter().all(|c| match c {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            Cell::Number(_) => false,
        }) {
            continue;
        }
        let mut bad = |column: &'static str, reason: String| {
            problems.push(Problem {
                row: n,
                column,
                reason,
            })
        };
        let get = |k: usize| -> Option<&Cell> { cols[k].and_then(|c| row.get(c)) };
        // Text of a cell; numbers that spreadsheet programs made of digit strings come back
        // as integers when exact, and are reported when they cannot be (long ID numbers).
        let text = |k: usize| -> Result<Option<String>, String> {
            match get(k) {
                None | Some(Cell::Empty) => Ok(None),
                Some(Cell::Text(s)) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
                Some(Cell::Number(f)) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(Some(format!("{f:.0}"))),
                Some(Cell::Number(_)) => Err(say(
                    lang,
                    format!("“{}”被存成了数字，超长数字已丢失精度；请把该列设为文本后重新填写", COLUMNS[k].0),
                    format!("{} was stored as a number and lost digits; format the column as text and re-enter it", COLUMNS[k].1),
                )),
            }
        };
        let mut field = |k: usize| match text(k) {
            Ok(v) => v,
            Err(e) => {
                bad(COLUMNS[k].1, e);
                None
            }
        };
        let name = field(0);
        let gender = field(1);
        let id_number = field(2);
        let employee_no = field(3);
        let phone = field(4);
        let position = field(5);
        let political = field(6);
        let unit_name = field(7);
        let mut bad = |column: &'static str, reason: String| {
            problems.push(Problem {
                row: n,
                column,
                reason,
            })
        };

        let name = match name {
            Some(s) if s.chars().count() <= MAX_NAME => Some(s),
            Some(_) => {
                bad(
                    "name",
                    say(
                        lang,
                        "姓名过长（至多 50 字）".into(),
                        "name too long (50 characters at most)".into(),
                    ),
                );
                None
            }
            None => {
                bad(
                    "name",
                    say(
                        lang,
                        "姓名不能为空（1–50 个字）".into(),
                        "the name is missing (1–50 characters)".into(),
                    ),
                );
                None
            }
        };
        // The free-text fields are bounded before anything is stored.
        let mut bounded = |column: &'static str, v: Option<String>, max: usize| match v {
            Some(s) if s.chars().count() > max => {
                bad(
                    column,
                    say(
                        lang,
                        format!("{}过长（至多 {max} 字）", zh_of(column)),
                        format!("{column} too long ({max} characters at most)"),
                    ),
                );
                None
            }
            v => v,
        };
        let employee_no = bounded("employee_no", employee_no, MAX_EMPLOYEE_NO);
        let position = bounded("position", position, MAX_POSITION);
        let unit_name = bounded("unit", unit_name, MAX_UNIT_NAME);
        let gender = match gender.as_deref() {
            None => None,
            Some("男") | Some("M") | Some("m") => Some("男".to_string()),
            Some("女") | Some("F") | Some("f") => Some("女".to_string()),
            Some(g) => {
                bad(
                    "gender",
                    say(
                        lang,
                        format!("性别“{g}”无效，应为“男”或“女”"),
                        format!("gender {g:?} is not 男 or 女"),
                    ),
                );
                None
            }
        };
        let mut derived_gender = None;
        let id_number = match id_number {
            None => None,
            Some(s) => match ResidentId::parse(&s) {
                Ok(id) => {
                    derived_gender = Some(if id.male { "男" } else { "女" });
                    if let Some(first) = seen_ids.insert(id.number.clone(), n) {
                        bad(
                            "id_number",
                            say(
                                lang,
                                format!("身份证号与第 {first} 行重复"),
                                format!("ID number repeats row {first}"),
                            ),
                        );
                    } else if taken.contains(&id.number) {
                        bad(
                            "id_number",
                            say(
                                lang,
                                "身份证号已存在于系统中".into(),
                                "ID number already in the system".into(),
                            ),
                        );
                    }
                    Some(id.number)
                }
                Err("check") => {
                    bad(
                        "id_number",
                        say(
                            lang,
                            format!("身份证号“{s}”校验位错误（GB 11643）"),
                            format!("ID number {s}: wrong check character (GB 11643)"),
                        ),
                    );
                    None
                }
                Err("birth") => {
                    bad(
                        "id_number",
                        say(
                            lang,
                            format!("身份证号“{s}”中的出生日期无效"),
                            format!("ID number {s}: invalid birth date"),
                        ),
                    );
                    None
                }
                Err(_) => {
                    bad(
                        "id_number",
                        say(
                            lang,
                            format!("身份证号“{s}”应为 18 位（最后一位可为 X）"),
                            format!("ID number {s}: must have 18 characters"),
                        ),
                    );
                    None
                }
            },
        };
        if let (Some(g), Some(d)) = (&gender, derived_gender) {
            if g != d {
                bad(
                    "gender",
                    say(
                        lang,
                        format!("性别“{g}”与身份证号不符"),
                        format!("gender {g} contradicts the ID number"),
                    ),
                );
            }
        }
        let gender = gender.or(derived_gender.map(str::to_string));
        if let Some(no) = &employee_no {
            if let Some(first) = seen_nos.insert(no.clone(), n) {
                bad(
                    "employee_no",
                    say(
                        lang,
                        format!("工号与第 {first} 行重复"),
                        format!("employee number repeats row {first}"),
                    ),
                );
            } else if taken.contains(no) {
                bad(
                    "employee_no",
                    say(
                        lang,
                        "工号已存在于系统中".into(),
                        "employee number already in the system".into(),
                    ),
                );
            }
        }
        if let Some(p) = &phone {
            if !is_phone(p) {
                bad(
                    "phone",
                    say(
                        lang,
                        format!("手机号“{p}”无效，应为以 1 开头的 11 位数字"),
                        format!("phone number {p} is not valid: 11 digits starting with 1"),
                    ),
                );
            }
        }
        let political_status = match political.as_deref() {
            None => None,
            Some(p) => match political_code(p) {
                Some(c) => Some(c.to_string()),
                None => {
                    bad(
                        "political_status",
                        say(
                            lang,
                            format!("政治面貌“{p}”不在 GB/T 4762 中"),
                            format!("political status {p} is not in GB/T 4762"),
                        ),
                    );
                    None
                }
            },
        };
        let unit_id = match unit_name.as_deref() {
            None => units.first().map(|u| u.id),
            Some(u) => match by_name.get(u).map(Vec::as_slice) {
                Some([one]) => Some(one.id),
                Some(_) => {
                    bad(
                        "unit",
                        say(
                            lang,
                            format!("单位“{u}”重名，无法确定"),
                            format!("unit {u} is ambiguous"),
                        ),
                    );
                    None
                }
                None => {
                    bad(
                        "unit",
                        say(
                            lang,
                            format!("单位“{u}”不在本单位及下级单位中"),
                            format!("unit {u} is not in this subtree"),
                        ),
                    );
                    None
                }
            },
        };
        if let (Some(name), Some(unit_id)) = (name, unit_id) {
            people.push(Row {
                row: n,
                unit_given: unit_name.is_some(),
                person: NewPerson {
                    unit_id,
                    name,
                    gender,
                    id_number,
                    employee_no,
                    phone,
                    position,
                    political_status,
                },
            });
        }
    }
    if problems.is_empty() && people.is_empty() {
        problems.push(Problem {
            row: header_at + 2,
            column: "",
            reason: say(
                lang,
                "文件中没有数据行".into(),
                "the file has no data rows".into(),
            ),
        });
    }
    if problems.is_empty() {
        Ok(people)
    } else {
        Err(problems)
    }
}

/// What a re-import does with one row.
#[derive(Clone, Debug, PartialEq)]
pub enum Planned {
    /// Nobody in the subtree has the row's 工号 or 身份证号: a new person.
    New(Row),
    /// The row is this person (same 工号 or 身份证号), with these fields changing.
    Changed {
        row: usize,
        id: i64,
        name: String,
        after: NewPerson,
        changes: Vec<Change>,
    },
    /// The row is this person and nothing changes.
    Same { row: usize, id: i64, name: String },
}

/// One field of a person changing: the column (as in [`COLUMNS`]) and the values as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub column: &'static str,
    pub old: String,
    pub new: String,
}

/// The plan of a re-import (更新模式): each checked row matched to the person of the unit's
/// subtree with the same 工号 or 身份证号, who is updated (name, gender, phone, position, political
/// status, unit); rows that match nobody are new people. A blank cell keeps what is stored; a
/// number that belongs to someone outside the subtree, a row that matches two people, two rows
/// that match one person, or an ID number that contradicts the stored one are problems of their
/// rows, and nothing is imported.
///
/// `people` are the subtree's people; `elsewhere` are people outside it who hold one of the
/// file's numbers; `units` the subtree's units (for names).
pub fn plan(
    rows: Vec<Row>,
    people: &[zeren_store::Person],
    elsewhere: &[zeren_store::Person],
    units: &[Unit],
    lang: Lang,
) -> Result<Vec<Planned>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let mut claimed: HashMap<i64, usize> = HashMap::new();
    let unit_name = |id: i64| {
        units
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    for r in rows {
        let n = r.row;
        let mut bad = |column: &'static str, reason: String| {
            problems.push(Problem {
                row: n,
                column,
                reason,
            })
        };
        let p = &r.person;
        let by_id = p
            .id_number
            .as_ref()
            .and_then(|x| people.iter().find(|q| q.id_number.as_ref() == Some(x)));
        let by_no = p
            .employee_no
            .as_ref()
            .and_then(|x| people.iter().find(|q| q.employee_no.as_ref() == Some(x)));
        for (column, number, zh, en) in [
            ("id_number", &p.id_number, "身份证号", "ID number"),
            ("employee_no", &p.employee_no, "工号", "employee number"),
        ] {
            let outside = number.as_ref().and_then(|x| {
                elsewhere.iter().find(|q| {
                    (column == "id_number" && q.id_number.as_ref() == Some(x))
                        || (column == "employee_no" && q.employee_no.as_ref() == Some(x))
                })
            });
            if let Some(q) = outside {
                bad(
                    column,
                    say(
                        lang,
                        format!(
                            "{zh}已属于本单位及下级单位以外的“{}”，不能更新或新增",
                            q.name
                        ),
                        format!(
                            "the {en} belongs to {}, outside this unit and its sub-units",
                            q.name
                        ),
                    ),
                );
            }
        }
        let matched = match (by_id, by_no) {
            (Some(a), Some(b)) if a.id != b.id => {
                bad(
                    "",
                    say(
                        lang,
                        format!(
                            "身份证号属于“{}”，工号却属于“{}”，无法确定是哪一人",
                            a.name, b.name
                        ),
                        format!(
                            "the ID number is {}'s but the employee number is {}'s",
                            a.name, b.name
                        ),
                    ),
                );
                continue;
            }
            (Some(a), _) => Some(a),
            (None, Some(b)) => Some(b),
            (None, None) => None,
        };
        let Some(m) = matched else {
            out.push(Planned::New(r));
            continue;
        };
        if let Some(first) = claimed.insert(m.id, n) {
            bad(
                "",
                say(
                    lang,
                    format!("与第 {first} 行是同一人“{}”", m.name),
                    format!("the same person ({}) as row {first}", m.name),
                ),
            );
            continue;
        }
        if let (Some(stored), Some(given)) = (&m.id_number, &p.id_number) {
            if stored != given {
                bad(
                    "id_number",
                    say(
                        lang,
                        format!("与系统中“{}”的身份证号不一致；身份证号不能通过导入修改", m.name),
                        format!("differs from the ID number stored for {}; it cannot be changed by an import", m.name),
                    ),
                );
                continue;
            }
        }
        if let (Some(stored), Some(given)) = (&m.employee_no, &p.employee_no) {
            if stored != given {
                bad(
                    "employee_no",
                    say(
                        lang,
                        format!("与系统中“{}”的工号不一致；工号不能通过导入修改", m.name),
                        format!("differs from the employee number stored for {}; it cannot be changed by an import", m.name),
                    ),
                );
                continue;
            }
        }
        // A blank cell keeps what is stored.
        let keep =
            |given: &Option<String>, stored: &Option<String>| given.clone().or(stored.clone());
        let after = NewPerson {
            unit_id: if r.unit_given { p.unit_id } else { m.unit_id },
            name: p.name.clone(),
            gender: keep(&p.gender, &m.gender),
            id_number: keep(&p.id_number, &m.id_number),
            employee_no: keep(&p.employee_no, &m.employee_no),
            phone: keep(&p.phone, &m.phone),
            position: keep(&p.position, &m.position),
            political_status: keep(&p.political_status, &m.political_status),
        };
        let shown = |v: &Option<String>| v.clone().unwrap_or_default();
        let political = |v: &Option<String>| {
            v.as_deref()
                .map(|c| zeren_core::people::political_name(c).to_string())
                .unwrap_or_default()
        };
        let mut changes = Vec::new();
        let mut diff = |column: &'static str, old: String, new: String| {
            if old != new {
                changes.push(Change { column, old, new });
            }
        };
        diff("name", m.name.clone(), after.name.clone());
        diff("gender", shown(&m.gender), shown(&after.gender));
        diff("id_number", shown(&m.id_number), shown(&after.id_number));
        diff(
            "employee_no",
            shown(&m.employee_no),
            shown(&after.employee_no),
        );
        diff("phone", shown(&m.phone), shown(&after.phone));
        diff("position", shown(&m.position), shown(&after.position));
        diff(
            "political_status",
            political(&m.political_status),
            political(&after.political_status),
        );
        diff("unit", unit_name(m.unit_id), unit_name(after.unit_id));
        out.push(if changes.is_empty() {
            Planned::Same {
                row: n,
                id: m.id,
                name: m.name.clone(),
            }
        } else {
            Planned::Changed {
                row: n,
                id: m.id,
                name: m.name.clone(),
                after,
                changes,
            }
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// A digest of a plan: a confirmation applies the previewed file only while it still means the
/// same changes (nobody edited those people meanwhile).
pub fn fingerprint(plan: &[Planned]) -> String {
    crate::shared::auth::sha256_hex(&format!("{plan:?}"))
}

/// The XLSX template: the columns, number columns formatted as text, and a notes sheet.
pub fn template_xlsx() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_font_name("宋体");
    let text = Format::new().set_num_format("@").set_font_name("宋体");
    let plain = Format::new().set_font_name("宋体");
    let ws = wb.add_worksheet().set_name("花名册")?;
    for (i, (zh, _, is_text)) in COLUMNS.iter().enumerate() {
        let c = i as u16;
        ws.write_string_with_format(0, c, if i == 0 { "姓名*" } else { zh }, &bold)?;
        ws.set_column_width(c, if *is_text { 22 } else { 14 })?;
        ws.set_column_format(c, if *is_text { &text } else { &plain })?;
    }
    let notes = wb.add_worksheet().set_name("填写说明")?;
    let lines = [
        "1. 每行一人，第一行为表头，请勿修改表头。带 * 的列必填。",
        "2. 身份证号、工号、手机号列已设为文本格式，请直接输入，勿转为数字。",
        "3. 性别可不填，填写身份证号时将按身份证号核对。",
        "4. 所在单位填写本单位或下级单位的名称，不填则为导入时所在的单位。",
        "5. 所有行都正确时才会导入；有错误时系统列出行号和原因，一行也不导入。",
        "政治面貌可填：",
    ];
    for (i, l) in lines.iter().enumerate() {
        notes.write_string_with_format(i as u32, 0, *l, &plain)?;
    }
    for (i, (_, full, short)) in POLITICAL_STATUS.iter().enumerate() {
        let alias = short.join("、");
        notes.write_string_with_format(
            (lines.len() + i) as u32,
            0,
            format!(
                "    {full}{}",
                if alias.is_empty() {
                    String::new()
                } else {
                    format!("（{alias}）")
                }
            ),
            &plain,
        )?;
    }
    notes.set_column_width(0, 80)?;
    wb.save_to_buffer()
}

/// The CSV template: a UTF-8 byte-order mark (so Excel and WPS read the Chinese header) and
/// the header line.
pub fn template_csv() -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    let header: Vec<&str> = COLUMNS.iter().map(|(zh, ..)| *zh).collect();
    out.extend_from_slice(header.join(",").as_bytes());
    out.extend_from_slice(b"\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, name: &str) -> Unit {
        Unit {
            id,
            parent_id: None,
            name: name.into(),
            kind: "学校".into(),
            created_at: zeren_store::now(),
            retired_on: None,
            retired_reason: None,
            merged_into: None,
        }
    }

    fn csv_rows(text: &str) -> Vec<Vec<Cell>> {
        read(text.as_bytes(), 1 << 20, Lang::Zh).unwrap()
    }

    #[test]
    fn a_good_roster_gives_people() {
        let rows = csv_rows("姓名,性别,身份证号,工号,手机号,职务,政治面貌,所在单位\n张三,,11010519491231002X,0001,13800138000,教师,中共党员,\n李四,男,,0002,,,群众,党支部\n");
        let units = [unit(1, "学校"), unit(2, "党支部")];
        let people = check(&rows, &units, &[], Lang::Zh).unwrap();
        assert_eq!(people.len(), 2);
        assert_eq!(
            people[0].gender.as_deref(),
            Some("女"),
            "derived from the ID number"
        );
        assert_eq!(people[0].political_status.as_deref(), Some("01"));
        assert_eq!(people[0].unit_id, 1);
        assert_eq!(people[1].unit_id, 2);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_number() {
        let rows = csv_rows("姓名,性别,身份证号,工号,手机号,职务,政治面貌,所在单位\n,,,,,,,\n张三,男,11010519491231002X,1,,,,\n李四,,110105194912310021,1,123,,团员?,外单位\n王五,,,,,,,\n");
        let units = [unit(1, "学校")];
        let problems = check(&rows, &units, &[], Lang::Zh).unwrap_err();
        let rows: Vec<usize> = problems.iter().map(|p| p.row).collect();
        assert_eq!(rows, vec![3, 4, 4, 4, 4, 4], "{problems:?}");
        assert!(problems[0].reason.contains("与身份证号不符"));
        assert!(problems.iter().any(|p| p.reason.contains("校验位")));
        assert!(problems
            .iter()
            .any(|p| p.reason.contains("工号与第 3 行重复")));
        assert!(problems.iter().any(|p| p.reason.contains("GB/T 4762")));
        assert!(problems.iter().any(|p| p.reason.contains("外单位")));
    }

    #[test]
    fn long_numbers_stored_as_numbers_are_refused() {
        let rows = vec![
            vec![
                Cell::Text("姓名".into()),
                Cell::Text("身份证号".into()),
                Cell::Text("手机号".into()),
            ],
            vec![
                Cell::Text("张三".into()),
                Cell::Number(1.1010519491231e17),
                Cell::Number(13800138000.0),
            ],
        ];
        let problems = check(&rows, &[unit(1, "学校")], &[], Lang::Zh).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].reason.contains("数字"), "{problems:?}");
    }

    #[test]
    fn templates_round_trip() {
        let x = template_xlsx().unwrap();
        let rows = read(&x, 1 << 20, Lang::Zh).unwrap();
        assert!(matches!(&rows[0][0], Cell::Text(s) if s == "姓名*"));
        let c = template_csv();
        let rows = read(&c, 1 << 20, Lang::Zh).unwrap();
        assert!(matches!(&rows[0][2], Cell::Text(s) if s == "身份证号"));
        // GB18030 files as saved by Chinese spreadsheet programs.
        let (gbk, _, _) = encoding_rs::GB18030.encode("姓名\n张三\n");
        let rows = read(&gbk, 1 << 20, Lang::Zh).unwrap();
        assert!(matches!(&rows[1][0], Cell::Text(s) if s == "张三"));
    }
}
