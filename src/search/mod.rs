//! The generalization search over the lattice of level vectors.
//!
//! Every node is a full-domain generalization (one level per QI). A node is evaluated by rolling
//! its class table up from an already evaluated finer neighbour (one QI one level lower; the one
//! with the fewest classes), checking the privacy criteria class by class, suppressing the records
//! of failing classes when the suppression limit allows, and measuring the utility metric.
//!
//! The optimal search walks the lattice level by level (by the sum of the levels), evaluating each
//! level's nodes in parallel. When anonymity is monotone it goes top-down and tags every node
//! with a non-anonymous generalization as non-anonymous without evaluating it
//! (`optimal_with_progress`); otherwise it evaluates every node bottom-up, each rolled up from a
//! finer neighbour ([`exhaustive`]). The utility metric is measured on every anonymous node,
//! since with suppression the metrics are not monotone (the same reason ARX's Flash evaluates the
//! metric on every anonymous node it keeps).

pub mod generalize;
pub mod heuristic;
pub mod metrics;

pub(crate) use generalize::Generalizer;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::classes::people::{Counted, PeopleTable};
use crate::classes::ClassTable;
use crate::criteria::Criterion;
use crate::progress::Progress;
use metrics::Metric;

/// What the search must reach and what it minimizes.
pub struct Target<'a> {
    pub criteria: Vec<Box<dyn Criterion + 'a>>,
    /// Properties of the whole table after suppression.
    pub table_criteria: Vec<Box<dyn crate::criteria::TableCriterion + 'a>>,
    /// Share of records that may be suppressed (0 to 1).
    pub suppression_limit: f64,
    pub metric: &'a dyn Metric,
}

/// One evaluated transformation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub levels: Vec<usize>,
    pub anonymous: bool,
    /// Records in classes that fail a criterion (suppressed when the node is anonymous); with
    /// an entity, people.
    pub suppressed: u64,
    /// With an entity: the records of those people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed_rows: Option<u64>,
    /// Classes left after suppression, and the smallest of them.
    pub classes: u64,
    pub smallest: u64,
    /// The utility metric (information loss: lower is better); set for anonymous nodes.
    pub loss: Option<f64>,
    /// The metric's value whether or not the node is anonymous (suppressed records at full
    /// loss); heuristics use it to compare candidates that are not anonymous yet.
    #[serde(skip)]
    pub raw_loss: f64,
    /// For rank-aggregated metrics: the vector that orders nodes before `loss`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank_vector: Option<Vec<f64>>,
}

/// The outcome of a search.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchResult {
    /// Anonymous nodes, best (lowest loss) first; at most `top` of them.
    pub solutions: Vec<Node>,
    pub nodes_in_lattice: u64,
    pub nodes_evaluated: u64,
    pub optimal: bool,
}

/// The classes of `table` that fail some per-class criterion (their records are suppressed).
pub(crate) fn failing_classes(table: &ClassTable, target: &Target) -> Vec<bool> {
    (0..table.n_classes())
        .map(|c| !target.criteria.iter().all(|cr| cr.class_ok(table, c)))
        .collect()
}

/// Evaluates one node's table: criteria, suppression, metric.
pub fn evaluate(g: &Generalizer, levels: &[usize], table: &ClassTable, target: &Target) -> Node {
    evaluate_parts(g, levels, table, None, target)
}

/// [`evaluate`] of a node's tables: with people, the criteria judge the people-level classes,
/// the suppression limit is a share of people, every record of a suppressed person is
/// suppressed, and the metric is measured on the row-level table with those records suppressed.
pub fn evaluate_counted(
    g: &Generalizer,
    levels: &[usize],
    table: &Counted,
    target: &Target,
) -> Node {
    evaluate_parts(g, levels, &table.rows, table.people.as_ref(), target)
}

fn evaluate_parts(
    g: &Generalizer,
    levels: &[usize],
    rows: &ClassTable,
    people: Option<&PeopleTable>,
    target: &Target,
) -> Node {
    let table = people.map_or(rows, |p| &p.table);
    let n = table.n_records;
    let failing = failing_classes(table, target);
    let suppressed: u64 = table
        .counts
        .iter()
        .zip(&failing)
        .filter(|(_, &f)| f)
        .map(|(&k, _)| k)
        .sum();
    let allowed = (target.suppression_limit * n as f64 + 1e-9).floor() as u64;
    let kept_sizes: Vec<u64> = table
        .counts
        .iter()
        .zip(&failing)
        .filter(|(_, &f)| !f)
        .map(|(&k, _)| k)
        .collect();
    let anonymous = suppressed <= allowed
        && suppressed < n
        && target
            .table_criteria
            .iter()
            .all(|c| c.table_ok(&kept_sizes));
    let smallest = kept_sizes.iter().copied().min().unwrap_or(0);
    // The metric on the rows: with people, each row class split into its records that are kept
    // and those of suppressed people.
    let split = people.map(|p| split_rows(rows, &p.suppressed_rows(&failing, rows.n_classes())));
    let (metric_table, metric_failing) = match &split {
        Some((t, f)) => (t, f.as_slice()),
        None => (rows, failing.as_slice()),
    };
    let mut node = Node {
        levels: levels.to_vec(),
        anonymous,
        suppressed,
        suppressed_rows: split.as_ref().map(|(t, f)| {
            t.counts
                .iter()
                .zip(f)
                .filter(|(_, &f)| f)
                .map(|(&k, _)| k)
                .sum()
        }),
        classes: kept_sizes.len() as u64,
        smallest,
        raw_loss: target.metric.loss(g, levels, metric_table, metric_failing),
        loss: None,
        rank_vector: if anonymous {
            target
                .metric
                .rank_vector(g, levels, metric_table, metric_failing)
        } else {
            None
        },
    };
    node.loss = anonymous.then_some(node.raw_loss);
    node
}

/// The row table with each class split into the records kept and those suppressed
/// (`suppressed[c]` of class `c`), and which parts are suppressed.
pub(crate) fn split_rows(rows: &ClassTable, suppressed: &[u64]) -> (ClassTable, Vec<bool>) {
    let mut parts: Vec<(usize, u64, bool)> = Vec::with_capacity(rows.n_classes());
    for (c, (&n, &s)) in rows.counts.iter().zip(suppressed).enumerate() {
        if n > s {
            parts.push((c, n - s, false));
        }
        if s > 0 {
            parts.push((c, s, true));
        }
    }
    let table = ClassTable {
        n_records: rows.n_records,
        qis: rows.qis.clone(),
        codes: rows
            .codes
            .iter()
            .map(|col| parts.iter().map(|&(c, _, _)| col[c]).collect())
            .collect(),
        counts: parts.iter().map(|p| p.1).collect(),
        sensitive: Vec::new(),
        weights: None,
    };
    (table, parts.iter().map(|p| p.2).collect())
}

/// All level vectors whose levels sum to `sum`, in lexicographic order.
fn nodes_with_sum(heights: &[usize], sum: usize) -> Vec<Vec<usize>> {
    fn rec(h: &[usize], sum: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if h.is_empty() {
            if sum == 0 {
                out.push(cur.clone());
            }
            return;
        }
        let max_rest: usize = h[1..].iter().map(|x| x - 1).sum();
        for l in 0..h[0] {
            if l <= sum && sum - l <= max_rest {
                cur.push(l);
                rec(&h[1..], sum - l, cur, out);
                cur.pop();
            }
        }
    }
    let mut out = Vec::new();
    rec(heights, sum, &mut Vec::new(), &mut out);
    out
}

/// The optimal search. Returns the `top` best anonymous nodes (ties broken by fewer
/// generalization steps, then level vector), every anonymous node having been evaluated.
pub fn optimal(g: &Generalizer, target: &Target, top: usize) -> SearchResult {
    optimal_with_progress(g, target, top, &Progress::hidden())
}

impl Target<'_> {
    /// Whether "anonymous" (every criterion met within the suppression limit) is inherited by
    /// every generalization of a node, so that a node with a non-anonymous generalization is
    /// itself non-anonymous (see [`crate::criteria`] for which models qualify).
    pub fn anonymity_is_monotone(&self) -> bool {
        let with_suppression = self.suppression_limit > 0.0;
        self.criteria
            .iter()
            .all(|c| !with_suppression || c.monotone_with_suppression())
            && self
                .table_criteria
                .iter()
                .all(|c| c.monotone(with_suppression))
    }
}

/// [`optimal`], counting settled nodes on a progress bar.
///
/// When anonymity is monotone ([`Target::anonymity_is_monotone`]: k-anonymity and the other
/// usual targets without suppression, k-anonymity and distinct l-diversity with it), the lattice
/// is walked top-down, level by level (by the sum of the levels), in the spirit of ARX's Flash
/// predictive tagging: a node one of whose direct generalizations is not anonymous is tagged not
/// anonymous without evaluation, so only the anonymous nodes and their lower border are
/// evaluated (on Adult, 5-anonymity: 60 anonymous nodes of 4,320). The metric (not monotone
/// with suppression) is measured on every anonymous node, so the optimum is exact either way.
/// Otherwise every node is evaluated, bottom-up ([`exhaustive`]).
pub(crate) fn optimal_with_progress(
    g: &Generalizer,
    target: &Target,
    top: usize,
    progress: &Progress,
) -> SearchResult {
    if !target.anonymity_is_monotone() {
        return exhaustive(g, target, top, progress);
    }
    let heights = g.heights();
    let max_sum: usize = heights.iter().map(|h| h - 1).sum();
    let lattice: usize = heights.iter().product();
    // A node's index in mixed radix (first QI most significant), and the stride of each QI.
    let mut stride = vec![1usize; heights.len()];
    for q in (0..heights.len().saturating_sub(1)).rev() {
        stride[q] = stride[q + 1] * heights[q + 1];
    }
    let index =
        |levels: &[usize]| -> usize { levels.iter().zip(&stride).map(|(l, s)| l * s).sum() };
    // Tag per node: anonymous or not, once settled.
    let mut anonymous = vec![false; lattice];
    let mut solutions: Vec<Node> = Vec::new();
    let mut evaluated = 0u64;
    for sum in (0..=max_sum).rev() {
        let level_nodes = nodes_with_sum(&heights, sum);
        let results: Vec<(usize, Option<Node>)> = level_nodes
            .into_par_iter()
            .map(|levels| {
                let at = index(&levels);
                let tagged_not = (0..levels.len())
                    .any(|q| levels[q] + 1 < heights[q] && !anonymous[at + stride[q]]);
                if tagged_not {
                    progress.inc(1);
                    return (at, None);
                }
                let table = g.counted(&levels, None);
                let node = evaluate_counted(g, &levels, &table, target);
                progress.inc(1);
                (at, Some(node))
            })
            .collect();
        for (at, node) in results {
            if let Some(node) = node {
                evaluated += 1;
                if node.anonymous {
                    anonymous[at] = true;
                    solutions.push(node);
                }
            }
        }
        show_best(progress, &solutions, evaluated);
    }
    progress.finish();
    rank(&mut solutions);
    solutions.truncate(top.max(1));
    SearchResult {
        solutions,
        nodes_in_lattice: lattice as u64,
        nodes_evaluated: evaluated,
        optimal: true,
    }
}

/// Every node evaluated, level by level from the bottom, each rolled up from the finer
/// neighbour with the fewest classes (only the previous level's tables are kept). For targets
/// whose anonymity is not monotone (t-closeness with suppression, say).
pub fn exhaustive(
    g: &Generalizer,
    target: &Target,
    top: usize,
    progress: &Progress,
) -> SearchResult {
    let heights = g.heights();
    let max_sum: usize = heights.iter().map(|h| h - 1).sum();
    let mut previous: Vec<(Vec<usize>, Counted)> = Vec::new();
    let mut solutions: Vec<Node> = Vec::new();
    let mut evaluated = 0u64;
    for sum in 0..=max_sum {
        let level_nodes = nodes_with_sum(&heights, sum);
        let results: Vec<(Vec<usize>, Counted, Node)> = level_nodes
            .into_par_iter()
            .map(|levels| {
                // The finer neighbour with the fewest classes.
                let parent = below(&previous, &levels).min_by_key(|(_, t)| t.rows.n_classes());
                let table = g.counted(&levels, parent.map(|(p, t)| (t, p.as_slice())));
                let node = evaluate_counted(g, &levels, &table, target);
                progress.inc(1);
                (levels, table, node)
            })
            .collect();
        previous = results
            .into_iter()
            .map(|(levels, table, node)| {
                evaluated += 1;
                if node.anonymous {
                    solutions.push(node);
                }
                (levels, table)
            })
            .collect();
        show_best(progress, &solutions, evaluated);
    }
    progress.finish();
    rank(&mut solutions);
    solutions.truncate(top.max(1));
    SearchResult {
        solutions,
        nodes_in_lattice: heights.iter().map(|&h| h as u64).product(),
        nodes_evaluated: evaluated,
        optimal: true,
    }
}

/// The progress bar's note: nodes evaluated and the best anonymous node so far.
fn show_best(progress: &Progress, solutions: &[Node], evaluated: u64) {
    let best = solutions
        .iter()
        .filter_map(|n| n.loss.map(|l| (l, n)))
        .min_by(|a, b| a.0.total_cmp(&b.0));
    progress.set_message(match best {
        Some((loss, n)) => format!("{evaluated} evaluated, best {:?} loss {loss:.6}", n.levels),
        None => format!("{evaluated} evaluated, none anonymous yet"),
    });
}

/// The evaluated nodes of the level below that are finer than `levels`.
fn below<'a>(
    previous: &'a [(Vec<usize>, Counted)],
    levels: &'a [usize],
) -> impl Iterator<Item = &'a (Vec<usize>, Counted)> + 'a {
    previous
        .iter()
        .filter(move |(p, _)| p.iter().zip(levels).all(|(a, b)| a <= b))
}

/// Best first: lowest rank vector (when the metric has one), then lowest loss, then fewest
/// generalization steps (ARX keeps the lower level sum on ties), then level vector.
pub(crate) fn rank(nodes: &mut [Node]) {
    nodes.sort_by(|a, b| {
        let la = a.loss.unwrap_or(f64::INFINITY);
        let lb = b.loss.unwrap_or(f64::INFINITY);
        let va = a.rank_vector.as_deref().unwrap_or(&[]);
        let vb = b.rank_vector.as_deref().unwrap_or(&[]);
        let by_vector = va
            .iter()
            .zip(vb)
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal);
        by_vector
            .then(la.total_cmp(&lb))
            .then(
                a.levels
                    .iter()
                    .sum::<usize>()
                    .cmp(&b.levels.iter().sum::<usize>()),
            )
            .then(a.levels.cmp(&b.levels))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_sums_partition_the_lattice() {
        let h = [2, 5, 3];
        let total: usize = (0..=7).map(|s| nodes_with_sum(&h, s).len()).sum();
        assert_eq!(total, 30);
        assert_eq!(nodes_with_sum(&h, 0), vec![vec![0, 0, 0]]);
        assert_eq!(nodes_with_sum(&h, 7), vec![vec![1, 4, 2]]);
    }
}
