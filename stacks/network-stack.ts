import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import type { NetworkConfig } from "../config/network-schema";
import { FlowLogs } from "../modules/flow-logs";
import { SecurityGroups, type OptionalSecurityGroupRole, type SecurityGroupRole } from "../modules/security-groups";
import { Vpc } from "../modules/vpc";
import { VpcEndpoints } from "../modules/vpc-endpoints";
import type { Deployment } from "./deployment";
import { DeploymentStack } from "./deployment-stack";

/** What later stacks take from the network; each value becomes a remote-state reference. */
export interface NetworkOutputs {
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** Private subnets in the config's zone order, with their zone names. */
  readonly privateSubnets: readonly { readonly zone: string; readonly id: string }[];
  readonly securityGroupIds: Readonly<Record<SecurityGroupRole, string> & Partial<Record<OptionalSecurityGroupRole, string>>>;
  /** Interface endpoint IDs by service short name (`secretsmanager`, `ssm`, ...). */
  readonly interfaceEndpointIds: Readonly<Record<string, string>>;
}

/** What the network takes from the rest of the config. */
export interface NetworkStackOptions {
  /** The internal ALB's listener port, which Lambda may reach (80, or 443 with TLS). */
  readonly albPort: number;
  /** Add the API Gateway VPC link's group to the matrix. */
  readonly apiGatewayVpcLink: boolean;
  /** The zones of each interface endpoint, by service (see endpoint-zones.ts). */
  readonly endpointZones: Readonly<Record<string, readonly string[]>>;
  /**
   * The SMTP port Dify sends mail to, opened from the dify group.
   * @default none
   */
  readonly smtpPort?: number;
}

/**
 * Runbook section 1: VPC, subnets, NAT, routes, endpoints, flow logs and the security-group
 * matrix for one customer environment.
 */
export class NetworkStack extends DeploymentStack {
  readonly outputs: NetworkOutputs;

  constructor(scope: Construct, deployment: Deployment, config: NetworkConfig, options: NetworkStackOptions) {
    super(scope, "network", deployment);
    const { namePrefix } = deployment;

    const network = new Vpc(this, "vpc", {
      namePrefix,
      cidr: config.vpcCidr,
      zones: config.zones,
      natGateways: config.natGateways,
    });
    const vpcId = network.vpc.id;

    const { albPort, apiGatewayVpcLink, endpointZones, smtpPort } = options;
    const securityGroups = new SecurityGroups(this, "security-groups", { vpcId, namePrefix, albPort, apiGatewayVpcLink, smtpPort });

    const endpoints = new VpcEndpoints(this, "endpoints", {
      vpcId,
      region: deployment.region,
      namePrefix,
      privateRouteTableIds: network.privateZones.map((z) => z.routeTable.id),
      securityGroupId: securityGroups.id("vpce"),
      interfaceSubnetIds: Object.fromEntries(
        Object.entries(endpointZones).map(([service, zones]) => [
          service,
          network.privateZones.filter((z) => zones.includes(z.zone)).map((z) => z.subnet.id),
        ]),
      ),
    });

    new FlowLogs(this, "flow-logs", {
      vpcId,
      accountId: deployment.accountId,
      region: deployment.region,
      namePrefix,
      retentionDays: config.flowLogs.retentionDays,
      aggregationIntervalSeconds: config.flowLogs.aggregationIntervalSeconds,
    });

    this.outputs = {
      vpcId,
      vpcCidr: network.vpc.cidrBlock,
      privateSubnets: network.privateZones.map((z) => ({ zone: z.zone, id: z.subnet.id })),
      securityGroupIds: Object.fromEntries(
        Object.entries(securityGroups.groups).map(([role, group]) => [role, group.id]),
      ) as NetworkOutputs["securityGroupIds"],
      interfaceEndpointIds: Object.fromEntries(
        Object.entries(endpoints.interfaceEndpoints).map(([service, endpoint]) => [service, endpoint.id]),
      ),
    };

    new TerraformOutput(this, "vpc_id", { value: vpcId });
    new TerraformOutput(this, "private_subnet_ids", { value: this.outputs.privateSubnets.map((s) => s.id) });
    new TerraformOutput(this, "public_subnet_ids", { value: network.publicSubnets.map((s) => s.id) });
    new TerraformOutput(this, "nat_public_ips", { value: network.natGateways.map((n) => n.publicIp) });
    new TerraformOutput(this, "security_group_ids", { value: this.outputs.securityGroupIds });
  }
}
