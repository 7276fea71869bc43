//! The dashboard's figures, drawn on the server as SVG: stacked bars, the heat map and the trend
//! line. No script, no fonts to fetch; each figure names itself for screen readers (`title`,
//! `desc`), each mark says what it counts in a tooltip, and each is a link to what it counts.
//! The page shows a table with the same numbers beside every figure.

use std::fmt::Write;

use zeren_core::oversight::{Heat, MonthPoint, Standing, Which};

use crate::shared::i18n::Tr;

pub use crate::shared::chart::esc;

/// A label cut to about `width` characters' room (a CJK character takes two).
fn clip(s: &str, width: usize) -> String {
    let mut used = 0;
    let mut out = String::new();
    for c in s.chars() {
        let w = if (c as u32) >= 0x2E80 { 2 } else { 1 };
        if used + w > width {
            out.push('…');
            return out;
        }
        used += w;
        out.push(c);
    }
    out
}

pub const ON_TIME: &str = "#1a7f37";
pub const LATE: &str = "#8250df";
pub const OVERDUE: &str = "#b42318";

pub fn heat_fill(h: Heat) -> &'static str {
    match h {
        Heat::Red => "#f4c7c3",
        Heat::Amber => "#f7e2a8",
        Heat::Green => "#c9ecd2",
        Heat::None => "#eef0f2",
    }
}

pub fn which_label(t: Tr, w: Which) -> &'static str {
    t.s(match w {
        Which::Due => "dash.which_due",
        Which::OnTime => "dash.which_done_on_time",
        Which::Late => "dash.which_done_late",
        Which::Overdue => "dash.which_overdue",
        Which::Upcoming => "dash.which_upcoming",
        Which::DoneAhead => "dash.which_done_ahead",
    })
}

/// "应完成 12，按时完成 9，逾期完成 1，逾期未完成 2，未到期 5" — a standing in words.
pub fn describe(t: Tr, s: &Standing) -> String {
    [
        Which::Due,
        Which::OnTime,
        Which::Late,
        Which::Overdue,
        Which::Upcoming,
    ]
    .iter()
    .map(|w| format!("{} {}", which_label(t, *w), s.count(*w)))
    .collect::<Vec<_>>()
    .join(if t.code() == "en" { ", " } else { "，" })
}

/// The open tag of a figure, with its accessible name and description.
fn open(id: &str, width: u32, height: u32, title: &str, desc: &str) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="figure" id="{id}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="{id}-title {id}-desc" font-size="13"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(desc)
    )
}

/// One bar: a labelled row (linked), its standing, and where each kind's segment leads.
pub struct Bar {
    pub label: String,
    pub href: String,
    pub standing: Standing,
    /// The link for one kind of obligation in this row.
    pub segment_href: Box<dyn Fn(Which) -> String>,
}

/// Horizontal bars, one per row, each split into what was done on time, done late and is
/// overdue as shares of what was due; the completion rate at the end.
pub fn bars(t: Tr, id: &str, title: &str, desc: &str, rows: &[Bar]) -> String {
    const LABEL: u32 = 210;
    const BAR: u32 = 440;
    const ROW: u32 = 24;
    let width = LABEL + BAR + 110;
    let height = 28 + ROW * rows.len() as u32;
    let mut s = open(id, width, height, title, desc);
    // The legend.
    let mut x = LABEL;
    for (w, colour) in [
        (Which::OnTime, ON_TIME),
        (Which::Late, LATE),
        (Which::Overdue, OVERDUE),
    ] {
        let label = which_label(t, w);
        let _ = write!(
            s,
            r#"<rect x="{x}" y="4" width="12" height="12" fill="{colour}"/><text x="{}" y="15">{}</text>"#,
            x + 16,
            esc(label)
        );
        x += legend_step(label);
    }
    for (i, r) in rows.iter().enumerate() {
        let y = 28 + ROW * i as u32;
        let _ = write!(
            s,
            r#"<a href="{}"><text class="lbl" x="0" y="{}"><title>{}</title>{}</text></a>"#,
            esc(&r.href),
            y + 15,
            esc(&r.label),
            esc(&clip(&r.label, 28))
        );
        let st = &r.standing;
        if st.due == 0 {
            let _ = write!(
                s,
                r##"<rect x="{LABEL}" y="{}" width="{BAR}" height="16" fill="#eef0f2"/><text x="{}" y="{}" fill="#656d76">{}</text>"##,
                y + 2,
                LABEL + 6,
                y + 15,
                esc(t.s("dash.heat_none"))
            );
            continue;
        }
        let mut x = LABEL as f64;
        for (w, colour) in [
            (Which::OnTime, ON_TIME),
            (Which::Late, LATE),
            (Which::Overdue, OVERDUE),
        ] {
            let n = st.count(w);
            if n == 0 {
                continue;
            }
            let len = BAR as f64 * n as f64 / st.due as f64;
            let _ = write!(
                s,
                r#"<a href="{}"><rect x="{x:.1}" y="{}" width="{len:.1}" height="16" fill="{colour}"><title>{} · {} {n}</title></rect></a>"#,
                esc(&(r.segment_href)(w)),
                y + 2,
                esc(&r.label),
                esc(which_label(t, w)),
            );
            x += len;
        }
        let _ = write!(
            s,
            r#"<a href="{}"><text class="lbl" x="{}" y="{}" font-weight="600">{}%<title>{}</title></text></a>"#,
            esc(&(r.segment_href)(Which::Due)),
            LABEL + BAR + 8,
            y + 15,
            st.completion().unwrap_or(0),
            esc(&describe(t, st))
        );
    }
    s.push_str("</svg>");
    s
}

/// A row of the heat map: a unit's label and link, and per column its standing (none: the unit
/// has no such obligation) and where the cell leads.
pub struct HeatLine {
    pub label: String,
    pub href: String,
    pub cells: Vec<Option<(Standing, String)>>,
}

/// The unit × duty heat map: a cell per unit and duty coloured by its heat, with its completion
/// rate written in it.
pub fn heat_map(
    t: Tr,
    id: &str,
    title: &str,
    desc: &str,
    columns: &[String],
    rows: &[HeatLine],
) -> String {
    const LABEL: u32 = 190;
    const CELL_W: u32 = 46;
    const CELL_H: u32 = 26;
    // Room for the rotated headers: about 0.77 of the longest one's length (sin 50°).
    let longest = columns
        .iter()
        .map(|c| text_px(&clip(c, 22)))
        .max()
        .unwrap_or(0);
    let head: u32 = (24 + longest * 77 / 100).min(130);
    const LEGEND: [(Heat, &str); 4] = [
        (Heat::Red, "dash.heat_red"),
        (Heat::Amber, "dash.heat_amber"),
        (Heat::Green, "dash.heat_green"),
        (Heat::None, "dash.heat_none"),
    ];
    let legend_width: u32 = LEGEND.iter().map(|(_, key)| legend_step(t.s(key))).sum();
    // The rotated headers lean right: room for the last one's text.
    let width = (LABEL + CELL_W * columns.len() as u32 + 100).max(legend_width);
    let height = head + CELL_H * rows.len() as u32 + 30;
    let mut s = open(id, width, height, title, desc);
    for (j, c) in columns.iter().enumerate() {
        let x = LABEL + CELL_W * j as u32 + CELL_W / 2;
        let _ = write!(
            s,
            r#"<text transform="translate({x},{}) rotate(-50)" font-size="12"><title>{}</title>{}</text>"#,
            head - 6,
            esc(c),
            esc(&clip(c, 22))
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let y = head + CELL_H * i as u32;
        let _ = write!(
            s,
            r#"<a href="{}"><text class="lbl" x="0" y="{}"><title>{}</title>{}</text></a>"#,
            esc(&r.href),
            y + 17,
            esc(&r.label),
            esc(&clip(&r.label, 26))
        );
        for (j, cell) in r.cells.iter().enumerate() {
            let x = LABEL + CELL_W * j as u32;
            match cell {
                None => {
                    let _ = write!(
                        s,
                        r##"<rect x="{x}" y="{y}" width="{}" height="{}" fill="#fff" stroke="#eef0f2"/>"##,
                        CELL_W - 2,
                        CELL_H - 2
                    );
                }
                Some((st, href)) => {
                    let text = match st.completion() {
                        Some(p) => format!("{p}%"),
                        None => "—".into(),
                    };
                    let _ = write!(
                        s,
                        r##"<a href="{}"><rect x="{x}" y="{y}" width="{}" height="{}" fill="{}"/><text x="{}" y="{}" text-anchor="middle" font-size="12" fill="#1f2328">{text}</text><title>{} · {}：{}</title></a>"##,
                        esc(href),
                        CELL_W - 2,
                        CELL_H - 2,
                        heat_fill(st.heat()),
                        x + CELL_W / 2 - 1,
                        y + 17,
                        esc(&r.label),
                        esc(&columns[j]),
                        esc(&describe(t, st))
                    );
                }
            }
        }
    }
    // The legend.
    let y = head + CELL_H * rows.len() as u32 + 8;
    let mut x = 0;
    for (h, key) in LEGEND {
        let label = t.s(key);
        let _ = write!(
            s,
            r#"<rect x="{x}" y="{y}" width="14" height="14" fill="{}"/><text x="{}" y="{}" font-size="12">{}</text>"#,
            heat_fill(h),
            x + 18,
            y + 12,
            esc(label)
        );
        x += legend_step(label);
    }
    s.push_str("</svg>");
    s
}

/// About how many pixels a label of 12 px takes (a CJK character is about twice as wide as a
/// Latin letter).
fn text_px(s: &str) -> u32 {
    s.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 13 } else { 7 })
        .sum()
}

/// The room a legend entry takes: its swatch and its label (a CJK character is about twice as
/// wide as a Latin letter at 12 px).
fn legend_step(label: &str) -> u32 {
    30 + text_px(label)
}

/// The trend: for each month, of what fell due in it, the share done (solid) and done on time
/// (dashed); each point leads to the month's obligations. Months with nothing due have no point.
pub fn trend(
    t: Tr,
    id: &str,
    title: &str,
    months: &[MonthPoint],
    href: &dyn Fn(u32) -> String,
) -> String {
    const LEFT: u32 = 44;
    const STEP: u32 = 56;
    const TOP: u32 = 30;
    const H: u32 = 160;
    let width = LEFT + STEP * 12 + 20;
    let height = TOP + H + 40;
    let mut s = open(id, width, height, title, t.s("dash.months_desc"));
    for pct in [0, 50, 100] {
        let y = TOP + H - H * pct / 100;
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" y1="{y}" x2="{}" y2="{y}" stroke="#d0d7de"/><text x="{}" y="{}" text-anchor="end" font-size="11" fill="#656d76">{pct}%</text>"##,
            LEFT + STEP * 12,
            LEFT - 6,
            y + 4
        );
    }
    for m in 1..=12u32 {
        let x = LEFT + STEP * (m - 1) + STEP / 2;
        let _ = write!(
            s,
            r##"<text x="{x}" y="{}" text-anchor="middle" font-size="11" fill="#656d76">{}</text>"##,
            TOP + H + 18,
            esc(&t.f("dash.month_tick", &[("m", &m.to_string())]))
        );
    }
    let point = |m: &MonthPoint, rate: Option<u32>| {
        rate.map(|r| {
            (
                (LEFT + STEP * (m.month - 1) + STEP / 2) as f64,
                (TOP + H) as f64 - H as f64 * r as f64 / 100.0,
            )
        })
    };
    // The on-time points are drawn smaller, over the completion points: where the two rates
    // are equal both stay visible.
    for (rate_of, colour, dash, key, radius) in [
        (
            (|s: &Standing| s.completion()) as fn(&Standing) -> Option<u32>,
            ON_TIME,
            "",
            "dash.completion",
            6,
        ),
        (
            (|s: &Standing| s.on_time_rate()) as fn(&Standing) -> Option<u32>,
            LATE,
            r#" stroke-dasharray="5 4""#,
            "dash.on_time_rate",
            3,
        ),
    ] {
        // A line through consecutive months that had something due.
        let mut path = String::new();
        let mut pen_down = false;
        for m in months {
            match point(m, rate_of(&m.standing)) {
                Some((x, y)) => {
                    let _ = write!(path, "{}{x:.1},{y:.1} ", if pen_down { "L" } else { "M" });
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if !path.is_empty() {
            let _ = write!(
                s,
                r#"<path d="{}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>"#,
                path.trim_end()
            );
        }
        for m in months {
            if let Some((x, y)) = point(m, rate_of(&m.standing)) {
                let _ = write!(
                    s,
                    r#"<a href="{}"><circle cx="{x:.1}" cy="{y:.1}" r="{radius}" fill="{colour}"><title>{} · {} {}%：{}</title></circle></a>"#,
                    esc(&href(m.month)),
                    esc(&t.f("dash.month_tick", &[("m", &m.month.to_string())])),
                    esc(t.s(key)),
                    rate_of(&m.standing).unwrap_or(0),
                    esc(&describe(t, &m.standing))
                );
            }
        }
    }
    // The legend.
    let _ = write!(
        s,
        r#"<line x1="{LEFT}" y1="12" x2="{}" y2="12" stroke="{ON_TIME}" stroke-width="2"/><text x="{}" y="16">{}</text><line x1="{}" y1="12" x2="{}" y2="12" stroke="{LATE}" stroke-width="2" stroke-dasharray="5 4"/><text x="{}" y="16">{}</text>"#,
        LEFT + 24,
        LEFT + 30,
        esc(t.s("dash.completion")),
        LEFT + 130,
        LEFT + 154,
        LEFT + 160,
        esc(t.s("dash.on_time_rate")),
    );
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::i18n::Lang;
    use zeren_core::oversight::Counts;

    fn install() {
        crate::shared::i18n::install(crate::CATALOGUES);
    }

    #[test]
    fn figures_are_well_formed_and_escape_names() {
        install();
        let t = Tr(Lang::Zh);
        let st = Standing::of(Counts::new(10, 5, 2), Counts::new(8, 4, 1));
        let bar = Bar {
            label: "第一<中学>&".into(),
            href: "/units/2/dashboard".into(),
            standing: st,
            segment_href: Box::new(|w| format!("/x?which={}&a=1", w.word())),
        };
        let svg = bars(t, "b", "标题", "说明", &[bar]);
        assert!(svg.contains("第一&lt;中学&gt;&amp;"));
        assert!(svg.contains("which=overdue&amp;a=1"));
        assert!(!svg.contains("<中学>"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        let heat = heat_map(
            t,
            "h",
            "热力图",
            "说明",
            &["学习".into(), "报告".into()],
            &[HeatLine {
                label: "一中".into(),
                href: "/u".into(),
                cells: vec![Some((st, "/c".into())), None],
            }],
        );
        // 4 + 1 of 8 due were done.
        assert!(heat.contains(">62%<"), "{heat}");
        assert!(heat.contains(heat_fill(Heat::Red)));
        let months = zeren_core::oversight::by_month(
            2026,
            vec![(
                chrono::NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
                Counts::new(4, 2, 1),
            )],
            chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        );
        let line = trend(t, "t", "趋势", &months, &|m| format!("/m/{m}"));
        assert!(line.contains("/m/1") && !line.contains("/m/2"), "{line}");
        assert!(line.contains("75%"));
    }
}
