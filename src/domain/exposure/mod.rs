//! Who is on at a given percentage, by each provider's own bucketing algorithm.

pub mod flagd;
pub mod launchdarkly;
pub mod murmur3;
mod select;
pub mod stream;
pub mod unleash;

use std::io::{self, Read};

use self::select::Selection;
use self::stream::StreamError;

use crate::domain::config::Percentage;

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
#[derive(Clone)]
pub struct Audience<'a> {
    pub percentage: Percentage,
    pub users: std::collections::HashSet<&'a str>,
}

/// How the lines of an ids file become ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ids {
    /// Bytes, trimmed like text where they are UTF-8: counting, where an id need not be text.
    Bytes,
    /// UTF-8 text trimmed of Unicode whitespace: listing, where each id is printed.
    Text,
}

/// An id as text: trimmed of Unicode whitespace. That is rare beyond ASCII (U+000B is the one
/// ASCII space `trim_ascii` keeps), so only an end that is not plain ASCII costs a second look.
fn trim_text(text: &str) -> &str {
    if plain_ends(text.as_bytes()) {
        text
    } else {
        text.trim()
    }
}

/// Whether both ends of `bytes` are ASCII other than U+000B: nothing for a Unicode trim to do.
fn plain_ends(bytes: &[u8]) -> bool {
    let plain = |b: Option<&u8>| b.is_none_or(|b| b.is_ascii() && *b != 0x0b);
    plain(bytes.first()) && plain(bytes.last())
}

/// An id as bytes, trimmed as [`trim_text`] trims it where the line is UTF-8 (counting and
/// listing must see the same id), and of ASCII whitespace where it is not.
fn trim_id(line: &[u8]) -> &[u8] {
    let id = line.trim_ascii();
    if plain_ends(id) {
        return id;
    }
    std::str::from_utf8(id).map_or(id, |t| trim_text(t).as_bytes())
}

/// What [`Bucketing::select`] found: how many ids there are, and how many are on per audience.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: usize,
    pub on: Vec<usize>,
}

/// How a listed id is printed: after its list's lead and before `tail`. The ids of a chunk that
/// `as_is` accepts whole (one check a chunk) are copied as they are; those of any other chunk go
/// through `escape`.
#[derive(Clone, Copy)]
pub struct Items {
    pub tail: &'static [u8],
    pub as_is: fn(&[u8]) -> bool,
    pub escape: fn(&str, &mut Vec<u8>),
}

/// One audience to list: its index in the audiences, the bytes each of its items starts with (a
/// list's own indent, say) before the id, and how the id is printed.
pub struct Listed {
    pub audience: usize,
    pub lead: Vec<u8>,
    pub items: Items,
}

impl Bucketing {
    /// Counts, for each audience, how many of the ids read from `reader` (one a line) are on;
    /// also how many ids there are. Chunks cut at line ends are hashed on every core, with no
    /// per-id allocation (`preview` over millions of ids).
    pub fn count(
        &self,
        reader: &mut (dyn Read + Send),
        audiences: &[Audience<'_>],
    ) -> Result<Counts, StreamError> {
        self.select(reader, audiences, Ids::Bytes, None, |_| Ok(()))
    }

    /// Like [`Bucketing::count`], and lists the ids that are on for the audience `list` names;
    /// `sink` receives the listing chunk by chunk in file order.
    pub fn select(
        &self,
        reader: &mut (dyn Read + Send),
        audiences: &[Audience<'_>],
        ids: Ids,
        list: Option<&Listed>,
        mut sink: impl FnMut(&[u8]) -> io::Result<()>,
    ) -> Result<Counts, StreamError> {
        let (prefix, sep) = match self {
            Bucketing::Flagd { flag_key } => (flag_key.as_str(), ""),
            Bucketing::Unleash { group_id } => (group_id.as_str(), ":"),
            // SHA-1 of the whole key, per id (see `bucket_of` below).
            Bucketing::LaunchDarkly { .. } => ("", ""),
        };
        // On iff bucket < threshold, for both algorithms (see `includes`).
        let thresholds: Vec<u32> = audiences
            .iter()
            .map(|a| self.threshold(a.percentage))
            .collect();
        // Only an id as long as some listed user can be one: most ids skip the set lookups.
        let mut listed_len: Vec<bool> = Vec::new();
        for a in audiences {
            for u in &a.users {
                if listed_len.len() <= u.len() {
                    listed_len.resize(u.len() + 1, false);
                }
                listed_len[u.len()] = true;
            }
        }
        let hasher = murmur3::Prefixed::new(format!("{prefix}{sep}").as_bytes());
        // An id's bucket, comparable with its audience's threshold (on iff bucket < threshold).
        // LaunchDarkly's "on" slice is the last when "off" comes first: mirrored, it is the first.
        let bucket_of = |id: &[u8]| -> u32 {
            match self {
                Bucketing::LaunchDarkly {
                    flag_key,
                    salt,
                    seed,
                    on_first,
                } => {
                    let b = launchdarkly::bucket_bytes(flag_key, salt, *seed, id);
                    if *on_first {
                        b
                    } else {
                        99_999 - b
                    }
                }
                _ => self.bucket_of_hash(hasher.hash(id)),
            }
        };
        let selection = Selection {
            audiences,
            plain: list.is_none() && listed_len.is_empty() && ids == Ids::Bytes,
            thresholds,
            ids,
            list,
            listed_len,
            bucket_of,
        };
        let work = |chunk: &[u8], outs: &mut [Vec<u8>]| selection.chunk(chunk, outs);
        let mut counts = Counts {
            total: 0,
            on: vec![0; audiences.len()],
        };
        let outs = usize::from(list.is_some());
        stream::run(reader, outs, work, |(total, on), outs| {
            counts.total += total;
            for (sum, n) in counts.on.iter_mut().zip(on) {
                *sum += n;
            }
            outs.first().map_or(Ok(()), |out| sink(out))
        })?;
        Ok(counts)
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
}
