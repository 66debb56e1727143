// The dashboard as plain text: the same component tree the terminal shows,
// rendered once through Ink's renderToString (snapshot tests, CI logs).
import { renderToString } from "ink";
import { Dashboard, type DashboardProps } from "./Dashboard.tsx";

// Wide enough for every panel without wrapping.
const DEFAULT_COLUMNS = 100;

export function renderDashboardText(props: DashboardProps, columns = DEFAULT_COLUMNS): string {
  return renderToString(<Dashboard {...props} />, { columns });
}
