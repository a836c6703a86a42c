//! The container image, checked without a container engine (none runs here):
//! the Dockerfile's properties the project requires, the build context
//! (.dockerignore), and the Kubernetes example that runs the image. hadolint
//! lints the Dockerfile's style and scripts/container-check.sh runs the static
//! binary the image holds, which scripts/test.sh's build links beside the
//! regular one (scripts/workspace-rustc).

use std::path::Path;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One Dockerfile instruction: keyword (upper case) and its arguments, with
/// continuation lines joined and comments dropped.
#[derive(Debug)]
struct Instruction {
    keyword: String,
    args: String,
    line: usize,
}

fn instructions(text: &str) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.starts_with('#') || (line.is_empty() && pending.is_none()) {
            continue;
        }
        let (start, mut joined) = pending.take().unwrap_or((n + 1, String::new()));
        match line.strip_suffix('\\') {
            Some(part) => {
                joined.push_str(part);
                joined.push(' ');
                pending = Some((start, joined));
            }
            None => {
                joined.push_str(line);
                let (keyword, args) = joined.split_once(char::is_whitespace).unwrap_or((&joined, ""));
                out.push(Instruction { keyword: keyword.to_uppercase(), args: args.trim().to_owned(), line: start });
            }
        }
    }
    assert!(pending.is_none(), "Dockerfile ends in a continuation line");
    out
}

/// The stages: (image reference, stage name, instructions after FROM).
fn stages(instructions: &[Instruction]) -> Vec<(String, Option<String>, Vec<&Instruction>)> {
    let mut out: Vec<(String, Option<String>, Vec<&Instruction>)> = Vec::new();
    for i in instructions {
        if i.keyword == "FROM" {
            let words: Vec<&str> = i.args.split_whitespace().filter(|w| !w.starts_with("--platform")).collect();
            let name = match words.as_slice() {
                [_, as_, name] if as_.eq_ignore_ascii_case("as") => Some((*name).to_owned()),
                [_] => None,
                _ => panic!("line {}: unexpected FROM {}", i.line, i.args),
            };
            out.push((words[0].to_owned(), name, vec![]));
        } else {
            out.last_mut().unwrap_or_else(|| panic!("line {}: {} before FROM", i.line, i.keyword)).2.push(i);
        }
    }
    out
}

fn is_digest_pinned(image: &str) -> bool {
    image.split_once("@sha256:").is_some_and(|(name, digest)| {
        name.contains(':') && digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    })
}

#[test]
fn the_image_is_a_static_binary_on_a_minimal_base_as_a_non_root_user() {
    let text = read("Dockerfile");
    let all = instructions(&text);
    let stages = stages(&all);
    assert!(stages.len() >= 2, "multi-stage: a build stage and a minimal final stage");
    for (image, _, _) in &stages {
        assert!(is_digest_pinned(image), "base image {image} is not pinned as <name>:<tag>@sha256:<digest>");
    }

    let (build_image, build_name, build) = &stages[0];
    let build_name = build_name.as_deref().expect("the build stage is named");
    assert!(
        build_image.starts_with("rust:") && build_image.contains("-alpine@"),
        "the build stage is Rust on Alpine (musl): {build_image}"
    );
    let runs: Vec<&str> = build.iter().filter(|i| i.keyword == "RUN").map(|i| i.args.as_str()).collect();
    assert!(runs.iter().any(|r| r.contains("cargo build --release --locked")), "the build stage compiles the release binary: {runs:?}");
    assert!(runs.iter().any(|r| r.contains("program interpreter")), "the build stage refuses a dynamically linked binary");

    let (final_image, _, last) = stages.last().unwrap();
    assert!(
        final_image.starts_with("gcr.io/distroless/static") || final_image.starts_with("scratch"),
        "the final stage is distroless/static (CA certificates, no shell) or scratch: {final_image}"
    );
    assert!(!last.iter().any(|i| i.keyword == "RUN"), "nothing runs in the final stage: it has no shell");
    let copies: Vec<&str> = last.iter().filter(|i| i.keyword == "COPY").map(|i| i.args.as_str()).collect();
    let [copy] = copies.as_slice() else { panic!("the final stage copies exactly the binary: {copies:?}") };
    let words: Vec<&str> = copy.split_whitespace().collect();
    assert_eq!(words.len(), 3, "COPY --from=<build> <binary> <path>: {copy}");
    assert_eq!(words[0], format!("--from={build_name}"));
    let installed = words[2];

    let user = last.iter().rev().find(|i| i.keyword == "USER").expect("the final stage sets USER").args.clone();
    let uid: u32 = user
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("USER {user}: use a numeric uid (runAsNonRoot can only check numbers)"));
    assert_eq!(uid, 65532, "distroless's nonroot user, which the Kubernetes example runs as");

    let entrypoint = last.iter().find(|i| i.keyword == "ENTRYPOINT").expect("ENTRYPOINT");
    let exec: Vec<String> = serde_json::from_str(&entrypoint.args)
        .unwrap_or_else(|_| panic!("ENTRYPOINT {} is not exec form (a shell form needs /bin/sh)", entrypoint.args));
    assert_eq!(exec, [installed], "ENTRYPOINT runs the copied binary");
    assert!(installed.ends_with("/trailaudit"));
}

#[test]
fn the_build_context_holds_exactly_what_the_build_reads() {
    let ignore = read(".dockerignore");
    let lines: Vec<&str> = ignore.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    assert_eq!(lines.first(), Some(&"*"), "allow-list: everything is left out but what is named");
    let allowed: Vec<&str> =
        lines[1..].iter().map(|l| l.strip_prefix('!').unwrap_or_else(|| panic!("`{l}` is not an exception"))).collect();
    for needed in ["Cargo.toml", "Cargo.lock", "build.rs", "src/", "policies/"] {
        assert!(allowed.contains(&needed), "{needed} is read by the build (policies/ is embedded by build.rs)");
    }
    for path in &allowed {
        assert!(repo().join(path).exists(), ".dockerignore lets in {path}, which does not exist");
    }
}

#[test]
fn the_release_and_the_image_build_with_one_toolchain() {
    let workflow: serde_yaml_ng::Value = serde_yaml_ng::from_str(&read(".github/workflows/release.yml")).unwrap();
    let version = workflow["env"]["RUST_VERSION"].as_str().expect("release.yml env.RUST_VERSION");
    let minor = version.rsplit_once('.').map_or(version, |(m, _)| m);
    let dockerfile = read("Dockerfile");
    assert!(dockerfile.contains(&format!("FROM rust:{minor}-alpine@")), "the Dockerfile builds with Rust {minor}, as release.yml does");
}

#[test]
fn the_kubernetes_example_runs_the_published_image_as_its_user() {
    let text = read("docs/examples/kubernetes-cronjob.yaml");
    let cronjob = serde_yaml_ng::Deserializer::from_str(&text)
        .map(|doc| <serde_yaml_ng::Value as serde::Deserialize>::deserialize(doc).unwrap())
        .find(|doc| doc["kind"] == "CronJob")
        .expect("a CronJob");
    let pod = &cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsUser"], 65532, "the image's USER");
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    let image = format!("ghcr.io/trailaudit/trailaudit:{}", env!("CARGO_PKG_VERSION"));
    let mut trailaudit = 0;
    for list in ["initContainers", "containers"] {
        for container in pod[list].as_sequence().unwrap() {
            let name = container["name"].as_str().unwrap();
            assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true, "{name}");
            assert_eq!(container["securityContext"]["allowPrivilegeEscalation"], false, "{name}");
            let reference = container["image"].as_str().unwrap();
            if reference.starts_with("ghcr.io/trailaudit/") {
                trailaudit += 1;
                assert!(
                    reference == image || reference.starts_with(&format!("{image}@sha256:")),
                    "{name}: {reference}, not the release {image}"
                );
                // No shell in the image: arguments go to the ENTRYPOINT.
                assert!(container.get("command").is_none(), "{name}: the image has no shell to run a command with");
            }
        }
    }
    assert_eq!(trailaudit, 3, "collect, audit and drift run the trailaudit image");
}

#[test]
fn one_tls_crypto_backend_is_compiled() {
    // rustls with ring (src/collect/setup.rs builds the HTTP client): ring
    // cross-compiles to musl and aarch64 with a C compiler alone, and
    // aws-config's `sso` needs it anyway. A dependency that brings aws-lc or
    // OpenSSL back shows here, in the lock file every build resolves from.
    let lock = read("Cargo.lock");
    let packages: Vec<&str> = lock.lines().filter_map(|l| l.strip_prefix("name = \"")?.strip_suffix('"')).collect();
    for unwanted in ["aws-lc-rs", "aws-lc-sys", "aws-lc-fips-sys", "openssl-sys", "native-tls", "s2n-tls"] {
        assert!(!packages.contains(&unwanted), "{unwanted} is in Cargo.lock: a second TLS crypto backend");
    }
    assert!(packages.contains(&"ring"));
    assert_eq!(packages.iter().filter(|p| **p == "rustls").count(), 1, "one rustls version");
}
