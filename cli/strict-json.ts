import { parse, printParseErrorCode, visit, type JSONPath, type ParseError } from "jsonc-parser";
import { UserError } from "./user-error";

/** A file's text and whether it began with a UTF-8 byte order mark, which the text leaves out. */
export interface DecodedText {
  readonly text: string;
  readonly bom: boolean;
}

const BOM = [0xef, 0xbb, 0xbf];

/**
 * The text of `bytes`, refusing anything that is not valid UTF-8: a lenient decoder would turn
 * bad bytes into U+FFFD and the rewrite would then destroy them for good. A byte order mark is
 * reported rather than kept in the text (JSON parsers reject it) so that the caller can write it
 * back and leave the file's encoding as it was.
 */
export function decodeUtf8(bytes: Uint8Array, where: string): DecodedText {
  try {
    // ignoreBOM: false (the default) consumes a leading BOM instead of returning it as U+FEFF.
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return { text, bom: BOM.every((byte, i) => bytes[i] === byte) };
  } catch {
    throw new UserError(
      `${where}: not valid UTF-8 at byte offset ${invalidUtf8Offset(bytes)}`,
      "save the file as UTF-8 (CloudFormation reads templates as UTF-8), or restore it with `amplify pull`",
    );
  }
}

/** The bytes to write for `text`: UTF-8, with the byte order mark when the file had one. */
export function encodeUtf8({ text, bom }: DecodedText): Buffer {
  const body = Buffer.from(text, "utf8");
  return bom ? Buffer.concat([Buffer.from(BOM), body]) : body;
}

/**
 * Where the first invalid sequence starts. TextDecoder does not say, so decode leniently and walk
 * both: every character before the first bad byte re-encodes to exactly the bytes it came from,
 * and the first U+FFFD that did not come from the bytes EF BF BD marks the spot.
 */
function invalidUtf8Offset(bytes: Uint8Array): number {
  let offset = 0;
  for (const char of new TextDecoder("utf-8").decode(bytes)) {
    const encoded = Buffer.from(char, "utf8");
    if (char === "\uFFFD" && !encoded.equals(bytes.subarray(offset, offset + encoded.length))) return offset;
    offset += encoded.length;
  }
  return offset;
}

/**
 * The value of a JSON document, refusing syntax errors and duplicate keys (naming file and line).
 *
 * jsonc-parser, like JSON.parse, silently keeps the last of two duplicate keys, while its
 * `modify` edits the first: a checked-and-edited template would be checked in one copy and edited
 * in the other (CloudFormation may read either). Neither `parse` nor `parseTree` reports
 * duplicates, so `visit` collects the keys of each object.
 */
export function parseStrictJson(text: string, where: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: false });
  if (errors.length > 0) {
    const first = errors[0]!;
    const line = text.slice(0, first.offset).split("\n").length;
    throw new UserError(`${where}:${line}: not valid JSON (${printParseErrorCode(first.error)})`, "fix the template or restore it with `amplify pull`");
  }
  // Line (0-based) of each key seen so far, per object being visited.
  const open: Map<string, number>[] = [];
  visit(text, {
    onObjectBegin: () => void open.push(new Map()),
    onObjectEnd: () => void open.pop(),
    onObjectProperty: (key, _offset, _length, line, _character, pathOf) => {
      const keys = open[open.length - 1]!;
      const earlier = keys.get(key);
      if (earlier !== undefined) {
        const parent = pathOf();
        throw new UserError(
          `${where}:${line + 1}: duplicate key ${formatPath([...parent, key])} (first on line ${earlier + 1})`,
          `keep one "${key}" in ${parent.length === 0 ? "the top-level object" : formatPath(parent)} and delete the other: JSON readers disagree on which copy counts`,
        );
      }
      keys.set(key, line);
    },
  });
  return value;
}

/** `Resources.LambdaFunction.Properties.Layers[0]`, as the errors name places in a template. */
function formatPath(path: JSONPath): string {
  return path.map((segment, i) => (typeof segment === "number" ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join("");
}
