import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";

/** The security groups of the architecture's matrix, by the role of what they protect. */
export const SECURITY_GROUP_ROLES = ["alb", "lambda", "dify", "eic", "vpce"] as const;
export type SecurityGroupRole = (typeof SECURITY_GROUP_ROLES)[number];
/** The API Gateway VPC link's group, present when the /generate API is enabled. */
export type OptionalSecurityGroupRole = "vpclink";

const GROUP_DESCRIPTIONS: Record<SecurityGroupRole | OptionalSecurityGroupRole, string> = {
  alb: "Internal ALB in front of Dify",
  lambda: "Amplify Lambda functions attached to the VPC",
  dify: "Dify host (nginx on 80, SSH from the Instance Connect Endpoint)",
  eic: "EC2 Instance Connect Endpoint",
  vpce: "Interface VPC endpoints",
  vpclink: "API Gateway VPC link to the internal ALB",
};

/** A TCP flow one group may open to another: an egress rule on `from`, an ingress rule on `to`. */
interface Flow {
  readonly from: SecurityGroupRole | OptionalSecurityGroupRole;
  readonly to: SecurityGroupRole;
  readonly port: number;
  /** Rule description: AWS allows letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* only. */
  readonly why: string;
}

export interface SecurityGroupsProps {
  readonly vpcId: string;
  /** Prefix of every group name, e.g. `acme-prod`. */
  readonly namePrefix: string;
  /**
   * Port of the internal ALB's listener that Lambda calls: 80, or 443 with a certificate.
   * @default 80
   */
  readonly albPort?: number;
  /**
   * Add the `vpclink` group: API Gateway's VPC link to the ALB (runbook 3.4).
   * @default false
   */
  readonly apiGatewayVpcLink?: boolean;
  /**
   * Port of the SMTP server Dify sends mail to, opened from the dify group to the internet.
   * @default none: only HTTPS leaves the VPC
   */
  readonly smtpPort?: number;
}

/**
 * The security-group matrix (README, drawn in docs/architecture.md): one group per role, one rule resource per
 * allowed flow, nothing inbound from the internet. Rules that involve resources of later stacks
 * (CloudFront's prefix list, an API Gateway VPC link) are added by those stacks.
 */
export class SecurityGroups extends Construct {
  readonly groups: Readonly<Record<SecurityGroupRole, SecurityGroup> & Partial<Record<OptionalSecurityGroupRole, SecurityGroup>>>;

  constructor(scope: Construct, id: string, props: SecurityGroupsProps) {
    super(scope, id);
    const albPort = props.albPort ?? 80;
    const roles = [...SECURITY_GROUP_ROLES, ...(props.apiGatewayVpcLink ? (["vpclink"] as const) : [])];
    this.groups = Object.fromEntries(
      roles.map((role) => [
        role,
        new SecurityGroup(this, role, {
          name: `${props.namePrefix}-${role}`,
          description: GROUP_DESCRIPTIONS[role],
          vpcId: props.vpcId,
          tags: { Name: `${props.namePrefix}-${role}` },
        }),
      ]),
    ) as SecurityGroups["groups"];

    const flows: Flow[] = [
      { from: "lambda", to: "alb", port: albPort, why: "Lambda calls Dify through the internal ALB" },
      { from: "alb", to: "dify", port: 80, why: "ALB forwards to nginx of Dify and health-checks it" },
      { from: "eic", to: "dify", port: 22, why: "SSH from the EC2 Instance Connect Endpoint" },
      { from: "dify", to: "vpce", port: 443, why: "Dify host to SSM, Secrets Manager and Logs endpoints" },
      { from: "lambda", to: "vpce", port: 443, why: "Lambda to AWS service endpoints" },
      ...(props.apiGatewayVpcLink
        ? [{ from: "vpclink", to: "alb", port: albPort, why: "API Gateway /generate routes through the VPC link" } as const]
        : []),
    ];
    for (const flow of flows) this.allowFlow(flow);

    this.allowInternet("dify", 443, "LLM APIs, container images and packages through NAT");
    this.allowInternet("lambda", 443, "AWS APIs and external services through NAT");
    if (props.smtpPort !== undefined && props.smtpPort !== 443) {
      this.allowInternet("dify", props.smtpPort, "Mail from Dify to its SMTP server through NAT");
    }
  }

  /** Id of the group of `role` (an optional role must have been requested). */
  id(role: SecurityGroupRole | OptionalSecurityGroupRole): string {
    const group = this.groups[role];
    if (!group) throw new Error(`security group ${role} was not created`);
    return group.id;
  }

  private allowFlow(flow: Flow): void {
    const tcp = { ipProtocol: "tcp", fromPort: flow.port, toPort: flow.port };
    new VpcSecurityGroupIngressRule(this, `${flow.to}-from-${flow.from}-${flow.port}`, {
      ...tcp,
      securityGroupId: this.id(flow.to),
      referencedSecurityGroupId: this.id(flow.from),
      description: flow.why,
    });
    new VpcSecurityGroupEgressRule(this, `${flow.from}-to-${flow.to}-${flow.port}`, {
      ...tcp,
      securityGroupId: this.id(flow.from),
      referencedSecurityGroupId: this.id(flow.to),
      description: flow.why,
    });
  }

  /** TCP to anywhere on one port: HTTPS, and SMTP when mail is configured (through NAT). */
  private allowInternet(role: SecurityGroupRole, port: number, why: string): void {
    new VpcSecurityGroupEgressRule(this, `${role}-to-internet-${port}`, {
      ipProtocol: "tcp",
      fromPort: port,
      toPort: port,
      securityGroupId: this.id(role),
      cidrIpv4: "0.0.0.0/0",
      description: why,
    });
  }
}
