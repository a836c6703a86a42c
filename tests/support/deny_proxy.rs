//! A loopback HTTP/1.1 proxy in front of moto that refuses `sts:AssumeRole`
//! into one role, as AWS does when the role is missing or does not trust the
//! caller, and forwards every other request and response byte for byte.
//!
//! Why: moto's AssumeRole never checks that the role exists (moto/sts/models.py:
//! "the role does not need to exist"), so a member without the audit role
//! cannot be built in moto itself. The refusal is STS's query-protocol error,
//! HTTP 403 `AccessDenied`.
//!
//! Only 127.0.0.1 is ever listened on or connected to. Std threads, one per
//! client connection; an upstream connection per request, so keep-alive on
//! the client side never depends on moto's.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

pub struct DenyProxy {
    pub port: u16,
    pub url: String,
    denied: Arc<AtomicUsize>,
    forwarded: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl DenyProxy {
    /// Listens on a free port of 127.0.0.1, forwarding to 127.0.0.1:`upstream_port`
    /// and refusing AssumeRole whose `RoleArn` is `denied_role_arn`.
    pub fn start(upstream_port: u16, denied_role_arn: &str) -> DenyProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let denied = Arc::new(AtomicUsize::new(0));
        let forwarded = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (d, f, s, role) = (denied.clone(), forwarded.clone(), stop.clone(), denied_role_arn.to_owned());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let (d, f, role) = (d.clone(), f.clone(), role.clone());
                std::thread::spawn(move || {
                    let _ = serve(client, upstream_port, &role, &d, &f);
                });
            }
        });
        DenyProxy { port, url: format!("http://127.0.0.1:{port}"), denied, forwarded, stop }
    }

    /// AssumeRole requests refused so far.
    pub fn denied(&self) -> usize {
        self.denied.load(Ordering::SeqCst)
    }

    /// Requests forwarded to moto so far.
    pub fn forwarded(&self) -> usize {
        self.forwarded.load(Ordering::SeqCst)
    }
}

impl Drop for DenyProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees `stop`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// One HTTP message as read off the wire: the raw bytes, and what framing said.
struct Message {
    raw: Vec<u8>,
    /// First line (request line or status line), without CRLF.
    start_line: String,
    body: Vec<u8>,
    close: bool,
}

fn serve(client: TcpStream, upstream_port: u16, role: &str, denied: &AtomicUsize, forwarded: &AtomicUsize) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(120)))?;
    let mut reader = BufReader::new(client.try_clone()?);
    let mut writer = client;
    loop {
        let Some(request) = read_message(&mut reader, false, false)? else { return Ok(()) };
        let close = request.close;
        if is_denied_assume_role(&request, role) {
            denied.fetch_add(1, Ordering::SeqCst);
            writer.write_all(&access_denied(role))?;
        } else {
            forwarded.fetch_add(1, Ordering::SeqCst);
            let head = request.start_line.starts_with("HEAD ");
            let mut upstream = TcpStream::connect(("127.0.0.1", upstream_port))?;
            upstream.set_read_timeout(Some(Duration::from_secs(120)))?;
            upstream.write_all(&request.raw)?;
            let mut up_reader = BufReader::new(upstream);
            let response = read_message(&mut up_reader, true, head)?
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "moto closed without answering"))?;
            writer.write_all(&response.raw)?;
            if response.close {
                writer.flush()?;
                let _ = writer.shutdown(Shutdown::Both);
                return Ok(());
            }
        }
        writer.flush()?;
        if close {
            let _ = writer.shutdown(Shutdown::Both);
            return Ok(());
        }
    }
}

/// Reads one message; `None` on a clean end of stream before its first byte.
/// A response without length or chunking runs to the end of the stream.
fn read_message(reader: &mut impl BufRead, response: bool, head_request: bool) -> std::io::Result<Option<Message>> {
    let mut raw = Vec::new();
    let mut start_line = String::new();
    let mut content_length: Option<usize> = None;
    let mut chunked = false;
    let mut close = false;
    loop {
        let mut line = Vec::new();
        let n = reader.read_until(b'\n', &mut line)?;
        if n == 0 {
            if raw.is_empty() {
                return Ok(None);
            }
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "end of stream inside the headers"));
        }
        raw.extend_from_slice(&line);
        let text = String::from_utf8_lossy(&line).trim_end_matches(['\r', '\n']).to_owned();
        if start_line.is_empty() {
            if text.is_empty() {
                // Stray CRLF between messages.
                raw.clear();
                continue;
            }
            close = text.ends_with("HTTP/1.0");
            start_line = text;
            continue;
        }
        if text.is_empty() {
            break;
        }
        if let Some((name, value)) = text.split_once(':') {
            let (name, value) = (name.trim().to_ascii_lowercase(), value.trim().to_ascii_lowercase());
            match name.as_str() {
                "content-length" => content_length = value.parse().ok(),
                "transfer-encoding" => chunked = value.contains("chunked"),
                "connection" => close = value.contains("close"),
                _ => {}
            }
        }
    }
    let status: u16 = if response { start_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0) } else { 0 };
    let no_body = response && (head_request || status / 100 == 1 || status == 204 || status == 304);
    let mut body = Vec::new();
    if no_body {
        return Ok(Some(Message { raw, start_line, body, close }));
    }
    if chunked {
        loop {
            let mut size_line = Vec::new();
            reader.read_until(b'\n', &mut size_line)?;
            raw.extend_from_slice(&size_line);
            let size_text = String::from_utf8_lossy(&size_line);
            let size = usize::from_str_radix(size_text.trim().split(';').next().unwrap_or("0").trim(), 16)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
            if size == 0 {
                // Trailers up to the empty line.
                loop {
                    let mut trailer = Vec::new();
                    reader.read_until(b'\n', &mut trailer)?;
                    raw.extend_from_slice(&trailer);
                    if trailer == b"\r\n" || trailer == b"\n" || trailer.is_empty() {
                        break;
                    }
                }
                break;
            }
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            raw.extend_from_slice(&chunk);
            body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(len) = content_length {
        let mut chunk = vec![0; len];
        reader.read_exact(&mut chunk)?;
        raw.extend_from_slice(&chunk);
        body = chunk;
    } else if response {
        reader.read_to_end(&mut body)?;
        raw.extend_from_slice(&body);
        close = true;
    }
    Ok(Some(Message { raw, start_line, body, close }))
}

/// A form-encoded (STS query protocol) `Action=AssumeRole` for `role`.
fn is_denied_assume_role(request: &Message, role: &str) -> bool {
    if !request.start_line.starts_with("POST ") {
        return false;
    }
    let body = String::from_utf8_lossy(&request.body);
    let form: Vec<(String, String)> =
        body.split('&').filter_map(|pair| pair.split_once('=')).map(|(k, v)| (percent_decode(k), percent_decode(v))).collect();
    let get = |key: &str| form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    get("Action") == Some("AssumeRole") && get("RoleArn") == Some(role)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match u8::from_str_radix(&s[i + 1..i + 3], 16) {
                Ok(b) => {
                    out.push(b);
                    i += 2;
                }
                Err(_) => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// STS's answer to an AssumeRole the role's trust policy does not allow.
fn access_denied(role: &str) -> Vec<u8> {
    let body = format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>AccessDenied</Code>\n    <Message>User: arn:aws:iam::123456789012:user/trailaudit is not authorized to perform: sts:AssumeRole on resource: {role}</Message>\n  </Error>\n  <RequestId>00000000-0000-0000-0000-deny00proxy0</RequestId>\n</ErrorResponse>\n"
    );
    format!(
        "HTTP/1.1 403 Forbidden\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nx-amzn-RequestId: 00000000-0000-0000-0000-deny00proxy0\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}
