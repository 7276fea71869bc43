//! The inspection store: a plan with its units and team, a visit with evidence, a finding's events
//! appended in order with the row derived from them, one of two simultaneous acts stored, what
//! waits for whom (我的工作), the subtree's open findings counted, and no event or evidence ever
//! edited. On SQLite and (with ZEREN_TEST_DATABASE_URL) on PostgreSQL.

use chrono::{Days, NaiveDate};
use zeren_core::inspection::{Action, Actor as Who, Commitment, FindingState, FindingText, Side};
use zeren_core::org::{PersonId, UnitId};
use zeren_policy::RectificationKind;
use zeren_store::inspections::*;
use zeren_store::testdb::TestDb;
use zeren_store::*;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[tokio::test]
async fn a_finding_runs_its_loop_and_nothing_is_edited() {
    for db in TestDb::all().await {
        let store = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
        let mut w = store.write(&Actor::system()).await.unwrap();
        let bureau = w.create_unit(None, "教体局", "局").await.unwrap().id;
        let school = w
            .create_unit(Some(bureau), "一中", "学校")
            .await
            .unwrap()
            .id;
        let peer = w
            .create_unit(Some(bureau), "二中", "学校")
            .await
            .unwrap()
            .id;
        let person = |unit: i64, name: &str| NewPerson {
            unit_id: unit,
            name: name.into(),
            ..NewPerson::default()
        };
        let inspector = w.create_person(&person(bureau, "督查员")).await.unwrap().id;
        let head = w.create_person(&person(school, "校长")).await.unwrap().id;
        let start = day("2026-03-02");
        let i = w
            .create_inspection(&NewInspection {
                unit_id: bureau,
                title: "专项督查".into(),
                scope: "units".into(),
                starts_on: start,
                ends_on: start + Days::new(5),
                checklist: vec![CheckItem {
                    kind: "text".into(),
                    policy_id: None,
                    duty_id: None,
                    title: "是否落实".into(),
                    source: Some("L84".into()),
                }],
                units: vec![school, peer],
                team: vec![(inspector, true)],
                ..NewInspection::default()
            })
            .await
            .unwrap();
        let sha = w.put_attachment(b"photo", "image/jpeg").await.unwrap();
        w.add_visit(
            i.id,
            &NewVisit {
                unit_id: school,
                visited_on: start,
                notes: "座谈".into(),
                checks: vec![Check {
                    item: 0,
                    result: "problem".into(),
                    note: "不全".into(),
                }],
                files: vec![("照片.jpg".into(), sha.clone())],
            },
        )
        .await
        .unwrap();
        // Sending: the rules' first event, the row derived from it.
        let mut st = FindingState::default();
        let by = |p: i64, side| Who {
            person: PersonId(p),
            side,
        };
        let sent = st
            .check(
                by(inspector, Side::Inspector),
                Action::Send {
                    finding: FindingText {
                        unit: UnitId(school),
                        severity: None,
                        clause: "是否落实".into(),
                        source: None,
                        description: "学习无记录".into(),
                        evidence: vec![sha.clone()],
                        due: start + Days::new(30),
                    },
                },
                start,
            )
            .unwrap();
        st.push(&sent);
        let f = w
            .create_finding(i.id, school, &sent, &d(&st), &[("照片.jpg".into(), sha)])
            .await
            .unwrap();
        w.commit().await.unwrap();

        let mut r = store.reader().await.unwrap();
        assert_eq!(r.inspected_units(i.id).await.unwrap().len(), 2);
        assert_eq!(r.inspection_team(i.id).await.unwrap()[0].name, "督查员");
        assert_eq!(r.visits(i.id).await.unwrap()[0].files.len(), 1);
        let row = r.finding(f).await.unwrap().unwrap();
        assert_eq!(
            (row.stage.as_str(), row.due_on, row.sent_on),
            (
                "awaiting_commitment",
                Some(start + Days::new(30)),
                Some(start)
            )
        );
        // The school waits on it (its unit), the bureau not yet; the peer never.
        assert_eq!(r.open_findings_for(&[school], None).await.unwrap().len(), 1);
        assert!(r
            .open_findings_for(&[bureau], None)
            .await
            .unwrap()
            .is_empty());
        assert!(r.open_findings_for(&[peer], None).await.unwrap().is_empty());
        assert_eq!(r.open_findings_in_subtree(bureau).await.unwrap().len(), 1);
        assert!(r.open_findings_in_subtree(peer).await.unwrap().is_empty());
        drop(r);

        // A commitment proposed; two acts on the same state: only one gets in.
        let proposed = st
            .check(
                by(head, Side::Unit),
                Action::Propose {
                    commitment: Commitment {
                        kind: RectificationKind::Deadline,
                        measures: "补开学习".into(),
                        responsible: PersonId(head),
                        due: start + Days::new(20),
                    },
                },
                start + Days::new(1),
            )
            .unwrap();
        st.push(&proposed);
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.append_finding_event(f, 1, &proposed, &d(&st), &[])
            .await
            .unwrap();
        w.commit().await.unwrap();
        let mut w = store.write(&Actor::system()).await.unwrap();
        let again = w.append_finding_event(f, 1, &proposed, &d(&st), &[]).await;
        assert!(matches!(again, Err(Error::Conflict(m)) if m == MOVED_ON));
        drop(w);
        // The bureau now waits on it (a commitment to answer); accepted, the head answers for it.
        assert_eq!(
            store
                .reader()
                .await
                .unwrap()
                .open_findings_for(&[bureau], None)
                .await
                .unwrap()
                .len(),
            1
        );
        let accepted = st
            .check(
                by(inspector, Side::Inspector),
                Action::Accept { version: 1 },
                start + Days::new(2),
            )
            .unwrap();
        st.push(&accepted);
        let mut w = store.write(&Actor::system()).await.unwrap();
        w.append_finding_event(f, 2, &accepted, &d(&st), &[])
            .await
            .unwrap();
        w.commit().await.unwrap();
        let mut r = store.reader().await.unwrap();
        let mine = r.open_findings_for(&[], Some(head)).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(
            (
                mine[0].stage.as_str(),
                mine[0].due_on,
                mine[0].responsible_person_id
            ),
            ("rectifying", Some(start + Days::new(20)), Some(head))
        );
        let counts = r.open_findings_below(bureau).await.unwrap();
        assert_eq!(counts.len(), 1);
        assert_eq!((counts[0].count, counts[0].sent_on), (1, start));
        let events = r.finding_events(f).await.unwrap();
        assert_eq!(
            events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["sent", "commitment_proposed", "commitment_accepted"]
        );
        assert_eq!(events[0].files.len(), 1);
        drop(r);

        for sql in [
            "UPDATE finding_events SET event = '{}'",
            "DELETE FROM finding_events",
            "UPDATE finding_files SET file_name = 'x'",
            "DELETE FROM finding_files",
            "UPDATE visit_files SET file_name = 'x'",
            "DELETE FROM visit_files",
        ] {
            assert!(db.exec_raw(sql).await.is_err(), "refused: {sql}");
        }
        let audit = store.verify_audit().await.unwrap();
        assert!(audit.first_break.is_none());
        store.close().await;
        db.drop_db().await;
    }
}

/// What the finding's row shows after `st`.
fn d(st: &FindingState) -> Derived<'_> {
    Derived {
        state: st,
        severity_title: String::new(),
        summary: "学习无记录".into(),
    }
}
