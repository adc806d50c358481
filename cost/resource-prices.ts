import { gunzipSync } from "node:zlib";
import { parse } from "yaml";
import { HOURS_PER_MONTH, INSTANCE_HOUR, PRICES, type Price, type PriceId } from "./prices";

/** The Terraform JSON of one synthesized stack, as far as pricing reads it. */
export interface StackJson {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, any>>>>;
}

/** One charge of one resource: a fixed monthly amount and the usage prices that come on top. */
export interface Charge {
  /** What is charged, with the arithmetic, e.g. `NAT gateway: 730 h x 0.062`. */
  readonly item: string;
  readonly monthlyUsd: number;
  /** Prices per unit of use (GB, requests) that apply to this resource. */
  readonly usage: readonly PriceId[];
}

/** Thrown when a resource's settings are outside what the table can price (an unknown instance type). */
export class Unpriced extends Error {}

type Pricer = (body: any, stack: StackJson) => Charge[];

const hourly = (item: string, price: Price, count = 1, usage: PriceId[] = []): Charge => ({
  item: `${item}: ${count > 1 ? `${count} x ` : ""}${HOURS_PER_MONTH} h x ${price.usd}`,
  monthlyUsd: count * HOURS_PER_MONTH * price.usd,
  usage,
});
const monthly = (item: string, price: Price, count = 1, usage: PriceId[] = []): Charge => ({
  item: `${item}: ${count > 1 ? `${count} x ` : ""}${price.usd}/${price.per}`,
  monthlyUsd: count * price.usd,
  usage,
});
const usageOnly = (item: string, ...usage: PriceId[]): Charge[] => [{ item, monthlyUsd: 0, usage }];

/** The resource a `${type.name.attr}` reference in `stack` points to. */
function referenced(stack: StackJson, expression: unknown, type: string): any {
  const match = typeof expression === "string" ? /^\$\{([a-z0-9_]+)\.([^.}]+)\.[a-z_]+\}$/.exec(expression) : null;
  const body = match && match[1] === type ? stack.resource?.[type]?.[match[2]!] : undefined;
  if (!body) throw new Unpriced(`cannot follow ${String(expression)} to a ${type} of the same stack`);
  return body;
}

function gp3(item: string, ebs: { volume_type?: string; type?: string; volume_size?: number; size?: number; iops?: number; throughput?: number }): Charge {
  const type = ebs.volume_type ?? ebs.type;
  const size = ebs.volume_size ?? ebs.size;
  // gp3's baseline (3000 IOPS, 125 MB/s) is included; anything above is priced separately.
  if (type !== "gp3" || typeof size !== "number" || (ebs.iops ?? 3000) > 3000 || (ebs.throughput ?? 125) > 125) {
    throw new Unpriced(`${item} is ${type} ${size} GiB (${ebs.iops ?? "-"} IOPS, ${ebs.throughput ?? "-"} MB/s): only baseline gp3 is in the price table`);
  }
  return { item: `${item}: ${size} GiB x ${PRICES.gp3GbMonth.usd}`, monthlyUsd: size * PRICES.gp3GbMonth.usd, usage: [] };
}

/** Custom metrics the CloudWatch agent publishes: one per measurement and disk it watches. */
function agentMetrics(userData: unknown): number {
  if (typeof userData !== "string") return 0;
  const cloudConfig = parse(gunzipSync(Buffer.from(userData, "base64")).toString("utf8")) as { write_files?: { path: string; content: string }[] };
  const agent = cloudConfig.write_files?.find((file) => file.path.endsWith("cloudwatch-agent.json"));
  if (!agent) return 0;
  const collected = JSON.parse(agent.content).metrics?.metrics_collected ?? {};
  return Object.values(collected as Record<string, { measurement: unknown[]; resources?: unknown[] }>).reduce(
    (sum, metric) => sum + metric.measurement.length * (metric.resources?.length ?? 1),
    0,
  );
}

/**
 * How each resource type is billed. Types whose own existence costs nothing (configuration, or
 * billed through another resource) are in FREE with the reason; every other type needs a pricer
 * here, or the estimate lists it as unpriced.
 */
export const PRICERS: Readonly<Record<string, Pricer>> = {
  aws_nat_gateway: () => [hourly("NAT gateway", PRICES.natGatewayHour, 1, ["natGatewayGb"])],
  aws_eip: () => [hourly("public IPv4 address", PRICES.publicIpv4Hour)],
  aws_vpc_endpoint: (body) =>
    body.vpc_endpoint_type === "Interface"
      ? [hourly(`interface endpoint ${String(body.service_name).split(".").pop()} in ${body.subnet_ids.length} zone(s)`, PRICES.interfaceEndpointZoneHour, body.subnet_ids.length, ["interfaceEndpointGb"])]
      : [{ item: `gateway endpoint ${String(body.service_name).split(".").pop()}: no charge`, monthlyUsd: 0, usage: [] }],
  aws_instance: (body, stack) => {
    const template = referenced(stack, body.launch_template?.id, "aws_launch_template");
    const type = String(template.instance_type);
    const price = INSTANCE_HOUR[type];
    if (!price || !Object.hasOwn(INSTANCE_HOUR, type)) throw new Unpriced(`no price for instance type ${type} in cost/prices.ts`);
    const root = template.block_device_mappings?.[0]?.ebs;
    const metrics = agentMetrics(template.user_data);
    return [
      hourly(`EC2 ${type}`, price),
      ...(root ? [gp3("root volume gp3", root)] : []),
      ...(template.monitoring?.enabled ? [monthly("detailed monitoring", PRICES.detailedMonitoringInstanceMonth)] : []),
      ...(metrics ? [monthly("CloudWatch agent metrics", PRICES.customMetricMonth, metrics)] : []),
    ];
  },
  aws_ebs_volume: (body) => [{ ...gp3("EBS volume gp3", body), usage: ["snapshotGbMonth"] }],
  aws_lb: (body) => {
    if (body.load_balancer_type !== "application") throw new Unpriced(`load balancer type ${body.load_balancer_type}`);
    return [hourly("Application Load Balancer", PRICES.albHour, 1, ["albLcuHour"])];
  },
  aws_wafv2_web_acl: (body) => [
    monthly("WAF web ACL", PRICES.wafWebAclMonth, 1, ["wafMillionRequests"]),
    monthly("WAF rules and managed rule groups", PRICES.wafRuleMonth, (body.rule ?? []).length),
  ],
  aws_cloudwatch_metric_alarm: () => [monthly("CloudWatch alarm", PRICES.alarmMonth)],
  aws_secretsmanager_secret: () => [monthly("Secrets Manager secret", PRICES.secretMonth)],
  aws_route53_zone: () => [monthly("Route 53 hosted zone", PRICES.hostedZoneMonth)],
  aws_flow_log: (body) => usageOnly(`VPC flow logs (${body.traffic_type} traffic, ${body.max_aggregation_interval ?? 600} s) to ${body.log_destination_type}`, "vendedLogsToCloudWatchGb"),
  aws_cloudwatch_log_group: () => usageOnly("log group: by volume", "logsIngestGb", "logsStoredGbMonth"),
  aws_cloudfront_distribution: () => usageOnly("CloudFront: by traffic (VPC origins add no charge)", "cloudfrontJapanGb", "cloudfrontJapanTenThousandHttps"),
  aws_dynamodb_table: (body) => {
    if (body.billing_mode !== "PAY_PER_REQUEST") throw new Unpriced(`DynamoDB billing mode ${body.billing_mode}`);
    return usageOnly("DynamoDB on demand: by request", "dynamodbMillionWrites", ...(body.point_in_time_recovery?.enabled ? (["dynamodbPitrGbMonth"] as const) : []));
  },
  aws_s3_bucket: () => usageOnly("S3 bucket: by storage", "s3GbMonth"),
  aws_dlm_lifecycle_policy: () => usageOnly("snapshot schedule: snapshots by changed data", "snapshotGbMonth"),
  aws_amplify_app: () => usageOnly("Amplify Hosting: by build minute and data served", "amplifyBuildMinute", "amplifyServedGb"),
  aws_apigatewayv2_api: () => usageOnly("HTTP API: by request", "httpApiMillionRequests"),
  aws_sns_topic_subscription: (body) => (body.protocol === "email" ? usageOnly("SNS e-mail subscription", "snsEmailHundredThousand") : usageOnly("SNS subscription")),
  aws_ssm_parameter: (body) => {
    if (body.tier && body.tier !== "Standard") throw new Unpriced(`SSM parameter tier ${body.tier}`);
    return [];
  },
};

/** Resource types whose existence costs nothing by itself, with why. */
export const FREE: Readonly<Record<string, string>> = {
  aws_vpc: "no charge", aws_subnet: "no charge", aws_internet_gateway: "no charge", aws_route: "no charge",
  aws_route_table: "no charge", aws_route_table_association: "no charge", aws_default_route_table: "no charge",
  aws_security_group: "no charge", aws_default_security_group: "no charge",
  aws_vpc_security_group_ingress_rule: "no charge", aws_vpc_security_group_egress_rule: "no charge",
  aws_iam_role: "no charge", aws_iam_policy: "no charge", aws_iam_role_policy: "no charge",
  aws_iam_role_policy_attachment: "no charge", aws_iam_instance_profile: "no charge",
  aws_launch_template: "priced with the instance it launches", aws_volume_attachment: "no charge",
  aws_lb_listener: "no charge", aws_lb_target_group: "no charge", aws_lb_target_group_attachment: "no charge",
  aws_route53_record: "no charge (private zone queries from the VPC are not billed)",
  aws_secretsmanager_secret_version: "priced with the secret", aws_ssm_association: "State Manager on EC2: no charge",
  aws_s3_bucket_lifecycle_configuration: "no charge", aws_s3_bucket_ownership_controls: "no charge",
  aws_s3_bucket_policy: "no charge", aws_s3_bucket_public_access_block: "no charge",
  aws_s3_bucket_server_side_encryption_configuration: "SSE-KMS with the AWS managed key and a bucket key: requests only",
  aws_s3_bucket_versioning: "old versions priced as storage",
  aws_cloudwatch_log_resource_policy: "no charge", aws_wafv2_web_acl_logging_configuration: "priced as log ingestion",
  aws_wafv2_ip_set: "no charge", aws_cloudfront_response_headers_policy: "no charge",
  aws_cloudfront_vpc_origin: "no charge beyond CloudFront's own", aws_sns_topic: "no charge; deliveries are",
  aws_ec2_instance_connect_endpoint: "no charge", aws_amplify_branch: "priced with the app",
  aws_amplify_backend_environment: "priced with the app", aws_amplify_domain_association: "certificate managed by Amplify: no charge",
  aws_apigatewayv2_stage: "priced with the API", aws_apigatewayv2_route: "priced with the API",
  aws_apigatewayv2_integration: "priced with the API", aws_apigatewayv2_authorizer: "priced with the API",
  aws_apigatewayv2_vpc_link: "VPC links of HTTP APIs: no charge",
  random_password: "computed by Terraform", random_id: "computed by Terraform",
};
