//! `zeren serve` and `zeren audit verify` as processes: first run creates the data directory,
//! an acknowledged write survives kill -9, SIGTERM stops gracefully, unknown configuration is
//! refused, and verification fails on a tampered chain.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_zeren");
const PASSWORD: &str = "Zeren-Passw0rd!";

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("zeren-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Start `zeren serve` on a free port; returns the child and its address.
fn start(data: &Path) -> (Child, String) {
    start_with(data, &[])
}

fn start_with(data: &Path, env: &[(&str, &str)]) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--data",
            data.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ])
        .env_remove("ZEREN_DATABASE_URL")
        .envs(env.iter().copied())
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
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.by_ref() {});
    (child, addr)
}

struct Reply {
    status: u16,
    head: String,
}

fn request(addr: &str, method: &str, path: &str, content_type: &str, body: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text.split_whitespace().nth(1).unwrap().parse().unwrap();
    Reply {
        status,
        head: text.split("\r\n\r\n").next().unwrap().to_string(),
    }
}

fn setup_body() -> (String, Vec<u8>) {
    let b = "zerenboundary";
    let mut body = String::new();
    for (k, v) in [
        ("pack", "primary-school"),
        ("unit_name", "下埔小学"),
        ("unit_kind", "学校"),
        ("system_username", "sysadmin"),
        ("system_password", PASSWORD),
        ("security_username", "secadmin"),
        ("security_password", PASSWORD),
        ("audit_username", "auditadmin"),
        ("audit_password", PASSWORD),
    ] {
        body.push_str(&format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!("--{b}--\r\n"));
    (
        format!("multipart/form-data; boundary={b}"),
        body.into_bytes(),
    )
}

fn verify(data: &Path) -> (bool, String) {
    let out = Command::new(BIN)
        .args(["audit", "verify", "--data", data.to_str().unwrap()])
        .env_remove("ZEREN_DATABASE_URL")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn first_run_crash_restart_shutdown_and_verify() {
    let data = temp_dir("life");
    let (mut child, addr) = start(&data);
    assert!(
        data.join("zeren.db").exists(),
        "first run creates the database"
    );
    assert_eq!(
        request(&addr, "GET", "/healthz", "text/plain", b"").status,
        200
    );
    assert_eq!(
        request(&addr, "GET", "/readyz", "text/plain", b"").status,
        200
    );
    let r = request(&addr, "GET", "/", "text/plain", b"");
    assert!(
        r.status == 303 && r.head.contains("location: /setup"),
        "{}",
        r.head
    );

    // Setup is acknowledged (303) …
    let (ct, body) = setup_body();
    let r = request(&addr, "POST", "/setup", &ct, &body);
    assert_eq!(r.status, 303, "{}", r.head);
    // … and survives kill -9.
    child.kill().unwrap();
    child.wait().unwrap();
    let (ok, out) = verify(&data);
    assert!(ok, "{out}");
    assert!(out.contains("audit chain intact"), "{out}");

    let (child, addr) = start(&data);
    let r = request(&addr, "GET", "/", "text/plain", b"");
    assert!(
        r.head.contains("location: /login"),
        "setup is remembered: {}",
        r.head
    );
    // SIGTERM: a graceful stop with a zero exit.
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut child = child;
    assert!(child.wait().unwrap().success());

    // Tampering is found and named.
    let url = format!("sqlite://{}", data.join("zeren.db").display());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(zeren_store::testdb::exec_raw(
        &url,
        "UPDATE audit_log SET actor = 'someone' WHERE seq = 2",
    ))
    .unwrap();
    let (ok, out) = verify(&data);
    assert!(!ok);
    assert!(out.contains("entry 2"), "{out}");
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn unknown_configuration_keys_stop_the_start() {
    let data = temp_dir("config");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("zeren.toml"), "lisen = \"127.0.0.1:0\"\n").unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--data", data.to_str().unwrap()])
        .env_remove("ZEREN_DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("lisen"));
    let missing = Command::new(BIN)
        .args(["audit", "verify", "--data", "/nonexistent/zeren"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn a_new_database_can_chain_its_audit_log_with_sm3() {
    let data = temp_dir("sm3");
    let (mut child, addr) = start_with(&data, &[("ZEREN_AUDIT_HASH", "sm3")]);
    let (ct, body) = setup_body();
    assert_eq!(request(&addr, "POST", "/setup", &ct, &body).status, 303);
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(child.wait().unwrap().success());
    let (ok, out) = verify(&data);
    assert!(ok && out.contains("sm3"), "{out}");
    let _ = std::fs::remove_dir_all(&data);
}
