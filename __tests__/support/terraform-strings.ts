/**
 * Terraform reads `${...}` and `%{...}` in every string of its JSON syntax as template syntax;
 * `$${` and `%%{` are the literal forms. This finds the places where a string holds template
 * syntax that is not a Terraform expression, i.e. text meant for a shell or another program
 * that Terraform would try to evaluate (and fail on, or worse, substitute).
 */
export function unintendedTemplates(json: unknown): string[] {
  const problems: string[] = [];
  const visit = (value: unknown, path: string): void => {
    if (typeof value === "string") {
      for (const match of value.matchAll(/(?<![$%])([$%])\{/g)) {
        const rest = value.slice(match.index! + 2);
        if (match[1] === "%") {
          problems.push(`${path}: template directive %{${rest.slice(0, 20)}`);
        } else if (!/^\s*[a-z_][a-z0-9_-]*\s*[.(\[]/.test(rest)) {
          problems.push(`${path}: \${${rest.slice(0, 30)} is not a Terraform expression`);
        }
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, `${path}[${i}]`));
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) visit(v, path ? `${path}.${k}` : k);
    }
  };
  visit(json, "");
  return problems;
}
