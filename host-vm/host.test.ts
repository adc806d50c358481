import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { DIFY_SECRET_ENV, DIFY_SECRET_FIELDS } from "../config/dify-env-keys";
import { exampleConfig, REPO_ROOT } from "../__tests__/support/config";
import { resourcesOf, synthJson, type StackJson } from "../__tests__/support/synth";
import { awsCli, freePort, startMoto, type MotoServer } from "../__tests__/support/tools";
import { DEFAULT_PROFILE_IMAGE_COUNT, fakeDifyRelease } from "./support/dify-release";
import { newVolumeFile, writeSeed } from "./support/seed";
import { boot, newRootDisk, type BootResult, type DataVolume, type GuestReport } from "./support/vm";
import { FAKE_COMPOSE_SHA256, FakeGitHub, FakeInternet } from "./support/world";

// The Dify host booted the way EC2 boots it: a real kernel, systemd and cloud-init consume the
// exact user data the dify stack synthesizes, over one data volume, through the scenarios of
// first boot, reboot, replacement, late dependencies and a failing disk read. Fakes stand only
// at the outer boundaries (host-vm/guest/README.md); each scenario asserts on what the guest
// really did, as its probe reported it.

const PARAM_PATH = "/example-prod/dify";
const SECRET_NAME = "example-prod/dify";
/** Guest ports on 10.0.2.100: HTTP (package mirror, GitHub downloads), git, AWS (moto). */
const GUEST_PORTS = { http: 80, git: 9418, aws: 4566 } as const;
/** What `terraform apply` would resolve the cross-resource references in the parameters to. */
const APPLY_TIME_VALUES: readonly [RegExp, string][] = [
  [/\$\{aws_cloudfront_distribution\.[^.}]+\.domain_name\}/g, "d111111abcdef8.cloudfront.net"],
  [/\$\{aws_amplify_app\.[^.}]+\.default_domain\}/g, "d2example.amplifyapp.com"],
];
const CORS_ORIGINS = "https://d111111abcdef8.cloudfront.net,https://main.d2example.amplifyapp.com";
const NEWER_RELEASE = "1.99.0";

const stacks = synthJson();
/** The example without Docker Hub credentials: the host pulls anonymously. */
const anonymousStacks = synthJson(exampleConfig((d) => delete d.dify.dockerHubSecretName));
const DOCKER_HUB_SECRET = { username: "vmtest-operator", token: "dckr_pat_vmtest-not-a-real-token" };
const work = mkdtempSync(join(tmpdir(), "host-vm-"));
let image: { dir: string };
let moto: MotoServer;
let internet: FakeInternet;
let github: FakeGitHub;
const secretValues = Object.fromEntries(
  Object.keys(DIFY_SECRET_FIELDS).map((field, i) => [field, `vmtest${i}${field.replace(/_/g, "").toLowerCase()}`]),
);
const results: Record<string, BootResult> = {};

const aws = (...args: string[]): string => awsCli(moto, ...args);

function putParameter(name: string, value: string): void {
  aws("ssm", "put-parameter", "--overwrite", "--type", "String", "--name", name, "--value", value);
}

/**
 * The launch template's user data as EC2 serves it (base64-decoded: the gzipped cloud-config),
 * with exactly two values of host.env changed, because the guest cannot reach GitHub's release
 * downloads: where Docker Compose is downloaded from, and the checksum of what is served there
 * (the fake plugin). Every other byte is the synthesized one.
 */
function userData(synthesized: Record<string, StackJson>): Buffer {
  const [template] = resourcesOf(synthesized.dify!, "aws_launch_template");
  const text = gunzipSync(Buffer.from(template.user_data, "base64")).toString("utf8");
  const changed = text
    .replace(/^(\s*)COMPOSE_DOWNLOAD_URL=.*$/m, `$1COMPOSE_DOWNLOAD_URL=http://10.0.2.100/compose`)
    .replace(/^(\s*)COMPOSE_SHA256_X86_64=.*$/m, `$1COMPOSE_SHA256_X86_64=${FAKE_COMPOSE_SHA256}`);
  expect(changed.split("\n").filter((line, i) => line !== text.split("\n")[i])).toHaveLength(2);
  return gzipSync(changed);
}

/** Parameter Store and Secrets Manager as the stacks leave them after apply. */
function seedAws(volume: DataVolume): void {
  for (const stack of Object.values(stacks)) {
    for (const parameter of resourcesOf(stack, "aws_ssm_parameter").filter((p) => p.name.startsWith(`${PARAM_PATH}/`))) {
      let value: string = parameter.name === `${PARAM_PATH}/data-volume-id` ? volume.volumeId : parameter.value;
      for (const [reference, resolved] of APPLY_TIME_VALUES) value = value.replace(reference, resolved);
      if (parameter.name === `${PARAM_PATH}/release`) {
        const release = JSON.parse(value);
        // The fake GitHub's tag commit stands in for the verified commit of the real tag.
        value = JSON.stringify({ ...release, commit: github.commits[release.version] });
      }
      expect(value).not.toContain("${");
      putParameter(parameter.name, value);
    }
  }
  aws("secretsmanager", "create-secret", "--name", SECRET_NAME, "--secret-string", JSON.stringify(secretValues));
  aws("secretsmanager", "create-secret", "--name", "dify/docker-hub", "--secret-string", JSON.stringify(DOCKER_HUB_SECRET));
}

function setRelease(tag: string): void {
  putParameter(`${PARAM_PATH}/release`, JSON.stringify({ version: tag, commit: github.commits[tag] }));
}

function newVolume(name: string, volumeId: string): DataVolume {
  return { path: newVolumeFile(work, name), volumeId };
}

interface InstanceRun {
  readonly instanceId: string;
  /** Keep this instance's root disk (a reboot) instead of a fresh one (a new instance). */
  readonly reuseRootDisk?: boolean;
  readonly volume: DataVolume;
  readonly attachAfterMs?: number;
  readonly kernelArgs?: Record<string, string>;
  readonly deadlineSeconds?: number;
  /** @default the example config's stacks (with Docker Hub credentials) */
  readonly synthesized?: Record<string, StackJson>;
}

async function runInstance(run: InstanceRun): Promise<BootResult> {
  const dir = join(work, run.instanceId);
  if (!run.reuseRootDisk) {
    mkdirSync(dir);
    newRootDisk(image, dir);
    writeSeed(join(dir, "seed.img"), userData(run.synthesized ?? stacks), run.instanceId);
  }
  putParameter(`${PARAM_PATH}/data-volume-id`, run.volume.volumeId);
  return boot({
    image,
    instanceDir: dir,
    seed: join(dir, "seed.img"),
    dataVolume: run.volume,
    attachAfterMs: run.attachAfterMs,
    forwards: { [GUEST_PORTS.http]: internet.port, [GUEST_PORTS.git]: github.port, [GUEST_PORTS.aws]: Number(new URL(moto.endpoint).port) },
    kernelArgs: run.kernelArgs,
    deadlineSeconds: run.deadlineSeconds ?? 600,
  });
}

function say(scenario: string, result: BootResult, detail: string): void {
  const healthy = result.report.healthy_at === null ? "NOT healthy" : `healthy at ${result.report.healthy_at.toFixed(0)} s uptime`;
  process.stderr.write(`host VM | ${scenario.padEnd(34)} | ${healthy}, ${result.wallSeconds.toFixed(0)} s wall | ${detail}\n`);
}

/** Healthy with nothing done by hand: the one unit active, Dify answering, Docker on the volume. */
function expectHealthy(report: GuestReport): void {
  const diagnosis = [...(report.difyctl_log ?? []).slice(-25), ...report.journal.slice(-25)].join("\n");
  expect({ healthy: report.healthy_at !== null, diagnosis }).toEqual({ healthy: true, diagnosis });
  expect(report.units["dify.service"]).toMatchObject({ ActiveState: "active", Result: "success", UnitFileState: "enabled" });
  expect(report.units["docker.service"]).toMatchObject({ LoadState: "loaded", ActiveState: "active" });
  expect(report.mount).toMatchObject({ fstype: "xfs" });
  // Docker keeps its images on the data volume, and never started before it was mounted.
  expect(report.dockerd.length).toBeGreaterThan(0);
  for (const start of report.dockerd) expect(start).toEqual({ t: expect.any(Number), data_root: "/var/lib/dify/docker", filesystem: "/var/lib/dify" });
  // Nothing was written onto the root disk beneath the mount point.
  expect(report.under_mount_point_on_root_disk).toEqual([]);
  expect(report.compose.filter((c) => c.command === "up").at(-1)).toMatchObject({
    project: "dify",
    profiles: ["collaboration", "postgresql", "weaviate"],
  });
}

function secretEnv(report: GuestReport): Record<string, string> {
  return Object.fromEntries(Object.keys(DIFY_SECRET_ENV).map((key) => [key, report.env!.values[key]!]));
}

const formattings = (report: GuestReport) => (report.difyctl_log ?? []).filter((line) => line.includes("formatting")).length;

beforeAll(async () => {
  // The script prints the image directory as its last line.
  const built = execFileSync(join(REPO_ROOT, "host-vm", "build-image.sh"), { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  image = { dir: built.trim().split("\n").at(-1)! };
  moto = await startMoto();
  internet = await FakeInternet.start();
  github = new FakeGitHub(join(work, "github"), await freePort());
  github.publish([fakeDifyRelease("1.16.1"), fakeDifyRelease(NEWER_RELEASE)]);
  github.up();
}, 30 * 60 * 1000);

afterAll(async () => {
  await github?.down();
  await internet?.stop();
  await moto?.stop();
  // Disks and logs of the instances; HOST_VM_KEEP=1 keeps them to look at a failure.
  if (!process.env.HOST_VM_KEEP) rmSync(work, { recursive: true, force: true });
});

const volumeA = () => ({ path: join(work, "volume-a.img"), volumeId: "vol-0a1b2c3d4e5f6a7b8" });
const MINUTES = 60 * 1000;

describe("the Dify host, booted from its synthesized user data in a VM", () => {
  test("1. first boot on an empty data volume: healthy with no manual step", async () => {
    const volume = newVolume("volume-a", volumeA().volumeId);
    seedAws(volume);
    const result = (results.first = await runInstance({ instanceId: "i-0vmtest000000001", volume, kernelArgs: { "vmtest.marker": "written-on-first-boot" } }));
    const { report } = result;
    expectHealthy(report);
    expect(formattings(report)).toBe(1);
    expect(report.fstab?.some((line) => line.includes("/var/lib/dify"))).toBe(false);
    expect(report.release).toBe("1.16.1");
    expect(report.env?.mode).toBe("0o600");
    expect(secretEnv(report)).toEqual(Object.fromEntries(Object.entries(DIFY_SECRET_ENV).map(([key, field]) => [key, secretValues[field]])));
    expect(report.env?.values).toMatchObject({
      CELERY_BROKER_URL: `redis://:${secretValues.REDIS_PASSWORD}@redis:6379/1`,
      WEB_API_CORS_ALLOW_ORIGINS: CORS_ORIGINS,
      CONSOLE_CORS_ALLOW_ORIGINS: CORS_ORIGINS,
      CONSOLE_API_URL: "https://d111111abcdef8.cloudfront.net",
      NGINX_CLIENT_MAX_BODY_SIZE: "100M",
      VECTOR_STORE: "weaviate",
    });
    // Docker was installed on demand: nothing of it existed when cloud-init started the unit.
    expect(report.dnf).toEqual([expect.stringMatching(/installed docker git jq amazon-cloudwatch-agent$/)]);
    expect(report.cloudwatch_agent).toEqual([expect.stringContaining("-a fetch-config -m ec2 -s -c file:/etc/dify/cloudwatch-agent.json")]);
    // Logged in to Docker Hub with the configured secret before the first pull.
    const login = report.docker_calls.find((call) => call.kind === "login");
    expect(login).toMatchObject({ registry: "docker.io", username: DOCKER_HUB_SECRET.username, password_length: DOCKER_HUB_SECRET.token.length });
    expect(report.pulls.every((pull) => pull.authenticated && pull.t > login.t)).toBe(true);
    say("1 first boot, empty volume", result, `formatted once, ${report.pulls.length} image pulls`);
  }, 20 * MINUTES);

  test("2. reboot: healthy again, nothing reformatted, the marker still there", async () => {
    const before = results.first!.report;
    const result = await runInstance({ instanceId: "i-0vmtest000000001", reuseRootDisk: true, volume: volumeA() });
    const { report } = result;
    expectHealthy(report);
    expect(report.mount.uuid).toBe(before.mount.uuid);
    expect(report.marker).toBe("written-on-first-boot");
    expect(formattings(report)).toBe(1); // the first boot's line, in the same root disk's log
    expect(report.pulls).toEqual(before.pulls);
    say("2 reboot", result, "same filesystem, marker kept, no new pulls");
  }, 20 * MINUTES);

  test("3. replacement instance: fresh root disk, same volume, data, secrets and release kept", async () => {
    const before = results.first!.report;
    // The config has moved on meanwhile: a replacement keeps what the volume holds (upgrades are
    // `difyctl upgrade`'s job, with a snapshot first).
    setRelease(NEWER_RELEASE);
    const result = (results.replacement = await runInstance({ instanceId: "i-0vmtest000000002", volume: volumeA() }));
    setRelease("1.16.1");
    const { report } = result;
    expectHealthy(report);
    expect(report.mount.uuid).toBe(before.mount.uuid);
    expect(formattings(report)).toBe(0);
    expect(report.marker).toBe("written-on-first-boot");
    expect(report.release).toBe("1.16.1");
    expect(secretEnv(report)).toEqual(secretEnv(before));
    expect(report.dnf).toEqual([expect.stringMatching(/installed docker git jq amazon-cloudwatch-agent$/)]);
    say("3 replacement instance", result, `release ${report.release} kept, ${report.pulls.length} image pulls`);
  }, 20 * MINUTES);

  test("4. package mirror, volume attachment and GitHub late for minutes: converges by itself", async () => {
    const volume = newVolume("volume-b", "vol-0b1b2c3d4e5f6a7b8");
    internet.mirrorUp = false;
    await github.down();
    const timers = [
      setTimeout(() => (internet.mirrorUp = true), 2.5 * MINUTES),
      setTimeout(() => github.up(), 4.5 * MINUTES),
    ];
    const result = await runInstance({
      instanceId: "i-0vmtest000000003",
      volume,
      attachAfterMs: 3.5 * MINUTES,
      deadlineSeconds: 900,
      synthesized: anonymousStacks,
    });
    timers.forEach(clearTimeout);
    internet.mirrorUp = true;
    github.up();
    const { report } = result;
    expectHealthy(report);
    const log = report.difyctl_log ?? [];
    const mirrorDown = report.dnf?.filter((line) => line.includes("mirror down")) ?? [];
    expect(mirrorDown.length).toBeGreaterThanOrEqual(2);
    // Every failed attempt says why in difyctl.log (the log CloudWatch receives).
    expect(log.filter((line) => /FAILED: .*dnf install/.test(line))).toHaveLength(mirrorDown.length);
    expect(log.some((line) => line.includes("waiting for data volume vol-0b1b2c3d4e5f6a7b8"))).toBe(true);
    expect(log.filter((line) => /FAILED: .*git .*clone/.test(line)).length).toBeGreaterThanOrEqual(1);
    expect(Number(report.units["dify.service"]!.NRestarts)).toBeGreaterThanOrEqual(3);
    expect(report.release).toBe("1.16.1");
    // No credentials configured: no login, anonymous pulls.
    expect(report.docker_calls.filter((call) => call.kind === "login")).toEqual([]);
    expect(report.pulls.map((pull) => pull.authenticated)).toEqual(Array(DEFAULT_PROFILE_IMAGE_COUNT).fill(false));
    say("4 late mirror, volume, GitHub", result, `${report.units["dify.service"]!.NRestarts} automatic restarts of dify.service`);
  }, 25 * MINUTES);

  test("5. a volume with data whose first blkid fails: never formatted", async () => {
    const before = results.first!.report;
    const result = await runInstance({ instanceId: "i-0vmtest000000004", volume: volumeA(), kernelArgs: { "vmtest.blkid_fails": "1" } });
    const { report } = result;
    expect(report.blkid_faults).toHaveLength(1);
    expectHealthy(report);
    expect(formattings(report)).toBe(0);
    expect(report.mount.uuid).toBe(before.mount.uuid);
    expect(report.marker).toBe("written-on-first-boot");
    say("5 first blkid fails", result, "not formatted, marker kept");
  }, 20 * MINUTES);

  test("6. image pulls: each image once on a first boot, none on a replacement", () => {
    const first = results.first!.report.pulls;
    expect(first).toHaveLength(DEFAULT_PROFILE_IMAGE_COUNT);
    expect(new Set(first.map((pull) => pull.image)).size).toBe(DEFAULT_PROFILE_IMAGE_COUNT);
    expect(first.every((pull) => pull.registry === "docker.io")).toBe(true);
    // Images live on the data volume with Docker's data root, so a new instance pulls nothing.
    expect(results.replacement!.report.pulls).toEqual([]);
    process.stderr.write(`host VM | 6 image pulls                      | first boot ${first.length} distinct (all Docker Hub), replacement 0\n`);
  });
});
