//! Arrow arrays to chunk-local dictionary codes, and the canonical text of every value.
//!
//! reident identifies a value by its *canonical text*: the text a CSV file would hold. That makes an
//! integer column read from Parquet and the same column read from CSV group identically, and lets a
//! string-valued hierarchy (ARX format) apply to any column type. Formatting every row would be slow,
//! so each array is first dictionary-encoded on its native values (or its own Parquet dictionary is
//! reused) and only the distinct values are formatted.
//!
//! Canonical text:
//! * strings and binary values as their text when they are valid UTF-8, except two kinds of
//!   values that would otherwise share a text with another value: the empty string (an empty CSV
//!   field is null) and a value that starts with `hex:`; those, and every value that is not valid
//!   UTF-8, are written `hex:` followed by their bytes in lowercase hexadecimal (`hex:` for the
//!   empty string, `hex:ff00` for the bytes FF 00, `hex:6865783a` for the string `hex:`). A CSV
//!   field or hierarchy cell that starts with `hex:` but is not such a text stands for itself
//!   (`canonical_text`). Distinct values therefore have distinct texts (`bytes_text` is
//!   injective, `text_bytes` its inverse), with one exception by design: the string `NULL` is
//!   the missing value, in Parquet as in CSV. The writers turn such a text back into the value;
//! * integers in plain decimal; decimals with their scale (`12.50`);
//! * floats in the shortest decimal that reads back to the same number, without exponent, and
//!   without a trailing `.0` (`2.5`, `3`);
//! * booleans `true` / `false`;
//! * dates `YYYY-MM-DD`; timestamps `YYYY-MM-DD HH:MM:SS`, then `.` and the fraction of a second with
//!   trailing zeros removed when it is not zero; a timestamp with a time zone is written as the
//!   instant in UTC followed by `Z`; a Date64 that is not at midnight is written as a timestamp;
//! * null as `NULL_TEXT`. A CSV field that is empty or holds `NULL` is the same value: a CSV
//!   file holds canonical texts, read as they are (by design, CSV has one missing value).

use std::hash::Hash;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrowPrimitiveType, PrimitiveArray};
use arrow_schema::{DataType, TimeUnit};
use hashbrown::HashMap;

/// The canonical text of a missing value.
pub(crate) const NULL_TEXT: &str = "NULL";

/// The prefix of the canonical text of a string or binary value written as hexadecimal.
pub(crate) const HEX_PREFIX: &str = "hex:";

/// The canonical text of a string or binary value: the text itself when it is valid UTF-8,
/// not empty and not starting with `hex:`; otherwise `hex:` and the bytes in lowercase hex.
pub(crate) fn bytes_text(v: &[u8]) -> String {
    match std::str::from_utf8(v) {
        Ok(s) if plain(s) => s.to_string(),
        _ => {
            let mut t = String::with_capacity(HEX_PREFIX.len() + 2 * v.len());
            t.push_str(HEX_PREFIX);
            for b in v {
                t.push(char::from_digit((b >> 4) as u32, 16).unwrap_or('0'));
                t.push(char::from_digit((b & 15) as u32, 16).unwrap_or('0'));
            }
            t
        }
    }
}

/// Whether a string is its own canonical text: not empty (an empty CSV field is null) and not
/// starting with `hex:`. (The string `NULL` is its own text: the missing value, by design.)
fn plain(s: &str) -> bool {
    !s.is_empty() && !s.starts_with(HEX_PREFIX)
}

/// The bytes a `hex:` text stands for, when it is the canonical text [`bytes_text`] writes for
/// them (lowercase digits, and bytes that could not be written as they are).
fn hex_value(t: &str) -> Option<Vec<u8>> {
    let h = t.strip_prefix(HEX_PREFIX)?.as_bytes();
    if h.len() % 2 != 0 {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let bytes = h
        .chunks(2)
        .map(|p| Some((digit(p[0])? << 4) | digit(p[1])?))
        .collect::<Option<Vec<u8>>>()?;
    let plain = matches!(std::str::from_utf8(&bytes), Ok(s) if plain(s));
    (!plain).then_some(bytes)
}

/// The value of a canonical text, for writers: the bytes of a `hex:` text that [`bytes_text`]
/// writes, else the text's own bytes. On canonical texts it is the inverse of [`bytes_text`].
pub(crate) fn text_bytes(t: &str) -> std::borrow::Cow<'_, [u8]> {
    match hex_value(t) {
        Some(bytes) => std::borrow::Cow::Owned(bytes),
        None => std::borrow::Cow::Borrowed(t.as_bytes()),
    }
}

/// The canonical text of a text read as it is written (a CSV field, a hierarchy cell): the text
/// itself, unless it starts with `hex:` without being the canonical text of some bytes, in which
/// case it is the text of the string it is (`hex:41` is `hex:6865783a3431`, as the same string
/// read from Parquet). A text and the value it stands for therefore always correspond one to one,
/// and a written file reads back as the same texts.
pub(crate) fn canonical_text(t: &str) -> std::borrow::Cow<'_, str> {
    if t.starts_with(HEX_PREFIX) && hex_value(t).is_none() {
        std::borrow::Cow::Owned(bytes_text(t.as_bytes()))
    } else {
        std::borrow::Cow::Borrowed(t)
    }
}

/// One column of one chunk: a chunk-local dictionary and one code per row.
///
/// The dictionary need not be free of duplicates (a Parquet dictionary may hold a value that is also
/// the text of null); the merge into the class table interns by text, so duplicates only cost a
/// little work.
#[derive(Debug, Clone, Default)]
pub struct LocalColumn {
    pub dict: Vec<String>,
    pub codes: Vec<u32>,
}

impl LocalColumn {
    /// Appends the rows of `other` (the next batch of the same column). Batches of one Parquet
    /// row group usually share its dictionary, so the common case only copies codes.
    pub(crate) fn append(&mut self, other: LocalColumn) {
        if self.dict == other.dict {
            self.codes.extend_from_slice(&other.codes);
            return;
        }
        let mut index: HashMap<&str, u32> = HashMap::with_capacity(self.dict.len());
        for (c, v) in self.dict.iter().enumerate() {
            index.entry(v.as_str()).or_insert(c as u32);
        }
        let mut added: Vec<String> = Vec::new();
        let remap: Vec<u32> = other
            .dict
            .iter()
            .map(|v| match index.get(v.as_str()) {
                Some(&c) => c,
                None => {
                    let c = (self.dict.len() + added.len()) as u32;
                    index.insert(v.as_str(), c);
                    added.push(v.clone());
                    c
                }
            })
            .collect();
        drop(index);
        self.codes
            .extend(other.codes.iter().map(|&c| remap[c as usize]));
        self.dict.extend(added);
    }
}

/// Encodes one Arrow array. The error is the name of an unsupported type.
pub(crate) fn encode_array(array: &dyn Array) -> Result<LocalColumn, String> {
    let dt = array.data_type();
    Ok(match dt {
        DataType::Null => LocalColumn {
            dict: vec![NULL_TEXT.to_string()],
            codes: vec![0; array.len()],
        },
        DataType::Dictionary(_, _) => {
            let dict = array.as_any_dictionary();
            if dict.values().is_empty() {
                // A chunk whose values are all null has an empty dictionary: every key is null.
                return encode_array(&arrow_array::NullArray::new(array.len()));
            }
            let values = encode_array(dict.values().as_ref())?;
            let mut out = values.dict;
            let null_code = out.len() as u32;
            let has_nulls = dict.keys().null_count() > 0;
            if has_nulls {
                out.push(NULL_TEXT.to_string());
            }
            let vcodes = &values.codes;
            let last = vcodes.len() - 1;
            // Int32 keys (what the Parquet reader produces) without the usize detour.
            let codes: Vec<u32> = match dict.keys().as_primitive_opt::<Int32Type>() {
                Some(keys) => keys
                    .values()
                    .iter()
                    .map(|&k| vcodes[(k.max(0) as usize).min(last)])
                    .collect(),
                None => dict
                    .normalized_keys()
                    .into_iter()
                    .map(|k| vcodes[k])
                    .collect(),
            };
            let mut codes = codes;
            if has_nulls {
                if let Some(nulls) = dict.keys().logical_nulls() {
                    for i in nulls.iter().enumerate().filter(|(_, v)| !v).map(|(i, _)| i) {
                        codes[i] = null_code;
                    }
                }
            }
            LocalColumn { dict: out, codes }
        }
        // Each array is downcast once, not once per row (plain strings are the hot loop of an
        // in-memory table).
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            intern_str(array, |i| a.value(i))
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            intern_str(array, |i| a.value(i))
        }
        DataType::Utf8View => {
            let a = array.as_string_view();
            intern_str(array, |i| a.value(i))
        }
        DataType::Binary => {
            let a = array.as_binary::<i32>();
            intern_bytes(array, |i| a.value(i))
        }
        DataType::LargeBinary => {
            let a = array.as_binary::<i64>();
            intern_bytes(array, |i| a.value(i))
        }
        DataType::BinaryView => intern_bytes(array, |i| array.as_binary_view().value(i)),
        DataType::FixedSizeBinary(_) => {
            intern_bytes(array, |i| array.as_fixed_size_binary().value(i))
        }
        DataType::Boolean => {
            let a = array.as_boolean();
            intern(array, |i| a.value(i), |b| b.to_string())
        }
        DataType::Int8 => ints::<Int8Type>(array),
        DataType::Int16 => ints::<Int16Type>(array),
        DataType::Int32 => ints::<Int32Type>(array),
        DataType::Int64 => ints::<Int64Type>(array),
        DataType::UInt8 => ints::<UInt8Type>(array),
        DataType::UInt16 => ints::<UInt16Type>(array),
        DataType::UInt32 => ints::<UInt32Type>(array),
        DataType::UInt64 => {
            let a = array.as_primitive::<UInt64Type>();
            intern(array, |i| a.value(i), |v| v.to_string())
        }
        DataType::Float16 => {
            let a = array.as_primitive::<Float16Type>();
            intern(
                array,
                |i| a.value(i).to_bits(),
                |b| format_float(half_to_f64(b)),
            )
        }
        DataType::Float32 => {
            let a = array.as_primitive::<Float32Type>();
            intern(
                array,
                |i| a.value(i).to_bits(),
                |b| {
                    let v = f32::from_bits(b);
                    if v.is_finite() {
                        format!("{v}")
                    } else {
                        format_float(v as f64)
                    }
                },
            )
        }
        DataType::Float64 => {
            let a = array.as_primitive::<Float64Type>();
            intern(
                array,
                |i| a.value(i).to_bits(),
                |b| format_float(f64::from_bits(b)),
            )
        }
        DataType::Decimal128(_, scale) => {
            let a = array.as_primitive::<Decimal128Type>();
            let scale = *scale;
            intern(array, |i| a.value(i), move |v| format_decimal(v, scale))
        }
        DataType::Date32 => {
            let a = array.as_primitive::<Date32Type>();
            intern(array, |i| a.value(i), |d| format_date(d as i64))
        }
        DataType::Date64 => {
            let a = array.as_primitive::<Date64Type>();
            intern(
                array,
                |i| a.value(i),
                |ms| {
                    if ms.rem_euclid(86_400_000) == 0 {
                        format_date(ms.div_euclid(86_400_000))
                    } else {
                        format_timestamp(ms as i128 * 1_000_000, false)
                    }
                },
            )
        }
        DataType::Timestamp(unit, tz) => {
            let per_unit: i128 = match unit {
                TimeUnit::Second => 1_000_000_000,
                TimeUnit::Millisecond => 1_000_000,
                TimeUnit::Microsecond => 1_000,
                TimeUnit::Nanosecond => 1,
            };
            let utc = tz.is_some();
            let fmt = move |v: i64| format_timestamp(v as i128 * per_unit, utc);
            match unit {
                TimeUnit::Second => ts::<TimestampSecondType>(array, fmt),
                TimeUnit::Millisecond => ts::<TimestampMillisecondType>(array, fmt),
                TimeUnit::Microsecond => ts::<TimestampMicrosecondType>(array, fmt),
                TimeUnit::Nanosecond => ts::<TimestampNanosecondType>(array, fmt),
            }
        }
        other => return Err(other.to_string()),
    })
}

fn ts<T>(array: &dyn Array, fmt: impl Fn(i64) -> String) -> LocalColumn
where
    T: ArrowPrimitiveType<Native = i64>,
{
    let a = array.as_primitive::<T>();
    intern(array, |i| a.value(i), fmt)
}

/// Integer columns: a direct lookup table when the values span a small range (ages, years, small
/// codes: the common case), a hash map otherwise.
fn ints<T>(array: &dyn Array) -> LocalColumn
where
    T: ArrowPrimitiveType,
    T::Native: Into<i64>,
{
    let a: &PrimitiveArray<T> = array.as_primitive::<T>();
    let nulls = array.logical_nulls();
    let valid = |i: usize| nulls.as_ref().is_none_or(|n| n.is_valid(i));
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for i in 0..a.len() {
        if valid(i) {
            let v: i64 = a.value(i).into();
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    let span = (hi as i128) - (lo as i128) + 1;
    if lo > hi || span > (1 << 16) {
        return intern(array, |i| a.value(i).into(), |v: i64| v.to_string());
    }
    let mut table = vec![u32::MAX; span as usize];
    let mut dict = Vec::new();
    let mut null_code = u32::MAX;
    let codes = (0..a.len())
        .map(|i| {
            if !valid(i) {
                if null_code == u32::MAX {
                    null_code = dict.len() as u32;
                    dict.push(NULL_TEXT.to_string());
                }
                return null_code;
            }
            let v: i64 = a.value(i).into();
            let slot = &mut table[(v - lo) as usize];
            if *slot == u32::MAX {
                *slot = dict.len() as u32;
                dict.push(v.to_string());
            }
            *slot
        })
        .collect();
    LocalColumn { dict, codes }
}

/// Generic dictionary encoding on a native key; only distinct keys are formatted.
fn intern<K: Hash + Eq + Copy>(
    array: &dyn Array,
    key: impl Fn(usize) -> K,
    fmt: impl Fn(K) -> String,
) -> LocalColumn {
    let nulls = array.logical_nulls();
    let mut map: HashMap<K, u32> = HashMap::new();
    let mut dict = Vec::new();
    let mut null_code = u32::MAX;
    let codes = (0..array.len())
        .map(|i| {
            if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                if null_code == u32::MAX {
                    null_code = dict.len() as u32;
                    dict.push(NULL_TEXT.to_string());
                }
                return null_code;
            }
            let k = key(i);
            *map.entry(k).or_insert_with(|| {
                dict.push(fmt(k));
                (dict.len() - 1) as u32
            })
        })
        .collect();
    LocalColumn { dict, codes }
}

fn intern_str<'a>(array: &'a dyn Array, value: impl Fn(usize) -> &'a str) -> LocalColumn {
    intern_slices(array, |i| value(i).as_bytes())
}

fn intern_bytes<'a>(array: &'a dyn Array, value: impl Fn(usize) -> &'a [u8]) -> LocalColumn {
    intern_slices(array, value)
}

fn intern_slices<'a>(array: &'a dyn Array, value: impl Fn(usize) -> &'a [u8]) -> LocalColumn {
    intern(array, value, bytes_text)
}

/// Shortest round-trip decimal, no exponent, no trailing `.0` (Rust's `Display` for floats).
pub(crate) fn format_float(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        format!("{v}")
    }
}

fn half_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = ((bits >> 10) & 0x1f) as i32;
    let frac = (bits & 0x3ff) as f64;
    sign * match exp {
        0 => frac * 2f64.powi(-24),
        31 if frac == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        e => (1.0 + frac / 1024.0) * 2f64.powi(e - 15),
    }
}

fn format_decimal(v: i128, scale: i8) -> String {
    if scale <= 0 {
        let mut s = v.to_string();
        s.extend(std::iter::repeat_n('0', (-scale) as usize));
        return s;
    }
    let scale = scale as u32;
    let neg = v < 0;
    let digits = v.unsigned_abs().to_string();
    let digits = format!("{digits:0>width$}", width = scale as usize + 1);
    let (int, frac) = digits.split_at(digits.len() - scale as usize);
    format!("{}{int}.{frac}", if neg { "-" } else { "" })
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day), after Howard Hinnant's
/// public-domain `civil_from_days` derivation.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub(crate) fn format_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Nanoseconds since the epoch to `YYYY-MM-DD HH:MM:SS[.fraction][Z]`.
pub(crate) fn format_timestamp(nanos: i128, utc: bool) -> String {
    const DAY: i128 = 86_400 * 1_000_000_000;
    let days = nanos.div_euclid(DAY) as i64;
    let in_day = nanos.rem_euclid(DAY);
    let secs = (in_day / 1_000_000_000) as u32;
    let frac = (in_day % 1_000_000_000) as u32;
    let mut s = format!(
        "{} {:02}:{:02}:{:02}",
        format_date(days),
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if frac != 0 {
        let f = format!("{frac:09}");
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    if utc {
        s.push('Z');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_match_known_calendar_days() {
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(-1), "1969-12-31");
        assert_eq!(format_date(11_016), "2000-02-29");
        assert_eq!(format_date(19_723), "2024-01-01");
        assert_eq!(format_date(-719_162), "0001-01-01");
    }

    #[test]
    fn timestamps_trim_fraction_and_mark_utc() {
        assert_eq!(format_timestamp(0, false), "1970-01-01 00:00:00");
        assert_eq!(
            format_timestamp(1_614_834_367_250_000_000, true),
            "2021-03-04 05:06:07.25Z"
        );
        assert_eq!(format_timestamp(-1, false), "1969-12-31 23:59:59.999999999");
    }

    #[test]
    fn byte_values_have_injective_texts() {
        let values: [&[u8]; 8] = [
            b"abc",
            b"",
            b"NULL",
            b"hex:4e554c4c",
            b"\xff\x00",
            b"hex:",
            "é".as_bytes(),
            b"\xc3",
        ];
        let texts: Vec<String> = values.iter().map(|v| bytes_text(v)).collect();
        assert_eq!(texts[0], "abc");
        assert_eq!(texts[1], "hex:");
        // The string NULL is the missing value, by design (as in CSV).
        assert_eq!(texts[2], NULL_TEXT);
        assert_eq!(texts[3], "hex:6865783a3465353534633463");
        assert_eq!(texts[4], "hex:ff00");
        assert_eq!(texts[6], "é");
        let distinct: std::collections::HashSet<&String> = texts.iter().collect();
        assert_eq!(distinct.len(), values.len());
        for (v, t) in values.iter().zip(&texts) {
            assert_eq!(&*text_bytes(t), *v, "{t}");
        }
        // Texts no value has are read as themselves.
        assert_eq!(&*text_bytes("hex:zz"), b"hex:zz");
        assert_eq!(&*text_bytes("hex:FF"), b"hex:FF");
        // `hex:41` is not the text of the string `A` (which is `A`): it is the string `hex:41`.
        assert_eq!(&*text_bytes("hex:41"), b"hex:41");
        assert_eq!(canonical_text("hex:41"), "hex:6865783a3431");
        assert_eq!(canonical_text("hex:FF"), bytes_text(b"hex:FF"));
        for t in &texts {
            assert_eq!(canonical_text(t), t.as_str());
            assert_eq!(bytes_text(&text_bytes(t)), *t);
        }
        assert_eq!(canonical_text("NULL"), "NULL");
    }

    #[test]
    fn numbers_have_one_text() {
        assert_eq!(format_float(3.0), "3");
        assert_eq!(format_float(2.5), "2.5");
        assert_eq!(format_float(0.1), "0.1");
        assert_eq!(format_decimal(-1250, 2), "-12.50");
        assert_eq!(format_decimal(5, 3), "0.005");
        assert_eq!(format_decimal(7, -2), "700");
        assert_eq!(half_to_f64(0x3c00), 1.0);
    }
}
