//! A file of ids, one a line, read in chunks cut at line ends, worked on by every core, with the
//! results handed back in file order. Memory is bounded whatever the input: a fixed number of
//! slots (input chunk plus the output made of it) circulate between the reader, the workers and
//! the collector, and a line may not be longer than [`MAX_LINE`].

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::mpsc;
use std::sync::Mutex;

/// The longest line accepted (bytes, without the line end). A user id is far shorter; the limit
/// keeps a file without line ends (`/dev/zero`) from growing memory without bound.
pub const MAX_LINE: usize = 64 * 1024;

/// Fresh bytes read per chunk (a chunk also holds the unfinished line of the one before).
const CHUNK: usize = 256 * 1024;

/// Why a stream of ids stopped.
#[derive(Debug)]
pub enum StreamError {
    /// Reading the input failed.
    Read(io::Error),
    /// The sink (the output) failed.
    Write(io::Error),
    /// Line `line` (1-based) is longer than [`MAX_LINE`].
    LineTooLong { line: usize },
    /// Line `line` (1-based) is not UTF-8 (only where the work asks for text).
    NotUtf8 { line: usize },
}

/// What went wrong on one line of a chunk.
#[derive(Debug, Clone, Copy)]
pub enum LineError {
    TooLong,
    NotUtf8,
}

/// What a worker made of one chunk: its value, how many lines the chunk holds, and the first bad
/// line (1-based within the chunk), after which the chunk's work stopped.
pub struct Piece<R> {
    pub value: R,
    pub lines: usize,
    pub error: Option<(usize, LineError)>,
}

struct Slot<R> {
    data: Vec<u8>,
    len: usize,
    seq: u64,
    out: Vec<Vec<u8>>,
    piece: Option<Piece<R>>,
}

enum ReadEnd {
    Io(io::Error),
    TooLong,
}

/// Reads `reader` to its end, runs `work` on each chunk (whole lines) on every core, each chunk
/// with `outs` empty output buffers to fill, and calls `sink` with each chunk's value and outputs
/// in file order. Stops at the first bad line, read error or sink error.
pub fn run<R, W, S>(
    reader: &mut (dyn Read + Send),
    outs: usize,
    work: W,
    mut sink: S,
) -> Result<(), StreamError>
where
    R: Send,
    W: Fn(&[u8], &mut [Vec<u8>]) -> Piece<R> + Sync,
    S: FnMut(R, &mut [Vec<u8>]) -> io::Result<()>,
{
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let slots = 2 * workers + 2;
    let (pool_tx, pool_rx) = mpsc::channel::<Slot<R>>();
    for _ in 0..slots {
        let _ = pool_tx.send(Slot {
            data: Vec::new(),
            len: 0,
            seq: 0,
            out: vec![Vec::new(); outs],
            piece: None,
        });
    }
    let (work_tx, work_rx) = mpsc::channel::<Slot<R>>();
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::channel::<Slot<R>>();
    std::thread::scope(|scope| {
        let reading = scope.spawn(move || read_chunks(reader, &pool_rx, &work_tx));
        for _ in 0..workers {
            let done_tx = done_tx.clone();
            let (work_rx, work) = (&work_rx, &work);
            scope.spawn(move || loop {
                let next = match work_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok(mut slot) = next else { return };
                slot.piece = Some(work(&slot.data[..slot.len], &mut slot.out));
                if done_tx.send(slot).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        // Collect in file order; returning drops the pool and the results, which stops the rest.
        let collected = (move || {
            let mut pending = BTreeMap::new();
            let mut next = 0u64;
            let mut lines = 0usize;
            for slot in done_rx {
                pending.insert(slot.seq, slot);
                while let Some(mut slot) = pending.remove(&next) {
                    next += 1;
                    let Some(piece) = slot.piece.take() else {
                        continue;
                    };
                    if let Some((line, why)) = piece.error {
                        let line = lines + line;
                        return Err(match why {
                            LineError::TooLong => StreamError::LineTooLong { line },
                            LineError::NotUtf8 => StreamError::NotUtf8 { line },
                        });
                    }
                    lines += piece.lines;
                    sink(piece.value, &mut slot.out).map_err(StreamError::Write)?;
                    for o in &mut slot.out {
                        o.clear();
                    }
                    let _ = pool_tx.send(slot);
                }
            }
            Ok(lines)
        })();
        let read = reading
            .join()
            .unwrap_or_else(|_| Err(ReadEnd::Io(io::Error::other("the reading thread stopped"))));
        let lines = collected?;
        match read {
            Ok(()) => Ok(()),
            Err(ReadEnd::Io(e)) => Err(StreamError::Read(e)),
            Err(ReadEnd::TooLong) => Err(StreamError::LineTooLong { line: lines + 1 }),
        }
    })
}

/// Fills slots from the pool with whole lines and sends them to the workers. A line longer than
/// [`MAX_LINE`] that has not ended stops the reading (the workers check the ones that end).
fn read_chunks<R>(
    reader: &mut (dyn Read + Send),
    pool: &mpsc::Receiver<Slot<R>>,
    work: &mpsc::Sender<Slot<R>>,
) -> Result<(), ReadEnd> {
    let mut carry: Vec<u8> = Vec::new();
    let mut seq = 0u64;
    let mut held: Option<Slot<R>> = None;
    loop {
        let mut slot = match held.take() {
            Some(slot) => slot,
            None => match pool.recv() {
                Ok(slot) => slot,
                Err(_) => return Ok(()),
            },
        };
        let start = carry.len();
        let want = start + CHUNK;
        if slot.data.len() < want {
            slot.data.resize(want, 0);
        }
        slot.data[..start].copy_from_slice(&carry);
        let mut filled = start;
        while filled < want {
            match reader.read(&mut slot.data[filled..want]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ReadEnd::Io(e)),
            }
        }
        if filled < want {
            // The end of the input: the last line may lack its line end.
            if filled > 0 {
                slot.len = filled;
                slot.seq = seq;
                let _ = work.send(slot);
            }
            return Ok(());
        }
        let Some(nl) = memchr::memrchr(b'\n', &slot.data[..filled]) else {
            if filled > MAX_LINE {
                return Err(ReadEnd::TooLong);
            }
            carry.clear();
            carry.extend_from_slice(&slot.data[..filled]);
            held = Some(slot);
            continue;
        };
        carry.clear();
        carry.extend_from_slice(&slot.data[nl + 1..filled]);
        slot.len = nl + 1;
        slot.seq = seq;
        seq += 1;
        if work.send(slot).is_err() {
            return Ok(());
        }
        if carry.len() > MAX_LINE {
            return Err(ReadEnd::TooLong);
        }
    }
}

/// Calls `f` with each line of `chunk` (without its line end) and its 1-based number; `f`
/// returning an error stops the walk. Returns the number of lines and the error, if any.
pub fn each_line(
    chunk: &[u8],
    mut f: impl FnMut(&[u8]) -> Result<(), LineError>,
) -> (usize, Option<(usize, LineError)>) {
    let mut start = 0;
    let mut lines = 0;
    while start < chunk.len() {
        let end = memchr::memchr(b'\n', &chunk[start..]).map_or(chunk.len(), |i| start + i);
        lines += 1;
        let line = &chunk[start..end];
        let checked = if line.len() > MAX_LINE {
            Err(LineError::TooLong)
        } else {
            f(line)
        };
        if let Err(why) = checked {
            return (lines, Some((lines, why)));
        }
        start = end + 1;
    }
    (lines, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(input: &[u8]) -> Result<Vec<String>, StreamError> {
        let mut seen = Vec::new();
        let mut reader: &[u8] = input;
        run(
            &mut reader,
            1,
            |chunk, outs| {
                let (lines, error) = each_line(chunk, |l| {
                    outs[0].extend_from_slice(l);
                    outs[0].push(b'|');
                    Ok(())
                });
                Piece {
                    value: (),
                    lines,
                    error,
                }
            },
            |(), outs| {
                seen.extend(
                    String::from_utf8_lossy(&outs[0])
                        .split_terminator('|')
                        .map(str::to_string),
                );
                Ok(())
            },
        )?;
        Ok(seen)
    }

    #[test]
    fn keeps_file_order_across_chunks() {
        let text: String = (0..200_000).map(|i| format!("id-{i}\n")).collect();
        let got = lines_of(text.as_bytes()).unwrap();
        assert_eq!(got.len(), 200_000);
        assert!(got.iter().enumerate().all(|(i, l)| *l == format!("id-{i}")));
        assert_eq!(lines_of(b"a\nb").unwrap(), ["a", "b"]);
        assert!(lines_of(b"").unwrap().is_empty());
    }

    #[test]
    fn a_line_over_the_limit_is_named_by_number() {
        let mut text: Vec<u8> = b"a\nb\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', 3 * CHUNK));
        match lines_of(&text) {
            Err(StreamError::LineTooLong { line }) => assert_eq!(line, 3),
            other => panic!("{:?}", other.map(|v| v.len())),
        }
        let mut text: Vec<u8> = (0..100_000).flat_map(|_| *b"ok\n").collect();
        text.extend(std::iter::repeat_n(b'y', MAX_LINE + 1));
        text.extend(b"\nok\n");
        match lines_of(&text) {
            Err(StreamError::LineTooLong { line }) => assert_eq!(line, 100_001),
            other => panic!("{:?}", other.map(|v| v.len())),
        }
        let exact: Vec<u8> = std::iter::repeat_n(b'z', MAX_LINE).collect();
        assert_eq!(lines_of(&exact).unwrap().len(), 1);
    }
}
