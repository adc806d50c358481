/**
 * One HTTP request of `verify`, bounded: no redirect is followed, at most MAX_BODY_BYTES of a
 * body are read (and only when the check needs the body), and the whole exchange, headers and
 * body, must finish within the timeout. Whatever else happens comes back as a sentence.
 */

/** Bytes of a body read at most; Dify's answers that verify reads are a few bytes. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Milliseconds one request may take, headers and body. */
export const REQUEST_TIMEOUT_MS = 15_000;

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  /** The body as text; "" unless it was asked for. */
  readonly body: string;
}

/** What went wrong instead of an answer, e.g. "no answer within 15 s". */
export interface NoAnswer {
  readonly problem: string;
}

export type Reply = Answer | NoAnswer;

export interface ProbeRequest {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Read the body (up to MAX_BODY_BYTES); otherwise it is discarded unread. */
  readonly readBody?: boolean;
  /** @default REQUEST_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

export const isAnswer = (reply: Reply): reply is Answer => !("problem" in reply);

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;
const kb = (bytes: number) => `${bytes / 1024} KB`;

/** The error's own code (ECONNREFUSED, ENOTFOUND...) where fetch wraps it in "fetch failed". */
function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

const timedOut = (error: unknown) => ["TimeoutError", "AbortError"].includes((error as Error)?.name);

/** Reads at most `cap` bytes; undefined when the body is longer (the rest is not read). */
async function readCapped(body: ReadableStream<Uint8Array> | null, cap: number): Promise<string | undefined> {
  if (!body) return "";
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks).toString("utf8");
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
}

export async function probe(url: string, request: ProbeRequest = {}): Promise<Reply> {
  const timeoutMs = request.timeoutMs ?? REQUEST_TIMEOUT_MS;
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method ?? "GET",
      headers: request.headers,
      body: request.body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return { problem: timedOut(error) ? `no answer within ${seconds(timeoutMs)}` : `no answer (${reason(error)})` };
  }
  if (!request.readBody) {
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status, headers: response.headers, body: "" };
  }
  try {
    const body = await readCapped(response.body, MAX_BODY_BYTES);
    if (body === undefined) return { problem: `HTTP ${response.status}, body over ${kb(MAX_BODY_BYTES)} (stopped reading)` };
    return { status: response.status, headers: response.headers, body };
  } catch (error) {
    return {
      problem: timedOut(error)
        ? `HTTP ${response.status}, body unfinished after ${seconds(timeoutMs)}`
        : `HTTP ${response.status}, body cut off (${reason(error)})`,
    };
  }
}

/** Statuses that send the client elsewhere (with a Location). */
export const isRedirect = (status: number) => [301, 302, 303, 307, 308].includes(status);

/** "HTTP 302 redirect to https://elsewhere.example/": a redirect named by its Location. */
export function redirectText(answer: Answer): string {
  const location = answer.headers.get("location");
  return location === null ? `HTTP ${answer.status} redirect without a Location` : `HTTP ${answer.status} redirect to ${location}`;
}
