import type { IncomingMessage } from "node:http";

/** The whole body of a request to one of the tests' local HTTP servers, as text. */
export function requestBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = "";
    req.on("data", (chunk) => (data += chunk));
    req.on("end", () => resolve(data));
  });
}
