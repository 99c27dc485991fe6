//! `rollout watch` on the Unleash provider: an error rate that rises mid-run in a real
//! Prometheus makes it kill the flag after the gate's `for:`, as the Admin API shows.

use std::time::Duration;

use crate::gates_support::{fresh_case, prom, push};
use crate::unleash_server::{journal, server};

#[test]
fn watch_kills_an_unleash_flag_after_a_sustained_breach() {
    let s = server();
    let p8s = prom();
    let case = fresh_case("unleash-kill");
    push(&p8s.url, &case, 0.001);
    let flag = s.create_flag("watch");
    let p = s.project(
        &flag,
        &format!(
            "  - {{ name: internal, percentage: 5 }}
  - {{ name: full, percentage: 100 }}
defaults:
  prometheus: {{ url: {} }}
gates:
  - {{ name: errors, prometheus: {{ query: 'gate_value{{case=\"{case}\"}}' }}, max: 0.01, for: 1s }}
",
            p8s.url
        ),
    );
    s.rollout(&p, ["advance"]).run();
    assert_eq!(s.environment(&flag, "development")["enabled"], true);
    let watch = s.rollout(&p, ["watch", "--interval", "300ms"]).status(1);
    let handle = std::thread::spawn(move || watch.run());
    std::thread::sleep(Duration::from_millis(900));
    assert_eq!(
        s.environment(&flag, "development")["enabled"],
        true,
        "still on while it passes"
    );
    push(&p8s.url, &case, 0.2);
    let done = handle.join().unwrap();
    assert!(
        done.stdout.contains(&format!(
            "killed {flag}: watch: gate errors is 0.2 against max 0.01 for 1s (critical)"
        )),
        "{}",
        done.stdout
    );
    assert_eq!(
        s.environment(&flag, "development")["enabled"],
        false,
        "Unleash has it off"
    );
    let kills: Vec<_> = journal(&p)
        .into_iter()
        .filter(|e| e["action"] == "kill")
        .collect();
    assert_eq!(kills.len(), 1);
    assert_eq!(kills[0]["outcome"], "applied");
}
