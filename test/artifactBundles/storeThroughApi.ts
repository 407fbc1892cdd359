import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiHarness } from '../http/apiHarness.js';
import { buildBundle, type BundleFile } from '../support/bundles.js';

const ORG = '/api/0/organizations/acme';
const ASSEMBLY_DEADLINE_MS = 30_000;

/** Posts one assemble request until it answers `ok` (the harness's in-process worker runs the job); throws on `error`. */
async function assembleUntilOk(h: ApiHarness, url: string, payload: string | object, what: string): Promise<void> {
  const deadline = Date.now() + ASSEMBLY_DEADLINE_MS;
  for (;;) {
    const res = await h.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } });
    if (res.statusCode !== 200) throw new Error(`${what}: HTTP ${res.statusCode} ${res.body}`);
    const state = res.json<{ state: string; detail: string | null }>();
    if (state.state === 'ok') return;
    if (state.state === 'error' || Date.now() > deadline) throw new Error(`${what}: ${JSON.stringify(state)}`);
    await sleep(50);
  }
}

/** Uploads the chunks and drives POST artifactbundle/assemble/ of organisation acme to `ok`; answers the checksum. */
export async function storeArtifactBundle(
  h: ApiHarness,
  bundle: Buffer,
  links: { version?: string; dist?: string; projects?: string[] } = {},
): Promise<string> {
  const { checksum, chunks } = await h.assembly.upload(bundle);
  const body = JSON.stringify({ checksum, chunks, projects: links.projects ?? ['web'], version: links.version, dist: links.dist });
  await assembleUntilOk(h, `${ORG}/artifactbundle/assemble/`, body, 'assembly');
  return checksum;
}

/** Creates the release for project `web` and assembles a release bundle into it through the release endpoint. */
export async function storeReleaseBundle(h: ApiHarness, version: string, files: BundleFile[], dist?: string): Promise<void> {
  const created = await h.inject({ method: 'POST', url: `${ORG}/releases/`, payload: { version, projects: ['web'] } });
  if (created.statusCode !== 201 && created.statusCode !== 208) throw new Error(`release ${version}: HTTP ${created.statusCode} ${created.body}`);
  const { checksum, chunks } = await h.assembly.upload(await buildBundle({ release: version, dist, files }));
  await assembleUntilOk(h, `${ORG}/releases/${encodeURIComponent(version)}/assemble/`, { checksum, chunks }, 'release assembly');
}
