//! The attendance CSV: one row per activity, FORMATS.md §6 columns in that order.

use std::fmt::Write;

use super::generate::Attendance;
use crate::demo::places::Place;
use crate::demo::write::csv_field;

/// The attendance CSV (FORMATS.md §6 columns, in that order).
pub fn attendance_csv(att: &Attendance, places: &[Place]) -> String {
    let mut out = String::from(
        "id,date,type,programme,structure_id,cohorte,seance,duree,participant,tranche_age,residence_iris,\
         residence_lat,residence_lon,materiel,thematiques\n",
    );
    for (i, a) in att.activities.iter().enumerate() {
        let p = &att.participants[a.participant];
        let (lat, lon) = match p.residence.coords {
            Some((lat, lon)) => (format!("{lat:.4}"), format!("{lon:.4}")),
            None => (String::new(), String::new()),
        };
        let fields = [
            format!("DEMO-{:06}", i + 1),
            a.date.format("%Y-%m-%d").to_string(),
            a.kind.to_string(),
            a.programme.code().to_string(),
            places[a.place].id.clone(),
            a.cohort.clone(),
            a.seance.map(|s| s.to_string()).unwrap_or_default(),
            a.minutes.to_string(),
            p.reference.clone(),
            p.age.to_string(),
            p.residence.iris.clone().unwrap_or_default(),
            lat,
            lon,
            a.materiel.to_string(),
            a.themes.to_string(),
        ];
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        // Writing to a String cannot fail.
        let _ = writeln!(out, "{}", row.join(","));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::demo::attendance::generate::tests::world;

    #[test]
    fn csv_rows_are_complete() {
        let w = world();
        let text = attendance_csv(&w.att, &w.places);
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        assert_eq!(header.split(',').count(), 15);
        let mut kinds = BTreeSet::new();
        for l in lines {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 15, "{l}");
            kinds.insert(f[2].to_string());
            assert!(!f[11].is_empty() || f[10].len() == 9, "{l}");
            if f[2] == "parcours_initiation" {
                assert!(!f[5].is_empty() && !f[6].is_empty());
            } else {
                assert!(f[5].is_empty() && f[6].is_empty());
            }
            if f[2] == "don_materiel" {
                assert_eq!(f[7], "0");
                assert!(!f[13].is_empty());
            }
        }
        assert_eq!(kinds.len(), 5, "{kinds:?}");
    }
}
