import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../config/load";
import { estimateStacks, type Estimate } from "../cost/estimate";
import { formatEstimate } from "../cost/format";
import { cli } from "./support/cli";
import { REPO_ROOT } from "./support/config";
import { synthStacksDir } from "./support/synth";

// Expected figures are worked out by hand from cost/prices.ts (730 h a month): a NAT gateway is
// 730 x 0.062 = 45.26, a public IPv4 address 730 x 0.005 = 3.65, an interface endpoint in one
// zone 730 x 0.014 = 10.22, t3.large 730 x 0.1088 = 79.424, t4g.medium 730 x 0.0432 = 31.536.

const PROFILES = ["example", "example-dev", "example-full"] as const;
const stacksOf = Object.fromEntries(
  PROFILES.map((name) => [name, synthStacksDir(loadConfig(join(REPO_ROOT, "customers", `${name}.yaml`)).config)]),
) as Record<(typeof PROFILES)[number], string>;
const estimates = Object.fromEntries(PROFILES.map((name) => [name, estimateStacks(stacksOf[name])])) as Record<(typeof PROFILES)[number], Estimate>;

const fixedOf = (estimate: Estimate, item: RegExp) =>
  estimate.lines.filter((line) => item.test(line.item)).reduce((sum, line) => sum + line.monthlyUsd, 0);

describe("cost estimate", () => {
  test.each(PROFILES)("every resource of %s has a price entry", (name) => {
    expect(estimates[name].unpriced).toEqual([]);
  });

  test("production profile: each fixed charge", () => {
    const prod = estimates.example;
    expect(fixedOf(prod, /^NAT gateway/)).toBeCloseTo(3 * 45.26, 6);
    expect(fixedOf(prod, /^public IPv4/)).toBeCloseTo(3 * 3.65, 6);
    // ssm and secretsmanager in the three Lambda zones, ssmmessages and logs in the host's only.
    expect(fixedOf(prod, /^interface endpoint/)).toBeCloseTo(8 * 10.22, 6);
    expect(fixedOf(prod, /^EC2 t3\.large/)).toBeCloseTo(79.424, 6);
    expect(fixedOf(prod, /gp3/)).toBeCloseTo((30 + 50) * 0.096, 6);
    expect(fixedOf(prod, /^Application Load Balancer/)).toBeCloseTo(730 * 0.0243, 6);
    expect(fixedOf(prod, /^WAF/)).toBeCloseTo(5 + 5 * 1, 6);
    expect(fixedOf(prod, /^CloudWatch alarm/)).toBeCloseTo(7 * 0.1, 6);
    expect(fixedOf(prod, /^CloudWatch agent metrics/)).toBeCloseTo(3 * 0.3, 6);
    expect(prod.monthlyUsd).toBeCloseTo(347.93, 2);
  });

  test("dev profile: within its 120 USD target", () => {
    const dev = estimates["example-dev"];
    expect(fixedOf(dev, /^NAT gateway/)).toBeCloseTo(45.26, 6);
    expect(fixedOf(dev, /^interface endpoint/)).toBe(0);
    expect(fixedOf(dev, /^EC2 t4g\.medium/)).toBeCloseTo(31.536, 6);
    expect(dev.monthlyUsd).toBeCloseTo(117.59, 2);
    expect(dev.monthlyUsd).toBeLessThanOrEqual(120);
  });

  test("usage prices are listed, not priced at zero", () => {
    expect(estimates.example.usagePrices).toEqual(expect.arrayContaining(["natGatewayGb", "cloudfrontJapanGb", "vendedLogsToCloudWatchGb", "logsIngestGb"]));
  });

  test("a resource type without a price entry is listed as unpriced, and the CLI fails", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cost-unpriced-"));
    cpSync(stacksOf.example, dir, { recursive: true });
    const file = join(dir, "dify", "cdk.tf.json");
    const json = JSON.parse(readFileSync(file, "utf8"));
    json.resource.aws_made_up_thing = { one: {} };
    json.resource.aws_launch_template[Object.keys(json.resource.aws_launch_template)[0]!].instance_type = "x9.huge";
    writeFileSync(file, JSON.stringify(json));
    expect(estimateStacks(dir).unpriced.map((u) => [u.resource.split(".")[0], u.reason])).toEqual([
      ["aws_instance", "no price for instance type x9.huge in cost/prices.ts"],
      ["aws_made_up_thing", "no price entry for aws_made_up_thing in cost/resource-prices.ts"],
    ]);
    const result = await cli("cost", "--stacks", dir);
    expect(result.code).toBe(1);
    expect(result.out).toContain("Not priced (2): the total leaves them out");
  });

  test("--json is one document; --usage adds the variable part", async () => {
    const usage = join(mkdtempSync(join(tmpdir(), "cost-usage-")), "usage.yaml");
    writeFileSync(usage, "cloudfrontJapanGb: 100\nnatGatewayGb: 50\n");
    const result = await cli("cost", "--stacks", stacksOf.example, "--usage", usage, "--json");
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.out);
    expect(doc.ok).toBe(true);
    expect(doc.monthlyUsd).toBeCloseTo(347.93, 2);
    expect(doc.usage).toEqual([
      { id: "natGatewayGb", quantity: 50, monthlyUsd: expect.closeTo(3.1, 6) },
      { id: "cloudfrontJapanGb", quantity: 100, monthlyUsd: expect.closeTo(11.4, 6) },
    ]);
    expect(doc.variableMonthlyUsd).toBeCloseTo(14.5, 6);
  });

  test("a usage key these stacks do not use is a clear error", async () => {
    const usage = join(mkdtempSync(join(tmpdir(), "cost-usage-")), "usage.yaml");
    writeFileSync(usage, "cloudfrontGb: 100\n");
    const result = await cli("cost", "--stacks", stacksOf.example, "--usage", usage);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`error: ${usage}: "cloudfrontGb" is not a usage price of these stacks`);
  });

  test("no stacks synthesized yet", async () => {
    const result = await cli("cost", "--stacks", join(tmpdir(), "no-such-stacks"));
    expect(result.code).toBe(2);
    expect(result.err).toContain("fix: synthesize first (npm run synth)");
  });

  test.each(["example", "example-dev"] as const)("the README's cost table of customers/%s.yaml is current", (name) => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const start = `<!-- cost: customers/${name}.yaml -->\n`;
    const section = readme.slice(readme.indexOf(start) + start.length, readme.indexOf("<!-- /cost -->", readme.indexOf(start)));
    expect(readme).toContain(start);
    // Regenerate with: npm run synth && npm run cost (CUSTOMER_CONFIG=customers/<name>.yaml).
    expect(section).toBe(formatEstimate(estimates[name]));
  });
});
