//! Who is on at a given percentage, by each provider's own bucketing algorithm.

pub mod flagd;
pub mod launchdarkly;
pub mod unleash;

use std::io::{self, Read};

use crate::config::Percentage;

/// A provider's bucketing, ready to place user ids.
#[derive(Debug, Clone)]
pub enum Bucketing {
    /// flagd `fractional`, bucketing on `flagKey + targetingKey`.
    Flagd { flag_key: String },
    /// Unleash `flexibleRollout`, bucketing on `groupId:userId`.
    Unleash { group_id: String },
    /// LaunchDarkly's rollout: SHA-1 of `flagKey.salt.userId` (or `seed.userId`); `on_first` when
    /// the "on" variation comes before "off" in the flag.
    LaunchDarkly {
        flag_key: String,
        salt: String,
        seed: Option<i64>,
        on_first: bool,
    },
}

impl Bucketing {
    /// The user's position, comparable with [`Bucketing::includes`].
    #[must_use]
    pub fn bucket(&self, user: &str) -> u32 {
        match self {
            Bucketing::Flagd { flag_key } => flagd::bucket(flag_key, user),
            Bucketing::Unleash { group_id } => unleash::normalized(group_id, user),
            Bucketing::LaunchDarkly {
                flag_key,
                salt,
                seed,
                ..
            } => launchdarkly::bucket(flag_key, salt, *seed, user),
        }
    }

    /// Whether a user at `bucket` is on at `pct`.
    #[must_use]
    pub fn includes(&self, bucket: u32, pct: Percentage) -> bool {
        match self {
            Bucketing::Flagd { .. } => flagd::includes(bucket, pct),
            Bucketing::Unleash { .. } => unleash::includes(bucket, pct),
            Bucketing::LaunchDarkly { on_first, .. } => {
                launchdarkly::includes(bucket, pct, *on_first)
            }
        }
    }

    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Bucketing::Flagd { .. } => "flagd fractional (murmur3 of flag key + user id)",
            Bucketing::Unleash { .. } => "Unleash normalizedHash (murmur3 of groupId:userId)",
            Bucketing::LaunchDarkly { .. } => "LaunchDarkly rollout (SHA-1 of flagKey.salt.userId)",
        }
    }
}

/// murmur3 x86_32 with seed 0 over the UTF-8 bytes of `parts` joined.
#[must_use]
pub fn murmur3(parts: &[&str]) -> u32 {
    let mut buf = Vec::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        buf.extend_from_slice(p.as_bytes());
    }
    murmurhash32::murmurhash3_with_seed::<0>(&buf)
}

/// One audience to count: a percentage and the user ids listed on top of it.
pub struct Audience<'a> {
    pub percentage: Percentage,
    pub users: std::collections::HashSet<&'a str>,
}

/// Calls `f` for each id of a text of ids, one a line, trimmed; blank lines skipped.
fn each_id(text: &[u8], mut f: impl FnMut(&[u8])) {
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text).chain(std::iter::once(text.len())) {
        let id = text[start..end].trim_ascii();
        start = end + 1;
        if !id.is_empty() {
            f(id);
        }
    }
}

/// Reads `reader` in chunks of about 1 MiB that end at a line end, handing each to `send`
/// (which returns false to stop).
fn read_chunks(reader: &mut impl Read, mut send: impl FnMut(Vec<u8>) -> bool) -> io::Result<()> {
    const CHUNK: usize = 1 << 20;
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let mut buf = std::mem::take(&mut carry);
        let start = buf.len();
        buf.resize(start + CHUNK, 0);
        let mut filled = start;
        while filled < buf.len() {
            match reader.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        buf.truncate(filled);
        let at_end = filled < start + CHUNK;
        if at_end {
            if !buf.is_empty() {
                send(buf);
            }
            return Ok(());
        }
        let Some(nl) = memchr::memrchr(b'\n', &buf) else {
            // One line longer than a chunk: keep reading until it ends.
            carry = buf;
            continue;
        };
        carry = buf[nl + 1..].to_vec();
        buf.truncate(nl + 1);
        if !send(buf) {
            return Ok(());
        }
    }
}

impl Bucketing {
    /// Counts, for each audience, how many of the ids read from `reader` (one a line) are on; also
    /// returns how many ids there are. Reading overlaps with hashing: chunks cut at line ends go
    /// to a worker per core, with no per-id allocation (`preview` over a million ids).
    pub fn count(
        &self,
        mut reader: impl Read,
        audiences: &[Audience<'_>],
    ) -> io::Result<(usize, Vec<usize>)> {
        let (prefix, sep) = match self {
            Bucketing::Flagd { flag_key } => (flag_key.as_str(), ""),
            Bucketing::Unleash { group_id } => (group_id.as_str(), ":"),
            Bucketing::LaunchDarkly {
                flag_key,
                salt,
                seed,
                on_first,
            } => {
                let key = (flag_key.as_str(), salt.as_str(), *seed, *on_first);
                return launchdarkly::count(&mut reader, key, audiences);
            }
        };
        // On iff bucket < threshold, for both algorithms (see `includes`).
        let thresholds: Vec<u32> = audiences
            .iter()
            .map(|a| self.threshold(a.percentage))
            .collect();
        let any_listed = audiences.iter().any(|a| !a.users.is_empty());
        let count_piece = |piece: &[u8], total: &mut usize, counts: &mut [usize]| {
            let mut buf = Vec::with_capacity(prefix.len() + 64);
            buf.extend_from_slice(prefix.as_bytes());
            buf.extend_from_slice(sep.as_bytes());
            let keep = buf.len();
            each_id(piece, |id| {
                *total += 1;
                buf.truncate(keep);
                buf.extend_from_slice(id);
                let bucket = self.bucket_of_hash(murmurhash32::murmurhash3_with_seed::<0>(&buf));
                if any_listed {
                    let text = std::str::from_utf8(id).ok();
                    for ((count, a), t) in counts.iter_mut().zip(audiences).zip(&thresholds) {
                        if bucket < *t || text.is_some_and(|s| a.users.contains(s)) {
                            *count += 1;
                        }
                    }
                } else {
                    for (count, t) in counts.iter_mut().zip(&thresholds) {
                        *count += usize::from(bucket < *t);
                    }
                }
            });
        };
        let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(2 * workers);
        let rx = std::sync::Mutex::new(rx);
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    scope.spawn(|| {
                        let mut total = 0usize;
                        let mut counts = vec![0usize; audiences.len()];
                        while let Ok(chunk) = rx
                            .lock()
                            .map_err(|_| ())
                            .and_then(|r| r.recv().map_err(|_| ()))
                        {
                            count_piece(&chunk, &mut total, &mut counts);
                        }
                        (total, counts)
                    })
                })
                .collect();
            let read = read_chunks(&mut reader, |chunk| tx.send(chunk).is_ok());
            drop(tx);
            let mut total = 0;
            let mut counts = vec![0usize; audiences.len()];
            for h in handles {
                let (t, c) = h.join().unwrap_or_default();
                total += t;
                for (sum, n) in counts.iter_mut().zip(c) {
                    *sum += n;
                }
            }
            read.map(|()| (total, counts))
        })
    }

    /// The bucket below which a user is on at `pct`.
    fn threshold(&self, pct: Percentage) -> u32 {
        match self {
            Bucketing::Flagd { .. } => pct.weight(),
            // normalized in 1..=100, on when rollout > 0 && normalized <= rollout.
            Bucketing::Unleash { .. } => match pct.weight() / 1000 {
                0 => 0,
                rollout => rollout + 1,
            },
            Bucketing::LaunchDarkly { .. } => pct.weight(),
        }
    }

    fn bucket_of_hash(&self, h: u32) -> u32 {
        match self {
            Bucketing::Flagd { .. } => {
                u32::try_from((u64::from(h) * flagd::TOTAL_WEIGHT) >> 32).unwrap_or(u32::MAX)
            }
            Bucketing::Unleash { .. } => h % 100 + 1,
            Bucketing::LaunchDarkly { .. } => h,
        }
    }

    /// The buckets of many ids, hashed on every core: `preview` over a million ids.
    #[must_use]
    pub fn buckets(&self, ids: &[&str]) -> Vec<u32> {
        let (prefix, sep) = match self {
            Bucketing::Flagd { flag_key } => (flag_key.as_str(), ""),
            Bucketing::Unleash { group_id } => (group_id.as_str(), ":"),
            Bucketing::LaunchDarkly { .. } => {
                return ids.iter().map(|id| self.bucket(id)).collect()
            }
        };
        let hash_all = |chunk: &[&str]| -> Vec<u32> {
            let mut buf = Vec::with_capacity(prefix.len() + 64);
            buf.extend_from_slice(prefix.as_bytes());
            buf.extend_from_slice(sep.as_bytes());
            let keep = buf.len();
            chunk
                .iter()
                .map(|id| {
                    buf.truncate(keep);
                    buf.extend_from_slice(id.as_bytes());
                    self.bucket_of_hash(murmurhash32::murmurhash3_with_seed::<0>(&buf))
                })
                .collect()
        };
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        if ids.len() < 50_000 || threads < 2 {
            return hash_all(ids);
        }
        let size = ids.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = ids
                .chunks(size)
                .map(|c| scope.spawn(move || hash_all(c)))
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        })
    }
}
