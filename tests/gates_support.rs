//! What the gate tests share: a real Prometheus (Debian's, through scripts/prometheus-up) with
//! backfilled cases and a remote-write receiver, pushes of values that change mid-test, and a
//! small HTTP server whose answers a test decides (the Datadog contract server, `http:` gates).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

pub struct Prom {
    pub url: String,
    pub dir: PathBuf,
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
}

/// Starts a Prometheus with scripts/prometheus-up (stopped when this test process exits).
pub fn start(args: &[&str]) -> Prom {
    let pid = std::process::id().to_string();
    let out = Command::new(script("prometheus-up"))
        .args(args)
        .args(["-w", &pid])
        .output()
        .expect("scripts/prometheus-up runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "scripts/prometheus-up failed (the gate tests need Debian's prometheus; scripts/test installs it):\n{}{}",
        text,
        String::from_utf8_lossy(&out.stderr)
    );
    let var = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("export {name}=")))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .to_string()
    };
    Prom {
        url: var("PROMETHEUS_URL"),
        dir: PathBuf::from(var("PROMETHEUS_DIR")),
    }
}

/// Stops a Prometheus by its PID (scripts/prometheus-down).
pub fn stop(dir: &Path) {
    let ok = Command::new(script("prometheus-down"))
        .arg(dir)
        .status()
        .expect("scripts/prometheus-down runs");
    assert!(ok.success());
}

/// The shared Prometheus of this test run: the cases below backfilled (samples every 5 s over
/// the last two minutes, ending 2 s ago), remote write on.
pub fn prom() -> &'static Prom {
    static PROM: OnceLock<Prom> = OnceLock::new();
    PROM.get_or_init(|| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let mut om = String::from("# TYPE gate_value gauge\n");
        let series = [
            ("case=\"pass\"", "0.002"),
            ("case=\"fail\"", "0.05"),
            ("case=\"nan\"", "NaN"),
            ("case=\"inf\"", "+Inf"),
            ("case=\"multi\",shard=\"a\"", "0.001"),
            ("case=\"multi\",shard=\"b\"", "0.003"),
        ];
        for (labels, value) in series {
            for back in (0..24).rev() {
                let t = now - 2 - back * 5;
                om.push_str(&format!("gate_value{{{labels}}} {value} {t}\n"));
            }
        }
        // Requests of the launch plan's error-rate query: 1000/s, of which 2/s are 5xx.
        om.push_str("# TYPE http_requests counter\n");
        for back in (0..24).rev() {
            let t = now - 2 - back * 5;
            let n = (24 - back) * 5;
            om.push_str(&format!(
                "http_requests_total{{case=\"rate\",status=\"200\",variant=\"on\"}} {} {t}\n",
                n * 998
            ));
            om.push_str(&format!(
                "http_requests_total{{case=\"rate\",status=\"500\",variant=\"on\"}} {} {t}\n",
                n * 2
            ));
        }
        om.push_str("# EOF\n");
        start_backfilled("gates", &om, &["-r"])
    })
}

/// A Prometheus started with `om` (OpenMetrics text) backfilled, and `args`: the text goes
/// through a temporary file named after `name` and this process, removed once started.
pub fn start_backfilled(name: &str, om: &str, args: &[&str]) -> Prom {
    let fixture = std::env::temp_dir().join(format!("rollout-{name}-{}.om", std::process::id()));
    std::fs::write(&fixture, om).unwrap();
    let mut all = vec!["-b", fixture.to_str().unwrap()];
    all.extend_from_slice(args);
    let p = start(&all);
    let _ = std::fs::remove_file(&fixture);
    p
}

/// A label value no other test uses.
pub fn fresh_case(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

fn varint(mut n: u64, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn field(tag: u64, bytes: &[u8], out: &mut Vec<u8>) {
    varint(tag << 3 | 2, out);
    varint(bytes.len() as u64, out);
    out.extend_from_slice(bytes);
}

/// Pushes one sample of `gate_value{case=CASE}` stamped now, by remote write (protobuf
/// `WriteRequest{timeseries: [{labels, samples: [{value, timestamp}]}]}`, snappy block
/// compressed, as the Prometheus remote-write 1.0 spec says).
pub fn push(url: &str, case: &str, value: f64) {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let mut series = Vec::new();
    for (name, v) in [("__name__", "gate_value"), ("case", case)] {
        let mut label = Vec::new();
        field(1, name.as_bytes(), &mut label);
        field(2, v.as_bytes(), &mut label);
        field(1, &label, &mut series);
    }
    let mut sample = Vec::new();
    sample.push(1 << 3 | 1); // value: double
    sample.extend_from_slice(&value.to_le_bytes());
    sample.push(2 << 3); // timestamp: int64 varint
    varint(ms, &mut sample);
    field(2, &sample, &mut series);
    let mut request = Vec::new();
    field(1, &series, &mut request);
    let body = snap::raw::Encoder::new().compress_vec(&request).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{url}/api/v1/write"))
            .header("Content-Encoding", "snappy")
            .header("Content-Type", "application/x-protobuf")
            .header("X-Prometheus-Remote-Write-Version", "0.1.0")
            .body(body)
            .send()
            .await
            .expect("remote write reaches Prometheus")
            .status()
    });
    assert!(status.is_success(), "remote write answered {status}");
}

/// One request as the test server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    /// Header names lower-cased.
    pub headers: BTreeMap<String, String>,
}

/// What the test server answers: status, extra headers, body.
pub type Answer = (u16, Vec<(String, String)>, String);

pub struct Server {
    pub port: u16,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    /// Answers each request with `answer(request, how many came before)`.
    pub fn start<F>(answer: F) -> Server
    where
        F: Fn(&Seen, usize) -> Answer + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut first = String::new();
                if reader.read_line(&mut first).is_err() {
                    continue;
                }
                let mut words = first.split_whitespace();
                let method = words.next().unwrap_or("").to_string();
                let target = words.next().unwrap_or("").to_string();
                let mut headers = BTreeMap::new();
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((k, v)) = line.split_once(':') {
                        let k = k.trim().to_ascii_lowercase();
                        if k == "content-length" {
                            length = v.trim().parse().unwrap_or(0);
                        }
                        headers.insert(k, v.trim().to_string());
                    }
                }
                let mut body = vec![0u8; length];
                let _ = reader.read_exact(&mut body);
                let url = reqwest::Url::parse(&format!("http://x{target}")).unwrap();
                let req = Seen {
                    method,
                    path: url.path().to_string(),
                    query: url.query_pairs().into_owned().collect(),
                    headers,
                };
                let n = {
                    let mut l = log.lock().unwrap();
                    l.push(req.clone());
                    l.len() - 1
                };
                let (status, extra, body) = answer(&req, n);
                let mut head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                    body.len()
                );
                for (k, v) in extra {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                let _ = write!(stream, "{head}\r\n{body}");
            }
        });
        Server { port, seen }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// A port nothing listens on, held while the value lives: a socket bound to it that never
/// listens, so a connection is refused at once. A port that was only free when looked at can
/// be taken meanwhile by another test's server that never answers (the gate then times out
/// instead of being refused).
pub struct ClosedPort {
    _socket: std::os::fd::OwnedFd,
    pub port: u16,
}

pub fn closed_port() -> ClosedPort {
    use nix::sys::socket::{
        bind, getsockname, socket, AddressFamily, SockFlag, SockType, SockaddrIn,
    };
    use std::os::fd::AsRawFd;
    let socket = socket(
        AddressFamily::Inet,
        SockType::Stream,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .unwrap();
    bind(socket.as_raw_fd(), &SockaddrIn::new(127, 0, 0, 1, 0)).unwrap();
    let port = getsockname::<SockaddrIn>(socket.as_raw_fd())
        .unwrap()
        .port();
    ClosedPort {
        _socket: socket,
        port,
    }
}
