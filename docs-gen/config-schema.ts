// The editor schema of a customer config (schema/customer-config.schema.json), generated from the
// zod schema with zod's own JSON Schema converter and annotated with the TSDoc comments of
// config/*.ts, which the schema carries no `.describe()` or `.meta()` for. `npm run docs` writes
// it; __tests__/config-schema.test.ts checks the committed file is current.
import { join } from "node:path";
import ts from "typescript";
import { z } from "zod";
import { accountId } from "../config/fields";
import { customerConfigSchema } from "../config/schema";

export type JsonSchema = z.core.JSONSchema.BaseSchema;

/**
 * Draft-07: the draft every release of the YAML language server behind VS Code's YAML extension
 * (redhat.vscode-yaml) validates with; 2019-09 and 2020-12 only arrived in its 1.20.0, and this
 * schema needs none of their keywords.
 */
export const JSON_SCHEMA_TARGET = "draft-07";

/** The schema's file, relative to the repository, and the modeline that points a customer YAML file at it. */
export const SCHEMA_FILE = "schema/customer-config.schema.json";
export const SCHEMA_MODELINE = `# yaml-language-server: $schema=../${SCHEMA_FILE}`;

/** What the TSDoc comment of one config key says: its text and its `@default`. */
export interface KeyDoc {
  /** The comment without tags, paragraphs separated by a blank line, each on one line ("" when it has none). */
  readonly text: string;
  /** The `@default` tag's text as written (a JSON value or prose), when there is one. */
  readonly defaultText?: string;
}

/** One key of the config, in the schema's order: what the reference lists. */
export interface ConfigKey {
  /** Dotted path; `[]` stands for an entry of a list, e.g. `network.zones[].name`. */
  readonly path: string;
  /** The path's parts, e.g. `["network", "zones", "[]", "name"]`. */
  readonly segments: readonly string[];
  /** Its JSON Schema (input side), descriptions included. */
  readonly schema: JsonSchema;
  /** Whether a file must write it (its parent being there). */
  readonly required: boolean;
  readonly doc: KeyDoc;
}

const CONFIG_DIR = join(__dirname, "..", "config");

/** `["network", "zones", "[]", "name"]` as `network.zones[].name`. */
export function formatKeyPath(segments: readonly string[]): string {
  return segments.reduce((path, segment) => (segment === "[]" ? `${path}[]` : path ? `${path}.${segment}` : segment), "");
}

/** The TSDoc of the schema and of every key, read once: the compiler is the slow part. */
let sourceDocs: { root: KeyDoc; keys: ReadonlyMap<string, KeyDoc> } | undefined;

/**
 * Reads the TSDoc of every key of `customerConfigSchema` from config/*.ts with the TypeScript
 * compiler. It starts at the declaration of `customerConfigSchema` and follows the schema
 * expressions as written: `z.object({...})` literals (each property's JSDoc is the key's doc),
 * method chains (`.strict()`, `.prefault({})`, ...) to their receiver, `z.array(x)` to its
 * element (`[]`), `z.preprocess(f, x)` to `x`, and identifiers, imported ones too, to the
 * declaration they name. A call of any other function (`integer(...)`, `cidrBlock(...)`) is a
 * leaf: it builds a value schema, not keys.
 */
export function configSourceDocs(): { root: KeyDoc; keys: ReadonlyMap<string, KeyDoc> } {
  if (sourceDocs) return sourceDocs;
  const rootFile = join(CONFIG_DIR, "schema.ts");
  const program = ts.createProgram([rootFile], {
    noEmit: true,
    noLib: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(rootFile);
  if (!source) throw new Error(`docs-gen: cannot read ${rootFile}`);

  let rootDeclaration: ts.VariableDeclaration | undefined;
  source.forEachChild(function find(node) {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === "customerConfigSchema") rootDeclaration = node;
    else node.forEachChild(find);
  });
  if (!rootDeclaration?.initializer) throw new Error(`docs-gen: ${rootFile} declares no customerConfigSchema`);

  const keys = new Map<string, KeyDoc>();
  const declarationOf = (symbol: ts.Symbol | undefined): ts.Declaration | undefined => {
    const target = symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    return target?.valueDeclaration ?? target?.declarations?.[0];
  };
  const followDeclaration = (declaration: ts.Declaration | undefined, segments: string[], depth: number): void => {
    if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) walk(declaration.initializer, segments, depth + 1);
  };

  function walk(node: ts.Expression, segments: string[], depth: number): void {
    if (depth > 50) throw new Error(`docs-gen: schema expressions nest too deep at ${formatKeyPath(segments)}`);
    if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node)) {
      return walk(node.expression, segments, depth + 1);
    }
    if (ts.isIdentifier(node)) return followDeclaration(declarationOf(checker.getSymbolAtLocation(node)), segments, depth);
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return;
    const { expression: receiver, name } = node.expression;
    if (!(ts.isIdentifier(receiver) && receiver.text === "z")) return walk(receiver, segments, depth + 1);
    const [first, second] = node.arguments;
    switch (name.text) {
      case "object":
      case "strictObject":
      case "looseObject":
        if (first && ts.isObjectLiteralExpression(first)) readObject(first, segments, depth);
        return;
      case "array":
        if (first) walk(first, [...segments, "[]"], depth + 1);
        return;
      case "preprocess":
        if (second) walk(second, segments, depth + 1);
        return;
    }
  }

  function readObject(literal: ts.ObjectLiteralExpression, segments: string[], depth: number): void {
    for (const property of literal.properties) {
      if (!(ts.isPropertyAssignment(property) || ts.isShorthandPropertyAssignment(property))) {
        throw new Error(`docs-gen: cannot read ${ts.SyntaxKind[property.kind]} in the z.object at ${formatKeyPath(segments) || "the top level"}`);
      }
      const key = ts.isIdentifier(property.name) || ts.isStringLiteral(property.name) ? property.name.text : undefined;
      if (key === undefined) throw new Error(`docs-gen: a computed key in the z.object at ${formatKeyPath(segments) || "the top level"}`);
      const keySegments = [...segments, key];
      keys.set(formatKeyPath(keySegments), docOf(property));
      if (ts.isPropertyAssignment(property)) walk(property.initializer, keySegments, depth + 1);
      else followDeclaration(declarationOf(checker.getShorthandAssignmentValueSymbol(property)), keySegments, depth);
    }
  }

  walk(rootDeclaration.initializer, [], 0);
  sourceDocs = { root: docOf(rootDeclaration), keys };
  return sourceDocs;
}

/** The JSDoc comment attached to `node` (for a variable, the one on its statement). */
function docOf(node: ts.Node): KeyDoc {
  const comments = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  const jsDoc = comments[comments.length - 1];
  if (!jsDoc) return { text: "" };
  const text = paragraphs(ts.getTextOfJSDocComment(jsDoc.comment) ?? "");
  const tag = jsDoc.tags?.find((t) => t.tagName.text === "default");
  const defaultText = tag ? paragraphs(ts.getTextOfJSDocComment(tag.comment) ?? "") : undefined;
  return defaultText ? { text, defaultText } : { text };
}

/** Comment text re-flowed: the lines of a paragraph joined by spaces, paragraphs by a blank line. */
function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim().replace(/\s*\n\s*/g, " "))
    .filter((paragraph) => paragraph !== "")
    .join("\n\n");
}

/** Whether `text` is a JSON value (a `@default` written as a value rather than as prose). */
export function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * A stated default in Markdown: a JSON value as code, and so is the value a prose default starts
 * with (`[]: the console is open ...`, `"/v1" (Dify's service API)`).
 */
export function defaultMarkdown(text: string): string {
  if (isJsonText(text)) return `\`${text}\``;
  const lead = /^(.+?)(?=: | \()/.exec(text)?.[1];
  return lead !== undefined && isJsonText(lead) ? `\`${lead}\`${text.slice(lead.length)}` : text;
}

/** The default a key's documentation states: its `@default` as written, else the schema's own. */
export function defaultOf(key: { schema: JsonSchema; doc: KeyDoc }): string | undefined {
  if (key.doc.defaultText !== undefined) return key.doc.defaultText;
  return key.schema.default === undefined ? undefined : JSON.stringify(key.schema.default);
}

const isObject = (value: unknown): value is JsonSchema => typeof value === "object" && value !== null && !Array.isArray(value);

/** Sections and nested mappings: objects with named keys, whose default `{}` only means "each key its own". */
export const hasKeys = (schema: JsonSchema): boolean => isObject(schema.properties);

/**
 * zod's JSON Schema of what a user writes (`io: "input"`), before the descriptions:
 *
 * - `z.preprocess(applyDerivedDefaults, object)` is a pipe from a transform; on the input side zod
 *   converts the object it feeds. What the preprocess adds is relaxed below: it fills
 *   `network.zones` (and `network`) when a file leaves them out.
 * - `.transform(...)` steps are pipes whose input side is the schema before them, so no transform
 *   is ever converted; `.default()` and `.prefault()` make a key optional and give its `default`.
 * - `.superRefine()` checks (AWS names, CIDR plans, cross-field rules) have no JSON Schema form;
 *   they stay the loader's job, which reports them with a fix.
 * - `accountId` is `z.unknown()` refined by hand (so a YAML number gets its own message); the
 *   editor is told what the loader accepts: a quoted 12-digit string.
 */
function baseJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(customerConfigSchema, {
    target: JSON_SCHEMA_TARGET,
    io: "input",
    reused: "inline",
    // Nothing on the input side is unrepresentable today. A new z.custom() or similar should make
    // someone decide what editors see (in `override`), not silently accept anything there.
    unrepresentable: (ctx) => {
      throw new Error(`docs-gen: ${ctx.message} (at ${ctx.path.join("/") || "the root"}); give it a JSON Schema in docs-gen/config-schema.ts`);
    },
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema === accountId) {
        jsonSchema.type = "string";
        jsonSchema.pattern = "^\\d{12}$";
      }
      // `.int()` alone bounds the number to the safe integers: no limit a user needs to see.
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
    },
  });
  // Detach the nodes zod shares between uses of one zod schema, so each key gets its own description.
  const copy = JSON.parse(JSON.stringify(schema)) as JsonSchema;
  const network = copy.properties?.network;
  if (isObject(network)) {
    network.required = network.required?.filter((key) => key !== "zones");
    if (network.required?.length === 0) delete network.required;
    copy.required = copy.required?.filter((key) => key !== "network");
    // An absent network is read as `{}` (like the sections with a prefault), then filled.
    network.default = {};
  }
  return copy;
}

/** Description texts: plain (every editor) and Markdown (VS Code and the YAML language server render it). */
function descriptions(key: { schema: JsonSchema; doc: KeyDoc }): { description: string; markdownDescription: string } | undefined {
  const fallback = defaultOf(key);
  const stated = hasKeys(key.schema) && key.doc.defaultText === undefined ? undefined : fallback;
  const plain = [key.doc.text, stated === undefined ? "" : `Default: ${stated}`].filter(Boolean);
  const markdown = [key.doc.text, stated === undefined ? "" : `Default: ${defaultMarkdown(stated)}`].filter(Boolean);
  return plain.length ? { description: plain.join("\n\n"), markdownDescription: markdown.join("\n\n") } : undefined;
}

/** Every key, in the schema's order, each with its annotated JSON Schema node. */
function annotate(schema: JsonSchema): ConfigKey[] {
  const { keys: docs } = configSourceDocs();
  const found: ConfigKey[] = [];
  const visit = (node: JsonSchema, segments: string[]): void => {
    const properties = node.properties ?? {};
    for (const [name, child] of Object.entries(properties)) {
      if (!isObject(child)) continue;
      const keySegments = [...segments, name];
      const path = formatKeyPath(keySegments);
      const doc = docs.get(path);
      if (!doc) throw new Error(`docs-gen: ${path} is a key of customerConfigSchema, but reading config/*.ts found no such key`);
      Object.assign(child, descriptions({ schema: child, doc }));
      found.push({ path, segments: keySegments, schema: child, required: node.required?.includes(name) ?? false, doc });
      visit(child, keySegments);
    }
    if (isObject(node.items)) visit(node.items, [...segments, "[]"]);
    for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) visit(branch, segments);
  };
  visit(schema, []);
  return found;
}

/** The annotated JSON Schema and its keys. */
function build(): { schema: JsonSchema; keys: ConfigKey[] } {
  const base = baseJsonSchema();
  const keys = annotate(base);
  const { root } = configSourceDocs();
  // Metadata first, so the file opens with what it is.
  const schema: JsonSchema = {
    $schema: base.$schema,
    $comment: "Generated by `npm run docs` from config/schema.ts and the TSDoc comments of config/*.ts (docs-gen/config-schema.ts); do not edit.",
    title: "amplify-dify-vpc customer config",
    ...(root.text ? { description: root.text } : {}),
    ...base,
  };
  return { schema, keys };
}

/**
 * The JSON Schema (draft-07) of a customer YAML file for editors: every key with its description
 * and default from the TSDoc, `additionalProperties: false` on the strict objects, enums for the
 * enum keys. The customer files point at it with {@link SCHEMA_MODELINE}.
 */
export function configJsonSchema(): JsonSchema {
  return build().schema;
}

/** Every key of the config with its schema and documentation, in the schema's order. */
export function configKeys(): ConfigKey[] {
  return build().keys;
}
