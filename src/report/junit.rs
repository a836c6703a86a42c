//! JUnit XML for CI systems that show test reports (GitLab `artifacts:reports:junit`,
//! Jenkins `junit`), written with `quick-junit` (the nextest project's serializer),
//! which escapes markup. It strips C0 controls and ANSI sequences but lets U+FFFE and
//! U+FFFF through, which XML 1.0 forbids: every string goes through [`escape::xml`]
//! first, so AWS strings cannot break the document and nothing is silently dropped.
//!
//! One `testsuite` per evaluated rule (`CT-005 Trail validates log file integrity`),
//! one `testcase` per subject: `name` = resource (plus the event id for an
//! event detection), `classname` = `account/region`
//! (`global` for account-level and global subjects). `fail` → `<failure
//! message=.. type=severity>`, `error` → `<error>`, `waived` → `<skipped>` with the
//! waiver, `pass` → a plain test case. A rule without subjects is an empty suite,
//! so "nothing to examine" is visible rather than absent.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::escape;
use crate::finding::{Audit, RuleResult, Status};

fn case(r: &RuleResult) -> TestCase {
    let status = match r.status {
        Status::Pass => TestCaseStatus::success(),
        Status::Fail | Status::Error => {
            let kind = if r.status == Status::Fail { NonSuccessKind::Failure } else { NonSuccessKind::Error };
            let mut status = TestCaseStatus::non_success(kind);
            status.set_message(escape::xml(&r.message)).set_type(if r.status == Status::Fail { r.severity.as_str() } else { "error" });
            let baseline = r.baseline.map_or(String::new(), |b| format!("baseline: {}\n", b.as_str()));
            status.set_description(escape::xml(&format!("{}\n{baseline}evidence: {}", r.message, r.evidence)));
            status
        }
        Status::Waived => {
            let mut status = TestCaseStatus::skipped();
            let message = match &r.waiver {
                Some(w) => format!("waived: {} (owner: {}; until {})", w.reason, w.owner, w.expires.as_deref().unwrap_or("-")),
                None => "waived".to_owned(),
            };
            status.set_message(escape::xml(&message)).set_description(escape::xml(&r.message));
            status
        }
    };
    // An event detection can fail twice on one resource (two root sign-ins):
    // the event id keeps each test case distinct, as it does the fingerprint.
    let name = match crate::finding::event_id(&r.evidence) {
        Some(id) => format!("{} (event {id})", r.resource),
        None => r.resource.clone(),
    };
    let mut case = TestCase::new(escape::xml(&name), status);
    case.set_classname(escape::xml(&format!("{}/{}", r.account, r.region.as_deref().unwrap_or("global"))));
    case
}

pub fn render(audit: &Audit) -> String {
    let mut report = Report::new("trailaudit");
    report.set_timestamp(audit.metadata.collected_at.fixed_offset());
    for rule in &audit.rules {
        let mut suite = TestSuite::new(escape::xml(&format!("{} {}", rule.id(), rule.meta.title)));
        suite.add_test_cases(audit.results.iter().filter(|r| r.rule_id == rule.id()).map(case));
        report.add_test_suite(suite);
    }
    // quick-junit only fails on I/O errors of the writer; a String cannot have those.
    report.to_string().expect("JUnit XML serializes into a String")
}

#[cfg(test)]
mod tests {
    use quick_junit::{NonSuccessKind, Report, TestCaseStatus};

    #[test]
    fn one_suite_per_rule_one_case_per_subject() {
        let audit = super::super::tests::mixed();
        let xml = super::render(&audit);
        let report = Report::deserialize_from_str(&xml).unwrap();
        assert_eq!(report.tests, 4);
        assert_eq!((report.failures, report.errors), (1, 1));
        let names: Vec<&str> = report.test_suites.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["CT-101 Title of CT-101", "CT-102 Title of CT-102"]);
        let first = &report.test_suites[0];
        assert_eq!((first.tests, first.failures, first.errors), (2, 1, 0));
        let failing = &first.test_cases[0];
        assert_eq!(failing.classname.as_ref().unwrap().as_str(), "111111111111/us-east-1");
        assert!(
            failing.name.as_str().starts_with("arn:aws:cloudtrail:us-east-1:111111111111:trail/a|b`<script>"),
            "{}",
            failing.name.as_str()
        );
        assert!(!failing.name.as_str().contains('\u{1b}'), "control characters are escaped");
        assert!(failing.name.as_str().contains("\\u{1b}[31m"), "visibly, not dropped: {}", failing.name.as_str());
        match &failing.status {
            TestCaseStatus::NonSuccess { kind: NonSuccessKind::Failure, ty, message, .. } => {
                assert_eq!(ty.as_ref().unwrap().as_str(), "high");
                assert!(message.as_ref().unwrap().as_str().starts_with("trail *bold* | pipe"));
            }
            other => panic!("expected a failure, got {other:?}"),
        }
        assert!(matches!(first.test_cases[1].status, TestCaseStatus::Success { .. }));
        let second = &report.test_suites[1];
        assert!(matches!(second.test_cases[0].status, TestCaseStatus::NonSuccess { kind: NonSuccessKind::Error, .. }));
        match &second.test_cases[1].status {
            TestCaseStatus::Skipped { message, .. } => {
                assert_eq!(message.as_ref().unwrap().as_str(), "waived: migrating (owner: team-platform; until 2027-01-31)")
            }
            other => panic!("expected skipped, got {other:?}"),
        }
        assert!(!xml.contains("<script>"), "markup is escaped: {xml}");
    }

    /// Defect 7 (issue 15): U+FFFE and U+FFFF, which quick-junit passes
    /// through, made the document ill-formed for every strict XML reader.
    #[test]
    fn strings_xml_forbids_are_escaped_and_the_document_parses() {
        let mut audit = super::super::tests::mixed();
        let hostile = "ua/\u{fffe}\u{ffff}\u{0}\u{1b}]0;title\u{7}\u{85}\u{1fffe}]]><&\"'";
        for r in &mut audit.results {
            r.message = format!("{} {hostile}", r.message);
            r.resource = format!("{}{hostile}", r.resource);
            r.account = hostile.to_owned();
        }
        let xml = super::render(&audit);
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
        let case = doc.descendants().find(|n| n.has_tag_name("testcase")).expect("a test case");
        let name = case.attribute("name").unwrap();
        assert!(name.ends_with("ua/\\u{fffe}\\u{ffff}\\u{0}\\u{1b}]0;title\\u{7}\\u{85}\\u{1fffe}]]><&\"'"), "{name}");
        assert!(case.attribute("classname").unwrap().starts_with("ua/\\u{fffe}"));
        let failure = case.descendants().find(|n| n.has_tag_name("failure")).expect("a failure");
        assert!(failure.attribute("message").unwrap().contains("\\u{ffff}"));
        assert!(failure.text().unwrap().contains("]]><&"), "the description keeps the text");
    }
}
