//! Finds the line of a result's resource in the audited snapshot file, so
//! SARIF can point at it.
//!
//! Each account's part of the file runs from the first `"account_id"` key
//! naming it to the next such key ([`AccountMarks`], found in one pass over
//! the text, fed in pieces as the file is read), and the string literals
//! inside one part are indexed once ([`attach_lines_in`]): the cost is linear
//! in the snapshot size, not results × size, and only one account's part is
//! in memory at a time, so the whole text need never be held.

use std::collections::{HashMap, HashSet};

use crate::finding::RuleResult;

/// String literals of one account's part of the snapshot: as object keys (the
/// resource's own record, `"arn": {`) and anywhere (a mention), by byte
/// offset in the part.
#[derive(Default)]
struct AccountIndex<'t> {
    keys: HashMap<&'t str, usize>,
    mentions: HashMap<&'t str, usize>,
}

/// The part of the snapshot text a result's lines are looked up in: its byte
/// range (`start..end`, offsets in the text) and the line `start` is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountPart {
    pub start: u64,
    pub end: u64,
    pub line: usize,
}

/// The first `"account_id": "…"` of each account id in a snapshot text read
/// in pieces ([`AccountMarks::feed`]), with its line: each account's part runs
/// from its mark to the next one (the last to the end of the text). Only the
/// first mark of an id counts (`errors` repeat the ids later); what is held
/// is the marks and a tail of the text too short to be decided yet.
#[derive(Default)]
pub struct AccountMarks {
    marks: Vec<(String, u64, usize)>,
    seen: HashSet<String>,
    /// Text not decided yet (a key, or its value, cut by the end of a piece).
    pending: String,
    /// Offset in the text of `pending`'s first byte.
    base: u64,
    /// Line breaks in the text before `pending`.
    lines: usize,
}

/// `"account_id"`: what starts a mark.
const KEY: &str = "\"account_id\"";

impl AccountMarks {
    /// The next piece of the text (pieces given in order, together the whole text).
    pub fn feed(&mut self, piece: &str) {
        let mut pending = std::mem::take(&mut self.pending);
        pending.push_str(piece);
        let keep = self.scan(&pending, false);
        pending.drain(..keep);
        self.pending = pending;
    }

    /// The part of each account, once the whole text (`len` bytes) was fed.
    pub fn finish(mut self, len: u64) -> HashMap<String, AccountPart> {
        let pending = std::mem::take(&mut self.pending);
        self.scan(&pending, true);
        self.parts(len)
    }

    /// The part of each account of a whole text.
    pub fn of_text(text: &str) -> HashMap<String, AccountPart> {
        let mut marks = AccountMarks::default();
        marks.scan(text, true);
        marks.parts(text.len() as u64)
    }

    fn parts(self, len: u64) -> HashMap<String, AccountPart> {
        let ends: Vec<u64> = self.marks.iter().skip(1).map(|(_, at, _)| *at).chain(std::iter::once(len)).collect();
        self.marks.into_iter().zip(ends).map(|((id, start, line), end)| (id, AccountPart { start, end, line })).collect()
    }

    /// Records the marks `text` (the text from offset `self.base` on)
    /// decides; returns how much of it is decided, to be dropped (the rest
    /// starts with an undecided key, or may start one). At `eof` everything is.
    fn scan(&mut self, text: &str, eof: bool) -> usize {
        let mut undecided = None;
        let mut counted = 0;
        let mut lines = self.lines;
        // Matches do not overlap (as `match_indices` on the whole text): what
        // is kept starts after the last one read.
        let mut read_to = 0;
        for (at, _) in text.match_indices(KEY) {
            match value_after(&text[at + KEY.len()..], eof) {
                Value::Undecided => {
                    undecided = Some(at);
                    break;
                }
                Value::None => {}
                Value::Id(id) => {
                    lines += newlines(&text[counted..at]);
                    counted = at;
                    if !self.seen.contains(id) {
                        self.seen.insert(id.to_owned());
                        self.marks.push((id.to_owned(), self.base + at as u64, lines + 1));
                    }
                }
            }
            read_to = at + KEY.len();
        }
        if eof {
            return text.len();
        }
        let keep = undecided.unwrap_or_else(|| floor_char_boundary(text, text.len().saturating_sub(KEY.len() - 1)).max(read_to));
        self.lines = lines + newlines(&text[counted..keep]);
        self.base += keep as u64;
        keep
    }
}

/// What follows a `"account_id"` key in the text.
enum Value<'t> {
    /// Not a key with a string value.
    None,
    /// The value's text (up to the next quote, as written).
    Id(&'t str),
    /// The text ends before it is known.
    Undecided,
}

/// `rest` after `"account_id"`: `: "value"` (whitespace allowed around the
/// colon), read as the first text of issue 2's locator did: the value runs to
/// the next quote, or to the end of the text.
fn value_after(rest: &str, eof: bool) -> Value<'_> {
    let rest = rest.trim_start();
    if rest.is_empty() && !eof {
        return Value::Undecided;
    }
    let Some(rest) = rest.strip_prefix(':') else { return Value::None };
    let rest = rest.trim_start();
    if rest.is_empty() && !eof {
        return Value::Undecided;
    }
    let Some(rest) = rest.strip_prefix('"') else { return Value::None };
    match rest.find('"') {
        Some(end) => Value::Id(&rest[..end]),
        None if eof => Value::Id(rest),
        None => Value::Undecided,
    }
}

fn newlines(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Sets `snapshot_line` on each result, the whole text at hand: the line of
/// its resource's record, or of its first mention, within its account's part;
/// the account's line for account- and region-level subjects when nothing
/// closer is found; none for an account the text does not name.
pub fn attach_lines(text: &str, results: &mut [RuleResult]) {
    let parts = AccountMarks::of_text(text);
    // One account's index at a time: results taken account by account, each
    // index dropped when the next account's is built (holding every
    // account's index at once grew with the snapshot, about 250 MB at 1,000
    // accounts).
    let mut order: Vec<usize> = (0..results.len()).collect();
    order.sort_by(|&a, &b| results[a].account.cmp(&results[b].account));
    let mut current: Option<(&str, PartLines)> = None;
    for i in order {
        let result = &mut results[i];
        let Some((id, part)) = parts.get_key_value(result.account.as_str()) else {
            result.snapshot_line = None;
            continue;
        };
        if current.as_ref().is_none_or(|(held, _)| *held != id.as_str()) {
            current = Some((id.as_str(), PartLines::new(&text[part.start as usize..part.end as usize], part.line)));
        }
        if let Some((_, lines)) = &current {
            result.snapshot_line = Some(lines.line_of(result));
        }
    }
}

/// Sets `snapshot_line` on `results`, all of one account, from that
/// account's part of the text alone (`part`, starting on line `first_line`):
/// the same lines as [`attach_lines`] on the whole text.
pub fn attach_lines_in(part: &str, first_line: usize, results: &mut [RuleResult]) {
    let lines = PartLines::new(part, first_line);
    for result in results {
        result.snapshot_line = Some(lines.line_of(result));
    }
}

/// One account's part, indexed: its literals and where its lines start.
struct PartLines<'t> {
    index: AccountIndex<'t>,
    /// Offsets in the part just after each of its line breaks.
    line_starts: Vec<usize>,
    first_line: usize,
}

impl<'t> PartLines<'t> {
    fn new(part: &'t str, first_line: usize) -> PartLines<'t> {
        let line_starts = part.match_indices('\n').map(|(i, _)| i + 1).collect();
        PartLines { index: index_part(part), line_starts, first_line }
    }

    fn line_of(&self, result: &RuleResult) -> usize {
        // An account subject points at its account; a region subject at the region's key.
        let needle: Option<String> = match result.resource.strip_prefix("AWS::::Account:") {
            Some(rest) => rest.split_once('/').map(|(_, region)| region.to_owned()),
            None => Some(json_content(&result.resource)),
        };
        let offset =
            needle.and_then(|n| self.index.keys.get(n.as_str()).or_else(|| self.index.mentions.get(n.as_str())).copied()).unwrap_or(0);
        self.first_line + self.line_starts.partition_point(|&s| s <= offset)
    }
}

/// The string as it appears between quotes in JSON.
fn json_content(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted[1..quoted.len().saturating_sub(1)].to_owned()
}

fn index_part(text: &str) -> AccountIndex<'_> {
    let mut index = AccountIndex::default();
    let bytes = text.as_bytes();
    let end = bytes.len();
    let mut i = 0;
    while i < end {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        let open = i + 1;
        let mut j = open;
        while j < end && bytes[j] != b'"' {
            j += if bytes[j] == b'\\' { 2 } else { 1 };
        }
        if j >= end {
            break;
        }
        let literal = &text[open..j];
        index.mentions.entry(literal).or_insert(i);
        let mut k = j + 1;
        while k < end && bytes[k].is_ascii_whitespace() {
            k += 1;
        }
        if k < end && bytes[k] == b':' {
            index.keys.entry(literal).or_insert(i);
        }
        i = j + 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Severity, Status};

    fn result(account: &str, resource: &str) -> RuleResult {
        RuleResult {
            rule_id: "CT-001".into(),
            status: Status::Pass,
            severity: Severity::Low,
            account: account.into(),
            region: None,
            resource: resource.into(),
            message: String::new(),
            evidence: serde_json::json!({}),
            waiver: None,
            snapshot_line: None,
            baseline: None,
        }
    }

    const TEXT: &str = "{\"accounts\": [\n{\"account_id\": \"111\",\n \"trails\": {\"arn:t\": {\n \"name\": \"t\"}}},\n{\"account_id\"  :\n  \"222\",\n \"trails\": {\"arn:t\": {}},\n \"note\": \"arn:u\", \"é\": \"account_id\"},\n{\"x\": 1, \"account_id\": \"333\"}\n],\n \"errors\": [{\"account_id\": \"111\"}, {\"account_id\": \"444\", \"resource\": \"arn:v\"}]}\n";

    /// Results of several accounts in any order (one index built at a time)
    /// each get the line of their own account's record, mention or account.
    #[test]
    fn interleaved_accounts_each_get_their_own_lines() {
        let text = "{\"accounts\": [\n{\"account_id\": \"111\",\n \"trails\": {\"arn:t\": {\n \"name\": \"t\"}}},\n{\"account_id\": \"222\",\n \"trails\": {\"arn:t\": {}},\n \"note\": \"arn:u\"}\n]}\n";
        let mut results = vec![
            result("222", "arn:t"),
            result("111", "arn:t"),
            result("222", "arn:u"),
            result("111", "arn:u"),
            result("333", "arn:t"),
            result("111", "AWS::::Account:111"),
        ];
        attach_lines(text, &mut results);
        let lines: Vec<Option<usize>> = results.iter().map(|r| r.snapshot_line).collect();
        // 222's trail key on line 6, 111's on line 3; arn:u is mentioned in 222 only
        // (line 7), so 111 falls back to its account's line (2); 333 is not in the text.
        assert_eq!(lines, [Some(6), Some(3), Some(7), Some(2), None, Some(2)]);
    }

    /// The text fed in pieces of any size, cut anywhere (inside a key, its
    /// value, a multi-byte character), gives the same parts as the whole text.
    #[test]
    fn pieces_of_any_size_give_the_parts_of_the_whole_text() {
        let whole = AccountMarks::of_text(TEXT);
        let ids: Vec<&str> = {
            let mut ids: Vec<&str> = whole.keys().map(String::as_str).collect();
            ids.sort_unstable();
            ids
        };
        assert_eq!(ids, ["111", "222", "333", "444"]);
        assert_eq!(whole["111"].line, 2);
        assert_eq!(whole["222"].line, 5);
        assert_eq!(whole["444"].end, TEXT.len() as u64);
        for size in 1..TEXT.len() {
            let mut marks = AccountMarks::default();
            let mut rest = TEXT;
            while !rest.is_empty() {
                let cut = floor_char_boundary(rest, size.min(rest.len())).max(rest.chars().next().map_or(0, char::len_utf8));
                marks.feed(&rest[..cut]);
                rest = &rest[cut..];
            }
            assert_eq!(marks.finish(TEXT.len() as u64), whole, "pieces of {size}");
        }
    }

    /// Lines from each account's part alone are those from the whole text.
    #[test]
    fn an_accounts_part_alone_gives_the_lines_of_the_whole_text() {
        let resources = ["arn:t", "arn:u", "arn:v", "AWS::::Account:111", "AWS::::Account:111/us-east-1", "name", "é", "account_id"];
        let parts = AccountMarks::of_text(TEXT);
        for account in ["111", "222", "333", "444"] {
            let mut whole: Vec<RuleResult> = resources.iter().map(|r| result(account, r)).collect();
            attach_lines(TEXT, &mut whole);
            let part = parts[account];
            let mut alone = whole.clone();
            attach_lines_in(&TEXT[part.start as usize..part.end as usize], part.line, &mut alone);
            assert_eq!(alone, whole, "{account}");
        }
    }
}
