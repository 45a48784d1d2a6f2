//! `reident classes DATA --qi ... -o classes.parquet`: the class table as a file, in the
//! interchange format of `reident::classes::io` (the format an engine's GROUP BY writes too).
//!
//! The data is streamed a window of row groups at a time into the class table, which is then
//! written a batch of classes at a time: memory is the class table plus one window, whatever the
//! size of the file. With `--classes` it reads a class table instead, so a table over many QIs
//! can be rolled up to fewer, or part files merged into one.

use std::path::PathBuf;

use reident::tool::ToolInfo;
use reident::classes::io::write_class_table;
use reident::error::{Error, Result};
use reident::progress::Progress;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub table: super::TableArgs,
    /// Sensitive attributes: one histogram column each.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub sensitive: Vec<String>,
    /// A sampling-weight column: its sum per class is written too.
    #[arg(long, value_name = "COLUMN")]
    pub weight: Option<String>,
    /// The class table to write (Parquet).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Print a JSON summary instead of a line of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, quiet: bool) -> Result<i32> {
    let policy = super::load_policy(
        args.table.policy.as_ref(),
        &args.table.qi,
        &args.sensitive,
        &[],
    )?
    .with_weight(args.weight.as_ref());
    let (input, roles, _) = super::open_with_roles(&args.table, &policy)?;
    reident::output::refuse_overwrite(input.path(), &args.output)?;
    let (total, unit) = input.progress_total();
    let table = input.class_table(&roles, &Progress::new(total, unit, quiet))?;
    let weight = roles.weight.map(|w| roles.columns[w].clone());
    write_class_table(&table, weight.as_deref(), &args.output)?;
    if args.json {
        let doc = serde_json::json!({
            "schema_version": 1,
            "tool": ToolInfo::current(),
            "dataset": input.path().display().to_string(),
            "output": args.output.display().to_string(),
            "format_version": reident::classes::io::FORMAT_VERSION,
            "records": table.n_records,
            "classes": table.n_classes(),
            "quasi_identifiers": roles.names(&roles.qi),
            "sensitive": roles.names(&roles.sensitive),
            "weight": weight,
        });
        let text = serde_json::to_string_pretty(&doc)
            .map_err(|e| Error::Invalid(format!("serializing the summary: {e}")))?;
        println!("{text}");
    } else {
        println!(
            "wrote {} classes ({} records, {} quasi-identifiers{}) to {}",
            table.n_classes(),
            table.n_records,
            roles.qi.len(),
            if roles.sensitive.is_empty() {
                String::new()
            } else {
                format!(", {} sensitive", roles.sensitive.len())
            },
            args.output.display()
        );
    }
    Ok(0)
}
