//! Help outside the courses: conseillers numériques' one-to-one help, démarches and fortnightly
//! workshops; France Services démarches; returning Emmaüs Connect participants (individual help or a
//! device).

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::calendar::{Quarter, working_day, workshop_days};
use super::generate::Activity;
use super::participants::{Participant, Programme, pick_weighted};
use crate::demo::places::Place;

const INDIVIDUAL_THEMES: [&str; 6] = [
    "prendre_en_main_du_materiel",
    "prendre_en_main_du_materiel|navigation_sur_internet",
    "email|gestion_des_fichiers",
    "securite_numerique",
    "sante|navigation_sur_internet",
    "insertion_professionnelle|email",
];
const PROCEDURE_THEMES: [&str; 5] = [
    "demarche_en_ligne|social_sante",
    "demarche_en_ligne|argent_impots",
    "demarche_en_ligne|travail_formation",
    "demarche_en_ligne|logement",
    "demarche_en_ligne|papiers_elections_citoyennete",
];
const WORKSHOP_THEMES: [&str; 3] = [
    "securite_numerique|navigation_sur_internet",
    "sante|demarche_en_ligne",
    "parentalite|scolarite_et_numerique",
];
const DURATIONS: [u32; 5] = [30, 45, 60, 75, 90];

/// The activities of quarter `q` of `people` (participant indices, in order): 1–3 activities with a
/// conseiller at their place, 1–2 démarches at France Services, or one activity for a returning
/// Emmaüs Connect participant.
pub(super) fn help_of_quarter(
    q: &Quarter,
    places: &[Place],
    participants: &[Participant],
    people: &[usize],
    rng: &mut ChaCha8Rng,
    activities: &mut Vec<Activity>,
) {
    let workshops: Vec<Vec<NaiveDate>> = places.iter().map(|_| workshop_days(q)).collect();
    for &p in people {
        let part = &participants[p];
        let (programme, place) = (part.programme, part.place);
        let act = |date, kind, minutes, materiel, themes| Activity {
            date,
            kind,
            programme,
            place,
            cohort: String::new(),
            seance: None,
            minutes,
            participant: p,
            materiel,
            themes,
        };
        match programme {
            Programme::Emmaus => {
                let date = working_day(q, rng);
                if rng.random_bool(0.6) {
                    let minutes = DURATIONS[rng.random_range(1..DURATIONS.len())];
                    let themes = INDIVIDUAL_THEMES[rng.random_range(0..INDIVIDUAL_THEMES.len())];
                    activities.push(act(date, "individuel", minutes, "", themes));
                } else {
                    let materiel =
                        ["smartphone", "tablette", "ordinateur"][pick_weighted(&[0.4, 0.35, 0.25], rng)];
                    activities.push(act(date, "don_materiel", 0, materiel, "prendre_en_main_du_materiel"));
                }
            }
            Programme::Conseillers => {
                let n = 1 + pick_weighted(&[0.55, 0.30, 0.15], rng);
                for _ in 0..n {
                    match pick_weighted(&[0.5, 0.35, 0.15], rng) {
                        0 => {
                            let minutes = DURATIONS[rng.random_range(0..DURATIONS.len())];
                            let themes = INDIVIDUAL_THEMES[rng.random_range(0..INDIVIDUAL_THEMES.len())];
                            activities.push(act(working_day(q, rng), "individuel", minutes, "", themes));
                        }
                        1 => {
                            let minutes = DURATIONS[rng.random_range(0..DURATIONS.len())];
                            let themes = PROCEDURE_THEMES[rng.random_range(0..PROCEDURE_THEMES.len())];
                            let date = working_day(q, rng);
                            activities.push(act(date, "demarche_administrative", minutes, "", themes));
                        }
                        _ => {
                            let days = &workshops[place];
                            let date = days[rng.random_range(0..days.len())];
                            // One theme per workshop day, so that a workshop's rows agree.
                            let themes =
                                WORKSHOP_THEMES[(date.ordinal() as usize / 14) % WORKSHOP_THEMES.len()];
                            let minutes = [120, 90][(date.ordinal() % 2) as usize];
                            activities.push(act(date, "collectif", minutes, "", themes));
                        }
                    }
                }
            }
            Programme::FranceServices => {
                let n = 1 + pick_weighted(&[0.7, 0.3], rng);
                for _ in 0..n {
                    let minutes = [20, 30, 40, 45, 60][rng.random_range(0..5)];
                    let themes = PROCEDURE_THEMES[rng.random_range(0..PROCEDURE_THEMES.len())];
                    activities.push(act(working_day(q, rng), "demarche_administrative", minutes, "", themes));
                }
            }
        }
    }
}
