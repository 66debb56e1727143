// The drift check itself: it must reject a sample that changed, one taken
// from the wrong declaration, and an unmarked block.
import { describe, expect, test } from "vitest";
import { codeBlocks, declarationExtent, findExcerpt } from "./docQuotes.ts";

const SOURCE = `// A constant.
export const LIMIT = 10;

/** Adds. */
export function add(a: number, b: number): number {
  const sum = a + b;
  return sum;
}

export const other = 1;
`;

describe("doc quote checks", () => {
  test("an excerpt matches line for line, indentation aside, and a changed one does not", () => {
    expect(findExcerpt(SOURCE, "const sum = a + b;\nreturn sum;")).toBe(5);
    expect(findExcerpt(SOURCE, "const sum = a + b;\nreturn sum + 1;")).toBe(-1);
    expect(findExcerpt(SOURCE, "const sum = a + b;\n\nreturn sum;")).toBe(-1);
  });

  test("a declaration's extent runs from its comment to the next top-level declaration", () => {
    expect(declarationExtent(SOURCE, "add")).toEqual({ from: 3, to: 9 });
    expect(declarationExtent(SOURCE, "LIMIT")).toEqual({ from: 0, to: 3 });
    expect(declarationExtent(SOURCE, "missing")).toBeNull();
  });

  test("code blocks carry the marker written above them", () => {
    const markdown = ["<!-- quote: a.ts add -->", "```ts", "return sum;", "```", "", "```sh", "npm test", "```", "<!-- command -->", "", "```sh", "npm run x", "```"].join("\n");
    expect(codeBlocks(markdown).map((b) => b.marker)).toEqual([{ kind: "quote", file: "a.ts", symbol: "add" }, null, { kind: "command" }]);
  });
});
