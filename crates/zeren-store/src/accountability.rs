//! Accountability (问责) cases: the lead (one row, never edited) with its subjects and the
//! policy's circumstances, then the acts of due process in order, each checked by the rules
//! ([`zeren_core::accountability`]) against the case replayed from the acts before it, inside the
//! writing transaction. An act is appended with the number of acts its actor saw, so of two acts
//! at the same moment exactly one gets in. Nothing is edited; every act is on the audit chain.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use zeren_core::accountability::{
    effects_of, Act, Case, Decision, Effect, Position, Procedure, Refusal, Subject,
};
use zeren_core::org::{PersonId, UnitId};

use crate::read::Read;
use crate::{run, Error, Result, Write};

/// What a person sees when another act came first.
pub const MOVED_ON: &str = "案件已有新的进展，请刷新后查看";

/// Where a case came from.
pub const SOURCE_WORDS: &[&str] = &[
    "incident",
    "finding",
    "assessment",
    "obligations",
    "report",
    "lead",
];

/// At most this many subjects in one case.
pub const SUBJECTS_MAX: usize = 50;
/// At most this many acts on one case (far above any real procedure's).
pub const ACTS_MAX: i64 = 1_000;

/// A case as it was opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CaseRow {
    pub id: i64,
    /// The unit that holds the case (the deciding body's unit).
    pub unit_id: i64,
    pub installed_policy_id: i64,
    /// incident, finding, assessment, obligations, report or lead.
    pub source: String,
    pub source_id: Option<i64>,
    pub title: String,
    pub lead: String,
    /// The day of the failure: responsibility is of the holders of that day.
    pub event_on: NaiveDate,
    pub opened_on: NaiveDate,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// A subject of a case, named as it was when the case was opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SubjectRow {
    pub subject: Subject,
    pub name: String,
}

/// One act as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActRow {
    pub seq: i64,
    pub act: Act,
    pub on: NaiveDate,
    pub by_account: Option<i64>,
    pub by_name: String,
    pub recorded_at: DateTime<Utc>,
}

/// A case to open.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewCase {
    pub unit_id: i64,
    pub installed_policy_id: i64,
    pub source: String,
    pub source_id: Option<i64>,
    pub title: String,
    pub lead: String,
    pub event_on: Option<NaiveDate>,
    pub opened_on: Option<NaiveDate>,
    pub subjects: Vec<Subject>,
    pub circumstances: Vec<String>,
}

/// At most this many participants in the minutes of a decision.
pub const PARTICIPANTS_MAX: usize = 100;
/// At most this many characters in a participant's recorded words or the meeting's reference.
pub const WORDS_MAX: usize = 2_000;

/// A participant's part in the decision at fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Seat {
    /// 主要负责人.
    Head,
    /// 分管领导 of the matter.
    InCharge,
    /// Another member who took part.
    Member,
}

impl Seat {
    pub const WORDS: &'static [&'static str] = &["head", "in_charge", "member"];

    pub fn parse(s: &str) -> Option<Seat> {
        match s {
            "head" => Some(Seat::Head),
            "in_charge" => Some(Seat::InCharge),
            "member" => Some(Seat::Member),
            _ => None,
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Seat::Head => "主要负责人",
            Seat::InCharge => "分管领导",
            Seat::Member => "参与决策的成员",
        }
    }
}

/// One participant as the minutes record them: their seat, their position and their words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub person_id: i64,
    /// Named as they were when the minutes were recorded.
    pub name: String,
    pub seat: Seat,
    pub position: Position,
    #[serde(default)]
    pub words: String,
}

/// How the decision at fault was taken, as the investigation found it in the minutes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Minutes {
    /// The meeting (名称、日期或纪要编号), or where the decision taken alone is recorded.
    pub meeting: String,
    /// Set when one person took the decision alone (个人决定).
    #[serde(default)]
    pub alone: Option<i64>,
    pub participants: Vec<Participant>,
}

impl Minutes {
    /// The decision as the allocation rule reads it.
    pub fn decision(&self) -> Decision {
        let by = |seat: Seat| {
            self.participants
                .iter()
                .filter(|p| p.seat == seat)
                .map(|p| PersonId(p.person_id))
                .collect()
        };
        Decision {
            head: by(Seat::Head),
            in_charge: by(Seat::InCharge),
            positions: self
                .participants
                .iter()
                .map(|p| (PersonId(p.person_id), p.position))
                .collect(),
            alone: self.alone.map(PersonId),
        }
    }
}

/// A version of the minutes as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MinutesRow {
    pub version: i64,
    pub minutes: Minutes,
    pub by_name: String,
    pub recorded_at: DateTime<Utc>,
}

/// A decision on one subject, for the ledger of measures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MeasureRow {
    pub case_id: i64,
    pub case_title: String,
    /// The unit that holds the case.
    pub unit_id: i64,
    pub subject: Subject,
    pub subject_name: String,
    pub on: NaiveDate,
    pub act: Act,
    /// The decision was later corrected (纠正).
    pub corrected: bool,
}

#[derive(sqlx::FromRow)]
struct MinutesDb {
    version: i64,
    body: String,
    by_name: String,
    recorded_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct StepDb {
    case_id: i64,
    act: String,
    on_date: NaiveDate,
}

fn parse_act(case_id: i64, text: &str) -> Result<Act> {
    serde_json::from_str(text).map_err(|e| Error::Invalid(format!("case {case_id} act: {e}")))
}

#[derive(sqlx::FromRow)]
struct SubjectDb {
    kind: String,
    unit_id: Option<i64>,
    person_id: Option<i64>,
    name: String,
}

#[derive(sqlx::FromRow)]
struct ActDb {
    seq: i64,
    act: String,
    on_date: NaiveDate,
    by_account: Option<i64>,
    by_name: String,
    recorded_at: DateTime<Utc>,
}

const CASE_COLUMNS: &str = "id, unit_id, installed_policy_id, source, source_id, title, lead, event_on, opened_on, created_by, created_at";

/// The case its acts made, replayed from the lead (the acts were checked when stored).
pub fn replay(
    subjects: &[SubjectRow],
    opened_on: NaiveDate,
    acts: &[ActRow],
    p: &Procedure,
    parent: Option<UnitId>,
) -> Result<Case> {
    let list: Vec<Subject> = subjects.iter().map(|s| s.subject).collect();
    let mut case = Case::open(&list, opened_on);
    for a in acts {
        case.apply(p, parent, &a.act, a.on).map_err(|e| {
            Error::Invalid(format!(
                "stored act {} no longer applies: {}",
                a.seq,
                e.zh()
            ))
        })?;
    }
    Ok(case)
}

#[allow(async_fn_in_trait)] // implemented only by this crate's concrete, Send types
pub trait AccountabilityRead: Read {
    async fn case(&mut self, id: i64) -> Result<Option<CaseRow>> {
        let sql = format!("SELECT {CASE_COLUMNS} FROM accountability_cases WHERE id = $1");
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?)
    }

    async fn case_subjects(&mut self, id: i64) -> Result<Vec<SubjectRow>> {
        let rows: Vec<SubjectDb> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT kind, unit_id, person_id, name FROM accountability_subjects WHERE case_id = $1 ORDER BY position"
        )
        .bind(id)
        .fetch_all(&mut *c)
        .await
        })?;
        rows.into_iter()
            .map(|r| {
                let subject = match (r.kind.as_str(), r.unit_id, r.person_id) {
                    ("unit", Some(u), _) => Subject::Unit(UnitId(u)),
                    ("person", _, Some(p)) => Subject::Person(PersonId(p)),
                    _ => {
                        return Err(Error::Invalid(format!(
                            "case {id}: a subject without its id"
                        )))
                    }
                };
                Ok(SubjectRow {
                    subject,
                    name: r.name,
                })
            })
            .collect()
    }

    async fn case_circumstances(&mut self, id: i64) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT circumstance_id FROM accountability_circumstances WHERE case_id = $1 ORDER BY circumstance_id"
        )
        .bind(id)
        .fetch_all(&mut *c)
        .await
        })?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    async fn case_acts(&mut self, id: i64) -> Result<Vec<ActRow>> {
        let rows: Vec<ActDb> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT seq, act, on_date, by_account, by_name, recorded_at FROM accountability_acts WHERE case_id = $1 ORDER BY seq"
        )
        .bind(id)
        .fetch_all(&mut *c)
        .await
        })?;
        rows.into_iter()
            .map(|r| {
                Ok(ActRow {
                    seq: r.seq,
                    act: serde_json::from_str(&r.act)
                        .map_err(|e| Error::Invalid(format!("case {id} act {}: {e}", r.seq)))?,
                    on: r.on_date,
                    by_account: r.by_account,
                    by_name: r.by_name,
                    recorded_at: r.recorded_at,
                })
            })
            .collect()
    }

    /// The cases a person is part of as a subject or an investigator, newest first.
    async fn cases_of_person(&mut self, person: i64) -> Result<Vec<CaseRow>> {
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM accountability_cases a
             WHERE EXISTS (SELECT 1 FROM accountability_subjects s WHERE s.case_id = a.id AND s.person_id = $1)
                OR EXISTS (SELECT 1 FROM accountability_team t WHERE t.case_id = a.id AND t.person_id = $1)
             ORDER BY opened_on DESC, id DESC LIMIT 500"
        );
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(person)
            .fetch_all(&mut *c)
            .await)?)
    }

    /// The latest version of the minutes of the decision at fault, if recorded.
    async fn case_minutes(&mut self, id: i64) -> Result<Option<MinutesRow>> {
        let row: Option<MinutesDb> = run!(self.conn(), |c| {
            sqlx::query_as(
            "SELECT version, body, by_name, recorded_at FROM accountability_minutes WHERE case_id = $1 ORDER BY version DESC LIMIT 1"
        )
        .bind(id)
        .fetch_optional(&mut *c)
        .await
        })?;
        row.map(|r| {
            Ok(MinutesRow {
                version: r.version,
                minutes: serde_json::from_str(&r.body)
                    .map_err(|e| Error::Invalid(format!("case {id} minutes: {e}")))?,
                by_name: r.by_name,
                recorded_at: r.recorded_at,
            })
        })
        .transpose()
    }

    /// How many versions of the minutes a case has.
    async fn case_minutes_versions(&mut self, id: i64) -> Result<i64> {
        let (n,): (i64,) = run!(self.conn(), |c| sqlx::query_as(
            "SELECT COUNT(*) FROM accountability_minutes WHERE case_id = $1"
        )
        .bind(id)
        .fetch_one(&mut *c)
        .await)?;
        Ok(n)
    }

    /// The cases held by `unit` or a unit below it, newest first (at most 500).
    async fn cases_held_below(&mut self, unit: i64) -> Result<Vec<CaseRow>> {
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM accountability_cases
             WHERE unit_id IN (SELECT unit_id FROM unit_ancestors WHERE ancestor_id = $1)
             ORDER BY opened_on DESC, id DESC LIMIT 500"
        );
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(unit)
            .fetch_all(&mut *c)
            .await)?)
    }

    /// The cases held by the units directly below `unit` that were filed with it (报备), newest
    /// first (at most 500).
    async fn cases_filed_with(&mut self, unit: i64) -> Result<Vec<CaseRow>> {
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM accountability_cases a
             WHERE a.unit_id IN (SELECT id FROM units WHERE parent_id = $1)
               AND EXISTS (SELECT 1 FROM accountability_acts x WHERE x.case_id = a.id AND x.step = 'filed')
             ORDER BY opened_on DESC, id DESC LIMIT 500"
        );
        Ok(run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(unit)
            .fetch_all(&mut *c)
            .await)?)
    }

    /// The decisions of the cases held at or below `unit` (at most 2,000, newest first), each
    /// with whether it was corrected later.
    async fn measures_below(&mut self, unit: i64) -> Result<Vec<MeasureRow>> {
        let cases = self.cases_held_below(unit).await?;
        let mut out = Vec::new();
        for case in cases {
            let subjects = self.case_subjects(case.id).await?;
            let acts = self.case_acts(case.id).await?;
            for a in &acts {
                if let Act::Decide { subject, .. } = &a.act {
                    let corrected = acts.iter().any(|b| {
                        b.seq > a.seq
                            && matches!(&b.act, Act::Correct { subject: s, .. } if s == subject)
                    });
                    out.push(MeasureRow {
                        case_id: case.id,
                        case_title: case.title.clone(),
                        unit_id: case.unit_id,
                        subject: *subject,
                        subject_name: subjects
                            .iter()
                            .find(|s| s.subject == *subject)
                            .map(|s| s.name.clone())
                            .unwrap_or_default(),
                        on: a.on,
                        act: a.act.clone(),
                        corrected,
                    });
                }
            }
            if out.len() >= 2_000 {
                break;
            }
        }
        out.sort_by_key(|m| std::cmp::Reverse((m.on, m.case_id)));
        Ok(out)
    }

    /// The effects on 评先评优 that decisions left on `subjects` (corrected decisions leave none).
    async fn accountability_effects(&mut self, subjects: &[Subject]) -> Result<Vec<Effect>> {
        if subjects.is_empty() {
            return Ok(Vec::new());
        }
        let units: Vec<i64> = subjects
            .iter()
            .filter_map(|s| match s {
                Subject::Unit(u) => Some(u.0),
                Subject::Person(_) => None,
            })
            .collect();
        let people: Vec<i64> = subjects
            .iter()
            .filter_map(|s| match s {
                Subject::Person(p) => Some(p.0),
                Subject::Unit(_) => None,
            })
            .collect();
        let mut out = Vec::new();
        for chunk in units
            .chunks(500)
            .map(|c| ("unit_id", c))
            .chain(people.chunks(500).map(|c| ("person_id", c)))
        {
            let (column, ids) = chunk;
            let sql = format!(
                "SELECT case_id, act, on_date FROM accountability_acts
                 WHERE step IN ('decided', 'corrected') AND case_id IN
                   (SELECT case_id FROM accountability_subjects WHERE {column} IN ({}))
                 ORDER BY case_id, seq",
                crate::placeholders(1, ids.len())
            );
            let rows: Vec<StepDb> = run!(self.conn(), |c| {
                let mut q = sqlx::query_as(&sql);
                for id in ids {
                    q = q.bind(*id);
                }
                q.fetch_all(&mut *c).await
            })?;
            let mut i = 0;
            while i < rows.len() {
                let case_id = rows[i].case_id;
                let mut acts = Vec::new();
                while i < rows.len() && rows[i].case_id == case_id {
                    acts.push((parse_act(case_id, &rows[i].act)?, rows[i].on_date));
                    i += 1;
                }
                for e in effects_of(acts.iter().map(|(a, on)| (a, *on))) {
                    if subjects.contains(&e.subject) && !out.contains(&e) {
                        out.push(e);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Whether `person` investigates the case.
    async fn investigates(&mut self, case: i64, person: i64) -> Result<bool> {
        let row: Option<(i64,)> = run!(self.conn(), |c| sqlx::query_as(
            "SELECT person_id FROM accountability_team WHERE case_id = $1 AND person_id = $2"
        )
        .bind(case)
        .bind(person)
        .fetch_optional(&mut *c)
        .await)?;
        Ok(row.is_some())
    }
}

impl<T: Read> AccountabilityRead for T {}

fn refused(r: Refusal) -> Error {
    Error::Invalid(r.zh())
}

impl Write {
    /// Opens a case on a lead; its subjects' names are kept as they are today.
    pub async fn open_case(&mut self, n: &NewCase) -> Result<CaseRow> {
        for (field, text) in [("title", &n.title), ("lead", &n.lead)] {
            crate::check_text(field, text)?;
            if text.trim().is_empty() {
                return Err(Error::Invalid(format!("{field} is empty")));
            }
        }
        if !SOURCE_WORDS.contains(&n.source.as_str()) {
            return Err(Error::Invalid(format!(
                "unknown case source {:?}",
                n.source
            )));
        }
        let mut subjects = n.subjects.clone();
        subjects.sort();
        subjects.dedup();
        if subjects.is_empty() || subjects.len() > SUBJECTS_MAX {
            return Err(Error::Invalid(format!(
                "a case names 1 to {SUBJECTS_MAX} subjects"
            )));
        }
        let today = self.stamp().date_naive();
        let opened_on = n.opened_on.unwrap_or(today);
        let event_on = n.event_on.unwrap_or(opened_on);
        if event_on > opened_on {
            return Err(Error::Invalid(
                "the failure comes after the case was opened".into(),
            ));
        }
        let by = self.actor().account_id;
        let at = self.stamp();
        let sql = format!(
            "INSERT INTO accountability_cases (unit_id, installed_policy_id, source, source_id, title, lead, event_on, opened_on, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {CASE_COLUMNS}"
        );
        let case: CaseRow = run!(self.conn(), |c| sqlx::query_as(&sql)
            .bind(n.unit_id)
            .bind(n.installed_policy_id)
            .bind(&n.source)
            .bind(n.source_id)
            .bind(n.title.trim())
            .bind(n.lead.trim())
            .bind(event_on)
            .bind(opened_on)
            .bind(by)
            .bind(at)
            .fetch_one(&mut *c)
            .await)
        .map_err(|e| Error::from_write(e, "case"))?;
        for (i, s) in subjects.iter().enumerate() {
            let (kind, unit, person, table, id) = match s {
                Subject::Unit(u) => ("unit", Some(u.0), None, "units", u.0),
                Subject::Person(p) => ("person", None, Some(p.0), "people", p.0),
            };
            let q = format!("SELECT name FROM {table} WHERE id = $1");
            let (name,): (String,) = run!(self.conn(), |c| sqlx::query_as(&q)
                .bind(id)
                .fetch_optional(&mut *c)
                .await)?
            .ok_or_else(|| Error::Invalid(format!("{kind} {id} does not exist")))?;
            run!(self.conn(), |c| {
                sqlx::query(
                "INSERT INTO accountability_subjects (case_id, position, kind, unit_id, person_id, name) VALUES ($1, $2, $3, $4, $5, $6)"
            )
            .bind(case.id)
            .bind(i as i64)
            .bind(kind)
            .bind(unit)
            .bind(person)
            .bind(&name)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
            })?;
        }
        let mut circumstances = n.circumstances.clone();
        circumstances.sort();
        circumstances.dedup();
        for id in &circumstances {
            crate::check_text("circumstance", id)?;
            run!(self.conn(), |c| {
                sqlx::query(
                "INSERT INTO accountability_circumstances (case_id, circumstance_id) VALUES ($1, $2)"
            )
            .bind(case.id)
            .bind(id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
            })?;
        }
        #[derive(Serialize)]
        struct Opened<'a> {
            case: &'a CaseRow,
            subjects: &'a [Subject],
            circumstances: &'a [String],
        }
        self.record(
            "accountability.open",
            "accountability_case",
            &case.id.to_string(),
            &Opened {
                case: &case,
                subjects: &subjects,
                circumstances: &circumstances,
            },
        )
        .await?;
        Ok(case)
    }

    /// Records a new version of the minutes of the decision at fault, as the `seen`-th version
    /// the recorder saw (a conflict if another came first). Refused once the case ended.
    pub async fn record_minutes(
        &mut self,
        case_id: i64,
        seen: i64,
        minutes: &Minutes,
    ) -> Result<MinutesRow> {
        self.case(case_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("case {case_id}")))?;
        if minutes.meeting.trim().is_empty() {
            return Err(Error::Invalid("the meeting is empty".into()));
        }
        if minutes.meeting.chars().count() > WORDS_MAX
            || minutes
                .participants
                .iter()
                .any(|p| p.words.chars().count() > WORDS_MAX)
        {
            return Err(Error::Invalid(format!(
                "at most {WORDS_MAX} characters in a meeting or a participant's words"
            )));
        }
        if minutes.participants.is_empty() || minutes.participants.len() > PARTICIPANTS_MAX {
            return Err(Error::Invalid(format!(
                "minutes name 1 to {PARTICIPANTS_MAX} participants"
            )));
        }
        let mut ids: Vec<i64> = minutes.participants.iter().map(|p| p.person_id).collect();
        ids.sort();
        ids.dedup();
        if ids.len() != minutes.participants.len() {
            return Err(Error::Invalid("a participant is named twice".into()));
        }
        if minutes.alone.is_some_and(|a| !ids.contains(&a)) {
            return Err(Error::Invalid(
                "who took the decision alone must be a participant".into(),
            ));
        }
        let have = self.case_minutes_versions(case_id).await?;
        if seen != have {
            return Err(Error::Conflict(MOVED_ON.into()));
        }
        let text =
            serde_json::to_string(minutes).map_err(|e| Error::Invalid(format!("minutes: {e}")))?;
        crate::check_text("minutes", &text)?;
        let by = self.actor().account_id;
        let name = self.actor_display_name().await?;
        let at = self.stamp();
        let version = have + 1;
        run!(self.conn(), |c| sqlx::query(
            "INSERT INTO accountability_minutes (case_id, version, body, by_account, by_name, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(case_id)
        .bind(version)
        .bind(&text)
        .bind(by)
        .bind(&name)
        .bind(at)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| match Error::from_write(e, "minutes") {
            Error::Conflict(_) => Error::Conflict(MOVED_ON.into()),
            other => other,
        })?;
        #[derive(Serialize)]
        struct Recorded<'a> {
            case_id: i64,
            version: i64,
            minutes: &'a Minutes,
        }
        self.record(
            "accountability.minutes",
            "accountability_case",
            &case_id.to_string(),
            &Recorded {
                case_id,
                version,
                minutes,
            },
        )
        .await?;
        Ok(MinutesRow {
            version,
            minutes: minutes.clone(),
            by_name: name,
            recorded_at: at,
        })
    }

    /// Takes `act` on `on` as the `seen`-th act of the case: replays the case, checks the act
    /// by the rules (refused with the reason, nothing stored) and appends it. If another act took
    /// that number meanwhile this is a conflict ([`MOVED_ON`]).
    pub async fn act_on_case(
        &mut self,
        case_id: i64,
        seen: i64,
        act: &Act,
        on: NaiveDate,
        p: &Procedure,
        parent: Option<UnitId>,
    ) -> Result<Case> {
        let row = self
            .case(case_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("case {case_id}")))?;
        let subjects = self.case_subjects(case_id).await?;
        let acts = self.case_acts(case_id).await?;
        if seen != acts.len() as i64 {
            return Err(Error::Conflict(MOVED_ON.into()));
        }
        if seen >= ACTS_MAX {
            return Err(Error::Invalid(format!(
                "a case holds at most {ACTS_MAX} acts"
            )));
        }
        let mut case = replay(&subjects, row.opened_on, &acts, p, parent)?;
        case.apply(p, parent, act, on).map_err(refused)?;
        let text = serde_json::to_string(act).map_err(|e| Error::Invalid(format!("act: {e}")))?;
        crate::check_text("act", &text)?;
        let by = self.actor().account_id;
        let name = self.actor_display_name().await?;
        let recorded = self.stamp();
        let step = serde_json::to_value(act.step())
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        run!(self.conn(), |c| sqlx::query(
            "INSERT INTO accountability_acts (case_id, seq, step, act, on_date, by_account, by_name, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        )
        .bind(case_id)
        .bind(seen)
        .bind(&step)
        .bind(&text)
        .bind(on)
        .bind(by)
        .bind(&name)
        .bind(recorded)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| match Error::from_write(e, "case act") {
            Error::Conflict(_) => Error::Conflict(MOVED_ON.into()),
            other => other,
        })?;
        if let Act::FormTeam { members } = act {
            for m in &case.team {
                debug_assert!(members.contains(m));
                run!(self.conn(), |c| sqlx::query(
                    "INSERT INTO accountability_team (case_id, person_id) VALUES ($1, $2)"
                )
                .bind(case_id)
                .bind(m.0)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected()))
                .map_err(|e| Error::from_write(e, "investigator"))?;
            }
        }
        #[derive(Serialize)]
        struct Acted<'a> {
            case_id: i64,
            seq: i64,
            on: NaiveDate,
            act: &'a Act,
        }
        self.record(
            "accountability.act",
            "accountability_case",
            &case_id.to_string(),
            &Acted {
                case_id,
                seq: seen,
                on,
                act,
            },
        )
        .await?;
        Ok(case)
    }
}
