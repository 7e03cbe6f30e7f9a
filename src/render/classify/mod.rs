//! Classification of map values: one [`Classify`] trait, one file per algorithm.
//!
//! Table of contents:
//! - [`ClassBreaks`] (`breaks`): the bounds of the classes, which class a value falls in, interval
//!   labels;
//! - [`Quantiles`] (`quantile`): about as many values per class, nice bounds (the former and
//!   default behaviour, [`ClassBreaks::quantiles`]);
//! - [`EqualIntervals`] (`equal`): classes of the same nice width;
//! - [`FisherJenks`] (`jenks`): exact natural breaks, minimising the within-class squared
//!   deviations, O(k·n·log n);
//! - [`UserBreaks`] (`manual`): thresholds fixed in the indicator table;
//! - `nice`: the rounding steps every method shares;
//! - here: [`Method`] (the choice made per indicator), [`Classes`] (a classification with its
//!   counts, one-value classes and label precision) and [`Method::pooled`] (shared breaks for small
//!   multiples).
//!
//! Input: the values of a map (non-finite values are left out: they are "no data" or "secret", which
//! the map counts apart), a number of classes and the decimals of the legend. Output: a [`Classes`].
//!
//! Invariants (property tests with fixed seeds, in each file):
//! - every finite value falls in exactly one class;
//! - a class is never dropped silently: quantiles and Jenks make `min(k, distinct values)` classes
//!   (quantiles may merge two whose rounded bounds meet) and [`Classes::requested`] keeps `k`, so the
//!   legend and `maps/<stem>.json` say how many were asked for; equal intervals and user breaks keep
//!   all their classes, an empty one with its count, 0;
//! - a class whose values are all equal is labelled with that value ([`Classes::single_label`]).
//!
//! # Examples
//! ```
//! use fracture::render::classify::Method;
//! let values = [18.3, 20.1, 26.2, 41.5, 46.0, 47.6];
//! let c = Method::Jenks.classify(&values, 3, 0);
//! assert_eq!(c.breaks.upper_bounds(), [25.0, 30.0, 48.0]);
//! assert_eq!(c.counts, [2, 1, 3]);
//! assert_eq!(c.single, [None, Some(26.2), None]);
//! assert_eq!(c.class_of(f64::NAN), None);
//! ```

mod breaks;
mod equal;
mod jenks;
mod manual;
mod nice;
mod quantile;

pub use breaks::ClassBreaks;
pub use equal::EqualIntervals;
pub use jenks::FisherJenks;
pub use manual::{BreaksError, UserBreaks};
pub use quantile::Quantiles;

use crate::locale::{Arg, Locale};

/// A classification algorithm.
pub trait Classify {
    /// The class bounds of the finite values of `values` (others are ignored) in `k` classes (a
    /// method may make fewer, see each one), rounded for a legend written with `decimals` decimals
    /// (finer when the method needs it to keep values apart). No value makes no class.
    fn breaks(&self, values: &[f64], k: usize, decimals: usize) -> ClassBreaks;
}

/// The classification chosen for a map.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Method {
    #[default]
    Quantiles,
    EqualIntervals,
    Jenks,
    Breaks(UserBreaks),
}

impl Method {
    /// The method's name in `maps/<stem>.json`: `quantiles`, `equal_intervals`, `jenks`, `breaks`.
    ///
    /// # Examples
    /// ```
    /// use fracture::render::classify::Method;
    /// assert_eq!(Method::Jenks.id(), "jenks");
    /// assert_eq!(Method::default().id(), "quantiles");
    /// ```
    pub fn id(&self) -> &'static str {
        match self {
            Method::Quantiles => "quantiles",
            Method::EqualIntervals => "equal_intervals",
            Method::Jenks => "jenks",
            Method::Breaks(_) => "breaks",
        }
    }

    /// The method's name for people, in the locale (`Seuils naturels (Jenks)`).
    pub fn name_in(&self, l: &Locale) -> String {
        l.text(&format!("class.method.{}", self.id())).to_string()
    }

    /// Classifies the finite values of `values` in `k` classes (see [`Classify::breaks`]).
    ///
    /// # Examples
    /// ```
    /// use fracture::render::classify::Method;
    /// let v = [6.0, 7.4, 8.5, 9.3, 14.3, f64::NAN];
    /// let c = Method::EqualIntervals.classify(&v, 4, 0);
    /// assert_eq!(c.breaks.bounds, [5.0, 7.5, 10.0, 12.5, 15.0]);
    /// assert_eq!(c.counts, [2, 2, 0, 1], "an empty class is kept, with its count");
    /// assert_eq!(c.decimals, 1, "7.5 needs one decimal");
    /// ```
    pub fn classify(&self, values: &[f64], k: usize, decimals: usize) -> Classes {
        let breaks = self.breaks(values, k, decimals);
        let requested = match self {
            Method::Breaks(user) => user.thresholds().len() + 1,
            _ => k,
        };
        Classes::new(self.clone(), requested, breaks, values, decimals)
    }

    /// Shared classes for small multiples: the classes of the union of `series` (one per panel, e.g.
    /// per quarter), so that a colour means the same on every panel. Counts are those of the union;
    /// [`Classes::counts_of`] gives each panel's.
    ///
    /// # Examples
    /// ```
    /// use fracture::render::classify::Method;
    /// let (q1, q2) = ([10.0, 12.0, 30.0], [31.0, 55.0, 60.0]);
    /// let c = Method::Jenks.pooled(&[&q1, &q2], 2, 0);
    /// assert_eq!(c.breaks.bounds, [10.0, 50.0, 60.0]);
    /// assert_eq!((c.counts_of(&q1), c.counts_of(&q2)), (vec![3, 0], vec![1, 2]));
    /// ```
    pub fn pooled(&self, series: &[&[f64]], k: usize, decimals: usize) -> Classes {
        let all: Vec<f64> = series.iter().flat_map(|s| s.iter().copied()).collect();
        self.classify(&all, k, decimals)
    }
}

impl Classify for Method {
    fn breaks(&self, values: &[f64], k: usize, decimals: usize) -> ClassBreaks {
        match self {
            Method::Quantiles => Quantiles.breaks(values, k, decimals),
            Method::EqualIntervals => EqualIntervals.breaks(values, k, decimals),
            Method::Jenks => FisherJenks.breaks(values, k, decimals),
            Method::Breaks(user) => user.breaks(values, k, decimals),
        }
    }
}

/// A classification of a set of values: its bounds and what each class holds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Classes {
    pub method: Method,
    /// The number of classes asked for (for user breaks: thresholds + 1).
    pub requested: usize,
    pub breaks: ClassBreaks,
    /// Finite values in each class.
    pub counts: Vec<usize>,
    /// `Some(v)` for a class whose values all equal `v`.
    pub single: Vec<Option<f64>>,
    /// Decimals that write every finite bound exactly: at least the legend's.
    pub decimals: usize,
}

impl Classes {
    fn new(
        method: Method,
        requested: usize,
        breaks: ClassBreaks,
        values: &[f64],
        decimals: usize,
    ) -> Classes {
        let n = breaks.len();
        let mut counts = vec![0usize; n];
        let mut range: Vec<Option<(f64, f64)>> = vec![None; n];
        for v in values.iter().copied().filter(|v| v.is_finite()) {
            if n == 0 {
                break;
            }
            let c = breaks.class_of(v);
            counts[c] += 1;
            range[c] = Some(range[c].map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
        }
        let single = range.iter().map(|r| r.and_then(|(lo, hi)| (lo == hi).then_some(lo))).collect();
        let exact = |d: usize| {
            breaks
                .bounds
                .iter()
                .filter(|b| b.is_finite())
                .all(|b| format!("{b:.d$}").parse::<f64>().is_ok_and(|shown| shown == *b))
        };
        let decimals = (decimals..=decimals + 12).find(|d| exact(*d)).unwrap_or(decimals);
        Classes { method, requested, breaks, counts, single, decimals }
    }

    /// Number of classes.
    pub fn len(&self) -> usize {
        self.breaks.len()
    }

    /// True when there is no class.
    pub fn is_empty(&self) -> bool {
        self.breaks.is_empty()
    }

    /// The class of a finite value; `None` for a non-finite one or when there is no class.
    pub fn class_of(&self, v: f64) -> Option<usize> {
        (v.is_finite() && !self.is_empty()).then(|| self.breaks.class_of(v))
    }

    /// How many finite values of `values` fall in each class.
    pub fn counts_of(&self, values: &[f64]) -> Vec<usize> {
        let mut counts = vec![0; self.len()];
        for c in values.iter().filter_map(|v| self.class_of(*v)) {
            counts[c] += 1;
        }
        counts
    }

    /// The interval label of each class, with the bounds' decimals.
    ///
    /// # Examples
    /// ```
    /// use fracture::locale::Locale;
    /// use fracture::render::classify::Method;
    /// let c = Method::Jenks.classify(&[18.3, 20.1, 26.2, 41.5, 46.0, 47.6], 3, 0);
    /// let l = Locale::default();
    /// assert_eq!(c.labels_in(&l), ["[18 ; 25[", "[25 ; 30[", "[30 ; 48]"]);
    /// assert_eq!(c.single_label(1, &l).as_deref(), Some("une seule valeur : 26,2"));
    /// assert_eq!(c.full_label(0, &l), "[18 ; 25[");
    /// ```
    pub fn labels_in(&self, l: &Locale) -> Vec<String> {
        self.breaks.labels_in(self.decimals, l)
    }

    /// For a class whose values are all equal (and whose bounds differ), a line saying so with that
    /// value, written exactly (up to three decimals more than the legend's).
    pub fn single_label(&self, class: usize, l: &Locale) -> Option<String> {
        let v = self.single.get(class).copied().flatten()?;
        let (a, b) = (self.breaks.bounds[class], self.breaks.bounds[class + 1]);
        if a == b {
            return None;
        }
        let exact = |d: &usize| format!("{v:.d$}").parse::<f64>().is_ok_and(|shown| shown == v);
        let d = (self.decimals..=self.decimals + 3).find(exact).unwrap_or(self.decimals + 3);
        Some(l.format("class.single", &[("v", Arg::Number(v, d))]))
    }

    /// The interval label followed by the one-value note, on one line (for text alternatives).
    pub fn full_label(&self, class: usize, l: &Locale) -> String {
        let interval = self.labels_in(l).into_iter().nth(class).unwrap_or_default();
        match self.single_label(class, l) {
            Some(s) => format!("{interval} ({s})"),
            None => interval,
        }
    }

    /// "Seuils naturels (Jenks), 5 classes", with the number asked for when fewer were made.
    ///
    /// # Examples
    /// ```
    /// use fracture::locale::Locale;
    /// use fracture::render::classify::Method;
    /// let l = Locale::default();
    /// assert_eq!(Method::Jenks.classify(&[1.0, 2.0, 3.0, 9.0, 10.0], 3, 0).summary(&l), "Seuils naturels (Jenks), 3 classes");
    /// let few = Method::Jenks.classify(&[1.0, 1.0, 2.0, 2.0, 2.0], 5, 0);
    /// assert_eq!(few.summary(&l), "Seuils naturels (Jenks), 2 classes sur 5 demandées (2 valeurs distinctes)");
    /// ```
    pub fn summary(&self, l: &Locale) -> String {
        let method = Arg::Text(self.method.name_in(l));
        let n = Arg::Count(self.len() as u64);
        let one = self.len() == 1;
        if self.len() >= self.requested || self.is_empty() {
            let key = if one { "class.summary_one" } else { "class.summary" };
            return l.format(key, &[("method", method), ("n", n)]);
        }
        let key = if one { "class.summary_fewer_one" } else { "class.summary_fewer" };
        let mut s = l.format(key, &[("method", method), ("n", n), ("k", Arg::Count(self.requested as u64))]);
        // Fewer classes because there are fewer distinct values: every class holds one.
        if self.single.iter().all(Option::is_some) {
            let key = if one { "class.distinct_one" } else { "class.distinct" };
            s.push_str(&l.format(key, &[("n", Arg::Count(self.len() as u64))]));
        }
        s
    }
}

/// The finite values of `values`, ascending.
pub(crate) fn sorted_finite(values: &[f64]) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    sorted
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Random values with ties, round values, negative offsets and various scales, and decimals.
    pub(crate) fn random_values(rng: &mut ChaCha8Rng) -> (Vec<f64>, usize) {
        let len = rng.random_range(1..60);
        let decimals = rng.random_range(0..4);
        let scale = [0.01, 1.0, 100.0, 1000.0, 1e6][rng.random_range(0..5)];
        let offset = if rng.random_bool(0.3) { -scale / 2.0 } else { 0.0 };
        let distinct_pool = rng.random_range(1..12);
        let values = (0..len)
            .map(|_| {
                if rng.random_bool(0.3) {
                    offset + scale * (rng.random_range(0..distinct_pool) as f64) / 10.0
                } else {
                    offset + scale * rng.random::<f64>()
                }
            })
            .collect();
        (values, decimals)
    }

    /// Every value of `values` lies in exactly one class of `b`, and `class_of` finds it.
    pub(crate) fn assert_partition(b: &ClassBreaks, values: &[f64], ctx: &str) {
        let n = b.len();
        assert!(n >= 1, "{ctx}: no class");
        assert!(b.bounds.windows(2).all(|w| w[0] < w[1]) || n == 1, "{ctx}: bounds not ascending {b:?}");
        for &v in values {
            let holding = (0..n)
                .filter(|&i| {
                    let (lo, hi) = (b.bounds[i], b.bounds[i + 1]);
                    v >= lo && (v < hi || (i + 1 == n && v <= hi))
                })
                .count();
            assert_eq!(holding, 1, "{ctx}: {v} in {holding} classes of {b:?}");
            let c = b.class_of(v);
            assert!(v >= b.bounds[c] && v <= b.bounds[c + 1], "{ctx}: class_of({v}) = {c} in {b:?}");
            assert!(b.contains(v), "{ctx}");
        }
    }

    #[test]
    fn every_method_counts_every_value_once() -> Result<(), BreaksError> {
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let methods = [
            Method::Quantiles,
            Method::EqualIntervals,
            Method::Jenks,
            Method::Breaks(UserBreaks::new(vec![0.0, 1.0, 50.0])?),
        ];
        for case in 0..500 {
            let (mut values, decimals) = random_values(&mut rng);
            values.push(f64::NAN);
            let finite = values.len() - 1;
            for m in &methods {
                let c = m.classify(&values, 5, decimals);
                assert_eq!(c.counts.iter().sum::<usize>(), finite, "case {case} {m:?}");
                assert_eq!(c.counts_of(&values), c.counts, "case {case} {m:?}");
                for (i, s) in c.single.iter().enumerate() {
                    if let Some(v) = s {
                        assert!(values.iter().filter(|x| c.class_of(**x) == Some(i)).all(|x| x == v));
                    }
                }
                let l = Locale::default();
                assert_eq!(c.labels_in(&l).len(), c.len());
                // Bounds are exact with the label decimals.
                for b in c.breaks.bounds.iter().filter(|b| b.is_finite()) {
                    let d = c.decimals;
                    assert_eq!(format!("{b:.d$}").parse::<f64>().ok(), Some(*b), "case {case} {m:?} {c:?}");
                }
            }
        }
        Ok(())
    }

    #[test]
    fn no_value_makes_no_class_with_every_method() -> Result<(), BreaksError> {
        for m in [
            Method::Quantiles,
            Method::EqualIntervals,
            Method::Jenks,
            Method::Breaks(UserBreaks::new(vec![1.0])?),
        ] {
            let c = m.classify(&[f64::NAN], 5, 1);
            assert!(c.is_empty() && c.counts.is_empty(), "{m:?}");
            assert_eq!(c.class_of(1.0), None);
        }
        Ok(())
    }

    #[test]
    fn summaries_in_english() {
        let en = Locale::new(crate::locale::Lang::En);
        let c = Method::Quantiles.classify(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 5, 0);
        assert_eq!(c.summary(&en), "Quantiles, 5 classes");
        let one = Method::EqualIntervals.classify(&[4.0, 4.0], 5, 0);
        assert_eq!(one.summary(&en), "Equal intervals, 1 class of 5 requested (a single value)");
    }
}
