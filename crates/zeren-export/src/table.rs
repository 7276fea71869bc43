//! Plain tables as a workbook, a sheet each: a merged title row, a line saying what the numbers
//! are, a header row, then the rows — numbers as numbers and rates as percentages, so they sort
//! and sum in the spreadsheet (the oversight dashboard's export).

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};

use crate::xlsx::{base, row_height_for, text_width, wrapped_lines};
use crate::ExportError;

/// A cell: text, a whole number, or a rate in whole per cent (none: nothing to rate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Percent(Option<u32>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The tab's name (at most 31 characters, as spreadsheets allow).
    pub name: String,
    pub title: String,
    pub subtitle: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

pub fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>, ExportError> {
    let mut wb = Workbook::new();
    let title = base()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let info = base().set_align(FormatAlign::Left);
    let header = base()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(0xD9E1F2);
    let text = base()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let number: Format = text.clone().set_align(FormatAlign::Center);
    let percent = number.clone().set_num_format("0%");
    for sheet in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(sheet.name.chars().take(31).collect::<String>())?;
        let cols = sheet.headers.len().max(1);
        let last = (cols - 1) as u16;
        // The first column is wide enough for its longest label; the others for their header.
        let mut widths: Vec<f64> = sheet
            .headers
            .iter()
            .map(|h| (text_width(h) + 2.0).clamp(8.0, 16.0))
            .collect();
        if let Some(w) = widths.first_mut() {
            let longest = sheet
                .rows
                .iter()
                .filter_map(|r| match r.first() {
                    Some(Cell::Text(s)) => Some(text_width(s)),
                    _ => None,
                })
                .fold(8.0, f64::max);
            *w = (longest + 2.0).min(40.0);
        }
        for (i, w) in widths.iter().enumerate() {
            ws.set_column_width(i as u16, *w)?;
        }
        ws.set_row_height(0, 26)?;
        if last == 0 {
            ws.write_string_with_format(0, 0, &sheet.title, &title)?;
            ws.write_string_with_format(1, 0, &sheet.subtitle, &info)?;
        } else {
            ws.merge_range(0, 0, 0, last, &sheet.title, &title)?;
            ws.merge_range(1, 0, 1, last, &sheet.subtitle, &info)?;
        }
        for (i, h) in sheet.headers.iter().enumerate() {
            ws.write_string_with_format(2, i as u16, h, &header)?;
        }
        let lines = sheet
            .headers
            .iter()
            .zip(&widths)
            .map(|(h, w)| wrapped_lines(h, *w))
            .max()
            .unwrap_or(1);
        ws.set_row_height(2, row_height_for(lines))?;
        for (n, r) in sheet.rows.iter().enumerate() {
            let row = 3 + n as u32;
            for (c, cell) in r.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) => ws.write_string_with_format(row, c, s, &text)?,
                    Cell::Int(i) => ws.write_number_with_format(row, c, *i as f64, &number)?,
                    Cell::Percent(Some(p)) => {
                        ws.write_number_with_format(row, c, *p as f64 / 100.0, &percent)?
                    }
                    Cell::Percent(None) => ws.write_string_with_format(row, c, "—", &number)?,
                };
            }
        }
        ws.set_freeze_panes(3, 1)?;
        ws.set_landscape();
        ws.set_paper_size(9); // A4
        ws.set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(2, 2)?;
    }
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workbook_of_two_sheets_opens_as_a_zip() {
        let sheet = |name: &str| Sheet {
            name: name.into(),
            title: "河东区教体局2026年度督查看板".into(),
            subtitle: "截至 2026-03-20。".into(),
            headers: vec!["单位".into(), "应完成".into(), "完成率".into()],
            rows: vec![
                vec![
                    Cell::Text("第一中学".into()),
                    Cell::Int(12),
                    Cell::Percent(Some(75)),
                ],
                vec![
                    Cell::Text("第二中学".into()),
                    Cell::Int(0),
                    Cell::Percent(None),
                ],
            ],
        };
        let bytes = workbook(&[sheet("各单位"), sheet("各项工作")]).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut names: Vec<String> = (0..zip.len())
            .map(|i| zip.by_index(i).unwrap().name().to_string())
            .collect();
        names.sort();
        assert!(
            names.contains(&"xl/worksheets/sheet2.xml".to_string()),
            "{names:?}"
        );
        let mut shared = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/sharedStrings.xml").unwrap(),
            &mut shared,
        )
        .unwrap();
        assert!(shared.contains("第一中学") && shared.contains("完成率"));
    }
}
