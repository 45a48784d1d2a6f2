//! The values the builders read: numbers and the top and bottom codes on them, dates in any
//! form and the codes on years, `*`; and why a builder cannot read a column.

use crate::scan::dates::{self, Reading};

/// The value a suppressed record holds in a release, and every hierarchy's top.
pub(crate) const STAR: &str = "*";

/// A number, or a bound that a top or bottom code states.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    Exact(f64),
    /// `<x`.
    Below(f64),
    /// `<=x`.
    AtMost(f64),
    /// `>=x` or `x+`.
    AtLeast(f64),
}

/// A value of an interval hierarchy: a number or a code (`None`: neither).
pub(crate) fn parse_num(v: &str) -> Option<Num> {
    let num = |x: &str| x.trim().parse::<f64>().ok().filter(|x| x.is_finite());
    if let Some(x) = v.strip_prefix("<=") {
        return num(x).map(Num::AtMost);
    }
    if let Some(x) = v.strip_prefix('<') {
        return num(x).map(Num::Below);
    }
    if let Some(x) = v.strip_prefix(">=").or_else(|| v.strip_suffix('+')) {
        return num(x).map(Num::AtLeast);
    }
    num(v).map(Num::Exact)
}

/// A value of a date hierarchy: a date, a year, or a code on years.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum DateValue {
    Date(Reading),
    Year(i32),
    AtMost(i32),
    AtLeast(i32),
}

/// A value of a date hierarchy (`None`: not a date, a year or a code on years).
pub(crate) fn parse_date(v: &str, pivot: i32) -> Option<DateValue> {
    let year = |s: &str| {
        let s = s.trim();
        (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i32>().ok())
            .flatten()
    };
    if let Some(y) = v.strip_prefix("<=").and_then(year) {
        return Some(DateValue::AtMost(y));
    }
    if let Some(y) = v.strip_prefix('<').and_then(year) {
        return Some(DateValue::AtMost(y - 1));
    }
    if let Some(y) = v
        .strip_prefix(">=")
        .or_else(|| v.strip_suffix('+'))
        .and_then(year)
    {
        return Some(DateValue::AtLeast(y));
    }
    if let Some(y) = year(v) {
        return Some(DateValue::Year(y));
    }
    dates::read(v, pivot).map(DateValue::Date)
}

/// Why a builder cannot label a column's values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Failure {
    /// Values that are not what the builder reads (`what`: "numbers", "dates"): how many, and
    /// the first.
    Unreadable {
        what: &'static str,
        count: usize,
        first: String,
    },
    /// The day-month order of the dates cannot be decided.
    Order(dates::OrderProblem),
}

impl Failure {
    /// The one-line message, with rows when `locate` finds them (never a value).
    pub(super) fn message(
        &self,
        column: &str,
        distinct: usize,
        locate: &dyn Fn(&[&str]) -> Option<Vec<u64>>,
    ) -> String {
        match self {
            Failure::Unreadable { what, count, first } => {
                let at = match locate(&[first.as_str()]).and_then(|r| r.first().copied()) {
                    Some(r) => format!(" (the first in row {r})"),
                    None => String::new(),
                };
                format!(
                    "building a hierarchy for column {column:?}: {count} of its {distinct} distinct values are not {what}{at}; choose another builder (--suppress, --mask) or fix the values"
                )
            }
            Failure::Order(p) => {
                let rows = locate(&p.examples())
                    .filter(|r| r.len() == 2)
                    .map(|r| [r[0], r[1]]);
                format!("building a hierarchy: {}", p.message(column, rows))
            }
        }
    }
}

/// An error naming how many values did not parse, and the first of them.
pub(super) fn unreadable<T>(
    values: &[&str],
    parsed: &[Option<T>],
    what: &'static str,
) -> std::result::Result<(), Failure> {
    let count = parsed.iter().filter(|p| p.is_none()).count();
    match parsed.iter().position(Option::is_none) {
        Some(i) => Err(Failure::Unreadable {
            what,
            count,
            first: values[i].to_string(),
        }),
        None => Ok(()),
    }
}
