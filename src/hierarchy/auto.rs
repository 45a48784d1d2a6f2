//! The automatic choice of a hierarchy from a column's values ([`Spec::Auto`]).
//!
//! Over the distinct values (`NULL` and `*` aside):
//!
//! 1. **dates**, when every value is a date in some form of the date reader (or a year, or a
//!    code on years such as `<=1935`) and one at least has a month: month, year, 5-year, decade;
//! 2. **masking from the right**, for fixed-length digit codes: every value digits only, all of
//!    one length of 3 or more (4 only with a leading zero somewhere: 4-digit numbers are mostly
//!    years), such as ZIP codes and ZIP3s: one more character masked per level, up to all but
//!    the first;
//! 3. **intervals**, when every value is a number (or a top or bottom code such as `90+`,
//!    `<=1935`): widths from the "nice" sequence ... 1, 2, 10, 20, 100 ... (and 5, 10, 20, 100
//!    ...), each a multiple of the one before so that the intervals nest, from the smallest that
//!    gives at most 25 intervals over the values' range (2 at least for integers) up to twice the
//!    range;
//! 4. **suppression** for any other text.
//!
//! A level that merges nothing (as many labels as the level below) or everything (one label:
//! the `*` above it already does that) is left out. Every choice ends with `*`.

use super::build::{Builder, DateLevel, Spec};
use super::values::{parse_date, parse_num, DateValue, Num, STAR};
use crate::input::encode::{format_float, NULL_TEXT};

/// Intervals over the range at most, for the first level.
const MAX_INTERVALS: f64 = 25.0;

/// The specification chosen for a column with these distinct values.
pub(crate) fn choose(values: &[String]) -> Spec {
    let real: Vec<&str> = values
        .iter()
        .map(String::as_str)
        .filter(|v| *v != NULL_TEXT && *v != STAR)
        .collect();
    if real.is_empty() {
        return Spec::Suppress;
    }
    if let Some(levels) = date_levels(&real) {
        return kept(values, levels, |l| Spec::Dates(Builder::date_spec(l)));
    }
    if let Some(len) = digit_code_length(&real) {
        let masks: Vec<usize> = (1..len).collect();
        return kept(values, masks, |m| {
            Spec::Mask(join(m.iter().map(|k| k.to_string())))
        });
    }
    if let Some(widths) = nice_widths(&real) {
        return kept(values, widths, |w| {
            Spec::Intervals(join(w.iter().map(|&x| format_float(x))))
        });
    }
    Spec::Suppress
}

fn join(parts: impl Iterator<Item = String>) -> String {
    parts.collect::<Vec<_>>().join(",")
}

/// The specification of the levels that merge something but not everything (suppression when
/// none does).
fn kept<T: Clone>(values: &[String], levels: Vec<T>, spec: impl Fn(&[T]) -> Spec) -> Spec {
    let Ok(labels) = spec(&levels).builder().and_then(|b| {
        b.labels(values)
            .map_err(|_| crate::error::Error::Invalid(String::new()))
    }) else {
        return Spec::Suppress;
    };
    // Labels of the values other than NULL and *, which every level keeps as they are.
    let real: Vec<&Vec<String>> = values
        .iter()
        .zip(&labels)
        .filter(|(v, _)| *v != NULL_TEXT && *v != STAR)
        .map(|(_, l)| l)
        .collect();
    let distinct = |l: usize| {
        let mut v: Vec<&str> = real.iter().map(|row| row[l].as_str()).collect();
        v.sort_unstable();
        v.dedup();
        v.len()
    };
    let mut keep = Vec::new();
    let mut below = real.len();
    for (l, level) in levels.iter().enumerate() {
        let n = distinct(l);
        if n < below && n > 1 {
            keep.push(level.clone());
            below = n;
        }
    }
    if keep.is_empty() {
        Spec::Suppress
    } else {
        spec(&keep)
    }
}

/// Month, year, 5-year, decade when the values are dates (one with a month at least).
fn date_levels(values: &[&str]) -> Option<Vec<DateLevel>> {
    let pivot = crate::scan::dates::this_year();
    let mut month = false;
    for v in values {
        if let DateValue::Date(_) = parse_date(v, pivot)? {
            month = true;
        }
    }
    month.then(|| {
        vec![
            DateLevel::Month,
            DateLevel::Year,
            DateLevel::FiveYears,
            DateLevel::Decade,
        ]
    })
}

/// The length of fixed-length digit codes, if the values are such codes.
fn digit_code_length(values: &[&str]) -> Option<usize> {
    let len = values[0].len();
    let codes = len >= 3
        && values
            .iter()
            .all(|v| v.len() == len && v.bytes().all(|b| b.is_ascii_digit()));
    let leading_zero = values.iter().any(|v| v.starts_with('0'));
    (codes && (len != 4 || leading_zero)).then_some(len)
}

/// The nested "nice" widths over the numbers' range, when the values are numbers or codes.
fn nice_widths(values: &[&str]) -> Option<Vec<f64>> {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    let mut exact = false;
    let mut integers = true;
    for v in values {
        let x = match parse_num(v)? {
            Num::Exact(x) => {
                exact = true;
                integers &= x.fract() == 0.0;
                x
            }
            Num::Below(x) | Num::AtMost(x) | Num::AtLeast(x) => x,
        };
        lo = lo.min(x);
        hi = hi.max(x);
    }
    let range = hi - lo;
    if !exact || range <= 0.0 {
        return None;
    }
    // Widths m * 10^e with m in {1, 2, 5}; the next of 1 is 2, of 2 and 5 is 10.
    let target = range / MAX_INTERVALS;
    let mut e = target.log10().floor() as i32;
    let mut m = [1u32, 2, 5]
        .into_iter()
        .find(|&m| m as f64 * 10f64.powi(e) >= target * (1.0 - 1e-9))
        .unwrap_or_else(|| {
            e += 1;
            1
        });
    if integers && (m as f64 * 10f64.powi(e)) < 2.0 {
        (m, e) = (2, 0);
    }
    let mut widths = Vec::new();
    loop {
        let w = width(m, e);
        if w > 2.0 * range || widths.len() >= 12 {
            break;
        }
        widths.push(w);
        (m, e) = match m {
            1 => (2, e),
            _ => (1, e + 1),
        };
    }
    (!widths.is_empty()).then_some(widths)
}

/// `m * 10^e`, exact for the decimal widths (0.2 rather than 0.20000000000000004).
fn width(m: u32, e: i32) -> f64 {
    if e >= 0 {
        m as f64 * 10f64.powi(e)
    } else {
        m as f64 / 10f64.powi(-e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn ages_get_the_hand_made_widths() {
        // Adult's ages (17-90): 5, 10, 20 (100 would merge everything).
        let ages: Vec<String> = (17..=90).map(|a| a.to_string()).collect();
        assert_eq!(choose(&ages), Spec::Intervals("5,10,20".into()));
        // Top-coded by safe-harbor.
        let mut coded: Vec<String> = (0..90).map(|a| a.to_string()).collect();
        coded.push("90+".into());
        coded.push("NULL".into());
        assert_eq!(choose(&coded), Spec::Intervals("5,10,20".into()));
    }

    #[test]
    fn birth_years_with_their_code() {
        let mut years: Vec<String> = (1936..=2010).map(|y| y.to_string()).collect();
        years.push("<=1935".into());
        let spec = choose(&years);
        assert_eq!(spec, Spec::Intervals("5,10,20,100".into()));
        assert!(spec.builder().unwrap().build("dob", &years).is_ok());
    }

    #[test]
    fn each_kind() {
        // Dates of ten years in two forms, two a month: month, year, 5 years (the decades
        // split them in two, as the 5 years do).
        let mut d = Vec::new();
        for y in 2015..2025 {
            for m in 1..=12 {
                d.push(format!("{y}-{m:02}-01"));
                d.push(format!("{m:02}/15/{y}"));
            }
        }
        assert_eq!(choose(&d), Spec::Dates("month,year,5y".into()));
        // ZIP codes and ZIP3s (the restricted 000 among them).
        let z = strings(&[
            "02134", "02139", "02141", "02215", "10001", "10002", "10025", "94110", "94117",
            "94703",
        ]);
        assert_eq!(choose(&z), Spec::Mask("1,2,3".into()));
        let z3 = strings(&["021", "028", "000", "100", "104", "941", "945"]);
        assert_eq!(choose(&z3), Spec::Mask("1".into()));
        // Decimals: 58.5 to 92.75 in quarters.
        let w: Vec<String> = (234..=371).map(|q| format_float(q as f64 / 4.0)).collect();
        assert_eq!(choose(&w), Spec::Intervals("2,10,20".into()));
        // Text.
        assert_eq!(choose(&strings(&["M", "F"])), Spec::Suppress);
        assert_eq!(choose(&strings(&["NULL"])), Spec::Suppress);
        // Four-digit numbers are numbers, not codes.
        let y = strings(&["1999", "2004", "2011"]);
        assert!(matches!(choose(&y), Spec::Intervals(_)));
    }

    #[test]
    fn levels_that_merge_nothing_are_left_out() {
        // 10, 20, 30: width 2 keeps each apart, 10 too; 20 merges.
        let v = strings(&["10", "20", "30"]);
        assert_eq!(choose(&v), Spec::Intervals("20".into()));
        // One value: nothing to merge but into *.
        assert_eq!(choose(&strings(&["5"])), Spec::Suppress);
    }
}
