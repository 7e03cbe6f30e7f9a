//! Archive safety, in one place for every stage.
//!
//! - [`extract`] (fetch's cache): the whole central directory is checked before anything is written: an
//!   archive holding an absolute path, a `..` component or a symbolic link is refused as a whole, even when
//!   only a harmless member was asked for. Decompression bombs are refused on the declared sizes (per-entry
//!   ratio, total size, entry count) and again while inflating, since headers can lie. Members are written
//!   to hidden temporary files and renamed into place only once every member has been inflated.
//! - [`read_member`] (ingest's reader): one member, named exactly, read into memory under a size cap;
//!   its name must be a safe relative path.
//! - gzip streams and zip containers are bounded by [`super::bounded`].
//!
//! Names: [`safe_relative`] is the one rule, both `/` and `\` separate, a drive letter is absolute.

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use zip::CompressionMethod;

use super::IoError;
use super::atomic;
use super::hash::StreamHash;

/// Limits against decompression bombs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtractLimits {
    /// Largest accepted ratio uncompressed / compressed for one entry.
    pub max_ratio: u64,
    /// Entries expanding to at most this many bytes are exempt from the ratio test.
    pub ratio_free_bytes: u64,
    /// Largest total expanded size of the extracted entries.
    pub max_total_bytes: u64,
    /// Largest number of entries in the archive.
    pub max_entries: usize,
}

impl Default for ExtractLimits {
    /// Ratio 200 (real CSV/GeoJSON compress 5-20x; xlsx are already compressed), 16 GiB in total.
    fn default() -> Self {
        ExtractLimits {
            max_ratio: 200,
            ratio_free_bytes: 1 << 20,
            max_total_bytes: 16 << 30,
            max_entries: 10_000,
        }
    }
}

/// Why an archive was refused.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("not a readable zip archive: {0}")]
    Corrupt(#[source] zip::result::ZipError),

    #[error("entry {name:?} has a `..` component (path traversal)")]
    Traversal { name: String },

    #[error("entry {name:?} has an absolute path")]
    Absolute { name: String },

    #[error("entry {name:?} is a symbolic link")]
    Symlink { name: String },

    #[error("entry {name:?} is encrypted")]
    Encrypted { name: String },

    #[error("entry {name:?} uses compression {method}; only stored and deflate are supported")]
    Unsupported { name: String, method: String },

    #[error(
        "entry {name:?} expands {size} bytes from {compressed} (ratio above the limit of {limit}): decompression bomb?"
    )]
    Ratio { name: String, size: u64, compressed: u64, limit: u64 },

    #[error("the extracted entries would total {total} bytes, above the limit of {limit}")]
    TooBig { total: u64, limit: u64 },

    #[error("entry {name:?} inflates past {limit} bytes (its declared size or the limits): refused")]
    Overflow { name: String, limit: u64 },

    #[error("{count} entries, above the limit of {limit}")]
    TooManyEntries { count: usize, limit: usize },

    #[error("member {member:?} not found (entries: {})", preview(entries))]
    MemberNotFound { member: String, entries: Vec<String> },

    #[error("member {member:?} matches several entries: {}", candidates.join(", "))]
    Ambiguous { member: String, candidates: Vec<String> },

    #[error("entry {name:?} would overwrite {}", path.display())]
    Collision { name: String, path: PathBuf },

    #[error("entry {name:?}: {source}")]
    Entry { name: String, source: zip::result::ZipError },

    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

/// One extracted member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// Name inside the archive.
    pub member: String,
    /// Path relative to the destination folder.
    pub relative: PathBuf,
    pub path: PathBuf,
    pub sha256: String,
    pub bytes: u64,
}

struct Entry {
    index: usize,
    name: String,
    relative: PathBuf,
    is_dir: bool,
    size: u64,
    compressed: u64,
    method: CompressionMethod,
    encrypted: bool,
}

/// Extracts `members` (every file when empty) of `archive` into `dest`, keeping their relative paths.
/// `protect` lists files of `dest` that no entry may overwrite (the archive itself, its sidecar).
pub fn extract(
    archive: &Path,
    dest: &Path,
    members: &[String],
    limits: &ExtractLimits,
    protect: &[PathBuf],
) -> Result<Vec<Extracted>, ArchiveError> {
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ArchiveError::Io { path, source }
    };
    let moved = |e: IoError| ArchiveError::Io { path: e.path, source: e.source };
    let file = File::open(archive).map_err(io_err(archive))?;
    let mut zip = zip::ZipArchive::new(file).map_err(ArchiveError::Corrupt)?;
    if zip.len() > limits.max_entries {
        return Err(ArchiveError::TooManyEntries { count: zip.len(), limit: limits.max_entries });
    }

    // 1. Every entry's name, before anything is written.
    let mut entries = Vec::with_capacity(zip.len());
    for index in 0..zip.len() {
        let f = zip.by_index_raw(index).map_err(ArchiveError::Corrupt)?;
        let name = f.name().to_string();
        let relative = safe_relative(&name)?;
        if f.is_symlink() {
            return Err(ArchiveError::Symlink { name });
        }
        entries.push(Entry {
            index,
            is_dir: f.is_dir() || relative.as_os_str().is_empty(),
            relative,
            size: f.size(),
            compressed: f.compressed_size(),
            method: f.compression(),
            encrypted: f.encrypted(),
            name,
        });
    }

    // 2. Which entries to extract.
    let selected: Vec<&Entry> = if members.is_empty() {
        entries.iter().filter(|e| !e.is_dir).collect()
    } else {
        members.iter().map(|m| find_member(&entries, m)).collect::<Result<_, _>>()?
    };

    // 3. Declared sizes.
    let mut total = 0u64;
    for e in &selected {
        if e.encrypted {
            return Err(ArchiveError::Encrypted { name: e.name.clone() });
        }
        if !matches!(e.method, CompressionMethod::Stored | CompressionMethod::Deflated) {
            return Err(ArchiveError::Unsupported { name: e.name.clone(), method: e.method.to_string() });
        }
        if e.size > limits.ratio_free_bytes && e.size / e.compressed.max(1) >= limits.max_ratio {
            return Err(ArchiveError::Ratio {
                name: e.name.clone(),
                size: e.size,
                compressed: e.compressed,
                limit: limits.max_ratio,
            });
        }
        total = total.saturating_add(e.size);
        let target = dest.join(&e.relative);
        if protect.contains(&target) {
            return Err(ArchiveError::Collision { name: e.name.clone(), path: target });
        }
    }
    if total > limits.max_total_bytes {
        return Err(ArchiveError::TooBig { total, limit: limits.max_total_bytes });
    }

    // 4. Inflate into temporary files, with the limits enforced on the real bytes.
    let mut done = Vec::with_capacity(selected.len());
    let mut budget = limits.max_total_bytes;
    for e in selected {
        let target = dest.join(&e.relative);
        let folder = target.parent().unwrap_or(dest);
        std::fs::create_dir_all(folder).map_err(io_err(folder))?;
        let mut temp = atomic::temp_beside(&target).map_err(moved)?;
        let mut reader =
            zip.by_index(e.index).map_err(|source| ArchiveError::Entry { name: e.name.clone(), source })?;
        // Real bytes may not exceed the declared size (already checked against the ratio and total
        // limits) nor what is left of the total budget.
        let cap = e.size.min(budget);
        let mut hash = StreamHash::new();
        let mut written = 0u64;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => {
                    return Err(ArchiveError::Entry {
                        name: e.name.clone(),
                        source: zip::result::ZipError::Io(err),
                    });
                }
            };
            written += n as u64;
            if written > cap {
                return Err(ArchiveError::Overflow { name: e.name.clone(), limit: cap });
            }
            hash.update(&buf[..n]);
            temp.write_all(&buf[..n]).map_err(io_err(temp.path()))?;
        }
        budget = budget.saturating_sub(written);
        done.push((
            temp,
            Extracted {
                member: e.name.clone(),
                relative: e.relative.clone(),
                path: target,
                sha256: hash.finish().0,
                bytes: written,
            },
        ));
    }

    // 5. Everything inflated: rename into place.
    let mut out = Vec::with_capacity(done.len());
    for (temp, x) in done {
        atomic::persist_synced(temp, &x.path).map_err(moved)?;
        out.push(x);
    }
    Ok(out)
}

/// The relative path an entry name stands for, or why it is refused. Both `/` and `\` separate.
///
/// # Examples
/// ```
/// use fracture::io::archive::safe_relative;
/// assert_eq!(safe_relative("./GEOJSON/a.geojson").unwrap(), std::path::Path::new("GEOJSON/a.geojson"));
/// assert!(safe_relative("a/../../evil").is_err());
/// assert!(safe_relative("C:\\x").is_err());
/// ```
pub fn safe_relative(name: &str) -> Result<PathBuf, ArchiveError> {
    let bytes = name.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if name.starts_with(['/', '\\']) || drive {
        return Err(ArchiveError::Absolute { name: name.to_string() });
    }
    if name.contains('\0') {
        return Err(ArchiveError::Traversal { name: name.to_string() });
    }
    let mut out = PathBuf::new();
    for part in name.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return Err(ArchiveError::Traversal { name: name.to_string() }),
            p => out.push(p),
        }
    }
    Ok(out)
}

/// The entry a catalogue member names: exact name first, else the single entry ending in `/member`
/// (archives often wrap everything in one folder).
fn find_member<'a>(entries: &'a [Entry], member: &str) -> Result<&'a Entry, ArchiveError> {
    let files = || entries.iter().filter(|e| !e.is_dir);
    if let Some(e) = files().find(|e| e.name == member) {
        return Ok(e);
    }
    let wanted = member.replace('\\', "/");
    let suffix = format!("/{}", wanted.trim_start_matches("./"));
    let candidates: Vec<&Entry> = files().filter(|e| e.name.replace('\\', "/").ends_with(&suffix)).collect();
    match candidates.as_slice() {
        [one] => Ok(one),
        [] => Err(ArchiveError::MemberNotFound {
            member: member.to_string(),
            entries: entries.iter().map(|e| e.name.clone()).collect(),
        }),
        many => Err(ArchiveError::Ambiguous {
            member: member.to_string(),
            candidates: many.iter().map(|e| e.name.clone()).collect(),
        }),
    }
}

/// Reads the member named exactly `member` of the zip `archive` into memory, refusing an unsafe name
/// ([`safe_relative`]), more than `limits.max_bytes` uncompressed (declared or real) and a declared
/// expansion above `limits.max_ratio`; the real bytes are held to the declared size while inflating.
pub fn read_member(
    archive: &Path,
    member: &str,
    limits: &super::bounded::InputLimits,
) -> Result<Vec<u8>, ArchiveError> {
    use super::bounded::{Guarded, InputError};
    safe_relative(member)?;
    let file =
        File::open(archive).map_err(|source| ArchiveError::Io { path: archive.to_path_buf(), source })?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(ArchiveError::Corrupt)?;
    if !zip.file_names().any(|n| n == member) {
        let entries = zip.file_names().map(String::from).collect();
        return Err(ArchiveError::MemberNotFound { member: member.to_string(), entries });
    }
    let entry =
        zip.by_name(member).map_err(|source| ArchiveError::Entry { name: member.to_string(), source })?;
    if entry.is_symlink() {
        return Err(ArchiveError::Symlink { name: member.to_string() });
    }
    let max_bytes = limits.max_bytes;
    if entry.size() > max_bytes {
        return Err(ArchiveError::TooBig { total: entry.size(), limit: max_bytes });
    }
    let (size, compressed) = (entry.size(), entry.compressed_size());
    if size > limits.ratio_free_bytes && size / compressed.max(1) > limits.max_ratio {
        return Err(ArchiveError::Ratio {
            name: member.to_string(),
            size,
            compressed,
            limit: limits.max_ratio,
        });
    }
    // The zip reader pulls at most the declared compressed size: the declared size is the real cap.
    let exact = super::bounded::InputLimits { max_ratio: u64::MAX, ..*limits };
    let unused = std::rc::Rc::new(std::cell::Cell::new(1));
    let mut guarded = Guarded::new(entry, unused, size, exact, archive, format!("member {member:?}"));
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    match guarded.read_to_end(&mut bytes) {
        Ok(_) => Ok(bytes),
        Err(e) if InputError::is_refusal(&e) => {
            Err(ArchiveError::Overflow { name: member.to_string(), limit: size })
        }
        Err(source) => {
            Err(ArchiveError::Entry { name: member.to_string(), source: zip::result::ZipError::Io(source) })
        }
    }
}

fn preview(entries: &[String]) -> String {
    let shown: Vec<&str> = entries.iter().take(20).map(String::as_str).collect();
    let more = entries.len().saturating_sub(shown.len());
    if more > 0 { format!("{}, ... and {more} more", shown.join(", ")) } else { shown.join(", ") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;
    use zip::write::SimpleFileOptions;

    fn make_zip(path: &Path, entries: &[(&str, &[u8])]) {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        for (name, data) in entries {
            w.start_file(*name, opts).expect("start");
            w.write_all(data).expect("write");
        }
        let bytes = w.finish().expect("finish").into_inner();
        std::fs::write(path, bytes).expect("save zip");
    }

    fn files_under(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("list") {
                let p = e.expect("entry").path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p.strip_prefix(dir).expect("prefix").to_string_lossy().replace('\\', "/"));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn one_member_is_read_exactly_and_under_a_cap() {
        let dir = tempfile::tempdir().expect("tempdir");
        let z = dir.path().join("a.zip");
        make_zip(&z, &[("data/filo.csv", b"IRIS;P\n1;2\n"), ("meta.txt", b"notes")]);
        let cap = |max_bytes| super::super::bounded::InputLimits { max_bytes, ..Default::default() };
        assert_eq!(read_member(&z, "data/filo.csv", &cap(100)).expect("read"), b"IRIS;P\n1;2\n");
        let missing = read_member(&z, "filo.csv", &cap(100)).expect_err("exact names only");
        assert!(matches!(missing, ArchiveError::MemberNotFound { ref entries, .. } if entries.len() == 2));
        assert!(matches!(
            read_member(&z, "data/filo.csv", &cap(5)),
            Err(ArchiveError::TooBig { limit: 5, .. })
        ));
        assert!(matches!(read_member(&z, "../x", &cap(100)), Err(ArchiveError::Traversal { .. })));
        assert!(matches!(read_member(&z, "/x", &cap(100)), Err(ArchiveError::Absolute { .. })));
        let bomb = dir.path().join("bomb.zip");
        make_zip(&bomb, &[("zeros.csv", &vec![b'0'; 16 << 20])]);
        assert!(matches!(read_member(&bomb, "zeros.csv", &cap(1 << 30)), Err(ArchiveError::Ratio { .. })));
    }

    #[test]
    fn names_with_traversal_or_absolute_paths_are_refused() {
        assert!(matches!(safe_relative("../evil"), Err(ArchiveError::Traversal { .. })));
        assert!(matches!(safe_relative("a/../../evil"), Err(ArchiveError::Traversal { .. })));
        assert!(matches!(safe_relative("a\\..\\evil"), Err(ArchiveError::Traversal { .. })));
        assert!(matches!(safe_relative("/etc/passwd"), Err(ArchiveError::Absolute { .. })));
        assert!(matches!(safe_relative("C:\\x"), Err(ArchiveError::Absolute { .. })));
        assert_eq!(safe_relative("./GEOJSON/a.geojson").expect("ok"), Path::new("GEOJSON/a.geojson"));
    }

    #[test]
    fn one_bad_entry_refuses_the_whole_archive_and_writes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let z = dir.path().join("a.zip");
        make_zip(&z, &[("ok.csv", b"a,b\n"), ("../evil", b"x")]);
        let out = dir.path().join("out");
        let err =
            extract(&z, &out, &["ok.csv".to_string()], &ExtractLimits::default(), &[]).expect_err("refused");
        assert!(matches!(err, ArchiveError::Traversal { ref name } if name == "../evil"), "{err}");
        assert!(!out.exists() && !dir.path().join("evil").exists());
    }

    #[test]
    fn high_ratio_entry_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let z = dir.path().join("bomb.zip");
        make_zip(&z, &[("zeros.csv", &vec![0u8; 8 << 20])]);
        let err = extract(&z, dir.path(), &[], &ExtractLimits::default(), &[]).expect_err("bomb");
        assert!(matches!(err, ArchiveError::Ratio { .. }), "{err}");
        assert_eq!(files_under(dir.path()), vec!["bomb.zip".to_string()]);
    }

    #[test]
    fn total_size_limit_is_enforced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let z = dir.path().join("a.zip");
        make_zip(&z, &[("a.csv", &[b'a'; 600]), ("b.csv", &[b'b'; 600])]);
        let limits = ExtractLimits { max_total_bytes: 1000, ..ExtractLimits::default() };
        let err = extract(&z, &dir.path().join("o"), &[], &limits, &[]).expect_err("too big");
        assert!(matches!(err, ArchiveError::TooBig { total: 1200, limit: 1000 }), "{err}");
    }

    #[test]
    fn named_member_is_extracted_alone_and_suffix_matches() {
        let dir = tempfile::tempdir().expect("tempdir");
        let z = dir.path().join("qp.zip");
        make_zip(&z, &[("GEOJSON/QP.geojson", b"{}"), ("SHP/QP.shp", b"shp"), ("wrap/SHP/QP.dbf", b"dbf")]);
        let out = dir.path().join("out");
        let got = extract(
            &z,
            &out,
            &["GEOJSON/QP.geojson".to_string(), "SHP/QP.dbf".to_string()],
            &ExtractLimits::default(),
            &[],
        )
        .expect("extract");
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].member, "wrap/SHP/QP.dbf");
        assert_eq!(files_under(&out), vec!["GEOJSON/QP.geojson".to_string(), "wrap/SHP/QP.dbf".to_string()]);
        assert_eq!(std::fs::read(out.join("GEOJSON/QP.geojson")).expect("read"), b"{}");
        let err =
            extract(&z, &out, &["nope.csv".to_string()], &ExtractLimits::default(), &[]).expect_err("none");
        assert!(err.to_string().contains("SHP/QP.shp"), "{err}");
    }

    #[test]
    fn entries_cannot_overwrite_protected_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let z = dir.path().join("a.zip");
        make_zip(&z, &[("a.zip", b"x")]);
        let err = extract(&z, dir.path(), &[], &ExtractLimits::default(), std::slice::from_ref(&z))
            .expect_err("collision");
        assert!(matches!(err, ArchiveError::Collision { .. }), "{err}");
    }
}
