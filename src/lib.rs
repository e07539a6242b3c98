//! driftgate: audit identity and access across an MSP's client estate, as policy-as-code.
//!
//! Data flows one way: [`estate`] (config) → [`load`] (exports → identities) → [`attribute`]
//! (the MSP's records to the client tenants they reach) → [`normalise`]
//! (facts) → [`correlate`] (downstream accounts ↔ source of truth) → [`reuse`] (accounts shared
//! between tenants) → [`evaluate`] (Rego, in parallel) → [`finding`]s → [`report`]. [`audit`] runs the
//! stages; the binary in `main.rs` is the CLI edge.

pub mod attribute;
pub mod audit;
pub mod controls;
pub mod correlate;
pub mod enforcement;
pub mod entitlement;
pub mod estate;
pub mod evaluate;
pub mod explain;
pub mod finding;
pub mod impact;
pub mod load;
pub mod manifest;
pub mod model;
pub mod normalise;
pub mod offboard;
pub mod policy;
pub mod progress;
pub mod provision;
pub mod readiness;
pub mod rego_identity;
pub mod rego_value;
pub mod report;
pub mod reuse;
pub mod review;
pub mod settings;
pub mod synth;
pub mod waiver;
pub mod who;

/// mimalloc: evaluation allocates and frees millions of small values across threads, where
/// glibc malloc spent about a third of the run (perf, 2 cores).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
