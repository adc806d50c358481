import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/*
 * The architecture diagram of one customer environment, generated from the synthesized Terraform
 * JSON (`cdktf.out/stacks/<stack>/cdk.tf.json`) rather than drawn by hand, so it cannot drift
 * from what Terraform applies: every node, subgraph and arrow below comes from a resource or a
 * reference between resources, followed across stacks through `terraform_remote_state`.
 *
 * Renderer: Mermaid (mermaid-js, actively maintained) `flowchart` text inside Markdown. GitHub
 * renders ```mermaid blocks natively, so CI needs no binary renderer or headless browser, and a
 * change to the architecture shows up in review as a text diff of docs/architecture.md.
 *
 * Output is deterministic: stacks in deployment order, resources sorted by name, every node,
 * subgraph and edge emitted in sorted order; node IDs are the resource names without cdktf's
 * hash suffix, sanitized to `[A-Za-z0-9_]` and prefixed with a short type tag (`sg_`, `nat_`...).
 */

/** The stacks in deployment order; others follow by name. */
const STACK_ORDER = ["state", "network", "dify", "edge", "amplify"];

// Terraform JSON is untyped by nature; bodies are read field by field below.
type Body = Record<string, any>;

interface StackJson {
  readonly provider?: Record<string, Body[]>;
  readonly resource?: Record<string, Record<string, Body>>;
  readonly data?: Record<string, Record<string, Body>>;
  readonly output?: Record<string, { readonly value?: unknown }>;
}

/** One resource (or data source) of one stack. */
interface Item {
  readonly stack: string;
  readonly data: boolean;
  readonly type: string;
  readonly name: string;
  readonly body: Body;
}

const key = (item: Item) => `${item.stack}/${item.data ? "data." : ""}${item.type}.${item.name}`;

/** Reads every stack of a stacks dir and resolves references between its resources. */
class Terraform {
  private readonly stacks = new Map<string, StackJson>();

  constructor(stacksDir: string) {
    if (!existsSync(stacksDir)) throw new Error(`${stacksDir} does not exist: synthesize the stacks first`);
    const rank = (name: string) => (STACK_ORDER.includes(name) ? STACK_ORDER.indexOf(name) : STACK_ORDER.length);
    const names = readdirSync(stacksDir)
      .filter((name) => existsSync(join(stacksDir, name, "cdk.tf.json")))
      .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    if (names.length === 0) throw new Error(`${stacksDir} holds no <stack>/cdk.tf.json`);
    for (const name of names) this.stacks.set(name, JSON.parse(readFileSync(join(stacksDir, name, "cdk.tf.json"), "utf8")) as StackJson);
  }

  /** Every resource of `type` in every stack, in stack order and then by name. */
  resources(type: string): Item[] {
    return this.items(type, false);
  }

  /** Every data source of `type`, likewise. */
  dataSources(type: string): Item[] {
    return this.items(type, true);
  }

  private items(type: string, data: boolean): Item[] {
    const found: Item[] = [];
    for (const [stack, json] of this.stacks) {
      const of = (data ? json.data : json.resource)?.[type] ?? {};
      for (const name of Object.keys(of).sort()) found.push({ stack, data, type, name, body: of[name]! });
    }
    return found;
  }

  /** The AWS region of the default (unaliased) provider of the first stack that has one. */
  region(): string | undefined {
    for (const json of this.stacks.values()) {
      const provider = (json.provider?.aws ?? []).find((p) => p.alias === undefined);
      if (typeof provider?.region === "string") return provider.region;
    }
    return undefined;
  }

  /**
   * The resources and data sources that `value` (any JSON inside a body of `stack`) refers to, in
   * order of appearance and without repeats; a `terraform_remote_state` output is followed to the
   * producing stack's output and on to what that output refers to.
   */
  refs(stack: string, value: unknown): Item[] {
    const found = new Map<string, Item>();
    for (const text of strings(value)) {
      for (const [, expression] of text.matchAll(/\$\{([^}]*)\}/g)) {
        for (const token of expression!.match(/(?:data\.)?[a-z][a-z0-9_]*(?:\.[A-Za-z0-9_-]+)+/g) ?? []) {
          for (const item of this.resolveToken(stack, token.split("."))) found.set(key(item), item);
        }
      }
    }
    return [...found.values()];
  }

  /** The single item of `type` that `value` refers to, if any. */
  ref(stack: string, value: unknown, type: string): Item | undefined {
    return this.refs(stack, value).find((item) => item.type === type);
  }

  private resolveToken(stack: string, parts: string[]): Item[] {
    const json = this.stacks.get(stack)!;
    if (parts[0] === "data") {
      const [, type, name, attribute, output] = parts;
      if (!type || !name) return [];
      if (type === "terraform_remote_state") {
        const remote = json.data?.terraform_remote_state?.[name];
        if (!remote || attribute !== "outputs" || !output) throw new Error(`${stack}: cannot follow ${parts.join(".")}`);
        const producer = /([^/]+)\.tfstate$/.exec(String(remote.config?.key ?? ""))?.[1] ?? name.replace(/^cross-stack-reference-input-/, "");
        const produced = this.stacks.get(producer)?.output?.[output];
        if (!produced) throw new Error(`${stack}: ${parts.join(".")} names no output of stack ${producer}`);
        return this.refs(producer, produced.value);
      }
      const body = json.data?.[type]?.[name];
      if (!body) throw new Error(`${stack}: ${parts.join(".")} names no data source of this stack`);
      return [{ stack, data: true, type, name, body }];
    }
    const [type, name] = parts;
    if (!type || !name) return [];
    const body = json.resource?.[type]?.[name];
    if (body) return [{ stack, data: false, type, name, body }];
    if (type.startsWith("aws_")) throw new Error(`${stack}: ${parts.join(".")} names no resource of this stack`);
    return []; // var., local., each., terraform.workspace...
  }
}

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => (k === "//" ? [] : strings(v)));
  return [];
}

/** Short tags that start node IDs, by resource type: readable, and never `end`, `o...` or `x...`. */
const TAGS: Record<string, string> = {
  aws_vpc: "vpc",
  aws_subnet: "subnet",
  aws_nat_gateway: "nat",
  aws_internet_gateway: "igw",
  aws_vpc_endpoint: "vpce",
  aws_security_group: "sg",
  aws_ec2_managed_prefix_list: "pl",
  aws_instance: "ec2",
  aws_ebs_volume: "ebs",
  aws_lb: "alb",
  aws_ec2_instance_connect_endpoint: "eic",
  aws_route53_zone: "r53",
  aws_cloudfront_distribution: "cf",
  aws_cloudfront_vpc_origin: "cfvo",
  aws_wafv2_web_acl: "waf",
  aws_amplify_app: "amplify",
  aws_apigatewayv2_api: "apigw",
  aws_apigatewayv2_vpc_link: "vpclink",
};

type Shape = "box" | "hexagon" | "cylinder" | "stadium";

interface Node {
  readonly id: string;
  readonly lines: readonly string[];
  readonly shape: Shape;
  /** The subgraph it sits in; undefined at the top level. */
  readonly parent: string | undefined;
  readonly cls: string | undefined;
}

interface Subgraph {
  readonly id: string;
  readonly title: string;
  readonly parent: string | undefined;
}

/**
 * `flow`: a security-group flow both rule resources allow (or one rule to an address).
 * `half`: a group-to-group rule whose counterpart is missing, so no traffic passes.
 * `route`: a route-table entry. `link`: one resource names another. `member`: uses that group.
 */
type EdgeKind = "flow" | "half" | "route" | "link" | "member";

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly label: string;
}

const ARROWS: Record<EdgeKind, string> = { flow: "==>", half: "--x", route: "-.->", link: "-->", member: "-.-" };

/** The nodes, subgraphs and edges of the diagram, with stable IDs. */
class Graph {
  readonly nodes = new Map<string, Node>();
  readonly subgraphs = new Map<string, Subgraph>();
  private readonly edges = new Map<string, Edge>();
  private readonly ids = new Map<string, string>();
  private readonly taken = new Set<string>();

  /**
   * The stable ID of `thing` (a resource key or another unique key): `base` without cdktf's hash
   * suffix, then `suffix`, sanitized and tagged; a repeat gets `_2`, `_3`... in order of asking.
   */
  id(thing: string, tag: string, base: string, suffix = ""): string {
    const known = this.ids.get(thing);
    if (known) return known;
    const name = sanitize(base.replace(/_[0-9A-F]{8}$/, "") + suffix);
    let id = name === tag || name.startsWith(`${tag}_`) ? name : `${tag}_${name}`;
    for (let n = 2; this.taken.has(id); n++) id = `${id.replace(/_\d+$/, "")}_${n}`;
    this.ids.set(thing, id);
    this.taken.add(id);
    return id;
  }

  itemId(item: Item): string {
    return this.id(key(item), TAGS[item.type] ?? "res", item.name);
  }

  has(item: Item): boolean {
    return this.nodes.has(this.ids.get(key(item)) ?? "");
  }

  node(id: string, lines: readonly string[], parent: string | undefined, shape: Shape = "box", cls?: string): string {
    this.nodes.set(id, { id, lines, shape, parent, cls });
    return id;
  }

  subgraph(id: string, title: string, parent: string | undefined): string {
    this.subgraphs.set(id, { id, title, parent });
    return id;
  }

  edge(from: string, to: string, kind: EdgeKind, label = ""): void {
    this.edges.set(`${from} ${to} ${kind} ${label}`, { from, to, kind, label });
  }

  render(): string {
    const out = ["flowchart TB"];
    const emit = (parent: string | undefined, depth: number) => {
      const pad = "  ".repeat(depth);
      for (const sub of sortById([...this.subgraphs.values()].filter((s) => s.parent === parent))) {
        out.push(`${pad}subgraph ${sub.id}["${escape(sub.title)}"]`);
        emit(sub.id, depth + 1);
        out.push(`${pad}end`);
      }
      for (const node of sortById([...this.nodes.values()].filter((n) => n.parent === parent))) {
        const text = `"${node.lines.map(escape).join("<br/>")}"`;
        const shaped = { box: `[${text}]`, hexagon: `{{${text}}}`, cylinder: `[(${text})]`, stadium: `([${text}])` }[node.shape];
        out.push(`${pad}${node.id}${shaped}`);
      }
    };
    emit(undefined, 1);
    const edges = [...this.edges.values()].sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to) || compare(a.kind, b.kind) || compare(a.label, b.label));
    for (const edge of edges) {
      if (!this.nodes.has(edge.from) || !this.nodes.has(edge.to)) throw new Error(`edge ${edge.from} -> ${edge.to} names an undrawn node`);
      const label = edge.label ? `|"${escape(edge.label)}"|` : "";
      out.push(`  ${edge.from} ${ARROWS[edge.kind]}${label} ${edge.to}`);
    }
    const classes = new Map<string, string[]>();
    for (const node of sortById([...this.nodes.values()])) if (node.cls) classes.set(node.cls, [...(classes.get(node.cls) ?? []), node.id]);
    for (const [cls, style] of Object.entries(CLASS_STYLES)) {
      const members = classes.get(cls);
      if (!members) continue;
      out.push(`  classDef ${cls} ${style}`);
      out.push(`  class ${members.join(",")} ${cls}`);
    }
    return `${out.join("\n")}\n`;
  }
}

const CLASS_STYLES: Record<string, string> = {
  sg: "fill:#fff5d6,stroke:#b8860b",
  address: "fill:#eef1f5,stroke:#6b7280,stroke-dasharray:4 3",
  global: "fill:#e8f1ff,stroke:#3b6fd8",
};

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const sortById = <T extends { id: string }>(list: T[]) => list.sort((a, b) => compare(a.id, b.id));
const sanitize = (text: string) => text.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "") || "x";

/** Text for a quoted Mermaid label: entity codes for the characters Mermaid or HTML would read. */
function escape(text: string): string {
  return text.replace(/#/g, "#35;").replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;").replace(/\|/g, "#124;");
}

const nameTag = (body: Body): string | undefined => (typeof body.tags?.Name === "string" ? body.tags.Name : undefined);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]);

/** Builds the graph from the stacks; each section reads one part of the architecture. */
function buildGraph(tf: Terraform): Graph {
  const graph = new Graph();
  const region = tf.region();

  // VPC -> zone -> subnet subgraphs, and a node per subnet holding its CIDR.
  const vpcs = tf.resources("aws_vpc");
  for (const vpc of vpcs) {
    const where = region ? ` in ${region}` : "";
    graph.subgraph(graph.itemId(vpc), `VPC ${nameTag(vpc.body) ?? vpc.name} ${vpc.body.cidr_block}${where}`, undefined);
  }
  const vpcOf = (stack: string, body: Body) => tf.ref(stack, body.vpc_id, "aws_vpc");
  const vpcSubgraph = (item: Item | undefined) => (item ? graph.itemId(item) : undefined);

  const associations = tf.resources("aws_route_table_association").map((a) => ({
    subnet: tf.ref(a.stack, a.body.subnet_id, "aws_subnet"),
    table: tf.ref(a.stack, a.body.route_table_id, "aws_route_table"),
  }));
  const routes = [
    ...tf.resources("aws_route").map((r) => ({ stack: r.stack, table: tf.ref(r.stack, r.body.route_table_id, "aws_route_table"), route: r.body })),
    ...tf.resources("aws_route_table").flatMap((t) => list(t.body.route).map((route) => ({ stack: t.stack, table: t as Item | undefined, route: route as Body }))),
  ];
  const routeTarget = (stack: string, route: Body) => tf.refs(stack, [route.nat_gateway_id, route.gateway_id, route.vpc_endpoint_id]);
  const subnetsOfTable = (table: Item) => associations.filter((a) => a.table && key(a.table) === key(table)).flatMap((a) => (a.subnet ? [a.subnet] : []));
  const isPublic = (subnet: Item) =>
    associations.some(
      (a) =>
        a.subnet &&
        a.table &&
        key(a.subnet) === key(subnet) &&
        routes.some((r) => r.table && key(r.table) === key(a.table!) && routeTarget(r.stack, r.route).some((t) => t.type === "aws_internet_gateway")),
    );

  const zoneIds = new Map<string, string>();
  const zoneId = (vpc: Item | undefined, zone: string): string => {
    const thing = `zone ${vpc ? key(vpc) : ""} ${zone}`;
    const existing = zoneIds.get(thing);
    if (existing) return existing;
    const id = graph.subgraph(graph.id(thing, "zone", vpcs.length > 1 && vpc ? `${vpc.name}_${zone}` : zone), zone, vpcSubgraph(vpc));
    zoneIds.set(thing, id);
    return id;
  };
  const subnetInfo = new Map<string, { zone: string; box: string; cidrNode: string }>();
  const subnets = tf.resources("aws_subnet");
  const kindRank = (s: Item) => (isPublic(s) ? 0 : 1);
  for (const subnet of [...subnets].sort((a, b) => kindRank(a) - kindRank(b) || compare(a.name, b.name))) {
    const zone = String(subnet.body.availability_zone ?? subnet.body.availability_zone_id ?? "zone unknown");
    const kind = isPublic(subnet) ? "public subnet" : "private subnet";
    const box = graph.subgraph(graph.itemId(subnet), kind, zoneId(vpcOf(subnet.stack, subnet.body), zone));
    const lines = [String(subnet.body.cidr_block), nameTag(subnet.body) ?? subnet.name];
    const cidrNode = graph.node(graph.id(`${key(subnet)} cidr`, "subnet", subnet.name, "_cidr"), lines, box, "box", "address");
    subnetInfo.set(key(subnet), { zone, box, cidrNode });
  }
  const subnetsOf = (stack: string, value: unknown) => tf.refs(stack, value).filter((item) => item.type === "aws_subnet");
  const zonesOf = (subnetItems: Item[]) => [...new Set(subnetItems.map((s) => subnetInfo.get(key(s))?.zone ?? "?"))].sort();
  /** Where a resource in `subnetItems` sits: its one subnet, or the VPC (its zones go in the label). */
  const placeIn = (subnetItems: Item[]): { parent: string | undefined; zones: string[] } => {
    if (subnetItems.length === 1) return { parent: subnetInfo.get(key(subnetItems[0]!))?.box, zones: [] };
    const vpc = subnetItems[0] ? vpcOf(subnetItems[0].stack, subnetItems[0].body) : undefined;
    return { parent: vpcSubgraph(vpc), zones: zonesOf(subnetItems) };
  };
  const zonesLine = (zones: string[]) => (zones.length > 0 ? [`subnets in ${zones.join(", ")}`] : []);

  // Internet gateways and NAT gateways, and the routes of each subnet to them.
  for (const igw of tf.resources("aws_internet_gateway")) {
    graph.node(graph.itemId(igw), ["internet gateway", nameTag(igw.body) ?? igw.name], vpcSubgraph(vpcOf(igw.stack, igw.body)));
  }
  for (const nat of tf.resources("aws_nat_gateway")) {
    const subnet = tf.ref(nat.stack, nat.body.subnet_id, "aws_subnet");
    const eip = tf.ref(nat.stack, nat.body.allocation_id, "aws_eip") ? " with Elastic IP" : "";
    graph.node(graph.itemId(nat), [`NAT gateway (${nat.body.connectivity_type ?? "public"}${eip})`, nameTag(nat.body) ?? nat.name], subnet ? subnetInfo.get(key(subnet))?.box : undefined);
  }

  // Security groups, in a subgraph of their VPC.
  for (const group of tf.resources("aws_security_group")) {
    const vpc = vpcOf(group.stack, group.body);
    const parent = vpc ? graph.subgraph(graph.id(`groups ${key(vpc)}`, "sgs", vpc.name), "security groups", graph.itemId(vpc)) : undefined;
    if (list(group.body.ingress).length > 0 || list(group.body.egress).length > 0) {
      throw new Error(`${group.stack}: aws_security_group.${group.name} has inline rules, which the diagram does not draw; use one aws_vpc_security_group_*_rule per flow`);
    }
    graph.node(graph.itemId(group), ["security group", String(group.body.name ?? group.name)], parent, "hexagon", "sg");
  }
  for (const group of tf.resources("aws_default_security_group")) {
    if (list(group.body.ingress).length > 0 || list(group.body.egress).length > 0) {
      throw new Error(`${group.stack}: aws_default_security_group.${group.name} has rules, which the diagram does not draw`);
    }
  }
  if (tf.resources("aws_security_group_rule").length > 0) {
    throw new Error("aws_security_group_rule resources are not drawn; use aws_vpc_security_group_ingress_rule/egress_rule");
  }
  const member = (from: string, stack: string, value: unknown) => {
    for (const group of tf.refs(stack, value).filter((item) => item.type === "aws_security_group")) graph.edge(from, graph.itemId(group), "member");
  };

  for (const [r, route] of routes.entries()) {
    if (!route.table) continue;
    const destination = String(route.route.destination_cidr_block ?? route.route.destination_ipv6_cidr_block ?? route.route.destination_prefix_list_id ?? `route ${r}`);
    for (const target of routeTarget(route.stack, route.route)) {
      for (const subnet of subnetsOfTable(route.table)) {
        const info = subnetInfo.get(key(subnet));
        if (info && graph.has(target)) graph.edge(info.cidrNode, graph.itemId(target), "route", destination);
      }
    }
  }

  // VPC endpoints: interface endpoints per subnet (their network interfaces), gateway endpoints
  // at the VPC with the zones of the route tables they serve.
  const serviceOf = (body: Body) => String(body.service_name ?? "").replace(/^com\.amazonaws\.[a-z0-9-]+\./, "");
  const interfaceGroups = new Map<string, { subnet: Item; groups: Item[]; services: string[]; stack: string }>();
  for (const endpoint of tf.resources("aws_vpc_endpoint")) {
    const type = String(endpoint.body.vpc_endpoint_type ?? "Gateway");
    if (type === "Gateway") {
      const tables = tf.refs(endpoint.stack, endpoint.body.route_table_ids).filter((item) => item.type === "aws_route_table");
      const zones = zonesOf(tables.flatMap(subnetsOfTable));
      graph.node(
        graph.itemId(endpoint),
        [`${serviceOf(endpoint.body)} gateway endpoint`, ...(zones.length > 0 ? [`route tables of ${zones.join(", ")}`] : [])],
        vpcSubgraph(vpcOf(endpoint.stack, endpoint.body)),
      );
      continue;
    }
    const groups = tf.refs(endpoint.stack, endpoint.body.security_group_ids).filter((item) => item.type === "aws_security_group");
    for (const subnet of subnetsOf(endpoint.stack, endpoint.body.subnet_ids)) {
      const thing = `${type} endpoints ${key(subnet)} ${groups.map(key).join(" ")}`;
      const entry = interfaceGroups.get(thing) ?? { subnet, groups, services: [], stack: endpoint.stack };
      entry.services.push(serviceOf(endpoint.body));
      interfaceGroups.set(thing, entry);
    }
  }
  for (const [thing, entry] of [...interfaceGroups.entries()].sort(([a], [b]) => compare(a, b))) {
    const id = graph.id(thing, "vpce", entry.subnet.name);
    graph.node(id, ["interface endpoints", entry.services.sort().join(", ")], subnetInfo.get(key(entry.subnet))?.box);
    for (const group of entry.groups) graph.edge(id, graph.itemId(group), "member");
  }

  // EC2 instances (the Dify host) with their launch template's settings, and their volumes.
  for (const instance of tf.resources("aws_instance")) {
    const template = tf.ref(instance.stack, instance.body.launch_template?.id ?? instance.body.launch_template, "aws_launch_template")?.body ?? {};
    const nics = list(template.network_interfaces) as Body[];
    const subnetValue = instance.body.subnet_id ?? nics.map((n) => n.subnet_id);
    const subnetItems = subnetsOf(instance.stack, subnetValue);
    const id = graph.itemId(instance);
    const type = instance.body.instance_type ?? template.instance_type;
    graph.node(id, ["EC2 instance", nameTag(instance.body) ?? instance.name, ...(type ? [String(type)] : [])], placeIn(subnetItems).parent);
    member(id, instance.stack, [instance.body.vpc_security_group_ids, template.vpc_security_group_ids, nics.map((n) => n.security_groups)]);
  }
  for (const volume of tf.resources("aws_ebs_volume")) {
    const zone = String(volume.body.availability_zone);
    const zoneParent = [...zoneIds.entries()].find(([thing]) => thing.endsWith(` ${zone}`))?.[1];
    const details = [`${volume.body.size ?? "?"} GiB ${volume.body.type ?? ""}`.trim(), volume.body.encrypted ? "encrypted" : "not encrypted"];
    graph.node(graph.itemId(volume), ["EBS volume", nameTag(volume.body) ?? volume.name, details.join(", ")], zoneParent, "cylinder");
  }
  for (const attachment of tf.resources("aws_volume_attachment")) {
    const instance = tf.ref(attachment.stack, attachment.body.instance_id, "aws_instance");
    const volume = tf.ref(attachment.stack, attachment.body.volume_id, "aws_ebs_volume");
    if (instance && volume) graph.edge(graph.itemId(instance), graph.itemId(volume), "link", String(attachment.body.device_name ?? "attached"));
  }

  // Load balancers, their listeners and targets.
  const listeners = tf.resources("aws_lb_listener");
  for (const lb of tf.resources("aws_lb")) {
    const own = listeners.filter((l) => tf.ref(l.stack, l.body.load_balancer_arn, "aws_lb") && key(tf.ref(l.stack, l.body.load_balancer_arn, "aws_lb")!) === key(lb));
    const listenerLines = own.map((l) => {
      const action = (list(l.body.default_action) as Body[])[0] ?? {};
      const does = action.type === "redirect" ? `redirect to ${action.redirect?.protocol ?? ""}:${action.redirect?.port ?? ""}` : String(action.type ?? "?");
      return `${l.body.protocol}:${l.body.port} → ${does}${l.body.certificate_arn ? " (ACM certificate)" : ""}`;
    });
    const { parent, zones } = placeIn(subnetsOf(lb.stack, lb.body.subnets));
    const id = graph.itemId(lb);
    const kind = `${lb.body.internal ? "internal " : ""}${lb.body.load_balancer_type === "network" ? "NLB" : "ALB"}`;
    graph.node(id, [kind, String(lb.body.name ?? lb.name), ...listenerLines, ...zonesLine(zones)], parent ?? vpcSubgraph(vpcs[0]));
    member(id, lb.stack, lb.body.security_groups);
  }
  for (const attachment of tf.resources("aws_lb_target_group_attachment")) {
    const group = tf.ref(attachment.stack, attachment.body.target_group_arn, "aws_lb_target_group");
    const target = tf.refs(attachment.stack, attachment.body.target_id).find((item) => graph.has(item));
    if (!group || !target) continue;
    for (const listener of listeners) {
      if (!tf.refs(listener.stack, listener.body.default_action).some((item) => key(item) === key(group))) continue;
      const lb = tf.ref(listener.stack, listener.body.load_balancer_arn, "aws_lb");
      if (lb) graph.edge(graph.itemId(lb), graph.itemId(target), "link", `target ${group.body.protocol}:${attachment.body.port ?? group.body.port}`);
    }
  }

  // EC2 Instance Connect endpoints.
  for (const eic of tf.resources("aws_ec2_instance_connect_endpoint")) {
    const id = graph.itemId(eic);
    graph.node(id, ["EC2 Instance Connect endpoint", nameTag(eic.body) ?? eic.name], placeIn(subnetsOf(eic.stack, eic.body.subnet_id)).parent);
    member(id, eic.stack, eic.body.security_group_ids);
  }

  // Route 53 zones and the records that alias drawn resources.
  for (const zone of tf.resources("aws_route53_zone")) {
    const isPrivate = list(zone.body.vpc).length > 0;
    const vpcNames = tf
      .refs(zone.stack, zone.body.vpc)
      .filter((item) => item.type === "aws_vpc")
      .map((vpc) => nameTag(vpc.body) ?? vpc.name);
    graph.node(graph.itemId(zone), [`Route 53 ${isPrivate ? "private" : "public"} zone`, String(zone.body.name), ...vpcNames.map((n) => `for ${n}`)], undefined);
  }
  for (const record of tf.resources("aws_route53_record")) {
    const zone = tf.ref(record.stack, record.body.zone_id, "aws_route53_zone");
    if (!zone) continue;
    for (const target of tf.refs(record.stack, [record.body.alias, record.body.records]).filter((item) => graph.has(item))) {
      graph.edge(graph.itemId(zone), graph.itemId(target), "link", `${record.body.name} ${record.body.type}${record.body.alias ? " alias" : ""}`);
    }
  }

  // The edge: WAF web ACL, CloudFront distribution and its VPC origin.
  for (const acl of tf.resources("aws_wafv2_web_acl")) {
    const rules = (list(acl.body.rule) as Body[]).sort((a, b) => Number(a.priority ?? 0) - Number(b.priority ?? 0)).map((rule) => String(rule.name));
    graph.node(graph.itemId(acl), [`WAF web ACL (${acl.body.scope})`, String(acl.body.name ?? acl.name), ...rules], undefined, "box", "global");
  }
  for (const origin of tf.resources("aws_cloudfront_vpc_origin")) {
    const config = (list(origin.body.vpc_origin_endpoint_config) as Body[])[0] ?? {};
    const id = graph.itemId(origin);
    graph.node(id, ["CloudFront VPC origin", String(config.name ?? origin.name), `${config.origin_protocol_policy} (HTTP ${config.http_port}, HTTPS ${config.https_port})`], undefined, "box", "global");
    for (const target of tf.refs(origin.stack, config.arn).filter((item) => graph.has(item))) graph.edge(id, graph.itemId(target), "link", String(config.origin_protocol_policy ?? "origin"));
  }
  for (const distribution of tf.resources("aws_cloudfront_distribution")) {
    const aliases = list(distribution.body.aliases).map(String);
    const certificate = distribution.body.viewer_certificate?.acm_certificate_arn;
    const certificateRegion = typeof certificate === "string" ? /^arn:aws:acm:([^:]+):/.exec(certificate)?.[1] : undefined;
    const id = graph.itemId(distribution);
    graph.node(
      id,
      [
        "CloudFront distribution",
        aliases.length > 0 ? aliases.join(", ") : "default *.cloudfront.net domain",
        String(distribution.body.price_class ?? ""),
        ...(certificate ? [`ACM certificate${certificateRegion ? ` (${certificateRegion})` : ""}`] : []),
      ].filter(Boolean),
      undefined,
      "box",
      "global",
    );
    for (const origin of list(distribution.body.origin) as Body[]) {
      for (const target of tf.refs(distribution.stack, origin.vpc_origin_config?.vpc_origin_id).filter((item) => graph.has(item))) {
        graph.edge(id, graph.itemId(target), "link", `origin ${origin.origin_id}`);
      }
    }
    const acl = tf.ref(distribution.stack, distribution.body.web_acl_id, "aws_wafv2_web_acl");
    if (acl) graph.edge(graph.itemId(acl), id, "link", "web ACL");
  }

  // Amplify apps, the Lambda VPC settings they publish, and what their branches point at.
  for (const app of tf.resources("aws_amplify_app")) {
    const id = graph.itemId(app);
    const appRefs = (item: Item, value: unknown) => tf.ref(item.stack, value, "aws_amplify_app");
    const ownedBy = (item: Item, field: unknown) => {
      const found = appRefs(item, field);
      return found !== undefined && key(found) === key(app);
    };
    const branches = tf.resources("aws_amplify_branch").filter((b) => ownedBy(b, b.body.app_id));
    const domains = tf
      .resources("aws_amplify_domain_association")
      .filter((d) => ownedBy(d, d.body.app_id))
      .flatMap((d) => (list(d.body.sub_domain) as Body[]).map((s) => (s.prefix ? `${s.prefix}.${d.body.domain_name}` : String(d.body.domain_name))));
    // SSM parameters in the app's stack that hand the Amplify Lambda functions their VPC settings.
    const parameters = tf.resources("aws_ssm_parameter").filter((p) => p.stack === app.stack);
    const lambdaSubnets = parameters.flatMap((p) => subnetsOf(p.stack, p.body.value));
    graph.node(
      id,
      [
        "Amplify app",
        String(app.body.name ?? app.name),
        `${app.body.platform ?? ""} ${branches.map((b) => `branch ${b.body.branch_name}`).join(", ")}`.trim(),
        ...domains,
        ...(lambdaSubnets.length > 0 ? [`Lambda in ${zonesOf(lambdaSubnets).join(", ")}`] : []),
      ].filter(Boolean),
      undefined,
      "box",
      "global",
    );
    for (const parameter of parameters) {
      for (const group of tf.refs(parameter.stack, parameter.body.value).filter((item) => item.type === "aws_security_group")) {
        graph.edge(id, graph.itemId(group), "member", "");
      }
    }
    for (const branch of branches) {
      for (const [variable, value] of Object.entries((branch.body.environment_variables ?? {}) as Record<string, unknown>).sort(([a], [b]) => compare(a, b))) {
        for (const target of tf.refs(branch.stack, value).filter((item) => graph.has(item))) graph.edge(id, graph.itemId(target), "link", variable);
      }
    }
  }

  // API Gateway HTTP APIs and their VPC links to the ALB.
  for (const link of tf.resources("aws_apigatewayv2_vpc_link")) {
    const { parent, zones } = placeIn(subnetsOf(link.stack, link.body.subnet_ids));
    const id = graph.itemId(link);
    graph.node(id, ["API Gateway VPC link", String(link.body.name ?? link.name), ...zonesLine(zones)], parent ?? vpcSubgraph(vpcs[0]));
    member(id, link.stack, link.body.security_group_ids);
  }
  for (const api of tf.resources("aws_apigatewayv2_api")) {
    const id = graph.itemId(api);
    const apiOf = (item: Item) => tf.ref(item.stack, item.body.api_id, "aws_apigatewayv2_api");
    const mine = (item: Item) => apiOf(item) !== undefined && key(apiOf(item)!) === key(api);
    const routeLines = tf
      .resources("aws_apigatewayv2_route")
      .filter(mine)
      .map((route) => `${route.body.route_key}${route.body.authorization_type && route.body.authorization_type !== "NONE" ? ` (${route.body.authorization_type})` : ""}`)
      .sort();
    graph.node(id, [`API Gateway ${api.body.protocol_type ?? ""} API`.replace("  ", " "), String(api.body.name ?? api.name), ...routeLines], undefined, "box", "global");
    for (const integration of tf.resources("aws_apigatewayv2_integration").filter(mine)) {
      const link = tf.ref(integration.stack, integration.body.connection_id, "aws_apigatewayv2_vpc_link");
      const listener = tf.ref(integration.stack, integration.body.integration_uri, "aws_lb_listener");
      const lb = listener ? tf.ref(listener.stack, listener.body.load_balancer_arn, "aws_lb") : undefined;
      if (link) graph.edge(id, graph.itemId(link), "link", `${integration.body.connection_type} ${integration.body.integration_type}`);
      if (link && lb && listener) graph.edge(graph.itemId(link), graph.itemId(lb), "link", `${listener.body.protocol}:${listener.body.port} listener`);
    }
    for (const app of tf.refs(api.stack, api.body.cors_configuration).filter((item) => item.type === "aws_amplify_app" && graph.has(item))) {
      graph.edge(graph.itemId(app), id, "link", "CORS origin");
    }
  }

  addFlows(tf, graph);
  return graph;
}

/**
 * The security-group flows, from the one-rule-per-flow resources: an ingress rule admits its peer
 * into its group, an egress rule lets its group reach its peer. Between two groups the flow
 * passes only when both rules exist; a rule without its counterpart is drawn crossed out. A
 * peer that is a prefix list or a CIDR needs only the one rule.
 */
function addFlows(tf: Terraform, graph: Graph): void {
  interface Flow {
    from: string;
    to: string;
    protocol: string;
    ports: string;
    groupToGroup: boolean;
    directions: Set<"ingress" | "egress">;
  }
  const flows = new Map<string, Flow>();
  const peerNode = (rule: Item): { id: string; group: boolean } => {
    const body = rule.body;
    if (body.referenced_security_group_id) {
      const group = tf.ref(rule.stack, body.referenced_security_group_id, "aws_security_group");
      if (!group) throw new Error(`${rule.stack}: ${rule.type}.${rule.name} references no security group`);
      return { id: graph.itemId(group), group: true };
    }
    if (body.prefix_list_id) {
      const list = tf.refs(rule.stack, body.prefix_list_id).find((item) => item.type === "aws_ec2_managed_prefix_list");
      if (!list) throw new Error(`${rule.stack}: ${rule.type}.${rule.name} references no prefix list`);
      const id = graph.itemId(list);
      graph.node(id, ["prefix list", String(list.body.name ?? list.name)], undefined, "stadium", "address");
      return { id, group: false };
    }
    const cidr = String(body.cidr_ipv4 ?? body.cidr_ipv6 ?? "");
    if (!cidr) throw new Error(`${rule.stack}: ${rule.type}.${rule.name} has no peer`);
    const id = graph.id(`cidr ${cidr}`, "cidr", cidr);
    graph.node(id, [cidr === "0.0.0.0/0" || cidr === "::/0" ? `${cidr} (anywhere)` : cidr], undefined, "stadium", "address");
    return { id, group: false };
  };
  for (const direction of ["ingress", "egress"] as const) {
    for (const rule of tf.resources(`aws_vpc_security_group_${direction}_rule`)) {
      const group = tf.ref(rule.stack, rule.body.security_group_id, "aws_security_group");
      if (!group) throw new Error(`${rule.stack}: ${rule.type}.${rule.name} belongs to no security group`);
      const self = graph.itemId(group);
      const peer = peerNode(rule);
      const [from, to] = direction === "ingress" ? [peer.id, self] : [self, peer.id];
      const all = String(rule.body.ip_protocol) === "-1";
      const protocol = all ? "all" : String(rule.body.ip_protocol);
      const low = rule.body.from_port;
      const high = rule.body.to_port;
      const ports = all || low === undefined ? "all" : low === high ? String(low) : `${low}-${high}`;
      const flowKey = `${from} ${to} ${protocol} ${ports}`;
      const flow = flows.get(flowKey) ?? { from, to, protocol, ports, groupToGroup: peer.group, directions: new Set() };
      flow.directions.add(direction);
      flows.set(flowKey, flow);
    }
  }
  for (const flow of flows.values()) {
    const label = flow.protocol === "all" ? "all traffic" : `${flow.protocol}/${flow.ports}`;
    if (!flow.groupToGroup || flow.directions.size === 2) graph.edge(flow.from, flow.to, "flow", label);
    else graph.edge(flow.from, flow.to, "half", `${label}: ${flow.directions.has("ingress") ? "no egress rule" : "no ingress rule"}`);
  }
}

/** The Mermaid `flowchart` source of the architecture in `stacksDir` (a synthesized `cdktf.out/stacks`). */
export function architectureMermaid(stacksDir: string): string {
  return buildGraph(new Terraform(stacksDir)).render();
}

/**
 * The whole of docs/architecture.md for the stacks in `stacksDir`; `title` is the customer config
 * file they were synthesized from, as named on the command line (e.g. `customers/example.yaml`).
 */
export function architectureMarkdown(stacksDir: string, title: string): string {
  const command = `npx amplify-dify-vpc diagram --config ${title}`;
  return [
    `# Architecture of ${title}`,
    "",
    `Generated from \`${title}\` by \`${command} > docs/architecture.md\`, which reads the Terraform JSON that config synthesizes (\`cdktf.out/stacks/*/cdk.tf.json\`), so do not edit it by hand.`,
    "",
    "The diagram is [Mermaid](https://mermaid.js.org) flowchart text, which GitHub renders natively: no renderer runs in CI, and a change of architecture shows in review as a text diff.",
    "Thick arrows are security-group flows (one per pair of ingress/egress rule resources, labelled protocol/port; a crossed arrow is a rule without its counterpart), dotted arrows are routes, dotted lines join a resource to its security group, and plain arrows are references between resources.",
    "",
    "```mermaid",
    architectureMermaid(stacksDir).trimEnd(),
    "```",
    "",
  ].join("\n");
}
