//! Reading Arrow columns whatever their physical type: strings of any kind, numbers and
//! timestamps as text, lists of strings of any list type.

use arrow_array::{Array, ArrayRef, ListArray, StringArray};
use arrow_schema::DataType;

use crate::record::Timestamp;

/// The values of a string-like column as `Option<String>`s (any Arrow string type, numbers and
/// timestamps cast to text).
pub(super) fn strings(col: &ArrayRef) -> Vec<Option<String>> {
    let cast = match col.data_type() {
        DataType::Utf8 => col.clone(),
        DataType::Timestamp(_, _) => {
            // RFC 3339 in UTC, whatever the unit.
            let micros = arrow_cast::cast(
                col,
                &DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, None),
            )
            .ok();
            return match micros {
                Some(m) => {
                    let a = m
                        .as_any()
                        .downcast_ref::<arrow_array::TimestampMicrosecondArray>()
                        .map(|a| {
                            (0..a.len())
                                .map(|i| {
                                    (!a.is_null(i))
                                        .then(|| Timestamp::from_micros(a.value(i)).to_rfc3339())
                                })
                                .collect()
                        });
                    a.unwrap_or_else(|| vec![None; col.len()])
                }
                None => vec![None; col.len()],
            };
        }
        _ => match arrow_cast::cast(col, &DataType::Utf8) {
            Ok(c) => c,
            Err(_) => return vec![None; col.len()],
        },
    };
    match cast.as_any().downcast_ref::<StringArray>() {
        Some(a) => (0..a.len())
            .map(|i| (!a.is_null(i)).then(|| a.value(i).to_string()))
            .collect(),
        None => vec![None; col.len()],
    }
}

/// The values of a list-of-strings column (any list and string type).
pub(super) fn string_lists(col: &ArrayRef) -> Vec<Vec<String>> {
    let list = match col.data_type() {
        DataType::List(_) => col.clone(),
        DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            match arrow_cast::cast(col, &DataType::List(f.clone())) {
                Ok(c) => c,
                Err(_) => return vec![vec![]; col.len()],
            }
        }
        _ => {
            return strings(col)
                .into_iter()
                .map(|s| s.into_iter().collect())
                .collect()
        }
    };
    let Some(l) = list.as_any().downcast_ref::<ListArray>() else {
        return vec![vec![]; col.len()];
    };
    (0..l.len())
        .map(|i| {
            if l.is_null(i) {
                return vec![];
            }
            strings(&l.value(i)).into_iter().flatten().collect()
        })
        .collect()
}
