import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { LbTargetGroupAttachment } from "@cdktf/provider-aws/lib/lb-target-group-attachment";
import { Construct } from "constructs";
import type { PolicyStatement } from "./iam-policy";
import { PrivateBucket } from "./private-bucket";

export interface InternalAlbProps {
  /** Prefix of names, e.g. `acme-prod`; ALB and target group names stay within 32 characters. */
  readonly namePrefix: string;
  readonly accountId: string;
  readonly vpcId: string;
  /** Private subnets in at least two zones. */
  readonly subnetIds: readonly string[];
  /** The `alb` security group. */
  readonly securityGroupId: string;
  /** The instance behind it (Dify's nginx on port 80). */
  readonly targetInstanceId: string;
  /** Path nginx routes to Dify's api that answers 200 without a login. */
  readonly healthCheckPath: string;
  /**
   * ACM certificate for an HTTPS:443 listener; HTTP:80 then redirects to it.
   * @default HTTP:80 forwarding to Dify
   */
  readonly certificateArn?: string;
  /** @default 600 */
  readonly idleTimeoutSeconds?: number;
  /** @default true */
  readonly deletionProtection?: boolean;
  /** @default 90 */
  readonly accessLogRetentionDays?: number;
}

/** The listener port callers use: 443 with a certificate, else 80. */
export function albPort(certificateArn?: string): 443 | 80 {
  return certificateArn ? 443 : 80;
}

/** TLS 1.3 and 1.2 with restricted ciphers and post-quantum key exchange: AWS's current recommendation. */
export const ALB_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09";

/**
 * Runbook section 2.4, corrected: an internal ALB in the private subnets of at least two zones
 * (the runbook's single public subnet cannot hold one), hardened against request smuggling,
 * with an idle timeout long enough for streamed answers and access logs in S3.
 */
export class InternalAlb extends Construct {
  readonly alb: Lb;
  readonly targetGroup: LbTargetGroup;
  /** The port callers inside the VPC and CloudFront use: 443 with a certificate, else 80. */
  readonly port: number;
  /** The listener on `port` that forwards to Dify. */
  readonly forwardingListener: LbListener;

  constructor(scope: Construct, id: string, props: InternalAlbProps) {
    super(scope, id);
    const name = `${props.namePrefix}-dify`;
    const logPrefix = "alb";
    const logs = new PrivateBucket(this, "access-logs", {
      bucketName: `${props.namePrefix}-alb-logs-${props.accountId}`,
      // ALB access logs can only be written with SSE-S3.
      encryption: "AES256",
      expirationDays: props.accessLogRetentionDays ?? 90,
      noncurrentVersionExpirationDays: 7,
      policyStatements: [
        {
          Sid: "AlbAccessLogDelivery",
          Effect: "Allow",
          // AWS's current form for every region (the per-region ELB account is the legacy one).
          Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: `arn:aws:s3:::${props.namePrefix}-alb-logs-${props.accountId}/${logPrefix}/AWSLogs/${props.accountId}/*`,
        } satisfies PolicyStatement,
      ],
    });

    this.alb = new Lb(this, "alb", {
      name,
      internal: true,
      loadBalancerType: "application",
      subnets: [...props.subnetIds],
      securityGroups: [props.securityGroupId],
      idleTimeout: props.idleTimeoutSeconds ?? 600,
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "defensive",
      enableDeletionProtection: props.deletionProtection ?? true,
      accessLogs: { bucket: logs.bucket.bucket, prefix: logPrefix, enabled: true },
      // The bucket policy must exist before the ALB checks it can write.
      dependsOn: [logs.policy],
    });

    this.targetGroup = new LbTargetGroup(this, "target-group", {
      name,
      vpcId: props.vpcId,
      targetType: "instance",
      protocol: "HTTP",
      port: 80,
      deregistrationDelay: "30",
      healthCheck: {
        path: props.healthCheckPath,
        matcher: "200",
        interval: 30,
        timeout: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
    });
    new LbTargetGroupAttachment(this, "target", {
      targetGroupArn: this.targetGroup.arn,
      targetId: props.targetInstanceId,
      port: 80,
    });

    const forward = [{ type: "forward", targetGroupArn: this.targetGroup.arn }];
    this.port = albPort(props.certificateArn);
    if (props.certificateArn) {
      this.forwardingListener = new LbListener(this, "https", {
        loadBalancerArn: this.alb.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: ALB_TLS_POLICY,
        certificateArn: props.certificateArn,
        defaultAction: forward,
      });
      new LbListener(this, "http-redirect", {
        loadBalancerArn: this.alb.arn,
        port: 80,
        protocol: "HTTP",
        defaultAction: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
      });
    } else {
      this.forwardingListener = new LbListener(this, "http", {
        loadBalancerArn: this.alb.arn,
        port: 80,
        protocol: "HTTP",
        defaultAction: forward,
      });
    }
  }
}
