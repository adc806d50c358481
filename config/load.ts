import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { LineCounter, isMap, isScalar, parseDocument, visit, type Document, type Node } from "yaml";
import { z } from "zod";
import { suggestion } from "./fields";
import { ConfigError, formatPath, shorten, type ConfigIssue } from "./issues";
import { customerConfigSchema, type CustomerConfig } from "./schema";
import { configWarnings } from "./warnings";

/** A validated customer config and the warnings it raised. */
export interface LoadedConfig {
  /** The file as the user named it, for messages. */
  readonly file: string;
  readonly config: CustomerConfig;
  readonly warnings: readonly string[];
}

/** The example customer; `CUSTOMER_CONFIG` names another file. */
export const DEFAULT_CONFIG_FILE = "customers/example.yaml";

/**
 * Reads, parses and validates one customer config file. Throws a ConfigError listing every
 * problem (syntax, shape, cross-field rules), each with its line and a fix.
 */
export function loadConfig(file: string): LoadedConfig {
  const text = readConfigText(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const syntax = [
    ...doc.errors.map((error) => ({
      file,
      path: "",
      line: error.linePos?.[0].line,
      column: error.linePos?.[0].col,
      // The parser quotes the offending token, which for an unclosed quote is the rest of the file.
      problem: `is not valid YAML: ${shorten(error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, ""), 160)}`,
      fix: "correct the YAML at this position",
    })),
    ...unusableKeys(file, doc, lineCounter),
  ];
  if (syntax.length > 0) throw new ConfigError(syntax);
  if (doc.contents === null) {
    throw new ConfigError([{ file, path: "", problem: "holds no settings (it is empty or only comments)", fix: `copy ${DEFAULT_CONFIG_FILE} and fill in the customer's values` }]);
  }
  const result = customerConfigSchema.safeParse(toPlainData(file, doc), {
    reportInput: true,
    error: defaultMessage,
  });
  if (!result.success) {
    const locate = locator(doc, lineCounter);
    const issues = result.error.issues.flatMap((issue) => toConfigIssues(file, issue, locate));
    throw new ConfigError(issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  }
  return { file, config: result.data, warnings: configWarnings(result.data) };
}

/** A customer config is a few KB; the cap stops `/dev/zero` or a wrong file before it fills memory. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * The text of a config file (the customer config, a cost usage file). Opened without blocking
 * and checked to be a regular file first, so a FIFO or a device cannot hang or exhaust the
 * reader; only UTF-8 is accepted, as YAML requires. Throws a ConfigError naming the file.
 */
export function readConfigText(file: string): string {
  const refuse = (problem: string, fix: string): never => {
    throw new ConfigError([{ file, path: "", problem, fix }]);
  };
  if (file === "") {
    refuse("is an empty file name", `name the customer config, e.g. CUSTOMER_CONFIG=customers/<customer>-<env>.yaml; the example is ${DEFAULT_CONFIG_FILE}`);
  }
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    return refuse(
      `cannot be read (${reason})`,
      `check the path, e.g. CUSTOMER_CONFIG=customers/<customer>-<env>.yaml; the example is ${DEFAULT_CONFIG_FILE}`,
    );
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) refuse("is not a regular file (a directory, device, FIFO or socket)", "name the YAML file itself");
    if (stat.size > MAX_CONFIG_BYTES) {
      refuse(`is ${stat.size} bytes; a customer config is at most ${MAX_CONFIG_BYTES}`, "name the customer's YAML file; customers/example.yaml is about 5 KB");
    }
    // Read to the end rather than trusting the size: the file may grow while it is read.
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    for (let n; length < buffer.length && (n = readSync(fd, buffer, length, buffer.length - length, null)) > 0; ) length += n;
    if (length > MAX_CONFIG_BYTES) refuse(`is larger than ${MAX_CONFIG_BYTES} bytes`, "name the customer's YAML file");
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(buffer.subarray(0, length));
    } catch {
      return refuse("is not UTF-8 text", "save the file as UTF-8 (without a BOM is best), e.g. iconv -f SHIFT_JIS -t UTF-8");
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    return refuse(`cannot be read (${reason})`, "check that the path names a readable YAML file");
  } finally {
    closeSync(fd);
  }
}

/** Aliases a config may expand; a few are normal, thousands are an alias bomb. */
const MAX_ALIASES = 100;

/** The document as plain data; an alias bomb is a config error, not a crash. */
function toPlainData(file: string, doc: Document): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    throw new ConfigError([
      {
        file,
        path: "",
        problem: `could not be expanded: ${shorten((error as Error).message)}`,
        fix: `use at most ${MAX_ALIASES} YAML aliases (*name), or write the values out`,
      },
    ]);
  }
}

/**
 * Keys plain data cannot hold as written: `__proto__` would set a prototype rather than a key
 * and be lost without a word; a list or mapping as a key would be flattened to text. No key of
 * a customer config is either, so both are refused where they are written.
 */
function unusableKeys(file: string, doc: Document, lineCounter: LineCounter): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  visit(doc, {
    Pair(_, pair, path) {
      const scalarKey = isScalar(pair.key);
      if (scalarKey && (pair.key as { value: unknown }).value !== "__proto__") return;
      const { line, col } = lineCounter.linePos((pair.key as Node | null)?.range?.[0] ?? 0);
      const keys = path.flatMap((node) => ("key" in node && isScalar(node.key) ? [String(node.key.value)] : []));
      issues.push({
        file,
        path: formatPath(scalarKey ? [...keys, "__proto__"] : keys),
        line,
        column: col,
        problem: scalarKey
          ? "is not a key a config can hold (JavaScript reads it as the object's prototype)"
          : "has a key that is a list or mapping (YAML's `? ` complex key); config keys are names",
        fix: scalarKey ? "remove it or rename it" : "write the key as a plain name",
      });
    },
  });
  return issues;
}

type Locate = (path: readonly PropertyKey[], key?: string) => { line?: number; column?: number };

/** Line and column of the value at `path`, or of the deepest parent present, or of `key` in it. */
function locator(doc: Document, lineCounter: LineCounter): Locate {
  return (path, key) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth), true) as Node | undefined;
      if (!node?.range) continue;
      let offset = node.range[0];
      if (key !== undefined && depth === path.length && isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && item.key.value === key);
        if (pair && isScalar(pair.key) && pair.key.range) offset = pair.key.range[0];
      }
      const { line, col } = lineCounter.linePos(offset);
      return { line, column: col };
    }
    return {};
  };
}

type Issue = z.core.$ZodIssue;

/** Messages for zod's built-in checks; the project's own checks carry theirs. */
function defaultMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined ? "is required" : `must be ${article(issue.expected)}, not ${describe(issue.input)}`;
    case "invalid_value":
      return `${quote(issue.input)} is not one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      return `${quote(issue.input)} is below the minimum ${issue.minimum}`;
    case "too_big":
      return `${quote(issue.input)} is above the maximum ${issue.maximum}`;
    default:
      return undefined;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${quote(value)}`;
}

/** zod's type names in YAML's words: a mapping, a list. */
function article(expected: string): string {
  return { object: "a mapping", array: "a list", record: "a mapping" }[expected] ?? expected;
}

function quote(value: unknown): string {
  // JSON, not String(): a mapping may carry its own toString key.
  return shorten(JSON.stringify(value) ?? typeof value);
}

/** Every message stays readable whatever a check interpolated into it. */
const MAX_PROBLEM_CHARS = 400;

function cap(message: string): string {
  return message.length <= MAX_PROBLEM_CHARS ? message : `${message.slice(0, MAX_PROBLEM_CHARS)}…`;
}

function toConfigIssues(file: string, issue: Issue, locate: Locate): ConfigIssue[] {
  const at = (path: readonly PropertyKey[], key?: string) => ({
    file,
    path: formatPath(key === undefined ? path : [...path, key]),
    ...locate(path, key),
  });
  switch (issue.code) {
    case "custom":
      return [{ ...at(issue.path), problem: cap(issue.message), fix: String(issue.params?.fix ?? "see customers/example.yaml") }];
    case "invalid_key":
      // A record key failed its own checks (e.g. a reserved tag key): report those checks.
      return issue.issues.flatMap((inner) =>
        toConfigIssues(file, { ...inner, path: [...issue.path, ...inner.path] }, locate),
      );
    case "unrecognized_keys": {
      const known = objectKeysAt(issue.path);
      return issue.keys.map((key) => ({
        ...at(issue.path, key),
        problem: "is not a known key",
        fix: `remove it${suggestion(key, known)}`,
      }));
    }
    case "invalid_type":
      return [
        {
          ...at(issue.path),
          problem: cap(issue.message),
          fix:
            issue.input === undefined
              ? `add ${formatPath(issue.path)}; customers/example.yaml shows every key`
              : issue.expected === "string" && typeof issue.input === "number"
                ? `quote it: "${issue.input}"`
                : issue.path.length === 0
                  ? "write the config as keys and values (customer:, environment:, aws:, ...), as customers/example.yaml does"
                  : `write ${formatPath(issue.path)} as ${article(issue.expected)}`,
        },
      ];
    case "invalid_value": {
      const values = issue.values.map(String);
      return [
        {
          ...at(issue.path),
          problem: cap(issue.message),
          fix: `use one of ${values.join(", ")}${typeof issue.input === "string" ? suggestion(issue.input, values) : ""}`,
        },
      ];
    }
    default:
      return [{ ...at(issue.path), problem: cap(issue.message), fix: "see customers/example.yaml for a valid value" }];
  }
}

/** Keys the schema accepts for the object at `path`, to suggest a fix for a misspelt key. */
function objectKeysAt(path: readonly PropertyKey[]): string[] {
  let schema = unwrap(customerConfigSchema);
  for (const part of path) {
    const def = schema._zod.def as { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType };
    const next = typeof part === "number" ? def.element : def.shape?.[String(part)];
    if (!next) return [];
    schema = unwrap(next);
  }
  const def = schema._zod.def as { shape?: Record<string, unknown> };
  return def.shape ? Object.keys(def.shape) : [];
}

/** Looks through defaults, optionals and preprocess/transform pipes to the schema that checks. */
function unwrap(schema: z.ZodType): z.ZodType {
  for (;;) {
    const def = schema._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType };
    if (def.innerType) schema = def.innerType;
    else if (def.type === "pipe" && def.in && def.out)
      schema = def.out._zod.def.type === "transform" ? def.in : def.out;
    else return schema;
  }
}
