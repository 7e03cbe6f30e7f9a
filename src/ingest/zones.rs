//! QPV and IRIS zones: validated codes, names and Lambert-93 geometry.
//!
//! QPV files come in two property vocabularies (2024 list `code_qp`/`lib_qp`/`insee_com`; 2015
//! re-publications `code_qp`/`nom_qp`/`code_commune`, old shapefile `CODE_QP`/`NOM_QP`/`COMMUNE_QP`);
//! IRIS contours use IGN's `CODE_IRIS`/`NOM_IRIS`/`INSEE_COM`/`TYP_IRIS`. IRIS codes must be unique; a QPV
//! code may appear once per commune, its parts being merged ([`super::qpv_parts`]).

use std::collections::BTreeSet;
use std::path::Path;

use geo::{Area, MultiPolygon};
use serde_json::Value;

use super::error::{IngestError, Location};
use super::polygons::{PolygonFeature, read_polygon_layer};
use super::qpv_parts::{Candidate, merge};
use super::read::CodeKind;
use super::summary::{Entry, Reason};
use crate::crs::Reprojector;

/// Which QPV list a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum QpvList {
    /// Décret 2023-1314, "Quartiers 2030", codes `QN…`.
    #[serde(rename = "2024")]
    Y2024,
    /// Décret 2014-1750, codes `QP…`.
    #[serde(rename = "2015")]
    Y2015,
}

/// A priority neighbourhood.
#[derive(Debug, Clone)]
pub struct Qpv {
    pub code: String,
    pub name: String,
    /// The main commune: the one holding the largest part of the QPV (its only one, mostly).
    pub commune: Option<String>,
    pub commune_name: Option<String>,
    /// SIREN of the EPCI (`siren_epci`, 2024 list) of the main commune's part.
    pub epci: Option<String>,
    pub list: QpvList,
    /// Lambert-93: every part's polygons.
    pub geometry: MultiPolygon<f64>,
    /// Sum of the parts' areas, m².
    pub area_m2: f64,
    /// The part in each commune, in file order (one part for a QPV within one commune). Empty for a
    /// QPV built without a per-commune breakdown: [`Qpv::communes`] is then its `commune`.
    pub parts: Vec<QpvPart>,
}

/// The piece of a QPV within one commune: one feature of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct QpvPart {
    /// 0-based index of its feature in the file.
    pub feature: usize,
    pub commune: Option<String>,
    pub commune_name: Option<String>,
    pub epci: Option<String>,
    /// Lambert-93, m².
    pub area_m2: f64,
}

impl Qpv {
    /// A QPV of the 2024 list known only by its code and contours (named by its code; no commune, EPCI
    /// or parts), for callers that need no more: set the other fields with struct update syntax.
    pub fn bare(code: &str, geometry: MultiPolygon<f64>) -> Qpv {
        Qpv {
            code: code.into(),
            name: code.into(),
            commune: None,
            commune_name: None,
            epci: None,
            list: QpvList::Y2024,
            area_m2: geometry.unsigned_area(),
            geometry,
            parts: vec![],
        }
    }

    /// Every commune the QPV lies in, main commune included, each once, in part order.
    pub fn communes(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let all = self.parts.iter().filter_map(|p| p.commune.as_deref()).chain(self.commune.as_deref());
        for c in all {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// Whether any part of the QPV is in the territory: of the EPCI `epci` when both say their EPCI,
    /// else in one of `communes` (every QPV when there is none).
    pub fn in_territory(&self, epci: Option<&str>, communes: &[String]) -> bool {
        let whole = [(self.commune.as_deref(), self.epci.as_deref())];
        let parts: Vec<(Option<&str>, Option<&str>)> = if self.parts.is_empty() {
            whole.to_vec()
        } else {
            self.parts.iter().map(|p| (p.commune.as_deref(), p.epci.as_deref())).collect()
        };
        parts.into_iter().any(|(commune, part_epci)| match (epci, part_epci) {
            (Some(e), Some(pe)) => e == pe,
            _ => communes.is_empty() || commune.is_some_and(|c| communes.iter().any(|t| t == c)),
        })
    }
}

/// Zones as read, with what the summary of `ingest` needs.
#[derive(Debug)]
pub struct ZonesRead<T> {
    /// Sorted by code.
    pub zones: Vec<T>,
    pub warnings: Vec<String>,
    /// Features corrected (codes restored, QPV parts merged).
    pub entries: Vec<Entry>,
    /// Features in the file.
    pub features: usize,
    /// Rings turned over to the RFC 7946 orientation.
    pub reoriented: usize,
}

/// An IRIS zone.
#[derive(Debug, Clone)]
pub struct Iris {
    pub code: String,
    pub name: String,
    pub commune: String,
    pub kind: Option<String>,
    /// Lambert-93.
    pub geometry: MultiPolygon<f64>,
    pub area_m2: f64,
}

fn prop(f: &PolygonFeature, names: &[&'static str]) -> Option<(&'static str, String)> {
    names.iter().find_map(|n| {
        f.properties.get(*n).and_then(|v| match v {
            Value::String(s) => Some((*n, s.trim().to_string())),
            // Codes given as numbers were restored (or kept as their text) by `restore_codes`.
            Value::Number(num) => Some((*n, num.to_string())),
            _ => None,
        })
    })
}

/// Fixed width of the code properties real files give as JSON numbers (`CODE_IRIS: 990010101`,
/// `depcom: 67482`, `iris: 901` for "0901").
const CODE_WIDTHS: [(&str, usize); 9] = [
    ("CODE_IRIS", 9),
    ("code_iris", 9),
    ("dcomiris", 9),
    ("INSEE_COM", 5),
    ("insee_com", 5),
    ("code_insee", 5),
    ("depcom", 5),
    ("IRIS", 4),
    ("iris", 4),
];

/// Codes are strings. A code property given as a JSON number is restored by its fixed width (leading
/// zeros put back) when that is unambiguous — a whole non-negative number of at most that many digits —
/// with one warning per property; otherwise its text is kept as found, and the code check rejects it.
fn restore_codes(
    path: &Path,
    features: &mut [PolygonFeature],
    warnings: &mut Vec<String>,
    entries: &mut Vec<Entry>,
) {
    for (name, width) in CODE_WIDTHS {
        let mut restored = Vec::new();
        for f in features.iter_mut() {
            let Some(Value::Number(n)) = f.properties.get(name) else { continue };
            let text = n.to_string();
            let fixed = match n.as_u64() {
                Some(v) if text.len() <= width => {
                    let padded = format!("{v:0width$}");
                    let at = Location::Feature { index: f.index, code: None };
                    entries.push(Entry::new(at, name, Reason::CodeRestored, format!("{text} -> {padded}")));
                    restored.push((text.clone(), padded.clone()));
                    padded
                }
                _ => text,
            };
            f.properties.insert(name.to_string(), Value::String(fixed));
        }
        if let Some((from, to)) = restored.first() {
            warnings.push(format!(
                "{}: {} feature(s) give `{name}` as a JSON number (e.g. {from}): read as the {width}-character \
                 code \"{to}\" (codes are strings: fix the file's export)",
                path.display(),
                restored.len()
            ));
        }
    }
}

fn loc(f: &PolygonFeature, code: Option<&str>) -> Location {
    Location::Feature { index: f.index, code: code.map(str::to_string) }
}

/// Reads and validates a QPV boundary file. Returns zones sorted by code, plus warnings.
pub fn read_qpv(path: &Path, reproj: &Reprojector) -> Result<(Vec<Qpv>, Vec<String>), IngestError> {
    read_qpv_detailed(path, reproj).map(|r| (r.zones, r.warnings))
}

/// [`read_qpv`], with the features corrected (restored codes, merged parts) for the summary.
pub fn read_qpv_detailed(path: &Path, reproj: &Reprojector) -> Result<ZonesRead<Qpv>, IngestError> {
    let mut layer = read_polygon_layer(path, reproj)?;
    let mut entries = std::mem::take(&mut layer.entries);
    restore_codes(path, &mut layer.features, &mut layer.warnings, &mut entries);
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for f in &layer.features {
        let field_err = |field: &str, expected: &str, found: String, code: Option<&str>| IngestError::Field {
            path: path.to_path_buf(),
            location: loc(f, code),
            field: field.into(),
            expected: expected.into(),
            found,
        };
        let Some((code_field, code)) = prop(f, &["code_qp", "CODE_QP", "code_quartier"]) else {
            errors.push(field_err(
                "code_qp",
                "a QPV code such as QN06701M or QP066007",
                "nothing".into(),
                None,
            ));
            continue;
        };
        let list = if CodeKind::Qpv2024.matches(&code) {
            QpvList::Y2024
        } else if CodeKind::Qpv2015.matches(&code) {
            QpvList::Y2015
        } else {
            errors.push(field_err(
                code_field,
                "a QPV code: QN + 5 digits + letter (2024 list) or QP + 6 digits (2015 list)",
                code.clone(),
                Some(&code),
            ));
            continue;
        };
        let Some((_, name)) =
            prop(f, &["lib_qp", "nom_qp", "NOM_QP", "nom_quartier"]).filter(|(_, n)| !n.is_empty())
        else {
            errors.push(field_err(
                "lib_qp",
                "the QPV name (lib_qp or nom_qp)",
                "nothing".into(),
                Some(&code),
            ));
            continue;
        };
        let commune = prop(f, &["insee_com", "code_commune", "INSEE_COM"]).map(|(_, c)| c);
        if let Some(c) = &commune
            && !CodeKind::Commune.matches(c)
        {
            errors.push(field_err(
                "insee_com",
                "a 5-character commune code such as 67482 or 2A004",
                c.clone(),
                Some(&code),
            ));
            continue;
        }
        let commune_name = prop(f, &["lib_com", "nom_commune", "commune_qp", "COMMUNE_QP"]).map(|(_, c)| c);
        let epci = prop(f, &["siren_epci", "SIREN_EPCI"]).map(|(_, c)| c);
        let area_m2 = f.geometry.unsigned_area();
        if area_m2 <= 0.0 {
            errors.push(field_err(
                "geometry",
                "a polygon with a positive area",
                "zero area".into(),
                Some(&code),
            ));
            continue;
        }
        out.push(Candidate {
            index: f.index,
            code,
            code_field,
            name,
            list,
            commune,
            commune_name,
            epci,
            geometry: f.geometry.clone(),
            area_m2,
        });
    }
    let merged = merge(path, out, &mut errors);
    IngestError::collect(path, errors)?;
    let mut out = merged.qpv;
    entries.extend(merged.entries);
    layer.warnings.extend(merged.warning);
    let first_of = |list: QpvList| out.iter().find(|q| q.list == list).map(|q| q.code.as_str());
    if let (Some(qn), Some(qp)) = (first_of(QpvList::Y2024), first_of(QpvList::Y2015)) {
        return Err(IngestError::format(
            path,
            Location::File,
            format!(
                "field `code_qp` mixes 2024 (QN…, e.g. {qn}) and 2015 (QP…, e.g. {qp}) QPV codes: the two \
                 geographies differ and need a crosswalk"
            ),
        ));
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(ZonesRead {
        zones: out,
        warnings: layer.warnings,
        entries,
        features: layer.features.len(),
        reoriented: layer.reoriented,
    })
}

/// Reads and validates IGN IRIS contours. Returns zones sorted by code, plus warnings.
pub fn read_iris(path: &Path, reproj: &Reprojector) -> Result<(Vec<Iris>, Vec<String>), IngestError> {
    read_iris_detailed(path, reproj).map(|r| (r.zones, r.warnings))
}

/// [`read_iris`], with the features corrected (restored codes) for the summary.
pub fn read_iris_detailed(path: &Path, reproj: &Reprojector) -> Result<ZonesRead<Iris>, IngestError> {
    let mut layer = read_polygon_layer(path, reproj)?;
    let mut entries = std::mem::take(&mut layer.entries);
    restore_codes(path, &mut layer.features, &mut layer.warnings, &mut entries);
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for f in &layer.features {
        let Some((field, code)) = prop(f, &["CODE_IRIS", "code_iris"]) else {
            errors.push(IngestError::Field {
                path: path.to_path_buf(),
                location: loc(f, None),
                field: "CODE_IRIS".into(),
                expected: "a 9-character IRIS code".into(),
                found: "nothing".into(),
            });
            continue;
        };
        let bad = |expected: &str, found: String| IngestError::Field {
            path: path.to_path_buf(),
            location: loc(f, Some(&code)),
            field: field.into(),
            expected: expected.into(),
            found,
        };
        if !CodeKind::Iris.matches(&code) {
            errors.push(bad("a 9-character IRIS code (commune code + 4 digits)", code.clone()));
            continue;
        }
        if !seen.insert(code.clone()) {
            errors.push(bad("a code used by one feature only", format!("duplicate {code}")));
            continue;
        }
        let commune = prop(f, &["INSEE_COM", "insee_com", "code_insee"])
            .map(|(_, c)| c)
            .unwrap_or_else(|| code[..5].to_string());
        if commune != code[..5] {
            errors.push(IngestError::Field {
                path: path.to_path_buf(),
                location: loc(f, Some(&code)),
                field: "INSEE_COM".into(),
                expected: format!("the first 5 characters of CODE_IRIS ({})", &code[..5]),
                found: commune,
            });
            continue;
        }
        let name = prop(f, &["NOM_IRIS", "nom_iris"]).map(|(_, n)| n).unwrap_or_default();
        let kind = prop(f, &["TYP_IRIS", "typ_iris", "type_iris"]).map(|(_, t)| t);
        let area_m2 = f.geometry.unsigned_area();
        out.push(Iris { code, name, commune, kind, geometry: f.geometry.clone(), area_m2 });
    }
    IngestError::collect(path, errors)?;
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(ZonesRead {
        zones: out,
        warnings: layer.warnings,
        entries,
        features: layer.features.len(),
        reoriented: layer.reoriented,
    })
}
