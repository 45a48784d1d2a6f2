//! Checked reading of the count and sum columns of a class file.

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::Array;
use arrow_schema::DataType;

use super::WEIGHT_COLUMN;

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

/// The values of an integer column, each at least 1. The error names what is wrong.
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
    match v.iter().find(|&&x| x < 1) {
        Some(x) => Err(format!("{what} is {x}; counts must be positive integers")),
        None => Ok(v.into_iter().map(|x| x as u64).collect()),
    }
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
