//! The ten seed policy packs shipped with Zeren (`policies/*.toml`), embedded in the binary so a
//! first-run setup can offer them without any file at hand.

use crate::model::Policy;

/// One bundled policy pack.
#[derive(Debug, Clone, Copy)]
pub struct Pack {
    /// The pack's id, which is also its file name without `.toml`.
    pub id: &'static str,
    pub text: &'static str,
}

impl Pack {
    pub fn file_name(&self) -> String {
        format!("policies/{}.toml", self.id)
    }

    /// The parsed pack. Every bundled pack is valid (a test checks it).
    pub fn policy(&self) -> Policy {
        crate::parse(&self.file_name(), self.text).expect("bundled packs are valid")
    }
}

macro_rules! packs {
    ($($id:literal),* $(,)?) => {
        const PACKS: &[Pack] = &[$(Pack { id: $id, text: include_str!(concat!("../../../policies/", $id, ".toml")) }),*];
    };
}

// In the order of the seed text.
packs!(
    "primary-school",
    "middle-school",
    "bureau",
    "district-school",
    "cooperative",
    "university",
    "farm",
    "hospital",
    "school-basic",
    "school-bureau",
);

/// All bundled packs, in the order of the seed text.
pub fn all() -> &'static [Pack] {
    PACKS
}

/// The bundled pack with this id.
pub fn get(id: &str) -> Option<&'static Pack> {
    PACKS.iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pack_is_valid_and_named_by_its_id() {
        assert_eq!(all().len(), 10);
        for pack in all() {
            let p = crate::parse(&pack.file_name(), pack.text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(p.meta.id.as_str(), pack.id);
        }
        assert!(get("bureau").is_some());
        assert!(get("nope").is_none());
    }
}
