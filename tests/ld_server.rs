//! A LaunchDarkly contract server on 127.0.0.1: it keeps one project's flags, checks every
//! request against LaunchDarkly's documented API (REST v2 as described by its OpenAPI document,
//! launchdarkly/api-client-go api/openapi.yaml, and the semantic patch instructions documented on
//! `PATCH /api/v2/flags/{projectKey}/{featureFlagKey}`), and answers anything else the way
//! LaunchDarkly does: a 4xx with `{"code", "message"}`. Never a stub that accepts anything: a
//! request the real service would refuse fails here too. Faults (409, 405, 429 with reset headers,
//! 5xx, a hang) are answered on demand.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::http_server::{serve, Req, Resp};

pub const TOKEN: &str = "api-1b2c3d4e-test-token";
pub const PROJECT: &str = "web";
pub const ENV: &str = "production";
pub const ON_ID: &str = "8f6a2c1e-on";
pub const OFF_ID: &str = "3d9b7e40-off";
pub const SALT: &str = "b1f0c2d3salt";
const API_VERSION: &str = "20240415";
const SEMANTIC_PATCH: &str = "application/json; domain-model=launchdarkly.semanticpatch";

/// The fallthrough: a fixed variation (by index) or a rollout of (variation index, weight).
#[derive(Debug, Clone, PartialEq)]
pub enum Fall {
    Variation(usize),
    Rollout(Vec<(usize, u32)>, Option<i64>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub id: String,
    pub clauses: Vec<Value>,
    pub variation: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Env {
    pub on: bool,
    pub version: u64,
    pub salt: String,
    pub off_variation: usize,
    /// (variation index, user keys)
    pub targets: Vec<(usize, Vec<String>)>,
    pub rules: Vec<Rule>,
    pub fallthrough: Fall,
}

#[derive(Debug, Clone)]
pub struct Flag {
    pub key: String,
    pub version: u64,
    /// (`_id`, value)
    pub variations: Vec<(String, Value)>,
    pub envs: BTreeMap<String, Env>,
}

/// A boolean flag as LaunchDarkly creates it: targeting off, serving `true` on fallthrough,
/// `false` when off, in `production` and `test`.
#[must_use]
pub fn boolean_flag(key: &str) -> Flag {
    let env = Env {
        on: false,
        version: 1,
        salt: SALT.into(),
        off_variation: 1,
        targets: Vec::new(),
        rules: Vec::new(),
        fallthrough: Fall::Variation(0),
    };
    Flag {
        key: key.into(),
        version: 1,
        variations: vec![(ON_ID.into(), json!(true)), (OFF_ID.into(), json!(false))],
        envs: BTreeMap::from([(ENV.to_string(), env.clone()), ("test".to_string(), env)]),
    }
}

#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub body: String,
    pub status: u16,
}

pub enum Fault {
    Status(u16, Vec<(String, String)>, Value),
    Hang(Duration),
}

type Mutation = Box<dyn FnOnce(&mut Flag) + Send>;

#[derive(Default)]
struct Inner {
    flags: Vec<Flag>,
    /// Answered instead of the real thing by the next requests with that method.
    faults: Vec<(String, Fault)>,
    requests: Vec<Logged>,
    audit: Vec<Value>,
    /// Applied (as another person's change) right after the next flag GET is answered.
    after_get: Option<Mutation>,
    rules_made: u32,
    clock_ms: i64,
}

pub struct Ld {
    pub port: u16,
    inner: Arc<Mutex<Inner>>,
}

fn error(status: u16, code: &str, message: &str) -> Resp {
    Resp::json(status, &json!({"code": code, "message": message}))
}

fn now_ms() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

fn flag_json(flag: &Flag, only_env: Option<&str>) -> Value {
    let envs: Map<String, Value> = flag
        .envs
        .iter()
        .filter(|(name, _)| only_env.is_none_or(|o| o == name.as_str()))
        .map(|(name, e)| {
            let fallthrough = match &e.fallthrough {
                Fall::Variation(v) => json!({"variation": v}),
                Fall::Rollout(vs, seed) => {
                    let mut r = json!({
                        "variations": vs.iter().map(|(v, w)| json!({"variation": v, "weight": w})).collect::<Vec<_>>(),
                        "contextKind": "user",
                    });
                    if let Some(s) = seed {
                        r["seed"] = json!(s);
                    }
                    json!({"rollout": r})
                }
            };
            (
                name.clone(),
                json!({
                    "on": e.on,
                    "archived": false,
                    "salt": e.salt,
                    "sel": "0f1e2d",
                    "lastModified": 1_700_000_000_000_i64,
                    "version": e.version,
                    "targets": e.targets.iter().map(|(v, vals)| json!({"contextKind": "user", "values": vals, "variation": v})).collect::<Vec<_>>(),
                    "contextTargets": [],
                    "rules": e.rules.iter().map(|r| json!({"_id": r.id, "clauses": r.clauses, "variation": r.variation, "trackEvents": false})).collect::<Vec<_>>(),
                    "fallthrough": fallthrough,
                    "offVariation": e.off_variation,
                    "prerequisites": [],
                    "_site": {"href": "/", "type": "text/html"},
                    "_environmentName": name,
                    "trackEvents": false,
                    "trackEventsFallthrough": false,
                }),
            )
        })
        .collect();
    json!({
        "key": flag.key,
        "name": flag.key,
        "kind": "boolean",
        "_version": flag.version,
        "variations": flag.variations.iter().map(|(id, v)| json!({"_id": id, "value": v})).collect::<Vec<_>>(),
        "environments": envs,
    })
}

/// Checks that `obj` has only `allowed` keys and every one of `required`.
fn keys(
    obj: &Map<String, Value>,
    allowed: &[&str],
    required: &[&str],
    what: &str,
) -> Result<(), String> {
    for k in obj.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(format!("{what}: unknown field `{k}`"));
        }
    }
    for r in required {
        if !obj.contains_key(*r) {
            return Err(format!("{what}: missing field `{r}`"));
        }
    }
    Ok(())
}

fn strings(v: Option<&Value>, what: &str) -> Result<Vec<String>, String> {
    let list = v
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{what} must be an array"))?;
    if list.is_empty() {
        return Err(format!("{what} must not be empty"));
    }
    list.iter()
        .map(|s| {
            s.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("{what} must hold strings"))
        })
        .collect()
}

fn variation_index(flag: &Flag, id: Option<&Value>) -> Result<usize, String> {
    let id = id
        .and_then(Value::as_str)
        .ok_or("variationId must be a string")?;
    flag.variations
        .iter()
        .position(|(v, _)| v == id)
        .ok_or_else(|| format!("unknown variation id {id}"))
}

/// Applies one semantic patch instruction to `env`, as LaunchDarkly documents it.
fn apply(flag: &Flag, env: &mut Env, ins: &Value, rules_made: &mut u32) -> Result<(), String> {
    let obj = ins.as_object().ok_or("an instruction must be an object")?;
    let kind = obj
        .get("kind")
        .and_then(Value::as_str)
        .ok_or("an instruction needs `kind`")?;
    match kind {
        "turnFlagOn" | "turnFlagOff" => {
            keys(obj, &["kind"], &[], kind)?;
            env.on = kind == "turnFlagOn";
        }
        "updateFallthroughVariationOrRollout" => {
            keys(
                obj,
                &[
                    "kind",
                    "variationId",
                    "rolloutWeights",
                    "rolloutBucketBy",
                    "rolloutContextKind",
                ],
                &[],
                kind,
            )?;
            env.fallthrough = fallthrough(flag, obj, kind)?;
        }
        "addTargets" | "removeTargets" => targets(flag, env, obj, kind)?,
        "addRule" => add_rule(flag, env, obj, kind, rules_made)?,
        "updateOffVariation" => {
            keys(obj, &["kind", "variationId"], &["variationId"], kind)?;
            env.off_variation = variation_index(flag, obj.get("variationId"))?;
        }
        "removeRule" => {
            keys(obj, &["kind", "ruleId"], &["ruleId"], kind)?;
            let id = obj
                .get("ruleId")
                .and_then(Value::as_str)
                .ok_or("ruleId must be a string")?;
            // As LaunchDarkly: removing a rule that is not there is an error (a retried patch
            // whose first try applied gets it).
            if !env.rules.iter().any(|r| r.id == id) {
                return Err(format!("no rule with id {id}"));
            }
            env.rules.retain(|r| r.id != id);
        }
        other => return Err(format!("unknown instruction kind `{other}`")),
    }
    Ok(())
}

/// The fallthrough `updateFallthroughVariationOrRollout` sets: one variation, or a rollout
/// whose weights sum to 100000.
fn fallthrough(flag: &Flag, obj: &Map<String, Value>, kind: &str) -> Result<Fall, String> {
    match (obj.get("variationId"), obj.get("rolloutWeights")) {
        (Some(v), None) => Ok(Fall::Variation(variation_index(flag, Some(v))?)),
        (None, Some(w)) => {
            let w = w.as_object().ok_or("rolloutWeights must be an object")?;
            let mut vs = Vec::new();
            let mut sum = 0u64;
            for (id, weight) in w {
                let i = variation_index(flag, Some(&json!(id)))?;
                let weight = weight
                    .as_u64()
                    .filter(|w| *w <= 100_000)
                    .ok_or("rollout weights are integers from 0 to 100000")?;
                sum += weight;
                vs.push((i, u32::try_from(weight).unwrap()));
            }
            if sum != 100_000 {
                return Err(format!("rollout weights must sum to 100000, not {sum}"));
            }
            if let Some(k) = obj.get("rolloutContextKind") {
                if k.as_str() != Some("user") {
                    return Err("unknown context kind".into());
                }
            }
            vs.sort_unstable();
            Ok(Fall::Rollout(vs, None))
        }
        _ => Err(format!(
            "{kind} needs exactly one of variationId or rolloutWeights"
        )),
    }
}

/// `addTargets` or `removeTargets`: user keys added to or removed from a variation's targets;
/// a key may be targeted in one variation only.
fn targets(flag: &Flag, env: &mut Env, obj: &Map<String, Value>, kind: &str) -> Result<(), String> {
    keys(
        obj,
        &["kind", "values", "contextKind", "variationId"],
        &["values", "variationId"],
        kind,
    )?;
    if obj
        .get("contextKind")
        .is_some_and(|k| k.as_str() != Some("user"))
    {
        return Err("rollout's tests only know the `user` context kind".into());
    }
    let values = strings(obj.get("values"), "values")?;
    let v = variation_index(flag, obj.get("variationId"))?;
    if kind == "addTargets" {
        for (other, vals) in &env.targets {
            if *other != v && values.iter().any(|x| vals.contains(x)) {
                return Err("a context key cannot be targeted in two variations".into());
            }
        }
        match env.targets.iter_mut().find(|(i, _)| *i == v) {
            Some((_, vals)) => {
                for x in values {
                    if !vals.contains(&x) {
                        vals.push(x);
                    }
                }
            }
            None => env.targets.push((v, values)),
        }
    } else if let Some((_, vals)) = env.targets.iter_mut().find(|(i, _)| *i == v) {
        vals.retain(|x| !values.contains(x));
    }
    env.targets.retain(|(_, vals)| !vals.is_empty());
    Ok(())
}

/// `addRule`: a rule of lower-case clauses serving a variation, with the next rule id.
fn add_rule(
    flag: &Flag,
    env: &mut Env,
    obj: &Map<String, Value>,
    kind: &str,
    rules_made: &mut u32,
) -> Result<(), String> {
    keys(
        obj,
        &[
            "kind",
            "clauses",
            "variationId",
            "beforeRuleId",
            "description",
        ],
        &["clauses", "variationId"],
        kind,
    )?;
    let clauses = obj
        .get("clauses")
        .and_then(Value::as_array)
        .ok_or("clauses must be an array")?;
    if clauses.is_empty() {
        return Err("a rule needs at least one clause".into());
    }
    for c in clauses {
        let c = c.as_object().ok_or("a clause must be an object")?;
        keys(
            c,
            &["contextKind", "attribute", "op", "values", "negate"],
            &["attribute", "op", "values", "negate"],
            "clause",
        )?;
        let op = c
            .get("op")
            .and_then(Value::as_str)
            .ok_or("op must be a string")?;
        if op != op.to_lowercase() {
            return Err("op must be lower-case".into());
        }
        if !c.get("negate").is_some_and(Value::is_boolean) {
            return Err("negate must be a boolean".into());
        }
        if !c.get("values").is_some_and(Value::is_array) {
            return Err("clause values must be an array".into());
        }
    }
    let v = variation_index(flag, obj.get("variationId"))?;
    *rules_made += 1;
    env.rules.push(Rule {
        id: format!("rule-{rules_made:04}"),
        clauses: clauses.clone(),
        variation: v,
    });
    Ok(())
}

impl Ld {
    /// A server holding `flags` in project `web`.
    #[must_use]
    pub fn start(flags: Vec<Flag>) -> Ld {
        let inner = Arc::new(Mutex::new(Inner {
            flags,
            clock_ms: now_ms(),
            ..Inner::default()
        }));
        let shared = Arc::clone(&inner);
        let port = serve(Arc::new(move |req: &Req| Self::handle(&shared, req)));
        Ld { port, inner }
    }

    #[must_use]
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Dates the next audit entries from `rfc3339` on (one second apart), for tests that pin
    /// the clock (`ROLLOUT_TEST_NOW`, `ROLLOUT_NOW`).
    pub fn set_clock(&self, rfc3339: &str) {
        self.inner.lock().unwrap().clock_ms = chrono::DateTime::parse_from_rfc3339(rfc3339)
            .unwrap()
            .timestamp_millis();
    }

    /// The next request with `method` gets `fault` instead of its answer.
    pub fn fail(&self, method: &str, fault: Fault) {
        self.inner
            .lock()
            .unwrap()
            .faults
            .push((method.into(), fault));
    }

    /// alice changes the flag in LaunchDarkly right after the next flag read is answered.
    pub fn change_after_next_read(&self, f: impl FnOnce(&mut Env) + Send + 'static) {
        self.inner.lock().unwrap().after_get = Some(Box::new(move |flag: &mut Flag| {
            let env = flag.envs.get_mut(ENV).unwrap();
            f(env);
            env.version += 1;
            flag.version += 1;
        }));
    }

    /// Someone changes the flag in LaunchDarkly now (version moves, audit entry by `who`).
    pub fn change(&self, who: &str, comment: &str, f: impl FnOnce(&mut Env)) {
        let mut inner = self.inner.lock().unwrap();
        let flag = &mut inner.flags[0];
        let key = flag.key.clone();
        let env = flag.envs.get_mut(ENV).unwrap();
        f(env);
        env.version += 1;
        flag.version += 1;
        inner.clock_ms += 1000;
        let date = inner.clock_ms;
        inner
            .audit
            .push(audit_entry(&key, date, who, comment, "updated the flag"));
    }

    /// The flag as `GET /api/v2/flags/web/{key}` answers it now.
    #[must_use]
    pub fn flag_json(&self) -> Value {
        flag_json(&self.inner.lock().unwrap().flags[0], None)
    }

    /// The flag's `production` environment now.
    #[must_use]
    pub fn env(&self) -> Env {
        self.inner.lock().unwrap().flags[0].envs[ENV].clone()
    }

    #[must_use]
    pub fn requests(&self) -> Vec<Logged> {
        self.inner.lock().unwrap().requests.clone()
    }

    /// The bodies of the PATCH requests received, parsed.
    #[must_use]
    pub fn patches(&self) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == "PATCH")
            .map(|r| serde_json::from_str(&r.body).unwrap())
            .collect()
    }

    /// The instruction kinds of every PATCH received.
    #[must_use]
    pub fn patch_kinds(&self) -> Vec<Vec<String>> {
        self.patches()
            .iter()
            .map(|p| {
                p["instructions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["kind"].as_str().unwrap().to_string())
                    .collect()
            })
            .collect()
    }

    fn handle(inner: &Arc<Mutex<Inner>>, req: &Req) -> Resp {
        let resp = Self::answer(inner, req);
        let status = match &resp {
            Resp::Answer { status, .. } => *status,
            Resp::Hang(_) => 0,
        };
        inner.lock().unwrap().requests.push(Logged {
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.query.clone(),
            body: req.body.clone(),
            status,
        });
        resp
    }

    fn answer(shared: &Arc<Mutex<Inner>>, req: &Req) -> Resp {
        let mut inner = shared.lock().unwrap();
        if let Some(i) = inner.faults.iter().position(|(m, _)| *m == req.method) {
            let (_, fault) = inner.faults.remove(i);
            return match fault {
                Fault::Hang(d) => Resp::Hang(d),
                Fault::Status(status, headers, body) => {
                    let mut r = Resp::json(status, &body);
                    for (k, v) in headers {
                        r = r.with_header(&k, &v);
                    }
                    r
                }
            };
        }
        if req.header("authorization") != Some(TOKEN) {
            return error(401, "unauthorized", "Invalid access token");
        }
        if req.header("ld-api-version") != Some(API_VERSION) {
            return error(
                400,
                "invalid_request",
                "LD-API-Version must be 20240415 for this contract",
            );
        }
        let parts: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
        match (req.method.as_str(), parts.as_slice()) {
            ("GET", ["api", "v2", "flags", project]) => list_flags(&inner, req, project),
            ("GET", ["api", "v2", "flags", project, key]) => {
                get_flag(&mut inner, req, project, key)
            }
            ("PATCH", ["api", "v2", "flags", project, key]) => {
                patch_flag(&mut inner, req, project, key)
            }
            ("GET", ["api", "v2", "auditlog"]) => audit_log(&inner, req),
            _ => error(
                404,
                "not_found",
                "no such resource in LaunchDarkly's REST API v2",
            ),
        }
    }
}

/// `GET /api/v2/flags/{project}`: the flags' keys and names.
fn list_flags(inner: &Inner, req: &Req, project: &str) -> Resp {
    if req.query.keys().any(|k| k != "summary") {
        return error(400, "invalid_request", "unexpected query parameter");
    }
    if project != PROJECT {
        return error(404, "not_found", "Unknown project");
    }
    let items: Vec<Value> = inner
        .flags
        .iter()
        .map(|f| json!({"key": f.key, "name": f.key}))
        .collect();
    Resp::json(
        200,
        &json!({"items": items, "totalCount": items.len(), "_links": {}}),
    )
}

/// `GET /api/v2/flags/{project}/{key}`: the flag, then the change a test queued for after the
/// next read (another person's, in the audit log).
fn get_flag(inner: &mut Inner, req: &Req, project: &str, key: &str) -> Resp {
    if req.query.keys().any(|k| k != "env") {
        return error(400, "invalid_request", "unexpected query parameter");
    }
    let Some(flag) = inner
        .flags
        .iter()
        .find(|f| project == PROJECT && f.key == key)
        .cloned()
    else {
        return error(404, "not_found", "Unknown resource");
    };
    let resp = Resp::json(
        200,
        &flag_json(&flag, req.query.get("env").map(String::as_str)),
    );
    if let Some(mutate) = inner.after_get.take() {
        let i = inner.flags.iter().position(|f| f.key == key).unwrap();
        mutate(&mut inner.flags[i]);
        inner.clock_ms += 1000;
        let date = inner.clock_ms;
        inner.audit.push(audit_entry(
            key,
            date,
            "alice@example.com",
            "",
            "updated the flag",
        ));
    }
    resp
}

/// A semantic patch's body, checked: the environment key, the comment and the instructions.
struct Patch {
    env_key: String,
    comment: String,
    instructions: Vec<Value>,
}

/// The body of a semantic patch, or the 400 LaunchDarkly answers: an object of exactly
/// `environmentKey`, `comment` (not empty) and `instructions` (a non-empty array).
fn patch_body(req: &Req) -> Result<Patch, Resp> {
    let body: Value = match serde_json::from_str(&req.body) {
        Ok(v) => v,
        Err(e) => return Err(error(400, "invalid_request", &format!("invalid JSON: {e}"))),
    };
    let Some(obj) = body.as_object() else {
        return Err(error(400, "invalid_request", "the body must be an object"));
    };
    if let Err(e) = keys(
        obj,
        &["environmentKey", "comment", "instructions"],
        &["environmentKey", "comment", "instructions"],
        "semantic patch",
    ) {
        return Err(error(400, "invalid_request", &e));
    }
    let env_key = obj["environmentKey"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let comment = obj["comment"].as_str().unwrap_or_default().to_string();
    if comment.is_empty() {
        return Err(error(
            400,
            "invalid_request",
            "rollout's contract: every write carries a comment",
        ));
    }
    Ok(Patch {
        env_key,
        comment,
        instructions: obj["instructions"].as_array().cloned().unwrap_or_default(),
    })
}

/// `PATCH /api/v2/flags/{project}/{key}`: a semantic patch applied to one environment, all of
/// it or nothing; with `dryRun=true` the flag as it would be, unchanged.
fn patch_flag(inner: &mut Inner, req: &Req, project: &str, key: &str) -> Resp {
    if req.header("content-type") != Some(SEMANTIC_PATCH) {
        return error(
            400,
            "invalid_request",
            "rollout's writes are semantic patches: wrong Content-Type",
        );
    }
    if req
        .query
        .keys()
        .any(|k| k != "dryRun" && k != "ignoreConflicts")
    {
        return error(400, "invalid_request", "unexpected query parameter");
    }
    let Some(i) = inner
        .flags
        .iter()
        .position(|f| project == PROJECT && f.key == key)
    else {
        return error(404, "not_found", "Unknown resource");
    };
    let Patch {
        env_key,
        comment,
        instructions,
    } = match patch_body(req) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let flag = inner.flags[i].clone();
    let Some(mut env) = flag.envs.get(&env_key).cloned() else {
        return error(400, "invalid_request", "unknown environment key");
    };
    if instructions.is_empty() {
        return error(
            400,
            "invalid_request",
            "instructions must be a non-empty array",
        );
    }
    let mut rules_made = inner.rules_made;
    for ins in &instructions {
        if let Err(e) = apply(&flag, &mut env, ins, &mut rules_made) {
            return error(400, "invalid_request", &e);
        }
    }
    if req.query.get("dryRun").map(String::as_str) == Some("true") {
        let mut preview = flag.clone();
        preview.envs.insert(env_key, env);
        return Resp::json(200, &flag_json(&preview, None));
    }
    inner.rules_made = rules_made;
    env.version += 1;
    let flag = &mut inner.flags[i];
    flag.envs.insert(env_key, env);
    flag.version += 1;
    let out = flag_json(flag, None);
    inner.clock_ms += 1000;
    let date = inner.clock_ms;
    let kinds: Vec<&str> = instructions
        .iter()
        .filter_map(|i| i["kind"].as_str())
        .collect();
    inner
        .audit
        .push(audit_entry(key, date, "", &comment, &kinds.join(", ")));
    Resp::json(200, &out)
}

/// `GET /api/v2/auditlog`: the flag's entries that `spec` names, newest first, `limit` of them.
fn audit_log(inner: &Inner, req: &Req) -> Resp {
    if req
        .query
        .keys()
        .any(|k| !["before", "after", "q", "limit", "spec"].contains(&k.as_str()))
    {
        return error(400, "invalid_request", "unexpected query parameter");
    }
    let limit: usize = match req.query.get("limit").map(|l| l.parse()) {
        None => 10,
        Some(Ok(n)) if (1..=20).contains(&n) => n,
        _ => return error(400, "invalid_request", "limit must be between 1 and 20"),
    };
    let spec = req.query.get("spec").cloned().unwrap_or_default();
    let Some(flag_key) = spec
        .strip_prefix(&format!("proj/{PROJECT}:env/{ENV}:flag/"))
        .map(str::to_string)
    else {
        return error(400, "invalid_request", "spec must be proj/P:env/E:flag/F");
    };
    let items: Vec<Value> = inner
        .audit
        .iter()
        .rev()
        .filter(|e| e["name"] == json!(flag_key))
        .take(limit)
        .cloned()
        .collect();
    Resp::json(200, &json!({"items": items, "_links": {}}))
}

/// An audit log entry as `GET /api/v2/auditlog` lists it (`AuditLogEntryListingRep`): a person's
/// change when `who` is set, else one made with the API token.
fn audit_entry(flag: &str, date: i64, who: &str, comment: &str, what: &str) -> Value {
    let mut e = json!({
        "_id": format!("{date:x}"),
        "_accountId": "acct",
        "_links": {},
        "date": date,
        "accesses": [],
        "kind": "flag",
        "name": flag,
        "description": format!("* {what}"),
        "shortDescription": what,
        "titleVerb": "updated the flag",
    });
    if who.is_empty() {
        e["token"] = json!({"name": "rollout-ci", "ending": "oken"});
    } else {
        e["member"] = json!({"_id": "m1", "_links": {}, "email": who, "role": "writer"});
    }
    if !comment.is_empty() {
        e["comment"] = json!(comment);
    }
    e
}
