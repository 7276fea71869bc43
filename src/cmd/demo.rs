//! `zeren demo`: a realistic organisation to try Zeren with in a minute, and the data set for
//! benchmarks. A bureau with schools, each with its party branch and teaching groups; people with
//! their roles; the seed packs installed; years of obligations with records (some late, some
//! missing) entered on the days the work was done, with minutes and reports as Word documents and
//! photos of the meetings; the schools' reports acknowledged by the bureau, one returned and
//! corrected, the latest still waiting. Deterministic for a given seed (but for the audit
//! chain's own times).

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use zeren_policy::calendar::WorkCalendar;
use zeren_store::ledger::{LedgerRead, NewVersion, ObligationFilter};
use zeren_store::materialise::materialise_all;
use zeren_store::{Actor, AdminDuty, Level, NewPerson, Read};
use zeren_web::config::Config;

/// Outside lecturers a study session may invite (named as guests, not on any roster).
const GUEST_LECTURERS: &[&str] = &[
    "刘敏（区委党校讲师）",
    "陈建国（区委宣传部）",
    "赵丽华（市师范学院副教授）",
];

/// The password of every demo account; it satisfies the password policy.
pub const DEMO_PASSWORD: &str = "Zeren-demo-2026";

#[derive(clap::Args)]
pub struct DemoArgs {
    /// Data directory to create the demo in (must not hold an organisation yet).
    #[arg(long)]
    data: PathBuf,
    /// How many units in all (the bureau, its schools, their branches and groups).
    #[arg(long, default_value_t = 25)]
    units: usize,
    /// How many years of history, counting the current one.
    #[arg(long, default_value_t = 2)]
    years: u32,
    /// Seed of the generator: the same seed gives the same organisation.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Pretend today is this date (YYYY-MM-DD); default: today in China.
    #[arg(long)]
    today: Option<NaiveDate>,
}

pub fn run(args: DemoArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start: {e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(demo(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("演示数据未生成：{e}");
            ExitCode::from(1)
        }
    }
}

/// SplitMix64: small, fast and good enough to make demo data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "蒋", "蔡", "杜",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "文", "华", "红", "玉兰", "志强", "海燕",
    "建国", "晓东", "雪梅", "春华", "国庆", "丹", "宁", "琳", "斌",
];
const SCHOOLS: &[&str] = &[
    "第一中学",
    "实验小学",
    "第二中学",
    "育才小学",
    "新华小学",
    "东风中学",
    "光明小学",
    "朝阳中学",
    "红旗小学",
    "胜利小学",
    "环湖中学",
    "下埔小学",
    "向阳小学",
    "第三中学",
    "滨河小学",
    "城关中学",
];
const POSITIONS: &[&str] = &[
    "教师",
    "教师",
    "教师",
    "班主任",
    "教研组长",
    "教务员",
    "团委书记",
    "工会主席",
    "办公室主任",
];
const PLACES: &[&str] = &[
    "三楼会议室",
    "党员活动室",
    "图书馆报告厅",
    "行政楼会议室",
    "录播教室",
];
const DOCUMENTS: &[&str] = &[
    "《党委（党组）意识形态工作责任制实施办法》",
    "上级党组织关于意识形态工作的通知精神",
    "习近平新时代中国特色社会主义思想有关论述",
    "区教体局党组关于加强教育系统意识形态工作的实施意见",
];

fn name(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

fn phone(rng: &mut Rng) -> String {
    let prefix = rng.pick(&[
        "133", "135", "138", "139", "150", "151", "158", "177", "186", "189",
    ]);
    format!("{prefix}{:08}", rng.next() % 100_000_000)
}

/// When a record of work done on `day` was entered: that day or a day or two after (never
/// after `latest`), in the afternoon, China time.
fn entered_on(rng: &mut Rng, day: NaiveDate, latest: NaiveDate) -> DateTime<Utc> {
    let day = (day + Days::new(rng.below(3) as u64)).min(latest);
    at_china(day, 15 + rng.below(3) as u32, rng.below(60) as u32)
}

/// A moment of a China calendar day, as stored (UTC), never later than now.
fn at_china(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let t = day
        .and_hms_opt(hour, minute, 0)
        .unwrap_or_default()
        .and_utc()
        - chrono::Duration::hours(8);
    t.min(zeren_store::now())
}

/// How many different meeting photos the demo draws (each stored once, as files are by content).
const PHOTOS: u64 = 12;

struct Unit {
    id: i64,
    people: Vec<i64>,
}

/// A school's report to the bureau, as entered: waiting for the bureau's 签收.
struct Report {
    record: i64,
    parent: i64,
    entered: DateTime<Utc>,
    version: NewVersion,
    writer: Actor,
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

async fn demo(args: DemoArgs) -> Result<(), String> {
    let err = |e: zeren_store::Error| e.to_string();
    let config = Config::load(Some(args.data.clone()), None)?;
    std::fs::create_dir_all(&config.data)
        .map_err(|e| format!("cannot create {}: {e}", config.data.display()))?;
    // Keyed from its first entry, like a server's.
    let store = super::open_store(&config, super::Key::Create).await?;
    if store
        .reader()
        .await
        .map_err(err)?
        .setting(zeren_web::SETUP_DONE)
        .await
        .map_err(err)?
        .is_some()
    {
        return Err(format!(
            "{} 中已有组织，请换一个空目录",
            config.data.display()
        ));
    }
    let today = args.today.unwrap_or_else(zeren_web::today);
    let mut rng = Rng(args.seed);
    let cal = WorkCalendar::bundled();
    let history_from = NaiveDate::from_ymd_opt(today.year() - args.years.max(1) as i32 + 1, 1, 1)
        .ok_or("years out of range")?;
    let hash = zeren_web::auth::hash_password(DEMO_PASSWORD).map_err(|e| e.to_string())?;

    // --- the organisation ----------------------------------------------------------------
    let mut w = store.write(&Actor::system()).await.map_err(err)?;
    w.claim_setting(zeren_web::SETUP_DONE, &zeren_store::now().to_rfc3339())
        .await
        .map_err(err)?;
    let bureau_pack = zeren_policy::packs::get("bureau").expect("bundled pack");
    let school_packs = [
        zeren_policy::packs::get("district-school").expect("bundled pack"),
        zeren_policy::packs::get("primary-school").expect("bundled pack"),
    ];
    let bureau = w
        .create_unit(None, "河东区教育体育局", "局")
        .await
        .map_err(err)?;
    let mut staffed = Vec::new();
    let mut writers: std::collections::HashMap<i64, Actor> = std::collections::HashMap::new();
    let since = history_from
        .checked_sub_days(Days::new(200))
        .unwrap_or(history_from);

    // People of a unit, with the pack's roles given out in order (each role at least once,
    // open-ended roles three times).
    async fn staff(
        w: &mut zeren_store::Write,
        rng: &mut Rng,
        unit_id: i64,
        count: usize,
        policy: Option<&zeren_policy::Policy>,
        since: NaiveDate,
        tag: &str,
    ) -> Result<Unit, zeren_store::Error> {
        let mut people = Vec::new();
        for i in 0..count {
            let status = *rng.pick(&[
                "中共党员",
                "中共党员",
                "中共党员",
                "群众",
                "共青团员",
                "中国民主同盟盟员",
            ]);
            let p = w
                .create_person(&NewPerson {
                    unit_id,
                    name: name(rng),
                    gender: Some(if rng.chance(55) { "女" } else { "男" }.into()),
                    id_number: None,
                    employee_no: Some(format!("{tag}{:03}", i + 1)),
                    phone: Some(phone(rng)),
                    position: Some((*rng.pick(POSITIONS)).into()),
                    political_status: Some(status.into()),
                })
                .await?;
            people.push(p.id);
        }
        if let Some(policy) = policy {
            let mut next = 0;
            for role in &policy.roles {
                let n = match role.holders.max {
                    Some(max) => role.holders.min.max(1).min(max),
                    None => role.holders.min.max(3),
                } as usize;
                for _ in 0..n {
                    let person = people[next % people.len()];
                    next += 1;
                    w.assign(person, unit_id, role.id.as_str(), since).await?;
                }
            }
        }
        Ok(Unit {
            id: unit_id,
            people,
        })
    }

    let bureau_policy = bureau_pack.policy();
    let bureau_unit = staff(
        &mut w,
        &mut rng,
        bureau.id,
        10,
        Some(&bureau_policy),
        since,
        "JYJ",
    )
    .await
    .map_err(err)?;
    let installed =
        zeren_store::install::install(&mut w, bureau.id, &bureau_policy, bureau_pack.text, since)
            .await
            .map_err(|e| e.to_string())?;
    w.set_policy_effective_from(installed.id, since)
        .await
        .map_err(err)?;
    let mut made = 1;
    let mut school_no = 0;
    // Each school with the units below it, for the merge below.
    let mut schools: Vec<(i64, Vec<i64>)> = Vec::new();
    // Schools whose policy sets incident levels: (school, its office, the office's person).
    let mut incident_schools: Vec<(i64, Actor, i64)> = Vec::new();
    // Every school with its office (name, actor, person), for the bureau's inspection.
    let mut offices: Vec<(i64, String, Actor, i64)> = Vec::new();
    // The first school's installation of a pack with a rubric: the bureau's 考核 uses it.
    let mut rubric: Option<(i64, zeren_policy::Policy)> = None;
    while made < args.units.max(1) {
        let stem = SCHOOLS
            .get(school_no)
            .map(|s| s.to_string())
            .unwrap_or_else(|| format!("第{}小学", school_no + 1));
        let school = w
            .create_unit(Some(bureau.id), &format!("河东区{stem}"), "学校")
            .await
            .map_err(err)?;
        let pack = school_packs[school_no % school_packs.len()];
        let policy = pack.policy();
        let count = 14 + rng.below(8);
        let unit = staff(
            &mut w,
            &mut rng,
            school.id,
            count,
            Some(&policy),
            since,
            &format!("S{:02}", school_no + 1),
        )
        .await
        .map_err(err)?;
        let installed = zeren_store::install::install(&mut w, school.id, &policy, pack.text, since)
            .await
            .map_err(|e| e.to_string())?;
        w.set_policy_effective_from(installed.id, since)
            .await
            .map_err(err)?;
        if rubric.is_none() && policy.assessment.is_some() {
            rubric = Some((installed.id, policy.clone()));
        }
        made += 1;
        // Each school's office keeps its ledger (and its branch's and groups'); the first
        // school's office account is the `clerk` the demo prints.
        let office_name = if school_no == 0 {
            "clerk".to_string()
        } else {
            format!("office{:03}", school_no + 1)
        };
        let office = w
            .create_account(
                &office_name,
                Some(unit.people[unit.people.len() - 1]),
                &hash,
                AdminDuty::None,
            )
            .await
            .map_err(err)?;
        w.set_grant(office.id, school.id, Level::Edit)
            .await
            .map_err(err)?;
        let office_actor = Actor::account(office.id, &office_name);
        writers.insert(school.id, office_actor.clone());
        offices.push((
            school.id,
            school.name.clone(),
            office_actor.clone(),
            unit.people[unit.people.len() - 1],
        ));
        if policy
            .incidents
            .as_ref()
            .is_some_and(|i| !i.levels.is_empty())
        {
            incident_schools.push((
                school.id,
                office_actor.clone(),
                unit.people[unit.people.len() - 1],
            ));
        }
        let mut kids = Vec::new();
        for (j, (kind, label)) in [
            ("党支部", "党支部"),
            ("教研组", "语文教研组"),
            ("教研组", "数学教研组"),
        ]
        .into_iter()
        .enumerate()
        {
            if made >= args.units {
                break;
            }
            let child = w
                .create_unit(Some(school.id), &format!("{}{label}", school.name), kind)
                .await
                .map_err(err)?;
            let c = staff(
                &mut w,
                &mut rng,
                child.id,
                4,
                None,
                since,
                &format!("S{:02}-{}-", school_no + 1, j + 1),
            )
            .await
            .map_err(err)?;
            writers.insert(child.id, office_actor.clone());
            staffed.push(c);
            kids.push(child.id);
            made += 1;
        }
        staffed.push(unit);
        schools.push((school.id, kids));
        school_no += 1;
    }

    // Accounts: the three administrators, the bureau's office, and a school's clerk and secretary.
    let admin = w
        .create_account("admin", None, &hash, AdminDuty::System)
        .await
        .map_err(err)?;
    w.set_grant(admin.id, bureau.id, Level::Administer)
        .await
        .map_err(err)?;
    let admin_actor = Actor::account(admin.id, "admin");
    w.create_account("security", None, &hash, AdminDuty::Security)
        .await
        .map_err(err)?;
    w.create_account("auditor", None, &hash, AdminDuty::Audit)
        .await
        .map_err(err)?;
    let office = w
        .create_account(
            "bureau",
            Some(bureau_unit.people[0]),
            &hash,
            AdminDuty::None,
        )
        .await
        .map_err(err)?;
    w.set_grant(office.id, bureau.id, Level::Edit)
        .await
        .map_err(err)?;
    let first_school = staffed
        .iter()
        .find(|u| u.people.len() > 4)
        .map(|u| (u.id, u.people.clone()));
    // The secretary holds the school's first role (第一责任人) and no grant: the role is what
    // lets him read the school's ledger and record the duties it owns.
    if let Some((_, people)) = &first_school {
        w.create_account("secretary", Some(people[0]), &hash, AdminDuty::None)
            .await
            .map_err(err)?;
    }
    let bureau_writer = Actor::account(office.id, "bureau");
    writers.insert(bureau.id, bureau_writer.clone());
    w.commit().await.map_err(err)?;

    // --- history: obligations month by month, then records -------------------------------
    let mut d = history_from;
    while d <= today {
        materialise_all(&store, d, &cal).await.map_err(err)?;
        d = d
            .checked_add_months(chrono::Months::new(1))
            .ok_or("date out of range")?;
    }
    materialise_all(&store, today, &cal).await.map_err(err)?;
    store.after_bulk_load().await.map_err(err)?;
    // One school merged into its neighbour in the summer (区域学校布局调整): its units below
    // it are retired with it; its records up to then stay where they were. (After the
    // obligations are made, before the records: nothing is entered there after the merge.)
    if schools.len() >= 3 {
        let mut w = store.write(&admin_actor).await.map_err(err)?;
        let merged_on = NaiveDate::from_ymd_opt(today.year(), 8, 31)
            .filter(|d| *d < today && *d > history_from)
            .unwrap_or(today);
        let (last, kids) = schools.pop().expect("three schools");
        let (into, _) = schools.last().expect("two schools");
        for k in kids {
            w.retire_unit(k, merged_on, "随学校合并撤销", None)
                .await
                .map_err(err)?;
        }
        w.retire_unit(
            last,
            merged_on,
            "河东教发〔2026〕15号：区域学校布局调整，两校合并办学",
            Some(*into),
        )
        .await
        .map_err(err)?;
        w.commit().await.map_err(err)?;
    }

    let obligations = store
        .reader()
        .await
        .map_err(err)?
        .obligations(&ObligationFilter {
            subtree_of: Some(bureau.id),
            ..ObligationFilter::default()
        })
        .await
        .map_err(err)?;
    let (mut on_time, mut late, mut missing) = (0, 0, 0);
    let mut by_unit: std::collections::BTreeMap<i64, Vec<zeren_store::ledger::Obligation>> =
        Default::default();
    for o in obligations {
        if o.obligation.period_start <= today {
            by_unit
                .entry(o.obligation.unit_id)
                .or_default()
                .push(o.obligation);
        }
    }
    let photos: Vec<Vec<u8>> = (0..PHOTOS)
        .map(super::demo_evidence::meeting_photo)
        .collect();
    let mut reports: Vec<Report> = Vec::new();
    // One transaction per unit: the records of a unit's history are entered together, each on
    // the day it was done (the store's import of history; a person's entry is always "now").
    for (n, (unit_id, list)) in by_unit.into_iter().enumerate() {
        // The tables grow tenfold while records are entered, and the counts of the units at
        // the top change with every record: PostgreSQL's plans and rows follow.
        if n % 500 == 499 {
            store.after_bulk_load().await.map_err(err)?;
        }
        let mut r = store.reader().await.map_err(err)?;
        let unit = r.unit(unit_id).await.map_err(err)?.ok_or("unit")?;
        // A merged school's people have moved to the school it joined: its records name the
        // people it had.
        let people = if unit.merged_into.is_some() {
            let mut had = Vec::new();
            for s in staffed.iter().filter(|s| s.id == unit_id) {
                for id in &s.people {
                    had.extend(r.person(*id).await.map_err(err)?);
                }
            }
            had
        } else {
            r.people_in_unit(unit_id).await.map_err(err)?
        };
        let parent = match unit.parent_id {
            Some(p) => r.unit(p).await.map_err(err)?.map(|u| u.name),
            None => None,
        }
        .unwrap_or_default();
        drop(r);
        let writer = writers.get(&unit_id).cloned().unwrap_or_else(Actor::system);
        let mut w = store.write(&writer).await.map_err(err)?;
        let recorder = w.actor_display_name().await.map_err(err)?;
        for o in list {
            let roll = rng.below(100);
            let overdue = o.due_on < today;
            // Past obligations: most done on time, some late, some never; current ones: some done.
            let work_date = if overdue && roll < 78 {
                let span = (o.due_on - o.period_start).num_days().max(0) as u64;
                o.period_start + Days::new(rng.next() % (span + 1))
            } else if overdue && roll < 88 {
                let d = o.due_on + Days::new(1 + rng.next() % 20);
                if d > today {
                    missing += 1;
                    continue;
                }
                late += 1;
                d
            } else if !overdue && roll < 40 {
                let span = (today - o.period_start).num_days().max(0) as u64;
                o.period_start + Days::new(rng.next() % (span + 1))
            } else {
                missing += 1;
                continue;
            };
            // Work done in time is entered by the due date; late work when it is done.
            let latest = if work_date <= o.due_on {
                on_time += 1;
                o.due_on.min(today)
            } else {
                today
            };
            let entered = entered_on(&mut rng, work_date, latest);
            w.import_history_at(entered);
            let place = *rng.pick(PLACES);
            let doc = rng.pick(DOCUMENTS);
            let document_only = o.evidence.split_whitespace().eq(["document"]);
            let holder = o
                .person_id
                .and_then(|id| people.iter().find(|p| p.id == id));
            let mut participants: Vec<&zeren_store::Person> = if o.report_to_parent || document_only
            {
                // A written report or a paper: its author.
                holder.or(people.first()).into_iter().collect()
            } else {
                people.iter().filter(|_| rng.chance(70)).collect()
            };
            if participants.is_empty() {
                participants.extend(people.first());
            }
            let names: Vec<String> = participants.iter().map(|p| p.name.clone()).collect();
            let mut attachments = Vec::new();
            let content = if o.report_to_parent {
                let to = if parent.is_empty() {
                    "上级党组织"
                } else {
                    &parent
                };
                let bytes =
                    super::demo_evidence::report_docx(&unit.name, to, &o.period_label, work_date);
                let sha = w.put_attachment(&bytes, DOCX).await.map_err(err)?;
                attachments.push((
                    format!(
                        "{}关于{}意识形态工作情况的报告.docx",
                        unit.name, o.period_label
                    ),
                    sha,
                ));
                format!(
                    "向{to}书面报送{}意识形态工作情况（见附件），汇报落实主体责任、理论学习和阵地管理、分析研判和舆情处置情况，以及存在的问题和下一步打算。",
                    o.period_label
                )
            } else if document_only {
                let title = format!("学习{doc}的体会");
                let bytes =
                    super::demo_evidence::essay_docx(&title, &names[0], &unit.name, work_date, doc);
                let sha = w.put_attachment(&bytes, DOCX).await.map_err(err)?;
                attachments.push((format!("{title}（{}）.docx", names[0]), sha));
                format!("{}撰写《{title}》，约2000字，见附件。", names[0])
            } else {
                let content = format!(
                    "一、传达学习{doc}。\n二、结合本单位实际，分析研判{}意识形态领域情况，未发现倾向性、苗头性问题。\n三、部署下一阶段工作：加强阵地管理，落实信息发布审核制度，做好舆情收集与报告。",
                    o.period_label
                );
                let minutes = super::demo_evidence::minutes_docx(&super::demo_evidence::Meeting {
                    unit: &unit.name,
                    title: &o.title,
                    period: &o.period_label,
                    date: work_date,
                    place,
                    chair: &names[0],
                    recorder: &recorder,
                    participants: &names,
                    items: &content,
                });
                let sha = w.put_attachment(&minutes, DOCX).await.map_err(err)?;
                attachments.push(("会议纪要.docx".to_string(), sha));
                if rng.chance(65) {
                    let photo = &photos[rng.below(photos.len())];
                    let sha = w.put_attachment(photo, "image/png").await.map_err(err)?;
                    attachments.push(("会场照片.png".to_string(), sha));
                }
                content
            };
            let v = NewVersion {
                work_date,
                place: if o.report_to_parent || document_only {
                    "党支部办公室".into()
                } else {
                    place.into()
                },
                content,
                participants: participants.iter().map(|p| p.id).collect(),
                // Now and then a study session has an outside lecturer, who is not on the roster.
                // (Chosen by the obligation, not the random stream, so the rest of the demo
                // is as it was.)
                guests: if !o.report_to_parent && !document_only && o.id % 5 == 0 {
                    vec![GUEST_LECTURERS[o.id as usize % GUEST_LECTURERS.len()].to_string()]
                } else {
                    Vec::new()
                },
                attachments,
                reason: None,
            };
            let h = w.create_record(o.id, &v).await.map_err(err)?;
            if o.report_to_parent && unit.parent_id.is_some() {
                reports.push(Report {
                    record: h.record.id,
                    parent: unit.parent_id.unwrap_or_default(),
                    entered,
                    version: v,
                    writer: writer.clone(),
                });
            }
        }
        w.commit().await.map_err(err)?;
    }

    // The parent's side: reports older than three weeks acknowledged a few days after they came
    // in (the first returned, corrected by the school and then acknowledged), the latest waiting.
    let (mut acknowledged, mut returned, mut waiting) = (0, 0, 0);
    reports.sort_by_key(|r| r.entered);
    let settled_before = at_china(today - Days::new(21), 0, 0);
    // At least the latest two wait, so the bureau has something to acknowledge.
    let recent = reports
        .iter()
        .filter(|r| r.entered > settled_before)
        .count();
    let answered = reports.len().saturating_sub(recent.max(2));
    let now = zeren_store::now();
    let day = |rep: &Report, n: i64| (rep.entered + chrono::Duration::days(n)).min(now);
    // The first of them is returned, and the school corrects it as a new version.
    if let Some(rep) = reports[..answered].first() {
        let mut w = store.write(&bureau_writer).await.map_err(err)?;
        w.import_history_at(day(rep, 3));
        w.return_record(
            rep.record,
            rep.parent,
            "汇报未写明本期开展分析研判的次数和发现的问题，请补充后重新报送。",
            Some(1),
        )
        .await
        .map_err(err)?;
        w.commit().await.map_err(err)?;
        let mut w = store.write(&rep.writer).await.map_err(err)?;
        w.import_history_at(day(rep, 6));
        let fix = NewVersion {
            content: format!(
                "{}补充：本期开展意识形态分析研判2次，未发现倾向性、苗头性问题。",
                rep.version.content
            ),
            reason: Some("按教体局退回意见补充分析研判情况".into()),
            ..rep.version.clone()
        };
        w.correct_record(rep.record, 1, &fix).await.map_err(err)?;
        w.commit().await.map_err(err)?;
        returned += 1;
    }
    // The bureau's office acknowledges them, each a few days after it came in, in one go.
    let mut w = store.write(&bureau_writer).await.map_err(err)?;
    for (i, rep) in reports.iter().enumerate() {
        if i >= answered {
            waiting += 1;
            continue;
        }
        let (after, version) = if i == 0 {
            (8, 2)
        } else {
            (1 + rng.below(6) as i64, 1)
        };
        w.import_history_at(day(rep, after));
        w.acknowledge(rep.record, rep.parent, "已阅，同意。", Some(version))
            .await
            .map_err(err)?;
        acknowledged += 1;
    }
    w.commit().await.map_err(err)?;

    // --- incidents: ten handled and closed over the year, two open now -----------------
    let retired: Vec<i64> = {
        let mut r = store.reader().await.map_err(err)?;
        let mut out = Vec::new();
        for (id, ..) in &incident_schools {
            if r.unit(*id)
                .await
                .map_err(err)?
                .is_some_and(|u| u.retired_on.is_some())
            {
                out.push(*id);
            }
        }
        out
    };
    incident_schools.retain(|(id, ..)| !retired.contains(id));
    {
        let mut r = store.reader().await.map_err(err)?;
        let mut open = Vec::new();
        for o in offices {
            if r.unit(o.0)
                .await
                .map_err(err)?
                .is_some_and(|u| u.retired_on.is_none())
            {
                open.push(o);
            }
        }
        offices = open;
    }
    let incidents = demo_incidents(
        &store,
        &incident_schools,
        bureau.id,
        (&bureau_writer, bureau_unit.people[0]),
        today,
    )
    .await?;
    let findings = super::demo_inspections::demo_inspections(
        &store,
        bureau.id,
        (&bureau_writer, bureau_unit.people[0]),
        &offices,
        today,
    )
    .await?;
    let asked =
        super::demo_inspections::demo_requests(&store, bureau.id, &bureau_writer, &offices, today)
            .await?;
    let cases = super::demo_accountability::demo_accountability(
        &store,
        bureau.id,
        &bureau_writer,
        &incident_schools,
        today,
    )
    .await?;
    let (past_cycle, assessed, self_assessed) = match &rubric {
        Some((id, policy)) => {
            super::demo_assessment::demo_assessment(
                &store,
                bureau.id,
                &bureau_writer,
                (*id, policy),
                &offices,
                today,
            )
            .await?
        }
        None => (String::new(), 0, 0),
    };
    // The dashboard's counts were kept with every obligation and record written; their year
    // rows are split at the demo's day.
    store.move_oversight_pivots(today).await.map_err(err)?;
    store.after_bulk_load().await.map_err(err)?;

    println!("演示数据已生成：{}", config.data.display());
    println!("  单位 {made} 个，记录：按时 {on_time}，逾期完成 {late}，未完成 {missing}");
    println!("  上报材料：已签收 {acknowledged}（其中退回后更正 {returned}），待签收 {waiting}");
    println!("  突发事件：{incidents} 起（处置中的按实时时钟计时）");
    println!("  督查：1 次专项督查，问题 {findings} 个（已销号、待复查、整改中、逾期、退回、撤回等各种状态）");
    println!("  临时报送：向 {asked} 所学校征集排查情况（已签收、退回、待签收、待报送）");
    println!("  问责：{cases} 个案件（由已办结的突发事件立案并报备教体局签收；另一件调查中）");
    if assessed > 0 {
        println!("  考核：{past_cycle} {assessed} 所学校结果已发布（考核组改动台账数值 1 处、申诉 1 件已答复）；本年度考核自评中（已自评 {self_assessed} 所）");
    }
    println!();
    println!("启动：zeren serve --data {}", config.data.display());
    println!("登录（密码均为 {DEMO_PASSWORD}）：");
    println!("  clerk      学校办公室（登记台账）");
    println!("  secretary  学校第一责任人（凭任职办理本人职责，未另行授权）");
    println!(
        "  bureau     教体局办公室（查看全区；督查看板 /units/{}/dashboard）",
        bureau.id
    );
    println!("  admin      系统管理员；security 安全管理员；auditor 安全审计员");
    Ok(())
}

/// Incidents at the schools whose policy sets incident levels, acted on through the rules as
/// people would: ten reported, handled and closed over the year; one reported this
/// morning that the bureau acknowledged and asked a 续报 of by a time; one just learnt of, its
/// 初报 drafted and not sent (第一时间: the time taken shows). Returns how many.
async fn demo_incidents(
    store: &zeren_store::Store,
    schools: &[(i64, Actor, i64)],
    bureau: i64,
    (bureau_writer, bureau_person): (&Actor, i64),
    today: NaiveDate,
) -> Result<usize, String> {
    use chrono::Duration;
    use zeren_core::incident::{Action, Actor as Who, IncidentState, ReportKind};
    use zeren_core::org::{PersonId, UnitId};
    use zeren_store::incidents::{facts_of, report_word, NewIncident, NewReportVersion};

    // Ours (the school's act) or the bureau's, a report to draft, an act, minutes after known.
    type Step<'a> = (
        bool,
        Option<(ReportKind, &'a str, &'a str)>,
        Option<Action>,
        i64,
    );
    let err = |e: zeren_store::Error| e.to_string();
    let org = zeren_store::materialise::org_snapshot(store, bureau)
        .await
        .map_err(err)?;
    let now = zeren_store::now();
    // How an incident went: handled and closed, its 初报 sent `send` minutes after it became known
    // (with the bureau's 批示 on the first); sent this morning and a 续报 asked for by a time; or
    // just learnt of, its 初报 drafted and not sent.
    enum Shape {
        Closed { send: i64, instruct: bool },
        FollowUpAsked,
        Drafted,
    }
    // (school index, title, place, known, how it went)
    let mut plans: Vec<(usize, &str, &str, DateTime<Utc>, Shape)> = vec![(
        0,
        "家长微信群流传我校食堂“食材过期”的不实信息",
        "学校食堂",
        at_china(today - Days::new(40), 19, 20),
        Shape::Closed {
            send: 22,
            instruct: true,
        },
    )];
    // Earlier in the year, at several schools: a year of statistics (time to first report).
    for (i, (title, place, days_ago, hour, send)) in [
        ("网传我校期末考试试题泄露", "学校教务处", 330, 21, 12),
        (
            "暴雨导致教学楼一楼进水，家长群询问是否停课",
            "教学楼",
            290,
            6,
            35,
        ),
        ("校外培训机构冒用我校名义发布招生广告", "校外", 250, 10, 20),
        (
            "学校周边道路施工，家长集中反映接送安全",
            "学校北门",
            210,
            17,
            58,
        ),
        ("冒充我校教师的诈骗短信在家长中传播", "校外", 175, 9, 15),
        ("网传我校将撤并，家长集中询问", "学校办公室", 140, 20, 90),
        ("运动会学生受伤视频在网络传播", "学校操场", 110, 15, 25),
        ("食堂供应商资质问题被本地媒体报道", "学校食堂", 75, 11, 40),
        ("校服采购价格引发家长议论", "学校总务处", 55, 13, 18),
    ]
    .into_iter()
    .enumerate()
    {
        plans.push((
            i + 1,
            title,
            place,
            at_china(today - Days::new(days_ago), hour, 5),
            Shape::Closed {
                send,
                instruct: false,
            },
        ));
    }
    plans.push((
        0,
        "校门口交通事故视频在网络传播，涉及我校学生",
        "学校南门",
        now - Duration::minutes(150),
        Shape::FollowUpAsked,
    ));
    plans.push((
        1,
        "学校官网留言区出现大量与我校无关的广告留言",
        "学校门户网站",
        now - Duration::minutes(25),
        Shape::Drafted,
    ));
    let mut made = 0;
    for (school_at, title, place, known, shape) in plans {
        if schools.is_empty() {
            break;
        }
        let (school, office, person) = &schools[school_at % schools.len()];
        let (ip, unit) = {
            let mut r = store.reader().await.map_err(err)?;
            let ip = r.policy_in_force(*school).await.map_err(err)?;
            let unit = r.unit(*school).await.map_err(err)?;
            match (ip, unit) {
                (Some(ip), Some(u)) => (ip, u),
                _ => continue,
            }
        };
        let policy = zeren_policy::parse(&format!("{}.toml", ip.policy_id), &ip.text)
            .map_err(|e| format!("{e:?}"))?;
        let Some(level) = policy.incidents.as_ref().and_then(|i| i.levels.first()) else {
            continue;
        };
        let me = Who {
            person: PersonId(*person),
            unit: UnitId(*school),
        };
        let them = Who {
            person: PersonId(bureau_person),
            unit: UnitId(bureau),
        };
        let mut w = store.write(office).await.map_err(err)?;
        w.import_history_at(known + Duration::minutes(8));
        let incident = w
            .create_incident(&NewIncident {
                unit_id: *school,
                installed_policy_id: ip.id,
                level_id: level.id.to_string(),
                title: title.into(),
                place: place.into(),
                occurred_at: Some(known - Duration::minutes(30)),
                known_at: known,
                reporter_person_id: *person,
                ..NewIncident::default()
            })
            .await
            .map_err(err)?;
        w.commit().await.map_err(err)?;
        let facts = facts_of(&incident, &policy, &unit.kind);
        let mut state = IncidentState::new(&facts);
        let mut seq = 0i64;
        // Each step: who, as which account, the action, when (minutes after `known`), and the
        // report text when it is a draft.
        let initial = (
            "初报：经核实，相关情况已掌握，正在处置。",
            "已安排专人核实情况，向家长说明，做好舆情引导。",
        );
        let mut steps: Vec<Step> = vec![(
            true,
            Some((ReportKind::Initial, initial.0, initial.1)),
            None,
            8,
        )];
        let to = vec![UnitId(bureau)];
        match shape {
            Shape::Closed { send, instruct } => {
                steps.push((
                    true,
                    None,
                    Some(Action::Send {
                        report: ReportKind::Initial,
                        hash: String::new(),
                        to: to.clone(),
                    }),
                    send,
                ));
                steps.push((
                    false,
                    None,
                    Some(Action::Receive {
                        report: ReportKind::Initial,
                    }),
                    send + 19,
                ));
                if instruct {
                    steps.push((
                        false,
                        None,
                        Some(Action::Instruct {
                            text: "请及时回应家长关切，主动公开食材采购和检验情况。".into(),
                        }),
                        send + 33,
                    ));
                }
                steps.push((
                    true,
                    None,
                    Some(Action::Log {
                        text: if instruct {
                            "召开专题会，邀请家长代表查看食堂和食材检验记录。"
                        } else {
                            "召开专题会研究处置，指定专人跟进。"
                        }
                        .into(),
                        handling: None,
                    }),
                    60 * 20,
                ));
                steps.push((
                    true,
                    None,
                    Some(Action::Log {
                        text: if instruct {
                            "在家长群发布情况说明，附检验报告。"
                        } else {
                            "向家长和相关方说明情况，回应关切。"
                        }
                        .into(),
                        handling: None,
                    }),
                    60 * 22,
                ));
                steps.push((true, None, Some(Action::EndHandling), 60 * 26));
                steps.push((
                    true,
                    Some((
                        ReportKind::Final,
                        if instruct {
                            "终报：经核实，网传信息不实，已在家长群说明情况，家长情绪平稳。"
                        } else {
                            "终报：情况已核实并妥善处置，已向家长说明，未造成不良影响。"
                        },
                        if instruct {
                            "食堂每周向家长开放一次。"
                        } else {
                            "完善信息发布和家校沟通机制。"
                        },
                    )),
                    None,
                    60 * 28,
                ));
                steps.push((
                    true,
                    None,
                    Some(Action::Send {
                        report: ReportKind::Final,
                        hash: String::new(),
                        to: to.clone(),
                    }),
                    60 * 28 + 10,
                ));
                steps.push((
                    false,
                    None,
                    Some(Action::Receive {
                        report: ReportKind::Final,
                    }),
                    60 * 30,
                ));
                steps.push((
                    true,
                    None,
                    Some(Action::ProposeClosure {
                        summary: if instruct {
                            "不实信息已澄清，未造成不良影响。"
                        } else {
                            "情况已妥善处置，未造成不良影响。"
                        }
                        .into(),
                        lessons: if instruct {
                            "食堂信息应定期主动公开。"
                        } else {
                            "重要信息应及时主动公开，回应关切。"
                        }
                        .into(),
                    }),
                    60 * 48,
                ));
            }
            Shape::FollowUpAsked => {
                steps.push((
                    true,
                    None,
                    Some(Action::Send {
                        report: ReportKind::Initial,
                        hash: String::new(),
                        to: to.clone(),
                    }),
                    18,
                ));
                steps.push((
                    false,
                    None,
                    Some(Action::Receive {
                        report: ReportKind::Initial,
                    }),
                    40,
                ));
                steps.push((
                    false,
                    None,
                    Some(Action::RequestFollowUp {
                        due: now + Duration::minutes(75),
                    }),
                    45,
                ));
            }
            Shape::Drafted => {}
        }
        for (ours, draft, action, after) in steps {
            let at = known + Duration::minutes(after);
            let writer = if ours { office } else { bureau_writer };
            let actor = if ours { me } else { them };
            let mut w = store.write(writer).await.map_err(err)?;
            w.import_history_at(at);
            let action = match (draft, action) {
                (Some((report, body, measures)), _) => {
                    let v = NewReportVersion {
                        report: report_word(report),
                        body: body.into(),
                        measures: measures.into(),
                        attachments: Vec::new(),
                    };
                    w.add_incident_report_version(incident.id, &v)
                        .await
                        .map_err(err)?;
                    Action::Draft {
                        report,
                        hash: v.hash(incident.id),
                    }
                }
                (None, Some(Action::Send { report, to, .. })) => Action::Send {
                    report,
                    hash: state
                        .report(report)
                        .and_then(|r| r.hash.clone())
                        .unwrap_or_default(),
                    to,
                },
                (None, Some(a)) => a,
                (None, None) => continue,
            };
            let event = state
                .check(&facts, &org, actor, action, at)
                .map_err(|e| e.zh())?;
            state.push(&facts, &event);
            w.append_incident_event(incident.id, seq, &event, state.stage, &state.level)
                .await
                .map_err(err)?;
            w.commit().await.map_err(err)?;
            seq += 1;
        }
        made += 1;
    }
    Ok(made)
}
