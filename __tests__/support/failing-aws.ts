import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { requestBody } from "./request-body";

/** An error as an AWS service sends it: its code, HTTP status and message. */
export interface AwsError {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

/**
 * AWS on 127.0.0.1, failing every call with one error (or cutting the connection), written in
 * the protocol of the service called, as AWS writes it: EC2's query XML (`<Response><Errors>`),
 * the query XML of STS and ELB (`<ErrorResponse>`), CloudFront's REST XML, the JSON protocol
 * of SSM (`__type`) and Amplify's REST JSON (`x-amzn-ErrorType`). Point the SDK at it with
 * AWS_ENDPOINT_URL.
 */
export interface FailingAws {
  readonly endpoint: string;
  /** What every call is answered with; "reset" closes the connection without an answer. */
  answer: AwsError | "reset";
  /** The calls received by protocol and action: "ec2 DescribeInstances", "json AmazonSSM.GetParameter", "query GetCallerIdentity", "rest-xml GET /2020-05-31/distribution", "rest-json GET /apps". */
  readonly calls: string[];
  stop(): Promise<void>;
}

const xml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Writes `error` the way the service behind the request would. */
function reply(req: IncomingMessage, text: string, res: ServerResponse, error: AwsError): string {
  const requestId = randomUUID();
  const type = error.status >= 500 ? "Receiver" : "Sender";
  const target = req.headers["x-amz-target"];
  if (typeof target === "string") {
    // JSON 1.1 (SSM): the service and action in X-Amz-Target, the error in __type.
    res.writeHead(error.status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": requestId });
    res.end(JSON.stringify({ __type: error.code, message: error.message }));
    return `json ${target}`;
  }
  const form = new URLSearchParams(text);
  const action = form.get("Action");
  if (action && form.get("Version") === "2016-11-15") {
    res.writeHead(error.status, { "content-type": "text/xml;charset=UTF-8" });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${error.code}</Code><Message>${xml(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
    );
    return `ec2 ${action}`;
  }
  if (action || req.url?.startsWith("/2020-05-31/")) {
    // The query protocol (STS, ELB) and CloudFront's REST XML share the ErrorResponse shape.
    res.writeHead(error.status, { "content-type": "text/xml", "x-amzn-requestid": requestId });
    res.end(
      `<ErrorResponse><Error><Type>${type}</Type><Code>${error.code}</Code><Message>${xml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
    return action ? `query ${action}` : `rest-xml ${req.method} ${req.url?.split("?")[0]}`;
  }
  // REST JSON (Amplify): the code in a header, the message in the body.
  res.writeHead(error.status, { "content-type": "application/json", "x-amzn-errortype": `${error.code}:`, "x-amzn-requestid": requestId });
  res.end(JSON.stringify({ message: error.message }));
  return `rest-json ${req.method} ${req.url?.split("?")[0]}`;
}

export async function startFailingAws(): Promise<FailingAws> {
  const calls: string[] = [];
  const state: { answer: AwsError | "reset" } = { answer: { code: "InternalError", status: 500, message: "no answer chosen" } };
  const server = createServer(async (req, res) => {
    const text = await requestBody(req);
    if (state.answer === "reset") {
      calls.push("reset");
      req.socket.destroy();
      return;
    }
    calls.push(reply(req, text, res, state.answer));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get answer() {
      return state.answer;
    },
    set answer(value) {
      state.answer = value;
    },
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
