//! Issue 12 (type by content, an unreadable outcome that blocks, markings that are not personal data)
//! and issue 11 (bounded parsers): what a file is comes from its bytes; hostile files fail fast, with
//! a reason, and without allocating what they declare.

mod common;

use std::time::{Duration, Instant};

use common::*;
use zeren_scan::{
    extract, Category, Clearance, Confidence, ExtractError, Format, Kind, Limits, Outcome,
    ScanConfig, Scanner, TextEncoding, UnreadableCode, Unsupported,
};

fn scanner() -> Scanner {
    Scanner::new(ScanConfig::default())
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn kinds(r: &zeren_scan::FileReport) -> Vec<(Kind, Confidence)> {
    r.report()
        .unwrap_or_else(|| panic!("{:?}", r.outcome))
        .findings
        .iter()
        .map(|f| (f.kind, f.confidence))
        .collect()
}

fn unreadable(name: &str, bytes: &[u8]) -> (Format, UnreadableCode) {
    let r = scanner().scan_bytes(name, bytes, &Limits::default());
    assert!(r.blocks(), "{name} must block");
    match r.outcome {
        Outcome::Unreadable(u) => {
            assert!(u.blocks());
            assert!(!u.zh.is_empty() && !u.en.is_empty());
            (r.format, u.code)
        }
        Outcome::Scanned(s) => panic!("{name} was scanned: {s:?}"),
    }
}

#[test]
fn a_docx_named_news_is_a_docx() {
    use Confidence::High;
    // Written by python-docx (tests/fixtures/make_fixtures.py).
    let r = scanner().scan_bytes("news", &fixture("news.docx"), &Limits::default());
    assert_eq!(r.format, Format::Docx);
    assert_eq!(
        kinds(&r),
        [
            (Kind::SecrecyMarking, High),
            (Kind::CnResidentId, High),
            (Kind::CnMobile, High)
        ]
    );
    assert!(r.blocks());
    // Built here, named like a picture.
    let d = docx(&["秘密★1年", "联系电话：13812345678"], &[], "", "");
    let r = scanner().scan_bytes("photo.jpg", &d, &Limits::default());
    assert_eq!(r.format, Format::Docx);
    assert_eq!(
        kinds(&r),
        [(Kind::SecrecyMarking, High), (Kind::CnMobile, High)]
    );
    assert!(r.report().unwrap().notes[0].contains(".jpg"));
    // A workbook named .docx is a workbook.
    let x = xlsx(&[("名单", vec![vec![Cell::Shared("手机13812345678")]])]);
    let r = scanner().scan_bytes("a.docx", &x, &Limits::default());
    assert_eq!(r.format, Format::Xlsx);
    assert_eq!(kinds(&r), [(Kind::CnMobile, High)]);
}

#[test]
fn unreadable_files_block_with_a_reason() {
    let news = fixture("news.docx");
    assert_eq!(
        unreadable("a.docx", b""),
        (Format::Empty, UnreadableCode::Empty)
    );
    assert_eq!(
        unreadable("a.docx", &news[..news.len() / 2]),
        (Format::DamagedZip, UnreadableCode::Corrupt)
    );
    // The body's compressed bytes damaged: the container opens, the part does not inflate.
    let mut damaged = news.clone();
    let at = damaged
        .windows(17)
        .position(|w| w == b"word/document.xml")
        .unwrap()
        + 40;
    for b in &mut damaged[at..at + 60] {
        *b ^= 0x5A;
    }
    assert_eq!(
        unreadable("a.docx", &damaged),
        (Format::Docx, UnreadableCode::Corrupt)
    );
    // A zip that is neither Word nor Excel.
    let z = zip_of(&[("readme.txt", "13812345678".into())]);
    assert_eq!(
        unreadable("a.docx", &z),
        (
            Format::Unsupported(Unsupported::Archive("zip")),
            UnreadableCode::UnsupportedFormat
        )
    );
    let ole = |stream: &str| {
        let mut b = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        b.extend(std::iter::repeat_n(0u8, 500));
        b.extend(stream.encode_utf16().flat_map(|u| u.to_le_bytes()));
        b
    };
    assert_eq!(
        unreadable("a.docx", &ole("EncryptedPackage")),
        (Format::EncryptedOffice, UnreadableCode::Encrypted)
    );
    assert_eq!(
        unreadable("a.docx", &ole("WordDocument")),
        (
            Format::Unsupported(Unsupported::LegacyWord),
            UnreadableCode::UnsupportedFormat
        )
    );
    assert_eq!(
        unreadable(
            "a.txt",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
        ),
        (
            Format::Unsupported(Unsupported::Executable),
            UnreadableCode::UnsupportedFormat
        )
    );
    let random: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert_eq!(
        unreadable("a.txt", &random),
        (Format::Binary, UnreadableCode::UnknownBinary)
    );
    for (magic, kind) in [
        (&b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..], "PNG"),
        (&b"\xff\xd8\xff\xe0\0\x10JFIF\0"[..], "JPEG"),
        (&b"GIF89a\x01\0\x01\0"[..], "GIF"),
    ] {
        let r = scanner().scan_bytes("scan.pdf", magic, &Limits::default());
        assert_eq!(r.format, Format::Image(kind));
        let u = r.unreadable().unwrap();
        assert_eq!(u.code, UnreadableCode::Image);
        assert!(
            u.zh.contains("不做文字识别") && u.en.contains("no OCR"),
            "{u}"
        );
        assert!(u.action_zh().contains("人工"));
    }
    assert_eq!(
        unreadable("a.pdf", &scanned_pdf()),
        (Format::Pdf, UnreadableCode::NoTextLayer)
    );
}

#[test]
fn text_is_text_whatever_its_name() {
    let r = scanner().scan_bytes(
        "公示.docx",
        "联系电话：13812345678".as_bytes(),
        &Limits::default(),
    );
    assert_eq!(r.format, Format::Text(TextEncoding::Utf8));
    assert_eq!(kinds(&r), [(Kind::CnMobile, Confidence::High)]);
    assert!(r.report().unwrap().notes[0].contains("纯文本"));
    // HTML named .txt is read as HTML (scripts are not text a reader sees).
    let page = "<!DOCTYPE html><p>手机13812345678</p><script>var x='13912345678'</script>";
    let r = scanner().scan_bytes("a.txt", page.as_bytes(), &Limits::default());
    assert_eq!(r.format, Format::Html(TextEncoding::Utf8));
    assert_eq!(kinds(&r).len(), 1);
    // An SVG's text is scanned, its drawing is not.
    let svg = r#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><title>内部资料</title><text x="10"><tspan>身份证号 11010519491231002X</tspan></text><path d="M13812345678 0"/><style>.a{}</style></svg>"#;
    let r = scanner().scan_bytes("logo.svg", svg.as_bytes(), &Limits::default());
    assert_eq!(r.format, Format::Svg(TextEncoding::Utf8));
    assert_eq!(
        kinds(&r),
        [
            (Kind::SecrecyMarking, Confidence::High),
            (Kind::CnResidentId, Confidence::High)
        ]
    );
    // GB18030 text without a name.
    let (gb, _, _) = encoding_rs::GB18030.encode("秘密★1年\n联系电话：13812345678");
    let r = scanner().scan_bytes("x", &gb, &Limits::default());
    assert_eq!(r.format, Format::Text(TextEncoding::Gb18030));
    assert_eq!(kinds(&r).len(), 2);
}

#[test]
fn markings_are_not_personal_data() {
    assert_eq!(Kind::SecrecyMarking.category(), Category::Marking);
    assert_eq!(
        Category::Marking.cleared_by(),
        Clearance::DeclassificationDecision
    );
    assert!(!Category::Marking.waivable_by_lawful_basis());
    assert!(!Category::Marking.remedy_zh().contains("如本人同意"));
    assert!(Category::Marking.remedy_zh().contains("解密"));
    for k in [
        Kind::CnResidentId,
        Kind::CnMobile,
        Kind::BankCard,
        Kind::CnPassport,
    ] {
        assert_eq!(k.category(), Category::PersonalData);
        assert!(k.category().waivable_by_lawful_basis());
    }
    let f = &scanner().scan_text("秘密★1年\n正文")[0];
    assert_eq!((f.masked.as_str(), f.replacement()), ("", None));
    assert_eq!(f.shown, "秘密★1年");
    assert!(f.blocks());
}

/// One cell at XFD1048576: the scanner streams cells, so the grid is never built.
#[test]
fn a_sparse_sheet_costs_what_its_cells_cost() {
    let book = sparse_xlsx(&[("A1", "姓名"), ("XFD1048576", "手机13812345678")]);
    assert!(book.len() < 2000, "{} bytes", book.len());
    let t = Instant::now();
    let r = scanner().scan_bytes("a.xlsx", &book, &Limits::default());
    assert!(t.elapsed() < Duration::from_secs(2));
    let f = &r.report().unwrap().findings;
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].location, "Sheet1!XFD1048576");
    // Past Excel's own limits the reference is refused, not wrapped.
    let e = extract("a.xlsx", &sparse_xlsx(&[("XFE1", "x")]), &Limits::default()).unwrap_err();
    assert!(matches!(e, ExtractError::Malformed(_)), "{e}");
    let e = extract(
        "a.xlsx",
        &sparse_xlsx(&[("A1048577", "x")]),
        &Limits::default(),
    )
    .unwrap_err();
    assert!(matches!(e, ExtractError::Malformed(_)), "{e}");
}

#[test]
fn huge_shared_string_tables_are_refused() {
    // Three million empty strings: 12 MB of XML that compresses to almost nothing.
    let sst = format!("<sst>{}</sst>", "<si/>".repeat(3_000_000));
    let book = with_shared_strings(sst);
    // The expansion ratio catches it first …
    let e = extract("a.xlsx", &book, &Limits::default()).unwrap_err();
    assert!(matches!(e, ExtractError::ExpansionTooLarge { .. }), "{e}");
    // … and the count does when the ratio is allowed.
    let lax = Limits {
        max_ratio: 1_000_000,
        ..Limits::default()
    };
    let t = Instant::now();
    let e = extract("a.xlsx", &book, &lax).unwrap_err();
    assert!(matches!(e, ExtractError::OverLimit(_)), "{e}");
    assert!(e.to_string().contains("共享字符串"), "{e}");
    assert!(t.elapsed() < Duration::from_secs(20));
    // One string longer than the cap.
    let sst = format!("<sst><si><t>{}</t></si></sst>", "字".repeat(400_000));
    let e = extract("a.xlsx", &with_shared_strings(sst), &lax).unwrap_err();
    assert!(matches!(e, ExtractError::OverLimit(_)), "{e}");
    // A cell's inline string longer than the cap.
    let small = Limits {
        max_string: 100,
        ..Limits::default()
    };
    let book = sparse_xlsx(&[("A1", &"x".repeat(101))]);
    let e = extract("a.xlsx", &book, &small).unwrap_err();
    assert!(matches!(e, ExtractError::OverLimit(_)), "{e}");
}

#[test]
fn deep_nesting_is_refused() {
    let deep = |open: &str, close: &str, n: usize| format!("{}{}", open.repeat(n), close.repeat(n));
    let svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg">{}</svg>"#,
        deep("<g>", "</g>", 100_000)
    );
    let e = extract("a.svg", svg.as_bytes(), &Limits::default()).unwrap_err();
    assert!(matches!(e, ExtractError::TooDeep { .. }), "{e}");
    let page = format!(
        "<html><body>{}</body></html>",
        deep("<table><tr><td>", "</td></tr></table>", 10_000)
    );
    let e = extract("a.html", page.as_bytes(), &Limits::default()).unwrap_err();
    assert!(matches!(e, ExtractError::TooDeep { .. }), "{e}");
    // Nesting that costs nothing (divs) is read in linear time.
    let page = format!(
        "<html><body>{}手机13812345678</body></html>",
        deep("<div>", "</div>", 200_000).replacen("</div>", "", 0)
    );
    let t = Instant::now();
    let r = scanner().scan_bytes("a.html", page.as_bytes(), &Limits::default());
    assert_eq!(kinds(&r).len(), 1);
    assert!(t.elapsed() < Duration::from_secs(10));
    let body = format!(
        r#"<w:document xmlns:w="w"><w:body>{}</w:body></w:document>"#,
        deep("<w:tbl><w:tr><w:tc>", "</w:tc></w:tr></w:tbl>", 2_000)
    );
    let e = extract(
        "a.docx",
        &zip_of(&[("word/document.xml", body)]),
        &Limits::default(),
    )
    .unwrap_err();
    assert!(matches!(e, ExtractError::TooDeep { .. }), "{e}");
}

#[test]
fn other_caps() {
    // Cells.
    let small = Limits {
        max_cells: 10,
        ..Limits::default()
    };
    let csv: String = (0..20).map(|i| format!("{i},x\n")).collect();
    let e = extract("a.csv", csv.as_bytes(), &small).unwrap_err();
    assert!(matches!(e, ExtractError::OverLimit(_)), "{e}");
    // CSV columns and field length.
    let wide = format!("{}\n", vec!["1"; 20_000].join(","));
    let e = extract("a.csv", wide.as_bytes(), &Limits::default()).unwrap_err();
    assert!(e.to_string().contains("第 1 行超过"), "{e}");
    let long = format!("a,\"{}\"\n", "x".repeat(2 << 20));
    let e = extract("a.csv", long.as_bytes(), &Limits::default()).unwrap_err();
    assert!(e.to_string().contains("第 1 行有字段超过"), "{e}");
    // PDF objects.
    let few = Limits {
        max_pdf_objects: 3,
        ..Limits::default()
    };
    let e = extract("a.pdf", &pdf(&[vec!["身份证号 11010519491231002X"]]), &few).unwrap_err();
    assert!(matches!(e, ExtractError::TooManyEntries { .. }), "{e}");
    // Zip entries: refused from the directory's declared count, before the zip reader parses it.
    let files: Vec<(String, String)> = (0..50).map(|i| (format!("f{i}"), String::new())).collect();
    let refs: Vec<(&str, String)> = std::iter::once(("word/document.xml", String::new()))
        .chain(files.iter().map(|(n, b)| (n.as_str(), b.clone())))
        .collect();
    let few = Limits {
        max_entries: 10,
        ..Limits::default()
    };
    let e = extract("a.docx", &zip_of(&refs), &few).unwrap_err();
    assert!(
        matches!(e, ExtractError::TooManyEntries { count: 51, .. }),
        "{e}"
    );
}

/// A lying zip bomb is inflated only up to the per-member cap, whatever the ratio allows.
#[test]
fn a_lying_bomb_stops_at_the_member_cap() {
    let liar = zip_bomb(1 << 30, 1000);
    let tight = Limits {
        max_member: 4 << 20,
        ..Limits::default()
    };
    let t = Instant::now();
    let e = extract("bomb", &liar, &tight).unwrap_err();
    assert!(matches!(e, ExtractError::ExpansionTooLarge { .. }), "{e}");
    assert!(e.to_string().contains("4,194,304"), "{e}");
    assert!(t.elapsed() < Duration::from_secs(5));
}

/// Findings kept per file are capped (each holds a few strings); a blocking one is always kept.
#[test]
fn findings_per_file_are_capped() {
    let mut text = String::new();
    for _ in 0..50 {
        text.push_str("号码 3.1 E12345678 ");
    }
    text.push_str("\n身份证号 11010519491231002X\n");
    let few = Limits {
        max_findings: 10,
        ..Limits::default()
    };
    let r = scanner().scan_bytes("a.txt", text.as_bytes(), &few);
    let rep = r.report().unwrap();
    assert_eq!(rep.findings.len(), 10);
    assert!(r.blocks(), "{:?}", rep.findings);
    assert!(
        rep.notes.iter().any(|n| n.contains("共发现 51 处")),
        "{:?}",
        rep.notes
    );
}
