//! The published indicators: one definition per column of `tables/indicators.csv`, used for the data
//! dictionary, the Table Schema, map titles and the report.

/// One published column.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Definition {
    pub column: &'static str,
    /// Frictionless Table Schema type: `string`, `number` or `integer`.
    pub kind: &'static str,
    pub label_fr: &'static str,
    pub unit: &'static str,
    pub description: &'static str,
}

const fn def(
    column: &'static str,
    kind: &'static str,
    label_fr: &'static str,
    unit: &'static str,
    description: &'static str,
) -> Definition {
    Definition { column, kind, label_fr, unit, description }
}

/// Every column that may appear, in publication order. A dataset publishes the subset its sources allow.
pub const DEFINITIONS: &[Definition] = &[
    def(
        "area_type",
        "string",
        "Type de zone",
        "",
        "qpv = quartier prioritaire; hors_qpv = communes du territoire hors QPV; territoire = ensemble",
    ),
    def("area_code", "string", "Code de zone", "", "Code QPV (QN…/QP…), HORS_QPV ou TERRITOIRE"),
    def("code_qp", "string", "Code QPV", "", "Code officiel du quartier prioritaire (vide hors QPV)"),
    def("area_name", "string", "Nom", "", "Nom du quartier ou de la zone"),
    def("commune", "string", "Commune", "", "Code INSEE de la commune principale du QPV"),
    def("area_km2", "number", "Superficie", "km²", "Superficie en Lambert-93 (EPSG:2154)"),
    def(
        "population",
        "integer",
        "Population",
        "habitants",
        "Population estimée: recensement INSEE à l'IRIS réparti par interpolation surfacique (ou population municipale INSEE du QPV)",
    ),
    def("share_65p", "number", "Part des 65 ans et plus", "%", "Population de 65 ans et plus / population"),
    def(
        "share_no_diploma",
        "number",
        "Sans diplôme",
        "%",
        "Non-scolarisés de 15 ans et plus sans diplôme ou CEP / non-scolarisés de 15 ans et plus",
    ),
    def(
        "poverty_rate",
        "number",
        "Taux de pauvreté",
        "%",
        "Taux de pauvreté au seuil de 60 % du revenu médian (Filosofi), moyenne des IRIS pondérée par la population estimée; vide si moins de la moitié de la population est couverte",
    ),
    def(
        "median_income",
        "integer",
        "Revenu disponible médian",
        "€ par UC",
        "Médiane du revenu disponible par unité de consommation (INSEE, par QPV)",
    ),
    def(
        "employment_rate",
        "number",
        "Taux d'emploi 15-64 ans",
        "%",
        "Part des 15-64 ans ayant un emploi (INSEE, par QPV)",
    ),
    def(
        "precarious_jobs",
        "number",
        "Emplois précaires",
        "%",
        "Part des emplois précaires parmi les personnes en emploi (INSEE, par QPV)",
    ),
    def(
        "premises",
        "integer",
        "Locaux (ARCEP)",
        "locaux",
        "Logements et locaux professionnels des immeubles de la base ARCEP",
    ),
    def(
        "share_thd30",
        "number",
        "Éligibles ≥ 30 Mbit/s",
        "%",
        "Part des locaux éligibles à au moins 30 Mbit/s descendants, toutes technologies (ARCEP, déclaratif)",
    ),
    def(
        "share_ftth",
        "number",
        "Éligibles à la fibre (FttH)",
        "%",
        "Part des locaux éligibles à la fibre jusqu'à l'abonné (ARCEP, déclaratif)",
    ),
    def(
        "fragility_index",
        "number",
        "Indice de fragilité numérique",
        "base 100 = territoire",
        "Moyenne, sur les variables disponibles, de (valeur de la zone / valeur du territoire × 100) pour: taux de pauvreté, part des 65 ans et plus, part sans diplôme, part des locaux non éligibles à 30 Mbit/s (méthode de l'IFN MedNum/ANSA)",
    ),
    def(
        "places",
        "integer",
        "Lieux de médiation numérique",
        "lieux",
        "Lieux du standard national v1.0.2 situés dans la zone",
    ),
    def(
        "participants",
        "integer",
        "Participants du trimestre",
        "personnes",
        "Personnes distinctes (pseudonymisées) ayant participé à une activité dans le trimestre, par zone de résidence; vide = secret statistique",
    ),
    def(
        "participants_per_1000",
        "number",
        "Participants pour 1 000 habitants",
        "‰",
        "Participants du trimestre / population × 1 000; vide = secret statistique ou population inconnue",
    ),
    def(
        "course_enrolled",
        "integer",
        "Inscrits en parcours",
        "personnes",
        "Participants des parcours d'initiation de 12 h commencés dans le trimestre; vide = secret statistique",
    ),
    def(
        "completion_rate",
        "number",
        "Taux d'achèvement",
        "%",
        "Part des inscrits ayant suivi au moins le seuil d'heures du parcours (10 h sur 12 par défaut); vide = secret statistique",
    ),
    def(
        "devices",
        "integer",
        "Équipements remis",
        "équipements",
        "Ordinateurs, tablettes et smartphones remis dans le trimestre; vide = secret statistique",
    ),
    def(
        "secrecy",
        "string",
        "Secret statistique",
        "",
        "Colonnes masquées (primaire: moins de 11 personnes; secondaire: pour empêcher le recalcul)",
    ),
    def(
        "synthetic",
        "boolean",
        "Données synthétiques",
        "",
        "true : valeurs inventées par le générateur de démonstration de fracture ; elles ne décrivent aucun lieu réel (colonne présente seulement pour un jeu de données synthétique)",
    ),
];

/// Looks up a definition by column name.
pub fn definition(column: &str) -> Option<&'static Definition> {
    DEFINITIONS.iter().find(|d| d.column == column)
}
