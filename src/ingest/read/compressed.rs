//! The bytes of an input in memory, through the one bounded reader ([`crate::io::bounded`]): a plain
//! file, a gzip file (every member of a multi-member file) or one member of a zip archive, its name
//! checked by [`crate::io::archive`]. Regular files only; at most `max_bytes` uncompressed (4 GiB unless
//! the file's `[formats]` says otherwise) and an expansion ratio checked while inflating, so that a
//! decompression bomb is refused after a few MiB, never after filling memory.

use std::path::Path;

use crate::ingest::error::{IngestError, Location};
use crate::io::archive::read_member;
use crate::io::bounded::{self, GzipError, InputError, InputLimits};

/// Zip members listed when the one asked for is absent.
const MEMBERS_SHOWN: usize = 50;

/// A refusal of the bounded reader as an ingest error naming the file.
pub(crate) fn refused(e: InputError) -> IngestError {
    match e {
        InputError::Io { path, source } => IngestError::Io { path, source },
        other => IngestError::format(other.path().to_path_buf(), Location::File, strip_path(&other)),
    }
}

/// The message of `e` without its leading `<path>: ` (the ingest error names the path itself).
fn strip_path(e: &InputError) -> String {
    let text = e.to_string();
    let prefix = format!("{}: ", e.path().display());
    text.strip_prefix(&prefix).map(str::to_string).unwrap_or(text)
}

/// A whole plain file.
pub(super) fn read_plain(path: &Path, limits: &InputLimits) -> Result<Vec<u8>, IngestError> {
    bounded::read_file(path, limits).map_err(refused)
}

// gzip

/// Decompresses a gzip file (every member of a multi-member file) into memory under `limits`.
pub(super) fn read_gzip(path: &Path, limits: &InputLimits) -> Result<Vec<u8>, IngestError> {
    bounded::read_gzip(path, limits).map_err(|e| match e {
        GzipError::Refused(e) => refused(e),
        GzipError::Corrupt(e) => IngestError::format(
            path,
            Location::File,
            format!("not a readable gzip file (the name ends in .gz): {e}"),
        ),
    })
}

/// Reads one member of a zip archive into memory, refusing unsafe names and members over 2 GiB
/// ([`crate::io::archive::read_member`]), with messages that name the member.
pub(super) fn read_zip_member(
    path: &Path,
    member: &str,
    limits: &InputLimits,
) -> Result<Vec<u8>, IngestError> {
    use crate::io::archive::ArchiveError;
    let shown = path.join(member);
    bounded::check_regular(path).map_err(refused)?;
    read_member(path, member, limits).map_err(|e| match e {
        ArchiveError::Traversal { .. } | ArchiveError::Absolute { .. } => IngestError::format(
            path,
            Location::File,
            format!("refusing zip member name {member:?}: absolute paths and `..` are not allowed"),
        ),
        ArchiveError::Symlink { .. } => IngestError::format(
            path,
            Location::File,
            format!("refusing zip member {member:?}: it is a symbolic link"),
        ),
        ArchiveError::Io { path, source } => IngestError::Io { path, source },
        ArchiveError::Corrupt(e) => {
            IngestError::format(path, Location::File, format!("not a readable zip archive: {e}"))
        }
        ArchiveError::MemberNotFound { mut entries, .. } => {
            entries.sort();
            let mut listed: Vec<&str> = entries.iter().take(MEMBERS_SHOWN).map(String::as_str).collect();
            let more = entries.len().saturating_sub(MEMBERS_SHOWN);
            let tail = if more > 0 { format!(", ... and {more} more") } else { String::new() };
            if listed.is_empty() {
                listed.push("(none)");
            }
            IngestError::format(
                path,
                Location::File,
                format!("no member {member:?} in the zip; its members are: {}{tail}", listed.join(", ")),
            )
        }
        ArchiveError::TooBig { total, limit } => too_big(&shown, total, limit),
        other => IngestError::format(&shown, Location::File, other.to_string()),
    })
}

fn too_big(path: &Path, size: u64, cap: u64) -> IngestError {
    IngestError::format(
        path,
        Location::File,
        format!(
            "zip member is {size} bytes uncompressed, above the cap of {cap} bytes: refused (raise `max_bytes` \
             in the file's [formats] table if it is genuine)"
        ),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;
    use crate::ingest::read::{ReadOptions, read_table};

    #[test]
    fn gzip_is_decompressed_by_name_with_every_member_and_a_size_cap() {
        use std::io::Write;
        let gz = |text: &[u8]| {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            enc.write_all(text).unwrap();
            enc.finish().unwrap()
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("immeubles.csv.gz");
        // two gzip members, as `cat a.gz b.gz` gives
        let mut bytes = gz(b"imb_id;imb_x\nA;1\n");
        bytes.extend(gz(b"B;2\n"));
        std::fs::write(&path, bytes).unwrap();
        let t = read_table(&path, &ReadOptions::default()).unwrap();
        assert_eq!((t.height(), t.separator), (2, b';'));
        assert_eq!(t.path, path, "errors name the .gz file");
        let limits = InputLimits { max_bytes: 10, ..InputLimits::default() };
        let e = read_gzip(&path, &limits).unwrap_err().to_string();
        assert!(e.contains("whole file") && e.contains("cap of 10 bytes"), "{e}");
        std::fs::write(&path, "imb_id;imb_x\nA;1\n").unwrap();
        let e = read_table(&path, &ReadOptions::default()).unwrap_err().to_string();
        assert!(e.contains("not a readable gzip file"), "{e}");
    }
}
