//! `reident gate DATA --policy FILE`: a pipeline step that blocks a release whose risk is above
//! the policy's thresholds.
//!
//! Exit status: 0 when every threshold holds, 1 when any fails, 2 when the check could not be
//! made (bad input, no thresholds). One line per threshold on stdout (`PASS`/`FAIL`, the figure it
//! was judged on), or with `--json` the whole report. Every run appends a line to the audit log.
//! The data is checked as it is: a release that relied on suppression has already removed (or
//! starred) those records.

use reident::error::{Error, Result};

/// The same arguments as `analyze` (the thresholds come from the policy or the target flags).
pub type Args = super::analyze::Args;

pub fn run(args: Args, quiet: bool) -> Result<i32> {
    let started = std::time::SystemTime::now();
    let a = &args;
    let c = super::analyze::compute(a, quiet, true)?;
    if c.verdicts.is_empty() {
        return Err(Error::Invalid(
            "nothing to check: give thresholds in the policy's \"anonymization\" section (k, max_risk, l_diversity, t_closeness, presets, ...) or as flags (--k, --max-risk, ...)".into(),
        ));
    }
    let report = super::analyze::report(a, &c, "gate", super::command_line(), started)?;
    super::publish(&report, &a.report, a.table.source(), started, true)?;
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report)
                .map_err(|e| Error::Invalid(format!("serializing the report: {e}")))?
        );
    } else {
        for v in &report.thresholds {
            println!("{}", v.line());
        }
        println!("{}: {}", report.verdict.to_uppercase(), report.dataset.path);
    }
    Ok(if report.verdict == "pass" { 0 } else { 1 })
}
