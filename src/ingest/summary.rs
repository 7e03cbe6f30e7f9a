//! What `ingest` did with each file, as facts: rows or features accepted, rows corrected or set aside
//! (each with its reason), rows outside the territory (counted only), problems that rejected the file.
//!
//! Output of [`super::ingest_with_summary`]; `fracture ingest` turns it into a one-page summary through
//! the locale and writes its [`Entry`]s to the rejects file (`commands::ingest`). An entry never holds a
//! personal field: for attendance records only the date that set a record aside is kept, with the line.

use std::path::PathBuf;

use super::error::Location;
use crate::context::FileRole;
use crate::spatial::repair::Fix;

/// Why a row or feature was corrected or set aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// An attendance record dated after the horizon (the run's date unless configured): set aside.
    FutureDate,
    /// A code given as a JSON number, read as its fixed-width text: corrected.
    CodeRestored,
    /// One feature of a QPV spanning several communes, merged with its other parts: corrected.
    PartMerged,
    /// A ring whose last position was not its first: closed ([`crate::spatial::repair`]).
    RingClosed,
    /// Consecutive repeated positions removed.
    RepeatedPoints,
    /// Spike vertices (the ring going back along the line it came) removed.
    Spikes,
    /// An empty polygon of a multipolygon (or an empty hole) dropped, the feature keeping a valid part.
    EmptyPartDropped,
    /// A ring touching or crossing itself split into simple rings, the area kept within the tolerance.
    RingSplit,
}

impl Reason {
    /// Every reason, in the order summaries list them.
    pub const ALL: [Reason; 8] = [
        Reason::FutureDate,
        Reason::CodeRestored,
        Reason::PartMerged,
        Reason::RingClosed,
        Reason::RepeatedPoints,
        Reason::Spikes,
        Reason::EmptyPartDropped,
        Reason::RingSplit,
    ];

    /// Its name in the rejects file (stable, not translated).
    pub fn code(self) -> &'static str {
        match self {
            Reason::FutureDate => "future_date",
            Reason::CodeRestored => "code_restored",
            Reason::PartMerged => "part_merged",
            Reason::RingClosed => "ring_closed",
            Reason::RepeatedPoints => "repeated_points",
            Reason::Spikes => "spikes_removed",
            Reason::EmptyPartDropped => "empty_part_dropped",
            Reason::RingSplit => "ring_split",
        }
    }

    /// The reason of a geometry repair.
    pub fn of_fix(fix: &Fix) -> Reason {
        match fix {
            Fix::Closed { .. } => Reason::RingClosed,
            Fix::RepeatedPoints { .. } => Reason::RepeatedPoints,
            Fix::Spikes { .. } => Reason::Spikes,
            Fix::PartDropped { .. } | Fix::HoleDropped { .. } => Reason::EmptyPartDropped,
            Fix::Split { .. } => Reason::RingSplit,
        }
    }

    /// Whether the row was kept, corrected (true), or left out of what later stages see (false).
    pub fn is_kept(self) -> bool {
        !matches!(self, Reason::FutureDate)
    }
}

/// One corrected or set-aside row or feature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub location: Location,
    pub field: String,
    pub reason: Reason,
    /// The value that caused it (a date, `901 -> 0901`, a commune code), never a personal field.
    pub value: String,
}

impl Entry {
    pub fn new(location: Location, field: &str, reason: Reason, value: impl Into<String>) -> Entry {
        Entry { location, field: field.to_string(), reason, value: value.into() }
    }
}

/// What the counts of a file are counts of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Data rows of a table.
    Rows,
    /// GeoJSON features.
    Features,
    /// Buildings having eligibility rows (the eligibility file is read per building).
    BuildingsListed,
}

/// One input file's outcome.
#[derive(Debug, Clone)]
pub struct FileSummary {
    pub role: FileRole,
    /// The path as configured (relative to the dataset folder) or resolved.
    pub path: PathBuf,
    pub unit: Unit,
    /// Rows or features accepted (corrected ones included, set-aside ones not); `None` when the file
    /// was rejected.
    pub accepted: Option<usize>,
    pub entries: Vec<Entry>,
    /// Accepted rows or features outside the territory: QPV and IRIS are left out by `ingest`, buildings
    /// are kept and placed outside the territory by `join`. Counted, never listed.
    pub outside_territory: usize,
    /// Attendance records kept without a residence (counted as of unknown residence).
    pub unknown_residence: usize,
    /// Problems that rejected the file (0 when accepted).
    pub rejected: usize,
    /// Polygon rings turned over to the RFC 7946 orientation (counted, never listed).
    pub reoriented: usize,
}

impl FileSummary {
    pub fn new(role: FileRole, path: PathBuf, unit: Unit) -> FileSummary {
        FileSummary {
            role,
            path,
            unit,
            accepted: None,
            entries: Vec::new(),
            outside_territory: 0,
            unknown_residence: 0,
            rejected: 0,
            reoriented: 0,
        }
    }

    /// How many entries have `reason`.
    pub fn count(&self, reason: Reason) -> usize {
        self.entries.iter().filter(|e| e.reason == reason).count()
    }
}

/// Every file's outcome, in the order of `[files]`.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub files: Vec<FileSummary>,
}

impl Summary {
    /// The summary of the file of `role`, created on first use.
    pub fn file(&mut self, role: FileRole, path: PathBuf, unit: Unit) -> &mut FileSummary {
        let i = match self.files.iter().position(|f| f.role == role) {
            Some(i) => i,
            None => {
                self.files.push(FileSummary::new(role, path, unit));
                self.files.len() - 1
            }
        };
        &mut self.files[i]
    }

    /// The summary of the file of `role`, if any.
    pub fn get_mut(&mut self, role: FileRole) -> Option<&mut FileSummary> {
        self.files.iter_mut().find(|f| f.role == role)
    }

    /// Every entry of every file.
    pub fn entries(&self) -> impl Iterator<Item = (&FileSummary, &Entry)> {
        self.files.iter().flat_map(|f| f.entries.iter().map(move |e| (f, e)))
    }
}
