//! Finds the line of a result's resource in the audited snapshot file, so
//! SARIF can point at it.
//!
//! One pass over the text: each account's byte range is found from its
//! `"account_id"`, and the string literals inside it are indexed once, so the
//! cost is linear in the snapshot size, not results × size.

use std::collections::HashMap;

use crate::finding::RuleResult;

/// String literals of one account's part of the snapshot: as object keys (the
/// resource's own record, `"arn": {`) and anywhere (a mention).
#[derive(Default)]
struct AccountIndex<'t> {
    start: usize,
    keys: HashMap<&'t str, usize>,
    mentions: HashMap<&'t str, usize>,
}

/// Sets `snapshot_line` on each result: the line of its resource's record, or
/// of its first mention, within its account; the account's line for account-
/// and region-level subjects when nothing closer is found.
pub fn attach_lines(text: &str, results: &mut [RuleResult]) {
    let line_starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset);
    let starts = account_starts(text);
    let ranges: HashMap<&str, (usize, usize)> = starts.iter().map(|(id, start, end)| (id.as_str(), (*start, *end))).collect();
    let mut indexes: HashMap<&str, AccountIndex> = HashMap::new();
    for result in results.iter_mut() {
        let Some((&id, &(start, end))) = ranges.get_key_value(result.account.as_str()) else {
            result.snapshot_line = None;
            continue;
        };
        let index = indexes.entry(id).or_insert_with(|| index_range(text, start, end));
        // An account subject points at its account; a region subject at the region's key.
        let needle: Option<String> = match result.resource.strip_prefix("AWS::::Account:") {
            Some(rest) => rest.split_once('/').map(|(_, region)| region.to_owned()),
            None => Some(json_content(&result.resource)),
        };
        let offset =
            needle.and_then(|n| index.keys.get(n.as_str()).or_else(|| index.mentions.get(n.as_str())).copied()).unwrap_or(index.start);
        result.snapshot_line = Some(line_of(offset));
    }
}

/// The string as it appears between quotes in JSON.
fn json_content(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted[1..quoted.len().saturating_sub(1)].to_owned()
}

/// `(account id, start, end)` of each account's part of the text, in order.
/// Only the first `"account_id"` per id counts (errors repeat them later).
fn account_starts(text: &str) -> Vec<(String, usize, usize)> {
    let mut found: Vec<(String, usize)> = Vec::new();
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for (at, _) in text.match_indices("\"account_id\"") {
        let rest = text[at + 12..].trim_start();
        let Some(rest) = rest.strip_prefix(':') else { continue };
        let rest = rest.trim_start();
        let Some(value) = rest.strip_prefix('"').and_then(|r| r.split('"').next()) else { continue };
        if seen.insert(value) {
            found.push((value.to_owned(), at));
        }
    }
    let mut sorted = found.clone();
    sorted.sort_by_key(|(_, at)| *at);
    sorted.iter().enumerate().map(|(i, (id, at))| (id.clone(), *at, sorted.get(i + 1).map_or(text.len(), |(_, next)| *next))).collect()
}

fn index_range(text: &str, start: usize, end: usize) -> AccountIndex<'_> {
    let mut index = AccountIndex { start, ..AccountIndex::default() };
    let bytes = text.as_bytes();
    let mut i = start;
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
