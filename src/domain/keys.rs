//! The keys each mapping of the file formats accepts, read from the format structs' JSON Schema
//! (their `properties`, in declaration order): the reader's unknown-key errors and "did you mean"
//! suggestions use these lists, so a key added to a struct in `config::format` or
//! `checklist::format` is accepted, suggested, published in the schema and documented in
//! docs/reference/ at once. The keys each provider kind reads are likewise the fields of its
//! settings struct (`config::FileSettings`, ...: `config::ProviderKind::keys`).

use schemars::{generate::SchemaSettings, JsonSchema, Schema};

/// A format struct (one YAML mapping): the keys it accepts.
pub trait Keys: JsonSchema {
    /// The struct's keys as written in YAML (serde renames applied, flattened fields included),
    /// in declaration order; computed once per process.
    fn keys() -> &'static [&'static str];
}

/// The property names of `T`'s schema, in order.
pub fn property_names<T: JsonSchema>() -> Vec<String> {
    let schema = generate::<T>();
    schema
        .get("properties")
        .and_then(serde_json::Value::as_object)
        .map(|props| props.keys().cloned().collect())
        .unwrap_or_default()
}

/// Implements [`Keys`] for each format struct named.
macro_rules! keys {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::domain::keys::Keys for $t {
            fn keys() -> &'static [&'static str] {
                static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
                static KEYS: std::sync::OnceLock<Vec<&'static str>> =
                    std::sync::OnceLock::new();
                KEYS.get_or_init(|| {
                    NAMES
                        .get_or_init($crate::domain::keys::property_names::<$t>)
                        .iter()
                        .map(String::as_str)
                        .collect()
                })
            }
        }
    )*};
}
pub(crate) use keys;

/// The JSON Schema (draft 2020-12) of `T`.
#[must_use]
pub fn generate<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>()
}
