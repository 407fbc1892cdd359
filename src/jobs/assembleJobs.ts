import { createHash } from 'node:crypto';
import { z } from 'zod';
import { QUEUE_NAMES } from './queues.js';

/** The `assemble-artifacts` queue's job names. */
export const ASSEMBLE_JOB = {
  releaseBundle: 'release-bundle',
  artifactBundle: 'artifact-bundle',
} as const;
export type AssembleJobName = (typeof ASSEMBLE_JOB)[keyof typeof ASSEMBLE_JOB];

const sha1Hex = z.string().regex(/^[0-9a-f]{40}$/, 'must be a 40-character lower-case hex SHA-1');
const decimalId = z.string().regex(/^[1-9][0-9]{0,18}$/, 'must be a decimal id string');

/** Payloads are wire contracts: ids and keys only, never bytes or secrets; changes are additive. */
export const releaseBundlePayloadSchema = z.object({
  organizationId: decimalId,
  version: z.string().min(1).max(250),
  checksum: sha1Hex,
  chunks: z.array(sha1Hex).min(1).max(100_000),
});
export type ReleaseBundlePayload = z.infer<typeof releaseBundlePayloadSchema>;

export const artifactBundlePayloadSchema = z.object({
  organizationId: decimalId,
  projectIds: z.array(decimalId).min(1),
  version: z.string().min(1).max(250).nullish(),
  dist: z.string().min(1).max(64).nullish(),
  checksum: sha1Hex,
  chunks: z.array(sha1Hex).min(1).max(100_000),
});
export type ArtifactBundlePayload = z.infer<typeof artifactBundlePayloadSchema>;

export interface AssembleJobPayloads {
  'release-bundle': ReleaseBundlePayload;
  'artifact-bundle': ArtifactBundlePayload;
}

export const ASSEMBLE_PAYLOAD_SCHEMAS = {
  'release-bundle': releaseBundlePayloadSchema,
  'artifact-bundle': artifactBundlePayloadSchema,
} as const satisfies { [K in AssembleJobName]: z.ZodType<AssembleJobPayloads[K]> };

/** Deterministic ids (DESIGN.md section 2), so that a second enqueue of the same work is a no-op while it lives. */
export function releaseBundleJobId(p: Pick<ReleaseBundlePayload, 'organizationId' | 'checksum' | 'version'>): string {
  const versionHash = createHash('sha1').update(p.version, 'utf8').digest('hex');
  return `release-bundle-${p.organizationId}-${p.checksum}-${versionHash}`;
}

export function artifactBundleJobId(p: Pick<ArtifactBundlePayload, 'organizationId' | 'checksum'>): string {
  return `artifact-bundle-${p.organizationId}-${p.checksum}`;
}

export const ASSEMBLE_QUEUE = QUEUE_NAMES.assemble;
