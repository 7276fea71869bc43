//! Scores drafts of the seed texts against the ten policy packs written from them by hand.
//!
//!     cargo run --release -p zeren-draft --example score -- /path/to/seeds/000_6f63e62968ea7061.txt
//!
//! Each pack's `policy.source_text` names its lines of the seed file (`seeds/…txt#L61-L84`); those
//! lines are drafted (numbered as in the file, so citations compare), the draft is parsed as a
//! policy file (it must be valid), and its entries are matched one to one against the pack's:
//!
//! - duties: same `every` and `times` (default 1) and overlapping source lines; "+owner" also needs
//!   the same answering role (`owner`, or `role` with `per = "holder"`; both unset counts);
//! - roles: same id or same title;
//! - circumstances: overlapping source lines;
//! - measures: the same words;
//! - workflows: same kind and overlapping source lines.
//!
//! Precision is matched / drafted, recall matched / in the pack. The seed texts are the development
//! set: the rules were written while reading them, so these figures are not a measure on unseen text.

use std::time::Instant;

use zeren_policy::{packs, Policy, SourceRef};

#[derive(Default, Clone, Copy)]
struct Tally {
    matched: usize,
    drafted: usize,
    expected: usize,
}

impl Tally {
    fn add(&mut self, o: Tally) {
        self.matched += o.matched;
        self.drafted += o.drafted;
        self.expected += o.expected;
    }
    fn cell(self) -> String {
        format!("{}/{}/{}", self.matched, self.drafted, self.expected)
    }
    fn pr(self) -> String {
        let pct = |a: usize, b: usize| {
            if b == 0 {
                "–".to_owned()
            } else {
                format!("{:.0} %", 100.0 * a as f64 / b as f64)
            }
        };
        format!(
            "{} | {}",
            pct(self.matched, self.drafted),
            pct(self.matched, self.expected)
        )
    }
}

fn overlap(a: Option<SourceRef>, b: Option<SourceRef>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.first <= b.last && b.first <= a.last,
        _ => false,
    }
}

/// One-to-one greedy matching of `expected` against `drafted`.
fn matching<E, D>(expected: &[E], drafted: &[D], same: impl Fn(&E, &D) -> bool) -> Tally {
    let mut used = vec![false; drafted.len()];
    let mut matched = 0;
    for e in expected {
        if let Some(i) = (0..drafted.len()).find(|&i| !used[i] && same(e, &drafted[i])) {
            used[i] = true;
            matched += 1;
        }
    }
    Tally {
        matched,
        drafted: drafted.len(),
        expected: expected.len(),
    }
}

const KINDS: [&str; 8] = [
    "duties (frequency)",
    "duties (+owner)",
    "duties (+owner or asked)",
    "roles",
    "circumstances",
    "measures",
    "workflows",
    "responsibilities of roles",
];

fn score(pack: &Policy, draft: &Policy, asked: &[String]) -> [Tally; 8] {
    let of_roles = |p: &Policy| -> Vec<zeren_policy::Responsibility> {
        p.responsibilities
            .iter()
            .filter(|r| matches!(r.who, zeren_policy::Answerer::Role(_)))
            .cloned()
            .collect()
    };
    let duty_freq = |e: &zeren_policy::Duty, d: &zeren_policy::Duty| {
        e.every == d.every && e.times == d.times && overlap(e.source, d.source)
    };
    let acc_measures = |p: &Policy| {
        p.accountability
            .as_ref()
            .map_or(Vec::new(), |a| a.measures.clone())
    };
    let circ = |p: &Policy| {
        p.accountability
            .as_ref()
            .map_or(Vec::new(), |a| a.circumstances.clone())
    };
    [
        matching(&pack.duties, &draft.duties, duty_freq),
        matching(&pack.duties, &draft.duties, |e, d| {
            duty_freq(e, d) && e.answering_role() == d.answering_role()
        }),
        matching(&pack.duties, &draft.duties, |e, d| {
            duty_freq(e, d)
                && (e.answering_role() == d.answering_role()
                    || asked.iter().any(|a| a == d.id.as_str()))
        }),
        matching(&pack.roles, &draft.roles, |e, d| {
            e.id == d.id || e.title == d.title
        }),
        matching(&circ(pack), &circ(draft), |e, d| {
            overlap(e.source, d.source)
        }),
        matching(&acc_measures(pack), &acc_measures(draft), |e, d| e == d),
        matching(&pack.workflows, &draft.workflows, |e, d| {
            e.kind == d.kind && overlap(e.source, d.source)
        }),
        matching(&of_roles(pack), &of_roles(draft), |e, d| {
            e.who == d.who && overlap(e.source, d.source)
        }),
    ]
}

/// With -v: what each pack has that the draft lacks, and what the draft adds.
fn misses(id: &str, pack: &Policy, draft: &Policy) {
    let src =
        |s: Option<SourceRef>| s.map_or(String::new(), |s| format!("L{}-L{}", s.first, s.last));
    for r in &pack.roles {
        if !draft
            .roles
            .iter()
            .any(|d| d.id == r.id || d.title == r.title)
        {
            eprintln!("{id}: role missed: {} {} {}", r.id, r.title, src(r.source));
        }
    }
    for r in &draft.roles {
        if !pack
            .roles
            .iter()
            .any(|d| d.id == r.id || d.title == r.title)
        {
            eprintln!("{id}: role extra: {} {} {}", r.id, r.title, src(r.source));
        }
    }
    for e in &pack.duties {
        let hit = draft
            .duties
            .iter()
            .find(|d| e.every == d.every && e.times == d.times && overlap(e.source, d.source));
        match hit {
            None => eprintln!(
                "{id}: duty missed: {} {:?}x{} {}",
                e.id,
                e.every,
                e.times,
                src(e.source)
            ),
            Some(d) if d.answering_role() != e.answering_role() => eprintln!(
                "{id}: duty owner: {} pack {:?} draft {:?}",
                e.id,
                e.answering_role(),
                d.answering_role()
            ),
            Some(_) => {}
        }
    }
    let circ = |p: &Policy| {
        p.accountability
            .as_ref()
            .map_or(Vec::new(), |a| a.circumstances.clone())
    };
    for c in circ(pack) {
        if !circ(draft).iter().any(|d| overlap(c.source, d.source)) {
            eprintln!("{id}: circumstance missed: {}", src(c.source));
        }
    }
    let m = |p: &Policy| {
        p.accountability
            .as_ref()
            .map_or(Vec::new(), |a| a.measures.clone())
    };
    eprintln!("{id}: measures pack {:?} draft {:?}", m(pack), m(draft));
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: score SEEDS_FILE (the seed text, e.g. seeds/000_6f63e62968ea7061.txt)");
    let verbose = std::env::args().any(|a| a == "-v");
    let seed = std::fs::read_to_string(&path).expect("read the seed text");
    let lines: Vec<&str> = seed.lines().collect();

    let mut total = [Tally::default(); 8];
    let mut questions = 0;
    let mut rows = Vec::new();
    let mut slowest = 0f64;
    let mut chars_of_slowest = 0;
    for pack in packs::all() {
        let expected = pack.policy();
        let range = expected
            .meta
            .source_text
            .as_deref()
            .and_then(|s| s.split_once('#'))
            .and_then(|(_, r)| SourceRef::parse(r))
            .expect("every pack names its seed lines");
        let text = lines[range.first as usize - 1..range.last as usize].join("\n");
        // best of 20 runs: the drafting time of one text
        let mut best = f64::INFINITY;
        let mut out = None;
        for _ in 0..20 {
            let t = Instant::now();
            let r = zeren_draft::draft_toml(&text, range.first, "draft", "seed");
            best = best.min(t.elapsed().as_secs_f64() * 1e3);
            out = Some(r);
        }
        if best > slowest {
            slowest = best;
            chars_of_slowest = text.chars().count();
        }
        let (d, toml) = out.expect("ran");
        questions += d.all_questions().len();
        let drafted = match zeren_policy::parse("draft.toml", &toml) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{}: the draft is not a valid policy:\n{e}\n{toml}", pack.id);
                std::process::exit(1);
            }
        };
        if verbose {
            misses(pack.id, &expected, &drafted);
        }
        let asked: Vec<String> = d
            .duties
            .iter()
            .filter(|x| x.owner_asked)
            .map(|x| x.id.clone())
            .collect();
        let s = score(&expected, &drafted, &asked);
        for (t, x) in total.iter_mut().zip(s) {
            t.add(x);
        }
        rows.push((pack.id, s, d.all_questions().len()));
    }

    println!("matched/drafted/in pack, per seed text:\n");
    println!("| pack | {} | questions |", KINDS.join(" | "));
    println!("|---|{}---|", "---|".repeat(KINDS.len()));
    for (id, s, q) in &rows {
        let cells: Vec<String> = s.iter().map(|t| t.cell()).collect();
        println!("| {id} | {} | {q} |", cells.join(" | "));
    }
    let cells: Vec<String> = total.iter().map(|t| t.cell()).collect();
    println!("| **all** | {} | {questions} |", cells.join(" | "));
    println!("\n| kind | precision | recall |\n|---|---|---|");
    for (k, t) in KINDS.iter().zip(total) {
        println!("| {k} | {} |", t.pr());
    }
    let mut all = Tally::default();
    for t in [total[0], total[3], total[4], total[5], total[6]] {
        all.add(t);
    }
    println!(
        "| the issue's five kinds (duties by frequency, roles, circumstances, measures, workflows) | {} |",
        all.pr()
    );
    println!("\nslowest text: {slowest:.2} ms for {chars_of_slowest} characters (best of 20 runs)");
}
