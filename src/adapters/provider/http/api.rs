//! The `http` provider's protocol, as typed values: a small JSON API a team's own flag service
//! implements (docs/http-provider.md, docs/http-provider.openapi.yaml).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `GET /flags/{flag}?environment={env}`, and the answer to a write.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlagDoc {
    /// Serving its rollout (false: killed, or never started).
    pub enabled: bool,
    /// Percent of users, 0–100 with at most three decimals.
    pub percentage: f64,
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    /// Opaque; changes with every change. Writes send it back.
    pub version: Version,
    /// The stage `rollout` last wrote (null: never rolled out).
    #[serde(default)]
    pub stage: Option<String>,
    #[serde(default)]
    pub since: Option<DateTime<Utc>>,
    #[serde(default)]
    pub killed_at: Option<DateTime<Utc>>,
    /// How the service places users at a percentage.
    #[serde(default)]
    pub bucketing: Option<BucketingDoc>,
}

/// A version as the service spells it: a string or a number.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Version {
    Number(u64),
    Text(String),
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Version::Number(n) => write!(f, "{n}"),
            Version::Text(t) => f.write_str(t),
        }
    }
}

/// The service's bucketing: `flagd-fractional`, `unleash-flexible` or `launchdarkly`, with the
/// keys the algorithm hashes. Any other algorithm: `preview` and `check` refuse to guess.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BucketingDoc {
    pub algorithm: String,
    /// flagd: the text hashed before the user id (default: the flag key).
    #[serde(default)]
    pub flag_key: Option<String>,
    /// Unleash: the group id (default: the flag key).
    #[serde(default)]
    pub group_id: Option<String>,
    /// LaunchDarkly: the salt, and the seed when set.
    #[serde(default)]
    pub salt: Option<String>,
    #[serde(default)]
    pub seed: Option<i64>,
}

/// `PUT /flags/{flag}?environment={env}`: the whole new state, applied only if the flag is still
/// at `version`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WriteDoc {
    pub version: Version,
    pub enabled: bool,
    pub percentage: f64,
    pub users: Vec<String>,
    pub groups: Vec<String>,
    pub stage: String,
    pub since: DateTime<Utc>,
    pub killed_at: Option<DateTime<Utc>>,
    /// The change, for the service's own log: `advance f internal → beta (10%) … | by alice`.
    pub comment: String,
}

/// `POST /flags/{flag}/events?environment={env}`: the change, after it was applied.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventDoc {
    pub time: DateTime<Utc>,
    pub actor: String,
    pub summary: String,
    pub stage: String,
    pub percentage: f64,
    pub enabled: bool,
    pub version: Version,
}

/// `GET /flags/{flag}/events?environment={env}&limit=N`, newest first.
#[derive(Debug, Clone, Deserialize)]
pub struct EventList {
    #[serde(default)]
    pub events: Vec<LoggedEvent>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LoggedEvent {
    pub id: u64,
    pub time: DateTime<Utc>,
    pub actor: String,
    pub summary: String,
}

/// An error answer: `{"error": {"code", "message"}}`, and on a version mismatch (409) the flag
/// as it is now.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ErrorDoc {
    #[serde(default)]
    pub error: ErrorBody,
    #[serde(default)]
    pub current: Option<FlagDoc>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
}
