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

/// What a column the tool reads must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Expect {
    /// Text (any string type).
    Text,
    /// A moment: a timestamp, a date, or text in RFC 3339.
    Moment,
    /// A count: an integer.
    Count,
    /// A list of strings (or one string).
    Texts,
}

impl Expect {
    /// How messages name it.
    pub(super) fn name(self) -> &'static str {
        match self {
            Expect::Text => "text",
            Expect::Moment => "a timestamp or text",
            Expect::Count => "an integer",
            Expect::Texts => "a list of text",
        }
    }

    /// Whether a column of type `t` holds what is expected (an all-null column always does).
    pub(super) fn accepts(self, t: &DataType) -> bool {
        let text = |t: &DataType| match t {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => true,
            DataType::Dictionary(_, v) => matches!(**v, DataType::Utf8 | DataType::LargeUtf8),
            _ => false,
        };
        match self {
            Expect::Text => text(t),
            Expect::Moment => {
                text(t)
                    || matches!(
                        t,
                        DataType::Timestamp(_, _) | DataType::Date32 | DataType::Date64
                    )
            }
            Expect::Count => t.is_integer() || matches!(t, DataType::Null),
            Expect::Texts => match t {
                DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
                    text(f.data_type())
                }
                other => text(other),
            },
        }
    }
}

/// The columns the tool reads, by every name a dump spells them, and what each must hold.
pub(super) const EXPECTED: [(&str, Expect); 22] = [
    ("modelId", Expect::Text),
    ("datasetId", Expect::Text),
    ("id", Expect::Text),
    ("author", Expect::Text),
    ("card", Expect::Text),
    ("kind", Expect::Text),
    ("status", Expect::Text),
    ("sha", Expect::Text),
    ("gated", Expect::Text),
    ("library_name", Expect::Text),
    ("pipeline_tag", Expect::Text),
    ("last_modified", Expect::Moment),
    ("lastModified", Expect::Moment),
    ("createdAt", Expect::Moment),
    ("created", Expect::Moment),
    ("downloads", Expect::Count),
    ("likes", Expect::Count),
    ("tags", Expect::Texts),
    ("siblings", Expect::Texts),
    ("spaces", Expect::Texts),
    ("models", Expect::Texts),
    ("datasets", Expect::Texts),
];
