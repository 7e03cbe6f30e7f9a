//! fracture: measures the digital divide (fracture numérique) across France's priority neighbourhoods
//! (QPV) from open data, in a batch pipeline `fetch → ingest → join → indicators → render → publish`.
//!
//! One module per stage, each using only the stages before it; below them `io` (atomic writes, hashing,
//! archive safety, read options), `crs` and `numbers`; `context` resolves the configuration once;
//! `cli` and `pipeline` are the orchestration edge; `demo` generates the synthetic city. The layering
//! is checked by a test (`layers.rs`).

/// The CRS module lives in the spatial engine; this path stays for the stages that use it.
pub use spatial::crs;

pub mod cli;
pub mod commands;
pub mod context;
pub mod demo;
pub mod fetch;
pub mod indicators;
pub mod ingest;
pub mod io;
pub mod join;
#[cfg(test)]
mod layers;
pub mod locale;
pub mod numbers;
pub mod pipeline;
pub mod publish;
pub mod quarter;
pub mod render;
pub mod spatial;
pub mod synth;
