import { AmplifyClient, ListAppsCommand } from "@aws-sdk/client-amplify";
import { CloudFrontClient, ListDistributionsCommand } from "@aws-sdk/client-cloudfront";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { DIFY_HEALTH_PATH } from "../config/dify-paths";
import { awsProblem } from "./aws-errors";
import { fail, pass, type CheckResult } from "./checks";
import type { OpsContext } from "./context";
import { findDifyInstance, SSM_OFFLINE_FIX, ssmPingStatus } from "./dify-instance";

/** The Core Rule Set's size rule fires above 8 KB; the probes send a little more. */
const LARGE_BODY_BYTES = 10 * 1024;
/** A path no Dify version serves and no config lists as a large-body path. */
export const NOT_LARGE_BODY_PATH = "/v1/amplify-dify-vpc-verify";

export interface HttpTargets {
  /** Public base URL, e.g. https://d111.cloudfront.net */
  readonly url: string;
  /** The Amplify app's origin, for the CORS preflight; undefined skips that check. */
  readonly origin?: string;
  /** The config's edge.waf.largeBodyPaths. */
  readonly largeBodyPaths: readonly string[];
}

async function request(url: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: string } | Error> {
  try {
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(15_000), ...init });
    return { status: response.status, headers: response.headers, body: await response.text() };
  } catch (error) {
    return error as Error;
  }
}

const describe = (r: { status: number } | Error) => (r instanceof Error ? `no answer (${r.message})` : `HTTP ${r.status}`);

/** Runbook 2.7 and 6 made real: what a browser and the app see through CloudFront and WAF. */
export async function httpChecks(targets: HttpTargets): Promise<CheckResult[]> {
  const base = targets.url.replace(/\/$/, "");
  const results: CheckResult[] = [];

  const ping = await request(`${base}${DIFY_HEALTH_PATH}`);
  const pong = !(ping instanceof Error) && ping.status === 200 && /"result"\s*:\s*"pong"/.test(ping.body);
  results.push(
    pong
      ? pass("Dify answers through CloudFront", `GET ${DIFY_HEALTH_PATH}: 200 {"result": "pong"}`)
      : fail(
          "Dify answers through CloudFront",
          `GET ${DIFY_HEALTH_PATH}: ${describe(ping)}`,
          ping instanceof Error || ping.status >= 500
            ? "502/504 means the ALB has no healthy target: see the ALB check below and `difyctl status` on the host"
            : "check the distribution's origin and the ALB listener",
        ),
  );

  const root = await request(`${base}/`);
  results.push(
    !(root instanceof Error) && root.status < 400
      ? pass("GET / answers", `HTTP ${root.status}${root.headers.get("location") ? ` -> ${root.headers.get("location")}` : ""}`)
      : fail("GET / answers", describe(root), "Dify's web container serves /: check `docker compose ps` on the host"),
  );

  if (targets.origin) {
    const preflight = await request(`${base}/v1/chat-messages`, {
      method: "OPTIONS",
      headers: {
        Origin: targets.origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
      },
    });
    const allowed = preflight instanceof Error ? null : preflight.headers.get("access-control-allow-origin");
    results.push(
      !(preflight instanceof Error) && preflight.status < 300 && allowed === targets.origin
        ? pass("CORS preflight from the app", `OPTIONS /v1/chat-messages from ${targets.origin}: ${preflight.status}, allow-origin matches`)
        : fail(
            "CORS preflight from the app",
            `OPTIONS /v1/chat-messages from ${targets.origin}: ${describe(preflight)}, allow-origin ${allowed ?? "missing"}`,
            "the origin must be in Dify's CORS settings: apply the amplify stack, then `systemctl reload dify` on the host",
          ),
    );
  }

  const body = JSON.stringify({ inputs: {}, query: "x".repeat(LARGE_BODY_BYTES), user: "amplify-dify-vpc-verify" });
  const post = (path: string) => request(`${base}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body });
  const wafBlocked = (r: Awaited<ReturnType<typeof request>>) => !(r instanceof Error) && r.status === 403;

  const allowedPath = targets.largeBodyPaths[0]!;
  const large = await post(allowedPath);
  results.push(
    !(large instanceof Error) && !wafBlocked(large)
      ? pass("large body on an allowed path", `POST ${allowedPath} (10 KB): HTTP ${large.status}, not blocked by WAF`)
      : fail(
          "large body on an allowed path",
          `POST ${allowedPath} (10 KB): ${describe(large)}`,
          "WAF blocks it: check edge.waf.largeBodyPaths and the LargeBodyOnlyOnAllowedPaths rule",
        ),
  );
  const elsewhere = await post(NOT_LARGE_BODY_PATH);
  results.push(
    wafBlocked(elsewhere)
      ? pass("large body elsewhere is blocked", `POST ${NOT_LARGE_BODY_PATH} (10 KB): 403 from WAF`)
      : fail(
          "large body elsewhere is blocked",
          `POST ${NOT_LARGE_BODY_PATH} (10 KB): ${describe(elsewhere)}`,
          "the size rule no longer protects other paths: check the web ACL's rules (SizeRestrictions_BODY must be counted, then blocked by label)",
        ),
  );
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
    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: groups.TargetGroups![0]!.TargetGroupArn }));
    const states = (health.TargetHealthDescriptions ?? []).map((t) => `${t.Target?.Id}: ${t.TargetHealth?.State}`);
    const healthy = (health.TargetHealthDescriptions ?? []).filter((t) => t.TargetHealth?.State === "healthy").length;
    results.push(
      healthy > 0 && healthy === states.length
        ? pass("ALB targets healthy", states.join(", "))
        : fail("ALB targets healthy", states.join(", ") || "no targets", "see `difyctl status` and /var/log/dify/difyctl.log on the host (tunnel ssh)"),
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
