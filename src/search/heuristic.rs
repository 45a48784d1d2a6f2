//! A deterministic heuristic for lattices too large to search exhaustively.
//!
//! 1. Greedy ascent from the bottom: at each step every QI is raised by one level in turn, and the
//!    step that leaves the fewest records in failing classes (then the lowest loss, then the
//!    lowest QI index) is taken, until the transformation meets the targets.
//! 2. Hill climbing: moves that lower one QI by a level, or lower one and raise another, are tried
//!    in a fixed order; the best improving move is taken until none improves or time runs out.
//!
//! Nodes are rolled up from the base class table and remembered, so no node is evaluated twice.
//! The same input gives the same answer on every run (no randomness, fixed move order); the time
//! budget only cuts the climb short, and the result then says so.

use std::time::{Duration, Instant};

use hashbrown::HashMap;
use rayon::prelude::*;

use super::{evaluate_counted, rank, Node, SearchResult, Target};
use crate::search::generalize::Generalizer;

/// Records in failing classes (0 when anonymous), and the loss, for ordering candidates.
fn key(n: &Node) -> (u64, f64) {
    (
        if n.anonymous { 0 } else { n.suppressed.max(1) },
        n.raw_loss,
    )
}

pub fn heuristic(g: &Generalizer, target: &Target, top: usize, budget: Duration) -> SearchResult {
    let started = Instant::now();
    let heights = g.heights();
    let m = heights.len();
    let mut seen: HashMap<Vec<usize>, Node> = HashMap::new();
    let eval_all = |cands: Vec<Vec<usize>>, seen: &mut HashMap<Vec<usize>, Node>| -> Vec<Node> {
        let fresh: Vec<Vec<usize>> = cands
            .iter()
            .filter(|c| !seen.contains_key(*c))
            .cloned()
            .collect();
        let nodes: Vec<Node> = fresh
            .into_par_iter()
            .map(|levels| {
                let t = g.counted(&levels, None);
                evaluate_counted(g, &levels, &t, target)
            })
            .collect();
        for n in nodes {
            seen.insert(n.levels.clone(), n);
        }
        cands.iter().map(|c| seen[c].clone()).collect()
    };
    let bottom = eval_all(vec![vec![0; m]], &mut seen).remove(0);
    let mut best: Option<Node> = None;
    for rule in [Rule::FewestFailing, Rule::CheapestProgress] {
        let found = climb(
            &bottom, rule, &heights, &mut seen, &eval_all, started, budget,
        );
        if found.anonymous && best.as_ref().is_none_or(|b| found.raw_loss < b.raw_loss) {
            best = Some(found);
        }
    }
    let _ = best;
    let mut solutions: Vec<Node> = seen.values().filter(|n| n.anonymous).cloned().collect();
    rank(&mut solutions);
    solutions.truncate(top.max(1));
    SearchResult {
        solutions,
        nodes_in_lattice: heights.iter().map(|&h| h as u64).product(),
        nodes_evaluated: seen.len() as u64,
        optimal: false,
    }
}

/// How the ascent picks its next step.
#[derive(Clone, Copy)]
enum Rule {
    /// The step leaving the fewest records in failing classes (then the lowest loss).
    FewestFailing,
    /// The step with the most failing records removed per unit of loss added.
    CheapestProgress,
}

type Eval<'a> = dyn Fn(Vec<Vec<usize>>, &mut HashMap<Vec<usize>, Node>) -> Vec<Node> + 'a;

fn climb(
    bottom: &Node,
    rule: Rule,
    heights: &[usize],
    seen: &mut HashMap<Vec<usize>, Node>,
    eval_all: &Eval,
    started: Instant,
    budget: Duration,
) -> Node {
    let m = heights.len();
    let mut current = bottom.clone();
    // 1. Greedy ascent.
    while !current.anonymous {
        let cands: Vec<Vec<usize>> = (0..m)
            .filter(|&q| current.levels[q] + 1 < heights[q])
            .map(|q| {
                let mut l = current.levels.clone();
                l[q] += 1;
                l
            })
            .collect();
        if cands.is_empty() {
            break;
        }
        let nodes = eval_all(cands, seen);
        let before = (current.suppressed as f64, current.raw_loss);
        let progress = |n: &Node| {
            let gained = before.0
                - if n.anonymous {
                    0.0
                } else {
                    n.suppressed as f64
                };
            gained / (n.raw_loss - before.1).max(1e-12)
        };
        current = match rule {
            Rule::FewestFailing => nodes.into_iter().min_by(|a, b| {
                let (ka, kb) = (key(a), key(b));
                ka.0.cmp(&kb.0).then(a.raw_loss.total_cmp(&b.raw_loss))
            }),
            Rule::CheapestProgress => nodes.into_iter().max_by(|a, b| {
                progress(a)
                    .total_cmp(&progress(b))
                    .then(b.raw_loss.total_cmp(&a.raw_loss))
            }),
        }
        .expect("candidates");
    }
    // 2. Hill climbing over lower-one and lower-one-raise-another moves.
    if current.anonymous {
        loop {
            if started.elapsed() > budget {
                break;
            }
            let mut cands = Vec::new();
            for a in 0..m {
                if current.levels[a] == 0 {
                    continue;
                }
                let mut down = current.levels.clone();
                down[a] -= 1;
                cands.push(down.clone());
                for b in 0..m {
                    if b != a && down[b] + 1 < heights[b] {
                        let mut swap = down.clone();
                        swap[b] += 1;
                        cands.push(swap);
                    }
                }
            }
            let nodes = eval_all(cands, seen);
            let best = nodes
                .into_iter()
                .filter(|n| n.anonymous)
                .min_by(|a, b| key(a).1.total_cmp(&key(b).1).then(a.levels.cmp(&b.levels)));
            match best {
                Some(b)
                    if b.loss.unwrap_or(f64::INFINITY) < current.loss.unwrap_or(f64::INFINITY) =>
                {
                    current = b
                }
                _ => break,
            }
        }
    }
    current
}
