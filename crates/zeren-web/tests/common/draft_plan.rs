//! The seed 实施方案 the drafting tests upload, and the answers a person gives to its draft's
//! questions.

/// One seed 实施方案 (a primary school's, 23 lines, from the development set).
pub const PLAN: &str = include_str!("../fixtures/draft-school.txt");

/// The answers a person gives in the draft: a post instead of a name, owners for the two timed
/// duties, the circumstance kept; then the `# ?` lines deleted.
pub fn answered(draft: &str) -> String {
    let out = draft
        .replace("held_by = \"教导张美英\"", "held_by = \"教导主任\"")
        .replace(
            "source = \"L17\"",
            "owner = \"first_responsible\"\nsource = \"L17\"",
        )
        .replace(
            "source = \"L18\"",
            "owner = \"first_responsible\"\nsource = \"L18\"",
        );
    out.lines()
        .filter(|l| !l.trim_start().starts_with("# ?"))
        .map(|l| format!("{l}\n"))
        .collect()
}
