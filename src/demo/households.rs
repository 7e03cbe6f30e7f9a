//! The two optional INSEE census IRIS tables of Démoville (vintage 2021): activity of residents
//! (`base-ic-activite-residents-2021.csv`) and couples, families, households
//! (`base-ic-couples-familles-menages-2021.csv`), **synthetic**, in the layout of the other census files
//! (`;`, decimal point, counts in hundredths, the same geographic columns).
//!
//! Inputs: the [`City`], the per-IRIS figures of `population` (population by age, poverty, the share
//! under QPV influence `w`) and a seeded RNG of its own stream, so that the other files stay as they
//! were. Model: the unemployment rate follows poverty (`0.05 + 0.42 × poverty`), the activity rate falls
//! near the QPV; households are larger near the QPV, with fewer one-person households and more
//! single-parent families (which follow poverty too).
//!
//! Invariants: `ACT1564 = ACTOCC1564 + CHOM1564`, `POP1564 = ACT1564 + INACT1564`,
//! `MEN = MENPSEUL + MENSFAM + MENFAM`, `FAM = COUPAENF + FAMMONO + COUPSENF`; secrecy shows as empty
//! cells (unemployed and single-parent families) on the park IRIS only.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::city::City;
use super::population::{GEO_HEADER, IrisStats, geo_fields, small_iris};
use super::write::cents;

/// Activity and household figures of one IRIS, in hundredths.
#[derive(Debug, Clone)]
pub struct IrisHouseholds {
    pub pop1564: i64,
    pub act: i64,
    pub chom: i64,
    pub men: i64,
    pub menpseul: i64,
    pub mensfam: i64,
    pub pmen: i64,
    pub fam: i64,
    pub coupaenf: i64,
    pub fammono: i64,
}

/// Builds the figures of every IRIS, in IRIS order.
pub fn build(stats: &[IrisStats], rng: &mut ChaCha8Rng) -> Vec<IrisHouseholds> {
    let share = |c: i64, s: f64| (c as f64 * s).round() as i64;
    stats
        .iter()
        .map(|s| {
            let w = s.w;
            // The 60-64 are about a third of the 60-74 here.
            let pop1564 = s.ages[1] + s.ages[2] + s.ages[3] + share(s.ages[4], 0.35);
            let act = share(pop1564, 0.75 - 0.07 * w + rng.random_range(-0.02..0.02));
            let unemployment = (0.05 + 0.42 * s.poverty + rng.random_range(-0.01..0.01)).clamp(0.03, 0.35);
            let chom = share(act, unemployment);
            let size = 2.05 + 0.35 * w + rng.random_range(-0.1..0.1);
            let men = share(s.pop, 1.0 / size);
            let menpseul = share(men, 0.40 - 0.10 * w + rng.random_range(-0.03..0.03));
            let mensfam = share(men, 0.03);
            let menfam = men - menpseul - mensfam;
            let fam = menfam + share(menfam, 0.02);
            let single = (0.10 + 0.45 * s.poverty + rng.random_range(-0.02..0.02)).clamp(0.06, 0.40);
            let fammono = share(fam, single);
            let coupaenf = share(fam - fammono, 0.45 - 0.05 * w);
            IrisHouseholds {
                pop1564,
                act,
                chom,
                men,
                menpseul,
                mensfam,
                pmen: share(s.pop, 0.98),
                fam,
                coupaenf,
                fammono,
            }
        })
        .collect()
}

/// `base-ic-activite-residents-2021.csv`.
pub fn activity_csv(city: &City, h: &[IrisHouseholds]) -> String {
    let (park, _) = small_iris(city);
    let mut out = format!("{GEO_HEADER};P21_POP1564;P21_ACT1564;P21_ACTOCC1564;P21_CHOM1564;P21_INACT1564\n");
    for (i, x) in h.iter().enumerate() {
        let mut cells = vec![geo_fields(city, i)];
        cells.extend([x.pop1564, x.act, x.act - x.chom, x.chom, x.pop1564 - x.act].map(cents));
        if Some(i) == park {
            // Secrecy on the tiny park population: the unemployed are not published.
            cells[4].clear();
        }
        out.push_str(&cells.join(";"));
        out.push('\n');
    }
    out
}

/// `base-ic-couples-familles-menages-2021.csv`.
pub fn households_csv(city: &City, h: &[IrisHouseholds]) -> String {
    let (park, _) = small_iris(city);
    let mut out = format!(
        "{GEO_HEADER};C21_MEN;C21_MENPSEUL;C21_MENSFAM;C21_MENFAM;C21_PMEN;C21_FAM;C21_COUPAENF;\
         C21_FAMMONO;C21_COUPSENF\n"
    );
    for (i, x) in h.iter().enumerate() {
        let menfam = x.men - x.menpseul - x.mensfam;
        let coupsenf = x.fam - x.fammono - x.coupaenf;
        let mut cells = vec![geo_fields(city, i)];
        cells.extend(
            [x.men, x.menpseul, x.mensfam, menfam, x.pmen, x.fam, x.coupaenf, x.fammono, coupsenf].map(cents),
        );
        if Some(i) == park {
            cells[8].clear();
        }
        out.push_str(&cells.join(";"));
        out.push('\n');
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;
    use crate::demo::{population, rng, stream};

    fn world() -> (City, Vec<IrisStats>, Vec<IrisHouseholds>) {
        let city = City::build(&mut rng(stream::CITY));
        let stats = population::build(&city, &city.coverage(), &mut rng(stream::POPULATION));
        let h = build(&stats, &mut rng(stream::HOUSEHOLDS));
        (city, stats, h)
    }

    #[test]
    fn parts_add_up_and_rates_follow_need() {
        let (city, stats, h) = world();
        for ((iris, s), x) in city.iris.iter().zip(&stats).zip(&h) {
            assert!(0 <= x.chom && x.chom <= x.act && x.act <= x.pop1564, "{}", iris.code);
            assert!(x.pop1564 <= s.pop);
            assert!(x.menpseul + x.mensfam <= x.men && x.fammono + x.coupaenf <= x.fam, "{}", iris.code);
        }
        // Unemployment and single-parent families are higher where poverty is.
        let rate = |x: &IrisHouseholds| x.chom as f64 / x.act as f64;
        let (poor, rich): (Vec<_>, Vec<_>) =
            stats.iter().zip(&h).filter(|(s, _)| s.pop > 100_000).partition(|(s, _)| s.poverty > 0.3);
        assert!(!poor.is_empty() && !rich.is_empty());
        let mean = |v: &[(&IrisStats, &IrisHouseholds)], f: &dyn Fn(&IrisHouseholds) -> f64| {
            v.iter().map(|(_, x)| f(x)).sum::<f64>() / v.len() as f64
        };
        assert!(mean(&poor, &rate) > mean(&rich, &rate) + 0.08);
        let mono = |x: &IrisHouseholds| x.fammono as f64 / x.fam as f64;
        assert!(mean(&poor, &mono) > mean(&rich, &mono) + 0.08);
    }

    #[test]
    fn files_have_the_census_layout_with_secrecy_on_the_park() {
        let (city, _, h) = world();
        for (text, prefix) in
            [(activity_csv(&city, &h), "P21_ACT1564"), (households_csv(&city, &h), "C21_FAMMONO")]
        {
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines.len(), 49);
            assert!(lines[0].starts_with(GEO_HEADER) && lines[0].contains(prefix));
            let n = lines[0].split(';').count();
            assert!(lines.iter().all(|l| l.split(';').count() == n));
            assert_eq!(
                lines[1..].iter().filter(|l| l.contains(";;")).count(),
                1,
                "one secret cell, the park"
            );
            assert!(!lines[1..].iter().any(|l| l.contains(',')), "decimal point expected");
        }
    }
}
