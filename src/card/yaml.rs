//! A bounded YAML loader over yaml-rust2's event parser.
//!
//! yaml-rust2's own loader expands every alias by cloning the anchored node, so a "billion
//! laughs" card would expand exponentially. This loader builds the tree from parser events and
//! charges each alias the size of the node it copies against a budget, and refuses nesting past a
//! depth limit, before any memory is spent on either.

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;
use yaml_rust2::Yaml;

/// A YAML value, with mappings kept in document order.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or empty.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string (quoted, or plain and not another type).
    Str(String),
    /// A sequence.
    Seq(Vec<Value>),
    /// A mapping; keys rendered as strings.
    Map(Vec<(String, Value)>),
}

impl Value {
    /// A short name of the type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "list",
            Value::Map(_) => "mapping",
        }
    }

    /// The value of `key` in a mapping (first match).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A scalar rendered as text (numbers and booleans too); `None` for null and collections.
    pub fn as_scalar_text(&self) -> Option<String> {
        match self {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Number of nodes in this value (itself included).
    fn size(&self) -> usize {
        match self {
            Value::Seq(v) => 1 + v.iter().map(Value::size).sum::<usize>(),
            Value::Map(v) => 1 + v.iter().map(|(_, x)| 1 + x.size()).sum::<usize>(),
            _ => 1,
        }
    }
}

/// Limits that keep loading bounded.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Nodes in the loaded tree, counting every alias expansion.
    pub max_nodes: usize,
    /// Nesting depth of collections.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_nodes: 100_000,
            max_depth: 64,
        }
    }
}

/// Why a document could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// Not YAML.
    #[error("invalid YAML: {0}")]
    Syntax(String),
    /// Expands past the node budget (alias bomb or sheer size).
    #[error("YAML expands to more than {0} nodes (alias expansion or sheer size); refused")]
    TooManyNodes(usize),
    /// Nests past the depth limit.
    #[error("YAML nests deeper than {0} levels; refused")]
    TooDeep(usize),
    /// An alias names an anchor that was never defined.
    #[error("alias to an unknown anchor")]
    UnknownAnchor,
}

enum Frame {
    Seq(usize, Vec<Value>),
    Map(usize, Vec<(String, Value)>, Option<String>),
}

/// Loads the first document of `text`; an empty document is `Null`.
pub fn load(text: &str, limits: Limits) -> Result<Value, LoadError> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: std::collections::HashMap<usize, Value> = std::collections::HashMap::new();
    let mut nodes = 0usize;
    let mut root: Option<Value> = None;
    loop {
        let (event, mark) = parser
            .next_token()
            .map_err(|e| LoadError::Syntax(e.to_string()))?;
        let _ = mark;
        let (value, anchor) = match event {
            Event::StreamEnd => break,
            Event::DocumentEnd => {
                if root.is_some() {
                    break;
                }
                continue;
            }
            Event::Nothing | Event::StreamStart | Event::DocumentStart => continue,
            Event::SequenceStart(anchor, _) => {
                if stack.len() >= limits.max_depth {
                    return Err(LoadError::TooDeep(limits.max_depth));
                }
                stack.push(Frame::Seq(anchor, Vec::new()));
                continue;
            }
            Event::MappingStart(anchor, _) => {
                if stack.len() >= limits.max_depth {
                    return Err(LoadError::TooDeep(limits.max_depth));
                }
                stack.push(Frame::Map(anchor, Vec::new(), None));
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(anchor, items)) => (Value::Seq(items), anchor),
                _ => return Err(LoadError::Syntax("unbalanced sequence".into())),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(anchor, entries, _)) => (Value::Map(entries), anchor),
                _ => return Err(LoadError::Syntax("unbalanced mapping".into())),
            },
            Event::Scalar(text, style, anchor, _) => (scalar(text, style), anchor),
            Event::Alias(id) => {
                let v = anchors.get(&id).ok_or(LoadError::UnknownAnchor)?;
                let size = v.size();
                nodes = nodes.saturating_add(size);
                if nodes > limits.max_nodes {
                    return Err(LoadError::TooManyNodes(limits.max_nodes));
                }
                (v.clone(), 0)
            }
        };
        nodes += 1;
        if nodes > limits.max_nodes {
            return Err(LoadError::TooManyNodes(limits.max_nodes));
        }
        if anchor > 0 {
            anchors.insert(anchor, value.clone());
        }
        match stack.last_mut() {
            None => root = Some(value),
            Some(Frame::Seq(_, items)) => items.push(value),
            Some(Frame::Map(_, entries, pending)) => match pending.take() {
                None => *pending = Some(key_text(&value)),
                Some(key) => {
                    // YAML merge keys (`<<: *base`) fold the aliased mapping in.
                    if key == "<<" {
                        if let Value::Map(more) = value {
                            for (k, v) in more {
                                if !entries.iter().any(|(e, _)| *e == k) {
                                    entries.push((k, v));
                                }
                            }
                            continue;
                        }
                    }
                    entries.push((key, value));
                }
            },
        }
    }
    Ok(root.unwrap_or(Value::Null))
}

fn key_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Seq(_) | Value::Map(_) => format!("<{}>", v.type_name()),
        other => other.as_scalar_text().unwrap_or_default(),
    }
}

fn scalar(text: String, style: TScalarStyle) -> Value {
    if style != TScalarStyle::Plain {
        return Value::Str(text);
    }
    match Yaml::from_str(&text) {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Integer(i) => Value::Int(i),
        Yaml::Real(r) => match r.parse::<f64>() {
            Ok(f) => Value::Float(f),
            Err(_) => Value::Str(text),
        },
        _ => Value::Str(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_mappings_lists_and_scalars() {
        let v = load(
            "a: 1\nb: [x, 'y']\nc: ~\nd: true\ne: '1'\n",
            Limits::default(),
        )
        .unwrap();
        assert_eq!(v.get("a"), Some(&Value::Int(1)));
        assert_eq!(
            v.get("b"),
            Some(&Value::Seq(vec![
                Value::Str("x".into()),
                Value::Str("y".into())
            ]))
        );
        assert_eq!(v.get("c"), Some(&Value::Null));
        assert_eq!(v.get("d"), Some(&Value::Bool(true)));
        assert_eq!(v.get("e"), Some(&Value::Str("1".into())));
    }

    #[test]
    fn empty_document_is_null() {
        assert_eq!(load("", Limits::default()).unwrap(), Value::Null);
        assert_eq!(
            load("# only a comment\n", Limits::default()).unwrap(),
            Value::Null
        );
    }

    #[test]
    fn billion_laughs_is_refused_without_expanding() {
        let mut doc = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let mut prev = 'a';
        for c in 'b'..='j' {
            doc.push_str(&format!("{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
            prev = c;
        }
        let err = load(&doc, Limits::default()).unwrap_err();
        assert_eq!(err, LoadError::TooManyNodes(100_000));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let doc = format!("a: {}{}", "[".repeat(200), "]".repeat(200));
        assert!(matches!(
            load(&doc, Limits::default()),
            Err(LoadError::TooDeep(64)) | Err(LoadError::Syntax(_))
        ));
        let mut block = String::new();
        for i in 0..100 {
            block.push_str(&" ".repeat(i));
            block.push_str("k:\n");
        }
        assert_eq!(load(&block, Limits::default()), Err(LoadError::TooDeep(64)));
    }

    #[test]
    fn small_aliases_and_merge_keys_work() {
        let v = load(
            "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",
            Limits::default(),
        )
        .unwrap();
        let other = v.get("other").unwrap();
        assert_eq!(other.get("x"), Some(&Value::Int(1)));
        assert_eq!(other.get("y"), Some(&Value::Int(2)));
    }

    #[test]
    fn syntax_errors_are_errors() {
        assert!(matches!(
            load("a: [1, 2\nb: c", Limits::default()),
            Err(LoadError::Syntax(_))
        ));
        assert!(matches!(
            load("a: *nope", Limits::default()),
            Err(LoadError::UnknownAnchor) | Err(LoadError::Syntax(_))
        ));
    }
}
