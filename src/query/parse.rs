//! The query language's parser: tokens with positions, a recursive-descent grammar, errors that
//! point at a line and column and say what was expected.
//!
//! ```text
//! expr  := 'let' NAME '=' expr 'in' expr | set
//! set   := term (('+' | '-' | '^') term)*          left-associative, one precedence (as Bazel)
//! term  := STRING | '$' NAME | NAME | NAME '(' [arg (',' arg)*] ')' | '(' expr ')'
//! arg   := expr | WORD                              words: relations, kinds, codes, globs
//! ```
//! `#` starts a comment that runs to the end of the line.

use std::fmt;

use super::function::Function;

/// A parsed expression.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Expr {
    /// A repo named by a string literal.
    Repo(String),
    /// `$name`, from `--arg name=value`.
    Arg(String),
    /// A `let`-bound name.
    Var(String),
    /// A bare word (as a function argument: a relation, kind, code, status, pattern).
    Word(String),
    /// A function call.
    Call(Function, Vec<Expr>, Pos),
    /// `a + b`, `a - b`, `a ^ b`.
    Binary(char, Box<Expr>, Box<Expr>),
    /// `let name = value in body`.
    Let(String, Box<Expr>, Box<Expr>),
}

/// A position in the query text (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// Line.
    pub line: usize,
    /// Column (characters).
    pub col: usize,
}

/// A parse error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Where.
    pub pos: Pos,
    /// What was expected, and what was found.
    pub message: String,
}

impl ParseError {
    /// The message with the query's line and a caret under the position.
    pub fn pointed(&self, src: &str) -> String {
        let text = src
            .lines()
            .nth(self.pos.line.saturating_sub(1))
            .unwrap_or("");
        format!(
            "{self}\n  {text}\n  {}^",
            " ".repeat(self.pos.col.saturating_sub(1))
        )
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.pos.line, self.pos.col, self.message
        )
    }
}

impl std::error::Error for ParseError {}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Word(String),
    Dollar,
    LParen,
    RParen,
    Comma,
    Eq,
    Op(char),
    End,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Str(s) => format!("the string {s:?}"),
            Tok::Word(w) => format!("`{w}`"),
            Tok::Dollar => "`$`".into(),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Eq => "`=`".into(),
            Tok::Op(c) => format!("`{c}`"),
            Tok::End => "the end of the query".into(),
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '*' | '?' | '[' | ']' | ':')
}

fn lex(src: &str) -> Result<Vec<(Tok, Pos)>, ParseError> {
    let mut out = Vec::new();
    let chars: Vec<char> = src.chars().collect();
    let (mut i, mut line, mut col) = (0usize, 1usize, 1usize);
    let advance = |c: char, line: &mut usize, col: &mut usize| {
        if c == '\n' {
            *line += 1;
            *col = 1;
        } else {
            *col += 1;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let pos = Pos { line, col };
        if c.is_whitespace() {
            advance(c, &mut line, &mut col);
            i += 1;
            continue;
        }
        if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
                col += 1;
            }
            continue;
        }
        let single = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            ',' => Some(Tok::Comma),
            '=' => Some(Tok::Eq),
            '$' => Some(Tok::Dollar),
            '+' | '^' => Some(Tok::Op(c)),
            _ => None,
        };
        if let Some(t) = single {
            out.push((t, pos));
            advance(c, &mut line, &mut col);
            i += 1;
            continue;
        }
        if c == '"' || c == '\'' {
            let quote = c;
            let mut s = String::new();
            i += 1;
            col += 1;
            loop {
                match chars.get(i) {
                    None | Some('\n') => {
                        return Err(ParseError {
                            pos,
                            message: "unterminated string: expected a closing quote".into(),
                        })
                    }
                    Some(&ch) if ch == quote => {
                        i += 1;
                        col += 1;
                        break;
                    }
                    Some('\\') if chars.get(i + 1).is_some() => {
                        s.push(chars[i + 1]);
                        i += 2;
                        col += 2;
                    }
                    Some(&ch) => {
                        s.push(ch);
                        i += 1;
                        col += 1;
                    }
                }
            }
            out.push((Tok::Str(s), pos));
            continue;
        }
        if c == '-'
            && !chars
                .get(i + 1)
                .is_some_and(|n| is_word_char(*n) && *n != '-')
        {
            out.push((Tok::Op('-'), pos));
            i += 1;
            col += 1;
            continue;
        }
        if c == '-'
            && out
                .last()
                .is_some_and(|(t, _)| matches!(t, Tok::RParen | Tok::Str(_) | Tok::Word(_)))
        {
            // `a -b` after a complete term is a difference, not a word.
            out.push((Tok::Op('-'), pos));
            i += 1;
            col += 1;
            continue;
        }
        if is_word_char(c) {
            let mut w = String::new();
            while i < chars.len() && is_word_char(chars[i]) {
                w.push(chars[i]);
                i += 1;
                col += 1;
            }
            out.push((Tok::Word(w), pos));
            continue;
        }
        return Err(ParseError { pos, message: format!("unexpected character {c:?}: expected a string, a name, `$`, `(`, `)`, `,` or an operator (+ - ^)") });
    }
    out.push((Tok::End, Pos { line, col }));
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, Pos)>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> &(Tok, Pos) {
        &self.toks[self.at.min(self.toks.len() - 1)]
    }
    fn next(&mut self) -> (Tok, Pos) {
        let t = self.peek().clone();
        if self.at < self.toks.len() - 1 {
            self.at += 1;
        }
        t
    }
    fn expect(&mut self, want: Tok, what: &str) -> Result<Pos, ParseError> {
        let (t, pos) = self.next();
        if t == want {
            Ok(pos)
        } else {
            Err(ParseError {
                pos,
                message: format!("expected {what}, found {}", t.describe()),
            })
        }
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        if matches!(&self.peek().0, Tok::Word(w) if w == "let") {
            self.next();
            let (t, pos) = self.next();
            let Tok::Word(name) = t else {
                return Err(ParseError {
                    pos,
                    message: format!("expected a name after `let`, found {}", t.describe()),
                });
            };
            self.expect(Tok::Eq, "`=` after the name in `let`")?;
            let value = self.expr()?;
            let (t, pos) = self.next();
            if t != Tok::Word("in".into()) {
                return Err(ParseError {
                    pos,
                    message: format!(
                        "expected `in` after the value of `let {name} = …`, found {}",
                        t.describe()
                    ),
                });
            }
            let body = self.expr()?;
            return Ok(Expr::Let(name, Box::new(value), Box::new(body)));
        }
        let mut left = self.term()?;
        while let Tok::Op(op) = self.peek().0 {
            self.next();
            let right = self.term()?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Expr, ParseError> {
        let (t, pos) = self.next();
        match t {
            Tok::Str(s) => Ok(Expr::Repo(s)),
            Tok::Dollar => match self.next() {
                (Tok::Word(w), _) => Ok(Expr::Arg(w)),
                (t, pos) => Err(ParseError { pos, message: format!("expected an argument name after `$`, found {}", t.describe()) }),
            },
            Tok::LParen => {
                let e = self.expr()?;
                self.expect(Tok::RParen, "`)` to close the parenthesis")?;
                Ok(e)
            }
            Tok::Word(w) if self.peek().0 == Tok::LParen => {
                let Some(f) = Function::from_name(&w) else {
                    return Err(ParseError { pos, message: format!("unknown function {w}(); known: {}", super::function::known()) });
                };
                self.next();
                let mut args = Vec::new();
                if self.peek().0 != Tok::RParen {
                    loop {
                        args.push(self.expr()?);
                        match self.next() {
                            (Tok::Comma, _) => continue,
                            (Tok::RParen, _) => break,
                            (t, pos) => {
                                return Err(ParseError { pos, message: format!("expected `,` or `)` in the arguments of {w}(…), found {}", t.describe()) })
                            }
                        }
                    }
                } else {
                    self.next();
                }
                Ok(Expr::Call(f, args, pos))
            }
            Tok::Word(w) if w == "in" || w == "let" => Err(ParseError { pos, message: format!("expected an expression, found the keyword `{w}`") }),
            Tok::Word(w) => Ok(Expr::Word(w)),
            other => Err(ParseError {
                pos,
                message: format!("expected an expression (a \"repo\", a function call, $arg or a name), found {}", other.describe()),
            }),
        }
    }
}

/// Parses a query.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    let toks = lex(src)?;
    let mut p = Parser { toks, at: 0 };
    let e = p.expr()?;
    let (t, pos) = p.next();
    if t != Tok::End {
        return Err(ParseError {
            pos,
            message: format!(
                "expected an operator (+ - ^) or the end of the query, found {}",
                t.describe()
            ),
        });
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_calls_operators_and_let() {
        let e = parse(r#"relation(quantized, descendants("meta-llama/Llama-2-13b-hf")) ^ flagged(license-drift, all())"#).unwrap();
        let Expr::Binary('^', l, r) = e else { panic!() };
        assert!(
            matches!(*l, Expr::Call(Function::Relation, ref a, _) if a[0] == Expr::Word("quantized".into()))
        );
        assert!(matches!(*r, Expr::Call(Function::Flagged, _, _)));
        let e = parse("let x = ancestors($repo) in x - kind(dataset, x) # comment").unwrap();
        assert!(matches!(e, Expr::Let(ref n, _, _) if n == "x"));
        assert!(matches!(parse("a - b").unwrap(), Expr::Binary('-', _, _)));
        assert_eq!(
            parse("license(cc-by-nc*, all())").unwrap(),
            Expr::Call(
                Function::License,
                vec![
                    Expr::Word("cc-by-nc*".into()),
                    Expr::Call(Function::All, vec![], Pos { line: 1, col: 20 })
                ],
                Pos { line: 1, col: 1 }
            )
        );
    }

    #[test]
    fn errors_point_at_line_and_column_and_say_what_was_expected() {
        let e = parse("ancestors(\"a/b\"\n  + ").unwrap_err();
        assert_eq!(e.pos, Pos { line: 2, col: 5 });
        assert!(
            e.message.contains("expected an expression") && e.message.contains("end of the query"),
            "{e}"
        );
        let e = parse("ancestors(\"a/b\" \"c/d\")").unwrap_err();
        assert_eq!(e.pos, Pos { line: 1, col: 17 });
        assert!(e.message.contains("expected `,` or `)`"), "{e}");
        let e = parse("let x = all() x").unwrap_err();
        assert_eq!((e.pos.line, e.pos.col), (1, 15));
        assert!(e.message.contains("expected `in`"), "{e}");
        let e = parse("\n\n  \"unterminated").unwrap_err();
        assert_eq!(e.pos, Pos { line: 3, col: 3 });
        let e = parse("all() all()").unwrap_err();
        assert!(e.message.contains("expected an operator"), "{e}");
        let e = parse("(all()").unwrap_err();
        assert!(e.message.contains("`)`"), "{e}");
        assert!(parse("ancestors(;)")
            .unwrap_err()
            .message
            .contains("unexpected character"));
    }
}
