import { EXIT } from "./exit";

/** The ways AWS can fail a command that are not the command's fault, each with its own fix. */
export type AwsProblemKind =
  | "credentials-missing"
  | "credentials-expired"
  | "credentials-invalid"
  | "access-denied"
  | "region-disabled"
  | "throttled"
  | "unreachable"
  | "aws-server-error";

/** An AWS SDK error in the user's words: what happened and what to do. */
export interface AwsProblem {
  readonly kind: AwsProblemKind;
  /** One line, naming the SDK's error code. */
  readonly message: string;
  readonly fix: string;
}

/** Reaching AWS may work on the next try; who you are to AWS does not change by itself. */
const RETRYABLE: ReadonlySet<AwsProblemKind> = new Set(["throttled", "unreachable", "aws-server-error"]);

/** The exit code of a command that ended with `problem`: awsUnavailable (4) or awsAccess (3). */
export function awsProblemExit(problem: AwsProblem): number {
  return RETRYABLE.has(problem.kind) ? EXIT.awsUnavailable : EXIT.awsAccess;
}

/** What the SDK's errors carry: `name` (and `Code` for the query protocols) for AWS's error code, `$fault` and `$metadata` on a service's answer, `code` on Node's network errors. */
interface SdkErrorShape {
  readonly name?: unknown;
  readonly Code?: unknown;
  readonly message?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number };
  readonly code?: unknown;
  readonly hostname?: unknown;
  readonly address?: unknown;
  readonly port?: unknown;
}

// AWS's error codes by what they mean to the user; the same meaning has a different code per protocol.
const EXPIRED = new Set(["ExpiredToken", "ExpiredTokenException", "RequestExpired"]);
const INVALID = new Set(["InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "AuthFailure"]);
const DENIED = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"]);
const REGION_DISABLED = new Set(["RegionDisabledException", "OptInRequired"]);
const THROTTLED = new Set(["Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"]);
/** Node's codes for a connection that could not be made or was cut. */
const NETWORK = new Set(["ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"]);

/**
 * The problem an AWS SDK v3 error stands for, or undefined when it is none of those (a bug, or
 * an answer the command should have handled itself). Reads the error's fields, not its text;
 * only the IAM action and principal of an access denial exist nowhere but in the message.
 */
export function awsProblem(error: unknown, env: NodeJS.ProcessEnv = process.env): AwsProblem | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as SdkErrorShape;
  const codes = [e.name, e.Code].filter((c): c is string => typeof c === "string");
  const is = (set: ReadonlySet<string>) => codes.some((c) => set.has(c));
  const said = `${codes[0]}: ${firstLine(e.message)}`;
  const attempts = e.$metadata?.attempts && e.$metadata.attempts > 1 ? ` after ${e.$metadata.attempts} attempts` : "";
  const signIn = signInCommand(env.AWS_PROFILE);

  if (codes.includes("CredentialsProviderError")) {
    return problem("credentials-missing", `no AWS credentials were found (${said})`, `sign in: ${signIn}`);
  }
  if (typeof e.code === "string" && NETWORK.has(e.code)) {
    const where = typeof e.hostname === "string" ? e.hostname : typeof e.address === "string" ? `${e.address}${typeof e.port === "number" ? `:${e.port}` : ""}` : "";
    return problem("unreachable", `cannot reach AWS${where ? ` at ${where}` : ""} (${e.code})${attempts}`, REACH_FIX);
  }
  if (codes.includes("TimeoutError")) {
    return problem("unreachable", `AWS did not answer in time (${said})${attempts}`, REACH_FIX);
  }
  if (e.$fault !== "client" && e.$fault !== "server") return undefined;
  if (is(EXPIRED)) return problem("credentials-expired", `the AWS credentials have expired (${said})`, `sign in again: ${signIn}`);
  if (is(INVALID)) {
    return problem(
      "credentials-invalid",
      `AWS does not accept the credentials (${said})`,
      `check which credentials are used (aws configure list) and sign in again: ${signIn}; if they are right, aws.region in the customer config may be a region not enabled for the account`,
    );
  }
  if (is(DENIED)) return denied(codes[0]!, firstLine(e.message));
  if (is(REGION_DISABLED)) {
    return problem(
      "region-disabled",
      `the region is not enabled for this account (${said})`,
      "enable it (AWS console: Account, AWS Regions) or set aws.region in the customer config to a region the account uses",
    );
  }
  if (is(THROTTLED)) {
    return problem("throttled", `AWS throttled the requests (${said})${attempts}`, "wait a minute and run it again; other tools using the same account share the limit");
  }
  if (e.$fault === "server") {
    return problem(
      "aws-server-error",
      `AWS failed to serve the request (${codes[0]}, HTTP ${e.$metadata?.httpStatusCode ?? "?"})${attempts}`,
      "run it again in a few minutes; the AWS Health Dashboard lists service events",
    );
  }
  return undefined;
}

const REACH_FIX =
  "check the network connection, DNS and any proxy between you and AWS; that AWS_ENDPOINT_URL, if set, is meant; and that aws.region in the customer config is right";

function problem(kind: AwsProblemKind, message: string, fix: string): AwsProblem {
  return { kind, message, fix };
}

/** AWS names the action and principal only in the message: "User: arn:... is not authorized to perform: ec2:DescribeInstances ...". */
function denied(code: string, message: string): AwsProblem {
  const action = /not authorized to perform:? ([a-z0-9-]+:[A-Za-z0-9*]+)/.exec(message)?.[1];
  const principal = /User: (arn:\S+)/.exec(message)?.[1];
  if (!action) {
    return problem("access-denied", `AWS denied the request (${code}: ${message})`, "ask an administrator for the permission this command needs, or sign in with a role that has it (AWS_PROFILE)");
  }
  return problem(
    "access-denied",
    `AWS denied ${action}${principal ? ` to ${principal}` : ""} (${code})`,
    `ask an administrator to allow ${action} for the role or user you signed in with, or sign in with one that has it (AWS_PROFILE)`,
  );
}

/** How to sign in: with the profile in use, or how to pick one. */
function signInCommand(profile: string | undefined): string {
  return profile
    ? `aws sso login --profile ${profile} (or aws configure --profile ${profile} for access keys)`
    : "aws sso login --profile <profile> and export AWS_PROFILE=<profile>, or aws configure for access keys";
}

function firstLine(message: unknown): string {
  return typeof message === "string" ? message.trim().split("\n")[0]!.trim() : "";
}
