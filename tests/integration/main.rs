//! fracture's integration tests: one binary, one module per stage.
//! Run with `cargo test`; the real extracts are read from `FRACTURE_REAL_DATA` (set by `.ci/run`).
#![allow(clippy::unwrap_used, reason = "test code: a panic is a test failure")]

mod bad_inputs;
mod chain;
mod cli;
mod demo;
mod e2e;
mod fetch;
mod http_fixture;
mod ifn;
mod lang;
mod occitanie;
mod parsers;
mod render;
mod support;
mod table;
