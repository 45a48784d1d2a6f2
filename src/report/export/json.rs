//! The report as pretty-printed JSON: the machine-readable record that `verify` checks.

use super::{Exporter, Report};
use crate::error::{Error, Result};

pub struct Json;

impl Exporter for Json {
    fn file_name(&self) -> &'static str {
        "report.json"
    }
    fn render(&self, report: &Report) -> Result<String> {
        let mut s = serde_json::to_string_pretty(report)
            .map_err(|e| Error::Invalid(format!("serializing the report: {e}")))?;
        s.push('\n');
        Ok(s)
    }
}
