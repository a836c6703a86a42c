//! Rule metadata: the `# METADATA` block at the top of every rule file.
//!
//! regorus does not expose annotations (`rego.metadata.rule()`), so the Rust
//! side reads the comment block itself, parses it as YAML into
//! [`RuleMeta`](crate::finding::RuleMeta) and validates it. Errors name the file and the line of the offending key.

use crate::collect::events as lookups;
use crate::finding::{EventNeed, RuleMeta};
use crate::snapshot::actions::Action;

/// A metadata problem, located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaError {
    pub line: usize,
    pub message: String,
}

/// Where the METADATA block is and what it says.
#[derive(Debug, Clone)]
pub struct MetadataBlock {
    /// 1-based line of `# METADATA`.
    pub line: usize,
    pub meta: RuleMeta,
}

/// Finds and parses the package-scoped `# METADATA` block of a rule file.
/// `Ok(None)` when the file has no block at all.
pub fn parse_metadata(source: &str) -> Result<Option<MetadataBlock>, MetaError> {
    let lines: Vec<&str> = source.lines().collect();
    let Some(start) = lines.iter().position(|l| l.trim() == "# METADATA") else {
        return Ok(None);
    };
    let mut yaml = String::new();
    for line in &lines[start + 1..] {
        let trimmed = line.trim_start();
        let Some(rest) = trimmed.strip_prefix('#') else { break };
        // "# key: v" -> "key: v"; keep deeper indentation intact.
        yaml.push_str(rest.strip_prefix(' ').unwrap_or(rest));
        yaml.push('\n');
    }
    let first_yaml_line = start + 2; // 1-based line of the first YAML line
    // Pack files may come from a pull request: the same bounds as the configuration.
    crate::yaml_bounds::check(&yaml)
        .map_err(|(line, _, message)| MetaError { line: first_yaml_line + line - 1, message: format!("invalid METADATA: {message}") })?;
    // An unknown API action in `custom.requires` fails here, as `Action`'s own error.
    let meta: RuleMeta = serde_yaml_ng::from_str(&yaml).map_err(|e| MetaError {
        // The YAML parser also breaks lines at U+0085 and U+2028/9, which `lines()` does
        // not: keep the reported line inside the block rather than past the file's end.
        line: e.location().map_or(start + 1, |loc| first_yaml_line + loc.line().clamp(1, yaml.lines().count().max(1)) - 1),
        message: format!("invalid METADATA{}: {}", rule_named(&yaml), strip_yaml_position(&e.to_string())),
    })?;
    let block = MetadataBlock { line: start + 1, meta };
    validate(&block, &yaml, first_yaml_line)?;
    Ok(Some(block))
}

/// ` of rule `ID``, when the block that failed to parse still names its id.
fn rule_named(yaml: &str) -> String {
    let value: Option<serde_yaml_ng::Value> = serde_yaml_ng::from_str(yaml).ok();
    match value.as_ref().and_then(|v| v.get("custom")?.get("id")?.as_str()) {
        Some(id) => format!(" of rule `{id}`"),
        None => String::new(),
    }
}

fn strip_yaml_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Checks what serde cannot: formats, non-empty text (serde checks the API actions).
fn validate(block: &MetadataBlock, yaml: &str, first_yaml_line: usize) -> Result<(), MetaError> {
    let line_of = |key: &str| -> usize {
        yaml.lines().position(|l| l.trim_start().starts_with(&format!("{key}:"))).map_or(block.line, |i| first_yaml_line + i)
    };
    let err = |key: &str, message: String| MetaError { line: line_of(key), message };
    let meta = &block.meta;
    let custom = &meta.custom;
    if meta.title.trim().is_empty() {
        return Err(err("title", "METADATA `title` is empty".into()));
    }
    if meta.description.trim().is_empty() {
        return Err(err("description", "METADATA `description` is empty".into()));
    }
    if let Some(scope) = &meta.scope
        && scope != "package"
    {
        return Err(err("scope", format!("METADATA `scope` must be `package`, not `{scope}`")));
    }
    let id_ok = custom.id.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && custom.id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    if !id_ok {
        return Err(err("id", format!("rule id `{}` must look like `CT-001` (A-Z, 0-9, -)", custom.id)));
    }
    if custom.requires.is_empty() {
        return Err(err("requires", "METADATA `custom.requires` must list the API calls the rule depends on".into()));
    }
    for need in &custom.events {
        check_event_need(&custom.id, need).map_err(|message| err("events", message))?;
    }
    if !custom.events.is_empty() && !custom.requires.contains(&Action::CloudTrailLookupEvents) {
        return Err(err(
            "requires",
            format!("rule {} declares `custom.events` but does not list `cloudtrail:LookupEvents` in `custom.requires`", custom.id),
        ));
    }
    for (framework, controls) in &custom.frameworks {
        let key_ok =
            !framework.is_empty() && framework.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        if !key_ok {
            return Err(err("frameworks", format!("framework key `{framework}` must be lower-case like `cis-aws-v5.0`")));
        }
        if controls.is_empty() {
            return Err(err("frameworks", format!("framework `{framework}` lists no control ids")));
        }
    }
    if custom.remediation.console.trim().is_empty() || custom.remediation.cli.trim().is_empty() {
        return Err(err("remediation", "METADATA `custom.remediation` needs both `console` and `cli`".into()));
    }
    Ok(())
}

/// One entry of `custom.events` is well formed and asks only for events the
/// collector's LookupEvents queries return.
fn check_event_need(id: &str, need: &EventNeed) -> Result<(), String> {
    let missing = |what: String| {
        let queried: Vec<String> = lookups::QUERIES.iter().map(|(k, v)| format!("{}={v}", k.as_str())).collect();
        format!(
            "rule {id} detects {what}, which the collector's LookupEvents queries never ask for (src/collect/events.rs \
             queries {}): the rule could only ever report \"none found\"; query it there or drop it from the rule",
            queried.join(", ")
        )
    };
    match (&need.source, need.names.as_slice(), &need.user) {
        (Some(source), names @ [_, ..], None) => {
            if let Some(name) = names.iter().find(|name| !lookups::covers_event(source, name)) {
                return Err(missing(format!("event `{name}` from `{source}`")));
            }
            Ok(())
        }
        (None, [], Some(user)) => {
            if !lookups::covers_user(user) {
                return Err(missing(format!("the events of user `{user}`")));
            }
            Ok(())
        }
        _ => Err(format!(
            "rule {id}: each entry of `custom.events` is either `{{source: <service>.amazonaws.com, names: [...]}}` \
             (these events of one service) or `{{user: <name>}}` (every event of one user, e.g. `root`)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    const GOOD: &str = "# METADATA\n# title: T\n# description: D\n# custom:\n#   id: CT-999\n#   severity: high\n#   subject: trail\n#   requires: [cloudtrail:DescribeTrails]\n#   frameworks:\n#     aws-securityhub: [CloudTrail.4]\n#   remediation:\n#     console: Do it.\n#     cli: aws x\npackage trailaudit.x\n";

    #[test]
    fn parses_a_complete_block() {
        let block = parse_metadata(GOOD).unwrap().unwrap();
        assert_eq!(block.line, 1);
        assert_eq!(block.meta.custom.id, "CT-999");
        assert_eq!(block.meta.custom.severity, Severity::High);
        assert_eq!(block.meta.custom.frameworks["aws-securityhub"], vec!["CloudTrail.4"]);
    }

    #[test]
    fn a_line_break_only_yaml_sees_keeps_the_error_inside_the_block() {
        // U+0085 (NEL) is a line break to the YAML parser, not to `str::lines`.
        let src = "# METADATA\n# title: x\u{85}\u{85}\u{85}\u{85}\n# custom: [\npackage p\n";
        let e = parse_metadata(src).expect_err("unterminated flow sequence");
        assert!(e.line >= 2 && e.line <= 3, "{e:?}");
    }

    #[test]
    fn missing_field_is_an_error_with_a_line() {
        let src = GOOD.replace("#   severity: high\n", "");
        let e = parse_metadata(&src).unwrap_err();
        assert!(e.message.contains("severity"), "{e:?}");
        assert!(e.line >= 2, "{e:?}");
    }

    #[test]
    fn unknown_key_names_its_line() {
        let src = GOOD.replace("#   severity: high\n", "#   severity: high\n#   sevrity: low\n");
        let e = parse_metadata(&src).unwrap_err();
        assert!(e.message.contains("sevrity"), "{e:?}");
        assert_eq!(e.line, 7, "{e:?}");
    }

    #[test]
    fn unknown_action_is_rejected() {
        let src = GOOD.replace("cloudtrail:DescribeTrails", "cloudtrail:DescribeTrial");
        let e = parse_metadata(&src).unwrap_err();
        assert!(
            e.message.starts_with("invalid METADATA of rule `CT-999`: custom.requires: unknown API action `cloudtrail:DescribeTrial` (known: account:ListRegions, "),
            "{e:?}"
        );
        assert_eq!(e.line, 8);
    }

    const EVENTS: &str =
        "#   requires: [cloudtrail:LookupEvents]\n#   events:\n#     - source: cloudtrail.amazonaws.com\n#       names: [StopLogging]\n";

    #[test]
    fn declared_events_the_collector_queries_are_accepted() {
        let block = parse_metadata(&GOOD.replace("#   requires: [cloudtrail:DescribeTrails]\n", EVENTS)).unwrap().unwrap();
        assert_eq!(block.meta.custom.events[0].names, vec!["StopLogging"]);
        let by_name = EVENTS.replace("cloudtrail.amazonaws.com", "kms.amazonaws.com").replace("StopLogging", "DisableKey");
        assert!(parse_metadata(&GOOD.replace("#   requires: [cloudtrail:DescribeTrails]\n", &by_name)).is_ok());
        let root = "#   requires: [cloudtrail:LookupEvents]\n#   events:\n#     - user: root\n";
        assert!(parse_metadata(&GOOD.replace("#   requires: [cloudtrail:DescribeTrails]\n", root)).is_ok());
    }

    #[test]
    fn an_event_no_query_asks_for_is_an_error_naming_rule_line_and_event() {
        let src = GOOD.replace(
            "#   requires: [cloudtrail:DescribeTrails]\n",
            &EVENTS.replace("cloudtrail.amazonaws.com", "iam.amazonaws.com").replace("StopLogging", "CreateAccessKey"),
        );
        let e = parse_metadata(&src).unwrap_err();
        assert_eq!(e.line, 9, "{e:?}");
        assert!(e.message.contains("rule CT-999 detects event `CreateAccessKey` from `iam.amazonaws.com`"), "{e:?}");
        assert!(e.message.contains("EventSource=cloudtrail.amazonaws.com, EventName=ConsoleLogin"), "{e:?}");
        let user = "#   requires: [cloudtrail:LookupEvents]\n#   events:\n#     - user: admin\n";
        let e = parse_metadata(&GOOD.replace("#   requires: [cloudtrail:DescribeTrails]\n", user)).unwrap_err();
        assert!(e.message.contains("the events of user `admin`"), "{e:?}");
    }

    #[test]
    fn a_malformed_events_entry_or_missing_lookup_events_is_an_error() {
        for bad in
            ["#     - source: cloudtrail.amazonaws.com\n", "#     - names: [StopLogging]\n", "#     - user: root\n#       names: [X]\n"]
        {
            let src = GOOD.replace(
                "#   requires: [cloudtrail:DescribeTrails]\n",
                &format!("#   requires: [cloudtrail:LookupEvents]\n#   events:\n{bad}"),
            );
            let e = parse_metadata(&src).unwrap_err();
            assert!(e.message.contains("either `{source"), "{bad}: {e:?}");
        }
        let src = GOOD.replace("#   requires: [cloudtrail:DescribeTrails]\n", &EVENTS.replace("LookupEvents", "DescribeTrails"));
        let e = parse_metadata(&src).unwrap_err();
        assert!(e.message.contains("does not list `cloudtrail:LookupEvents`"), "{e:?}");
        assert_eq!(e.line, 8);
    }

    #[test]
    fn no_block_is_none() {
        assert!(parse_metadata("package x\n").unwrap().is_none());
    }
}
