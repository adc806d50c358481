import { CreateSnapshotCommand, CreateVolumeCommand, DescribeSnapshotsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { EXIT } from "../cli/index";
import { DIFY_RELEASES } from "../config/dify-releases";
import { cli, stubPrograms } from "./support/cli";
import { MOTO_ACCOUNT, REGION, motoConfigFile, startOpsWorld, type OpsWorld } from "./support/ops-world";
import type { SsmFront } from "./support/ssm-front";
import type { MotoServer } from "./support/tools";

// The operations CLI against moto's server (the AWS API), an SSM front for the instance side,
// and stub programs for the local tools doctor inspects. verify has its own file (verify.test.ts).

let world: OpsWorld;
let moto: MotoServer;
let ssmFront: SsmFront;
let instanceId: string;
let volumeId: string;


const TOOLS = {
  aws: "aws-cli/2.22.35 Python/3.12.6 Linux/6.1 exe/x86_64",
  "session-manager-plugin": "1.2.707.0",
  terraform: '{"terraform_version":"1.11.4","platform":"linux_amd64"}',
};
const withPath = (bin: string) => (process.env.PATH = `${bin}:/usr/bin:/bin`);

beforeAll(async () => {
  world = await startOpsWorld();
  ({ moto, ssmFront, instanceId } = world);
  const ec2 = new EC2Client({ region: REGION });
  volumeId = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${REGION}a`, Size: 50 }))).VolumeId!;
  await ec2.send(
    new CreateSnapshotCommand({ VolumeId: volumeId, TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: "snapshot-of", Value: "example-prod-data" }] }] }),
  );
  const ssm = new SSMClient({ region: REGION, endpoint: moto.endpoint });
  await ssm.send(new PutParameterCommand({ Name: "/example-prod/dify/data-volume-id", Value: volumeId, Type: "String" }));
  await ssm.send(
    new PutParameterCommand({ Name: "/example-prod/dify/release", Value: JSON.stringify({ version: "1.16.1", commit: DIFY_RELEASES["1.16.1"]!.commit }), Type: "String" }),
  );
}, 60_000);

afterAll(async () => {
  await world?.stop();
});

beforeEach(() => {
  ssmFront.pingStatus = { [instanceId]: "Online" };
  ssmFront.commandOutput = {};
  withPath(stubPrograms(TOOLS));
});

describe("doctor", () => {
  test("one row per check, all passing for the right account, tools and region", async () => {
    const result = await cli("doctor", "--config", motoConfigFile());
    expect(result.out).toMatch(/^PASS {2}AWS CLI >= 2\.17 +aws-cli\/2\.22\.35/m);
    expect(result.out).toMatch(/^PASS {2}Session Manager plugin +1\.2\.707\.0/m);
    expect(result.out).toMatch(/^PASS {2}Terraform >= 1\.11 +1\.11\.4/m);
    expect(result.out).toMatch(/^PASS {2}AWS credentials +arn:aws:(iam|sts)::123456789012:/m);
    expect(result.out).toMatch(/^PASS {2}target account +123456789012/m);
    expect(result.out).toMatch(/^PASS {2}region +ap-northeast-1/m);
    expect(result.code).toBe(EXIT.ok);
  });

  test("old AWS CLI, missing plugin and Terraform fail with their fixes, exit 1", async () => {
    withPath(stubPrograms({ aws: "aws-cli/2.15.0 Python/3.11" }));
    const result = await cli("doctor", "--config", motoConfigFile(), "--json");
    const checks = Object.fromEntries(JSON.parse(result.out).checks.map((c: any) => [c.check, c]));
    expect(checks["AWS CLI >= 2.17"]).toMatchObject({ ok: false, detail: "aws-cli/2.15.0" });
    expect(checks["Session Manager plugin"]).toMatchObject({ ok: false, fix: expect.stringContaining("session-manager-working-with-install-plugin") });
    expect(checks["Terraform >= 1.11"]).toMatchObject({ ok: false, detail: "not found" });
    expect(result.code).toBe(EXIT.failed);
  });

  test("credentials of a dev account are refused", async () => {
    const file = motoConfigFile((d) => {
      d.aws.accountId = "111111111111";
      d.aws.devAccountIds = [MOTO_ACCOUNT];
    });
    const result = await cli("doctor", "--config", file);
    expect(result.out).toMatch(/^FAIL {2}target account +123456789012 is a dev account/m);
    expect(result.code).toBe(EXIT.failed);
  });

  test("credentials of another account are refused", async () => {
    const result = await cli("doctor", "--config", motoConfigFile((d) => (d.aws.accountId = "111111111111")));
    expect(result.out).toMatch(/^FAIL {2}target account +123456789012, not 111111111111/m);
  });

  test("a CLI default region other than the config's fails", async () => {
    process.env.AWS_REGION = "us-west-2";
    const result = await cli("doctor", "--config", motoConfigFile());
    process.env.AWS_REGION = REGION;
    expect(result.out).toMatch(/^FAIL {2}region +the AWS CLI defaults to us-west-2, the config says ap-northeast-1/m);
  });

  test("no config named: a message with the fix, exit 2", async () => {
    delete process.env.CUSTOMER_CONFIG;
    const result = await cli("doctor");
    expect(result.code).toBe(EXIT.usage);
    expect(result.err).toBe("error: no customer config named\n  fix: pass --config customers/<customer>-<env>.yaml or set CUSTOMER_CONFIG\n");
  });
});

describe("tunnel", () => {
  test("admin: port 80 to localhost:8443 on the Dify instance, with the console URL and how to stop", async () => {
    const result = await cli("tunnel", "admin", "--config", motoConfigFile(), "--print");
    expect(result.code).toBe(EXIT.ok);
    expect(result.out).toContain(
      `aws ssm start-session --region ap-northeast-1 --target ${instanceId} --document-name AWS-StartPortForwardingSession --parameters '{"portNumber":["80"],"localPortNumber":["8443"]}'`,
    );
    expect(result.out).toContain("http://localhost:8443/install");
    expect(result.out).toContain("Ctrl-C");
  });

  test("ssh: port 22 to localhost:2222, overridable, with the key to send first", async () => {
    const result = await cli("tunnel", "ssh", "--config", motoConfigFile(), "--local-port", "2022", "--json");
    const plan = JSON.parse(result.out);
    expect(plan.command).toEqual([
      "aws", "ssm", "start-session", "--region", "ap-northeast-1", "--target", instanceId,
      "--document-name", "AWS-StartPortForwardingSession", "--parameters", '{"portNumber":["22"],"localPortNumber":["2022"]}',
    ]);
    expect(plan.instructions.join("\n")).toContain("ssh -p 2022 ec2-user@localhost");
  });

  test("starting without the Session Manager plugin says what to install, before asking AWS", async () => {
    withPath(stubPrograms({ aws: TOOLS.aws }));
    const result = await cli("tunnel", "admin", "--config", motoConfigFile((d) => (d.customer = "other")));
    expect(result.code).toBe(EXIT.usage);
    expect(result.err).toBe(
      "error: the Session Manager plugin is not installed: aws ssm start-session needs it\n  fix: install it: https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html\n",
    );
  });

  test("printing needs no plugin", async () => {
    withPath(stubPrograms({ aws: TOOLS.aws }));
    const result = await cli("tunnel", "admin", "--config", motoConfigFile(), "--print");
    expect(result.code).toBe(EXIT.ok);
    expect(result.out).toContain(`--target ${instanceId} `);
  });

  test("an instance not online in Systems Manager is explained", async () => {
    ssmFront.pingStatus = { [instanceId]: "ConnectionLost" };
    const result = await cli("tunnel", "admin", "--config", motoConfigFile(), "--print");
    expect(result.code).toBe(EXIT.usage);
    expect(result.err).toContain(`instance ${instanceId} is ConnectionLost in Systems Manager`);
    expect(result.err).toContain("AmazonSSMManagedInstanceCore");
  });

  test("no instance: says which tag it looked for", async () => {
    const result = await cli("tunnel", "admin", "--config", motoConfigFile((d) => (d.customer = "other")), "--print");
    expect(result.err).toContain("no running instance tagged Name=other-prod-dify in ap-northeast-1");
  });
});

describe("upgrade", () => {
  const to = "1.16.1";
  const status = (running: string) => ({ status: "Success", stdout: `running=${running}\ndesired=${to}\nhealth=ok\n` });
  const snapshotCount = async () =>
    (await new EC2Client({ region: REGION }).send(new DescribeSnapshotsCommand({ Filters: [{ Name: "volume-id", Values: [volumeId] }] }))).Snapshots!.length;

  test("--dry-run prints the plan and changes nothing", async () => {
    ssmFront.commandOutput = { "/usr/local/sbin/difyctl status": status("1.16.0") };
    const before = await snapshotCount();
    const result = await cli("upgrade", "--to", to, "--config", motoConfigFile(), "--dry-run");
    expect(result.code).toBe(EXIT.ok);
    expect(result.out).toContain(`Upgrade Dify 1.16.0 -> 1.16.1 on ${instanceId}:`);
    expect(result.out).toContain(`snapshot data volume ${volumeId}`);
    expect(result.out).toContain(`difyctl upgrade 1.16.1 ${DIFY_RELEASES[to]!.commit}`);
    expect(result.out).toContain("check out 1.16.0 again");
    expect(await snapshotCount()).toBe(before);
    expect(ssmFront.sent.filter((c) => c.includes("upgrade"))).toEqual([]);
  });

  test("snapshots the data volume, then upgrades through Run Command", async () => {
    ssmFront.commandOutput = {
      "/usr/local/sbin/difyctl status": status("1.16.0"),
      "/usr/local/sbin/difyctl upgrade": { status: "Success", stdout: "result=upgraded version=1.16.1 previous=1.16.0\n" },
    };
    const before = await snapshotCount();
    const result = await cli("upgrade", "--to", to, "--config", motoConfigFile(), "--json");
    const outcome = JSON.parse(result.out);
    expect(outcome).toMatchObject({ result: "upgraded", snapshotId: expect.stringMatching(/^snap-/) });
    expect(result.code).toBe(EXIT.ok);
    expect(await snapshotCount()).toBe(before + 1);
    expect(ssmFront.sent.at(-1)).toBe(`/usr/local/sbin/difyctl upgrade 1.16.1 ${DIFY_RELEASES[to]!.commit}`);
  });

  test("a failed upgrade the host rolled back is reported as such, exit 1", async () => {
    ssmFront.commandOutput = {
      "/usr/local/sbin/difyctl status": status("1.16.0"),
      "/usr/local/sbin/difyctl upgrade": { status: "Failed", stdout: "result=rolled-back version=1.16.0 failed=1.16.1\n", stderr: "FAILED: upgrade to 1.16.1 failed" },
    };
    const result = await cli("upgrade", "--to", to, "--config", motoConfigFile());
    expect(result.code).toBe(EXIT.failed);
    expect(result.out).toMatch(/^rolled-back: the upgrade failed; Dify 1\.16\.0 is running again\..*\(snapshot snap-/);
  });

  test("a failed rollback points at the snapshot", async () => {
    ssmFront.commandOutput = {
      "/usr/local/sbin/difyctl status": status("1.16.0"),
      "/usr/local/sbin/difyctl upgrade": { status: "Failed", stdout: "result=broken version=1.16.0 failed=1.16.1\n" },
    };
    const result = await cli("upgrade", "--to", to, "--config", motoConfigFile());
    expect(result.code).toBe(EXIT.failed);
    expect(result.out).toMatch(/^broken: .*restore snapshot snap-/);
  });

  test("nothing to do when the host already runs it", async () => {
    ssmFront.commandOutput = { "/usr/local/sbin/difyctl status": status("1.16.1") };
    const result = await cli("upgrade", "--to", to, "--config", motoConfigFile());
    expect(result).toMatchObject({ code: EXIT.ok, out: "unchanged: Dify 1.16.1 is already running\n" });
  });

  test("refuses a target the config does not name: config and host cannot drift apart", async () => {
    const result = await cli("upgrade", "--to", "1.16.0", "--config", motoConfigFile());
    expect(result.code).toBe(EXIT.usage);
    expect(result.err).toContain("says dify.version 1.16.1, not 1.16.0");
    expect(result.err).toContain('set dify.version: "1.16.0" there and apply the dify stack first');
  });

  test("refuses until the dify stack is applied with the new version", async () => {
    const result = await cli("upgrade", "--to", "1.16.0", "--config", motoConfigFile((d) => (d.dify = { version: "1.16.0" })));
    expect(result.code).toBe(EXIT.usage);
    expect(result.err).toContain("the dify stack still publishes 1.16.1");
  });

  test("an environment whose dify stack is not deployed is named, not an internal error", async () => {
    const result = await cli("upgrade", "--to", to, "--config", motoConfigFile((d) => (d.customer = "other")), "--dry-run");
    expect(result.code).toBe(EXIT.usage);
    expect(result.err).toBe(
      "error: /other-prod/dify/release is not in Parameter Store (ap-northeast-1)\n  fix: deploy the dify stack first (cdktf deploy dify), and check that --config names this account's environment\n",
    );
  });

  test("refuses an unverified release", async () => {
    const result = await cli("upgrade", "--to", "9.9.9", "--config", motoConfigFile());
    expect(result.err).toContain("9.9.9 is not a verified Dify release");
  });
});

describe("destroy", () => {
  test("the stacks in reverse order; snapshots and state kept unless asked", async () => {
    const result = await cli("destroy", "--config", motoConfigFile(), "--json");
    const guide = JSON.parse(result.out);
    const order = guide.steps.map((s: string) => /destroy (\w+)/.exec(s)?.[1]).filter(Boolean);
    expect(order).toEqual(["amplify", "edge", "dify", "network"]);
    expect(guide.steps.join("\n")).toContain("dify.dataVolume.preventDestroy: false");
    expect(guide.steps.join("\n")).not.toContain("delete-snapshot");
    expect(guide.snapshots).toHaveLength(1);
    expect(guide.kept.join("\n")).toContain("pass --delete-snapshots");
    expect(guide.kept.join("\n")).toContain("pass --include-state");
  });

  test("snapshots and state only when asked explicitly", async () => {
    const result = await cli("destroy", "--config", motoConfigFile(), "--delete-snapshots", "--include-state");
    expect(result.out).toMatch(/aws ec2 delete-snapshot --region ap-northeast-1 --snapshot-id snap-/);
    expect(result.out).toContain("state bucket example-prod-tfstate-123456789012");
  });
});
