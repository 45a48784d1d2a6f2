//! `gate`: a pipeline step that blocks a release whose risk is above the policy's thresholds.
//!
//! The data is checked as it is, with the pipeline of [`crate::analyze`]: no generalization and
//! no suppression (a release that relied on suppression has already removed or starred those
//! records). Every threshold gets one verdict with the figure it was judged on; the gate passes
//! when every verdict does. A gate without thresholds is an error, not a pass.

use crate::error::{Error, Result};

/// A gate takes the options of an analysis; its targets are the thresholds.
pub type Options = crate::analyze::Options;

/// The analysis and its verdicts.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub analysis: crate::analyze::Outcome,
}

impl Outcome {
    /// Whether every threshold holds.
    pub fn passed(&self) -> bool {
        crate::criteria::verdict::overall(&self.analysis.verdicts) == "pass"
    }
}

/// Analyses the data and checks every threshold; refuses to run without thresholds.
pub fn run(options: &Options) -> Result<Outcome> {
    let analysis = crate::analyze::run(options)?;
    if analysis.verdicts.is_empty() {
        return Err(Error::Invalid(
            "nothing to check: give thresholds in the policy's \"anonymization\" section (k, max_risk, l_diversity, t_closeness, presets, ...) or as flags (--k, --max-risk, ...)".into(),
        ));
    }
    Ok(Outcome { analysis })
}
