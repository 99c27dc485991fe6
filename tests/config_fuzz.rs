//! Mangled stage tables never panic the parser: each is either accepted or refused with
//! file:line:column diagnostics.

use std::path::Path;

use rollout::config::Config;

/// A small deterministic generator (xorshift), so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: [&str; 16] = [
    ":", "-", "[", "]", "{", "}", "\n", "  ", "'", "\"", "#", "&a", "*a", "!!int", "100000", "é",
];

#[test]
fn mangled_stage_tables_never_panic() {
    let base = include_str!("../stages.yaml");
    let mut rng = Rng(0x5eed_cafe_f00d);
    let mut refused = 0;
    for _ in 0..5000 {
        let mut text: Vec<char> = base.chars().collect();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(text.len() + 1);
            match rng.below(3) {
                0 if at < text.len() => {
                    text.remove(at);
                }
                1 => {
                    let piece = PIECES[rng.below(PIECES.len())];
                    for (i, c) in piece.chars().enumerate() {
                        text.insert(at + i, c);
                    }
                }
                _ if at < text.len() => {
                    let c = text[rng.below(text.len())];
                    text[at] = c;
                }
                _ => {}
            }
        }
        let source: String = text.into_iter().collect();
        if let Err(e) = Config::parse(Path::new("stages.yaml"), &source) {
            refused += 1;
            assert_eq!(e.exit_code(), 2, "{source}\n{}", e.message);
            assert!(
                e.message.starts_with("stages.yaml:"),
                "no place in:\n{}\nfor:\n{source}",
                e.message
            );
        }
    }
    assert!(
        refused > 1000,
        "the mangling should break most files, broke {refused}"
    );
}
