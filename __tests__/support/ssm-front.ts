import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { requestBody } from "./request-body";

/**
 * The instance side of Systems Manager, on 127.0.0.1, in front of moto: moto has no
 * DescribeInstanceInformation and runs no commands, so this server answers those actions
 * (ping status per instance, scripted command output) and passes every other SSM action
 * (parameters) through to moto.
 */
export interface SsmFront {
  readonly endpoint: string;
  /** PingStatus by instance ID; instances not listed are not registered. */
  pingStatus: Record<string, string>;
  /** Output of commands, by the first command line's prefix (e.g. "/usr/local/sbin/difyctl upgrade"). */
  commandOutput: Record<string, { status: string; stdout: string; stderr?: string }>;
  /** Commands sent, in order. */
  readonly sent: string[];
  stop(): Promise<void>;
}

export async function startSsmFront(motoEndpoint: string): Promise<SsmFront> {
  const commands = new Map<string, { instanceId: string; command: string }>();
  const front: Omit<SsmFront, "endpoint" | "stop"> = { pingStatus: {}, commandOutput: {}, sent: [] };
  const server: Server = createServer(async (req, res) => {
    const text = await requestBody(req);
    const action = String(req.headers["x-amz-target"] ?? "").replace("AmazonSSM.", "");
    const input = text ? JSON.parse(text) : {};
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify(payload));
    };
    if (action === "DescribeInstanceInformation") {
      const ids: string[] = input.Filters?.find((f: any) => f.Key === "InstanceIds")?.Values ?? [];
      return reply(200, {
        InstanceInformationList: ids.filter((id) => front.pingStatus[id]).map((id) => ({ InstanceId: id, PingStatus: front.pingStatus[id] })),
      });
    }
    if (action === "SendCommand") {
      const id = `cmd-${commands.size + 1}`;
      const command = input.Parameters.commands[0];
      commands.set(id, { instanceId: input.InstanceIds[0], command });
      front.sent.push(command);
      return reply(200, { Command: { CommandId: id, Status: "Pending" } });
    }
    if (action === "GetCommandInvocation") {
      const sent = commands.get(input.CommandId);
      const scripted = Object.entries(front.commandOutput).find(([prefix]) => sent?.command.startsWith(prefix))?.[1];
      if (!sent) return reply(400, { __type: "InvocationDoesNotExist", message: "no such invocation" });
      const result = scripted ?? { status: "Success", stdout: "" };
      return reply(200, {
        CommandId: input.CommandId,
        InstanceId: sent.instanceId,
        Status: result.status,
        StandardOutputContent: result.stdout,
        StandardErrorContent: result.stderr ?? "",
      });
    }
    // Everything else (GetParameter, ...) is moto's.
    const url = new URL(motoEndpoint);
    const proxied = httpRequest(
      { host: url.hostname, port: url.port, path: req.url, method: req.method, headers: { ...req.headers, host: url.host } },
      (upstream) => {
        res.writeHead(upstream.statusCode ?? 500, upstream.headers);
        upstream.pipe(res);
      },
    );
    proxied.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(front, {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as SsmFront;
}
