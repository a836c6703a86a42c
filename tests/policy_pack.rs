//! The built-in pack: every Rego unit test passes, and every rule meets the
//! house rules (tests for passing and failing cases, framework keys we know).

use trailaudit::pack::rego_tests::{self, TestStatus};
use trailaudit::pack::{Pack, PackSource};

fn builtin() -> Pack {
    Pack::load(&PackSource { builtin: true, dirs: vec![] }).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn all_rego_unit_tests_pass() {
    let pack = builtin();
    let outcomes = rego_tests::run(&pack, |f| f.builtin).unwrap_or_else(|e| panic!("{e}"));
    assert!(!outcomes.is_empty(), "the built-in pack has no tests");
    let failures: Vec<String> = outcomes
        .iter()
        .filter(|t| t.status != TestStatus::Pass)
        .map(|t| format!("{:?} {} ({})\n    {}", t.status, t.name, t.file, t.output.join("\n    ")))
        .collect();
    println!("{} Rego tests", outcomes.len());
    assert!(failures.is_empty(), "{} of {} Rego tests failed:\n{}", failures.len(), outcomes.len(), failures.join("\n"));
}

#[test]
fn every_rule_has_pass_and_fail_tests_and_known_frameworks() {
    const FRAMEWORKS: &[&str] =
        &["aws-securityhub", "cis-aws-v3.0", "cis-aws-v4.0", "cis-aws-v5.0", "cis-aws-v6.0", "cis-aws-v7.0", "mitre-attack"];
    let pack = builtin();
    assert!(!pack.rules.is_empty());
    let mut problems = Vec::new();
    for rule in &pack.rules {
        let test_path = format!("{}_test.rego", rule.source_path.trim_end_matches(".rego"));
        let test = pack.files.iter().find(|f| f.display_path == test_path).expect("loader checked the test file exists");
        let names = trailaudit::pack::test_rule_names(&test.source);
        if !names.iter().any(|n| n.starts_with("test_pass")) {
            problems.push(format!("{}: no test_pass_* test in {test_path}", rule.id()));
        }
        if !names.iter().any(|n| n.starts_with("test_fail")) {
            problems.push(format!("{}: no test_fail_* test in {test_path}", rule.id()));
        }
        for key in rule.meta.custom.frameworks.keys() {
            if !FRAMEWORKS.contains(&key.as_str()) {
                problems.push(format!("{}: unknown framework key `{key}`", rule.id()));
            }
        }
        if rule.meta.related_resources.is_empty() {
            problems.push(format!("{}: no related_resources", rule.id()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
