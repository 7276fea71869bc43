//! The other lists a page at a time over HTTP (issue 13): the audit log (API and page), the
//! people of a subtree and the units a viewer reads. Following the `Link` header (or the page's
//! 更早 link) to the end gives the whole list, in order, and the last page names no next one.

use reqwest::StatusCode;
use serde_json::Value;
use zeren_store::testdb::TestDb;
use zeren_store::{Actor, NewPerson, Read};

use crate::helpers::*;

/// Every row of a list, following `Link: <…>; rel="next"` from `first`; each page at most
/// `limit` rows and, when another follows, full.
async fn follow(c: &Client, first: &str, limit: usize) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let mut next = Some(first.to_string());
    let mut pages = 0;
    while let Some(path) = next.take() {
        let page = c.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.text);
        let rows = page.json().as_array().unwrap().clone();
        assert!(rows.len() <= limit, "{path}");
        next = page.headers.get("link").map(|l| {
            let l = l.to_str().unwrap();
            assert!(
                l.starts_with("</api/v1/") && l.ends_with(">; rel=\"next\""),
                "{l}"
            );
            l[1..l.find('>').unwrap()].to_string()
        });
        if next.is_some() {
            assert_eq!(rows.len(), limit, "{path}: a page before the last is full");
        }
        out.extend(rows);
        pages += 1;
        assert!(pages < 500, "the cursor moves on");
    }
    assert!(pages > 2, "{first}: several pages");
    out
}

fn ids(rows: &[Value], key: &str) -> Vec<i64> {
    rows.iter().map(|r| r[key].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn lists_page_to_the_end_by_their_link_headers() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let top = app.setup("district-school", "市第一中学").await;
        // Departments with people, namesakes among them.
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        let names = ["王芳", "李娜", "张伟", "王芳", "刘洋"];
        for d in 0..6 {
            let dept = w
                .create_unit(Some(top), &format!("第{d}教研组"), "部门")
                .await
                .unwrap()
                .id;
            for k in 0..(3 + d) {
                w.create_person(&NewPerson {
                    unit_id: dept,
                    name: names[(d + k) % names.len()].into(),
                    ..NewPerson::default()
                })
                .await
                .unwrap();
            }
        }
        w.commit().await.unwrap();
        let sys = app.login("sysadmin").await;

        // People of the subtree, by name: pages of four give what one answer gives.
        let whole = sys.get(&format!("/api/v1/people?unit={top}")).await;
        assert!(
            whole.headers.get("link").is_none(),
            "one page holds them all"
        );
        let whole: Vec<Value> = whole.json().as_array().unwrap().clone();
        assert!(whole.len() > 30, "{}", whole.len());
        let paged = follow(&sys, &format!("/api/v1/people?unit={top}&limit=4"), 4).await;
        assert_eq!(paged, whole);
        let bad = sys
            .get(&format!("/api/v1/people?unit={top}&after=987654"))
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);

        // The units the viewer reads, by id.
        let whole = sys.get("/api/v1/units").await;
        assert!(whole.headers.get("link").is_none());
        let whole: Vec<Value> = whole.json().as_array().unwrap().clone();
        assert_eq!(whole.len(), 7);
        let paged = follow(&sys, "/api/v1/units?limit=2", 2).await;
        assert_eq!(paged, whole);
        let mut sorted = ids(&whole, "id");
        sorted.sort();
        assert_eq!(ids(&whole, "id"), sorted);

        // The audit log, newest first, filtered: pages of two to the first entry of the kind.
        let aud = app.login("auditadmin").await;
        let log = app
            .store
            .reader()
            .await
            .unwrap()
            .audit_page(0, i64::MAX)
            .await
            .unwrap();
        let units: Vec<i64> = log
            .iter()
            .rev()
            .filter(|e| e.entity_type == "unit")
            .map(|e| e.seq)
            .collect();
        let paged = follow(&aud, "/api/v1/audit?entity=unit&limit=2", 2).await;
        assert_eq!(ids(&paged, "seq"), units);
        // Unfiltered: entries written while paging (the auditor's own reads) come before the
        // first page and do not shift the pages after it.
        let paged = follow(&aud, "/api/v1/audit?limit=10", 10).await;
        let seqs = ids(&paged, "seq");
        let first = seqs[0];
        let log = app
            .store
            .reader()
            .await
            .unwrap()
            .audit_page(0, i64::MAX)
            .await
            .unwrap();
        assert!(
            log.last().unwrap().seq > first,
            "the reads were audited meanwhile"
        );
        let before: Vec<i64> = log
            .iter()
            .rev()
            .map(|e| e.seq)
            .filter(|&s| s <= first)
            .collect();
        assert_eq!(seqs, before);
        assert_eq!(*seqs.last().unwrap(), 1, "to the chain's first entry");
        // A cursor that is not a number is refused.
        for path in ["/api/v1/audit?before=x", "/api/v1/units?after=x"] {
            let c = if path.contains("audit") { &aud } else { &sys };
            assert_eq!(
                c.get(path).await.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path}"
            );
        }
        app.stop().await;
    }
}

/// The `href` of the link with this text on a page, unescaped.
fn href_of(html: &str, text: &str) -> Option<String> {
    let at = html.find(text)?;
    let a = html[..at].rfind("<a href=\"")? + "<a href=\"".len();
    let end = a + html[a..].find('"')?;
    Some(unescape(&html[a..end]))
}

#[tokio::test]
async fn the_audit_page_leads_to_older_entries() {
    for db in TestDb::all().await {
        let app = spawn_app(db).await;
        let top = app.setup("district-school", "市第一中学").await;
        let mut w = app.store.write(&Actor::system()).await.unwrap();
        for k in 0..230 {
            w.create_person(&NewPerson {
                unit_id: top,
                name: format!("教师{k}"),
                ..NewPerson::default()
            })
            .await
            .unwrap();
        }
        w.commit().await.unwrap();
        let persons: Vec<i64> = app
            .store
            .reader()
            .await
            .unwrap()
            .audit_page(0, i64::MAX)
            .await
            .unwrap()
            .iter()
            .rev()
            .filter(|e| e.entity_type == "person")
            .map(|e| e.seq)
            .collect();
        assert_eq!(persons.len(), 230);
        let aud = app.login("auditadmin").await;
        let mut path = "/audit?entity=person".to_string();
        let mut shown = Vec::new();
        for page in 0.. {
            let html = aud.get(&path).await;
            assert_eq!(html.status, StatusCode::OK, "{path}");
            let html = html.text;
            // The entries' numbers, the first cell of each row.
            for row in html.split("<tr><td>").skip(1) {
                shown.push(row[..row.find('<').unwrap()].parse::<i64>().unwrap());
            }
            // After the first page, a way back to the newest entries, with the same filter.
            assert_eq!(
                href_of(&html, "最新记录").as_deref(),
                (page > 0).then_some("/audit?entity=person"),
                "{path}"
            );
            match href_of(&html, "更早的记录") {
                Some(next) => {
                    assert!(next.starts_with("/audit?entity=person&before="), "{next}");
                    path = next;
                }
                None => break,
            }
        }
        assert_eq!(shown, persons, "every entry once, newest first, 100 a page");
        app.stop().await;
    }
}
