import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { CreateTargetGroupCommand, ElasticLoadBalancingV2Client, RegisterTargetsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { EXIT } from "../cli/index";
import { httpChecks } from "../cli/verify";
import { DEFAULT_LARGE_BODY_PATHS } from "../config/edge-schema";
import { cli } from "./support/cli";
import { REGION, motoConfigFile, startOpsWorld, type OpsWorld } from "./support/ops-world";
import type { SsmFront } from "./support/ssm-front";

// verify against real HTTP servers on 127.0.0.1 standing in for CloudFront + WAF + Dify, honest
// or fooling verify in one way each, and moto's server (with the SSM front) for the AWS checks.

const ORIGIN = "https://main.d1a2b3c4d5e6f7.amplifyapp.com";
let world: OpsWorld;
let ssmFront: SsmFront;
let instanceId: string;


beforeAll(async () => {
  world = await startOpsWorld();
  ({ ssmFront, instanceId } = world);
  const vpc = world.vpcId;
  const elb = new ElasticLoadBalancingV2Client({ region: REGION });
  const group = await elb.send(new CreateTargetGroupCommand({ Name: "example-prod-dify", Protocol: "HTTP", Port: 80, VpcId: vpc, TargetType: "instance" }));
  await elb.send(new RegisterTargetsCommand({ TargetGroupArn: group.TargetGroups![0]!.TargetGroupArn, Targets: [{ Id: instanceId, Port: 80 }] }));
  // Customer "empty": its target group exists and has nothing registered.
  await elb.send(new CreateTargetGroupCommand({ Name: "empty-prod-dify", Protocol: "HTTP", Port: 80, VpcId: vpc, TargetType: "instance" }));
  await new CloudWatchClient({ region: REGION }).send(
    new PutMetricAlarmCommand({
      AlarmName: "example-prod-dify-memory",
      Namespace: "CWAgent",
      MetricName: "mem_used_percent",
      Statistic: "Average",
      Period: 300,
      EvaluationPeriods: 2,
      Threshold: 90,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
    }),
  );
}, 60_000);

afterAll(async () => {
  await world?.stop();
});

beforeEach(() => {
  ssmFront.pingStatus = { [instanceId]: "Online" };
});

/** A server's answer to one request; `size` is the request body's length in bytes (already read). */
type Handler = (req: IncomingMessage, res: ServerResponse, size: number) => void;

const pathOf = (req: IncomingMessage) => new URL(req.url ?? "/", "http://x").pathname;
const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { "content-type": "application/json" }).end(`${JSON.stringify(body)}\n`);

/** WAF's answer to a large body outside edge.waf.largeBodyPaths, as CloudFront sends it. */
const outsideLargeBodyPaths = (req: IncomingMessage) => !DEFAULT_LARGE_BODY_PATHS.some((p) => pathOf(req).startsWith(p));
const wafBlocks = (req: IncomingMessage, size: number) => size > 8192 && outsideLargeBodyPaths(req);
const blocked = (res: ServerResponse) =>
  res.writeHead(403, { server: "CloudFront", "x-cache": "Error from cloudfront", "content-type": "text/html" }).end("<html><h1>403 ERROR</h1>Request blocked.</html>");

/** flask-cors on Dify's service API: exactly the request's Origin, Vary: Origin, the requested headers it allows. */
const difyPreflight = (req: IncomingMessage, res: ServerResponse) =>
  res
    .writeHead(200, {
      "access-control-allow-origin": String(req.headers.origin),
      "access-control-allow-headers": "authorization, content-type",
      "access-control-allow-methods": "DELETE, GET, OPTIONS, PATCH, POST, PUT",
      vary: "Origin",
      "content-type": "text/html; charset=utf-8",
    })
    .end();

/** Dify 1.16.1 behind its nginx: the api's ping, the web's / -> /apps, 401 without an API key, 404 elsewhere. */
const dify: Handler = (req, res) => {
  const path = pathOf(req);
  if (req.method === "OPTIONS" && path.startsWith("/v1/")) return difyPreflight(req, res);
  if (req.method === "GET" && path === "/console/api/ping") return json(res, 200, { result: "pong" });
  if (req.method === "GET" && path === "/") return res.writeHead(307, { location: "/apps" }).end();
  if (req.method === "GET" && path === "/apps") return res.writeHead(200, { "content-type": "text/html" }).end("<!DOCTYPE html><html>Dify</html>");
  if (req.method === "POST" && DEFAULT_LARGE_BODY_PATHS.includes(path)) {
    return json(res, 401, { code: "unauthorized", message: "Authorization header must be provided and start with 'Bearer'", status: 401 });
  }
  return json(res, 404, { code: "not_found", message: "The requested URL was not found on the server.", status: 404 });
};

/** CloudFront + WAF + Dify as deployed. */
const honest: Handler = (req, res, size) => (wafBlocks(req, size) ? blocked(res) : dify(req, res, size));

/** Honest but for the preflight, answered 200 with `headers`. */
const cors = (headers: Record<string, string>): Handler => (req, res, size) =>
  req.method === "OPTIONS" ? res.writeHead(200, headers).end() : honest(req, res, size);
/** What flask-cors sends besides the allow-origin. */
const DIFY_HEADERS = { "access-control-allow-headers": "authorization, content-type", vary: "Origin" };

async function serve(handler: Handler): Promise<{ url: string; close: () => void }> {
  const server = createServer(async (req, res) => {
    let size = 0;
    for await (const chunk of req) size += (chunk as Buffer).length;
    handler(req, res, size);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** `verify --json` against `handler`, with the checks by name. */
async function verify(handler: Handler, change?: (data: Record<string, any>) => void) {
  const { url, close } = await serve(handler);
  try {
    const result = await cli("verify", "--config", motoConfigFile(change), "--url", url, "--origin", ORIGIN, "--json");
    return { ...result, url, checks: Object.fromEntries(JSON.parse(result.out).checks.map((c: any) => [c.check, c])) };
  } finally {
    close();
  }
}

describe("an honest CloudFront + WAF + Dify", () => {
  test("passes every check, each with what it saw", async () => {
    const result = await verify(honest);
    expect(Object.keys(result.checks)).toEqual([
      "Dify answers through CloudFront",
      "GET / answers",
      "CORS preflight from the app",
      "large body on an allowed path",
      "large body elsewhere is blocked",
      "ALB targets healthy",
      "instance online in SSM",
      "no alarm in ALARM",
    ]);
    expect(Object.values(result.checks).filter((c: any) => !c.ok)).toEqual([]);
    expect(result.checks["Dify answers through CloudFront"].detail).toBe('GET /console/api/ping: 200 {"result": "pong"}');
    expect(result.checks["GET / answers"].detail).toBe("HTTP 307 -> /apps, then HTTP 200");
    expect(result.checks["CORS preflight from the app"].detail).toBe(
      `OPTIONS /v1/chat-messages from ${ORIGIN}: HTTP 200, allow-origin matches, Vary: Origin, allows authorization, content-type`,
    );
    expect(result.checks["large body on an allowed path"].detail).toBe("POST /v1/chat-messages: 10 KB HTTP 401, small HTTP 401: not blocked by WAF");
    expect(result.checks["large body elsewhere is blocked"].detail).toBe(
      "POST /v1/amplify-dify-vpc-verify: 10 KB HTTP 403, small HTTP 404: only the large body is blocked by WAF",
    );
    expect(result.checks["ALB targets healthy"].detail).toBe(`${instanceId}: healthy`);
    expect(result.code).toBe(EXIT.ok);
  });

  test("a readable report", async () => {
    const { url, close } = await serve(honest);
    const result = await cli("verify", "--config", motoConfigFile(), "--url", url, "--origin", ORIGIN);
    close();
    expect(result.out).toMatch(/^PASS {2}Dify answers through CloudFront +GET \/console\/api\/ping: 200 \{"result": "pong"\}$/m);
    expect(result.out).toMatch(/^PASS {2}large body elsewhere is blocked +POST \/v1\/amplify-dify-vpc-verify: 10 KB HTTP 403, small HTTP 404/m);
    expect(result.out).toContain("All 8 checks passed.");
    expect(result.code).toBe(EXIT.ok);
  });
});

describe("each way to fool verify fails it, with what was seen", () => {
  test("1. the origin refuses every POST with 403: the small-body control is 403 too, so the 403 proves nothing", async () => {
    const result = await verify((req, res, size) => (req.method === "POST" ? blocked(res) : honest(req, res, size)));
    expect(result.checks["large body elsewhere is blocked"]).toEqual({
      check: "large body elsewhere is blocked",
      ok: false,
      detail: "POST /v1/amplify-dify-vpc-verify: 10 KB HTTP 403, small HTTP 403 too: every POST here is refused, so the 403 proves nothing about the size rule",
      fix: "something refuses small bodies on this path too: the WAF logs (us-east-1) name the terminating rule; otherwise check the distribution and Dify",
    });
    expect(result.checks["large body on an allowed path"]).toMatchObject({ ok: false, detail: "POST /v1/chat-messages: 10 KB HTTP 403, small HTTP 403" });
    expect(result.code).toBe(EXIT.failed);
  });

  test("1. only outside the large-body paths: still the control, and nothing else fails", async () => {
    const result = await verify((req, res, size) => (req.method === "POST" && outsideLargeBodyPaths(req) ? blocked(res) : honest(req, res, size)));
    expect(result.checks["large body elsewhere is blocked"]).toMatchObject({
      ok: false,
      detail: "POST /v1/amplify-dify-vpc-verify: 10 KB HTTP 403, small HTTP 403 too: every POST here is refused, so the 403 proves nothing about the size rule",
    });
    expect(Object.values(result.checks).filter((c: any) => !c.ok)).toHaveLength(1);
  });

  test("2. a 500 is not 'not 403': ping must be 200, the POSTs Dify's 4xx", async () => {
    const result = await verify((req, res, size) => (wafBlocks(req, size) ? blocked(res) : json(res, 500, { message: "Internal Server Error" })));
    expect(result.checks["Dify answers through CloudFront"]).toMatchObject({ ok: false, detail: "GET /console/api/ping: HTTP 500, not 200" });
    expect(result.checks["GET / answers"]).toMatchObject({ ok: false, detail: "HTTP 500, not 200" });
    expect(result.checks["large body on an allowed path"]).toEqual({
      check: "large body on an allowed path",
      ok: false,
      detail: "POST /v1/chat-messages: 10 KB HTTP 500, small HTTP 500: not Dify's refusal (a 4xx other than 403)",
      fix: "Dify did not answer: see the ALB check below and `difyctl status` on the host",
    });
    expect(result.checks["large body elsewhere is blocked"]).toMatchObject({
      ok: false,
      detail:
        "POST /v1/amplify-dify-vpc-verify: 10 KB HTTP 403, small HTTP 500: the small-body control must get Dify's refusal (a 4xx other than 403), so the 403 proves nothing about the size rule",
    });
    expect(result.code).toBe(EXIT.failed);
  });

  test("3. a redirect to another host is not followed and names its Location", async () => {
    const result = await verify((req, res, size) =>
      wafBlocks(req, size) ? blocked(res) : res.writeHead(301, { location: `https://elsewhere.example${req.url}` }).end(),
    );
    expect(result.checks["Dify answers through CloudFront"]).toMatchObject({
      ok: false,
      detail: "GET /console/api/ping: HTTP 301 redirect to https://elsewhere.example/console/api/ping (verify follows no redirect)",
    });
    expect(result.checks["GET / answers"]).toMatchObject({ ok: false, detail: `HTTP 301 redirect to https://elsewhere.example/, away from ${result.url}: not followed` });
    expect(result.checks["CORS preflight from the app"]).toMatchObject({
      ok: false,
      detail: `OPTIONS /v1/chat-messages from ${ORIGIN}: HTTP 301 redirect to https://elsewhere.example/v1/chat-messages (verify follows no redirect)`,
    });
    expect(result.checks["large body on an allowed path"]).toMatchObject({
      ok: false,
      detail:
        "POST /v1/chat-messages: 10 KB HTTP 301 redirect to https://elsewhere.example/v1/chat-messages, small HTTP 301 redirect to https://elsewhere.example/v1/chat-messages: not Dify's refusal (a 4xx other than 403)",
    });
    expect(result.checks["large body elsewhere is blocked"]).toMatchObject({
      ok: false,
      detail:
        "POST /v1/amplify-dify-vpc-verify: 10 KB HTTP 403, small HTTP 301 redirect to https://elsewhere.example/v1/amplify-dify-vpc-verify: the small-body control must get Dify's refusal (a 4xx other than 403), so the 403 proves nothing about the size rule",
    });
  });

  test("3. a redirect on the same host is followed, named; one off it after that fails", async () => {
    const result = await verify((req, res, size) =>
      pathOf(req) === "/apps" ? res.writeHead(302, { location: "https://login.elsewhere.example/sso" }).end() : honest(req, res, size),
    );
    expect(result.checks["GET / answers"]).toEqual({
      check: "GET / answers",
      ok: false,
      detail: `HTTP 307 -> /apps, then HTTP 302 redirect to https://login.elsewhere.example/sso, away from ${result.url}: not followed`,
      fix: "Dify's web redirects / to /apps on its own host: check the distribution's origin and behaviours, and Dify's public URL settings (the edge stack's CONSOLE_WEB_URL, APP_WEB_URL)",
    });
    expect(Object.values(result.checks).filter((c: any) => !c.ok)).toHaveLength(1);
  });

  test.each<[string, Record<string, string>, string]>([
    ["a wildcard", { ...DIFY_HEADERS, "access-control-allow-origin": "*" }, `HTTP 200: allow-origin *, not ${ORIGIN}`],
    ["another origin", { ...DIFY_HEADERS, "access-control-allow-origin": "https://evil.example" }, `HTTP 200: allow-origin https://evil.example, not ${ORIGIN}`],
    ["no allow-origin", DIFY_HEADERS, "HTTP 200: allow-origin missing"],
    ["the origin without Vary: Origin", { "access-control-allow-origin": ORIGIN, "access-control-allow-headers": "authorization, content-type" }, "HTTP 200: no Vary: Origin"],
    ["headers a browser would refuse", { "access-control-allow-origin": ORIGIN, vary: "Origin", "access-control-allow-headers": "*" }, "HTTP 200: allow-headers without authorization"],
  ])("4. CORS: %s fails", async (_, headers, problem) => {
    const result = await verify(cors(headers));
    expect(result.checks["CORS preflight from the app"]).toMatchObject({ ok: false, detail: `OPTIONS /v1/chat-messages from ${ORIGIN}: ${problem}` });
    expect(result.code).toBe(EXIT.failed);
  });

  test("4. CORS: a 500 with the right headers is still a failed preflight", async () => {
    const result = await verify((req, res, size) =>
      req.method === "OPTIONS" ? res.writeHead(500, { "access-control-allow-origin": ORIGIN, ...DIFY_HEADERS }).end() : honest(req, res, size),
    );
    expect(result.checks["CORS preflight from the app"].detail).toBe(`OPTIONS /v1/chat-messages from ${ORIGIN}: HTTP 500: not 2xx`);
  });

  const ping = (type: string, body: string): Handler => (req, res, size) =>
    pathOf(req) === "/console/api/ping" ? res.writeHead(200, { "content-type": type }).end(body) : honest(req, res, size);
  test.each<[string, Handler, string]>([
    ["an HTML page that says pong", ping("text/html", '<html><body>{"result": "pong"}</body></html>'), "HTTP 200 text/html, not application/json"],
    ["JSON that is not exactly pong", ping("application/json", '{"result": "pong", "from": "a stub"}'), 'HTTP 200, body "{\\"result\\": \\"pong\\", \\"from\\": \\"a stub\\"}" is not {"result": "pong"}'],
    ["not JSON at all, labelled JSON", ping("application/json; charset=utf-8", "pong"), 'HTTP 200, body "pong" is not {"result": "pong"}'],
  ])("5. ping: %s fails", async (_, handler, problem) => {
    const result = await verify(handler);
    expect(result.checks["Dify answers through CloudFront"]).toEqual({
      check: "Dify answers through CloudFront",
      ok: false,
      detail: `GET /console/api/ping: ${problem}`,
      fix: "this is not Dify's api answering: check the distribution's origin (the ALB) and the ALB listener",
    });
  });

  test("6. an endless body: verify reads 64 KB, stops and fails", async () => {
    let sent = 0;
    let stopped = false;
    const result = await verify((req, res, size) => {
      if (pathOf(req) !== "/console/api/ping") return honest(req, res, size);
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(16 * 1024, "x");
      const more = () => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once("drain", more);
      };
      res.on("close", () => (stopped = true));
      more();
    });
    expect(result.checks["Dify answers through CloudFront"]).toMatchObject({ ok: false, detail: "GET /console/api/ping: HTTP 200, body over 64 KB (stopped reading)" });
    expect(stopped).toBe(true);
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });

  test("6. a body that never ends, or no answer at all: each request gives up at its timeout", async () => {
    const { url, close } = await serve((req, res, size) => {
      const path = pathOf(req);
      if (path === "/console/api/ping") return void res.writeHead(200, { "content-type": "application/json" }).write('{"result": ');
      if (path === "/") return; // never answers
      honest(req, res, size);
    });
    const started = Date.now();
    const results = await httpChecks({ url, origin: ORIGIN, largeBodyPaths: DEFAULT_LARGE_BODY_PATHS, timeoutMs: 300 });
    close();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(results[0]).toMatchObject({ ok: false, detail: "GET /console/api/ping: HTTP 200, body unfinished after 0.3 s" });
    expect(results[1]).toMatchObject({ ok: false, detail: "no answer within 0.3 s" });
    expect(results.slice(2).filter((r) => !r.ok)).toEqual([]);
  });

  test("7. a target group with no target registered fails 'ALB targets healthy'", async () => {
    const result = await verify(honest, (d) => (d.customer = "empty"));
    expect(result.checks["ALB targets healthy"]).toEqual({
      check: "ALB targets healthy",
      ok: false,
      detail: "no target registered in empty-prod-dify",
      fix: "the dify stack registers the instance: apply it (npx cdktf deploy dify); an instance replaced outside Terraform is not registered",
    });
    expect(result.code).toBe(EXIT.failed);
  });
});

describe("what verify has always caught", () => {
  test("WAF blocking a large transcript on /v1/chat-messages", async () => {
    const result = await verify((req, res, size) => (size > 8192 ? blocked(res) : honest(req, res, size)));
    expect(result.checks["large body on an allowed path"]).toEqual({
      check: "large body on an allowed path",
      ok: false,
      detail: "POST /v1/chat-messages: 10 KB HTTP 403, small HTTP 401",
      fix: "WAF blocks it: check edge.waf.largeBodyPaths and the LargeBodyOnlyOnAllowedPaths rule",
    });
    expect(result.code).toBe(EXIT.failed);
  });

  test("WAF letting large bodies through everywhere", async () => {
    const result = await verify(dify);
    expect(result.checks["large body elsewhere is blocked"]).toMatchObject({
      ok: false,
      detail: "POST /v1/amplify-dify-vpc-verify: 10 KB HTTP 404, small HTTP 404",
      fix: expect.stringContaining("the size rule no longer protects other paths"),
    });
  });

  test("a 502 from the ALB, with where to look", async () => {
    const result = await verify((req, res, size) => (wafBlocks(req, size) ? blocked(res) : res.writeHead(502).end("<html>502 Bad Gateway</html>")));
    expect(result.checks["Dify answers through CloudFront"]).toMatchObject({
      ok: false,
      detail: "GET /console/api/ping: HTTP 502, not 200",
      fix: expect.stringContaining("no healthy target"),
    });
  });

  test("an offline instance and an alarm in ALARM", async () => {
    ssmFront.pingStatus = {};
    const cloudwatch = new CloudWatchClient({ region: REGION });
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: "example-prod-dify-memory", StateValue: "ALARM", StateReason: "test" }));
    const result = await verify(honest);
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: "example-prod-dify-memory", StateValue: "OK", StateReason: "test" }));
    expect(result.checks["instance online in SSM"]).toMatchObject({ ok: false, detail: `${instanceId}: not registered` });
    expect(result.checks["no alarm in ALARM"]).toMatchObject({ ok: false, detail: "example-prod-dify-memory" });
  });

  test("a failed check in the readable report, with its fix", async () => {
    const { url, close } = await serve(cors(DIFY_HEADERS));
    const result = await cli("verify", "--config", motoConfigFile(), "--url", url, "--origin", ORIGIN);
    close();
    expect(result.out).toMatch(/^FAIL {2}CORS preflight from the app +OPTIONS \/v1\/chat-messages from \S+: HTTP 200: allow-origin missing$/m);
    expect(result.out).toMatch(/^ +fix: Dify's service API answers a preflight with exactly the request's Origin and Vary: Origin/m);
    expect(result.out).toContain("1 of 8 checks failed.");
    expect(result.code).toBe(EXIT.failed);
  });
});
