//! The named value checks that the rules file refers to (`"check": "ssn"`): what a regex cannot
//! say. Check digits (Luhn, the NPI's 80840 prefix, VIN, DEA, IBAN mod 97), the SSA's rules for
//! SSN areas, groups and serials, North American numbering plan digits, calendar validity of dates,
//! IP addresses through `std::net`, and the list of common names.
//!
//! Every check is written from the published definition (cited on each function), not from other
//! code. A check sees one trimmed value and, for dates, the named groups of the rule's regex.
//!
//! This file depends only on the date reader (`super::dates`, for the calendar and the dates in
//! any form): the data a check needs ([`PersonNames`], the `AGE_TOP_CODE` that `safe-harbor`
//! writes) is defined here.

use std::collections::HashSet;
use std::net::{Ipv4Addr, Ipv6Addr};

use regex::bytes::Captures;

/// The single category that ages of 90 and over are aggregated into (what `safe-harbor` writes,
/// and what the `age_safe` check accepts).
pub(crate) use super::safe_forms::AGE_TOP_CODE;

/// The lists of common first and last names (lowercase) for the `person_name` check.
#[derive(Debug, Clone, Default)]
pub struct PersonNames {
    pub first: HashSet<String>,
    pub last: HashSet<String>,
    /// Words that make a value something other than a person's name (`Garcia and Sons`).
    pub not_name: HashSet<String>,
}

/// A check named in the rules file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    Ssn,
    SsnPrefix,
    Card,
    Npi,
    Imei,
    Iban,
    Vin,
    Dea,
    Ipv4,
    Ipv6,
    Phone,
    PhoneAny,
    Nanp,
    NotHex,
    E164,
    Date,
    DateAny,
    Epoch,
    Year,
    YearSafe,
    Age,
    Over89,
    AgeSafe,
    Email,
    PersonName,
    Code,
    LatLon,
    Coordinate,
    Zip3Safe,
}

impl Check {
    pub(crate) fn parse(name: &str) -> Option<Check> {
        Some(match name {
            "ssn" => Check::Ssn,
            "ssn_prefix" => Check::SsnPrefix,
            "card" => Check::Card,
            "npi" => Check::Npi,
            "imei" => Check::Imei,
            "iban" => Check::Iban,
            "vin" => Check::Vin,
            "dea" => Check::Dea,
            "ipv4" => Check::Ipv4,
            "ipv6" => Check::Ipv6,
            "phone" => Check::Phone,
            "phone_any" => Check::PhoneAny,
            "not_hex" => Check::NotHex,
            "nanp" => Check::Nanp,
            "e164" => Check::E164,
            "date" => Check::Date,
            "date_any" => Check::DateAny,
            "year_safe" => Check::YearSafe,
            "zip3_safe" => Check::Zip3Safe,
            "epoch" => Check::Epoch,
            "year" => Check::Year,
            "age" => Check::Age,
            "over_89" => Check::Over89,
            "age_safe" => Check::AgeSafe,
            "email" => Check::Email,
            "person_name" => Check::PersonName,
            "code" => Check::Code,
            "lat_lon" => Check::LatLon,
            "coordinate" => Check::Coordinate,
            _ => return None,
        })
    }

    /// Whether the check reads the regex's named groups (so the regex must capture).
    pub(crate) fn needs_captures(self) -> bool {
        matches!(self, Check::Date | Check::Year)
    }

    pub fn run(self, v: &str, caps: Option<&Captures>, names: &PersonNames) -> bool {
        match self {
            Check::Ssn => ssn(&digits(v)),
            Check::SsnPrefix => {
                let d = digits(v);
                d.len() >= 9 && ssn(&d[..9])
            }
            Check::Card => card(&digits(v)),
            Check::Npi => npi(&digits(v)),
            Check::Imei => {
                let d = digits(v);
                d.len() == 15 && luhn(&d)
            }
            Check::Iban => iban(v),
            Check::Vin => vin(v),
            Check::Dea => dea(v),
            Check::Ipv4 => v.parse::<Ipv4Addr>().is_ok(),
            Check::Ipv6 => v.parse::<Ipv6Addr>().is_ok(),
            Check::Phone => phone(v),
            Check::PhoneAny => phone(v) || nanp(&digits(v)),
            Check::NotHex => !v.bytes().all(|b| b.is_ascii_hexdigit()),
            Check::Nanp => nanp(&digits(v)),
            Check::E164 => e164(v),
            Check::Date => caps.is_some_and(|c| captured_date(c, 2000).is_some()),
            Check::DateAny => super::dates::read(v, 2000).is_some(),
            Check::YearSafe => super::safe_forms::year_safe(v),
            Check::Zip3Safe => super::safe_forms::zip3_safe(v),
            Check::Epoch => epoch_year(v).is_some(),
            Check::Year => caps
                .and_then(|c| group(c, "y"))
                .and_then(|y| y.parse::<i32>().ok())
                .is_some_and(|y| (1800..=2200).contains(&y)),
            Check::Age => number(v).is_some_and(|a| (0.0..=130.0).contains(&a)),
            Check::Over89 => number(v).is_some_and(|a| (90.0..=130.0).contains(&a)),
            Check::AgeSafe => super::safe_forms::age_safe(v),
            Check::Email => email(v),
            Check::PersonName => person_name(v, names),
            Check::Code => code(v),
            Check::LatLon => lat_lon(v),
            Check::Coordinate => number(v).is_some_and(|x| x.abs() <= 180.0),
        }
    }
}

/// The ASCII digits of a value, separators dropped.
fn digits(v: &str) -> Vec<u8> {
    v.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect()
}

fn number(v: &str) -> Option<f64> {
    v.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// The Luhn (mod 10) check: from the rightmost digit, double every second digit, subtract 9 from
/// results above 9; the sum is a multiple of 10 (ISO/IEC 7812-1, Annex B).
pub(crate) fn luhn(d: &[u8]) -> bool {
    luhn_sum(d, 0).is_multiple_of(10)
}

fn luhn_sum(d: &[u8], start: u32) -> u32 {
    let mut sum = start;
    for (i, &x) in d.iter().rev().enumerate() {
        let x = x as u32;
        sum += if i % 2 == 1 {
            let y = 2 * x;
            if y > 9 {
                y - 9
            } else {
                y
            }
        } else {
            x
        };
    }
    sum
}

/// A Social Security number's structure (SSA, Program Operations Manual RM 10201.035 and the 2011
/// randomization notice): area 001-899 except 666, group 01-99, serial 0001-9999.
pub(crate) fn ssn(d: &[u8]) -> bool {
    if d.len() != 9 {
        return false;
    }
    let area = d[0] as u32 * 100 + d[1] as u32 * 10 + d[2] as u32;
    let group = d[3] as u32 * 10 + d[4] as u32;
    let serial = d[5..].iter().fold(0u32, |a, &x| a * 10 + x as u32);
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

/// A payment card number (ISO/IEC 7812-1): 13 to 19 digits, a major industry identifier (the
/// first digit) of 2-6 (airlines and financial, travel and entertainment, banking and financial,
/// merchandising and banking: every card network's range, Visa 4, Mastercard 2 and 5, Amex, Diners
/// and JCB 3, Discover, Maestro and UnionPay 6), and the Luhn check digit. Any single number has a
/// one in ten chance to pass Luhn, so the rule asks for most of a column.
pub(crate) fn card(d: &[u8]) -> bool {
    (13..=19).contains(&d.len()) && (2..=6).contains(&d[0]) && luhn(d)
}

/// The National Provider Identifier's check digit (CMS, "Requirements for the NPI check digit"):
/// the Luhn check over the 9 identifier digits prefixed by 80840, which amounts to adding 24 to
/// their Luhn sum.
pub(crate) fn npi(d: &[u8]) -> bool {
    d.len() == 10 && (d[0] == 1 || d[0] == 2) && luhn_sum(d, 24).is_multiple_of(10)
}

/// IBAN (ISO 13616-1): two letters, two check digits, up to 30 alphanumerics; moving the first four
/// characters to the end and reading letters as 10..35 gives a number that is 1 mod 97.
pub(crate) fn iban(v: &str) -> bool {
    let s: Vec<u8> = v
        .bytes()
        .filter(|b| *b != b' ')
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if !(15..=34).contains(&s.len())
        || !s[..2].iter().all(u8::is_ascii_uppercase)
        || !s[2..4].iter().all(u8::is_ascii_digit)
        || !s.iter().all(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    let mut rem: u32 = 0;
    for &b in s[4..].iter().chain(&s[..4]) {
        if b.is_ascii_digit() {
            rem = (rem * 10 + (b - b'0') as u32) % 97;
        } else {
            rem = (rem * 100 + (b - b'A' + 10) as u32) % 97;
        }
    }
    rem == 1
}

/// The VIN check digit (49 CFR 565.15): letters transliterated (A-H 1-8, J-N 1-5 with M 4 N 5,
/// P 7, R 9, S-Z 2-9), each position weighted 8 7 6 5 4 3 2 10 0 9 8 7 6 5 4 3 2, the sum mod 11
/// is position 9 (10 written X).
pub(crate) fn vin(v: &str) -> bool {
    const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let s: Vec<u8> = v.bytes().map(|b| b.to_ascii_uppercase()).collect();
    if s.len() != 17 {
        return false;
    }
    let value = |b: u8| -> Option<u32> {
        Some(match b {
            b'0'..=b'9' => (b - b'0') as u32,
            b'A'..=b'H' => (b - b'A') as u32 + 1,
            b'J'..=b'N' => (b - b'J') as u32 + 1,
            b'P' => 7,
            b'R' => 9,
            b'S'..=b'Z' => (b - b'S') as u32 + 2,
            _ => return None,
        })
    };
    let mut sum = 0;
    for (i, &b) in s.iter().enumerate() {
        match value(b) {
            Some(x) => sum += x * WEIGHTS[i],
            None => return false,
        }
    }
    // A VIN of one repeated digit passes the arithmetic and is a test value, not a vehicle.
    if s.iter().all(|&b| b == s[0]) {
        return false;
    }
    let check = sum % 11;
    s[8] == if check == 10 {
        b'X'
    } else {
        b'0' + check as u8
    }
}

/// A DEA registration number (21 CFR 1301; the DEA's published check): a registrant-type letter,
/// a letter (or 9), seven digits; (d1 + d3 + d5) + 2 (d2 + d4 + d6) ends in d7.
pub(crate) fn dea(v: &str) -> bool {
    let s = v.as_bytes();
    if s.len() != 9 || !b"ABCDEFGHJKLMPRSTUX".contains(&s[0].to_ascii_uppercase()) {
        return false;
    }
    let d = digits(&v[2..]);
    if d.len() != 7 {
        return false;
    }
    let sum = (d[0] + d[2] + d[4]) as u32 + 2 * (d[1] + d[3] + d[5]) as u32;
    sum % 10 == d[6] as u32
}

/// A North American Numbering Plan number: an optional country code 1, then NPA NXX XXXX where the
/// area code and the exchange begin with 2-9 and neither is an N11 service code.
pub(crate) fn nanp(d: &[u8]) -> bool {
    let d = match d.len() {
        10 => d,
        11 if d[0] == 1 => &d[1..],
        _ => return false,
    };
    let n11 = |x: &[u8]| x[1] == 1 && x[2] == 1;
    d[0] >= 2 && d[3] >= 2 && !n11(&d[0..3]) && !n11(&d[3..6])
}

/// A telephone number as written: an extension (`x12`, `ext. 12`) set aside, either an E.164
/// number (`+...`) or a NANP number written with at least one separator (plain runs of ten digits
/// are too often other identifiers to count without a column name).
pub(crate) fn phone(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    let main = match lower.find(['x', 'e']) {
        Some(i) => lower[..i].trim_end(),
        None => lower.as_str(),
    };
    if main.starts_with('+') {
        return e164(main);
    }
    // 00 is the international access prefix that stands for + in most of the world.
    if let Some(rest) = main.strip_prefix("00") {
        return e164(&format!("+{}", rest.trim_start_matches([' ', '-', '.'])));
    }
    main.bytes().any(|b| !b.is_ascii_digit()) && nanp(&digits(main))
}

/// E.164 (ITU-T): `+`, a country code not starting with 0, at most 15 digits in all (at least 8
/// here: shorter numbers exist, but then nothing tells them from other short codes). A `+1` number
/// must also be a valid NANP number.
pub(crate) fn e164(v: &str) -> bool {
    let d = digits(v);
    if !(8..=15).contains(&d.len()) || d[0] == 0 || !v.starts_with('+') {
        return false;
    }
    d[0] != 1 || nanp(&d)
}

/// E-mail shape beyond the regex: no leading, trailing or doubled dot in the local part.
pub(crate) fn email(v: &str) -> bool {
    match v.split_once('@') {
        Some((local, _)) => {
            !local.starts_with('.') && !local.ends_with('.') && !local.contains("..")
        }
        None => false,
    }
}

/// A value that reads like a person's name: 1 to 5 words of letters (with `'`, `-`, `.`), split at
/// spaces and commas, at least one of them a common first or last name.
pub(crate) fn person_name(v: &str, names: &PersonNames) -> bool {
    let words: Vec<&str> = v.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    if words.is_empty() || words.len() > 5 {
        return false;
    }
    let mut known = false;
    for w in &words {
        if !w
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '\'' | '-' | '.'))
        {
            return false;
        }
        let key: String = w
            .chars()
            .filter(|c| c.is_alphabetic())
            .flat_map(char::to_lowercase)
            .collect();
        if names.not_name.contains(&key) {
            return false;
        }
        known |= names.first.contains(&key) || names.last.contains(&key);
    }
    known
}

/// A code (beyond the rule's character set): holds a digit, and is not a plain number (so that
/// measurements never look like identifiers).
pub(crate) fn code(v: &str) -> bool {
    v.bytes().any(|b| b.is_ascii_digit()) && v.parse::<f64>().is_err()
}

/// A latitude, longitude pair within range.
pub(crate) fn lat_lon(v: &str) -> bool {
    let parts: Vec<f64> = v
        .trim_matches(|c| c == '(' || c == ')')
        .split([',', ';', ' '])
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse::<f64>().ok())
        .collect();
    parts.len() == 2 && parts[0].abs() <= 90.0 && parts[1].abs() <= 180.0
}

/// A named group of a match, as text.
pub(crate) fn group<'a>(c: &Captures<'a>, name: &str) -> Option<&'a str> {
    c.name(name)
        .and_then(|m| std::str::from_utf8(m.as_bytes()).ok())
}

/// The year of a date matched by a rule's regex, if its named groups form a valid calendar date:
/// `y` (four digits) or `yy` (two digits; read as 20yy when at most `pivot`'s last two digits,
/// else 19yy), `m` (1-12) or `mon` (a month name), and `d` when the format has a day.
pub(crate) fn captured_date(c: &Captures, pivot: i32) -> Option<i32> {
    let y = match (group(c, "y"), group(c, "yy")) {
        (Some(y), _) => y.parse::<i32>().ok()?,
        (None, Some(yy)) => {
            let yy: i32 = yy.parse().ok()?;
            if yy <= pivot % 100 {
                2000 + yy
            } else {
                1900 + yy
            }
        }
        _ => return None,
    };
    let m = match (group(c, "m"), group(c, "mon")) {
        (Some(m), _) => m.parse::<u32>().ok()?,
        (None, Some(mon)) => super::dates::month_of_name(mon)?,
        _ => return None,
    };
    let d = match group(c, "d") {
        Some(d) => Some(d.parse::<u32>().ok()?),
        None => None,
    };
    super::dates::valid(y, m, d).map(|date| date.year)
}

/// The civil year of a day count since 1970-01-01 (proleptic Gregorian; H. Hinnant's
/// days-from-civil inverse, in its published form).
pub(crate) fn year_of_days(z: i64) -> i32 {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + if m <= 2 { 1 } else { 0 }) as i32
}

/// The year of a Unix time in seconds (9-10 digits) or milliseconds (12-13 digits), when it falls
/// in 1973-2096 (smaller or larger numbers are more likely something else).
pub(crate) fn epoch_year(v: &str) -> Option<i32> {
    if !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = v.parse().ok()?;
    let secs = match v.len() {
        9 | 10 => n,
        12 | 13 => n / 1000,
        _ => return None,
    };
    let y = year_of_days(secs.div_euclid(86_400));
    (1973..=2096).contains(&y).then_some(y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Vec<u8> {
        digits(s)
    }

    #[test]
    fn luhn_and_cards() {
        // The classic test numbers of the card networks.
        assert!(card(&d("4111 1111 1111 1111")));
        assert!(card(&d("5500-0000-0000-0004")));
        assert!(card(&d("340000000000009")));
        assert!(card(&d("6011000000000004")));
        assert!(!card(&d("4111111111111112")));
        // Diners (14 digits), JCB, Maestro.
        assert!(card(&d("30569309025904")));
        assert!(card(&d("3530111333300000")));
        assert!(card(&d("6759649826438453")));
        // Luhn-valid but the petroleum industry identifier 7.
        assert!(luhn(&d("79927398713")));
        assert!(!card(&d("7992739871300")));
        // IMEI example from 3GPP TS 23.003 Annex B: 49015420323751 + check digit 8.
        assert!(luhn(&d("490154203237518")));
        assert!(!luhn(&d("490154203237517")));
    }

    #[test]
    fn ssn_rules() {
        assert!(ssn(&d("123-45-6789")));
        assert!(ssn(&d("899-99-9999")));
        for bad in [
            "000-12-3456",
            "666-12-3456",
            "900-12-3456",
            "123-00-4567",
            "123-45-0000",
        ] {
            assert!(!ssn(&d(bad)), "{bad}");
        }
    }

    #[test]
    fn npi_check_digit() {
        // CMS's worked example: 123456789 -> check digit 3.
        assert!(npi(&d("1234567893")));
        assert!(!npi(&d("1234567890")));
    }

    #[test]
    fn vin_iban_dea() {
        // 49 CFR 565 worked example style VIN (check digit X) and a common valid VIN.
        assert!(vin("1M8GDM9AXKP042788"));
        assert!(!vin("11111111111111111"));
        assert!(!vin("1M8GDM9A1KP042788"));
        // ISO 13616 example IBANs.
        assert!(iban("GB82 WEST 1234 5698 7654 32"));
        assert!(iban("DE89370400440532013000"));
        assert!(!iban("GB82WEST12345698765433"));
        // DEA: AB1234563 -> (1+3+5) + 2 (2+4+6) = 33, ends in 3.
        assert!(dea("AB1234563"));
        assert!(!dea("AB1234564"));
    }

    #[test]
    fn phones() {
        assert!(nanp(&d("(212) 555-0123")));
        assert!(nanp(&d("+1 415 555 2671")));
        assert!(!nanp(&d("(112) 555-0123")));
        assert!(!nanp(&d("212-155-0123")));
        assert!(!nanp(&d("411-555-0123")));
        assert!(e164("+44 20 7946 0958"));
        assert!(e164("+14155552671"));
        assert!(!e164("+1 055 555 2671"));
        assert!(!e164("+0123456789"));
        assert!(!e164("+12345"));
        assert!(phone("(212) 555-0123 x45"));
        assert!(phone("212.555.0123"));
        assert!(phone("+49 30 12345678"));
        assert!(!phone("2125550123"));
        assert!(!phone("(112) 555-0123"));
        assert!(phone("001-238-562-3364x7137"));
        assert!(phone("0044 20 7946 0958"));
    }

    #[test]
    fn epoch_and_days() {
        assert_eq!(year_of_days(0), 1970);
        assert_eq!(year_of_days(-1), 1969);
        assert_eq!(year_of_days(18_262), 2020); // 2020-01-01
        assert_eq!(year_of_days(18_261), 2019);
        assert_eq!(epoch_year("1577836800"), Some(2020));
        assert_eq!(epoch_year("1577836800000"), Some(2020));
        assert_eq!(epoch_year("12345"), None);
    }

    #[test]
    fn dates_validate_the_calendar() {
        let re = regex::bytes::Regex::new(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$").unwrap();
        let year = |s: &str| {
            re.captures(s.as_bytes())
                .and_then(|c| captured_date(&c, 2025))
        };
        assert_eq!(year("2020-02-29"), Some(2020));
        assert_eq!(year("2019-02-29"), None);
        assert_eq!(year("1900-02-29"), None);
        assert_eq!(year("2000-02-29"), Some(2000));
        assert_eq!(year("2019-13-01"), None);
        assert_eq!(year("2019-04-31"), None);
        let short =
            regex::bytes::Regex::new(r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<yy>\d{2})$").unwrap();
        let c = short.captures(b"3/4/19").unwrap();
        assert_eq!(captured_date(&c, 2025), Some(2019));
        let c = short.captures(b"3/4/47").unwrap();
        assert_eq!(captured_date(&c, 2025), Some(1947));
    }
}
