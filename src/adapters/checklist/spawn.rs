//! Starting a task's shell cheaply: the per-task overhead of a checklist is mostly this.
//!
//! `std`'s `Command` goes through glibc's `posix_spawn`, whose child resets the disposition of
//! every one of the 64 signals, one `rt_sigaction` call to read it and one to write it (128 calls
//! per task, while the runner waits), maps and unmaps a fresh stack and checks the file limit for
//! each file action. On Linux this starts the child the same way (`clone` with `CLONE_VM |
//! CLONE_VFORK`: no copy of the runner's memory) but resets only what it must: the signals the
//! runner catches (a handler of the runner must not run in a child that shares its memory before
//! `exec`) and SIGPIPE, which Rust ignores and `std` gives back to children. Signals ignored by
//! whoever started the runner stay ignored, as with `std`. The child gets its own process group,
//! stdin from /dev/null and one pipe for stdout and stderr; its pidfd (from `CLONE_PIDFD`) says
//! when it has exited. Elsewhere `tokio`'s `Command` does the same.

#[cfg(target_os = "linux")]
use std::ffi::{CString, OsStr};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

/// What to start: a program, its arguments, its directory and extra environment variables.
pub struct Spawn {
    program: PathBuf,
    args: Vec<String>,
    dir: PathBuf,
    env: Vec<(String, String)>,
}

impl Spawn {
    pub fn new(program: impl AsRef<Path>) -> Spawn {
        Spawn {
            program: program.as_ref().to_path_buf(),
            args: Vec::new(),
            dir: PathBuf::from("."),
            env: Vec::new(),
        }
    }

    pub fn arg(&mut self, arg: &str) -> &mut Spawn {
        self.args.push(arg.to_string());
        self
    }

    pub fn current_dir(&mut self, dir: &Path) -> &mut Spawn {
        self.dir = dir.to_path_buf();
        self
    }

    pub fn env(&mut self, key: &str, value: &str) -> &mut Spawn {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Starts it in a new process group, stdin from /dev/null, stdout and stderr to `out`.
    pub fn spawn(&self, out: OwnedFd) -> std::io::Result<Child> {
        imp::spawn(self, out)
    }
}

#[cfg(target_os = "linux")]
fn cstring(s: &OsStr) -> std::io::Result<CString> {
    use std::os::unix::ffi::OsStrExt;
    CString::new(s.as_bytes()).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "a NUL byte in an argument",
        )
    })
}

/// The environment of the child: the runner's (read once: the runner never changes its own),
/// with `extra` set over it: the strings of `extra`, and pointers to all (ending in null).
#[cfg(target_os = "linux")]
fn environment(
    extra: &[(String, String)],
) -> std::io::Result<(Vec<CString>, Vec<*const std::ffi::c_char>)> {
    use std::os::unix::ffi::OsStrExt;
    static BASE: std::sync::OnceLock<Vec<(std::ffi::OsString, CString)>> =
        std::sync::OnceLock::new();
    let base = BASE.get_or_init(|| {
        std::env::vars_os()
            .filter_map(|(k, v)| {
                let mut kv = k.as_bytes().to_vec();
                kv.push(b'=');
                kv.extend_from_slice(v.as_bytes());
                CString::new(kv).ok().map(|c| (k, c))
            })
            .collect()
    });
    let own = extra
        .iter()
        .map(|(k, v)| cstring(OsStr::new(&format!("{k}={v}"))))
        .collect::<std::io::Result<Vec<CString>>>()?;
    let ptrs = base
        .iter()
        .filter(|(k, _)| !extra.iter().any(|(e, _)| OsStr::new(e) == k))
        .map(|(_, kv)| kv.as_ptr())
        .chain(own.iter().map(|c| c.as_ptr()))
        .chain(std::iter::once(std::ptr::null()))
        .collect();
    Ok((own, ptrs))
}

pub use imp::Child;

#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
mod imp {
    use std::cell::RefCell;
    use std::ffi::{c_int, c_void, CString};
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
    use std::os::unix::process::ExitStatusExt;
    use std::process::ExitStatus;
    use std::sync::OnceLock;

    use tokio::io::unix::AsyncFd;

    use super::{cstring, environment, Spawn};

    /// What the child reads (and, when `execve` fails, writes: `err`). It shares the runner's
    /// memory and the runner is suspended until the child has called `execve` or exited.
    struct Args {
        path: *const libc::c_char,
        argv: *const *const libc::c_char,
        envp: *const *const libc::c_char,
        dir: *const libc::c_char,
        stdin: RawFd,
        out: RawFd,
        mask: libc::sigset_t,
        err: c_int,
    }

    /// The child's side, up to `execve`: only async-signal-safe calls, no allocation.
    extern "C" fn child(arg: *mut c_void) -> c_int {
        // SAFETY: `arg` is the `Args` the parent keeps alive (and does not touch) until this
        // child has called `execve` or `_exit` (CLONE_VFORK).
        unsafe {
            let a = &mut *arg.cast::<Args>();
            let mut dfl: libc::sigaction = std::mem::zeroed();
            dfl.sa_sigaction = libc::SIG_DFL;
            for sig in 1..32 {
                if sig == libc::SIGKILL || sig == libc::SIGSTOP {
                    continue;
                }
                let mut old: libc::sigaction = std::mem::zeroed();
                let caught = libc::sigaction(sig, std::ptr::null(), &raw mut old) == 0
                    && old.sa_sigaction != libc::SIG_DFL
                    && old.sa_sigaction != libc::SIG_IGN;
                if caught || sig == libc::SIGPIPE {
                    libc::sigaction(sig, &raw const dfl, std::ptr::null_mut());
                }
            }
            let ok = libc::setpgid(0, 0) == 0
                && libc::dup2(a.stdin, 0) == 0
                && libc::dup2(a.out, 1) == 1
                && libc::dup2(a.out, 2) == 2
                && libc::chdir(a.dir) == 0
                && libc::pthread_sigmask(
                    libc::SIG_SETMASK,
                    &raw const a.mask,
                    std::ptr::null_mut(),
                ) == 0;
            if ok {
                libc::execve(a.path, a.argv, a.envp);
            }
            a.err = *libc::__errno_location();
            if a.err == 0 {
                a.err = libc::EINVAL;
            }
            libc::_exit(127)
        }
    }

    thread_local! {
        /// The child's stack until `execve`, reused: spawns on a thread follow one another.
        static STACK: RefCell<Vec<u128>> = RefCell::new(vec![0; 64 * 1024 / 16]);
    }

    /// /dev/null, opened once: every child's stdin.
    fn dev_null() -> std::io::Result<RawFd> {
        static NULL: OnceLock<std::io::Result<OwnedFd>> = OnceLock::new();
        let fd = NULL.get_or_init(|| {
            let f = std::fs::File::open("/dev/null")?;
            high(OwnedFd::from(f))
        });
        match fd {
            Ok(fd) => Ok(fd.as_raw_fd()),
            Err(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
        }
    }

    /// `fd`, moved above 2 if it is one of the standard ones (the runner started with one closed),
    /// so that the child's `dup2` calls cannot overwrite it.
    fn high(fd: OwnedFd) -> std::io::Result<OwnedFd> {
        if fd.as_raw_fd() > 2 {
            return Ok(fd);
        }
        // SAFETY: fcntl on an open descriptor; the new one is owned by the result.
        let n = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 3) };
        if n < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: `n` is a new descriptor no one else owns.
        Ok(unsafe { OwnedFd::from_raw_fd(n) })
    }

    pub(super) fn spawn(s: &Spawn, out: OwnedFd) -> std::io::Result<Child> {
        let out = high(out)?;
        let stdin = dev_null()?;
        let path = cstring(s.program.as_os_str())?;
        let mut argv_c = vec![path.clone()];
        for a in &s.args {
            argv_c.push(cstring(std::ffi::OsStr::new(a))?);
        }
        let (_env_own, envp) = environment(&s.env)?;
        let dir = cstring(s.dir.as_os_str())?;
        let ptrs = |v: &[CString]| {
            let mut p: Vec<*const libc::c_char> = v.iter().map(|c| c.as_ptr()).collect();
            p.push(std::ptr::null());
            p
        };
        let argv = ptrs(&argv_c);
        // SAFETY: an all-zero sigset_t is a valid (empty) set; sigfillset fills it.
        let mut all: libc::sigset_t = unsafe { std::mem::zeroed() };
        let mut args = Args {
            path: path.as_ptr(),
            argv: argv.as_ptr(),
            envp: envp.as_ptr(),
            dir: dir.as_ptr(),
            stdin,
            out: out.as_raw_fd(),
            // SAFETY: as above.
            mask: unsafe { std::mem::zeroed() },
            err: 0,
        };
        let mut pidfd: c_int = -1;
        let pid = STACK.with_borrow_mut(|stack| {
            // SAFETY: all signals are blocked around clone, so no handler of the runner runs in
            // the child before it has reset them; the child gets its own stack (the top of
            // `stack`, 16-byte aligned) and only reads `args` and the strings it points to, all
            // alive here until clone returns (CLONE_VFORK: after the child's execve or exit).
            unsafe {
                libc::sigfillset(&raw mut all);
                libc::pthread_sigmask(libc::SIG_BLOCK, &raw const all, &raw mut args.mask);
                let top = stack.as_mut_ptr().add(stack.len()).cast::<c_void>();
                let pid = libc::clone(
                    child,
                    top,
                    libc::CLONE_VM | libc::CLONE_VFORK | libc::CLONE_PIDFD | libc::SIGCHLD,
                    (&raw mut args).cast::<c_void>(),
                    &raw mut pidfd,
                );
                let e = std::io::Error::last_os_error();
                libc::pthread_sigmask(
                    libc::SIG_SETMASK,
                    &raw const args.mask,
                    std::ptr::null_mut(),
                );
                if pid < 0 {
                    Err(e)
                } else {
                    Ok(pid)
                }
            }
        })?;
        // SAFETY: CLONE_PIDFD gave the runner this descriptor; no one else owns it.
        let pidfd = unsafe { OwnedFd::from_raw_fd(pidfd) };
        // SAFETY: the AsyncFd owns the pidfd, which nothing else closes or registers.
        let pidfd = unsafe { AsyncFd::register(pidfd) }.map_err(std::io::Error::from)?;
        let mut child = Child {
            pid,
            pidfd,
            status: None,
        };
        if args.err != 0 {
            let _ = child.reap(0);
            return Err(std::io::Error::from_raw_os_error(args.err));
        }
        Ok(child)
    }

    /// A started child: its pid (and process group) and a pidfd that is readable once it exited.
    pub struct Child {
        pid: libc::pid_t,
        pidfd: AsyncFd<OwnedFd>,
        status: Option<ExitStatus>,
    }

    impl Child {
        #[must_use]
        pub fn id(&self) -> Option<u32> {
            u32::try_from(self.pid).ok()
        }

        /// `waitpid` with `flags`: the status once the child has exited.
        fn reap(&mut self, flags: c_int) -> std::io::Result<Option<ExitStatus>> {
            if self.status.is_some() {
                return Ok(self.status);
            }
            let mut st: c_int = 0;
            // SAFETY: waitpid on our own child, writing into a local.
            let r = unsafe { libc::waitpid(self.pid, &raw mut st, flags) };
            if r < 0 {
                return Err(std::io::Error::last_os_error());
            }
            if r == self.pid {
                self.status = Some(ExitStatus::from_raw(st));
            }
            Ok(self.status)
        }

        /// Waits until the child has exited (cancel-safe).
        pub async fn wait(&mut self) -> std::io::Result<ExitStatus> {
            loop {
                if let Some(s) = self.reap(libc::WNOHANG)? {
                    return Ok(s);
                }
                let mut ready = self.pidfd.readable().await?;
                ready.clear_ready();
            }
        }
    }

    impl Drop for Child {
        fn drop(&mut self) {
            // A child not waited for is reaped later, not left a zombie.
            if matches!(self.reap(libc::WNOHANG), Ok(None)) {
                let pid = self.pid;
                std::thread::spawn(move || {
                    let mut st: c_int = 0;
                    // SAFETY: waitpid on our own child.
                    unsafe { libc::waitpid(pid, &raw mut st, 0) };
                });
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::os::fd::OwnedFd;
    use std::process::ExitStatus;

    use super::Spawn;

    pub(super) fn spawn(s: &Spawn, out: OwnedFd) -> std::io::Result<Child> {
        let mut cmd = tokio::process::Command::new(&s.program);
        cmd.args(&s.args)
            .current_dir(&s.dir)
            .stdin(std::process::Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .process_group(0);
        for (k, v) in &s.env {
            cmd.env(k, v);
        }
        Ok(Child(cmd.spawn()?))
    }

    pub struct Child(tokio::process::Child);

    impl Child {
        #[must_use]
        pub fn id(&self) -> Option<u32> {
            self.0.id()
        }

        pub async fn wait(&mut self) -> std::io::Result<ExitStatus> {
            self.0.wait().await
        }
    }
}
