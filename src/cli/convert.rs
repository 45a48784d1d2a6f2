//! `reident convert IN OUT`

use std::path::PathBuf;

use reident::convert::convert;
use reident::output::table::{Compression, WriteOptions};
use reident::error::Result;
use reident::progress::Progress;
use reident::{Input, InputOptions};

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
}

pub fn run(args: Args, quiet: bool) -> Result<i32> {
    let input = Input::open(
        &args.input,
        &InputOptions {
            delimiter: args.delimiter,
        },
    )?;
    let (total, unit) = input.progress_total();
    let progress = Progress::new(total, unit, quiet);
    let summary = convert(
        &input,
        &args.output,
        &WriteOptions {
            compression: match args.compression {
                CompressionArg::Zstd => Compression::Zstd,
                CompressionArg::Snappy => Compression::Snappy,
            },
            delimiter: args.output_delimiter,
        },
        &progress,
    )?;
    if !quiet {
        eprintln!(
            "wrote {} rows x {} columns to {}",
            summary.rows,
            summary.columns,
            args.output.display()
        );
    }
    Ok(0)
}
