//! Geometry validation and repair of polygon layers, as read: every reader of zones (the pipeline's QPV
//! and IRIS, `fracture join`/`interpolate`'s GeoJSON and GeoParquet) hands each feature's rings here
//! before using them.
//!
//! Repaired where safe (the region the feature covers is unchanged, or changed by at most
//! [`AREA_TOLERANCE`] of its area), each repair reported ([`Fix`]):
//! - **orientation**: exteriors made counter-clockwise, holes clockwise (RFC 7946 §3.1.6): counted only;
//! - **unclosed rings**: closed by repeating the first position, when the ring has 3 distinct positions
//!   or more (RFC 7946 requires closure; the ring a reader would draw is the same);
//! - **consecutive repeated positions** and **spikes** (the ring going back along the line it came, a
//!   zero-width excursion): removed, counted; the area is unchanged;
//! - **empty parts**: a polygon with an empty exterior, a ring of fewer than 3 distinct positions once
//!   cleaned, or of zero area, is dropped (a hole: the hole), as long as the feature keeps a valid part;
//! - **a ring touching or crossing itself**: split into simple rings where it meets itself (the crossing
//!   point inserted into both edges). A loop turning the other way inside the ring becomes a hole; one
//!   outside (a twist from rounding) is turned over into a part of its own, which changes the area by
//!   twice the loop's. Kept only when the area changes by at most [`AREA_TOLERANCE`] and the result
//!   passes [`valid::check_polygon`]; otherwise the feature is rejected, with the crossing point.
//!
//! Rejected ([`Invalid`]): a feature left without a valid part, a bow-tie or figure-eight whose split
//! changes the area (its signed area cancels), rings of a polygon crossing or sharing a stretch of
//! boundary, a hole outside its shell, a hole inside another hole. Every result passes
//! [`valid::check_polygon`]. Deterministic: the same rings give the same geometry, bit for bit.

use std::collections::HashMap;

use geo::{Coord, LineString, MultiPolygon, Polygon};

use super::valid::{self, Contact, Kind, Violation, contacts, ring_inside};

/// The largest change of a feature's area that a repair may make, relative to the larger of the area
/// as given (the ring's signed area, as computed before this check existed) and the area repaired.
pub const AREA_TOLERANCE: f64 = 1e-3;

/// Why a ring was dropped as empty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Degenerate {
    /// No position at all.
    Empty,
    /// Fewer than 3 distinct positions once repeated positions and spikes are removed.
    Distinct(usize),
    /// Distinct positions, all on one line.
    ZeroArea,
}

impl std::fmt::Display for Degenerate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Degenerate::Empty => f.write_str("no position"),
            Degenerate::Distinct(n) => write!(f, "{n} distinct position(s), 3 needed"),
            Degenerate::ZeroArea => f.write_str("zero area (every position on one line)"),
        }
    }
}

/// One repair made to a feature.
#[derive(Debug, Clone, PartialEq)]
pub enum Fix {
    /// Ring `ring` of polygon `part` did not end on its first position: closed.
    Closed { part: usize, ring: usize },
    /// Consecutive repeated positions removed (over the whole feature).
    RepeatedPoints { count: usize },
    /// Spike vertices removed (over the whole feature).
    Spikes { count: usize },
    /// Polygon `part` dropped: its exterior is empty.
    PartDropped { part: usize, why: Degenerate },
    /// Hole `ring` of polygon `part` dropped: empty.
    HoleDropped { part: usize, ring: usize, why: Degenerate },
    /// Ring `ring` of polygon `part` touched or crossed itself (first at `at`): split into `rings`
    /// simple rings; the area changed by `area_change` (CRS units², repaired − given), `relative` of it.
    Split { part: usize, ring: usize, at: Coord<f64>, rings: usize, area_change: f64, relative: f64 },
}

/// Why a feature was rejected.
#[derive(Debug, Clone, PartialEq)]
pub enum Invalid {
    /// Every polygon was empty (the reason of each).
    NoValidPart { dropped: Vec<(usize, Degenerate)> },
    /// Ring `ring` of polygon `part` crosses or touches itself at `at`, and no safe split exists:
    /// `relative` is the area change a split would make (`None`: the split is not valid either).
    SelfCrossing { part: usize, ring: usize, at: Coord<f64>, kind: Kind, relative: Option<f64> },
    /// Rings `ring_a` and `ring_b` of polygon `part` cross or share a stretch of boundary at `at`.
    RingsCross { part: usize, ring_a: usize, ring_b: usize, at: Coord<f64> },
    /// Hole `ring` of polygon `part` is outside its exterior (`at`: one of its positions).
    HoleOutside { part: usize, ring: usize, at: Coord<f64> },
    /// Hole `ring` of polygon `part` lies inside hole `other`.
    HolesOverlap { part: usize, ring: usize, other: usize, at: Coord<f64> },
}

/// A feature's geometry once repaired.
#[derive(Debug, Clone, PartialEq)]
pub struct Repaired {
    pub geometry: MultiPolygon<f64>,
    pub fixes: Vec<Fix>,
    /// Rings turned over to the RFC 7946 orientation (not a [`Fix`]: counted only).
    pub reoriented: usize,
}

/// How [`Fix::describe`] and [`Invalid::describe`] write a position and an area.
pub struct Style<'a> {
    /// A position of the working CRS, as the message shows it (e.g. back in the file's CRS).
    pub position: &'a dyn Fn(Coord<f64>) -> String,
    /// The unit of areas in the working CRS (`m²`, `deg²`).
    pub area_unit: &'a str,
}

fn at_ring(part: usize, ring: usize) -> String {
    format!("geometry.coordinates (polygon {part}, ring {ring})")
}

impl Fix {
    /// The field it concerns, as the rejects file names it.
    pub fn field(&self) -> String {
        match self {
            Fix::Closed { part, ring }
            | Fix::HoleDropped { part, ring, .. }
            | Fix::Split { part, ring, .. } => at_ring(*part, *ring),
            Fix::PartDropped { part, .. } => format!("geometry.coordinates (polygon {part})"),
            Fix::RepeatedPoints { .. } | Fix::Spikes { .. } => "geometry.coordinates".into(),
        }
    }

    /// What was done, in a sentence fragment.
    pub fn describe(&self, style: &Style<'_>) -> String {
        match self {
            Fix::Closed { .. } => "unclosed ring closed (its first position repeated at the end)".into(),
            Fix::RepeatedPoints { count } => format!("{count} consecutive repeated position(s) removed"),
            Fix::Spikes { count } => format!("{count} spike vertex(es) removed (zero area)"),
            Fix::PartDropped { why, .. } => format!("empty polygon dropped ({why})"),
            Fix::HoleDropped { why, .. } => format!("empty hole dropped ({why})"),
            Fix::Split { at, rings, area_change, relative, .. } => format!(
                "ring touching or crossing itself at {} split into {rings} simple rings; area changed by \
                 {area_change:.2} {} ({:.1e} relative)",
                (style.position)(*at),
                style.area_unit,
                relative
            ),
        }
    }
}

impl Invalid {
    /// The field it concerns.
    pub fn field(&self) -> String {
        match self {
            Invalid::NoValidPart { .. } => "geometry.coordinates".into(),
            Invalid::SelfCrossing { part, ring, .. }
            | Invalid::HoleOutside { part, ring, .. }
            | Invalid::HolesOverlap { part, ring, .. } => at_ring(*part, *ring),
            Invalid::RingsCross { part, ring_a, ring_b, .. } => {
                format!("geometry.coordinates (polygon {part}, rings {ring_a} and {ring_b})")
            }
        }
    }

    /// (expected, found), as the readers' errors put them.
    pub fn describe(&self, style: &Style<'_>) -> (String, String) {
        let pos = |c: &Coord<f64>| (style.position)(*c);
        match self {
            Invalid::NoValidPart { dropped } => (
                "at least one polygon with 3 distinct positions and a non-zero area".into(),
                dropped.iter().map(|(p, why)| format!("polygon {p}: {why}")).collect::<Vec<_>>().join("; "),
            ),
            Invalid::SelfCrossing { at, kind, relative, .. } => {
                let how = if *kind == Kind::Cross { "crosses itself" } else { "touches itself" };
                let why = match relative {
                    Some(r) => format!(
                        "splitting it there would change the area by {:.2} % (at most {} % is repaired)",
                        r * 100.0,
                        AREA_TOLERANCE * 100.0
                    ),
                    None => "splitting it there does not give a valid polygon".into(),
                };
                (
                    "a simple ring (OGC: no self-intersection)".into(),
                    format!("the ring {how} at {} (a bow-tie or figure-eight?): {why}", pos(at)),
                )
            }
            Invalid::RingsCross { at, .. } => (
                "rings that do not cross nor share a stretch of boundary".into(),
                format!("they meet at {}", pos(at)),
            ),
            Invalid::HoleOutside { at, .. } => {
                ("a hole inside its exterior ring".into(), format!("a hole outside it, at {}", pos(at)))
            }
            Invalid::HolesOverlap { other, at, .. } => {
                ("holes that do not overlap".into(), format!("a hole inside hole {other}, at {}", pos(at)))
            }
        }
    }
}

/// Twice the signed area of an open ring (positive: counter-clockwise), relative to its first position.
fn signed_area2(open: &[Coord<f64>]) -> f64 {
    let Some(&o) = open.first() else { return 0.0 };
    let n = open.len();
    (0..n)
        .map(|i| {
            let (a, b) = (open[i] - o, open[(i + 1) % n] - o);
            a.x * b.y - b.x * a.y
        })
        .sum()
}

fn is_spike(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> bool {
    if a == c {
        return true;
    }
    let collinear = matches!(
        <geo::kernels::RobustKernel as geo::kernels::Kernel<f64>>::orient2d(a, b, c),
        geo::kernels::Orientation::Collinear
    );
    collinear && (b.x - a.x) * (c.x - b.x) + (b.y - a.y) * (c.y - b.y) < 0.0
}

/// Removes consecutive repeated positions of an open ring (its end meets its start); returns the count.
fn dedup(open: &mut Vec<Coord<f64>>) -> usize {
    let before = open.len();
    open.dedup();
    while open.len() > 1 && open.first() == open.last() {
        open.pop();
    }
    before - open.len()
}

/// Removes spike vertices of an open, deduplicated ring; returns the count.
fn despike(open: &mut Vec<Coord<f64>>) -> usize {
    let mut removed = 0;
    let mut out: Vec<Coord<f64>> = Vec::with_capacity(open.len());
    for &p in open.iter() {
        while out.len() >= 2 && is_spike(out[out.len() - 2], out[out.len() - 1], p) {
            out.pop();
            removed += 1;
        }
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    loop {
        let n = out.len();
        if n < 3 {
            break;
        }
        if out[n - 1] == out[0] {
            out.pop();
        } else if is_spike(out[n - 2], out[n - 1], out[0]) {
            out.pop();
            removed += 1;
        } else if is_spike(out[n - 1], out[0], out[1]) {
            out.remove(0);
            removed += 1;
        } else {
            break;
        }
    }
    *open = out;
    removed
}

/// Counts of what cleaning a ring removed.
#[derive(Default)]
struct Counts {
    repeated: usize,
    spikes: usize,
}

/// Dedup and despike; the ring's degeneracy if any.
fn clean_open(open: &mut Vec<Coord<f64>>, counts: &mut Counts) -> Option<Degenerate> {
    counts.repeated += dedup(open);
    counts.spikes += despike(open);
    (open.len() < 3).then_some(Degenerate::Distinct(open.len()))
}

fn closed(open: &[Coord<f64>]) -> LineString<f64> {
    let mut c = open.to_vec();
    if let Some(&first) = open.first() {
        c.push(first);
    }
    LineString(c)
}

fn key(c: Coord<f64>) -> (u64, u64) {
    ((c.x + 0.0).to_bits(), (c.y + 0.0).to_bits())
}

/// Splits an open ring where it meets itself: the contact points inserted into their edges, then a
/// loop cut off each time the walk comes back to a position it holds.
fn split_loops(open: &[Coord<f64>], found: &[Contact]) -> Vec<Vec<Coord<f64>>> {
    let n = open.len();
    let mut extra: Vec<Vec<Coord<f64>>> = vec![Vec::new(); n];
    for c in found {
        let points: &[Coord<f64>] = if c.kind == Kind::Overlap { &[c.at, c.to] } else { &[c.at] };
        for &p in points {
            for e in [c.edge_a, c.edge_b] {
                if p != open[e] && p != open[(e + 1) % n] && !extra[e].contains(&p) {
                    extra[e].push(p);
                }
            }
        }
    }
    let mut walk = Vec::with_capacity(n + found.len() * 2);
    for (i, &a) in open.iter().enumerate() {
        walk.push(a);
        let d = |p: &Coord<f64>| (p.x - a.x).powi(2) + (p.y - a.y).powi(2);
        extra[i].sort_by(|p, q| d(p).total_cmp(&d(q)));
        walk.extend(extra[i].iter().copied());
    }
    let mut stack: Vec<Coord<f64>> = Vec::with_capacity(walk.len());
    let mut at: HashMap<(u64, u64), usize> = HashMap::new();
    let mut loops = Vec::new();
    for p in walk {
        if let Some(&k) = at.get(&key(p)) {
            for q in &stack[k + 1..] {
                at.remove(&key(*q));
            }
            loops.push(stack[k..].to_vec());
            stack.truncate(k + 1);
        } else {
            at.insert(key(p), stack.len());
            stack.push(p);
        }
    }
    loops.push(stack);
    loops
}

/// A split ring: its simple loops (open), as shells and holes.
struct RingOut {
    shells: Vec<Vec<Coord<f64>>>,
    holes: Vec<Vec<Coord<f64>>>,
}

/// Splits a ring that meets itself; `Err` when the split is not safe.
fn split_ring(
    (part, ring): (usize, usize),
    open: &[Coord<f64>],
    found: &[Contact],
    is_hole: bool,
    counts: &mut Counts,
    fixes: &mut Vec<Fix>,
) -> Result<RingOut, Invalid> {
    let first = found[0];
    let reject = |relative| Invalid::SelfCrossing { part, ring, at: first.at, kind: first.kind, relative };
    let mut loops: Vec<(Vec<Coord<f64>>, f64)> = Vec::new();
    for mut l in split_loops(open, found) {
        if clean_open(&mut l, counts).is_none() {
            let a = signed_area2(&l);
            if a != 0.0 {
                loops.push((l, a));
            }
        }
    }
    let Some(main) = loops.iter().map(|(_, a)| *a).max_by(|a, b| a.abs().total_cmp(&b.abs())) else {
        return Err(reject(None));
    };
    let sign = main.signum();
    let given = signed_area2(open).abs() / 2.0;
    let (mut shells, mut holes) = (Vec::new(), Vec::new());
    let mut repaired = 0.0;
    let same: Vec<Vec<Coord<f64>>> =
        loops.iter().filter(|(_, a)| a.signum() == sign).map(|(l, _)| l.clone()).collect();
    for (l, a) in &loops {
        let inside_same = || same.iter().any(|s| ring_inside(l, &closed(s).0).is_some_and(|(i, _)| i));
        if is_hole || a.signum() == sign {
            repaired += a.abs() / 2.0;
            if is_hole { holes.push(l.clone()) } else { shells.push(l.clone()) }
        } else if inside_same() {
            repaired -= a.abs() / 2.0;
            holes.push(l.clone());
        } else {
            repaired += a.abs() / 2.0; // a twist: turned over into a part of its own
            shells.push(l.clone());
        }
    }
    let relative = (repaired - given).abs() / given.max(repaired);
    if relative.is_nan() || relative > AREA_TOLERANCE {
        return Err(reject(Some(relative)));
    }
    fixes.push(Fix::Split {
        part,
        ring,
        at: first.at,
        rings: shells.len() + holes.len(),
        area_change: repaired - given,
        relative,
    });
    Ok(RingOut { shells, holes })
}

fn violation(part: usize, v: Violation, origin: &[usize]) -> Invalid {
    match v {
        Violation::Contact(c) if origin[c.ring_a] == origin[c.ring_b] => {
            Invalid::SelfCrossing { part, ring: origin[c.ring_a], at: c.at, kind: c.kind, relative: None }
        }
        Violation::Contact(c) => {
            Invalid::RingsCross { part, ring_a: origin[c.ring_a], ring_b: origin[c.ring_b], at: c.at }
        }
        Violation::HoleOutside { ring, at } => Invalid::HoleOutside { part, ring: origin[ring], at },
        Violation::HolesOverlap { ring, other, at } => {
            Invalid::HolesOverlap { part, ring: origin[ring], other: origin[other], at }
        }
    }
}

/// The polygons of one part (none when its exterior is empty).
fn clean_part(
    part: usize,
    rings: Vec<Vec<Coord<f64>>>,
    counts: &mut Counts,
    out: &mut Repaired,
) -> Result<Vec<Polygon<f64>>, Invalid> {
    // (open ring, original ring index) of the shells and holes, once each ring is cleaned and split.
    let mut shells: Vec<(Vec<Coord<f64>>, usize)> = Vec::new();
    let mut holes: Vec<(Vec<Coord<f64>>, usize)> = Vec::new();
    for (r, mut open) in rings.into_iter().enumerate() {
        let is_hole = r > 0;
        let unclosed = open.len() > 1 && open.first() != open.last();
        if !unclosed {
            open.pop();
        }
        let mut degenerate =
            if open.is_empty() { Some(Degenerate::Empty) } else { clean_open(&mut open, counts) };
        let found = if degenerate.is_none() {
            let ring = closed(&open);
            contacts(&[&ring.0], false, |_| true)
        } else {
            Vec::new()
        };
        if degenerate.is_none() && found.is_empty() && signed_area2(&open) == 0.0 {
            degenerate = Some(Degenerate::ZeroArea);
        }
        if let Some(why) = degenerate {
            if is_hole {
                out.fixes.push(Fix::HoleDropped { part, ring: r, why });
                continue;
            }
            out.fixes.push(Fix::PartDropped { part, why });
            return Ok(Vec::new());
        }
        if unclosed {
            out.fixes.push(Fix::Closed { part, ring: r });
        }
        if found.is_empty() {
            let ccw = signed_area2(&open) > 0.0;
            if ccw == is_hole {
                out.reoriented += 1;
                open.reverse();
            }
            if is_hole { holes.push((open, r)) } else { shells.push((open, r)) }
        } else {
            let split = split_ring((part, r), &open, &found, is_hole, counts, &mut out.fixes)?;
            shells.extend(split.shells.into_iter().map(|l| (l, r)));
            holes.extend(split.holes.into_iter().map(|l| (l, r)));
        }
    }
    // Each hole goes to the first shell that holds it.
    let mut polygons: Vec<(Vec<Coord<f64>>, Vec<usize>)> =
        shells.iter().map(|(s, r)| (s.clone(), vec![*r])).collect();
    let mut assigned: Vec<Vec<Vec<Coord<f64>>>> = vec![Vec::new(); shells.len()];
    for (h, r) in holes {
        let home = shells.iter().position(|(s, _)| ring_inside(&h, &closed(s).0).is_some_and(|(i, _)| i));
        match home {
            Some(k) => {
                polygons[k].1.push(r);
                assigned[k].push(h);
            }
            None => return Err(Invalid::HoleOutside { part, ring: r, at: h[0] }),
        }
    }
    let mut result = Vec::with_capacity(polygons.len());
    for ((mut shell, origin), hs) in polygons.into_iter().zip(assigned) {
        if signed_area2(&shell) < 0.0 {
            shell.reverse();
        }
        let hs: Vec<LineString<f64>> = hs
            .into_iter()
            .map(|mut h| {
                if signed_area2(&h) > 0.0 {
                    h.reverse();
                }
                closed(&h)
            })
            .collect();
        let polygon = Polygon::new(closed(&shell), hs);
        valid::check_polygon(&polygon).map_err(|v| violation(part, v, &origin))?;
        result.push(polygon);
    }
    Ok(result)
}

/// Validates and repairs one feature given as parts (polygons), each a list of rings (exterior
/// first) of positions as read — closed or not, in any orientation.
///
/// # Examples
/// ```
/// use fracture::spatial::repair::{Fix, repair};
/// use geo::{Area, Coord};
/// let c = |x: f64, y: f64| Coord { x, y };
/// // Clockwise, unclosed, with a repeated position: closed, deduplicated, turned over.
/// let ring = vec![c(0.0, 0.0), c(0.0, 1.0), c(0.0, 1.0), c(1.0, 1.0), c(1.0, 0.0)];
/// let r = repair(vec![vec![ring]]).unwrap();
/// assert_eq!(r.geometry.unsigned_area(), 1.0);
/// assert_eq!(r.reoriented, 1);
/// assert_eq!(r.fixes, [Fix::Closed { part: 0, ring: 0 }, Fix::RepeatedPoints { count: 1 }]);
/// // A bow-tie: its split would double the area it is given: rejected.
/// let bowtie = vec![c(0.0, 0.0), c(2.0, 2.0), c(2.0, 0.0), c(0.0, 2.0), c(0.0, 0.0)];
/// assert!(repair(vec![vec![bowtie]]).is_err());
/// ```
pub fn repair(parts: Vec<Vec<Vec<Coord<f64>>>>) -> Result<Repaired, Invalid> {
    let mut out = Repaired { geometry: MultiPolygon(Vec::new()), fixes: Vec::new(), reoriented: 0 };
    let mut counts = Counts::default();
    let mut dropped = Vec::new();
    for (p, rings) in parts.into_iter().enumerate() {
        if rings.is_empty() {
            out.fixes.push(Fix::PartDropped { part: p, why: Degenerate::Empty });
        }
        let polygons = clean_part(p, rings, &mut counts, &mut out)?;
        if polygons.is_empty()
            && let Some(Fix::PartDropped { why, .. }) = out.fixes.last()
        {
            dropped.push((p, *why));
        }
        out.geometry.0.extend(polygons);
    }
    if out.geometry.0.is_empty() {
        return Err(Invalid::NoValidPart { dropped });
    }
    if counts.repeated > 0 {
        out.fixes.push(Fix::RepeatedPoints { count: counts.repeated });
    }
    if counts.spikes > 0 {
        out.fixes.push(Fix::Spikes { count: counts.spikes });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
