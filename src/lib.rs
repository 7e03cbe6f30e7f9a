//! fracture: measures the digital divide (fracture numérique) across France's priority neighbourhoods
//! (QPV) from open data, in a batch pipeline `fetch → ingest → join → indicators → render → publish`.

pub mod cli;
pub mod context;
pub mod crs;
pub mod demo;
pub mod fetch;
pub mod indicators;
pub mod ingest;
pub mod io;
pub mod join;
#[cfg(test)]
mod layers;
pub mod numbers;
pub mod pipeline;
pub mod publish;
pub mod render;
