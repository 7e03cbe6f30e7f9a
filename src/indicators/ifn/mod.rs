//! The digital-fragility index (IFN, La MedNum / ANSA, 2019–2020), **original method**, and the
//! `fracture ifn` command (issue 8 item 4; `../shared/SOURCES.md` §5; format in `data/FORMATS.md`).
//!
//! Submodules:
//! - [`method`]: the method on plain values ([`Values`] → [`IfnScores`]): [`points`], [`compute`],
//!   [`thresholds_from_rows`], [`quintiles`];
//! - [`io`]: the input table and thresholds row (read and validated, errors naming file, line and
//!   column), the output CSV (written atomically);
//! - `cli`: [`run`], the `fracture ifn` subcommand;
//! - [`areas`]: the index of the indicator table's areas against the territory, and rank stability.
//!
//! # The method, as established from the published Arras data
//! Evidence: `design4green2020_ifn_iris_arras.csv` (16 IRIS of Arras, 151 columns, `;`, decimal comma),
//! recomputed column by column; the integration test `tests/integration/ifn.rs` replays it through the
//! binary for the three references and prints the largest differences (all below 1e-5 points).
//!
//! 1. **Points of a variable** ("CM <variable> <ref>" columns) = local value / threshold × 100, where the
//!    threshold is the reference territory's value ("SEUILS <variable> <ref>", `ref` = département, EPCI
//!    or région). Max |CM − value/SEUILS × 100| over 16 rows × 6 variables × 3 references: 7.5e-7 (the
//!    inputs are rounded to 9 decimals). Coverage variables go through their non-coverage:
//!    `(1 − value) / (1 − threshold) × 100` (SOURCES §5 and issue 8; **not verifiable** here: the Arras
//!    coverage columns are empty).
//! 2. **Income has the same direction as every other variable** (local / threshold, not threshold / local):
//!    CM revenue median = 17868 / 18099.2857 × 100 = 98.7221 (département), ≤ 6.4e-11 from the published
//!    value, whereas the inverse ratio misses by up to 25.7 points. So in the published index a *higher*
//!    median income *raises* fragility; we reproduce that as published. The income used for every IRIS is
//!    the **commune's** median ("Revenus médian disponible (si communale)" = "MED15 données communales" =
//!    17868 for all 16 rows; "Calcul 1" = "Non" for all rows), not the IRIS median ("Dec Med15" = "… (si
//!    infra-communale)"): with the IRIS median the scores would differ by up to 11.9 points.
//! 3. **Axis scores**: "<AXIS> <ref>" is the sum of the axis's available points, "<AXIS> <ref> 1" their
//!    mean (max difference 1e-9), "<AXIS> region *" the mean truncated to an integer (floor; only the
//!    région's are filled). fracture publishes the mean (base 100).
//! 4. **Global scores** are means over *variables*, not over axes: "GLOBAL ACCES <ref> 1" = mean of the
//!    points of the interfaces + information variables (3 here), "GLOBAL COMPETENCES <ref> 1" = mean of the
//!    administrative + digital-skills variables (3), "SCORE GLOBAL <ref> 1" = mean of all available points
//!    (6); the columns without " 1" are the sums (max difference 1e-9).
//! 5. **Missing variables are left out** of every mean, never counted as zero: in Arras, coverage (HD/THD,
//!    2G), poverty, unemployment and public services per person are empty, so "ACCÈS AUX INTERFACES" is the
//!    income alone and "COMPETENCES ADMINISTATIVES" the 15–29 share alone.
//! 6. **Thresholds** (SEUILS): the Arras extract cannot recompute them (it holds 16 of the reference
//!    territories' units), but their arithmetic says what they are: the département and EPCI income
//!    thresholds are exact means of 7 and 14 integers (18099.285714286 × 7 = 126695, 20314.642857143 × 14
//!    = 284405); a median of integers is an integer or a half-integer, never k/7. So "median" names the
//!    variable (median income), and the threshold is a **mean** of the units' values; the région's
//!    (18982) is an integer. Without `--thresholds`, fracture therefore takes, for every variable
//!    including income, the unweighted mean over the input rows that have it ([`thresholds_from_rows`]).
//!    Give `--thresholds` to use the reference territory's own values.
//! 7. **Quintiles** are not in the published file; fracture's rule is in [`quintiles`] (5 = most fragile,
//!    ties share a quintile).
//!
//! Column map (Arras file → fracture input; the CM/SEUILS stem in brackets):
//! | fracture input | Arras column | axis |
//! |---|---|---|
//! | `couv_hd_thd` | Taux de couverture HD / THD (DSL, câble, FttH) (empty) | interfaces |
//! | `couv_mobile_2g` | Taux de couverture mobile (2G) (empty) | interfaces |
//! | `tx_pauvrete` | Taux de pauvreté (empty) | interfaces |
//! | `revenu_median` | Revenus médian disponible (si communale) [revenue median] | interfaces |
//! | `part_familles_monoparentales` | Part des familles monoparentales = C16 Fammono / C16 Fam [Part des familles] | information |
//! | `part_menages_1p` | Part des ménages d'une personne = C16 Menpseul / C16 Men [Part des ménages] | information |
//! | `services_publics_par_hab` | Services publics / individu (empty) | information |
//! | `part_chomeurs_15_64` | Part des chômeurs (15 – 64 ans) (empty) | administrative |
//! | `part_15_29` | Part des personnes âgées de 15 – 29 ans = P16 Pop1529 / P16 Pop [same] | administrative |
//! | `part_65p` | Part des personnes âgées de 65 ans / + = P16 Pop65P / P16 Pop [Part des personnes âgées de 65] | digital skills |
//! | `part_peu_diplomes` | Part des non ou peu diplômés dans la population non scolarisée de 15 ans ou plus = P16 Nscol15P Diplmin / P16 Nscol15P [Part des non ou peu diplômés] | digital skills |
//!
//! Output ↔ published (for one reference): `ifn_acces_interfaces` ↔ "ACCÈS AUX INTERFACES NUMERIQUES <ref>
//! 1", `ifn_acces_information` ↔ "ACCES A L'INFORMATION <ref> 1", `ifn_competences_administratives` ↔
//! "COMPETENCES ADMINISTATIVES <ref> 1", `ifn_competences_numeriques` ↔ "COMPÉTENCES NUMÉRIQUES /
//! SCOLAIRES <ref> 1", `ifn_global_acces` ↔ "GLOBAL ACCES <ref> 1", `ifn_global_competences` ↔ "GLOBAL
//! COMPETENCES <ref> 1", `ifn_score` ↔ "SCORE GLOBAL <ref> 1". Not used by the index: F27, F29, "4E
//! Trimestre 2016 Données Communales", "P16 Pop Imm", "Taux de couverture HD / THD … 1" (empty).
//!
//! Services publics per person is compared like every other non-coverage variable (value / threshold);
//! with no published value it cannot be checked, and a higher figure raises fragility as for income.

pub mod areas;
mod cli;
pub mod io;
pub mod method;

pub use cli::run;
pub use method::{
    Axis, IfnScores, Thresholds, Transform, Unit, Values, Variable, compute, points, quintiles,
    thresholds_from_rows,
};
