//! `http:` gates: a GET whose status must be `expect_status` (default 200); with `pointer:`,
//! the number at that JSON pointer of the body is compared with `max`/`min`.

use serde_json::Value;

use super::{plain, Env, Reading};
use crate::adapters::http_client::Call;

pub(super) async fn read(env: &Env<'_>, url: &str, expect: u16, pointer: Option<&str>) -> Reading {
    let client = match super::client(env, "the http gate", url) {
        Ok(c) => c,
        Err(e) => return Reading::Error(e.message),
    };
    // Every answer is the gate's answer (a 503 is a failing health check, not an outage to
    // retry); only a connection that fails is tried again.
    let call = Call::get("").accept(|_| true);
    let reply = match client.send(&call, env.deadline()).await {
        Ok(r) => r,
        Err(gave_up) => {
            return Reading::Error(super::gave_up_with(&gave_up, "check the gate's http url"))
        }
    };
    if reply.status != expect {
        return Reading::Failed(
            format!("status {}", reply.status),
            Some(f64::from(reply.status)),
        );
    }
    let Some(pointer) = pointer else {
        return Reading::Passed(format!("status {}", reply.status));
    };
    let body: Value = match reply.json() {
        Ok(v) => v,
        Err(e) => return Reading::Error(format!("{} ({e})", super::not_json(&reply))),
    };
    match body.pointer(pointer) {
        Some(Value::Number(n)) => n.as_f64().map_or_else(
            || Reading::Error("not a number".into()),
            |v| Reading::Value(v, None),
        ),
        Some(Value::String(s)) => match s.trim().parse::<f64>() {
            Ok(v) => Reading::Value(v, None),
            Err(_) => Reading::Error(format!("{pointer} is `{}`, not a number", plain(s, 40))),
        },
        Some(Value::Null) | None => Reading::NoData(format!("no value at {pointer}")),
        Some(other) => Reading::Error(format!(
            "{pointer} is {}, not a number",
            plain(&other.to_string(), 40)
        )),
    }
}
