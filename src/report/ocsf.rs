//! OCSF 1.5.0 Detection Findings (class 2004), shaped as Prowler emits them
//! (`prowler/lib/outputs/ocsf/ocsf.py`, built on the `py-ocsf-models` types):
//! a JSON array with one finding per result, passes included.
//!
//! - `finding_info.uid` is the result's fingerprint (stable across runs, the
//!   same value as the JSON report's `fingerprint` and SARIF's
//!   `partialFingerprints`); `finding_info.analytic` names the rule.
//! - `severity_id`/`severity`: info → 1 Informational, low → 2, medium → 3,
//!   high → 4, critical → 5.
//! - `status_code` is the verdict, `PASS`, `FAIL` or `ERROR` (a waived result
//!   keeps the verdict it had); `status_id` is 1 New, or 3 Suppressed for a waived
//!   result; `status_detail` and `message` carry the result's message.
//! - `activity_id` is 1 Create, or 2 Update for a result `--baseline` found
//!   unchanged; `type_uid` = 2004 × 100 + `activity_id`.
//! - `time`/`finding_info.created_time` are the snapshot's `collected_at`.
//! - `cloud` names the account and region, `resources[0]` the subject, with the
//!   rule's evidence in `data.evidence`; `remediation` has the console steps in
//!   `desc` and the AWS CLI steps and the rule's documentation in `references`.
//! - Detection Finding has no compliance object: as Prowler does, the
//!   framework controls are in `unmapped.compliance` (framework key → control ids),
//!   next to trailaudit's own `status`, `waiver` and `baseline`; rules mapped to
//!   MITRE ATT&CK techniques also name them in `finding_info.attacks`.
//!
//! `scripts/check-ocsf.py` validates the output with the `py-ocsf-models`
//! pydantic models (strict, no unknown field) in `scripts/test.sh`.

use std::io::Write;

use serde_json::{Map, Value as Json, json};

use super::platform;
use crate::finding::{Audit, BaselineState, Rule, RuleResult, Severity, Status};
use crate::pack::frameworks::Framework;

/// The OCSF schema version the findings follow (that of `py-ocsf-models` 0.10.0).
pub const OCSF_VERSION: &str = "1.5.0";
const CLASS_UID: u32 = 2004;

fn severity(severity: Severity) -> (u8, &'static str) {
    match severity {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

fn status_code(r: &RuleResult) -> &'static str {
    let verdict = r.waiver.as_ref().map_or(r.status, |w| w.original_status);
    match verdict {
        Status::Pass => "PASS",
        Status::Fail | Status::Waived => "FAIL",
        Status::Error => "ERROR",
    }
}

/// `finding_info.attacks` for a rule mapped to MITRE ATT&CK techniques, named
/// from the built-in framework definition (policies/frameworks/mitre-attack.yaml).
fn attacks(rule: Option<&Rule>, mitre: Option<&Framework>) -> Option<Json> {
    let (ids, mitre) = (rule?.meta.custom.frameworks.get("mitre-attack")?, mitre?);
    let attacks: Vec<Json> = ids
        .iter()
        .filter_map(|id| mitre.controls.iter().find(|c| &c.id == id))
        .map(|c| {
            let path = c.id.replace('.', "/");
            json!({"technique": {"uid": c.id, "name": c.title, "src_url": format!("https://attack.mitre.org/techniques/{path}/")}})
        })
        .collect();
    (!attacks.is_empty()).then(|| json!(attacks))
}

/// One Detection Finding.
pub(super) fn finding(audit: &Audit, r: &RuleResult, rule: Option<&Rule>, mitre: Option<&Framework>) -> Json {
    let time = platform::observed_at(audit);
    let time_dt = time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (severity_id, severity_name) = severity(r.severity);
    let (status_id, status_name) = if r.status == Status::Waived { (3, "Suppressed") } else { (1, "New") };
    let (activity_id, activity_name) = if r.baseline == Some(BaselineState::Unchanged) { (2, "Update") } else { (1, "Create") };
    let title = rule.map_or(r.rule_id.as_str(), |x| x.meta.title.trim());
    let kind = platform::subject(rule);

    let mut finding_info = json!({
        "uid": r.fingerprint(),
        "title": title,
        "created_time": time.timestamp(),
        "created_time_dt": time_dt,
        "types": platform::finding_types(rule),
        "analytic": {"uid": r.rule_id, "name": title, "type_id": 1, "type": "Rule", "category": platform::service(kind)},
    });
    if let Some(rule) = rule {
        finding_info["desc"] = json!(rule.meta.description.trim());
    }
    if let Some(attacks) = attacks(rule, mitre) {
        finding_info["attacks"] = attacks;
    }

    let mut resource = json!({
        "uid": r.resource,
        "name": platform::resource_name(&r.resource),
        "type": platform::resource_type(kind),
        "group": {"name": platform::service(kind)},
        "cloud_partition": audit.metadata.partition,
        "data": {"evidence": r.evidence},
    });
    let mut cloud = json!({
        "provider": "aws",
        "account": {"uid": r.account, "name": "", "type_id": 10, "type": "AWS Account"},
    });
    if let Some(region) = &r.region {
        resource["region"] = json!(region);
        cloud["region"] = json!(region);
    }

    let mut unmapped = Map::new();
    unmapped.insert("status".into(), json!(r.status));
    unmapped.insert("compliance".into(), json!(rule.map(|x| &x.meta.custom.frameworks)));
    if let Some(w) = &r.waiver {
        unmapped.insert("waiver".into(), json!({"reason": w.reason, "owner": w.owner, "expires": w.expires}));
    }
    if let Some(state) = r.baseline {
        unmapped.insert("baseline".into(), json!(state));
    }
    if let Some(line) = r.snapshot_line {
        unmapped.insert("snapshot_line".into(), json!(line));
    }

    let mut out = json!({
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "category_uid": 2,
        "category_name": "Findings",
        "activity_id": activity_id,
        "activity_name": activity_name,
        "type_uid": CLASS_UID * 100 + activity_id,
        "type_name": format!("Detection Finding: {activity_name}"),
        "time": time.timestamp(),
        "time_dt": time_dt,
        "message": r.message,
        "severity_id": severity_id,
        "severity": severity_name,
        "status_id": status_id,
        "status": status_name,
        "status_code": status_code(r),
        "status_detail": r.message,
        "metadata": {
            "version": OCSF_VERSION,
            "event_code": r.rule_id,
            "profiles": ["cloud", "datetime"],
            "product": {"uid": "trailaudit", "name": "trailaudit", "vendor_name": "trailaudit", "version": env!("CARGO_PKG_VERSION")},
        },
        "finding_info": finding_info,
        "cloud": cloud,
        "resources": [resource],
        "unmapped": unmapped,
    });
    if let Some(rule) = rule {
        let mut references: Vec<String> = Vec::new();
        let cli = rule.meta.custom.remediation.cli.trim();
        if !cli.is_empty() {
            references.push(cli.to_owned());
        }
        references.push(platform::rule_url(Some(rule), &r.rule_id));
        out["remediation"] = json!({"desc": rule.meta.custom.remediation.console.trim(), "references": references});
    }
    out
}

/// Writes the findings as one JSON array, a finding at a time.
pub fn write(audit: &Audit, out: &mut dyn Write) -> std::io::Result<()> {
    let mitre = crate::pack::frameworks::find("mitre-attack");
    platform::write_array(audit, out, &|r, rule| finding(audit, r, rule, mitre.as_ref()))
}

#[cfg(test)]
mod tests {
    use crate::report::tests::mixed;
    use crate::report::{Format, RenderOptions, render};

    fn findings() -> Vec<serde_json::Value> {
        serde_json::from_str(&render(&mixed(), Format::Ocsf, &RenderOptions::default())).unwrap()
    }

    #[test]
    fn one_detection_finding_per_result_with_the_fingerprint_as_uid() {
        let audit = mixed();
        let findings = findings();
        assert_eq!(findings.len(), audit.results.len(), "passes are findings too");
        for (f, r) in findings.iter().zip(&audit.results) {
            assert_eq!(f["class_uid"], 2004);
            assert_eq!(f["type_uid"], 200401);
            assert_eq!(f["finding_info"]["uid"], r.fingerprint());
            assert_eq!(f["finding_info"]["analytic"]["uid"], r.rule_id.as_str());
            assert_eq!(f["cloud"]["account"]["uid"], "111111111111");
            assert_eq!(f["resources"][0]["uid"], r.resource.as_str());
            assert_eq!(f["time"], 1_795_165_200, "the snapshot's collection time, 2026-11-20T09:00:00Z");
        }
        assert_eq!(findings, self::findings(), "the same audit gives the same findings");
    }

    #[test]
    fn severity_status_and_waivers_map_to_ocsf_ids() {
        let f = findings();
        let pick = |i: usize| (f[i]["severity_id"].clone(), f[i]["status_id"].clone(), f[i]["status_code"].as_str().unwrap().to_owned());
        assert_eq!(pick(0), (4.into(), 1.into(), "FAIL".into()), "high failure");
        assert_eq!(pick(1), (4.into(), 1.into(), "PASS".into()), "a pass");
        assert_eq!(pick(2), (2.into(), 1.into(), "ERROR".into()), "low error");
        assert_eq!(pick(3), (2.into(), 3.into(), "FAIL".into()), "waived: suppressed, verdict kept");
        assert_eq!(f[3]["status"], "Suppressed");
        assert_eq!(f[3]["unmapped"]["waiver"]["owner"], "team-platform");
        assert_eq!(f[0]["unmapped"]["compliance"]["cis-aws-v5.0"][0], "3.2");
        assert_eq!(f[0]["remediation"]["desc"], "Fix it.");
        assert_eq!(f[0]["remediation"]["references"][0], "aws fix");
        assert_eq!(f[0]["resources"][0]["type"], "AwsCloudTrailTrail");
        assert_eq!(f[0]["cloud"]["region"], "us-east-1");
    }

    #[test]
    fn an_unchanged_result_is_an_update() {
        let mut audit = mixed();
        audit.results[0].baseline = Some(crate::finding::BaselineState::Unchanged);
        let f: Vec<serde_json::Value> = serde_json::from_str(&render(&audit, Format::Ocsf, &RenderOptions::default())).unwrap();
        assert_eq!((f[0]["activity_id"].clone(), f[0]["type_uid"].clone()), (2.into(), 200402.into()));
        assert_eq!(f[0]["type_name"], "Detection Finding: Update");
    }

    #[test]
    fn mitre_mapped_rules_name_their_techniques() {
        let mut audit = mixed();
        audit.rules[0].meta.custom.frameworks.insert("mitre-attack".into(), vec!["T1562.008".into()]);
        let f: Vec<serde_json::Value> = serde_json::from_str(&render(&audit, Format::Ocsf, &RenderOptions::default())).unwrap();
        let technique = &f[0]["finding_info"]["attacks"][0]["technique"];
        assert_eq!(technique["uid"], "T1562.008");
        assert_eq!(technique["name"], "Impair Defenses: Disable or Modify Cloud Logs");
        assert_eq!(technique["src_url"], "https://attack.mitre.org/techniques/T1562/008/");
        assert_eq!(f[2]["finding_info"].get("attacks"), None, "CT-102 maps to no technique");
    }

    #[test]
    fn no_results_is_an_empty_array() {
        let mut audit = mixed();
        audit.results.clear();
        let text = render(&audit, Format::Ocsf, &RenderOptions::default());
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), serde_json::json!([]));
    }
}
