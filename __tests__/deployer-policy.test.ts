import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { loadConfig } from "../config/load";
import type { CustomerConfig } from "../config/schema";
import { exampleConfig, REPO_ROOT } from "./support/config";
import { synthJson, type StackJson } from "./support/synth";

/**
 * iam/deployer-policy.json against what the stacks synthesize: every resource, data source and
 * ephemeral resource type of the example configs must be in NEEDS below, which names the IAM
 * actions the AWS provider calls to create, read, update and delete it (and the ARN each is
 * authorized against), and the policy, rendered for that config, must allow each of them. The
 * other way round, every action the policy allows must be needed by something. The workflow
 * (.github/workflows/deploy.yml) must pass actionlint, and the two deploy guides must agree.
 */

const POLICY_FILE = join(REPO_ROOT, "iam", "deployer-policy.json");
const WORKFLOW_FILE = join(REPO_ROOT, ".github", "workflows", "deploy.yml");
const GUIDES = { en: join(REPO_ROOT, "docs", "deploy.md"), ja: join(REPO_ROOT, "docs", "deploy.ja.md") };
/** Deployment order (README, "What gets created"). */
const STACK_ORDER = ["state", "network", "dify", "edge", "amplify"];
/** IAM's limit for one customer managed policy, white space not counted. */
const MANAGED_POLICY_LIMIT = 6144;

// ---------------------------------------------------------------------------------------------
// The policy and a small evaluator: Allow statements only, wildcards in actions (case-insensitive)
// and resources, and the condition operators the policy uses. A condition key missing from the
// request fails the condition, as in IAM.

interface Statement {
  readonly Sid: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
  readonly [other: string]: unknown;
}
interface Policy {
  readonly Version: string;
  readonly Statement: Statement[];
}

const PLACEHOLDERS = ["namePrefix", "accountId", "region", "githubTokenSecretName", "lambdaParameterPath"] as const;
type Placeholders = Record<(typeof PLACEHOLDERS)[number], string>;

function placeholdersOf(config: CustomerConfig): Placeholders {
  return {
    namePrefix: `${config.customer}-${config.environment}`,
    accountId: config.aws.accountId,
    region: config.aws.region,
    githubTokenSecretName: config.amplify.githubTokenSecretName ?? "amplify-disabled",
    lambdaParameterPath: config.amplify.lambdaParameterPath,
  };
}

/** The policy as docs/deploy.md renders it (sed), parsed. */
function renderPolicy(values: Placeholders): { text: string; policy: Policy } {
  let text = readFileSync(POLICY_FILE, "utf8");
  for (const name of PLACEHOLDERS) text = text.split(`{{${name}}}`).join(values[name]);
  return { text, policy: JSON.parse(text) };
}

const wildcard = (pattern: string, flags = "") =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, flags);
const list = (value: string | readonly string[]) => [value].flat() as string[];

const OPERATORS: Record<string, (pattern: string, value: string) => boolean> = {
  StringEquals: (pattern, value) => pattern === value,
  StringLike: (pattern, value) => wildcard(pattern).test(value),
  ArnEquals: (pattern, value) => pattern === value,
  ArnLike: (pattern, value) => wildcard(pattern).test(value),
};

function conditionsHold(statement: Statement, context: Record<string, string>): boolean {
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) => {
    const test = OPERATORS[operator];
    if (!test) throw new Error(`${statement.Sid}: condition operator ${operator} is not modelled by this test`);
    return Object.entries(keys).every(([key, patterns]) => {
      const value = context[key];
      return value !== undefined && list(patterns).some((pattern) => test(pattern, value));
    });
  });
}

function allows(policy: Policy, action: string, resource: string, context: Record<string, string>): boolean {
  return policy.Statement.some(
    (statement) =>
      statement.Effect === "Allow" &&
      list(statement.Action).some((pattern) => wildcard(pattern, "i").test(action)) &&
      list(statement.Resource).some((pattern) => wildcard(pattern).test(resource)) &&
      conditionsHold(statement, context),
  );
}

/** IAM, CloudFront and Route 53 are global: their requests are in us-east-1 whatever the provider's region. */
const GLOBAL_SERVICES = new Set(["iam", "cloudfront", "route53"]);

// ---------------------------------------------------------------------------------------------
// What the AWS provider (6.25.0) calls, per Terraform type. Reads are listed too: Terraform
// refreshes every resource on each plan. Each need names the ARN IAM authorizes the action
// against; for resources AWS names by generated IDs a representative ARN stands in (the policy
// scopes those by region or account only, and the guide says why).

/** One resource, data source or backend of one synthesized stack. */
interface Site {
  readonly where: string;
  readonly prefix: string;
  readonly account: string;
  /** The region of the resource's provider (us-east-1 for the WAF's aliased provider). */
  readonly region: string;
  readonly stack: StackJson;
  readonly body: any;
}

interface Need {
  readonly actions: readonly string[];
  readonly arn: (s: Site) => string | readonly string[];
  /** Request context beyond aws:RequestedRegion (iam:PassedToService, ...). */
  readonly context?: (s: Site) => Record<string, string>;
  /** Only for resources configured so (a logging bucket, EC2 alarm actions, ...). */
  readonly when?: (s: Site) => boolean;
}

/** The body of the resource a `${type.name.attribute}` reference names, within the same stack. */
function target(s: Site, expression: string): any {
  const match = /^\$\{([a-z0-9_]+)\.([^.}]+)\.[a-z_]+\}$/.exec(String(expression));
  const body = match && s.stack.resource?.[match[1]!]?.[match[2]!];
  if (!body) throw new Error(`${s.where}: ${expression} does not name a resource of this stack`);
  return body;
}

const prefixed = (service: string, actions: readonly string[]) => actions.map((action) => `${service}:${action}`);
const ec2Arn = (s: Site, type: string) => `arn:aws:ec2:${s.region}:${s.account}:${type}/${type}-0example`;
const ec2 = (type: string, ...actions: string[]): Need => ({ actions: prefixed("ec2", actions), arn: (s) => ec2Arn(s, type) });
const roleArn = (s: Site, name: string) => `arn:aws:iam::${s.account}:role/${name}`;
const passRole = (service: string, roleName: (s: Site) => string): Need => ({
  actions: ["iam:PassRole"],
  arn: (s) => roleArn(s, roleName(s)),
  context: () => ({ "iam:PassedToService": service }),
});
const serviceLinkedRole = (service: string, roleName: string): Need => ({
  actions: ["iam:CreateServiceLinkedRole"],
  arn: (s) => `arn:aws:iam::${s.account}:role/aws-service-role/${service}/${roleName}`,
  context: () => ({ "iam:AWSServiceName": service }),
});
const bucketArn = (name: string) => `arn:aws:s3:::${name}`;
const bucketConfig = (...actions: string[]): Need => ({
  actions: prefixed("s3", actions),
  arn: (s) => bucketArn(target(s, s.body.bucket).bucket),
});
const logGroupArn = (s: Site, name: string) => `arn:aws:logs:${s.region}:${s.account}:log-group:${name}`;
const logDelivery: Need = {
  actions: prefixed("logs", [
    "CreateLogDelivery",
    "GetLogDelivery",
    "UpdateLogDelivery",
    "DeleteLogDelivery",
    "ListLogDeliveries",
    "PutResourcePolicy",
    "DescribeResourcePolicies",
    "DescribeLogGroups",
  ]),
  arn: () => "*",
};
const elbArn = (s: Site, resource: string) => `arn:aws:elasticloadbalancing:${s.region}:${s.account}:${resource}`;
const secretArn = (s: Site, name: string) => `arn:aws:secretsmanager:${s.region}:${s.account}:secret:${name}-AbCdEf`;
const ssmParameterArn = (s: Site, name: string) =>
  name.startsWith("/aws/service/") ? `arn:aws:ssm:${s.region}::parameter${name}` : `arn:aws:ssm:${s.region}:${s.account}:parameter${name}`;
const wafArn = (s: Site, kind: string, name: string) => `arn:aws:wafv2:${s.region}:${s.account}:global/${kind}/${name}/11111111-2222-3333-4444-555555555555`;
const cloudFrontArn = (s: Site, resource: string) => `arn:aws:cloudfront::${s.account}:${resource}`;
const zoneArn = "arn:aws:route53:::hostedzone/Z0EXAMPLE";
const amplifyArn = (s: Site, resource = "") => `arn:aws:amplify:${s.region}:${s.account}:apps/d1example${resource}`;
const apiArn = (s: Site, path: string) => `arn:aws:apigateway:${s.region}::${path}`;
const apiGateway = (...paths: string[]): Need => ({
  actions: prefixed("apigateway", ["GET", "POST", "PATCH", "DELETE"]),
  arn: (s) => paths.map((path) => apiArn(s, path)),
});
const tagsOf = (service: string): string[] => prefixed(service, ["TagResource", "UntagResource", "ListTagsForResource"]);

/** The host role, reached from the instance through its launch template and instance profile. */
function instanceRoleName(s: Site): string {
  const template = target(s, s.body.launch_template.id);
  const profile = target(s, template.iam_instance_profile.arn);
  return target(s, profile.role).name;
}

const NEEDS: Record<string, readonly Need[]> = {
  // --- state stack and the S3 backend of every other stack
  "backend.s3": [
    { actions: ["s3:ListBucket"], arn: (s) => bucketArn(s.body.bucket) },
    {
      actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      arn: (s) => [`${bucketArn(s.body.bucket)}/${s.body.key}`, `${bucketArn(s.body.bucket)}/${s.body.key}.tflock`],
    },
    {
      actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
      arn: (s) => `arn:aws:dynamodb:${s.body.region}:${s.account}:table/${s.body.dynamodb_table}`,
      when: (s) => Boolean(s.body.dynamodb_table),
    },
  ],
  "data.terraform_remote_state": [
    { actions: ["s3:ListBucket"], arn: (s) => bucketArn(s.body.config.bucket) },
    { actions: ["s3:GetObject"], arn: (s) => `${bucketArn(s.body.config.bucket)}/${s.body.config.key}` },
  ],
  "resource.aws_dynamodb_table": [
    {
      actions: prefixed("dynamodb", [
        "CreateTable",
        "DescribeTable",
        "UpdateTable",
        "DescribeContinuousBackups",
        "UpdateContinuousBackups",
        "DescribeTimeToLive",
        "ListTagsOfResource",
        "TagResource",
        "UntagResource",
        "DeleteTable",
      ]),
      arn: (s) => `arn:aws:dynamodb:${s.region}:${s.account}:table/${s.body.name}`,
    },
  ],
  "resource.aws_s3_bucket": [
    {
      actions: prefixed("s3", [
        "CreateBucket",
        "ListBucket",
        "GetBucketPolicy",
        "GetBucketAcl",
        "GetBucketCORS",
        "GetBucketWebsite",
        "GetBucketVersioning",
        "GetAccelerateConfiguration",
        "GetBucketRequestPayment",
        "GetBucketLogging",
        "GetLifecycleConfiguration",
        "GetReplicationConfiguration",
        "GetEncryptionConfiguration",
        "GetBucketObjectLockConfiguration",
        "GetBucketTagging",
        "PutBucketTagging",
        "DeleteBucket",
      ]),
      arn: (s) => bucketArn(s.body.bucket),
    },
  ],
  // Deleting a lifecycle, ownership or public access block configuration is authorized as its Put.
  "resource.aws_s3_bucket_lifecycle_configuration": [bucketConfig("PutLifecycleConfiguration", "GetLifecycleConfiguration")],
  "resource.aws_s3_bucket_ownership_controls": [bucketConfig("PutBucketOwnershipControls", "GetBucketOwnershipControls")],
  "resource.aws_s3_bucket_policy": [bucketConfig("PutBucketPolicy", "GetBucketPolicy", "DeleteBucketPolicy")],
  "resource.aws_s3_bucket_public_access_block": [bucketConfig("PutBucketPublicAccessBlock", "GetBucketPublicAccessBlock")],
  "resource.aws_s3_bucket_server_side_encryption_configuration": [bucketConfig("PutEncryptionConfiguration", "GetEncryptionConfiguration")],
  "resource.aws_s3_bucket_versioning": [bucketConfig("PutBucketVersioning", "GetBucketVersioning")],

  // --- network stack
  "resource.aws_vpc": [
    ec2("vpc", "CreateVpc", "DescribeVpcs", "DescribeVpcAttribute", "ModifyVpcAttribute", "DeleteVpc", "CreateTags", "DeleteTags"),
    // Read: the main route table, default security group and default network ACL of the VPC.
    ec2("vpc", "DescribeRouteTables", "DescribeSecurityGroups", "DescribeNetworkAcls"),
  ],
  "resource.aws_subnet": [
    ec2("subnet", "CreateSubnet", "DescribeSubnets", "ModifySubnetAttribute", "DeleteSubnet", "CreateTags", "DeleteTags", "DescribeNetworkInterfaces"),
  ],
  "resource.aws_internet_gateway": [
    ec2(
      "internet-gateway",
      "CreateInternetGateway",
      "AttachInternetGateway",
      "DescribeInternetGateways",
      "DetachInternetGateway",
      "DeleteInternetGateway",
      "CreateTags",
    ),
  ],
  "resource.aws_eip": [
    ec2("elastic-ip", "AllocateAddress", "DescribeAddresses", "DescribeAddressesAttribute", "DisassociateAddress", "ReleaseAddress", "CreateTags"),
  ],
  "resource.aws_nat_gateway": [ec2("natgateway", "CreateNatGateway", "DescribeNatGateways", "DeleteNatGateway", "CreateTags")],
  "resource.aws_route_table": [ec2("route-table", "CreateRouteTable", "DescribeRouteTables", "DeleteRouteTable", "CreateTags", "DeleteTags")],
  "resource.aws_route": [ec2("route-table", "CreateRoute", "ReplaceRoute", "DescribeRouteTables", "DeleteRoute")],
  "resource.aws_route_table_association": [
    ec2("route-table", "AssociateRouteTable", "ReplaceRouteTableAssociation", "DescribeRouteTables", "DisassociateRouteTable"),
  ],
  // Adopted, not created: the provider removes their rules and routes and tags them.
  "resource.aws_default_route_table": [ec2("route-table", "DescribeRouteTables", "CreateRoute", "DeleteRoute", "CreateTags", "DeleteTags")],
  "resource.aws_default_security_group": [
    ec2(
      "security-group",
      "DescribeSecurityGroups",
      "AuthorizeSecurityGroupIngress",
      "AuthorizeSecurityGroupEgress",
      "RevokeSecurityGroupIngress",
      "RevokeSecurityGroupEgress",
      "CreateTags",
      "DeleteTags",
    ),
  ],
  // Create revokes the allow-all egress rule AWS adds to every new group; delete waits for ENIs.
  "resource.aws_security_group": [
    ec2(
      "security-group",
      "CreateSecurityGroup",
      "DescribeSecurityGroups",
      "RevokeSecurityGroupEgress",
      "DescribeNetworkInterfaces",
      "DeleteSecurityGroup",
      "CreateTags",
      "DeleteTags",
    ),
  ],
  "resource.aws_vpc_security_group_ingress_rule": [
    ec2(
      "security-group",
      "AuthorizeSecurityGroupIngress",
      "DescribeSecurityGroupRules",
      "ModifySecurityGroupRules",
      "UpdateSecurityGroupRuleDescriptionsIngress",
      "RevokeSecurityGroupIngress",
      "CreateTags",
    ),
  ],
  "resource.aws_vpc_security_group_egress_rule": [
    ec2(
      "security-group",
      "AuthorizeSecurityGroupEgress",
      "DescribeSecurityGroupRules",
      "ModifySecurityGroupRules",
      "UpdateSecurityGroupRuleDescriptionsEgress",
      "RevokeSecurityGroupEgress",
      "CreateTags",
    ),
  ],
  "resource.aws_vpc_endpoint": [
    ec2(
      "vpc-endpoint",
      "CreateVpcEndpoint",
      "DescribeVpcEndpoints",
      "DescribeVpcEndpointServices",
      "DescribePrefixLists",
      "ModifyVpcEndpoint",
      "DeleteVpcEndpoints",
      "CreateTags",
    ),
    // Private DNS: EC2 associates the VPC with the service's AWS-owned private hosted zone in
    // the caller's name (a dependent action of ec2:CreateVpcEndpoint).
    { actions: ["route53:AssociateVPCWithHostedZone"], arn: () => zoneArn, when: (s) => s.body.private_dns_enabled === true },
  ],
  "resource.aws_flow_log": [
    ec2("vpc-flow-log", "CreateFlowLogs", "DescribeFlowLogs", "DeleteFlowLogs", "CreateTags"),
    passRole("vpc-flow-logs.amazonaws.com", (s) => target(s, s.body.iam_role_arn).name),
  ],
  "resource.aws_cloudwatch_log_group": [
    {
      actions: prefixed("logs", ["CreateLogGroup", "DescribeLogGroups", "PutRetentionPolicy", "DeleteRetentionPolicy", "DeleteLogGroup"]),
      arn: (s) => logGroupArn(s, s.body.name),
    },
    { actions: tagsOf("logs"), arn: (s) => logGroupArn(s, s.body.name) },
  ],
  "resource.aws_cloudwatch_log_resource_policy": [
    { actions: prefixed("logs", ["PutResourcePolicy", "DescribeResourcePolicies", "DeleteResourcePolicy"]), arn: () => "*" },
  ],
  "resource.aws_iam_role": [
    {
      actions: prefixed("iam", [
        "CreateRole",
        "GetRole",
        "UpdateRole",
        "UpdateAssumeRolePolicy",
        "TagRole",
        "UntagRole",
        "ListRolePolicies",
        "ListAttachedRolePolicies",
        "ListInstanceProfilesForRole",
        "DeleteRole",
      ]),
      arn: (s) => roleArn(s, s.body.name),
    },
  ],
  "resource.aws_iam_role_policy": [
    { actions: prefixed("iam", ["PutRolePolicy", "GetRolePolicy", "DeleteRolePolicy"]), arn: (s) => roleArn(s, target(s, s.body.role).name) },
  ],
  "resource.aws_iam_role_policy_attachment": [
    {
      actions: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
      arn: (s) => roleArn(s, target(s, s.body.role).name),
      context: (s) => ({ "iam:PolicyARN": s.body.policy_arn }),
    },
    { actions: ["iam:ListAttachedRolePolicies"], arn: (s) => roleArn(s, target(s, s.body.role).name) },
  ],

  // --- dify stack
  "resource.aws_iam_policy": [
    {
      actions: prefixed("iam", [
        "CreatePolicy",
        "GetPolicy",
        "GetPolicyVersion",
        "ListPolicyVersions",
        "CreatePolicyVersion",
        "DeletePolicyVersion",
        "TagPolicy",
        "UntagPolicy",
        "DeletePolicy",
      ]),
      arn: (s) => `arn:aws:iam::${s.account}:policy/${s.body.name}`,
    },
  ],
  "resource.aws_iam_instance_profile": [
    {
      actions: prefixed("iam", [
        "CreateInstanceProfile",
        "GetInstanceProfile",
        "AddRoleToInstanceProfile",
        "RemoveRoleFromInstanceProfile",
        "TagInstanceProfile",
        "UntagInstanceProfile",
        "DeleteInstanceProfile",
      ]),
      arn: (s) => `arn:aws:iam::${s.account}:instance-profile/${s.body.name}`,
    },
    // AddRoleToInstanceProfile also checks iam:PassRole on the role, with no service to pass it to.
    { actions: ["iam:PassRole"], arn: (s) => roleArn(s, target(s, s.body.role).name) },
  ],
  "resource.aws_launch_template": [
    ec2(
      "launch-template",
      "CreateLaunchTemplate",
      "DescribeLaunchTemplates",
      "DescribeLaunchTemplateVersions",
      "CreateLaunchTemplateVersion",
      "ModifyLaunchTemplate",
      "DeleteLaunchTemplate",
      "CreateTags",
    ),
  ],
  "resource.aws_instance": [
    ec2(
      "instance",
      "RunInstances",
      "DescribeInstances",
      "DescribeInstanceAttribute",
      "DescribeInstanceCreditSpecifications",
      "DescribeVolumes",
      "DescribeTags",
      "ModifyInstanceAttribute",
      "ModifyInstanceMetadataOptions",
      "MonitorInstances",
      "UnmonitorInstances",
      "StopInstances",
      "StartInstances",
      "TerminateInstances",
      "CreateTags",
    ),
    passRole("ec2.amazonaws.com", instanceRoleName),
  ],
  "resource.aws_ebs_volume": [
    ec2("volume", "CreateVolume", "DescribeVolumes", "DescribeVolumesModifications", "ModifyVolume", "DeleteVolume", "CreateTags"),
  ],
  "resource.aws_volume_attachment": [ec2("volume", "AttachVolume", "DescribeVolumes", "DescribeInstances", "DetachVolume")],
  // EC2 guide, "Grant permissions to use EC2 Instance Connect Endpoint".
  "resource.aws_ec2_instance_connect_endpoint": [
    ec2(
      "instance-connect-endpoint",
      "CreateInstanceConnectEndpoint",
      "DescribeInstanceConnectEndpoints",
      "DeleteInstanceConnectEndpoint",
      "CreateNetworkInterface",
      "CreateTags",
    ),
    serviceLinkedRole("ec2-instance-connect.amazonaws.com", "AWSServiceRoleForEC2InstanceConnect"),
  ],
  "resource.aws_lb": [
    {
      actions: prefixed("elasticloadbalancing", [
        "CreateLoadBalancer",
        "DescribeLoadBalancers",
        "DescribeLoadBalancerAttributes",
        "ModifyLoadBalancerAttributes",
        "SetSecurityGroups",
        "SetSubnets",
        "AddTags",
        "RemoveTags",
        "DescribeTags",
        "DeleteLoadBalancer",
      ]),
      arn: (s) => elbArn(s, `loadbalancer/app/${s.body.name}/0123456789abcdef`),
    },
    serviceLinkedRole("elasticloadbalancing.amazonaws.com", "AWSServiceRoleForElasticLoadBalancing"),
  ],
  "resource.aws_lb_target_group": [
    {
      actions: prefixed("elasticloadbalancing", [
        "CreateTargetGroup",
        "DescribeTargetGroups",
        "DescribeTargetGroupAttributes",
        "ModifyTargetGroup",
        "ModifyTargetGroupAttributes",
        "AddTags",
        "RemoveTags",
        "DescribeTags",
        "DeleteTargetGroup",
      ]),
      arn: (s) => elbArn(s, `targetgroup/${s.body.name}/0123456789abcdef`),
    },
  ],
  "resource.aws_lb_listener": [
    {
      actions: prefixed("elasticloadbalancing", [
        "CreateListener",
        "DescribeListeners",
        "DescribeListenerAttributes",
        "ModifyListener",
        "ModifyListenerAttributes",
        "AddTags",
        "RemoveTags",
        "DescribeTags",
        "DeleteListener",
      ]),
      arn: (s) => elbArn(s, `listener/app/${target(s, s.body.load_balancer_arn).name}/0123456789abcdef/fedcba9876543210`),
    },
  ],
  "resource.aws_lb_target_group_attachment": [
    {
      actions: prefixed("elasticloadbalancing", ["RegisterTargets", "DescribeTargetHealth", "DeregisterTargets"]),
      arn: (s) => elbArn(s, `targetgroup/${target(s, s.body.target_group_arn).name}/0123456789abcdef`),
    },
  ],
  "resource.aws_secretsmanager_secret": [
    {
      actions: prefixed("secretsmanager", ["CreateSecret", "DescribeSecret", "GetResourcePolicy", "UpdateSecret", "TagResource", "UntagResource", "DeleteSecret"]),
      arn: (s) => secretArn(s, s.body.name),
    },
  ],
  // Read calls GetSecretValue for the version (the value itself is write-only and stays out of state).
  "resource.aws_secretsmanager_secret_version": [
    {
      actions: prefixed("secretsmanager", ["PutSecretValue", "GetSecretValue", "DescribeSecret", "ListSecretVersionIds", "UpdateSecretVersionStage"]),
      arn: (s) => secretArn(s, target(s, s.body.secret_id).name),
    },
  ],
  "resource.aws_ssm_parameter": [
    {
      actions: prefixed("ssm", ["PutParameter", "GetParameter", "AddTagsToResource", "RemoveTagsFromResource", "ListTagsForResource", "DeleteParameter"]),
      arn: (s) => ssmParameterArn(s, s.body.name),
    },
    { actions: ["ssm:DescribeParameters"], arn: () => "*" },
  ],
  "data.aws_ssm_parameter": [{ actions: ["ssm:GetParameter"], arn: (s) => ssmParameterArn(s, s.body.name) }],
  "resource.aws_ssm_association": [
    {
      actions: prefixed("ssm", ["CreateAssociation", "DescribeAssociation", "UpdateAssociation", "DeleteAssociation"]),
      arn: (s) => [
        `arn:aws:ssm:${s.region}:${s.account}:association/11111111-2222-3333-4444-555555555555`,
        `arn:aws:ssm:${s.region}::document/${s.body.name}`,
        `arn:aws:ec2:${s.region}:${s.account}:instance/i-0example`,
      ],
    },
  ],
  "resource.aws_cloudwatch_metric_alarm": [
    {
      actions: prefixed("cloudwatch", ["PutMetricAlarm", "DescribeAlarms", "TagResource", "UntagResource", "ListTagsForResource", "DeleteAlarms"]),
      arn: (s) => `arn:aws:cloudwatch:${s.region}:${s.account}:alarm:${s.body.alarm_name}`,
    },
    // EC2 actions (arn:aws:automate:...:ec2:reboot / recover): CloudWatch checks the instance
    // and acts through its service-linked role, created on first use.
    {
      actions: ["ec2:DescribeInstances", "ec2:DescribeInstanceStatus"],
      arn: (s) => ec2Arn(s, "instance"),
      when: (s) => list(s.body.alarm_actions ?? []).some((a) => a.startsWith("arn:aws:automate:")),
    },
    {
      actions: ["ec2:RebootInstances"],
      arn: (s) => ec2Arn(s, "instance"),
      when: (s) => list(s.body.alarm_actions ?? []).some((a) => a.endsWith(":ec2:reboot")),
    },
    { ...serviceLinkedRole("events.amazonaws.com", "AWSServiceRoleForCloudWatchEvents"), when: (s) => list(s.body.alarm_actions ?? []).some((a) => a.startsWith("arn:aws:automate:")) },
  ],
  "resource.aws_sns_topic": [
    {
      actions: prefixed("sns", ["CreateTopic", "GetTopicAttributes", "SetTopicAttributes", "TagResource", "UntagResource", "ListTagsForResource", "DeleteTopic"]),
      arn: (s) => `arn:aws:sns:${s.region}:${s.account}:${s.body.name}`,
    },
  ],
  "resource.aws_sns_topic_subscription": [
    { actions: ["sns:Subscribe"], arn: (s) => `arn:aws:sns:${s.region}:${s.account}:${target(s, s.body.topic_arn).name}` },
    {
      actions: prefixed("sns", ["GetSubscriptionAttributes", "SetSubscriptionAttributes", "Unsubscribe"]),
      arn: (s) => `arn:aws:sns:${s.region}:${s.account}:${target(s, s.body.topic_arn).name}:11111111-2222-3333-4444-555555555555`,
    },
  ],
  "resource.aws_dlm_lifecycle_policy": [
    {
      actions: [...prefixed("dlm", ["CreateLifecyclePolicy", "GetLifecyclePolicy", "UpdateLifecyclePolicy", "DeleteLifecyclePolicy"]), ...tagsOf("dlm")],
      arn: (s) => `arn:aws:dlm:${s.region}:${s.account}:policy/policy-0example`,
    },
    passRole("dlm.amazonaws.com", (s) => target(s, s.body.execution_role_arn).name),
  ],
  // A private zone: Route 53 checks ec2:DescribeVpcs for the VPC it is associated with.
  "resource.aws_route53_zone": [
    {
      actions: prefixed("route53", [
        "CreateHostedZone",
        "GetHostedZone",
        "GetChange",
        "UpdateHostedZoneComment",
        "AssociateVPCWithHostedZone",
        "DisassociateVPCFromHostedZone",
        "ChangeTagsForResource",
        "ListTagsForResource",
        "ListResourceRecordSets",
        "DeleteHostedZone",
      ]),
      arn: () => zoneArn,
    },
    ec2("vpc", "DescribeVpcs"),
  ],
  "resource.aws_route53_record": [
    { actions: prefixed("route53", ["ChangeResourceRecordSets", "ListResourceRecordSets", "GetHostedZone", "GetChange"]), arn: () => zoneArn },
  ],

  // --- edge stack (CloudFront is global; the WAF's provider is aliased to us-east-1)
  "data.aws_ec2_managed_prefix_list": [ec2("prefix-list", "DescribeManagedPrefixLists", "GetManagedPrefixListEntries")],
  "resource.aws_cloudfront_distribution": [
    {
      // CreateDistributionWithTags is authorized as CreateDistribution plus TagResource.
      actions: prefixed("cloudfront", ["CreateDistribution", "TagResource", "GetDistribution", "ListTagsForResource", "UpdateDistribution", "UntagResource", "DeleteDistribution"]),
      arn: (s) => cloudFrontArn(s, "distribution/E0EXAMPLE"),
    },
    // Standard (legacy) logging: CloudFront grants itself the bucket ACL in the caller's name.
    {
      actions: ["s3:GetBucketAcl", "s3:PutBucketAcl"],
      arn: (s) => bucketArn(target(s, s.body.logging_config.bucket).bucket),
      when: (s) => Boolean(s.body.logging_config),
    },
  ],
  "resource.aws_cloudfront_vpc_origin": [
    {
      actions: prefixed("cloudfront", ["CreateVpcOrigin", "GetVpcOrigin", "UpdateVpcOrigin", "DeleteVpcOrigin", "TagResource", "UntagResource", "ListTagsForResource"]),
      arn: (s) => cloudFrontArn(s, "vpcorigin/vo_0example"),
    },
    serviceLinkedRole("vpcorigin.cloudfront.amazonaws.com", "AWSServiceRoleForCloudFrontVPCOrigin"),
    { actions: ["elasticloadbalancing:DescribeLoadBalancers"], arn: () => "*" },
  ],
  "resource.aws_cloudfront_response_headers_policy": [
    {
      actions: prefixed("cloudfront", ["CreateResponseHeadersPolicy", "GetResponseHeadersPolicy", "UpdateResponseHeadersPolicy", "DeleteResponseHeadersPolicy"]),
      arn: (s) => cloudFrontArn(s, "response-headers-policy/11111111-2222-3333-4444-555555555555"),
    },
  ],
  "resource.aws_wafv2_web_acl": [
    {
      actions: [...prefixed("wafv2", ["CreateWebACL", "GetWebACL", "UpdateWebACL", "DeleteWebACL"]), ...tagsOf("wafv2")],
      arn: (s) => wafArn(s, "webacl", s.body.name),
    },
    // A rule that references an IP set authorizes Create/UpdateWebACL against the IP set too.
    {
      actions: ["wafv2:CreateWebACL", "wafv2:UpdateWebACL"],
      arn: (s) =>
        [...JSON.stringify(s.body).matchAll(/\$\{aws_wafv2_ip_set\.([^.}]+)\.arn\}/g)].map((m) => wafArn(s, "ipset", s.stack.resource!.aws_wafv2_ip_set![m[1]!].name)),
    },
  ],
  "resource.aws_wafv2_ip_set": [
    {
      actions: [...prefixed("wafv2", ["CreateIPSet", "GetIPSet", "UpdateIPSet", "DeleteIPSet"]), ...tagsOf("wafv2")],
      arn: (s) => wafArn(s, "ipset", s.body.name),
    },
  ],
  // WAF developer guide and CloudWatch Logs guide, "Logs sent to CloudWatch Logs".
  "resource.aws_wafv2_web_acl_logging_configuration": [
    {
      actions: prefixed("wafv2", ["PutLoggingConfiguration", "GetLoggingConfiguration", "DeleteLoggingConfiguration"]),
      arn: (s) => wafArn(s, "webacl", target(s, s.body.resource_arn).name),
    },
    logDelivery,
  ],

  // --- amplify stack
  "data.aws_secretsmanager_secret_version": [{ actions: ["secretsmanager:GetSecretValue"], arn: (s) => secretArn(s, s.body.secret_id) }],
  "resource.aws_amplify_app": [
    { actions: [...prefixed("amplify", ["CreateApp", "GetApp", "UpdateApp", "DeleteApp"]), ...tagsOf("amplify")], arn: (s) => amplifyArn(s) },
    passRole("amplify.amazonaws.com", (s) => target(s, s.body.iam_service_role_arn).name),
  ],
  "resource.aws_amplify_backend_environment": [
    {
      actions: prefixed("amplify", ["CreateBackendEnvironment", "GetBackendEnvironment", "DeleteBackendEnvironment"]),
      arn: (s) => amplifyArn(s, `/backendenvironments/${s.body.environment_name}`),
    },
  ],
  "resource.aws_amplify_branch": [
    {
      actions: [...prefixed("amplify", ["CreateBranch", "GetBranch", "UpdateBranch", "DeleteBranch"]), ...tagsOf("amplify")],
      arn: (s) => amplifyArn(s, `/branches/${s.body.branch_name}`),
    },
  ],
  "resource.aws_amplify_domain_association": [
    {
      actions: prefixed("amplify", ["CreateDomainAssociation", "GetDomainAssociation", "UpdateDomainAssociation", "DeleteDomainAssociation"]),
      arn: (s) => amplifyArn(s, `/domains/${s.body.domain_name}`),
    },
  ],
  "resource.aws_apigatewayv2_api": [apiGateway("/apis", "/apis/a1b2c3d4e5"), apiGateway("/tags/arn%3Aaws%3Aapigateway%3Aexample")],
  "resource.aws_apigatewayv2_authorizer": [apiGateway("/apis/a1b2c3d4e5/authorizers", "/apis/a1b2c3d4e5/authorizers/abc123")],
  "resource.aws_apigatewayv2_integration": [apiGateway("/apis/a1b2c3d4e5/integrations", "/apis/a1b2c3d4e5/integrations/abc123")],
  "resource.aws_apigatewayv2_route": [apiGateway("/apis/a1b2c3d4e5/routes", "/apis/a1b2c3d4e5/routes/abc123")],
  // Access logs to CloudWatch Logs: API Gateway guide, "Set up CloudWatch logging for HTTP APIs".
  "resource.aws_apigatewayv2_stage": [apiGateway("/apis/a1b2c3d4e5/stages", "/apis/a1b2c3d4e5/stages/$default"), logDelivery],
  "resource.aws_apigatewayv2_vpc_link": [
    apiGateway("/vpclinks", "/vpclinks/abc123"),
    serviceLinkedRole("ops.apigateway.amazonaws.com", "AWSServiceRoleForAPIGateway"),
  ],

  // --- no AWS call
  "ephemeral.random_password": [],
};

// ---------------------------------------------------------------------------------------------

interface Request {
  readonly where: string;
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string>;
}

function sitesOf(label: string, config: CustomerConfig, stacks: Record<string, StackJson>) {
  const { namePrefix, accountId } = placeholdersOf(config);
  const sites: { key: string; site: Site }[] = [];
  for (const [stackName, stack] of Object.entries(stacks)) {
    const providers: any[] = stack.provider?.aws ?? [];
    const regionOf = (provider?: string) => {
      const alias = provider?.replace(/^aws\./, "");
      const found = providers.find((p) => (p.alias ?? undefined) === alias);
      if (!found) throw new Error(`${label} ${stackName}: no aws provider ${provider ?? "(default)"}`);
      return found.region as string;
    };
    const site = (where: string, body: any): Site => ({ where: `${label} ${stackName} ${where}`, prefix: namePrefix, account: accountId, region: regionOf(body.provider), stack, body });
    for (const kind of ["resource", "data", "ephemeral"] as const) {
      for (const [type, instances] of Object.entries((stack as any)[kind] ?? {})) {
        for (const [name, body] of Object.entries(instances as Record<string, any>)) {
          sites.push({ key: `${kind}.${type}`, site: site(`${type}.${name}`, body) });
        }
      }
    }
    const s3 = stack.terraform?.backend?.s3;
    if (s3) sites.push({ key: "backend.s3", site: site("backend", s3) });
  }
  return sites;
}

function requestsOf(sites: { key: string; site: Site }[]): { requests: Request[]; unknown: string[] } {
  const requests: Request[] = [];
  const unknown = new Set<string>();
  for (const { key, site } of sites) {
    const needs = NEEDS[key];
    if (!needs) {
      unknown.add(key);
      continue;
    }
    for (const need of needs) {
      if (need.when && !need.when(site)) continue;
      const arns = list(need.arn(site));
      for (const action of need.actions) {
        const service = action.split(":")[0]!;
        const context = { "aws:RequestedRegion": GLOBAL_SERVICES.has(service) ? "us-east-1" : site.region, ...need.context?.(site) };
        for (const resource of arns) requests.push({ where: site.where, action, resource, context });
      }
    }
  }
  return { requests, unknown: [...unknown].sort() };
}

const CONFIGS: [string, () => CustomerConfig][] = [
  ...["example.yaml", "example-full.yaml", "example-dev.yaml"].map(
    (file) => [`customers/${file}`, () => loadConfig(join(REPO_ROOT, "customers", file)).config] as [string, () => CustomerConfig],
  ),
  // The state stack's own backend after the migration.
  ["customers/example.yaml with state.backend: s3", () => exampleConfig((data) => (data.state.backend = "s3"))],
];

describe("iam/deployer-policy.json covers every resource type the stacks create", () => {
  const runs = CONFIGS.map(([label, load]) => {
    const config = load();
    const sites = sitesOf(label, config, synthJson(config));
    return { label, config, sites, ...requestsOf(sites), policy: renderPolicy(placeholdersOf(config)).policy };
  });

  test("every synthesized resource, data source and backend type has an entry in the needs table", () => {
    const unknown = runs.flatMap((run) => run.unknown.map((key) => `${run.label}: ${key} has no entry in NEEDS (__tests__/deployer-policy.test.ts): write down the IAM actions the AWS provider calls for it`));
    expect(unknown).toEqual([]);
  });

  test("every action each resource needs is allowed on its ARN, in its region, with its context", () => {
    const denied = runs.flatMap((run) =>
      run.requests
        .filter((r) => !allows(run.policy, r.action, r.resource, r.context))
        .map((r) => `${r.where}: ${r.action} on ${r.resource} ${JSON.stringify(r.context)}`),
    );
    expect([...new Set(denied)]).toEqual([]);
  });

  test("every action the policy allows is needed by some synthesized resource (no spare grants)", () => {
    const needed = new Set(runs.flatMap((run) => run.requests.map((r) => r.action.toLowerCase())));
    const policy = runs[0]!.policy;
    const spare = policy.Statement.flatMap((statement) =>
      list(statement.Action)
        .filter((pattern) => ![...needed].some((action) => wildcard(pattern, "i").test(action)))
        .map((pattern) => `${statement.Sid}: ${pattern}`),
    );
    expect(spare).toEqual([]);
  });

  test("the needs table names no type the example configs never synthesize", () => {
    const seen = new Set(runs.flatMap((run) => run.sites.map((s) => s.key)));
    expect(Object.keys(NEEDS).filter((key) => !seen.has(key))).toEqual([]);
  });

  test("a resource type missing from the table is reported by name", () => {
    const { site } = runs[0]!.sites[0]!;
    const { unknown } = requestsOf([{ key: "resource.aws_made_up_thing", site }]);
    expect(unknown).toEqual(["resource.aws_made_up_thing"]);
  });

  test("the evaluator denies what the policy does not grant", () => {
    const { policy } = runs[0]!;
    const context = { "aws:RequestedRegion": "ap-northeast-1" };
    expect(allows(policy, "s3:PutBucketPolicy", "arn:aws:s3:::someone-elses-bucket", context)).toBe(false);
    expect(allows(policy, "iam:CreateRole", "arn:aws:iam::111111111111:role/not-this-customer", { "aws:RequestedRegion": "us-east-1" })).toBe(false);
    expect(allows(policy, "ec2:RunInstances", "*", { "aws:RequestedRegion": "eu-west-1" })).toBe(false);
    expect(allows(policy, "iam:PassRole", "arn:aws:iam::111111111111:role/example-prod-amplify", { "aws:RequestedRegion": "us-east-1", "iam:PassedToService": "lambda.amazonaws.com" })).toBe(false);
    expect(
      allows(policy, "iam:AttachRolePolicy", "arn:aws:iam::111111111111:role/example-prod-dify", { "aws:RequestedRegion": "us-east-1", "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" }),
    ).toBe(false);
    expect(allows(policy, "ec2:DescribeVpcs", "*", context)).toBe(true);
  });
});

describe("iam/deployer-policy.json: shape", () => {
  const raw = readFileSync(POLICY_FILE, "utf8");
  const { policy } = renderPolicy(placeholdersOf(exampleConfig()));

  test("Allow statements only, each with its own Sid, no NotAction or NotResource", () => {
    expect(policy.Version).toBe("2012-10-17");
    const sids = policy.Statement.map((s) => s.Sid);
    expect(new Set(sids).size).toBe(sids.length);
    for (const statement of policy.Statement) {
      expect([statement.Sid, statement.Effect]).toEqual([statement.Sid, "Allow"]);
      expect(Object.keys(statement).filter((k) => !["Sid", "Effect", "Action", "Resource", "Condition"].includes(k))).toEqual([]);
    }
  });

  test("no service-wide or all-action grant; wildcards only for reads", () => {
    const broad = policy.Statement.flatMap((s) => list(s.Action).filter((a) => a.includes("*") && !/^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]*\*$/.test(a)).map((a) => `${s.Sid}: ${a}`));
    expect(broad).toEqual([]);
  });

  test("uses only the placeholders the guide's sed command fills", () => {
    const used = [...new Set([...raw.matchAll(/\{\{([A-Za-z]+)\}\}/g)].map((m) => m[1]))].sort();
    expect(used).toEqual([...PLACEHOLDERS].sort());
    expect(renderPolicy(placeholdersOf(exampleConfig())).text).not.toMatch(/\{\{|\}\}/);
  });

  test("the guide's split into managed policies covers every statement once, each under 6,144 characters at the longest names", () => {
    const guide = readFileSync(GUIDES.en, "utf8");
    const match = /for range in ((?:\d+:\d+ ?)+); do/.exec(guide);
    expect(match).not.toBeNull();
    const ranges = match![1]!.trim().split(" ").map((r) => r.split(":").map(Number) as [number, number]);
    // A 16-character customer and an 8-character environment (the config's maximums), and long names.
    const { policy: longest } = renderPolicy({
      namePrefix: `${"c".repeat(16)}-${"e".repeat(8)}`,
      accountId: "123456789012",
      region: "ap-northeast-1",
      githubTokenSecretName: `amplify/${"t".repeat(56)}`,
      lambdaParameterPath: `/${"p".repeat(63)}`,
    });
    expect(ranges[0]![0]).toBe(0);
    expect(ranges.at(-1)![1]).toBe(longest.Statement.length);
    ranges.forEach(([from, to], i) => {
      if (i > 0) expect(from).toBe(ranges[i - 1]![1]);
      const part = JSON.stringify({ Version: longest.Version, Statement: longest.Statement.slice(from, to) });
      expect(part.replace(/\s/g, "").length).toBeLessThanOrEqual(MANAGED_POLICY_LIMIT);
    });
  });
});

// ---------------------------------------------------------------------------------------------

const ACTIONLINT = join(REPO_ROOT, ".venv", "test", "bin", "actionlint");
const SHELLCHECK = join(REPO_ROOT, ".venv", "test", "bin", "shellcheck");

describe(".github/workflows/deploy.yml", () => {
  const text = readFileSync(WORKFLOW_FILE, "utf8");
  const workflow = parseYaml(text);

  test("passes actionlint (with shellcheck on every run: script) without a finding", () => {
    if (!existsSync(ACTIONLINT)) throw new Error(`${ACTIONLINT} is missing: run scripts/tools.sh`);
    const result = spawnSync(ACTIONLINT, ["-no-color", "-shellcheck", SHELLCHECK, WORKFLOW_FILE], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(`${result.stdout}${result.stderr}`).toBe("");
    expect(result.status).toBe(0);
  });

  test("every action is pinned to a full commit SHA, with its release in a comment", () => {
    const uses = text.split("\n").filter((line) => /^\s*-?\s*uses:/.test(line));
    expect(uses.length).toBeGreaterThan(0);
    expect(uses.filter((line) => !/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/.test(line))).toEqual([]);
  });

  test("plans on pull requests, applies on pushes to main, with OIDC and nothing secret", () => {
    expect(Object.keys(workflow.on).sort()).toEqual(["pull_request", "push"]);
    expect(workflow.on.push.branches).toEqual(["main"]);
    expect(workflow.permissions).toEqual({ contents: "read" });
    const { plan, apply } = workflow.jobs;
    expect(plan.if).toBe("github.event_name == 'pull_request'");
    expect(apply.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    for (const job of [plan, apply]) {
      expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
      const credentials = job.steps.find((step: any) => String(step.uses).startsWith("aws-actions/configure-aws-credentials@"));
      expect(credentials.with["role-to-assume"]).toMatch(/^\$\{\{ vars\.AWS_(PLAN|DEPLOY)_ROLE_ARN \}\}$/);
      expect(job.steps.some((step: any) => String(step.uses).startsWith("hashicorp/setup-terraform@"))).toBe(true);
    }
    const runs = (job: any) => job.steps.map((step: any) => step.run ?? "").join("\n");
    expect(runs(plan)).not.toMatch(/terraform\b.*\bapply\b/);
    expect(runs(apply)).toMatch(/terraform\b.*\bapply\b/);
    expect(apply.concurrency["cancel-in-progress"]).toBe(false);
    expect(text).not.toMatch(/secrets\.|upload-artifact|github-script|pull-requests: write/);
  });

  test("goes through the stacks in deployment order, the same stacks the app synthesizes", () => {
    expect(workflow.env.STACKS.split(" ")).toEqual(STACK_ORDER);
    expect(Object.keys(synthJson()).sort()).toEqual([...STACK_ORDER].sort());
  });
});

describe("docs/deploy.md and docs/deploy.ja.md", () => {
  const guides = { en: "", ja: "" };
  beforeAll(() => {
    guides.en = readFileSync(GUIDES.en, "utf8");
    guides.ja = readFileSync(GUIDES.ja, "utf8");
  });
  const blocks = (text: string) => [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, body: m[2]! }));

  test("carry the same commands, policies and files, block for block", () => {
    expect(blocks(guides.ja)).toEqual(blocks(guides.en));
    expect(blocks(guides.en).length).toBeGreaterThan(10);
  });

  test("every JSON block parses", () => {
    for (const block of blocks(guides.en).filter((b) => b.lang === "json")) expect(() => JSON.parse(block.body)).not.toThrow();
  });

  test("the deploy role's trust policy is scoped to one repository's main branch", () => {
    const trust = blocks(guides.en)
      .filter((b) => b.lang === "json" && b.body.includes("sts:AssumeRoleWithWebIdentity"))
      .map((b) => JSON.parse(b.body).Statement[0].Condition);
    const subjects = trust.map((c) => c.StringEquals?.["token.actions.githubusercontent.com:sub"]);
    expect(trust.every((c) => c.StringEquals?.["token.actions.githubusercontent.com:aud"] === "sts.amazonaws.com")).toBe(true);
    expect(subjects.some((sub) => /^repo:[^:*]+:ref:refs\/heads\/main$/.test(sub))).toBe(true);
    expect(subjects.every((sub) => typeof sub === "string" && !sub.includes("*"))).toBe(true);
  });

  test("name the providers and versions the stacks pin", () => {
    const pinned = new Map<string, string>();
    for (const stack of Object.values(synthJson())) {
      for (const [name, p] of Object.entries<any>(stack.terraform?.required_providers ?? {})) {
        pinned.set(String(p.source).includes("/") ? p.source : `hashicorp/${p.source ?? name}`, p.version);
      }
    }
    expect(pinned.size).toBeGreaterThan(0);
    for (const text of Object.values(guides)) {
      for (const [source, version] of pinned) expect(text).toContain(`registry.terraform.io/${source} | ${version}`);
    }
  });

  test("list the stacks in deployment order", () => {
    for (const text of Object.values(guides)) expect(text).toContain(STACK_ORDER.map((s) => `\`${s}\``).join(" → "));
  });
});
