//! Reporters: one module per format behind [`render`]. Each takes the whole
//! [`Audit`] and returns the document; writing it is the caller's business.

mod escape;
mod json;
mod markdown;
mod sarif;
mod text;

pub use escape::{markdown as escape_markdown, terminal as escape_terminal};
pub use json::{JsonReport, REPORT_VERSION};

use crate::policy::Audit;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Markdown,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// ANSI colour in the text report; the caller decides (a TTY, no NO_COLOR).
    pub color: bool,
}

pub fn render(audit: &Audit, format: Format, options: &RenderOptions) -> String {
    match format {
        Format::Text => text::render(audit, options.color),
        Format::Json => json::render(audit),
        Format::Sarif => sarif::render(audit),
        Format::Markdown => markdown::render(audit),
    }
}

/// Results worth listing one by one: everything but passes.
fn is_finding(status: crate::policy::Status) -> bool {
    status != crate::policy::Status::Pass
}
