//! The statistics of `compare:` gates, pure and self-contained: counts in, typed verdicts out.
//!
//! - [`compare`]: treatment (`on`) against control (`off`) error proportions with an
//!   always-valid sequential test, the mixture SPRT of Johari, Pekelis & Walsh ("Always Valid
//!   Inference", 2015/2022; Johari et al., KDD 2017) on the difference of two proportions
//!   ([`msprt`]);
//! - [`split`]: the sample ratio mismatch test (Lindon & Malek, NeurIPS 2022);
//! - [`power`]: the minimum sample and soak a stage needs, and the classical one-look size.
//! - [`input`]: the counts and settings a compare gate decides from, read by [`compare`] and
//!   [`variance`] alike; [`format`]: how the numbers are written for people.
//!
//! docs/compare-gates.md explains the method, the decision rule and every verdict field.

pub mod compare;
pub mod format;
pub mod input;
pub mod msprt;
pub mod power;
pub mod special;
pub mod split;
pub mod variance;

pub use compare::{compare, decide, CompareInput, CompareVerdict, Counts, Decision, Verdict};
pub use power::{minimum_sample, MinimumSample, PowerInput};

/// Input a statistics function cannot use; the message says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);
