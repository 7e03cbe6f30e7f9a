//! INSEE IRIS tables of Démoville: census population by age, diplomas (vintage 2021) and Filosofi
//! disposable income.
//!
//! Inputs: the [`City`] with the share of each IRIS covered by each QPV, the scenario's need profiles,
//! and a seeded RNG. Outputs: three `;`-separated UTF-8 files as text (census with a decimal point and
//! 2 decimals, Filosofi with a decimal comma), plus the per-IRIS figures for the other generators.
//!
//! Model: an IRIS's value = mix of an affluent base (poverty 8–15 %) and the core values of the QPV it
//! overlaps, weighted by `w = min(1, 4 × share of the IRIS inside QPV)`; so IRIS around the high-need QPV
//! reach 35–50 % poverty. Filosofi deciles follow a log-normal whose median is set so that the share
//! below 60 % of the national median equals the IRIS's poverty rate.
//!
//! Invariants: counts are in hundredths and the parts add up exactly (age bands to `P21_POP`, `0019 +
//! 2064 + 65P = POP`, diploma levels to `NSCOL15P`); secrecy shows as empty cells in the census files
//! and as `ns` / `nd` / empty in Filosofi, on the small `A` and `D` IRIS only.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::city::{City, IrisType};
use super::story::{COMMUNE, COMMUNE_NAME, DEP, REG, UU2020};
use super::write::{cents, comma};

/// National median disposable income per consumption unit, 2021 (€), rounded.
const NATIONAL_MEDIAN: f64 = 23_160.0;

/// Figures of one IRIS. Counts in hundredths of persons.
#[derive(Debug, Clone)]
pub struct IrisStats {
    /// Share of the IRIS under QPV influence (0..1).
    pub w: f64,
    pub pop: i64,
    /// 0-14, 15-29, 30-44, 45-59, 60-74, 75+.
    pub ages: [i64; 6],
    pub p0019: i64,
    pub p2064: i64,
    pub p65p: i64,
    pub poph: i64,
    pub popf: i64,
    pub nscol15p: i64,
    /// DIPLMIN, BEPC, CAPBEP, BAC, SUP2, SUP34, SUP5.
    pub diplomas: [i64; 7],
    /// Poverty rate (share).
    pub poverty: f64,
    /// Log-normal spread of income.
    pub sigma: f64,
}

/// Builds the figures of every IRIS, in IRIS order.
pub fn build(city: &City, coverage: &[Vec<f64>], rng: &mut ChaCha8Rng) -> Vec<IrisStats> {
    city.iris
        .iter()
        .zip(coverage)
        .map(|(iris, cov)| {
            let total: f64 = cov.iter().sum();
            let w = (4.0 * total).min(1.0);
            let core = |f: fn(&super::story::QpvStory) -> f64| -> f64 {
                if total <= 0.0 {
                    0.0
                } else {
                    city.qpv.iter().zip(cov).map(|(q, c)| c * f(q.story)).sum::<f64>() / total
                }
            };
            let mix = |base: f64, core: f64, noise: f64| (1.0 - w) * base + w * core + noise;
            let poverty =
                mix(rng.random_range(0.08..0.15), core(|s| s.poverty), rng.random_range(-0.012..0.012));
            let elderly =
                mix(rng.random_range(0.15..0.23), core(|s| s.elderly), rng.random_range(-0.01..0.01));
            let no_dip =
                mix(rng.random_range(0.10..0.19), core(|s| s.no_diploma), rng.random_range(-0.01..0.01));
            let pop_f = match iris.typ {
                IrisType::Habitat => (rng.random_range(1600.0..2600.0) + 1900.0 * w).clamp(1500.0, 4500.0),
                IrisType::Activite => rng.random_range(40.0..160.0),
                IrisType::Divers => rng.random_range(8.0..30.0),
            };
            let pop = (pop_f * 100.0).round() as i64;
            let share = |c: i64, s: f64| (c as f64 * s).round() as i64;

            // Ages.
            let s75 = 0.47 * elderly;
            let s6574 = elderly - s75;
            let s6064 = rng.random_range(0.05..0.06);
            let s6074 = s6064 + s6574;
            let rest = 1.0 - s6074 - s75;
            let weights = [0.22 + 0.08 * w, 0.23, 0.27, 0.28 - 0.08 * w];
            let wsum: f64 = weights.iter().sum();
            let c0014 = share(pop, rest * weights[0] / wsum);
            let c1529 = share(pop, rest * weights[1] / wsum);
            let c3044 = share(pop, rest * weights[2] / wsum);
            let c6074 = share(pop, s6074);
            let c75 = share(pop, s75);
            let c4559 = pop - c0014 - c1529 - c3044 - c6074 - c75;
            let p65p = c75 + share(c6074, s6574 / s6074);
            let p0019 = c0014 + share(c1529, 0.33);
            let p2064 = pop - p0019 - p65p;
            let poph = share(pop, rng.random_range(0.47..0.49));

            // Diplomas of non-students aged 15+.
            let nscol15p = share(pop, rng.random_range(0.74..0.79));
            let affluent = [0.05, 0.20, 0.20, 0.15, 0.17, 0.23];
            let poor = [0.07, 0.38, 0.25, 0.15, 0.09, 0.06];
            let mut levels = [0i64; 7];
            levels[0] = share(nscol15p, no_dip);
            let others = nscol15p - levels[0];
            for j in 0..5 {
                let s = (1.0 - w) * affluent[j] + w * poor[j] + rng.random_range(-0.01..0.01);
                levels[j + 1] = share(others, s);
            }
            levels[6] = nscol15p - levels[..6].iter().sum::<i64>();

            IrisStats {
                w,
                pop,
                ages: [c0014, c1529, c3044, c4559, c6074, c75],
                p0019,
                p2064,
                p65p,
                poph,
                popf: pop - poph,
                nscol15p,
                diplomas: levels,
                poverty,
                sigma: rng.random_range(0.42..0.52),
            }
        })
        .collect()
}

pub(super) const GEO_HEADER: &str =
    "IRIS;REG;DEP;UU2020;COM;LIBCOM;TRIRIS;GRD_QUART;LIBIRIS;TYP_IRIS;LAB_IRIS";

pub(super) fn geo_fields(city: &City, i: usize) -> String {
    let iris = &city.iris[i];
    let lab = if iris.typ == IrisType::Habitat { "1" } else { "2" };
    [
        iris.code.as_str(),
        REG,
        DEP,
        UU2020,
        COMMUNE,
        COMMUNE_NAME,
        &iris.triris(),
        iris.grand_quartier(),
        iris.name,
        iris.typ.code(),
        lab,
    ]
    .join(";")
}

/// Index (in IRIS order) of the park IRIS and of the two activity IRIS, whose cells are secret.
pub(super) fn small_iris(city: &City) -> (Option<usize>, Vec<usize>) {
    let park = city.iris.iter().position(|i| i.typ == IrisType::Divers);
    let activity = city.iris.iter().enumerate().filter(|(_, i)| i.typ == IrisType::Activite).map(|(k, _)| k);
    (park, activity.collect())
}

/// `base-ic-evol-struct-pop-2021.csv`.
pub fn census_population_csv(city: &City, stats: &[IrisStats]) -> String {
    let (park, _) = small_iris(city);
    let mut out = format!(
        "{GEO_HEADER};P21_POP;P21_POP0014;P21_POP1529;P21_POP3044;P21_POP4559;P21_POP6074;P21_POP75P;\
         P21_POP0019;P21_POP2064;P21_POP65P;P21_POPH;P21_POPF\n"
    );
    for (i, s) in stats.iter().enumerate() {
        let mut cells: Vec<String> = vec![geo_fields(city, i), cents(s.pop)];
        cells.extend(s.ages.iter().map(|&c| cents(c)));
        cells.extend([s.p0019, s.p2064, s.p65p, s.poph, s.popf].map(cents));
        if Some(i) == park {
            // Secrecy on the tiny park population: the older age bands are not published.
            for k in [6, 7, 10] {
                cells[k].clear();
            }
        }
        out.push_str(&cells.join(";"));
        out.push('\n');
    }
    out
}

/// `base-ic-diplomes-formation-2021.csv`.
pub fn census_diplomas_csv(city: &City, stats: &[IrisStats]) -> String {
    let (park, activity) = small_iris(city);
    let mut out = format!(
        "{GEO_HEADER};P21_NSCOL15P;P21_NSCOL15P_DIPLMIN;P21_NSCOL15P_BEPC;P21_NSCOL15P_CAPBEP;\
         P21_NSCOL15P_BAC;P21_NSCOL15P_SUP2;P21_NSCOL15P_SUP34;P21_NSCOL15P_SUP5\n"
    );
    for (i, s) in stats.iter().enumerate() {
        let mut cells: Vec<String> = vec![geo_fields(city, i), cents(s.nscol15p)];
        cells.extend(s.diplomas.iter().map(|&c| cents(c)));
        if Some(i) == park {
            for c in &mut cells[2..] {
                c.clear();
            }
        } else if activity.first() == Some(&i) {
            cells[7].clear();
            cells[8].clear();
        } else if activity.get(1) == Some(&i) {
            cells[2].clear();
        }
        out.push_str(&cells.join(";"));
        out.push('\n');
    }
    out
}

/// `BASE_TD_FILO_IRIS_2021_DISP.csv`, decimal comma.
pub fn filosofi_csv(city: &City, stats: &[IrisStats]) -> String {
    const COLS: [&str; 16] = [
        "DISP_TP6021",
        "DISP_Q121",
        "DISP_MED21",
        "DISP_Q321",
        "DISP_EQ21",
        "DISP_D121",
        "DISP_D221",
        "DISP_D321",
        "DISP_D421",
        "DISP_D621",
        "DISP_D721",
        "DISP_D821",
        "DISP_D921",
        "DISP_RD",
        "DISP_S80S2021",
        "DISP_GI21",
    ];
    // Standard normal quantiles of Q1, Q3 and the deciles D1..D4, D6..D9.
    const Z_Q: f64 = 0.674_489_750_196_081_7;
    const Z_D: [f64; 4] =
        [1.281_551_565_544_6, 0.841_621_233_572_9, 0.524_400_512_708_0, 0.253_347_103_135_8];
    let (park, activity) = small_iris(city);
    let mut out = format!("IRIS;{}\n", COLS.join(";"));
    for (i, s) in stats.iter().enumerate() {
        let code = &city.iris[i].code;
        if Some(i) == park || activity.first() == Some(&i) {
            let mark = if Some(i) == park { "ns" } else { "nd" };
            out.push_str(&format!("{code};{}\n", vec![mark; COLS.len()].join(";")));
            continue;
        }
        let threshold = 0.6 * NATIONAL_MEDIAN;
        let sigma = s.sigma;
        let median = threshold * (-sigma * inverse_normal(s.poverty)).exp();
        let q = |z: f64| ((median * (sigma * z).exp()) / 10.0).round() * 10.0;
        let euros = |x: f64| format!("{x:.0}");
        let (q1, med, q3) = (q(-Z_Q), q(0.0), q(Z_Q));
        let d: Vec<f64> =
            [-Z_D[0], -Z_D[1], -Z_D[2], -Z_D[3], Z_D[3], Z_D[2], Z_D[1], Z_D[0]].into_iter().map(q).collect();
        let s80s20 = (1.0 - normal_cdf(Z_D[1] - sigma)) / normal_cdf(-Z_D[1] - sigma);
        let gini = 2.0 * normal_cdf(sigma / std::f64::consts::SQRT_2) - 1.0;
        let mut cells: Vec<String> =
            vec![comma(100.0 * s.poverty, 1), euros(q1), euros(med), euros(q3), comma((q3 - q1) / med, 2)];
        cells.extend(d.iter().map(|&x| euros(x)));
        cells.push(comma(d[7] / d[0], 1));
        cells.push(comma(s80s20, 1));
        cells.push(comma(gini, 3));
        if activity.get(1) == Some(&i) {
            // Partial secrecy: the median is published, the tails and the poverty rate are not.
            for k in [0, 5, 6, 11, 12, 13, 14, 15] {
                cells[k].clear();
            }
        }
        out.push_str(&format!("{code};{}\n", cells.join(";")));
    }
    out
}

/// Standard normal CDF (erf by Abramowitz & Stegun 7.1.26, error < 1.5e-7).
fn normal_cdf(x: f64) -> f64 {
    let z = x / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * z.abs());
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736 + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-z * z).exp();
    0.5 * (1.0 + if z >= 0.0 { erf } else { -erf })
}

/// Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9).
fn inverse_normal(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] =
        [7.784_695_709_041_462e-3, 3.224_671_290_700_398e-1, 2.445_134_137_142_996, 3.754_408_661_907_416];
    let p = p.clamp(1e-9, 1.0 - 1e-9);
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;
    use crate::demo::{rng, stream};

    fn world() -> (City, Vec<IrisStats>) {
        let city = City::build(&mut rng(stream::CITY));
        let stats = build(&city, &city.coverage(), &mut rng(stream::POPULATION));
        (city, stats)
    }

    #[test]
    fn normal_helpers_round_trip() {
        for p in [0.01, 0.1, 0.35, 0.5, 0.9] {
            assert!((normal_cdf(inverse_normal(p)) - p).abs() < 1e-6, "{p}");
        }
        assert!((inverse_normal(0.975) - 1.959_964).abs() < 1e-5);
    }

    #[test]
    fn parts_add_up_and_values_are_plausible() {
        let (city, stats) = world();
        for (iris, s) in city.iris.iter().zip(&stats) {
            assert_eq!(s.ages.iter().sum::<i64>(), s.pop, "{}", iris.code);
            assert_eq!(s.p0019 + s.p2064 + s.p65p, s.pop);
            assert_eq!(s.poph + s.popf, s.pop);
            assert_eq!(s.diplomas.iter().sum::<i64>(), s.nscol15p);
            assert!(s.ages.iter().chain(&s.diplomas).all(|&c| c >= 0), "{}", iris.code);
            if iris.typ == IrisType::Habitat {
                assert!((150_000..=450_000).contains(&s.pop), "{} pop {}", iris.code, s.pop);
            } else {
                assert!(s.pop < 20_000);
            }
            assert!((0.06..=0.52).contains(&s.poverty), "{} poverty {}", iris.code, s.poverty);
        }
        // Affluent IRIS away from every QPV, and 35-50 % poverty around the high-need QPV.
        assert!(stats.iter().filter(|s| s.w == 0.0).all(|s| s.poverty < 0.165));
        let cov = city.coverage();
        for (k, q) in city.qpv.iter().enumerate().filter(|(_, q)| q.story.high_need()) {
            let main = (0..city.iris.len())
                .max_by(|&a, &b| cov[a][k].total_cmp(&cov[b][k]))
                .map(|i| &stats[i])
                .unwrap();
            assert!(
                (0.35..=0.51).contains(&main.poverty),
                "{} core IRIS poverty {}",
                q.story.code,
                main.poverty
            );
        }
    }

    #[test]
    fn files_have_a_header_and_one_line_per_iris_with_secrecy() {
        let (city, stats) = world();
        for text in [census_population_csv(&city, &stats), census_diplomas_csv(&city, &stats)] {
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines.len(), 49);
            let n = lines[0].split(';').count();
            assert!(lines.iter().all(|l| l.split(';').count() == n));
            assert!(lines[0].contains("P21_"));
            assert!(lines[1..].iter().any(|l| l.contains(";;")), "no secret cell");
            assert!(!lines[1..].iter().any(|l| l.contains(',')), "decimal point expected");
        }
        let filo = filosofi_csv(&city, &stats);
        assert!(filo.starts_with("IRIS;DISP_TP6021;DISP_Q121;DISP_MED21;"));
        assert!(filo.contains(";ns;") && filo.contains(";nd;"));
        let mut comma_values = 0;
        for l in filo.lines().skip(1) {
            assert_eq!(l.split(';').count(), 17);
            comma_values += l.split(';').filter(|c| c.contains(',')).count();
        }
        assert!(comma_values > 100);
    }
}
