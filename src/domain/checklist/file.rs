//! `checklists/NAME.yaml`, read and validated once into a typed [`Checklist`], reporting every
//! problem at once with file:line:column and what to write instead.

use std::path::{Path, PathBuf};

use super::format;
use super::shell::{self, Shell};
use crate::domain::checklist::task::{slug, valid_id, RolloutCommand, Task, TaskKind};
use crate::domain::diagnostic::Pos;
use crate::domain::error::{Error, Result};
use crate::domain::keys::Keys;
use crate::domain::yaml::{Node, Value};
use crate::domain::yaml_reader::{did_you_mean, Fields, Reader};

const KIND_KEYS: [&str; 4] = ["run", "manual", "require_env", "rollout"];
pub(crate) const MAX_RETRIES: u32 = 20;
// What an absent key means; `checklist::format` publishes these as the schema's defaults.
pub(crate) const DEFAULT_RETRIES: u32 = 0;
pub(crate) const DEFAULT_ALLOW_FAILURE: bool = false;
pub(crate) const DEFAULT_PARALLEL: bool = false;

#[derive(Debug, Clone)]
pub struct Checklist {
    /// The file stem: what `checklist run NAME` takes.
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    pub path: PathBuf,
    pub tasks: Vec<Task>,
}

impl Checklist {
    #[must_use]
    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == id)
    }

    /// Reads and validates `path` (exit 2 with every problem when it is broken).
    pub fn load(path: &Path) -> Result<Checklist> {
        let source = crate::domain::yaml_reader::read_source(path)?;
        let shown = shown_path(path);
        let mut checklist = Self::parse(&shown, source)?;
        checklist.path = path.to_path_buf();
        Ok(checklist)
    }

    /// Validates `source` (the bytes of `path`), within the limits of docs/limits.md.
    pub fn parse(path: &Path, source: impl AsRef<[u8]>) -> Result<Checklist> {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut r = Reader::new(path);
        let Some(root) = r.parse_root(source.as_ref()) else {
            return Err(r.diags.into_error());
        };
        let checklist = read_checklist(&mut r, &root, path, name);
        r.diags.into_result()?;
        checklist
            .ok_or_else(|| Error::usage(format!("{} is not a valid checklist", path.display())))
    }
}

/// `path` as a person would type it: relative to the current directory when it is below it.
#[must_use]
pub fn shown_path(path: &Path) -> PathBuf {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    let cwd = CWD.get_or_init(|| {
        std::env::current_dir()
            .ok()
            .map(|d| d.canonicalize().unwrap_or(d))
    });
    cwd.as_deref()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .map_or_else(|| path.to_path_buf(), Path::to_path_buf)
}

fn read_checklist(r: &mut Reader, root: &Node, path: &Path, name: String) -> Option<Checklist> {
    if root.is_null() {
        r.error(
            root.pos,
            "the checklist is empty",
            "write `title:` and a `tasks:` list, e.g. `tasks: [{ name: Run tests, run: cargo test }]`",
        );
        return None;
    }
    let top = r.mapping(root, "a checklist", format::ChecklistFile::keys())?;
    let title = top.value("title").and_then(|n| r.string(n, "`title`"));
    let description = top
        .value("description")
        .and_then(|n| r.string(n, "`description`"));
    let shell = top
        .value("shell")
        .and_then(|n| Some((read_shell(r, n, "the checklist")?, Some(n.pos))))
        .unwrap_or_default();
    let tasks = match r.required(
        &top,
        "tasks",
        "the checklist",
        "[{ name: Run tests, run: cargo test }]",
    ) {
        Some(node) => read_tasks(r, node, &shell),
        None => Vec::new(),
    };
    Some(Checklist {
        title: title.unwrap_or_else(|| name.clone()),
        name,
        description,
        path: path.to_path_buf(),
        tasks,
    })
}

/// The tasks; `shell` is the checklist's (and where it is written), for the tasks that name none.
fn read_tasks(r: &mut Reader, node: &Node, shell: &(Shell, Option<Pos>)) -> Vec<Task> {
    let items = r.items(
        node,
        "tasks",
        "task",
        "- { name: Run tests, run: cargo test }",
    );
    let mut tasks: Vec<Task> = Vec::new();
    let mut lines: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let what = format!("task {}", i + 1);
        let Some(fields) = r.mapping(item, &what, format::Task::keys()) else {
            continue;
        };
        if let Some(task) = read_task(r, &fields, &what, shell) {
            if let Some(&line) = lines.get(&task.id) {
                let id_pos = fields
                    .key_pos("id")
                    .or_else(|| fields.key_pos("name"))
                    .unwrap_or(item.pos);
                r.error(
                    id_pos,
                    format!(
                        "task id `{}` is used twice (first by the task at line {})",
                        task.id, line
                    ),
                    "give one of them its own `id:` (ids are what --only, --skip and --from take)",
                );
                continue;
            }
            lines.insert(task.id.clone(), task.pos.line);
            tasks.push(task);
        }
    }
    tasks
}

fn read_task(
    r: &mut Reader,
    fields: &Fields<'_>,
    what: &str,
    shell: &(Shell, Option<Pos>),
) -> Option<Task> {
    let name = r
        .required(fields, "name", what, "Run all tests")
        .and_then(|n| r.string(n, &format!("the name of {what}")));
    if let (Some(name), Some(node)) = (&name, fields.value("name")) {
        if name.trim().is_empty() {
            r.error(
                node.pos,
                format!("the name of {what} is blank"),
                "write what the task does, e.g. `name: Run all tests`",
            );
        }
    }
    let id = read_id(r, fields, what, name.as_deref());
    let label = name
        .as_deref()
        .map_or_else(|| what.to_string(), |n| format!("task `{n}`"));
    let kind = read_kind(r, fields, &label);
    let timeout = fields
        .value("timeout")
        .and_then(|n| read_timeout(r, n, &label));
    let retries = fields
        .value("retries")
        .and_then(|n| read_retries(r, n, &label))
        .unwrap_or(DEFAULT_RETRIES);
    let allow_failure = fields
        .value("allow_failure")
        .and_then(|n| r.bool(n, &format!("`allow_failure` of {label}")))
        .unwrap_or(DEFAULT_ALLOW_FAILURE);
    let parallel = fields
        .value("parallel")
        .and_then(|n| r.bool(n, &format!("`parallel` of {label}")))
        .unwrap_or(DEFAULT_PARALLEL);
    if let (Some(TaskKind::Manual(_)), true) = (&kind, parallel) {
        r.error(
            fields.key_pos("parallel").unwrap_or(fields.pos),
            format!("{label} is manual and cannot run in parallel: a person answers one question at a time"),
            "remove `parallel: true` from this task",
        );
    }
    if let (Some(TaskKind::Manual(_) | TaskKind::RequireEnv(_)), true) =
        (&kind, fields.value("timeout").is_some() || retries > 0)
    {
        r.error(
            fields
                .key_pos("timeout")
                .or_else(|| fields.key_pos("retries"))
                .unwrap_or(fields.pos),
            format!("`timeout` and `retries` apply to `run` and `rollout` tasks, not to {label}"),
            "remove them from this task",
        );
    }
    let (shell, shell_pos) = match fields.value("shell") {
        Some(n) if matches!(kind, Some(TaskKind::Run(_))) => {
            read_shell(r, n, &label).map(|s| (s, Some(n.pos)))
        }
        Some(_) if kind.is_some() => {
            r.error(
                fields.key_pos("shell").unwrap_or(fields.pos),
                format!("`shell` applies to `run` tasks, not to {label}"),
                "remove it from this task",
            );
            None
        }
        _ => None,
    }
    .unwrap_or_else(|| shell.clone());
    Some(Task {
        id: id?,
        name: name?,
        kind: kind?,
        timeout,
        retries,
        allow_failure,
        parallel,
        shell,
        shell_pos,
        pos: fields.pos,
    })
}

/// `shell:` of `owner` (the checklist or a task): `bash`, `sh`, `pwsh`, or a command line
/// holding `{0}`.
fn read_shell(r: &mut Reader, n: &Node, owner: &str) -> Option<Shell> {
    let text = r.string(n, &format!("`shell` of {owner}"))?;
    match Shell::parse(&text) {
        Ok(s) => Some(s),
        Err(msg) => {
            let word = text.split_whitespace().next().unwrap_or_default();
            let help = match did_you_mean(word, &shell::NAMES) {
                Some(s) if s != word => format!("did you mean `{s}`? "),
                _ => String::new(),
            };
            r.error(
                n.pos,
                format!("`shell` of {owner}: {msg}"),
                format!("{help}write `bash` (the default), `sh`, `pwsh`, or a command line holding `{{0}}` for the script's file, e.g. `shell: python3 {{0}}`"),
            );
            None
        }
    }
}

/// `id:`, checked to be a slug; without one, the slug of the task's `name` (`None` while the
/// name is missing).
fn read_id(r: &mut Reader, fields: &Fields<'_>, what: &str, name: Option<&str>) -> Option<String> {
    match fields.value("id") {
        Some(node) => r.string(node, "`id`").and_then(|id| {
            if valid_id(&id) {
                Some(id)
            } else {
                r.error(
                    node.pos,
                    format!("task id `{id}` has characters other than a-z, 0-9, `-`, `_` and `.`"),
                    format!(
                        "write it as a slug, e.g. `id: {}`",
                        if slug(&id).is_empty() {
                            "run-tests".to_string()
                        } else {
                            slug(&id)
                        }
                    ),
                );
                None
            }
        }),
        None => name.and_then(|n| {
            let s = slug(n);
            if s.is_empty() {
                r.error(
                    fields.key_pos("name").unwrap_or(fields.pos),
                    format!("the name `{n}` of {what} gives no id (it has no letters or digits)"),
                    "add an `id:` such as `id: run-tests`",
                );
                None
            } else {
                Some(s)
            }
        }),
    }
}

/// `timeout:` of the task `label`: how long one attempt may take, never zero.
fn read_timeout(r: &mut Reader, n: &Node, label: &str) -> Option<std::time::Duration> {
    let d = r.duration(n, &format!("`timeout` of {label}"))?;
    if d.is_zero() {
        r.error(
            n.pos,
            format!("`timeout` of {label} is zero"),
            "write how long one attempt may take, e.g. `timeout: 10m`",
        );
        return None;
    }
    Some(d)
}

fn read_retries(r: &mut Reader, node: &Node, label: &str) -> Option<u32> {
    if let Value::Scalar { text, plain: true } = &node.value {
        if let Ok(n) = text.parse::<u32>() {
            if n <= MAX_RETRIES {
                return Some(n);
            }
        }
    }
    r.error(
        node.pos,
        format!("`retries` of {label} must be a whole number from 0 to {MAX_RETRIES}"),
        "write how many extra attempts to make after a failure, e.g. `retries: 1`",
    );
    None
}

fn read_kind(r: &mut Reader, fields: &Fields<'_>, label: &str) -> Option<TaskKind> {
    // `gate: NAME` checks a gate of stages.yaml, through the rollout side (it runs alone).
    if let Some(node) = fields.get("gate") {
        let others: Vec<&str> = KIND_KEYS
            .iter()
            .copied()
            .filter(|k| fields.get(k).is_some())
            .collect();
        if let Some(other) = others.first() {
            r.error(
                fields.key_pos(other).unwrap_or(fields.pos),
                format!("{label} has both `gate` and `{other}`; a task does exactly one thing"),
                format!("split it into two tasks, or remove `{other}`"),
            );
            return None;
        }
        let name = r.string(node, &format!("`gate` of {label}"))?;
        if name.trim().is_empty() || name.chars().any(char::is_whitespace) {
            r.error(
                node.pos,
                format!("`gate` of {label} must name one gate of stages.yaml"),
                "write the gate's name, e.g. `gate: error-rate`",
            );
            return None;
        }
        return Some(TaskKind::Rollout(RolloutCommand::Gate(name)));
    }
    let present: Vec<&str> = KIND_KEYS
        .iter()
        .copied()
        .filter(|k| fields.get(k).is_some())
        .collect();
    match present.as_slice() {
        [] => {
            r.error(
                fields.pos,
                format!("{label} says nothing to do"),
                "add one of `run: COMMAND`, `manual: INSTRUCTIONS`, `require_env: [VAR]` or `rollout: advance STAGE`",
            );
            None
        }
        [one] => read_one_kind(r, fields, one, label),
        [first, second, ..] => {
            r.error(
                fields.key_pos(second).unwrap_or(fields.pos),
                format!("{label} has both `{first}` and `{second}`; a task does exactly one thing"),
                format!("split it into two tasks, or remove `{second}`"),
            );
            None
        }
    }
}

fn read_one_kind(r: &mut Reader, fields: &Fields<'_>, key: &str, label: &str) -> Option<TaskKind> {
    let node = fields.get(key)?;
    let what = format!("`{key}` of {label}");
    if node.is_null() {
        let example = match key {
            "run" => "run: cargo test",
            "manual" => "manual: Open the report and approve every change.",
            "require_env" => "require_env: [DATABASE_URL]",
            _ => "rollout: advance internal",
        };
        r.error(
            node.pos,
            format!("{what} is empty"),
            format!("write what to do, e.g. `{example}`"),
        );
        return None;
    }
    match key {
        "run" => {
            let cmd = r.string(node, &what)?;
            if cmd.trim().is_empty() {
                r.error(
                    node.pos,
                    format!("{what} is blank"),
                    "write the shell command to run, e.g. `run: cargo test`",
                );
                return None;
            }
            Some(TaskKind::Run(cmd))
        }
        "manual" => {
            let text = r.string(node, &what)?;
            if text.trim().is_empty() {
                r.error(
                    node.pos,
                    format!("{what} is blank"),
                    "write what the person should do and check",
                );
                return None;
            }
            Some(TaskKind::Manual(text.trim().to_string()))
        }
        "require_env" => {
            let vars = r.string_list(node, &what)?;
            let mut ok = true;
            for (var, pos) in &vars {
                if !is_env_name(var) {
                    ok = false;
                    r.error(
                        *pos,
                        format!("`{var}` in {what} is not an environment variable name"),
                        "write variable NAMES (letters, digits, `_`), e.g. `require_env: [DATABASE_URL]`; values never live in checklists",
                    );
                }
            }
            if vars.is_empty() {
                r.error(
                    node.pos,
                    format!("{what} lists no variables"),
                    "write e.g. `require_env: [DATABASE_URL]`",
                );
                return None;
            }
            ok.then(|| TaskKind::RequireEnv(vars.into_iter().map(|(v, _)| v).collect()))
        }
        _ => {
            let text = r.string(node, &what)?;
            match RolloutCommand::parse(&text) {
                Ok(cmd) => Some(TaskKind::Rollout(cmd)),
                Err(msg) => {
                    let verb = text.split_whitespace().next().unwrap_or_default();
                    let help = match did_you_mean(verb, &RolloutCommand::VERBS) {
                        Some(v) if v != verb => format!("did you mean `{v}`? Write one of: advance [STAGE], rollback [STAGE], kill [REASON], resume, status"),
                        _ => "write one of: advance [STAGE], rollback [STAGE], kill [REASON], resume, status".to_string(),
                    };
                    r.error(node.pos, format!("{what}: {msg}"), help);
                    None
                }
            }
        }
    }
}

fn is_env_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<Checklist> {
        Checklist::parse(Path::new("checklists/x.yaml"), src)
    }

    #[test]
    fn reads_every_kind() {
        let c = parse(
            "title: T\ntasks:\n  - { name: A b, run: 'true', timeout: 5s, retries: 2, parallel: true }\n  - { name: M, manual: do it }\n  - { name: E, id: env, require_env: [A, B] }\n  - { name: R, rollout: advance beta, allow_failure: true }\n",
        )
        .unwrap();
        assert_eq!(c.name, "x");
        assert_eq!(c.tasks.len(), 4);
        assert_eq!(c.tasks[0].id, "a-b");
        assert_eq!(c.tasks[0].retries, 2);
        assert!(c.tasks[0].parallel);
        assert_eq!(c.tasks[2].id, "env");
        assert_eq!(
            c.tasks[3].kind,
            TaskKind::Rollout(RolloutCommand::Advance(Some("beta".into())))
        );
        assert!(c.tasks[3].allow_failure);
    }

    #[test]
    fn reports_every_problem_at_once() {
        let err = parse("tasks:\n  - { name: A, run: x, timout: 5s }\n  - { name: A, run: y }\n  - { name: G, gate: error-rate, run: z }\n").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.message.contains("x.yaml:2:"), "{}", err.message);
        assert!(
            err.message.contains("did you mean `timeout`?"),
            "{}",
            err.message
        );
        assert!(err.message.contains("used twice"), "{}", err.message);
        assert!(
            err.message.contains("has both `gate` and `run`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn shell_of_the_checklist_is_the_default_of_its_tasks() {
        let c = parse("shell: sh\ntasks:\n  - { name: A, run: 'true' }\n  - { name: B, run: 'true', shell: 'python3 {0}' }\n  - { name: C, run: 'true', shell: bash }\n").unwrap();
        assert_eq!(c.tasks[0].shell, Shell::Sh);
        assert_eq!(c.tasks[1].shell.program(), "python3");
        assert_eq!(c.tasks[2].shell, Shell::Bash);
        let plain = parse("tasks:\n  - { name: A, run: 'true' }\n").unwrap();
        assert_eq!(plain.tasks[0].shell, Shell::Bash);
    }

    #[test]
    fn unknown_shell_is_reported_where_it_is_written() {
        let err = parse("shell: zsh\ntasks:\n  - { name: A, run: 'true', shell: bsh }\n  - { name: M, manual: do it, shell: sh }\n").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let m = &err.message;
        assert!(
            m.contains("x.yaml:1:8: `shell` of the checklist: `zsh` is not a shell"),
            "{m}"
        );
        assert!(m.contains("x.yaml:3:"), "{m}");
        assert!(m.contains("did you mean `bash`?"), "{m}");
        assert!(m.contains("python3 {0}"), "{m}");
        assert!(m.contains("`shell` applies to `run` tasks"), "{m}");
    }
}
