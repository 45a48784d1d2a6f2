//! Command-line definitions (clap derive) and dispatch.

pub mod analyze;
pub mod convert;

use clap::{Parser, Subcommand};

use reident::error::{Error, Result};

#[derive(Debug, Parser)]
#[command(
    name = "reident",
    version,
    about = "Re-identification risk analysis for microdata (Parquet and CSV)"
)]
pub struct Cli {
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,
    /// Do not show a progress bar.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Equivalence classes, k-anonymity, prosecutor risk and sample uniqueness over the QIs.
    Analyze(analyze::Args),
    /// Convert CSV to Parquet and back, keeping column order and values.
    Convert(convert::Args),
}

pub fn run(cli: Cli) -> Result<i32> {
    if let Some(n) = cli.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .map_err(|e| Error::Invalid(format!("--threads: {e}")))?;
    }
    match cli.command {
        Command::Analyze(a) => analyze::run(a, cli.quiet),
        Command::Convert(a) => convert::run(a, cli.quiet),
    }
}

/// Parses a delimiter argument: one ASCII character, or `tab` / `\t`.
pub fn parse_delimiter(s: &str) -> std::result::Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(format!("{s:?} is not one ASCII character (or `tab`)")),
    }
}
