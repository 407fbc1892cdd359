import type { CompletedJsSymbolicationResponse, JsFrame, JsModuleError } from './jsTypes.js';

/**
 * A symbolication answer as a person reads a stack trace: Node's order (innermost call first, as `Error.stack`
 * prints it), each frame `at function (file:line:column)` with its source line, unresolved frames marked, then the
 * errors.
 */
export function formatStackTraces(answer: CompletedJsSymbolicationResponse): string {
  const lines: string[] = [];
  answer.stacktraces.forEach((stacktrace, i) => {
    if (answer.stacktraces.length > 1) lines.push(`stack trace ${i + 1}:`);
    for (const frame of [...stacktrace.frames].reverse()) {
      lines.push(`    at ${frameLocation(frame)}${frame.data.symbolicated ? '' : '  [not symbolicated]'}`);
      if (frame.data.symbolicated && frame.context_line !== undefined) lines.push(`        ${frame.context_line.trim()}`);
    }
  });
  const errors = answer.errors ?? [];
  if (errors.length > 0) {
    lines.push('errors:');
    for (const error of errors) lines.push(`    ${describeError(error)}`);
  }
  return `${lines.join('\n')}\n`;
}

function frameLocation(frame: JsFrame): string {
  const where = `${frame.abs_path}:${frame.lineno}${frame.colno === undefined ? '' : `:${frame.colno}`}`;
  return frame.function ? `${frame.function} (${where})` : where;
}

function describeError(error: JsModuleError): string {
  const { abs_path: absPath, type, ...details } = error;
  const extra = Object.entries(details).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return [type, absPath, ...extra].join('  ');
}
