//! Records (台账记录): what a record must carry to fulfil its duty, and how a submitted record is
//! corrected — never in place: a correction is a new version with a reason, the old one stays.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::Serialize;
use zeren_policy::calendar::Period;
use zeren_policy::{Duty, Evidence};

use crate::org::PersonId;

/// An attached file as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentMeta {
    pub file_name: String,
    pub media_type: String,
    pub size: u64,
}

impl AttachmentMeta {
    pub fn is_image(&self) -> bool {
        self.media_type.starts_with("image/")
    }
}

/// What a person enters to fulfil an obligation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordDraft {
    /// When the work was done (may be earlier than today).
    pub work_date: Option<NaiveDate>,
    pub place: String,
    pub participants: Vec<PersonId>,
    /// Participants from outside the roster (来宾), by name.
    pub guests: Vec<String>,
    /// Content or minutes.
    pub content: String,
    pub attachments: Vec<AttachmentMeta>,
}

/// Why a record cannot be accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum RecordProblem {
    MissingWorkDate,
    /// The obligation's period has not begun: the next period's obligation is shown early, but
    /// takes a record only once its period starts.
    PeriodNotBegun {
        period_start: NaiveDate,
    },
    /// Nothing was entered: no content, no participant, no file. Such a record proves nothing,
    /// whatever the duty's evidence rules.
    Empty,
    WorkDateInFuture {
        work_date: NaiveDate,
        today: NaiveDate,
    },
    WorkDateBeforePeriod {
        work_date: NaiveDate,
        period_start: NaiveDate,
    },
    MissingMinutes,
    MissingAttendance,
    MissingDocument,
    MissingPhoto,
    ParticipantNotInUnit {
        person: PersonId,
    },
    DuplicateParticipant {
        person: PersonId,
    },
    /// A guest's name is longer than [`GUEST_NAME_MAX`] characters or holds a control character.
    GuestName {
        name: String,
    },
    DuplicateGuest {
        name: String,
    },
    TooManyGuests {
        limit: usize,
    },
    AttachmentTooLarge {
        file_name: String,
        size: u64,
        limit: u64,
    },
    CorrectionWithoutReason,
}

impl RecordProblem {
    /// The problem as the UI says it.
    pub fn zh(&self) -> String {
        match self {
            RecordProblem::MissingWorkDate => "请填写工作开展日期".into(),
            RecordProblem::PeriodNotBegun { period_start } => {
                format!("本期尚未开始（{period_start} 开始），开始后才能登记")
            }
            RecordProblem::Empty => "请填写工作内容，或选择参加人员、上传佐证材料".into(),
            RecordProblem::WorkDateInFuture { work_date, .. } => {
                format!("工作开展日期 {work_date} 晚于今天，不能登记尚未开展的工作")
            }
            RecordProblem::WorkDateBeforePeriod {
                work_date,
                period_start,
            } => {
                format!("工作开展日期 {work_date} 早于本周期开始日 {period_start}")
            }
            RecordProblem::MissingMinutes => "本项工作须填写会议记录或内容".into(),
            RecordProblem::MissingAttendance => "本项工作须选择参加人员".into(),
            RecordProblem::MissingDocument => "本项工作须上传文件材料".into(),
            RecordProblem::MissingPhoto => "本项工作须上传照片".into(),
            RecordProblem::ParticipantNotInUnit { .. } => "参加人员须为本单位人员".into(),
            RecordProblem::DuplicateParticipant { .. } => "参加人员重复".into(),
            RecordProblem::GuestName { name } => {
                format!("来宾姓名“{name}”过长或含有不可见字符（每人不超过 {GUEST_NAME_MAX} 字）")
            }
            RecordProblem::DuplicateGuest { name } => format!("来宾“{name}”重复"),
            RecordProblem::TooManyGuests { limit } => format!("来宾最多 {limit} 人"),
            RecordProblem::AttachmentTooLarge {
                file_name, limit, ..
            } => {
                format!("附件“{file_name}”超过大小上限 {} MB", limit / (1024 * 1024))
            }
            RecordProblem::CorrectionWithoutReason => "更正记录须说明更正原因".into(),
        }
    }
}

/// The longest guest name, in characters.
pub const GUEST_NAME_MAX: usize = 64;
/// How many guests one record may name.
pub const GUESTS_MAX: usize = 200;

/// Splits what was typed in the guests box into names: one per line, or separated by 、 ， or a
/// comma; blanks dropped, surrounding spaces trimmed.
pub fn parse_guests(text: &str) -> Vec<String> {
    text.split(['\n', '、', '，', ','])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

/// Checks a record against its duty's `evidence`, its period and today. All problems are returned.
/// `period` is the window in which work counts (for a holiday duty it opens before the holiday).
pub fn check_record(
    duty: &Duty,
    period: &Period,
    draft: &RecordDraft,
    today: NaiveDate,
    unit_people: &HashSet<PersonId>,
    max_attachment: u64,
) -> Result<(), Vec<RecordProblem>> {
    let mut problems = Vec::new();
    if today < period.start {
        problems.push(RecordProblem::PeriodNotBegun {
            period_start: period.start,
        });
    }
    if draft.content.trim().is_empty()
        && draft.participants.is_empty()
        && draft.guests.is_empty()
        && draft.attachments.is_empty()
    {
        problems.push(RecordProblem::Empty);
    }
    match draft.work_date {
        None => problems.push(RecordProblem::MissingWorkDate),
        Some(d) if d > today => problems.push(RecordProblem::WorkDateInFuture {
            work_date: d,
            today,
        }),
        Some(d) if d < period.start => problems.push(RecordProblem::WorkDateBeforePeriod {
            work_date: d,
            period_start: period.start,
        }),
        Some(_) => {}
    }
    for e in &duty.evidence {
        let missing = match e {
            Evidence::Minutes => draft
                .content
                .trim()
                .is_empty()
                .then_some(RecordProblem::MissingMinutes),
            Evidence::Attendance => (draft.participants.is_empty() && draft.guests.is_empty())
                .then_some(RecordProblem::MissingAttendance),
            Evidence::Document => draft
                .attachments
                .is_empty()
                .then_some(RecordProblem::MissingDocument),
            Evidence::Photo => (!draft.attachments.iter().any(AttachmentMeta::is_image))
                .then_some(RecordProblem::MissingPhoto),
        };
        problems.extend(missing);
    }
    let mut seen = HashSet::new();
    for &p in &draft.participants {
        if !unit_people.contains(&p) {
            problems.push(RecordProblem::ParticipantNotInUnit { person: p });
        } else if !seen.insert(p) {
            problems.push(RecordProblem::DuplicateParticipant { person: p });
        }
    }
    if draft.guests.len() > GUESTS_MAX {
        problems.push(RecordProblem::TooManyGuests { limit: GUESTS_MAX });
    }
    let mut seen = HashSet::new();
    for g in &draft.guests {
        let g = g.trim();
        if g.is_empty() || g.chars().count() > GUEST_NAME_MAX || g.chars().any(char::is_control) {
            problems.push(RecordProblem::GuestName {
                name: g.chars().take(GUEST_NAME_MAX).collect(),
            });
        } else if !seen.insert(g) {
            problems.push(RecordProblem::DuplicateGuest {
                name: g.to_string(),
            });
        }
    }
    for a in &draft.attachments {
        if a.size > max_attachment {
            problems.push(RecordProblem::AttachmentTooLarge {
                file_name: a.file_name.clone(),
                size: a.size,
                limit: max_attachment,
            });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// The version number a correction gets, given the latest version; a correction needs a reason.
pub fn next_version(latest: u32, reason: &str) -> Result<u32, RecordProblem> {
    if reason.trim().is_empty() {
        Err(RecordProblem::CorrectionWithoutReason)
    } else {
        Ok(latest + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeren_policy::calendar::period_containing;
    use zeren_policy::Frequency;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn duty(evidence: &str) -> Duty {
        let text = format!(
            "format = 1\n[policy]\nid = \"t\"\ntitle = \"t\"\n[duties.x]\ntitle = \"x\"\nevery = \"quarter\"\nevidence = [{evidence}]\n"
        );
        zeren_policy::parse("t", &text).unwrap().duties.remove(0)
    }

    fn people() -> HashSet<PersonId> {
        [1, 2, 3].map(PersonId).into_iter().collect()
    }

    fn pdf() -> AttachmentMeta {
        AttachmentMeta {
            file_name: "纪要.pdf".into(),
            media_type: "application/pdf".into(),
            size: 1000,
        }
    }

    #[test]
    fn evidence_is_enforced() {
        let q = period_containing(Frequency::Quarter, d("2026-05-01"));
        let duty = duty("\"minutes\", \"attendance\", \"document\", \"photo\"");
        let empty = RecordDraft {
            work_date: Some(d("2026-05-01")),
            ..RecordDraft::default()
        };
        let problems =
            check_record(&duty, &q, &empty, d("2026-05-02"), &people(), 50 << 20).unwrap_err();
        assert_eq!(
            problems,
            [
                RecordProblem::Empty,
                RecordProblem::MissingMinutes,
                RecordProblem::MissingAttendance,
                RecordProblem::MissingDocument,
                RecordProblem::MissingPhoto
            ]
        );
        let full = RecordDraft {
            work_date: Some(d("2026-05-01")),
            place: "会议室".into(),
            participants: vec![PersonId(1), PersonId(2)],
            guests: Vec::new(),
            content: "学习了……".into(),
            attachments: vec![
                pdf(),
                AttachmentMeta {
                    file_name: "现场.jpg".into(),
                    media_type: "image/jpeg".into(),
                    size: 10,
                },
            ],
        };
        assert_eq!(
            check_record(&duty, &q, &full, d("2026-05-02"), &people(), 50 << 20),
            Ok(())
        );
        // A document alone does not prove a photo.
        let no_photo = RecordDraft {
            attachments: vec![pdf()],
            ..full.clone()
        };
        assert_eq!(
            check_record(&duty, &q, &no_photo, d("2026-05-02"), &people(), 50 << 20),
            Err(vec![RecordProblem::MissingPhoto])
        );
    }

    #[test]
    fn an_empty_record_or_a_period_not_begun_is_refused() {
        let q = period_containing(Frequency::Quarter, d("2026-05-01"));
        let duty = duty("");
        let empty = RecordDraft {
            work_date: Some(d("2026-05-01")),
            place: "会议室".into(),
            ..RecordDraft::default()
        };
        assert_eq!(
            check_record(&duty, &q, &empty, d("2026-05-02"), &people(), 100),
            Err(vec![RecordProblem::Empty])
        );
        // Any one of content, a participant or a file is something.
        for draft in [
            RecordDraft {
                content: "学习".into(),
                ..empty.clone()
            },
            RecordDraft {
                participants: vec![PersonId(1)],
                ..empty.clone()
            },
            RecordDraft {
                attachments: vec![pdf()],
                ..empty.clone()
            },
        ] {
            assert!(check_record(&duty, &q, &draft, d("2026-05-02"), &people(), 50 << 20).is_ok());
        }
        // The next quarter's obligation is shown early but takes no record before it begins.
        let next = period_containing(Frequency::Quarter, d("2026-07-01"));
        let draft = RecordDraft {
            work_date: Some(d("2026-06-30")),
            content: "学习".into(),
            ..RecordDraft::default()
        };
        let problems =
            check_record(&duty, &next, &draft, d("2026-06-30"), &people(), 100).unwrap_err();
        assert_eq!(
            problems[0],
            RecordProblem::PeriodNotBegun {
                period_start: d("2026-07-01")
            }
        );
        assert!(problems[0].zh().contains("尚未开始"));
    }

    #[test]
    fn guests_count_as_attendance_and_are_bounded() {
        let q = period_containing(Frequency::Quarter, d("2026-05-01"));
        let duty = duty("\"attendance\"");
        let today = d("2026-05-05");
        // Only guests attended (a lecture by an outside speaker): attendance is shown.
        let guests_only = RecordDraft {
            work_date: Some(d("2026-05-01")),
            guests: parse_guests("王主讲（市委党校）\n李四、 赵五 ,"),
            ..RecordDraft::default()
        };
        assert_eq!(guests_only.guests, ["王主讲（市委党校）", "李四", "赵五"]);
        assert!(check_record(&duty, &q, &guests_only, today, &people(), 100).is_ok());
        // Neither people nor guests: attendance is missing (and the record is empty).
        let nobody = RecordDraft {
            work_date: Some(d("2026-05-01")),
            ..RecordDraft::default()
        };
        assert_eq!(
            check_record(&duty, &q, &nobody, today, &people(), 100),
            Err(vec![RecordProblem::Empty, RecordProblem::MissingAttendance])
        );
        let long = "长".repeat(GUEST_NAME_MAX + 1);
        let bad = RecordDraft {
            work_date: Some(d("2026-05-01")),
            guests: vec!["李四".into(), "李四".into(), long.clone(), "a\u{7}b".into()],
            ..RecordDraft::default()
        };
        assert_eq!(
            check_record(&duty, &q, &bad, today, &people(), 100),
            Err(vec![
                RecordProblem::DuplicateGuest {
                    name: "李四".into()
                },
                RecordProblem::GuestName {
                    name: long.chars().take(GUEST_NAME_MAX).collect()
                },
                RecordProblem::GuestName {
                    name: "a\u{7}b".into()
                },
            ])
        );
        let crowd = RecordDraft {
            work_date: Some(d("2026-05-01")),
            guests: (0..=GUESTS_MAX).map(|i| format!("来宾{i}")).collect(),
            ..RecordDraft::default()
        };
        assert_eq!(
            check_record(&duty, &q, &crowd, today, &people(), 100),
            Err(vec![RecordProblem::TooManyGuests { limit: GUESTS_MAX }])
        );
        assert!(parse_guests(" \n、，").is_empty());
    }

    #[test]
    fn dates_participants_and_sizes() {
        let q = period_containing(Frequency::Quarter, d("2026-05-01"));
        let duty = duty("");
        let ok = RecordDraft {
            work_date: Some(d("2026-04-01")),
            content: "学习".into(),
            ..RecordDraft::default()
        };
        assert!(check_record(&duty, &q, &ok, d("2026-04-01"), &people(), 100).is_ok());
        // Work done after the period (late) is accepted; before it, or in the future, is not.
        let late = RecordDraft {
            work_date: Some(d("2026-07-03")),
            content: "学习".into(),
            ..RecordDraft::default()
        };
        assert!(check_record(&duty, &q, &late, d("2026-07-05"), &people(), 100).is_ok());
        let early = RecordDraft {
            work_date: Some(d("2026-03-31")),
            content: "学习".into(),
            ..RecordDraft::default()
        };
        assert_eq!(
            check_record(&duty, &q, &early, d("2026-05-05"), &people(), 100),
            Err(vec![RecordProblem::WorkDateBeforePeriod {
                work_date: d("2026-03-31"),
                period_start: d("2026-04-01")
            }])
        );
        let future = RecordDraft {
            work_date: Some(d("2026-05-06")),
            content: "学习".into(),
            ..RecordDraft::default()
        };
        assert!(matches!(
            check_record(&duty, &q, &future, d("2026-05-05"), &people(), 100).unwrap_err()[0],
            RecordProblem::WorkDateInFuture { .. }
        ));
        let none = RecordDraft {
            content: "学习".into(),
            ..RecordDraft::default()
        };
        assert_eq!(
            check_record(&duty, &q, &none, d("2026-05-05"), &people(), 100),
            Err(vec![RecordProblem::MissingWorkDate])
        );
        let bad = RecordDraft {
            work_date: Some(d("2026-05-01")),
            participants: vec![PersonId(1), PersonId(1), PersonId(9)],
            attachments: vec![pdf()],
            ..RecordDraft::default()
        };
        assert_eq!(
            check_record(&duty, &q, &bad, d("2026-05-05"), &people(), 100),
            Err(vec![
                RecordProblem::DuplicateParticipant {
                    person: PersonId(1)
                },
                RecordProblem::ParticipantNotInUnit {
                    person: PersonId(9)
                },
                RecordProblem::AttachmentTooLarge {
                    file_name: "纪要.pdf".into(),
                    size: 1000,
                    limit: 100
                },
            ])
        );
    }

    #[test]
    fn corrections_are_new_versions_with_a_reason() {
        assert_eq!(next_version(1, "参会人数登记有误"), Ok(2));
        assert_eq!(
            next_version(3, "  "),
            Err(RecordProblem::CorrectionWithoutReason)
        );
        assert!(!RecordProblem::CorrectionWithoutReason.zh().is_empty());
    }
}
