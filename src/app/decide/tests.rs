//! The decisions that keep a kill killed: a forced move of a killed flag stays off, and
//! `resume` restores the stage the journal's kill recorded when the provider holds another.

use chrono::{DateTime, Utc};

use super::*;
use crate::domain::config::Percentage;

fn config() -> Config {
    Config::parse(
        std::path::Path::new("stages.yaml"),
        "flag: f
stages:
  - { name: a, percentage: 5 }
  - { name: b, percentage: 10 }
  - { name: c, percentage: 25 }
",
    )
    .unwrap()
}

fn now() -> DateTime<Utc> {
    "2024-03-09T18:00:00Z".parse().unwrap()
}

fn killed_at(pct: u32, stage: &str) -> FlagState {
    FlagState {
        exists: true,
        on: false,
        percentage: Percentage::from_weight(pct * 1000).unwrap(),
        stage: Some(stage.into()),
        ..FlagState::default()
    }
}

fn sit<'a>(config: &'a Config, state: &'a FlagState) -> Situation<'a> {
    Situation {
        config,
        state,
        since: None,
        now: now(),
        actor: "t",
        settings: &config.provider,
        provider: "file",
        place: "file flags.json",
        unmanaged: &[],
        head: None,
    }
}

fn forced() -> Override {
    Override {
        force: true,
        reason: Some("r".into()),
    }
}

#[test]
fn a_forced_rollback_of_a_killed_flag_moves_its_stage_and_keeps_it_off() {
    let config = config();
    let state = killed_at(25, "c");
    let d = rollback(&sit(&config, &state), Some("a"), &forced()).unwrap();
    assert!(d.refused.is_none());
    assert!(!d.desired.on, "a kill stays killed");
    assert_eq!(d.desired.stage, "a");
    assert_eq!(
        d.warnings.last().unwrap(),
        "f is killed and stays off: this moves the stage `rollout resume` turns it on at to a (5%)"
    );
    assert!(d
        .event
        .detail
        .unwrap()
        .starts_with("f is killed and stays off"));
    // Not forced: refused, and nothing says it would stay off.
    let d = rollback(&sit(&config, &state), Some("a"), &Override::default()).unwrap();
    assert!(d.refused.is_some());
    assert!(d.event.detail.is_none());
}

#[test]
fn resume_restores_the_stage_the_kill_recorded_when_the_provider_holds_another() {
    let config = config();
    // Killed at c (25%); a racing rollback moved the provider to b (10%) after the kill.
    let state = killed_at(10, "b");
    let mut kill = sit(&config, &state).event(Action::Kill, None, Some("c".into()), "applied");
    kill.percentage = Some(Percentage::from_weight(25_000).unwrap());
    let d = resume(&sit(&config, &state), Some(&kill), &Override::default()).unwrap();
    assert!(d.desired.on);
    assert_eq!(
        (d.desired.stage.as_str(), d.desired.percentage.weight()),
        ("c", 25_000)
    );
    assert!(
        d.warnings[0].contains("its kill recorded c (25%)"),
        "{:?}",
        d.warnings
    );
    // The provider holds the recorded stage: as it is, no warning.
    let state = killed_at(25, "c");
    let d = resume(&sit(&config, &state), Some(&kill), &Override::default()).unwrap();
    assert_eq!(d.desired.stage, "c");
    assert!(d.warnings.is_empty());
    // No record (another machine's journal): the provider's stage.
    let state = killed_at(10, "b");
    let d = resume(&sit(&config, &state), None, &Override::default()).unwrap();
    assert_eq!(d.desired.stage, "b");
}
