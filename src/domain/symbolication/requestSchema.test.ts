import { symbolicateJsBodySchema, toSymbolicateJsRequest } from './requestSchema.js';

describe('the symbolicate-js body', () => {
  it("keeps Symbolicator's fields, ignores unknown ones and defaults source context on", () => {
    const body = symbolicateJsBodySchema.parse({
      stacktraces: [{ frames: [{ abs_path: 'http://x/a.js', lineno: 1, colno: 2, function: 'f', platform: 'javascript', pre_context: [] }] }],
      modules: [{ type: 'sourcemap', code_file: 'http://x/a.js', debug_id: 'd' }],
      release: 'r',
      dist: '',
      scraping: { enabled: false },
    });
    expect(toSymbolicateJsRequest(body)).toEqual({
      stacktraces: [{ frames: [{ abs_path: 'http://x/a.js', lineno: 1, colno: 2, function: 'f', data: { symbolicated: false } }] }],
      modules: [{ type: 'sourcemap', code_file: 'http://x/a.js', debug_id: 'd' }],
      release: 'r',
      dist: null,
      applySourceContext: true,
    });
  });

  it('refuses frames without abs_path or lineno, and modules of another type', () => {
    expect(symbolicateJsBodySchema.safeParse({ stacktraces: [{ frames: [{ lineno: 1 }] }] }).success).toBe(false);
    expect(symbolicateJsBodySchema.safeParse({ stacktraces: [{ frames: [{ abs_path: 'a' }] }] }).success).toBe(false);
    expect(symbolicateJsBodySchema.safeParse({ stacktraces: [{ frames: [] }], modules: [{ type: 'elf', code_file: 'a', debug_id: 'b' }] }).success).toBe(false);
  });
});
