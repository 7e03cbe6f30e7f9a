//! Benchmarks of the `join` stage (`cargo bench --bench join`).
//!
//! 1. Point in polygon over the demo city (Démoville, 11 QPV): `ZoneIndex::locate` sequentially and with
//!    rayon, against a brute-force baseline that tests every QPV with `geo::Intersects` (which recomputes
//!    each zone's bounding box on every call) and a fairer linear scan over bounding boxes computed once.
//! 2. A scaled synthetic geography mimicking a national run: the demo's QPV replicated on a grid of
//!    offsets, up to 1,500 zones (about the size of the national 2024 list). The zone index (a grid over
//!    the zones, `spatial::index`) keeps the cost per point nearly flat as zones are added; linear scans
//!    grow with them.
//! 3. IRIS→QPV areal weights (`join::areal::weights`: exact float64 overlap areas, `spatial::clip`) for
//!    the demo (48 IRIS × 11 QPV) and a 2,000-IRIS grid, in a one-thread rayon pool and in the default
//!    pool, beside geo's grid-snapped `BooleanOps` on the same pairs (time, and its error).
//!
//! Results are checked (zone index = brute force, sequential = parallel, one thread = default pool): these
//! are correctness assertions, never timing ones. Each timing runs once to warm up, then several
//! times; the tables give the median and the minimum. Compare ratios within one run.

mod common;

use std::error::Error;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use common::{Summary, load_average, ms, peak_rss};
use fracture::crs::Reprojector;
use fracture::ingest::zones::{read_iris, read_qpv};
use fracture::ingest::{Iris, Qpv};
use fracture::join::areal::{Weight, weights};
use fracture::spatial::index::ZoneIndex;
use geo::{Area, BooleanOps, BoundingRect, Intersects, MultiPolygon, Point, Rect, Translate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

const QPV_FILE: &str = "data/demo/qpv/QP2024_Demoville_WGS84.geojson";
const IRIS_FILE: &str = "data/demo/iris/CONTOURS-IRIS_Demoville_WGS84.geojson";
const SEED: u64 = 20_240_101;
/// Zones in the scaled geography: about the national 2024 QPV list.
const NATIONAL_QPV: usize = 1_500;
/// IRIS in the scaled areal-weights case.
const SCALED_IRIS: usize = 2_000;

type Located = Vec<Option<usize>>;

/// Runs `f` once to warm up, then `reps` times; returns the summary and the last result.
fn bench<T>(reps: usize, mut f: impl FnMut() -> T) -> (Summary, T) {
    let mut out = black_box(f());
    let mut samples = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t = Instant::now();
        let r = black_box(f());
        samples.push(t.elapsed());
        out = r;
    }
    (Summary::of(&samples), out)
}

/// Bounding box of a set of zones (the city's extent when given every IRIS).
fn extent<'a>(zones: impl IntoIterator<Item = &'a MultiPolygon<f64>>) -> Option<Rect<f64>> {
    zones.into_iter().filter_map(BoundingRect::bounding_rect).reduce(|a, b| {
        Rect::new(
            (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
            (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
        )
    })
}

/// Offsets of `tiles` copies of a city of extent `ext` on a square grid with 5 % gaps (no overlap).
fn tile_offsets(tiles: usize, ext: Rect<f64>) -> Vec<(f64, f64)> {
    let cols = (tiles as f64).sqrt().ceil() as usize;
    let (dx, dy) = (ext.width() * 1.05, ext.height() * 1.05);
    (0..tiles).map(|t| ((t % cols) as f64 * dx, (t / cols) as f64 * dy)).collect()
}

/// `n` uniform points over the city's extent, each in a tile drawn uniformly (one tile: the city).
fn random_points(n: usize, ext: Rect<f64>, offsets: &[(f64, f64)], seed: u64) -> Vec<(f64, f64)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let (ox, oy) = offsets[rng.random_range(0..offsets.len())];
            let x = rng.random_range(ext.min().x..ext.max().x);
            let y = rng.random_range(ext.min().y..ext.max().y);
            (x + ox, y + oy)
        })
        .collect()
}

/// Like [`random_points`], but the points come tile by tile (inputs listed by commune or address tend
/// to be clustered like this): separates the memory-locality part of the cost from the index's own.
fn grouped_points(n: usize, ext: Rect<f64>, offsets: &[(f64, f64)], seed: u64) -> Vec<(f64, f64)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let (ox, oy) = offsets[i * offsets.len() / n];
            let x = rng.random_range(ext.min().x..ext.max().x);
            let y = rng.random_range(ext.min().y..ext.max().y);
            (x + ox, y + oy)
        })
        .collect()
}

/// The demo's QPV replicated over the tiles, truncated to `n` zones.
fn replicate_qpv(qpv: &[Qpv], offsets: &[(f64, f64)], n: usize) -> Vec<Qpv> {
    offsets
        .iter()
        .flat_map(|&(ox, oy)| {
            qpv.iter().map(move |q| Qpv { geometry: q.geometry.translate(ox, oy), ..q.clone() })
        })
        .take(n)
        .collect()
}

/// The demo's IRIS replicated over the tiles, truncated to `n` zones (codes repeat: `weights` uses
/// positions only).
fn replicate_iris(iris: &[Iris], offsets: &[(f64, f64)], n: usize) -> Vec<Iris> {
    offsets
        .iter()
        .flat_map(|&(ox, oy)| {
            iris.iter().map(move |i| Iris { geometry: i.geometry.translate(ox, oy), ..i.clone() })
        })
        .take(n)
        .collect()
}

/// Baseline: test every zone with `geo::Intersects`; the lowest index wins, as in `ZoneIndex`.
fn brute_force(zones: &[&MultiPolygon<f64>], pts: &[(f64, f64)]) -> Located {
    pts.iter()
        .map(|&(x, y)| {
            let p = Point::new(x, y);
            zones.iter().position(|z| z.intersects(&p))
        })
        .collect()
}

/// A fairer baseline: every zone's bounding box computed once, then the exact test only for the zones
/// whose box holds the point (what `ZoneIndex::locate` does after its grid query).
fn bbox_scan(zones: &[&MultiPolygon<f64>], boxes: &[Option<Rect<f64>>], pts: &[(f64, f64)]) -> Located {
    pts.iter()
        .map(|&(x, y)| {
            let p = Point::new(x, y);
            zones.iter().zip(boxes).position(|(z, b)| {
                b.is_some_and(|b| b.min().x <= x && x <= b.max().x && b.min().y <= y && y <= b.max().y)
                    && z.intersects(&p)
            })
        })
        .collect()
}

fn locate_seq(index: &ZoneIndex, pts: &[(f64, f64)]) -> Located {
    pts.iter().map(|&(x, y)| index.locate(x, y)).collect()
}

fn locate_par(index: &ZoneIndex, pts: &[(f64, f64)]) -> Located {
    pts.par_iter().map(|&(x, y)| index.locate(x, y)).collect()
}

fn per_second(items: usize, s: &Summary) -> f64 {
    items as f64 / s.median.as_secs_f64()
}

fn ns_per(items: usize, s: &Summary) -> f64 {
    s.median.as_secs_f64() * 1e9 / items as f64
}

fn ratio(slow: &Summary, fast: &Summary) -> f64 {
    slow.median.as_secs_f64() / fast.median.as_secs_f64()
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn point_in_polygon(qpv: &[Qpv], city: Rect<f64>) {
    let zones: Vec<&MultiPolygon<f64>> = qpv.iter().map(|q| &q.geometry).collect();
    let boxes: Vec<Option<Rect<f64>>> = zones.iter().map(|z| z.bounding_rect()).collect();
    let index = ZoneIndex::new(zones.clone());
    println!("\n## Point in polygon: demo city, {} QPV, points uniform over the city's extent", qpv.len());
    println!(
        "\n| points | method | median | min | Mpoints/s | vs brute force | vs zone index sequential |\n\
         |---:|---|---:|---:|---:|---:|---:|"
    );
    for (n, reps) in [(10_000, 51), (100_000, 15), (1_000_000, 11)] {
        let pts = random_points(n, city, &[(0.0, 0.0)], SEED);
        let (seq, seq_out) = bench(reps, || locate_seq(&index, &pts));
        let (par, par_out) = bench(reps, || locate_par(&index, &pts));
        assert_eq!(seq_out, par_out, "sequential and rayon results differ ({n} points)");
        let (scan, scan_out) = bench(reps, || bbox_scan(&zones, &boxes, &pts));
        assert_eq!(scan_out, seq_out, "zone index and bounding-box scan results differ ({n} points)");
        let brute = (n <= 100_000).then(|| {
            let (s, out) = bench(reps, || brute_force(&zones, &pts));
            assert_eq!(out, seq_out, "zone index and brute force results differ ({n} points)");
            s
        });
        let row = |name: &str, s: &Summary| {
            let vs_brute = brute.map(|b| format!("{:.1}×", ratio(&b, s))).unwrap_or_else(|| "–".into());
            println!(
                "| {} | {name} | {} | {} | {:.2} | {vs_brute} | {:.2}× |",
                thousands(n),
                ms(s.median),
                ms(s.min),
                per_second(n, s) / 1e6,
                ratio(&seq, s)
            );
        };
        if let Some(b) = &brute {
            row("brute force (geo::Intersects, every QPV)", b);
        }
        row("bbox scan (cached boxes, every QPV, then geo::Intersects)", &scan);
        row("zone index (grid), sequential", &seq);
        row(&format!("zone index (grid), rayon ({} threads)", rayon::current_num_threads()), &par);
        let inside = seq_out.iter().filter(|l| l.is_some()).count();
        println!("|  | ({:.1} % of points fall in a QPV) |  |  |  |  |  |", 100.0 * inside as f64 / n as f64);
    }
}

fn scaled_point_in_polygon(qpv: &[Qpv], city: Rect<f64>) {
    const N: usize = 1_000_000;
    const N_BRUTE: usize = 10_000;
    const N_SCAN: usize = 100_000;
    println!(
        "\n## Point in polygon: scaled geography (demo QPV replicated on a grid of tiles), {} points\n\n\
         Points uniform over the tiles, in random order; \"grouped\": the same density, tile after tile. \
         For 1,000,000 points, ms per run = ns per point.",
        thousands(N)
    );
    println!(
        "\n| zones | tiles | build index | index seq. ns/point | index seq. ns/point, grouped | \
         index rayon ns/point | bbox scan ns/point ({} pts) | brute force ns/point ({} pts) | \
         index seq. vs {} zones | bbox scan vs {} zones | brute force vs {} zones |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        thousands(N_SCAN),
        thousands(N_BRUTE),
        qpv.len(),
        qpv.len(),
        qpv.len()
    );
    let mut baseline: Option<(f64, f64, f64)> = None;
    for zones_wanted in [qpv.len(), qpv.len() * 10, NATIONAL_QPV] {
        let tiles = zones_wanted.div_ceil(qpv.len());
        let offsets = tile_offsets(tiles, city);
        let scaled = replicate_qpv(qpv, &offsets, zones_wanted);
        let zones: Vec<&MultiPolygon<f64>> = scaled.iter().map(|q| &q.geometry).collect();
        let pts = random_points(N, city, &offsets, SEED + 1);
        let grouped = grouped_points(N, city, &offsets, SEED + 2);
        let (build, index) = bench(21, || ZoneIndex::new(zones.clone()));
        let (seq, seq_out) = bench(7, || locate_seq(&index, &pts));
        let (seq_grouped, _) = bench(7, || locate_seq(&index, &grouped));
        let (par, par_out) = bench(7, || locate_par(&index, &pts));
        assert_eq!(seq_out, par_out, "sequential and rayon results differ ({} zones)", zones.len());
        let boxes: Vec<Option<Rect<f64>>> = zones.iter().map(|z| z.bounding_rect()).collect();
        let (scan, scan_out) = bench(5, || bbox_scan(&zones, &boxes, &pts[..N_SCAN]));
        assert_eq!(
            scan_out,
            seq_out[..N_SCAN],
            "zone index and bounding-box scan differ ({} zones)",
            zones.len()
        );
        let few = &pts[..N_BRUTE];
        let (brute, brute_out) = bench(5, || brute_force(&zones, few));
        assert_eq!(
            brute_out,
            seq_out[..N_BRUTE],
            "zone index and brute force differ ({} zones)",
            zones.len()
        );
        let (tree_ns, scan_ns, brute_ns) = (ns_per(N, &seq), ns_per(N_SCAN, &scan), ns_per(N_BRUTE, &brute));
        let (tree_base, scan_base, brute_base) = *baseline.get_or_insert((tree_ns, scan_ns, brute_ns));
        println!(
            "| {} | {tiles} | {} | {tree_ns:.0} | {:.0} | {:.0} | {scan_ns:.0} | {brute_ns:.0} | ×{:.2} | ×{:.1} | ×{:.1} |",
            thousands(zones.len()),
            ms(build.median),
            ns_per(N, &seq_grouped),
            ns_per(N, &par),
            tree_ns / tree_base,
            scan_ns / scan_base,
            brute_ns / brute_base
        );
    }
}

/// Runs `weights` in a one-thread pool and in the default pool; checks both agree.
fn areal_case(
    label: &str,
    iris: &[Iris],
    qpv: &[Qpv],
    reps: usize,
) -> Result<(Vec<Weight>, Summary, Summary), Box<dyn Error>> {
    // Pairs whose bounding boxes meet: the polygon intersections `weights` computes.
    let index = ZoneIndex::new(qpv.iter().map(|q| &q.geometry).collect());
    let pairs: usize = iris
        .iter()
        .filter_map(|i| i.geometry.bounding_rect())
        .map(|b| index.candidates([b.min().x, b.min().y], [b.max().x, b.max().y]).len())
        .sum();
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let (single, single_out) = one.install(|| bench(reps, || weights(iris, qpv)));
    let (multi, multi_out) = bench(reps, || weights(iris, qpv));
    assert_eq!(single_out, multi_out, "{label}: one-thread and default-pool weights differ");
    for i in 0..iris.len() {
        let s: f64 = multi_out.iter().filter(|w| w.iris == i).map(|w| w.weight).sum();
        assert!((s - 1.0).abs() < 1e-9, "{label}: IRIS {i}: weights sum to {s}");
    }
    for (pool, s) in [
        ("1 thread".to_string(), &single),
        (format!("default ({} threads)", rayon::current_num_threads()), &multi),
    ] {
        println!(
            "| {label} | {} | {} | {pool} | {} | {} | {:.0} | {:.2}× |",
            thousands(iris.len()),
            thousands(qpv.len()),
            ms(s.median),
            ms(s.min),
            per_second(iris.len(), s),
            ratio(&single, s)
        );
    }
    println!(
        "|  | ({} IRIS × QPV polygon intersections, {} weights) |  |  |  |  |  |  |",
        thousands(pairs),
        thousands(multi_out.len())
    );
    // The former engine: geo's BooleanOps (grid-snapped) on the same pairs, for its cost and its error
    // against the exact float64 areas `weights` now uses (`spatial::clip`).
    let snapped = || -> Vec<(usize, usize, f64)> {
        iris.par_iter()
            .enumerate()
            .flat_map_iter(|(i, z)| {
                let b = z.geometry.bounding_rect();
                let cands = b.map(|b| index.candidates([b.min().x, b.min().y], [b.max().x, b.max().y]));
                cands.unwrap_or_default().into_iter().map(move |q| {
                    (i, q, z.geometry.intersection(&qpv[q].geometry).unsigned_area() / z.area_m2)
                })
            })
            .collect()
    };
    let (old, old_out) = bench(reps, snapped);
    let max_error = old_out
        .iter()
        .filter(|(_, _, w)| *w > 0.0)
        .map(|(i, q, w)| {
            let exact =
                multi_out.iter().find(|x| x.iris == *i && x.qpv == Some(*q)).map_or(0.0, |x| x.weight);
            (w - exact).abs() / exact.max(f64::MIN_POSITIVE)
        })
        .fold(0.0, f64::max);
    println!(
        "|  | (BooleanOps overlay, the former engine: median {}, {:.2}× the exact overlay's time; largest relative \
         difference of a weight: {max_error:.1e}) |  |  |  |  |  |  |",
        ms(old.median),
        multi.median.as_secs_f64() / old.median.as_secs_f64().max(1e-12)
    );
    Ok((multi_out, single, multi))
}

fn inside_weight(w: &[Weight], n_iris: usize) -> Vec<f64> {
    let mut v = vec![0.0; n_iris];
    for x in w.iter().filter(|x| x.qpv.is_some()) {
        v[x.iris] += x.weight;
    }
    v
}

fn areal(iris: &[Iris], qpv: &[Qpv], city: Rect<f64>) -> Result<(), Box<dyn Error>> {
    println!("\n## Areal weights IRIS → QPV (`join::areal::weights`)");
    println!(
        "\n| case | IRIS | QPV | rayon pool | median | min | IRIS/s | speed-up vs 1 thread |\n\
         |---|---:|---:|---|---:|---:|---:|---:|"
    );
    let (demo, _, _) = areal_case("demo", iris, qpv, 51)?;
    let tiles = SCALED_IRIS.div_ceil(iris.len());
    let offsets = tile_offsets(tiles, city);
    let big_iris = replicate_iris(iris, &offsets, SCALED_IRIS);
    let big_qpv = replicate_qpv(qpv, &offsets, tiles * qpv.len());
    let (big, _, _) = areal_case("scaled grid", &big_iris, &big_qpv, 21)?;
    // Replication check: each copy of an IRIS has (almost) the weight in QPV of the original.
    let demo_inside = inside_weight(&demo, iris.len());
    for (i, got) in inside_weight(&big, big_iris.len()).into_iter().enumerate() {
        let want = demo_inside[i % iris.len()];
        assert!((got - want).abs() < 1e-6, "scaled IRIS {i}: weight in QPV {got}, demo copy {want}");
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let t0 = Instant::now();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reproj = Reprojector::new();
    let (qpv, _) = read_qpv(&root.join(QPV_FILE), &reproj)?;
    let (iris, _) = read_iris(&root.join(IRIS_FILE), &reproj)?;
    let city = extent(iris.iter().map(|i| &i.geometry)).ok_or("the demo IRIS have no extent")?;
    println!(
        "# bench join — demo city: {} QPV, {} IRIS, extent {:.1} × {:.1} km (Lambert-93); \
         rayon default pool: {} threads; load average {}",
        qpv.len(),
        iris.len(),
        city.width() / 1e3,
        city.height() / 1e3,
        rayon::current_num_threads(),
        load_average()
    );
    point_in_polygon(&qpv, city);
    scaled_point_in_polygon(&qpv, city);
    areal(&iris, &qpv, city)?;
    println!(
        "\npeak RSS (VmHWM): {}; bench wall time {:.1} s; load average {}",
        peak_rss().unwrap_or_else(|| "unavailable".into()),
        t0.elapsed().as_secs_f64(),
        load_average()
    );
    Ok(())
}
