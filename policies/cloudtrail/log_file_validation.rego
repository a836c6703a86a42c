# METADATA
# title: Trail validates log file integrity
# description: >-
#   With log file validation CloudTrail writes signed digest files, so anyone can prove
#   that delivered log files were not modified or deleted. Without it, logs are not
#   evidence.
# scope: package
# related_resources:
#   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html
# custom:
#   id: CT-005
#   severity: medium
#   subject: trail
#   requires: [cloudtrail:DescribeTrails]
#   frameworks:
#     aws-securityhub: [CloudTrail.4]
#     cis-aws-v3.0: ["3.2"]
#     cis-aws-v4.0: ["3.2"]
#     cis-aws-v5.0: ["3.2"]
#     cis-aws-v6.0: ["4.2"]
#     cis-aws-v7.0: ["4.2"]
#   remediation:
#     console: CloudTrail console → Trails → the trail → General details → Edit → enable **Log file validation**.
#     cli: aws cloudtrail update-trail --name <trail> --enable-log-file-validation
package trailaudit.cloudtrail.log_file_validation

import data.trailaudit.lib.result
import data.trailaudit.lib.trails

results contains result.pass(result.trail(t), sprintf("trail %s writes signed digest files", [t.name]), {"log_file_validation_enabled": true}) if {
	some t in trails.own
	t.log_file_validation_enabled
}

results contains result.fail(result.trail(t), sprintf("trail %s does not validate log files: deleted or altered logs would go unnoticed", [t.name]), {"log_file_validation_enabled": false}) if {
	some t in trails.own
	not t.log_file_validation_enabled
}
