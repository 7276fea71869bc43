//! The bundled policy packs as the setup and policy pages offer them: the engine's ten packs
//! (`zeren_policy::packs`) with their titles.

pub use zeren_policy::packs::Pack;

pub fn find(id: &str) -> Option<&'static Pack> {
    zeren_policy::packs::get(id)
}

pub struct PackInfo {
    pub id: &'static str,
    pub title: String,
}

/// Every pack with the title it declares, in the order of the seed text.
pub fn listing() -> Vec<PackInfo> {
    zeren_policy::packs::all()
        .iter()
        .map(|p| PackInfo {
            id: p.id,
            title: p.policy().meta.title,
        })
        .collect()
}
