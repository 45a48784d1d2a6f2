//! `reident hierarchy DATA --column COL --interval 5,10,20 -o hierarchy_COL.csv` (or `--auto`)

use std::path::PathBuf;

use reident::error::{Error, Result};
use reident::hierarchy::build::Spec;

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("kind").required(true))]
pub struct Args {
    /// The table: a Parquet file, or a CSV file with a header row.
    pub data: PathBuf,
    /// The column to build a hierarchy for.
    #[arg(long)]
    pub column: String,
    /// Numeric intervals: widths per level, optional bottom/top coding (5,10,20@18..90).
    #[arg(long, group = "kind", value_name = "WIDTHS[@LOW..HIGH]")]
    pub interval: Option<String>,
    /// Mask the last k characters per level (1,2,3,5), e.g. for ZIP codes.
    #[arg(long, group = "kind", value_name = "K,...")]
    pub mask: Option<String>,
    /// Dates: month, year, 5y, decade (comma-separated, in order).
    #[arg(long, group = "kind", value_name = "LEVELS")]
    pub date: Option<String>,
    /// Plain suppression: the value, then `*`.
    #[arg(long, group = "kind")]
    pub suppress: bool,
    /// Chosen from the values: intervals of nice widths for numbers, month/year/5y/decade for
    /// dates, masking for fixed-length digit codes (ZIP), suppression for other text.
    #[arg(long, group = "kind")]
    pub auto: bool,
    /// Output file (ARX format).
    #[arg(short, long)]
    pub output: PathBuf,
    /// CSV delimiter of the input (default: detected).
    #[arg(long, value_parser = super::parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Replace the output file if it exists (refused otherwise).
    #[arg(long)]
    pub force: bool,
    /// Work budget: the build (distinct values x levels cells, each counted as 1,000) is
    /// estimated first and refused past it (default 1e11, 10^8 cells).
    #[arg(long, value_name = "N")]
    pub max_work: Option<f64>,
}

pub fn run(args: Args, progress: bool) -> Result<i32> {
    let builder = match (&args.interval, &args.mask, &args.date, args.suppress) {
        (Some(s), _, _, _) => Spec::Intervals(s.clone()),
        (_, Some(s), _, _) => Spec::Mask(s.clone()),
        (_, _, Some(s), _) => Spec::Dates(s.clone()),
        (_, _, _, true) => Spec::Suppress,
        _ if args.auto => Spec::Auto,
        _ => {
            return Err(Error::Invalid(
                "choose --interval, --mask, --date, --suppress or --auto".into(),
            ))
        }
    };
    let outcome = reident::hierarchy::run(&reident::hierarchy::Options {
        data: args.data.clone(),
        delimiter: args.delimiter,
        column: args.column.clone(),
        builder,
        output: args.output.clone(),
        progress,
        force: args.force,
        max_work: args.max_work,
    })?;
    if progress || args.auto {
        eprintln!(
            "wrote {} values x {} levels ({}) to {}",
            outcome.values,
            outcome.levels,
            outcome.builder.describe(),
            outcome.output.display()
        );
    }
    Ok(0)
}
