import { DefaultRouteTable } from "@cdktf/provider-aws/lib/default-route-table";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc as AwsVpc } from "@cdktf/provider-aws/lib/vpc";
import { Construct } from "constructs";

/** One availability zone's slice of the plan. */
export interface VpcZone {
  /** Availability zone name, e.g. `ap-northeast-1a`. */
  readonly name: string;
  readonly publicSubnetCidr: string;
  readonly privateSubnetCidr: string;
}

export interface VpcProps {
  /** Prefix of every `Name` tag, e.g. `acme-prod`. */
  readonly namePrefix: string;
  readonly cidr: string;
  /** At least two zones; the order fixes which zone hosts a single NAT gateway (the first). */
  readonly zones: readonly VpcZone[];
  /**
   * `perAz`: a NAT gateway in every zone, each private route table uses its own.
   * `single`: one NAT gateway in the first zone for all.
   * @default "perAz"
   */
  readonly natGateways?: "perAz" | "single";
}

/** A private subnet and the route table that belongs to it alone. */
export interface PrivateZone {
  readonly zone: string;
  readonly subnet: Subnet;
  readonly routeTable: RouteTable;
}

/**
 * The VPC of the runbook's section 1: public subnets that hold only NAT gateways, private
 * subnets with one route table per zone, and AWS's defaults (main route table, default
 * security group) taken over and left empty so nothing can fall back on them.
 */
export class Vpc extends Construct {
  readonly vpc: AwsVpc;
  readonly publicSubnets: readonly Subnet[];
  readonly privateZones: readonly PrivateZone[];
  readonly natGateways: readonly NatGateway[];

  constructor(scope: Construct, id: string, props: VpcProps) {
    super(scope, id);
    const name = (suffix: string) => ({ Name: `${props.namePrefix}-${suffix}` });
    const suffixOf = (zone: VpcZone) => zone.name.slice(-1);

    this.vpc = new AwsVpc(this, "vpc", {
      cidrBlock: props.cidr,
      enableDnsSupport: true,
      // Interface endpoints' private DNS and the private hosted zone need both.
      enableDnsHostnames: true,
      tags: name("vpc"),
    });
    const vpcId = this.vpc.id;

    new DefaultSecurityGroup(this, "default-security-group", { vpcId, tags: name("default-unused") });
    new DefaultRouteTable(this, "default-route-table", {
      defaultRouteTableId: this.vpc.defaultRouteTableId,
      route: [],
      tags: name("main-unused"),
    });

    const igw = new InternetGateway(this, "igw", { vpcId, tags: name("igw") });
    const publicRouteTable = new RouteTable(this, "public-rt", { vpcId, tags: name("public-rt") });
    new Route(this, "public-default-route", {
      routeTableId: publicRouteTable.id,
      destinationCidrBlock: "0.0.0.0/0",
      gatewayId: igw.id,
    });

    this.publicSubnets = props.zones.map((zone) => {
      const subnet = new Subnet(this, `public-${zone.name}`, {
        vpcId,
        availabilityZone: zone.name,
        cidrBlock: zone.publicSubnetCidr,
        // Only NAT gateways live here; they bring their own Elastic IPs.
        mapPublicIpOnLaunch: false,
        tags: name(`public-${suffixOf(zone)}`),
      });
      new RouteTableAssociation(this, `public-rta-${zone.name}`, {
        subnetId: subnet.id,
        routeTableId: publicRouteTable.id,
      });
      return subnet;
    });

    const natZones = props.natGateways === "single" ? props.zones.slice(0, 1) : props.zones;
    this.natGateways = natZones.map((zone, i) => {
      const eip = new Eip(this, `nat-eip-${zone.name}`, { domain: "vpc", tags: name(`nat-eip-${suffixOf(zone)}`) });
      return new NatGateway(this, `nat-${zone.name}`, {
        allocationId: eip.allocationId,
        subnetId: this.publicSubnets[i]!.id,
        connectivityType: "public",
        tags: name(`natgw-${suffixOf(zone)}`),
        dependsOn: [igw],
      });
    });

    this.privateZones = props.zones.map((zone, i) => {
      const subnet = new Subnet(this, `private-${zone.name}`, {
        vpcId,
        availabilityZone: zone.name,
        cidrBlock: zone.privateSubnetCidr,
        mapPublicIpOnLaunch: false,
        tags: name(`private-${suffixOf(zone)}`),
      });
      const routeTable = new RouteTable(this, `private-rt-${zone.name}`, {
        vpcId,
        tags: name(`private-rt-${suffixOf(zone)}`),
      });
      new RouteTableAssociation(this, `private-rta-${zone.name}`, {
        subnetId: subnet.id,
        routeTableId: routeTable.id,
      });
      new Route(this, `private-default-route-${zone.name}`, {
        routeTableId: routeTable.id,
        destinationCidrBlock: "0.0.0.0/0",
        natGatewayId: (this.natGateways[i] ?? this.natGateways[0]!).id,
      });
      return { zone: zone.name, subnet, routeTable };
    });
  }
}
