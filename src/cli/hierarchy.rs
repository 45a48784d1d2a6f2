//! `reident hierarchy DATA --column COL --interval 5,10,20 -o hierarchy_COL.csv`: builds a
//! generalization hierarchy from a column's values and writes it in the ARX format, to review and
//! edit before a search uses it.

use std::path::PathBuf;

use reident::classes::build_class_table;
use reident::error::{Error, Result};
use reident::hierarchy::build::Builder;
use reident::progress::Progress;
use reident::{Input, InputOptions, Policy, Roles};

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
    /// Output file (ARX format).
    #[arg(short, long)]
    pub output: PathBuf,
    /// CSV delimiter of the input (default: detected).
    #[arg(long, value_parser = super::parse_delimiter)]
    pub delimiter: Option<u8>,
}

pub fn run(args: Args, quiet: bool) -> Result<i32> {
    let builder = if let Some(s) = &args.interval {
        Builder::intervals(s)?
    } else if let Some(s) = &args.mask {
        Builder::mask(s)?
    } else if let Some(s) = &args.date {
        Builder::dates(s)?
    } else if args.suppress {
        Builder::Suppress
    } else {
        return Err(Error::Invalid(
            "choose --interval, --mask, --date or --suppress".into(),
        ));
    };
    let input = Input::open(
        &args.data,
        &InputOptions {
            delimiter: args.delimiter,
        },
    )?;
    let policy = Policy::default().override_with(std::slice::from_ref(&args.column), &[], &[]);
    let roles = Roles::resolve(&policy, input.columns())?;
    let (total, unit) = input.progress_total();
    let table = build_class_table(&input, &roles, &Progress::new(total, unit, quiet))?;
    let hierarchy = builder.build(&args.column, &table.qis[0].values)?;
    hierarchy.write(&args.output)?;
    if !quiet {
        eprintln!(
            "wrote {} values x {} levels to {}",
            hierarchy.rows.len(),
            hierarchy.levels(),
            args.output.display()
        );
    }
    Ok(0)
}
