// `artifact-assembler/client`: the typed HTTP API client for other Node services (Node's fetch, no dependencies).
export { ApiClient, type ApiClientOptions, type RequestOptions } from './apiClient.js';
export { ApiError } from './apiError.js';
export type { AssembleAnswer, AssembleState, ChunkUploadOptions, Dashboard, LookupMatch, Release, ReleaseFile, ReleaseProject } from './apiTypes.js';
export { splitIntoChunks, type Chunk } from './chunks.js';
