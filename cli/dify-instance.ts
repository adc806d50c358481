import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeInstanceInformationCommand, GetCommandInvocationCommand, SendCommandCommand, SSMClient } from "@aws-sdk/client-ssm";
import type { OpsContext } from "./context";
import { UserError } from "./user-error";

/** The running Dify instance of the environment, found by its Name tag. */
export async function findDifyInstance(ctx: OpsContext): Promise<{ id: string; privateIp?: string }> {
  const result = await new EC2Client({ region: ctx.region }).send(
    new DescribeInstancesCommand({
      Filters: [
        { Name: "tag:Name", Values: [ctx.names.difyHost] },
        { Name: "instance-state-name", Values: ["running"] },
      ],
    }),
  );
  const instance = result.Reservations?.flatMap((r) => r.Instances ?? [])[0];
  if (!instance?.InstanceId) {
    throw new UserError(
      `no running instance tagged Name=${ctx.names.difyHost} in ${ctx.region}`,
      "deploy the dify stack (or start the instance), and check --config names this environment",
    );
  }
  return { id: instance.InstanceId, privateIp: instance.PrivateIpAddress };
}

/** Systems Manager's view of the instance: Online, ConnectionLost, or unknown (never registered). */
export async function ssmPingStatus(ctx: OpsContext, instanceId: string): Promise<string> {
  const result = await new SSMClient({ region: ctx.region }).send(
    new DescribeInstanceInformationCommand({ Filters: [{ Key: "InstanceIds", Values: [instanceId] }] }),
  );
  return result.InstanceInformationList?.[0]?.PingStatus ?? "not registered";
}

/** Why an instance may not be online in Systems Manager, and what to do. */
export const SSM_OFFLINE_FIX =
  "wait a few minutes after launch; otherwise check the instance role has AmazonSSMManagedInstanceCore and the ssm, ssmmessages and ec2messages endpoints (or NAT) are reachable";

export interface CommandResult {
  /** Systems Manager's status: Success, Failed, TimedOut, Cancelled, ... */
  readonly status: string;
  readonly stdout: string;
  readonly stderr: string;
}

const TERMINAL = new Set(["Success", "Failed", "TimedOut", "Cancelled", "Cancelling", "Undeliverable", "Terminated", "InvalidPlatform", "AccessDenied"]);

/** Runs a shell command on the instance through Run Command and waits for its end. */
export async function runOnInstance(
  ctx: OpsContext,
  instanceId: string,
  command: string,
  options: { timeoutSeconds: number; pollMs?: number; onWait?: (seconds: number) => void },
): Promise<CommandResult> {
  const ssm = new SSMClient({ region: ctx.region });
  const sent = await ssm.send(
    new SendCommandCommand({
      InstanceIds: [instanceId],
      DocumentName: "AWS-RunShellScript",
      Parameters: { commands: [command], executionTimeout: [String(options.timeoutSeconds)] },
      TimeoutSeconds: 600,
      Comment: `amplify-dify-vpc: ${command}`.slice(0, 100),
    }),
  );
  const commandId = sent.Command!.CommandId!;
  const started = Date.now();
  for (;;) {
    try {
      const invocation = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
      if (TERMINAL.has(invocation.Status ?? "")) {
        return { status: invocation.Status!, stdout: invocation.StandardOutputContent ?? "", stderr: invocation.StandardErrorContent ?? "" };
      }
    } catch (error) {
      // Right after SendCommand the invocation may not exist yet.
      if ((error as Error).name !== "InvocationDoesNotExist") throw error;
    }
    const waited = (Date.now() - started) / 1000;
    if (waited > options.timeoutSeconds + 60) return { status: "TimedOut", stdout: "", stderr: "" };
    options.onWait?.(Math.round(waited));
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 5000));
  }
}

/** `KEY=value` pairs from difyctl's output lines (status, result). */
export function keyValues(output: string): Record<string, string> {
  return Object.fromEntries(
    output
      .split(/\s+/)
      .filter((word) => /^[a-z-]+=/.test(word))
      .map((word) => [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)]),
  );
}
