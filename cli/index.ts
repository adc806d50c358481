import { spawnSync } from "node:child_process";
import { Argument, Command, CommanderError, Option } from "commander";
import { ConfigError } from "../config/issues";
import { attachFunctionsToVpc } from "./amplify-vpc";
import { report } from "./checks";
import { opsContext } from "./context";
import { processIo, type Io } from "./io";
import { UserError } from "./user-error";

/**
 * Exit codes scripts can rely on: 0 success, 1 a check or operation failed, 2 a usage or
 * input mistake (message and fix on stderr, no stack trace).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The day-2 command line; returns the exit code instead of exiting, for tests. */
export async function run(argv: readonly string[], io: Io = processIo(argv.includes("--json"))): Promise<number> {
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

  const configOption = () => new Option("-c, --config <file>", "the customer config (default: $CUSTOMER_CONFIG)");

  program
    .command("doctor")
    .description("check tools, credentials, account and region before deploying (runbook 0)")
    .addOption(configOption())
    .option("--json", "print the result as JSON")
    .action(async (options: { config?: string; json?: boolean }) => {
      const { doctor } = await import("./doctor");
      code = report(io, await doctor(opsContext(options.config)), Boolean(options.json));
    });

  program
    .command("tunnel")
    .description("forward a local port to the Dify host through Session Manager (runbook 2.9)")
    .addArgument(new Argument("<kind>", "admin: Dify's console on port 80; ssh: port 22").choices(["admin", "ssh"]))
    .addOption(configOption())
    .option("-p, --local-port <port>", "local port (default: 8443 for admin, 2222 for ssh)", (v) => Number(v))
    .option("--print", "print the command instead of starting the session")
    .option("--json", "print the plan as JSON instead of starting the session")
    .action(async (kind: "admin" | "ssh", options: { config?: string; localPort?: number; print?: boolean; json?: boolean }) => {
      const { planTunnel } = await import("./tunnel");
      const plan = await planTunnel(opsContext(options.config), kind, options.localPort);
      if (options.json) {
        io.out(`${JSON.stringify(plan, null, 2)}\n`);
        return;
      }
      io.out(`${plan.instructions.join("\n")}\n`);
      io.out(`${options.print ? "" : "Starting: "}${plan.command.map(shellQuote).join(" ")}\n`);
      if (options.print) return;
      code = spawnSync(plan.command[0]!, plan.command.slice(1), { stdio: "inherit", env: process.env }).status ?? EXIT.failed;
    });

  program
    .command("verify")
    .description("prove the deployed environment works: CloudFront, Dify, CORS, WAF, ALB, SSM, alarms (runbook 2.7, 6)")
    .addOption(configOption())
    .option("--url <url>", "public base URL (default: the distribution found by its comment)")
    .option("--origin <origin>", "the app's origin for the CORS check (default: the Amplify branch URL)")
    .option("--json", "print the result as JSON")
    .action(async (options: { config?: string; url?: string; origin?: string; json?: boolean }) => {
      const { awsChecks, discoverTargets, httpChecks } = await import("./verify");
      const ctx = opsContext(options.config);
      const progress = io.progress("checking the deployed environment");
      const targets = await discoverTargets(ctx, options.url, options.origin);
      if (!targets.url) {
        progress.failed("no distribution found");
        throw new UserError(`no CloudFront distribution with comment "${ctx.names.distributionComment}"`, "deploy the edge stack, or pass --url");
      }
      const results = [
        ...(await httpChecks({ url: targets.url, origin: targets.origin, largeBodyPaths: ctx.loaded.config.edge.waf.largeBodyPaths })),
        ...(await awsChecks(ctx)),
      ];
      progress.done(`checked ${targets.url}`);
      code = report(io, results, Boolean(options.json));
    });

  program
    .command("upgrade")
    .description("upgrade Dify on the host: snapshot the data volume, upgrade, roll back on failure")
    .requiredOption("--to <version>", "the release to run; must be the config's dify.version, applied")
    .addOption(configOption())
    .option("--dry-run", "print the plan and change nothing")
    .option("--json", "print the plan or the outcome as JSON")
    .action(async (options: { to: string; config?: string; dryRun?: boolean; json?: boolean }) => {
      const { planUpgrade, runUpgrade } = await import("./upgrade");
      const ctx = opsContext(options.config);
      const plan = await planUpgrade(ctx, options.to);
      if (options.dryRun) {
        io.out(options.json ? `${JSON.stringify(plan, null, 2)}\n` : `Upgrade Dify ${plan.running} -> ${plan.to} on ${plan.instanceId}:\n${plan.steps.map((s) => `  ${s}`).join("\n")}\n`);
        return;
      }
      const outcome = await runUpgrade(ctx, plan, io);
      io.out(options.json ? `${JSON.stringify(outcome, null, 2)}\n` : `${outcome.result}: ${outcome.detail}${outcome.snapshotId ? ` (snapshot ${outcome.snapshotId})` : ""}\n`);
      code = outcome.result === "upgraded" || outcome.result === "unchanged" ? EXIT.ok : EXIT.failed;
    });

  program
    .command("destroy")
    .description("print the teardown in the right order (runbook 8); data and state are kept unless asked")
    .addOption(configOption())
    .option("--delete-snapshots", "include deleting the data volume's snapshots")
    .option("--include-state", "include removing the state bucket and lock table")
    .option("--json", "print the guide as JSON")
    .action(async (options: { config?: string; deleteSnapshots?: boolean; includeState?: boolean; json?: boolean }) => {
      const { destroyGuide } = await import("./destroy");
      const guide = await destroyGuide(opsContext(options.config), {
        deleteSnapshots: Boolean(options.deleteSnapshots),
        includeState: Boolean(options.includeState),
      });
      if (options.json) {
        io.out(`${JSON.stringify(guide, null, 2)}\n`);
        return;
      }
      io.out(`Tear down, in this order:\n${guide.steps.map((s, i) => `  ${i + 1}. ${s}`).join("\n")}\n`);
      io.out(`Kept:\n${guide.kept.map((k) => `  - ${k}`).join("\n")}\n`);
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
  // The AWS SDK announces that releases after January 2027 need Node 22 on every run; the
  // README says so once instead.
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const name = typeof warning === "string" ? (rest[0] as string | { type?: string } | undefined) : warning.name;
    if (name === "NodeVersionSupportWarning" || (typeof name === "object" && name?.type === "NodeVersionSupportWarning")) return;
    (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
  run(process.argv.slice(2)).then((code) => process.exit(code));
}

/** A shell word for a printed command line. */
function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}
