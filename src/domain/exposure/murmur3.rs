//! murmur3 x86_32 (seed 0) of `prefix + id` for many ids sharing one prefix (the flag key, or
//! Unleash's `groupId:`): the prefix's whole 4-byte blocks are mixed once, each id only mixes
//! its own bytes. Written from the algorithm's description (Austin Appleby's MurmurHash3,
//! public domain); checked against the `murmurhash32` crate below.

const C1: u32 = 0xcc9e_2d51;
const C2: u32 = 0x1b87_3593;

#[inline]
fn scramble(k: u32) -> u32 {
    k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2)
}

#[inline]
fn mix(h: u32, k: u32) -> u32 {
    (h ^ scramble(k))
        .rotate_left(13)
        .wrapping_mul(5)
        .wrapping_add(0xe654_6b64)
}

#[inline]
fn finish(mut h: u32, tail: &[u8], len: usize) -> u32 {
    let k = match *tail {
        [] => None,
        [a] => Some(u32::from(a)),
        [a, b] => Some(u32::from_le_bytes([a, b, 0, 0])),
        [a, b, c, ..] => Some(u32::from_le_bytes([a, b, c, 0])),
    };
    if let Some(k) = k {
        h ^= scramble(k);
    }
    // The length is mixed in modulo 2^32, as the reference does.
    #[allow(clippy::cast_possible_truncation)]
    let len = len as u32;
    h ^= len;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// The hash state after a prefix: ready to hash `prefix + id` for any id.
#[derive(Debug, Clone)]
pub struct Prefixed {
    h: u32,
    rest: [u8; 4],
    rest_len: usize,
    len: usize,
}

impl Prefixed {
    #[must_use]
    pub fn new(prefix: &[u8]) -> Self {
        let mut h = 0u32;
        let blocks = prefix.chunks_exact(4);
        let rest = blocks.remainder();
        for b in blocks {
            h = mix(h, u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        }
        let mut kept = [0u8; 4];
        kept[..rest.len()].copy_from_slice(rest);
        Prefixed {
            h,
            rest: kept,
            rest_len: rest.len(),
            len: prefix.len(),
        }
    }

    /// murmur3_x86_32(prefix + id, seed 0).
    #[must_use]
    #[inline]
    pub fn hash(&self, id: &[u8]) -> u32 {
        let len = self.len + id.len();
        let mut h = self.h;
        let mut bytes = id;
        if self.rest_len > 0 {
            let need = 4 - self.rest_len;
            let mut block = self.rest;
            if bytes.len() < need {
                block[self.rest_len..self.rest_len + bytes.len()].copy_from_slice(bytes);
                return finish(h, &block[..self.rest_len + bytes.len()], len);
            }
            block[self.rest_len..].copy_from_slice(&bytes[..need]);
            h = mix(h, u32::from_le_bytes(block));
            bytes = &bytes[need..];
        }
        let blocks = bytes.chunks_exact(4);
        let tail = blocks.remainder();
        for b in blocks {
            h = mix(h, u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        }
        finish(h, tail, len)
    }
}

#[cfg(test)]
mod tests {
    use super::Prefixed;

    #[test]
    fn equals_murmur3_of_the_joined_bytes() {
        let prefixes = [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "use-new-builder-cards",
            "grp:",
            "é",
        ];
        let mut seed = 0x2545_f491_u64;
        for prefix in prefixes {
            let p = Prefixed::new(prefix.as_bytes());
            for n in 0..40 {
                let id: Vec<u8> = (0..n)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        seed.to_le_bytes()[0]
                    })
                    .collect();
                let mut joined = prefix.as_bytes().to_vec();
                joined.extend_from_slice(&id);
                assert_eq!(
                    p.hash(&id),
                    murmurhash32::murmurhash3_with_seed::<0>(&joined),
                    "{prefix:?} + {id:?}"
                );
            }
        }
    }
}
