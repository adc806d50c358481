import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

// README.ja.md is the Japanese README for the customer's infrastructure engineers. Its prose is
// translated; everything a reader copies or trusts as a number is not: commands, config keys,
// stack names, code blocks and the generated cost sections must be the ones README.md has.
// Every expected value below is read from README.md at test time; nothing is listed here.
//
// What counts as what (the same extraction runs over both files):
// - code block: a fenced block (``` or ~~~, indented up to 3 spaces, as in list items), compared
//   verbatim and in order;
// - code span: `...` outside code blocks (may wrap a line; whitespace collapsed);
// - command: in a code block line or a code span, split at shell separators (&&, ||, ;, |),
//   at a comment (" #"), at " (" (prose after a command in output) and at a backtick, the text
//   from the first command word to the end of its piece: CUSTOMER_CONFIG=..., or npm, npx,
//   terraform, aws, difyctl (the brief's list) and cdktf, systemctl, journalctl, amplify, docker,
//   git, node (README.md names these too), followed by an argument that starts with a letter,
//   "-", ".", "/" or "<". "sudo" and "$ " prompts fall away because the command starts at its
//   command word;
// - config key: a dotted path under a top-level section (aws., network., dify., edge.,
//   amplify., state.) or `tags`, in a code span;
// - stack name: a code span that is exactly one of the stacks of the synth summary that
//   README.md prints (the block with "<name>  <n> resources" lines).

const ROOT = resolve(__dirname, "..");
const EN_FILE = "README.md";
const JA_FILE = "README.ja.md";

interface Block {
  /** The block's lines as written, fences and indentation included. */
  raw: string;
  /** Content lines, without the fences. */
  lines: string[];
  /** 0-based line of the opening fence. */
  line: number;
}

interface Doc {
  text: string;
  blocks: Block[];
  /** Code span contents, whitespace collapsed, in document order. */
  spans: string[];
}

const OPEN_FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;

function parse(source: string): Doc {
  const text = source.replace(/\r\n?/g, "\n");
  const lines = text.split("\n");
  const blocks: Block[] = [];
  const prose: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN_FENCE.exec(lines[i]!);
    if (!open || (open[2]!.startsWith("`") && open[3]!.includes("`"))) {
      prose.push(lines[i]!);
      continue;
    }
    const fence = open[2]!;
    const close = new RegExp(`^ {0,3}${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !close.test(lines[end]!)) end++;
    blocks.push({ raw: lines.slice(i, end + 1).join("\n"), lines: lines.slice(i + 1, end), line: i });
    prose.push(""); // a block ends a paragraph: no code span runs across it
    i = end;
  }
  const spans = prose
    .join("\n")
    .split(/\n[ \t]*\n/) // a code span never runs across paragraphs
    .flatMap(codeSpans);
  return { text, blocks, spans };
}

const collapse = (s: string) => s.replace(/\s+/g, " ").trim();

/** CommonMark code spans of one paragraph: a backtick run up to the next run of the same length. */
function codeSpans(paragraph: string): string[] {
  const found: string[] = [];
  const runs = [...paragraph.matchAll(/`+/g)];
  for (let i = 0; i < runs.length; i++) {
    const open = runs[i]!;
    const close = runs.findIndex((run, j) => j > i && run[0].length === open[0].length);
    if (close < 0) continue; // an unmatched run is literal backticks
    const content = collapse(paragraph.slice(open.index! + open[0].length, runs[close]!.index!));
    if (content) found.push(content);
    i = close;
  }
  return found;
}

const COMMAND_WORDS = "npm|npx|terraform|aws|difyctl|cdktf|systemctl|journalctl|amplify|docker|git|node";
/** A command word followed by an argument that is a word, option or path (not "node   0.17"). */
const COMMAND_START = new RegExp(String.raw`(?<![\w./=@-])(?:CUSTOMER_CONFIG=\S*|(?:${COMMAND_WORDS})(?=\s+[A-Za-z./<-]))`);
const COMMAND_PIECE_SEPARATOR = /&&|\|\||;|\||`|\s#(?=\s|$)|\s\(/;

/** Commands in one line of a code block or one code span. */
function commandsInLine(line: string): string[] {
  const found: string[] = [];
  for (const piece of line.split(COMMAND_PIECE_SEPARATOR)) {
    const start = COMMAND_START.exec(piece);
    if (start) found.push(collapse(piece.slice(start.index)));
  }
  return found;
}

interface Command {
  command: string;
  from: "block" | "span";
}

function commandsOf(doc: Doc): Command[] {
  const out: Command[] = [];
  for (const block of doc.blocks)
    for (const line of block.lines) for (const command of commandsInLine(line)) out.push({ command, from: "block" });
  for (const span of doc.spans) for (const command of commandsInLine(span)) out.push({ command, from: "span" });
  return out;
}

const CONFIG_KEY = /(?<![\w.$/-])(?:(?:aws|network|dify|edge|amplify|state)(?:\.[A-Za-z_]\w*(?:\[\d+\])*)+|tags(?:\.[\w-]+)*)(?![\w-])/g;

const configKeysOf = (doc: Doc) => doc.spans.flatMap((span) => [...span.matchAll(CONFIG_KEY)].map((m) => m[0]));

/** The stacks README.md's synth summary lists, in its order. */
function stackNamesFrom(doc: Doc): string[] {
  for (const block of doc.blocks) {
    const names = block.lines.map((line) => /^\s+([a-z][\w-]*)\s+\d+ resources\b/.exec(line)?.[1]).filter((n): n is string => !!n);
    if (names.length > 0) return names;
  }
  return [];
}

const stackSpansOf = (doc: Doc, stacks: string[]) => doc.spans.filter((span) => stacks.includes(span));

/** Headings that are exactly one stack's code span (`### \`network\``), in order. */
const stackHeadingsOf = (doc: Doc, stacks: string[]) =>
  doc.text
    .split("\n")
    .map((line) => /^#{1,6}\s+`([^`]+)`\s*$/.exec(line)?.[1])
    .filter((name): name is string => !!name && stacks.includes(name));

/** Rows of the deployment-order table: number, stack, runbook section (prose cells dropped). */
const stackTableRowsOf = (doc: Doc, stacks: string[]) =>
  doc.text
    .split("\n")
    .map((line) => /^\|\s*(\d+)\s*\|\s*`([^`]+)`\s*\|.*\|\s*([^|]*?)\s*\|\s*$/.exec(line))
    .filter((m): m is RegExpExecArray => !!m && stacks.includes(m[2]!))
    .map((m) => `${m[1]} ${m[2]} ${m[3]!.startsWith("§") ? m[3] : "(no section)"}`);

interface CostSection {
  name: string;
  text: string;
}

const costSectionsOf = (doc: Doc): CostSection[] =>
  [...doc.text.matchAll(/<!-- cost: (\S+) -->\n[\s\S]*?<!-- \/cost -->/g)].map((m) => ({ name: m[1]!, text: m[0] }));

/** Link targets that are files of this repository (not URLs, not anchors). */
const relativeLinksOf = (doc: Doc) =>
  [...doc.text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!.replace(/#.*$/, ""))
    .filter((target) => target && !/^[a-z][a-z0-9+.-]*:/i.test(target));

const uniqueSorted = (values: string[]) => [...new Set(values)].sort();

function setDiff(expected: string[], actual: string[]) {
  const e = new Set(expected);
  const a = new Set(actual);
  return {
    missingFromJa: [...e].filter((v) => !a.has(v)).sort(),
    notInReadme: [...a].filter((v) => !e.has(v)).sort(),
  };
}

const NO_DIFF = { missingFromJa: [], notInReadme: [] };

/** Every disagreement between the two documents, by kind; empty when they agree. */
function disagreements(en: Doc, ja: Doc): Record<string, unknown> {
  const stacks = stackNamesFrom(en);
  const found: Record<string, unknown> = {};
  const set = (kind: string, expected: string[], actual: string[]) => {
    const diff = setDiff(expected, actual);
    if (diff.missingFromJa.length || diff.notInReadme.length) found[kind] = diff;
  };
  const sequence = (kind: string, expected: unknown[], actual: unknown[]) => {
    if (JSON.stringify(expected) !== JSON.stringify(actual)) found[kind] = { readme: expected, ja: actual };
  };
  set("commands", commandsOf(en).map((c) => c.command), commandsOf(ja).map((c) => c.command));
  set("configKeys", configKeysOf(en), configKeysOf(ja));
  set("stackNames", stackSpansOf(en, stacks), stackSpansOf(ja, stacks));
  sequence("stackHeadings", stackHeadingsOf(en, stacks), stackHeadingsOf(ja, stacks));
  sequence("stackTable", stackTableRowsOf(en, stacks), stackTableRowsOf(ja, stacks));
  sequence("costSections", costSectionsOf(en), costSectionsOf(ja));
  const blockDiffs = [...Array(Math.max(en.blocks.length, ja.blocks.length)).keys()]
    .filter((i) => en.blocks[i]?.raw !== ja.blocks[i]?.raw)
    .map((i) => ({ block: i + 1, readme: en.blocks[i]?.raw, ja: ja.blocks[i]?.raw }));
  if (blockDiffs.length) found.codeBlocks = blockDiffs.slice(0, 3);
  set("links", relativeLinksOf(en).filter((t) => t !== JA_FILE), relativeLinksOf(ja).filter((t) => t !== EN_FILE));
  return found;
}

const enText = readFileSync(join(ROOT, EN_FILE), "utf8");
const jaText = existsSync(join(ROOT, JA_FILE)) ? readFileSync(join(ROOT, JA_FILE), "utf8") : "";
const en = parse(enText);
const ja = parse(jaText);

describe("the extraction", () => {
  test("code blocks, indented ones in list items included, and code spans", () => {
    const doc = parse(
      [
        "Run `npm run synth` or `CUSTOMER_CONFIG=customers/a.yaml",
        "npm run synth`, not ``a `tick` b``.",
        "",
        "1. step",
        "   ```sh",
        "   npx cdktf deploy state          # or: cd x && terraform init && terraform apply",
        "   ```",
        "",
        "```",
        "`npm ci` inside a block is no span",
        "```",
      ].join("\n"),
    );
    expect(doc.spans).toEqual(["npm run synth", "CUSTOMER_CONFIG=customers/a.yaml npm run synth", "a `tick` b"]);
    expect(doc.blocks.map((b) => b.lines)).toEqual([
      ["   npx cdktf deploy state          # or: cd x && terraform init && terraform apply"],
      ["`npm ci` inside a block is no span"],
    ]);
  });

  test("commands: chains, comments, prompts, sudo, output around them", () => {
    expect(commandsInLine("npm ci && npm run synth    # install; synthesize")).toEqual(["npm ci", "npm run synth"]);
    expect(commandsInLine("$ npx amplify-dify-vpc doctor --config customers/acme-prod.yaml")).toEqual([
      "npx amplify-dify-vpc doctor --config customers/acme-prod.yaml",
    ]);
    expect(commandsInLine("sudo difyctl status")).toEqual(["difyctl status"]);
    expect(commandsInLine("   export CUSTOMER_CONFIG=customers/acme-prod.yaml")).toEqual(["CUSTOMER_CONFIG=customers/acme-prod.yaml"]);
    expect(commandsInLine("  3. set x, then CUSTOMER_CONFIG=c.yaml npx cdktf deploy dify (only if ...; otherwise stop)")).toEqual([
      "CUSTOMER_CONFIG=c.yaml npx cdktf deploy dify",
    ]);
    expect(commandsInLine("aws secretsmanager get-secret-value --query SecretString --output text | jq -r .INIT_PASSWORD")).toEqual([
      "aws secretsmanager get-secret-value --query SecretString --output text",
    ]);
    expect(commandsInLine("host-vm/    `npm run test:host`: the host in a VM")).toEqual(["npm run test:host"]);
    // Words that only look like commands: a binary's name alone, a path, a version string, a key.
    for (const notCommand of [
      "terraform",
      "difyctl",
      "aws-cli/2.22.35",
      "cdktf.out/stacks/*",
      "aws.accountId",
      "terraform_remote_state",
      "PASS  Terraform >= 1.11",
      "floor: one-resource app, node          0.17        64",
      "  amplify   10 resources   4 data sources   5 outputs",
    ])
      expect(commandsInLine(notCommand)).toEqual([]);
  });

  test("config keys", () => {
    const doc = parse(
      "`aws.accountId`, `<amplify.lambdaParameterPath>/*`, `edge.waf.largeBodyPaths: [\"/\"]`, `http://api.dify.internal/`, " +
        "`com.amazonaws.global.cloudfront.origin-facing`, `aws:SourceVpce`, `dify: ~`, `network.zones[1].privateSubnetCidr`, `tags`",
    );
    expect(configKeysOf(doc)).toEqual([
      "aws.accountId",
      "amplify.lambdaParameterPath",
      "edge.waf.largeBodyPaths",
      "network.zones[1].privateSubnetCidr",
      "tags",
    ]);
  });
});

describe("README.ja.md agrees with README.md", () => {
  const stacks = stackNamesFrom(en);

  test("README.md has something to compare (else every comparison below would pass vacuously)", () => {
    expect(commandsOf(en).length).toBeGreaterThan(0);
    expect(configKeysOf(en).length).toBeGreaterThan(0);
    expect(stacks.length).toBeGreaterThan(0);
    expect(costSectionsOf(en).length).toBeGreaterThan(0);
    expect(en.blocks.length).toBeGreaterThan(0);
  });

  test("README.ja.md exists", () => {
    expect(existsSync(join(ROOT, JA_FILE))).toBe(true);
  });

  test("(a) the same commands", () => {
    expect(setDiff(uniqueSorted(commandsOf(en).map((c) => c.command)), commandsOf(ja).map((c) => c.command))).toEqual(NO_DIFF);
  });

  test("(b) the same config keys", () => {
    expect(setDiff(uniqueSorted(configKeysOf(en)), configKeysOf(ja))).toEqual(NO_DIFF);
  });

  test("(c) the same stack names, stack sections and deployment-order table", () => {
    expect(setDiff(uniqueSorted(stackSpansOf(en, stacks)), stackSpansOf(ja, stacks))).toEqual(NO_DIFF);
    expect(stackHeadingsOf(ja, stacks)).toEqual(stackHeadingsOf(en, stacks));
    expect(stackTableRowsOf(ja, stacks)).toEqual(stackTableRowsOf(en, stacks));
  });

  test("(d) the generated cost sections, identical", () => {
    const expected = costSectionsOf(en);
    const actual = costSectionsOf(ja);
    expect(actual.map((s) => s.name)).toEqual(expected.map((s) => s.name));
    for (const section of expected) expect(actual.find((s) => s.name === section.name)?.text).toBe(section.text);
  });

  test("every code block verbatim, in README.md's order", () => {
    const actual = ja.blocks.map((b) => b.raw);
    en.blocks.forEach((block, i) => expect(actual[i]).toBe(block.raw));
    expect(actual.length).toBe(en.blocks.length);
  });

  test("the same links into the repository", () => {
    expect(setDiff(uniqueSorted(relativeLinksOf(en).filter((t) => t !== JA_FILE)), relativeLinksOf(ja).filter((t) => t !== EN_FILE))).toEqual(NO_DIFF);
  });

  test("every link of README.ja.md into the repository reaches a file it contains", () => {
    const missing = uniqueSorted(relativeLinksOf(ja)).filter((target) => !existsSync(join(ROOT, target)));
    expect(missing).toEqual([]);
  });

  test("it opens with a link to the English README and README.md's first commands", () => {
    const head = ja.text.split("\n").slice(0, 12).join("\n");
    expect(head).toMatch(/\[English\]\(README\.md\)/);
    expect(ja.blocks[0]?.line).toBeLessThan(12);
    expect(ja.blocks[0]?.raw).toBe(en.blocks[0]?.raw);
  });

  test("the customer's runbook is named, never linked (it is not in the repository)", () => {
    const runbook = /`([\w.-]*runbook[\w.-]*\.md)`/.exec(en.text)?.[1];
    if (!runbook) return;
    expect(existsSync(join(ROOT, runbook))).toBe(false);
    expect(ja.text).toContain(`お客様の手順書（${runbook}）`);
    expect(relativeLinksOf(ja).filter((target) => target.includes(runbook))).toEqual([]);
  });

  test("all of the above in one report", () => {
    expect(disagreements(en, ja)).toEqual({});
  });
});

describe("the comparison notices a dropped or altered command in README.ja.md", () => {
  const jaLines = ja.text.split("\n");
  const key = (c: Command) => `${c.from}\u0000${c.command}`;
  const count = (doc: Doc) => {
    const counts = new Map<string, number>();
    for (const c of commandsOf(doc)) counts.set(key(c), (counts.get(key(c)) ?? 0) + 1);
    return counts;
  };
  const jaCounts = count(ja);
  const withLine = (i: number, replacement: string[]) =>
    parse([...jaLines.slice(0, i), ...replacement, ...jaLines.slice(i + 1)].join("\n"));
  // The lines that hold commands: deleting one takes command occurrences away.
  const commandLines = jaLines
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => !OPEN_FENCE.test(line)) // a fence holds no command; the block comparison covers fences
    .map(({ line, i }) => {
      const after = count(withLine(i, []));
      const removed = [...jaCounts].filter(([k, n]) => (after.get(k) ?? 0) < n).map(([k]) => k);
      return { line, i, after, removed };
    })
    .filter(({ removed }) => removed.length > 0);

  test("README.ja.md has command lines to mutate", () => {
    expect(commandLines.length).toBeGreaterThan(0);
  });

  test("deleting any line that holds a code-block command, or a command's only mention, is reported", () => {
    const unnoticed: string[] = [];
    let checked = 0;
    for (const { line, i, after, removed } of commandLines) {
      const stillThere = new Set([...after.keys()].map((k) => k.split("\u0000")[1]));
      const fromBlock = removed.some((k) => k.startsWith("block\u0000"));
      const gone = removed.some((k) => !stillThere.has(k.split("\u0000")[1]!));
      if (!fromBlock && !gone) continue; // a prose mention of a command the text still has elsewhere
      checked++;
      if (Object.keys(disagreements(en, withLine(i, []))).length === 0) unnoticed.push(`${i + 1}: ${line}`);
    }
    expect(checked).toBeGreaterThan(0);
    expect(unnoticed).toEqual([]);
  });

  test("altering any command (one character into its second word) is reported", () => {
    const unnoticed: string[] = [];
    for (const { line, i, removed } of commandLines) {
      const command = removed[0]!.split("\u0000")[1]!;
      const words = command.split(" ");
      const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      const altered =
        words.length > 1
          ? line.replace(new RegExp(`(${escaped[0]}\\s+)(${escaped.slice(1).join("\\s+")})`), "$1x$2")
          : line.replace(command, command.replace("=", "=x"));
      if (altered === line) unnoticed.push(`${i + 1} (not altered): ${line}`);
      else if (Object.keys(disagreements(en, withLine(i, [altered]))).length === 0) unnoticed.push(`${i + 1}: ${line}`);
    }
    expect(unnoticed).toEqual([]);
  });
});
