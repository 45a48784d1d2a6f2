//! `analyze`: the risk profile of a table over its quasi-identifiers.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::classes::{ClassTable, Source};
use crate::tool::ToolInfo;
use crate::criteria::k_anonymity::{common_checks, KCheck};
use crate::criteria::l_diversity::LDiversity;
use crate::criteria::t_closeness::{Distribution, GroundDistance, TCloseness};
use crate::error::Result;
use crate::hierarchy::Hierarchy;
use crate::input::InputOptions;
use crate::input::Format;
use crate::policy::Roles;
use crate::risk::population::{Population, PopulationSpec};
use crate::risk::attacker::{ClassSizeSource, JournalistRisk, MarketerRisk, PopulationClassSizes};
use crate::risk::class_sizes::ClassSizes;
use crate::risk::estimators::{Estimate, PopulationUniqueness, SnbVariant, Status};
use crate::risk::individual::IndividualRisk;
use crate::risk::prosecutor::ProsecutorRisk;
use crate::risk::uniqueness::SampleUniques;

/// Version of the JSON document `analyze --json` prints. Bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

fn estimate_text(e: &Estimate) -> String {
    let figure = match (e.share, e.population_uniques) {
        (Some(share), Some(u)) => format!("{:.6} ({:.1} population uniques)", share, u),
        _ => "no estimate".to_string(),
    };
    match &e.status {
        Status::Estimated => figure,
        Status::Exact(why) => format!("{figure} [exact: {why}]"),
        Status::Fallback(why) => format!("{figure} [fallback: {why}]"),
        Status::Invalid(why) => format!("{figure} [invalid: {why}]"),
    }
}

fn source_text(s: ClassSizeSource) -> &'static str {
    match s {
        ClassSizeSource::Table => "the population table",
        ClassSizeSource::Weights => "the sampling weights",
        ClassSizeSource::Scaled => "the sample scaled by 1/f",
        ClassSizeSource::Sample => "the sample",
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DatasetInfo {
    pub path: String,
    pub format: Format,
    pub records: u64,
    pub columns: usize,
    /// Present (and true) when the input was a class table (`--classes`), not records.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub class_table: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoleNames {
    pub quasi_identifiers: Vec<String>,
    pub sensitive: Vec<String>,
    pub identifying: Vec<String>,
    pub insensitive: Vec<String>,
}

impl RoleNames {
    pub fn of(roles: &Roles) -> Self {
        RoleNames {
            quasi_identifiers: roles.names(&roles.qi),
            sensitive: roles.names(&roles.sensitive),
            identifying: roles.names(&roles.identifying),
            insensitive: roles.names(&roles.insensitive),
        }
    }
}

/// Everything `analyze` reports. Serialized as is for `--json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnalyzeReport {
    pub schema_version: u32,
    pub tool: ToolInfo,
    pub dataset: DatasetInfo,
    pub roles: RoleNames,
    pub classes: ClassSizes,
    pub prosecutor: ProsecutorRisk,
    pub sample_uniques: SampleUniques,
    pub k_anonymity: Vec<KCheck>,
    /// The population assumption every population-based figure below rests on.
    pub population: Population,
    pub population_uniqueness: PopulationUniqueness,
    pub journalist: JournalistRisk,
    pub marketer: MarketerRisk,
    #[serde(skip_serializing_if = "Option::is_none")]
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
    pub l_diversity: LDiversity,
    pub t_closeness: Vec<TCloseness>,
}

impl SensitiveReport {
    pub fn of(table: &ClassTable, s: usize, options: &ModelOptions) -> Result<Self> {
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
            l_diversity: LDiversity::of(table, s, options.l, options.c),
            t_closeness: grounds
                .into_iter()
                .map(|g| TCloseness::of(table, s, &dist, g, options.t))
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
            roles: RoleNames::of(roles),
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
        })
    }

    /// The human-readable table printed by default.
    pub fn render_text(&self) -> String {
        let mut s = String::new();
        let c = &self.classes;
        let pct = |x: f64| format!("{:.2}%", 100.0 * x);
        let _ = writeln!(s, "reident {} — {}", self.tool.version, self.dataset.path);
        let _ = writeln!(
            s,
            "quasi-identifiers ({}): {}",
            self.roles.quasi_identifiers.len(),
            self.roles.quasi_identifiers.join(", ")
        );
        if !self.roles.sensitive.is_empty() {
            let _ = writeln!(s, "sensitive: {}", self.roles.sensitive.join(", "));
        }
        if !self.roles.identifying.is_empty() {
            let _ = writeln!(
                s,
                "identifying (not analysed): {}",
                self.roles.identifying.join(", ")
            );
        }
        let _ = writeln!(s);
        let _ = writeln!(s, "records                  {:>12}", c.records);
        let _ = writeln!(s, "equivalence classes      {:>12}", c.classes);
        let _ = writeln!(s, "smallest class (k)       {:>12}", c.smallest);
        let _ = writeln!(s, "largest class            {:>12}", c.largest);
        let _ = writeln!(s);
        let _ = writeln!(s, "class size   classes     records   records %");
        for b in &c.histogram {
            let _ = writeln!(
                s,
                "{:<10} {:>9} {:>11} {:>11}",
                b.sizes,
                b.classes,
                b.records,
                pct(b.records as f64 / c.records as f64)
            );
        }
        let p = &self.prosecutor;
        let _ = writeln!(s);
        let _ = writeln!(s, "prosecutor risk");
        let _ = writeln!(s, "  highest                {:>12.6}", p.highest);
        let _ = writeln!(s, "  average                {:>12.6}", p.average);
        for r in &p.records_above {
            let _ = writeln!(
                s,
                "  records with risk > {:<5} {:>9} ({})",
                r.threshold,
                r.records,
                pct(r.share)
            );
        }
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "sample uniques           {:>12} ({})",
            self.sample_uniques.records,
            pct(self.sample_uniques.share)
        );
        let _ = writeln!(s);
        let checks: Vec<String> = self
            .k_anonymity
            .iter()
            .map(|k| format!("k={} {}", k.k, if k.met { "yes" } else { "no" }))
            .collect();
        let _ = writeln!(s, "k-anonymity: {}", checks.join(", "));
        let _ = writeln!(s);
        let _ = writeln!(s, "population: {}", self.population.description);
        let pu = &self.population_uniqueness;
        let _ = writeln!(
            s,
            "population uniqueness (N = {}, f = {:.6})",
            pu.population_size, pu.sampling_fraction
        );
        for e in [&pu.zayatz, &pu.snb, &pu.pitman, &pu.dankar.estimate] {
            let _ = writeln!(
                s,
                "  {:<8} {}",
                format!("{:?}", e.model).to_lowercase(),
                estimate_text(e)
            );
        }
        if let Some(m) = pu.dankar.chosen {
            let _ = writeln!(
                s,
                "  (Dankar's rule chose {}: {})",
                format!("{m:?}").to_lowercase(),
                pu.dankar.reason
            );
        }
        let j = &self.journalist;
        let _ = writeln!(
            s,
            "journalist risk (population class sizes from {}): highest {:.6}, success rate {:.6}",
            source_text(j.population_class_sizes),
            j.highest,
            j.success_rate
        );
        let _ = writeln!(
            s,
            "marketer risk: success rate {:.6}",
            self.marketer.success_rate
        );
        if let Some(ir) = &self.individual_risk {
            let _ = writeln!(
                s,
                "individual risk (weights {:?}): expected re-identifications {:.3} ({}), highest {:.6}",
                ir.weight_column,
                ir.global_risk,
                pct(ir.global_share),
                ir.highest
            );
        }
        for sr in &self.sensitive {
            let l = &sr.l_diversity;
            let _ = writeln!(s);
            let _ = writeln!(s, "sensitive attribute {:?}", sr.column);
            let _ = writeln!(
                s,
                "  distinct l-diversity   l = {:<8} classes below l={}: {} ({} records)",
                l.distinct.l,
                l.distinct.target,
                l.distinct.below_target.classes,
                l.distinct.below_target.records
            );
            let _ = writeln!(
                s,
                "  entropy l-diversity    l = {:<8.4} classes below l={}: {} ({} records)",
                l.entropy.l,
                l.entropy.target,
                l.entropy.below_target.classes,
                l.entropy.below_target.records
            );
            let cs: Vec<String> = l
                .recursive
                .iter()
                .map(|r| match r.c_must_exceed {
                    Some(c) => format!("l={}: c > {c:.4}", r.l),
                    None => format!("l={}: never", r.l),
                })
                .collect();
            let _ = writeln!(s, "  recursive (c,l)        {}", cs.join(", "));
            let rt = &l.recursive_target;
            let _ = writeln!(
                s,
                "  recursive ({},{})-diversity: {} ({} classes, {} records violate)",
                rt.c,
                rt.l,
                if rt.holds { "holds" } else { "fails" },
                rt.violations.classes,
                rt.violations.records
            );
            for t in &sr.t_closeness {
                let _ = writeln!(
                    s,
                    "  t-closeness ({:<12}) t = {:<8.6} classes above t={}: {} ({} records)",
                    format!("{:?}", t.distance).to_lowercase(),
                    t.t,
                    t.target,
                    t.above_target.classes,
                    t.above_target.records
                );
            }
        }
        s
    }
}
