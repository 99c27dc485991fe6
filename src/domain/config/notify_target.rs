//! A webhook that receives every recorded event.

/// Where the URL comes from: always an environment variable, because webhook URLs embed tokens
/// (a `url:` in stages.yaml is refused at validation). Written `url_env: NAME`: the format in the
/// stages.yaml schema (src/schema/) is this enum's (one case, so one object).
#[derive(Debug, Clone, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(
    deny_unknown_fields,
    description = "A webhook; the URL stays in the environment (webhook URLs hold tokens).",
    transform = one_case_is_the_object
)]
pub enum NotifyTarget {
    /// The URL is read from this env var at send time.
    UrlEnv(
        /// The NAME of the environment variable holding the webhook URL.
        #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*$"))]
        String,
    ),
}

/// `oneOf: [{object}]` (the schema of an enum of one case) as the object itself.
fn one_case_is_the_object(schema: &mut schemars::Schema) {
    let Some(serde_json::Value::Array(mut cases)) = schema.remove("oneOf") else {
        return;
    };
    if let (1, Some(serde_json::Value::Object(case))) = (cases.len(), cases.pop()) {
        for (k, v) in case {
            if k != "description" {
                schema.insert(k, v);
            }
        }
        // In the order the struct schemas have: `additionalProperties` before `required`.
        if let Some(required) = schema.remove("required") {
            schema.insert("required".into(), required);
        }
    }
}

impl NotifyTarget {
    /// A name for this target that never shows the URL.
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            NotifyTarget::UrlEnv(var) => format!("${var}"),
        }
    }
}
