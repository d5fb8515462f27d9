//! The functions of the query language, resolved when a query is parsed: an unknown name is a
//! parse error with its position, and evaluation matches on a closed set.

/// A function of the query language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Function {
    /// `all()`: every node.
    All,
    /// `ancestors(S)`: everything upstream of S.
    Ancestors,
    /// `descendants(S)`: everything downstream of S.
    Descendants,
    /// `parents(S)`: the direct parents of S.
    Parents,
    /// `children(S)`: the direct children of S.
    Children,
    /// `roots(S)`: the nodes of S with no parent in S.
    Roots,
    /// `leaves(S)`: the nodes of S with no child in S.
    Leaves,
    /// `somepath(A, B)`: one shortest path between the sets.
    Somepath,
    /// `allpaths(A, B)`: every node on a path between the sets.
    Allpaths,
    /// `relation(R, S)`: nodes of S linked to a parent by relation R.
    Relation,
    /// `kind(K, S)`: nodes of S of kind K.
    Kind,
    /// `license(GLOB, S)`: nodes of S whose license matches.
    License,
    /// `flagged(GLOB, S)`: nodes of S with a finding whose code matches.
    Flagged,
    /// `status(ST, S)`: nodes of S with that status.
    Status,
}

/// Which way a function walks from its arguments, for planning a crawl.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Walks {
    /// Nowhere (filters).
    Nowhere,
    /// Upstream.
    Up,
    /// Downstream.
    Down,
    /// Both ways.
    Both,
    /// The whole graph.
    Everything,
}

impl Function {
    /// Every function, in the order the language lists them.
    pub const ALL: [Function; 14] = [
        Function::All,
        Function::Ancestors,
        Function::Descendants,
        Function::Parents,
        Function::Children,
        Function::Roots,
        Function::Leaves,
        Function::Somepath,
        Function::Allpaths,
        Function::Relation,
        Function::Kind,
        Function::License,
        Function::Flagged,
        Function::Status,
    ];

    /// Its name in queries.
    pub fn name(self) -> &'static str {
        match self {
            Function::All => "all",
            Function::Ancestors => "ancestors",
            Function::Descendants => "descendants",
            Function::Parents => "parents",
            Function::Children => "children",
            Function::Roots => "roots",
            Function::Leaves => "leaves",
            Function::Somepath => "somepath",
            Function::Allpaths => "allpaths",
            Function::Relation => "relation",
            Function::Kind => "kind",
            Function::License => "license",
            Function::Flagged => "flagged",
            Function::Status => "status",
        }
    }

    /// The function of this name.
    pub fn from_name(name: &str) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.name() == name)
    }

    /// How many arguments it takes.
    pub fn arity(self) -> usize {
        match self {
            Function::All => 0,
            Function::Somepath | Function::Allpaths => 2,
            f if f.is_filter() => 2,
            _ => 1,
        }
    }

    /// Whether it filters a set by a word (its first argument is the word).
    pub fn is_filter(self) -> bool {
        matches!(
            self,
            Function::Relation
                | Function::Kind
                | Function::License
                | Function::Flagged
                | Function::Status
        )
    }

    /// What a filter's word must be, for messages.
    pub fn word(self) -> &'static str {
        match self {
            Function::Relation => "a relation (finetune, adapter, merge, quantized, trained_on, source_of, used_by, duplicated_from)",
            Function::Kind => "a kind (model, dataset, space)",
            Function::License => "a license pattern (glob, e.g. cc-by-nc*)",
            Function::Flagged => "a finding code (glob, e.g. license-*)",
            Function::Status => "a status (ok, not_found, unauthorized, disabled, error, invalid, unvisited)",
            _ => "a set expression",
        }
    }

    /// Which way it walks from its arguments.
    pub fn walks(self) -> Walks {
        match self {
            Function::Ancestors | Function::Parents | Function::Roots => Walks::Up,
            Function::Descendants | Function::Children | Function::Leaves => Walks::Down,
            Function::Somepath | Function::Allpaths => Walks::Both,
            Function::All => Walks::Everything,
            _ => Walks::Nowhere,
        }
    }
}

impl std::fmt::Display for Function {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The names of every function, joined for messages.
pub fn known() -> String {
    Function::ALL.map(Function::name).join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_filters_take_a_word_and_a_set() {
        for f in Function::ALL {
            assert_eq!(Function::from_name(f.name()), Some(f));
            assert_eq!(f.is_filter(), f.arity() == 2 && f.walks() == Walks::Nowhere);
        }
        assert_eq!(Function::from_name("nope"), None);
        assert!(known().starts_with("all, ancestors"));
    }
}
