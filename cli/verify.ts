import { isDeepStrictEqual } from "node:util";
import { AmplifyClient, ListAppsCommand } from "@aws-sdk/client-amplify";
import { CloudFrontClient, ListDistributionsCommand } from "@aws-sdk/client-cloudfront";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { DIFY_HEALTH_PATH } from "../config/dify-paths";
import { awsProblem } from "./aws-errors";
import { fail, pass, type CheckResult } from "./checks";
import type { OpsContext } from "./context";
import { findDifyInstance, SSM_OFFLINE_FIX, ssmPingStatus } from "./dify-instance";
import { isAnswer, isRedirect, probe, redirectText, type Answer, type Reply } from "./http-probe";

/** The Core Rule Set's size rule fires above 8 KB; the large probe sends a little more. */
const LARGE_BODY_BYTES = 10 * 1024;
/** A path no Dify version serves and no config lists as a large-body path. */
export const NOT_LARGE_BODY_PATH = "/v1/amplify-dify-vpc-verify";
/** Same-origin redirects GET / may take (Dify's web sends / to /apps). */
const MAX_REDIRECTS = 5;
/** Exactly what Dify's api answers on /console/api/ping (api/controllers/console/ping.py). */
const PONG = { result: "pong" };

export interface HttpTargets {
  /** Public base URL, e.g. https://d111.cloudfront.net */
  readonly url: string;
  /** The Amplify app's origin, for the CORS preflight; undefined skips that check. */
  readonly origin?: string;
  /** The config's edge.waf.largeBodyPaths. */
  readonly largeBodyPaths: readonly string[];
  /** Milliseconds per request, headers and body. @default REQUEST_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

/** The media type of a Content-Type, without parameters: "application/json". */
const mediaType = (headers: Headers) => (headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
/** A header's comma-separated values, lower case. */
const tokens = (headers: Headers, name: string) =>
  (headers.get(name) ?? "")
    .split(",")
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
const excerpt = (text: string) => JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text);
/** Dify refusing a request it has no credentials for (401) or no route for (404, 405): a 4xx other than WAF's 403. */
const isDifyRefusal = (status: number) => status >= 400 && status < 500 && status !== 403;
const statusOf = (reply: Reply) => (isAnswer(reply) ? (isRedirect(reply.status) ? redirectText(reply) : `HTTP ${reply.status}`) : reply.problem);

/** What is wrong with the ping's answer; undefined when it is Dify's 200 {"result": "pong"}. */
function pingProblem(reply: Reply): string | undefined {
  if (!isAnswer(reply)) return reply.problem;
  if (isRedirect(reply.status)) return `${redirectText(reply)} (verify follows no redirect)`;
  if (reply.status !== 200) return `HTTP ${reply.status}, not 200`;
  const type = mediaType(reply.headers);
  if (type !== "application/json") return `HTTP 200 ${type || "without a Content-Type"}, not application/json`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(reply.body);
  } catch {
    parsed = undefined;
  }
  return isDeepStrictEqual(parsed, PONG) ? undefined : `HTTP 200, body ${excerpt(reply.body)} is not {"result": "pong"}`;
}

/** GET /, following redirects that stay on the distribution's origin, each one named. */
async function rootCheck(base: string, timeoutMs: number | undefined): Promise<CheckResult> {
  const name = "GET / answers";
  const origin = new URL(base).origin;
  const hops: string[] = [];
  const said = (last: string) => [...hops, last].join(", then ");
  const broken = (detail: string) => fail(name, detail, "Dify's web container serves /: check `docker compose ps` on the host");
  const away = (detail: string) =>
    fail(name, detail, "Dify's web redirects / to /apps on its own host: check the distribution's origin and behaviours, and Dify's public URL settings (the edge stack's CONSOLE_WEB_URL, APP_WEB_URL)");
  let current = `${base}/`;
  for (;;) {
    const reply = await probe(current, { timeoutMs });
    if (!isAnswer(reply)) return broken(said(reply.problem));
    if (reply.status === 200) return pass(name, said("HTTP 200"));
    if (!isRedirect(reply.status)) return broken(said(`HTTP ${reply.status}, not 200`));
    const location = reply.headers.get("location");
    if (location === null) return away(said(redirectText(reply)));
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      return away(said(`${redirectText(reply)}, not a URL`));
    }
    if (next.origin !== origin) return away(said(`${redirectText(reply)}, away from ${origin}: not followed`));
    if (hops.length === MAX_REDIRECTS) return away(said(`${redirectText(reply)}: more than ${MAX_REDIRECTS} redirects, not followed`));
    hops.push(`HTTP ${reply.status} -> ${location}`);
    current = next.href;
  }
}

/**
 * What is wrong with the preflight's answer, measured against Dify's service API: its flask-cors
 * answers 200 with Access-Control-Allow-Origin set to exactly the request's Origin, Vary: Origin,
 * and the requested headers it allows; it sets no Access-Control-Allow-Credentials on /v1.
 */
function preflightProblems(answer: Answer, origin: string): string[] {
  const problems: string[] = [];
  if (answer.status < 200 || answer.status > 299) problems.push("not 2xx");
  const allowed = answer.headers.get("access-control-allow-origin");
  if (allowed === null) problems.push("allow-origin missing");
  else if (allowed !== origin) problems.push(`allow-origin ${allowed}, not ${origin}`);
  // Whenever the answer depends on Origin a cache must know it, or it hands one origin's answer to another.
  if (allowed !== null && !tokens(answer.headers, "vary").includes("origin")) problems.push("no Vary: Origin");
  // A browser sends the request only if both requested headers are allowed (a wildcard never covers Authorization).
  const headers = tokens(answer.headers, "access-control-allow-headers");
  const missing = ["authorization", "content-type"].filter((h) => !headers.includes(h) && !(h === "content-type" && headers.includes("*")));
  if (missing.length > 0) problems.push(`allow-headers without ${missing.join(", ")}`);
  return problems;
}

/** The status of a plain answer; undefined for no answer or a redirect. */
const plainStatus = (reply: Reply) => (isAnswer(reply) && !isRedirect(reply.status) ? reply.status : undefined);
const sizes = (path: string, large: Reply, small: Reply) => `POST ${path}: 10 KB ${statusOf(large)}, small ${statusOf(small)}`;

/** A large body on a path that may take one gets Dify's own refusal (no credentials are sent), the same as a small body. */
function allowedPathCheck(path: string, large: Reply, small: Reply): CheckResult {
  const name = "large body on an allowed path";
  const detail = sizes(path, large, small);
  const [big, control] = [plainStatus(large), plainStatus(small)];
  if (big !== undefined && isDifyRefusal(big) && big === control) return pass(name, `${detail}: not blocked by WAF`);
  if (big === 403) return fail(name, detail, "WAF blocks it: check edge.waf.largeBodyPaths and the LargeBodyOnlyOnAllowedPaths rule");
  if (big !== undefined && isDifyRefusal(big) && control !== undefined && isDifyRefusal(control)) {
    return fail(name, `${detail}: the size changes the answer`, "something between the viewer and Dify treats large bodies differently: check the distribution's behaviour for this path and the WAF logs (us-east-1)");
  }
  return fail(
    name,
    `${detail}: not Dify's refusal (a 4xx other than 403)`,
    big !== undefined && big >= 500
      ? "Dify did not answer: see the ALB check below and `difyctl status` on the host"
      : "the request did not reach Dify as sent: check the distribution's behaviour for this path and the WAF logs (us-east-1)",
  );
}

/** A large body elsewhere gets WAF's 403, and only because of its size: a small body on the same path is not refused with 403. */
function elsewhereCheck(large: Reply, small: Reply): CheckResult {
  const name = "large body elsewhere is blocked";
  const detail = sizes(NOT_LARGE_BODY_PATH, large, small);
  const [big, control] = [plainStatus(large), plainStatus(small)];
  if (big !== 403) {
    return fail(
      name,
      detail,
      big !== undefined && big < 500
        ? "the size rule no longer protects other paths: check the web ACL's rules (SizeRestrictions_BODY must be counted, then blocked by label)"
        : "no answer to judge WAF by: see the checks above, then the ALB check below",
    );
  }
  if (control !== undefined && isDifyRefusal(control)) return pass(name, `${detail}: only the large body is blocked by WAF`);
  const fix = "something refuses small bodies on this path too: the WAF logs (us-east-1) name the terminating rule; otherwise check the distribution and Dify";
  return control === 403
    ? fail(name, `${detail} too: every POST here is refused, so the 403 proves nothing about the size rule`, fix)
    : fail(name, `${detail}: the small-body control must get Dify's refusal (a 4xx other than 403), so the 403 proves nothing about the size rule`, fix);
}

/**
 * Runbook 2.7 and 6 made real: what a browser and the app see through CloudFront and WAF. Each
 * check requires Dify's own answer (status, and body where it matters), follows no redirect off
 * the distribution, reads at most MAX_BODY_BYTES and waits at most the timeout per request.
 */
export async function httpChecks(targets: HttpTargets): Promise<CheckResult[]> {
  const base = targets.url.replace(/\/$/, "");
  const timeoutMs = targets.timeoutMs;
  const results: CheckResult[] = [];

  const ping = await probe(`${base}${DIFY_HEALTH_PATH}`, { readBody: true, timeoutMs });
  const pingWrong = pingProblem(ping);
  results.push(
    pingWrong === undefined
      ? pass("Dify answers through CloudFront", `GET ${DIFY_HEALTH_PATH}: 200 {"result": "pong"}`)
      : fail(
          "Dify answers through CloudFront",
          `GET ${DIFY_HEALTH_PATH}: ${pingWrong}`,
          !isAnswer(ping) || ping.status >= 500
            ? "502/504 means the ALB has no healthy target: see the ALB check below and `difyctl status` on the host"
            : ping.status === 200
              ? "this is not Dify's api answering: check the distribution's origin (the ALB) and the ALB listener"
              : "check the distribution's origin and the ALB listener",
        ),
  );

  results.push(await rootCheck(base, timeoutMs));

  if (targets.origin) {
    const preflight = await probe(`${base}/v1/chat-messages`, {
      method: "OPTIONS",
      headers: {
        Origin: targets.origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
      },
      timeoutMs,
    });
    const head = `OPTIONS /v1/chat-messages from ${targets.origin}`;
    const problems = !isAnswer(preflight)
      ? [preflight.problem]
      : isRedirect(preflight.status)
        ? [`${redirectText(preflight)} (verify follows no redirect)`]
        : preflightProblems(preflight, targets.origin).map((p, i) => (i === 0 ? `HTTP ${preflight.status}: ${p}` : p));
    results.push(
      problems.length === 0 && isAnswer(preflight)
        ? pass("CORS preflight from the app", `${head}: HTTP ${preflight.status}, allow-origin matches, Vary: Origin, allows authorization, content-type`)
        : fail(
            "CORS preflight from the app",
            `${head}: ${problems.join("; ")}`,
            "Dify's service API answers a preflight with exactly the request's Origin and Vary: Origin: the distribution must forward OPTIONS uncached with all viewer headers and add no CORS headers of its own; if the header is missing, the origin must be in Dify's CORS settings: apply the amplify stack, then `systemctl reload dify` on the host",
          ),
    );
  }

  const payload = (query: string) => JSON.stringify({ inputs: {}, query, user: "amplify-dify-vpc-verify" });
  const large = payload("x".repeat(LARGE_BODY_BYTES));
  const small = payload("x");
  const post = (path: string, body: string) =>
    probe(`${base}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body, timeoutMs });

  const allowedPath = targets.largeBodyPaths[0]!;
  results.push(allowedPathCheck(allowedPath, await post(allowedPath, large), await post(allowedPath, small)));
  results.push(elsewhereCheck(await post(NOT_LARGE_BODY_PATH, large), await post(NOT_LARGE_BODY_PATH, small)));
  return results;
}

/** The public URL and the app's origin, from the options or from the deployed environment. */
export async function discoverTargets(ctx: OpsContext, url?: string, origin?: string): Promise<{ url?: string; origin?: string }> {
  let found = url;
  if (!found) {
    const list = await new CloudFrontClient({ region: "us-east-1" }).send(new ListDistributionsCommand({}));
    const distribution = list.DistributionList?.Items?.find((d) => d.Comment === ctx.names.distributionComment);
    const alias = distribution?.Aliases?.Items?.[0];
    found = distribution ? `https://${alias ?? distribution.DomainName}` : undefined;
  }
  let appOrigin = origin;
  const amplify = ctx.loaded.config.amplify;
  if (!appOrigin && amplify.enabled) {
    const apps = await new AmplifyClient({ region: ctx.region }).send(new ListAppsCommand({}));
    const app = apps.apps?.find((a) => a.name === ctx.names.amplifyApp);
    if (app?.defaultDomain) appOrigin = `https://${amplify.branch.replace(/\//g, "-")}.${app.defaultDomain}`;
  }
  return { url: found, origin: appOrigin };
}

/** What AWS says: ALB targets, Systems Manager, alarms. */
export async function awsChecks(ctx: OpsContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const elb = new ElasticLoadBalancingV2Client({ region: ctx.region });
  try {
    const groups = await elb.send(new DescribeTargetGroupsCommand({ Names: [ctx.names.difyHost] }));
    const arn = groups.TargetGroups?.[0]?.TargetGroupArn;
    const targets = arn ? ((await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))).TargetHealthDescriptions ?? []) : [];
    const states = targets.map((t) => `${t.Target?.Id}: ${t.TargetHealth?.State}`);
    const healthy = targets.filter((t) => t.TargetHealth?.State === "healthy").length;
    results.push(
      !arn
        ? fail("ALB targets healthy", `no target group ${ctx.names.difyHost}`, "deploy the dify stack")
        : targets.length === 0
          ? // Nothing registered is nothing serving: the ALB answers 503 to every request.
            fail(
              "ALB targets healthy",
              `no target registered in ${ctx.names.difyHost}`,
              "the dify stack registers the instance: apply it (npx cdktf deploy dify); an instance replaced outside Terraform is not registered",
            )
          : healthy === targets.length
            ? pass("ALB targets healthy", states.join(", "))
            : fail("ALB targets healthy", states.join(", "), "see `difyctl status` and /var/log/dify/difyctl.log on the host (tunnel ssh)"),
    );
  } catch (error) {
    // A missing target group is a finding; credentials, permissions or the network are the run's failure.
    if (awsProblem(error)) throw error;
    results.push(fail("ALB targets healthy", (error as Error).message, `deploy the dify stack; target group ${ctx.names.difyHost} not found`));
  }

  try {
    const instance = await findDifyInstance(ctx);
    const status = await ssmPingStatus(ctx, instance.id);
    results.push(status === "Online" ? pass("instance online in SSM", `${instance.id}: Online`) : fail("instance online in SSM", `${instance.id}: ${status}`, SSM_OFFLINE_FIX));
  } catch (error) {
    if (awsProblem(error)) throw error;
    results.push(fail("instance online in SSM", (error as Error).message, "deploy the dify stack"));
  }

  const alarms = await new CloudWatchClient({ region: ctx.region }).send(
    new DescribeAlarmsCommand({ AlarmNamePrefix: ctx.names.alarmPrefix, StateValue: "ALARM" }),
  );
  const firing = (alarms.MetricAlarms ?? []).filter((a) => a.StateValue === "ALARM").map((a) => a.AlarmName!);
  results.push(
    firing.length === 0
      ? pass("no alarm in ALARM", `none of ${ctx.names.alarmPrefix}*`)
      : fail("no alarm in ALARM", firing.join(", "), "read each alarm's description in CloudWatch; the SNS topic has the history"),
  );
  return results;
}
