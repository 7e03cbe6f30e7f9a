//! fracture's integration tests: one binary, one module per pipeline stage (named like its
//! subcommand), plus end-to-end, bad-input and README modules. Run with `cargo test`; the real extracts
//! are read from `FRACTURE_REAL_DATA` (set by `.ci/run`).
//!
//! - `fetch`: the download cache against a scripted local HTTP server (retries, timeouts, zips, sha256);
//! - `ingest`: every reader on format variants and the real extracts (`ingest/table.rs`: the table reader);
//! - `join`: point in polygon and IRIS → QPV weights on hand-made geometries, checked against `geo`, and
//!   `fracture join --points` on the committed fixture against geopandas;
//! - `interpolate`: `fracture interpolate` and the overlay engine against geopandas, conservation;
//! - `indicators`: the indicator table of the demo (rows, secrecy, totals), through the binary;
//! - `render`: maps and charts from hand-made inputs, and the demo report's figures;
//! - `publish`: the published files of the demo (CSV twins, GeoJSON, Parquet, datapackage, manifest, page);
//!   `publish/lang.rs`: the English report (`--lang en`) has no French label left;
//! - `ifn`: `fracture ifn` reproduces La MedNum's published fragility scores of 16 Arras IRIS;
//! - `e2e`: the demo run checked against values computed here, determinism, the committed report
//!   (`e2e/`: the `fracture demo` dataset, fetch-from-a-mirror then run, the Occitanie extract);
//! - `bad_inputs`: a corpus of broken datasets, each rejected with file, location and field;
//! - `mutations`: generated bad inputs (seeded mutations of the demo's files) through `fracture ingest`:
//!   never a panic, an error naming the file, nothing written;
//! - `cli`: the README's commands are the CLI's;
//! - `synth`: `fracture synth` is deterministic, writes what it says, and its dataset runs;
//! - `zones_geoparquet`: GeoParquet zones for `join` and `interpolate` (round trip, CRS, bad files).
//!
//! Helpers: `support` (project root, a temp folder per test, the shared demo report, CSV reading) and
//! `http_fixture` (the scripted server).
#![allow(clippy::unwrap_used, reason = "test code: a panic is a test failure")]

mod bad_inputs;
mod cli;
mod e2e;
mod fetch;
mod http_fixture;
mod ifn;
mod indicators;
mod ingest;
mod interpolate;
mod join;
mod mutations;
mod publish;
mod render;
mod support;
mod synth;
mod zones_geoparquet;
