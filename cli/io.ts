import ora, { type Ora } from "ora";

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
  let spinner: Ora | undefined;
  return {
    out: (text) => void process.stdout.write(text),
    err(text) {
      // The next frame of a spinner would overwrite the message (an error thrown mid-wait).
      if (spinner?.isSpinning) spinner.stop();
      process.stderr.write(text);
    },
    progress(text) {
      if (json || !process.stderr.isTTY) return silent;
      const running = ora({ text, stream: process.stderr }).start();
      spinner = running;
      return {
        update: (t) => void (running.text = t),
        done: (t) => void running.succeed(t),
        failed: (t) => void running.fail(t),
      };
    },
  };
}

/** Prints `document` as the one JSON document of a `--json` run. */
export function writeJson(io: Pick<Io, "out">, document: unknown): void {
  io.out(`${JSON.stringify(document, null, 2)}\n`);
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
