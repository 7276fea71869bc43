//! The ledger as an Excel workbook in the layout inspectors expect: a merged title row, a line
//! 填报单位 / 填报人 / 审核人 / 填报日期, a header row, then one row per record.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet};

use crate::{opt_date_zh, ExportError, LedgerMeta, LedgerRow};

const FONT: &str = "宋体";

/// (header, width in characters)
const COLUMNS: &[(&str, f64)] = &[
    ("序号", 6.0),
    ("工作任务", 22.0),
    ("周期", 15.0),
    ("到期日", 15.0),
    ("开展日期", 15.0),
    ("完成情况", 10.0),
    ("地点", 12.0),
    ("参加人员", 18.0),
    ("内容摘要", 32.0),
    ("佐证材料", 20.0),
    ("登记人", 9.0),
    ("登记时间", 17.0),
    ("版本", 6.0),
];

/// Width of text in spreadsheet character units: CJK characters count two.
fn text_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2.0 } else { 1.0 })
        .sum()
}

/// A row height (points) that shows every wrapped line: spreadsheets do not grow rows by themselves
/// when a file is opened, and WPS shows one line otherwise.
fn row_height(values: &[String]) -> f64 {
    let lines = values
        .iter()
        .zip(COLUMNS)
        .map(|(v, (_, w))| {
            v.split('\n')
                .map(|l| (text_width(l) / (w - 1.0)).ceil().max(1.0))
                .sum::<f64>()
        })
        .fold(1.0, f64::max);
    (lines * 15.0).min(409.0)
}

fn base() -> Format {
    Format::new().set_font_name(FONT).set_font_size(11)
}

/// The year's ledger as XLSX bytes.
pub fn ledger_xlsx(meta: &LedgerMeta, rows: &[LedgerRow]) -> Result<Vec<u8>, ExportError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(format!("{}年度台账", meta.year))?;
    write_ledger(ws, meta, rows)?;
    Ok(wb.save_to_buffer()?)
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
    ws.set_row_height(2, 22)?;
    for (n, r) in rows.iter().enumerate() {
        let row = 3 + n as u32;
        let mut recorded_at = r.recorded_at.clone();
        if r.entered_late {
            recorded_at.push_str("（补录）");
        }
        let values = [
            (n + 1).to_string(),
            r.duty_title.clone(),
            r.period_label.clone(),
            opt_date_zh(r.due),
            opt_date_zh(r.work_date),
            r.status.clone(),
            r.place.clone(),
            r.participants.join("、"),
            r.content.clone(),
            r.evidence_files.join("\n"),
            r.recorded_by.clone(),
            recorded_at,
            if r.version > 0 {
                format!("第{}版", r.version)
            } else {
                String::new()
            },
        ];
        ws.set_row_height(row, row_height(&values))?;
        for (c, v) in values.iter().enumerate() {
            // Everything as text: dates, ids and numbers keep their form in WPS and Excel.
            ws.write_string_with_format(row, c as u16, v, &cell)?;
        }
    }
    let footer_row = 3 + rows.len() as u32 + 1;
    let mut footer = format!("共 {} 条记录。", rows.len());
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

/// A sheet listing evidence files (for the evidence ZIP's index): folder, file, duty, period.
pub fn index_xlsx(
    meta: &LedgerMeta,
    entries: &[(String, String, String, String)],
) -> Result<Vec<u8>, ExportError> {
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
        .set_background_color(0xD9E1F2);
    let cell = base().set_border(FormatBorder::Thin).set_text_wrap();
    let cols: [(&str, f64); 5] = [
        ("序号", 6.0),
        ("文件夹", 36.0),
        ("文件名", 36.0),
        ("工作任务", 28.0),
        ("周期", 16.0),
    ];
    for (i, (_, w)) in cols.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    ws.merge_range(0, 0, 0, 4, &format!("{}佐证材料目录", meta.title), &title)?;
    for (i, (h, _)) in cols.iter().enumerate() {
        ws.write_string_with_format(1, i as u16, *h, &header)?;
    }
    for (n, (folder, file, duty, period)) in entries.iter().enumerate() {
        let row = 2 + n as u32;
        for (c, v) in [
            (n + 1).to_string(),
            folder.clone(),
            file.clone(),
            duty.clone(),
            period.clone(),
        ]
        .iter()
        .enumerate()
        {
            ws.write_string_with_format(row, c as u16, v, &cell)?;
        }
    }
    Ok(wb.save_to_buffer()?)
}
