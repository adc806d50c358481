import type { CustomerConfig } from "../config/schema";

/**
 * Services only the Dify host calls: Session Manager's channel, the CloudWatch agent's logs
 * and metrics, the EC2 and ECR APIs. Lambda ships its logs through the Lambda service, not
 * from the function's ENI, so it needs none of these.
 */
const HOST_ONLY_SERVICES = new Set(["ssmmessages", "ec2messages", "logs", "monitoring", "ec2", "ecr.api", "ecr.dkr"]);

/** The zone of the Dify host and its data volume: `dify.zone`, or the first of the network's. */
export function difyZone(config: Pick<CustomerConfig, "dify" | "network">): string {
  return config.dify.zone ?? config.network.zones[0]!.name;
}

/** The zones the Amplify Lambda functions attach to (none when Amplify is off). */
export function lambdaZones(config: Pick<CustomerConfig, "amplify" | "network">): string[] {
  if (!config.amplify.enabled) return [];
  const zones = config.network.zones.map((zone) => zone.name);
  return config.amplify.lambdaZones === "all" ? zones : zones.filter((zone) => zone === config.amplify.lambdaZones);
}

/**
 * Zones each interface endpoint gets an ENI in: only where its callers run. An endpoint is
 * billed per zone per hour (about 10 USD a month each in Tokyo), and private DNS sends every
 * caller in the VPC to it from any zone, so an ENI in a zone without callers buys nothing but
 * survival of a zone no caller is in. The host's zone always; the Lambda zones too for the
 * services a function may call (Parameter Store, Secrets Manager, ...).
 */
export function interfaceEndpointZones(config: Pick<CustomerConfig, "dify" | "network" | "amplify">): Record<string, string[]> {
  const host = difyZone(config);
  const lambda = lambdaZones(config);
  const order = config.network.zones.map((zone) => zone.name);
  return Object.fromEntries(
    config.network.interfaceEndpoints.map((service) => {
      const zones = new Set([host, ...(HOST_ONLY_SERVICES.has(service) ? [] : lambda)]);
      return [service, order.filter((zone) => zones.has(zone))];
    }),
  );
}
