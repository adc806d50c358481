/** One problem found in a customer config file, with where it is and how to fix it. */
export interface ConfigIssue {
  /** The config file as the user named it. */
  readonly file: string;
  /** Key path, e.g. `network.zones[2].privateSubnetCidr`; empty for the whole file. */
  readonly path: string;
  /** 1-based line and column of the offending value, when the file has one. */
  readonly line?: number;
  readonly column?: number;
  /** What is wrong. */
  readonly problem: string;
  /** How to fix it. */
  readonly fix: string;
}

/** `["zones", 2, "name"]` -> `zones[2].name`; a key of a hostile length is shortened. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${shorten(String(part), 40)}`))
    .join("");
}

/**
 * `value` as it may appear in a message: at most `max` characters and a note of how long it
 * was. A value of megabytes must not become a message of megabytes.
 */
export function shorten(value: string, max = 80): string {
  return value.length <= max ? value : `${value.slice(0, max)}… (${value.length} characters)`;
}

/** `file:line:col key.path: problem` then an indented `fix:` line, as compilers print errors. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line ? `${issue.file}:${issue.line}:${issue.column ?? 1}` : issue.file;
  const key = issue.path ? ` ${issue.path}:` : "";
  return `${where}${key} ${issue.problem}\n  fix: ${issue.fix}`;
}

/** Thrown by the loader with every issue of the file; nothing is synthesized when it is. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `${issues.length} problem${issues.length === 1 ? "" : "s"} in the customer config:\n` +
        issues.map(formatIssue).join("\n"),
    );
    this.name = "ConfigError";
  }
}
