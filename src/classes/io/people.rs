//! The people form of the class-table format: people-level class tables read and written.
//!
//! Reading goes through the one engine: the elements of the signatures are the "records" of the
//! row-level table (each element's tuple grouped chunk by chunk and merged by the `Merger`,
//! its row class kept, its size the rows its class's people have with it), and the signatures,
//! mapped to those row classes, are grouped into the people-level table by
//! [`PeopleTable::from_signatures`], the roll-up of people-level tables.

use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, Int64Array, ListArray, RecordBatch, StructArray};
use arrow_buffer::{OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Fields, Schema};
use parquet::arrow::ArrowWriter;

use super::arrays::positive_integers;
use super::read::{histogram_triples, Triples};
use super::write::HistogramField;
use super::write::{check_output, parquet_error, properties, value_array, value_type};
use super::{
    ClassFile, Metadata, COUNT_COLUMN, METADATA_KEY, ROWS_FIELD, ROW_COUNT_COLUMN,
    SIGNATURE_COLUMN, WRITE_BATCH,
};
use crate::classes::group::group_tuples;
use crate::classes::merge::Interner;
use crate::classes::people::{Counted, PeopleTable, Signature};
use crate::classes::{rank, sorted_values, ClassTable, Domain, Histograms, LocalClasses, Merger};
use crate::error::{Error, Result};
use crate::input::encode::{encode_array, LocalColumn};
use crate::output::write_atomically;
use crate::policy::Roles;
use crate::progress::Progress;

/// One record batch of a people-level class file.
struct PeopleBatch {
    /// The signatures' elements as chunk-local row classes (each element a "record" whose
    /// class is kept), sized by the rows of the class's people with that tuple.
    local: LocalClasses,
    /// Per class (row of the file): its people, and its number of elements.
    people: Vec<u64>,
    lens: Vec<usize>,
    /// Per element: one person's rows with its tuple, and all the class's people's.
    mult: Vec<u64>,
    rows: Vec<u64>,
    /// Per sensitive column: its dictionary and (class in the batch, code, count) triples.
    sensitive: Vec<Triples>,
}

/// How a batch is read: the QI fields, the sensitive columns, the row-count column, and whether
/// the signatures are multisets (whose rows the row counts must match exactly).
struct Layout<'a> {
    qi: &'a [String],
    n_sensitive: usize,
    has_row_count: bool,
    /// The file's signature kind, as declared by its metadata (`None`: not declared).
    declared: Option<Signature>,
    /// The rows follow from the signatures (multisets): a row count must equal them.
    exact: bool,
}

/// The offsets (into the values) and the struct values of a list column.
fn list_parts(array: &ArrayRef) -> Option<(Vec<usize>, &StructArray)> {
    match array.data_type() {
        DataType::List(_) => {
            let l = array.as_list::<i32>();
            Some((
                l.value_offsets().iter().map(|&o| o as usize).collect(),
                l.values().as_struct_opt()?,
            ))
        }
        DataType::LargeList(_) => {
            let l = array.as_list::<i64>();
            Some((
                l.value_offsets().iter().map(|&o| o as usize).collect(),
                l.values().as_struct_opt()?,
            ))
        }
        _ => None,
    }
}

fn people_from_batch(
    arrays: &[ArrayRef],
    layout: &Layout,
) -> std::result::Result<PeopleBatch, String> {
    let sig = &arrays[0];
    if sig.null_count() > 0 {
        return Err(format!("a class's {SIGNATURE_COLUMN} is missing (null)"));
    }
    let (offsets, elements) =
        list_parts(sig).ok_or_else(|| format!("{SIGNATURE_COLUMN} is not a list of structs"))?;
    let people = positive_integers(arrays[1].as_ref(), &format!("a class's {COUNT_COLUMN}"))?;
    let n = people.len();
    let (first, last) = (offsets[0], offsets[n]);
    let elements = elements.slice(first, last - first);
    if elements.null_count() > 0 {
        return Err(format!(
            "a signature element is null (each must be a struct of the QI values and {ROWS_FIELD})"
        ));
    }
    let lens: Vec<usize> = offsets.windows(2).map(|w| w[1] - w[0]).collect();
    if lens.contains(&0) {
        return Err(format!(
            "a class's {SIGNATURE_COLUMN} is empty: every person has at least one row"
        ));
    }
    let field = |name: &str| {
        elements
            .column_by_name(name)
            .ok_or_else(|| format!("{SIGNATURE_COLUMN} has no field {name:?}"))
    };
    if field(ROWS_FIELD)?.null_count() > 0 {
        return Err(format!(
            "a signature element's {ROWS_FIELD} is missing (null): does the table have rows without an entity value? (the ANSI query leaves their count null)"
        ));
    }
    let mult = positive_integers(
        field(ROWS_FIELD)?.as_ref(),
        &format!("a signature element's {ROWS_FIELD}"),
    )?;
    if mult.iter().any(|&m| m > u32::MAX as u64) {
        return Err(format!(
            "a signature element's {ROWS_FIELD} is over {}: no person has that many rows",
            u32::MAX
        ));
    }
    if layout.declared == Some(Signature::Set) {
        if let Some(m) = mult.iter().find(|&&m| m != 1) {
            return Err(format!(
                "a signature element's {ROWS_FIELD} is {m}, but the metadata says the signatures are sets, whose elements have 1"
            ));
        }
    }
    let row_counts = if layout.has_row_count {
        Some(positive_integers(
            arrays[2].as_ref(),
            &format!("a class's {ROW_COUNT_COLUMN}"),
        )?)
    } else {
        None
    };
    let lens_of = |c: usize| offsets[c] - first..offsets[c + 1] - first;
    let (rows, totals) = class_rows(&people, &mult, lens_of, row_counts.as_deref(), layout)?;
    let qi_cols: Vec<LocalColumn> = layout
        .qi
        .iter()
        .map(|q| {
            encode_array(field(q)?.as_ref()).map_err(|t| {
                format!("quasi-identifier field {q:?} has type {t}, which reident cannot read")
            })
        })
        .collect::<std::result::Result<_, _>>()?;
    let identity: Vec<u32> = (0..n as u32).collect();
    let start = 2 + usize::from(layout.has_row_count);
    let sensitive = (0..layout.n_sensitive)
        .map(|s| {
            histogram_triples(
                &arrays[start + s],
                &totals,
                &identity,
                "the rows of its people are",
            )
        })
        .collect::<std::result::Result<_, _>>()?;
    Ok(PeopleBatch {
        local: element_classes(qi_cols, &rows, totals.iter().sum()),
        people,
        lens,
        mult,
        rows,
        sensitive,
    })
}

/// The rows each element stands for (its class's people's rows with its tuple), and each
/// class's rows in all, checked against the row counts when the file has them. `elements(c)`:
/// the range of class `c`'s elements.
fn class_rows(
    people: &[u64],
    mult: &[u64],
    elements: impl Fn(usize) -> std::ops::Range<usize>,
    row_counts: Option<&[u64]>,
    layout: &Layout,
) -> std::result::Result<(Vec<u64>, Vec<u64>), String> {
    let overflow = || "a class's counts overflow 64-bit integers".to_string();
    // The rows each element stands for (its people's), and each class's rows in all.
    let mut rows: Vec<u64> = Vec::with_capacity(mult.len());
    let mut totals: Vec<u64> = Vec::with_capacity(people.len());
    for c in 0..people.len() {
        let r = elements(c);
        let from = rows.len();
        for &m in &mult[r] {
            rows.push(people[c].checked_mul(m).ok_or_else(overflow)?);
        }
        let implied = rows[from..]
            .iter()
            .try_fold(0u64, |a, &x| a.checked_add(x))
            .ok_or_else(overflow)?;
        let total = match row_counts {
            Some(rc) if layout.exact && rc[c] != implied => {
                return Err(format!(
                    "a class's signature accounts for {implied} rows of its {} people, its {ROW_COUNT_COLUMN} is {}: the file is altered, or its signatures are sets (computed with --entity-signature set), which must be read with --entity-signature set",
                    people[c], rc[c]
                ))
            }
            Some(rc) if rc[c] < implied => {
                return Err(format!(
                    "a class's {ROW_COUNT_COLUMN} is {}, fewer than the {implied} rows its {} people's signature needs",
                    rc[c], people[c]
                ))
            }
            Some(rc) => rc[c],
            None if layout.declared == Some(Signature::Multiset) => implied,
            None => {
                return Err(format!(
                    "no {ROW_COUNT_COLUMN} column: a set signature does not tell how many rows its people have, and without the column (or metadata that says the signatures are multisets) a file of sets cannot be told from one of multisets (`reident sql --entity` writes the column)"
                ))
            }
        };
        // A set's rows beyond one per person and tuple are not split by tuple: the first
        // element's row class carries them (only the row-level table sees the split).
        rows[from] += total - implied;
        totals.push(total);
    }
    Ok((rows, totals))
}

/// The elements as chunk-local row classes: grouped by their QI values (the engine's one
/// group-by), each class sized by the rows of its elements, each element's class kept.
fn element_classes(qi_cols: Vec<LocalColumn>, rows: &[u64], records: u64) -> LocalClasses {
    let cards: Vec<u64> = qi_cols.iter().map(|c| c.dict.len() as u64).collect();
    let g = group_tuples(rows.len(), &cards, |q, i| qi_cols[q].codes[i]);
    let keys = qi_cols
        .iter()
        .map(|col| {
            g.first_item
                .iter()
                .map(|&e| col.codes[e as usize])
                .collect()
        })
        .collect();
    let counts = g.sum_per_group(|e| rows[e]);
    let n_qi = qi_cols.len();
    let mut local = LocalClasses {
        rows: records as usize,
        dicts: qi_cols.into_iter().map(|c| c.dict).collect(),
        keys,
        counts,
        sensitive: Vec::new(),
        weights: None,
        row_classes: Some(g.group_of),
    };
    local.drop_unused_values(n_qi);
    local
}

/// What the batches of a people-level file add up to.
struct Gathered {
    merger: Merger,
    interners: Vec<Interner>,
    triples: Vec<Vec<(u32, u32, u64)>>,
    start: Vec<usize>,
    mult: Vec<u64>,
    rows: Vec<u64>,
    people: Vec<u64>,
}

impl Gathered {
    fn push(&mut self, batches: Vec<PeopleBatch>) {
        let mut locals = Vec::with_capacity(batches.len());
        for b in batches {
            let base = self.people.len() as u32;
            for (s, (dict, triples)) in b.sensitive.into_iter().enumerate() {
                let map = self.interners[s].map(&dict);
                self.triples[s].extend(
                    triples
                        .into_iter()
                        .map(|(c, code, n)| (base + c, map[code as usize], n)),
                );
            }
            for len in b.lens {
                self.start.push(self.start.last().unwrap() + len);
            }
            self.mult.extend(b.mult);
            self.rows.extend(b.rows);
            self.people.extend(b.people);
            locals.push(b.local);
        }
        self.merger.push(locals);
    }

    /// The row-level table (the elements' classes) and the people-level table (the signatures
    /// over them, grouped), with the histograms of the `sensitive` columns.
    fn finish(self, signature: Signature, sensitive: &[String]) -> Counted {
        let n_signatures = self.people.len();
        let (rows, element_class) = self.merger.finish_with_rows();
        let element_class = element_class.expect("the elements' row classes are kept");
        let histograms = self
            .interners
            .into_iter()
            .zip(self.triples)
            .zip(sensitive)
            .map(|((values, triples), name)| {
                let ord = rank(&values.values);
                let domain = Domain {
                    name: name.clone(),
                    values: sorted_values(&values.values, &ord).into(),
                };
                let triples: Vec<(u32, u32, u64)> = triples
                    .into_iter()
                    .map(|(c, code, n)| (c, ord[code as usize], n))
                    .collect();
                Histograms::from_triples(domain, n_signatures, &triples)
            })
            .collect();
        let people = PeopleTable::from_signatures(
            signature,
            (self.start, element_class, self.mult, self.rows),
            self.people,
            histograms,
            rows.n_classes(),
        );
        Counted {
            rows,
            people: Some(people),
        }
    }
}

impl ClassFile {
    /// Reads a people-level class table over the roles' QIs and sensitive columns: the row-level
    /// table and the people-level one, as [`crate::classes::Source::build_people`] makes them
    /// from the records.
    pub(crate) fn read_people(
        &self,
        roles: &Roles,
        signature: Signature,
        progress: &Progress,
    ) -> Result<Counted> {
        let entity = roles
            .entity
            .map(|e| roles.columns[e].clone())
            .ok_or_else(|| Error::Invalid("no entity column".into()))?;
        self.read_people_names(
            &roles.names(&roles.qi),
            &roles.names(&roles.sensitive),
            &entity,
            signature,
            progress,
        )
    }

    /// Reads a people-level class table by column names: the row-level table and the people-level
    /// one, as [`crate::classes::Source::build_people`] makes them from the records.
    pub fn read_people_names(
        &self,
        qi: &[String],
        sensitive: &[String],
        entity: &str,
        signature: Signature,
        progress: &Progress,
    ) -> Result<Counted> {
        let here = |m: String| Error::Invalid(format!("{}: {m}", self.path.display()));
        if !self.people {
            return Err(here(format!(
                "a row-level class table (one row per QI tuple) cannot count people: compute the people-level table with `reident classes --entity {entity}` or `reident sql --entity {entity}`"
            )));
        }
        self.check_names(qi, sensitive)?;
        let declared = self.metadata.as_ref().and_then(|m| m.signature);
        if let Some(e) = self.metadata.as_ref().and_then(|m| m.entity.as_ref()) {
            if e != entity {
                return Err(here(format!(
                    "its people are identified by column {e:?}, not {entity:?}"
                )));
            }
        }
        if declared == Some(Signature::Set) && signature == Signature::Multiset {
            return Err(here(
                "its signatures are sets (repeated rows not recorded), which cannot give multiset figures: read it with --entity-signature set, or compute it with multiset signatures".into(),
            ));
        }
        let layout = Layout {
            qi,
            n_sensitive: sensitive.len(),
            has_row_count: self.has_row_count,
            declared,
            exact: declared.unwrap_or(signature) == Signature::Multiset,
        };
        let mut all = Gathered {
            merger: Merger::new(qi, qi.len()),
            interners: sensitive.iter().map(|_| Interner::default()).collect(),
            triples: vec![Vec::new(); sensitive.len()],
            start: vec![0],
            mult: Vec::new(),
            rows: Vec::new(),
            people: Vec::new(),
        };
        for part in &self.parts {
            let index = |name: &str| {
                part.columns
                    .iter()
                    .position(|c| c == name)
                    .expect("every part has the same columns")
            };
            let mut cols = vec![index(SIGNATURE_COLUMN), index(COUNT_COLUMN)];
            if self.has_row_count {
                cols.push(index(ROW_COUNT_COLUMN));
            }
            cols.extend(sensitive.iter().map(|s| index(s)));
            let (people_before, rows_before) = (sum_saturating(&all.people), all.merger.records());
            part.for_each_batch_window(
                &cols,
                progress,
                |arrays, _rows| {
                    people_from_batch(&arrays, &layout)
                        .map_err(|m| Error::Invalid(format!("{}: {m}", part.path.display())))
                },
                |batches| {
                    all.push(batches);
                    Ok(())
                },
            )?;
            let got = (
                sum_saturating(&all.people) - people_before,
                all.merger.records() - rows_before,
            );
            check_totals(part, got)?;
        }
        progress.finish();
        super::check_total(&self.path, all.merger.records(), "records")?;
        super::check_total(&self.path, sum_saturating(&all.people), "people")?;
        if all.merger.records() == 0 {
            return Err(Error::EmptyTable {
                path: self.path.clone(),
            });
        }
        Ok(all.finish(signature, sensitive))
    }
}

/// The people and rows a part's metadata states, against those its classes hold.
fn check_totals(
    part: &crate::input::parquet::ParquetInput,
    (people, rows): (u64, u64),
) -> Result<()> {
    let Some(m) = part
        .key_value(METADATA_KEY)
        .and_then(|t| Metadata::parse(&part.path, &t).ok())
    else {
        return Ok(());
    };
    for (what, stated, got) in [("people", m.people, people), ("rows", m.rows, rows)] {
        if let Some(n) = stated {
            if n != got {
                return Err(Error::Invalid(format!(
                    "{}: the metadata says {n} {what}, the classes hold {got}: the file is incomplete or was altered",
                    part.path.display()
                )));
            }
        }
    }
    Ok(())
}

/// Writes a people-level class table (the people form), atomically: `rows` is the row-level
/// table whose classes the signatures name, `people` the people-level table, `entity` the
/// column the people were identified by.
pub fn write_people_table(
    rows: &ClassTable,
    people: &PeopleTable,
    entity: &str,
    out: &Path,
) -> Result<()> {
    check_output(
        out,
        rows.qis
            .iter()
            .chain(people.table.sensitive.iter().map(|h| &h.domain)),
    )?;
    let mut element: Vec<Field> = rows
        .qis
        .iter()
        .map(|d| Field::new(d.name.as_str(), value_type(d), true))
        .collect();
    element.push(Field::new(ROWS_FIELD, DataType::Int64, false));
    let element = Fields::from(element);
    let item = Arc::new(Field::new(
        "element",
        DataType::Struct(element.clone()),
        false,
    ));
    let mut fields = vec![
        Field::new(SIGNATURE_COLUMN, DataType::List(item.clone()), false),
        Field::new(COUNT_COLUMN, DataType::Int64, false),
        Field::new(ROW_COUNT_COLUMN, DataType::Int64, false),
    ];
    let hists: Vec<HistogramField> = people
        .table
        .sensitive
        .iter()
        .map(HistogramField::of)
        .collect();
    fields.extend(hists.iter().map(|h| h.field.clone()));
    let schema = Arc::new(Schema::new(fields));
    let props = properties(&Metadata::of_people(rows, people, entity))?;
    let pq = parquet_error(out);
    let set = people.signature == Signature::Set;
    write_atomically(out, |w| {
        let mut writer = ArrowWriter::try_new(w, schema.clone(), Some(props)).map_err(&pq)?;
        let n = people.class_count();
        let mut start = 0;
        while start < n {
            let mut end = (start + WRITE_BATCH).min(n);
            for h in &people.table.sensitive {
                while end > start + 1 && h.offsets[end] - h.offsets[start] > i32::MAX as usize {
                    end = start + (end - start) / 2;
                }
            }
            // The elements: each class's row classes with one person's rows there.
            let mut offsets: Vec<i32> = vec![0];
            let (mut classes, mut mult): (Vec<u32>, Vec<i64>) = (Vec::new(), Vec::new());
            for c in start..end {
                for (class, m) in people.signature_of(c) {
                    classes.push(class);
                    mult.push(if set { 1 } else { m as i64 });
                }
                offsets.push(i32::try_from(classes.len()).map_err(|_| {
                    Error::Invalid(format!(
                        "{}: a batch of signatures holds more than 2^31 elements",
                        out.display()
                    ))
                })?);
            }
            let mut values: Vec<ArrayRef> = rows
                .qis
                .iter()
                .zip(&rows.codes)
                .map(|(d, codes)| value_array(d, classes.iter().map(|&c| codes[c as usize])))
                .collect();
            values.push(Arc::new(Int64Array::from(mult)));
            let signatures = ListArray::new(
                item.clone(),
                OffsetBuffer::new(ScalarBuffer::from(offsets)),
                Arc::new(StructArray::new(element.clone(), values, None)),
                None,
            );
            let mut cols: Vec<ArrayRef> = vec![
                Arc::new(signatures),
                Arc::new(Int64Array::from_iter_values(
                    people.table.counts[start..end].iter().map(|&c| c as i64),
                )),
                Arc::new(Int64Array::from_iter_values(
                    (start..end).map(|c| people.rows_of(c) as i64),
                )),
            ];
            for (h, hf) in people.table.sensitive.iter().zip(&hists) {
                cols.push(hf.column(h, start, end));
            }
            let batch = RecordBatch::try_new(schema.clone(), cols)
                .map_err(|e| Error::Invalid(format!("building a record batch: {e}")))?;
            writer.write(&batch).map_err(&pq)?;
            start = end;
        }
        writer.close().map_err(&pq)?;
        Ok(())
    })
}

/// A sum of counts that stops at `u64::MAX` (checked against the cap afterwards).
fn sum_saturating(v: &[u64]) -> u64 {
    v.iter().fold(0u64, |a, &c| a.saturating_add(c))
}
