//! Utility (information loss) metrics that rank transformations; lower is better.

use crate::classes::ClassTable;
use crate::search::generalize::Generalizer;

/// A utility metric evaluated on a generalized class table. `failing[c]` marks the classes whose
/// records are suppressed.
pub trait Metric: Sync {
    fn name(&self) -> &'static str;
    fn loss(&self, g: &Generalizer, levels: &[usize], table: &ClassTable, failing: &[bool]) -> f64;
    /// For metrics that rank by a vector (ARX's RANK aggregation): the vector compared
    /// lexicographically before the scalar.
    fn rank_vector(
        &self,
        _: &Generalizer,
        _: &[usize],
        _: &ClassTable,
        _: &[bool],
    ) -> Option<Vec<f64>> {
        None
    }
}

/// Discernibility (Bayardo & Agrawal 2005): every record is charged the size of its class; a
/// suppressed record is charged the size of the table.
pub struct Discernibility;

impl Metric for Discernibility {
    fn name(&self) -> &'static str {
        "discernibility"
    }
    fn loss(&self, _: &Generalizer, _: &[usize], t: &ClassTable, failing: &[bool]) -> f64 {
        let n = t.n_records as f64;
        t.counts
            .iter()
            .zip(failing)
            .map(|(&f, &bad)| if bad { f as f64 * n } else { (f * f) as f64 })
            .sum()
    }
}

/// Average equivalence class size (LeFevre et al. 2006): records / classes, suppressed records
/// excluded from both.
pub struct Aecs;

impl Metric for Aecs {
    fn name(&self) -> &'static str {
        "aecs"
    }
    fn loss(&self, _: &Generalizer, _: &[usize], t: &ClassTable, failing: &[bool]) -> f64 {
        let (mut records, mut classes) = (0u64, 0u64);
        for (&f, &bad) in t.counts.iter().zip(failing) {
            if !bad {
                records += f;
                classes += 1;
            }
        }
        if classes == 0 {
            return f64::INFINITY;
        }
        records as f64 / classes as f64
    }
}

/// ARX's default utility metric, "Loss" (`Metric.createLossMetric()`: Iyengar's loss metric on
/// domain shares, attributes aggregated by geometric mean). For QI `j` with hierarchy of `D_j`
/// rows, a record generalized to a value covering `s` of them costs `s / D_j`, a suppressed
/// record costs 1; the attribute's loss is `(sum - N/D_j) / (N - N/D_j)`, truncated to 10
/// decimals as ARX does; the total is the geometric mean of `1 + loss_j`, minus 1. See
/// tests/fixtures/loss/SPEC.md for the derivation and the sources.
pub struct Loss;

impl Loss {
    /// The per-attribute losses.
    pub(crate) fn per_attribute(
        g: &Generalizer,
        levels: &[usize],
        t: &ClassTable,
        failing: &[bool],
    ) -> Vec<f64> {
        let n = t.n_records as f64;
        levels
            .iter()
            .enumerate()
            .map(|(j, &l)| {
                let share = &g.qis[j].share[l];
                let domain = 1.0 / g.qis[j].share[0].first().copied().unwrap_or(1.0);
                // Every record at its value's share, then suppressed records raised to 1.
                let mut agg = g.qis[j].mass[l];
                for ((&code, &f), &bad) in t.codes[j].iter().zip(&t.counts).zip(failing) {
                    if bad {
                        agg += f as f64 * (1.0 - share[code as usize]);
                    }
                }
                let min = n / domain;
                let x = if n > min {
                    ((agg - min) / (n - min)).max(0.0)
                } else {
                    0.0
                };
                (x * 1e10).floor() / 1e10
            })
            .collect()
    }
}

impl Metric for Loss {
    fn name(&self) -> &'static str {
        "loss"
    }
    fn loss(&self, g: &Generalizer, levels: &[usize], t: &ClassTable, failing: &[bool]) -> f64 {
        let per = Self::per_attribute(g, levels, t, failing);
        let m = per.len() as f64;
        per.iter()
            .map(|&x| (x + 1.0).powf(1.0 / m))
            .product::<f64>()
            - 1.0
    }
}

/// Loss aggregated by rank (ARX's `AggregateFunction.RANK`): the per-attribute losses sorted from
/// the largest down, compared lexicographically, so the worst attribute is minimised first. The
/// scalar reported is the geometric-mean Loss of the same transformation.
pub(crate) struct LossRank;

impl Metric for LossRank {
    fn name(&self) -> &'static str {
        "loss-rank"
    }
    fn loss(&self, g: &Generalizer, levels: &[usize], t: &ClassTable, failing: &[bool]) -> f64 {
        Loss.loss(g, levels, t, failing)
    }
    fn rank_vector(
        &self,
        g: &Generalizer,
        levels: &[usize],
        t: &ClassTable,
        failing: &[bool],
    ) -> Option<Vec<f64>> {
        let mut v = Loss::per_attribute(g, levels, t, failing);
        v.sort_by(|a, b| b.total_cmp(a));
        Some(v)
    }
}

/// ARX's Precision (`MetricMDNMPrecision`, Sweeney): per QI, `(kept * level/height + suppressed)
/// / N`, averaged over the QIs. Not truncated.
pub struct Precision;

impl Metric for Precision {
    fn name(&self) -> &'static str {
        "precision"
    }
    fn loss(&self, g: &Generalizer, levels: &[usize], t: &ClassTable, failing: &[bool]) -> f64 {
        let n = t.n_records as f64;
        let suppressed: u64 = t
            .counts
            .iter()
            .zip(failing)
            .filter(|(_, &b)| b)
            .map(|(&f, _)| f)
            .sum();
        let kept = n - suppressed as f64;
        let m = levels.len() as f64;
        levels
            .iter()
            .zip(&g.qis)
            .map(|(&l, q)| {
                let h = q.levels() - 1;
                let ratio = if h == 0 { 0.0 } else { l as f64 / h as f64 };
                (kept * ratio + suppressed as f64) / n / m
            })
            .sum()
    }
}

/// ARX's default entropy metric, non-uniform entropy (`MetricMDNUNMEntropy`, de Waal & Willenborg
/// 1999): per QI, `-sum_v a_v log2(a_v / b_v)` over the original values `v` (`a_v` records with
/// `v`, `b_v` records whose value generalizes to the same label), plus, for suppressed records,
/// `-sum_l c_l log2(c_l / S)` over their generalized labels; each truncated to 10 decimals, summed
/// over the QIs.
pub struct Entropy;

impl Entropy {
    pub fn per_attribute(
        g: &Generalizer,
        levels: &[usize],
        t: &ClassTable,
        failing: &[bool],
    ) -> Vec<f64> {
        let log2 = |x: f64| x.ln() / std::f64::consts::LN_2;
        let suppressed: f64 = t
            .counts
            .iter()
            .zip(failing)
            .filter(|(_, &b)| b)
            .map(|(&f, _)| f as f64)
            .sum();
        levels
            .iter()
            .enumerate()
            .map(|(j, &l)| {
                let q = &g.qis[j];
                let map = &q.from_base[l].map;
                let mut b = vec![0u64; q.from_base[l].values.len()];
                for (v, &a) in q.base_counts.iter().enumerate() {
                    b[map[v] as usize] += a;
                }
                let mut raw = 0.0;
                for (v, &a) in q.base_counts.iter().enumerate() {
                    if a > 0 {
                        raw += a as f64 * log2(a as f64 / b[map[v] as usize] as f64);
                    }
                }
                if suppressed > 0.0 {
                    let mut c = vec![0u64; q.from_base[l].values.len()];
                    for ((&code, &f), &bad) in t.codes[j].iter().zip(&t.counts).zip(failing) {
                        if bad {
                            c[code as usize] += f;
                        }
                    }
                    for &cl in c.iter().filter(|&&x| x > 0) {
                        raw += cl as f64 * log2(cl as f64 / suppressed);
                    }
                }
                ((-raw) * 1e10).floor() / 1e10
            })
            .collect()
    }
}

impl Metric for Entropy {
    fn name(&self) -> &'static str {
        "entropy"
    }
    fn loss(&self, g: &Generalizer, levels: &[usize], t: &ClassTable, failing: &[bool]) -> f64 {
        Self::per_attribute(g, levels, t, failing).iter().sum()
    }
}

/// Every metric, by the name `--metric` and policies use.
pub(crate) const METRICS: [&(dyn Metric + Sync); 6] = [
    &Loss,
    &LossRank,
    &Discernibility,
    &Aecs,
    &Precision,
    &Entropy,
];

/// The metric of a name (`loss`, `loss-rank`, `discernibility`, `aecs`, `precision`,
/// `entropy`; case does not matter).
pub(crate) fn by_name(name: &str) -> Option<&'static dyn Metric> {
    METRICS
        .iter()
        .find(|m| m.name().eq_ignore_ascii_case(name))
        .map(|m| *m as &dyn Metric)
}
