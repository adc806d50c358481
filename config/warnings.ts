import { Cidr } from "./cidr";
import { instanceMemoryGiB } from "./instance-types";
import { DEFAULT_REGION, type CustomerConfig } from "./schema";

/**
 * Things that are allowed but deserve a second look in review. Printed by `npm run synth`;
 * they never stop a synth.
 */
export function configWarnings(config: CustomerConfig): string[] {
  const warnings: string[] = [];
  const { network } = config;
  if (config.aws.region !== DEFAULT_REGION) {
    warnings.push(
      `aws.region is ${config.aws.region}: this project is built and tested for ${DEFAULT_REGION} (Tokyo); zone names, instance types, endpoint services and prices are checked for Tokyo only`,
    );
  }
  if (!Cidr.parse(network.vpcCidr)?.isPrivate()) {
    warnings.push(
      `network.vpcCidr ${network.vpcCidr} is not an RFC 1918 private range: peering or VPN to it may collide with public addresses`,
    );
  }
  for (const zone of network.zones) {
    if (zone.name === "ap-northeast-1b") {
      warnings.push("network.zones: ap-northeast-1b exists only in accounts created before 2012; new accounts use 1a, 1c, 1d");
    }
  }
  if (network.natGateways === "single") {
    warnings.push(
      `network.natGateways is single: private subnets outside ${network.zones[0]!.name} lose internet access when that zone fails`,
    );
  }
  if (config.amplify.enabled && config.amplify.lambdaZones !== "all") {
    warnings.push(
      `amplify.lambdaZones is ${config.amplify.lambdaZones}: the Lambda functions stop when that zone fails (the runbook's 1-AZ mode)`,
    );
  }
  const memory = instanceMemoryGiB(config.dify.instanceType);
  if (memory === undefined) {
    warnings.push(
      `dify.instanceType ${config.dify.instanceType}: memory unknown to this project; Dify needs 4 GiB and 8 GiB once plugins are installed`,
    );
  } else if (memory < 8) {
    warnings.push(
      `dify.instanceType ${config.dify.instanceType} has ${memory} GiB: Dify runs out of memory below 8 GiB once plugins are installed`,
    );
  }
  if (config.edge.waf.largeBodyPaths.includes("/")) {
    warnings.push(
      'edge.waf.largeBodyPaths includes "/": every path may send bodies over 8 KB, so the Core Rule Set\'s body-size rule protects nothing; list the paths that need it (uploads, the service API)',
    );
  }
  if (!config.dify.dockerHubSecretName) {
    warnings.push(
      "dify.dockerHubSecretName is not set: Dify pulls a dozen images from Docker Hub, which allows 10 anonymous pulls an hour per address (shared behind the NAT), so a first boot can take an hour; name a secret holding a Docker Hub token",
    );
  }
  return warnings;
}
