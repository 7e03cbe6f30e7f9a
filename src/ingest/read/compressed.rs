//! The bytes of a compressed input, in memory under a size cap: a gzip file (every member of a
//! multi-member file) or one member of a zip archive, its name checked by [`crate::io::archive`].
//! At most 2 GiB uncompressed is read, so that a decompression bomb cannot exhaust memory.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use super::io_error;
use crate::ingest::error::{IngestError, Location};
use crate::io::archive::{read_bounded, read_member};

/// Largest zip member or gzip file read into memory (uncompressed).
pub const MAX_MEMBER_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Zip members listed when the one asked for is absent.
const MEMBERS_SHOWN: usize = 50;

// gzip

/// Decompresses a gzip file (every member of a multi-member file) into memory, refusing more than `max`
/// bytes uncompressed.
pub(super) fn read_gzip(path: &Path, max: u64) -> Result<Vec<u8>, IngestError> {
    let file = File::open(path).map_err(|source| io_error(path, source))?;
    let decoder = flate2::read::MultiGzDecoder::new(BufReader::new(file));
    let bytes = read_bounded(decoder, max, 0).map_err(|e| {
        IngestError::format(
            path,
            Location::File,
            format!("not a readable gzip file (the name ends in .gz): {e}"),
        )
    })?;
    bytes.ok_or_else(|| {
        IngestError::format(
            path,
            Location::File,
            format!("the gzip file decompresses to more than {max} bytes, the most this reader accepts"),
        )
    })
}

/// Reads one member of a zip archive into memory, refusing unsafe names and members over 2 GiB
/// ([`crate::io::archive::read_member`]), with messages that name the member.
pub(super) fn read_zip_member(path: &Path, member: &str) -> Result<Vec<u8>, IngestError> {
    use crate::io::archive::ArchiveError;
    let shown = path.join(member);
    read_member(path, member, MAX_MEMBER_BYTES).map_err(|e| match e {
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
        ArchiveError::Io { path, source } => io_error(&path, source),
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
        ArchiveError::TooBig { total, .. } => too_big(&shown, total),
        other => IngestError::format(&shown, Location::File, other.to_string()),
    })
}

fn too_big(path: &Path, size: u64) -> IngestError {
    IngestError::format(
        path,
        Location::File,
        format!("zip member is {size} bytes uncompressed, more than the 2 GiB this reader accepts"),
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
        let e = read_gzip(&path, 10).unwrap_err().to_string();
        assert!(e.contains("whole file") && e.contains("more than 10 bytes"), "{e}");
        std::fs::write(&path, "imb_id;imb_x\nA;1\n").unwrap();
        let e = read_table(&path, &ReadOptions::default()).unwrap_err().to_string();
        assert!(e.contains("not a readable gzip file"), "{e}");
    }
}
