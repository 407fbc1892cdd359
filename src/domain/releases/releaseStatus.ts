/** Release status as stored (0 open, 1 archived; null is open) and as the API names it. */
export const RELEASE_STATUS = { open: 0, archived: 1 } as const;
export type ReleaseStatusName = keyof typeof RELEASE_STATUS;

export function releaseStatusName(status: number | null): ReleaseStatusName {
  return status === RELEASE_STATUS.archived ? 'archived' : 'open';
}

export function releaseStatusValue(name: ReleaseStatusName): number {
  return RELEASE_STATUS[name];
}
