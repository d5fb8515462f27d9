//! The integration tests, one binary (one link step), a module per area. Helpers and the mock
//! Hub (the `mock-hub` workspace crate) are in `common`.
//!
//! Tests that need what a fresh clone or a bare machine may lack (the real cards in
//! `../shared/cards`, Graphviz, Chromium, the BOM validators) print `SKIP` without it, and fail
//! instead when `HF_LINEAGE_REQUIRE_SHARED=1` (CI sets it): `common::available`.
#![allow(clippy::unwrap_used)] // test and benchmark code may unwrap; src/ may not

mod common;

mod architecture;
mod audit_cli;
mod bad_input;
mod bom;
mod crawler;
mod diagrams;
mod diff_cli;
mod explorer;
mod files;
mod hub_production;
mod license_pairs;
mod parquet_snapshots;
mod properties;
mod query_cli;
mod shared_cards;
mod snapshot_update;
mod trace_cli;
mod what_changed;
