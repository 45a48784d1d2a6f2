//! `analyze`: the risk profile of a table over its quasi-identifiers.

use std::fmt::Write as _;

use serde::Serialize;

use crate::classes::{ClassTable, LocalClasses, Merger};
use crate::criteria::k_anonymity::{common_checks, KCheck};
use crate::error::{Error, Result};
use crate::input::{Format, Input};
use crate::policy::Roles;
use crate::progress::Progress;
use crate::risk::class_sizes::ClassSizes;
use crate::risk::prosecutor::ProsecutorRisk;
use crate::risk::uniqueness::SampleUniques;

/// Version of the JSON document `analyze --json` prints. Bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Reads the QI and sensitive columns of `input` and builds its class table.
pub fn build_class_table(input: &Input, roles: &Roles, progress: &Progress) -> Result<ClassTable> {
    let columns: Vec<usize> = roles.qi.iter().chain(&roles.sensitive).copied().collect();
    let names = roles.names(&columns);
    let n_qi = roles.qi.len();
    let mut merger = Merger::new(&names, n_qi);
    input.for_each_window(
        &columns,
        progress,
        |chunk| LocalClasses::from_chunk(chunk, n_qi),
        |locals| {
            merger.push(locals);
            Ok(())
        },
    )?;
    progress.finish();
    if merger.records() == 0 {
        return Err(Error::EmptyTable {
            path: input.path().clone(),
        });
    }
    Ok(merger.finish())
}

#[derive(Debug, Clone, Serialize)]
pub struct ToolInfo {
    pub name: &'static str,
    pub version: &'static str,
}

impl ToolInfo {
    pub fn current() -> Self {
        ToolInfo {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DatasetInfo {
    pub path: String,
    pub format: Format,
    pub records: u64,
    pub columns: usize,
}

#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
pub struct AnalyzeReport {
    pub schema_version: u32,
    pub tool: ToolInfo,
    pub dataset: DatasetInfo,
    pub roles: RoleNames,
    pub classes: ClassSizes,
    pub prosecutor: ProsecutorRisk,
    pub sample_uniques: SampleUniques,
    pub k_anonymity: Vec<KCheck>,
}

impl AnalyzeReport {
    pub fn new(input: &Input, roles: &Roles, table: &ClassTable) -> Self {
        AnalyzeReport {
            schema_version: SCHEMA_VERSION,
            tool: ToolInfo::current(),
            dataset: DatasetInfo {
                path: input.path().display().to_string(),
                format: input.format(),
                records: table.n_records,
                columns: input.columns().len(),
            },
            roles: RoleNames::of(roles),
            classes: ClassSizes::of(table),
            prosecutor: ProsecutorRisk::of(table),
            sample_uniques: SampleUniques::of(table),
            k_anonymity: common_checks(table),
        }
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
        s
    }
}
