//! Bounded imports: hostile roster files posted to the running server are refused with a reason
//! in Chinese, nothing is imported, and the server stays up; every field has a length limit.

use reqwest::StatusCode;
use std::io::Write as _;
use zeren_store::testdb::TestDb;

use crate::helpers::*;

fn zip_of(files: &[(&str, String)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(body.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A one-sheet workbook with this sheet XML and shared-string table.
fn workbook(sheet: String, sst: Option<String>) -> Vec<u8> {
    let wb = r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
    let mut files = vec![
        ("[Content_Types].xml", "<Types/>".to_string()),
        ("xl/workbook.xml", wb.to_string()),
        ("xl/_rels/workbook.xml.rels", rels.to_string()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    if let Some(s) = sst {
        files.push(("xl/sharedStrings.xml", s));
    }
    zip_of(&files)
}

fn inline(r: &str, v: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{v}</t></is></c>"#)
}

/// A valid roster header and one person, then one cell at the sheet's last address.
fn sparse_sheet() -> Vec<u8> {
    let sheet = format!(
        r#"<worksheet><dimension ref="A1:XFD1048576"/><sheetData><row r="1">{}</row><row r="2">{}</row><row r="1048576">{}</row></sheetData></worksheet>"#,
        inline("A1", "姓名"),
        inline("A2", "张三"),
        inline("XFD1048576", "x")
    );
    workbook(sheet, None)
}

/// A shared-string table of more entries than a roster may hold.
fn huge_shared_strings() -> Vec<u8> {
    let mut sst = String::from("<sst>");
    for i in 0..200_000 {
        sst.push_str(&format!("<si><t>{i}</t></si>"));
    }
    sst.push_str("</sst>");
    let sheet = r#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#;
    workbook(sheet.to_string(), Some(sst))
}

/// Elements nested a hundred thousand deep inside a cell.
fn deep_nesting() -> Vec<u8> {
    let depth = 100_000;
    let sheet = format!(
        r#"<worksheet><sheetData><row r="1">{}</row><row r="2"><c r="A2" t="inlineStr"><is>{}<t>张三</t>{}</is></c></row></sheetData></worksheet>"#,
        inline("A1", "姓名"),
        "<r>".repeat(depth),
        "</r>".repeat(depth)
    );
    workbook(sheet, None)
}

/// A zip whose workbook part inflates to a gibibyte though it says 1,000 bytes.
fn zip_bomb() -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    const MIB: usize = 1 << 20;
    let zeros = vec![0u8; MIB];
    let mut c = Compress::new(Compression::best(), false);
    let mut first = Vec::with_capacity(MIB);
    c.compress_vec(&zeros, &mut first, FlushCompress::Sync)
        .unwrap();
    let mut middle = Vec::with_capacity(MIB);
    c.compress_vec(&zeros, &mut middle, FlushCompress::Sync)
        .unwrap();
    let mut last = Vec::with_capacity(1024);
    c.compress_vec(&[], &mut last, FlushCompress::Finish)
        .unwrap();
    let mut data = first;
    for _ in 1..1024 {
        data.extend_from_slice(&middle);
    }
    data.extend_from_slice(&last);
    let name = b"xl/workbook.xml";
    let header = |out: &mut Vec<u8>, central: bool| {
        out.extend_from_slice(&(if central { 0x0201_4b50u32 } else { 0x0403_4b50 }).to_le_bytes());
        if central {
            out.extend_from_slice(&20u16.to_le_bytes());
        }
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&8u16.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&1000u32.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        if central {
            out.extend_from_slice(&[0u8; 12]);
            out.extend_from_slice(&0u32.to_le_bytes());
        } else {
            out.extend_from_slice(&0u16.to_le_bytes());
        }
        out.extend_from_slice(name);
    };
    let mut out = Vec::new();
    header(&mut out, false);
    out.extend_from_slice(&data);
    let cd = out.len();
    header(&mut out, true);
    let cd_len = out.len() - cd;
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0u8; 4]);
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&(cd_len as u32).to_le_bytes());
    out.extend_from_slice(&(cd as u32).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

async fn people_count(app: &App, unit: i64) -> usize {
    use zeren_store::Read;
    app.store
        .reader()
        .await
        .unwrap()
        .people_in_subtree(unit)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn hostile_rosters_are_refused_and_the_server_stays_up() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let top = app.setup("district-school", "环湖中学").await;
        let sys = app.login("sysadmin").await;
        let many_rows = {
            let mut csv = String::from("姓名\n");
            for i in 0..10_050 {
                csv.push_str(&format!("人员{i}\n"));
            }
            csv.into_bytes()
        };
        let long_cell = format!("姓名,职务\n张三,{}\n", "长".repeat(300)).into_bytes();
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("sparse sheet", sparse_sheet(), "超出上限"),
            ("zip bomb", zip_bomb(), "压缩炸弹"),
            ("huge shared strings", huge_shared_strings(), ""),
            ("deep nesting", deep_nesting(), ""),
            ("too many rows", many_rows, "一次最多导入"),
            ("a cell too long", long_cell, "超过 200 个字符"),
        ];
        for (label, bytes, words) in cases {
            let started = std::time::Instant::now();
            let r = sys
                .raw(
                    &format!("/api/v1/units/{top}/roster"),
                    "application/octet-stream",
                    bytes.clone(),
                )
                .await;
            assert!(
                r.status.is_client_error(),
                "{label}: {} {}",
                r.status,
                r.text
            );
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "{label} took {:?}",
                started.elapsed()
            );
            let message = r.json()["problems"][0]["reason"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            assert!(message.contains(words), "{label}: {message}");
            assert!(
                message
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{label}: a reason in Chinese: {message}"
            );
            assert_eq!(
                people_count(&app, top).await,
                0,
                "{label}: nothing imported"
            );
            assert_eq!(
                app.client().get("/healthz").await.status,
                StatusCode::OK,
                "{label}"
            );
            // The page says the same, beside the file.
            let page = sys
                .multipart(
                    &format!("/units/{top}/import"),
                    &[("file", Some("花名册.xlsx"), &bytes)],
                )
                .await;
            assert!(page.status.is_client_error(), "{label}: {}", page.status);
            assert_eq!(people_count(&app, top).await, 0, "{label}");
        }
        // A good file still imports.
        let r = sys
            .raw(
                &format!("/api/v1/units/{top}/roster"),
                "text/csv",
                "姓名,职务\n张三,教师\n".as_bytes().to_vec(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(people_count(&app, top).await, 1);
        app.stop().await;
    }
}

#[tokio::test]
async fn every_roster_field_has_a_length_limit() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let top = app.setup("district-school", "环湖中学").await;
        let sys = app.login("sysadmin").await;
        let csv = format!(
            "姓名,工号,职务,所在单位\n{},1,教师,\n张三,{},教师,\n李四,2,{},\n王五,3,教师,{}\n",
            "名".repeat(51),
            "9".repeat(33),
            "职".repeat(51),
            "单".repeat(101)
        );
        let r = sys
            .raw(
                &format!("/api/v1/units/{top}/roster"),
                "text/csv",
                csv.into_bytes(),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let problems = r.json()["problems"].as_array().unwrap().clone();
        let about = |row: i64| {
            problems
                .iter()
                .find(|p| p["row"] == row)
                .unwrap_or_else(|| panic!("no problem in row {row}: {problems:?}"))["reason"]
                .as_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(about(2), "姓名过长（至多 50 字）");
        assert_eq!(about(3), "工号过长（至多 32 字）");
        assert_eq!(about(4), "职务过长（至多 50 字）");
        assert_eq!(about(5), "所在单位过长（至多 100 字）");
        assert_eq!(people_count(&app, top).await, 0);
        // The same limits on a person added by API.
        let r = sys
            .json(
                "/api/v1/people",
                serde_json::json!({ "unit_id": top, "name": "赵六", "position": "职".repeat(51) }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("至多 50 字"), "{}", r.text);
        app.stop().await;
    }
}
