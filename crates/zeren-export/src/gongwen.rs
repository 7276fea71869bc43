//! A document in the layout of 党政机关公文 (GB/T 9704-2012), for what an organisation issues as
//! a formal document — an accountability decision (问责决定书), a filing form (报备): the 版头
//! (the issuing body's mark in red, the document number, the red separator line), the title, the
//! addressee (主送), the body with its headings (一、 in 黑体, （一） in 楷体), the signature and the
//! date (成文日期, right, four characters in), the 版记 (抄送, 印发) and page numbers (— 1 —, odd
//! pages right and even pages left, one character in). A4, 天头 37 mm, 订口 28 mm, 3号仿宋 on a
//! grid of 22 lines of 28 characters.

use chrono::NaiveDate;

use crate::docx::{package_with, run, Part};
use crate::{date_zh, ExportError};

/// Half-points: 2号 = 22pt (title), 3号 = 16pt (body), 4号 = 14pt (版记, page numbers).
const SIZE_MARK: u32 = 52;
const SIZE_TITLE: u32 = 44;
const SIZE_BODY: u32 = 32;
const SIZE_NOTE: u32 = 28;
/// 22 lines on the 225 mm text block: a fixed line pitch of 28.95 pt (579 twips).
const LINE: u32 = 579;
/// One character of 3号 text, in twips (16 pt).
const CHAR: u32 = 320;
const RED: &str = "FF0000";

/// A formal document to lay out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Gongwen {
    /// 发文机关标志, e.g. 中共河东区教育体育局党组.
    pub issuer_mark: String,
    /// 发文字号, e.g. 河教党〔2026〕12号 (empty: none).
    pub number: String,
    pub title: String,
    /// 主送机关 or the person addressed, without the colon.
    pub addressee: String,
    /// 正文: one paragraph each. A paragraph that starts with 一、 … 十、 is a first-level heading
    /// (黑体), with （一） a second-level one (楷体).
    pub paragraphs: Vec<String>,
    /// 发文机关署名.
    pub signature: String,
    /// 成文日期.
    pub date: Option<NaiveDate>,
    /// 抄送 (empty: none).
    pub copies_to: String,
    /// 印发机关 and 印发日期 (empty: no 印发 line).
    pub printed_by: String,
    pub printed_on: Option<NaiveDate>,
}

fn line_para(inner: &str, ppr: &str) -> String {
    format!(
        "<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"{LINE}\" w:lineRule=\"exact\"/>{ppr}</w:pPr>{inner}</w:p>"
    )
}

fn empty_line() -> String {
    line_para("", "")
}

fn red_run(text: &str, font: &str, size: u32) -> String {
    run(text, font, size, false).replacen(
        "<w:rPr>",
        &format!("<w:rPr><w:color w:val=\"{RED}\"/>"),
        1,
    )
}

/// Whether the paragraph is a heading, and of which level.
fn heading_level(p: &str) -> Option<u8> {
    const NUMERALS: &str = "一二三四五六七八九十";
    let mut chars = p.chars();
    let first = chars.next()?;
    if first == '（' {
        let inner: String = chars.by_ref().take_while(|c| *c != '）').collect();
        return (!inner.is_empty() && inner.chars().all(|c| NUMERALS.contains(c))).then_some(2);
    }
    let numeral: String = std::iter::once(first)
        .chain(chars.take_while(|c| *c != '、'))
        .collect();
    (numeral.chars().all(|c| NUMERALS.contains(c))
        && p[numeral.len()..].starts_with('、')
        && numeral.chars().count() <= 3)
        .then_some(1)
}

fn footer(align: &str, indent: &str) -> String {
    let field = |instr: &str| {
        format!(
            "<w:r><w:rPr><w:rFonts w:ascii=\"宋体\" w:hAnsi=\"宋体\" w:eastAsia=\"宋体\"/><w:sz w:val=\"{SIZE_NOTE}\"/></w:rPr><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:rPr><w:rFonts w:ascii=\"宋体\" w:hAnsi=\"宋体\" w:eastAsia=\"宋体\"/><w:sz w:val=\"{SIZE_NOTE}\"/></w:rPr><w:instrText xml:space=\"preserve\"> {instr} </w:instrText></w:r><w:r><w:rPr><w:sz w:val=\"{SIZE_NOTE}\"/></w:rPr><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:rPr><w:rFonts w:ascii=\"宋体\" w:hAnsi=\"宋体\" w:eastAsia=\"宋体\"/><w:sz w:val=\"{SIZE_NOTE}\"/></w:rPr><w:t>1</w:t></w:r><w:r><w:rPr><w:sz w:val=\"{SIZE_NOTE}\"/></w:rPr><w:fldChar w:fldCharType=\"end\"/></w:r>"
        )
    };
    let dash = run("— ", "宋体", SIZE_NOTE, false);
    let dash_after = run(" —", "宋体", SIZE_NOTE, false);
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:jc w:val="{align}"/>{indent}</w:pPr>{dash}{}{dash_after}</w:p></w:ftr>"#,
        field("PAGE")
    )
}

const SETTINGS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:evenAndOddHeaders/></w:settings>"#;

/// The document as a .docx.
pub fn gongwen_docx(g: &Gongwen) -> Result<Vec<u8>, ExportError> {
    let mut body = String::new();
    // 版头: the issuing body's mark, red, centred; the number; the red line under it.
    if !g.issuer_mark.is_empty() {
        body.push_str(&line_para(
            &red_run(&g.issuer_mark, "方正小标宋简体", SIZE_MARK),
            "<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"900\" w:lineRule=\"exact\"/><w:jc w:val=\"center\"/>",
        ));
        body.push_str(&empty_line());
        body.push_str(&empty_line());
        let border = format!(
            "<w:pBdr><w:bottom w:val=\"single\" w:sz=\"12\" w:space=\"6\" w:color=\"{RED}\"/></w:pBdr><w:jc w:val=\"center\"/>"
        );
        body.push_str(&line_para(
            &run(&g.number, "仿宋", SIZE_BODY, false),
            &border,
        ));
        body.push_str(&empty_line());
    }
    // The title, two lines down, 2号小标宋.
    body.push_str(&empty_line());
    body.push_str(&format!(
        "<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"700\" w:lineRule=\"exact\"/><w:jc w:val=\"center\"/></w:pPr>{}</w:p>",
        run(&g.title, "方正小标宋简体", SIZE_TITLE, false)
    ));
    body.push_str(&empty_line());
    if !g.addressee.is_empty() {
        body.push_str(&line_para(
            &run(&format!("{}：", g.addressee), "仿宋", SIZE_BODY, false),
            "<w:jc w:val=\"both\"/>",
        ));
    }
    let indent = format!(
        "<w:ind w:firstLineChars=\"200\" w:firstLine=\"{}\"/>",
        2 * CHAR
    );
    for p in &g.paragraphs {
        let font = match heading_level(p) {
            Some(1) => "黑体",
            Some(_) => "楷体",
            None => "仿宋",
        };
        body.push_str(&line_para(
            &run(p, font, SIZE_BODY, false),
            &format!("{indent}<w:jc w:val=\"both\"/>"),
        ));
    }
    // 落款: the signature over the date, the date four characters in from the right.
    body.push_str(&empty_line());
    body.push_str(&empty_line());
    let right = format!("<w:ind w:right=\"{}\"/><w:jc w:val=\"right\"/>", 4 * CHAR);
    if !g.signature.is_empty() {
        body.push_str(&line_para(
            &run(&g.signature, "仿宋", SIZE_BODY, false),
            &right,
        ));
    }
    if let Some(d) = g.date {
        body.push_str(&line_para(
            &run(&date_zh(d), "仿宋", SIZE_BODY, false),
            &right,
        ));
    }
    // 版记: 抄送 and 印发 between lines, 4号仿宋, at the end of the document.
    if !g.copies_to.is_empty() || !g.printed_by.is_empty() {
        body.push_str(&empty_line());
        let top = "<w:pBdr><w:top w:val=\"single\" w:sz=\"8\" w:space=\"1\" w:color=\"000000\"/></w:pBdr>";
        let bottom = "<w:pBdr><w:bottom w:val=\"single\" w:sz=\"8\" w:space=\"1\" w:color=\"000000\"/></w:pBdr>";
        let note = |text: &str, ppr: &str| {
            format!(
                "<w:p><w:pPr>{ppr}<w:spacing w:before=\"0\" w:after=\"0\"/><w:ind w:left=\"{CHAR}\" w:right=\"{CHAR}\"/></w:pPr>{}</w:p>",
                run(text, "仿宋", SIZE_NOTE, false)
            )
        };
        if !g.copies_to.is_empty() {
            body.push_str(&note(&format!("抄送：{}。", g.copies_to), top));
        }
        if !g.printed_by.is_empty() {
            let printed = format!(
                "{}\t{}印发",
                g.printed_by,
                g.printed_on.map(date_zh).unwrap_or_default()
            );
            let border = if g.copies_to.is_empty() {
                format!("{top}{bottom}")
            } else {
                bottom.to_string()
            };
            // The date at the right edge: a right tab stop at the text block's width.
            body.push_str(&note(
                &printed,
                &format!("{border}<w:tabs><w:tab w:val=\"right\" w:pos=\"8524\"/></w:tabs>"),
            ));
        }
    }
    body.push_str(
        "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooterOdd\"/><w:footerReference w:type=\"even\" r:id=\"rIdFooterEven\"/><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\" w:header=\"851\" w:footer=\"1134\" w:gutter=\"0\"/><w:docGrid w:type=\"lines\" w:linePitch=\"579\"/></w:sectPr>",
    );
    let text = body.replace("\t", "</w:t><w:tab/><w:t xml:space=\"preserve\">");
    package_with(
        &g.title,
        &text,
        &[],
        &[
            Part {
                name: "footer1.xml",
                content_type:
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml",
                rel_id: "rIdFooterOdd",
                rel_type: "footer",
                xml: footer("right", &format!("<w:ind w:right=\"{CHAR}\"/>")),
            },
            Part {
                name: "footer2.xml",
                content_type:
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml",
                rel_id: "rIdFooterEven",
                rel_type: "footer",
                xml: footer("left", &format!("<w:ind w:left=\"{CHAR}\"/>")),
            },
            Part {
                name: "settings.xml",
                content_type:
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml",
                rel_id: "rIdSettings",
                rel_type: "settings",
                xml: SETTINGS.to_string(),
            },
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_told_by_their_numbers() {
        assert_eq!(heading_level("一、基本情况"), Some(1));
        assert_eq!(heading_level("十二、其他"), Some(1));
        assert_eq!(heading_level("（三）处理意见"), Some(2));
        assert_eq!(heading_level("一般情况下"), None);
        assert_eq!(heading_level("（附件）"), None);
        assert_eq!(heading_level("经调查，"), None);
        assert_eq!(heading_level(""), None);
    }
}
