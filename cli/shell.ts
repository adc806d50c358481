/** A shell word for a printed command line: quoted when the shell would read it otherwise. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** A printed command line, ready to paste into a shell. */
export function shellLine(command: readonly string[]): string {
  return command.map(shellQuote).join(" ");
}
