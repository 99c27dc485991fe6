//! What a flag of the flags file serves, read from its targeting as flagd evaluates it: the parts
//! `rollout` writes (listed users, groups, the `fractional` split of `on` and `off`) and each part
//! it did not write (a rule, a variant, a default, a constant), one line for people each. The
//! percentage is the share of everyone (users in no list or group) served a variant whose value
//! is `true`, whatever wrote it: a targeting that serves `on` to everyone is 100%, not 0%.

use serde_json::{Map, Value};

use crate::domain::config::Percentage;

/// A flag's targeting, read.
#[derive(Debug, Default)]
pub struct Reading {
    pub users: Vec<String>,
    pub groups: Vec<String>,
    /// The share of everyone served `true`; None when a rule this reading cannot evaluate
    /// decides it.
    pub weight: Option<Percentage>,
    /// The flag has a targeting (else its default variant serves everyone).
    pub targeted: bool,
    /// What `rollout` did not write, one line each (`targeting rule 1 (`true`) serves `on` to
    /// everyone`); a write of `rollout` would replace each.
    pub foreign: Vec<String>,
}

/// Where everyone else (users in no list) ends up.
enum Base {
    Variant(String),
    Split(Vec<(String, u64)>),
    /// The default variant (no targeting, or a targeting that gives none).
    Default,
    /// A rule this reading cannot evaluate.
    Unknown,
}

struct Flag<'a> {
    variants: Option<&'a Map<String, Value>>,
    default: Option<&'a str>,
}

impl Flag<'_> {
    /// Whether variant `name` is served as `true`.
    fn truthy(&self, name: &str) -> bool {
        self.variants
            .and_then(|v| v.get(name))
            .is_some_and(|v| v == &Value::Bool(true))
    }
}

/// Reads `flag` (one entry of the file's `flags`).
#[must_use]
pub fn read(flag: &Value) -> Reading {
    let f = Flag {
        variants: flag.get("variants").and_then(Value::as_object),
        default: flag.get("defaultVariant").and_then(Value::as_str),
    };
    let mut r = Reading::default();
    let ours = f.variants.is_some_and(|v| {
        v.len() == 2 && f.truthy("on") && v.get("off") == Some(&Value::Bool(false))
    });
    if !ours {
        r.foreign.push(format!(
            "variants {}, where rollout writes on (true) and off (false)",
            snippet(flag.get("variants").unwrap_or(&Value::Null))
        ));
    }
    match f.default {
        Some("off") => {}
        Some(d) => r.foreign.push(format!(
            "defaultVariant `{}` serves `{0}` wherever the targeting gives no variant",
            short(d)
        )),
        None => r
            .foreign
            .push("no defaultVariant, where rollout writes `off`".to_string()),
    }
    let targeting = flag
        .get("targeting")
        .filter(|t| t.as_object().is_none_or(|o| !o.is_empty()));
    let base = match targeting {
        Some(t) => {
            r.targeted = true;
            walk(t, &mut r)
        }
        None => Base::Default,
    };
    r.weight = share(&base, &f);
    r
}

fn walk(t: &Value, r: &mut Reading) -> Base {
    match t {
        Value::Object(o) if o.len() == 1 && o.contains_key("if") => branches(&o["if"], r),
        Value::Object(o) if o.len() == 1 && o.contains_key("fractional") => {
            split(&o["fractional"], r)
        }
        Value::String(v) => {
            r.foreign
                .push(format!("the targeting serves `{}` to everyone", short(v)));
            Base::Variant(v.clone())
        }
        other => {
            r.foreign.push(format!(
                "a targeting rollout cannot read serves what `{}` gives",
                snippet(other)
            ));
            Base::Unknown
        }
    }
}

/// An `if`: condition and variant pairs, then what everyone else gets.
fn branches(items: &Value, r: &mut Reading) -> Base {
    let Some(items) = items.as_array() else {
        r.foreign.push(format!(
            "a targeting rollout cannot read serves what `{}` gives",
            snippet(&serde_json::json!({ "if": items }))
        ));
        return Base::Unknown;
    };
    let mut pairs = items.chunks_exact(2);
    for (rule, pair) in (&mut pairs).enumerate() {
        let (cond, value) = (&pair[0], &pair[1]);
        if value == "on" {
            if let Some(list) = listed(cond, "targetingKey") {
                r.users = list;
                continue;
            }
            if let Some(list) = listed(cond, "group") {
                r.groups = list;
                continue;
            }
        }
        let serves = served(value);
        let rule = rule + 1;
        match cond {
            Value::Bool(true) => {
                r.foreign.push(format!(
                    "targeting rule {rule} (`true`) serves {serves} to everyone"
                ));
                return branch_value(value, r);
            }
            Value::Bool(false) | Value::Null => r
                .foreign
                .push(format!("targeting rule {rule} never matches")),
            _ => r.foreign.push(format!(
                "targeting rule {rule} serves {serves} to the users `{}` matches",
                snippet(cond)
            )),
        }
    }
    match pairs.remainder() {
        [] | [Value::Null] => Base::Default,
        [last] => {
            if last.get("fractional").is_none() {
                r.foreign.push(format!(
                    "the targeting serves {} to everyone no rule matches",
                    served(last)
                ));
            }
            branch_value(last, r)
        }
        _ => Base::Unknown,
    }
}

/// What a branch of an `if` gives everyone it reaches.
fn branch_value(value: &Value, r: &mut Reading) -> Base {
    match value {
        Value::String(v) => Base::Variant(v.clone()),
        Value::Null => Base::Default,
        Value::Object(o) if o.len() == 1 && o.contains_key("fractional") => {
            split(&o["fractional"], r)
        }
        _ => Base::Unknown,
    }
}

/// A `fractional`: an optional bucketing expression, then `[variant, weight]` pairs.
fn split(args: &Value, r: &mut Reading) -> Base {
    let Some(args) = args.as_array() else {
        return Base::Unknown;
    };
    let mut pairs = Vec::new();
    for a in args {
        if let Some(pair) = a.as_array() {
            let name = pair.first().and_then(Value::as_str).unwrap_or_default();
            let weight = pair.get(1).and_then(Value::as_u64).unwrap_or(1);
            pairs.push((name.to_string(), weight));
        }
    }
    let total: u64 = pairs.iter().map(|(_, w)| w).sum();
    for (name, w) in &pairs {
        if name != "on" && name != "off" && total > 0 {
            let share = Percentage::from_weight(ratio(*w, total)).unwrap_or(Percentage::ZERO);
            r.foreign.push(format!(
                "the percentage split serves `{}` to {share} of everyone",
                short(name)
            ));
        }
    }
    Base::Split(pairs)
}

/// The share of everyone that `base` serves `true`.
fn share(base: &Base, f: &Flag<'_>) -> Option<Percentage> {
    let all = |on: bool| {
        Some(if on {
            Percentage::FULL
        } else {
            Percentage::ZERO
        })
    };
    match base {
        Base::Variant(v) => all(f.truthy(v)),
        Base::Default => all(f.default.is_some_and(|d| f.truthy(d))),
        Base::Split(pairs) => {
            let total: u64 = pairs.iter().map(|(_, w)| w).sum();
            let on: u64 = pairs
                .iter()
                .filter(|(n, _)| f.truthy(n))
                .map(|(_, w)| w)
                .sum();
            if total == 0 {
                return Some(Percentage::ZERO);
            }
            Percentage::from_weight(ratio(on, total))
        }
        Base::Unknown => None,
    }
}

/// `part` of `total` in 100000ths.
fn ratio(part: u64, total: u64) -> u32 {
    u32::try_from(u128::from(part) * 100_000 / u128::from(total.max(1))).unwrap_or(100_000)
}

/// The ids of `{"in": [{"var": VAR}, [ids]]}`, the list rule `rollout` writes.
fn listed(cond: &Value, var: &str) -> Option<Vec<String>> {
    let args = cond.get("in")?.as_array()?;
    let named = args.first()?.get("var")?.as_str()? == var;
    (named && args.len() == 2 && args[1].is_array()).then(|| super::super::strings(args.get(1)))
}

/// A branch's value for people: `` `on` ``, or what an expression gives.
fn served(value: &Value) -> String {
    match value {
        Value::String(v) => format!("`{}`", short(v)),
        other => format!("what `{}` gives", snippet(other)),
    }
}

/// A JSON value quoted in one short line, nothing a terminal interprets.
fn snippet(v: &Value) -> String {
    short(&serde_json::to_string(v).unwrap_or_default())
}

fn short(text: &str) -> String {
    let line = crate::domain::sanitize::one_line(text);
    crate::domain::sanitize::short(&line, 80).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn flag(targeting: Value) -> Value {
        json!({"state": "ENABLED", "variants": {"on": true, "off": false},
               "defaultVariant": "off", "targeting": targeting})
    }

    #[test]
    fn what_rollout_writes_is_all_its_own() {
        let r = read(&flag(json!({"if": [
            {"in": [{"var": "targetingKey"}, ["u1"]]}, "on",
            {"in": [{"var": "group"}, ["g"]]}, "on",
            {"fractional": [{"cat": [{"var": "$flagd.flagKey"}, {"var": "targetingKey"}]},
                            ["on", 10000], ["off", 90000]]}
        ]})));
        assert_eq!(r.foreign, Vec::<String>::new());
        assert_eq!((r.users, r.groups), (vec!["u1".into()], vec!["g".into()]));
        assert_eq!(r.weight, Percentage::from_weight(10_000));
    }

    #[test]
    fn what_rollout_did_not_write_is_named_and_counted_as_served() {
        let r = read(&flag(
            json!({"if": [true, "on", {"fractional": [["on", 1], ["off", 9]]}]}),
        ));
        assert_eq!(r.weight, Some(Percentage::FULL));
        assert_eq!(
            r.foreign,
            ["targeting rule 1 (`true`) serves `on` to everyone"]
        );
        let r = read(&flag(json!("on")));
        assert_eq!(r.weight, Some(Percentage::FULL));
        let mut f = flag(json!({"fractional": [["on", 1], ["beta", 1], ["off", 2]]}));
        f["variants"]["beta"] = json!(true);
        f["defaultVariant"] = json!("beta");
        let r = read(&f);
        assert_eq!(r.weight, Percentage::from_weight(50_000));
        assert_eq!(r.foreign.len(), 3, "{:?}", r.foreign);
        let r = read(&flag(
            json!({"if": [{"==": [{"var": "email"}, "a@b"]}, "on", "off"]}),
        ));
        assert_eq!(r.weight, Some(Percentage::ZERO));
        assert_eq!(
            r.foreign,
            [
                "targeting rule 1 serves `on` to the users `{\"==\":[{\"var\":\"email\"},\"a@b\"]}` matches",
                "the targeting serves `off` to everyone no rule matches"
            ]
        );
    }
}
