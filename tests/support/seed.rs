//! Scenario seeding through moto's AWS APIs, with the same SDK the collector uses.

use aws_config::{BehaviorVersion, Region, SdkConfig};

pub const ACCOUNT: &str = "123456789012";
pub const SECOND_ACCOUNT: &str = "111111111111";

pub struct Seeder {
    pub sdk: SdkConfig,
}

impl Seeder {
    pub async fn new(endpoint: &str) -> Seeder {
        let sdk = aws_config::defaults(BehaviorVersion::latest())
            .http_client(trailaudit::collect::https_client())
            .endpoint_url(endpoint)
            .region(Region::new("us-east-1"))
            .load()
            .await;
        Seeder { sdk }
    }

    /// A seeder acting in another moto account, through sts:AssumeRole.
    pub async fn assume(&self, role_arn: &str) -> Seeder {
        let provider = aws_config::sts::AssumeRoleProvider::builder(role_arn).session_name("seed").configure(&self.sdk).build().await;
        let sdk = self.sdk.to_builder().credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(provider)).build();
        Seeder { sdk }
    }

    pub fn cloudtrail(&self, region: &str) -> aws_sdk_cloudtrail::Client {
        let c = aws_sdk_cloudtrail::config::Builder::from(&self.sdk).region(Region::new(region.to_owned())).build();
        aws_sdk_cloudtrail::Client::from_conf(c)
    }
    pub fn s3(&self) -> aws_sdk_s3::Client {
        let c = aws_sdk_s3::config::Builder::from(&self.sdk).force_path_style(true).build();
        aws_sdk_s3::Client::from_conf(c)
    }
    pub fn logs(&self, region: &str) -> aws_sdk_cloudwatchlogs::Client {
        let c = aws_sdk_cloudwatchlogs::config::Builder::from(&self.sdk).region(Region::new(region.to_owned())).build();
        aws_sdk_cloudwatchlogs::Client::from_conf(c)
    }
    pub fn cloudwatch(&self, region: &str) -> aws_sdk_cloudwatch::Client {
        let c = aws_sdk_cloudwatch::config::Builder::from(&self.sdk).region(Region::new(region.to_owned())).build();
        aws_sdk_cloudwatch::Client::from_conf(c)
    }
    pub fn sns(&self, region: &str) -> aws_sdk_sns::Client {
        let c = aws_sdk_sns::config::Builder::from(&self.sdk).region(Region::new(region.to_owned())).build();
        aws_sdk_sns::Client::from_conf(c)
    }
    pub fn kms(&self, region: &str) -> aws_sdk_kms::Client {
        let c = aws_sdk_kms::config::Builder::from(&self.sdk).region(Region::new(region.to_owned())).build();
        aws_sdk_kms::Client::from_conf(c)
    }
    pub fn organizations(&self) -> aws_sdk_organizations::Client {
        aws_sdk_organizations::Client::new(&self.sdk)
    }
    pub fn sts(&self) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::new(&self.sdk)
    }
    pub fn config(&self, region: &str) -> aws_sdk_config::Client {
        let c = aws_sdk_config::config::Builder::from(&self.sdk).region(Region::new(region.to_owned())).build();
        aws_sdk_config::Client::from_conf(c)
    }

    pub async fn bucket(&self, name: &str) {
        self.s3().create_bucket().bucket(name).send().await.expect("create bucket");
    }

    /// The compliant set-up: a multi-region trail homed in `region` with KMS,
    /// log file validation, CloudWatch Logs delivery, one metric filter with an
    /// alarm notifying an SNS topic with an email subscriber, a private trail
    /// bucket (versioned, access-logged, encrypted, blocked from public), and an
    /// AWS Config recorder that is recording. Returns the trail ARN.
    pub async fn compliant(&self, region: &str, name: &str) -> String {
        let account = self.account().await;
        let bucket = format!("{name}-trail-logs");
        let access_logs = format!("{name}-access-logs");
        self.trail_bucket(&bucket, &access_logs, &[format!("arn:aws:s3:::{bucket}/AWSLogs/{account}/*")]).await;
        let key_arn = self.trail_key(region, name).await;
        let group_arn = self.monitoring(region, name).await;
        let trail_arn = self.logging_trail(region, name, &bucket, &key_arn, &group_arn, false).await;

        let config = self.config(region);
        config
            .put_configuration_recorder()
            .configuration_recorder(
                aws_sdk_config::types::ConfigurationRecorder::builder()
                    .name("default")
                    .role_arn(format!("arn:aws:iam::{account}:role/config"))
                    .recording_group(
                        aws_sdk_config::types::RecordingGroup::builder().all_supported(true).include_global_resource_types(true).build(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("config recorder");
        config
            .put_delivery_channel()
            .delivery_channel(aws_sdk_config::types::DeliveryChannel::builder().name("default").s3_bucket_name(&access_logs).build())
            .send()
            .await
            .expect("delivery channel");
        config.start_configuration_recorder().configuration_recorder_name("default").send().await.expect("start recorder");
        trail_arn
    }

    /// A private trail bucket `bucket` (policy letting cloudtrail.amazonaws.com
    /// put objects into each of `log_resources` (object ARNs with a wildcard), Block Public Access on,
    /// versioned, access-logged into `access_logs`), in this seeder's account.
    pub async fn trail_bucket(&self, bucket: &str, access_logs: &str, log_resources: &[String]) {
        self.bucket(bucket).await;
        self.bucket(access_logs).await;
        let s3 = self.s3();
        s3.put_bucket_acl()
            .bucket(access_logs)
            .grant_write(r#"uri="http://acs.amazonaws.com/groups/s3/LogDelivery""#)
            .grant_read_acp(r#"uri="http://acs.amazonaws.com/groups/s3/LogDelivery""#)
            .send()
            .await
            .expect("log delivery ACL");
        let resource = match log_resources {
            [one] => serde_json::to_string(one),
            many => serde_json::to_string(many),
        }
        .expect("policy resource");
        let policy = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"AWSCloudTrailWrite","Effect":"Allow","Principal":{{"Service":"cloudtrail.amazonaws.com"}},"Action":"s3:PutObject","Resource":{resource}}}]}}"#
        );
        s3.put_bucket_policy().bucket(bucket).policy(policy).send().await.expect("bucket policy");
        s3.put_public_access_block()
            .bucket(bucket)
            .public_access_block_configuration(
                aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .ignore_public_acls(true)
                    .block_public_policy(true)
                    .restrict_public_buckets(true)
                    .build(),
            )
            .send()
            .await
            .expect("bucket PAB");
        s3.put_bucket_versioning()
            .bucket(bucket)
            .versioning_configuration(
                aws_sdk_s3::types::VersioningConfiguration::builder().status(aws_sdk_s3::types::BucketVersioningStatus::Enabled).build(),
            )
            .send()
            .await
            .expect("versioning");
        s3.put_bucket_logging()
            .bucket(bucket)
            .bucket_logging_status(
                aws_sdk_s3::types::BucketLoggingStatus::builder()
                    .logging_enabled(
                        aws_sdk_s3::types::LoggingEnabled::builder().target_bucket(access_logs).target_prefix("trail/").build().unwrap(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("logging");
    }

    /// A rotating KMS key aliased `alias/{name}-trail` in `region`; returns its ARN.
    pub async fn trail_key(&self, region: &str, name: &str) -> String {
        let kms = self.kms(region);
        let key = kms.create_key().description("trail key").send().await.expect("key");
        let key_id = key.key_metadata().unwrap().key_id().to_owned();
        let key_arn = key.key_metadata().unwrap().arn().unwrap().to_owned();
        kms.enable_key_rotation().key_id(&key_id).send().await.expect("rotation");
        kms.create_alias().alias_name(format!("alias/{name}-trail")).target_key_id(&key_id).send().await.expect("alias");
        key_arn
    }

    /// The trail's CloudWatch Logs side in `region`: log group `/cloudtrail/{name}`
    /// (365 days), the unauthorized-API-calls metric filter, and its alarm
    /// notifying topic `{name}-alerts` with an email subscriber. Returns the
    /// log group ARN as a trail names it (with `:*`).
    pub async fn monitoring(&self, region: &str, name: &str) -> String {
        let account = self.account().await;
        let logs = self.logs(region);
        let group = format!("/cloudtrail/{name}");
        logs.create_log_group().log_group_name(&group).send().await.expect("log group");
        logs.put_retention_policy().log_group_name(&group).retention_in_days(365).send().await.expect("retention");
        logs.put_metric_filter()
            .log_group_name(&group)
            .filter_name("unauthorized-api-calls")
            .filter_pattern(r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }"#)
            .metric_transformations(
                aws_sdk_cloudwatchlogs::types::MetricTransformation::builder()
                    .metric_name("UnauthorizedAPICalls")
                    .metric_namespace("CISBenchmark")
                    .metric_value("1")
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .expect("metric filter");
        let topic = self.sns(region).create_topic().name(format!("{name}-alerts")).send().await.expect("topic");
        let topic_arn = topic.topic_arn().unwrap().to_owned();
        self.sns(region)
            .subscribe()
            .topic_arn(&topic_arn)
            .protocol("email")
            .endpoint("security@example.com")
            .send()
            .await
            .expect("subscribe");
        self.cloudwatch(region)
            .put_metric_alarm()
            .alarm_name("unauthorized-api-calls")
            .metric_name("UnauthorizedAPICalls")
            .namespace("CISBenchmark")
            .statistic(aws_sdk_cloudwatch::types::Statistic::Sum)
            .period(300)
            .evaluation_periods(1)
            .threshold(1.0)
            .comparison_operator(aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanOrEqualToThreshold)
            .alarm_actions(&topic_arn)
            .send()
            .await
            .expect("alarm");
        format!("arn:aws:logs:{region}:{account}:log-group:{group}:*")
    }

    /// A multi-region trail `name` homed in `region` (an organization trail when
    /// `organization`), delivering to `bucket` (which may be another account's)
    /// encrypted with `key_arn` and to `group_arn`, validating log files,
    /// logging, with one basic selector (all management events) and an `owner`
    /// tag. Returns its ARN.
    pub async fn logging_trail(
        &self,
        region: &str,
        name: &str,
        bucket: &str,
        key_arn: &str,
        group_arn: &str,
        organization: bool,
    ) -> String {
        let account = self.account().await;
        let ct = self.cloudtrail(region);
        let trail = ct
            .create_trail()
            .name(name)
            .s3_bucket_name(bucket)
            .is_multi_region_trail(true)
            .set_is_organization_trail(organization.then_some(true))
            .include_global_service_events(true)
            .enable_log_file_validation(true)
            .kms_key_id(key_arn)
            .cloud_watch_logs_log_group_arn(group_arn)
            .cloud_watch_logs_role_arn(format!("arn:aws:iam::{account}:role/cloudtrail-to-cwl"))
            .send()
            .await
            .expect("trail");
        let trail_arn = trail.trail_arn().unwrap().to_owned();
        ct.start_logging().name(&trail_arn).send().await.expect("start logging");
        ct.put_event_selectors()
            .trail_name(&trail_arn)
            .event_selectors(
                aws_sdk_cloudtrail::types::EventSelector::builder()
                    .read_write_type(aws_sdk_cloudtrail::types::ReadWriteType::All)
                    .include_management_events(true)
                    .build(),
            )
            .send()
            .await
            .expect("event selectors");
        ct.add_tags()
            .resource_id(&trail_arn)
            .tags_list(aws_sdk_cloudtrail::types::Tag::builder().key("owner").value("security").build().unwrap())
            .send()
            .await
            .expect("trail tags");
        trail_arn
    }

    /// The non-compliant set-up: a single-region trail in `region` whose
    /// logging is stopped, delivering to a bucket with a public read policy.
    pub async fn non_compliant(&self, region: &str, name: &str) -> String {
        let bucket = format!("{name}-public-logs");
        self.bucket(&bucket).await;
        let policy = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{bucket}/*"}}]}}"#
        );
        self.s3().put_bucket_policy().bucket(&bucket).policy(policy).send().await.expect("public policy");
        let ct = self.cloudtrail(region);
        let trail = ct.create_trail().name(name).s3_bucket_name(&bucket).send().await.expect("trail");
        let arn = trail.trail_arn().unwrap().to_owned();
        ct.start_logging().name(&arn).send().await.expect("start");
        ct.stop_logging().name(&arn).send().await.expect("stop");
        arn
    }

    pub async fn account(&self) -> String {
        let c = aws_sdk_sts::Client::new(&self.sdk);
        c.get_caller_identity().send().await.expect("identity").account().unwrap().to_owned()
    }
}
