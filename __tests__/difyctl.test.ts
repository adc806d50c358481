import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DIFY_SECRET_FIELDS } from "../config/dify-env-keys";
import { hostFiles } from "../modules/dify-host/user-data";
import { REPO_ROOT } from "./support/config";
import { awsCli, freePort, startMoto, tool, type MotoServer } from "./support/tools";

// difyctl render-env run for real: bash, the AWS CLI and jq against moto's server holding the
// parameters and the secret the stacks create.

const SCRIPT = join(REPO_ROOT, "modules", "dify-host", "difyctl.sh");
const PARAM_PATH = "/acme-prod/dify";
const SECRET_NAME = "acme-prod/dify";

/** A shortened .env.example with the shapes Dify's has: comments, defaults, `=` in values. */
const ENV_EXAMPLE = `# Essential defaults
SECRET_KEY=
DB_PASSWORD=difyai123456
CELERY_BROKER_URL=redis://:difyai123456@redis:6379/1
WEB_API_CORS_ALLOW_ORIGINS=*
CONSOLE_CORS_ALLOW_ORIGINS=*

NGINX_CLIENT_MAX_BODY_SIZE=100M
SQLALCHEMY_POOL_SIZE=30
COMPOSE_PROFILES=\${VECTOR_STORE:-weaviate},\${DB_TYPE:-postgresql},collaboration
`;

const secretValues = Object.fromEntries(Object.keys(DIFY_SECRET_FIELDS).map((field, i) => [field, `value${i}x${field.length}`]));

let moto: MotoServer;
let root: string;

const aws = (...args: string[]): string => awsCli(moto, ...args);

/** The host's environment for difyctl, `extra` on top. */
function hostEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    ...process.env,
    ...moto.env,
    // Stubs for docker and curl (upgrade tests) come first, then the AWS CLI.
    PATH: `${join(root, "stubs")}:${dirname(tool("aws"))}:${process.env.PATH}`,
    DIFY_ETC: join(root, "etc"),
    DIFY_LOG_DIR: join(root, "log"),
    DIFY_HEALTH_ATTEMPTS: "2",
    DIFY_HEALTH_INTERVAL: "0",
    // Waiting for a lock in vain (an upgrade's own steps, say) fails in seconds, not 40 minutes.
    DIFY_LOCK_TIMEOUT: "30",
    ...extra,
  };
}

/** Runs the script as the host does: an executable calling itself for its upgrade steps. */
function difyctl(...args: string[]) {
  return spawnSync(join(root, "difyctl"), args, { env: hostEnv(), encoding: "utf8" });
}

interface Finished {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** difyctl in the background, as systemd and SSM start it: the process, and how it ended. */
function startDifyctl(args: string[], extra: Record<string, string> = {}) {
  const child = spawn(join(root, "difyctl"), args, { env: hostEnv(extra) });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  const done = new Promise<Finished>((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
  return { child, done };
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; !condition(); attempt++) {
    if (attempt > 200) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const dockerDir = () => join(root, "data", "app", "docker");
const envText = () => readFileSync(join(dockerDir(), ".env"), "utf8");
/** Files beside .env that render-env may have written and left: none, after any run. */
const leftovers = () => readdirSync(dockerDir()).filter((name) => name.startsWith(".env.") && name !== ".env.example");

beforeAll(async () => {
  moto = await startMoto();
  root = mkdtempSync(join(tmpdir(), "difyctl-"));
  copyFileSync(SCRIPT, join(root, "difyctl"));
  chmodSync(join(root, "difyctl"), 0o755);
  const dataDir = join(root, "data");
  mkdirSync(join(dataDir, "app", "docker"), { recursive: true });
  writeFileSync(join(dataDir, "app", "docker", ".env.example"), ENV_EXAMPLE);
  // The files cloud-init writes, with the data directory moved under the test folder.
  const files = hostFiles({
    region: "ap-northeast-1",
    parameterPath: PARAM_PATH,
    secretName: SECRET_NAME,
    containerLogGroup: "/acme-prod/dify/containers",
    hostLogGroup: "/acme-prod/dify/host",
  });
  mkdirSync(join(root, "etc"));
  for (const name of ["host.env", "secret-env"]) {
    const file = files.find((f) => f.path === `/etc/dify/${name}`)!;
    writeFileSync(join(root, "etc", name), file.content.replace(/^DATA_DIR=.*$/m, `DATA_DIR=${dataDir}`));
  }
  aws("ssm", "put-parameter", "--type", "String", "--name", `${PARAM_PATH}/env/NGINX_CLIENT_MAX_BODY_SIZE`, "--value", "15M");
  aws("ssm", "put-parameter", "--type", "String", "--name", `${PARAM_PATH}/env/UPLOAD_FILE_SIZE_LIMIT`, "--value", "15");
  aws("ssm", "put-parameter", "--type", "String", "--name", `${PARAM_PATH}/cors/config`, "--value", "https://app.example.com");
  aws("ssm", "put-parameter", "--type", "String", "--name", `${PARAM_PATH}/cors/edge`, "--value", "https://d111.cloudfront.net,https://app.example.com");
  aws("secretsmanager", "create-secret", "--name", SECRET_NAME, "--secret-string", JSON.stringify(secretValues));
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

describe("difyctl render-env", () => {
  let env: Record<string, string>;
  let text: string;

  beforeAll(() => {
    const run = difyctl("render-env");
    expect(run.stderr).toContain("rendered");
    expect(run.status).toBe(0);
    text = readFileSync(join(root, "data", "app", "docker", ".env"), "utf8");
    env = Object.fromEntries(
      text
        .split("\n")
        .filter((line) => /^[A-Z]/.test(line))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
  });

  test("replaces .env.example's values in place and keeps everything else, comments included", () => {
    expect(text.startsWith("# Essential defaults\nSECRET_KEY=value0x10\n")).toBe(true);
    expect(env.NGINX_CLIENT_MAX_BODY_SIZE).toBe("15M");
    expect(env.SQLALCHEMY_POOL_SIZE).toBe("30");
    expect(env.COMPOSE_PROFILES).toBe("${VECTOR_STORE:-weaviate},${DB_TYPE:-postgresql},collaboration");
  });

  test("appends settings .env.example does not have", () => {
    expect(env.UPLOAD_FILE_SIZE_LIMIT).toBe("15");
  });

  test("every secret reaches its keys, pairs Dify requires to match share one value", () => {
    expect(env.SECRET_KEY).toBe(secretValues.SECRET_KEY);
    expect(env.DB_PASSWORD).toBe(secretValues.DB_PASSWORD);
    expect(env.CODE_EXECUTION_API_KEY).toBe(env.SANDBOX_API_KEY);
    expect(env.WEAVIATE_AUTHENTICATION_APIKEY_ALLOWED_KEYS).toBe(env.WEAVIATE_API_KEY);
    expect(env.CELERY_BROKER_URL).toBe(`redis://:${secretValues.REDIS_PASSWORD}@redis:6379/1`);
    expect(text).not.toContain("difyai123456");
  });

  test("CORS allows exactly the union of every stack's origins, never *", () => {
    expect(env.WEB_API_CORS_ALLOW_ORIGINS).toBe("https://app.example.com,https://d111.cloudfront.net");
    expect(env.CONSOLE_CORS_ALLOW_ORIGINS).toBe(env.WEB_API_CORS_ALLOW_ORIGINS);
  });

  test("each key appears once", () => {
    const keys = text.split("\n").filter((line) => /^[A-Z]/.test(line)).map((line) => line.split("=")[0]);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test(".env is readable by root only", () => {
    expect(statSync(join(root, "data", "app", "docker", ".env")).mode & 0o777).toBe(0o600);
  });

  test("a secret without a field fails loudly, names it, and leaves .env as it was", () => {
    aws("secretsmanager", "put-secret-value", "--secret-id", SECRET_NAME, "--secret-string", JSON.stringify({ SECRET_KEY: "x" }));
    const run = difyctl("render-env");
    aws("secretsmanager", "put-secret-value", "--secret-id", SECRET_NAME, "--secret-string", JSON.stringify(secretValues));
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/FAILED: secret acme-prod\/dify has no \w+/);
    expect(envText()).toBe(text);
    expect(leftovers()).toEqual([]);
  });

  test("an unknown command prints the usage and fails", () => {
    const run = difyctl("launch");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("usage: difyctl bootstrap|render-env|up|down|reload|upgrade|health|status");
  });
});

describe("difyctl render-env: exact values, one render at a time, never half a .env", () => {
  const lockFile = () => join(root, "etc", "difyctl.lock");
  // An awk that, when it writes a .env.* file (the .env being rendered), touches `started` and
  // takes AWK_DELAY seconds more: a slow disk, which holds the window between writing and renaming open.
  const slowAwk = () => join(root, "slow-awk");
  const started = () => join(root, "awk-started");
  const withSlowAwk = (delay: string) => ({ PATH: `${slowAwk()}:${hostEnv().PATH}`, AWK_DELAY: delay });

  beforeAll(() => {
    const awk = execFileSync("bash", ["-c", "command -v awk"], { encoding: "utf8" }).trim();
    mkdirSync(slowAwk());
    writeFileSync(
      join(slowAwk(), "awk"),
      `#!/bin/bash\ncase $(readlink /proc/$$/fd/1) in */.env.*) touch "${started()}"; sleep "$AWK_DELAY" ;; esac\nexec "${awk}" "$@"\n`,
      { mode: 0o755 },
    );
  });

  afterEach(() => {
    for (const name of leftovers()) rmSync(join(dockerDir(), name), { force: true });
  });

  test("writes a value byte for byte: tabs, $, quotes, #, backslashes, =", () => {
    const name = `${PARAM_PATH}/env/HOSTILE_VALUE`;
    const value = `a\tb $HOME \${SECRET_KEY} "double" 'single' # not a comment \\n C:\\dir = x=y\t`;
    aws("ssm", "put-parameter", "--type", "String", "--name", name, "--value", value);
    const run = difyctl("render-env");
    aws("ssm", "delete-parameter", "--name", name);
    expect(run.status).toBe(0);
    expect(envText().split("\n")).toContain(`HOSTILE_VALUE=${value}`);
  }, 30_000);

  // A line break would end the value's line and start another: here a key of the attacker's.
  test.each([
    ["a dify.env setting", `${PARAM_PATH}/env/INJECTED`],
    ["a CORS origin", `${PARAM_PATH}/cors/injected`],
  ])("refuses %s with a line break, naming its parameter, and leaves .env as it was", (_, name) => {
    const before = envText();
    aws("ssm", "put-parameter", "--type", "String", "--name", name, "--value", "x\nSECRET_KEY=attacker");
    const run = difyctl("render-env");
    aws("ssm", "delete-parameter", "--name", name);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`FAILED: ${name}: a line break in the value, which no line of .env can hold`);
    expect(envText()).toBe(before);
    expect(leftovers()).toEqual([]);
  }, 30_000);

  test("refuses a secret value with a line break, and leaves .env as it was", () => {
    const before = envText();
    const injected = { ...secretValues, SECRET_KEY: "x\nDB_PASSWORD=attacker" };
    aws("secretsmanager", "put-secret-value", "--secret-id", SECRET_NAME, "--secret-string", JSON.stringify(injected));
    const run = difyctl("render-env");
    aws("secretsmanager", "put-secret-value", "--secret-id", SECRET_NAME, "--secret-string", JSON.stringify(secretValues));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("FAILED: secret acme-prod/dify has no SECRET_KEY, or it holds a line break");
    expect(envText()).toBe(before);
    expect(leftovers()).toEqual([]);
  }, 30_000);

  test("five renders at once, writing slowly, take turns: each succeeds, and .env is one whole render", async () => {
    expect(difyctl("render-env").status).toBe(0);
    const one = envText();
    const runs = await Promise.all(Array.from({ length: 5 }, () => startDifyctl(["render-env"], withSlowAwk("0.5")).done));
    expect(runs.map((run) => run.status)).toEqual([0, 0, 0, 0, 0]);
    // They overlapped (each takes the lock before anything else): renders waited for one another.
    expect(runs.filter((run) => run.stderr.includes("waiting for")).length).toBeGreaterThanOrEqual(1);
    expect(envText()).toBe(one);
    expect(statSync(join(dockerDir(), ".env")).mode & 0o777).toBe(0o600);
    expect(leftovers()).toEqual([]);
  }, 60_000);

  test("writes a file of its own: one lying at a fixed name (.env.new, readable by all) never becomes .env", () => {
    writeFileSync(join(dockerDir(), ".env.new"), "", { mode: 0o644 });
    const run = difyctl("render-env");
    expect(run.status).toBe(0);
    expect(statSync(join(dockerDir(), ".env")).mode & 0o777).toBe(0o600);
  }, 30_000);

  test("a render that cannot reach AWS fails and leaves .env as it was", async () => {
    const before = envText();
    const run = await startDifyctl(["render-env"], { AWS_ENDPOINT_URL: `http://127.0.0.1:${await freePort()}`, AWS_MAX_ATTEMPTS: "1" }).done;
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("FAILED");
    expect(envText()).toBe(before);
    expect(leftovers()).toEqual([]);
  }, 30_000);

  test("a render that fails while writing (no .env.example) removes its half-written file", () => {
    const before = envText();
    renameSync(join(dockerDir(), ".env.example"), join(dockerDir(), "env.example.away"));
    const run = difyctl("render-env");
    renameSync(join(dockerDir(), "env.example.away"), join(dockerDir(), ".env.example"));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("FAILED");
    expect(envText()).toBe(before);
    expect(leftovers()).toEqual([]);
  }, 30_000);

  test("a render stopped by SIGTERM while writing leaves .env as it was and no file behind", async () => {
    const before = envText();
    rmSync(started(), { force: true });
    const { child, done } = startDifyctl(["render-env"], withSlowAwk("2"));
    await waitFor(() => existsSync(started()), "render-env to start writing");
    expect(leftovers()).toHaveLength(1);
    child.kill("SIGTERM");
    const run = await done;
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("FAILED: stopped by a signal");
    expect(envText()).toBe(before);
    expect(leftovers()).toEqual([]);
  }, 30_000);

  test("waits for the lock another process holds, then gives up saying so; status never waits", async () => {
    const before = envText();
    // One process holding the lock, the way difyctl does: flock on an open file, then sleep in it.
    const holder = spawn("bash", ["-c", 'exec 9>>"$1" && flock 9 && echo held && exec sleep 60', "hold", lockFile()]);
    try {
      await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));
      const run = await startDifyctl(["render-env"], { DIFY_LOCK_TIMEOUT: "1" }).done;
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`waiting for ${lockFile()}: another difyctl is changing the host`);
      expect(run.stderr).toContain(`FAILED: another difyctl still holds ${lockFile()} after 1 s`);
      expect(envText()).toBe(before);
      expect(leftovers()).toEqual([]);
      const status = await startDifyctl(["status"], { DIFY_LOCK_TIMEOUT: "1" }).done;
      expect(status.status).toBe(0);
      expect(status.stdout).toContain("running=");
    } finally {
      holder.kill();
    }
  }, 30_000);
});

describe("difyctl upgrade", () => {
  // A local "github.com/langgenius/dify" with two releases, a docker stub that records what it
  // is asked, and a curl stub whose answer depends on the checked-out release.
  let origin: string;
  const commits: Record<string, string> = {};
  const app = () => join(root, "data", "app");
  const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "user.email=t@example.invalid", "-c", "user.name=t", ...args], { cwd, encoding: "utf8" }).trim();
  const dockerLog = () => readFileSync(join(root, "docker.log"), "utf8");

  beforeAll(() => {
    origin = mkdtempSync(join(tmpdir(), "dify-origin-"));
    git(origin, "init", "--quiet", "--initial-branch=main");
    mkdirSync(join(origin, "docker"));
    for (const version of ["1.0.0", "1.1.0", "1.2.0"]) {
      writeFileSync(join(origin, "docker", ".env.example"), `${ENV_EXAMPLE}NEW_IN_${version.replace(/\./g, "_")}=yes\n`);
      writeFileSync(join(origin, "docker", "docker-compose.yaml"), `# compose of ${version}\n`);
      git(origin, "add", "-A");
      git(origin, "commit", "--quiet", "-m", version);
      git(origin, "tag", version);
      commits[version] = git(origin, "rev-parse", "HEAD");
    }
    mkdirSync(join(root, "stubs"), { recursive: true });
    writeFileSync(join(root, "stubs", "docker"), `#!/bin/bash\necho "$*" >> "${join(root, "docker.log")}"\n`, { mode: 0o755 });
    // Healthy unless the checked-out release is the one named in the "broken" file.
    writeFileSync(
      join(root, "stubs", "curl"),
      `#!/bin/bash\nv=$(git -C "${app()}" describe --tags --exact-match)\n[ "$v" = "$(cat "${join(root, "broken")}" 2>/dev/null)" ] && exit 22\necho '{"result": "pong"}'\n`,
      { mode: 0o755 },
    );
  });

  beforeEach(() => {
    rmSync(app(), { recursive: true, force: true });
    execFileSync("git", ["clone", "--quiet", "--branch", "1.0.0", `file://${origin}`, app()], { stdio: "ignore" });
    writeFileSync(join(root, "docker.log"), "");
    rmSync(join(root, "broken"), { force: true });
  });

  test("checks out the verified tag, re-renders .env from its .env.example, pulls and restarts", () => {
    const run = difyctl("upgrade", "1.1.0", commits["1.1.0"]!);
    expect(run.stdout).toContain("result=upgraded version=1.1.0 previous=1.0.0");
    expect(run.status).toBe(0);
    // Its steps (render-env, up) hold the upgrade's own lock: they never wait for their parent.
    expect(run.stderr).not.toContain("waiting for");
    expect(git(app(), "rev-parse", "HEAD")).toBe(commits["1.1.0"]);
    const env = readFileSync(join(app(), "docker", ".env"), "utf8");
    expect(env).toContain("NEW_IN_1_1_0=yes");
    expect(env).toContain(`SECRET_KEY=${secretValues.SECRET_KEY}`);
    // Only once the new release is healthy are the previous release's images removed.
    expect(dockerLog()).toMatch(/compose .* pull --quiet\n.*compose .* up -d --remove-orphans --quiet-pull\nimage prune --all --force\n$/);
  });

  test("refuses a tag that does not point to the verified commit, and keeps the running release", () => {
    const run = difyctl("upgrade", "1.1.0", commits["1.2.0"]!);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("not the verified");
    expect(run.stdout).toContain("result=rolled-back version=1.0.0 failed=1.1.0");
    expect(git(app(), "rev-parse", "HEAD")).toBe(commits["1.0.0"]);
  });

  test("rolls back when the new release does not become healthy", () => {
    writeFileSync(join(root, "broken"), "1.2.0");
    const run = difyctl("upgrade", "1.2.0", commits["1.2.0"]!);
    expect(run.status).not.toBe(0);
    expect(run.stdout).toContain("result=rolled-back version=1.0.0 failed=1.2.0");
    expect(run.stderr).toContain("upgrade to 1.2.0 failed; Dify 1.0.0 is running again");
    expect(git(app(), "rev-parse", "HEAD")).toBe(commits["1.0.0"]);
    expect(readFileSync(join(app(), "docker", ".env"), "utf8")).not.toContain("NEW_IN_1_2_0");
    // The previous release's images are what the rollback runs on: never pruned after a failure.
    expect(dockerLog()).not.toContain("image prune");
  });

  test("says so when even the rollback fails", () => {
    writeFileSync(join(root, "broken"), "1.0.0");
    // The pull of the new release fails, and the old one no longer comes up healthy.
    writeFileSync(join(root, "stubs", "docker"), `#!/bin/bash\ncase "$*" in *"pull --quiet") exit 1 ;; esac\n`, { mode: 0o755 });
    const run = difyctl("upgrade", "1.1.0", commits["1.1.0"]!);
    writeFileSync(join(root, "stubs", "docker"), `#!/bin/bash\necho "$*" >> "${join(root, "docker.log")}"\n`, { mode: 0o755 });
    expect(run.status).not.toBe(0);
    expect(run.stdout).toContain("result=broken version=1.0.0 failed=1.1.0");
    expect(run.stderr).toContain("restore the data volume from the snapshot");
  });

  test("does nothing when the release already runs", () => {
    const run = difyctl("upgrade", "1.0.0", commits["1.0.0"]!);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("result=unchanged version=1.0.0");
    expect(dockerLog()).toBe("");
  });
});
