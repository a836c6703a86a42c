//! What the security-platform formats (OCSF, ASFF) share: how a result's
//! subject maps to an AWS resource type and service, the finding types, and
//! the time a finding is dated by.

use crate::finding::{Audit, Rule, RuleResult, SubjectKind};

/// The finding's date: when the snapshot was collected, so that two reports of
/// one snapshot are the same bytes and a platform sees the observation time.
pub(super) fn observed_at(audit: &Audit) -> chrono::DateTime<chrono::Utc> {
    audit.metadata.collected_at
}

/// The ASFF resource type of a subject (the names Security Hub uses; `Other`
/// where it has none), used by both formats.
pub(super) fn resource_type(kind: Option<SubjectKind>) -> &'static str {
    match kind {
        Some(SubjectKind::Account | SubjectKind::Region) => "AwsAccount",
        Some(SubjectKind::Trail) => "AwsCloudTrailTrail",
        Some(SubjectKind::Bucket) => "AwsS3Bucket",
        Some(SubjectKind::KmsKey) => "AwsKmsKey",
        Some(SubjectKind::DynamodbTable) => "AwsDynamoDbTable",
        Some(SubjectKind::LambdaFunction) => "AwsLambdaFunction",
        Some(SubjectKind::LogGroup | SubjectKind::EventDataStore | SubjectKind::Event) | None => "Other",
    }
}

/// The AWS service a subject belongs to (OCSF `resources[].group.name`).
pub(super) fn service(kind: Option<SubjectKind>) -> &'static str {
    match kind {
        Some(SubjectKind::Bucket) => "s3",
        Some(SubjectKind::KmsKey) => "kms",
        Some(SubjectKind::LogGroup) => "logs",
        Some(SubjectKind::DynamodbTable) => "dynamodb",
        Some(SubjectKind::LambdaFunction) => "lambda",
        Some(SubjectKind::Account | SubjectKind::Region) => "account",
        Some(SubjectKind::Trail | SubjectKind::EventDataStore | SubjectKind::Event) | None => "cloudtrail",
    }
}

/// Finding types in ASFF's `namespace/category/classifier` taxonomy: a rule
/// on configuration is a best-practice check (and an industry-standard one when
/// it maps to a CIS benchmark); an event detection is unusual behaviour.
pub(super) fn finding_types(rule: Option<&Rule>) -> Vec<&'static str> {
    let Some(rule) = rule else { return vec!["Software and Configuration Checks/AWS Security Best Practices"] };
    if rule.meta.custom.subject == SubjectKind::Event {
        return vec!["Unusual Behaviors/User"];
    }
    let mut types = vec!["Software and Configuration Checks/AWS Security Best Practices"];
    if rule.meta.custom.frameworks.keys().any(|k| k.starts_with("cis-aws")) {
        types.push("Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark");
    }
    types
}

/// The name of a resource: the last part of its ARN (or id).
pub(super) fn resource_name(resource: &str) -> &str {
    resource.rsplit(['/', ':']).find(|s| !s.is_empty()).unwrap_or(resource)
}

/// A rule's documentation page: its first related resource, else its entry in docs/rules.md.
pub(super) fn rule_url(rule: Option<&Rule>, rule_id: &str) -> String {
    match rule.and_then(|r| r.meta.related_resources.first()) {
        Some(url) => url.url().to_owned(),
        None => format!("{}/blob/main/docs/rules.md#{}", env!("CARGO_PKG_REPOSITORY"), rule_id.to_lowercase()),
    }
}

/// Framework key → controls, as `key/control` strings (`cis-aws-v5.0/3.2`).
pub(super) fn requirements(rule: Option<&Rule>) -> Vec<String> {
    rule.map(|r| r.meta.custom.frameworks.iter().flat_map(|(k, ids)| ids.iter().map(move |id| format!("{k}/{id}"))).collect())
        .unwrap_or_default()
}

/// The subject kind of a result's rule.
pub(super) fn subject(rule: Option<&Rule>) -> Option<SubjectKind> {
    rule.map(|r| r.meta.custom.subject)
}

/// The results both formats emit, each with its rule (all of them: a pass is a
/// finding whose status says it passed, as Prowler and Security Hub record them).
/// Writes them as one JSON array, a finding at a time (`finding` makes one).
pub(super) fn write_array(
    audit: &Audit,
    out: &mut dyn std::io::Write,
    finding: &dyn Fn(&RuleResult, Option<&Rule>) -> serde_json::Value,
) -> std::io::Result<()> {
    out.write_all(b"[")?;
    let mut first = true;
    audit.for_each_result(&mut |r| {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        first = false;
        serde_json::to_writer_pretty(&mut *out, &finding(r, audit.rule(&r.rule_id)))?;
        Ok(())
    })?;
    out.write_all(b"\n]\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn resource_names_are_the_last_part_of_the_arn() {
        assert_eq!(super::resource_name("arn:aws:cloudtrail:us-east-1:111111111111:trail/main"), "main");
        assert_eq!(super::resource_name("arn:aws:s3:::logs-bucket"), "logs-bucket");
        assert_eq!(super::resource_name("AWS::::Account:111111111111/eu-west-1"), "eu-west-1");
        assert_eq!(super::resource_name("plain"), "plain");
    }
}
