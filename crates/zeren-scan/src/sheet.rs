//! A bounded spreadsheet reader for imports (花名册): the first sheet of an .xlsx, or a CSV/TSV file
//! (UTF-8 with or without BOM, UTF-16 with BOM, or GB18030 as Chinese Excel saves it), as rows of cells
//! at their real positions — a sheet whose first row is row 3 yields two empty rows first, so row numbers
//! in error reports match what the user sees.
//!
//! Nothing is allocated from what a file declares: the `<dimension>` element is ignored, and each
//! non-empty cell is checked against the row, column and cell caps before the grid grows to hold it. A
//! 1.5 KB workbook with one cell at XFD1048576 is refused in microseconds instead of asking for half a
//! terabyte. Empty (styled) cells beyond the caps are ignored.
//!
//! ```
//! use zeren_scan::sheet::{read_grid, Cell, GridLimits};
//! let rows = read_grid("姓名,工号\n张三,0012\n".as_bytes(), &GridLimits::default()).unwrap();
//! assert_eq!(rows[1], vec![Cell::Text("张三".into()), Cell::Text("0012".into())]);
//! ```

use std::fmt;

use crate::extract::archive::Archive;
use crate::extract::csv::{delimiter, RecordError, Records};
use crate::extract::xlsx::{self, SheetEvent, Value};
use crate::extract::{ExtractError, Limits};
use crate::sniff::{self, Format, Unsupported};

/// One cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A number stored as a number: fine for short codes, fatal for 18-digit IDs (Excel keeps 15
    /// significant digits). CSV cells are always text.
    Number(f64),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            Cell::Number(_) => false,
        }
    }
}

/// Caps on what an import may hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GridLimits {
    /// Rows, counting from the sheet's first row (header rows included).
    pub max_rows: usize,
    pub max_columns: usize,
    /// Cells held in the grid, empty cells before a filled one included.
    pub max_cells: usize,
    /// Characters in one cell (Excel's own limit is 32,767).
    pub max_cell_chars: usize,
    /// Size of the file.
    pub max_input: u64,
    /// Bytes inflated from the workbook's parts, all together.
    pub max_expanded: u64,
    /// Entries in the shared-string table.
    pub max_shared_strings: usize,
}

impl Default for GridLimits {
    fn default() -> Self {
        GridLimits {
            max_rows: 50_000,
            max_columns: 64,
            max_cells: 1_000_000,
            max_cell_chars: 32_767,
            max_input: 32 << 20,
            max_expanded: 64 << 20,
            max_shared_strings: 1_000_000,
        }
    }
}

/// What went wrong, with the 1-based row where it applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SheetErrorKind {
    /// Neither an .xlsx workbook nor CSV text (an image, a PDF, a legacy .xls …).
    NotASheet,
    /// A legacy .xls or .et workbook.
    LegacyWorkbook,
    Encrypted,
    /// Damaged, truncated or not a workbook inside.
    Corrupt,
    NoSheet,
    TooManyRows {
        row: usize,
        limit: usize,
    },
    TooManyColumns {
        row: usize,
        column: usize,
        limit: usize,
    },
    TooManyCells {
        limit: usize,
    },
    CellTooLong {
        row: usize,
        limit: usize,
    },
    TooLarge {
        size: u64,
        limit: u64,
    },
    /// A part inflates past the caps (a zip bomb), or too many parts or shared strings.
    OverLimit,
}

/// Why a file could not be read as a grid: a reason for people in Chinese and English.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetError {
    pub kind: SheetErrorKind,
    pub zh: String,
    pub en: String,
}

impl SheetError {
    fn new(kind: SheetErrorKind, zh: impl Into<String>, en: impl Into<String>) -> Self {
        SheetError {
            kind,
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The 1-based row the error is about, when there is one.
    pub fn row(&self) -> Option<usize> {
        match self.kind {
            SheetErrorKind::TooManyRows { row, .. }
            | SheetErrorKind::TooManyColumns { row, .. }
            | SheetErrorKind::CellTooLong { row, .. } => Some(row),
            _ => None,
        }
    }

    fn too_many_rows(row: usize, limit: usize) -> Self {
        SheetError::new(
            SheetErrorKind::TooManyRows { row, limit },
            format!("第 {row} 行超出上限：一次最多导入 {limit} 行，请分批导入"),
            format!("row {row} is past the limit of {limit} rows; import in batches"),
        )
    }

    fn too_many_columns(row: usize, column: usize, limit: usize) -> Self {
        SheetError::new(
            SheetErrorKind::TooManyColumns { row, column, limit },
            format!("第 {row} 行第 {column} 列超出上限：最多 {limit} 列，请删除多余的列后重新导入"),
            format!("row {row}, column {column} is past the limit of {limit} columns"),
        )
    }

    fn cell_too_long(row: usize, limit: usize) -> Self {
        SheetError::new(
            SheetErrorKind::CellTooLong { row, limit },
            format!("第 {row} 行有单元格超过 {limit} 个字符"),
            format!("row {row} has a cell longer than {limit} characters"),
        )
    }
}

impl fmt::Display for SheetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.zh, self.en)
    }
}

impl std::error::Error for SheetError {}

fn from_extract(e: ExtractError) -> SheetError {
    let kind = match &e {
        ExtractError::Encrypted => SheetErrorKind::Encrypted,
        ExtractError::Malformed(_) => SheetErrorKind::Corrupt,
        ExtractError::TooLarge { size, limit } => SheetErrorKind::TooLarge {
            size: *size,
            limit: *limit,
        },
        _ => SheetErrorKind::OverLimit,
    };
    let zh = match kind {
        SheetErrorKind::Corrupt => format!("无法读取 Excel 文件：{}", e.zh()),
        _ => e.zh(),
    };
    SheetError {
        kind,
        zh,
        en: e.en(),
    }
}

/// Reads the first sheet of an .xlsx workbook, or a CSV/TSV file, into rows of cells. The format comes
/// from the content.
pub fn read_grid(bytes: &[u8], limits: &GridLimits) -> Result<Vec<Vec<Cell>>, SheetError> {
    if bytes.len() as u64 > limits.max_input {
        return Err(SheetError::new(
            SheetErrorKind::TooLarge {
                size: bytes.len() as u64,
                limit: limits.max_input,
            },
            format!(
                "文件过大：{} 字节，上限 {} 字节",
                bytes.len(),
                limits.max_input
            ),
            format!(
                "file too large: {} bytes, limit {}",
                bytes.len(),
                limits.max_input
            ),
        ));
    }
    match sniff::sniff(bytes, "") {
        Format::Xlsx => read_xlsx(bytes, limits),
        Format::Text(enc) | Format::Csv(enc) | Format::Tsv(enc) => read_csv(bytes, enc, limits),
        Format::Empty => Ok(Vec::new()),
        Format::EncryptedOffice => Err(SheetError::new(
            SheetErrorKind::Encrypted,
            "Excel 文件已加密，请取消密码后重新导入",
            "the workbook is encrypted; remove the password and import again",
        )),
        Format::Unsupported(Unsupported::LegacyExcel) => Err(SheetError::new(
            SheetErrorKind::LegacyWorkbook,
            "这是旧版 Excel 文件（.xls/.et），请另存为 .xlsx 或 CSV 后导入",
            "a legacy .xls/.et workbook; save it as .xlsx or CSV and import again",
        )),
        Format::DamagedZip => Err(SheetError::new(
            SheetErrorKind::Corrupt,
            "无法读取 Excel 文件：文件已损坏或不完整",
            "cannot read the workbook: the file is damaged or truncated",
        )),
        other => Err(SheetError::new(
            SheetErrorKind::NotASheet,
            format!(
                "不是 Excel（.xlsx）或 CSV 文件（内容是{}），请使用模板",
                other.name_zh()
            ),
            "not an .xlsx workbook or a CSV file; use the template",
        )),
    }
}

/// The grid under construction: cells are placed only after the caps say they may be.
struct Grid<'l> {
    rows: Vec<Vec<Cell>>,
    cells: usize,
    limits: &'l GridLimits,
}

impl Grid<'_> {
    /// Places a non-empty cell at 0-based `row`, `col`.
    fn put(&mut self, row: usize, col: usize, cell: Cell) -> Result<(), SheetError> {
        let l = self.limits;
        if row >= l.max_rows {
            return Err(SheetError::too_many_rows(row + 1, l.max_rows));
        }
        if col >= l.max_columns {
            return Err(SheetError::too_many_columns(
                row + 1,
                col + 1,
                l.max_columns,
            ));
        }
        let grow_rows = (row + 1).saturating_sub(self.rows.len());
        let have = self.rows.get(row).map_or(0, Vec::len);
        let grow_cols = (col + 1).saturating_sub(have);
        // Rows cost a pointer each and are capped by `max_rows`; cells are what `max_cells` counts.
        if self.cells + grow_cols > l.max_cells {
            return Err(SheetError::new(
                SheetErrorKind::TooManyCells { limit: l.max_cells },
                format!("单元格超过 {} 个，请分批导入", l.max_cells),
                format!("more than {} cells; import in batches", l.max_cells),
            ));
        }
        self.cells += grow_cols;
        if grow_rows > 0 {
            self.rows.resize_with(row + 1, Vec::new);
        }
        let r = &mut self.rows[row];
        if grow_cols > 0 {
            r.resize(col + 1, Cell::Empty);
        }
        r[col] = cell;
        Ok(())
    }
}

fn read_xlsx(bytes: &[u8], limits: &GridLimits) -> Result<Vec<Vec<Cell>>, SheetError> {
    let lim = Limits {
        max_input: limits.max_input,
        max_expanded: limits.max_expanded,
        max_member: limits.max_expanded,
        max_entries: 10_000,
        max_depth: 64,
        ..Limits::default()
    };
    let mut zip = Archive::open(bytes, &lim).map_err(from_extract)?;
    let sheets = xlsx::sheets(&mut zip, &lim).map_err(from_extract)?;
    let Some((_, path)) = sheets.first() else {
        return Err(SheetError::new(
            SheetErrorKind::NoSheet,
            "Excel 文件中没有工作表",
            "the workbook has no sheet",
        ));
    };
    let max_bytes = limits.max_cell_chars.saturating_mul(4);
    let shared = xlsx::shared_strings(
        &mut zip,
        lim.max_depth,
        limits.max_shared_strings,
        max_bytes,
    )
    .map_err(from_extract)?;
    let Some(xml) = zip.read(path).map_err(from_extract)? else {
        return Err(SheetError::new(
            SheetErrorKind::Corrupt,
            format!("无法读取 Excel 文件：缺少工作表 {path}"),
            format!("cannot read the workbook: the sheet part {path} is missing"),
        ));
    };
    let mut grid = Grid {
        rows: Vec::new(),
        cells: 0,
        limits,
    };
    let mut failure: Option<SheetError> = None;
    let walked = xlsx::walk_cells(&xml, path, &shared, lim.max_depth, max_bytes, |ev| {
        let SheetEvent::Cell(row, col, v) = ev else {
            return Ok(());
        };
        let cell = match v {
            Value::None => return Ok(()),
            Value::Text(s) if s.trim().is_empty() => return Ok(()),
            Value::Text(s) | Value::Error(s) => {
                if s.chars().count() > limits.max_cell_chars {
                    failure = Some(SheetError::cell_too_long(row + 1, limits.max_cell_chars));
                    return Err(ExtractError::Empty);
                }
                Cell::Text(s.to_string())
            }
            Value::Bool(b) => Cell::Text(if b { "TRUE" } else { "FALSE" }.into()),
            Value::Number(n) => match n.trim().parse::<f64>() {
                Ok(f) if f.is_finite() => Cell::Number(f),
                _ => Cell::Text(n.trim().to_string()),
            },
        };
        grid.put(row, col, cell).map_err(|e| {
            failure = Some(e);
            // Stops the walk; the real error is `failure`.
            ExtractError::Empty
        })
    });
    if let Some(e) = failure {
        return Err(e);
    }
    walked.map_err(from_extract)?;
    Ok(grid.rows)
}

fn read_csv(
    bytes: &[u8],
    enc: sniff::TextEncoding,
    limits: &GridLimits,
) -> Result<Vec<Vec<Cell>>, SheetError> {
    let (text, _) = enc.encoding().decode_with_bom_removal(bytes);
    let delim = delimiter(&text, false);
    // Excel writes empty fields for formatted columns past the data: count only filled ones against
    // the column cap, but bound the fields read per row all the same.
    let mut records = Records::new(
        &text,
        delim,
        limits.max_cell_chars.saturating_mul(4),
        xlsx::EXCEL_COLUMNS,
    );
    let mut grid = Grid {
        rows: Vec::new(),
        cells: 0,
        limits,
    };
    let mut row = Vec::new();
    loop {
        match records.next_into(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(RecordError::FieldTooLong { row, .. }) => {
                return Err(SheetError::cell_too_long(row, limits.max_cell_chars))
            }
            Err(RecordError::TooManyColumns { row, limit }) => {
                return Err(SheetError::too_many_columns(
                    row,
                    limit + 1,
                    limits.max_columns,
                ))
            }
        }
        let r = records.row - 1;
        for (c, field) in row.iter().enumerate() {
            if field.trim().is_empty() {
                continue;
            }
            if field.chars().count() > limits.max_cell_chars {
                return Err(SheetError::cell_too_long(r + 1, limits.max_cell_chars));
            }
            grid.put(r, c, Cell::Text(field.clone()))?;
        }
    }
    Ok(grid.rows)
}
