//! completions/ holds every shell's script for both binaries, and they match what the binaries
//! print now: a stale file fails here (regenerate with scripts/gen-completions).

use std::path::Path;
use std::process::Command;

const SHELLS: [(&str, &str); 5] = [
    ("bash", "{bin}.bash"),
    ("zsh", "_{bin}"),
    ("fish", "{bin}.fish"),
    ("elvish", "{bin}.elv"),
    ("powershell", "_{bin}.ps1"),
];

fn check(bin: &str, exe: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, pattern) in SHELLS {
        let file = dir.join(pattern.replace("{bin}", bin));
        let committed = std::fs::read_to_string(&file).unwrap_or_else(|e| {
            panic!(
                "{} is missing ({e}): run scripts/gen-completions",
                file.display()
            )
        });
        let out = Command::new(exe)
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(
            committed == String::from_utf8_lossy(&out.stdout),
            "{} is stale: run scripts/gen-completions",
            file.display()
        );
    }
}

#[test]
fn rollout_completions_are_up_to_date() {
    check("rollout", env!("CARGO_BIN_EXE_rollout"));
}

#[test]
fn checklist_completions_are_up_to_date() {
    check("checklist", env!("CARGO_BIN_EXE_checklist"));
}
