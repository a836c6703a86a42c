//! The one TLS stack (rustls with ring, src/collect/setup.rs) end to end: the
//! binary collects from a moto server on https://127.0.0.1 whose certificate
//! is signed by a test CA. Trusted through `SSL_CERT_FILE`, the collection
//! works; with the system's store alone the certificate is refused, so the
//! client does verify. Certificates are made with the `openssl` command.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A test CA and a certificate for 127.0.0.1 it signed, in `dir`.
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl").args(args).current_dir(dir).output().expect("the openssl command");
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "1",
        "-subj",
        "/CN=trailaudit test CA",
    ]);
    openssl(&["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "leaf.csr", "-subj", "/CN=127.0.0.1"]);
    std::fs::write(dir.join("leaf.ext"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n").unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "cert.pem",
        "-days",
        "1",
        "-extfile",
        "leaf.ext",
    ]);
    (dir.join("ca.pem"), dir.join("cert.pem"), dir.join("key.pem"))
}

struct TlsMoto {
    child: Child,
    url: String,
}

impl TlsMoto {
    fn start(cert: &Path, key: &Path) -> TlsMoto {
        let binary = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
        assert!(binary.exists(), "moto is not installed: run `scripts/moto.sh install` (scripts/test.sh does it first)");
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(&binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string(), "-c"])
            .arg(cert)
            .arg("-k")
            .arg(key)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto_server (TLS) did not listen on {port} within 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        TlsMoto { child, url: format!("https://127.0.0.1:{port}") }
    }
}

impl Drop for TlsMoto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `trailaudit collect` against `url`, with nothing from this machine's AWS set-up.
fn collect(url: &str, output: &Path, cert_file: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trailaudit"));
    cmd.args(["collect", "--endpoint-url", url, "--regions", "us-east-1", "--output"])
        .arg(output)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "testing-secret-not-real")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
    if let Some(file) = cert_file {
        cmd.env("SSL_CERT_FILE", file);
    }
    cmd.output().unwrap()
}

#[test]
fn https_with_a_trusted_ca_collects_and_an_unknown_issuer_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates(dir.path());
    let moto = TlsMoto::start(&cert, &key);

    let trusted = collect(&moto.url, &dir.path().join("snapshot.json"), Some(&ca));
    let stderr = String::from_utf8_lossy(&trusted.stderr);
    // moto lacks some calls the collector makes (recorded as failed calls: exit 3); the snapshot is written.
    assert!(matches!(trusted.status.code(), Some(0 | 3)), "{stderr}");
    let snapshot: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("snapshot.json")).unwrap()).unwrap();
    assert_eq!(snapshot["accounts"][0]["account_id"], "123456789012", "{stderr}");

    let untrusted = collect(&moto.url, &dir.path().join("refused.json"), None);
    let stderr = String::from_utf8_lossy(&untrusted.stderr);
    assert!(!untrusted.status.success(), "{stderr}");
    assert!(stderr.contains("invalid peer certificate") && stderr.contains("UnknownIssuer"), "{stderr}");
    assert!(!dir.path().join("refused.json").exists());
}
