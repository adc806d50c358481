import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LAMBDA_VPC_POLICY_ARN, attachFunctionsToVpc } from "../cli/amplify-vpc";
import { EXIT, run } from "../cli/index";
import { bufferIo } from "../cli/io";
import { UserError } from "../cli/user-error";
import { REPO_ROOT } from "./support/config";

const FIXTURE = join(REPO_ROOT, "__tests__", "fixtures", "amplify-gen1-app");
const GOOD = ["generationWorker", "generationProcessor"];

/** A fresh copy of the fixture app (shaped like Amplify CLI 12 Gen 1 function templates). */
function app(): string {
  const dir = mkdtempSync(join(tmpdir(), "amplify-app-"));
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}
const templatePath = (repo: string, fn: string) => join(repo, "amplify", "backend", "function", fn, `${fn}-cloudformation-template.json`);
const template = (repo: string, fn: string) => readFileSync(templatePath(repo, fn), "utf8");

/** Runs the CLI in-process and captures what it prints. */
async function cli(...argv: string[]) {
  const io = bufferIo();
  const code = await run(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe("amplify-vpc", () => {
  test("adds the SSM-typed parameters, VpcConfig and the VPC access policy", () => {
    const repo = app();
    const reports = attachFunctionsToVpc({ repo, functions: GOOD });
    expect(reports.map((r) => [r.function, r.changed, r.missing])).toEqual([
      [
        "generationWorker",
        true,
        [
          "Parameters.LambdaVpcSubnetIds",
          "Parameters.LambdaVpcSecurityGroupIds",
          "LambdaFunction.VpcConfig",
          "LambdaExecutionRole.AWSLambdaVPCAccessExecutionRole",
        ],
      ],
      ["generationProcessor", true, expect.arrayContaining(["LambdaFunction.VpcConfig"])],
    ]);
    const after = JSON.parse(template(repo, "generationWorker"));
    expect(after.Parameters.LambdaVpcSubnetIds).toEqual({
      Type: "AWS::SSM::Parameter::Value<List<String>>",
      Default: "/amplify/vpc/lambda-subnet-ids",
      Description: expect.any(String),
    });
    expect(after.Parameters.LambdaVpcSecurityGroupIds).toMatchObject({
      Type: "AWS::SSM::Parameter::Value<List<String>>",
      Default: "/amplify/vpc/lambda-security-group-ids",
    });
    expect(after.Resources.LambdaFunction.Properties.VpcConfig).toEqual({
      SubnetIds: { Ref: "LambdaVpcSubnetIds" },
      SecurityGroupIds: { Ref: "LambdaVpcSecurityGroupIds" },
    });
    expect(after.Resources.LambdaExecutionRole.Properties.ManagedPolicyArns).toEqual([LAMBDA_VPC_POLICY_ARN]);
  });

  test("leaves everything else alone: AmplifyResourcesPolicy, other resources, existing managed policies", () => {
    const repo = app();
    const before = JSON.parse(template(repo, "generationWorker"));
    const processorBefore = JSON.parse(template(repo, "generationProcessor"));
    attachFunctionsToVpc({ repo, functions: GOOD });
    const after = JSON.parse(template(repo, "generationWorker"));
    expect(after.Resources.AmplifyResourcesPolicy).toEqual(before.Resources.AmplifyResourcesPolicy);
    expect(after.Resources.lambdaexecutionpolicy).toEqual(before.Resources.lambdaexecutionpolicy);
    expect(after.Outputs).toEqual(before.Outputs);
    const { VpcConfig, ...properties } = after.Resources.LambdaFunction.Properties;
    expect(VpcConfig).toBeDefined();
    expect(properties).toEqual(before.Resources.LambdaFunction.Properties);
    expect(JSON.parse(template(repo, "generationProcessor")).Resources.LambdaExecutionRole.Properties.ManagedPolicyArns).toEqual([
      ...processorBefore.Resources.LambdaExecutionRole.Properties.ManagedPolicyArns,
      LAMBDA_VPC_POLICY_ARN,
    ]);
  });

  test("keeps the file's formatting: unchanged lines stay byte for byte, tabs stay tabs", () => {
    const repo = app();
    const before = template(repo, "generationWorker");
    const tabbed = template(repo, "generationProcessor");
    attachFunctionsToVpc({ repo, functions: GOOD });
    const after = template(repo, "generationWorker");
    // The line before an insertion gains a comma; nothing else may change.
    const lines = (text: string) => text.split("\n").map((line) => line.replace(/,$/, ""));
    expect(lines(before).filter((line) => !lines(after).includes(line))).toEqual([]);
    expect(after.endsWith("}\n")).toBe(true);
    expect(after).toContain('\n    "LambdaVpcSubnetIds": {\n      "Type": "AWS::SSM::Parameter::Value<List<String>>"');
    const tabbedAfter = template(repo, "generationProcessor");
    expect(tabbedAfter).toContain('\n\t\t"LambdaVpcSubnetIds": {\n\t\t\t"Type"');
    expect(tabbedAfter).not.toMatch(/\n {2}"/);
    expect(tabbedAfter.split("\n").length).toBeGreaterThan(tabbed.split("\n").length);
  });

  test("is idempotent: a second run changes nothing", () => {
    const repo = app();
    attachFunctionsToVpc({ repo, functions: GOOD });
    const first = GOOD.map((fn) => template(repo, fn));
    const second = attachFunctionsToVpc({ repo, functions: GOOD });
    expect(second.map((r) => [r.changed, r.missing])).toEqual([
      [false, []],
      [false, []],
    ]);
    expect(GOOD.map((fn) => template(repo, fn))).toEqual(first);
  });

  test("--check fails on a template without the attachment and writes nothing", async () => {
    const repo = app();
    const before = template(repo, "generationWorker");
    const result = await cli("amplify-vpc", repo, "--check", "-f", ...GOOD);
    expect(result.code).toBe(EXIT.failed);
    expect(result.out).toMatch(/generationWorker\s+missing Parameters\.LambdaVpcSubnetIds/);
    expect(result.out).toContain("2 function(s) not attached");
    expect(template(repo, "generationWorker")).toBe(before);
  });

  test("--check passes once attached", async () => {
    const repo = app();
    await cli("amplify-vpc", repo, "-f", ...GOOD);
    const result = await cli("amplify-vpc", repo, "--check", "-f", ...GOOD);
    expect(result.code).toBe(EXIT.ok);
    expect(result.out).toMatch(/generationWorker\s+attached already/);
  });

  test("--json reports per function", async () => {
    const repo = app();
    const result = await cli("amplify-vpc", repo, "-f", "generationWorker", "--json");
    expect(result.code).toBe(EXIT.ok);
    expect(JSON.parse(result.out)).toEqual({
      check: false,
      functions: [
        {
          function: "generationWorker",
          template: "amplify/backend/function/generationWorker/generationWorker-cloudformation-template.json",
          missing: expect.any(Array),
          changed: true,
        },
      ],
    });
  });

  test("--parameter-path follows the config's amplify.lambdaParameterPath", () => {
    const repo = app();
    attachFunctionsToVpc({ repo, functions: ["generationWorker"], parameterPath: "/custom/path" });
    expect(JSON.parse(template(repo, "generationWorker")).Parameters.LambdaVpcSubnetIds.Default).toBe("/custom/path/lambda-subnet-ids");
  });

  describe("errors name the problem and the fix, exit 2, and write nothing", () => {
    test("a missing repository", async () => {
      const result = await cli("amplify-vpc", "/does/not/exist");
      expect(result).toMatchObject({ code: EXIT.usage, out: "" });
      expect(result.err).toBe("error: /does/not/exist is not a directory\n  fix: give the path of the Amplify Gen 1 app's repository\n");
    });

    test("a directory that is no Gen 1 app", async () => {
      const result = await cli("amplify-vpc", mkdtempSync(join(tmpdir(), "empty-")));
      expect(result.code).toBe(EXIT.usage);
      expect(result.err).toContain("has no amplify/backend/function");
    });

    test("an unknown function lists the ones there are", () => {
      expect(() => attachFunctionsToVpc({ repo: app(), functions: ["generationWorkr"] })).toThrow(
        new UserError("function generationWorkr not found in amplify/backend/function", ""),
      );
      try {
        attachFunctionsToVpc({ repo: app(), functions: ["generationWorkr"] });
      } catch (error) {
        expect((error as UserError).fix).toBe("use one of generationProcessor, generationWorker, legacyTask, or omit --function for all");
      }
    });

    test("a template of an unexpected shape stops the run before any file is written", () => {
      const repo = app();
      const before = GOOD.map((fn) => template(repo, fn));
      expect(() => attachFunctionsToVpc({ repo })).toThrow(/legacyTask-cloudformation-template\.json: expected Resources\.LambdaFunction/);
      expect(GOOD.map((fn) => template(repo, fn))).toEqual(before);
    });

    test("a template that is not JSON names the line", () => {
      const repo = app();
      writeFileSync(templatePath(repo, "generationWorker"), '{\n  "Resources": {\n    "LambdaFunction": {,\n');
      expect(() => attachFunctionsToVpc({ repo, functions: ["generationWorker"] })).toThrow(/generationWorker-cloudformation-template\.json:3: not valid JSON/);
    });

    test("a VpcConfig someone set by hand is not overwritten", () => {
      const repo = app();
      const edited = JSON.parse(template(repo, "generationWorker"));
      edited.Resources.LambdaFunction.Properties.VpcConfig = { SubnetIds: ["subnet-0abc"], SecurityGroupIds: ["sg-0abc"] };
      writeFileSync(templatePath(repo, "generationWorker"), JSON.stringify(edited, null, 2));
      expect(() => attachFunctionsToVpc({ repo, functions: ["generationWorker"] })).toThrow(/already has a VpcConfig that does not come from this tool/);
    });
  });
});
