//! The evidence files of a ledger as one ZIP: a folder per record, the files inside it, and an
//! index sheet (佐证材料目录.xlsx) at the top. Files are streamed in one by one through a loader,
//! so a year of attachments is never held in memory at once.

use std::collections::HashSet;
use std::io::{Seek, Write};

use zip::write::SimpleFileOptions;

use chrono::NaiveDate;

use crate::xlsx::{index_xlsx, IndexEntry};
use crate::{ExportError, LedgerMeta, Receipt};

/// One record's evidence.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EvidenceItem {
    pub duty_title: String,
    pub period_label: String,
    pub work_date: Option<NaiveDate>,
    /// Who entered the record, by name.
    pub recorded_by: String,
    /// The parent's 签收 of a record reported to it.
    pub receipt: Receipt,
    /// Stored files: the name to show and the key the loader understands.
    pub files: Vec<(String, String)>,
}

/// Makes a name safe as a ZIP path component on Windows, macOS and Linux.
pub fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let trimmed = cleaned.trim().trim_matches('.').trim();
    let short: String = trimmed.chars().take(80).collect();
    if short.is_empty() {
        "未命名".into()
    } else {
        short
    }
}

/// Writes the ZIP to `sink`; `load(key)` returns a file's bytes.
pub fn evidence_zip<W: Write + Seek>(
    sink: W,
    meta: &LedgerMeta,
    items: &[EvidenceItem],
    mut load: impl FnMut(&str) -> std::io::Result<Vec<u8>>,
) -> Result<W, ExportError> {
    let mut z = zip::ZipWriter::new(sink);
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut index = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let folder = safe_name(&format!(
            "{:03} {} {}",
            n + 1,
            item.duty_title,
            item.period_label
        ));
        let mut used = HashSet::new();
        for (name, key) in &item.files {
            let mut file = safe_name(name);
            // Two attachments with the same name in one record stay apart.
            let mut k = 2;
            while !used.insert(file.clone()) {
                file = match safe_name(name).rsplit_once('.') {
                    Some((stem, ext)) => format!("{stem}（{k}）.{ext}"),
                    None => format!("{}（{k}）", safe_name(name)),
                };
                k += 1;
            }
            let bytes = load(key)?;
            z.start_file(format!("{folder}/{file}"), opts)?;
            z.write_all(&bytes)?;
            index.push(IndexEntry {
                folder: folder.clone(),
                file,
                duty_title: item.duty_title.clone(),
                period_label: item.period_label.clone(),
                work_date: item.work_date,
                recorded_by: item.recorded_by.clone(),
                receipt: item.receipt.clone(),
            });
        }
    }
    z.start_file("佐证材料目录.xlsx", opts)?;
    z.write_all(&index_xlsx(meta, &index)?)?;
    Ok(z.finish()?)
}
