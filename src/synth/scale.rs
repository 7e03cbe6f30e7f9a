//! The sizes of each scale: how many cities, QPV, IRIS and premises, over which part of France.
//!
//! Invariant: the counts are exact (the generator allocates them by largest remainder), and every box
//! lies inside mainland France's Lambert-93 extent.

/// How big a synthetic territory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// For tests: one small city (4 QPV, 40 IRIS, 5,000 premises).
    #[value(hide = true)]
    Tiny,
    /// One city: 20 QPV, 500 IRIS, 200,000 premises.
    City,
    /// A region: 24 cities, 190 QPV, 5,800 IRIS, 5,000,000 premises.
    Region,
    /// Mainland France: 300 cities, 1,600 QPV, 50,000 IRIS, 45,000,000 premises.
    France,
}

/// How the dataset's ARCEP CSV files are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ArcepEncoding {
    /// `.csv`, plain UTF-8 text.
    Plain,
    /// `.csv.gz`, gzip (one member per chunk of premises; `fracture ingest` reads every member).
    Gzip,
}

/// The figures of one scale.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub cities: usize,
    pub qpv: usize,
    pub iris: usize,
    pub premises: u64,
    /// Share of the premises placed inside a QPV.
    pub in_qpv_share: f64,
    /// Lambert-93 box the city centres are drawn in: (x0, y0, x1, y1).
    pub bbox: (f64, f64, f64, f64),
    /// Attendance rows to aim at.
    pub attendance_rows: usize,
}

/// Mainland France, Lambert-93, a little inside the real extent (x 100–1,080 km, y 6,040–7,110 km).
pub const FRANCE_BOX: (f64, f64, f64, f64) = (150_000.0, 6_150_000.0, 1_040_000.0, 7_060_000.0);
/// A region-sized box in the south of mainland France.
pub const REGION_BOX: (f64, f64, f64, f64) = (520_000.0, 6_230_000.0, 840_000.0, 6_500_000.0);
/// Where the single city of `city` and `tiny` stands (its centre ± its half size).
pub const CITY_BOX: (f64, f64, f64, f64) = (600_000.0, 6_690_000.0, 600_001.0, 6_690_001.0);

impl Scale {
    /// The figures of this scale.
    pub fn params(self) -> Params {
        match self {
            Scale::Tiny => Params {
                cities: 1,
                qpv: 4,
                iris: 40,
                premises: 5_000,
                in_qpv_share: 0.15,
                bbox: CITY_BOX,
                attendance_rows: 400,
            },
            Scale::City => Params {
                cities: 1,
                qpv: 20,
                iris: 500,
                premises: 200_000,
                in_qpv_share: 0.15,
                bbox: CITY_BOX,
                attendance_rows: 2_000,
            },
            Scale::Region => Params {
                cities: 24,
                qpv: 190,
                iris: 5_800,
                premises: 5_000_000,
                in_qpv_share: 0.15,
                bbox: REGION_BOX,
                attendance_rows: 4_000,
            },
            Scale::France => Params {
                cities: 300,
                qpv: 1_600,
                iris: 50_000,
                premises: 45_000_000,
                in_qpv_share: 0.15,
                bbox: FRANCE_BOX,
                attendance_rows: 6_000,
            },
        }
    }

    /// The name used in paths and ids (`city`, `region`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Scale::Tiny => "tiny",
            Scale::City => "city",
            Scale::Region => "region",
            Scale::France => "france",
        }
    }

    /// The ARCEP encoding used when none is asked for: gzip nationally (the plain CSV would be ~10 GB).
    pub fn default_arcep(self) -> ArcepEncoding {
        if self == Scale::France { ArcepEncoding::Gzip } else { ArcepEncoding::Plain }
    }
}

/// Splits `total` into parts proportional to `weights` (largest remainder, ties to the lower index), so
/// that the parts add up to `total` exactly.
pub fn apportion(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if sum <= 0.0 {
        let mut v = vec![0; weights.len()];
        v[0] = total;
        return v;
    }
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<u64> = exact.iter().map(|e| e.floor() as u64).collect();
    let given: u64 = parts.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order.iter().cycle().take(total.saturating_sub(given) as usize) {
        parts[i] += 1;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_adds_up_exactly() {
        assert_eq!(apportion(10, &[1.0, 1.0, 1.0]), [4, 3, 3]);
        assert_eq!(apportion(7, &[0.0, 2.0, 1.0]), [0, 5, 2]);
        assert_eq!(apportion(5, &[0.0, 0.0]), [5, 0]);
        let w: Vec<f64> = (1..=300).map(|k| (k as f64).powf(-0.8)).collect();
        assert_eq!(apportion(45_000_000, &w).iter().sum::<u64>(), 45_000_000);
    }

    #[test]
    fn boxes_are_in_mainland_france() {
        for s in [Scale::Tiny, Scale::City, Scale::Region, Scale::France] {
            let (x0, y0, x1, y1) = s.params().bbox;
            assert!(crate::crs::in_lambert93_bounds(x0, y0) && crate::crs::in_lambert93_bounds(x1, y1));
            assert!(s.params().in_qpv_share >= 0.10 && s.params().in_qpv_share <= 0.20);
        }
        assert_eq!(crate::synth::ROW_GROUP % crate::synth::CHUNK, 0);
    }
}
