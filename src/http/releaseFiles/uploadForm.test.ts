import { parseUploadForm, UPLOAD_FORM_ERROR } from './uploadForm.js';

const file = { filename: 'app.js', mimetype: 'application/octet-stream' };

describe('parseUploadForm', () => {
  it('reads what sentry-cli sends: name, repeated headers, no dist', () => {
    expect(parseUploadForm({ file, fields: { name: ['~/app.js'], header: ['Sourcemap:app.js.map', 'X-Note: a:b '] } })).toEqual({
      ok: true,
      form: { name: '~/app.js', dist: null, headers: { 'Content-Type': 'application/octet-stream', Sourcemap: 'app.js.map', 'X-Note': 'a:b' } },
    });
  });

  it('defaults the name to the filename, takes the last value of a repeated field, and treats an empty dist as none', () => {
    expect(parseUploadForm({ file, fields: {} })).toMatchObject({ ok: true, form: { name: 'app.js', dist: null } });
    expect(parseUploadForm({ file, fields: { name: ['~/a.js', '~/b.js'], dist: ['x', 'web-1'] } })).toMatchObject({ ok: true, form: { name: '~/b.js', dist: 'web-1' } });
    expect(parseUploadForm({ file, fields: { dist: [''] } })).toMatchObject({ ok: true, form: { dist: null } });
  });

  it('drops content-type parameters, guesses a missing type from the name, and lets a header field override it', () => {
    const typed = (mimetype: string | undefined, header: string[] = []) =>
      parseUploadForm({ file: { filename: 'app.js', mimetype }, fields: { name: ['~/x/app.js'], header } });
    expect(typed('text/javascript; charset=utf-8')).toMatchObject({ form: { headers: { 'Content-Type': 'text/javascript' } } });
    expect(typed(undefined)).toMatchObject({ form: { headers: { 'Content-Type': 'text/javascript' } } });
    expect(typed('text/plain', ['Content-Type:text/css'])).toMatchObject({ form: { headers: { 'Content-Type': 'text/css' } } });
  });

  it.each([
    [{ file: undefined, fields: { name: ['~/a.js'] } }, UPLOAD_FORM_ERROR.missingFile],
    [{ file: { filename: '', mimetype: undefined }, fields: {} }, UPLOAD_FORM_ERROR.missingName],
    [{ file, fields: { name: ['file'] } }, UPLOAD_FORM_ERROR.missingName],
    [{ file, fields: { name: ['~/a\n.js'] } }, UPLOAD_FORM_ERROR.nameWhitespace],
    [{ file, fields: { name: ['~/a\\b.js'] } }, UPLOAD_FORM_ERROR.nameWhitespace],
    [{ file, fields: { header: ['no colon'] } }, UPLOAD_FORM_ERROR.badHeader],
    [{ file, fields: { header: [':empty key'] } }, UPLOAD_FORM_ERROR.badHeader],
    [{ file, fields: { header: ['X:a\tb'] } }, UPLOAD_FORM_ERROR.headerWhitespace],
    [{ file, fields: { dist: ['d'.repeat(65)] } }, 'dist: must be at most 64 characters'],
  ])('refuses %j', (input, error) => {
    expect(parseUploadForm(input)).toEqual({ ok: false, error });
  });
});
