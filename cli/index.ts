import { Argument, Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { attachFunctionsToVpc } from "./amplify-vpc";
import type { AwsProblem } from "./aws-errors";
import { report } from "./checks";
import { opsContext } from "./context";
import { EXIT, exitWhenFlushed } from "./exit";
import { reportFailure } from "./failure";
import { processIo, writeJson, type Io } from "./io";
import { shellLine } from "./shell";
import { UserError } from "./user-error";

export { EXIT } from "./exit";

/**
 * The day-2 command line; returns the exit code instead of exiting, for tests. This is the one
 * place errors end: each becomes a message with its fix and an exit code (see EXIT), or with
 * `--json` the one JSON document on stdout, never a stack trace.
 */
export async function run(argv: readonly string[], io: Io = processIo(argv.includes("--json"))): Promise<number> {
  const json = argv.includes("--json");
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
        writeJson(io, { ok: !(options.check && incomplete.length > 0), check: Boolean(options.check), functions: reports });
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

  /** What a command did without AWS, and why: on stderr, so that stdout stays the plan or guide. */
  const note = (what: string, problem: AwsProblem) => io.err(`note: ${what}: ${problem.message}\n  fix: ${problem.fix}\n`);

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
    .option("-p, --local-port <port>", "local port (default: 8443 for admin, 2222 for ssh)", localPort)
    .option("--instance-id <id>", "the instance to connect to (default: the running one tagged <prefix>-dify); --print then asks AWS nothing", instanceId)
    .option("--print", "print the command instead of starting the session (needs neither the plugin nor, with --instance-id, AWS)")
    .option("--json", "print the plan as JSON instead of starting the session")
    .action(async (kind: "admin" | "ssh", options: { config?: string; localPort?: number; instanceId?: string; print?: boolean; json?: boolean }) => {
      const { planTunnel, startTunnel } = await import("./tunnel");
      const printOnly = Boolean(options.print || options.json);
      const plan = await planTunnel(opsContext(options.config), kind, { localPort: options.localPort, instanceId: options.instanceId, printOnly });
      if (options.json) {
        writeJson(io, { ok: true, ...plan });
        return;
      }
      if (plan.unchecked) {
        const { problem, lookup } = plan.unchecked;
        note(lookup ? "the instance could not be looked up" : "the instance's Systems Manager status could not be checked", problem);
        if (lookup) io.err(`  or find its ID with ${shellLine(lookup)} and pass --instance-id\n`);
      }
      io.out(`${plan.instructions.join("\n")}\n`);
      io.out(`${printOnly ? "" : "Starting: "}${shellLine(plan.command)}\n`);
      if (!printOnly) code = startTunnel(plan);
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
        if (options.json) writeJson(io, { ok: true, ...plan });
        else io.out(`Upgrade Dify ${plan.running} -> ${plan.to} on ${plan.instanceId}:\n${plan.steps.map((s) => `  ${s}`).join("\n")}\n`);
        return;
      }
      const outcome = await runUpgrade(ctx, plan, io);
      code = outcome.result === "upgraded" || outcome.result === "unchanged" ? EXIT.ok : EXIT.failed;
      if (options.json) writeJson(io, { ok: code === EXIT.ok, ...outcome });
      else io.out(`${outcome.result}: ${outcome.detail}${outcome.snapshotId ? ` (snapshot ${outcome.snapshotId})` : ""}\n`);
    });

  program
    .command("cost")
    .description("monthly cost of the synthesized stacks at Tokyo list prices (cost/prices.ts); exit 1 if any resource is unpriced")
    .option("--stacks <dir>", "the synthesized stacks to price", "cdktf.out/stacks")
    .option("-c, --config <file>", "synthesize this customer config first (into a temporary directory) and price it")
    .option("--usage <file>", "what-if usage per month, YAML: <price id>: <quantity>, e.g. cloudfrontJapanGb: 200")
    .option("--json", "print the estimate as JSON")
    .action(async (options: { stacks: string; config?: string; usage?: string; json?: boolean }) => {
      const [{ costReport }, { formatEstimate }, { PRICES }] = await Promise.all([import("./cost"), import("../cost/format"), import("../cost/prices")]);
      const { estimate, usage, variableMonthlyUsd } = costReport({ stacksDir: options.stacks, configFile: options.config, usageFile: options.usage });
      const ok = estimate.unpriced.length === 0;
      if (options.json) {
        writeJson(io, {
          ok,
          ...estimate,
          usagePrices: estimate.usagePrices.map((id) => ({ id, ...PRICES[id] })),
          usage,
          variableMonthlyUsd,
        });
      } else {
        io.out(formatEstimate(estimate));
        if (usage.length > 0) {
          io.out(`\nWith the usage of ${options.usage}:\n${usage.map((u) => `- ${u.id}: ${u.quantity} x ${PRICES[u.id].usd} = ${u.monthlyUsd.toFixed(2)}`).join("\n")}\n`);
          io.out(`Total with usage: ${(estimate.monthlyUsd + variableMonthlyUsd).toFixed(2)} USD/month\n`);
        }
      }
      if (!ok) code = EXIT.failed;
    });

  program
    .command("diagram")
    .description("print the architecture diagram (Markdown with Mermaid) of the synthesized stacks, or of --config synthesized first")
    .option("--stacks <dir>", "the synthesized stacks to draw", "cdktf.out/stacks")
    .option("-c, --config <file>", "synthesize this customer config first (into a temporary directory) and draw it")
    .action(async (options: { stacks: string; config?: string }) => {
      const [{ architectureMarkdown }, { stacksToRead }] = await Promise.all([import("../docs-gen/diagram"), import("./synthesize")]);
      const stacksDir = stacksToRead({ stacksDir: options.stacks, configFile: options.config });
      io.out(architectureMarkdown(stacksDir, options.config ?? stacksDir));
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
        writeJson(io, { ok: true, ...guide });
        return;
      }
      if (guide.snapshotsUnread) note("the data volume's snapshots could not be listed", guide.snapshotsUnread);
      io.out(`Tear down, in this order:\n${guide.steps.map((s, i) => `  ${i + 1}. ${s}`).join("\n")}\n`);
      io.out(`Kept:\n${guide.kept.map((k) => `  - ${k}`).join("\n")}\n`);
    });

  try {
    await program.parseAsync(["node", "amplify-dify-vpc", ...argv]);
    return code;
  } catch (error) {
    // --help and --version end through commander's exit too.
    if (error instanceof CommanderError && error.exitCode === 0) return EXIT.ok;
    return reportFailure(io, error, json).exit;
  }
}

/** Entry point of bin/amplify-dify-vpc.js. */
export function main(): void {
  // The SDK's own switch for its notice that releases after January 2027 need Node 22 (the
  // README says so once). Filtering process.emitWarning by the name NodeVersionSupportWarning
  // never matched: the SDK emits a plain Warning whose text starts with that name.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  void run(process.argv.slice(2)).then(exitWhenFlushed);
}

/** --local-port: a TCP port number. */
function localPort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError("a port is a whole number from 1 to 65535");
  return port;
}

/** --instance-id: an EC2 instance ID, so a typo fails here rather than in Session Manager. */
function instanceId(value: string): string {
  if (!/^i-[0-9a-f]{8,17}$/.test(value)) throw new InvalidArgumentError("an instance ID looks like i-0123456789abcdef0");
  return value;
}
