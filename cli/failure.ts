import { CommanderError } from "commander";
import { ConfigError, type ConfigIssue } from "../config/issues";
import { awsProblem, awsProblemExit, type AwsProblemKind } from "./aws-errors";
import { EXIT } from "./exit";
import { writeJson, type Io } from "./io";
import { UserError } from "./user-error";

/** The environment variable that adds the stack trace to a failure's report. */
const DEBUG_VARIABLE = "AMPLIFY_DIFY_VPC_DEBUG";

export type FailureKind = "usage" | "input" | "config" | AwsProblemKind | "internal";

/** Any error a command ended with, as the user sees it. */
export interface Failure {
  readonly kind: FailureKind;
  readonly exit: number;
  /** One line: what went wrong. */
  readonly message: string;
  /** One line: what to do about it. */
  readonly fix: string;
  /** Every problem of an invalid customer config, each with its own fix. */
  readonly issues?: readonly ConfigIssue[];
  /** What stderr shows without --json. */
  readonly text: string;
}

/** Sorts an error into usage, input, config, one of the AWS problems, or internal (a bug). */
function describeFailure(error: unknown): Failure {
  if (error instanceof CommanderError) {
    // Commander has printed its message (and the help) on stderr already.
    return { kind: "usage", exit: EXIT.usage, message: error.message.replace(/^error: /, ""), fix: "see amplify-dify-vpc --help, or <command> --help", text: "" };
  }
  if (error instanceof UserError) return plain("input", EXIT.usage, error.message, error.fix);
  if (error instanceof ConfigError) {
    return {
      kind: "config",
      exit: EXIT.usage,
      message: `${error.issues.length} problem(s) in the customer config`,
      fix: "correct each problem as its fix says",
      issues: error.issues,
      text: `${error.message}\n`,
    };
  }
  const aws = awsProblem(error);
  if (aws) return plain(aws.kind, awsProblemExit(aws), aws.message, aws.fix);
  const name = error instanceof Error ? error.name : typeof error;
  const detail = error instanceof Error ? error.message.trim().split("\n")[0] : String(error);
  return plain("internal", EXIT.internal, `internal error: ${name}: ${detail}`, `run it again with ${DEBUG_VARIABLE}=1 to see the stack trace, and report it with that output`);
}

/**
 * Prints a failure: on stderr, or as the one JSON document of `--json` on stdout; the stack
 * trace only when AMPLIFY_DIFY_VPC_DEBUG=1 asks for it, on stderr either way.
 */
export function reportFailure(io: Pick<Io, "out" | "err">, error: unknown, json: boolean): Failure {
  const failure = describeFailure(error);
  if (json) {
    const { kind, message, fix, issues } = failure;
    writeJson(io, { ok: false, error: { kind, message, fix, ...(issues ? { issues } : {}) } });
  } else {
    io.err(failure.text);
  }
  if (process.env[DEBUG_VARIABLE] === "1") io.err(`${error instanceof Error ? error.stack : String(error)}\n`);
  return failure;
}

function plain(kind: FailureKind, exit: number, message: string, fix: string): Failure {
  return { kind, exit, message, fix, text: `error: ${message}\n  fix: ${fix}\n` };
}
