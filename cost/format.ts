import type { Estimate } from "./estimate";
import { HOURS_PER_MONTH, PRICES } from "./prices";

const usd = (amount: number) => amount.toFixed(2);

/**
 * The estimate as a Markdown table (one row per charge, a total per stack and overall), then
 * the usage prices that come on top and anything that could not be priced. The README's cost
 * tables are this text, and a test keeps them current.
 */
export function formatEstimate(estimate: Estimate): string {
  const rows = estimate.stacks.flatMap(({ name, monthlyUsd }) => {
    // Identical charges (three NAT gateways, seven alarms) share a row.
    const grouped = new Map<string, { count: number; usd: number }>();
    for (const line of estimate.lines) {
      if (line.stack !== name || line.monthlyUsd === 0) continue;
      const row = grouped.get(line.item) ?? { count: 0, usd: 0 };
      grouped.set(line.item, { count: row.count + 1, usd: row.usd + line.monthlyUsd });
    }
    return [
      ...[...grouped].map(([item, row]) => `| ${name} | ${row.count > 1 ? `${row.count} x ` : ""}${item} | ${usd(row.usd)} |`),
      `| **${name}** | **fixed total** | **${usd(monthlyUsd)}** |`,
    ];
  });
  const usage = estimate.usagePrices.map((id) => `- ${id}: ${PRICES[id].usd} USD per ${PRICES[id].per}`);
  const unpriced = estimate.unpriced.map((u) => `- ${u.stack} ${u.resource}: ${u.reason}`);
  return [
    `Fixed monthly cost, USD (${HOURS_PER_MONTH} h, ap-northeast-1 list prices of cost/prices.ts, before free tiers):`,
    "",
    "| stack | charge | USD/month |",
    "|---|---|---:|",
    ...rows,
    `| | **total** | **${usd(estimate.monthlyUsd)}** |`,
    "",
    "Plus, by use:",
    ...usage,
    ...(unpriced.length ? ["", `Not priced (${unpriced.length}): the total leaves them out`, ...unpriced] : []),
    "",
  ].join("\n");
}
