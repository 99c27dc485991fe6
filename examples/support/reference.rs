//! What both preview references share: their command line (IDS_FILE FLAG_KEY PERCENT...) and
//! the block reader (the file in 1 MiB blocks, split at line ends with memchr, a line across two
//! blocks joined in a carry buffer).

use std::fs::File;
use std::io::Read;

/// The command line of a reference: the ids file, the flag key, and flagd's threshold of each
/// percentage (on when `(h * 100000) >> 32 < percent * 1000`).
pub struct Args {
    pub file: File,
    pub key: Vec<u8>,
    pub thresholds: Vec<u64>,
}

/// Reads `IDS_FILE FLAG_KEY PERCENT...`; a shorter line prints the usage of `program`, exit 2.
pub fn args(program: &str) -> Args {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: {program} IDS_FILE FLAG_KEY PERCENT...");
        std::process::exit(2);
    }
    let file = File::open(&args[1]).expect("the ids file");
    let key = args[2].as_bytes().to_vec();
    let thresholds = args[3..]
        .iter()
        .map(|p| (p.parse::<f64>().expect("a percentage") * 1000.0).round() as u64)
        .collect();
    Args {
        file,
        key,
        thresholds,
    }
}

/// Calls `line` with every line of `file` (without its `\n`; the last one also when unended).
pub fn each_line(file: &mut impl Read, mut line: impl FnMut(&[u8])) {
    let mut block = vec![0u8; 1 << 20];
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let n = file.read(&mut block).expect("reading the ids file");
        if n == 0 {
            break;
        }
        let mut data = &block[..n];
        if !carry.is_empty() {
            let Some(nl) = memchr::memchr(b'\n', data) else {
                carry.extend_from_slice(data);
                continue;
            };
            carry.extend_from_slice(&data[..nl]);
            line(&carry);
            carry.clear();
            data = &data[nl + 1..];
        }
        let mut start = 0;
        for nl in memchr::memchr_iter(b'\n', data) {
            line(&data[start..nl]);
            start = nl + 1;
        }
        carry.extend_from_slice(&data[start..]);
    }
    if !carry.is_empty() {
        line(&carry);
    }
}
