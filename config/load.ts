import { readFileSync } from "node:fs";
import { LineCounter, isMap, isScalar, parseDocument, type Document, type Node } from "yaml";
import { z } from "zod";
import { suggestion } from "./fields";
import { ConfigError, formatPath, type ConfigIssue } from "./issues";
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
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((error) => ({
        file,
        path: "",
        line: error.linePos?.[0].line,
        column: error.linePos?.[0].col,
        problem: `is not valid YAML: ${error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`,
        fix: "correct the YAML at this position",
      })),
    );
  }
  const result = customerConfigSchema.safeParse(doc.toJS() ?? {}, {
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

function readConfigText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError([
      {
        file,
        path: "",
        problem: `cannot be read (${reason})`,
        fix: `check the path, e.g. CUSTOMER_CONFIG=customers/<customer>-<env>.yaml; the example is ${DEFAULT_CONFIG_FILE}`,
      },
    ]);
  }
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
      return issue.input === undefined ? "is required" : `must be ${issue.expected}, not ${describe(issue.input)}`;
    case "invalid_value":
      return `${JSON.stringify(issue.input)} is not one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      return `${JSON.stringify(issue.input)} is below the minimum ${issue.minimum}`;
    case "too_big":
      return `${JSON.stringify(issue.input)} is above the maximum ${issue.maximum}`;
    default:
      return undefined;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}

function toConfigIssues(file: string, issue: Issue, locate: Locate): ConfigIssue[] {
  const at = (path: readonly PropertyKey[], key?: string) => ({
    file,
    path: formatPath(key === undefined ? path : [...path, key]),
    ...locate(path, key),
  });
  switch (issue.code) {
    case "custom":
      return [{ ...at(issue.path), problem: issue.message, fix: String(issue.params?.fix ?? "see customers/example.yaml") }];
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
          problem: issue.message,
          fix:
            issue.input === undefined
              ? `add ${formatPath(issue.path)}; customers/example.yaml shows every key`
              : issue.expected === "string" && typeof issue.input === "number"
                ? `quote it: "${issue.input}"`
                : `write ${formatPath(issue.path)} as ${issue.expected}`,
        },
      ];
    case "invalid_value": {
      const values = issue.values.map(String);
      return [
        {
          ...at(issue.path),
          problem: issue.message,
          fix: `use one of ${values.join(", ")}${suggestion(String(issue.input), values)}`,
        },
      ];
    }
    default:
      return [{ ...at(issue.path), problem: issue.message, fix: "see customers/example.yaml for a valid value" }];
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
