//! Programme attendance of Démoville (fracture's own schema, FORMATS.md §6): eight quarters of Emmaüs
//! Connect courses, conseillers numériques' help and France Services démarches.
//!
//! Inputs: the `City`, the buildings (homes), the places, the scenario's reach targets and a seeded RNG.
//! Outputs: participants and activity rows, and the CSV text.
//!
//! Model, quarter by quarter (2024 T4 … 2026 T3, programmes ramping up):
//! - each QPV (and the rest of the city) has a number of distinct participants, its latest-quarter target
//!   times a ramp; about 20 % of them are participants of earlier quarters coming back;
//! - a participant lives in a building of their zone (chosen by number of premises); 4 in 5 give a
//!   rounded point near home (4 decimals), 1 in 5 only their IRIS (a few give both);
//! - new Emmaüs Connect participants are grouped, at the nearest course place, into cohorts of 8–12
//!   (topped up with participants from outside the QPV when a pool cannot be split so); a cohort has 6
//!   sessions of 120 minutes over two weeks; people miss sessions, come late or drop out, each cohort
//!   having its own completion chance (55–85 %) of reaching (≥ 10 of the 12 hours); some completers receive a device (`don_materiel`);
//! - conseillers numériques give 1–3 `individuel`, `demarche_administrative` or `collectif` activities
//!   (30–120 minutes) at the nearest place with a conseiller; France Services handles démarches.
//!
//! Invariants (unit tests): in the latest quarter every QPV of the story has exactly its target of
//! participants, at least 11 of them located by coordinates, except the two small QPV whose count stays
//! below 11 whatever the assignment of IRIS-only rows; every residence point falls in its zone; rows are
//! sorted by date and their ids and participant references are assigned in that order.
//!
//! Table of contents:
//! - `calendar`: the eight quarters, working days and workshop days;
//! - `participants`: programmes, age bands, homes, residences and the nearest place;
//! - `courses`: Emmaüs Connect cohorts, their sessions, completion and devices;
//! - `help`: conseillers' and France Services' one-to-one help, démarches and workshops;
//! - `generate`: the quarter-by-quarter model ([`build`]) and the [`Attendance`] it returns;
//! - `csv_file`: the attendance CSV.

mod calendar;
mod courses;
mod csv_file;
mod generate;
mod help;
mod participants;

pub use csv_file::attendance_csv;
pub use generate::{Attendance, build};
