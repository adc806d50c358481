import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { exampleData, REPO_ROOT } from "./support/config";

/** Runs `npm run synth` into a fresh output folder. */
function synth(configFile?: string) {
  const outdir = join(mkdtempSync(join(tmpdir(), "synth-cli-")), "cdktf.out");
  const result = spawnSync("npm", ["run", "synth", "--silent"], {
    cwd: REPO_ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outdir, CUSTOMER_CONFIG: configFile ?? "" },
    encoding: "utf8",
  });
  return { ...result, outdir };
}

describe("npm run synth", () => {
  test("synthesizes the example into one Terraform working directory per stack and summarizes it", () => {
    const { status, stdout, stderr, outdir } = synth();
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Synthesized customers\/example\.yaml \(example-prod, account 111122223333, ap-northeast-1\)/);
    for (const stack of ["state", "network"]) {
      const json = JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
      const resources = Object.values(json.resource).reduce((n: number, byName: any) => n + Object.keys(byName).length, 0);
      expect(stdout).toMatch(new RegExp(`^  ${stack}\\s+${resources} resources`, "m"));
    }
    expect(stdout).toContain("No warnings.");
  });

  test("CUSTOMER_CONFIG names another customer and its warnings are printed", () => {
    const data = exampleData();
    data.customer = "acme";
    data.network.natGateways = "single";
    const file = join(mkdtempSync(join(tmpdir(), "customer-")), "acme-prod.yaml");
    writeFileSync(file, stringify(data));
    const { status, stdout, outdir } = synth(file);
    expect(status).toBe(0);
    expect(stdout).toContain("(acme-prod, account");
    expect(stdout).toMatch(/1 warning\(s\):\n {2}- network\.natGateways is single/);
    expect(readFileSync(join(outdir, "stacks", "network", "cdk.tf.json"), "utf8")).toContain('"acme-prod-vpc"');
  });

  test("an invalid config prints every problem with its fix, exits 1, writes nothing and shows no stack trace", () => {
    const data = exampleData();
    data.network.vpcCidr = "10.13.0.0/19";
    data.aws.accountId = data.aws.devAccountIds[0];
    const file = join(mkdtempSync(join(tmpdir(), "customer-")), "bad.yaml");
    writeFileSync(file, stringify(data));
    const { status, stdout, stderr, outdir } = synth(file);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^3 problems in the customer config:/);
    expect(stderr).toContain(`${file}:`);
    expect(stderr).toContain("10.13.32.0/20");
    expect(stderr).toContain("10.13.48.0/20");
    expect(stderr).toContain("fix: ");
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(outdir)).toBe(false);
  });
});
