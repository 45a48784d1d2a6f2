//! Hand-written SVG bar charts for the HTML report: inline, no scripts, no fonts to fetch, so the
//! file renders the same offline, in any browser, years from now.

use std::fmt::Write;

/// Escapes text for XML and HTML content and attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One bar: its label, its value, the text printed after it, and its colour.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
    pub color: &'static str,
}

pub const BLUE: &str = "#3b6ea8";
pub const RED: &str = "#b8433b";
pub const GREY: &str = "#8a8f98";
pub const GREEN: &str = "#3d8b4f";

/// A horizontal bar chart. Bars are scaled to `max` (the largest value when `None`), so that
/// shares can be drawn against 1.
pub fn bars(title: &str, bars: &[Bar], max: Option<f64>) -> String {
    let label_w = 290.0;
    let bar_w = 360.0;
    let row_h = 24.0;
    let top = 30.0;
    let width = label_w + bar_w + 140.0;
    let height = top + row_h * bars.len() as f64 + 10.0;
    let max = max
        .unwrap_or_else(|| bars.iter().map(|b| b.value).fold(0.0, f64::max))
        .max(f64::MIN_POSITIVE);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12"><title>{t}</title><text x="0" y="16" font-size="14" font-weight="bold">{t}</text>"#,
        t = esc(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = top + row_h * i as f64;
        let w = (b.value.max(0.0) / max * bar_w).min(bar_w);
        let _ = write!(
            s,
            r#"<text x="{lx}" y="{ty}" text-anchor="end">{label}</text><rect x="{label_w}" y="{y}" width="{w:.1}" height="{h}" fill="{c}"/><text x="{vx:.1}" y="{ty}">{text}</text>"#,
            lx = label_w - 8.0,
            ty = y + 15.0,
            label = esc(&b.label),
            h = row_h - 6.0,
            c = b.color,
            vx = label_w + w + 6.0,
            text = esc(&b.text),
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_maximum_and_escape_labels() {
        let s = bars(
            "a <b>",
            &[
                Bar {
                    label: "x&y".into(),
                    value: 2.0,
                    text: "2".into(),
                    color: BLUE,
                },
                Bar {
                    label: "z".into(),
                    value: 1.0,
                    text: "1".into(),
                    color: RED,
                },
            ],
            None,
        );
        assert!(s.contains("a &lt;b&gt;"));
        assert!(s.contains("x&amp;y"));
        assert!(s.contains(r#"width="360.0""#));
        assert!(s.contains(r#"width="180.0""#));
        assert!(!s.contains("<script"));
    }
}
