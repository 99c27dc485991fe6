//! The reference `scripts/bench-preview` times `rollout preview` against: the least a program
//! must do to count a file of ids per percentage as flagd buckets them, single-threaded, in a
//! plain loop. Read the file in 1 MiB blocks, split at line ends, trim, murmur3 of flag key + id,
//! count the ids below each stage's threshold. No stages file, no provider, no output policy.
//!
//! Usage: preview_reference IDS_FILE FLAG_KEY PERCENT...

#[path = "support/reference.rs"]
mod reference;

fn main() {
    let reference::Args {
        mut file,
        key,
        thresholds,
    } = reference::args("preview_reference");
    let key = key.as_slice();
    let mut counts = vec![0u64; thresholds.len()];
    let mut total = 0u64;
    let mut joined: Vec<u8> = Vec::with_capacity(key.len() + 64);
    let count = |id: &[u8]| {
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
        for (n, t) in counts.iter_mut().zip(&thresholds) {
            *n += u64::from(bucket < *t);
        }
    };
    reference::each_line(&mut file, count);
    let shown: Vec<String> = counts.iter().map(u64::to_string).collect();
    println!("{total} ids; on per percentage: {}", shown.join(" "));
}
