//! A LaunchDarkly flag in one environment ↔ the engine's [`FlagState`], and the semantic patch
//! that moves it to a [`Desired`] state. Pure: no I/O.
//!
//! - the stage's percentage is the fallthrough rollout's weight on the "on" variation
//!   (thousandths of a percent, the unit of [`Percentage`]);
//! - listed users are individual targets (context kind `user`) on the "on" variation;
//! - listed groups are one rule: a single clause `user.group in [...]` serving "on";
//! - killed is targeting off (`turnFlagOff`): the fallthrough is kept, so resume brings back the
//!   same users.

use std::collections::BTreeMap;

use super::api::{Clause, Flag, FlagConfig, Instruction, Rule, VariationValue};
use crate::adapters::provider::{Desired, FlagState};
use crate::domain::config::Percentage;
use crate::domain::error::{Error, Result};
use crate::domain::exposure::Bucketing;

/// The context kind `rollout` targets.
pub const USER: &str = "user";
/// The context attribute a `groups:` rule matches.
pub const GROUP_ATTRIBUTE: &str = "group";

/// The flag as read, with what a patch needs: the variation ids and the group rule's id.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub on_index: usize,
    pub off_index: usize,
    pub on_id: String,
    pub off_id: String,
    pub config: FlagConfig,
    pub state: FlagState,
}

/// The `true`/`false` variations of a boolean flag, or the error that says what the flag has.
fn variations(flag: &Flag) -> Result<(usize, usize)> {
    let find = |want: bool| {
        flag.variations
            .iter()
            .position(|v| matches!(v.value, VariationValue::Bool(b) if b == want))
    };
    match (find(true), find(false), flag.variations.len()) {
        (Some(on), Some(off), 2) => Ok((on, off)),
        _ => {
            let shown: Vec<String> = flag
                .variations
                .iter()
                .map(|v| match &v.value {
                    VariationValue::Bool(b) => b.to_string(),
                    VariationValue::Other(o) => {
                        crate::adapters::provider::printable(&o.to_string(), 40)
                    }
                })
                .collect();
            Err(Error::provider(format!(
                "LaunchDarkly flag `{}` is not a boolean flag with the variations true and false; its variations are: {}",
                flag.key,
                if shown.is_empty() { "none".to_string() } else { shown.join(", ") }
            ))
.nothing_changed()
            .with_hint("rollout moves boolean flags: point `flag:` at a boolean flag (true/false variations)")
            .permanent())
        }
    }
}

/// Whether `rule` is the one `rollout` keeps for `groups:`.
fn is_group_rule(rule: &Rule, on: usize) -> bool {
    rule.variation == Some(on)
        && rule.rollout.is_none()
        && rule.clauses.len() == 1
        && rule.clauses[0].attribute == GROUP_ATTRIBUTE
        && rule.clauses[0].op == "in"
        && !rule.clauses[0].negate
        && rule.clauses[0].context_kind.as_deref().unwrap_or(USER) == USER
}

fn group_rule(config: &FlagConfig, on: usize) -> Option<&Rule> {
    config.rules.iter().find(|r| is_group_rule(r, on))
}

/// Reads the flag's configuration in `env` into the engine's terms.
pub fn parse(flag: &Flag, env: &str) -> Result<Parsed> {
    let (on_index, off_index) = variations(flag)?;
    let config = flag
        .environments
        .get(env)
        .cloned()
        .ok_or_else(|| Error::provider(format!("no environment `{env}`")))?;
    let rollout = config.fallthrough.as_ref().and_then(|f| f.rollout.as_ref());
    let percentage = match (
        rollout,
        config.fallthrough.as_ref().and_then(|f| f.variation),
    ) {
        (Some(r), _) => {
            let w: u32 = r
                .variations
                .iter()
                .filter(|v| v.variation == on_index)
                .map(|v| v.weight)
                .sum();
            Percentage::from_weight(w.min(100_000)).unwrap_or(Percentage::FULL)
        }
        (None, Some(v)) if v == on_index => Percentage::FULL,
        _ => Percentage::ZERO,
    };
    let mut users: Vec<String> = Vec::new();
    for t in config.targets.iter().chain(&config.context_targets) {
        if t.variation == on_index && t.context_kind.as_deref().unwrap_or(USER) == USER {
            for v in &t.values {
                if !users.contains(v) {
                    users.push(v.clone());
                }
            }
        }
    }
    let groups: Vec<String> = group_rule(&config, on_index)
        .map(|r| {
            r.clauses[0]
                .values
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .collect()
        })
        .unwrap_or_default();
    // Targeting off that serves `true` to everyone is no kill: it reads as on.
    let serves_true_when_off = config.off_variation == Some(on_index);
    let state = FlagState {
        exists: config.on || serves_true_when_off || rollout.is_some(),
        on: config.on || serves_true_when_off,
        percentage,
        stage: None,
        users,
        groups,
        since: None,
        killed_at: None,
        version: config.version.to_string(),
        revision: Some(config.version),
        detail: None,
        read_at: None,
    };
    Ok(Parsed {
        on_id: flag.variations[on_index].id.clone(),
        off_id: flag.variations[off_index].id.clone(),
        on_index,
        off_index,
        config,
        state,
    })
}

impl Parsed {
    /// LaunchDarkly's bucketing for this flag, or why it cannot be reproduced.
    pub fn bucketing(&self, flag_key: &str) -> std::result::Result<Bucketing, String> {
        let rollout = self
            .config
            .fallthrough
            .as_ref()
            .and_then(|f| f.rollout.as_ref());
        let mut on_first = self.on_index < self.off_index;
        let mut seed = None;
        if let Some(r) = rollout {
            if r.bucket_by.as_deref().is_some_and(|b| b != "key") {
                return Err(format!(
                    "the rollout buckets by the attribute `{}`, not the user key",
                    r.bucket_by.as_deref().unwrap_or_default()
                ));
            }
            if r.context_kind.as_deref().is_some_and(|k| k != USER) {
                return Err(format!(
                    "the rollout buckets by the context kind `{}`, not `user`",
                    r.context_kind.as_deref().unwrap_or_default()
                ));
            }
            if let (Some(on), Some(off)) = (
                r.variations
                    .iter()
                    .position(|v| v.variation == self.on_index),
                r.variations
                    .iter()
                    .position(|v| v.variation == self.off_index),
            ) {
                on_first = on < off;
            }
            seed = r.seed;
        }
        Ok(Bucketing::LaunchDarkly {
            flag_key: flag_key.to_string(),
            salt: self.config.salt.clone(),
            seed,
            on_first,
        })
    }

    /// The instructions that make this flag `desired`, in order; empty when it already is.
    #[must_use]
    pub fn instructions(&self, desired: &Desired) -> Vec<Instruction> {
        // Targeting off serves the off variation: unless that is `false` (LaunchDarkly allows
        // `true`, or none, which serves the app's coded default), off is no kill.
        let off_fix = (self.config.off_variation != Some(self.off_index)).then(|| {
            Instruction::UpdateOffVariation {
                variation_id: self.off_id.clone(),
            }
        });
        if !desired.on && !desired.moves(&self.state) {
            // The kill switch: targeting off, so resume serves the same users.
            return off_fix
                .into_iter()
                .chain([Instruction::TurnFlagOff])
                .collect();
        }
        let mut out: Vec<Instruction> = off_fix.into_iter().collect();
        out.extend(self.rollout_instruction(desired));
        out.extend(self.target_instructions(desired));
        out.extend(self.group_instructions(desired));
        if desired.on && !self.config.on {
            // Last: the rollout is in place before anyone is served it.
            out.push(Instruction::TurnFlagOn);
        } else if !desired.on && self.config.on {
            // A killed flag's stage moved (forced): it stays off.
            out.push(Instruction::TurnFlagOff);
        }
        out
    }

    /// The fallthrough rollout at the desired percentage, unless it is already served: as a
    /// rollout at that percentage, or at 100% as any fallthrough.
    fn rollout_instruction(&self, desired: &Desired) -> Option<Instruction> {
        let is_rollout = self
            .config
            .fallthrough
            .as_ref()
            .is_some_and(|f| f.rollout.is_some());
        let fixed_full = desired.percentage == Percentage::FULL && !is_rollout;
        if self.state.percentage == desired.percentage && (is_rollout || fixed_full) {
            return None;
        }
        let w = desired.percentage.weight();
        Some(Instruction::UpdateFallthroughVariationOrRollout {
            rollout_weights: BTreeMap::from([
                (self.on_id.clone(), w),
                (self.off_id.clone(), 100_000 - w),
            ]),
            rollout_context_kind: USER.to_string(),
        })
    }

    /// The users no longer desired removed from the on variation's targets, then the new ones
    /// added.
    fn target_instructions(&self, desired: &Desired) -> Vec<Instruction> {
        let now = &self.state;
        let add: Vec<String> = desired
            .users
            .iter()
            .filter(|u| !now.users.contains(u))
            .cloned()
            .collect();
        let remove: Vec<String> = now
            .users
            .iter()
            .filter(|u| !desired.users.contains(u))
            .cloned()
            .collect();
        let mut out = Vec::new();
        if !remove.is_empty() {
            out.push(Instruction::RemoveTargets {
                context_kind: USER.to_string(),
                values: remove,
                variation_id: self.on_id.clone(),
            });
        }
        if !add.is_empty() {
            out.push(Instruction::AddTargets {
                context_kind: USER.to_string(),
                values: add,
                variation_id: self.on_id.clone(),
            });
        }
        out
    }

    /// When the groups change: the group rule removed, and one for the desired groups added.
    fn group_instructions(&self, desired: &Desired) -> Vec<Instruction> {
        let now = &self.state;
        let same_groups = now.groups.len() == desired.groups.len()
            && desired.groups.iter().all(|g| now.groups.contains(g));
        let mut out = Vec::new();
        if same_groups {
            return out;
        }
        if let Some(rule) = group_rule(&self.config, self.on_index) {
            out.push(Instruction::RemoveRule {
                rule_id: rule.id.clone(),
            });
        }
        if !desired.groups.is_empty() {
            out.push(Instruction::AddRule {
                clauses: vec![Clause {
                    context_kind: Some(USER.to_string()),
                    attribute: GROUP_ATTRIBUTE.to_string(),
                    op: "in".to_string(),
                    values: desired
                        .groups
                        .iter()
                        .map(|g| serde_json::Value::String(g.clone()))
                        .collect(),
                    negate: false,
                }],
                variation_id: self.on_id.clone(),
            });
        }
        out
    }
}

/// What differs between two reads, for a conflict message: `on → off, 10% → 25%`.
#[must_use]
pub fn differences(before: &FlagState, after: &FlagState) -> Vec<String> {
    let mut out = Vec::new();
    let onoff = |b: bool| if b { "on" } else { "off" };
    if before.on != after.on {
        out.push(format!(
            "targeting {} → {}",
            onoff(before.on),
            onoff(after.on)
        ));
    }
    if before.percentage != after.percentage {
        out.push(format!(
            "rollout {} → {}",
            before.percentage, after.percentage
        ));
    }
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    if before.users != after.users {
        out.push(format!(
            "targeted users [{}] → [{}]",
            list(&before.users),
            list(&after.users)
        ));
    }
    if before.groups != after.groups {
        out.push(format!(
            "group rule [{}] → [{}]",
            list(&before.groups),
            list(&after.groups)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn flag(env: serde_json::Value) -> Flag {
        serde_json::from_value(json!({
            "key": "f",
            "variations": [{"_id": "on-id", "value": true}, {"_id": "off-id", "value": false}],
            "environments": {"production": env},
        }))
        .unwrap()
    }

    fn desired(on: bool, pct: u32, users: &[&str], groups: &[&str]) -> Desired {
        Desired {
            on,
            stage: "s".into(),
            percentage: Percentage::from_weight(pct).unwrap(),
            users: users.iter().map(|s| (*s).to_string()).collect(),
            groups: groups.iter().map(|s| (*s).to_string()).collect(),
            since: chrono::Utc::now(),
            killed_at: None,
        }
    }

    #[test]
    fn a_new_flag_is_not_started_and_its_first_stage_sets_everything_then_turns_on() {
        let p = parse(
            &flag(json!({"on": false, "version": 1, "salt": "s", "fallthrough": {"variation": 0}, "offVariation": 1})),
            "production",
        )
        .unwrap();
        assert!(
            !p.state.exists,
            "off with a fixed fallthrough: never rolled out"
        );
        let kinds: Vec<String> = p
            .instructions(&desired(true, 5000, &["u1"], &["g"]))
            .iter()
            .map(|i| {
                serde_json::to_value(i).unwrap()["kind"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "updateFallthroughVariationOrRollout",
                "addTargets",
                "addRule",
                "turnFlagOn"
            ]
        );
        // 100% on a fallthrough that already serves true needs no rollout.
        assert_eq!(
            p.instructions(&desired(true, 100_000, &[], &[])),
            vec![Instruction::TurnFlagOn]
        );
    }

    #[test]
    fn a_running_rollout_is_read_and_changed_by_difference_only() {
        let p = parse(
            &flag(json!({
                "on": true, "version": 9, "salt": "s", "offVariation": 1,
                "fallthrough": {"rollout": {"variations": [{"variation": 0, "weight": 10000}, {"variation": 1, "weight": 90000}], "seed": 61}},
                "targets": [{"values": ["u1", "u2"], "variation": 0}, {"values": ["x"], "variation": 1}],
                "rules": [
                    {"_id": "other", "clauses": [{"attribute": "country", "op": "in", "values": ["NZ"], "negate": false}], "variation": 0},
                    {"_id": "ours", "clauses": [{"contextKind": "user", "attribute": "group", "op": "in", "values": ["a"], "negate": false}], "variation": 0}
                ]
            })),
            "production",
        )
        .unwrap();
        assert!(p.state.exists && p.state.on);
        assert_eq!(p.state.percentage.weight(), 10_000);
        assert_eq!(
            p.state.users,
            ["u1", "u2"],
            "targets on false are not the beta list"
        );
        assert_eq!(p.state.groups, ["a"], "only the rule of rollout's shape");
        assert_eq!(p.state.version, "9");
        assert!(matches!(
            p.bucketing("f"),
            Ok(Bucketing::LaunchDarkly {
                seed: Some(61),
                on_first: true,
                ..
            })
        ));
        // Same stage, same audience: nothing to send.
        assert!(p
            .instructions(&desired(true, 10_000, &["u1", "u2"], &["a"]))
            .is_empty());
        // A user dropped, the groups changed: remove, then replace our rule (not the other one).
        assert_eq!(
            p.instructions(&desired(true, 10_000, &["u1"], &["a", "b"])),
            vec![
                Instruction::RemoveTargets {
                    context_kind: "user".into(),
                    values: vec!["u2".into()],
                    variation_id: "on-id".into()
                },
                Instruction::RemoveRule {
                    rule_id: "ours".into()
                },
                Instruction::AddRule {
                    clauses: vec![Clause {
                        context_kind: Some("user".into()),
                        attribute: "group".into(),
                        op: "in".into(),
                        values: vec![json!("a"), json!("b")],
                        negate: false,
                    }],
                    variation_id: "on-id".into(),
                },
            ]
        );
        // The kill switch is nothing but turnFlagOff.
        assert_eq!(
            p.instructions(&desired(false, 10_000, &["u1", "u2"], &["a"])),
            vec![Instruction::TurnFlagOff]
        );
    }

    #[test]
    fn a_kill_also_makes_off_serve_false_where_it_does_not() {
        let p = parse(
            &flag(json!({"on": true, "version": 2, "salt": "s", "fallthrough": {"variation": 0}, "offVariation": 0})),
            "production",
        )
        .unwrap();
        assert_eq!(
            p.instructions(&desired(false, 100_000, &[], &[])),
            vec![
                Instruction::UpdateOffVariation {
                    variation_id: "off-id".into()
                },
                Instruction::TurnFlagOff
            ]
        );
    }

    #[test]
    fn a_rollout_bucketed_by_another_attribute_is_not_guessed() {
        let p = parse(
            &flag(json!({
                "on": true, "version": 1, "salt": "s",
                "fallthrough": {"rollout": {"variations": [{"variation": 1, "weight": 50000}, {"variation": 0, "weight": 50000}], "bucketBy": "org"}}
            })),
            "production",
        )
        .unwrap();
        assert!(p.bucketing("f").unwrap_err().contains("`org`"));
    }
}
