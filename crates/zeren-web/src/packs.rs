//! The ten policy packs shipped in the binary (from `policies/`), offered at setup and when
//! installing a policy at a unit.

pub struct Pack {
    pub id: &'static str,
    pub text: &'static str,
}

macro_rules! packs {
    ($($id:literal),*) => { &[$(Pack { id: $id, text: include_str!(concat!("../../../policies/", $id, ".toml")) }),*] };
}

pub static PACKS: &[Pack] = packs!(
    "district-school",
    "primary-school",
    "middle-school",
    "school-basic",
    "school-bureau",
    "bureau",
    "hospital",
    "cooperative",
    "university",
    "farm"
);

pub fn find(id: &str) -> Option<&'static Pack> {
    PACKS.iter().find(|p| p.id == id)
}

/// (id, title) of every pack, the title read from the pack itself.
pub fn listing() -> Vec<PackInfo> {
    PACKS
        .iter()
        .map(|p| PackInfo {
            id: p.id,
            title: zeren_policy::parse(&format!("{}.toml", p.id), p.text)
                .map(|pol| pol.meta.title)
                .unwrap_or_else(|_| p.id.to_string()),
        })
        .collect()
}

pub struct PackInfo {
    pub id: &'static str,
    pub title: String,
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_pack_parses() {
        for p in super::PACKS {
            if let Err(d) = zeren_policy::parse(&format!("{}.toml", p.id), p.text) {
                panic!("{}: {d}", p.id);
            }
        }
    }
}
