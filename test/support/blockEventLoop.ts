/** Keeps the event loop busy for `ms`: timers and sockets wait, as behind a long synchronous task. */
export function blockEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}
