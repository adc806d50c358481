import { spawnSync } from "node:child_process";
import { awsProblem, type AwsProblem } from "./aws-errors";
import { findDifyInstance, SSM_OFFLINE_FIX, ssmPingStatus } from "./dify-instance";
import type { OpsContext } from "./context";
import { INSTALL_DOCS, programOutput } from "./external";
import { shellQuote } from "./shell";
import { UserError } from "./user-error";

/** Runbook 2.9: console 80 -> localhost:8443, SSH 22 -> localhost:2222. */
export const TUNNEL_DEFAULTS = { admin: { remote: 80, local: 8443 }, ssh: { remote: 22, local: 2222 } } as const;
export type TunnelKind = keyof typeof TUNNEL_DEFAULTS;

/** Stands for the instance ID in a printed plan whose instance AWS could not be asked for. */
export const INSTANCE_PLACEHOLDER = "<instance-id>";

export interface TunnelOptions {
  readonly localPort?: number;
  /** The instance to connect to, instead of the one found by its Name tag. */
  readonly instanceId?: string;
  /** Only print the plan (--print, --json): the plugin is not needed, nor AWS once the instance is known. */
  readonly printOnly: boolean;
}

export interface TunnelPlan {
  /** null when a printed plan could not look it up: the command then holds INSTANCE_PLACEHOLDER. */
  readonly instanceId: string | null;
  /** `aws` and its arguments. */
  readonly command: readonly string[];
  /** What to do once the session runs. */
  readonly instructions: readonly string[];
  /** Why a printed plan was made without asking AWS, and, when the instance is unknown, the AWS CLI command that finds it. */
  readonly unchecked?: { readonly problem: AwsProblem; readonly lookup?: readonly string[] };
}

/**
 * The `aws ssm start-session` port forward to the Dify instance. Before a session starts it
 * checks what that needs (the Session Manager plugin, the running instance, online in Systems
 * Manager), because start-session's own errors for them are cryptic. A printed plan needs
 * none of it: with --instance-id it asks AWS nothing, and when AWS cannot be asked it is
 * printed with a placeholder and the command that looks the instance up.
 */
export async function planTunnel(ctx: OpsContext, kind: TunnelKind, options: TunnelOptions): Promise<TunnelPlan> {
  if (!options.printOnly && !programOutput("session-manager-plugin", ["--version"])) {
    throw new UserError("the Session Manager plugin is not installed: aws ssm start-session needs it", `install it: ${INSTALL_DOCS.sessionManagerPlugin}`);
  }
  let instanceId = options.instanceId;
  let unchecked: TunnelPlan["unchecked"];
  if (!options.printOnly || !instanceId) {
    try {
      instanceId ??= (await findDifyInstance(ctx)).id;
      const status = await ssmPingStatus(ctx, instanceId);
      if (status !== "Online") throw new UserError(`instance ${instanceId} is ${status} in Systems Manager, so no session can start`, SSM_OFFLINE_FIX);
    } catch (error) {
      const problem = options.printOnly ? awsProblem(error) : undefined;
      if (!problem) throw error;
      unchecked = instanceId ? { problem } : { problem, lookup: lookupCommand(ctx) };
    }
  }
  const target = instanceId ?? INSTANCE_PLACEHOLDER;
  const ports = { remote: TUNNEL_DEFAULTS[kind].remote, local: options.localPort ?? TUNNEL_DEFAULTS[kind].local };
  const command = [
    "aws",
    "ssm",
    "start-session",
    "--region",
    ctx.region,
    "--target",
    target,
    "--document-name",
    "AWS-StartPortForwardingSession",
    "--parameters",
    JSON.stringify({ portNumber: [String(ports.remote)], localPortNumber: [String(ports.local)] }),
  ];
  const instructions =
    kind === "admin"
      ? [
          `Dify console: http://localhost:${ports.local}/  (a new server starts at http://localhost:${ports.local}/install)`,
          `/install asks for INIT_PASSWORD: aws secretsmanager get-secret-value --region ${ctx.region} --secret-id ${ctx.names.difySecret} --query SecretString --output text | jq -r .INIT_PASSWORD`,
        ]
      : [
          `Send a key (valid 60 s): aws ec2-instance-connect send-ssh-public-key --region ${ctx.region} --instance-id ${shellQuote(target)} --instance-os-user ec2-user --ssh-public-key file://$HOME/.ssh/id_ed25519.pub`,
          `Then: ssh -p ${ports.local} ec2-user@localhost`,
        ];
  return {
    instanceId: instanceId ?? null,
    command,
    instructions: [...instructions, "Stop the tunnel with Ctrl-C (sessions also end after the idle timeout)."],
    ...(unchecked ? { unchecked } : {}),
  };
}

/** Runs the plan's session in this terminal; its exit status. */
export function startTunnel(plan: TunnelPlan): number {
  const session = spawnSync(plan.command[0]!, plan.command.slice(1), { stdio: "inherit", env: process.env });
  if ((session.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
    throw new UserError("the AWS CLI (aws) is not installed: the tunnel runs aws ssm start-session", `install AWS CLI v2: ${INSTALL_DOCS.awsCli}`);
  }
  return session.status ?? 1;
}

/** The AWS CLI command that prints the instance ID the lookup by Name tag would find. */
function lookupCommand(ctx: OpsContext): string[] {
  return [
    "aws",
    "ec2",
    "describe-instances",
    "--region",
    ctx.region,
    "--filters",
    `Name=tag:Name,Values=${ctx.names.difyHost}`,
    "Name=instance-state-name,Values=running",
    "--query",
    "Reservations[].Instances[].InstanceId",
    "--output",
    "text",
  ];
}
