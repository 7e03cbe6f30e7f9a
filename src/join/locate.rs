//! Where a point is: the QPV that contains it, else outside QPV in the territory, else outside the
//! territory, as a 4-byte [`AreaCode`] per point; the area code texts are attached once per column.

use polars::prelude::*;
use rayon::prelude::*;

use super::{OUTSIDE_QPV, OUTSIDE_TERRITORY};
use crate::spatial::index::ZoneIndex;

/// Where a point is, as a small code: a QPV index (`0..QPV count`), or one of these three.
pub(super) type AreaCode = u32;
pub(super) const CODE_OUTSIDE_QPV: AreaCode = u32::MAX - 2;
pub(super) const CODE_OUTSIDE_TERRITORY: AreaCode = u32::MAX - 1;
/// No coordinates (a null x or y).
pub(super) const CODE_NONE: AreaCode = u32::MAX;

/// Locates points: QPV first, then the territory (IRIS of the configured communes) when known. Points
/// get an [`AreaCode`] (4 bytes, no `String` per point); the area code texts are attached once, when the
/// column is built.
pub(super) struct Locator<'a> {
    pub(super) qpv: ZoneIndex<'a>,
    pub(super) qpv_codes: Vec<&'a str>,
    pub(super) iris: Option<(ZoneIndex<'a>, Vec<bool>)>,
}

impl Locator<'_> {
    pub(super) fn code(&self, x: f64, y: f64) -> AreaCode {
        if !x.is_finite() || !y.is_finite() {
            return CODE_NONE;
        }
        if let Some(q) = self.qpv.locate(x, y) {
            return q as AreaCode;
        }
        match &self.iris {
            Some((idx, in_territory)) => match idx.locate(x, y) {
                Some(i) if in_territory[i] => CODE_OUTSIDE_QPV,
                _ => CODE_OUTSIDE_TERRITORY,
            },
            None => CODE_OUTSIDE_QPV,
        }
    }

    /// The area code text of a code (`None` for a point without coordinates).
    pub(super) fn label(&self, code: AreaCode) -> Option<&str> {
        match code {
            CODE_NONE => None,
            CODE_OUTSIDE_QPV => Some(OUTSIDE_QPV),
            CODE_OUTSIDE_TERRITORY => Some(OUTSIDE_TERRITORY),
            q => Some(self.qpv_codes[q as usize]),
        }
    }

    /// The codes of the points of two coordinate columns, in parallel; a null x or y gives [`CODE_NONE`].
    pub(super) fn codes(&self, df: &DataFrame, x: &str, y: &str) -> PolarsResult<Vec<AreaCode>> {
        let (xs, ys) = (df.column(x)?.f64()?, df.column(y)?.f64()?);
        Ok(with_chunks(&[xs, ys], |chunks| {
            chunks
                .par_iter()
                .flat_map_iter(|(_, c)| c[0].iter().zip(c[1]).map(|(x, y)| self.code(*x, *y)))
                .collect()
        }))
    }

    /// The `area_code` column of a list of codes.
    pub(super) fn column(&self, codes: &[AreaCode]) -> Column {
        StringChunked::from_iter_options("area_code".into(), codes.iter().map(|c| self.label(*c)))
            .into_column()
    }

    /// Area code texts (for the small tables: places, attendance).
    pub(super) fn areas(&self, df: &DataFrame, x: &str, y: &str) -> PolarsResult<Vec<Option<String>>> {
        Ok(self.codes(df, x, y)?.into_iter().map(|c| self.label(c).map(str::to_string)).collect())
    }
}

/// Buildings whose commune code is not one of the territory's, and that no QPV contains, are outside the
/// territory: checked by hash, in parallel over the column's chunks.
pub(super) fn mark_outside_territory(codes: &mut [AreaCode], commune: &StringChunked, communes: &[String]) {
    let territory: std::collections::HashSet<&str> = communes.iter().map(String::as_str).collect();
    let mut rest = codes;
    let mut parts = Vec::new();
    for chunk in commune.downcast_iter() {
        let (head, tail) = rest.split_at_mut(chunk.len().min(rest.len()));
        parts.push((chunk, head));
        rest = tail;
    }
    parts.into_par_iter().for_each(|(chunk, codes)| {
        for (c, code) in chunk.iter().zip(codes.iter_mut()) {
            if *code == CODE_OUTSIDE_QPV && !c.is_some_and(|c| territory.contains(c)) {
                *code = CODE_OUTSIDE_TERRITORY;
            }
        }
    });
}

/// Calls `f` with the values of `cols` chunk by chunk, `(first row, one slice per column)`: the columns'
/// own buffers when they share their chunking and hold no null (the ingest's columns: one chunk per part
/// read, nothing copied), else one contiguous copy of each with nulls as NaN.
pub(super) fn with_chunks<R>(cols: &[&Float64Chunked], f: impl FnOnce(&[(usize, Vec<&[f64]>)]) -> R) -> R {
    let per: Vec<Vec<&[f64]>> =
        cols.iter().map(|c| c.downcast_iter().map(|a| a.values().as_slice()).collect()).collect();
    let first = per.first().map(Vec::as_slice).unwrap_or_default();
    let aligned = cols.iter().all(|c| c.null_count() == 0)
        && per.iter().all(|p| p.len() == first.len() && p.iter().zip(first).all(|(a, b)| a.len() == b.len()));
    if aligned {
        let mut start = 0;
        let chunks: Vec<(usize, Vec<&[f64]>)> = (0..first.len())
            .map(|k| {
                let row = start;
                start += first[k].len();
                (row, per.iter().map(|p| p[k]).collect())
            })
            .collect();
        return f(&chunks);
    }
    let copies: Vec<Vec<f64>> =
        cols.iter().map(|c| c.iter().map(|v| v.unwrap_or(f64::NAN)).collect()).collect();
    f(&[(0, copies.iter().map(Vec::as_slice).collect())])
}

/// Premises per (IRIS, QPV or none) of the located buildings `b` (`x`, `y`, `logloc`; `codes` their
/// [`AreaCode`]s, QPV indices below `qpv_count`), sorted: the dasymetric weights need only these sums,
/// not a row per building. Summed chunk by chunk in parallel as the buildings are located in the IRIS;
/// whole numbers of premises, so exact in any order.
pub(super) fn premises_by_iris(
    b: &DataFrame,
    codes: &[AreaCode],
    qpv_count: AreaCode,
    iris: &ZoneIndex<'_>,
) -> PolarsResult<Vec<(usize, Option<usize>, f64)>> {
    type PairSums = std::collections::HashMap<(usize, Option<usize>), f64>;
    let (xs, ys) = (b.column("x")?.f64()?, b.column("y")?.f64()?);
    let n = b.column("logloc")?.cast(&DataType::Float64)?;
    let sums: PairSums = with_chunks(&[xs, ys, n.f64()?], |chunks| {
        chunks
            .par_iter()
            .fold(PairSums::new, |mut acc, (row, c)| {
                for (k, ((x, y), n)) in c[0].iter().zip(c[1]).zip(c[2]).enumerate() {
                    if x.is_finite()
                        && y.is_finite()
                        && let Some(i) = iris.locate(*x, *y)
                    {
                        let code = codes[row + k];
                        let qpv = (code < qpv_count).then_some(code as usize);
                        *acc.entry((i, qpv)).or_insert(0.0) += if n.is_finite() { *n } else { 0.0 };
                    }
                }
                acc
            })
            .reduce(PairSums::new, |mut a, b| {
                for (k, v) in b {
                    *a.entry(k).or_insert(0.0) += v;
                }
                a
            })
    });
    let mut located: Vec<(usize, Option<usize>, f64)> =
        sums.into_iter().map(|((i, q), n)| (i, q, n)).collect();
    located.sort_by_key(|p| (p.0, p.1));
    Ok(located)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;

    fn chunked(parts: &[&[f64]]) -> Float64Chunked {
        let mut out = Float64Chunked::from_slice("v".into(), parts[0]);
        for p in &parts[1..] {
            out.append(&Float64Chunked::from_slice("v".into(), p)).unwrap();
        }
        out
    }

    /// Rows seen through `with_chunks`, flattened: (row, x, y).
    fn rows(cols: &[&Float64Chunked]) -> (usize, Vec<(usize, f64, f64)>) {
        with_chunks(cols, |chunks| {
            let rows = chunks
                .iter()
                .flat_map(|(start, c)| (0..c[0].len()).map(move |k| (start + k, c[0][k], c[1][k])))
                .collect();
            (chunks.len(), rows)
        })
    }

    #[test]
    fn chunks_are_read_in_place_when_aligned_and_copied_otherwise() {
        let x = chunked(&[&[1.0, 2.0], &[3.0]]);
        let y = chunked(&[&[10.0, 20.0], &[30.0]]);
        let expected = vec![(0, 1.0, 10.0), (1, 2.0, 20.0), (2, 3.0, 30.0)];
        assert_eq!(rows(&[&x, &y]), (2, expected.clone()));
        // Another chunking: one contiguous copy, the same rows.
        let y1 = chunked(&[&[10.0], &[20.0, 30.0]]);
        assert_eq!(rows(&[&x, &y1]), (1, expected));
        // A null becomes NaN in the copy.
        let yn = Float64Chunked::from_iter_options("v".into(), [Some(10.0), None, Some(30.0)].into_iter());
        let (n, r) = rows(&[&chunked(&[&[1.0, 2.0, 3.0]]), &yn]);
        assert!(n == 1 && r[1].2.is_nan() && r[2] == (2, 3.0, 30.0));
    }
}
