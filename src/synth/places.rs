//! Digital-mediation places, in the national standard "lieux de médiation numérique" v1.0.2.
//!
//! Inputs: the [`Territory`] and the places RNG stream. Outputs: the places (Lambert-93, used by the
//! attendance generator) and the CSV text: the header of the official valid example (the same as the
//! demo's), every value quoted, multi-values separated by `|`, WGS84 `latitude`/`longitude` with 5
//! decimals.
//!
//! Invariants: every city has at least one place outside its QPV; about 60 % of the QPV have an Emmaüs
//! Connect place inside them (which runs the 12-hour courses); ids and pivots are unique.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::SynthError;
use super::shapes::sample_in;
use super::territory::{IrisType, Territory};
use crate::crs::{Crs, Reprojector};

/// The header line of `mednum_standard_lieux_mediation_v1.0.2_exemple-valide.csv`.
pub const HEADER: &str = "\"id\",\"pivot\",\"nom\",\"commune\",\"code_postal\",\"code_insee\",\"adresse\",\
\"complement_adresse\",\"latitude\",\"longitude\",\"typologie\",\"telephone\",\"courriels\",\"site_web\",\
\"horaires\",\"presentation_resume\",\"presentation_detail\",\"source\",\"itinerance\",\"structure_parente\",\
\"date_maj\",\"services\",\"publics_specifiquement_adresses\",\"prise_en_charge_specifique\",\
\"frais_a_charge\",\"dispositif_programmes_nationaux\",formations_labels,autres_formations_labels,\
modalites_acces,modalites_accompagnement,\"fiche_acces_libre\",\"prise_rdv\"";

/// One place.
#[derive(Debug, Clone)]
pub struct Place {
    pub id: String,
    pub city: usize,
    pub commune: usize,
    /// Lambert-93.
    pub x: f64,
    pub y: f64,
    /// The QPV it stands in, if any.
    pub qpv: Option<usize>,
    /// Runs Emmaüs Connect courses (the places inside a QPV).
    pub courses: bool,
}

/// Draws the places of every city: in some QPV, and a few outside.
pub fn build(t: &Territory, rng: &mut ChaCha8Rng) -> Result<Vec<Place>, SynthError> {
    let mut out = Vec::new();
    let broken = |what: String| SynthError::Invariant(what);
    for (c, city) in t.cities.iter().enumerate() {
        for (k, q) in t.qpv.iter().enumerate().filter(|(_, q)| q.city == c) {
            if rng.random_bool(0.6) {
                let (x, y) =
                    q.parts[0].sample(rng).ok_or_else(|| broken(format!("no place found in {}", q.code)))?;
                let iris =
                    t.iris_at(c, x, y).ok_or_else(|| broken(format!("a place of {} in no IRIS", q.code)))?;
                out.push(Place {
                    id: String::new(),
                    city: c,
                    commune: t.iris[iris].commune,
                    x,
                    y,
                    qpv: Some(k),
                    courses: true,
                });
            }
        }
        let habitat: Vec<usize> = (city.first_iris..city.first_iris + city.cells)
            .filter(|&i| t.iris[i].typ == IrisType::Habitat && t.overlaps[i].is_empty())
            .collect();
        let outside = 1 + city.cells / 60;
        for _ in 0..outside {
            let Some(&i) = habitat.get(rng.random_range(0..habitat.len().max(1))) else { break };
            let iris = &t.iris[i];
            let (x, y) = sample_in(&iris.polygon, &iris.bbox, rng, |_, _| true)
                .ok_or_else(|| broken(format!("no place found in {}", iris.code)))?;
            out.push(Place {
                id: String::new(),
                city: c,
                commune: iris.commune,
                x,
                y,
                qpv: None,
                courses: false,
            });
        }
    }
    for (n, p) in out.iter_mut().enumerate() {
        p.id = format!("synth-lieu-{:06}", n + 1);
    }
    Ok(out)
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The places file.
pub fn places_csv(t: &Territory, places: &[Place], proj: &Reprojector) -> Result<String, SynthError> {
    let mut out = String::from(HEADER);
    out.push('\n');
    for (n, p) in places.iter().enumerate() {
        let (lon, lat) = proj.convert(Crs::Lambert93, Crs::Wgs84, p.x, p.y)?;
        let commune = &t.communes[p.commune];
        let (nom, typologie, dispositifs, services) = if p.courses {
            (
                format!("Espace Emmaüs Connect synthétique {:06}", n + 1),
                "ASSO",
                "Emmaüs Connect|Conseillers numériques",
                "Maîtrise des outils numériques du quotidien|Acquisition de matériel informatique à prix solidaire",
            )
        } else if n % 2 == 0 {
            (
                format!("France Services synthétique {:06}", n + 1),
                "MUNI",
                "France Services|Conseillers numériques",
                "Aide aux démarches administratives|Accès internet et matériel informatique",
            )
        } else {
            (
                format!("Médiathèque synthétique {:06}", n + 1),
                "BIB",
                "Conseillers numériques",
                "Maîtrise des outils numériques du quotidien|Accès internet et matériel informatique",
            )
        };
        let values: [String; 32] = [
            p.id.clone(),
            format!("999{:011}", n + 1),
            nom,
            commune.name.clone(),
            format!("{}{:03}", commune.dep, 100 + p.commune % 900),
            commune.code.clone(),
            format!("{} rue de la Synthèse", n % 90 + 1),
            String::new(),
            format!("{lat:.5}"),
            format!("{lon:.5}"),
            typologie.into(),
            format!("+331990{:05}", n % 100_000),
            format!("lieu{:06}@synth.example", n + 1),
            format!("https://synth.example/lieux/{}", p.id),
            "Mo-Fr 09:00-12:30,13:30-17:30".into(),
            "Lieu synthétique généré par fracture synth : il n'existe pas.".into(),
            String::new(),
            "fracture synth (données synthétiques)".into(),
            "Fixe".into(),
            String::new(),
            "2026-06-15".into(),
            services.into(),
            String::new(),
            String::new(),
            "Gratuit".into(),
            dispositifs.into(),
            String::new(),
            String::new(),
            "Se présenter|Téléphoner".into(),
            "Accompagnement individuel|Dans un atelier collectif".into(),
            String::new(),
            String::new(),
        ];
        let row: Vec<String> = values.iter().map(|v| quoted(v)).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;
    use crate::synth::scale::Scale;
    use crate::synth::{rng, stream};

    #[test]
    fn places_stand_where_they_say() {
        let t = Territory::build(&Scale::City.params(), &mut rng(stream::TERRITORY)).unwrap();
        let places = build(&t, &mut rng(stream::PLACES)).unwrap();
        assert!(places.iter().any(|p| p.qpv.is_none()));
        for p in &places {
            let inside = t.qpv.iter().position(|q| q.contains(p.x, p.y));
            assert_eq!(inside, p.qpv, "{}", p.id);
        }
        let text = places_csv(&t, &places, &Reprojector::new()).unwrap();
        assert_eq!(text.lines().count(), places.len() + 1);
        assert!(text.lines().skip(1).all(|l| l.matches("\",\"").count() == 31));
    }
}
