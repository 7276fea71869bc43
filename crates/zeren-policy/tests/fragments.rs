//! Standard fragments: included by id or embedded, composed into a self-contained installed text,
//! offered only where they fit, and marked as not from the seed text.

use zeren_policy::fragments::{self, compose, offered_for};
use zeren_policy::*;

fn pack(id: &str) -> &'static packs::Pack {
    packs::get(id).unwrap()
}

#[test]
fn the_university_pack_with_the_publication_fragment_has_a_publication_workflow() {
    let u = pack("university");
    assert!(u
        .policy()
        .workflow(&WorkflowId::parse("publication").unwrap())
        .is_none());
    let text = compose(&u.file_name(), u.text, &["publication-review"]).unwrap();
    let p = parse("university.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    let id = WorkflowId::parse("publication").unwrap();
    let w = p.workflow(&id).expect("a publication workflow");
    assert_eq!(w.kind, WorkflowKind::Publication);
    assert!(w.scan);
    assert_eq!(w.checklist.len(), 3, "涉密、适宜、准确");
    assert!(w.checklist[0].contains("涉密"));
    assert!(w.checklist[1].contains("适宜"));
    assert!(w.checklist[2].contains("准确"));
    assert_eq!(w.steps.len(), 3);
    // Marked as not from the seed text; the pack's own entries are not.
    assert!(p.workflow_origin(&id).is_fragment());
    assert_eq!(
        p.workflow_origin(&id).zh().unwrap(),
        "非实施方案原文（标准片段：网站和新媒体信息发布先审后发）"
    );
    assert!(!p
        .workflow_origin(&WorkflowId::parse("event_approval").unwrap())
        .is_fragment());
    assert!(!p
        .role_origin(&RoleId::parse("first_responsible").unwrap())
        .is_fragment());
    assert!(p
        .role_origin(&RoleId::parse("publication_reviewer").unwrap())
        .is_fragment());
    // Channels: the pack's kinds and source kept, the fragment's review and route added.
    let c = p.channels.as_ref().unwrap();
    assert_eq!(c.review_every, Some(Frequency::Year));
    assert_eq!(c.publish_via, Some(id.clone()));
    assert_eq!(c.source, u.policy().channels.unwrap().source);
    assert!(p.origin(&Entry::ChannelReview).is_fragment());
    assert!(p.origin(&Entry::ChannelPublishVia).is_fragment());
    // The university already lists website, wechat_official and weibo: nothing added there.
    assert!(!p
        .origin(&Entry::ChannelKind(ChannelKind::Website))
        .is_fragment());
    // The fragment's responsibilities come after the pack's and are marked.
    let n = u.policy().responsibilities.len();
    assert_eq!(p.responsibilities.len(), n + 3);
    assert!(p.responsibility_origin(n).is_fragment());
    assert!(!p.responsibility_origin(n - 1).is_fragment());
    // Everything else is the pack's.
    let base = u.policy();
    assert_eq!(p.duties, base.duties);
    assert_eq!(p.meta, base.meta);
    assert_eq!(p.roles.len(), base.roles.len() + 3);
    let inc = &p.included[0];
    assert_eq!(inc.id.as_str(), "publication-review");
    assert!(inc.embedded);
}

#[test]
fn the_installed_text_is_self_contained_and_keeps_the_pack_lines() {
    let d = pack("district-school");
    let text = compose(&d.file_name(), d.text, &["publication-review"]).unwrap();
    assert!(
        text.starts_with(d.text),
        "the pack's lines are kept as written"
    );
    assert!(text.contains("[[include]]\ntext = '''\n"));
    assert!(text.contains(fragments::get("publication-review").unwrap().text));
    // Composing again changes nothing.
    assert_eq!(
        compose("x.toml", &text, &["publication-review"]).unwrap(),
        text
    );
    assert_eq!(compose("x.toml", &text, &[]).unwrap(), text);
    // District-school's channels gain website and the review; its own kinds stay first.
    let p = parse("x.toml", &text).unwrap();
    let c = p.channels.clone().unwrap();
    assert_eq!(c.kinds[0], ChannelKind::Weibo);
    assert!(c.kinds.contains(&ChannelKind::Website));
    assert!(p
        .origin(&Entry::ChannelKind(ChannelKind::Website))
        .is_fragment());
    assert!(!p
        .origin(&Entry::ChannelKind(ChannelKind::Weibo))
        .is_fragment());
}

#[test]
fn an_include_by_id_is_embedded_at_install() {
    let text = "format = 1\ninclude = [\"publication-review\"]\n\n[policy]\nid = \"t\"\ntitle = \"测试\"\n";
    let p = parse("t.toml", text).unwrap_or_else(|e| panic!("{e}"));
    assert!(!p.included[0].embedded);
    assert!(p
        .workflow(&WorkflowId::parse("publication").unwrap())
        .is_some());
    let installed = compose("t.toml", text, &[]).unwrap();
    assert!(!installed.contains("include = ["), "{installed}");
    let q = parse("t.toml", &installed).unwrap();
    assert!(q.included[0].embedded);
    assert_eq!(q.workflows, p.workflows);
    assert_eq!(q.roles, p.roles);
    assert_eq!(q.channels, p.channels);
}

#[test]
fn an_embedded_fragment_is_read_from_the_file_not_the_build() {
    // A fragment text embedded at install time keeps its meaning even if the bundled one changes.
    let text = r#"format = 1

[policy]
id = "t"
title = "测试"

[roles.first_responsible]
title = "第一责任人"

[[include]]
text = '''
format = 1
[fragment]
id = "publication-review"
title = "旧版片段"
[workflows.publication]
title = "旧版信息发布审核"
kind = "publication"
[[workflows.publication.steps]]
title = "主要领导审批"
role = "first_responsible"
'''
"#;
    let p = parse("t.toml", text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.workflows[0].title, "旧版信息发布审核");
    assert_eq!(p.included[0].title, "旧版片段");
    // A fragment's reference may name the policy's role.
    assert_eq!(p.workflows[0].steps[0].role.as_str(), "first_responsible");
    assert!(!p.role_origin(&p.roles[0].id).is_fragment());
}

#[test]
fn setup_offers_the_fragment_only_where_it_fits() {
    for p in packs::all() {
        let offered: Vec<&str> = offered_for(&p.file_name(), p.text)
            .iter()
            .map(|f| f.id)
            .collect();
        let own_publication = p
            .policy()
            .workflows
            .iter()
            .any(|w| w.kind == WorkflowKind::Publication);
        if own_publication {
            assert!(offered.is_empty(), "{}: {offered:?}", p.id);
        } else {
            assert_eq!(offered, ["publication-review"], "{}", p.id);
            // and every such pack composes into a valid, self-contained text
            let t = compose(&p.file_name(), p.text, &["publication-review"]).unwrap();
            let q = parse("installed.toml", &t).unwrap_or_else(|e| panic!("{}: {e}", p.id));
            assert!(q
                .workflows
                .iter()
                .any(|w| w.kind == WorkflowKind::Publication
                    && q.workflow_origin(&w.id).is_fragment()));
        }
    }
    // A pack with a publication workflow of its own gets a located conflict if forced.
    let b = pack("bureau");
    let e = compose(&b.file_name(), b.text, &["publication-review"]).unwrap_err();
    let first = e.iter().next().unwrap().to_string();
    assert!(
        first.contains("include[0].roles.publication_reviewer: expected an id defined once"),
        "{e}"
    );
}

#[test]
fn an_unknown_fragment_is_refused() {
    let u = pack("university");
    let e = compose(&u.file_name(), u.text, &["nope"]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "policies/university.toml:1:1: include: expected one of publication-review; found \"nope\"\n"
    );
}

#[test]
fn fragment_info_for_the_setup_page() {
    let f = fragments::get("publication-review").unwrap().info();
    assert_eq!(f.title, "网站和新媒体信息发布先审后发");
    assert!(f.description.unwrap().contains("先审查、后公开"));
    assert!(f
        .entries
        .contains(&Entry::Workflow(WorkflowId::parse("publication").unwrap())));
}

#[test]
fn the_responsibility_list_marks_what_a_fragment_added() {
    let u = pack("university");
    let text = compose(&u.file_name(), u.text, &["publication-review"]).unwrap();
    let p = parse("university.toml", &text).unwrap();
    let t = explain::explain(&p).to_text();
    assert!(
        t.contains("    - 网站和新媒体信息发布审核：专人审查〔非实施方案原文（标准片段）〕\n"),
        "{t}"
    );
    assert!(t.contains("【标准片段：网站和新媒体信息发布先审后发】非实施方案原文（标准片段）\n"));
    // The pack's own lines keep their seed line.
    assert!(t.contains("〔L156〕"));
}
