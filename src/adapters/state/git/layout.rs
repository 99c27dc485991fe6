//! The files of the state branch (docs/team.md "## git"), schema version [`VERSION`]:
//!
//! - `VERSION`: the layout's version;
//! - `seq`: the sequence counter, the `seq` of the newest record;
//! - `records/FLAG/ENVIRONMENT/SEQ-LANE-ID.json`: one file per record of a scope, and
//!   `records/_runs/SEQ-LANE-ID.json` for records with no scope (checklist runs);
//! - `heads/FLAG/ENVIRONMENT`: the `seq` of the scope's newest change record;
//! - `leases/FLAG/ENVIRONMENT.json`: the newest lease granted on the scope.
//!
//! Names are percent-encoded so that any flag, environment or id is one safe path segment.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ports::state::{Entry, Lane, Scope, Stored};

/// The layout's version, in `VERSION`.
pub const VERSION: u32 = 1;

/// The directory of records with no scope.
const RUNS: &str = "_runs";

/// `text` as one path segment: ASCII letters, digits, `-` and `_` (not leading) and `.` (not
/// leading) kept, every other byte `%XX`.
#[must_use]
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, b) in text.bytes().enumerate() {
        let keep = b.is_ascii_alphanumeric() || b == b'-' || (i > 0 && (b == b'_' || b == b'.'));
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The text [`encode`] made `segment` from.
#[must_use]
pub fn decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = segment.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn scope_path(scope: &Scope) -> String {
    format!("{}/{}", encode(&scope.flag), encode(&scope.environment))
}

/// The directory of a scope's records (`records/_runs` for none).
#[must_use]
pub fn records_dir(scope: Option<&Scope>) -> String {
    match scope {
        Some(scope) => format!("records/{}", scope_path(scope)),
        None => format!("records/{RUNS}"),
    }
}

/// The file of one record.
#[must_use]
pub fn record_path(seq: u64, entry: &Entry) -> String {
    format!(
        "{}/{seq:012}-{}-{}.json",
        records_dir(entry.scope.as_ref()),
        lane_name(entry.lane),
        encode(&entry.id)
    )
}

/// The file holding the seq of a scope's newest change record.
#[must_use]
pub fn head_path(scope: &Scope) -> String {
    format!("heads/{}", scope_path(scope))
}

/// The file of a scope's newest lease.
#[must_use]
pub fn lease_path(scope: &Scope) -> String {
    format!("leases/{}.json", scope_path(scope))
}

fn lane_name(lane: Lane) -> &'static str {
    match lane {
        Lane::Change => "change",
        Lane::Look => "look",
        Lane::Run => "run",
    }
}

fn lane_of(name: &str) -> Option<Lane> {
    match name {
        "change" => Some(Lane::Change),
        "look" => Some(Lane::Look),
        "run" => Some(Lane::Run),
        _ => None,
    }
}

/// A record file known by its path alone (from a listing of the tree).
#[derive(Debug, Clone, PartialEq)]
pub struct Name {
    pub seq: u64,
    pub lane: Lane,
    pub id: String,
    pub scope: Option<Scope>,
    /// The blob holding it.
    pub oid: String,
}

/// The record file at `path` (None: not a record file of this layout).
#[must_use]
pub fn parse_name(path: &str, oid: &str) -> Option<Name> {
    let rest = path.strip_prefix("records/")?;
    let parts: Vec<&str> = rest.split('/').collect();
    let (scope, file) = match parts.as_slice() {
        [runs, file] if *runs == RUNS => (None, *file),
        [flag, environment, file] => (
            Some(Scope {
                flag: decode(flag)?,
                environment: decode(environment)?,
            }),
            *file,
        ),
        _ => return None,
    };
    let stem = file.strip_suffix(".json")?;
    let (seq, rest) = stem.split_once('-')?;
    let (lane, id) = rest.split_once('-')?;
    Some(Name {
        seq: seq.parse().ok()?,
        lane: lane_of(lane)?,
        id: decode(id)?,
        scope,
        oid: oid.to_string(),
    })
}

/// A record file's content: the record with its place in the store's order and its time.
#[derive(Debug, Serialize, Deserialize)]
pub struct RecordFile {
    pub seq: u64,
    /// The committer time of the commit that stored it.
    pub at: DateTime<Utc>,
    pub id: String,
    pub scope: Option<Scope>,
    pub lane: Lane,
    pub body: Value,
}

impl RecordFile {
    #[must_use]
    pub fn new(seq: u64, at: DateTime<Utc>, entry: &Entry) -> RecordFile {
        RecordFile {
            seq,
            at,
            id: entry.id.clone(),
            scope: entry.scope.clone(),
            lane: entry.lane,
            body: entry.body.clone(),
        }
    }

    #[must_use]
    pub fn into_stored(self) -> Stored {
        Stored {
            seq: self.seq,
            at: self.at,
            entry: Entry {
                id: self.id,
                scope: self.scope,
                lane: self.lane,
                body: self.body,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_name_is_one_segment_and_comes_back() {
        for text in [
            "checkout-v2",
            "../etc",
            "a/b",
            "_runs",
            ".hidden",
            "ü space",
            "x%y",
        ] {
            let segment = encode(text);
            assert!(!segment.contains('/') && !segment.starts_with('.'));
            assert!(!segment.starts_with('_'));
            assert_eq!(decode(&segment).as_deref(), Some(text));
        }
    }

    #[test]
    fn record_paths_parse_back() {
        let entry = Entry {
            id: "01J-abc/def".into(),
            scope: Some(Scope {
                flag: "new-checkout".into(),
                environment: "prod".into(),
            }),
            lane: Lane::Change,
            body: Value::Null,
        };
        let path = record_path(42, &entry);
        assert_eq!(
            path,
            "records/new-checkout/prod/000000000042-change-01J-abc%2Fdef.json"
        );
        let name = parse_name(&path, "abc").unwrap();
        assert_eq!((name.seq, name.lane), (42, Lane::Change));
        assert_eq!((name.id.as_str(), name.scope), ("01J-abc/def", entry.scope));
        let run = Entry {
            scope: None,
            lane: Lane::Run,
            ..entry
        };
        let name = parse_name(&record_path(7, &run), "abc").unwrap();
        assert_eq!((name.seq, name.scope), (7, None));
    }
}
