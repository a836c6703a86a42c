//! A GitHub-style release of the binary under test, served over HTTP on
//! 127.0.0.1 for the action's release install (`release-url` points here).
//!
//! Layout as on GitHub, below the URL: `download/<tag>/<asset>` (and
//! `latest/download/<asset>` for the newest release), with the
//! assets the release workflow (.github/workflows/release.yml) publishes:
//! `trailaudit-<target>.tar.gz` (holding `trailaudit-<target>/trailaudit`),
//! `source-commit.txt` and `SHA256SUMS` over both. The server answers GET for
//! those files, 404 for anything else, records every path asked for, and stops
//! when dropped.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use sha2::Digest;

/// The release target of this machine, as the action picks it for the runner.
pub fn host_target() -> &'static str {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "x86_64-unknown-linux-musl",
        ("linux", "aarch64") => "aarch64-unknown-linux-musl",
        ("macos", "x86_64") => "x86_64-apple-darwin",
        ("macos", "aarch64") => "aarch64-apple-darwin",
        other => panic!("no release target for {other:?}"),
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// `trailaudit-<target>.tar.gz` holding `executable` as `trailaudit-<target>/trailaudit`.
pub fn archive(executable: &Path, into: &Path) -> PathBuf {
    let target = host_target();
    let staging = tempfile::tempdir().unwrap();
    let dir = staging.path().join(format!("trailaudit-{target}"));
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(executable, dir.join("trailaudit")).unwrap();
    let archive = into.join(format!("trailaudit-{target}.tar.gz"));
    let status =
        Command::new("tar").arg("-czf").arg(&archive).arg("-C").arg(staging.path()).arg(format!("trailaudit-{target}")).status().unwrap();
    assert!(status.success(), "tar failed");
    archive
}

pub struct LocalRelease {
    /// The `release-url` input: `http://127.0.0.1:<port>`.
    pub url: String,
    root: tempfile::TempDir,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    port: u16,
    thread: Option<JoinHandle<()>>,
}

impl LocalRelease {
    /// Release `tag` of `executable`, built from `commit`, as the release
    /// workflow publishes it; tag `latest` is GitHub's newest-release URL.
    pub fn publish(tag: &str, executable: &Path, commit: &str) -> LocalRelease {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join(release_dir(tag));
        std::fs::create_dir_all(&dir).unwrap();
        let archive = archive(executable, &dir);
        std::fs::write(dir.join("source-commit.txt"), format!("{commit}\n")).unwrap();
        let mut sums = BTreeMap::new();
        for file in [archive, dir.join("source-commit.txt")] {
            sums.insert(file.file_name().unwrap().to_string_lossy().into_owned(), sha256_hex(&std::fs::read(&file).unwrap()));
        }
        let text: String = sums.iter().map(|(name, sum)| format!("{sum}  {name}\n")).collect();
        std::fs::write(dir.join("SHA256SUMS"), text).unwrap();
        LocalRelease::serve(root)
    }

    fn serve(root: tempfile::TempDir) -> LocalRelease {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (files, log, halt) = (root.path().to_owned(), requests.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if halt.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    answer(stream, &files, &log);
                }
            }
        });
        LocalRelease { url: format!("http://127.0.0.1:{port}"), root, requests, stop, port, thread: Some(thread) }
    }

    /// The file served for `asset` of release `tag`, to tamper with.
    pub fn asset(&self, tag: &str, asset: &str) -> PathBuf {
        self.root.path().join(release_dir(tag)).join(asset)
    }

    /// Paths asked for so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for LocalRelease {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Where GitHub serves the assets of release `tag`, below `…/releases`.
fn release_dir(tag: &str) -> String {
    if tag == "latest" { "latest/download".to_owned() } else { format!("download/{tag}") }
}

/// One HTTP/1.1 exchange: `GET <path>` answered with the file below `root`, or 404.
fn answer(stream: TcpStream, root: &Path, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Skip the headers.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
        line.clear();
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    log.lock().unwrap().push(path.clone());
    let file = (!path.contains("..")).then(|| root.join(path.trim_start_matches('/'))).filter(|f| f.is_file());
    let mut stream = &stream;
    let _ = match file {
        Some(file) => {
            let body = std::fs::read(file).unwrap();
            write!(stream, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len())
                .and_then(|()| stream.write_all(&body))
        }
        None => stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
    };
}
