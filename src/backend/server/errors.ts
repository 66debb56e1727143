// Why the server could not start, as values the command layer prints
// without a stack trace (STYLE: errors are values with a hint; stacks only
// with --verbose, which reads `cause`).

export class PortInUseError extends Error {
  readonly code = "EADDRINUSE";

  constructor(
    readonly port: number,
    readonly host: string,
  ) {
    super(`port ${port} on ${host} is in use`);
    this.name = "PortInUseError";
    // The message says everything; a stack would only point into Node's net module.
    this.stack = this.message;
  }
}

export class ServerListenError extends Error {
  constructor(
    readonly port: number,
    readonly host: string,
    cause: Error,
  ) {
    super(`could not listen on ${host}:${port}: ${cause.message}`, { cause });
    this.name = "ServerListenError";
    this.stack = this.message;
  }
}
