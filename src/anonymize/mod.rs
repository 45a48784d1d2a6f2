//! `anonymize`: the optimal full-domain generalization (with suppression) that meets the targets,
//! and the transformed data.
//!
//! [`run`] builds the class table over the QIs (and the sensitive columns the targets name), a
//! hierarchy per QI (from a file, built from the values, or found in the hierarchy folder), the
//! lattice of their levels, and searches it ([`crate::search`]): the optimal search when the
//! lattice is small enough, the heuristic otherwise. The chosen transformation is measured before
//! and after, its targets are checked on the classes that are kept, and with an output path the
//! transformed data (or, from a class table, the generalized class table) is written.

use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use serde::{Deserialize, Serialize};

use crate::analyze::PeopleInfo;
use crate::classes::people::{Counted, People};
use crate::classes::{ClassTable, Source};
use crate::criteria::targets::TargetContext;
use crate::criteria::verdict::Verdict;
use crate::error::{Error, Result};
use crate::hierarchy::Hierarchy;
use crate::input::Format;
use crate::options::{PopulationOptions, Settings, TableSource};
use crate::policy::Roles;
use crate::progress::Progress;
use crate::risk::population::Population;
use crate::search::heuristic::heuristic;
use crate::search::metrics::Metric;
use crate::search::{
    evaluate_counted, failing_classes, optimal_with_progress, Generalizer, SearchResult, Target,
};
use crate::tool::ToolInfo;
use release::{write_transformed, Release, SuppressBy};

mod cells;
mod figures;
mod hierarchies;
mod release;

pub use figures::{Figures, Level, Risk, Summary, Suppression};
pub use hierarchies::{BuiltHierarchy, QiHierarchies};
pub use release::Suppressed;

/// Lattices larger than this are searched by the heuristic (not proven optimal).
pub(crate) const MAX_OPTIMAL_NODES: u64 = 100_000;

/// What to anonymize, towards which targets, and where to write the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    pub table: TableSource,
    /// Roles, targets, the hierarchy folder, the suppression limit and the metric (policy file
    /// merged with flags). Without a k target the search asks for 2-anonymity.
    pub settings: Settings,
    /// Hierarchies given per QI (files, or built from the values); the others are
    /// `hierarchy_<column>.csv` in the settings' hierarchy folder.
    pub hierarchies: QiHierarchies,
    /// Use the heuristic search even when the lattice is small enough for the optimal one.
    pub heuristic: bool,
    /// Time budget of the heuristic's improvement phase, in seconds.
    pub time_limit: f64,
    /// The population, for a population-uniqueness target.
    pub population: PopulationOptions,
    /// List the N best transformations that meet the targets.
    pub top: usize,
    /// Where to write the transformed data (`.parquet` or `.csv`).
    pub output: Option<PathBuf>,
    /// Suppressed records: removed, or kept with their QIs replaced by `*`.
    pub suppressed: Suppressed,
    /// With an entity: write the entity column to the output (it is dropped otherwise).
    #[serde(default)]
    pub keep_entity: bool,
    /// Check the columns read or written for direct identifiers (warnings in the outcome).
    pub scan: bool,
    /// Replace output files that exist (without it they are refused, before any work).
    #[serde(skip)]
    pub force: bool,
    /// The work budget (default [`crate::options::DEFAULT_MAX_WORK`]): a run estimated past
    /// it is refused before it starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_work: Option<f64>,
    /// Blank the fewest QI cells (by importance) that make every record k-anonymous when a
    /// blank matches every value, after the transformation: the records of classes that fail
    /// are kept with cells blanked instead of removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_suppression: Option<crate::sdc::LocalOptions>,
    /// Replace these numeric columns by the means (or medians) of MDAV groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub microaggregation: Option<crate::sdc::MicroOptions>,
    /// No generalization: every QI stays at level 0 (no hierarchies needed), for local
    /// suppression or microaggregation alone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_generalization: bool,
    /// Show progress bars on stderr.
    #[serde(skip)]
    pub progress: bool,
}

impl Options {
    /// An anonymization of `table` with `settings` and every other option at its default.
    pub fn new(table: TableSource, settings: Settings) -> Options {
        Options {
            table,
            settings,
            hierarchies: QiHierarchies::default(),
            heuristic: false,
            time_limit: 30.0,
            population: PopulationOptions::default(),
            top: 1,
            output: None,
            suppressed: Suppressed::Remove,
            keep_entity: false,
            scan: true,
            local_suppression: None,
            microaggregation: None,
            no_generalization: false,
            progress: false,
            max_work: None,
            force: false,
        }
    }
}

/// What an anonymization computed and wrote.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub options: Options,
    /// The figures: the `--json` document.
    pub summary: Summary,
    /// The targets checked on the classes kept.
    pub verdicts: Vec<Verdict>,
    pub roles: Roles,
    pub format: Format,
    pub disclosure_k: u64,
    /// The hierarchy files read, for the report.
    pub hierarchy_files: Vec<(String, PathBuf)>,
    /// The hierarchies built from the QIs' values (the figures list them too): a report folder
    /// keeps them as files ([`built_hierarchy_files`]).
    pub built_hierarchies: Vec<Hierarchy>,
    /// Warnings for the user (direct identifiers read or written as something else).
    pub warnings: Vec<String>,
    /// Warnings the report carries too (rows counted where a person may have several rows).
    pub notices: Vec<String>,
    pub started: SystemTime,
}

/// The search's inputs, once the data is read.
struct Prepared {
    source: Source,
    roles: Roles,
    settings: Settings,
    generalizer: Generalizer,
    hierarchies: Vec<Hierarchy>,
    /// Which of them were built from the values, and how.
    built: Vec<Option<BuiltHierarchy>>,
    suppression_limit: f64,
    metric: &'static dyn Metric,
    warnings: Vec<String>,
    /// Warnings for the report too.
    notices: Vec<String>,
    /// With an entity: the people, and each person's entity value.
    people: Option<(People, Vec<String>)>,
    /// Whether the output keeps the entity column: asked for, or it holds the pseudonyms that
    /// `safe-harbor --pseudonymize` wrote (a permitted re-identification code, 164.514(c)).
    keep_entity: bool,
    /// `--keep-entity` was given (the entity is kept whatever its values).
    keep_entity_asked: bool,
    /// The microaggregated columns that were QIs (taken out of the generalization).
    micro_qis: Vec<String>,
    /// The microaggregated columns, as indices into the source's columns.
    micro_columns: Vec<usize>,
}

/// What the cell-level steps did, for the writer.
struct Cells<'a> {
    local: Option<&'a cells::Local>,
    micro: Option<&'a cells::Micro>,
}

/// Searches the transformation, measures it and, with an output path, writes the result.
pub fn run(options: &Options) -> Result<Outcome> {
    let started = SystemTime::now();
    if let Some(p) = &options.output {
        crate::output::output_format(p)?;
        crate::output::check_output(
            p,
            options.force,
            options.table.data.iter().chain(&options.table.classes),
        )?;
    }
    let clock = Instant::now();
    let p = prepare(options)?;
    let g = &p.generalizer;
    let (target, targets, suppression) = target(options, &p)?;
    let result = if options.no_generalization {
        let zeros = vec![0; g.qis.len()];
        let node = evaluate_counted(g, &zeros, &g.counted(&zeros, None), &target);
        SearchResult {
            solutions: vec![node],
            nodes_in_lattice: 1,
            nodes_evaluated: 1,
            optimal: true,
        }
    } else {
        search(options, g, &target)
    };
    let Some(mut best) = result.solutions.first().cloned() else {
        let records = g.base.n_records;
        if let Some(k) = p.settings.targets.k.filter(|&k| k > records) {
            return Err(Error::Invalid(format!(
                "no transformation meets the targets: k = {k} is larger than the {records} records (no table of {records} records is {k}-anonymous); lower --k"
            )));
        }
        return Err(Error::Invalid(
            "no transformation meets the targets within the suppression limit (with --local-suppression, the limit is the share of records whose cells may be blanked)".into(),
        ));
    };
    if !best.anonymous && options.local_suppression.is_none() {
        return Err(Error::Invalid(format!(
            "the data without generalization misses the targets ({} records in failing classes): add --local-suppression, or leave out --no-generalization",
            best.suppressed
        )));
    }
    let node = g.counted(&best.levels, None);
    let table = node.counted();
    let mut failing = failing_classes(table, &target);
    let kept = table.retain(|c| !failing[c]);
    let disclosure_k = p.settings.targets.disclosure_k();
    let mut verdicts =
        crate::criteria::verdict::check(&kept, &target.criteria, &target.table_criteria);
    let mut after = Risk::of(table, Some(&failing));
    // Local suppression: the failing classes' records are kept, with cells blanked.
    let local = match &options.local_suppression {
        Some(o) => {
            let l = cells::local_suppression(o, &node.rows, &target)?;
            failing = vec![false; table.n_classes()];
            verdicts = l.verdicts.clone();
            after = l.after.clone();
            best.suppressed = 0;
            best.suppressed_rows = None;
            best.classes = l.after.classes;
            best.smallest = l.after.smallest_class;
            best.anonymous = true;
            best.loss = Some(p.metric.loss(g, &best.levels, &node.rows, &failing));
            Some(l)
        }
        None => None,
    };
    let micro = match (&options.microaggregation, p.source.records()) {
        (Some(o), Some(input)) => {
            let m = cells::microaggregate(input, &p.roles, o)?;
            if !p.micro_qis.is_empty() {
                // The aggregated columns are QIs: the release's classes are over both.
                cells::required_k(&target, "microaggregation of quasi-identifiers")?;
                let (rows, row_class) = p.source.build(&p.roles, true, &Progress::hidden())?;
                let _ = rows;
                let to_node = g.base_map(&best.levels);
                let row_class: Vec<u32> = row_class
                    .expect("asked for row classes")
                    .iter()
                    .map(|&c| to_node[c as usize])
                    .collect();
                let (v, r) = cells::joint_verdicts(&row_class, &failing, &m, &target)?;
                verdicts = v;
                after = r;
            }
            Some(m)
        }
        (Some(_), None) => {
            return Err(crate::input::records_unavailable(
                p.source.path(),
                "microaggregation",
            ))
        }
        (None, _) => None,
    };
    let qi_names = p.roles.names(&p.roles.qi);
    let examples = examples(&node, &failing, disclosure_k);
    let figures = Figures {
        targets,
        suppression_limit: p.suppression_limit,
        metric: p.metric.name().to_string(),
        transformation: qi_names
            .iter()
            .enumerate()
            .map(|(q, name)| Level {
                qi: name.clone(),
                level: best.levels[q],
                levels: g.qis[q].levels(),
                example: examples[q].clone(),
            })
            .collect(),
        best: match &local {
            // The records of failing classes are kept, with cells blanked.
            Some(_) => best.clone(),
            None => evaluate_counted(g, &best.levels, &node, &target),
        },
        top: result.solutions.clone(),
        before: Risk::of(g.base_counted(), None),
        after,
        before_records: g.base.n_records,
        utility_before: p.metric.loss(
            g,
            &vec![0; qi_names.len()],
            &g.base,
            &vec![false; g.base.n_classes()],
        ),
        nodes_in_lattice: result.nodes_in_lattice,
        nodes_evaluated: result.nodes_evaluated,
        optimal: result.optimal,
        seconds: clock.elapsed().as_secs_f64(),
        output: None,
        records_written: None,
        output_columns: output_columns(&p),
        suppression,
        people: p.people.as_ref().map(|(people, _)| PeopleInfo {
            entity: p.roles.columns[p.roles.entity.unwrap_or_default()].clone(),
            signature: people.signature,
            people: people.people,
            rows: people.rows,
        }),
        local_suppression: local.as_ref().map(|l| l.figures.clone()),
        microaggregation: micro.as_ref().map(|m| m.figures.clone()),
        built_hierarchies: p.built.iter().flatten().cloned().collect(),
    };
    let mut summary = Summary {
        schema_version: 1,
        tool: ToolInfo::current(),
        dataset: p.source.path().display().to_string(),
        figures,
    };
    if let Some(out) = &options.output {
        let cells = Cells {
            local: local.as_ref(),
            micro: micro.as_ref(),
        };
        let written = write_output(options, &p, &best.levels, &node, &failing, &cells, out)?;
        summary.figures.output = Some(out.display().to_string());
        summary.figures.records_written = Some(written);
    }
    let hierarchy_files = qi_names
        .iter()
        .filter_map(|q| {
            options
                .hierarchies
                .source_file(q, p.settings.hierarchies.as_deref())
                .map(|f| (q.clone(), f))
        })
        .collect();
    Ok(Outcome {
        options: options.clone(),
        summary,
        verdicts,
        format: p.source.format(),
        roles: p.roles.clone(),
        disclosure_k,
        hierarchy_files,
        built_hierarchies: p
            .built
            .iter()
            .zip(&p.hierarchies)
            .filter(|(b, _)| b.is_some())
            .map(|(_, h)| h.clone())
            .collect(),
        warnings: p.warnings.clone(),
        notices: p.notices.clone(),
        started,
    })
}

/// The search's target (the criteria, the suppression limit and the metric), the targets'
/// descriptions, and how failing classes are suppressed.
fn target<'a>(
    options: &Options,
    p: &'a Prepared,
) -> Result<(Target<'a>, Vec<String>, Suppression)> {
    let g = &p.generalizer;
    let population = match p.settings.targets.max_population_uniqueness {
        Some(_) => Some(
            Population::resolve(
                &options.population.spec,
                g.base_counted(),
                &options.table.input_options(),
            )?
            .size,
        ),
        None => None,
    };
    let (criteria, table_criteria) = p.settings.targets.build(
        g.base_counted(),
        &TargetContext {
            sensitive: &p.settings.sensitive,
            hierarchy_dir: p.settings.hierarchies.as_deref(),
            population,
            snb: options.population.snb,
        },
    )?;
    let suppression = Suppression {
        suppressed: options.suppressed.as_str().to_string(),
        rules: criteria.iter().filter_map(|c| c.class_rule()).collect(),
        without_sql_rule: criteria
            .iter()
            .filter(|c| c.class_rule().is_none())
            .map(|c| c.describe())
            .chain(
                p.people
                    .is_some()
                    .then(|| "suppression of whole people (--entity)".to_string()),
            )
            .collect(),
    };
    let targets: Vec<String> = criteria
        .iter()
        .map(|c| c.describe())
        .chain(table_criteria.iter().map(|c| c.describe()))
        .collect();
    let target = Target {
        criteria,
        table_criteria,
        suppression_limit: p.suppression_limit,
        metric: p.metric,
    };
    Ok((target, targets, suppression))
}

/// Resolves the settings, opens the data, builds the class table, the hierarchies and the
/// generalizer.
/// The longest `--time-limit`, in seconds: a year.
const MAX_TIME_LIMIT: f64 = 31_536_000.0;

fn prepare(options: &Options) -> Result<Prepared> {
    let mut settings = options.settings.clone().with_target_columns();
    let cell_level = options.local_suppression.is_some() || options.microaggregation.is_some();
    if cell_level && settings.entity.is_some() {
        return Err(Error::Invalid(
            "--local-suppression and --microaggregate with --entity: blanking cells or averaging values per row does not yet have a people-level guarantee (a person's rows could be blanked differently); leave --entity out, or use the generalization with whole-people suppression".into(),
        ));
    }
    if settings.missing == crate::policy::Missing::Wildcard && options.local_suppression.is_none() {
        return Err(Error::Invalid(
            "anonymize with --missing wildcard: the generalization search counts a missing value as one value; wildcard counting comes with --local-suppression (its blanks are wildcards)".into(),
        ));
    }
    // Microaggregated columns are not generalized: out of the lattice (their classes are
    // checked jointly after).
    let mut micro_qis = Vec::new();
    if let Some(m) = &options.microaggregation {
        micro_qis = settings
            .quasi_identifiers
            .iter()
            .filter(|q| m.columns.contains(q))
            .cloned()
            .collect();
        settings
            .quasi_identifiers
            .retain(|q| !m.columns.contains(q));
        if settings.quasi_identifiers.is_empty() {
            return Err(Error::Invalid(
                "--microaggregate: every quasi-identifier is microaggregated; name at least one other QI (the k of the release is checked over all of them)".into(),
            ));
        }
    }
    // Every anonymization is at least 2-anonymous unless told otherwise.
    settings.targets.k = Some(settings.targets.k.unwrap_or(2));
    let suppression_limit = settings.suppression_limit.unwrap_or(0.0);
    // Checked before any work (a Duration cannot hold infinity, NaN or 1e300 seconds).
    if !(0.0..=MAX_TIME_LIMIT).contains(&options.time_limit) {
        return Err(Error::Invalid(format!(
            "--time-limit {}: must be a number of seconds from 0 to {MAX_TIME_LIMIT} (a year)",
            crate::work::short(options.time_limit)
        )));
    }
    let metric = match &settings.metric {
        None => &crate::search::metrics::Loss as &dyn Metric,
        Some(name) => crate::search::metrics::by_name(name).ok_or_else(|| {
            Error::Invalid(format!("policy metric {name:?}: use loss, loss-rank, discernibility, aecs, precision or entropy"))
        })?,
    };
    let (source, roles) = options.table.open(&settings.roles())?;
    let warnings = if options.scan {
        // Insensitive columns are copied to the output, so they count as read when there is one.
        crate::scan::identifier_warnings(&source, &roles, options.output.is_some())
    } else {
        Vec::new()
    };
    let notices = crate::scan::row_counting_warnings(&source, &roles);
    let micro_columns = match &options.microaggregation {
        Some(m) => m
            .columns
            .iter()
            .map(|c| {
                source.columns().iter().position(|x| x == c).ok_or_else(|| {
                    Error::Invalid(format!(
                        "--microaggregate: no column {c:?} in {}",
                        source.path().display()
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()?,
        None => Vec::new(),
    };
    if !(0.0..=1.0).contains(&suppression_limit) {
        return Err(Error::Invalid(
            "--suppression-limit must be between 0 and 1".into(),
        ));
    }
    let qi_names = roles.names(&roles.qi);
    let progress = source.progress(!options.progress);
    let (base, people) = if roles.entity.is_some() {
        if roles.weight.is_some() {
            return Err(Error::Invalid(
                "--weight with --entity: sampling weights are given per record, and the risk is measured per person; leave the weight out".into(),
            ));
        }
        let built = source.build_people(&roles, settings.entity_signature, &progress)?;
        (built.rows, Some((built.people, built.entities)))
    } else {
        (source.class_table(&roles, &progress)?, None)
    };
    let (hierarchies, built): (Vec<Hierarchy>, Vec<Option<BuiltHierarchy>>) =
        if options.no_generalization {
            let h = cells::identity_hierarchies(&base)?;
            let none = vec![None; h.len()];
            (h, none)
        } else {
            qi_names
                .iter()
                .zip(&base.qis)
                .zip(&roles.qi)
                .map(|((q, domain), &column)| {
                    let locate = |values: &[&str]| match source.records() {
                        Some(input) => crate::hierarchy::locator(input, column)(values),
                        None => None,
                    };
                    options.hierarchies.load(
                        q,
                        domain,
                        settings.hierarchies.as_deref(),
                        &locate,
                        options.max_work,
                    )
                })
                .collect::<Result<Vec<_>>>()?
                .into_iter()
                .unzip()
        };
    let keep_entity_asked = options.keep_entity;
    let keep_entity = options.keep_entity
        || match (&source, roles.entity) {
            (Source::Records(input), Some(e)) => input.pseudonymized().contains(&roles.columns[e]),
            _ => false,
        };
    check_work(options, &base, &hierarchies)?;
    let mut generalizer = Generalizer::new(base, &hierarchies)?;
    if let Some((people, _)) = &people {
        generalizer = generalizer.with_people(people.table());
    }
    Ok(Prepared {
        source,
        roles,
        settings,
        generalizer,
        hierarchies,
        built,
        suppression_limit,
        metric,
        warnings,
        notices,
        people,
        keep_entity,
        keep_entity_asked,
        micro_qis,
        micro_columns,
    })
}

/// The nodes of the lattice (saturating: 40 QIs of 3,000 levels do not wrap).
fn lattice_nodes(g: &Generalizer) -> u64 {
    lattice_of(&g.heights())
}

/// The nodes of the lattice of QIs of these heights (saturating).
fn lattice_of(heights: &[usize]) -> u64 {
    heights
        .iter()
        .fold(1u64, |a, &h| a.saturating_mul(h as u64))
}

/// The work of the run, estimated before the generalization is built and refused past
/// `--max-work`: building it (each QI's levels x its hierarchy rows and distinct values), then
/// the search: the optimal search rolls the class table up once per node; the heuristic's greedy
/// climbs visit about the sum of the heights per step, its improvement phase is bounded by the
/// time limit.
fn check_work(options: &Options, base: &ClassTable, hierarchies: &[Hierarchy]) -> Result<()> {
    let (build, building) = crate::search::generalize::build_work(base, hierarchies);
    if options.no_generalization {
        return crate::options::check_work(
            build,
            options.max_work,
            &building,
            "use fewer quasi-identifiers",
        );
    }
    let classes = base.counts.len() as f64;
    let heights: Vec<usize> = hierarchies.iter().map(|h| h.levels()).collect();
    let lattice = lattice_of(&heights);
    if lattice > MAX_OPTIMAL_NODES || options.heuristic {
        let sum: usize = heights.iter().sum();
        let nodes = (sum as f64) * (sum as f64);
        crate::options::check_work(
            nodes * (classes + 1000.0) + build,
            options.max_work,
            &format!(
                "the heuristic's climbs over {} levels in all: about {nodes:.3e} nodes x ({classes} classes + 1000); plus {building}",
                sum
            ),
            "use fewer quasi-identifiers or hierarchies with fewer levels",
        )
    } else {
        crate::options::check_work(
            lattice as f64 * (classes + 1000.0) + build,
            options.max_work,
            &format!("{lattice} lattice nodes x ({classes} classes + 1000); plus {building}"),
            "use --heuristic (bounded by --time-limit) or hierarchies with fewer levels",
        )
    }
}

/// The optimal search when the lattice is small enough (and the heuristic is not asked for),
/// else the heuristic.
fn search(options: &Options, g: &Generalizer, target: &Target) -> SearchResult {
    let lattice = lattice_nodes(g);
    if lattice > MAX_OPTIMAL_NODES || options.heuristic {
        heuristic(
            g,
            target,
            options.top,
            std::time::Duration::from_secs_f64(options.time_limit),
        )
    } else {
        optimal_with_progress(
            g,
            target,
            options.top,
            &Progress::new(lattice, "transformations", !options.progress),
        )
    }
}

/// The columns of the output: every column but the identifying ones; from a class table, its
/// QI and sensitive columns.
fn output_columns(p: &Prepared) -> Vec<String> {
    if p.source.is_class_table() {
        p.roles
            .names(&p.roles.qi)
            .into_iter()
            .chain(p.settings.sensitive.iter().cloned())
            .collect()
    } else {
        (0..p.source.columns().len())
            .filter(|c| !p.roles.identifying.contains(c))
            .filter(|&c| p.keep_entity || p.roles.entity != Some(c))
            .map(|c| p.source.columns()[c].clone())
            .collect()
    }
}

/// Writes the release: the transformed records, or from a class table the generalized class
/// table itself (the same format, what the SQL of `reident sql --transformation` groups its
/// output into). Returns the records written.
fn write_output(
    options: &Options,
    p: &Prepared,
    levels: &[usize],
    node: &Counted,
    failing: &[bool],
    cells: &Cells,
    out: &std::path::Path,
) -> Result<u64> {
    match &p.source {
        Source::Classes(file) => {
            crate::output::refuse_overwrite(&file.path, out)?;
            let released = match cells.local {
                Some(l) => l.released.clone(),
                None => node
                    .rows
                    .suppress(failing, options.suppressed == Suppressed::Star),
            };
            crate::classes::io::write_class_table(
                &released,
                p.roles.weight.map(|w| p.roles.columns[w].as_str()),
                out,
            )?;
            Ok(released.n_records)
        }
        Source::Records(input) => {
            let by = match (&p.people, &node.people, p.roles.entity) {
                (Some((people, entities)), Some(node_people), Some(entity)) => {
                    let class_of_person =
                        people.class_of_people(&p.generalizer.base_map(levels), node_people);
                    SuppressBy::Person {
                        entity,
                        suppressed: class_of_person
                            .iter()
                            .zip(entities)
                            .filter(|(&c, _)| failing[c as usize])
                            .map(|(_, e)| e.as_str())
                            .collect(),
                        keep_entity: p.keep_entity,
                        by_mark: p.keep_entity && !p.keep_entity_asked,
                    }
                }
                _ => SuppressBy::Class {
                    table: &node.rows,
                    failing,
                },
            };
            write_transformed(
                &Release {
                    input,
                    roles: &p.roles,
                    hierarchies: &p.hierarchies,
                    levels,
                    suppressed: options.suppressed,
                    by,
                    blanks: cells.local.map(|l| {
                        (
                            &node.rows,
                            l.suppressions.added.as_slice(),
                            options
                                .local_suppression
                                .as_ref()
                                .map(|o| o.blank)
                                .unwrap_or_default(),
                        )
                    }),
                    aggregated: cells
                        .micro
                        .map(|m| (p.micro_columns.as_slice(), m.values.as_slice())),
                },
                out,
            )
        }
    }
}

/// An example of each QI's generalized values: its most frequent value in the output, shown
/// only if at least `k` records (with an entity, `k` people) have it: a rare value is the kind
/// a report must not show.
fn examples(node: &Counted, failing: &[bool], k: u64) -> Vec<String> {
    let t = &node.rows;
    (0..t.qis.len())
        .map(|q| {
            let mut held = vec![0u64; t.qis[q].values.len()];
            match &node.people {
                None => {
                    for (c, (&code, &n)) in t.codes[q].iter().zip(&t.counts).enumerate() {
                        if !failing[c] {
                            held[code as usize] += n;
                        }
                    }
                }
                // People who have the value in one of their rows, each counted once.
                Some(p) => {
                    let mut seen: Vec<u32> = Vec::new();
                    for c in (0..p.class_count()).filter(|&c| !failing[c]) {
                        seen.clear();
                        seen.extend(p.signature_of(c).map(|(rc, _)| t.codes[q][rc as usize]));
                        seen.sort_unstable();
                        seen.dedup();
                        for &v in &seen {
                            held[v as usize] += p.table.counts[c];
                        }
                    }
                }
            }
            example_value(t, q, &held, k)
        })
        .collect()
}

/// The most frequent value of QI `q` by `held` (records or people per value), if `k` hold it.
fn example_value(t: &ClassTable, q: usize, held: &[u64], k: u64) -> String {
    let records = held;
    match records
        .iter()
        .enumerate()
        .max_by_key(|&(i, &n)| (n, std::cmp::Reverse(i)))
    {
        Some((code, &n)) if n >= k => t.qis[q].values[code].clone(),
        _ => format!("(withheld: no value has {k} records)"),
    }
}

/// The hierarchies an anonymization built from the QIs' values as files (name
/// `hierarchy_<QI>.csv`, ARX text: what the figures list with their SHA-256), for a report
/// folder to keep in its `hierarchies/` (see [`crate::report::publish_with`]), so that a
/// reviewer can read and edit what was searched and give the folder back with `--hierarchies`.
pub fn built_hierarchy_files(outcome: &Outcome) -> Result<Vec<(String, Vec<u8>)>> {
    outcome
        .summary
        .figures
        .built_hierarchies
        .iter()
        .zip(&outcome.built_hierarchies)
        .map(|(b, h)| Ok((b.file.clone(), h.arx_text()?)))
        .collect()
}
