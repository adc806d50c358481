/**
 * List prices the cost estimate uses: USD, on demand, Linux, ap-northeast-1 (Tokyo) unless the
 * entry says global (WAF for CloudFront, CloudFront, Route 53). Read 2026-12-01 from stored
 * copies; AWS's pricing pages and the Price List API could not be reached from the machine that
 * compiled this table, so each entry records where its figure came from and how sure it is:
 *
 * - `aws`: read on an AWS-owned page or repository;
 * - `price-list`: a published transcript of the AWS Price List API for ap-northeast-1, with
 *   its SKU (strong, but not AWS's own page);
 * - `article`: a third-party article or table;
 * - `unverified`: the best-known list price, no Tokyo source seen; check before relying on it.
 *
 * To update: change the figure, its source and `read`; `npm test` regenerates nothing, but the
 * README's cost tables are tested against `npm run cost`, so they must be regenerated too.
 */
export interface Price {
  readonly usd: number;
  /** What one `usd` buys, e.g. "hour", "GB", "GB-month", "month", "million requests". */
  readonly per: string;
  readonly source: string;
  readonly confidence: "aws" | "price-list" | "article" | "unverified";
  /** When the figure was read (or the date its source carries). */
  readonly read: string;
}

/** Hours in the month every monthly figure assumes (AWS's own calculator uses 730). */
export const HOURS_PER_MONTH = 730;

const READ = "2026-12-01";
const PRICE_LIST = (sku: string, date: string) => ({ source: `AWS Price List API, ap-northeast-1, SKU ${sku}`, confidence: "price-list" as const, read: date });

export const PRICES = {
  natGatewayHour: { usd: 0.062, per: "hour", ...PRICE_LIST("CA23TN2NAN47KGCF", "2026-09-06") },
  natGatewayGb: { usd: 0.062, per: "GB processed", ...PRICE_LIST("3Z2F4ZNXEMZB88ED", "2026-09-06") },
  publicIpv4Hour: {
    usd: 0.005,
    per: "hour",
    source: "AWS public IPv4 charge from 2024-02-01 (AWS News Blog, 2023-07-28); usage type APN1-PublicIPv4:InUseAddress",
    confidence: "aws",
    read: READ,
  },
  interfaceEndpointZoneHour: {
    usd: 0.014,
    per: "hour per zone",
    source: "usage type APN1-VpcEndpoint-Hours; billed per zone: https://aws.amazon.com/privatelink/pricing/",
    confidence: "price-list",
    read: "2026-09-25",
  },
  interfaceEndpointGb: { usd: 0.01, per: "GB processed", source: "https://aws.amazon.com/privatelink/pricing/ (first 1 PB)", confidence: "price-list", read: "2026-09-25" },
  gp3GbMonth: { usd: 0.096, per: "GB-month", ...PRICE_LIST("C8Y3GJZBQTH8T5JV", "2026-09-05") },
  snapshotGbMonth: { usd: 0.05, per: "GB-month", source: "https://aws.amazon.com/ebs/pricing/ (standard tier)", confidence: "unverified", read: READ },
  albHour: { usd: 0.0243, per: "hour", ...PRICE_LIST("98ZU8QNDMR4AS8FJ", "2026-09-05") },
  albLcuHour: { usd: 0.008, per: "LCU-hour", ...PRICE_LIST("F2UQT6CZGM7BTWS8", "2026-09-05") },
  wafWebAclMonth: {
    usd: 5,
    per: "month",
    source: "aws/aws-security-services-best-practices, guides/waf/waf-cost (same price in every region)",
    confidence: "aws",
    read: "2026-06-10",
  },
  wafRuleMonth: { usd: 1, per: "rule-month (a managed rule group counts as one)", source: "aws/aws-security-services-best-practices, guides/waf/waf-cost", confidence: "aws", read: "2026-06-10" },
  wafMillionRequests: { usd: 0.6, per: "million requests", source: "aws/aws-security-services-best-practices, guides/waf/waf-cost", confidence: "aws", read: "2026-06-10" },
  cloudfrontJapanGb: { usd: 0.114, per: "GB to viewers in Japan (first 10 TB; 1 TB a month free)", source: "https://aws.amazon.com/cloudfront/pricing/", confidence: "aws", read: READ },
  cloudfrontJapanTenThousandHttps: { usd: 0.012, per: "10,000 HTTPS requests (10 million a month free)", source: "https://aws.amazon.com/cloudfront/pricing/", confidence: "unverified", read: READ },
  logsIngestGb: { usd: 0.76, per: "GB ingested", source: "CloudWatch Logs standard class, Tokyo (dev.classmethod.jp, awsi.click)", confidence: "article", read: READ },
  logsStoredGbMonth: { usd: 0.033, per: "GB-month stored", source: "CloudWatch Logs archive, Tokyo (awsi.click)", confidence: "article", read: READ },
  vendedLogsToCloudWatchGb: { usd: 0.76, per: "GB of flow logs delivered (first 10 TB)", source: "vended logs to CloudWatch Logs, Tokyo (dev.classmethod.jp)", confidence: "article", read: READ },
  customMetricMonth: { usd: 0.3, per: "metric-month (first 10,000)", source: "https://aws.amazon.com/cloudwatch/pricing/", confidence: "unverified", read: READ },
  alarmMonth: { usd: 0.1, per: "standard alarm-month", source: "https://aws.amazon.com/cloudwatch/pricing/", confidence: "unverified", read: READ },
  detailedMonitoringInstanceMonth: {
    usd: 2.1,
    per: "instance-month (7 EC2 metrics at 1 minute, billed as custom metrics)",
    source: "https://aws.amazon.com/cloudwatch/pricing/ (example)",
    confidence: "unverified",
    read: READ,
  },
  secretMonth: { usd: 0.4, per: "secret-month", source: "https://aws.amazon.com/secrets-manager/pricing/", confidence: "article", read: READ },
  hostedZoneMonth: { usd: 0.5, per: "hosted zone-month (first 25)", source: "https://aws.amazon.com/route53/pricing/", confidence: "article", read: READ },
  s3GbMonth: { usd: 0.025, per: "GB-month (first 50 TB)", ...PRICE_LIST("CCBFTMENTDWZHXHX", "2026-09-05") },
  dynamodbMillionWrites: { usd: 0.715, per: "million write request units", ...PRICE_LIST("HBK75W4NW4DYPFAC", "2026-09-05") },
  dynamodbPitrGbMonth: { usd: 0.228, per: "GB-month of continuous backup", source: "https://aws.amazon.com/dynamodb/pricing/on-demand/", confidence: "unverified", read: READ },
  httpApiMillionRequests: { usd: 1.29, per: "million requests (first 300 million)", ...PRICE_LIST("5TU3JKA59EGYZ8XY", "2026-09-05") },
  amplifyBuildMinute: { usd: 0.01, per: "build minute", source: "https://aws.amazon.com/amplify/pricing/", confidence: "unverified", read: READ },
  amplifyServedGb: { usd: 0.15, per: "GB served", source: "https://aws.amazon.com/amplify/pricing/", confidence: "unverified", read: READ },
  snsEmailHundredThousand: { usd: 2, per: "100,000 e-mail notifications (first 1,000 free)", source: "https://aws.amazon.com/sns/pricing/", confidence: "article", read: READ },
} as const satisfies Record<string, Price>;

export type PriceId = keyof typeof PRICES;

/** On-demand Linux prices per hour of the instance types the project is sized for. */
export const INSTANCE_HOUR: Readonly<Record<string, Price>> = {
  "t3.medium": { usd: 0.0544, per: "hour", ...PRICE_LIST("77PTRYZ5MAUP8HU6", "2026-09-05") },
  "t3.large": { usd: 0.1088, per: "hour", source: "2 x t3.medium (Price List API SKU 77PTRYZ5MAUP8HU6); a static table agrees", confidence: "article", read: READ },
  "t3.xlarge": { usd: 0.2176, per: "hour", source: "4 x t3.medium; a static table agrees", confidence: "article", read: READ },
  "t4g.medium": { usd: 0.0432, per: "hour", source: "static table of AWS public prices", confidence: "article", read: READ },
  "t4g.large": { usd: 0.0864, per: "hour", source: "static table of AWS public prices", confidence: "article", read: READ },
  "t4g.xlarge": { usd: 0.1728, per: "hour", source: "static table of AWS public prices", confidence: "article", read: READ },
  "m6g.large": { usd: 0.099, per: "hour", source: "Price List API transcript, Tokyo on-demand", confidence: "price-list", read: "2026-09-03" },
  "m7g.large": { usd: 0.1054, per: "hour", source: "Price List API transcript, Tokyo on-demand (a static table says 0.1072)", confidence: "price-list", read: "2026-09-03" },
  "m7g.xlarge": { usd: 0.2108, per: "hour", source: "2 x m7g.large", confidence: "price-list", read: "2026-09-03" },
  "m6i.large": { usd: 0.124, per: "hour", source: "Price List API transcript, Tokyo on-demand (m5/m6i)", confidence: "price-list", read: "2026-09-03" },
  "m7i.large": { usd: 0.1302, per: "hour", source: "https://aws.amazon.com/ec2/pricing/on-demand/ (m6i x 1.05, as in us-east-1)", confidence: "unverified", read: READ },
  "m7i.xlarge": { usd: 0.2604, per: "hour", source: "2 x m7i.large", confidence: "unverified", read: READ },
};
