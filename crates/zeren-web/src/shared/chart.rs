//! A column chart drawn on the server as SVG, for any feature's counts by month or by group: no
//! script and no fonts to fetch; the figure names itself for screen readers (`title`, `desc`),
//! each column says what it counts in a tooltip and links to what it counts. Pages show a table
//! with the same numbers beside it.

use std::fmt::Write;

/// Text made safe inside SVG (and HTML).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One column: its label under the axis, its value, the tooltip and where it leads (none: not a
/// link).
pub struct Column {
    pub label: String,
    pub value: f64,
    pub tip: String,
    pub href: Option<String>,
}

/// Columns side by side from a zero baseline, the largest reaching the top, each value written
/// above its column (`shown` formats it).
pub fn columns(
    id: &str,
    title: &str,
    desc: &str,
    cols: &[Column],
    shown: impl Fn(f64) -> String,
) -> String {
    const LEFT: u32 = 8;
    const COL: u32 = 52;
    const TOP: u32 = 22;
    const PLOT: u32 = 150;
    const COLOUR: &str = "#1f6feb";
    let width = LEFT * 2 + COL * cols.len().max(1) as u32;
    let height = TOP + PLOT + 26;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="figure" id="{id}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="{id}-title {id}-desc" font-size="13"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(desc)
    );
    let max = cols.iter().map(|c| c.value).fold(0.0_f64, f64::max);
    let base = TOP + PLOT;
    let _ = write!(
        s,
        r##"<line x1="{LEFT}" y1="{base}" x2="{}" y2="{base}" stroke="#8c959f"/>"##,
        width - LEFT
    );
    for (i, c) in cols.iter().enumerate() {
        let x = LEFT + COL * i as u32;
        let h = if max > 0.0 {
            (f64::from(PLOT) * c.value.max(0.0) / max).round() as u32
        } else {
            0
        };
        let mut mark = format!(
            r#"<rect x="{}" y="{}" width="{}" height="{h}" fill="{COLOUR}"><title>{}</title></rect>"#,
            x + 8,
            base - h,
            COL - 16,
            esc(&c.tip)
        );
        if c.value > 0.0 {
            let _ = write!(
                mark,
                r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
                x + COL / 2,
                base - h - 4,
                esc(&shown(c.value))
            );
        }
        match &c.href {
            Some(href) => {
                let _ = write!(s, r#"<a href="{}">{mark}</a>"#, esc(href));
            }
            None => s.push_str(&mark),
        }
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle" class="lbl">{}</text>"#,
            x + COL / 2,
            base + 18,
            esc(&c.label)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_column_reaches_the_top_and_every_column_says_what_it_counts() {
        let cols = vec![
            Column {
                label: "1月".into(),
                value: 2.0,
                tip: "1月 2 起".into(),
                href: Some("?month=1&a=<b>".into()),
            },
            Column {
                label: "2月".into(),
                value: 0.0,
                tip: "2月 0 起".into(),
                href: None,
            },
            Column {
                label: "3月".into(),
                value: 4.0,
                tip: "3月 4 起".into(),
                href: None,
            },
        ];
        let svg = columns("c", "每月事件数", "说明", &cols, |v| format!("{v}"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(
            svg.contains(r#"height="150""#),
            "the largest is full height"
        );
        assert!(svg.contains(r#"height="75""#), "half of it is half as tall");
        assert!(svg.contains("<title>2月 0 起</title>"));
        assert!(
            svg.contains("?month=1&amp;a=&lt;b&gt;"),
            "links are escaped"
        );
        assert_eq!(svg.matches("<a ").count(), 1);
        let empty = columns("e", "无", "无", &[], |v| format!("{v}"));
        assert!(empty.ends_with("</svg>"));
    }
}
