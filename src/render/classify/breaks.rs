//! [`ClassBreaks`]: the bounds of the classes of a map, which class a value falls in, and the
//! interval labels of a legend.

use crate::locale::{Arg, Locale};

/// Bounds of the classes of a map: `bounds.len() == n + 1` for `n` classes (empty when there is no
/// class). Bounds are ascending; they are strictly ascending except for the single degenerate class
/// `[v ; v]` when every value equals `v`. Class `i` holds `bounds[i] <= v < bounds[i + 1]`, the last
/// class being closed on the right. The first bound may be `-∞` and the last `+∞` (user breaks: the
/// end classes are open, "under 50", "85 or more").
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClassBreaks {
    /// `n + 1` ascending bounds.
    pub bounds: Vec<f64>,
}

impl ClassBreaks {
    /// Number of classes on a map.
    pub const MAP_CLASSES: usize = 5;

    /// Number of classes.
    pub fn len(&self) -> usize {
        self.bounds.len().saturating_sub(1)
    }

    /// True when there is no class (no value to classify).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The upper bound of each class (`bounds[1..]`), as written in `maps/<stem>.json`.
    ///
    /// # Examples
    /// ```
    /// use fracture::render::ClassBreaks;
    /// let b = ClassBreaks { bounds: vec![0.0, 10.0, 20.0, 30.0] };
    /// assert_eq!(b.upper_bounds(), [10.0, 20.0, 30.0]);
    /// assert!(ClassBreaks::default().upper_bounds().is_empty());
    /// ```
    pub fn upper_bounds(&self) -> &[f64] {
        self.bounds.get(1..).unwrap_or(&[])
    }

    /// True when `v` lies within the first and last bounds.
    ///
    /// # Examples
    /// ```
    /// use fracture::render::ClassBreaks;
    /// let b = ClassBreaks { bounds: vec![0.0, 10.0, 20.0] };
    /// assert!(b.contains(0.0) && b.contains(20.0));
    /// assert!(!b.contains(20.5) && !ClassBreaks::default().contains(0.0));
    /// ```
    pub fn contains(&self, v: f64) -> bool {
        match (self.bounds.first(), self.bounds.last()) {
            (Some(lo), Some(hi)) if !self.is_empty() => v >= *lo && v <= *hi,
            _ => false,
        }
    }

    /// Index of the class of `v`: `i` such that `bounds[i] <= v < bounds[i + 1]`, the last class
    /// being closed on the right. Values outside the bounds are clamped to the first or last class;
    /// with no class (or for NaN) the answer is 0, so check [`ClassBreaks::is_empty`] first.
    ///
    /// # Examples
    /// ```
    /// use fracture::render::ClassBreaks;
    /// let b = ClassBreaks { bounds: vec![0.0, 10.0, 20.0, 30.0] };
    /// assert_eq!(b.class_of(9.99), 0);
    /// assert_eq!(b.class_of(10.0), 1, "a bound opens the upper class");
    /// assert_eq!(b.class_of(30.0), 2, "the last class is closed");
    /// assert_eq!((b.class_of(-5.0), b.class_of(99.0)), (0, 2), "clamped");
    /// ```
    pub fn class_of(&self, v: f64) -> usize {
        let n = self.len();
        // Bounds are ascending: the classes whose lower bound is ≤ v form a prefix.
        let above = self.bounds.get(1..n).map_or(0, |inner| inner.partition_point(|b| *b <= v));
        above.min(n.saturating_sub(1))
    }

    /// Legend labels, one per class, French style: `[12,5 ; 20,0[`, the last one closed
    /// `[80,0 ; 100,0]`; the degenerate class of equal values is shown as the value alone.
    ///
    /// # Examples
    /// ```
    /// use fracture::render::ClassBreaks;
    /// let b = ClassBreaks { bounds: vec![12.5, 20.0, 100.0] };
    /// assert_eq!(b.labels(1), ["[12,5 ; 20,0[", "[20,0 ; 100,0]"]);
    /// assert_eq!(ClassBreaks { bounds: vec![42.0, 42.0] }.labels(0), ["42"]);
    /// let open = ClassBreaks { bounds: vec![f64::NEG_INFINITY, 50.0, f64::INFINITY] };
    /// assert_eq!(open.labels(0), ["moins de 50", "50 ou plus"]);
    /// ```
    pub fn labels(&self, decimals: usize) -> Vec<String> {
        self.labels_in(decimals, &Locale::default())
    }

    /// Legend labels in a locale's number format and interval notation (`[12.5, 20.0)` in English).
    pub fn labels_in(&self, decimals: usize, l: &Locale) -> Vec<String> {
        let n = self.len();
        let pair = |a: f64, b: f64| [("a", Arg::Number(a, decimals)), ("b", Arg::Number(b, decimals))];
        (0..n)
            .map(|i| {
                let (a, b) = (self.bounds[i], self.bounds[i + 1]);
                if a == f64::NEG_INFINITY && b == f64::INFINITY {
                    l.text("class.all").to_string()
                } else if a == f64::NEG_INFINITY {
                    l.format("class.below", &pair(a, b))
                } else if b == f64::INFINITY {
                    l.format("class.at_least", &pair(a, b))
                } else if i + 1 == n {
                    if a == b { l.number(a, decimals) } else { l.format("class.closed", &pair(a, b)) }
                } else {
                    l.format("class.half_open", &pair(a, b))
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_of_matches_a_linear_scan() {
        let b = ClassBreaks { bounds: vec![0.0, 10.0, 10.5, 20.0, 30.0] };
        for v in [-1.0, 0.0, 5.0, 10.0, 10.2, 10.5, 19.9, 20.0, 29.0, 30.0, 31.0] {
            let linear = (1..b.len()).rev().find(|&i| v >= b.bounds[i]).unwrap_or(0);
            assert_eq!(b.class_of(v), linear, "{v}");
        }
        assert_eq!(ClassBreaks::default().class_of(3.0), 0);
        assert_eq!(ClassBreaks { bounds: vec![4.0, 4.0] }.class_of(4.0), 0);
    }

    #[test]
    fn open_classes_read_in_both_languages() {
        let b = ClassBreaks { bounds: vec![f64::NEG_INFINITY, 50.0, 70.0, f64::INFINITY] };
        let en = Locale::new(crate::locale::Lang::En);
        assert_eq!(b.labels_in(0, &en), ["under 50", "[50, 70)", "70 or more"]);
        assert!(b.contains(-1e9) && b.contains(1e9));
        assert_eq!((b.class_of(-1e9), b.class_of(69.9), b.class_of(1e9)), (0, 1, 2));
    }
}
