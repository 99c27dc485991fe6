//! The reference `scripts/bench-preview` times `rollout preview --ids --json` against: the least
//! a program must do to print the same listings, single-threaded, in a plain loop. Read the
//! file in 1 MiB blocks, split at line ends, trim, murmur3 of flag key + id, and append each id
//! (as a JSON string, with its list's comma and indent) to the in-memory list of every stage
//! that holds it; then write the lists with one buffered writer. No stages file, no provider, no
//! output policy, no memory bound (it holds the whole output: a bound on time, not on memory).
//!
//! Usage: preview_listing_reference IDS_FILE FLAG_KEY PERCENT...
//! (each PERCENT is listed; the last stands for the flag as served now, one level up in the
//! document, as `preview --ids --json` lists it).

use std::io::Write;

#[path = "support/reference.rs"]
mod reference;

fn main() {
    let reference::Args {
        mut file,
        key,
        thresholds,
    } = reference::args("preview_listing_reference");
    let key = key.as_slice();
    let now = thresholds.len() - 1;
    let leads: Vec<&[u8]> = (0..thresholds.len())
        .map(|k| {
            if k == now {
                &b",\n      "[..]
            } else {
                &b",\n        "[..]
            }
        })
        .collect();
    let mut lists: Vec<Vec<u8>> = vec![Vec::new(); thresholds.len()];
    let mut counts = vec![0u64; thresholds.len()];
    let mut total = 0u64;
    let mut joined: Vec<u8> = Vec::with_capacity(key.len() + 64);
    let list = |id: &[u8]| {
        let id = id.trim_ascii();
        if id.is_empty() {
            return;
        }
        total += 1;
        joined.clear();
        joined.extend_from_slice(key);
        joined.extend_from_slice(id);
        let h = u64::from(murmurhash32::murmurhash3_with_seed::<0>(&joined));
        let bucket = (h * 100_000) >> 32;
        let plain = !id.iter().fold(false, |bad, &b| {
            bad | (b < 0x20) | (b == b'"') | (b == b'\\')
        });
        for (k, t) in thresholds.iter().enumerate() {
            if bucket < *t {
                counts[k] += 1;
                let out = &mut lists[k];
                out.extend_from_slice(leads[k]);
                if plain {
                    out.push(b'"');
                    out.extend_from_slice(id);
                    out.push(b'"');
                } else {
                    let text = std::str::from_utf8(id).expect("UTF-8 ids");
                    serde_json::to_writer(&mut *out, text).expect("in memory");
                }
            }
        }
    };
    reference::each_line(&mut file, list);
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, std::io::stdout().lock());
    let write = |out: &mut std::io::BufWriter<_>, list: &[u8], indent: &str| {
        if list.is_empty() {
            write!(out, "[]")
        } else {
            write!(out, "[")?;
            out.write_all(&list[1..])?;
            write!(out, "\n{indent}]")
        }
    };
    (|| -> std::io::Result<()> {
        writeln!(out, "{{\n  \"users\": {total},\n  \"stages\": [")?;
        for k in 0..now {
            let sep = if k + 1 < now { "," } else { "" };
            write!(out, "    {{\n      \"on\": {},\n      \"ids\": ", counts[k])?;
            write(&mut out, &lists[k], "      ")?;
            writeln!(out, "\n    }}{sep}")?;
        }
        write!(
            out,
            "  ],\n  \"current\": {{\n    \"on\": {},\n    \"ids\": ",
            counts[now]
        )?;
        write(&mut out, &lists[now], "    ")?;
        writeln!(out, "\n  }}\n}}")?;
        out.flush()
    })()
    .expect("writing the listing");
}
