//! Errors raised while reading and validating inputs. Every variant names the file, and where it applies
//! the line or feature and the field, so that a user can fix their file without reading code.

use std::fmt;
use std::path::PathBuf;

/// Where in a file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// 1-based line number in a text file (header = its own line).
    Line(usize),
    /// 0-based index of a GeoJSON feature, with its code when known.
    Feature { index: usize, code: Option<String> },
    /// Row of a spreadsheet sheet (1-based, as Excel shows it).
    Row { sheet: String, row: usize },
    /// The file as a whole.
    File,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(n) => write!(f, "line {n}"),
            Location::Feature { index, code: Some(c) } => write!(f, "feature {index} ({c})"),
            Location::Feature { index, code: None } => write!(f, "feature {index}"),
            Location::Row { sheet, row } => write!(f, "sheet {sheet:?} row {row}"),
            Location::File => f.write_str("whole file"),
        }
    }
}

/// One problem found in an input.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{}: cannot read: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },

    #[error("{}: {location}: field `{field}`: expected {expected}, found {found:?}", path.display())]
    Field { path: PathBuf, location: Location, field: String, expected: String, found: String },

    /// `location` is the header line (or sheet row).
    #[error("{}: {location} (header): missing required column `{column}` (columns found: {found})", path.display())]
    MissingColumn { path: PathBuf, location: Location, column: String, found: String },

    #[error("{}: {location}: {message}", path.display())]
    Format { path: PathBuf, location: Location, message: String },

    #[error("{}: {} problem(s):\n{}", path.display(), errors.len(), list(errors))]
    Many { path: PathBuf, errors: Vec<IngestError> },

    /// A problem in the file configured under `[files] key`.
    #[error("[files] {key}: {source}")]
    Configured { key: String, source: Box<IngestError> },
}

fn list(errors: &[IngestError]) -> String {
    const SHOWN: usize = 50;
    let mut s: Vec<String> = errors.iter().take(SHOWN).map(|e| format!("  - {e}")).collect();
    if errors.len() > SHOWN {
        s.push(format!("  ... and {} more", errors.len() - SHOWN));
    }
    s.join("\n")
}

impl IngestError {
    /// Shorthand for a file-level format problem.
    pub fn format(path: impl Into<PathBuf>, location: Location, message: impl Into<String>) -> Self {
        IngestError::Format { path: path.into(), location, message: message.into() }
    }

    /// Turns a list of problems found in one file into one error (or `Ok` when the list is empty).
    pub fn collect(path: impl Into<PathBuf>, mut errors: Vec<IngestError>) -> Result<(), IngestError> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(IngestError::Many { path: path.into(), errors }),
        }
    }

    /// Number of individual problems this error stands for.
    pub fn count(&self) -> usize {
        match self {
            IngestError::Many { errors, .. } => errors.len(),
            IngestError::Configured { source, .. } => source.count(),
            _ => 1,
        }
    }

    /// The file this error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            IngestError::Io { path, .. }
            | IngestError::Field { path, .. }
            | IngestError::MissingColumn { path, .. }
            | IngestError::Format { path, .. }
            | IngestError::Many { path, .. } => path,
            IngestError::Configured { source, .. } => source.path(),
        }
    }

    /// The same error about the file of `[files] key`, naming the key.
    pub fn configured(self, key: &str) -> IngestError {
        IngestError::Configured { key: key.to_string(), source: Box::new(self) }
    }

    /// The same error without any of the file's content (cell values, header names): for a file read
    /// from outside the dataset and data folders, whose content may be anything readable.
    pub fn without_content(self) -> IngestError {
        const HIDDEN: &str = "(not shown: the file is outside the dataset and data folders)";
        match self {
            IngestError::Field { path, location, field, expected, .. } => {
                IngestError::Field { path, location, field, expected, found: HIDDEN.into() }
            }
            IngestError::MissingColumn { path, location, column, .. } => {
                IngestError::MissingColumn { path, location, column, found: HIDDEN.into() }
            }
            IngestError::Format { path, location, .. } => {
                IngestError::Format { path, location, message: format!("not readable as expected {HIDDEN}") }
            }
            IngestError::Many { path, errors } => IngestError::Many {
                path,
                errors: errors.into_iter().map(IngestError::without_content).collect(),
            },
            IngestError::Configured { key, source } => {
                IngestError::Configured { key, source: Box::new(source.without_content()) }
            }
            io @ IngestError::Io { .. } => io,
        }
    }
}
