//! `stages.yaml`, read and validated once into typed values.

mod gate;
mod notify_target;
mod percentage;
mod provider_settings;
mod stage;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

pub use gate::{
    Compare, DefaultsDatadog, DefaultsPrometheus, Gate, GateDefaults, Reduce, Severity, Source,
};
pub use notify_target::NotifyTarget;
pub use percentage::Percentage;
pub use provider_settings::{
    in_environment, FileSettings, HttpSettings, LaunchDarklySettings, ProviderKind,
    ProviderOverrides, ProviderSettings, UnleashSettings,
};
pub use stage::Stage;

use crate::domain::error::{Error, Result};
use crate::domain::schema::keys::Keys;
use crate::domain::schema::stages as format;
use crate::domain::yaml::{Node, Value};
use crate::domain::yaml_reader::{Fields, Reader};

pub const STAGES_FILE: &str = "stages.yaml";
pub const STATE_DIR: &str = ".rollout";
pub const DEFAULT_FLAGS_FILE: &str = ".rollout/flags.json";
pub(crate) const DEFAULT_ENVIRONMENT: &str = "production";

/// What each absent key of stages.yaml means, as the reader applies it: the format structs
/// (src/schema/stages.rs) publish these as their schema's `default`s.
pub(crate) mod defaults {
    pub(crate) use super::gate::{
        DEFAULT_DATADOG_WINDOW, DEFAULT_EXPECT_STATUS, DEFAULT_HOLD, DEFAULT_REDUCE,
        DEFAULT_SEVERITY,
    };
    pub(crate) use super::{DEFAULT_ENVIRONMENT, DEFAULT_FLAGS_FILE};
}

/// Known to the reader in a notify target only to refuse it: webhook URLs hold tokens.
const NOTIFY_REFUSED_KEY: &str = "url";
/// Keys people write when they paste a secret: refused with a pointer to `token_env`.
const SECRET_KEYS: [&str; 8] = [
    "token",
    "api_token",
    "api_key",
    "apikey",
    "access_token",
    "secret",
    "password",
    "authorization",
];

#[derive(Debug, Clone)]
pub struct Config {
    /// The stages.yaml that was read.
    pub path: PathBuf,
    /// Its directory: where `.rollout/` lives and checklist commands run.
    pub dir: PathBuf,
    pub flag: String,
    /// The provider settings with no `--env`: the `provider:` block, typed for its kind.
    pub provider: ProviderSettings,
    /// Each `environments:` entry merged over the `provider:` block, typed for its kind.
    pub environments: BTreeMap<String, ProviderSettings>,
    /// The `provider:` block as written and `ROLLOUT_PROVIDER_URL` as read, for an `--env` that
    /// `environments:` does not name.
    written: ProviderOverrides,
    env_url: Option<String>,
    pub stages: Vec<Stage>,
    pub notify: Vec<NotifyTarget>,
    /// Metric gates ([docs/gates.md](../../docs/gates.md)), in file order.
    pub gates: Vec<Gate>,
    pub defaults: GateDefaults,
}

impl Config {
    /// Reads and validates `path`, reporting every problem at once (exit 2).
    pub fn load(path: &Path) -> Result<Config> {
        let source = crate::domain::yaml_reader::read_source(path).map_err(|err| {
            err.with_hint("run `rollout init` to write a starter stages.yaml, or pass -C DIR")
        })?;
        Self::parse(path, source)
    }

    /// Validates `source` (the bytes of `path`), within the limits of docs/limits.md.
    pub fn parse(path: &Path, source: impl AsRef<[u8]>) -> Result<Config> {
        let dir = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        let mut reader = Reader::new(path);
        let Some(root) = reader.parse_root(source.as_ref()) else {
            return Err(reader.diags.into_error());
        };
        let config = read_config(&mut reader, &root, path, dir);
        reader.diags.into_result()?;
        config.ok_or_else(|| Error::usage(format!("{} is not a valid stage table", path.display())))
    }

    /// The settings for this run: those built for the named environment, or for a name
    /// `environments:` does not list, the `provider:` block with that environment.
    pub fn provider_for(&self, env: Option<&str>) -> Result<ProviderSettings> {
        let Some(name) = env else {
            return Ok(self.provider.clone());
        };
        if let Some(settings) = self.environments.get(name) {
            return Ok(settings.clone());
        }
        let kind = self.provider.kind();
        build_settings(
            kind,
            &self.written,
            None,
            Some(name),
            self.env_url.as_deref(),
        )
        .ok_or_else(|| {
            Error::usage(format!("the {kind} provider needs a URL, and none is set")).with_hint(
                "add `url:` under `provider:` in stages.yaml, or set ROLLOUT_PROVIDER_URL",
            )
        })
    }

    #[must_use]
    pub fn provider_kind(&self) -> ProviderKind {
        self.provider.kind()
    }

    #[must_use]
    pub fn stage_index(&self, name: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.name == name)
    }

    /// The error for a stage name that is not in the table, with a suggestion.
    #[must_use]
    pub fn unknown_stage(&self, name: &str) -> Error {
        let names: Vec<&str> = self.stages.iter().map(|s| s.name.as_str()).collect();
        let hint = match crate::domain::yaml_reader::did_you_mean(name, &names) {
            Some(s) => format!("did you mean `{s}`? The stages are: {}", names.join(", ")),
            None => format!("the stages are: {}", names.join(", ")),
        };
        Error::usage(format!(
            "there is no stage `{name}` in {}",
            self.path.display()
        ))
        .with_hint(hint)
    }

    /// The gates that apply at stage `index`: those it lists, else every gate.
    #[must_use]
    pub fn stage_gates(&self, index: usize) -> Vec<&Gate> {
        match self.stages.get(index).and_then(|s| s.gates.as_ref()) {
            Some(names) => self
                .gates
                .iter()
                .filter(|g| names.contains(&g.name))
                .collect(),
            None => self.gates.iter().collect(),
        }
    }

    #[must_use]
    pub fn gate(&self, name: &str) -> Option<&Gate> {
        self.gates.iter().find(|g| g.name == name)
    }

    /// Everyone included by stage `index`: its users and groups and those of every earlier stage.
    #[must_use]
    pub fn cumulative_audience(&self, index: usize) -> (Vec<String>, Vec<String>) {
        let mut users: Vec<String> = Vec::new();
        let mut groups: Vec<String> = Vec::new();
        let mut seen_users: HashSet<&str> = HashSet::new();
        let mut seen_groups: HashSet<&str> = HashSet::new();
        for stage in &self.stages[..=index] {
            for u in &stage.users {
                if seen_users.insert(u) {
                    users.push(u.clone());
                }
            }
            for g in &stage.groups {
                if seen_groups.insert(g) {
                    groups.push(g.clone());
                }
            }
        }
        (users, groups)
    }
}

/// ROLLOUT_PROVIDER_URL when set, checked like a URL in stages.yaml (it is an address, not a
/// secret): exit 2 naming the variable when it holds credentials.
/// Typed settings for `kind` from the `provider:` block, one environment's overrides over it
/// (`over`, `env_name`) and `ROLLOUT_PROVIDER_URL` (`env_url`) for a URL written nowhere; `None`
/// when the kind needs a URL and has none (the reader has said so at the `provider:` block).
fn build_settings(
    kind: ProviderKind,
    base: &ProviderOverrides,
    over: Option<&ProviderOverrides>,
    env_name: Option<&str>,
    env_url: Option<&str>,
) -> Option<ProviderSettings> {
    let pick = |f: fn(&ProviderOverrides) -> &Option<String>| {
        over.and_then(|o| f(o).clone()).or_else(|| f(base).clone())
    };
    let environment = pick(|o| &o.environment)
        .or_else(|| env_name.map(str::to_string))
        .unwrap_or_else(|| DEFAULT_ENVIRONMENT.to_string());
    let url = pick(|o| &o.url).or_else(|| env_url.map(str::to_string));
    let token_env = || {
        pick(|o| &o.token_env)
            .or_else(|| kind.default_token_env().map(str::to_string))
            .unwrap_or_default()
    };
    Some(match kind {
        ProviderKind::File => {
            let base_environment = base
                .environment
                .clone()
                .unwrap_or_else(|| DEFAULT_ENVIRONMENT.to_string());
            let path = pick(|o| &o.path).unwrap_or_else(|| {
                if environment == base_environment {
                    DEFAULT_FLAGS_FILE.to_string()
                } else {
                    format!("{STATE_DIR}/flags.{environment}.json")
                }
            });
            ProviderSettings::File(FileSettings { environment, path })
        }
        ProviderKind::Unleash => ProviderSettings::Unleash(UnleashSettings {
            url: url?,
            token_env: token_env(),
            project: pick(|o| &o.project)
                .or_else(|| kind.default_project().map(str::to_string))
                .unwrap_or_default(),
            environment,
        }),
        ProviderKind::LaunchDarkly => ProviderSettings::LaunchDarkly(LaunchDarklySettings {
            url: url
                .or_else(|| kind.default_url().map(str::to_string))
                .unwrap_or_default(),
            token_env: token_env(),
            project: pick(|o| &o.project)
                .or_else(|| kind.default_project().map(str::to_string))
                .unwrap_or_default(),
            environment,
        }),
        ProviderKind::Http => ProviderSettings::Http(HttpSettings {
            url: url?,
            token_env: token_env(),
            environment,
        }),
    })
}

fn env_provider_url(kind: ProviderKind) -> Result<Option<String>> {
    let Some(url) = std::env::var(crate::domain::env_vars::EnvVars::ROLLOUT_PROVIDER_URL)
        .ok()
        .filter(|u| !u.trim().is_empty())
    else {
        return Ok(None);
    };
    match crate::domain::secrets::policy::check_url(&url) {
        Ok(()) => Ok(Some(url.trim().to_string())),
        Err(problem) => Err(Error::usage(
            problem.message(crate::domain::env_vars::EnvVars::ROLLOUT_PROVIDER_URL),
        )
        .with_hint(problem.help(kind.default_token_env().unwrap_or("the token variable")))),
    }
}

/// Finds stages.yaml in `start` or a parent directory.
pub fn find(start: &Path) -> Result<PathBuf> {
    if let Some(d) = crate::adapters::project::walk_up(start, |d| d.join(STAGES_FILE).is_file()) {
        let candidate = d.join(STAGES_FILE);
        // Shown in messages: relative to the current directory where it is below it.
        let cwd = std::env::current_dir().unwrap_or_default();
        return Ok(match candidate.strip_prefix(&cwd) {
            Ok(rel) => rel.to_path_buf(),
            Err(_) => candidate,
        });
    }
    Err(Error::usage(format!(
        "no {STAGES_FILE} in {} or any parent directory",
        start.display()
    ))
    .with_hint("run `rollout init` to write a starter stages.yaml, or pass -C DIR"))
}

fn read_config(r: &mut Reader, root: &Node, path: &Path, dir: PathBuf) -> Option<Config> {
    if root.is_null() {
        r.error(
            root.pos,
            "stages.yaml is empty",
            "write `flag:` and `stages:`, or run `rollout init` for a commented starter",
        );
        return None;
    }
    let top = r.mapping(root, "stages.yaml", format::StagesFile::keys())?;
    let flag = r
        .required(&top, "flag", "stages.yaml", "my-flag-key")
        .and_then(|n| r.name(n, "`flag`"));
    if let (Some(flag), Some(node)) = (&flag, top.value("flag")) {
        if flag.trim().is_empty() || flag.chars().any(char::is_whitespace) {
            r.error(
                node.pos,
                format!("flag key `{flag}` is empty or has spaces"),
                "write the flag key exactly as the provider knows it, e.g. use-new-builder-cards",
            );
        }
    }
    let (provider_kind, provider_written, env_url) = top
        .value("provider")
        .and_then(|node| read_provider(r, node))
        .unwrap_or((ProviderKind::File, ProviderOverrides::default(), None));
    let provider = build_settings(
        provider_kind,
        &provider_written,
        None,
        None,
        env_url.as_deref(),
    );
    let environments = top
        .value("environments")
        .map(|n| read_environments(r, n, provider_kind))
        .unwrap_or_default()
        .iter()
        .filter_map(|(name, over)| {
            let settings = build_settings(
                provider_kind,
                &provider_written,
                Some(over),
                Some(name),
                env_url.as_deref(),
            );
            settings.map(|s| (name.clone(), s))
        })
        .collect();
    let defaults = top
        .value("defaults")
        .map(|n| gate::read_defaults(r, n))
        .unwrap_or_default();
    let (gates, written) = top
        .value("gates")
        .map(|n| gate::read_gates(r, n))
        .unwrap_or_default();
    let gate_names: Vec<&str> = written.iter().map(String::as_str).collect();
    let stages = match r.required(
        &top,
        "stages",
        "stages.yaml",
        "[{ name: internal, percentage: 5 }, ...]",
    ) {
        Some(node) => read_stages(r, node, provider_kind, &gate_names),
        None => Vec::new(),
    };
    let notify = top
        .value("notify")
        .map(|n| read_notify(r, n))
        .unwrap_or_default();
    Some(Config {
        path: path.to_path_buf(),
        dir,
        flag: flag?,
        provider: provider?,
        environments,
        written: provider_written,
        env_url,
        stages,
        notify,
        gates,
        defaults,
    })
}

fn refuse_secrets(r: &mut Reader, fields: &Fields<'_>, what: &str, kind: ProviderKind) {
    // The hint names the variable this kind reads; the file provider reads none.
    let help = match kind.default_token_env() {
        Some(var) => format!(
            "delete this line, export the token in an env var, and name it with `token_env: {var}`"
        ),
        None => format!("delete this line: the {kind} provider needs no token"),
    };
    for (key, _) in fields.iter() {
        if SECRET_KEYS.contains(&key.text.to_ascii_lowercase().as_str()) {
            r.error(
                key.pos,
                format!(
                    "`{}` in {what} would put a secret in stages.yaml; tokens never live in YAML",
                    key.text
                ),
                help.clone(),
            );
        }
    }
}

fn read_overrides(
    r: &mut Reader,
    fields: &Fields<'_>,
    what: &str,
    kind: ProviderKind,
) -> ProviderOverrides {
    refuse_secrets(r, fields, what, kind);
    // Each is one word or address, printed and journaled: no control characters or line breaks.
    let mut text = |key: &str| {
        fields
            .value(key)
            .and_then(|n| r.name(n, &format!("`{key}` in {what}")))
    };
    let out = ProviderOverrides {
        url: text("url"),
        token_env: text("token_env"),
        project: text("project"),
        environment: text("environment"),
        path: text("path"),
    };
    if let (Some(url), Some(node)) = (&out.url, fields.value("url")) {
        if let Err(problem) = crate::domain::secrets::policy::check_url(url) {
            let token_var = out
                .token_env
                .as_deref()
                .or(kind.default_token_env())
                .unwrap_or(crate::domain::env_vars::EnvVars::ROLLOUT_HTTP_TOKEN);
            r.error(
                node.pos,
                problem.message(&format!("the `url` in {what}")),
                problem.help(token_var),
            );
        }
    }
    if let (Some(var), Some(node)) = (&out.token_env, fields.value("token_env")) {
        if !is_env_name(var) {
            r.error(
                node.pos,
                format!(
                    "`token_env` must name an environment variable, found `{}`",
                    crate::domain::secrets::redact::excerpt(var)
                ),
                format!(
                    "write the variable's NAME, e.g. `token_env: {}`, and export the token in it",
                    kind.default_token_env()
                        .unwrap_or(crate::domain::env_vars::EnvVars::UNLEASH_API_TOKEN)
                ),
            );
        }
    }
    out
}

/// A gate source's address, under the one secret policy (http(s), no credentials, no
/// secret-looking query parameter).
pub(crate) fn check_url(
    r: &mut Reader,
    url: &str,
    pos: crate::domain::diagnostic::Pos,
    what: &str,
) {
    if let Err(problem) = crate::domain::secrets::policy::check_url(url) {
        r.error(
            pos,
            problem.message(&format!("the `url` in {what}")),
            problem.help("an environment variable"),
        );
    }
}

pub(crate) fn is_env_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The `provider:` block: its kind, its keys as written, and `ROLLOUT_PROVIDER_URL` where the
/// block writes no URL and the kind reads one (refused here when it breaks the secret policy).
fn read_provider(
    r: &mut Reader,
    node: &Node,
) -> Option<(ProviderKind, ProviderOverrides, Option<String>)> {
    let mut known: Vec<&str> = format::Provider::keys().to_vec();
    known.extend(SECRET_KEYS);
    let fields = r.mapping(node, "`provider`", &known)?;
    let kind = match fields.value("kind") {
        None => ProviderKind::File,
        Some(n) => {
            let name = r.string(n, "`provider.kind`")?;
            match ProviderKind::parse(&name) {
                Some(k) => k,
                None => {
                    let help =
                        match crate::domain::yaml_reader::did_you_mean(&name, &ProviderKind::NAMES)
                        {
                            Some(k) => format!("did you mean `{k}`?"),
                            None => format!("write one of: {}", ProviderKind::NAMES.join(", ")),
                        };
                    r.error(n.pos, format!("unknown provider kind `{name}`"), help);
                    return None;
                }
            }
        }
    };
    let overrides = read_overrides(r, &fields, "`provider`", kind);
    refuse_foreign_keys(r, &fields, kind, "`provider`");
    let mut env_url = None;
    if kind != ProviderKind::File && overrides.url.is_none() {
        match env_provider_url(kind) {
            Ok(Some(url)) => env_url = Some(url),
            Ok(None) if !kind.needs_url() => {}
            Ok(None) => r.error(
                fields.pos,
                format!("the {kind} provider needs `url`"),
                "add `url: http://...` under `provider:`, or set ROLLOUT_PROVIDER_URL",
            ),
            Err(e) => r.error(fields.pos, e.message, e.hint.unwrap_or_default()),
        }
    }
    Some((kind, overrides, env_url))
}

/// Keys another provider kind reads (`path` under `kind: unleash`): refused, not ignored.
fn refuse_foreign_keys(r: &mut Reader, fields: &Fields<'_>, kind: ProviderKind, what: &str) {
    for (key, _) in fields.iter() {
        let k = key.text.as_str();
        if format::Provider::keys().contains(&k) && !kind.keys().contains(&k) {
            r.error(
                key.pos,
                format!("`{k}` in {what} does not apply to the {kind} provider"),
                format!(
                    "delete this line; the {kind} provider reads: {}",
                    kind.keys().join(", ")
                ),
            );
        }
    }
}

fn read_environments(
    r: &mut Reader,
    node: &Node,
    kind: ProviderKind,
) -> BTreeMap<String, ProviderOverrides> {
    let mut out = BTreeMap::new();
    let Value::Map(entries) = &node.value else {
        r.error(
            node.pos,
            "`environments` must map names to overrides",
            "write e.g. `staging: { environment: development }`",
        );
        return out;
    };
    for (key, value) in entries {
        let mut known: Vec<&str> = format::ProviderOverrides::keys().to_vec();
        known.extend(SECRET_KEYS);
        let what = format!("environment `{}`", key.text);
        if !r.clean(&key.text, key.pos, "an environment name", true) {
            continue;
        }
        if out.contains_key(&key.text) {
            r.error(
                key.pos,
                format!("environment `{}` appears twice", key.text),
                "keep one of them",
            );
            continue;
        }
        if let Some(fields) = r.mapping(value, &what, &known) {
            let o = read_overrides(r, &fields, &what, kind);
            refuse_foreign_keys(r, &fields, kind, &what);
            out.insert(key.text.clone(), o);
        }
    }
    out
}

fn read_stages(r: &mut Reader, node: &Node, kind: ProviderKind, gates: &[&str]) -> Vec<Stage> {
    let items = r.items(node, "stages", "stage", "- { name: full, percentage: 100 }");
    let mut stages: Vec<Stage> = Vec::new();
    // Each stage is checked against those before it through these, so validation stays linear.
    let mut lines: HashMap<String, usize> = HashMap::new();
    let mut last_start: Option<chrono::NaiveDate> = None;
    for (i, item) in items.iter().enumerate() {
        let what = format!("stage {}", i + 1);
        let Some(fields) = r.mapping(item, &what, format::Stage::keys()) else {
            continue;
        };
        let name = r.required(&fields, "name", &what, "beta").and_then(|n| {
            r.name(n, &format!("the name of {what}"))
                .map(|s| (s, n.pos))
        });
        let percentage = r
            .required(&fields, "percentage", &what, "25")
            .and_then(|n| read_percentage(r, n, &what).map(|p| (p, n.pos)));
        let groups = fields
            .value("groups")
            .and_then(|n| r.string_list(n, &format!("`groups` of {what}")))
            .unwrap_or_default();
        let users = fields
            .value("users")
            .and_then(|n| r.string_list(n, &format!("`users` of {what}")))
            .unwrap_or_default();
        let start = fields
            .value("start")
            .and_then(|n| r.date(n, &format!("`start` of {what}")));
        let duration = fields
            .value("duration")
            .and_then(|n| r.duration(n, &format!("`duration` of {what}")));
        let stage_gates = fields
            .get("gates")
            .and_then(|n| gate::read_stage_gates(r, n, &what, gates));
        let (Some((name, name_pos)), Some((percentage, pct_pos))) = (name, percentage) else {
            continue;
        };
        if name.trim().is_empty() || name.chars().any(|c| c.is_whitespace() || c == ',') {
            r.error(
                name_pos,
                format!("stage name `{name}` is empty or has spaces"),
                "use a short word such as `beta` (it is typed as `rollout advance beta`)",
            );
            continue;
        }
        if let Some(line) = lines.get(&name) {
            r.error(
                name_pos,
                format!("stage `{name}` is defined twice (first at line {line})"),
                "give each stage its own name",
            );
            continue;
        }
        if !kind.fractional() && percentage.whole().is_none() {
            r.error(
                pct_pos,
                format!(
                    "stage `{name}` has {percentage}, but Unleash rollouts are whole percentages"
                ),
                format!(
                    "write a whole number from 0 to 100, e.g. {} or {}",
                    percentage.weight() / 1000,
                    percentage.weight() / 1000 + 1
                ),
            );
        }
        if let Some(prev) = stages.last() {
            if percentage <= prev.percentage {
                r.error(
                    pct_pos,
                    format!(
                        "stage `{name}` has {percentage}, not more than the {} of `{}` before it",
                        prev.percentage, prev.name
                    ),
                    "percentages must strictly increase from one stage to the next",
                );
            }
        }
        if let Some(prev_start) = last_start {
            if let Some(start) = start {
                if start < prev_start {
                    r.error(
                        fields.key_pos("start").unwrap_or(item.pos),
                        format!("stage `{name}` is planned to start on {start}, before an earlier stage ({prev_start})"),
                        "planned start dates must not go backwards",
                    );
                }
            }
        }
        let mut seen: HashSet<&str> = HashSet::new();
        for (value, pos) in users.iter().chain(groups.iter()) {
            if !r.clean(value, *pos, &format!("a user or group in {what}"), true) {
                continue;
            }
            if value.trim().is_empty() {
                r.error(
                    *pos,
                    format!("an empty user or group in {what}"),
                    "remove the empty entry",
                );
            } else if !seen.insert(value) {
                r.error(
                    *pos,
                    format!("`{value}` is listed twice in {what}"),
                    "list each user and group once",
                );
            }
        }
        lines.insert(name.clone(), item.pos.line);
        last_start = start.or(last_start);
        stages.push(Stage {
            name,
            percentage,
            groups: groups.into_iter().map(|(s, _)| s).collect(),
            users: users.into_iter().map(|(s, _)| s).collect(),
            start,
            duration,
            gates: stage_gates,
            pos: item.pos,
        });
    }
    stages
}

fn read_percentage(r: &mut Reader, node: &Node, what: &str) -> Option<Percentage> {
    let value = r.number(node, &format!("the percentage of {what}"))?;
    let pct = Percentage::from_percent(value);
    if pct.is_none() {
        r.error(
            node.pos,
            format!("the percentage of {what} is {value}, outside 0 to 100 (or with more than 3 decimals)"),
            "write a number from 0 to 100, e.g. 25",
        );
    }
    pct
}

fn read_notify(r: &mut Reader, node: &Node) -> Vec<NotifyTarget> {
    let Value::Seq(items) = &node.value else {
        r.error(
            node.pos,
            "`notify` must be a list of targets",
            "write `- url_env: SLACK_WEBHOOK_URL`",
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut known: Vec<&str> = format::NotifyTarget::keys().to_vec();
    known.push(NOTIFY_REFUSED_KEY);
    for (i, item) in items.iter().enumerate() {
        let what = format!("notify target {}", i + 1);
        let Some(fields) = r.mapping(item, &what, &known) else {
            continue;
        };
        match (fields.value("url_env"), fields.value("url")) {
            (Some(n), None) => {
                if let Some(var) = r.string(n, "`url_env`") {
                    if is_env_name(&var) {
                        out.push(NotifyTarget::UrlEnv(var));
                    } else {
                        r.error(
                            n.pos,
                            "`url_env` must name an environment variable, not hold the URL",
                            "write the variable's NAME, e.g. `url_env: SLACK_WEBHOOK_URL`, and export the URL in it",
                        );
                    }
                }
            }
            (_, Some(_)) => r.error(
                fields.key_pos("url").unwrap_or(fields.pos),
                format!("`url` in {what} would put a webhook URL, which holds its token, in stages.yaml"),
                "delete this line, export the URL in an env var, and name it with `url_env: SLACK_WEBHOOK_URL`",
            ),
            (None, None) => r.error(fields.pos, format!("{what} needs `url_env`"), "write `url_env: SLACK_WEBHOOK_URL` (webhook URLs hold tokens: keep them in the environment)"),
        }
    }
    out
}
