//! Where each account lies in a snapshot's text, so that a merge can read one
//! account back from its file when it writes it, instead of holding them all.
//!
//! serde_json finds the end of each value (strings, escapes, nesting); this
//! walk only steps over the commas, colons and brackets between the top-level
//! keys and between the elements of `accounts`. (serde_json's `RawValue` would
//! give the same spans, but enabling its feature rebuilds every crate that
//! depends on serde_json, the AWS SDK included.)

use std::ops::Range;

use serde::de::{Deserialize, IgnoredAny};

/// Byte ranges of the elements of the top-level `accounts` array, in order.
/// `text` must already have parsed as a snapshot: a malformed document gives
/// an `Err` without a position (the loader is the one that explains those).
pub(super) fn account_spans(text: &str) -> Result<Vec<Range<usize>>, String> {
    let mut cursor = Cursor { text, pos: 0 };
    let mut spans = Vec::new();
    cursor.expect(b'{')?;
    if cursor.eat(b'}') {
        return Ok(spans);
    }
    loop {
        let key: String = cursor.value()?;
        cursor.expect(b':')?;
        if key == "accounts" {
            cursor.array_elements(&mut spans)?;
        } else {
            cursor.value::<IgnoredAny>()?;
        }
        if !cursor.eat(b',') {
            cursor.expect(b'}')?;
            return Ok(spans);
        }
    }
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl Cursor<'_> {
    fn skip_whitespace(&mut self) {
        let rest = &self.text.as_bytes()[self.pos..];
        self.pos += rest.iter().take_while(|b| matches!(b, b' ' | b'\n' | b'\r' | b'\t')).count();
    }

    /// Steps over `byte` (after whitespace) if it comes next.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_whitespace();
        let found = self.text.as_bytes().get(self.pos) == Some(&byte);
        if found {
            self.pos += 1;
        }
        found
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        if self.eat(byte) { Ok(()) } else { Err(format!("expected `{}` at byte {}", char::from(byte), self.pos)) }
    }

    /// Parses the one JSON value that starts here (after whitespace).
    fn value<T: for<'de> Deserialize<'de>>(&mut self) -> Result<T, String> {
        self.skip_whitespace();
        let mut stream = serde_json::Deserializer::from_str(&self.text[self.pos..]).into_iter::<T>();
        let value = stream.next().ok_or_else(|| format!("expected a value at byte {}", self.pos))?.map_err(|e| e.to_string())?;
        self.pos += stream.byte_offset();
        Ok(value)
    }

    /// Records the span of every element of the array that starts here.
    fn array_elements(&mut self, spans: &mut Vec<Range<usize>>) -> Result<(), String> {
        self.expect(b'[')?;
        if self.eat(b']') {
            return Ok(());
        }
        loop {
            self.skip_whitespace();
            let start = self.pos;
            self.value::<IgnoredAny>()?;
            spans.push(start..self.pos);
            if !self.eat(b',') {
                return self.expect(b']');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::account_spans;

    fn pieces(text: &str) -> Vec<&str> {
        account_spans(text).unwrap().into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn finds_each_account_whatever_the_layout_and_the_keys_around_it() {
        let text = r#"{"schema_version": 1, "metadata": {"accounts": [9]},
            "accounts" : [ {"account_id": "1", "note": "a ] and a , and \" and {"} ,
                {"account_id":"2","regions":{"x":[1,[2]]}}
            ],
            "errors": [{"accounts": [3]}]}"#;
        assert_eq!(
            pieces(text),
            [r#"{"account_id": "1", "note": "a ] and a , and \" and {"}"#, r#"{"account_id":"2","regions":{"x":[1,[2]]}}"#]
        );
    }

    #[test]
    fn empty_or_absent_accounts_give_no_spans() {
        assert!(pieces(r#"{"accounts": []}"#).is_empty());
        assert!(pieces(r#"{"schema_version": 1}"#).is_empty());
        assert!(pieces("{}").is_empty());
    }

    #[test]
    fn text_that_is_not_an_object_is_refused() {
        assert!(account_spans("[1]").is_err());
        assert!(account_spans(r#"{"accounts": [1 2]}"#).is_err());
    }
}
