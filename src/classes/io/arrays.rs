//! Checked reading of a class file's columns: the type of a signature, counts and sums.

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::Array;
use arrow_schema::DataType;

use super::{FORMAT_VERSION, RESERVED_PREFIX, ROWS_FIELD, SIGNATURE_COLUMN, WEIGHT_COLUMN};

pub(super) fn is_integer(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
    )
}

/// The values of an integer column, each at least 1 and at most 2^53. The error names what is
/// wrong.
pub(super) fn positive_integers(
    array: &dyn Array,
    what: &str,
) -> std::result::Result<Vec<u64>, String> {
    if array.null_count() > 0 {
        return Err(format!("{what} is missing (null)"));
    }
    fn conv<T: ArrowPrimitiveType>(a: &dyn Array, f: impl Fn(T::Native) -> i128) -> Vec<i128> {
        a.as_primitive::<T>()
            .values()
            .iter()
            .map(|&v| f(v))
            .collect()
    }
    let v: Vec<i128> = match array.data_type() {
        DataType::Int8 => conv::<Int8Type>(array, |x| x as i128),
        DataType::Int16 => conv::<Int16Type>(array, |x| x as i128),
        DataType::Int32 => conv::<Int32Type>(array, |x| x as i128),
        DataType::Int64 => conv::<Int64Type>(array, |x| x as i128),
        DataType::UInt8 => conv::<UInt8Type>(array, |x| x as i128),
        DataType::UInt16 => conv::<UInt16Type>(array, |x| x as i128),
        DataType::UInt32 => conv::<UInt32Type>(array, |x| x as i128),
        DataType::UInt64 => conv::<UInt64Type>(array, |x| x as i128),
        other => return Err(format!("{what} has type {other}, not an integer type")),
    };
    if let Some(x) = v.iter().find(|&&x| x < 1) {
        return Err(format!("{what} is {x}; counts must be positive integers"));
    }
    if let Some(x) = v.iter().find(|&&x| x > super::MAX_COUNT as i128) {
        return Err(format!(
            "{what} is {x}; counts must be at most 2^53 (no table holds more records)"
        ));
    }
    Ok(v.into_iter().map(|x| x as u64).collect())
}

/// The values of the weight-sum column: finite, non-negative numbers.
pub(super) fn weight_sums(array: &dyn Array) -> std::result::Result<Vec<f64>, String> {
    let what = format!("a class's {WEIGHT_COLUMN}");
    if array.null_count() > 0 {
        return Err(format!(
            "{what} is missing (null): a weight in the class was missing or negative"
        ));
    }
    let v: Vec<f64> = match array.data_type() {
        DataType::Float64 => array.as_primitive::<Float64Type>().values().to_vec(),
        DataType::Float32 => array
            .as_primitive::<Float32Type>()
            .values()
            .iter()
            .map(|&x| x as f64)
            .collect(),
        _ => {
            let ints = arrow_integers_as_f64(array)
                .ok_or_else(|| format!("{what} has type {}", array.data_type()))?;
            ints
        }
    };
    match v.iter().find(|x| !(x.is_finite() && **x >= 0.0)) {
        Some(x) => Err(format!("{what} is {x}, not a non-negative number")),
        None => Ok(v),
    }
}

fn arrow_integers_as_f64(array: &dyn Array) -> Option<Vec<f64>> {
    fn conv<T: ArrowPrimitiveType>(a: &dyn Array, f: impl Fn(T::Native) -> f64) -> Vec<f64> {
        a.as_primitive::<T>()
            .values()
            .iter()
            .map(|&v| f(v))
            .collect()
    }
    Some(match array.data_type() {
        DataType::Int8 => conv::<Int8Type>(array, |x| x as f64),
        DataType::Int16 => conv::<Int16Type>(array, |x| x as f64),
        DataType::Int32 => conv::<Int32Type>(array, |x| x as f64),
        DataType::Int64 => conv::<Int64Type>(array, |x| x as f64),
        DataType::UInt8 => conv::<UInt8Type>(array, |x| x as f64),
        DataType::UInt16 => conv::<UInt16Type>(array, |x| x as f64),
        DataType::UInt32 => conv::<UInt32Type>(array, |x| x as f64),
        DataType::UInt64 => conv::<UInt64Type>(array, |x| x as f64),
        _ => return None,
    })
}

/// The QI fields of a signature column's type, `LIST<STRUCT<qi_1, ..., qi_m, __reident_rows>>`.
pub(super) fn signature_fields(t: &DataType) -> std::result::Result<Vec<String>, String> {
    let shape_error = || {
        format!(
            "column {SIGNATURE_COLUMN} has type {t}; a signature must be LIST<STRUCT<qi_1, ..., qi_m, {ROWS_FIELD}>> with an integer {ROWS_FIELD}"
        )
    };
    let (DataType::List(item) | DataType::LargeList(item)) = t else {
        return Err(shape_error());
    };
    let DataType::Struct(fields) = item.data_type() else {
        return Err(shape_error());
    };
    if !fields
        .find(ROWS_FIELD)
        .is_some_and(|(_, f)| is_integer(f.data_type()))
    {
        return Err(shape_error());
    }
    let mut out = Vec::new();
    for f in fields.iter().filter(|f| f.name() != ROWS_FIELD) {
        if f.name().starts_with(RESERVED_PREFIX) {
            return Err(format!(
                "field {:?} of {SIGNATURE_COLUMN} uses the reserved prefix {RESERVED_PREFIX} but is not part of class-table format {FORMAT_VERSION} (written by a newer reident?)",
                f.name()
            ));
        }
        out.push(f.name().clone());
    }
    if out.is_empty() {
        return Err(format!(
            "column {SIGNATURE_COLUMN} has no quasi-identifier field (its elements hold the QI values and {ROWS_FIELD})"
        ));
    }
    Ok(out)
}
