//! Re-identification risk models, each computed from a class table.

pub mod attacker;
pub mod class_sizes;
pub mod combos;
pub mod estimators;
pub mod individual;
pub mod population;
pub mod prosecutor;
pub mod suda;
pub mod uniqueness;
pub(crate) mod wildcard;
