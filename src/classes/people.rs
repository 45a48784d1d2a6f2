//! People, not rows: class tables over the people of a visit-level table.
//!
//! When one person (patient, member) has several records, counting rows is a false assurance: a
//! patient with five identical visits forms a "class of 5" alone. With an entity column, a
//! person's quasi-identifier is the collection of their rows' QI tuples, their **signature**: a
//! multiset (order ignored, repeats counted: an attacker who knows how many visits someone had
//! can use it) or, with [`Signature::Set`], a set (repeats ignored). An equivalence class is the
//! people who share a signature; its size counts people.
//!
//! The engine stays the one class-table engine. The rows are grouped into the row-level class
//! table as always, and into the table of (person, row class, rows) pairs ([`People`]); a
//! person's signature is the sorted list of their pairs. A coarser table (generalized values,
//! fewer QIs) is rolled up from a finer one as always, and its people-level table
//! ([`PeopleTable`]) is rolled up from the finer people-level table by mapping each signature's
//! row classes to the coarser ones and merging what falls together: never from the rows.
//!
//! Everything is in order of first appearance (people by their first record, classes by their
//! first member), so the result does not depend on the thread count.

use super::group::group_tuples;
use super::{ClassTable, Histograms};
pub use crate::policy::Signature;
use hashbrown::HashMap;

/// Every person's rows by row class: the (person, row class, rows) table, grouped by person.
#[derive(Debug, Clone)]
pub struct People {
    pub signature: Signature,
    /// Number of people (persons are numbered in order of their first record).
    pub people: u64,
    /// Number of rows.
    pub rows: u64,
    /// Person `p`'s pairs are `start[p]..start[p + 1]`, row classes ascending.
    start: Vec<usize>,
    class: Vec<u32>,
    count: Vec<u64>,
    /// Per-person histograms of each sensitive column (over the person's rows).
    sensitive: Vec<Histograms>,
}

impl People {
    /// From each row's class in the row-level table (`row_class`) and each row's person
    /// (`person`, `0..people`), and the per-person sensitive histograms.
    pub fn from_rows(
        signature: Signature,
        row_class: &[u32],
        n_row_classes: usize,
        person: &[u32],
        people: usize,
        sensitive: Vec<Histograms>,
    ) -> People {
        assert_eq!(
            row_class.len(),
            person.len(),
            "one class and one person per row"
        );
        // The one group-by: (person, row class) pairs, counted.
        let g = group_tuples(
            row_class.len(),
            &[people as u64, n_row_classes as u64],
            |c, i| if c == 0 { person[i] } else { row_class[i] },
        );
        let counts = g.sum_per_group(|_| 1);
        let mut pairs: Vec<(u32, u32, u64)> = g
            .first_item
            .iter()
            .zip(&counts)
            .map(|(&i, &n)| (person[i as usize], row_class[i as usize], n))
            .collect();
        pairs.sort_unstable_by_key(|&(p, c, _)| (p, c));
        let mut start = vec![0usize; people + 1];
        for &(p, _, _) in &pairs {
            start[p as usize + 1] += 1;
        }
        for p in 0..people {
            start[p + 1] += start[p];
        }
        People {
            signature,
            people: people as u64,
            rows: row_class.len() as u64,
            start,
            class: pairs.iter().map(|p| p.1).collect(),
            count: pairs.iter().map(|p| p.2).collect(),
            sensitive,
        }
    }

    /// The people-level table over the row classes the pairs name: people grouped by signature.
    pub fn table(&self) -> PeopleTable {
        let n = self.people as usize;
        let sig = Signatures {
            start: self.start.clone(),
            class: self.class.clone(),
            mult: self.count.clone(),
            rows: self.count.clone(),
        };
        let (groups, table) = sig.group(self.signature, &vec![1; n]);
        let sensitive = self
            .sensitive
            .iter()
            .map(|h| merge_histograms(h, &groups, table.class_count()))
            .collect();
        table.with_sensitive(sensitive)
    }

    /// Each person's class in `t`, the people-level table of a coarser row table whose class
    /// `map[c]` holds row class `c` of the base.
    pub fn class_of_people(&self, map: &[u32], t: &PeopleTable) -> Vec<u32> {
        let index = t.index();
        (0..self.people as usize)
            .map(|p| {
                let r = self.start[p]..self.start[p + 1];
                let key = signature_key(
                    self.signature,
                    self.class[r.clone()]
                        .iter()
                        .map(|&c| map[c as usize])
                        .zip(self.count[r].iter().copied()),
                );
                *index
                    .get(key.as_slice())
                    .expect("every person's signature is a class of the table")
            })
            .collect()
    }
}

/// People grouped by signature: the people-level class table, and each class's signature.
#[derive(Debug, Clone)]
pub struct PeopleTable {
    pub signature: Signature,
    /// The people-level class table: `counts[c]` people, `n_records` people in all, the
    /// sensitive histograms over the people's rows. It has no QI columns: a class is a
    /// signature, not a tuple.
    pub table: ClassTable,
    /// Rows of all the people.
    pub rows: u64,
    sig: Signatures,
}

/// Signatures in compressed rows: class `c` has elements `start[c]..start[c + 1]`, row classes
/// ascending, each with the rows of one of its people in that row class (`mult`; a multiset's
/// multiplicity) and the rows of all its people there (`rows`).
#[derive(Debug, Clone, Default)]
struct Signatures {
    start: Vec<usize>,
    class: Vec<u32>,
    mult: Vec<u64>,
    rows: Vec<u64>,
}

impl Signatures {
    fn len(&self) -> usize {
        self.start.len() - 1
    }

    /// Groups the signatures (each standing for `people[i]` people): the group of each, and the
    /// people table of the groups (without sensitive histograms).
    fn group(&self, signature: Signature, people: &[u64]) -> (Vec<u32>, PeopleTable) {
        let mut index: HashMap<Vec<u64>, u32> = HashMap::new();
        let mut groups = Vec::with_capacity(self.len());
        let mut out = Signatures {
            start: vec![0],
            ..Signatures::default()
        };
        let mut counts: Vec<u64> = Vec::new();
        for (i, &persons) in people.iter().enumerate().take(self.len()) {
            let r = self.start[i]..self.start[i + 1];
            let key = signature_key(
                signature,
                self.class[r.clone()]
                    .iter()
                    .copied()
                    .zip(self.mult[r.clone()].iter().copied()),
            );
            let next = counts.len() as u32;
            let g = *index.entry(key).or_insert(next);
            if g == next {
                out.class.extend_from_slice(&self.class[r.clone()]);
                out.mult.extend_from_slice(&self.mult[r.clone()]);
                out.rows.extend_from_slice(&self.rows[r]);
                out.start.push(out.class.len());
                counts.push(persons);
            } else {
                counts[g as usize] += persons;
                let gs = out.start[g as usize];
                // Same signature: the same row classes in the same order; add the rows.
                for (j, &x) in self.rows[r].iter().enumerate() {
                    out.rows[gs + j] += x;
                }
            }
            groups.push(g);
        }
        let rows = out.rows.iter().sum();
        let n_people: u64 = counts.iter().sum();
        let table = ClassTable {
            n_records: n_people,
            qis: Vec::new(),
            codes: Vec::new(),
            counts,
            sensitive: Vec::new(),
            weights: None,
        };
        (
            groups,
            PeopleTable {
                signature,
                table,
                rows,
                sig: out,
            },
        )
    }
}

/// A signature as a hashable key: (row class, multiplicity) pairs in class order; a set's
/// multiplicities are left out.
fn signature_key(signature: Signature, elems: impl Iterator<Item = (u32, u64)>) -> Vec<u64> {
    let mut v: Vec<(u32, u64)> = elems.collect();
    v.sort_unstable_by_key(|e| e.0);
    let mut key: Vec<u64> = Vec::with_capacity(v.len() * 2);
    let mut last: Option<u32> = None;
    for (c, m) in v {
        if last == Some(c) {
            if signature == Signature::Multiset {
                *key.last_mut().unwrap() += m;
            }
            continue;
        }
        key.push(c as u64);
        if signature == Signature::Multiset {
            key.push(m);
        }
        last = Some(c);
    }
    key
}

/// Histograms of groups: the sum of the members' histograms (`groups[i]` is member `i`'s group).
fn merge_histograms(h: &Histograms, groups: &[u32], n_groups: usize) -> Histograms {
    let mut triples = Vec::with_capacity(h.codes.len());
    for (i, &g) in groups.iter().enumerate() {
        let (codes, counts) = h.of(i);
        triples.extend(codes.iter().zip(counts).map(|(&c, &k)| (g, c, k)));
    }
    Histograms::from_triples(h.domain.clone(), n_groups, &triples)
}

impl PeopleTable {
    fn with_sensitive(mut self, sensitive: Vec<Histograms>) -> PeopleTable {
        self.table.sensitive = sensitive;
        self
    }

    /// Number of people-level classes.
    pub fn class_count(&self) -> usize {
        self.table.n_classes()
    }

    /// The people table of a coarser row table: row class `c` of this table's rows is class
    /// `map[c]` there. Signatures are mapped, their elements that fall together merged (a
    /// multiset adds their rows, a set keeps one), and equal signatures grouped.
    pub fn rollup(&self, map: &[u32]) -> PeopleTable {
        let mut mapped = Signatures {
            start: vec![0],
            ..Signatures::default()
        };
        let mut elems: Vec<(u32, u64, u64)> = Vec::new();
        for c in 0..self.sig.len() {
            let r = self.sig.start[c]..self.sig.start[c + 1];
            elems.clear();
            elems.extend(r.map(|j| {
                (
                    map[self.sig.class[j] as usize],
                    self.sig.mult[j],
                    self.sig.rows[j],
                )
            }));
            elems.sort_unstable_by_key(|e| e.0);
            for &(k, m, rows) in &elems {
                if mapped.class.len() > *mapped.start.last().unwrap()
                    && *mapped.class.last().unwrap() == k
                {
                    *mapped.mult.last_mut().unwrap() += m;
                    *mapped.rows.last_mut().unwrap() += rows;
                } else {
                    mapped.class.push(k);
                    mapped.mult.push(m);
                    mapped.rows.push(rows);
                }
            }
            mapped.start.push(mapped.class.len());
        }
        let (groups, table) = mapped.group(self.signature, &self.table.counts);
        let sensitive = self
            .table
            .sensitive
            .iter()
            .map(|h| merge_histograms(h, &groups, table.class_count()))
            .collect();
        table.with_sensitive(sensitive)
    }

    /// People-level classes given by their signatures (the rows of a people-level class file):
    /// signature `i` has the elements `start[i]..start[i + 1]`, each a row class with the rows
    /// one of its people has there (`mult`) and the rows all of them have there (`rows`), and
    /// stands for `people[i]` people whose rows have the sensitive histograms `sensitive` (one
    /// class per signature). Elements of a signature in the same row class are merged, and equal
    /// signatures grouped, as a roll-up does (`n_row_classes`: the classes of the row table).
    pub(crate) fn from_signatures(
        signature: Signature,
        (start, class, mult, rows): (Vec<usize>, Vec<u32>, Vec<u64>, Vec<u64>),
        people: Vec<u64>,
        sensitive: Vec<Histograms>,
        n_row_classes: usize,
    ) -> PeopleTable {
        let given = PeopleTable {
            signature,
            table: ClassTable {
                n_records: people.iter().sum(),
                qis: Vec::new(),
                codes: Vec::new(),
                counts: people,
                sensitive,
                weights: None,
            },
            rows: rows.iter().sum(),
            sig: Signatures {
                start,
                class,
                mult,
                rows,
            },
        };
        let identity: Vec<u32> = (0..n_row_classes as u32).collect();
        given.rollup(&identity)
    }

    /// The rows of class `c`'s people.
    pub fn rows_of(&self, c: usize) -> u64 {
        self.sig.rows[self.sig.start[c]..self.sig.start[c + 1]]
            .iter()
            .sum()
    }

    /// Rows of the people in `failing` classes, by row class (`n_row_classes` of them).
    pub fn suppressed_rows(&self, failing: &[bool], n_row_classes: usize) -> Vec<u64> {
        let mut out = vec![0u64; n_row_classes];
        for (c, &f) in failing.iter().enumerate() {
            if f {
                for j in self.sig.start[c]..self.sig.start[c + 1] {
                    out[self.sig.class[j] as usize] += self.sig.rows[j];
                }
            }
        }
        out
    }

    /// The row classes of class `c`'s signature, with each one's rows per person.
    pub fn signature_of(&self, c: usize) -> impl Iterator<Item = (u32, u64)> + '_ {
        let r = self.sig.start[c]..self.sig.start[c + 1];
        self.sig.class[r.clone()]
            .iter()
            .copied()
            .zip(self.sig.mult[r].iter().copied())
    }

    /// Signature -> class, for finding a person's class.
    fn index(&self) -> HashMap<Vec<u64>, u32> {
        (0..self.class_count())
            .map(|c| {
                (
                    signature_key(self.signature, self.signature_of(c)),
                    c as u32,
                )
            })
            .collect()
    }
}

/// A row-level class table and, with an entity, its people-level table: the classes a metric
/// counts are the people's when there are people.
#[derive(Debug, Clone)]
pub struct Counted {
    pub rows: ClassTable,
    pub people: Option<PeopleTable>,
}

impl Counted {
    /// A row-level table alone.
    pub fn rows(rows: ClassTable) -> Counted {
        Counted { rows, people: None }
    }

    /// The table whose classes and sizes the figures count: the people's, else the rows'.
    pub fn counted(&self) -> &ClassTable {
        self.people.as_ref().map_or(&self.rows, |p| &p.table)
    }

    /// The roll-up of both tables (see [`ClassTable::rollup`] and [`PeopleTable::rollup`]).
    pub fn rollup(&self, qis: &[super::RollupQi]) -> Counted {
        match &self.people {
            None => Counted::rows(self.rows.rollup(qis)),
            Some(p) => {
                let (rows, map) = self.rows.rollup_with_map(qis);
                Counted {
                    people: Some(p.rollup(&map)),
                    rows,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people(signature: Signature, rows: &[(u32, u32)]) -> People {
        let class: Vec<u32> = rows.iter().map(|r| r.1).collect();
        let person: Vec<u32> = rows.iter().map(|r| r.0).collect();
        let n_people = person.iter().max().map_or(0, |&p| p as usize + 1);
        let n_classes = class.iter().max().map_or(0, |&c| c as usize + 1);
        People::from_rows(signature, &class, n_classes, &person, n_people, Vec::new())
    }

    #[test]
    fn five_identical_rows_are_one_person_in_a_class_of_one() {
        // Person 0 has five rows of class 0; persons 1 and 2 one row of class 1 each.
        let p = people(
            Signature::Multiset,
            &[(0, 0), (0, 0), (0, 0), (0, 0), (0, 0), (1, 1), (2, 1)],
        );
        let t = p.table();
        assert_eq!(t.table.counts, vec![1, 2]);
        assert_eq!(t.table.n_records, 3);
        assert_eq!(t.rows, 7);
    }

    #[test]
    fn multisets_count_repeats_and_sets_do_not() {
        // Person 0: classes {0, 0, 1}; person 1: {0, 1}; person 2: {1, 0, 0}.
        let rows = [
            (0, 0),
            (0, 0),
            (0, 1),
            (1, 0),
            (1, 1),
            (2, 1),
            (2, 0),
            (2, 0),
        ];
        assert_eq!(
            people(Signature::Multiset, &rows).table().table.counts,
            vec![2, 1]
        );
        assert_eq!(people(Signature::Set, &rows).table().table.counts, vec![3]);
    }

    #[test]
    fn a_rollup_merges_signatures_that_fall_together() {
        // Person 0: classes {0, 1}; person 1: {2, 3}; classes 0 and 2 merge, 1 and 3 merge.
        let p = people(Signature::Multiset, &[(0, 0), (0, 1), (1, 2), (1, 3)]);
        let t = p.table();
        assert_eq!(t.table.counts, vec![1, 1]);
        let up = t.rollup(&[0, 1, 0, 1]);
        assert_eq!(up.table.counts, vec![2]);
        // Everything into one class: each person has two rows there.
        let top = t.rollup(&[0, 0, 0, 0]);
        assert_eq!(top.table.counts, vec![2]);
        assert_eq!(top.signature_of(0).collect::<Vec<_>>(), vec![(0, 2)]);
        assert_eq!(p.class_of_people(&[0, 0, 0, 0], &top), vec![0, 0]);
        // Suppressing the class removes both people's rows.
        assert_eq!(top.suppressed_rows(&[true], 1), vec![4]);
    }
}
