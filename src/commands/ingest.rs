//! `fracture ingest`: the ingest stage on its own, for a user checking their files.
//!
//! Input: the dataset's files, read by [`crate::ingest::ingest_with_summary`]. Output: a one-page summary
//! per file (accepted, corrected, set aside with their reasons, outside the territory, rejected), through
//! the locale; when every file is accepted, the normalised tables (`ingest::write_interim`) and the
//! rejects file `<interim>/rejects.csv`, both written atomically. When a file is rejected nothing is
//! written (the summary and the problems are printed, exit code 3).
//!
//! The rejects file lists every row or feature set aside or corrected, one per line:
//! `file,location,field,reason,value` (file as configured, location `line N` or `feature N (code)`, reason
//! a stable code of [`Reason::code`]). It never holds a personal field: for attendance records, only the
//! line and the date that set them aside (no participant reference, residence, age band or record id).
//! Rows merely outside the territory are counted in the summary, never listed (a national file has
//! millions).

use std::path::{Path, PathBuf};

use crate::context::Context;
use crate::ingest::{FileSummary, Reason, Summary, Unit};
use crate::io::IoError;
use crate::locale::{Arg, Locale};

/// The rejects file's name in the interim folder.
pub const REJECTS_FILE: &str = "rejects.csv";

/// The rejects file's columns.
pub const REJECTS_COLUMNS: [&str; 5] = ["file", "location", "field", "reason", "value"];

/// The one-page summary: a title line, then a block per file.
pub fn describe(ctx: &Context, summary: &Summary, locale: &Locale) -> String {
    let synthetic = if ctx.dataset.synthetic { locale.text("ingest.synthetic") } else { "" };
    let mut out = vec![locale.format(
        "ingest.title",
        &[
            ("dataset", Arg::Text(ctx.dataset.id.clone())),
            ("synthetic", Arg::Text(synthetic.to_string())),
            ("n", Arg::Count(summary.files.len() as u64)),
        ],
    )];
    for f in &summary.files {
        out.extend(describe_file(f, locale));
    }
    out.join("\n")
}

fn describe_file(f: &FileSummary, locale: &Locale) -> Vec<String> {
    let count = |key: &str, n: usize| locale.format(key, &[("n", Arg::Count(n as u64))]);
    let mut lines = vec![format!("- [files] {} = {}", f.role.key(), f.path.display())];
    let mut say = |s: String| lines.push(format!("    {s}"));
    let Some(accepted) = f.accepted else {
        if f.rejected > 0 {
            say(count("ingest.rejected", f.rejected));
        } else {
            say(locale.text("ingest.not_read").to_string());
        }
        return lines;
    };
    let unit = match f.unit {
        Unit::Rows => "ingest.accepted.rows",
        Unit::Features => "ingest.accepted.features",
        Unit::BuildingsListed => "ingest.accepted.buildings_listed",
    };
    say(count(unit, accepted));
    for (kept, key) in [(true, "ingest.corrected"), (false, "ingest.set_aside")] {
        let reasons: Vec<String> = Reason::ALL
            .into_iter()
            .filter(|r| r.is_kept() == kept)
            .filter_map(|r| {
                let n = f.count(r);
                (n > 0).then(|| count(&format!("ingest.reason.{}", r.code()), n))
            })
            .collect();
        let n: usize = f.entries.iter().filter(|e| e.reason.is_kept() == kept).count();
        if n > 0 {
            say(locale.format(key, &[("n", Arg::Count(n as u64)), ("reasons", Arg::List(reasons))]));
        }
    }
    if f.outside_territory > 0 {
        let key = if f.unit == Unit::Rows {
            "ingest.outside_territory.kept"
        } else {
            "ingest.outside_territory.left_out"
        };
        say(count(key, f.outside_territory));
    }
    if f.unknown_residence > 0 {
        say(count("ingest.unknown_residence", f.unknown_residence));
    }
    if f.reoriented > 0 {
        say(count("ingest.reoriented", f.reoriented));
    }
    say(count("ingest.rejected", f.rejected));
    lines
}

/// The rejects file's bytes: the header, then every entry in the order of `[files]`, then of the file.
pub fn rejects_csv(summary: &Summary) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(REJECTS_COLUMNS)?;
    for (f, e) in summary.entries() {
        let file = f.path.to_string_lossy();
        let location = e.location.to_string();
        w.write_record([&*file, &location, &e.field, e.reason.code(), &e.value])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Writes the rejects file at `path` atomically. Returns the number of rows listed.
pub fn write_rejects(summary: &Summary, path: &Path) -> Result<usize, IoError> {
    let bytes = rejects_csv(summary).map_err(|e| IoError::new(path, std::io::Error::other(e)))?;
    crate::io::atomic::write(path, &bytes)?;
    Ok(summary.entries().count())
}

/// Where the rejects file of `ctx` goes.
pub fn rejects_path(ctx: &Context) -> PathBuf {
    ctx.paths.interim_dir.join(REJECTS_FILE)
}

/// The closing lines: what was written where.
pub fn describe_written(tables: usize, dir: &Path, rejects: &Path, rows: usize, locale: &Locale) -> String {
    let tables = locale.format(
        "ingest.tables",
        &[("n", Arg::Count(tables as u64)), ("dir", Arg::Text(dir.display().to_string()))],
    );
    let rejects = locale.format(
        "ingest.rejects_file",
        &[("n", Arg::Count(rows as u64)), ("path", Arg::Text(rejects.display().to_string()))],
    );
    format!("{tables}\n{rejects}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::FileRole;
    use crate::ingest::{Entry, Location};
    use crate::locale::Lang;

    fn summary() -> Summary {
        let mut s = Summary::default();
        let f = s.file(FileRole::Attendance, "attendance/a.csv".into(), Unit::Rows);
        f.accepted = Some(1200);
        f.entries.push(Entry::new(Location::Line(5), "date", Reason::FutureDate, "2099-01-15"));
        f.unknown_residence = 3;
        let q = s.file(FileRole::Qpv, "q.geojson".into(), Unit::Features);
        q.accepted = Some(12);
        let at = Location::Feature { index: 2, code: Some("QN06713M".into()) };
        q.entries.push(Entry::new(at, "insee_com", Reason::PartMerged, "67267"));
        s.file(FileRole::Places, "p.csv".into(), Unit::Rows).rejected = 2;
        s
    }

    #[test]
    fn the_rejects_file_lists_every_entry_with_its_file_location_field_reason_value() {
        let text = String::from_utf8(rejects_csv(&summary()).unwrap()).unwrap();
        assert_eq!(
            text,
            "file,location,field,reason,value\n\
             attendance/a.csv,line 5,date,future_date,2099-01-15\n\
             q.geojson,feature 2 (QN06713M),insee_com,part_merged,67267\n"
        );
    }

    #[test]
    fn the_summary_speaks_both_languages_and_every_key_exists() {
        let s = summary();
        let ctx = crate::indicators::fixture::context();
        for lang in [Lang::Fr, Lang::En] {
            let locale = Locale::new(lang);
            let text = describe(&ctx, &s, &locale);
            assert!(!text.contains("ingest."), "a key without a message:\n{text}");
            assert!(text.contains("[files] attendance = attendance/a.csv"), "{text}");
            assert!(text.contains("1") && text.contains("3"), "{text}");
        }
        let en = describe(&ctx, &s, &Locale::new(Lang::En));
        for needle in [
            "accepted: 1,200 row(s)",
            "set aside: 1 (1 dated after the horizon",
            "corrected (kept): 1 (1 feature(s) of QPV spanning several communes, merged per QPV)",
            "kept without a residence (counted as unknown residence): 3",
            "rejected: 2 problem(s)",
        ] {
            assert!(en.contains(needle), "{needle:?} missing:\n{en}");
        }
        let fr = describe(&ctx, &s, &Locale::new(Lang::Fr));
        for needle in [
            "acceptées : 1200 ligne(s)",
            "écartées : 1 (1 datée(s) après l'horizon",
            "rejets : 2 problème(s)",
        ] {
            assert!(fr.contains(needle), "{needle:?} missing:\n{fr}");
        }
    }
}
