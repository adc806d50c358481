import fs = require("node:fs");
import { chmodSync, cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { LAMBDA_VPC_POLICY_ARN, attachFunctionsToVpc } from "../cli/amplify-vpc";
import { EXIT, run } from "../cli/index";
import { bufferIo } from "../cli/io";
import { UserError } from "../cli/user-error";
import { tempPath } from "../cli/write-all-or-nothing";
import { REPO_ROOT } from "./support/config";

const FIXTURE = join(REPO_ROOT, "__tests__", "fixtures", "amplify-gen1-app");
const GOOD = ["generationWorker", "generationProcessor"];
const WORKER = "amplify/backend/function/generationWorker/generationWorker-cloudformation-template.json";
const PROCESSOR = "amplify/backend/function/generationProcessor/generationProcessor-cloudformation-template.json";

/** A fresh copy of the fixture app (shaped like Amplify CLI 12 Gen 1 function templates). */
function app(): string {
  const dir = mkdtempSync(join(tmpdir(), "amplify-app-"));
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}
const templatePath = (repo: string, fn: string) => join(repo, "amplify", "backend", "function", fn, `${fn}-cloudformation-template.json`);
const template = (repo: string, fn: string) => readFileSync(templatePath(repo, fn), "utf8");

/** Every file and symlink under `dirs`, with its exact bytes or link target: to prove nothing changed. */
function files(...dirs: string[]): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (path: string): void => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) found.set(path, `-> ${readlinkSync(path)}`);
    else if (stat.isDirectory()) readdirSync(path).forEach((name) => walk(join(path, name)));
    else found.set(path, `${(stat.mode & 0o777).toString(8)} ${readFileSync(path).toString("base64")}`);
  };
  dirs.forEach(walk);
  return found;
}

/** Moves `path` (relative to `repo`) into a fresh directory outside it and leaves a symlink behind. */
function moveOutside(repo: string, path: string): string {
  const outside = join(mkdtempSync(join(tmpdir(), "outside-")), path.split("/").pop()!);
  renameSync(join(repo, path), outside);
  symlinkSync(outside, join(repo, path));
  return outside;
}

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
      ok: true,
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

  describe("writes only inside the repository, all files or none, and only what it can read exactly", () => {
    afterEach(() => jest.restoreAllMocks());

    test("a template symlinked outside the repository is refused, naming where it resolves", async () => {
      const repo = app();
      const outside = moveOutside(repo, WORKER);
      const before = files(repo, dirname(outside));
      const result = await cli("amplify-vpc", repo, "-f", ...GOOD);
      expect(result).toMatchObject({ code: EXIT.usage, out: "" });
      expect(result.err).toBe(
        `error: ${WORKER} resolves to ${realpathSync(outside)}, outside the repository ${realpathSync(repo)}\n` +
          "  fix: replace the symlink with the file itself: amplify-vpc only edits files inside the repository\n",
      );
      expect(files(repo, dirname(outside))).toEqual(before);
    });

    test("a function directory symlinked outside the repository is refused, and the functions before it are not written", async () => {
      const repo = app();
      const outside = moveOutside(repo, "amplify/backend/function/generationProcessor");
      const before = files(repo, outside);
      const result = await cli("amplify-vpc", repo, "-f", ...GOOD);
      expect(result.code).toBe(EXIT.usage);
      expect(result.err).toBe(
        `error: ${PROCESSOR} resolves to ${realpathSync(outside)}/generationProcessor-cloudformation-template.json, outside the repository ${realpathSync(repo)}\n` +
          "  fix: replace the symlink with the file itself: amplify-vpc only edits files inside the repository\n",
      );
      expect(files(repo, outside)).toEqual(before);
    });

    test("a symlink that stays inside the repository is followed, and stays a symlink", () => {
      const repo = app();
      mkdirSync(join(repo, "shared"));
      const shared = join(repo, "shared", "worker.json");
      renameSync(join(repo, WORKER), shared);
      symlinkSync(shared, join(repo, WORKER));
      const [report] = attachFunctionsToVpc({ repo, functions: ["generationWorker"] });
      expect(report!.changed).toBe(true);
      expect(lstatSync(join(repo, WORKER)).isSymbolicLink()).toBe(true);
      expect(JSON.parse(readFileSync(shared, "utf8")).Resources.LambdaFunction.Properties.VpcConfig).toBeDefined();
    });

    test("a write that fails on the second template changes neither, leaves no temporary and prints no stack trace", async () => {
      const repo = app();
      // Fails for root too: the second template's temporary cannot be created.
      const blocker = tempPath(join(repo, PROCESSOR));
      mkdirSync(blocker);
      writeFileSync(join(blocker, "keep"), "someone's file");
      const before = files(repo);
      const result = await cli("amplify-vpc", repo, "-f", ...GOOD);
      expect(result).toMatchObject({ code: EXIT.usage, out: "" });
      const blockerLabel = "amplify/backend/function/generationProcessor/.generationProcessor-cloudformation-template.json.amplify-vpc-tmp";
      expect(result.err).toBe(
        `error: cannot write ${PROCESSOR}: ${blockerLabel} is in the way\n` +
          `  fix: nothing was changed; delete ${blockerLabel} (left by an interrupted run?) and run the command again\n`,
      );
      // Same files, same bytes: the worker's temporary was removed, the blocker left alone.
      expect(files(repo)).toEqual(before);
    });

    test("a rename that fails after the first template was replaced puts the first back", () => {
      const repo = app();
      const before = files(repo);
      const rename = fs.renameSync;
      let calls = 0;
      jest.spyOn(fs, "renameSync").mockImplementation((from, to) => {
        if (++calls === 2) throw new Error("EXDEV: cross-device link not permitted, rename");
        rename(from, to);
      });
      expect(() => attachFunctionsToVpc({ repo, functions: GOOD })).toThrow(
        new UserError(`cannot write ${PROCESSOR}: EXDEV: cross-device link not permitted, rename`, ""),
      );
      expect(files(repo)).toEqual(before);
    });

    (process.getuid?.() === 0 ? test.skip : test)("a read-only template is refused up front (not as root: root may write anyway)", async () => {
      const repo = app();
      chmodSync(join(repo, PROCESSOR), 0o444);
      const before = files(repo);
      const result = await cli("amplify-vpc", repo, "-f", ...GOOD);
      expect(result.code).toBe(EXIT.usage);
      expect(result.err).toBe(
        `error: cannot write ${PROCESSOR}: EACCES: permission denied, access '${realpathSync(join(repo, PROCESSOR))}'\n` +
          "  fix: make the template and its directory writable (nothing was changed), then run the command again\n",
      );
      expect(files(repo)).toEqual(before);
    });

    (process.getuid?.() === 0 ? test.skip : test)("an unreadable template is an error, not a crash (not as root)", () => {
      const repo = app();
      chmodSync(join(repo, WORKER), 0o000);
      expect(() => attachFunctionsToVpc({ repo, functions: ["generationWorker"] })).toThrow(
        new UserError(`cannot read ${WORKER}: EACCES: permission denied, open '${realpathSync(join(repo, WORKER))}'`, ""),
      );
    });

    test("a dangling symlink among the functions is no function, not a crash", () => {
      const repo = app();
      symlinkSync(join(repo, "gone"), join(repo, "amplify", "backend", "function", "ghost"));
      expect(() => attachFunctionsToVpc({ repo, functions: ["ghost"] })).toThrow(
        new UserError("function ghost not found in amplify/backend/function", ""),
      );
      expect(attachFunctionsToVpc({ repo, functions: GOOD }).map((r) => r.changed)).toEqual([true, true]);
    });

    test("a template that is not valid UTF-8 is refused with the byte offset", async () => {
      const repo = app();
      const original = readFileSync(join(repo, WORKER));
      // A real U+FFFD and a Japanese word first, then a lone lead byte (0xC3) before "(".
      const prefix = Buffer.from('{"Description": "\uFFFD 議事録 ', "utf8");
      writeFileSync(join(repo, WORKER), Buffer.concat([prefix, Buffer.from([0xc3, 0x28]), original.subarray(1)]));
      const before = files(repo);
      const result = await cli("amplify-vpc", repo, "-f", ...GOOD);
      expect(result.code).toBe(EXIT.usage);
      expect(result.err).toBe(
        `error: ${WORKER}: not valid UTF-8 at byte offset ${prefix.length}\n` +
          "  fix: save the file as UTF-8 (CloudFormation reads templates as UTF-8), or restore it with `amplify pull`\n",
      );
      expect(files(repo)).toEqual(before);
    });

    test("a truncated sequence at the end of the file is found too", () => {
      const repo = app();
      const original = readFileSync(join(repo, WORKER));
      writeFileSync(join(repo, WORKER), Buffer.concat([original, Buffer.from([0xe8, 0xad])]));
      expect(() => attachFunctionsToVpc({ repo, functions: ["generationWorker"] })).toThrow(
        new UserError(`${WORKER}: not valid UTF-8 at byte offset ${original.length}`, ""),
      );
    });

    test("a UTF-8 byte order mark is kept", () => {
      const repo = app();
      const bom = Buffer.from([0xef, 0xbb, 0xbf]);
      writeFileSync(join(repo, WORKER), Buffer.concat([bom, readFileSync(join(repo, WORKER))]));
      expect(attachFunctionsToVpc({ repo, functions: ["generationWorker"] })[0]!.changed).toBe(true);
      const after = readFileSync(join(repo, WORKER));
      expect(after.subarray(0, 3)).toEqual(bom);
      expect(after.subarray(3, 4).toString()).toBe("{");
      expect(JSON.parse(after.subarray(3).toString("utf8")).Resources.LambdaFunction.Properties.VpcConfig).toBeDefined();
      expect(attachFunctionsToVpc({ repo, functions: ["generationWorker"] })[0]!.changed).toBe(false);
    });

    test("duplicate keys are refused: VpcConfig would land in a decoy", async () => {
      const repo = app();
      const lines = template(repo, "generationWorker").split("\n");
      expect(lines[33]).toBe('  "Resources": {');
      lines.splice(34, 0, '    "LambdaFunction": { "Type": "AWS::Lambda::Function", "Properties": {} },');
      writeFileSync(join(repo, WORKER), lines.join("\n"));
      const before = files(repo);
      const result = await cli("amplify-vpc", repo, "-f", ...GOOD);
      expect(result.code).toBe(EXIT.usage);
      expect(result.err).toBe(
        `error: ${WORKER}:36: duplicate key Resources.LambdaFunction (first on line 35)\n` +
          '  fix: keep one "LambdaFunction" in Resources and delete the other: JSON readers disagree on which copy counts\n',
      );
      expect(files(repo)).toEqual(before);
    });

    test("a duplicate top-level key is refused too", () => {
      const repo = app();
      writeFileSync(join(repo, WORKER), template(repo, "generationWorker").replace(/\n}\n$/, ',\n  "Resources": {}\n}\n'));
      expect(() => attachFunctionsToVpc({ repo, functions: ["generationWorker"] })).toThrow(
        new UserError(`${WORKER}:${template(repo, "generationWorker").split("\n").length - 2}: duplicate key Resources (first on line 34)`, ""),
      );
      try {
        attachFunctionsToVpc({ repo, functions: ["generationWorker"] });
      } catch (error) {
        expect((error as UserError).fix).toBe('keep one "Resources" in the top-level object and delete the other: JSON readers disagree on which copy counts');
      }
    });

    test("a template path that is a directory is refused", () => {
      const repo = app();
      fs.rmSync(join(repo, WORKER));
      mkdirSync(join(repo, WORKER));
      expect(() => attachFunctionsToVpc({ repo, functions: ["generationWorker"] })).toThrow(new UserError(`${WORKER} is not a regular file`, ""));
    });
  });

  describe("--parameter-path must be a Parameter Store path, so it cannot break out of the template", () => {
    const fix = '  fix: use the config\'s amplify.lambdaParameterPath, written as /segment/segment (default "/amplify/vpc")\n';
    const short = (path: string) => (path.length > 40 ? `${JSON.stringify(path.slice(0, 24))}... (${path.length} characters)` : JSON.stringify(path));
    const levels = (n: number) => `/${Array.from({ length: n }, (_, i) => `L${i}.x_y-z`).join("/")}`;
    test.each([
      ["amplify/vpc", 'must start with "/"'],
      ['/amplify/vpc","Type":"String', 'contains "\\"": Parameter Store allows only a-zA-Z0-9_.- and "/"'],
      ["/x/{{resolve:ssm:/evil}}", 'contains "{": Parameter Store allows only a-zA-Z0-9_.- and "/"'],
      ["/amplify vpc", 'contains " ": Parameter Store allows only a-zA-Z0-9_.- and "/"'],
      ["/amplify/vpc\n", 'contains "\\n": Parameter Store allows only a-zA-Z0-9_.- and "/"'],
      ["/amplify/ベース", 'contains "ベ": Parameter Store allows only a-zA-Z0-9_.- and "/"'],
      ["/amplify//vpc", 'has an empty level ("//")'],
      ["/amplify/vpc/", 'must not end with "/"'],
      ["/", 'must not end with "/"'],
      ["/aws/vpc", 'must not begin with "aws" or "ssm" (any case): Parameter Store reserves them'],
      ["/SSM-params/vpc", 'must not begin with "aws" or "ssm" (any case): Parameter Store reserves them'],
      [levels(16), "has 16 levels: Parameter Store allows at most 15"],
      [`/${"a".repeat(936)}`, "is 937 characters: with the parameter names under it, at most 936 fit Parameter Store's limit"],
    ].map(([path, problem]) => [short(path!), path!, problem!]))("%s is refused and nothing is written", async (_name, path, problem) => {
      const repo = app();
      const before = files(repo);
      const result = await cli("amplify-vpc", repo, "-f", ...GOOD, "--parameter-path", path);
      expect(result).toMatchObject({ code: EXIT.usage, out: "" });
      expect(result.err).toBe(`error: --parameter-path ${JSON.stringify(path)} ${problem}\n${fix}`);
      expect(files(repo)).toEqual(before);
    });

    test.each([levels(15), `/${"a".repeat(935)}`, "/awesome-app/vpc", "/Amplify/aws/ssm"].map((path) => [short(path), path]))("%s is accepted and written as it is", (_name, path) => {
      const repo = app();
      attachFunctionsToVpc({ repo, functions: ["generationWorker"], parameterPath: path });
      expect(JSON.parse(template(repo, "generationWorker")).Parameters.LambdaVpcSecurityGroupIds.Default).toBe(`${path}/lambda-security-group-ids`);
    });
  });
});
