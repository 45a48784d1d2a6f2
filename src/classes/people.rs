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

use super::{ClassTable, Histograms};
pub use crate::policy::Signature;
use hashbrown::HashMap;
use rayon::prelude::*;

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
    count: Vec<u32>,
    /// Per-person histograms of each sensitive column (over the person's rows).
    sensitive: Vec<Histograms>,
}

impl People {
    /// From each row's class in the row-level table (`row_class`) and each row's person
    /// (`person`, `0..people`), and the per-person sensitive histograms.
    pub fn from_rows(
        signature: Signature,
        row_class: &[u32],
        person: &[u32],
        people: usize,
        sensitive: Vec<Histograms>,
    ) -> People {
        assert_eq!(
            row_class.len(),
            person.len(),
            "one class and one person per row"
        );
        // Each person's rows together (a counting sort by person), then each person's row
        // classes sorted and counted: the (person, row class, rows) table in O(rows).
        let mut offsets = vec![0usize; people + 1];
        for &p in person {
            offsets[p as usize + 1] += 1;
        }
        for p in 0..people {
            offsets[p + 1] += offsets[p];
        }
        let mut by_person = vec![0u32; row_class.len()];
        let mut fill = offsets.clone();
        for (&p, &c) in person.iter().zip(row_class) {
            by_person[fill[p as usize]] = c;
            fill[p as usize] += 1;
        }
        drop(fill);
        let mut start = Vec::with_capacity(people + 1);
        start.push(0);
        let mut class = Vec::with_capacity(row_class.len());
        let mut count = Vec::with_capacity(row_class.len());
        for p in 0..people {
            let rows = &mut by_person[offsets[p]..offsets[p + 1]];
            rows.sort_unstable();
            for &c in rows.iter() {
                if class.len() > *start.last().unwrap() && *class.last().unwrap() == c {
                    *count.last_mut().unwrap() += 1;
                } else {
                    class.push(c);
                    count.push(1u32);
                }
            }
            start.push(class.len());
        }
        class.shrink_to_fit();
        count.shrink_to_fit();
        People {
            signature,
            people: people as u64,
            rows: row_class.len() as u64,
            start,
            class,
            count,
            sensitive,
        }
    }

    /// The people-level table over the row classes the pairs name: people grouped by signature.
    pub fn table(&self) -> PeopleTable {
        let n = self.people as usize;
        // A set's classes keep their people's rows apart from the (ignored) multiplicities.
        let rows: Option<Vec<u64>> = (self.signature == Signature::Set)
            .then(|| self.count.iter().map(|&c| c as u64).collect());
        let (groups, table) = group(
            self.signature,
            Elements {
                start: &self.start,
                class: &self.class,
                mult: &self.count,
                rows: rows.as_deref(),
            },
            &vec![1; n],
        );
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
        let index = SignatureIndex::of(t);
        let mut elems: Vec<(u32, u32)> = Vec::new();
        (0..self.people as usize)
            .map(|p| {
                let r = self.start[p]..self.start[p + 1];
                elems.clear();
                elems.extend(
                    self.class[r.clone()]
                        .iter()
                        .map(|&c| map[c as usize])
                        .zip(self.count[r].iter().copied()),
                );
                merge_elements(&mut elems);
                index
                    .find(t, &elems)
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
/// multiplicity). A multiset class's people all have `mult` rows there; a set's may differ,
/// so for sets `rows` holds the rows of all the class's people in each row class.
#[derive(Debug, Clone, Default)]
struct Signatures {
    start: Vec<usize>,
    class: Vec<u32>,
    mult: Vec<u32>,
    rows: Option<Vec<u64>>,
}

impl Signatures {
    fn len(&self) -> usize {
        self.start.len() - 1
    }

    fn elements(&self) -> Elements<'_> {
        Elements {
            start: &self.start,
            class: &self.class,
            mult: &self.mult,
            rows: self.rows.as_deref(),
        }
    }
}

/// Signatures to group, borrowed: as [`Signatures`], each one's elements sorted by row class,
/// each row class once.
#[derive(Clone, Copy)]
struct Elements<'a> {
    start: &'a [usize],
    class: &'a [u32],
    mult: &'a [u32],
    rows: Option<&'a [u64]>,
}

impl Elements<'_> {
    fn len(&self) -> usize {
        self.start.len() - 1
    }

    fn of(&self, i: usize) -> (&[u32], &[u32]) {
        let r = self.start[i]..self.start[i + 1];
        (&self.class[r.clone()], &self.mult[r])
    }
}

/// Whether two signatures are equal: the same row classes, and for a multiset the same
/// multiplicities.
fn same(signature: Signature, a: (&[u32], &[u32]), b: (&[u32], &[u32])) -> bool {
    a.0 == b.0 && (signature == Signature::Set || a.1 == b.1)
}

/// A signature's hash (its row classes, and for a multiset their multiplicities).
fn hash_of(
    hasher: &hashbrown::DefaultHashBuilder,
    signature: Signature,
    e: (&[u32], &[u32]),
) -> u64 {
    use std::hash::BuildHasher;
    match signature {
        Signature::Multiset => hasher.hash_one(e),
        Signature::Set => hasher.hash_one(e.0),
    }
}

/// Signatures by hash, for finding a signature's class. A hash is a first guess: the elements
/// are always compared, and signatures whose hashes collide are kept apart (`overflow`).
struct SignatureIndex {
    hasher: hashbrown::DefaultHashBuilder,
    first: HashMap<u64, u32>,
    overflow: HashMap<Vec<u64>, u32>,
}

impl SignatureIndex {
    fn new(capacity: usize) -> SignatureIndex {
        SignatureIndex {
            hasher: hashbrown::DefaultHashBuilder::default(),
            first: HashMap::with_capacity(capacity),
            overflow: HashMap::new(),
        }
    }

    fn of(t: &PeopleTable) -> SignatureIndex {
        let mut index = SignatureIndex::new(t.class_count());
        let e = t.sig.elements();
        for c in 0..e.len() {
            index.insert_new(t.signature, e.of(c), &e, c as u32);
        }
        index
    }

    /// The class of `elems` among the classes `e` holds, if any.
    fn lookup(&self, signature: Signature, elems: (&[u32], &[u32]), e: &Elements) -> Option<u32> {
        self.lookup_hashed(hash_of(&self.hasher, signature, elems), signature, elems, e)
    }

    /// [`SignatureIndex::lookup`] with the hash of `elems` given.
    fn lookup_hashed(
        &self,
        h: u64,
        signature: Signature,
        elems: (&[u32], &[u32]),
        e: &Elements,
    ) -> Option<u32> {
        let &g = self.first.get(&h)?;
        if same(signature, e.of(g as usize), elems) {
            return Some(g);
        }
        self.overflow.get(&key(signature, elems)).copied()
    }

    /// Records class `g`'s signature (one that `lookup` did not find).
    fn insert_new(&mut self, signature: Signature, elems: (&[u32], &[u32]), e: &Elements, g: u32) {
        let h = hash_of(&self.hasher, signature, elems);
        self.insert_hashed(h, signature, elems, e, g);
    }

    /// [`SignatureIndex::insert_new`] with the hash of `elems` given.
    fn insert_hashed(
        &mut self,
        h: u64,
        signature: Signature,
        elems: (&[u32], &[u32]),
        e: &Elements,
        g: u32,
    ) {
        match self.first.get(&h) {
            None => {
                self.first.insert(h, g);
            }
            Some(&other) if same(signature, e.of(other as usize), elems) => {}
            Some(_) => {
                self.overflow.insert(key(signature, elems), g);
            }
        }
    }

    /// The class of a person's elements (sorted, merged).
    fn find(&self, t: &PeopleTable, elems: &[(u32, u32)]) -> Option<u32> {
        let class: Vec<u32> = elems.iter().map(|e| e.0).collect();
        let mult: Vec<u32> = elems.iter().map(|e| e.1).collect();
        self.lookup(t.signature, (&class, &mult), &t.sig.elements())
    }
}

/// A signature as an owned key (for the rare hash collision).
fn key(signature: Signature, e: (&[u32], &[u32])) -> Vec<u64> {
    let mut k = Vec::with_capacity(e.0.len() * 2);
    for (&c, &m) in e.0.iter().zip(e.1) {
        k.push(c as u64);
        if signature == Signature::Multiset {
            k.push(m as u64);
        }
    }
    k
}

/// Sorts elements by row class and merges those of the same class (adding multiplicities).
fn merge_elements(elems: &mut Vec<(u32, u32)>) {
    elems.sort_unstable_by_key(|e| e.0);
    let mut w = 0;
    for r in 0..elems.len() {
        if w > 0 && elems[w - 1].0 == elems[r].0 {
            elems[w - 1].1 += elems[r].1;
        } else {
            elems[w] = elems[r];
            w += 1;
        }
    }
    elems.truncate(w);
}

/// Groups the signatures of `e` (each standing for `people[i]` people) in order of first
/// appearance: the group of each, and the people table of the groups (without sensitive
/// histograms).
fn group(signature: Signature, e: Elements, people: &[u64]) -> (Vec<u32>, PeopleTable) {
    let mut index = SignatureIndex::new(e.len());
    let mut groups = Vec::with_capacity(e.len());
    let mut out = Signatures {
        start: vec![0],
        rows: e.rows.map(|_| Vec::new()),
        ..Signatures::default()
    };
    let mut counts: Vec<u64> = Vec::new();
    // The hashes in parallel; the grouping in order.
    let hashes: Vec<u64> = (0..e.len())
        .into_par_iter()
        .map(|i| hash_of(&index.hasher, signature, e.of(i)))
        .collect();
    for (i, &persons) in people.iter().enumerate().take(e.len()) {
        let elems = e.of(i);
        let r = e.start[i]..e.start[i + 1];
        match index.lookup_hashed(hashes[i], signature, elems, &out.elements()) {
            Some(g) => {
                counts[g as usize] = counts[g as usize].saturating_add(persons);
                let gs = out.start[g as usize];
                // Same signature: the same row classes in the same order; add a set's rows.
                if let (Some(out_rows), Some(rows)) = (&mut out.rows, e.rows) {
                    for (j, &x) in rows[r].iter().enumerate() {
                        out_rows[gs + j] += x;
                    }
                }
                groups.push(g);
            }
            None => {
                let g = counts.len() as u32;
                out.class.extend_from_slice(elems.0);
                out.mult.extend_from_slice(elems.1);
                if let (Some(out_rows), Some(rows)) = (&mut out.rows, e.rows) {
                    out_rows.extend_from_slice(&rows[r]);
                }
                out.start.push(out.class.len());
                counts.push(persons);
                index.insert_hashed(hashes[i], signature, elems, &out.elements(), g);
                groups.push(g);
            }
        }
    }
    let rows = match &out.rows {
        Some(rows) => rows.iter().sum(),
        None => (0..counts.len())
            .map(|c| {
                let r = out.start[c]..out.start[c + 1];
                counts[c].saturating_mul(out.mult[r].iter().map(|&m| m as u64).sum::<u64>())
            })
            .fold(0u64, u64::saturating_add),
    };
    let n_people: u64 = counts.iter().fold(0u64, |a, &c| a.saturating_add(c));
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
            rows: self.sig.rows.as_ref().map(|_| Vec::new()),
            ..Signatures::default()
        };
        let mut elems: Vec<(u32, u32, u64)> = Vec::new();
        for c in 0..self.sig.len() {
            let r = self.sig.start[c]..self.sig.start[c + 1];
            elems.clear();
            elems.extend(r.map(|j| {
                (
                    map[self.sig.class[j] as usize],
                    self.sig.mult[j],
                    self.sig.rows.as_ref().map_or(0, |rows| rows[j]),
                )
            }));
            elems.sort_unstable_by_key(|e| e.0);
            for &(k, m, rows) in &elems {
                if mapped.class.len() > *mapped.start.last().unwrap()
                    && *mapped.class.last().unwrap() == k
                {
                    *mapped.mult.last_mut().unwrap() += m;
                    if let Some(all) = &mut mapped.rows {
                        *all.last_mut().unwrap() += rows;
                    }
                } else {
                    mapped.class.push(k);
                    mapped.mult.push(m);
                    if let Some(all) = &mut mapped.rows {
                        all.push(rows);
                    }
                }
            }
            mapped.start.push(mapped.class.len());
        }
        let (groups, table) = group(self.signature, mapped.elements(), &self.table.counts);
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
                // Checked by the reader: a person's rows in one row class fit in a u32.
                mult: mult.iter().map(|&m| m as u32).collect(),
                // A multiset's rows follow from its multiplicities; a set keeps its own.
                rows: (signature == Signature::Set).then_some(rows),
            },
        };
        let identity: Vec<u32> = (0..n_row_classes as u32).collect();
        given.rollup(&identity)
    }

    /// The rows of class `c`'s people.
    pub fn rows_of(&self, c: usize) -> u64 {
        let r = self.sig.start[c]..self.sig.start[c + 1];
        match &self.sig.rows {
            Some(rows) => rows[r].iter().sum(),
            None => self.table.counts[c]
                .saturating_mul(self.sig.mult[r].iter().map(|&m| m as u64).sum::<u64>()),
        }
    }

    /// Rows of the people in `failing` classes, by row class (`n_row_classes` of them).
    pub fn suppressed_rows(&self, failing: &[bool], n_row_classes: usize) -> Vec<u64> {
        let mut out = vec![0u64; n_row_classes];
        for (c, &f) in failing.iter().enumerate() {
            if f {
                for j in self.sig.start[c]..self.sig.start[c + 1] {
                    out[self.sig.class[j] as usize] += match &self.sig.rows {
                        Some(rows) => rows[j],
                        None => self.sig.mult[j] as u64 * self.table.counts[c],
                    };
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
            .zip(self.sig.mult[r].iter().map(|&m| m as u64))
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
        People::from_rows(signature, &class, &person, n_people, Vec::new())
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
