import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA as S3BucketServerSideEncryptionConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA as S3BucketVersioning } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { policyDocument, type PolicyStatement } from "./iam-policy";

export interface PrivateBucketProps {
  /** Globally unique bucket name. */
  readonly bucketName: string;
  /**
   * `aws:kms` uses the account's AWS-managed S3 key (CloudTrail shows every decrypt); `AES256`
   * (SSE-S3) is the only kind some AWS log writers accept, e.g. ALB access logs.
   * @default "aws:kms"
   */
  readonly encryption?: "aws:kms" | "AES256";
  /**
   * Days an overwritten or deleted object version is kept. Every bucket is versioned.
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Days before current objects expire, for log buckets.
   * @default objects never expire
   */
  readonly expirationDays?: number;
  /**
   * Statements added to the bucket policy beside the TLS-only deny.
   * @default []
   */
  readonly policyStatements?: readonly PolicyStatement[];
  /**
   * `BucketOwnerEnforced` disables ACLs; CloudFront's standard logging needs them
   * (`BucketOwnerPreferred`), as it grants itself access to the log objects by ACL.
   * @default "BucketOwnerEnforced"
   */
  readonly objectOwnership?: "BucketOwnerEnforced" | "BucketOwnerPreferred";
  /**
   * Make `terraform destroy` fail on this bucket (Terraform's `prevent_destroy`).
   * @default false
   */
  readonly preventDestroy?: boolean;
}

/**
 * An S3 bucket nobody outside the account can read: public access blocked, ACLs disabled unless
 * a log writer needs them, encrypted, versioned with expiring old versions, TLS-only.
 */
export class PrivateBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly policy: S3BucketPolicy;
  readonly ownership: S3BucketOwnershipControls;

  constructor(scope: Construct, id: string, props: PrivateBucketProps) {
    super(scope, id);
    const encryption = props.encryption ?? "aws:kms";
    this.bucket = new S3Bucket(this, "bucket", {
      bucket: props.bucketName,
      forceDestroy: false,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    const bucket = this.bucket.id;

    new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    this.ownership = new S3BucketOwnershipControls(this, "ownership", {
      bucket,
      rule: { objectOwnership: props.objectOwnership ?? "BucketOwnerEnforced" },
    });
    new S3BucketServerSideEncryptionConfiguration(this, "encryption", {
      bucket,
      rule: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: encryption },
          // One KMS call per bucket key instead of per object.
          bucketKeyEnabled: encryption === "aws:kms",
        },
      ],
    });
    const versioning = new S3BucketVersioning(this, "versioning", {
      bucket,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket,
      dependsOn: [versioning],
      rule: [
        {
          id: "expire-old-versions",
          status: "Enabled",
          filter: [{}],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionExpirationDays ?? 90 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
          expiration: props.expirationDays ? [{ days: props.expirationDays }] : [{ expiredObjectDeleteMarker: true }],
        },
      ],
    });
    this.policy = new S3BucketPolicy(this, "policy", {
      bucket,
      policy: policyDocument([
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
        ...(props.policyStatements ?? []),
      ]),
    });
  }
}
