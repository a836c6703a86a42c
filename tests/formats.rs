//! `--format ocsf` / `--ocsf` and `--format asff` / `--asff` through the
//! binary on the fixtures: one finding per result of the JSON report, ids that
//! are the fingerprints and stay put across runs, ASFF's limits kept. The
//! schemas themselves are checked by scripts/check-ocsf.py (py-ocsf-models)
//! and scripts/check-asff.py (botocore's securityhub model) in scripts/test.sh.

use assert_cmd::Command;
use serde_json::Value;

fn trailaudit() -> Command {
    let mut cmd = Command::cargo_bin("trailaudit").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).env_remove("AWS_ENDPOINT_URL").env("NO_COLOR", "1");
    cmd
}

/// The JSON, OCSF and ASFF reports of one run on a fixture.
fn run(fixture: &str, extra: &[&str]) -> (Value, Value, Value) {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let snapshot = format!("fixtures/{fixture}/snapshot.json");
    let mut args = vec!["audit", "--snapshot", &snapshot, "--format", "ocsf"];
    let (json, asff) = (path("r.json"), path("r.asff.json"));
    args.extend(["--json", &json, "--asff", &asff]);
    args.extend(extra);
    let out = trailaudit().args(&args).output().unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1 | 3)), "{}", String::from_utf8_lossy(&out.stderr));
    let read = |p: &str| serde_json::from_str::<Value>(&std::fs::read_to_string(p).unwrap()).unwrap();
    (read(&json), serde_json::from_slice(&out.stdout).unwrap(), read(&asff))
}

fn array(v: &Value) -> &Vec<Value> {
    v.as_array().expect("a JSON array of findings")
}

#[test]
fn ocsf_and_asff_have_one_finding_per_result_keyed_by_its_fingerprint() {
    for fixture in ["noncompliant", "compliant", "organization", "partial_collection"] {
        let (json, ocsf, asff) = run(fixture, &[]);
        let results = array(&json["results"]);
        assert!(!results.is_empty(), "{fixture}");
        assert_eq!(array(&ocsf).len(), results.len(), "{fixture}");
        assert_eq!(array(&asff).len(), results.len(), "{fixture}");
        for ((r, o), a) in results.iter().zip(array(&ocsf)).zip(array(&asff)) {
            assert_eq!(o["finding_info"]["uid"], r["fingerprint"], "{fixture}");
            assert_eq!(a["Id"], r["fingerprint"], "{fixture}");
            assert_eq!(a["GeneratorId"], r["rule_id"], "{fixture}");
            assert_eq!(o["metadata"]["event_code"], r["rule_id"], "{fixture}");
            assert_eq!(a["AwsAccountId"], r["account"], "{fixture}");
            assert_eq!(o["cloud"]["account"]["uid"], r["account"], "{fixture}");
        }
        let mut ids: Vec<&str> = array(&asff).iter().map(|a| a["Id"].as_str().unwrap()).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "{fixture}: ids are unique");
    }
}

#[test]
fn ids_are_the_same_across_two_runs_and_across_waivers() {
    let (_, ocsf1, asff1) = run("noncompliant", &[]);
    let (_, ocsf2, asff2) = run("noncompliant", &[]);
    assert_eq!(ocsf1, ocsf2, "the same snapshot gives the same OCSF bytes");
    assert_eq!(asff1, asff2, "the same snapshot gives the same ASFF bytes");
    let (_, ocsf3, asff3) = run("noncompliant", &["--config", "fixtures/noncompliant/waivers.yaml"]);
    let ids = |v: &Value, key: &str| array(v).iter().map(|f| f.pointer(key).unwrap().clone()).collect::<Vec<_>>();
    assert_eq!(ids(&asff1, "/Id"), ids(&asff3, "/Id"), "a waiver changes the status, not the identity");
    assert_eq!(ids(&ocsf1, "/finding_info/uid"), ids(&ocsf3, "/finding_info/uid"));
    assert!(array(&asff3).iter().any(|f| f["Workflow"]["Status"] == "SUPPRESSED"), "the applied waiver");
    assert!(array(&ocsf3).iter().any(|f| f["status_id"] == 3), "the applied waiver");
}

#[test]
fn asff_keeps_its_limits_and_names_the_default_product() {
    let (json, _, asff) = run("noncompliant", &[]);
    let chars = |v: &Value| v.as_str().unwrap_or("").chars().count();
    for f in array(&asff) {
        assert_eq!(f["SchemaVersion"], "2018-10-08");
        assert!(chars(&f["Id"]) <= 512);
        assert!(chars(&f["Title"]) <= 256 && chars(&f["Title"]) > 0, "{}", f["Title"]);
        assert!(chars(&f["Description"]) <= 1024 && chars(&f["Description"]) > 0);
        assert!(chars(&f["Remediation"]["Recommendation"]["Text"]) <= 512);
        assert!(array(&f["Types"]).len() <= 50);
        let account = f["AwsAccountId"].as_str().unwrap();
        let region = f["Region"].as_str().unwrap();
        assert_eq!(f["ProductArn"], format!("arn:aws:securityhub:{region}:{account}:product/{account}/default"));
        assert!(["PASSED", "FAILED", "WARNING", "NOT_AVAILABLE"].contains(&f["Compliance"]["Status"].as_str().unwrap()));
        assert!(["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"].contains(&f["Severity"]["Label"].as_str().unwrap()));
        assert_eq!(f["CreatedAt"], json["snapshot"]["collected_at"]);
    }
    let failed = array(&asff).iter().filter(|f| f["Compliance"]["Status"] == "FAILED").count();
    assert_eq!(failed as u64, json["summary"]["by_status"]["fail"].as_u64().unwrap());
}
