//! Zip containers (.docx, .xlsx) read under limits: the entry count, each member's declared and actual
//! expanded size, and its expansion ratio are checked before and while inflating, so a zip bomb fails
//! at once instead of filling memory.

use crate::mask::num;
use std::io::{Cursor, Read};

use zip::result::ZipError;
use zip::ZipArchive;

use super::{extract_format, ExtractError, Extracted, Limits};
use crate::sniff::{sniff, Format};

/// Small members may compress very well (an XML file of repeated tags); below this size the ratio
/// limit does not apply.
const RATIO_FREE: u64 = 1 << 20;

pub(crate) struct Archive<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    limits: &'a Limits,
    used: u64,
}

/// The end-of-central-directory record: its offset in `b`, found in the last 64 KiB (the longest
/// comment) as the zip format puts it.
fn eocd(b: &[u8]) -> Option<usize> {
    let from = b.len().saturating_sub(22 + 0xFFFF);
    memchr::memmem::rfind(&b[from..], b"PK\x05\x06").map(|p| from + p)
}

/// How many entries the central directory declares (the zip64 count when the classic one is saturated).
/// Read before the zip reader parses anything, so a directory of millions of entries is refused without
/// allocating for them.
pub(crate) fn declared_entries(b: &[u8]) -> Option<u64> {
    let e = eocd(b)?;
    let rec = b.get(e..e + 22)?;
    let total = u64::from(u16::from_le_bytes([rec[10], rec[11]]));
    if total != 0xFFFF {
        return Some(total);
    }
    // Zip64 end-of-central-directory locator, 20 bytes before the classic record.
    let loc = b.get(e.checked_sub(20)?..e)?;
    if loc[..4] != *b"PK\x06\x07" {
        return Some(total);
    }
    let off = u64::from_le_bytes(loc[8..16].try_into().ok()?) as usize;
    let rec64 = b.get(off..off.checked_add(56)?)?;
    (rec64[..4] == *b"PK\x06\x06")
        .then(|| u64::from_le_bytes(rec64[32..40].try_into().expect("8 bytes")))
}

/// The names in the central directory, read directly (at most `max` of them); `None` when the file has
/// no end-of-central-directory record (truncated or not a zip).
pub(crate) fn central_names(b: &[u8], max: usize) -> Option<Vec<&[u8]>> {
    eocd(b)?;
    let mut names = Vec::new();
    for p in memchr::memmem::find_iter(b, b"PK\x01\x02") {
        let Some(h) = b.get(p..p + 46) else { break };
        let n = usize::from(u16::from_le_bytes([h[28], h[29]]));
        if let Some(name) = b.get(p + 46..p + 46 + n) {
            names.push(name);
        }
        if names.len() >= max {
            break;
        }
    }
    Some(names)
}

impl<'a> Archive<'a> {
    pub(crate) fn open(bytes: &'a [u8], limits: &'a Limits) -> Result<Self, ExtractError> {
        if let Some(n) = declared_entries(bytes) {
            if n > limits.max_entries as u64 {
                return Err(ExtractError::TooManyEntries {
                    count: usize::try_from(n).unwrap_or(usize::MAX),
                    limit: limits.max_entries,
                });
            }
        }
        let zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            ExtractError::Malformed(format!(
                "不是有效的 zip 容器 (not a valid zip container): {e}"
            ))
        })?;
        if zip.len() > limits.max_entries {
            return Err(ExtractError::TooManyEntries {
                count: zip.len(),
                limit: limits.max_entries,
            });
        }
        Ok(Archive {
            zip,
            limits,
            used: 0,
        })
    }

    pub(crate) fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.zip.file_names().map(str::to_string).collect();
        v.sort();
        v
    }

    /// Bytes that may still be expanded.
    pub(crate) fn remaining(&self) -> u64 {
        self.limits.max_expanded.saturating_sub(self.used)
    }

    /// Counts work done on this archive's behalf (text of embedded documents) against its limit.
    pub(crate) fn charge(&mut self, bytes: u64) {
        self.used = self.used.saturating_add(bytes);
    }

    /// The expanded bytes of member `name`, or `None` when there is no such member.
    pub(crate) fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, ExtractError> {
        let mut f = match self.zip.by_name(name) {
            Ok(f) => f,
            Err(ZipError::FileNotFound) => return Ok(None),
            Err(ZipError::UnsupportedArchive(why)) if why.contains("assword") => {
                return Err(ExtractError::Encrypted)
            }
            Err(e) => {
                return Err(ExtractError::Malformed(crate::mask::masked_owned(format!(
                    "{name}: {e}"
                ))))
            }
        };
        if f.encrypted() {
            return Err(ExtractError::Encrypted);
        }
        let budget = self
            .limits
            .max_expanded
            .saturating_sub(self.used)
            .min(self.limits.max_member);
        let declared = f.size();
        let compressed = f.compressed_size().max(1);
        let ratio_cap = compressed
            .saturating_mul(self.limits.max_ratio)
            .max(RATIO_FREE);
        let too_big = |detail: String| ExtractError::ExpansionTooLarge {
            entry: crate::mask::masked_owned(name.to_string()),
            detail,
        };
        if declared > budget {
            return Err(too_big(format!(
                "声明解压后 {} 字节，超过上限 {} 字节 (declared size over the limit)",
                num(declared),
                num(budget)
            )));
        }
        if declared > ratio_cap {
            return Err(too_big(format!(
                "压缩比 {}:1 超过 {}:1 (expansion ratio over the limit)",
                num(declared / compressed),
                num(self.limits.max_ratio)
            )));
        }
        // The declared size may lie: never reserve more than 1 MiB on its word, and stop inflating one
        // byte past what is allowed.
        let cap = budget.min(ratio_cap);
        let mut out = Vec::with_capacity(declared.min(cap).min(1 << 20) as usize);
        (&mut f).take(cap + 1).read_to_end(&mut out).map_err(|e| {
            ExtractError::Malformed(crate::mask::masked_owned(format!("{name}: {e}")))
        })?;
        if out.len() as u64 > cap {
            return Err(too_big(format!(
                "实际解压超过 {} 字节，与声明的 {} 字节不符 (expands past the limit; the header lies)",
                num(cap),
                num(declared)
            )));
        }
        self.used += out.len() as u64;
        Ok(Some(out))
    }
}

/// Extracts the documents embedded under `prefix` (a workbook pasted into a Word file travels with it)
/// and appends them; what each one is comes from its content. Other embedded objects (OLE objects,
/// pictures) are named in a note for the reviewer to open by hand.
pub(crate) fn append_embedded(
    zip: &mut Archive<'_>,
    prefix: &str,
    limits: &Limits,
    nesting: usize,
    ex: &mut Extracted,
) -> Result<(), ExtractError> {
    for name in zip.names().into_iter().filter(|n| n.starts_with(prefix)) {
        let short = name.rsplit('/').next().unwrap_or(&name).to_string();
        let Some(data) = zip.read(&name)? else {
            continue;
        };
        let format = sniff(&data, &name);
        let readable = matches!(
            format,
            Format::Docx
                | Format::Xlsx
                | Format::Pdf
                | Format::Text(_)
                | Format::Csv(_)
                | Format::Tsv(_)
                | Format::Html(_)
                | Format::Xml(_)
                | Format::Svg(_)
        );
        if !readable {
            ex.notes.push(format!(
                "嵌入对象 {short}（{}）无法自动检查，请人工查看 (embedded object not checked)",
                format.name_zh()
            ));
            continue;
        }
        if nesting >= limits.max_nesting {
            return Err(ExtractError::TooDeep {
                limit: limits.max_nesting,
            });
        }
        let child_limits = Limits {
            max_expanded: zip.remaining(),
            ..limits.clone()
        };
        let child = extract_format(&format, &name, &data, &child_limits, nesting + 1)?;
        zip.charge(child.text.len() as u64);
        ex.append(child, &format!("嵌入文件 {short}"));
        ex.check_cells(limits)?;
    }
    Ok(())
}
