// The words and numbers of one comparison row, shared by the text table and
// the markdown renderer so both say exactly the same thing.
import { formatCount, formatCountChange, formatMicros, formatMicrosChange, formatPercentChange } from "../format/units.ts";
import type { CounterComparison, StatComparison } from "./compareReports.ts";

export type RowCells = { baseline: string; current: string; change: string; percent: string; status: string };

export function statCells(s: StatComparison): RowCells {
  const value = s.stat === "count" ? formatCount : formatMicros;
  const change = s.stat === "count" ? formatCountChange : formatMicrosChange;
  return {
    baseline: s.baseline === undefined ? "—" : value(s.baseline),
    current: s.current === undefined ? "—" : value(s.current),
    change: s.change === undefined ? "" : change(s.change),
    percent: s.change === undefined ? "" : formatPercentChange(s.changePercent),
    status: s.regressed ? "REGRESSED" : s.baseline === undefined ? "new" : s.current === undefined ? "missing" : "",
  };
}

export function counterCells(c: CounterComparison): RowCells {
  return {
    baseline: formatCount(c.baseline),
    current: formatCount(c.current),
    change: formatCountChange(c.change),
    percent: formatPercentChange(c.changePercent),
    status: c.regressed ? "REGRESSED" : "",
  };
}
