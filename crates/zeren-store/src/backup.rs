//! Backups of a SQLite data directory: a consistent online copy of the database (`VACUUM INTO`
//! while the server runs) with the audit key, keyring and anchors, the configuration and the
//! calendar files, in one archive with a manifest of digests. A restore checks the manifest and
//! the copy's whole chain and stored state before it moves anything into place. (PostgreSQL is
//! backed up with `pg_dump`: see docs/operations.md.)

use std::fs::File;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sqlx::ConnectOptions;

use crate::datadir::{self, AuditFiles, DataDirLock};
use crate::{Error, HashAlg, OpenOptions, Result, Store, Verification};

/// The database file's name in a data directory and in an archive.
pub const DB_FILE: &str = "zeren.db";
const MANIFEST: &str = "MANIFEST.json";
const FORMAT: &str = "zeren-backup-1";
const CONFIG_FILE: &str = "zeren.toml";
const CALENDAR_DIR: &str = "calendar";
/// The files beside the database that a backup carries (when they exist).
const SIDE_FILES: &[&str] = &[
    datadir::KEY_FILE,
    datadir::KEYRING_FILE,
    datadir::ANCHOR_FILE,
    datadir::NOTIFY_KEY_FILE,
    CONFIG_FILE,
];

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub zeren_version: String,
    /// The copy's chain: algorithm, number of entries and head hash.
    pub audit_algorithm: String,
    pub audit_entries: i64,
    pub audit_head: String,
    /// Every other member: name → (size, SHA-256).
    pub files: std::collections::BTreeMap<String, (u64, String)>,
}

/// What a backup or a restore did.
#[derive(Clone, Debug)]
pub struct Summary {
    pub manifest: Manifest,
    pub verification: Verification,
    /// Where a restore moved the files it replaced.
    pub set_aside: Option<PathBuf>,
}

fn io(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Config(format!("{}: {e}", path.display()))
}

fn stamp() -> String {
    crate::now().format("%Y%m%dT%H%M%S%.6fZ").to_string()
}

fn sha256_file(path: &Path) -> Result<(u64, String)> {
    use sha2::Digest;
    let mut f = File::open(path).map_err(|e| io(path, e))?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).map_err(|e| io(path, e))?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((n, crate::audit::hex(&h.finalize())))
}

/// Open a copy of a database with the key files beside it and verify everything.
async fn verify_copy(dir: &Path) -> Result<Verification> {
    let files = AuditFiles::open_existing(dir)?;
    let url = format!("sqlite://{}", dir.join(DB_FILE).display());
    // Migrations run on the copy (never on the original): a copy made by an older server still
    // verifies with this one.
    let store =
        Store::open_with(&url, OpenOptions::new(HashAlg::Sha256).audit_files(files)).await?;
    let v = store.verify_audit_and_state().await;
    store.close().await;
    v
}

/// Copy the SQLite database of `data_dir` (consistently, while a server may be writing) with
/// its key, keyring, anchors, configuration and calendar files into the archive `to`. The copy
/// is verified (chain, keys, anchors, stored state) before the archive is written; a copy that
/// does not verify is refused. The archive holds the audit key: keep it as secret as the data
/// directory.
pub async fn create(data_dir: &Path, to: &Path) -> Result<Summary> {
    let db = data_dir.join(DB_FILE);
    if !db.exists() {
        return Err(io(&db, "no database here"));
    }
    if to.exists() {
        return Err(io(to, "already exists; choose a new file name"));
    }
    let parent = to
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let work = parent.join(format!(".zeren-backup-{}", stamp()));
    std::fs::create_dir_all(&work).map_err(|e| io(&work, e))?;
    let r = create_in(data_dir, &db, to, &work).await;
    let _ = std::fs::remove_dir_all(&work);
    r
}

async fn create_in(data_dir: &Path, db: &Path, to: &Path, work: &Path) -> Result<Summary> {
    // The files beside the database first: every anchor copied is then of an entry that the
    // database copy, made afterwards, contains.
    let mut members: Vec<(String, PathBuf)> = Vec::new();
    for name in SIDE_FILES {
        let src = data_dir.join(name);
        if src.exists() {
            let dst = work.join(name);
            std::fs::copy(&src, &dst).map_err(|e| io(&src, e))?;
            members.push((name.to_string(), dst));
        }
    }
    let cal = data_dir.join(CALENDAR_DIR);
    if cal.is_dir() {
        std::fs::create_dir_all(work.join(CALENDAR_DIR)).map_err(|e| io(&cal, e))?;
        for entry in std::fs::read_dir(&cal).map_err(|e| io(&cal, e))? {
            let entry = entry.map_err(|e| io(&cal, e))?;
            let name = entry.file_name().to_string_lossy().to_string();
            if entry.path().is_file() && safe_name(&name) {
                let dst = work.join(CALENDAR_DIR).join(&name);
                std::fs::copy(entry.path(), &dst).map_err(|e| io(&entry.path(), e))?;
                members.push((format!("{CALENDAR_DIR}/{name}"), dst));
            }
        }
    }
    // VACUUM INTO reads one snapshot of the database: writers go on meanwhile.
    let copy = work.join(DB_FILE);
    let mut c = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .read_only(true)
        .busy_timeout(std::time::Duration::from_secs(30))
        .connect()
        .await
        .map_err(|e| {
            crate::health::connect_error(
                &format!("sqlite://{}", db.display()),
                crate::Backend::Sqlite,
                e,
            )
        })?;
    let target = copy.to_string_lossy().replace('\'', "''");
    sqlx::query(&format!("VACUUM INTO '{target}'"))
        .execute(&mut c)
        .await?;
    sqlx::Connection::close(c).await?;

    let verification = verify_copy(work).await?;
    if let Some(b) = &verification.first_break {
        return Err(Error::Invalid(format!(
            "the database does not verify, so no backup was written: {b}"
        )));
    }
    // The verifying store may have left -wal/-shm files; only the database itself is kept.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(work.join(format!("{DB_FILE}{suffix}")));
    }
    members.insert(0, (DB_FILE.to_string(), copy));
    let mut files = std::collections::BTreeMap::new();
    for (name, path) in &members {
        files.insert(name.clone(), sha256_file(path)?);
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        created_at: crate::now(),
        zeren_version: env!("CARGO_PKG_VERSION").into(),
        audit_algorithm: verification.algorithm.as_str().into(),
        audit_entries: verification.entries,
        audit_head: verification.head.clone(),
        files,
    };
    write_archive(to, &manifest, &members)?;
    Ok(Summary {
        manifest,
        verification,
        set_aside: None,
    })
}

fn write_archive(to: &Path, manifest: &Manifest, members: &[(String, PathBuf)]) -> Result<()> {
    use zip::write::SimpleFileOptions;
    let tmp = to.with_extension("partial");
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true)
        .unix_permissions(0o600);
    let out = {
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        o.open(&tmp).map_err(|e| io(&tmp, e))?
    };
    let zerr = |e: zip::result::ZipError| io(&tmp, e);
    let mut z = zip::ZipWriter::new(out);
    z.start_file(MANIFEST, opts).map_err(zerr)?;
    let text = serde_json::to_vec_pretty(manifest).map_err(|e| io(&tmp, e))?;
    z.write_all(&text).map_err(|e| io(&tmp, e))?;
    for (name, path) in members {
        z.start_file(name.as_str(), opts).map_err(zerr)?;
        let mut f = File::open(path).map_err(|e| io(path, e))?;
        std::io::copy(&mut f, &mut z).map_err(|e| io(path, e))?;
    }
    let out = z.finish().map_err(zerr)?;
    out.sync_all().map_err(|e| io(&tmp, e))?;
    drop(out);
    std::fs::rename(&tmp, to).map_err(|e| io(to, e))?;
    let parent = to
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    datadir::sync_dir(parent).map_err(|e| io(parent, e))?;
    Ok(())
}

/// Names an archive may hold: the known files, and plain names under `calendar/`.
fn allowed_member(name: &str) -> bool {
    name == DB_FILE
        || SIDE_FILES.contains(&name)
        || name.strip_prefix("calendar/").is_some_and(safe_name)
}

fn safe_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

/// Read the archive's manifest without extracting anything.
pub fn read_manifest(from: &Path) -> Result<Manifest> {
    let f = File::open(from).map_err(|e| io(from, e))?;
    let mut z = zip::ZipArchive::new(f).map_err(|e| io(from, e))?;
    let mut m = z.by_name(MANIFEST).map_err(|e| io(from, e))?;
    let mut text = Vec::new();
    m.read_to_end(&mut text).map_err(|e| io(from, e))?;
    let manifest: Manifest =
        serde_json::from_slice(&text).map_err(|e| io(from, format!("manifest: {e}")))?;
    if manifest.format != FORMAT {
        return Err(io(from, format!("not a {FORMAT} archive")));
    }
    Ok(manifest)
}

/// Restore the archive `from` into `data_dir` (created if missing). Refused while a server
/// holds the data directory, when a member's digest differs from the manifest, or when the
/// copy's chain, keys, anchors or stored state do not verify; nothing is moved then. Otherwise
/// the database, key files, anchors and calendar files it replaces are moved aside into
/// `before-restore-<time>/` and the restored ones put in place. An existing `zeren.toml` is kept.
pub async fn restore(from: &Path, data_dir: &Path) -> Result<Summary> {
    std::fs::create_dir_all(data_dir).map_err(|e| io(data_dir, e))?;
    let _lock = DataDirLock::acquire(data_dir)?;
    let manifest = read_manifest(from)?;
    let work = data_dir.join(format!(".restore-{}", stamp()));
    std::fs::create_dir_all(&work).map_err(|e| io(&work, e))?;
    let r = restore_in(from, data_dir, &work, manifest).await;
    let _ = std::fs::remove_dir_all(&work);
    r
}

async fn restore_in(
    from: &Path,
    data_dir: &Path,
    work: &Path,
    manifest: Manifest,
) -> Result<Summary> {
    let f = File::open(from).map_err(|e| io(from, e))?;
    let mut z = zip::ZipArchive::new(f).map_err(|e| io(from, e))?;
    let mut seen = Vec::new();
    for i in 0..z.len() {
        let mut m = z.by_index(i).map_err(|e| io(from, e))?;
        let name = m.name().to_string();
        if name == MANIFEST {
            continue;
        }
        if !allowed_member(&name) {
            return Err(io(from, format!("unexpected member {name:?}: refused")));
        }
        let Some((size, digest)) = manifest.files.get(&name) else {
            return Err(io(from, format!("{name} is not in the manifest: refused")));
        };
        let dst = work.join(&name);
        if let Some(p) = dst.parent() {
            std::fs::create_dir_all(p).map_err(|e| io(p, e))?;
        }
        {
            let mut out = File::create(&dst).map_err(|e| io(&dst, e))?;
            std::io::copy(&mut m, &mut out)
                .map_err(|e| io(from, format!("{name} is damaged in the archive ({e})")))?;
            out.sync_all().map_err(|e| io(&dst, e))?;
        }
        #[cfg(unix)]
        if name.starts_with("audit.key") || name == datadir::NOTIFY_KEY_FILE {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dst, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| io(&dst, e))?;
        }
        if sha256_file(&dst)? != (*size, digest.clone()) {
            return Err(io(
                from,
                format!("{name} does not match the manifest's digest: the archive was altered or damaged"),
            ));
        }
        seen.push(name);
    }
    for name in manifest.files.keys() {
        if !seen.contains(name) {
            return Err(io(from, format!("{name} is missing from the archive")));
        }
    }
    let verification = verify_copy(work).await?;
    if let Some(b) = &verification.first_break {
        return Err(Error::Invalid(format!(
            "the backup does not verify, nothing was restored: {b}"
        )));
    }
    if verification.entries < manifest.audit_entries {
        return Err(Error::Invalid(format!(
            "the backup's chain has {} entries but its manifest says {}: nothing was restored",
            verification.entries, manifest.audit_entries
        )));
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(work.join(format!("{DB_FILE}{suffix}")));
    }

    // Move aside what is replaced, then move the restored files in.
    let aside = data_dir.join(format!("before-restore-{}", stamp()));
    let mut moved = false;
    let replaced = [
        DB_FILE,
        "zeren.db-wal",
        "zeren.db-shm",
        datadir::KEY_FILE,
        datadir::KEYRING_FILE,
        datadir::ANCHOR_FILE,
        datadir::CHECKPOINT_FILE,
        datadir::NOTIFY_KEY_FILE,
        CALENDAR_DIR,
    ];
    for name in replaced {
        let p = data_dir.join(name);
        if p.exists() {
            if !moved {
                std::fs::create_dir_all(&aside).map_err(|e| io(&aside, e))?;
                moved = true;
            }
            std::fs::rename(&p, aside.join(name)).map_err(|e| io(&p, e))?;
        }
    }
    for name in [
        DB_FILE,
        datadir::KEY_FILE,
        datadir::KEYRING_FILE,
        datadir::ANCHOR_FILE,
        datadir::NOTIFY_KEY_FILE,
        CALENDAR_DIR,
    ] {
        let p = work.join(name);
        if p.exists() {
            std::fs::rename(&p, data_dir.join(name)).map_err(|e| io(&p, e))?;
        }
    }
    let config = work.join(CONFIG_FILE);
    if config.exists() && !data_dir.join(CONFIG_FILE).exists() {
        std::fs::rename(&config, data_dir.join(CONFIG_FILE)).map_err(|e| io(&config, e))?;
    }
    datadir::sync_dir(data_dir).map_err(|e| io(data_dir, e))?;
    Ok(Summary {
        manifest,
        verification,
        set_aside: moved.then_some(aside),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_known_names_are_extracted() {
        assert!(super::allowed_member("zeren.db"));
        assert!(super::allowed_member("audit.key"));
        assert!(super::allowed_member("calendar/2027.toml"));
        assert!(!super::allowed_member("calendar/../../etc/passwd"));
        assert!(!super::allowed_member("../zeren.db"));
        assert!(!super::allowed_member("/etc/passwd"));
        assert!(!super::allowed_member("calendar/"));
    }
}
