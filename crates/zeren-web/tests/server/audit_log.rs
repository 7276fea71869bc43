//! What the audit log shows though nothing changed: refusals, exports and downloads of personal
//! data, the auditor's own reads; and the audit page's incremental verification.

use reqwest::StatusCode;
use zeren_store::testdb::TestDb;
use zeren_store::{AuditEntry, AuditFilter, Read};

use crate::helpers::*;

async fn requests(app: &App, action: &str) -> Vec<AuditEntry> {
    let entries = app
        .store
        .reader()
        .await
        .unwrap()
        .audit_search(&AuditFilter {
            actor_account_id: None,
            entity_type: Some("request".into()),
            entity_id: None,
            from: None,
            to: None,
            before: None,
            limit: 10_000,
        })
        .await
        .unwrap();
    entries.into_iter().filter(|e| e.action == action).collect()
}

fn has(entries: &[AuditEntry], actor: &str, path: &str) -> bool {
    entries
        .iter()
        .any(|e| e.actor == actor && e.entity_id == path)
}

#[tokio::test]
async fn refusals_exports_and_the_auditors_reads_are_audited() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let top = app.setup("district-school", "环湖中学").await;
        let sys = app.login("sysadmin").await;
        let aud = app.login("auditadmin").await;

        // A 403 and a failed cross-site check, each with who and what.
        assert_eq!(sys.get("/audit").await.status, StatusCode::FORBIDDEN);
        assert_eq!(sys.get("/api/v1/audit").await.status, StatusCode::FORBIDDEN);
        let mut forged = sys.clone();
        forged.origin = false;
        let r = forged
            .form(
                &format!("/units/{top}/children"),
                &[("name", "x"), ("kind", "科室")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let refused = requests(&app, "request.refused").await;
        assert!(has(&refused, "sysadmin", "/audit"), "{refused:?}");
        assert!(has(&refused, "sysadmin", "/api/v1/audit"));
        let csrf = refused
            .iter()
            .find(|e| e.entity_id == format!("/units/{top}/children"))
            .expect("the forged request is audited");
        assert_eq!(csrf.details_json()["reason"], "csrf");
        assert_eq!(csrf.details_json()["method"], "POST");

        // Exports and downloads of personal data.
        let r = sys.get(&format!("/units/{top}/ledger.xlsx")).await;
        assert_eq!(r.status, StatusCode::OK);
        let r = sys.get(&format!("/api/v1/people?unit={top}")).await;
        assert_eq!(r.status, StatusCode::OK);
        // A template carries no one's data and is not audited.
        assert_eq!(sys.get("/roster/template.csv").await.status, StatusCode::OK);
        let exports = requests(&app, "data.export").await;
        assert!(has(
            &exports,
            "sysadmin",
            &format!("/units/{top}/ledger.xlsx")
        ));
        assert!(has(&exports, "sysadmin", "/api/v1/people"));
        assert_eq!(exports.len(), 2, "{exports:?}");

        // The auditor's own reads, with the filter used.
        let page = aud.get("/audit?entity=unit").await;
        assert_eq!(page.status, StatusCode::OK);
        let r = aud.get("/api/v1/audit?actor=1").await;
        assert_eq!(r.status, StatusCode::OK);
        let reads = requests(&app, "audit.read").await;
        assert!(has(&reads, "auditadmin", "/audit"));
        assert!(has(&reads, "auditadmin", "/api/v1/audit"));
        let page_read = reads.iter().find(|e| e.entity_id == "/audit").unwrap();
        assert_eq!(page_read.details_json()["query"], "entity=unit");
        // … and the auditor sees them labelled in Chinese.
        let log = aud.get("/audit?entity=request").await.text;
        assert!(log.contains("拒绝越权或跨站请求"), "{log}");
        assert!(log.contains("导出或下载含个人信息的数据"));
        assert!(log.contains("查阅审计日志"));
        app.stop().await;
    }
}

#[tokio::test]
async fn the_audit_page_verifies_from_the_last_verified_point() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        app.setup("district-school", "环湖中学").await;
        let aud = app.login("auditadmin").await;
        let first = aud.get("/audit").await.text;
        assert!(first.contains("审计链完整"), "{first}");
        // Some changes later, the next view checks only what came after the first.
        let sys = app.login("sysadmin").await;
        let top = app
            .store
            .reader()
            .await
            .unwrap()
            .root_units()
            .await
            .unwrap()[0]
            .id;
        let r = sys
            .form(
                &format!("/units/{top}/children"),
                &[("name", "教务处"), ("kind", "部门")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let second = aud.get("/audit").await.text;
        let marker = "本次自第 ";
        let at = second.find(marker).expect("says where it began") + marker.len();
        let from: i64 = second[at..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect::<String>()
            .parse()
            .unwrap();
        assert!(from > 10, "began at entry {from}, not at the start");
        // Tampering after the checkpoint is still found on the next view.
        let db = app.db.as_ref().unwrap();
        db.exec_raw("UPDATE audit_log SET entity_id = 'forged' WHERE seq = (SELECT MAX(seq) FROM audit_log)")
            .await
            .unwrap();
        let third = aud.get("/audit").await.text;
        assert!(third.contains("审计链在此处断裂"), "{third}");
        app.stop().await;
    }
}
