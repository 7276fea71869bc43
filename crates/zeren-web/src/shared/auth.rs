//! The secrets behind authentication: password hashing (argon2id), the password policy, random
//! tokens for sessions, CSRF and the API, and their digests. Who is asking is [`super::context`].

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::Digest;

use super::error::Error;
use super::i18n::Lang;

pub fn hash_password(password: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("password hashing: {e}")))
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the user name is unknown, so that a wrong name takes as
/// long as a wrong password and does not reveal which accounts exist.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a password of anyone").unwrap_or_default())
}

/// The password policy (等保 practice): length, character classes, not the user name.
pub fn check_password(username: &str, password: &str, lang: Lang) -> Result<(), Error> {
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    let contains_name =
        !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase());
    if password.chars().count() < 10
        || classes < 3
        || contains_name
        || password.len() > 256
        || guessable(password)
    {
        let t = super::i18n::Tr(lang);
        return Err(Error::Invalid(format!(
            "{}{}",
            t.s("password.too_weak"),
            t.s("password.rule")
        )));
    }
    Ok(())
}

/// Runs that guessing tries first: four or more of one character, of the alphabet or digits
/// in order either way, or of a keyboard row; and the words everyone tries.
fn guessable(password: &str) -> bool {
    const ROWS: &[&str] = &["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"];
    const WORDS: &[&str] = &["password", "passwd", "iloveyou", "welcome"];
    let p: Vec<char> = password.to_lowercase().chars().collect();
    let text: String = p.iter().collect();
    if WORDS.iter().any(|w| text.contains(w)) {
        return true;
    }
    for w in p.windows(4) {
        let same = w.iter().all(|c| *c == w[0]);
        let step = |d: i32| {
            w.iter().all(|c| c.is_ascii_alphanumeric())
                && w.windows(2).all(|x| x[1] as i32 - x[0] as i32 == d)
        };
        let run: String = w.iter().collect();
        let rev: String = w.iter().rev().collect();
        let row = ROWS.iter().any(|r| r.contains(&run) || r.contains(&rev));
        if same || step(1) || step(-1) || row {
            return true;
        }
    }
    false
}

/// 32 random bytes as hex: session ids, CSRF tokens, API tokens.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    zeren_store::audit::hex(&b)
}

pub fn sha256_hex(s: &str) -> String {
    sha256_hex_bytes(s.as_bytes())
}

pub fn sha256_hex_bytes(b: &[u8]) -> String {
    zeren_store::audit::hex(&sha2::Sha256::digest(b))
}

/// Constant-time comparison for secrets.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("Correct-Horse-7").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "Correct-Horse-7"));
        assert!(!verify_password(&h, "Correct-Horse-8"));
        assert!(!verify_password("garbage", "x"));
    }

    #[test]
    fn password_policy() {
        assert!(check_password("alice", "Correct-Horse-7", Lang::Zh).is_ok());
        assert!(check_password("alice", "short1A!", Lang::Zh).is_err());
        assert!(check_password("alice", "alllowercaseletters", Lang::Zh).is_err());
        assert!(
            check_password("alice", "Alice-2026-long", Lang::Zh).is_err(),
            "contains the user name"
        );
        assert!(
            check_password("bob", "lowercase123456", Lang::Zh).is_err(),
            "two classes only"
        );
        assert!(check_password("bob", "lowercase-1357", Lang::Zh).is_ok());
        for guessable in [
            "Password12",
            "Qwerty1234",
            "Aaaaaaaaa1",
            "Zeren-9876-x",
            "Xy-abcd-2468",
            "Lkjh-2468-x!",
        ] {
            assert!(
                check_password("bob", guessable, Lang::Zh).is_err(),
                "{guessable}"
            );
        }
    }

    #[test]
    fn secrets() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert_ne!(random_token(), random_token());
    }
}
