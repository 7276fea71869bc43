//! Accountability (issue 17) over HTTP: a school's office opens a case about two of its people
//! for a failure sixty days ago; the steps are refused out of order (naming the step they need),
//! the start is approved only by the school's administrator, a subject cannot investigate; the
//! holders of the roles are those of the day of the failure (the deputy was replaced since); the
//! minutes record one participant's 反对, and the rule suggests no responsibility for them; an
//! allocation differing from the suggestion needs its reason; the decision is filed with the
//! bureau and acknowledged there; an appeal after its window is refused naming the day it closed;
//! the decision's effect bars 评先评优 for the year; the 决定书 is a DOCX; a peer school sees
//! nothing and a subject sees only their own part. On SQLite, and on PostgreSQL when configured.

use chrono::{Duration, NaiveDate};
use reqwest::StatusCode;
use serde_json::{json, Value};
use zeren_core::accountability::{may_be_commended, Subject};
use zeren_core::org::PersonId;
use zeren_store::accountability::AccountabilityRead;
use zeren_store::testdb::TestDb;
use zeren_store::{Actor, AdminDuty, Level, NewPerson, Read};

use crate::helpers::*;

fn unzip(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut f = z.by_name(name).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut f, &mut s).unwrap();
    s
}

struct People {
    school: i64,
    peer: i64,
    bureau: i64,
    teacher: i64,
    deputy_then: i64,
    secretary: i64,
    office: i64,
}

async fn tree(app: &App, today: NaiveDate) -> People {
    let bureau = app.setup("bureau", "河东区教体局").await;
    let hash = zeren_web::auth::hash_password(PASSWORD).unwrap();
    let mut w = app.store.write(&Actor::system()).await.unwrap();
    let school = w
        .create_unit(Some(bureau), "河东区第一中学", "学校")
        .await
        .unwrap()
        .id;
    let peer = w
        .create_unit(Some(bureau), "河东区第二中学", "学校")
        .await
        .unwrap()
        .id;
    let text = zeren_policy::packs::get("district-school").unwrap().text;
    let inst = w
        .install_policy(school, "district-school", "1", "实施办法", text, "x")
        .await
        .unwrap();
    w.set_policy_effective_from(inst.id, today - Duration::days(400))
        .await
        .unwrap();
    let mut ids = Vec::new();
    for (name, unit) in [
        ("王书记", school),
        ("办公室李明", school),
        ("教师赵红", school),
        ("副校长孙强", school),
        ("副校长钱伟", school),
        ("局办周敏", bureau),
        ("二中办公室", peer),
    ] {
        let p = w
            .create_person(&NewPerson {
                unit_id: unit,
                name: name.into(),
                ..NewPerson::default()
            })
            .await
            .unwrap();
        ids.push(p.id);
    }
    let (secretary, office, teacher, deputy_then, deputy_now, bureau_person, peer_person) =
        (ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6]);
    let long_ago = today - Duration::days(400);
    w.assign(secretary, school, "first_responsible", long_ago)
        .await
        .unwrap();
    // The deputy of the day of the failure was replaced thirty days ago.
    let then = w
        .assign(deputy_then, school, "deputy_leader", long_ago)
        .await
        .unwrap();
    w.end_assignment(then.id, today - Duration::days(31))
        .await
        .unwrap();
    w.assign(
        deputy_now,
        school,
        "deputy_leader",
        today - Duration::days(30),
    )
    .await
    .unwrap();
    for (user, person, unit, level) in [
        ("secretary", secretary, school, Some(Level::Administer)),
        ("office", office, school, Some(Level::Edit)),
        ("teacher", teacher, school, None),
        ("bureau", bureau_person, bureau, Some(Level::Edit)),
        ("peer", peer_person, peer, Some(Level::Edit)),
    ] {
        let a = w
            .create_account(user, Some(person), &hash, AdminDuty::None)
            .await
            .unwrap();
        if let Some(l) = level {
            w.set_grant(a.id, unit, l).await.unwrap();
        }
    }
    w.commit().await.unwrap();
    People {
        school,
        peer,
        bureau,
        teacher,
        deputy_then,
        secretary,
        office,
    }
}

async fn act(c: &Client, id: i64, body: Value) -> Resp {
    c.json(&format!("/api/v1/accountability/{id}/actions"), body)
        .await
}

fn day(d: NaiveDate) -> String {
    d.to_string()
}

#[tokio::test]
async fn a_case_runs_its_due_process_from_lead_to_filing() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let today = zeren_web::today();
        let t = tree(&app, today).await;
        let office = app.login("office").await;
        let secretary = app.login("secretary").await;
        let bureau = app.login("bureau").await;
        let teacher = app.login("teacher").await;
        let peer = app.login("peer").await;
        let d = |n: i64| day(today - Duration::days(n));

        // Opening: refused beside the fields, then opened.
        let r = office
            .json(
                "/api/v1/accountability",
                json!({ "unit_id": t.school, "title": "", "lead": "x", "event_on": d(60), "subjects": [] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("请填写案件名称"), "{}", r.text);
        let r = peer
            .json(
                "/api/v1/accountability",
                json!({ "unit_id": t.school, "title": "x", "lead": "x", "event_on": d(60), "subjects": [format!("person:{}", t.teacher)] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        let r = office
            .json(
                "/api/v1/accountability",
                json!({ "unit_id": t.school, "title": "关于公众号错误信息的问责", "lead": "学校公众号发布未经审核的信息，造成不良影响。",
                        "event_on": d(60), "opened_on": d(56),
                        "subjects": [format!("person:{}", t.teacher), format!("person:{}", t.deputy_then), format!("unit:{}", t.school)],
                        "circumstances": ["problems_in_work"] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let id = r.json()["case"]["id"].as_i64().unwrap();
        let teacher_key = format!("person:{}", t.teacher);
        let deputy_key = format!("person:{}", t.deputy_then);
        let school_key = format!("unit:{}", t.school);

        // Nobody else sees it: a peer school, a reader; a subject sees only their own part.
        assert_eq!(
            peer.get(&format!("/api/v1/accountability/{id}"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            peer.get(&format!("/accountability/{id}")).await.status,
            StatusCode::FORBIDDEN
        );
        let mine = teacher.get(&format!("/api/v1/accountability/{id}")).await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
        let subjects = mine.json()["subjects"].as_array().unwrap().clone();
        assert_eq!(subjects.len(), 1, "{}", mine.text);
        assert_eq!(subjects[0]["key"], json!(teacher_key));
        assert!(!mine.text.contains("副校长孙强"), "{}", mine.text);

        // The order cannot be broken: each skip is refused naming the first step it needs.
        let r = act(
            &office,
            id,
            json!({ "action": "decide", "subject": teacher_key, "measures": ["约谈"], "responsibility": "main", "on": d(50) }),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("须先完成“初步核实”"), "{}", r.text);
        let r = act(
            &office,
            id,
            json!({ "action": "check", "text": "经核实，情况属实", "proceed": true, "on": d(57) }),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("日期不能早于上一步骤"), "{}", r.text);
        let r = act(
            &office,
            id,
            json!({ "action": "check", "text": "经核实，情况属实", "proceed": true, "on": d(55) }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = act(
            &office,
            id,
            json!({ "action": "team", "members": [t.office, t.secretary], "on": d(54) }),
        )
        .await;
        assert!(r.text.contains("须先完成“批准启动问责调查”"), "{}", r.text);
        // Only the unit's administrator approves (the pack names no approver role).
        let r = act(&office, id, json!({ "action": "approve", "on": d(54) })).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("批准人须为"), "{}", r.text);
        let r = act(&secretary, id, json!({ "action": "approve", "on": d(54) })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = act(
            &office,
            id,
            json!({ "action": "team", "members": [t.office], "on": d(53) }),
        )
        .await;
        assert!(r.text.contains("调查组不得少于两人"), "{}", r.text);
        let r = act(
            &office,
            id,
            json!({ "action": "team", "members": [t.office, t.teacher], "on": d(53) }),
        )
        .await;
        assert!(r.text.contains("问责对象不得参加调查组"), "{}", r.text);
        let r = act(
            &office,
            id,
            json!({ "action": "team", "members": [t.office, t.secretary], "on": d(53) }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);

        // The holders of the roles are those of the day of the failure, not today's.
        let page = office.get(&format!("/accountability/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        let holders = page
            .text
            .split("id=\"holders\"")
            .nth(1)
            .unwrap()
            .split("</section>")
            .next()
            .unwrap()
            .to_string();
        assert!(holders.contains("副校长孙强"), "{holders}");
        assert!(!holders.contains("副校长钱伟"), "{holders}");
        assert!(holders.contains("王书记"), "{holders}");

        for (subject, n) in [(&teacher_key, 52), (&deputy_key, 52), (&school_key, 52)] {
            let r = act(
                &office,
                id,
                json!({ "action": "facts", "subject": subject, "on": d(n) }),
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        }
        // Every point of a statement is answered; not adopted needs its reason.
        let r = act(
            &office,
            id,
            json!({ "action": "statement", "subject": teacher_key, "on": d(51),
                    "points": [{ "point": "信息由他人提供", "adopted": false, "reason": "" }] }),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("不予采纳的须说明理由"), "{}", r.text);
        let r = act(
            &office,
            id,
            json!({ "action": "statement", "subject": teacher_key, "on": d(51),
                    "points": [{ "point": "信息由他人提供", "adopted": false, "reason": "发布前未按规定送审，责任在发布人" },
                               { "point": "已及时删除", "adopted": true }] }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        for subject in [&deputy_key, &school_key] {
            let r = act(
                &office,
                id,
                json!({ "action": "statement", "subject": subject, "declined": true, "on": d(51) }),
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        }

        // The minutes of the decision at fault: the deputy opposed; the rule exempts him.
        let r = office
            .json(
                &format!("/api/v1/accountability/{id}/minutes"),
                json!({ "meeting": "校务会（2026年第3次）", "participants": [
                    { "person_id": t.secretary, "seat": "head", "position": "agreed" },
                    { "person_id": t.deputy_then, "seat": "member", "position": "opposed", "words": "未经审核不得发布" },
                    { "person_id": t.teacher, "seat": "member", "position": "agreed" }
                ] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let c = r.json();
        let suggested = |key: &str| {
            c["subjects"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["key"] == json!(key))
                .unwrap()["suggested"]
                .clone()
        };
        assert_eq!(suggested(&deputy_key), json!("none"));
        assert_eq!(suggested(&teacher_key), json!("important"));
        assert!(office
            .get(&format!("/accountability/{id}"))
            .await
            .text
            .contains("在集体决策中明确提出反对意见且未被采纳，不承担责任"));

        let r = act(
            &office,
            id,
            json!({ "action": "discuss", "meeting": "党支部会议（2026年第5次）", "on": d(50) }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        // An allocation that differs from the suggestion needs its reason.
        let r = act(
            &office,
            id,
            json!({ "action": "decide", "subject": teacher_key, "measures": ["约谈"], "responsibility": "main", "on": d(49) }),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("须写明理由"), "{}", r.text);
        let r = act(
            &office,
            id,
            json!({ "action": "decide", "subject": teacher_key, "measures": ["撤职"], "responsibility": "important", "on": d(49) }),
        )
        .await;
        assert!(r.text.contains("不是实施办法规定的问责方式"), "{}", r.text);
        let r = act(
            &office,
            id,
            json!({ "action": "decide", "subject": teacher_key, "measures": ["约谈"], "responsibility": "main",
                    "reason": "信息系其本人起草并发布", "no_commendation": true, "on": d(49) }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = act(
            &office,
            id,
            json!({ "action": "decide", "subject": deputy_key, "measures": ["约谈"], "responsibility": "none", "on": d(49) }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = act(
            &office,
            id,
            json!({ "action": "decide", "subject": school_key, "measures": ["问责"], "no_commendation": true, "on": d(49) }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        for subject in [&teacher_key, &deputy_key, &school_key] {
            let r = act(
                &office,
                id,
                json!({ "action": "serve", "subject": subject, "on": d(45) }),
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        }

        // Filed with the bureau; only the bureau acknowledges it; the school cannot.
        let r = act(&bureau, id, json!({ "action": "receive", "on": d(44) })).await;
        assert!(r.text.contains("须先完成“报备”"), "{}", r.text);
        let r = act(&office, id, json!({ "action": "file", "on": d(44) })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json()["filed_with"], json!(t.bureau));
        let r = act(&office, id, json!({ "action": "receive", "on": d(43) })).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        let list = bureau.get("/accountability").await;
        assert!(
            list.text
                .split("id=\"awaiting\"")
                .nth(1)
                .is_some_and(|s| s.contains("关于公众号错误信息的问责")),
            "{}",
            list.text
        );
        let r = act(&bureau, id, json!({ "action": "receive", "on": d(43) })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(r.json()["filing_received"].is_string());

        // An appeal after its window (one month after service) is refused naming the day.
        let closed = (today - Duration::days(45))
            .checked_add_months(chrono::Months::new(1))
            .unwrap();
        let r = act(
            &teacher,
            id,
            json!({ "action": "appeal", "subject": teacher_key, "grounds": "处理过重" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(
            r.text.contains(&format!(
                "申诉期限已于{}届满",
                closed.format("%Y年%m月%d日")
            )),
            "{}",
            r.text
        );
        // A subject acts only on their own part.
        let r = act(
            &teacher,
            id,
            json!({ "action": "appeal", "subject": deputy_key, "grounds": "x" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);

        // The effect: no 评先评优 in the year of the decision, for the teacher and the school.
        let effects = app
            .store
            .reader()
            .await
            .unwrap()
            .accountability_effects(&[
                Subject::Person(PersonId(t.teacher)),
                Subject::Person(PersonId(t.deputy_then)),
            ])
            .await
            .unwrap();
        assert_eq!(effects.len(), 1, "{effects:?}");
        let decided = today - Duration::days(49);
        let year_start = NaiveDate::from_ymd_opt(chrono::Datelike::year(&decided), 1, 1).unwrap();
        let year_end = NaiveDate::from_ymd_opt(chrono::Datelike::year(&decided), 12, 31).unwrap();
        assert!(!may_be_commended(
            &effects,
            Subject::Person(PersonId(t.teacher)),
            year_start,
            year_end
        ));
        assert!(may_be_commended(
            &effects,
            Subject::Person(PersonId(t.deputy_then)),
            year_start,
            year_end
        ));

        // …and in the assessment cycle of that year, the school may not be commended; its peer may.
        let policy = app
            .store
            .reader()
            .await
            .unwrap()
            .policy_in_force(t.school)
            .await
            .unwrap()
            .unwrap();
        let y = chrono::Datelike::year(&decided);
        let ymd = |m: u32, d: u32, plus: i32| NaiveDate::from_ymd_opt(y + plus, m, d).unwrap();
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        let cycle = w
            .open_assessment_cycle(&zeren_store::assessment::NewCycle {
                unit_id: t.bureau,
                installed_policy_id: policy.id,
                title: format!("{y}年度考核"),
                scope_kind: "学校".into(),
                dates: zeren_core::assessment::CycleDates {
                    period_start: ymd(1, 1, 0),
                    period_end: ymd(12, 31, 0),
                    self_due_on: ymd(1, 10, 1),
                    review_due_on: ymd(1, 20, 1),
                    appeal_until: ymd(1, 30, 1),
                },
            })
            .await
            .unwrap();
        w.commit().await.unwrap();
        let r = bureau
            .get(&format!("/api/v1/assessment/cycles/{}/ranking", cycle.id))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let barred = |unit: i64| {
            r.json()["units"]
                .as_array()
                .unwrap()
                .iter()
                .find(|u| u["unit_id"] == json!(unit))
                .unwrap()["no_commendation"]
                .clone()
        };
        assert_eq!(barred(t.school), json!(true), "{}", r.text);
        assert_eq!(barred(t.peer), json!(false), "{}", r.text);
        let page = bureau
            .get(&format!("/assessment/{}/ranking", cycle.id))
            .await;
        assert!(
            page.text
                .contains(&format!("问责决定：取消{y}年度考核评优和评先资格")),
            "{}",
            page.text
        );

        // The 决定书, in 公文 style, with the measure, the allocation and the effect.
        let docx = office
            .get(&format!("/accountability/{id}/decisions/0"))
            .await;
        assert_eq!(docx.status, StatusCode::OK, "{}", docx.text);
        let subjects = app
            .store
            .reader()
            .await
            .unwrap()
            .case_subjects(id)
            .await
            .unwrap();
        let teacher_pos = subjects
            .iter()
            .position(|s| s.subject == Subject::Person(PersonId(t.teacher)))
            .unwrap();
        let docx = teacher
            .get(&format!("/accountability/{id}/decisions/{teacher_pos}"))
            .await;
        assert_eq!(docx.status, StatusCode::OK, "{}", docx.text);
        let xml = unzip(&docx.body, "word/document.xml");
        for text in [
            "关于对教师赵红予以问责的决定",
            "约谈",
            "主要领导责任",
            "取消",
            "不予采纳",
        ] {
            assert!(xml.contains(text), "{text} in the decision");
        }
        // Another subject's decision is not the teacher's to read.
        let other = (0..subjects.len()).find(|i| *i != teacher_pos).unwrap();
        assert_eq!(
            teacher
                .get(&format!("/accountability/{id}/decisions/{other}"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let filing = office.get(&format!("/accountability/{id}/filing")).await;
        assert_eq!(filing.status, StatusCode::OK);
        assert!(unzip(&filing.body, "word/document.xml").contains("问责情况报备表"));
        // The ledger of measures shows the three decisions.
        let ledger = office
            .get(&format!("/units/{}/accountability-measures", t.school))
            .await;
        assert_eq!(ledger.status, StatusCode::OK);
        assert_eq!(
            ledger.text.matches("<tr><td>").count(),
            3,
            "{}",
            ledger.text
        );
        assert_eq!(
            teacher
                .get(&format!("/units/{}/accountability-measures", t.school))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
}
