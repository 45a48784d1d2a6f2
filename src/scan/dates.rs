//! The one date reader: every command that reads a date reads it here (the scan's value rules,
//! `safe-harbor`'s years, the date hierarchies and the automatic ones).
//!
//! Forms read (leading and trailing spaces ignored; a time may follow any of them, after a space
//! or a `T`: `HH:MM[:SS[.fraction]]`, then `AM`/`PM`, `Z`, `UTC` or an offset `+HH[:MM]`):
//!
//! * ISO `YYYY-MM-DD` (also `YYYY/MM/DD`, one-digit months and days allowed), which is also how
//!   Parquet dates and timestamps read (`crate::input::encode`);
//! * `MM/DD/YYYY` and `DD/MM/YYYY`, with `/` or `-`, and `MM/DD/YY` (two-digit years: 20yy up to
//!   the pivot year's last two digits, else 19yy);
//! * `DD.MM.YYYY` (the dotted form is day first wherever it is used);
//! * `YYYYMMDD` (years 1800 to 2099);
//! * month names: `4 Mar 2019`, `04-MAR-2019`, `March 4, 2019`;
//! * a month of a year: `YYYY-MM`, `M/YYYY`.
//!
//! Years outside 1800-2200 and days that the month does not have are not dates.
//!
//! A value such as `03/04/2020` is a date in either order. Its order is decided per column
//! ([`decide_order`]) from the values that can be read one way only (a day above 12); where no
//! value decides it, or values of both orders are mixed, the caller gets an [`OrderProblem`]
//! with two example values, which it turns into an error that names their rows (never the
//! values). The year of a date never depends on the order, so only what needs the month or the
//! day (a month-level hierarchy) asks for the order.

/// A calendar date, or a month of a year (`day` is `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: Option<u32>,
}

/// The order of a date written with its day and month as two numbers (`03/04/2020`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// `MM/DD/YYYY` (US).
    MonthFirst,
    /// `DD/MM/YYYY`.
    DayFirst,
}

impl Order {
    pub fn as_str(self) -> &'static str {
        match self {
            Order::MonthFirst => "MM/DD/YYYY",
            Order::DayFirst => "DD/MM/YYYY",
        }
    }
}

/// What a value reads as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// A date whose form leaves no doubt.
    Fixed(Date),
    /// Day and month as two numbers: the date each order gives, when it is valid (at least one
    /// is; when both are, they differ).
    TwoNumbers {
        month_first: Option<Date>,
        day_first: Option<Date>,
    },
}

impl Reading {
    /// The year (the same in either order).
    pub fn year(&self) -> i32 {
        match self {
            Reading::Fixed(d) => d.year,
            Reading::TwoNumbers {
                month_first,
                day_first,
            } => month_first.or(*day_first).map_or(0, |d| d.year),
        }
    }

    /// Valid in both orders, with two different dates.
    pub fn is_ambiguous(&self) -> bool {
        matches!(
            self,
            Reading::TwoNumbers {
                month_first: Some(_),
                day_first: Some(_)
            }
        )
    }

    /// The date, in the column's order when the value needs one (`None`: the value is ambiguous
    /// and no order is given, or invalid in the order given).
    pub fn date(&self, order: Option<Order>) -> Option<Date> {
        match *self {
            Reading::Fixed(d) => Some(d),
            Reading::TwoNumbers {
                month_first,
                day_first,
            } => match (month_first, day_first, order) {
                (Some(d), None, _) | (None, Some(d), _) => Some(d),
                (Some(d), Some(_), Some(Order::MonthFirst)) => Some(d),
                (Some(_), Some(d), Some(Order::DayFirst)) => Some(d),
                _ => None,
            },
        }
    }

    /// The only order the value can be read in, if it is written with two numbers and valid in
    /// one order alone.
    fn only_order(&self) -> Option<Order> {
        match self {
            Reading::TwoNumbers {
                month_first: Some(_),
                day_first: None,
            } => Some(Order::MonthFirst),
            Reading::TwoNumbers {
                month_first: None,
                day_first: Some(_),
            } => Some(Order::DayFirst),
            _ => None,
        }
    }
}

/// Why a column's day-month order cannot be decided: two example values (for the caller to
/// locate; never to print).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderProblem {
    /// Values that read both ways, and none that reads one way only.
    Undecided { examples: [String; 2] },
    /// A value readable only month first and one readable only day first.
    Mixed {
        month_first: String,
        day_first: String,
    },
}

impl OrderProblem {
    /// The two example values.
    pub fn examples(&self) -> [&str; 2] {
        match self {
            OrderProblem::Undecided { examples } => [&examples[0], &examples[1]],
            OrderProblem::Mixed {
                month_first,
                day_first,
            } => [month_first, day_first],
        }
    }

    /// The one-line message for the column, with the examples' row numbers (`rows`, 1 for the
    /// first data row) when known.
    pub fn message(&self, column: &str, rows: Option<[u64; 2]>) -> String {
        let at = |i: usize| match rows {
            Some(r) => format!("row {}", r[i]),
            None => "one of its values".to_string(),
        };
        let fix = "write the dates in one form (YYYY-MM-DD), or reduce them to the year (reident safe-harbor)";
        match self {
            OrderProblem::Undecided { .. } => format!(
                "column {column:?}: dates such as those in {} and {} read both as MM/DD/YYYY and as DD/MM/YYYY, and no date of the column has a day above 12 to tell which: {fix}",
                at(0),
                at(1)
            ),
            OrderProblem::Mixed { .. } => format!(
                "column {column:?} mixes MM/DD/YYYY dates ({}) with DD/MM/YYYY dates ({}), so dates such as 03/04 cannot be read: {fix}",
                at(0),
                at(1)
            ),
        }
    }
}

/// The day-month order of a column from its values: `Ok(None)` when no value needs one,
/// `Ok(Some(order))` when the values that read one way only all read that way.
pub fn decide_order<'a>(
    values: impl IntoIterator<Item = &'a str>,
    pivot: i32,
) -> Result<Option<Order>, OrderProblem> {
    let mut ambiguous: Vec<&str> = Vec::new();
    let mut month_first: Option<&str> = None;
    let mut day_first: Option<&str> = None;
    for v in values {
        let Some(r) = read(v, pivot) else { continue };
        if r.is_ambiguous() {
            if ambiguous.len() < 2 {
                ambiguous.push(v);
            }
            continue;
        }
        match r.only_order() {
            Some(Order::MonthFirst) if month_first.is_none() => month_first = Some(v),
            Some(Order::DayFirst) if day_first.is_none() => day_first = Some(v),
            _ => {}
        }
    }
    if ambiguous.is_empty() {
        return Ok(None);
    }
    match (month_first, day_first) {
        (Some(m), Some(d)) => Err(OrderProblem::Mixed {
            month_first: m.to_string(),
            day_first: d.to_string(),
        }),
        (Some(_), None) => Ok(Some(Order::MonthFirst)),
        (None, Some(_)) => Ok(Some(Order::DayFirst)),
        (None, None) => {
            let second = ambiguous.get(1).unwrap_or(&ambiguous[0]);
            Err(OrderProblem::Undecided {
                examples: [ambiguous[0].to_string(), second.to_string()],
            })
        }
    }
}

/// Reads a value as a date (or a month of a year) in any of the forms above; `pivot` is the
/// year two-digit years are read against. `None`: not a date (a year alone is not one).
pub fn read(v: &str, pivot: i32) -> Option<Reading> {
    let v = v.trim();
    if v.len() < 6 || v.len() > 40 || !v.is_ascii() {
        return None;
    }
    if let Some(d) = month_name_date(v) {
        return Some(Reading::Fixed(d));
    }
    let (date, time) = split_time(v)?;
    if !time.is_empty() && !valid_time(time) {
        return None;
    }
    numeric_date(date, pivot, time.is_empty())
}

/// The year of a date in any form, of a plain year (`YYYY`, 1800-2200), or `None`.
pub fn year_of(v: &str, pivot: i32) -> Option<i32> {
    let t = v.trim();
    if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
        let y: i32 = t.parse().ok()?;
        return (1800..=2200).contains(&y).then_some(y);
    }
    read(t, pivot).map(|r| r.year())
}

/// This year (UTC, from the system clock): the pivot of two-digit years where no reference year
/// is given.
pub fn this_year() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    crate::input::encode::civil_from_days(secs.div_euclid(86_400)).0 as i32
}

/// Days in a month of the proleptic Gregorian calendar (0 for a month that does not exist).
pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// A valid date of a year in 1800-2200 (`day` `None`: a month of the year).
pub fn valid(y: i32, m: u32, d: Option<u32>) -> Option<Date> {
    if !(1800..=2200).contains(&y) || !(1..=12).contains(&m) {
        return None;
    }
    if let Some(d) = d {
        if d == 0 || d > days_in_month(y, m) {
            return None;
        }
    }
    Some(Date {
        year: y,
        month: m,
        day: d,
    })
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// A month name (its first three letters, then any letters, then an optional dot), 1-12.
pub(crate) fn month_of_name(w: &str) -> Option<u32> {
    let w = w.strip_suffix('.').unwrap_or(w);
    if w.len() < 3 || !w.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let key = w[..3].to_ascii_lowercase();
    MONTHS.iter().position(|&m| m == key).map(|i| i as u32 + 1)
}

/// `4 Mar 2019`, `04-MAR-2019`, `March 4, 2019`.
fn month_name_date(v: &str) -> Option<Date> {
    if !v.bytes().any(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let words: Vec<&str> = v.split([' ', ',', '-']).filter(|w| !w.is_empty()).collect();
    if words.len() != 3 {
        return None;
    }
    let num = |w: &str, max_len: usize| -> Option<u32> {
        (!w.is_empty() && w.len() <= max_len && w.bytes().all(|b| b.is_ascii_digit()))
            .then(|| w.parse().ok())
            .flatten()
    };
    let year = |w: &str| -> Option<i32> {
        (w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()))
            .then(|| w.parse().ok())
            .flatten()
    };
    let (d, m, y) = if let Some(m) = month_of_name(words[1]) {
        (num(words[0], 2)?, m, year(words[2])?)
    } else {
        (num(words[1], 2)?, month_of_name(words[0])?, year(words[2])?)
    };
    valid(y, m, Some(d))
}

/// The date part and the time part (empty when there is none).
fn split_time(v: &str) -> Option<(&str, &str)> {
    let b = v.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b' ' || (c == b'T' && i > 0 && b[i - 1].is_ascii_digit()) {
            return Some((&v[..i], v[i + 1..].trim_start()));
        }
    }
    Some((v, ""))
}

/// `HH:MM[:SS[.fraction]]`, then optionally `AM`/`PM` (hours 1-12), `Z`, `UTC` or an offset.
fn valid_time(t: &str) -> bool {
    let t = t.trim();
    let (clock, zone) = match t.find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.')) {
        Some(i) => (&t[..i], t[i..].trim()),
        None => (t, ""),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return false;
    }
    let two = |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if !two(parts[0]) || parts[1].len() != 2 || !two(parts[1]) {
        return false;
    }
    let h: u32 = parts[0].parse().unwrap_or(99);
    let m: u32 = parts[1].parse().unwrap_or(99);
    if m > 59 {
        return false;
    }
    if let Some(s) = parts.get(2) {
        let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
        if whole.len() != 2
            || !two(whole)
            || whole.parse::<u32>().unwrap_or(99) > 60
            || frac.is_empty()
            || frac.len() > 9
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return false;
        }
    }
    let upper = zone.to_ascii_uppercase();
    match upper.as_str() {
        "" | "Z" | "UTC" => h <= 23,
        "AM" | "PM" => (1..=12).contains(&h),
        z if z.starts_with('+') || z.starts_with('-') => {
            let d: String = z[1..].chars().filter(|c| *c != ':').collect();
            h <= 23 && (d.len() == 2 || d.len() == 4) && d.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

/// The numeric forms: `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY-MM`, `YYYYMMDD`, `A/B/YYYY`, `A-B-YYYY`,
/// `A/B/YY`, `DD.MM.YYYY`, `M/YYYY`. `alone`: no time follows (the month-of-year forms need
/// that).
fn numeric_date(s: &str, pivot: i32, alone: bool) -> Option<Reading> {
    let b = s.as_bytes();
    if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
        let y: i32 = s[..4].parse().ok()?;
        if !(1800..=2099).contains(&y) {
            return None;
        }
        let m: u32 = s[4..6].parse().ok()?;
        let d: u32 = s[6..].parse().ok()?;
        return valid(y, m, Some(d)).map(Reading::Fixed);
    }
    let sep = b.iter().copied().find(|c| !c.is_ascii_digit())?;
    if !matches!(sep, b'-' | b'/' | b'.') {
        return None;
    }
    let parts: Vec<&str> = s.split(sep as char).collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let n = |p: &str| p.parse::<u32>().ok();
    match (parts.as_slice(), sep) {
        // YYYY-MM-DD, YYYY/MM/DD
        ([y, m, d], b'-' | b'/') if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => {
            valid(y.parse().ok()?, n(m)?, Some(n(d)?)).map(Reading::Fixed)
        }
        // YYYY-MM (a month of a year)
        ([y, m], b'-') if alone && y.len() == 4 && m.len() == 2 => {
            valid(y.parse().ok()?, n(m)?, None).map(Reading::Fixed)
        }
        // M/YYYY
        ([m, y], b'/') if alone && y.len() == 4 && m.len() <= 2 => {
            valid(y.parse().ok()?, n(m)?, None).map(Reading::Fixed)
        }
        // DD.MM.YYYY
        ([d, m, y], b'.') if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => {
            valid(y.parse().ok()?, n(m)?, Some(n(d)?)).map(Reading::Fixed)
        }
        // A/B/YYYY, A-B-YYYY, A/B/YY
        ([a, b2, y], b'/' | b'-') if a.len() <= 2 && b2.len() <= 2 => {
            let y: i32 = match y.len() {
                4 => y.parse().ok()?,
                2 if sep == b'/' => {
                    let yy: i32 = y.parse().ok()?;
                    if yy <= pivot.rem_euclid(100) {
                        2000 + yy
                    } else {
                        1900 + yy
                    }
                }
                _ => return None,
            };
            let (a, b2) = (n(a)?, n(b2)?);
            let month_first = valid(y, a, Some(b2));
            let day_first = valid(y, b2, Some(a));
            match (month_first, day_first) {
                (None, None) => None,
                (Some(m), Some(d)) if m == d => Some(Reading::Fixed(m)),
                (month_first, day_first) => Some(Reading::TwoNumbers {
                    month_first,
                    day_first,
                }),
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(v: &str, order: Option<Order>) -> Option<(i32, u32, Option<u32>)> {
        read(v, 2025)
            .and_then(|r| r.date(order))
            .map(|d| (d.year, d.month, d.day))
    }

    #[test]
    fn every_form_reads() {
        for (v, want) in [
            ("2019-03-04", (2019, 3, Some(4))),
            ("2019-3-4", (2019, 3, Some(4))),
            ("2019/03/04", (2019, 3, Some(4))),
            ("2019-03-04 12:30:00", (2019, 3, Some(4))),
            ("2019-03-04T12:30:00Z", (2019, 3, Some(4))),
            ("2019-03-04T12:30:00.123456+01:00", (2019, 3, Some(4))),
            ("2019-03-04 12:30:00.5Z", (2019, 3, Some(4))),
            ("2019-03-04 12:30 UTC", (2019, 3, Some(4))),
            ("12/25/2019", (2019, 12, Some(25))),
            ("12/25/2019 3:05 PM", (2019, 12, Some(25))),
            ("25/12/2019", (2019, 12, Some(25))),
            ("25-12-2019", (2019, 12, Some(25))),
            ("25.12.2019", (2019, 12, Some(25))),
            ("04.03.2019 08:15", (2019, 3, Some(4))),
            ("20190304", (2019, 3, Some(4))),
            ("4 Mar 2019", (2019, 3, Some(4))),
            ("04-MAR-2019", (2019, 3, Some(4))),
            ("March 4, 2019", (2019, 3, Some(4))),
            ("Sept. 4, 2019", (2019, 9, Some(4))),
            ("2019-03", (2019, 3, None)),
            ("3/2019", (2019, 3, None)),
            ("12/25/19", (2019, 12, Some(25))),
            ("12/25/47", (1947, 12, Some(25))),
            ("01/01/1931", (1931, 1, Some(1))),
            // Parquet's canonical forms.
            ("1931-01-01", (1931, 1, Some(1))),
            ("2020-02-29 00:00:00Z", (2020, 2, Some(29))),
        ] {
            assert_eq!(ymd(v, None), Some(want), "{v}");
        }
    }

    #[test]
    fn non_dates_are_not_read() {
        for v in [
            "2019-02-30",
            "2019-13-01",
            "1999",
            "<=1935",
            "90+",
            "12345678",
            "30/30/2019",
            "2019-03-04 25:00",
            "2019-03-04 12:61",
            "2019-03-04 noon",
            "1700-01-01",
            "Mar 2019",
            "hello world 2019",
            "03-04-19",
            "2019-03-04-05",
            "1577836800",
            "[2015,2020[",
            "2015-2019",
            "1990s",
        ] {
            assert_eq!(read(v, 2025), None, "{v}");
        }
        assert_eq!(year_of("1999", 2025), Some(1999));
        assert_eq!(year_of("03/04/2020", 2025), Some(2020));
        assert_eq!(year_of("<=1935", 2025), None);
    }

    #[test]
    fn ambiguous_values_need_the_column_order() {
        let r = read("03/04/2020", 2025).unwrap();
        assert!(r.is_ambiguous());
        assert_eq!(r.year(), 2020);
        assert_eq!(r.date(None), None);
        assert_eq!(
            r.date(Some(Order::MonthFirst)).map(|d| (d.month, d.day)),
            Some((3, Some(4)))
        );
        assert_eq!(
            r.date(Some(Order::DayFirst)).map(|d| (d.month, d.day)),
            Some((4, Some(3)))
        );
        // The same day and month: one date.
        assert!(!read("04/04/2020", 2025).unwrap().is_ambiguous());
        // One order only: read without a column order.
        assert_eq!(ymd("03/14/2020", None), Some((2020, 3, Some(14))));
    }

    #[test]
    fn the_column_decides_the_order() {
        let us = ["2020-01-05", "03/04/2020", "12/25/2019", "05/06/2021"];
        assert_eq!(decide_order(us, 2025), Ok(Some(Order::MonthFirst)));
        let eu = ["03/04/2020", "25/12/2019"];
        assert_eq!(decide_order(eu, 2025), Ok(Some(Order::DayFirst)));
        // No ambiguous value: nothing to decide, even with both orders present.
        assert_eq!(decide_order(["12/25/2019", "25/12/2019"], 2025), Ok(None));
        // Only ambiguous values: two examples.
        let e = decide_order(["2020-01-01", "03/04/2020", "05/06/2020"], 2025).unwrap_err();
        assert_eq!(e.examples(), ["03/04/2020", "05/06/2020"]);
        // Both orders and an ambiguous value.
        let e = decide_order(["12/25/2019", "25/12/2019", "03/04/2020"], 2025).unwrap_err();
        assert_eq!(e.examples(), ["12/25/2019", "25/12/2019"]);
        let m = e.message("admit", Some([2, 3]));
        assert!(m.contains("row 2") && m.contains("row 3"), "{m}");
        assert!(!m.contains("12/25"), "{m}");
    }

    #[test]
    fn calendar() {
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2024, 2), 29);
        assert!(valid(2019, 4, Some(31)).is_none());
        assert!(valid(2201, 1, None).is_none());
    }
}
