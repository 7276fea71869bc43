//! Accountability: 有下列情形之一的 lists, single-sentence circumstances, measures, basis, filing
//! and allocation.

use super::*;

/// Who a one-sentence circumstance is about (对…的党员干部，…处理).
const PERSONS: &[&str] = &[
    "党员干部",
    "领导干部",
    "干部",
    "领导",
    "人员",
    "教师",
    "党员",
];

/// 对…的党员干部，依纪依规严肃处理: a circumstance stated in one sentence, outside a list.
pub(super) fn single_circumstance(sentence: &str) -> Option<String> {
    // 凡因工作失职造成重大事故的，一律追究责任: 凡 and a 的 clause
    if let Some(rest) = sentence.strip_prefix('凡') {
        let first = text::clauses(rest).into_iter().next()?;
        let header = ["下列", "以下", "如下"].iter().any(|w| first.contains(w));
        return (!header && first.ends_with('的') && first.chars().count() >= 6)
            .then(|| first.to_owned());
    }
    let rest = sentence.strip_prefix('对')?;
    // 对工作不负责任，…化解不及时，导致…上访的，由村党支部…追究相关人员责任: the case up to its 的，
    if let Some(k) = rest.find("的，") {
        let case = &rest[..k + "的".len()];
        let what = &rest[k..];
        let person = PERSONS.iter().any(|p| case.ends_with(&format!("{p}的")));
        if !person
            && case.chars().count() >= 6
            && case.chars().count() <= 80
            && !["下列", "以下", "如下"].iter().any(|w| case.contains(w))
            && ["追究", "问责", "处分"].iter().any(|w| what.contains(w))
        {
            return Some(case.to_owned());
        }
    }
    let first = text::clauses(rest).into_iter().next()?;
    let person = PERSONS.iter().find(|p| first.ends_with(*p))?;
    let what = first[..first.len() - person.len()].trim();
    // 对有下列行为之一的人员: the header of a list, not a circumstance
    let header = ["下列", "以下", "如下"].iter().any(|w| what.contains(w));
    (!header && what.ends_with('的') && what.chars().count() >= 6).then(|| what.to_owned())
}

/// The accountability entry, made at line `no` by `rule` when there is none yet; its source widened
/// to cover `no`.
fn accountability_at<'a>(
    acc: &'a mut Option<AccountabilityEntry>,
    no: u32,
    confidence: Confidence,
    rule: &str,
) -> &'a mut AccountabilityEntry {
    let a = acc.get_or_insert_with(|| AccountabilityEntry {
        basis: Vec::new(),
        measures: Vec::new(),
        filing_parent: false,
        collective: false,
        circumstances: Vec::new(),
        cite: Cite::new(Src::line(no), confidence, rule),
    });
    a.cite.src = a.cite.src.join(Src::line(no));
    a
}

/// 有下列情形之一的 … followed by numbered items; measures, basis, filing and allocation around it.
pub(super) fn accountability(d: &mut Draft, lines: &[Line<'_>]) {
    let mut acc: Option<AccountabilityEntry> = None;
    let mut i = 0;
    while i < lines.len() {
        let l = &lines[i];
        // 由理事会作出处理：一是使用禁限用农药的，取消…；二是…的，…: each case with its measure
        let paired = rules::cases_with_measures(l.text);
        if !paired.is_empty() {
            let a = accountability_at(&mut acc, l.no, Confidence::Medium, "“一是…的，处理”");
            for text in paired {
                a.circumstances.push(CircumstanceEntry {
                    text: text.to_owned(),
                    cite: Cite::new(Src::line(l.no), Confidence::Medium, "列举项（情形和处理）"),
                });
            }
            i += 1;
            continue;
        }
        let strong = rules::circumstance_header(l.text);
        if strong || rules::circumstance_heading(l.text) {
            let mut items: Vec<CircumstanceEntry> = Vec::new();
            let mut last = l.no;
            // the list may follow the header on its own line: 有下列行为之一的：（一）…；（二）…
            let at = ["下列", "以下", "如下"]
                .iter()
                .filter_map(|w| l.text.find(w))
                .min()
                .unwrap_or(0);
            for item in rules::inline_items(&l.text[at..]) {
                items.push(CircumstanceEntry {
                    text: item.to_owned(),
                    cite: Cite::new(Src::line(l.no), Confidence::High, "列举项（同一行）"),
                });
            }
            // …追究相关人员责任：甲的；乙的；丙的。 — cases after the colon, unnumbered, one per ；
            if items.is_empty() {
                for item in rules::unnumbered_cases(&l.text[at..]) {
                    items.push(CircumstanceEntry {
                        text: item.to_owned(),
                        cite: Cite::new(
                            Src::line(l.no),
                            Confidence::High,
                            "列举项（同一行，以；分隔）",
                        ),
                    });
                }
            }
            // (items listed in the header's own line end there: the next line is not theirs)
            let same_line = !items.is_empty();
            let mut j = i + 1;
            // the items are numbered alike; a line numbered otherwise is the next heading
            let mut kind = None;
            while j < lines.len() {
                let n = &lines[j];
                if n.text.is_empty() {
                    j += 1;
                    continue;
                }
                let numbering = text::enumerator(n.text);
                let this = numbering.map(|(e, _)| std::mem::discriminant(&e));
                if kind.is_some() && this.is_some() && this != kind {
                    break;
                }
                match numbering {
                    Some((
                        e @ (Enumerator::Paren(_) | Enumerator::Arabic(_) | Enumerator::Circled(_)),
                        rest,
                    )) => {
                        kind = Some(std::mem::discriminant(&e));
                        items.push(CircumstanceEntry {
                            text: rest.to_owned(),
                            cite: Cite::new(Src::line(n.no), Confidence::High, "列举项"),
                        });
                    }
                    // 一是…的； 二是…的； each on a line of its own
                    _ if numbering.is_none()
                        && rules::shi_item(n.text).is_some()
                        && rules::inline_items(n.text).len() < 2 =>
                    {
                        let rest = rules::shi_item(n.text).unwrap_or_default();
                        items.push(CircumstanceEntry {
                            text: rest.trim_end_matches(['；', ';', '。']).to_owned(),
                            cite: Cite::new(
                                Src::line(n.no),
                                Confidence::High,
                                "列举项（一是、二是）",
                            ),
                        });
                    }
                    // 一是…；二是… on the line after the header
                    _ if items.is_empty() && rules::inline_items(n.text).len() >= 2 => {
                        for item in rules::inline_items(n.text) {
                            items.push(CircumstanceEntry {
                                text: item.to_owned(),
                                cite: Cite::new(
                                    Src::line(n.no),
                                    Confidence::High,
                                    "列举项（同一行）",
                                ),
                            });
                        }
                        last = n.no;
                        j += 1;
                        break;
                    }
                    _ => {
                        // a line numbered on its own (第十一条 after 一是…三是… in the header's line)
                        // starts something else
                        let open = items.last().is_some_and(|c| !text::ends_sentence(&c.text));
                        if !open || numbering.is_some() || same_line {
                            break;
                        }
                        let c = items.last_mut().expect("open item");
                        c.text.push_str(n.text);
                        c.cite.src = c.cite.src.join(Src::line(n.no));
                    }
                }
                last = n.no;
                j += 1;
            }
            // a heading such as 问责情形 (no 下列…之一): only a list whose every item is a case (…的)
            let cases = !items.is_empty()
                && items.iter().all(|c| {
                    c.text
                        .trim_end_matches(['；', ';', '。', '，', ','])
                        .ends_with('的')
                });
            if strong || cases {
                let rule = if strong {
                    "“有下列情形之一的”"
                } else {
                    "“问责情形”标题下的列举"
                };
                let confidence = if strong {
                    Confidence::High
                } else {
                    Confidence::Medium
                };
                let a = accountability_at(&mut acc, l.no, confidence, rule);
                a.cite.src = a.cite.src.join(Src::line(last));
                a.circumstances.extend(items);
                i = j;
                continue;
            }
        }
        i += 1;
    }
    // measures, basis, filing, allocation: sentences about 问责/追究
    let mut extra: Vec<String> = Vec::new(); // measures in the text's own words (取消…评优…资格)
                                             // a line that introduces measures (追究责任采取以下方式：, 处理方式分别为：) makes its other
                                             // sentences and the numbered lines after it measures too, whatever their verb
    let mut in_list = false;
    for l in lines {
        let numbered = text::enumerator(l.text).is_some_and(|(e, _)| {
            matches!(
                e,
                Enumerator::Paren(_) | Enumerator::Arabic(_) | Enumerator::Circled(_)
            )
        });
        if !numbered && !l.text.is_empty() {
            in_list = false;
        }
        let line_about = rules::introduces_measures(l.text);
        for s in text::sentences(text::body(l.text)) {
            let about = ["问责", "追究", "处分", "处理"]
                .iter()
                .any(|w| s.contains(w));
            let measured =
                about || line_about || in_list || ["给予", "予以"].iter().any(|w| s.contains(w));
            if !measured {
                continue;
            }
            if about {
                if let Some(text) = single_circumstance(s) {
                    let a = accountability_at(&mut acc, l.no, Confidence::Medium, "问责/追究");
                    if !a.circumstances.iter().any(|c| c.cite.src.first == l.no) {
                        let mut cite =
                            Cite::new(Src::line(l.no), Confidence::Low, "“对…的干部，…处理/问责”");
                        cite.ask("不在“有下列情形之一的”列举中：是否作为一项问责情形？");
                        a.circumstances.push(CircumstanceEntry { text, cite });
                    }
                }
            }
            let ms = rules::measures(s);
            let own = rules::own_measures(s);
            let basis: Vec<String> = if s.contains("依据") || s.contains("根据") {
                rules::titles(s).into_iter().map(str::to_owned).collect()
            } else {
                Vec::new()
            };
            let filing = rules::filing_target(s);
            let collective = s.contains("集体责任") && s.contains("个人责任");
            if ms.is_empty()
                && own.is_empty()
                && basis.is_empty()
                && filing.is_none()
                && !collective
            {
                continue;
            }
            let a = accountability_at(&mut acc, l.no, Confidence::Medium, "问责/追究");
            for m in own {
                if !extra.iter().any(|x| x == m) {
                    extra.push(m.to_owned());
                }
            }
            for m in ms {
                if !a.measures.iter().any(|x| x == m) {
                    a.measures.push(m.to_owned());
                }
            }
            for b in basis {
                if !a.basis.contains(&b) {
                    a.basis.push(b);
                }
            }
            match filing {
                Some(Target::Parent(_)) => a.filing_parent = true,
                Some(Target::Named(n)) => a.cite.questions.push(Question {
                    line: l.no,
                    text: format!("问责情况报“{n}”备案：本单位的部门（不设 filing）还是上级（filing = \"parent\"）？"),
                }),
                None => {}
            }
            a.collective |= collective;
        }
        // 追究责任的方式： / （三）问责方式 (a heading): the numbered lines after it are the measures
        let short = text::body(l.text).chars().count() <= 20;
        if line_about && (l.text.trim_end().ends_with(['：', ':']) || short) {
            in_list = true;
        }
    }
    if let Some(a) = &mut acc {
        for c in &mut a.circumstances {
            c.text = c
                .text
                .trim()
                .trim_end_matches(['；', ';', '。', '.', '，', ','])
                .trim()
                .to_owned();
        }
        a.circumstances.retain(|c| !c.text.is_empty());
        // keep the format's order: mildest first, across sentences
        let joined = a.measures.join("、");
        a.measures = rules::measures(&joined)
            .into_iter()
            .map(str::to_owned)
            .collect();
        // a disqualification goes after the reprimands, before the organisational measures
        const MILD: &[&str] = &[
            "提醒",
            "提醒谈话",
            "责令检查",
            "约谈",
            "函询",
            "批评教育",
            "检查",
            "通报批评",
            "通报",
            "诫勉谈话",
            "诫勉",
        ];
        let at = a
            .measures
            .iter()
            .rposition(|m| MILD.contains(&m.as_str()))
            .map_or(0, |k| k + 1);
        for (k, m) in extra.into_iter().enumerate() {
            a.measures.insert(at + k, m);
        }
    }
    d.accountability = acc;
}
