//! The one bounded reader every input goes through, whatever its kind: a plain file, a gzip stream, a
//! zip member, or a zip container (xlsx, ods) before a spreadsheet library opens it.
//!
//! - **Regular files only**: a FIFO, a device (`/dev/zero`), a socket or a folder given as an input is
//!   refused before it is opened ([`check_regular`]), and again on the opened handle, so that nothing
//!   blocks and nothing endless is read.
//! - **Size cap** ([`InputLimits::max_bytes`]): the most bytes (uncompressed) one input may bring into
//!   memory, checked on the file's size before reading and on the real bytes while reading. It is
//!   configurable per file (`max_bytes` in a `[formats.<role>]` table or in the catalogue's `format`):
//!   a national ARCEP file is larger than a city's.
//! - **Expansion cap** ([`InputLimits::max_ratio`]): compressed input may not expand more than this ratio
//!   (bytes out / compressed bytes consumed), checked **while streaming** ([`Guarded`]): a gzip bomb is
//!   refused after at most a few MiB of output, whatever the absolute cap. For a zip container the
//!   declared sizes are checked first, then the real ones by inflating each entry to nowhere
//!   ([`check_zip_container`]), since headers can lie.
//!
//! Every error names the file and the cap ([`InputError`]).

use std::cell::Cell;
use std::fs::{File, Metadata};
use std::io::{self, BufReader, Read, Seek};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Limits on one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputLimits {
    /// Largest number of bytes (uncompressed) read from one input.
    pub max_bytes: u64,
    /// Largest ratio uncompressed / compressed, for compressed inputs.
    pub max_ratio: u64,
    /// Output below this many bytes is exempt from the ratio test (tiny files compress oddly).
    pub ratio_free_bytes: u64,
    /// Largest number of entries in a zip container.
    pub max_entries: usize,
}

/// 4 GiB: above any city's input; a national file sets its own `max_bytes`.
pub const DEFAULT_MAX_BYTES: u64 = 4 << 30;

impl Default for InputLimits {
    /// 4 GiB, ratio 200 (real CSV compress 5–20×, a sheet's XML up to ~50×), 4 MiB exempt, 10,000
    /// entries.
    fn default() -> Self {
        InputLimits {
            max_bytes: DEFAULT_MAX_BYTES,
            max_ratio: 200,
            ratio_free_bytes: 4 << 20,
            max_entries: 10_000,
        }
    }
}

impl InputLimits {
    /// The defaults with `max_bytes` when given.
    pub fn with_max_bytes(max_bytes: Option<u64>) -> InputLimits {
        let d = InputLimits::default();
        InputLimits { max_bytes: max_bytes.unwrap_or(d.max_bytes), ..d }
    }
}

/// Why an input was refused.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error(
        "{}: is {kind}, not a regular file: refused (inputs are read from regular files only)",
        path.display()
    )]
    NotRegular { path: PathBuf, kind: &'static str },

    #[error(
        "{}: {what} {size} bytes, above the cap of {cap} bytes: refused (raise `max_bytes` in the file's \
         [formats] table if it is genuine)",
        path.display()
    )]
    TooBig { path: PathBuf, what: &'static str, size: u64, cap: u64 },

    #[error(
        "{}: {what} expands {out} bytes from {compressed} compressed, above the cap of {cap}× \
         (decompression bomb?): refused",
        path.display()
    )]
    Ratio { path: PathBuf, what: String, out: u64, compressed: u64, cap: u64 },

    #[error("{}: zip container has {count} entries, above the cap of {cap}: refused", path.display())]
    TooManyEntries { path: PathBuf, count: usize, cap: usize },

    #[error("{}: cannot read: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

impl InputError {
    pub fn path(&self) -> &Path {
        match self {
            InputError::NotRegular { path, .. }
            | InputError::TooBig { path, .. }
            | InputError::Ratio { path, .. }
            | InputError::TooManyEntries { path, .. }
            | InputError::Io { path, .. } => path,
        }
    }

    /// An I/O error that may carry an [`InputError`] raised inside a [`Guarded`] stream.
    fn from_io(path: &Path, e: io::Error) -> InputError {
        if e.get_ref().is_some_and(|inner| inner.is::<InputError>()) {
            match e.into_inner().map(|b| b.downcast::<InputError>()) {
                Some(Ok(inner)) => return *inner,
                Some(Err(other)) => {
                    return InputError::Io { path: path.into(), source: io::Error::other(other) };
                }
                None => unreachable!("checked above"),
            }
        }
        InputError::Io { path: path.into(), source: e }
    }

    /// Whether `e` is a cap or file-kind refusal raised inside a stream (not a format problem).
    pub fn is_refusal(e: &io::Error) -> bool {
        e.get_ref().is_some_and(|inner| inner.is::<InputError>())
    }
}

fn kind_name(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// The file's metadata when it is a regular file (symbolic links followed), else why not.
pub fn check_regular(path: &Path) -> Result<Metadata, InputError> {
    let meta = std::fs::metadata(path).map_err(|source| InputError::Io { path: path.into(), source })?;
    if meta.is_file() {
        Ok(meta)
    } else {
        Err(InputError::NotRegular { path: path.into(), kind: kind_name(&meta) })
    }
}

/// Opens a regular file (checked before opening, and on the open handle) and gives its size.
pub fn open_regular(path: &Path) -> Result<(File, u64), InputError> {
    check_regular(path)?;
    let file = File::open(path).map_err(|source| InputError::Io { path: path.into(), source })?;
    let meta = file.metadata().map_err(|source| InputError::Io { path: path.into(), source })?;
    if !meta.is_file() {
        return Err(InputError::NotRegular { path: path.into(), kind: kind_name(&meta) });
    }
    Ok((file, meta.len()))
}

/// Reads a whole regular file, refusing one larger than `limits.max_bytes` before reading it.
pub fn read_file(path: &Path, limits: &InputLimits) -> Result<Vec<u8>, InputError> {
    let (file, len) = open_regular(path)?;
    if len > limits.max_bytes {
        return Err(InputError::TooBig {
            path: path.into(),
            what: "the file is",
            size: len,
            cap: limits.max_bytes,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(limits.max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| InputError::Io { path: path.into(), source })?;
    if bytes.len() as u64 > limits.max_bytes {
        // The file grew while being read.
        return Err(InputError::TooBig {
            path: path.into(),
            what: "the file holds more than",
            size: limits.max_bytes,
            cap: limits.max_bytes,
        });
    }
    Ok(bytes)
}

/// Counts the bytes read through it into a shared cell (the compressed side of a [`Guarded`]).
pub struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R> Counting<R> {
    pub fn new(inner: R) -> (Counting<R>, Rc<Cell<u64>>) {
        let count = Rc::new(Cell::new(0));
        (Counting { inner, count: Rc::clone(&count) }, count)
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// A decompressing stream held to a size cap and an expansion ratio, checked on every read: reading
/// past a cap fails with an `io::Error` carrying the [`InputError`] (see [`InputError::is_refusal`]).
pub struct Guarded<R> {
    inner: R,
    compressed: Rc<Cell<u64>>,
    out: u64,
    cap: u64,
    limits: InputLimits,
    path: PathBuf,
    what: String,
}

impl<R: Read> Guarded<R> {
    /// `compressed` counts the compressed bytes consumed so far; `cap` is the most bytes let out.
    pub fn new(
        inner: R,
        compressed: Rc<Cell<u64>>,
        cap: u64,
        limits: InputLimits,
        path: &Path,
        what: impl Into<String>,
    ) -> Guarded<R> {
        Guarded { inner, compressed, out: 0, cap, limits, path: path.into(), what: what.into() }
    }

    /// Bytes let out so far.
    pub fn out(&self) -> u64 {
        self.out
    }
}

impl<R: Read> Read for Guarded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out += n as u64;
        if self.out > self.cap {
            return Err(io::Error::other(InputError::TooBig {
                path: self.path.clone(),
                what: if self.cap < self.limits.max_bytes {
                    "the content inflates past its declared size of"
                } else {
                    "the content inflates to more than"
                },
                size: self.cap,
                cap: self.cap,
            }));
        }
        let compressed = self.compressed.get().max(1);
        if self.out > self.limits.ratio_free_bytes && self.out / compressed > self.limits.max_ratio {
            return Err(io::Error::other(InputError::Ratio {
                path: self.path.clone(),
                what: self.what.clone(),
                out: self.out,
                compressed,
                cap: self.limits.max_ratio,
            }));
        }
        Ok(n)
    }
}

/// A gzip file (every member of a multi-member file) as a guarded stream: for readers that stream.
pub fn open_gzip(path: &Path, limits: &InputLimits) -> Result<impl Read, InputError> {
    let (file, _) = open_regular(path)?;
    let (counting, compressed) = Counting::new(BufReader::new(file));
    let decoder = flate2::read::MultiGzDecoder::new(counting);
    Ok(Guarded::new(decoder, compressed, limits.max_bytes, *limits, path, "the gzip stream"))
}

/// Why a gzip file could not be read: a refusal by the caps, or a broken gzip stream (its message).
#[derive(Debug)]
pub enum GzipError {
    Refused(InputError),
    Corrupt(io::Error),
}

/// Decompresses a whole gzip file into memory, through [`open_gzip`].
pub fn read_gzip(path: &Path, limits: &InputLimits) -> Result<Vec<u8>, GzipError> {
    let mut reader = open_gzip(path, limits).map_err(GzipError::Refused)?;
    let mut bytes = Vec::new();
    match reader.read_to_end(&mut bytes) {
        Ok(_) => Ok(bytes),
        Err(e) if InputError::is_refusal(&e) => Err(GzipError::Refused(InputError::from_io(path, e))),
        Err(e) => Err(GzipError::Corrupt(e)),
    }
}

/// Checks a zip container (an xlsx, ods) before a library opens it: entry count, then every entry's
/// declared size against the ratio and the total against `max_bytes`, then the real sizes, by inflating
/// every entry to nowhere under the same caps (headers can lie). Memory stays bounded: nothing is kept.
/// A container that is not a readable zip is left to the library (its own message says why).
pub fn check_zip_container<R: Read + Seek>(
    reader: R,
    path: &Path,
    limits: &InputLimits,
) -> Result<(), InputError> {
    let Ok(mut zip) = zip::ZipArchive::new(reader) else { return Ok(()) };
    if zip.len() > limits.max_entries {
        return Err(InputError::TooManyEntries {
            path: path.into(),
            count: zip.len(),
            cap: limits.max_entries,
        });
    }
    let mut declared_total = 0u64;
    let mut entries = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let Ok(f) = zip.by_index_raw(i) else { continue };
        let (size, compressed) = (f.size(), f.compressed_size().max(1));
        if size > limits.ratio_free_bytes && size / compressed > limits.max_ratio {
            return Err(InputError::Ratio {
                path: path.into(),
                what: format!("entry {:?} declares that it", f.name()),
                out: size,
                compressed,
                cap: limits.max_ratio,
            });
        }
        declared_total = declared_total.saturating_add(size);
        entries.push((i, size, f.name().to_string()));
    }
    if declared_total > limits.max_bytes {
        return Err(InputError::TooBig {
            path: path.into(),
            what: "the container's entries declare",
            size: declared_total,
            cap: limits.max_bytes,
        });
    }
    // Real sizes: the zip reader pulls at most the declared compressed size of an entry, which passed
    // the ratio test against the declared size; so the declared size is the cap on what comes out.
    let exact = InputLimits { max_ratio: u64::MAX, ..*limits };
    let mut budget = limits.max_bytes;
    for (i, size, name) in entries {
        let Ok(f) = zip.by_index(i) else { continue };
        let unused = Rc::new(Cell::new(1));
        let mut guarded = Guarded::new(f, unused, size.min(budget), exact, path, format!("entry {name:?}"));
        match io::copy(&mut guarded, &mut io::sink()) {
            Ok(n) => budget = budget.saturating_sub(n),
            Err(e) if InputError::is_refusal(&e) => return Err(InputError::from_io(path, e)),
            // A damaged entry: the library will say so.
            Err(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn regular_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_file(dir.path(), &InputLimits::default()).unwrap_err().to_string();
        assert!(e.contains("a folder") && e.contains("not a regular file"), "{e}");
        #[cfg(unix)]
        {
            let e = read_file(Path::new("/dev/zero"), &InputLimits::default()).unwrap_err().to_string();
            assert!(e.contains("/dev/zero") && e.contains("character device"), "{e}");
        }
    }

    #[test]
    fn size_cap_names_file_and_cap() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        std::fs::write(&p, [b'x'; 100]).unwrap();
        let limits = InputLimits { max_bytes: 10, ..InputLimits::default() };
        let e = read_file(&p, &limits).unwrap_err().to_string();
        assert!(e.contains("a.csv") && e.contains("100 bytes") && e.contains("cap of 10"), "{e}");
        assert_eq!(read_file(&p, &InputLimits::default()).unwrap().len(), 100);
    }

    #[test]
    fn gzip_bomb_is_refused_while_streaming() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bomb.csv.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![b'0'; 1 << 20];
        for _ in 0..64 {
            enc.write_all(&zeros).unwrap();
        }
        std::fs::write(&p, enc.finish().unwrap()).unwrap();
        let t = std::time::Instant::now();
        let Err(GzipError::Refused(e)) = read_gzip(&p, &InputLimits::default()) else { panic!("refused") };
        let e = e.to_string();
        assert!(e.contains("bomb.csv.gz") && e.contains("cap of 200×"), "{e}");
        assert!(t.elapsed().as_secs() < 5);
    }
}
