//! Command-line definitions (clap derive) and dispatch. Each file turns its flags into the
//! library's options, calls the command's `run`, and prints; nothing is computed here.

mod analyze;
mod anonymize;
mod classes;
mod combos;
mod convert;
mod gate;
mod hierarchy;
mod init;
mod keygen;
mod safe_harbor;
mod scan;
mod sql;
mod suda;
mod verify;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

use reident::error::{Error, Result};
use reident::options::{Flags, PopulationOptions, Settings, TableSource};
use reident::report::{Report, ReportOptions};

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
    /// Check the data against the policy's thresholds: exit 0 (all hold), 1 (one fails), 2 (error).
    Gate(gate::Args),
    /// Check a report (its seal, its signature, its Markdown and HTML, and with the data every
    /// figure and verdict again) or an audit log.
    Verify(verify::Args),
    /// Make a key pair that signs reports (minisign format): reident.key and reident.pub.
    Keygen(keygen::Args),
    /// Which columns look like HIPAA Safe Harbor identifiers (names, SSNs, dates, ZIP codes, ...).
    Scan(scan::Args),
    /// Apply the HIPAA Safe Harbor transformations: drop or pseudonymize identifiers, dates to
    /// year, ages 90+, ZIP3.
    SafeHarbor(safe_harbor::Args),
    /// Write a starter policy from the scan: roles, the entity, a target, and every QI's
    /// hierarchy built from its values (in hierarchies/ beside the policy), to review.
    Init(init::Args),
}

/// Runs the command; returns the exit status.
pub fn run(mut cli: Cli) -> Result<i32> {
    settle_data(&mut cli.command)?;
    if let Some(n) = cli.threads {
        // Threads past a few per core only cost memory and time (each has a stack and buffers).
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        let max = (4 * cpus).clamp(64, 1024);
        if n > max {
            return Err(Error::Invalid(format!(
                "--threads {n}: at most {max} (4 per core, at least 64, at most 1024; this machine has {cpus} cores)"
            )));
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .map_err(|e| Error::Invalid(format!("--threads: {e}")))?;
    }
    let progress = !cli.quiet;
    match cli.command {
        Command::Analyze(a) => analyze::run(a, progress),
        Command::Anonymize(a) => anonymize::run(a, progress),
        Command::Classes(a) => classes::run(a, progress),
        Command::Combos(a) => combos::run(a, progress),
        Command::Convert(a) => convert::run(a, progress),
        Command::Hierarchy(a) => hierarchy::run(a, progress),
        Command::Sql(a) => sql::run(a),
        Command::Suda(a) => suda::run(a, progress),
        Command::Gate(a) => gate::run(a, progress),
        Command::Verify(a) => verify::run(a, progress),
        Command::Keygen(a) => keygen::run(a),
        Command::Scan(a) => scan::run(a),
        Command::SafeHarbor(a) => safe_harbor::run(a, progress),
        Command::Init(a) => init::run(a, progress),
    }
}

/// `--report` takes an optional folder, so `analyze --report data.csv --qi ...` hands it the
/// data: a value of `--report` that is an existing file, with no data given otherwise, is the
/// data (and the report goes to the default folder). Then the data (or `--classes`) must be there.
fn settle_data(command: &mut Command) -> Result<()> {
    let (data, report, classes) = match command {
        Command::Analyze(a) | Command::Gate(a) => (
            &mut a.table.data,
            Some(&mut a.report),
            a.table.classes.is_some(),
        ),
        Command::Anonymize(a) => (
            &mut a.table.data,
            Some(&mut a.report),
            a.table.classes.is_some(),
        ),
        Command::Combos(a) => (
            &mut a.table.data,
            Some(&mut a.report),
            a.table.classes.is_some(),
        ),
        Command::Suda(a) => (
            &mut a.table.data,
            Some(&mut a.report),
            a.table.classes.is_some(),
        ),
        Command::Classes(a) => (&mut a.table.data, None, a.table.classes.is_some()),
        Command::Scan(a) => (&mut a.data, Some(&mut a.report), false),
        Command::SafeHarbor(a) => (&mut a.data, Some(&mut a.report), false),
        _ => return Ok(()),
    };
    if data.is_none() {
        if let Some(r) = report {
            if let Some(Some(p)) = &r.report {
                if p.is_file() {
                    *data = Some(p.clone());
                    r.report = Some(None);
                }
            }
        }
    }
    if data.is_none() && !classes {
        return Err(Error::Invalid(
            "give the data file (Parquet, or CSV with a header row)".into(),
        ));
    }
    Ok(())
}

/// Parses a delimiter argument: one ASCII character, or `tab` / `\t`.
pub fn parse_delimiter(s: &str) -> std::result::Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(format!("{s:?} is not one ASCII character (or `tab`)")),
    }
}

/// Splits each `COLUMN<sep>VALUE` of a repeatable flag.
fn pairs(flag: &str, values: &[String], sep: char, form: &str) -> Result<Vec<(String, String)>> {
    values
        .iter()
        .map(|v| {
            v.split_once(sep)
                .map(|(c, f)| (c.to_string(), f.to_string()))
                .ok_or_else(|| Error::Invalid(format!("{flag} {v:?}: expected {form}")))
        })
        .collect()
}

/// Each `COLUMN=FILE` of a repeatable flag.
fn files(flag: &str, values: &[String]) -> Result<Vec<(String, PathBuf)>> {
    Ok(pairs(flag, values, '=', "COLUMN=FILE")?
        .into_iter()
        .map(|(c, f)| (c, PathBuf::from(f)))
        .collect())
}

/// The arguments every analysis command shares: the table, its QIs, a policy, the CSV delimiter.
#[derive(Debug, clap::Args)]
pub struct TableArgs {
    /// The table: a Parquet file, or a CSV file with a header row.
    pub data: Option<PathBuf>,
    /// A class table (from `reident classes` or the query of `reident sql`) in place of the data:
    /// the same figures, without per-record outputs.
    #[arg(long, value_name = "FILE|DIR", conflicts_with = "data")]
    pub classes: Option<PathBuf>,
    /// Quasi-identifiers, comma-separated (or repeat the flag). Names with commas: use --policy.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub qi: Vec<String>,
    /// A JSON policy file with the column roles (and targets); flags given here replace its lists.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// CSV delimiter (default: detected from the header line).
    #[arg(long, value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// The column that identifies the person (patient id, member id, pseudonym) when a person
    /// can have several rows: classes then count people, and a person's quasi-identifier is the
    /// collection of their rows' QI tuples.
    #[arg(long, value_name = "COLUMN")]
    pub entity: Option<String>,
    /// With --entity: a person's rows as a multiset (repeats count; the default) or a set
    /// (repeats ignored, when the number of visits is not known to an attacker).
    #[arg(long, value_enum, value_name = "KIND")]
    pub entity_signature: Option<SignatureArg>,
    /// A missing or suppressed QI value (NULL, *): one value (the default) or a wildcard that
    /// matches every value, as sdcMicro and mu-Argus count (analyze, gate).
    #[arg(long, value_enum, value_name = "HOW")]
    pub missing: Option<MissingArg>,
}

/// `--missing`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum MissingArg {
    Value,
    Wildcard,
}

/// `--entity-signature`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SignatureArg {
    Multiset,
    Set,
}

impl SignatureArg {
    pub fn signature(self) -> reident::classes::people::Signature {
        match self {
            SignatureArg::Multiset => reident::classes::people::Signature::Multiset,
            SignatureArg::Set => reident::classes::people::Signature::Set,
        }
    }
}

impl TableArgs {
    pub fn source(&self) -> TableSource {
        TableSource {
            data: self.data.clone(),
            classes: self.classes.clone(),
            delimiter: self.delimiter,
            arrow: None,
        }
    }

    /// The flags of the policy's settings that every analysis command has.
    pub fn flags(&self) -> Flags {
        Flags {
            policy: self.policy.clone(),
            qi: self.qi.clone(),
            entity: self.entity.clone(),
            entity_signature: self.entity_signature.map(SignatureArg::signature),
            missing: self.missing.map(|m| match m {
                MissingArg::Value => reident::policy::Missing::Value,
                MissingArg::Wildcard => reident::policy::Missing::Wildcard,
            }),
            ..Flags::default()
        }
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
    pub population_table: Option<PathBuf>,
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
    pub fn options(&self) -> PopulationOptions {
        use reident::risk::estimators::SnbVariant;
        use reident::risk::population::PopulationSpec;
        let spec = if let Some(f) = self.sampling_fraction {
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
        };
        PopulationOptions {
            spec,
            snb: match self.snb {
                SnbArg::Arx => SnbVariant::Arx,
                SnbArg::Published => SnbVariant::Published,
            },
        }
    }
}

/// Privacy targets given as flags (they override the policy's `anonymization` section).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TargetArgs {
    /// k of k-anonymity (anonymize: default the policy's, else 2).
    #[arg(long)]
    pub k: Option<u64>,
    /// l-diversity: COLUMN:distinct:L, COLUMN:entropy:L or COLUMN:recursive:L:C (repeatable).
    #[arg(long = "l-diversity", value_name = "COL:VARIANT:L[:C]")]
    pub l_diversity: Vec<String>,
    /// t-closeness: COLUMN:equal|ordered|hierarchical:T (repeatable; hierarchical uses the
    /// column's hierarchy in --hierarchies).
    #[arg(long = "t-closeness", value_name = "COL:DISTANCE:T")]
    pub t_closeness: Vec<String>,
    /// Named targets: k11-cms (k >= 11), risk-0.2, risk-0.09, risk-0.05 (highest prosecutor risk).
    #[arg(long, value_name = "NAME")]
    pub preset: Vec<String>,
    /// Highest prosecutor risk at most this (every class of at least 1/X records).
    #[arg(long, value_name = "X")]
    pub max_risk: Option<f64>,
    /// Average prosecutor risk (after suppression) at most this.
    #[arg(long, value_name = "X")]
    pub max_average_risk: Option<f64>,
    /// Estimated population uniqueness (Dankar's rule) at most this; give the population.
    #[arg(long, value_name = "X")]
    pub max_population_uniqueness: Option<f64>,
}

impl TargetArgs {
    pub fn spec(&self) -> reident::criteria::targets::TargetSpec {
        reident::criteria::targets::TargetSpec {
            k: self.k,
            l_diversity: self.l_diversity.clone(),
            t_closeness: self.t_closeness.clone(),
            presets: self.preset.clone(),
            max_risk: self.max_risk,
            max_average_risk: self.max_average_risk,
            max_population_uniqueness: self.max_population_uniqueness,
        }
    }
}

/// `--report`, `--show-values`, `--audit-log`, `--force` and `--sign`, shared by the commands
/// that write reports.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReportArgs {
    /// Write report.json, report.md and report.html to DIR, a new folder (without DIR:
    /// reports/<data file stem>-<UTC time>/).
    #[arg(long, value_name = "DIR", num_args = 0..=1)]
    #[allow(clippy::option_option)]
    pub report: Option<Option<PathBuf>>,
    /// Let the report show the QI values of classes smaller than the policy's largest k (it
    /// says so on its first line). Without it, no value of a small class is written.
    #[arg(long)]
    pub show_values: bool,
    /// The audit log that each reporting run appends one line to (default: reports/audit.log).
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
    /// Replace outputs that exist (refused otherwise): the output file (--output,
    /// --record-risk) and the --report folder (only a folder holding a report's files alone).
    #[arg(long)]
    pub force: bool,
    /// Sign the report (report.json, .md and .html get .minisig signatures) and its audit line
    /// with this minisign secret key (default: $REIDENT_SIGNING_KEY, else the policy's
    /// "signing_key"). A protected key's password: $REIDENT_KEY_PASSWORD, or asked in a terminal.
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,
}

impl ReportArgs {
    /// Where the report goes, with the signing key loaded (before the command runs, so that a
    /// wrong password fails at once). `always`: the command writes an audit line in any case.
    pub fn prepare(&self, policy: Option<&Path>, always: bool) -> Result<ReportOptions> {
        use reident::report::sign::{needs_password, SigningKey, PASSWORD_ENV, SIGNING_KEY_ENV};
        let mut options = ReportOptions {
            dir: self.report.clone().map(Option::unwrap_or_default),
            show_values: self.show_values,
            audit_log: self.audit_log.clone(),
            force: self.force,
            sign: None,
        };
        options.check_folder()?;
        if !(always || options.wanted()) {
            if self.sign.is_some() {
                return Err(Error::Invalid(
                    "--sign signs a report: give --report [DIR] (or --audit-log FILE)".into(),
                ));
            }
            return Ok(options);
        }
        let env = std::env::var_os(SIGNING_KEY_ENV).map(PathBuf::from);
        let Some(key) =
            reident::report::publish::signing_key_path(self.sign.as_deref(), env, policy)?
        else {
            return Ok(options);
        };
        let password = match std::env::var(PASSWORD_ENV) {
            Ok(p) => Some(p),
            Err(_) if std::io::stdin().is_terminal() && needs_password(&key)? => Some(
                rpassword::prompt_password(format!("password of {}: ", key.display()))
                    .map_err(|e| Error::Invalid(format!("reading the password: {e}")))?,
            ),
            Err(_) => None,
        };
        options.sign = Some(SigningKey::load(&key, password.as_deref())?);
        Ok(options)
    }
}

/// Resolves the flags against the policy file.
pub fn settings(flags: &Flags) -> Result<Settings> {
    Settings::resolve(flags)
}

/// The command line of this process, for reports and the audit log.
pub fn command_line() -> Vec<String> {
    std::env::args().collect()
}

/// Builds the report (when a report or audit line is asked for, or `always`), writes its folder
/// and appends its audit line; returns the report as written and the folder.
pub fn publish(
    options: &ReportOptions,
    always: bool,
    build: impl FnOnce(Vec<String>, bool) -> Result<Report>,
) -> Result<(Option<Report>, Option<PathBuf>)> {
    publish_with(options, always, &[], build)
}

/// [`publish`], with built hierarchies (file name, ARX text) kept in the folder.
pub fn publish_with(
    options: &ReportOptions,
    always: bool,
    built: &[(String, Vec<u8>)],
    build: impl FnOnce(Vec<String>, bool) -> Result<Report>,
) -> Result<(Option<Report>, Option<PathBuf>)> {
    if !(always || options.wanted()) {
        return Ok((None, None));
    }
    let report = build(command_line(), options.show_values)?;
    let published = reident::report::publish_with(&report, options, always, built)?;
    Ok((Some(published.report), published.dir))
}

/// Prints warnings on stderr, one line each.
pub fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!(
            "reident: warning: {}",
            reident::text::terminal(&w.to_string())
        );
    }
}

/// Prints a serializable value as pretty JSON.
pub fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::Invalid(format!("serializing the report: {e}")))?;
    println!("{text}");
    Ok(())
}
