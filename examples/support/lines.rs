//! The block reader both preview references share: the file in 1 MiB blocks, split at line
//! ends with memchr, a line across two blocks joined in a carry buffer.

use std::io::Read;

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
