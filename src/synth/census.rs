//! IRIS populations and the three INSEE IRIS tables (census population, diplomas, Filosofi).
//!
//! Inputs: the [`Territory`], the [`Allocation`] (premises expected in each IRIS, inside and outside
//! QPV) and the census RNG stream. Outputs: one [`IrisStats`] per IRIS (also the `population` and
//! `poverty_rate` of the benchmark IRIS layer) and the CSV text of the three tables, in the INSEE layout
//! of `data/FORMATS.md` §3 (`;`, census counts with 2 decimals, Filosofi rates with a decimal comma).
//!
//! Invariants: age bands add up to `P21_POP`; diploma levels add up to `P21_NSCOL15P`; IRIS whose share of
//! dwellings inside QPV is higher are poorer; IRIS under [`FILOSOFI_MIN_POP`] residents have their
//! Filosofi row suppressed (`ns`), as INSEE does, while the benchmark layer keeps the underlying rate.

use std::fmt::Write as _;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::allocation::Allocation;
use super::territory::{IrisType, REGION, Territory};

/// Filosofi IRIS rows are published only above this population.
pub const FILOSOFI_MIN_POP: f64 = 250.0;
/// Mean premises per building (`imb_nbr_logloc`) outside and inside QPV (see `premises`).
const LOGLOC_OUTSIDE: f64 = 2.2;
const LOGLOC_QPV: f64 = 4.0;

/// What the tables say about one IRIS.
#[derive(Debug, Clone)]
pub struct IrisStats {
    pub population: f64,
    /// Share of its dwellings inside a QPV.
    pub qpv_share: f64,
    /// Poverty rate at 60 % of the median, %.
    pub poverty_rate: f64,
    pub median: f64,
    ages: [f64; 6],
    male: f64,
    nscol: f64,
    diplomas: [f64; 7],
}

/// Draws the statistics of every IRIS.
pub fn build(t: &Territory, a: &Allocation, rng: &mut ChaCha8Rng) -> Vec<IrisStats> {
    (0..t.iris.len())
        .map(|i| {
            let from_qpv: f64 =
                t.overlaps[i].iter().map(|&(k, area)| a.per_qpv[k] as f64 * area / t.qpv[k].area).sum();
            let (out, qpv) = (a.per_iris[i] as f64 * LOGLOC_OUTSIDE, from_qpv * LOGLOC_QPV);
            let dwellings = out + qpv;
            let qpv_share = if dwellings > 0.0 { qpv / dwellings } else { 0.0 };
            let population = (dwellings * rng.random_range(1.9..2.3) * 100.0).round() / 100.0;
            let mut ages = [0.18, 0.17, 0.19, 0.20, 0.16, 0.10];
            ages[0] *= 1.0 + 0.4 * qpv_share;
            ages[1] *= 1.0 + 0.3 * qpv_share;
            for s in &mut ages {
                *s *= rng.random_range(0.8..1.2);
            }
            let sum: f64 = ages.iter().sum();
            let ages = ages.map(|s| population * s / sum);
            let diplmin = (0.12 + 0.30 * qpv_share + rng.random_range(-0.03..0.03)).clamp(0.02, 0.8);
            let mut levels = [0.05, 0.22, 0.18, 0.14, 0.12, 0.10];
            for s in &mut levels {
                *s *= rng.random_range(0.8..1.2) * if *s < 0.15 { 1.0 - 0.5 * qpv_share } else { 1.0 };
            }
            let lsum: f64 = levels.iter().sum();
            let nscol = population * rng.random_range(0.76..0.82);
            let mut diplomas = [nscol * diplmin, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
            for (d, s) in diplomas[1..].iter_mut().zip(levels) {
                *d = nscol * (1.0 - diplmin) * s / lsum;
            }
            let poverty_rate =
                ((8.0 + 30.0 * qpv_share + rng.random_range(-3.0..3.0)).clamp(2.0, 60.0) * 10.0).round()
                    / 10.0;
            let median = ((25_000.0 - 11_000.0 * qpv_share + rng.random_range(-1_500.0..1_500.0)) / 10.0)
                .round()
                * 10.0;
            let male = rng.random_range(0.47..0.50);
            IrisStats { population, qpv_share, poverty_rate, median, ages, male, nscol, diplomas }
        })
        .collect()
}

/// The identification columns every census table starts with.
const ID_COLUMNS: &str = "IRIS;REG;DEP;UU2020;COM;LIBCOM;TRIRIS;GRD_QUART;LIBIRIS;TYP_IRIS;LAB_IRIS";

fn id_columns(out: &mut String, t: &Territory, i: usize) {
    let iris = &t.iris[i];
    let commune = &t.communes[iris.commune];
    let city = &t.cities[iris.city];
    let lab = if iris.typ == IrisType::Habitat { "1" } else { "2" };
    let _ = write!(
        out,
        "{};{REGION};{};{};{};{};{}{:04};{};{};{};{lab}",
        iris.code,
        commune.dep,
        city.uu,
        commune.code,
        commune.name,
        commune.dep,
        iris.row % 10_000,
        &iris.code[..7],
        iris.name,
        iris.typ.code()
    );
}

/// `base-ic-evol-struct-pop-2021.csv`.
pub fn population_csv(t: &Territory, stats: &[IrisStats]) -> String {
    let mut out = format!(
        "{ID_COLUMNS};P21_POP;P21_POP0014;P21_POP1529;P21_POP3044;P21_POP4559;P21_POP6074;P21_POP75P;\
         P21_POP0019;P21_POP2064;P21_POP65P;P21_POPH;P21_POPF\n"
    );
    for (i, s) in stats.iter().enumerate() {
        id_columns(&mut out, t, i);
        let a = s.ages;
        let p0019 = a[0] + a[1] / 3.0;
        let p65 = a[5] + a[4] / 2.0;
        let men = s.population * s.male;
        let values = [
            s.population,
            a[0],
            a[1],
            a[2],
            a[3],
            a[4],
            a[5],
            p0019,
            s.population - p0019 - p65,
            p65,
            men,
            s.population - men,
        ];
        for v in values {
            let _ = write!(out, ";{:.2}", v.max(0.0));
        }
        out.push('\n');
    }
    out
}

/// `base-ic-diplomes-formation-2021.csv`.
pub fn diplomas_csv(t: &Territory, stats: &[IrisStats]) -> String {
    let mut out = format!(
        "{ID_COLUMNS};P21_NSCOL15P;P21_NSCOL15P_DIPLMIN;P21_NSCOL15P_BEPC;P21_NSCOL15P_CAPBEP;\
         P21_NSCOL15P_BAC;P21_NSCOL15P_SUP2;P21_NSCOL15P_SUP34;P21_NSCOL15P_SUP5\n"
    );
    for (i, s) in stats.iter().enumerate() {
        id_columns(&mut out, t, i);
        let _ = write!(out, ";{:.2}", s.nscol);
        for d in s.diplomas {
            let _ = write!(out, ";{d:.2}");
        }
        out.push('\n');
    }
    out
}

/// A number with `decimals` decimals and a decimal comma.
fn comma(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}").replace('.', ",")
}

/// `BASE_TD_FILO_IRIS_2021_DISP.csv`.
pub fn filosofi_csv(t: &Territory, stats: &[IrisStats]) -> String {
    const DECILES: [f64; 8] = [0.50, 0.63, 0.76, 0.88, 1.14, 1.31, 1.55, 1.94];
    let mut out = String::from(
        "IRIS;DISP_TP6021;DISP_Q121;DISP_MED21;DISP_Q321;DISP_EQ21;DISP_D121;DISP_D221;DISP_D321;DISP_D421;\
         DISP_D621;DISP_D721;DISP_D821;DISP_D921;DISP_RD;DISP_S80S2021;DISP_GI21\n",
    );
    let money = |v: f64| ((v / 10.0).round() * 10.0) as i64;
    for (iris, s) in t.iris.iter().zip(stats) {
        out.push_str(&iris.code);
        if s.population < FILOSOFI_MIN_POP {
            out.push_str(&";ns".repeat(16));
            out.push('\n');
            continue;
        }
        let spread = 1.0 - 0.25 * s.qpv_share;
        let at = |f: f64| money(s.median * (1.0 + (f - 1.0) * spread));
        let (q1, q3) = (at(0.70), at(1.42));
        let d: Vec<i64> = DECILES.iter().map(|f| at(*f)).collect();
        let rd = d[7] as f64 / d[0] as f64;
        let _ = write!(
            out,
            ";{};{q1};{};{q3};{};{};{};{};{};{};{};{};{};{};{};{}",
            comma(s.poverty_rate, 1),
            money(s.median),
            comma((q3 - q1) as f64 / s.median, 2),
            d[0],
            d[1],
            d[2],
            d[3],
            d[4],
            d[5],
            d[6],
            d[7],
            comma(rd, 1),
            comma(rd * 1.12, 1),
            comma(0.24 + 0.05 * spread, 3)
        );
        out.push('\n');
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;
    use crate::synth::scale::Scale;
    use crate::synth::{rng, stream};

    #[test]
    fn tables_have_one_row_per_iris_and_consistent_sums() {
        let p = Scale::Tiny.params();
        let t = Territory::build(&p, &mut rng(stream::TERRITORY)).unwrap();
        let a = Allocation::build(&t, &p, &mut rng(stream::ALLOCATION));
        let s = build(&t, &a, &mut rng(stream::CENSUS));
        for text in [population_csv(&t, &s), diplomas_csv(&t, &s), filosofi_csv(&t, &s)] {
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines.len(), t.iris.len() + 1);
            let width = lines[0].split(';').count();
            assert!(lines.iter().all(|l| l.split(';').count() == width));
        }
        for x in &s {
            let ages: f64 = x.ages.iter().sum();
            assert!((ages - x.population).abs() < 1e-6);
            assert!((x.diplomas.iter().sum::<f64>() - x.nscol).abs() < 1e-6);
        }
        let poorer = s.iter().filter(|x| x.qpv_share > 0.3).map(|x| x.poverty_rate).sum::<f64>()
            / s.iter().filter(|x| x.qpv_share > 0.3).count().max(1) as f64;
        let richer = s.iter().filter(|x| x.qpv_share == 0.0).map(|x| x.poverty_rate).sum::<f64>()
            / s.iter().filter(|x| x.qpv_share == 0.0).count().max(1) as f64;
        assert!(poorer > richer, "{poorer} vs {richer}");
    }
}
