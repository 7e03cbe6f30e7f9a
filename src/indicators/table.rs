//! The indicator table (`table.toml`, embedded): one entry per published column, read by the
//! computation, the maps, the tables, the report and the Frictionless schema.
//!
//! # Examples
//!
//! ```
//! use fracture::indicators::table::{Direction, Family, indicator};
//! use fracture::locale::Lang;
//!
//! let thd = indicator("share_thd30").expect("in the table");
//! assert_eq!(thd.family, Family::Connectivity);
//! assert_eq!(thd.direction, Direction::HigherIsBetter);
//! assert_eq!(thd.label(Lang::En), "Eligible to ≥ 30 Mbit/s");
//! assert!(thd.map.is_some());
//! ```

use std::sync::OnceLock;

use serde::Deserialize;

use crate::locale::Lang;

/// Which module computes an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Identity of the area (codes, name, surface).
    Area,
    /// Social need (population, age, diplomas, poverty, income, employment).
    Need,
    /// Broadband eligibility of premises.
    Connectivity,
    /// Digital-mediation places and programme reach.
    Reach,
    /// The composite index.
    Fragility,
    /// Columns about the row (secrecy, synthetic).
    Meta,
}

/// Frictionless Table Schema type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    String,
    Number,
    Integer,
    Boolean,
}

impl ColumnType {
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnType::String => "string",
            ColumnType::Number => "number",
            ColumnType::Integer => "integer",
            ColumnType::Boolean => "boolean",
        }
    }
}

/// Is a higher value worse? Sets map palettes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsWorse,
    HigherIsBetter,
    #[default]
    Neutral,
}

/// How a need variable enters the fragility index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FragilityPart {
    /// The value itself (a higher value is more fragile).
    Value,
    /// 100 − value (a coverage enters through its non-coverage).
    Complement,
}

/// A field describing the area itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaField {
    Type,
    Code,
    CodeQp,
    Name,
    Commune,
    Km2,
}

/// A count of persons (or of things handed to persons) from the attendance records, published under
/// statistical secrecy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonCount {
    /// Distinct participants of the quarter, by area of residence.
    Participants,
    /// Participants of the courses started in the quarter.
    CourseEnrolled,
    /// Devices handed out in the quarter.
    Devices,
}

impl PersonCount {
    /// The published column of this count.
    pub fn column(self) -> &'static str {
        match self {
            PersonCount::Participants => "participants",
            PersonCount::CourseEnrolled => "course_enrolled",
            PersonCount::Devices => "devices",
        }
    }
}

/// How a value is computed. The census variables are the columns of the ingested IRIS table
/// (`pop`, `pop65`, `nscol15p`, `nodip`, `poverty_rate`, …); `qpv_value` columns are those of INSEE's
/// per-QPV table.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Compute {
    /// A field of the area.
    Area { field: AreaField },
    /// Σ var × weight(IRIS, area): an extensive census count interpolated to the area.
    CensusSum { var: String },
    /// Σ num·w / Σ den·w × 100 over the IRIS where both are known.
    CensusShare { num: String, den: String },
    /// The uncertainty of the interpolated `var`: Σ var·w·cut / Σ var·w × 100, the share of the
    /// estimate coming from IRIS the area's boundary cuts (`cut` of the join's weights); 0 for the
    /// territory, a union of whole IRIS.
    CensusCutShare { var: String },
    /// Σ var·weight·w / Σ weight·w over the IRIS where `var` is known; null when those IRIS hold less
    /// than `min_coverage` of the area's `weight`.
    CensusWeightedMean { var: String, weight: String, min_coverage: f64 },
    /// A value of INSEE's per-QPV table.
    QpvValue { column: String },
    /// Σ premises of the ARCEP buildings located in the area.
    Premises,
    /// Premises whose building carries `flag` (`bhd8`, `thd30`, `thd100`, `ftth`) / premises × 100.
    PremisesShare { flag: String },
    /// Premises whose building does not carry `flag` / premises × 100 (a building without eligibility
    /// rows carries no flag).
    PremisesShareWithout { flag: String },
    /// The composite index over the entries that carry `fragility`.
    FragilityIndex,
    /// A score of the original IFN (see `ifn::areas`) against the territory as reference.
    Ifn { part: IfnPart },
    /// Mediation places located in the area.
    Places,
    /// Mediation places within `metres` of a QPV (inside it or outside at most that far from its
    /// boundary); not applicable to the comparison rows.
    PlacesWithin { metres: f64 },
    /// Participants of the quarter living in any QPV / participants of the quarter with a known
    /// residence × 100, on the territory row only (not applicable elsewhere), under secrecy: hidden
    /// when what it gives back beside the published counts is 1 to `min − 1` persons.
    ShareInQpv,
    /// Hours of activity attended by the residents of the area in the quarter.
    Hours,
    /// A count of persons, with primary and secondary suppression.
    Persons { count: PersonCount },
    /// `count` per 1,000 residents, hidden with `count`.
    PerThousand { count: PersonCount },
    /// Completed / enrolled × 100 for the courses of the quarter, hidden with `course_enrolled`.
    Completion,
    /// A bound of the 95 % Wilson interval of the rate column `rate` (a `completion` or a
    /// `per_thousand`), in the rate's unit; hidden with the rate.
    Wilson { rate: String, bound: Bound },
    /// Which columns of the row are hidden, and why.
    Secrecy,
    /// `true` on every row of a synthetic dataset (added at publication).
    Synthetic,
}

/// Which score of the original IFN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IfnPart {
    AccesInterfaces,
    AccesInformation,
    CompetencesAdministratives,
    CompetencesNumeriques,
    GlobalAcces,
    GlobalCompetences,
    Score,
    Quintile,
}

/// Which end of an interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    Low,
    High,
}

/// A French and an English text.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    pub fr: String,
    pub en: String,
}

impl Texts {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }
}

/// A classification method named in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassMethod {
    /// Quantiles with nice bounds.
    #[default]
    Quantiles,
    /// Classes of equal width.
    EqualIntervals,
    /// Exact Fisher-Jenks natural breaks.
    Jenks,
}

/// How a map's values are classed: `"quantiles"`, `"equal_intervals"`, `"jenks"`, or fixed
/// thresholds `{ breaks = [50, 70, 85] }` (strictly ascending; `t` thresholds make `t + 1` classes).
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum Classification {
    Method(ClassMethod),
    Breaks { breaks: Vec<f64> },
}

impl Default for Classification {
    fn default() -> Self {
        Classification::Method(ClassMethod::Quantiles)
    }
}

/// How an indicator is mapped.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct MapSpec {
    /// File stem of `maps/<stem>.png|svg|json`.
    pub stem: String,
    /// Decimals of the legend and of the text alternative.
    pub decimals: usize,
    /// Position in the report's maps (1 = first).
    pub rank: u32,
    /// How the values are classed (quantiles when not given); the legend states it.
    #[serde(default)]
    pub classification: Classification,
    /// Number of classes asked for (5 when not given; ignored with fixed thresholds).
    pub classes: Option<usize>,
}

/// One published column.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub id: String,
    pub family: Family,
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    /// Computations in order of preference: the first whose source the dataset has is used.
    pub compute: Vec<Compute>,
    /// Published precision (`None`: not rounded, e.g. a string).
    pub decimals: Option<usize>,
    /// Precision in the report's tables when different from `decimals`.
    pub table_decimals: Option<usize>,
    #[serde(default)]
    pub direction: Direction,
    pub fragility: Option<FragilityPart>,
    /// The count whose suppression hides this column too.
    pub hidden_with: Option<String>,
    pub map: Option<MapSpec>,
    #[serde(default)]
    pub unit: Texts,
    pub label: Texts,
    pub description: Texts,
}

/// Values substituted into the table's texts.
#[derive(Debug, Clone, Copy)]
pub struct TextParams<'a> {
    /// Minimum number of persons in a published cell.
    pub secrecy_min: u32,
    /// Hours a participant must attend for a course to count as completed, already formatted.
    pub completion_hours: &'a str,
}

impl Indicator {
    pub fn label(&self, lang: Lang) -> &str {
        self.label.get(lang)
    }
    pub fn unit(&self, lang: Lang) -> &str {
        self.unit.get(lang)
    }
    /// The description with the dataset's parameters substituted.
    pub fn description(&self, lang: Lang, p: &TextParams) -> String {
        self.description
            .get(lang)
            .replace("{secrecy_min}", &p.secrecy_min.to_string())
            .replace("{completion_hours}", p.completion_hours)
    }
    /// Decimals shown in the report's tables.
    pub fn shown_decimals(&self) -> usize {
        self.table_decimals.or(self.decimals).unwrap_or(1)
    }
    pub fn higher_is_better(&self) -> bool {
        self.direction == Direction::HigherIsBetter
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    indicator: Vec<Indicator>,
}

const TABLE: &str = include_str!("table.toml");

/// Every indicator, in publication order. A dataset publishes the subset its sources allow.
pub fn indicators() -> &'static [Indicator] {
    static CELL: OnceLock<Vec<Indicator>> = OnceLock::new();
    CELL.get_or_init(|| match toml::from_str::<File>(TABLE) {
        Ok(f) => f.indicator,
        // The table is embedded and checked by the tests below: this cannot fail in a built binary.
        Err(e) => panic!("src/indicators/table.toml is invalid: {e}"),
    })
}

/// Looks up an indicator by column name.
pub fn indicator(id: &str) -> Option<&'static Indicator> {
    indicators().iter().find(|d| d.id == id)
}

/// The mapped indicators, in the report's order.
pub fn mapped() -> Vec<(&'static Indicator, &'static MapSpec)> {
    let mut m: Vec<_> = indicators().iter().filter_map(|d| Some((d, d.map.as_ref()?))).collect();
    m.sort_by_key(|(_, s)| s.rank);
    m
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn the_table_parses_and_is_consistent() {
        let all = indicators();
        assert!(all.len() > 20);
        let ids: BTreeSet<&str> = all.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids.len(), all.len(), "duplicate id");
        for d in all {
            assert!(!d.compute.is_empty(), "{}: no computation", d.id);
            assert!(!d.label.fr.is_empty() && !d.label.en.is_empty(), "{}: label", d.id);
            assert!(!d.description.fr.is_empty() && !d.description.en.is_empty(), "{}: description", d.id);
            if let Some(h) = &d.hidden_with {
                assert!(ids.contains(h.as_str()), "{}: hidden_with {h} is not a column", d.id);
            }
            if matches!(d.column_type, ColumnType::Number | ColumnType::Integer) {
                assert!(d.decimals.is_some(), "{}: a number needs its decimals", d.id);
            }
            if d.map.is_some() {
                assert!(d.column_type != ColumnType::String, "{}: a text cannot be mapped", d.id);
            }
        }
        let ranks: BTreeSet<u32> = all.iter().filter_map(|d| d.map.as_ref().map(|m| m.rank)).collect();
        assert_eq!(ranks.len(), mapped().len(), "two maps share a rank");
    }

    #[test]
    fn parameters_are_substituted_never_written() {
        let p = TextParams { secrecy_min: 15, completion_hours: "9" };
        for d in indicators() {
            for lang in [Lang::Fr, Lang::En] {
                let text = d.description(lang, &p);
                assert!(!text.contains('{'), "{}: unreplaced placeholder in {text}", d.id);
                assert!(!text.contains(" 11 "), "{}: the secrecy threshold is written as a number", d.id);
            }
        }
        let s = indicator("secrecy").map(|d| d.description(Lang::Fr, &p)).unwrap_or_default();
        assert!(s.contains("moins de 15 personnes"), "{s}");
        let c = indicator("completion_rate").map(|d| d.description(Lang::En, &p)).unwrap_or_default();
        assert!(c.contains("at least 9 of"), "{c}");
    }
}
