//! Running a `run:` task: `sh -c` in its own process group, output captured line by line (to the
//! log, to the last-lines tail, to the reporter), a timeout, and the whole group stopped when the
//! task times out, is interrupted, or leaves children behind.

use std::cell::RefCell;
use std::collections::{HashSet, VecDeque};
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::Command;

/// How many output lines a failure report shows.
pub const TAIL_LINES: usize = 20;

/// How long a stopped group gets between SIGTERM and SIGKILL: enough for a test script's exit
/// trap to stop the services it started. Groups that are gone sooner are not waited for.
const GRACE: Duration = Duration::from_secs(10);

/// The process groups of the tasks running now, so that Ctrl-C can stop them all.
#[derive(Debug, Default)]
pub struct Groups {
    live: RefCell<HashSet<i32>>,
}

impl Groups {
    fn add(&self, pgid: i32) {
        self.live.borrow_mut().insert(pgid);
    }

    fn remove(&self, pgid: i32) {
        self.live.borrow_mut().remove(&pgid);
    }

    /// Stops every running task's whole process group: SIGTERM, a grace period (cut short
    /// when `hurry` completes: a second Ctrl-C), SIGKILL.
    pub async fn stop_all(&self, hurry: impl std::future::Future<Output = ()>) {
        let pgids: Vec<i32> = self.live.borrow_mut().drain().collect();
        for &pgid in &pgids {
            signal_group(pgid, libc::SIGTERM);
        }
        tokio::select! {
            () = wait_gone(&pgids, GRACE) => {}
            () = hurry => {}
        }
        for &pgid in &pgids {
            signal_group(pgid, libc::SIGKILL);
        }
    }
}

fn signal_group(pgid: i32, sig: i32) {
    if pgid > 1 {
        // SAFETY: killpg only sends a signal; an already-empty group gives ESRCH, which is fine.
        unsafe {
            libc::killpg(pgid, sig);
        }
    }
}

/// Whether a process group still has a live (non-zombie) member. Reads /proc where it exists;
/// elsewhere asks the kernel, which also counts zombies.
fn group_alive(pgid: i32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        // SAFETY: signal 0 only checks that the group exists.
        return unsafe { libc::killpg(pgid, 0) } == 0;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        if !name.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let mut fields = rest.split_whitespace();
        let state = fields.next().unwrap_or("");
        let pgrp = fields.nth(1).and_then(|p| p.parse::<i32>().ok());
        if pgrp == Some(pgid) && state != "Z" && state != "X" {
            return true;
        }
    }
    false
}

async fn wait_gone(pgids: &[i32], limit: Duration) {
    let deadline = tokio::time::Instant::now() + limit;
    while pgids.iter().any(|&p| group_alive(p)) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
    TimedOut,
}

impl Exit {
    #[must_use]
    pub fn success(self) -> bool {
        self == Exit::Code(0)
    }

    #[must_use]
    pub fn code(self) -> Option<i32> {
        match self {
            Exit::Code(c) => Some(c),
            Exit::Signal(s) => Some(128 + s),
            Exit::TimedOut => None,
        }
    }
}

/// Where a command's output goes: the log file, the tail, and the reporter.
pub struct Sink<'a> {
    pub log: &'a mut dyn Write,
    pub tail: &'a mut VecDeque<String>,
    pub on_line: &'a dyn Fn(&str),
}

impl Sink<'_> {
    pub fn line(&mut self, line: &str) {
        // Logs live under .rollout/, which never holds secrets.
        let line = crate::redact::scrub(line);
        let line = crate::sanitize::keep_colours(&line);
        let line = line.as_ref();
        let _ = writeln!(self.log, "{line}");
        if self.tail.len() == TAIL_LINES {
            self.tail.pop_front();
        }
        self.tail.push_back(line.to_string());
        (self.on_line)(line);
    }
}

/// Runs `sh -c script` in `dir`, in a new process group, until it exits or `timeout` passes.
pub async fn run_shell(
    script: &str,
    dir: &Path,
    env: &[(&str, &str)],
    timeout: Option<Duration>,
    groups: &Groups,
    sink: &mut Sink<'_>,
) -> std::io::Result<Exit> {
    // An absolute path spares the PATH search on every spawn (the runner's per-task overhead).
    let sh = if Path::new("/bin/sh").exists() {
        "/bin/sh"
    } else {
        "sh"
    };
    let mut cmd = Command::new(sh);
    cmd.arg("-c")
        .arg(script)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn()?;
    let pgid = child.id().and_then(|p| i32::try_from(p).ok()).unwrap_or(0);
    groups.add(pgid);
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let readers = async {
        let a = pump(stdout, tx.clone());
        let b = pump(stderr, tx);
        tokio::join!(a, b);
    };
    tokio::pin!(readers);
    let sleep = async {
        match timeout {
            Some(t) => tokio::time::sleep(t).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(sleep);
    let mut readers_done = false;
    let mut exit = None;
    let mut status = None;
    while status.is_none() {
        tokio::select! {
            biased;
            Some(line) = rx.recv() => sink.line(&line),
            s = child.wait() => status = Some(s?),
            () = &mut readers, if !readers_done => readers_done = true,
            () = &mut sleep, if exit.is_none() => {
                exit = Some(Exit::TimedOut);
                signal_group(pgid, libc::SIGTERM);
                let grace = tokio::time::sleep(GRACE);
                tokio::pin!(grace);
                tokio::select! {
                    s = child.wait() => status = Some(s?),
                    () = &mut grace => {}
                }
                signal_group(pgid, libc::SIGKILL);
            }
        }
    }
    // The shell is gone; whatever it left behind in its group goes too, so nothing of the task
    // keeps running (or keeps its output pipes open).
    signal_group(pgid, libc::SIGKILL);
    groups.remove(pgid);
    if !readers_done {
        let _ = tokio::time::timeout(Duration::from_secs(2), &mut readers).await;
    }
    while let Ok(line) = rx.try_recv() {
        sink.line(&line);
    }
    let status = status.unwrap_or_default();
    Ok(
        exit.unwrap_or_else(|| match (status.code(), status.signal()) {
            (Some(c), _) => Exit::Code(c),
            (None, Some(s)) => Exit::Signal(s),
            (None, None) => Exit::Code(-1),
        }),
    )
}

async fn pump<R: AsyncRead + Unpin>(
    stream: Option<R>,
    tx: tokio::sync::mpsc::UnboundedSender<String>,
) {
    let Some(stream) = stream else { return };
    let mut reader = BufReader::new(stream);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                    buf.pop();
                }
                if tx.send(String::from_utf8_lossy(&buf).into_owned()).is_err() {
                    return;
                }
            }
        }
    }
}
