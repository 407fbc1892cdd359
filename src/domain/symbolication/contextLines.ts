/** Lines of context on each side of the frame's line, as Sentry shows them. */
export const CONTEXT_LINES = 5;
/** Longer lines (minified code) are cut to a window around the column, marked with `{snip}` as Sentry does. */
const MAX_LINE_CHARS = 140;

export interface ContextLines {
  pre_context: string[];
  context_line: string;
  post_context: string[];
}

/** A text split into lines (once: a minified file of a megabyte is split for its first frame only). */
export class SourceLines {
  private split: string[] | null = null;

  constructor(readonly text: string) {}

  get lines(): string[] {
    this.split ??= this.text.split(/\r\n|\r|\n/);
    return this.split;
  }
}

/** Context around the 1-based line, or null when the source has no such line. */
export function contextLines(source: SourceLines, lineno: number, colno: number | undefined): ContextLines | null {
  const lines = source.lines;
  const index = lineno - 1;
  if (index < 0 || index >= lines.length) return null;
  const trim = (line: string) => trimLine(line, colno ?? 0);
  return {
    pre_context: lines.slice(Math.max(0, index - CONTEXT_LINES), index).map(trim),
    context_line: trim(lines[index]!),
    post_context: lines.slice(index + 1, index + 1 + CONTEXT_LINES).map(trim),
  };
}

function trimLine(line: string, colno: number): string {
  if (line.length <= MAX_LINE_CHARS) return line;
  const start = Math.max(0, Math.min(colno - MAX_LINE_CHARS / 2, line.length - MAX_LINE_CHARS));
  const end = Math.min(line.length, start + MAX_LINE_CHARS);
  return `${start > 0 ? '{snip} ' : ''}${line.slice(start, end)}${end < line.length ? ' {snip}' : ''}`;
}
