//! Digital-mediation places of Démoville, in the national standard "lieux de médiation numérique" v1.0.2.
//!
//! Inputs: the [`City`] (to anchor places inside their QPV) and the [`Reprojector`]. Outputs: the 14
//! places (Lambert-93, with the programmes they host, used by the attendance generator) and the CSV text:
//! the exact header of the official valid example (same order, same quoting), every value quoted,
//! multi-values separated by `|`, WGS84 `latitude`/`longitude` with 5 decimals.
//!
//! Invariants: ids and pivots unique; a place anchored in a QPV lies inside it (outside its hole), the
//! others outside every QPV; no place in or near Grand-Champ (the poorly reached high-need QPV).

use crate::crs::{Crs, Reprojector};

use super::DemoError;
use super::city::{CENTRE, City};
use super::story::{CODE_POSTAL, COMMUNE, COMMUNE_NAME};
use super::write::quoted;

/// The exact header line of `mednum_standard_lieux_mediation_v1.0.2_exemple-valide.csv`.
pub const HEADER: &str = "\"id\",\"pivot\",\"nom\",\"commune\",\"code_postal\",\"code_insee\",\"adresse\",\
\"complement_adresse\",\"latitude\",\"longitude\",\"typologie\",\"telephone\",\"courriels\",\"site_web\",\
\"horaires\",\"presentation_resume\",\"presentation_detail\",\"source\",\"itinerance\",\"structure_parente\",\
\"date_maj\",\"services\",\"publics_specifiquement_adresses\",\"prise_en_charge_specifique\",\
\"frais_a_charge\",\"dispositif_programmes_nationaux\",formations_labels,autres_formations_labels,\
modalites_acces,modalites_accompagnement,\"fiche_acces_libre\",\"prise_rdv\"";

/// Where a place stands.
#[derive(Debug, Clone, Copy)]
enum At {
    /// In QPV `k` (index), at (fx, fy) × its first part's mean radius from that part's centre.
    Qpv(usize, f64, f64),
    /// Metres east/north of the city centre.
    Offset(f64, f64),
}

/// What a place offers to the attendance generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hosts {
    /// Runs Emmaüs Connect 12-hour courses (parcours d'initiation).
    pub emmaus_courses: bool,
    /// Has conseillers numériques (individual help, démarches, workshops).
    pub conseillers: bool,
    /// Is a France Services desk.
    pub france_services: bool,
}

struct Spec {
    nom: &'static str,
    at: At,
    adresse: &'static str,
    typologie: &'static str,
    dispositifs: &'static str,
    services: &'static str,
    publics: &'static str,
    horaires: &'static str,
    resume: &'static str,
    itinerance: &'static str,
    date_maj: &'static str,
    hosts: Hosts,
}

const fn hosts(emmaus_courses: bool, conseillers: bool, france_services: bool) -> Hosts {
    Hosts { emmaus_courses, conseillers, france_services }
}

const SPECS: [Spec; 14] = [
    Spec {
        nom: "Espace Emmaüs Connect Démoville",
        at: At::Qpv(0, 0.15, 0.10),
        adresse: "4 place des Tilleuls",
        typologie: "ASSO",
        dispositifs: "Emmaüs Connect|Conseillers numériques",
        services: "Maîtrise des outils numériques du quotidien|Accès internet et matériel informatique|Acquisition de matériel informatique à prix solidaire",
        publics: "Femmes|Seniors",
        horaires: "Mo-Fr 09:00-12:30,13:30-17:30",
        resume: "Parcours d'initiation au numérique en petits groupes, recharges et matériel à prix solidaire.",
        itinerance: "Fixe",
        date_maj: "2026-06-12",
        hosts: hosts(true, true, false),
    },
    Spec {
        nom: "Centre social et culturel de Bellevue",
        at: At::Qpv(6, 0.55, -0.10),
        adresse: "17 rue du Belvédère",
        typologie: "CS",
        dispositifs: "Conseillers numériques|Relais numérique (Emmaüs Connect)",
        services: "Maîtrise des outils numériques du quotidien|Aide aux démarches administratives|Parentalité et éducation avec le numérique",
        publics: "Seniors|Familles et/ou enfants",
        horaires: "Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00",
        resume: "Ateliers numériques, aide aux démarches et parcours d'initiation avec Emmaüs Connect.",
        itinerance: "Fixe",
        date_maj: "2026-05-28",
        hosts: hosts(true, true, false),
    },
    Spec {
        nom: "France Services de Démoville",
        at: At::Offset(-200.0, -500.0),
        adresse: "1 place de l'Hôtel de Ville",
        typologie: "MUNI",
        dispositifs: "France Services|Conseillers numériques|Aidants Connect",
        services: "Aide aux démarches administratives|Accès internet et matériel informatique",
        publics: "",
        horaires: "Mo-Fr 08:30-12:00,13:30-17:00",
        resume: "Un guichet pour les démarches administratives, avec un conseiller numérique.",
        itinerance: "Fixe",
        date_maj: "2026-07-01",
        hosts: hosts(false, true, true),
    },
    Spec {
        nom: "Médiathèque du Canal",
        at: At::Qpv(7, -0.20, 0.10),
        adresse: "2 quai de l'Écluse",
        typologie: "BIB",
        dispositifs: "Conseillers numériques|Bibliothèques numérique de référence",
        services: "Maîtrise des outils numériques du quotidien|Loisirs et créations numériques|Accès internet et matériel informatique",
        publics: "Jeunes|Familles et/ou enfants",
        horaires: "Tu-Sa 10:00-18:00",
        resume: "Postes en libre accès et ateliers du conseiller numérique.",
        itinerance: "Fixe",
        date_maj: "2026-04-09",
        hosts: hosts(false, true, false),
    },
    Spec {
        nom: "Maison de quartier du Val-Fleuri",
        at: At::Qpv(1, 0.0, 0.0),
        adresse: "9 allée des Roses",
        typologie: "CS",
        dispositifs: "Conseillers numériques",
        services: "Maîtrise des outils numériques du quotidien|Aide aux démarches administratives",
        publics: "",
        horaires: "Mo-Fr 14:00-18:00",
        resume: "Permanences numériques de quartier.",
        itinerance: "Fixe",
        date_maj: "2026-03-17",
        hosts: hosts(false, true, false),
    },
    Spec {
        nom: "Mairie annexe de Port-Neuf",
        at: At::Qpv(4, 0.0, 0.0),
        adresse: "21 rue du Port",
        typologie: "MUNI",
        dispositifs: "Aidants Connect|Conseillers numériques",
        services: "Aide aux démarches administratives|Utilisation sécurisée du numérique",
        publics: "",
        horaires: "Mo,We,Fr 09:00-12:00",
        resume: "Aide aux démarches en ligne et sécurité numérique.",
        itinerance: "Fixe",
        date_maj: "2026-02-03",
        hosts: hosts(false, true, false),
    },
    Spec {
        nom: "Point numérique CAF de Démoville",
        at: At::Offset(-600.0, -700.0),
        adresse: "30 avenue de la République",
        typologie: "CAF",
        dispositifs: "Point d'accès numérique CAF",
        services: "Aide aux démarches administratives|Accès internet et matériel informatique",
        publics: "Familles et/ou enfants",
        horaires: "Mo-Th 08:30-16:30",
        resume: "Poste en libre accès pour les démarches CAF.",
        itinerance: "Fixe",
        date_maj: "2025-11-20",
        hosts: hosts(false, false, false),
    },
    Spec {
        nom: "Tiers-lieu La Fabrique",
        at: At::Offset(1700.0, -600.0),
        adresse: "5 rue des Ateliers",
        typologie: "TIERS_LIEUX",
        dispositifs: "Grande école du numérique",
        services: "Insertion professionnelle via le numérique|Compréhension du monde numérique|Loisirs et créations numériques",
        publics: "Jeunes",
        horaires: "Mo-Fr 09:00-19:00",
        resume: "Fablab et formations aux métiers du numérique.",
        itinerance: "Fixe",
        date_maj: "2026-01-15",
        hosts: hosts(false, false, false),
    },
    Spec {
        nom: "CCAS de Démoville",
        at: At::Offset(-300.0, 900.0),
        adresse: "12 rue Pasteur",
        typologie: "CCAS",
        dispositifs: "Aidants Connect",
        services: "Aide aux démarches administratives",
        publics: "Seniors",
        horaires: "Mo-Fr 09:00-12:00",
        resume: "Accompagnement des démarches pour les publics suivis par le CCAS.",
        itinerance: "Fixe",
        date_maj: "2025-12-02",
        hosts: hosts(false, false, false),
    },
    Spec {
        nom: "Espace jeunes Saint-Exupéry",
        at: At::Qpv(10, 0.0, 0.0),
        adresse: "3 rue de l'Aéropostale",
        typologie: "ASSO",
        dispositifs: "Promeneurs du net|Conseillers numériques",
        services: "Maîtrise des outils numériques du quotidien|Insertion professionnelle via le numérique",
        publics: "Jeunes",
        horaires: "We 14:00-18:00; Sa 10:00-17:00",
        resume: "Accueil des jeunes et ateliers numériques.",
        itinerance: "Fixe",
        date_maj: "2026-06-30",
        hosts: hosts(false, true, false),
    },
    Spec {
        nom: "Médiathèque Jules-Verne",
        at: At::Offset(-700.0, 1300.0),
        adresse: "40 boulevard Jules-Verne",
        typologie: "BIB",
        dispositifs: "Bibliothèques numérique de référence|Certification PIX",
        services: "Loisirs et créations numériques|Compréhension du monde numérique",
        publics: "",
        horaires: "Tu-Sa 10:00-19:00",
        resume: "Médiathèque centrale, ateliers et certification PIX.",
        itinerance: "Fixe",
        date_maj: "2026-05-05",
        hosts: hosts(false, false, false),
    },
    Spec {
        nom: "Association Les Clés du Numérique",
        at: At::Offset(-3300.0, -600.0),
        adresse: "8 chemin de la Source",
        typologie: "ASSO",
        dispositifs: "Conseillers numériques",
        services: "Maîtrise des outils numériques du quotidien|Utilisation sécurisée du numérique",
        publics: "Seniors",
        horaires: "Mo-Fr 09:30-12:30",
        resume: "Accompagnement individuel au numérique.",
        itinerance: "Fixe",
        date_maj: "2026-02-26",
        hosts: hosts(false, true, false),
    },
    Spec {
        nom: "Croix-Rouge française, unité locale de Démoville",
        at: At::Offset(2000.0, 1700.0),
        adresse: "15 rue Henry-Dunant",
        typologie: "ASSO",
        dispositifs: "La Croix Rouge",
        services: "Accès internet et matériel informatique",
        publics: "",
        horaires: "Tu,Th 14:00-17:00",
        resume: "Accès à un ordinateur et aide ponctuelle.",
        itinerance: "Fixe",
        date_maj: "2025-10-08",
        hosts: hosts(false, false, false),
    },
    Spec {
        nom: "Bus numérique de Démoville",
        at: At::Offset(1800.0, -2600.0),
        adresse: "Parking du gymnase, rue des Sports",
        typologie: "MUNI",
        dispositifs: "Conseillers numériques",
        services: "Maîtrise des outils numériques du quotidien|Aide aux démarches administratives",
        publics: "Seniors",
        horaires: "Tu 09:00-12:00",
        resume: "Un bus équipé qui s'arrête chaque semaine dans les quartiers.",
        itinerance: "Itinérant",
        date_maj: "2026-08-18",
        hosts: hosts(false, true, false),
    },
];

/// One place, positioned in Lambert-93.
#[derive(Debug, Clone)]
pub struct Place {
    pub id: String,
    #[allow(dead_code, reason = "read by the unit tests")]
    pub nom: &'static str,
    pub x: f64,
    pub y: f64,
    /// QPV it was anchored in, if any.
    #[allow(dead_code, reason = "read by the unit tests")]
    pub qpv: Option<usize>,
    pub hosts: Hosts,
}

/// The 14 places, in id order.
pub fn build(city: &City) -> Vec<Place> {
    SPECS
        .iter()
        .enumerate()
        .map(|(n, s)| {
            let (x, y, qpv) = match s.at {
                At::Qpv(k, fx, fy) => {
                    let outer = &city.qpv[k].parts[0].outer;
                    (outer.cx + fx * outer.r, outer.cy + fy * outer.r, Some(k))
                }
                At::Offset(dx, dy) => (CENTRE.0 + dx, CENTRE.1 + dy, None),
            };
            Place { id: format!("demoville-lieu-{:02}", n + 1), nom: s.nom, x, y, qpv, hosts: s.hosts }
        })
        .collect()
}

/// The CSV text: the official header, then one fully quoted row per place.
pub fn places_csv(places: &[Place], proj: &Reprojector) -> Result<String, DemoError> {
    let mut out = format!("{HEADER}\n");
    for (n, (p, s)) in places.iter().zip(&SPECS).enumerate() {
        let (lon, lat) = proj.convert(Crs::Lambert93, Crs::Wgs84, p.x, p.y)?;
        let fields: [String; 32] = [
            p.id.clone(),
            format!("{}{:05}", "999001000", 101 + 17 * n),
            s.nom.to_string(),
            COMMUNE_NAME.to_string(),
            CODE_POSTAL.to_string(),
            COMMUNE.to_string(),
            s.adresse.to_string(),
            String::new(),
            format!("{lat:.5}"),
            format!("{lon:.5}"),
            s.typologie.to_string(),
            format!("+33199000{:03}", 101 + n),
            format!("lieu{:02}@demoville.example", n + 1),
            format!("https://demoville.example/lieux/{}", p.id),
            s.horaires.to_string(),
            s.resume.to_string(),
            String::new(),
            "Démoville (données synthétiques)".to_string(),
            s.itinerance.to_string(),
            String::new(),
            s.date_maj.to_string(),
            s.services.to_string(),
            s.publics.to_string(),
            String::new(),
            "Gratuit".to_string(),
            s.dispositifs.to_string(),
            String::new(),
            String::new(),
            "Se présenter|Téléphoner".to_string(),
            "Accompagnement individuel|Dans un atelier collectif".to_string(),
            String::new(),
            String::new(),
        ];
        let row: Vec<String> = fields.iter().map(|f| quoted(f)).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;
    use crate::demo::{rng, stream};

    #[test]
    fn places_sit_where_the_story_says() {
        let city = City::build(&mut rng(stream::CITY));
        let places = build(&city);
        assert_eq!(places.len(), 14);
        for p in &places {
            assert_eq!(city.qpv_at(p.x, p.y), p.qpv, "{} {}", p.id, p.nom);
            assert!(city.iris_at(p.x, p.y).is_some(), "{} outside the commune", p.id);
        }
        // Nothing within 800 m of Grand-Champ's centre.
        let gc = &city.qpv[2].parts[0].outer;
        assert_eq!(city.qpv[2].story.name, "Grand-Champ");
        assert!(places.iter().all(|p| (p.x - gc.cx).hypot(p.y - gc.cy) > 1000.0));
        assert_eq!(places.iter().filter(|p| p.hosts.emmaus_courses).count(), 2);
    }

    #[test]
    fn csv_has_the_official_header_and_32_quoted_fields() {
        let city = City::build(&mut rng(stream::CITY));
        let text = places_csv(&build(&city), &Reprojector::new()).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(HEADER));
        assert_eq!(HEADER.split(',').count(), 32);
        for l in lines {
            assert!(l.starts_with('"') && l.ends_with('"'));
            assert_eq!(l.matches("\",\"").count(), 31, "{l}");
            assert!(l.contains("\"99001\""));
        }
    }
}
