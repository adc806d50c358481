/**
 * Text Terraform must pass through as written. Terraform reads `${...}` and `%{...}` in every
 * string of its JSON syntax as template syntax; `$${` and `%%{` are their literal forms. Use it
 * for text that holds shell or other template syntax and no Terraform reference.
 */
export function terraformLiteral(text: string): string {
  return text.replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
}
