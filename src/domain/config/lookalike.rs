//! Names that look alike: two gate names that differ only in case, in compatibility forms
//! (fullwidth `ｅ`, ligatures) or in letters of another script that look Latin (Cyrillic `е`,
//! Greek `ο`) read as one name in a table or a log, so validation refuses the second.
//!
//! The comparison key is a simplified Unicode "skeleton" (UTS #39): NFKC, then the look-alikes
//! below, then lower case. The table is a hand-picked part of Unicode's confusables.txt
//! (https://www.unicode.org/Public/security/latest/confusables.txt): the Cyrillic and Greek
//! letters that are drawn like Latin ones, dotless i, the digits 0 and 1, and dashes.

use unicode_normalization::UnicodeNormalization;

/// (look-alike, the Latin character it is drawn like), from confusables.txt.
const LOOKALIKES: &[(char, char)] = &[
    // Cyrillic small letters.
    ('а', 'a'),
    ('с', 'c'),
    ('ԁ', 'd'),
    ('е', 'e'),
    ('һ', 'h'),
    ('і', 'i'),
    ('ј', 'j'),
    ('ӏ', 'l'),
    ('о', 'o'),
    ('р', 'p'),
    ('ԛ', 'q'),
    ('ѕ', 's'),
    ('у', 'y'),
    ('ԝ', 'w'),
    ('х', 'x'),
    // Cyrillic capital letters.
    ('А', 'A'),
    ('В', 'B'),
    ('С', 'C'),
    ('Е', 'E'),
    ('Н', 'H'),
    ('І', 'l'),
    ('Ј', 'J'),
    ('К', 'K'),
    ('М', 'M'),
    ('О', 'O'),
    ('Р', 'P'),
    ('Ԛ', 'Q'),
    ('Ѕ', 'S'),
    ('Т', 'T'),
    ('Ԝ', 'W'),
    ('Х', 'X'),
    ('У', 'Y'),
    // Greek small letters.
    ('α', 'a'),
    ('ι', 'i'),
    ('ν', 'v'),
    ('ο', 'o'),
    ('ρ', 'p'),
    ('υ', 'u'),
    // Greek capital letters.
    ('Α', 'A'),
    ('Β', 'B'),
    ('Ε', 'E'),
    ('Ζ', 'Z'),
    ('Η', 'H'),
    ('Ι', 'l'),
    ('Κ', 'K'),
    ('Μ', 'M'),
    ('Ν', 'N'),
    ('Ο', 'O'),
    ('Ρ', 'P'),
    ('Τ', 'T'),
    ('Υ', 'Y'),
    ('Χ', 'X'),
    // Latin look-alikes of Latin letters, digits and dashes.
    ('ı', 'i'),
    ('I', 'l'),
    ('1', 'l'),
    ('0', 'O'),
    ('‐', '-'),
    ('‑', '-'),
    ('‒', '-'),
    ('–', '-'),
    ('—', '-'),
    ('−', '-'),
];

/// The key two names share when they look alike.
#[must_use]
pub fn skeleton(name: &str) -> String {
    name.nfkc()
        .map(|c| {
            LOOKALIKES
                .iter()
                .find(|(from, _)| *from == c)
                .map_or(c, |(_, to)| *to)
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The characters of `a` and `b` that the other lacks, for a message: `` `е` U+0435 ``.
#[must_use]
pub fn differences(a: &str, b: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for (one, other) in [(a, b), (b, a)] {
        for c in one.chars().filter(|c| !other.contains(*c)) {
            let shown = format!("`{c}` U+{:04X}", u32::from(c));
            if !out.contains(&shown) && out.len() < 6 {
                out.push(shown);
            }
        }
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_read_alike_share_a_skeleton() {
        let base = skeleton("error-rate");
        for alike in [
            "еrror-rate",      // Cyrillic е
            "errοr-rate",      // Greek ο
            "ｅｒｒｏｒ-rate", // fullwidth
            "Error-Rate",
            "error‐rate", // U+2010 hyphen
            "ERROR-RATE",
        ] {
            assert_eq!(skeleton(alike), base, "{alike}");
        }
        assert_eq!(skeleton("p99-l"), skeleton("p99-1"));
        assert_eq!(skeleton("gate-I"), skeleton("gate-l"));
        assert_eq!(skeleton("ﬁle"), skeleton("file"));
        for distinct in ["error-rates", "error_rate", "errors-rate", "latency"] {
            assert_ne!(skeleton(distinct), base, "{distinct}");
        }
        assert_eq!(differences("еrror", "error"), "`е` U+0435, `e` U+0065");
    }
}
