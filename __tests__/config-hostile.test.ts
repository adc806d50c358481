import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { ConfigError, type ConfigIssue } from "../config/issues";
import { loadConfig } from "../config/load";
import { exampleData } from "./support/config";

// Each input a review or a new user tried that once ended in a stack trace, a hang, or a config
// accepted though wrong. Expected messages are written out: they are what the user reads.

const dir = mkdtempSync(join(tmpdir(), "config-hostile-"));
let count = 0;
const write = (content: string | Buffer): string => {
  const file = join(dir, `config-${++count}.yaml`);
  writeFileSync(file, content);
  return file;
};

/** [path, problem, fix] of every issue loading `file` raises. */
function rejected(file: string): [string, string, string][] {
  try {
    loadConfig(file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    expect(error.message).not.toMatch(/\n\s+at /);
    return error.issues.map((issue: ConfigIssue) => [issue.path, issue.problem, issue.fix]);
  }
  throw new Error(`${file} was accepted`);
}

const withExample = (change: (data: Record<string, any>) => void) => {
  const data = exampleData();
  change(data);
  return write(stringify(data));
};

/** The example's text with `from` replaced, for inputs stringify cannot produce. */
const exampleText = (from: string, to: string) => write(stringify(exampleData()).replace(from, to));

describe("files that are not a config", () => {
  const EMPTY = ["", "holds no settings (it is empty or only comments)", "copy customers/example.yaml and fill in the customer's values"];

  test.each([
    ["an empty file", ""],
    ["a file of comments", "# customer: acme\n\n# environment: prod\n"],
  ])("%s", (_, text) => {
    expect(rejected(write(text))).toEqual([EMPTY]);
  });

  test.each([
    ["a top-level list", "- customer: acme\n", "must be a mapping, not a list"],
    ["a top-level scalar", "acme\n", 'must be a mapping, not string "acme"'],
    ["a top-level null", "~\n", "must be a mapping, not null"],
  ])("%s", (_, text, problem) => {
    expect(rejected(write(text))).toEqual([
      ["", problem, "write the config as keys and values (customer:, environment:, aws:, ...), as customers/example.yaml does"],
    ]);
  });

  test("a directory", () => {
    const path = join(dir, "a-directory.yaml");
    mkdirSync(path);
    expect(rejected(path)).toEqual([["", "is not a regular file (a directory, device, FIFO or socket)", "name the YAML file itself"]]);
  });

  test("/dev/zero is refused before it is read, not after 16 GB", () => {
    expect(rejected("/dev/zero")).toEqual([["", "is not a regular file (a directory, device, FIFO or socket)", "name the YAML file itself"]]);
  });

  test("a FIFO is refused without waiting for a writer", () => {
    const fifo = join(dir, "fifo.yaml");
    execFileSync("mkfifo", [fifo]);
    expect(rejected(fifo)).toEqual([["", "is not a regular file (a directory, device, FIFO or socket)", "name the YAML file itself"]]);
  });

  test("a file over 1 MiB", () => {
    expect(rejected(write(`customer: ${"x".repeat(1024 * 1024)}\n`))).toEqual([
      ["", "is 1048587 bytes; a customer config is at most 1048576", "name the customer's YAML file; customers/example.yaml is about 5 KB"],
    ]);
  });

  test("a file that is not UTF-8 (Shift_JIS)", () => {
    // "顧客" in Shift_JIS.
    const file = write(Buffer.concat([Buffer.from("customer: "), Buffer.from([0x8c, 0xda, 0x8b, 0x71]), Buffer.from("\n")]));
    expect(rejected(file)).toEqual([["", "is not UTF-8 text", "save the file as UTF-8 (without a BOM is best), e.g. iconv -f SHIFT_JIS -t UTF-8"]]);
  });

  test("a missing file", () => {
    expect(rejected(join(dir, "missing.yaml"))[0]!.slice(0, 2)).toEqual(["", "cannot be read (ENOENT)"]);
  });

  test("an empty file name", () => {
    expect(rejected("")[0]!.slice(0, 2)).toEqual(["", "is an empty file name"]);
  });
});

describe("YAML that expands or hides keys", () => {
  test("an alias bomb is a config error, not an exhausted process", () => {
    const row = (name: string) => `[${Array(9).fill(`*${name}`).join(", ")}]`;
    const bomb = `a: &a ["lol"]\nb: &b ${row("a")}\nc: &c ${row("b")}\nd: &d ${row("c")}\ne: &e ${row("d")}\nf: &f ${row("e")}\ng: ${row("f")}\n`;
    expect(rejected(write(bomb))).toEqual([
      [
        "",
        "could not be expanded: Excessive alias count indicates a resource exhaustion attack",
        "use at most 100 YAML aliases (*name), or write the values out",
      ],
    ]);
  });

  test("an unclosed quote is reported short, not with the rest of the file", () => {
    // Found by the fuzz test: the parser quoted the unclosed token, i.e. everything after it.
    const problems = rejected(write(`customer: example\n}environment: full\n'\n${"key: value\n".repeat(200)}`)).map(([, problem]) => problem);
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(problem.length).toBeLessThanOrEqual(220);
    expect(problems.some((problem) => /^is not valid YAML: .*… \(\d+ characters\)$/.test(problem))).toBe(true);
  });

  test("a __proto__ key is named, not dropped", () => {
    expect(rejected(exampleText("dify:\n", "dify:\n  __proto__:\n    instanceType: t3.nano\n"))).toEqual([
      ["dify.__proto__", "is not a key a config can hold (JavaScript reads it as the object's prototype)", "remove it or rename it"],
    ]);
  });

  test("a mapping used as a key", () => {
    expect(rejected(exampleText("tags:\n", "tags:\n  ? {a: 1}\n  : b\n"))).toEqual([
      ["tags", "has a key that is a list or mapping (YAML's `? ` complex key); config keys are names", "write the key as a plain name"],
    ]);
  });
});

describe("sections of the wrong shape", () => {
  test("aws missing", () => {
    expect(rejected(withExample((d) => delete d.aws))).toEqual([["aws", "is required", "add aws; customers/example.yaml shows every key"]]);
  });

  test.each([
    ["aws", "must be a mapping, not null"],
    ["dify", "must be a mapping, not null"],
    ["amplify", "must be a mapping, not null"],
  ])("%s: ~", (section, problem) => {
    expect(rejected(withExample((d) => (d[section] = null)))).toEqual([[section, problem, `write ${section} as a mapping`]]);
  });

  test("edge: none", () => {
    expect(rejected(withExample((d) => (d.edge = "none")))).toEqual([["edge", 'must be a mapping, not string "none"', "write edge as a mapping"]]);
  });

  test("network as a list", () => {
    expect(rejected(withExample((d) => (d.network = ["10.13.0.0/18"])))).toEqual([
      ["network", "must be a mapping, not a list", "write network as a mapping"],
    ]);
  });

  test("version: toString (a name every JavaScript object has) is not a release", () => {
    expect(rejected(withExample((d) => (d.dify.version = "toString")))).toEqual([
      [
        "dify.version",
        '"toString" is not a verified Dify release',
        "use one of 1.16.1, 1.16.0, or verify the tag's commit and add it to config/dify-releases.ts",
      ],
    ]);
  });
});

describe("values accepted once though wrong", () => {
  test("a made-up instance type is an error with the likely one", () => {
    expect(rejected(withExample((d) => (d.dify.instanceType = "t3.lage")))).toEqual([
      ["dify.instanceType", '"t3.lage" is not an EC2 instance type', 'use a type such as "t3.large" or "m7i.large"; did you mean "t3.large"?'],
    ]);
  });

  test("a dify.env value longer than a Standard parameter holds", () => {
    expect(rejected(withExample((d) => (d.dify.env = { SMTP_SERVER: "s".repeat(5000) })))).toEqual([
      ["dify.env.SMTP_SERVER", "is 5000 characters; a Standard Parameter Store parameter and Dify's .env holds at most 4096", "shorten the value"],
    ]);
  });

  test("an empty dify.env value, which Parameter Store refuses at apply", () => {
    expect(rejected(withExample((d) => (d.dify.env = { SMTP_SERVER: "" })))).toEqual([
      ["dify.env.SMTP_SERVER", "is empty, which a Standard Parameter Store parameter and Dify's .env cannot hold", "remove the key to keep the default"],
    ]);
  });

  test("a tab in a dify.env value", () => {
    expect(rejected(withExample((d) => (d.dify.env = { SMTP_SERVER: "smtp\t.example.com" })))).toEqual([
      [
        "dify.env.SMTP_SERVER",
        "contains a tab at character 5, which a line of a Standard Parameter Store parameter and Dify's .env cannot hold",
        "write the value on one line, without tabs or control characters",
      ],
    ]);
  });

  test("a line break in an Amplify environment value would add a line to .env.production", () => {
    expect(rejected(withExample((d) => (d.amplify.environmentVariables = { NEXT_PUBLIC_X: "a\nNEXT_PUBLIC_Y=b" })))).toEqual([
      [
        "amplify.environmentVariables.NEXT_PUBLIC_X",
        "contains a line break at character 2, which a line of an Amplify environment variable and the build's .env.production cannot hold",
        "write the value on one line, without tabs or control characters",
      ],
    ]);
  });

  test("an Amplify environment value over Amplify's 5500 characters", () => {
    expect(rejected(withExample((d) => (d.amplify.environmentVariables = { NEXT_PUBLIC_X: "x".repeat(5501) })))[0]![1]).toBe(
      "is 5501 characters; an Amplify environment variable and the build's .env.production holds at most 5500",
    );
  });

  test("appSyncUrl must be an https URL", () => {
    expect(rejected(withExample((d) => (d.amplify.appSyncUrl = "http://x.example.com/graphql\n")))[0]!.slice(0, 2)).toEqual([
      "amplify.appSyncUrl",
      '"http://x.example.com/graphql\n" is not an https:// GraphQL endpoint URL',
    ]);
  });

  test("appSyncUrl cannot hold Terraform syntax", () => {
    expect(rejected(withExample((d) => (d.amplify.appSyncUrl = 'https://x.example.com/${file("/etc/passwd")}')))[0]![1]).toBe(
      '"https://x.example.com/${file(\"/etc/passwd\")}" is not an https:// GraphQL endpoint URL',
    );
  });

  test("a Parameter Store path Parameter Store reserves", () => {
    expect(rejected(withExample((d) => (d.amplify.lambdaParameterPath = "/aws/vpc")))).toEqual([
      ["amplify.lambdaParameterPath", '"/aws/vpc" must not begin with "aws" or "ssm" (any case): Parameter Store reserves them', 'write it as /segment/segment, e.g. "/amplify/vpc"'],
    ]);
  });

  test("a value of half a megabyte is shortened in the message", () => {
    const [[path, problem]] = rejected(withExample((d) => (d.dify.instanceType = `t3.${"x".repeat(500_000)}`))) as [[string, string, string]];
    expect(path).toBe("dify.instanceType");
    expect(problem).toBe(`"t3.${"x".repeat(77)}… (500003 characters)" is not an EC2 instance type`);
  });

  test("MAIL_TYPE smtp needs the server and the port the security group opens", () => {
    expect(rejected(withExample((d) => (d.dify.env = { MAIL_TYPE: "smtp" })))).toEqual([
      ["dify.env.SMTP_SERVER", "is required with MAIL_TYPE: smtp", "add the SMTP server's host name"],
      [
        "dify.env.SMTP_PORT",
        "is required with MAIL_TYPE: smtp",
        'set the port your SMTP server takes (e.g. "587" for STARTTLS, "465" for TLS): the dify security group opens exactly that port',
      ],
    ]);
    expect(rejected(withExample((d) => (d.dify.env = { MAIL_TYPE: "smtp", SMTP_SERVER: "smtp.example.com", SMTP_PORT: "70000" }))).map((i) => i[1])).toEqual([
      '"70000" is not a TCP port',
    ]);
  });

  test("large bodies allowed on / is allowed, with a warning", () => {
    const { warnings } = loadConfig(withExample((d) => (d.edge.waf.largeBodyPaths = ["/"])));
    expect(warnings).toContain(
      'edge.waf.largeBodyPaths includes "/": every path may send bodies over 8 KB, so the Core Rule Set\'s body-size rule protects nothing; list the paths that need it (uploads, the service API)',
    );
  });
});
