import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../config/load";
import { architectureMarkdown, architectureMermaid } from "../docs-gen/diagram";
import { exampleConfig, REPO_ROOT } from "./support/config";
import { synthStacksDir } from "./support/synth";

// Expected values are written from the architecture of customers/example.yaml (and
// example-full.yaml), not read back from the generator: three zones a/c/d of a /18, a NAT
// gateway in each public subnet, CloudFront's origin-facing prefix list -> ALB -> Dify on 80,
// SSH only from the Instance Connect endpoint.

const EXAMPLE = "customers/example.yaml";
const REGENERATE = `npx amplify-dify-vpc diagram --config ${EXAMPLE} > docs/architecture.md`;

const exampleStacks = synthStacksDir(loadConfig(join(REPO_ROOT, EXAMPLE)).config);
const example = architectureMermaid(exampleStacks);

/**
 * The structure of a generated flowchart, checked while read: every `subgraph` closed by an
 * `end`, IDs of plain `[A-Za-z0-9_]` starting with a letter, no node or subgraph declared twice,
 * every edge between declared nodes. (No maintained Mermaid parser runs in Node without a DOM;
 * see docs-gen/diagram.ts. This catches the mistakes a generator can make.)
 */
function structure(mermaid: string) {
  const lines = mermaid.trimEnd().split("\n");
  expect(lines[0]).toBe("flowchart TB");
  const parent = new Map<string, string | undefined>();
  const label = new Map<string, string>();
  const edges: string[] = [];
  const stack: string[] = [];
  const declare = (id: string, text: string) => {
    expect(id).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
    expect(id).not.toBe("end");
    if (parent.has(id)) throw new Error(`${id} declared twice`);
    parent.set(id, stack.at(-1));
    label.set(id, text);
  };
  for (const line of lines.slice(1)) {
    const text = line.trim();
    let match: RegExpExecArray | null;
    if ((match = /^subgraph (\S+)\["([^"]*)"\]$/.exec(text))) {
      declare(match[1]!, match[2]!);
      stack.push(match[1]!);
    } else if (text === "end") {
      if (!stack.pop()) throw new Error("end without subgraph");
    } else if ((match = /^(\S+?)(?:\["|\{\{"|\[\("|\(\[")([^"]*)(?:"\]|"\}\}|"\)\]|"\]\))$/.exec(text))) {
      declare(match[1]!, match[2]!);
    } else if ((match = /^(\S+) (==>|--x|-\.->|-->|-\.-)(?:\|"([^"]*)"\|)? (\S+)$/.exec(text))) {
      for (const end of [match[1]!, match[4]!]) if (!label.has(end)) throw new Error(`edge names undeclared ${end}: ${text}`);
      edges.push(text);
    } else if (!/^(classDef \w+ [^;]+|class [\w,]+ \w+)$/.test(text)) {
      throw new Error(`unexpected line: ${text}`);
    }
  }
  expect(stack).toEqual([]);
  /** The chain of subgraphs around `id`, innermost first. */
  const ancestors = (id: string): string[] => {
    const up = parent.get(id);
    return up ? [up, ...ancestors(up)] : [];
  };
  const flows = edges.filter((edge) => edge.includes(" ==>") || edge.includes(" --x"));
  return { parent, label, edges, flows, ancestors };
}

const exampleGraph = structure(example);

describe("architecture diagram", () => {
  test("docs/architecture.md is current", () => {
    const expected = architectureMarkdown(exampleStacks, EXAMPLE);
    const current = readFileSync(join(REPO_ROOT, "docs", "architecture.md"), "utf8");
    if (current !== expected) {
      const a = current.split("\n");
      const b = expected.split("\n");
      const line = a.findIndex((text, i) => text !== b[i]);
      const at = line < 0 ? a.length : line;
      throw new Error(
        `docs/architecture.md is out of date with the stacks ${EXAMPLE} synthesizes (first difference at line ${at + 1}:\n` +
          `  file:      ${a[at] ?? "(end of file)"}\n  generated: ${b[at] ?? "(end of file)"}).\nRegenerate it with: ${REGENERATE}`,
      );
    }
  });

  test("the markdown names its config and command, and holds the Mermaid block", () => {
    const markdown = architectureMarkdown(exampleStacks, EXAMPLE);
    expect(markdown.startsWith("# Architecture of customers/example.yaml\n")).toBe(true);
    expect(markdown).toContain("`npx amplify-dify-vpc diagram --config customers/example.yaml > docs/architecture.md`");
    expect(markdown).toContain("Mermaid");
    expect(markdown).toContain(`\`\`\`mermaid\n${example}\`\`\`\n`);
  });

  test("VPC -> three zones -> public and private subnets with their CIDRs", () => {
    const { parent, label, ancestors } = exampleGraph;
    expect(label.get("vpc")).toBe("VPC example-prod-vpc 10.13.0.0/18 in ap-northeast-1");
    const zones = [...parent.entries()].filter(([, up]) => up === "vpc").map(([id]) => id).filter((id) => id.startsWith("zone_"));
    expect(zones).toEqual(["zone_ap_northeast_1a", "zone_ap_northeast_1c", "zone_ap_northeast_1d"]);
    expect(zones.map((zone) => label.get(zone))).toEqual(["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]);
    const subnets: [string, string, string, string][] = [
      ["a", "public", "10.13.0.0/24", "example-prod-public-a"],
      ["a", "private", "10.13.16.0/20", "example-prod-private-a"],
      ["c", "public", "10.13.1.0/24", "example-prod-public-c"],
      ["c", "private", "10.13.32.0/20", "example-prod-private-c"],
      ["d", "public", "10.13.2.0/24", "example-prod-public-d"],
      ["d", "private", "10.13.48.0/20", "example-prod-private-d"],
    ];
    for (const [zone, kind, cidr, name] of subnets) {
      const box = `subnet_vpc_${kind}_ap_northeast_1${zone}`;
      expect(label.get(box)).toBe(`${kind} subnet`);
      expect(label.get(`${box}_cidr`)).toBe(`${cidr}<br/>${name}`);
      expect(ancestors(`${box}_cidr`)).toEqual([box, `zone_ap_northeast_1${zone}`, "vpc"]);
    }
  });

  test("a NAT gateway in each zone's public subnet, each private subnet routed to its own", () => {
    const { parent, label, edges } = exampleGraph;
    const nats = [...parent.keys()].filter((id) => id.startsWith("nat_"));
    expect(nats).toEqual(["nat_vpc_nat_ap_northeast_1a", "nat_vpc_nat_ap_northeast_1c", "nat_vpc_nat_ap_northeast_1d"]);
    for (const zone of ["a", "c", "d"]) {
      const nat = `nat_vpc_nat_ap_northeast_1${zone}`;
      expect(parent.get(nat)).toBe(`subnet_vpc_public_ap_northeast_1${zone}`);
      expect(label.get(nat)).toBe(`NAT gateway (public with Elastic IP)<br/>example-prod-natgw-${zone}`);
      expect(edges).toContain(`subnet_vpc_private_ap_northeast_1${zone}_cidr -.->|"0.0.0.0/0"| ${nat}`);
      expect(edges).toContain(`subnet_vpc_public_ap_northeast_1${zone}_cidr -.->|"0.0.0.0/0"| igw_vpc_igw`);
    }
    expect(parent.get("igw_vpc_igw")).toBe("vpc");
  });

  test("every security-group flow, labelled with its port", () => {
    expect(exampleGraph.flows.sort()).toEqual([
      'pl_alb_from_cloudfront_prefix_list ==>|"tcp/80"| sg_security_groups_alb',
      'sg_security_groups_alb ==>|"tcp/80"| sg_security_groups_dify',
      'sg_security_groups_dify ==>|"tcp/443"| cidr_0_0_0_0_0',
      'sg_security_groups_dify ==>|"tcp/443"| sg_security_groups_vpce',
      'sg_security_groups_eic ==>|"tcp/22"| sg_security_groups_dify',
      'sg_security_groups_lambda ==>|"tcp/443"| cidr_0_0_0_0_0',
      'sg_security_groups_lambda ==>|"tcp/443"| sg_security_groups_vpce',
      'sg_security_groups_lambda ==>|"tcp/80"| sg_security_groups_alb',
    ]);
    const { label } = exampleGraph;
    expect(label.get("pl_alb_from_cloudfront_prefix_list")).toBe("prefix list<br/>com.amazonaws.global.cloudfront.origin-facing");
    expect(label.get("sg_security_groups_alb")).toBe("security group<br/>example-prod-alb");
    expect(exampleGraph.parent.get("sg_security_groups_dify")).toBe("sgs_vpc");
  });

  test("Dify host, data volume, ALB, Instance Connect, endpoints and Route 53 sit where they are", () => {
    const { parent, label, edges } = exampleGraph;
    expect(label.get("ec2_host_instance")).toBe("EC2 instance<br/>example-prod-dify<br/>t3.large");
    expect(parent.get("ec2_host_instance")).toBe("subnet_vpc_private_ap_northeast_1a");
    expect(label.get("ebs_host_data_volume")).toBe("EBS volume<br/>example-prod-dify-data<br/>50 GiB gp3, encrypted");
    expect(parent.get("ebs_host_data_volume")).toBe("zone_ap_northeast_1a");
    expect(label.get("eic_instance_connect_endpoint")).toBe("EC2 Instance Connect endpoint<br/>example-prod-dify-eic");
    expect(parent.get("eic_instance_connect_endpoint")).toBe("subnet_vpc_private_ap_northeast_1a");
    expect(label.get("alb")).toBe("internal ALB<br/>example-prod-dify<br/>HTTP:80 → forward<br/>subnets in ap-northeast-1a, ap-northeast-1c, ap-northeast-1d");
    expect(parent.get("alb")).toBe("vpc");
    // ssm and secretsmanager in the three Lambda zones, ssmmessages and logs in the host's only.
    expect(label.get("vpce_vpc_private_ap_northeast_1a")).toBe("interface endpoints<br/>logs, secretsmanager, ssm, ssmmessages");
    expect(label.get("vpce_vpc_private_ap_northeast_1c")).toBe("interface endpoints<br/>secretsmanager, ssm");
    expect(label.get("vpce_vpc_private_ap_northeast_1d")).toBe("interface endpoints<br/>secretsmanager, ssm");
    expect(parent.get("vpce_vpc_private_ap_northeast_1d")).toBe("subnet_vpc_private_ap_northeast_1d");
    expect(label.get("vpce_endpoints_s3")).toBe("s3 gateway endpoint<br/>route tables of ap-northeast-1a, ap-northeast-1c, ap-northeast-1d");
    expect(label.get("r53_private_dns_zone")).toBe("Route 53 private zone<br/>dify.internal<br/>for example-prod-vpc");
    expect(edges).toEqual(
      expect.arrayContaining([
        'alb -->|"target HTTP:80"| ec2_host_instance',
        'ec2_host_instance -->|"/dev/sdf"| ebs_host_data_volume',
        'r53_private_dns_zone -->|"api.dify.internal A alias"| alb',
        "alb -.- sg_security_groups_alb",
        "ec2_host_instance -.- sg_security_groups_dify",
        "eic_instance_connect_endpoint -.- sg_security_groups_eic",
        "vpce_vpc_private_ap_northeast_1c -.- sg_security_groups_vpce",
      ]),
    );
  });

  test("CloudFront with its VPC origin and WAF web ACL, and the Amplify app", () => {
    const { parent, label, edges } = exampleGraph;
    expect(label.get("cf_cloudfront_distribution")).toBe("CloudFront distribution<br/>default *.cloudfront.net domain<br/>PriceClass_200");
    expect(label.get("cfvo_cloudfront_vpc_origin")).toBe("CloudFront VPC origin<br/>example-prod-dify-alb<br/>http-only (HTTP 80, HTTPS 443)");
    expect(label.get("waf_web_acl")).toBe(
      "WAF web ACL (CLOUDFRONT)<br/>example-prod-dify<br/>AWSManagedRulesCommonRuleSet<br/>LargeBodyOnlyOnAllowedPaths<br/>AWSManagedRulesKnownBadInputsRuleSet<br/>AWSManagedRulesAmazonIpReputationList<br/>RateLimitPerIp",
    );
    expect(label.get("amplify_hosting_app")).toBe("Amplify app<br/>example-prod<br/>WEB_COMPUTE branch main<br/>Lambda in ap-northeast-1a, ap-northeast-1c, ap-northeast-1d");
    for (const global of ["cf_cloudfront_distribution", "cfvo_cloudfront_vpc_origin", "waf_web_acl", "amplify_hosting_app", "r53_private_dns_zone"]) {
      expect(parent.get(global)).toBeUndefined();
    }
    expect(edges).toEqual(
      expect.arrayContaining([
        'waf_web_acl -->|"web ACL"| cf_cloudfront_distribution',
        'cf_cloudfront_distribution -->|"origin dify-alb"| cfvo_cloudfront_vpc_origin',
        'cfvo_cloudfront_vpc_origin -->|"http-only"| alb',
        'amplify_hosting_app -->|"NEXT_PUBLIC_DIFY_API_URL"| cf_cloudfront_distribution',
        "amplify_hosting_app -.- sg_security_groups_lambda",
      ]),
    );
  });

  test("the diagram follows the config: one NAT gateway with natGateways: single", () => {
    const single = structure(architectureMermaid(synthStacksDir(exampleConfig((data) => (data.network.natGateways = "single")))));
    expect([...single.parent.keys()].filter((id) => id.startsWith("nat_"))).toEqual(["nat_vpc_nat_ap_northeast_1a"]);
    for (const zone of ["a", "c", "d"]) {
      expect(single.edges).toContain(`subnet_vpc_private_ap_northeast_1${zone}_cidr -.->|"0.0.0.0/0"| nat_vpc_nat_ap_northeast_1a`);
    }
    expect(single.flows.sort()).toEqual(exampleGraph.flows.sort());
  });

  test("example-full: API Gateway VPC link, HTTPS with certificates, more endpoints in the one zone", () => {
    const full = structure(architectureMermaid(synthStacksDir(loadConfig(join(REPO_ROOT, "customers", "example-full.yaml")).config)));
    const { parent, label, edges, flows } = full;
    expect(label.get("vpc")).toBe("VPC example-full-vpc 10.20.0.0/18 in ap-northeast-1");
    expect([...parent.keys()].filter((id) => id.startsWith("nat_"))).toEqual(["nat_vpc_nat_ap_northeast_1a"]);
    expect(label.get("alb")).toBe(
      "internal ALB<br/>example-full-dify<br/>HTTP:80 → redirect to HTTPS:443<br/>HTTPS:443 → forward (ACM certificate)<br/>subnets in ap-northeast-1a, ap-northeast-1c, ap-northeast-1d",
    );
    expect(label.get("cf_cloudfront_distribution")).toBe("CloudFront distribution<br/>dify.example.com<br/>PriceClass_All<br/>ACM certificate (us-east-1)");
    expect(parent.get("ec2_host_instance")).toBe("subnet_vpc_private_ap_northeast_1c");
    expect(parent.get("ebs_host_data_volume")).toBe("zone_ap_northeast_1c");
    expect([...parent.keys()].filter((id) => id.startsWith("vpce_"))).toEqual(["vpce_vpc_private_ap_northeast_1c", "vpce_endpoints_s3"]);
    expect(label.get("vpce_vpc_private_ap_northeast_1c")).toBe("interface endpoints<br/>appsync-api, ec2messages, logs, monitoring, secretsmanager, ssm, ssmmessages");
    expect(label.get("apigw_generate_api")).toBe("API Gateway HTTP API<br/>example-full-generate<br/>ANY /generate/{proxy+} (JWT)");
    expect(label.get("vpclink_generate_api_vpc_link")).toBe("API Gateway VPC link<br/>example-full-generate<br/>subnets in ap-northeast-1a, ap-northeast-1c, ap-northeast-1d");
    expect(label.get("amplify_hosting_app")).toBe("Amplify app<br/>example-full<br/>WEB_COMPUTE branch release/main<br/>app.example.com<br/>Lambda in ap-northeast-1c");
    expect(edges).toEqual(
      expect.arrayContaining([
        'apigw_generate_api -->|"VPC_LINK HTTP_PROXY"| vpclink_generate_api_vpc_link',
        'vpclink_generate_api_vpc_link -->|"HTTPS:443 listener"| alb',
        'amplify_hosting_app -->|"CORS origin"| apigw_generate_api',
        'cfvo_cloudfront_vpc_origin -->|"https-only"| alb',
        "vpclink_generate_api_vpc_link -.- sg_security_groups_vpclink",
      ]),
    );
    expect(flows.sort()).toEqual([
      'pl_alb_from_cloudfront_prefix_list ==>|"tcp/443"| sg_security_groups_alb',
      'sg_security_groups_alb ==>|"tcp/80"| sg_security_groups_dify',
      'sg_security_groups_dify ==>|"tcp/443"| cidr_0_0_0_0_0',
      'sg_security_groups_dify ==>|"tcp/443"| sg_security_groups_vpce',
      // MAIL_TYPE smtp with SMTP_PORT 587 in example-full.yaml
      'sg_security_groups_dify ==>|"tcp/587"| cidr_0_0_0_0_0',
      'sg_security_groups_eic ==>|"tcp/22"| sg_security_groups_dify',
      'sg_security_groups_lambda ==>|"tcp/443"| cidr_0_0_0_0_0',
      'sg_security_groups_lambda ==>|"tcp/443"| sg_security_groups_alb',
      'sg_security_groups_lambda ==>|"tcp/443"| sg_security_groups_vpce',
      'sg_security_groups_vpclink ==>|"tcp/443"| sg_security_groups_alb',
    ]);
  });

  test("without Amplify: no Amplify app, and endpoints only in the host's zone", () => {
    const stacks = synthStacksDir(exampleConfig((data) => (data.amplify = { enabled: false })));
    const none = structure(architectureMermaid(stacks));
    expect([...none.parent.keys()].filter((id) => id.startsWith("amplify_"))).toEqual([]);
    expect(architectureMermaid(stacks)).not.toContain("Amplify");
    expect([...none.parent.keys()].filter((id) => id.startsWith("vpce_"))).toEqual(["vpce_vpc_private_ap_northeast_1a", "vpce_endpoints_s3"]);
    expect(none.edges).toContain('cfvo_cloudfront_vpc_origin -->|"http-only"| alb');
  });

  test("labels escape what Mermaid would read; output is the same on every run", () => {
    const dir = mkdtempSync(join(tmpdir(), "diagram-"));
    cpSync(exampleStacks, dir, { recursive: true });
    const file = join(dir, "network", "cdk.tf.json");
    const network = JSON.parse(readFileSync(file, "utf8"));
    network.resource.aws_vpc.vpc_6776A399.tags.Name = 'a"b<c>#d|e';
    writeFileSync(file, JSON.stringify(network));
    expect(structure(architectureMermaid(dir)).label.get("vpc")).toBe("VPC a#quot;b#lt;c#gt;#35;d#124;e 10.13.0.0/18 in ap-northeast-1");
    expect(architectureMermaid(exampleStacks)).toBe(example);
  });

  test("a group-to-group rule without its counterpart is drawn crossed out, not as a flow", () => {
    const dir = mkdtempSync(join(tmpdir(), "diagram-"));
    cpSync(exampleStacks, dir, { recursive: true });
    const file = join(dir, "network", "cdk.tf.json");
    const network = JSON.parse(readFileSync(file, "utf8"));
    delete network.resource.aws_vpc_security_group_ingress_rule["security-groups_dify-from-eic-22_12BC0693"];
    writeFileSync(file, JSON.stringify(network));
    const { flows } = structure(architectureMermaid(dir));
    expect(flows).toContain('sg_security_groups_eic --x|"tcp/22: no ingress rule"| sg_security_groups_dify');
    expect(flows).not.toContain('sg_security_groups_eic ==>|"tcp/22"| sg_security_groups_dify');
  });

  test("a reference that leads nowhere fails instead of drawing less", () => {
    const dir = mkdtempSync(join(tmpdir(), "diagram-"));
    cpSync(exampleStacks, dir, { recursive: true });
    const file = join(dir, "network", "cdk.tf.json");
    const network = JSON.parse(readFileSync(file, "utf8"));
    delete network.output["cross-stack-output-aws_security_groupsecurity-groups_alb_EE3942E0id"];
    writeFileSync(file, JSON.stringify(network));
    expect(() => architectureMermaid(dir)).toThrow("names no output of stack network");
  });
});
