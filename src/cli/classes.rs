//! `reident classes DATA --qi ... -o classes.parquet`: the class table as a file.

use std::path::PathBuf;

use reident::error::Result;

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
    /// Replace the output file if it exists (refused otherwise).
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: Args, progress: bool) -> Result<i32> {
    let settings = super::settings(&reident::options::Flags {
        sensitive: args.sensitive.clone(),
        weight: args.weight.clone(),
        ..args.table.flags()
    })?;
    let outcome = reident::classes::run(&reident::classes::Options {
        table: args.table.source(),
        settings,
        output: args.output.clone(),
        progress,
        force: args.force,
    })?;
    if args.json {
        println!("{}", outcome.json()?);
    } else {
        print!(
            "{}",
            reident::text::terminal(&reident::text::classes(&outcome))
        );
    }
    Ok(0)
}
