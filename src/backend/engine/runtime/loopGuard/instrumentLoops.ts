// A function stuck in a synchronous loop never yields to the event loop, so
// no timer can stop it and the whole backend would hang with it. Convex ends
// such a function at its time limit (its isolate is terminated); Node cannot
// terminate one async call without wrecking every other request sharing the
// thread, so instead the functions folder's code is rewritten as it loads:
// every loop iteration, and every catch clause, first calls a check that
// throws once the running function is out of time. The catch-clause check
// keeps a `try { … } catch {}` inside the loop from swallowing the timeout.
import { parse, type Node } from "acorn";
import { simple } from "acorn-walk";
import { LOOP_CHECK_GLOBAL } from "./loopCheckGlobal.ts";

/** Module-local and hoisted, so a loop reached through a circular import still finds it. */
const LOCAL_CHECK = "__csnRtLoopCheck$";
const CHECK_FUNCTION =
  `function ${LOCAL_CHECK}(){const check=globalThis.${LOOP_CHECK_GLOBAL};if(check!==undefined)check()}`;

type Insertion = { readonly at: number; readonly text: string };

/**
 * `source` (an ES module, as JavaScript) with a time check at the top of
 * every loop body and catch clause. Line numbers are kept: insertions never
 * add a line break, and the helper goes on the first line of code. Source
 * that does not parse is returned unchanged, so that importing it reports
 * the syntax error itself.
 */
export function instrumentLoops(source: string): string {
  let program: Node;
  try {
    program = parse(source, { ecmaVersion: "latest", sourceType: "module", allowHashBang: true });
  } catch {
    return source;
  }
  const insertions: Insertion[] = [];
  // A body that is not a block (`while (x) step();`) is wrapped in one.
  const checkEachIteration = (loop: { body: Node }) => {
    insertions.push({ at: loop.body.start, text: `{${LOCAL_CHECK}();` }, { at: loop.body.end, text: "}" });
  };
  simple(program, {
    WhileStatement: checkEachIteration,
    DoWhileStatement: checkEachIteration,
    ForStatement: checkEachIteration,
    ForInStatement: checkEachIteration,
    ForOfStatement: checkEachIteration,
    CatchClause: (clause) => insertions.push({ at: clause.body.start + 1, text: `${LOCAL_CHECK}();` }),
  });
  if (insertions.length === 0) return source;
  insertions.push({ at: helperOffset(source), text: CHECK_FUNCTION });
  // At one offset: the helper first, then bodies that end there, then bodies that begin.
  const rank = (insertion: Insertion) => (insertion.text === CHECK_FUNCTION ? 0 : insertion.text === "}" ? 1 : 2);
  insertions.sort((a, b) => a.at - b.at || rank(a) - rank(b));
  let out = "";
  let from = 0;
  for (const insertion of insertions) {
    out += source.slice(from, insertion.at) + insertion.text;
    from = insertion.at;
  }
  return out + source.slice(from);
}

/** The start of the first line of code: a hashbang line must stay first. */
function helperOffset(source: string): number {
  if (!source.startsWith("#!")) return 0;
  const lineEnd = source.indexOf("\n");
  return lineEnd === -1 ? source.length : lineEnd + 1;
}
