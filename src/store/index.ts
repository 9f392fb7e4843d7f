export * from './types.js';
export { emptyData } from './empty-data.js';
export { migrate } from './migrations.js';
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { FileStore, type FileStoreOptions } from './file-store.js';
export { openStore, type OpenStoreOptions } from './open.js';
