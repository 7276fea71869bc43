//! Verifying the audit chain: all of it (links, hashes and HMACs, the anchors kept outside the
//! database), optionally comparing stored rows with what the entries state about them (record
//! versions and their digests, which version each record points at, stored files); or only
//! what was appended since the last verified point, for pages that show the chain's state.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::audit::{Anchor, AuditEntry, Break, HashAlg, StateChecked, Verification, Walker};
use crate::dialect::Pool;
use crate::ledger::{sha256_hex, version_digest, RecordVersion};
use crate::read::Read;
use crate::reviews::NewItemVersion;
use crate::{placeholders, run, Actor, Conn, Result, Store, Tx};

/// Entries read per query while walking.
const PAGE: i64 = 1000;
/// Claims about record and review versions checked per batch.
const BATCH: usize = 400;
/// Stored files read per query (each may be megabytes).
const FILE_BATCH: usize = 8;

/// A read-only transaction: the chain and the rows it describes as of one moment, so that a
/// writer running meanwhile cannot make them look inconsistent.
struct Snapshot {
    tx: Tx,
}

impl Read for Snapshot {
    fn conn(&mut self) -> Conn<'_> {
        self.tx.conn()
    }
}

fn broken(alg: HashAlg, from_seq: i64, b: Break) -> Verification {
    Verification {
        algorithm: alg,
        entries: from_seq,
        head: String::new(),
        first_break: Some(b),
        from_seq,
        keyed_from: None,
        anchors_checked: 0,
        state: None,
    }
}

impl Store {
    async fn snapshot(&self) -> Result<Snapshot> {
        use sqlx::Connection;
        let tx = match &self.pool {
            // A deferred transaction: the first read fixes what it sees (WAL snapshot).
            Pool::Sqlite(p) => {
                let mut c = p.acquire().await?;
                if c.is_in_transaction() {
                    c.close_on_drop();
                    drop(c);
                    c = p.acquire().await?;
                }
                Tx::Sqlite(sqlx::Transaction::begin(c, Some("BEGIN".into())).await?)
            }
            Pool::Postgres(p) => Tx::Postgres(
                p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?,
            ),
        };
        Ok(Snapshot { tx })
    }

    /// The anchors of this data directory, or the break when the anchor file was altered.
    fn load_anchors(&self) -> Result<std::result::Result<Vec<Anchor>, Break>> {
        match &self.files {
            Some(f) => f.anchors(self.alg),
            None => Ok(Ok(Vec::new())),
        }
    }

    /// Walk the whole chain: numbering, links, hashes and HMACs, the anchors outside the
    /// database and the head recorded before the chain became append-only. Stored rows are not
    /// compared (see [`Store::verify_audit_and_state`]).
    pub async fn verify_audit(&self) -> Result<Verification> {
        self.verify_full(false).await
    }

    /// [`Store::verify_audit`], and every record version, review version, current-version
    /// pointer and stored file the chain describes must exist in the database with the digest
    /// the chain recorded. Reads every stored file: for `zeren audit verify` and restores, not
    /// for pages.
    pub async fn verify_audit_and_state(&self) -> Result<Verification> {
        self.verify_full(true).await
    }

    async fn verify_full(&self, with_state: bool) -> Result<Verification> {
        let alg = self.alg;
        // Anchors first: every anchor read now is of an entry committed before the snapshot.
        let anchors = match self.load_anchors()? {
            Ok(a) => a,
            Err(b) => return Ok(broken(alg, 0, b)),
        };
        let mut snap = self.snapshot().await?;
        let legacy = snap.legacy_audit_head().await?;
        let (_, head_seq, _) = snap.audit_head().await?;
        let mut walker = Walker::new(alg, self.keyring())
            .with_anchors(anchors)
            .with_legacy_head(legacy);
        let mut claims = Claims::default();
        let mut state_break = None;
        let mut after = 0i64;
        'pages: while after < head_seq {
            let page = snap.audit_page(after, PAGE).await?;
            if page.is_empty() {
                break;
            }
            for e in &page {
                if e.seq > head_seq || !walker.step(e) {
                    break 'pages;
                }
                if with_state {
                    claims.add(e);
                }
                after = e.seq;
            }
            if with_state && claims.pending() >= BATCH {
                state_break = claims.check_versions(&mut snap, alg).await?;
                if state_break.is_some() {
                    break;
                }
            }
        }
        let mut v = walker.finish();
        if with_state && v.first_break.is_none() {
            if state_break.is_none() {
                state_break = claims.check_versions(&mut snap, alg).await?;
            }
            if state_break.is_none() {
                state_break = claims.check_rest(&mut snap).await?;
            }
            v.first_break = state_break;
            v.state = Some(claims.counts.clone());
        }
        drop(snap);
        if v.first_break.is_none() {
            self.remember_verified(v.entries, &v.head).await;
        }
        Ok(v)
    }

    async fn remember_verified(&self, seq: i64, hash: &str) {
        if seq == 0 {
            return;
        }
        let mut mem = self.verified.lock().await;
        if mem.as_ref().is_some_and(|(s, _)| *s >= seq) {
            return;
        }
        *mem = Some((seq, hash.to_string()));
        if let Some(f) = &self.files {
            if let Err(e) = f.save_checkpoint(self.alg, seq, hash) {
                tracing::warn!(error = %e, "could not save the audit checkpoint");
            }
        }
    }

    /// Verify what was appended since the last verified point (kept, signed, in the data
    /// directory's `audit.checkpoint`, or in memory without audit files): that entry must still
    /// have the hash it had, and everything after it must chain, authenticate and agree with the
    /// anchors. Cheap enough for every view of the audit page; [`Store::verify_audit_and_state`]
    /// remains the full check (it re-reads every entry, so it also finds an entry before the
    /// checkpoint altered without recomputing the ones after it).
    pub async fn verify_audit_incremental(&self) -> Result<Verification> {
        let alg = self.alg;
        let mut mem = self.verified.lock().await;
        let anchors = match self.load_anchors()? {
            Ok(a) => a,
            Err(b) => return Ok(broken(alg, 0, b)),
        };
        let saved = match &self.files {
            Some(f) if f.keyring().current().is_some() => match f.checkpoint(alg)? {
                Ok(c) => c,
                Err(b) => return Ok(broken(alg, 0, b)),
            },
            _ => None,
        };
        // The later of the file's and this process's point.
        let checkpoint = match (saved, mem.clone()) {
            (Some(a), Some(b)) => Some(if a.0 >= b.0 { a } else { b }),
            (a, b) => a.or(b),
        };
        let mut r = self.reader().await?;
        let legacy = r.legacy_audit_head().await?;
        let (_, head_seq, head_hash) = r.audit_head().await?;
        let walker = match &checkpoint {
            Some((seq, hash)) => match r.audit_entry(*seq).await? {
                Some(e) if &e.hash == hash => Walker::resume(alg, self.keyring(), &e),
                _ => return Ok(broken(alg, *seq, Break::Checkpoint { seq: *seq })),
            },
            None => Walker::new(alg, self.keyring()),
        };
        let mut walker = walker.with_anchors(anchors).with_legacy_head(legacy);
        let mut after = checkpoint.as_ref().map(|c| c.0).unwrap_or(0);
        'pages: while after < head_seq {
            let page = r.audit_page(after, PAGE).await?;
            if page.is_empty() {
                break;
            }
            for e in &page {
                if e.seq > head_seq || !walker.step(e) {
                    break 'pages;
                }
                after = e.seq;
            }
        }
        drop(r);
        let mut v = walker.finish();
        if v.entries == v.from_seq && v.first_break.is_none() {
            // Nothing new: the head is the checkpoint itself.
            v.head = head_hash;
        }
        if v.first_break.is_none()
            && v.entries > 0
            && mem.as_ref().is_none_or(|(s, _)| *s < v.entries)
        {
            *mem = Some((v.entries, v.head.clone()));
            if let Some(f) = &self.files {
                if let Err(e) = f.save_checkpoint(alg, v.entries, &v.head) {
                    tracing::warn!(error = %e, "could not save the audit checkpoint");
                }
            }
        }
        Ok(v)
    }

    /// Record the chain's head in the data directory's anchor file (when it moved since this
    /// process last did). Run at intervals and at shutdown: deleting entries at the end of the
    /// chain, or rewriting it, then fails verification naming the anchor.
    pub async fn anchor_audit_head(&self) -> Result<Option<i64>> {
        let Some(files) = &self.files else {
            return Ok(None);
        };
        let (_, seq, hash) = self.reader().await?.audit_head().await?;
        if seq == 0 {
            return Ok(None);
        }
        Ok(files.append_anchor(self.alg, seq, &hash)?.then_some(seq))
    }

    /// Make the chain use this store's audit key now: append the switch from plain hashes (or
    /// the rotation from the previous key) unless the chain's last entry already uses it.
    /// Returns the switch entry's number when one was written. Fails when the chain is keyed
    /// with a key this store does not hold.
    pub async fn ensure_audit_key(&self) -> Result<Option<i64>> {
        let mut w = self.write(&Actor::system()).await?;
        w.ensure_key().await?;
        let switched = w.switched_at();
        w.commit().await?;
        Ok(switched)
    }
}

/// (id, item, version, title, body, details) of a stored review version.
type ReviewVersionRow = (i64, i64, i64, String, String, String);

/// What verified entries state about stored rows, checked in batches.
#[derive(Default)]
struct Claims {
    /// (seq, record, version, digest) not yet checked.
    versions: Vec<(i64, i64, i64, String)>,
    /// (seq, item, version, hash) not yet checked.
    reviews: Vec<(i64, i64, i64, String)>,
    /// record → (latest version the chain names, the entry naming it)
    record_latest: HashMap<i64, (i64, i64)>,
    review_latest: HashMap<i64, (i64, i64)>,
    /// file digest → the first entry naming it
    files: BTreeMap<String, i64>,
    counts: StateChecked,
}

/// The earliest problem of a batch.
fn earliest(problems: Vec<(i64, String)>) -> Option<Break> {
    problems
        .into_iter()
        .min_by_key(|(seq, _)| *seq)
        .map(|(seq, problem)| Break::State { seq, problem })
}

impl Claims {
    fn add(&mut self, e: &AuditEntry) {
        if e.details.is_none() {
            return;
        }
        let d = e.details_json();
        let num = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_i64());
        let text =
            |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(String::from);
        if let Some(r) = d.get("record") {
            if let (Some(id), Some(version), Some(digest)) =
                (num(r, "id"), num(r, "version"), text(r, "digest"))
            {
                self.versions.push((e.seq, id, version, digest));
                self.record_latest.insert(id, (version, e.seq));
            }
        }
        if let Some(r) = d.get("review") {
            if let (Some(id), Some(version), Some(hash)) =
                (num(r, "id"), num(r, "version"), text(r, "hash"))
            {
                self.reviews.push((e.seq, id, version, hash));
                self.review_latest.insert(id, (version, e.seq));
            }
        }
        if let Some(files) = d.get("files").and_then(|f| f.as_array()) {
            for f in files.iter().filter_map(|f| f.as_str()) {
                self.files.entry(f.to_string()).or_insert(e.seq);
            }
        }
    }

    fn pending(&self) -> usize {
        self.versions.len() + self.reviews.len()
    }

    /// Each claimed record and review version exists with the claimed digest.
    async fn check_versions(&mut self, r: &mut Snapshot, alg: HashAlg) -> Result<Option<Break>> {
        let mut problems = Vec::new();
        let versions = std::mem::take(&mut self.versions);
        for chunk in versions.chunks(BATCH) {
            let records: Vec<i64> = chunk
                .iter()
                .map(|c| c.1)
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            let sql = format!(
                "SELECT id, record_id, version, work_date, place, content, reason, created_by, created_by_name, created_at, guests
                 FROM record_versions WHERE record_id IN ({})",
                placeholders(1, records.len())
            );
            let rows: Vec<RecordVersion> = run!(r.conn(), |c| {
                let mut q = sqlx::query_as(&sql);
                for id in &records {
                    q = q.bind(*id);
                }
                q.fetch_all(&mut *c).await?
            });
            let by_key: HashMap<(i64, i64), &RecordVersion> =
                rows.iter().map(|v| ((v.record_id, v.version), v)).collect();
            let ids: Vec<i64> = rows.iter().map(|v| v.id).collect();
            let mut participants: HashMap<i64, Vec<i64>> = HashMap::new();
            let mut files: HashMap<i64, Vec<(i64, String, String)>> = HashMap::new();
            for ids in ids.chunks(BATCH) {
                let sql = format!(
                    "SELECT version_id, person_id FROM record_participants WHERE version_id IN ({})",
                    placeholders(1, ids.len())
                );
                let rows: Vec<(i64, i64)> = run!(r.conn(), |c| {
                    let mut q = sqlx::query_as(&sql);
                    for id in ids {
                        q = q.bind(*id);
                    }
                    q.fetch_all(&mut *c).await?
                });
                for (v, p) in rows {
                    participants.entry(v).or_default().push(p);
                }
                let sql = format!(
                    "SELECT version_id, position, file_name, sha256 FROM record_attachments
                     WHERE version_id IN ({}) ORDER BY version_id, position",
                    placeholders(1, ids.len())
                );
                let rows: Vec<(i64, i64, String, String)> = run!(r.conn(), |c| {
                    let mut q = sqlx::query_as(&sql);
                    for id in ids {
                        q = q.bind(*id);
                    }
                    q.fetch_all(&mut *c).await?
                });
                for (v, pos, name, sha) in rows {
                    files.entry(v).or_default().push((pos, name, sha));
                }
            }
            for (seq, record, version, digest) in chunk {
                self.counts.record_versions += 1;
                match by_key.get(&(*record, *version)) {
                    None => problems.push((
                        *seq,
                        format!("record {record} version {version} is missing from the database"),
                    )),
                    Some(v) => {
                        let found = version_digest(
                            alg,
                            v,
                            participants.get(&v.id).map(|p| p.as_slice()).unwrap_or(&[]),
                            files.get(&v.id).map(|f| f.as_slice()).unwrap_or(&[]),
                        );
                        if &found != digest {
                            problems.push((
                                *seq,
                                format!("record {record} version {version} was changed in the database: it no longer matches the digest the chain recorded"),
                            ));
                        }
                    }
                }
            }
            if !problems.is_empty() {
                return Ok(earliest(problems));
            }
        }
        let reviews = std::mem::take(&mut self.reviews);
        for chunk in reviews.chunks(BATCH) {
            let items: Vec<i64> = chunk
                .iter()
                .map(|c| c.1)
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            let sql = format!(
                "SELECT id, item_id, version, title, body, details FROM review_versions WHERE item_id IN ({})",
                placeholders(1, items.len())
            );
            let rows: Vec<ReviewVersionRow> = run!(r.conn(), |c| {
                let mut q = sqlx::query_as(&sql);
                for id in &items {
                    q = q.bind(*id);
                }
                q.fetch_all(&mut *c).await?
            });
            let ids: Vec<i64> = rows.iter().map(|v| v.0).collect();
            let mut files: HashMap<i64, Vec<(String, String)>> = HashMap::new();
            for ids in ids.chunks(BATCH) {
                let sql = format!(
                    "SELECT version_id, file_name, sha256 FROM review_attachments
                     WHERE version_id IN ({}) ORDER BY version_id, position",
                    placeholders(1, ids.len())
                );
                let rows: Vec<(i64, String, String)> = run!(r.conn(), |c| {
                    let mut q = sqlx::query_as(&sql);
                    for id in ids {
                        q = q.bind(*id);
                    }
                    q.fetch_all(&mut *c).await?
                });
                for (v, name, sha) in rows {
                    files.entry(v).or_default().push((name, sha));
                }
            }
            let by_key: HashMap<(i64, i64), &ReviewVersionRow> =
                rows.iter().map(|v| ((v.1, v.2), v)).collect();
            for (seq, item, version, hash) in chunk {
                self.counts.review_versions += 1;
                match by_key.get(&(*item, *version)) {
                    None => problems.push((
                        *seq,
                        format!(
                            "review item {item} version {version} is missing from the database"
                        ),
                    )),
                    Some((vid, _, _, title, body, details)) => {
                        let found = NewItemVersion {
                            title: title.clone(),
                            body: body.clone(),
                            details: serde_json::from_str(details)
                                .unwrap_or(serde_json::Value::Null),
                            findings: Vec::new(),
                            attachments: files.remove(vid).unwrap_or_default(),
                        }
                        .hash();
                        if &found != hash {
                            problems.push((
                                *seq,
                                format!("review item {item} version {version} was changed in the database: it no longer matches the hash the chain recorded"),
                            ));
                        }
                    }
                }
            }
            if !problems.is_empty() {
                return Ok(earliest(problems));
            }
        }
        Ok(None)
    }

    /// Each record and review item points at the latest version the chain names, and each
    /// stored file the chain names is there, unchanged.
    async fn check_rest(&mut self, r: &mut Snapshot) -> Result<Option<Break>> {
        let mut problems = Vec::new();
        for (table, what, latest) in [
            ("records", "record", &self.record_latest),
            ("review_items", "review item", &self.review_latest),
        ] {
            let ids: Vec<i64> = latest.keys().copied().collect();
            for chunk in ids.chunks(BATCH) {
                let sql = format!(
                    "SELECT id, current_version FROM {table} WHERE id IN ({})",
                    placeholders(1, chunk.len())
                );
                let rows: Vec<(i64, i64)> = run!(r.conn(), |c| {
                    let mut q = sqlx::query_as(&sql);
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    q.fetch_all(&mut *c).await?
                });
                let found: HashMap<i64, i64> = rows.into_iter().collect();
                for id in chunk {
                    let (version, seq) = latest[id];
                    match found.get(id) {
                        None => problems.push((seq, format!("{what} {id} is missing from the database"))),
                        Some(cur) if *cur != version => problems.push((
                            seq,
                            format!("{what} {id} points at version {cur}, but the chain's latest version of it is {version}: {table}.current_version was changed"),
                        )),
                        Some(_) => {}
                    }
                }
            }
            if what == "record" {
                self.counts.records = ids.len();
            } else {
                self.counts.review_items = ids.len();
            }
        }
        let files: Vec<(&String, &i64)> = self.files.iter().collect();
        for chunk in files.chunks(FILE_BATCH) {
            let sql = format!(
                "SELECT sha256, content FROM attachments WHERE sha256 IN ({})",
                placeholders(1, chunk.len())
            );
            let rows: Vec<(String, Vec<u8>)> = run!(r.conn(), |c| {
                let mut q = sqlx::query_as(&sql);
                for (sha, _) in chunk {
                    q = q.bind(sha.as_str());
                }
                q.fetch_all(&mut *c).await?
            });
            let found: HashMap<String, String> = rows
                .into_iter()
                .map(|(sha, content)| (sha, sha256_hex(&content)))
                .collect();
            for (sha, seq) in chunk {
                self.counts.files += 1;
                match found.get(*sha) {
                    None => problems.push((
                        **seq,
                        format!("stored file {sha} is missing from the database (its content row was deleted)"),
                    )),
                    Some(d) if d != *sha => problems.push((
                        **seq,
                        format!("stored file {sha} was changed in the database: its content no longer has that digest"),
                    )),
                    Some(_) => {}
                }
            }
        }
        Ok(earliest(problems))
    }
}
