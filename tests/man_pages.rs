//! docs/man/ holds a man page for both binaries and every subcommand, and they match what the
//! command-line definitions say now: a stale or missing page fails here (regenerate with
//! scripts/gen-man, which runs this test with ROLLOUT_WRITE_MAN=1).

use std::path::{Path, PathBuf};

use clap::CommandFactory;

/// `(file name, page)` for a binary and each of its subcommands, rendered by clap_mangen.
fn pages(cmd: clap::Command) -> Vec<(String, Vec<u8>)> {
    let mut cmd = cmd.version(env!("CARGO_PKG_VERSION"));
    // Propagates the global options into each subcommand, so every page lists them.
    cmd.build();
    // No page is shipped for clap's `help` subcommand (`rollout help X` is `rollout X --help`),
    // so the binary's page does not refer to one.
    let cmd = cmd.mut_subcommand("help", |h| h.hide(true));
    let bin = cmd.get_name().to_string();
    let mut out = Vec::new();
    let mut top = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut top)
        .expect("render");
    out.push((format!("{bin}.1"), top));
    add_subcommands(&cmd, &bin, &mut out);
    out
}

/// The pages of `cmd`'s subcommands, named `{prefix}-{name}`, and theirs (`rollout-state-push`).
fn add_subcommands(cmd: &clap::Command, prefix: &str, out: &mut Vec<(String, Vec<u8>)>) {
    for sub in cmd.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        let name = format!("{prefix}-{}", sub.get_name());
        // clap takes a `'static` name without its `string` feature; a test may leak a few bytes.
        let static_name: &'static str = Box::leak(name.clone().into_boxed_str());
        let page_cmd = sub
            .clone()
            .name(static_name)
            .version(env!("CARGO_PKG_VERSION"));
        let mut page = Vec::new();
        clap_mangen::Man::new(page_cmd)
            .render(&mut page)
            .expect("render");
        out.push((format!("{name}.1"), page));
        add_subcommands(sub, &name, out);
    }
}

fn man_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/man")
}

fn check(cmd: clap::Command) {
    let dir = man_dir();
    let write = std::env::var_os("ROLLOUT_WRITE_MAN").is_some();
    let mut stale = Vec::new();
    for (file, page) in pages(cmd) {
        let path = dir.join(&file);
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &page).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(page.as_slice()) {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "stale or missing man pages in docs/man: {stale:?}; run scripts/gen-man"
    );
}

/// Every `NAME(1)` a page refers to is a page in docs/man.
#[test]
fn man_pages_refer_only_to_pages_that_are_shipped() {
    let dir = man_dir();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, _) in text.match_indices("(1)") {
            let name: String = text[..i]
                .chars()
                .rev()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '\\'))
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<String>()
                .replace("\\-", "-");
            if !name.is_empty() && !dir.join(format!("{name}.1")).exists() {
                missing.push(format!("{}: {name}(1)", path.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "pages refer to pages not shipped: {missing:?}"
    );
}

#[test]
fn rollout_man_pages_are_up_to_date() {
    check(rollout::interface::cli::Cli::command());
}

#[test]
fn checklist_man_pages_are_up_to_date() {
    check(rollout::interface::cli::ChecklistCli::command());
}
