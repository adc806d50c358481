import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, extname, join, relative, resolve, sep } from "node:path";

// docs/runbook-map.md and docs/runbook-map.ja.md map every section of the customer's runbook
// (runbook-ja.md) to what replaces it. The runbook is the customer's document and never part of
// this repository: its numbered headings are compared only when it sits beside the checkout
// (../shared/seed/runbook-ja.md, or RUNBOOK_JA=<path>); everything else runs on a clean checkout.

const REPO = resolve(__dirname, "..");
const DOCS = join(REPO, "docs");
const MAPS = { en: join(DOCS, "runbook-map.md"), ja: join(DOCS, "runbook-map.ja.md") } as const;
const RUNBOOK = process.env.RUNBOOK_JA ? resolve(process.env.RUNBOOK_JA) : resolve(REPO, "..", "shared", "seed", "runbook-ja.md");
const runbookPresent = existsSync(RUNBOOK);
/** The runbook's path as the skip message shows it. */
const RUNBOOK_SHOWN = process.env.RUNBOOK_JA ? RUNBOOK : relative(REPO, RUNBOOK);

interface Heading {
  readonly level: number;
  /** The heading's text as written, inline markup included. */
  readonly text: string;
  /** 1-based line number. */
  readonly line: number;
}

interface Section {
  /** `0`, `1.1`, `2.10.1`: the number without the top level's trailing dot. */
  readonly number: string;
  /** The whole heading text, exactly as written: `1.1 CIDR & サブネット設計`. */
  readonly text: string;
  readonly line: number;
}

/** Lines outside fenced code blocks (``` or ~~~, indented or not), with their 1-based numbers. */
function proseLines(markdown: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let fence: { char: string; length: number } | null = null;
  markdown.split(/\r?\n/).forEach((text, i) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(text)?.[1];
    if (marker) {
      if (!fence) fence = { char: marker[0]!, length: marker.length };
      else if (marker[0] === fence.char && marker.length >= fence.length) fence = null;
      return;
    }
    if (!fence) out.push({ text, line: i + 1 });
  });
  return out;
}

/** ATX headings outside code blocks: a `# 1. step` comment inside a shell block is no heading. */
function headings(markdown: string): Heading[] {
  return proseLines(markdown).flatMap(({ text, line }) => {
    const match = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(text);
    return match ? [{ level: match[1]!.length, text: match[2]!, line }] : [];
  });
}

/** Headings that start with a section number: `0. 事前準備`, `2.10.1 WAF ...`. */
function sections(markdown: string): Section[] {
  return headings(markdown).flatMap((heading) => {
    // \s: the runbook separates some numbers from their titles with a no-break space.
    const match = /^(\d+(?:\.\d+)*)\.?\s+\S/.exec(heading.text);
    return match ? [{ number: match[1]!, text: heading.text, line: heading.line }] : [];
  });
}

/** GitHub's heading anchor: lowercase, punctuation and symbols dropped, each space a hyphen. */
function githubSlug(text: string): string {
  return text
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]*>/g, "")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
    .replace(/ /g, "-");
}

/** Every anchor a Markdown document's headings get on GitHub, duplicates suffixed -1, -2, ... */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const heading of headings(markdown)) {
    const slug = githubSlug(heading.text);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Link targets of inline (`[text](target)`) and reference (`[id]: target`) links outside code. */
function linkTargets(markdown: string): { target: string; line: number }[] {
  return proseLines(markdown).flatMap(({ text, line }) => {
    const prose = text.replace(/`[^`]*`/g, "");
    const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
    const reference = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(prose)?.[1];
    return [...inline, ...(reference ? [reference] : [])].map((target) => ({ target, line }));
  });
}

/** Top-level directories the repository ignores (.gitignore `name/` lines): absent on a clean checkout. */
function ignoredDirectories(): Set<string> {
  const gitignore = join(REPO, ".gitignore");
  if (!existsSync(gitignore)) return new Set();
  return new Set(
    readFileSync(gitignore, "utf8")
      .split(/\r?\n/)
      .map((line) => /^\/?([^/*!#\s][^/*\s]*)\/$/.exec(line.trim())?.[1])
      .filter((name): name is string => Boolean(name)),
  );
}

/** Problems with one map's links: targets outside the repository, missing files, unknown anchors. */
function brokenLinks(file: string): string[] {
  const ignored = ignoredDirectories();
  const where = (line: number) => `${relative(REPO, file)}:${line}`;
  return linkTargets(readFileSync(file, "utf8")).flatMap(({ target, line }): string[] => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
      return /^https:\/\//i.test(target) ? [] : [`${where(line)}: ${target} is not a repository path or an https:// address`];
    }
    const hash = target.indexOf("#");
    const pathPart = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
    const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
    if (pathPart.startsWith("/")) return [`${where(line)}: ${target} is absolute; link relative to ${relative(REPO, dirname(file))}/`];
    const resolved = pathPart === "" ? file : resolve(dirname(file), pathPart);
    const inRepo = relative(REPO, resolved);
    if (inRepo.startsWith("..") || resolve(REPO, inRepo) !== resolved) {
      return [`${where(line)}: ${target} points outside the repository`];
    }
    if (basename(resolved) === "runbook-ja.md") return [`${where(line)}: ${target} links the customer's runbook, which the repository must not contain`];
    if (ignored.has(inRepo.split(sep)[0]!)) return [`${where(line)}: ${target} is under an ignored directory, absent on a clean checkout`];
    if (!existsSync(resolved)) return [`${where(line)}: ${target}: no such file in the repository`];
    if (anchor === undefined || anchor === "") return [];
    if (extname(resolved) !== ".md") return [`${where(line)}: ${target}: anchors are checked on Markdown files only; link the file`];
    return anchorsOf(readFileSync(resolved, "utf8")).has(anchor) ? [] : [`${where(line)}: ${target}: ${relative(REPO, resolved)} has no heading with anchor #${anchor}`];
  });
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Hyphens as they appear in pasted text: ASCII, U+2010 and the non-breaking U+2011. */
const HYPHEN = "[-\u2010\u2011]";
const ACCOUNT_ID = /(?<![0-9A-Za-z])\d{12}(?![0-9A-Za-z])/g;
const INSTANCE_OR_VOLUME_ID = new RegExp(`(?<![0-9A-Za-z-])(?:i|vol)${HYPHEN}([0-9a-f]{8,17})(?![0-9A-Za-z])`, "gi");
/** An example no account or resource uses: one character repeated (111111111111, i-00000000). */
const obviouslyFake = (digits: string) => /^(.)\1*$/i.test(digits);

/** 12-digit numbers and instance/volume IDs in `text` that are not obviously fake. */
function realLookingIds(text: string): { id: string; line: number }[] {
  return text.split(/\r?\n/).flatMap((lineText, i) => [
    ...[...lineText.matchAll(ACCOUNT_ID)].filter((m) => !obviouslyFake(m[0])).map((m) => ({ id: m[0], line: i + 1 })),
    ...[...lineText.matchAll(INSTANCE_OR_VOLUME_ID)].filter((m) => !obviouslyFake(m[1]!)).map((m) => ({ id: m[0], line: i + 1 })),
  ]);
}

/** A value from the runbook shown in a failure message without repeating it. */
const masked = (value: string) => `${value.slice(0, 2)}${"*".repeat(Math.max(0, value.length - 2))}`;

/**
 * Values of the runbook that identify the customer's environment or people: resource IDs,
 * 12-digit numbers, Amplify app domains, CLI profile names. None may reach the repository.
 */
function runbookIdentifiers(runbook: string): string[] {
  const ids = [
    ...[...runbook.matchAll(new RegExp(`\\b(?:i|vol|ami|snap|sg|vpc|subnet|ngw|eni)${HYPHEN}([0-9a-f]{8,17})\\b`, "gi"))].map((m) => m[1]!),
    ...[...runbook.matchAll(ACCOUNT_ID)].map((m) => m[0]),
    ...[...runbook.matchAll(/\b([a-z0-9-]+\.)?([a-z0-9]{10,})\.amplifyapp\.com\b/gi)].flatMap((m) => [m[0], m[2]!]),
    ...[...runbook.matchAll(/--profile[ \t]+["']?([A-Za-z0-9_.@-]+)/g)].map((m) => m[1]!),
  ];
  return [...new Set(ids.filter((id) => id.length >= 4 && !obviouslyFake(id)))];
}

const read = (file: string) => readFileSync(file, "utf8");

describe("runbook map (docs/runbook-map.md, docs/runbook-map.ja.md)", () => {
  test("both maps exist", () => {
    expect(existsSync(MAPS.en)).toBe(true);
    expect(existsSync(MAPS.ja)).toBe(true);
  });

  const runbookTest = runbookPresent ? test : test.skip;
  runbookTest(
    runbookPresent
      ? "every numbered section heading of the runbook appears in both maps, quoted exactly, in the runbook's order"
      : `SKIPPED, runbook not in this checkout (${RUNBOOK_SHOWN} is absent; set RUNBOOK_JA=<path> to check): every runbook section appears in both maps`,
    () => {
      const expected = sections(read(RUNBOOK)).map((s) => s.text);
      expect(expected.length).toBeGreaterThan(0);
      for (const [language, file] of Object.entries(MAPS)) {
        const listed = sections(read(file)).map((s) => s.text);
        const missing = expected.filter((text) => !listed.includes(text));
        expect({ map: language, missing }).toEqual({ map: language, missing: [] });
        expect({ map: language, sections: listed }).toEqual({ map: language, sections: expected });
      }
    },
  );

  test("both maps list the same sections, with the same titles, in the same ascending order", () => {
    const en = sections(read(MAPS.en));
    const ja = sections(read(MAPS.ja));
    expect(en.length).toBeGreaterThan(0);
    expect(ja.map((s) => s.number)).toEqual(en.map((s) => s.number));
    expect(ja.map((s) => s.text)).toEqual(en.map((s) => s.text));

    const numeric = (number: string) => number.split(".").map(Number);
    const before = (a: string, b: string) => {
      const [x, y] = [numeric(a), numeric(b)];
      for (let i = 0; i < Math.max(x.length, y.length); i++) {
        if ((x[i] ?? -1) !== (y[i] ?? -1)) return (x[i] ?? -1) < (y[i] ?? -1);
      }
      return false;
    };
    const outOfOrder = en.slice(1).filter((s, i) => !before(en[i]!.number, s.number)).map((s) => `${s.number} (line ${s.line})`);
    expect(outOfOrder).toEqual([]);
  });

  test.each(Object.entries(MAPS))("every repository path and README anchor the %s map links to exists", (_language, file) => {
    expect(linkTargets(read(file)).length).toBeGreaterThan(0);
    expect(brokenLinks(file)).toEqual([]);
  });

  test("no 12-digit number or instance/volume ID in docs/ unless it is obviously fake", () => {
    const files = [...new Set([...Object.values(MAPS), ...filesUnder(DOCS)])];
    const found = files.flatMap((file) => realLookingIds(read(file)).map(({ id, line }) => `${relative(REPO, file)}:${line}: ${id}`));
    expect(found).toEqual([]);
  });

  runbookTest(
    runbookPresent
      ? "no identifier from the runbook (resource IDs, account numbers, Amplify domains, profile names) in docs/"
      : `SKIPPED, runbook not in this checkout (${RUNBOOK_SHOWN} is absent): no runbook identifier in docs/`,
    () => {
      const identifiers = runbookIdentifiers(read(RUNBOOK));
      const files = [...new Set([...Object.values(MAPS), ...filesUnder(DOCS)])];
      const found = files.flatMap((file) => {
        const text = read(file).toLowerCase().replace(/[\u2010\u2011]/g, "-");
        return identifiers.filter((id) => text.includes(id.toLowerCase())).map((id) => `${relative(REPO, file)}: ${masked(id)}`);
      });
      expect(found).toEqual([]);
    },
  );

  runbookTest(
    runbookPresent
      ? "the maps quote section titles only: no longer line of the runbook's body is copied"
      : `SKIPPED, runbook not in this checkout (${RUNBOOK_SHOWN} is absent): no runbook body copied`,
    () => {
      const titles = new Set(sections(read(RUNBOOK)).map((s) => s.line));
      const normalize = (text: string) => text.replace(/[*`>|\\]/g, "").replace(/\s+/g, " ").trim();
      const bodyLines = read(RUNBOOK)
        .split(/\r?\n/)
        .filter((_text, i) => !titles.has(i + 1))
        .map(normalize)
        // A phrase, not a lone identifier such as an image name the maps discuss.
        .filter((text) => text.length >= 30 && /\S\s+\S/.test(text) && !/^#/.test(text));
      for (const file of Object.values(MAPS)) {
        const map = normalize(read(file));
        const copied = bodyLines.filter((text) => map.includes(text)).map((text) => masked(text.slice(0, 20)));
        expect({ map: relative(REPO, file), copied }).toEqual({ map: relative(REPO, file), copied: [] });
      }
    },
  );
});

// The parsers above are the test's own logic; a few fixed cases keep them honest.
describe("runbook map test helpers", () => {
  test("headings inside fenced code blocks are not sections", () => {
    const markdown = ["## 3. Real", "```bash", "# 1. comment", "```", "   ```sh", "# 2. also a comment", "   ```", "### 3.1 Sub"].join("\n");
    expect(sections(markdown).map((s) => s.number)).toEqual(["3", "3.1"]);
  });

  test("GitHub anchors: code spans, punctuation, duplicates", () => {
    expect(githubSlug("`network`")).toBe("network");
    expect(githubSlug("Attaching the Gen 1 Lambda functions to the VPC (replaces runbook 3.3)")).toBe(
      "attaching-the-gen-1-lambda-functions-to-the-vpc-replaces-runbook-33",
    );
    expect(githubSlug("2.10 CloudFront + 内部 ALB")).toBe("210-cloudfront--内部-alb");
    expect([...anchorsOf("## Operations\n### `dify`\n```\n# Operations\n```\n## Operations\n## Operations")]).toEqual([
      "operations",
      "dify",
      "operations-1",
      "operations-2",
    ]);
  });

  test("IDs: real-looking ones are found, one repeated digit is an obvious fake", () => {
    expect(realLookingIds("account 111111111111, i-00000000000000000, vol-aaaaaaaa").map((f) => f.id)).toEqual([]);
    expect(realLookingIds("account 123456789012 and i-0123456789abcdef0\nvol\u20110123456789abcdef0").map((f) => f.id)).toEqual([
      "123456789012",
      "i-0123456789abcdef0",
      "vol\u20110123456789abcdef0",
    ]);
    expect(realLookingIds("commit 6f8ed69ee15f9a2e7189ca066275e973d091d1e9, sg-lambda, vpc-link")).toEqual([]);
  });
});
