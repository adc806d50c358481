import type { StackJson } from "./synth";

/**
 * Who may open a connection to whom, computed from security-group rules across every
 * synthesized stack. A flow between two groups exists only when the source's egress and the
 * target's ingress both allow it; flows to or from addresses (CIDRs, prefix lists) need only
 * the one rule. Cross-stack references are followed through `terraform_remote_state` to the
 * producing stack's outputs.
 */
export interface Reachability {
  /** `from -> to proto/port`, e.g. `lambda -> alb tcp/80` or `dify -> 0.0.0.0/0 tcp/443`. */
  readonly flows: string[];
  /** Ingress rules that admit 0.0.0.0/0 or ::/0. */
  readonly openToInternet: string[];
  /** Group-to-group egress rules no ingress rule answers: dead rules that hide intent. */
  readonly unanswered: string[];
}

interface Rule {
  readonly group: string;
  readonly direction: "ingress" | "egress";
  /** A group label, `cidr:<block>` or `pl:<prefix list name>`. */
  readonly peer: string;
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
}

type Stacks = Record<string, StackJson>;

export function reachability(stacks: Stacks, label: (groupName: string) => string): Reachability {
  const resolve = resolver(stacks, label);
  const rules: Rule[] = [];
  for (const [stackName, stack] of Object.entries(stacks)) {
    for (const [type, direction] of [
      ["aws_vpc_security_group_ingress_rule", "ingress"],
      ["aws_vpc_security_group_egress_rule", "egress"],
    ] as const) {
      for (const rule of Object.values(stack.resource?.[type] ?? {})) {
        rules.push({
          group: resolve(stackName, rule.security_group_id),
          direction,
          peer: rule.referenced_security_group_id
            ? resolve(stackName, rule.referenced_security_group_id)
            : rule.prefix_list_id
              ? resolve(stackName, rule.prefix_list_id)
              : `cidr:${rule.cidr_ipv4 ?? rule.cidr_ipv6}`,
          ...ports(rule.ip_protocol, rule.from_port, rule.to_port),
        });
      }
    }
    // Older rule styles are not used by this project; any that appear are counted too, so the
    // matrix cannot be widened by writing a rule another way.
    for (const rule of Object.values(stack.resource?.aws_security_group_rule ?? {})) {
      rules.push({
        group: resolve(stackName, rule.security_group_id),
        direction: rule.type,
        peer: rule.source_security_group_id ? resolve(stackName, rule.source_security_group_id) : `cidr:${[rule.cidr_blocks ?? []].flat().join(",")}`,
        ...ports(rule.protocol, rule.from_port, rule.to_port),
      });
    }
    for (const [name, group] of Object.entries(stack.resource?.aws_security_group ?? {})) {
      for (const direction of ["ingress", "egress"] as const) {
        for (const inline of group[direction] ?? []) {
          rules.push({
            group: label(group.name ?? name),
            direction,
            peer: `cidr:${[...(inline.cidr_blocks ?? []), ...(inline.security_groups ?? [])].join(",")}`,
            ...ports(inline.protocol, inline.from_port, inline.to_port),
          });
        }
      }
    }
  }

  const isGroup = (peer: string) => !peer.includes(":");
  const describePeer = (peer: string) => peer.replace(/^(cidr|pl):/, "");
  const flows = new Set<string>();
  const unanswered: string[] = [];
  for (const rule of rules) {
    if (rule.direction === "ingress") {
      if (!isGroup(rule.peer)) {
        flows.add(`${describePeer(rule.peer)} -> ${rule.group} ${portText(rule)}`);
        continue;
      }
      for (const egress of rules) {
        if (egress.direction !== "egress" || egress.group !== rule.peer) continue;
        if (egress.peer !== rule.group && egress.peer !== "cidr:0.0.0.0/0") continue;
        const overlap = intersect(rule, egress);
        if (overlap) flows.add(`${rule.peer} -> ${rule.group} ${portText(overlap)}`);
      }
    } else if (isGroup(rule.peer)) {
      const answered = rules.some(
        (ingress) => ingress.direction === "ingress" && ingress.group === rule.peer && ingress.peer === rule.group && intersect(ingress, rule),
      );
      if (!answered) unanswered.push(`${rule.group} -> ${rule.peer} ${portText(rule)}`);
    } else {
      flows.add(`${rule.group} -> ${describePeer(rule.peer)} ${portText(rule)}`);
    }
  }
  const openToInternet = rules
    .filter((r) => r.direction === "ingress" && /cidr:.*(0\.0\.0\.0\/0|::\/0)/.test(r.peer))
    .map((r) => `${r.group} from ${describePeer(r.peer)} ${portText(r)}`);
  return { flows: [...flows].sort(), openToInternet, unanswered };
}

function ports(protocol: string | number, from?: number, to?: number) {
  const all = String(protocol) === "-1";
  return { protocol: all ? "all" : String(protocol), from: all ? 0 : from ?? 0, to: all ? 65535 : to ?? 65535 };
}

function intersect(a: Omit<Rule, "group" | "direction" | "peer">, b: Omit<Rule, "group" | "direction" | "peer">) {
  if (a.protocol !== b.protocol && a.protocol !== "all" && b.protocol !== "all") return undefined;
  const from = Math.max(a.from, b.from);
  const to = Math.min(a.to, b.to);
  const protocol = a.protocol === "all" ? b.protocol : a.protocol;
  return from <= to ? { protocol, from, to } : undefined;
}

function portText(rule: { protocol: string; from: number; to: number }): string {
  return `${rule.protocol}/${rule.from === rule.to ? rule.from : `${rule.from}-${rule.to}`}`;
}

/**
 * Turns a reference expression into the label of what it names: a security group (by its
 * label), a managed prefix list (`pl:<name>`), following remote state across stacks.
 */
function resolver(stacks: Stacks, label: (groupName: string) => string) {
  const resolve = (stackName: string, expression: string): string => {
    const stack = stacks[stackName]!;
    const local = /^\$\{aws_security_group\.([^.]+)\.id\}$/.exec(expression);
    if (local) return label(stack.resource!.aws_security_group![local[1]!].name);
    const prefixList = /^\$\{data\.aws_ec2_managed_prefix_list\.([^.]+)\.id\}$/.exec(expression);
    if (prefixList) return `pl:${stack.data!.aws_ec2_managed_prefix_list![prefixList[1]!].name}`;
    const remote = /^\$\{data\.terraform_remote_state\.([^.]+)\.outputs\.([^}]+)\}$/.exec(expression);
    if (remote) {
      const config = stack.data!.terraform_remote_state![remote[1]!].config;
      const producer = /\/([^/]+)\.tfstate$/.exec(config.key)![1]!;
      const output = stacks[producer]!.output![remote[2]!];
      return resolve(producer, output.value);
    }
    throw new Error(`${stackName}: cannot resolve security group reference ${expression}`);
  };
  return resolve;
}
