//! The deployment examples in `docs/examples/` stay usable: their shell is
//! valid, workflows only pass inputs the action has and keep expressions out
//! of `run:`, the CronJob keeps its hardening, the systemd units theirs.
//! (Schema validation of the workflows is action-validator's job in scripts/test.sh.)

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_yaml_ng::Value;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/examples")
}

fn yaml(path: &Path) -> Value {
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `sh -n` (or `bash -n`): the script parses.
fn assert_shell_parses(shell: &str, script: &str, what: &str) {
    let out = Command::new(shell).args(["-n", "-c", script]).output().unwrap();
    assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn workflows_pass_only_known_inputs_and_keep_expressions_out_of_run() {
    let action = yaml(&Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml"));
    let inputs: BTreeSet<&str> = action["inputs"].as_mapping().unwrap().keys().map(|k| k.as_str().unwrap()).collect();
    let mut workflows = 0;
    let mut action_uses = 0;
    for entry in std::fs::read_dir(examples()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("yml") {
            continue;
        }
        workflows += 1;
        let doc = yaml(&path);
        for (job_name, job) in doc["jobs"].as_mapping().unwrap() {
            for step in job["steps"].as_sequence().unwrap() {
                let what = format!("{} job {:?} step {:?}", path.display(), job_name, step.get("name"));
                if let Some(run) = step.get("run").and_then(Value::as_str) {
                    assert!(!run.contains("${{"), "{what}: pass expressions through env:, not into run:");
                    assert_shell_parses("bash", run, &what);
                }
                if step.get("uses").and_then(Value::as_str).is_some_and(|u| u.starts_with("trailaudit/trailaudit@")) {
                    action_uses += 1;
                    for key in step["with"].as_mapping().into_iter().flat_map(|m| m.keys()) {
                        assert!(inputs.contains(key.as_str().unwrap()), "{what}: the action has no input {key:?}");
                    }
                }
            }
        }
    }
    assert_eq!((workflows, action_uses), (2, 2), "pull-request.yml and nightly.yml, each using the action once");
}

#[test]
fn kubernetes_cronjob_is_hardened_and_its_script_parses() {
    let text = std::fs::read_to_string(examples().join("kubernetes-cronjob.yaml")).unwrap();
    let docs: Vec<Value> = serde_yaml_ng::Deserializer::from_str(&text).map(|d| serde::Deserialize::deserialize(d).unwrap()).collect();
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Namespace", "ServiceAccount", "ConfigMap", "PersistentVolumeClaim", "CronJob"]);
    let sa = &docs[1];
    assert!(sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].as_str().unwrap().starts_with("arn:aws:iam::"), "IRSA");
    let job = &docs[4]["spec"]["jobTemplate"]["spec"];
    let pod = &job["template"]["spec"];
    assert_eq!(pod["serviceAccountName"], Value::from("trailaudit"));
    assert_eq!(pod["securityContext"]["runAsNonRoot"], Value::from(true));
    // The image has no shell: each trailaudit command is a container (collect
    // first, as an init container; audit and drift side by side), busybox
    // files the snapshots by night in between.
    let all: Vec<&Value> = ["initContainers", "containers"].iter().flat_map(|list| pod[*list].as_sequence().unwrap()).collect();
    let names: Vec<&str> = all.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["collect", "file-by-night", "audit", "drift"]);
    for container in &all {
        let name = container["name"].as_str().unwrap();
        let sc = &container["securityContext"];
        assert_eq!(sc["readOnlyRootFilesystem"], Value::from(true), "{name}");
        assert_eq!(sc["allowPrivilegeEscalation"], Value::from(false), "{name}");
        assert_eq!(sc["capabilities"]["drop"][0], Value::from("ALL"), "{name}");
        for limit in ["cpu", "memory"] {
            assert!(!container["resources"]["limits"][limit].is_null(), "{name}: limit {limit}");
        }
        let mounts: Vec<&str> = container["volumeMounts"].as_sequence().unwrap().iter().map(|m| m["mountPath"].as_str().unwrap()).collect();
        assert!(mounts.contains(&"/data"), "{name}: snapshots go to a volume");
    }
    let subcommand = |i: usize| all[i]["args"][0].as_str().unwrap();
    assert_eq!([subcommand(0), subcommand(2), subcommand(3)], ["collect", "audit", "diff"]);
    let script = subcommand(1);
    assert!(script.contains("mv incoming.json") && script.contains("tail -n +31"), "{script}");
    assert_shell_parses("sh", script, "CronJob script");
}

#[test]
fn systemd_units_are_hardened() {
    let service = std::fs::read_to_string(examples().join("systemd/trailaudit.service")).unwrap();
    let directives: BTreeSet<&str> = service.lines().map(str::trim).filter(|l| !l.starts_with('#')).collect();
    for d in [
        "Type=oneshot",
        "DynamicUser=yes",
        "StateDirectory=trailaudit",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "NoNewPrivileges=yes",
        "CapabilityBoundingSet=",
        "MemoryDenyWriteExecute=yes",
        "SystemCallFilter=@system-service",
    ] {
        assert!(directives.contains(d), "trailaudit.service lacks {d}");
    }
    let timer = std::fs::read_to_string(examples().join("systemd/trailaudit.timer")).unwrap();
    assert!(timer.contains("Persistent=true") && timer.contains("OnCalendar="), "{timer}");
    // Where systemd is installed, let it check the units too.
    if let Ok(out) = Command::new("systemd-analyze")
        .arg("verify")
        .arg(examples().join("systemd/trailaudit.service"))
        .arg(examples().join("systemd/trailaudit.timer"))
        .output()
    {
        // It exits 0 on directives it ignores, so any message counts as a failure.
        let messages = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && messages.trim().is_empty(), "systemd-analyze verify: {messages}");
    }
}
