//! The audit chain: every mutation appends an entry whose hash covers the previous entry's
//! hash, so altering, deleting or reordering rows breaks the chain at a nameable place.
//! SHA-256 by default; SM3 (GB/T 32905) when the database was created with it.
//!
//! A hash alone can be recomputed by anyone who can write the database. From the first entry
//! written by a server holding an audit key (a file outside the database, see
//! [`crate::audit_files`]), every entry's "hash" is an HMAC under that key instead, so rewriting
//! the chain needs the key too. Entries before that switch stay plain hashes and stay
//! verifiable; the switch, and every later key rotation, is itself an entry ([`KEY_ACTION`]).

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Utc};
use hmac::{Mac, SimpleHmac};
use serde::Serialize;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The action of the entry that starts authenticating the chain with a key, or rotates to a
/// new one. Its `entity_id` is the new key's id and it is authenticated with that key.
pub const KEY_ACTION: &str = "audit.key";

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

    /// HMAC (RFC 2104) over `bytes` with this hash function, as lower-case hex.
    pub fn mac(self, key: &[u8], bytes: &[u8]) -> String {
        fn run<D: hmac::digest::Digest + hmac::digest::core_api::BlockSizeUser>(
            key: &[u8],
            bytes: &[u8],
        ) -> String {
            let mut m = <SimpleHmac<D> as hmac::digest::KeyInit>::new_from_slice(key)
                .expect("HMAC takes keys of any length");
            m.update(bytes);
            hex(&m.finalize().into_bytes())
        }
        match self {
            HashAlg::Sha256 => run::<sha2::Sha256>(key, bytes),
            HashAlg::Sm3 => run::<sm3::Sm3>(key, bytes),
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

pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Compare two MACs without revealing where they first differ.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A secret key that authenticates audit entries. Never stored in the database; its id (a
/// digest of it) is.
#[derive(Clone)]
pub struct AuditKey {
    id: String,
    bytes: Vec<u8>,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey({})", self.id)
    }
}

impl AuditKey {
    /// 32 bytes from the operating system's random source.
    pub fn generate() -> std::io::Result<AuditKey> {
        let mut b = [0u8; 32];
        getrandom::getrandom(&mut b).map_err(std::io::Error::other)?;
        Ok(AuditKey::from_bytes(&b))
    }

    pub fn from_bytes(bytes: &[u8]) -> AuditKey {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(b"zeren audit key id\n");
        h.update(bytes);
        AuditKey {
            id: hex(&h.finalize())[..16].to_string(),
            bytes: bytes.to_vec(),
        }
    }

    /// Sixteen hex digits naming the key in entries, anchors and the keyring.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn mac(&self, alg: HashAlg, text: &str) -> String {
        alg.mac(&self.bytes, text.as_bytes())
    }
}

/// The keys a verifier knows: the current one (used for new entries) and older ones kept
/// after rotations to verify the entries they authenticated.
#[derive(Clone, Debug, Default)]
pub struct Keyring {
    current: Option<AuditKey>,
    all: BTreeMap<String, AuditKey>,
}

impl Keyring {
    pub fn new(current: Option<AuditKey>, older: impl IntoIterator<Item = AuditKey>) -> Keyring {
        let mut all: BTreeMap<String, AuditKey> =
            older.into_iter().map(|k| (k.id.clone(), k)).collect();
        if let Some(k) = &current {
            all.insert(k.id.clone(), k.clone());
        }
        Keyring { current, all }
    }

    pub fn current(&self) -> Option<&AuditKey> {
        self.current.as_ref()
    }

    pub fn get(&self, id: &str) -> Option<&AuditKey> {
        self.all.get(id)
    }

    pub fn ids(&self) -> Vec<String> {
        self.all.keys().cloned().collect()
    }
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
    /// What the entry states about stored rows (record versions and their digests, files),
    /// as JSON, so that verification can compare the database with the chain. None on
    /// entries written before details existed.
    pub details: Option<String>,
    /// The audit key whose HMAC `hash` is; None for a plain hash.
    pub key_id: Option<String>,
}

impl AuditEntry {
    /// The text the entry's hash is computed over. Every field but `hash` is in it, one per
    /// line, so that no two different entries share a text. Entries without details or key
    /// keep the first version of the text, so chains written before either existed verify.
    pub fn canonical(&self) -> String {
        let at = self.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let actor_id = self
            .actor_account_id
            .map(|a| a.to_string())
            .unwrap_or_default();
        if self.details.is_none() && self.key_id.is_none() {
            return format!(
                "zeren-audit-v1\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
                self.seq,
                at,
                actor_id,
                escape(&self.actor),
                escape(&self.action),
                escape(&self.entity_type),
                escape(&self.entity_id),
                self.state_digest,
                self.prev_hash
            );
        }
        format!(
            "zeren-audit-v2\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
            self.seq,
            at,
            actor_id,
            escape(&self.actor),
            escape(&self.action),
            escape(&self.entity_type),
            escape(&self.entity_id),
            self.state_digest,
            escape(self.details.as_deref().unwrap_or("")),
            self.key_id.as_deref().unwrap_or(""),
            self.prev_hash
        )
    }

    /// The plain hash of the entry (what `hash` is when `key_id` is None).
    pub fn compute_hash(&self, alg: HashAlg) -> String {
        alg.digest(self.canonical().as_bytes())
    }

    /// The entry's `hash`: an HMAC under `key` when given (its id must be `key_id`), else the
    /// plain hash.
    pub fn seal(&self, alg: HashAlg, key: Option<&AuditKey>) -> String {
        match key {
            Some(k) => k.mac(alg, &self.canonical()),
            None => self.compute_hash(alg),
        }
    }

    /// The details as JSON (an empty object when there are none or they do not parse).
    pub fn details_json(&self) -> serde_json::Value {
        self.details
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or_else(|| serde_json::json!({}))
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

/// What a key rotation's previous key signs: that the holder of the old key handed over to
/// the new one at this point of the chain.
pub(crate) fn rotation_text(new_key: &str, prev_hash: &str) -> String {
    format!("zeren-audit-rotation\n{new_key}\n{prev_hash}")
}

/// A point of the chain recorded outside the database: entry `seq` had hash `hash` at `at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
    pub at: DateTime<Utc>,
    pub key_id: String,
}

impl Anchor {
    pub(crate) fn text(seq: i64, hash: &str, at: &DateTime<Utc>) -> String {
        format!(
            "zeren-anchor-v1\n{seq}\n{hash}\n{}",
            at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        )
    }
}

/// The first place where the chain does not hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Break {
    /// Entries must be numbered 1, 2, 3 … without gaps.
    Gap { expected: i64, found: i64 },
    /// The entry does not point at the hash of the entry before it.
    Link { seq: i64 },
    /// The entry's content does not match its hash (or its HMAC): it was altered.
    Content { seq: i64 },
    /// The chain ends before, or differs from, the head the database recorded before the
    /// chain became append-only (migration 40).
    Head { seq: i64, recorded_seq: i64 },
    /// An entry after the chain was keyed carries no key: it was rewritten without the key.
    Downgrade { seq: i64 },
    /// The entry is authenticated with a key the verifier does not hold.
    UnknownKey { seq: i64, key_id: String },
    /// The entry is authenticated with another key than the chain's current one.
    WrongKey {
        seq: i64,
        expected: String,
        found: String,
    },
    /// A key switch or rotation that is not what it claims (wrong key, or a rotation the
    /// previous key did not endorse).
    KeySwitch { seq: i64 },
    /// An anchor outside the database records another hash for this entry.
    Anchor {
        seq: i64,
        anchored_at: DateTime<Utc>,
    },
    /// An anchor outside the database records an entry beyond the end of the chain.
    RolledBack {
        chain_end: i64,
        anchor_seq: i64,
        anchored_at: DateTime<Utc>,
    },
    /// A line of the anchor file or the checkpoint does not verify under the audit key.
    SidecarFile { file: String, line: usize },
    /// A line of the anchor file or the checkpoint is signed with a key not in the keyring.
    SidecarKey {
        file: String,
        line: usize,
        key_id: String,
    },
    /// The entry at the last verified point no longer has the hash it had then.
    Checkpoint { seq: i64 },
    /// What the entry says about stored rows does not hold in the database.
    State { seq: i64, problem: String },
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = |d: &DateTime<Utc>| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
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
            Break::Downgrade { seq } => write!(
                f,
                "entry {seq} carries no audit key although the chain is keyed before it: it was rewritten by someone without the key"
            ),
            Break::UnknownKey { seq, key_id } => write!(
                f,
                "entry {seq} is authenticated with audit key {key_id}, which is not in the keyring (audit.key, audit.keyring)"
            ),
            Break::WrongKey { seq, expected, found } => write!(
                f,
                "entry {seq} is authenticated with audit key {found}, but the chain's key at that point is {expected}"
            ),
            Break::KeySwitch { seq } => write!(
                f,
                "entry {seq} switches the audit key without the previous key's endorsement: it was forged"
            ),
            Break::Anchor { seq, anchored_at } => write!(
                f,
                "entry {seq} differs from the anchor written at {}: the chain was rewritten",
                t(anchored_at)
            ),
            Break::RolledBack { chain_end, anchor_seq, anchored_at } => write!(
                f,
                "the chain ends at entry {chain_end} but the anchor written at {} records entry {anchor_seq}: entries were deleted at the end (rolled back)",
                t(anchored_at)
            ),
            Break::SidecarFile { file, line } => write!(
                f,
                "{file} line {line} does not verify under the audit key: the file was altered"
            ),
            Break::SidecarKey { file, line, key_id } => write!(
                f,
                "{file} line {line} is signed with audit key {key_id}, which is not in the keyring (audit.key, audit.keyring)"
            ),
            Break::Checkpoint { seq } => write!(
                f,
                "entry {seq} no longer has the hash it had when it was last verified: the chain was rewritten"
            ),
            Break::State { seq, problem } => write!(f, "entry {seq}: {problem}"),
        }
    }
}

/// The result of walking the chain (all of it, or from the last verified point).
#[derive(Clone, Debug, Serialize)]
pub struct Verification {
    pub algorithm: HashAlg,
    /// The last entry checked (entries are numbered from 1, so also their number).
    pub entries: i64,
    pub head: String,
    pub first_break: Option<Break>,
    /// The entry verification started after: 0 for a full walk, the checkpoint otherwise.
    pub from_seq: i64,
    /// The first entry authenticated with a key, if the chain is keyed.
    pub keyed_from: Option<i64>,
    /// Anchors (outside the database) compared with the chain.
    pub anchors_checked: usize,
    /// What the comparison of stored rows with the chain covered (full verification only).
    pub state: Option<StateChecked>,
}

/// Counts of stored rows compared with what the chain says about them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StateChecked {
    pub record_versions: usize,
    pub records: usize,
    pub review_versions: usize,
    pub review_items: usize,
    pub files: usize,
}

/// Checks entries one after the other; fed in `seq` order.
pub(crate) struct Walker<'k> {
    alg: HashAlg,
    keys: &'k Keyring,
    expected_seq: i64,
    prev_hash: String,
    /// The key the next entry must carry (None while the chain is plain).
    expected_key: Option<String>,
    keyed_from: Option<i64>,
    anchors: VecDeque<Anchor>,
    anchors_checked: usize,
    /// (seq, hash) of the head recorded in `audit_head` before migration 40.
    legacy_head: Option<(i64, String)>,
    from_seq: i64,
    pub(crate) first_break: Option<Break>,
}

impl<'k> Walker<'k> {
    pub(crate) fn new(alg: HashAlg, keys: &'k Keyring) -> Walker<'k> {
        Walker {
            alg,
            keys,
            expected_seq: 1,
            prev_hash: GENESIS.to_string(),
            expected_key: None,
            keyed_from: None,
            anchors: VecDeque::new(),
            anchors_checked: 0,
            legacy_head: None,
            from_seq: 0,
            first_break: None,
        }
    }

    /// Continue after an entry already verified (the checkpoint).
    pub(crate) fn resume(alg: HashAlg, keys: &'k Keyring, last: &AuditEntry) -> Walker<'k> {
        let mut w = Walker::new(alg, keys);
        w.expected_seq = last.seq + 1;
        w.prev_hash = last.hash.clone();
        w.expected_key = next_key(last);
        w.from_seq = last.seq;
        w
    }

    /// Anchors to compare with; those at or before the starting point are ignored.
    pub(crate) fn with_anchors(mut self, mut anchors: Vec<Anchor>) -> Self {
        anchors.retain(|a| a.seq > self.from_seq);
        anchors.sort_by_key(|a| a.seq);
        self.anchors = anchors.into();
        self
    }

    pub(crate) fn with_legacy_head(mut self, head: Option<(i64, String)>) -> Self {
        self.legacy_head = head.filter(|(seq, _)| *seq > self.from_seq);
        self
    }

    fn fail(&mut self, b: Break) -> bool {
        self.first_break = Some(b);
        false
    }

    /// Returns false once the chain is broken (the caller may stop).
    pub(crate) fn step(&mut self, e: &AuditEntry) -> bool {
        if self.first_break.is_some() {
            return false;
        }
        if e.seq != self.expected_seq {
            return self.fail(Break::Gap {
                expected: self.expected_seq,
                found: e.seq,
            });
        }
        if e.prev_hash != self.prev_hash {
            return self.fail(Break::Link { seq: e.seq });
        }
        match (&e.key_id, self.expected_key.clone()) {
            (None, Some(_)) => return self.fail(Break::Downgrade { seq: e.seq }),
            (None, None) => {
                if e.compute_hash(self.alg) != e.hash {
                    return self.fail(Break::Content { seq: e.seq });
                }
            }
            (Some(k), expected) => {
                let switching = e.action == KEY_ACTION;
                if switching && &e.entity_id != k {
                    return self.fail(Break::KeySwitch { seq: e.seq });
                }
                if !switching {
                    if let Some(x) = expected.as_ref().filter(|x| *x != k) {
                        return self.fail(Break::WrongKey {
                            seq: e.seq,
                            expected: x.clone(),
                            found: k.clone(),
                        });
                    }
                    if expected.is_none() {
                        // A keyed entry must be preceded by the switch that names its key.
                        return self.fail(Break::KeySwitch { seq: e.seq });
                    }
                }
                let Some(key) = self.keys.get(k) else {
                    return self.fail(Break::UnknownKey {
                        seq: e.seq,
                        key_id: k.clone(),
                    });
                };
                if !same(&e.seal(self.alg, Some(key)), &e.hash) {
                    return self.fail(Break::Content { seq: e.seq });
                }
                if let Some(old) = expected.filter(|x| switching && x != k) {
                    // A rotation: the previous key endorses the new one.
                    let endorsed = self.keys.get(&old).is_some_and(|old_key| {
                        e.details_json()
                            .get("endorsement")
                            .and_then(|v| v.as_str())
                            .is_some_and(|s| {
                                same(s, &old_key.mac(self.alg, &rotation_text(k, &e.prev_hash)))
                            })
                    });
                    if !endorsed {
                        return self.fail(Break::KeySwitch { seq: e.seq });
                    }
                }
                if self.keyed_from.is_none() {
                    self.keyed_from = Some(e.seq);
                }
            }
        }
        while let Some(a) = self.anchors.front() {
            if a.seq > e.seq {
                break;
            }
            let a = self.anchors.pop_front().expect("front exists");
            self.anchors_checked += 1;
            if a.seq == e.seq && a.hash != e.hash {
                return self.fail(Break::Anchor {
                    seq: e.seq,
                    anchored_at: a.at,
                });
            }
        }
        if let Some((seq, hash)) = &self.legacy_head {
            if *seq == e.seq && hash != &e.hash {
                return self.fail(Break::Head {
                    seq: e.seq,
                    recorded_seq: *seq,
                });
            }
        }
        self.expected_key = next_key(e);
        self.expected_seq += 1;
        self.prev_hash = e.hash.clone();
        true
    }

    pub(crate) fn finish(mut self) -> Verification {
        let last = self.expected_seq - 1;
        if self.first_break.is_none() {
            if let Some(a) = self.anchors.iter().max_by_key(|a| a.seq) {
                self.first_break = Some(Break::RolledBack {
                    chain_end: last,
                    anchor_seq: a.seq,
                    anchored_at: a.at,
                });
            } else if let Some((seq, _)) = self.legacy_head.filter(|(seq, _)| *seq > last) {
                self.first_break = Some(Break::Head {
                    seq: last,
                    recorded_seq: seq,
                });
            }
        }
        Verification {
            algorithm: self.alg,
            entries: last,
            head: self.prev_hash,
            first_break: self.first_break,
            from_seq: self.from_seq,
            keyed_from: self.keyed_from,
            anchors_checked: self.anchors_checked,
            state: None,
        }
    }
}

/// The key the entry after `e` must carry.
pub(crate) fn next_key(e: &AuditEntry) -> Option<String> {
    if e.action == KEY_ACTION && e.key_id.is_some() {
        Some(e.entity_id.clone())
    } else {
        e.key_id.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, prev: &str, alg: HashAlg, key: Option<&AuditKey>) -> AuditEntry {
        let mut e = AuditEntry {
            seq,
            at: DateTime::from_timestamp(1_800_000_000, 123_456_000).unwrap(),
            actor_account_id: Some(1),
            actor: "admin".into(),
            action: "unit.create".into(),
            entity_type: "unit".into(),
            entity_id: seq.to_string(),
            state_digest: alg.digest(seq.to_string().as_bytes()),
            prev_hash: prev.to_string(),
            hash: String::new(),
            details: key.map(|_| "{}".to_string()),
            key_id: key.map(|k| k.id().to_string()),
        };
        e.hash = e.seal(alg, key);
        e
    }

    fn chain(n: i64, alg: HashAlg) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let e = entry(seq, &prev, alg, None);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    /// A key switch entry naming `key`, endorsed by `old` when rotating.
    fn switch(
        seq: i64,
        prev: &str,
        alg: HashAlg,
        key: &AuditKey,
        old: Option<&AuditKey>,
    ) -> AuditEntry {
        let mut e = entry(seq, prev, alg, Some(key));
        e.action = KEY_ACTION.into();
        e.entity_type = "audit_key".into();
        e.entity_id = key.id().to_string();
        let endorsement = old.map(|o| o.mac(alg, &rotation_text(key.id(), prev)));
        e.details = Some(serde_json::json!({ "endorsement": endorsement }).to_string());
        e.hash = e.seal(alg, Some(key));
        e
    }

    fn verify(entries: &[AuditEntry], alg: HashAlg, keys: &Keyring) -> Verification {
        let mut w = Walker::new(alg, keys);
        for e in entries {
            if !w.step(e) {
                break;
            }
        }
        w.finish()
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
        // RFC 4231 test case 2.
        assert_eq!(
            HashAlg::Sha256.mac(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(HashAlg::Sm3.mac(b"k", b"m").len(), 64);
        assert_eq!(unhex("00ff10").unwrap(), vec![0, 255, 16]);
        assert!(unhex("0g").is_none());
    }

    #[test]
    fn intact_chain_verifies_and_tampering_is_named() {
        let none = Keyring::default();
        for alg in [HashAlg::Sha256, HashAlg::Sm3] {
            let c = chain(5, alg);
            assert_eq!(verify(&c, alg, &none).first_break, None);

            let mut altered = c.clone();
            altered[2].actor = "someone else".into();
            assert_eq!(
                verify(&altered, alg, &none).first_break,
                Some(Break::Content { seq: 3 })
            );

            let mut deleted = c.clone();
            deleted.remove(1);
            assert_eq!(
                verify(&deleted, alg, &none).first_break,
                Some(Break::Gap {
                    expected: 2,
                    found: 3
                })
            );

            let mut reordered = c.clone();
            reordered.swap(1, 2);
            (reordered[1].seq, reordered[2].seq) = (2, 3);
            assert_eq!(
                verify(&reordered, alg, &none).first_break,
                Some(Break::Link { seq: 2 })
            );

            // Truncation shows only against something kept outside: an anchor.
            let at = DateTime::from_timestamp(1_800_000_100, 0).unwrap();
            let mut w = Walker::new(alg, &none).with_anchors(vec![Anchor {
                seq: 5,
                hash: c[4].hash.clone(),
                at,
                key_id: String::new(),
            }]);
            for e in &c[..4] {
                w.step(e);
            }
            assert_eq!(
                w.finish().first_break,
                Some(Break::RolledBack {
                    chain_end: 4,
                    anchor_seq: 5,
                    anchored_at: at
                })
            );
        }
    }

    #[test]
    fn a_keyed_chain_cannot_be_rewritten_without_the_key() {
        let alg = HashAlg::Sha256;
        let k1 = AuditKey::generate().unwrap();
        let k2 = AuditKey::generate().unwrap();
        // Three plain entries, the switch to k1, two keyed entries, a rotation to k2, one more.
        let mut c = chain(3, alg);
        c.push(switch(4, &c[2].hash.clone(), alg, &k1, None));
        c.push(entry(5, &c[3].hash.clone(), alg, Some(&k1)));
        c.push(entry(6, &c[4].hash.clone(), alg, Some(&k1)));
        c.push(switch(7, &c[5].hash.clone(), alg, &k2, Some(&k1)));
        c.push(entry(8, &c[6].hash.clone(), alg, Some(&k2)));
        let keys = Keyring::new(Some(k2.clone()), [k1.clone()]);
        let v = verify(&c, alg, &keys);
        assert_eq!((v.first_break, v.keyed_from, v.entries), (None, Some(4), 8));

        // Without the old key the entries it authenticated cannot be checked.
        let only_new = Keyring::new(Some(k2.clone()), []);
        assert_eq!(
            verify(&c, alg, &only_new).first_break,
            Some(Break::UnknownKey {
                seq: 4,
                key_id: k1.id().to_string()
            })
        );

        // Rewriting entry 5 and recomputing every later hash as plain SHA-256.
        let mut forged = c.clone();
        forged[4].actor = "someone else".into();
        let mut prev = forged[3].hash.clone();
        for e in forged.iter_mut().skip(4) {
            e.prev_hash = prev.clone();
            e.hash = e.compute_hash(alg);
            prev = e.hash.clone();
        }
        assert_eq!(
            verify(&forged, alg, &keys).first_break,
            Some(Break::Content { seq: 5 })
        );
        // … or dropping the keys so that they look like plain entries.
        for e in forged.iter_mut().skip(4) {
            e.key_id = None;
            e.details = None;
        }
        assert_eq!(
            verify(&forged, alg, &keys).first_break,
            Some(Break::Downgrade { seq: 5 })
        );

        // A rotation to a key of the forger's, not endorsed by the chain's key.
        let evil = AuditKey::generate().unwrap();
        let mut rotated = c[..6].to_vec();
        rotated.push(switch(7, &c[5].hash.clone(), alg, &evil, None));
        let with_evil = Keyring::new(Some(evil.clone()), [k1.clone()]);
        assert_eq!(
            verify(&rotated, alg, &with_evil).first_break,
            Some(Break::KeySwitch { seq: 7 })
        );
    }
}
