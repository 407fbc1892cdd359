import { z } from 'zod';
import type { JsFrame, SymbolicateJsRequest } from './jsTypes.js';

/** Frames and stack traces per request: an event has a handful of stack traces of at most a few hundred frames. */
export const MAX_SYMBOLICATION_FRAMES = 5000;

const text = (max: number) => z.string().max(max);

const frameSchema = z.looseObject({
  abs_path: text(8192),
  // Symbolicator's `lineno` is unsigned: 0 is accepted and answered with `invalid_location`
  lineno: z.number().int().min(0),
  colno: z.number().int().min(0).optional(),
  function: text(4096).optional(),
  filename: text(8192).optional(),
  module: text(8192).optional(),
  in_app: z.boolean().optional(),
  pre_context: z.array(z.string()).optional(),
  context_line: z.string().optional(),
  post_context: z.array(z.string()).optional(),
});

/** Symbolicator's `symbolicate-js` body (what Sentry sends it); unknown keys are ignored, as serde does. */
export const symbolicateJsBodySchema = z
  .looseObject({
    stacktraces: z.array(z.looseObject({ frames: z.array(frameSchema) })).min(1),
    modules: z
      .array(z.looseObject({ type: z.literal('sourcemap'), code_file: text(8192), debug_id: text(100) }))
      .max(MAX_SYMBOLICATION_FRAMES)
      .default([]),
    release: text(250).nullish(),
    dist: text(64).nullish(),
    scraping: z.looseObject({ enabled: z.boolean().optional() }).optional(),
    options: z.looseObject({ apply_source_context: z.boolean().optional() }).optional(),
  })
  .refine((body) => body.stacktraces.reduce((n, s) => n + s.frames.length, 0) <= MAX_SYMBOLICATION_FRAMES, {
    message: `at most ${MAX_SYMBOLICATION_FRAMES} frames in all`,
    path: ['stacktraces'],
  });

export type SymbolicateJsBody = z.infer<typeof symbolicateJsBodySchema>;

/** The validated body as the use case takes it; raw frames keep only Symbolicator's own keys. */
export function toSymbolicateJsRequest(body: SymbolicateJsBody): SymbolicateJsRequest {
  return {
    stacktraces: body.stacktraces.map((stacktrace) => ({ frames: stacktrace.frames.map(toRawFrame) })),
    modules: body.modules.map((m) => ({ type: 'sourcemap', code_file: m.code_file, debug_id: m.debug_id })),
    release: body.release || null,
    dist: body.dist || null,
    applySourceContext: body.options?.apply_source_context ?? true,
  };
}

function toRawFrame(frame: SymbolicateJsBody['stacktraces'][number]['frames'][number]): JsFrame {
  const out: JsFrame = { abs_path: frame.abs_path, lineno: frame.lineno, data: { symbolicated: false } };
  if (frame.function !== undefined) out.function = frame.function;
  if (frame.filename !== undefined) out.filename = frame.filename;
  if (frame.module !== undefined) out.module = frame.module;
  if (frame.colno !== undefined) out.colno = frame.colno;
  if (frame.pre_context?.length) out.pre_context = frame.pre_context;
  if (frame.context_line !== undefined) out.context_line = frame.context_line;
  if (frame.post_context?.length) out.post_context = frame.post_context;
  if (frame.in_app !== undefined) out.in_app = frame.in_app;
  return out;
}
