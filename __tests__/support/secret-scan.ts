import { gunzipSync } from "node:zlib";

/**
 * Finds values that look like secrets in synthesized Terraform JSON and in host files: the
 * defaults Dify ships (which a deployment must never keep), AWS keys, private keys, literal
 * values of password-like arguments, and long random-looking strings.
 */

/** Secrets Dify's docker/.env.example ships with (tag 1.16.1). */
const DIFY_SHIPPED_SECRETS = [
  "difyai123456",
  "lYkiYYT6owG+71oLerGzA7GXCgOT",
  "QaHbTe77CtuXmsfyhR7+vRjI",
  "WVF5YThaHlkYwhGUSmCRgsX3tD5ngdN8pkih",
  "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY",
  "dify-sandbox",
  "dify-agent-run-token-for-dev-only",
];

const PATTERNS: [string, RegExp][] = [
  ["AWS access key ID", /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ["private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ["Dify's shipped default secret", new RegExp(DIFY_SHIPPED_SECRETS.map((s) => s.replace(/[+]/g, "\\+")).join("|"))],
];

/** Arguments whose value must be a reference or generated, never a literal. */
const SECRET_ARGUMENT = /(password|secret_string|token|api_key|private_key|access_key)$/i;

function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts.values()].reduce((sum, n) => sum - (n / text.length) * Math.log2(n / text.length), 0);
}

/** A 24+ character run of key-like characters mixing cases and digits, with high entropy. */
function randomLooking(text: string): string[] {
  return (text.match(/[A-Za-z0-9+/_-]{24,}/g) ?? []).filter(
    (token) =>
      /[A-Z]/.test(token) &&
      /[a-z]/.test(token) &&
      /\d/.test(token) &&
      !/^[0-9a-f]+$/i.test(token) &&
      !token.includes("/") &&
      entropy(token) > 4.2,
  );
}

export interface SecretFinding {
  readonly where: string;
  readonly what: string;
}

/** Findings in a text (user data, a script): patterns and random-looking tokens. */
export function scanText(where: string, text: string): SecretFinding[] {
  const findings: SecretFinding[] = PATTERNS.filter(([, re]) => re.test(text)).map(([what]) => ({ where, what }));
  for (const token of randomLooking(text)) findings.push({ where, what: `random-looking value ${token.slice(0, 6)}...` });
  return findings;
}

/** `text` without its Terraform expressions (`${...}`, nested braces included): references are not values. */
function withoutExpressions(text: string): string {
  let result = "";
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (depth === 0 && text.startsWith("${", i) && text[i - 1] !== "$") {
      depth = 1;
      i++;
    } else if (depth > 0) {
      if (text[i] === "{") depth++;
      else if (text[i] === "}") depth--;
    } else result += text[i];
  }
  return result;
}

/** Findings in Terraform JSON: every string value, and literal values of secret-like arguments. */
export function scanTerraformJson(where: string, json: unknown): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const visit = (value: unknown, path: string, key: string): void => {
    if (key === "//" || key === "depends_on") return;
    if (typeof value === "string") {
      if (value.startsWith("${") && value.endsWith("}")) return;
      if (key === "user_data") {
        const bytes = Buffer.from(value, "base64");
        const text = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
        findings.push(...scanText(`${where} ${path} (decoded)`, text.toString("utf8")));
        return;
      }
      if (SECRET_ARGUMENT.test(key)) findings.push({ where: `${where} ${path}`, what: "literal value of a secret argument" });
      findings.push(...scanText(`${where} ${path}`, withoutExpressions(value)));
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, `${path}[${i}]`, key));
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) visit(v, path ? `${path}.${k}` : k, k);
    }
  };
  visit(json, "", "");
  return findings;
}
