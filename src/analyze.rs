//! `analyze`: the risk profile of a table over its quasi-identifiers.
//!
//! [`run`] reads the data (or a class table given in its place), builds the class table over the
//! QI, sensitive and weight columns, resolves the population, measures every risk model and
//! privacy model on the table ([`AnalyzeReport`]), and checks the targets the settings name
//! ([`Verdict`]s). `gate` is the same pipeline with targets required.

use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use serde::{Deserialize, Serialize};

use crate::classes::people::{Counted, Signature};
use crate::classes::{ClassTable, Source};
use crate::criteria::k_anonymity::{common_checks, KCheck};
use crate::criteria::l_diversity::LDiversityFigures;
use crate::criteria::t_closeness::{Distribution, GroundDistance, TClosenessFigures};
use crate::criteria::targets::TargetContext;
use crate::criteria::verdict::Verdict;
use crate::error::{Error, Result};
use crate::hierarchy::Hierarchy;
use crate::input::{Format, InputOptions};
use crate::options::{PopulationOptions, Settings, TableSource};
use crate::output::record_risk::RecordRisk;
use crate::policy::Roles;
use crate::risk::attacker::{JournalistRisk, MarketerRisk, PopulationClassSizes};
use crate::risk::class_sizes::ClassSizes;
use crate::risk::estimators::{PopulationUniqueness, SnbVariant};
use crate::risk::individual::IndividualRisk;
use crate::risk::population::{Population, PopulationSpec};
use crate::risk::prosecutor::ProsecutorRisk;
use crate::risk::uniqueness::SampleUniques;
use crate::tool::ToolInfo;

/// What to analyse and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    pub table: TableSource,
    /// Roles, targets and the hierarchy folder (policy file merged with flags).
    pub settings: Settings,
    pub population: PopulationOptions,
    /// l for distinct and entropy l-diversity and recursive (c,l)-diversity.
    pub l: usize,
    /// c for recursive (c,l)-diversity.
    pub c: f64,
    /// t for t-closeness.
    pub t: f64,
    /// Hierarchies of sensitive columns (hierarchical t-closeness), besides those found in the
    /// hierarchy folder.
    pub sensitive_hierarchies: Vec<(String, PathBuf)>,
    /// Write one row per record (row number, class size, risks; no values) to this file.
    pub record_risk: Option<PathBuf>,
    /// Check the columns read for direct identifiers (warnings in the outcome).
    pub scan: bool,
    /// Replace output files that exist (without it they are refused, before any work).
    #[serde(skip)]
    pub force: bool,
    /// Show a progress bar on stderr.
    #[serde(skip)]
    pub progress: bool,
}

impl Options {
    /// An analysis of `table` with `settings` and every other option at its default.
    pub fn new(table: TableSource, settings: Settings) -> Options {
        Options {
            table,
            settings,
            population: PopulationOptions::default(),
            l: 2,
            c: 3.0,
            t: 0.2,
            sensitive_hierarchies: Vec::new(),
            record_risk: None,
            scan: true,
            progress: false,
            force: false,
        }
    }
}

/// What an analysis computed.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The options it ran with.
    pub options: Options,
    /// Every figure: the `--json` document.
    pub report: AnalyzeReport,
    /// One verdict per target the settings name (none without targets).
    pub verdicts: Vec<Verdict>,
    /// The class tables the figures come from: the rows', and with an entity the people's.
    pub classes: Counted,
    pub roles: Roles,
    /// The hierarchy files read (sensitive columns), for the report.
    pub hierarchy_files: Vec<(String, PathBuf)>,
    /// Classes smaller than this must not have their values shown.
    pub disclosure_k: u64,
    /// Warnings for the user (direct identifiers read as something else).
    pub warnings: Vec<String>,
    /// Warnings the report carries too (rows counted where a person may have several rows).
    pub notices: Vec<String>,
    pub started: SystemTime,
}

/// Reads the data and computes every figure and verdict; writes the per-record file when asked.
pub fn run(options: &Options) -> Result<Outcome> {
    let started = SystemTime::now();
    if let Some(p) = &options.record_risk {
        crate::output::check_output(
            p,
            options.force,
            options.table.data.iter().chain(&options.table.classes),
        )?;
    }
    let settings = options.settings.clone().with_target_columns();
    let (source, roles) = options.table.open(&settings.roles())?;
    let warnings = if options.scan {
        crate::scan::identifier_warnings(&source, &roles, false)
    } else {
        Vec::new()
    };
    let notices = crate::scan::row_counting_warnings(&source, &roles);
    let (sensitive_hierarchies, hierarchy_files) =
        sensitive_hierarchies(options, &settings, &roles)?;
    let models = ModelOptions {
        l: options.l,
        c: options.c,
        t: options.t,
        sensitive_hierarchies,
        snb: options.population.snb,
    };
    let timing = std::env::var_os("REIDENT_TIMING").is_some();
    let clock = Instant::now();
    let progress = source.progress(!options.progress);
    let (classes, row_classes) = build(&source, &roles, &settings, options, &progress)?;
    let table = classes.counted();
    let built = clock.elapsed();
    let population = Population::resolve(
        &options.population.spec,
        table,
        &options.table.input_options(),
    )?;
    if let (Some(path), Some(rows)) = (&options.record_risk, &row_classes) {
        write_record_risk(path, rows, table, &population)?;
    }
    let population_size = population.size;
    if settings.missing == crate::policy::Missing::Wildcard {
        return run_wildcard(
            options,
            &settings,
            source,
            roles,
            classes,
            population,
            Wildcard {
                row_classes,
                warnings,
                notices,
                hierarchy_files,
                started,
            },
        );
    }
    let mut report = AnalyzeReport::with_models(&source, &roles, table, population, &models)?;
    if let (Some(p), Some(entity)) = (&classes.people, roles.entity) {
        report.dataset.records = p.rows;
        report.figures.people = Some(PeopleInfo {
            entity: roles.columns[entity].clone(),
            signature: p.signature,
            people: p.table.n_records,
            rows: p.rows,
        });
    }
    let sensitive_names = roles.names(&roles.sensitive);
    let (criteria, table_criteria) = settings.targets.build(
        table,
        &TargetContext {
            sensitive: &sensitive_names,
            hierarchy_dir: settings.hierarchies.as_deref(),
            population: Some(population_size),
            snb: options.population.snb,
        },
    )?;
    let verdicts = crate::criteria::verdict::check(table, &criteria, &table_criteria);
    if timing {
        eprintln!(
            "timing: class table {:.3} s, population, models and per-record output {:.3} s",
            built.as_secs_f64(),
            (clock.elapsed() - built).as_secs_f64()
        );
    }
    Ok(Outcome {
        options: options.clone(),
        report,
        verdicts,
        classes,
        roles,
        hierarchy_files,
        disclosure_k: settings.targets.disclosure_k(),
        warnings,
        notices,
        started,
    })
}

/// What `run` hands over to [`run_wildcard`].
struct Wildcard {
    row_classes: Option<Vec<u32>>,
    warnings: Vec<String>,
    notices: Vec<String>,
    hierarchy_files: Vec<(String, PathBuf)>,
    started: SystemTime,
}

/// The analysis when missing values are wildcards ([`crate::classes::wildcard`]): every figure
/// from the classes' matched sizes ([`crate::risk::wildcard`]), the population models invalid,
/// and the verdicts of minimum-size targets. Models that need a partition into classes
/// (sensitive attributes, people, population tables, average-risk and population-uniqueness
/// targets) are refused with the reason.
fn run_wildcard(
    options: &Options,
    settings: &Settings,
    source: Source,
    roles: Roles,
    classes: Counted,
    population: Population,
    w: Wildcard,
) -> Result<Outcome> {
    use crate::risk::wildcard as wc;
    let refuse = |what: &str| {
        Err(Error::Invalid(format!(
            "--missing wildcard with {what}: a record with a missing value counts towards several classes, and {what} needs each record in one class; use --missing value"
        )))
    };
    if roles.entity.is_some() {
        return refuse("--entity");
    }
    if !roles.sensitive.is_empty() {
        return refuse("sensitive columns (l-diversity, t-closeness)");
    }
    if matches!(options.population.spec, PopulationSpec::Table { .. }) {
        return refuse("--population-table");
    }
    let t = &settings.targets;
    if t.max_average_risk.is_some() || t.max_population_uniqueness.is_some() {
        return refuse("--max-average-risk or --max-population-uniqueness");
    }
    let table = classes.counted();
    let matched = crate::classes::wildcard::matched_sizes(table);
    let (source_kind, big) = wc::population_sizes(&matched, &population);
    if let (Some(path), Some(rows)) = (&options.record_risk, &w.row_classes) {
        let journalist: Vec<f64> = big.iter().map(|&f| 1.0 / f).collect();
        RecordRisk {
            row_classes: rows,
            class_sizes: &matched.sizes,
            per_class: vec![("journalist_risk", &journalist)],
        }
        .write(path)?;
    }
    let (journalist, marketer) = wc::attackers(table, source_kind, &big);
    let weight_name = roles
        .weight
        .map(|i| roles.columns[i].clone())
        .unwrap_or_default();
    let min_size = matched.sizes.iter().copied().min().unwrap_or(0);
    let missing_records: u64 = crate::classes::wildcard::patterns(table)
        .iter()
        .zip(&table.counts)
        .filter(|(&p, _)| p != 0)
        .map(|(_, &f)| f)
        .sum();
    let report = AnalyzeReport {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo::current(),
        dataset: DatasetInfo {
            path: source.path().display().to_string(),
            format: source.format(),
            records: table.n_records,
            columns: source.columns().len(),
            class_table: source.is_class_table(),
        },
        figures: Figures {
            roles: RoleNames::of(&roles),
            people: None,
            missing: Some(MissingInfo {
                counting: crate::policy::Missing::Wildcard,
                records_with_missing: missing_records,
            }),
            classes: wc::class_sizes(table, &matched),
            prosecutor: wc::prosecutor(table, &matched),
            sample_uniques: wc::sample_uniques(table, &matched),
            k_anonymity: crate::criteria::k_anonymity::COMMON_K
                .iter()
                .map(|&k| KCheck {
                    k,
                    met: min_size >= k,
                })
                .collect(),
            population_uniqueness: wc::population_uniqueness(
                table,
                &matched,
                population.size,
                options.population.snb,
            ),
            journalist,
            marketer,
            individual_risk: wc::individual(table, &matched, &weight_name),
            sensitive: Vec::new(),
            population,
        },
    };
    let (criteria, _) = settings.targets.build(
        table,
        &TargetContext {
            sensitive: &[],
            hierarchy_dir: settings.hierarchies.as_deref(),
            population: None,
            snb: options.population.snb,
        },
    )?;
    let Some(verdicts) = crate::criteria::verdict::check_matched(table, &matched.sizes, &criteria)
    else {
        return refuse("l-diversity or t-closeness targets");
    };
    Ok(Outcome {
        options: options.clone(),
        report,
        verdicts,
        classes,
        roles,
        hierarchy_files: w.hierarchy_files,
        disclosure_k: settings.targets.disclosure_k(),
        warnings: w.warnings,
        notices: w.notices,
        started: w.started,
    })
}

/// How missing values were counted, when not as one value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingInfo {
    /// `wildcard`: a missing or suppressed QI value (`NULL`, `*`) matches every value, and each
    /// figure reads the classes' matched sizes.
    pub counting: crate::policy::Missing,
    /// Records with at least one missing or suppressed QI value.
    pub records_with_missing: u64,
}

/// The class tables: the rows' (with each row's class for a per-record file), and with an
/// entity the people's (each row's class is then its person's class).
fn build(
    source: &Source,
    roles: &Roles,
    settings: &Settings,
    options: &Options,
    progress: &crate::progress::Progress,
) -> Result<(Counted, Option<Vec<u32>>)> {
    let want_rows = options.record_risk.is_some();
    if roles.entity.is_none() {
        let (table, rows) = source.build(roles, want_rows, progress)?;
        return Ok((Counted::rows(table), rows));
    }
    if roles.weight.is_some() {
        return Err(Error::Invalid(
            "--weight with --entity: sampling weights are given per record, and the risk is measured per person; leave the weight out".into(),
        ));
    }
    if matches!(options.population.spec, PopulationSpec::Table { .. }) {
        return Err(Error::Invalid(
            "--population-table with --entity: a population table counts QI tuples, not people's collections of them; give --population or --sampling-fraction".into(),
        ));
    }
    if let Source::Classes(file) = source {
        if want_rows {
            return Err(crate::input::records_unavailable(
                &file.path,
                "per-record output (--record-risk, row numbers)",
            ));
        }
        return Ok((
            source.counted(roles, settings.entity_signature, progress)?,
            None,
        ));
    }
    let built = source.build_people(roles, settings.entity_signature, progress)?;
    let clock = Instant::now();
    let people = built.people.table();
    if std::env::var_os("REIDENT_TIMING").is_some() {
        eprintln!(
            "timing: people grouped by signature {:.3} s {}",
            clock.elapsed().as_secs_f64(),
            crate::classes::build::hwm()
        );
    }
    let row_classes = want_rows.then(|| {
        let identity: Vec<u32> = (0..built.rows.n_classes() as u32).collect();
        let class_of_person = built.people.class_of_people(&identity, &people);
        built
            .person_of_row
            .iter()
            .map(|&p| class_of_person[p as usize])
            .collect()
    });
    Ok((
        Counted {
            rows: built.rows,
            people: Some(people),
        },
        row_classes,
    ))
}

/// One row per record: its class size, journalist risk and (with weights) individual risk.
fn write_record_risk(
    path: &std::path::Path,
    rows: &[u32],
    table: &ClassTable,
    population: &Population,
) -> Result<()> {
    let sizes = PopulationClassSizes::of(table, population);
    let journalist: Vec<f64> = sizes.sizes.iter().map(|&f| 1.0 / f).collect();
    let individual = IndividualRisk::per_class(table);
    let mut per_class: Vec<(&str, &[f64])> = vec![("journalist_risk", &journalist)];
    if let Some(ind) = &individual {
        per_class.push(("individual_risk", ind));
    }
    RecordRisk {
        row_classes: rows,
        class_sizes: &table.counts,
        per_class,
    }
    .write(path)
}

/// Sensitive columns' hierarchies, loaded, and the files they were read from.
type Loaded = (Vec<(String, Hierarchy)>, Vec<(String, PathBuf)>);

/// Hierarchies for sensitive columns: the explicit pairs, then files found in the hierarchy
/// folder. Returns them loaded, and the files read.
fn sensitive_hierarchies(options: &Options, settings: &Settings, roles: &Roles) -> Result<Loaded> {
    let sensitive = roles.names(&roles.sensitive);
    let mut out = Vec::new();
    let mut files = Vec::new();
    for (col, file) in &options.sensitive_hierarchies {
        if !sensitive.iter().any(|s| s == col) {
            return Err(Error::Invalid(format!(
                "--sensitive-hierarchy: {col:?} is not a sensitive column"
            )));
        }
        out.push((col.clone(), Hierarchy::load(file)?));
        files.push((col.clone(), file.clone()));
    }
    if let Some(dir) = &settings.hierarchies {
        for col in &sensitive {
            let path = dir.join(format!("hierarchy_{col}.csv"));
            if path.exists() && !out.iter().any(|(c, _)| c == col) {
                out.push((col.clone(), Hierarchy::load(&path)?));
                files.push((col.clone(), path));
            }
        }
    }
    Ok((out, files))
}

/// Version of the JSON document `analyze --json` prints. Bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DatasetInfo {
    pub path: String,
    pub format: Format,
    pub records: u64,
    pub columns: usize,
    /// Present (and true) when the input was a class table (`--classes`), not records.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub class_table: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoleNames {
    pub quasi_identifiers: Vec<String>,
    pub sensitive: Vec<String>,
    pub identifying: Vec<String>,
    pub insensitive: Vec<String>,
    /// The column that identifies the person, when classes count people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
}

impl RoleNames {
    pub(crate) fn of(roles: &Roles) -> Self {
        RoleNames {
            quasi_identifiers: roles.names(&roles.qi),
            sensitive: roles.names(&roles.sensitive),
            identifying: roles.names(&roles.identifying),
            insensitive: roles.names(&roles.insensitive),
            entity: roles.entity.map(|e| roles.columns[e].clone()),
        }
    }
}

/// Everything `analyze` reports: the document `--json` prints. Its figures (everything but the
/// envelope of version, tool and dataset) are reachable directly (`report.classes`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnalyzeReport {
    pub schema_version: u32,
    pub tool: ToolInfo,
    pub dataset: DatasetInfo,
    #[serde(flatten)]
    pub figures: Figures,
}

impl std::ops::Deref for AnalyzeReport {
    type Target = Figures;
    fn deref(&self) -> &Figures {
        &self.figures
    }
}

/// The people of a table whose persons may have several rows (`--entity`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeopleInfo {
    /// The column that identifies the person.
    pub entity: String,
    /// How a person's rows form their quasi-identifier.
    pub signature: Signature,
    pub people: u64,
    pub rows: u64,
}

/// The figures of an analysis: a report's `analysis` section.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Figures {
    pub roles: RoleNames,
    /// With an entity column: classes count these people (every figure below), not rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<PeopleInfo>,
    /// With `--missing wildcard`: every figure below reads matched class sizes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<MissingInfo>,
    pub classes: ClassSizes,
    pub prosecutor: ProsecutorRisk,
    pub sample_uniques: SampleUniques,
    pub k_anonymity: Vec<KCheck>,
    /// The population assumption every population-based figure below rests on.
    pub population: Population,
    pub population_uniqueness: PopulationUniqueness,
    pub journalist: JournalistRisk,
    pub marketer: MarketerRisk,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub individual_risk: Option<IndividualRisk>,
    pub sensitive: Vec<SensitiveReport>,
}

/// Targets and inputs of the sensitive-attribute models.
#[derive(Debug, Clone)]
pub struct ModelOptions {
    /// l for distinct and entropy l-diversity and for recursive (c,l)-diversity.
    pub l: usize,
    pub c: f64,
    pub t: f64,
    /// Hierarchies of sensitive columns, for the hierarchical t-closeness distance.
    pub sensitive_hierarchies: Vec<(String, Hierarchy)>,
    /// ARX's SNB formulas (the default, to match its figures) or the published ones.
    pub snb: SnbVariant,
}

impl Default for ModelOptions {
    fn default() -> Self {
        ModelOptions {
            l: 2,
            c: 3.0,
            t: 0.2,
            sensitive_hierarchies: Vec::new(),
            snb: SnbVariant::Arx,
        }
    }
}

/// l-diversity and t-closeness of one sensitive column.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SensitiveReport {
    pub column: String,
    pub l_diversity: LDiversityFigures,
    pub t_closeness: Vec<TClosenessFigures>,
}

impl SensitiveReport {
    pub(crate) fn of(table: &ClassTable, s: usize, options: &ModelOptions) -> Result<Self> {
        let h = &table.sensitive[s];
        let mut dist = Distribution::of(h);
        let mut grounds = vec![GroundDistance::Equal, GroundDistance::Ordered];
        if let Some((_, hierarchy)) = options
            .sensitive_hierarchies
            .iter()
            .find(|(name, _)| *name == h.domain.name)
        {
            dist = dist.with_hierarchy(h, hierarchy)?;
            grounds.push(GroundDistance::Hierarchical);
        }
        Ok(SensitiveReport {
            column: h.domain.name.clone(),
            l_diversity: LDiversityFigures::of(table, s, options.l, options.c),
            t_closeness: grounds
                .into_iter()
                .map(|g| TClosenessFigures::of(table, s, &dist, g, options.t))
                .collect(),
        })
    }
}

impl AnalyzeReport {
    /// Every figure of `analyze` with no population and default targets.
    pub fn new(input: &Source, roles: &Roles, table: &ClassTable) -> Self {
        let population =
            Population::resolve(&PopulationSpec::Sample, table, &InputOptions::default())
                .expect("the sample as population always resolves");
        Self::with_models(input, roles, table, population, &ModelOptions::default())
            .expect("no hierarchy, no error")
    }

    pub fn with_models(
        input: &Source,
        roles: &Roles,
        table: &ClassTable,
        population: Population,
        options: &ModelOptions,
    ) -> Result<Self> {
        let sizes = PopulationClassSizes::of(table, &population);
        let weight_name = roles
            .weight
            .map(|w| roles.columns[w].clone())
            .unwrap_or_default();
        Ok(AnalyzeReport {
            schema_version: SCHEMA_VERSION,
            tool: ToolInfo::current(),
            dataset: DatasetInfo {
                path: input.path().display().to_string(),
                format: input.format(),
                records: table.n_records,
                columns: input.columns().len(),
                class_table: input.is_class_table(),
            },
            figures: Figures {
                roles: RoleNames::of(roles),
                people: None,
                missing: None,
                classes: ClassSizes::of(table),
                prosecutor: ProsecutorRisk::of(table),
                sample_uniques: SampleUniques::of(table),
                k_anonymity: common_checks(table),
                population_uniqueness: PopulationUniqueness::of(
                    &table.counts,
                    population.size,
                    options.snb,
                ),
                journalist: JournalistRisk::of(table, &sizes),
                marketer: MarketerRisk::of(table, &sizes),
                individual_risk: IndividualRisk::of(table, &weight_name),
                sensitive: (0..table.sensitive.len())
                    .map(|s| SensitiveReport::of(table, s, options))
                    .collect::<Result<_>>()?,
                population,
            },
        })
    }
}
