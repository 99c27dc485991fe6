//! JSON Schemas of the file formats (`stages.yaml`, `checklists/*.yaml`), derived from the format
//! structs in [`crate::domain::config::format`] and [`crate::domain::checklist::format`]: what
//! editors complete and check through the `# yaml-language-server: $schema=...` line `rollout
//! init` writes (docs/schema.md).
//!
//! The reader (`config`, `checklist::file`) keeps positions and reports every problem at once;
//! the keys it accepts in each mapping are these structs' fields ([`crate::domain::keys::Keys`]),
//! and the defaults the schemas publish are the constants the reader applies.

pub mod reference;

use crate::domain::checklist::format::ChecklistFile;
use crate::domain::config::format::StagesFile;
use crate::domain::keys::generate;

/// The files with a schema, by the name `rollout schema NAME` takes.
pub const NAMES: [&str; 2] = ["stages", "checklist"];

/// Where `rollout init` writes the schemas, relative to the project directory.
pub const DIR: &str = ".rollout/schema";

/// The schema's file name: `stages.schema.json`.
#[must_use]
pub fn file_name(name: &str) -> String {
    format!("{name}.schema.json")
}

/// The schema of `name` (one of [`NAMES`]) as pretty JSON with a final newline, or `None`.
#[must_use]
pub fn text(name: &str) -> Option<String> {
    let schema = match name {
        "stages" => generate::<StagesFile>(),
        "checklist" => generate::<ChecklistFile>(),
        _ => return None,
    };
    let mut text = serde_json::to_string_pretty(&schema).ok()?;
    text.push('\n');
    Some(text)
}

/// The first line of a file `rollout init` writes, pointing editors (the YAML language server)
/// at the schema `rollout init` writes beside it; `to_dir` is the path from the file to the
/// project directory ("" for stages.yaml, "../" for a checklist).
#[must_use]
pub fn modeline(name: &str, to_dir: &str) -> String {
    format!(
        "# yaml-language-server: $schema={to_dir}{DIR}/{}\n",
        file_name(name)
    )
}

/// Where `rollout init` writes the schema `name` in the project directory `dir`.
#[must_use]
pub fn path_in(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    dir.join(DIR).join(file_name(name))
}

/// Writes the schema `name` into `dir/.rollout/schema/` (replacing an older copy: it is
/// generated); returns the path written.
pub fn write_into(
    dir: &std::path::Path,
    name: &str,
) -> crate::domain::error::Result<std::path::PathBuf> {
    let path = path_in(dir, name);
    let text = text(name).unwrap_or_default();
    std::fs::create_dir_all(dir.join(DIR))
        .and_then(|()| std::fs::write(&path, text))
        .map_err(|e| {
            crate::domain::error::Error::failed(format!("cannot write {}: {e}", path.display()))
        })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::text;
    use crate::domain::keys::Keys;

    /// The reader's keys are the structs' (`keys`); what it adds of its own is only the keys each
    /// provider kind reads, which must be format keys.
    #[test]
    fn every_provider_kinds_keys_are_format_keys() {
        for kind in crate::domain::config::ProviderKind::NAMES {
            let kind = crate::domain::config::ProviderKind::parse(kind).unwrap();
            for key in kind.keys() {
                assert!(
                    crate::domain::config::format::Provider::keys().contains(key),
                    "{kind}: {key}"
                );
            }
        }
        let mut overrides = vec!["kind"];
        overrides.extend(crate::domain::config::format::ProviderOverrides::keys());
        assert_eq!(crate::domain::config::format::Provider::keys(), overrides);
    }

    /// The `default` the `name` schema gives the property at `pointer` (under `$defs`).
    fn default(name: &str, pointer: &str) -> Value {
        let root: Value = serde_json::from_str(&text(name).unwrap()).unwrap();
        root.pointer(&format!("/$defs/{pointer}/default"))
            .unwrap_or_else(|| panic!("no default at {pointer}"))
            .clone()
    }

    /// What a file that leaves every optional key out reads as, key by key, against the schema's
    /// `default`s: a reader that applied another value than it publishes fails here.
    #[test]
    fn the_schema_defaults_are_what_the_reader_applies() {
        use crate::domain::config::{Config, ProviderSettings, Source};
        let s = "stages";
        let c = Config::parse(
            std::path::Path::new("stages.yaml"),
            "flag: f
gates:
  - { name: d, datadog: { query: q }, max: 1 }
  - { name: h, http: { url: 'http://127.0.0.1/' } }
  - { name: c, prometheus: { errors: e, total: t }, compare: { max_increase: 0.01 } }
stages: [{ name: a, percentage: 5 }]
",
        )
        .unwrap();
        let ProviderSettings::File(file) = &c.provider else {
            panic!("{:?}", c.provider)
        };
        assert_eq!(default(s, "Provider/properties/kind"), "file");
        assert_eq!(
            default(s, "Provider/properties/environment"),
            file.environment
        );
        assert_eq!(default(s, "Provider/properties/path"), file.path);
        let gate = &c.gates[0];
        assert_eq!(
            default(s, "Gate/properties/for"),
            crate::domain::clock::span(gate.hold)
        );
        assert_eq!(default(s, "Gate/properties/severity"), gate.severity.name());
        let Source::Datadog { window, reduce, .. } = &gate.source else {
            panic!()
        };
        let dd = "DatadogSource/properties";
        assert_eq!(
            default(s, &format!("{dd}/window")),
            crate::domain::clock::span(*window)
        );
        assert_eq!(default(s, &format!("{dd}/reduce")), reduce.name());
        let Source::Http { expect_status, .. } = &c.gates[1].source else {
            panic!()
        };
        assert_eq!(
            default(s, "HttpSource/properties/expect_status"),
            *expect_status
        );
        let alpha = c.gates[2].compare.as_ref().unwrap().alpha;
        assert_eq!(default(s, "Compare/properties/alpha"), alpha);
        let (api, app) = c.defaults.datadog_keys();
        let dd = "DefaultsDatadog/properties";
        assert_eq!(default(s, &format!("{dd}/api_key_env")), api);
        assert_eq!(default(s, &format!("{dd}/app_key_env")), app);
        if std::env::var_os("ROLLOUT_DATADOG_URL").is_none() {
            let site = default(s, &format!("{dd}/site"));
            assert_eq!(
                format!("https://api.{}", site.as_str().unwrap()),
                c.defaults.datadog_url()
            );
        }
    }

    /// Per provider kind: each kind's settings built from a `provider:` block with only `kind`
    /// (and the URL the kinds without a default need), against the schema's defaults by kind.
    #[test]
    fn the_schema_defaults_by_provider_kind_are_what_the_reader_applies() {
        use crate::domain::config::{Config, ProviderSettings};
        let s = "stages";
        let root: Value = serde_json::from_str(&text(s).unwrap()).unwrap();
        let by_kind =
            |key: &str| root["$defs"]["Provider"]["properties"][key]["x-default-by-kind"].clone();
        for kind in ["unleash", "launchdarkly", "http"] {
            let url = if kind == "launchdarkly" {
                ""
            } else {
                ", url: 'http://127.0.0.1:1'"
            };
            let c = Config::parse(
                std::path::Path::new("stages.yaml"),
                format!("flag: f\nprovider: {{ kind: {kind}{url} }}\nstages: [{{ name: a, percentage: 5 }}]\n"),
            )
            .unwrap();
            let p = &c.provider;
            assert_eq!(by_kind("token_env")[kind], p.token_env().unwrap(), "{kind}");
            let (project, base) = match p {
                ProviderSettings::Unleash(u) => (Some(&u.project), None),
                ProviderSettings::LaunchDarkly(l) => (Some(&l.project), Some(&l.url)),
                _ => (None, None),
            };
            assert_eq!(
                by_kind("project").get(kind).and_then(Value::as_str),
                project.map(String::as_str),
                "{kind}"
            );
            let env_url = std::env::var_os(crate::domain::env_vars::EnvVars::ROLLOUT_PROVIDER_URL);
            if let (Some(base), None) = (base, env_url) {
                assert_eq!(by_kind("url")[kind], *base);
            }
        }
    }

    #[test]
    fn the_checklist_schema_defaults_are_what_the_reader_applies() {
        let c = crate::domain::checklist::Checklist::parse(
            std::path::Path::new("checklists/c.yaml"),
            "tasks: [{ name: A, run: 'true' }]\n",
        )
        .unwrap();
        let t = &c.tasks[0];
        let c = "checklist";
        assert_eq!(default(c, "Task/properties/retries"), t.retries);
        assert_eq!(default(c, "Task/properties/allow_failure"), t.allow_failure);
        assert_eq!(default(c, "Task/properties/parallel"), t.parallel);
        assert_eq!(t.timeout, None, "the schema says: no limit");
    }

    /// Every key of both formats, each once, in a valid file (as docs/reference/ lists them).
    const EVERY_STAGES_KEY: &str = "flag: f
provider: { kind: launchdarkly, url: 'https://app.launchdarkly.com', token_env: LD_TOKEN, project: p, environment: production }
environments:
  staging: { url: 'https://app.launchdarkly.com', token_env: LD_STAGING, project: q, environment: test }
defaults:
  prometheus: { url: 'http://127.0.0.1:9090' }
  datadog: { site: datadoghq.eu, api_key_env: DD_API, app_key_env: DD_APP }
gates:
  - { name: errors, prometheus: { query: 'up' }, max: 0.01, min: 0, for: 5m, severity: warning }
  - { name: cmp, prometheus: { errors: 'e{variant}[{window}]', total: 't{variant}[{window}]' }, compare: { max_increase: 0.005, alpha: 0.05 } }
  - { name: dd, datadog: { query: 'avg:x{*}', window: 10m, reduce: max }, min: 1, severity: info }
  - { name: hz, http: { url: 'http://127.0.0.1/healthz', expect_status: 200, pointer: /ms }, max: 300 }
  - { name: sh, command: 'true' }
stages:
  - { name: internal, percentage: 0.5, groups: [dev], users: u1, start: 2024-01-15, duration: 3d, gates: [errors] }
  - { name: full, percentage: 100 }
notify:
  - url_env: SLACK_WEBHOOK_URL
state: { kind: postgres, url_env: ROLLOUT_STATE_URL, lease: 20s }
";
    const EVERY_CHECKLIST_KEY: &str = "title: All
description: every key
shell: bash
tasks:
  - { name: Tests, id: tests, run: 'true', timeout: 5m, retries: 2, allow_failure: true, parallel: true, shell: sh }
  - { name: Ask, manual: Look at it. }
  - { name: Env, require_env: [HOME] }
  - { name: Up, rollout: advance internal }
  - { name: Gate, gate: errors }
";

    /// The reader accepts each format struct's keys because the struct declares them; this
    /// checks it also reads each one (a field added to a struct and not read would be accepted
    /// and ignored), and that the files above write every key of every struct.
    #[test]
    fn the_reader_reads_every_key_the_structs_declare() {
        use crate::domain::checklist::format as c;
        use crate::domain::config::format as s;
        use crate::domain::yaml_reader::audit;
        let _ = audit::take();
        crate::domain::config::Config::parse(std::path::Path::new("stages.yaml"), EVERY_STAGES_KEY)
            .unwrap();
        // `path` is the file provider's (the others refuse it).
        crate::domain::config::Config::parse(
            std::path::Path::new("stages.yaml"),
            "flag: f
provider: { kind: file, path: flags.json, environment: prod }
environments: { staging: { path: flags.staging.json } }
stages: [{ name: a, percentage: 5 }]
state: { kind: git, remote: ../state.git, branch: records }
",
        )
        .unwrap();
        crate::domain::checklist::Checklist::parse(
            std::path::Path::new("checklists/all.yaml"),
            EVERY_CHECKLIST_KEY,
        )
        .unwrap();
        let log = audit::take();
        for m in &log {
            assert!(
                m.unread.is_empty(),
                "accepted, never read: {:?} of {:?}",
                m.unread,
                m.known
            );
        }
        let structs: [(&str, &[&str]); 16] = [
            ("StagesFile", s::StagesFile::keys()),
            ("Provider", s::Provider::keys()),
            ("ProviderOverrides", s::ProviderOverrides::keys()),
            ("Stage", s::Stage::keys()),
            ("NotifyTarget", s::NotifyTarget::keys()),
            ("Defaults", s::GateDefaults::keys()),
            ("DefaultsPrometheus", s::DefaultsPrometheus::keys()),
            ("DefaultsDatadog", s::DefaultsDatadog::keys()),
            ("Gate", s::Gate::keys()),
            ("PrometheusSource", s::PrometheusSource::keys()),
            ("DatadogSource", s::DatadogSource::keys()),
            ("HttpSource", s::HttpSource::keys()),
            ("Compare", s::Compare::keys()),
            ("State", s::State::keys()),
            ("ChecklistFile", c::ChecklistFile::keys()),
            ("Task", c::Task::keys()),
        ];
        for (name, keys) in structs {
            let written: std::collections::BTreeSet<&str> = log
                .iter()
                .filter(|m| {
                    m.known
                        .starts_with(&keys.iter().map(|k| (*k).to_string()).collect::<Vec<_>>())
                })
                .flat_map(|m| m.written.iter().map(String::as_str))
                .collect();
            for key in keys {
                assert!(
                    written.contains(key),
                    "{name}.{key} is in no mapping of the test files"
                );
            }
        }
    }

    #[test]
    fn the_provider_kinds_and_enums_match_the_reader() {
        let root: Value = serde_json::from_str(&text("stages").unwrap()).unwrap();
        // An enum is `enum: [...]`, or `oneOf: [{const}]` when its variants have descriptions.
        let names = |def: &str| -> Vec<String> {
            let d = &root["$defs"][def];
            match d.get("enum") {
                Some(e) => e.as_array().unwrap().clone(),
                None => d["oneOf"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v["const"].clone())
                    .collect(),
            }
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
        };
        assert_eq!(
            names("ProviderKind"),
            crate::domain::config::ProviderKind::NAMES
        );
        assert_eq!(names("Severity"), crate::domain::config::Severity::NAMES);
        assert_eq!(names("Reduce"), crate::domain::config::Reduce::NAMES);
    }
}

#[cfg(test)]
mod key_lists {
    use crate::domain::checklist::format as checklist;
    use crate::domain::config::format as stages;
    use crate::domain::keys::Keys;

    /// The lists are the structs' fields as YAML spells them, in order (error messages list
    /// them in this order).
    #[test]
    fn keys_are_the_fields_in_declaration_order() {
        assert_eq!(
            stages::StagesFile::keys(),
            [
                "flag",
                "provider",
                "environments",
                "stages",
                "notify",
                "defaults",
                "gates",
                "state"
            ]
        );
        assert_eq!(
            stages::Provider::keys(),
            ["kind", "url", "token_env", "project", "environment", "path"]
        );
        assert_eq!(stages::Gate::keys()[7], "for");
        use crate::domain::config::ProviderKind as K;
        assert_eq!(K::File.keys(), ["kind", "environment", "path"]);
        assert_eq!(
            K::Unleash.keys(),
            ["kind", "url", "token_env", "project", "environment"]
        );
        assert_eq!(K::LaunchDarkly.keys(), K::Unleash.keys());
        assert_eq!(K::Http.keys(), ["kind", "url", "token_env", "environment"]);
        assert_eq!(
            checklist::ChecklistFile::keys(),
            ["title", "description", "shell", "tasks"]
        );
        // Computed once: the same slice every time.
        assert!(std::ptr::eq(stages::Stage::keys(), stages::Stage::keys()));
    }
}
