//! The forms Safe Harbor allows, as the scan's `compliant` checks read them: years (and years
//! generalized), ages below 90 or aggregated from 90 up, ZIP3s and ZIP codes masked to three
//! digits or fewer, and the generalized values `anonymize` writes (`[a,b[`, `<x`, `>=x`, `x+`,
//! `*`). A release of `anonymize` then reads as compliant where it is.

/// The single category that ages of 90 and over are aggregated into (what `safe-harbor` writes,
/// and what [`age_safe`] accepts).
pub(crate) const AGE_TOP_CODE: &str = "90+";

fn number(v: &str) -> Option<f64> {
    v.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// The suppressed value of a release (`anonymize --suppressed star`, a hierarchy's top).
const STAR: &str = "*";

/// A bound of a generalized value: `<x`, `<=x`, `>=x`, `x+` (the number and the kind), or an
/// interval `[a,b[` (ARX's label, what `reident hierarchy` writes).
enum Generalized {
    Below(f64),
    AtMost(f64),
    AtLeast(f64),
    Interval(f64, f64),
}

fn generalized(v: &str) -> Option<Generalized> {
    if let Some(x) = v.strip_prefix("<=") {
        return number(x).map(Generalized::AtMost);
    }
    if let Some(x) = v.strip_prefix('<') {
        return number(x).map(Generalized::Below);
    }
    if let Some(x) = v.strip_prefix(">=").or_else(|| v.strip_suffix('+')) {
        return number(x).map(Generalized::AtLeast);
    }
    let inner = v.strip_prefix('[')?.strip_suffix('[')?;
    let (a, b) = inner.split_once(',')?;
    Some(Generalized::Interval(number(a.trim())?, number(b.trim())?))
}

/// An age in the form Safe Harbor allows: below 90, `90+`, or a generalization that never sets
/// ages over 89 apart (an interval ending at 90 or below, `<x` with x at most 90, `>=t` or
/// `t+` with t at most 90), or `*`.
pub(crate) fn age_safe(v: &str) -> bool {
    if v == AGE_TOP_CODE || v == STAR {
        return true;
    }
    if let Some(a) = number(v) {
        return (0.0..90.0).contains(&a);
    }
    match generalized(v) {
        Some(Generalized::Below(x)) => x <= 90.0,
        Some(Generalized::AtMost(x)) => x < 90.0,
        Some(Generalized::AtLeast(t)) => t <= 90.0,
        Some(Generalized::Interval(a, b)) => a < b && b <= 90.0,
        None => false,
    }
}

/// A year, or years generalized (`<=YYYY`, `<YYYY`, `>=YYYY`, `YYYY+`, `[YYYY,YYYY[`,
/// `YYYY-YYYY`, `YYYYs`), or `*`: the forms Safe Harbor allows for dates (the year, never a
/// month or a day).
pub(crate) fn year_safe(v: &str) -> bool {
    let year = |s: &str| {
        s.len() == 4
            && s.bytes().all(|b| b.is_ascii_digit())
            && s.parse::<i32>().is_ok_and(|y| (1800..=2200).contains(&y))
    };
    if v == STAR || year(v) || v.strip_suffix('s').is_some_and(year) {
        return true;
    }
    if let Some((a, b)) = v.split_once('-') {
        return year(a) && year(b);
    }
    let whole_year = |x: f64| x.fract() == 0.0 && (1800.0..=2201.0).contains(&x);
    match generalized(v) {
        Some(Generalized::Below(x) | Generalized::AtMost(x) | Generalized::AtLeast(x)) => {
            whole_year(x)
        }
        Some(Generalized::Interval(a, b)) => whole_year(a) && whole_year(b),
        None => false,
    }
}

/// A ZIP code in a form Safe Harbor allows: three digits (ZIP3; `000` for the restricted areas),
/// or a code of 3 or 5 characters with at most its first three digits kept and the rest masked
/// by `*` (`02*`, `021**`), or `*`.
pub(crate) fn zip3_safe(v: &str) -> bool {
    if v == STAR {
        return true;
    }
    let digits = v.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &v.as_bytes()[digits..];
    (v.len() == 3 || v.len() == 5)
        && digits <= 3
        && rest.iter().all(|&b| b == b'*')
        && (digits == 3 && v.len() == 3 || !rest.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_forms() {
        for v in ["34", "90+", "[85,90[", ">=80", "80+", "<18", "<=89", "*"] {
            assert!(age_safe(v), "{v}");
        }
        for v in ["90", "104", "[80,100[", ">=95", "95+", "<=90", "abc"] {
            assert!(!age_safe(v), "{v}");
        }
        for v in [
            "2019",
            "<=1935",
            "<1940",
            ">=2020",
            "[1950,1960[",
            "2015-2019",
            "1990s",
            "*",
        ] {
            assert!(year_safe(v), "{v}");
        }
        for v in [
            "2019-03",
            "2019-03-04",
            "03/2019",
            "[1950.5,1960[",
            "19",
            "1700",
        ] {
            assert!(!year_safe(v), "{v}");
        }
        for v in ["021", "000", "02*", "0**", "***", "021**", "*"] {
            assert!(zip3_safe(v), "{v}");
        }
        for v in ["02134", "0213*", "02", "2134", "021-1", "02*4"] {
            assert!(!zip3_safe(v), "{v}");
        }
    }
}
