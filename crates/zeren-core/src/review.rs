//! The review engine (先审后发, 一事一审) for every workflow kind: publication review, event
//! approval and major decisions. An item's history is a list of events; its state is derived by
//! replaying them, and every action is checked against that state before its event is appended.
//! Storage appends events with a per-item sequence number, so two reviewers deciding the same step
//! at once cannot both succeed: the second append conflicts.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use zeren_policy::{Requirement, RoleId, Workflow, WorkflowKind};

use crate::org::{Org, PersonId, UnitId};

/// Who may decide a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Approvers {
    /// Holders of the step's role in `unit` (the submitting unit or its nearest ancestor with
    /// holders), never including the submitter.
    Holders { unit: UnitId, people: Vec<PersonId> },
    /// Nobody holds the role anywhere up the tree: the step waits for an administrator to reassign
    /// it. It never passes silently.
    Administrator,
    /// An administrator reassigned the step (转交) to this person.
    Reassigned { person: PersonId },
}

impl Approvers {
    pub fn includes(&self, p: PersonId) -> bool {
        match self {
            Approvers::Holders { people, .. } => people.contains(&p),
            Approvers::Administrator => false,
            Approvers::Reassigned { person } => *person == p,
        }
    }

    fn people(&self) -> Vec<PersonId> {
        match self {
            Approvers::Holders { people, .. } => people.clone(),
            Approvers::Administrator => Vec::new(),
            Approvers::Reassigned { person } => vec![*person],
        }
    }
}

/// Resolves the approvers of `role` for an item submitted by `submitter` in `unit`: the holders in
/// the unit, else in the nearest ancestor that has holders other than the submitter.
pub fn resolve_approvers(
    org: &Org,
    role: &RoleId,
    unit: UnitId,
    submitter: PersonId,
    on: NaiveDate,
) -> Approvers {
    for u in org.ancestry(unit) {
        let people: Vec<PersonId> = org
            .holders(role, u, on, on)
            .into_iter()
            .filter(|p| *p != submitter)
            .collect();
        if !people.is_empty() {
            return Approvers::Holders { unit: u, people };
        }
    }
    Approvers::Administrator
}

/// Something that happened to an item. The store keeps these in order; nothing is edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A version was submitted for review (the first time, after a return, or after an edit).
    Submitted {
        by: PersonId,
        version: u32,
        hash: String,
    },
    Approved {
        step: usize,
        by: PersonId,
        hash: String,
        checklist: Vec<bool>,
        /// Why publication is lawful despite a high-confidence scan finding (e.g. consent).
        lawful_basis: Option<String>,
        /// What the reviewer checked by hand in the files the scanner could not read.
        #[serde(default)]
        manual_check: Option<String>,
        comment: String,
        /// Whether this approval completed the step (always for 或签; for 会签, the last approver).
        completes_step: bool,
    },
    /// A holder of the role the workflow names confirmed the 解密/定密 decision that lets marked
    /// material of this version go onto the network.
    MarkingCleared {
        by: PersonId,
        hash: String,
        decision: MarkingDecision,
        /// The decision's document number (文号).
        document_no: String,
    },
    Returned {
        step: usize,
        by: PersonId,
        hash: String,
        comment: String,
    },
    Rejected {
        step: usize,
        by: PersonId,
        hash: String,
        comment: String,
    },
    Withdrawn {
        by: PersonId,
    },
    Reassigned {
        step: usize,
        /// None when a system administrator without a person record reassigned it.
        by: Option<PersonId>,
        to: PersonId,
        reason: String,
    },
    Published {
        by: PersonId,
        url: String,
        /// When it went online (China time), as the submitter states it.
        #[serde(default)]
        published_at: Option<NaiveDateTime>,
    },
    /// The published address or time corrected: the earlier one stays in the trail.
    PublicationCorrected {
        by: PersonId,
        url: String,
        published_at: NaiveDateTime,
        reason: String,
    },
}

/// What a 定密责任人 confirms about marked material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkingDecision {
    /// 解密: the material was declassified by a decision.
    Declassified,
    /// 定密: a classification decision found it is not a state secret (the marking is wrong).
    NotClassified,
}

impl MarkingDecision {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "declassified" => Some(MarkingDecision::Declassified),
            "not_classified" => Some(MarkingDecision::NotClassified),
            _ => None,
        }
    }
    pub fn word(self) -> &'static str {
        match self {
            MarkingDecision::Declassified => "declassified",
            MarkingDecision::NotClassified => "not_classified",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            MarkingDecision::Declassified => "已解密",
            MarkingDecision::NotClassified => "经定密不属于国家秘密",
        }
    }
}

/// A published address: `http` or `https` with a host, no spaces or control characters. Anything
/// else (`javascript:`, `data:`, a bare word) is refused, so the trail never holds a link that runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedUrl {
    url: String,
    host: String,
}

impl PublishedUrl {
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.is_empty() || s.chars().count() > 2000 {
            return None;
        }
        if s.chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
        {
            return None;
        }
        let lower = s.to_ascii_lowercase();
        let rest = if lower.starts_with("https://") {
            &s[8..]
        } else if lower.starts_with("http://") {
            &s[7..]
        } else {
            return None;
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.contains('@') {
            return None;
        }
        let host = match authority.rsplit_once(':') {
            Some((h, port)) if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) => h,
            Some(_) => return None,
            None => authority,
        };
        let label_ok = |l: &str| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        };
        if host.is_empty() || !host.split('.').all(label_ok) {
            return None;
        }
        Some(PublishedUrl {
            url: s.to_owned(),
            host: host.to_lowercase(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// Whether the host is one of `hosts` or below one of them (`news.example.cn` under
    /// `example.cn`). An empty list allows any host.
    pub fn within(&self, hosts: &[String]) -> bool {
        hosts.is_empty()
            || hosts.iter().any(|h| {
                let h = h.to_lowercase();
                self.host == h || self.host.ends_with(&format!(".{h}"))
            })
    }
}

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Draft,
    InReview { step: usize },
    Returned,
    Approved,
    Rejected,
    Withdrawn,
    Published,
}

impl Stage {
    /// The status words users know: 草稿 / 待审核（第N步） / 已退回 / 已通过 / 已驳回 / 已撤回 / 已发布.
    pub fn zh(self) -> String {
        match self {
            Stage::Draft => "草稿".into(),
            Stage::InReview { step } => format!("待审核（第{}步）", step + 1),
            Stage::Returned => "已退回".into(),
            Stage::Approved => "已通过".into(),
            Stage::Rejected => "已驳回".into(),
            Stage::Withdrawn => "已撤回".into(),
            Stage::Published => "已发布".into(),
        }
    }
}

/// The facts about an item the rules need, besides its events.
#[derive(Debug, Clone)]
pub struct Item<'a> {
    pub workflow: &'a Workflow,
    pub unit: UnitId,
    pub submitter: PersonId,
    pub major: bool,
    /// An event whose speaker is from outside the mainland (境外): the workflow's
    /// `when = "foreign_speaker"` steps apply.
    pub foreign_speaker: bool,
}

/// What the world looks like when an action is taken.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub org: &'a Org,
    pub on: NaiveDate,
    /// Blocking scan findings of the current version that a lawful basis may clear (personal
    /// data, custom terms).
    pub blocking_findings: usize,
    /// Secrecy markings in the current version: only a 解密/定密 confirmation clears them.
    pub markings: usize,
    /// Files of the current version the scanner could not read: approval needs a manual check.
    pub unreadable: usize,
    pub has_risk_assessment: bool,
    /// Hosts a published URL must be on (the channel's); empty: any http(s) address.
    pub url_hosts: Vec<String>,
}

/// Who acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// None for a system administrator without a person record (may only reassign).
    pub person: Option<PersonId>,
    /// An administrator of the item's unit (may reassign steps).
    pub admin: bool,
}

/// What someone asks to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Submit {
        version: u32,
        hash: String,
    },
    Approve {
        hash: String,
        checklist: Vec<bool>,
        lawful_basis: Option<String>,
        manual_check: Option<String>,
        comment: String,
    },
    ClearMarking {
        hash: String,
        decision: MarkingDecision,
        document_no: String,
    },
    Return {
        hash: String,
        comment: String,
    },
    Reject {
        hash: String,
        comment: String,
    },
    Withdraw,
    Reassign {
        to: PersonId,
        reason: String,
    },
    Publish {
        url: String,
        published_at: Option<NaiveDateTime>,
    },
    CorrectPublication {
        url: String,
        published_at: Option<NaiveDateTime>,
        reason: String,
    },
}

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ReviewError {
    WrongStage {
        stage: Stage,
    },
    NotSubmitter,
    SelfApproval,
    NotAnApprover,
    AlreadyApproved,
    ChecklistIncomplete {
        expected: usize,
        answered: usize,
    },
    StaleVersion {
        current: String,
    },
    RiskAssessmentMissing,
    LawfulBasisRequired {
        findings: usize,
    },
    CommentRequired,
    AlreadyDecided,
    NotAdministrator,
    ReassignToSubmitter,
    NotAPublication,
    UrlRequired,
    UrlInvalid,
    UrlOutsideChannel {
        hosts: Vec<String>,
    },
    PublishedAtRequired,
    ReasonRequired,
    OlderVersion {
        latest: u32,
    },
    /// The version carries a secrecy marking no 解密/定密 decision has cleared.
    MarkingNotCleared {
        markings: usize,
    },
    /// A lawful basis was given for a secrecy marking: it cannot clear one.
    LawfulBasisCannotClearMarking,
    /// The workflow names no role that may clear markings.
    NoDeclassifier,
    NotADeclassifier,
    DocumentNumberRequired,
    NothingToClear,
    ManualCheckRequired {
        files: usize,
    },
    NoPerson,
}

impl ReviewError {
    pub fn zh(&self) -> String {
        match self {
            ReviewError::WrongStage { stage } => {
                format!("当前状态为“{}”，不能进行此操作", stage.zh())
            }
            ReviewError::NotSubmitter => "只有提交人可以进行此操作".into(),
            ReviewError::SelfApproval => "不能审核本人提交的事项".into(),
            ReviewError::NotAnApprover => "您不是当前步骤的审核人".into(),
            ReviewError::AlreadyApproved => "您已审核通过本步骤，等待其他会签人".into(),
            ReviewError::ChecklistIncomplete { expected, answered } => {
                format!("请逐项确认全部 {expected} 个审核要点（已确认 {answered} 项）")
            }
            ReviewError::StaleVersion { .. } => "事项已有新版本，请查看最新版本后再审核".into(),
            ReviewError::RiskAssessmentMissing => "须先完成风险评估，才能审批".into(),
            ReviewError::LawfulBasisRequired { findings } => {
                format!("扫描发现 {findings} 处个人信息，须说明可以公开的依据（如本人同意）才能通过")
            }
            ReviewError::CommentRequired => "退回或驳回须填写审核意见".into(),
            ReviewError::AlreadyDecided => "本步骤已有审核意见，不能撤回".into(),
            ReviewError::NotAdministrator => "只有管理员可以转交审核步骤".into(),
            ReviewError::ReassignToSubmitter => "不能转交给提交人本人审核".into(),
            ReviewError::NotAPublication => "只有信息发布类事项可以标记为已发布".into(),
            ReviewError::UrlRequired => "请填写发布地址".into(),
            ReviewError::UrlInvalid => "发布地址须为以 http:// 或 https:// 开头的网址".into(),
            ReviewError::UrlOutsideChannel { hosts } => {
                format!("发布地址须在本阵地的域名下（{}）", hosts.join("、"))
            }
            ReviewError::PublishedAtRequired => "请填写发布时间".into(),
            ReviewError::ReasonRequired => "请填写更正原因".into(),
            ReviewError::MarkingNotCleared { markings } => format!(
                "扫描发现 {markings} 处密级标志：标有密级的材料不得上网发布，须由定密责任人确认解密或定密决定（注明文号）后方可通过"
            ),
            ReviewError::LawfulBasisCannotClearMarking => {
                "密级标志不是个人信息，不能以公开依据放行".into()
            }
            ReviewError::NoDeclassifier => {
                "本流程未指定可确认解密的角色：标有密级的材料须删除后重新提交".into()
            }
            ReviewError::NotADeclassifier => "只有本流程指定的定密责任人可以确认解密".into(),
            ReviewError::DocumentNumberRequired => "请填写解密或定密决定的文号".into(),
            ReviewError::NothingToClear => "当前版本没有需要确认的密级标志".into(),
            ReviewError::ManualCheckRequired { files } => format!(
                "有 {files} 个附件无法自动检查，须写明人工检查了哪些内容才能通过"
            ),
            ReviewError::NoPerson => "您的账号未关联人员，不能进行此操作".into(),
            ReviewError::OlderVersion { latest } => format!("新版本号须大于当前版本 {latest}"),
        }
    }
}

/// The state of an item, derived from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewState {
    pub stage: Stage,
    /// How many times the item has been submitted; each submission starts a new round at step 1.
    pub round: u32,
    pub version: u32,
    pub hash: String,
    /// Approvals of the current step in the current round (会签 collects several).
    pub approvals: Vec<PersonId>,
    /// Whether anyone has decided anything in the current round.
    pub decided_this_round: bool,
    /// The current step's reassignment, if any.
    pub reassigned_to: Option<PersonId>,
    /// Whether a 解密/定密 confirmation cleared the markings of the current version.
    pub markings_cleared: bool,
    /// Whether a reviewer recorded a manual check of the current version's unreadable files.
    pub manual_checked: bool,
}

/// The steps that apply to an item, in order: all steps, less `when = "major"` ones for items
/// that are not major and `when = "foreign_speaker"` ones for events without a 境外 speaker.
pub fn applicable_steps(workflow: &Workflow, major: bool, foreign_speaker: bool) -> Vec<usize> {
    (0..workflow.steps.len())
        .filter(|&i| major || !workflow.steps[i].major_only)
        .filter(|&i| foreign_speaker || !workflow.steps[i].foreign_speaker_only)
        .collect()
}

impl ReviewState {
    /// Replays the events of an item.
    pub fn replay(item: &Item<'_>, events: &[Event]) -> Self {
        let mut s = ReviewState {
            stage: Stage::Draft,
            round: 0,
            version: 0,
            hash: String::new(),
            approvals: Vec::new(),
            decided_this_round: false,
            reassigned_to: None,
            markings_cleared: false,
            manual_checked: false,
        };
        for e in events {
            s.push(item, e);
        }
        s
    }

    /// Applies one accepted event.
    pub fn push(&mut self, item: &Item<'_>, event: &Event) {
        let steps = applicable_steps(item.workflow, item.major, item.foreign_speaker);
        match event {
            Event::Submitted { version, hash, .. } => {
                self.round += 1;
                self.version = *version;
                self.hash = hash.clone();
                self.approvals.clear();
                self.decided_this_round = false;
                self.reassigned_to = None;
                self.markings_cleared = false;
                self.manual_checked = false;
                self.stage = match steps.first() {
                    Some(&first) => Stage::InReview { step: first },
                    None => Stage::Approved,
                };
            }
            Event::Approved {
                step,
                by,
                completes_step,
                manual_check,
                hash,
                ..
            } => {
                self.decided_this_round = true;
                if manual_check.is_some() && *hash == self.hash {
                    self.manual_checked = true;
                }
                self.approvals.push(*by);
                if *completes_step {
                    self.advance(&steps, *step);
                }
            }
            Event::Returned { .. } => {
                self.decided_this_round = true;
                self.stage = Stage::Returned;
            }
            Event::Rejected { .. } => {
                self.decided_this_round = true;
                self.stage = Stage::Rejected;
            }
            Event::Withdrawn { .. } => self.stage = Stage::Withdrawn,
            Event::Reassigned { to, .. } => {
                self.reassigned_to = Some(*to);
                self.approvals.clear();
            }
            Event::MarkingCleared { hash, .. } => {
                if *hash == self.hash {
                    self.markings_cleared = true;
                }
            }
            Event::Published { .. } | Event::PublicationCorrected { .. } => {
                self.stage = Stage::Published
            }
        }
    }

    fn advance(&mut self, steps: &[usize], current: usize) {
        self.approvals.clear();
        self.reassigned_to = None;
        let pos = steps
            .iter()
            .position(|&i| i == current)
            .unwrap_or(steps.len());
        self.stage = match steps.get(pos + 1) {
            Some(&next) => Stage::InReview { step: next },
            None => Stage::Approved,
        };
    }

    /// Who may decide the current step now, less those who already approved it (会签).
    pub fn waiting_for(&self, item: &Item<'_>, ctx: &Context<'_>) -> Option<Approvers> {
        let Stage::InReview { step } = self.stage else {
            return None;
        };
        Some(self.approvers(item, ctx, step))
    }

    fn approvers(&self, item: &Item<'_>, ctx: &Context<'_>, step: usize) -> Approvers {
        if let Some(person) = self.reassigned_to {
            return Approvers::Reassigned { person };
        }
        match resolve_approvers(
            ctx.org,
            &item.workflow.steps[step].role,
            item.unit,
            item.submitter,
            ctx.on,
        ) {
            Approvers::Holders { unit, people } => Approvers::Holders {
                unit,
                people: people
                    .into_iter()
                    .filter(|p| !self.approvals.contains(p))
                    .collect(),
            },
            other => other,
        }
    }

    /// Checks `action` by `actor`; on success returns the event to append.
    pub fn check(
        &self,
        item: &Item<'_>,
        ctx: &Context<'_>,
        actor: Actor,
        action: Action,
    ) -> Result<Event, ReviewError> {
        if let Action::Reassign { to, reason } = action {
            return self.reassign(item, actor, to, reason);
        }
        let me = actor.person.ok_or(ReviewError::NoPerson)?;
        match action {
            Action::Submit { version, hash } => {
                if me != item.submitter {
                    return Err(ReviewError::NotSubmitter);
                }
                if self.round > 0 && version <= self.version {
                    return Err(ReviewError::OlderVersion {
                        latest: self.version,
                    });
                }
                match self.stage {
                    // 一事一审: a new version restarts the review, even after approvals.
                    Stage::Draft
                    | Stage::Returned
                    | Stage::Withdrawn
                    | Stage::InReview { .. }
                    | Stage::Approved => Ok(Event::Submitted {
                        by: me,
                        version,
                        hash,
                    }),
                    stage => Err(ReviewError::WrongStage { stage }),
                }
            }
            Action::Approve {
                hash,
                checklist,
                lawful_basis,
                manual_check,
                comment,
            } => {
                let step = self.decidable_step(item, ctx, me, &hash)?;
                let expected = item.workflow.checklist.len();
                let answered = checklist.iter().filter(|&&b| b).count();
                if checklist.len() != expected || answered != expected {
                    return Err(ReviewError::ChecklistIncomplete { expected, answered });
                }
                if item
                    .workflow
                    .requires
                    .contains(&Requirement::RiskAssessment)
                    && !ctx.has_risk_assessment
                {
                    return Err(ReviewError::RiskAssessmentMissing);
                }
                let lawful_basis = lawful_basis.filter(|b| !b.trim().is_empty());
                if ctx.markings > 0 && !self.markings_cleared {
                    // A marking is not personal data: no lawful basis or consent clears it.
                    return Err(if lawful_basis.is_some() && ctx.blocking_findings == 0 {
                        ReviewError::LawfulBasisCannotClearMarking
                    } else {
                        ReviewError::MarkingNotCleared {
                            markings: ctx.markings,
                        }
                    });
                }
                if ctx.blocking_findings > 0 && lawful_basis.is_none() {
                    return Err(ReviewError::LawfulBasisRequired {
                        findings: ctx.blocking_findings,
                    });
                }
                let manual_check = manual_check.filter(|m| !m.trim().is_empty());
                // Once a reviewer recorded what was checked by hand, later steps see it in the
                // trail and need not repeat it (they may add their own).
                if ctx.unreadable > 0
                    && !self.manual_checked
                    && manual_check
                        .as_ref()
                        .is_none_or(|m| m.trim().chars().count() < 4)
                {
                    return Err(ReviewError::ManualCheckRequired {
                        files: ctx.unreadable,
                    });
                }
                let completes_step = !item.workflow.steps[step].all
                    || self.reassigned_to.is_some()
                    || self
                        .approvers(item, ctx, step)
                        .people()
                        .iter()
                        .all(|p| *p == me);
                Ok(Event::Approved {
                    step,
                    by: me,
                    hash,
                    checklist,
                    lawful_basis,
                    manual_check,
                    comment,
                    completes_step,
                })
            }
            Action::ClearMarking {
                hash,
                decision,
                document_no,
            } => {
                let Stage::InReview { .. } = self.stage else {
                    return Err(ReviewError::WrongStage { stage: self.stage });
                };
                if me == item.submitter {
                    return Err(ReviewError::SelfApproval);
                }
                let Some(role) = &item.workflow.declassified_by else {
                    return Err(ReviewError::NoDeclassifier);
                };
                if !resolve_approvers(ctx.org, role, item.unit, item.submitter, ctx.on).includes(me)
                {
                    return Err(ReviewError::NotADeclassifier);
                }
                if hash != self.hash {
                    return Err(ReviewError::StaleVersion {
                        current: self.hash.clone(),
                    });
                }
                if ctx.markings == 0 || self.markings_cleared {
                    return Err(ReviewError::NothingToClear);
                }
                let document_no = document_no.trim().to_owned();
                if document_no.chars().count() < 2 {
                    return Err(ReviewError::DocumentNumberRequired);
                }
                Ok(Event::MarkingCleared {
                    by: me,
                    hash,
                    decision,
                    document_no,
                })
            }
            Action::Return { hash, comment } => {
                let step = self.decidable_step(item, ctx, me, &hash)?;
                if comment.trim().is_empty() {
                    return Err(ReviewError::CommentRequired);
                }
                Ok(Event::Returned {
                    step,
                    by: me,
                    hash,
                    comment,
                })
            }
            Action::Reject { hash, comment } => {
                let step = self.decidable_step(item, ctx, me, &hash)?;
                if comment.trim().is_empty() {
                    return Err(ReviewError::CommentRequired);
                }
                Ok(Event::Rejected {
                    step,
                    by: me,
                    hash,
                    comment,
                })
            }
            Action::Withdraw => {
                if me != item.submitter {
                    return Err(ReviewError::NotSubmitter);
                }
                match self.stage {
                    Stage::InReview { .. } if self.decided_this_round => {
                        Err(ReviewError::AlreadyDecided)
                    }
                    Stage::InReview { .. } => Ok(Event::Withdrawn { by: me }),
                    stage => Err(ReviewError::WrongStage { stage }),
                }
            }
            Action::Reassign { .. } => unreachable!("handled above"),
            Action::Publish { url, published_at } => {
                if me != item.submitter {
                    return Err(ReviewError::NotSubmitter);
                }
                if item.workflow.kind != WorkflowKind::Publication {
                    return Err(ReviewError::NotAPublication);
                }
                if self.stage != Stage::Approved {
                    return Err(ReviewError::WrongStage { stage: self.stage });
                }
                let (url, published_at) = published(ctx, &url, published_at)?;
                Ok(Event::Published {
                    by: me,
                    url,
                    published_at: Some(published_at),
                })
            }
            Action::CorrectPublication {
                url,
                published_at,
                reason,
            } => {
                if me != item.submitter && !actor.admin {
                    return Err(ReviewError::NotSubmitter);
                }
                if self.stage != Stage::Published {
                    return Err(ReviewError::WrongStage { stage: self.stage });
                }
                let (url, published_at) = published(ctx, &url, published_at)?;
                if reason.trim().is_empty() {
                    return Err(ReviewError::ReasonRequired);
                }
                Ok(Event::PublicationCorrected {
                    by: me,
                    url,
                    published_at,
                    reason: reason.trim().to_owned(),
                })
            }
        }
    }

    /// 转交: an administrator (or a system administrator without a person record) hands the
    /// current step to someone.
    fn reassign(
        &self,
        item: &Item<'_>,
        actor: Actor,
        to: PersonId,
        reason: String,
    ) -> Result<Event, ReviewError> {
        if !actor.admin {
            return Err(ReviewError::NotAdministrator);
        }
        let Stage::InReview { step } = self.stage else {
            return Err(ReviewError::WrongStage { stage: self.stage });
        };
        if to == item.submitter {
            return Err(ReviewError::ReassignToSubmitter);
        }
        Ok(Event::Reassigned {
            step,
            by: actor.person,
            to,
            reason,
        })
    }

    /// The step `me` may decide now, checking stage, self-approval, approvers and version.
    fn decidable_step(
        &self,
        item: &Item<'_>,
        ctx: &Context<'_>,
        me: PersonId,
        hash: &str,
    ) -> Result<usize, ReviewError> {
        let Stage::InReview { step } = self.stage else {
            return Err(ReviewError::WrongStage { stage: self.stage });
        };
        if me == item.submitter {
            return Err(ReviewError::SelfApproval);
        }
        if self.approvals.contains(&me) {
            return Err(ReviewError::AlreadyApproved);
        }
        if !self.approvers(item, ctx, step).includes(me) {
            return Err(ReviewError::NotAnApprover);
        }
        if hash != self.hash {
            return Err(ReviewError::StaleVersion {
                current: self.hash.clone(),
            });
        }
        Ok(step)
    }
}

/// The address and time of a publication, checked: an http(s) URL within the channel's hosts, and
/// a time.
fn published(
    ctx: &Context<'_>,
    url: &str,
    at: Option<NaiveDateTime>,
) -> Result<(String, NaiveDateTime), ReviewError> {
    if url.trim().is_empty() {
        return Err(ReviewError::UrlRequired);
    }
    let url = PublishedUrl::parse(url).ok_or(ReviewError::UrlInvalid)?;
    if !url.within(&ctx.url_hosts) {
        return Err(ReviewError::UrlOutsideChannel {
            hosts: ctx.url_hosts.clone(),
        });
    }
    let at = at.ok_or(ReviewError::PublishedAtRequired)?;
    Ok((url.as_str().to_owned(), at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{Assignment, Unit};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const POLICY: &str = r#"format = 1
[policy]
id = "t"
title = "测试"
[roles.first_responsible]
title = "主要领导"
[roles.direct_responsible]
title = "分管领导"
[roles.leadership]
title = "部门负责人"
[roles.committee]
title = "党委委员"
[workflows.publication]
title = "信息发布审核"
kind = "publication"
checklist = ["无涉密信息", "当前对外发布适宜", "文字、数据、图表、图像准确"]
scan = true
declassified_by = "committee"
[[workflows.publication.steps]]
title = "部门负责人审核"
role = "leadership"
[[workflows.publication.steps]]
title = "分管领导审批"
role = "direct_responsible"
[[workflows.publication.steps]]
title = "主要领导审批"
role = "first_responsible"
when = "major"
[workflows.decision]
title = "重大事项"
kind = "decision"
requires = ["risk_assessment"]
[[workflows.decision.steps]]
title = "党委会签"
role = "committee"
all = true
[workflows.event]
title = "活动审批"
kind = "event"
[[workflows.event.steps]]
title = "宣传部审批"
role = "committee"
[[workflows.event.steps]]
title = "主要领导审批"
role = "first_responsible"
when = "foreign_speaker"
"#;

    // Units: 1 school (top), 2 department under it. People: 10 officer (submitter), 11 dept head,
    // 12 leader in charge, 13 principal, 20/21/22 committee members at the school.
    fn org() -> Org {
        let a = |p: i64, role: &str, unit: i64| Assignment {
            person: PersonId(p),
            role: RoleId::parse(role).unwrap(),
            unit: UnitId(unit),
            from: d("2020-01-01"),
            to: None,
        };
        Org::new(
            [
                Unit {
                    id: UnitId(1),
                    parent: None,
                    kind: "school".into(),
                },
                Unit {
                    id: UnitId(2),
                    parent: Some(UnitId(1)),
                    kind: "department".into(),
                },
            ],
            vec![
                a(11, "leadership", 2),
                a(12, "direct_responsible", 1),
                a(13, "first_responsible", 1),
                a(20, "committee", 1),
                a(21, "committee", 1),
                a(22, "committee", 1),
            ],
        )
    }

    struct Case {
        policy: zeren_policy::Policy,
        org: Org,
    }

    impl Case {
        fn new() -> Self {
            Case {
                policy: zeren_policy::parse("t", POLICY).unwrap(),
                org: org(),
            }
        }
        fn wf(&self, id: &str) -> &Workflow {
            self.policy
                .workflow(&zeren_policy::WorkflowId::parse(id).unwrap())
                .unwrap()
        }
        fn ctx(&self) -> Context<'_> {
            Context {
                org: &self.org,
                on: d("2026-06-01"),
                blocking_findings: 0,
                markings: 0,
                unreadable: 0,
                has_risk_assessment: false,
                url_hosts: Vec::new(),
            }
        }
    }

    fn who(p: i64) -> Actor {
        Actor {
            person: Some(PersonId(p)),
            admin: false,
        }
    }

    fn approve(hash: &str) -> Action {
        Action::Approve {
            hash: hash.into(),
            checklist: vec![true; 3],
            lawful_basis: None,
            manual_check: None,
            comment: "同意".into(),
        }
    }

    /// Checks and appends; panics on refusal.
    fn act(
        state: &mut ReviewState,
        events: &mut Vec<Event>,
        item: &Item<'_>,
        ctx: &Context<'_>,
        actor: Actor,
        action: Action,
    ) {
        let e = state
            .check(item, ctx, actor, action)
            .unwrap_or_else(|e| panic!("{}", e.zh()));
        state.push(item, &e);
        events.push(e);
        assert_eq!(
            &ReviewState::replay(item, events),
            state,
            "replay gives the same state"
        );
    }

    #[test]
    fn the_publication_journey() {
        let c = Case::new();
        let item = Item {
            workflow: c.wf("publication"),
            unit: UnitId(2),
            submitter: PersonId(10),
            major: true,
            foreign_speaker: false,
        };
        let mut ctx = c.ctx();
        let (mut s, mut ev) = (ReviewState::replay(&item, &[]), Vec::new());
        assert_eq!(s.stage, Stage::Draft);
        ctx.blocking_findings = 1;
        act(
            &mut s,
            &mut ev,
            &item,
            &ctx,
            who(10),
            Action::Submit {
                version: 1,
                hash: "v1".into(),
            },
        );
        assert_eq!(s.stage.zh(), "待审核（第1步）");
        // The scan found a resident ID: the department head cannot simply approve.
        assert_eq!(
            s.check(&item, &ctx, who(11), approve("v1")),
            Err(ReviewError::LawfulBasisRequired { findings: 1 })
        );
        act(
            &mut s,
            &mut ev,
            &item,
            &ctx,
            who(11),
            Action::Return {
                hash: "v1".into(),
                comment: "身份证号须脱敏".into(),
            },
        );
        assert_eq!(s.stage, Stage::Returned);
        // The masked version goes through all three steps (the third because it is major).
        ctx.blocking_findings = 0;
        act(
            &mut s,
            &mut ev,
            &item,
            &ctx,
            who(10),
            Action::Submit {
                version: 2,
                hash: "v2".into(),
            },
        );
        assert_eq!(s.stage, Stage::InReview { step: 0 });
        act(&mut s, &mut ev, &item, &ctx, who(11), approve("v2"));
        assert_eq!(s.stage, Stage::InReview { step: 1 });
        act(&mut s, &mut ev, &item, &ctx, who(12), approve("v2"));
        assert_eq!(s.stage, Stage::InReview { step: 2 });
        assert_eq!(
            s.check(
                &item,
                &ctx,
                who(10),
                Action::Publish {
                    url: "https://x/1".into(),
                    published_at: None,
                }
            ),
            Err(ReviewError::WrongStage {
                stage: Stage::InReview { step: 2 }
            })
        );
        act(&mut s, &mut ev, &item, &ctx, who(13), approve("v2"));
        assert_eq!(s.stage, Stage::Approved);
        act(
            &mut s,
            &mut ev,
            &item,
            &ctx,
            who(10),
            Action::Publish {
                url: "https://mp.weixin.qq.com/s/abc".into(),
                published_at: Some(d("2026-06-01").and_hms_opt(9, 30, 0).unwrap()),
            },
        );
        assert_eq!(s.stage.zh(), "已发布");
    }

    #[test]
    fn a_minor_item_skips_the_major_step() {
        let c = Case::new();
        let item = Item {
            workflow: c.wf("publication"),
            unit: UnitId(2),
            submitter: PersonId(10),
            major: false,
            foreign_speaker: false,
        };
        let ctx = c.ctx();
        let (mut s, mut ev) = (ReviewState::replay(&item, &[]), Vec::new());
        act(
            &mut s,
            &mut ev,
            &item,
            &ctx,
            who(10),
            Action::Submit {
                version: 1,
                hash: "h".into(),
            },
        );
        act(&mut s, &mut ev, &item, &ctx, who(11), approve("h"));
        act(&mut s, &mut ev, &item, &ctx, who(12), approve("h"));
        assert_eq!(s.stage, Stage::Approved);
    }

    #[test]
    fn refusals_the_server_must_enforce() {
        let c = Case::new();
        let item = Item {
            workflow: c.wf("publication"),
            unit: UnitId(2),
            submitter: PersonId(10),
            major: false,
            foreign_speaker: false,
        };
        let ctx = c.ctx();
        let (mut s, mut ev) = (ReviewState::replay(&item, &[]), Vec::new());
        act(
            &mut s,
            &mut ev,
            &item,
            &ctx,
            who(10),
            Action::Submit {
                version: 1,
                hash: "v1".into(),
            },
        );
        assert_eq!(
            s.check(&item, &ctx, who(10), approve("v1")),
            Err(ReviewError::SelfApproval)
        );
        assert_eq!(
            s.check(&item, &ctx, who(12), approve("v1")),
            Err(ReviewError::NotAnApprover)
        );
        let partial = Action::Approve {
            hash: "v1".into(),
            checklist: vec![true, true],
            lawful_basis: None,
            manual_check: None,
            comment: String::new(),
        };
        assert_eq!(
            s.check(&item, &ctx, who(11), partial),
            Err(ReviewError::ChecklistIncomplete {
                expected: 3,
                answered: 2
            })
        );
        let failed = Action::Approve {
            hash: "v1".into(),
            checklist: vec![true, false, true],
            lawful_basis: None,
            manual_check: None,
            comment: String::new(),
        };
        assert_eq!(
            s.check(&item, &ctx, who(11), failed),
            Err(ReviewError::ChecklistIncomplete {
                expected: 3,
                answered: 2
            })
        );
        assert_eq!(
            s.check(&item, &ctx, who(11), approve("v0")),
            Err(ReviewError::StaleVersion {
                current: "v1".into()
            })
        );
        assert_eq!(
            s.check(
                &item,
                &ctx,
                who(11),
                Action::Return {
                    hash: "v1".into(),
                    comment: " ".into()
                }
            ),
            Err(ReviewError::CommentRequired)
        );
        assert_eq!(
            s.check(
                &item,
                &ctx,
                who(11),
                Action::Reject {
                    hash: "v1".into(),
                    comment: String::new()
                }
            ),
            Err(ReviewError::CommentRequired)
        );
        assert_eq!(
            s.check(&item, &ctx, who(11), Action::Withdraw),
            Err(ReviewError::NotSubmitter)
        );
        assert_eq!(
            s.check(
                &item,
                &ctx,
                who(11),
                Action::Reassign {
                    to: PersonId(12),
                    reason: "出差".into()
                }
            ),
            Err(ReviewError::NotAdministrator)
        );
        // Editing after an approval starts the review again at step 1 (一事一审).
        act(&mut s, &mut ev, &item, &ctx, who(11), approve("v1"));
        assert_eq!(
            s.check(&item, &ctx, who(10), Action::Withdraw),
            Err(ReviewError::AlreadyDecided)
        );
        assert_eq!(
            s.check(
                &item,
                &ctx,
                who(10),
                Action::Submit {
                    version: 1,
                    hash: "again".into()
                }
            ),
            Err(ReviewError::OlderVersion { latest: 1 })
        );
        act(
            &mut s,
            &mut ev,
            &item,
            &ctx,
            who(10),
            Action::Submit {
                version: 2,
                hash: "v2".into(),
            },
        );
        assert_eq!((s.stage, s.round), (Stage::InReview { step: 0 }, 2));
        assert_eq!(
            s.check(&item, &ctx, who(12), approve("v2")),
            Err(ReviewError::NotAnApprover)
        );
        // Withdrawal before any decision of the round is allowed.
        act(&mut s, &mut ev, &item, &ctx, who(10), Action::Withdraw);
        assert_eq!(s.stage, Stage::Withdrawn);
    }

    #[test]
    fn lawful_basis_unblocks_a_finding() {
        let c = Case::new();
        let item = Item {
            workflow: c.wf("publication"),
            unit: UnitId(2),
            submitter: PersonId(10),
            major: false,
            foreign_speaker: false,
        };
        let mut ctx = c.ctx();
        ctx.blocking_findings = 2;
        let (mut s, mut ev) = (ReviewState::replay(&item, &[]), Vec::new());
        act(
            &mut s,
            &mut ev,
            &item,
            &ctx,
            who(10),
            Action::Submit {
                version: 1,
                hash: "h".into(),
            },
        );
        let blank = Action::Approve {
            hash: "h".into(),
            checklist: vec![true; 3],
            lawful_basis: Some("  ".into()),
            manual_check: None,
            comment: String::new(),
        };
        assert_eq!(
            s.check(&item, &ctx, who(11), blank),
            Err(ReviewError::LawfulBasisRequired { findings: 2 })
        );
        let ok = Action::Approve {
            hash: "h".into(),
            checklist: vec![true; 3],
            lawful_basis: Some("已取得本人书面同意".into()),
            manual_check: None,
            comment: String::new(),
        };
        act(&mut s, &mut ev, &item, &ctx, who(11), ok);
        assert_eq!(s.stage, Stage::InReview { step: 1 });
    }

    fn approve_with(hash: &str, basis: Option<&str>, manual: Option<&str>) -> Action {
        Action::Approve {
            hash: hash.into(),
            checklist: vec![true; 3],
            lawful_basis: basis.map(Into::into),
            manual_check: manual.map(Into::into),
            comment: String::new(),
        }
    }

    #[test]
    fn a_marking_is_cleared_only_by_a_declassification_with_its_number() {
        let c = Case::new();
        let item = Item {
            workflow: c.wf("publication"),
            unit: UnitId(2),
            submitter: PersonId(10),
            major: false,
            foreign_speaker: false,
        };
        let mut ctx = c.ctx();
        ctx.markings = 1;
        let (mut s, mut ev) = (ReviewState::replay(&item, &[]), Vec::new());
        let submit = |v: u32, h: &str| Action::Submit {
            version: v,
            hash: h.into(),
        };
        act(&mut s, &mut ev, &item, &ctx, who(10), submit(1, "h"));
        // A lawful basis (consent, "同意") never clears a marking.
        assert_eq!(
            s.check(&item, &ctx, who(11), approve_with("h", Some("同意"), None)),
            Err(ReviewError::LawfulBasisCannotClearMarking)
        );
        assert_eq!(
            s.check(&item, &ctx, who(11), approve_with("h", None, None)),
            Err(ReviewError::MarkingNotCleared { markings: 1 })
        );
        let clear = |no: &str| Action::ClearMarking {
            hash: "h".into(),
            decision: MarkingDecision::Declassified,
            document_no: no.into(),
        };
        // Only the role the workflow names (committee), never the submitter, with a number.
        assert_eq!(
            s.check(&item, &ctx, who(11), clear("校密〔2026〕3号")),
            Err(ReviewError::NotADeclassifier)
        );
        assert_eq!(
            s.check(&item, &ctx, who(20), clear(" ")),
            Err(ReviewError::DocumentNumberRequired)
        );
        act(
            &mut s,
            &mut ev,
            &item,
            &ctx,
            who(20),
            clear("校密〔2026〕3号"),
        );
        act(
            &mut s,
            &mut ev,
            &item,
            &ctx,
            who(11),
            approve_with("h", None, None),
        );
        assert_eq!(s.stage, Stage::InReview { step: 1 });
        // A new version needs its own decision.
        act(&mut s, &mut ev, &item, &ctx, who(10), submit(2, "h2"));
        assert_eq!(
            s.check(&item, &ctx, who(11), approve_with("h2", None, None)),
            Err(ReviewError::MarkingNotCleared { markings: 1 })
        );
        // A workflow naming no role cannot clear markings at all.
        let ev_item = Item {
            workflow: c.wf("event"),
            ..item.clone()
        };
        let mut s2 = ReviewState::replay(&ev_item, &[]);
        let e = s2.check(&ev_item, &ctx, who(10), submit(1, "e")).unwrap();
        s2.push(&ev_item, &e);
        assert_eq!(
            s2.check(
                &ev_item,
                &ctx,
                who(20),
                Action::ClearMarking {
                    hash: "e".into(),
                    decision: MarkingDecision::NotClassified,
                    document_no: "1号".into(),
                }
            ),
            Err(ReviewError::NoDeclassifier)
        );
    }

    #[test]
    fn an_unreadable_file_needs_a_manual_check() {
        let c = Case::new();
        let item = Item {
            workflow: c.wf("publication"),
            unit: UnitId(2),
            submitter: PersonId(10),
            major: false,
            foreign_speaker: false,
        };
        let mut ctx = c.ctx();
        ctx.unreadable = 2;
        let (mut s, mut ev) = (ReviewState::replay(&item, &[]), Vec::new());
        act(
            &mut s,
            &mut ev,
            &item,
            &ctx,
            who(10),
            Action::Submit {
                version: 1,
                hash: "h".into(),
            },
        );
        for m in [None, Some("  "), Some("看了")] {
            assert_eq!(
                s.check(&item, &ctx, who(11), approve_with("h", None, m)),
                Err(ReviewError::ManualCheckRequired { files: 2 })
            );
        }
        act(
            &mut s,
            &mut ev,
            &item,
            &ctx,
            who(11),
            approve_with("h", None, Some("逐页查看了两张图片，无个人信息")),
        );
        assert_eq!(s.stage, Stage::InReview { step: 1 });
        // Recorded once, the check unblocks the later steps of this version.
        act(
            &mut s,
            &mut ev,
            &item,
            &ctx,
            who(12),
            approve_with("h", None, None),
        );
        assert_eq!(s.stage, Stage::Approved);
        // A new version must be checked again.
        act(
            &mut s,
            &mut ev,
            &item,
            &ctx,
            who(10),
            Action::Submit {
                version: 2,
                hash: "h2".into(),
            },
        );
        assert_eq!(
            s.check(&item, &ctx, who(11), approve_with("h2", None, None)),
            Err(ReviewError::ManualCheckRequired { files: 2 })
        );
    }

    #[test]
    fn a_foreign_speaker_adds_the_stricter_step() {
        let c = Case::new();
        let wf = c.wf("event");
        assert_eq!(applicable_steps(wf, false, false), [0]);
        assert_eq!(applicable_steps(wf, false, true), [0, 1]);
        let item = Item {
            workflow: wf,
            unit: UnitId(2),
            submitter: PersonId(10),
            major: false,
            foreign_speaker: true,
        };
        let ctx = c.ctx();
        let (mut s, mut ev) = (ReviewState::replay(&item, &[]), Vec::new());
        act(
            &mut s,
            &mut ev,
            &item,
            &ctx,
            who(10),
            Action::Submit {
                version: 1,
                hash: "e".into(),
            },
        );
        let ok = || Action::Approve {
            hash: "e".into(),
            checklist: Vec::new(),
            lawful_basis: None,
            manual_check: None,
            comment: String::new(),
        };
        act(&mut s, &mut ev, &item, &ctx, who(20), ok());
        assert_eq!(s.stage, Stage::InReview { step: 1 });
        act(&mut s, &mut ev, &item, &ctx, who(13), ok());
        assert_eq!(s.stage, Stage::Approved);
    }

    #[test]
    fn a_published_url_is_http_within_the_channel() {
        for bad in [
            "javascript:alert(document.cookie)",
            "JAVASCRIPT:alert(1)",
            "abc",
            "data:text/html,x",
            "https://",
            "https://a b.cn/",
            "http://user@evil.cn/",
            "https://x.cn:abc/",
            "//x.cn/a",
        ] {
            assert!(PublishedUrl::parse(bad).is_none(), "{bad}");
        }
        let u = PublishedUrl::parse(" https://News.Example.cn:8443/a?b=1#c ").unwrap();
        assert_eq!(u.host(), "news.example.cn");
        assert!(u.within(&["example.cn".into()]) && u.within(&[]));
        assert!(!u.within(&["ample.cn".into()]));
        assert!(PublishedUrl::parse("http://学校.cn/新闻").is_some());
    }

    #[test]
    fn a_decision_needs_its_risk_assessment_and_every_cosigner() {
        let c = Case::new();
        let item = Item {
            workflow: c.wf("decision"),
            unit: UnitId(1),
            submitter: PersonId(13),
            major: true,
            foreign_speaker: false,
        };
        let mut ctx = c.ctx();
        let (mut s, mut ev) = (ReviewState::replay(&item, &[]), Vec::new());
        act(
            &mut s,
            &mut ev,
            &item,
            &ctx,
            who(13),
            Action::Submit {
                version: 1,
                hash: "h".into(),
            },
        );
        let ok = || Action::Approve {
            hash: "h".into(),
            checklist: vec![],
            lawful_basis: None,
            manual_check: None,
            comment: String::new(),
        };
        assert_eq!(
            s.check(&item, &ctx, who(20), ok()),
            Err(ReviewError::RiskAssessmentMissing)
        );
        ctx.has_risk_assessment = true;
        act(&mut s, &mut ev, &item, &ctx, who(20), ok());
        assert_eq!(
            s.stage,
            Stage::InReview { step: 0 },
            "会签: one of three is not enough"
        );
        assert_eq!(
            s.check(&item, &ctx, who(20), ok()),
            Err(ReviewError::AlreadyApproved)
        );
        assert_eq!(
            s.waiting_for(&item, &ctx),
            Some(Approvers::Holders {
                unit: UnitId(1),
                people: vec![PersonId(21), PersonId(22)]
            })
        );
        act(&mut s, &mut ev, &item, &ctx, who(22), ok());
        act(&mut s, &mut ev, &item, &ctx, who(21), ok());
        assert_eq!(s.stage, Stage::Approved);
        // A decision is not published through the publication path.
        assert_eq!(
            s.check(
                &item,
                &ctx,
                who(13),
                Action::Publish {
                    url: "x".into(),
                    published_at: None
                }
            ),
            Err(ReviewError::NotAPublication)
        );
    }

    #[test]
    fn the_submitter_as_only_holder_goes_up_the_tree() {
        let c = Case::new();
        // 11 heads department 2 and submits: step 1 goes to the school's holders of the role — none
        // at the school, so nobody: the administrator must reassign.
        let item = Item {
            workflow: c.wf("publication"),
            unit: UnitId(2),
            submitter: PersonId(11),
            major: false,
            foreign_speaker: false,
        };
        let ctx = c.ctx();
        let (mut s, mut ev) = (ReviewState::replay(&item, &[]), Vec::new());
        act(
            &mut s,
            &mut ev,
            &item,
            &ctx,
            who(11),
            Action::Submit {
                version: 1,
                hash: "h".into(),
            },
        );
        assert_eq!(s.waiting_for(&item, &ctx), Some(Approvers::Administrator));
        assert_eq!(
            s.check(&item, &ctx, who(12), approve("h")),
            Err(ReviewError::NotAnApprover)
        );
        let admin = Actor {
            person: Some(PersonId(1)),
            admin: true,
        };
        assert_eq!(
            s.check(
                &item,
                &ctx,
                admin,
                Action::Reassign {
                    to: PersonId(11),
                    reason: String::new()
                }
            ),
            Err(ReviewError::ReassignToSubmitter)
        );
        act(
            &mut s,
            &mut ev,
            &item,
            &ctx,
            admin,
            Action::Reassign {
                to: PersonId(12),
                reason: "部门负责人本人提交".into(),
            },
        );
        assert_eq!(
            s.waiting_for(&item, &ctx),
            Some(Approvers::Reassigned {
                person: PersonId(12)
            })
        );
        act(&mut s, &mut ev, &item, &ctx, who(12), approve("h"));
        assert_eq!(s.stage, Stage::InReview { step: 1 });
        // The reassignment applied to that step only.
        assert_eq!(
            s.waiting_for(&item, &ctx),
            Some(Approvers::Holders {
                unit: UnitId(1),
                people: vec![PersonId(12)]
            })
        );

        // With a holder at the parent, the step resolves there directly.
        let mut org = org();
        org = Org::new(
            [
                Unit {
                    id: UnitId(1),
                    parent: None,
                    kind: "school".into(),
                },
                Unit {
                    id: UnitId(2),
                    parent: Some(UnitId(1)),
                    kind: "department".into(),
                },
            ],
            org.assignments()
                .iter()
                .cloned()
                .chain([Assignment {
                    person: PersonId(30),
                    role: RoleId::parse("leadership").unwrap(),
                    unit: UnitId(1),
                    from: d("2020-01-01"),
                    to: None,
                }])
                .collect(),
        );
        assert_eq!(
            resolve_approvers(
                &org,
                &RoleId::parse("leadership").unwrap(),
                UnitId(2),
                PersonId(11),
                d("2026-06-01")
            ),
            Approvers::Holders {
                unit: UnitId(1),
                people: vec![PersonId(30)]
            }
        );
    }

    #[test]
    fn two_reviewers_at_once_cannot_both_decide() {
        let c = Case::new();
        let item = Item {
            workflow: c.wf("event"),
            unit: UnitId(1),
            submitter: PersonId(10),
            major: false,
            foreign_speaker: false,
        };
        let ctx = c.ctx();
        let (mut s, mut ev) = (ReviewState::replay(&item, &[]), Vec::new());
        act(
            &mut s,
            &mut ev,
            &item,
            &ctx,
            who(10),
            Action::Submit {
                version: 1,
                hash: "h".into(),
            },
        );
        let ok = || Action::Approve {
            hash: "h".into(),
            checklist: vec![],
            lawful_basis: None,
            manual_check: None,
            comment: String::new(),
        };
        // Both see the same state and both pass the check (或签)…
        let a = s.check(&item, &ctx, who(20), ok()).unwrap();
        let b = s
            .check(
                &item,
                &ctx,
                who(21),
                Action::Reject {
                    hash: "h".into(),
                    comment: "不同意".into(),
                },
            )
            .unwrap();
        assert_ne!(a, b);
        // …the store appends one (sequence number conflict refuses the other); re-checked against
        // the new state, the other decision is refused.
        s.push(&item, &a);
        assert_eq!(s.stage, Stage::Approved);
        assert_eq!(
            s.check(
                &item,
                &ctx,
                who(21),
                Action::Reject {
                    hash: "h".into(),
                    comment: "不同意".into()
                }
            ),
            Err(ReviewError::WrongStage {
                stage: Stage::Approved
            })
        );
    }
}
