//! The scenario of Démoville: every choice that makes the demo tell a story, in one table.
//!
//! Inputs: none (constants). Outputs: [`QPV_STORIES`] (shape, need, fibre, reach of each of the 11 QPV),
//! [`IRIS_NAMES`] and the special IRIS cells, read by the other demo modules.
//!
//! The story the demo dataset tells:
//! - four **high-need** QPV (poverty 44–50 % in their core): Les Tilleuls (low education), Grand-Champ
//!   (lowest education), Bellevue (many people aged 65+, a park in the middle) and Cité du Canal;
//! - **fibre laggards**: Grand-Champ (~30 % of premises), Cité du Canal (~45 %, an old cable network
//!   instead) and Les Peupliers (~50 %); everywhere else 85–97 %;
//! - **reach** of the programmes: Les Tilleuls and Bellevue (both hosting Emmaüs Connect courses) are well
//!   reached, Grand-Champ (high need, no place nearby) is poorly reached, and the two small QPV Les
//!   Hauts-de-Démoville and Moulin-Vert have fewer than 11 participants in the latest quarter, so
//!   statistical secrecy suppresses them.
//!
//! Invariants (checked by the unit tests of `city`): the QPV do not overlap, lie inside the commune and
//! away from the activity (`A`) and park (`D`) IRIS.

/// Commune code of Démoville (fictitious).
pub const COMMUNE: &str = "99001";
/// Commune name.
pub const COMMUNE_NAME: &str = "Démoville";
/// Fictitious région code.
pub const REG: &str = "99";
/// Fictitious département code.
pub const DEP: &str = "99";
/// Fictitious EPCI SIREN.
pub const SIREN_EPCI: &str = "200099999";
/// Fictitious urban unit (2020 zoning).
pub const UU2020: &str = "99701";
/// Fictitious postal code.
pub const CODE_POSTAL: &str = "99100";

/// One QPV of the scenario. Positions are metres east/north of the city centre (Lambert-93).
#[derive(Debug)]
pub struct QpvStory {
    pub code: &'static str,
    pub name: &'static str,
    /// Parts as (dx, dy, mean radius): one part for a `Polygon`, two for a `MultiPolygon`.
    pub parts: &'static [(f64, f64, f64)],
    /// Radius of a hole (a park) as a fraction of the mean radius of the first part.
    pub hole: Option<f64>,
    /// Poverty rate (share) in an IRIS fully covered by the QPV.
    pub poverty: f64,
    /// Share of people aged 65+ in such an IRIS.
    pub elderly: f64,
    /// Share of non-students aged 15+ with no diploma (or CEP) in such an IRIS.
    pub no_diploma: f64,
    /// Share of premises (logements + locaux) eligible to fibre (FTTH).
    pub fibre: f64,
    /// Share of large buildings eligible to cable (COAX).
    pub coax: f64,
    /// Distinct participants living in the QPV in the latest quarter (2026 T3).
    pub participants_latest: usize,
    /// Share of its new participants who follow an Emmaüs Connect course.
    pub emmaus_share: f64,
    /// One line of the story, for the README.
    pub role: &'static str,
}

impl QpvStory {
    /// High need: core poverty rate of 40 % or more.
    pub fn high_need(&self) -> bool {
        self.poverty >= 0.40
    }
}

/// The 11 QPV of Démoville, in code order.
pub const QPV_STORIES: [QpvStory; 11] = [
    QpvStory {
        code: "QN99901M",
        name: "Les Tilleuls",
        parts: &[(-2800.0, -1800.0, 480.0)],
        hole: None,
        poverty: 0.47,
        elderly: 0.14,
        no_diploma: 0.38,
        fibre: 0.93,
        coax: 0.10,
        participants_latest: 48,
        emmaus_share: 0.6,
        role: "high need, well reached (Emmaüs Connect space in the neighbourhood)",
    },
    QpvStory {
        code: "QN99902M",
        name: "Val-Fleuri",
        parts: &[(-1200.0, -2300.0, 380.0)],
        hole: None,
        poverty: 0.30,
        elderly: 0.17,
        no_diploma: 0.28,
        fibre: 0.91,
        coax: 0.0,
        participants_latest: 18,
        emmaus_share: 0.3,
        role: "ordinary QPV, fairly reached",
    },
    QpvStory {
        code: "QN99903M",
        name: "Grand-Champ",
        parts: &[(600.0, -1900.0, 560.0)],
        hole: None,
        poverty: 0.49,
        elderly: 0.12,
        no_diploma: 0.44,
        fibre: 0.30,
        coax: 0.0,
        participants_latest: 16,
        emmaus_share: 0.0,
        role: "high need, fibre laggard (~30 %), POORLY reached (no place nearby)",
    },
    QpvStory {
        code: "QN99904M",
        name: "Les Peupliers",
        parts: &[(2400.0, -2400.0, 330.0)],
        hole: None,
        poverty: 0.28,
        elderly: 0.18,
        no_diploma: 0.27,
        fibre: 0.50,
        coax: 0.0,
        participants_latest: 16,
        emmaus_share: 0.1,
        role: "ordinary QPV, fibre laggard (~50 %)",
    },
    QpvStory {
        code: "QN99905M",
        name: "Port-Neuf",
        parts: &[(2600.0, 200.0, 280.0), (2300.0, 1200.0, 250.0)],
        hole: None,
        poverty: 0.31,
        elderly: 0.16,
        no_diploma: 0.29,
        fibre: 0.94,
        coax: 0.0,
        participants_latest: 18,
        emmaus_share: 0.1,
        role: "ordinary QPV in two parts (MultiPolygon)",
    },
    QpvStory {
        code: "QN99906M",
        name: "La Source",
        parts: &[(-3300.0, 500.0, 420.0)],
        hole: None,
        poverty: 0.29,
        elderly: 0.19,
        no_diploma: 0.26,
        fibre: 0.96,
        coax: 0.0,
        participants_latest: 17,
        emmaus_share: 0.1,
        role: "ordinary QPV",
    },
    QpvStory {
        code: "QN99907M",
        name: "Bellevue",
        parts: &[(-1500.0, 0.0, 600.0)],
        hole: Some(0.22),
        poverty: 0.44,
        elderly: 0.31,
        no_diploma: 0.33,
        fibre: 0.90,
        coax: 0.05,
        participants_latest: 42,
        emmaus_share: 0.4,
        role: "high need, many people aged 65+, a park as a hole, well reached (centre social)",
    },
    QpvStory {
        code: "QN99908M",
        name: "Cité du Canal",
        parts: &[(500.0, 200.0, 450.0)],
        hole: None,
        poverty: 0.46,
        elderly: 0.15,
        no_diploma: 0.36,
        fibre: 0.45,
        coax: 0.60,
        participants_latest: 26,
        emmaus_share: 0.35,
        role: "high need, fibre laggard (~45 %, old cable network), moderately reached",
    },
    QpvStory {
        code: "QN99909M",
        name: "Les Hauts-de-Démoville",
        parts: &[(-2200.0, 2300.0, 380.0)],
        hole: None,
        poverty: 0.27,
        elderly: 0.20,
        no_diploma: 0.25,
        fibre: 0.95,
        coax: 0.0,
        participants_latest: 7,
        emmaus_share: 0.0,
        role: "small ordinary QPV, fewer than 11 participants in 2026 T3 (statistical secrecy)",
    },
    QpvStory {
        code: "QN99910M",
        name: "Moulin-Vert",
        parts: &[(900.0, 2300.0, 300.0)],
        hole: None,
        poverty: 0.26,
        elderly: 0.18,
        no_diploma: 0.24,
        fibre: 0.97,
        coax: 0.0,
        participants_latest: 5,
        emmaus_share: 0.0,
        role: "small ordinary QPV, fewer than 11 participants in 2026 T3 (statistical secrecy)",
    },
    QpvStory {
        code: "QN99911M",
        name: "Saint-Exupéry",
        parts: &[(3000.0, 2500.0, 350.0)],
        hole: None,
        poverty: 0.30,
        elderly: 0.15,
        no_diploma: 0.27,
        fibre: 0.92,
        coax: 0.0,
        participants_latest: 17,
        emmaus_share: 0.1,
        role: "ordinary QPV",
    },
];

/// Distinct participants living outside every QPV in the latest quarter (before course fillers).
pub const OUTSIDE_PARTICIPANTS_LATEST: usize = 40;
/// Share of the new participants living outside every QPV who follow an Emmaüs Connect course.
pub const OUTSIDE_EMMAUS_SHARE: f64 = 0.2;

/// Activity-zone IRIS (`TYP_IRIS` = `A`), as (column, row) of the IRIS grid.
pub const ACTIVITY_CELLS: [(usize, usize); 2] = [(7, 0), (7, 1)];
/// Park IRIS (`TYP_IRIS` = `D`), as (column, row).
pub const PARK_CELLS: [(usize, usize); 1] = [(0, 5)];

/// IRIS names, row by row from the south-west corner (8 per row, 6 rows).
pub const IRIS_NAMES: [&str; 48] = [
    // row 1 (south)
    "Prés-Saint-Martin",
    "Les Aubépines",
    "Clos-Bernard",
    "La Croix-Blanche",
    "Les Acacias",
    "Pont-Romain",
    "Les Vergnes",
    "Zone d'activités des Forges",
    // row 2
    "La Varenne",
    "Les Chênes",
    "Champ-de-Foire",
    "Les Sablons",
    "La Garenne",
    "Les Écluses",
    "Les Noues",
    "Port fluvial",
    // row 3
    "Les Marronniers",
    "Le Mail",
    "Les Remparts",
    "Hôtel de Ville",
    "Gare",
    "Quai des Mariniers",
    "Les Vignes",
    "Les Bruyères",
    // row 4
    "Les Charmes",
    "Les Prés-Hauts",
    "Saint-Roch",
    "Les Halles",
    "Les Lilas",
    "Les Coteaux",
    "Bois-Joli",
    "Les Vallons",
    // row 5
    "Le Belvédère",
    "Les Mésanges",
    "Le Plateau",
    "Clos-Fleuri",
    "Les Rochettes",
    "La Fontaine",
    "Les Genêts",
    "Les Érables",
    // row 6 (north)
    "Parc des Étangs",
    "Les Grands-Prés",
    "La Chaume",
    "Les Cerisiers",
    "Les Tuileries",
    "Le Moulin",
    "Les Bergeries",
    "La Crête",
];

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_2024_pattern_and_are_unique() {
        let mut codes: Vec<&str> = QPV_STORIES.iter().map(|s| s.code).collect();
        for c in &codes {
            let b = c.as_bytes();
            assert_eq!(b.len(), 8, "{c}");
            assert!(c.starts_with("QN999"), "{c}");
            assert!(b[5..7].iter().all(u8::is_ascii_digit) && b[7] == b'M', "{c}");
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 11);
    }

    #[test]
    fn the_story_has_its_cast() {
        assert_eq!(QPV_STORIES.iter().filter(|s| s.high_need()).count(), 4);
        assert_eq!(QPV_STORIES.iter().filter(|s| s.fibre < 0.6).count(), 3);
        assert_eq!(QPV_STORIES.iter().filter(|s| s.participants_latest < 11).count(), 2);
        assert_eq!(QPV_STORIES.iter().filter(|s| s.parts.len() == 2).count(), 1);
        assert_eq!(QPV_STORIES.iter().filter(|s| s.hole.is_some()).count(), 1);
    }
}
