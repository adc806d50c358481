import { parseDocument } from "yaml";
import { readConfigText } from "../config/load";
import { estimateStacks, usageCost, type Estimate } from "../cost/estimate";
import { PRICES, type PriceId } from "../cost/prices";
import { stacksToRead } from "./synthesize";
import { UserError } from "./user-error";

export interface CostReport {
  readonly estimate: Estimate;
  /** The what-if usage priced, when a usage file was given. */
  readonly usage: ReturnType<typeof usageCost>;
  readonly variableMonthlyUsd: number;
}

/**
 * Prices the stacks of `stacksDir`, or of `configFile` synthesized into a temporary directory
 * (the same program as `npm run synth`), and the usage file's quantities on top.
 */
export function costReport(options: { stacksDir: string; configFile?: string; usageFile?: string }): CostReport {
  const stacksDir = stacksToRead({ stacksDir: options.stacksDir, configFile: options.configFile });
  const estimate = estimateStacks(stacksDir);
  const usage = options.usageFile ? usageCost(estimate, readUsage(options.usageFile, estimate)) : [];
  return { estimate, usage, variableMonthlyUsd: usage.reduce((sum, u) => sum + u.monthlyUsd, 0) };
}

/** `priceId: quantity` per month, e.g. `cloudfrontJapanGb: 200`; only prices these stacks use. */
function readUsage(file: string, estimate: Estimate): Partial<Record<PriceId, number>> {
  const doc = parseDocument(readConfigText(file));
  const data: unknown = doc.errors.length ? undefined : doc.toJS({ maxAliasCount: 10 });
  const fix = `write one "<price id>: <quantity per month>" per line, e.g. cloudfrontJapanGb: 200; the ids: ${estimate.usagePrices.join(", ")}`;
  if (data === null || typeof data !== "object" || Array.isArray(data)) throw new UserError(`${file} is not a YAML mapping of usage quantities`, fix);
  const usage: Partial<Record<PriceId, number>> = {};
  for (const [key, quantity] of Object.entries(data)) {
    if (!Object.hasOwn(PRICES, key) || !estimate.usagePrices.includes(key as PriceId)) {
      throw new UserError(`${file}: ${JSON.stringify(key)} is not a usage price of these stacks`, fix);
    }
    if (typeof quantity !== "number" || !Number.isFinite(quantity) || quantity < 0) {
      throw new UserError(`${file}: ${key} must be a number of ${PRICES[key as PriceId].per} a month, not ${JSON.stringify(quantity)}`, fix);
    }
    usage[key as PriceId] = quantity;
  }
  return usage;
}
