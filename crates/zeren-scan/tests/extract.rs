//! Extraction from every format: the same variants and hard negatives found (or not) in .txt, .html,
//! .docx, .xlsx and .pdf; locations; column headers as context; and hostile files failing fast.

mod common;

use common::*;
use zeren_scan::checksum::luhn_check_digit;
use zeren_scan::{extract, ExtractError, Finding, Kind, Limits, ScanConfig, Scanner};

fn card(payload: &str) -> String {
    let d: Vec<u8> = payload.bytes().map(|b| b - b'0').collect();
    format!("{payload}{}", luhn_check_digit(&d))
}

/// The lines of the detector tests: every variant and hard negative.
fn lines() -> Vec<String> {
    let c19 = card("622202123456789012");
    let c16 = card("453957876362148");
    let mut v: Vec<String> = [
        "身份证号：11010519491231002X。",
        "张三11010519491231002x男",
        "号码１１０１０５１９４９１２３１００２Ｘ，",
        "证件 110105 19491231 002X 有效",
        "证件110105-19491231-002X",
        "旧证 110105491231002 说明",
        "身份证：110105491231002",
        "错号110105194912310021",
        "已脱敏110105********002X和3501**********1234",
        "准考证号：110105491231002",
        "手机13812345678",
        "请拨打+86 138 1234 5678咨询",
        "国际+8613812345678",
        "0086-13812345678",
        "电话：138-1234-5678",
        "全角１３８１２３４５６７８",
        "无效12345678901和14012345678",
        "已脱敏138****5678",
        "联系电话：010-62751234，0571-87654321",
        "订单号：13812345678",
        "学号13812345678",
        "3.13812345678",
        "护照号码：E12345678",
        "Passport No. EA1234567",
        "型号E12345678",
        "机密★1年",
        "秘密★6个月",
        "绝密★长期",
        "绝密★启用前",
        "密级：机密",
        "机密",
        "【秘密】",
        "内部资料，注意保存",
        "本书为内部资料",
        "严禁涉密人员私自出境",
        "保守国家秘密是每个公民的义务",
        "不得泄露商业机密",
        "长数字串123456789012345678901234567890",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push(format!(
        "工资卡号：{} {} {} {} {}",
        &c19[..4],
        &c19[4..8],
        &c19[8..12],
        &c19[12..16],
        &c19[16..]
    ));
    v.push(format!("请转{c19}。"));
    v.push(format!("卡号{c16}"));
    v.push(format!("订单号{c19}"));
    v.push("6222 **** **** 1234".into());
    v
}

fn summary(f: &[Finding]) -> Vec<(Kind, &'static str, String)> {
    let mut v: Vec<_> = f
        .iter()
        .map(|f| (f.kind, f.confidence.as_str(), f.masked.clone()))
        .collect();
    v.sort();
    v
}

fn check_format(name: &str, bytes: &[u8], lines: &[String]) {
    let s = Scanner::new(ScanConfig::default());
    let expected = s.scan_text(&lines.join("\n"));
    assert_eq!(expected.len(), 28, "the corpus has findings: {expected:#?}");
    let ex = extract(name, bytes, &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let found = s.scan_extracted(&ex);
    assert_eq!(summary(&found), summary(&expected), "{name}\n{}", ex.text);
    // Offsets index the extracted text.
    let chars: Vec<char> = ex.text.chars().collect();
    for f in &found {
        let value: String = chars[f.start..f.end].iter().collect();
        let digits = |s: &str| s.chars().filter(|c| c.is_numeric()).count();
        if f.kind != Kind::SecrecyMarking {
            assert!(
                digits(&value) >= digits(&f.masked),
                "{name}: {value} vs {}",
                f.masked
            );
        }
        assert!(!f.location.is_empty());
    }
}

#[test]
fn every_variant_in_every_format() {
    let lines = lines();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    check_format("a.txt", lines.join("\n").as_bytes(), &lines);
    let joined = lines.join("\n");
    let (gb, _, _) = encoding_rs::GB18030.encode(&joined);
    check_format("gb.txt", &gb, &lines);
    check_format("a.html", &html(&refs), &lines);
    let csv: String = lines
        .iter()
        .map(|l| format!("\"{}\"\n", l.replace('"', "\"\"")))
        .collect();
    check_format("a.csv", csv.as_bytes(), &lines);
    check_format("a.docx", &docx(&refs, &[], "", ""), &lines);
    let rows: Vec<Vec<Cell>> = std::iter::once(vec![Cell::Shared("内容")])
        .chain(refs.iter().enumerate().map(|(i, l)| {
            vec![if i % 2 == 0 {
                Cell::Shared(l)
            } else {
                Cell::Inline(l)
            }]
        }))
        .collect();
    check_format("a.xlsx", &xlsx(&[("名单", rows)]), &lines);
    let half = refs.len() / 2;
    check_format(
        "a.pdf",
        &pdf(&[refs[..half].to_vec(), refs[half..].to_vec()]),
        &lines,
    );
}

#[test]
fn docx_locations_headers_footers_and_column_context() {
    let bytes = docx(
        &["关于2024年奖学金获得者的公示", "联系人：王老师 13812345678"],
        &[vec![
            vec!["姓名", "身份证号", "学号"],
            vec!["张三", "110105491231002", "13812345678"],
        ]],
        "机密★1年",
        "监督电话 13912345678",
    );
    let ex = extract("公示.docx", &bytes, &Limits::default()).unwrap();
    let f = Scanner::new(ScanConfig::default()).scan_extracted(&ex);
    let by_loc: Vec<(&str, Kind, &str)> = f
        .iter()
        .map(|f| (f.location.as_str(), f.kind, f.confidence.as_str()))
        .collect();
    assert_eq!(
        by_loc,
        vec![
            ("第2段", Kind::CnMobile, "high"),
            // The column header 身份证号 makes a 15-digit legacy ID high; 学号 makes the 11 digits not a phone.
            ("表1第2行第2列", Kind::CnResidentId, "high"),
            ("页眉", Kind::SecrecyMarking, "high"),
            ("页脚", Kind::CnMobile, "high"),
        ],
        "{}",
        ex.text
    );
}

#[test]
fn docx_tracked_deletions_are_scanned() {
    let doc = r#"<w:document xmlns:w="w"><w:body><w:p><w:del><w:r><w:delText>11010519491231002X</w:delText></w:r></w:del></w:p></w:body></w:document>"#;
    let bytes = zip_of(&[("word/document.xml", doc.to_string())]);
    let ex = extract("a.docx", &bytes, &Limits::default()).unwrap();
    let f = Scanner::new(ScanConfig::default()).scan_extracted(&ex);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].kind, Kind::CnResidentId);
}

#[test]
fn xlsx_sheets_cells_numbers_and_headers() {
    let visa = card("453957876362148");
    let bytes = xlsx(&[
        (
            "名单",
            vec![
                vec![
                    Cell::Shared("姓名"),
                    Cell::Shared("身份证号"),
                    Cell::Shared("银行卡号"),
                    Cell::Shared("学号"),
                    Cell::Shared("手机"),
                ],
                vec![
                    Cell::Shared("张三"),
                    Cell::Shared("11010519491231002X"),
                    Cell::Inline(&visa),
                    Cell::Number("13812345678"),
                    Cell::Number("1.3912345678E10"),
                ],
                vec![Cell::Shared("李四"), Cell::Number("1.10105194912310E+17")],
            ],
        ),
        ("说明", vec![vec![Cell::Inline("秘密★6个月")]]),
    ]);
    let ex = extract("名单.xlsx", &bytes, &Limits::default()).unwrap();
    let f = Scanner::new(ScanConfig::default()).scan_extracted(&ex);
    let got: Vec<(&str, Kind, &str)> = f
        .iter()
        .map(|f| (f.location.as_str(), f.kind, f.confidence.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("名单!B2", Kind::CnResidentId, "high"),
            ("名单!C2", Kind::BankCard, "medium"),
            ("名单!E2", Kind::CnMobile, "high"),
            ("说明!A1", Kind::SecrecyMarking, "high"),
        ],
        "{}",
        ex.text
    );
    assert_eq!(ex.notes.len(), 1, "{:?}", ex.notes);
    assert!(ex.notes[0].starts_with("名单!B3"));
    assert!(ex.text.contains("110105194912310000"));
}

#[test]
fn html_skips_scripts_and_decodes_entities() {
    let page = r#"<html><head><script>var tel="13812345678";</script><style>.a{}</style></head>
<body><!-- 13912345678 --><p>联系&nbsp;电话：&#49;3712345678</p>
<table><tr><th>姓名</th><th>学号</th><th>身份证号</th></tr>
<tr><td>张三</td><td>13612345678</td><td>110105491231002</td></tr></table>
<p>秘密&#9733;1年</p></body></html>"#;
    let ex = extract("a.html", page.as_bytes(), &Limits::default()).unwrap();
    let f = Scanner::new(ScanConfig::default()).scan_extracted(&ex);
    let got: Vec<(&str, Kind, &str, &str)> = f
        .iter()
        .map(|f| {
            (
                f.location.as_str(),
                f.kind,
                f.confidence.as_str(),
                f.masked.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("第1段", Kind::CnMobile, "high", "137****5678"),
            (
                "表1第2行第3列",
                Kind::CnResidentId,
                "high",
                "110105*****1002"
            ),
            ("第2段", Kind::SecrecyMarking, "high", ""),
        ],
        "{}",
        ex.text
    );
}

#[test]
fn pdf_pages_are_locations() {
    let bytes = pdf(&[vec!["第一页没有"], vec!["第二页 手机 13812345678"]]);
    let ex = extract("a.pdf", &bytes, &Limits::default()).unwrap();
    let f = Scanner::new(ScanConfig::default()).scan_extracted(&ex);
    assert_eq!(f.len(), 1, "{}", ex.text);
    assert_eq!(f[0].location, "第2页");
}

#[test]
fn scanned_pdf_is_reported() {
    let e = extract("scan.pdf", &scanned_pdf(), &Limits::default()).unwrap_err();
    assert_eq!(e, ExtractError::NoTextLayer);
    assert!(e.to_string().contains("扫描件"));
}

#[test]
fn truncated_pdf_is_an_error() {
    let full = pdf(&[vec!["身份证号 11010519491231002X"]]);
    for cut in [full.len() / 3, full.len() / 2, full.len() - 10] {
        let e = extract("cut.pdf", &full[..cut], &Limits::default()).unwrap_err();
        assert!(matches!(e, ExtractError::Malformed(_)), "{e}");
        assert!(e.to_string().contains("截断"), "{e}");
    }
    // No %PDF header: it is text, whatever the name says, and the reviewer is told.
    let ex = extract("fake.pdf", b"hello", &Limits::default()).unwrap();
    assert_eq!(ex.text, "hello");
    assert!(ex.notes[0].contains(".pdf"), "{:?}", ex.notes);
}

#[test]
fn gigabyte_zip_bomb_named_docx() {
    // Honest header: refused before inflating anything.
    let bomb = zip_bomb(1 << 30, 1 << 30);
    assert!(bomb.len() < 4 << 20, "{} bytes", bomb.len());
    let e = extract("bomb.docx", &bomb, &Limits::default()).unwrap_err();
    assert!(matches!(e, ExtractError::ExpansionTooLarge { .. }), "{e}");
    // Lying header (claims 1000 bytes): inflation stops at the ratio limit.
    let liar = zip_bomb(1 << 30, 1000);
    let e = extract("bomb.docx", &liar, &Limits::default()).unwrap_err();
    assert!(matches!(e, ExtractError::ExpansionTooLarge { .. }), "{e}");
    assert!(e.to_string().contains("压缩炸弹"));
    let e = extract("bomb.xlsx", &liar, &Limits::default()).unwrap_err();
    assert!(
        matches!(
            e,
            ExtractError::Malformed(_) | ExtractError::ExpansionTooLarge { .. }
        ),
        "{e}"
    );
}

#[test]
fn limits_on_size_entries_and_nesting() {
    let small = Limits {
        max_input: 100,
        ..Limits::default()
    };
    let e = extract("a.txt", &[b'a'; 101], &small).unwrap_err();
    assert!(matches!(e, ExtractError::TooLarge { .. }));

    let files: Vec<(String, String)> =
        std::iter::once(("word/document.xml".to_string(), String::new()))
            .chain((0..20).map(|i| (format!("f{i}.xml"), String::new())))
            .collect();
    let refs: Vec<(&str, String)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let few = Limits {
        max_entries: 10,
        ..Limits::default()
    };
    let e = extract("a.docx", &zip_of(&refs), &few).unwrap_err();
    assert!(matches!(e, ExtractError::TooManyEntries { .. }));

    let deep = format!(
        "<w:document>{}{}</w:document>",
        "<a>".repeat(1000),
        "</a>".repeat(1000)
    );
    let e = extract(
        "a.docx",
        &zip_of(&[("word/document.xml", deep)]),
        &Limits::default(),
    )
    .unwrap_err();
    assert!(matches!(e, ExtractError::TooDeep { .. }), "{e}");

    // The content decides: a damaged zip is damaged whatever its name; text named .docx is text.
    let e = extract("a.docx", b"PK\x03\x04not a zip", &Limits::default()).unwrap_err();
    assert!(matches!(e, ExtractError::Malformed(_)));
    let ex = extract("a.docx", b"not a zip", &Limits::default()).unwrap();
    assert_eq!(ex.text, "not a zip");
    let e = extract("a.exe", b"", &Limits::default()).unwrap_err();
    assert!(matches!(e, ExtractError::Empty));
    let e = extract(
        "a.txt",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",
        &Limits::default(),
    )
    .unwrap_err();
    assert!(matches!(e, ExtractError::Unsupported(_)));
}

/// Files written by real producers (see tests/fixtures/make_fixtures.py): ReportLab's PDFs wrap Flate in
/// ASCII85 and use the predefined UniGB-UCS2-H CMap or an embedded TrueType subset with ToUnicode.
#[test]
fn files_from_real_producers() {
    let s = Scanner::new(ScanConfig::default());
    let scan = |name: &str| {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(path).unwrap();
        s.scan_file(name, &bytes, &Limits::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let kinds = |r: &zeren_scan::ScanReport| -> Vec<(String, Kind)> {
        r.findings
            .iter()
            .map(|f| (f.location.clone(), f.kind))
            .collect()
    };
    let r = scan("reportlab-cid.pdf");
    assert_eq!(
        kinds(&r),
        vec![
            ("第1页".into(), Kind::SecrecyMarking),
            ("第1页".into(), Kind::CnResidentId),
            ("第1页".into(), Kind::CnMobile),
        ]
    );
    let r = scan("reportlab-ttf.pdf");
    assert_eq!(
        kinds(&r),
        vec![
            ("第1页".into(), Kind::CnMobile),
            ("第1页".into(), Kind::CnResidentId)
        ]
    );
    let r = scan("python-docx.docx");
    assert_eq!(
        kinds(&r),
        vec![
            ("表1第2行第2列".into(), Kind::CnResidentId),
            ("表1第2行第3列".into(), Kind::CnMobile),
            ("页眉".into(), Kind::SecrecyMarking),
            ("页脚".into(), Kind::CnMobile),
        ]
    );
    // The 15-digit legacy ID is high only because its column header says 身份证号.
    assert_eq!(r.findings[0].confidence, zeren_scan::Confidence::High);
    let r = scan("openpyxl.xlsx");
    assert_eq!(
        kinds(&r),
        vec![
            ("名单!B2".into(), Kind::CnResidentId),
            ("名单!C2".into(), Kind::CnMobile),
            ("附表!C3".into(), Kind::SecrecyMarking),
        ]
    );
    // 110105194912310021 stored as a number: more digits than Excel keeps, so it is reported.
    assert!(
        r.notes.iter().any(|n| n.starts_with("名单!B3")),
        "{:?}",
        r.notes
    );
}

/// A title row merged across the table sits above the real header row in most published rosters.
#[test]
fn title_rows_are_not_headers() {
    let s = Scanner::new(ScanConfig::default());
    let confidences = |name: &str, bytes: &[u8]| -> Vec<(String, Kind, &'static str)> {
        let ex = extract(name, bytes, &Limits::default()).unwrap();
        s.scan_extracted(&ex)
            .iter()
            .map(|f| (f.location.clone(), f.kind, f.confidence.as_str()))
            .collect()
    };
    // 110105491231002 is a legacy ID only a 身份证号 header makes high; 13812345678 under 学号 is no phone.
    let cell = |t: &str, span: usize| {
        let pr = if span > 1 {
            format!(r#"<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>"#)
        } else {
            String::new()
        };
        format!(r#"<w:tc>{pr}<w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:tc>"#)
    };
    let doc = format!(
        r#"<w:document xmlns:w="w"><w:body><w:tbl><w:tr>{}</w:tr><w:tr>{}{}{}</w:tr><w:tr>{}{}{}</w:tr></w:tbl></w:body></w:document>"#,
        cell("2024年奖学金获得者名单", 3),
        cell("姓名", 1),
        cell("身份证号", 1),
        cell("学号", 1),
        cell("张三", 1),
        cell("110105491231002", 1),
        cell("13812345678", 1),
    );
    let docx = zip_of(&[("word/document.xml", doc)]);
    assert_eq!(
        confidences("a.docx", &docx),
        vec![("表1第3行第2列".into(), Kind::CnResidentId, "high")]
    );

    let xlsx_bytes = xlsx(&[(
        "名单",
        vec![
            vec![Cell::Inline("2024年奖学金获得者名单")],
            vec![
                Cell::Shared("姓名"),
                Cell::Shared("身份证号"),
                Cell::Shared("学号"),
            ],
            vec![
                Cell::Shared("张三"),
                Cell::Inline("110105491231002"),
                Cell::Number("13812345678"),
            ],
        ],
    )]);
    assert_eq!(
        confidences("a.xlsx", &xlsx_bytes),
        vec![("名单!B3".into(), Kind::CnResidentId, "high")]
    );

    let page = r#"<table><tr><td colspan="3">2024年奖学金获得者名单</td></tr>
<tr><th>姓名</th><th>身份证号</th><th>学号</th></tr>
<tr><td>张三</td><td>110105491231002</td><td>13812345678</td></tr></table>"#;
    assert_eq!(
        confidences("a.html", page.as_bytes()),
        vec![("表1第3行第2列".into(), Kind::CnResidentId, "high")]
    );
}

/// Inputs that would take quadratic time with a naive parser finish (and the PDF one is refused).
#[test]
fn pathological_inputs_stay_linear() {
    let amps = "&".repeat(2_000_000);
    let ex = extract("a.html", amps.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(ex.text.trim_end().len(), amps.len());

    let mut pdf = b"%PDF-1.7\n".to_vec();
    for _ in 0..100_000 {
        pdf.extend_from_slice(b"1 0 obj (");
    }
    pdf.extend_from_slice(b"\n%%EOF\n");
    let e = extract("a.pdf", &pdf, &Limits::default()).unwrap_err();
    assert!(matches!(e, ExtractError::Malformed(_)), "{e}");
}

/// A workbook pasted into a Word file is published with it; deeper nesting than the limit is an error.
#[test]
fn embedded_documents_are_scanned_up_to_the_nesting_limit() {
    let book = xlsx(&[(
        "名单",
        vec![
            vec![Cell::Shared("姓名"), Cell::Shared("身份证号")],
            vec![Cell::Shared("张三"), Cell::Shared("11010519491231002X")],
        ],
    )]);
    let with_book = |outer: &str, inner: Vec<u8>, inner_name: &str| {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        use std::io::Write;
        w.start_file("word/document.xml", opts).unwrap();
        let doc = format!(
            r#"<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>{outer}</w:t></w:r></w:p></w:body></w:document>"#
        );
        w.write_all(doc.as_bytes()).unwrap();
        w.start_file(format!("word/embeddings/{inner_name}"), opts)
            .unwrap();
        w.write_all(&inner).unwrap();
        w.start_file("word/embeddings/oleObject1.bin", opts)
            .unwrap();
        w.write_all(b"\xd0\xcf\x11\xe0").unwrap();
        w.finish().unwrap().into_inner()
    };
    let one = with_book("见附表", book, "Microsoft_Excel_Worksheet.xlsx");
    let ex = extract("a.docx", &one, &Limits::default()).unwrap();
    let f = Scanner::new(ScanConfig::default()).scan_extracted(&ex);
    assert_eq!(f.len(), 1, "{}", ex.text);
    assert_eq!(f[0].kind, Kind::CnResidentId);
    assert_eq!(
        f[0].location,
        "嵌入文件 Microsoft_Excel_Worksheet.xlsx 名单!B2"
    );
    assert!(
        ex.notes.iter().any(|n| n.contains("oleObject1.bin")),
        "{:?}",
        ex.notes
    );

    let two = with_book("外层", one.clone(), "inner.docx");
    assert!(extract("b.docx", &two, &Limits::default()).is_ok());
    let three = with_book("最外层", two, "middle.docx");
    let e = extract("c.docx", &three, &Limits::default()).unwrap_err();
    assert!(matches!(e, ExtractError::TooDeep { limit: 2 }), "{e}");
}

/// Exported rosters: the header row gives context, GB18030 (as Excel writes CSV in China) is read.
#[test]
fn csv_rosters_use_their_header_row() {
    let text = "2024年奖学金名单\n姓名,身份证号,学号,备注\n张三,110105491231002,13812345678,\"住址：北京市,海淀区\"\n";
    let (gb, _, _) = encoding_rs::GB18030.encode(text);
    for bytes in [text.as_bytes(), &gb[..]] {
        let ex = extract("名单.csv", bytes, &Limits::default()).unwrap();
        let f = Scanner::new(ScanConfig::default()).scan_extracted(&ex);
        let got: Vec<(&str, Kind, &str)> = f
            .iter()
            .map(|f| (f.location.as_str(), f.kind, f.confidence.as_str()))
            .collect();
        assert_eq!(got, vec![("B3", Kind::CnResidentId, "high")], "{}", ex.text);
    }
    let ex = extract(
        "名单.tsv",
        "姓名\t手机\n张三\t13812345678\n".as_bytes(),
        &Limits::default(),
    )
    .unwrap();
    let f = Scanner::new(ScanConfig::default()).scan_extracted(&ex);
    assert_eq!(f[0].location, "B2");
    assert_eq!(f[0].confidence, zeren_scan::Confidence::High);
}
