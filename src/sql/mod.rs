//! `sql`: the query that computes the class table in an engine (Spark, DuckDB, ANSI SQL), or the
//! query that produces the release that `anonymize` chose. Reads no data. With an entity column
//! it prints the query of the people-level class table (`people`).
//!
//! The queries themselves are built in `query`; [`run`] resolves what they are built from: the
//! roles (policy file merged with flags), or the `--json` document of `reident anonymize` and
//! the hierarchies it used.

mod people;
pub(crate) mod query;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::criteria::ClassRule;
use crate::error::{Error, Result};
use crate::hierarchy::Hierarchy;
use crate::options::Settings;
pub use people::{people_class_table_query, people_query_metadata};
pub use query::{
    apply_query, class_table_query, from_table, query_metadata, write_statement, Dialect,
    Generalized, Transformation,
};

/// Which query to print.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    pub dialect: Dialect,
    /// The table to read: a name, optionally qualified (`db.schema.table`; each part is quoted).
    pub table: Option<String>,
    /// A table expression used as is, e.g. `read_parquet('data.parquet')` (when `table` is not
    /// given).
    pub from: Option<String>,
    /// The QIs, sensitive columns and weight of the class table.
    pub settings: Settings,
    /// The `--json` document of `reident anonymize`: print the query that applies its
    /// transformation (generalization and suppression) instead.
    pub transformation: Option<PathBuf>,
    /// Folder of `hierarchy_<column>.csv` files (for `transformation`).
    pub hierarchies: Option<PathBuf>,
    /// A QI's hierarchy file (for `transformation`).
    pub hierarchy: Vec<(String, PathBuf)>,
    /// Print the statement that writes the result as Parquet here (DuckDB COPY, Spark INSERT
    /// OVERWRITE DIRECTORY) instead of the bare query.
    pub copy_to: Option<String>,
}

/// The SQL text.
pub fn run(options: &Options) -> Result<String> {
    let d = options.dialect;
    let from = match (&options.table, &options.from) {
        (Some(t), _) => from_table(d, t),
        (None, Some(f)) => f.clone(),
        (None, None) => {
            return Err(Error::Invalid(
                "give the table to read (--table NAME or --from SQL)".into(),
            ))
        }
    };
    if let Some(entity) = &options.settings.entity {
        return people(options, &from, entity);
    }
    match &options.transformation {
        Some(path) => apply(options, &from, path),
        None => {
            let s = &options.settings;
            let q = class_table_query(
                d,
                &from,
                &s.quasi_identifiers,
                &s.sensitive,
                s.weight.as_deref(),
            )?;
            match &options.copy_to {
                Some(path) => {
                    let meta =
                        query_metadata(&s.quasi_identifiers, &s.sensitive, s.weight.as_deref());
                    write_statement(d, &q, path, Some(&meta))
                }
                None => Ok(q),
            }
        }
    }
}

/// The people-level class table's query (with an entity column).
fn people(options: &Options, from: &str, entity: &str) -> Result<String> {
    let s = &options.settings;
    if options.transformation.is_some() {
        return Err(Error::Invalid(
            "--transformation with --entity: the release of a people-level anonymization suppresses whole people, which the apply query does not do; write the release with reident anonymize --entity".into(),
        ));
    }
    if s.weight.is_some() {
        return Err(Error::Invalid(
            "--weight with --entity: sampling weights are given per record, and people are counted; leave the weight out".into(),
        ));
    }
    let d = options.dialect;
    let q = people_class_table_query(
        d,
        from,
        entity,
        &s.quasi_identifiers,
        &s.sensitive,
        s.entity_signature,
    )?;
    match &options.copy_to {
        Some(path) => {
            let meta = people_query_metadata(
                &s.quasi_identifiers,
                &s.sensitive,
                entity,
                s.entity_signature,
            );
            write_statement(d, &q, path, Some(&meta))
        }
        None => Ok(q),
    }
}

/// The parts of `anonymize --json` that the apply query needs.
#[derive(Deserialize)]
struct Chosen {
    transformation: Vec<Level>,
    output_columns: Option<Vec<String>>,
    suppression: Option<Suppression>,
}

#[derive(Deserialize)]
struct Level {
    qi: String,
    level: usize,
    levels: usize,
}

#[derive(Deserialize)]
struct Suppression {
    suppressed: String,
    rules: Vec<ClassRule>,
    without_sql_rule: Vec<String>,
}

fn apply(options: &Options, from: &str, path: &std::path::Path) -> Result<String> {
    let d = options.dialect;
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let bad = |m: String| Error::Invalid(format!("{}: {m}", path.display()));
    let chosen: Chosen = serde_json::from_str(&text)
        .map_err(|e| bad(format!("not the --json report of reident anonymize: {e}")))?;
    let (Some(columns), Some(sup)) = (chosen.output_columns, chosen.suppression) else {
        return Err(bad(
            "the report lacks \"output_columns\" or \"suppression\": write it with this reident's `anonymize --json`".into(),
        ));
    };
    if !sup.without_sql_rule.is_empty() {
        return Err(bad(format!(
            "suppression under {} has no SQL form (only k-anonymity, highest-risk bounds and distinct l-diversity do): apply this transformation with reident anonymize",
            sup.without_sql_rule.join(", ")
        )));
    }
    let star = match sup.suppressed.as_str() {
        "remove" => false,
        "star" => true,
        other => return Err(bad(format!("unknown suppression {other:?}"))),
    };
    let hierarchies = chosen
        .transformation
        .iter()
        .map(|l| hierarchy_of(options, l))
        .collect::<Result<Vec<_>>>()?;
    let t = Transformation {
        columns,
        qis: chosen
            .transformation
            .iter()
            .zip(&hierarchies)
            .map(|(l, h)| Generalized {
                column: l.qi.clone(),
                level: l.level,
                hierarchy: h.as_ref(),
            })
            .collect(),
        rules: sup.rules,
        star,
    };
    let q = apply_query(d, from, &t)?;
    match &options.copy_to {
        Some(p) => write_statement(d, &q, p, None),
        None => Ok(q),
    }
}

/// The hierarchy of a generalized QI (none at level 0), checked against the levels the
/// transformation was chosen with.
fn hierarchy_of(options: &Options, l: &Level) -> Result<Option<Hierarchy>> {
    if l.level == 0 {
        return Ok(None);
    }
    let file = options
        .hierarchy
        .iter()
        .find(|(c, _)| *c == l.qi)
        .map(|(_, f)| f.clone())
        .or_else(|| {
            options
                .hierarchies
                .as_ref()
                .map(|dir| dir.join(format!("hierarchy_{}.csv", l.qi)))
        })
        .ok_or_else(|| {
            Error::Invalid(format!(
                "quasi-identifier {:?} is generalized to level {}: give --hierarchies DIR or --hierarchy {}=FILE",
                l.qi, l.level, l.qi
            ))
        })?;
    let h = Hierarchy::load(&file)?;
    if h.levels() != l.levels {
        return Err(Error::Invalid(format!(
            "{}: {} levels, but the transformation was chosen with a hierarchy of {}",
            file.display(),
            h.levels(),
            l.levels
        )));
    }
    Ok(Some(h))
}
