//! The labels of interval hierarchies: each value's interval at each width, with the top and
//! bottom codes (`90+`, `>=90`, `<=1935`, `<18`) read as the last and first intervals (see
//! [`super::build`]).

use hashbrown::HashSet;

use super::values::{parse_num, unreadable, Failure, Num, STAR};

/// Numbers in labels: integers without a fraction, others rounded to `decimals` places.
fn fmt(x: f64, decimals: usize) -> String {
    let p = 10f64.powi(decimals as i32);
    crate::input::encode::format_float((x * p).round() / p)
}

/// The decimal places a number is written with (at most 10).
fn decimals(x: f64) -> usize {
    let s = crate::input::encode::format_float(x);
    s.split_once('.').map_or(0, |(_, f)| f.len().min(10))
}

/// Tolerance for the bin arithmetic (`0.3 / 0.1` is 2.9999999999999996).
const EPS: f64 = 1e-9;

/// The labels of one interval level.
struct IntervalLevel {
    w: f64,
    origin: f64,
    digits: usize,
    /// Values below this go to `bottom_label`.
    bottom: Option<(f64, String)>,
    /// Values from this up go to `top_label`.
    top: Option<(f64, String)>,
}

impl IntervalLevel {
    /// The level of width `w` over the parsed values, with the explicit coding bounds.
    fn new(w: f64, parsed: &[(Num, &str)], bottom: Option<f64>, top: Option<f64>) -> IntervalLevel {
        let origin = bottom.unwrap_or(0.0);
        let digits = decimals(w).max(decimals(origin));
        let k = |x: f64| ((x - origin) / w + EPS).floor();
        let integers = parsed
            .iter()
            .all(|(n, _)| !matches!(n, Num::Exact(x) if x.fract() != 0.0));
        // Bottom: the end of the interval each code's bound falls in (a `<x` on a boundary is
        // that boundary).
        let mut low = bottom.map(|b| (b, format!("<{}", fmt(b, digits))));
        let mut top_at = top.map(|t| (t, format!(">={}", fmt(t, digits))));
        let mut low_codes: HashSet<&str> = HashSet::new();
        let mut top_codes: HashSet<&str> = HashSet::new();
        for &(n, text) in parsed {
            match n {
                Num::Below(b) => {
                    let end = origin + ((b - origin) / w - EPS).ceil() * w;
                    let own = (end - b).abs() < EPS * w;
                    low_codes.insert(text);
                    low = widen_low(low, end, own.then(|| text.to_string()), digits);
                }
                Num::AtMost(b) => {
                    let end = origin + (k(b) + 1.0) * w;
                    let own = integers && b.fract() == 0.0 && (end - (b + 1.0)).abs() < EPS * w;
                    low_codes.insert(text);
                    low = widen_low(low, end, own.then(|| text.to_string()), digits);
                }
                Num::AtLeast(t) => {
                    let start = origin + k(t) * w;
                    let own = (start - t).abs() < EPS * w;
                    top_codes.insert(text);
                    top_at = widen_top(top_at, start, own.then(|| text.to_string()), digits);
                }
                Num::Exact(_) => {}
            }
        }
        // A code keeps its own text only when it is the one code of its end and covers exactly
        // the open interval.
        if low_codes.len() > 1 {
            low = low.map(|(b, _)| (b, format!("<{}", fmt(b, digits))));
        }
        if top_codes.len() > 1 {
            top_at = top_at.map(|(t, _)| (t, format!(">={}", fmt(t, digits))));
        }
        IntervalLevel {
            w,
            origin,
            digits,
            bottom: low,
            top: top_at,
        }
    }

    fn label(&self, n: Num) -> String {
        if let (Some((b, _)), Some((t, _))) = (&self.bottom, &self.top) {
            if b >= t {
                return STAR.into();
            }
        }
        let (lo_x, hi_x) = match n {
            Num::Exact(x) => (x, x),
            Num::Below(b) | Num::AtMost(b) => (f64::NEG_INFINITY, b),
            Num::AtLeast(t) => (t, f64::INFINITY),
        };
        if let Some((b, label)) = &self.bottom {
            if hi_x < *b || (matches!(n, Num::Below(_)) && hi_x <= *b) {
                return label.clone();
            }
        }
        if let Some((t, label)) = &self.top {
            if lo_x >= *t {
                return label.clone();
            }
        }
        let lo = self.origin + ((lo_x - self.origin) / self.w + EPS).floor() * self.w;
        format!(
            "[{},{}[",
            fmt(lo, self.digits),
            fmt(lo + self.w, self.digits)
        )
    }
}

/// The bottom interval widened to end at `end` (its label the code's own text when `own` and
/// nothing wider is there).
fn widen_low(
    low: Option<(f64, String)>,
    end: f64,
    own: Option<String>,
    digits: usize,
) -> Option<(f64, String)> {
    match low {
        Some((b, l)) if b > end + EPS => Some((b, l)),
        Some((b, l)) if (b - end).abs() <= EPS => Some((b, l)),
        _ => Some((end, own.unwrap_or_else(|| format!("<{}", fmt(end, digits))))),
    }
}

/// The top interval widened to start at `start`.
fn widen_top(
    top: Option<(f64, String)>,
    start: f64,
    own: Option<String>,
    digits: usize,
) -> Option<(f64, String)> {
    match top {
        Some((t, l)) if t < start - EPS => Some((t, l)),
        Some((t, l)) if (t - start).abs() <= EPS => Some((t, l)),
        _ => Some((
            start,
            own.unwrap_or_else(|| format!(">={}", fmt(start, digits))),
        )),
    }
}

/// The interval labels of every value, one level per width.
pub(super) fn labels(
    values: &[&str],
    widths: &[f64],
    bottom: Option<f64>,
    top: Option<f64>,
) -> std::result::Result<Vec<Vec<String>>, Failure> {
    let parsed: Vec<Option<Num>> = values.iter().map(|v| parse_num(v)).collect();
    unreadable(values, &parsed, "numbers")?;
    let parsed: Vec<(Num, &str)> = parsed
        .into_iter()
        .flatten()
        .zip(values.iter().copied())
        .collect();
    let levels: Vec<IntervalLevel> = widths
        .iter()
        .map(|&w| IntervalLevel::new(w, &parsed, bottom, top))
        .collect();
    Ok(parsed
        .iter()
        .map(|&(n, _)| levels.iter().map(|l| l.label(n)).collect())
        .collect())
}
