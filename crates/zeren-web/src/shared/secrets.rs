//! Secrets the database keeps only sealed: robots' webhook addresses (they hold the robot's
//! token) and signing secrets, and accounts' one-time-code (TOTP) secrets. They are sealed with AES-256-GCM under `notify.key` in the data
//! directory (created on the first start, mode 0600), so a copy of the database alone does not
//! give them away; with several instances, each data directory holds the same key.

use std::io::Write as _;
use std::path::Path;

use base64::Engine as _;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};

pub const KEY_FILE: &str = zeren_store::datadir::NOTIFY_KEY_FILE;
const HEADER: &str = "zeren-notify-key-v1";
const SEALED: &str = "v1:";

/// The key that seals and opens robots' secrets.
pub struct SealKey(LessSafeKey);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(…)")
    }
}

impl SealKey {
    pub fn from_bytes(bytes: [u8; 32]) -> SealKey {
        SealKey(LessSafeKey::new(
            UnboundKey::new(&AES_256_GCM, &bytes).expect("a 32-byte key"),
        ))
    }

    /// The key of `dir`, created (random, mode 0600) when there is none. A key file that others
    /// may read, or that is not a key, is refused.
    pub fn open_or_create(dir: &Path) -> Result<SealKey, String> {
        let path = dir.join(KEY_FILE);
        if !path.exists() {
            let mut bytes = [0u8; 32];
            SystemRandom::new()
                .fill(&mut bytes)
                .map_err(|_| "no randomness for a new notify.key".to_string())?;
            let mut o = std::fs::OpenOptions::new();
            o.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
            match o.open(&path) {
                Ok(mut f) => {
                    f.write_all(
                        format!("{HEADER} {}\n", zeren_store::audit::hex(&bytes)).as_bytes(),
                    )
                    .and_then(|_| f.sync_all())
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                    tracing::info!(path = %path.display(), "created the key of robots' secrets");
                }
                // Another process created it first: use that one.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(format!("{}: {e}", path.display())),
            }
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .map_err(|e| format!("{}: {e}", path.display()))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                return Err(format!(
                    "{}: readable by others (mode {:o}); chmod 600 it",
                    path.display(),
                    mode & 0o777
                ));
            }
        }
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let bytes = text
            .trim()
            .strip_prefix(HEADER)
            .map(str::trim)
            .and_then(zeren_store::audit::unhex)
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| {
                format!(
                    "{}: not a key (expected \"{HEADER} <64 hex digits>\")",
                    path.display()
                )
            })?;
        Ok(SealKey::from_bytes(bytes))
    }

    /// `plain` sealed for the column `what` (a sealed value opens only for the column it was
    /// sealed for).
    pub fn seal(&self, what: &str, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .expect("the system's randomness");
        let mut data = plain.as_bytes().to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(what.as_bytes()),
                &mut data,
            )
            .expect("sealing a short text");
        let mut out = nonce.to_vec();
        out.extend(data);
        format!(
            "{SEALED}{}",
            base64::engine::general_purpose::STANDARD.encode(out)
        )
    }

    /// What `sealed` holds; None when it was sealed under another key or for another column.
    pub fn open(&self, what: &str, sealed: &str) -> Option<String> {
        if sealed.is_empty() {
            return Some(String::new());
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sealed.strip_prefix(SEALED)?)
            .ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, data) = bytes.split_at(NONCE_LEN);
        let mut data = data.to_vec();
        let plain = self
            .0
            .open_in_place(
                Nonce::try_assume_unique_for_key(nonce).ok()?,
                Aad::from(what.as_bytes()),
                &mut data,
            )
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }
}

/// The column a TOTP secret is sealed for.
const TOTP: &str = "account_totp.secret";

/// A TOTP secret as the database keeps it: sealed when the server holds a key.
pub fn seal_totp(key: Option<&SealKey>, secret: &str) -> String {
    match key {
        Some(k) => k.seal(TOTP, secret),
        None => secret.to_string(),
    }
}

/// A stored TOTP secret opened: sealed ones with the key (none: it does not open), and those
/// stored before secrets were sealed as they are.
pub fn open_totp(key: Option<&SealKey>, stored: &str) -> Option<String> {
    if stored.starts_with(SEALED) {
        key?.open(TOTP, stored)
    } else {
        Some(stored.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_column() {
        let k = SealKey::from_bytes([7; 32]);
        let s = k.seal("secret", "SEC123abc");
        assert!(!s.contains("SEC123abc"));
        assert_ne!(s, k.seal("secret", "SEC123abc"), "a fresh nonce each time");
        assert_eq!(k.open("secret", &s).as_deref(), Some("SEC123abc"));
        assert_eq!(k.open("webhook", &s), None);
        assert_eq!(SealKey::from_bytes([8; 32]).open("secret", &s), None);
        assert_eq!(k.open("secret", "").as_deref(), Some(""));
        assert_eq!(k.open("secret", "v1:!!"), None);
    }

    #[test]
    fn the_key_file_is_created_private_and_read_back() {
        let dir = std::env::temp_dir().join(format!("zeren-seal-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let a = SealKey::open_or_create(&dir).unwrap();
        let b = SealKey::open_or_create(&dir).unwrap();
        assert_eq!(b.open("x", &a.seal("x", "hello")).as_deref(), Some("hello"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let p = dir.join(KEY_FILE);
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(SealKey::open_or_create(&dir)
                .unwrap_err()
                .contains("readable by others"));
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn totp_secrets_are_sealed_and_old_plain_ones_still_open() {
        let key = SealKey::from_bytes([7; 32]);
        let other = SealKey::from_bytes([8; 32]);
        let sealed = seal_totp(Some(&key), "JBSWY3DPEHPK3PXP");
        assert!(sealed.starts_with(SEALED) && !sealed.contains("JBSWY3DP"));
        assert_eq!(
            open_totp(Some(&key), &sealed).as_deref(),
            Some("JBSWY3DPEHPK3PXP")
        );
        assert_eq!(open_totp(Some(&other), &sealed), None, "another key");
        assert_eq!(open_totp(None, &sealed), None, "no key");
        // Sealed for a robot's column, it does not open as a TOTP secret.
        assert_eq!(open_totp(Some(&key), &key.seal("robots.secret", "x")), None);
        // Stored before secrets were sealed.
        assert_eq!(
            open_totp(Some(&key), "JBSWY3DPEHPK3PXP").as_deref(),
            Some("JBSWY3DPEHPK3PXP")
        );
    }
}
