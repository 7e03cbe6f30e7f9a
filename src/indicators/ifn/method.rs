//! The original IFN method on plain values: variables, points, axis and global scores, thresholds
//! computed from rows, quintiles. No I/O, no polars. The evidence for each rule is in the parent
//! module's header.

/// The four axes of the original index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Axis {
    /// Accès aux interfaces numériques: `couv_hd_thd`, `couv_mobile_2g`, `tx_pauvrete`, `revenu_median`.
    AccesInterfaces,
    /// Accès à l'information: `part_familles_monoparentales`, `part_menages_1p`,
    /// `services_publics_par_hab`.
    AccesInformation,
    /// Compétences administratives: `part_chomeurs_15_64`, `part_15_29`.
    CompetencesAdministratives,
    /// Compétences numériques / scolaires: `part_65p`, `part_peu_diplomes`.
    CompetencesNumeriques,
}

impl Axis {
    /// Whether the axis belongs to the "access" half (`ifn_global_acces`); the others make up
    /// `ifn_global_competences`.
    pub fn is_access(self) -> bool {
        matches!(self, Axis::AccesInterfaces | Axis::AccesInformation)
    }
}

/// How a variable's value is compared with its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    /// `value / threshold × 100`.
    Value,
    /// Coverage, through its non-coverage: `(1 − value) / (1 − threshold) × 100`.
    NonCoverage,
}

/// What a variable's values may be (checked when reading a file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A share as a fraction, 0 to 1.
    Share,
    /// Euros, ≥ 0.
    Euros,
    /// A count per resident, ≥ 0.
    PerResident,
}

/// The eleven input variables of the original method, in the order of the output's axes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Variable {
    CouvHdThd,
    CouvMobile2g,
    TxPauvrete,
    RevenuMedian,
    PartFamillesMonoparentales,
    PartMenages1p,
    ServicesPublicsParHab,
    PartChomeurs1564,
    Part1529,
    Part65p,
    PartPeuDiplomes,
}

impl Variable {
    /// Every variable, in axis order.
    pub const ALL: [Variable; 11] = [
        Variable::CouvHdThd,
        Variable::CouvMobile2g,
        Variable::TxPauvrete,
        Variable::RevenuMedian,
        Variable::PartFamillesMonoparentales,
        Variable::PartMenages1p,
        Variable::ServicesPublicsParHab,
        Variable::PartChomeurs1564,
        Variable::Part1529,
        Variable::Part65p,
        Variable::PartPeuDiplomes,
    ];

    /// The input column name (exact, case-sensitive).
    pub fn name(self) -> &'static str {
        match self {
            Variable::CouvHdThd => "couv_hd_thd",
            Variable::CouvMobile2g => "couv_mobile_2g",
            Variable::TxPauvrete => "tx_pauvrete",
            Variable::RevenuMedian => "revenu_median",
            Variable::PartFamillesMonoparentales => "part_familles_monoparentales",
            Variable::PartMenages1p => "part_menages_1p",
            Variable::ServicesPublicsParHab => "services_publics_par_hab",
            Variable::PartChomeurs1564 => "part_chomeurs_15_64",
            Variable::Part1529 => "part_15_29",
            Variable::Part65p => "part_65p",
            Variable::PartPeuDiplomes => "part_peu_diplomes",
        }
    }

    /// The variable of an input column name.
    pub fn from_name(name: &str) -> Option<Variable> {
        Variable::ALL.into_iter().find(|v| v.name() == name)
    }

    pub fn axis(self) -> Axis {
        match self {
            Variable::CouvHdThd | Variable::CouvMobile2g | Variable::TxPauvrete | Variable::RevenuMedian => {
                Axis::AccesInterfaces
            }
            Variable::PartFamillesMonoparentales
            | Variable::PartMenages1p
            | Variable::ServicesPublicsParHab => Axis::AccesInformation,
            Variable::PartChomeurs1564 | Variable::Part1529 => Axis::CompetencesAdministratives,
            Variable::Part65p | Variable::PartPeuDiplomes => Axis::CompetencesNumeriques,
        }
    }

    pub fn transform(self) -> Transform {
        match self {
            Variable::CouvHdThd | Variable::CouvMobile2g => Transform::NonCoverage,
            _ => Transform::Value,
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            Variable::RevenuMedian => Unit::Euros,
            Variable::ServicesPublicsParHab => Unit::PerResident,
            _ => Unit::Share,
        }
    }
}

/// The values of one area (or the thresholds of the reference territory): `None` = not known, and the
/// variable is then left out (never taken as zero). Shares are fractions (0–1), income in euros.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Values {
    pub couv_hd_thd: Option<f64>,
    pub couv_mobile_2g: Option<f64>,
    pub tx_pauvrete: Option<f64>,
    pub revenu_median: Option<f64>,
    pub part_familles_monoparentales: Option<f64>,
    pub part_menages_1p: Option<f64>,
    pub services_publics_par_hab: Option<f64>,
    pub part_chomeurs_15_64: Option<f64>,
    pub part_15_29: Option<f64>,
    pub part_65p: Option<f64>,
    pub part_peu_diplomes: Option<f64>,
}

/// The reference territory's values, one per variable (same columns as an area).
pub type Thresholds = Values;

impl Values {
    pub fn get(&self, v: Variable) -> Option<f64> {
        *self.slot(v)
    }

    pub fn set(&mut self, v: Variable, value: Option<f64>) {
        *self.slot_mut(v) = value;
    }

    fn slot(&self, v: Variable) -> &Option<f64> {
        match v {
            Variable::CouvHdThd => &self.couv_hd_thd,
            Variable::CouvMobile2g => &self.couv_mobile_2g,
            Variable::TxPauvrete => &self.tx_pauvrete,
            Variable::RevenuMedian => &self.revenu_median,
            Variable::PartFamillesMonoparentales => &self.part_familles_monoparentales,
            Variable::PartMenages1p => &self.part_menages_1p,
            Variable::ServicesPublicsParHab => &self.services_publics_par_hab,
            Variable::PartChomeurs1564 => &self.part_chomeurs_15_64,
            Variable::Part1529 => &self.part_15_29,
            Variable::Part65p => &self.part_65p,
            Variable::PartPeuDiplomes => &self.part_peu_diplomes,
        }
    }

    fn slot_mut(&mut self, v: Variable) -> &mut Option<f64> {
        match v {
            Variable::CouvHdThd => &mut self.couv_hd_thd,
            Variable::CouvMobile2g => &mut self.couv_mobile_2g,
            Variable::TxPauvrete => &mut self.tx_pauvrete,
            Variable::RevenuMedian => &mut self.revenu_median,
            Variable::PartFamillesMonoparentales => &mut self.part_familles_monoparentales,
            Variable::PartMenages1p => &mut self.part_menages_1p,
            Variable::ServicesPublicsParHab => &mut self.services_publics_par_hab,
            Variable::PartChomeurs1564 => &mut self.part_chomeurs_15_64,
            Variable::Part1529 => &mut self.part_15_29,
            Variable::Part65p => &mut self.part_65p,
            Variable::PartPeuDiplomes => &mut self.part_peu_diplomes,
        }
    }
}

/// The scores of one area, all base 100 (100 = the reference territory): each is the mean of the points
/// of the variables available for the area in its group; `None` when none is.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct IfnScores {
    pub acces_interfaces: Option<f64>,
    pub acces_information: Option<f64>,
    pub competences_administratives: Option<f64>,
    pub competences_numeriques: Option<f64>,
    /// Mean over the variables of both access axes (not the mean of the two axis scores).
    pub global_acces: Option<f64>,
    /// Mean over the variables of both skills axes.
    pub global_competences: Option<f64>,
    /// Mean over every available variable.
    pub score: Option<f64>,
    /// 1 (least fragile) to 5 (most fragile) among the rows scored together; see [`quintiles`].
    pub quintile: Option<u8>,
}

/// The points of one variable: its coefficient against the threshold, base 100. `None` when the value or
/// the threshold is missing, or when the threshold's denominator (`threshold`, or `1 − threshold` for
/// coverage) is not positive.
///
/// ```
/// use fracture::indicators::ifn::{points, Variable};
/// assert_eq!(points(Variable::Part65p, 0.3, 0.2).map(|p| p.round()), Some(150.0));
/// // coverage through its non-coverage: 10 % not covered against 20 % in the reference → 50
/// assert_eq!(points(Variable::CouvHdThd, 0.9, 0.8).map(|p| p.round()), Some(50.0));
/// assert_eq!(points(Variable::Part65p, 0.3, 0.0), None);
/// ```
pub fn points(v: Variable, value: f64, threshold: f64) -> Option<f64> {
    let (num, den) = match v.transform() {
        Transform::Value => (value, threshold),
        Transform::NonCoverage => (1.0 - value, 1.0 - threshold),
    };
    let p = num / den * 100.0;
    (den > 0.0 && p.is_finite()).then_some(p)
}

/// Thresholds computed from the rows by the method's rule: for every variable, the unweighted arithmetic
/// mean over the rows where it is known (income included: see the module header); `None` when no row has
/// it.
pub fn thresholds_from_rows(rows: &[Values]) -> Thresholds {
    let mut t = Thresholds::default();
    for v in Variable::ALL {
        let known: Vec<f64> = rows.iter().filter_map(|r| r.get(v)).collect();
        if !known.is_empty() {
            t.set(v, Some(known.iter().sum::<f64>() / known.len() as f64));
        }
    }
    t
}

/// Scores every row against `thresholds`, then gives each row its quintile among the rows.
///
/// # Examples
/// Three areas with three variables, against thresholds computed from the rows:
/// ```
/// use fracture::indicators::ifn::{compute, thresholds_from_rows, Values};
/// let rows = [
///     Values { part_65p: Some(0.10), part_peu_diplomes: Some(0.20), revenu_median: Some(15000.0), ..Default::default() },
///     Values { part_65p: Some(0.20), part_peu_diplomes: Some(0.30), revenu_median: Some(20000.0), ..Default::default() },
///     // income unknown here: left out of this row's scores, never taken as zero
///     Values { part_65p: Some(0.30), part_peu_diplomes: Some(0.40), ..Default::default() },
/// ];
/// let t = thresholds_from_rows(&rows); // means: 0.20, 0.30, 17500
/// let s = compute(&rows, &t);
/// let r = |x: Option<f64>| x.map(|x| (x * 100.0).round() / 100.0);
/// assert_eq!(r(s[1].competences_numeriques), Some(100.0));
/// assert_eq!(r(s[0].competences_numeriques), Some(58.33)); // (0.10/0.20 + 0.20/0.30) / 2 × 100
/// assert_eq!(r(s[2].acces_interfaces), None);
/// assert_eq!(r(s[2].score), Some(141.67)); // (150 + 133.33) / 2
/// assert_eq!(s.iter().map(|x| x.quintile).collect::<Vec<_>>(), [Some(1), Some(2), Some(4)]);
/// ```
pub fn compute(rows: &[Values], thresholds: &Thresholds) -> Vec<IfnScores> {
    let mut out: Vec<IfnScores> = rows.iter().map(|r| score_row(r, thresholds)).collect();
    let q = quintiles(&out.iter().map(|s| s.score).collect::<Vec<_>>());
    for (s, q) in out.iter_mut().zip(q) {
        s.quintile = q;
    }
    out
}

fn score_row(row: &Values, thresholds: &Thresholds) -> IfnScores {
    let pts: Vec<(Variable, f64)> = Variable::ALL
        .into_iter()
        .filter_map(|v| Some((v, points(v, row.get(v)?, thresholds.get(v)?)?)))
        .collect();
    let mean = |keep: &dyn Fn(Variable) -> bool| {
        let p: Vec<f64> = pts.iter().filter(|(v, _)| keep(*v)).map(|(_, p)| *p).collect();
        (!p.is_empty()).then(|| p.iter().sum::<f64>() / p.len() as f64)
    };
    IfnScores {
        acces_interfaces: mean(&|v| v.axis() == Axis::AccesInterfaces),
        acces_information: mean(&|v| v.axis() == Axis::AccesInformation),
        competences_administratives: mean(&|v| v.axis() == Axis::CompetencesAdministratives),
        competences_numeriques: mean(&|v| v.axis() == Axis::CompetencesNumeriques),
        global_acces: mean(&|v| v.axis().is_access()),
        global_competences: mean(&|v| !v.axis().is_access()),
        score: mean(&|_| true),
        quintile: None,
    }
}

/// Quintiles 1–5 of `scores` among the scored rows (unscored rows get `None`), 5 = most fragile.
///
/// Rule: sort the `n` scored rows by score ascending; a row's rank `r` (1-based) is that of the first row
/// with the same score (ties share the lowest rank, so equal scores always share a quintile, whatever
/// the input order); quintile = ⌊5 (r − 1) / n⌋ + 1.
///
/// ```
/// use fracture::indicators::ifn::quintiles;
/// let q = quintiles(&[Some(90.0), None, Some(110.0), Some(90.0), Some(130.0), Some(100.0)]);
/// assert_eq!(q, [Some(1), None, Some(4), Some(1), Some(5), Some(3)]);
/// ```
pub fn quintiles(scores: &[Option<f64>]) -> Vec<Option<u8>> {
    let mut sorted: Vec<f64> = scores.iter().flatten().copied().collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    scores
        .iter()
        .map(|s| {
            let s = (*s)?;
            let rank0 = sorted.partition_point(|x| x.total_cmp(&s).is_lt());
            Some((5 * rank0 / n) as u8 + 1)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn names_round_trip_and_axes_hold_the_published_variables() {
        for v in Variable::ALL {
            assert_eq!(Variable::from_name(v.name()), Some(v));
            assert_eq!(Variable::ALL[v as usize], v);
            let mut x = Values::default();
            x.set(v, Some((v as usize) as f64));
            assert_eq!(x.get(v), Some((v as usize) as f64));
        }
        assert_eq!(Variable::from_name("part_75p"), None);
        let count = |a: Axis| Variable::ALL.iter().filter(|v| v.axis() == a).count();
        assert_eq!(
            [Axis::AccesInterfaces, Axis::AccesInformation, Axis::CompetencesAdministratives]
                .map(count)
                .to_vec(),
            vec![4, 3, 2]
        );
        assert_eq!(count(Axis::CompetencesNumeriques), 2);
    }

    #[test]
    fn points_compare_with_the_threshold_and_coverage_through_non_coverage() {
        assert!(close(points(Variable::RevenuMedian, 17868.0, 18099.285714286), 98.722127945));
        assert!(close(points(Variable::CouvMobile2g, 0.95, 0.90), 50.0));
        assert_eq!(points(Variable::CouvMobile2g, 0.95, 1.0), None);
        assert_eq!(points(Variable::TxPauvrete, 0.2, -0.1), None);
        assert!(close(points(Variable::TxPauvrete, 0.0, 0.2), 0.0));
    }

    #[test]
    fn missing_variables_are_left_out_never_zero() {
        let t = Values { part_65p: Some(0.2), part_15_29: Some(0.2), ..Default::default() };
        let row = Values { part_65p: Some(0.3), part_peu_diplomes: Some(0.5), ..Default::default() };
        let s = compute(&[row], &t)[0];
        // part_peu_diplomes has no threshold, part_15_29 no value: only part_65p counts
        assert!(close(s.competences_numeriques, 150.0));
        assert!(close(s.score, 150.0));
        assert_eq!(s.competences_administratives, None);
        assert_eq!(s.acces_interfaces, None);
        assert_eq!(s.global_acces, None);
        assert_eq!(s.quintile, Some(1));
        let empty = compute(&[Values::default()], &t)[0];
        assert_eq!(empty, IfnScores::default());
    }

    #[test]
    fn globals_are_means_over_variables_not_over_axes() {
        let t = Values {
            revenu_median: Some(100.0),
            part_familles_monoparentales: Some(0.1),
            part_menages_1p: Some(0.1),
            ..Default::default()
        };
        let row = Values {
            revenu_median: Some(100.0),
            part_familles_monoparentales: Some(0.2),
            part_menages_1p: Some(0.4),
            ..Default::default()
        };
        let s = compute(&[row], &t)[0];
        assert!(close(s.acces_interfaces, 100.0));
        assert!(close(s.acces_information, 300.0));
        assert!(close(s.global_acces, 700.0 / 3.0));
        assert_eq!(s.global_competences, None);
        assert!(close(s.score, 700.0 / 3.0));
    }

    #[test]
    fn thresholds_are_means_of_the_rows_that_have_the_variable() {
        let rows = [
            Values { revenu_median: Some(10.0), part_65p: Some(0.1), ..Default::default() },
            Values { revenu_median: Some(20.0), ..Default::default() },
            Values { revenu_median: Some(60.0), part_65p: Some(0.3), ..Default::default() },
        ];
        let t = thresholds_from_rows(&rows);
        assert!(close(t.revenu_median, 30.0));
        assert!(close(t.part_65p, 0.2));
        assert_eq!(t.part_15_29, None);
        assert_eq!(thresholds_from_rows(&[]), Thresholds::default());
    }

    #[test]
    fn quintiles_are_deterministic_with_ties_sharing_the_lowest_rank() {
        let q = quintiles(&(1..=10).map(|i| Some(i as f64)).collect::<Vec<_>>());
        assert_eq!(q.into_iter().flatten().collect::<Vec<_>>(), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        let q = quintiles(&[Some(2.0), Some(1.0), Some(2.0), Some(2.0), Some(3.0)]);
        assert_eq!(q, [Some(2), Some(1), Some(2), Some(2), Some(5)]);
        assert_eq!(quintiles(&[None, None]), [None, None]);
        assert_eq!(quintiles(&[Some(7.0)]), [Some(1)]);
        // the order of the rows does not change anyone's quintile
        let a = quintiles(&[Some(3.0), Some(1.0), Some(2.0)]);
        let b = quintiles(&[Some(1.0), Some(2.0), Some(3.0)]);
        assert_eq!((a[0], a[1], a[2]), (b[2], b[0], b[1]));
    }
}
