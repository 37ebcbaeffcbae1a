// When the reader of the command's output goes away (`tunegrad report RUN | head -3`), the next
// write to the pipe fails with EPIPE, emitted as an 'error' event that, unhandled, ends the
// process with a stack trace. Node ignores SIGPIPE, so this is where a command does what Unix
// tools do when killed by it: stop at once, quietly. The status is 0: nothing went wrong that
// anyone is left to hear about. Any other stream error is thrown again, not swallowed.

const watched = new WeakSet<NodeJS.WritableStream>();

/** Makes a broken pipe on `stream` end the process quietly with status 0. */
export function exitQuietlyOnBrokenPipe(stream: NodeJS.WritableStream): void {
  if (watched.has(stream)) return;
  watched.add(stream);
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}
