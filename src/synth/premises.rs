//! One chunk of premises: positions, building kind and technologies, and the chunk's ARCEP rows.
//!
//! Inputs: the [`Territory`], the [`Allocation`], the chunk number and the ARCEP encoding. Output: a
//! [`Chunk`]: the columns of `premises.parquet` (Lambert-93) and the chunk's text of the ARCEP buildings
//! file (EPSG:3857 metres, 2 decimals) and eligibility file, each a gzip member when asked.
//!
//! Invariants: chunk `c` draws from its own RNG stream, so chunks can be made in parallel in any order and
//! give the same bytes; a premises of a QPV block lies inside that QPV (outside its holes), one of an IRIS
//! block inside that IRIS and outside every QPV; each premises has 1–3 eligibility rows, the first being
//! its best technology (`techno`, `debit_class` in the Parquet file).

use std::fmt::Write as _;
use std::io::Write as _;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::allocation::{Allocation, Zone};
use super::scale::ArcepEncoding;
use super::shapes::sample_in;
use super::territory::Territory;
use super::{CHUNK, SynthError, rng, stream};
use crate::crs::{Crs, Reprojector};

/// Header line of the ARCEP buildings file (`data/FORMATS.md` §4).
pub const BUILDINGS_HEADER: &str =
    "imb_id,imb_longitude,imb_latitude,imb_code,imb_code_insee,imb_nbr_logloc,imb_type,addr_code\n";
/// Header line of the ARCEP eligibility file.
pub const ELIGIBILITY_HEADER: &str = "imb_id,addr_code,imb_code,code_techno,classe_debit_descendant,\
classe_debit_montant,limitation,saturation\n";

/// The premises of one chunk.
pub struct Chunk {
    pub ids: Vec<String>,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub techno: Vec<&'static str>,
    pub class: Vec<&'static str>,
    /// Rows of the buildings file (no header), gzip-compressed when asked.
    pub buildings: Vec<u8>,
    /// Rows of the eligibility file (no header), gzip-compressed when asked.
    pub eligibility: Vec<u8>,
    /// Premises with a fibre (FO) row.
    pub fibre: u64,
    pub eligibility_rows: u64,
}

/// Number of chunks for `total` premises.
pub fn chunks(total: u64) -> u64 {
    total.div_ceil(CHUNK)
}

/// One eligibility row: technology, down and up rate classes.
type Offer = (&'static str, &'static str, &'static str);

/// Copper line rate, drawn.
fn copper(rng: &mut ChaCha8Rng) -> Offer {
    match rng.random_range(0..100) {
        0..=9 => ("CU", "THD30", "HD3"),
        10..=44 => ("CU", "BHD8", "HD05"),
        45..=77 => ("CU", "HD3", "HD05"),
        78..=97 => ("CU", "HD05", "HD05"),
        _ => ("CU", "INEL", "INEL"),
    }
}

/// The offers of one premises, best first: fibre with probability `fibre`, else cable, 4G fixed or
/// copper; plus copper and 4G fixed rows where a better network is there too.
fn offers(rng: &mut ChaCha8Rng, fibre: f64) -> Vec<Offer> {
    let u: f64 = rng.random();
    let best: Offer = if u < fibre {
        if rng.random_bool(0.8) { ("FO", "THD1G", "THD100") } else { ("FO", "THD100", "THD100") }
    } else if u < fibre + 0.08 {
        if rng.random_bool(0.6) { ("COAX", "THD100", "BHD8") } else { ("COAX", "THD30", "BHD8") }
    } else if u < fibre + 0.11 {
        if rng.random_bool(0.5) { ("4GF", "THD30", "HD3") } else { ("4GF", "BHD8", "HD3") }
    } else {
        copper(rng)
    };
    let mut out = vec![best];
    if best.0 != "CU" && rng.random_bool(0.8) {
        out.push(copper(rng));
    }
    if matches!(best.0, "FO" | "COAX") && rng.random_bool(0.15) {
        out.push(if rng.random_bool(0.5) { ("4GF", "THD30", "HD3") } else { ("4GF", "BHD8", "HD3") });
    }
    out
}

/// A gzip member of `text` (fast level; header without time stamp, so the bytes are stable).
pub fn gzip(text: &[u8]) -> Result<Vec<u8>, std::io::Error> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(text)?;
    e.finish()
}

/// Generates chunk `c`.
pub fn generate(
    t: &Territory,
    a: &Allocation,
    c: u64,
    encoding: ArcepEncoding,
    proj: &Reprojector,
) -> Result<Chunk, SynthError> {
    let start = c * CHUNK;
    let end = (start + CHUNK).min(a.total);
    let n = (end - start) as usize;
    let mut rng = rng(stream::PREMISES + c);
    let mut out = Chunk {
        ids: Vec::with_capacity(n),
        x: Vec::with_capacity(n),
        y: Vec::with_capacity(n),
        techno: Vec::with_capacity(n),
        class: Vec::with_capacity(n),
        buildings: Vec::new(),
        eligibility: Vec::new(),
        fibre: 0,
        eligibility_rows: 0,
    };
    let (mut btext, mut etext) = (String::with_capacity(n * 90), String::with_capacity(n * 150));
    let mut b = a.block_of(start);
    for g in start..end {
        while a.blocks[b].start + a.blocks[b].count <= g {
            b += 1;
        }
        let block = a.blocks[b];
        let broken = |what: &str| SynthError::Invariant(format!("premises {g}: {what}"));
        let (x, y, iris, fibre, in_qpv) = match block.zone {
            Zone::Qpv(k) => {
                let q = &t.qpv[k];
                let mut pick = rng.random_range(0.0..q.area);
                let mut part = &q.parts[q.parts.len() - 1];
                for (p, area) in q.parts.iter().zip(&q.part_areas) {
                    if pick < *area {
                        part = p;
                        break;
                    }
                    pick -= area;
                }
                let (x, y) = part.sample(&mut rng).ok_or_else(|| broken("no point found in its QPV"))?;
                let iris =
                    t.iris_at(block.city, x, y).ok_or_else(|| broken("its QPV point is in no IRIS"))?;
                (x, y, iris, q.fibre, true)
            }
            Zone::Iris(i) => {
                let iris = &t.iris[i];
                let overlaps = &t.overlaps[i];
                let (x, y) = sample_in(&iris.polygon, &iris.bbox, &mut rng, |x, y| {
                    overlaps.iter().all(|(k, _)| !t.qpv[*k].contains(x, y))
                })
                .ok_or_else(|| broken("no point found in its IRIS outside QPV"))?;
                (x, y, i, t.cities[block.city].fibre, false)
            }
        };
        let commune = &t.communes[t.iris[iris].commune].code;
        let imm = rng.random_bool(if in_qpv { 0.5 } else { 0.2 });
        let logloc: u32 = if imm { rng.random_range(2..=12) } else { 1 };
        let offers = offers(&mut rng, fibre);
        let (mx, my) = proj.convert(Crs::Lambert93, Crs::WebMercator, x, y)?;
        let id = format!("IMB/{commune}/S/{g:08}");
        let street = 1000 + (g / 64) % 9000;
        let number = g % 64 + 1;
        // Writing to a String cannot fail.
        let _ = writeln!(
            btext,
            "{id},{mx:.2},{my:.2},{commune}-{g:08},{commune},{logloc},{},{commune}_{street:04}_{number:05}",
            if imm { "imm" } else { "pav" }
        );
        for (techno, down, up) in &offers {
            let _ = writeln!(
                etext,
                "{id},{commune}_{street:04}_{number:05},{commune}-{g:08},{techno},{down},{up},0,0"
            );
        }
        out.eligibility_rows += offers.len() as u64;
        out.fibre += u64::from(offers.iter().any(|o| o.0 == "FO"));
        out.ids.push(id);
        out.x.push(x);
        out.y.push(y);
        out.techno.push(offers[0].0);
        out.class.push(offers[0].1);
    }
    let io = |e| SynthError::from(crate::io::IoError::new(format!("gzip member of chunk {c}"), e));
    match encoding {
        ArcepEncoding::Plain => {
            out.buildings = btext.into_bytes();
            out.eligibility = etext.into_bytes();
        }
        ArcepEncoding::Gzip => {
            out.buildings = gzip(btext.as_bytes()).map_err(io)?;
            out.eligibility = gzip(etext.as_bytes()).map_err(io)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;
    use crate::synth::scale::Scale;

    #[test]
    fn a_chunk_is_deterministic_and_in_its_zones() {
        let p = Scale::Tiny.params();
        let t = Territory::build(&p, &mut rng(stream::TERRITORY)).unwrap();
        let a = Allocation::build(&t, &p, &mut rng(stream::ALLOCATION));
        let proj = Reprojector::new();
        let one = generate(&t, &a, 0, ArcepEncoding::Plain, &proj).unwrap();
        let two = generate(&t, &a, 0, ArcepEncoding::Plain, &proj).unwrap();
        assert_eq!(one.buildings, two.buildings);
        assert_eq!(one.eligibility, two.eligibility);
        assert_eq!(one.ids.len(), 5_000);
        let inside =
            one.x.iter().zip(&one.y).filter(|(x, y)| t.qpv.iter().any(|q| q.contains(**x, **y))).count();
        assert_eq!(inside as u64, a.per_qpv.iter().sum::<u64>());
        let text = String::from_utf8(one.buildings).unwrap();
        assert_eq!(text.lines().count(), 5_000);
        assert!(text.lines().all(|l| l.split(',').count() == 8));
        let e = String::from_utf8(one.eligibility).unwrap();
        assert_eq!(e.lines().count() as u64, one.eligibility_rows);
        let gz = generate(&t, &a, 0, ArcepEncoding::Gzip, &proj).unwrap();
        let mut back = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz.buildings[..]), &mut back)
            .unwrap();
        assert_eq!(back, text);
    }
}
