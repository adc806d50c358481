import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { awsProblem } from "../cli/aws-errors";
import { EXIT } from "../cli/index";
import { cli, CLI_BIN, customerFile, stubPrograms } from "./support/cli";
import { runProcess } from "./support/process";
import { startFailingAws, type AwsError, type FailingAws } from "./support/failing-aws";
import { freePort } from "./support/tools";

// What a user sees when AWS cannot be used: not signed in, expired or refused credentials,
// missing permissions, throttling, no network. The SDK talks to a local server that fails
// each call as AWS would, in the protocol of the service called.

// The SDK's retries of a throttled call back off for seconds, and a spawned CLI may first
// rebuild dist/ (bin/amplify-dify-vpc.js does when a source changed).
jest.setTimeout(20_000);

let aws: FailingAws;
const savedEnv = { ...process.env };
const emptyFile = join(mkdtempSync(join(tmpdir(), "aws-config-")), "empty");
writeFileSync(emptyFile, "");
const KEYS = { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" };
/** The plugin, so that tunnel gets as far as AWS; no aws, so a session never starts. */
const PLUGIN_ONLY = `${stubPrograms({ "session-manager-plugin": "1.2.707.0" })}:/usr/bin:/bin`;

/** An environment with no AWS settings but `vars`: no credentials anywhere, AWS is the local server. */
function awsEnv(vars: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(savedEnv).filter(([name]) => !name.startsWith("AWS_")));
  return {
    ...env,
    PATH: PLUGIN_ONLY,
    AWS_CONFIG_FILE: emptyFile,
    AWS_SHARED_CREDENTIALS_FILE: emptyFile,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL: aws.endpoint,
    ...vars,
  };
}

beforeAll(async () => {
  aws = await startFailingAws();
});

afterAll(async () => {
  await aws.stop();
  process.env = savedEnv;
});

beforeEach(() => {
  process.env = awsEnv(KEYS);
  delete process.env.CUSTOMER_CONFIG;
  aws.calls.length = 0;
});

const STACK_LINE = /^\s+at /m;
const config = customerFile();

describe("not signed in: every command says how to sign in", () => {
  const MESSAGE = "no AWS credentials were found (CredentialsProviderError: Could not load credentials from any providers)";
  const FIX = "sign in: aws sso login --profile <profile> and export AWS_PROFILE=<profile>, or aws configure for access keys";

  beforeEach(() => {
    process.env = awsEnv();
  });

  test.each([
    ["upgrade --dry-run", ["upgrade", "--to", "1.16.1", "--dry-run"]],
    ["verify", ["verify"]],
    ["tunnel", ["tunnel", "admin"]],
  ])("%s: the problem and the fix, exit 3, nothing asked of AWS", async (_, argv) => {
    const result = await cli(...argv, "--config", config);
    expect(result).toEqual({ code: EXIT.awsAccess, out: "", err: `error: ${MESSAGE}\n  fix: ${FIX}\n` });
    expect(aws.calls).toEqual([]);
  });

  test.each([
    ["upgrade --dry-run", ["upgrade", "--to", "1.16.1", "--dry-run"]],
    ["verify", ["verify"]],
  ])("%s --json: one JSON document on stdout, nothing on stderr", async (_, argv) => {
    const result = await cli(...argv, "--config", config, "--json");
    expect(result.code).toBe(EXIT.awsAccess);
    expect(JSON.parse(result.out)).toEqual({ ok: false, error: { kind: "credentials-missing", message: MESSAGE, fix: FIX } });
    expect(result.err).toBe("");
  });

  test("the fix names the profile in use", async () => {
    process.env = awsEnv({ AWS_PROFILE: "acme-admin" });
    const result = await cli("upgrade", "--to", "1.16.1", "--dry-run", "--config", config);
    expect(result.code).toBe(EXIT.awsAccess);
    expect(result.err).toBe(
      "error: no AWS credentials were found (CredentialsProviderError: Could not load credentials from any providers)\n" +
        "  fix: sign in: aws sso login --profile acme-admin (or aws configure --profile acme-admin for access keys)\n",
    );
  });

  test("destroy prints its guide anyway, saying why the snapshots are not listed and how to list them", async () => {
    const result = await cli("destroy", "--config", config);
    expect(result.code).toBe(EXIT.ok);
    expect(result.err).toBe(`note: the data volume's snapshots could not be listed: ${MESSAGE}\n  fix: ${FIX}\n`);
    expect(result.out).toMatch(/^Tear down, in this order:\n {2}1\. CUSTOMER_CONFIG=\S+ npx cdktf destroy amplify\n/);
    expect(result.out).toContain(
      "  - the data volume's snapshots (not listed here: AWS could not be asked; aws ec2 describe-snapshots --region ap-northeast-1 --owner-ids self --filters 'Name=tag:snapshot-of,Values=example-prod-data' --query 'Snapshots[].SnapshotId' --output text lists them): pass --delete-snapshots to list their deletion\n",
    );
  });

  test("destroy --delete-snapshots --json: the guide, with a step that lists and deletes them", async () => {
    const result = await cli("destroy", "--config", config, "--delete-snapshots", "--json");
    expect(result.code).toBe(EXIT.ok);
    expect(result.err).toBe("");
    const guide = JSON.parse(result.out);
    expect(guide).toMatchObject({ ok: true, snapshots: null, snapshotsUnread: { kind: "credentials-missing", message: MESSAGE, fix: FIX } });
    expect(guide.steps.at(-1)).toBe(
      `delete the data volume's snapshots (not listed here: AWS could not be asked): for id in $(aws ec2 describe-snapshots --region ap-northeast-1 --owner-ids self --filters 'Name=tag:snapshot-of,Values=example-prod-data' --query 'Snapshots[].SnapshotId' --output text); do aws ec2 delete-snapshot --region ap-northeast-1 --snapshot-id "$id"; done`,
    );
  });

  test("tunnel --print: the command with a placeholder, and how to find the instance", async () => {
    const result = await cli("tunnel", "admin", "--print", "--config", config);
    expect(result.code).toBe(EXIT.ok);
    expect(result.out).toContain(
      `aws ssm start-session --region ap-northeast-1 --target '<instance-id>' --document-name AWS-StartPortForwardingSession --parameters '{"portNumber":["80"],"localPortNumber":["8443"]}'\n`,
    );
    expect(result.err).toBe(
      `note: the instance could not be looked up: ${MESSAGE}\n  fix: ${FIX}\n` +
        "  or find its ID with aws ec2 describe-instances --region ap-northeast-1 --filters 'Name=tag:Name,Values=example-prod-dify' 'Name=instance-state-name,Values=running' --query 'Reservations[].Instances[].InstanceId' --output text and pass --instance-id\n",
    );
  });

  test("tunnel --json: the plan with instanceId null, the reason and the lookup", async () => {
    const result = await cli("tunnel", "ssh", "--json", "--config", config);
    expect(result.code).toBe(EXIT.ok);
    const plan = JSON.parse(result.out);
    expect(plan).toMatchObject({
      ok: true,
      instanceId: null,
      unchecked: {
        problem: { kind: "credentials-missing", message: MESSAGE, fix: FIX },
        lookup: [
          "aws", "ec2", "describe-instances", "--region", "ap-northeast-1",
          "--filters", "Name=tag:Name,Values=example-prod-dify", "Name=instance-state-name,Values=running",
          "--query", "Reservations[].Instances[].InstanceId", "--output", "text",
        ],
      },
    });
    expect(plan.command).toContain("<instance-id>");
    expect(plan.instructions[0]).toContain("--instance-id '<instance-id>'");
  });

  test("doctor reports it as its credentials check, exit 1", async () => {
    const result = await cli("doctor", "--config", config, "--json");
    expect(result.code).toBe(EXIT.failed);
    expect(JSON.parse(result.out).checks.find((c: { check: string }) => c.check === "AWS credentials")).toEqual({
      check: "AWS credentials",
      ok: false,
      detail: MESSAGE,
      fix: `${FIX}; then run doctor again`,
    });
  });
});

/** One failure as AWS sends it, the command that meets it, and what the user must see. */
interface Case {
  readonly answer: AwsError;
  readonly argv: readonly string[];
  /** The call that met it, as the local server saw it: proves the protocol. */
  readonly call: string;
  readonly kind: string;
  readonly exit: number;
  readonly message: string;
  readonly fix: string;
}

const UPGRADE = ["upgrade", "--to", "1.16.1", "--dry-run"];
const SIGN_IN = "aws sso login --profile <profile> and export AWS_PROFILE=<profile>, or aws configure for access keys";
const CASES: Record<string, Case> = {
  "expired: SSM's ExpiredTokenException (JSON)": {
    answer: { code: "ExpiredTokenException", status: 400, message: "The security token included in the request is expired" },
    argv: UPGRADE,
    call: "json AmazonSSM.GetParameter",
    kind: "credentials-expired",
    exit: EXIT.awsAccess,
    message: "the AWS credentials have expired (ExpiredTokenException: The security token included in the request is expired)",
    fix: `sign in again: ${SIGN_IN}`,
  },
  "expired: EC2's RequestExpired (EC2 query)": {
    answer: { code: "RequestExpired", status: 400, message: "Request has expired." },
    argv: ["tunnel", "admin"],
    call: "ec2 DescribeInstances",
    kind: "credentials-expired",
    exit: EXIT.awsAccess,
    message: "the AWS credentials have expired (RequestExpired: Request has expired.)",
    fix: `sign in again: ${SIGN_IN}`,
  },
  "invalid: SSM's UnrecognizedClientException (JSON)": {
    answer: { code: "UnrecognizedClientException", status: 400, message: "The security token included in the request is invalid." },
    argv: UPGRADE,
    call: "json AmazonSSM.GetParameter",
    kind: "credentials-invalid",
    exit: EXIT.awsAccess,
    message: "AWS does not accept the credentials (UnrecognizedClientException: The security token included in the request is invalid.)",
    fix: `check which credentials are used (aws configure list) and sign in again: ${SIGN_IN}; if they are right, aws.region in the customer config may be a region not enabled for the account`,
  },
  "invalid: EC2's AuthFailure (EC2 query)": {
    answer: { code: "AuthFailure", status: 401, message: "AWS was not able to validate the provided access credentials" },
    argv: ["tunnel", "ssh"],
    call: "ec2 DescribeInstances",
    kind: "credentials-invalid",
    exit: EXIT.awsAccess,
    message: "AWS does not accept the credentials (AuthFailure: AWS was not able to validate the provided access credentials)",
    fix: `check which credentials are used (aws configure list) and sign in again: ${SIGN_IN}; if they are right, aws.region in the customer config may be a region not enabled for the account`,
  },
  "invalid: CloudFront's SignatureDoesNotMatch (REST XML)": {
    answer: { code: "SignatureDoesNotMatch", status: 403, message: "The request signature we calculated does not match the signature you provided." },
    argv: ["verify"],
    call: "rest-xml GET /2020-05-31/distribution",
    kind: "credentials-invalid",
    exit: EXIT.awsAccess,
    message: "AWS does not accept the credentials (SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided.)",
    fix: `check which credentials are used (aws configure list) and sign in again: ${SIGN_IN}; if they are right, aws.region in the customer config may be a region not enabled for the account`,
  },
  "denied: SSM's AccessDeniedException names the action (JSON)": {
    answer: {
      code: "AccessDeniedException",
      status: 400,
      message:
        "User: arn:aws:sts::111111111111:assumed-role/ReadOnly/operator is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:ap-northeast-1:111111111111:parameter/example-prod/dify/release because no identity-based policy allows the ssm:GetParameter action",
    },
    argv: UPGRADE,
    call: "json AmazonSSM.GetParameter",
    kind: "access-denied",
    exit: EXIT.awsAccess,
    message: "AWS denied ssm:GetParameter to arn:aws:sts::111111111111:assumed-role/ReadOnly/operator (AccessDeniedException)",
    fix: "ask an administrator to allow ssm:GetParameter for the role or user you signed in with, or sign in with one that has it (AWS_PROFILE)",
  },
  "denied: EC2's UnauthorizedOperation names the action (EC2 query)": {
    answer: {
      code: "UnauthorizedOperation",
      status: 403,
      message:
        "You are not authorized to perform this operation. User: arn:aws:iam::111111111111:user/ci is not authorized to perform: ec2:DescribeInstances because no identity-based policy allows the ec2:DescribeInstances action",
    },
    argv: ["tunnel", "admin"],
    call: "ec2 DescribeInstances",
    kind: "access-denied",
    exit: EXIT.awsAccess,
    message: "AWS denied ec2:DescribeInstances to arn:aws:iam::111111111111:user/ci (UnauthorizedOperation)",
    fix: "ask an administrator to allow ec2:DescribeInstances for the role or user you signed in with, or sign in with one that has it (AWS_PROFILE)",
  },
  "denied: CloudFront's AccessDenied without an action (REST XML)": {
    answer: { code: "AccessDenied", status: 403, message: "Access Denied" },
    argv: ["verify"],
    call: "rest-xml GET /2020-05-31/distribution",
    kind: "access-denied",
    exit: EXIT.awsAccess,
    message: "AWS denied the request (AccessDenied: Access Denied)",
    fix: "ask an administrator for the permission this command needs, or sign in with a role that has it (AWS_PROFILE)",
  },
  "region: EC2's OptInRequired (EC2 query)": {
    answer: { code: "OptInRequired", status: 401, message: "You are not subscribed to this service. Please go to http://aws.amazon.com to subscribe." },
    argv: ["tunnel", "admin"],
    call: "ec2 DescribeInstances",
    kind: "region-disabled",
    exit: EXIT.awsAccess,
    message: "the region is not enabled for this account (OptInRequired: You are not subscribed to this service. Please go to http://aws.amazon.com to subscribe.)",
    fix: "enable it (AWS console: Account, AWS Regions) or set aws.region in the customer config to a region the account uses",
  },
  "throttled: SSM's ThrottlingException, after the SDK's retries (JSON)": {
    answer: { code: "ThrottlingException", status: 400, message: "Rate exceeded" },
    argv: UPGRADE,
    call: "json AmazonSSM.GetParameter",
    kind: "throttled",
    exit: EXIT.awsUnavailable,
    message: "AWS throttled the requests (ThrottlingException: Rate exceeded) after 3 attempts",
    fix: "wait a minute and run it again; other tools using the same account share the limit",
  },
  "throttled: EC2's RequestLimitExceeded (EC2 query)": {
    answer: { code: "RequestLimitExceeded", status: 503, message: "Request limit exceeded." },
    argv: ["tunnel", "admin"],
    call: "ec2 DescribeInstances",
    kind: "throttled",
    exit: EXIT.awsUnavailable,
    message: "AWS throttled the requests (RequestLimitExceeded: Request limit exceeded.) after 3 attempts",
    fix: "wait a minute and run it again; other tools using the same account share the limit",
  },
  "throttled: Amplify's TooManyRequestsException (REST JSON)": {
    answer: { code: "TooManyRequestsException", status: 429, message: "Rate exceeded" },
    argv: ["verify", "--url", "https://d111111abcdef8.cloudfront.net"],
    call: "rest-json GET /apps",
    kind: "throttled",
    exit: EXIT.awsUnavailable,
    message: "AWS throttled the requests (TooManyRequestsException: Rate exceeded) after 3 attempts",
    fix: "wait a minute and run it again; other tools using the same account share the limit",
  },
  "server error: EC2's InternalError after the SDK's retries (EC2 query)": {
    answer: { code: "InternalError", status: 500, message: "An internal error has occurred" },
    argv: ["tunnel", "admin"],
    call: "ec2 DescribeInstances",
    kind: "aws-server-error",
    exit: EXIT.awsUnavailable,
    message: "AWS failed to serve the request (InternalError, HTTP 500) after 3 attempts",
    fix: "run it again in a few minutes; the AWS Health Dashboard lists service events",
  },
};

describe("AWS refuses or fails the call: the class, its fix and its exit code", () => {
  test.each(Object.entries(CASES))("%s", async (_, c) => {
    aws.answer = c.answer;
    const text = await cli(...c.argv, "--config", config);
    expect(aws.calls[0]).toBe(c.call);
    expect(text).toEqual({ code: c.exit, out: "", err: `error: ${c.message}\n  fix: ${c.fix}\n` });

    const json = await cli(...c.argv, "--config", config, "--json");
    const problem = { kind: c.kind, message: c.message, fix: c.fix };
    if (c.argv[0] === "tunnel") {
      // tunnel --json only prints the plan, which needs no AWS: the problem comes along, exit 0.
      expect(JSON.parse(json.out)).toMatchObject({ ok: true, instanceId: null, unchecked: { problem } });
      expect(json.code).toBe(EXIT.ok);
    } else {
      expect(JSON.parse(json.out)).toEqual({ ok: false, error: problem });
      expect(json.code).toBe(c.exit);
    }
    expect(json.err).toBe("");
  });

  test("verify does not turn a refusal into a failed check: ELB's Throttling (query XML) ends the run", async () => {
    aws.answer = { code: "Throttling", status: 400, message: "Rate exceeded" };
    // The public URL is the local server too: the HTTP checks fail, then ELB is asked.
    const result = await cli("verify", "--config", config, "--url", aws.endpoint, "--origin", "https://main.d1a2b3c4d5e6f7.amplifyapp.com");
    // The HTTP checks' requests come first; after ELB's refusal nothing more is asked.
    expect(aws.calls.slice(-3)).toEqual(["query DescribeTargetGroups", "query DescribeTargetGroups", "query DescribeTargetGroups"]);
    expect(result).toEqual({
      code: EXIT.awsUnavailable,
      out: "",
      err: "error: AWS throttled the requests (Throttling: Rate exceeded) after 3 attempts\n  fix: wait a minute and run it again; other tools using the same account share the limit\n",
    });
  });

  test("destroy still prints its guide when AWS denies the snapshot list", async () => {
    aws.answer = { code: "UnauthorizedOperation", status: 403, message: "You are not authorized to perform this operation. User: arn:aws:iam::111111111111:user/ci is not authorized to perform: ec2:DescribeSnapshots" };
    const result = await cli("destroy", "--config", config);
    expect(aws.calls).toEqual(["ec2 DescribeSnapshots"]);
    expect(result.code).toBe(EXIT.ok);
    expect(result.err).toBe(
      "note: the data volume's snapshots could not be listed: AWS denied ec2:DescribeSnapshots to arn:aws:iam::111111111111:user/ci (UnauthorizedOperation)\n" +
        "  fix: ask an administrator to allow ec2:DescribeSnapshots for the role or user you signed in with, or sign in with one that has it (AWS_PROFILE)\n",
    );
    expect(result.out).toContain("npx cdktf destroy network\n");
  });

  test.each<[string, AwsError, string, string]>([
    [
      "STS's ExpiredToken (query XML)",
      { code: "ExpiredToken", status: 400, message: "The security token included in the request is expired" },
      "the AWS credentials have expired (ExpiredToken: The security token included in the request is expired)",
      `sign in again: ${SIGN_IN}; then run doctor again`,
    ],
    [
      "STS's InvalidClientTokenId (query XML)",
      { code: "InvalidClientTokenId", status: 403, message: "The security token included in the request is invalid." },
      "AWS does not accept the credentials (InvalidClientTokenId: The security token included in the request is invalid.)",
      `check which credentials are used (aws configure list) and sign in again: ${SIGN_IN}; if they are right, aws.region in the customer config may be a region not enabled for the account; then run doctor again`,
    ],
    [
      "STS's RegionDisabledException (query XML)",
      { code: "RegionDisabledException", status: 403, message: "STS is not activated in this region for account:111111111111. Your account administrator can activate STS in this region using the IAM Console." },
      "the region is not enabled for this account (RegionDisabledException: STS is not activated in this region for account:111111111111. Your account administrator can activate STS in this region using the IAM Console.)",
      "enable it (AWS console: Account, AWS Regions) or set aws.region in the customer config to a region the account uses; then run doctor again",
    ],
  ])("doctor shows %s as its failed credentials check", async (_, answer, message, fix) => {
    aws.answer = answer;
    const result = await cli("doctor", "--config", config, "--json");
    expect(aws.calls).toEqual(["query GetCallerIdentity"]);
    expect(result.code).toBe(EXIT.failed);
    expect(JSON.parse(result.out).checks.find((c: { check: string }) => c.check === "AWS credentials")).toEqual({ check: "AWS credentials", ok: false, detail: message, fix });
  });
});

describe("an error nothing recognizes: one line, no stack trace, exit 70", () => {
  beforeEach(() => {
    aws.answer = { code: "SomethingNew", status: 400, message: "A new kind of failure." };
  });

  test("names the error and how to see the trace", async () => {
    const result = await cli(...UPGRADE, "--config", config);
    expect(result).toEqual({
      code: EXIT.internal,
      out: "",
      err: "error: internal error: SomethingNew: A new kind of failure.\n  fix: run it again with AMPLIFY_DIFY_VPC_DEBUG=1 to see the stack trace, and report it with that output\n",
    });
  });

  test("--json: kind internal", async () => {
    const result = await cli(...UPGRADE, "--config", config, "--json");
    expect(JSON.parse(result.out)).toEqual({
      ok: false,
      error: {
        kind: "internal",
        message: "internal error: SomethingNew: A new kind of failure.",
        fix: "run it again with AMPLIFY_DIFY_VPC_DEBUG=1 to see the stack trace, and report it with that output",
      },
    });
  });

  test("AMPLIFY_DIFY_VPC_DEBUG=1 adds the stack trace on stderr", async () => {
    process.env.AMPLIFY_DIFY_VPC_DEBUG = "1";
    const result = await cli(...UPGRADE, "--config", config, "--json");
    expect(JSON.parse(result.out).error.kind).toBe("internal");
    expect(result.err).toMatch(/^SomethingNew: A new kind of failure\.\n\s+at /);
  });
});

describe("--json: usage and config mistakes are one JSON document too (exit 2)", () => {
  const invalid = customerFile((d) => (d.network.vpcCidr = "10.13.0.0/19"));
  test.each<[string, string[], Record<string, unknown>]>([
    ["an unknown kind", ["tunnel", "sideways", "--json"], { kind: "usage", message: "command-argument value 'sideways' is invalid for argument 'kind'. Allowed choices are admin, ssh." }],
    ["a missing option", ["upgrade", "--json"], { kind: "usage", message: "required option '--to <version>' not specified" }],
    ["a port that is no port", ["tunnel", "admin", "--local-port", "80a", "--json"], { kind: "usage", message: "option '-p, --local-port <port>' argument '80a' is invalid. a port is a whole number from 1 to 65535" }],
    ["an instance ID that is none", ["tunnel", "admin", "--instance-id", "web-1", "--json"], { kind: "usage", message: "option '--instance-id <id>' argument 'web-1' is invalid. an instance ID looks like i-0123456789abcdef0" }],
    ["no config named", ["doctor", "--json"], { kind: "input", message: "no customer config named", fix: "pass --config customers/<customer>-<env>.yaml or set CUSTOMER_CONFIG" }],
    ["an empty --config", ["destroy", "--config", "", "--json"], { kind: "input", message: "--config names no file (it is empty)", fix: "pass --config customers/<customer>-<env>.yaml" }],
    ["an invalid config", ["destroy", "--config", invalid, "--json"], { kind: "config", message: "2 problem(s) in the customer config", fix: "correct each problem as its fix says" }],
  ])("%s", async (_, argv, error) => {
    const result = await cli(...argv);
    expect(result.code).toBe(EXIT.usage);
    expect(JSON.parse(result.out)).toMatchObject({ ok: false, error });
    expect(aws.calls).toEqual([]);
  });

  test("an invalid config lists every problem with its line and fix", async () => {
    const result = await cli("verify", "--config", invalid, "--json");
    const { issues } = JSON.parse(result.out).error;
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatchObject({ file: invalid, path: "network.zones[1].privateSubnetCidr", line: expect.any(Number), fix: expect.any(String) });
  });

  test("CUSTOMER_CONFIG set but empty is a mistake, not the example", async () => {
    process.env.CUSTOMER_CONFIG = "";
    const result = await cli("destroy");
    expect(result).toEqual({
      code: EXIT.usage,
      out: "",
      err: "error: CUSTOMER_CONFIG is set but empty\n  fix: set CUSTOMER_CONFIG=customers/<customer>-<env>.yaml, or pass --config\n",
    });
  });
});

describe("tunnel without the plugin and without AWS", () => {
  test("--print with --instance-id asks AWS nothing and needs no plugin", async () => {
    process.env = awsEnv();
    process.env.PATH = "/usr/bin:/bin";
    const result = await cli("tunnel", "admin", "--print", "--instance-id", "i-0123456789abcdef0", "--config", config);
    expect(result.code).toBe(EXIT.ok);
    expect(result.err).toBe("");
    expect(result.out).toContain("aws ssm start-session --region ap-northeast-1 --target i-0123456789abcdef0 --document-name AWS-StartPortForwardingSession");
    expect(aws.calls).toEqual([]);
  });

  test("--json with --instance-id: the plan, nothing unchecked", async () => {
    process.env = awsEnv();
    const result = await cli("tunnel", "ssh", "--json", "--instance-id", "i-0123456789abcdef0", "--config", config);
    expect(JSON.parse(result.out)).toMatchObject({ ok: true, instanceId: "i-0123456789abcdef0" });
    expect(JSON.parse(result.out).unchecked).toBeUndefined();
  });
});

/** The built CLI as a user runs it, in an environment of `vars` only. */
function runCli(args: readonly string[], vars: Record<string, string>) {
  return runProcess(process.execPath, [CLI_BIN, ...args], awsEnv(vars));
}

describe("the CLI as a process: AWS out of reach (exit 4), no stack trace, no SDK notice", () => {
  // Node's network errors come from outside Jest's sandbox, so in-process the SDK would see a
  // foreign Error and wrap it; the real process gets them as they are.
  const REACH_FIX =
    "check the network connection, DNS and any proxy between you and AWS; that AWS_ENDPOINT_URL, if set, is meant; and that aws.region in the customer config is right";

  test("a closed port: ECONNREFUSED", async () => {
    const port = await freePort();
    const result = await runCli([...UPGRADE, "--config", config], { ...KEYS, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` });
    expect(result.stderr).toBe(`error: cannot reach AWS at 127.0.0.1:${port} (ECONNREFUSED) after 3 attempts\n  fix: ${REACH_FIX}\n`);
    expect(result.stdout).toBe("");
    expect(result.status).toBe(EXIT.awsUnavailable);
  });

  test("a host that does not resolve: ENOTFOUND, as JSON", async () => {
    const result = await runCli(["verify", "--config", config, "--json"], { ...KEYS, AWS_ENDPOINT_URL: "http://aws.example.invalid" });
    expect(JSON.parse(result.stdout)).toEqual({
      ok: false,
      error: { kind: "unreachable", message: expect.stringMatching(/^cannot reach AWS at aws\.example\.invalid \((ENOTFOUND|EAI_AGAIN)\) after 3 attempts$/), fix: REACH_FIX },
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(EXIT.awsUnavailable);
  });

  test("a connection cut without an answer: ECONNRESET; destroy prints its guide anyway", async () => {
    aws.answer = "reset";
    const result = await runCli(["destroy", "--config", config], KEYS);
    expect(result.stderr).toBe(`note: the data volume's snapshots could not be listed: cannot reach AWS (ECONNRESET) after 3 attempts\n  fix: ${REACH_FIX}\n`);
    expect(result.stdout).toMatch(/^Tear down, in this order:\n/);
    expect(result.status).toBe(EXIT.ok);
  });

  test("not signed in: exactly the message and fix on stderr, nothing else", async () => {
    const result = await runCli([...UPGRADE, "--config", config], {});
    expect(result.stderr).toBe(
      "error: no AWS credentials were found (CredentialsProviderError: Could not load credentials from any providers)\n" +
        "  fix: sign in: aws sso login --profile <profile> and export AWS_PROFILE=<profile>, or aws configure for access keys\n",
    );
    expect(result.stdout).not.toMatch(STACK_LINE);
    expect(result.status).toBe(EXIT.awsAccess);
  });

  test("a timeout: the SDK's TimeoutError (its default socket timeout is 15 minutes, so the shape is built here)", () => {
    const error = Object.assign(new Error("Socket timed out without establishing a connection within 3000 ms"), { name: "TimeoutError", $metadata: { attempts: 3 } });
    expect(awsProblem(error)).toEqual({
      kind: "unreachable",
      message: "AWS did not answer in time (TimeoutError: Socket timed out without establishing a connection within 3000 ms) after 3 attempts",
      fix: REACH_FIX,
    });
  });

  const nodeMajor = Number(process.versions.node.split(".")[0]);
  // The SDK announces on Node < 22 that its 2027 releases need Node 22; on 22 it says nothing to suppress.
  (nodeMajor < 22 ? test : test.skip)("the SDK's NodeVersionSupportWarning: printed by a bare client on this Node, not by the CLI", async () => {
    const bare = await runProcess(process.execPath, ["-e", 'new (require("@aws-sdk/client-ec2").EC2Client)({ region: "ap-northeast-1" })'], awsEnv());
    expect(bare.stderr).toContain("NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)");
    const result = await runCli(["destroy", "--config", config, "--json"], {});
    expect(JSON.parse(result.stdout).snapshotsUnread.kind).toBe("credentials-missing");
    expect(result.stderr).toBe("");
  });
});

describe("long output arrives whole through a pipe", () => {
  const problems = customerFile((d) => {
    for (let i = 0; i < 3000; i++) d[`unknownKey${i}`] = i;
  });

  test("3000 problems on stderr to a slow reader: every one, exit 2", async () => {
    const result = await runProcess(process.execPath, [CLI_BIN, "destroy", "--config", problems], awsEnv(), 3000);
    expect(result.stderr.split("\n")[0]).toBe("3000 problems in the customer config:");
    expect(result.stderr.match(/^ {2}fix: remove it$/gm)).toHaveLength(3000);
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(result.status).toBe(EXIT.usage);
  }, 30_000);

  test("--json: the one document, whole, on stdout to a slow reader", async () => {
    const result = await runProcess(process.execPath, [CLI_BIN, "verify", "--config", problems, "--json"], awsEnv(), 3000);
    expect(JSON.parse(result.stdout).error.issues).toHaveLength(3000);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(EXIT.usage);
  }, 30_000);

  test("a reader that goes away early (| head) ends nothing in a stack trace", async () => {
    const child = spawn(process.execPath, [CLI_BIN, "verify", "--config", problems, "--json"], { env: awsEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdout.once("data", () => child.stdout.destroy());
    const status = await new Promise((resolve) => child.on("close", resolve));
    expect(stderr).toBe("");
    expect(status).toBe(EXIT.usage);
  }, 30_000);
});
