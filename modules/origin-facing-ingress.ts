import { DataAwsEc2ManagedPrefixList } from "@cdktf/provider-aws/lib/data-aws-ec2-managed-prefix-list";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";

/** AWS-managed prefix list of CloudFront's addresses that connect to origins. */
export const CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing";

export interface OriginFacingIngressProps {
  /** The `alb` security group. */
  readonly securityGroupId: string;
  /** The ALB's listener port. */
  readonly port: number;
}

/**
 * Lets CloudFront's VPC origin reach the internal ALB: ingress from CloudFront's origin-facing
 * prefix list (looked up, not copied), instead of the runbook's "edge CIDRs" or 0.0.0.0/0.
 */
export class OriginFacingIngress extends Construct {
  constructor(scope: Construct, id: string, props: OriginFacingIngressProps) {
    super(scope, id);
    const prefixList = new DataAwsEc2ManagedPrefixList(this, "prefix-list", { name: CLOUDFRONT_ORIGIN_FACING });
    new VpcSecurityGroupIngressRule(this, "rule", {
      securityGroupId: props.securityGroupId,
      prefixListId: prefixList.id,
      ipProtocol: "tcp",
      fromPort: props.port,
      toPort: props.port,
      description: "CloudFront VPC origin to the internal ALB",
    });
  }
}
