//! One named step of the rollout plan.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::NaiveDate;

use super::format;
use super::{gate, Percentage, ProviderKind};
use crate::domain::diagnostic::Pos;
use crate::domain::keys::Keys;
use crate::domain::yaml::{Node, Value};
use crate::domain::yaml_reader::{did_you_mean, Fields, Reader};

/// One stage as read, validated; also its format in the stages.yaml schema (src/schema/), where
/// each field is described as written.
#[derive(Debug, Clone, schemars::JsonSchema)]
#[schemars(deny_unknown_fields, description = "One named step of the plan.")]
pub struct Stage {
    /// The stage's name, typed as `rollout advance NAME` (no spaces or commas).
    #[schemars(regex(pattern = r"^[^\s,]+$"))]
    pub name: String,
    /// The share of users on, from 0 to 100 (whole numbers for Unleash; at most 3 decimals).
    #[schemars(with = "format::Percent")]
    pub percentage: Percentage,
    /// User groups on from this stage on (the context attribute `group`).
    #[schemars(with = "Option<format::OneOrMany>")]
    pub groups: Vec<String>,
    /// User ids on from this stage on.
    #[schemars(with = "Option<format::OneOrMany>")]
    pub users: Vec<String>,
    /// Planned start date (YYYY-MM-DD); advancing before it needs --force --reason.
    #[schemars(with = "Option<String>", extend("format" = "date"))]
    pub start: Option<NaiveDate>,
    /// Minimum soak before the next stage: 30m, 36h, 3d (default: none, the next stage may follow
    /// at once).
    #[schemars(with = "Option<format::Duration>")]
    pub duration: Option<Duration>,
    /// The gates that apply at this stage (default: every gate; `[]`: none).
    #[schemars(with = "Option<format::OneOrMany>")]
    pub gates: Option<Vec<String>>,
    #[schemars(skip)]
    pub pos: Pos,
}

pub(super) fn read_stages(
    r: &mut Reader,
    node: &Node,
    kind: ProviderKind,
    gates: &[&str],
) -> Vec<Stage> {
    let items = r.items(node, "stages", "stage", "- { name: full, percentage: 100 }");
    let mut stages: Vec<Stage> = Vec::new();
    // Each stage is checked against those before it through these, so validation stays linear.
    let mut lines: HashMap<String, usize> = HashMap::new();
    let mut last_start: Option<chrono::NaiveDate> = None;
    for (i, item) in items.iter().enumerate() {
        let what = format!("stage {}", i + 1);
        let Some(fields) = r.mapping(item, &what, format::Stage::keys()) else {
            continue;
        };
        let name = r.required(&fields, "name", &what, "beta").and_then(|n| {
            r.name(n, &format!("the name of {what}"))
                .map(|s| (s, n.pos))
        });
        let around = (stages.last().map(|s| s.percentage), upcoming(items, i));
        let percentage = stage_percentage(r, &fields, &what, around);
        let groups = fields
            .value("groups")
            .and_then(|n| r.string_list(n, &format!("`groups` of {what}")))
            .unwrap_or_default();
        let users = fields
            .value("users")
            .and_then(|n| r.string_list(n, &format!("`users` of {what}")))
            .unwrap_or_default();
        let start = fields
            .value("start")
            .and_then(|n| r.date(n, &format!("`start` of {what}")));
        let duration = fields
            .value("duration")
            .and_then(|n| r.duration(n, &format!("`duration` of {what}")));
        let stage_gates = fields
            .get("gates")
            .and_then(|n| gate::read_stage_gates(r, n, &what, gates));
        let (Some((name, name_pos)), Some((percentage, pct_pos))) = (name, percentage) else {
            continue;
        };
        if !name_ok(r, &lines, &name, name_pos) {
            continue;
        }
        check_percentage(r, kind, &name, percentage, pct_pos, stages.last());
        if let Some(prev_start) = last_start {
            if let Some(start) = start {
                if start < prev_start {
                    r.error(
                        fields.key_pos("start").unwrap_or(item.pos),
                        format!("stage `{name}` is planned to start on {start}, before an earlier stage ({prev_start})"),
                        "planned start dates must not go backwards",
                    );
                }
            }
        }
        check_audience(r, &what, &users, &groups);
        lines.insert(name.clone(), item.pos.line);
        last_start = start.or(last_start);
        stages.push(Stage {
            name,
            percentage,
            groups: groups.into_iter().map(|(s, _)| s).collect(),
            users: users.into_iter().map(|(s, _)| s).collect(),
            start,
            duration,
            gates: stage_gates,
            pos: item.pos,
        });
    }
    stages
}
/// The percentage of stage `what`. When it is missing, says so; a key that looks like a typo
/// of it (`percentge: 10`) then stands in with its value, so the stages after it are still
/// checked against it (the file is in error either way). `around`: the percentages of the
/// stages before and after it, which a suggested value must keep in order.
fn stage_percentage(
    r: &mut Reader,
    fields: &Fields<'_>,
    what: &str,
    around: (Option<Percentage>, Option<Percentage>),
) -> Option<(Percentage, Pos)> {
    let node = match fields.value("percentage") {
        Some(n) => n,
        None => {
            let example = percentage_example(around.0, around.1);
            r.required(fields, "percentage", what, &example);
            let (_, typo) = fields.typo_of("percentage")?;
            Reader::number_if_any(typo)?;
            typo
        }
    };
    read_percentage(r, node, what).map(|p| (p, node.pos))
}

/// The percentage stage `i + 1` is written with (or under a likely typo of the key), if any: the
/// bound a suggested percentage of stage `i` stays below. Read without reporting anything.
fn upcoming(items: &[Node], i: usize) -> Option<Percentage> {
    let Value::Map(entries) = &items.get(i + 1)?.value else {
        return None;
    };
    let keys = format::Stage::keys();
    entries
        .iter()
        .find(|(k, _)| {
            k.text == "percentage"
                || (!keys.contains(&k.text.as_str())
                    && did_you_mean(&k.text, keys) == Some("percentage"))
        })
        .and_then(|(_, n)| Reader::number_if_any(n))
        .and_then(Percentage::from_percent)
}

/// A whole percentage to suggest for a stage that has none: 25 when it keeps the order (above
/// `prev`, below `next`), else the middle of the room there; when there is none, the least above
/// `prev` (the order error then shows where it breaks).
fn percentage_example(prev: Option<Percentage>, next: Option<Percentage>) -> String {
    let lo = prev.map_or(0, |p| i64::from(p.weight() / 1000) + 1);
    let hi = next.map_or(100, |n| i64::from(n.weight().div_ceil(1000)) - 1);
    let pick = if (lo..=hi).contains(&25) {
        25
    } else if lo <= hi {
        (lo + hi) / 2
    } else {
        lo.min(100)
    };
    pick.to_string()
}

pub(super) fn read_percentage(r: &mut Reader, node: &Node, what: &str) -> Option<Percentage> {
    let value = r.number(node, &format!("the percentage of {what}"))?;
    let pct = Percentage::from_percent(value);
    if pct.is_none() {
        r.error(
            node.pos,
            format!("the percentage of {what} is {value}, outside 0 to 100 (or with more than 3 decimals)"),
            "write a number from 0 to 100, e.g. 25",
        );
    }
    pct
}

/// Whether `name` can name a stage: one word, not taken by an earlier stage (`lines`: each
/// earlier stage's line).
fn name_ok(r: &mut Reader, lines: &HashMap<String, usize>, name: &str, name_pos: Pos) -> bool {
    if name.trim().is_empty() || name.chars().any(|c| c.is_whitespace() || c == ',') {
        r.error(
            name_pos,
            format!("stage name `{name}` is empty or has spaces"),
            "use a short word such as `beta` (it is typed as `rollout advance beta`)",
        );
        return false;
    }
    if let Some(line) = lines.get(name) {
        r.error(
            name_pos,
            format!("stage `{name}` is defined twice (first at line {line})"),
            "give each stage its own name",
        );
        return false;
    }
    true
}

/// Says what is wrong with `percentage` for stage `name`: a fraction the provider cannot hold, or
/// not above the stage before it (`prev`).
fn check_percentage(
    r: &mut Reader,
    kind: ProviderKind,
    name: &str,
    percentage: Percentage,
    pct_pos: Pos,
    prev: Option<&Stage>,
) {
    if !kind.fractional() && percentage.whole().is_none() {
        r.error(
            pct_pos,
            format!("stage `{name}` has {percentage}, but Unleash rollouts are whole percentages"),
            format!(
                "write a whole number from 0 to 100, e.g. {} or {}",
                percentage.weight() / 1000,
                percentage.weight() / 1000 + 1
            ),
        );
    }
    if let Some(prev) = prev {
        if percentage <= prev.percentage {
            r.error(
                pct_pos,
                format!(
                    "stage `{name}` has {percentage}, not more than the {} of `{}` before it",
                    prev.percentage, prev.name
                ),
                "percentages must strictly increase from one stage to the next",
            );
        }
    }
}

/// Says which users and groups of stage `what` are empty, unclean or listed twice.
fn check_audience(r: &mut Reader, what: &str, users: &[(String, Pos)], groups: &[(String, Pos)]) {
    let mut seen: HashSet<&str> = HashSet::new();
    for (value, pos) in users.iter().chain(groups.iter()) {
        if !r.clean(value, *pos, &format!("a user or group in {what}"), true) {
            continue;
        }
        if value.trim().is_empty() {
            r.error(
                *pos,
                format!("an empty user or group in {what}"),
                "remove the empty entry",
            );
        } else if !seen.insert(value) {
            r.error(
                *pos,
                format!("`{value}` is listed twice in {what}"),
                "list each user and group once",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{percentage_example, Percentage};

    fn pct(p: f64) -> Option<Percentage> {
        Percentage::from_percent(p)
    }

    #[test]
    fn a_suggested_percentage_keeps_the_order() {
        assert_eq!(percentage_example(None, None), "25");
        assert_eq!(percentage_example(pct(5.0), None), "25");
        assert_eq!(percentage_example(pct(5.0), pct(25.0)), "15");
        assert_eq!(percentage_example(pct(30.0), None), "65");
        assert_eq!(percentage_example(None, pct(10.0)), "4");
        assert_eq!(percentage_example(pct(24.5), pct(25.5)), "25");
        // No whole percentage fits: the least above the stage before.
        assert_eq!(percentage_example(pct(10.0), pct(10.5)), "11");
    }
}
