//! The incident store: an incident with report versions and events, deliveries into the
//! recipients' inbox until their 签收, open and closed lists, what waits on the clock, one of two
//! simultaneous acts stored, and nothing ever edited. On SQLite and (with
//! ZEREN_TEST_DATABASE_URL) on PostgreSQL.

use chrono::{DateTime, Duration, Utc};
use zeren_core::incident::{Channel, Event, ReportKind, Stage, Timeliness};
use zeren_core::org::{PersonId, UnitId};
use zeren_policy::LevelId;
use zeren_store::incidents::*;
use zeren_store::testdb::TestDb;
use zeren_store::*;

const POLICY: &str = include_str!("../../zeren-policy/tests/fixtures/network-security.toml");

struct Fixture {
    store: Store,
    county: i64,
    school: i64,
    other: i64,
    person: i64,
    policy: i64,
}

async fn fixture(db: &TestDb) -> Fixture {
    let store = Store::open(&db.url, HashAlg::Sha256).await.unwrap();
    let mut w = store.write(&Actor::system()).await.unwrap();
    let county = w.create_unit(None, "县教育局", "局").await.unwrap();
    let school = w
        .create_unit(Some(county.id), "实验中学", "学校")
        .await
        .unwrap();
    let other = w
        .create_unit(Some(county.id), "第二中学", "学校")
        .await
        .unwrap();
    let person = w
        .create_person(&NewPerson {
            unit_id: school.id,
            name: "网络管理员".into(),
            ..NewPerson::default()
        })
        .await
        .unwrap();
    let policy = w
        .install_policy(county.id, "network-security", "1", "网络安全", POLICY, "x")
        .await
        .unwrap();
    w.commit().await.unwrap();
    Fixture {
        store,
        county: county.id,
        school: school.id,
        other: other.id,
        person: person.id,
        policy: policy.id,
    }
}

fn level(s: &str) -> LevelId {
    LevelId::parse(s).unwrap()
}

#[tokio::test]
async fn an_incident_is_stored_delivered_acknowledged_and_never_edited() {
    for db in TestDb::all().await {
        let f = fixture(&db).await;
        let known: DateTime<Utc> = now() - Duration::hours(5);
        let mut w = f.store.write(&Actor::system()).await.unwrap();
        let incident = w
            .create_incident(&NewIncident {
                unit_id: f.school,
                installed_policy_id: f.policy,
                kind_id: "outage".into(),
                level_id: "large".into(),
                suggested_level_id: Some("large".into()),
                title: "校园网中断".into(),
                place: "信息中心机房".into(),
                occurred_at: Some(known - Duration::minutes(20)),
                known_at: known,
                facts: [("outage_hours".to_string(), 7)].into_iter().collect(),
                reporter_person_id: f.person,
            })
            .await
            .unwrap();
        let v = w
            .add_incident_report_version(
                incident.id,
                &NewReportVersion {
                    report: "initial".into(),
                    body: "上午9时校园网中断".into(),
                    measures: "启动应急预案".into(),
                    attachments: Vec::new(),
                },
            )
            .await
            .unwrap();
        assert_eq!((v.version, v.report.as_str()), (1, "initial"));
        let by = PersonId(f.person);
        let drafted = Event::Drafted {
            report: ReportKind::Initial,
            by,
            at: known + Duration::minutes(30),
            hash: v.hash.clone(),
        };
        let sent = Event::Sent {
            report: ReportKind::Initial,
            channel: Channel::Written,
            by,
            at: known + Duration::minutes(50),
            to: vec![UnitId(f.county)],
            hash: Some(v.hash.clone()),
        };
        for (seq, e) in [(0, &drafted), (1, &sent)] {
            w.append_incident_event(incident.id, seq, e, Stage::Open, &level("large"))
                .await
                .unwrap();
        }
        w.commit().await.unwrap();

        // A second version of the same report is version 2; the first stays.
        let mut w = f.store.write(&Actor::system()).await.unwrap();
        let v2 = w
            .add_incident_report_version(
                incident.id,
                &NewReportVersion {
                    report: "initial".into(),
                    body: "更正：上午9时10分校园网中断".into(),
                    measures: "启动应急预案".into(),
                    attachments: Vec::new(),
                },
            )
            .await
            .unwrap();
        assert_eq!(v2.version, 2);
        assert_ne!(v2.hash, v.hash);
        w.commit().await.unwrap();

        // The county's inbox holds the 初报 until it acknowledges it.
        let mut r = f.store.reader().await.unwrap();
        let waiting = r.awaiting_incident_receipts(&[f.county]).await.unwrap();
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0].report, "initial");
        assert_eq!(waiting[0].incident_unit_name, "实验中学");
        assert_eq!(waiting[0].delivered_at, known + Duration::minutes(50));
        assert!(r
            .awaiting_incident_receipts(&[f.other])
            .await
            .unwrap()
            .is_empty());
        drop(r);

        // Two acknowledgements at once: exactly one is stored.
        let received = Event::Received {
            report: ReportKind::Initial,
            unit: UnitId(f.county),
            by,
            at: known + Duration::hours(1),
        };
        let mut w = f.store.write(&Actor::system()).await.unwrap();
        w.append_incident_event(incident.id, 2, &received, Stage::Open, &level("large"))
            .await
            .unwrap();
        w.commit().await.unwrap();
        let mut w = f.store.write(&Actor::system()).await.unwrap();
        let again = w
            .append_incident_event(incident.id, 2, &received, Stage::Open, &level("large"))
            .await;
        assert!(matches!(again, Err(Error::Conflict(m)) if m == MOVED_ON));
        drop(w);

        let mut r = f.store.reader().await.unwrap();
        assert!(r
            .awaiting_incident_receipts(&[f.county])
            .await
            .unwrap()
            .is_empty());
        let events = r.incident_events(incident.id).await.unwrap();
        assert_eq!(events.len(), 3);
        assert_eq!(events[2].event, received);
        assert_eq!(events[2].unit_id, Some(f.county));
        assert_eq!(events[1].report.as_deref(), Some("initial"));
        let reports = r.incident_reports(incident.id).await.unwrap();
        assert_eq!(reports.len(), 2);
        let open = r
            .incidents(&IncidentFilter {
                subtree_of: Some(f.county),
                open: Some(true),
                ..IncidentFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].stage, "open");
        assert_eq!(open[0].unit_name, "实验中学");
        assert!(r
            .incidents(&IncidentFilter {
                subtree_of: Some(f.other),
                ..IncidentFilter::default()
            })
            .await
            .unwrap()
            .is_empty());
        drop(r);

        // Raised and closed: the list follows the last event.
        let mut w = f.store.write(&Actor::system()).await.unwrap();
        let raised = Event::LevelRaised {
            unit: UnitId(f.county),
            by,
            at: known + Duration::hours(2),
            to: level("major"),
            reason: "影响扩大".into(),
        };
        w.append_incident_event(incident.id, 3, &raised, Stage::Open, &level("major"))
            .await
            .unwrap();
        let accepted = Event::ClosureAccepted {
            by,
            at: known + Duration::hours(4),
            comment: "同意办结".into(),
        };
        w.append_incident_event(incident.id, 4, &accepted, Stage::Closed, &level("major"))
            .await
            .unwrap();
        w.commit().await.unwrap();
        let mut r = f.store.reader().await.unwrap();
        let closed = r
            .incidents(&IncidentFilter {
                open: Some(false),
                ..IncidentFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(
            (
                closed.len(),
                closed[0].stage.as_str(),
                closed[0].level_id.as_str()
            ),
            (1, "closed", "major")
        );
        assert!(r
            .open_incidents_touching(&[f.school, f.county])
            .await
            .unwrap()
            .is_empty());
        drop(r);

        for sql in [
            "UPDATE incidents SET title = 'x'",
            "DELETE FROM incidents",
            "UPDATE incident_report_versions SET body = 'x'",
            "DELETE FROM incident_report_versions",
            "UPDATE incident_events SET event = '{}'",
            "DELETE FROM incident_events",
            "UPDATE incident_deliveries SET unit_id = unit_id",
            "DELETE FROM incident_deliveries",
        ] {
            assert!(db.exec_raw(sql).await.is_err(), "refused: {sql}");
        }
        let audit = f.store.verify_audit().await.unwrap();
        assert!(audit.first_break.is_none());
        f.store.close().await;
        db.drop_db().await;
    }
}

#[tokio::test]
async fn what_waits_on_the_clock_is_the_acting_units_and_counts_down() {
    for db in TestDb::all().await {
        let f = fixture(&db).await;
        let known = now() - Duration::minutes(90);
        let mut w = f.store.write(&Actor::system()).await.unwrap();
        let incident = w
            .create_incident(&NewIncident {
                unit_id: f.school,
                installed_policy_id: f.policy,
                kind_id: "cyber_attack".into(),
                level_id: "large".into(),
                title: "网站被篡改".into(),
                place: "学校门户网站".into(),
                known_at: known,
                reporter_person_id: f.person,
                ..NewIncident::default()
            })
            .await
            .unwrap();
        w.commit().await.unwrap();
        // 较大: 4 hours from when it became known, to the parent; the school must report.
        let at = known + Duration::minutes(90);
        let pending = pending_clocks(&f.store, &[f.school], at).await.unwrap();
        assert_eq!(pending.len(), 1, "{pending:?}");
        assert_eq!(pending[0].incident_id, incident.id);
        assert_eq!(pending[0].what_zh, "初报");
        assert_eq!(pending[0].due_at, Some(known + Duration::hours(4)));
        assert!(
            matches!(pending[0].timeliness, Timeliness::Pending { minutes_left } if minutes_left == 150),
            "{:?}",
            pending[0].timeliness
        );
        // Past the deadline with nothing sent: 漏报, still listed.
        let late = pending_clocks(&f.store, &[f.school], known + Duration::hours(5))
            .await
            .unwrap();
        assert_eq!(late[0].timeliness, Timeliness::Missing { minutes: 60 });
        // Not the county's to do, nor a peer's.
        assert!(pending_clocks(&f.store, &[f.county, f.other], at)
            .await
            .unwrap()
            .is_empty());
        f.store.close().await;
        db.drop_db().await;
    }
}
