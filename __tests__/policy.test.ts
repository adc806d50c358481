import { reachability } from "./support/reachability";
import { exampleConfig } from "./support/config";
import { synthToDisk } from "./support/synth";

/** The matrix of docs/architecture.md, written out independently of the code that builds it. */
const INTENDED_FLOWS = [
  "alb -> dify tcp/80",
  "dify -> 0.0.0.0/0 tcp/443",
  "dify -> vpce tcp/443",
  "eic -> dify tcp/22",
  "lambda -> 0.0.0.0/0 tcp/443",
  "lambda -> alb tcp/80",
  "lambda -> vpce tcp/443",
];

const roleOf = (groupName: string) => groupName.replace(/^example-prod-/, "");

describe("security-group reachability across all synthesized stacks", () => {
  const stacks = synthToDisk();
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
    const single = synthToDisk(exampleConfig((d) => (d.network.natGateways = "single")));
    expect(reachability(single, roleOf).flows).toEqual(INTENDED_FLOWS);
  });
});

describe("the reachability check itself", () => {
  const stacks = synthToDisk();

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
