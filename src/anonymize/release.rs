//! Applying a chosen transformation to the data: every QI generalized to its level, the records
//! of failing classes suppressed (removed, or their QIs replaced by `*`), identifying columns
//! dropped, everything else kept as it is.

use std::path::Path;

use hashbrown::{HashMap, HashSet};

use crate::classes::ClassTable;
use crate::error::Result;
use crate::hierarchy::Hierarchy;
use crate::input::encode::{LocalColumn, NULL_TEXT};
use crate::input::{Chunk, Input};
use crate::output::table::{write_chunks_with_text, WriteOptions};
use crate::policy::Roles;
use crate::progress::Progress;

/// What happens to suppressed records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Suppressed {
    Remove,
    Star,
}

impl Suppressed {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Suppressed::Remove => "remove",
            Suppressed::Star => "star",
        }
    }
}

/// Which records are suppressed: those of failing classes, or with an entity all the records
/// of the suppressed people.
pub(crate) enum SuppressBy<'a> {
    /// `table` is the generalized class table, `failing` its suppressed classes.
    Class {
        table: &'a ClassTable,
        failing: &'a [bool],
    },
    /// The entity column, the entity values of the suppressed people, whether the entity
    /// column is written, and whether it is written only because the file marks it as
    /// pseudonymized (then every value written must be a pseudonym: a forged mark must not
    /// carry plain identifiers into a release).
    Person {
        entity: usize,
        suppressed: HashSet<&'a str>,
        keep_entity: bool,
        by_mark: bool,
    },
}

/// A transformation to write.
pub(crate) struct Release<'a> {
    pub input: &'a Input,
    pub roles: &'a Roles,
    pub hierarchies: &'a [Hierarchy],
    pub levels: &'a [usize],
    pub suppressed: Suppressed,
    pub by: SuppressBy<'a>,
    /// Local suppression: the generalized table, each class's blanked QIs, and what a blank
    /// becomes.
    pub blanks: Option<(&'a ClassTable, &'a [u128], crate::sdc::Blank)>,
    /// Microaggregation: the columns (indices into the input's) and each record's released
    /// values, per column.
    pub aggregated: Option<(&'a [usize], &'a [Vec<f64>])>,
}

/// A released number as text: integers without a fraction, others as the shortest decimal
/// that reads back to the same value.
fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Writes the transformed data. Returns the number of records written.
pub(crate) fn write_transformed(release: &Release, out: &Path) -> Result<u64> {
    let Release {
        input,
        roles,
        hierarchies,
        levels,
        suppressed,
        by,
        blanks,
        aggregated,
    } = release;
    let blank_of: HashMap<Vec<&str>, u128> = match blanks {
        Some((t, masks, _)) => (0..t.n_classes())
            .filter(|&c| masks[c] != 0)
            .map(|c| (t.key_text(c), masks[c]))
            .collect(),
        None => HashMap::new(),
    };
    let blank_text = match blanks {
        Some((_, _, crate::sdc::Blank::Null)) => NULL_TEXT,
        _ => "*",
    };

    let suppressed = *suppressed;
    crate::output::refuse_overwrite(input.path(), out)?;
    let suppressed_keys: HashMap<Vec<&str>, bool> = match by {
        SuppressBy::Class { table, failing } => (0..table.n_classes())
            .map(|c| (table.key_text(c), failing[c]))
            .collect(),
        SuppressBy::Person { .. } => HashMap::new(),
    };
    let (entity, people, keep_entity, by_mark) = match by {
        SuppressBy::Person {
            entity,
            suppressed,
            keep_entity,
            by_mark,
        } => (Some(*entity), Some(suppressed), *keep_entity, *by_mark),
        SuppressBy::Class { .. } => (None, None, true, false),
    };
    let mut keep_cols: Vec<usize> = (0..input.columns().len())
        .filter(|c| !roles.identifying.contains(c))
        .filter(|&c| keep_entity || Some(c) != entity)
        .collect();
    let names: Vec<String> = keep_cols
        .iter()
        .map(|&c| input.columns()[c].clone())
        .collect();
    // The entity column is read even when it is not written.
    let entity_pos = entity.map(|e| match keep_cols.iter().position(|&c| c == e) {
        Some(p) => p,
        None => {
            keep_cols.push(e);
            keep_cols.len() - 1
        }
    });
    let written_cols = names.len();
    let qi_pos: Vec<Option<usize>> = keep_cols
        .iter()
        .map(|c| roles.qi.iter().position(|q| q == c))
        .collect();
    let written = input.map_chunks(&keep_cols, &Progress::hidden(), |chunk| {
        // Each QI's local dictionary generalized once.
        let general: Vec<Option<Vec<String>>> = chunk
            .columns
            .iter()
            .zip(&qi_pos)
            .map(|(col, q)| {
                q.map(|q| {
                    col.dict
                        .iter()
                        .map(|v| match hierarchies[q].row(v) {
                            Some(row) => row[levels[q]].clone(),
                            None => NULL_TEXT.to_string(),
                        })
                        .collect()
                })
            })
            .collect();
        let mut keep_rows = Vec::with_capacity(chunk.rows);
        // Rows whose QIs are all written as `*` (suppressed records), and the QIs blanked by
        // local suppression in each row.
        let mut star_rows = vec![false; chunk.rows];
        let mut blank_rows = vec![0u128; chunk.rows];
        for r in 0..chunk.rows {
            let mut key = vec![""; roles.qi.len()];
            for (c, q) in qi_pos.iter().enumerate() {
                if let (Some(q), Some(g)) = (q, &general[c]) {
                    key[*q] = g[chunk.columns[c].codes[r] as usize].as_str();
                }
            }
            let bad = match (people, entity_pos) {
                (Some(people), Some(e)) => {
                    let col = &chunk.columns[e];
                    people.contains(col.dict[col.codes[r] as usize].as_str())
                }
                _ => suppressed_keys.get(&key).copied().unwrap_or(true),
            };
            match (bad, suppressed) {
                (true, Suppressed::Remove) => {}
                (true, Suppressed::Star) => {
                    star_rows[r] = true;
                    keep_rows.push(r);
                }
                (false, _) => {
                    blank_rows[r] = blank_of.get(&key).copied().unwrap_or(0);
                    keep_rows.push(r);
                }
            }
        }
        let columns = chunk
            .columns
            .iter()
            .take(written_cols)
            .zip(&general)
            .zip(&qi_pos)
            .map(|((col, g), q)| {
                let mut dict = g.clone().unwrap_or_else(|| col.dict.clone());
                let star = q.map(|q| {
                    // Whole records suppressed get `*`; blanked cells get the blank.
                    dict.push("*".into());
                    dict.push(blank_text.into());
                    ((dict.len() - 2) as u32, (dict.len() - 1) as u32, q)
                });
                let codes = keep_rows
                    .iter()
                    .map(|&r| match star {
                        Some((s, _, _)) if star_rows[r] => s,
                        Some((_, b, q)) if blank_rows[r] >> q & 1 == 1 => b,
                        _ => col.codes[r],
                    })
                    .collect();
                LocalColumn { dict, codes }
            })
            .collect();
        (
            Chunk {
                rows: keep_rows.len(),
                columns,
            },
            keep_rows,
            chunk.rows,
        )
    })?;
    if let (true, true, Some(e)) = (keep_entity, by_mark, entity) {
        let p = keep_cols[..written_cols].iter().position(|&c| c == e);
        if let Some(p) = p {
            check_pseudonyms(&input.columns()[e], written.iter().map(|w| &w.0.columns[p]))?;
        }
    }
    let mut chunks: Vec<Chunk> = Vec::with_capacity(written.len());
    let mut offset = 0usize;
    for (mut chunk, kept, rows) in written {
        if let Some((cols, values)) = aggregated {
            for (&col, vals) in cols.iter().zip(values.iter()) {
                if let Some(p) = keep_cols[..written_cols].iter().position(|&c| c == col) {
                    let mut dict: Vec<String> = Vec::new();
                    let mut index: HashMap<u64, u32> = HashMap::new();
                    let codes = kept
                        .iter()
                        .map(|&r| {
                            let x = vals[offset + r];
                            *index.entry(x.to_bits()).or_insert_with(|| {
                                dict.push(number_text(x));
                                (dict.len() - 1) as u32
                            })
                        })
                        .collect();
                    chunk.columns[p] = LocalColumn { dict, codes };
                }
            }
        }
        offset += rows;
        chunks.push(chunk);
    }
    let written = chunks.iter().map(|c| c.rows as u64).sum();
    // Pseudonyms that safe-harbor marked stay marked (and text) in a Parquet release.
    let marked: Vec<&String> = {
        let p = input.pseudonymized();
        names.iter().filter(|n| p.contains(n)).collect()
    };
    let text: Vec<bool> = names.iter().map(|n| marked.contains(&n)).collect();
    let metadata = if marked.is_empty() {
        Vec::new()
    } else {
        vec![(
            crate::input::parquet::PSEUDONYMIZED_KEY.to_string(),
            serde_json::to_string(&marked).unwrap_or_default(),
        )]
    };
    write_chunks_with_text(
        out,
        &names,
        &chunks,
        &WriteOptions::default(),
        &text,
        &metadata,
    )?;
    Ok(written)
}

/// Every value written in an entity column kept because the file marks it as pseudonymized is a
/// pseudonym of the form safe-harbor writes; otherwise the release is refused (a forged or stale
/// mark must not carry plain identifiers into a release). The message names the column only.
fn check_pseudonyms<'a>(column: &str, chunks: impl Iterator<Item = &'a LocalColumn>) -> Result<()> {
    for col in chunks {
        let mut seen = vec![false; col.dict.len()];
        for &c in &col.codes {
            let c = c as usize;
            if c < seen.len() && !seen[c] {
                seen[c] = true;
                if col.dict[c] != NULL_TEXT && !crate::scan::is_pseudonym(&col.dict[c]) {
                    return Err(crate::error::Error::Invalid(format!(
                        "the file marks the entity column {column:?} as pseudonymized by safe-harbor, but not all of its values are pseudonyms: pass --keep-entity to keep it anyway, or drop it from the release (the mark is not trusted)"
                    )));
                }
            }
        }
    }
    Ok(())
}
