import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { runProcess } from "./support/process";
import { exampleData, REPO_ROOT } from "./support/config";

/** The environment of a synth into a fresh output folder; CUSTOMER_CONFIG unset unless given. */
function synthEnv(configFile?: string): { env: NodeJS.ProcessEnv; outdir: string } {
  const outdir = join(mkdtempSync(join(tmpdir(), "synth-cli-")), "cdktf.out");
  const { CUSTOMER_CONFIG: _, ...env } = process.env;
  return { env: { ...env, CDKTF_OUTDIR: outdir, ...(configFile === undefined ? {} : { CUSTOMER_CONFIG: configFile }) }, outdir };
}

/** Runs `npm run synth` into a fresh output folder, or into `into` when given. */
function synth(configFile?: string, into?: string) {
  const { env, outdir } = synthEnv(configFile);
  if (into !== undefined) env.CDKTF_OUTDIR = into;
  const result = spawnSync("npm", ["run", "synth", "--silent"], { cwd: REPO_ROOT, env, encoding: "utf8" });
  return { ...result, outdir: into ?? outdir };
}

/** A customer file in a fresh folder. */
function write(data: Record<string, any>, name = "bad.yaml"): string {
  const file = join(mkdtempSync(join(tmpdir(), "customer-")), name);
  writeFileSync(file, stringify(data));
  return file;
}

describe("npm run synth", () => {
  test("CUSTOMER_CONFIG unset: synthesizes the example into one Terraform working directory per stack and summarizes it", () => {
    const { status, stdout, stderr, outdir } = synth();
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Synthesized customers\/example\.yaml \(example-prod, account 111111111111, ap-northeast-1\)/);
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
    const file = write(data, "acme-prod.yaml");
    const { status, stdout, outdir } = synth(file);
    expect(status).toBe(0);
    expect(stdout).toContain("(acme-prod, account");
    expect(stdout).toMatch(/1 warning\(s\):\n {2}- network\.natGateways is single/);
    expect(readFileSync(join(outdir, "stacks", "network", "cdk.tf.json"), "utf8")).toContain('"acme-prod-vpc"');
  });

  test("a stack the config no longer has: its directory is removed and named; other folders and files under stacks/ are not touched", () => {
    const first = synth();
    expect(first.status).toBe(0);
    const { outdir } = first;
    const stacksDir = join(outdir, "stacks");
    expect(readdirSync(stacksDir).sort()).toEqual(["amplify", "dify", "edge", "network", "state"]);
    // Not stacks: a folder without cdk.tf.json, a file, and a symlink to a stack-like folder.
    mkdirSync(join(stacksDir, "notes"));
    writeFileSync(join(stacksDir, "notes", "plan.txt"), "keep me\n");
    writeFileSync(join(stacksDir, "README"), "keep me too\n");
    const elsewhere = mkdtempSync(join(tmpdir(), "stack-like-"));
    writeFileSync(join(elsewhere, "cdk.tf.json"), "{}");
    symlinkSync(elsewhere, join(stacksDir, "linked"));
    // A stale stack with a local state file in it is kept and reported, not deleted.
    mkdirSync(join(stacksDir, "legacy"));
    writeFileSync(join(stacksDir, "legacy", "cdk.tf.json"), "{}");
    writeFileSync(join(stacksDir, "legacy", "terraform.tfstate"), "{}");

    const data = exampleData();
    data.amplify.enabled = false;
    const { status, stdout, stderr } = synth(write(data, "no-amplify.yaml"), outdir);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toContain(`Removed stale stack directory ${join(stacksDir, "amplify")} (the config no longer has this stack).\n`);
    expect(stdout).toContain(
      `Kept stale stack directory ${join(stacksDir, "legacy")}: the config no longer has this stack, but the directory holds Terraform state (terraform.tfstate)`,
    );
    expect(stdout.match(/stale stack directory/g)).toHaveLength(2);
    expect(stdout).not.toMatch(/^ {2}amplify /m);
    expect(existsSync(join(stacksDir, "amplify"))).toBe(false);
    expect(readdirSync(stacksDir).sort()).toEqual(["README", "dify", "edge", "legacy", "linked", "network", "notes", "state"]);
    expect(readFileSync(join(stacksDir, "notes", "plan.txt"), "utf8")).toBe("keep me\n");
    expect(readFileSync(join(stacksDir, "README"), "utf8")).toBe("keep me too\n");
    expect(readFileSync(join(elsewhere, "cdk.tf.json"), "utf8")).toBe("{}");
    expect(readFileSync(join(stacksDir, "legacy", "terraform.tfstate"), "utf8")).toBe("{}");

    // Synthesizing the same config again removes nothing and says nothing about it.
    const again = synth(write(data, "no-amplify.yaml"), outdir);
    expect(again.status).toBe(0);
    expect(again.stdout).not.toContain("Removed stale");
  });

  test("an invalid config prints every problem with its fix, exits 1, writes nothing and shows no stack trace", () => {
    const data = exampleData();
    data.network.vpcCidr = "10.13.0.0/19";
    data.aws.accountId = data.aws.devAccountIds[0];
    const file = write(data);
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

  test("hostile files: each a config error on stderr, exit 1, no stack trace, nothing written", () => {
    spawnSync(process.execPath, [join(REPO_ROOT, "scripts", "build.js")], { cwd: REPO_ROOT });
    const dir = mkdtempSync(join(tmpdir(), "hostile-"));
    const file = (name: string, content: string | Buffer) => (writeFileSync(join(dir, name), content), join(dir, name));
    spawnSync("mkfifo", [join(dir, "fifo.yaml")]);
    const row = (name: string) => `[${Array(9).fill(`*${name}`).join(", ")}]`;
    const hostile = [
      file("empty.yaml", ""),
      file("comments.yaml", "# nothing\n"),
      file("list.yaml", "- a\n"),
      file("bomb.yaml", `a: &a [x]\nb: &b ${row("a")}\nc: &c ${row("b")}\nd: &d ${row("c")}\ne: ${row("d")}\n`),
      file("proto.yaml", "__proto__: {customer: x}\n"),
      file("sjis.yaml", Buffer.from([0x8c, 0xda, 0x8b, 0x71, 0x0a])), // 顧客 in Shift_JIS
      write({ ...exampleData(), dify: null }),
      write({ ...exampleData(), edge: "none" }),
      write({ ...exampleData(), dify: { version: "toString" } }),
      join(dir, "fifo.yaml"),
      "/dev/zero",
      dir,
    ];
    for (const configFile of hostile) {
      const { env, outdir } = synthEnv(configFile);
      const run = spawnSync(process.execPath, [join(REPO_ROOT, "dist", "main.js")], { cwd: REPO_ROOT, env, encoding: "utf8", timeout: 20_000 });
      expect([configFile, run.status, run.stdout]).toEqual([configFile, 1, ""]);
      expect(run.stderr).toMatch(/^\d+ problems? in the customer config:\n/);
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(existsSync(outdir)).toBe(false);
    }
  });

  test("CUSTOMER_CONFIG set but empty is an error, not the example: exit 1, nothing written", () => {
    const { status, stdout, stderr, outdir } = synth("");
    expect(stderr).toBe("error: CUSTOMER_CONFIG is set but empty\n  fix: set CUSTOMER_CONFIG=customers/<customer>-<env>.yaml, or unset it to use customers/example.yaml\n");
    expect(stdout).toBe("");
    expect(status).toBe(1);
    expect(existsSync(outdir)).toBe(false);
  });

  test("3000 problems reach a slow reader whole: the exit waits for the pipe", async () => {
    const data = exampleData();
    for (let i = 0; i < 3000; i++) data[`unknownKey${i}`] = i;
    const { env } = synthEnv(write(data));
    const { status, stderr } = await runProcess("npm", ["run", "synth", "--silent"], env, 5000);
    expect(stderr.split("\n")[0]).toBe("3000 problems in the customer config:");
    expect(stderr.match(/^ {2}fix: remove it$/gm)).toHaveLength(3000);
    expect(status).toBe(1);
  }, 30_000);
});
