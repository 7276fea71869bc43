//! The hardening commands as processes: the server keys the chain and holds its data
//! directory, `zeren backup` / `zeren restore` / `zeren audit verify` round-trip a live server's
//! data, `zeren audit rotate-key` keeps the chain verifiable, and `zeren account reset` gives a
//! one-time password.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_zeren");
const PASSWORD: &str = "Zeren-Passw0rd!";

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("zeren-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn zeren(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("ZEREN_DATABASE_URL")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
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

fn stop(mut child: Child) {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    assert!(child.wait().unwrap().success());
}

fn post(addr: &str, path: &str, content_type: &str, body: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    (
        text.split_whitespace().nth(1).unwrap().parse().unwrap(),
        text,
    )
}

fn setup(addr: &str) {
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
    let (status, text) = post(
        addr,
        "/setup",
        &format!("multipart/form-data; boundary={b}"),
        body.as_bytes(),
    );
    assert_eq!(status, 303, "{text}");
}

fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn login(addr: &str, user: &str, password: &str) -> u16 {
    let body = format!(
        "username={}&password={}",
        form_encode(user),
        form_encode(password)
    );
    post(
        addr,
        "/login",
        "application/x-www-form-urlencoded",
        body.as_bytes(),
    )
    .0
}

#[test]
fn backup_restore_verify_rotate_and_reset_from_the_command_line() {
    let data = temp_dir("data");
    let (child, addr) = start(&data);
    // The key was created private, and a second server on the same directory is refused.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("audit.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let second = zeren(&[
        "serve",
        "--data",
        data.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!second.status.success());
    assert!(text(&second).contains("in use"), "{}", text(&second));
    setup(&addr);

    // An online backup while the server runs.
    let archives = temp_dir("archives");
    std::fs::create_dir_all(&archives).unwrap();
    let archive = archives.join("backup.zip");
    let b = zeren(&[
        "backup",
        "--data",
        data.to_str().unwrap(),
        "--to",
        archive.to_str().unwrap(),
    ]);
    assert!(b.status.success(), "{}", text(&b));
    // Restoring over the running server's directory is refused.
    let r = zeren(&[
        "restore",
        "--from",
        archive.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ]);
    assert!(
        !r.status.success() && text(&r).contains("in use"),
        "{}",
        text(&r)
    );
    stop(child);

    // Into a new directory: restored, then verified by the command.
    let copy = temp_dir("copy");
    let r = zeren(&[
        "restore",
        "--from",
        archive.to_str().unwrap(),
        "--data",
        copy.to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", text(&r));
    let v = zeren(&["audit", "verify", "--data", copy.to_str().unwrap()]);
    let out = text(&v);
    assert!(v.status.success(), "{out}");
    assert!(
        out.contains("authenticated with the audit key from entry 1"),
        "{out}"
    );
    assert!(out.contains("stored state agrees"), "{out}");

    // Key rotation: recorded in the chain, which still verifies.
    let rot = zeren(&["audit", "rotate-key", "--data", copy.to_str().unwrap()]);
    assert!(rot.status.success(), "{}", text(&rot));
    assert!(
        text(&rot).contains("records the rotation as entry"),
        "{}",
        text(&rot)
    );
    let v = zeren(&["audit", "verify", "--data", copy.to_str().unwrap()]);
    assert!(v.status.success(), "{}", text(&v));

    // A server-side reset: a one-time password that logs in.
    let reset = zeren(&[
        "account",
        "reset",
        "sysadmin",
        "--data",
        copy.to_str().unwrap(),
    ]);
    let out = text(&reset);
    assert!(reset.status.success(), "{out}");
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("one-time password for sysadmin: "))
        .unwrap()
        .trim()
        .to_string();
    assert_eq!(password.len(), 20);
    let unknown = zeren(&[
        "account",
        "reset",
        "nobody",
        "--data",
        copy.to_str().unwrap(),
    ]);
    assert!(!unknown.status.success());
    let (child, addr) = start(&copy);
    assert_eq!(
        login(&addr, "sysadmin", PASSWORD),
        401,
        "the old password is gone"
    );
    assert_eq!(login(&addr, "sysadmin", &password), 303);
    stop(child);
    let v = zeren(&["audit", "verify", "--data", copy.to_str().unwrap()]);
    assert!(v.status.success(), "{}", text(&v));

    // Without the keyring the entries of the old key cannot be verified.
    std::fs::remove_file(copy.join("audit.keyring")).unwrap();
    let v = zeren(&["audit", "verify", "--data", copy.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(1), "{}", text(&v));
    assert!(text(&v).contains("not in the keyring"), "{}", text(&v));

    for d in [data, archives, copy] {
        let _ = std::fs::remove_dir_all(d);
    }
}
