//! `reident convert IN OUT`

use std::path::PathBuf;

use reident::error::Result;
use reident::output::table::{Compression, WriteOptions};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CompressionArg {
    Zstd,
    Snappy,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The input table (Parquet or CSV).
    pub input: PathBuf,
    /// The output file; `.parquet` or `.csv` decides the format.
    pub output: PathBuf,
    /// Parquet compression.
    #[arg(long, value_enum, default_value = "zstd")]
    pub compression: CompressionArg,
    /// Delimiter of a CSV input (default: detected).
    #[arg(long, value_parser = super::parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Delimiter of a CSV output.
    #[arg(long, value_parser = super::parse_delimiter, default_value = ";")]
    pub output_delimiter: u8,
    /// Replace the output file if it exists (refused otherwise).
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: Args, progress: bool) -> Result<i32> {
    let summary = reident::convert::run(&reident::convert::Options {
        input: args.input.clone(),
        delimiter: args.delimiter,
        output: args.output.clone(),
        write: WriteOptions {
            compression: match args.compression {
                CompressionArg::Zstd => Compression::Zstd,
                CompressionArg::Snappy => Compression::Snappy,
            },
            delimiter: args.output_delimiter,
        },
        progress,
        force: args.force,
    })?;
    if progress {
        eprintln!(
            "wrote {} rows x {} columns to {}",
            summary.rows,
            summary.columns,
            args.output.display()
        );
    }
    Ok(0)
}
