//! `rollout history`: the journal, newest first; flag changes beside checklist runs.

use serde_json::{json, Value};

use crate::context;
use crate::error::Result;
use crate::global_args::GlobalArgs;
use crate::journal;
use crate::output::Output;

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

/// One journal record as a line for people.
fn line(v: &Value) -> String {
    let time = text(v, "time")
        .parse::<chrono::DateTime<chrono::Utc>>()
        .map(crate::clock::stamp)
        .unwrap_or_else(|_| text(v, "time"));
    let action = text(v, "action");
    let body = if action == "checklist" {
        let mut s = format!("checklist {}: {}", text(v, "checklist"), text(v, "outcome"));
        if let Some(c) = v.get("counts") {
            s.push_str(&format!(
                " ({} passed, {} failed, {} skipped)",
                c["passed"], c["failed"], c["skipped"]
            ));
        }
        s
    } else {
        match serde_json::from_value::<journal::Event>(v.clone()) {
            Ok(e) => {
                let mut s = e.summary();
                if e.outcome != "applied" {
                    s.push_str(&format!(" [{}]", e.outcome));
                }
                s
            }
            Err(_) => v.to_string(),
        }
    };
    format!("{time}  {}  {body}", text(v, "actor"))
}

pub fn run(args: &GlobalArgs, out: &Output, limit: usize) -> Result<i32> {
    let config_path = crate::config::find(&context::start_dir(args)?)?;
    let dir = config_path.parent().map_or_else(
        || std::path::PathBuf::from("."),
        std::path::Path::to_path_buf,
    );
    let entries = journal::read(&dir)?;
    for (line_no, why) in &entries.damaged {
        out.warn(&format!(
            "{}:{line_no}: a damaged journal line was skipped ({why})",
            journal::path(&dir).display()
        ));
    }
    let newest: Vec<&Value> = entries.records.iter().rev().take(limit).collect();
    if out.json {
        out.json_doc(json!({
            "entries": newest,
            "total": entries.records.len(),
            "damaged": entries.damaged.iter().map(|(l, why)| json!({"line": l, "error": why})).collect::<Vec<_>>(),
        }));
        return Ok(0);
    }
    if newest.is_empty() {
        out.info("the journal is empty: no changes recorded yet");
    }
    for v in newest {
        out.data(&line(v));
    }
    Ok(0)
}
