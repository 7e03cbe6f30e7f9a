//! fracture: measures the digital divide (fracture numérique) across France's priority neighbourhoods
//! (QPV) from open data, in a batch pipeline `fetch → ingest → join → indicators → render → publish`.

/// The CRS module lives in the spatial engine; this path stays for the stages that use it.
pub use spatial::crs;

pub mod cli;
pub mod commands;
pub mod context;
pub mod demo;
pub mod fetch;
pub mod indicators;
pub mod ingest;
pub mod join;
pub mod locale;
pub mod numbers;
pub mod pipeline;
pub mod publish;
pub mod render;
pub mod spatial;
