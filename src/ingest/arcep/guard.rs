//! The readers under an ARCEP stream: one that hashes (SHA-256) and counts the bytes as stored while
//! they pass, and the gzip bomb guard, which refuses a file inflating more than [`MAX_RATIO`] times
//! its compressed size once [`RATIO_FLOOR`] bytes are out.

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::io::hash::StreamHash;

/// Largest decompressed / compressed ratio accepted from a gzip file once [`RATIO_FLOOR`] bytes are out
/// (CSV compresses 4–15×; deflate cannot exceed ~1032×).
pub const MAX_RATIO: u64 = 200;
/// Bytes inflated before the ratio is checked (small files with long runs stay readable).
const RATIO_FLOOR: u64 = 64 << 20;

/// A reader that hashes (and counts) the bytes it passes.
pub(super) struct Hashing<R> {
    pub(super) inner: R,
    pub(super) hash: Arc<Mutex<StreamHash>>,
    pub(super) count: Arc<AtomicU64>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Ok(mut h) = self.hash.lock() {
            h.update(&buf[..n]);
        }
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The bomb guard's error, told apart from a corrupt gzip stream.
#[derive(Debug)]
pub(super) struct TooCompressed {
    out: u64,
    compressed: u64,
}

impl std::fmt::Display for TooCompressed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the gzip file inflates more than {MAX_RATIO}× ({} bytes out of {}): refused as a likely \
             decompression bomb",
            self.out, self.compressed
        )
    }
}

impl std::error::Error for TooCompressed {}

/// Inflated bytes, checked against the compressed bytes read so far.
pub(super) struct RatioCap<R> {
    pub(super) inner: R,
    pub(super) compressed: Arc<AtomicU64>,
    pub(super) out: u64,
}

impl<R: Read> Read for RatioCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out += n as u64;
        let compressed = self.compressed.load(Ordering::Relaxed).max(1);
        if self.out > RATIO_FLOOR && self.out / compressed > MAX_RATIO {
            return Err(io::Error::other(TooCompressed { out: self.out, compressed }));
        }
        Ok(n)
    }
}
