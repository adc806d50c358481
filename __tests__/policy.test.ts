import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing } from "cdktf";
import { buildStacks } from "../stacks/app";
import type { DeploymentStack } from "../stacks/deployment-stack";
import { exampleConfig } from "./support/config";
import { reachability } from "./support/reachability";
import { scanTerraformJson } from "./support/secret-scan";
import { synthJson } from "./support/synth";
import { unintendedTemplates } from "./support/terraform-strings";

/** The matrix of docs/architecture.md, written out independently of the code that builds it. */
const INTENDED_FLOWS = [
  "alb -> dify tcp/80",
  "com.amazonaws.global.cloudfront.origin-facing -> alb tcp/80",
  "dify -> 0.0.0.0/0 tcp/443",
  "dify -> vpce tcp/443",
  "eic -> dify tcp/22",
  "lambda -> 0.0.0.0/0 tcp/443",
  "lambda -> alb tcp/80",
  "lambda -> vpce tcp/443",
];

const roleOf = (groupName: string) => groupName.replace(/^example-prod-/, "");

describe("security-group reachability across all synthesized stacks", () => {
  const stacks = synthJson();
  const result = reachability(stacks, roleOf);

  test("equals the intended matrix: no more, no less", () => {
    expect(result.flows).toEqual(INTENDED_FLOWS);
  });

  test("nothing admits 0.0.0.0/0 or ::/0 inbound", () => {
    expect(result.openToInternet).toEqual([]);
  });

  test("every group-to-group egress rule is answered by an ingress rule", () => {
    expect(result.unanswered).toEqual([]);
  });

  test("the matrix holds with a single NAT gateway too", () => {
    const single = synthJson(exampleConfig((d) => (d.network.natGateways = "single")));
    expect(reachability(single, roleOf).flows).toEqual(INTENDED_FLOWS);
  });
});

describe("the reachability check itself", () => {
  const stacks = synthJson();

  test("notices a widened rule", () => {
    const ingress = Object.values(stacks.network!.resource!.aws_vpc_security_group_ingress_rule!).find(
      (rule: any) => rule.from_port === 22,
    );
    ingress.to_port = 23;
    ingress.cidr_ipv4 = "0.0.0.0/0";
    delete ingress.referenced_security_group_id;
    const result = reachability(stacks, roleOf);
    expect(result.flows).toContain("0.0.0.0/0 -> dify tcp/22-23");
    expect(result.openToInternet).toEqual(["dify from 0.0.0.0/0 tcp/22-23"]);
    expect(result.unanswered).toEqual(["eic -> dify tcp/22"]);
  });
});

describe("secrets never reach synthesized JSON or user data", () => {
  const stacks = synthJson(
    exampleConfig((d) => {
      d.dify = { alarms: { email: "ops@example.com" }, env: { SMTP_SERVER: "smtp.example.com" } };
    }),
  );

  test("no secret-looking value in any stack, user data decoded", () => {
    const findings = Object.entries(stacks).flatMap(([name, json]) => scanTerraformJson(name, json));
    expect(findings).toEqual([]);
  });

  test("the scan finds what it looks for (it can fail)", () => {
    const planted = {
      resource: {
        aws_db_instance: { db: { password: "hunter2hunter2" } },
        aws_instance: {
          host: {
            // The key is assembled so that no key-shaped literal sits in the repository.
            user_data: Buffer.from(`DB_PASSWORD=difyai123456\nKEY=${"AKIA"}ABCDEFGHIJKLMNOP\nT=q8Zr2XbN4vLp7KcT1mWs9YdF3hGj6A\n`).toString("base64"),
          },
        },
      },
    };
    expect(scanTerraformJson("planted", planted).map((f) => f.what)).toEqual([
      "literal value of a secret argument",
      "AWS access key ID",
      "Dify's shipped default secret",
      "random-looking value q8Zr2X...",
    ]);
  });
});

describe("Terraform template syntax", () => {
  test("every ${...} in every synthesized string is a Terraform expression, and there is no %{...}", () => {
    const stacks = synthJson();
    expect(Object.entries(stacks).flatMap(([name, json]) => unintendedTemplates(json).map((p) => `${name}: ${p}`))).toEqual([]);
  });

  test("a shell variable or an agent placeholder left in a string is caught (the check can fail)", () => {
    expect(unintendedTemplates({ a: "echo ${HOME}", b: { c: ['{"InstanceId":"${aws:InstanceId}"}'] }, d: "%{ if x }" })).toEqual([
      "a: ${HOME} is not a Terraform expression",
      'b.c[0]: ${aws:InstanceId}"} is not a Terraform expression',
      "d: template directive %{ if x }",
    ]);
    expect(unintendedTemplates({ ok: "$${HOME} %%{x} ${aws_vpc.main.id} ${jsonencode({})}" })).toEqual([]);
  });
});

describe("stack graph", () => {
  test("stacks depend on earlier ones only (no cycle): Amplify's origins reach Dify through Parameter Store", () => {
    // cdktf records cross-stack dependencies while it synthesizes.
    const app = Testing.app({ outdir: mkdtempSync(join(tmpdir(), "graph-")) });
    const stacks = buildStacks(app, exampleConfig());
    app.synth();
    const list = Object.values(stacks).filter((s): s is DeploymentStack => s !== undefined);
    const order = list.map((s) => s.stackName);
    for (const [index, stack] of list.entries()) {
      for (const dependency of stack.dependencies) {
        expect(order.indexOf((dependency as DeploymentStack).stackName)).toBeLessThan(index);
      }
    }
    const dependencies = (stack: DeploymentStack) => stack.dependencies.map((d) => (d as DeploymentStack).stackName).sort();
    expect(dependencies(stacks.state)).toEqual([]);
    expect(dependencies(stacks.network)).toEqual([]);
    expect(dependencies(stacks.dify)).toEqual(["network"]);
    expect(dependencies(stacks.edge)).toEqual(["dify", "network"]);
    expect(dependencies(stacks.amplify!)).toEqual(["dify", "edge", "network"]);
  });
});

describe("mail", () => {
  test("MAIL_TYPE smtp opens exactly its SMTP_PORT from the dify group, nothing else", () => {
    const mail = exampleConfig((d) => (d.dify = { env: { MAIL_TYPE: "smtp", SMTP_SERVER: "smtp.example.com", SMTP_PORT: "587" } }));
    const flows = reachability(synthJson(mail), roleOf).flows;
    expect(flows.filter((flow) => !INTENDED_FLOWS.includes(flow))).toEqual(["dify -> 0.0.0.0/0 tcp/587"]);
    expect(INTENDED_FLOWS.filter((flow) => !flows.includes(flow))).toEqual([]);
  });

  test("an SMTP port of 443 adds no rule, and the HTTPS mail APIs need none", () => {
    for (const env of [
      { MAIL_TYPE: "smtp", SMTP_SERVER: "smtp.example.com", SMTP_PORT: "443" },
      { MAIL_TYPE: "resend", SMTP_PORT: "587" },
    ]) {
      expect(reachability(synthJson(exampleConfig((d) => (d.dify = { env }))), roleOf).flows).toEqual(INTENDED_FLOWS);
    }
  });
});

describe("the ALB's inbound", () => {
  test("is exactly CloudFront's origin-facing prefix list and the matrix's internal callers", () => {
    const inbound = reachability(synthJson(), roleOf).flows.filter((flow) => / -> alb /.test(flow));
    expect(inbound).toEqual(["com.amazonaws.global.cloudfront.origin-facing -> alb tcp/80", "lambda -> alb tcp/80"]);
  });

  test("moves to 443 for both with a certificate on the ALB", () => {
    const tls = exampleConfig((d) => {
      d.dify = { alb: { certificateArn: "arn:aws:acm:ap-northeast-1:111111111111:certificate/12345678-1234-1234-1234-123456789012" } };
      d.edge = {
        domainNames: ["dify.example.com"],
        certificateArn: "arn:aws:acm:us-east-1:111111111111:certificate/12345678-1234-1234-1234-123456789012",
      };
    });
    const inbound = reachability(synthJson(tls), roleOf).flows.filter((flow) => / -> alb /.test(flow));
    expect(inbound).toEqual(["com.amazonaws.global.cloudfront.origin-facing -> alb tcp/443", "lambda -> alb tcp/443"]);
  });
});
