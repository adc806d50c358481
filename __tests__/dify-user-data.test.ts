import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parse } from "yaml";
import { DIFY_HOST_COMPOSED_KEYS, DIFY_PUBLIC_URL_KEYS, DIFY_SECRET_ENV } from "../config/dify-env-keys";
import { DIFY_HEALTH_PATH } from "../config/dify-paths";
import { DIFY_RELEASES } from "../config/dify-releases";
import { DATA_DIR, hostUserData } from "../modules/dify-host/user-data";
import { REPO_ROOT } from "./support/config";
import { resourcesOf, synthJson } from "./support/synth";
import { tool } from "./support/tools";

const dify = synthJson().dify!;
const [template] = resourcesOf(dify, "aws_launch_template");
const delivered = Buffer.from(template.user_data, "base64");
const userData = gunzipSync(delivered).toString("utf8");
const cloudConfig = parse(userData);
const file = (path: string): string => cloudConfig.write_files.find((f: any) => f.path === path)!.content;
const dir = mkdtempSync(join(tmpdir(), "user-data-"));

describe("Dify host user data", () => {
  test("what Terraform renders is exactly what the instance receives", () => {
    // Terraform reads ${...} and %{...} in every JSON string as template syntax. The user data is
    // base64 of the gzipped cloud-config, computed at synth time: its alphabet has no $, % or {,
    // so the string Terraform renders is the string in the JSON, byte for byte.
    expect(template.user_data).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(userData).toBe(
      hostUserData({
        region: "ap-northeast-1",
        parameterPath: "/example-prod/dify",
        secretName: "example-prod/dify",
        containerLogGroup: "/example-prod/dify/containers",
        hostLogGroup: "/example-prod/dify/host",
        dockerHubSecretName: "dify/docker-hub",
      }),
    );
    // The CloudWatch agent's own placeholder survives as written.
    expect(file("/etc/dify/cloudwatch-agent.json")).toContain('"InstanceId":"${aws:InstanceId}"');
  });

  // EC2 limits the user data it stores (the gzip) to 16 KB; cloud-init unpacks it on the host.
  test("stays at half EC2's 16 KB limit as delivered (gzipped)", () => {
    expect(delivered.length).toBeLessThan(8 * 1024);
  });

  test("the gzip carries no timestamp, so every synth produces the same JSON", () => {
    expect(delivered.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(delivered.readUInt32LE(4)).toBe(0);
  });

  test("passes cloud-init's own schema validation", () => {
    const path = join(dir, "user-data.yaml");
    writeFileSync(path, userData);
    const run = spawnSync("cloud-init", ["schema", "--config-file", path], { encoding: "utf8" });
    expect(run.error).toBeUndefined();
    expect(`${run.stdout}${run.stderr}`).toContain("Valid cloud-config");
    expect(run.status).toBe(0);
  });

  test("cloud-init's schema check does fail on a broken config (the check above can fail)", () => {
    const path = join(dir, "broken.yaml");
    writeFileSync(path, "#cloud-config\nwrite_files:\n  - path: 42\n    permissions: true\n");
    expect(spawnSync("cloud-init", ["schema", "--config-file", path]).status).not.toBe(0);
  });

  test("every shell script in it passes shellcheck", () => {
    const scripts = cloudConfig.write_files.filter((f: any) => f.content.startsWith("#!/bin/bash"));
    expect(scripts.map((f: any) => f.path)).toEqual(["/usr/local/sbin/difyctl"]);
    for (const script of scripts) {
      const path = join(dir, "script.sh");
      writeFileSync(path, script.content);
      execFileSync(tool("shellcheck"), ["--severity=style", path]);
    }
  });

  test("shellcheck reports a broken script (the check above can fail)", () => {
    const path = join(dir, "bad.sh");
    writeFileSync(path, "#!/bin/bash\nrm -rf $1/*\n");
    expect(spawnSync(tool("shellcheck"), [path]).status).not.toBe(0);
  });

  test("writes the host files, then enables and starts the units", () => {
    expect(cloudConfig.write_files.map((f: any) => [f.path, f.permissions, f.owner])).toEqual([
      ["/etc/dify/host.env", "0644", "root:root"],
      ["/etc/dify/secret-env", "0644", "root:root"],
      ["/etc/dify/cloudwatch-agent.json", "0644", "root:root"],
      ["/etc/docker/daemon.json", "0644", "root:root"],
      ["/etc/systemd/system/docker.service.d/dify-data-volume.conf", "0644", "root:root"],
      ["/usr/local/sbin/difyctl", "0755", "root:root"],
      ["/etc/systemd/system/dify.service", "0644", "root:root"],
    ]);
    expect(cloudConfig.runcmd).toEqual([
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "dify.service"],
      ["systemctl", "start", "--no-block", "dify.service"],
    ]);
  });

  test("host.env: names and the pinned, checksummed Compose plugin (>= 2.24, which Dify requires)", () => {
    const env = Object.fromEntries(file("/etc/dify/host.env").trim().split("\n").map((l) => l.split("=")));
    expect(env).toEqual({
      REGION: "ap-northeast-1",
      DATA_DIR: "/var/lib/dify",
      PARAM_PATH: "/example-prod/dify",
      SECRET_ID: "example-prod/dify",
      DOCKER_HUB_SECRET_ID: "dify/docker-hub",
      COMPOSE_DOWNLOAD_URL: "https://github.com/docker/compose/releases/download",
      COMPOSE_VERSION: "2.40.3",
      COMPOSE_SHA256_X86_64: expect.stringMatching(/^[0-9a-f]{64}$/),
      COMPOSE_SHA256_AARCH64: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const [major, minor] = env.COMPOSE_VERSION.split(".").map(Number);
    expect(major! > 2 || (major === 2 && minor! >= 24)).toBe(true);
  });

  test("difyctl's health check is the ALB's: Dify's ping through nginx, answering pong", () => {
    expect(file("/usr/local/sbin/difyctl")).toContain(`curl -fsS --max-time 5 http://127.0.0.1${DIFY_HEALTH_PATH} | grep -q '"result": *"pong"'`);
  });

  // How these units behave under real systemd is proven by `npm run test:host` (host-vm/);
  // this checks the wiring between the files.
  test("one unit converges the host and runs Dify; Docker waits for the data volume it lives on", () => {
    const unit = file("/etc/systemd/system/dify.service");
    expect(unit.match(/^Exec\w+=.*$/gm)).toEqual([
      "ExecStartPre=/usr/local/sbin/difyctl bootstrap",
      "ExecStartPre=/usr/local/sbin/difyctl render-env",
      "ExecStart=/usr/local/sbin/difyctl up",
      "ExecStop=/usr/local/sbin/difyctl down",
      "ExecReload=/usr/local/sbin/difyctl reload",
    ]);
    expect(unit).not.toMatch(/^(Requires|BindsTo|Requisite)=/m);
    expect(JSON.parse(file("/etc/docker/daemon.json"))["data-root"]).toBe(`${DATA_DIR}/docker`);
    expect(file("/etc/systemd/system/docker.service.d/dify-data-volume.conf")).toContain(`ExecStartPre=/usr/bin/mountpoint -q ${DATA_DIR}\n`);
  });

  test("containers log to CloudWatch through Docker's awslogs driver, without blocking", () => {
    expect(JSON.parse(file("/etc/docker/daemon.json"))).toEqual({
      "data-root": "/var/lib/dify/docker",
      "log-driver": "awslogs",
      "log-opts": {
        "awslogs-region": "ap-northeast-1",
        "awslogs-group": "/example-prod/dify/containers",
        tag: "{{.Name}}",
        mode: "non-blocking",
        "max-buffer-size": "4m",
      },
    });
    const groups = resourcesOf(dify, "aws_cloudwatch_log_group").map((g) => [g.name, g.retention_in_days]);
    expect(groups).toEqual(expect.arrayContaining([["/example-prod/dify/containers", 365], ["/example-prod/dify/host", 365]]));
  });

  test("the CloudWatch agent ships the host's logs and the memory and disk metrics the alarms watch", () => {
    const agent = JSON.parse(file("/etc/dify/cloudwatch-agent.json"));
    expect(agent.logs.logs_collected.files.collect_list.map((f: any) => [f.file_path, f.log_group_name])).toEqual([
      ["/var/log/cloud-init-output.log", "/example-prod/dify/host"],
      ["/var/log/dify/difyctl.log", "/example-prod/dify/host"],
    ]);
    expect(agent.metrics.metrics_collected.mem.measurement).toEqual(["mem_used_percent"]);
    expect(agent.metrics.metrics_collected.disk.resources).toEqual(["/", DATA_DIR]);
  });
});

describe("the Dify keys this project writes", () => {
  const release = DIFY_RELEASES["1.16.1"]!;
  const difyctl = readFileSync(join(REPO_ROOT, "modules", "dify-host", "difyctl.sh"), "utf8");

  test("the key list is the pinned release's, with its source recorded", () => {
    const list = readFileSync(join(REPO_ROOT, "config", "dify-keys", "1.16.1.txt"), "utf8");
    expect(list).toContain(`at tag 1.16.1 (commit ${release.commit})`);
    expect(release.envKeys.size).toBeGreaterThan(700);
  });

  test("secrets, composed keys, public URLs and every parameter the stacks write are real keys of the release", () => {
    const parameterKeys = resourcesOf(dify, "aws_ssm_parameter")
      .map((p) => /\/env\/([A-Z0-9_]+)$/.exec(p.name)?.[1])
      .filter(Boolean);
    const written = [...Object.keys(DIFY_SECRET_ENV), ...DIFY_HOST_COMPOSED_KEYS, ...DIFY_PUBLIC_URL_KEYS, ...parameterKeys];
    expect(written.filter((key) => !release.envKeys.has(key!))).toEqual([]);
    expect(parameterKeys.length).toBeGreaterThan(0);
  });

  test("the keys difyctl composes itself are the declared ones", () => {
    const settings = /\nsettings\(\) \{\n([\s\S]*?)\n\}\n/.exec(difyctl)![1]!;
    const echoed = [...settings.matchAll(/echo "([A-Z][A-Z0-9_]*)=/g)].map((m) => m[1]);
    expect(echoed.sort()).toEqual([...DIFY_HOST_COMPOSED_KEYS].sort());
  });
});
