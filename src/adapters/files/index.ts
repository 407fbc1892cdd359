export type { BlobLocation, FileMetaInput, FileStoreDeps, StoredBlob, StoredFile } from './types.js';
export { storeBlob, type StoreBlobOptions } from './blobs.js';
export { ensureBlobOwner, findMissingChunks, findOwnedBlobs } from './blobOwners.js';
export { openBlobStream, readBlobBuffer } from './blobRead.js';
export { createFileFromBlobs, deleteFiles, putFile, storeContent, type PutFileOptions, type StoredContent } from './files.js';
export { openFileStream, readFileBuffer } from './fileRead.js';
export { collectGarbageBlobs, type CollectGarbageOptions, type CollectGarbageResult } from './gc.js';
export { storeChunks, type StoredChunks } from './chunks.js';
export { collectStream, readPieces } from './streams.js';
