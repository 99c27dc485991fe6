//! How a journal record (docs/journal.md) becomes a store [`Entry`]: its id, scope and lane.
//! Every store and `rollout state push` use this one reading, so a record has the same id in
//! every store it is copied to.
//!
//! - A record with an `id` (a flag change's intent and outcome records, linked by it): the
//!   entry id is `{id}/{outcome}`, one per record (the intent and its outcome share `id`).
//! - A record without one (records of older versions, watch looks, gate alerts, checklist
//!   runs): `text-` and the SHA-1 of its compact JSON text, stable wherever it is read.
//!   Two byte-identical records without id are one record to a store they are pushed to.

use serde_json::Value;
use sha1::{Digest, Sha1};

use crate::ports::state::{Entry, Lane, Scope};

/// The prefix of an id derived from a record's text.
pub const DERIVED: &str = "text-";

/// The entry of journal record `body`.
#[must_use]
pub fn of(body: Value) -> Entry {
    Entry {
        id: id_of(&body),
        scope: scope_of(&body),
        lane: lane_of(&body),
        body,
    }
}

fn text<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

/// The entry id of `body` (see the module documentation).
#[must_use]
pub fn id_of(body: &Value) -> String {
    match (text(body, "id"), text(body, "outcome")) {
        (Some(id), Some(outcome)) => format!("{id}/{outcome}"),
        (Some(id), None) => id.to_string(),
        _ => derived_id(body),
    }
}

/// A stable id for a record that has none: from its compact JSON text (keys in their order).
#[must_use]
pub fn derived_id(body: &Value) -> String {
    let text = serde_json::to_string(body).unwrap_or_default();
    let digest = Sha1::digest(text.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{DERIVED}{hex}")
}

/// The flag and environment `body` is about; None for a checklist run or a record naming none.
#[must_use]
pub fn scope_of(body: &Value) -> Option<Scope> {
    if text(body, "action") == Some("checklist") {
        return None;
    }
    Some(Scope {
        flag: text(body, "flag")?.to_string(),
        environment: text(body, "environment")?.to_string(),
    })
}

/// Change for a flag change's records, Look for watch looks and gate alerts, Run for checklist
/// runs (and anything that names no flag).
#[must_use]
pub fn lane_of(body: &Value) -> Lane {
    match text(body, "action") {
        Some("watch" | "gate-alert") => Lane::Look,
        Some("checklist") => Lane::Run,
        _ if scope_of(body).is_some() => Lane::Change,
        _ => Lane::Run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_changes_intent_and_outcome_are_two_entries_of_one_scope() {
        let intent = json!({"action": "advance", "flag": "f", "environment": "production",
            "outcome": "intent", "id": "abc"});
        let mut applied = intent.clone();
        applied["outcome"] = "applied".into();
        let (i, a) = (of(intent), of(applied));
        assert_eq!(
            (i.id.as_str(), a.id.as_str()),
            ("abc/intent", "abc/applied")
        );
        assert_eq!(i.lane, Lane::Change);
        assert_eq!(i.scope, a.scope);
        assert_eq!(i.scope.unwrap().flag, "f");
    }

    #[test]
    fn records_without_id_get_one_from_their_text() {
        let look = json!({"action": "watch", "flag": "f", "environment": "e", "outcome": "look"});
        let run = json!({"action": "checklist", "checklist": "release", "outcome": "passed"});
        assert_eq!(id_of(&look), id_of(&look.clone()));
        assert!(id_of(&look).starts_with(DERIVED));
        assert_ne!(id_of(&look), id_of(&run));
        assert_eq!(lane_of(&look), Lane::Look);
        assert_eq!((lane_of(&run), scope_of(&run)), (Lane::Run, None));
    }
}
