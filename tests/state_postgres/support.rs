//! What the PostgreSQL store's tests share: a real PostgreSQL (Debian's, started by
//! scripts/postgres-up on a free loopback port with its own data directory, stopped by PID when
//! this test process exits), a fresh database per test, chained appenders, a TCP proxy that
//! loses the answer to a COMMIT, and the child processes of the multi-process tests.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rollout::adapters::state::postgres::Postgres;
use rollout::ports::state::{Appended, Entry, Lane, Query, Scope, Store, Stored};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The variable the tests' stores say their URL came from.
pub const VAR: &str = "ROLLOUT_TEST_STATE_URL";

pub struct Server {
    /// A URL to the `postgres` database as a role that may create databases.
    pub url: String,
    /// The state dir of a server these tests started (None: `ROLLOUT_TEST_POSTGRES_URL`).
    pub dir: Option<PathBuf>,
    pub port: u16,
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
}

fn run_up(args: &[&str]) -> Server {
    let pid = std::process::id().to_string();
    let out = Command::new(script("postgres-up"))
        .args(args)
        .args(["-w", &pid])
        .output()
        .expect("scripts/postgres-up runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "scripts/postgres-up failed (the PostgreSQL store's tests need Debian's postgresql; scripts/unleash-up installs it):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let var = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("export {name}=")))
            .unwrap_or_else(|| panic!("no {name} from scripts/postgres-up"))
            .to_string()
    };
    Server {
        url: var("ROLLOUT_TEST_POSTGRES_URL"),
        dir: Some(PathBuf::from(var("POSTGRES_DIR"))),
        port: var("POSTGRES_PORT").parse().unwrap(),
    }
}

/// A PostgreSQL of this test alone (it stops it), stopped at the latest when this process exits.
pub fn private_server() -> Server {
    run_up(&[])
}

/// The PostgreSQL this test run shares: `ROLLOUT_TEST_POSTGRES_URL` if set (a server of your
/// own), else one started by scripts/postgres-up for this process.
pub fn shared() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| match std::env::var("ROLLOUT_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => Server {
            port: reqwest::Url::parse(&url)
                .ok()
                .and_then(|u| u.port())
                .unwrap_or(5432),
            url,
            dir: None,
        },
        _ => private_server(),
    })
}

/// Stops `server` by its PID (`immediate`: as a crash).
pub fn stop(server: &Server, immediate: bool) {
    let dir = server.dir.as_ref().expect("a server these tests started");
    let mut cmd = Command::new(script("postgres-down"));
    cmd.arg(dir);
    if immediate {
        cmd.arg("--immediate");
    }
    assert!(cmd.status().expect("scripts/postgres-down runs").success());
}

/// Starts a stopped `server` again, on its port, with its data.
pub fn restart(server: &Server) {
    let dir = server.dir.as_ref().expect("a server these tests started");
    let again = run_up(&["-d", dir.to_str().unwrap(), "-p", &server.port.to_string()]);
    assert_eq!(again.url, server.url);
}

/// `url` with its database (path) replaced.
pub fn with_database(url: &str, db: &str) -> String {
    let mut u = reqwest::Url::parse(url).expect("a postgres:// URL");
    u.set_path(&format!("/{db}"));
    u.to_string()
}

/// A new empty database on `server` (a name no other test uses); its URL.
pub async fn fresh_database(server: &Server) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let name = format!(
        "rollout_t_{}_{}_{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let (client, conn) = tokio_postgres::connect(&server.url, tokio_postgres::NoTls)
        .await
        .expect("connect to the test server");
    tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("CREATE DATABASE");
    with_database(&server.url, &name)
}

/// A store at `url` (from [`VAR`]) with `timeout`.
pub fn store(url: &str, timeout: Duration) -> Postgres {
    Postgres::new(VAR, url, timeout).expect("a usable URL")
}

/// A store at `url` with the default bound.
pub fn open(url: &str) -> Postgres {
    store(url, Duration::from_secs(10))
}

pub fn scope(flag: &str, environment: &str) -> Scope {
    Scope {
        flag: flag.into(),
        environment: environment.into(),
    }
}

pub fn entry(id: &str, scope: Option<&Scope>, lane: Lane, body: Value) -> Entry {
    Entry {
        id: id.into(),
        scope: scope.cloned(),
        lane,
        body,
    }
}

pub fn ids(records: &[Stored]) -> Vec<&str> {
    records.iter().map(|s| s.entry.id.as_str()).collect()
}

/// Appends `n` change records to `scope` as `who`, each after the head it read (re-reading on
/// a conflict); answers how many conflicts it met.
pub async fn append_chain(store: &dyn Store, scope: &Scope, who: &str, n: usize) -> u32 {
    let mut conflicts = 0;
    for i in 0..n {
        loop {
            let head = store.head(scope).await.expect("head");
            let e = entry(
                &format!("{who}-{i}"),
                Some(scope),
                Lane::Change,
                json!({"who": who, "i": i, "after": head.0}),
            );
            match store.append(&e, Some(head), None).await.expect("append") {
                Appended::Stored(s) => {
                    assert_eq!(s.entry.id, e.id, "a fresh id is stored as itself");
                    break;
                }
                Appended::Conflict(winner) => {
                    assert_ne!(winner.seq, head.0, "a conflict names a newer record");
                    conflicts += 1;
                }
                Appended::Fenced(l) => panic!("no lease was taken, yet fenced by {l:?}"),
            }
        }
    }
    conflicts
}

/// The change records of `scope`, oldest first, checked to form one chain: each was appended
/// after the one before it (its `after` is that record's seq; the first's is 0), and store
/// times never go back.
pub async fn assert_one_chain(store: &dyn Store, scope: &Scope) -> Vec<Stored> {
    let q = Query {
        scope: Some(scope.clone()),
        lanes: vec![Lane::Change],
        ..Query::default()
    };
    let mut chain = store.read(&q).await.expect("read");
    chain.reverse();
    let mut prev: Option<&Stored> = None;
    for s in &chain {
        let expected = prev.map_or(0, |p| p.seq);
        assert_eq!(
            s.entry.body["after"],
            json!(expected),
            "{} breaks the chain",
            s.entry.id
        );
        if let Some(p) = prev {
            assert!(s.at >= p.at, "store time went back at {}", s.entry.id);
        }
        prev = Some(s);
    }
    chain
}

/// Runs the ignored test `name` of this binary as a child process with `env`; its stdout.
pub fn child(name: &str, env: &[(&str, String)]) -> std::process::Child {
    let exe = std::env::current_exe().expect("the test binary");
    Command::new(exe)
        .args([
            name,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn the child test")
}

/// Waits for `child`; its `child-result: ...` line (panics with its output if it failed).
pub fn child_result(child: std::process::Child) -> String {
    let out = child.wait_with_output().expect("wait for the child test");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .find_map(|l| l.split_once("child-result: ").map(|(_, r)| r))
        .unwrap_or_else(|| panic!("no child-result in:\n{stdout}"))
        .to_string()
}

/// A TCP proxy to `upstream` that, once armed, loses every answer after the client sends a
/// COMMIT: the server commits, the client never hears so. `heal` makes it forward again.
pub struct LosingProxy {
    pub port: u16,
    armed: Arc<AtomicBool>,
    losing: Arc<AtomicBool>,
}

impl LosingProxy {
    pub async fn start(upstream: u16) -> LosingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let armed = Arc::new(AtomicBool::new(false));
        let losing = Arc::new(AtomicBool::new(false));
        let (a, l) = (armed.clone(), losing.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
                    continue;
                };
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                tokio::spawn(pipe(cr, sw, Some((a.clone(), l.clone())), None));
                tokio::spawn(pipe(sr, cw, None, Some(l.clone())));
            }
        });
        LosingProxy {
            port,
            armed,
            losing,
        }
    }

    pub fn arm(&self) {
        self.armed.store(true, Ordering::SeqCst);
    }

    pub fn heal(&self) {
        self.armed.store(false, Ordering::SeqCst);
        self.losing.store(false, Ordering::SeqCst);
    }
}

type Watch = (Arc<AtomicBool>, Arc<AtomicBool>);

/// Copies `from` to `to`; `watch` (armed, losing) turns losing on at a COMMIT; `drop_if`
/// discards what it reads while that flag is on.
async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    watch: Option<Watch>,
    drop_if: Option<Arc<AtomicBool>>,
) {
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(n) = from.read(&mut buf).await {
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        if let Some((armed, losing)) = &watch {
            if armed.load(Ordering::SeqCst) && chunk.windows(6).any(|w| w == b"COMMIT") {
                losing.store(true, Ordering::SeqCst);
            }
        }
        if drop_if.as_ref().is_some_and(|f| f.load(Ordering::SeqCst)) {
            continue;
        }
        if to.write_all(chunk).await.is_err() {
            break;
        }
    }
}
