//! Zip containers (.docx, .xlsx) read under limits: the entry count, each member's declared and actual
//! expanded size, and its expansion ratio are checked before and while inflating, so a zip bomb fails
//! at once instead of filling memory.

use std::io::{Cursor, Read};

use zip::result::ZipError;
use zip::ZipArchive;

use super::{ExtractError, Limits};

/// Small members may compress very well (an XML file of repeated tags); below this size the ratio
/// limit does not apply.
const RATIO_FREE: u64 = 1 << 20;

pub(crate) struct Archive<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    limits: &'a Limits,
    used: u64,
}

impl<'a> Archive<'a> {
    pub(crate) fn open(bytes: &'a [u8], limits: &'a Limits) -> Result<Self, ExtractError> {
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

    /// The expanded bytes of member `name`, or `None` when there is no such member.
    pub(crate) fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, ExtractError> {
        let mut f = match self.zip.by_name(name) {
            Ok(f) => f,
            Err(ZipError::FileNotFound) => return Ok(None),
            Err(ZipError::UnsupportedArchive(why)) if why.contains("assword") => {
                return Err(ExtractError::Encrypted)
            }
            Err(e) => return Err(ExtractError::Malformed(format!("{name}: {e}"))),
        };
        if f.encrypted() {
            return Err(ExtractError::Encrypted);
        }
        let budget = self.limits.max_expanded.saturating_sub(self.used);
        let declared = f.size();
        let compressed = f.compressed_size().max(1);
        let ratio_cap = compressed
            .saturating_mul(self.limits.max_ratio)
            .max(RATIO_FREE);
        let too_big = |detail: String| ExtractError::ExpansionTooLarge {
            entry: name.to_string(),
            detail,
        };
        if declared > budget {
            return Err(too_big(format!(
                "声明解压后 {declared} 字节，超过上限 {budget} 字节 (declared size over the limit)"
            )));
        }
        if declared > ratio_cap {
            return Err(too_big(format!(
                "压缩比 {}:1 超过 {}:1 (expansion ratio over the limit)",
                declared / compressed,
                self.limits.max_ratio
            )));
        }
        // The declared size may lie; stop inflating one byte past what is allowed.
        let cap = budget.min(ratio_cap);
        let mut out = Vec::with_capacity(declared.min(cap) as usize);
        (&mut f)
            .take(cap + 1)
            .read_to_end(&mut out)
            .map_err(|e| ExtractError::Malformed(format!("{name}: {e}")))?;
        if out.len() as u64 > cap {
            return Err(too_big(format!(
                "实际解压超过 {cap} 字节，与声明的 {declared} 字节不符 (expands past the limit; the header lies)"
            )));
        }
        self.used += out.len() as u64;
        Ok(Some(out))
    }
}
