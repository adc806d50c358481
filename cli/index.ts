import { Command, CommanderError } from "commander";
import { ConfigError } from "../config/issues";
import { attachFunctionsToVpc } from "./amplify-vpc";
import { UserError } from "./user-error";

/**
 * Exit codes scripts can rely on: 0 success, 1 a check or operation failed, 2 a usage or
 * input mistake (message and fix on stderr, no stack trace).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const processIo: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** The day-2 command line; returns the exit code instead of exiting, for tests. */
export async function run(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command("amplify-dify-vpc")
    .description("Day-2 operations of an Amplify + Dify environment (see README, Operations)")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError();

  program
    .command("amplify-vpc")
    .description("attach Amplify Gen 1 Lambda functions to the VPC in their CloudFormation templates (replaces runbook 3.3)")
    .argument("<repo>", "path of the Amplify Gen 1 app repository")
    .option("-f, --function <name...>", "functions to attach (default: all of the app's functions)")
    .option("--parameter-path <path>", "Parameter Store path of the VPC settings (the config's amplify.lambdaParameterPath)", "/amplify/vpc")
    .option("--check", "write nothing; exit 1 when a template lacks the attachment (for the app's CI)")
    .option("--json", "print the result as JSON")
    .action((repo: string, options: { function?: string[]; parameterPath: string; check?: boolean; json?: boolean }) => {
      const reports = attachFunctionsToVpc({
        repo,
        functions: options.function,
        parameterPath: options.parameterPath,
        check: options.check,
      });
      const incomplete = reports.filter((r) => r.missing.length > 0);
      if (options.json) {
        io.out(`${JSON.stringify({ check: Boolean(options.check), functions: reports }, null, 2)}\n`);
      } else {
        for (const r of reports) {
          const state = r.missing.length === 0 ? "attached already" : options.check ? `missing ${r.missing.join(", ")}` : `attached (added ${r.missing.join(", ")})`;
          io.out(`${r.function.padEnd(24)} ${state}\n`);
        }
        if (options.check && incomplete.length > 0) {
          io.out(`\n${incomplete.length} function(s) not attached: run \`amplify-dify-vpc amplify-vpc ${repo}\` and commit the templates.\n`);
        } else if (!options.check && incomplete.length > 0) {
          io.out(`\nReview and commit the templates; the next \`amplify push\` attaches the functions.\n`);
        }
      }
      if (options.check && incomplete.length > 0) code = EXIT.failed;
    });

  try {
    await program.parseAsync(["node", "amplify-dify-vpc", ...argv]);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UserError) {
      io.err(`error: ${error.message}\n  fix: ${error.fix}\n`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      io.err(`${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

/** Entry point of bin/amplify-dify-vpc.js. */
export function main(): void {
  run(process.argv.slice(2)).then((code) => process.exit(code));
}
