//! Privacy models ("criteria", as ARX calls them): each model's file holds both its
//! measurement (the figures `analyze` reports) and its predicate (the per-class or whole-table
//! test that `gate` checks and the search targets).
//!
//! * [`k_anonymity`]: every class holds at least k records;
//! * [`l_diversity`]: distinct, entropy and recursive (c,l)-diversity of a sensitive attribute;
//! * [`t_closeness`]: the distance of each class's sensitive distribution to the table's;
//! * [`risk`]: bounds on prosecutor risk (highest, average) and on estimated population
//!   uniqueness, and the named presets;
//! * [`targets`]: targets as written in flags and policies, built into criteria;
//! * [`verdict`]: one verdict per target on a table, with the figure it was judged on.
//!
//! As search targets, the per-class criteria decide, class by class, whether a class of a
//! generalized table is acceptable. Records in unacceptable classes are suppressed, up to the
//! suppression limit. All of these are monotone: merging acceptable classes gives an acceptable
//! class, which is what lets a search tag whole regions of the lattice at once.
//!
//! With suppression, monotonicity of "anonymous within the suppression limit" needs more: a
//! merge of an acceptable class with a failing one must stay acceptable, so that generalizing
//! never suppresses more records. That holds for k-anonymity (and the highest-risk bound, the
//! same test) and distinct l-diversity (a union has at least the distinct values of each part),
//! not for entropy or recursive l-diversity or t-closeness, where a failing class can drag an
//! acceptable one below the bar. [`Criterion::monotone_with_suppression`] says which.

pub mod k_anonymity;
pub mod l_diversity;
pub mod risk;
pub mod t_closeness;
pub mod targets;
pub mod verdict;

pub use k_anonymity::KAnonymity;
pub use l_diversity::{LDiversity, LVariant};
pub(crate) use risk::{preset, MaxAverageRisk, MaxPopulationUniqueness, MaxProsecutorRisk};
pub use t_closeness::TCloseness;

use crate::classes::ClassTable;

/// A per-class privacy criterion.
pub trait Criterion: Sync + Send {
    /// A short description for reports: `5-anonymity`, `recursive (4,3)-diversity on occupation`.
    fn describe(&self) -> String;
    /// Whether class `c` of `t` satisfies the criterion.
    fn class_ok(&self, t: &ClassTable, c: usize) -> bool;
    /// Whether the union of an acceptable class and any other class is acceptable (see the
    /// module documentation). Every criterion here is monotone without suppression.
    fn monotone_with_suppression(&self) -> bool {
        false
    }
    /// The figure a report shows for this criterion (`"smallest class"`, ...), and whether the
    /// worst class is the one with the lowest value of [`Criterion::class_measure`].
    fn measure(&self) -> (&'static str, bool);
    /// Class `c`'s figure; `None` where it has none (recursive l on a class with fewer than l
    /// values: no c makes it diverse).
    fn class_measure(&self, t: &ClassTable, c: usize) -> Option<f64>;
    /// The criterion as a rule that an SQL engine checks per class with window functions
    /// (`reident sql --transformation`), when it is one.
    fn class_rule(&self) -> Option<ClassRule> {
        None
    }
}

/// A per-class criterion in the terms of SQL window functions over the generalized QIs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassRule {
    /// The class has at least this many records.
    MinSize(u64),
    /// The class has at least `l` distinct values of a sensitive column (`NULL` is one value).
    MinDistinct { column: String, l: usize },
}

/// A property of the whole table after suppression (average risk, population uniqueness).
pub trait TableCriterion: Sync + Send {
    fn describe(&self) -> String;
    /// `kept`: the sizes of the classes that are not suppressed.
    fn table_ok(&self, kept: &[u64]) -> bool;
    /// Whether a table that meets it still meets it after any generalization, with or without
    /// suppression. Unknown is `false`: the search then evaluates every node.
    fn monotone(&self, _with_suppression: bool) -> bool {
        false
    }
    /// The figure compared with the threshold (for reports), when there is one.
    fn measure(&self, kept: &[u64]) -> Option<f64>;
}
