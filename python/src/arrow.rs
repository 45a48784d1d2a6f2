//! Data in: any object that exports an Arrow C stream (`__arrow_c_stream__`, the Arrow PyCapsule
//! interface: pyarrow tables and readers, polars data frames, DuckDB relations, ...), imported
//! with arrow-array's own C stream reader. The batches keep the producer's buffers (no copy of
//! the columns; a dictionary stays a dictionary); the producer frees them when the last batch
//! is dropped.

use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::RecordBatchReader;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods};

use reident::input::arrow::ArrowTable;

use crate::error::{invalid, to_py};

/// Whether `obj` exports an Arrow C stream.
pub fn is_arrow(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    obj.hasattr("__arrow_c_stream__")
}

/// Reads the whole stream of `obj` (its batches, not copies of them).
pub fn import(obj: &Bound<'_, PyAny>) -> PyResult<ArrowTable> {
    let capsule = obj.call_method1("__arrow_c_stream__", (obj.py().None(),))?;
    let capsule = capsule.cast::<PyCapsule>().map_err(|_| {
        invalid("__arrow_c_stream__ did not return a PyCapsule (the Arrow PyCapsule interface)")
    })?;
    let ptr = capsule.pointer_checked(Some(c"arrow_array_stream"))?;
    // SAFETY: a capsule named "arrow_array_stream" holds an FFI_ArrowArrayStream (the Arrow
    // PyCapsule interface). `from_raw` moves the stream out and leaves a released one in the
    // capsule, so the capsule's destructor does not release it a second time.
    let reader =
        unsafe { RecordBatchStreamReader::from_raw(ptr.as_ptr() as *mut FFI_ArrowArrayStream) }
            .map_err(|e| invalid(format!("<arrow stream>: cannot import it: {e}")))?;
    let schema = reader.schema();
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(format!("<arrow stream>: reading a batch: {e}")))?;
    ArrowTable::new(schema, batches).map_err(to_py)
}
