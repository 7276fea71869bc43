//! Every link a page shows can be opened by the one who sees it: the demo organisation is served,
//! each of its accounts signs in, and every link (and htmx fetch) on every page it can reach is
//! followed. A 403 means a page offered what its viewer may not open; a 5xx is a fault.

use std::collections::{BTreeSet, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_zeren");
const DEMO_PASSWORD: &str = "Zeren-demo-2026";
/// Pages fetched per account at the most; the demo is small, so this covers it.
const MAX_PAGES: usize = 600;

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("zeren-crawl-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn start(data: &Path) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--data",
            data.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ])
        .env_remove("ZEREN_DATABASE_URL")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("server exited before listening")
            .unwrap();
        if let Some(at) = line.find("listening on http://") {
            let rest = &line[at + "listening on http://".len()..];
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines.by_ref() {});
    (child, addr)
}

struct Reply {
    status: u16,
    head: String,
    body: String,
}

fn request(addr: &str, method: &str, path: &str, cookie: &str, form: &str) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nCookie: {cookie}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    Reply {
        status: head.split_whitespace().nth(1).unwrap().parse().unwrap(),
        head: head.to_string(),
        body: body.to_string(),
    }
}

/// The session cookie after signing in as `user`.
fn login(addr: &str, user: &str) -> String {
    let r = request(
        addr,
        "POST",
        "/login",
        "",
        &format!("username={user}&password={DEMO_PASSWORD}"),
    );
    assert_eq!(r.status, 303, "login of {user}: {}", r.head);
    r.head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("set-cookie")
                .then(|| v.trim().split(';').next().unwrap().to_string())
        })
        .expect("a session cookie")
}

/// Same-origin links of a page: `href` and `hx-get` values that are paths.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "hx-get=\""] {
        for piece in html.split(attr).skip(1) {
            let url = piece.split('"').next().unwrap_or("").replace("&amp;", "&");
            if url.starts_with('/') && !url.starts_with("//") {
                out.push(url);
            }
        }
    }
    out
}

/// Follows every link from `/` as `user`; returns (pages fetched, refusals and faults).
fn crawl(addr: &str, user: &str) -> (usize, Vec<String>) {
    let cookie = login(addr, user);
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from(["/".to_string()]);
    let mut bad = Vec::new();
    let mut fetched = 0;
    while let Some(path) = queue.pop_front() {
        if fetched >= MAX_PAGES || !seen.insert(path.clone()) {
            continue;
        }
        // The language switch changes nothing a crawl needs to see twice.
        if path.starts_with("/lang/") || path.starts_with("/assets/") {
            continue;
        }
        fetched += 1;
        let r = request(addr, "GET", &path, &cookie, "");
        match r.status {
            403 => bad.push(format!("{user}: 403 {path}")),
            s if s >= 500 => bad.push(format!("{user}: {s} {path}")),
            301..=308 => {
                if let Some(to) = r.head.lines().find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("location")
                        .then(|| v.trim().to_string())
                }) {
                    queue.push_back(to);
                }
            }
            _ => {}
        }
        let is_html = r
            .head
            .to_ascii_lowercase()
            .contains("content-type: text/html");
        if r.status == 200 && is_html {
            queue.extend(links(&r.body));
        }
    }
    (fetched, bad)
}

#[test]
fn no_page_offers_a_link_its_viewer_cannot_open() {
    let data = temp_dir("demo");
    let d = data.to_str().unwrap();
    let o = Command::new(BIN)
        .args(["demo", "--data", d, "--units", "9", "--years", "1"])
        .env_remove("ZEREN_DATABASE_URL")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (mut child, addr) = start(&data);
    let mut bad = Vec::new();
    for user in [
        "clerk",
        "secretary",
        "bureau",
        "admin",
        "security",
        "auditor",
    ] {
        let (fetched, mut b) = crawl(&addr, user);
        assert!(fetched > 2, "{user} reached only {fetched} pages");
        eprintln!("{user}: {fetched} pages");
        bad.append(&mut b);
    }
    child.kill().unwrap();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&data);
    assert!(
        bad.is_empty(),
        "links their viewers cannot open:\n{}",
        bad.join("\n")
    );
}
