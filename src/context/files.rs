//! The input files of a dataset: each file's [`FileRole`] (the keys of `[files]`, `[formats]` and of the
//! manifest's inputs) and the `[files]` table itself ([`DatasetFiles`]).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The role of one input file: the keys of a dataset's `[files]` and `[formats]`, and of the manifest's
/// inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileRole {
    Qpv,
    QpvPrevious,
    IrisContours,
    IrisPopulation,
    IrisDiplomas,
    IrisFilosofi,
    IrisActivity,
    IrisHouseholds,
    ArcepBuildings,
    ArcepEligibility,
    Places,
    Attendance,
    QpvIndicators,
}

impl FileRole {
    /// Every role, in the order of `[files]`.
    pub const ALL: [FileRole; 13] = [
        FileRole::Qpv,
        FileRole::QpvPrevious,
        FileRole::IrisContours,
        FileRole::IrisPopulation,
        FileRole::IrisDiplomas,
        FileRole::IrisFilosofi,
        FileRole::IrisActivity,
        FileRole::IrisHouseholds,
        FileRole::ArcepBuildings,
        FileRole::ArcepEligibility,
        FileRole::Places,
        FileRole::Attendance,
        FileRole::QpvIndicators,
    ];

    /// The key, as written in `dataset.toml`.
    pub fn key(self) -> &'static str {
        match self {
            FileRole::Qpv => "qpv",
            FileRole::QpvPrevious => "qpv_previous",
            FileRole::IrisContours => "iris_contours",
            FileRole::IrisPopulation => "iris_population",
            FileRole::IrisDiplomas => "iris_diplomas",
            FileRole::IrisFilosofi => "iris_filosofi",
            FileRole::IrisActivity => "iris_activity",
            FileRole::IrisHouseholds => "iris_households",
            FileRole::ArcepBuildings => "arcep_buildings",
            FileRole::ArcepEligibility => "arcep_eligibility",
            FileRole::Places => "places",
            FileRole::Attendance => "attendance",
            FileRole::QpvIndicators => "qpv_indicators",
        }
    }
}

impl fmt::Display for FileRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The inputs a dataset provides, relative to its input folder. Absent entries mean the source is not
/// available for this dataset: indicators that need it are left out, with the reason in the report.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetFiles {
    pub qpv: String,
    /// The previous official QPV list's contours (2015 list), optional: the crosswalk to `qpv`
    /// (`tables/qpv_crosswalk.csv`) and the per-QPV comparability of windows across the change.
    pub qpv_previous: Option<String>,
    pub iris_contours: Option<String>,
    pub iris_population: Option<String>,
    pub iris_diplomas: Option<String>,
    pub iris_filosofi: Option<String>,
    /// INSEE census, activity of residents (`base-ic-activite-residents`): optional, with the census.
    pub iris_activity: Option<String>,
    /// INSEE census, couples, families, households (`base-ic-couples-familles-menages`): optional, with
    /// the census.
    pub iris_households: Option<String>,
    pub arcep_buildings: Option<String>,
    pub arcep_eligibility: Option<String>,
    pub places: Option<String>,
    pub attendance: Option<String>,
    /// INSEE per-QPV indicator table (2015 geography), keyed by `code_qp`.
    pub qpv_indicators: Option<String>,
}

impl DatasetFiles {
    /// The file configured for `role`, if any.
    pub fn get(&self, role: FileRole) -> Option<&String> {
        match role {
            FileRole::Qpv => Some(&self.qpv),
            FileRole::QpvPrevious => self.qpv_previous.as_ref(),
            FileRole::IrisContours => self.iris_contours.as_ref(),
            FileRole::IrisPopulation => self.iris_population.as_ref(),
            FileRole::IrisDiplomas => self.iris_diplomas.as_ref(),
            FileRole::IrisFilosofi => self.iris_filosofi.as_ref(),
            FileRole::IrisActivity => self.iris_activity.as_ref(),
            FileRole::IrisHouseholds => self.iris_households.as_ref(),
            FileRole::ArcepBuildings => self.arcep_buildings.as_ref(),
            FileRole::ArcepEligibility => self.arcep_eligibility.as_ref(),
            FileRole::Places => self.places.as_ref(),
            FileRole::Attendance => self.attendance.as_ref(),
            FileRole::QpvIndicators => self.qpv_indicators.as_ref(),
        }
    }

    pub(super) fn get_mut(&mut self, role: FileRole) -> Option<&mut String> {
        match role {
            FileRole::Qpv => Some(&mut self.qpv),
            FileRole::QpvPrevious => self.qpv_previous.as_mut(),
            FileRole::IrisContours => self.iris_contours.as_mut(),
            FileRole::IrisPopulation => self.iris_population.as_mut(),
            FileRole::IrisDiplomas => self.iris_diplomas.as_mut(),
            FileRole::IrisFilosofi => self.iris_filosofi.as_mut(),
            FileRole::IrisActivity => self.iris_activity.as_mut(),
            FileRole::IrisHouseholds => self.iris_households.as_mut(),
            FileRole::ArcepBuildings => self.arcep_buildings.as_mut(),
            FileRole::ArcepEligibility => self.arcep_eligibility.as_mut(),
            FileRole::Places => self.places.as_mut(),
            FileRole::Attendance => self.attendance.as_mut(),
            FileRole::QpvIndicators => self.qpv_indicators.as_mut(),
        }
    }

    /// Every configured file with its role, in the order of `[files]`.
    pub fn entries(&self) -> Vec<(FileRole, &String)> {
        FileRole::ALL.into_iter().filter_map(|r| self.get(r).map(|f| (r, f))).collect()
    }
}
