//! t-closeness of a sensitive attribute (Li, Li & Venkatasubramanian, ICDE 2007): the Earth
//! Mover's Distance between a class's distribution `p` of sensitive values and the whole table's
//! distribution `q`, with one of three ground distances.
//!
//! * **equal**: every two values are at distance 1: `D = 1/2 sum_i |p_i - q_i|`;
//! * **ordered**: values in their natural order (numbers by value, text by bytes), adjacent values
//!   at distance `1 / (m - 1)`: `D = 1/(m-1) sum_i |sum_{j <= i} (p_j - q_j)|`, `m` the number of
//!   distinct values in the table;
//! * **hierarchical**: values are the leaves of a generalization hierarchy of height `H`; for every
//!   inner node `N`, `extra(N)` is the signed sum of `p - q` over its leaves, and
//!   `D = sum_N height(N)/H * min(positive, negative)` where `positive` and `negative` are the sums
//!   of the positive and of the negative `extra` of `N`'s children (the mass that must move
//!   across `N`).
//!
//! A table is t-close when every class's distance is at most t.

use hashbrown::HashMap;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Criterion;
use crate::classes::{ClassTable, Histograms};
use crate::criteria::l_diversity::Violations;
use crate::error::Result;
use crate::hierarchy::Hierarchy;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GroundDistance {
    Equal,
    Ordered,
    Hierarchical,
}

/// The table's distribution of one sensitive column, and what each distance needs.
pub struct Distribution {
    /// `q[code]`.
    pub q: Vec<f64>,
    /// Cumulative `q` in code order, and the prefix sums of those (for the ordered distance).
    cum_q: Vec<f64>,
    cum_cum_q: Vec<f64>,
    /// Hierarchical distance: for each inner level (1 to H), the parent of every child (a leaf,
    /// i.e. a value code, at level 1; a node of the level below otherwise) and the table's share
    /// `Q` of every node of that level.
    parents: Option<Vec<(Vec<u32>, Vec<f64>)>>,
}

impl Distribution {
    pub fn of(h: &Histograms) -> Self {
        let m = h.domain.values.len();
        let mut totals = vec![0u64; m];
        for (&c, &k) in h.codes.iter().zip(&h.counts) {
            totals[c as usize] += k;
        }
        let n: u64 = totals.iter().sum();
        let q: Vec<f64> = totals.iter().map(|&t| t as f64 / n as f64).collect();
        let mut cum_q = Vec::with_capacity(m);
        let mut acc = 0.0;
        for &x in &q {
            acc += x;
            cum_q.push(acc);
        }
        let mut cum_cum_q = Vec::with_capacity(m);
        let mut acc2 = 0.0;
        for &x in &cum_q {
            acc2 += x;
            cum_cum_q.push(acc2);
        }
        Distribution {
            q,
            cum_q,
            cum_cum_q,
            parents: None,
        }
    }

    /// Attaches a hierarchy for the hierarchical distance: every value of the column needs a row.
    pub fn with_hierarchy(mut self, h: &Histograms, hierarchy: &Hierarchy) -> Result<Self> {
        let levels = hierarchy.levels();
        let m = h.domain.values.len();
        let rows = h
            .domain
            .values
            .iter()
            .map(|v| {
                hierarchy
                    .row(v)
                    .ok_or_else(|| hierarchy.missing(&h.domain, v))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut parents = Vec::with_capacity(levels.saturating_sub(1));
        // The node id of every leaf at the level below (the leaves themselves at first).
        let mut below: Vec<u32> = (0..m as u32).collect();
        let mut below_count = m;
        for level in 1..levels {
            let mut ids: HashMap<&str, u32> = HashMap::new();
            let mut parent = vec![0u32; below_count];
            let mut here = Vec::with_capacity(m);
            let mut node_q = Vec::new();
            for (leaf, row) in rows.iter().enumerate() {
                let next = ids.len() as u32;
                let id = *ids.entry(row[level].as_str()).or_insert(next);
                if id as usize == node_q.len() {
                    node_q.push(0.0);
                }
                node_q[id as usize] += self.q[leaf];
                parent[below[leaf] as usize] = id;
                here.push(id);
            }
            parents.push((parent, node_q));
            below_count = ids.len();
            below = here;
        }
        self.parents = Some(parents);
        Ok(self)
    }

    /// The distance of one class.
    pub fn distance(&self, h: &Histograms, class: usize, ground: GroundDistance) -> f64 {
        let (codes, counts) = h.of(class);
        let size: u64 = counts.iter().sum();
        let p = |k: u64| k as f64 / size as f64;
        match ground {
            GroundDistance::Equal => {
                // Values absent from the class contribute q_i each.
                let mut d = 1.0;
                for (&c, &k) in codes.iter().zip(counts) {
                    let q = self.q[c as usize];
                    d += (p(k) - q).abs() - q;
                }
                (d / 2.0).max(0.0)
            }
            GroundDistance::Ordered => self.ordered(codes, counts, size),
            GroundDistance::Hierarchical => self.hierarchical(codes, counts, size),
        }
    }

    /// `sum_i |P_i - Q_i|` over all positions, where the class's cumulative `P` is constant
    /// between its own values: each run is summed in closed form from the prefix sums of `Q`.
    fn ordered(&self, codes: &[u32], counts: &[u64], size: u64) -> f64 {
        let m = self.q.len();
        if m < 2 {
            return 0.0;
        }
        let s = |i: usize| if i == 0 { 0.0 } else { self.cum_cum_q[i - 1] };
        // Sum of |pc - Q_i| for i in [a, b), Q non-decreasing.
        let run = |a: usize, b: usize, pc: f64| -> f64 {
            if a >= b {
                return 0.0;
            }
            let k = a + self.cum_q[a..b].partition_point(|&x| x < pc);
            pc * (k - a) as f64 - (s(k) - s(a)) + (s(b) - s(k)) - pc * (b - k) as f64
        };
        let mut total = 0.0;
        let mut pc = 0.0;
        let mut pos = 0usize;
        let mut acc = 0u64;
        for (&c, &k) in codes.iter().zip(counts) {
            let c = c as usize;
            total += run(pos, c, pc);
            acc += k;
            pc = acc as f64 / size as f64;
            pos = c;
        }
        total += run(pos, m, pc);
        total / (m - 1) as f64
    }

    /// Only nodes above the class's own values can cost anything: a node none of whose leaves is
    /// in the class has no positive child. For a touched node `N` with class share `P(N)` and table
    /// share `Q(N)`, `extra(N) = P(N) - Q(N)`; its untouched children add their `Q` to its negative
    /// side. So the work per class is its histogram size times the height, not the domain size.
    fn hierarchical(&self, codes: &[u32], counts: &[u64], size: u64) -> f64 {
        let Some(parents) = &self.parents else {
            return f64::NAN;
        };
        let height = parents.len() as f64;
        // Touched nodes of the current level: (id, P, Q).
        let mut cur: Vec<(u32, f64, f64)> = codes
            .iter()
            .zip(counts)
            .map(|(&c, &k)| (c, k as f64 / size as f64, self.q[c as usize]))
            .collect();
        let mut total = 0.0;
        for (level, (parent, node_q)) in parents.iter().enumerate() {
            let weight = (level + 1) as f64 / height;
            cur.sort_unstable_by_key(|t| parent[t.0 as usize]);
            let mut next = Vec::with_capacity(cur.len());
            let mut i = 0;
            while i < cur.len() {
                let n = parent[cur[i].0 as usize];
                let (mut p_sum, mut q_touched, mut pos, mut neg) = (0.0, 0.0, 0.0, 0.0);
                while i < cur.len() && parent[cur[i].0 as usize] == n {
                    let (_, p, q) = cur[i];
                    let e = p - q;
                    if e > 0.0 {
                        pos += e;
                    } else {
                        neg -= e;
                    }
                    p_sum += p;
                    q_touched += q;
                    i += 1;
                }
                let q_node = node_q[n as usize];
                neg += (q_node - q_touched).max(0.0);
                total += weight * f64::min(pos, neg);
                next.push((n, p_sum, q_node));
            }
            cur = next;
        }
        total
    }
}

/// The measurement: a sensitive attribute's largest class distance under one ground distance,
/// as `analyze` reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TClosenessFigures {
    pub column: String,
    pub distance: GroundDistance,
    /// The largest class distance: the table's t.
    pub t: f64,
    pub target: f64,
    pub above_target: Violations,
}

impl TClosenessFigures {
    pub fn of(
        table: &ClassTable,
        s: usize,
        dist: &Distribution,
        ground: GroundDistance,
        target: f64,
    ) -> Self {
        let h = &table.sensitive[s];
        let (t, classes, records) = (0..table.n_classes())
            .into_par_iter()
            .map(|k| {
                let d = dist.distance(h, k, ground);
                let bad = d > target + 1e-12;
                (d, bad as u64, if bad { table.counts[k] } else { 0 })
            })
            .reduce(
                || (0.0f64, 0u64, 0u64),
                |a, b| (a.0.max(b.0), a.1 + b.1, a.2 + b.2),
            );
        let above = Violations { classes, records };
        TClosenessFigures {
            column: h.domain.name.clone(),
            distance: ground,
            t,
            target,
            above_target: above,
        }
    }
}

/// The predicate: every class within distance t of the table.
pub struct TCloseness {
    pub sensitive: usize,
    pub column: String,
    pub t: f64,
    pub ground: GroundDistance,
    /// The distribution of the whole (original) table.
    pub distribution: Distribution,
}

impl Criterion for TCloseness {
    fn describe(&self) -> String {
        format!(
            "{}-closeness ({} distance) on {}",
            self.t,
            format!("{:?}", self.ground).to_lowercase(),
            self.column
        )
    }
    fn class_ok(&self, t: &ClassTable, c: usize) -> bool {
        self.distribution
            .distance(&t.sensitive[self.sensitive], c, self.ground)
            <= self.t + 1e-12
    }
    fn measure(&self) -> (&'static str, bool) {
        ("largest distance of a class to the table", false)
    }
    fn class_measure(&self, t: &ClassTable, c: usize) -> Option<f64> {
        Some(
            self.distribution
                .distance(&t.sensitive[self.sensitive], c, self.ground),
        )
    }
}
