//! The files beside the database that a database administrator must not be able to change:
//! the audit key (and the keyring of keys it replaced), the anchor file that records the chain's
//! head at intervals, the checkpoint of the last verified entry, and the lock that keeps two
//! servers (or a server and a restore) off one data directory.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::audit::{unhex, Anchor, AuditKey, Break, HashAlg, Keyring};
use crate::{Error, Result};

pub const KEY_FILE: &str = "audit.key";
pub const KEYRING_FILE: &str = "audit.keyring";
pub const ANCHOR_FILE: &str = "audit.anchors";
pub const CHECKPOINT_FILE: &str = "audit.checkpoint";
pub const LOCK_FILE: &str = "zeren.lock";
/// The key robots' webhooks and secrets are sealed with (made and read by the web server).
pub const NOTIFY_KEY_FILE: &str = "notify.key";

const KEY_HEADER: &str = "zeren-audit-key-v1";

fn io_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Config(format!("{}: {e}", path.display()))
}

/// An I/O error with its cause in words first.
fn io_words(path: &Path, e: std::io::Error) -> Error {
    let words = match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied",
        std::io::ErrorKind::ReadOnlyFilesystem => "the file system is read-only",
        std::io::ErrorKind::StorageFull => "the disk is full",
        std::io::ErrorKind::NotFound => "the directory does not exist",
        _ => return io_err(path, e),
    };
    Error::Config(format!("{}: {words} ({e})", path.display()))
}

/// The audit key files of a data directory, and where its anchors and checkpoint go.
#[derive(Debug)]
pub struct AuditFiles {
    dir: PathBuf,
    keys: Keyring,
    /// The last sequence number anchored by this process (anchors only move forward).
    anchored: Mutex<i64>,
}

impl AuditFiles {
    /// Load the audit key of `dir`, creating a new random one (mode 0600) when there is none.
    pub fn open_or_create(dir: &Path) -> Result<AuditFiles> {
        let path = dir.join(KEY_FILE);
        if !path.exists() {
            let key = AuditKey::generate().map_err(|e| io_err(&path, e))?;
            match write_new_secret(&path, &key_line(&key)) {
                Ok(()) => {
                    tracing::info!(key = key.id(), path = %path.display(), "created the audit key")
                }
                // Another process created it first: use that one.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(io_words(&path, e)),
            }
        }
        AuditFiles::open_existing(dir)
    }

    /// Load whatever key files `dir` has (none is not an error: plain chains verify without).
    pub fn open_existing(dir: &Path) -> Result<AuditFiles> {
        let key_path = dir.join(KEY_FILE);
        let current = if key_path.exists() {
            Some(read_key_file(&key_path)?)
        } else {
            None
        };
        let ring_path = dir.join(KEYRING_FILE);
        let older = if ring_path.exists() {
            read_keyring(&ring_path)?
        } else {
            Vec::new()
        };
        Ok(AuditFiles {
            dir: dir.to_path_buf(),
            keys: Keyring::new(current, older),
            anchored: Mutex::new(0),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn keyring(&self) -> &Keyring {
        &self.keys
    }

    /// Replace the audit key with a new one, keeping the old one in the keyring. Returns the
    /// (old, new) key ids. The chain records the rotation with the next entry written by a
    /// server holding the new key (endorsed by the old key), or at once with
    /// [`crate::Store::ensure_audit_key`].
    pub fn rotate(dir: &Path) -> Result<(Option<String>, String)> {
        let key_path = dir.join(KEY_FILE);
        let old = if key_path.exists() {
            Some(read_key_file(&key_path)?)
        } else {
            None
        };
        if let Some(old) = &old {
            let ring_path = dir.join(KEYRING_FILE);
            let mut existing = if ring_path.exists() {
                std::fs::read_to_string(&ring_path).map_err(|e| io_err(&ring_path, e))?
            } else {
                String::new()
            };
            if !existing.is_empty() && !existing.ends_with('\n') {
                existing.push('\n');
            }
            existing.push_str(&format!(
                "{} {}\n",
                old.id(),
                crate::audit::hex(old.bytes())
            ));
            replace_secret(&ring_path, &existing).map_err(|e| io_err(&ring_path, e))?;
        }
        let new = AuditKey::generate().map_err(|e| io_err(&key_path, e))?;
        replace_secret(&key_path, &key_line(&new)).map_err(|e| io_err(&key_path, e))?;
        Ok((old.map(|k| k.id().to_string()), new.id().to_string()))
    }

    /// Append an anchor for entry `seq` with hash `hash` (skipped when an anchor at or beyond
    /// `seq` was written by this process). Written with the current key and flushed to disk.
    pub(crate) fn append_anchor(&self, alg: HashAlg, seq: i64, hash: &str) -> Result<bool> {
        let Some(key) = self.keys.current() else {
            return Ok(false);
        };
        let mut last = self.anchored.lock().unwrap_or_else(|p| p.into_inner());
        if seq <= *last {
            return Ok(false);
        }
        let at = crate::now();
        let mac = key.mac(alg, &Anchor::text(seq, hash, &at));
        let line = format!(
            "{seq} {hash} {} {} {mac}\n",
            at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            key.id()
        );
        let path = self.dir.join(ANCHOR_FILE);
        // A line cut short by a crash (no final newline) is dropped before appending.
        drop_torn_tail(&path).map_err(|e| io_err(&path, e))?;
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| io_err(&path, e))?;
        f.write_all(line.as_bytes())
            .and_then(|_| f.sync_data())
            .map_err(|e| io_err(&path, e))?;
        *last = seq;
        Ok(true)
    }

    /// The anchors written so far, each checked under the key that wrote it. A line cut short
    /// by a crash (no final newline) is ignored; any other line that does not verify is a break.
    pub fn anchors(&self, alg: HashAlg) -> Result<std::result::Result<Vec<Anchor>, Break>> {
        let path = self.dir.join(ANCHOR_FILE);
        let text = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ok(Vec::new())),
            Err(e) => return Err(io_err(&path, e)),
        };
        let complete = match text.iter().rposition(|b| *b == b'\n') {
            Some(i) => &text[..=i],
            None => &[][..],
        };
        let mut out = Vec::new();
        for (i, line) in complete.split(|b| *b == b'\n').enumerate() {
            if line.is_empty() {
                continue;
            }
            match parse_signed_line(line, alg, &self.keys, |seq, hash, at| {
                Anchor::text(seq, hash, at)
            }) {
                Signed::Valid(seq, hash, at, key_id) => out.push(Anchor {
                    seq,
                    hash,
                    at,
                    key_id,
                }),
                bad => return Ok(Err(bad.into_break(ANCHOR_FILE, i + 1))),
            }
        }
        Ok(Ok(out))
    }

    /// The last verified point, if one was saved and verifies under the keyring.
    pub(crate) fn checkpoint(
        &self,
        alg: HashAlg,
    ) -> Result<std::result::Result<Option<(i64, String)>, Break>> {
        let path = self.dir.join(CHECKPOINT_FILE);
        let text = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ok(None)),
            Err(e) => return Err(io_err(&path, e)),
        };
        let line = text.strip_suffix(b"\n").unwrap_or(&text);
        match parse_signed_line(line, alg, &self.keys, checkpoint_text) {
            Signed::Valid(seq, hash, ..) => Ok(Ok(Some((seq, hash)))),
            bad => Ok(Err(bad.into_break(CHECKPOINT_FILE, 1))),
        }
    }

    /// Save the last verified point (atomically: a crash leaves the old or the new one).
    pub(crate) fn save_checkpoint(&self, alg: HashAlg, seq: i64, hash: &str) -> Result<bool> {
        let Some(key) = self.keys.current() else {
            return Ok(false);
        };
        let at = crate::now();
        let mac = key.mac(alg, &checkpoint_text(seq, hash, &at));
        let line = format!(
            "{seq} {hash} {} {} {mac}\n",
            at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            key.id()
        );
        let path = self.dir.join(CHECKPOINT_FILE);
        let tmp = self.dir.join(format!("{CHECKPOINT_FILE}.tmp"));
        (|| -> std::io::Result<()> {
            let mut f = File::create(&tmp)?;
            f.write_all(line.as_bytes())?;
            f.sync_data()?;
            std::fs::rename(&tmp, &path)?;
            sync_dir(&self.dir)
        })()
        .map_err(|e| io_err(&path, e))?;
        Ok(true)
    }
}

fn checkpoint_text(seq: i64, hash: &str, at: &DateTime<Utc>) -> String {
    format!(
        "zeren-checkpoint-v1\n{seq}\n{hash}\n{}",
        at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    )
}

enum Signed {
    Valid(i64, String, DateTime<Utc>, String),
    UnknownKey(String),
    Invalid,
}

impl Signed {
    fn into_break(self, file: &str, line: usize) -> Break {
        match self {
            Signed::UnknownKey(key_id) => Break::SidecarKey {
                file: file.into(),
                line,
                key_id,
            },
            _ => Break::SidecarFile {
                file: file.into(),
                line,
            },
        }
    }
}

/// `seq hash at key_id mac`, the MAC over `text(seq, hash, at)` under `key_id`.
fn parse_signed_line(
    line: &[u8],
    alg: HashAlg,
    keys: &Keyring,
    text: impl Fn(i64, &str, &DateTime<Utc>) -> String,
) -> Signed {
    let parse = || -> Option<(i64, &str, DateTime<Utc>, &str, &str)> {
        let line = std::str::from_utf8(line).ok()?;
        let parts: Vec<&str> = line.split(' ').collect();
        let [seq, hash, at, key_id, mac] = parts[..] else {
            return None;
        };
        let at = DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc);
        Some((seq.parse().ok()?, hash, at, key_id, mac))
    };
    let Some((seq, hash, at, key_id, mac)) = parse() else {
        return Signed::Invalid;
    };
    let Some(key) = keys.get(key_id) else {
        return Signed::UnknownKey(key_id.to_string());
    };
    if crate::audit::same(&key.mac(alg, &text(seq, hash, &at)), mac) {
        Signed::Valid(seq, hash.to_string(), at, key_id.to_string())
    } else {
        Signed::Invalid
    }
}

fn key_line(key: &AuditKey) -> String {
    format!("{KEY_HEADER} {}\n", crate::audit::hex(key.bytes()))
}

fn read_key_file(path: &Path) -> Result<AuditKey> {
    check_private(path)?;
    let text = std::fs::read_to_string(path).map_err(|e| io_err(path, e))?;
    let hex = text
        .trim()
        .strip_prefix(KEY_HEADER)
        .map(str::trim)
        .ok_or_else(|| {
            io_err(
                path,
                format!("not an audit key (expected \"{KEY_HEADER} <hex>\")"),
            )
        })?;
    let bytes = unhex(hex)
        .filter(|b| b.len() >= 16)
        .ok_or_else(|| io_err(path, "the key is not at least 16 bytes of hex"))?;
    Ok(AuditKey::from_bytes(&bytes))
}

fn read_keyring(path: &Path) -> Result<Vec<AuditKey>> {
    check_private(path)?;
    let f = File::open(path).map_err(|e| io_err(path, e))?;
    let mut out = Vec::new();
    for (i, line) in BufReader::new(f).lines().enumerate() {
        let line = line.map_err(|e| io_err(path, e))?;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || {
            io_err(
                path,
                format!("line {}: expected \"<key id> <hex key>\"", i + 1),
            )
        };
        let (id, hex) = line.split_once(' ').ok_or_else(bad)?;
        let key = AuditKey::from_bytes(&unhex(hex.trim()).ok_or_else(bad)?);
        if key.id() != id {
            return Err(io_err(
                path,
                format!("line {}: the key does not have the id {id}", i + 1),
            ));
        }
        out.push(key);
    }
    Ok(out)
}

/// Key files must not be readable by anyone but their owner (like ssh's private keys).
fn check_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| io_err(path, e))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(io_err(
                path,
                format!(
                    "readable by group or others (mode {:o}): run chmod 600 {}",
                    mode & 0o777,
                    path.display()
                ),
            ));
        }
    }
    Ok(())
}

fn private_options() -> OpenOptions {
    let mut o = OpenOptions::new();
    o.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o
}

fn write_new_secret(path: &Path, text: &str) -> std::io::Result<()> {
    let mut f = private_options().create_new(true).open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

fn replace_secret(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut f = private_options().create_new(true).open(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

/// Cut the file back to its last newline, if it does not end with one.
fn drop_torn_tail(path: &Path) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    let mut f = match OpenOptions::new().read(true).write(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let len = f.metadata()?.len();
    if len == 0 {
        return Ok(());
    }
    let tail = len.min(4096);
    f.seek(SeekFrom::Start(len - tail))?;
    let mut buf = vec![0u8; tail as usize];
    f.read_exact(&mut buf)?;
    if buf.last() == Some(&b'\n') {
        return Ok(());
    }
    let keep = match buf.iter().rposition(|b| *b == b'\n') {
        Some(i) => len - tail + i as u64 + 1,
        None if tail == len => 0,
        // A torn line longer than 4 KiB is not a line this code wrote.
        None => return Err(std::io::Error::other("the last line is malformed")),
    };
    f.set_len(keep)?;
    f.sync_data()
}

pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    Ok(())
}

/// An exclusive lock on a data directory, held while a server runs or a restore swaps files.
/// Released when dropped (or when the process dies).
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

impl DataDirLock {
    /// Take the lock without waiting; an error names who holds it when it is taken.
    pub fn acquire(dir: &Path) -> Result<DataDirLock> {
        let path = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| io_words(&path, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            // SAFETY: flock on a file descriptor we own; no memory is shared with the call.
            let r = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if r != 0 {
                return Err(Error::Config(format!(
                    "the data directory {} is in use by another zeren process (a running server?); stop it first",
                    dir.display()
                )));
            }
        }
        Ok(DataDirLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "zeren-datadir-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn the_key_is_created_private_and_rotation_keeps_the_old_one() {
        let d = temp("key");
        let f = AuditFiles::open_or_create(&d).unwrap();
        let id = f.keyring().current().unwrap().id().to_string();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(d.join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Opening again reads the same key.
        let again = AuditFiles::open_or_create(&d).unwrap();
        assert_eq!(again.keyring().current().unwrap().id(), id);

        let (old, new) = AuditFiles::rotate(&d).unwrap();
        assert_eq!(old.as_deref(), Some(id.as_str()));
        let after = AuditFiles::open_existing(&d).unwrap();
        assert_eq!(after.keyring().current().unwrap().id(), new);
        assert!(after.keyring().get(&id).is_some());

        // A key readable by others is refused.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(d.join(KEY_FILE), std::fs::Permissions::from_mode(0o644))
                .unwrap();
            let e = AuditFiles::open_existing(&d).unwrap_err().to_string();
            assert!(e.contains("chmod 600"), "{e}");
        }
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn anchors_verify_and_a_torn_last_line_is_ignored() {
        let d = temp("anchors");
        let f = AuditFiles::open_or_create(&d).unwrap();
        let alg = HashAlg::Sha256;
        assert!(f.append_anchor(alg, 3, "aa").unwrap());
        assert!(
            !f.append_anchor(alg, 3, "aa").unwrap(),
            "anchors only move forward"
        );
        assert!(f.append_anchor(alg, 7, "bb").unwrap());
        let a = f.anchors(alg).unwrap().unwrap();
        assert_eq!(
            a.iter()
                .map(|a| (a.seq, a.hash.as_str()))
                .collect::<Vec<_>>(),
            [(3, "aa"), (7, "bb")]
        );
        // A crash in the middle of a line.
        let path = d.join(ANCHOR_FILE);
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"9 cc 2026").unwrap();
        assert_eq!(f.anchors(alg).unwrap().unwrap().len(), 2);
        // The next anchor starts on a fresh line.
        assert!(f.append_anchor(alg, 10, "dd").unwrap());
        assert_eq!(f.anchors(alg).unwrap().unwrap().len(), 3);
        // An edited line does not verify.
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replacen("7 bb", "8 bb", 1);
        std::fs::write(&path, text).unwrap();
        assert_eq!(
            f.anchors(alg).unwrap(),
            Err(Break::SidecarFile {
                file: ANCHOR_FILE.into(),
                line: 2
            })
        );
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn the_checkpoint_is_signed() {
        let d = temp("checkpoint");
        let f = AuditFiles::open_or_create(&d).unwrap();
        let alg = HashAlg::Sm3;
        assert_eq!(f.checkpoint(alg).unwrap(), Ok(None));
        f.save_checkpoint(alg, 12, "abc").unwrap();
        assert_eq!(f.checkpoint(alg).unwrap(), Ok(Some((12, "abc".into()))));
        let path = d.join(CHECKPOINT_FILE);
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replacen("12 ", "99 ", 1);
        std::fs::write(&path, text).unwrap();
        assert!(f.checkpoint(alg).unwrap().is_err());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_data_directory_is_locked_once() {
        let d = temp("lock");
        let l = DataDirLock::acquire(&d).unwrap();
        assert!(DataDirLock::acquire(&d).is_err());
        drop(l);
        DataDirLock::acquire(&d).unwrap();
        let _ = std::fs::remove_dir_all(&d);
    }
}
