//! Hierarchies built from a column's values, for columns that come without one.
//!
//! * **intervals** (`age:5,10,20`): numbers binned into intervals of each width, aligned at 0
//!   (or at the bottom-coding bound),
//!   labelled ARX-style `[20,25[`; optional bottom and top coding (`age:5,10,20@18..90`: values
//!   below 18 become `<18`, values from 90 up `>=90`, at every level);
//! * **masking** (`zip:1,2,3,5`): codes with their last k characters replaced by `*`;
//! * **dates** (`visit:month,year,5y,decade`): `YYYY-MM-DD...` to `YYYY-MM`, `YYYY`, `2020-2024`,
//!   `2020s`;
//! * **suppression**: the value, then `*`.
//!
//! Every built hierarchy ends with `*`. `NULL` stays `NULL` until the top. A value the builder
//! cannot read (text in an interval hierarchy, say) is an error that names it.

use std::path::Path;

use super::Hierarchy;
use crate::error::{Error, Result};
use crate::input::encode::NULL_TEXT;

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
}

impl Spec {
    /// The builder the specification describes.
    pub(crate) fn builder(&self) -> Result<Builder> {
        match self {
            Spec::Intervals(s) => Builder::intervals(s),
            Spec::Mask(s) => Builder::mask(s),
            Spec::Dates(s) => Builder::dates(s),
            Spec::Suppress => Ok(Builder::Suppress),
        }
    }
}

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

    /// The generalizations of one value, level 1 up to `*` (level 0, the value, not included).
    fn generalize(&self, value: &str) -> std::result::Result<Vec<String>, String> {
        if value == NULL_TEXT {
            let levels = match self {
                Builder::Intervals { widths, .. } => widths.len(),
                Builder::Mask { digits } => digits.len(),
                Builder::Dates { levels } => levels.len(),
                Builder::Suppress => 0,
            };
            let mut out = vec![NULL_TEXT.to_string(); levels];
            out.push("*".into());
            return Ok(out);
        }
        let mut out = match self {
            Builder::Intervals {
                widths,
                bottom,
                top,
            } => {
                let x: f64 = value
                    .parse()
                    .map_err(|_| "a value is not a number (intervals need numbers)".to_string())?;
                widths
                    .iter()
                    .map(|&w| {
                        if let Some(b) = bottom.filter(|&b| x < b) {
                            return format!("<{}", fmt(b));
                        }
                        if let Some(t) = top.filter(|&t| x >= t) {
                            return format!(">={}", fmt(t));
                        }
                        // Bins start at the bottom-coding bound when there is one, else at 0.
                        let origin = bottom.unwrap_or(0.0);
                        let lo = origin + ((x - origin) / w).floor() * w;
                        format!("[{},{}[", fmt(lo), fmt(lo + w))
                    })
                    .collect()
            }
            Builder::Mask { digits } => {
                let chars: Vec<char> = value.chars().collect();
                digits
                    .iter()
                    .map(|&k| {
                        let keep = chars.len().saturating_sub(k);
                        chars[..keep].iter().collect::<String>() + &"*".repeat(chars.len() - keep)
                    })
                    .collect()
            }
            Builder::Dates { levels } => {
                let year: i64 = value
                    .get(..4)
                    .and_then(|y| y.parse().ok())
                    .filter(|_| value.len() >= 4)
                    .ok_or_else(|| "a value is not a date (YYYY-MM-DD)".to_string())?;
                levels
                    .iter()
                    .map(|l| match l {
                        DateLevel::Month => value.get(..7).unwrap_or(value).to_string(),
                        DateLevel::Year => year.to_string(),
                        DateLevel::FiveYears => {
                            let lo = year.div_euclid(5) * 5;
                            format!("{lo}-{}", lo + 4)
                        }
                        DateLevel::Decade => format!("{}s", year.div_euclid(10) * 10),
                    })
                    .collect()
            }
            Builder::Suppress => Vec::new(),
        };
        out.push("*".into());
        Ok(out)
    }

    /// A hierarchy over `values` (a column's distinct values), named after `column`.
    pub(crate) fn build(&self, column: &str, values: &[String]) -> Result<Hierarchy> {
        let mut rows = Vec::with_capacity(values.len());
        let mut failed: Option<(String, usize)> = None;
        for v in values {
            match self.generalize(v) {
                Ok(levels) => {
                    let mut row = vec![v.clone()];
                    row.extend(levels);
                    rows.push(row);
                }
                Err(why) => failed.get_or_insert((why, 0)).1 += 1,
            }
        }
        if let Some((why, n)) = failed {
            // The values are not named (messages never show data values): how many, of how many.
            return Err(Error::Invalid(format!(
                "building a hierarchy for column {column:?}: {why}: {n} of the column's {} distinct values (values are not shown in messages)",
                values.len()
            )));
        }
        Hierarchy::from_rows(Path::new(&format!("(built for {column})")), rows)
    }
}

/// Numbers in labels: integers without a fraction.
fn fmt(x: f64) -> String {
    crate::input::encode::format_float(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels(b: &Builder, v: &str) -> Vec<String> {
        b.generalize(v).unwrap()
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
        assert!(b.generalize("abc").is_err());
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
}
