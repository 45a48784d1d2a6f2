//! Report exporters: one trait, one small module per format (JSON for machines, Markdown and
//! HTML for people). Each renders the whole report to a string; [`super::Report::write_dir`]
//! writes them.
//!
//! Markdown and HTML show the same document: `content.rs` reads the rows and texts from the
//! typed figures, `document.rs` lays them out as a sequence of blocks, and each format renders
//! the blocks (`markdown.rs`, `html.rs`, with the charts drawn by `svg.rs`).

mod content;
mod document;
mod html;
mod json;
mod markdown;
mod svg;

use super::Report;
use crate::error::Result;

pub use html::Html;
pub use json::Json;
pub use markdown::Markdown;

pub trait Exporter {
    /// The file this format is written to in a report folder.
    fn file_name(&self) -> &'static str;
    fn render(&self, report: &Report) -> Result<String>;
}

/// Every format, in the order they are written.
pub fn exporters() -> Vec<Box<dyn Exporter>> {
    vec![Box::new(Json), Box::new(Markdown), Box::new(Html)]
}
