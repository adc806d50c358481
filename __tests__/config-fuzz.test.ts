import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parse, stringify } from "yaml";
import { ConfigError } from "../config/issues";
import { loadConfig } from "../config/load";
import { EXAMPLE_FILE, REPO_ROOT } from "./support/config";

// Property: whatever a config file holds, loading it ends in exactly one of two ways: a valid
// config, or a ConfigError whose every issue names the file, a key path, a short problem and a
// fix. Anything else (a TypeError from a check that read a value of the wrong shape, a
// RangeError, a hang) fails the property, and fast-check prints the shrunk input and its seed.
// FUZZ_SEED=<n> replays a run; FUZZ_RUNS scales it (CI runs the default, 10,500 inputs).

const dir = mkdtempSync(join(tmpdir(), "config-fuzz-"));
const file = join(dir, "customer.yaml");
const scale = Number(process.env.FUZZ_RUNS ?? 1);
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

const EXAMPLES = [EXAMPLE_FILE, join(REPO_ROOT, "customers", "example-full.yaml")].map((path) => readFileSync(path, "utf8"));
const EXAMPLE_DATA: unknown[] = EXAMPLES.map((text) => parse(text));

type Outcome = "valid" | "rejected";

/** Loads `text` as a config file and checks the outcome is one of the two allowed. */
function outcomeOf(text: string): Outcome {
  writeFileSync(file, text);
  try {
    loadConfig(file);
    return "valid";
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Plain checks rather than expect(): this runs ten thousand times.
    const fail = (what: string) => {
      throw new Error(`${what}:\n${error.message}`);
    };
    if (error.issues.length === 0) fail("a ConfigError without issues");
    for (const issue of error.issues) {
      if (issue.file !== file) fail(`an issue names ${issue.file}`);
      if (!issue.problem || issue.problem.length > 401) fail(`a problem of ${issue.problem.length} characters`);
      if (issue.path.length > 300) fail(`a key path of ${issue.path.length} characters`);
      if (!issue.fix) fail("an issue without a fix");
      if (issue.line !== undefined && !(issue.line > 0)) fail(`line ${issue.line}`);
    }
    if (/\n\s+at /.test(error.message)) fail("a stack trace in the message");
    return "rejected";
  }
}

/** Values a key may be set to: every YAML type, and strings that have broken parsers before. */
const hostileString = fc.constantFrom(
  "",
  "toString",
  "__proto__",
  "constructor",
  "hasOwnProperty",
  "${file(\"/etc/passwd\")}",
  "%{ for x in y }",
  "a\tb",
  "line\nbreak",
  "\u0000",
  "ap-northeast-1",
  "ap-northeast-1z",
  "10.13.0.0/18",
  "10.13.0.0/33",
  "999.0.0.0/8",
  "t3.large",
  "x".repeat(5000),
  "1.16.1",
  "*",
  "http://",
);
const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  hostileString,
);
const value = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, tie("list"), tie("map")),
  list: fc.array(tie("value"), { maxLength: 4 }),
  map: fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), hostileString), tie("value"), { maxKeys: 4 }),
})).value;

/** Every path to a value in `data`, e.g. ["network", "zones", 1, "name"]. */
function pathsOf(data: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (data === null || typeof data !== "object") return [prefix];
  const entries = Array.isArray(data) ? data.map((v, i) => [i, v] as const) : Object.entries(data);
  return [prefix, ...entries.flatMap(([key, v]) => pathsOf(v, [...prefix, key]))];
}

type Mutation = { path: (string | number)[]; action: "set" | "delete" | "addKey"; key: string; value: unknown };

function mutate(data: any, { path, action, key, value: newValue }: Mutation): unknown {
  if (path.length === 0) return action === "set" ? newValue : data;
  const parent = path.slice(0, -1).reduce((node, part) => node[part], data);
  const last = path[path.length - 1]!;
  if (action === "set") parent[last] = newValue;
  else if (action === "delete") Array.isArray(parent) ? parent.splice(Number(last), 1) : delete parent[last];
  else if (parent[last] !== null && typeof parent[last] === "object" && !Array.isArray(parent[last])) {
    Object.defineProperty(parent[last], key, { value: newValue, enumerable: true, configurable: true, writable: true });
  }
  return data;
}

/** An example file with a few keys changed, removed or added, then written back as YAML. */
const mutatedData = fc
  .tuple(fc.nat({ max: EXAMPLES.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.constantFrom("set", "delete", "addKey"), fc.oneof(fc.string({ maxLength: 12 }), hostileString), value), { minLength: 1, maxLength: 4 }))
  .map(([example, changes]) => {
    let data = structuredClone(EXAMPLE_DATA[example]);
    for (const [pick, action, key, v] of changes) {
      const paths = pathsOf(data);
      data = mutate(data, { path: paths[pick % paths.length]!, action: action as Mutation["action"], key, value: v });
    }
    return stringify(data);
  });

/** An example file edited as text: lines dropped, repeated, re-indented, or spliced with YAML syntax. */
const yamlSyntax = fc.constantFrom(
  "&a ", "*a", "<<: *a", "!!binary ", "!!set ", "!!omap ", "!custom ", "? ", "- ", ": ", "---\n", "...\n",
  "%YAML 1.1\n---\n", "{", "}", "[", "]", "'", '"', "|\n", ">-\n", "\t", "#", "0o777", "0x1F", ".inf", "~",
  "2026-12-01", "1e309", "\ufeff", "\u2028",
);
const mutatedText = fc
  .tuple(fc.nat({ max: EXAMPLES.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.constantFrom("drop", "repeat", "indent", "dedent", "splice"), fc.oneof(yamlSyntax, fc.string({ maxLength: 8 }))), { minLength: 1, maxLength: 5 }))
  .map(([example, edits]) => {
    const lines = EXAMPLES[example]!.split("\n");
    for (const [pick, edit, text] of edits) {
      const i = pick % lines.length;
      const line = lines[i]!;
      if (edit === "drop") lines.splice(i, 1);
      else if (edit === "repeat") lines.splice(i, 0, line);
      else if (edit === "indent") lines[i] = `  ${line}`;
      else if (edit === "dedent") lines[i] = line.replace(/^ {1,2}/, "");
      else lines[i] = `${line.slice(0, pick % (line.length + 1))}${text}${line.slice(pick % (line.length + 1))}`;
    }
    return lines.join("\n");
  });

/** A file of anything: random text, or a random document of random types. */
const anyText = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: "binary", maxLength: 200 }), value.map((v) => stringify(v)));

/** A document that expands aliases of aliases: refused by count, not by running out of memory. */
const aliasBomb = fc.integer({ min: 2, max: 9 }).map((width) => {
  const row = (name: string) => `[${Array(width).fill(`*${name}`).join(", ")}]`;
  return `a: &a ["x"]\nb: &b ${row("a")}\nc: &c ${row("b")}\nd: &d ${row("c")}\ne: &e ${row("d")}\nf: ${row("e")}\n`;
});

const runs = (n: number) => ({ numRuns: Math.round(n * scale), seed });

describe("config loader under random input", () => {
  jest.setTimeout(300_000);
  const seen: Record<Outcome, number> = { valid: 0, rejected: 0 };
  const count = (text: string) => void seen[outcomeOf(text)]++;

  test("example files with keys changed, removed or added", () => {
    fc.assert(fc.property(mutatedData, count), runs(5000));
  });

  test("example files edited as text", () => {
    fc.assert(fc.property(mutatedText, count), runs(3000));
  });

  test("arbitrary text and documents", () => {
    fc.assert(fc.property(anyText, count), runs(2000));
  });

  test("alias bombs", () => {
    fc.assert(fc.property(aliasBomb, count), runs(500));
  });

  afterAll(() => {
    // Both outcomes must occur, or the generators only ever exercise one side.
    process.stdout.write(`config fuzz: ${seen.valid} valid, ${seen.rejected} rejected\n`);
    expect(seen.valid).toBeGreaterThan(100);
    expect(seen.rejected).toBeGreaterThan(1000);
  });
});
