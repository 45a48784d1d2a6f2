//! Re-identification risk models, each computed from a class table.

pub(crate) mod attacker;
pub(crate) mod class_sizes;
pub mod combos;
pub mod estimators;
pub mod individual;
pub mod population;
pub(crate) mod prosecutor;
pub mod suda;
pub(crate) mod uniqueness;
