//! Parser for the JSON form of CloudWatch Logs filter patterns: `{ expr }`.
//!
//! Grammar, as the CloudWatch Logs User Guide describes it ("Filter and Pattern
//! Syntax", section "Matching Terms in JSON Log Events", read from
//! `awsdocs/amazon-cloudwatch-logs-user-guide`, `doc_source/FilterAndPatternSyntax.md`):
//!
//! ```text
//! pattern    := '{' or '}'
//! or         := and ('||' and)*           -- the docs: "() > && > ||"
//! and        := primary ('&&' primary)*
//! primary    := '(' or ')' | comparison
//! comparison := SELECTOR ('=' | '!=') VALUE          -- string, quoted or not, '*' wildcard
//!             | SELECTOR ('<' | '>' | '<=' | '>=' | '=' | '!=') NUMBER
//!             | SELECTOR 'IS' ('NULL' | 'TRUE' | 'FALSE')
//!             | SELECTOR 'NOT' 'EXISTS'
//! SELECTOR   := '$' ('.' name | '[' digits ']')*     -- `$.a.b`, `$.users[0].id`
//! ```
//!
//! What we rely on from that page: selectors start at `$`, names are
//! alphanumeric plus `-` and `_`, array elements are `[NUMBER]`; strings may be
//! quoted or not; `*` matches any text at the start or end of a value ("`*Event`
//! matches PutEvent", "`Ev*ent` will only match the actual string `Ev*ent`", so
//! an inner `*` is a literal character); `&&` binds tighter than `||` and
//! parentheses group; numbers may carry a sign, decimals and an exponent.
//! Quoting does not change meaning: `"AccessDenied*"` and `AccessDenied*` are
//! the same wildcard (the CIS texts use both).
//!
//! An unparenthesised mix of `&&` and `||` follows that documented precedence,
//! but is still flagged `ambiguous`: readers (and some CIS texts) get it wrong.

use std::fmt;

use super::{Atom, Expr, Literal, NumOp, Pattern, Test};

/// The longest pattern CloudWatch Logs stores (`PutMetricFilter`'s
/// `filterPattern`: at most 1024 characters). A longer text cannot come from
/// AWS, only from an edited snapshot, and would make the coverage search
/// (whose cost grows with the number of terms) arbitrarily expensive.
pub const MAX_CHARS: usize = 1024;

/// Parentheses nested deeper than this are refused rather than parsed by
/// recursion that a hostile pattern could drive into a stack overflow.
pub const MAX_NESTING: usize = 64;

/// Why a pattern does not parse, with the 1-based character position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based position (in characters, not bytes) where parsing stopped.
    pub position: usize,
    /// What the parser could have accepted there.
    pub expected: String,
    /// What it found instead.
    pub found: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at character {}: expected {}, found {}", self.position, self.expected, self.found)
    }
}

impl std::error::Error for ParseError {}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LBrace,
    RBrace,
    LParen,
    RParen,
    And,
    Or,
    Op(&'static str),
    Selector(String),
    /// A value: (text, quoted).
    Value(String, bool),
    End,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::LBrace => "`{`".into(),
            Tok::RBrace => "`}`".into(),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::And => "`&&`".into(),
            Tok::Or => "`||`".into(),
            Tok::Op(op) => format!("`{op}`"),
            Tok::Selector(s) => format!("selector `$.{s}`"),
            Tok::Value(v, true) => format!("string {v:?}"),
            Tok::Value(v, false) => format!("`{v}`"),
            Tok::End => "the end of the pattern".into(),
        }
    }
}

/// Characters that end an unquoted value.
fn ends_token(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '{' | '}' | '&' | '|' | '=' | '!' | '<' | '>' | '"')
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
}

impl Lexer {
    fn err(&self, at: usize, expected: &str, found: String) -> ParseError {
        ParseError { position: at + 1, expected: expected.to_owned(), found }
    }

    fn found_here(&self, at: usize) -> String {
        match self.chars.get(at) {
            Some(c) => format!("{c:?}"),
            None => "the end of the pattern".into(),
        }
    }

    /// All tokens with their 0-based start positions.
    fn tokens(mut self) -> Result<Vec<(Tok, usize)>, ParseError> {
        let mut out = Vec::new();
        loop {
            while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
                self.pos += 1;
            }
            let start = self.pos;
            let Some(&c) = self.chars.get(start) else {
                out.push((Tok::End, start));
                return Ok(out);
            };
            let next = self.chars.get(start + 1).copied();
            let tok = match (c, next) {
                ('{', _) => self.one(Tok::LBrace),
                ('}', _) => self.one(Tok::RBrace),
                ('(', _) => self.one(Tok::LParen),
                (')', _) => self.one(Tok::RParen),
                ('&', Some('&')) => self.two(Tok::And),
                ('|', Some('|')) => self.two(Tok::Or),
                ('!', Some('=')) => self.two(Tok::Op("!=")),
                ('<', Some('=')) => self.two(Tok::Op("<=")),
                ('>', Some('=')) => self.two(Tok::Op(">=")),
                ('=', _) => self.one(Tok::Op("=")),
                ('<', _) => self.one(Tok::Op("<")),
                ('>', _) => self.one(Tok::Op(">")),
                ('&' | '|' | '!', _) => {
                    return Err(self.err(start, "`&&`, `||` or `!=`", self.found_here(start)));
                }
                ('$', _) => self.selector()?,
                ('"', _) => self.quoted()?,
                _ => {
                    while self.chars.get(self.pos).is_some_and(|&c| !ends_token(c)) {
                        self.pos += 1;
                    }
                    Tok::Value(self.chars[start..self.pos].iter().collect(), false)
                }
            };
            out.push((tok, start));
        }
    }

    fn one(&mut self, t: Tok) -> Tok {
        self.pos += 1;
        t
    }

    fn two(&mut self, t: Tok) -> Tok {
        self.pos += 2;
        t
    }

    /// `$` followed by `.name` and `[digits]` steps; normalised to `a.b[0].c`.
    fn selector(&mut self) -> Result<Tok, ParseError> {
        self.pos += 1; // '$'
        let mut path = String::new();
        loop {
            match self.chars.get(self.pos) {
                Some('.') => {
                    self.pos += 1;
                    let start = self.pos;
                    while self.chars.get(self.pos).is_some_and(|&c| c.is_alphanumeric() || c == '_' || c == '-') {
                        self.pos += 1;
                    }
                    if self.pos == start {
                        return Err(self.err(self.pos, "a property name after `.`", self.found_here(self.pos)));
                    }
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.extend(&self.chars[start..self.pos]);
                }
                Some('[') => {
                    if path.is_empty() {
                        return Err(self.err(self.pos, "a property before `[`", "`[`".into()));
                    }
                    self.pos += 1;
                    let start = self.pos;
                    while self.chars.get(self.pos).is_some_and(|c| c.is_ascii_digit()) {
                        self.pos += 1;
                    }
                    if self.pos == start || self.chars.get(self.pos) != Some(&']') {
                        return Err(self.err(self.pos, "an array index `[NUMBER]`", self.found_here(self.pos)));
                    }
                    path.push('[');
                    path.extend(&self.chars[start..self.pos]);
                    path.push(']');
                    self.pos += 1;
                }
                _ => break,
            }
        }
        if path.is_empty() {
            return Err(self.err(self.pos, "`.` and a property name after `$`", self.found_here(self.pos)));
        }
        Ok(Tok::Selector(path))
    }

    /// A double-quoted string; `\"` and `\\` are escapes.
    fn quoted(&mut self) -> Result<Tok, ParseError> {
        let open = self.pos;
        self.pos += 1;
        let mut text = String::new();
        loop {
            match self.chars.get(self.pos) {
                None => {
                    return Err(self.err(
                        self.pos,
                        &format!("a closing `\"` for the string opened at character {}", open + 1),
                        "the end of the pattern".into(),
                    ));
                }
                Some('"') => {
                    self.pos += 1;
                    return Ok(Tok::Value(text, true));
                }
                Some('\\') if matches!(self.chars.get(self.pos + 1), Some('"' | '\\')) => {
                    text.push(self.chars[self.pos + 1]);
                    self.pos += 2;
                }
                Some(&c) => {
                    text.push(c);
                    self.pos += 1;
                }
            }
        }
    }
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    at: usize,
    ambiguous: bool,
    /// Open parentheses around the current position.
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.at.min(self.toks.len() - 1)].0
    }

    fn pos(&self) -> usize {
        self.toks[self.at.min(self.toks.len() - 1)].1
    }

    fn bump(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.at < self.toks.len() - 1 {
            self.at += 1;
        }
        t
    }

    fn expected(&self, what: &str) -> ParseError {
        ParseError { position: self.pos() + 1, expected: what.to_owned(), found: self.peek().describe() }
    }

    fn pattern(&mut self) -> Result<Expr, ParseError> {
        if *self.peek() != Tok::LBrace {
            return Err(self.expected("`{` (only JSON filter patterns `{ ... }` are understood)"));
        }
        self.bump();
        let expr = self.or()?;
        if *self.peek() != Tok::RBrace {
            return Err(self.expected("`&&`, `||` or `}`"));
        }
        self.bump();
        if *self.peek() != Tok::End {
            return Err(self.expected("the end of the pattern after `}`"));
        }
        Ok(expr)
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let (first, mut mixed) = self.and()?;
        let mut items = vec![first];
        while *self.peek() == Tok::Or {
            self.bump();
            let (next, bare_and) = self.and()?;
            mixed |= bare_and;
            items.push(next);
        }
        if items.len() == 1 {
            return Ok(items.pop().expect("one item"));
        }
        // `a || b && c`: an unparenthesised `&&` run beside `||`.
        self.ambiguous |= mixed;
        Ok(Expr::Or(items.into_iter().flat_map(|e| if let Expr::Or(v) = e { v } else { vec![e] }).collect()))
    }

    /// The conjunction, and whether it is a bare (unparenthesised) `&&` run.
    fn and(&mut self) -> Result<(Expr, bool), ParseError> {
        let mut items = vec![self.primary()?];
        while *self.peek() == Tok::And {
            self.bump();
            items.push(self.primary()?);
        }
        if items.len() == 1 {
            return Ok((items.pop().expect("one item"), false));
        }
        Ok((Expr::And(items.into_iter().flat_map(|e| if let Expr::And(v) = e { v } else { vec![e] }).collect()), true))
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        match self.peek().clone() {
            Tok::LParen => {
                if self.depth >= MAX_NESTING {
                    return Err(self.expected(&format!("at most {MAX_NESTING} nested parentheses")));
                }
                self.depth += 1;
                self.bump();
                let inner = self.or()?;
                if *self.peek() != Tok::RParen {
                    return Err(self.expected("`&&`, `||` or `)`"));
                }
                self.bump();
                self.depth -= 1;
                Ok(inner)
            }
            Tok::Selector(field) => {
                self.bump();
                let test = self.test()?;
                Ok(Expr::Atom(Atom { field, test }))
            }
            _ => Err(self.expected("a selector such as `$.eventName`, or `(`")),
        }
    }

    fn test(&mut self) -> Result<Test, ParseError> {
        let op_pos = self.pos();
        match self.bump() {
            Tok::Op(op) => {
                let value_pos = self.pos();
                let Tok::Value(text, quoted) = self.peek().clone() else {
                    return Err(self.expected(&format!("a value after `{op}`")));
                };
                self.bump();
                let literal = Literal::new(text);
                match op {
                    "=" => Ok(Test::Eq(literal)),
                    "!=" => Ok(Test::Ne(literal)),
                    _ => {
                        let n = literal.number.filter(|_| !quoted).ok_or_else(|| ParseError {
                            position: value_pos + 1,
                            expected: format!("a number after `{op}`"),
                            found: Tok::Value(literal.text.clone(), quoted).describe(),
                        })?;
                        let op = match op {
                            "<" => NumOp::Lt,
                            "<=" => NumOp::Le,
                            ">" => NumOp::Gt,
                            _ => NumOp::Ge,
                        };
                        Ok(Test::Num(op, n))
                    }
                }
            }
            Tok::Value(word, false) if word.eq_ignore_ascii_case("IS") => match self.peek().clone() {
                Tok::Value(w, false) if w.eq_ignore_ascii_case("NULL") => {
                    self.bump();
                    Ok(Test::IsNull)
                }
                Tok::Value(w, false) if w.eq_ignore_ascii_case("TRUE") => {
                    self.bump();
                    Ok(Test::IsBool(true))
                }
                Tok::Value(w, false) if w.eq_ignore_ascii_case("FALSE") => {
                    self.bump();
                    Ok(Test::IsBool(false))
                }
                _ => Err(self.expected("`NULL`, `TRUE` or `FALSE` after `IS`")),
            },
            Tok::Value(word, false) if word.eq_ignore_ascii_case("NOT") => match self.peek().clone() {
                Tok::Value(w, false) if w.eq_ignore_ascii_case("EXISTS") => {
                    self.bump();
                    Ok(Test::NotExists)
                }
                _ => Err(self.expected("`EXISTS` after `NOT`")),
            },
            other => Err(ParseError {
                position: op_pos + 1,
                expected: "a comparison (`=`, `!=`, `<`, `>`, `<=`, `>=`), `IS NULL`, `IS TRUE`, `IS FALSE` or `NOT EXISTS`".into(),
                found: other.describe(),
            }),
        }
    }
}

/// Parses `text` into a [`Pattern`].
pub fn parse(text: &str) -> Result<Pattern, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() > MAX_CHARS {
        return Err(ParseError {
            position: MAX_CHARS + 1,
            expected: format!("at most {MAX_CHARS} characters (the longest pattern CloudWatch Logs stores)"),
            found: format!("{} characters", chars.len()),
        });
    }
    let toks = Lexer { chars, pos: 0 }.tokens()?;
    let mut parser = Parser { toks, at: 0, ambiguous: false, depth: 0 };
    let expr = parser.pattern()?;
    Ok(Pattern { expr, ambiguous: parser.ambiguous })
}
