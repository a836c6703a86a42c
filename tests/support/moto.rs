//! Starts the moto server (`.venv/bin/moto_server`, installed by
//! `scripts/moto.sh`) on a free port of 127.0.0.1 and kills it on drop. Each
//! test gets its own server, so tests stay independent and run in parallel.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    pub port: u16,
    pub url: String,
}

/// Credentials and settings for every SDK client in the test process: fake
/// static keys (moto accepts any), no instance metadata, no user config files,
/// one attempt per call.
/// Set once, before any test reads the environment.
fn test_environment() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let empty = std::env::temp_dir().join("trailaudit-test-no-aws-config");
        // SAFETY: runs once, under `Once`, before any test of this binary reads the environment
        // (every test calls `Moto::start` first).
        unsafe {
            std::env::set_var("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE");
            std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing-secret-not-real");
            std::env::remove_var("AWS_SESSION_TOKEN");
            std::env::remove_var("AWS_PROFILE");
            std::env::remove_var("AWS_ENDPOINT_URL");
            std::env::set_var("AWS_REGION", "us-east-1");
            std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
            // One attempt per call: moto answers the calls it lacks (LookupEvents,
            // ListEventDataStores) with HTTP 500, which the SDK would retry with
            // seconds of backoff for the same answer. Retries themselves are
            // tested on recorded traffic (src/collect/replay_tests.rs).
            std::env::set_var("AWS_MAX_ATTEMPTS", "1");
            std::env::set_var("AWS_CONFIG_FILE", &empty);
            std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &empty);
        }
    });
}

fn moto_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server")
}

impl Moto {
    pub fn start() -> Moto {
        Moto::start_with_env(&[])
    }

    /// Starts a server with extra environment (e.g. `INITIAL_NO_AUTH_ACTION_COUNT`).
    pub fn start_with_env(env: &[(&str, &str)]) -> Moto {
        test_environment();
        let binary = moto_binary();
        assert!(
            binary.exists(),
            "moto is not installed: {} is missing. Run `scripts/moto.sh install` (scripts/test.sh does it first).",
            binary.display()
        );
        let port = free_port();
        let mut command = Command::new(&binary);
        command.args(["-H", "127.0.0.1", "-p", &port.to_string()]).stdout(Stdio::null()).stderr(Stdio::null());
        for (k, v) in env {
            command.env(k, v);
        }
        let child = command.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let moto = Moto { child, port, url: format!("http://127.0.0.1:{port}") };
        moto.wait_ready();
        moto
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self.request("GET", "/moto-api/").is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("moto_server on port {} did not answer within 30 s", self.port);
    }

    /// Clears every account's state (`POST /moto-api/reset`).
    pub fn reset(&self) {
        let status = self.request("POST", "/moto-api/reset").expect("moto reset");
        assert_eq!(status, 200, "moto reset failed");
    }

    /// A minimal HTTP/1.1 request; returns the status code.
    fn request(&self, method: &str, path: &str) -> Option<u16> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        stream.write_all(req.as_bytes()).ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        response.split_whitespace().nth(1)?.parse().ok()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0").local_addr().expect("local addr").port()
}
