//! Hierarchies built from a column's values, for columns that come without one.
//!
//! * **intervals** (`age:5,10,20`): numbers binned into intervals of each width, aligned at 0
//!   (or at the bottom-coding bound),
//!   labelled ARX-style `[20,25[`; optional bottom and top coding (`age:5,10,20@18..90`: values
//!   below 18 become `<18`, values from 90 up `>=90`, at every level);
//! * **masking** (`zip:1,2,3,5`): codes with their last k characters replaced by `*`;
//! * **dates** (`visit:month,year,5y,decade`): dates in any form the date reader knows
//!   ([`crate::scan::dates`]) to `YYYY-MM`, `YYYY`, `2020-2024`, `2020s`;
//! * **suppression**: the value, then `*`;
//! * **automatic** ([`Spec::Auto`], see `auto`): one of the above, chosen from the values.
//!
//! Every built hierarchy ends with `*`. `NULL` stays `NULL` until the top, and a `*` (a value
//! suppressed in a release) is `*` at every level.
//!
//! The top and bottom codes that `safe-harbor` writes (and that these builders write) are read
//! as the first or last interval: `90+` and `>=90` (from 90 up), `<=1935` (up to 1935), `<18`.
//! At each level such a code takes in the whole interval its bound falls in, and every value of
//! that interval, so that no interval straddles it: ages `90+` with widths 5, 10, 20 give `90+`,
//! `90+`, `>=80`. A mask leaves a code of zeros alone (`000`, the ZIP3 of the restricted areas)
//! until every character is masked. A value a builder cannot read is an error that counts them
//! and, when the data is at hand, names the first one's row (never the value).

use std::path::Path;

use super::values::{parse_date, unreadable, DateValue, Failure, STAR};
use super::Hierarchy;
use crate::error::{Error, Result};
use crate::input::encode::NULL_TEXT;
use crate::scan::dates::{self, Order};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Builder {
    Intervals {
        widths: Vec<f64>,
        bottom: Option<f64>,
        top: Option<f64>,
    },
    Mask {
        digits: Vec<usize>,
    },
    Dates {
        levels: Vec<DateLevel>,
    },
    Suppress,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateLevel {
    Month,
    Year,
    FiveYears,
    Decade,
}

impl DateLevel {
    fn name(self) -> &'static str {
        match self {
            DateLevel::Month => "month",
            DateLevel::Year => "year",
            DateLevel::FiveYears => "5y",
            DateLevel::Decade => "decade",
        }
    }

    /// The first and last year of the period that holds year `y`.
    fn period(self, y: i32) -> (i32, i32) {
        match self {
            DateLevel::Month | DateLevel::Year => (y, y),
            DateLevel::FiveYears => (y.div_euclid(5) * 5, y.div_euclid(5) * 5 + 4),
            DateLevel::Decade => (y.div_euclid(10) * 10, y.div_euclid(10) * 10 + 9),
        }
    }
}

/// A builder as stated: its kind and the text of its specification (what flags, policies and
/// reports hold).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Spec {
    /// Intervals: `WIDTHS[@LOW..HIGH]`, e.g. `5,10,20@18..90`.
    Intervals(String),
    /// Masking the last characters: `K,...`, e.g. `1,2,3,5`.
    Mask(String),
    /// Dates: `month,year,5y,decade`.
    Dates(String),
    /// The value, then `*`.
    Suppress,
    /// Chosen from the values: intervals of "nice" widths for numbers, month/year/5-year/decade
    /// for dates, masking from the right for fixed-length digit codes, suppression for other
    /// text (see [`Spec::resolve`]).
    Auto,
}

impl Spec {
    /// The builder the specification describes (an automatic one is resolved first).
    pub(crate) fn builder(&self) -> Result<Builder> {
        match self {
            Spec::Intervals(s) => Builder::intervals(s),
            Spec::Mask(s) => Builder::mask(s),
            Spec::Dates(s) => Builder::dates(s),
            Spec::Suppress => Ok(Builder::Suppress),
            Spec::Auto => Err(Error::Invalid(
                "an automatic hierarchy is chosen from the column's values".into(),
            )),
        }
    }

    /// The kind and specification in words (`intervals 5,10,20`, `suppression`).
    pub fn describe(&self) -> String {
        match self {
            Spec::Intervals(s) => format!("intervals {s}"),
            Spec::Mask(s) => format!("mask {s}"),
            Spec::Dates(s) => format!("dates {s}"),
            Spec::Suppress => "suppression".into(),
            Spec::Auto => "automatic".into(),
        }
    }
}

/// The work one cell of a built hierarchy counts for against `--max-work` (see
/// [`Builder::check_work`]).
pub(crate) const CELL_WORK: f64 = 1000.0;

/// The memory of one cell of a built hierarchy, about: a `String` (24 bytes), its label on the
/// heap and the allocator's share.
pub(crate) const CELL_BYTES: f64 = 50.0;

fn bad(spec: &str, why: &str) -> Error {
    Error::Invalid(format!("hierarchy spec {spec:?}: {why}"))
}

impl Builder {
    /// Parses the part after `COLUMN:` of an `--interval`, `--mask` or `--date` flag.
    pub(crate) fn intervals(spec: &str) -> Result<Builder> {
        let (widths, range) = match spec.split_once('@') {
            Some((w, r)) => (w, Some(r)),
            None => (spec, None),
        };
        let widths = widths
            .split(',')
            .map(|w| w.trim().parse::<f64>().ok().filter(|x| *x > 0.0))
            .collect::<Option<Vec<f64>>>()
            .ok_or_else(|| bad(spec, "widths must be positive numbers, e.g. 5,10,20"))?;
        let (bottom, top) = match range {
            None => (None, None),
            Some(r) => {
                let (lo, hi) = r
                    .split_once("..")
                    .ok_or_else(|| bad(spec, "coding range must be LOW..HIGH, e.g. @18..90"))?;
                let num = |x: &str| -> Result<Option<f64>> {
                    if x.trim().is_empty() {
                        Ok(None)
                    } else {
                        x.trim()
                            .parse()
                            .map(Some)
                            .map_err(|_| bad(spec, "bad coding bound"))
                    }
                };
                (num(lo)?, num(hi)?)
            }
        };
        Ok(Builder::Intervals {
            widths,
            bottom,
            top,
        })
    }

    pub(crate) fn mask(spec: &str) -> Result<Builder> {
        let digits = spec
            .split(',')
            .map(|d| d.trim().parse::<usize>().ok().filter(|&x| x > 0))
            .collect::<Option<Vec<usize>>>()
            .ok_or_else(|| bad(spec, "mask sizes must be positive integers, e.g. 1,2,3,5"))?;
        Ok(Builder::Mask { digits })
    }

    pub(crate) fn dates(spec: &str) -> Result<Builder> {
        let levels = spec
            .split(',')
            .map(|d| match d.trim() {
                "month" => Ok(DateLevel::Month),
                "year" => Ok(DateLevel::Year),
                "5y" | "5-year" => Ok(DateLevel::FiveYears),
                "decade" => Ok(DateLevel::Decade),
                other => Err(bad(
                    spec,
                    &format!("unknown date level {other:?} (month, year, 5y, decade)"),
                )),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Builder::Dates { levels })
    }

    /// The dates specification of these levels (`month,year`).
    pub(crate) fn date_spec(levels: &[DateLevel]) -> String {
        levels
            .iter()
            .map(|l| l.name())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Number of levels between the value and `*`.
    fn inner_levels(&self) -> usize {
        match self {
            Builder::Intervals { widths, .. } => widths.len(),
            Builder::Mask { digits } => digits.len(),
            Builder::Dates { levels } => levels.len(),
            Builder::Suppress => 0,
        }
    }

    /// Every value's generalizations, level 1 up to `*` (the value itself not included), in the
    /// order of `values`. An error says what is wrong, with the offending values (for the caller
    /// to locate, never to print).
    pub(crate) fn labels(
        &self,
        values: &[String],
    ) -> std::result::Result<Vec<Vec<String>>, Failure> {
        let real: Vec<&str> = values
            .iter()
            .map(String::as_str)
            .filter(|v| *v != NULL_TEXT && *v != STAR)
            .collect();
        let levels: Vec<Vec<String>> = match self {
            Builder::Intervals {
                widths,
                bottom,
                top,
            } => super::intervals::labels(&real, widths, *bottom, *top)?,
            Builder::Mask { digits } => real
                .iter()
                .map(|v| digits.iter().map(|&k| masked(v, k)).collect())
                .collect(),
            Builder::Dates { levels } => date_labels(&real, levels)?,
            Builder::Suppress => vec![Vec::new(); real.len()],
        };
        let mut of_real = levels.into_iter();
        Ok(values
            .iter()
            .map(|v| {
                let mut out = if v == NULL_TEXT || v == STAR {
                    vec![v.clone(); self.inner_levels()]
                } else {
                    of_real.next().unwrap_or_default()
                };
                out.push(STAR.into());
                out
            })
            .collect())
    }

    /// The work of building a hierarchy over `distinct` values, estimated before it starts
    /// and refused past `max_work` (`--max-work`): one label per value and level, the value
    /// and `*` included. A built cell is a string held in memory and written out (about
    /// [`CELL_BYTES`] bytes), so it counts as [`CELL_WORK`] units of work: the default budget
    /// allows 10^8 cells, about 5 GB.
    pub(crate) fn check_work(
        &self,
        column: &str,
        distinct: usize,
        max_work: Option<f64>,
    ) -> Result<()> {
        let levels = self.inner_levels() + 2;
        let cells = distinct as f64 * levels as f64;
        crate::work::check_work(
            cells * CELL_WORK,
            max_work,
            &format!(
                "building the hierarchy of {column:?}: {distinct} distinct values x {levels} levels = {cells:.0} cells of {CELL_WORK:.0} units, about {:.1} GB",
                cells * CELL_BYTES / 1e9
            ),
            "give fewer levels (widths, mask sizes or date levels) or generalize a column with fewer distinct values",
        )
    }

    /// A hierarchy over `values` (a column's distinct values), named after `column`.
    #[cfg(test)]
    pub(crate) fn build(&self, column: &str, values: &[String]) -> Result<Hierarchy> {
        self.build_locating(column, values, &|_| None)
    }

    /// [`Builder::build`], with `locate` giving the rows of example values for messages.
    pub(crate) fn build_locating(
        &self,
        column: &str,
        values: &[String],
        locate: &dyn Fn(&[&str]) -> Option<Vec<u64>>,
    ) -> Result<Hierarchy> {
        let labels = self
            .labels(values)
            .map_err(|f| Error::Invalid(f.message(column, values.len(), locate)))?;
        let rows = values
            .iter()
            .zip(labels)
            .map(|(v, mut l)| {
                l.insert(0, v.clone());
                l
            })
            .collect();
        Hierarchy::from_rows(Path::new(&format!("(built for {column})")), rows)
    }
}

/// `value` with its last `k` characters masked; a code of zeros only (`000`) is left alone until
/// every character is masked.
fn masked(value: &str, k: usize) -> String {
    let chars: Vec<char> = value.chars().collect();
    let keep = chars.len().saturating_sub(k);
    if keep > 0 && chars.len() >= 3 && chars.iter().all(|&c| c == '0') {
        return value.to_string();
    }
    chars[..keep].iter().collect::<String>() + &"*".repeat(chars.len() - keep)
}

/// The date labels of every value, one per level.
fn date_labels(
    values: &[&str],
    levels: &[DateLevel],
) -> std::result::Result<Vec<Vec<String>>, Failure> {
    let pivot = dates::this_year();
    let parsed: Vec<Option<DateValue>> = values.iter().map(|v| parse_date(v, pivot)).collect();
    unreadable(values, &parsed, "dates")?;
    let parsed: Vec<DateValue> = parsed.into_iter().flatten().collect();
    // The day-month order matters only for the month.
    let order: Option<Order> = if levels.contains(&DateLevel::Month) {
        dates::decide_order(values.iter().copied(), pivot).map_err(Failure::Order)?
    } else {
        None
    };
    let mut out = vec![Vec::with_capacity(levels.len()); parsed.len()];
    for &level in levels {
        let low = parsed
            .iter()
            .filter_map(|d| match d {
                DateValue::AtMost(y) => Some(level.period(*y).1),
                _ => None,
            })
            .max();
        let high = parsed
            .iter()
            .filter_map(|d| match d {
                DateValue::AtLeast(y) => Some(level.period(*y).0),
                _ => None,
            })
            .min();
        let collapsed = matches!((low, high), (Some(l), Some(h)) if l >= h);
        for (d, labels) in parsed.iter().zip(out.iter_mut()) {
            let year = match d {
                DateValue::Date(r) => r.year(),
                DateValue::Year(y) | DateValue::AtMost(y) | DateValue::AtLeast(y) => *y,
            };
            let label = if collapsed {
                STAR.to_string()
            } else if let Some(l) = low.filter(|&l| year <= l || matches!(d, DateValue::AtMost(_)))
            {
                format!("<={l}")
            } else if let Some(h) =
                high.filter(|&h| year >= h || matches!(d, DateValue::AtLeast(_)))
            {
                format!(">={h}")
            } else {
                let (lo, hi) = level.period(year);
                match level {
                    DateLevel::Month => match d {
                        DateValue::Date(r) => match r.date(order) {
                            Some(date) => format!("{:04}-{:02}", date.year, date.month),
                            None => year.to_string(),
                        },
                        _ => year.to_string(),
                    },
                    DateLevel::Year => year.to_string(),
                    DateLevel::FiveYears => format!("{lo}-{hi}"),
                    DateLevel::Decade => format!("{lo}s"),
                }
            };
            labels.push(label);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels(b: &Builder, v: &str) -> Vec<String> {
        b.labels(&[v.to_string()]).unwrap().remove(0)
    }

    /// Every value's labels over a whole column.
    fn column(b: &Builder, values: &[&str]) -> Vec<Vec<String>> {
        let v: Vec<String> = values.iter().map(|s| s.to_string()).collect();
        b.labels(&v).unwrap()
    }

    #[test]
    fn intervals_with_coding() {
        let b = Builder::intervals("5,10,20@18..90").unwrap();
        assert_eq!(levels(&b, "23"), ["[23,28[", "[18,28[", "[18,38[", "*"]);
        let plain = Builder::intervals("5,10").unwrap();
        assert_eq!(levels(&plain, "23"), ["[20,25[", "[20,30[", "*"]);
        assert_eq!(levels(&b, "17"), ["<18", "<18", "<18", "*"]);
        assert_eq!(levels(&b, "90"), [">=90", ">=90", ">=90", "*"]);
        assert_eq!(levels(&b, "NULL"), ["NULL", "NULL", "NULL", "*"]);
        assert!(b.labels(&["abc".to_string()]).is_err());
    }

    #[test]
    fn masks_and_dates() {
        let m = Builder::mask("1,2,5").unwrap();
        assert_eq!(levels(&m, "02134"), ["0213*", "021**", "*****", "*"]);
        let d = Builder::dates("month,year,5y,decade").unwrap();
        assert_eq!(
            levels(&d, "2021-03-04"),
            ["2021-03", "2021", "2020-2024", "2020s", "*"]
        );
        assert_eq!(levels(&Builder::Suppress, "x"), ["*"]);
    }

    #[test]
    fn built_hierarchies_are_valid_trees() {
        let values: Vec<String> = (15..95).map(|a| a.to_string()).collect();
        let h = Builder::intervals("5,10")
            .unwrap()
            .build("age", &values)
            .unwrap();
        assert_eq!(h.levels(), 4);
        assert_eq!(h.row("42").unwrap()[2], "[40,50[");
    }

    #[test]
    fn top_codes_are_the_last_interval() {
        // Ages top-coded by safe-harbor: 90+ stays itself where 90 is a boundary, and takes in
        // the interval it falls in where it is not (width 20: [80,100[ becomes >=80).
        let b = Builder::intervals("5,10,20").unwrap();
        let got = column(&b, &["17", "85", "89", "90+"]);
        assert_eq!(got[0], ["[15,20[", "[10,20[", "[0,20[", "*"]);
        assert_eq!(got[1], ["[85,90[", "[80,90[", ">=80", "*"]);
        assert_eq!(got[2], ["[85,90[", "[80,90[", ">=80", "*"]);
        assert_eq!(got[3], ["90+", "90+", ">=80", "*"]);
        // >=90 (what a builder writes) reads the same way.
        let got = column(&b, &["85", ">=90"]);
        assert_eq!(got[1], [">=90", ">=90", ">=80", "*"]);
        // The case: --interval age:5,10,20 on a safe-harbor output.
        let values: Vec<String> = ["34", "90+", "45", "89", "NULL"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let h = b.build("age", &values).unwrap();
        assert_eq!(h.levels(), 5);
    }

    #[test]
    fn bottom_codes_are_the_first_interval() {
        // Birth years: <=1935 is everything up to 1935; the interval 1935 falls in joins it.
        let b = Builder::intervals("5,10,20").unwrap();
        let got = column(&b, &["<=1935", "1936", "1941", "1962"]);
        assert_eq!(got[0], ["<1940", "<1940", "<1940", "*"]);
        assert_eq!(got[1], ["<1940", "<1940", "<1940", "*"]);
        assert_eq!(got[2], ["[1940,1945[", "[1940,1950[", "[1940,1960[", "*"]);
        assert_eq!(got[3], ["[1960,1965[", "[1960,1970[", "[1960,1980[", "*"]);
        // On a boundary the code keeps its text: <=1939 is <1940 for whole years.
        let got = column(&b, &["<=1939", "1940"]);
        assert_eq!(got[0], ["<=1939", "<=1939", "<=1939", "*"]);
        assert_eq!(got[1], ["[1940,1945[", "[1940,1950[", "[1940,1960[", "*"]);
        // <18 (what a builder writes) reads too; a level where the codes meet is all *.
        let got = column(
            &Builder::intervals("10,100").unwrap(),
            &["<18", "50", "90+"],
        );
        assert_eq!(got[0], ["<20", "*", "*"]);
        assert_eq!(got[1], ["[50,60[", "*", "*"]);
        assert_eq!(got[2], ["90+", "*", "*"]);
    }

    #[test]
    fn decimals_keep_clean_labels() {
        let b = Builder::intervals("0.1,0.5").unwrap();
        let got = column(&b, &["0.3", "0.75", "1.05"]);
        assert_eq!(got[0], ["[0.3,0.4[", "[0,0.5[", "*"]);
        assert_eq!(got[1], ["[0.7,0.8[", "[0.5,1[", "*"]);
        assert_eq!(got[2], ["[1,1.1[", "[1,1.5[", "*"]);
    }

    #[test]
    fn zero_codes_stay_apart_until_fully_masked() {
        let m = Builder::mask("1,2,3").unwrap();
        let got = column(&m, &["021", "000", "028"]);
        assert_eq!(got[0], ["02*", "0**", "***", "*"]);
        assert_eq!(got[1], ["000", "000", "***", "*"]);
        let values: Vec<String> = ["021", "000", "028", "100"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(m.build("zip3", &values).is_ok());
    }

    #[test]
    fn dates_in_every_form_and_codes() {
        let d = Builder::dates("month,year,5y,decade").unwrap();
        // Two source systems in one column; 03/04/2020 is decided month first by 12/25/2019.
        let got = column(
            &d,
            &["2020-01-05", "03/04/2020", "12/25/2019", "04.05.2021"],
        );
        assert_eq!(got[1], ["2020-03", "2020", "2020-2024", "2020s", "*"]);
        assert_eq!(got[2], ["2019-12", "2019", "2015-2019", "2010s", "*"]);
        assert_eq!(got[3], ["2021-05", "2021", "2020-2024", "2020s", "*"]);
        // The case: --date birth:month,year on 01/01/1931.
        let got = column(&Builder::dates("month,year").unwrap(), &["01/01/1931"]);
        assert_eq!(got[0], ["1931-01", "1931", "*"]);
        // Years and the <=YYYY code of birth years.
        let y = Builder::dates("year,5y,decade").unwrap();
        let got = column(&y, &["<=1935", "1936", "1941"]);
        assert_eq!(got[0], ["<=1935", "<=1939", "<=1939", "*"]);
        assert_eq!(got[1], ["1936", "<=1939", "<=1939", "*"]);
        assert_eq!(got[2], ["1941", "1940-1944", "1940s", "*"]);
        // Undecidable order: an error (rows, when the data is at hand).
        let values: Vec<String> = ["03/04/2020", "05/06/2020"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let e = d
            .build_locating("admit", &values, &|v| Some(vec![7; v.len()]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("row 7") && !e.contains("03/04"), "{e}");
        // Without the month level the order does not matter.
        assert!(y.build("admit", &values).is_ok());
    }

    #[test]
    fn unreadable_values_are_counted_not_shown() {
        let b = Builder::intervals("5").unwrap();
        let values: Vec<String> = ["12", "secret", "x", "3"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let e = b
            .build_locating("age", &values, &|_| Some(vec![4]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("2 of its 4 distinct values are not numbers"),
            "{e}"
        );
        assert!(e.contains("row 4") && !e.contains("secret"), "{e}");
    }

    #[test]
    fn suppressed_values_stay_suppressed() {
        let b = Builder::intervals("5").unwrap();
        let got = column(&b, &["*", "12"]);
        assert_eq!(got[0], ["*", "*"]);
    }
}
