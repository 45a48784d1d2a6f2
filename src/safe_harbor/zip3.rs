//! ZIP codes: the restricted three-digit areas, and a ZIP code to its ZIP3.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::values::{new, Special, ValueChange};
use crate::error::{Error, Result};

/// The shipped list (datasets/hipaa/restricted_zip3.csv, with its source in the README there).
pub const BUILTIN_RESTRICTED_ZIP3: &str = include_str!("../../datasets/hipaa/restricted_zip3.csv");

/// The three-digit ZIP areas that must be written `000`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RestrictedZip3 {
    /// `built-in` (the HHS 2012 guidance, 2000 Census) or the file given.
    pub source: String,
    pub codes: BTreeSet<String>,
}

impl RestrictedZip3 {
    pub(crate) fn builtin() -> RestrictedZip3 {
        Self::parse(
            BUILTIN_RESTRICTED_ZIP3,
            "built-in (HHS 2012 guidance, 2000 Census)",
        )
        .expect("the shipped ZIP3 list is valid")
    }

    pub fn load(path: &Path) -> Result<RestrictedZip3> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text, &path.display().to_string())
            .map_err(|m| Error::Invalid(format!("{}: {m}", path.display())))
    }

    /// A CSV text with a `zip3` column (comma, semicolon or tab separated); other columns are
    /// ignored. Every code must be three digits.
    pub(crate) fn parse(text: &str, source: &str) -> std::result::Result<RestrictedZip3, String> {
        let text = text.trim_start_matches('\u{feff}');
        let header = text.lines().next().unwrap_or_default();
        let delimiter = crate::input::csv::detect_delimiter(header.as_bytes());
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| e.to_string())?.clone();
        let col = headers
            .iter()
            .position(|h| h.trim() == "zip3")
            .ok_or("no zip3 column in the header")?;
        let mut codes = BTreeSet::new();
        for (i, rec) in reader.records().enumerate() {
            let rec = rec.map_err(|e| e.to_string())?;
            let z = rec.get(col).unwrap_or_default().trim();
            if z.len() != 3 || !z.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "line {}: a zip3 must be three digits (leading zeros kept)",
                    i + 2
                ));
            }
            codes.insert(z.to_string());
        }
        if codes.is_empty() {
            return Err("the list is empty".into());
        }
        Ok(RestrictedZip3 {
            source: source.to_string(),
            codes,
        })
    }
}

/// ZIP code to ZIP3 (`000` for restricted areas).
pub fn zip3(v: &str, restricted: &RestrictedZip3) -> ValueChange {
    let t = v.trim();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (first3, padded) = match t.len() {
        3 if digits(t) => (t.to_string(), false),
        4 if digits(t) => (format!("0{}", &t[..2]), true),
        5 | 9 if digits(t) => (t[..3].to_string(), false),
        10 if digits(&t[..5]) && t.as_bytes()[5] == b'-' && digits(&t[6..]) => {
            (t[..3].to_string(), false)
        }
        _ => return ValueChange::Unrecognized,
    };
    let is_restricted = restricted.codes.contains(&first3);
    let out = if is_restricted {
        "000".to_string()
    } else {
        first3
    };
    if out == v {
        return ValueChange::Same;
    }
    let special = match (padded, is_restricted) {
        (true, true) => Special::PaddedRestricted,
        (true, false) => Special::Padded,
        (false, true) => Special::Restricted,
        (false, false) => Special::None,
    };
    new(out, special)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::safe_harbor::values::tests::new_value;

    fn restricted() -> RestrictedZip3 {
        RestrictedZip3::builtin()
    }

    #[test]
    fn the_shipped_list_is_the_hhs_list() {
        let r = restricted();
        let codes: Vec<&str> = r.codes.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            codes,
            [
                "036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831",
                "878", "879", "884", "890", "893"
            ]
        );
    }

    #[test]
    fn zip3_edges() {
        let r = restricted();
        assert_eq!(new_value(zip3("03701", &r)), "037");
        assert_eq!(
            zip3("03601", &r),
            ValueChange::New {
                value: "000".into(),
                special: Special::Restricted
            }
        );
        assert_eq!(new_value(zip3("03601-1234", &r)), "000");
        assert_eq!(new_value(zip3("941101234", &r)), "941");
        assert_eq!(new_value(zip3("94110-1234", &r)), "941");
        assert_eq!(new_value(zip3("89301", &r)), "000");
        assert_eq!(new_value(zip3("89401", &r)), "894");
        // A ZIP stored as a number lost its leading zero: 3701 is 03701.
        assert_eq!(
            zip3("3701", &r),
            ValueChange::New {
                value: "037".into(),
                special: Special::Padded
            }
        );
        assert_eq!(
            zip3("3601", &r),
            ValueChange::New {
                value: "000".into(),
                special: Special::PaddedRestricted
            }
        );
        // ZIP3s stay (restricted ones become 000): idempotent.
        assert_eq!(zip3("037", &r), ValueChange::Same);
        assert_eq!(zip3("000", &r), ValueChange::Same);
        assert_eq!(new_value(zip3("036", &r)), "000");
        for bad in ["K1A 0B1", "1234567", "ABCDE", "12-345", ""] {
            assert_eq!(zip3(bad, &r), ValueChange::Unrecognized, "{bad}");
        }
    }

    #[test]
    fn zip3_lists_from_files() {
        let r = RestrictedZip3::parse("state;zip3\nNH;036\nVT;059\n", "t").unwrap();
        assert_eq!(r.codes.len(), 2);
        assert!(RestrictedZip3::parse("zip\n036\n", "t").is_err());
        assert!(RestrictedZip3::parse("zip3\n36\n", "t")
            .unwrap_err()
            .contains("three digits"));
    }
}
