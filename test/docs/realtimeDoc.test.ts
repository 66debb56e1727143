// docs/realtime.md must stay true to the code: every code block is either an
// excerpt of a named file (matching it line for line, inside the named
// declaration) or shell commands naming existing npm scripts; the measured
// table lists exactly what the benchmark measures, with the benchmark's
// columns and figures that look measured; every index the doc names exists.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { QUERY_CASES, TABLE_HEADER } from "../../bench/queries/cases.ts";
import { codeBlocks, declarationExtent, findExcerpt } from "./docQuotes.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const DOC = "docs/realtime.md";
const read = (path: string) => readFileSync(`${REPO}${path}`, "utf8");
const doc = read(DOC);
const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;

describe(`${DOC} code samples`, () => {
  const blocks = codeBlocks(doc);

  test("every code block says where it comes from", () => {
    const unmarked = blocks.filter((b) => b.marker === null && b.lang !== "text").map((b) => `line ${b.line} (${b.lang || "no language"})`);
    expect(unmarked, "mark each block with <!-- quote: FILE SYMBOL --> or <!-- command -->").toEqual([]);
    expect(blocks.filter((b) => b.marker?.kind === "quote").length).toBeGreaterThan(20);
  });

  for (const block of blocks) {
    const marker = block.marker;
    if (marker?.kind !== "quote") continue;
    test(`line ${block.line}: ${marker.file} ${marker.symbol} matches the file`, () => {
      expect(existsSync(`${REPO}${marker.file}`), `${marker.file} exists`).toBe(true);
      const source = read(marker.file);
      const at = findExcerpt(source, block.text);
      expect(at, `the sample at ${DOC}:${block.line} no longer appears in ${marker.file}; copy it again from the file`).toBeGreaterThanOrEqual(0);
      const extent = declarationExtent(source, marker.symbol);
      if (extent !== null) {
        const lines = block.text.split("\n").length;
        expect(at >= extent.from && at + lines <= extent.to, `the sample is not inside ${marker.symbol} (lines ${extent.from + 1}-${extent.to})`).toBe(true);
      } else {
        expect(block.text, `${marker.symbol} is neither declared in ${marker.file} nor named in the sample`).toMatch(new RegExp(`\\b${marker.symbol}\\b`));
      }
    });
  }

  test("every npm script a command block runs exists", () => {
    const commands = blocks.filter((b) => b.marker?.kind === "command").flatMap((b) => b.text.split("\n"));
    const runs = commands.map((line) => /^npm run ([\w:-]+)/.exec(line.trim())?.[1]).filter((name): name is string => name !== undefined);
    expect(runs.length).toBeGreaterThan(0);
    for (const name of runs) expect(scripts[name], `package.json has no script "${name}"`).toBeDefined();
  });
});

describe(`${DOC} measured table`, () => {
  const begin = /<!-- measured: npm run ([\w:-]+) -->/.exec(doc);
  const section = begin === null ? "" : doc.slice(begin.index, doc.indexOf("<!-- /measured -->", begin.index));
  const rows = section
    .split("\n")
    .filter((line) => line.startsWith("|"))
    .map((line) => line.split("|").slice(1, -1).map((cell) => cell.trim()));

  test("names the command that produces it, and that command runs the benchmark", () => {
    expect(begin, "a <!-- measured: npm run … --> marker").not.toBeNull();
    const script = scripts[begin![1]];
    expect(script).toBe("tsx bench/queries.ts");
    expect(existsSync(`${REPO}bench/queries.ts`)).toBe(true);
    expect(section, "the run's header lines (date, machine, load) are shown").toMatch(/csn-rt query benchmark — \d{4}-\d\d-\d\dT/);
  });

  test("has the benchmark's columns and one row per measured query, in order", () => {
    expect(rows[0]).toEqual([...TABLE_HEADER]);
    const body = rows.slice(2);
    expect(body.map((r) => [r[0], r[1], r[2]])).toEqual(QUERY_CASES.map((c) => [c.label, `\`${c.fn}\``, c.index]));
    for (const row of body) {
      for (const figure of row.slice(3, 7)) expect(figure).toMatch(/^\d+(\.\d+)? (µs|ms|s)$/);
      expect(row[8]).toMatch(/^(PASS|MISS)$/);
    }
  });

  test("each measured query has its own section with the function named", () => {
    for (const queryCase of QUERY_CASES) expect(doc).toContain(`\`${queryCase.fn}\``);
  });
});

describe(`${DOC} names only real indexes`, () => {
  test("every by_… index the doc mentions is defined in convex/schema.ts", () => {
    const schema = read("convex/schema.ts");
    const defined = new Set([...schema.matchAll(/\.index\("(\w+)"/g)].map((m) => m[1]));
    // by_game is named only as the index by_game_status replaced.
    const named = new Set([...doc.matchAll(/\b(by_[a-z_]+)\b/g)].map((m) => m[1]).filter((name) => name !== "by_game"));
    const missing = [...named].filter((name) => !defined.has(name));
    expect(missing).toEqual([]);
  });
});
