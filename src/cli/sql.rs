//! `reident sql --dialect spark|duckdb|ansi --table NAME --qi ...`: prints the query that
//! computes the class table in an engine (or, with `--transformation`, the query that produces the
//! release that `anonymize` chose). Reads no data.

use std::path::PathBuf;

use reident::error::Result;
use reident::sql::Dialect;

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
    /// The column that identifies the person: print the query of the people-level class table
    /// (one row per signature, the sorted list of a person's QI tuples).
    #[arg(long, value_name = "COLUMN")]
    pub entity: Option<String>,
    /// With --entity: a person's rows as a multiset (repeats count; the default) or a set.
    #[arg(long, value_enum, value_name = "KIND")]
    pub entity_signature: Option<super::SignatureArg>,
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

pub fn run(args: Args) -> Result<i32> {
    let settings = super::settings(&reident::options::Flags {
        policy: args.policy.clone(),
        qi: args.qi.clone(),
        sensitive: args.sensitive.clone(),
        weight: args.weight.clone(),
        entity: args.entity.clone(),
        entity_signature: args.entity_signature.map(super::SignatureArg::signature),
        ..Default::default()
    })?;
    let text = reident::sql::run(&reident::sql::Options {
        dialect: match args.dialect {
            DialectArg::Spark => Dialect::Spark,
            DialectArg::Duckdb => Dialect::DuckDb,
            DialectArg::Ansi => Dialect::Ansi,
        },
        table: args.table.clone(),
        from: args.from.clone(),
        settings,
        transformation: args.transformation.clone(),
        hierarchies: args.hierarchies.clone(),
        hierarchy: super::files("--hierarchy", &args.hierarchy)?,
        copy_to: args.copy_to.clone(),
    })?;
    println!("{text}");
    Ok(0)
}
