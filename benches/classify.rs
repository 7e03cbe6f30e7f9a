//! Benchmarks of map classification (`cargo bench --bench classify`), `render::classify`.
//!
//! 1. Exact Fisher-Jenks (`FisherJenks`, divide-and-conquer dynamic programme, O(k·n·log n)) on
//!    1,000 to 100,000 skewed values (a mixture of log-normal-like incomes with ties from rounding
//!    to one decimal, as published), for 5 and 9 classes; the target is 50,000 values well under a
//!    second.
//! 2. The same inputs with 100,000 distinct values (no ties), which is the worst case for the
//!    programme (ties are merged into weighted points first).
//! 3. Quantiles and equal intervals on the same values, for scale (both are a sort and a pass).
//!
//! Correctness is checked, never timing: the Jenks classes of 2,000 values are compared with the
//! plain O(k·n²) programme's optimum, and every value must fall in one class.

mod common;

use std::error::Error;
use std::hint::black_box;
use std::time::Instant;

use common::{Summary, load_average, ms, peak_rss};
use fracture::render::classify::{Classify, EqualIntervals, FisherJenks, Method, Quantiles};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SEED: u64 = 1958;

/// Runs `f` once to warm up, then `reps` times.
fn bench<T>(reps: usize, mut f: impl FnMut() -> T) -> (Summary, T) {
    let mut out = black_box(f());
    let mut samples = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t = Instant::now();
        out = black_box(f());
        samples.push(t.elapsed());
    }
    (Summary::of(&samples), out)
}

/// `n` skewed values: three groups of log-normal-like values, rounded to `decimals` (ties).
fn values(n: usize, decimals: Option<i32>, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let centre = [9.2, 9.6, 10.1][rng.random_range(0..3)];
            // A sum of uniforms is close enough to a normal for a benchmark.
            let z: f64 = (0..6).map(|_| rng.random::<f64>()).sum::<f64>() - 3.0;
            let v = (centre + 0.25 * z).exp();
            match decimals {
                Some(d) => (v * 10f64.powi(d)).round() / 10f64.powi(d),
                None => v,
            }
        })
        .collect()
}

/// Sum of squared deviations from the class means.
fn sse(values: &[f64], class: impl Fn(f64) -> usize, k: usize) -> f64 {
    let mut sums = vec![(0.0, 0.0, 0usize); k];
    for &v in values {
        let s = &mut sums[class(v)];
        s.0 += v;
        s.1 += v * v;
        s.2 += 1;
    }
    sums.iter().filter(|s| s.2 > 0).map(|(s, s2, n)| s2 - s * s / *n as f64).sum()
}

/// The optimum of the plain O(k·n²) programme over the sorted values (no tie in them).
fn quadratic_optimum(values: &[f64], k: usize) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let (mut p1, mut p2) = (vec![0.0; n + 1], vec![0.0; n + 1]);
    for i in 0..n {
        p1[i + 1] = p1[i] + sorted[i];
        p2[i + 1] = p2[i] + sorted[i] * sorted[i];
    }
    let cost = |a: usize, b: usize| {
        let (s, s2, w) = (p1[b] - p1[a], p2[b] - p2[a], (b - a) as f64);
        s2 - s * s / w
    };
    let mut d: Vec<f64> = (0..=n).map(|i| if i == 0 { 0.0 } else { cost(0, i) }).collect();
    for j in 2..=k {
        let mut next = vec![f64::INFINITY; n + 1];
        for (i, slot) in next.iter_mut().enumerate().skip(j) {
            *slot = (j - 1..i).map(|t| d[t] + cost(t, i)).fold(f64::INFINITY, f64::min);
        }
        d = next;
    }
    d[n]
}

fn check_optimal() -> Result<(), Box<dyn Error>> {
    let v = values(2_000, None, SEED + 1);
    for k in [3, 5, 7] {
        let b = FisherJenks.breaks(&v, k, 0);
        let got = sse(&v, |x| b.class_of(x), b.len());
        let best = quadratic_optimum(&v, k);
        if got > best * (1.0 + 1e-9) + 1e-6 {
            return Err(format!("Jenks k={k}: SSE {got} above the optimum {best}").into());
        }
        println!("  check: 2,000 values, k = {k}: SSE {got:.6e} = optimum {best:.6e}");
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let t0 = Instant::now();
    println!("# bench classify — load average {}", load_average());
    check_optimal()?;

    println!("\n## Fisher-Jenks (exact), values rounded to one decimal (ties), median of runs");
    println!("| values | distinct | k = 5 | k = 9 | quantiles k = 5 | equal intervals k = 5 |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for n in [1_000, 10_000, 50_000, 100_000] {
        let v = values(n, Some(1), SEED);
        let mut d = v.clone();
        d.sort_by(f64::total_cmp);
        d.dedup();
        let reps = if n >= 50_000 { 5 } else { 11 };
        let (j5, b5) = bench(reps, || FisherJenks.breaks(&v, 5, 0));
        let (j9, _) = bench(reps, || FisherJenks.breaks(&v, 9, 0));
        let (q5, _) = bench(reps, || Quantiles.breaks(&v, 5, 0));
        let (e5, _) = bench(reps, || EqualIntervals.breaks(&v, 5, 0));
        let c = Method::Jenks.classify(&v, 5, 0);
        if c.counts.iter().sum::<usize>() != n || b5.len() != 5 {
            return Err(format!("{n} values: {:?}", c.counts).into());
        }
        println!(
            "| {n} | {} | {} | {} | {} | {} |",
            d.len(),
            ms(j5.median),
            ms(j9.median),
            ms(q5.median),
            ms(e5.median)
        );
    }

    println!("\n## Fisher-Jenks (exact), distinct values (no tie: the worst case)");
    println!("| values | k = 5 (median) | k = 5 (min) | k = 9 (median) |");
    println!("|---:|---:|---:|---:|");
    for n in [10_000, 50_000, 100_000] {
        let v = values(n, None, SEED + 2);
        let (j5, _) = bench(5, || FisherJenks.breaks(&v, 5, 0));
        let (j9, _) = bench(5, || FisherJenks.breaks(&v, 9, 0));
        println!("| {n} | {} | {} | {} |", ms(j5.median), ms(j5.min), ms(j9.median));
    }
    println!(
        "\npeak RSS (VmHWM): {}; bench wall time {:.1} s; load average {}",
        peak_rss().unwrap_or_else(|| "unavailable".into()),
        t0.elapsed().as_secs_f64(),
        load_average()
    );
    Ok(())
}
