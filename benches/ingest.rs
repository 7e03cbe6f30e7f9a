//! Benchmark of the ARCEP ingest alone (`cargo bench --bench ingest [-- DATASET_DIR]`): buildings and
//! eligibility streamed, validated, matched by id hash. Default input: a generated file of 1,000,000
//! buildings (2 eligibility rows each) as plain CSV and as multi-member gzip; or the ARCEP files of a
//! `fracture synth` dataset given as `…/dataset` (e.g. `/work/synth-out/region/dataset`).
//! Prints the time of each read, rows per second and the peak RSS (`VmHWM`) at the end.

#[allow(dead_code, reason = "the helpers are shared by every bench; this one times single reads")]
mod common;

use std::error::Error;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use common::{load_average, ms, peak_rss};
use fracture::crs::Reprojector;
use fracture::ingest::arcep::{Ids, read_arcep_hashed};
use fracture::ingest::read::ReadOptions;

const BUILDINGS: usize = 1_000_000;

fn generate(dir: &Path) -> Result<[(PathBuf, PathBuf); 2], Box<dyn Error>> {
    let (mut b, mut e) = (String::new(), String::new());
    b.push_str(
        "imb_id,imb_longitude,imb_latitude,imb_code,imb_code_insee,imb_nbr_logloc,imb_type,addr_code\n",
    );
    e.push_str("imb_id,addr_code,imb_code,code_techno,classe_debit_descendant,classe_debit_montant,limitation,saturation\n");
    for i in 0..BUILDINGS {
        let c = 99001 + i % 200;
        let (x, y) = (228_000.0 + (i % 5000) as f64 * 1.37, 5_420_000.0 + (i / 5000) as f64 * 3.11);
        b.push_str(&format!(
            "IMB/{c}/S/{i:08},{x:.2},{y:.2},{c}-{i:08},{c},{},pav,{c}_1000_{i:05}\n",
            1 + i % 7
        ));
        e.push_str(&format!("IMB/{c}/S/{i:08},{c}_1000_{i:05},{c}-{i:08},FO,THD1G,THD100,0,0\n"));
        e.push_str(&format!("IMB/{c}/S/{i:08},{c}_1000_{i:05},{c}-{i:08},CU,BHD8,HD05,0,0\n"));
    }
    let plain = (dir.join("immeubles.csv"), dir.join("eligibilite.csv"));
    std::fs::write(&plain.0, &b)?;
    std::fs::write(&plain.1, &e)?;
    let gz = (dir.join("immeubles.csv.gz"), dir.join("eligibilite.csv.gz"));
    for (text, path) in [(&b, &gz.0), (&e, &gz.1)] {
        let mut out = Vec::new();
        for part in text.as_bytes().chunks(8 << 20) {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(part)?;
            out.extend(enc.finish()?);
        }
        std::fs::write(path, out)?;
    }
    Ok([plain, gz])
}

fn main() -> Result<(), Box<dyn Error>> {
    let arg = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let tmp = tempfile::tempdir()?;
    let inputs: Vec<(PathBuf, PathBuf)> = match arg {
        Some(d) => {
            let dir = Path::new(&d).join("arcep");
            let vintage = std::fs::read_dir(&dir)?.next().ok_or("no vintage folder")??.path();
            let mut files: Vec<PathBuf> =
                std::fs::read_dir(&vintage)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
            files.sort();
            let find = |p: &str| {
                files
                    .iter()
                    .find(|f| f.file_name().is_some_and(|n| n.to_string_lossy().starts_with(p)))
                    .cloned()
            };
            vec![(
                find("immeubles").ok_or("no immeubles file")?,
                find("eligibilite").ok_or("no eligibilite file")?,
            )]
        }
        None => generate(tmp.path())?.to_vec(),
    };
    println!("load average: {}", load_average());
    let r = Reprojector::new();
    let opts = ReadOptions::default();
    for (b, e) in &inputs {
        let t = Instant::now();
        let (tables, hashes) = read_arcep_hashed((b, &opts), (e, &opts), &r, Ids::Kept)?;
        let d = t.elapsed();
        let n = tables.buildings.height();
        println!(
            "{}: {n} buildings, {} eligible; {} bytes read; {} ({:.1} M buildings/s)",
            b.display(),
            tables.eligibility.height(),
            hashes[0].1 + hashes[1].1,
            ms(d),
            n as f64 / d.as_secs_f64() / 1e6
        );
    }
    if let Some(p) = peak_rss() {
        println!("peak RSS: {p}");
    }
    Ok(())
}
