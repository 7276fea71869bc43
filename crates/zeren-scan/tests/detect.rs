//! Every variant and hard negative of the issue, through the public API, with offsets mapped back.

use zeren_scan::checksum::{luhn_check_digit, luhn_ok, resident_id18_ok, resident_id_check};
use zeren_scan::{Confidence, Finding, Kind, ScanConfig, Scanner};

fn scanner() -> Scanner {
    Scanner::new(ScanConfig::default())
}

fn scan(text: &str) -> Vec<Finding> {
    let f = scanner().scan_text(text);
    for x in &f {
        assert!(x.start < x.end && x.end <= text.chars().count(), "{x:?}");
    }
    f
}

fn slice(text: &str, f: &Finding) -> String {
    text.chars().skip(f.start).take(f.end - f.start).collect()
}

/// An 18-character ID with a correct check character.
fn id18(first17: &str) -> String {
    let d: [u8; 17] = first17
        .bytes()
        .map(|b| b - b'0')
        .collect::<Vec<_>>()
        .try_into()
        .unwrap();
    let c = resident_id_check(&d);
    format!(
        "{first17}{}",
        if c == 10 { 'X' } else { (b'0' + c) as char }
    )
}

/// A card number with a correct Luhn digit.
fn card(payload: &str) -> String {
    let d: Vec<u8> = payload.bytes().map(|b| b - b'0').collect();
    format!("{payload}{}", luhn_check_digit(&d))
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap(),
            'X' => 'Ｘ',
            c => c,
        })
        .collect()
}

fn only(text: &str, kind: Kind) -> Finding {
    let f = scan(text);
    assert_eq!(f.len(), 1, "{text}: {f:?}");
    assert_eq!(f[0].kind, kind, "{text}: {f:?}");
    f[0].clone()
}

fn no_id(text: &str) {
    let f = scan(text);
    assert!(
        f.iter()
            .all(|f| f.kind != Kind::CnResidentId && f.confidence == Confidence::Low),
        "{text}: {f:?}"
    );
}

fn none(text: &str) {
    let f = scan(text);
    assert!(f.is_empty(), "{text}: {f:?}");
}

#[test]
fn resident_id_variants() {
    let id = "11010519491231002X";
    for (text, value) in [
        (format!("身份证号：{id}。"), id.to_string()),
        (format!("张三{}男", id.to_lowercase()), id.to_lowercase()),
        (format!("号码{}，", full_width(id)), full_width(id)),
        (
            "证件 110105 19491231 002X 有效".into(),
            "110105 19491231 002X".into(),
        ),
        (
            "证件110105-19491231-002X".into(),
            "110105-19491231-002X".into(),
        ),
        (
            format!("{}\n", id18("44030419900307123")),
            id18("44030419900307123"),
        ),
    ] {
        let f = only(&text, Kind::CnResidentId);
        assert_eq!(slice(&text, &f), value, "{text}");
        assert_eq!(f.confidence, Confidence::High);
    }
    let f = only("身份证号：11010519491231002X", Kind::CnResidentId);
    assert_eq!(f.masked, "110105********002X");
    assert_eq!(f.location, "第1行");
    assert!(f.context.contains("110105********002X") && !f.context.contains("19491231"));
}

#[test]
fn legacy_fifteen_digit_ids() {
    let f = only("旧证 110105491231002 ", Kind::CnResidentId);
    assert_eq!(f.confidence, Confidence::Medium);
    assert_eq!(f.masked, "110105*****1002");
    let f = only("身份证：110105491231002", Kind::CnResidentId);
    assert_eq!(f.confidence, Confidence::High);
    let f = only("身份证 110105 491231 002", Kind::CnResidentId);
    assert_eq!(f.confidence, Confidence::High);
    // Not a date (month 13), and an exam number label.
    none("110105491331002");
    none("准考证号：110105491231002");
}

#[test]
fn resident_id_hard_negatives() {
    none("110105194912310021"); // wrong check digit (and not a Luhn card)
                                // 31 February 1949, with a correct check digit.
    no_id(&format!("号码{}", id18("11010519490231002")));
    none("110105********002X");
    none("3501**********1234");
    none(&format!("A{}", id18("11010519491231002")));
    none(&format!("1{}", id18("11010519491231002")));
    none(&format!("{}5", id18("11010519491231002")));
    // Province 99 does not exist. (Such a run may still pass Luhn and be shown as a low card.)
    no_id(&id18("99010519491231002"));
}

#[test]
fn mobile_variants() {
    for (text, value) in [
        ("手机13812345678", "13812345678"),
        ("请拨打+86 138 1234 5678咨询", "+86 138 1234 5678"),
        ("+8613812345678", "+8613812345678"),
        ("0086-13812345678", "0086-13812345678"),
        ("008613812345678", "008613812345678"),
        ("电话：138-1234-5678", "138-1234-5678"),
        ("联系人李四 19912345678", "19912345678"),
        ("１３８１２３４５６７８", "１３８１２３４５６７８"),
        ("Tel:17012345678;", "17012345678"),
        ("邮箱 13812345678@163.com", "13812345678"),
    ] {
        let f = only(text, Kind::CnMobile);
        assert_eq!(slice(text, &f), value, "{text}");
        assert_eq!(f.masked.chars().count(), 11, "{text}");
        assert_eq!(&f.masked[3..7], "****", "{text}");
    }
    assert_eq!(only("13812345678", Kind::CnMobile).masked, "138****5678");
    assert_eq!(
        only("13812345678", Kind::CnMobile).confidence,
        Confidence::Medium
    );
    assert_eq!(
        only("手机：13812345678", Kind::CnMobile).confidence,
        Confidence::High
    );
    let two = scan("13812345678/13912345678");
    assert_eq!(two.len(), 2);
}

#[test]
fn mobile_hard_negatives() {
    none("12345678901"); // no such prefix
    none("14012345678");
    none("15412345678");
    none("138****5678");
    none("联系电话：010-62751234");
    none("0571-87654321");
    none("(010)62751234");
    none("订单号：13812345678");
    none("学号13812345678");
    none("138123456789");
    none("3.13812345678");
    none("13812345678.5");
    none("SN13812345678");
    none("13812345678kg");
}

#[test]
fn bank_card_variants() {
    let c19 = card("622202123456789012");
    let grouped = format!(
        "{} {} {} {} {}",
        &c19[..4],
        &c19[4..8],
        &c19[8..12],
        &c19[12..16],
        &c19[16..]
    );
    let f = only(&format!("工资卡号：{grouped}。"), Kind::BankCard);
    assert_eq!(f.confidence, Confidence::High);
    assert_eq!(slice(&format!("工资卡号：{grouped}。"), &f), grouped);
    assert_eq!(f.masked, format!("6222{}{}", "*".repeat(11), &c19[15..]));
    // UnionPay prefix without context: medium; other prefix without context: low; with context: medium.
    assert_eq!(
        only(&format!("请转{c19}。"), Kind::BankCard).confidence,
        Confidence::Medium
    );
    let visa = card("453957876362148");
    assert_eq!(
        only(&format!("见{visa}"), Kind::BankCard).confidence,
        Confidence::Low
    );
    assert_eq!(
        only(&format!("卡号{visa}"), Kind::BankCard).confidence,
        Confidence::Medium
    );
    let c16 = card("622848001234567");
    let g16 = format!(
        "{}-{}-{}-{}",
        &c16[..4],
        &c16[4..8],
        &c16[8..12],
        &c16[12..]
    );
    assert_eq!(
        only(&format!("银行卡 {g16}"), Kind::BankCard).confidence,
        Confidence::High
    );
    assert_eq!(only(&full_width(&c16), Kind::BankCard).kind, Kind::BankCard);
}

#[test]
fn bank_card_hard_negatives() {
    let c = card("622202123456789012");
    let mut wrong = c.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '9' {
        '0'
    } else {
        (last as u8 + 1) as char
    });
    none(&format!("卡号{wrong}"));
    none(&format!("订单号{c}"));
    none(&format!("{c}1")); // 20 digits
    none("62220212345678901234567890123");
    none("6222 **** **** 1234");
    none("6222************1234");
    // 4-4-4-4 groups inside a longer grouped number.
    none(&format!(
        "1234 {} {} {} {}",
        &c[..4],
        &c[4..8],
        &c[8..12],
        &c[12..16]
    ));
}

#[test]
fn an_id_with_a_wrong_check_digit_does_not_block_as_a_card() {
    // Gansu (62) IDs with a wrong check digit that happen to pass Luhn.
    let mut seen = 0;
    for seq in 100..1000 {
        let id = id18(&format!("62010219900101{seq}"));
        let wrong = format!("{}{}", &id[..17], if id.ends_with('0') { '1' } else { '0' });
        let d: Vec<u8> = wrong.bytes().map(|b| b - b'0').collect();
        if luhn_ok(&d) {
            seen += 1;
            let f = only(&format!("卡号{wrong}"), Kind::BankCard);
            assert_eq!(f.confidence, Confidence::Low, "{wrong}");
        }
    }
    assert!(seen > 5);
    // The same with an impossible date (30 February).
    let mut seen = 0;
    for seq in 0..1000u32 {
        let s = format!("620102199002300{seq:03}");
        let d: Vec<u8> = s.bytes().map(|b| b - b'0').collect();
        if s.len() == 18 && luhn_ok(&d) {
            seen += 1;
            assert_eq!(only(&s, Kind::BankCard).confidence, Confidence::Low, "{s}");
        }
    }
    assert!(seen > 5);
}

#[test]
fn a_valid_resident_id_is_not_a_card() {
    // Gansu area codes start with 62; find one that also passes Luhn.
    let mut found = None;
    for seq in 100..1000 {
        let id = id18(&format!("62010219900101{seq}"));
        let d: Vec<u8> = id
            .bytes()
            .map(|b| if b == b'X' { 10 } else { b - b'0' })
            .collect();
        if !id.ends_with('X') && luhn_ok(&d) {
            assert!(resident_id18_ok(&d.clone().try_into().unwrap()));
            found = Some(id);
            break;
        }
    }
    let id = found.expect("some sequence passes both checks");
    let f = only(&format!("卡号{id}"), Kind::CnResidentId);
    assert_eq!(f.confidence, Confidence::High);
}

#[test]
fn passports() {
    let f = only("护照号码：E12345678", Kind::CnPassport);
    assert_eq!(f.confidence, Confidence::High);
    assert_eq!(f.masked, "E12****78");
    assert_eq!(
        only("Passport No. EA1234567", Kind::CnPassport).confidence,
        Confidence::High
    );
    assert_eq!(
        only("G12345678", Kind::CnPassport).confidence,
        Confidence::Low
    );
    none("型号E12345678");
    none("AE12345678");
    none("E123456789");
    none("EI1234567");
}

#[test]
fn secrecy_markings() {
    use Confidence::{High, Low, Medium};
    // At the top of a document (its heading zone) a standing marking is high.
    let heading = [
        ("机密★1年\n关于……的通知", "机密★1年", High),
        ("秘密★6个月", "秘密★6个月", High),
        ("绝密★长期", "绝密★长期", High),
        ("秘密 ★ 10年", "秘密 ★ 10年", High),
        ("机密★", "机密★", High),
        (
            "绝密★启用前\n2024年普通高等学校招生全国统一考试",
            "绝密★启用前",
            Low,
        ),
        ("密级：机密", "机密", High),
        ("机密\n关于开展检查的通知", "机密", High),
        ("【秘密】", "秘密", High),
        ("内部资料，注意保存", "内部资料，注意保存", High),
        (
            "内部资料 注意保存 不得外传\n",
            "内部资料 注意保存 不得外传",
            High,
        ),
        ("本书为内部资料", "内部资料", High),
        ("注意保存\n", "注意保存", High),
        ("严禁涉密人员私自出境", "涉密", Low),
        ("【涉密】", "涉密", High),
        ("涉密文件\n关于加强管理的通知", "涉密文件", High),
        ("内部文件\n通知", "内部文件", High),
        ("000123\n秘密★1年\n特急\n关于……的通知", "秘密★1年", High),
        ("内部资料 2024年第3期\n", "内部资料", High),
    ];
    let body = "关于做好学生资助工作的通知\n各学院：\n现将有关事项通知如下。\n一、工作要求\n各单位要认真组织。\n二、时间安排\n按学期进行。\n三、其他\n";
    let in_body = [
        ("本文件注意保存，不得外传。", "注意保存，不得外传", High),
        ("本材料为内部资料，请勿外传。", "内部资料，请勿外传", High),
        ("此件不得外传。", "不得外传", High),
        ("机密\n", "机密", Medium),
        ("【内部资料】\n", "内部资料", Medium),
        ("附件：工作人员名单（内部资料）\n", "内部资料", Medium),
        ("会议材料注意保存，不得外传。", "注意保存，不得外传", Medium),
        ("涉密文件\n", "涉密文件", Medium),
        ("会议内容不得外传。", "不得外传", Low),
        ("严禁将涉密文件带回家中。", "涉密文件", Low),
    ];
    let cases = heading
        .iter()
        .map(|&(t, v, c)| (t.to_string(), v, c))
        .chain(
            in_body
                .iter()
                .map(|&(t, v, c)| (format!("{body}{t}"), v, c)),
        );
    for (text, value, conf) in cases {
        let f = only(&text, Kind::SecrecyMarking);
        assert_eq!(slice(&text, &f), value, "{text}");
        assert_eq!(f.confidence, conf, "{text}");
        assert_eq!(f.category(), zeren_scan::Category::Marking);
        assert!(!f.category().waivable_by_lawful_basis());
        // A marking has no replacement; it is shown as it is.
        assert_eq!(f.masked, "", "{text}");
        assert_eq!(f.replacement(), None);
        assert_eq!(f.shown, value);
    }
    none("保守国家秘密是每个公民的义务");
    none("不得泄露商业机密和技术秘密");
    none("请注意保存好收据");
    none("请注意保存。");
    none("这项工作的机密性很强");
    none("本文件不涉密，可以公开。");
    none("非涉密文件");
    none("内部资料室开放时间为每周一至周五");
    none("各单位要执行内部文件管理规定");
    none(&format!("{body}本文所称内部资料，是指本单位编印的资料。"));
    // A regulation about classified documents is shown, never blocking.
    let s = scanner();
    let f = s.scan_text("涉密文件管理办法\n第一条 为加强管理，制定本办法。");
    assert!(f.iter().all(|f| !f.blocks()), "{f:?}");
}

/// Phrasings written apart from the corpus generator's templates: what must block and what must not.
#[test]
fn markings_in_other_words() {
    let body = "关于做好年度考核工作的通知\n各部门：\n根据上级要求，现将有关事项通知如下。\n一、考核范围\n全体在编人员。\n二、考核程序\n个人总结、民主测评、综合评定。\n";
    let blocks = [
        ("内部资料　注意保存\n正文", "内部资料　注意保存"),
        (
            "内部资料，仅供参考，不得外传\n",
            "内部资料，仅供参考，不得外传",
        ),
        ("（内部资料，请勿外传）\n会议纪要", "内部资料，请勿外传"),
        ("【密级】机密\n", "机密"),
        ("密级：秘密  保密期限：1年\n", "秘密"),
        ("内部刊物　注意保存\n", "注意保存"),
        ("涉密文件，严禁复制\n关于……", "涉密文件"),
        ("会议纪要（内部资料）\n", "内部资料"),
        ("机密★1年　特急\n", "机密★1年"),
        ("姓名\t密级\n张三\t秘密\n", "秘密"),
    ];
    let in_body = [
        (
            "本材料属内部资料，请妥善保管，不得外传。",
            "内部资料，请妥善保管，不得外传",
        ),
        ("注：此材料不得外传。", "不得外传"),
        ("本文件仅供内部使用，注意保存。", "注意保存"),
        ("请勿外传\n", "请勿外传"),
    ];
    let cases = blocks
        .iter()
        .map(|&(t, v)| (t.to_string(), v))
        .chain(in_body.iter().map(|&(t, v)| (format!("{body}{t}"), v)));
    for (text, value) in cases {
        let f: Vec<Finding> = scan(&text)
            .into_iter()
            .filter(|f| f.kind == Kind::SecrecyMarking)
            .collect();
        assert_eq!(f.len(), 1, "{text}: {f:?}");
        assert_eq!(slice(&text, &f[0]), value, "{text}");
        assert!(f[0].blocks(), "{text}: {f:?}");
    }
    for text in [
        "严格执行保密工作责任制，保守国家秘密。",
        "数据的机密性和完整性",
        "保护商业秘密和技术秘密",
        "内部资料费由各单位承担",
        "单位内部文件管理",
        "本次秘密会议的传说并不属实",
        "档案管理员负责内部资料的收集整理",
    ] {
        let f = scan(text);
        assert!(f.is_empty(), "{text}: {f:?}");
    }
    // Rules about classified material are shown, never blocking, even at the top of a document.
    for text in [
        "会议内容一律不得外传。",
        "严禁在非涉密计算机上处理涉密信息。",
        "不得外传的材料应当登记。",
        &format!("{body}严禁将涉密文件带出办公场所。"),
    ] {
        let f = scan(text);
        assert!(f.iter().all(|f| !f.blocks()), "{text}: {f:?}");
    }
}

#[test]
fn custom_terms() {
    let s = Scanner::new(ScanConfig {
        custom_terms: vec!["张三丰".into(), "ProjectX".into(), "  ".into()],
    });
    let text = "张三丰参与了projectx，ProjectXY不算";
    let f = s.scan_text(text);
    assert_eq!(f.len(), 2, "{f:?}");
    assert!(f.iter().all(|f| f.kind == Kind::CustomTerm));
    assert_eq!(slice(text, &f[0]), "张三丰");
    assert_eq!(f[0].masked, "张**");
    assert_eq!(slice(text, &f[1]), "projectx");
}

#[test]
fn many_custom_terms() {
    let terms: Vec<String> = (0..20_000).map(|i| format!("词条{i:05}号")).collect();
    let s = Scanner::new(ScanConfig {
        custom_terms: terms,
    });
    let f = s.scan_text("前文词条12345号后文词条99999号");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].start, 2);
}

#[test]
fn locations_and_offsets_over_lines() {
    let text = "第一行\n第二行 手机13812345678\n第三行 11010519491231002X";
    let f = scan(text);
    assert_eq!(f.len(), 2);
    assert_eq!(f[0].location, "第2行");
    assert_eq!(f[1].location, "第3行");
    assert_eq!(slice(text, &f[0]), "13812345678");
    assert_eq!(slice(text, &f[1]), "11010519491231002X");
}

#[test]
fn streaming_matches_whole_text() {
    let s = scanner();
    let mut text = String::new();
    for i in 0..400 {
        text.push_str(&format!(
            "第{i}条记录：张三，身份证号11010519491231002X，手机138 1234 {:04}，说明文字较长一些以跨过分块边界。机密★1年\n",
            1000 + i
        ));
        if i % 7 == 0 {
            text.push_str(&"9".repeat(300));
        }
    }
    let whole = s.scan_text(&text);
    assert!(whole.len() > 800);
    for chunk in [16, 100, 777, 4096] {
        let streamed = s.scan_reader_chunked(text.as_bytes(), chunk).unwrap();
        assert_eq!(streamed.findings, whole, "chunk {chunk}");
    }
}

#[test]
fn gb18030_text() {
    let text = "学生名单\n李四 身份证号 11010519491231002X 手机 13812345678\n";
    let (bytes, _, _) = encoding_rs::GB18030.encode(text);
    let s = scanner();
    let r = s.scan_reader_chunked(&bytes[..], 7).unwrap();
    assert_eq!(r.findings, s.scan_text(text));
    assert!(r.notes.iter().any(|n| n.contains("GB18030")));
    let r = s
        .scan_file("名单.txt", &bytes, &Default::default())
        .unwrap();
    assert_eq!(r.findings, s.scan_text(text));
}
