//! `rollout schema stages|checklist`: the JSON Schema of a file format (the same text with or
//! without `--json`: it is JSON already).

use crate::domain::error::{Error, Result};
use crate::interface::output::Output;

pub fn run(_out: &Output, name: &str) -> Result<i32> {
    let text = crate::domain::schema::text(name).ok_or_else(|| {
        Error::usage(format!("there is no schema `{name}`")).with_hint(format!(
            "write one of: {}",
            crate::domain::schema::NAMES.join(", ")
        ))
    })?;
    // A closed stdout (`| head -1`) ends it quietly.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
    Ok(0)
}
