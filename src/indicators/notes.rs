//! Notes: what the indicators stage could not compute, and why, as facts. Words come from the locale
//! (`note.*` messages), at publication.

use crate::locale::{Arg, Locale};

/// One fact a reader of the report must know.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum Note {
    /// No IRIS contours: no outside-QPV and territory rows.
    NoComparisonAreas,
    /// An indicator left empty for `zones` areas whose population is too little covered by its source.
    LowCoverage { indicator: String, zones: usize },
    /// QPV absent from INSEE's per-QPV table.
    QpvMissingFromTable { codes: Vec<String> },
    /// Social indicators come from INSEE's per-QPV table (no census IRIS tables).
    InseeQpvTable,
    /// No INSEE source at all.
    NoInsee,
    /// Census indicators absent because the dataset lacks the table (or the column) they need: the
    /// optional activity or households tables, an age band (reason "source missing", never zero).
    SourceMissing { indicators: Vec<String> },
    /// No ARCEP buildings or eligibility.
    NoArcep,
    /// No programme attendance.
    NoAttendance,
    /// Participants of the quarter living outside the territory or of unknown residence; a count
    /// below the secrecy threshold `min` is `None` (written "fewer than `min`").
    NotCounted { outside: Option<u64>, unknown: Option<u64>, min: u32 },
    /// Warnings met while reading the inputs (listed in the manifest).
    InputWarnings { count: usize },
}

impl Note {
    /// The note in words.
    pub fn text(&self, l: &Locale) -> String {
        match self {
            Note::NoComparisonAreas => l.text("note.no_comparison_areas").to_string(),
            Note::LowCoverage { indicator, zones } => {
                let label = super::table::indicator(indicator)
                    .map(|d| d.label(l.lang).to_string())
                    .unwrap_or_else(|| indicator.clone());
                l.format(
                    "note.low_coverage",
                    &[("label", Arg::Text(label)), ("zones", Arg::Count(*zones as u64))],
                )
            }
            Note::QpvMissingFromTable { codes } => l.format(
                "note.qpv_missing_from_table",
                &[("n", Arg::Count(codes.len() as u64)), ("codes", Arg::List(codes.clone()))],
            ),
            Note::InseeQpvTable => l.text("note.insee_qpv_table").to_string(),
            Note::NoInsee => l.text("note.no_insee").to_string(),
            Note::SourceMissing { indicators } => {
                let labels = indicators
                    .iter()
                    .map(|id| {
                        super::table::indicator(id).map(|d| d.label(l.lang).to_string()).unwrap_or(id.clone())
                    })
                    .collect();
                l.format("note.source_missing", &[("labels", Arg::List(labels))])
            }
            Note::NoArcep => l.text("note.no_arcep").to_string(),
            Note::NoAttendance => l.text("note.no_attendance").to_string(),
            Note::NotCounted { outside, unknown, min } => {
                let count = |n: &Option<u64>| match n {
                    Some(n) => Arg::Text(n.to_string()),
                    None => Arg::Text(l.format("note.fewer_than", &[("min", Arg::Text(min.to_string()))])),
                };
                l.format("note.not_counted", &[("outside", count(outside)), ("unknown", count(unknown))])
            }
            Note::InputWarnings { count } => {
                l.format("note.input_warnings", &[("n", Arg::Text(count.to_string()))])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locale::Lang;

    #[test]
    fn notes_are_written_in_each_language() {
        let n = Note::LowCoverage { indicator: "poverty_rate".into(), zones: 3 };
        assert!(n.text(&Locale::new(Lang::Fr)).starts_with("Taux de pauvreté non calculé pour 3 zone(s)"));
        assert!(n.text(&Locale::new(Lang::En)).starts_with("Poverty rate not computed for 3 area(s)"));
        let m = Note::QpvMissingFromTable { codes: vec!["QP001".into(), "QP002".into()] };
        assert!(m.text(&Locale::new(Lang::En)).ends_with("QP001, QP002"));
        let s =
            Note::SourceMissing { indicators: vec!["unemployment_rate".into(), "share_one_person".into()] };
        assert_eq!(
            s.text(&Locale::new(Lang::En)),
            "Not computed, source missing (census table not given): Unemployment rate, ages 15-64, \
             One-person households."
        );
        assert!(s.text(&Locale::new(Lang::Fr)).contains("Taux de chômage 15-64 ans"));
    }
}
