//! Multivariate microaggregation by MDAV (maximum distance to average vector; Domingo-Ferrer &
//! Mateo-Sanz 2002, in the fixed-size form of Domingo-Ferrer & Torra 2005), as sdcMicro's
//! `microaggregation(method = "mdav")`:
//!
//! the columns are standardized (mean 0, population variance 1, as sdcMicro weighs distances by
//! the inverse variance); while at least 3k records are left, the record `r` farthest from their
//! centroid and the record `s` farthest from `r` are found, and `r` with its k - 1 nearest
//! records, then `s` with its k - 1 nearest among those left, form two groups; with 2k to 3k - 1
//! left, one group around the farthest from the centroid, and the rest (k to 2k - 1) is the last
//! group; under 2k, the rest is one group. Every group has k to 2k - 1 records (all of them when
//! there are fewer than 2k). Each value is replaced by its group's mean (or median).
//!
//! The quadratic algorithm scans every record left for each of the four queries of a step, so
//! it takes O(n^2 / k) distance computations (hours at a million records). Here the same steps
//! run on a k-d tree of the standardized points with deletions (a count of the records left per
//! node, the node's box as bounds): farthest-point queries by best-first search on the largest
//! distance to a box, nearest-neighbour queries on the smallest; the tree is rebuilt on the
//! records left when they fall to half. The groups are those of the quadratic algorithm up to
//! ties (equal distances go to the lowest row number; sdcMicro, which sums distances in single
//! precision, may break near-ties otherwise). The loop is sequential by nature; reading,
//! standardizing and the figures run in parallel.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// What replaces a group's values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    #[default]
    Mean,
    Median,
}

/// The groups of a microaggregation: `group[i]` for record `i`, groups numbered in the order
/// MDAV forms them.
#[derive(Debug, Clone, PartialEq)]
pub struct Groups {
    pub group: Vec<u32>,
    pub n_groups: usize,
}

/// The standardized columns: `(x - mean) / sd` with the population standard deviation (a
/// constant column stays 0).
pub fn standardize(columns: &[Vec<f64>]) -> Vec<Vec<f64>> {
    columns
        .par_iter()
        .map(|col| {
            let n = col.len() as f64;
            let mean = col.iter().sum::<f64>() / n;
            let var = col.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
            let sd = var.sqrt();
            col.iter()
                .map(|x| if sd > 0.0 { (x - mean) / sd } else { 0.0 })
                .collect()
        })
        .collect()
}

/// MDAV groups of the points `columns[d][i]` (already standardized) with group size `k >= 1`.
pub fn mdav(columns: &[Vec<f64>], k: usize) -> Groups {
    let n = columns.first().map_or(0, |c| c.len());
    let dims = columns.len();
    let k = k.max(1);
    let mut points = vec![0.0f64; n * dims];
    for (d, col) in columns.iter().enumerate() {
        for (i, &x) in col.iter().enumerate() {
            points[i * dims + d] = x;
        }
    }
    let mut group = vec![u32::MAX; n];
    let mut n_groups = 0usize;
    if n == 0 {
        return Groups { group, n_groups };
    }
    let mut tree = Tree::build(&points, dims, (0..n as u32).collect());
    let mut sum = vec![0.0f64; dims];
    for i in 0..n {
        for d in 0..dims {
            sum[d] += points[i * dims + d];
        }
    }
    let mut left = n;
    let mut outer = Outer::default();
    let take =
        |tree: &mut Tree, sum: &mut [f64], group: &mut [u32], members: &[u32], g: &mut usize| {
            for &i in members {
                group[i as usize] = *g as u32;
                tree.remove(i);
                for (d, s) in sum.iter_mut().enumerate() {
                    *s -= points[i as usize * dims + d];
                }
            }
            *g += 1;
        };
    while left >= 2 * k {
        let two = left >= 3 * k;
        let centroid: Vec<f64> = sum.iter().map(|s| s / left as f64).collect();
        let r = outer.farthest(&tree, &centroid, k);
        let r_point = points[r as usize * dims..][..dims].to_vec();
        let s = outer.farthest_known(&tree, &r_point);
        let near_r = tree.nearest(&r_point, k);
        take(&mut tree, &mut sum, &mut group, &near_r, &mut n_groups);
        left -= k;
        if two {
            let s_point = points[s as usize * dims..][..dims].to_vec();
            let near_s = tree.nearest(&s_point, k);
            take(&mut tree, &mut sum, &mut group, &near_s, &mut n_groups);
            left -= k;
        }
        if tree.live * 2 < tree.size && left > 64 {
            tree = tree.rebuilt(&points);
        }
    }
    if left > 0 {
        let rest: Vec<u32> = (0..n as u32)
            .filter(|&i| group[i as usize] == u32::MAX)
            .collect();
        take(&mut tree, &mut sum, &mut group, &rest, &mut n_groups);
    }
    Groups { group, n_groups }
}

/// The farthest-from-the-centroid queries. A k-d tree answers them poorly: the farthest point
/// from the middle of a cloud can be in any leaf near its rim, and those are a good part of all
/// leaves. But the centroid moves little from one step to the next, so the outermost points
/// seen from a centroid `q0` (those at distance at least `t`, a few thousand) are kept as
/// candidates: for a later centroid `q` at distance `e` from `q0`, a point outside them is
/// closer than `t + e` to `q` (triangle inequality), so when the best candidate is at least
/// that far it is the answer (ties included: outside points are strictly closer). Otherwise
/// the candidates are chosen again from every live point, O(n), which MDAV's removal of the
/// outermost points makes necessary only every few hundred steps. The bound holds for any
/// query point, so the step's second query (the farthest from the record just found) tries
/// the candidates first too.
#[derive(Default)]
struct Outer {
    q0: Vec<f64>,
    t: f64,
    candidates: Vec<u32>,
    /// Every live point's distance, reused from one choice of candidates to the next.
    scratch: Vec<(f64, u32)>,
}

impl Outer {
    fn farthest(&mut self, tree: &Tree, q: &[f64], k: usize) -> u32 {
        if let Ok(r) = self.among_candidates(tree, q) {
            return r;
        }
        // Choose the candidates again, around `q`.
        let mut all = std::mem::take(&mut self.scratch);
        all.clear();
        all.extend(
            (0..tree.size)
                .filter(|&p| tree.alive[p])
                .map(|p| (tree.dist(p, q).sqrt(), tree.ids[p])),
        );
        let m = ((2.0 * (2 * k * all.len()) as f64).sqrt() as usize)
            .max(64)
            .min(all.len());
        let cut = all.len() - m;
        all.select_nth_unstable_by(cut, |a, b| a.0.total_cmp(&b.0));
        self.t = all[cut].0;
        self.q0 = q.to_vec();
        self.candidates.clear();
        self.candidates
            .extend(all.iter().filter(|c| c.0 >= self.t).map(|c| c.1));
        self.scratch = all;
        self.among_candidates(tree, q)
            .unwrap_or_else(|guess| tree.farthest(q, guess))
    }

    /// The farthest live point from any `q` (the second query of a step, from the record
    /// just found): the same bound holds for every query point, so the candidates chosen
    /// around the centroid often settle it; the k-d tree otherwise.
    fn farthest_known(&mut self, tree: &Tree, q: &[f64]) -> u32 {
        self.among_candidates(tree, q)
            .unwrap_or_else(|guess| tree.farthest(q, guess))
    }

    /// The farthest live point from `q` when it is certainly among the candidates; otherwise
    /// the best candidate (squared distance, row) as a start for the tree's search.
    fn among_candidates(&mut self, tree: &Tree, q: &[f64]) -> Result<u32, (f64, u32)> {
        let none = (f64::NEG_INFINITY, u32::MAX);
        if self.q0.len() != q.len() {
            return Err(none);
        }
        self.candidates.retain(|&r| tree.is_live(r));
        let mut best = (f64::NEG_INFINITY, u32::MAX);
        for &r in &self.candidates {
            let d = tree.dist(tree.pos[r as usize] as usize, q);
            if d > best.0 || (d == best.0 && r < best.1) {
                best = (d, r);
            }
        }
        let e: f64 = self
            .q0
            .iter()
            .zip(q)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt();
        let bound = self.t + e;
        // A margin for rounding in the distances.
        let sure = best.1 != u32::MAX && best.0.sqrt() >= bound + 1e-9 * (1.0 + bound);
        if sure {
            Ok(best.1)
        } else {
            Err(best)
        }
    }
}

/// Each record's released values: its group's mean or median, per column.
pub fn aggregate(columns: &[Vec<f64>], groups: &Groups, measure: Measure) -> Vec<Vec<f64>> {
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); groups.n_groups];
    for (i, &g) in groups.group.iter().enumerate() {
        members[g as usize].push(i as u32);
    }
    columns
        .par_iter()
        .map(|col| {
            let mut out = vec![0.0; col.len()];
            for m in &members {
                let value = match measure {
                    Measure::Mean => {
                        m.iter().map(|&i| col[i as usize]).sum::<f64>() / m.len() as f64
                    }
                    Measure::Median => {
                        let mut v: Vec<f64> = m.iter().map(|&i| col[i as usize]).collect();
                        v.sort_by(f64::total_cmp);
                        let h = v.len() / 2;
                        if v.len() % 2 == 1 {
                            v[h]
                        } else {
                            (v[h - 1] + v[h]) / 2.0
                        }
                    }
                };
                for &i in m {
                    out[i as usize] = value;
                }
            }
            out
        })
        .collect()
}

/// Information loss of released values `after` against `before` (original scale): the sum of
/// squared differences (the within-group SSE for means), that sum on the standardized scale over
/// the total sum of squares (`SSE / SST`), and IL1.
pub fn information_loss(before: &[Vec<f64>], after: &[Vec<f64>]) -> (f64, f64, f64) {
    let per_col: Vec<(f64, f64, f64, f64)> = before
        .par_iter()
        .zip(after)
        .map(|(x, y)| {
            let n = x.len() as f64;
            let mean = x.iter().sum::<f64>() / n;
            let sst: f64 = x.iter().map(|v| (v - mean) * (v - mean)).sum();
            let sse: f64 = x.iter().zip(y).map(|(a, b)| (a - b) * (a - b)).sum();
            let sd = (sst / n).sqrt();
            let abs: f64 = x.iter().zip(y).map(|(a, b)| (a - b).abs()).sum();
            let il1 = if sd > 0.0 {
                abs / (std::f64::consts::SQRT_2 * sd)
            } else {
                0.0
            };
            (sse, sst, il1, n)
        })
        .collect();
    let sse: f64 = per_col.iter().map(|c| c.0).sum();
    // Standardized: each column's SSE over its SST (its standardized SST is n).
    let std_sse: f64 = per_col
        .iter()
        .map(|c| if c.1 > 0.0 { c.0 / c.1 * c.3 } else { 0.0 })
        .sum();
    let std_sst: f64 = per_col.iter().filter(|c| c.1 > 0.0).map(|c| c.3).sum();
    let cells: f64 = per_col.iter().map(|c| c.3).sum();
    let il1 = per_col.iter().map(|c| c.2).sum::<f64>() / cells.max(1.0);
    (
        sse,
        if std_sst > 0.0 {
            std_sse / std_sst
        } else {
            0.0
        },
        il1,
    )
}

/// A k-d tree over points with deletions (module documentation).
struct Tree {
    dims: usize,
    /// The points' coordinates, copied in tree order.
    coords: Vec<f64>,
    /// The row of each position in tree order.
    ids: Vec<u32>,
    /// The position of each row (u32::MAX: not in this tree).
    pos: Vec<u32>,
    alive: Vec<bool>,
    nodes: Vec<Node>,
    /// The leaf of each position.
    leaf_of: Vec<u32>,
    live: usize,
    size: usize,
}

struct Node {
    lo: usize,
    hi: usize,
    /// Children (0: a leaf).
    left: u32,
    right: u32,
    parent: u32,
    live: u32,
    min: Vec<f64>,
    max: Vec<f64>,
}

const LEAF: usize = 16;

impl Tree {
    fn build(points: &[f64], dims: usize, mut ids: Vec<u32>) -> Tree {
        let n_all = points.len() / dims.max(1);
        let size = ids.len();
        let mut nodes: Vec<Node> = Vec::with_capacity(2 * size / LEAF + 2);
        let mut stack = vec![(0usize, size, u32::MAX, 0u32, false)];
        // Iterative build: (lo, hi, parent, node index placeholder, is right child).
        while let Some((lo, hi, parent, _, is_right)) = stack.pop() {
            let idx = nodes.len() as u32;
            let mut min = vec![f64::INFINITY; dims];
            let mut max = vec![f64::NEG_INFINITY; dims];
            for &i in &ids[lo..hi] {
                for d in 0..dims {
                    let x = points[i as usize * dims + d];
                    min[d] = min[d].min(x);
                    max[d] = max[d].max(x);
                }
            }
            nodes.push(Node {
                lo,
                hi,
                left: 0,
                right: 0,
                parent,
                live: (hi - lo) as u32,
                min: min.clone(),
                max: max.clone(),
            });
            if parent != u32::MAX {
                if is_right {
                    nodes[parent as usize].right = idx;
                } else {
                    nodes[parent as usize].left = idx;
                }
            }
            if hi - lo > LEAF {
                let dim = (0..dims)
                    .max_by(|&a, &b| (max[a] - min[a]).total_cmp(&(max[b] - min[b])))
                    .unwrap_or(0);
                let mid = lo + (hi - lo) / 2;
                ids[lo..hi].select_nth_unstable_by(mid - lo, |&a, &b| {
                    points[a as usize * dims + dim]
                        .total_cmp(&points[b as usize * dims + dim])
                        .then(a.cmp(&b))
                });
                stack.push((mid, hi, idx, 0, true));
                stack.push((lo, mid, idx, 0, false));
            }
        }
        let mut coords = vec![0.0; size * dims];
        let mut pos = vec![u32::MAX; n_all];
        for (p, &i) in ids.iter().enumerate() {
            coords[p * dims..][..dims].copy_from_slice(&points[i as usize * dims..][..dims]);
            pos[i as usize] = p as u32;
        }
        let mut leaf_of = vec![0u32; size];
        for (idx, node) in nodes.iter().enumerate() {
            if node.left == 0 {
                for l in &mut leaf_of[node.lo..node.hi] {
                    *l = idx as u32;
                }
            }
        }
        Tree {
            dims,
            coords,
            ids,
            pos,
            alive: vec![true; size],
            nodes,
            leaf_of,
            live: size,
            size,
        }
    }

    fn rebuilt(&self, points: &[f64]) -> Tree {
        let ids: Vec<u32> = self
            .ids
            .iter()
            .zip(&self.alive)
            .filter(|(_, &a)| a)
            .map(|(&i, _)| i)
            .collect();
        Tree::build(points, self.dims, ids)
    }

    fn remove(&mut self, row: u32) {
        let p = self.pos[row as usize] as usize;
        if !self.alive[p] {
            return;
        }
        self.alive[p] = false;
        self.live -= 1;
        let mut node = self.leaf_of[p];
        // The counts, and the boxes shrunk to the live points: MDAV removes the outermost
        // points first, and boxes left at their first extent would make every farthest-point
        // query visit most leaves (quadratic time).
        self.shrink_leaf(node as usize);
        loop {
            let n = &mut self.nodes[node as usize];
            n.live -= 1;
            if n.parent == u32::MAX {
                break;
            }
            node = n.parent;
            self.shrink_inner(node as usize);
        }
    }

    /// A leaf's box, recomputed over its live points.
    fn shrink_leaf(&mut self, idx: usize) {
        let dims = self.dims;
        let (lo, hi) = (self.nodes[idx].lo, self.nodes[idx].hi);
        let node = &mut self.nodes[idx];
        node.min.fill(f64::INFINITY);
        node.max.fill(f64::NEG_INFINITY);
        for p in lo..hi {
            if self.alive[p] {
                for d in 0..dims {
                    let x = self.coords[p * dims + d];
                    node.min[d] = node.min[d].min(x);
                    node.max[d] = node.max[d].max(x);
                }
            }
        }
    }

    /// An inner node's box: the union of its children's that hold live points.
    fn shrink_inner(&mut self, idx: usize) {
        let (l, r) = (
            self.nodes[idx].left as usize,
            self.nodes[idx].right as usize,
        );
        let mut min = std::mem::take(&mut self.nodes[idx].min);
        let mut max = std::mem::take(&mut self.nodes[idx].max);
        min.fill(f64::INFINITY);
        max.fill(f64::NEG_INFINITY);
        for c in [l, r] {
            let child = &self.nodes[c];
            if child.live > 0 {
                for d in 0..self.dims {
                    min[d] = min[d].min(child.min[d]);
                    max[d] = max[d].max(child.max[d]);
                }
            }
        }
        self.nodes[idx].min = min;
        self.nodes[idx].max = max;
    }

    fn is_live(&self, row: u32) -> bool {
        let p = self.pos[row as usize];
        p != u32::MAX && self.alive[p as usize]
    }

    fn dist(&self, p: usize, q: &[f64]) -> f64 {
        self.coords[p * self.dims..][..self.dims]
            .iter()
            .zip(q)
            .map(|(a, b)| (a - b) * (a - b))
            .sum()
    }

    fn box_max(&self, node: &Node, q: &[f64]) -> f64 {
        (0..self.dims)
            .map(|d| {
                let a = (q[d] - node.min[d]).abs().max((node.max[d] - q[d]).abs());
                a * a
            })
            .sum()
    }

    fn box_min(&self, node: &Node, q: &[f64]) -> f64 {
        (0..self.dims)
            .map(|d| {
                let a = (node.min[d] - q[d]).max(q[d] - node.max[d]).max(0.0);
                a * a
            })
            .sum()
    }

    /// The live row farthest from `q` (ties: the lowest row).
    /// `start`: a live row and its squared distance to `q` (or `(-inf, u32::MAX)`), which
    /// lets the search skip every box that cannot beat it.
    fn farthest(&self, q: &[f64], start: (f64, u32)) -> u32 {
        let mut best = start;
        let mut heap = std::collections::BinaryHeap::new();
        heap.push((OrdF(self.box_max(&self.nodes[0], q)), 0u32));
        while let Some((OrdF(bound), idx)) = heap.pop() {
            if bound < best.0 {
                break;
            }
            let node = &self.nodes[idx as usize];
            if node.live == 0 {
                continue;
            }
            if node.left == 0 {
                for p in node.lo..node.hi {
                    if self.alive[p] {
                        let d = self.dist(p, q);
                        let row = self.ids[p];
                        if d > best.0 || (d == best.0 && row < best.1) {
                            best = (d, row);
                        }
                    }
                }
            } else {
                for child in [node.left, node.right] {
                    let c = &self.nodes[child as usize];
                    if c.live > 0 {
                        let bound = self.box_max(c, q);
                        if bound >= best.0 {
                            heap.push((OrdF(bound), child));
                        }
                    }
                }
            }
        }
        best.1
    }

    /// The `k` live rows nearest to `q` (ties: the lowest rows), nearest first.
    fn nearest(&self, q: &[f64], k: usize) -> Vec<u32> {
        // A max-heap of the best k so far, by (distance, row).
        let mut best: std::collections::BinaryHeap<(OrdF, u32)> =
            std::collections::BinaryHeap::new();
        let mut stack = vec![0u32];
        while let Some(idx) = stack.pop() {
            let node = &self.nodes[idx as usize];
            if node.live == 0 {
                continue;
            }
            if best.len() == k
                && self.box_min(node, q) > best.peek().map_or(f64::INFINITY, |b| b.0 .0)
            {
                continue;
            }
            if node.left == 0 {
                for p in node.lo..node.hi {
                    if !self.alive[p] {
                        continue;
                    }
                    let entry = (OrdF(self.dist(p, q)), self.ids[p]);
                    if best.len() < k {
                        best.push(entry);
                    } else if entry < *best.peek().expect("k > 0") {
                        best.pop();
                        best.push(entry);
                    }
                }
            } else {
                // The nearer child last, so it is searched first.
                let (l, r) = (node.left, node.right);
                let (dl, dr) = (
                    self.box_min(&self.nodes[l as usize], q),
                    self.box_min(&self.nodes[r as usize], q),
                );
                if dl <= dr {
                    stack.push(r);
                    stack.push(l);
                } else {
                    stack.push(l);
                    stack.push(r);
                }
            }
        }
        best.into_sorted_vec().into_iter().map(|(_, r)| r).collect()
    }
}

/// A float ordered totally (distances are never NaN).
#[derive(Debug, Clone, Copy, PartialEq)]
struct OrdF(f64);

impl Eq for OrdF {}

impl PartialOrd for OrdF {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OrdF {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quadratic algorithm, step by step (the reference).
    fn quadratic(columns: &[Vec<f64>], k: usize) -> Vec<u32> {
        let n = columns[0].len();
        let d2 = |a: usize, q: &[f64]| -> f64 {
            columns
                .iter()
                .zip(q)
                .map(|(c, x)| (c[a] - x) * (c[a] - x))
                .sum()
        };
        let point = |a: usize| -> Vec<f64> { columns.iter().map(|c| c[a]).collect() };
        let mut group = vec![u32::MAX; n];
        let mut g = 0u32;
        let live =
            |group: &[u32]| -> Vec<usize> { (0..n).filter(|&i| group[i] == u32::MAX).collect() };
        let farthest = |group: &[u32], q: &[f64]| -> usize {
            let mut best = (f64::NEG_INFINITY, usize::MAX);
            for i in live(group) {
                let d = d2(i, q);
                if d > best.0 {
                    best = (d, i);
                }
            }
            best.1
        };
        let nearest = |group: &[u32], q: &[f64]| -> Vec<usize> {
            let mut v: Vec<(f64, usize)> = live(group).into_iter().map(|i| (d2(i, q), i)).collect();
            v.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            v.into_iter().take(k).map(|x| x.1).collect()
        };
        loop {
            let left = live(&group);
            if left.len() < 2 * k {
                break;
            }
            let c: Vec<f64> = columns
                .iter()
                .map(|col| left.iter().map(|&i| col[i]).sum::<f64>() / left.len() as f64)
                .collect();
            let r = farthest(&group, &c);
            let s = farthest(&group, &point(r));
            for i in nearest(&group, &point(r)) {
                group[i] = g;
            }
            g += 1;
            if left.len() >= 3 * k {
                for i in nearest(&group, &point(s)) {
                    group[i] = g;
                }
                g += 1;
            }
        }
        for x in group.iter_mut().filter(|x| **x == u32::MAX) {
            *x = g;
        }
        group
    }

    fn random(n: usize, dims: usize, mut seed: u64) -> Vec<Vec<f64>> {
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % 1_000_003) as f64 / 7.0
        };
        (0..dims)
            .map(|_| (0..n).map(|_| next()).collect())
            .collect()
    }

    #[test]
    fn same_groups_as_the_quadratic_algorithm() {
        for (n, dims, k, seed) in [
            (50, 2, 3, 1),
            (333, 4, 5, 2),
            (1000, 3, 3, 3),
            (7, 2, 3, 4),
            (29, 1, 10, 5),
            // Large enough for the candidates of the centroid queries to be a small part
            // of the points and be chosen again many times.
            (6000, 4, 5, 6),
        ] {
            let cols = standardize(&random(n, dims, seed));
            let g = mdav(&cols, k);
            assert_eq!(g.group, quadratic(&cols, k), "n={n} dims={dims} k={k}");
            let mut sizes = vec![0usize; g.n_groups];
            for &x in &g.group {
                sizes[x as usize] += 1;
            }
            if n >= k {
                assert!(sizes.iter().all(|&s| s >= k && s < 2 * k), "{sizes:?}");
            }
        }
    }

    /// Many equal distances (small integer values): ties go to the lowest row, as in the
    /// quadratic algorithm, through the candidates of the centroid queries too.
    #[test]
    fn ties_as_the_quadratic_algorithm() {
        let cols: Vec<Vec<f64>> = random(3000, 3, 11)
            .into_iter()
            .map(|c| c.into_iter().map(|x| (x % 5.0).floor()).collect())
            .collect();
        let cols = standardize(&cols);
        for k in [3, 4] {
            assert_eq!(mdav(&cols, k).group, quadratic(&cols, k), "k={k}");
        }
    }

    #[test]
    fn sse_is_the_within_group_sum_of_squares() {
        let cols = random(200, 3, 9);
        let z = standardize(&cols);
        let g = mdav(&z, 4);
        let out = aggregate(&cols, &g, Measure::Mean);
        let (sse, ratio, il1) = information_loss(&cols, &out);
        // Direct: every record's squared distance to its group's mean, column by column.
        let mut direct = 0.0;
        let mut direct_std = 0.0;
        for (col, zc) in cols.iter().zip(&z) {
            for grp in 0..g.n_groups {
                let m: Vec<usize> = (0..200).filter(|&i| g.group[i] as usize == grp).collect();
                let mean = m.iter().map(|&i| col[i]).sum::<f64>() / m.len() as f64;
                let zmean = m.iter().map(|&i| zc[i]).sum::<f64>() / m.len() as f64;
                direct += m.iter().map(|&i| (col[i] - mean).powi(2)).sum::<f64>();
                direct_std += m.iter().map(|&i| (zc[i] - zmean).powi(2)).sum::<f64>();
            }
        }
        assert!((sse - direct).abs() <= 1e-9 * direct);
        assert!((ratio - direct_std / 600.0).abs() < 1e-12);
        assert!(il1 > 0.0 && ratio > 0.0 && ratio < 1.0);
        // Hand-checked: 4 records, k = 2, one column 0, 1, 10, 11: groups {0,1}, {10,11};
        // SSE = 4 * 0.25 = 1.
        let tiny = vec![vec![0.0, 1.0, 10.0, 11.0]];
        let g = mdav(&standardize(&tiny), 2);
        assert_eq!(g.group[0], g.group[1]);
        assert_eq!(g.group[2], g.group[3]);
        assert_ne!(g.group[0], g.group[2]);
        let out = aggregate(&tiny, &g, Measure::Mean);
        assert_eq!(out[0], vec![0.5, 0.5, 10.5, 10.5]);
        assert_eq!(information_loss(&tiny, &out).0, 1.0);
        let med = aggregate(
            &[vec![0.0, 1.0, 5.0, 10.0, 11.0, 30.0]],
            &Groups {
                group: vec![0, 0, 0, 1, 1, 1],
                n_groups: 2,
            },
            Measure::Median,
        );
        assert_eq!(med[0], vec![1.0, 1.0, 1.0, 11.0, 11.0, 11.0]);
    }
}
