import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv, { type ErrorObject } from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { z } from "zod";
import { customerConfigSchema } from "../config/schema";
import { configReference } from "../docs-gen/config-reference";
import { SCHEMA_FILE, SCHEMA_MODELINE, configJsonSchema, configKeys, formatKeyPath, isJsonText, type JsonSchema } from "../docs-gen/config-schema";
import { REPO_ROOT } from "./support/config";

const EXAMPLES = ["example.yaml", "example-full.yaml", "example-dev.yaml"];
const REFERENCE_FILE = "docs/config-reference.md";

const schema = configJsonSchema();
const keys = configKeys();

/** A validator of the editor schema: ajv checks it against the draft-07 meta-schema on compile. */
function validator() {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  // VS Code's (and the YAML language server's) Markdown hover text: an annotation, no assertion.
  ajv.addVocabulary(["markdownDescription"]);
  return ajv.compile(schema);
}
const validate = validator();

const errorsOf = (data: unknown): Pick<ErrorObject, "instancePath" | "keyword" | "params">[] =>
  validate(data) ? [] : (validate.errors ?? []).map(({ instancePath, keyword, params }) => ({ instancePath, keyword, params }));

const exampleText = (name: string) => readFileSync(join(REPO_ROOT, "customers", name), "utf8");
const example = (name: string): Record<string, any> => parse(exampleText(name));

/** Fails with what to run when a generated file differs from what its generator gives now. */
function expectCurrent(file: string, generated: string): void {
  let committed: string;
  try {
    committed = readFileSync(join(REPO_ROOT, file), "utf8");
  } catch {
    throw new Error(`${file} is missing: \`npm run docs\` regenerates it`);
  }
  if (committed === generated) return;
  const committedLines = committed.split("\n");
  const generatedLines = generated.split("\n");
  const line = generatedLines.findIndex((text, i) => text !== committedLines[i]);
  throw new Error(
    `${file} is not what docs-gen generates from config/*.ts: \`npm run docs\` regenerates it\n` +
      `first difference at line ${line + 1}:\n  file:      ${committedLines[line] ?? "(end of file)"}\n  generated: ${generatedLines[line] ?? "(end of file)"}`,
  );
}

type AnyZod = z.core.$ZodType;

/** Every object schema of the zod schema (input side) with its key path, `[]` for list entries. */
function zodObjects(node: AnyZod, segments: string[] = []): { segments: string[]; def: z.core.$ZodObjectDef }[] {
  const def = (node as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case "pipe":
      return zodObjects(def.in._zod.traits.has("$ZodTransform") ? def.out : def.in, segments);
    case "default":
    case "prefault":
    case "optional":
    case "nullable":
    case "readonly":
    case "catch":
    case "nonoptional":
      return zodObjects(def.innerType, segments);
    case "array":
      return zodObjects(def.element, [...segments, "[]"]);
    case "union":
      return def.options.flatMap((option) => zodObjects(option, segments));
    case "object":
      return [{ segments, def }, ...Object.entries(def.shape).flatMap(([key, value]) => zodObjects(value, [...segments, key]))];
    default:
      return [];
  }
}

/** Every key path of the zod schema. */
function zodKeyPaths(node: AnyZod): string[] {
  return zodObjects(node).flatMap(({ segments, def }) => Object.keys(def.shape).map((key) => formatKeyPath([...segments, key])));
}

/** Paths of the strict objects (`.strict()`) of the zod schema; "" is the top level. */
function strictObjectPaths(node: AnyZod): string[] {
  return zodObjects(node).flatMap(({ segments, def }) => (def.catchall?._zod.def.type === "never" ? [formatKeyPath(segments)] : []));
}

/** The JSON Schema node at a key path (`network.zones[]` is the schema of a zone). */
function nodeAt(path: string): JsonSchema {
  const segments = path.match(/\[\]|[^.[\]]+/g) ?? [];
  return segments.reduce<JsonSchema>((node, segment) => {
    const next = segment === "[]" ? node.items : node.properties?.[segment];
    if (typeof next !== "object" || next === null || Array.isArray(next)) throw new Error(`the JSON Schema has no key ${path}`);
    return next;
  }, schema);
}

describe("editor schema and config reference", () => {
  test(`${SCHEMA_FILE} is current`, () => {
    expectCurrent(SCHEMA_FILE, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  });

  test(`${REFERENCE_FILE} is current`, () => {
    expectCurrent(REFERENCE_FILE, configReference());
  });

  test("the schema is draft-07, which every release of the VS Code YAML extension's language server supports", () => {
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
  });

  test.each(EXAMPLES)("customers/%s names the schema on its first line and validates against it", (name) => {
    expect(exampleText(name).split("\n")[0]).toBe(SCHEMA_MODELINE);
    expect(errorsOf(example(name))).toEqual([]);
  });

  test("a misspelt key is flagged, as the loader refuses it", () => {
    const data = example("example.yaml");
    data.dify.instanceTyp = data.dify.instanceType;
    delete data.dify.instanceType;
    expect(errorsOf(data)).toEqual([{ instancePath: "/dify", keyword: "additionalProperties", params: { additionalProperty: "instanceTyp" } }]);
    expect(customerConfigSchema.safeParse(data).success).toBe(false);
  });

  test("a value outside an enum is flagged, as the loader refuses it", () => {
    const data = example("example.yaml");
    data.network.natGateways = "perZone";
    expect(errorsOf(data)).toEqual([{ instancePath: "/network/natGateways", keyword: "enum", params: { allowedValues: ["perAz", "single"] } }]);
    expect(customerConfigSchema.safeParse(data).success).toBe(false);
  });

  test("an account ID written as a YAML number is flagged (the schema says what the hand-written check accepts)", () => {
    const data = parse(exampleText("example.yaml").replace('accountId: "111111111111"', "accountId: 111111111111"));
    expect(errorsOf(data)).toEqual([{ instancePath: "/aws/accountId", keyword: "type", params: { type: "string" } }]);
  });

  test("a config without network validates in both: the loader fills network.zones before checking", () => {
    const data = example("example.yaml");
    delete data.network;
    expect(errorsOf(data)).toEqual([]);
    expect(customerConfigSchema.safeParse(data).success).toBe(true);
  });

  test("a required key left out is flagged", () => {
    const data = example("example.yaml");
    delete data.aws.accountId;
    expect(errorsOf(data)).toEqual([{ instancePath: "/aws", keyword: "required", params: { missingProperty: "accountId" } }]);
  });

  test("every strict object of the zod schema refuses unknown keys in the JSON Schema", () => {
    const strict = strictObjectPaths(customerConfigSchema);
    expect(strict.length).toBeGreaterThan(10);
    expect(strict.filter((path) => nodeAt(path).additionalProperties !== false)).toEqual([]);
  });

  test("every key of the zod schema is in the reference, and the reference lists no other", () => {
    const reference = configReference();
    const listed = [...reference.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]);
    const zodKeys = zodKeyPaths(customerConfigSchema);
    expect(zodKeys.length).toBeGreaterThan(80);
    expect([...new Set(listed)].sort()).toEqual([...new Set(zodKeys)].sort());
    for (const section of ["aws", "network", "state", "dify", "edge", "amplify"]) expect(reference).toContain(`\n## ${section}\n`);
  });

  test("every key with a TSDoc comment carries it into the JSON Schema for hovers, with its default", () => {
    const documented = keys.filter((key) => key.doc.text !== "");
    expect(documented.length).toBeGreaterThan(70);
    expect(documented.filter((key) => !key.schema.description?.startsWith(key.doc.text)).map((key) => key.path)).toEqual([]);
    expect(nodeAt("network.natGateways")).toMatchObject({
      enum: ["perAz", "single"],
      default: "perAz",
      description: expect.stringMatching(/^`perAz`: one NAT gateway per zone.*\n\nDefault: "perAz"$/s),
      markdownDescription: expect.stringMatching(/\n\nDefault: `"perAz"`$/),
    });
    expect(nodeAt("dify.zone").description).toBe("Availability zone of the instance and its data volume.\n\nDefault: the first of network.zones");
  });

  test("a TSDoc @default written as a value is the schema's default", () => {
    const stated = keys.filter((key) => key.doc.defaultText !== undefined && isJsonText(key.doc.defaultText));
    expect(stated.length).toBeGreaterThan(40);
    expect(stated.filter((key) => JSON.stringify(JSON.parse(key.doc.defaultText!)) !== JSON.stringify(key.schema.default)).map((key) => key.path)).toEqual([]);
  });
});
