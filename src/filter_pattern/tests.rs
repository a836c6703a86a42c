//! Parser and coverage tests on the CIS texts (as printed in
//! `/work/shared/reference/controls.md` section 3.2) and their rewrites.

use super::*;

fn p(text: &str) -> Pattern {
    Pattern::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn missed(candidate: &str, required: &str) -> Vec<String> {
    misses(&p(candidate), &p(required)).iter().map(ToString::to_string).collect()
}

const IAM: &str = "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}";

/// 4.1 as required (v4/v5 meaning, parenthesised).
const UNAUTHORIZED: &str = r#"{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }"#;
const ROOT: &str = "{ $.userIdentity.type = Root && $.userIdentity.invokedBy NOT EXISTS && $.eventType != AwsServiceEvent }";

/// Every pattern text of controls.md section 3.2 (v4/v5 JSON, unquoted).
const CIS_TEXTS: &[&str] = &[
    "{ ($.errorCode =*UnauthorizedOperation) || ($.errorCode =AccessDenied*) && ($.sourceIPAddress!=delivery.logs.amazonaws.com) && ($.eventName!=HeadBucket) }",
    "{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != Yes) }",
    "{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != Yes) && ($.userIdentity.type = IAMUser) && ($.responseElements.ConsoleLogin = Success) }",
    ROOT,
    IAM,
    "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
    r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#,
    "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }",
    "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }",
    "{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }",
    "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }",
    "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }",
    "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
    "{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }",
    "{($.eventSource = ec2.amazonaws.com) && ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }",
    "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }",
    "{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || ($.eventName = AttachPolicy) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganizationalUnit) || ($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || ($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = DetachPolicy) || ($.eventName = DisablePolicyType) || ($.eventName = EnablePolicyType) || ($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || ($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || ($.eventName = UpdatePolicy) || ($.eventName = UpdateOrganizationalUnit)) }",
];

#[test]
fn every_cis_text_parses_and_covers_itself() {
    for text in CIS_TEXTS {
        let pattern = p(text);
        assert_eq!(misses(&pattern, &pattern), Vec::new(), "{text}");
    }
}

#[test]
fn unparenthesised_mixes_are_ambiguous_and_bind_and_first() {
    let cis41 = p(CIS_TEXTS[0]);
    assert!(cis41.is_ambiguous());
    assert!(!p(UNAUTHORIZED).is_ambiguous());
    assert!(!p(IAM).is_ambiguous());
    assert!(!p("{ $.a = 1 && $.b = 2 }").is_ambiguous());
    assert!(p("{ $.a = 1 && $.b = 2 || $.c = 3 }").is_ambiguous());
    assert!(!p("{ ($.a = 1 && $.b = 2) || $.c = 3 }").is_ambiguous());
    // The guide's own example: `x || y && z` matches when only x holds.
    let doc = p(r#"{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }"#);
    let event = |f: &str| match f {
        "user.email" => Value::Str("John.Stiles@example.com".into()),
        _ => Value::Str("x".into()),
    };
    assert!(doc.matches(&event));
    let grouped = p(r#"{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }"#);
    assert!(!grouped.matches(&event));
}

#[test]
fn the_v5_41_text_as_aws_reads_it_covers_the_requirement() {
    // `a || b && c && d` = `a || (b && c && d)`: a superset of `(a || b) && c && d`.
    assert_eq!(missed(CIS_TEXTS[0], UNAUTHORIZED), Vec::<String>::new());
}

#[test]
fn the_v3_all_or_41_text_is_a_superset() {
    let v3 = r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") || ($.sourceIPAddress!="delivery.logs.amazonaws.com") || ($.eventName!="HeadBucket") }"#;
    assert_eq!(missed(v3, UNAUTHORIZED), Vec::<String>::new());
    // ... and not the other way round.
    assert!(!missed(UNAUTHORIZED, v3).is_empty());
}

#[test]
fn equivalent_rewrites_cover() {
    let rewrites = [
        // quotes vs none, spacing
        r#"{($.errorCode="*UnauthorizedOperation"||$.errorCode="AccessDenied*")&&$.sourceIPAddress!="delivery.logs.amazonaws.com"&&$.eventName!="HeadBucket"}"#,
        // reordering and extra parentheses and whitespace
        "{\n  ((( $.eventName != HeadBucket ))) &&\t( $.sourceIPAddress != delivery.logs.amazonaws.com ) && ( $.errorCode = AccessDenied* || $.errorCode = *UnauthorizedOperation )\n}",
        // the conjunction distributed over the disjunction
        "{ ($.errorCode = *UnauthorizedOperation && $.sourceIPAddress != delivery.logs.amazonaws.com && $.eventName != HeadBucket) || ($.errorCode = AccessDenied* && $.eventName != HeadBucket && $.sourceIPAddress != delivery.logs.amazonaws.com) }",
    ];
    for text in rewrites {
        assert_eq!(missed(text, UNAUTHORIZED), Vec::<String>::new(), "{text}");
        assert_eq!(missed(UNAUTHORIZED, text), Vec::<String>::new(), "reverse of {text}");
    }
}

/// The grammar has no NOT; negation is `!=`, which (like `=`) needs a value.
/// So "not (a or b)" is `$.x != a && $.x != b`, and stating that the value
/// exists (`= *`) changes nothing.
#[test]
fn de_morgan_with_inequalities() {
    let required = "{ $.eventName != HeadBucket && $.eventName != GetObject }";
    let rewritten = "{ ($.eventName = *) && !($.eventName = HeadBucket || $.eventName = GetObject) }";
    assert!(Pattern::parse(rewritten).is_err(), "there is no `!(...)`");
    let with_exists = "{ ($.eventName = \"*\") && (($.eventName != GetObject) && ($.eventName != HeadBucket)) }";
    assert!(missed(with_exists, required).is_empty());
    assert!(missed(required, with_exists).is_empty());
    // `!=` is not "anything but": an event without the field is matched by neither.
    assert!(missed("{ $.eventName != HeadBucket }", "{ $.eventName NOT EXISTS }").len() == 1);
}

#[test]
fn the_basic_42_text_covers_the_sso_requirement() {
    assert!(missed(CIS_TEXTS[1], CIS_TEXTS[2]).is_empty());
    assert_eq!(
        missed(CIS_TEXTS[2], CIS_TEXTS[1]),
        vec!["eventName=ConsoleLogin, additionalEventData.MFAUsed=<other>, userIdentity.type=<other>"]
    );
}

#[test]
fn quoted_and_unquoted_wildcards_are_the_same() {
    assert_eq!(missed("{ $.errorCode = AccessDenied* }", r#"{ $.errorCode = "AccessDenied*" }"#), Vec::<String>::new());
    assert_eq!(missed(r#"{ $.errorCode = "AccessDenied*" }"#, "{ $.errorCode = AccessDenied* }"), Vec::<String>::new());
}

#[test]
fn an_extra_event_name_is_fine() {
    let extra = IAM.replace("}", "||($.eventName=TagPolicy)}");
    assert_eq!(missed(&extra, IAM), Vec::<String>::new());
    assert_eq!(missed(IAM, &extra), vec!["eventName=TagPolicy"]);
}

#[test]
fn a_missing_iam_event_name_is_named() {
    let short = IAM.replace("($.eventName=DeleteGroupPolicy)||", "");
    assert_eq!(missed(&short, IAM), vec!["eventName=DeleteGroupPolicy"]);
}

#[test]
fn an_added_condition_names_the_extra_field() {
    let narrowed = IAM.replacen('{', "{ $.eventSource = iam.amazonaws.com && (", 1).replace('}', ") }");
    let got = missed(&narrowed, IAM);
    assert_eq!(got.len(), 16);
    assert_eq!(got[0], "eventName=DeleteGroupPolicy, eventSource=<other>");
}

#[test]
fn equality_swapped_for_inequality_is_caught() {
    let swapped = ROOT.replace("$.eventType != AwsServiceEvent", "$.eventType = AwsServiceEvent");
    assert_eq!(missed(&swapped, ROOT), vec!["userIdentity.type=Root, userIdentity.invokedBy=<absent>, eventType=<other>"]);
    let swapped = ROOT.replace("type = Root", "type != Root");
    assert_eq!(missed(&swapped, ROOT), vec!["userIdentity.type=Root"]);
}

#[test]
fn not_exists_is_a_real_predicate() {
    // Without the NOT EXISTS test the filter catches more: fine.
    let wider = "{ $.userIdentity.type = Root && $.eventType != AwsServiceEvent }";
    assert_eq!(missed(wider, ROOT), Vec::<String>::new());
    // IS NULL is not NOT EXISTS: root events without invokedBy are missed.
    let null = ROOT.replace("NOT EXISTS", "IS NULL");
    assert_eq!(missed(&null, ROOT), vec!["userIdentity.type=Root, userIdentity.invokedBy=<absent>"]);
    // `!=` does not match an absent field (the guide: comparisons need a value node).
    let ne = ROOT.replace("$.userIdentity.invokedBy NOT EXISTS", "$.userIdentity.invokedBy != x");
    assert_eq!(missed(&ne, ROOT), vec!["userIdentity.type=Root, userIdentity.invokedBy=<absent>"]);
}

#[test]
fn a_narrower_wildcard_is_caught() {
    let narrower = UNAUTHORIZED.replace("AccessDenied*", "AccessDeniedException");
    // The error code alone names the missed events (whatever their source IP
    // and event name, as long as the requirement matches them).
    assert_eq!(missed(&narrower, UNAUTHORIZED), vec!["errorCode=AccessDenied"]);
    let narrower = UNAUTHORIZED.replace("*UnauthorizedOperation", "Client.UnauthorizedOperation");
    assert_eq!(missed(&narrower, UNAUTHORIZED), vec!["errorCode=UnauthorizedOperation"]);
    // Where a second field decides, it is named too.
    let narrower =
        UNAUTHORIZED.replace(r#"($.errorCode = "AccessDenied*")"#, r#"($.errorCode = "AccessDenied*" && $.sourceIPAddress = "10.*")"#);
    assert_eq!(missed(&narrower, UNAUTHORIZED), vec!["errorCode=AccessDenied, sourceIPAddress=<other>"]);
    // A wider one is fine.
    let wider = UNAUTHORIZED.replace("AccessDenied*", "Access*");
    assert_eq!(missed(&wider, UNAUTHORIZED), Vec::<String>::new());
}

#[test]
fn wildcard_combinations_are_exact() {
    // `*Denied*` catches everything `AccessDenied*` catches.
    assert!(missed("{ $.e = *Denied* }", "{ $.e = AccessDenied* }").is_empty());
    // Prefix and suffix both required vs only one.
    assert_eq!(missed("{ $.e = Access* && $.e = *Denied }", "{ $.e = Access* }"), vec!["e=Access"]);
    // An inner `*` is a literal character (CloudWatch Logs guide: `Ev*ent` matches only itself).
    assert_eq!(missed("{ $.e = Ev*ent }", "{ $.e = Event }"), vec!["e=Event"]);
    // Excluding a constant that the wildcard covers leaves a hole exactly there.
    assert_eq!(missed("{ $.e = Access* && $.e != AccessDenied }", "{ $.e = Access* }"), vec!["e=AccessDenied"]);
}

#[test]
fn numbers_compare_numerically() {
    assert!(missed("{ $.latency > 400 }", "{ $.latency >= 500 }").is_empty());
    assert_eq!(missed("{ $.latency > 500 }", "{ $.latency >= 500 }"), vec!["latency=500 (number)"]);
    // Numbers compare as numbers; the string "400" is not the text "400.0".
    assert_eq!(missed("{ $.code = 400.0 }", "{ $.code = 400 }"), vec!["code=400"]);
    assert!(missed("{ $.code = 400.0 || $.code = \"400\" }", "{ $.code = 400 }").is_empty());
}

#[test]
fn booleans_and_null() {
    assert!(missed("{ $.flag IS TRUE || $.other IS NULL }", "{ $.flag IS TRUE }").is_empty());
    assert_eq!(missed("{ $.flag IS FALSE }", "{ $.flag IS TRUE }"), vec!["flag=true"]);
}

#[test]
fn malformed_patterns_say_where_and_what() {
    let cases: &[(&str, usize, &str)] = &[
        ("$.eventName = X", 1, "`{`"),
        ("{ $.eventName = X", 18, "`&&`, `||` or `}`"),
        ("{ ($.eventName = X }", 20, "`&&`, `||` or `)`"),
        ("{ $.eventName X }", 15, "a comparison"),
        ("{ $.eventName = }", 17, "a value after `=`"),
        ("{ $.eventName = \"X }", 21, "a closing `\"` for the string opened at character 17"),
        ("{ $.latency > abc }", 15, "a number after `>`"),
        ("{ $.a = 1 & $.b = 2 }", 11, "`&&`, `||` or `!=`"),
        ("{ $. = 1 }", 5, "a property name"),
        ("{ $.a[x] = 1 }", 7, "an array index"),
        ("{ $.a IS MAYBE }", 10, "`NULL`, `TRUE` or `FALSE`"),
        ("{ $.a = 1 } trailing", 13, "the end of the pattern"),
        ("{ }", 3, "a selector"),
        ("{ $.a = 1 || }", 14, "a selector"),
        ("ERROR", 1, "`{`"),
    ];
    for (text, position, expected) in cases {
        let err = Pattern::parse(text).expect_err(text);
        assert_eq!(err.position, *position, "{text}: {err}");
        assert!(err.expected.starts_with(expected), "{text}: {err}");
        assert!(err.to_string().starts_with(&format!("at character {position}: expected")), "{err}");
    }
}

#[test]
fn positions_count_characters_not_bytes() {
    let err = Pattern::parse("{ $.a = \"é\" && }").expect_err("dangling &&");
    assert_eq!(err.position, 16);
}

/// A small deterministic generator (no dependency needed for this).
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Property: for random events, an event the required pattern matches and
/// the candidate does not exists exactly when `misses` is non-empty, and
/// every such event fits one of the reported descriptions.
#[test]
fn misses_agree_with_matching_random_events() {
    let pairs = [
        (CIS_TEXTS[0], UNAUTHORIZED),
        (UNAUTHORIZED, CIS_TEXTS[0]),
        (
            r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") || ($.sourceIPAddress!="delivery.logs.amazonaws.com") || ($.eventName!="HeadBucket") }"#,
            UNAUTHORIZED,
        ),
        ("{ $.errorCode = AccessDeniedException && $.eventName != HeadBucket }", UNAUTHORIZED),
        ("{ $.userIdentity.type = Root && $.eventType != AwsServiceEvent }", ROOT),
        ("{ $.userIdentity.type = Root && $.userIdentity.invokedBy IS NULL }", ROOT),
        ("{ $.eventName = ConsoleLogin && $.additionalEventData.MFAUsed != Yes }", CIS_TEXTS[2]),
        (CIS_TEXTS[2], CIS_TEXTS[1]),
    ];
    let strings = [
        "AccessDenied",
        "AccessDeniedException",
        "Client.UnauthorizedOperation",
        "UnauthorizedOperation",
        "Root",
        "IAMUser",
        "HeadBucket",
        "delivery.logs.amazonaws.com",
        "AwsServiceEvent",
        "ConsoleLogin",
        "Yes",
        "No",
        "Success",
        "x",
        "AccessDeniedUnauthorizedOperation",
    ];
    let fields = [
        "errorCode",
        "sourceIPAddress",
        "eventName",
        "userIdentity.type",
        "userIdentity.invokedBy",
        "eventType",
        "additionalEventData.MFAUsed",
        "responseElements.ConsoleLogin",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for (candidate, required) in pairs {
        let (c, r) = (p(candidate), p(required));
        let reported = misses(&c, &r);
        let mut found_missed = false;
        for _ in 0..3000 {
            let event: Vec<Value> = fields
                .iter()
                .map(|_| match rng.next(8) {
                    0 => Value::Absent,
                    1 => Value::Null,
                    _ => Value::Str(strings[rng.next(strings.len())].to_owned()),
                })
                .collect();
            let lookup = |f: &str| fields.iter().position(|x| *x == f).map_or(Value::Absent, |i| event[i].clone());
            if r.matches(&lookup) && !c.matches(&lookup) {
                found_missed = true;
                assert!(!reported.is_empty(), "{candidate} misses {event:?} of {required} but nothing was reported");
            }
        }
        if reported.is_empty() {
            assert!(!found_missed);
        }
        // Every reported miss is a real event: required matches it, the candidate does not.
        for miss in &reported {
            let lookup = |f: &str| miss.witness.iter().find(|(name, _)| name == f).map_or(Value::Absent, |(_, v)| v.clone());
            assert!(r.matches(&lookup) && !c.matches(&lookup), "{candidate} vs {required}: {miss} is not a miss");
        }
    }
}

#[test]
fn selectors_with_array_indexes_and_keywords_parse() {
    let pattern = p(
        "{ $.users[0].id = 2 && $.coordinates[0][1] != x && $.SomeObject IS NULL && $.gone NOT EXISTS && $.flag IS TRUE && $.n <= -1.5e3 }",
    );
    let fields: Vec<&str> = pattern.expr.atoms().iter().map(|a| a.field.as_str()).collect();
    assert_eq!(fields, ["users[0].id", "coordinates[0][1]", "SomeObject", "gone", "flag", "n"]);
    assert_eq!(pattern.expr.atoms()[5].test, Test::Num(NumOp::Le, -1500.0));
    // Equal patterns by meaning, whatever the spelling.
    assert!(missed("{$.users[0].id=2}", "{ ( $.users[0].id = \"2\" ) }").is_empty());
}
