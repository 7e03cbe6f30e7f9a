//! QPV given in parts, one feature per commune: the national 2024 file (ANCT) has one feature per QPV
//! *within each commune*, so a QPV spanning two communes (Molkenbronn: Strasbourg and Lingolsheim) is two
//! features with the same `code_qp` and different `insee_com`.
//!
//! [`merge`] makes one [`Qpv`] of them: one multipolygon (the parts' polygons, as given), the summed area,
//! every part kept with its commune and area ([`QpvPart`]), the main commune (largest part) as the QPV's
//! `commune`. Only true duplicates are rejected, naming both features: the same code and the same commune,
//! or the same code where a feature has no commune field. Parts must agree on the name and not overlap.

use std::collections::BTreeMap;
use std::path::Path;

use geo::MultiPolygon;

use super::error::{IngestError, Location};
use super::summary::{Entry, Reason};
use super::zones::{Qpv, QpvList, QpvPart};
use crate::spatial::clip::{Edges, intersection_area};

/// One validated feature of a QPV file, before its parts are merged.
pub(super) struct Candidate {
    pub index: usize,
    pub code: String,
    pub code_field: &'static str,
    pub name: String,
    pub list: QpvList,
    pub commune: Option<String>,
    pub commune_name: Option<String>,
    pub epci: Option<String>,
    pub geometry: MultiPolygon<f64>,
    pub area_m2: f64,
}

impl Candidate {
    fn part(&self) -> QpvPart {
        QpvPart {
            feature: self.index,
            commune: self.commune.clone(),
            commune_name: self.commune_name.clone(),
            epci: self.epci.clone(),
            area_m2: self.area_m2,
        }
    }
}

/// Overlap between two parts above which they are not parts but overlapping copies (relative to the
/// smaller part's area; shared edges give 0, rounding a few 1e-12).
const OVERLAP: f64 = 1e-6;

/// Features listed in the merge warning.
const LISTED: usize = 5;

/// What [`merge`] produced.
pub(super) struct Merged {
    pub qpv: Vec<Qpv>,
    /// One per part of a merged QPV.
    pub entries: Vec<Entry>,
    pub warning: Option<String>,
}

/// Groups the candidates by code, rejects true duplicates (pushing to `errors`) and merges the parts.
pub(super) fn merge(path: &Path, candidates: Vec<Candidate>, errors: &mut Vec<IngestError>) -> Merged {
    let mut groups: BTreeMap<String, Vec<Candidate>> = BTreeMap::new();
    for c in candidates {
        groups.entry(c.code.clone()).or_default().push(c);
    }
    let mut out = Merged { qpv: Vec::new(), entries: Vec::new(), warning: None };
    let mut merged_text = Vec::new();
    let mut merged = 0;
    for (code, parts) in groups {
        let before = errors.len();
        check_parts(path, &code, &parts, errors);
        if errors.len() > before {
            continue;
        }
        if parts.len() > 1 {
            merged += 1;
            if merged_text.len() < LISTED {
                let features: Vec<String> = parts.iter().map(|p| p.index.to_string()).collect();
                let communes: Vec<String> = parts.iter().filter_map(|p| p.commune.clone()).collect();
                merged_text.push(format!(
                    "{code} (features {}: communes {})",
                    features.join(", "),
                    communes.join(", ")
                ));
            }
            for p in &parts {
                out.entries.push(Entry::new(
                    Location::Feature { index: p.index, code: Some(code.clone()) },
                    "insee_com",
                    Reason::PartMerged,
                    p.commune.clone().unwrap_or_default(),
                ));
            }
        }
        out.qpv.push(assemble(parts));
    }
    if merged > 0 {
        let more =
            if merged > LISTED { format!(", ... and {} more", merged - LISTED) } else { String::new() };
        out.warning = Some(format!(
            "{}: {merged} QPV given as one feature per commune, each merged into one QPV (its parts kept \
             per commune): {}{more}",
            path.display(),
            merged_text.join("; ")
        ));
    }
    out
}

/// The true duplicates, names that differ and overlapping parts among the features of one code.
fn check_parts(path: &Path, code: &str, parts: &[Candidate], errors: &mut Vec<IngestError>) {
    let field = |p: &Candidate, field: &str, expected: String, found: String| IngestError::Field {
        path: path.to_path_buf(),
        location: Location::Feature { index: p.index, code: Some(code.to_string()) },
        field: field.into(),
        expected,
        found,
    };
    for (j, p) in parts.iter().enumerate().skip(1) {
        let earlier = &parts[..j];
        let same =
            earlier.iter().find(|q| q.commune.is_none() || p.commune.is_none() || q.commune == p.commune);
        if let Some(q) = same {
            let why = match (&p.commune, &q.commune) {
                (Some(c), Some(_)) => format!("same commune {c}"),
                _ => "no commune field to tell parts apart".to_string(),
            };
            errors.push(field(
                p,
                p.code_field,
                "a code used by one feature only, or by one feature per commune (insee_com) for a QPV spanning \
                 several communes"
                    .into(),
                format!("duplicate {code} of feature {} ({why})", q.index),
            ));
            continue;
        }
        let first = &parts[0];
        if p.name != first.name {
            errors.push(field(
                p,
                "lib_qp",
                format!("the name of the other parts of {code} ({:?}, feature {})", first.name, first.index),
                p.name.clone(),
            ));
            continue;
        }
        let edges = Edges::new(&p.geometry);
        for q in earlier {
            let overlap = intersection_area(&edges, &Edges::new(&q.geometry));
            if overlap > OVERLAP * p.area_m2.min(q.area_m2) {
                errors.push(field(
                    p,
                    "geometry",
                    format!("a part of {code} that does not overlap its other parts"),
                    format!("overlaps feature {} by {overlap:.1} m²", q.index),
                ));
                break;
            }
        }
    }
}

/// One QPV of its parts (in file order): polygons together, areas summed, the largest part's commune.
fn assemble(mut parts: Vec<Candidate>) -> Qpv {
    let area_m2: f64 = parts.iter().map(|p| p.area_m2).sum();
    let main = parts
        .iter()
        .enumerate()
        .fold(0, |best, (i, p)| if p.area_m2 > parts[best].area_m2 { i } else { best });
    let qpv_parts: Vec<QpvPart> = parts.iter().map(Candidate::part).collect();
    let geometry = MultiPolygon(parts.iter_mut().flat_map(|p| std::mem::take(&mut p.geometry.0)).collect());
    let m = parts.swap_remove(main);
    Qpv {
        code: m.code,
        name: m.name,
        commune: m.commune,
        commune_name: m.commune_name,
        epci: m.epci,
        list: m.list,
        geometry,
        area_m2,
        parts: qpv_parts,
    }
}
