//! The deployment examples in `docs/examples/` stay usable: their shell is
//! valid, workflows only pass inputs the action has and keep expressions out
//! of `run:`, the Kubernetes manifests keep their hardening, the systemd units
//! theirs, and the sharded examples really collect every shard and merge them
//! (their scripts are run here, with a stand-in for `trailaudit collect`).
//! (Schema validation is action-validator's, kubernetes-validate's and
//! cfn-lint's job in scripts/test.sh.)

mod split;

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
    assert_eq!((workflows, action_uses), (3, 3), "pull-request.yml, nightly.yml and organization-sharded.yml, each using the action once");
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

/// Every YAML document of `name` in docs/examples/.
fn yaml_documents(name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(examples().join(name)).unwrap();
    serde_yaml_ng::Deserializer::from_str(&text).map(|d| serde::Deserialize::deserialize(d).unwrap()).collect()
}

/// The pod template of a Job or CronJob.
fn pod_template(doc: &Value) -> Option<&Value> {
    match doc["kind"].as_str()? {
        "CronJob" => Some(&doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]),
        "Job" => Some(&doc["spec"]["template"]["spec"]),
        _ => None,
    }
}

#[test]
fn every_kubernetes_pod_is_hardened() {
    let mut manifests = Vec::new();
    for entry in std::fs::read_dir(examples()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !(name.starts_with("kubernetes-") && name.ends_with(".yaml")) {
            continue;
        }
        let docs = yaml_documents(&name);
        for sa in docs.iter().filter(|d| d["kind"] == "ServiceAccount") {
            assert!(
                sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].as_str().unwrap().starts_with("arn:aws:iam::"),
                "{name}: IRSA"
            );
            assert_eq!(sa["automountServiceAccountToken"], Value::from(false), "{name}");
        }
        let pods: Vec<&Value> = docs.iter().filter_map(pod_template).collect();
        assert!(!pods.is_empty(), "{name}: no Job or CronJob");
        for pod in pods {
            assert_eq!(pod["automountServiceAccountToken"], Value::from(false), "{name}: no API token in the pod");
            assert_eq!(pod["securityContext"]["runAsNonRoot"], Value::from(true), "{name}");
            assert_eq!(pod["securityContext"]["seccompProfile"]["type"], Value::from("RuntimeDefault"), "{name}");
            let containers =
                pod["containers"].as_sequence().unwrap().iter().chain(pod["initContainers"].as_sequence().into_iter().flatten());
            for container in containers {
                let what = format!("{name}: container {:?}", container["name"]);
                let sc = &container["securityContext"];
                assert_eq!(sc["readOnlyRootFilesystem"], Value::from(true), "{what}");
                assert_eq!(sc["allowPrivilegeEscalation"], Value::from(false), "{what}");
                assert_eq!(sc["capabilities"]["drop"], Value::from(vec!["ALL"]), "{what}");
                for limit in ["cpu", "memory"] {
                    assert!(!container["resources"]["limits"][limit].is_null(), "{what}: limit {limit}");
                }
            }
        }
        manifests.push(name);
    }
    manifests.sort();
    assert_eq!(manifests, ["kubernetes-cronjob.yaml", "kubernetes-organization.yaml"]);
}

/// A stand-in for `trailaudit` on PATH: `collect` logs its arguments and writes
/// the prepared shard `$STUB_SHARDS/shard-K.json` for `--shard K/N`, exiting
/// `$STUB_COLLECT_STATUS`; every other command runs the real binary.
fn stub_trailaudit(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = format!(
        r#"#!/bin/sh
if [ "$1" = collect ]; then
  echo "$@" >>"$STUB_LOG"
  while [ $# -gt 0 ]; do
    case "$1" in --shard) shard=$2 ;; --output) out=$2 ;; esac
    shift
  done
  cp "$STUB_SHARDS/shard-${{shard%/*}}.json" "$out"
  exit "${{STUB_COLLECT_STATUS:-0}}"
fi
exec "{}" "$@"
"#,
        env!("CARGO_BIN_EXE_trailaudit")
    );
    let path = bin.join("trailaudit");
    std::fs::write(&path, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

/// Shards 1..=count of the organization fixture in `dir/prepared`, as the stub hands them out.
fn prepared_shards(dir: &Path, count: usize) -> PathBuf {
    let prepared = dir.join("prepared");
    std::fs::create_dir_all(&prepared).unwrap();
    for (i, shard) in split::shards(&split::organization_fixture(), count).iter().enumerate() {
        split::write(&prepared, &format!("shard-{}.json", i + 1), shard);
    }
    prepared
}

fn path_with(bin: &Path) -> String {
    format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default())
}

#[test]
fn kubernetes_indexed_job_collects_each_shard_and_its_last_index_merges_and_audits() {
    let docs = yaml_documents("kubernetes-organization.yaml");
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Namespace", "ServiceAccount", "ConfigMap", "PersistentVolumeClaim", "CronJob"]);
    assert_eq!(docs[3]["spec"]["accessModes"], Value::from(vec!["ReadWriteMany"]), "pods on several nodes share the volume");
    let job = &docs[4]["spec"]["jobTemplate"]["spec"];
    assert_eq!(job["completionMode"], Value::from("Indexed"));
    let completions = job["completions"].as_u64().unwrap();
    assert_eq!(job["parallelism"].as_u64(), Some(completions), "the merging index runs beside the shards");
    let pod = &job["template"]["spec"];
    let container = &pod["containers"][0];
    let env: std::collections::BTreeMap<&str, &Value> =
        container["env"].as_sequence().unwrap().iter().map(|e| (e["name"].as_str().unwrap(), e)).collect();
    let value = |name: &str| env[name]["value"].as_str().unwrap().to_owned();
    let shards: u64 = value("SHARDS").parse().unwrap();
    assert_eq!(shards + 1, completions, "one index per shard and one that merges");
    assert_eq!(env["JOB_NAME"]["valueFrom"]["fieldRef"]["fieldPath"], Value::from("metadata.labels['batch.kubernetes.io/job-name']"));
    let wait: u64 = value("SHARD_WAIT_SECONDS").parse().unwrap();
    assert!(wait < job["activeDeadlineSeconds"].as_u64().unwrap(), "the merge starts before the Job's deadline");
    let script = container["args"][0].as_str().unwrap();
    assert!(script.contains("$((JOB_COMPLETION_INDEX + 1))"), "JOB_COMPLETION_INDEX is 0-based, --shard 1-based");
    assert_shell_parses("sh", script, "Indexed Job script");
    let config = docs[2]["data"]["trailaudit.yaml"].as_str().unwrap();

    // Run the script as each index would, with the volume, the config and the
    // busybox tools replaced by a temporary directory, the config map and `env`.
    let dir = tempfile::tempdir().unwrap();
    let bin = stub_trailaudit(dir.path());
    let prepared = prepared_shards(dir.path(), shards as usize);
    std::fs::write(dir.path().join("trailaudit.yaml"), config).unwrap();
    let data = dir.path().join("data");
    let local = script
        .replace("bb=/tools/busybox", "bb=env")
        .replace("/data/", &format!("{}/", data.display()))
        .replace("/etc/trailaudit/trailaudit.yaml", &dir.path().join("trailaudit.yaml").display().to_string());
    let log = dir.path().join("collect.log");
    let run_index = |index: u64, collect_status: i32, wait: u64| {
        Command::new("sh")
            .args(["-ec", &local])
            .env("PATH", path_with(&bin))
            .env("JOB_COMPLETION_INDEX", index.to_string())
            .env("JOB_NAME", "trailaudit-organization-29000000")
            .env("SHARDS", shards.to_string())
            .env("SHARD_WAIT_SECONDS", wait.to_string())
            .env("EXTERNAL_ID", value("EXTERNAL_ID"))
            .env("STUB_SHARDS", &prepared)
            .env("STUB_LOG", &log)
            .env("STUB_COLLECT_STATUS", collect_status.to_string())
            .output()
            .unwrap()
    };
    let run = data.join("runs/trailaudit-organization-29000000");

    // A shard whose set-up failed (exit 2) fails its index, to be retried; one
    // written with failed calls (3) succeeds, the audit reports the calls.
    assert_eq!(run_index(0, 2, wait).status.code(), Some(2));
    for index in 0..shards {
        let out = run_index(index, 3, wait);
        assert!(out.status.success(), "index {index}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let logged = std::fs::read_to_string(&log).unwrap();
    for k in 1..=shards {
        let expected = format!(
            "collect --config {} --organization --member-role TrailAuditMember --external-id {} --shard {k}/{shards} --output {}/shard-{k}.json",
            dir.path().join("trailaudit.yaml").display(),
            value("EXTERNAL_ID"),
            run.display()
        );
        assert!(logged.lines().any(|l| l == expected), "{expected}\nnot in\n{logged}");
    }

    let merger = run_index(shards, 0, wait);
    let stderr = String::from_utf8_lossy(&merger.stderr);
    assert!(stderr.contains(&format!("merged {shards} snapshot(s)")), "{stderr}");
    let direct = Command::new(env!("CARGO_BIN_EXE_trailaudit"))
        .args(["audit", "--snapshot"])
        .arg(run.join("organization.json"))
        .arg("--config")
        .arg(dir.path().join("trailaudit.yaml"))
        .output()
        .unwrap();
    assert_eq!(merger.status.code(), direct.status.code(), "the merging index exits as the audit does: {stderr}");
    for report in ["organization.json", "report.json", "report.md", "report.sarif"] {
        assert!(run.join(report).is_file(), "{report} kept");
    }
    assert!(!run.join("shard-1.json").exists(), "the shards are in the merged snapshot");

    // A shard that never arrives (the one holding the member account): after
    // the wait the merge goes on, says which is missing, and the merged
    // snapshot records it (`organization.shards`), which is how the audit
    // knows that the selected accounts it lacks were not collected.
    std::fs::remove_dir_all(&run).unwrap();
    for index in (0..shards).filter(|i| *i != 1) {
        assert!(run_index(index, 0, 0).status.success());
    }
    let merger = run_index(shards, 0, 0);
    let stderr = String::from_utf8_lossy(&merger.stderr);
    assert!(stderr.contains(&format!("shard(s) 1, 3 of {shards}; shard(s) 2 are missing")), "{stderr}");
    let merged = trailaudit::snapshot::load_file(&run.join("organization.json")).unwrap().0;
    assert_eq!(merged.accounts.len(), 1, "the member's shard is not there");
    let scope = merged.organization.unwrap();
    assert_eq!((scope.selected_accounts.len(), scope.shards.map(|s| s.indices)), (2, Some(vec![1, 3])));
}

#[test]
fn sharded_workflow_collects_on_a_matrix_and_merges_once() {
    let doc = yaml(&examples().join("organization-sharded.yml"));
    let collect = &doc["jobs"]["collect"];
    let matrix = collect["strategy"]["matrix"]["shard"].as_sequence().unwrap();
    let count = matrix.len();
    assert_eq!(matrix, &(1..=count as u64).map(Value::from).collect::<Vec<_>>(), "shards 1..=N");
    let step = |job: &Value, name_part: &str| -> Value {
        job["steps"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|s| s.get("name").and_then(Value::as_str).is_some_and(|n| n.contains(name_part)))
            .unwrap_or_else(|| panic!("no step named like {name_part:?}"))
            .clone()
    };
    let credentials = step(collect, "AWS credentials");
    assert!(credentials["uses"].as_str().unwrap().starts_with("aws-actions/configure-aws-credentials@"), "OIDC");
    let collect_step = step(collect, "Collect");
    assert_eq!(collect_step["env"]["SHARD"], Value::from("${{ matrix.shard }}"));
    let collect_run = collect_step["run"].as_str().unwrap();
    assert!(collect_run.contains(&format!("--shard \"$SHARD/{count}\"")), "the shard count matches the matrix: {collect_run}");
    let upload = step(collect, "Keep the shard");
    assert_eq!(upload["with"]["name"], Value::from("trailaudit-shard-${{ matrix.shard }}"));

    let audit = &doc["jobs"]["audit"];
    assert_eq!(audit["needs"], Value::from("collect"));
    assert!(audit["if"].as_str().unwrap().contains("!cancelled()"), "a failed leg is reported, not skipped");
    assert_eq!(step(audit, "Fetch the shards")["with"]["pattern"], Value::from("trailaudit-shard-*"));
    let merge_run = step(audit, "Merge").get("run").and_then(Value::as_str).unwrap().to_owned();
    let action = step(audit, "Audit");
    assert_eq!(action["with"]["snapshot"], Value::from("out/organization.json"));
    let action_uses = audit["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter(|s| s.get("uses").and_then(Value::as_str).is_some_and(|u| u.starts_with("trailaudit/")))
        .count();
    assert_eq!(action_uses, 1, "one audit, one SARIF upload");

    // Each leg's script, then the merge step's, in a workspace of their own.
    let dir = tempfile::tempdir().unwrap();
    let bin = stub_trailaudit(dir.path());
    let prepared = prepared_shards(dir.path(), count);
    let workspace = dir.path().join("workspace");
    std::fs::create_dir_all(workspace.join("shards")).unwrap();
    std::fs::write(workspace.join("trailaudit.yaml"), "fail_on: high\n").unwrap();
    let run_step = |script: &str, shard: usize, status: i32| {
        Command::new("bash")
            .args(["-e", "-c", script])
            .current_dir(&workspace)
            .env("PATH", path_with(&bin))
            .env("SHARD", shard.to_string())
            .env("EXTERNAL_ID", "example-external-id")
            .env("STUB_SHARDS", &prepared)
            .env("STUB_LOG", dir.path().join("collect.log"))
            .env("STUB_COLLECT_STATUS", status.to_string())
            .output()
            .unwrap()
    };
    assert_eq!(run_step(collect_run, 1, 2).status.code(), Some(1), "a failed set-up fails the leg");
    for shard in 1..=count {
        let out = run_step(collect_run, shard, 3);
        assert!(out.status.success(), "leg {shard}: {}", String::from_utf8_lossy(&out.stderr));
        std::fs::rename(workspace.join(format!("out/shard-{shard}.json")), workspace.join(format!("shards/shard-{shard}.json"))).unwrap();
    }
    let out = run_step(&merge_run, 0, 0);
    assert!(out.status.success(), "merge: {}", String::from_utf8_lossy(&out.stderr));
    let merged = trailaudit::snapshot::load_file(&workspace.join("out/organization.json")).unwrap().0;
    let whole: trailaudit::snapshot::Snapshot = serde_json::from_value(split::with_scope(&split::organization_fixture())).unwrap();
    assert_eq!(merged, whole, "the legs' shards merge into the whole organization");
}

#[test]
fn member_role_template_allows_every_call_the_collector_makes_in_a_member() {
    let doc = yaml(&examples().join("organization-member-role.yaml"));
    let role = &doc["Resources"]["MemberRole"]["Properties"];
    let trust = &role["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(trust["Action"], Value::from("sts:AssumeRole"));
    assert!(!trust["Condition"]["StringEquals"]["sts:ExternalId"].is_null(), "the external id is required");
    assert!(!trust["Condition"]["ArnEquals"]["aws:PrincipalArn"].is_null(), "only the audit role");
    let statement = &role["Policies"][0]["PolicyDocument"]["Statement"][0];
    assert_eq!(statement["Effect"], Value::from("Allow"));
    let allowed: BTreeSet<&str> = statement["Action"].as_sequence().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    let read_only = ["Describe", "Get", "List", "LookupEvents"];
    for action in &allowed {
        let verb = action.split(':').nth(1).unwrap();
        assert!(read_only.iter().any(|r| verb.starts_with(r)), "{action} is not a read");
    }
    for action in trailaudit::snapshot::actions::Action::ALL {
        // Discovery reads the organization from the audit account, not from members.
        if action.is_discovery() {
            continue;
        }
        // IAM names where they differ from the API operation a snapshot records.
        let Some(iam) = action.iam_action() else { continue };
        assert!(allowed.contains(iam), "the member role does not allow {iam} (trailaudit calls {action})");
    }
}
