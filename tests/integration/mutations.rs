//! Generated bad inputs: property-based mutations of the demo's files, with a fixed seed, each run through
//! `fracture ingest` in process (`pipeline::run`, the binary's own entry point, without a process start).
//!
//! One case = a copy of the demo dataset with one file mutated: truncated at a random offset, bytes
//! flipped, garbage (NUL bytes included) inserted, a line duplicated or deleted; for CSV, two cells of a
//! row swapped, a cell deleted, a header name damaged; for GeoJSON, a bracket or brace deleted or added, a
//! member name damaged, a value replaced by one of another JSON type. The properties, for every case:
//! - never a panic (on any thread: rayon's panics reach the caller);
//! - either success, or an error naming the mutated file with the exit code of an input rejected (3);
//! - when it fails, no output at all (no interim folder); when it succeeds, the interim tables and the
//!   rejects file, and no temporary file left.
//!
//! [`CASES`] cases run, on as many threads as there are cores (at most 4); every failure is listed at the
//! end, with the case's seed so it can be replayed alone (`MUTATION_CASE=<n>`).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Parser;
use fracture::cli::Cli;
use fracture::pipeline::{ExitCode, error_chain, exit_code};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::support::{demo_copy, workdir};

/// Fixed: the same cases on every run.
const SEED: u64 = 0x00F4_AC70_2E10;
/// How many cases run.
const CASES: usize = 180;

/// The demo files mutated, relative to the dataset folder.
const FILES: [&str; 9] = [
    "qpv/QP2024_Demoville_WGS84.geojson",
    "iris/CONTOURS-IRIS_Demoville_WGS84.geojson",
    "insee/base-ic-evol-struct-pop-2021.csv",
    "insee/base-ic-diplomes-formation-2021.csv",
    "insee/BASE_TD_FILO_IRIS_2021_DISP.csv",
    "arcep/2026_T3/immeubles_dep999.csv",
    "arcep/2026_T3/eligibilite_dep999.csv",
    "places/lieux-mediation-numerique_Demoville.csv",
    "attendance/attendance_Demoville.csv",
];

/// A file that the mutated one refers to or is referred by: an error found there also names the cause
/// (eligibility rows are matched to the buildings file's ids).
fn related(file: &str) -> Option<&'static str> {
    match file {
        "arcep/2026_T3/immeubles_dep999.csv" => Some("eligibilite_dep999.csv"),
        _ => None,
    }
}

fn line_starts(b: &[u8]) -> Vec<usize> {
    std::iter::once(0).chain(b.iter().enumerate().filter(|(_, c)| **c == b'\n').map(|(i, _)| i + 1)).collect()
}

/// The line `k` (without its newline) and its byte range.
fn line(b: &[u8], k: usize) -> (usize, usize) {
    let starts = line_starts(b);
    let s = starts[k.min(starts.len() - 1)];
    let e = b[s..].iter().position(|c| *c == b'\n').map_or(b.len(), |p| s + p);
    (s, e)
}

/// Splits a CSV line into cells at `sep` outside quotes (cells keep their quotes).
fn cells(l: &[u8], sep: u8) -> Vec<Vec<u8>> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), Vec::new(), false);
    for &c in l {
        if c == b'"' {
            quoted = !quoted;
        }
        if c == sep && !quoted {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out
}

fn replace_line(b: &mut Vec<u8>, k: usize, new: &[u8]) {
    let (s, e) = line(b, k);
    b.splice(s..e, new.iter().copied());
}

/// Mutates `bytes` (the file `name`) with one mutation drawn from `rng`; returns what it did.
fn mutate(rng: &mut ChaCha8Rng, name: &str, bytes: &mut Vec<u8>) -> String {
    let json = name.ends_with(".geojson");
    let n = bytes.len().max(1);
    let lines = line_starts(bytes).len();
    let kind = rng.random_range(0..if json { 9 } else { 10 });
    match kind {
        0 => {
            let at = rng.random_range(0..n);
            bytes.truncate(at);
            format!("truncated at byte {at}")
        }
        1 => {
            let k = rng.random_range(1..=8);
            let mut at = Vec::new();
            for _ in 0..k {
                let i = rng.random_range(0..n.min(bytes.len()).max(1));
                if let Some(b) = bytes.get_mut(i) {
                    *b ^= 1 << rng.random_range(0..8);
                    at.push(i);
                }
            }
            format!("{k} bit(s) flipped at {at:?}")
        }
        2 => {
            let at = rng.random_range(0..=bytes.len());
            let len = rng.random_range(1..16);
            let garbage: Vec<u8> =
                (0..len).map(|_| if rng.random_bool(0.3) { 0 } else { rng.random() }).collect();
            bytes.splice(at..at, garbage);
            format!("{len} garbage byte(s) inserted at {at}")
        }
        3 => {
            let k = rng.random_range(0..lines);
            let (s, e) = line(bytes, k);
            let copy = bytes[s..e].to_vec();
            bytes.splice(s..s, copy.into_iter().chain(std::iter::once(b'\n')));
            format!("line {} duplicated", k + 1)
        }
        4 => {
            let k = rng.random_range(0..lines);
            let (s, e) = line(bytes, k);
            let e = (e + 1).min(bytes.len());
            bytes.drain(s..e);
            format!("line {} deleted", k + 1)
        }
        _ if json => mutate_json(rng, bytes, kind),
        _ => mutate_csv(rng, bytes, kind, lines),
    }
}

fn mutate_json(rng: &mut ChaCha8Rng, bytes: &mut Vec<u8>, kind: u32) -> String {
    let positions = |bytes: &[u8], set: &[u8]| -> Vec<usize> {
        bytes.iter().enumerate().filter(|(_, c)| set.contains(c)).map(|(i, _)| i).collect()
    };
    match kind {
        5 => {
            let p = positions(bytes, b"[]{}");
            let i = p[rng.random_range(0..p.len())];
            let c = bytes.remove(i) as char;
            format!("{c:?} deleted at byte {i}")
        }
        6 => {
            let p = positions(bytes, b",:");
            let i = p[rng.random_range(0..p.len())];
            let c = [b'[', b'{', b']', b'}'][rng.random_range(0..4)];
            bytes.insert(i, c);
            format!("{:?} inserted at byte {i}", c as char)
        }
        7 => {
            // A member name damaged: one letter of a key changed.
            let keys =
                [&b"\"coordinates\""[..], b"\"type\"", b"\"features\"", b"\"properties\"", b"\"geometry\""];
            let key = keys[rng.random_range(0..keys.len())];
            let at: Vec<usize> =
                bytes.windows(key.len()).enumerate().filter(|(_, w)| *w == key).map(|(i, _)| i).collect();
            let Some(&i) = at.get(rng.random_range(0..at.len().max(1))) else { return "no change".into() };
            bytes[i + 2] = b'X';
            format!("member {} damaged at byte {i}", String::from_utf8_lossy(key))
        }
        _ => {
            // A value replaced by one of another type: the next value after a `:`.
            let p = positions(bytes, b":");
            let i = p[rng.random_range(0..p.len())] + 1;
            let end = bytes[i..].iter().position(|c| b",}]".contains(c)).map_or(bytes.len(), |e| i + e);
            let by: &[u8] =
                [&b"null"[..], b"42", b"\"x\"", b"[]", b"{}", b"true", b"1e999"][rng.random_range(0..7)];
            bytes.splice(i..end, by.iter().copied());
            format!("value at byte {i} replaced by {}", String::from_utf8_lossy(by))
        }
    }
}

fn mutate_csv(rng: &mut ChaCha8Rng, bytes: &mut Vec<u8>, kind: u32, lines: usize) -> String {
    let (hs, he) = line(bytes, 0);
    let header = bytes[hs..he].to_vec();
    let sep = if header.contains(&b';') { b';' } else { b',' };
    let data_line = |rng: &mut ChaCha8Rng| rng.random_range(1..lines.max(2));
    match kind {
        5 | 6 => {
            // Two cells of a data row swapped.
            let k = data_line(rng);
            let (s, e) = line(bytes, k);
            let mut c = cells(&bytes[s..e], sep);
            if c.len() < 2 {
                return "no change".into();
            }
            let (a, b) = (rng.random_range(0..c.len()), rng.random_range(0..c.len()));
            c.swap(a, b);
            replace_line(bytes, k, &c.join(&sep));
            format!("cells {} and {} of line {} swapped", a + 1, b + 1, k + 1)
        }
        7 => {
            // A cell deleted: the row is one field short.
            let k = data_line(rng);
            let (s, e) = line(bytes, k);
            let mut c = cells(&bytes[s..e], sep);
            let a = rng.random_range(0..c.len());
            c.remove(a);
            replace_line(bytes, k, &c.join(&sep));
            format!("cell {} of line {} deleted", a + 1, k + 1)
        }
        8 => {
            // A cell emptied.
            let k = data_line(rng);
            let (s, e) = line(bytes, k);
            let mut c = cells(&bytes[s..e], sep);
            let a = rng.random_range(0..c.len());
            c[a].clear();
            replace_line(bytes, k, &c.join(&sep));
            format!("cell {} of line {} emptied", a + 1, k + 1)
        }
        _ => {
            // A header name damaged.
            let mut c = cells(&header, sep);
            let a = rng.random_range(0..c.len());
            c[a].extend_from_slice(b"_x");
            replace_line(bytes, 0, &c.join(&sep));
            format!("header cell {} renamed", a + 1)
        }
    }
}

/// Runs case `i`: `Ok(accepted)` when every property holds, else why not.
fn run_case(i: usize) -> Result<bool, String> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let tmp = workdir();
    let input = demo_copy(tmp.path());
    let file = FILES[rng.random_range(0..FILES.len())];
    let path = input.join(file);
    let mut bytes = std::fs::read(&path).unwrap();
    let what = mutate(&mut rng, file, &mut bytes);
    std::fs::write(&path, &bytes).unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let args = ["fracture", "ingest", "--data-dir"].map(PathBuf::from).into_iter().chain([
        data.clone(),
        "--dataset".into(),
        input.join("dataset.toml"),
    ]);
    let cli = Cli::try_parse_from(args).map_err(|e| e.to_string())?;
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fracture::pipeline::run(cli)));
    let describe = |why: String| format!("case {i}: {file} ({what}): {why}");
    let interim = data.join("interim");
    match r {
        Err(_) => Err(describe("panicked".into())),
        Ok(Err(e)) => {
            let text = error_chain(&e);
            let name = Path::new(file).file_name().unwrap().to_string_lossy().into_owned();
            let named = text.contains(&name) || related(file).is_some_and(|r| text.contains(r));
            let mut problems = Vec::new();
            if !named {
                problems.push(format!("the error does not name {name}"));
            }
            if exit_code(&e) != ExitCode::InputRejected {
                problems.push(format!("exit code {:?}, expected 3", exit_code(&e)));
            }
            if interim.exists() {
                problems.push(format!("outputs written: {:?}", crate::support::walk(&interim)));
            }
            if problems.is_empty() {
                Ok(false)
            } else {
                Err(describe(format!("{}: {text}", problems.join("; "))))
            }
        }
        Ok(Ok(())) => {
            let written = crate::support::walk(&interim);
            let names: Vec<String> =
                written.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
            if !names.iter().any(|n| n == "rejects.csv") || names.iter().any(|n| n.starts_with('.')) {
                return Err(describe(format!("accepted, but wrote {names:?}")));
            }
            Ok(true)
        }
    }
}

#[test]
fn mutated_demo_inputs_never_panic_and_fail_naming_the_file_with_nothing_written() {
    let only: Option<usize> = std::env::var("MUTATION_CASE").ok().and_then(|v| v.parse().ok());
    let cases: Vec<usize> = match only {
        Some(i) => vec![i],
        None => (0..CASES).collect(),
    };
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let accepted = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                while let Some(&i) = cases.get(next.fetch_add(1, Ordering::SeqCst)) {
                    match run_case(i) {
                        Ok(true) => {
                            accepted.fetch_add(1, Ordering::SeqCst);
                        }
                        Ok(false) => {}
                        Err(why) => failures.lock().unwrap().push(why),
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    eprintln!(
        "mutations: {} case(s) run (seed {SEED:#x}): {} accepted, {} rejected, {} failed",
        cases.len(),
        accepted.load(Ordering::SeqCst),
        cases.len() - accepted.load(Ordering::SeqCst) - failures.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} case(s) failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
