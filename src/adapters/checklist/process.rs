//! Running a `run:` task: its script under its shell, in its own process group, both output streams on one pipe (so
//! their lines keep the order they were written in), captured line by line to the log (as it
//! is written), to the last-lines tail and to the reporter, each bounded; a timeout; and the
//! whole group stopped when the task times out, is interrupted, or leaves children behind.
//!
//! While a group is being stopped its output is still read, until the group has exited or its
//! grace period ends: a cleanup trap that prints is not killed by SIGPIPE halfway.

use std::cell::{Cell, RefCell};
use std::collections::{HashSet, VecDeque};
use std::fs::File;
use std::io::Write;
use std::os::fd::OwnedFd;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use tokio::io::AsyncReadExt;

use super::spawn::{Child, Spawn};

use crate::domain::checklist::shell::Shell;

/// How many output lines a failure report (and `state.json`) keeps.
pub const TAIL_LINES: usize = 20;

/// The longest output line kept in memory, in the log and on screen; the rest of a longer line
/// is counted, not kept. A task's output of any size costs the runner at most about this much
/// memory per running task (see docs/checklist.md, "Output").
pub const LINE_MAX: usize = 64 * 1024;

/// The longest line of a tail (in failure reports and `state.json`), in characters.
pub const TAIL_LINE_MAX: usize = 1000;

/// The most a task's log keeps; a note at its end says when output was left out.
pub const LOG_MAX: u64 = 32 * 1024 * 1024;

/// How long a stopped group gets between SIGTERM and SIGKILL: enough for a test script's exit
/// trap to stop the services it started. Groups that are gone sooner are not waited for.
pub const GRACE: Duration = Duration::from_secs(10);

/// After a group is gone, how long its pipe may stay open (held by a process that left the
/// group) before the runner stops reading it.
const DRAIN: Duration = Duration::from_secs(2);

/// Why a run is being stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// SIGINT: Ctrl-C.
    Interrupt,
    /// SIGTERM: a CI runner cancelling the job, `kill PID`.
    Terminate,
}

impl Stop {
    /// How a person names it: `Ctrl-C`, `SIGTERM`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Stop::Interrupt => "Ctrl-C",
            Stop::Terminate => "SIGTERM",
        }
    }
}

/// The process groups of the tasks running now, and whether the run is being stopped.
#[derive(Debug)]
pub struct Groups {
    live: RefCell<HashSet<i32>>,
    stop: tokio::sync::watch::Sender<Option<Stop>>,
}

impl Default for Groups {
    fn default() -> Self {
        Groups {
            live: RefCell::default(),
            stop: tokio::sync::watch::Sender::new(None),
        }
    }
}

impl Groups {
    fn add(&self, pgid: i32) {
        self.live.borrow_mut().insert(pgid);
    }

    fn remove(&self, pgid: i32) {
        self.live.borrow_mut().remove(&pgid);
    }

    /// Set once the run is being stopped.
    #[must_use]
    pub fn stopping(&self) -> Option<Stop> {
        *self.stop.borrow()
    }

    /// Resolves when the run is being stopped (at once when it already is).
    pub async fn stopped(&self) -> Stop {
        let mut rx = self.stop.subscribe();
        let seen = rx.wait_for(Option::is_some).await.ok().and_then(|v| *v);
        match seen {
            Some(why) => why,
            None => std::future::pending().await,
        }
    }

    /// Starts stopping the run: every running task's whole group gets SIGTERM. Their output is
    /// still read (by [`run_shell`]) until they are gone; [`Groups::finish_stop`] ends the grace.
    pub fn begin_stop(&self, why: Stop) {
        self.stop.send_replace(Some(why));
        for &pgid in self.live.borrow().iter() {
            signal_group(pgid, Signal::SIGTERM);
        }
    }

    /// Waits until every stopped group is gone, for at most [`GRACE`] (cut short when `hurry`
    /// completes: a second Ctrl-C), then sends SIGKILL to what is left.
    pub async fn finish_stop(&self, hurry: impl std::future::Future<Output = ()>) {
        let pgids: Vec<i32> = self.live.borrow().iter().copied().collect();
        tokio::select! {
            () = wait_gone(&pgids, GRACE) => {}
            () = hurry => {}
        }
        for &pgid in &pgids {
            signal_group(pgid, Signal::SIGKILL);
        }
    }
}

/// Sends `sig` to process group `pgid`; an already-empty group (ESRCH) is fine.
fn signal_group(pgid: i32, sig: Signal) {
    if pgid > 1 {
        let _ = killpg(Pid::from_raw(pgid), sig);
    }
}

/// Whether a process group still has a live (non-zombie) member. Reads /proc where it exists;
/// elsewhere asks the kernel, which also counts zombies.
fn group_alive(pgid: i32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return killpg(Pid::from_raw(pgid), None).is_ok();
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

/// A task's log: created at its first line (a silent task leaves no empty file), written as
/// lines come, and cut at [`LOG_MAX`] with a note.
pub struct Log {
    path: PathBuf,
    file: Option<std::io::BufWriter<File>>,
    written: u64,
    full: bool,
    error: Option<String>,
}

impl Log {
    #[must_use]
    pub fn new(path: PathBuf) -> Self {
        Log {
            path,
            file: None,
            written: 0,
            full: false,
            error: None,
        }
    }

    /// Whether anything was written (the file exists).
    #[must_use]
    pub fn exists(&self) -> bool {
        self.file.is_some()
    }

    /// Why the log could not be written, if it could not.
    #[must_use]
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    fn line(&mut self, line: &str) {
        if self.full || self.error.is_some() {
            return;
        }
        if self.file.is_none() {
            let opened = self
                .path
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| File::create(&self.path));
            match opened {
                Ok(f) => self.file = Some(std::io::BufWriter::new(f)),
                Err(e) => {
                    self.error = Some(e.to_string());
                    return;
                }
            }
        }
        let Some(f) = self.file.as_mut() else { return };
        let len = line.len() as u64 + 1;
        let r = if self.written + len > LOG_MAX {
            self.full = true;
            writeln!(
                f,
                "checklist: this log is cut at {} MiB; the task's later output is not kept here",
                LOG_MAX / (1024 * 1024)
            )
        } else {
            self.written += len;
            writeln!(f, "{line}")
        };
        if let Err(e) = r {
            self.error = Some(e.to_string());
        }
    }

    /// Writes what is buffered, so that `tail -f` sees it now.
    pub fn flush(&mut self) {
        if let Some(f) = self.file.as_mut() {
            if let Err(e) = f.flush() {
                self.error = Some(e.to_string());
            }
        }
    }
}

/// Where a command's output goes: the log file, the tail, and the reporter.
pub struct Sink<'a> {
    pub log: &'a mut Log,
    pub tail: &'a mut VecDeque<String>,
    pub on_line: &'a dyn Fn(&str),
}

impl Sink<'_> {
    pub fn line(&mut self, line: &str) {
        // Logs live under .rollout/, which never holds secrets.
        let line = crate::domain::secrets::redact::scrub(line);
        let line = crate::domain::sanitize::keep_colours(&line);
        let line = line.as_ref();
        self.log.line(line);
        if self.tail.len() == TAIL_LINES {
            self.tail.pop_front();
        }
        self.tail.push_back(cut_chars(line, TAIL_LINE_MAX));
        (self.on_line)(line);
    }
}

/// `text`, or its first `max` characters and `…`.
fn cut_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// Splits a byte stream into lines, keeping at most [`LINE_MAX`] bytes of each.
#[derive(Default)]
struct Lines {
    pending: Vec<u8>,
    dropped: usize,
}

impl Lines {
    fn feed(&mut self, mut bytes: &[u8], sink: &mut Sink<'_>) {
        while !bytes.is_empty() {
            let (part, rest, end) = match memchr::memchr(b'\n', bytes) {
                Some(i) => (&bytes[..i], &bytes[i + 1..], true),
                None => (bytes, &[][..], false),
            };
            let room = LINE_MAX.saturating_sub(self.pending.len());
            let keep = part.len().min(room);
            self.pending.extend_from_slice(&part[..keep]);
            self.dropped += part.len() - keep;
            if end {
                self.emit(sink);
            }
            bytes = rest;
        }
    }

    fn finish(&mut self, sink: &mut Sink<'_>) {
        if !self.pending.is_empty() || self.dropped > 0 {
            self.emit(sink);
        }
    }

    fn emit(&mut self, sink: &mut Sink<'_>) {
        while self.pending.last() == Some(&b'\r') {
            self.pending.pop();
        }
        let mut line = String::from_utf8_lossy(&self.pending).into_owned();
        if self.dropped > 0 {
            line.push_str(&format!(
                " … [line cut at {} KiB; {} more bytes not kept]",
                LINE_MAX / 1024,
                self.dropped
            ));
        }
        sink.line(&line);
        self.pending.clear();
        self.dropped = 0;
    }
}

/// Runs `script` under `shell` (see [`super::shell::launch`]) in `dir`, in a new process group,
/// until it exits or `timeout` passes.
pub async fn run_shell(
    script: &str,
    shell: &Shell,
    dir: &Path,
    env: &[(&str, &str)],
    timeout: Option<Duration>,
    groups: &Groups,
    sink: &mut Sink<'_>,
) -> std::io::Result<Exit> {
    // Kept until the task has exited: a template's script file goes with it.
    let launch = super::shell::launch(shell, script)?;
    // A bare program name (a template's) is looked up on PATH here: the spawn runs it as given.
    let program = match launch.program.to_str() {
        Some(name) if !name.contains('/') => {
            super::shell::find(name).unwrap_or_else(|| launch.program.clone())
        }
        _ => launch.program.clone(),
    };
    // One pipe for stdout and stderr: the lines of both keep the order they were written in.
    let (reader, writer) = std::io::pipe()?;
    let mut cmd = Spawn::new(program);
    for arg in &launch.args {
        cmd.arg(&arg.to_string_lossy());
    }
    cmd.current_dir(dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    // The child gets its own process group; our copy of the write end goes with the call, so
    // that the pipe ends when the task's processes are gone.
    let mut child = cmd.spawn(OwnedFd::from(writer))?;
    let pgid = child.id().and_then(|p| i32::try_from(p).ok()).unwrap_or(0);
    groups.add(pgid);
    let result = drive(&mut child, reader, pgid, timeout, groups, sink).await;
    // Whatever the task left behind in its group goes too, so nothing of it keeps running.
    signal_group(pgid, Signal::SIGKILL);
    groups.remove(pgid);
    result
}

async fn drive(
    child: &mut Child,
    reader: std::io::PipeReader,
    pgid: i32,
    timeout: Option<Duration>,
    groups: &Groups,
    sink: &mut Sink<'_>,
) -> std::io::Result<Exit> {
    let mut pipe = tokio::net::unix::pipe::Receiver::from_owned_fd(OwnedFd::from(reader))?;
    // Filled by read_buf without zeroing first: a silent task touches none of it.
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut lines = Lines::default();
    let mut eof = false;
    let mut status = None;
    let timed_out = Cell::new(false);
    // When the group's processes are past waiting for (SIGKILL sent, or they are gone).
    let mut ended: Option<tokio::time::Instant> = None;
    // When a group that got SIGTERM for its timeout gets SIGKILL.
    let mut kill_at: Option<tokio::time::Instant> = None;
    let sleep = tokio::time::sleep(timeout.unwrap_or(Duration::MAX / 4));
    tokio::pin!(sleep);
    let mut tick = tokio::time::interval(Duration::from_millis(25));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        if eof && status.is_some() {
            break;
        }
        if ended.is_some_and(|t| t.elapsed() >= DRAIN) {
            break;
        }
        let watching = ended.is_none() && (status.is_some() || kill_at.is_some());
        tokio::select! {
            biased;
            r = pipe.read_buf(&mut buf), if !eof => match r {
                Ok(0) | Err(_) => {
                    eof = true;
                    lines.finish(sink);
                    sink.log.flush();
                }
                Ok(_) => {
                    lines.feed(&buf, sink);
                    buf.clear();
                    sink.log.flush();
                }
            },
            s = child.wait(), if status.is_none() => {
                status = Some(s?);
                // A shell that ended by itself takes its leftovers with it at once; one that is
                // being stopped (Ctrl-C, timeout) lets its group clean up until the grace ends.
                if groups.stopping().is_none() && !timed_out.get() {
                    signal_group(pgid, Signal::SIGKILL);
                    ended = Some(tokio::time::Instant::now());
                }
            }
            () = &mut sleep, if timeout.is_some() && !timed_out.get() && status.is_none() => {
                timed_out.set(true);
                signal_group(pgid, Signal::SIGTERM);
                kill_at = Some(tokio::time::Instant::now() + GRACE);
            }
            _ = tick.tick(), if watching || ended.is_some() => {
                if ended.is_none() {
                    let late = kill_at.is_some_and(|t| tokio::time::Instant::now() >= t);
                    if late {
                        signal_group(pgid, Signal::SIGKILL);
                        ended = Some(tokio::time::Instant::now());
                    } else if status.is_some() && !group_alive(pgid) {
                        ended = Some(tokio::time::Instant::now());
                    }
                }
            }
        }
    }
    if !eof {
        lines.finish(sink);
    }
    sink.log.flush();
    if timed_out.get() {
        return Ok(Exit::TimedOut);
    }
    let status = status.unwrap_or_default();
    Ok(match (status.code(), status.signal()) {
        (Some(c), _) => Exit::Code(c),
        (None, Some(s)) => Exit::Signal(s),
        (None, None) => Exit::Code(-1),
    })
}
