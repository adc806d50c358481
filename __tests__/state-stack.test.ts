import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { exampleConfig } from "./support/config";
import { resourcesOf, synthAll, synthJson } from "./support/synth";

describe("state stack", () => {
  const state = synthAll().state!;
  const json = JSON.parse(state);

  test("bucket named per environment and account, never force-destroyed or destroyed", () => {
    expect(state).toHaveResourceWithProperties(S3Bucket, {
      bucket: "example-prod-tfstate-111111111111",
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
  });

  test("versioning, KMS encryption with a bucket key, public access blocked, ACLs disabled", () => {
    expect(state).toHaveResourceWithProperties(S3BucketVersioningA, {
      versioning_configuration: { status: "Enabled" },
    });
    expect(state).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" }, bucket_key_enabled: true }],
    });
    expect(state).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(state).toHaveResourceWithProperties(S3BucketOwnershipControls, {
      rule: { object_ownership: "BucketOwnerEnforced" },
    });
  });

  test("old state versions expire after the configured days", () => {
    expect(state).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
      rule: [expect.objectContaining({ noncurrent_version_expiration: [{ noncurrent_days: 90 }], status: "Enabled" })],
    });
    const changed = synthJson(exampleConfig((d) => (d.state.noncurrentVersionRetentionDays = 30))).state!;
    expect(resourcesOf(changed, "aws_s3_bucket_lifecycle_configuration")[0].rule[0].noncurrent_version_expiration).toEqual([
      { noncurrent_days: 30 },
    ]);
  });

  test("bucket policy denies every request without TLS", () => {
    const [policy] = resourcesOf(json, "aws_s3_bucket_policy");
    const document = JSON.parse(policy.policy);
    expect(document.Statement).toContainEqual({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [expect.stringMatching(/\.arn}$/), expect.stringMatching(/\.arn}\/\*$/)],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });

  test("lock table: LockID key, on demand, PITR, encryption, deletion protection", () => {
    expect(state).toHaveResourceWithProperties(DynamodbTable, {
      name: "example-prod-tfstate-lock",
      hash_key: "LockID",
      attribute: [{ name: "LockID", type: "S" }],
      billing_mode: "PAY_PER_REQUEST",
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true },
      deletion_protection_enabled: true,
      lifecycle: { prevent_destroy: true },
    });
  });

  test("bootstraps on local state named per environment, outside cdktf.out", () => {
    expect(json.terraform.backend).toEqual({ local: { path: "../../../terraform.example-prod.state.tfstate" } });
  });

  test("after the bootstrap, moves into its own bucket", () => {
    const migrated = synthJson(exampleConfig((d) => (d.state.backend = "s3"))).state!;
    expect(migrated.terraform.backend.s3).toMatchObject({
      bucket: "example-prod-tfstate-111111111111",
      key: "example/prod/state.tfstate",
    });
  });

  test("provider is locked to the customer account and tags everything", () => {
    expect(state).toHaveProviderWithProperties(AwsProvider, {
      region: "ap-northeast-1",
      allowed_account_ids: ["111111111111"],
      default_tags: [
        {
          tags: {
            customer: "example",
            environment: "prod",
            project: "amplify-dify-vpc",
            "managed-by": "cdktf",
            "cost-center": "0000",
          },
        },
      ],
    });
  });
});

describe("remote state of every other stack", () => {
  const stacks = synthJson();
  const others = Object.entries(stacks).filter(([name]) => name !== "state");

  test("there are other stacks to check", () => {
    expect(others.length).toBeGreaterThan(0);
  });

  test.each(others)("%s: S3 backend with its own key, encryption, both locks, account guard", (name, json) => {
    expect(json.terraform.backend).toEqual({
      s3: {
        bucket: "example-prod-tfstate-111111111111",
        key: `example/prod/${name}.tfstate`,
        region: "ap-northeast-1",
        encrypt: true,
        dynamodb_table: "example-prod-tfstate-lock",
        use_lockfile: true,
        allowed_account_ids: ["111111111111"],
      },
    });
  });
});
