import ora from "ora";

/** Where a command writes: injectable so tests can read it. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Show progress of a wait; a no-op for --json and when stderr is not a terminal. */
  progress(text: string): Progress;
}

export interface Progress {
  update(text: string): void;
  done(text: string): void;
  failed(text: string): void;
}

const silent: Progress = { update: () => {}, done: () => {}, failed: () => {} };

/** The process's stdout/stderr, with an ora spinner on stderr when it is a terminal. */
export function processIo(json: boolean): Io {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    progress(text) {
      if (json || !process.stderr.isTTY) return silent;
      const spinner = ora({ text, stream: process.stderr }).start();
      return {
        update: (t) => void (spinner.text = t),
        done: (t) => void spinner.succeed(t),
        failed: (t) => void spinner.fail(t),
      };
    },
  };
}

/** An Io that collects output, for tests. */
export function bufferIo(): Io & { readonly stdout: () => string; readonly stderr: () => string } {
  let out = "";
  let err = "";
  return {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    progress: () => silent,
    stdout: () => out,
    stderr: () => err,
  };
}
