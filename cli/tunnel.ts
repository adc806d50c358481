import { findDifyInstance, SSM_OFFLINE_FIX, ssmPingStatus } from "./dify-instance";
import type { OpsContext } from "./context";
import { programOutput } from "./external";
import { UserError } from "./user-error";

/** Runbook 2.9: console 80 -> localhost:8443, SSH 22 -> localhost:2222. */
export const TUNNEL_DEFAULTS = { admin: { remote: 80, local: 8443 }, ssh: { remote: 22, local: 2222 } } as const;
export type TunnelKind = keyof typeof TUNNEL_DEFAULTS;

export interface TunnelPlan {
  readonly instanceId: string;
  /** `aws` and its arguments. */
  readonly command: readonly string[];
  /** What to do once the session runs. */
  readonly instructions: readonly string[];
}

/**
 * The `aws ssm start-session` port forward to the Dify instance, after checking what it needs:
 * the Session Manager plugin, a running instance, online in Systems Manager.
 */
export async function planTunnel(ctx: OpsContext, kind: TunnelKind, localPort?: number): Promise<TunnelPlan> {
  if (!programOutput("session-manager-plugin", ["--version"])) {
    throw new UserError(
      "the Session Manager plugin is not installed: aws ssm start-session needs it",
      "install it: https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html",
    );
  }
  const instance = await findDifyInstance(ctx);
  const status = await ssmPingStatus(ctx, instance.id);
  if (status !== "Online") {
    throw new UserError(`instance ${instance.id} is ${status} in Systems Manager, so no session can start`, SSM_OFFLINE_FIX);
  }
  const ports = { remote: TUNNEL_DEFAULTS[kind].remote, local: localPort ?? TUNNEL_DEFAULTS[kind].local };
  const command = [
    "aws",
    "ssm",
    "start-session",
    "--region",
    ctx.region,
    "--target",
    instance.id,
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
          `Send a key (valid 60 s): aws ec2-instance-connect send-ssh-public-key --region ${ctx.region} --instance-id ${instance.id} --instance-os-user ec2-user --ssh-public-key file://$HOME/.ssh/id_ed25519.pub`,
          `Then: ssh -p ${ports.local} ec2-user@localhost`,
        ];
  return { instanceId: instance.id, command, instructions: [...instructions, "Stop the tunnel with Ctrl-C (sessions also end after the idle timeout)."] };
}
