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
        let (xs, ys) = (df.column(x)?.f64()?.rechunk(), df.column(y)?.f64()?.rechunk());
        Ok(match (xs.cont_slice(), ys.cont_slice()) {
            (Ok(xs), Ok(ys)) => {
                xs.par_iter().zip(ys.par_iter()).with_min_len(4096).map(|(x, y)| self.code(*x, *y)).collect()
            }
            _ => {
                let (xs, ys): (Vec<Option<f64>>, Vec<Option<f64>>) =
                    (xs.iter().collect(), ys.iter().collect());
                xs.par_iter()
                    .zip(ys.par_iter())
                    .with_min_len(4096)
                    .map(|(x, y)| match (x, y) {
                        (Some(x), Some(y)) => self.code(*x, *y),
                        _ => CODE_NONE,
                    })
                    .collect()
            }
        })
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
