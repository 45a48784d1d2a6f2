//! `safe-harbor`: the HIPAA Safe Harbor transformations (45 CFR 164.514(b)(2)), applied
//! mechanically to the columns the user names and those [`crate::scan`] finds.
//!
//! * direct identifiers are dropped, or with `--pseudonymize` replaced by pseudonyms: HMAC-SHA256
//!   of the value under a 256-bit key drawn from the operating system for this run only (never
//!   stored, printed or derived from anything), truncated to 80 bits (20 hex digits). The same value
//!   gets the same pseudonym everywhere in one run, so joins within the output survive; without the
//!   key, which is gone when the run ends, a pseudonym cannot be computed from a value nor turned
//!   back into one, which is what 164.514(c) asks of a re-identification code. A later run draws a
//!   new key, so two outputs cannot be linked through their pseudonyms;
//! * dates become their year ((C): "all elements of dates (except year)"); in any form the date
//!   reader knows ([`crate::scan::dates`], any mix of forms in one column), and Unix times; for
//!   dates of birth the years that reveal an age over 89 at the reference year are aggregated
//!   into one `<=YYYY` category ((C): "all elements of dates (including year) indicative of such
//!   age"). A column whose sampled values are mostly dates is reduced to the year whatever its
//!   name says;
//! * ages of 90 and over become `90+` (89 stays 89); values that are not numbers stay as they are
//!   and are counted;
//! * ZIP codes (5 digits, ZIP+4 with or without the dash, 4 digits taken as a ZIP that lost its
//!   leading zero when stored as a number, 3 digits taken as a ZIP3 already) become their first
//!   three digits, and `000` for the three-digit areas of 20,000 people or fewer
//!   ([`RestrictedZip3`]); anything else stays as it is and is counted;
//! * the scan's findings are applied: a mechanical step (dates, ages, ZIP codes) at any
//!   confidence, a low one listed in the warnings; dropping a column at medium confidence or
//!   more. A column whose step needs a person (a city, free text) or a low-confidence
//!   identifier is left alone with a warning;
//! * pseudonymized columns are listed in the report, and in a Parquet output's metadata
//!   (`reident:pseudonymized`), so that `scan` reports them as permitted codes and `anonymize`
//!   keeps them. A CSV file cannot carry that mark: the report says so, and its columns are then
//!   judged by their names and values like any other.
//!
//! Nulls stay null. Every step is idempotent: running `safe-harbor` on its own output changes
//! nothing. The output is written through a temporary file (`crate::output::write_atomically`)
//! and never over the input.
//!
//! The room's files, each using only those listed before it (and [`crate::scan`]): `values` (dates
//! and ages, and the outcome of a transformation on one value), `zip3` (the restricted areas and
//! ZIP3), `pseudonym` (keyed pseudonyms), `report` (the options and the report), `apply` (the
//! [`safe_harbor`] run).

mod apply;
mod command;
mod pseudonym;
mod report;
mod values;
mod zip3;

pub use apply::safe_harbor;
pub use command::{run, Options, Outcome};
pub use report::{
    ColumnReport, SafeHarborOptions, SafeHarborReport, ScanFinding, Source, Transformation,
    SCHEMA_VERSION,
};
pub(crate) use values::current_year;
pub use values::{Special, ValueChange};
pub use zip3::{zip3, RestrictedZip3, BUILTIN_RESTRICTED_ZIP3};
