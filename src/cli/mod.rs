//! Command-line definitions (clap derive) and dispatch.

pub mod analyze;
pub mod anonymize;
pub mod classes;
pub mod combos;
pub mod convert;
pub mod hierarchy;
pub mod sql;
pub mod suda;

use clap::{Parser, Subcommand};

use reident::error::{Error, Result};

#[derive(Debug, Parser)]
#[command(
    name = "reident",
    version,
    about = "Re-identification risk analysis for microdata (Parquet and CSV)"
)]
pub struct Cli {
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,
    /// Do not show a progress bar.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Equivalence classes, k-anonymity, prosecutor risk and sample uniqueness over the QIs.
    Analyze(analyze::Args),
    /// The optimal generalization (with suppression) that meets k-anonymity, l-diversity and
    /// t-closeness targets, and the transformed data.
    Anonymize(anonymize::Args),
    /// Write the class table (QI values, class sizes, sensitive histograms) as a Parquet file.
    Classes(classes::Args),
    /// Which combinations of QIs single people out: every subset's classes and uniqueness.
    Combos(combos::Args),
    /// Convert CSV to Parquet and back, keeping column order and values.
    Convert(convert::Args),
    /// Build a generalization hierarchy (intervals, masking, dates, suppression) in ARX format.
    Hierarchy(hierarchy::Args),
    /// The SQL (Spark, DuckDB, ANSI) that computes the class table, or applies a transformation.
    Sql(sql::Args),
    /// Minimal sample uniques (SUDA2) and SUDA / DIS-SUDA scores per record.
    Suda(suda::Args),
}

pub fn run(cli: Cli) -> Result<i32> {
    if let Some(n) = cli.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .map_err(|e| Error::Invalid(format!("--threads: {e}")))?;
    }
    match cli.command {
        Command::Analyze(a) => analyze::run(a, cli.quiet),
        Command::Anonymize(a) => anonymize::run(a, cli.quiet),
        Command::Classes(a) => classes::run(a, cli.quiet),
        Command::Combos(a) => combos::run(a, cli.quiet),
        Command::Convert(a) => convert::run(a, cli.quiet),
        Command::Hierarchy(a) => hierarchy::run(a, cli.quiet),
        Command::Sql(a) => sql::run(a),
        Command::Suda(a) => suda::run(a, cli.quiet),
    }
}

/// Parses a delimiter argument: one ASCII character, or `tab` / `\t`.
pub fn parse_delimiter(s: &str) -> std::result::Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(format!("{s:?} is not one ASCII character (or `tab`)")),
    }
}

/// How the population behind the sample is stated (shared by the commands that use it).
#[derive(Debug, Clone, clap::Args)]
pub struct PopulationArgs {
    /// The sample is this share of the population (0 < f <= 1).
    #[arg(long, value_name = "F", group = "pop")]
    pub sampling_fraction: Option<f64>,
    /// Population size: a number, or a region (usa, uk, germany, eu, ...: see the README).
    #[arg(long, value_name = "N|REGION", group = "pop")]
    pub population: Option<String>,
    /// A population frequency table (Parquet or CSV): the QI columns and a count column.
    #[arg(long, value_name = "FILE", group = "pop")]
    pub population_table: Option<std::path::PathBuf>,
    /// The count column of --population-table.
    #[arg(long, value_name = "COLUMN", default_value = "count")]
    pub population_count: String,
    /// SNB model formulas: ARX's (to reproduce its figures) or the published ones.
    #[arg(long, value_enum, default_value = "arx")]
    pub snb: SnbArg,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SnbArg {
    Arx,
    Published,
}

impl PopulationArgs {
    pub fn spec(&self) -> reident::population::PopulationSpec {
        use reident::population::PopulationSpec;
        if let Some(f) = self.sampling_fraction {
            PopulationSpec::SamplingFraction(f)
        } else if let Some(n) = &self.population {
            PopulationSpec::Size(n.clone())
        } else if let Some(path) = &self.population_table {
            PopulationSpec::Table {
                path: path.clone(),
                count_column: self.population_count.clone(),
            }
        } else {
            PopulationSpec::Sample
        }
    }

    pub fn snb_variant(&self) -> reident::risk::estimators::SnbVariant {
        use reident::risk::estimators::SnbVariant;
        match self.snb {
            SnbArg::Arx => SnbVariant::Arx,
            SnbArg::Published => SnbVariant::Published,
        }
    }
}

/// The policy from `--policy` (or none), with the role flags given on the command line.
pub fn load_policy(
    policy: Option<&std::path::PathBuf>,
    qi: &[String],
    sensitive: &[String],
    identifying: &[String],
) -> Result<reident::Policy> {
    Ok(match policy {
        Some(p) => reident::Policy::load(p)?,
        None => reident::Policy::default(),
    }
    .override_with(qi, sensitive, identifying))
}

/// Opens the data (or the class table of `--classes`) and resolves the policy's roles against
/// its columns. A class table lacks the data's identifying and insensitive columns and has weight
/// sums in place of the weight column: those names are accepted as listed, never read.
pub fn open_with_roles(
    table: &TableArgs,
    policy: &reident::Policy,
) -> Result<(reident::Input, reident::Roles, reident::InputOptions)> {
    let options = reident::InputOptions {
        delimiter: table.delimiter,
    };
    let input = match (&table.classes, &table.data) {
        (Some(classes), _) => {
            let listed: Vec<String> = policy
                .identifying
                .iter()
                .chain(&policy.insensitive)
                .chain(&policy.weight)
                .cloned()
                .collect();
            reident::Input::open_classes(classes, &listed)?
        }
        (None, Some(data)) => reident::Input::open(data, &options)?,
        (None, None) => {
            return Err(Error::Invalid(
                "no input: give the data file, or a class table with --classes".into(),
            ))
        }
    };
    let roles = reident::Roles::resolve(policy, input.columns())?;
    Ok((input, roles, options))
}

/// The arguments every analysis command shares: the table, its QIs, a policy, the CSV delimiter.
#[derive(Debug, clap::Args)]
pub struct TableArgs {
    /// The table: a Parquet file, or a CSV file with a header row.
    #[arg(required_unless_present = "classes")]
    pub data: Option<std::path::PathBuf>,
    /// A class table (from `reident classes` or the query of `reident sql`) in place of the data:
    /// the same figures, without per-record outputs.
    #[arg(long, value_name = "FILE|DIR", conflicts_with = "data")]
    pub classes: Option<std::path::PathBuf>,
    /// Quasi-identifiers, comma-separated (or repeat the flag). Names with commas: use --policy.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub qi: Vec<String>,
    /// A JSON policy file with the column roles (and targets); flags given here replace its lists.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<std::path::PathBuf>,
    /// CSV delimiter (default: detected from the header line).
    #[arg(long, value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
}

/// An output path that is the input (a file, or a file in the input folder) is refused.
pub fn refuse_overwrite(input: &std::path::Path, out: &std::path::Path) -> Result<()> {
    if let (Ok(a), Some(b)) = (
        input.canonicalize(),
        out.parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    std::path::Path::new(".")
                } else {
                    p
                }
            })
            .and_then(|p| p.canonicalize().ok())
            .and_then(|p| out.file_name().map(|n| p.join(n))),
    ) {
        if a == b || b.starts_with(&a) {
            return Err(Error::Invalid(format!(
                "{}: the output would overwrite the input",
                out.display()
            )));
        }
    }
    Ok(())
}
