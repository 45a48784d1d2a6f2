//! `reident sql --dialect spark|duckdb|ansi --table NAME --qi ...`: prints the query that
//! computes the class table in an engine (or, with `--transformation`, the query that produces the
//! release that `anonymize` chose). Reads no data.

use std::path::PathBuf;

use serde::Deserialize;

use reident::error::{Error, Result};
use reident::hierarchy::Hierarchy;
use reident::criteria::predicates::ClassRule;
use reident::sql::{
    apply_query, class_table_query, from_table, query_metadata, write_statement, Dialect,
    Generalized, Transformation,
};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DialectArg {
    Spark,
    Duckdb,
    Ansi,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["table", "from"])))]
pub struct Args {
    /// The SQL dialect.
    #[arg(long, value_enum)]
    pub dialect: DialectArg,
    /// The table to read: a name, optionally qualified (db.schema.table); each part is quoted.
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,
    /// A table expression used as is, e.g. "read_parquet('data.parquet')" or "parquet.`/data`".
    #[arg(long, value_name = "SQL")]
    pub from: Option<String>,
    /// Quasi-identifiers, comma-separated (or from --policy).
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub qi: Vec<String>,
    /// Sensitive attributes: a histogram column each.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub sensitive: Vec<String>,
    /// A sampling-weight column: its sum per class.
    #[arg(long, value_name = "COLUMN")]
    pub weight: Option<String>,
    /// A policy file with the roles; flags given here replace its lists.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// The `--json` report of `reident anonymize`: print the query that applies its
    /// transformation (generalization and suppression) instead.
    #[arg(long, value_name = "FILE")]
    pub transformation: Option<PathBuf>,
    /// Folder of hierarchy_<column>.csv files (for --transformation).
    #[arg(long, value_name = "DIR")]
    pub hierarchies: Option<PathBuf>,
    /// A QI's hierarchy file, COLUMN=FILE (repeatable; for --transformation).
    #[arg(long, value_name = "COL=FILE")]
    pub hierarchy: Vec<String>,
    /// Print the statement that writes the result as Parquet here (DuckDB COPY, Spark INSERT
    /// OVERWRITE DIRECTORY) instead of the bare query.
    #[arg(long, value_name = "PATH")]
    pub copy_to: Option<String>,
}

/// The parts of `anonymize --json` that the apply query needs.
#[derive(Deserialize)]
struct Report {
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

pub fn run(args: Args) -> Result<i32> {
    let d = match args.dialect {
        DialectArg::Spark => Dialect::Spark,
        DialectArg::Duckdb => Dialect::DuckDb,
        DialectArg::Ansi => Dialect::Ansi,
    };
    let from = match (&args.table, &args.from) {
        (Some(t), _) => from_table(d, t),
        (None, Some(f)) => f.clone(),
        (None, None) => unreachable!("clap requires one"),
    };
    let text = match &args.transformation {
        Some(path) => apply(&args, d, &from, path)?,
        None => {
            let policy = super::load_policy(args.policy.as_ref(), &args.qi, &args.sensitive, &[])?
                .with_weight(args.weight.as_ref());
            let q = class_table_query(
                d,
                &from,
                &policy.quasi_identifiers,
                &policy.sensitive,
                policy.weight.as_deref(),
            )?;
            match &args.copy_to {
                Some(path) => {
                    let meta = query_metadata(
                        &policy.quasi_identifiers,
                        &policy.sensitive,
                        policy.weight.as_deref(),
                    );
                    write_statement(d, &q, path, Some(&meta))?
                }
                None => q,
            }
        }
    };
    println!("{text}");
    Ok(0)
}

fn apply(args: &Args, d: Dialect, from: &str, path: &std::path::Path) -> Result<String> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let bad = |m: String| Error::Invalid(format!("{}: {m}", path.display()));
    let report: Report = serde_json::from_str(&text)
        .map_err(|e| bad(format!("not the --json report of reident anonymize: {e}")))?;
    let (Some(columns), Some(sup)) = (report.output_columns, report.suppression) else {
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
    let mut hierarchies: Vec<Option<Hierarchy>> = Vec::new();
    for l in &report.transformation {
        if l.level == 0 {
            hierarchies.push(None);
            continue;
        }
        let file = args
            .hierarchy
            .iter()
            .find_map(|s| s.split_once('=').filter(|(c, _)| *c == l.qi).map(|(_, f)| PathBuf::from(f)))
            .or_else(|| {
                args.hierarchies
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
        hierarchies.push(Some(h));
    }
    let t = Transformation {
        columns,
        qis: report
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
    match &args.copy_to {
        Some(p) => write_statement(d, &q, p, None),
        None => Ok(q),
    }
}
