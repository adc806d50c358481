import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";
import { Cidr } from "./cidr";
import { shorten } from "./issues";

/**
 * A validation step that reports a custom issue carrying its own fix. Zod issues only have a
 * message; the fix travels in `params.fix` and is printed by the loader beside the problem.
 */
export function rule<T>(
  test: (value: T) => boolean,
  problem: (value: T) => string,
  fix: string | ((value: T) => string),
) {
  return (value: T, ctx: z.RefinementCtx<T>): void => {
    if (test(value)) return;
    ctx.addIssue({
      code: "custom",
      message: problem((typeof value === "string" ? shorten(value) : value) as T),
      params: { fix: typeof fix === "string" ? fix : fix(value) },
      input: value,
    });
  };
}

/** Adds an issue at `path` (relative to the object being refined) with its fix. */
export function report(
  ctx: z.RefinementCtx<unknown>,
  path: (string | number)[],
  problem: string,
  fix: string,
): void {
  ctx.addIssue({ code: "custom", path, message: problem, params: { fix } });
}

type IssuePath = readonly PropertyKey[];

/**
 * `when` option for cross-field checks: run the check only when none of the listed keys (paths
 * relative to the refined object) already failed, so every independent error is still collected
 * and a check never reads a value that did not parse. A failure of a key's parent (up to the
 * refined object itself, e.g. a list where a mapping belongs) counts too: the key is not there.
 */
export function whenValid(...keys: IssuePath[]) {
  return {
    when(payload: { issues: readonly { code?: string; path?: IssuePath }[] }): boolean {
      return !payload.issues.some((issue) => {
        // A misspelt key beside the ones checked leaves those intact.
        if (issue.code === "unrecognized_keys") return false;
        const path = issue.path ?? [];
        return keys.some((key) => key.slice(0, path.length).every((part, i) => path[i] === part));
      });
    },
  };
}

/** Names of the control characters people meet in text, for messages. */
const CONTROL_NAMES: Readonly<Record<string, string>> = { "\t": "a tab", "\n": "a line break", "\r": "a carriage return", "\0": "a NUL byte" };

/**
 * A one-line setting on its way into a file another program parses line by line (Dify's
 * `.env`, the Amplify build's env file): no control characters, at most `maxLength` characters
 * (the limit of where it is stored), and not empty when the store refuses empty values.
 */
export function lineValue(options: { maxLength: number; store: string; allowEmpty: boolean }) {
  return z.string().superRefine((value, ctx) => {
    const control = /[\u0000-\u001f\u007f]/.exec(value);
    if (control) {
      const char = control[0];
      const name = Object.hasOwn(CONTROL_NAMES, char) ? CONTROL_NAMES[char] : `the control character U+${char.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}`;
      report(ctx, [], `contains ${name} at character ${control.index + 1}, which a line of ${options.store} cannot hold`, "write the value on one line, without tabs or control characters");
    }
    if (value.length > options.maxLength) {
      report(ctx, [], `is ${value.length} characters; ${options.store} holds at most ${options.maxLength}`, "shorten the value");
    }
    if (!options.allowEmpty && value === "") {
      report(ctx, [], `is empty, which ${options.store} cannot hold`, "remove the key to keep the default");
    }
  });
}

/** The name of a Secrets Manager secret that exists in the account (it is read, not created). */
export function secretName(example: string) {
  return z.string().superRefine(
    rule(
      (value) => /^[A-Za-z0-9/_+=.@-]{1,512}$/.test(value),
      (value) => `"${value}" is not a Secrets Manager secret name`,
      `use the secret's name, e.g. ${example}`,
    ),
  );
}

/**
 * A lowercase name that ends up inside AWS resource names (S3 buckets, ALB and target group
 * names, IAM roles): letters, digits and single hyphens, starting with a letter.
 */
export function resourceName(label: string, maxLength: number, example: string) {
  const pattern = new RegExp(`^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,${maxLength - 1}}$`);
  return z.string().superRefine(
    rule(
      (value) => pattern.test(value),
      (value) =>
        `"${value}" is not a safe ${label}: AWS resource names built from it need lowercase ` +
        `letters, digits and single hyphens, starting with a letter, at most ${maxLength} characters`,
      `use something like "${example}"`,
    ),
  );
}

/**
 * A 12-digit AWS account ID, written as a quoted string. Unquoted, YAML reads the digits as a
 * number and drops leading zeros, which the fix puts back: a number of fewer than 12 digits
 * lost exactly that many.
 */
export const accountId = z
  .unknown()
  .superRefine((value, ctx) => {
    const issue = (message: string, fix: string) => ctx.addIssue({ code: "custom", message, params: { fix }, input: value });
    if (value === undefined) return issue("is required", 'write the 12 digits in quotes, e.g. "111111111111"');
    if (typeof value === "number") {
      const digits = Number.isSafeInteger(value) && value >= 0 ? String(value) : "";
      return digits && digits.length <= 12
        ? issue(
            `is the YAML number ${value}; an account ID must be a quoted string (as a number it loses leading zeros)`,
            `write it in quotes: "${digits.padStart(12, "0")}"`,
          )
        : issue(`${shorten(String(value))} is not an AWS account ID (12 digits)`, 'write the 12 digits in quotes, e.g. "111111111111"');
    }
    if (typeof value !== "string") return issue("must be a quoted string of 12 digits", 'write the 12 digits in quotes, e.g. "111111111111"');
    rule<string>(
      (v) => /^\d{12}$/.test(v),
      (v) => `"${v}" is not an AWS account ID (12 digits)`,
      'write the 12 digits in quotes, e.g. "111111111111"',
    )(value, ctx as z.RefinementCtx<string>);
  })
  .transform((value) => value as string);

/** An IPv4 CIDR block written as its network address, e.g. `10.13.0.0/18`. */
export function cidrBlock(minPrefix: number, maxPrefix: number) {
  return z.string().superRefine((value, ctx) => {
    const cidr = Cidr.parse(value);
    if (!cidr) {
      return rule<string>(
        () => false,
        (v) => `"${v}" is not an IPv4 CIDR block`,
        "write it as address/prefix, e.g. 10.13.0.0/18",
      )(value, ctx);
    }
    rule<string>(
      (v) => cidr.isNetworkAddress(v),
      (v) => `"${v}" has host bits set`,
      `use its network address ${cidr.network}`,
    )(value, ctx);
    rule<string>(
      () => cidr.prefix >= minPrefix && cidr.prefix <= maxPrefix,
      (v) => `"${v}" is a /${cidr.prefix}; AWS accepts /${minPrefix} to /${maxPrefix} here`,
      `choose a prefix between /${minPrefix} and /${maxPrefix}`,
    )(value, ctx);
  });
}

/** The retention values CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
  3288, 3653,
] as const;

/** Days a CloudWatch log group keeps its events; only the values CloudWatch accepts. */
export function logRetentionDays(defaultDays: (typeof LOG_RETENTION_DAYS)[number]) {
  return z
    .number()
    .superRefine(
      rule(
        (value) => (LOG_RETENTION_DAYS as readonly number[]).includes(value),
        (value) => `${value} is not a retention CloudWatch Logs accepts`,
        `use one of ${LOG_RETENTION_DAYS.join(", ")}`,
      ),
    )
    .default(defaultDays);
}

/** `; did you mean "natGateways"?` when a known word is a likely typo of `word`, else "". */
export function suggestion(word: string, known: Iterable<string>): string {
  const candidates = [...known];
  // An edit distance to a long value costs its length times every candidate's, for no hint.
  if (candidates.length === 0 || word.length > 64) return "";
  const best = closest(word, candidates);
  return distance(word, best) <= Math.max(2, Math.floor(word.length / 3)) ? `; did you mean "${best}"?` : "";
}

/** A whole number in [min, max] with a default. */
export function integer(min: number, max: number, fallback: number) {
  return z.number().int().min(min).max(max).default(fallback);
}
