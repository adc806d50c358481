/** The names of a checked-in list file: one per line, `#` lines are comments. */
export function nameList(text: string): ReadonlySet<string> {
  return new Set(text.split("\n").filter((line) => line && !line.startsWith("#")));
}
