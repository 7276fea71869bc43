//! The demo's accountability (问责): one case opened on an incident closed earlier in the year at
//! a school whose policy governs accountability, taken through due process — the preliminary
//! check, the start approved by the school's first responsible, a team of two (the secretary among
//! them), the facts shown, a statement answered point by point, the minutes of the decision at
//! fault with one member's recorded 反对, the collective discussion, the decision with the
//! allocation the rule suggests and the year's 评先评优 taken away, service, execution, filing
//! with the bureau, the bureau's 签收 and the archive; and a second case, on a lead, under
//! investigation now (its next steps are on its page). Every act goes through the rules.

use chrono::{DateTime, Days, NaiveDate, Utc};
use zeren_core::accountability::{Act, Answer, Position, Procedure, Responsibility, Subject};
use zeren_core::org::{PersonId, UnitId};
use zeren_store::accountability::{
    replay, AccountabilityRead, Minutes, NewCase, Participant, Seat,
};
use zeren_store::incidents::{IncidentFilter, IncidentRead};
use zeren_store::{Actor, Read, Store};

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Ten in the morning, China time, of a day.
fn morning(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(2, 0, 0).unwrap_or_default().and_utc()
}

/// Takes `acts` in order (each with the days after `start` it happened), as `writer`.
async fn take(
    store: &Store,
    writer: &Actor,
    case_id: i64,
    start: NaiveDate,
    p: &Procedure,
    parent: UnitId,
    acts: Vec<(u64, Act)>,
) -> Result<(), String> {
    for (after, act) in acts {
        let on = start + Days::new(after);
        let seen = store
            .reader()
            .await
            .map_err(err)?
            .case_acts(case_id)
            .await
            .map_err(err)?
            .len() as i64;
        let mut w = store.write(writer).await.map_err(err)?;
        w.import_history_at(morning(on));
        w.act_on_case(case_id, seen, &act, on, p, Some(parent))
            .await
            .map_err(err)?;
        w.commit().await.map_err(err)?;
    }
    Ok(())
}

/// The cases; `schools` are (school, its office actor, the office's person). Returns how many.
pub async fn demo_accountability(
    store: &Store,
    bureau: i64,
    bureau_writer: &Actor,
    schools: &[(i64, Actor, i64)],
    today: NaiveDate,
) -> Result<usize, String> {
    let mut r = store.reader().await.map_err(err)?;
    let closed = r
        .incidents(&IncidentFilter {
            subtree_of: Some(bureau),
            open: Some(false),
            limit: Some(200),
            ..IncidentFilter::default()
        })
        .await
        .map_err(err)?;
    // An incident closed at least two months ago at a school whose policy governs
    // accountability, the oldest first.
    let mut chosen = None;
    for inc in closed.iter().rev() {
        let known = (inc.incident.known_at + chrono::Duration::hours(8)).date_naive();
        if known + Days::new(60) > today {
            continue;
        }
        let Some((_, office, office_person)) =
            schools.iter().find(|(s, ..)| *s == inc.incident.unit_id)
        else {
            continue;
        };
        let Some(ip) = r.policy_in_force(inc.incident.unit_id).await.map_err(err)? else {
            continue;
        };
        let policy = zeren_policy::parse(&format!("{}.toml", ip.policy_id), &ip.text)
            .map_err(|e| format!("{e:?}"))?;
        if let Some(a) = policy.accountability.as_ref() {
            chosen = Some((
                inc.clone(),
                office.clone(),
                *office_person,
                ip.id,
                Procedure::of(a),
                a.circumstances.first().map(|c| c.id.as_str().to_string()),
            ));
            break;
        }
    }
    let Some((inc, office, office_person, policy_id, p, circumstance)) = chosen else {
        return Ok(0);
    };
    let school = inc.incident.unit_id;
    let people = r.people_in_unit(school).await.map_err(err)?;
    let org = zeren_store::materialise::ancestry_snapshot(store, school)
        .await
        .map_err(err)?;
    let known = (inc.incident.known_at + chrono::Duration::hours(8)).date_naive();
    let head = zeren_policy::RoleId::parse("first_responsible").and_then(|role| {
        org.holders(&role, UnitId(school), known, known)
            .first()
            .map(|p| p.0)
    });
    let secretary = r
        .account_by_username("secretary")
        .await
        .map_err(err)?
        .and_then(|a| a.person_id)
        .filter(|p| people.iter().any(|x| x.id == *p));
    drop(r);
    // The subject: someone of the school who is neither the head, the secretary nor the office.
    let others: Vec<&zeren_store::Person> = people
        .iter()
        .filter(|x| Some(x.id) != head && Some(x.id) != secretary && x.id != office_person)
        .collect();
    let (Some(subject), Some(dissenter)) = (others.first(), others.get(1)) else {
        return Ok(0);
    };
    let head = head.unwrap_or(office_person);
    let team = [secretary.unwrap_or(head), office_person];
    let subject_key = Subject::Person(PersonId(subject.id));
    let opened = known + Days::new(12);

    let mut w = store.write(&office).await.map_err(err)?;
    w.import_history_at(morning(opened));
    let case = w
        .open_case(&NewCase {
            unit_id: school,
            installed_policy_id: policy_id,
            source: "incident".into(),
            source_id: Some(inc.incident.id),
            title: format!("关于“{}”的问责", inc.incident.title),
            lead: format!(
                "{}发生突发事件“{}”，信息发布前未按规定送审，处置中报告不及时。",
                inc.unit_name, inc.incident.title
            ),
            event_on: Some(known),
            opened_on: Some(opened),
            subjects: vec![subject_key],
            circumstances: circumstance.clone().into_iter().collect(),
        })
        .await
        .map_err(err)?;
    w.commit().await.map_err(err)?;
    let parent = UnitId(bureau);
    take(
        store,
        &office,
        case.id,
        opened,
        &p,
        parent,
        vec![
            (
                1,
                Act::PreliminaryCheck {
                    finding: "经初步核实，相关信息发布前未按规定履行审核程序，问题属实。".into(),
                    proceed: true,
                },
            ),
            (
                2,
                Act::ApproveStart {
                    by: PersonId(head),
                    holds_role: true,
                },
            ),
            (
                3,
                Act::FormTeam {
                    members: team.iter().copied().map(PersonId).collect(),
                },
            ),
            (
                6,
                Act::ShowFacts {
                    subject: subject_key,
                },
            ),
            (
                8,
                Act::HearStatement {
                    subject: subject_key,
                    points: vec![
                        (
                            "信息由他人提供，本人只负责转发。".into(),
                            Answer::NotAdopted {
                                reason: "转发即发布，发布前须按规定送审。".into(),
                            },
                        ),
                        ("发现问题后已第一时间删除。".into(), Answer::Adopted),
                    ],
                    declined: false,
                },
            ),
        ],
    )
    .await?;
    // The minutes of the decision at fault: the head and the subject agreed; one member opposed.
    let minutes = Minutes {
        meeting: "学校行政会（发布前审核分工）".into(),
        alone: None,
        participants: vec![
            participant(&people, head, Seat::Head, Position::Agreed, ""),
            participant(
                &people,
                dissenter.id,
                Seat::Member,
                Position::Opposed,
                "未经审核的信息一律不得发布。",
            ),
            participant(&people, subject.id, Seat::Member, Position::Agreed, ""),
        ],
    };
    let mut w = store.write(&office).await.map_err(err)?;
    w.import_history_at(morning(opened + Days::new(9)));
    w.record_minutes(case.id, 0, &minutes).await.map_err(err)?;
    w.commit().await.map_err(err)?;
    let suggested = zeren_core::accountability::suggest(&minutes.decision())
        .into_iter()
        .find(|s| s.person.0 == subject.id)
        .map(|s| s.responsibility);
    take(
        store,
        &office,
        case.id,
        opened,
        &p,
        parent,
        vec![
            (
                10,
                Act::DiscussReport {
                    meeting: "党支部委员会会议（集体研究调查报告）".into(),
                },
            ),
            (
                11,
                Act::Decide {
                    subject: subject_key,
                    measures: p.measures.first().cloned().into_iter().collect(),
                    responsibility: suggested.or(Some(Responsibility::Important)),
                    suggested,
                    reason: String::new(),
                    no_commendation: true,
                },
            ),
            (
                12,
                Act::Serve {
                    subject: subject_key,
                },
            ),
            (
                14,
                Act::CarryOut {
                    subject: subject_key,
                },
            ),
            (15, Act::File { to: parent }),
        ],
    )
    .await?;
    take(
        store,
        bureau_writer,
        case.id,
        opened,
        &p,
        parent,
        vec![(17, Act::ReceiveFiling { by: parent })],
    )
    .await?;
    let archive_on = opened + Days::new(12 + p.appeal_months as u64 * 31 + 2);
    if archive_on <= today {
        take(
            store,
            &office,
            case.id,
            opened,
            &p,
            parent,
            vec![(
                archive_on.signed_duration_since(opened).num_days() as u64,
                Act::Archive,
            )],
        )
        .await?;
    }

    // A second case, on a lead typed by hand two weeks ago, under investigation now.
    let lead_subject = others.get(2).map_or(dissenter.id, |x| x.id);
    let opened2 = today - Days::new(14);
    let mut w = store.write(&office).await.map_err(err)?;
    w.import_history_at(morning(opened2));
    let second = w
        .open_case(&NewCase {
            unit_id: school,
            installed_policy_id: policy_id,
            source: "lead".into(),
            source_id: None,
            title: "关于班级群转发未经核实信息的问责".into(),
            lead: "家长反映班级微信群转发未经核实的信息，造成误解。".into(),
            event_on: Some(today - Days::new(20)),
            opened_on: Some(opened2),
            subjects: vec![Subject::Person(PersonId(lead_subject))],
            circumstances: circumstance.into_iter().collect(),
        })
        .await
        .map_err(err)?;
    w.commit().await.map_err(err)?;
    take(
        store,
        &office,
        second.id,
        opened2,
        &p,
        parent,
        vec![
            (
                1,
                Act::PreliminaryCheck {
                    finding: "经初步核实，确有转发未经核实信息的情况。".into(),
                    proceed: true,
                },
            ),
            (
                3,
                Act::ApproveStart {
                    by: PersonId(head),
                    holds_role: true,
                },
            ),
            (
                4,
                Act::FormTeam {
                    members: team.iter().copied().map(PersonId).collect(),
                },
            ),
        ],
    )
    .await?;
    // Both cases replay under the rules as stored.
    let mut r = store.reader().await.map_err(err)?;
    for id in [case.id, second.id] {
        let row = r.case(id).await.map_err(err)?.ok_or("case missing")?;
        let subjects = r.case_subjects(id).await.map_err(err)?;
        let acts = r.case_acts(id).await.map_err(err)?;
        replay(&subjects, row.opened_on, &acts, &p, Some(parent)).map_err(err)?;
    }
    Ok(2)
}

fn participant(
    people: &[zeren_store::Person],
    id: i64,
    seat: Seat,
    position: Position,
    words: &str,
) -> Participant {
    Participant {
        person_id: id,
        name: people
            .iter()
            .find(|x| x.id == id)
            .map(|x| x.name.clone())
            .unwrap_or_default(),
        seat,
        position,
        words: words.into(),
    }
}
