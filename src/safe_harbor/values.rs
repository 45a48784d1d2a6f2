//! The value transformations of dates and ages, and what one transformation did to a value.

use crate::scan::Rules;

/// The single category that ages of 90 and over are aggregated into (defined with the scan's
/// checks, which recognize it as a Safe Harbor age).
pub(crate) use crate::scan::checks::AGE_TOP_CODE;

/// This year (UTC), from the system clock.
pub(crate) fn current_year() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    crate::scan::checks::year_of_days(secs.div_euclid(86_400))
}

/// The outcome for one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueChange {
    Same,
    /// A new value; `special` marks a restricted ZIP3, a padded ZIP or a top-coded value.
    New {
        value: String,
        special: Special,
    },
    Unrecognized,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    None,
    Restricted,
    Padded,
    /// Padded and restricted.
    PaddedRestricted,
    TopCoded,
}

pub(super) fn new(value: String, special: Special) -> ValueChange {
    ValueChange::New { value, special }
}

/// Ages of 90 and over to `90+`; numbers below 90 unchanged; anything else unrecognized.
pub(crate) fn top_code_age(v: &str) -> ValueChange {
    if v == AGE_TOP_CODE {
        return ValueChange::Same;
    }
    match v.trim().parse::<f64>() {
        Ok(a) if a.is_finite() && a >= 90.0 => new(AGE_TOP_CODE.to_string(), Special::TopCoded),
        Ok(a) if a.is_finite() => ValueChange::Same,
        _ => ValueChange::Unrecognized,
    }
}

/// A date to its year; with `birth`, years up to `reference_year - 90` to `<=YYYY`.
pub(crate) fn to_year(rules: &Rules, v: &str, birth: bool, reference_year: i32) -> ValueChange {
    let t = v.trim();
    let limit = reference_year - 90;
    if let Some(y) = t.strip_prefix("<=") {
        if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) {
            return ValueChange::Same;
        }
    }
    let Some(y) = rules.date_year(t, reference_year, true) else {
        return ValueChange::Unrecognized;
    };
    let (out, special) = if birth && y <= limit {
        (format!("<={limit}"), Special::TopCoded)
    } else {
        (y.to_string(), Special::None)
    };
    if out == v {
        ValueChange::Same
    } else {
        new(out, special)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn new_value(o: ValueChange) -> String {
        match o {
            ValueChange::New { value, .. } => value,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn age_edges() {
        assert_eq!(top_code_age("89"), ValueChange::Same);
        assert_eq!(top_code_age("89.9"), ValueChange::Same);
        assert_eq!(new_value(top_code_age("90")), "90+");
        assert_eq!(new_value(top_code_age("90.0")), "90+");
        assert_eq!(new_value(top_code_age("104")), "90+");
        assert_eq!(top_code_age("90+"), ValueChange::Same);
        assert_eq!(top_code_age("0"), ValueChange::Same);
        assert_eq!(top_code_age("unknown"), ValueChange::Unrecognized);
    }

    #[test]
    fn years_and_birth_years() {
        let r = Rules::builtin();
        assert_eq!(new_value(to_year(r, "2019-03-04", false, 2025)), "2019");
        assert_eq!(new_value(to_year(r, "03/04/2019", false, 2025)), "2019");
        assert_eq!(to_year(r, "2019", false, 2025), ValueChange::Same);
        assert_eq!(to_year(r, "soon", false, 2025), ValueChange::Unrecognized);
        // Born 1935 is 90 in 2025 (or 89 before the birthday): aggregated; 1936 kept.
        assert_eq!(
            to_year(r, "1935-12-31", true, 2025),
            ValueChange::New {
                value: "<=1935".into(),
                special: Special::TopCoded
            }
        );
        assert_eq!(new_value(to_year(r, "1936-01-01", true, 2025)), "1936");
        assert_eq!(to_year(r, "<=1935", true, 2025), ValueChange::Same);
        assert_eq!(new_value(to_year(r, "1920", true, 2025)), "<=1935");
    }
}
