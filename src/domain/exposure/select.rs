//! The work of [`Bucketing::select`](super::Bucketing::select) on one chunk of an ids file: each
//! id bucketed and counted against every audience, the listed audience's ids printed as items.
//! Chunks run on every core; the loops here are the ones the machine runs most.

use super::stream::{self, Piece};
use super::{trim_id, trim_text, Audience, Ids, Items, Listed};

/// The listed ids as they are printed: each its lead, the id and the tail. A short one is made
/// in a fixed-size block behind the lead and appended as half or all of the block (copied
/// inline, where a call to `memcpy` per item costs more than the copy), then cut to its length;
/// a long or escaped one is made in `long`.
struct Item {
    block: [u8; Item::BLOCK],
    long: Vec<u8>,
    lead: usize,
    items: Items,
}

impl Item {
    const BLOCK: usize = 64;

    fn new(listed: &Listed) -> Self {
        let lead = &listed.lead;
        let mut block = [0; Self::BLOCK];
        if let Some(at) = block.get_mut(..lead.len()) {
            at.copy_from_slice(lead);
        }
        Item {
            block,
            long: lead.clone(),
            lead: lead.len(),
            items: listed.items,
        }
    }

    /// Appends `id` to `out` as an item: as it is, or through `items.escape` unless `as_is`.
    #[inline]
    fn push(&mut self, id: &str, as_is: bool, out: &mut Vec<u8>) {
        let items = &self.items;
        let id_end = self.lead + id.len();
        let end = id_end + items.tail.len();
        if as_is && end <= Self::BLOCK {
            self.block[self.lead..id_end].copy_from_slice(id.as_bytes());
            self.block[id_end..end].copy_from_slice(items.tail);
            let at = out.len();
            if end <= Self::BLOCK / 2 {
                out.extend_from_slice(&self.block[..Self::BLOCK / 2]);
            } else {
                out.extend_from_slice(&self.block);
            }
            out.truncate(at + end);
            return;
        }
        self.long.truncate(self.lead);
        if as_is {
            self.long.extend_from_slice(id.as_bytes());
        } else {
            (items.escape)(id, &mut self.long);
        }
        self.long.extend_from_slice(items.tail);
        out.extend_from_slice(&self.long);
    }
}

/// Line `line` of `chunk` as text, trimmed, where `whole` is the chunk as text (a line of it is
/// text too: lines end at an ASCII byte).
fn line_text<'a>(whole: &'a str, chunk: &[u8], line: &[u8]) -> Result<&'a str, stream::LineError> {
    let at = line.as_ptr().addr() - chunk.as_ptr().addr();
    let text = whole
        .get(at..at + line.len())
        .ok_or(stream::LineError::NotUtf8)?;
    Ok(trim_text(text.trim_ascii()))
}

/// What every chunk of one `select` is read against: the audiences and their thresholds, how
/// lines become ids, the audience listed and how, which id lengths some listed user has, and
/// how an id is bucketed.
pub(super) struct Selection<'s, 'a, B> {
    pub audiences: &'s [Audience<'a>],
    /// Counting percentages only: no list, no listed users, ids as bytes.
    pub plain: bool,
    /// On iff bucket < threshold, one per audience.
    pub thresholds: Vec<u32>,
    pub ids: Ids,
    pub list: Option<&'s Listed>,
    /// `listed_len[n]`: some audience lists a user of `n` bytes.
    pub listed_len: Vec<bool>,
    pub bucket_of: B,
}

/// What a chunk found: how many ids, and how many are on per audience.
type Found = Piece<(usize, Vec<usize>)>;

impl<B: Fn(&[u8]) -> u32> Selection<'_, '_, B> {
    /// One chunk: the ids counted, and the listed ones appended to `outs[0]`.
    pub fn chunk(&self, chunk: &[u8], outs: &mut [Vec<u8>]) -> Found {
        if self.plain {
            return self.count_percentages(chunk);
        }
        // Whether the chunk is text, and whether its ids print as they are: one check a
        // chunk, not one an id.
        let whole = match self.ids {
            Ids::Text => std::str::from_utf8(chunk).ok(),
            Ids::Bytes => None,
        };
        let as_is = whole.is_some() && self.list.is_some_and(|l| (l.items.as_is)(chunk));
        match whole {
            Some(whole) if self.listed_len.is_empty() => {
                self.by_percentage(chunk, whole, as_is, outs)
            }
            _ => self.by_percentage_and_users(chunk, whole, as_is, outs),
        }
    }

    /// Counting percentages only: the loop the machine runs most.
    fn count_percentages(&self, chunk: &[u8]) -> Found {
        let mut on = vec![0usize; self.audiences.len()];
        let mut total = 0usize;
        let (lines, error) = stream::each_line(chunk, |line| {
            let id = trim_id(line);
            if !id.is_empty() {
                total += 1;
                let bucket = (self.bucket_of)(id);
                for (n, t) in on.iter_mut().zip(&self.thresholds) {
                    *n += usize::from(bucket < *t);
                }
            }
            Ok(())
        });
        Piece {
            value: (total, on),
            lines,
            error,
        }
    }

    /// No audience lists users (the common case) and the chunk is text (`whole`): the counting
    /// loop, and the listed audience's items.
    fn by_percentage(&self, chunk: &[u8], whole: &str, as_is: bool, outs: &mut [Vec<u8>]) -> Found {
        let mut on = vec![0usize; self.audiences.len()];
        let mut total = 0usize;
        let mut item = self.list.map(Item::new);
        let listed_below = self.list.map_or(0, |l| self.thresholds[l.audience]);
        let (lines, error) = stream::each_line(chunk, |line| {
            let text = line_text(whole, chunk, line)?;
            if text.is_empty() {
                return Ok(());
            }
            total += 1;
            let bucket = (self.bucket_of)(text.as_bytes());
            for (n, t) in on.iter_mut().zip(&self.thresholds) {
                *n += usize::from(bucket < *t);
            }
            if let (true, Some(item)) = (bucket < listed_below, &mut item) {
                item.push(text, as_is, &mut outs[0]);
            }
            Ok(())
        });
        Piece {
            value: (total, on),
            lines,
            error,
        }
    }

    /// Any other chunk: an id is on by its bucket or by being listed in an audience, and ids are
    /// text or bytes as `ids` says (`whole` when the chunk is text).
    fn by_percentage_and_users(
        &self,
        chunk: &[u8],
        whole: Option<&str>,
        as_is: bool,
        outs: &mut [Vec<u8>],
    ) -> Found {
        let mut on = vec![0usize; self.audiences.len()];
        let mut total = 0usize;
        let mut item = self.list.map(Item::new);
        let listed = self.list.map(|l| l.audience);
        let (lines, error) = stream::each_line(chunk, |line| {
            let (id, text) = match (self.ids, whole) {
                (Ids::Bytes, _) => (trim_id(line), None),
                (Ids::Text, Some(whole)) => {
                    let text = line_text(whole, chunk, line)?;
                    (text.as_bytes(), Some(text))
                }
                (Ids::Text, None) => {
                    let text = std::str::from_utf8(line.trim_ascii())
                        .map_err(|_| stream::LineError::NotUtf8)?;
                    let text = trim_text(text);
                    (text.as_bytes(), Some(text))
                }
            };
            if id.is_empty() {
                return Ok(());
            }
            total += 1;
            let bucket = (self.bucket_of)(id);
            let maybe_listed = self.listed_len.get(id.len()).copied().unwrap_or(false);
            let text = if maybe_listed || self.list.is_some() {
                text.or_else(|| std::str::from_utf8(id).ok())
            } else {
                None
            };
            for (r, a) in self.audiences.iter().enumerate() {
                let is_on = bucket < self.thresholds[r]
                    || (maybe_listed && text.is_some_and(|s| a.users.contains(s)));
                if !is_on {
                    continue;
                }
                on[r] += 1;
                if let (true, Some(s), Some(item)) = (listed == Some(r), text, &mut item) {
                    item.push(s, as_is, &mut outs[0]);
                }
            }
            Ok(())
        });
        Piece {
            value: (total, on),
            lines,
            error,
        }
    }
}
