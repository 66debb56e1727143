// Reading a Markdown guide's code blocks and the markers that say where each
// one comes from, for tests that keep a guide true to the code:
//
//   <!-- quote: path/to/file.ts SYMBOL -->     the next code block is an excerpt of FILE,
//   ```ts                                       inside SYMBOL's top-level declaration
//   …                                           (or, when SYMBOL is no top-level name —
//   ```                                         an index, a table — containing SYMBOL)
//
//   <!-- command -->                            the next block is shell commands; every
//   ```sh                                       `npm run X` must be a script of package.json
//
// An excerpt must match the file line for line, ignoring only each line's
// leading indentation (so a sample can be shown dedented).

export type CodeBlock = {
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly text: string;
  /** The marker on the nearest non-blank line above the fence, or null. */
  readonly marker: Marker | null;
};

export type Marker = { readonly kind: "quote"; readonly file: string; readonly symbol: string } | { readonly kind: "command" };

const MARKER = /^<!--\s*(quote:\s*(\S+)\s+(\S+)|command)\s*-->$/;

export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (open === null) continue;
    const end = lines.findIndex((line, j) => j > i && /^```\s*$/.test(line));
    if (end === -1) throw new Error(`the code block opened on line ${i + 1} is never closed`);
    let above = i - 1;
    while (above >= 0 && lines[above].trim() === "") above--;
    const match = above >= 0 ? MARKER.exec(lines[above].trim()) : null;
    const marker: Marker | null = match === null ? null : match[1] === "command" ? { kind: "command" } : { kind: "quote", file: match[2], symbol: match[3] };
    blocks.push({ line: i + 1, lang: open[1], text: lines.slice(i + 1, end).join("\n"), marker });
    i = end;
  }
  return blocks;
}

const strip = (line: string) => line.trimStart().trimEnd();

/** The 0-based line where `excerpt` starts in `source` (indentation ignored), or -1. */
export function findExcerpt(source: string, excerpt: string): number {
  const want = excerpt.split("\n").map(strip);
  const have = source.split("\n").map(strip);
  for (let start = 0; start + want.length <= have.length; start++) {
    if (want.every((line, k) => have[start + k] === line)) return start;
  }
  return -1;
}

/**
 * The 0-based line range [from, to) of a top-level declaration named
 * `symbol` (export const / function / class / type …) with the comment right
 * above it, up to the next top-level line that opens something else; null
 * when there is none.
 */
export function declarationExtent(source: string, symbol: string): { from: number; to: number } | null {
  const lines = source.split("\n");
  const declaration = new RegExp(`^(export\\s+)?(default\\s+)?(async\\s+)?(const|let|function|class|type|interface)\\s+${symbol}\\b`);
  const at = lines.findIndex((line) => declaration.test(line));
  if (at === -1) return null;
  // The comment right above a declaration belongs to it.
  let from = at;
  while (from > 0 && /^(\/\/|\/\*\*|\s\*)/.test(lines[from - 1])) from--;
  let to = at + 1;
  while (to < lines.length && !/^[A-Za-z/@]/.test(lines[to])) to++;
  return { from, to };
}
