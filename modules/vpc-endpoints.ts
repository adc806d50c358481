import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Construct } from "constructs";

export interface VpcEndpointsProps {
  readonly vpcId: string;
  readonly region: string;
  /** Prefix of every `Name` tag, e.g. `acme-prod`. */
  readonly namePrefix: string;
  /** Route tables that get the S3 gateway endpoint: every private one. */
  readonly privateRouteTableIds: readonly string[];
  /** Security group of the interface endpoints (443 from the Dify host and Lambda). */
  readonly securityGroupId: string;
  /** Interface endpoint services by short name (`ssm`, `secretsmanager`) -> the subnets of their ENIs. */
  readonly interfaceSubnetIds: Readonly<Record<string, readonly string[]>>;
}

/**
 * The S3 gateway endpoint (free; keeps S3 traffic, including dnf repositories and the ALB's
 * logs, off the NAT gateways) and interface endpoints with private DNS, so AWS API calls from
 * private subnets resolve to addresses inside the VPC.
 */
export class VpcEndpoints extends Construct {
  readonly s3Gateway: VpcEndpoint;
  readonly interfaceEndpoints: Readonly<Record<string, VpcEndpoint>>;

  constructor(scope: Construct, id: string, props: VpcEndpointsProps) {
    super(scope, id);
    const serviceName = (service: string) => `com.amazonaws.${props.region}.${service}`;

    this.s3Gateway = new VpcEndpoint(this, "s3", {
      vpcId: props.vpcId,
      serviceName: serviceName("s3"),
      vpcEndpointType: "Gateway",
      routeTableIds: [...props.privateRouteTableIds],
      tags: { Name: `${props.namePrefix}-s3-gateway` },
    });

    this.interfaceEndpoints = Object.fromEntries(
      Object.entries(props.interfaceSubnetIds).map(([service, subnetIds]) => [
        service,
        new VpcEndpoint(this, `interface-${service}`, {
          vpcId: props.vpcId,
          serviceName: serviceName(service),
          vpcEndpointType: "Interface",
          subnetIds: [...subnetIds],
          securityGroupIds: [props.securityGroupId],
          privateDnsEnabled: true,
          tags: { Name: `${props.namePrefix}-${service}` },
        }),
      ]),
    );
  }
}
