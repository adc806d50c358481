import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";
import { Cidr } from "./cidr";

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
      message: problem(value),
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
 * and a check never reads a value that did not parse.
 */
export function whenValid(...keys: IssuePath[]) {
  return {
    when(payload: { issues: readonly { path?: IssuePath }[] }): boolean {
      return !payload.issues.some((issue) =>
        keys.some((key) => key.every((part, i) => issue.path?.[i] === part)),
      );
    },
  };
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

/** A 12-digit AWS account ID. YAML reads unquoted digits as a number and drops leading zeros. */
export const accountId = z
  .string({
    error: (issue) =>
      typeof issue.input === "number"
        ? "an account ID must be a quoted string: as a YAML number it loses leading zeros"
        : undefined,
  })
  .superRefine(
    rule(
      (value) => /^\d{12}$/.test(value),
      (value) => `"${value}" is not an AWS account ID (12 digits)`,
      'write the 12 digits in quotes, e.g. "111122223333"',
    ),
  );

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
  if (candidates.length === 0) return "";
  const best = closest(word, candidates);
  return distance(word, best) <= Math.max(2, Math.floor(word.length / 3)) ? `; did you mean "${best}"?` : "";
}

/** A whole number in [min, max] with a default. */
export function integer(min: number, max: number, fallback: number) {
  return z.number().int().min(min).max(max).default(fallback);
}
