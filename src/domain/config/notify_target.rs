//! A webhook that receives every recorded event, and `notify:` as read.

use super::{format, is_env_name};
use crate::domain::keys::Keys;
use crate::domain::yaml::{Node, Value};
use crate::domain::yaml_reader::Reader;

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

/// Known to the reader in a notify target only to refuse it: webhook URLs hold tokens.
pub(super) const NOTIFY_REFUSED_KEY: &str = "url";
pub(super) fn read_notify(r: &mut Reader, node: &Node) -> Vec<NotifyTarget> {
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
