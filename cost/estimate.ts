import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PRICES, type PriceId } from "./prices";
import { FREE, PRICERS, Unpriced, type StackJson } from "./resource-prices";

/** One priced charge of one resource of one stack. */
export interface CostLine {
  readonly stack: string;
  /** `type.name` as in the stack's JSON. */
  readonly resource: string;
  readonly item: string;
  readonly monthlyUsd: number;
  readonly usage: readonly PriceId[];
}

/** A resource the table cannot price: never counted as zero. */
export interface UnpricedResource {
  readonly stack: string;
  readonly resource: string;
  readonly reason: string;
}

export interface Estimate {
  readonly stacksDir: string;
  /** Stacks in deployment order where known, then by name. */
  readonly stacks: readonly { readonly name: string; readonly monthlyUsd: number }[];
  readonly lines: readonly CostLine[];
  readonly unpriced: readonly UnpricedResource[];
  /** Fixed monthly cost of everything priced. */
  readonly monthlyUsd: number;
  /** Usage prices that apply to some resource, for the variable part. */
  readonly usagePrices: readonly PriceId[];
}

const STACK_ORDER = ["state", "network", "dify", "edge", "amplify"];

/** Prices every resource of every `<stacksDir>/<stack>/cdk.tf.json`. */
export function estimateStacks(stacksDir: string): Estimate {
  const names = readdirSync(stacksDir)
    .filter((name) => existsSync(join(stacksDir, name, "cdk.tf.json")))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const lines: CostLine[] = [];
  const unpriced: UnpricedResource[] = [];
  for (const stack of names) {
    const json = JSON.parse(readFileSync(join(stacksDir, stack, "cdk.tf.json"), "utf8")) as StackJson;
    for (const [type, resources] of Object.entries(json.resource ?? {})) {
      for (const [name, body] of Object.entries(resources)) {
        const resource = `${type}.${name}`;
        if (Object.hasOwn(FREE, type)) continue;
        const pricer = Object.hasOwn(PRICERS, type) ? PRICERS[type] : undefined;
        if (!pricer) {
          unpriced.push({ stack, resource, reason: `no price entry for ${type} in cost/resource-prices.ts` });
          continue;
        }
        try {
          lines.push(...pricer(body, json).map((charge) => ({ stack, resource, ...charge })));
        } catch (error) {
          if (!(error instanceof Unpriced)) throw error;
          unpriced.push({ stack, resource, reason: error.message });
        }
      }
    }
  }
  const sum = (of: readonly CostLine[]) => of.reduce((total, line) => total + line.monthlyUsd, 0);
  return {
    stacksDir,
    stacks: names.map((name) => ({ name, monthlyUsd: sum(lines.filter((line) => line.stack === name)) })),
    lines,
    unpriced,
    monthlyUsd: sum(lines),
    usagePrices: (Object.keys(PRICES) as PriceId[]).filter((id) => lines.some((line) => line.usage.includes(id))),
  };
}

function rank(stack: string): number {
  const index = STACK_ORDER.indexOf(stack);
  return index < 0 ? STACK_ORDER.length : index;
}

/** Variable monthly cost of `usage` (price id -> quantity in that price's unit) at the table's prices. */
export function usageCost(estimate: Estimate, usage: Readonly<Partial<Record<PriceId, number>>>): { id: PriceId; quantity: number; monthlyUsd: number }[] {
  return estimate.usagePrices.flatMap((id) => {
    const quantity = usage[id];
    return quantity === undefined ? [] : [{ id, quantity, monthlyUsd: quantity * PRICES[id].usd }];
  });
}
