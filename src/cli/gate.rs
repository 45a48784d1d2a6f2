//! `reident gate DATA --policy FILE`: exit 0 when every threshold holds, 1 when one fails, 2
//! when the check could not be made. One line per threshold on stdout, or with `--json` the whole
//! report. Every run appends a line to the audit log.

use reident::error::Result;

/// The same arguments as `analyze` (the thresholds come from the policy or the target flags).
pub type Args = super::analyze::Args;

pub fn run(args: Args, progress: bool) -> Result<i32> {
    let options = args.report.prepare(args.table.policy.as_deref(), true)?;
    let outcome = reident::gate::run(&args.options(progress)?)?;
    super::warn(&outcome.analysis.warnings);
    super::warn(&outcome.analysis.notices);
    let (report, _) = super::publish(&options, true, |cl, show| {
        reident::report::build::analysis(&outcome.analysis, "gate", cl, show)
    })?;
    if let Some(report) = &report {
        if args.json {
            super::print_json(report)?;
        } else {
            print!("{}", reident::text::terminal(&reident::text::gate(report)));
        }
    }
    Ok(if outcome.passed() { 0 } else { 1 })
}
