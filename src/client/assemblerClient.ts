import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../adapters/db/connect.js';
import { storeChunks } from '../adapters/files/index.js';
import type { AssembleStatusStore } from '../adapters/redis/assembleStatusStore.js';
import type { BlobStore } from '../adapters/storage/BlobStore.js';
import { ASSEMBLE_TASK, type AssembleState } from '../domain/assembleStatus.js';
import {
  requestReleaseBundleAssembly,
  type AssembleQueue,
  type AssembleResponse,
} from '../jobs/assembleProducer.js';

export interface AssemblerClientDeps {
  db: Db;
  blobs: BlobStore;
  queue: AssembleQueue;
  statusStore: AssembleStatusStore;
}

export interface UploadedBundle {
  checksum: string;
  chunks: string[];
  size: number;
}

export interface FinalStatus {
  state: AssembleState;
  detail: string | null;
}

/**
 * The typed producer for other Node services: upload a bundle as owned chunks, ask for assembly, read or wait for
 * the status. It talks to the same Postgres, blob store and Redis as the workers (no HTTP needed).
 */
export class AssemblerClient {
  constructor(private readonly deps: AssemblerClientDeps) {}

  /** Splits a bundle into 8 MiB chunks stored as blobs the organisation owns. */
  async uploadBundle(organizationId: string, source: Readable | string): Promise<UploadedBundle> {
    const stream = typeof source === 'string' ? createReadStream(source) : source;
    const { chunks, checksum, size } = await storeChunks(this.deps, organizationId, stream);
    return { checksum, chunks, size };
  }

  requestReleaseBundle(request: { organizationId: string; version: string; checksum: string; chunks: string[] }): Promise<AssembleResponse> {
    return requestReleaseBundleAssembly(this.deps, request);
  }

  async getReleaseBundleStatus(ref: { organizationId: string; checksum: string }): Promise<FinalStatus> {
    const status = await this.deps.statusStore.get({ scope: ref.organizationId, checksum: ref.checksum, task: ASSEMBLE_TASK.releaseBundle });
    return status ?? { state: 'not_found', detail: null };
  }

  /** Polls until `ok` or `error` (or `not_found`, when the status expired or was never written), or the timeout. */
  async waitForReleaseBundle(
    ref: { organizationId: string; checksum: string },
    options: { timeoutMs?: number; intervalMs?: number } = {},
  ): Promise<FinalStatus> {
    const deadline = Date.now() + (options.timeoutMs ?? 300_000);
    for (;;) {
      const status = await this.getReleaseBundleStatus(ref);
      if (status.state === 'ok' || status.state === 'error' || status.state === 'not_found') return status;
      if (Date.now() >= deadline) return { state: status.state, detail: `still ${status.state} after ${options.timeoutMs ?? 300_000} ms` };
      await sleep(options.intervalMs ?? 250);
    }
  }
}
