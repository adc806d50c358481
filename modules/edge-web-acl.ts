import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Wafv2IpSet } from "@cdktf/provider-aws/lib/wafv2-ip-set";
import { Wafv2WebAcl, type Wafv2WebAclRule } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import { Construct } from "constructs";
import { policyDocument } from "./iam-policy";

/** Label the Core Rule Set puts on requests whose body exceeds 8 KB. */
export const SIZE_RESTRICTIONS_BODY_LABEL = "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body";

export interface EdgeWebAclProps {
  /** Prefix of names, e.g. `acme-prod`. */
  readonly namePrefix: string;
  readonly accountId: string;
  /** The AWS provider for us-east-1, where CloudFront's web ACLs and their logs live. */
  readonly usEast1: AwsProvider;
  /** Paths that may carry bodies above 8 KB; every other path still gets the size rule. */
  readonly largeBodyPaths: readonly string[];
  /** KB of a body WAF inspects: 16, 32, 48 or 64. */
  readonly bodyInspectionLimitKb: number;
  /** Requests per client IP in 5 minutes. */
  readonly rateLimitPer5Minutes: number;
  /** Add AWSManagedRulesAnonymousIpList. */
  readonly blockAnonymousIps: boolean;
  /** When non-empty, `adminPaths` answer only these ranges. */
  readonly adminCidrs: readonly string[];
  readonly adminPaths: readonly string[];
  readonly logRetentionDays: number;
}

const pathStartsWith = (path: string) => ({
  byte_match_statement: {
    field_to_match: { uri_path: {} },
    positional_constraint: "STARTS_WITH",
    search_string: path,
    text_transformation: [{ priority: 0, type: "NONE" }],
  },
});

/** Statement that matches a URI path starting with any of `paths` (WAF's OR needs two or more). */
function pathStartsWithAny(paths: readonly string[]): Record<string, unknown> {
  const statements = paths.map(pathStartsWith);
  return statements.length === 1 ? statements[0]! : { or_statement: { statement: statements } };
}

/**
 * Runbook section 2.10.1, corrected: a WAF web ACL for CloudFront (scope CLOUDFRONT, so in
 * us-east-1). The Core Rule Set's 8 KB body rule is counted instead of blocking, and a rule of
 * our own blocks on its label unless the path is one that legitimately takes large bodies, so the
 * protection stays on for every other path. Known bad inputs, the IP reputation list, a rate
 * limit per IP, and optionally anonymous IPs and an admin allow-list for Dify's console complete
 * it. Every rule has metrics; requests are logged (Authorization redacted).
 */
export class EdgeWebAcl extends Construct {
  readonly webAcl: Wafv2WebAcl;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: EdgeWebAclProps) {
    super(scope, id);
    const provider = props.usEast1;
    const metricPrefix = `${props.namePrefix}-dify`;
    const visibility = (name: string) => ({
      cloudwatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${metricPrefix}-${name}`,
    });
    const managed = (name: string, priority: number, statementExtras: Record<string, unknown> = {}): Wafv2WebAclRule => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managed_rule_group_statement: { vendor_name: "AWS", name, ...statementExtras } },
      visibilityConfig: visibility(name),
    });
    const block = (name: string, priority: number, statement: Record<string, unknown>): Wafv2WebAclRule => ({
      name,
      priority,
      action: { block: {} },
      statement,
      visibilityConfig: visibility(name),
    });

    const rules: Wafv2WebAclRule[] = [
      managed("AWSManagedRulesCommonRuleSet", 10, {
        rule_action_override: [{ name: "SizeRestrictions_BODY", action_to_use: { count: {} } }],
      }),
      // label AND NOT path1 AND NOT path2 ...: two levels of nesting, within WAF's limit.
      block("LargeBodyOnlyOnAllowedPaths", 20, {
        and_statement: {
          statement: [
            { label_match_statement: { scope: "LABEL", key: SIZE_RESTRICTIONS_BODY_LABEL } },
            ...props.largeBodyPaths.map((path) => ({ not_statement: { statement: [pathStartsWith(path)] } })),
          ],
        },
      }),
      managed("AWSManagedRulesKnownBadInputsRuleSet", 30),
      managed("AWSManagedRulesAmazonIpReputationList", 40),
      ...(props.blockAnonymousIps ? [managed("AWSManagedRulesAnonymousIpList", 50)] : []),
      block("RateLimitPerIp", 60, {
        rate_based_statement: { limit: props.rateLimitPer5Minutes, aggregate_key_type: "IP", evaluation_window_sec: 300 },
      }),
    ];
    if (props.adminCidrs.length > 0) {
      const admins = new Wafv2IpSet(this, "admin-cidrs", {
        provider,
        name: `${metricPrefix}-admins`,
        description: "Source ranges allowed to reach Dify's console",
        scope: "CLOUDFRONT",
        ipAddressVersion: "IPV4",
        addresses: [...props.adminCidrs],
      });
      rules.push(
        block("ConsoleOnlyFromAdmins", 70, {
          and_statement: {
            statement: [
              pathStartsWithAny(props.adminPaths),
              { not_statement: { statement: [{ ip_set_reference_statement: { arn: admins.arn } }] } },
            ],
          },
        }),
      );
    }

    this.webAcl = new Wafv2WebAcl(this, "web-acl", {
      provider,
      name: metricPrefix,
      description: `${props.namePrefix} Dify behind CloudFront`,
      scope: "CLOUDFRONT",
      defaultAction: { allow: {} },
      rule: rules,
      associationConfig: {
        requestBody: [{ cloudfront: { defaultSizeInspectionLimit: `KB_${props.bodyInspectionLimitKb}` } }],
      },
      visibilityConfig: visibility("web-acl"),
    });

    // WAF requires the aws-waf-logs- prefix.
    this.logGroup = new CloudwatchLogGroup(this, "log-group", {
      provider,
      name: `aws-waf-logs-${metricPrefix}`,
      retentionInDays: props.logRetentionDays,
    });
    const delivery = new CloudwatchLogResourcePolicy(this, "log-delivery", {
      provider,
      policyName: `${metricPrefix}-waf-log-delivery`,
      policyDocument: policyDocument([
        {
          Sid: "WafLogDelivery",
          Effect: "Allow",
          Principal: { Service: "delivery.logs.amazonaws.com" },
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${this.logGroup.arn}:*`,
          Condition: {
            StringEquals: { "aws:SourceAccount": props.accountId },
            ArnLike: { "aws:SourceArn": `arn:aws:logs:us-east-1:${props.accountId}:*` },
          },
        },
      ]),
    });
    new Wafv2WebAclLoggingConfiguration(this, "logging", {
      provider,
      resourceArn: this.webAcl.arn,
      logDestinationConfigs: [this.logGroup.arn],
      // Dify app keys travel as Bearer tokens.
      redactedFields: [{ singleHeader: { name: "authorization" } }],
      dependsOn: [delivery],
    });
  }
}
