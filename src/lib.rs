//! reident: re-identification risk analysis for microdata.
//!
//! The engine reads a table (Parquet or ARX-style CSV), reduces it to a [`classes::ClassTable`]
//! over the quasi-identifiers, and computes every figure from that table. See the README for the
//! command-line tool built on this library.

pub mod analyze;
pub mod anonymize;
pub mod classes;
pub mod combos;
pub mod convert;
pub mod criteria;
pub mod error;
pub mod gate;
pub mod hierarchy;
pub mod input;
pub mod options;
pub mod output;
pub mod policy;
pub mod progress;
pub mod report;
pub mod risk;
pub mod safe_harbor;
pub mod scan;
pub mod search;
pub mod sql;
pub mod suda;
pub mod text;
pub mod tool;
pub mod verify;

pub use classes::ClassTable;
pub use error::{Error, Result};
pub use input::{Input, InputOptions};
pub use policy::{Policy, Roles};
