//! Full-domain generalization of a class table: every QI at one hierarchy level.
//!
//! A transformation is a level vector (one level per QI). Its class table is rolled up from the
//! class table of any finer transformation (each level lower or equal), never from the rows, so a
//! search can derive each node from an already evaluated neighbour with few classes.
//!
//! Memory is linear in levels x values: a QI keeps the recoding from the base to each level and
//! from each level to the next (the two a search uses: the optimal search rolls up from the
//! base, the exhaustive one from a neighbour one level finer); any other pair of levels is
//! recoded on demand from the base recodings. Keeping every pair made a 3,000-level hierarchy
//! cost 4.5 million recodes (1.4 GB).

use std::borrow::Cow;

use crate::classes::people::{Counted, PeopleTable};
use crate::classes::{ClassTable, Domain, Recode, RollupQi};
use crate::error::Result;
use crate::hierarchy::Hierarchy;

/// One QI's hierarchy applied to the base table's domain.
#[derive(Debug, Clone)]
pub struct QiLevels {
    /// `domains[l]`: the values of level `l` that occur (level 0: the base domain).
    pub domains: Vec<Domain>,
    /// `from_base[l]`: base code -> level-`l` code.
    pub from_base: Vec<Recode>,
    /// `up[l]`: level-`l` code -> level-`l + 1` code.
    up: Vec<Recode>,
    /// Whether level 0's codes are the base codes (level 0 lists each value of the data once, so
    /// it always is; checked rather than assumed): then the base recodings serve from level 0.
    level0_is_base: bool,
    /// `share[l][code]`: the domain share of a level-`l` value, as ARX defines it for a
    /// hierarchy table: the number of hierarchy rows that generalize to it over the number of
    /// rows (values the data lacks count too).
    pub share: Vec<Vec<f64>>,
    /// Records of each base value (for the entropy metric).
    pub base_counts: Vec<u64>,
    /// `mass[l]`: the sum over records of the domain share of their level-`l` value. It does not
    /// depend on how the other QIs are generalized, so the Loss metric starts from it and only
    /// walks the suppressed classes (measured: the per-class sum was a seventh of a search).
    pub mass: Vec<f64>,
}

impl QiLevels {
    pub(crate) fn new(
        domain: &Domain,
        hierarchy: &Hierarchy,
        base_counts: Vec<u64>,
    ) -> Result<Self> {
        let levels = hierarchy.levels();
        let from_base = (0..levels)
            .map(|l| hierarchy.recode(domain, l))
            .collect::<Result<Vec<Recode>>>()?;
        let domains = from_base
            .iter()
            .map(|r| Domain {
                name: domain.name.clone(),
                values: r.values.clone(),
            })
            .collect();
        let level0_is_base = from_base.first().is_some_and(|r: &Recode| {
            r.map.len() == r.values.len() && r.map.iter().enumerate().all(|(i, &c)| c as usize == i)
        });
        let up = (1..levels)
            .map(|b| between(&from_base[b - 1], &from_base[b]))
            .collect();
        let rows = hierarchy.rows.len() as f64;
        let share = from_base
            .iter()
            .enumerate()
            .map(|(l, r)| {
                let mut count: hashbrown::HashMap<&str, u64> = hashbrown::HashMap::new();
                for row in &hierarchy.rows {
                    *count.entry(row[l].as_str()).or_default() += 1;
                }
                r.values
                    .iter()
                    .map(|v| count.get(v.as_str()).copied().unwrap_or(1) as f64 / rows)
                    .collect()
            })
            .collect();
        let mass = from_base
            .iter()
            .zip(&share)
            .map(|(r, s): (&Recode, &Vec<f64>)| {
                base_counts
                    .iter()
                    .zip(&r.map)
                    .map(|(&n, &code)| n as f64 * s[code as usize])
                    .sum()
            })
            .collect();
        Ok(QiLevels {
            domains,
            from_base,
            up,
            level0_is_base,
            share,
            base_counts,
            mass,
        })
    }

    pub(crate) fn levels(&self) -> usize {
        self.domains.len()
    }

    /// The recoding from level `a` to level `b` (`a <= b`): kept from the base and between
    /// adjacent levels, computed for any other pair (in time linear in the base domain, less than
    /// the roll-up it serves).
    pub(crate) fn step(&self, a: usize, b: usize) -> Cow<'_, Recode> {
        debug_assert!(a <= b);
        if a == 0 && self.level0_is_base {
            Cow::Borrowed(&self.from_base[b])
        } else if b == a + 1 {
            Cow::Borrowed(&self.up[a])
        } else {
            Cow::Owned(between(&self.from_base[a], &self.from_base[b]))
        }
    }
}

/// The recoding from level `a` to level `b` given both recodings from the base: every base value
/// maps to one code per level and the hierarchy is a tree, so the level-`a` code determines the
/// level-`b` code.
fn between(a: &Recode, b: &Recode) -> Recode {
    let mut map = vec![0u32; a.values.len()];
    for (base, &ca) in a.map.iter().enumerate() {
        map[ca as usize] = b.map[base];
    }
    Recode {
        map,
        values: b.values.clone(),
    }
}

/// A roll-up's QIs over recodes held by the caller.
fn rollup_qis<'a>(recodes: &'a [Option<Cow<'a, Recode>>]) -> Vec<RollupQi<'a>> {
    recodes
        .iter()
        .enumerate()
        .map(|(q, r)| RollupQi {
            source: q,
            recode: r.as_deref(),
        })
        .collect()
}

/// The base class table and every QI's levels; with an entity, the base people-level table.
pub struct Generalizer {
    pub base: ClassTable,
    pub qis: Vec<QiLevels>,
    /// The people of the base table (their signatures over its classes), when classes count
    /// people: every node's people-level table is rolled up with its row table.
    pub people: Option<PeopleTable>,
}

/// The work of building a generalizer, estimated before it starts (refused past `--max-work`):
/// each QI's levels x (its hierarchy's rows + the data's distinct values), the cells recoded
/// and the codes kept; and a sentence saying so.
pub(crate) fn build_work(base: &ClassTable, hierarchies: &[Hierarchy]) -> (f64, String) {
    let mut cells = 0.0f64;
    let mut levels = 0usize;
    for (d, h) in base.qis.iter().zip(hierarchies) {
        cells += h.levels() as f64 * (h.rows.len() + d.values.len()) as f64;
        levels += h.levels();
    }
    let what = format!(
        "building the generalization: {cells:.0} cells, hierarchy levels x (hierarchy rows + distinct values) over {} quasi-identifiers, {levels} levels in all",
        hierarchies.len()
    );
    (cells, what)
}

impl Generalizer {
    pub fn new(base: ClassTable, hierarchies: &[Hierarchy]) -> Result<Self> {
        let qis = base
            .qis
            .iter()
            .zip(hierarchies)
            .enumerate()
            .map(|(q, (d, h))| {
                let mut counts = vec![0u64; d.values.len()];
                for (&code, &n) in base.codes[q].iter().zip(&base.counts) {
                    counts[code as usize] += n;
                }
                QiLevels::new(d, h, counts)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Generalizer {
            base,
            qis,
            people: None,
        })
    }

    /// The same generalizer over the people of its base table.
    pub fn with_people(mut self, people: PeopleTable) -> Self {
        self.people = Some(people);
        self
    }

    /// The table the criteria count at the base: the people's, else the rows'.
    pub fn base_counted(&self) -> &ClassTable {
        self.people.as_ref().map_or(&self.base, |p| &p.table)
    }

    /// Number of levels of each QI.
    pub(crate) fn heights(&self) -> Vec<usize> {
        self.qis.iter().map(|q| q.levels()).collect()
    }

    /// The table of `levels`, rolled up from `finer` (the table of `finer_levels`, each level lower
    /// or equal), or from the base table.
    pub fn table(&self, levels: &[usize], finer: Option<(&ClassTable, &[usize])>) -> ClassTable {
        let (table, from) = match finer {
            Some((t, f)) => (t, f.to_vec()),
            None => (&self.base, vec![0; levels.len()]),
        };
        table.rollup(&rollup_qis(&self.steps(&from, levels)))
    }

    /// The recodes of the roll-up from the table of `from` to that of `levels` (none for a QI
    /// whose level stays).
    fn steps(&self, from: &[usize], levels: &[usize]) -> Vec<Option<Cow<'_, Recode>>> {
        (0..levels.len())
            .map(|q| (levels[q] != from[q]).then(|| self.qis[q].step(from[q], levels[q])))
            .collect()
    }

    /// [`Generalizer::table`] with the people-level table of the node when there are people.
    pub fn counted(&self, levels: &[usize], finer: Option<(&Counted, &[usize])>) -> Counted {
        match finer {
            Some((t, from)) => t.rollup(&rollup_qis(&self.steps(from, levels))),
            None => {
                let steps = self.steps(&vec![0; levels.len()], levels);
                let keep = rollup_qis(&steps);
                match &self.people {
                    None => Counted::rows(self.base.rollup(&keep)),
                    Some(p) => {
                        let (rows, map) = self.base.rollup_with_map(&keep);
                        Counted {
                            people: Some(p.rollup(&map)),
                            rows,
                        }
                    }
                }
            }
        }
    }

    /// Each base class's class in the table of `levels`.
    pub fn base_map(&self, levels: &[usize]) -> Vec<u32> {
        let steps = self.steps(&vec![0; levels.len()], levels);
        self.base.rollup_with_map(&rollup_qis(&steps)).1
    }
}
