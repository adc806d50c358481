import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { exampleConfig } from "./support/config";
import { referenced, resourcesOf, synthAll, synthJson, type StackJson } from "./support/synth";

const text = synthAll().network!;
const network: StackJson = JSON.parse(text);
const zones = ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"];

/** Zone of the subnet a resource's `subnet_id` references. */
const zoneOfSubnet = (stack: StackJson, subnetRef: string) => referenced(stack, subnetRef).body.availability_zone;

/** For each private route table (by zone), the zone of the NAT gateway its default route uses. */
function natZoneByPrivateZone(stack: StackJson): Record<string, string> {
  const result: Record<string, string> = {};
  for (const association of resourcesOf(stack, "aws_route_table_association")) {
    const subnet = referenced(stack, association.subnet_id).body;
    if (!subnet.tags.Name.includes("-private-")) continue;
    const route = resourcesOf(stack, "aws_route").find((r) => r.route_table_id === association.route_table_id);
    const nat = referenced(stack, route.nat_gateway_id).body;
    result[subnet.availability_zone] = zoneOfSubnet(stack, nat.subnet_id);
  }
  return result;
}

describe("network stack", () => {
  test("VPC with DNS support and hostnames", () => {
    expect(text).toHaveResourceWithProperties(Vpc, {
      cidr_block: "10.13.0.0/18",
      enable_dns_support: true,
      enable_dns_hostnames: true,
      tags: { Name: "example-prod-vpc" },
    });
  });

  test("three public and three private subnets, in the configured zones, none assigning public IPs", () => {
    const subnets = resourcesOf(network, "aws_subnet").map((s) => [s.tags.Name, s.availability_zone, s.cidr_block, s.map_public_ip_on_launch]);
    expect(subnets.sort()).toEqual(
      [
        ["example-prod-public-a", "ap-northeast-1a", "10.13.0.0/24", false],
        ["example-prod-public-c", "ap-northeast-1c", "10.13.1.0/24", false],
        ["example-prod-public-d", "ap-northeast-1d", "10.13.2.0/24", false],
        ["example-prod-private-a", "ap-northeast-1a", "10.13.16.0/20", false],
        ["example-prod-private-c", "ap-northeast-1c", "10.13.32.0/20", false],
        ["example-prod-private-d", "ap-northeast-1d", "10.13.48.0/20", false],
      ].sort(),
    );
  });

  test("internet gateway and one public route table routing 0.0.0.0/0 to it for every public subnet", () => {
    expect(text).toHaveResource(InternetGateway);
    const igwRoutes = resourcesOf(network, "aws_route").filter((r) => r.gateway_id);
    expect(igwRoutes).toHaveLength(1);
    expect(referenced(network, igwRoutes[0].gateway_id).type).toBe("aws_internet_gateway");
    expect(igwRoutes[0].destination_cidr_block).toBe("0.0.0.0/0");
    const publicSubnetZones = resourcesOf(network, "aws_route_table_association")
      .filter((a) => a.route_table_id === igwRoutes[0].route_table_id)
      .map((a) => zoneOfSubnet(network, a.subnet_id));
    expect(publicSubnetZones.sort()).toEqual(zones);
  });

  test("perAz: a NAT gateway with its Elastic IP in each public subnet, each private route table using its own zone's", () => {
    const nats = resourcesOf(network, "aws_nat_gateway");
    expect(nats).toHaveLength(3);
    expect(resourcesOf(network, "aws_eip")).toHaveLength(3);
    for (const nat of nats) {
      expect(referenced(network, nat.allocation_id).type).toBe("aws_eip");
      expect(referenced(network, nat.subnet_id).body.tags.Name).toContain("-public-");
    }
    expect(natZoneByPrivateZone(network)).toEqual(Object.fromEntries(zones.map((z) => [z, z])));
  });

  test("single: one NAT gateway in the first zone serves every private route table", () => {
    const single = synthJson(exampleConfig((d) => (d.network.natGateways = "single"))).network!;
    expect(resourcesOf(single, "aws_nat_gateway")).toHaveLength(1);
    expect(resourcesOf(single, "aws_eip")).toHaveLength(1);
    expect(natZoneByPrivateZone(single)).toEqual(Object.fromEntries(zones.map((z) => [z, "ap-northeast-1a"])));
  });

  test("one private route table per zone", () => {
    expect(resourcesOf(network, "aws_route_table").map((t) => t.tags.Name).sort()).toEqual([
      "example-prod-private-rt-a",
      "example-prod-private-rt-c",
      "example-prod-private-rt-d",
      "example-prod-public-rt",
    ]);
    expect(Object.keys(natZoneByPrivateZone(network)).sort()).toEqual(zones);
  });

  test("the main route table and the default security group are taken over and left empty", () => {
    const [main] = resourcesOf(network, "aws_default_route_table");
    expect(main.route).toEqual([]);
    expect(text).toHaveResource(DefaultSecurityGroup);
    const [defaultGroup] = resourcesOf(network, "aws_default_security_group");
    expect(defaultGroup.ingress).toBeUndefined();
    expect(defaultGroup.egress).toBeUndefined();
  });

  test("S3 gateway endpoint on every private route table, and only those", () => {
    const gateways = resourcesOf(network, "aws_vpc_endpoint").filter((e) => e.vpc_endpoint_type === "Gateway");
    expect(gateways).toHaveLength(1);
    expect(gateways[0].service_name).toBe("com.amazonaws.ap-northeast-1.s3");
    const names = gateways[0].route_table_ids.map((ref: string) => referenced(network, ref).body.tags.Name);
    expect(names.sort()).toEqual(["example-prod-private-rt-a", "example-prod-private-rt-c", "example-prod-private-rt-d"]);
  });

  /** Interface endpoint service short name -> the zones of its ENIs, in `stack`. */
  const endpointZones = (stack: StackJson) =>
    Object.fromEntries(
      resourcesOf(stack, "aws_vpc_endpoint")
        .filter((e) => e.vpc_endpoint_type === "Interface")
        .map((e) => [e.service_name.replace("com.amazonaws.ap-northeast-1.", ""), e.subnet_ids.map((ref: string) => zoneOfSubnet(stack, ref)).sort()]),
    );

  test("interface endpoints: the default services, in the zones of their callers only", () => {
    // The host (1a) calls all four; the Lambda functions (every zone) may call ssm and secretsmanager.
    expect(endpointZones(network)).toEqual({
      ssm: zones,
      secretsmanager: zones,
      ssmmessages: ["ap-northeast-1a"],
      logs: ["ap-northeast-1a"],
    });
  });

  test("endpoint zones follow dify.zone and amplify.lambdaZones", () => {
    const moved = synthJson(
      exampleConfig((d) => {
        d.dify.zone = "ap-northeast-1c";
        d.amplify.lambdaZones = "ap-northeast-1d";
      }),
    ).network!;
    expect(endpointZones(moved)).toEqual({
      ssm: ["ap-northeast-1c", "ap-northeast-1d"],
      secretsmanager: ["ap-northeast-1c", "ap-northeast-1d"],
      ssmmessages: ["ap-northeast-1c"],
      logs: ["ap-northeast-1c"],
    });
    const noAmplify = synthJson(exampleConfig((d) => (d.amplify = { enabled: false }))).network!;
    expect(endpointZones(noAmplify).ssm).toEqual(["ap-northeast-1a"]);
  });

  test("interface endpoints: private DNS, private subnets, their own security group", () => {
    const endpoints = resourcesOf(network, "aws_vpc_endpoint").filter((e) => e.vpc_endpoint_type === "Interface");
    for (const endpoint of endpoints) {
      expect(endpoint.private_dns_enabled).toBe(true);
      for (const ref of endpoint.subnet_ids) expect(referenced(network, ref).body.tags.Name).toContain("-private-");
      expect(endpoint.security_group_ids.map((ref: string) => referenced(network, ref).body.name)).toEqual(["example-prod-vpce"]);
    }
  });

  test("interface endpoints follow the config", () => {
    const custom = synthJson(exampleConfig((d) => (d.network.interfaceEndpoints = ["ssm", "appsync-api"]))).network!;
    expect(
      resourcesOf(custom, "aws_vpc_endpoint")
        .filter((e) => e.vpc_endpoint_type === "Interface")
        .map((e) => e.service_name)
        .sort(),
    ).toEqual(["com.amazonaws.ap-northeast-1.appsync-api", "com.amazonaws.ap-northeast-1.ssm"]);
  });

  test("flow logs: all traffic into a log group with the configured retention, through a role only the service of this account assumes", () => {
    expect(text).toHaveResourceWithProperties(CloudwatchLogGroup, { name: "/example-prod/vpc-flow-logs", retention_in_days: 365 });
    expect(text).toHaveResourceWithProperties(FlowLog, {
      traffic_type: "ALL",
      log_destination_type: "cloud-watch-logs",
      max_aggregation_interval: 600,
    });
    const minute = resourcesOf(synthJson(exampleConfig((d) => (d.network.flowLogs.aggregationIntervalSeconds = 60))).network!, "aws_flow_log");
    expect(minute[0].max_aggregation_interval).toBe(60);
    const [flowLog] = resourcesOf(network, "aws_flow_log");
    expect(referenced(network, flowLog.vpc_id).type).toBe("aws_vpc");
    const role = referenced(network, flowLog.iam_role_arn).body;
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "vpc-flow-logs.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": "111111111111" } },
      },
    ]);
    const retention = synthJson(exampleConfig((d) => (d.network.flowLogs.retentionDays = 30))).network!;
    expect(resourcesOf(retention, "aws_cloudwatch_log_group")[0].retention_in_days).toBe(30);
  });

  test("the five security groups of the matrix, each with a description, and no inline rules", () => {
    const groups = resourcesOf(network, "aws_security_group");
    expect(groups.map((g) => g.name).sort()).toEqual(
      ["alb", "dify", "eic", "lambda", "vpce"].map((role) => `example-prod-${role}`),
    );
    for (const group of groups) {
      expect(group.description).toMatch(/\w{5,}/);
      expect(group.ingress).toBeUndefined();
      expect(group.egress).toBeUndefined();
    }
  });

  test("every rule has a description AWS accepts", () => {
    const rules = [
      ...resourcesOf(network, "aws_vpc_security_group_ingress_rule"),
      ...resourcesOf(network, "aws_vpc_security_group_egress_rule"),
    ];
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(rule.description).toMatch(/^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]{10,255}$/);
  });

  test("outputs for the later stacks and for operators", () => {
    expect(Object.keys(network.output ?? {})).toEqual(
      expect.arrayContaining(["vpc_id", "private_subnet_ids", "public_subnet_ids", "nat_public_ips", "security_group_ids"]),
    );
  });
});
