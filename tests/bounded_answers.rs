//! Bounded answers (issue 21): no answer from a gate source or a provider is read past 16 MiB,
//! numbers print in a bounded width, and an error always says what came back.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

use crate::gates_sources::{t, verdict_rows};
use crate::test::Project;

/// A server on 127.0.0.1 that answers every request with `head` (status line and headers, no
/// blank line) and then `body`, or, with `endless`, `body` followed by `filler` written until
/// the client hangs up (no length: the answer ends when the connection closes). Returns its URL.
fn raw_server(head: &'static str, body: &'static str, filler: Option<&'static str>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let _ = write!(stream, "{head}\r\nconnection: close\r\n\r\n{body}");
            if let Some(filler) = filler {
                let chunk = filler.repeat((64 << 10) / filler.len().max(1));
                // At most 1 GiB, in case the client never stops reading.
                for _ in 0..(1 << 30) / chunk.len() {
                    if stream.write_all(chunk.as_bytes()).is_err() {
                        break;
                    }
                }
            }
        }
    });
    format!("http://127.0.0.1:{port}")
}

fn with_gates(gates: &str) -> Project {
    Project::new().file(
        "stages.yaml",
        &format!("flag: cards\ngates:\n{gates}stages:\n  - {{ name: internal, percentage: 5 }}\n"),
    )
}

/// (verdict, shown, why) of each gate of `rollout gates --json`.
fn rows(p: &Project, env: &[(&str, &str)]) -> Vec<(String, String, String)> {
    let mut run = p
        .rollout(["gates", "--json", "--timeout", "10s"])
        .any_status();
    for (k, v) in env {
        run = run.env(k, v);
    }
    verdict_rows(&run.run().json())
}

const PROM_START: &str = r#"{"status":"success","data":{"resultType":"vector","result":["#;
const PROM_SERIES: &str =
    r#"{"metric":{"job":"api","instance":"10.0.0.1:9090"},"value":[1700000000,"1"]},"#;

#[test]
fn an_answer_past_16_mib_is_refused_naming_the_source_and_the_limit() {
    // Endless series with no length (read until the cap), and a length announced past it.
    let endless = raw_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json",
        PROM_START,
        Some(PROM_SERIES),
    );
    let announced = raw_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 20000000",
        "{",
        None,
    );
    let p = with_gates(&format!(
        "  - {{ name: errors, prometheus: {{ query: up }}, max: 1 }}
  - {{ name: stats, http: {{ url: '{announced}/stats', pointer: /x }}, max: 1 }}
"
    ));
    let got = rows(&p, &[("ROLLOUT_PROMETHEUS_URL", &endless)]);
    let too_large = |who: &str, base: &str| {
        format!(
            "{who} at {base} answered 200 with more than 16 MiB of application/json, the limit for \
             one answer (1 attempt in"
        )
    };
    assert_eq!(got[0].0, "error");
    assert!(
        got[0].2.starts_with(&too_large("Prometheus", &endless)),
        "{:?}",
        got[0]
    );
    assert_eq!(got[1].0, "error");
    assert!(
        got[1]
            .2
            .starts_with(&too_large("the http gate", &format!("{announced}/stats"))),
        "{:?}",
        got[1]
    );
}

#[test]
fn an_http_provider_answer_past_16_mib_is_refused_with_what_to_do() {
    let endless = raw_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json",
        r#"{"enabled":true,"percentage":5,"groups":[],"users":["#,
        Some(r#""user-0123456789","#),
    );
    let p = Project::new().file(
        "stages.yaml",
        &format!(
            "flag: cards\nprovider:\n  kind: http\n  url: {endless}\nstages:\n  - {{ name: internal, percentage: 5 }}\n"
        ),
    );
    let done = p
        .rollout(["status"])
        .env("ROLLOUT_HTTP_TOKEN", "t0ken-for-tests")
        .status(4)
        .run();
    assert!(
        done.stderr.contains(&format!(
            "at {endless} answered 200 with more than 16 MiB of application/json, the limit for one answer on GET {endless}/flags/cards"
        )),
        "{}",
        done.stderr
    );
    assert!(
        done.stderr
            .contains("a narrower query, a smaller list), or check that the URL is the API's (docs/limits.md)"),
        "{}",
        done.stderr
    );
}

#[test]
fn an_answer_that_is_not_json_says_what_came_back() {
    let html = raw_server(
        "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8",
        "<!doctype html>\n<html><head><title>Sign in</title></head>\x1b[31m<body>please log in</body></html>",
        None,
    );
    let empty = raw_server("HTTP/1.1 200 OK\r\ncontent-length: 0", "", None);
    let p = with_gates(&format!(
        "  - {{ name: errors, prometheus: {{ query: up }}, max: 1 }}
  - {{ name: render, datadog: {{ query: 'avg:render{{*}}' }}, max: 1 }}
  - {{ name: stats, http: {{ url: '{html}/stats', pointer: /x }}, max: 1 }}
  - {{ name: blank, http: {{ url: '{empty}/stats', pointer: /x }}, max: 1 }}
"
    ));
    let got = rows(
        &p,
        &[
            ("ROLLOUT_PROMETHEUS_URL", &html),
            ("ROLLOUT_DATADOG_URL", &html),
            ("DD_API_KEY", "k"),
            ("DD_APP_KEY", "k"),
        ],
    );
    let page = "an answer that is not JSON (200 text/html; charset=utf-8): <!doctype html> <html><head><title>Sign in</title></head> [31m<body>please log in</body></html>";
    assert_eq!(got[0], t("error", "-", &format!("Prometheus sent {page}")));
    assert_eq!(got[1], t("error", "-", &format!("Datadog sent {page}")));
    assert_eq!(
        got[2],
        t(
            "error",
            "-",
            &format!("{page} (expected value at line 1 column 1)")
        )
    );
    assert_eq!(
        got[3],
        t(
            "error",
            "-",
            "an empty answer (200 no content type) (EOF while parsing a value at line 1 column 0)"
        )
    );
}

#[test]
fn huge_and_tiny_numbers_print_in_a_bounded_width() {
    let big = raw_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json",
        r#"{"big": 1e308, "small": -4.9e-324, "plain": 123456.5}"#,
        None,
    );
    let p = with_gates(&format!(
        "  - {{ name: big, http: {{ url: '{big}/', pointer: /big }}, max: 1 }}
  - {{ name: small, http: {{ url: '{big}/', pointer: /small }}, min: -1 }}
  - {{ name: plain, http: {{ url: '{big}/', pointer: /plain }}, max: 1e300 }}
"
    ));
    let got = rows(&p, &[]);
    assert_eq!(got[0], t("fail", "1.000e308", ""));
    assert_eq!(got[1], t("pass", "-4.941e-324", ""));
    assert_eq!(got[2], t("pass", "123456.5", ""));
    let done = p.rollout(["gates", "--timeout", "10s"]).any_status().run();
    assert!(done.stdout.contains("1.000e308"), "{}", done.stdout);
    let widest = done.stdout.lines().map(|l| l.chars().count()).max();
    assert!(widest < Some(120), "{}", done.stdout);
}

#[test]
fn gate_names_that_look_alike_are_refused_at_validate() {
    let p = Project::new().file(
        "stages.yaml",
        "flag: cards
gates:
  - { name: error-rate, http: { url: 'http://127.0.0.1:1/' } }
  - { name: еrror-rate, http: { url: 'http://127.0.0.1:1/' } }
  - { name: Error-Rate, http: { url: 'http://127.0.0.1:1/' } }
  - { name: ｌatency, http: { url: 'http://127.0.0.1:1/' } }
  - { name: latency, http: { url: 'http://127.0.0.1:1/' } }
  - { name: p99-1, http: { url: 'http://127.0.0.1:1/' } }
  - { name: p99-l, http: { url: 'http://127.0.0.1:1/' } }
  - { name: error-rates, http: { url: 'http://127.0.0.1:1/' } }
stages:
  - { name: internal, percentage: 5, gates: [error-rate] }
",
    );
    let before = p.read("stages.yaml");
    let done = p.rollout(["validate"]).status(2).run();
    let help =
        "  help: give each gate a name that reads differently; plain ASCII letters are safest\n";
    assert_eq!(
        done.stderr,
        format!(
            "error: stages.yaml:4:13: gate `еrror-rate` looks like gate `error-rate` (line 3): they \
             differ only in case or in characters drawn alike: `е` U+0435\n{help}\
             stages.yaml:5:13: gate `Error-Rate` looks like gate `error-rate` (line 3): they differ \
             only in case or in characters drawn alike: `E` U+0045, `R` U+0052\n{help}\
             stages.yaml:7:13: gate `latency` looks like gate `ｌatency` (line 6): they differ only \
             in case or in characters drawn alike: `l` U+006C, `ｌ` U+FF4C\n{help}\
             stages.yaml:9:13: gate `p99-l` looks like gate `p99-1` (line 8): they differ only in \
             case or in characters drawn alike: `l` U+006C, `1` U+0031\n{help}\
             4 problems in stages.yaml\n"
        )
    );
    assert_eq!(p.read("stages.yaml"), before);
}
