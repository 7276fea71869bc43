//! 从实施方案起草: a policy drafted from the organisation's own 实施方案 (a .txt, .docx or .pdf,
//! read by the scanner's extractors as `zeren policy draft` reads it), shown beside the text line
//! by line; the person answers the `# ?` questions in the draft itself, checks it, and installs it
//! exactly as an uploaded policy file is installed. The text and the draft travel with the form
//! (bounded), so nothing is stored before the install and a refused form loses nothing.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use zeren_store::{Level, Unit};

use super::policy;
use super::views::{DraftEntry, DraftPage, DraftQuestion, DraftWork, SourceLine};
use crate::shared::multipart::{Form as MultipartForm, Multipart};
use crate::shared::policies::parse_policy;
use crate::shared::prelude::*;

/// Longest source text drafted here (characters): the page carries it between requests. Three
/// times the longest seed 实施方案.
pub const MAX_SOURCE_CHARS: usize = 60_000;
/// Longest draft taken back from the page (characters).
const MAX_DRAFT_CHARS: usize = 200_000;
/// Largest file read (bytes): a Word or PDF file with pictures is larger than its text.
const MAX_FILE: u64 = 20 << 20;
/// The file kinds drafted from.
const KINDS: &[&str] = &["txt", "docx", "pdf"];
/// Longest file name kept (characters).
const MAX_NAME: usize = 100;

fn page_model(v: &Viewer, lang: Lang, unit: Unit) -> DraftPage {
    DraftPage {
        chrome: Chrome::new(lang, Some(v)),
        unit,
        pasted: String::new(),
        errors: Vec::new(),
        files_again: false,
        work: None,
        max_chars: MAX_SOURCE_CHARS,
    }
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Administer).await?;
    render(&page_model(&v, lang, unit))
}

/// The text of an uploaded file, or what is wrong with it in the viewer's language.
fn read_file(name: &str, bytes: &[u8], lang: Lang) -> std::result::Result<String, String> {
    let t = Tr(lang);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_lowercase());
    if !ext.as_deref().is_some_and(|e| KINDS.contains(&e)) {
        return Err(t.f("draft.kind", &[("file", name)]));
    }
    let limits = zeren_scan::Limits {
        max_input: MAX_FILE,
        ..zeren_scan::Limits::default()
    };
    zeren_scan::extract(name, bytes, &limits)
        .map(|x| x.text)
        .map_err(|e| {
            let why = match lang {
                Lang::Zh => e.zh(),
                Lang::En => e.en(),
            };
            t.f("draft.unreadable", &[("file", name), ("why", &why)])
        })
}

/// The text is one the page can draft from and carry: not empty, not too long.
fn check_source(text: &str, lang: Lang) -> std::result::Result<(), String> {
    let t = Tr(lang);
    if text.trim().is_empty() {
        return Err(t.s("draft.empty").to_string());
    }
    if text.chars().count() > MAX_SOURCE_CHARS {
        return Err(t.f("draft.too_long", &[("max", &MAX_SOURCE_CHARS.to_string())]));
    }
    Ok(())
}

fn short_name(name: &str) -> String {
    name.chars().take(MAX_NAME).collect()
}

/// The page's view of a draft: the numbered text, the entries as the draft now reads, its
/// questions and whether it parses.
async fn work(
    state: &AppState,
    unit_id: i64,
    source_name: String,
    source: String,
    text: String,
    lang: Lang,
) -> Result<(DraftWork, Vec<String>)> {
    let outline = zeren_draft::outline(&text);
    let entries: Vec<DraftEntry> = outline
        .iter()
        .enumerate()
        .map(|(i, e)| DraftEntry {
            index: i,
            line: e.line,
            kind: kind_of(&e.table),
            table: e.table.clone(),
            commented: e.commented,
            title: e.title.clone().unwrap_or_default(),
            source: e.source.clone().unwrap_or_default(),
            first: e.lines.map(|l| l.0),
            confidence: e.confidence.clone().unwrap_or_default(),
            rule: e.rule.clone().unwrap_or_default(),
            questions: e.questions.clone(),
        })
        .collect();
    let lines = source
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let no = i as u32 + 1;
            SourceLine {
                no,
                text: l.to_string(),
                entry: outline
                    .iter()
                    .position(|e| e.lines.is_some_and(|(a, b)| a <= no && no <= b))
                    .map(|i| (i, entries[i].kind)),
            }
        })
        .collect();
    let questions = zeren_draft::open_questions_at(&text)
        .into_iter()
        .map(|(draft_line, q)| {
            let source_line = q
                .split_once(':')
                .and_then(|(at, _)| zeren_draft::outline::source_lines(at))
                .map(|(a, _)| a);
            DraftQuestion {
                draft_line,
                text: q.to_string(),
                source_line,
            }
        })
        .collect();
    let (valid, errors, replaces) = match parse_policy("草稿.toml", &text, lang) {
        Ok(p) => {
            let replaces = policy::replaced(state, unit_id, &p)
                .await?
                .iter()
                .map(|p| format!("{}（{}）", p.title, p.version))
                .collect();
            (true, Vec::new(), replaces)
        }
        Err(e) => (false, e, Vec::new()),
    };
    Ok((
        DraftWork {
            source_name,
            source,
            lines,
            text,
            entries,
            questions,
            valid,
            replaces,
        },
        errors,
    ))
}

/// The kind of an entry from its table's name (a message id).
fn kind_of(table: &str) -> &'static str {
    match table.split('.').next().unwrap_or("") {
        "policy" => "draft.kind_policy",
        "roles" => "draft.kind_role",
        "bodies" => "draft.kind_body",
        "duties" => "draft.kind_duty",
        "responsibilities" => "draft.kind_responsibility",
        "workflows" if table.ends_with(".steps") => "draft.kind_step",
        "workflows" => "draft.kind_workflow",
        "accountability" if table.ends_with(".circumstances") => "draft.kind_circumstance",
        "accountability" => "draft.kind_accountability",
        _ => "draft.kind_other",
    }
}

/// Upload: a file (or pasted text) becomes a draft shown beside its text.
pub async fn upload_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Administer).await?;
    let limit = (state.config.upload_limit_bytes() as u64).min(MAX_FILE);
    let f = MultipartForm::read(multipart, limit).await?;
    let mut page = page_model(&v, lang, unit);
    // What was pasted stays when the upload is refused (bounded like the text drafted).
    page.pasted = f
        .text("pasted")
        .chars()
        .take(MAX_SOURCE_CHARS + 1)
        .collect();
    if let Some(limit) = f.too_large() {
        page.errors = vec![Error::TooLarge(limit).message(lang)];
        page.files_again = true;
        return Ok((StatusCode::PAYLOAD_TOO_LARGE, render(&page)?).into_response());
    }
    let read = match f.file("source_file") {
        Some((name, bytes)) => read_file(&name, bytes, lang).map(|t| (short_name(&name), t)),
        None if !page.pasted.is_empty() => Ok((
            Tr(lang).s("draft.pasted_name").to_string(),
            page.pasted.clone(),
        )),
        None => Err(Tr(lang).s("draft.pick").to_string()),
    }
    .and_then(|(name, text)| {
        // Line ends as the page sends them back, so that line numbers stay the same.
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        check_source(&text, lang).map(|()| (name, text))
    });
    let (name, text) = match read {
        Ok(x) => x,
        Err(e) => {
            page.errors = vec![e];
            page.files_again = f.had_files();
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    let (_, toml) = zeren_draft::draft_toml(&text, 1, &zeren_draft::policy_id(&name), &name);
    let (w, errors) = work(&state, id, name, text, toml, lang).await?;
    page.errors = errors;
    page.pasted.clear();
    page.work = Some(w);
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub struct DraftForm {
    source_name: String,
    source: String,
    text: String,
    /// 删去: the line of the entry to drop (a button of the check form).
    drop: Option<usize>,
    /// 接受: the line of the entry to take as drafted, its questions answered by that.
    accept: Option<usize>,
}

/// The form sent back, its line ends as drafted, bounded.
fn taken(f: DraftForm, lang: Lang) -> std::result::Result<(String, String, String), String> {
    let source = f.source.replace("\r\n", "\n");
    let mut text = f.text.replace("\r\n", "\n");
    check_source(&source, lang)?;
    if text.chars().count() > MAX_DRAFT_CHARS {
        return Err(Tr(lang).f(
            "draft.draft_too_long",
            &[("max", &MAX_DRAFT_CHARS.to_string())],
        ));
    }
    // An entry dropped (when the draft still has it where the page showed it).
    if let Some(dropped) = f.drop.and_then(|l| zeren_draft::outline::without(&text, l)) {
        text = dropped;
    }
    // An entry accepted as drafted: its questions gone, uncommented if it waited for an answer.
    if let Some(taken) = f
        .accept
        .and_then(|l| zeren_draft::outline::accepted(&text, l))
    {
        text = taken;
    }
    Ok((short_name(&f.source_name), source, text))
}

/// The page for a draft sent back (administer at the unit), with the draft; or the refusal when
/// the form is over its bounds.
async fn sent_back(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    id: i64,
    f: DraftForm,
) -> Result<std::result::Result<(DraftPage, (String, String, String)), Response>> {
    let (unit, _) = access::require(&state.store, v, id, Level::Administer).await?;
    let mut page = page_model(v, lang, unit);
    match taken(f, lang) {
        Ok(x) => Ok(Ok((page, x))),
        Err(e) => {
            page.errors = vec![e];
            Ok(Err(
                (StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response()
            ))
        }
    }
}

/// The draft as edited, shown again with its questions and errors (nothing is stored).
pub async fn check_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<DraftForm>,
) -> Result<Response> {
    let (mut page, (name, source, text)) = match sent_back(&state, &v, lang, id, f).await? {
        Ok(x) => x,
        Err(refused) => return Ok(refused),
    };
    let (w, errors) = work(&state, id, name, source, text, lang).await?;
    page.errors = errors;
    page.work = Some(w);
    Ok(render(&page)?.into_response())
}

/// Installs the draft as a policy file is installed; refused while a `# ?` question is left or
/// the file has errors.
pub async fn install_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<DraftForm>,
) -> Result<Response> {
    let (mut page, (name, source, text)) = match sent_back(&state, &v, lang, id, f).await? {
        Ok(x) => x,
        Err(refused) => return Ok(refused),
    };
    let open = zeren_draft::open_questions(&text).len();
    if open == 0 {
        if let Ok(p) = parse_policy("草稿.toml", &text, lang) {
            policy::install(&state, &v, id, &p, &text, lang).await?;
            return Ok(see_other(&format!("/units/{id}/policy")));
        }
    }
    let (w, mut errors) = work(&state, id, name, source, text, lang).await?;
    if open > 0 {
        errors.insert(
            0,
            Tr(lang).f("draft.questions_left", &[("n", &open.to_string())]),
        );
    }
    page.errors = errors;
    page.work = Some(w);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

#[derive(Deserialize)]
pub struct DraftBody {
    unit_id: i64,
    /// The plan's text (a .docx or .pdf is read on the page; its text can be sent here).
    text: String,
    /// Named in the draft's header and its policy id.
    file_name: Option<String>,
}

/// `POST /api/v1/policies/draft`: the draft of a plan's text, as the page drafts it (administer at
/// the unit; nothing is stored): the policy file with its `# ?` questions, whether it parses, and
/// its diagnostics. Installing it is `POST /api/v1/policies` once the questions are answered.
pub async fn draft_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    JsonBody(b): JsonBody<DraftBody>,
) -> Result<Response> {
    access::require(&state.store, &v, b.unit_id, Level::Administer).await?;
    let source = b.text.replace("\r\n", "\n");
    check_source(&source, lang).map_err(Error::Invalid)?;
    let name = short_name(b.file_name.as_deref().unwrap_or("plan.txt"));
    let (_, toml) = zeren_draft::draft_toml(&source, 1, &zeren_draft::policy_id(&name), &name);
    let questions = policy::open_questions(&toml);
    let (valid, diagnostics) = match zeren_policy::parse("draft.toml", &toml) {
        Ok(_) => (true, Vec::new()),
        Err(d) => (
            false,
            d.iter()
                .map(|x| json!({ "line": x.line, "column": x.column, "path": x.path, "message": x.to_string(), "message_zh": x.message_zh() }))
                .collect(),
        ),
    };
    Ok(axum::Json(json!({ "draft": toml, "valid": valid, "questions": questions, "diagnostics": diagnostics })).into_response())
}
