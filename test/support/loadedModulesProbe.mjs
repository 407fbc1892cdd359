// Preloaded into a role's process (NODE_OPTIONS=--import) by tests that check what an idle role has loaded. On
// SIGUSR2 it writes, to the file named by LOADED_MODULES_OUT, the Node builtins loaded so far and the files loaded
// (ES modules and CommonJS alike, through the module hooks), then answers by writing the file.
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';

const files = [];
registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith('file:')) files.push(url);
    return nextLoad(url, context);
  },
});

process.on('SIGUSR2', () => {
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
  writeFileSync(process.env.LOADED_MODULES_OUT, JSON.stringify({ builtins, files }));
});
