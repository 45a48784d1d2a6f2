//! Sampling: a bounded sample of some columns of a table, each column's values counted.

use hashbrown::HashMap;

use crate::error::{Error, Result};
use crate::input::encode::NULL_TEXT;
use crate::input::Input;

/// The sampled values of one column: distinct non-null texts with their counts, and the nulls.
#[derive(Debug, Clone, Default)]
pub(crate) struct ColumnSample {
    pub values: Vec<(String, u64)>,
    pub nulls: u64,
}

/// Samples the given columns of `input` (at most `rows` rows) and counts each column's values.
pub(crate) fn sample_columns(
    input: &Input,
    columns: &[usize],
    rows: usize,
) -> Result<(Vec<ColumnSample>, u64, String)> {
    if rows == 0 {
        return Err(Error::Invalid("--sample must be at least 1 row".into()));
    }
    let (chunks, how) = input.sample(columns, rows)?;
    let read: u64 = chunks.iter().map(|c| c.rows as u64).sum();
    let mut out = Vec::with_capacity(columns.len());
    for c in 0..columns.len() {
        let mut counts: HashMap<&str, u64> = HashMap::new();
        for ch in &chunks {
            let col = &ch.columns[c];
            let mut per_code = vec![0u64; col.dict.len()];
            for &code in &col.codes {
                per_code[code as usize] += 1;
            }
            for (v, &n) in col.dict.iter().zip(&per_code) {
                if n > 0 {
                    *counts.entry(v.as_str()).or_default() += n;
                }
            }
        }
        let nulls = counts.remove(NULL_TEXT).unwrap_or(0);
        let mut values: Vec<(String, u64)> = counts
            .into_iter()
            .map(|(v, n)| (v.to_string(), n))
            .collect();
        // Hash order is not stable; rules do not care, but reports are compared byte for byte.
        values.sort_unstable();
        out.push(ColumnSample { values, nulls });
    }
    Ok((out, read, how))
}
