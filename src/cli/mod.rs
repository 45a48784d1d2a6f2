//! Command-line definitions (clap derive) and dispatch.

pub mod analyze;
pub mod anonymize;
pub mod classes;
pub mod combos;
pub mod convert;
pub mod gate;
pub mod hierarchy;
pub mod safe_harbor;
pub mod scan;
pub mod sql;
pub mod suda;
pub mod verify;

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
    /// Check the data against the policy's thresholds: exit 0 (all hold), 1 (one fails), 2 (error).
    Gate(gate::Args),
    /// Check a report's integrity, and with the data, its hash and every figure; or an audit log.
    Verify(verify::Args),
    /// Which columns look like HIPAA Safe Harbor identifiers (names, SSNs, dates, ZIP codes, ...).
    Scan(scan::Args),
    /// Apply the HIPAA Safe Harbor transformations: drop or pseudonymize identifiers, dates to
    /// year, ages 90+, ZIP3.
    SafeHarbor(safe_harbor::Args),
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
        Command::Gate(a) => gate::run(a, cli.quiet),
        Command::Verify(a) => verify::run(a, cli.quiet),
        Command::Scan(a) => scan::run(a, cli.quiet),
        Command::SafeHarbor(a) => safe_harbor::run(a, cli.quiet),
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
    pub fn spec(&self) -> reident::risk::population::PopulationSpec {
        use reident::risk::population::PopulationSpec;
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

/// Warns (stderr, one line per column, no values) when a column that `scan` flags as a direct
/// identifier with high confidence is read as something other than identifying. Advisory: when
/// the check cannot read its sample it says nothing, because the run reads the same rows next and
/// reports the problem in its one error line.
pub fn warn_identifiers(input: &reident::classes::Source, roles: &reident::Roles, insensitive_read: bool) {
    use reident::scan::{role_warnings, ROLE_CHECK_SAMPLE_ROWS};
    let started = std::time::Instant::now();
    let Some(input) = input.records() else {
        return;
    };
    let result = role_warnings(input, roles, insensitive_read, ROLE_CHECK_SAMPLE_ROWS);
    if std::env::var_os("REIDENT_TIMING").is_some() {
        eprintln!(
            "timing: identifier check {:.4} s",
            started.elapsed().as_secs_f64()
        );
    }
    for w in result.unwrap_or_default() {
        eprintln!("reident: warning: {w}");
    }
}

/// Opens the data (or the class table of `--classes`) and resolves the policy's roles against
/// its columns. A class table lacks the data's identifying and insensitive columns and has weight
/// sums in place of the weight column: those names are accepted as listed, never read.
pub fn open_with_roles(
    table: &TableArgs,
    policy: &reident::Policy,
) -> Result<(reident::classes::Source, reident::Roles, reident::InputOptions)> {
    let options = reident::InputOptions {
        delimiter: table.delimiter,
    };
    let listed: Vec<String> = policy
        .identifying
        .iter()
        .chain(&policy.insensitive)
        .chain(&policy.weight)
        .cloned()
        .collect();
    let input = reident::classes::Source::open(
        table.data.as_deref(),
        table.classes.as_deref(),
        &options,
        &listed,
    )?;
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

impl TableArgs {
    /// The file the figures come from: the data, or the class table given in its place (what a
    /// report hashes and names).
    pub fn source(&self) -> &std::path::Path {
        self.classes
            .as_deref()
            .or(self.data.as_deref())
            .unwrap_or(std::path::Path::new(""))
    }

    /// Points the command at another copy of its source (for `verify`).
    pub fn set_source(&mut self, path: std::path::PathBuf) {
        if self.classes.is_some() {
            self.classes = Some(path);
        } else {
            self.data = Some(path);
        }
    }
}

/// `--report`, `--show-values` and `--audit-log`, shared by the commands that write reports.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReportArgs {
    /// Write report.json, report.md and report.html to DIR (without DIR:
    /// reports/<data file stem>-<UTC time>/).
    #[arg(long, value_name = "DIR", num_args = 0..=1, default_missing_value = "")]
    pub report: Option<std::path::PathBuf>,
    /// Let the report show the QI values of classes smaller than the policy's largest k (it
    /// says so on its first line). Without it, no value of a small class is written.
    #[arg(long)]
    pub show_values: bool,
    /// The audit log that each reporting run appends one line to (default: reports/audit.log).
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<std::path::PathBuf>,
}

/// The roles of every column of the file, for the report.
pub fn column_roles(roles: &reident::Roles) -> Vec<reident::report::ColumnRole> {
    (0..roles.columns.len())
        .map(|i| reident::report::ColumnRole {
            name: roles.columns[i].clone(),
            role: if roles.qi.contains(&i) {
                "quasi-identifier"
            } else if roles.sensitive.contains(&i) {
                "sensitive"
            } else if roles.identifying.contains(&i) {
                "identifying"
            } else if roles.weight == Some(i) {
                "weight"
            } else {
                "insensitive"
            }
            .to_string(),
        })
        .collect()
}

/// The command line of this process, for reports and the audit log.
pub fn command_line() -> Vec<String> {
    std::env::args().collect()
}

/// Writes the report folder (when asked) and appends the audit line; returns the folder.
pub fn publish(
    report: &reident::report::Report,
    args: &ReportArgs,
    data: &std::path::Path,
    started: std::time::SystemTime,
    always_audit: bool,
) -> Result<Option<std::path::PathBuf>> {
    let dir = args.report.as_ref().map(|d| {
        if d.as_os_str().is_empty() {
            reident::report::default_dir(data, started)
        } else {
            d.clone()
        }
    });
    if let Some(dir) = &dir {
        report.write_dir(dir)?;
    }
    if dir.is_some() || always_audit || args.audit_log.is_some() {
        let log = args
            .audit_log
            .clone()
            .unwrap_or_else(|| std::path::PathBuf::from("reports/audit.log"));
        reident::report::audit::append(
            &log,
            reident::report::audit::Entry {
                time: report.run.started_at.clone(),
                user: report.run.user.clone(),
                host: report.run.host.clone(),
                command: report.run.command_line.clone(),
                input_sha256: report.dataset.sha256.clone(),
                report_sha256: Some(report.integrity.sha256.clone()),
                verdict: report.verdict.clone(),
                prev_sha256: String::new(),
                sha256: String::new(),
            },
        )?;
    }
    Ok(dir)
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

/// The policy's targets overridden by the flags, and the hierarchy folder: `--hierarchies`, else
/// the policy's `hierarchies` (relative to the policy file).
pub fn targets_and_hierarchies(
    policy: &reident::Policy,
    policy_path: Option<&std::path::PathBuf>,
    flags: &TargetArgs,
    hierarchies: Option<&std::path::PathBuf>,
) -> (
    reident::criteria::targets::TargetSpec,
    Option<std::path::PathBuf>,
) {
    let an = policy.anonymization.clone().unwrap_or_default();
    let policy_dir = policy_path
        .and_then(|p| p.parent())
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let dir = hierarchies
        .cloned()
        .or_else(|| an.hierarchies.as_ref().map(|h| policy_dir.join(h)));
    (
        reident::criteria::targets::TargetSpec::from_policy(&an).overridden_by(&flags.spec()),
        dir,
    )
}

/// Where a command's figures came from, for a report: the roles, the format, the records.
pub struct Source {
    pub roles: reident::Roles,
    pub format: &'static str,
    pub records: u64,
}

impl Source {
    pub fn of(input: &reident::classes::Source, roles: &reident::Roles, records: u64) -> Self {
        Source {
            roles: roles.clone(),
            format: input.format().as_str(),
            records,
        }
    }
}

/// The report of a command whose figures are one section (`combos`, `suda`): no thresholds.
pub fn section_report(
    kind: &str,
    section: &str,
    figures: serde_json::Value,
    table: &TableArgs,
    source: &Source,
    command_line: Vec<String>,
    started: std::time::SystemTime,
) -> Result<reident::report::Report> {
    let mut map = serde_json::Map::new();
    map.insert(section.into(), reident::report::figures_section(&figures)?);
    reident::report::Report::new(
        reident::report::ReportInput {
            kind,
            command_line,
            started,
            data: table.source(),
            format: source.format,
            records: source.records,
            columns: column_roles(&source.roles),
            policy: table.policy.as_deref(),
            hierarchies: Vec::new(),
            disclosure_k: reident::criteria::targets::DEFAULT_DISCLOSURE_K,
            show_values: false,
        },
        map,
        Vec::new(),
    )
}
