//! A fault-injecting HTTP proxy on 127.0.0.1, between `rollout` and the real Unleash: each
//! request is matched against a script of rules (method, a path fragment, how many times) and
//! forwarded, failed, hung or garbled as its rule says; requests no rule matches are forwarded.
//! Every request is logged, with the fault it got, so a test can also count what a command sent.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the proxy does with a matching request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answers this status with a small JSON body; nothing reaches Unleash.
    Status(u16),
    /// Answers 429 with `Retry-After: SECS`; nothing reaches Unleash.
    RetryAfter(u32),
    /// Never answers; nothing reaches Unleash.
    Hang,
    /// Forwards the request, then never answers (the write is applied, the answer never comes).
    HangAfterForward,
    /// Closes the connection without answering; nothing reaches Unleash.
    ResetBefore,
    /// Forwards the request, then closes without answering (applied, answer lost).
    ResetAfter,
    /// Answers 200 `{}` without forwarding (the write is silently dropped).
    DropWrite,
    /// Forwards the request, then answers with this status and an HTML page instead of
    /// Unleash's answer (a proxy's error page, or a login page with a 200).
    Html(u16),
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub method: &'static str,
    /// Matches a request whose path (query included) ends with this.
    pub path_end: String,
    /// How many matching requests pass untouched before the fault starts.
    pub skip: u32,
    /// How many matching requests get the fault (`u32::MAX`: all of them).
    pub times: u32,
    pub fault: Fault,
}

impl Rule {
    /// The first `n` matching requests pass untouched (a read-back after a good first read).
    #[must_use]
    pub fn after(mut self, n: u32) -> Rule {
        self.skip = n;
        self
    }
}

/// `Rule` for METHOD requests whose path ends with `end`, `times` times.
pub fn rule(method: &'static str, end: &str, times: u32, fault: Fault) -> Rule {
    Rule {
        method,
        path_end: end.to_string(),
        skip: 0,
        times,
        fault,
    }
}

/// One request the proxy saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub fault: Option<Fault>,
}

pub struct FaultProxy {
    pub port: u16,
    rules: Arc<Mutex<Vec<Rule>>>,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl FaultProxy {
    /// A proxy to `upstream` (`http://127.0.0.1:PORT`) with no rules yet.
    pub fn start(upstream: &str) -> FaultProxy {
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let rules: Arc<Mutex<Vec<Rule>>> = Arc::default();
        let log: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let (r, l) = (Arc::clone(&rules), Arc::clone(&log));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(client) = stream else { continue };
                let (r, l, up) = (Arc::clone(&r), Arc::clone(&l), upstream.clone());
                std::thread::spawn(move || serve(client, &up, &r, &l));
            }
        });
        FaultProxy { port, rules, log }
    }

    #[must_use]
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Replaces the script.
    pub fn script(&self, rules: Vec<Rule>) {
        *self.rules.lock().unwrap() = rules;
    }

    /// Forgets the requests seen so far.
    pub fn clear_log(&self) {
        self.log.lock().unwrap().clear();
    }

    #[must_use]
    pub fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    /// The fault each `method` request got (`None`: forwarded as it was), in order.
    #[must_use]
    pub fn faults_of(&self, method: &str) -> Vec<Option<Fault>> {
        self.seen()
            .into_iter()
            .filter(|r| r.method == method)
            .map(|r| r.fault)
            .collect()
    }

    /// `METHOD path-without-query` of every request seen, in order.
    #[must_use]
    pub fn requests(&self) -> Vec<String> {
        self.seen()
            .iter()
            .map(|s| format!("{} {}", s.method, s.path.split('?').next().unwrap_or("")))
            .collect()
    }
}

/// Reads the rest of a request whose head so far is `head` (the request line, or nothing): its
/// header lines up to the blank line, less any `Connection` header (a forward closes), and a body
/// of its Content-Length. `None` when the client closes first.
pub fn read_request(
    reader: &mut BufReader<TcpStream>,
    mut head: String,
) -> Option<(String, Vec<u8>)> {
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if !lower.starts_with("connection:") {
            head.push_str(&line);
        }
    }
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    Some((head, body))
}

/// Sends a request read by [`read_request`] to `upstream` (host:port) with `connection: close`,
/// and returns its whole answer (nothing when `upstream` cannot be reached).
pub fn forward(upstream: &str, head: &str, body: &[u8]) -> Vec<u8> {
    let Ok(mut up) = TcpStream::connect(upstream) else {
        return Vec::new();
    };
    let _ = up.write_all(format!("{head}connection: close\r\n\r\n").as_bytes());
    let _ = up.write_all(body);
    let mut response = Vec::new();
    let _ = up.read_to_end(&mut response);
    response
}

fn serve(mut client: TcpStream, upstream: &str, rules: &Mutex<Vec<Rule>>, log: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut first = String::new();
    if reader.read_line(&mut first).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = first.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let Some((head, body)) = read_request(&mut reader, first) else {
        return;
    };
    let fault = take_fault(&mut rules.lock().unwrap(), &method, &path);
    log.lock().unwrap().push(Seen {
        method,
        path,
        fault,
    });
    answer_with(&mut client, fault, || forward(upstream, &head, &body));
}

/// The fault of the first rule that matches `method` and `path` and has times left: None while
/// it still skips (one skip used) or when no rule matches, else its fault (one time used).
fn take_fault(rules: &mut [Rule], method: &str, path: &str) -> Option<Fault> {
    match rules
        .iter_mut()
        .find(|r| r.times > 0 && r.method == method && path.ends_with(&r.path_end))
    {
        Some(r) if r.skip > 0 => {
            r.skip -= 1;
            None
        }
        Some(r) => {
            r.times = r.times.saturating_sub(1);
            Some(r.fault)
        }
        None => None,
    }
}

/// Writes a whole response of the proxy's own: `status`, `ctype`, the `extra` header lines and
/// the body `text`.
fn answer(client: &mut TcpStream, status: u16, ctype: &str, extra: &str, text: &str) {
    let _ = write!(
        client,
        "HTTP/1.1 {status} Fault\r\ncontent-type: {ctype}\r\ncontent-length: {}\r\n{extra}connection: close\r\n\r\n{text}",
        text.len()
    );
}

/// Answers `client` as `fault` says: the upstream's answer (`forward` sends the request) when
/// there is none, else a made-up status, a hang or a dropped connection, forwarding first where
/// the fault comes after the upstream has the request.
fn answer_with(client: &mut TcpStream, fault: Option<Fault>, forward: impl Fn() -> Vec<u8>) {
    let hang = || std::thread::sleep(Duration::from_secs(120));
    match fault {
        None => {
            let response = forward();
            let _ = client.write_all(&response);
        }
        Some(Fault::Status(code)) => answer(
            client,
            code,
            "application/json",
            "",
            r#"{"message":"fault proxy: injected failure"}"#,
        ),
        Some(Fault::RetryAfter(secs)) => answer(
            client,
            429,
            "application/json",
            &format!("retry-after: {secs}\r\n"),
            r#"{"message":"fault proxy: rate limited"}"#,
        ),
        Some(Fault::Hang) => hang(),
        Some(Fault::HangAfterForward) => {
            forward();
            hang();
        }
        Some(Fault::ResetBefore) => {}
        Some(Fault::ResetAfter) => {
            forward();
        }
        Some(Fault::DropWrite) => answer(client, 200, "application/json", "", "{}"),
        Some(Fault::Html(code)) => {
            forward();
            answer(
                client,
                code,
                "text/html",
                "",
                "<html><body><h1>Bad Gateway</h1><p>fault proxy</p></body></html>",
            );
        }
    }
}
