//! The demo's evidence files: meeting minutes (会议纪要) and written reports as Word documents in
//! the GB/T 9704 manner, and photos of the meeting room drawn here — a wall, the red banner
//! (横幅) with its lettering, a screen, the table and the people around it — so exports and the
//! meeting records show what a real year's ledger holds, at sizes real files have.

use chrono::NaiveDate;

/// One meeting as the minutes tell it.
pub struct Meeting<'a> {
    pub unit: &'a str,
    pub title: &'a str,
    pub period: &'a str,
    pub date: NaiveDate,
    pub place: &'a str,
    pub chair: &'a str,
    pub recorder: &'a str,
    pub participants: &'a [String],
    /// The matters discussed, one per line (一、… 二、…).
    pub items: &'a str,
}

/// 会议纪要 of a meeting as DOCX.
pub fn minutes_docx(m: &Meeting) -> Vec<u8> {
    let date = zeren_export::date_zh(m.date);
    let mut paragraphs = vec![
        format!("时间：{date}"),
        format!("地点：{}", m.place),
        format!("主持人：{}", m.chair),
        format!(
            "参加人员：{}（共{}人）",
            m.participants.join("、"),
            m.participants.len()
        ),
        format!("记录人：{}", m.recorder),
        format!(
            "{date}，{}在{}召开{}（{}），现将会议主要内容纪要如下：",
            m.unit, m.place, m.title, m.period
        ),
    ];
    paragraphs.extend(m.items.lines().map(str::to_string));
    paragraphs.push(
        "会议要求，各部门、各教研组要把意识形态工作与业务工作同部署、同落实、同检查，主要负责人切实履行第一责任人职责，分管领导落实“一岗双责”；办公室做好会议记录和佐证材料归档，按时报送上级。"
            .into(),
    );
    zeren_export::docx::text_docx(
        &format!("{}会议纪要", m.unit),
        m.title,
        &paragraphs,
        &[format!("{}办公室", m.unit), date],
    )
    .expect("a document in memory")
}

/// A written report (书面汇报) to the parent unit as DOCX.
pub fn report_docx(unit: &str, parent: &str, period: &str, date: NaiveDate) -> Vec<u8> {
    let paragraphs = vec![
        format!("{parent}："),
        format!(
            "按照意识形态工作责任制有关要求，现将我校{period}意识形态工作情况报告如下。"
        ),
        "一、落实主体责任情况。学校党支部把意识形态工作纳入重要议事日程，每季度专题研究一次，书记履行第一责任人职责，班子成员落实“一岗双责”，形成了一级抓一级、层层抓落实的工作格局。".into(),
        "二、理论学习和阵地管理情况。坚持以党支部集中学习、教职工政治学习为载体，组织专题学习；对校园网站、微信公众号、宣传栏、广播等阵地落实先审后发制度，本期未发生违规发布信息的情况。".into(),
        "三、分析研判和舆情处置情况。定期分析研判师生思想动态，重要节点前开展专题研判；本期未发现倾向性、苗头性问题，未发生涉校负面舆情。".into(),
        "四、存在的问题和下一步打算。个别教师对意识形态工作重要性认识不足，学习的系统性有待加强。下一步，我们将继续压实责任，加强教师队伍思想政治建设。".into(),
        "特此报告。".into(),
    ];
    zeren_export::docx::text_docx(
        &format!("{unit}关于{period}意识形态工作情况的报告"),
        "",
        &paragraphs,
        &[format!("中共{unit}支部委员会"), zeren_export::date_zh(date)],
    )
    .expect("a document in memory")
}

/// A paper one person writes for a duty (a study essay, a lecture's text) as DOCX.
pub fn essay_docx(title: &str, author: &str, unit: &str, date: NaiveDate, topic: &str) -> Vec<u8> {
    let paragraphs = vec![
        format!("近期，我认真学习了{topic}，结合分管工作和学校实际，有以下几点体会。"),
        "一是提高政治站位。意识形态工作是党的一项极端重要的工作，学校是意识形态工作的前沿阵地，必须把牢正确政治方向，落实立德树人根本任务。".into(),
        "二是压实工作责任。作为班子成员，要落实“一岗双责”，在抓好分管业务工作的同时，抓好分管领域的意识形态工作，做到守土有责、守土负责、守土尽责。".into(),
        "三是加强阵地管理。对课堂、讲座、校园网站、新媒体账号等阵地，坚持先审后发、一事一审，及时发现和纠正苗头性问题。".into(),
        "下一步，我将继续加强理论学习，把学习成果转化为推动工作的实际举措。".into(),
    ];
    zeren_export::docx::text_docx(
        title,
        &format!("{unit}　{author}"),
        &paragraphs,
        &[zeren_export::date_zh(date)],
    )
    .expect("a document in memory")
}

/// SplitMix64 step, for the drawing's own variety.
fn mix(seed: &mut u64) -> u64 {
    *seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *seed;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct Canvas {
    w: i32,
    h: i32,
    px: Vec<[u8; 3]>,
}

impl Canvas {
    fn set(&mut self, x: i32, y: i32, c: [u8; 3]) {
        if x >= 0 && y >= 0 && x < self.w && y < self.h {
            self.px[(y * self.w + x) as usize] = c;
        }
    }

    fn rect(&mut self, x0: i32, y0: i32, x1: i32, y1: i32, c: [u8; 3]) {
        for y in y0.max(0)..y1.min(self.h) {
            for x in x0.max(0)..x1.min(self.w) {
                self.px[(y * self.w + x) as usize] = c;
            }
        }
    }

    fn ellipse(&mut self, cx: i32, cy: i32, rx: i32, ry: i32, c: [u8; 3]) {
        for y in cy - ry..=cy + ry {
            for x in cx - rx..=cx + rx {
                let (dx, dy) = ((x - cx) as f32 / rx as f32, (y - cy) as f32 / ry as f32);
                if dx * dx + dy * dy <= 1.0 {
                    self.set(x, y, c);
                }
            }
        }
    }

    /// A seated person seen from across the table: shoulders in a jacket, a head with hair.
    fn person(&mut self, cx: i32, top: i32, scale: f32, jacket: [u8; 3], skin: [u8; 3]) {
        let s = |v: f32| (v * scale) as i32;
        self.ellipse(cx, top + s(58.0), s(24.0), s(22.0), jacket);
        self.rect(
            cx - s(24.0),
            top + s(58.0),
            cx + s(24.0),
            top + s(90.0),
            jacket,
        );
        self.rect(cx - s(5.0), top + s(36.0), cx + s(5.0), top + s(46.0), skin);
        self.ellipse(cx, top + s(24.0), s(12.0), s(15.0), skin);
        self.ellipse(cx, top + s(14.0), s(13.0), s(8.0), [28, 24, 22]);
    }
}

/// A photo of a meeting (会场照片) as PNG, `variant` choosing the room, the banner and the
/// people; about 640×480, as a phone photo scaled for a ledger.
pub fn meeting_photo(variant: u64) -> Vec<u8> {
    let (w, h) = (640, 480);
    let mut seed = variant.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x5A17;
    let mut rnd = |n: u64| (mix(&mut seed) % n.max(1)) as i32;
    let mut c = Canvas {
        w,
        h,
        px: vec![[0, 0, 0]; (w * h) as usize],
    };
    // The wall: warm white, lighter towards the windows on one side.
    let warm = rnd(18) as u8;
    for y in 0..h {
        for x in 0..w {
            let light = 225 - (y / 12) as u8 + (x * 14 / w) as u8;
            c.set(x, y, [light, light - 6 + warm / 3, light - 20 + warm / 2]);
        }
    }
    // The ceiling edge and the skirting.
    c.rect(0, 0, w, 18, [236, 236, 230]);
    // The red banner with its lettering in yellow-white blocks, a line of characters.
    let (bx0, bx1) = (60 + rnd(40), w - 60 - rnd(40));
    let (by0, by1) = (40 + rnd(16), 92 + rnd(10));
    c.rect(bx0, by0, bx1, by1, [178, 24, 30]);
    let chars = 12 + rnd(6);
    let step = (bx1 - bx0 - 40) / chars;
    for i in 0..chars {
        // Each character a few strokes of its own, as lettering reads from across a room.
        let x = bx0 + 20 + i * step;
        let glyph = [250, 224, 120];
        let (top, bottom) = (by0 + 12, by1 - 10);
        for _ in 0..2 + rnd(3) {
            let y = top + rnd((bottom - top - 3) as u64);
            let (a, b) = (rnd((step / 3) as u64), rnd((step / 3) as u64));
            c.rect(x + 3 + a, y, x + step - 5 - b, y + 3, glyph);
        }
        for _ in 0..1 + rnd(2) {
            let vx = x + 4 + rnd((step - 10) as u64);
            let (a, b) = (rnd(8), rnd(8));
            c.rect(vx, top + a, vx + 3, bottom - b, glyph);
        }
    }
    // A projection screen or a board with a slide.
    if rnd(3) > 0 {
        let (sx, sy) = (w / 2 - 110 + rnd(40) - 20, 112);
        c.rect(sx, sy, sx + 220, sy + 124, [250, 250, 252]);
        c.rect(sx + 14, sy + 14, sx + 206, sy + 34, [196, 40, 40]);
        for l in 0..4 {
            c.rect(
                sx + 20,
                sy + 48 + l * 16,
                sx + 170 - rnd(60),
                sy + 54 + l * 16,
                [90, 90, 100],
            );
        }
    }
    // The conference table, in perspective, and its edge.
    let table_top = 300 + rnd(20);
    for y in table_top..h {
        let inset = (h - y) * 3 / 4;
        for x in inset..w - inset {
            let shade = 92 + ((x + y) % 7) as u8 + ((y - table_top) / 8) as u8;
            c.set(x, y, [shade + 30, shade - 10, shade - 48]);
        }
    }
    // People seated along the far side, then the near corners, smaller further away.
    let jackets = [
        [30, 36, 52],
        [40, 40, 44],
        [235, 235, 238],
        [52, 60, 78],
        [70, 30, 36],
    ];
    let skins = [[232, 196, 170], [222, 184, 152], [212, 174, 142]];
    let seats = 4 + rnd(3);
    for i in 0..seats {
        let cx = 100 + i * (w - 200) / (seats - 1).max(1) + rnd(14) - 7;
        let jacket = jackets[rnd(jackets.len() as u64) as usize];
        let skin = skins[rnd(skins.len() as u64) as usize];
        c.person(cx, table_top - 112, 1.25, jacket, skin);
    }
    // Papers and cups on the table.
    for _ in 0..seats {
        let x = 80 + rnd((w - 160) as u64);
        let y = table_top + 20 + rnd(60);
        c.rect(x, y, x + 34, y + 22, [246, 246, 240]);
        if rnd(2) == 0 {
            c.ellipse(x + 48, y + 8, 7, 9, [250, 250, 250]);
        }
    }
    // Near the camera, the backs of two people on this side of the table.
    for cx in [70 + rnd(40), w - 90 - rnd(60)] {
        let jacket = jackets[rnd(jackets.len() as u64) as usize];
        c.ellipse(cx, h - 10, 78, 70, jacket);
        c.ellipse(cx, h - 96, 30, 36, [26, 22, 20]);
    }
    // A phone camera's grain and light falling off towards the corners.
    let mut grain = variant | 1;
    let rgb: Vec<u8> =
        c.px.iter()
            .enumerate()
            .flat_map(|(i, p)| {
                let (x, y) = ((i as i32 % w) - w / 2, (i as i32 / w) - h / 2);
                let falloff = (x * x + y * y) / 9_000;
                let n = (mix(&mut grain) % 7) as i32 - 3 - falloff;
                p.map(|v| (v as i32 + n).clamp(0, 255) as u8)
            })
            .collect();
    zeren_export::image::png_rgb(w as u32, h as u32, &rgb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_are_pictures_of_a_sensible_size_and_differ() {
        let a = meeting_photo(1);
        let b = meeting_photo(2);
        assert_eq!(
            zeren_export::image::probe(&a),
            Some((zeren_export::image::ImageKind::Png, 640, 480))
        );
        assert_ne!(a, b);
        assert!((10_000..400_000).contains(&a.len()), "{} bytes", a.len());
    }
}
