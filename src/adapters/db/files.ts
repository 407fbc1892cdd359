import type { Db } from './connect.js';

export interface FileMeta {
  id: string;
  type: string;
  name: string;
  timestamp: Date;
}

export async function findFileMeta(db: Db, fileId: string): Promise<FileMeta | null> {
  const row = await db.selectFrom('file').select(['id', 'type', 'name', 'timestamp']).where('id', '=', fileId).executeTakeFirst();
  return row ?? null;
}
