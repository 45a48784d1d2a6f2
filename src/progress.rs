//! A progress bar on stderr while large inputs are read, and nothing otherwise.
//!
//! Shown only when stderr is a terminal and `--quiet` was not given, so that pipelines and CI logs
//! stay clean and stdout (a table or one JSON document) is never mixed with it.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// A possibly hidden progress bar; cheap to pass around and safe to update from many threads.
#[derive(Clone, Default)]
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A hidden bar.
    pub fn hidden() -> Self {
        Progress { bar: None }
    }

    /// A bar over `total` units (rows or bytes), shown when stderr is a terminal and not `quiet`.
    pub(crate) fn new(total: u64, what: &str, quiet: bool) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Self::hidden();
        }
        let bar = ProgressBar::new(total);
        let template = format!(
            "{{spinner}} {what} [{{bar:40}}] {{human_pos}}/{{human_len}} ({{eta}}) {{msg}}"
        );
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress { bar: Some(bar) }
    }

    pub(crate) fn inc(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }

    /// A note after the bar (the lattice search shows the best transformation so far).
    pub(crate) fn set_message(&self, message: String) {
        if let Some(b) = &self.bar {
            b.set_message(message);
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
