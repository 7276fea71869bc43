//! The ledger as an Excel workbook in the layout inspectors expect: a merged title row, a line
//! 填报单位 / 填报人 / 审核人 / 填报日期, a header row, then one row per record.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet};

use crate::{ExportError, LedgerMeta, LedgerRow};

const FONT: &str = "宋体";
const FONT_SIZE: f64 = 11.0;

/// (header, width in characters)
const COLUMNS: &[(&str, f64)] = &[
    ("序号", 6.0),
    ("工作任务", 22.0),
    ("周期", 15.0),
    ("到期日", 15.0),
    ("开展日期", 15.0),
    ("完成情况", 12.0),
    ("地点", 12.0),
    ("参加人员", 18.0),
    ("内容摘要", 34.0),
    ("佐证材料", 20.0),
    ("登记人", 9.0),
    ("登记时间（北京时间）", 17.0),
    ("版本", 7.0),
    ("签收人", 9.0),
    ("签收时间（北京时间）", 17.0),
];

/// Dates and times as Chinese spreadsheets show them; the cells hold real dates, so they sort
/// and filter as dates.
const DATE_FORMAT: &str = "yyyy\"年\"m\"月\"d\"日\"";
const TIME_FORMAT: &str = "yyyy-mm-dd hh:mm";

/// Width of text in spreadsheet character units (the width of "0"): a CJK character of the
/// 11-point 宋体 is about two of them, other characters about one.
pub(crate) fn text_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2.0 } else { 1.0 })
        .sum()
}

/// How many lines `text` takes in a wrapping column `width` characters wide: each paragraph
/// wraps on its own, and a character's room is lost to the cell's padding. Errs on the tall
/// side: a row a line too high reads fine, a row a line too low hides text.
pub fn wrapped_lines(text: &str, width: f64) -> usize {
    let room = (width - 1.0).max(1.0);
    text.split('\n')
        .map(|l| (text_width(l) / room).ceil().max(1.0) as usize)
        .sum()
}

/// Row height in points for `lines` lines of the 11-point font. Spreadsheets do not grow rows
/// when a file is opened and WPS ignores auto-fit, so every row gets its height written out.
pub fn row_height_for(lines: usize) -> f64 {
    // Whole pixels (0.75 pt), as spreadsheets store them.
    let points = lines as f64 * FONT_SIZE * 1.5 + 4.0;
    ((points / 0.75).ceil() * 0.75).min(409.0)
}

fn row_height(values: &[(usize, String)]) -> f64 {
    let lines = values
        .iter()
        .map(|(col, v)| wrapped_lines(v, COLUMNS[*col].1))
        .max()
        .unwrap_or(1);
    row_height_for(lines)
}

pub(crate) fn base() -> Format {
    Format::new().set_font_name(FONT).set_font_size(FONT_SIZE)
}

pub(crate) fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, ExportError> {
    Ok(ExcelDateTime::from_ymd(
        d.year() as u16,
        d.month() as u8,
        d.day() as u8,
    )?)
}

pub(crate) fn excel_time(t: NaiveDateTime) -> Result<ExcelDateTime, ExportError> {
    Ok(excel_date(t.date())?.and_hms(t.hour() as u16, t.minute() as u8, t.second())?)
}

/// The year's ledger as XLSX bytes.
pub fn ledger_xlsx(meta: &LedgerMeta, rows: &[LedgerRow]) -> Result<Vec<u8>, ExportError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(format!("{}年度台账", meta.year))?;
    write_ledger(ws, meta, rows)?;
    Ok(wb.save_to_buffer()?)
}

/// "共 12 条记录" counts records; obligations without one are counted apart, as a clerk does.
pub fn count_line(rows: &[LedgerRow]) -> String {
    let records = rows.iter().filter(|r| r.is_record()).count();
    let missing = rows.len() - records;
    if missing == 0 {
        format!("共 {records} 条记录。")
    } else {
        format!("共 {records} 条记录；另有 {missing} 项待办尚未登记。")
    }
}

pub(crate) fn write_ledger(
    ws: &mut Worksheet,
    meta: &LedgerMeta,
    rows: &[LedgerRow],
) -> Result<(), ExportError> {
    let last_col = (COLUMNS.len() - 1) as u16;
    let title = base()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let info = base().set_align(FormatAlign::Left);
    let header = base()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_background_color(0xD9E1F2);
    let cell = base()
        .set_align(FormatAlign::Top)
        .set_text_wrap()
        .set_border(FormatBorder::Thin);
    let number = cell.clone().set_align(FormatAlign::Center);
    let version = number.clone().set_num_format("\"第\"0\"版\"");
    let date = number.clone().set_num_format(DATE_FORMAT);
    let time = number.clone().set_num_format(TIME_FORMAT);

    for (i, (_, w)) in COLUMNS.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    ws.set_row_height(0, 30)?;
    ws.merge_range(0, 0, 0, last_col, &meta.title, &title)?;
    let mut line = format!("填报单位：{}　　填报人：{}", meta.unit_name, meta.filled_by);
    if let Some(r) = &meta.reviewed_by {
        line.push_str(&format!("　　审核人：{r}"));
    }
    line.push_str(&format!("　　填报日期：{}", crate::date_zh(meta.filled_on)));
    ws.merge_range(1, 0, 1, last_col, &line, &info)?;
    for (i, (h, _)) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(2, i as u16, *h, &header)?;
    }
    let header_lines = COLUMNS
        .iter()
        .map(|(h, w)| wrapped_lines(h, *w))
        .max()
        .unwrap_or(1);
    ws.set_row_height(2, row_height_for(header_lines))?;
    for (n, r) in rows.iter().enumerate() {
        let row = 3 + n as u32;
        let mut status = r.status.clone();
        if r.entered_late {
            status.push_str("（补录）");
        }
        // Text columns, by their column number; the others are numbers and dates.
        let texts = [
            (1, r.duty_title.clone()),
            (2, r.period_label.clone()),
            (5, status),
            (6, r.place.clone()),
            (7, r.participants.join("、")),
            (8, r.content.clone()),
            (9, r.evidence_files.join("\n")),
            (10, r.recorded_by.clone()),
            (13, r.receipt.who()),
        ];
        ws.set_row_height(row, row_height(&texts))?;
        for (c, v) in &texts {
            ws.write_string_with_format(row, *c as u16, v, &cell)?;
        }
        ws.write_number_with_format(row, 0, (n + 1) as f64, &number)?;
        let dates = [(3, r.due), (4, r.work_date)];
        for (c, d) in dates {
            match d {
                Some(d) => ws.write_datetime_with_format(row, c, excel_date(d)?, &date)?,
                None => ws.write_blank(row, c, &cell)?,
            };
        }
        let times = [(11, r.recorded_at), (14, r.receipt.at())];
        for (c, t) in times {
            match t {
                Some(t) => ws.write_datetime_with_format(row, c, excel_time(t)?, &time)?,
                None => ws.write_blank(row, c, &cell)?,
            };
        }
        if r.is_record() {
            ws.write_number_with_format(row, 12, r.version as f64, &version)?;
        } else {
            ws.write_blank(row, 12, &cell)?;
        }
    }
    let footer_row = 3 + rows.len() as u32 + 1;
    let mut footer = count_line(rows);
    if let Some(h) = &meta.chain_head {
        footer.push_str(&format!(
            "审计链校验码：{h}（可在系统中用 zeren audit verify 核验）"
        ));
    }
    ws.merge_range(footer_row, 0, footer_row, last_col, &footer, &info)?;
    ws.set_freeze_panes(3, 0)?;
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(2, 2)?;
    Ok(())
}

/// One line of the evidence index: a file in its folder, with the record it proves.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexEntry {
    pub folder: String,
    pub file: String,
    pub duty_title: String,
    pub period_label: String,
    pub work_date: Option<NaiveDate>,
    pub recorded_by: String,
    pub receipt: crate::Receipt,
}

/// A sheet listing evidence files (for the evidence ZIP's index): folder, file, duty, period,
/// when the work was done, who entered it and the parent's 签收.
pub fn index_xlsx(meta: &LedgerMeta, entries: &[IndexEntry]) -> Result<Vec<u8>, ExportError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("佐证材料目录")?;
    let title = base()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    let header = base()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(0xD9E1F2);
    let cell = base()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let number = cell.clone().set_align(FormatAlign::Center);
    let date = number.clone().set_num_format(DATE_FORMAT);
    let time = number.clone().set_num_format(TIME_FORMAT);
    let cols: [(&str, f64); 9] = [
        ("序号", 6.0),
        ("文件夹", 32.0),
        ("文件名", 30.0),
        ("工作任务", 26.0),
        ("周期", 15.0),
        ("开展日期", 15.0),
        ("登记人", 9.0),
        ("签收人", 9.0),
        ("签收时间（北京时间）", 17.0),
    ];
    for (i, (_, w)) in cols.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    ws.set_row_height(0, 24)?;
    ws.merge_range(0, 0, 0, 8, &format!("{}佐证材料目录", meta.title), &title)?;
    for (i, (h, _)) in cols.iter().enumerate() {
        ws.write_string_with_format(1, i as u16, *h, &header)?;
    }
    let header_lines = cols
        .iter()
        .map(|(h, w)| wrapped_lines(h, *w))
        .max()
        .unwrap_or(1);
    ws.set_row_height(1, row_height_for(header_lines))?;
    for (n, e) in entries.iter().enumerate() {
        let row = 2 + n as u32;
        let texts = [
            (1, e.folder.clone()),
            (2, e.file.clone()),
            (3, e.duty_title.clone()),
            (4, e.period_label.clone()),
            (6, e.recorded_by.clone()),
            (7, e.receipt.who()),
        ];
        let lines = texts
            .iter()
            .map(|(c, v)| wrapped_lines(v, cols[*c].1))
            .max()
            .unwrap_or(1);
        ws.set_row_height(row, row_height_for(lines))?;
        ws.write_number_with_format(row, 0, (n + 1) as f64, &number)?;
        for (c, v) in &texts {
            ws.write_string_with_format(row, *c as u16, v, &cell)?;
        }
        match e.work_date {
            Some(d) => ws.write_datetime_with_format(row, 5, excel_date(d)?, &date)?,
            None => ws.write_blank(row, 5, &cell)?,
        };
        match e.receipt.at() {
            Some(t) => ws.write_datetime_with_format(row, 8, excel_time(t)?, &time)?,
            None => ws.write_blank(row, 8, &cell)?,
        };
    }
    ws.set_freeze_panes(2, 0)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_follow_the_column_width_and_the_paragraphs() {
        assert_eq!(wrapped_lines("", 10.0), 1);
        assert_eq!(wrapped_lines("短", 10.0), 1);
        // 30 CJK characters are 60 units: four lines of a 17-unit column.
        assert_eq!(wrapped_lines(&"字".repeat(30), 18.0), 4);
        assert_eq!(wrapped_lines("一\n二\n三", 30.0), 3);
        assert!(row_height_for(3) > row_height_for(1));
        assert_eq!(row_height_for(1000), 409.0, "Excel's highest row");
    }
}
