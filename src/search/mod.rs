//! The generalization search over the lattice of level vectors.
//!
//! Every node is a full-domain generalization (one level per QI). A node is evaluated by rolling
//! its class table up from an already evaluated finer neighbour (one QI one level lower; the one
//! with the fewest classes), checking the privacy criteria class by class, suppressing the records
//! of failing classes when the suppression limit allows, and measuring the utility metric.
//!
//! The optimal search walks the lattice level by level (by the sum of the levels), evaluating each
//! level's nodes in parallel and keeping only the previous level's tables. Because every criterion
//! is monotone, a node whose every predecessor was tagged anonymous *without suppression* is itself
//! anonymous without suppression; the utility metric still has to be measured on it, since with
//! suppression the metrics are not monotone (this is the same reason ARX's Flash evaluates the
//! metric on every anonymous node it keeps).

pub mod criteria;
pub mod heuristic;
pub mod metrics;

use rayon::prelude::*;
use serde::Serialize;

use crate::classes::ClassTable;
use crate::generalize::Generalizer;
use crate::progress::Progress;
use criteria::Criterion;
use metrics::Metric;

/// What the search must reach and what it minimizes.
pub struct Target<'a> {
    pub criteria: Vec<Box<dyn Criterion + 'a>>,
    /// Properties of the whole table after suppression.
    pub table_criteria: Vec<Box<dyn criteria::TableCriterion + 'a>>,
    /// Share of records that may be suppressed (0 to 1).
    pub suppression_limit: f64,
    pub metric: &'a dyn Metric,
}

/// One evaluated transformation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    pub levels: Vec<usize>,
    pub anonymous: bool,
    /// Records in classes that fail a criterion (suppressed when the node is anonymous).
    pub suppressed: u64,
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
#[derive(Debug, Clone, Serialize)]
pub struct SearchResult {
    /// Anonymous nodes, best (lowest loss) first; at most `top` of them.
    pub solutions: Vec<Node>,
    pub nodes_in_lattice: u64,
    pub nodes_evaluated: u64,
    pub optimal: bool,
}

/// The classes of `table` that fail some per-class criterion (their records are suppressed).
pub fn failing_classes(table: &ClassTable, target: &Target) -> Vec<bool> {
    (0..table.n_classes())
        .map(|c| !target.criteria.iter().all(|cr| cr.class_ok(table, c)))
        .collect()
}

/// Evaluates one node's table: criteria, suppression, metric.
pub fn evaluate(g: &Generalizer, levels: &[usize], table: &ClassTable, target: &Target) -> Node {
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
    let kept = failing.iter().filter(|&&f| !f);
    let smallest = table
        .counts
        .iter()
        .zip(&failing)
        .filter(|(_, &f)| !f)
        .map(|(&k, _)| k)
        .min()
        .unwrap_or(0);
    let mut node = Node {
        levels: levels.to_vec(),
        anonymous,
        suppressed,
        classes: kept.count() as u64,
        smallest,
        raw_loss: target.metric.loss(g, levels, table, &failing),
        loss: None,
        rank_vector: if anonymous {
            target.metric.rank_vector(g, levels, table, &failing)
        } else {
            None
        },
    };
    node.loss = anonymous.then_some(node.raw_loss);
    node
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

/// Exhaustive optimal search: every node is evaluated, level by level. Returns the `top` best
/// anonymous nodes (ties broken by fewer generalization steps, then level vector).
pub fn optimal(g: &Generalizer, target: &Target, top: usize) -> SearchResult {
    optimal_with_progress(g, target, top, &Progress::hidden())
}

/// [`optimal`], counting evaluated nodes on a progress bar.
pub fn optimal_with_progress(
    g: &Generalizer,
    target: &Target,
    top: usize,
    progress: &Progress,
) -> SearchResult {
    let heights = g.heights();
    let max_sum: usize = heights.iter().map(|h| h - 1).sum();
    // Predictive tagging (as in ARX's Flash): with no suppression every criterion and metric here
    // is monotone, so a node above an anonymous node is anonymous and no better; when only the
    // best node is wanted, such nodes (and everything above them) need no evaluation.
    let prune = target.suppression_limit == 0.0 && top <= 1 && target.table_criteria.is_empty();
    let mut previous: Vec<(Vec<usize>, Option<ClassTable>)> = Vec::new();
    let mut solutions: Vec<Node> = Vec::new();
    let mut evaluated = 0u64;
    for sum in 0..=max_sum {
        let level_nodes = nodes_with_sum(&heights, sum);
        let results: Vec<(Vec<usize>, Option<ClassTable>, Option<Node>)> = level_nodes
            .into_par_iter()
            .map(|levels| {
                if prune && below(&previous, &levels).any(|(_, t)| t.is_none()) {
                    return (levels, None, None);
                }
                // The finer neighbour with the fewest classes.
                let parent = below(&previous, &levels)
                    .filter_map(|(p, t)| t.as_ref().map(|t| (p, t)))
                    .min_by_key(|(_, t)| t.n_classes());
                let table = g.table(&levels, parent.map(|(p, t)| (t, p.as_slice())));
                let node = evaluate(g, &levels, &table, target);
                progress.inc(1);
                (levels, Some(table), Some(node))
            })
            .collect();
        previous = results
            .into_iter()
            .map(|(levels, table, node)| match node {
                Some(node) => {
                    // An anonymous node is tagged (its table dropped) when pruning.
                    let tagged = prune && node.anonymous;
                    evaluated += 1;
                    if node.anonymous {
                        solutions.push(node);
                    }
                    (levels, if tagged { None } else { table })
                }
                None => (levels, None),
            })
            .collect();
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

/// The evaluated nodes of the level below that are finer than `levels`.
fn below<'a>(
    previous: &'a [(Vec<usize>, Option<ClassTable>)],
    levels: &'a [usize],
) -> impl Iterator<Item = &'a (Vec<usize>, Option<ClassTable>)> + 'a {
    previous
        .iter()
        .filter(move |(p, _)| p.iter().zip(levels).all(|(a, b)| a <= b))
}

/// Best first: lowest rank vector (when the metric has one), then lowest loss, then fewest
/// generalization steps (ARX keeps the lower level sum on ties), then level vector.
pub fn rank(nodes: &mut [Node]) {
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
