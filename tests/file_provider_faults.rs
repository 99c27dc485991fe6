//! The file provider under the conditions of a real machine: a flags file with its own mode and
//! owner, a symlinked flags file, another writer holding the lock, temp files a crash left, user
//! ids and group names with commas, other flags with numbers no f64 holds.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::time::{Duration, Instant};

use crate::test::Project;

const AT: &str = "2024-03-01T09:00:00Z";
const PAUSE: &str = "ROLLOUT_TEST_PAUSE_BEFORE_WRITE_MS";

fn project() -> Project {
    Project::new().file(
        "stages.yaml",
        "flag: f\nstages:\n  - { name: a, percentage: 10, users: [\"doe,john\"], groups: [\"eng,ops\", qa] }\n  - { name: b, percentage: 50 }\n  - { name: c, percentage: 100 }\n",
    )
}

fn mode(p: &Project, rel: &str) -> u32 {
    std::fs::metadata(p.path(rel)).unwrap().mode() & 0o7777
}

fn flag(p: &Project, rel: &str) -> serde_json::Value {
    let doc: serde_json::Value = serde_json::from_str(&p.read(rel)).unwrap();
    doc["flags"]["f"].clone()
}

/// The names of the temp files in `rel`.
fn temp_files(p: &Project, rel: &str) -> Vec<String> {
    std::fs::read_dir(p.path(rel))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

/// This process's umask, as the binaries it starts inherit it.
fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
    u32::from_str_radix(line["Umask:".len()..].trim(), 8).unwrap()
}

#[test]
fn a_write_keeps_the_files_mode_and_owner() {
    let p = project();
    p.rollout(["advance"]).at(AT).run();
    // A new file is made like any program's: 0666 less the umask (it used to be 0600).
    assert_eq!(mode(&p, ".rollout/flags.json"), 0o666 & !umask());
    for (wanted, args) in [
        (0o644, ["advance", "--yes"]),
        (0o640, ["kill", "--reason=x"]),
        (0o664, ["resume", "--yes"]),
    ] {
        std::fs::set_permissions(
            p.path(".rollout/flags.json"),
            std::fs::Permissions::from_mode(wanted),
        )
        .unwrap();
        let before = p.read(".rollout/flags.json");
        p.rollout(args).at(AT).run();
        assert_ne!(before, p.read(".rollout/flags.json"), "{args:?} wrote");
        assert_eq!(mode(&p, ".rollout/flags.json"), wanted, "after {args:?}");
    }
    // Only root may give a file to another owner, so only root can check the owner is kept.
    // The flags file was created by this process, so its owner is our effective user.
    if std::fs::metadata(p.path(".rollout/flags.json"))
        .unwrap()
        .uid()
        == 0
    {
        std::os::unix::fs::chown(p.path(".rollout/flags.json"), Some(1234), Some(5678)).unwrap();
        p.rollout(["rollback", "--yes"]).at(AT).run();
        let meta = std::fs::metadata(p.path(".rollout/flags.json")).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (1234, 5678));
        assert_eq!(
            flag(&p, ".rollout/flags.json")["metadata"]["rolloutStage"],
            "a"
        );
    }
}

#[test]
fn a_symlinked_flags_file_is_written_through_to_its_target() {
    let p = project().file("shared/flags.json", "{\"flags\": {}}\n");
    std::fs::create_dir_all(p.path(".rollout")).unwrap();
    std::os::unix::fs::symlink("../shared/flags.json", p.path(".rollout/flags.json")).unwrap();
    p.rollout(["advance"]).at(AT).run();
    p.rollout(["kill"]).at(AT).run();
    let link = std::fs::symlink_metadata(p.path(".rollout/flags.json")).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced");
    assert_eq!(
        flag(&p, "shared/flags.json")["metadata"]["rolloutKilled"],
        true
    );
    assert!(temp_files(&p, "shared").is_empty());
    assert!(temp_files(&p, ".rollout").is_empty());
    p.rollout(["status"])
        .at(AT)
        .stdout_has("state:       KILLED")
        .run();

    // A link to nothing is refused, clearly, and nothing is created.
    let q = project();
    std::fs::create_dir_all(q.path(".rollout")).unwrap();
    std::os::unix::fs::symlink("../nowhere/flags.json", q.path(".rollout/flags.json")).unwrap();
    q.rollout(["advance"])
        .at(AT)
        .status(4)
        .stderr_has(
            "error: .rollout/flags.json is a symbolic link to ../nowhere/flags.json, which cannot be followed",
        )
        .stderr_has("nothing was changed")
        .run();
    assert!(!q.exists("nowhere"));
    assert!(q.changes().is_empty(), "{:#?}", q.journal());
    assert_eq!(q.journal().last().unwrap()["outcome"], "failed");
}

#[test]
fn users_and_groups_with_commas_survive_kill_and_resume() {
    let p = project();
    p.rollout(["advance"]).at(AT).run();
    let live = flag(&p, ".rollout/flags.json")["targeting"].clone();
    assert_eq!(live["if"][0]["in"][1], serde_json::json!(["doe,john"]));
    assert_eq!(live["if"][2]["in"][1], serde_json::json!(["eng,ops", "qa"]));
    p.rollout(["kill"]).at(AT).run();
    p.rollout(["resume", "--yes"]).at(AT).run();
    assert_eq!(flag(&p, ".rollout/flags.json")["targeting"], live);
    p.rollout(["check", "doe,john"])
        .at(AT)
        .stdout_has("doe,john: first on at a (10%); now on")
        .run();
}

#[test]
fn other_flags_keep_their_exact_bytes() {
    // Numbers no f64 holds, a layout of its own, a top-level key after `flags`.
    let other = r#""other": {
      "state": "ENABLED",
      "variants": {"big": 123456789012345678901234567890, "precise": 0.1000000000000000055511151231257827021181583404541015625,
        "small": -9223372036854775809},
      "defaultVariant": "big"
    }"#;
    let p = project().file(
        ".rollout/flags.json",
        &format!("{{\n  \"flags\": {{\n    {other}\n  }},\n  \"huge\": 1e400\n}}\n"),
    );
    for args in [
        &["advance"][..],
        &["kill"][..],
        &["resume", "--yes"][..],
        &["advance", "--yes"][..],
    ] {
        p.rollout(args).at(AT).run();
        let text = p.read(".rollout/flags.json");
        assert!(text.contains(other), "after {args:?}:\n{text}");
        assert!(
            text.contains("\"huge\": 1e400\n}"),
            "after {args:?}:\n{text}"
        );
    }
    p.rollout(["status"])
        .at(AT)
        .stdout_has("stage:       b (50%)")
        .run();
}

#[test]
fn temp_files_a_crash_left_are_removed_by_the_next_write() {
    let p = project()
        .file(".rollout/.flags.json-Xy12Ab.tmp", "{\"flags\": {")
        .file(".rollout/.flags-Qw98Er.tmp", "{")
        .file(".rollout/notes.tmp", "not rollout's");
    p.rollout(["advance"]).at(AT).run();
    assert_eq!(temp_files(&p, ".rollout"), ["notes.tmp"]);
}

/// Starts `rollout advance --yes` pausing inside its write and returns once it holds the lock.
/// (The caller waits on it; a panic here kills the test, and the holder ends by itself.)
#[allow(clippy::zombie_processes)]
fn lock_holder(p: &Project) -> std::process::Child {
    let child = p
        .command(&["advance", "--yes"])
        .env(crate::test::TEST_NOW, AT)
        .env(PAUSE, "8000")
        // The file's own lock is under test: the holder's lease on the flag lapses at once, so
        // the other runs get past it to the lock.
        .env("ROLLOUT_TEST_LEASE_MS", "1")
        .spawn()
        .unwrap();
    let lock = p.path(".rollout/.flags.json.lock");
    let started = Instant::now();
    loop {
        if let Ok(f) = std::fs::File::open(&lock) {
            match f.try_lock_shared() {
                Err(std::fs::TryLockError::WouldBlock) => return child,
                Ok(()) => f.unlock().unwrap(),
                Err(e) => panic!("{e:?}"),
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the holder never took the lock"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_held_lock_is_waited_for_only_within_timeout() {
    let p = project();
    p.rollout(["advance"]).at(AT).run();
    p.rollout(["advance"]).at(AT).run();
    let mut holder = lock_holder(&p);
    let started = Instant::now();
    // A conflict: the other run may be changing the flag right now; nothing was changed here.
    p.rollout(["kill", "--timeout", "1s"])
        .at(AT)
        .status(5)
        .stderr_has("error: another rollout process held the lock on .rollout/flags.json for the whole 1s this run may wait (--timeout); nothing was changed")
        .stderr_has("hint: try again when the other run has finished, or raise --timeout")
        .run();
    // A rollback meets the holder's lease (issue 20; the holder's lease here lapses at once, so
    // it may take it between renewals) or else its lock: either way it stops, changing nothing.
    let done = p
        .rollout(["rollback", "--timeout", "1s", "--yes"])
        .at(AT)
        .status(5)
        .run();
    assert!(
        done.stderr.contains("holds the lease on f until")
            || done
                .stderr
                .starts_with("error: another rollout process held the lock on .rollout/flags.json"),
        "{}",
        done.stderr
    );
    // Both gave up long before the holder let go of the lock (8 s).
    assert!(
        holder.try_wait().unwrap().is_none(),
        "they waited for the holder ({:?})",
        started.elapsed()
    );
    assert!(started.elapsed() < Duration::from_secs(6));
    holder.kill().unwrap();
    holder.wait().unwrap();
    assert_eq!(
        flag(&p, ".rollout/flags.json")["metadata"]["rolloutStage"],
        "b"
    );
}
