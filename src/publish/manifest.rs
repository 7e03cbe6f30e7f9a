//! `manifest.json`: every input and output with its SHA-256, the parameters, the notes as facts, the
//! columns as the indicator table defines them, the version and the only timestamp of a report.

use std::path::Path;

use serde_json::json;

use super::{PublishError, files};
use crate::context::Context;
use crate::indicators::Indicators;
use crate::indicators::table::indicators;
use crate::ingest::Inputs;
use crate::join::Joined;
use crate::locale::Locale;

pub(super) fn write_manifest(
    ctx: &Context,
    inputs: &Inputs,
    joined: &Joined,
    ind: &Indicators,
    locale: &Locale,
    dir: &Path,
) -> Result<(), PublishError> {
    let hours = super::completion_hours(ctx, locale);
    let params = super::text_params(ctx, &hours);
    let mut outputs = Vec::new();
    for rel in files::list_files(dir)? {
        let (sha256, bytes) =
            crate::io::hash::sha256_file(&dir.join(&rel)).map_err(|e| PublishError::Other(e.to_string()))?;
        outputs.push(
            json!({"path": rel.to_string_lossy().replace('\\', "/"), "sha256": sha256, "bytes": bytes}),
        );
    }
    let mut manifest = json!({
        "fracture_version": env!("CARGO_PKG_VERSION"),
        "generated_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "dataset": {
            "id": ctx.dataset.id,
            "name": ctx.dataset.name,
            "synthetic": ctx.dataset.synthetic,
            "config_sha256": crate::io::hash::sha256_file(&ctx.config_path).map(|x| x.0).ok(),
        },
        "period": ind.period,
        "quarter": ind.quarter.map(|q| q.to_string()),
        "quarters_present": ind.quarters.iter().map(|q| q.to_string()).collect::<Vec<_>>(),
        "parameters": {
            "completion_min_hours": ctx.dataset.parameters.completion_min_hours,
            "secrecy_min_count": ctx.dataset.parameters.secrecy_min_count,
            "crs_for_areas": "EPSG:2154",
            "population_weighting": ctx.dataset.parameters.population_weighting,
            "pseudonymisation": "HMAC-SHA-256, key not recorded",
        },
        "inputs": inputs.files,
        "outputs": outputs,
        "join": joined.stats,
        "warnings": inputs.warnings,
        "language": locale.lang.code(),
        "notes": ind.notes,
        "columns": indicators()
            .iter()
            .filter(|d| ind.table.get_column_names().iter().any(|c| c.as_str() == d.id))
            .map(|d| super::package::schema_field(d, locale, &params))
            .collect::<Vec<_>>(),
    });
    record_overrides(ctx, &mut manifest);
    files::write_json(&dir.join("manifest.json"), &manifest)
}

/// What weakened a rule for this run, recorded only when something did (a run that follows the rules
/// has none of these keys): `parameters.secrecy_override` (the reason, the rule, the threshold in
/// force) and `outside_paths` (what allowed files outside the dataset and data folders, and which).
fn record_overrides(ctx: &Context, manifest: &mut serde_json::Value) {
    let p = &ctx.dataset.parameters;
    if let Some(reason) = &p.secrecy_override
        && let Some(params) = manifest.get_mut("parameters").and_then(|v| v.as_object_mut())
    {
        params.insert(
            "secrecy_override".into(),
            json!({
                "reason": reason,
                "rule": crate::context::SECRECY_RULE,
                "secrecy_min_count_in_force": p.secrecy_min_count,
            }),
        );
    }
    if let (Some(by), Some(m)) = (ctx.outside_paths, manifest.as_object_mut()) {
        let files: Vec<serde_json::Value> = ctx
            .outside_files()
            .into_iter()
            .map(|r| json!({"role": r, "path": ctx.dataset.files.get(r)}))
            .collect();
        m.insert("outside_paths".into(), json!({"allowed_by": by, "files": files}));
    }
}
