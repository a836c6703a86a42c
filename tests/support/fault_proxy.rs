//! A loopback HTTP/1.1 proxy in front of moto that injects faults by rule,
//! per service and operation, and forwards everything else byte for byte.
//!
//! Faults, each in the shape the service's own protocol uses:
//! - HTTP 500 / 503 (`InternalFailure` / `ServiceUnavailable`; S3's `InternalError`);
//! - throttling: JSON `ThrottlingException` (CloudTrail, CloudWatch Logs, KMS,
//!   Config, Organizations; HTTP 400), query-XML `Throttling` (CloudWatch, SNS,
//!   STS; HTTP 400), S3 `SlowDown` (HTTP 503), REST-JSON `TooManyRequestsException`
//!   (Account; HTTP 429);
//! - latency before forwarding, and hangs (the request is read, nothing is answered);
//! - a connection reset in the middle of the response body (TCP RST);
//! - a truncated body (the headers promise more bytes than are sent, then FIN);
//! - a malformed body (well-framed, but only the first half of moto's document).
//!
//! A request's service comes from its SigV4 credential scope
//! (`Credential=KEY/DATE/REGION/SERVICE/aws4_request`), its operation from
//! `X-Amz-Target` (JSON protocols), the `Action` form field (query protocols)
//! or method, path and query (S3, s3control, Account).
//!
//! moto lacks `cloudtrail:LookupEvents` and `cloudtrail:ListEventDataStores`
//! (HTTP 500, shared/reference/moto.md); [`Rule::respond`] answers them as
//! AWS does for an account with no events and no event data stores, so that a
//! clean run is clean and the faults tested are the only ones.
//!
//! Only 127.0.0.1 is ever listened on or connected to. Std threads, one per
//! client connection; an upstream connection per request.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The wire protocol of a service, which decides the shape of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// awsJson1.1 / awsJson1.0 (`X-Amz-Target`).
    Json,
    /// awsQuery (form body with `Action`, XML answers).
    Query,
    /// restXml with S3's own error document.
    S3,
    /// restJson1 (Account).
    RestJson,
}

/// The service of a SigV4 signing name, and its protocol.
pub fn protocol_of(service: &str) -> Protocol {
    match service {
        "sts" | "sns" | "monitoring" => Protocol::Query,
        "s3" | "s3control" => Protocol::S3,
        "account" => Protocol::RestJson,
        _ => Protocol::Json,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// An error status in the protocol's shape: 500 `InternalFailure`, 503 `ServiceUnavailable`.
    Status(u16),
    /// The protocol's throttling answer.
    Throttle,
    /// Forwarded after this delay.
    Delay(Duration),
    /// Read, never answered (until the client gives up or the proxy stops).
    Hang,
    /// moto's answer with its body cut in the middle by a TCP reset.
    ResetMidBody,
    /// moto's answer whose body stops half way, the connection closed normally.
    TruncatedBody,
    /// moto's answer replaced by its first half, correctly framed (a parse error).
    MalformedBody,
    /// A fixed successful answer (HTTP 200, JSON body) for calls moto lacks.
    Respond(&'static str),
    /// These bytes as the whole answer (a complete HTTP response).
    Raw(Arc<Vec<u8>>),
    /// moto's answer with every `from` in its body replaced by `to` (re-framed).
    Rewrite(&'static str, &'static str),
}

/// How many of the matching requests a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Times {
    /// Every one: a persistent fault.
    Always,
    /// The first N: a transient fault.
    First(usize),
    /// The first N of each distinct service and operation.
    FirstOfEach(usize),
}

/// Which requests a rule applies to: `None` = any service / operation.
#[derive(Debug, Clone)]
pub struct Rule {
    pub service: Option<String>,
    pub operation: Option<String>,
    pub fault: Fault,
    pub times: Times,
    /// A form field (query protocols) the request must carry with this value.
    pub form: Option<(String, String)>,
}

impl Rule {
    /// `fault` on `service` (signing name: `cloudtrail`, `logs`, `monitoring`, `sns`,
    /// `kms`, `config`, `sts`, `s3`, `s3control`) and `operation` (`DescribeTrails`; `*` = any).
    pub fn new(service: &str, operation: &str, fault: Fault, times: Times) -> Rule {
        Rule { service: Some(service.to_owned()), operation: (operation != "*").then(|| operation.to_owned()), fault, times, form: None }
    }

    /// `fault` on every operation of every service.
    pub fn everywhere(fault: Fault, times: Times) -> Rule {
        Rule { service: None, operation: None, fault, times, form: None }
    }

    /// Only requests whose form body has `key` = `value` (e.g. AssumeRole's `RoleArn`).
    pub fn with_form(mut self, key: &str, value: &str) -> Rule {
        self.form = Some((key.to_owned(), value.to_owned()));
        self
    }

    /// A fixed successful answer for one operation, every time.
    pub fn respond(service: &str, operation: &str, body: &'static str) -> Rule {
        Rule::new(service, operation, Fault::Respond(body), Times::Always)
    }

    fn matches(&self, call: &Call, request: &Message) -> bool {
        self.service.as_deref().is_none_or(|s| s == call.service)
            && self.operation.as_deref().is_none_or(|o| o == call.operation)
            && self.form.as_ref().is_none_or(|(k, v)| form_field(&String::from_utf8_lossy(&request.body), k).as_deref() == Some(v))
    }
}

/// The rules that fill moto's gaps (see the module documentation).
pub fn moto_gaps() -> Vec<Rule> {
    vec![
        Rule::respond("cloudtrail", "LookupEvents", r#"{"Events":[]}"#),
        Rule::respond("cloudtrail", "ListEventDataStores", r#"{"EventDataStores":[]}"#),
        // moto names GetBucketVersioning's root element `GetBucketVersioningResponse`;
        // AWS (and the SDK) use `VersioningConfiguration`.
        Rule::new("s3", "GetBucketVersioning", Fault::Rewrite("GetBucketVersioningResponse", "VersioningConfiguration"), Times::Always),
    ]
}

/// One request as the proxy classified it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Call {
    pub service: String,
    pub operation: String,
}

#[derive(Default)]
struct State {
    /// Requests matched so far, per rule (index), and per rule and call.
    matched: HashMap<usize, usize>,
    matched_each: HashMap<(usize, Call), usize>,
    /// Every request seen, with the fault applied to it (if any).
    log: Vec<(Call, Option<Fault>)>,
}

pub struct FaultProxy {
    pub port: u16,
    pub url: String,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl FaultProxy {
    /// Listens on a free port of 127.0.0.1 and forwards to 127.0.0.1:`upstream_port`,
    /// applying the first rule that matches a request and still applies.
    pub fn start(upstream_port: u16, rules: Vec<Rule>) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let rules = Arc::new(rules);
        let (st, sp) = (state.clone(), stop.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if sp.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let (st, sp, rules) = (st.clone(), sp.clone(), rules.clone());
                std::thread::spawn(move || {
                    let _ = serve(client, upstream_port, &rules, &st, &sp);
                });
            }
        });
        FaultProxy { port, url: format!("http://127.0.0.1:{port}"), state, stop }
    }

    /// Every request seen so far, in order, with the fault it got.
    pub fn log(&self) -> Vec<(Call, Option<Fault>)> {
        self.state.lock().expect("proxy state").log.clone()
    }

    /// Requests that got an injected fault (not counting the [`moto_gaps`] fixes).
    pub fn injected(&self) -> usize {
        self.log().iter().filter(|(_, f)| f.as_ref().is_some_and(|f| !matches!(f, Fault::Respond(_) | Fault::Rewrite(..)))).count()
    }

    /// Requests forwarded to moto (faults that forward included).
    pub fn forwarded(&self) -> usize {
        self.log()
            .iter()
            .filter(|(_, f)| !matches!(f, Some(Fault::Status(_) | Fault::Throttle | Fault::Hang | Fault::Respond(_) | Fault::Raw(_))))
            .count()
    }

    /// Distinct operations seen (`service:Operation`).
    pub fn operations(&self) -> Vec<String> {
        let mut ops: Vec<String> = self.log().iter().map(|(c, _)| format!("{}:{}", c.service, c.operation)).collect();
        ops.sort();
        ops.dedup();
        ops
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees `stop`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// The fault for `call`, if a rule applies; counts the match.
fn pick(rules: &[Rule], state: &Mutex<State>, call: &Call, request: &Message) -> Option<Fault> {
    let mut state = state.lock().expect("proxy state");
    let mut chosen = None;
    for (i, rule) in rules.iter().enumerate() {
        if !rule.matches(call, request) {
            continue;
        }
        let applies = match rule.times {
            Times::Always => true,
            Times::First(n) => {
                let seen = state.matched.entry(i).or_default();
                *seen += 1;
                *seen <= n
            }
            Times::FirstOfEach(n) => {
                let seen = state.matched_each.entry((i, call.clone())).or_default();
                *seen += 1;
                *seen <= n
            }
        };
        if applies {
            chosen = Some(rule.fault.clone());
            break;
        }
    }
    state.log.push((call.clone(), chosen.clone()));
    chosen
}

/// One HTTP message as read off the wire: the raw bytes, and what framing said.
pub struct Message {
    pub raw: Vec<u8>,
    /// First line (request line or status line), without CRLF.
    pub start_line: String,
    /// Header names lower-cased, values as sent.
    pub headers: Vec<(String, String)>,
    /// Where the body starts in `raw`.
    pub body_start: usize,
    pub body: Vec<u8>,
    pub close: bool,
}

impl Message {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

fn serve(client: TcpStream, upstream_port: u16, rules: &[Rule], state: &Mutex<State>, stop: &AtomicBool) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(120)))?;
    let mut reader = BufReader::new(client.try_clone()?);
    let mut writer = client;
    loop {
        let Some(request) = read_message(&mut reader, false, false)? else { return Ok(()) };
        let call = classify(&request);
        let fault = pick(rules, state, &call, &request);
        let protocol = protocol_of(&call.service);
        match &fault {
            Some(Fault::Status(code)) => writer.write_all(&error_response(protocol, *code, &call))?,
            Some(Fault::Throttle) => writer.write_all(&throttle_response(protocol))?,
            Some(Fault::Respond(body)) => writer.write_all(&json_response(200, &[], body))?,
            Some(Fault::Raw(bytes)) => writer.write_all(bytes)?,
            Some(Fault::Hang) => {
                let until = Instant::now() + Duration::from_secs(120);
                while Instant::now() < until && !stop.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(50));
                }
                let _ = writer.shutdown(Shutdown::Both);
                return Ok(());
            }
            None
            | Some(Fault::Delay(_))
            | Some(Fault::ResetMidBody)
            | Some(Fault::TruncatedBody)
            | Some(Fault::MalformedBody)
            | Some(Fault::Rewrite(..)) => {
                if let Some(Fault::Delay(d)) = fault {
                    std::thread::sleep(d);
                }
                let response = forward(&request, upstream_port)?;
                let half = response.body.len() / 2;
                match fault {
                    Some(Fault::ResetMidBody) => {
                        writer.write_all(&response.raw[..response.body_start + half])?;
                        writer.flush()?;
                        // SO_LINGER 0: closing sends RST instead of FIN.
                        socket2::SockRef::from(&writer).set_linger(Some(Duration::ZERO))?;
                        return Ok(());
                    }
                    Some(Fault::TruncatedBody) => {
                        writer.write_all(&response.raw[..response.body_start + half])?;
                        writer.flush()?;
                        let _ = writer.shutdown(Shutdown::Both);
                        return Ok(());
                    }
                    Some(Fault::Rewrite(from, to)) => {
                        let body = String::from_utf8_lossy(&response.body).replace(from, to);
                        let status = response.start_line.split_once(' ').map_or("200 OK", |(_, rest)| rest);
                        let content_type = response.header("content-type").unwrap_or("application/xml");
                        let head = format!(
                            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nx-amz-request-id: {REQUEST_ID}\r\n\r\n",
                            body.len()
                        );
                        writer.write_all(head.as_bytes())?;
                        writer.write_all(body.as_bytes())?;
                    }
                    Some(Fault::MalformedBody) => {
                        let status = response.start_line.split_whitespace().nth(1).unwrap_or("200");
                        let content_type = response.header("content-type").unwrap_or("application/octet-stream");
                        let head = format!(
                            "HTTP/1.1 {status} Malformed\r\nContent-Type: {content_type}\r\nContent-Length: {half}\r\nx-amzn-RequestId: 00000000-0000-0000-0000-fau1tproxy00\r\n\r\n"
                        );
                        writer.write_all(head.as_bytes())?;
                        writer.write_all(&response.body[..half])?;
                    }
                    _ => {
                        writer.write_all(&response.raw)?;
                        if response.close {
                            writer.flush()?;
                            let _ = writer.shutdown(Shutdown::Both);
                            return Ok(());
                        }
                    }
                }
            }
        }
        writer.flush()?;
        if request.close {
            let _ = writer.shutdown(Shutdown::Both);
            return Ok(());
        }
    }
}

fn forward(request: &Message, upstream_port: u16) -> std::io::Result<Message> {
    let head = request.start_line.starts_with("HEAD ");
    let mut upstream = TcpStream::connect(("127.0.0.1", upstream_port))?;
    upstream.set_read_timeout(Some(Duration::from_secs(120)))?;
    upstream.write_all(&request.raw)?;
    let mut up_reader = BufReader::new(upstream);
    read_message(&mut up_reader, true, head)?
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "moto closed without answering"))
}

/// Service (SigV4 signing name) and operation of a request.
pub fn classify(request: &Message) -> Call {
    let service = request
        .header("authorization")
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split([',', ' ']).next())
        .and_then(|c| c.split('/').nth(3))
        .unwrap_or("unknown")
        .to_owned();
    let mut parts = request.start_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let operation = if let Some(t) = request.header("x-amz-target") {
        t.rsplit('.').next().unwrap_or(t).to_owned()
    } else if protocol_of(&service) == Protocol::Query {
        let body = String::from_utf8_lossy(&request.body);
        form_field(&body, "Action").unwrap_or_else(|| "unknown".to_owned())
    } else if service == "s3" && path.starts_with("/v20180820/") {
        // s3control (signed as s3).
        return Call { service: "s3control".to_owned(), operation: s3control_operation(method, path) };
    } else if service == "s3" {
        s3_operation(method, path, query)
    } else {
        format!("{method} {path}")
    };
    Call { service, operation }
}

fn s3control_operation(method: &str, path: &str) -> String {
    match (method, path.trim_end_matches('/')) {
        ("GET", "/v20180820/configuration/publicAccessBlock") => "GetPublicAccessBlock".to_owned(),
        _ => format!("{method} {path}"),
    }
}

/// The S3 operation of a request, for the calls the collector makes.
fn s3_operation(method: &str, path: &str, query: &str) -> String {
    let keys: Vec<&str> = query.split('&').map(|kv| kv.split('=').next().unwrap_or("")).filter(|k| !k.is_empty()).collect();
    let has = |k: &str| keys.contains(&k);
    let bucket_level = path.trim_matches('/').split('/').count() == 1 && !path.trim_matches('/').is_empty();
    let op = match method {
        "GET" if path == "/" => "ListBuckets",
        "HEAD" if bucket_level => "HeadBucket",
        "GET" if has("policy") => "GetBucketPolicy",
        "GET" if has("policyStatus") => "GetBucketPolicyStatus",
        "GET" if has("acl") => "GetBucketAcl",
        "GET" if has("publicAccessBlock") => "GetPublicAccessBlock",
        "GET" if has("logging") => "GetBucketLogging",
        "GET" if has("versioning") => "GetBucketVersioning",
        "GET" if has("object-lock") => "GetObjectLockConfiguration",
        "GET" if has("encryption") => "GetBucketEncryption",
        "GET" if has("lifecycle") => "GetBucketLifecycleConfiguration",
        "GET" if has("tagging") => "GetBucketTagging",
        "GET" if has("location") => "GetBucketLocation",
        "GET" if has("ownershipControls") => "GetBucketOwnershipControls",
        "GET" if bucket_level => "ListObjects",
        _ => return format!("{method} {path}"),
    };
    op.to_owned()
}

fn form_field(body: &str, key: &str) -> Option<String> {
    body.split('&').filter_map(|pair| pair.split_once('=')).find(|(k, _)| percent_decode(k) == key).map(|(_, v)| percent_decode(v))
}

pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(b) => {
                    out.push(b);
                    i += 2;
                }
                None => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

const REQUEST_ID: &str = "00000000-0000-0000-0000-fau1tproxy00";

fn json_response(status: u16, extra_headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nx-amzn-RequestId: {REQUEST_ID}\r\n",
        reason(status),
        body.len()
    );
    for (k, v) in extra_headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

fn xml_response(status: u16, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nx-amzn-RequestId: {REQUEST_ID}\r\nx-amz-request-id: {REQUEST_ID}\r\n\r\n{body}",
        reason(status),
        body.len()
    )
    .into_bytes()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// An error answer with `code`, `status` and `message` in the protocol's shape.
pub fn protocol_error(protocol: Protocol, status: u16, code: &str, message: &str) -> Vec<u8> {
    match protocol {
        Protocol::Json => json_response(status, &[], &format!(r#"{{"__type":"{code}","message":"{message}"}}"#)),
        Protocol::RestJson => json_response(status, &[("x-amzn-ErrorType", code)], &format!(r#"{{"message":"{message}"}}"#)),
        Protocol::Query => xml_response(
            status,
            &format!(
                "<ErrorResponse><Error><Type>{}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>{REQUEST_ID}</RequestId></ErrorResponse>",
                if status >= 500 { "Receiver" } else { "Sender" }
            ),
        ),
        Protocol::S3 => xml_response(
            status,
            &format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{REQUEST_ID}</RequestId></Error>"
            ),
        ),
    }
}

fn error_response(protocol: Protocol, status: u16, call: &Call) -> Vec<u8> {
    let code = match (protocol, status) {
        (Protocol::S3, 500) => "InternalError",
        (Protocol::S3, 503) => "ServiceUnavailable",
        (_, 503) => "ServiceUnavailable",
        _ => "InternalFailure",
    };
    protocol_error(protocol, status, code, &format!("injected HTTP {status} for {}:{}", call.service, call.operation))
}

/// Each protocol's throttling answer, as AWS sends it.
pub fn throttle_response(protocol: Protocol) -> Vec<u8> {
    match protocol {
        Protocol::Json => protocol_error(protocol, 400, "ThrottlingException", "Rate exceeded"),
        Protocol::Query => protocol_error(protocol, 400, "Throttling", "Rate exceeded"),
        Protocol::S3 => protocol_error(protocol, 503, "SlowDown", "Please reduce your request rate."),
        Protocol::RestJson => protocol_error(protocol, 429, "TooManyRequestsException", "Rate exceeded"),
    }
}

/// Reads one message; `None` on a clean end of stream before its first byte.
/// A response without length or chunking runs to the end of the stream.
pub fn read_message(reader: &mut impl BufRead, response: bool, head_request: bool) -> std::io::Result<Option<Message>> {
    let mut raw = Vec::new();
    let mut start_line = String::new();
    let mut headers = Vec::new();
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
            let (name, value) = (name.trim().to_ascii_lowercase(), value.trim().to_owned());
            let lower = value.to_ascii_lowercase();
            match name.as_str() {
                "content-length" => content_length = lower.parse().ok(),
                "transfer-encoding" => chunked = lower.contains("chunked"),
                "connection" => close = lower.contains("close"),
                _ => {}
            }
            headers.push((name, value));
        }
    }
    let body_start = raw.len();
    let status: u16 = if response { start_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0) } else { 0 };
    let no_body = response && (head_request || status / 100 == 1 || status == 204 || status == 304);
    let mut body = Vec::new();
    if no_body {
        return Ok(Some(Message { raw, start_line, headers, body_start, body, close }));
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
    Ok(Some(Message { raw, start_line, headers, body_start, body, close }))
}
