// `artifact-assembler/producer`: the queue-level producer (chunks straight into the blob store, assembly through the
// queue) for services that share the workers' Postgres, Redis and storage instead of calling the HTTP API.
export { AssemblerClient, type AssemblerClientDeps, type FinalStatus, type UploadedBundle } from './assemblerClient.js';
export { openProducer, type OpenedProducer } from '../main/openProducer.js';
export type { AssembleResponse } from '../jobs/assembleProducer.js';
export type { AssembleState } from '../domain/assembleStatus.js';
