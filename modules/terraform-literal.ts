/**
 * Text Terraform must pass through as written. Terraform reads `${...}` and `%{...}` in every
 * string of its JSON syntax, object keys included, as template syntax; `$${` and `%%{` are their
 * literal forms. The replacement is a function because in a replacement string `$$` means one `$`.
 */
export function terraformLiteral(text: string): string {
  return text.replace(/([$%])\{/g, (_match, sigil: string) => `${sigil}${sigil}{`);
}

/**
 * `value` with every string and every object key in it made a Terraform literal. The stacks
 * receive the customer config through this (stacks/app.ts), so no config value can become a
 * Terraform expression, whichever module it reaches.
 */
export function terraformLiterals<T>(value: T): T {
  if (typeof value === "string") return terraformLiteral(value) as T;
  if (Array.isArray(value)) return value.map((item) => terraformLiterals(item)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [terraformLiteral(key), terraformLiterals(item)])) as T;
  }
  return value;
}
