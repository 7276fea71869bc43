//! The organisation's page models: the unit tree, a unit with its roles and bodies, a person,
//! the roster import and the policy pages.

use askama::Template;
use chrono::NaiveDate;
use zeren_store::*;

use crate::shared::packs::{FragmentInfo, PackInfo};
use crate::shared::refusal::Refused;
use crate::shared::view::{Chrome, Crumb};

pub struct TreeNode {
    pub unit: Unit,
    pub depth: usize,
}

#[derive(Template)]
#[template(path = "pages/units.html")]
pub struct UnitsPage {
    pub chrome: Chrome,
    pub roots: Vec<Unit>,
    pub nodes: Vec<TreeNode>,
}

pub struct RoleRow {
    pub id: String,
    pub title: String,
    pub held_by: Option<String>,
    pub holders: Vec<AssignmentView>,
}

/// A past holder, with the role's title from the policy (its id when the policy no longer has it).
pub struct HistoryRow {
    pub a: AssignmentView,
    pub role_title: String,
}

pub struct BodyView {
    pub body: Body,
    pub members: Vec<MemberView>,
}

pub struct MemberView {
    pub person_name: String,
    pub position: String,
}

impl MemberView {
    pub fn position_key(&self) -> &'static str {
        match self.position.as_str() {
            "chair" => "body.chair",
            "deputy" => "body.deputy",
            _ => "body.member",
        }
    }
}

/// The roles section, rendered in the unit page and alone as an htmx partial.
#[derive(Template)]
#[template(path = "components/roles.html")]
pub struct RolesPart {
    pub chrome: Chrome,
    pub unit: Unit,
    /// Whether the policy in force governs this unit, where it is installed (when above) and
    /// the kinds it applies to.
    pub governs: bool,
    pub installed_at: Option<String>,
    pub applies_to: String,
    pub policy: Option<InstalledPolicy>,
    pub roles: Vec<RoleRow>,
    pub warnings: Vec<String>,
    pub history: Vec<HistoryRow>,
    pub candidates: Vec<Person>,
    pub can_edit: bool,
    pub today: NaiveDate,
    pub refused: Refused,
}

#[derive(Template)]
#[template(path = "pages/unit.html")]
pub struct UnitPage {
    pub chrome: Chrome,
    pub unit: Unit,
    /// For a merged unit, the unit it joined (and whether the viewer may open it).
    pub merged_into: Option<Unit>,
    pub merged_into_link: bool,
    /// The viewer may retire or merge this unit (administer at its parent; nothing active below).
    pub can_retire: bool,
    pub retire_targets: Vec<Unit>,
    /// Whether the policy in force governs this unit, where it is installed (when above) and
    /// the kinds it applies to.
    pub governs: bool,
    pub installed_at: Option<String>,
    pub applies_to: String,
    pub path: Vec<Crumb>,
    pub children: Vec<Unit>,
    pub people: Vec<Person>,
    pub policy: Option<InstalledPolicy>,
    pub roles: Vec<RoleRow>,
    pub warnings: Vec<String>,
    pub history: Vec<HistoryRow>,
    pub candidates: Vec<Person>,
    pub bodies: Vec<BodyView>,
    /// What published assessments mean for the unit (考核结果的影响), latest first.
    pub effects: Vec<zeren_store::assessment::Effect>,
    pub can_edit: bool,
    pub can_administer: bool,
    pub today: NaiveDate,
    pub refused: Refused,
}

#[derive(Template)]
#[template(path = "pages/person.html")]
pub struct PersonPage {
    pub chrome: Chrome,
    pub person: Person,
    pub path: Vec<Crumb>,
    pub id_masked: String,
    pub assignments: Vec<HistoryRow>,
}

#[derive(Template)]
#[template(path = "pages/import.html")]
pub struct ImportPage {
    pub chrome: Chrome,
    pub unit: Unit,
    /// `create` (add people) or `update` (update people matched by 工号 or 身份证号).
    pub mode: String,
    pub imported: Option<usize>,
    /// After a confirmed update: (added, updated, unchanged).
    pub updated: Option<(usize, usize, usize)>,
    pub problems: Vec<super::roster::Problem>,
    /// What is wrong with the upload as a whole (too large, no file, tampered).
    pub error: Option<String>,
    /// A file was chosen and must be chosen again.
    pub files_again: bool,
    pub preview: Option<RosterPreview>,
}

impl ImportPage {
    pub fn column_label(&self, column: &str) -> &'static str {
        self.chrome.t.s(match column {
            "name" => "field.name",
            "gender" => "field.gender",
            "id_number" => "field.id_number",
            "employee_no" => "field.employee_no",
            "phone" => "field.phone",
            "position" => "field.position",
            "political_status" => "field.political_status",
            "unit" => "field.unit",
            _ => "import.row_as_whole",
        })
    }
}

/// What an update-mode import will do, and what its confirmation sends back.
pub struct RosterPreview {
    pub file_name: String,
    pub sha256: String,
    /// The file, base64: the confirmation applies exactly the file previewed.
    pub content: String,
    pub fingerprint: String,
    pub new: Vec<NewRowView>,
    pub changed: Vec<ChangedView>,
    pub same: Vec<String>,
}

pub struct NewRowView {
    pub row: usize,
    pub name: String,
    pub unit: String,
    pub employee_no: String,
}

pub struct ChangedView {
    pub row: usize,
    pub name: String,
    /// (field label id, old, new)
    pub changes: Vec<(&'static str, String, String)>,
}

pub struct Preview {
    pub title: String,
    pub version: String,
    pub first: bool,
    pub diff: String,
    pub file_name: String,
    pub sha256: String,
    pub text: String,
    /// The kinds of unit it applies to, in Chinese (empty: this unit).
    pub applies_to: String,
    /// The installations here it replaces (same policy or same scope), by title.
    pub replaces: Vec<String>,
    /// What it would leave unanswered here, located in its text.
    pub warnings: Vec<String>,
}

#[derive(Template)]
#[template(path = "pages/policy.html")]
pub struct PolicyPage {
    pub chrome: Chrome,
    pub unit: Unit,
    pub packs: Vec<PackInfo>,
    pub fragments: Vec<FragmentInfo>,
    /// Nothing ticked when the page opens.
    pub no_fragments: Vec<String>,
    /// The current installations at this unit, with the kinds each applies to (in Chinese).
    pub installed: Vec<(InstalledPolicy, String)>,
    pub history: Vec<InstalledPolicy>,
    pub preview: Option<Preview>,
    pub errors: Vec<String>,
    /// The pack chosen in a refused preview (`upload` for a file), chosen again.
    pub chosen: String,
    /// A file was chosen and must be chosen again.
    pub files_again: bool,
}

/// `110105********002X`: enough to recognise, not enough to misuse.
pub fn mask_id(id: &str) -> String {
    if id.len() == 18 {
        format!("{}********{}", &id[..6], &id[14..])
    } else {
        String::new()
    }
}

/// 从实施方案起草: the upload, then the text and its draft side by side.
#[derive(Template)]
#[template(path = "pages/policy_draft.html")]
pub struct DraftPage {
    pub chrome: Chrome,
    pub unit: Unit,
    /// Text pasted instead of a file, kept when the upload is refused.
    pub pasted: String,
    /// What is wrong with the upload or the draft, in the viewer's language.
    pub errors: Vec<String>,
    /// A file was chosen and must be chosen again.
    pub files_again: bool,
    pub work: Option<DraftWork>,
    pub max_chars: usize,
}

/// A draft being worked on: what the page sends back with every check and the install.
pub struct DraftWork {
    pub source_name: String,
    /// The source text as read (the numbered lines come from it).
    pub source: String,
    pub lines: Vec<SourceLine>,
    /// The draft policy file as the person left it.
    pub text: String,
    pub entries: Vec<DraftEntry>,
    /// Open `# ?` questions, each at its line of the draft and (when it names one) of the text.
    pub questions: Vec<DraftQuestion>,
    /// The draft parses as a policy file.
    pub valid: bool,
    /// The current installations at this unit that installing the draft would replace.
    pub replaces: Vec<String>,
}

pub struct SourceLine {
    pub no: u32,
    pub text: String,
    /// The first entry citing the line: its index and kind (message id).
    pub entry: Option<(usize, &'static str)>,
}

pub struct DraftEntry {
    pub index: usize,
    /// Its header's line in the draft (what 删去 names).
    pub line: usize,
    /// The table as written: `duties.month_analysis`.
    pub table: String,
    /// Its kind in words (message id).
    pub kind: &'static str,
    pub commented: bool,
    pub title: String,
    pub source: String,
    /// The first line it cites (for the anchor), when `source` names lines of the text.
    pub first: Option<u32>,
    pub confidence: String,
    pub rule: String,
    pub questions: Vec<String>,
}

pub struct DraftQuestion {
    pub draft_line: usize,
    pub text: String,
    pub source_line: Option<u32>,
}
