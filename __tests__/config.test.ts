import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { ConfigError, formatIssue, type ConfigIssue } from "../config/issues";
import { loadConfig } from "../config/load";
import { EXAMPLE_FILE, exampleData } from "./support/config";

const dir = mkdtempSync(join(tmpdir(), "config-test-"));
let fileCount = 0;

function writeConfig(content: string | Record<string, any>): string {
  const file = join(dir, `customer-${++fileCount}.yaml`);
  writeFileSync(file, typeof content === "string" ? content : stringify(content));
  return file;
}

/** Every issue loading `content` raises; fails the test when it loads cleanly. */
function issuesOf(content: string | Record<string, any>): ConfigIssue[] {
  const file = writeConfig(content);
  try {
    loadConfig(file);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error("expected the config to be rejected");
}

/** Issues of the example with `change` applied to its data. */
function issuesAfter(change: (data: Record<string, any>) => void): ConfigIssue[] {
  const data = exampleData();
  change(data);
  return issuesOf(data);
}

const at = (issues: ConfigIssue[], path: string) => issues.filter((issue) => issue.path === path);

describe("customer config", () => {
  test("the example loads with the runbook's layout and no warnings", () => {
    const { config, warnings } = loadConfig(EXAMPLE_FILE);
    expect(config.network.zones.map((z) => [z.name, z.publicSubnetCidr, z.privateSubnetCidr])).toEqual([
      ["ap-northeast-1a", "10.13.0.0/24", "10.13.16.0/20"],
      ["ap-northeast-1c", "10.13.1.0/24", "10.13.32.0/20"],
      ["ap-northeast-1d", "10.13.2.0/24", "10.13.48.0/20"],
    ]);
    expect(warnings).toEqual([]);
  });

  test.each(["example.yaml", "example-full.yaml", "example-dev.yaml"])("%s uses account IDs no real account uses: one digit repeated", (name) => {
    const { config } = loadConfig(join(EXAMPLE_FILE, "..", name));
    for (const id of [config.aws.accountId, ...config.aws.devAccountIds]) expect(id).toMatch(/^(\d)\1{11}$/);
  });

  test("defaults reproduce the runbook's layout on a /18 when only the required keys are given", () => {
    const file = writeConfig({
      customer: "acme",
      environment: "prod",
      aws: { accountId: "111111111111", devAccountIds: ["222222222222"] },
      amplify: { repositoryUrl: "https://github.com/acme/app", githubTokenSecretName: "amplify/github-token" },
    });
    const { config } = loadConfig(file);
    expect(config.aws.region).toBe("ap-northeast-1");
    expect(config.network.vpcCidr).toBe("10.13.0.0/18");
    expect(config.network.zones).toEqual(loadConfig(EXAMPLE_FILE).config.network.zones);
    expect(config.network.natGateways).toBe("perAz");
    expect(config.network.interfaceEndpoints).toEqual(["ssm", "ssmmessages", "secretsmanager", "logs"]);
    expect(config.network.flowLogs.retentionDays).toBe(365);
    expect(config.state).toEqual({ backend: "local", noncurrentVersionRetentionDays: 90 });
  });

  test("the default layout follows another /18", () => {
    const file = writeConfig({
      customer: "acme",
      environment: "stg",
      aws: { accountId: "111111111111", devAccountIds: ["222222222222"] },
      network: { vpcCidr: "10.20.64.0/18" },
      amplify: { enabled: false },
    });
    expect(loadConfig(file).config.network.zones.map((z) => z.privateSubnetCidr)).toEqual([
      "10.20.80.0/20",
      "10.20.96.0/20",
      "10.20.112.0/20",
    ]);
  });

  test("the runbook's own plan (/19 VPC) is rejected, naming both private subnets outside it", () => {
    const issues = issuesAfter((d) => {
      d.network.vpcCidr = "10.13.0.0/19";
    });
    expect(issues).toHaveLength(2);
    expect(at(issues, "network.zones[1].privateSubnetCidr")[0]!.problem).toContain("10.13.32.0/20");
    expect(at(issues, "network.zones[2].privateSubnetCidr")[0]!.problem).toContain("10.13.48.0/20");
    for (const issue of issues) {
      expect(issue.problem).toContain("outside the VPC 10.13.0.0/19 (10.13.0.0-10.13.31.255)");
      expect(issue.fix).toContain("/18");
    }
  });

  test("a /19 without zones cannot take the default layout and says so", () => {
    const issues = issuesAfter((d) => {
      d.network = { vpcCidr: "10.13.0.0/19" };
    });
    expect(at(issues, "network.zones")[0]!.problem).toContain("/18 or larger");
  });

  test("CIDR syntax", () => {
    const issues = issuesAfter((d) => {
      d.network.zones[0].publicSubnetCidr = "10.13.0.0";
      d.network.zones[1].publicSubnetCidr = "10.13.300.0/24";
    });
    expect(at(issues, "network.zones[0].publicSubnetCidr")[0]!.problem).toBe('"10.13.0.0" is not an IPv4 CIDR block');
    expect(at(issues, "network.zones[1].publicSubnetCidr")[0]!.problem).toBe('"10.13.300.0/24" is not an IPv4 CIDR block');
  });

  test("a block with host bits set is rejected with its network address as the fix", () => {
    const [issue] = issuesAfter((d) => {
      d.network.zones[0].publicSubnetCidr = "10.13.0.5/24";
    });
    expect(issue!.problem).toContain("host bits");
    expect(issue!.fix).toBe("use its network address 10.13.0.0/24");
  });

  test("prefix lengths AWS does not accept", () => {
    const [issue] = issuesAfter((d) => {
      d.network.vpcCidr = "10.0.0.0/8";
    });
    expect(issue!.path).toBe("network.vpcCidr");
    expect(issue!.problem).toContain("/16 to /28");
  });

  test("every subnet inside the VPC", () => {
    const [issue] = issuesAfter((d) => {
      d.network.zones[2].publicSubnetCidr = "10.14.2.0/24";
    });
    expect(issue!.path).toBe("network.zones[2].publicSubnetCidr");
    expect(issue!.problem).toContain("lies outside the VPC 10.13.0.0/18");
  });

  test("no overlapping subnets", () => {
    const [issue] = issuesAfter((d) => {
      d.network.zones[1].privateSubnetCidr = "10.13.20.0/24";
    });
    expect(issue!.path).toBe("network.zones[1].privateSubnetCidr");
    expect(issue!.problem).toBe("10.13.20.0/24 overlaps 10.13.16.0/20 (network.zones[0].privateSubnetCidr)");
  });

  test("zones belong to the region", () => {
    const [issue] = issuesAfter((d) => {
      d.network.zones[1].name = "us-east-1c";
    });
    expect(issue!.path).toBe("network.zones[1].name");
    expect(issue!.problem).toBe('"us-east-1c" is not an availability zone of ap-northeast-1');
  });

  test("at least two zones, because an ALB needs two", () => {
    const [issue] = issuesAfter((d) => {
      d.network.zones = d.network.zones.slice(0, 1);
    });
    expect(issue!.path).toBe("network.zones");
    expect(issue!.problem).toContain("at least two");
  });

  test("each zone once", () => {
    const [issue] = issuesAfter((d) => {
      d.network.zones[2].name = "ap-northeast-1a";
    });
    expect(issue!.path).toBe("network.zones[2].name");
    expect(issue!.problem).toBe("ap-northeast-1a is already zones[0]");
  });

  test("the public and private subnet of one zone must not overlap", () => {
    const [issue] = issuesAfter((d) => {
      d.network.zones[1].publicSubnetCidr = "10.13.32.0/24";
    });
    expect([issue!.path, issue!.problem]).toEqual([
      "network.zones[1].privateSubnetCidr",
      "10.13.32.0/20 overlaps 10.13.32.0/24 (network.zones[1].publicSubnetCidr)",
    ]);
  });

  test("two zones must not share a subnet block", () => {
    const issues = issuesAfter((d) => {
      d.network.zones[2].privateSubnetCidr = d.network.zones[1].privateSubnetCidr;
    });
    expect(issues.map((i) => [i.path, i.problem])).toEqual([
      ["network.zones[2].privateSubnetCidr", "10.13.32.0/20 overlaps 10.13.32.0/20 (network.zones[1].privateSubnetCidr)"],
    ]);
  });

  test("account IDs are 12 digits", () => {
    const issues = issuesAfter((d) => {
      d.aws.accountId = "11112222333";
      d.aws.devAccountIds = ["44445555666a"];
    });
    expect(at(issues, "aws.accountId")[0]!.problem).toBe('"11112222333" is not an AWS account ID (12 digits)');
    expect(at(issues, "aws.devAccountIds[0]")[0]!.problem).toContain("not an AWS account ID");
  });

  test("an unquoted account ID is a number in YAML and must be quoted", () => {
    const text = stringify(exampleData()).replace('accountId: "111111111111"', "accountId: 111111111111");
    const [issue] = issuesOf(text);
    expect(issue!.path).toBe("aws.accountId");
    expect(issue!.fix).toBe('write it in quotes: "111111111111"');
  });

  test("the fix of an unquoted account ID puts back the leading zero YAML dropped", () => {
    const text = stringify(exampleData()).replace('accountId: "111111111111"', "accountId: 012345678901");
    const [issue] = issuesOf(text);
    expect(issue!.problem).toBe("is the YAML number 12345678901; an account ID must be a quoted string (as a number it loses leading zeros)");
    expect(issue!.fix).toBe('write it in quotes: "012345678901"');
  });

  test("the target account is never a dev account", () => {
    const [issue] = issuesAfter((d) => {
      d.aws.devAccountIds.push(d.aws.accountId);
    });
    expect(issue!.path).toBe("aws.accountId");
    expect(issue!.problem).toContain("is listed in aws.devAccountIds");
  });

  test("dev accounts must be listed", () => {
    const [issue] = issuesAfter((d) => {
      d.aws.devAccountIds = [];
    });
    expect(issue!.path).toBe("aws.devAccountIds");
  });

  test.each([
    ["customer", "Acme"],
    ["customer", "acme_co"],
    ["customer", "acme--co"],
    ["customer", "acme-"],
    ["customer", "a-very-long-customer-name"],
    ["environment", "production"],
    ["environment", "1prod"],
  ])("names safe for AWS resource names: %s %j", (key, value) => {
    const [issue] = issuesAfter((d) => {
      d[key] = value;
    });
    expect(issue!.path).toBe(key);
    expect(issue!.problem).toContain(`"${value}" is not a safe`);
  });

  test("region names", () => {
    const issues = issuesAfter((d) => {
      d.aws.region = "tokyo";
    });
    expect(at(issues, "aws.region")[0]!.problem).toBe('"tokyo" is not an AWS region');
  });

  test("a misspelt region is refused with the likely one, zones and all", () => {
    const issues = issuesAfter((d) => {
      d.aws.region = "ap-northest-1";
      d.network.zones.forEach((zone: { name: string }, i: number) => (zone.name = `ap-northest-1${"acd"[i]}`));
    });
    expect(issues.map((i) => [i.path, i.problem, i.fix])).toEqual([
      ["aws.region", '"ap-northest-1" is not an AWS region', 'use "ap-northeast-1" (Tokyo), the region this project is built for; did you mean "ap-northeast-1"?'],
    ]);
  });

  test("Tokyo's zones are the ones it has", () => {
    const [issue] = issuesAfter((d) => {
      d.network.zones[2].name = "ap-northeast-1e";
    });
    expect([issue!.path, issue!.problem, issue!.fix]).toEqual([
      "network.zones[2].name",
      '"ap-northeast-1e" is not an availability zone of ap-northeast-1',
      "use one of ap-northeast-1a, ap-northeast-1b, ap-northeast-1c, ap-northeast-1d",
    ]);
  });

  test("another region is allowed, with a warning that it is not Tokyo", () => {
    const data = exampleData();
    data.aws.region = "ap-northeast-3";
    data.network.zones.forEach((zone: { name: string }, i: number) => (zone.name = `ap-northeast-3${"abc"[i]}`));
    const { warnings } = loadConfig(writeConfig(data));
    expect(warnings).toContain(
      "aws.region is ap-northeast-3: this project is built and tested for ap-northeast-1 (Tokyo); zone names, instance types, endpoint services and prices are checked for Tokyo only",
    );
  });

  test("retention values CloudWatch accepts", () => {
    const [issue] = issuesAfter((d) => {
      d.network.flowLogs.retentionDays = 100;
    });
    expect(issue!.path).toBe("network.flowLogs.retentionDays");
    expect(issue!.fix).toContain("365");
  });

  test("unknown keys are named with a likely correction", () => {
    const [issue] = issuesAfter((d) => {
      d.network.natGatways = d.network.natGateways;
      delete d.network.natGateways;
    });
    expect(issue!.path).toBe("network.natGatways");
    expect(issue!.fix).toBe('remove it; did you mean "natGateways"?');
  });

  test("enum values with a likely correction", () => {
    const [issue] = issuesAfter((d) => {
      d.network.interfaceEndpoints = ["ssm", "secretmanager"];
    });
    expect(issue!.path).toBe("network.interfaceEndpoints[1]");
    expect(issue!.fix).toContain('did you mean "secretsmanager"?');
  });

  test("tags cannot override the project's own tags", () => {
    const [issue] = issuesAfter((d) => {
      d.tags = { project: "other" };
    });
    expect(issue!.path).toBe("tags.project");
  });

  test("all errors are collected at once, in file order, with line numbers", () => {
    const issues = issuesAfter((d) => {
      d.customer = "Bad_Name";
      d.aws.accountId = "123";
      d.network.vpcCidr = "10.13.0.0/19";
      d.network.zones[1].name = "us-west-2a";
      d.network.natGateways = "some";
    });
    expect(issues.map((i) => i.path)).toEqual([
      "customer",
      "aws.accountId",
      "network.zones[1].name",
      "network.zones[1].privateSubnetCidr",
      "network.zones[2].privateSubnetCidr",
      "network.natGateways",
    ]);
    const lines = issues.map((i) => i.line!);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(lines.every((line) => line > 0)).toBe(true);
  });

  test("a formatted issue names the file, line, key, problem and fix", () => {
    const [issue] = issuesAfter((d) => {
      d.network.zones[0].privateSubnetCidr = "10.13.64.0/20";
    });
    expect(formatIssue(issue!)).toMatch(
      /^\S+customer-\d+\.yaml:\d+:\d+ network\.zones\[0\]\.privateSubnetCidr: 10\.13\.64\.0\/20 .* lies outside the VPC .*\n {2}fix: .+/,
    );
  });

  test("YAML syntax errors point at their line", () => {
    const [issue] = issuesOf("customer: acme\nnetwork: [a\n  b: c\n");
    expect(issue!.problem).toMatch(/^is not valid YAML/);
    expect(issue!.line).toBeGreaterThan(1);
  });

  test("a missing file says how to name one", () => {
    expect(() => loadConfig(join(dir, "nope.yaml"))).toThrow(/cannot be read \(ENOENT\)[\s\S]*CUSTOMER_CONFIG=/);
  });
});

describe("customer config: dify", () => {
  const dify = (value: Record<string, any>) => issuesAfter((d) => (d.dify = value));

  test("defaults: the newest verified release on a t3.large with 30 + 50 GiB, weaviate, one instance", () => {
    const { config } = loadConfig(EXAMPLE_FILE);
    expect(config.dify).toMatchObject({
      version: "1.16.1",
      instanceType: "t3.large",
      rootVolumeGiB: 30,
      dataVolume: { sizeGiB: 50, preventDestroy: true },
      vectorStore: "weaviate",
      mode: "single",
      instances: 1,
      alb: { idleTimeoutSeconds: 600, deletionProtection: true },
      privateDns: { zoneName: "dify.internal", recordName: "api" },
      backups: { retentionCount: 14, timeUtc: "18:00" },
    });
  });

  test("an instance type below 4 GiB is an error", () => {
    const [issue] = dify({ instanceType: "t3.small" });
    expect(issue!.path).toBe("dify.instanceType");
    expect(issue!.problem).toBe("t3.small has 2 GiB of memory; Dify needs at least 4 GiB");
  });

  test("below 8 GiB is a warning, an unknown family too", () => {
    const hub = { dockerHubSecretName: "dify/docker-hub" };
    const file = writeConfig({ ...exampleData(), dify: { ...hub, instanceType: "t3.medium" } });
    expect(loadConfig(file).warnings).toEqual([expect.stringContaining("t3.medium has 4 GiB")]);
    const unknown = writeConfig({ ...exampleData(), dify: { ...hub, instanceType: "x2iedn.xlarge" } });
    expect(loadConfig(unknown).warnings).toEqual([expect.stringContaining("memory unknown")]);
  });

  test("anonymous Docker Hub pulls are a warning; a malformed secret name an error", () => {
    const anonymous = writeConfig({ ...exampleData(), dify: {} });
    expect(loadConfig(anonymous).warnings).toEqual([
      "dify.dockerHubSecretName is not set: Dify pulls a dozen images from Docker Hub, which allows 10 anonymous pulls an hour per address (shared behind the NAT), so a first boot can take an hour; name a secret holding a Docker Hub token",
    ]);
    const [issue] = dify({ dockerHubSecretName: "docker hub" });
    expect(issue!.path).toBe("dify.dockerHubSecretName");
    expect(issue!.problem).toBe('"docker hub" is not a Secrets Manager secret name');
    expect(issue!.fix).toBe("use the secret's name, e.g. dify/docker-hub");
  });

  test("more than one instance is refused until scale mode exists", () => {
    const [issue] = dify({ instances: 2 });
    expect(issue!.path).toBe("dify.instances");
    expect(issue!.problem).toContain("own Postgres, Redis, vector store and uploads");
    expect(issue!.fix).toContain("scale mode");
  });

  test("scale mode is refused", () => {
    const [issue] = dify({ mode: "scale" });
    expect(issue!.path).toBe("dify.mode");
    expect(issue!.problem).toContain("not available yet");
  });

  test("only verified releases", () => {
    const [issue] = dify({ version: "1.17.1" });
    expect(issue!.path).toBe("dify.version");
    expect(issue!.fix).toContain("1.16.1");
  });

  test("dify.env keys must be settings of the release, with a likely correction", () => {
    const [issue] = dify({ env: { SMTP_SERVRE: "smtp.example.com" } });
    expect(issue!.path).toBe("dify.env.SMTP_SERVRE");
    expect(issue!.problem).toBe("SMTP_SERVRE is not a setting of Dify 1.16.1");
    expect(issue!.fix).toContain('did you mean "SMTP_SERVER"?');
  });

  test("dify.env cannot override what the project sets", () => {
    const issues = dify({ env: { DB_PASSWORD: "x", WEB_API_CORS_ALLOW_ORIGINS: "*", VECTOR_STORE: "qdrant" } });
    expect(issues.map((i) => i.path)).toEqual(["dify.env.DB_PASSWORD", "dify.env.WEB_API_CORS_ALLOW_ORIGINS", "dify.env.VECTOR_STORE"]);
  });

  test("CORS origins are exact: no wildcard, no path", () => {
    const issues = dify({ corsAllowOrigins: ["*", "https://app.example.com/chat", "https://app.example.com"] });
    expect(issues.map((i) => [i.path, i.problem])).toEqual([
      ["dify.corsAllowOrigins[0]", '"*" is a wildcard; Dify must only answer the app\'s own origins'],
      ["dify.corsAllowOrigins[1]", '"https://app.example.com/chat" is not an exact https:// origin'],
    ]);
  });

  test("CORS origins are https", () => {
    const [issue] = dify({ corsAllowOrigins: ["http://app.example.com"] });
    expect(issue!.problem).toBe('"http://app.example.com" is plain HTTP: the console\'s session cookies and API keys would cross the network in clear text');
  });

  test("the instance's zone is one of the network's", () => {
    const [issue] = dify({ zone: "ap-northeast-1b" });
    expect(issue!.path).toBe("dify.zone");
    expect(issue!.fix).toBe("use one of ap-northeast-1a, ap-northeast-1c, ap-northeast-1d");
  });

  test("the ALB certificate is in the ALB's account and region", () => {
    const [issue] = dify({ alb: { certificateArn: "arn:aws:acm:us-east-1:111111111111:certificate/12345678-1234-1234-1234-123456789012" } });
    expect(issue!.path).toBe("dify.alb.certificateArn");
    expect(issue!.problem).toContain("111111111111/us-east-1");
  });

  test("idle timeout long enough for streamed answers", () => {
    const [issue] = dify({ alb: { idleTimeoutSeconds: 60 } });
    expect(issue!.path).toBe("dify.alb.idleTimeoutSeconds");
  });

  test("alarm e-mail address", () => {
    const [issue] = dify({ alarms: { email: "ops" } });
    expect(issue!.path).toBe("dify.alarms.email");
  });
});

describe("customer config: edge", () => {
  const edge = (value: Record<string, any>) => issuesAfter((d) => (d.edge = value));
  const usEast1Cert = "arn:aws:acm:us-east-1:111111111111:certificate/12345678-1234-1234-1234-123456789012";

  test("defaults: the CloudFront domain, a price class with Japan, 60 s reads, the three large-body paths, 16 KB inspection", () => {
    const { config } = loadConfig(EXAMPLE_FILE);
    expect(config.edge).toMatchObject({
      domainNames: [],
      priceClass: "PriceClass_200",
      originReadTimeoutSeconds: 60,
      waf: {
        largeBodyPaths: ["/v1/chat-messages", "/v1/workflows/run", "/v1/completion-messages"],
        bodyInspectionLimitKb: 16,
        blockAnonymousIps: false,
        adminCidrs: [],
      },
    });
  });

  test("CloudFront certificates come from us-east-1", () => {
    const [issue] = edge({ domainNames: ["dify.example.com"], certificateArn: usEast1Cert.replace("us-east-1", "ap-northeast-1") });
    expect(issue!.path).toBe("edge.certificateArn");
    expect(issue!.fix).toContain("us-east-1");
  });

  test("custom domains need their certificate, and a certificate needs domains", () => {
    expect(edge({ domainNames: ["dify.example.com"] }).map((i) => i.path)).toEqual(["edge.certificateArn"]);
    expect(edge({ certificateArn: usEast1Cert }).map((i) => i.path)).toEqual(["edge.domainNames"]);
  });

  test("an HTTPS ALB needs custom domains CloudFront can verify its certificate against", () => {
    const issues = issuesAfter((d) => {
      d.dify = { alb: { certificateArn: "arn:aws:acm:ap-northeast-1:111111111111:certificate/12345678-1234-1234-1234-123456789012" } };
    });
    expect(issues.map((i) => i.path)).toEqual(["dify.alb.certificateArn"]);
    expect(issues[0]!.problem).toContain("*.cloudfront.net");
  });

  test("origin read timeout up to 120 s", () => {
    expect(edge({ originReadTimeoutSeconds: 180 }).map((i) => i.path)).toEqual(["edge.originReadTimeoutSeconds"]);
  });

  test("large-body paths are path prefixes", () => {
    const [issue] = edge({ waf: { largeBodyPaths: ["v1/chat-messages"] } });
    expect(issue!.path).toBe("edge.waf.largeBodyPaths[0]");
  });

  test("body inspection limit: 16, 32, 48 or 64 KB", () => {
    const [issue] = edge({ waf: { bodyInspectionLimitKb: 20 } });
    expect(issue!.path).toBe("edge.waf.bodyInspectionLimitKb");
    expect(issue!.fix).toBe("use 16, 32, 48 or 64");
  });

  test("admin ranges are CIDR blocks, no wider than /8", () => {
    expect(edge({ waf: { adminCidrs: ["0.0.0.0/0", "203.0.113.7"] } }).map((i) => i.path)).toEqual([
      "edge.waf.adminCidrs[0]",
      "edge.waf.adminCidrs[1]",
    ]);
  });
});
