// Another service using `artifact-assembler/producer` from the installed tarball (run by
// test/package/npmPack.test.ts with Node 24; settings from the environment, as the service reads its own).
// Uploads a bundle as chunks into the shared store, asks for assembly through the queue, waits, prints one JSON line.
import { openProducer } from 'artifact-assembler/producer';

const { AA_ORG_ID: organizationId, AA_BUNDLE: bundlePath, AA_VERSION: version } = process.env;
const producer = await openProducer(process.env);
try {
  const uploaded = await producer.client.uploadBundle(organizationId, bundlePath);
  const requested = await producer.client.requestReleaseBundle({ organizationId, version, checksum: uploaded.checksum, chunks: uploaded.chunks });
  const final = await producer.client.waitForReleaseBundle({ organizationId, checksum: uploaded.checksum }, { timeoutMs: 30_000, intervalMs: 50 });
  console.log(JSON.stringify({ uploaded, requested: requested.state, final }));
} finally {
  await producer.close();
}
