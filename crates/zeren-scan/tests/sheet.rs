//! `read_grid` for roster import (issue 11): the first sheet of an .xlsx or a CSV as rows of cells at
//! their real positions, refused before allocating when it is past the caps.

mod common;

use std::time::{Duration, Instant};

use common::*;
use zeren_scan::sheet::{read_grid, Cell as C, GridLimits, SheetErrorKind};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn t(s: &str) -> C {
    C::Text(s.into())
}

#[test]
fn an_openpyxl_roster_keeps_its_row_numbers_and_number_cells() {
    // Written by openpyxl; the table starts at row 3; an ID typed as a number lost its last digits.
    let rows = read_grid(&fixture("roster.xlsx"), &GridLimits::default()).unwrap();
    assert_eq!(rows.len(), 5);
    assert!(rows[0].is_empty() && rows[1].is_empty());
    assert_eq!(rows[2], [t("姓名"), t("身份证号"), t("手机号"), t("工号")]);
    assert_eq!(
        rows[3],
        [
            t("张三"),
            t("11010519491231002X"),
            C::Number(13800138000.0),
            t("0012")
        ]
    );
    assert_eq!(rows[4], [t("李四"), C::Number(1.1010519491231e17)]);
    // openpyxl's other fixture: the first sheet only.
    let rows = read_grid(&fixture("openpyxl.xlsx"), &GridLimits::default()).unwrap();
    assert_eq!(rows[0][0], t("姓名"));
    assert!(rows.iter().flatten().all(|c| *c != t("秘密★6个月")));
}

#[test]
fn shared_strings_and_sparse_cells_land_where_they_are() {
    let book = xlsx(&[(
        "名单",
        vec![
            vec![Cell::Shared("姓名"), Cell::Shared("手机")],
            vec![Cell::Inline("张三"), Cell::Number("13812345678")],
        ],
    )]);
    let rows = read_grid(&book, &GridLimits::default()).unwrap();
    assert_eq!(
        rows,
        vec![
            vec![t("姓名"), t("手机")],
            vec![t("张三"), C::Number(13812345678.0)]
        ]
    );
    let book = sparse_xlsx(&[("C2", "x"), ("A4", "y"), ("BL5", "z")]);
    let rows = read_grid(&book, &GridLimits::default()).unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[1], [C::Empty, C::Empty, t("x")]);
    assert!(rows[2].is_empty());
    assert_eq!(rows[3], [t("y")]);
    assert_eq!(rows[4].len(), 64);
    assert_eq!(rows[4][63], t("z"));
}

/// Issue 11's fixture: one cell at XFD1048576 in a tiny workbook. calamine asks for 549,755,813,888
/// bytes and aborts the process; here it is an error naming the row, before anything is allocated.
#[test]
fn a_cell_at_xfd1048576_is_refused_without_allocating() {
    let book = sparse_xlsx(&[("A1", "姓名"), ("XFD1048576", "x")]);
    assert!(book.len() < 1600, "{} bytes", book.len());
    let t0 = Instant::now();
    let e = read_grid(&book, &GridLimits::default()).unwrap_err();
    assert!(t0.elapsed() < Duration::from_secs(1));
    assert_eq!(
        e.kind,
        SheetErrorKind::TooManyRows {
            row: 1_048_576,
            limit: 50_000
        }
    );
    assert_eq!(e.row(), Some(1_048_576));
    assert!(
        e.zh.contains("第 1048576 行") && e.zh.contains("50000"),
        "{e}"
    );
    assert!(e.en.contains("row 1048576"), "{e}");
    // Within the row cap, past the column cap.
    let e = read_grid(&sparse_xlsx(&[("XFD2", "x")]), &GridLimits::default()).unwrap_err();
    assert_eq!(
        e.kind,
        SheetErrorKind::TooManyColumns {
            row: 2,
            column: 16_384,
            limit: 64
        }
    );
    // An empty styled cell far away is not data: ignored.
    let mut sheet = String::from(
        r#"<worksheet><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>"#,
    );
    sheet.push_str(r#"<row r="1048576"><c r="XFD1048576" s="1"/></row></sheetData></worksheet>"#);
    let rows = read_grid(&workbook_with(sheet, None), &GridLimits::default()).unwrap();
    assert_eq!(rows, vec![vec![t("姓名")]]);
}

#[test]
fn row_column_and_cell_caps() {
    let small = GridLimits {
        max_rows: 3,
        max_columns: 2,
        max_cells: 5,
        ..GridLimits::default()
    };
    let e = read_grid(b"a\nb\nc\nd\n", &small).unwrap_err();
    assert_eq!(e.kind, SheetErrorKind::TooManyRows { row: 4, limit: 3 });
    let e = read_grid(b"a,b,c\n", &small).unwrap_err();
    assert_eq!(
        e.kind,
        SheetErrorKind::TooManyColumns {
            row: 1,
            column: 3,
            limit: 2
        }
    );
    let e = read_grid(b"a,b\nc,d\ne,f\n", &small).unwrap_err();
    assert_eq!(e.kind, SheetErrorKind::TooManyCells { limit: 5 });
    // Trailing empty fields (Excel writes them for formatted columns) and empty rows are not data.
    let rows = read_grid(format!("a,b{}\n\n\n", ",".repeat(500)).as_bytes(), &small).unwrap();
    assert_eq!(rows, vec![vec![t("a"), t("b")]]);
    // A cell longer than the cap.
    let e = read_grid(
        format!("名,\"{}\"\n", "长".repeat(40_000)).as_bytes(),
        &GridLimits::default(),
    )
    .unwrap_err();
    assert_eq!(
        e.kind,
        SheetErrorKind::CellTooLong {
            row: 1,
            limit: 32_767
        }
    );
    // A million-row sheet in a small file is refused at the first row past the cap.
    let mut sheet = String::from("<worksheet><sheetData>");
    for r in 1..=60_000 {
        sheet.push_str(&format!(r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#));
    }
    sheet.push_str("</sheetData></worksheet>");
    let e = read_grid(&workbook_with(sheet, None), &GridLimits::default()).unwrap_err();
    assert_eq!(
        e.kind,
        SheetErrorKind::TooManyRows {
            row: 50_001,
            limit: 50_000
        }
    );
}

#[test]
fn csv_encodings_as_chinese_excel_saves_them() {
    let text = "姓名,身份证号,备注\n张三,11010519491231002X,\"住址：北京市,\n海淀区\"\n李四,,\n";
    let want = vec![
        vec![t("姓名"), t("身份证号"), t("备注")],
        vec![
            t("张三"),
            t("11010519491231002X"),
            t("住址：北京市,\n海淀区"),
        ],
        vec![t("李四")],
    ];
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    let (gb, _, _) = encoding_rs::GB18030.encode(text);
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(
        text.replace(',', "\t")
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    for bytes in [text.as_bytes(), &bom, &gb, &utf16] {
        let rows = read_grid(bytes, &GridLimits::default()).unwrap();
        let rows: Vec<Vec<C>> = rows
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|c| match c {
                        C::Text(s) => C::Text(s.replace('\t', ",")),
                        c => c,
                    })
                    .collect()
            })
            .collect();
        assert_eq!(rows, want);
    }
    // Digits in CSV stay text: leading zeros and 18-digit IDs survive.
    let rows = read_grid(b"0012,110105194912310021\n", &GridLimits::default()).unwrap();
    assert_eq!(rows[0], [t("0012"), t("110105194912310021")]);
}

#[test]
fn what_is_not_a_sheet_says_so() {
    let kind = |b: &[u8]| read_grid(b, &GridLimits::default()).unwrap_err().kind;
    assert_eq!(
        kind(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        SheetErrorKind::NotASheet
    );
    let mut xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    xls.extend("Workbook".encode_utf16().flat_map(|u| u.to_le_bytes()));
    assert_eq!(kind(&xls), SheetErrorKind::LegacyWorkbook);
    let mut enc = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    enc.extend(
        "EncryptedPackage"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    assert_eq!(kind(&enc), SheetErrorKind::Encrypted);
    let book = fixture("roster.xlsx");
    assert_eq!(kind(&book[..book.len() - 100]), SheetErrorKind::Corrupt);
    let doc = docx(&["x"], &[], "", "");
    assert_eq!(kind(&doc), SheetErrorKind::NotASheet);
    let e = read_grid(&doc, &GridLimits::default()).unwrap_err();
    assert!(e.zh.contains("Word"), "{e}");
    // A lying zip bomb as the workbook part.
    let bomb = zip_bomb_named(1 << 30, 1000, "xl/workbook.xml");
    let t0 = Instant::now();
    let e = read_grid(&bomb, &GridLimits::default()).unwrap_err();
    assert!(t0.elapsed() < Duration::from_secs(10));
    assert_eq!(e.kind, SheetErrorKind::OverLimit, "{e}");
    assert!(e.zh.contains("压缩炸弹"), "{e}");
    assert_eq!(
        read_grid(b"", &GridLimits::default()).unwrap(),
        Vec::<Vec<C>>::new()
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Any set of cells within the caps comes back at its own row and column.
    #[test]
    fn cells_come_back_where_they_were(cells in proptest::collection::btree_map((0usize..200, 0usize..64), "[a-z]{1,5}", 1..30)) {
        let refs: Vec<(String, String)> = cells
            .iter()
            .map(|(&(r, c), v)| (format!("{}{}", col(c), r + 1), v.clone()))
            .collect();
        let pairs: Vec<(&str, &str)> = refs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let rows = read_grid(&sparse_xlsx(&pairs), &GridLimits::default()).unwrap();
        let max_row = cells.keys().map(|k| k.0).max().unwrap();
        proptest::prop_assert_eq!(rows.len(), max_row + 1);
        for (&(r, c), v) in &cells {
            proptest::prop_assert_eq!(&rows[r][c], &C::Text(v.clone()));
        }
        let filled = rows.iter().flatten().filter(|c| !matches!(c, C::Empty)).count();
        proptest::prop_assert_eq!(filled, cells.len());
    }
}

fn col(mut n: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}
