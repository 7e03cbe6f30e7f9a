//! SHA-256, always as lower-case hex: of bytes, of a stream fed piece by piece (downloads, archive
//! members while they inflate), and of a file read in 64 KiB blocks.

use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::IoError;

/// SHA-256 of `bytes`.
///
/// # Examples
/// ```
/// assert_eq!(
///     fracture::io::hash::sha256_hex(b"abcd"),
///     "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589"
/// );
/// ```
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A SHA-256 computed while the bytes go by, with their count.
#[derive(Debug, Clone, Default)]
pub struct StreamHash {
    hasher: Sha256,
    bytes: u64,
}

impl StreamHash {
    pub fn new() -> StreamHash {
        StreamHash::default()
    }

    pub fn update(&mut self, chunk: &[u8]) {
        self.hasher.update(chunk);
        self.bytes += chunk.len() as u64;
    }

    /// The hex digest and the number of bytes seen.
    pub fn finish(self) -> (String, u64) {
        (hex::encode(self.hasher.finalize()), self.bytes)
    }
}

/// SHA-256 (lower-case hex) and size of a file, streamed.
pub fn sha256_file(path: &Path) -> Result<(String, u64), IoError> {
    let io = IoError::at(path);
    // A FIFO or a device would block or never end: regular files only.
    let mut file = match super::bounded::open_regular(path) {
        Ok((file, _)) => file,
        Err(super::bounded::InputError::Io { source, .. }) => return Err(io(source)),
        Err(e) => {
            let text = e.to_string();
            let prefix = format!("{}: ", path.display());
            let why = text.strip_prefix(&prefix).unwrap_or(&text).to_string();
            return Err(io(std::io::Error::other(why)));
        }
    };
    let mut hash = StreamHash::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hash.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io(e)),
        }
    }
    Ok(hash.finish())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;

    #[test]
    fn file_stream_and_bytes_agree() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&p, &data).unwrap();
        let mut s = StreamHash::new();
        for chunk in data.chunks(777) {
            s.update(chunk);
        }
        let streamed = s.finish();
        assert_eq!(sha256_file(&p).unwrap(), streamed);
        assert_eq!(streamed, (sha256_hex(&data), 200_000));
        let e = sha256_file(&dir.path().join("missing")).unwrap_err().to_string();
        assert!(e.contains("missing"), "{e}");
    }
}
