//! Re-identification risk models, each computed from a class table.

pub mod class_sizes;
pub mod prosecutor;
pub mod uniqueness;
