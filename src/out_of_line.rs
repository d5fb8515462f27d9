//! Fields most values lack, kept out of line: whole-Hub graphs hold millions of records inline,
//! and a field that is empty on nearly all of them should cost one pointer, not its full size.

/// A group of fields most values leave empty, with its empty value as a constant (what an
/// absent [`OutOfLine`] reads as).
pub trait Rare: Default + PartialEq + 'static {
    /// The value with every field empty.
    const EMPTY: &'static Self;
}

/// A [`Rare`] group behind one pointer: nothing is allocated while every field is empty, and
/// an update that empties it frees the box.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutOfLine<T>(Option<Box<T>>);

impl<T: Rare> OutOfLine<T> {
    /// The fields (all empty when none is set).
    pub fn get(&self) -> &T {
        self.0.as_deref().unwrap_or(T::EMPTY)
    }

    /// Sets the fields; an empty group takes no room.
    pub fn set(&mut self, value: T) {
        self.0 = (value != *T::EMPTY).then(|| Box::new(value));
    }

    /// Changes some fields.
    pub fn update(&mut self, change: impl FnOnce(&mut T)) {
        let mut value = self.take();
        change(&mut value);
        self.set(value);
    }

    /// Takes the fields out, leaving the group empty.
    pub fn take(&mut self) -> T {
        self.0.take().map(|b| *b).unwrap_or_default()
    }

    /// Whether any field is set.
    pub fn is_set(&self) -> bool {
        self.0.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq)]
    struct Few {
        note: Option<String>,
    }

    impl Rare for Few {
        const EMPTY: &'static Few = &Few { note: None };
    }

    #[test]
    fn only_a_group_with_something_in_it_is_allocated() {
        let mut o: OutOfLine<Few> = OutOfLine::default();
        assert_eq!((o.get(), o.is_set()), (&Few::default(), false));
        o.update(|f| f.note = Some("x".into()));
        assert_eq!((o.get().note.as_deref(), o.is_set()), (Some("x"), true));
        o.update(|f| f.note = None);
        assert!(!o.is_set(), "emptied by an update: the box is freed");
        o.set(Few::default());
        assert!(!o.is_set());
        o.set(Few {
            note: Some("y".into()),
        });
        assert_eq!(o.take().note.as_deref(), Some("y"));
        assert!(!o.is_set());
    }
}
