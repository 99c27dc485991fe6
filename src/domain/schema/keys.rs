//! The keys each mapping of the file formats accepts, read from the format structs' JSON Schema
//! (their `properties`, in declaration order): the reader's unknown-key errors and "did you mean"
//! suggestions use these lists, so a key added to a struct in [`super::stages`] or
//! [`super::checklist`] is accepted, suggested, published in the schema and documented in
//! docs/reference/ at once. The keys each provider kind reads are likewise the fields of its
//! settings struct (`config::FileSettings`, ...: [`crate::domain::config::ProviderKind::keys`]).

use std::sync::OnceLock;

use schemars::JsonSchema;

use super::{checklist, stages};

/// A format struct (one YAML mapping): the keys it accepts.
pub trait Keys: JsonSchema {
    /// The struct's keys as written in YAML (serde renames applied, flattened fields included),
    /// in declaration order; computed once per process.
    fn keys() -> &'static [&'static str];
}

/// The property names of `T`'s schema, in order.
fn property_names<T: JsonSchema>() -> Vec<String> {
    let schema = super::generate::<T>();
    schema
        .get("properties")
        .and_then(serde_json::Value::as_object)
        .map(|props| props.keys().cloned().collect())
        .unwrap_or_default()
}

macro_rules! keys {
    ($($t:ty),* $(,)?) => {$(
        impl Keys for $t {
            fn keys() -> &'static [&'static str] {
                static NAMES: OnceLock<Vec<String>> = OnceLock::new();
                static KEYS: OnceLock<Vec<&'static str>> = OnceLock::new();
                KEYS.get_or_init(|| {
                    NAMES
                        .get_or_init(property_names::<$t>)
                        .iter()
                        .map(String::as_str)
                        .collect()
                })
            }
        }
    )*};
}

keys!(
    stages::StagesFile,
    stages::Provider,
    crate::domain::config::ProviderOverrides,
    crate::domain::config::FileSettings,
    crate::domain::config::UnleashSettings,
    crate::domain::config::LaunchDarklySettings,
    crate::domain::config::HttpSettings,
    stages::Stage,
    stages::NotifyTarget,
    crate::domain::config::GateDefaults,
    crate::domain::config::DefaultsPrometheus,
    crate::domain::config::DefaultsDatadog,
    stages::Gate,
    stages::PrometheusSource,
    stages::DatadogSource,
    stages::HttpSource,
    stages::Compare,
    checklist::ChecklistFile,
    checklist::Task,
);

#[cfg(test)]
mod tests {
    use super::*;

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
                "gates"
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
            ["title", "description", "tasks"]
        );
        // Computed once: the same slice every time.
        assert!(std::ptr::eq(stages::Stage::keys(), stages::Stage::keys()));
    }
}
