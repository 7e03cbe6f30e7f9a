//! Files on disk: whole files written atomically, large files streamed to a temporary name then renamed,
//! and the premises Parquet file written one row group at a time.
//!
//! Invariants: a reader never sees a half-written file (temporary file in the same folder, flushed, then
//! renamed over the target); the Parquet file's row groups are the row groups handed in, in order.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use polars::prelude::*;
use tempfile::NamedTempFile;

use super::SynthError;
use crate::io::IoError;
use crate::io::atomic::{create_dir, persist, temp_beside, write};

/// Writes `bytes` to `path` atomically.
pub fn atomic(path: &Path, bytes: &[u8]) -> Result<(), SynthError> {
    Ok(write(path, bytes)?)
}

/// A large file written in pieces, renamed into place by [`Streamed::finish`].
pub struct Streamed {
    path: PathBuf,
    out: BufWriter<NamedTempFile>,
    bytes: u64,
}

impl Streamed {
    pub fn create(path: &Path) -> Result<Self, SynthError> {
        create_dir(path.parent().unwrap_or_else(|| Path::new(".")))?;
        let tmp = temp_beside(path)?;
        Ok(Self { path: path.to_path_buf(), out: BufWriter::with_capacity(1 << 20, tmp), bytes: 0 })
    }

    pub fn write(&mut self, bytes: &[u8]) -> Result<(), SynthError> {
        self.bytes += bytes.len() as u64;
        Ok(self.out.write_all(bytes).map_err(IoError::at(&self.path))?)
    }

    /// Flushes and renames; returns the file's size.
    pub fn finish(self) -> Result<u64, SynthError> {
        let tmp = self.out.into_inner().map_err(|e| IoError::new(&self.path, e.into_error()))?;
        persist(tmp, &self.path)?;
        Ok(self.bytes)
    }
}

/// The premises Parquet file, written row group by row group.
pub struct PremisesParquet {
    path: PathBuf,
    tmp: NamedTempFile,
    writer: polars::io::parquet::write::BatchedWriter<File>,
}

/// The columns of one row group.
pub struct RowGroup {
    pub ids: Vec<String>,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub techno: Vec<&'static str>,
    pub class: Vec<&'static str>,
}

impl RowGroup {
    pub fn with_capacity(n: usize) -> Self {
        Self {
            ids: Vec::with_capacity(n),
            x: Vec::with_capacity(n),
            y: Vec::with_capacity(n),
            techno: Vec::with_capacity(n),
            class: Vec::with_capacity(n),
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }
}

impl PremisesParquet {
    pub fn create(path: &Path) -> Result<Self, SynthError> {
        create_dir(path.parent().unwrap_or_else(|| Path::new(".")))?;
        let tmp = temp_beside(path)?;
        let file = tmp.as_file().try_clone().map_err(IoError::at(path))?;
        let schema = Schema::from_iter([
            Field::new("id".into(), DataType::String),
            Field::new("x".into(), DataType::Float64),
            Field::new("y".into(), DataType::Float64),
            Field::new("techno".into(), DataType::String),
            Field::new("debit_class".into(), DataType::String),
        ]);
        let writer = ParquetWriter::new(file)
            .with_compression(ParquetCompression::Zstd(None))
            .batched(&schema)
            .map_err(|e| SynthError::Parquet { path: path.to_path_buf(), message: e.to_string() })?;
        Ok(Self { path: path.to_path_buf(), tmp, writer })
    }

    /// Writes one row group (emptying `rows`).
    pub fn write(&mut self, rows: &mut RowGroup) -> Result<(), SynthError> {
        let n = rows.len();
        let taken = std::mem::replace(rows, RowGroup::with_capacity(n));
        DataFrame::new(
            n,
            vec![
                Column::new("id".into(), taken.ids),
                Column::new("x".into(), taken.x),
                Column::new("y".into(), taken.y),
                Column::new("techno".into(), taken.techno),
                Column::new("debit_class".into(), taken.class),
            ],
        )
        .and_then(|df| self.writer.write_batch(&df))
        .map_err(|e| SynthError::Parquet { path: self.path.clone(), message: e.to_string() })
    }

    /// Writes the footer and renames the file into place; returns its size.
    pub fn finish(self) -> Result<u64, SynthError> {
        let size = self
            .writer
            .finish()
            .map_err(|e| SynthError::Parquet { path: self.path.clone(), message: e.to_string() })?;
        drop(self.writer);
        persist(self.tmp, &self.path)?;
        Ok(size)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;

    #[test]
    fn streamed_and_atomic_files_land_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b.txt");
        let mut s = Streamed::create(&p).unwrap();
        s.write(b"one ").unwrap();
        s.write(b"two").unwrap();
        assert!(!p.exists());
        assert_eq!(s.finish().unwrap(), 7);
        assert_eq!(std::fs::read(&p).unwrap(), b"one two");
        atomic(&p, b"three").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"three");
        assert_eq!(std::fs::read_dir(dir.path().join("a")).unwrap().count(), 1);
    }

    #[test]
    fn parquet_row_groups_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.parquet");
        let mut w = PremisesParquet::create(&p).unwrap();
        for g in 0..3 {
            let mut rg = RowGroup::with_capacity(2);
            for i in 0..2 {
                rg.ids.push(format!("id{g}{i}"));
                rg.x.push(1.5);
                rg.y.push(2.5);
                rg.techno.push("FO");
                rg.class.push("THD1G");
            }
            w.write(&mut rg).unwrap();
        }
        w.finish().unwrap();
        let mut reader = ParquetReader::new(File::open(&p).unwrap());
        let groups: Vec<usize> =
            reader.get_metadata().unwrap().row_groups.iter().map(|g| g.num_rows()).collect();
        assert_eq!(groups, [2, 2, 2], "one row group per write");
        let df = ParquetReader::new(File::open(&p).unwrap()).finish().unwrap();
        assert_eq!(df.height(), 6);
        assert_eq!(df.get_column_names(), ["id", "x", "y", "techno", "debit_class"]);
    }
}
