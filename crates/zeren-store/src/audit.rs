//! The audit chain: every mutation appends an entry whose hash covers the previous entry's
//! hash, so altering, deleting or reordering rows breaks the chain at a nameable place.
//! SHA-256 by default; SM3 (GB/T 32905) when the database was created with it.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HashAlg {
    Sha256,
    Sm3,
}

impl HashAlg {
    pub fn parse(s: &str) -> Option<HashAlg> {
        match s {
            "sha256" => Some(HashAlg::Sha256),
            "sm3" => Some(HashAlg::Sm3),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "sha256",
            HashAlg::Sm3 => "sm3",
        }
    }

    pub fn digest(self, bytes: &[u8]) -> String {
        use sha2::Digest;
        match self {
            HashAlg::Sha256 => hex(&sha2::Sha256::digest(bytes)),
            HashAlg::Sm3 => hex(&sm3::Sm3::digest(bytes)),
        }
    }
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// One row of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_account_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub state_digest: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// The text the entry's hash is computed over. Every field but `hash` is in it, one per
    /// line, so that no two different entries share a text.
    pub fn canonical(&self) -> String {
        format!(
            "zeren-audit-v1\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
            self.seq,
            self.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            self.actor_account_id
                .map(|a| a.to_string())
                .unwrap_or_default(),
            escape(&self.actor),
            escape(&self.action),
            escape(&self.entity_type),
            escape(&self.entity_id),
            self.state_digest,
            self.prev_hash
        )
    }

    pub fn compute_hash(&self, alg: HashAlg) -> String {
        alg.digest(self.canonical().as_bytes())
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

/// The first place where the chain does not hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Break {
    /// Entries must be numbered 1, 2, 3 … without gaps.
    Gap { expected: i64, found: i64 },
    /// The entry does not point at the hash of the entry before it.
    Link { seq: i64 },
    /// The entry's content does not match its hash: it was altered.
    Content { seq: i64 },
    /// The chain ends before, or differs from, the head the database recorded.
    Head { seq: i64, recorded_seq: i64 },
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Break::Gap { expected, found } => write!(
                f,
                "entry {expected} is missing (next entry found is {found}): rows were deleted or renumbered"
            ),
            Break::Link { seq } => write!(
                f,
                "entry {seq} does not link to the entry before it: rows were deleted, inserted or reordered"
            ),
            Break::Content { seq } => {
                write!(f, "entry {seq} does not match its hash: it was altered")
            }
            Break::Head { seq, recorded_seq } => write!(
                f,
                "the chain ends at entry {seq} but the recorded head is entry {recorded_seq}: the latest entries were deleted or altered"
            ),
        }
    }
}

/// The result of walking the whole chain.
#[derive(Clone, Debug, Serialize)]
pub struct Verification {
    pub algorithm: HashAlg,
    pub entries: i64,
    pub head: String,
    pub first_break: Option<Break>,
}

/// Checks entries one after the other; fed in `seq` order.
pub(crate) struct Walker {
    alg: HashAlg,
    expected_seq: i64,
    prev_hash: String,
    pub(crate) first_break: Option<Break>,
}

impl Walker {
    pub(crate) fn new(alg: HashAlg) -> Walker {
        Walker {
            alg,
            expected_seq: 1,
            prev_hash: GENESIS.to_string(),
            first_break: None,
        }
    }

    /// Returns false once the chain is broken (the caller may stop).
    pub(crate) fn step(&mut self, e: &AuditEntry) -> bool {
        if self.first_break.is_some() {
            return false;
        }
        let broken = if e.seq != self.expected_seq {
            Some(Break::Gap {
                expected: self.expected_seq,
                found: e.seq,
            })
        } else if e.prev_hash != self.prev_hash {
            Some(Break::Link { seq: e.seq })
        } else if e.compute_hash(self.alg) != e.hash {
            Some(Break::Content { seq: e.seq })
        } else {
            None
        };
        if broken.is_some() {
            self.first_break = broken;
            return false;
        }
        self.expected_seq += 1;
        self.prev_hash = e.hash.clone();
        true
    }

    pub(crate) fn finish(mut self, head_seq: i64, head_hash: &str) -> Verification {
        let last = self.expected_seq - 1;
        if self.first_break.is_none() && (last != head_seq || self.prev_hash != head_hash) {
            self.first_break = Some(Break::Head {
                seq: last,
                recorded_seq: head_seq,
            });
        }
        Verification {
            algorithm: self.alg,
            entries: last,
            head: self.prev_hash,
            first_break: self.first_break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64, alg: HashAlg) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        let at = DateTime::from_timestamp(1_800_000_000, 123_456_000).unwrap();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEntry {
                    seq,
                    at,
                    actor_account_id: Some(1),
                    actor: "admin".into(),
                    action: "unit.create".into(),
                    entity_type: "unit".into(),
                    entity_id: seq.to_string(),
                    state_digest: alg.digest(seq.to_string().as_bytes()),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.compute_hash(alg);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(entries: &[AuditEntry], alg: HashAlg, head: (i64, &str)) -> Verification {
        let mut w = Walker::new(alg);
        for e in entries {
            if !w.step(e) {
                break;
            }
        }
        w.finish(head.0, head.1)
    }

    #[test]
    fn known_digests() {
        assert_eq!(
            HashAlg::Sha256.digest(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // GB/T 32905-2016 appendix A example 1.
        assert_eq!(
            HashAlg::Sm3.digest(b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn intact_chain_verifies_and_tampering_is_named() {
        for alg in [HashAlg::Sha256, HashAlg::Sm3] {
            let c = chain(5, alg);
            let head = (5, c[4].hash.as_str());
            assert_eq!(verify(&c, alg, head).first_break, None);

            let mut altered = c.clone();
            altered[2].actor = "someone else".into();
            assert_eq!(
                verify(&altered, alg, head).first_break,
                Some(Break::Content { seq: 3 })
            );

            let mut deleted = c.clone();
            deleted.remove(1);
            assert_eq!(
                verify(&deleted, alg, head).first_break,
                Some(Break::Gap {
                    expected: 2,
                    found: 3
                })
            );

            let mut reordered = c.clone();
            reordered.swap(1, 2);
            (reordered[1].seq, reordered[2].seq) = (2, 3);
            assert_eq!(
                verify(&reordered, alg, head).first_break,
                Some(Break::Link { seq: 2 })
            );

            let truncated = &c[..4];
            assert_eq!(
                verify(truncated, alg, head).first_break,
                Some(Break::Head {
                    seq: 4,
                    recorded_seq: 5
                })
            );
        }
    }
}
