//! The bundled policy packs as the setup and policy pages offer them: the engine's ten packs
//! (`zeren_policy::packs`) with their titles.

pub use zeren_policy::packs::Pack;

pub fn find(id: &str) -> Option<&'static Pack> {
    zeren_policy::packs::get(id)
}

pub struct PackInfo {
    pub id: &'static str,
    pub title: String,
    /// The kinds of unit it applies to, in Chinese (empty: the unit it is installed at).
    pub applies_to: String,
}

/// A standard fragment a policy may include, marked as not from any seed text.
pub struct FragmentInfo {
    pub id: &'static str,
    pub title: String,
    pub description: String,
}

/// The bundled fragments, as setup and the policy page offer them.
pub fn fragments() -> Vec<FragmentInfo> {
    zeren_policy::fragments::all()
        .iter()
        .map(|f| {
            let info = f.info();
            FragmentInfo {
                id: f.id,
                title: info.title,
                description: info.description.unwrap_or_default(),
            }
        })
        .collect()
}

/// Every pack with the title it declares, in the order of the seed text.
pub fn listing() -> Vec<PackInfo> {
    zeren_policy::packs::all()
        .iter()
        .map(|p| {
            let meta = p.policy().meta;
            PackInfo {
                id: p.id,
                applies_to: meta
                    .applies_to
                    .iter()
                    .map(|k| k.zh().to_string())
                    .collect::<Vec<_>>()
                    .join("、"),
                title: meta.title,
            }
        })
        .collect()
}
