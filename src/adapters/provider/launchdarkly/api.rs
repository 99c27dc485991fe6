//! LaunchDarkly REST API v2, the parts `rollout` reads and writes, as typed values (shapes from
//! LaunchDarkly's OpenAPI document, launchdarkly/api-client-go api/openapi.yaml: `FeatureFlag`,
//! `FeatureFlagConfig`, `Rollout`, `Rule`, `Clause`, `Target`, the semantic patch instructions of
//! `PATCH /api/v2/flags/{projectKey}/{featureFlagKey}`, `AuditLogEntryListingRep`, `Error`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The API version every request pins (`LD-API-Version`).
pub const API_VERSION: &str = "20240415";
/// The content type of a semantic patch.
pub const SEMANTIC_PATCH: &str = "application/json; domain-model=launchdarkly.semanticpatch";

/// `GET /api/v2/flags/{projectKey}/{featureFlagKey}?env=…`
#[derive(Debug, Clone, Deserialize)]
pub struct Flag {
    pub key: String,
    #[serde(default)]
    pub variations: Vec<Variation>,
    #[serde(default)]
    pub environments: BTreeMap<String, FlagConfig>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Variation {
    #[serde(rename = "_id")]
    pub id: String,
    pub value: VariationValue,
    #[serde(default)]
    pub name: Option<String>,
}

/// A variation's value: `rollout` manages boolean flags only.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum VariationValue {
    Bool(bool),
    Other(serde_json::Value),
}

/// A flag's configuration in one environment.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlagConfig {
    pub on: bool,
    pub version: u64,
    pub salt: String,
    #[serde(default)]
    pub off_variation: Option<usize>,
    #[serde(default)]
    pub targets: Vec<Target>,
    #[serde(default)]
    pub context_targets: Vec<Target>,
    #[serde(default)]
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub fallthrough: Option<Fallthrough>,
    /// Epoch milliseconds.
    #[serde(default)]
    pub last_modified: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    #[serde(default)]
    pub context_kind: Option<String>,
    #[serde(default)]
    pub values: Vec<String>,
    pub variation: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Rule {
    #[serde(rename = "_id", default)]
    pub id: String,
    #[serde(default)]
    pub clauses: Vec<Clause>,
    #[serde(default)]
    pub variation: Option<usize>,
    #[serde(default)]
    pub rollout: Option<Rollout>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Clause {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_kind: Option<String>,
    pub attribute: String,
    pub op: String,
    #[serde(default)]
    pub values: Vec<serde_json::Value>,
    #[serde(default)]
    pub negate: bool,
}

/// The fallthrough: a fixed variation or a percentage rollout.
#[derive(Debug, Clone, Deserialize)]
pub struct Fallthrough {
    #[serde(default)]
    pub variation: Option<usize>,
    #[serde(default)]
    pub rollout: Option<Rollout>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rollout {
    #[serde(default)]
    pub variations: Vec<WeightedVariation>,
    #[serde(default)]
    pub bucket_by: Option<String>,
    #[serde(default)]
    pub context_kind: Option<String>,
    #[serde(default)]
    pub seed: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WeightedVariation {
    pub variation: usize,
    pub weight: u32,
}

/// The body of a semantic patch.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SemanticPatch {
    pub environment_key: String,
    pub comment: String,
    pub instructions: Vec<Instruction>,
}

/// The instructions `rollout` sends.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Instruction {
    TurnFlagOn,
    TurnFlagOff,
    #[serde(rename_all = "camelCase")]
    UpdateFallthroughVariationOrRollout {
        /// Variation `_id` → weight in thousandths of a percent (the on variation first).
        rollout_weights: BTreeMap<String, u32>,
        rollout_context_kind: String,
    },
    #[serde(rename_all = "camelCase")]
    AddTargets {
        context_kind: String,
        values: Vec<String>,
        variation_id: String,
    },
    #[serde(rename_all = "camelCase")]
    RemoveTargets {
        context_kind: String,
        values: Vec<String>,
        variation_id: String,
    },
    #[serde(rename_all = "camelCase")]
    AddRule {
        clauses: Vec<Clause>,
        variation_id: String,
    },
    #[serde(rename_all = "camelCase")]
    RemoveRule {
        rule_id: String,
    },
    /// What targeting off serves: `rollout` makes it `false` where it is not.
    #[serde(rename_all = "camelCase")]
    UpdateOffVariation {
        variation_id: String,
    },
}

/// LaunchDarkly's error body.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
}

/// `GET /api/v2/flags/{projectKey}?summary=true`: the project's flags, for "similar flags".
#[derive(Debug, Clone, Deserialize)]
pub struct FlagList {
    #[serde(default)]
    pub items: Vec<FlagKey>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FlagKey {
    pub key: String,
}

/// `GET /api/v2/auditlog?spec=…`
#[derive(Debug, Clone, Deserialize)]
pub struct AuditLog {
    #[serde(default)]
    pub items: Vec<AuditEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    #[serde(rename = "_id", default)]
    pub id: String,
    /// Epoch milliseconds.
    pub date: i64,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub title_verb: Option<String>,
    #[serde(default)]
    pub short_description: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub member: Option<Member>,
    #[serde(default)]
    pub token: Option<TokenSummary>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TokenSummary {
    #[serde(default)]
    pub name: Option<String>,
}
