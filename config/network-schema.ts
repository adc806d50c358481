import { z } from "zod";
import { Cidr } from "./cidr";
import { cidrBlock, logRetentionDays, report } from "./fields";
import { formatPath } from "./issues";

/** Interface endpoint services this project knows how to name (`com.amazonaws.<region>.<svc>`). */
export const INTERFACE_ENDPOINT_SERVICES = [
  "ssm",
  "ssmmessages",
  "ec2messages",
  "secretsmanager",
  "logs",
  "monitoring",
  "kms",
  "sts",
  "ec2",
  "ecr.api",
  "ecr.dkr",
  "lambda",
  "sqs",
  "sns",
  "appsync-api",
] as const;

/**
 * Session Manager needs ssm and ssmmessages (ec2messages only for SSM Agent before 3.3.40,
 * older than any AL2023 AMI's); Dify reads its secret and ships its logs through the others.
 */
export const DEFAULT_INTERFACE_ENDPOINTS = ["ssm", "ssmmessages", "secretsmanager", "logs"] as const;

/** The runbook's addresses, on the /18 its subnet plan needs. */
export const DEFAULT_VPC_CIDR = "10.13.0.0/18";

/** One availability zone of the plan: a public subnet (NAT, nothing else) and a private one. */
const zoneSchema = z
  .object({
    /** Availability zone name, e.g. `ap-northeast-1a`. */
    name: z.string(),
    /** Public subnet: holds this AZ's NAT gateway. The runbook uses /24s. */
    publicSubnetCidr: cidrBlock(16, 28),
    /** Private subnet: Dify, the internal ALB, endpoints, Lambda ENIs. The runbook uses /20s. */
    privateSubnetCidr: cidrBlock(16, 28),
  })
  .strict();

export type ZoneConfig = z.infer<typeof zoneSchema>;

export const networkSchema = z
  .object({
    /**
     * The VPC's block. A /18 holds the runbook's layout (three /24 public and three /20 private
     * subnets); the runbook's own /19 cannot.
     * @default "10.13.0.0/18"
     */
    vpcCidr: cidrBlock(16, 28).default(DEFAULT_VPC_CIDR),
    /**
     * One entry per availability zone, at least two (an ALB needs two).
     * @default the runbook's layout on vpcCidr: 1a/1c/1d, public /24s #0-2, private /20s #1-3
     */
    zones: z.array(zoneSchema, {
      error: (issue) =>
        issue.input === undefined
          ? "is required here: the default layout needs a /18 or larger network.vpcCidr in a region with known default zones"
          : undefined,
    }),
    /**
     * `perAz`: one NAT gateway per zone, each private route table uses its own (the runbook's
     * production layout; an AZ outage only affects that AZ). `single`: one NAT gateway in the
     * first zone shared by all (cheaper; cross-AZ traffic and a single point of failure).
     * Each gateway with its address is about 49 USD a month in Tokyo (README, Cost): per zone
     * stays the default because it keeps the Lambda functions of the other zones online when
     * one zone fails; the Regional NAT gateway is billed per zone it is active in, no cheaper.
     * @default "perAz"
     */
    natGateways: z.enum(["perAz", "single"]).default("perAz"),
    /**
     * Interface endpoints, private DNS on, each in the zones of its callers only (billed per
     * zone): the Dify host's zone, and the Lambda zones for services a function may call
     * (everything but ssmmessages, ec2messages, logs, monitoring, ec2 and ECR).
     * @default ["ssm", "ssmmessages", "secretsmanager", "logs"]
     */
    interfaceEndpoints: z
      .array(z.enum(INTERFACE_ENDPOINT_SERVICES))
      .default([...DEFAULT_INTERFACE_ENDPOINTS]),
    flowLogs: z
      .object({
        /**
         * Days the VPC flow log group keeps events.
         * @default 365
         */
        retentionDays: logRetentionDays(365),
        /**
         * Seconds a flow record aggregates (60 or 600). Flow logs are billed per GB delivered
         * (0.76 USD in Tokyo): a long-lived connection writes one record per interval, so 600
         * writes up to ten times fewer for the same flows, and an investigation sees each flow
         * to within ten minutes. 60 when minute-level timing matters (it did not for the
         * runbook's use: who talked to whom).
         * @default 600
         */
        aggregationIntervalSeconds: z.union([z.literal(60), z.literal(600)]).default(600),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  // Runs even when other keys failed (each check guards its own inputs), so one run reports
  // every broken subnet at once.
  .superRefine(
    (network: unknown, ctx) => {
      if (typeof network === "object" && network !== null) {
        const { vpcCidr, zones } = network as { vpcCidr?: unknown; zones?: unknown };
        checkSubnetPlan(vpcCidr, zones, ctx);
      }
    },
    { when: () => true },
  );

/** Subnets inside the VPC, no overlaps, at least two zones, each zone once. */
function checkSubnetPlan(vpcCidr: unknown, zones: unknown, ctx: z.RefinementCtx<unknown>): void {
  if (!Array.isArray(zones)) return;
  if (zones.length < 2) {
    report(
      ctx,
      ["zones"],
      `lists ${zones.length} zone(s); the internal ALB needs subnets in at least two`,
      "add a second availability zone with its public and private subnet",
    );
  }
  const seen = new Map<unknown, number>();
  zones.forEach((zone: Partial<ZoneConfig> | null, i) => {
    const first = seen.get(zone?.name);
    if (typeof zone?.name !== "string") return;
    if (first !== undefined) {
      report(ctx, ["zones", i, "name"], `${zone.name} is already zones[${first}]`, "list each availability zone once");
    } else seen.set(zone.name, i);
  });

  const subnets = zones.flatMap((zone: Partial<ZoneConfig> | null, i) =>
    (["publicSubnetCidr", "privateSubnetCidr"] as const).flatMap((key) => {
      const text = zone?.[key];
      const cidr = typeof text === "string" ? Cidr.parse(text) : undefined;
      return cidr && text ? [{ path: ["zones", i, key], text, cidr }] : [];
    }),
  );
  const vpc = typeof vpcCidr === "string" ? Cidr.parse(vpcCidr) : undefined;
  for (const subnet of vpc ? subnets : []) {
    if (!vpc!.contains(subnet.cidr)) {
      report(
        ctx,
        subnet.path,
        `${subnet.text} (${subnet.cidr.range}) lies outside the VPC ${vpcCidr} (${vpc!.range})`,
        `widen network.vpcCidr so it contains ${subnet.text} (a /18 holds the runbook's layout), or choose a block inside ${vpc!.range}`,
      );
    }
  }
  subnets.forEach((a, i) =>
    subnets.slice(i + 1).forEach((b) => {
      if (a.cidr.overlaps(b.cidr)) {
        report(ctx, b.path, `${b.text} overlaps ${a.text} (network.${formatPath(a.path)})`, "give every subnet its own block");
      }
    }),
  );
}

export type NetworkConfig = z.infer<typeof networkSchema>;

/**
 * Zone letters of the regions this project knows, from the EC2 User Guide's list of zone IDs
 * (Tokyo: apne1-az1, az2, az4, and az3 in accounts that have 1b). Other regions are checked by
 * the shape of the name only.
 */
const ZONE_LETTERS: ReadonlyMap<string, readonly string[]> = new Map([["ap-northeast-1", ["a", "b", "c", "d"]]]);

/** Zones the runbook's layout uses when a config lists none. */
const DEFAULT_ZONE_LETTERS: ReadonlyMap<string, readonly string[]> = new Map([
  // 1b exists only in accounts created before 2012; new customer accounts get a, c, d.
  ["ap-northeast-1", ["a", "c", "d"]],
]);

/** The availability zone names of `region`, or undefined when this project does not know them. */
export function zonesOf(region: string): string[] | undefined {
  return ZONE_LETTERS.get(region)?.map((letter) => `${region}${letter}`);
}

/**
 * The runbook's layout (public /24 #0-2, private /20 #1-3) on `vpcCidr`, or undefined when the
 * block is too small for it or the region has no default zones.
 */
export function defaultZones(vpcCidr: string, region: string): ZoneConfig[] | undefined {
  const vpc = Cidr.parse(vpcCidr);
  const letters = DEFAULT_ZONE_LETTERS.get(region);
  if (!vpc || !vpc.isNetworkAddress(vpcCidr) || vpc.prefix > 18 || !letters) return undefined;
  return letters.map((letter, i) => ({
    name: `${region}${letter}`,
    publicSubnetCidr: vpc.subnet(24, i),
    privateSubnetCidr: vpc.subnet(20, i + 1),
  }));
}
