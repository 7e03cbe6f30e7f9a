//! `fracture ifn`: the index of any table of territories, from a CSV to a CSV.

use super::io::{output_csv, read_input, read_thresholds, write_atomic};
use super::method::{Transform, Variable, compute, thresholds_from_rows};
use crate::cli::IfnArgs;

/// Reads `--input` (and `--thresholds`), scores every row, writes `--out` atomically. Bad input is an
/// [`IngestError`](crate::ingest::error::IngestError) (exit code 3); nothing is written then.
pub fn run(args: &IfnArgs) -> anyhow::Result<()> {
    let input = read_input(&args.input, &args.id)?;
    let (thresholds, origin) = match &args.thresholds {
        Some(p) => (read_thresholds(p, &args.id, &input.with_values())?, format!("from {}", p.display())),
        None => {
            let t = thresholds_from_rows(&input.rows);
            for v in input.with_values() {
                let usable = t.get(v).is_some_and(|x| match v.transform() {
                    Transform::Value => x > 0.0,
                    Transform::NonCoverage => x < 1.0,
                });
                if !usable {
                    eprintln!(
                        "warning: ifn: `{}`: the mean of the rows ({}) cannot serve as a threshold; the \
                         variable is left out of every score",
                        v.name(),
                        t.get(v).map_or("no value".to_string(), |x| x.to_string())
                    );
                }
            }
            (t, "computed from the rows (means)".to_string())
        }
    };
    let scores = compute(&input.rows, &thresholds);
    write_atomic(&args.out, &output_csv(&args.id, &input.ids, &scores))?;
    let scored = scores.iter().filter(|s| s.score.is_some()).count();
    eprintln!(
        "ifn: {} rows ({scored} scored), variables with values: {}; thresholds {origin}; wrote {}",
        input.ids.len(),
        input.with_values().iter().map(|v| Variable::name(*v)).collect::<Vec<_>>().join(", "),
        args.out.display()
    );
    Ok(())
}
