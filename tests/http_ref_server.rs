//! A reference implementation of the `http` provider protocol (docs/http-provider.md), on
//! 127.0.0.1: one flag per environment, every request checked against the protocol (bearer token,
//! paths, the write body's fields and types, percentages with at most three decimals), writes
//! guarded by version (409 with the current flag on a mismatch; a write of the state the flag
//! already has is answered 200 whatever the version), and the event log.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use crate::http_server::{serve, Req, Resp};

pub const TOKEN: &str = "svc-7c1d-test-token";

#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    pub enabled: bool,
    pub percentage: f64,
    pub users: Vec<String>,
    pub groups: Vec<String>,
    pub version: u64,
    pub stage: Option<String>,
    pub since: Option<String>,
    pub killed_at: Option<String>,
    pub bucketing: Value,
}

impl Flag {
    #[must_use]
    pub fn fresh(bucketing: Value) -> Flag {
        Flag {
            enabled: false,
            percentage: 0.0,
            users: Vec::new(),
            groups: Vec::new(),
            version: 1,
            stage: None,
            since: None,
            killed_at: None,
            bucketing,
        }
    }

    fn doc(&self) -> Value {
        json!({
            "enabled": self.enabled,
            "percentage": self.percentage,
            "users": self.users,
            "groups": self.groups,
            "version": self.version,
            "stage": self.stage,
            "since": self.since,
            "killedAt": self.killed_at,
            "bucketing": self.bucketing,
        })
    }
}

type Mutation = Box<dyn FnOnce(&mut Flag) + Send>;

#[derive(Default)]
struct Inner {
    /// (flag key, environment) → flag
    flags: BTreeMap<(String, String), Flag>,
    events: Vec<(String, String, Value)>,
    requests: Vec<(String, String, u16)>,
    /// Someone else's change, applied right after the next GET of a flag is answered.
    after_get: Option<Mutation>,
    /// Answers 503 to this many requests first.
    failing: u32,
    /// A hostile service: answers this many valid PUTs 200 with the flag as it is (same
    /// version), applying nothing.
    ignoring: u32,
    /// Holds this many PUTs open this long before handling them (a slow write).
    slow_puts: Option<(u32, std::time::Duration)>,
}

pub struct Service {
    pub port: u16,
    inner: Arc<Mutex<Inner>>,
}

fn error(status: u16, code: &str, message: &str) -> Resp {
    Resp::json(
        status,
        &json!({"error": {"code": code, "message": message}}),
    )
}

fn field<'a>(body: &'a Value, key: &str) -> Result<&'a Value, String> {
    body.get(key)
        .ok_or_else(|| format!("missing field `{key}`"))
}

fn string_list(v: &Value, key: &str) -> Result<Vec<String>, String> {
    v.as_array()
        .ok_or_else(|| format!("`{key}` must be an array"))?
        .iter()
        .map(|s| {
            s.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("`{key}` must hold strings"))
        })
        .collect()
}

fn parse_write(body: &Value) -> Result<(u64, Flag), String> {
    let obj = body.as_object().ok_or("the body must be an object")?;
    let allowed = [
        "version",
        "enabled",
        "percentage",
        "users",
        "groups",
        "stage",
        "since",
        "killedAt",
        "comment",
    ];
    if let Some(k) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(format!("unknown field `{k}`"));
    }
    let version = match field(body, "version")? {
        Value::Number(n) => n
            .as_u64()
            .ok_or("version must be the number this service sent")?,
        Value::String(s) => s
            .parse()
            .map_err(|_| "version must be the one this service sent")?,
        _ => return Err("version must be a number or string".into()),
    };
    let percentage = field(body, "percentage")?
        .as_f64()
        .ok_or("percentage must be a number")?;
    if !(0.0..=100.0).contains(&percentage)
        || ((percentage * 1000.0).round() - percentage * 1000.0).abs() > 1e-6
    {
        return Err("percentage must be 0–100 with at most three decimals".into());
    }
    let comment = field(body, "comment")?
        .as_str()
        .ok_or("comment must be a string")?;
    if comment.is_empty() {
        return Err("comment must not be empty".into());
    }
    let text = |k: &str| -> Result<Option<String>, String> {
        match field(body, k)? {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s.clone())),
            _ => Err(format!("`{k}` must be a string or null")),
        }
    };
    Ok((
        version,
        Flag {
            enabled: field(body, "enabled")?
                .as_bool()
                .ok_or("enabled must be a boolean")?,
            percentage,
            users: string_list(field(body, "users")?, "users")?,
            groups: string_list(field(body, "groups")?, "groups")?,
            version,
            stage: Some(text("stage")?.ok_or("stage must be a string")?),
            since: text("since")?,
            killed_at: text("killedAt")?,
            bucketing: Value::Null,
        },
    ))
}

impl Service {
    /// A service holding `flag` in environment `production`, fresh (never rolled out).
    #[must_use]
    pub fn start(flag: &str, bucketing: Value) -> Service {
        let mut inner = Inner::default();
        inner
            .flags
            .insert((flag.into(), "production".into()), Flag::fresh(bucketing));
        let inner = Arc::new(Mutex::new(inner));
        let shared = Arc::clone(&inner);
        let port = serve(Arc::new(move |req: &Req| {
            let resp = Self::answer(&shared, req);
            let status = match &resp {
                Resp::Answer { status, .. } => *status,
                Resp::Hang(_) => 0,
            };
            shared
                .lock()
                .unwrap()
                .requests
                .push((req.method.clone(), req.path.clone(), status));
            resp
        }));
        Service { port, inner }
    }

    #[must_use]
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    #[must_use]
    pub fn flag(&self, key: &str) -> Flag {
        self.inner.lock().unwrap().flags[&(key.to_string(), "production".to_string())].clone()
    }

    /// The events posted for `key`, oldest first.
    #[must_use]
    pub fn events(&self, key: &str) -> Vec<Value> {
        self.inner
            .lock()
            .unwrap()
            .events
            .iter()
            .filter(|(k, _, _)| k == key)
            .map(|(_, _, e)| e.clone())
            .collect()
    }

    /// Every request received, as `METHOD PATH` (query left out), oldest first.
    #[must_use]
    pub fn requests(&self) -> Vec<String> {
        self.inner
            .lock()
            .unwrap()
            .requests
            .iter()
            .map(|(m, path, _)| format!("{m} {path}"))
            .collect()
    }

    #[must_use]
    pub fn writes(&self) -> usize {
        self.inner
            .lock()
            .unwrap()
            .requests
            .iter()
            .filter(|(m, _, _)| m == "PUT")
            .count()
    }

    pub fn change_after_next_read(&self, f: impl FnOnce(&mut Flag) + Send + 'static) {
        self.inner.lock().unwrap().after_get = Some(Box::new(f));
    }

    /// The next `n` writes are answered 200 with the flag unchanged, and not applied.
    pub fn ignore_next_writes(&self, n: u32) {
        self.inner.lock().unwrap().ignoring = n;
    }

    /// The next `n` writes are held open for `hold` without an answer (nothing applied).
    pub fn hang_next_writes(&self, n: u32, hold: std::time::Duration) {
        self.inner.lock().unwrap().slow_puts = Some((n, hold));
    }

    pub fn fail_next(&self, n: u32) {
        self.inner.lock().unwrap().failing = n;
    }

    fn answer(shared: &Arc<Mutex<Inner>>, req: &Req) -> Resp {
        let mut inner = shared.lock().unwrap();
        if inner.failing > 0 {
            inner.failing -= 1;
            return error(503, "unavailable", "try again");
        }
        if req.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
            return error(401, "unauthorized", "a valid bearer token is required");
        }
        let Some(env) = req.query.get("environment").cloned() else {
            return error(
                400,
                "bad_request",
                "the `environment` query parameter is required",
            );
        };
        let parts: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
        if let (Some((n, hold)), "PUT") = (inner.slow_puts, req.method.as_str()) {
            inner.slow_puts = (n > 1).then_some((n - 1, hold));
            return Resp::Hang(hold);
        }
        match (req.method.as_str(), parts.as_slice()) {
            ("GET", ["flags", key]) => get_flag(&mut inner, key, env),
            ("PUT", ["flags", key]) => put_flag(&mut inner, req, key, env),
            ("POST", ["flags", key, "events"]) => post_event(&mut inner, req, key, env),
            ("GET", ["flags", key, "events"]) => list_events(&inner, req, key, &env),
            _ => error(
                404,
                "not_found",
                "no such route in the rollout http protocol",
            ),
        }
    }
}

/// `GET /flags/{key}`: the flag in `env`, then the change a test queued for after the next read
/// (someone else's, with its event).
fn get_flag(inner: &mut Inner, key: &str, env: String) -> Resp {
    let id = (key.to_string(), env);
    let Some(flag) = inner.flags.get(&id).cloned() else {
        return error(404, "not_found", "no such flag");
    };
    if let Some(f) = inner.after_get.take() {
        let stored = inner.flags.get_mut(&id).unwrap();
        f(stored);
        stored.version += 1;
        inner.events.push((id.0.clone(), id.1.clone(), json!({
            "id": 900, "time": "2024-03-01T09:59:00Z", "actor": "ops@example.com", "summary": "changed in the admin UI",
        })));
    }
    Resp::json(200, &flag.doc())
}

/// `PUT /flags/{key}`: the flag written in `env` when the version matches (409 with the current
/// flag when not); writing what is already there changes nothing.
fn put_flag(inner: &mut Inner, req: &Req, key: &str, env: String) -> Resp {
    if !req
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/json"))
    {
        return error(415, "unsupported_media_type", "send application/json");
    }
    let id = (key.to_string(), env);
    let Some(current) = inner.flags.get(&id).cloned() else {
        return error(404, "not_found", "no such flag");
    };
    let body: Value = match serde_json::from_str(&req.body) {
        Ok(v) => v,
        Err(e) => return error(400, "bad_request", &format!("invalid JSON: {e}")),
    };
    let (version, mut wanted) = match parse_write(&body) {
        Ok(w) => w,
        Err(e) => return error(400, "bad_request", &e),
    };
    if inner.ignoring > 0 {
        inner.ignoring -= 1;
        return Resp::json(200, &current.doc());
    }
    let same = current.enabled == wanted.enabled
        && current.percentage == wanted.percentage
        && current.users == wanted.users
        && current.groups == wanted.groups
        && current.stage == wanted.stage;
    if same {
        return Resp::json(200, &current.doc());
    }
    if version != current.version {
        return Resp::json(
            409,
            &json!({"error": {"code": "version_mismatch", "message": format!("the flag is at version {}, not {version}", current.version)}, "current": current.doc()}),
        );
    }
    wanted.version = current.version + 1;
    wanted.bucketing = current.bucketing.clone();
    inner.flags.insert(id, wanted.clone());
    Resp::json(200, &wanted.doc())
}

/// `POST /flags/{key}/events`: an event logged for the flag in `env`, every field required.
fn post_event(inner: &mut Inner, req: &Req, key: &str, env: String) -> Resp {
    let body: Value = match serde_json::from_str(&req.body) {
        Ok(v) => v,
        Err(e) => return error(400, "bad_request", &format!("invalid JSON: {e}")),
    };
    for k in [
        "time",
        "actor",
        "summary",
        "stage",
        "percentage",
        "enabled",
        "version",
    ] {
        if body.get(k).is_none() {
            return error(400, "bad_request", &format!("an event needs `{k}`"));
        }
    }
    let n = inner.events.len() + 1;
    let mut logged =
        json!({"id": n, "time": body["time"], "actor": body["actor"], "summary": body["summary"]});
    logged["detail"] = body.clone();
    inner.events.push((key.to_string(), env, logged));
    Resp::json(201, &json!({"id": n}))
}

/// `GET /flags/{key}/events`: the flag's events in `env`, newest first, `limit` of them.
fn list_events(inner: &Inner, req: &Req, key: &str, env: &str) -> Resp {
    let limit: usize = req
        .query
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(50);
    let events: Vec<Value> = inner
        .events
        .iter()
        .rev()
        .filter(|(k, e, _)| k == key && e == env)
        .take(limit)
        .map(|(_, _, v)| json!({"id": v["id"], "time": v["time"], "actor": v["actor"], "summary": v["summary"]}))
        .collect();
    Resp::json(200, &json!({"events": events}))
}
