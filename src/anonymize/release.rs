//! Applying a chosen transformation to the data: every QI generalized to its level, the records
//! of failing classes suppressed (removed, or their QIs replaced by `*`), identifying columns
//! dropped, everything else kept as it is.

use std::path::Path;

use hashbrown::HashMap;

use crate::classes::ClassTable;
use crate::error::Result;
use crate::hierarchy::Hierarchy;
use crate::input::encode::{LocalColumn, NULL_TEXT};
use crate::input::{Chunk, Input};
use crate::output::table::{write_chunks, WriteOptions};
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

/// Writes the transformed data. `table` is the generalized class table and `failing` its
/// suppressed classes. Returns the number of records written.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_transformed(
    input: &Input,
    roles: &Roles,
    hierarchies: &[Hierarchy],
    levels: &[usize],
    table: &ClassTable,
    failing: &[bool],
    suppressed: Suppressed,
    out: &Path,
) -> Result<u64> {
    crate::output::refuse_overwrite(input.path(), out)?;
    let suppressed_keys: HashMap<Vec<&str>, bool> = (0..table.n_classes())
        .map(|c| (table.key_text(c), failing[c]))
        .collect();
    let keep_cols: Vec<usize> = (0..input.columns().len())
        .filter(|c| !roles.identifying.contains(c))
        .collect();
    let names: Vec<String> = keep_cols
        .iter()
        .map(|&c| input.columns()[c].clone())
        .collect();
    let qi_pos: Vec<Option<usize>> = keep_cols
        .iter()
        .map(|c| roles.qi.iter().position(|q| q == c))
        .collect();
    let chunks = input.map_chunks(&keep_cols, &Progress::hidden(), |chunk| {
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
        let mut star_rows = vec![false; chunk.rows];
        for r in 0..chunk.rows {
            let mut key = vec![""; roles.qi.len()];
            for (c, q) in qi_pos.iter().enumerate() {
                if let (Some(q), Some(g)) = (q, &general[c]) {
                    key[*q] = g[chunk.columns[c].codes[r] as usize].as_str();
                }
            }
            let bad = suppressed_keys.get(&key).copied().unwrap_or(true);
            match (bad, suppressed) {
                (true, Suppressed::Remove) => {}
                (true, Suppressed::Star) => {
                    star_rows[r] = true;
                    keep_rows.push(r);
                }
                (false, _) => keep_rows.push(r),
            }
        }
        let columns = chunk
            .columns
            .iter()
            .zip(&general)
            .map(|(col, g)| {
                let mut dict = g.clone().unwrap_or_else(|| col.dict.clone());
                let star = if g.is_some() {
                    dict.push("*".into());
                    Some((dict.len() - 1) as u32)
                } else {
                    None
                };
                let codes = keep_rows
                    .iter()
                    .map(|&r| match star {
                        Some(s) if star_rows[r] => s,
                        _ => col.codes[r],
                    })
                    .collect();
                LocalColumn { dict, codes }
            })
            .collect();
        Chunk {
            rows: keep_rows.len(),
            columns,
        }
    })?;
    let written = chunks.iter().map(|c| c.rows as u64).sum();
    write_chunks(out, &names, &chunks, &WriteOptions::default())?;
    Ok(written)
}
