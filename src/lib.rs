//! reident: re-identification risk analysis for microdata.
//!
//! reident measures how easily the people in a table can be singled out, proposes the
//! transformation that brings the risk under a threshold, and writes the reports an auditor
//! checks. The command-line tool is a thin layer over this library: every command is a pipeline
//! here, `reident::<command>::run(&Options) -> Result<Outcome>`, callable without the CLI.
//!
//! # Overview
//!
//! Everything rests on one engine, the **class table** ([`ClassTable`]): the records grouped by
//! their quasi-identifiers (QIs), one row per equivalence class with its size, its sensitive
//! values' histograms and its weight sum. It is built once from the data, in parallel, a window of
//! chunks at a time ([`classes::Source`] reads Parquet, CSV, an in-memory Arrow table
//! ([`options::TableSource::arrow`]: the Python package's tables), or a class table computed by
//! an engine); every figure is computed from it, and a coarser table (fewer QIs, generalized values)
//! is rolled up from a finer one, never recomputed from the rows.
//!
//! The pipelines, each with its `Options` (plain serde structs, resolved values only), `run`
//! and typed `Outcome`:
//!
//! * [`analyze`]: the risk profile ([`analyze::AnalyzeReport`]): class sizes, prosecutor,
//!   journalist and marketer risk, sample and population uniqueness, l-diversity and
//!   t-closeness, and the verdicts of the targets the settings name;
//! * [`gate`]: the same, with thresholds required, and a pass or fail;
//! * [`anonymize`]: the optimal generalization with suppression that meets the targets with the
//!   least information loss, and the transformed data;
//! * [`combos`] and [`suda`]: which combinations of QIs single people out;
//! * [`scan`] and [`safe_harbor`]: HIPAA Safe Harbor identifiers found and removed;
//! * [`init`]: a starter policy from the scan (roles, the entity, a target, and every QI's
//!   hierarchy chosen from its values), for a person to review;
//! * [`classes`], [`sql`], [`convert`], [`hierarchy`]: class tables as files, the SQL that lets an
//!   engine compute them, CSV and Parquet conversion, generalization hierarchies;
//! * [`verify`]: a report's signature, integrity and consistency, and with the data a re-run of
//!   the options it records (reading only the files given); an audit log's chain and signatures;
//! * [`keygen`]: a key pair that signs reports ([`report::sign`], the minisign format).
//!
//! Settings come from a policy file and flags, merged in one place:
//! [`options::Settings::resolve`] takes [`options::Flags`] (what the user said, each setting
//! optional) and gives the [`options::Settings`] a command runs with. Reports
//! ([`report::Report`]) are built from outcomes ([`report::build`]), sealed, written as JSON,
//! Markdown and HTML, and record the options that [`verify`] re-runs; [`text`] renders outcomes
//! for a terminal.
//!
//! The rooms below the pipelines: [`input`] (readers) and [`output`] (atomic writers),
//! [`classes`] (the engine and the class-table file format), [`hierarchy`], [`criteria`] (each
//! privacy model: its measurement and its predicate; targets and verdicts), [`risk`] (the
//! population, the estimators, SUDA2), [`search`] (the lattice of generalizations, the metrics,
//! the optimal and heuristic searches), [`sdc`] (local suppression and microaggregation: cells
//! changed rather than whole values recoded), [`policy`] (column roles). Items not listed in these
//! modules' documentation are internal.
//!
//! # Example
//!
//! The risk of the shipped Adult sample over its nine QIs, then its anonymization under the
//! shipped policy (5-anonymity and highest risk 0.2, 5% suppression, ARX's Loss):
//!
//! ```
//! use reident::options::{Flags, Settings, TableSource};
//!
//! let adult = |name: &str| format!("{}/datasets/adult/{name}", env!("CARGO_MANIFEST_DIR"));
//! let qi = ["sex", "age", "race", "marital-status", "education", "native-country",
//!           "workclass", "occupation", "salary-class"];
//! let settings = Settings::resolve(&Flags {
//!     qi: qi.iter().map(|s| s.to_string()).collect(),
//!     ..Flags::default()
//! })?;
//! let options = reident::analyze::Options::new(TableSource::data(adult("adult.parquet")), settings);
//! let risk = reident::analyze::run(&options)?;
//! assert_eq!(risk.report.classes.classes, 19_502);
//! assert_eq!(risk.report.sample_uniques.records, 15_512);
//! assert!((risk.report.prosecutor.average - 0.6465751607983555).abs() < 1e-12);
//!
//! let policy = Settings::resolve(&Flags {
//!     policy: Some(adult("policy.json").into()),
//!     ..Flags::default()
//! })?;
//! let options = reident::anonymize::Options::new(TableSource::data(adult("adult.csv")), policy);
//! let release = reident::anonymize::run(&options)?;
//! let levels: Vec<usize> = release.summary.transformation.iter().map(|l| l.level).collect();
//! assert_eq!(levels, [0, 3, 0, 0, 2, 1, 1, 0]);
//! assert_eq!(release.summary.best.suppressed, 1_346);
//! assert!(release.verdicts.iter().all(|v| v.passed));
//! # Ok::<(), reident::Error>(())
//! ```

pub mod analyze;
pub mod anonymize;
pub mod classes;
pub mod combos;
pub mod convert;
pub mod criteria;
pub mod error;
pub mod gate;
pub mod hierarchy;
pub mod init;
pub mod input;
pub mod keygen;
pub mod options;
pub mod output;
pub mod policy;
pub mod progress;
pub mod report;
pub mod risk;
pub mod safe_harbor;
pub mod scan;
pub mod sdc;
pub mod search;
pub mod sql;
pub mod suda;
pub mod text;
pub mod tool;
pub mod verify;
pub mod work;

pub use classes::ClassTable;
pub use error::{Error, Result};
pub use input::{Input, InputOptions};
pub use policy::{Policy, Roles};
