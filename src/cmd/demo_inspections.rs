//! The demo's inspections (督查): the bureau's 专项督查 of its schools earlier this year, with a
//! visit to each school and findings in every state the rectification loop knows — closed on time
//! and late, waiting for 复查, being rectified (one overdue), a commitment returned and waiting for
//! a new version, one waiting for the school's commitment, one corrected, one withdrawn. Every
//! step goes through the rules (`zeren_core::inspection`) as people would take it.

use chrono::{Days, NaiveDate, Utc};
use zeren_core::inspection::{Action, Actor as Who, Commitment, FindingState, FindingText, Side};
use zeren_core::org::{PersonId, UnitId};
use zeren_policy::RectificationKind;
use zeren_store::inspections::{CheckItem, Derived, NewInspection, NewVisit};
use zeren_store::{Actor, Store};

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Noon, China time, of a day.
fn noon(d: NaiveDate) -> chrono::DateTime<Utc> {
    d.and_hms_opt(4, 0, 0).unwrap_or_default().and_utc()
}

/// What happens to one finding, step by step: (days after it was sent, who, what).
type Step = (u64, Side, Action);

/// Runs the bureau's inspection of `schools` (id, name, office actor, office person) and returns
/// how many findings it sent. `bureau` acts as (actor, person).
pub async fn demo_inspections(
    store: &Store,
    bureau: i64,
    (bureau_writer, bureau_person): (&Actor, i64),
    schools: &[(i64, String, Actor, i64)],
    today: NaiveDate,
) -> Result<usize, String> {
    let schools: Vec<_> = schools.iter().take(5).collect();
    if schools.is_empty() {
        return Ok(0);
    }
    // Started about seventy days ago, so that findings have aged and some are overdue.
    let start = today.checked_sub_days(Days::new(70)).unwrap_or(today);
    let ends = start + Days::new(14);
    let checklist = vec![
        CheckItem {
            kind: "text".into(),
            policy_id: None,
            duty_id: None,
            title: "意识形态工作是否落实到位".into(),
            source: Some("L84".into()),
        },
        CheckItem {
            kind: "text".into(),
            policy_id: None,
            duty_id: None,
            title: "有无重大工作失误".into(),
            source: Some("L84".into()),
        },
        CheckItem {
            kind: "text".into(),
            policy_id: None,
            duty_id: None,
            title: "宣传阵地登记备案和审核台账是否齐全".into(),
            source: None,
        },
    ];
    let mut w = store.write(bureau_writer).await.map_err(err)?;
    w.import_history_at(noon(start));
    let installed = {
        use zeren_store::Read;
        w.policy_in_force(bureau).await.map_err(err)?.map(|p| p.id)
    };
    let inspection = w
        .create_inspection(&NewInspection {
            unit_id: bureau,
            installed_policy_id: installed,
            programme: Some("special".into()),
            title: format!("{}年意识形态工作专项督查", chrono::Datelike::year(&start)),
            scope: "units".into(),
            starts_on: start,
            ends_on: ends,
            checklist,
            units: schools.iter().map(|s| s.0).collect(),
            team: vec![(bureau_person, true)],
        })
        .await
        .map_err(err)?;
    for (i, (school, name, ..)) in schools.iter().enumerate() {
        let day = start + Days::new(i as u64 * 2);
        w.import_history_at(noon(day));
        let sha = w
            .put_attachment(
                format!("{name}督查走访记录：查阅会议记录、理论学习台账，与班子成员座谈。")
                    .as_bytes(),
                "text/plain",
            )
            .await
            .map_err(err)?;
        w.add_visit(
            inspection.id,
            &NewVisit {
                unit_id: *school,
                visited_on: day,
                notes:
                    "查阅党组织会议记录、理论学习中心组学习台账和宣传阵地登记表，与班子成员座谈。"
                        .into(),
                checks: vec![
                    zeren_store::inspections::Check {
                        item: 0,
                        result: if i % 2 == 0 { "problem" } else { "ok" }.into(),
                        note: if i % 2 == 0 {
                            "学习记录不全".into()
                        } else {
                            String::new()
                        },
                    },
                    zeren_store::inspections::Check {
                        item: 2,
                        result: "ok".into(),
                        note: String::new(),
                    },
                ],
                files: vec![(format!("{name}走访记录.txt"), sha)],
            },
        )
        .await
        .map_err(err)?;
    }
    w.commit().await.map_err(err)?;

    let school = |i: usize| schools[i % schools.len()];
    let commit = |school: usize, measures: &str, due: NaiveDate| Commitment {
        kind: RectificationKind::Deadline,
        measures: measures.into(),
        responsible: PersonId(schools[school % schools.len()].3),
        due,
    };
    let proposed_then_agreed = |s: usize, due: NaiveDate| -> Vec<Step> {
        vec![
            (
                3,
                Side::Unit,
                Action::Propose {
                    commitment: commit(s, "召开专题会议研究整改，补齐台账，明确专人负责", due),
                },
            ),
            (4, Side::Inspector, Action::Accept { version: 1 }),
        ]
    };
    // The application's evidence is stored when it is made (see below).
    let evidence = String::new();
    // (school, days after the start it was sent, description, due after sending, the steps)
    let sent = |d: u64| start + Days::new(d);
    let plans: Vec<(usize, u64, &str, u64, Vec<Step>)> = vec![
        (
            0,
            2,
            "理论学习中心组第三季度学习无记录",
            30,
            {
                let mut v = proposed_then_agreed(0, sent(2) + Days::new(30));
                v.push((
                    10,
                    Side::Unit,
                    Action::Progress {
                        text: "已补开一次专题学习".into(),
                        evidence: vec![],
                    },
                ));
                v.push((
                    20,
                    Side::Unit,
                    Action::ApplyForClosure {
                        text: "两次专题学习均已完成，台账已补齐".into(),
                        evidence: vec![evidence.clone()],
                    },
                ));
                v.push((
                    23,
                    Side::Inspector,
                    Action::Close {
                        justification: "经复查，学习记录齐全，同意销号".into(),
                    },
                ));
                v
            },
        ),
        (1, 4, "微信公众号未按规定登记备案", 15, {
            let mut v = proposed_then_agreed(1, sent(4) + Days::new(15));
            v.push((
                25,
                Side::Unit,
                Action::ApplyForClosure {
                    text: "已完成备案并建立审核台账".into(),
                    evidence: vec![evidence.clone()],
                },
            ));
            v.push((
                27,
                Side::Inspector,
                Action::Close {
                    justification: "备案手续齐全，同意销号（逾期完成）".into(),
                },
            ));
            v
        }),
        (
            2,
            6,
            "意识形态工作责任清单未细化到班子成员",
            40,
            {
                let mut v = proposed_then_agreed(2, sent(6) + Days::new(40));
                v.push((
                    35,
                    Side::Unit,
                    Action::ApplyForClosure {
                        text: "责任清单已细化并印发".into(),
                        evidence: vec![evidence.clone()],
                    },
                ));
                v
            },
        ),
        (3, 8, "舆情信息员未按月报送工作情况", 20, {
            let mut v = proposed_then_agreed(3, sent(8) + Days::new(20));
            v.push((
                12,
                Side::Unit,
                Action::Progress {
                    text: "已明确舆情信息员，正在补报".into(),
                    evidence: vec![],
                },
            ));
            v
        }),
        (
            4,
            10,
            "校园宣传栏内容未经审核即发布",
            60,
            proposed_then_agreed(4, sent(10) + Days::new(60)),
        ),
        (
            0,
            10,
            "班子成员一岗双责落实情况未纳入述职",
            45,
            vec![
                (
                    5,
                    Side::Unit,
                    Action::Propose {
                        commitment: commit(0, "下次述职时补充", sent(10) + Days::new(45)),
                    },
                ),
                (
                    7,
                    Side::Inspector,
                    Action::Return {
                        version: 1,
                        reason: "措施不具体，须明确时间和内容".into(),
                    },
                ),
            ],
        ),
        (1, 12, "网络评论员队伍未按要求组建", 30, vec![]),
        (
            2,
            12,
            "意识形态工作专题会议记录不规范",
            30,
            vec![(
                2,
                Side::Inspector,
                Action::Correct {
                    finding: FindingText {
                        unit: UnitId(school(2).0),
                        severity: None,
                        clause: "有无重大工作失误：专题会议应有记录".into(),
                        source: None,
                        description: "意识形态工作专题会议记录不规范，缺少参会人员签到和议定事项"
                            .into(),
                        evidence: vec![],
                        due: sent(12) + Days::new(30),
                    },
                    reason: "补充问题的具体表现".into(),
                },
            )],
        ),
        (
            3,
            12,
            "宣传阵地登记表填写不全",
            30,
            vec![(
                3,
                Side::Inspector,
                Action::Withdraw {
                    reason: "经核实，登记表已于督查前补全".into(),
                },
            )],
        ),
    ];
    let mut n = 0;
    for (s, after, description, within, steps) in plans {
        let (unit, name, office, office_person) = school(s);
        let on = sent(after);
        let text = FindingText {
            unit: UnitId(*unit),
            severity: None,
            clause: "意识形态工作是否落实到位".into(),
            source: zeren_policy::SourceRef::parse("L84"),
            description: description.into(),
            evidence: vec![],
            due: on + Days::new(within),
        };
        let mut state = FindingState::default();
        let first = state
            .check(
                Who {
                    person: PersonId(bureau_person),
                    side: Side::Inspector,
                },
                Action::Send { finding: text },
                on,
            )
            .map_err(|e| e.zh())?;
        state.push(&first);
        let mut w = store.write(bureau_writer).await.map_err(err)?;
        w.import_history_at(noon(on));
        let summary = description.to_string();
        let id = w
            .create_finding(
                inspection.id,
                *unit,
                &first,
                &Derived {
                    state: &state,
                    severity_title: String::new(),
                    summary: summary.clone(),
                },
                &[],
            )
            .await
            .map_err(err)?;
        w.commit().await.map_err(err)?;
        n += 1;
        for (seq, (days, side, action)) in steps.into_iter().enumerate() {
            let day = on + Days::new(days);
            if day > today {
                break;
            }
            let (actor, person) = match side {
                Side::Inspector => (bureau_writer, bureau_person),
                Side::Unit => (office, *office_person),
            };
            let mut w = store.write(actor).await.map_err(err)?;
            w.import_history_at(noon(day));
            // An application for 销号 carries its evidence: the file, stored first.
            let mut files = Vec::new();
            let action = match action {
                Action::ApplyForClosure { text, .. } => {
                    let sha = w
                        .put_attachment(
                            format!("{name}整改完成情况：{description}——已整改到位。").as_bytes(),
                            "text/plain",
                        )
                        .await
                        .map_err(err)?;
                    files.push(("整改佐证材料.txt".to_string(), sha.clone()));
                    Action::ApplyForClosure {
                        text,
                        evidence: vec![sha],
                    }
                }
                other => other,
            };
            let event = state
                .check(
                    Who {
                        person: PersonId(person),
                        side,
                    },
                    action,
                    day,
                )
                .map_err(|e| e.zh())?;
            state.push(&event);
            let summary = state
                .finding
                .as_ref()
                .map(|f| f.description.chars().take(60).collect())
                .unwrap_or_else(|| summary.clone());
            w.append_finding_event(
                id,
                seq as i64 + 1,
                &event,
                &Derived {
                    state: &state,
                    severity_title: String::new(),
                    summary,
                },
                &files,
            )
            .await
            .map_err(err)?;
            w.commit().await.map_err(err)?;
        }
    }
    Ok(n)
}

/// The bureau's request for a report (临时报送) of every school: one acknowledged, one waiting for
/// 签收, one returned and not yet submitted again, one owing it; with more schools, one returned,
/// submitted again and acknowledged, and the rest owing it.
/// Returns how many schools were asked.
pub async fn demo_requests(
    store: &Store,
    bureau: i64,
    bureau_writer: &Actor,
    schools: &[(i64, String, Actor, i64)],
    today: NaiveDate,
) -> Result<usize, String> {
    use zeren_store::report_requests::NewReportRequest;
    if schools.is_empty() {
        return Ok(0);
    }
    let asked_on = today.checked_sub_days(Days::new(12)).unwrap_or(today);
    let mut w = store.write(bureau_writer).await.map_err(err)?;
    w.import_history_at(noon(asked_on));
    let q = w
        .create_report_request(&NewReportRequest {
            unit_id: bureau,
            title: "网络意识形态风险隐患排查情况".into(),
            instructions:
                "请各校对本校网站、公众号、宣传栏等阵地开展一次风险隐患排查，填报排查情况。".into(),
            template: "form".into(),
            fields: vec!["排查阵地数".into(), "发现问题数".into(), "已整改数".into()],
            due_on: today + Days::new(3),
            units: schools.iter().map(|s| s.0).collect(),
        })
        .await
        .map_err(err)?;
    w.commit().await.map_err(err)?;
    for (i, (unit, _, office, _)) in schools.iter().enumerate() {
        // 0: acknowledged; 1: waiting for 签收; 2: returned; 3: not submitted yet; 4: returned,
        // submitted again and acknowledged; the rest: not submitted yet.
        if i == 3 {
            continue;
        }
        if i > 4 {
            break;
        }
        let on = asked_on + Days::new(2 + i as u64);
        let answers: Vec<String> = vec![
            format!("{}", 3 + i),
            format!("{}", i % 3),
            format!("{}", i % 3),
        ];
        let mut w = store.write(office).await.map_err(err)?;
        w.import_history_at(noon(on));
        let (sub, _) = w
            .submit_report(q.id, *unit, 0, "已按要求完成排查。", &answers, &[])
            .await
            .map_err(err)?;
        w.commit().await.map_err(err)?;
        let answer = |kind: &'static str, note: &'static str, day: NaiveDate, sub: i64| async move {
            let mut w = store.write(bureau_writer).await.map_err(err)?;
            w.import_history_at(noon(day));
            w.answer_report(sub, kind, note).await.map_err(err)?;
            w.commit().await.map_err(err)
        };
        match i {
            0 => answer("acknowledged", "已阅", on + Days::new(1), sub).await?,
            2 | 4 => {
                answer(
                    "returned",
                    "发现问题数与督查情况不符，请核实后重报",
                    on + Days::new(1),
                    sub,
                )
                .await?;
                if i == 4 {
                    let mut w = store.write(office).await.map_err(err)?;
                    w.import_history_at(noon(on + Days::new(2)));
                    let fixed = vec![answers[0].clone(), "2".into(), "2".into()];
                    let (sub2, _) = w
                        .submit_report(q.id, *unit, 1, "已核实更正。", &fixed, &[])
                        .await
                        .map_err(err)?;
                    w.commit().await.map_err(err)?;
                    answer("acknowledged", "已阅", on + Days::new(3), sub2).await?;
                }
            }
            _ => {}
        }
    }
    Ok(schools.len())
}
