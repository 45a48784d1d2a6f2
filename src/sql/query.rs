//! SQL for the engine the user already runs: the query that computes the class table, and the
//! query that applies a transformation chosen by `anonymize`.
//!
//! reident needs only the class table, and a class table is one `GROUP BY`, which Spark, DuckDB or
//! any SQL engine computes at any scale. The queries here write the columns of the interchange
//! format ([`crate::classes::io`]) so that `reident analyze --classes` (and `combos`, `suda`,
//! `anonymize`) give the same figures as on the raw rows.
//!
//! **Class table.** With no sensitive column, one `GROUP BY` over the QIs. With one, a first
//! `GROUP BY` over the QIs and the sensitive column counts each (class, value) cell, a second over
//! the QIs collects the cells into the histogram. With several, the first step is one
//! `GROUPING SETS` scan, one set per sensitive column, and `GROUPING()` tells the sets apart, so
//! the table is read once. Class sizes are cast to `BIGINT` (DuckDB's `SUM` of a `BIGINT` is a
//! 128-bit integer). The weight sum is `NULL` when a weight in the class is missing or negative,
//! which reident then rejects, as it rejects such weights in the data.
//!
//! **Applying a transformation.** Each generalized QI becomes a `CASE` expression: one `WHEN` per
//! value of the chosen level, testing the original values as text (`CAST(col AS VARCHAR)` against
//! the hierarchy's column 0, which holds reident's canonical texts). `CASE` keeps the query
//! self-contained, one statement with no hierarchy tables to load, and each original value is
//! written once; its size grows with the hierarchy (fine for thousands of values; for a hierarchy
//! of millions, load it as a table and join instead). A value the hierarchy lacks raises an error
//! in Spark and DuckDB (`anonymize` would have refused it too) and becomes `NULL` in ANSI SQL,
//! which has no error function. Suppression follows `anonymize`: the size of each generalized
//! class is a window `COUNT(*)` over the generalized QIs; distinct l-diversity counts distinct
//! values with two `DENSE_RANK`s (ascending plus descending, minus one: portable, and it counts
//! `NULL` as a value, as reident does, where `COUNT(DISTINCT)` would not). Records of failing
//! classes are removed, or keep their row with every QI replaced by `*`. Entropy and recursive
//! l-diversity and t-closeness have no such window form: a release that needs them is refused.
//!
//! Comparing values as text matches reident's canonical text for strings, integers and dates;
//! for float or timestamp QIs an engine's text may differ (`3.0` against reident's `3`).

use std::collections::BTreeMap;

use crate::classes::io::{Metadata, COUNT_COLUMN, FORMAT_NAME, FORMAT_VERSION, WEIGHT_COLUMN};
use crate::criteria::ClassRule;
use crate::error::{Error, Result};
use crate::hierarchy::Hierarchy;
use crate::input::encode::NULL_TEXT;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Spark,
    DuckDb,
    /// Standard SQL (SQL:2003 row and array types, `FILTER`, `GROUPING SETS`): Trino and others.
    Ansi,
}

impl Dialect {
    /// A quoted identifier: backticks in Spark, double quotes elsewhere, the quote doubled.
    pub(crate) fn ident(self, name: &str) -> String {
        match self {
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// A string literal. Spark reads backslash escapes in literals, so backslashes are doubled
    /// there too.
    pub(crate) fn string(self, s: &str) -> String {
        match self {
            Dialect::Spark => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''")),
            _ => format!("'{}'", s.replace('\'', "''")),
        }
    }

    pub(super) fn text_type(self) -> &'static str {
        match self {
            Dialect::Spark => "STRING",
            _ => "VARCHAR",
        }
    }

    fn double_type(self) -> &'static str {
        match self {
            Dialect::Ansi => "DOUBLE PRECISION",
            _ => "DOUBLE",
        }
    }

    /// The aggregate that collects (value, count) cells into a histogram.
    pub(super) fn histogram(self, value: &str, count: &str) -> String {
        match self {
            Dialect::Spark => {
                format!("collect_list(named_struct('value', {value}, 'count', {count}))")
            }
            Dialect::DuckDb => format!("list({{'value': {value}, 'count': {count}}})"),
            Dialect::Ansi => format!(
                "ARRAY_AGG(CAST(ROW(CAST({value} AS VARCHAR), {count}) AS ROW(\"value\" VARCHAR, \"count\" BIGINT)))"
            ),
        }
    }

    /// An expression that fails the query with `message`, where the dialect has one.
    pub(super) fn raise(self, message: &str) -> String {
        match self {
            Dialect::Spark => format!("raise_error({})", self.string(message)),
            Dialect::DuckDb => format!("error({})", self.string(message)),
            Dialect::Ansi => "NULL".into(),
        }
    }
}

/// What the queries read: a table name (`db.schema.table`, each part quoted) or a table
/// expression used as is (`read_parquet('x.parquet')`, ``parquet.`/path` ``).
pub fn from_table(dialect: Dialect, name: &str) -> String {
    name.split('.')
        .map(|p| dialect.ident(p))
        .collect::<Vec<_>>()
        .join(".")
}

pub(super) fn reserved(d: Dialect, name: &str) -> String {
    d.ident(&format!("__reident_{name}"))
}

/// The query that computes the class table over `qi`, with a histogram of each `sensitive` column
/// and, with `weight`, the weight sums: the columns of the interchange format.
pub fn class_table_query(
    d: Dialect,
    from: &str,
    qi: &[String],
    sensitive: &[String],
    weight: Option<&str>,
) -> Result<String> {
    check_columns(qi, sensitive, weight)?;
    let q: Vec<String> = qi.iter().map(|c| d.ident(c)).collect();
    let keys = q.join(", ");
    let count = d.ident(COUNT_COLUMN);
    let wsum = d.ident(WEIGHT_COLUMN);
    let mut out = String::new();
    if sensitive.is_empty() {
        out.push_str("SELECT\n");
        for c in &q {
            out.push_str(&format!("  {c},\n"));
        }
        out.push_str(&format!("  CAST(COUNT(*) AS BIGINT) AS {count}"));
        if let Some(w) = weight {
            let w = d.ident(w);
            out.push_str(&format!(
                ",\n  CASE WHEN COUNT({w}) = COUNT(*) AND MIN({w}) >= 0 THEN SUM(CAST({w} AS {})) END AS {wsum}",
                d.double_type()
            ));
        }
        out.push_str(&format!("\nFROM {from}\nGROUP BY {keys}"));
        return Ok(out);
    }
    let s: Vec<String> = sensitive.iter().map(|c| d.ident(c)).collect();
    let (n, ws, wn, wmin) = (
        reserved(d, "n"),
        reserved(d, "ws"),
        reserved(d, "wn"),
        reserved(d, "wmin"),
    );
    let cells = reserved(d, "cells");
    let several = s.len() > 1;
    let set = |k: usize| reserved(d, &format!("set_{k}"));
    // Step 1: (class, value) cells.
    out.push_str(&format!("WITH {cells} AS (\n  SELECT\n"));
    for c in q.iter().chain(&s) {
        out.push_str(&format!("    {c},\n"));
    }
    if several {
        for (k, c) in s.iter().enumerate() {
            out.push_str(&format!("    GROUPING({c}) AS {},\n", set(k)));
        }
    }
    out.push_str(&format!("    COUNT(*) AS {n}"));
    if let Some(w) = weight {
        let w = d.ident(w);
        out.push_str(&format!(
            ",\n    SUM(CAST({w} AS {})) AS {ws},\n    COUNT({w}) AS {wn},\n    MIN({w}) AS {wmin}",
            d.double_type()
        ));
    }
    out.push_str(&format!("\n  FROM {from}\n"));
    if several {
        let sets: Vec<String> = s.iter().map(|c| format!("({keys}, {c})")).collect();
        out.push_str(&format!(
            "  GROUP BY GROUPING SETS ({})\n)\n",
            sets.join(", ")
        ));
    } else {
        out.push_str(&format!("  GROUP BY {keys}, {}\n)\n", s[0]));
    }
    // Step 2: one row per class. The class size and weights come from the first set.
    let filter = |k: usize| {
        if several {
            format!(" FILTER (WHERE {} = 0)", set(k))
        } else {
            String::new()
        }
    };
    out.push_str("SELECT\n");
    for c in &q {
        out.push_str(&format!("  {c},\n"));
    }
    out.push_str(&format!(
        "  CAST(SUM({n}){} AS BIGINT) AS {count}",
        filter(0)
    ));
    if weight.is_some() {
        let f = filter(0);
        out.push_str(&format!(
            ",\n  CASE WHEN SUM({wn}){f} = SUM({n}){f} AND MIN({wmin}){f} >= 0 THEN SUM({ws}){f} END AS {wsum}"
        ));
    }
    for (k, c) in s.iter().enumerate() {
        out.push_str(&format!(",\n  {}{} AS {c}", d.histogram(c, &n), filter(k)));
    }
    out.push_str(&format!("\nFROM {cells}\nGROUP BY {keys}"));
    Ok(out)
}

pub(super) fn check_columns(
    qi: &[String],
    sensitive: &[String],
    weight: Option<&str>,
) -> Result<()> {
    if qi.is_empty() {
        return Err(Error::NoQuasiIdentifiers);
    }
    let mut seen = std::collections::HashSet::new();
    for c in qi.iter().chain(sensitive).map(|s| s.as_str()).chain(weight) {
        if c.starts_with(crate::classes::io::RESERVED_PREFIX) {
            return Err(Error::Invalid(format!(
                "column {c:?}: names starting with {} are reserved for the class-table format",
                crate::classes::io::RESERVED_PREFIX
            )));
        }
        if !seen.insert(c) {
            return Err(Error::Invalid(format!("column {c:?} is named twice")));
        }
    }
    Ok(())
}

/// The statement that runs `query` and writes its result as Parquet at `path`: DuckDB's `COPY`
/// (with the format's metadata entry), Spark's `INSERT OVERWRITE DIRECTORY` (a folder of part
/// files, which reident reads as one table; Spark SQL cannot write the metadata, which is
/// optional). Standard SQL has no such statement. The statement ends with `;`, as the engines'
/// command-line shells (`duckdb`, `spark-sql -f`) need.
pub fn write_statement(
    d: Dialect,
    query: &str,
    path: &str,
    metadata: Option<&Metadata>,
) -> Result<String> {
    match d {
        Dialect::DuckDb => {
            let kv = match metadata {
                Some(m) => {
                    let json = serde_json::to_string(m)
                        .map_err(|e| Error::Invalid(format!("serializing the metadata: {e}")))?;
                    format!(
                        ", KV_METADATA {{{}: {}}}",
                        d.string(crate::classes::io::METADATA_KEY),
                        d.string(&json)
                    )
                }
                None => String::new(),
            };
            Ok(format!(
                "COPY (\n{query}\n) TO {} (FORMAT PARQUET{kv});",
                d.string(path)
            ))
        }
        Dialect::Spark => Ok(format!(
            "INSERT OVERWRITE DIRECTORY {} USING parquet\n{query};",
            d.string(path)
        )),
        Dialect::Ansi => Err(Error::Invalid(
            "--copy-to: standard SQL has no statement that writes a file; use --dialect duckdb or spark, or wrap the query in your engine's export".into(),
        )),
    }
}

/// The metadata entry of a class table computed by [`class_table_query`].
pub fn query_metadata(qi: &[String], sensitive: &[String], weight: Option<&str>) -> Metadata {
    Metadata {
        format: FORMAT_NAME.into(),
        version: FORMAT_VERSION,
        quasi_identifiers: qi.to_vec(),
        sensitive: sensitive.to_vec(),
        weight: weight.map(str::to_string),
        records: None,
        classes: None,
        tool: Some(format!("{} (sql)", crate::classes::io::tool())),
        entity: None,
        signature: None,
        people: None,
        rows: None,
    }
}

/// One QI of a transformation: its level, and its hierarchy when the level is above 0.
pub struct Generalized<'a> {
    pub column: String,
    pub level: usize,
    pub hierarchy: Option<&'a Hierarchy>,
}

/// A transformation to apply: the output columns in order (QIs among them), the QIs'
/// levels, the rules a class must meet to be kept, and what happens to the others.
pub struct Transformation<'a> {
    pub columns: Vec<String>,
    pub qis: Vec<Generalized<'a>>,
    pub rules: Vec<ClassRule>,
    pub star: bool,
}

/// The query that produces the release of a transformation from the original table.
pub fn apply_query(d: Dialect, from: &str, t: &Transformation) -> Result<String> {
    let qi_names: Vec<&str> = t.qis.iter().map(|g| g.column.as_str()).collect();
    for q in &qi_names {
        if !t.columns.iter().any(|c| c == q) {
            return Err(Error::Invalid(format!(
                "quasi-identifier {q:?} is not among the output columns"
            )));
        }
    }
    let generalized = reserved(d, "generalized");
    let sized = reserved(d, "sized");
    let size = reserved(d, "size");
    let text = d.text_type();
    let mut out = format!("WITH {generalized} AS (\n  SELECT\n");
    let mut items = Vec::new();
    for c in &t.columns {
        let col = d.ident(c);
        match t.qis.iter().find(|g| &g.column == c) {
            Some(g) if g.level > 0 => {
                let h = g.hierarchy.ok_or_else(|| {
                    Error::Invalid(format!(
                        "no hierarchy for quasi-identifier {c:?}, generalized to level {}",
                        g.level
                    ))
                })?;
                if g.level >= h.levels() {
                    return Err(Error::Invalid(format!(
                        "{}: level {} of {c:?}, but the hierarchy has levels 0 to {}",
                        h.path.display(),
                        g.level,
                        h.levels() - 1
                    )));
                }
                items.push(format!("{} AS {col}", case_expression(d, &col, h, g.level)));
            }
            _ => items.push(col),
        }
    }
    out.push_str(&format!(
        "    {}\n  FROM {from}\n),\n",
        items.join(",\n    ")
    ));
    let partition = qi_names
        .iter()
        .map(|q| d.ident(q))
        .collect::<Vec<_>>()
        .join(", ");
    out.push_str(&format!(
        "{sized} AS (\n  SELECT\n    *,\n    COUNT(*) OVER (PARTITION BY {partition}) AS {size}"
    ));
    let mut keep: Vec<String> = Vec::new();
    let min_size = t
        .rules
        .iter()
        .filter_map(|r| match r {
            ClassRule::MinSize(k) => Some(*k),
            _ => None,
        })
        .max()
        .unwrap_or(1);
    if min_size > i64::MAX as u64 {
        keep.push("FALSE".into());
    } else if min_size > 1 {
        keep.push(format!("{size} >= {min_size}"));
    }
    let mut k = 0;
    for r in &t.rules {
        if let ClassRule::MinDistinct { column, l } = r {
            if !t.columns.iter().any(|c| c == column) {
                return Err(Error::Invalid(format!(
                    "distinct l-diversity on {column:?}, which is not among the output columns"
                )));
            }
            let s = d.ident(column);
            let name = reserved(d, &format!("distinct_{k}"));
            out.push_str(&format!(
                ",\n    DENSE_RANK() OVER (PARTITION BY {partition} ORDER BY {s} ASC NULLS FIRST)\n      + DENSE_RANK() OVER (PARTITION BY {partition} ORDER BY {s} DESC NULLS LAST) - 1 AS {name}"
            ));
            keep.push(format!("{name} >= {l}"));
            k += 1;
        }
    }
    out.push_str(&format!("\n  FROM {generalized}\n)\n"));
    let cond = if keep.is_empty() {
        "TRUE".to_string()
    } else {
        keep.join(" AND ")
    };
    if t.star {
        let items: Vec<String> = t
            .columns
            .iter()
            .map(|c| {
                let col = d.ident(c);
                if qi_names.contains(&c.as_str()) {
                    format!(
                        "CASE WHEN {cond} THEN CAST({col} AS {text}) ELSE {} END AS {col}",
                        d.string("*")
                    )
                } else {
                    col
                }
            })
            .collect();
        out.push_str(&format!("SELECT\n  {}\nFROM {sized}", items.join(",\n  ")));
    } else {
        let items: Vec<String> = t.columns.iter().map(|c| d.ident(c)).collect();
        out.push_str(&format!(
            "SELECT\n  {}\nFROM {sized}\nWHERE {cond}",
            items.join(",\n  ")
        ));
    }
    Ok(out)
}

/// `CASE` from the original values (compared as text) to their generalization at `level`.
fn case_expression(d: Dialect, col: &str, h: &Hierarchy, level: usize) -> String {
    let text = d.text_type();
    // Target value -> its original values; targets in the order of their first hierarchy row,
    // so that the query reads like the hierarchy file.
    let mut order: Vec<&str> = Vec::new();
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for row in &h.rows {
        let target = row[level].as_str();
        let g = groups.entry(target).or_default();
        if g.is_empty() {
            order.push(target);
        }
        g.push(row[0].as_str());
    }
    let mut s = String::from("CASE");
    for target in order {
        let originals = &groups[target];
        let list: Vec<String> = originals.iter().map(|v| d.string(v)).collect();
        let mut test = format!("CAST({col} AS {text}) IN ({})", list.join(", "));
        if originals.contains(&NULL_TEXT) {
            test = format!("{col} IS NULL OR {test}");
        }
        s.push_str(&format!("\n      WHEN {test} THEN {}", d.string(target)));
    }
    let msg = format!(
        "reident: a value of {} is not in its hierarchy {}",
        col,
        h.path.display()
    );
    s.push_str(&format!("\n      ELSE {}\n    END", d.raise(&msg)));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_literals_are_escaped() {
        assert_eq!(Dialect::DuckDb.ident("a \"b\"-c"), "\"a \"\"b\"\"-c\"");
        assert_eq!(Dialect::Spark.ident("a`b c"), "`a``b c`");
        assert_eq!(Dialect::Ansi.string("it's"), "'it''s'");
        assert_eq!(Dialect::Spark.string("a\\'b"), "'a\\\\''b'");
        assert_eq!(from_table(Dialect::Spark, "db.my table"), "`db`.`my table`");
    }

    #[test]
    fn plain_group_by_without_sensitive_columns() {
        let q = class_table_query(
            Dialect::DuckDb,
            "t",
            &["age".into(), "zip code".into()],
            &[],
            None,
        )
        .unwrap();
        assert_eq!(
            q,
            "SELECT\n  \"age\",\n  \"zip code\",\n  CAST(COUNT(*) AS BIGINT) AS \"__reident_count\"\nFROM t\nGROUP BY \"age\", \"zip code\""
        );
    }

    #[test]
    fn apply_query_generalizes_by_case_and_suppresses_by_window() {
        let rows = [["a", "ab", "*"], ["b", "ab", "*"], ["NULL", "n", "*"]]
            .iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect();
        let h = Hierarchy::from_rows(std::path::Path::new("h.csv"), rows).unwrap();
        let t = Transformation {
            columns: vec!["x".into(), "s".into()],
            qis: vec![Generalized {
                column: "x".into(),
                level: 1,
                hierarchy: Some(&h),
            }],
            rules: vec![
                ClassRule::MinSize(3),
                ClassRule::MinSize(5),
                ClassRule::MinDistinct {
                    column: "s".into(),
                    l: 2,
                },
            ],
            star: false,
        };
        let q = apply_query(Dialect::DuckDb, "t", &t).unwrap();
        assert!(
            q.contains("WHEN CAST(\"x\" AS VARCHAR) IN ('a', 'b') THEN 'ab'"),
            "{q}"
        );
        // The text NULL and a real null are one value, as in reident.
        assert!(
            q.contains("WHEN \"x\" IS NULL OR CAST(\"x\" AS VARCHAR) IN ('NULL') THEN 'n'"),
            "{q}"
        );
        assert!(q.contains("ELSE error("), "{q}");
        // The largest size rule wins; distinct values by two dense ranks.
        assert!(
            q.ends_with("WHERE \"__reident_size\" >= 5 AND \"__reident_distinct_0\" >= 2"),
            "{q}"
        );
        let too_high = Transformation {
            qis: vec![Generalized {
                column: "x".into(),
                level: 3,
                hierarchy: Some(&h),
            }],
            ..t
        };
        assert!(apply_query(Dialect::Spark, "t", &too_high).is_err());
    }

    #[test]
    fn several_sensitive_columns_use_grouping_sets() {
        let q = class_table_query(
            Dialect::Spark,
            "t",
            &["a".into()],
            &["s1".into(), "s2".into()],
            Some("w"),
        )
        .unwrap();
        assert!(
            q.contains("GROUP BY GROUPING SETS ((`a`, `s1`), (`a`, `s2`))"),
            "{q}"
        );
        assert!(q.contains("collect_list(named_struct('value', `s2`, 'count', `__reident_n`)) FILTER (WHERE `__reident_set_1` = 0) AS `s2`"), "{q}");
        assert!(
            class_table_query(Dialect::Spark, "t", &["a".into()], &["a".into()], None).is_err()
        );
        assert!(class_table_query(Dialect::Spark, "t", &[], &[], None).is_err());
    }
}
