//! The steps of `anonymize` that change cells rather than recode whole columns: local
//! suppression after (or instead of) the generalization, and microaggregation of numeric
//! columns ([`crate::sdc`]).

use std::path::Path;

use hashbrown::HashMap;

use crate::classes::wildcard::matched_sizes;
use crate::classes::{ClassTable, Domain, RollupQi};
use crate::criteria::verdict::{check_matched, Verdict};
use crate::criteria::ClassRule;
use crate::error::{Error, Result};
use crate::hierarchy::Hierarchy;
use crate::input::encode::NULL_TEXT;
use crate::input::Input;
use crate::policy::Roles;
use crate::progress::Progress;
use crate::sdc::local::{default_ranks, suppress, weights, Suppressions};
use crate::sdc::mdav::{aggregate, information_loss, mdav, standardize};
use crate::sdc::{LocalFigures, LocalOptions, LocalQi, MicroFigures, MicroOptions};
use crate::search::Target;

use super::figures::Risk;

/// One-level hierarchies (each value is its own generalization), for `--no-generalization`.
pub(super) fn identity_hierarchies(base: &ClassTable) -> Result<Vec<Hierarchy>> {
    base.qis
        .iter()
        .map(|d| {
            Hierarchy::from_rows(
                Path::new("(no generalization)"),
                d.values.iter().map(|v| vec![v.clone()]).collect(),
            )
        })
        .collect()
}

/// The k that local suppression (or the joint check of a microaggregation) must reach: the
/// largest minimum class size of the targets, which must all be minimum sizes.
pub(super) fn required_k(target: &Target, what: &str) -> Result<u64> {
    if !target.table_criteria.is_empty() {
        return Err(Error::Invalid(format!(
            "{what} reaches k-anonymity (and highest-risk bounds); average-risk and population-uniqueness targets are not supported with it"
        )));
    }
    let mut k = 1;
    for c in &target.criteria {
        match c.class_rule() {
            Some(ClassRule::MinSize(n)) => k = k.max(n),
            _ => {
                return Err(Error::Invalid(format!(
                    "{what} reaches k-anonymity (and highest-risk bounds); the target {:?} is not supported with it",
                    c.describe()
                )))
            }
        }
    }
    Ok(k)
}

/// What local suppression did to a generalized table.
pub(super) struct Local {
    pub figures: LocalFigures,
    pub suppressions: Suppressions,
    /// The released table: blanked cells as `*`, classes merged as the records would group.
    pub released: ClassTable,
    pub verdicts: Vec<Verdict>,
    pub after: Risk,
}

/// Local suppression of the generalized table `t` to `k`.
pub(super) fn local_suppression(
    o: &LocalOptions,
    t: &ClassTable,
    target: &Target,
) -> Result<Local> {
    let k = required_k(target, "local suppression")?;
    let names: Vec<&str> = t.qis.iter().map(|d| d.name.as_str()).collect();
    for (qi, _) in &o.importance {
        if !names.contains(&qi.as_str()) {
            return Err(Error::Invalid(format!(
                "--importance names {qi:?}, which is not a quasi-identifier"
            )));
        }
    }
    let ranks: Vec<u32> = if o.importance.is_empty() {
        let distinct: Vec<usize> = (0..t.qis.len())
            .map(|q| {
                let mut seen = vec![false; t.qis[q].values.len()];
                for &c in &t.codes[q] {
                    seen[c as usize] = true;
                }
                seen.iter()
                    .enumerate()
                    .filter(|&(v, &s)| {
                        s && !crate::classes::wildcard::is_missing(&t.qis[q].values[v])
                    })
                    .count()
            })
            .collect();
        default_ranks(&distinct)
    } else {
        names
            .iter()
            .map(|n| {
                o.importance
                    .iter()
                    .find(|(q, _)| q == n)
                    .map(|&(_, r)| r)
                    .filter(|&r| r >= 1)
                    .ok_or_else(|| {
                        Error::Invalid(format!(
                            "--importance: give every quasi-identifier a rank of 1 or more ({n:?} has none), e.g. --importance {}",
                            names.iter().enumerate().map(|(i, q)| format!("{q}={}", i + 1)).collect::<Vec<_>>().join(",")
                        ))
                    })
            })
            .collect::<Result<_>>()?
    };
    let w = weights(&ranks);
    let s = suppress(t, k, &w)?;
    let released = blanked(t, &s.masks);
    let sizes = matched_sizes(&released).sizes;
    let verdicts = check_matched(&released, &sizes, &target.criteria)
        .expect("required_k checked every criterion");
    let smallest = sizes.iter().copied().min().unwrap_or(0);
    let expected: f64 = released
        .counts
        .iter()
        .zip(&sizes)
        .map(|(&f, &m)| f as f64 / m as f64)
        .sum();
    let after = Risk {
        classes: released.n_classes() as u64,
        smallest_class: smallest,
        highest_prosecutor_risk: if smallest == 0 {
            0.0
        } else {
            1.0 / smallest as f64
        },
        average_prosecutor_risk: expected / released.n_records.max(1) as f64,
    };
    let records = s
        .added
        .iter()
        .zip(&t.counts)
        .filter(|(a, _)| **a != 0)
        .map(|(_, &n)| n)
        .sum();
    let figures = LocalFigures {
        k,
        qis: names
            .iter()
            .enumerate()
            .map(|(q, n)| LocalQi {
                qi: n.to_string(),
                importance: ranks[q],
                weight: w[q],
                cells: s.per_qi[q],
            })
            .collect(),
        cells: s.cells(),
        records,
        cost: s.cost,
        optimal: s.optimal,
        smallest_matched: s.smallest,
        blank: o.blank,
    };
    Ok(Local {
        figures,
        suppressions: s,
        released,
        verdicts,
        after,
    })
}

/// The table with each class's masked QIs replaced by `*`, classes merged as the records would
/// group when read back.
pub(super) fn blanked(t: &ClassTable, masks: &[u128]) -> ClassTable {
    let mut out = t.clone();
    for (q, (d, col)) in out.qis.iter_mut().zip(out.codes.iter_mut()).enumerate() {
        if !masks.iter().any(|m| m >> q & 1 == 1) {
            continue;
        }
        let mut values: Vec<String> = d.values.to_vec();
        let star = match values.iter().position(|v| v == "*") {
            Some(i) => i as u32,
            None => {
                values.push("*".into());
                (values.len() - 1) as u32
            }
        };
        for (c, code) in col.iter_mut().enumerate() {
            if masks[c] >> q & 1 == 1 && t.qis[q].values[*code as usize] != NULL_TEXT {
                *code = star;
            }
        }
        *d = Domain {
            name: d.name.clone(),
            values: values.into(),
        };
    }
    let all: Vec<RollupQi> = (0..out.qis.len())
        .map(|q| RollupQi {
            source: q,
            recode: None,
        })
        .collect();
    out.rollup(&all)
}

/// A microaggregation of the records' numeric columns.
pub(super) struct Micro {
    pub figures: MicroFigures,
    /// Each record's released values, per column.
    pub values: Vec<Vec<f64>>,
}

/// Reads the columns of `o` from every record (numbers, no missing values) and microaggregates
/// them.
pub(super) fn microaggregate(input: &Input, roles: &Roles, o: &MicroOptions) -> Result<Micro> {
    if o.k < 2 {
        return Err(Error::Invalid(
            "--microaggregate COLUMNS:k needs k of at least 2".into(),
        ));
    }
    let cols: Vec<usize> = o
        .columns
        .iter()
        .map(|name| {
            roles.columns.iter().position(|c| c == name).ok_or_else(|| {
                Error::Invalid(format!(
                    "--microaggregate: no column {name:?} in {}",
                    input.path().display()
                ))
            })
        })
        .collect::<Result<_>>()?;
    let chunks = input.map_chunks(&cols, &Progress::hidden(), |chunk| {
        chunk
            .columns
            .iter()
            .map(|col| {
                let dict: Vec<Option<f64>> = col
                    .dict
                    .iter()
                    .map(|v| v.parse::<f64>().ok().filter(|x| x.is_finite()))
                    .collect();
                col.codes
                    .iter()
                    .map(|&c| dict[c as usize])
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<Vec<Option<f64>>>>()
    })?;
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); cols.len()];
    for chunk in chunks {
        for (j, col) in chunk.into_iter().enumerate() {
            for x in col {
                columns[j].push(x.ok_or_else(|| {
                    Error::Invalid(format!(
                        "--microaggregate: column {:?} holds a missing or non-numeric value; microaggregation needs a number in every record",
                        o.columns[j]
                    ))
                })?);
            }
        }
    }
    let n = columns.first().map_or(0, |c| c.len());
    if n < o.k {
        return Err(Error::Invalid(format!(
            "--microaggregate: {n} records, fewer than k = {}",
            o.k
        )));
    }
    let groups = mdav(&standardize(&columns), o.k);
    let values = aggregate(&columns, &groups, o.measure);
    let (sse, sse_sst, il1) = information_loss(&columns, &values);
    let mut sizes = vec![0u64; groups.n_groups];
    for &g in &groups.group {
        sizes[g as usize] += 1;
    }
    let mut distinct: HashMap<Vec<u64>, ()> = HashMap::new();
    for i in 0..n {
        distinct.insert(values.iter().map(|c| c[i].to_bits()).collect(), ());
    }
    let figures = MicroFigures {
        columns: o.columns.clone(),
        k: o.k,
        measure: o.measure,
        method: format!(
            "multivariate MDAV (Domingo-Ferrer & Torra 2005) on the standardized columns, groups of {} to {} records, each value replaced by its group's {}; exact MDAV with a k-d tree for its nearest and farthest queries",
            o.k,
            2 * o.k - 1,
            match o.measure {
                crate::sdc::mdav::Measure::Mean => "mean",
                crate::sdc::mdav::Measure::Median => "median",
            }
        ),
        records: n as u64,
        groups: groups.n_groups as u64,
        smallest_group: sizes.iter().copied().min().unwrap_or(0),
        largest_group: sizes.iter().copied().max().unwrap_or(0),
        sse_sst,
        sse,
        il1,
        distinct: distinct.len() as u64,
    };
    Ok(Micro { figures, values })
}

/// The verdicts of the release when microaggregated columns are QIs too: the classes of the
/// records kept, over the generalized QIs (`row_class`: each record's class of the generalized
/// table, `failing` its suppressed classes) and the released values of the aggregated columns.
pub(super) fn joint_verdicts(
    row_class: &[u32],
    failing: &[bool],
    micro: &Micro,
    target: &Target,
) -> Result<(Vec<Verdict>, Risk)> {
    let mut centroid: HashMap<Vec<u64>, u32> = HashMap::new();
    let mut joint: HashMap<(u32, u32), u64> = HashMap::new();
    for (i, &c) in row_class.iter().enumerate() {
        if failing[c as usize] {
            continue;
        }
        let key: Vec<u64> = micro.values.iter().map(|col| col[i].to_bits()).collect();
        let next = centroid.len() as u32;
        let id = *centroid.entry(key).or_insert(next);
        *joint.entry((c, id)).or_default() += 1;
    }
    let mut counts: Vec<u64> = joint.into_values().collect();
    counts.sort_unstable();
    let t = ClassTable {
        n_records: counts.iter().sum(),
        counts,
        ..ClassTable::default()
    };
    let verdicts =
        check_matched(&t, &t.counts, &target.criteria).expect("required_k checked every criterion");
    Ok((verdicts, Risk::of(&t, None)))
}
