//! The engine query for people: the people form of the class table ([`crate::classes::io`]),
//! when a person (the entity column) can have several rows.
//!
//! 1. `GROUP BY` the entity and the QIs counts each person's rows per QI tuple (a row without an
//!    entity value fails the query in Spark and DuckDB; in ANSI SQL, which has no error
//!    function, its element gets a `NULL` row count, which reident rejects).
//! 2. `GROUP BY` the entity collects each person's tuples into a list of structs sorted by the
//!    QI values (`NULLS LAST`), each with the person's rows with that tuple (1 for a set
//!    signature): the signature. Sorting makes equal multisets equal lists.
//! 3. `GROUP BY` the signature counts the people of each class and their rows.
//!
//! With sensitive columns, step 3 runs over the people's cells: one `GROUPING SETS` scan of the
//! table counts each person's rows (the set of the entity alone) and each person's rows per
//! value of each sensitive column; joined to the people's signatures (on the entity, null-safe)
//! and grouped by signature, the first set gives the class's people and rows, the others its
//! histograms over the rows of its people, as in the row-level query.

use super::query::{check_columns, reserved, Dialect};
use crate::classes::io::{
    Metadata, COUNT_COLUMN, FORMAT_NAME, FORMAT_VERSION, ROWS_FIELD, ROW_COUNT_COLUMN,
    SIGNATURE_COLUMN,
};
use crate::classes::people::Signature;
use crate::error::Result;

/// The element of a signature: the QI values and the rows (`rows`, an expression) as a struct.
fn element(d: Dialect, qi: &[String], rows: &str) -> String {
    match d {
        Dialect::DuckDb => {
            let mut fields: Vec<String> = qi
                .iter()
                .map(|q| format!("{}: {}", d.string(q), d.ident(q)))
                .collect();
            fields.push(format!("{}: {rows}", d.string(ROWS_FIELD)));
            format!("{{{}}}", fields.join(", "))
        }
        Dialect::Spark => {
            let mut fields: Vec<String> = qi
                .iter()
                .map(|q| format!("{}, {}", d.string(q), d.ident(q)))
                .collect();
            fields.push(format!("{}, {rows}", d.string(ROWS_FIELD)));
            format!("named_struct({})", fields.join(", "))
        }
        Dialect::Ansi => {
            let values: Vec<String> = qi
                .iter()
                .map(|q| format!("CAST({} AS VARCHAR)", d.ident(q)))
                .chain([rows.to_string()])
                .collect();
            let types: Vec<String> = qi
                .iter()
                .map(|q| format!("{} VARCHAR", d.ident(q)))
                .chain([format!("{} BIGINT", d.ident(ROWS_FIELD))])
                .collect();
            format!(
                "CAST(ROW({}) AS ROW({}))",
                values.join(", "),
                types.join(", ")
            )
        }
    }
}

/// The aggregate that collects a person's elements into a list sorted by the QI values.
fn sorted_list(d: Dialect, qi: &[String], element: &str) -> String {
    let order: Vec<String> = qi
        .iter()
        .map(|q| format!("{} ASC NULLS LAST", d.ident(q)))
        .collect();
    match d {
        Dialect::DuckDb => format!("list({element} ORDER BY {})", order.join(", ")),
        // Spark's struct ordering compares field by field: the tuples of a person are distinct,
        // so the order is total.
        Dialect::Spark => format!("sort_array(collect_list({element}))"),
        Dialect::Ansi => format!("ARRAY_AGG({element} ORDER BY {})", order.join(", ")),
    }
}

/// Null-safe equality, for the join on the entity.
fn same(d: Dialect, a: &str, b: &str) -> String {
    match d {
        Dialect::Spark => format!("{a} <=> {b}"),
        _ => format!("{a} IS NOT DISTINCT FROM {b}"),
    }
}

/// The query that computes the people-level class table: one row per signature (the sorted
/// list of a person's QI tuples with their rows), its people, their rows, and the histogram of
/// each `sensitive` column over their rows.
pub fn people_class_table_query(
    d: Dialect,
    from: &str,
    entity: &str,
    qi: &[String],
    sensitive: &[String],
    signature: Signature,
) -> Result<String> {
    check_columns(qi, sensitive, Some(entity))?;
    let e = d.ident(entity);
    let q: Vec<String> = qi.iter().map(|c| d.ident(c)).collect();
    let s: Vec<String> = sensitive.iter().map(|c| d.ident(c)).collect();
    let (tuples, people, n, ent) = (
        reserved(d, "tuples"),
        reserved(d, "people"),
        reserved(d, "n"),
        reserved(d, "entity"),
    );
    let (sig, count, row_count, rows) = (
        d.ident(SIGNATURE_COLUMN),
        d.ident(COUNT_COLUMN),
        d.ident(ROW_COUNT_COLUMN),
        reserved(d, "rows"),
    );
    let missing = d.raise(&format!(
        "reident: rows with no value in the entity column {entity:?}: every row needs its person"
    ));
    // Step 1: each person's rows per QI tuple.
    let mut out = format!(
        "WITH {tuples} AS (\n  SELECT\n    {e} AS {ent},\n{}    CASE WHEN {e} IS NULL THEN {missing} ELSE COUNT(*) END AS {n}\n  FROM {from}\n  GROUP BY {e}, {}\n),\n",
        q.iter().map(|c| format!("    {c},\n")).collect::<String>(),
        q.join(", ")
    );
    // Step 2: each person's signature.
    let mult = match signature {
        Signature::Multiset => n.clone(),
        Signature::Set => format!("CAST(CASE WHEN {n} IS NULL THEN NULL ELSE 1 END AS BIGINT)"),
    };
    out.push_str(&format!(
        "{people} AS (\n  SELECT\n    {ent},\n    {} AS {sig},\n    SUM({n}) AS {rows}\n  FROM {tuples}\n  GROUP BY {ent}\n)",
        sorted_list(d, qi, &element(d, qi, &mult))
    ));
    if s.is_empty() {
        // Step 3: people and rows per signature.
        out.push_str(&format!(
            "\nSELECT\n  {sig},\n  CAST(COUNT(*) AS BIGINT) AS {count},\n  CAST(SUM({rows}) AS BIGINT) AS {row_count}\nFROM {people}\nGROUP BY {sig}"
        ));
        return Ok(out);
    }
    // Step 3 with histograms: each person's rows, and rows per sensitive value.
    let (person_cells, cells, people_n) = (
        reserved(d, "person_cells"),
        reserved(d, "cells"),
        reserved(d, "people_n"),
    );
    let set = |k: usize| reserved(d, &format!("set_{k}"));
    let sets: Vec<String> = std::iter::once(format!("({e})"))
        .chain(s.iter().map(|c| format!("({e}, {c})")))
        .collect();
    out.push_str(&format!(
        ",\n{person_cells} AS (\n  SELECT\n    {e} AS {ent},\n"
    ));
    for c in &s {
        out.push_str(&format!("    {c},\n"));
    }
    for (k, c) in s.iter().enumerate() {
        out.push_str(&format!("    GROUPING({c}) AS {},\n", set(k)));
    }
    out.push_str(&format!(
        "    COUNT(*) AS {n}\n  FROM {from}\n  GROUP BY GROUPING SETS ({})\n),\n",
        sets.join(", ")
    ));
    // The cells of each signature: people and rows (the entity's set), rows per value.
    let keys: Vec<String> = s
        .iter()
        .map(|c| format!("{person_cells}.{c}"))
        .chain((0..s.len()).map(|k| format!("{person_cells}.{}", set(k))))
        .collect();
    out.push_str(&format!(
        "{cells} AS (\n  SELECT\n    {people}.{sig},\n{}    COUNT(*) AS {people_n},\n    CAST(SUM({person_cells}.{n}) AS BIGINT) AS {n}\n  FROM {person_cells}\n  JOIN {people} ON {}\n  GROUP BY {people}.{sig}, {}\n)\n",
        keys.iter().map(|k| format!("    {k},\n")).collect::<String>(),
        same(d, &format!("{person_cells}.{ent}"), &format!("{people}.{ent}")),
        keys.join(", ")
    ));
    let whole = (0..s.len())
        .map(|k| format!("{} = 1", set(k)))
        .collect::<Vec<_>>()
        .join(" AND ");
    out.push_str(&format!(
        "SELECT\n  {sig},\n  CAST(SUM({people_n}) FILTER (WHERE {whole}) AS BIGINT) AS {count},\n  CAST(SUM({n}) FILTER (WHERE {whole}) AS BIGINT) AS {row_count}"
    ));
    for (k, c) in s.iter().enumerate() {
        out.push_str(&format!(
            ",\n  {} FILTER (WHERE {} = 0) AS {c}",
            d.histogram(c, &n),
            set(k)
        ));
    }
    out.push_str(&format!("\nFROM {cells}\nGROUP BY {sig}"));
    Ok(out)
}

/// The metadata entry of a people-level class table computed by [`people_class_table_query`].
pub fn people_query_metadata(
    qi: &[String],
    sensitive: &[String],
    entity: &str,
    signature: Signature,
) -> Metadata {
    Metadata {
        format: FORMAT_NAME.into(),
        version: FORMAT_VERSION,
        quasi_identifiers: qi.to_vec(),
        sensitive: sensitive.to_vec(),
        weight: None,
        records: None,
        classes: None,
        tool: Some(format!("{} (sql)", crate::classes::io::tool())),
        entity: Some(entity.to_string()),
        signature: Some(signature),
        people: None,
        rows: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_group_bys_without_sensitive_columns() {
        let q = people_class_table_query(
            Dialect::DuckDb,
            "t",
            "pid",
            &["a".into()],
            &[],
            Signature::Multiset,
        )
        .unwrap();
        assert_eq!(
            q,
            "WITH \"__reident_tuples\" AS (\n  SELECT\n    \"pid\" AS \"__reident_entity\",\n    \"a\",\n    CASE WHEN \"pid\" IS NULL THEN error('reident: rows with no value in the entity column \"pid\": every row needs its person') ELSE COUNT(*) END AS \"__reident_n\"\n  FROM t\n  GROUP BY \"pid\", \"a\"\n),\n\"__reident_people\" AS (\n  SELECT\n    \"__reident_entity\",\n    list({'a': \"a\", '__reident_rows': \"__reident_n\"} ORDER BY \"a\" ASC NULLS LAST) AS \"__reident_signature\",\n    SUM(\"__reident_n\") AS \"__reident_rows\"\n  FROM \"__reident_tuples\"\n  GROUP BY \"__reident_entity\"\n)\nSELECT\n  \"__reident_signature\",\n  CAST(COUNT(*) AS BIGINT) AS \"__reident_count\",\n  CAST(SUM(\"__reident_rows\") AS BIGINT) AS \"__reident_row_count\"\nFROM \"__reident_people\"\nGROUP BY \"__reident_signature\""
        );
    }

    /// Spark is not in CI (`scripts/spark_e2e.sh` runs it): its form is pinned here.
    #[test]
    fn spark_sorts_collected_structs_and_joins_null_safe() {
        let q = people_class_table_query(
            Dialect::Spark,
            "`v`",
            "pid",
            &["a".into(), "b c".into()],
            &["s".into()],
            Signature::Set,
        )
        .unwrap();
        for part in [
            "sort_array(collect_list(named_struct('a', `a`, 'b c', `b c`, '__reident_rows', CAST(CASE WHEN `__reident_n` IS NULL THEN NULL ELSE 1 END AS BIGINT))))",
            "CASE WHEN `pid` IS NULL THEN raise_error(",
            "GROUP BY GROUPING SETS ((`pid`), (`pid`, `s`))",
            "JOIN `__reident_people` ON `__reident_person_cells`.`__reident_entity` <=> `__reident_people`.`__reident_entity`",
            "CAST(SUM(`__reident_people_n`) FILTER (WHERE `__reident_set_0` = 1) AS BIGINT) AS `__reident_count`",
            "collect_list(named_struct('value', `s`, 'count', `__reident_n`)) FILTER (WHERE `__reident_set_0` = 0) AS `s`",
        ] {
            assert!(q.contains(part), "{part}\n{q}");
        }
        assert!(people_class_table_query(
            Dialect::Spark,
            "v",
            "a",
            &["a".into()],
            &[],
            Signature::Set
        )
        .is_err());
    }
}
