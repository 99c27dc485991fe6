//! What the four change commands (advance, rollback, resume, kill) share: showing a decision's
//! warnings, refusing, asking its question, then having it applied and printing the outcome
//! (under `--dry-run`, the requests it would send).

use serde_json::{json, Value};

use crate::app::apply::{self, Outcome};
use crate::app::decide::{Decision, Override};
use crate::domain::error::Result;
use crate::domain::event::Event;
use crate::interface::cli::ForceArgs;
use crate::ports::provider::Request;

use super::session::Session;

/// Decide → show the warnings → refuse → ask and apply, or (`--dry-run`) plan and show the
/// dry run.
pub async fn carry_out(s: &Session, decision: Decision) -> Result<Outcome> {
    for w in &decision.warnings {
        s.out.warn(w);
    }
    if let Some(e) = decision.refused {
        return Err(e);
    }
    if s.dry_run {
        let outcome = apply::plan(s, decision)?;
        show_dry_run(s, &outcome);
        return Ok(outcome);
    }
    if let Some(q) = &decision.question {
        crate::interface::confirm::confirm(q, s.yes)?;
    }
    apply::change(s, decision).await
}

/// `--force` and `--reason` as the engine takes them (a blank reason is none).
pub fn override_of(force: &ForceArgs) -> Override {
    Override {
        force: force.force,
        reason: force.reason.clone().filter(|r| !r.trim().is_empty()),
    }
}

/// Prints a stage change (advance, rollback): `advanced f: internal → beta (10%) in production`
/// (the environment only where the provider has one).
pub fn report_move(s: &Session, verb: &str, outcome: &Outcome) -> Result<i32> {
    let e = &outcome.event;
    let line = format!(
        "{} {}: {} → {} ({}){}",
        s.out.green(verb),
        e.flag,
        e.from.as_deref().unwrap_or("not started"),
        s.out.bold(e.to.as_deref().unwrap_or("")),
        e.percentage.map(|p| p.to_string()).unwrap_or_default(),
        crate::domain::config::in_environment(&e.provider, &e.environment)
    );
    // A killed flag's stage moved (forced): it stays off until `resume`.
    let line = match &outcome.state {
        Some(st) if !outcome.dry_run && st.exists && !st.on => {
            format!("{line}; still KILLED: `rollout resume` turns it on at this stage")
        }
        _ => line,
    };
    report(s, outcome, &line)
}

/// Prints a change's result: a line for people, or the JSON document.
pub fn report(s: &Session, outcome: &Outcome, line: &str) -> Result<i32> {
    if s.out.json {
        s.out.json_doc(outcome_json(s, outcome));
    } else if !outcome.dry_run {
        s.out.data(line);
    }
    Ok(0)
}

/// Under `--dry-run`, a planned change for people: the requests, the notifications and the
/// record it would write (nothing when nothing would be sent, or under `--json`).
pub fn show_dry_run(s: &Session, outcome: &Outcome) {
    if !outcome.dry_run || outcome.event.outcome != "dry-run" || s.out.json {
        return;
    }
    let out = &s.out;
    out.data("dry run: nothing was changed. It would send:");
    for r in &outcome.requests {
        show_request(s, r);
    }
    for n in notifications(s, &outcome.event) {
        out.data(&format!("  POST {}", n["url"].as_str().unwrap_or_default()));
    }
    out.data("and record:");
    out.data(&indent(
        &serde_json::to_string_pretty(&outcome.event).unwrap_or_default(),
        4,
    ));
}

fn show_request(s: &Session, r: &Request) {
    s.out.data(&format!("  {} {}", r.method, r.url));
    for (name, value) in &r.headers {
        s.out.data(&format!("    {name}: {value}"));
    }
    if let Some(body) = &r.body {
        s.out.data(&indent(
            &serde_json::to_string_pretty(body).unwrap_or_default(),
            4,
        ));
    }
}

/// The notifications `event` would send: one POST per target.
fn notifications(s: &Session, ev: &Event) -> Vec<Value> {
    s.config
        .notify
        .iter()
        .map(|t| json!({"method": "POST", "url": t.label(), "body": crate::adapters::notify::payload(ev)}))
        .collect()
}

/// The `--json` document for a change.
#[must_use]
pub fn outcome_json(s: &Session, outcome: &Outcome) -> Value {
    let doc = crate::interface::json_out::rollout::Change {
        action: &outcome.event.action,
        dry_run: outcome.dry_run,
        event: &outcome.event,
        requests: outcome.dry_run.then_some(outcome.requests.as_slice()),
        notify: outcome
            .dry_run
            .then(|| s.config.notify.iter().map(|t| t.label()).collect()),
    };
    serde_json::to_value(&doc).unwrap_or_default()
}

fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines()
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
